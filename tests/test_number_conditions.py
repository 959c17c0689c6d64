"""Derivative helpers whose condition is a number's comparison work on any array library.

The rules' helpers at special points (``x ** y`` with a number `y`, ``gammainc(a, x)`` with a
number `a`) ask where a coefficient of the numbers is 0. On NumPy that condition is a Python
bool; CuPy's ``where`` takes no Python bool (it calls ``condition.astype``), so the derivatives
of second order and more of such functions failed on the GPU. A strict ndarray subclass whose
``where`` refuses what CuPy's refuses stands in for CuPy here; the same functions run on CuPy
where a CUDA device is present. Values are checked against closed forms.
"""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.runtime_values import where

try:
    import scipy.special as special
except ImportError:  # (the gammainc cases skip)
    special = None


class Strict(np.ndarray):
    """An ndarray whose ``np.where`` refuses a condition that is not an array, as CuPy's."""

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and not hasattr(args[0], 'astype'):
            raise AttributeError(f"'{type(args[0]).__name__}' object has no attribute 'astype'")
        return super().__array_function__(func, types, args, kwargs)


def _strict(values):
    return np.asarray(values, dtype=float).view(Strict)


def test_where_takes_a_number_comparison_with_arrays_of_another_library():
    x = _strict([1.0, 2.0, 3.0])
    with pytest.raises(AttributeError):
        np.where(False, 0.0, x)  # (the stand-in refuses as CuPy does)
    assert np.array_equal(where(False, 0.0, x), [1.0, 2.0, 3.0])
    assert np.array_equal(where(np.bool_(True), 0.0, x), [0.0, 0.0, 0.0])
    assert np.array_equal(where(True, x, 5.0), [1.0, 2.0, 3.0])
    assert where(True, 1.0, 2.0) == 1.0  # (numbers alone: NumPy's where)
    mask = np.array([True, False, True])
    assert np.array_equal(where(mask, 0.0, x), [0.0, 2.0, 0.0])


def _power(x):
    return np.sum(x ** 3.5)


def _root(x):
    return np.sum(x ** 0.5)  # (no inlined slope below 1: the helpers at special points)


def _power_in_exponent(y):
    return np.sum(2.0 ** y)


def _gammainc(x):
    return np.sum(special.gammainc(2.0, x))


def _gammaincc(x):
    return np.sum(special.gammaincc(3.0, x))


X = [0.5, 1.0, 2.5]
LOG2 = math.log(2.0)
CASES = [
    # (function, its second and third derivatives at X: each function is a sum of one-variable
    # terms, so these are the diagonals of its Hessian and of its third derivative)
    (_power, lambda x: 3.5 * 2.5 * x ** 1.5, lambda x: 3.5 * 2.5 * 1.5 * x ** 0.5),
    (_root, lambda x: -0.25 * x ** -1.5, lambda x: 0.375 * x ** -2.5),
    (_power_in_exponent, lambda y: LOG2 ** 2 * 2.0 ** y, lambda y: LOG2 ** 3 * 2.0 ** y),
    # gammainc(2, x)' = x e^-x / gamma(2); gammaincc(3, x)' = -x^2 e^-x / gamma(3)
    (_gammainc, lambda x: (1.0 - x) * np.exp(-x), lambda x: (x - 2.0) * np.exp(-x)),
    (_gammaincc, lambda x: -(2.0 * x - x ** 2) * np.exp(-x) / 2.0,
     lambda x: -(2.0 - 4.0 * x + x ** 2) * np.exp(-x) / 2.0),
]


def _needs(f):
    if f in (_gammainc, _gammaincc) and special is None:
        pytest.skip('SciPy is needed for gammainc')


def _check_higher_orders(f, second, third, x, xp):
    _needs(f)
    host = np.asarray(X)
    h = s2sgrad.hvp(f)(x, xp.ones_like(x))
    assert type(h) is type(x)
    assert np.allclose(_host(h), second(host), rtol=1e-10, atol=1e-12)
    # the third derivative: the Hessian of the sum of the slopes, times ones
    t = s2sgrad.hvp(_slopes_summed(f))(x, xp.ones_like(x))
    assert np.allclose(_host(t), third(host), rtol=1e-9, atol=1e-12)


def _slopes_summed(f):
    df = s2sgrad.grad(f)

    def total_slope(x):
        return np.sum(df(x))
    return total_slope


def _host(value):
    return value.get() if hasattr(value, 'get') else np.asarray(value)


IDS = [case[0].__name__.strip('_') for case in CASES]


@pytest.mark.parametrize('f, second, third', CASES, ids=IDS)
def test_higher_derivatives_on_a_strict_array_library(f, second, third):
    _check_higher_orders(f, second, third, _strict(X), np)


def _device_count():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


@pytest.mark.skipif(_device_count() == 0, reason='CuPy with a CUDA device is needed (none here)')
@pytest.mark.parametrize('f, second, third', CASES, ids=IDS)
def test_higher_derivatives_on_cupy(f, second, third):
    import cupy
    _check_higher_orders(f, second, third, cupy.asarray(X), cupy)
