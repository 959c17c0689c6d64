"""User-style programs with np.append, np.vsplit/hsplit/dsplit, np.row_stack, np.partition,
np.nan_to_num and ``x.astype``: checked against central differences (`check_grads`) or closed
forms, and the forms that are refused, refused loudly."""
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import ComplexError, NoRuleError

try:
    import scipy.special as special
except ImportError:  # (scipy is optional: its test skips)
    special = None

RNG = np.random.default_rng(7)
X = RNG.normal(size=(5, 4))
Y = RNG.normal(size=(5, 2))


# -- splitting a design matrix, appending a bias -------------------------------------------------

def split_features(X, w):
    """A linear model on the left half of X, fitted to the right half."""
    inputs, targets = np.hsplit(X, 2)
    return np.mean((inputs @ w - targets) ** 2)


def test_hsplit_in_a_least_squares_loss():
    w = RNG.normal(size=(2, 2))
    s2sgrad.check_grads(split_features, (X, w), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    inputs, targets = X[:, :2], X[:, 2:]
    expected = 2.0 * inputs.T @ (inputs @ w - targets) / targets.size
    np.testing.assert_allclose(s2sgrad.grad(split_features, wrt=1)(X, w), expected)


def affine(w, b, X):
    params = np.append(w, b)          # (w..., b): one flat parameter vector
    weights, bias = params[:-1], params[-1]
    return np.sum(np.tanh(X @ weights + bias) ** 2)


def test_append_a_bias_to_weights():
    w, b = RNG.normal(size=4), 0.3
    s2sgrad.check_grads(affine, (w, b, X), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    z = np.tanh(X @ w + b)
    gw, gb = s2sgrad.grad(affine, wrt=(0, 1))(w, b, X)
    np.testing.assert_allclose(gw, X.T @ (2 * z * (1 - z ** 2)))
    np.testing.assert_allclose(gb, np.sum(2 * z * (1 - z ** 2)))


def append_rows(A, row):
    return np.sum(np.append(A, row[None, :] ** 2, axis=0) @ np.ones(4))


def test_append_along_an_axis():
    A, row = RNG.normal(size=(3, 4)), RNG.normal(size=4)
    s2sgrad.check_grads(append_rows, (A, row), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    np.testing.assert_allclose(s2sgrad.grad(append_rows, wrt=1)(A, row), 2 * row)


def append_list(w, b):
    return np.sum(np.append(w, [b, 2 * b]) ** 2)


def test_append_a_list_of_numbers():
    s2sgrad.check_grads(append_list, (RNG.normal(size=3), 0.5), wrt=(0, 1),
                        modes=('rev', 'fwd'), order=2)
    np.testing.assert_allclose(s2sgrad.grad(append_list, wrt=1)(np.ones(3), 0.5), 10 * 0.5)


def blocks(X):
    top, bottom = np.vsplit(X[:4], 2)
    first, rest = np.dsplit(X.reshape(5, 2, 2), [1])
    return np.sum(top * bottom) + np.sum(first ** 2) - np.sum(np.sin(rest))


def test_vsplit_and_dsplit_in_one_program():
    s2sgrad.check_grads(blocks, (X,), modes=('rev', 'fwd'), order=2)


def halves_of_a_vector(v):
    a, b, c = np.hsplit(v, [1, 3])
    return np.sum(a) * np.sum(b ** 2) + np.sum(c) ** 2


def test_hsplit_of_a_vector_splits_axis_0():
    s2sgrad.check_grads(halves_of_a_vector, (RNG.normal(size=6),), modes=('rev', 'fwd'), order=2)


def rows(x):
    return np.sum(np.row_stack([x, 2.0 * x]) ** 2)


def test_row_stack_where_numpy_has_it():
    if not hasattr(np, 'row_stack'):
        pytest.skip(f'np.row_stack is gone in NumPy {np.__version__}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        x = RNG.normal(size=3)
        np.testing.assert_allclose(s2sgrad.grad(rows)(x), 10 * x)
        s2sgrad.check_grads(rows, (x,), modes=('rev', 'fwd'), order=2)


# -- partition: the k smallest values ----------------------------------------------------------

def smallest_two(x):
    return np.sum(np.partition(x, 1)[:2] ** 2)


def test_partition_keeps_the_two_smallest():
    x = np.array([0.7, -0.2, 1.5, 0.1, -0.9])
    expected = np.where(np.isin(x, np.sort(x)[:2]), 2 * x, 0.0)
    np.testing.assert_allclose(s2sgrad.grad(smallest_two)(x), expected)
    s2sgrad.check_grads(smallest_two, (x,), modes=('rev', 'fwd'), order=2)


def column_medians(A):
    return np.sum(np.partition(A, 2, axis=0)[2] * np.arange(1.0, 5.0))


def test_partition_along_axis_0_picks_the_medians():
    A = RNG.normal(size=(5, 4))
    expected = np.zeros_like(A)
    expected[np.argsort(A, axis=0)[2], np.arange(4)] = np.arange(1.0, 5.0)
    np.testing.assert_allclose(s2sgrad.grad(column_medians)(A), expected)
    s2sgrad.check_grads(column_medians, (A,), modes=('rev', 'fwd'), order=2)


def test_partition_order_matches_the_result_when_argpartition_orders_otherwise():
    from s2sgrad.templates.indexing import _partition_order
    a = np.array([[3.0, 1.0, 2.0, 5.0, 4.0], [0.5, 0.4, 0.3, 0.2, 0.1]])
    result = np.array([[2.0, 1.0, 3.0, 5.0, 4.0], [0.2, 0.1, 0.3, 0.5, 0.4]])  # a valid kth=2
    order = _partition_order(a, 2, -1, result)
    np.testing.assert_array_equal(np.take_along_axis(a, order, -1), result)


def test_in_place_partition_method_is_loud():
    def f(x):
        y = x * 1.0
        y.partition(1)
        return np.sum(y ** 2 * np.arange(3.0))
    with pytest.raises(NoRuleError, match='partition'):
        s2sgrad.grad(f)(np.array([3.0, 1.0, 2.0]))


# -- nan_to_num -------------------------------------------------------------------------------

def safe_log_loss(x):
    return np.sum(np.nan_to_num(np.log(x)) ** 2)


def test_nan_to_num_of_a_log():
    x = RNG.uniform(0.5, 2.0, size=4)
    np.testing.assert_allclose(s2sgrad.grad(safe_log_loss)(x), 2 * np.log(x) / x)
    s2sgrad.check_grads(safe_log_loss, (x,), modes=('rev', 'fwd'), order=2)


def clean(x, fill):
    raw = x + np.array([0.0, np.inf, -np.inf, np.nan])
    return np.sum(np.nan_to_num(raw, nan=fill, posinf=fill, neginf=-fill) * np.arange(1.0, 5.0))


def test_nan_to_num_zeroes_the_derivative_where_it_replaced():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(s2sgrad.grad(clean, wrt=0)(x, 5.0), [1.0, 0.0, 0.0, 0.0])
    assert s2sgrad.jvp(clean, wrt=0)(x, 5.0, np.ones(4)) == 1.0
    # the replacements: fill (weight 2), -fill (weight 3), fill (weight 4)
    assert s2sgrad.grad(clean, wrt=1)(x, 5.0) == pytest.approx(2.0 - 3.0 + 4.0)
    s2sgrad.check_grads(clean, (x, 5.0), wrt=(0, 1), modes=('rev', 'fwd'), order=2)


# -- astype ------------------------------------------------------------------------------------

def mixed_precision(w, X):
    return np.sum((X.astype(np.float32) @ w.astype(np.float32)) ** 2)


def test_astype_float32_inside_a_loss():
    w = RNG.normal(size=4)
    g = s2sgrad.grad(mixed_precision)(w, X)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * X.T @ (X @ w), rtol=1e-4)
    # quadratic: central differences with a large step are exact up to float32 rounding
    s2sgrad.check_grads(mixed_precision, (w, X), wrt=(0, 1), modes=('rev', 'fwd'), order=2,
                        eps=1e-2, rtol=1e-3, atol=1e-3)
    dy = s2sgrad.jvp(mixed_precision)(w, X, np.ones(4))
    assert dy == pytest.approx(np.sum(2 * (X @ w) * (X @ np.ones(4))), rel=1e-4)


def bucketed(x):
    return np.sum(x * x.astype(int)) + np.sum(x ** 2 * (x > 0).astype(np.float64))


def test_astype_int_is_a_constant():
    x = np.array([1.5, -2.25, 0.4, 3.7])
    np.testing.assert_allclose(s2sgrad.grad(bucketed)(x),
                               x.astype(int) + 2 * x * (x > 0))
    assert s2sgrad.jvp(bucketed)(x, np.ones(4)) == pytest.approx(
        np.sum(x.astype(int) + 2 * x * (x > 0)))
    s2sgrad.check_grads(bucketed, (x,), modes=('rev', 'fwd'), order=2)


def up_and_down(x):
    return np.sum(x.astype(np.float64) ** 2)


def test_astype_gradient_has_the_argument_dtype():
    x = np.linspace(0.1, 0.9, 4, dtype=np.float32)
    g = s2sgrad.grad(up_and_down)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * x, rtol=1e-6)


def function_form(x, X):
    """NumPy 2.1's ``np.astype(x, dtype)`` (the function), as ``x.astype`` is used."""
    return np.sum(np.sin(np.astype(X, np.float32) @ np.astype(x, np.float64, copy=False))) + \
        np.sum(x * np.astype(x, int))


@pytest.mark.skipif(not hasattr(np, 'astype'), reason='np.astype is new in NumPy 2.1')
def test_np_astype_function_form():
    x = np.array([1.5, -2.25, 0.4, 3.7])
    X32 = X.astype(np.float32)
    g = s2sgrad.grad(function_form)(x, X)
    np.testing.assert_allclose(g, X32.T @ np.cos(X32 @ x) + x.astype(int), rtol=1e-6)
    s2sgrad.check_grads(function_form, (x, X), modes=('rev', 'fwd'), order=2)
    x32 = x.astype(np.float32)
    assert s2sgrad.grad(function_form)(x32, X).dtype == np.float32
    with pytest.raises(ComplexError, match='astype'):
        s2sgrad.grad(to_complex_function)(x)


def to_complex_function(x):
    return np.sum(np.abs(np.astype(x, complex)) ** 2)


def to_complex(x):
    return np.sum(np.abs(x.astype(complex)) ** 2)


@pytest.mark.parametrize('mode', ['grad', 'jvp'])
def test_astype_complex_is_loud(mode):
    x = np.ones(3)
    with pytest.raises(ComplexError, match='astype'):
        if mode == 'grad':
            s2sgrad.grad(to_complex)(x)
        else:
            s2sgrad.jvp(to_complex)(x, x)


# -- generated code reads as one would write it -------------------------------------------------

def test_generated_code_reads_well():
    source = s2sgrad.grad(split_features, wrt=(0, 1)).source
    assert "s2s.rejoin(" in source and "'hstack'" in source
    source = s2sgrad.grad(affine, wrt=(0, 1)).source
    assert 's2s.unjoin(' in source
    source = s2sgrad.jvp(affine, wrt=(0, 1)).source
    assert 'np.append(' in source
    assert 's2s.cast_back(' in s2sgrad.grad(mixed_precision).source
    assert 'np.isfinite(' in s2sgrad.grad(safe_log_loss).source
    assert "s2s.unpartition(" in s2sgrad.grad(smallest_two).source


# -- a slice written from the array itself ------------------------------------------------------

def reversed_in_place(x):
    y = x.copy()
    y[::-1] = y
    return np.sum(np.arange(4.0) * y ** 2)


def copied_onto_itself(x):
    y = x * 1.0
    y[:] = y
    y[1:3] = y[0:2]
    return np.sum(np.arange(4.0) * np.sin(y))


@pytest.mark.parametrize('f', [reversed_in_place, copied_onto_itself])
def test_a_slice_written_from_the_array_itself(f):
    """``y[::-1] = y``: the right side's share of the adjoint is read before the written part
    is zeroed (it was added, then zeroed: a silent zero found by a port of a peer's tests)."""
    s2sgrad.check_grads(f, (np.array([0.3, -1.2, 0.7, 2.0]),), modes=('rev', 'fwd'))
    g = s2sgrad.grad(reversed_in_place)(np.ones(4))
    np.testing.assert_allclose(g, 2 * np.arange(4.0)[::-1])


def copy_in_fortran_order(x):
    return np.sum(x.copy(order='F') ** 2 * np.arange(6.0).reshape(2, 3)) + np.sum(
        np.copy(x, order='C') ** 3)


def test_copy_with_an_order():
    s2sgrad.check_grads(copy_in_fortran_order, (np.arange(6.0).reshape(2, 3) / 7,),
                        modes=('rev', 'fwd'), order=2)


def spence_of(x):
    return special.spence(x)


def test_spence_at_one_has_its_limit():
    if special is None:
        pytest.skip('scipy is not installed')
    assert s2sgrad.grad(spence_of)(1.0) == pytest.approx(-1.0)
    assert s2sgrad.grad(spence_of)(1.0 + 1e-4) == pytest.approx(-1.0, abs=1e-3)
