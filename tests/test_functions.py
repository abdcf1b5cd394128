"""Shared test functions, activations, the running example and the optimizers, against independent references."""

import numpy as np
import pytest
import torch

from helpers import (
    Quadratic,
    beale,
    beale_grad,
    gradient,
    gradient_descent,
    heavy_ball,
    log_softmax,
    make_ratings,
    nesterov,
    powell_singular,
    rating_loss,
    rating_loss_grad,
    relative_error,
    rosenbrock,
    rosenbrock_grad,
    sigmoid,
    softmax,
    wood,
)

rng = np.random.default_rng(1)


@pytest.mark.parametrize("n", [2, 3, 6])
def test_rosenbrock_gradient(n):
    x = rng.uniform(-2, 2, n)
    assert relative_error(rosenbrock_grad(x), gradient(rosenbrock, x, method="complex")) < 1e-13
    assert rosenbrock(np.ones(n)) == 0 and np.all(rosenbrock_grad(np.ones(n)) == 0)


def test_beale_gradient_and_stationary_points():
    x = rng.uniform(-3, 3, 2)
    assert relative_error(beale_grad(x), gradient(beale, x, method="complex")) < 1e-13
    assert np.allclose(beale_grad([3.0, 0.5]), 0) and np.allclose(beale_grad([0.0, 1.0]), 0)


def test_wood_and_powell_match_torch():
    x = rng.uniform(-1, 1, 4)
    for f in (wood, powell_singular):
        t = torch.tensor(x, requires_grad=True)
        f(t).backward()
        assert relative_error(gradient(f, x, method="complex"), t.grad.numpy()) < 1e-13


def test_quadratic_spectrum_gradient_and_minimizer():
    q = Quadratic.with_spectrum([0.5, 2.0, 8.0], rng=np.random.default_rng(0), b=[1.0, -1.0, 2.0])
    assert np.isclose(q.L, 8.0) and np.isclose(q.mu, 0.5) and np.isclose(q.kappa, 16.0)
    x = rng.standard_normal(3)
    assert relative_error(q.grad(x), gradient(q, x)) < 1e-9
    assert np.allclose(q.grad(q.minimizer), 0, atol=1e-12)
    with pytest.raises(ValueError):
        Quadratic.with_spectrum([-1.0, 1.0])


def test_stable_activations_match_torch_and_survive_extremes():
    z = np.array([-800.0, -3.0, 0.0, 2.5, 800.0])
    assert np.allclose(sigmoid(z), torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-15, atol=0)
    Z = rng.standard_normal((4, 5)) * 300
    assert np.allclose(log_softmax(Z), torch.log_softmax(torch.tensor(Z), -1).numpy(), atol=1e-12)
    assert np.allclose(softmax(Z, axis=0).sum(axis=0), 1)
    assert np.all(np.isfinite(log_softmax(Z)))


def test_rating_loss_gradient_matches_autograd_and_finite_differences():
    ratings, P_true, Q_true = make_ratings(n_users=7, n_movies=6, rank=2, seed=3)
    P, Q = rng.standard_normal(P_true.shape), rng.standard_normal(Q_true.shape)
    dP, dQ = rating_loss_grad(P, Q, ratings)
    tP, tQ = torch.tensor(P, requires_grad=True), torch.tensor(Q, requires_grad=True)
    users, movies = torch.tensor(ratings.users), torch.tensor(ratings.movies)
    loss = torch.mean(((tP[users] * tQ[movies]).sum(1) - torch.tensor(ratings.values)) ** 2)
    loss.backward()
    assert np.isclose(loss.item(), rating_loss(P, Q, ratings), rtol=1e-14)
    assert relative_error(dP, tP.grad.numpy()) < 1e-14 and relative_error(dQ, tQ.grad.numpy()) < 1e-14
    assert relative_error(dP, gradient(lambda p: rating_loss(p, Q, ratings), P)) < 1e-8
    # the hidden factors fit the noisy ratings to about the noise level
    assert rating_loss(P_true, Q_true, ratings) < 2 * 0.1**2


def test_ratings_split_is_a_partition():
    ratings, *_ = make_ratings(seed=0)
    train, test = ratings.split(0.2, np.random.default_rng(0))
    assert len(train) + len(test) == len(ratings)
    pairs = lambda r: set(zip(r.users.tolist(), r.movies.tolist()))
    assert pairs(train).isdisjoint(pairs(test)) and pairs(train) | pairs(test) == pairs(ratings)


def test_optimizers_match_torch_sgd():
    q = Quadratic.with_spectrum([1.0, 4.0], rng=np.random.default_rng(2), b=[1.0, 2.0])
    x0 = np.array([3.0, -1.0])
    for path_fn, kwargs in [
        (gradient_descent, {}),
        (heavy_ball, {"momentum": 0.7}),
        (nesterov, {"momentum": 0.7}),
    ]:
        path = path_fn(q.grad, x0, lr=0.1, steps=20, **kwargs)
        x = torch.tensor(x0, requires_grad=True)
        opt = torch.optim.SGD([x], lr=0.1, momentum=kwargs.get("momentum", 0),
                              nesterov=path_fn is nesterov)
        A, b = torch.tensor(q.A), torch.tensor(q.b)
        for _ in range(20):
            opt.zero_grad()
            (0.5 * x @ A @ x - b @ x).backward()
            opt.step()
        assert path.shape == (21, 2)
        ours = path[-1]
        if path_fn is nesterov:  # torch stores the look-ahead point x_t + beta (x_t - x_{t-1})
            ours = path[-1] + 0.7 * (path[-1] - path[-2])
        assert np.allclose(ours, x.detach().numpy(), rtol=1e-10, atol=1e-12), path_fn.__name__
    with pytest.raises(ValueError):
        gradient_descent(q.grad, x0, lr=-1, steps=3)
