"""The standard library's iterable helpers in differentiated code: ``math.fsum`` and
``math.prod`` of generator expressions, ``math.isclose`` in a condition, ``list.sort`` of a
list the function makes; ``itertools`` iterators of differentiated values are refused.
Against central differences, both modes."""
import itertools
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError


def near_zero_branch(x):
    if math.isclose(x[0], 0.0, abs_tol=1e-9):
        return 0.0
    return x[0] * x[1]


def fsum_of_generator(x):
    return math.fsum(v * v * 2.0 for v in x)


def prod_of_generator(x):
    return math.prod(1.0 + v for v in x)


@pytest.mark.parametrize('f', [near_zero_branch, fsum_of_generator, prod_of_generator])
def test_iterable_helpers(f):
    x = np.array([0.3, 0.7, 1.4])
    g = s2sgrad.grad(f)(x)
    np.testing.assert_allclose(g, numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-9)
    v = np.array([1.0, -0.5, 2.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), g @ v, rtol=1e-6, atol=1e-9)


def running_sums(x):
    return sum(c * c for c in itertools.accumulate(x))


def test_itertools_iterators_of_differentiated_values_are_refused():
    # (an iterator the library makes: s2sgrad does not follow its items)
    with pytest.raises(S2SError, match='itertools.accumulate'):
        s2sgrad.grad(running_sums)(np.array([0.3, 0.7, 1.4]))


def sorted_in_place(x):
    xs = list(x)
    xs.sort()
    return xs[0] * xs[-1] + sum(xs) + xs[1] ** 2


def sorted_in_place_by_key(x):
    xs = [x[0], x[1] * 2.0, -x[2]]
    xs.sort(key=abs, reverse=True)
    return xs[0] * 3.0 + xs[1] ** 2 - xs[2]


def sorted_array_in_place(x):
    xs = x * 1.0
    xs.sort()
    return np.sum(xs * np.arange(3.0))


@pytest.mark.parametrize('f', [sorted_in_place, sorted_in_place_by_key])
def test_list_sorted_in_place(f):
    x = np.array([0.3, -0.7, 1.1])  # (no ties, under `abs` either)
    g = s2sgrad.grad(f)(x)
    np.testing.assert_allclose(g, numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-9)


def test_array_sorted_in_place_is_the_write_it_makes():
    # (refused before 2026-12-08: ``xs[...] = np.sort(xs)`` now, see
    # test_array_in_place_methods.py)
    x = np.array([0.3, -0.7, 1.4])
    np.testing.assert_allclose(s2sgrad.grad(sorted_array_in_place)(x),
                               numerical_grad(sorted_array_in_place, (x,), 0), rtol=1e-6)
    np.testing.assert_array_equal(x, [0.3, -0.7, 1.4])
