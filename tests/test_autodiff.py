"""helpers.autodiff against PyTorch autograd (float64, to 1e-12 relative) and finite differences, and its errors.

Random compositions: a chain of operations drawn by hypothesis is applied to two inputs of random,
broadcast-compatible shapes, once with the engine and once with torch; the gradients (reverse mode), the
vector-Jacobian products with a random seed and the Jacobian-vector products (forward mode, ``jvp``) must agree.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import autodiff as ad
from helpers import gradient
from helpers.autodiff import Dual, Tape, Tensor, jvp, no_grad

RTOL = 1e-12
SETTINGS = settings(max_examples=60, deadline=None)


def close(got, expected, rtol=RTOL, atol=1e-15):
    """Norm-wise relative agreement (entrywise relative error is meaningless for entries near 0); the tiny
    absolute floor is for gradients that are exactly zero in exact arithmetic (softmax of u + constant)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert np.linalg.norm(got - expected) <= rtol * np.linalg.norm(expected) + atol, (got, expected)


# ----------------------------------------------------------------------------- random compositions

class TorchOps:
    """The same operations as helpers.autodiff, spelled for torch."""

    exp, log, tanh, relu = torch.exp, torch.log, torch.tanh, torch.relu

    @staticmethod
    def logsumexp(u, axis=None, keepdims=False):
        return torch.logsumexp(u, dim=tuple(range(u.ndim)) if axis is None else axis, keepdim=keepdims)

    @staticmethod
    def softmax(u, axis=-1):
        return torch.softmax(u, dim=axis)

    @staticmethod
    def sum(u, axis=None, keepdims=False):
        return u.sum() if axis is None and not keepdims else u.sum(dim=axis, keepdim=keepdims)

    @staticmethod
    def mean(u, axis=None, keepdims=False):
        return u.mean() if axis is None and not keepdims else u.mean(dim=axis, keepdim=keepdims)


class EngineOps:
    exp, log, tanh, relu = ad.exp, ad.log, ad.tanh, ad.relu
    logsumexp, softmax, sum, mean = ad.logsumexp, ad.softmax, ad.sum, ad.mean


def fits(u_shape, y_shape):
    """Whether y broadcasts against the running value without changing its shape."""
    try:
        return np.broadcast_shapes(u_shape, y_shape) == tuple(u_shape)
    except ValueError:
        return False


def step(name, u, y, M, idx, F):
    """One operation of a random composition; ``u`` is the running value, ``y`` the second input."""
    if name == "tanh":
        return F.tanh(u)
    if name == "softplus":                      # log(1 + e^u), bounded argument
        return F.log(F.exp(F.tanh(u)) + 1.0)
    if name == "square":
        return 0.5 * u ** 2
    if name == "cube":
        return F.tanh(u) ** 3
    if name == "mul_y":
        return u * y
    if name == "add_y":
        return u + y
    if name == "sub_y":
        return y - u
    if name == "div_y":
        return u / (1.0 + y * y)
    if name == "relu":
        return F.relu(u) - 0.3 * u
    if name == "neg":
        return -u
    if name == "log_softmax":
        return u - F.logsumexp(u, axis=-1, keepdims=True)
    if name == "softmax":
        return F.softmax(u, axis=0) * u.shape[0]
    if name == "center":
        return u - F.mean(u, axis=0, keepdims=True)
    if name == "matmul":
        return u @ M
    if name == "transpose":
        return F.tanh(u.T).T if u.ndim == 2 else u
    if name == "gather":                         # integer-array indexing with repeated indices, then reshape
        flat = u.reshape(-1)
        return flat[idx % flat.shape[0]].reshape(u.shape)
    if name == "slice":
        return u[..., ::2] * 1.0 if u.shape[-1] > 1 else u
    if name == "reduce":
        return F.sum(u, axis=-1) if u.ndim > 1 else u
    raise AssertionError(name)


OPS = ["tanh", "softplus", "square", "cube", "mul_y", "add_y", "sub_y", "div_y", "relu", "neg", "log_softmax",
       "softmax", "center", "matmul", "transpose", "gather", "slice", "reduce"]
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=2)


