"""Assignments to several targets (``a = b = np.zeros(n)``): one value, bound to every
target, as Python runs it. A write through one name shows through the others; the gradient
and the tangent are checked against central differences, and the arguments stay unchanged."""
import numpy as np
import pytest

import s2sgrad

from trees import central_grad


def write_through_one_name(u0, k):
    a = b = np.zeros(6)
    a[0] = k
    return np.sum(b * u0)


def slice_write_through_one_name(x):
    h = g = x.copy()
    h[1:] = h[1:] * 2.0
    return np.sum(g * x)


def item_and_name(x, k):
    y = np.zeros(3)
    y[0] = z = k * 2.0
    return np.sum(y * x) + z * z


def two_accumulators(x):
    s = t = 0.0
    for v in x:
        s = s + v
        t = t + v * v
    return s * t


def tuple_and_name(x):
    a, b = c = (x[0], x[1])
    return a * b + c[0] * 3.0


def in_a_helper(x):
    def twice(y):
        p = q = y * 2.0
        return p * q
    return twice(x[0]) + x[1]


CASES = [
    (write_through_one_name, (np.linspace(0.5, 1.5, 6), 0.3), 1),
    (write_through_one_name, (np.linspace(0.5, 1.5, 6), 0.3), 0),
    (slice_write_through_one_name, (np.array([1.0, 2.0, 3.0]),), 0),
    (item_and_name, (np.array([1.0, 2.0, 3.0]), 0.7), 1),
    (item_and_name, (np.array([1.0, 2.0, 3.0]), 0.7), 0),
    (two_accumulators, (np.array([1.0, 2.0, 3.0]),), 0),
    (tuple_and_name, (np.array([1.5, 2.5]),), 0),
    (in_a_helper, (np.array([1.5, 2.5]),), 0),
]


@pytest.mark.parametrize('func, args, index', CASES,
                         ids=[f'{c[0].__name__}-{c[2]}' for c in CASES])
def test_gradient_and_tangent(func, args, index):
    kept = [np.copy(a) for a in args]
    expected = central_grad(func, args, index)
    got = s2sgrad.grad(func, wrt=index)(*args)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    direction = np.linspace(0.3, 0.9, np.size(args[index])).reshape(np.shape(args[index]))
    if not np.shape(args[index]):
        direction = float(direction)
    tangent = s2sgrad.jvp(func, wrt=index)(*args, direction)
    np.testing.assert_allclose(tangent, np.sum(expected * direction), rtol=1e-6, atol=1e-8)
    for before, after in zip(kept, args):
        np.testing.assert_array_equal(before, after)
