r"""The book's running example: predicting movie ratings by matrix factorisation.

User ``u`` has a preference vector :math:`p_u\in\mathbb{R}^k`, movie ``m`` a feature vector
:math:`q_m\in\mathbb{R}^k`, and the model predicts the rating :math:`p_u\cdot q_m`. The loss
is the mean squared error over the observed ratings :math:`R`,

.. math:: \mathcal{L}(P, Q) = \frac{1}{|R|}\sum_{(u,m)\in R} (p_u\cdot q_m - r_{um})^2 .

The data are synthetic: a hidden low-rank ``P_true @ Q_true.T`` plus noise, observed
at a random subset of (user, movie) pairs. Introduced in Chapter 1; trained in
Chapters 7 and 10.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Ratings", "make_ratings", "rating_loss", "rating_loss_grad"]


@dataclass(frozen=True)
class Ratings:
    """Observed ratings as parallel arrays: ``users[i]`` rated ``movies[i]`` with ``values[i]``."""

    users: np.ndarray
    movies: np.ndarray
    values: np.ndarray
    n_users: int
    n_movies: int

    def __len__(self):
        return self.values.size

    def subset(self, index):
        """The ratings at ``index`` (an integer array or boolean mask)."""
        return Ratings(self.users[index], self.movies[index], self.values[index], self.n_users, self.n_movies)

    def split(self, test_fraction, rng):
        """Random (train, test) split of the observed ratings."""
        if not 0 < test_fraction < 1:
            raise ValueError("test_fraction must be in (0, 1)")
        order = rng.permutation(len(self))
        n_test = int(round(test_fraction * len(self)))
        return self.subset(order[n_test:]), self.subset(order[:n_test])


def make_ratings(n_users=40, n_movies=30, rank=3, density=0.4, noise=0.1, seed=0):
    """Synthetic ratings from hidden factors ``P_true`` (users x rank) and ``Q_true`` (movies x rank).

    Returns ``(ratings, P_true, Q_true)``. Each (user, movie) pair is observed with
    probability ``density``; an observed rating is ``p_u . q_m + noise * N(0, 1)``.

    >>> r, P, Q = make_ratings(n_users=5, n_movies=4, rank=2, seed=1)
    >>> P.shape, Q.shape, r.n_users, r.n_movies
    ((5, 2), (4, 2), 5, 4)
    """
    if not (0 < density <= 1) or rank < 1 or noise < 0:
        raise ValueError("need 0 < density <= 1, rank >= 1 and noise >= 0")
    rng = np.random.default_rng(seed)
    P = rng.standard_normal((n_users, rank))
    Q = rng.standard_normal((n_movies, rank))
    observed = rng.random((n_users, n_movies)) < density
    users, movies = np.nonzero(observed)
    values = np.einsum("ik,ik->i", P[users], Q[movies]) + noise * rng.standard_normal(users.size)
    return Ratings(users, movies, values, n_users, n_movies), P, Q


def _residuals(P, Q, ratings):
    P = np.asarray(P, dtype=float)
    Q = np.asarray(Q, dtype=float)
    if P.ndim != 2 or Q.ndim != 2 or P.shape[1] != Q.shape[1]:
        raise ValueError(f"P and Q must be (n, k) and (m, k) matrices, got {P.shape} and {Q.shape}")
    if P.shape[0] != ratings.n_users or Q.shape[0] != ratings.n_movies:
        raise ValueError("P needs one row per user and Q one row per movie")
    return np.einsum("ik,ik->i", P[ratings.users], Q[ratings.movies]) - ratings.values


def rating_loss(P, Q, ratings):
    r"""Mean squared rating error :math:`\frac{1}{|R|}\sum (p_u\cdot q_m - r_{um})^2`."""
    return float(np.mean(_residuals(P, Q, ratings) ** 2))


def rating_loss_grad(P, Q, ratings):
    r"""Analytic gradient ``(dL/dP, dL/dQ)`` of :func:`rating_loss`.

    Row ``u`` of ``dL/dP`` is :math:`\frac{2}{|R|}\sum_{m:(u,m)\in R} e_{um}\, q_m` with
    :math:`e_{um} = p_u\cdot q_m - r_{um}`; rows of ``dL/dQ`` likewise with the roles swapped.
    Users (or movies) with no ratings get a zero row.
    """
    e = _residuals(P, Q, ratings) * (2.0 / len(ratings))
    dP = np.zeros_like(np.asarray(P, dtype=float))
    dQ = np.zeros_like(np.asarray(Q, dtype=float))
    np.add.at(dP, ratings.users, e[:, None] * np.asarray(Q, dtype=float)[ratings.movies])
    np.add.at(dQ, ratings.movies, e[:, None] * np.asarray(P, dtype=float)[ratings.users])
    return dP, dQ
