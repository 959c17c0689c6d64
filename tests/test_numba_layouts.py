"""The compiled path on arrays of every layout, functions called through a module, constructs
numba's front end refuses, and indices out of bounds: the numbers of the plain gradient, or
an error that says so (never numba's own exception, never numbers read past an array)."""
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

import numba_helpers_module as helpers  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import CompileError, CompileFallbackWarning  # noqa: E402

numba = pytest.importorskip('numba', reason='the compiled path needs numba '
                                            '(pip install s2sgrad[numba])')

A = np.array([[2.0, 0.3, 0.1], [0.2, 1.5, -0.4], [0.0, 0.7, 3.0]])


def flat_transposed(A):
    return np.sum(A.T.reshape(-1) * np.arange(A.size))


def flat(A):
    v = A.reshape(-1)
    return np.sum(v * np.arange(v.size) * v)


def flat_by_function(A):
    return np.sum(np.reshape(A, (A.size,)) ** 3)


def reshaped_to_rows(x):
    return np.sum(np.tanh(x.reshape(2, 3)) @ np.ones(3))


@pytest.mark.parametrize('f, x', [
    (flat_transposed, A), (flat, A), (flat, A.T), (flat, A[:, ::2]), (flat, np.asfortranarray(A)),
    (flat_by_function, A.T), (reshaped_to_rows, np.arange(6.0)[::-1] / 4),
])
def test_reshape_of_any_layout(f, x):
    """numba reshapes C-contiguous arrays only (it raised NotImplementedError at run time
    for a transposed one): compiled, the array is copied first, as NumPy does."""
    df = s2sgrad.grad(f, compile='numba')
    np.testing.assert_allclose(df(x), numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)
    again = np.ascontiguousarray(x) * 0.5  # (another layout: numba compiles again)
    np.testing.assert_allclose(df(again), df.plain(again), rtol=1e-12)


def through_the_module(x):
    return np.sum(helpers.cumulative(x)) + np.sum(helpers.scaled(x) ** 2)


def inner_calls_the_module(x):
    return np.sum(np.sin(twice(x)))


def twice(x):
    return helpers.scaled(x) + x


