"""Library functions differentiated through a NumPy definition (templates/definitions.py).

Each row is a spec row (checked in reverse and forward mode and at second order against
central differences of the *library* function, so a definition that computed something else
fails), and every definition is also compared with the library function's values over the
argument forms it accepts; arguments it does not cover raise NotImplementedError.
"""
import math

import numpy as np
import pytest

import rulespec
import s2sgrad
from s2sgrad import rules
from s2sgrad.checks import check_grads

scipy = pytest.importorskip('scipy', reason='scipy is not installed')
import scipy.linalg  # noqa: E402
import scipy.stats  # noqa: E402

NUMPY2 = int(np.__version__.split('.')[0]) >= 2
V = np.array([0.9, -0.4, 0.6, 1.5])
W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
NANS = np.array([[np.nan, 0, 0], [0, 0, 0]])
I3 = np.eye(3)
SPREAD = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # (distinct singular values)
solve_triangular = scipy.linalg.solve_triangular
sla = scipy.linalg
TRAPEZOID = getattr(np, 'trapezoid', None) or np.trapz  # (np.trapz before NumPy 2)


def arr(*shape, lo=-1.0, hi=1.0):
    return lambda rng: [rng.uniform(lo, hi, shape)]


def two(shape_a, shape_b):
    return lambda rng: [rng.uniform(-1.0, 1.0, shape_a), rng.uniform(-1.0, 1.0, shape_b)]


