"""A write into a slice of a copy: ``y = x.copy(); v = y[1:]; v[0] = 3.0``.

`y` may be an array or a list (an argument's type is not known), so ``y[1:]`` is a view of it
or a new list holding its items; the alias analysis read it as possibly one of those items,
which `x` holds too, and refused the write (naming `x`) though no array of `x` changes: a
store into an array view writes the copy, a store into a list replaces an item. (From
review: ``np.copy(x)``, known to be an array, was accepted; ``B.ravel()`` and ``B.T`` of a
copy `B`, which only an array has, were refused the same way.) An augmented assignment into an
item of such a slice of a list's copy still changes `x`'s array in place, and stays refused.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import UnsupportedSyntaxError


def view_of_a_copy_written(x):
    y = x.copy()
    v = y[1:]
    v[0] = 3.0
    return np.sum(v) * np.sum(x)


def view_of_np_copy_written(x):
    y = np.copy(x)
    v = y[1:]
    v[0] = 3.0
    return np.sum(v) * np.sum(x)


def strided_view_of_a_copy(x):
    y = x.copy()
    v = y[::2]
    v[1] = v[0] * 2.0
    return np.sum(v ** 2) + np.sum(x * v[1])


def raveled_copy_written(x):
    B = x.reshape(2, 2).copy()
    r = B.ravel()  # (only an array has `ravel`: a view of the copy, not of `x`)
    r[0] = 3.0
    return np.sum(r * x[0])


def transposed_copy_written(x):
    B = x.reshape(2, 2).copy()
    t = B.T
    t[0, 1] = x[3] ** 2
    return np.sum(t) * np.sum(x)


@pytest.mark.parametrize('f', [view_of_a_copy_written, view_of_np_copy_written,
                               strided_view_of_a_copy, raveled_copy_written,
                               transposed_copy_written], ids=lambda f: f.__name__)
def test_a_write_into_a_view_of_a_copy(f):
    x = np.array([1.0, 2.0, 3.0, -0.5])
    given = x.copy()
    expected = numerical_grad(f, (x,), 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, np.ones(4)), np.sum(expected), rtol=1e-6)
    np.testing.assert_array_equal(x, given)


def item_of_a_slice_of_a_list_copy_updated(xs):
    ys = list(xs)
    v = ys[1:]
    v[0] += 1.0  # (NumPy adds into the array, which `xs` holds too)
    return np.sum(xs[1] ** 2)


def test_an_update_of_an_item_of_a_slice_of_a_list_copy_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='`xs`'):
        s2sgrad.grad(item_of_a_slice_of_a_list_copy_updated)([np.ones(2), np.ones(2)])


def raveled_argument_written(x):
    r = x.ravel()  # (a view of the argument itself, read afterwards)
    r[0] = 3.0
    return np.sum(r * x)


def test_a_write_through_a_view_of_the_argument_is_still_refused():
    with pytest.raises(UnsupportedSyntaxError, match='`x`'):
        s2sgrad.grad(raveled_argument_written)(np.array([1.0, 2.0]))
