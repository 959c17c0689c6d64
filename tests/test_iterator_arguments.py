"""Iterators as differentiated arguments are refused (`WrtError`: read once, they have no
items left to give a derivative to), which lets a comprehension follow a built-in that reads a
differentiated parameter to its end in the same statement (``sum(x) + sum(v * v for v in x)``:
`comprehensions._Lowering._reads_only`)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import NoRuleError, UnsupportedSyntaxError, WrtError


def total_times_two(x):
    return sum(x) * 2.0


def sum_and_squares(x):
    return sum(x) + sum(v * v for v in x)


def mean_and_spread(xs):
    return sum(xs) / len(xs) + sum((v - 1.0) ** 2 for v in xs)


def largest_times_dot(x, w):
    return max(x) * sum(wi * xi for wi, xi in zip(w, x))


@pytest.mark.parametrize('make', [lambda: iter([1.0, 2.0]), lambda: (v for v in [1.0, 2.0]),
                                  lambda: map(float, [1, 2])],
                         ids=['iter', 'generator', 'map'])
@pytest.mark.parametrize('operator', ['grad', 'vjp', 'jacobian', 'jvp'])
def test_an_iterator_argument_is_refused(make, operator):
    with pytest.raises(WrtError, match='iterator'):
        if operator == 'grad':
            s2sgrad.grad(total_times_two)(make())
        elif operator == 'vjp':
            s2sgrad.vjp(total_times_two)(make(), 1.0)
        elif operator == 'jacobian':
            s2sgrad.jacobian(total_times_two)(make())
        else:
            s2sgrad.jvp(total_times_two)(make(), [1.0, 0.0])


@pytest.mark.parametrize('func, args, wrt', [
    (sum_and_squares, (np.array([1.0, 2.0, -0.5]),), 0),
    (sum_and_squares, ([1.0, 2.0, -0.5],), 0),
    (mean_and_spread, ([0.5, 1.5, 2.5],), 0),
    (largest_times_dot, (np.array([1.0, 2.0, -0.5]), np.array([0.3, 0.2, 0.1])), 0),
], ids=['array', 'list', 'mean and spread', 'max then zip'])
def test_a_comprehension_after_sum_of_a_differentiated_parameter(func, args, wrt):
    given = [np.array(a) for a in args]
    got = s2sgrad.grad(func, wrt=wrt)(*args)
    assert np.allclose(np.asarray(got), numerical_grad(func, tuple(given), wrt), atol=1e-6)
    assert all(np.array_equal(np.asarray(a), g) for a, g in zip(args, given))


def test_a_comprehension_after_max_of_a_parameter_not_differentiated_is_refused():
    # (`x` may be an iterator, which `max` would leave empty for the comprehension)
    with pytest.raises(UnsupportedSyntaxError, match='may change what it reads'):
        s2sgrad.grad(largest_times_dot, wrt=1)(np.array([1.0, 2.0]), np.array([0.3, 0.2]))


def squares_in_a_loop(xs):
    s = 0.0
    for v in xs:
        s = s + v * v
    return s


def scaled_in_a_loop(w, xs):
    s = 0.0
    for v in xs:
        s = s + w * v
    return s


@pytest.mark.parametrize('call', [
    lambda: s2sgrad.grad(squares_in_a_loop)(iter([0.3, 0.5])),
    lambda: s2sgrad.value_and_grad(squares_in_a_loop)(iter([0.3, 0.5])),
    lambda: s2sgrad.grad(sum_and_squares)(iter([0.3, 0.5])),
    lambda: s2sgrad.grad(scaled_in_a_loop)(2.0, iter([0.3, 0.5]))],
    ids=['grad', 'value_and_grad', 'sum then comprehension', 'not differentiated'])
def test_a_loop_over_an_iterator_argument_is_refused(call):
    with pytest.raises(NoRuleError, match='a loop over an iterator') as info:
        call()
    assert 'test_iterator_arguments.py' in str(info.value)  # (at the line of the loop)
