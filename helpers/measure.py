"""Small measurement tools: timing a call and fitting a power law.

Chapters that claim a cost scaling (O(n) finite differences, the price of a full
Jacobian or Hessian, checkpointing) measure it with these and check the fitted
exponent. Introduced in Chapter 4.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["best_time", "loglog_slope"]


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
