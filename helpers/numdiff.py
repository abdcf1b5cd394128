r"""Finite-difference derivatives: the independent witness for every analytic formula.

Plain functions in the style of :mod:`scipy.optimize`: ``gradient``, ``jacobian``,
``hessian``, ``directional_derivative``, ``wirtinger`` and ``relative_error``.
``x`` may have any shape (a weight matrix is a parameter too); results keep it.

Bad input raises a clear error instead of returning a silent wrong answer:
a non-callable ``f`` (``TypeError``), a non-finite or empty ``x``, a non-scalar
``f`` where a scalar is needed, an unknown ``method``, a bad step, or ``f`` not
finite at a probe point (``ValueError``), and, for ``method="complex"``, an ``f`` that fails
a Cauchy-Riemann test of analyticity (``ValueError``: the complex step of a non-analytic ``f``
is a wrong number; the test has a tolerance, and its limits are in :func:`gradient`).
Integer ``x`` is converted to float (``x + h`` on an integer array would otherwise round the
step away).

Introduced in Chapter 2 (partial derivatives) and studied in Chapter 4.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "gradient",
    "jacobian",
    "hessian",
    "directional_derivative",
    "wirtinger",
    "relative_error",
]

EPS = np.finfo(np.float64).eps
_METHODS = ("forward", "central", "complex")
_COMPLEX_STEP = 1e-20  # no subtraction in the complex step, so any tiny step works
_CR_TRUNC = 10.0  # analyticity check: allowed ratio of real-step to imaginary-step truncation
_CR_ROUND = 64.0  # analyticity check: rounding of f, in units of eps |f|
_CR_SENSE = 1e-8  # analyticity check: imaginary-step truncation allowed before the step shrinks
_CR_TRIES = 8  # analyticity check: at most this many steps, eps^(1/3) down by 10 each time


# ----------------------------------------------------------------------------- validation


def _check_callable(f):
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")


def _check_method(method):
    if method not in _METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {_METHODS}")


def _as_real_array(x, name="x"):
    """``x`` as a float64 array; refuse tensors, complex, non-numeric, empty, non-finite input."""
    if hasattr(x, "detach"):
        raise TypeError(f"{name} is a torch.Tensor; pass a NumPy array (e.g. {name}.detach().numpy())")
    arr = np.array(x, copy=True)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.bool_):
        raise TypeError(f"{name} is boolean; derivatives need real numbers")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} is complex; use wirtinger() for functions of complex variables")
    arr = arr.astype(np.float64)  # integers would silently round x + h back to x
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {idx})")
    return arr


def _steps(x, h, default_factor):
    """Per-coordinate steps: ``default_factor * max(1, |x_i|)``, or the user's ``h``."""
    if h is None:
        return default_factor * np.maximum(1.0, np.abs(x))
    h = np.asarray(h, dtype=np.float64)
    if h.ndim and h.shape != x.shape:
        raise ValueError(f"h must be a scalar or have the shape of x {x.shape}, got {h.shape}")
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError(f"step h must be positive and finite, got {h}")
    return np.broadcast_to(h, x.shape).astype(np.float64)


def _value(f, point, *, scalar, allow_complex, where):
    """Evaluate ``f(point)`` and validate the result."""
    with warnings.catch_warnings():
        # Casting a complex intermediate to real inside f drops the imaginary part: an error here.
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        out = f(point)
    if out is None:
        raise ValueError("f returned None (a missing return statement?)")
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    out = np.asarray(out)
    if out.dtype == object or not np.issubdtype(out.dtype, np.number):
        raise ValueError(f"f must return numbers, got dtype {out.dtype}")
    if scalar and out.ndim != 0:
        raise ValueError(
            f"f must return a scalar, got an array of shape {out.shape}"
            + ("; for vector-valued f use jacobian()" if out.size != 1 else "; return out.item() or out[0]")
        )
    if np.iscomplexobj(out) and not allow_complex:
        raise ValueError(f"f returned a complex value at {where}; a real-valued f is needed here")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"f is not finite (NaN or inf) at {where}")
    return out


def _probe(x, i, delta):
    """``x`` with ``delta`` added to flat coordinate ``i`` (a copy)."""
    p = x.astype(np.result_type(x, delta), copy=True)
    p.flat[i] += delta
    return p


