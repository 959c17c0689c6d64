"""Third derivatives of ``x ** y`` with a differentiated exponent (``2.0 ** x``, ``x ** x``,
``x ** y`` in every order of the two): the second derivative in the exponent reads
``s2s.log_where_nonzero`` and ``s2s.ratio_where_nonzero``, which had no rules (README: grad of
grad of grad works for functions of numbers). Checked against closed forms and central
differences of the second derivative."""
import math

import numpy as np
import pytest

import s2sgrad

g = s2sgrad.grad


def exponential(x):
    return 2.0 ** x


def self_power(x):
    return x ** x


def power(x, y):
    return x ** y


def test_exponential_closed_form():
    x = 0.8
    assert np.isclose(g(g(g(exponential)))(x), math.log(2.0) ** 3 * 2.0 ** x, rtol=1e-12)


def test_self_power_closed_form():
    # (x^x)''' = x^x ((log x + 1)^3 + 3 (log x + 1) / x - 1 / x^2)
    x = 1.3
    log1 = math.log(x) + 1.0
    expected = x ** x * (log1 ** 3 + 3 * log1 / x - 1 / x ** 2)
    assert np.isclose(g(g(g(self_power)))(x), expected, rtol=1e-10)


@pytest.mark.parametrize('order', ['xxy', 'xyx', 'yxx', 'xyy', 'yxy', 'yyx', 'yyy', 'xxx'])
def test_every_order_of_the_two_arguments(order):
    x, y, h = 1.7, 2.3, 1e-5
    second = g(g(power, wrt=order[0]), wrt=order[1])
    third = g(second, wrt=order[2])(x, y)
    if order[2] == 'x':
        expected = (second(x + h, y) - second(x - h, y)) / (2 * h)
    else:
        expected = (second(x, y + h) - second(x, y - h)) / (2 * h)
    assert np.isclose(third, expected, rtol=1e-7)


def with_constant_items(x):
    return np.sum(np.array([2.0, x]) ** x) + np.sum(np.array([1.0, x]) ** 3.0)


def test_powers_of_arrays_with_constant_items():
    x, h = 1.3, 1e-5
    second = g(g(with_constant_items))
    assert np.isclose(g(second)(x), (second(x + h) - second(x - h)) / (2 * h), rtol=1e-7)


def negative_base(y, x):
    return (-2.0) ** y * x + (-1.5) ** 2 * y * x + (-3) ** 2 * x


def negative_base_of_an_attribute(x):
    return (-2.0).real * x ** 2


def test_a_negative_number_raised_to_a_power_prints_in_parentheses():
    # (constant folding makes ``(-2.0)`` one number, which ``ast.unparse`` printed as
    # ``-2.0 ** y``: Python reads ``-(2.0 ** y)``, so value and derivatives had the wrong sign)
    y, x = 2.0, 1.5
    value, (_, gx) = s2sgrad.value_and_grad(negative_base, wrt=(0, 1))(y, x)
    assert value == pytest.approx(negative_base(y, x))
    assert gx == pytest.approx(4.0 + 2.25 * 2.0 + 9.0)
    assert '(-2.0) ** y' in g(negative_base, wrt=(0, 1)).source
    assert s2sgrad.jvp(negative_base, wrt=1)(y, x, 1.0) == pytest.approx(4.0 + 4.5 + 9.0)
    assert g(negative_base_of_an_attribute)(x) == pytest.approx(-4.0 * x)
