"""Small measurement tools: timing a call, the peak memory of a call (NumPy's or PyTorch's), and fitting a power law.

Chapters that claim a cost scaling (O(n) finite differences, the price of a full
Jacobian or Hessian, checkpointing) measure it with these and check the fitted
exponent. Introduced in Chapter 4 (timing) and Chapter 5 (memory).
"""

from __future__ import annotations

import os
import time
import tracemalloc

import numpy as np

__all__ = ["best_time", "loglog_slope", "peak_bytes", "torch_allocations", "torch_peak_bytes"]


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


def torch_allocations(computation):
    """Every allocation (positive bytes) and free (negative) of PyTorch's CPU allocator during ``computation()``.

    Returns ``(records, result)``: the signed byte counts in the order they happened, as ``torch.profiler``
    records them with ``profile_memory=True``, and what ``computation()`` returned. tracemalloc does not see
    this allocator; the profiler does not see NumPy's (Chapter 5 checks both). While the profiler runs, file
    descriptor 2 goes to /dev/null: its C++ side logs a start and a stop line there.

    >>> import torch
    >>> records, t = torch_allocations(lambda: torch.ones(1000, dtype=torch.float64))
    >>> records[0], t.shape
    (8000, torch.Size([1000]))
    """
    if not callable(computation):
        raise TypeError(f"computation must be callable with no arguments, got {type(computation).__name__}")
    from torch.profiler import ProfilerActivity, profile

    saved_fd, null_fd = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null_fd, 2)
    try:
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            result = computation()
    finally:
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(null_fd)
    events = prof.profiler.kineto_results.events()
    records = sorted((e.start_ns(), i, e.nbytes()) for i, e in enumerate(events) if e.name() == "[memory]")
    return [nbytes for _, _, nbytes in records], result


def torch_peak_bytes(computation):
    """The most bytes PyTorch's CPU allocator holds at once, beyond what it held before, during ``computation()``.

    The largest running sum of :func:`torch_allocations`' records (0 if nothing was allocated). The result
    ``computation()`` returns counts while it is alive.

    >>> import torch
    >>> def two_at_once():
    ...     a, b = torch.ones(1000, dtype=torch.float64), torch.ones(1000, dtype=torch.float64)
    >>> torch_peak_bytes(two_at_once)
    16000
    """
    records, _ = torch_allocations(computation)
    held = peak = 0
    for nbytes in records:
        held += nbytes
        peak = max(peak, held)
    return peak


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
