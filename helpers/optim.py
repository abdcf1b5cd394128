r"""Tiny first-order optimizers that return their whole path, for plotting and measuring rates.

Each takes a gradient function and a start point and returns an array of shape
``(steps + 1,) + x0.shape`` holding every iterate, the start included.
Introduced in Chapter 7 (gradient descent) and extended in Chapter 9 (momentum).
"""

from __future__ import annotations

import numpy as np

__all__ = ["gradient_descent", "heavy_ball", "nesterov"]


def _start(x0, lr, steps):
    x0 = np.array(x0, dtype=float)
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 must be finite")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be positive, got {lr}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    path = np.empty((int(steps) + 1,) + x0.shape)
    path[0] = x0
    return path


def gradient_descent(grad, x0, lr, steps):
    r"""Plain gradient descent :math:`x_{t+1} = x_t - \eta\nabla f(x_t)`.

    >>> gradient_descent(lambda x: 2 * x, [1.0], lr=0.25, steps=2)[:, 0]
    array([1.  , 0.5 , 0.25])
    """
    path = _start(x0, lr, steps)
    for t in range(len(path) - 1):
        path[t + 1] = path[t] - lr * np.asarray(grad(path[t]))
    return path


def heavy_ball(grad, x0, lr, momentum, steps):
    r"""Polyak's heavy ball :math:`x_{t+1} = x_t - \eta\nabla f(x_t) + \beta(x_t - x_{t-1})`.

    >>> heavy_ball(lambda x: 2 * x, [1.0], lr=0.25, momentum=0.5, steps=2)[:, 0]
    array([1. , 0.5, 0. ])
    """
    if not 0 <= momentum < 1:
        raise ValueError("momentum must be in [0, 1)")
    path = _start(x0, lr, steps)
    for t in range(len(path) - 1):
        previous = path[t - 1] if t > 0 else path[0]
        path[t + 1] = path[t] - lr * np.asarray(grad(path[t])) + momentum * (path[t] - previous)
    return path


def nesterov(grad, x0, lr, momentum, steps):
    r"""Nesterov's accelerated gradient with constant momentum: the gradient is taken at the look-ahead
    point :math:`y_t = x_t + \beta(x_t - x_{t-1})`, then :math:`x_{t+1} = y_t - \eta\nabla f(y_t)`.

    ``torch.optim.SGD(nesterov=True)`` runs the same method in shifted variables: its parameter after
    ``t`` steps is the look-ahead point :math:`x_t + \beta(x_t - x_{t-1})` (tested in tests/test_functions.py).

    >>> nesterov(lambda x: 2 * x, [1.0], lr=0.25, momentum=0.5, steps=2)[:, 0]
    array([1.   , 0.5  , 0.125])
    """
    if not 0 <= momentum < 1:
        raise ValueError("momentum must be in [0, 1)")
    path = _start(x0, lr, steps)
    for t in range(len(path) - 1):
        previous = path[t - 1] if t > 0 else path[0]
        y = path[t] + momentum * (path[t] - previous)
        path[t + 1] = y - lr * np.asarray(grad(y))
    return path
