"""`make binder-check`: build Binder's environment from binder/ alone, as repo2docker does, and use it.

    python tools/binder_check.py [--env .binder-env] [--chapter book/05_jacobians.ipynb]

1. A fresh virtual environment with the Python that ``binder/runtime.txt`` names (``python-3.11`` ->
   ``python3.11`` on PATH); pip's cache is reused, so only the first build downloads.
2. ``pip install -r binder/requirements.txt``. When that fails because the PyTorch CPU index it names cannot be
   reached (this machine reaches PyPI mirrors only), the same torch version is installed from the default index
   instead, and the script says so.
3. ``binder/postBuild``, run from the repository root with the environment first on PATH.
4. In the environment: every chapter's setup cells (its code cells up to the first that imports ``helpers``), one
   torch-heavy chapter in full (nbclient), and its student copy from ``exercises/`` (written by postBuild), whose
   every check must fail with the stub's clear message (or a CheckFailed), and no other cell fail.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"

# Run inside the Binder environment (its own Python): the checks of steps 4.
INSIDE = r'''
import json, sys, time
import matplotlib
matplotlib.use("Agg")
import nbformat
from nbclient import NotebookClient

cfg = json.loads(sys.argv[1])
print("python:", sys.executable, flush=True)
import helpers, torch
print(f"helpers from {helpers.__file__}; torch {torch.__version__}", flush=True)

for path in cfg["chapters"]:
    nb = nbformat.read(path, as_version=4)
    setup = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        setup.append("\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("%", "!"))))
        if "helpers" in cell.source:
            break
    else:
        raise SystemExit(f"{path}: no code cell imports helpers")
    t = time.perf_counter()
    exec(compile("\n".join(setup), f"{path} (setup cells)", "exec"), {"__name__": "__main__"})
    print(f"setup cells OK ({time.perf_counter() - t:.1f} s): {path}", flush=True)

def run(path, allow_errors):
    nb = nbformat.read(path, as_version=4)
    t = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": path.rsplit("/", 1)[0]}})
    client.execute()
    print(f"executed in {time.perf_counter() - t:.1f} s: {path}", flush=True)
    return nb

nb = run(cfg["chapter"], allow_errors=False)
text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
print(f"chapter: {len(nb.cells)} cells, {text.count('PASS')} PASS lines, no error", flush=True)

nb = run(cfg["student"], allow_errors=True)
checks = problems = 0
for i, cell in enumerate(nb.cells):
    if cell.cell_type != "code":
        continue
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if "check" in cell.metadata.get("tags", []):
        checks += 1
        if not errors:
            problems += 1; print(f"  cell {i}: the check PASSED on the stub")
        elif errors[0].ename == "NotImplementedError" and cfg["not_done"] in errors[0].evalue:
            print(f"  cell {i}: {errors[0].ename}: {errors[0].evalue}")
        elif errors[0].ename == "CheckFailed":
            print(f"  cell {i}: CheckFailed: {errors[0].evalue.splitlines()[0]}")
        else:
            problems += 1; print(f"  cell {i}: crashed with {errors[0].ename}: {errors[0].evalue}")
    elif errors:
        problems += 1; print(f"  cell {i}: {errors[0].ename} outside a check: {errors[0].evalue}")
print(f"student copy: {checks} checks, {problems} problems", flush=True)
sys.exit(1 if problems or not checks else 0)
'''


def python_for_runtime() -> str:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    m = re.fullmatch(r"python-(3\.\d+)", runtime)
    if not m:
        raise SystemExit(f"binder/runtime.txt says {runtime!r}: expected python-3.X")
    exe = shutil.which(f"python{m.group(1)}")
    if not exe:
        raise SystemExit(f"binder/runtime.txt names Python {m.group(1)}, and there is no python{m.group(1)} on PATH")
    return exe


def sh(cmd, **kw):
    print("+", " ".join("<checks of step 4>" if arg == INSIDE else str(arg) for arg in cmd)[:300], flush=True)
    return subprocess.run(cmd, **kw)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # beside .venv: an environment, not a build output, so cleaning _build does not throw it away
    parser.add_argument("--env", type=Path, default=ROOT / ".binder-env")
    parser.add_argument("--chapter", type=Path, default=ROOT / "book" / "05_jacobians.ipynb")
    parser.add_argument("--fresh", action="store_true", help="rebuild the environment even if binder/ is unchanged")
    args = parser.parse_args(argv)
    times, t0 = {}, time.perf_counter()

    python = python_for_runtime()
    env_dir = args.env.resolve()
    bin_dir = env_dir / "bin"
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # The environment depends only on binder/runtime.txt and binder/requirements.txt (and the Python they
    # select): a clone builds it fresh, and a later run rebuilds it only when those change, as Binder
    # rebuilds its image. postBuild and the checks always run again, since they use the repository's code.
    key = hashlib.sha256(b"".join((BINDER / f).read_bytes() for f in ("runtime.txt", "requirements.txt"))
                         + python.encode()).hexdigest()
    stamp = env_dir / ".binder-key"
    if not args.fresh and stamp.is_file() and stamp.read_text() == key:
        print(f"binder-check: binder/ unchanged since {env_dir} was built: reusing it (--fresh rebuilds)")
        return check_environment(args, env_dir, bin_dir, times, t0)
    shutil.rmtree(env_dir, ignore_errors=True)
    sh([python, "-m", "venv", str(env_dir)], check=True)
    times["venv"] = time.perf_counter() - t0

    t = time.perf_counter()
    reqs = BINDER / "requirements.txt"
    first = sh([*pip, "--retries", "0", "--timeout", "15", "-r", str(reqs)], capture_output=True, text=True)
    if first.returncode != 0:
        text = reqs.read_text()
        torch_pin = re.search(r"^torch==(\S+)$", text, re.M)
        if not torch_pin or "download.pytorch.org" not in text:
            print(first.stdout + first.stderr, file=sys.stderr)
            return 1
        plain = torch_pin.group(1).split("+")[0]
        print(f"NOTE: binder/requirements.txt did not install here ({first.stderr.strip().splitlines()[-1]!r}); "
              f"the PyTorch CPU index cannot be reached from this machine, so torch=={plain} is taken from the "
              f"default index instead of torch=={torch_pin.group(1)}; every other pin is binder's own.", flush=True)
        fallback = env_dir / "requirements-no-torch-index.txt"
        fallback.write_text("".join(
            f"torch=={plain}\n" if line.startswith("torch==") else line + "\n"
            for line in text.splitlines() if not line.startswith("--extra-index-url")))
        sh([*pip, "-r", str(fallback)], check=True)
    times["pip install"] = time.perf_counter() - t
    stamp.write_text(key)
    return check_environment(args, env_dir, bin_dir, times, t0)


def check_environment(args, env_dir: Path, bin_dir: Path, times: dict, t0: float) -> int:
    """Steps 3 and 4: postBuild from the repository root, then the chapters inside the environment."""
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(env_dir),
           "PYTHONNOUSERSITE": "1", "JUPYTER_DATA_DIR": str(env_dir / "jupyter-data"), "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)
    t = time.perf_counter()
    sh(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, check=True)
    times["postBuild"] = time.perf_counter() - t

    t = time.perf_counter()
    chapters = sorted(str(p) for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    student = ROOT / "exercises" / args.chapter.name
    if not student.is_file():
        print(f"postBuild wrote no student copy {student}", file=sys.stderr)
        return 1
    cfg = {"chapters": chapters, "chapter": str(args.chapter.resolve()), "student": str(student),
           "not_done": "replace this line with your answer"}
    inside = sh([str(bin_dir / "python"), "-c", INSIDE, json.dumps(cfg)], cwd=ROOT, env=env)
    times["chapters in the env"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    print("binder-check times: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()) + f"; total {total:.0f} s")
    print("binder-check: " + ("PASSED" if inside.returncode == 0 else "FAILED"))
    return inside.returncode


if __name__ == "__main__":
    sys.exit(main())
