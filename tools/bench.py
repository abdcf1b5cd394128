"""Benchmarks of *Gradients* (numbers, not tests): `make bench`.

1. Notebooks: each chapter's execution time in a fresh kernel, against its import floor (a fresh kernel
   running only the setup cell), the part of the time that is libraries importing more on first use
   ("lazy imports"), and the wall time of the full nbval run. Budget: no notebook over 10 s, the whole
   book within 1.5x the sum of its floors.
2. helpers.numdiff: time of `gradient` against one torch backward pass as n grows; accuracy of the
   forward / central / complex-step methods against autograd on standard test functions, beside
   scipy.optimize.approx_fprime and scipy.differentiate.jacobian.
3. The time of `import helpers`.
4. CI time (``--ci``, first): runs ``make test`` from a clean ``_build`` and prints its stage times as ratios to
   its own nbval step, so the machine's load cancels: budget ``make test`` within 4x nbval and the clean site
   build within 1.3x nbval (issue: CI that uses both cores).

    python tools/bench.py [--ci] [--only-ci] [--skip-notebooks] [--skip-nbval] [--notebooks GLOB]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S, FLOOR_RATIO, REPEAT = 10.0, 1.5, 2


# Appended to a run: which modules are loaded, in the order they were imported. A chapter's calls make
# libraries import more on first use (torch.optim, torch.func's reverse mode and checkpointing import
# torch._dynamo; gradcheck imports sympy; the first figure imports matplotlib's renderers): import cost
# that the setup cell cannot show. Re-importing those modules, in that order, after the setup cell measures it.
MODULES_PROBE = "import json as _j, sys as _s; print(_j.dumps(list(_s.modules)), end='')"
LAZY_IMPORTS = """import importlib
for name in {names!r}:
    try:
        importlib.import_module(name)
    except Exception:  # a private module that only imports as part of its parent
        pass"""


def run_notebook(nb, cwd):
    """Execute ``nb`` in place in a fresh kernel; return (kernel start-up + shut-down seconds, cell seconds).

    jupyter_client polls a starting kernel once a second, so the start-up time jumps in whole
    seconds from run to run. It is the same for a chapter and for its floor, so it is measured
    apart from the cells and the median over all runs is added to both (see bench_notebooks)."""
    from nbclient import NotebookClient

    marks = {}
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
        on_notebook_start=lambda **_: marks.setdefault("ready", time.perf_counter()),
        on_cell_executed=lambda **_: marks.__setitem__("last", time.perf_counter()),
    )
    start = time.perf_counter()
    client.execute()
    end = time.perf_counter()
    cells = marks["last"] - marks["ready"]
    return (end - start) - cells, cells


def bench_notebooks(skip_nbval, pattern):
    import nbformat

    rows, overheads = [], []

    def best_cells(nb, cwd):
        """Best cell time of REPEAT fresh kernels, and the last executed copy."""
        runs = []
        for _ in range(REPEAT):
            ran = copy.deepcopy(nb)
            overhead, cells = run_notebook(ran, cwd)
            overheads.append(overhead)
            runs.append(cells)
        return min(runs), ran

    for path in sorted((ROOT / "book").glob(pattern)):
        nb = nbformat.read(path, as_version=4)
        setup = copy.deepcopy(next(c for c in nb.cells if c.cell_type == "code"))
        floor_nb = copy.deepcopy(nb)
        floor_nb.cells = [setup, nbformat.v4.new_code_cell(MODULES_PROBE)]
        full_nb = copy.deepcopy(nb)
        full_nb.cells.append(nbformat.v4.new_code_cell(MODULES_PROBE))
        # best of REPEAT fresh kernels: the minimum is the least noisy estimate on a shared machine
        floor, ran_floor = best_cells(floor_nb, path.parent)
        total, ran_full = best_cells(full_nb, path.parent)
        at_setup = set(json.loads(ran_floor.cells[-1].outputs[0].text))
        lazy = [m for m in json.loads(ran_full.cells[-1].outputs[0].text) if m not in at_setup]
        lazy_nb = copy.deepcopy(floor_nb)
        lazy_nb.cells.insert(1, nbformat.v4.new_code_cell(LAZY_IMPORTS.format(names=lazy)))
        lazy_time = max(best_cells(lazy_nb, path.parent)[0] - floor, 0.0)
        rows.append((path.name, total, floor, lazy_time))
        print(f"  {path.name:<38} cells {total:5.1f} s  setup cell {floor:4.1f} s  lazy imports {lazy_time:4.1f} s "
              f"({len(lazy)} modules)",
              file=sys.stderr)
    kernel = statistics.median(overheads)
    print(f"\n## Notebooks (best of {REPEAT} fresh kernels; floor = a fresh kernel running the setup cell alone)\n")
    print(f"Kernel start-up and shut-down, median of {len(overheads)} runs: {kernel:.2f} s, added to every time and "
          "floor below.\nlazy imports = the part of the time that is libraries importing modules on first use (e.g. "
          "torch._dynamo on the first torch.optim / torch.func reverse-mode / checkpoint call), measured by "
          "importing the same modules after the setup cell.\n")
    print(f"| {'notebook':<38} | time (s) | floor (s) | ratio | lazy imports (s) | within 10 s |")
    print(f"|{'-' * 40}|---------:|----------:|------:|-----------------:|:-----------:|")
    for name, total, floor, lazy in rows:
        t, f = total + kernel, floor + kernel
        print(f"| {name:<38} | {t:8.1f} | {f:9.1f} | {t / f:5.2f} | {lazy:16.1f} | "
              f"{'yes' if t <= BUDGET_S else 'NO'} |")
    sum_t = sum(r[1] + kernel for r in rows)
    sum_f = sum(r[2] + kernel for r in rows)
    sum_lazy = sum(r[3] for r in rows)
    print(f"| **total**{' ' * 31}| {sum_t:8.1f} | {sum_f:9.1f} | {sum_t / sum_f:5.2f} | {sum_lazy:16.1f} | |")
    print(f"\nWhole book: {sum_t:.1f} s against {FLOOR_RATIO} x floors = {FLOOR_RATIO * sum_f:.1f} s: "
          f"{'within' if sum_t <= FLOOR_RATIO * sum_f else 'OVER'} budget. Counting the lazy imports as import "
          f"cost too: {sum_t / (sum_f + sum_lazy):.2f} x floors.")
    if not skip_nbval:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "-n", "2",
                        "--dist", "loadfile", *[str(ROOT / "book" / r[0]) for r in rows]],
                       cwd=ROOT, check=True, capture_output=True)
        print(f"\nFull nbval run (2 workers): {time.perf_counter() - start:.1f} s wall")


def bench_numdiff():
    import numpy as np
    import scipy
    import torch
    from scipy.differentiate import jacobian as sp_jacobian
    from scipy.optimize import approx_fprime

    from helpers import beale, best_time, gradient, powell_singular, relative_error, rosenbrock, wood

    print("\n## Cost: helpers.gradient (central, 2n evaluations of f) vs one torch backward pass\n")
    print("| n | numdiff.gradient (ms) | torch forward+backward (ms) | ratio |")
    print("|---:|---:|---:|---:|")
    f = lambda x: 0.5 * np.dot(x, x) + np.sum(np.sin(x))
    for n in (10, 100, 1000, 10000):
        x = np.linspace(-1, 1, n)
        t_fd = best_time(lambda x=x: gradient(f, x), repeat=3)
        xt = torch.tensor(x, requires_grad=True)

        def backward(xt=xt):
            xt.grad = None
            (0.5 * xt.dot(xt) + torch.sin(xt).sum()).backward()

        t_ad = best_time(backward, repeat=20)
        print(f"| {n} | {1e3 * t_fd:.2f} | {1e3 * t_ad:.3f} | {t_fd / t_ad:,.0f} |")

    print("\n## Accuracy: relative error of the gradient against torch autograd (float64)\n")
    problems = [
        ("Rosenbrock (n=6)", rosenbrock, np.array([-1.2, 1.0, -0.5, 0.3, 0.9, 1.1])),
        ("Beale", beale, np.array([1.0, 1.5])),
        ("Wood", wood, np.array([-3.0, -1.0, -3.0, -1.0])),
        ("Powell singular", powell_singular, np.array([3.0, -1.0, 0.0, 1.0])),
    ]
    print("| function | forward | central | complex step | scipy approx_fprime | scipy.differentiate |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, fn, x in problems:
        xt = torch.tensor(x, requires_grad=True)
        fn(xt).backward()
        ref = xt.grad.numpy()
        errs = [relative_error(gradient(fn, x, method=m), ref) for m in ("forward", "central", "complex")]
        errs.append(relative_error(approx_fprime(x, fn), ref))
        errs.append(relative_error(sp_jacobian(fn, x).df, ref))
        print(f"| {name} | " + " | ".join(f"{e:.1e}" for e in errs) + " |")
    print(f"\n(numpy {np.__version__}, scipy {scipy.__version__}, torch {torch.__version__})")


def bench_import():
    def wall(code):
        times = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    base, numpy_only, helpers = wall("pass"), wall("import numpy"), wall("import helpers")
    print("\n## import helpers (median of 7 fresh interpreters)\n")
    print(f"python alone {1e3 * base:.0f} ms; import numpy +{1e3 * (numpy_only - base):.0f} ms; "
          f"import helpers +{1e3 * (helpers - base):.0f} ms (of which helpers itself "
          f"{1e3 * (helpers - numpy_only):.0f} ms)")


CI_BUDGETS = {"total": 4.0, "site build": 1.3}
STAGE = re.compile(r"^\[make test\] (?P<stage>.+?) passed in (?P<seconds>\d+) s$", re.M)


def stage_ratios(log: str) -> list[tuple[str, float, float]]:
    """(stage, seconds, seconds / nbval seconds) from `make test`'s "[make test] X passed in N s" lines."""
    stages = [(m["stage"], float(m["seconds"])) for m in STAGE.finditer(log)]
    times = dict(stages)
    if "nbval" not in times:
        raise SystemExit("make test printed no nbval stage time")
    nbval = max(times["nbval"], 1.0)
    rows = [(name, sec, sec / nbval) for name, sec in stages]
    total = sum(sec for _, sec in stages)
    return [*rows, ("total", total, total / nbval)]


