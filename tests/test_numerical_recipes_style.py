"""Numerical code written as Numerical Recipes and Fortran ports write it: helpers that
factor or step an array in place and return it, called on a copy (``ludcmp(A.copy())``,
``u = step(u.copy(), k)``); row swaps through a copied row (``tmp = a[k, :].copy()``);
``a = A * 1.0`` then ``a[i][i] += d[i]``; a helper accumulating a float (``s += b[i] *
x[i]``) whose caller then writes into the array it read. Each gradient is checked against
central differences, and the caller's arrays against what they were."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

RNG = np.random.default_rng(7)
A0 = np.eye(3) * 3.0 + RNG.uniform(-0.5, 0.5, (3, 3))
B0 = RNG.normal(size=3)


def ludcmp(a):
    """Doolittle LU without pivoting, in place; returns `a`."""
    n = a.shape[0]
    for k in range(n):
        for i in range(k + 1, n):
            a[i, k] = a[i, k] / a[k, k]
            for j in range(k + 1, n):
                a[i, j] = a[i, j] - a[i, k] * a[k, j]
    return a


def logdet_lu(A):
    lu = ludcmp(A.copy())
    s = 0.0
    for i in range(A.shape[0]):
        s = s + np.log(np.abs(lu[i, i]))
    return s


def logdet_lu_named_copy(A):
    work = np.copy(A)
    lu = ludcmp(work)
    return np.sum(np.log(np.abs(np.diag(lu))))


def eliminate(a, b):
    """Gaussian elimination in place on `a` and `b`, then back substitution."""
    n = len(b)
    for k in range(n):
        for i in range(k + 1, n):
            m = a[i, k] / a[k, k]
            for j in range(k, n):
                a[i, j] = a[i, j] - m * a[k, j]
            b[i] = b[i] - m * b[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s = s - a[i, j] * x[j]
        x[i] = s / a[i, i]
    return x


def solve_norm(A):
    return np.sum(eliminate(A.copy(), B0.copy()) ** 2)


def solve_norm_b(b):
    return np.sum(eliminate(A0.copy(), b.copy()) ** 2)


def step(u, k):
    n = len(u)
    for i in range(1, n - 1):
        u[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]) * u[i]
    return u


def integrate(x):
    u = x
    for _ in range(3):
        u = step(u.copy(), 0.1)
    return np.sum(u ** 2)


@pytest.mark.parametrize('func, x', [(logdet_lu, A0), (logdet_lu_named_copy, A0),
                                     (solve_norm, A0), (solve_norm_b, B0),
                                     (integrate, np.array([0.5, 1.0, 1.5, 0.7, 0.2]))])
def test_a_helper_changing_a_copy_in_place(func, x):
    given = x.copy()
    g = s2sgrad.grad(func)(x)
    assert np.allclose(g, numerical_grad(func, (x,), 0), rtol=1e-5, atol=1e-8)
    assert np.array_equal(x, given)


def test_a_helper_changing_a_copy_logdet_closed_form():
    g = s2sgrad.grad(logdet_lu)(A0)
    assert np.allclose(g, np.linalg.inv(A0).T)


def swap_rows(A):
    a = A.copy()
    tmp = a[0, :].copy()
    a[0, :] = a[1, :]
    a[1, :] = tmp
    return np.sum(a * np.arange(a.size).reshape(a.shape))


def pivot(A):
    a = A.copy()
    n = a.shape[0]
    for k in range(n - 1):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if p != k:
            tmp = a[k, :].copy()
            a[k, :] = a[p, :]
            a[p, :] = tmp
        for i in range(k + 1, n):
            a[i, k:] = a[i, k:] - a[i, k] / a[k, k] * a[k, k:]
    return np.sum(np.log(np.abs(np.diag(a))))


def add_diagonal(A):
    a = A * 1.0
    for i in range(A.shape[0]):
        a[i][i] = a[i][i] + B0[i] ** 2
    return np.sum(a ** 2)


def shifted(A):
    a = A - 0.5
    for i in range(A.shape[0]):
        a[i][i] += 1.0
    return np.sum(a ** 3)


@pytest.mark.parametrize('func', [swap_rows, pivot, add_diagonal, shifted])
def test_rows_and_items_of_a_copy(func):
    x = np.array([[0.2, 2.0, 1.0], [4.0, 0.5, 1.5], [1.0, 3.0, 0.3]])
    given = x.copy()
    g = s2sgrad.grad(func)(x)
    assert np.allclose(g, numerical_grad(func, (x,), 0), rtol=1e-5, atol=1e-8)
    assert np.array_equal(x, given)


def test_a_row_swap_closed_form():
    A = np.arange(6.0).reshape(2, 3)
    assert np.allclose(s2sgrad.grad(swap_rows)(A), [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]])


def dot_h(b, x):
    s = 0.0
    for i in range(len(x)):
        s += b[i] * x[i]
    return s


def scale_first(a, x):
    b = a.copy()
    s = dot_h(b, x)  # (a float: it shares nothing with `b`)
    b[0] = b[0] * s
    return np.sum(b) + s


def test_a_float_a_helper_accumulates_is_not_a_view():
    a, x = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    ga, gx = s2sgrad.grad(scale_first, wrt=(0, 1))(a, x)
    assert np.allclose(ga, [17.0, 9.0]) and np.allclose(gx, [2.0, 4.0])
    assert np.allclose(ga, numerical_grad(lambda v: scale_first(v, x), (a,), 0))


def relax(y, k):
    n = len(y)
    for i in range(n):
        y[i] += k * math.sin(y[i - 1])
    return y[0] * y[1]


def test_second_derivatives_in_a_scalar_of_a_state_written_in_place():
    y, k = np.array([0.3, -0.2, 0.5]), 0.7
    gradient = s2sgrad.grad(relax, wrt=1)
    expected = (gradient(y, k + 1e-5) - gradient(y, k - 1e-5)) / 2e-5
    assert np.isclose(s2sgrad.hessian(relax, wrt=1)(y, k), expected, rtol=1e-5)
    assert np.isclose(s2sgrad.grad(s2sgrad.grad(relax, wrt=1), wrt=1)(y, k), expected,
                      rtol=1e-5)
    assert np.array_equal(y, [0.3, -0.2, 0.5])


def lu_logdet_permuted(A):
    """LU with partial pivoting that swaps entries of a permutation list, not rows."""
    a = np.array(A, dtype=float)
    n = a.shape[0]
    perm = list(range(n))
    for k in range(n):
        p = k
        for i in range(k + 1, n):
            if abs(a[perm[i], k]) > abs(a[perm[p], k]):
                p = i
        perm[k], perm[p] = perm[p], perm[k]
        for i in range(k + 1, n):
            m = a[perm[i], k] / a[perm[k], k]
            for j in range(k, n):
                a[perm[i], j] = a[perm[i], j] - m * a[perm[k], j]
    s = 0.0
    for k in range(n):
        s = s + np.log(abs(a[perm[k], k]))
    return s


def lu_logdet_pivot_array(A):
    a = A.copy()
    n = a.shape[0]
    piv = np.arange(n)
    for k in range(n - 1):
        p = k + int(np.argmax(np.abs(a[piv[k:], k])))
        piv[k], piv[p] = piv[p], piv[k]
        for i in range(k + 1, n):
            a[piv[i], :] = a[piv[i], :] - a[piv[i], k] / a[piv[k], k] * a[piv[k], :]
    return np.sum(np.log(np.abs(a[piv, np.arange(n)])))


@pytest.mark.parametrize('func', [lu_logdet_permuted, lu_logdet_pivot_array])
def test_pivots_kept_in_a_permutation_written_in_place(func):
    x = np.array([[0.2, 2.0, 1.0], [4.0, 0.5, 1.5], [1.0, 3.0, 0.3]])
    assert np.isclose(func(x), np.log(abs(np.linalg.det(x))))
    given = x.copy()
    g = s2sgrad.grad(func)(x)
    assert np.allclose(g, np.linalg.inv(x).T)
    assert np.array_equal(x, given)
