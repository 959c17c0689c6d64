"""Spec table of the ``np.linalg`` rules (templates/linalg.py, templates/decompositions.py):
one row per rule and case.

Every row runs reverse mode, forward mode and second order (forward over reverse) against
central differences. Symmetric-input functions are also checked on raw (non-symmetric)
perturbations: NumPy reads one triangle of their argument, and so do the rules.
"""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.rules import lookup_adjoint, lookup_tangent

sys.path.insert(0, os.path.dirname(__file__))
import rulespec  # noqa: E402

W = np.random.default_rng(42).standard_normal((5, 5))
W3 = np.random.default_rng(43).standard_normal((2, 4, 4))


# -- argument factories: well-conditioned, well-separated spectra -----------------------------

def square(rng):
    return [rng.standard_normal((4, 4)) + 4 * np.eye(4)]


def stack(rng):
    return [rng.standard_normal((2, 4, 4)) + 4 * np.eye(4)]


def spd(rng):
    x = rng.standard_normal((4, 4))
    return [x @ x.T + np.diag([1.0, 3.0, 6.0, 10.0])]


def spd_stack(rng):
    x = rng.standard_normal((2, 4, 4)) * 0.3
    return [x @ np.swapaxes(x, -1, -2) + np.diag([1.0, 3.0, 6.0, 10.0])]


def symmetric(rng):
    x = rng.standard_normal((3, 3)) * 0.1
    return [x + x.T + np.diag([-1.0, 2.5, 4.0])]


def tall(rng):
    return [rng.standard_normal((5, 3))]


def _triangles_apart(matrix, rng):
    """`matrix` with other numbers in each strict triangle: a function that reads one triangle
    (cholesky, eigh, hermitian=True) has its derivative there, not the symmetric formula's."""
    noise = rng.standard_normal(matrix.shape) * 0.2
    return matrix + np.triu(noise, 1) - np.tril(noise, -1) * 0.5


def spd_apart(rng):
    return [_triangles_apart(spd(rng)[0], rng)]


def symmetric_apart(rng):
    return [_triangles_apart(symmetric(rng)[0], rng)]


def vector(rng):
    return [rng.standard_normal(5) + 0.5]


def system(rng):
    return square(rng) + [rng.standard_normal((4, 3))]


def system_vector(rng):
    return square(rng) + [rng.standard_normal(4)]


def system_stack(rng):
    return stack(rng) + [rng.standard_normal((2, 4, 3))]


def system_stack_vector(rng):
    return stack(rng) + [rng.standard_normal(4)]


# -- one function per rule and case ----------------------------------------------------------

def f_inv(A):
    return np.sum(np.linalg.inv(A) * W[:4, :4])


def f_inv_stack(A):
    return np.sum(np.linalg.inv(A) * W3)


def f_det(A):
    return np.linalg.det(A)


def f_det_stack(A):
    return np.sum(np.linalg.det(A) * W[0, :2])


def f_slogdet(A):
    sign, logabsdet = np.linalg.slogdet(A)
    return sign * logabsdet


def f_slogdet_index(A):
    return np.linalg.slogdet(A)[1]


def f_slogdet_stack(A):
    sign, logabsdet = np.linalg.slogdet(A)
    return np.sum(logabsdet * W[0, :2])


def f_solve(A, B):
    return np.sum(np.linalg.solve(A, B) * W[:4, :3])


def f_solve_vector(A, b):
    return np.sum(np.linalg.solve(A, b) * W[0, :4])


def f_solve_stack(A, B):
    return np.sum(np.linalg.solve(A, B) * W[:4, :3])


def f_solve_stack_vector(A, b):
    return np.sum(np.linalg.solve(A, b) * W[:2, :4])


def f_cholesky(S):
    return np.sum(np.linalg.cholesky((S + S.T) / 2) * W[:4, :4])


def f_cholesky_upper(S):
    return np.sum(np.linalg.cholesky((S + S.T) / 2, upper=True) * W[:4, :4])


def f_cholesky_raw(S):  # NumPy reads the lower triangle only
    return np.sum(np.linalg.cholesky(S) * W[:4, :4])


def f_cholesky_upper_raw(S):  # ... and the upper one with upper=True
    return np.sum(np.linalg.cholesky(S, upper=True) * W[:4, :4])


def f_cholesky_stack(S):
    return np.sum(np.linalg.cholesky(S) * W3)


