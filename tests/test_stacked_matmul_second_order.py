"""Second derivatives through ``@`` of stacks of matrices (3-D operands, a 2-D matrix times a
stack, a batched solve): the adjoint of the matmul adjoint is itself a matmul, not
``np.dot``, which contracts stacks differently. Checked against the Hessian (forward over
reverse) and differences of the gradient."""
import numpy as np
import pytest

import s2sgrad

RNG = np.random.default_rng(11)
STACK = RNG.normal(size=(2, 2, 2))
MATRIX = RNG.normal(size=(2, 2))


def squared_product(s, A):
    B = s * A
    return np.sum((B @ B) ** 2)


def matrix_times_stack(s, A):
    return np.sum((s * MATRIX) @ (A * s) ** 2)


def stack_times_matrix(s, A):
    return np.sum(np.tanh((A * s) @ (s * MATRIX)))


def covariance_stack(s, A):
    L = s * A
    return np.sum(np.trace(L @ np.swapaxes(L, -1, -2), axis1=1, axis2=2) ** 2)


def batched_solve(s, A):
    M = A + 3.0 * np.eye(2)
    return np.sum(np.linalg.solve(M, s * MATRIX[None] + M) ** 2) * s


@pytest.mark.parametrize('func', [squared_product, matrix_times_stack, stack_times_matrix,
                                  covariance_stack, batched_solve])
def test_second_derivatives_through_stacked_products(func):
    s = 0.7
    gradient = s2sgrad.grad(func)
    eps = 1e-5
    expected = (gradient(s + eps, STACK) - gradient(s - eps, STACK)) / (2 * eps)
    assert np.isclose(s2sgrad.hessian(func)(s, STACK), expected, rtol=1e-5)
    assert np.isclose(s2sgrad.grad(s2sgrad.grad(func))(s, STACK), expected, rtol=1e-5)
    assert np.isclose(s2sgrad.vjp(s2sgrad.grad(func))(s, STACK, 1.0), expected, rtol=1e-5)


def test_mixed_second_derivatives_in_the_stack():
    s = 0.7
    wrt_stack = s2sgrad.grad(squared_product, wrt=1)
    jac = s2sgrad.jacobian(s2sgrad.grad(squared_product), wrt=1)(s, STACK)
    eps = 1e-6
    expected = np.zeros(STACK.shape)
    for index in np.ndindex(*STACK.shape):
        step = np.zeros(STACK.shape)
        step[index] = eps
        expected[index] = (s2sgrad.grad(squared_product)(s, STACK + step) -
                           s2sgrad.grad(squared_product)(s, STACK - step)) / (2 * eps)
    assert np.allclose(jac, expected, rtol=1e-5, atol=1e-7)
    assert wrt_stack(s, STACK).shape == STACK.shape
