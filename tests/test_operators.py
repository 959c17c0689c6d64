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


def two_argument_loss(x, W):
    return np.sum(np.tanh(W @ x) ** 2) + np.sum(x ** 3)


def test_hessian_and_hvp_with_tuple_wrt():
    x, W = X3 * 0.5, W43 * 0.5
    blocks = s2sgrad.hessian(two_argument_loss, wrt=(0, 1))(x, W)
    gx = s2sgrad.grad(two_argument_loss, wrt=0)
    gW = s2sgrad.grad(two_argument_loss, wrt=1)
    np.testing.assert_allclose(blocks[0][0], numerical_jacobian(gx, (x, W), 0), atol=1e-7)
    np.testing.assert_allclose(blocks[0][1], numerical_jacobian(gx, (x, W), 1), atol=1e-7)
    np.testing.assert_allclose(blocks[1][0], numerical_jacobian(gW, (x, W), 0), atol=1e-7)
    np.testing.assert_allclose(blocks[1][1], numerical_jacobian(gW, (x, W), 1), atol=1e-7)
    vx, vW = RNG.standard_normal(3), RNG.standard_normal((4, 3))
    hx, hW = s2sgrad.hvp(two_argument_loss, wrt=(0, 1))(x, W, (vx, vW))
    expected_x = blocks[0][0] @ vx + np.tensordot(blocks[0][1], vW, axes=2)
    expected_W = np.tensordot(blocks[1][0], vx, axes=1) + np.tensordot(blocks[1][1], vW, axes=2)
    np.testing.assert_allclose(hx, expected_x, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hW, expected_W, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize('f, args, i', [(layer, (X3, W43), 0), (layer, (X3, W43), 1),
                                        (elementwise_matrix, (RNG.standard_normal((2, 3)),), 0),
                                        (two_inputs, (X3, X3 + 1.0), 0)])
def test_jvp_and_vjp_are_adjoint(f, args, i):
    """<u, J v> == <u J, v> for random u and v, forward mode against reverse mode."""
    out = np.asarray(f(*args))
    v = RNG.standard_normal(np.shape(args[i]))
    u = RNG.standard_normal(out.shape)
    jv = s2sgrad.jvp(f, wrt=i)(*args, v)
    uj = s2sgrad.vjp(f, wrt=i)(*args, u)
    np.testing.assert_allclose(np.sum(u * jv), np.sum(uj * v), rtol=1e-10)


@pytest.mark.parametrize('f, args, i', [(layer, (X3, W43), 0), (layer, (X3, W43), 1),
                                        (two_inputs, (X3, X3 + 1.0), 1)])
def test_forward_and_reverse_jacobians_agree(f, args, i):
    forward = s2sgrad.jacobian(f, wrt=i, mode='fwd')(*args)
    reverse = s2sgrad.jacobian(f, wrt=i, mode='rev')(*args)
    np.testing.assert_allclose(forward, reverse, rtol=1e-10, atol=1e-14)


def test_third_derivative_through_a_loop():
    def power_loop(x):
        y = 1.0
        for _ in range(4):
            y = y * x
        return y
    import inspect  # noqa: F401  (power_loop is defined in this file, so it has source)
    d3 = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(power_loop)))
    assert abs(d3(1.5) - 24 * 1.5) < 1e-9


ACTIVATION = np.tanh


def activated(x):
    return ACTIVATION(x) * x[0]


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_a_jacobian_kept_across_calls_follows_a_global_function_rebound(mode):
    # (it keeps its products between calls, remade where a name they pinned was rebound)
    global ACTIVATION
    x = np.array([0.5, -1.0, 2.0])
    jac = s2sgrad.jacobian(activated, mode=mode)
    for act, deriv in [(np.tanh, lambda v: 1.0 - np.tanh(v) ** 2), (np.sin, np.cos)]:
        ACTIVATION = act
        try:
            want = np.diag(deriv(x) * x[0])
            want[:, 0] += act(x)
            np.testing.assert_allclose(jac(x), want, rtol=1e-12)
            np.testing.assert_allclose(jac(x), want, rtol=1e-12)
        finally:
            ACTIVATION = np.tanh