def f_polyval(p, x): return np.sum(np.polyval(p, x) * V[:3])
def f_polyval_scalar(x): return np.polyval(np.array([0.5, -1.0, 2.0, 0.3]), x[0]) * x[1]
def f_trapezoid(y): return np.sum(TRAPEZOID(y ** 2, dx=0.5) * V[:2])
def f_trapezoid_x(y, x): return np.sum(TRAPEZOID(y, np.cumsum(x ** 2), axis=0))
def f_ediff1d(x): return np.sum(np.ediff1d(x, to_begin=[1.0], to_end=x[0]) ** 2 * np.arange(4))
def f_convolve_full(a, v): return np.sum(np.convolve(a, v) ** 2 * np.arange(6))
def f_convolve_same(a, v): return np.sum(np.convolve(v, a, mode='same') ** 2 * np.arange(4))
def f_convolve_valid(a, v): return np.sum(np.convolve(a, v, 'valid') ** 2 * np.arange(2))
def f_correlate(a, v): return np.sum(np.correlate(a, v) ** 2 * np.arange(2))
def f_correlate_same_short(a, v): return np.sum(np.correlate(v, a, 'same') ** 2 * np.arange(3))
def f_correlate_full(a, v): return np.sum(np.correlate(a, v, 'full') ** 3)
def f_multi_dot(a, b): return np.sum(np.linalg.multi_dot([a, b, a.T, W]) * W[0])
def f_cov(x): return np.sum(np.cov(x) * np.arange(4.0).reshape(2, 2))
def f_cov_cols(x): return np.sum(np.cov(x, rowvar=False, ddof=0) * np.arange(4.0).reshape(2, 2))
def f_cov_two(x, y): return np.sum(np.cov(x, y) * np.arange(4.0).reshape(2, 2))
def f_cov_weighted(x, w): return np.sum(np.cov(x, aweights=w) * np.arange(4.0).reshape(2, 2))
def f_cov_counted(x): return np.sum(np.cov(x, fweights=[1, 3, 2, 1, 2], aweights=x[0] ** 2) ** 2)
def f_corrcoef(x): return np.sum(np.corrcoef(x) * np.arange(4.0).reshape(2, 2))
def f_median(x): return np.median(x) * 2.0 + np.median(x[:3])
def f_median_axis(x): return np.sum(np.median(x, axis=1) * V[:2])
def f_median_keepdims(x): return np.sum(np.median(x, axis=0, keepdims=True) * W[0])
def f_percentile(x): return np.percentile(x, 30.0) + np.sum(np.percentile(x, [10.0, 75.0]))
def f_percentile_q(x, q): return np.sum(np.percentile(x, q * 100, axis=1))
def f_quantile_axes(x): return np.sum(np.quantile(x, 0.4, axis=(0, 2)) * V[:3])
def f_interp(x): return np.sum(np.interp(x, [-2.0, 0.0, 1.5, 3.0], [1.0, -1.0, 2.0, 0.5]) * V)
def f_interp_fp(x, fp): return np.sum(np.interp(x, [-2.0, 0.0, 1.5], fp, left=0.25) * V)
def f_nancumsum(x): return np.sum(np.nancumsum(x + np.array([0.0, np.nan, 0.0])) ** 2)
def f_nancumprod(x): return np.sum(np.nancumprod(x + NANS, axis=1) * W)
def f_add_reduce(x): return np.sum(np.add.reduce(x ** 2) * W[0])
def f_multiply_reduce(x): return np.sum(np.multiply.reduce(x, axis=1) * V[:2])
def f_maximum_reduce(x): return np.sum(np.maximum.reduce(x) * W[0])
def f_logaddexp_reduce(x): return np.sum(np.logaddexp.reduce(x, axis=1) * V[:2])
def f_add_accumulate(x): return np.sum(np.add.accumulate(x) ** 2 * W)
def f_multiply_accumulate(x): return np.sum(np.multiply.accumulate(x, axis=1) * W)
def f_add_outer(x): return np.sum(np.add.outer(x, x[:2]) ** 2 * np.arange(6.0).reshape(3, 2))
def f_multiply_outer(x): return np.sum(np.multiply.outer(x, V[:2]) ** 2)
def f_subtract_outer(a, b): return np.sum(np.subtract.outer(a, b) ** 3)
def f_divide_outer(a, b): return np.sum(np.divide.outer(a, b + 3.0))
def f_heaviside(x): return np.sum(np.heaviside(x, 0.5) * x ** 2)
def f_ldexp(x): return np.sum(np.ldexp(x, np.array([1, -2, 3])) ** 2)
def f_solve_triangular(a, b): return np.sum(solve_triangular(a + 3 * I3, b, lower=True) * W.T)
def f_solve_triangular_upper(a, b): return np.sum(solve_triangular(a + 3 * I3, b) ** 2)
def f_solve_triangular_trans(a, b): return np.sum(solve_triangular(a + 3 * I3, b, 'T', 1) * W.T)
def f_solve_triangular_unit(a, b): return np.sum(solve_triangular(a, b, 1, unit_diagonal=True))
def f_norm_logpdf(x, mu): return np.sum(scipy.stats.norm.logpdf(x, mu, 1.5))
def f_norm_pdf(x, s): return np.sum(scipy.stats.norm.pdf(x, loc=0.5, scale=s + 2.0))
def f_norm_cdf(x): return np.sum(scipy.stats.norm.cdf(x) * V[:3])
def f_norm_logcdf(x): return np.sum(scipy.stats.norm.logcdf(x, 0.2, 2.0))
def f_norm_sf(x): return np.sum(scipy.stats.norm.sf(x, scale=0.5) * V[:3])
def f_norm_logsf(x): return np.sum(scipy.stats.norm.logsf(x))
def f_t_logpdf(x, df): return np.sum(scipy.stats.t.logpdf(x, df + 1.0, 0.3, 1.5))
def f_t_pdf(x): return np.sum(scipy.stats.t.pdf(x, 3.0) * V[:3])
def f_beta_logpdf(x, a): return np.sum(scipy.stats.beta.logpdf(x, a + 0.5, 2.0))
def f_beta_pdf(x): return np.sum(scipy.stats.beta.pdf(x, 2.0, 3.0))
def f_gamma_logpdf(x, a): return np.sum(scipy.stats.gamma.logpdf(x + 1.5, a + 1.0, scale=2.0))
def f_gamma_pdf(x): return np.sum(scipy.stats.gamma.pdf(x + 1.5, 2.0))
def f_chi2_pdf(x): return np.sum(scipy.stats.chi2.pdf(x + 1.5, 3))
def f_expon_logpdf(x): return np.sum(scipy.stats.expon.logpdf(x + 1.5, scale=0.5))
def f_laplace_logpdf(x, loc): return np.sum(scipy.stats.laplace.logpdf(x, loc, 2.0))
def f_poisson_logpmf(mu): return np.sum(scipy.stats.poisson.logpmf(np.array([1, 2, 3]), mu + 1.5))
def f_poisson_pmf(mu): return np.sum(scipy.stats.poisson.pmf(2, mu + 1.5))
def f_mvn_logpdf(x, cov): return scipy.stats.multivariate_normal.logpdf(x, V[:3], cov @ cov.T + I3)
def f_mvn_points(x): return np.sum(scipy.stats.multivariate_normal.pdf(x, np.zeros(3), I3))
def f_dirichlet(alpha): return scipy.stats.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), alpha + 1.0)
def f_dirichlet_cols(x, a): return np.sum(scipy.stats.dirichlet.logpdf(x / np.sum(x, 0), a) * V)
def f_dirichlet_implied(x): return scipy.stats.dirichlet.logpdf(x / (1.0 + np.sum(x)), V[1:] ** 2)
def f_vander(x): return np.sum(np.vander(x, 3) * np.arange(9.0).reshape(3, 3))
def f_contiguous(x): return np.sum(np.ascontiguousarray(x.T) ** 2 * W.T) + np.sum(x.T ** 3)
def f_fortran(x): return np.sum(np.asfortranarray(x) ** 3 * W)
def f_delete_row(x): return np.sum(np.delete(x, 1, axis=0) ** 3 * W[:1])
def f_delete_flat(x): return np.sum(np.delete(x, [0, 4]) * np.arange(4.0))
def f_delete_slice(x): return np.sum(np.sin(np.delete(x, slice(0, 3, 2), axis=-1)))
def f_block(x): return np.sum(np.block([[np.diag(x), x[:, None]], [x[None, :], 1.0]]) ** 3)
def f_block_flat(x): return np.sum(np.block([x, x[:2] * 2.0, 0.5]) ** 2 * np.arange(6.0))
def f_block_deep(x): return np.sum(np.block([[[x]], [[x * 2.0]]]) ** 2 * V[:3])
# scipy.linalg (templates/scipy_linalg.py): a nonsymmetric `a` checks the triangle read
def f_sla_solve(a, b): return np.sum(sla.solve(a + 3 * I3, b) * W.T)
def f_sla_solve_pos(a, b): return np.sum(sla.solve(a + 4 * I3, b, assume_a='pos') ** 2)
def f_sla_solve_lower(a, b): return np.sum(sla.solve(a + 4 * I3, b, lower=True, assume_a='sym'))
def f_sla_inv(a): return np.sum(sla.inv(a + 3 * I3) * W[0])
def f_sla_det(a): return sla.det(a + 2 * I3)
def f_sla_cholesky(a): return np.sum(sla.cholesky(a + 4 * I3) * np.arange(9.0).reshape(3, 3))
def f_sla_cholesky_lower(a): return np.sum(sla.cholesky(a + 4 * I3, lower=True) * W[0])
def f_cho_solve(a, b): return np.sum(sla.cho_solve(sla.cho_factor(a + 4 * I3), b) * W.T)
def f_cho_solve_lower(a, b): return np.sum(sla.cho_solve(sla.cho_factor(a + 4 * I3, True), b) ** 2)
def f_sla_eigh(a): return np.sum(sla.eigh(a, eigvals_only=True) * V[:3])
def f_sla_eigvalsh(a): return np.sum(sla.eigvalsh(a, lower=False) * V[:3])
def f_sla_norm(x): return sla.norm(x) + np.sum(sla.norm(x, 1, axis=0) * W[0])
def f_cauchy_logpdf(x, loc): return np.sum(scipy.stats.cauchy.logpdf(x, loc, 1.5))
def f_cauchy_pdf(x): return np.sum(scipy.stats.cauchy.pdf(x) * V[:3])
def f_logistic_logpdf(x, loc): return np.sum(scipy.stats.logistic.logpdf(x, loc, 0.7))
def f_logistic_pdf(x): return np.sum(scipy.stats.logistic.pdf(x, 0.2) * V[:3])
def f_norm_ppf(q): return np.sum(scipy.stats.norm.ppf(q, 1.0, 3.0) * V[:3])
def f_diagflat(x): return np.sum(np.diagflat(x, 1) * np.arange(16.0).reshape(4, 4)) + x @ x
def f_lstsq_square(a, b): return np.sum(np.linalg.lstsq(a, b, rcond=None)[0] * V[:3])
def f_polyfit(x, y): return np.sum(np.polyfit(x, y, 2) * np.array([1.0, -2.0, 0.5]))
def f_polyfit_columns(y): return np.sum(np.polyfit(np.linspace(0, 1, 5), y, 1) ** 2)
def f_interp_period(x, fp): return np.sum(np.interp(x, [0.5, 1.5, 2.0, 3.5], fp, period=4.0) ** 2)
def f_math_prod(x): return math.prod([x[0], x[1] + 1.0, 2.0], start=x[2])
def f_math_dist(x): return math.dist([x[0], x[1]], [0.5, -1.0]) * x[2] + math.dist((x[2],), [2.0])
def f_math_gamma(x): return math.gamma(x + 1.5) * math.lgamma(x + 0.5) + math.lgamma(-x - 0.5)
def f_norm_isf(q): return np.sum(scipy.stats.norm.isf(q) ** 2)