def _differences(f, x, method, h, *, scalar, check_analytic=True):
    """Shared loop of ``gradient`` and ``jacobian``: one derivative per flat coordinate of x."""
    _check_callable(f)
    _check_method(method)
    x = _as_real_array(x)
    factor = {"forward": np.sqrt(EPS), "central": EPS ** (1 / 3), "complex": _COMPLEX_STEP}[method]
    steps = _steps(x, h, factor)
    f0 = _value(f, x.copy(), scalar=scalar, allow_complex=False, where="x")
    out = np.empty(x.shape + f0.shape, dtype=np.float64)
    columns = out.reshape((x.size,) + f0.shape)
    for i in range(x.size):
        xi, hi = x.flat[i], steps.flat[i]
        where = f"the probe point for coordinate {np.unravel_index(i, x.shape)}"
        if method == "complex":
            fz = _value(f, _probe(x, i, 1j * hi), scalar=scalar, allow_complex=True, where=where)
            if not np.iscomplexobj(fz):
                raise ValueError(
                    "method='complex' needs f to keep complex input complex; f returned a real value "
                    "(abs, .real, comparisons or a float array inside f break the complex step)"
                )
            columns[i] = fz.imag / hi
            continue
        up = xi + hi
        if up == xi:
            raise ValueError(f"step h={hi:g} is too small to change x at {np.unravel_index(i, x.shape)}")
        if method == "forward":
            f_up = _value(f, _probe(x, i, up - xi), scalar=scalar, allow_complex=False, where=where)
            columns[i] = (f_up - f0) / (up - xi)  # the step actually taken, (x + h) - x
        else:
            down = xi - hi
            f_up = _value(f, _probe(x, i, up - xi), scalar=scalar, allow_complex=False, where=where)
            f_dn = _value(f, _probe(x, i, down - xi), scalar=scalar, allow_complex=False, where=where)
            columns[i] = (f_up - f_dn) / (up - down)
    if method == "complex" and check_analytic:
        _check_cauchy_riemann(f, x, f0, columns, scalar=scalar)
    if scalar:
        return out
    # out is indexed [x..., f...]; the Jacobian convention is [f..., x...]
    return np.moveaxis(out.reshape((x.size, f0.size)), 0, 1).reshape(f0.shape + x.shape)