def f_eigh(S):
    w, v = np.linalg.eigh((S + S.T) / 2)
    return np.sum(w * W[0, :4]) + np.sum(v ** 2 * W[:4, :4])


def f_eigh_quadratic(S):
    w, v = np.linalg.eigh((S + S.T) / 2)
    return v[:, 0] @ W[:4, :4] @ v[:, 0] + w[3]


def f_eigh_raw_upper(S):  # UPLO='U': NumPy reads the upper triangle only
    w, v = np.linalg.eigh(S, UPLO='U')
    return np.sum(w * W[0, :4]) + np.sum(v ** 2 * W[:4, :4])


def f_eigh_stack(S):
    w, v = np.linalg.eigh(S)
    return np.sum(w * W[:2, :4]) + np.sum(v ** 2 * W3)


def f_norm(x):
    return np.linalg.norm(x)


def f_norm_1(x):  # differentiable away from zero entries
    return np.linalg.norm(x, 1)


def f_norm_3(x):
    return np.linalg.norm(x, ord=3)


def f_norm_half(x):
    return np.linalg.norm(x, 0.5)


def f_norm_frobenius(A):
    return np.linalg.norm(A, 'fro')


def f_norm_matrix_default(A):
    return np.linalg.norm(A)


def f_norm_axis(A):
    return np.sum(np.linalg.norm(A, axis=0) * W[0, :4])


def f_norm_axis_keepdims(A):
    return np.sum(np.linalg.norm(A, 1, axis=1, keepdims=True) * W[:4, :1])


def f_norm_axes(A):
    return np.sum(np.linalg.norm(A, axis=(1, 2)) * W[0, :2])


def f_pinv(A):
    return np.sum(np.linalg.pinv(A) * W[:3, :5])


def f_pinv_wide(A):
    return np.sum(np.linalg.pinv(A.T) * W[:5, :3])


def f_pinv_hermitian(S):  # hermitian=True reads the lower triangle only
    return np.sum(np.linalg.pinv(S, hermitian=True) * W[:3, :3])


def f_qr(A):
    q, r = np.linalg.qr(A)
    return np.sum(q * W[:5, :3]) + np.sum(r * W[:3, :3])


def f_qr_q(A):
    return np.sum(np.linalg.qr(A)[0] * W[:5, :3])


def f_qr_r(A):
    return np.sum(np.linalg.qr(A, mode='r') * W[:3, :3])


def f_qr_complete(A):
    q, r = np.linalg.qr(A, mode='complete')
    return np.sum(q * W[:4, :4]) + np.sum(r * W[:4, :4])


def f_qr_stack(A):
    q, r = np.linalg.qr(A)
    return np.sum(q * W3) + np.sum(r * W3)


def f_svd_values(A):
    return np.sum(np.linalg.svd(A, compute_uv=False) * W[0, :3])


def f_svd_values_wide(A):
    return np.sum(np.linalg.svd(A.T, full_matrices=False, compute_uv=False) * W[0, :3])


def f_svd(A):  # sign-invariant functions of the singular vectors
    u, s, vh = np.linalg.svd(A, full_matrices=False)
    return np.sum(s * W[0, :3]) + np.sum(u ** 2 * W[:5, :3]) + np.sum(vh ** 2 * W[:3, :3])


def f_svd_wide(A):
    u, s, vh = np.linalg.svd(A.T, full_matrices=False)
    return np.sum(s * W[0, :3]) + np.sum(u ** 2 * W[:3, :3]) + np.sum(vh ** 2 * W[:3, :5])


def f_svd_polar(A):
    u, s, vh = np.linalg.svd(A, full_matrices=False)
    return np.sum((u @ vh) * W[:5, :3])


def f_svd_square(A):  # full_matrices=True is fine for square matrices
    u, s, vh = np.linalg.svd(A)
    return np.sum((u * vh.T) * W[:4, :4]) + np.sum(s * W[0, :4])


def f_svd_hermitian(S):
    u, s, vh = np.linalg.svd(S, hermitian=True)
    return np.sum(s * W[0, :3]) + np.sum((u * vh.T) * W[:3, :3])


def f_svd_stack(A):
    u, s, vh = np.linalg.svd(A)
    return np.sum(s * W[:2, :4]) + np.sum(u ** 2 * W3) + np.sum(vh ** 2 * W3)


