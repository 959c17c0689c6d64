"""Tuple assignments whose targets are items of arrays (``y[1:], y[0] = y[:-1] * 2, y[3]``,
swaps ``y[0], y[1] = y[1], y[0]``): Python evaluates every value, then assigns the targets in
order. Checked against central differences in both modes and to second order; a row of a
matrix swapped without a copy (which NumPy gives as two equal rows) is refused when it runs."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import InPlaceError
from trees import central_grad

X = np.array([0.5, 1.5, -2.0, 0.7])
WEIGHTS = np.arange(4.0)


def slice_then_item(x):
    y = x * 1.0
    y[1:], y[0] = y[:-1] * 2.0, y[3]
    return np.sum(y * WEIGHTS)


def item_then_slice(x):
    y = x * 1.0
    y[0], y[1:] = y[3], y[:-1] * 2.0
    return np.sum(y * WEIGHTS)


def read_then_slice_write(x):
    y = x * 1.0
    t = y[3]
    y[1:] = y[:-1] * 2.0
    y[0] = t
    return np.sum(y * WEIGHTS) * t


def swapped_items(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0]
    return np.sum(y * WEIGHTS) * y[0]


def name_and_item_swapped(x):
    y = x * 1.0
    a = x[2] * 3.0
    a, y[0] = y[0], a
    return np.sum(y * WEIGHTS) * a


def items_of_expressions(x):
    y = x * 2.0
    y[2], y[3] = y[3] * y[0], np.sin(y[2])
    return np.sum(y ** 2)


def rows_swapped_with_copies(x):
    m = np.outer(x[:2], x[1:]) * 1.0
    m[0], m[1] = m[1].copy(), m[0].copy()
    return np.sum(m * np.arange(6.0).reshape(2, 3))


CASES = [slice_then_item, item_then_slice, read_then_slice_write, swapped_items,
         name_and_item_swapped, items_of_expressions, rows_swapped_with_copies]


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_tuple_targets(f):
    x = X.copy()
    expected = central_grad(f, [x], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, atol=1e-7)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, np.ones(4)), np.sum(expected), atol=1e-7)
    gradient = s2sgrad.grad(f)
    rows = [central_grad(lambda z, i=i: gradient(z)[i], [x], 0) for i in range(4)]
    np.testing.assert_allclose(s2sgrad.hessian(f)(x), np.array(rows), atol=1e-5)


def rows_swapped(m):
    y = m * 1.0
    y[0], y[1] = y[1], y[0]  # (NumPy: both rows become the old second row)
    return np.sum(y * np.arange(6.0).reshape(2, 3))


def test_rows_swapped_through_views_are_refused_when_they_run():
    with pytest.raises(InPlaceError, match=r'`y\[1\]` is an array, not a number'):
        s2sgrad.grad(rows_swapped)(np.arange(6.0).reshape(2, 3))
