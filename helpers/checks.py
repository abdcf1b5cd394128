"""PASS/FAIL checks: the book's way of stating a claim so that it can fail.

Every check prints exactly one line that starts with ``PASS`` and returns ``None``,
or raises :class:`CheckFailed` whose message starts with ``FAIL``.  A check never
prints FAIL and carries on: a wrong claim stops the notebook, so nbval and the
site build fail with it.  Returning ``None`` is the ``numpy.testing`` contract: a
check on a cell's last line shows only its PASS line, and there is no return value
to test, since a check that returns has passed.

Introduced in Chapter 1 and used by every chapter.
"""

from __future__ import annotations

import contextlib

import numpy as np

__all__ = ["CheckFailed", "check_close", "check_true", "check_grad", "expect_fail"]


class CheckFailed(AssertionError):
    """Raised by a check whose claim is false; the message starts with ``FAIL``."""


def _to_numpy(value, role):
    """Turn a check argument into an ndarray; tensors are detached, None is refused."""
    if value is None:
        raise CheckFailed(
            f"FAIL: {role} is None -- nothing to compare (an exercise answer not filled in yet?)"
        )
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor, without importing torch
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise CheckFailed(f"FAIL: {role} is not numeric (got {type(value).__name__} {value!r:.60})")
    return arr


def _fmt(x):
    """Short text for one number (real or complex)."""
    if np.iscomplexobj(x):
        return f"{complex(x):.6g}"
    return f"{float(x):.6g}"


def _summary(arr):
    """One-line summary of an array: the value if small, else shape and range."""
    if arr.size == 1:
        return _fmt(arr.reshape(()))
    if arr.size <= 4:
        return "[" + ", ".join(_fmt(v) for v in arr.ravel()) + "]"
    mags = np.abs(arr)
    return f"array{arr.shape} with |values| in [{_fmt(mags.min())}, {_fmt(mags.max())}]"


