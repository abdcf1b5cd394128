r"""A small automatic-differentiation engine over NumPy arrays: reverse mode with a tape, forward mode with duals.

Reverse mode: a :class:`Tensor` wraps a float64 array. Every operation on tensors that need a gradient
records a node (its inputs, what its vector-Jacobian product needs, and the rule itself);
:meth:`Tensor.backward` walks the recorded graph once, from the output back to the inputs, and leaves
:math:`\bar v^\top J` in the ``.grad`` of every input created with ``requires_grad=True``.

Forward mode: a :class:`Dual` carries a value and a tangent of the same shape; one pass through the same
operations gives the Jacobian-vector product :math:`J\dot x` (:func:`jvp`).

Operations: ``+ - * / **`` (by a constant), unary ``-``, ``@`` (1-D and 2-D), :func:`sum` and :func:`mean`
(with ``axis``), :func:`exp`, :func:`log`, :func:`log1p`, :func:`tanh`, :func:`relu`, :func:`logsumexp`,
:func:`softmax`, indexing, :meth:`Tensor.reshape`, :meth:`Tensor.transpose` / ``.T``, and NumPy broadcasting, whose
gradients are summed back to the shape of each operand. The NumPy ufuncs ``np.add``, ``np.exp``, ... on a
tensor call the same operations; any other NumPy function raises ``TypeError``.

Counting: while a :class:`Tape` is active it records every node created and counts floating-point operations
by phase (``"forward"``, ``"backward"``, ``"tangent"``): one per elementwise arithmetic operation or
elementary function value, :math:`2pqr` for a :math:`(p,q)\times(q,r)` product, :math:`N_1-N_2` for a reduction of
:math:`N_1` numbers to :math:`N_2`; reshapes, transposes and indexing move data and cost none going forward.
The backward sweep is charged for every entry it moves as well: a reduction's vector-Jacobian product spreads
the adjoint back over its :math:`N_1` entries (:math:`N_1`), every adjoint buffer the sweep creates costs its
size, and copying an input's adjoint into ``.grad`` costs the input's size. Indexing's backward step adds the
slice's adjoint in place at the indexed places of its input's adjoint (a buffer created once, on first use), so
each read costs the size of the slice, not of the whole input. Every operation's vector-Jacobian product then
costs a bounded multiple of the operation counted this way (a data-moving operation, reductions included: the
number of entries it moves); the gradient costs a bounded multiple of the evaluation when, besides, the moved
entries are at most a fixed multiple of the operations and every input is read (Chapter 14).
:attr:`Tape.nbytes` counts the bytes of the arrays the recorded graph keeps alive.

Bad input raises a clear error, never a silent wrong answer: integer, boolean, complex or non-finite arrays;
shapes that do not broadcast or multiply; ``backward()`` on a non-scalar without a seed; an operation that
produces NaN or inf; an operation the engine does not have.

NumPy only (see Chapter 14, which derives and builds it; the design follows micrograd, on arrays).
"""

from __future__ import annotations

import contextlib
import numbers

import numpy as np

__all__ = [
    "Tensor", "Dual", "Tape", "no_grad", "jvp",
    "sum", "mean", "exp", "log", "log1p", "tanh", "relu", "logsumexp", "softmax", "matmul",
]

_TAPES: list = []          # active tapes, innermost last
_GRAD_ENABLED = [True]     # False inside no_grad()
SUPPORTED = ("add", "sub", "mul", "div", "neg", "pow", "matmul", "sum", "mean", "exp", "log", "log1p",
             "tanh", "relu", "logsumexp", "softmax", "getitem", "reshape", "transpose")


# ----------------------------------------------------------------------------- tape and counting


class Tape:
    """Record the nodes and count the operations of everything computed while it is active.

    Attributes
    ----------
    nodes : list of Tensor
        Every tensor created by a recorded operation, in evaluation order.
    flops : dict
        Floating-point operations counted per phase: ``"forward"`` (values), ``"backward"``
        (vector-Jacobian products) and ``"tangent"`` (forward-mode tangents).

    Examples
    --------
    >>> x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    >>> with Tape() as tape:
    ...     y = (x * x).sum()
    ...     y.backward()
    >>> [node.op for node in tape.nodes]
    ['mul', 'sum']
    >>> tape.flops
    {'forward': 5, 'backward': 15, 'tangent': 0}
    >>> x.grad
    array([2., 4., 6.])
    """

    def __init__(self):
        self.nodes = []
        self.flops = {"forward": 0, "backward": 0, "tangent": 0}

    def __enter__(self):
        _TAPES.append(self)
        return self

    def __exit__(self, *exc):
        _TAPES.remove(self)
        return False

    def __len__(self):
        return len(self.nodes)

    @property
    def ops(self):
        """The names of the recorded operations, in evaluation order."""
        return [node.op for node in self.nodes]

    @property
    def nbytes(self):
        """Bytes of the arrays the recorded nodes keep alive: their values and what their rules saved
        (each array once; the inputs' own arrays are not counted, they exist anyway)."""
        leaves = {id(p.value) for node in self.nodes for p in node._parents if not p._parents}
        seen, total = set(), 0
        for node in self.nodes:
            for arr in (node.value, *node._saved):
                if isinstance(arr, np.ndarray) and id(arr) not in seen and id(arr) not in leaves:
                    seen.add(id(arr))
                    total += arr.nbytes
        return total


