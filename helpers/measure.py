"""Small measurement tools: timing a call, the peak memory of a call, and fitting a power law.

Chapters that claim a cost scaling (O(n) finite differences, the price of a full
Jacobian or Hessian, checkpointing) measure it with these and check the fitted
exponent. Introduced in Chapter 4 (timing) and Chapter 5 (memory).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

__all__ = ["best_time", "loglog_slope", "peak_bytes"]


def best_time(fn, *, repeat=5, number=1):
    """Best (minimum) wall time in seconds of ``number`` calls of ``fn()``, over ``repeat`` tries.

    The minimum is the least noisy estimate of the cost on a shared machine.

    >>> best_time(lambda: sum(range(10))) >= 0
    True
    """
    if repeat < 1 or number < 1:
        raise ValueError("repeat and number must be at least 1")
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / number


def peak_bytes(computation, *, runs=3):
    """Peak bytes that Python's allocator (NumPy's arrays included) holds at once while ``computation()`` runs.

    Measured with :mod:`tracemalloc`, which sees every array NumPy allocates but not the memory of PyTorch's
    CPU allocator (Chapter 5 checks both). Tracing starts afresh for each run, and the peak of calling a no-op
    is subtracted. tracemalloc also counts what other threads allocate meanwhile (a Jupyter kernel's own
    threads: a few KiB, only ever added, never subtracted), so each peak is the least over ``runs`` runs.

    >>> import numpy as np
    >>> 8_000 <= peak_bytes(lambda: np.ones(1_000)) < 9_000  # 1000 float64 and the array's header
    True
    """
    if not callable(computation):
        raise TypeError(f"computation must be callable with no arguments, got {type(computation).__name__}")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs must be a positive int, got {runs!r}")
    if tracemalloc.is_tracing():  # stopping it here would discard the caller's own trace
        raise RuntimeError("tracemalloc is already tracing: peak_bytes starts and stops it itself")

    def least_peak(fn):
        peaks = []
        for _ in range(runs):
            tracemalloc.start()
            try:
                fn()
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
        return min(peaks)

    return max(0, least_peak(computation) - least_peak(lambda: None))


def loglog_slope(x, y):
    """Least-squares slope of ``log y`` against ``log x``: the exponent ``p`` in ``y ~ x**p``.

    >>> round(loglog_slope([1, 10, 100], [3, 300, 30000]), 6)
    2.0
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("x and y must be 1-d arrays of the same length (at least 2)")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive to take logs")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
