"""The compiled path of second derivatives of scalar ``math`` loops with respect to a later
parameter (the gradient's version for Python numbers keeps its type test, which the
compiled code reads as "is this a number"), and of in-place updates of a float."""
import math

import pytest

import s2sgrad

pytest.importorskip('numba', reason='numba is not installed')


def scalar_gd(x0, lr):
    x = x0
    for i in range(5):
        x = x - lr * (4 * x ** 3 - 2 * x + math.sin(x))
    return x * x + math.cos(x)


def powers_in_place(x):
    v = x
    v **= 3
    v /= 2.0
    v -= x
    v *= x
    return v


def test_hvp_with_respect_to_the_second_parameter_compiles():
    plain = s2sgrad.hvp(scalar_gd, wrt=1)(0.7, 0.05, 1.0)
    compiled = s2sgrad.hvp(scalar_gd, wrt=1, compile='numba')(0.7, 0.05, 1.0)
    assert abs(compiled - plain) <= 1e-10 * abs(plain)
    h = 1e-4
    g = s2sgrad.grad(scalar_gd, wrt=1)
    assert abs(plain - (g(0.7, 0.05 + h) - g(0.7, 0.05 - h)) / (2 * h)) < 1e-5 * abs(plain)


def test_float_updated_in_place_compiles():
    g = s2sgrad.grad(powers_in_place, compile='numba')(0.7)
    assert abs(g - (2 * 0.7 ** 3 - 2 * 0.7)) < 1e-12