def f_matrix_power_3(A):
    return np.sum(np.linalg.matrix_power(A, 3) * W[:4, :4])


def f_matrix_power_1(A):
    return np.sum(np.linalg.matrix_power(A, 1) * W[:4, :4])


def f_matrix_power_0(A):
    return np.sum(np.linalg.matrix_power(A, 0) * W[:4, :4]) + np.sum(A * W[:4, :4])


def f_matrix_power_negative(A):
    return np.sum(np.linalg.matrix_power(A, -2) * W[:4, :4])


def f_matrix_power_stack(A):
    return np.sum(np.linalg.matrix_power(A, 4) * W3)


def f_norm_inf_vector(x):
    return np.linalg.norm(x, np.inf)


def f_norm_minus_inf_vector(x):
    return np.linalg.norm(x, -np.inf)


def f_norm_0(x):  # the count of nonzeros: a constant factor
    return np.linalg.norm(x, 0) * np.sum(x ** 2)


def f_norm_negative(x):
    return np.linalg.norm(x, -1.5)


def f_norm_order_variable(x):  # an ord the rule cannot read from the call
    order = 3 if x.ndim == 1 else 2
    return np.linalg.norm(x, order)


def f_norm_inf_axis(A):
    return np.sum(np.linalg.norm(A, np.inf, axis=1) * W[0, :4])


def f_norm_minus_inf_axis_keepdims(A):
    return np.sum(np.linalg.norm(A, -np.inf, axis=0, keepdims=True) * W[:1, :4])


def f_norm_0_axis(A):
    return np.sum(np.linalg.norm(A, 0, axis=-1) * np.sum(A ** 2, axis=1))


def f_norm_nuc(A):
    return np.linalg.norm(A, 'nuc')


def f_norm_nuc_wide(A):
    return np.linalg.norm(A.T, 'nuc')


def f_norm_matrix_2_square(A):
    return np.linalg.norm(A, 2)


def f_norm_matrix_minus_2(A):
    return np.linalg.norm(A, -2)


def f_norm_matrix_minus_2_wide(A):
    return np.linalg.norm(A.T, -2)


def f_norm_matrix_1(A):
    return np.linalg.norm(A, 1)


def f_norm_matrix_minus_1(A):
    return np.linalg.norm(A, -1)


def f_norm_matrix_inf(A):
    return np.linalg.norm(A, np.inf)


def f_norm_matrix_minus_inf(A):
    return np.linalg.norm(A, -np.inf)


def f_norm_nuc_stack(A):
    return np.sum(np.linalg.norm(A, 'nuc', axis=(1, 2)) * W[0, :2])


def f_norm_2_stack_keepdims(A):
    return np.sum(np.linalg.norm(A, 2, axis=(-2, -1), keepdims=True) * W[:2, :1, None])


def f_norm_minus_2_axes_02(A):  # matrices over the first and last axes
    return np.sum(np.linalg.norm(A, -2, axis=(0, 2)) * W[0, :4])


def f_norm_1_stack_swapped(A):  # axis=(col, row): column sums of the transposes
    return np.sum(np.linalg.norm(A, 1, axis=(2, 1)) * W[0, :2])


def f_norm_minus_inf_stack_keepdims(A):
    return np.sum(np.linalg.norm(A, -np.inf, axis=(1, 2), keepdims=True) * W[:2, :1, None])


def f_norm_fro_stack(A):
    return np.sum(np.linalg.norm(A, 'fro', axis=(0, 1)) * W[0, :4])


def tall_offset(rng):  # not a multiple of the first random draw: a norm's Hessian is 0 along
    # its argument (norms are homogeneous), and check_grads' first direction is that draw
    return [rng.standard_normal((5, 3)) + np.linspace(-1.0, 1.0, 15).reshape(5, 3)]


def gapped(rng):  # distinct singular values, column and row abs-sums, entries
    return [rng.standard_normal((4, 4)) + np.diag([6.0, 3.0, -1.5, 0.5])]


def gapped_stack(rng):
    return [rng.standard_normal((2, 4, 4)) * 0.5 + np.diag([6.0, 3.0, -1.5, 0.5])]


# np.dot of arrays above 2-D: dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m])

T3 = np.random.default_rng(44).standard_normal((2, 3, 2, 5))


def f_dot_3d_2d(a, b):
    return np.sum(np.dot(a, b) ** 2)


