"""The gradient has its argument's type (README) also where the function rebinds the argument
in a branch or a loop (``a = a * 3.0`` under ``if``: Google tangent's `overwrite_if`): the
gradient is made like the argument as given, not like the value the name holds at the end
(a NumPy number, where the argument was a 0-d array)."""
import numpy as np
import pytest

import s2sgrad


def overwrite_if(a):
    if a > 0:
        a = a * 3.0
    else:
        a = a * 2.0
    return a


def overwrite_in_a_loop(a):
    while a < 10.0:
        a = a * 1.5
    return a * a


def overwrite_vector(x):
    if x[0] > 0:
        x = x * np.float64(2.0)
    return np.sum(x ** 2)


@pytest.mark.parametrize('f', [overwrite_if, overwrite_in_a_loop], ids=lambda f: f.__name__)
@pytest.mark.parametrize('given', [np.array(0.7), np.float64(0.7), 0.7, np.array(0.7, np.float32)],
                         ids=['0-d', 'float64', 'float', '0-d float32'])
def test_a_rebound_number_argument_keeps_its_type(f, given):
    g = s2sgrad.grad(f)(given)
    assert type(g) is type(given)
    assert np.shape(g) == np.shape(given)
    if isinstance(given, np.ndarray):
        assert g.dtype == given.dtype
    eps = 1e-6
    expected = (f(float(given) + eps) - f(float(given) - eps)) / (2 * eps)
    assert np.isclose(float(g), expected, rtol=1e-4)


def test_a_rebound_float32_vector_keeps_its_dtype():
    x = np.array([0.5, -1.0], dtype=np.float32)
    g = s2sgrad.grad(overwrite_vector)(x)
    assert g.dtype == np.float32 and np.allclose(g, 8.0 * x)
