"""vjp, jacobian, hessian and hvp against closed forms and central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def quadratic(x, A):
    return x @ A @ x


def layer(x, W):
    return np.tanh(W @ x)


def elementwise_matrix(X):
    return np.sin(X) * 2.0 + X ** 2


def two_inputs(x, y):
    return np.stack([np.sum(x * y), np.sum(np.sin(x)) * y[0]])


def logistic(w, X, y):
    z = X @ w
    return np.sum(np.log(1.0 + np.exp(-y * z)))


def looped(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            total = total + x[i] ** 3
        else:
            total = total - np.sin(x[i])
    return total


def helper(x):
    return np.exp(x) * x


def uses_helper(x):
    return np.sum(helper(x) ** 2)


def numerical_jacobian(f, args, i, eps=1e-6):
    args = list(args)
    x = np.asarray(args[i], dtype=float)
    out = np.asarray(f(*args))
    jac = np.zeros(out.shape + x.shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        args[i] = plus
        high = np.asarray(f(*args))
        args[i] = minus
        low = np.asarray(f(*args))
        jac[(Ellipsis,) + index] = (high - low) / (2 * eps)
    return jac


RNG = np.random.default_rng(7)
X3 = RNG.standard_normal(3)
A3 = RNG.standard_normal((3, 3))
W43 = RNG.standard_normal((4, 3))


def test_hessian_of_quadratic_form_is_A_plus_A_transpose():
    np.testing.assert_allclose(s2sgrad.hessian(quadratic)(X3, A3), A3 + A3.T, rtol=1e-12)


def test_hvp_equals_hessian_times_v():
    v = RNG.standard_normal(3)
    for f, args in [(quadratic, (X3, A3)), (looped, (X3,)), (uses_helper, (X3 * 0.5,))]:
        H = s2sgrad.hessian(f)(*args)
        np.testing.assert_allclose(s2sgrad.hvp(f)(*args, v), H @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('f, args', [(looped, (X3,)), (uses_helper, (X3 * 0.5,)),
                                     (logistic, (X3, RNG.standard_normal((6, 3)),
                                                 np.sign(RNG.standard_normal(6))))])
def test_hessian_matches_differences_of_the_gradient(f, args):
    g = s2sgrad.grad(f)
    expected = numerical_jacobian(g, args, 0)
    np.testing.assert_allclose(s2sgrad.hessian(f)(*args), expected, rtol=1e-6, atol=1e-7)


def test_logistic_hessian_closed_form():
    X = RNG.standard_normal((10, 3))
    y = np.sign(RNG.standard_normal(10))
    p = 1.0 / (1.0 + np.exp(y * (X @ X3)))
    expected = (X.T * (p * (1.0 - p))) @ X
    np.testing.assert_allclose(s2sgrad.hessian(logistic)(X3, X, y), expected, rtol=1e-10)


@pytest.mark.parametrize('f, args, i', [(layer, (X3, W43), 0), (layer, (X3, W43), 1),
                                        (elementwise_matrix, (RNG.standard_normal((2, 3)),), 0),
                                        (two_inputs, (X3, X3 + 1.0), 1)])
def test_jacobian_matches_central_differences(f, args, i):
    jac = s2sgrad.jacobian(f, wrt=i)(*args)
    expected = numerical_jacobian(f, args, i)
    assert jac.shape == expected.shape
    np.testing.assert_allclose(jac, expected, rtol=1e-6, atol=1e-8)


def test_jacobian_tuple_wrt():
    jx, jy = s2sgrad.jacobian(two_inputs, wrt=(0, 1))(X3, X3 + 1.0)
    np.testing.assert_allclose(jx, numerical_jacobian(two_inputs, (X3, X3 + 1.0), 0), atol=1e-8)
    np.testing.assert_allclose(jy, numerical_jacobian(two_inputs, (X3, X3 + 1.0), 1), atol=1e-8)


def test_vjp_is_cotangent_times_jacobian():
    u = RNG.standard_normal(4)
    jac = numerical_jacobian(layer, (X3, W43), 1)
    got = s2sgrad.vjp(layer, wrt='W')(X3, W43, u)
    np.testing.assert_allclose(got, np.tensordot(u, jac, axes=1), rtol=1e-6, atol=1e-8)
    gx, gW = s2sgrad.vjp(layer, wrt=(0, 1))(X3, W43, u)
    np.testing.assert_allclose(gW, got, rtol=1e-12)
    assert gx.shape == X3.shape


def test_vjp_of_scalar_function_is_scaled_gradient():
    g = s2sgrad.grad(quadratic)(X3, A3)
    np.testing.assert_allclose(s2sgrad.vjp(quadratic)(X3, A3, 2.5), 2.5 * g, rtol=1e-12)
    expected = numerical_grad(quadratic, (X3, A3), 0)
    np.testing.assert_allclose(s2sgrad.vjp(quadratic)(X3, A3, 1.0), expected, rtol=1e-6)
