"""Values written into integer or boolean arrays are truncated (a piecewise constant), so no
derivative flows through the write, however the array was made: a dtype given by keyword or by
position, integer literals, integer results of other calls, and an integer array rebound to a
float one later (the write's derivative is decided when the program runs). Checked against
central differences in reverse mode, forward mode and the Hessian-vector product."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

X = np.array([0.37, 0.52, -0.44])
K = np.arange(3)


def keyword_dtype(x):
    y = np.zeros(3, dtype=int)
    y[0] = x[0] * 10.7
    return np.sum(y * x)


def positional_dtype(x):
    y = np.zeros(3, int)
    y[0] = x[0] * 10
    return np.sum(y * x)


def positional_numpy_dtype(x):
    y = np.zeros((3,), np.int32)
    y[1] = x[1] * 7.3
    return np.sum(y * x)


def boolean_mask(x):
    m = np.zeros(3, bool)
    m[0] = x[0]
    return np.sum(m * x)


def integer_literals(x):
    y = np.array([0, 0, 0])
    y[0] = x[0] ** 2 * 3.3
    y[1] = x[1] * 2.5
    return np.sum(y * x)


def arange_in_loop(x):
    y = np.arange(3)
    for i in range(3):
        y[i] = x[i] * 4.5
    return np.sum(y * x)


def integer_arithmetic(x):
    k = np.arange(3)
    y = k * 2
    y[2] = x[2] * 5.5
    return np.sum(y * x)


def where_of_integers(x):
    y = np.where(x > 0, 1, 0)
    y[0] = x[0] * 5.5
    return np.sum(y * x)


def cast_to_integers(x):
    y = (x * 10).astype('int32')
    y[1] = x[1] * 3.3
    return np.sum(y * x)


def like_an_integer_argument(x, k):
    y = np.zeros_like(k)
    y[1] = x[1] * 3.3
    return np.sum(y * x)


def rebound_to_float_in_loop(x):
    acc = np.zeros(3, dtype=int)
    for i in range(3):
        acc[i] = x[i] * 10.7  # truncated in the first step only
        acc = acc + x
    return acc.sum()


def rebound_to_float(x):
    acc = np.zeros(3, dtype=int)
    acc[0] = x[0] * 10.7
    acc = acc * x
    acc[1] = x[1] * 2.5  # a float array now: kept
    return acc.sum()


def augmented_item(x):
    y = np.zeros(3, dtype=np.int64)
    for i in range(3):
        y[i] += x[i] * 3.7
    return np.sum(y * x)


def float_dtype_by_name(x):
    y = np.zeros(3, 'f8')
    y[1] = x[1] * 3.3
    return np.sum(y * x)


def integer_product_fill(x):
    y = np.full(3, math.prod((2, 3)))
    y[0] = x[0] * 2.5
    return np.sum(y * x)


def method_with_integer_dtype(x):
    y = x.cumsum(dtype=int)
    y[0] = 7.0 * x[0]
    return np.sum(y)


def reduction_with_integer_dtype(x):
    return np.sum(x, dtype=int) * 1.0 + np.sum(x.cumsum(dtype=np.int32) * 1.0)


FUNCTIONS = [keyword_dtype, positional_dtype, positional_numpy_dtype, boolean_mask,
             integer_literals, arange_in_loop, integer_arithmetic, where_of_integers,
             cast_to_integers, rebound_to_float_in_loop, rebound_to_float, augmented_item,
             float_dtype_by_name, integer_product_fill, method_with_integer_dtype,
             reduction_with_integer_dtype]
REBOUND = (rebound_to_float_in_loop,)  # (rebound_to_float's second order: differentiated)


@pytest.mark.parametrize('func', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_and_tangent(func):
    expected = numerical_grad(func, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(X), expected, atol=1e-7)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(s2sgrad.jvp(func)(X, v), expected @ v, atol=1e-7)
    if func in REBOUND:  # (second order of a loop writing into an array: README)
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError):
            s2sgrad.hvp(func)(X, v)
        return
    grad = s2sgrad.grad(func)
    hv = numerical_grad(lambda x: grad(x) @ v, (X,), 0)
    np.testing.assert_allclose(s2sgrad.hvp(func)(X, v), hv, atol=1e-5)


def test_truncation_changes_the_answer():
    # (the reference is not trivially the untruncated one)
    untruncated = np.array([2 * 10.7 * X[0], 0.0, 0.0])
    assert not np.allclose(numerical_grad(keyword_dtype, (X,), 0), untruncated)
    assert not np.allclose(numerical_grad(rebound_to_float_in_loop, (X,), 0),
                           s2sgrad.grad(lambda_free_untruncated)(X))


def lambda_free_untruncated(x):
    acc = np.zeros(3)
    for i in range(3):
        acc[i] = x[i] * 10.7
        acc = acc + x
    return acc.sum()


def argument_rebound_later(x, idx):
    idx[0] = x[0] * 2.5  # an integer array argument truncates
    idx = idx * 2.5
    return np.sum(idx * x)


def test_integer_argument_rebound_later():
    k = np.array([1, 2, 3])
    x = np.array([1.3, 2.7, 3.1])
    expected = numerical_grad(argument_rebound_later, (x, k), 0)
    np.testing.assert_allclose(s2sgrad.grad(argument_rebound_later)(x, k), expected)


def test_integer_argument_array():
    expected = numerical_grad(like_an_integer_argument, (X, K), 0)
    np.testing.assert_allclose(s2sgrad.grad(like_an_integer_argument)(X, K), expected)
    # a float array passed for the same parameter keeps the value: the decision is made when
    # the gradient runs
    kf = K.astype(float)
    expected = numerical_grad(like_an_integer_argument, (X, kf), 0)
    np.testing.assert_allclose(s2sgrad.grad(like_an_integer_argument)(X, kf), expected)


def test_float_arrays_print_no_check():
    def running(x):
        y = np.zeros_like(x)
        for i in range(len(x)):
            y[i] = x[i] ** 2
        return np.sum(y)
    assert 's2s.stored' not in s2sgrad.grad(running).source
    assert 's2s.stored' in s2sgrad.grad(like_an_integer_argument).source
