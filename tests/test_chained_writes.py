"""Writes through a chained index, ``A[i][j] = v``, into an array the function makes
(``np.zeros``): the same as ``A[i, j] = v`` where the outer indexes are integers, and
differentiated so (it was refused as a write into the view ``A[i]``). Checked against central
differences, forward mode and second order; a chain whose outer index is a slice or whose base
is not known to be an array keeps Python's meaning (a write into a view: refused, loud)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

X = np.array([0.3, -1.2, 0.7])


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def outer_by_loops(x):
    n = len(x)
    A = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            A[i][j] = x[i] * x[j]
    return np.sum(A ** 2)


def accumulated(x):
    A = np.ones((3, 2))
    for i in range(3):
        A[i][0] += np.sin(x[i])
        A[i][1] *= x[i] ** 2
    return np.sum(A[:, 0] * A[:, 1]) + np.prod(A[0])


def enumerated_rows(x):
    A = np.zeros((len(x), 2))
    for i, v in enumerate(x):
        A[i][0] = v
        A[i][1] = v * A[i - 1][0]
    return np.sum(np.tanh(A) ** 2)


def three_levels(x):
    T = np.zeros((2, 2, 3))
    for i in range(2):
        for j in range(2):
            T[i][j][:] = x * (i + 1.0) - j
            T[i][j][j + 1] = x[i] ** 3
    return np.sum(np.cos(T))


def row_slice_written(x):
    n = 3
    B = np.zeros_like(np.outer(x, x))
    for k in range(n):
        B[k][k:] = x[k:] * x[k]
        B[n - 1 - k][0] = np.exp(x[k])
    return np.sum(B @ x)


def tuple_inner_index(x):
    C = np.zeros((2, 3, 3))
    for i in range(2):
        C[i][1, 2] = x[i] * x[2]
        C[i][0, :] = x + i
    return np.sum(C ** 3)


FUNCTIONS = [outer_by_loops, accumulated, enumerated_rows, three_levels, row_slice_written,
             tuple_inner_index]


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_matches_central_differences(f):
    x = X.copy()
    assert np.allclose(s2sgrad.grad(f)(x), numeric_grad(f, X), rtol=1e-6, atol=1e-8)
    assert np.array_equal(x, X)  # (the argument is left as it was)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_matches_reverse(f):
    t = np.array([0.4, 0.1, -0.9])
    assert np.allclose(s2sgrad.jvp(f)(X, t), numeric_grad(f, X) @ t, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('f', [outer_by_loops, enumerated_rows, tuple_inner_index],
                         ids=lambda f: f.__name__)
def test_second_order(f):
    v = np.array([0.2, -0.5, 1.0])
    df = s2sgrad.grad(f)
    expected = numeric_grad(lambda x: df(x) @ v, X)
    assert np.allclose(s2sgrad.hvp(f)(X, v), expected, rtol=1e-5, atol=1e-7)


def test_closed_form():
    # sum_ij (x_i x_j)^2 = (sum x^2)^2: its gradient is 4 x sum(x^2)
    assert np.allclose(s2sgrad.grad(outer_by_loops)(X), 4 * X * np.sum(X ** 2))


def sliced_then_indexed(x):
    A = np.zeros((3, 3))
    A[1:3][0] = x  # (a write into row 1, through the view A[1:3])
    return np.sum(A * A)


def rows_of_a_list(x):
    grid = [[0.0, 0.0], [0.0, 0.0]]
    for i in range(2):
        grid[i][1] = x[i] * 2.0
    return grid[0][1] * grid[1][1]


def index_held_in_a_variable(x):
    A = np.zeros((2, 2, 2))
    at = (1, 0)
    A[0][at] = x[0] * x[1]  # (A[0, 1, 0]: `at` is not joined as a fancy index A[0, (1, 0)])
    return np.sum(A * x[2])


@pytest.mark.parametrize('f', [sliced_then_indexed, rows_of_a_list, index_held_in_a_variable],
                         ids=lambda f: f.__name__)
def test_chains_not_joined_are_right_or_loud(f):
    try:
        got = s2sgrad.grad(f)(X)
    except S2SError:
        return
    assert np.allclose(got, numeric_grad(f, X), rtol=1e-6, atol=1e-8)
