"""Writes through ``x.flat`` (``K.flat[::n + 1] += jitter``, the diagonal of a kernel matrix;
``A.flat[i] = v``): the same positions written as an index of the array itself
(``K[s2s.flat_index(K, slice(None, None, n + 1))] += ...``), differentiated as any write.
Checked against central differences and closed forms."""
import numpy as np
import pytest

import s2sgrad

X = np.linspace(0.0, 3.0, 5)
Y = np.sin(X)


def gp_nll(p, x, y):
    n = len(x)
    K = np.exp(p[0]) * np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2)
    K.flat[::n + 1] += np.exp(p[1])
    return y @ np.linalg.solve(K, y) + np.linalg.slogdet(K)[1]


def set_one(a):
    b = a * 2.0
    b.flat[4] = a[0, 0] ** 2
    b.flat[-1] = 0.0
    return np.sum(b ** 2)


@pytest.mark.parametrize('func, x, args', [(gp_nll, np.array([0.1, -1.0]), (X, Y)),
                                           (set_one, np.arange(1.0, 10.0).reshape(3, 3), ())])
def test_writes_through_flat(func, x, args):
    eps = 1e-6
    expected = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        step = np.zeros(x.shape)
        step[index] = eps
        expected[index] = (func(x + step, *args) - func(x - step, *args)) / (2 * eps)
    assert np.allclose(s2sgrad.grad(func)(x, *args), expected, rtol=1e-5, atol=1e-8)
    t = np.ones(x.shape)
    assert np.isclose(s2sgrad.jvp(func)(x, *args, t), np.sum(expected * t), rtol=1e-5)


def test_a_flat_write_closed_form():
    a = np.arange(1.0, 10.0).reshape(3, 3)
    expected = 8.0 * a
    expected[0, 0] = 8.0 * a[0, 0] + 4 * a[0, 0] ** 3
    expected[1, 1] = 0.0
    expected[2, 2] = 0.0
    assert np.allclose(s2sgrad.grad(set_one)(a), expected)