def _count(n, phase="forward"):
    for tape in _TAPES:
        tape.flops[phase] += int(n)


@contextlib.contextmanager
def no_grad():
    """Compute values without recording a graph (nothing is saved for a backward pass).

    >>> x = Tensor(np.ones(3), requires_grad=True)
    >>> with no_grad():
    ...     y = (2 * x).sum()
    >>> y.requires_grad
    False
    """
    _GRAD_ENABLED.append(False)
    try:
        yield
    finally:
        _GRAD_ENABLED.pop()


# ----------------------------------------------------------------------------- validation


def _as_array(value, what="value"):
    """``value`` as a float64 array; refuse integer, boolean, complex, non-numeric and non-finite input."""
    if isinstance(value, (Tensor, Dual)):
        raise TypeError(f"{what} is already a {type(value).__name__}")
    if hasattr(value, "detach"):
        raise TypeError(f"{what} is a torch.Tensor; pass a NumPy array (e.g. t.detach().numpy())")
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0:
        arr = np.asarray(float(value))
    else:
        arr = np.asarray(value)
        if arr.dtype == object or np.issubdtype(arr.dtype, np.bool_) or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{what} must be a real floating-point array, got dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{what} is an integer array (dtype {arr.dtype}); derivatives need real numbers: "
                            "pass x.astype(float)")
        if np.iscomplexobj(arr):
            raise TypeError(f"{what} is complex; this engine differentiates real functions only")
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or inf")
    return arr


def _finite(arr, op):
    if not np.all(np.isfinite(arr)):
        raise FloatingPointError(f"{op} produced NaN or inf (e.g. log of a non-positive number, overflow in exp)")
    return arr


