"""helpers: the shared code of *Gradients*.

Every chapter does ``from helpers import ...``. The modules:

- :mod:`helpers.checks`    PASS/FAIL checks (``check_close``, ``check_true``, ``check_grad``, ``expect_fail``)
- :mod:`helpers.numdiff`   finite-difference ``gradient``, ``jacobian``, ``hessian``, ``wirtinger``, ...
- :mod:`helpers.autograd`  bridges to PyTorch: ``on_numpy``, ``torch_gradient`` (torch imported lazily)
- :mod:`helpers.autodiff`  a small reverse-mode (``Tensor``, ``Tape``) and forward-mode (``Dual``, ``jvp``) engine
- :mod:`helpers.functions` test functions (Rosenbrock, Beale, quadratics) and stable activations
- :mod:`helpers.movies`    the running example: movie-rating matrix factorisation
- :mod:`helpers.optim`     tiny optimizers that return their path
- :mod:`helpers.measure`   timing, peak memory (``peak_bytes`` for NumPy, ``torch_peak_bytes``) and power-law fits
- :mod:`helpers.plotting`  the book style and shared plot builders (matplotlib imported lazily)

Importing this package pulls in NumPy only: no torch, seaborn, matplotlib or pandas.
"""

from .autograd import on_numpy, torch_gradient
from .checks import CheckFailed, check_close, check_grad, check_true, expect_fail
from .functions import (
    Quadratic,
    beale,
    beale_grad,
    log_softmax,
    powell_singular,
    rosenbrock,
    rosenbrock_grad,
    sigmoid,
    softmax,
    wood,
)
from .measure import best_time, loglog_slope, peak_bytes, torch_allocations, torch_peak_bytes
from .movies import Ratings, make_ratings, rating_loss, rating_loss_grad
from .numdiff import directional_derivative, gradient, hessian, jacobian, relative_error, wirtinger
from .optim import gradient_descent, heavy_ball, nesterov
from .plotting import PALETTE, animate_paths, contour_with_gradients, loglog_errors, plot_path, use_book_style

__all__ = [
    "CheckFailed", "check_close", "check_grad", "check_true", "expect_fail",
    "gradient", "jacobian", "hessian", "directional_derivative", "wirtinger", "relative_error",
    "rosenbrock", "rosenbrock_grad", "beale", "beale_grad", "wood", "powell_singular", "Quadratic",
    "sigmoid", "softmax", "log_softmax",
    "Ratings", "make_ratings", "rating_loss", "rating_loss_grad",
    "gradient_descent", "heavy_ball", "nesterov",
    "best_time", "loglog_slope", "peak_bytes", "torch_allocations", "torch_peak_bytes",
    "on_numpy", "torch_gradient",
    "PALETTE", "use_book_style", "contour_with_gradients", "plot_path", "loglog_errors", "animate_paths",
]
