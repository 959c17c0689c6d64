"""The compiled path given 0-d arrays (the arguments as they are, a 0-d cotangent as its
number), and the tangent rule of np.array, found by the reviews of 2026-12-04: each checked
against the plain gradient and central differences."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

pytest.importorskip('numba', reason='the compiled path needs numba')


def scalar_loop(x):
    s = 0.0
    for i in range(6):
        s = s + math.sin(x * i) * x
    return s


def pendulum(y0):
    y = y0.copy()
    for _ in range(10):
        y = y + 0.1 * np.array([y[1], -math.sin(y[0])])
    return y


def cube_if_a_number(x):
    if np.isscalar(x):
        return x ** 3
    return np.sum(x ** 2)


def copied_then_squared(x):
    y = x.copy()
    return y ** 2


@pytest.mark.parametrize('func', [cube_if_a_number, copied_then_squared])
def test_a_0d_array_argument_stays_an_array(func):
    # (given to compiled code as it is: ``np.isscalar(x)`` and ``x.copy()`` keep their meaning)
    x = np.array(0.7)
    expected = s2sgrad.grad(func)(x)
    np.testing.assert_allclose(s2sgrad.grad(func, compile='numba')(x), expected, rtol=1e-12)
    np.testing.assert_allclose(expected, numerical_grad(func, (np.array(0.7),), 0), rtol=1e-6)


def test_jacobian_of_a_scalar_loop():
    expected = numerical_grad(scalar_loop, (0.7,), 0)
    np.testing.assert_allclose(s2sgrad.jacobian(scalar_loop, compile='numba')(0.7), expected,
                               rtol=1e-6)


def test_jvp_of_an_array_display():
    y0, v = np.array([0.5, 0.1]), np.array([1.0, 0.0])
    got = s2sgrad.jvp(pendulum, compile='numba')(y0, v)
    np.testing.assert_allclose(got, s2sgrad.jvp(pendulum)(y0, v), rtol=1e-12)
    expected = (pendulum(y0 + 1e-6 * v) - pendulum(y0 - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(got, expected, rtol=1e-6)
