"""An unused result of a rule whose adjoint computes locals from the result's adjoint."""
import inspect

import numpy as np
import pytest

import s2sgrad
from s2sgrad import d
from s2sgrad.checks import numerical_grad

C = np.array([1.0, 2.0, 0.5])
A = np.array([[3.0, 1.0, 0.0], [1.0, 4.0, 0.5], [0.0, 0.5, 2.0]])


# Each function computes a result nothing reads (a leftover line): the gradient of
# ``np.sum(x ** 2)`` is ``2 * x`` and its Hessian ``2 * I`` whatever the unused line is.

def cholesky(S):
    L = np.linalg.cholesky(S)  # noqa: F841
    return np.sum(S ** 2)


def cholesky_upper(S):
    L = np.linalg.cholesky(S, upper=True)  # noqa: F841
    return np.sum(S ** 2)


def solve_a(S):
    x = np.linalg.solve(S, C)  # noqa: F841
    return np.sum(S ** 2)


def solve_b(b):
    x = np.linalg.solve(A, b)  # noqa: F841
    return np.sum(b ** 2)


def solve_both(S):
    x = np.linalg.solve(S, S @ C)  # noqa: F841
    return np.sum(S ** 2)


def pinv(S):
    P = np.linalg.pinv(S)  # noqa: F841
    return np.sum(S ** 2)


def pinv_hermitian(S):
    P = np.linalg.pinv(S, hermitian=True)  # noqa: F841
    return np.sum(S ** 2)


def eigvalsh(S):
    w = np.linalg.eigvalsh(S)  # noqa: F841
    return np.sum(S ** 2)


def eigh(S):
    w, v = np.linalg.eigh(S)  # noqa: F841
    return np.sum(S ** 2)


def eigh_values(S):
    w = np.linalg.eigh(S)[0]  # noqa: F841
    return np.sum(S ** 2)


def eigh_vectors(S):
    v = np.linalg.eigh(S)[1]  # noqa: F841
    return np.sum(S ** 2)


def qr(S):
    q, r = np.linalg.qr(S)  # noqa: F841
    return np.sum(S ** 2)


def qr_r(S):
    r = np.linalg.qr(S)[1]  # noqa: F841
    return np.sum(S ** 2)


def qr_mode_r(S):
    r = np.linalg.qr(S, mode='r')  # noqa: F841
    return np.sum(S ** 2)


def svd(S):
    u, s, vh = np.linalg.svd(S)  # noqa: F841
    return np.sum(S ** 2)


def svd_values(S):
    s = np.linalg.svd(S)[1]  # noqa: F841
    return np.sum(S ** 2)


def svd_no_uv(S):
    s = np.linalg.svd(S, compute_uv=False)  # noqa: F841
    return np.sum(S ** 2)


def slogdet(S):
    sign, logdet = np.linalg.slogdet(S)  # noqa: F841
    return np.sum(S ** 2)


def inv(S):
    B = np.linalg.inv(S)  # noqa: F841
    return np.sum(S ** 2)


def det(S):
    d = np.linalg.det(S)  # noqa: F841
    return np.sum(S ** 2)


def append(S):
    t = np.append(S, S)  # noqa: F841
    return np.sum(S ** 2)


def append_values(b):
    t = np.append(A, b)  # noqa: F841
    return np.sum(b ** 2)


def in_loop(S):
    t = 0.0
    for i in range(3):
        L = np.linalg.cholesky(S + i)  # noqa: F841
        t = t + np.sum(S ** 2)
    return t / 3


def two_unused(S):
    L = np.linalg.cholesky(S)
    x = np.linalg.solve(L, C)  # noqa: F841
    return np.sum(S ** 2)


_UPPER = pytest.mark.skipif(
    'upper' not in inspect.signature(np.linalg.cholesky).parameters,
    reason='np.linalg.cholesky(upper=...) is NumPy 2')
FUNCTIONS = [cholesky, pytest.param(cholesky_upper, marks=_UPPER), solve_a, solve_b,
             solve_both, pinv, pinv_hermitian,
             eigvalsh, eigh, eigh_values, eigh_vectors, qr, qr_r, qr_mode_r, svd, svd_values,
             svd_no_uv, slogdet, inv, det, append, append_values, in_loop, two_unused]
VECTOR_ARGUMENT = (solve_b, append_values)


def _point(f):
    rng = np.random.default_rng(3)
    if f in VECTOR_ARGUMENT:
        return rng.standard_normal(3), rng.standard_normal(3)
    m = rng.standard_normal((3, 3))
    v = rng.standard_normal((3, 3))
    return m @ m.T + np.diag([1.0, 2.0, 4.0]), v + v.T


@pytest.mark.parametrize('optimized', [True, False])
@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_grad(f, optimized):
    x, _ = _point(f)
    g = s2sgrad.grad(f, optimized=optimized)(x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-12)
    np.testing.assert_allclose(g, numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hvp(f):
    x, v = _point(f)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, v), 2 * v, rtol=1e-12)


@pytest.mark.parametrize('optimized', [True, False])
@pytest.mark.parametrize('f', [cholesky, solve_a, eigh, qr_r, svd_no_uv, append],
                         ids=lambda f: f.__name__)
def test_no_adjoint_block(f, optimized):
    """The unused line adds nothing: no ``# Grad of:`` block, no locals of its rule."""
    source = s2sgrad.grad(f, optimized=optimized).source
    assert source.count('# Grad of:') == 1, source
    assert 'noqa' not in source, source


def test_used_on_one_path():
    def f(S, flag):
        L = np.linalg.cholesky(S)
        if flag:
            return np.sum(L)
        return np.sum(S ** 2)
    x, _ = _point(cholesky)
    for flag in (True, False):
        np.testing.assert_allclose(s2sgrad.grad(f)(x, flag),
                                   numerical_grad(f, (x, flag), 0), rtol=1e-6, atol=1e-6)


def scaled_cube(x):
    return 2.0 * x ** 3


@s2sgrad.adjoint(scaled_cube)
def scaled_cube_adjoint(ans, x):
    g = 6.0 * d[ans]
    d[x] = g * x ** 2


def unused_user_rule(x):
    y = scaled_cube(x)  # noqa: F841
    return np.sum(np.sin(x))


def used_user_rule(x):
    return np.sum(scaled_cube(x))


@pytest.mark.parametrize('optimized', [True, False])
def test_a_users_rule_whose_local_reads_the_results_adjoint(optimized):
    x = np.array([0.3, -1.2, 2.0])
    source = s2sgrad.grad(unused_user_rule, optimized=optimized).source
    assert 'scaled_cube' not in source.split('# Grad of:', 1)[1], source
    np.testing.assert_allclose(s2sgrad.grad(unused_user_rule, optimized=optimized)(x),
                               np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(used_user_rule, optimized=optimized)(x),
                               6.0 * x ** 2, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.hvp(unused_user_rule)(x, x), -np.sin(x) * x,
                               rtol=1e-12)