@st.composite
def problems(draw):
    x_shape = tuple(draw(shapes))
    # y broadcasts against x: drop leading axes and/or set some axes to 1
    y_shape = list(x_shape[draw(st.integers(0, len(x_shape) - 1)):])
    y_shape = tuple(1 if draw(st.booleans()) else s for s in y_shape)
    ops = draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=7))
    seed = draw(st.integers(0, 2**32 - 1))
    return x_shape, y_shape, ops, seed


def run_composition(x_shape, y_shape, ops, seed):
    """The composition on the engine and on torch; returns (engine output, torch output, inputs...)."""
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(-1.5, 1.5, x_shape), rng.uniform(-1.5, 1.5, y_shape)
    M = rng.standard_normal((4, 4)) / 2
    idx = rng.integers(0, 64, size=64)
    x, y = Tensor(x0, requires_grad=True), Tensor(y0, requires_grad=True)
    xt, yt = (torch.tensor(a, requires_grad=True) for a in (x0, y0))
    u, ut = x, xt
    for name in ops:
        if name in ("mul_y", "add_y", "sub_y", "div_y") and not fits(u.shape, y.shape):
            name = "tanh"                    # y would not broadcast against the current shape
        Mu = M[: u.shape[-1], : u.shape[-1]]
        if name == "gather":
            idx_u = idx[: u.size]
        else:
            idx_u = idx
        u = step(name, u, y, Mu, idx_u, EngineOps)
        ut = step(name, ut, yt, torch.from_numpy(Mu), torch.from_numpy(idx_u), TorchOps)
    return u, ut, (x, y), (xt, yt), rng


@SETTINGS
@given(problems())
def test_gradient_of_random_composition_matches_torch(problem):
    u, ut, (x, y), (xt, yt), rng = run_composition(*problem)
    close(u.value, ut.detach().numpy())
    w = rng.standard_normal(u.shape)
    loss, loss_t = (u * w).sum(), (ut * torch.from_numpy(w)).sum()
    loss.backward()
    gx, gy = torch.autograd.grad(loss_t, (xt, yt), allow_unused=True)
    close(x.grad, gx.numpy())
    close(y.grad if y.grad is not None else np.zeros(y.shape), gy.numpy() if gy is not None else np.zeros(y.shape))


@SETTINGS
@given(problems())
def test_vjp_with_a_seed_matches_torch(problem):
    u, ut, (x, y), (xt, yt), rng = run_composition(*problem)
    seed = rng.standard_normal(u.shape)
    u.backward(seed)
    (gx,) = torch.autograd.grad(ut, (xt,), grad_outputs=torch.from_numpy(seed), retain_graph=True)
    close(x.grad, gx.numpy())


@SETTINGS
@given(problems())
def test_jvp_matches_torch_func_jvp(problem):
    x_shape, y_shape, ops, seed = problem
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(-1.5, 1.5, x_shape), rng.uniform(-1.5, 1.5, y_shape)
    v = rng.standard_normal(x_shape)
    M = rng.standard_normal((4, 4)) / 2
    idx = rng.integers(0, 64, size=64)

    def f(F, x, y, to):
        u = x
        for name in ops:
            if name in ("mul_y", "add_y", "sub_y", "div_y") and not fits(u.shape, y.shape):
                name = "tanh"
            Mu = M[: u.shape[-1], : u.shape[-1]]
            u = step(name, u, y, to(Mu), to(idx[: math.prod(u.shape)] if name == "gather" else idx), F)
        return u

    _, tangent = jvp(lambda d: f(EngineOps, d, y0, lambda a: a), x0, v)
    yt = torch.from_numpy(y0)
    _, t_ref = torch.func.jvp(lambda t: f(TorchOps, t, yt, torch.from_numpy), (torch.from_numpy(x0),),
                              (torch.from_numpy(v),))
    close(tangent, t_ref.numpy())