def _broadcast(op, *shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{op}: shapes {' and '.join(map(str, shapes))} do not broadcast") from None


def _unbroadcast(g, shape, phase="backward"):
    """Sum ``g`` over the axes that broadcasting added or stretched, so it gets ``shape`` back."""
    if g.shape == shape:
        return g
    out = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    stretched = tuple(i for i, (s, t) in enumerate(zip(shape, out.shape, strict=True)) if s == 1 and t != 1)
    if stretched:
        out = out.sum(axis=stretched, keepdims=True)
    _count(g.size - out.size, phase)
    return out.reshape(shape)


def _axis_size(shape, axis):
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _check_axis(shape, axis, op):
    if axis is None:
        return
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    for a in axes:
        if not isinstance(a, numbers.Integral) or not -len(shape) <= a < len(shape):
            raise ValueError(f"{op}: axis {axis} is out of range for shape {shape}")


def _expand(g, shape, axis, keepdims):
    """Put back the reduced axes of ``g`` (size 1) so it broadcasts against an array of ``shape``."""
    if axis is None:
        return g.reshape((1,) * len(shape))
    if keepdims:
        return g
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    return np.expand_dims(g, tuple(a % len(shape) for a in axes))


def _matmul_shapes(a_shape, b_shape):
    if not (1 <= len(a_shape) <= 2 and 1 <= len(b_shape) <= 2):
        raise ValueError(f"matmul: only 1-D and 2-D operands are supported, got shapes {a_shape} @ {b_shape}")
    if a_shape[-1] != b_shape[0]:
        raise ValueError(f"matmul: inner dimensions differ, {a_shape} @ {b_shape}")
    m = a_shape[0] if len(a_shape) == 2 else 1
    n = b_shape[1] if len(b_shape) == 2 else 1
    return m, a_shape[-1], n


def _mm(a, b, phase):
    m, k, n = _matmul_shapes(a.shape, b.shape)
    _count(2 * m * k * n, phase)
    return a @ b


def _as2d(a, b, g):
    """1-D operands of a product as a row (left) or column (right), and ``g`` as the matching matrix."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    return a2, b2, g.reshape(a2.shape[0], b2.shape[1])


# ----------------------------------------------------------------------------- reverse mode


class Tensor:
    """A float64 array that records the operations applied to it, for reverse-mode differentiation.

    Parameters
    ----------
    value : array_like
        Real floating-point data (Python numbers are accepted; integer, boolean and complex arrays are
        refused, as are NaN and inf). Stored as a float64 copy in ``.value``.
    requires_grad : bool
        Whether :meth:`backward` should leave a gradient in ``.grad``.

    Examples
    --------
    >>> x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    >>> b = Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
    >>> y = (tanh(x + b) ** 2).mean()      # (3, 1) + (2,) broadcasts to (3, 2)
    >>> y.backward()
    >>> x.grad.shape, b.grad.shape          # each gradient has the shape of its input
    ((2,), (3, 1))
    >>> Tensor(np.arange(3))
    Traceback (most recent call last):
    ...
    TypeError: value is an integer array (dtype int64); derivatives need real numbers: pass x.astype(float)
    """

    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor

    def __init__(self, value, requires_grad=False):
        self.value = np.array(_as_array(value), dtype=np.float64)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.op = "input"
        self._parents = ()
        self._saved = ()
        self._vjp = None

    @classmethod
    def _node(cls, op, value, parents, vjp, saved=()):
        out = cls.__new__(cls)
        out.value, out.grad, out.op = np.asarray(value, dtype=np.float64), None, op
        out.requires_grad = _GRAD_ENABLED[-1] and any(p.requires_grad for p in parents)
        if out.requires_grad:
            out._parents, out._vjp, out._saved = tuple(parents), vjp, tuple(saved)
            for tape in _TAPES:
                tape.nodes.append(out)
        else:
            out._parents, out._vjp, out._saved = (), None, ()
        return out

    # --- array-like attributes
    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)
    T = property(lambda self: self.transpose())

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.value, precision=4)}{grad})"

    def item(self):
        """The value of a one-element tensor as a Python float."""
        return self.value.item()

    def __float__(self):
        return float(self.value)

    def __bool__(self):
        raise TypeError("the truth value of a Tensor is not defined; compare t.value instead")

    def zero_grad(self):
        """Forget the accumulated gradient."""
        self.grad = None

    # --- arithmetic
    def __add__(self, other):
        return _binary("add", self, other)

    def __radd__(self, other):
        return _binary("add", other, self)

    def __sub__(self, other):
        return _binary("sub", self, other)

    def __rsub__(self, other):
        return _binary("sub", other, self)

    def __mul__(self, other):
        return _binary("mul", self, other)

    def __rmul__(self, other):
        return _binary("mul", other, self)

    def __truediv__(self, other):
        return _binary("div", self, other)

    def __rtruediv__(self, other):
        return _binary("div", other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        _count(self.size)
        return Tensor._node("neg", -self.value, (self,), lambda g: (-_counted(g),))

    def __pow__(self, c):
        c = _exponent(c)
        x = self.value
        _count(x.size)
        out = _finite(x**c, "pow")

        def vjp(g):
            _count(3 * g.size, "backward")
            return (_finite(g * c * x ** (c - 1), "pow backward"),)

        return Tensor._node("pow", out, (self,), vjp, saved=(x,))

    def __rpow__(self, base):
        raise TypeError("only powers by a constant are supported (t ** c); write c ** t as exp(t * log(c))")

    # --- elementary functions as methods, as on torch tensors: t.tanh() is tanh(t)
    def exp(self):
        """:func:`exp` of this tensor."""
        return exp(self)

    def log(self):
        """:func:`log` of this tensor."""
        return log(self)

    def log1p(self):
        """:func:`log1p` of this tensor."""
        return log1p(self)

    def tanh(self):
        """:func:`tanh` of this tensor."""
        return tanh(self)

    def relu(self):
        """:func:`relu` of this tensor."""
        return relu(self)

    # --- reductions and shape
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (all axes by default); see :func:`sum`."""
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (all axes by default); see :func:`mean`."""
        return mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        """The same numbers in a new shape (``-1`` allowed once)."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            out = self.value.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape {self.shape} into {tuple(shape)}") from None
        old = self.shape
        return Tensor._node("reshape", out, (self,), lambda g: (g.reshape(old),))

    def transpose(self, *axes):
        """Permute the axes (reverse them by default), as ``np.transpose``."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else (axes or None)
        try:
            out = np.transpose(self.value, axes)
        except ValueError:
            raise ValueError(f"transpose: axes {axes} do not fit shape {self.shape}") from None
        inverse = None if axes is None else tuple(np.argsort(axes))
        return Tensor._node("transpose", out, (self,), lambda g: (np.transpose(g, inverse),))

    def __getitem__(self, index):
        if isinstance(index, (Tensor, Dual)) or (isinstance(index, tuple) and
                                                 any(isinstance(i, (Tensor, Dual)) for i in index)):
            raise TypeError("index with integers, slices or NumPy arrays, not with a Tensor")
        out = np.array(self.value[index], dtype=np.float64)
        shape = self.shape

        def vjp(g):   # not a dense zeros-with-g array: backward() adds g in place at `index` (_Scatter)
            return (_Scatter(index, g, shape),)

        return Tensor._node("getitem", out, (self,), vjp)

    # --- NumPy protocol: supported ufuncs call the engine, everything else is refused
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _array_function(func, args, kwargs)

    # --- the backward pass
    def backward(self, seed=None):
        r"""Accumulate :math:`\bar y^\top J` into the ``.grad`` of every input with ``requires_grad=True``.

        Parameters
        ----------
        seed : array_like, optional
            The output adjoint :math:`\bar y`, of this tensor's shape. May be omitted only for a scalar
            output, where it is 1 (and the result is the gradient).

        Raises
        ------
        ValueError
            A non-scalar output without a seed, or a seed of the wrong shape.
        RuntimeError
            No input of this output requires a gradient.

        Examples
        --------
        >>> x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        >>> y = x * x                       # a vector: its Jacobian is diag(2x)
        >>> y.backward()
        Traceback (most recent call last):
        ...
        ValueError: backward() of an output of shape (2,) needs a seed of that shape (the v in v^T J)
        >>> y.backward(np.array([1.0, 10.0]))
        >>> x.grad
        array([ 2., 40.])
        """
        if seed is None:
            if self.ndim != 0:
                raise ValueError(f"backward() of an output of shape {self.shape} needs a seed of that shape "
                                 "(the v in v^T J)")
            seed = np.ones(())
        seed = _as_array(seed, "seed")
        if seed.shape != self.shape:
            raise ValueError(f"seed has shape {seed.shape}, but the output has shape {self.shape}")
        if not self.requires_grad:
            raise RuntimeError("nothing to differentiate: no input of this output was created with "
                               "requires_grad=True (or it was computed under no_grad())")
        order = _topological_order(self)
        grads = {id(self): seed}
        owned = set()   # ids whose adjoint array backward() allocated itself: safe to add into in place
        for node in reversed(order):
            g = grads.pop(id(node), None)
            owned.discard(id(node))
            if g is None:
                continue
            if not node._parents:   # an input: keep (or add to) its gradient
                if node.grad is None:
                    _count(g.size, "backward")   # copying the adjoint into .grad moves the input's n entries
                    node.grad = np.array(g, dtype=np.float64)
                else:
                    _count(g.size, "backward")
                    node.grad = node.grad + g
                continue
            for parent, gp in zip(node._parents, node._vjp(g), strict=True):
                if gp is None or not parent.requires_grad:
                    continue
                key = id(parent)
                if isinstance(gp, _Scatter):
                    # indexing: add g at the indexed places of the parent's adjoint, in place; the work is
                    # the size of the slice, not of the whole input (the buffer is created once, lazily)
                    # (creating or copying that buffer costs its size, charged to the sweep)
                    if key not in grads:
                        grads[key] = np.zeros(gp.shape)
                        _count(grads[key].size, "backward")
                    elif key not in owned:
                        grads[key] = np.array(grads[key], dtype=np.float64)   # never write into a shared array
                        _count(grads[key].size, "backward")
                    owned.add(key)
                    np.add.at(grads[key], gp.index, gp.g)   # repeated indices add up
                    _count(gp.g.size, "backward")
                elif key in grads:
                    _count(gp.size, "backward")
                    if key in owned:
                        grads[key] += gp
                    else:
                        grads[key] = grads[key] + gp
                        owned.add(key)
                else:
                    grads[key] = gp


class _Scatter:
    """The adjoint of an indexing operation: ``g`` to be added at ``index`` of an array of ``shape``."""

    __slots__ = ("index", "g", "shape")

    def __init__(self, index, g, shape):
        self.index, self.g, self.shape = index, g, shape


def _topological_order(root):
    """Nodes reachable from ``root`` that require a gradient, each after all of its parents."""
    order, seen, stack = [], {id(root)}, [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                stack.append((p, iter(p._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _counted(g):
    _count(g.size, "backward")
    return g


def _exponent(c):
    if isinstance(c, (Tensor, Dual)):
        raise TypeError("pow: the exponent must be a constant number, not a Tensor; write a ** b as exp(b * log(a))")
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real):
        raise TypeError(f"pow: the exponent must be a real number, got {type(c).__name__}")
    return float(c)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(_as_array(x, "operand"))


def _binary(op, a, b):
    if isinstance(a, Dual) or isinstance(b, Dual):
        return _dual_binary(op, _dual(a), _dual(b))
    a, b = _tensor(a), _tensor(b)
    x, y = a.value, b.value
    shape = _broadcast(op, x.shape, y.shape)
    _count(np.prod(shape, dtype=np.int64))
    if op == "add":
        return Tensor._node(op, x + y, (a, b), lambda g: (
            _unbroadcast(g, x.shape) if a.requires_grad else None,
            _unbroadcast(g, y.shape) if b.requires_grad else None))
    if op == "sub":
        return Tensor._node(op, x - y, (a, b), lambda g: (
            _unbroadcast(g, x.shape) if a.requires_grad else None,
            _unbroadcast(-_counted(g), y.shape) if b.requires_grad else None))
    if op == "mul":
        def vjp(g):
            ga = _unbroadcast(_counted(g) * y, x.shape) if a.requires_grad else None
            gb = _unbroadcast(_counted(g) * x, y.shape) if b.requires_grad else None
            return ga, gb

        return Tensor._node(op, x * y, (a, b), vjp, saved=(x, y))
    if op == "div":
        if np.any(y == 0):
            raise FloatingPointError("div: division by zero")
        out = x / y

        def vjp(g):
            ga = _unbroadcast(_counted(g) / y, x.shape) if a.requires_grad else None
            if b.requires_grad:
                _count(3 * g.size, "backward")
                gb = _unbroadcast(-g * out / y, y.shape)
            else:
                gb = None
            return ga, gb

        return Tensor._node(op, out, (a, b), vjp, saved=(y,))
    raise AssertionError(op)


def matmul(a, b):
    """Matrix product ``a @ b`` of 1-D or 2-D operands (as ``np.matmul``).

    >>> A = Tensor(np.eye(2), requires_grad=True)
    >>> (A @ np.array([1.0, 2.0])).sum().backward()
    >>> A.grad
    array([[1., 2.],
           [1., 2.]])
    """
    if isinstance(a, Dual) or isinstance(b, Dual):
        return _dual_binary("matmul", _dual(a), _dual(b))
    a, b = _tensor(a), _tensor(b)
    x, y = a.value, b.value
    out = _mm(x, y, "forward")

    def vjp(g):
        x2, y2, g2 = _as2d(x, y, g)
        ga = _mm(g2, y2.T, "backward").reshape(x.shape) if a.requires_grad else None
        gb = _mm(x2.T, g2, "backward").reshape(y.shape) if b.requires_grad else None
        return ga, gb

    return Tensor._node("matmul", np.asarray(out, dtype=np.float64), (a, b), vjp, saved=(x, y))


def sum(x, axis=None, keepdims=False):  # noqa: A001 -- the engine's sum, as np.sum
    """Sum of the entries over ``axis`` (an int, a tuple, or None for all).

    >>> x = Tensor(np.ones((2, 3)), requires_grad=True)
    >>> sum(x, axis=0).shape
    (3,)
    """
    if isinstance(x, Dual):
        return x.sum(axis=axis, keepdims=keepdims)
    x = _tensor(x)
    _check_axis(x.shape, axis, "sum")
    out = np.sum(x.value, axis=axis, keepdims=keepdims)
    _count(x.size - np.size(out))
    shape, size = x.shape, x.size

    def vjp(g):   # spreads g back over the N1 summed entries: counted as moving N1 entries
        _count(size, "backward")
        return (np.broadcast_to(_expand(g, shape, axis, keepdims), shape),)

    return Tensor._node("sum", np.asarray(out, dtype=np.float64), (x,), vjp)


def mean(x, axis=None, keepdims=False):
    """Mean of the entries over ``axis``: :func:`sum` divided by the number of entries summed.

    >>> mean(Tensor(np.array([[1.0, 2.0], [3.0, 6.0]])), axis=1).value
    array([1.5, 4.5])
    """
    if isinstance(x, Dual):
        return x.mean(axis=axis, keepdims=keepdims)
    x = _tensor(x)
    _check_axis(x.shape, axis, "mean")
    return sum(x, axis=axis, keepdims=keepdims) * (1.0 / _axis_size(x.shape, axis))


def exp(x):
    """Elementwise :math:`e^x`; the backward pass reuses the saved output.

    >>> exp(Tensor(0.0)).item()
    1.0
    """
    if isinstance(x, Dual):
        return x._unary("exp")
    x = _tensor(x)
    _count(x.size)
    with np.errstate(over="ignore"):
        out = _finite(np.exp(x.value), "exp")
    return Tensor._node("exp", out, (x,), lambda g: (_counted(g) * out,), saved=(out,))


def log(x):
    """Elementwise natural logarithm; refuses non-positive entries.

    >>> log(Tensor(np.array([-1.0, 1.0])))
    Traceback (most recent call last):
    ...
    FloatingPointError: log of a non-positive number (at index (0,))
    """
    if isinstance(x, Dual):
        return x._unary("log")
    x = _tensor(x)
    v = x.value
    if np.any(v <= 0):
        where = tuple(int(i) for i in np.argwhere(v <= 0)[0])
        raise FloatingPointError(f"log of a non-positive number (at index {where})")
    _count(v.size)
    return Tensor._node("log", np.log(v), (x,), lambda g: (_counted(g) / v,), saved=(v,))


def log1p(x):
    r"""Elementwise :math:`\log(1+x)`, accurate for small :math:`x` (where ``log(1 + x)`` loses every digit of
    :math:`x` below machine epsilon); refuses entries :math:`\le -1`.

    >>> log1p(Tensor(np.array([1e-20]))).value          # log(1 + 1e-20) would round to 0
    array([1.e-20])
    >>> log1p(Tensor(np.array([-1.0])))
    Traceback (most recent call last):
    ...
    FloatingPointError: log1p of a number <= -1 (at index (0,))
    """
    if isinstance(x, Dual):
        return x._unary("log1p")
    x = _tensor(x)
    v = x.value
    if np.any(v <= -1):
        where = tuple(int(i) for i in np.argwhere(v <= -1)[0])
        raise FloatingPointError(f"log1p of a number <= -1 (at index {where})")
    _count(v.size)

    def vjp(g):
        _count(2 * g.size, "backward")
        return (g / (1 + v),)

    return Tensor._node("log1p", np.log1p(v), (x,), vjp, saved=(v,))


def tanh(x):
    r"""Elementwise :math:`\tanh x`; its derivative :math:`1-\tanh^2x` comes from the saved output.

    >>> t = Tensor(0.0, requires_grad=True)
    >>> tanh(t).backward()
    >>> t.grad
    array(1.)
    """
    if isinstance(x, Dual):
        return x._unary("tanh")
    x = _tensor(x)
    _count(x.size)
    out = np.tanh(x.value)

    def vjp(g):
        _count(3 * g.size, "backward")
        return (g * (1 - out * out),)

    return Tensor._node("tanh", out, (x,), vjp, saved=(out,))


def relu(x):
    """Elementwise ``max(x, 0)``; its derivative is taken as 0 at 0, as PyTorch does.

    >>> relu(Tensor(np.array([-1.0, 2.0]))).value
    array([0., 2.])
    """
    if isinstance(x, Dual):
        return x._unary("relu")
    x = _tensor(x)
    _count(x.size)
    mask = x.value > 0
    out = np.where(mask, x.value, 0.0)

    def vjp(g):
        _count(g.size, "backward")
        return (np.where(mask, g, 0.0),)

    return Tensor._node("relu", out, (x,), vjp, saved=(mask,))


def logsumexp(x, axis=None, keepdims=False):
    r"""Stable :math:`\log\sum e^{x}` over ``axis``; its gradient is the softmax.

    >>> x = Tensor(np.array([1000.0, 1000.0]), requires_grad=True)
    >>> y = logsumexp(x)
    >>> bool(np.isclose(y.item() - 1000, np.log(2)))
    True
    >>> y.backward()
    >>> x.grad
    array([0.5, 0.5])
    """
    if isinstance(x, Dual):
        return x.logsumexp(axis=axis, keepdims=keepdims)
    x = _tensor(x)
    _check_axis(x.shape, axis, "logsumexp")
    v = x.value
    m = np.max(v, axis=axis, keepdims=True)
    s = np.sum(np.exp(v - m), axis=axis, keepdims=True)
    out_k = m + np.log(s)
    _count(2 * (v.size - m.size) + 2 * v.size + 2 * m.size)   # max, subtract, exp, sum, log, add
    out = out_k if keepdims else (out_k.reshape(()) if axis is None else np.squeeze(out_k, axis=axis))
    shape = v.shape

    def vjp(g):
        _count(3 * v.size, "backward")   # softmax = exp(x - out), times g
        return (np.exp(v - out_k) * _expand(g, shape, axis, keepdims),)

    return Tensor._node("logsumexp", np.asarray(out, dtype=np.float64), (x,), vjp, saved=(v, out_k))


def softmax(x, axis=-1):
    r"""Softmax along ``axis``, as :math:`\exp(x - \operatorname{logsumexp}(x))` (stable for large x).

    >>> softmax(Tensor(np.array([0.0, np.log(3.0)]))).value
    array([0.25, 0.75])
    """
    return exp(x - logsumexp(x, axis=axis, keepdims=True))


def __getattr__(name):  # an operation the engine does not have: say what it has
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"helpers.autodiff has no operation {name!r}; it supports {', '.join(SUPPORTED)}")


# ----------------------------------------------------------------------------- the NumPy protocol

_UFUNCS = {
    np.add: lambda a, b: _binary("add", a, b), np.subtract: lambda a, b: _binary("sub", a, b),
    np.multiply: lambda a, b: _binary("mul", a, b), np.true_divide: lambda a, b: _binary("div", a, b),
    np.negative: lambda a: -a if isinstance(a, (Tensor, Dual)) else -_tensor(a), np.matmul: lambda a, b: matmul(a, b),
    np.exp: lambda a: exp(a), np.log: lambda a: log(a), np.log1p: lambda a: log1p(a), np.tanh: lambda a: tanh(a),
}
_FUNCTIONS = {np.sum: lambda x, *a, **k: sum(x, *a, **k), np.mean: lambda x, *a, **k: mean(x, *a, **k),
              np.reshape: lambda x, *a, **k: x.reshape(*a, **k),
              np.transpose: lambda x, *a, **k: x.transpose(*a, **k), np.matmul: lambda a, b: matmul(a, b)}


def _ufunc(ufunc, method, inputs, kwargs):
    if ufunc is np.power and method == "__call__" and not kwargs and isinstance(inputs[0], (Tensor, Dual)):
        return inputs[0] ** inputs[1]
    if ufunc not in _UFUNCS or method != "__call__" or kwargs:
        what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = f" with {sorted(kwargs)}" if kwargs and ufunc in _UFUNCS else ""
        raise TypeError(f"{what}{extra} is not supported by helpers.autodiff (it has no derivative rule); "
                        f"supported operations: {', '.join(SUPPORTED)}")
    return _UFUNCS[ufunc](*inputs)


def _array_function(func, args, kwargs):
    if func not in _FUNCTIONS:
        raise TypeError(f"np.{func.__name__} is not supported by helpers.autodiff; supported operations: "
                        f"{', '.join(SUPPORTED)}")
    return _FUNCTIONS[func](*args, **kwargs)


# ----------------------------------------------------------------------------- forward mode


class Dual:
    r"""A dual number :math:`v + \dot v\,\varepsilon` with :math:`\varepsilon^2=0`, over arrays: forward mode.

    ``value`` and ``tangent`` have the same shape. Every operation propagates the tangent by the chain
    rule, so after one pass the output's tangent is :math:`J\dot x`. Constants have tangent 0.

    Examples
    --------
    >>> x = Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))    # tangent e_1
    >>> y = (x * x).sum()
    >>> y.value, y.tangent
    (array(5.), array(2.))
    """

    __array_priority__ = 1000

    def __init__(self, value, tangent=None):
        self.value = np.array(_as_array(value), dtype=np.float64)
        self.tangent = np.zeros_like(self.value) if tangent is None else _as_array(tangent, "tangent")
        if self.tangent.shape != self.value.shape:
            raise ValueError(f"tangent has shape {self.tangent.shape}, but the value has shape {self.value.shape}")

    @classmethod
    def _make(cls, value, tangent):
        out = cls.__new__(cls)
        out.value, out.tangent = np.asarray(value, dtype=np.float64), np.asarray(tangent, dtype=np.float64)
        return out

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    T = property(lambda self: self.transpose())

    def __repr__(self):
        return f"Dual({np.array2string(self.value, precision=4)}, tangent={np.array2string(self.tangent, precision=4)})"

    def __bool__(self):
        raise TypeError("the truth value of a Dual is not defined; compare d.value instead")

    __add__ = lambda self, o: _binary("add", self, o)           # noqa: E731
    __radd__ = lambda self, o: _binary("add", o, self)          # noqa: E731
    __sub__ = lambda self, o: _binary("sub", self, o)           # noqa: E731
    __rsub__ = lambda self, o: _binary("sub", o, self)          # noqa: E731
    __mul__ = lambda self, o: _binary("mul", self, o)           # noqa: E731
    __rmul__ = lambda self, o: _binary("mul", o, self)          # noqa: E731
    __truediv__ = lambda self, o: _binary("div", self, o)       # noqa: E731
    __rtruediv__ = lambda self, o: _binary("div", o, self)      # noqa: E731
    __matmul__ = lambda self, o: matmul(self, o)                # noqa: E731
    __rmatmul__ = lambda self, o: matmul(o, self)               # noqa: E731

    def __neg__(self):
        _count(self.size)
        _count(self.size, "tangent")
        return Dual._make(-self.value, -self.tangent)

    def __pow__(self, c):
        c = _exponent(c)
        x = self.value
        _count(x.size)
        _count(3 * x.size, "tangent")
        return Dual._make(_finite(x**c, "pow"), _finite(c * x ** (c - 1) * self.tangent, "pow tangent"))

    def __rpow__(self, base):
        raise TypeError("only powers by a constant are supported (d ** c); write c ** d as exp(d * log(c))")

    def _unary(self, op):
        x, t = self.value, self.tangent
        _count(x.size)
        if op == "exp":
            with np.errstate(over="ignore"):
                out = _finite(np.exp(x), "exp")
            _count(x.size, "tangent")
            return Dual._make(out, t * out)
        if op == "log":
            if np.any(x <= 0):
                raise FloatingPointError("log of a non-positive number")
            _count(x.size, "tangent")
            return Dual._make(np.log(x), t / x)
        if op == "log1p":
            if np.any(x <= -1):
                raise FloatingPointError("log1p of a number <= -1")
            _count(2 * x.size, "tangent")
            return Dual._make(np.log1p(x), t / (1 + x))
        if op == "tanh":
            out = np.tanh(x)
            _count(3 * x.size, "tangent")
            return Dual._make(out, t * (1 - out * out))
        if op == "relu":
            _count(x.size, "tangent")
            return Dual._make(np.where(x > 0, x, 0.0), np.where(x > 0, t, 0.0))
        raise AssertionError(op)

    def exp(self):
        """:func:`exp` of this dual number."""
        return self._unary("exp")

    def log(self):
        """:func:`log` of this dual number."""
        return self._unary("log")

    def log1p(self):
        """:func:`log1p` of this dual number."""
        return self._unary("log1p")

    def tanh(self):
        """:func:`tanh` of this dual number."""
        return self._unary("tanh")

    def relu(self):
        """:func:`relu` of this dual number."""
        return self._unary("relu")

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis``; the tangent is summed the same way."""
        _check_axis(self.shape, axis, "sum")
        out = np.sum(self.value, axis=axis, keepdims=keepdims)
        _count(self.size - np.size(out))
        _count(self.size - np.size(out), "tangent")
        return Dual._make(out, np.sum(self.tangent, axis=axis, keepdims=keepdims))

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis``."""
        _check_axis(self.shape, axis, "mean")
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / _axis_size(self.shape, axis))

    def logsumexp(self, axis=None, keepdims=False):
        """Stable log-sum-exp; the tangent is the softmax-weighted sum of the input tangent."""
        _check_axis(self.shape, axis, "logsumexp")
        v = self.value
        m = np.max(v, axis=axis, keepdims=True)
        out_k = m + np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True))
        _count(2 * (v.size - m.size) + 2 * v.size + 2 * m.size)
        t_k = np.sum(np.exp(v - out_k) * self.tangent, axis=axis, keepdims=True)
        _count(3 * v.size + (v.size - m.size), "tangent")
        if keepdims:
            return Dual._make(out_k, t_k)
        squeeze = (lambda a: a.reshape(())) if axis is None else (lambda a: np.squeeze(a, axis=axis))
        return Dual._make(squeeze(out_k), squeeze(t_k))

    def reshape(self, *shape):
        """The same numbers in a new shape."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Dual._make(self.value.reshape(shape), self.tangent.reshape(shape))

    def transpose(self, *axes):
        """Permute the axes (reverse them by default)."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else (axes or None)
        return Dual._make(np.transpose(self.value, axes), np.transpose(self.tangent, axes))

    def __getitem__(self, index):
        return Dual._make(self.value[index], self.tangent[index])

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _array_function(func, args, kwargs)


def _dual(x):
    if isinstance(x, Tensor):
        raise TypeError("cannot mix a Tensor (reverse mode) and a Dual (forward mode) in one operation")
    return x if isinstance(x, Dual) else Dual(_as_array(x, "operand"))


def _dual_binary(op, a, b):
    x, tx, y, ty = a.value, a.tangent, b.value, b.tangent
    if op == "matmul":
        out = _mm(x, y, "forward")
        tangent = _mm(tx, y, "tangent") + _mm(x, ty, "tangent")
        _count(np.size(out), "tangent")
        return Dual._make(out, tangent)
    size = np.prod(_broadcast(op, x.shape, y.shape), dtype=np.int64)
    _count(size)
    if op == "add":
        _count(size, "tangent")
        return Dual._make(x + y, tx + ty)
    if op == "sub":
        _count(size, "tangent")
        return Dual._make(x - y, tx - ty)
    if op == "mul":
        _count(3 * size, "tangent")
        return Dual._make(x * y, tx * y + x * ty)
    if op == "div":
        if np.any(y == 0):
            raise FloatingPointError("div: division by zero")
        out = x / y
        _count(4 * size, "tangent")
        return Dual._make(out, (tx - out * ty) / y)
    raise AssertionError(op)


def jvp(f, x, v):
    r"""Forward mode: ``(f(x), J_f(x) v)`` from one pass of ``f`` on the dual number ``x + v ε``.

    ``f`` must be written with this module's operations (``+``, ``*``, ``@``, :func:`tanh`, ...).

    Examples
    --------
    >>> value, tangent = jvp(lambda z: tanh(z) * z, np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    >>> tangent.round(6)
    array([0.      , 1.181568])
    """
    x = _as_array(x, "x")
    v = _as_array(v, "v")
    if v.shape != x.shape:
        raise ValueError(f"v has shape {v.shape}, but x has shape {x.shape}")
    out = f(Dual(x, v))
    if not isinstance(out, Dual):
        raise TypeError(f"f returned {type(out).__name__}, not a Dual: write f with helpers.autodiff operations")
    return out.value, out.tangent