def _check_cauchy_riemann(f, x, f0, columns, *, scalar):
    """Refuse a complex-step derivative of an ``f`` that is not real-analytic.

    ``Im f(x + i h e_i)/h`` is the derivative of ``f`` along the *imaginary* axis. For a
    real-analytic ``f`` the Cauchy-Riemann equations make it equal to the real derivative;
    for code such as ``v * abs(v)`` or ``v.real**2 * v`` it is a different, wrong number.
    So compare, along one fixed pseudo-random direction ``d`` (``d_i = u_i max(1, |x_i|)``)
    and at a step ``H`` (first ``eps^(1/3)``):

    * the real-step difference ``C = f(x + H d) - f(x - H d)``, against ``2 H d . g``;
    * the imaginary step ``S = 2 Im f(x + i H d)``, against the same ``2 H d . g``.

    For analytic ``f`` the two truncation errors are ``+-H^3 f_ddd / 3`` to leading order
    (equal size, opposite sign), so the real step may miss by ``_CR_TRUNC`` times the
    imaginary step's miss, plus rounding, ``_CR_ROUND eps`` times the sizes of the values
    of ``f``, of the terms compared, and of ``sum_i |x_i| |g_i|`` (rounding f's argument).
    ``H`` shrinks tenfold (at most ``_CR_TRIES`` tries) while the imaginary step's miss is
    over ``_CR_SENSE`` of the terms (it could hide a non-analytic part) or a probe is not
    finite, so an ``f`` that varies on a scale much below ``max(1, |x|)`` is checked at a
    step that resolves it. It raises when the miss
    exceeds the tolerance at two successive steps without falling tenfold (for analytic
    ``f`` the relative miss falls like ``H^2``; a non-analytic part keeps it level), or at
    the last try. Three evaluations of ``f`` per try; one try for a reasonably scaled
    analytic ``f``, two for a non-analytic one. A tolerance test: it can miss a non-analytic
    part below the rounding allowance (``1e8 + v * abs(v)``), see :func:`gradient`.
    """
    d = np.random.default_rng(20).standard_normal(x.shape) * np.maximum(1.0, np.abs(x))
    g = columns.reshape((x.size, -1))  # row i: derivative of every output along x_i
    where = "a probe point of the analyticity check of method='complex'"
    H, failed_before = EPS ** (1 / 3), None
    for attempt in range(_CR_TRIES):
        last = attempt == _CR_TRIES - 1
        up, dn = (x + H * d) - x, x - (x - H * d)  # the displacements actually taken
        try:
            f_up = _value(f, x + up, scalar=scalar, allow_complex=False, where=where)
            f_dn = _value(f, x - dn, scalar=scalar, allow_complex=False, where=where)
            f_im = _value(f, x + 1j * H * d, scalar=scalar, allow_complex=True, where=where)
        except ValueError as err:  # e.g. exp overflows at a step too large for f's own scale
            if last or "not finite" not in str(err):
                raise
            H /= 10
            continue
        pred_c = (up + dn).reshape(-1) @ g
        pred_s = 2 * H * d.reshape(-1) @ g
        c = (np.asarray(f_up) - np.asarray(f_dn)).reshape(-1)
        s = 2 * np.imag(f_im).reshape(-1)
        size = (np.abs(up + dn).reshape(-1) @ np.abs(g)) + np.abs(c) + np.abs(s)
        # rounding f's argument (x itself, or 1e4 * x inside f) by eps relative moves f by about
        # eps sum_i |x_i| |df/dx_i|: once in each of f(x + up) and f(x - dn)
        arg = 2 * (np.abs(x).reshape(-1) @ np.abs(g))
        noise = _CR_ROUND * EPS * ((np.abs(f_up) + np.abs(f_dn) + np.abs(f0)).reshape(-1) + arg + size)
        trunc = _CR_TRUNC * np.abs(s - pred_s)
        gap, tol = np.abs(c - pred_c), trunc + noise
        if np.all(gap <= tol):
            if last or np.all(trunc <= np.maximum(noise, _CR_SENSE * size)):
                return
            failed_before = None  # passed, but the truncation could hide a non-analytic part
        else:
            rel_gap = float(np.max(gap / np.maximum(size, np.finfo(np.float64).tiny)))
            # analytic f: the relative gap falls like H^2 (100x per tenfold smaller step) until it
            # meets rounding; a non-analytic part keeps it level.
            if last or (failed_before is not None and rel_gap > 0.1 * failed_before):
                break
            failed_before = rel_gap
        H /= 10
    j = int(np.argmax(gap / np.maximum(tol, np.finfo(np.float64).tiny)))
    raise ValueError(
        "method='complex': the Cauchy-Riemann test failed, so f is probably not real-analytic and "
        "Im f(x + ih)/h is then not its derivative. Along a test direction the real-step "
        f"difference is {c[j] / (2 * H):.6g} but the complex step predicts {pred_c[j] / (2 * H):.6g} "
        f"(gap {gap[j] / (2 * H):.3g}, tolerance {tol[j] / (2 * H):.3g}, step {H:.2g})"
        + ("" if scalar else f" for output {tuple(int(k) for k in np.unravel_index(j, np.shape(f0)))}")
        + ". abs(), .real, .imag, np.conj, comparisons or max/min of a complex value inside f "
        "cause this; use method='central', or pass check_analytic=False if f is analytic and "
        "loses digits to cancellation (central differences are then unreliable too)"
    )


# ----------------------------------------------------------------------------- public API


