"""Adversarial probes of the algebraic simplifier (s2sgrad/simplify.py, templates/algebra.py):
user-style programs, gradients checked against central differences in float64, with and
without declared shapes and against the unoptimized transform. Each regression test names
the mechanism it guards."""
import numpy as np
import pytest

import s2sgrad

from trees import central_grad

# Its tests clear the cache to generate from nothing: each in a cache of its own (conftest.py)
pytestmark = pytest.mark.usefixtures('private_cache')


# -- functions (s2sgrad reads their source from this file) ------------------------------------
def scaled_twice(x, k):
    y = x * k
    return np.sum(y * k)


def scaled_twice_left(x, k):
    y = k * x
    return np.sum(k * y)


def masked_twice(x, m):
    y = x * m
    return np.sum(y * m)


def two_weighted_sums(x, k):
    return np.sum(2.0 * k * x) + np.sum(3.0 * k * k * x)


def three_factors(x, k, j):
    return np.sum(x * k * j)


def quadratic_plus(x, A):
    return x @ A @ x + np.sum(x * x) + x @ x


def trace_offset(A, X):
    return np.trace(A @ X, 1)


def trace_square(A, X):
    return np.trace(A @ X)


def det_stack(X):
    return np.sum(np.linalg.det(X))


def log_abs_det_stack(X):
    return np.sum(np.log(np.abs(np.linalg.det(X))))


def row_norms(X):
    return np.sum(np.linalg.norm(X, axis=1))


def norm(X):
    return np.linalg.norm(X)


def keepdims_rows(X, y):
    return np.sum(np.sum(X, axis=1, keepdims=True) * y)


def column_times_vector(x, y):
    return np.sum(x * y)


def dot_method(X, w):
    return (X.dot(w) ** 2).sum()


def loop_power(x, A):
    y = x
    for _ in range(3):
        y = A @ y
    return y @ y


def branch(x, A):
    if np.sum(x) > 0:
        y = A @ x
    else:
        y = A.T @ x
    return y @ y


def written_copy(x, A):
    y = A @ x
    z = y * 1.0
    z[0] = 0.0
    return z @ y


def inverse_bilinear(X, a, b):
    return a @ np.linalg.inv(X) @ b


# -- helpers ---------------------------------------------------------------------------------
def _check(func, args, wrt, shapes, tolerance=1e-6):
    """The gradient with `shapes`, without, and unoptimized: right, of the argument's shape,
    and the arguments unchanged."""
    names = func.__code__.co_varnames[:func.__code__.co_argcount]
    index = names.index(wrt)
    expected = central_grad(func, args, index)
    for options in (dict(shapes=shapes), {}, dict(optimized=False)):
        s2sgrad.clear_cache()
        df = s2sgrad.grad(func, wrt=wrt, **options)
        before = [np.copy(a) for a in args]
        got = df(*args)
        for old, new in zip(before, args):
            np.testing.assert_array_equal(old, new)
        assert np.shape(got) == np.shape(args[index]), (options, df.source)
        np.testing.assert_allclose(np.asarray(got, dtype=float), expected, rtol=tolerance,
                                   atol=tolerance, err_msg=f'{options}\n{df.source}')


RNG = np.random.default_rng(11)


def _r(*shape):
    return RNG.standard_normal(shape)


# -- regressions -----------------------------------------------------------------------------
# `unbroadcast(g, x) -> g` dropped the cast of g to x's float dtype: with an integer k,
# ``bx = k * k`` overflowed in uint8/int8 (silently wrong), where the general form multiplies
# floats. Now the rule needs a proven float g (or, as a factor, a proven float product).
@pytest.mark.parametrize('func', [scaled_twice, scaled_twice_left])
@pytest.mark.parametrize('dtype', [np.uint8, np.int8, np.int16])
def test_integer_data_keeps_float_arithmetic(func, dtype):
    k = np.array([100, 50, 120], dtype=dtype)
    _check(func, [np.array([0.5, 1.5, -2.0]), k], 'x', {'x': ('n',), 'k': ('n',)})


def test_bool_mask_keeps_float_arithmetic():
    m = np.array([True, False, True])
    _check(masked_twice, [np.array([0.5, 1.5, -2.0]), m], 'x', {'x': ('n',), 'm': ('n',)})


# `_build_sum` wrote ``3.0 * k * k + 2 * k``: an integer coefficient times an integer array
# overflows (int8: 2 * 100 is -56). Integer coefficients only times proven floats now.
def test_sum_coefficients_stay_float_for_integer_data():
    k = np.array([100, 50, -100], dtype=np.int8)
    _check(two_weighted_sums, [np.array([1.0, 1.0, 1.0]), k], 'x',
           {'x': ('n',), 'k': ('n',)})


