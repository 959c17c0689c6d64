"""`a or b` and `a and b` used as values are one of their operands, so the derivative follows
the operand chosen; annotated assignments (``h: np.ndarray = f(x)``) assign like plain ones.
Checked against central differences in reverse and forward mode and at second order."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

X = np.array([0.5, 1.0, 2.0])


def default_to_computed(x, sigma=None):
    sigma = sigma or np.std(x)
    return np.sum((x / sigma) ** 3)


def or_value(x):
    v = x or 1.0
    return v * v


def and_value(x, flag=True):
    return flag and x * 2.0 + x ** 2


def three_operands(x, a=0.0, b=None):
    return (a or b or x) ** 3


def or_of_arrays_in_a_helper(x):
    return np.sum(pick(None, x) ** 2)


def pick(given, x):
    return given or np.sin(x)


def annotated(w, X):
    h: np.ndarray = np.tanh(X @ w)
    return np.sum(h ** 2)


def annotated_accumulator(x):
    acc: float = 0.0
    for i in range(3):
        acc += x * i
    return acc ** 2


def annotated_in_helper(x):
    return squared(x) * 2.0


def squared(t):
    r: float = t * t
    return r


def bare_annotation(x):
    y: float
    y = x * 3.0
    return y * y


W = np.array([0.3, -0.2])
XM = np.array([[1.0, 2.0], [0.5, -1.0]])
CASES = [
    (default_to_computed, (X,)),
    (or_value, (0.7,)),
    (or_value, (-0.3,)),
    (or_of_arrays_in_a_helper, (X,)),
    (and_value, (0.7,)),
    (and_value, (0.7, False)),
    (three_operands, (0.7,)),
    (three_operands, (0.7, 0.4)),
    (annotated, (W, XM)),
    (annotated_accumulator, (1.3,)),
    (annotated_in_helper, (1.3,)),
    (bare_annotation, (1.3,)),
]


@pytest.mark.parametrize('func, args', CASES,
                         ids=[f'{f.__name__}-{k}' for k, (f, _) in enumerate(CASES)])
def test_reverse_forward_and_second_order(func, args):
    expected = numerical_grad(func, args, 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(*args), expected, rtol=1e-6, atol=1e-8)
    x = args[0]
    v = np.linspace(1.0, 2.0, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 1.0
    np.testing.assert_allclose(s2sgrad.jvp(func)(x, *args[1:], v), np.sum(expected * v),
                               rtol=1e-6, atol=1e-8)
    grad = s2sgrad.grad(func)
    hv = numerical_grad(lambda x: np.sum(grad(x, *args[1:]) * v), (x,), 0)
    np.testing.assert_allclose(s2sgrad.hvp(func)(x, *args[1:], v), hv, rtol=1e-5, atol=1e-6)


def test_or_of_arrays_is_what_python_does():
    # an array's truth value is ambiguous: Python raises, and so does the gradient
    with pytest.raises(ValueError):
        or_value(X)
    with pytest.raises(ValueError):
        s2sgrad.grad(or_value)(X)


def test_the_other_operand_at_zero():
    # `0.0 or 1.0` is 1.0, a constant
    assert s2sgrad.grad(or_value)(0.0) == 0.0
    assert s2sgrad.jvp(or_value)(0.0, 1.0) == 0.0
