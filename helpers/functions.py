r"""Test functions and numerically stable activations shared by several chapters.

Every function here is written with plain arithmetic so that it also accepts complex
input (for the complex-step derivative) and, where it makes sense, torch tensors.
Each comes with its analytic gradient so chapters can check formulas three ways.

Introduced in Chapter 3 (activations) and Chapter 4 (test functions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "rosenbrock",
    "rosenbrock_grad",
    "beale",
    "beale_grad",
    "wood",
    "powell_singular",
    "Quadratic",
    "sigmoid",
    "softmax",
    "log_softmax",
]


def rosenbrock(x, a=1.0, b=100.0):
    r"""Rosenbrock's banana :math:`\sum_i b(x_{i+1}-x_i^2)^2 + (a-x_i)^2`; minimum 0 at all ones.

    >>> float(rosenbrock(np.ones(3)))
    0.0
    """
    return sum(b * (x[i + 1] - x[i] ** 2) ** 2 + (a - x[i]) ** 2 for i in range(len(x) - 1))


def rosenbrock_grad(x, a=1.0, b=100.0):
    """Analytic gradient of :func:`rosenbrock`.

    >>> rosenbrock_grad(np.array([0.0, 0.0]))
    array([-2.,  0.])
    """
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] += -4 * b * x[:-1] * inner - 2 * (a - x[:-1])
    g[1:] += 2 * b * inner
    return g


def beale(v):
    r"""Beale's function on :math:`\mathbb{R}^2`; global minimum 0 at (3, 0.5), a saddle at (0, 1).

    >>> float(beale(np.array([3.0, 0.5])))
    0.0
    """
    x, y = v[0], v[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(v):
    """Analytic gradient of :func:`beale`.

    >>> beale_grad(np.array([3.0, 0.5]))
    array([0., 0.])
    """
    x, y = float(v[0]), float(v[1])
    terms = [(1.5, 1), (2.25, 2), (2.625, 3)]
    gx = gy = 0.0
    for c, k in terms:
        r = c - x + x * y**k
        gx += 2 * r * (y**k - 1)
        gy += 2 * r * k * x * y ** (k - 1)
    return np.array([gx, gy])


def wood(v):
    """Wood's four-variable function; minimum 0 at (1, 1, 1, 1).

    >>> float(wood(np.ones(4)))
    0.0
    """
    x1, x2, x3, x4 = v[0], v[1], v[2], v[3]
    return (
        100 * (x1**2 - x2) ** 2 + (x1 - 1) ** 2 + (x3 - 1) ** 2 + 90 * (x3**2 - x4) ** 2
        + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1)
    )


def powell_singular(v):
    """Powell's singular function; minimum 0 at the origin, where its Hessian is singular.

    >>> float(powell_singular(np.zeros(4)))
    0.0
    """
    x1, x2, x3, x4 = v[0], v[1], v[2], v[3]
    return (x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 - 2 * x3) ** 4 + 10 * (x1 - x4) ** 4


@dataclass(frozen=True)
class Quadratic:
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x` with symmetric positive semi-definite ``A``.

    Its gradient is :math:`Ax-b`, its Hessian ``A``, its smoothness constant ``L`` the
    largest eigenvalue of ``A`` and its strong-convexity constant ``mu`` the smallest.
    Build one with a chosen spectrum via :meth:`with_spectrum`.

    Introduced in Chapter 7 (gradient descent); the workhorse of Chapter 9.

    >>> q = Quadratic.with_spectrum([1.0, 10.0])
    >>> q.L, q.mu, q.kappa
    (10.0, 1.0, 10.0)
    """

    A: np.ndarray
    b: np.ndarray

    @classmethod
    def with_spectrum(cls, eigenvalues, *, rng=None, b=None):
        """Diagonal ``A`` with the given eigenvalues, rotated at random when ``rng`` is given."""
        lam = np.asarray(eigenvalues, dtype=float)
        if lam.ndim != 1 or np.any(lam < 0) or not np.all(np.isfinite(lam)):
            raise ValueError("eigenvalues must be a 1-d array of finite non-negative numbers")
        A = np.diag(lam)
        if rng is not None:
            Q, _ = np.linalg.qr(rng.standard_normal((lam.size, lam.size)))
            A = Q @ A @ Q.T
            A = (A + A.T) / 2
        return cls(A, np.zeros(lam.size) if b is None else np.asarray(b, dtype=float))

    def __call__(self, x):
        return 0.5 * x @ self.A @ x - self.b @ x

    def grad(self, x):
        return self.A @ x - self.b

    @property
    def eigenvalues(self):
        return np.linalg.eigvalsh(self.A)

    @property
    def L(self):
        return float(self.eigenvalues[-1])

    @property
    def mu(self):
        return float(self.eigenvalues[0])

    @property
    def kappa(self):
        return self.L / self.mu

    @property
    def minimizer(self):
        return np.linalg.lstsq(self.A, self.b, rcond=None)[0]

    @property
    def min_value(self):
        return float(self(self.minimizer))


def sigmoid(z):
    r"""Logistic function :math:`1/(1+e^{-z})`, computed without overflow for any sign of ``z``.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def log_softmax(z, axis=-1):
    r""":math:`z_k - \log\sum_j e^{z_j}` along ``axis``, shifted by the max so nothing overflows.

    >>> log_softmax(np.array([1000.0, 1000.0])).round(6)
    array([-0.693147, -0.693147])
    """
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    """Softmax along ``axis``: positive, sums to one, stable for large inputs.

    >>> softmax(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    """
    return np.exp(log_softmax(z, axis=axis))
