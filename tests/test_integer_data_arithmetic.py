"""Integer data in the derivative: arithmetic of the arguments not differentiated is kept as
the function writes it (a product of uint8 arrays wraps around; the simplifier must not let
a float factor reach its parts first)."""
import numpy as np
import pytest

import s2sgrad


def sqrt_of_weighted(x, a):
    w = a * a
    return np.sum(np.sqrt(w * x + 1.0))


def power_of_weighted(x, a):
    w = a * a
    return np.sum((w * x + 1.0) ** 1.5)


def weighted_by_sum(x, a):
    w = a + a
    return np.sum(np.sqrt(x * w + 2.0))


def scaled_difference(x, a, b):
    d = a - b
    return np.sum(np.log(1.0 + x * x * d))


def weight_times_square(x, a):
    return np.sum(0.5 * (a * a) * x ** 2)


A = np.array([[200, 17], [3, 90]], dtype=np.uint8)
X = np.array([[0.3, 0.2], [0.5, 1.1]])
CASES = [
    (sqrt_of_weighted, (X, A)),
    (power_of_weighted, (X, A)),
    (weighted_by_sum, (X, A)),
    (scaled_difference, (X, np.array([[9, 7], [3, 250]], dtype=np.uint8),
                         np.array([[2, 1], [1, 240]], dtype=np.uint8))),
    (weight_times_square, (X, np.array([[100, 7], [12, 90]], dtype=np.int8))),
]


def central(f, args, h=1e-6):
    x = args[0]
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up, *args[1:]) - f(down, *args[1:])) / (2 * h)
    return out


@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_integer_products_of_data_wrap_as_in_the_function(f, args):
    with np.errstate(all='ignore'):
        expected = central(f, args)
        got = s2sgrad.grad(f)(*args)
        v = np.ones_like(args[0])
        tangent = s2sgrad.jvp(f)(*args, v)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    np.testing.assert_allclose(tangent, np.sum(expected), rtol=1e-5)