def f_meshgrid(x, y):
    X, Y = np.meshgrid(x, y)
    return np.sum(np.sin(X) * Y ** 2)


def f_meshgrid_ij(x):
    A, B, C = np.meshgrid(x, x ** 2, x[:2], indexing='ij')
    return np.sum(A * B * C)


def f_running_extremes(x):
    return np.sum(np.maximum.accumulate(x, axis=1) ** 2 + np.minimum.accumulate(x) * W)


def f_cond(x):
    A = x @ x.T + np.eye(2)  # (symmetric positive definite: distinct singular values)
    return np.linalg.cond(A) + np.linalg.cond(A, 'fro') + np.linalg.cond(A, -2)


def f_compress(x):
    return np.sum(np.compress([True, False, True], x, axis=1) ** 2) + \
        np.sum(np.compress([False, True], x) * 5.0)


def f_extract(x):
    return np.sum(np.extract(W > 0, x) ** 3)


def f_modf(x):
    frac, whole = np.modf(x * 3.0)
    return np.sum(frac ** 2 + whole * x)


def f_frexp(x):
    mantissa, exponent = np.frexp(x * 3.0)
    return np.sum(mantissa ** 2 + exponent * x)


def f_tensorinv(x):
    inverse = np.linalg.tensorinv(np.reshape(x + 4 * np.eye(4), (2, 2, 4)))
    return np.sum(inverse * np.arange(16.0).reshape(4, 2, 2))


def f_tensorsolve(a, b):
    return np.sum(np.linalg.tensorsolve(np.reshape(a + 4 * np.eye(4), (2, 2, 2, 2)), b) ** 3)


def f_tensorsolve_axes(a, b):
    a = np.reshape(a + 4 * np.eye(4), (2, 2, 2, 2))
    return np.sum(np.linalg.tensorsolve(a, b, axes=(0, 2)) * np.arange(4.0).reshape(2, 2))


def f_sla_pinv(a):
    return np.sum(sla.pinv(a) * np.arange(6.0).reshape(2, 3)) + np.sum(sla.pinv(a, rtol=1e-8))


def f_lstsq(a, b):
    solution, residuals, rank, singular = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(solution ** 2) + rank * np.sum(residuals) + np.sum(singular ** 3)


def f_np_divmod(x, y):
    q, r = np.divmod(x, y + 2.0)
    return np.sum(q * x + r ** 2)


ROWS = [
    (f_polyval, two(4, 3), (0, 1)), (f_polyval_scalar, arr(2), 0),
    (f_trapezoid, arr(2, 4), 0), (f_trapezoid_x, two((3, 2), 3), (0, 1)),
    (f_ediff1d, arr(3), 0),
    (f_convolve_full, two(4, 3), (0, 1)), (f_convolve_same, two(4, 2), (0, 1)),
    (f_convolve_valid, two(4, 3), (0, 1)), (f_correlate, two(4, 3), (0, 1)),
    (f_correlate_same_short, two(3, 2), (0, 1)), (f_correlate_full, two(2, 4), (0, 1)),
    (f_multi_dot, two((2, 3), (3, 3)), (0, 1)),
    (f_cov, arr(2, 5), 0), (f_cov_cols, arr(5, 2), 0), (f_cov_two, two(5, 5), (0, 1)),
    (f_cov_weighted, lambda rng: [rng.uniform(-1.0, 1.0, (2, 5)), rng.uniform(0.5, 2.0, 5)],
     (0, 1)),
    (f_cov_counted, arr(2, 5), 0),
    (f_corrcoef, arr(2, 5), 0),
    (f_median, arr(6), 0), (f_median_axis, arr(2, 5), 0), (f_median_keepdims, arr(4, 3), 0),
    (f_percentile, arr(7), 0),
    (f_percentile_q, lambda rng: [rng.uniform(-1, 1, (2, 5)), rng.uniform(0.1, 0.9, 3)],
     (0, 1)),
    (f_quantile_axes, arr(2, 3, 4), 0),
    (f_interp, arr(4, lo=-2.5, hi=3.5), 0),
    (f_interp_fp, lambda rng: [rng.uniform(-2.5, 2.0, 4), rng.uniform(-1, 1, 3)], (0, 1)),
    (f_nancumsum, arr(3), 0), (f_nancumprod, arr(2, 3), 0),
    (f_add_reduce, arr(2, 3), 0), (f_multiply_reduce, arr(2, 3), 0),
    (f_maximum_reduce, arr(2, 3), 0), (f_logaddexp_reduce, arr(2, 3), 0),
    (f_add_accumulate, arr(2, 3), 0), (f_multiply_accumulate, arr(2, 3), 0),
    (f_add_outer, arr(3), 0), (f_multiply_outer, arr(3), 0),
    (f_subtract_outer, two(3, (2, 2)), (0, 1)), (f_divide_outer, two((2, 1), 3), (0, 1)),
    (f_heaviside, arr(3), 0), (f_ldexp, arr(3), 0),
    (f_solve_triangular, two((3, 3), (3, 2)), (0, 1)),
    (f_solve_triangular_upper, two((3, 3), 3), (0, 1)),
    (f_solve_triangular_trans, two((3, 3), (3, 2)), (0, 1)),
    (f_solve_triangular_unit, two((3, 3), 3), (0, 1)),
    (f_norm_logpdf, two(3, ()), (0, 1)), (f_norm_pdf, two(3, ()), (0, 1)),
    (f_norm_cdf, arr(3), 0), (f_norm_logcdf, arr(3), 0), (f_norm_sf, arr(3), 0),
    (f_norm_logsf, arr(3), 0), (f_norm_ppf, arr(3, lo=0.1, hi=0.9), 0),
    (f_norm_isf, arr(3, lo=0.1, hi=0.9), 0),
    (f_diagflat, arr(3), 0), (f_lstsq, two((5, 3), 5), (0, 1)),
    (f_lstsq, two((4, 2), (4, 3)), (0, 1)), (f_lstsq_square, two((3, 3), 3), (0, 1)),
    (f_polyfit, lambda rng: [np.linspace(0, 1, 6) + rng.uniform(0, 0.05, 6),
                             rng.uniform(-1, 1, 6)], (0, 1)),
    (f_polyfit_columns, arr(5, 2), 0),
    (f_interp_period, lambda rng: [rng.uniform(-6, 9, 5), rng.uniform(-1, 1, 4)], (0, 1)),
    (f_np_divmod, two((2, 3), 3), (0, 1)), (f_meshgrid, two(3, 2), (0, 1)),
    (f_meshgrid_ij, arr(3), 0), (f_running_extremes, arr(2, 3), 0), (f_cond, arr(2, 3), 0),
    (f_compress, arr(2, 3), 0), (f_extract, arr(2, 3), 0), (f_modf, arr(2, 3), 0),
    (f_frexp, arr(2, 3), 0), (f_tensorinv, arr(4, 4), 0),
    (f_tensorsolve, two((4, 4), (2, 2)), (0, 1)), (f_tensorsolve_axes, two((4, 4), (2, 2)), (0, 1)),
    (f_sla_pinv, arr(3, 2), 0),
    (f_math_prod, arr(3), 0),
    (f_math_dist, arr(3), 0),
    (f_math_gamma, lambda rng: (float(rng.uniform(0.2, 0.9)),), 0),
    (f_t_logpdf, two(3, ()), (0, 1)), (f_t_pdf, arr(3), 0),
    (f_beta_logpdf, lambda rng: [rng.uniform(0.1, 0.9, 3), rng.uniform(0.5, 1.5)], (0, 1)),
    (f_beta_pdf, arr(3, lo=0.1, hi=0.9), 0),
    (f_gamma_logpdf, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(0.5, 1.5)], (0, 1)),
    (f_gamma_pdf, arr(3), 0), (f_chi2_pdf, arr(3), 0), (f_expon_logpdf, arr(3), 0),
    (f_laplace_logpdf, two(3, ()), (0, 1)), (f_poisson_logpmf, arr(3), 0),
    (f_poisson_pmf, arr(3), 0), (f_mvn_logpdf, two(3, (3, 3)), (0, 1)),
    (f_mvn_points, arr(4, 3), 0), (f_dirichlet, arr(3, lo=0.5, hi=1.5), 0),
    (f_dirichlet_cols, lambda rng: [rng.uniform(0.5, 1.5, (3, 4)), rng.uniform(1.5, 2.5, 3)],
     (0, 1)), (f_dirichlet_implied, arr(2, lo=0.2, hi=0.6), 0),
    (f_vander, arr(3), 0), (f_contiguous, arr(2, 3), 0), (f_fortran, arr(2, 3), 0),
    (f_delete_row, arr(2, 3), 0), (f_delete_flat, arr(2, 3), 0),
    (f_delete_slice, arr(2, 3), 0),
    (f_block, arr(3), 0), (f_block_flat, arr(3), 0), (f_block_deep, arr(3), 0),
    (f_sla_solve, two((3, 3), (3, 2)), (0, 1)), (f_sla_solve_pos, two((3, 3), 3), (0, 1)),
    (f_sla_solve_lower, two((3, 3), 3), (0, 1)), (f_sla_inv, arr(3, 3), 0),
    (f_sla_det, arr(3, 3), 0), (f_sla_cholesky, arr(3, 3), 0),
    (f_sla_cholesky_lower, arr(3, 3), 0), (f_cho_solve, two((3, 3), (3, 2)), (0, 1)),
    (f_cho_solve_lower, two((3, 3), 3), (0, 1)), (f_sla_eigh, arr(3, 3), 0),
    (f_sla_eigvalsh, arr(3, 3), 0), (f_sla_norm, arr(2, 3), 0),
    (f_cauchy_logpdf, two(3, ()), (0, 1)), (f_cauchy_pdf, arr(3), 0),
    (f_logistic_logpdf, two(3, ()), (0, 1)), (f_logistic_pdf, arr(3), 0),
]