def bench_ci():
    """Run `make test` (clean _build, warm .venv) and print each stage as a multiple of its nbval step."""
    start = time.perf_counter()
    proc = subprocess.run(["make", "--no-print-directory", "test"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(log[-6000:], file=sys.stderr)
        raise SystemExit(f"make test failed (exit {proc.returncode}): no timing is meaningful")
    load = os.getloadavg()
    print(f"\n## CI time: `make test` stages as multiples of its own nbval step ({os.cpu_count()} cores, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end)\n")
    print("| stage | time (s) | / nbval | budget |")
    print("|---|---:|---:|---|")
    for name, sec, ratio in stage_ratios(log):
        budget = CI_BUDGETS.get(name)
        verdict = "" if budget is None else f"<= {budget}x: {'within' if ratio <= budget else 'OVER'}"
        print(f"| {name} | {sec:.0f} | {ratio:.2f} | {verdict} |")
    print(f"\n(`make test` wall time {wall:.0f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="first run `make test` and print its stage ratios")
    parser.add_argument("--only-ci", action="store_true", help="only the `make test` stage ratios")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-nbval", action="store_true")
    parser.add_argument("--notebooks", default="[0-9][0-9]_*.ipynb", help="glob in book/, e.g. '0[67]_*.ipynb'")
    args = parser.parse_args()
    if args.ci or args.only_ci:
        bench_ci()
        if args.only_ci:
            return
    if not args.skip_notebooks:
        bench_notebooks(args.skip_nbval, args.notebooks)
    bench_numdiff()
    bench_import()


if __name__ == "__main__":
    main()