def check_close(name, got, expected, *, rtol=1e-7, atol=0.0):
    """Check that ``got`` equals ``expected`` within ``atol + rtol*|expected|``, elementwise.

    Parameters
    ----------
    name : str
        What is being compared; printed on the PASS or FAIL line.
    got, expected : array_like, scalar or torch.Tensor
        Shapes must match exactly, except that a scalar ``expected`` broadcasts.
    rtol, atol : float
        Relative and absolute tolerance (non-negative).

    Returns
    -------
    None
        After printing one ``PASS`` line, as ``numpy.testing`` assertions return None.

    Raises
    ------
    CheckFailed
        If a shape differs, a value is NaN or infinite, or an entry is out of tolerance.

    Examples
    --------
    >>> check_close("2 + 2", 2 + 2, 4)
    PASS 2 + 2: got 4, expected 4 (abs err 0 <= tol 4e-07)
    >>> check_close("wrong", 0.5, 0.25)
    Traceback (most recent call last):
    ...
    helpers.checks.CheckFailed: FAIL wrong: got 0.5, expected 0.25; |got - expected| = 0.25 > tol 2.5e-08 (rtol=1e-07, atol=0)
    """
    if not (np.isfinite(rtol) and np.isfinite(atol) and rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be finite and >= 0, got rtol={rtol}, atol={atol}")
    try:
        g = _to_numpy(got, "got")
        e = _to_numpy(expected, "expected")
    except CheckFailed as exc:
        raise CheckFailed(f"FAIL {name}: {str(exc)[len('FAIL: '):]}") from None
    if e.ndim == 0:
        e = np.broadcast_to(e, g.shape)
    if g.shape != e.shape:
        raise CheckFailed(f"FAIL {name}: shape mismatch, got {g.shape}, expected {e.shape}")
    bad = ~np.isfinite(g) | ~np.isfinite(e)
    if bad.any():
        where = np.unravel_index(np.argmax(bad), g.shape) if g.ndim else ()
        raise CheckFailed(
            f"FAIL {name}: non-finite value (NaN or inf) at index {where}: "
            f"got {_fmt(g[where])}, expected {_fmt(e[where])}"
        )
    g64 = g.astype(np.complex128 if np.iscomplexobj(g) else np.float64)
    e64 = e.astype(np.complex128 if np.iscomplexobj(e) else np.float64)
    err = np.abs(g64 - e64)
    tol = atol + rtol * np.abs(e64)
    if g.size == 0:
        print(f"PASS {name}: both empty, shape {g.shape}")
        return None
    worst = np.unravel_index(np.argmax(err - tol), g.shape)
    if err[worst] > tol[worst]:
        n_bad = int(np.count_nonzero(err > tol))
        where = f" at index {tuple(int(i) for i in worst)} ({n_bad} of {g.size} entries out of tolerance)"
        if g.size == 1:
            where = ""
        raise CheckFailed(
            f"FAIL {name}: got {_summary(g[worst])}, expected {_summary(e[worst])}{where}; "
            f"|got - expected| = {_fmt(err[worst])} > tol {_fmt(tol[worst])} "
            f"(rtol={rtol:g}, atol={atol:g})"
        )
    if g.size == 1:
        print(f"PASS {name}: got {_summary(g)}, expected {_summary(e)} "
              f"(abs err {_fmt(err[worst])} <= tol {_fmt(tol[worst])})")
        return None
    shown = f"got {_summary(g)}, expected {_summary(e)}" if g.size <= 4 else f"{g.size} values, shape {g.shape}"
    # max error, and how close the tightest entry comes to its own tolerance (err/tol <= 1 everywhere)
    ratio = np.max(np.where(tol > 0, err / np.where(tol > 0, tol, 1), 0.0))
    print(f"PASS {name}: {shown} (max abs err {_fmt(err.max())}; every entry within tol, "
          f"largest err/tol {ratio:.2g}; rtol={rtol:g}, atol={atol:g})")
    return None


def check_true(name, condition, detail=""):
    """Check that ``condition`` is true.

    ``condition`` must be a single truth value (Python or NumPy bool, or a 0-d array);
    an array of several values is refused, because its truth is ambiguous -- use
    ``np.all(...)`` or ``np.any(...)`` to say which is meant.

    Examples
    --------
    >>> check_true("pi is between 3 and 4", 3 < np.pi < 4, f"pi = {np.pi:.4f}")
    PASS pi is between 3 and 4 -- pi = 3.1416
    """
    if hasattr(condition, "detach"):  # a 0-d torch bool tensor
        condition = condition.detach().cpu().numpy()
    if isinstance(condition, np.ndarray):
        if condition.size != 1:
            raise TypeError(
                f"check_true({name!r}): condition is an array of shape {condition.shape}; "
                "pass np.all(...) or np.any(...)"
            )
        condition = condition.reshape(()).item()
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(
            f"check_true({name!r}): condition must be a bool, got {type(condition).__name__}"
        )
    suffix = f" -- {detail}" if detail else ""
    if not condition:
        raise CheckFailed(f"FAIL {name}{suffix}")
    print(f"PASS {name}{suffix}")
    return None


def check_grad(name, f, grad_f, x, *, tol=1e-6):
    """Check an analytic gradient against central finite differences.

    Compares ``grad_f(x)`` with :func:`helpers.numdiff.gradient` ``(f, x)`` by
    :func:`helpers.numdiff.relative_error`, which must not exceed ``tol``.

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 + 3 * v[0] * v[1]
    >>> check_grad("f", f, lambda v: np.array([2 * v[0] + 3 * v[1], 3 * v[0]]), np.array([1.0, 2.0]))
    PASS f: analytic vs finite-difference gradient, relative error ... <= 1e-06
    """
    from .numdiff import _as_real_array, gradient, relative_error

    x = _as_real_array(x)
    analytic = _to_numpy(grad_f(x.copy()), "grad_f(x)")
    if analytic.shape != x.shape:
        raise CheckFailed(
            f"FAIL {name}: grad_f(x) has shape {analytic.shape}, but x has shape {x.shape}"
        )
    numeric = gradient(f, x)
    err = relative_error(analytic, numeric)
    if not err <= tol:  # also catches NaN
        idx = np.unravel_index(np.argmax(np.abs(analytic - numeric)), x.shape)
        raise CheckFailed(
            f"FAIL {name}: analytic vs finite-difference gradient, relative error {err:.2g} > tol {tol:g}; "
            f"worst entry {tuple(int(i) for i in idx)}: analytic {_fmt(analytic[idx])}, "
            f"finite differences {_fmt(numeric[idx])}"
        )
    print(f"PASS {name}: analytic vs finite-difference gradient, relative error {err:.2g} <= {tol:g}")
    return None


@contextlib.contextmanager
def expect_fail(what=""):
    """Context manager: the block inside must raise :class:`CheckFailed`.

    Used to *show* a check catching a mistake (a wrong gradient, a false claim).
    The caught failure is printed as a ``PASS`` line; if the block raises no
    ``CheckFailed`` then this raises one, because a demonstration of a failing
    check that does not fail is itself a defect.  Other exceptions propagate.

    Examples
    --------
    >>> with expect_fail("a wrong value is caught"):
    ...     check_close("1 == 2", 1, 2)
    PASS a wrong value is caught -- the check failed as it should: FAIL 1 == 2: got 1, expected 2; |got - expected| = 1 > tol 2e-07 (rtol=1e-07, atol=0)
    """
    label = what or "expected failure"
    try:
        yield
    except CheckFailed as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "CheckFailed"
        print(f"PASS {label} -- the check failed as it should: {first_line}")
        return
    raise CheckFailed(f"FAIL {label}: expected a check inside this block to fail, but none did")
