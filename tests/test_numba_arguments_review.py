"""The compiled path given 0-d arrays, and the tangent rule of np.array, found by the review of
2026-12-04: each checked against the plain gradient and central differences."""
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


def powers_in_a_loop(x):
    y = x
    for i in range(5):
        y = y * x + 1.0
    return y


def integer_start(x):
    s = 0
    for i in range(3):
        s = s + x * i
    return s


def pendulum(y0):
    y = y0.copy()
    for _ in range(10):
        y = y + 0.1 * np.array([y[1], -math.sin(y[0])])
    return y


@pytest.mark.parametrize('func', [scalar_loop, powers_in_a_loop, integer_start])
def test_a_0d_array_argument(func):
    x = np.array(0.7)
    compiled = s2sgrad.grad(func, compile='numba')(x)
    assert isinstance(compiled, np.ndarray) and compiled.shape == ()
    np.testing.assert_allclose(compiled, s2sgrad.grad(func)(x), rtol=1e-12)
    np.testing.assert_allclose(compiled, numerical_grad(func, (0.7,), 0), rtol=1e-6)
    assert x == 0.7


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