def gradient(f, x, *, method="central", h=None, check_analytic=True):
    r"""Gradient of a scalar function by finite differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; must return a scalar (0-d) value.
    x : array_like
        The point, of any shape. Integers are converted to float.
    method : {"central", "forward", "complex"}
        Difference formula. ``"complex"`` needs ``f`` to accept complex input.
    h : float or array_like, optional
        Step, a scalar or one per coordinate. Default: see Notes.
    check_analytic : bool, default True
        With ``method="complex"``, verify that ``f`` is real-analytic and raise
        ``ValueError`` if it is not (see Notes). Three extra evaluations of ``f``.

    Returns
    -------
    ndarray
        Array of ``x.shape``: entry ``i`` approximates :math:`\partial f/\partial x_i`.

    Notes
    -----
    Let :math:`\varepsilon \approx 2.2\times 10^{-16}` be machine epsilon and scale the step
    with the coordinate, :math:`h_i = c\,\max(1, |x_i|)`, so that a coordinate near
    :math:`10^6` gets a step it can feel.

    *Forward*, :math:`(f(x+h e_i) - f(x))/h`: Taylor's theorem gives truncation error
    :math:`\tfrac{h}{2}|f''|` and rounding :math:`f` costs about :math:`2\varepsilon|f|/h`.
    The sum is smallest at :math:`h \sim \sqrt{\varepsilon}`, error :math:`\sim\sqrt{\varepsilon}`.

    *Central*, :math:`(f(x+h e_i) - f(x-h e_i))/(2h)`: the even Taylor terms cancel, so the
    truncation error is :math:`\tfrac{h^2}{6}|f'''|`; with rounding :math:`\varepsilon|f|/h`
    the best step is :math:`h\sim\varepsilon^{1/3}\approx 6\times10^{-6}`, error
    :math:`\sim\varepsilon^{2/3}\approx 4\times10^{-11}`.

    *Complex step*, :math:`\operatorname{Im} f(x + i h e_i)/h`: for real-analytic ``f``
    the truncation error is :math:`O(h^2)` and there is no subtraction, hence no
    cancellation; ``h = 1e-20`` gives full precision.
    For an ``f`` that is *not* real-analytic, ``Im f(x+ih)/h`` is the derivative along the
    imaginary axis, which is not :math:`f'`: ``v * abs(v)`` at 1.5 would give 1.5 (true 3).
    Code that returns a real value for complex input is refused outright; otherwise the
    Cauchy-Riemann equations are checked along one fixed pseudo-random direction :math:`d`
    (:math:`d_i = u_i\max(1,|x_i|)`) at :math:`H = \varepsilon^{1/3}`. For analytic ``f`` the
    real step :math:`f(x+Hd)-f(x-Hd)` and the imaginary step :math:`2\operatorname{Im}f(x+iHd)`
    both equal :math:`2H\,d\cdot\nabla f` up to truncation errors of equal size and opposite
    sign, :math:`\pm\tfrac{H^3}{3}\partial_d^3 f`. The real step may miss by at most 10 times
    the imaginary step's miss plus rounding (:math:`64\varepsilon` times the sizes of the
    values of :math:`f`, of the terms, and of :math:`\sum_i|x_i||\partial_i f|`, what
    rounding the argument of ``f`` costs, e.g. inside ``sin(1e4 * x)``); if it misses by more,
    ``ValueError``. It is a test with a tolerance, not a proof, and can err both ways:

    * it *misses* a non-analytic part smaller than its rounding allowance. A part that moves
      the derivative by more than about :math:`10^{-8}` relative shows when :math:`|f|` and
      :math:`|x||\nabla f|` are of similar size; where :math:`|f|` is far larger the
      allowance grows with it, and ``1e8 + v * abs(v)`` at 1.5 is accepted with the wrong
      derivative 1.5 (true 3);
    * it *refuses* an analytic ``f`` that loses far more than that allowance to cancellation
      (its central differences are just as unreliable); ``check_analytic=False`` skips it.

    The step :math:`H` shrinks tenfold (up to 7 times) while the imaginary step's
    miss is too large to resolve a non-analytic part, or a probe is not finite, so an ``f``
    varying on a scale far below :math:`\max(1,|x_i|)` is checked at a step it can feel.
    Cost: :math:`n+4` evaluations of ``f`` when the first test step suffices (instead of
    :math:`n+1`), and three more for each smaller step tried.

    The divisor is the step actually taken, :math:`(x_i+h)-x_i`, which can differ from
    :math:`h` in floating point.

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 + 3 * v[0] * v[1] + v[1] ** 2
    >>> gradient(f, [1, 2]).round(6)
    array([8., 7.])
    >>> gradient(f, [1.0, 2.0], method="complex")
    array([8., 7.])
    >>> gradient(lambda v: v[0] * np.abs(v[0]), [1.5], method="complex")
    Traceback (most recent call last):
    ...
    ValueError: method='complex': the Cauchy-Riemann test failed, so f is probably not real-analytic ...
    """
    return _differences(f, x, method, h, scalar=True, check_analytic=check_analytic)


