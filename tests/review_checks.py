"""Checks shared by the review test files: a program's derivatives against central differences."""
import numpy as np

import s2sgrad
from s2sgrad.checks import numerical_grad


def hessian_v(func, point, v, rest=()):
    """H v by central differences of central differences (no gradient of ours involved), in
    the first argument `point` (the others: `rest`)."""
    def gradient(z):
        return numerical_grad(func, (z,) + tuple(rest), 0, eps=1e-4)
    return (gradient(point + 1e-4 * v) - gradient(point - 1e-4 * v)) / 2e-4


def matches(func, point, v, twice=True):
    """grad, jvp and hvp of `func` at `point` (and reverse over reverse, where `twice`) against
    differences; the argument unchanged."""
    expected = numerical_grad(func, (point,), 0)
    given = point.copy()
    np.testing.assert_allclose(s2sgrad.grad(func)(given), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.jvp(func)(given, v), np.sum(expected * v), rtol=1e-5,
                               atol=1e-7)
    hv = hessian_v(func, point, v)
    np.testing.assert_allclose(s2sgrad.hvp(func)(given, v), hv, rtol=1e-4, atol=1e-5)
    if twice:
        np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(func))(given, v), hv, rtol=1e-4,
                                   atol=1e-5)
    assert np.array_equal(given, point)


def written_into(helper):
    """A function of `x` that writes `helper(x)` into an array of its own: its call of the
    helper runs again in the derivative (joint motion), where a rerun is checked."""
    def f(x):
        y = np.zeros(3)
        y[:] = helper(x)
        return np.sum(y ** 2)
    return f