DASK_REFUSED = {
    'f_median': 'np.quantile', 'f_median_axis': 'np.quantile',
    'f_median_keepdims': 'np.quantile', 'f_percentile': 'np.quantile',
    'f_percentile_q': 'np.quantile', 'f_quantile_axes': 'np.quantile',
    'f_solve_triangular': 'solve_triangular', 'f_solve_triangular_upper': 'solve_triangular',
    'f_solve_triangular_trans': 'solve_triangular',
    'f_solve_triangular_unit': 'solve_triangular',
    'f_mvn_logpdf': 'multivariate_normal', 'f_mvn_points': 'multivariate_normal',
    'f_extract': 'np.extract', 'f_sla_solve': 'scipy.linalg.solve',
    'f_sla_solve_pos': 'scipy.linalg.solve', 'f_sla_solve_lower': 'scipy.linalg.solve',
    'f_sla_inv': 'scipy.linalg.inv', 'f_sla_det': 'scipy.linalg.det',
    'f_sla_cholesky': 'scipy.linalg.cholesky', 'f_sla_cholesky_lower': 'scipy.linalg.cholesky',
    'f_cho_solve': 'scipy.linalg.cho', 'f_cho_solve_lower': 'scipy.linalg.cho',
    'f_sla_eigh': 'scipy.linalg.eigh', 'f_sla_eigvalsh': 'scipy.linalg.eigvalsh',
    'f_sla_norm': 'scipy.linalg.norm', 'f_sla_pinv': 'scipy.linalg.pinv',
}
"""Rows whose derivative refuses dask arrays (tests/test_dask_rules.py checks that it does):
the definition sorts, or the function is SciPy's, which computes dask arrays."""


def _numpy2_rows():
    def f_vecdot(a, b): return np.sum(np.vecdot(a, b) * V[:2])
    def f_linalg_vecdot(a, b): return np.sum(np.linalg.vecdot(a, b, axis=0) * W[0])
    def f_matvec(a, v): return np.sum(np.matvec(a, v) ** 2)
    def f_vecmat(v, a): return np.sum(np.vecmat(v, a) ** 2)
    def f_matrix_transpose(x): return np.sum(np.matrix_transpose(x) ** 2 * W.T)
    def f_linalg_outer(a, b): return np.sum(np.linalg.outer(a, b) ** 2)
    def f_linalg_trace(x): return np.sum(np.linalg.trace(x, offset=1) ** 2)
    def f_linalg_diagonal(x): return np.sum(np.linalg.diagonal(x) ** 3)
    def f_linalg_cross(a, b): return np.sum(np.linalg.cross(a, b) ** 2)
    def f_linalg_tensordot(a, b): return np.sum(np.linalg.tensordot(a, b, axes=1) ** 2)
    def f_linalg_matmul(a, b): return np.sum(np.linalg.matmul(a, b) ** 2)
    def f_matrix_norm(x): return np.sum(np.linalg.matrix_norm(x, ord='nuc') * V[:2])
    def f_vector_norm(x): return np.linalg.vector_norm(x) + np.sum(
        np.linalg.vector_norm(x, axis=(0, 2), ord=3, keepdims=True) * W[0][None, :, None])

    def f_svdvals(x): return np.sum(np.linalg.svdvals(x) * V[:2])
    def f_cumulative_sum(x): return np.sum(np.cumulative_sum(x, axis=1, include_initial=1) ** 2)
    def f_cumulative_prod(x): return np.sum(np.cumulative_prod(x) * V[:3])
    return [
        (f_vecdot, two((2, 3), 3), (0, 1)), (f_linalg_vecdot, two((3, 3), (3, 3)), (0, 1)),
        (f_matvec, two((2, 3, 4), 4), (0, 1)), (f_vecmat, two(3, (2, 3, 4)), (0, 1)),
        (f_matrix_transpose, arr(2, 3), 0), (f_linalg_outer, two(3, 2), (0, 1)),
        (f_linalg_trace, arr(2, 3, 3), 0), (f_linalg_diagonal, arr(2, 3, 4), 0),
        (f_linalg_cross, two((2, 3), 3), (0, 1)), (f_linalg_tensordot, two((2, 3), 3), (0, 1)),
        (f_linalg_matmul, two((2, 3), (3, 2)), (0, 1)),
        (f_matrix_norm, lambda rng: [rng.normal(size=(2, 3, 2)) + SPREAD], 0),
        (f_vector_norm, arr(2, 3, 2), 0), (f_svdvals, arr(3, 2), 0),
        (f_cumulative_sum, arr(2, 3), 0), (f_cumulative_prod, arr(3), 0),
    ]