def jacobian(f, x, *, method="central", h=None, check_analytic=True):
    r"""Jacobian of ``f`` by finite differences.

    Returns an array of shape ``f(x).shape + x.shape``: entry ``[j..., i...]`` is
    :math:`\partial f_j / \partial x_i`, so for vector ``f`` and ``x`` the rows are the
    gradients of the outputs. Steps, methods and ``check_analytic`` (every output is
    checked) are as in :func:`gradient` (Notes there).

    Examples
    --------
    >>> F = lambda v: np.array([v[0] ** 2 + v[1], v[0] * v[1]])
    >>> jacobian(F, [2.0, 3.0]).round(6)
    array([[4., 1.],
           [3., 2.]])
    """
    return _differences(f, x, method, h, scalar=False, check_analytic=check_analytic)


def hessian(f, x, *, h=None):
    r"""Hessian of a scalar function by second-order central differences.

    Returns a symmetric array of shape ``x.shape + x.shape``.

    Notes
    -----
    Off the diagonal,
    :math:`H_{ij}\approx[f(x{+}h_ie_i{+}h_je_j) - f(x{+}h_ie_i{-}h_je_j) - f(x{-}h_ie_i{+}h_je_j)
    + f(x{-}h_ie_i{-}h_je_j)]/(4h_ih_j)`; on it,
    :math:`H_{ii}\approx[f(x{+}h_ie_i) - 2f(x) + f(x{-}h_ie_i)]/h_i^2`. Both have truncation
    error :math:`O(h^2)`, and rounding :math:`f` costs about :math:`\varepsilon|f|/h^2`.
    Balancing :math:`h^2` against :math:`\varepsilon/h^2` gives
    :math:`h\sim\varepsilon^{1/4}\approx 1.2\times10^{-4}` (times :math:`\max(1,|x_i|)`) and an
    error near :math:`\sqrt{\varepsilon}\approx 10^{-8}`.
    The formula is symmetric in ``i`` and ``j``, so the result is exactly symmetric.
    Cost: about :math:`2n^2` evaluations of ``f``.

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 + 3 * v[0] * v[1] + v[1] ** 2
    >>> hessian(f, [1.0, 2.0]).round(6)
    array([[2., 3.],
           [3., 2.]])
    """
    _check_callable(f)
    x = _as_real_array(x)
    hs = _steps(x, h, EPS**0.25)
    n = x.size

    def at(*moves):  # f at x moved by the given (flat index, delta) pairs
        p = x.copy()
        for i, d in moves:
            p.flat[i] += d
        return float(_value(f, p, scalar=True, allow_complex=False, where="a Hessian probe point"))

    # effective steps: what (x + h) - x actually is in floating point
    up = (x.ravel() + hs.ravel()) - x.ravel()
    if np.any(up == 0):
        raise ValueError("step h is too small to change some coordinate of x")
    f0 = at()
    H = np.empty((n, n))
    for i in range(n):
        hi = up[i]
        H[i, i] = (at((i, hi)) - 2 * f0 + at((i, -hi))) / hi**2
        for j in range(i):
            hj = up[j]
            H[i, j] = H[j, i] = (
                at((i, hi), (j, hj)) - at((i, hi), (j, -hj)) - at((i, -hi), (j, hj)) + at((i, -hi), (j, -hj))
            ) / (4 * hi * hj)
    return H.reshape(x.shape + x.shape)


