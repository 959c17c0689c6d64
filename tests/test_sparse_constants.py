"""Constant operands that are not plain arrays: SciPy sparse matrices and arrays in ``@`` and
``.dot`` (adjoint ``A.T @ g``), differentiated sparse operands refused, masked arrays refused
(their reductions skip masked entries), objects whose operators give no number refused."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import OperandError, S2SError

sparse = pytest.importorskip('scipy.sparse', reason='scipy is not installed')

A = sparse.random(4, 3, density=0.6, random_state=1, format='csr')


def matvec(x, A): return np.sum((A @ x) ** 2)
def dotted(x, A): return np.sum(np.tanh(A.dot(x)))
def vecmat(y, A): return np.sum((y @ A) ** 2)
def matmat(X, A): return np.sum((A @ X) ** 2)


def laplacian_energy(u, L):
    # a graph Laplacian as a sparse matrix: the usual smoothness energy
    return 0.5 * u @ (L @ u) + np.sum(u ** 4)


@pytest.mark.parametrize('kind', [sparse.csr_matrix, getattr(sparse, 'csr_array', None)])
@pytest.mark.parametrize('f, x', [(matvec, np.arange(3.0)), (dotted, np.arange(3.0) * 0.3),
                                  (vecmat, np.arange(4.0)), (matmat, np.ones((3, 2)))])
def test_products_with_a_sparse_constant(kind, f, x):
    if kind is None:
        pytest.skip('this SciPy has no sparse arrays')
    M = kind(A)
    g = s2sgrad.grad(f)(x, M)
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, numerical_grad(f, (x, M), 0), rtol=1e-6, atol=1e-9)
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, M, v), np.sum(g * v), rtol=1e-6, atol=1e-9)


def test_laplacian_energy_and_its_hessian():
    n = 5
    L = sparse.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1],
                     format='csr')
    u = np.linspace(-1.0, 1.0, n)
    g = s2sgrad.grad(laplacian_energy)(u, L)
    np.testing.assert_allclose(g, L @ u + 4 * u ** 3, rtol=1e-12)
    H = s2sgrad.hessian(laplacian_energy)(u, L)
    np.testing.assert_allclose(H, L.toarray() + np.diag(12 * u ** 2), rtol=1e-10, atol=1e-12)


def test_a_differentiated_sparse_matrix_is_refused():
    def f(A, x): return np.sum(A @ x)
    with pytest.raises(S2SError, match='sparse'):
        s2sgrad.grad(f)(A, np.arange(3.0))


def test_masked_arrays_are_refused():
    def loss(x, w): return np.sum(w * x ** 2)
    w = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    with pytest.raises(S2SError, match='masked arrays'):
        s2sgrad.grad(loss)(np.array([0.3, 0.7, 1.4]), w)


class Scaled:
    """An object whose reflected product with an array gives objects, not numbers."""

    def __init__(self, k):
        self.k = k

    def __rmul__(self, other):
        return self.k * other ** 2


def test_objects_whose_operators_give_no_numbers_are_refused():
    def loss(x, s): return np.sum(x * s)
    with pytest.raises(OperandError, match='operators of its own'):
        s2sgrad.grad(loss)(np.array([0.3, 0.7]), Scaled(2.0))