@settings(max_examples=25, deadline=None)
@given(problems())
def test_gradient_matches_finite_differences(problem):
    x_shape, y_shape, ops, seed = problem
    ops = [op for op in ops if op != "relu"] or ["tanh"]     # finite differences need smoothness

    rng = np.random.default_rng(seed)
    x0 = rng.uniform(-1.5, 1.5, x_shape)
    y0 = rng.uniform(-1.5, 1.5, y_shape)
    M = rng.standard_normal((4, 4)) / 2
    idx = rng.integers(0, 64, size=64)
    w = np.random.default_rng(seed + 1).standard_normal(64)

    def loss(x_arr, requires_grad=False):
        x = Tensor(x_arr, requires_grad=requires_grad)
        u = x
        for name in ops:
            if name in ("mul_y", "add_y", "sub_y", "div_y") and not fits(u.shape, y0.shape):
                name = "tanh"
            Mu = M[: u.shape[-1], : u.shape[-1]]
            u = step(name, u, Tensor(y0), Mu, idx[: u.size] if name == "gather" else idx, EngineOps)
        return x, (u * w[: u.size].reshape(u.shape)).sum()

    x, out = loss(x0, requires_grad=True)
    out.backward()
    numeric = gradient(lambda a: loss(a)[1].item(), x0)
    # central differences carry an O(h^2) truncation error and O(eps/h) round-off: about 1e-10 absolute here
    assert np.linalg.norm(x.grad - numeric) <= 1e-6 * np.linalg.norm(numeric) + 1e-9


# ----------------------------------------------------------------------------- specific rules


def test_broadcasting_is_summed_back_to_each_operand():
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal((3, 1, 4)), rng.standard_normal((5, 1))
    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    ad.tanh(a * b + b).sum().backward()
    at, bt = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    torch.tanh(at * bt + bt).sum().backward()
    assert a.grad.shape == (3, 1, 4) and b.grad.shape == (5, 1)
    close(a.grad, at.grad.numpy())
    close(b.grad, bt.grad.numpy())


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,))])
def test_matmul_shapes(shapes):
    rng = np.random.default_rng(1)
    a0, b0 = (rng.standard_normal(s) for s in shapes)
    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    ad.tanh(a @ b).sum().backward()
    at, bt = (torch.tensor(v, requires_grad=True) for v in (a0, b0))
    torch.tanh(at @ bt).sum().backward()
    close(a.grad, at.grad.numpy())
    close(b.grad, bt.grad.numpy())


def test_logsumexp_softmax_and_mean_with_axes():
    rng = np.random.default_rng(2)
    x0 = 30 * rng.standard_normal((3, 4, 2))       # large values: the stable form is needed
    w = rng.standard_normal((3, 2))
    x = Tensor(x0, requires_grad=True)
    out = (ad.logsumexp(x, axis=1) * w).sum() + (ad.softmax(x, axis=0) * x0).mean() + ad.mean(x, axis=(0, 2)).sum()
    out.backward()
    xt = torch.tensor(x0, requires_grad=True)
    ref = ((torch.logsumexp(xt, 1) * torch.from_numpy(w)).sum() + (torch.softmax(xt, 0) * torch.from_numpy(x0)).mean()
           + xt.mean(dim=(0, 2)).sum())
    ref.backward()
    close(out.item(), ref.item())
    close(x.grad, xt.grad.numpy())


def test_numpy_ufuncs_call_the_engine():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = np.sum(np.exp(x) * np.array([1.0, 2.0]) + np.tanh(x) - np.log(x))
    y.backward()
    v = np.array([0.5, 1.5])
    close(x.grad, np.exp(v) * [1.0, 2.0] + 1 - np.tanh(v) ** 2 - 1 / v)


def test_gradients_accumulate_and_repeated_use_adds():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x + x).sum().backward()
    (x * x + x).sum().backward()
    close(x.grad, 2 * (2 * np.array([1.0, 2.0]) + 1))


def test_tape_counts_and_bytes():
    B, d, depth = 4, 3, 5
    W = [Tensor(np.eye(d) * 0.5, requires_grad=True) for _ in range(depth)]
    x = Tensor(np.ones((B, d)))
    with Tape() as tape:
        h = x
        for Wl in W:
            h = ad.tanh(h @ Wl)
        loss = (h ** 2).mean()
    # each layer keeps h @ W and tanh(...): 2 arrays of B*d float64; then h**2, the sum and the mean
    assert tape.ops == ["matmul", "tanh"] * depth + ["pow", "sum", "mul"]
    assert tape.nbytes == 8 * (2 * depth * B * d + B * d + 1 + 1)
    assert tape.flops["forward"] == depth * (2 * B * d * d + B * d) + B * d + (B * d - 1) + 1
    with tape:
        loss.backward()
    # mean: 1; the sum spreads its adjoint back over B*d entries; pow: 3 per entry; tanh: 3 per entry; matmul: one
    # product for the first layer (x is a constant), two after; copying each W's adjoint into .grad: d*d
    assert tape.flops["backward"] == (1 + B * d + 3 * B * d + depth * 3 * B * d + 2 * B * d * d
                                      + (depth - 1) * 4 * B * d * d + depth * d * d)