def directional_derivative(f, x, u, *, h=None):
    r"""Rate of change of scalar ``f`` at ``x`` along the direction ``u``.

    ``u`` is normalised first, so the result is :math:`\nabla f(x)\cdot u/\lVert u\rVert`.
    A central difference along the line :math:`t\mapsto f(x+tu)`, with default step
    :math:`\varepsilon^{1/3}\max(1,\lVert x\rVert_\infty)` (derivation in :func:`gradient`).

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 + v[1] ** 2
    >>> round(directional_derivative(f, [1.0, 2.0], [3.0, 4.0]), 6)  # (2, 4) . (0.6, 0.8)
    4.4
    """
    _check_callable(f)
    x = _as_real_array(x)
    u = _as_real_array(u, "u")
    if u.shape != x.shape:
        raise ValueError(f"u has shape {u.shape} but x has shape {x.shape}")
    norm = np.linalg.norm(u)
    if norm == 0:
        raise ValueError("direction u is zero; a direction needs a non-zero vector")
    u = u / norm
    if h is None:
        h = EPS ** (1 / 3) * max(1.0, float(np.max(np.abs(x))))
    elif not (np.isscalar(h) and np.isfinite(h) and h > 0):
        raise ValueError(f"step h must be a positive finite scalar, got {h!r}")
    f_up = _value(f, x + h * u, scalar=True, allow_complex=False, where="x + h u")
    f_dn = _value(f, x - h * u, scalar=True, allow_complex=False, where="x - h u")
    return float((f_up - f_dn) / (2 * h))


def wirtinger(f, z, *, h=None):
    r"""Wirtinger derivatives :math:`(\partial f/\partial z, \partial f/\partial \bar z)`.

    With :math:`z = x + iy`,
    :math:`\partial f/\partial z = \tfrac12(\partial f/\partial x - i\,\partial f/\partial y)` and
    :math:`\partial f/\partial\bar z = \tfrac12(\partial f/\partial x + i\,\partial f/\partial y)`.
    The real partials are central differences (step rule in :func:`gradient`).

    Parameters
    ----------
    f : callable
        ``f(z)`` returning a real or complex scalar.
    z : complex or array_like of complex
        The point; a real input is treated as complex with zero imaginary part.

    Returns
    -------
    (df_dz, df_dzbar)
        Complex arrays of ``z.shape`` (complex scalars for scalar ``z``).

    Examples
    --------
    >>> dz, dzbar = wirtinger(lambda z: z * np.conj(z), 1 + 2j)  # |z|^2
    >>> complex(np.round(dz, 6)), complex(np.round(dzbar, 6))     # (conj z, z)
    ((1-2j), (1+2j))
    """
    _check_callable(f)
    if hasattr(z, "detach"):
        raise TypeError("z is a torch.Tensor; pass a NumPy array or Python complex")
    z = np.array(z, copy=True)
    if z.dtype == object or not np.issubdtype(z.dtype, np.number) or np.issubdtype(z.dtype, np.bool_):
        raise TypeError(f"z must be numeric, got dtype {z.dtype}")
    z = z.astype(np.complex128)
    if z.size == 0:
        raise ValueError("z is empty")
    if not np.all(np.isfinite(z)):
        raise ValueError("z contains NaN or inf")
    hs = _steps(np.abs(z), h, EPS ** (1 / 3))
    d_dx = np.empty(z.shape, dtype=np.complex128)
    d_dy = np.empty(z.shape, dtype=np.complex128)
    for i in range(z.size):
        hi = hs.flat[i]
        vals = [
            _value(f, _probe(z, i, d), scalar=True, allow_complex=True, where=f"z + {d}")
            for d in (hi, -hi, 1j * hi, -1j * hi)
        ]
        d_dx.flat[i] = (vals[0] - vals[1]) / (2 * hi)
        d_dy.flat[i] = (vals[2] - vals[3]) / (2 * hi)
    df_dz = 0.5 * (d_dx - 1j * d_dy)
    df_dzbar = 0.5 * (d_dx + 1j * d_dy)
    if z.ndim == 0:
        return complex(df_dz), complex(df_dzbar)
    return df_dz, df_dzbar


def relative_error(a, b):
    r"""Symmetric relative error :math:`\lVert a-b\rVert / \max(\lVert a\rVert+\lVert b\rVert, \text{tiny})`.

    0 for two zeros, at most 1 otherwise; NaN in either input gives NaN (which no
    tolerance accepts). Shapes must match.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error([1.0], [3.0])
    0.5
    """
    a = np.asarray(a.detach().cpu().numpy() if hasattr(a, "detach") else a)
    b = np.asarray(b.detach().cpu().numpy() if hasattr(b, "detach") else b)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    num = np.linalg.norm((a - b).ravel())
    den = max(np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel()), np.finfo(np.float64).tiny)
    return float(num / den)
