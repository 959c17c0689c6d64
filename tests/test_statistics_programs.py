"""Statistics code as data scientists write it (review W): likelihood loops that bail out early,
covariance matrices made with ``np.diag`` of a list, objectives that forward ``*args``."""
import numpy as np
import pytest

import s2sgrad

from rulespec import central_gradient


def bails_out(x):
    total = 0.0
    for i in range(3):
        total += x * (i + 1.0)
        if total > 1e6:  # divergence: give up
            return total
    return total


def squared_errors(theta, y):
    total = 0.0
    for i in range(len(y)):
        total += (y[i] - theta[0]) ** 2
        if total > 1e6:
            return total
    return total + theta[1] ** 3


def array_bails_out(x):
    acc = np.zeros(3)
    for i in range(4):
        acc += np.sin(x) * i
        if np.max(np.abs(acc)) > 1e6:
            return np.sum(acc)
    return np.sum(acc ** 2)


def test_returning_the_accumulator_from_inside_the_loop():
    """The generated alias check read the return slot before anything had assigned it
    (``UnboundLocalError: result``) in every operator."""
    assert s2sgrad.grad(bails_out)(0.5) == pytest.approx(6.0)
    assert s2sgrad.value_and_grad(bails_out)(0.5)[1] == pytest.approx(6.0)
    assert s2sgrad.jvp(bails_out)(0.5, 1.0) == pytest.approx(6.0)
    assert s2sgrad.hessian(bails_out)(0.5) == pytest.approx(0.0)
    theta, y = np.array([0.5, 1.2]), np.array([1.0, 2.0, -1.0])
    want = np.array([np.sum(-2 * (y - theta[0])), 3 * theta[1] ** 2])
    np.testing.assert_allclose(s2sgrad.grad(squared_errors)(theta, y), want, rtol=1e-12)
    x = np.array([0.3, -0.8, 1.1])
    np.testing.assert_allclose(s2sgrad.grad(array_bails_out)(x),
                               central_gradient(array_bails_out, x), rtol=1e-6)


def process_noise(p):
    Q = np.diag([np.exp(p[0]), p[1] ** 2])
    return np.sum(Q @ Q)


def test_diag_of_a_list_of_numbers():
    """``np.diag([a, b])`` took the list for a matrix in its adjoint (TypeError)."""
    p = np.array([0.3, 0.7])
    want = [2 * np.exp(2 * p[0]), 4 * p[1] ** 3]
    np.testing.assert_allclose(s2sgrad.grad(process_noise)(p), want, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jvp(process_noise)(p, np.array([1.0, 0.0])), want[0],
                               rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.hessian(process_noise)(p),
                               np.diag([4 * np.exp(2 * p[0]), 12 * p[1] ** 2]), rtol=1e-10)


def negative_log_likelihood(theta, X, y):
    z = X @ theta
    return np.sum(np.logaddexp(0, z) - y * z)


def objective(theta, *args):  # as scipy.optimize.minimize(objective, x0, args=(X, y)) calls it
    return negative_log_likelihood(theta, *args) + 0.5 * theta @ theta


def objective_unpacked(theta, *args):
    X, y = args
    return negative_log_likelihood(theta, X, y) + 0.5 * theta @ theta


def test_objective_passing_its_args_on():
    """``objective(theta, *args)`` passing `args` on was refused as a decorator's wrapper (and
    then as a starred expression); its tuple is unpacked for the function it calls."""
    X = np.array([[1.0, 0.5], [1.0, -0.3], [1.0, 1.2]])
    y = np.array([1.0, 0.0, 1.0])
    theta = np.array([0.2, -0.1])
    want = central_gradient(lambda t: objective(t, X, y), theta)
    for func in (objective, objective_unpacked):
        np.testing.assert_allclose(s2sgrad.grad(func)(theta, X, y), want, rtol=1e-6)
        np.testing.assert_allclose(s2sgrad.jvp(func)(theta, X, y, np.ones(2)), want.sum(),
                                   rtol=1e-6)
    gradient = s2sgrad.grad(objective)
    columns = [(gradient(theta + 1e-6 * e, X, y) - gradient(theta - 1e-6 * e, X, y)) / 2e-6
               for e in np.eye(2)]
    np.testing.assert_allclose(s2sgrad.hessian(objective)(theta, X, y), np.transpose(columns),
                               atol=1e-6)
    with pytest.raises(ValueError):  # (as the call with one argument too many would raise)
        gradient(theta, X, y, 5.0)