def test_three_factors_with_integer_data():
    k = np.array([100, 50, -100], dtype=np.int8)
    _check(three_factors, [np.ones(3), k, k], 'x', {'x': ('n',), 'k': ('n',), 'j': ('n',)})


# The float facts (``inexact``) of templates/algebra.py were registered with the pattern
# ``True`` (the partial bound the pattern, not the replacement): no call was ever a proven
# float. np.exp(A) is one: the closed form fires for it.
def test_float_facts_of_calls():
    s2sgrad.clear_cache()
    df = s2sgrad.grad(two_weighted_sums, wrt='x', shapes={'x': ('n',), 'k': ('n',)})
    assert '2 * k' not in df.source, df.source
    from s2sgrad import rules
    specs = [s for s in rules.REWRITES if s['kind'] == 'inexact']
    assert specs and all(s['replacement'] == 'True' for s in specs)
    assert any(s['pattern'] == 'np.exp(x)' for s in specs)


# -- probes that held --------------------------------------------------------------------------
CASES = [
    (quadratic_plus, [_r(3), _r(3, 3)], 'x', {'x': ('n',), 'A': ('n', 'n')}),
    (quadratic_plus, [_r(3), _r(3, 3)], 'A', {'x': ('n',), 'A': ('n', 'n')}),
    (trace_offset, [_r(3, 4), _r(4, 3)], 'X', {'A': ('n', 'm'), 'X': ('m', 'n')}),
    # n == m at runtime: declared as different names, the trace rule must not assume it
    (trace_square, [_r(3, 3), _r(3, 3)], 'X', {'A': ('n', 'm'), 'X': ('m', 'n')}),
    (trace_square, [_r(3, 4), _r(4, 3)], 'A', {'A': ('n', 'm'), 'X': ('m', 'n')}),
    (det_stack, [_r(2, 3, 3)], 'X', {'X': ('k', 'n', 'n')}),
    (log_abs_det_stack, [_r(2, 3, 3)], 'X', {'X': ('k', 'n', 'n')}),
    (row_norms, [_r(3, 4)], 'X', {'X': ('n', 'm')}),
    (norm, [_r(2, 3, 4)], 'X', {'X': ('k', 'n', 'm')}),
    (keepdims_rows, [_r(3, 4), _r(3, 1)], 'X', {'X': ('n', 'm'), 'y': ('n', 1)}),
    (keepdims_rows, [_r(3, 4), _r(3, 1)], 'y', {'X': ('n', 'm'), 'y': ('n', 1)}),
    (column_times_vector, [_r(3, 1), _r(3)], 'x', {'x': ('n', 1), 'y': ('n',)}),
    (column_times_vector, [_r(3, 1), _r(3)], 'y', {'x': ('n', 1), 'y': ('n',)}),
    (column_times_vector, [_r(3), np.array(2.0)], 'y', {'x': ('n',), 'y': ()}),
    (dot_method, [_r(3, 4), _r(4)], 'w', {'X': ('n', 'm'), 'w': ('m',)}),
    (loop_power, [_r(3), _r(3, 3)], 'A', {'x': ('n',), 'A': ('n', 'n')}),
    (branch, [_r(3), _r(3, 3)], 'x', {'x': ('n',), 'A': ('n', 'n')}),
    (written_copy, [_r(3), _r(3, 3)], 'A', {'x': ('n',), 'A': ('n', 'n')}),
    (inverse_bilinear, [_r(3, 3) + 3 * np.eye(3), _r(3), _r(3)], 'X',
     {'X': ('n', 'n'), 'a': ('n',), 'b': ('n',)}),
]


@pytest.mark.parametrize('case', CASES, ids=[f'{c[0].__name__}-{c[2]}' for c in CASES])
def test_probe(case):
    func, args, wrt, shapes = case
    _check(func, args, wrt, shapes)


def test_float32_quadratic_keeps_dtype():
    s2sgrad.clear_cache()
    x, A = _r(3).astype(np.float32), _r(3, 3).astype(np.float32)
    got = s2sgrad.grad(quadratic_plus, wrt='x', shapes={'x': ('n',), 'A': ('n', 'n')})(x, A)
    assert got.dtype == np.float32
    expected = (A + A.T) @ x + 4 * x
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_value_and_grad_value():
    s2sgrad.clear_cache()
    x, A = _r(3), _r(3, 3)
    value, grad = s2sgrad.value_and_grad(quadratic_plus, wrt='x',
                                         shapes={'x': ('n',), 'A': ('n', 'n')})(x, A)
    np.testing.assert_allclose(value, quadratic_plus(x, A), rtol=1e-12)
    np.testing.assert_allclose(grad, central_grad(quadratic_plus, [x, A], 0), atol=1e-6)