@pytest.mark.parametrize('f', [through_the_module, inner_calls_the_module])
@pytest.mark.parametrize('motion', ['split', 'joint'])
def test_functions_called_through_a_module_are_compiled(f, motion):
    x = np.array([0.3, -1.2, 2.0, 0.7])
    df = s2sgrad.grad(f, compile='numba', motion=motion)
    np.testing.assert_allclose(df(x), numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def recursive_inner(x, n=3):
    def rec(v, k):
        if k == 0:
            return v
        return rec(math.sin(v) * 1.1, k - 1)
    return rec(x, n)


def test_what_numbas_front_end_refuses_is_a_compile_error():
    """A nested function that calls itself: numba raises NotImplementedError while it reads
    the code; that is a CompileError (or, with fallback=True, the plain gradient)."""
    with pytest.raises(CompileError, match='cell variable'):
        s2sgrad.grad(recursive_inner, compile='numba')(0.5)
    df = s2sgrad.grad(recursive_inner, compile='numba', fallback=True)
    with pytest.warns(CompileFallbackWarning):
        got = df(0.5)
    assert got == pytest.approx(numerical_grad(recursive_inner, (0.5,), 0), rel=1e-6)


def off_by_one(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * x[i + 1]
    return s


def test_an_index_out_of_bounds_raises_as_in_python():
    """numba reads past an array unless told to check: the compiled gradient of a program
    with an off-by-one gave numbers where Python raises IndexError."""
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(IndexError):
        s2sgrad.grad(off_by_one)(x)
    with pytest.raises(IndexError):
        s2sgrad.grad(off_by_one, compile='numba')(x)


def wraps_around(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * x[i - 1]
    return s


def test_negative_indices_still_count_from_the_end():
    x = np.array([0.5, -1.0, 2.0, 0.25])
    np.testing.assert_allclose(s2sgrad.grad(wraps_around, compile='numba')(x),
                               numerical_grad(wraps_around, (x,), 0), rtol=1e-6)


def array_of_an_array(x):
    y = np.array(x)
    return np.sum(y ** 2 * x)


def log_determinant(A):
    sign, ld = np.linalg.slogdet(A)
    return ld * sign


@pytest.mark.parametrize('f, x', [(array_of_an_array, np.array([0.3, -1.2, 2.0])),
                                  (log_determinant, A)])
def test_numpy_calls_numba_lacks_for_these_arguments(f, x):
    df = s2sgrad.grad(f, compile='numba')
    np.testing.assert_allclose(df(x), numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def dynamic_time_warping(a, b):
    n, m = len(a), len(b)
    D = np.full((n + 1, m + 1), 1e10)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (a[i - 1] - b[j - 1]) ** 2
            D[i, j] = cost + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return D[n, m]


def extremes_of_an_array(x):
    return max(x) * 3.0 + min(x) - max(x[1:] * 2.0)


def extremes_of_a_list(x):
    values = [x[0] * 2.0, np.sin(x[1]), x[2] - 1.0]
    return max(values) + min(values) * 0.5


@pytest.mark.parametrize('f, args', [
    (dynamic_time_warping, (np.array([0.1, 0.9, 0.4]), np.array([0.0, 1.0, 0.5, 0.3]))),
    (extremes_of_an_array, (np.array([0.3, -1.2, 2.0, 0.7]),)),
    (extremes_of_a_list, (np.array([0.3, -1.2, 2.0]),)),
])
def test_builtin_max_and_min_of_several_values(f, args):
    """``min(a, b, c)`` and ``max(x)`` of an array or a list: the adjoint goes to the first
    of equal values, as Python returns it (the compiled helper took two values only)."""
    wrt = tuple(range(len(args)))
    df = s2sgrad.grad(f, wrt=wrt, compile='numba')
    got = df(*args)
    for i in wrt:
        np.testing.assert_allclose(got[i], numerical_grad(f, args, i), rtol=1e-6, atol=1e-8)
    v = np.linspace(0.5, -0.5, args[0].size)
    jvp = s2sgrad.jvp(f, compile='numba')(*args, v)
    assert jvp == pytest.approx(float(np.dot(got[0], v)), rel=1e-9, abs=1e-12)


def sum_of_squares(*values):
    total = 0.0
    for v in values:
        total += v * v
    return total


def calls_with_several_values(x):
    return sum_of_squares(x, x * 2.0, 3.0, math.sin(x))


def test_a_loop_over_a_tuple_of_numbers():
    """``for v in values`` of ``*values``: the adjoint of the tuple is added item by item at
    positions known at run time."""
    df = s2sgrad.grad(calls_with_several_values, compile='numba')
    for x in (0.5, -1.25, 2.0, 0.5):
        assert df(x) == pytest.approx(numerical_grad(calls_with_several_values, (x,), 0),
                                      rel=1e-6)


def laplacian_energy(x, adjacency):
    laplacian = np.diag(adjacency.sum(axis=1)) - adjacency
    return x @ laplacian @ x


def graph_smoothing(x, adjacency):
    return np.sum(np.tanh(adjacency @ x)) + np.dot(adjacency, x) @ x + x.dot(adjacency) @ x


def weighted_outer(x, counts):
    return np.sum(np.outer(counts, x) * np.outer(np.sin(counts), x))


def integer_products_inside(x, adjacency, walks):
    paths = adjacency @ walks  # (integers only: NumPy's integer product)
    return np.sum(x * paths) + float(np.dot(walks, walks)) * np.sum(x ** 2)


def mixed_precision(x, w):
    return np.sum((w @ x) ** 2)


@pytest.mark.parametrize('f, args', [
    (laplacian_energy, (np.array([0.3, -1.2, 2.0, 0.7]),
                        np.array([[0, 1, 1, 0], [1, 0, 2, 1], [1, 2, 0, 0], [0, 1, 0, 0]]))),
    (graph_smoothing, (np.array([0.3, -0.2, 0.5]), np.array([[1, 2, 0], [0, 1, 3], [2, 0, 1]]))),
    (weighted_outer, (np.array([0.3, -0.2, 0.5]), np.arange(1, 5))),
    (integer_products_inside, (np.array([0.3, -0.2, 0.5]),
                               np.array([[1, 2, 0], [0, 1, 3], [2, 0, 1]]), np.array([2, 0, 1]))),
    (mixed_precision, (np.array([0.3, -0.2, 0.5]), np.ones((2, 3), np.float32) / 3)),
    (mixed_precision, (np.array([0.3, -0.2, 0.5]), np.array([[True, False, True]]))),
])
def test_products_of_integer_and_float_arrays(f, args):
    """``A @ x``, ``np.dot``, ``a.dot(b)`` and ``np.outer`` of integer (boolean, float32)
    arrays with float64 ones, and of integers alone: numba's products take floats of one
    dtype (a graph Laplacian of an integer adjacency matrix raised CompileError)."""
    df = s2sgrad.grad(f, compile='numba')
    np.testing.assert_allclose(df(*args), numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    v = np.linspace(0.5, -0.5, args[0].size)
    jvp = s2sgrad.jvp(f, compile='numba')(*args, v)
    assert jvp == pytest.approx(float(np.dot(df(*args), v)), rel=1e-9, abs=1e-12)


def test_integer_and_boolean_products_keep_numpys_dtype():
    """A product of integers (or booleans) alone is NumPy's: computed in float64 and cast
    back, exact while its sums stay within 2**53."""
    from s2sgrad import numba_runtime
    ints = np.array([[3, -1], [2, 5]])
    flags = np.array([[True, False], [False, False]])

    @numba.njit
    def products(a, b, p, q):
        return numba_runtime.matmul(a, b), numba_runtime.dot(a[0], b[1]), \
            numba_runtime.outer(a[0], b[1]), numba_runtime.matmul(p, q)

    got = products(ints, ints.T * 7, flags, flags.T)
    want = (ints @ (ints.T * 7), np.dot(ints[0], (ints.T * 7)[1]),
            np.outer(ints[0], (ints.T * 7)[1]), flags @ flags.T)
    for g, w in zip(got, want):
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(g, w)
