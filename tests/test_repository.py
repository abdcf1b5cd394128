"""The project's own wiring: CI entry point, workflow lint, Binder pins, build configuration."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT


def pins(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_ci_runs_make_test():
    script = (ROOT / ".ci/run").read_text()
    assert re.search(r"^make test\b", script, re.M)
    assert os.access(ROOT / ".ci/run", os.X_OK)


def test_workflow_passes_actionlint():
    exe = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    result = subprocess.run([exe, str(ROOT / ".github/workflows/book.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_nbval_before_building_and_deploys_only_from_main():
    wf = yaml.safe_load((ROOT / ".github/workflows/book.yml").read_text())
    jobs = wf["jobs"]
    assert wf["permissions"] == {"contents": "read"}, "least privilege at the top level"
    assert "make nbval" in str(jobs["test"]["steps"])
    assert jobs["build"]["needs"] == "test" and "-W" in str(jobs["build"]["steps"])
    assert jobs["deploy"]["needs"] == "build" and "refs/heads/main" in jobs["deploy"]["if"]
    assert set(jobs["deploy"]["permissions"]) == {"pages", "id-token"}
    cache_keys = [s["with"]["key"] for s in jobs["build"]["steps"] if "actions/cache" in s.get("uses", "")]
    assert any("helpers/**" in k for k in cache_keys), "the notebook cache key must include helpers/"


def test_binder_matches_requirements_except_torch_build():
    root_pins, binder_pins = pins(ROOT / "requirements.txt"), pins(ROOT / "binder/requirements.txt")
    for name, version in binder_pins.items():
        if name == "torch":
            assert version == root_pins["torch"] + "+cpu", "Binder must take the CPU build of the same torch"
        else:
            assert root_pins.get(name) == version, (
                f"binder pins {name}=={version}, requirements.txt {root_pins.get(name)}"
            )
    runtime = ["numpy", "scipy", "matplotlib", "seaborn", "torch", "jupyterlab", "ipykernel", "nbval"]
    assert all(name in binder_pins for name in runtime)
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    post = (ROOT / "binder/postBuild").read_text()
    assert "pip install --no-deps -e ." in post and "make_exercises.py" in post
    assert os.access(ROOT / "binder/postBuild", os.X_OK)


def test_requirements_are_all_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.match(r"^[A-Za-z0-9_.\-]+==\S+$", line), f"unpinned requirement: {line}"
    assert pins(ROOT / "requirements.txt")["jupyter-book"].startswith("1.")


def test_book_config():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["only_build_toc_files"] is True
    assert {".venv/*", "_build/*", "binder/*", "README.md"} <= set(cfg["exclude_patterns"])
    ex = cfg["execute"]
    assert ex["execute_notebooks"] == "cache" and ex["raise_on_error"] is True and ex["timeout"] > 0
    assert {"sphinx_exercise", "sphinx_proof"} <= set(cfg["sphinx"]["extra_extensions"])
    macros = cfg["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    assert {"R", "grad", "E", "Var"} <= set(macros)
    assert not cfg["sphinx"]["config"]["mathjax_path"].startswith("http"), "math must typeset offline"
    assert cfg["launch_buttons"]["binderhub_url"] and cfg["launch_buttons"]["jupyterhub_url"]
