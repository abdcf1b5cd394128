"""Benchmarks of *Gradients* (numbers, not tests): `make bench`.

1. Notebooks: each chapter's execution time in a fresh kernel, against its import floor (a fresh kernel
   running only the setup cell), and the wall time of the full nbval run. Budget: no notebook over 10 s,
   the whole book within 1.5x the sum of its floors.
2. helpers.numdiff: time of `gradient` against one torch backward pass as n grows; accuracy of the
   forward / central / complex-step methods against autograd on standard test functions, beside
   scipy.optimize.approx_fprime and scipy.differentiate.jacobian.
3. The time of `import helpers`.

    python tools/bench.py [--skip-notebooks] [--skip-nbval]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S, FLOOR_RATIO, REPEAT = 10.0, 1.5, 2


def run_notebook(nb, cwd):
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - start


def bench_notebooks(skip_nbval):
    import nbformat

    rows = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        floor_nb = copy.deepcopy(nb)
        first_code = next(c for c in floor_nb.cells if c.cell_type == "code")
        floor_nb.cells = [first_code]
        # best of REPEAT fresh kernels: the minimum is the least noisy estimate on a shared machine
        floor = min(run_notebook(copy.deepcopy(floor_nb), path.parent) for _ in range(REPEAT))
        total = min(run_notebook(copy.deepcopy(nb), path.parent) for _ in range(REPEAT))
        rows.append((path.name, total, floor))
        print(f"  {path.name:<38} {total:6.1f} s  floor {floor:5.1f} s", file=sys.stderr)
    print(f"\n## Notebooks (best of {REPEAT} fresh kernels; floor = the setup cell alone)\n")
    print(f"| {'notebook':<38} | time (s) | floor (s) | ratio | within 10 s |")
    print(f"|{'-' * 40}|---------:|----------:|------:|:-----------:|")
    for name, total, floor in rows:
        ok = "yes" if total <= BUDGET_S else "NO"
        print(f"| {name:<38} | {total:8.1f} | {floor:9.1f} | {total / floor:5.2f} | {ok} |")
    sum_t, sum_f = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| **total**{' ' * 31}| {sum_t:8.1f} | {sum_f:9.1f} | {sum_t / sum_f:5.2f} | "
          f"{'yes' if sum_t <= FLOOR_RATIO * sum_f else 'NO'} (budget 1.5x floors) |")
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-nbval", action="store_true")
    args = parser.parse_args()
    if not args.skip_notebooks:
        bench_notebooks(args.skip_nbval)
    bench_numdiff()
    bench_import()


if __name__ == "__main__":
    main()