if NUMPY2 and hasattr(np, 'matvec'):
    ROWS += _numpy2_rows()


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


# -- the definitions compute what the library functions compute ------------------------------

def _definition(func):
    definition = rules.lookup_definition(func)
    assert definition is not None, func
    return definition


RNG = np.random.default_rng(5)
A = RNG.normal(size=(3, 4))
B = RNG.normal(size=(2, 3, 4))
SAME_VALUES = [
    (np.polyval, (RNG.normal(size=4), A), {}),
    (np.polyval, (RNG.normal(size=1), 0.3), {}),
    (np.ediff1d, (A,), {}), (np.ediff1d, (A,), {'to_begin': 2.0, 'to_end': [1.0, 3.0]}),
    (np.cov, (A,), {}), (np.cov, (A,), {'rowvar': False}), (np.cov, (A,), {'bias': True}),
    (np.cov, (A[0],), {}), (np.cov, (A[0], A[1]), {'ddof': 2}), (np.cov, (A, A[:2]), {}),
    (np.cov, (A,), {'fweights': [1, 2, 1, 3]}), (np.cov, (A,), {'aweights': [0.5, 2.0, 1.0, 1.5]}),
    (np.cov, (A,), {'fweights': [1, 2, 1, 3], 'aweights': [0.5, 2.0, 1.0, 1.5], 'ddof': 0}),
    (np.cov, (A,), {'fweights': [2, 2, 1, 3], 'aweights': [0.5, 2.0, 1.0, 1.5]}),
    (np.cov, (A,), {'aweights': [0.5, 2.0, 1.0], 'rowvar': False, 'bias': True}),
    (np.corrcoef, (A,), {}), (np.corrcoef, (A[0], A[1]), {}), (np.corrcoef, (A[0],), {}),
    (np.median, (A,), {}), (np.median, (A,), {'axis': 1}), (np.median, (B,), {'axis': (0, 2)}),
    (np.median, (B,), {'axis': -1, 'keepdims': True}), (np.median, (A[0, :3],), {}),
    (np.percentile, (A, 37.0), {}), (np.percentile, (B, [0.0, 12.5, 100.0]), {'axis': 1}),
    (np.percentile, (B, [[5.0, 50.0], [60.0, 99.0]]), {'axis': (0, 1), 'keepdims': True}),
    (np.quantile, (A, 0.25), {'axis': 0}), (np.quantile, (A, np.array(1.0)), {}),
    (np.interp, (np.linspace(-3, 4, 15), [-2.0, 0.0, 1.5, 3.0], [1.0, -1.0, 2.0, 0.5]), {}),
    (np.interp, (np.linspace(-3, 4, 15), [-2.0, 0.0, 3.0], [1.0, -1.0, 0.5]),
     {'left': -7.0, 'right': 9.0}),
    (np.interp, (3.0, [-2.0, 0.0, 3.0], [1.0, -1.0, 0.5]), {}),
    (np.nancumsum, (np.where(A > 1, np.nan, A),), {'axis': 1}),
    (np.nancumprod, (np.where(A > 1, np.nan, A),), {}),
    (np.add.reduce, (B,), {}), (np.add.reduce, (B,), {'axis': (1, 2), 'keepdims': True}),
    (np.multiply.reduce, (A,), {'axis': None}), (np.maximum.reduce, (B,), {'axis': 2}),
    (np.minimum.reduce, (A,), {}), (np.logaddexp.reduce, (B,), {'axis': 1}),
    (np.add.accumulate, (A,), {'axis': 1}), (np.multiply.accumulate, (A,), {}),
    (np.add.outer, (A, A[0]), {}), (np.subtract.outer, (A[0], 2.0), {}),
    (np.multiply.outer, (A[0], B), {}), (np.divide.outer, (A, A[0] + 3.0), {}),
    (np.heaviside, (np.array([-1.0, 0.0, 2.0]), 0.25), {}),
    (np.ldexp, (A, np.arange(4)), {}),
    (np.diagflat, (A,), {}), (np.diagflat, (A[0], -2), {}),
    (np.polyfit, (A[0], A[1], 2), {}), (np.polyfit, (np.arange(4.0), A.T, 1), {}),
    (np.divmod, (A * 3.0, 0.7), {}), (np.maximum.accumulate, (B,), {'axis': 2}),
    (np.minimum.accumulate, (A,), {}), (np.maximum.accumulate, (np.round(A),), {}),
    (np.linalg.cond, (A[:, :3] + 2 * np.eye(3),), {}),
    (np.linalg.cond, (A[:, :3] + 2 * np.eye(3), 1), {}),
    (np.linalg.cond, (A[:, :3] + 2 * np.eye(3), -2), {}),
    (np.compress, ([0, 1, 1], A), {'axis': 0}), (np.compress, ([True, False], A), {}),
    (np.extract, (A > 0, A), {}), (np.modf, (A * 3.0,), {}), (divmod, (-2.5, 0.7), {}),
    (np.frexp, (A * 3.0,), {}), (np.frexp, (np.array([0.0, -1.0, 7.5, 1e-300]),), {}),
    (np.linalg.tensorinv, (np.reshape(RNG.normal(size=(4, 4)) + 3 * np.eye(4), (2, 2, 4)),),
     {}),
    (np.linalg.tensorinv, (np.reshape(RNG.normal(size=(6, 6)) + 3 * np.eye(6), (6, 2, 3)),),
     {'ind': 1}),
    (np.linalg.tensorsolve, (np.reshape(RNG.normal(size=(4, 4)) + 3 * np.eye(4), (2, 2, 2, 2)),
                             RNG.normal(size=(2, 2))), {}),
    (np.linalg.tensorsolve, (np.reshape(RNG.normal(size=(6, 6)) + 3 * np.eye(6), (2, 3, 3, 2)),
                             RNG.normal(size=(2, 3))), {'axes': (1,)}),
    (math.prod, ([0.5, 3.0, -2.0],), {'start': 1.5}), (math.dist, ([0.5, 3.0], [1.0, 2.0]), {}),
    (np.block, ([A[0], A[1, :2]],), {}), (np.block, ([[A, A], [B[0], B[1]]],), {}),
    (np.block, ([[[A]], [[A]]],), {}), (np.block, (A,), {}), (np.block, (2.5,), {}),
    (np.block, ([[1.0, A[0, :1]], [A[1, :1], 2.0]],), {}),
]
for _n in range(1, 6):
    for _m in range(1, 6):
        for _mode in ('full', 'same', 'valid'):
            SAME_VALUES += [(np.convolve, (RNG.normal(size=_n), RNG.normal(size=_m)),
                             {'mode': _mode}),
                            (np.correlate, (RNG.normal(size=_n), RNG.normal(size=_m)),
                             {'mode': _mode})]


