"""Bridges between PyTorch autograd and the NumPy helpers, so a chapter can compare the two witnesses.

torch is imported inside the functions, so ``import helpers`` stays light.
Introduced in Chapter 3 (gradients) and used in Chapters 5 and 6.
"""

from __future__ import annotations

import numpy as np

__all__ = ["on_numpy", "torch_gradient"]


def on_numpy(f_torch):
    """Wrap a function of a torch tensor so NumPy code -- the finite-difference helpers -- can call it.

    The wrapped function receives ``x`` as a float64 tensor and returns ``f_torch``'s result as a
    NumPy array (0-d for a scalar), detached from any graph.

    >>> import torch
    >>> on_numpy(lambda t: (t**2).sum())(np.array([1.0, 2.0]))
    array(5.)
    """

    def wrapped(x):
        import torch

        return f_torch(torch.from_numpy(np.asarray(x, dtype=np.float64))).detach().numpy()

    return wrapped


def torch_gradient(f_torch, x):
    """Gradient of the scalar torch function ``f_torch`` at the NumPy point ``x``, by ``backward()`` in float64.

    >>> torch_gradient(lambda t: t[0] ** 2 + 3 * t[0] * t[1], np.array([1.0, 2.0]))
    array([8., 3.])
    """
    import torch

    xt = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    out = f_torch(xt)
    if out.ndim != 0:
        raise ValueError(f"f_torch must return a scalar tensor, got shape {tuple(out.shape)}")
    out.backward()
    return xt.grad.numpy()