def f_dot_2d_3d(a, b):
    return np.sum(np.dot(a, b) * T3[:2, 0, :2, :4])


def f_dot_3d_1d(a, b):
    return np.sum(np.cos(np.dot(a, b)))


def f_dot_1d_3d(a, b):
    return np.sum(np.dot(a, b) ** 2)


def f_dot_3d_3d(a, b):
    return np.sum(np.dot(a, b) ** 2 * T3)


def f_dot_0d_3d(a, b):
    return np.sum(np.dot(a, b) ** 2)


def f_dot_method_3d(a, b):
    return np.sum(a.dot(b) ** 2)


def pair(a, b):
    return lambda rng: [rng.standard_normal(a), rng.standard_normal(b)]


ROWS = [
    (f_inv, square, 0),
    (f_inv_stack, stack, 0),
    (f_det, square, 0),
    (f_det_stack, stack, 0),
    (f_slogdet, square, 0),
    (f_slogdet_index, square, 0),
    (f_slogdet_stack, stack, 0),
    (f_solve, system, (0, 1)),
    (f_solve_vector, system_vector, (0, 1)),
    (f_solve_stack, system_stack, (0, 1)),
    (f_solve_stack_vector, system_stack_vector, (0, 1)),
    (f_cholesky, spd, 0),
    (f_cholesky_upper, spd, 0),
    (f_cholesky_raw, spd, 0),
    (f_cholesky_upper_raw, spd, 0),
    (f_cholesky_raw, spd_apart, 0),
    (f_cholesky_upper_raw, spd_apart, 0),
    (f_cholesky_stack, spd_stack, 0),
    (f_eigh, spd, 0),
    (f_eigh_quadratic, spd, 0),
    (f_eigh_raw_upper, spd, 0),
    (f_eigh_raw_upper, spd_apart, 0),
    (f_eigh_stack, spd_stack, 0),
    (f_norm, vector, 0),
    (f_norm_1, vector, 0),
    (f_norm_3, vector, 0),
    (f_norm_half, vector, 0),
    (f_norm_frobenius, square, 0),
    (f_norm_matrix_default, square, 0),
    (f_norm_axis, square, 0),
    (f_norm_axis_keepdims, square, 0),
    (f_norm_axes, stack, 0),
    (f_norm_inf_vector, vector, 0),
    (f_norm_minus_inf_vector, vector, 0),
    (f_norm_0, vector, 0),
    (f_norm_negative, vector, 0),
    (f_norm_order_variable, vector, 0),
    (f_norm_inf_axis, gapped, 0),
    (f_norm_minus_inf_axis_keepdims, gapped, 0),
    (f_norm_0_axis, gapped, 0),
    (f_norm_nuc, tall_offset, 0),
    (f_norm_nuc_wide, tall_offset, 0),
    (f_norm_matrix_2_square, gapped, 0),
    (f_norm_matrix_minus_2, tall_offset, 0),
    (f_norm_matrix_minus_2_wide, tall_offset, 0),
    (f_norm_matrix_1, gapped, 0),
    (f_norm_matrix_minus_1, gapped, 0),
    (f_norm_matrix_inf, gapped, 0),
    (f_norm_matrix_minus_inf, gapped, 0),
    (f_norm_nuc_stack, gapped_stack, 0),
    (f_norm_2_stack_keepdims, gapped_stack, 0),
    (f_norm_minus_2_axes_02, gapped_stack, 0),
    (f_norm_1_stack_swapped, gapped_stack, 0),
    (f_norm_minus_inf_stack_keepdims, gapped_stack, 0),
    (f_norm_fro_stack, gapped_stack, 0),
    (f_dot_3d_2d, pair((2, 3, 4), (4, 5)), (0, 1)),
    (f_dot_2d_3d, pair((2, 3), (2, 3, 4)), (0, 1)),
    (f_dot_3d_1d, pair((2, 3, 4), (4,)), (0, 1)),
    (f_dot_1d_3d, pair((3,), (2, 3, 4)), (0, 1)),
    (f_dot_3d_3d, pair((2, 3, 4), (2, 4, 5)), (0, 1)),
    (f_dot_0d_3d, pair((), (2, 3, 4)), (0, 1)),
    (f_dot_method_3d, pair((2, 3, 4), (2, 4, 3)), (0, 1)),
    (f_pinv, tall, 0),
    (f_pinv_wide, tall, 0),
    (f_pinv_hermitian, symmetric, 0),
    (f_pinv_hermitian, symmetric_apart, 0),
    (f_qr, tall, 0),
    (f_qr_q, tall, 0),
    (f_qr_r, tall, 0),
    (f_qr_complete, square, 0),
    (f_qr_stack, stack, 0),
    (f_svd_values, tall, 0),
    (f_svd_values_wide, tall, 0),
    (f_svd, tall, 0),
    (f_svd_wide, tall, 0),
    (f_svd_polar, tall, 0),
    (f_svd_square, square, 0),
    (f_svd_hermitian, symmetric, 0),
    (f_svd_hermitian, symmetric_apart, 0),
    (f_svd_stack, stack, 0),
    (f_matrix_power_3, square, 0),
    (f_matrix_power_1, square, 0),
    (f_matrix_power_0, square, 0),
    (f_matrix_power_negative, square, 0),
    (f_matrix_power_stack, stack, 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


FUNCTIONS = [np.linalg.inv, np.linalg.det, np.linalg.slogdet, np.linalg.solve,
             np.linalg.cholesky, np.linalg.eigh, np.linalg.norm, np.linalg.pinv, np.linalg.qr,
             np.linalg.svd, np.linalg.matrix_power]


@pytest.mark.parametrize('func', FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_both_modes_registered(func):
    assert lookup_adjoint(func) is not None
    assert lookup_tangent(func) is not None


def test_every_helper_rule_has_both_modes():
    from s2sgrad.templates import decompositions, linalg
    from s2sgrad.rules import ADJOINTS, TANGENTS
    modules = {linalg.__name__, decompositions.__name__}
    mine = [key for key in ADJOINTS if getattr(key, '__module__', '') in modules]
    assert mine
    for key in set(ADJOINTS) | set(TANGENTS):
        if getattr(key, '__module__', '') in modules:
            assert key in ADJOINTS and key in TANGENTS, key


def test_hessian_of_log_determinant():
    """The Hessian of log det S at S is -S^-T (x) S^-1 (applied: -S^-1 V S^-1 transposed)."""
    (S,) = spd(np.random.default_rng(1))
    V = np.random.default_rng(2).standard_normal(S.shape)

    def logdet(A):
        return np.linalg.slogdet(A)[1]
    product = s2sgrad.hvp(logdet)(S, V)
    inverse = np.linalg.inv(S)
    np.testing.assert_allclose(product, -(inverse @ V @ inverse).T, rtol=1e-10, atol=1e-12)


# -- loud failures -------------------------------------------------------------------------

def f_qr_wide(A):
    q, r = np.linalg.qr(A.T)
    return np.sum(r)


def f_qr_complete_tall(A):
    q, r = np.linalg.qr(A, mode='complete')
    return np.sum(q)


def f_svd_full_rectangular(A):
    u, s, vh = np.linalg.svd(A)
    return np.sum(u ** 2 * W)


@pytest.mark.parametrize('f, make_args', [
    (f_qr_wide, tall), (f_qr_complete_tall, tall), (f_svd_full_rectangular, tall)],
    ids=lambda x: getattr(x, '__name__', ''))
@pytest.mark.parametrize('mode', ['rev', 'fwd'])
def test_unsupported_cases_are_loud(f, make_args, mode):
    args = make_args(np.random.default_rng(0))
    with pytest.raises(NotImplementedError):
        if mode == 'rev':
            s2sgrad.grad(f)(*args)
        else:
            s2sgrad.jvp(f)(*args, np.ones_like(args[0]))


def f_qr_second(A):
    q, r = np.linalg.qr(A)
    return np.sum(q * W[:5, :3])


JVP_QR = s2sgrad.jvp(f_qr_second)


def f_qr_tangent_sum(A):
    return JVP_QR(A, np.ones_like(A))


def test_decomposition_tangents_have_no_second_order_in_forward_mode():
    """The tangents of qr and svd call private helpers without rules: differentiating
    forward-mode code again is loud (Hessians, forward over reverse, are supported)."""
    (A,) = tall(np.random.default_rng(0))
    with pytest.raises(s2sgrad.errors.NoRuleError, match='_qr_tangent'):
        s2sgrad.grad(f_qr_tangent_sum)(A)


# -- np.linalg.norm where it has no derivative: the documented choices ------------------------

def f_norm_inf_ties(x):
    return np.linalg.norm(x, np.inf)


def f_max_abs(x):
    return np.max(np.abs(x))


def f_norm_2_ties(A):
    return np.linalg.norm(A, 2)


def f_norm_1_ties(A):
    return np.linalg.norm(A, 1)


def f_norm_nuc_low_rank(A):
    return np.linalg.norm(A, 'nuc')


def f_norm_minus_2_singular(A):
    return np.linalg.norm(A, -2)


def f_norm_0_constant(x):
    return np.linalg.norm(x, 0)


def test_norm_ties_share_the_derivative_as_np_max_does():
    """Ties of the maximal |x_i| (ord=inf), of the column sums (ord=1) and of the largest
    singular values (ord=2) share the derivative evenly, as np.max's ties do."""
    x = np.array([3.0, -3.0, 1.0])
    np.testing.assert_allclose(s2sgrad.grad(f_norm_inf_ties)(x), [0.5, -0.5, 0.0])
    np.testing.assert_allclose(s2sgrad.grad(f_max_abs)(x), [0.5, -0.5, 0.0])
    A = np.array([[1.0, 2.0], [-3.0, 2.0]])  # column abs-sums 4 and 4
    np.testing.assert_allclose(s2sgrad.grad(f_norm_1_ties)(A), [[0.5, 0.5], [-0.5, 0.5]])
    Q = np.linalg.qr(np.random.default_rng(3).standard_normal((3, 3)))[0]
    S = Q @ np.diag([2.0, 2.0, 1.0]) @ Q.T  # the top two singular values tie
    np.testing.assert_allclose(s2sgrad.grad(f_norm_2_ties)(S), Q[:, :2] @ Q[:, :2].T / 2,
                               atol=1e-12)
    # the second derivative does not exist there: inf or nan, as svd's at repeated values
    product = s2sgrad.hvp(f_norm_2_ties)(2 * np.eye(3), np.diag([1.0, 0.0, 0.0]) + 0.1)
    assert not np.all(np.isfinite(product))


def test_norm_zero_singular_values_and_counts():
    """Zero singular values add nothing to the derivative of the nuclear norm and make that of
    ord=-2 zero (as sign(0) = 0 for np.abs); ord=0 counts nonzeros: a zero derivative."""
    u, v = np.array([1.0, 2.0, 2.0]), np.array([0.0, 3.0, 4.0])
    np.testing.assert_allclose(s2sgrad.grad(f_norm_nuc_low_rank)(np.outer(u, v)),
                               np.outer(u / 3, v / 5), atol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(f_norm_minus_2_singular)(np.outer(u, v)), 0.0)
    x = np.array([1.5, 0.0, -2.0])
    np.testing.assert_allclose(s2sgrad.grad(f_norm_0_constant)(x), 0.0)
    np.testing.assert_allclose(s2sgrad.jvp(f_norm_0_constant)(x, np.ones(3)), 0.0)


def n_half(x): return np.linalg.norm(x, ord=0.5)
def n_harmonic(x): return np.linalg.norm(x, -1)
def n_half_rows(x): return np.sum(np.linalg.norm(x, ord=0.5, axis=1))


@pytest.mark.parametrize('f', [n_half, n_harmonic, n_half_rows], ids=lambda f: f.__name__)
def test_p_norms_below_one_at_zero_coordinates(f):
    """For p < 1, |x| ** (p - 1) is infinite at a zero coordinate: the derivative there is 0
    (the limit of central differences, as for np.abs at 0), not nan (a review found nan)."""
    rows = f is n_half_rows
    x = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -2.0]]) if rows else np.array([1.0, 0.0, -2.0])
    g = s2sgrad.grad(f)(x)
    assert np.all(np.isfinite(g)) and np.all(g[x == 0] == 0.0)
    assert np.isfinite(s2sgrad.jvp(f)(x, np.ones_like(x)))
    nonzero = x != 0

    def on_nonzero(v):
        y = x.copy()
        y[nonzero] = v
        return f(y)
    np.testing.assert_allclose(g[nonzero], rulespec.central_gradient(on_nonzero, x[nonzero]),
                               rtol=1e-6)


def test_norm_of_complex_arrays_beyond_p_norms_is_loud():
    z = np.array([1.0 + 2.0j, -0.5j, 2.0])
    with pytest.raises(NotImplementedError, match='complex'):
        s2sgrad.grad(f_norm_inf_ties)(z)