@pytest.mark.parametrize('func, args, kwargs', SAME_VALUES,
                         ids=lambda v: getattr(v, '__name__', None) if callable(v) else None)
def test_definition_computes_what_the_library_function_computes(func, args, kwargs):
    expected = func(*args, **kwargs)
    value = _definition(func)(*args, **kwargs)
    assert np.shape(value) == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)


def test_meshgrid_of_computes_what_numpy_computes():
    from s2sgrad.templates.definitions import meshgrid_of
    for arrays in [(A[0],), (A[0], A[1, :2]), (A[0], A[1, :2], A[2, :3])]:
        for indexing in ('xy', 'ij'):
            want = np.meshgrid(*arrays, indexing=indexing)
            got = meshgrid_of(arrays, indexing=indexing)
            assert len(got) == len(want)
            for value, expected in zip(got, want):
                assert value.shape == expected.shape
                np.testing.assert_array_equal(value, expected)


def test_periodic_interp_computes_what_numpy_computes():
    from s2sgrad.templates.definitions import periodic_interp
    for xp, fp, period in [([0.5, 1.5, 3.7, -1.0], [1.0, -1.0, 2.0, 0.5], 4.0),
                           ([0.5, 1.5, 3.5], [1.0, -1.0, 2.0], -3.0)]:
        x = np.linspace(-9, 11, 23)
        np.testing.assert_allclose(periodic_interp(x, np.array(xp), np.array(fp), period),
                                   np.interp(x, xp, fp, period=period), rtol=1e-12)


def test_lstsq_definition_computes_what_numpy_computes():
    for a, b in [(A.T, A[0, :4] * 0 + 1.0), (A.T, A.T[:, :2]), (A[:, :3], A[:, 3]),
                 (A[:2, :3].T, A[0, :3])]:
        want = np.linalg.lstsq(a, b, rcond=None)
        got = _definition(np.linalg.lstsq)(a, b, rcond=None)
        assert len(got) == 4 and got[2] == want[2]
        for value, expected in zip(got, want):
            assert np.shape(value) == np.shape(expected)
            np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12)


def test_multi_dot_and_trapezoid_values():
    arrays = [RNG.normal(size=3), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)),
              RNG.normal(size=2)]
    np.testing.assert_allclose(_definition(np.linalg.multi_dot)(arrays),
                               np.linalg.multi_dot(arrays), rtol=1e-12)
    trapezoid = TRAPEZOID
    for args, kwargs in [((A,), {}), ((A,), {'dx': 0.3, 'axis': 0}),
                         ((A, np.cumsum(np.abs(A), axis=1)), {}),
                         ((B, np.arange(3.0) ** 2), {'axis': 1})]:
        np.testing.assert_allclose(_definition(trapezoid)(*args, **kwargs),
                                   trapezoid(*args, **kwargs), rtol=1e-12)


@pytest.mark.skipif(not hasattr(np, 'matvec'), reason='NumPy 2.2 functions')
def test_numpy2_definitions_compute_what_numpy_computes():
    x, y = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4,))
    cases = [(np.vecdot, (x, y)), (np.linalg.vecdot, (x, x)), (np.matvec, (x, y)),
             (np.vecmat, (x[..., 0], x)), (np.matrix_transpose, (x,)),
             (np.linalg.outer, (y, y[:2])), (np.linalg.trace, (x,)),
             (np.linalg.diagonal, (x,)), (np.linalg.svdvals, (x,)),
             (np.linalg.matrix_norm, (x,)), (np.linalg.vector_norm, (x,)),
             (np.cumulative_sum, (y,)), (np.cumulative_prod, (y,)),
             (np.astype, (x, np.float32))]
    for func, args in cases:
        np.testing.assert_allclose(_definition(func)(*args), func(*args), rtol=1e-12)
    for kwargs in [{'axis': 1}, {'axis': (0, 2), 'keepdims': True, 'ord': 3},
                   {'ord': np.inf}]:
        np.testing.assert_allclose(_definition(np.linalg.vector_norm)(x, **kwargs),
                                   np.linalg.vector_norm(x, **kwargs), rtol=1e-12)
    np.testing.assert_allclose(
        _definition(np.cumulative_sum)(x, axis=2, include_initial=True),
        np.cumulative_sum(x, axis=2, include_initial=True))


