"""Variables named like the built-ins and the module that generated code calls.

A local ``slice = 2.0``, ``dict = 2.0``, ``range = [0, 2]`` or ``len = 2.0`` hid the built-in
from the generated code (``slice(1, 3, None)`` for an index, ``dict()`` for a dict filled by
key, ``range(n)`` for a loop run backward), which raised TypeError; such locals are renamed
(`shadowed_builtins`). A parameter named ``np`` (a number of points, in a module that imports
NumPy as ``numpy``) hid NumPy from the tangent code, which called ``np.sum``: the generated
code reaches NumPy by another name there. (From review.) Checked against central differences
and forward mode against them, to second order.
"""
import numpy
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def a_length_named_len(x):
    len = 2.0
    s = 0.0
    for v in [x[0], x[1]]:
        s = s + v ** 2 * len
    return s


def a_factor_named_slice(x):
    slice = 2.0
    y = np.zeros(5)
    y[1:3] = x[:2] * slice
    return np.sum(y ** 2)


def a_factor_named_dict(x):
    dict = 2.0
    p = {'a': x * 2.0, 'b': x}
    return np.sum(p['a'] * p['b']) * dict


def indices_named_range(x):
    range = [0, 2]
    s = 0.0
    for i in range:
        s = s + x[i] ** 2 * x[1]
    return s


def a_helper_named_max(x):
    def max(a, b):
        return a + b
    return np.sum(max(x, x ** 2) * x[::-1])


def a_comprehension_binds_max(x):
    ys = [max * 2.0 for max in x]  # (its own scope: the `max` below is the built-in)
    return np.sum(np.array(ys) * x) + float(len(x)) * max(x[0], x[1])


def a_length_read_in_a_comprehension(x):
    len = 2.0
    return np.sum([v * len for v in x])


def points_named_np(x, np=3):
    return numpy.sum(x ** np)


CASES = [a_length_named_len, a_factor_named_slice, a_factor_named_dict, indices_named_range,
         a_helper_named_max, a_comprehension_binds_max, a_length_read_in_a_comprehension,
         points_named_np]
X = numpy.array([0.3, -1.2, 0.8, 2.1, -0.4])
V = numpy.linspace(0.5, 1.5, 5)


@pytest.mark.parametrize('f', CASES, ids=[f.__name__ for f in CASES])
def test_gradient_forward_mode_and_hessian(f):
    expected = numerical_grad(f, (X,), 0)
    numpy.testing.assert_allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(s2sgrad.jvp(f)(X, V), expected @ V, rtol=1e-6)
    eps = 1e-5
    gradient = s2sgrad.grad(f)
    differences = (gradient(X + eps * V) - gradient(X - eps * V)) / (2 * eps)
    numpy.testing.assert_allclose(s2sgrad.hvp(f)(X, V), differences, rtol=1e-4, atol=1e-6)