def test_no_grad_records_nothing():
    x = Tensor(np.ones(3), requires_grad=True)
    with Tape() as tape, no_grad():
        y = ad.tanh(x).sum()
    assert tape.nodes == [] and not y.requires_grad
    with pytest.raises(RuntimeError, match="nothing to differentiate"):
        y.backward()


def test_forward_mode_dual_numbers():
    value, tangent = jvp(lambda z: ad.exp(z[0]) * z[1] / (1.0 + z[0] ** 2), np.array([0.3, 2.0]),
                         np.array([1.0, 0.0]))
    f = lambda z: np.exp(z[0]) * z[1] / (1.0 + z[0] ** 2)  # noqa: E731
    assert abs(tangent - gradient(f, np.array([0.3, 2.0]))[0]) < 1e-8
    d = Dual(np.array([1.0, 2.0]))
    assert np.all((d * 3.0).tangent == 0)


# ----------------------------------------------------------------------------- clear errors


def test_unsupported_numpy_function_is_refused():
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.sin is not supported"):
        np.sin(x)
    with pytest.raises(TypeError, match=r"np\.sort is not supported"):
        np.sort(x)
    with pytest.raises(TypeError, match=r"np\.add\.reduce is not supported"):
        np.add.reduce(x)
    with pytest.raises(TypeError, match=r"np\.cos is not supported"):
        np.cos(Dual(np.ones(2)))


def test_unknown_operation_is_named():
    with pytest.raises(AttributeError, match="no operation 'sin'.*supports add"):
        ad.sin  # noqa: B018


def test_non_scalar_backward_needs_a_seed():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(3,\) needs a seed"):
        (2 * x).backward()
    with pytest.raises(ValueError, match="seed has shape"):
        (2 * x).backward(np.ones(4))


@pytest.mark.parametrize("bad", [np.arange(3), np.array([True, False]), np.array([1 + 2j]), np.array([np.nan])])
def test_bad_arrays_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        Tensor(bad)
    with pytest.raises((TypeError, ValueError)):
        Tensor(np.ones(bad.shape)) * bad


def test_integer_array_message():
    with pytest.raises(TypeError, match="integer array"):
        Tensor(np.arange(3), requires_grad=True)


def test_shape_mismatches():
    a, b = Tensor(np.ones(3)), Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"mul: shapes \(3,\) and \(4,\) do not broadcast"):
        a * b
    with pytest.raises(ValueError, match="matmul: inner dimensions differ"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="only 1-D and 2-D"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match="cannot reshape"):
        a.reshape(2, 2)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        ad.sum(Tensor(np.ones((2, 2))), axis=2)
    with pytest.raises(ValueError, match="tangent has shape"):
        Dual(np.ones(2), np.ones(3))


def test_non_finite_results_and_bad_exponents():
    with pytest.raises(FloatingPointError, match="log of a non-positive"):
        ad.log(Tensor(np.array([1.0, -1.0])))
    with pytest.raises(FloatingPointError, match="exp produced NaN or inf"):
        ad.exp(Tensor(np.array([1000.0])))
    with pytest.raises(FloatingPointError, match="division by zero"):
        Tensor(np.ones(2)) / np.array([1.0, 0.0])
    with pytest.raises(TypeError, match="exponent must be a constant"):
        Tensor(np.ones(2)) ** Tensor(np.ones(2))
    with pytest.raises(TypeError, match="only powers by a constant"):
        2.0 ** Tensor(np.ones(2))
    with pytest.raises(TypeError, match="cannot mix a Tensor"):
        Dual(np.ones(2)) * Tensor(np.ones(2))
    with pytest.raises(TypeError, match="truth value"):
        bool(Tensor(np.ones(())))


# ----------------------------------------------------------------------------- indexing costs the slice, log1p