def test_other_distributions_compute_what_scipy_computes():
    x, q = np.linspace(0.1, 0.9, 5), np.array([0.2, 0.3, 0.5])
    cov = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])
    points = np.arange(6.0).reshape(2, 3) / 4
    cases = [(scipy.stats.t.logpdf, (x, 3.5, 0.2, 1.3)), (scipy.stats.t.pdf, (x, 2.0)),
             (scipy.stats.beta.logpdf, (x, 2.5, 1.5)), (scipy.stats.beta.pdf, (x, 2.0, 3.0)),
             (scipy.stats.gamma.logpdf, (x, 2.5, 0.0, 1.5)), (scipy.stats.gamma.pdf, (x, 2.0)),
             (scipy.stats.chi2.logpdf, (x, 3)), (scipy.stats.chi2.pdf, (x, 4.0)),
             (scipy.stats.expon.logpdf, (x, 0.05, 2.0)), (scipy.stats.expon.pdf, (x,)),
             (scipy.stats.laplace.logpdf, (x, 0.3, 2.0)), (scipy.stats.laplace.pdf, (x,)),
             (scipy.stats.poisson.logpmf, (np.arange(4), 2.5)),
             (scipy.stats.poisson.pmf, (np.arange(4), 0.5)),
             (scipy.stats.multivariate_normal.logpdf, (points[0], points[1], cov)),
             (scipy.stats.multivariate_normal.logpdf, (points, np.zeros(3), cov)),
             (scipy.stats.multivariate_normal.pdf, (points, points[1], cov)),
             (scipy.stats.dirichlet.logpdf, (q, np.array([1.5, 2.0, 0.7]))),
             (scipy.stats.dirichlet.logpdf, (np.stack([q, q[::-1]], axis=1), q + 1.0)),
             (scipy.stats.dirichlet.logpdf, (q[:2], np.array([1.5, 2.0, 0.7])))]
    for func, args in cases:
        value = _definition(func)(*args)
        assert np.shape(value) == np.shape(func(*args)), func
        np.testing.assert_allclose(value, func(*args), rtol=1e-10, err_msg=str(func))
    for args in [(np.arange(3.0),), (np.arange(3.0), 5), (np.arange(3.0), 2, True)]:
        np.testing.assert_allclose(_definition(np.vander)(*args), np.vander(*args))


def test_scipy_definitions_compute_what_scipy_computes():
    x = np.linspace(-3, 3, 7)
    q = np.linspace(0.05, 0.95, 5)
    for name in ('logpdf', 'pdf', 'cdf', 'logcdf', 'sf', 'logsf'):
        func = getattr(scipy.stats.norm, name)
        np.testing.assert_allclose(_definition(func)(x, 0.4, 1.7), func(x, 0.4, 1.7),
                                   rtol=1e-12)
    for name in ('ppf', 'isf'):
        func = getattr(scipy.stats.norm, name)
        np.testing.assert_allclose(_definition(func)(q, loc=2.0), func(q, loc=2.0), rtol=1e-12)
    a, b = RNG.normal(size=(3, 3)) + 3 * np.eye(3), RNG.normal(size=(3, 2))
    for lower in (True, False):
        for options in ({}, {'trans': 'T'}, {'trans': 1, 'unit_diagonal': True},
                        {'trans': 'C'}, {'unit_diagonal': True, 'check_finite': False}):
            np.testing.assert_allclose(
                _definition(scipy.linalg.solve_triangular)(a, b, lower=lower, **options),
                scipy.linalg.solve_triangular(a, b.copy(), lower=lower, **options), rtol=1e-12)


def test_scipy_linalg_definitions_compute_what_scipy_computes():
    a = RNG.normal(size=(3, 3)) + 4 * np.eye(3)  # (not symmetric: the triangle read counts)
    b = RNG.normal(size=(3, 2))
    cases = [(sla.solve, (a, b), {}), (sla.solve, (a, b[:, 0]), {'assume_a': 'pos'}),
             (sla.solve, (a, b), {'assume_a': 'sym', 'lower': True}),
             (sla.solve, (a, b), {'transposed': True}), (sla.inv, (a,), {}),
             (sla.det, (a,), {}), (sla.cholesky, (a,), {}), (sla.cholesky, (a, True), {}),
             (sla.eigvalsh, (a,), {}), (sla.eigvalsh, (a,), {'lower': False}),
             (sla.eigh, (a,), {'eigvals_only': True}), (sla.norm, (a,), {}),
             (sla.norm, (a, 1), {'axis': 1, 'keepdims': True}), (sla.pinv, (a[:, :2],), {}),
             (sla.pinv, (b.T,), {'rtol': 1e-3}), (sla.pinv, (np.ones((3, 2)),), {})]
    for func, args, kwargs in cases:
        expected = func(*args, **kwargs)
        value = _definition(func)(*args, **kwargs)
        assert np.shape(value) == np.shape(expected), func
        np.testing.assert_allclose(value, expected, rtol=1e-10, err_msg=str(func))
    for lower in (False, True):
        (c, low), (expected, expected_low) = (_definition(sla.cho_factor)(a, lower),
                                              sla.cho_factor(a, lower))
        np.testing.assert_allclose(c, expected, rtol=1e-12)  # (the other triangle too)
        assert low == expected_low
        np.testing.assert_allclose(_definition(sla.cho_solve)((c, low), b),
                                   sla.cho_solve((expected, low), b), rtol=1e-10)
    np.testing.assert_allclose(_definition(sla.eigh)(a, lower=False, eigvals_only=True),
                               sla.eigh(a, lower=False, eigvals_only=True), rtol=1e-10)
    x = np.linspace(-3, 3, 7)
    for func, args in [(scipy.stats.cauchy.logpdf, (x, 0.4, 1.7)), (scipy.stats.cauchy.pdf, (x,)),
                       (scipy.stats.logistic.logpdf, (x * 300, 0.4, 1.7)),
                       (scipy.stats.logistic.pdf, (x, -1.0))]:
        np.testing.assert_allclose(_definition(func)(*args), func(*args), rtol=1e-12)


# -- arguments a definition does not cover raise ---------------------------------------------

def r_quantile_method(x): return np.quantile(x, 0.3, method='nearest')
def r_cov_dtype(x): return np.sum(np.cov(x, dtype=np.float32))
def r_polyfit_weights(x): return np.sum(np.polyfit(np.arange(3.0), x, 1, w=[1.0, 2.0, 1.0]))
def r_lstsq_rank(x): return np.sum(np.linalg.lstsq(x[:, :1] * np.ones(3), x[0], rcond=None)[0])
def r_solve_triangular_trans(a): return np.sum(scipy.linalg.solve_triangular(a, a[0], trans=3))
def r_sla_solve_banded(a): return np.sum(sla.solve(a, a[0], assume_a='banded'))
def r_sla_eigh_pair(a): return np.sum(sla.eigh(a, np.eye(3) * 2.0, eigvals_only=True))
def r_sla_eigh_vectors(a): return np.sum(sla.eigh(a)[1][0] * V[:3])


@pytest.mark.parametrize('f, text', [(r_quantile_method, "method='linear'"),
                                     (r_cov_dtype, 'dtype='), (r_polyfit_weights, 'w='),
                                     (r_lstsq_rank, 'full rank'),
                                     (r_solve_triangular_trans, 'trans 0, 1, 2'),
                                     (r_sla_solve_banded, "assume_a None, 'gen'"),
                                     (r_sla_eigh_pair, 'one matrix'),
                                     (r_sla_eigh_vectors, 'np.linalg.eigh')],
                         ids=lambda v: getattr(v, '__name__', None))
