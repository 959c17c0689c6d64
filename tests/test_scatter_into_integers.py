"""``np.add.at``, ``np.subtract.at`` and ``np.fill_diagonal`` as users call them.

s2sgrad rewrites these in-place calls as the writes they are (``a += s2s.add_at(...)``). The
zeros it scatters into have the array's own dtype, so an integer array (counts, positions) stays
an integer array that can index another; and the rewrite reaches NumPy by a name the generated
code binds, so modules that import ``numpy`` without binding ``np`` work. Gradients are checked
against closed forms, forward mode against the same.
"""
import os
import sys

import numpy as np
import pytest

import s2sgrad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_by_full_name as full  # noqa: E402


def positions_counted(x):
    idx = np.zeros(3, dtype=int)
    np.add.at(idx, [1, 2, 2], 1)  # idx is [0, 1, 2]
    return np.sum(x[idx] ** 2)


def positions_counted_down(x):
    idx = np.full(4, 3)
    np.subtract.at(idx, [0, 0, 1], 1)  # idx is [1, 2, 3, 3]
    return np.sum(x[idx] * x[idx])


def counts_as_weights(x):
    counts = np.zeros(3, dtype=np.int64)
    for k in [0, 2, 2, 1, 2]:
        np.add.at(counts, k, 1)
    return np.sum(counts * x ** 2)


X = np.array([0.3, -1.2, 2.0, 0.7])


def _selector(idx, size):
    """The matrix P with (P @ x) == x[idx]."""
    p = np.zeros((len(idx), size))
    p[np.arange(len(idx)), idx] = 1.0
    return p


CASES = [
    # (function, argument, its gradient in closed form)
    (positions_counted, X[:3], lambda x: 2 * x),
    (positions_counted_down, X, lambda x: 2 * _selector([1, 2, 3, 3], 4).T @ x[[1, 2, 3, 3]]),
    (counts_as_weights, X[:3], lambda x: 2 * np.array([1, 1, 3]) * x),
    (full.counted_positions, X[:3], lambda x: 2 * _selector([0, 1, 2], 3).T @ x),
    # (out = P.T @ x for the selector P of the positions scattered into)
    (full.scattered, X[:3], lambda x: 2 * _selector([0, 2, 2], 4) @
     (_selector([0, 2, 2], 4).T @ x)),
    (full.scattered_away, X[:3], lambda x: -2 * _selector([3, 3, 1], 4) @
     (np.ones(4) - _selector([3, 3, 1], 4).T @ x)),
    (full.diagonal_filled, X[:3], lambda x: 8 * x),  # (sum((2 x)^2))
]


@pytest.mark.parametrize('f, x, expected', CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_and_forward_mode(f, x, expected):
    want = expected(x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), want, rtol=1e-12, atol=1e-12)
    v = np.linspace(0.5, 1.5, x.size)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), want @ v, rtol=1e-12, atol=1e-12)


def test_an_integer_array_scattered_into_stays_an_integer_array():
    source = s2sgrad.grad(positions_counted).source
    assert 'np.zeros_like(idx)' in source, source
    assert 's2s.zeros_like(idx)' not in source, source