def _loop_of_squares(x):
    s = x[0] * x[0]
    for i in range(1, x.size):
        s = s + x[i] * x[i]
    return s


def test_indexing_backward_costs_the_slice_not_the_input():
    """sum_i x[i] * x[i] as a loop: a dense adjoint per read would make backward cost about n times more."""
    ratios = []
    for n in (50, 200, 800):
        x0 = np.random.default_rng(n).standard_normal(n)
        with Tape() as t_eval:
            _loop_of_squares(Tensor(x0))
        x = Tensor(x0, requires_grad=True)
        with Tape() as t_rev:
            _loop_of_squares(x).backward()
        np.testing.assert_array_equal(x.grad, 2 * x0)
        ratios.append(sum(t_rev.flops.values()) / sum(t_eval.flops.values()))
        # per read x[i]: one addition going back (the size of the slice), never n; x's adjoint buffer is created
        # once (n) and copied into .grad once (n)
        assert t_rev.flops["backward"] == 4 * n + 2 * n   # mul: 2 per term; each of the 2 reads: 1; buffer, copy
    assert max(ratios) / min(ratios) < 1.01, ratios          # the dense rule grows like n (about n + 4)


def test_reductions_and_the_sweeps_buffers_are_charged():
    """The two cases whose sweep once looked free: a sum over an axis of length 1 (0 operations forward, but its
    VJP spreads the adjoint over N1 entries) and x[0] * x[0] (1 operation, but an n-entry adjoint for x)."""
    for n in (10, 100, 1000):
        x = Tensor(np.linspace(1.0, 2.0, n).reshape(n, 1), requires_grad=True)
        with Tape() as t:
            a = x.sum(axis=1, keepdims=True)
            y = a[0, 0] + x.sum(axis=1, keepdims=True)[0, 0]
        assert t.flops["forward"] == 1
        with t:
            y.backward()
        # two buffers (n each) + two reads (1 each), two sum VJPs (n each), one accumulation into x (n), the copy (n)
        assert t.flops["backward"] == 6 * n + 2
        np.testing.assert_array_equal(x.grad, 2 * np.eye(n)[0].reshape(n, 1))
        x = Tensor(np.ones(n), requires_grad=True)
        with Tape() as t:
            (x[0] * x[0]).backward()
        assert t.flops == {"forward": 1, "backward": 2 + 2 + n + n, "tangent": 0}   # mul 2, reads 2, buffer, copy


def test_indexing_accumulation_mixes_dense_and_sparse_and_never_writes_into_shared_arrays():
    v = np.array([1.0, -2.0, 3.0])
    x = Tensor(v, requires_grad=True)
    a = x + 0.0                                               # a's adjoint is shared by add's two parents
    y = (a + a).sum() + 3.0 * a[0] + a[np.array([2, 2])].sum() + (a[1:] * a[1:]).sum()
    y.backward()
    xt = torch.tensor(v, requires_grad=True)
    at = xt + 0.0
    ((at + at).sum() + 3.0 * at[0] + at[[2, 2]].sum() + (at[1:] * at[1:]).sum()).backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-15)
    x2 = Tensor(v, requires_grad=True)                       # the seed array itself is not modified
    seed = np.ones(3)
    z = x2 * 1.0
    (z + z[np.array([0, 0, 1])]).backward(seed)
    np.testing.assert_array_equal(seed, np.ones(3))
    np.testing.assert_array_equal(x2.grad, [3.0, 2.0, 1.0])


def test_log1p_matches_torch_and_is_accurate_for_tiny_arguments():
    v = np.array([1e-20, -0.5, 3.0, 1e5])
    x = Tensor(v, requires_grad=True)
    ad.log1p(x).sum().backward()
    xt = torch.tensor(v, requires_grad=True)
    torch.log1p(xt).sum().backward()
    np.testing.assert_allclose(ad.log1p(Tensor(v)).value, torch.log1p(torch.tensor(v)).numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-15, atol=0)
    _, tangent = jvp(lambda z: np.log1p(z), v, np.ones(4))   # np.log1p on a Dual calls the engine
    np.testing.assert_allclose(tangent, 1 / (1 + v), rtol=1e-15, atol=0)
    with pytest.raises(FloatingPointError, match="log1p of a number <= -1"):
        ad.log1p(Tensor(np.array([0.0, -1.0])))