def test_arguments_a_definition_does_not_cover_are_loud(f, text):
    x = np.eye(3) + 0.5
    with pytest.raises(NotImplementedError, match=text):
        s2sgrad.grad(f)(x)
    with pytest.raises(NotImplementedError, match=text):
        s2sgrad.jvp(f)(x, np.ones((3, 3)))


def my_hypot(x, y):
    return math.sqrt(x * x + y * y)


def uses_hypot(x, y):
    return math.hypot(x, 2.0 * y) ** 3


def test_a_definition_registered_by_a_user():
    s2sgrad.defined_by(math.hypot, my_hypot)
    check_grads(uses_hypot, (0.7, -1.3), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    assert s2sgrad.grad(uses_hypot)(3.0, 2.0) == pytest.approx(3 * 25.0 * 3.0 / 5.0)


def norm_loss(x, scale):
    return np.sum(scipy.stats.norm.logpdf(x, 0.5, scale))


def test_a_distribution_with_an_invalid_scale_has_nan_derivatives():
    """SciPy's value is nan for scale <= 0; the derivatives are nan too, never a number."""
    x = np.array([0.1, 0.7])
    assert np.isnan(norm_loss(x, -1.0))
    assert np.all(np.isnan(s2sgrad.grad(norm_loss, wrt=(0, 1))(x, -1.0)[0]))
    assert np.isnan(s2sgrad.grad(norm_loss, wrt=1)(x, -1.0))


def test_printed_gradient_calls_the_definitions_derivative():
    def loss(p, x):
        return np.sum(np.polyval(p, x) ** 2)
    source = s2sgrad.grad(loss, wrt=(0, 1)).source
    assert 'np.polyval(p, x)' in source  # the values: NumPy's own call
    assert 'dpolyvaldpx(' in source      # the derivative: polyval's definition, differentiated


# -- edge cases a review found -----------------------------------------------------------------

def trapezoid_spacing_rows(y, dx):
    return TRAPEZOID(y, dx=dx, axis=0)[0]


def interp_repeated_last_knot(fp, x):
    return np.sum(np.interp(x, [0.0, 1.0, 2.0, 2.0], fp))


def convolve_numbered_mode(a):
    return np.sum(np.convolve(a, [1.0, 2.0], mode=2) ** 2) + np.sum(np.correlate(a, a, 1))


@pytest.mark.parametrize('dx', [np.array([[1.0], [3.0]]), np.array([1.0, 3.0])],
                         ids=['column', 'row'])
def test_trapezoid_spacing_array_along_another_axis(dx):
    """The spacing multiplies `y` in its own layout, as NumPy does (not after moving the
    axis last)."""
    y = np.ones((3, 2)) + np.arange(6.0).reshape(3, 2)
    check_grads(trapezoid_spacing_rows, (y, dx), wrt=(0, 1), modes=('rev', 'fwd'), order=2)


def test_interp_with_a_repeated_last_knot_and_numbered_modes():
    fp = np.array([1.0, 3.0, 2.0, 5.0])
    check_grads(interp_repeated_last_knot, (fp, np.array([0.5, 1.5])), wrt=(0, 1),
                modes=('rev', 'fwd'), order=2)
    g = s2sgrad.grad(interp_repeated_last_knot, wrt=(0, 1))(fp, np.array([0.5, 3.0, 2.0]))
    assert np.all(np.isfinite(g[0])) and np.all(np.isfinite(g[1]))
    check_grads(convolve_numbered_mode, (np.array([0.5, -1.0, 2.0]),), modes=('rev', 'fwd'))


def median_of(a):
    return np.median(a)


def covariance_without_freedom(x):
    return np.sum(np.cov(x, ddof=5))


def test_nan_values_have_nan_derivatives():
    """Where the library's value is nan (a NaN in a median, ddof leaving no degree of
    freedom), the derivatives that reach it are nan too, never a number."""
    value, g = s2sgrad.value_and_grad(median_of)(np.array([1.0, np.nan, 2.0]))
    assert np.isnan(value) and np.any(np.isnan(g))
    assert np.isnan(s2sgrad.jvp(median_of)(np.array([1.0, np.nan, 2.0]), np.ones(3)))
    x = np.array([[1.0, 2.0, 4.0], [0.0, 1.0, -1.0]])
    value, g = s2sgrad.value_and_grad(covariance_without_freedom)(x)
    assert not np.isfinite(value) and not np.all(np.isfinite(g))


def fit_on_years(y):
    return np.sum(np.polyfit(np.arange(2000.0, 2010.0), y, 3) * np.array([1e6, 1e3, 1.0, 1e-3]))


def test_polyfit_of_raw_years_scales_its_columns():
    """The definition took the pseudo-inverse of the raw Vandermonde matrix, whose powers of
    2000..2009 span 10 orders of magnitude: a wrong derivative (NumPy scales the columns)."""
    y = np.sin(np.arange(10.0))
    want = rulespec.central_gradient(fit_on_years, y, h=1e-4)
    np.testing.assert_allclose(s2sgrad.grad(fit_on_years)(y), want, rtol=1e-5, atol=1e-6)


def fit_too_many_coefficients(y):
    return np.sum(np.polyfit(np.arange(3.0), y, 3) ** 2)


def test_polyfit_that_does_not_determine_the_fit_is_loud():
    with pytest.raises(NotImplementedError, match='not unique'):
        s2sgrad.grad(fit_too_many_coefficients)(np.array([1.0, 2.0, 0.5]))


def r_cho_solve_overwrite(a):
    return np.sum(sla.cho_solve(sla.cho_factor(a @ a.T + 3 * I3), a[0] * 1.0, overwrite_b=True))


def r_median_overwrite(a):
    return np.median(a * 1.0, overwrite_input=True)


@pytest.mark.parametrize('f', [r_cho_solve_overwrite, r_median_overwrite],
                         ids=lambda f: f.__name__)
def test_a_library_call_that_may_overwrite_what_its_derivative_reads_is_refused(f):
    # (the library computes the value and may overwrite its input; the derivative would
    # read the overwritten array again)
    with pytest.raises(NotImplementedError, match='overwrite'):
        s2sgrad.grad(f)(np.eye(3) + 0.5)


def test_logistic_second_derivative_at_its_centre():
    # d2/dx2 logpdf = -2 s(z)(1 - s(z)) / scale ** 2 = -1/2 at z = 0 (scale 1)
    h = s2sgrad.hessian(lambda_free_logistic)(np.array([0.2, 1.0]))
    np.testing.assert_allclose(np.diag(h), [-0.5, -2 * _s(0.8) * (1 - _s(0.8))])


def _s(z):
    return 1.0 / (1.0 + np.exp(-z))


def lambda_free_logistic(x):
    return np.sum(scipy.stats.logistic.logpdf(x, 0.2))
