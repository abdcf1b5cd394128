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
    build_runs = [s.get("run", "").strip() for s in jobs["build"]["steps"]]
    assert jobs["build"]["needs"] == "test" and "make site" in build_runs and "make site-test" in build_runs
    assert "make playwright-chromium" in build_runs, "Ubuntu runners take Playwright's Chromium, not the snap"
    assert re.search(r"^site:.*\n(\t.*\n)*\t\$\(JB_BUILD\) -W ", (ROOT / "Makefile").read_text(), re.M), (
        "make site builds with warnings as errors"
    )
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
    # no repository, Pages URL or hub is named here: tools/repo_identity.py supplies them, or none is shown
    assert "url" not in cfg.get("repository", {}) and "branch" not in cfg.get("repository", {})
    assert "baseurl" not in cfg["html"]
    assert not any(k in cfg["html"] for k in ("use_repository_button", "use_edit_page_button", "use_issues_button"))
    assert cfg["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert not cfg["launch_buttons"]["jupyterhub_url"], "a JupyterHub button only when HUB=... names one"


def make_targets():
    lines = (ROOT / "Makefile").read_text().splitlines()
    return {m.group(1) for line in lines if (m := re.match(r"^([a-z][a-z0-9_-]*):(?!=)", line))}


MAKE_STEP = re.compile(r"make((?: [a-z][a-z0-9_-]*)+)((?: [A-Z_]+=\S+)*)")


def run_step_problem(run, targets):
    """Why a workflow run: step is not `make <existing target> [VAR=value ...]`, or None."""
    m = MAKE_STEP.fullmatch(run.strip())
    if not m:
        return f"run step {run!r} is not `make <target>`"
    missing = set(m.group(1).split()) - targets
    return f"{run!r} names no Makefile target {sorted(missing)}" if missing else None


def test_every_workflow_run_step_is_an_existing_make_target():
    """Actions runs what `make test` runs: a run: step is `make <target> [VAR=value ...]`, nothing else."""
    wf = yaml.safe_load((ROOT / ".github/workflows/book.yml").read_text())
    targets = make_targets()
    assert {"install", "lint", "unit", "nbval", "exercises-test", "site", "site-variant", "site-test"} <= targets
    runs = [(job, step["run"]) for job, spec in wf["jobs"].items() for step in spec.get("steps", []) if "run" in step]
    assert runs, "no run: steps found"
    problems = [f"{job}: {p}" for job, run in runs if (p := run_step_problem(run, targets))]
    assert not problems, "\n".join(problems)


def test_the_workflow_rule_rejects_shell_steps_and_unknown_targets():
    """The rule above has power: a shell command, a chained command or an unknown target fails it."""
    targets = make_targets()
    for bad in ("python -m venv .venv", "make install && pip install x", "make no-such-target", "make lint\nmake unit",
                ".venv/bin/jupyter-book build . -W", "sudo apt-get install -y chromium"):
        assert run_step_problem(bad, targets), bad
    assert run_step_problem("make site REPO=octo/gradients", targets) is None


def test_browser_is_found_in_one_place():
    """No test or tool hard-codes a browser path: tools/browser.py finds it (env var, PATH, Playwright's own)."""
    offenders = []
    for folder in ("tests", "tools"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name in {"browser.py", "test_repository.py"}:
                continue
            if re.search(r"/usr/bin/chromium|executable_path\s*=", path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"hard-coded browser in {offenders}: use tools.browser.launch"


def test_browser_lookup_order(monkeypatch, tmp_path):
    from tools import browser

    fake = tmp_path / "my-chromium"
    fake.write_text("")
    monkeypatch.setenv("GRADIENTS_CHROMIUM", str(fake))
    assert browser.chromium_executable() == str(fake)
    monkeypatch.setenv("GRADIENTS_CHROMIUM", str(tmp_path / "missing"))
    try:
        browser.chromium_executable()
    except FileNotFoundError as exc:
        assert "GRADIENTS_CHROMIUM" in str(exc)
    else:
        raise AssertionError("a missing browser path must be a clear error")
    monkeypatch.delenv("GRADIENTS_CHROMIUM")
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.chromium_executable() is None  # falls through to Playwright's bundled Chromium


def test_no_file_points_outside_the_repository():
    """Contributors have this repository only: no "planning repo", no shared/ folder, no outside DESIGN.md."""
    pattern = re.compile(r"planning repo|DESIGN\.md of|\bshared/", re.I)
    skip = {".venv", "_build", ".git", "exercises", ".ruff_cache", "node_modules", ".pytest_cache"}
    offenders = []
    for path in ROOT.rglob("*"):
        if skip & set(path.relative_to(ROOT).parts) or not path.is_file() or path.suffix not in {
            ".md", ".py", ".yml", ".yaml", ".toml", ".txt", ".ipynb", ".cfg", ""
        }:
            continue
        if path.name == "test_repository.py":
            continue
        if pattern.search(path.read_text(errors="ignore")):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_design_page_exists_and_is_linked():
    design = (ROOT / "DESIGN.md").read_text()
    for topic in ("helpers", "exercise", "check", "_toc.yml", "tools/", "tests/"):
        assert topic in design, f"DESIGN.md does not explain {topic}"
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    assert "DESIGN.md" in layout.split("\n## ")[0], "the README's layout section links DESIGN.md"
    assert "DESIGN.md" in (ROOT / "CONTRIBUTING.md").read_text()


# --------------------------------------------------------------------------- repository identity (one source)


def test_identity_order_override_then_actions_then_origin(tmp_path):
    from tools.repo_identity import resolve

    none = tmp_path / "no-git"  # not a git checkout: no origin
    none.mkdir()
    assert resolve({}, none) is None
    actions = {"GITHUB_REPOSITORY": "octo/book", "GITHUB_REF_NAME": "main", "GITHUB_EVENT_NAME": "push"}
    ident = resolve(actions, none)
    assert (ident.slug, ident.branch, ident.source) == ("octo/book", "main", "actions")
    assert ident.pages_url == "https://octo.github.io/book/"
    pr = {**actions, "GITHUB_REF_NAME": "7/merge", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "dev"}
    assert resolve(pr, none).branch == "dev", "a pull request's N/merge ref is not a branch Binder can open"
    override = {**actions, "GRADIENTS_REPO": "me/fork", "GRADIENTS_BRANCH": "draft"}
    assert (resolve(override, none).slug, resolve(override, none).branch) == ("me/fork", "draft")
    assert resolve({**actions, "GRADIENTS_REPO": "none"}, none) is None
    assert resolve({"GRADIENTS_REPO": "Me/me.github.io"}, none).pages_url == "https://me.github.io/"


def test_identity_from_a_github_origin_only(tmp_path):
    from tools.repo_identity import parse_github_remote, resolve

    assert parse_github_remote("https://github.com/octo/book.git") == ("octo", "book")
    assert parse_github_remote("git@github.com:octo/book.git") == ("octo", "book")
    assert parse_github_remote("ssh://git@github.com/octo/book") == ("octo", "book")
    assert parse_github_remote("https://gitlab.com/octo/book.git") is None
    assert parse_github_remote("/srv/git/book.git") is None
    repo = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    assert resolve({}, repo) is None, "a clone without origin has no identity"
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "/srv/git/book.git"], check=True)
    assert resolve({}, repo) is None, "a non-GitHub origin gives no buttons rather than dead ones"
    subprocess.run(["git", "-C", str(repo), "remote", "set-url", "origin", "git@github.com:octo/book.git"], check=True)
    ident = resolve({}, repo)
    assert (ident.slug, ident.branch, ident.source) == ("octo/book", "main", "origin")


def test_identity_refuses_bad_overrides():
    from tools.repo_identity import IdentityError, jupyterhub_url, resolve

    for env in ({"GRADIENTS_REPO": "just-a-name"}, {"GRADIENTS_REPO": "a/b/c"}, {"GRADIENTS_REPO": "https://x/y"},
                {"GRADIENTS_REPO": "octo/book", "GRADIENTS_BRANCH": "bad branch"},
                {"GRADIENTS_REPO": "octo/book", "GRADIENTS_BRANCH": "../x"}):
        try:
            resolve(env)
        except IdentityError as exc:
            assert "REPO" in str(exc) or "BRANCH" in str(exc)
        else:
            raise AssertionError(f"{env} accepted")
    assert jupyterhub_url({}) == ""
    assert jupyterhub_url({"GRADIENTS_JUPYTERHUB_URL": "https://hub.uni.edu/"}) == "https://hub.uni.edu"
    try:
        jupyterhub_url({"GRADIENTS_JUPYTERHUB_URL": "hub.uni.edu"})
    except IdentityError:
        pass
    else:
        raise AssertionError("a hub without scheme accepted")


def test_the_extension_switches_every_repository_button_on_or_off(monkeypatch):
    from types import SimpleNamespace

    from tools import book_extensions

    def configured(**env):
        for key in ("GRADIENTS_REPO", "GRADIENTS_BRANCH", "GRADIENTS_JUPYTERHUB_URL", "GITHUB_REPOSITORY"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = SimpleNamespace()
        config = SimpleNamespace(html_baseurl="", html_theme_options={
            "launch_buttons": {"binderhub_url": "https://mybinder.org", "jupyterhub_url": ""}, "path_to_docs": ""})
        book_extensions.apply_identity(app, config)
        return config.html_theme_options, config.html_baseurl

    opts, base = configured(GRADIENTS_REPO="none", GRADIENTS_JUPYTERHUB_URL="https://hub.uni.edu")
    assert base == "" and not any(k in opts for k in ("repository_url", *book_extensions.REPOSITORY_BUTTONS))
    assert not any(opts["launch_buttons"].get(k) for k in ("binderhub_url", "jupyterhub_url", "colab_url", "thebe"))
    opts, base = configured(GRADIENTS_REPO="octo/book", GRADIENTS_BRANCH="dev")
    assert opts["repository_url"] == "https://github.com/octo/book" and opts["repository_branch"] == "dev"
    assert all(opts[k] for k in book_extensions.REPOSITORY_BUTTONS) and base == "https://octo.github.io/book/"
    assert opts["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert not opts["launch_buttons"]["jupyterhub_url"], "no hub configured, no hub button"
    opts, _ = configured(GRADIENTS_REPO="octo/book", GRADIENTS_JUPYTERHUB_URL="https://hub.uni.edu")
    assert opts["launch_buttons"]["jupyterhub_url"] == "https://hub.uni.edu"


# --------------------------------------------------------------------------- parallel pre-filled notebook cache


def _book(tmp_path, cells):
    import nbformat

    (tmp_path / "_config.yml").write_text(
        "execute:\n  execute_notebooks: cache\n  cache: _build/.jupyter_cache\n  timeout: 60\n  allow_errors: false\n")
    names = []
    for i, source in enumerate(cells):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {i}"), nbformat.v4.new_code_cell(source)]
        nbformat.write(nb, tmp_path / f"nb{i}.ipynb")
        names.append(f"nb{i}")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: nb0\nchapters:\n" + "".join(f"  - file: {n}\n" for n in names[1:]))
    return [tmp_path / f"{n}.ipynb" for n in names]


def test_prefill_executes_in_parallel_into_the_key_myst_nb_looks_up(tmp_path):
    import nbformat
    from jupyter_cache import get_cache

    from tools.prefill_cache import main, toc_notebooks

    notebooks = _book(tmp_path, ["print('PASS: one')", "x = 2\nprint('PASS: two', x)"])
    assert toc_notebooks(tmp_path) == [p.resolve() for p in notebooks]
    assert main(["--root", str(tmp_path)]) == 0
    cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
    for nb in notebooks:  # what myst-nb does: match the notebook as read from disk
        record = cache.match_cache_notebook(nbformat.read(nb, as_version=4))
        _, merged = cache.merge_match_into_notebook(nbformat.read(nb, as_version=4))
        assert record is not None and "PASS" in merged.cells[1].outputs[0]["text"]
    assert not cache.list_unexecuted(), "a second run has nothing left to execute"


def test_prefill_fails_on_a_failing_cell_and_the_build_log_check_catches_a_miss(tmp_path, capsys):
    from tools.prefill_cache import main

    notebooks = _book(tmp_path, ["print('PASS: fine')", "raise AssertionError('FAIL: a false claim')"])
    assert main(["--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "FAIL: a false claim" in err and "nb1.ipynb" in err
    log = tmp_path / "build.log"
    log.write_text(f"{notebooks[0]}: Using cached notebook: ID=1 [mystnb]\n"
                   f"{notebooks[1]}: Executing notebook using local CWD [mystnb]\n")
    assert main(["--root", str(tmp_path), "--verify-log", str(log)]) == 1
    log.write_text("".join(f"\x1b[01m{nb}: Using cached notebook: ID={i} [mystnb]\n" for i, nb in enumerate(notebooks)))
    assert main(["--root", str(tmp_path), "--verify-log", str(log)]) == 0
