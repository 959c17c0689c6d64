"""Programs from this session's review of NumPy rules: second derivatives through the SVD at a
matrix with a zero singular value, gradients of empty arrays (an empty batch), and the dtype of
an integer argument's gradient. Expected values are closed forms."""
import importlib.util
import warnings

import numpy as np
import pytest

import s2sgrad

X = np.array([0.3, -1.2, 0.8])
V = np.array([1.0, 0.5, -0.3])


def nuclear_of_repeated_rows(x):
    return np.linalg.norm(np.stack([x, x]), 'nuc')  # sqrt(2) |x|: rank 1 for every x


def singular_values_summed(x):
    return np.sum(np.linalg.svd(np.stack([x, x]), compute_uv=False))  # the same function


def smallest_singular_value(x):
    return np.linalg.norm(np.stack([x, x]), -2)  # 0 for every x


def nuclear_of_outer(x):
    return np.linalg.norm(np.outer(x, x[::-1]), 'nuc')  # |x|^2


def _root_two_norm_hvp(x, v):
    n = np.linalg.norm(x)
    return np.sqrt(2) * (v / n - x * (x @ v) / n ** 3)


@pytest.mark.parametrize('f, expected', [
    (nuclear_of_repeated_rows, _root_two_norm_hvp(X, V)),
    (singular_values_summed, _root_two_norm_hvp(X, V)),
    (smallest_singular_value, np.zeros(3)),
    (nuclear_of_outer, 2 * V),
], ids=lambda v: getattr(v, '__name__', ''))
def test_second_order_through_a_zero_singular_value(f, expected):
    # the derivative where the rank stays what it is (1/s of a rounded zero was noise: 1e18)
    np.testing.assert_allclose(s2sgrad.hvp(f)(X, V), expected, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.hessian(f)(X) @ V, expected, atol=1e-8)


def products_of_rows(x):
    return np.sum(np.prod(x, axis=1))


def products_of_columns_kept(x):
    return np.sum(np.prod(x, axis=0, keepdims=True))


def nan_products_of_rows(x):
    return np.sum(np.nanprod(x, axis=1))


def differences_down(x):
    return np.sum(np.diff(x, axis=0) ** 2)


def largest_in_columns(x):
    return np.sum(np.linalg.norm(x, np.inf, axis=0))


def medians_of_rows(x):
    return np.nansum(np.median(x, axis=1))


def quantiles_of_columns(x):
    return np.nansum(np.quantile(x, [0.3, 0.6], axis=0))


def padded(x):
    return np.sum(np.pad(x, 1) * 2.0)


EMPTY = [products_of_rows, products_of_columns_kept, nan_products_of_rows, differences_down,
         largest_in_columns, medians_of_rows, quantiles_of_columns, padded]


@pytest.mark.parametrize('shape', [(0, 3), (3, 0), (0, 0)])
@pytest.mark.parametrize('f', EMPTY, ids=lambda f: f.__name__)
def test_gradients_of_empty_arrays(f, shape):
    x = np.ones(shape)
    with np.errstate(all='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)  # (NumPy's mean of an empty slice)
        try:
            f(x)
        except (ValueError, IndexError):
            pytest.skip('NumPy itself raises for this shape')
        g = s2sgrad.grad(f)(x)
        assert g.shape == shape and g.dtype == np.float64
        assert s2sgrad.jvp(f)(x, np.ones(shape)) == 0.0
        assert s2sgrad.hvp(f)(x, np.ones(shape)).shape == shape


def sine_weighted(x):
    return np.sum(np.sin(x) * x)


@pytest.mark.parametrize('x', [np.array([1, 2, 3], np.int8), np.array([1, 2, 3], np.uint16),
                               np.array([True, False])], ids=str)
@pytest.mark.parametrize('compile', [None, 'numba'])
def test_an_integer_arrays_gradient_is_float64(x, compile):
    if compile and importlib.util.find_spec('numba') is None:
        pytest.skip('the compiled path needs numba (pip install s2sgrad[numba])')
    g = s2sgrad.grad(sine_weighted, compile=compile)(x)
    assert g.dtype == np.float64
    # (the value has the precision of NumPy's own arithmetic on `x`: float16 for int8)
    xf = x.astype(float)
    np.testing.assert_allclose(g, np.cos(xf) * xf + np.sin(xf), atol=3e-3)


def test_a_bool_arguments_gradient_is_a_float():
    g = s2sgrad.grad(sine_weighted)(True)
    assert type(g) is float
    np.testing.assert_allclose(g, np.cos(1.0) + np.sin(1.0), rtol=2e-3)


def jittered_inverse_sum(K, s2):
    K = K @ K.T
    K[np.diag_indices_from(K)] += s2  # (indices: integers, no derivative)
    return np.sum(np.linalg.inv(K))


def test_diagonal_indices_of_a_matrix_written_into():
    K = np.eye(3) + 0.1
    gK, gs = s2sgrad.grad(jittered_inverse_sum, wrt=(0, 1))(K, 0.5)
    A = K @ K.T + 0.5 * np.eye(3)
    inv = np.linalg.inv(A)
    ones = np.ones((3, 3))
    g_A = -inv.T @ ones @ inv.T  # d sum(inv(A)) / dA
    np.testing.assert_allclose(gK, (g_A + g_A.T) @ K)
    np.testing.assert_allclose(gs, np.trace(g_A))


def noise_of_the_shape(h):
    noise = np.ones((*h.shape, 2)) * 0.5
    return np.sum(h[..., None] * noise) + np.sum(h * (np.random.rand(*h.shape) > 2.0))


def test_a_starred_shape_in_a_call():
    h = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(s2sgrad.grad(noise_of_the_shape)(h), np.ones((2, 3)))
    np.testing.assert_allclose(s2sgrad.jvp(noise_of_the_shape)(h, np.ones((2, 3))), 6.0)
