"""Spec table of the rules of templates/reductions.py and templates/cumulative.py: reverse,
forward and second order."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad import rules  # noqa: E402
from s2sgrad.templates import cumulative, reductions  # noqa: E402

W = np.array([[0.3, -1.2, 0.7, 0.5], [1.1, 0.4, -0.5, -0.9], [0.6, -0.2, 0.8, 1.3]])
W3 = np.arange(24.0).reshape(2, 3, 4) % 5 - 1.7
V3 = np.array([0.2, -0.7, 1.3])
C3 = V3[:, None]
V4 = np.array([0.9, -0.4, 0.6, 1.5])
V12 = np.linspace(-1.0, 1.0, 12) ** 2 - 0.3
WEIGHTS4 = np.array([0.5, 1.5, 2.0, 1.0])


def uniform(lo=-1.0, hi=1.0, shape=(3, 4)):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def distinct(shape=(3, 4)):
    """Distinct values (no ties for max/min/ptp), spaced well beyond the finite-difference step."""
    def make(rng):
        size = int(np.prod(shape))
        return (rng.permutation(size).reshape(shape) * 0.37 - 1.5 + rng.uniform(0, 0.1, shape),)
    return make


def with_zeros(count):
    """Values in [0.5, 1.5] with `count` exact zeros in the first row (prod/cumprod edge)."""
    def make(rng):
        x = rng.uniform(0.5, 1.5, size=(3, 4))
        x[0, 1:1 + count] = 0.0
        return (x,)
    return make


# -- prod ---------------------------------------------------------------------------------------
def f_prod_all(x): return np.prod(x) * 2.0
def f_prod_axis0(x): return np.sum(np.prod(x, axis=0) * V4)
def f_prod_axis1_keepdims(x): return np.sum(np.prod(x, axis=1, keepdims=True) * C3)
def f_prod_axis_tuple(x): return np.sum(np.prod(x, axis=(0, 2)) * V3)
def f_prod_neg_axis(x): return np.sum(np.prod(x, axis=-1) * V3)
def f_prod_initial(x): return np.sum(np.prod(x, axis=1, initial=1.5) * V3)
def f_prod_method(x): return np.sum(x.prod(axis=0) * V4) + x.prod()
def f_prod_scalar_initial(x, c): return np.sum(np.prod(x, axis=0, initial=c) * V4)


# -- var, std -----------------------------------------------------------------------------------
def f_var_all(x): return np.var(x * W)
def f_var_axis0(x): return np.sum(np.var(x, axis=0) * V4)
def f_var_axis1_ddof(x): return np.sum(np.var(x, axis=1, ddof=1) * V3)
def f_var_tuple_keepdims(x): return np.sum(np.var(x, axis=(0, 2), keepdims=True) * C3)
def f_var_correction(x): return np.sum(np.var(x, axis=0, correction=1) * V4)
def f_var_method(x): return np.sum(x.var(axis=1, ddof=1) * V3) + x.var()
def f_std_all(x): return np.std(x * W)
def f_std_axis1(x): return np.sum(np.std(x, axis=1) * V3)
def f_std_axis0_ddof_keepdims(x): return np.sum(np.std(x, 0, None, None, 1, True) * V4)
def f_std_tuple(x): return np.sum(np.std(x, axis=(1, 2), ddof=2) * V3[:2])
def f_std_one_element(x): return np.sum(np.std(x, axis=0) * V4)  # (constant: 0)
def f_std_method(x): return np.sum(x.std(axis=0, ddof=1, keepdims=True) * V4) + x.std()


# -- nan* ---------------------------------------------------------------------------------------
# NaNs come from constant masks added inside the functions: central differences cannot move
# along a NaN coordinate, and the gradient must be zero there (added masks pass it through).
NANS = np.zeros((3, 4))
NANS[0, 1] = NANS[2, 3] = NANS[1, 0] = np.nan
NANS3 = np.zeros((3, 2, 4))
NANS3[0, 1, 2] = NANS3[2, 0, 0] = np.nan
NANS_MAX = np.zeros((3, 4))
NANS_MAX[0, 2] = NANS_MAX[2, 0] = np.nan


def f_nansum_all(x): return np.nansum((x + NANS) * W)
def f_nansum_axis0(x): return np.sum(np.nansum(x + NANS, axis=0) * V4)
def f_nansum_axis1_keepdims(x): return np.sum(np.nansum(x * x + NANS, axis=1, keepdims=True) * C3)
def f_nansum_tuple(x): return np.sum(np.nansum((x * x + NANS3), axis=(0, 1)) * V4)
def f_nansum_initial(x): return np.sum(np.nansum(x + NANS, axis=0, initial=0.5) ** 2 * V4)
def f_nanmean_all(x): return np.nanmean((x + NANS) * W) ** 2
def f_nanmean_axis1(x): return np.sum(np.nanmean((x * x + NANS), axis=1) * V3)
def f_nanmean_axis0_keepdims(x): return np.sum(np.nanmean(x * x + NANS, axis=0, keepdims=True) * V4)
def f_nanmean_tuple(x): return np.sum(np.nanmean(x + NANS3, axis=(0, 2)) ** 2 * V3[:2])
def f_nanvar_all(x): return np.nanvar((x + NANS) * W)
def f_nanvar_axis0(x): return np.sum(np.nanvar(x + NANS, axis=0) * V4)
def f_nanvar_axis1_ddof(x): return np.sum(np.nanvar(x + NANS, axis=1, ddof=1, keepdims=True) * C3)
def f_nanvar_tuple(x): return np.sum(np.nanvar(x + NANS3, axis=(0, 1)) * V4)
def f_nanvar_correction(x): return np.sum(np.nanvar(x + NANS, axis=0, correction=1) * V4)
def f_nanstd_all(x): return np.nanstd((x + NANS) * W)
def f_nanstd_axis1(x): return np.sum(np.nanstd(x + NANS, axis=1) * V3)
def f_nanstd_axis0_ddof_keepdims(x): return np.sum(np.nanstd(x + NANS, 0, None, None, 1, True) * V4)
def f_nanstd_tuple(x): return np.sum(np.nanstd(x + NANS3, axis=(0, 2)) * V3[:2])
def f_nanprod_all(x): return np.nanprod(x + NANS) * 3.0
def f_nanprod_axis0(x): return np.sum(np.nanprod(x + NANS, axis=0) * V4)
def f_nanprod_axis1_keepdims(x): return np.sum(np.nanprod(x + NANS, axis=1, keepdims=True) * C3)
def f_nanprod_tuple(x): return np.sum(np.nanprod(x + NANS3, axis=(0, 1)) * V4)
def f_nanmax_all(x): return np.nanmax((x + NANS_MAX) * W) * 2.0
def f_nanmax_axis0(x): return np.sum(np.nanmax(x + NANS_MAX, axis=0) * V4)
def f_nanmax_axis1_keepdims(x): return np.sum(np.nanmax(x + NANS_MAX, axis=1, keepdims=True) * C3)
def f_nanmax_tuple(x): return np.sum(np.nanmax(x + NANS3, axis=(0, 1)) * V4)
def f_nanmin_all(x): return np.nanmin((x + NANS_MAX) * W) * 2.0
def f_nanmin_axis0(x): return np.sum(np.nanmin(x + NANS_MAX, axis=0) * V4)
def f_nanmin_axis1_keepdims(x): return np.sum(np.nanmin(x + NANS_MAX, axis=1, keepdims=True) * C3)
def f_nanmin_tuple(x): return np.sum(np.nanmin(x + NANS3, axis=(1, 2)) * V3)


# -- ptp ----------------------------------------------------------------------------------------
def f_ptp_all(x): return np.ptp(x) * 2.0
def f_ptp_axis0(x): return np.sum(np.ptp(x, axis=0) * V4)
def f_ptp_axis1_keepdims(x): return np.sum(np.ptp(x, axis=1, keepdims=True) ** 2 * C3)
def f_ptp_tuple(x): return np.sum(np.ptp(x, axis=(0, 2)) * V3)


# -- cumsum, cumprod ----------------------------------------------------------------------------
def f_cumsum_all(x): return np.sum(np.cumsum(x) ** 2 * V12)
def f_cumsum_axis0(x): return np.sum(np.cumsum(x, axis=0) ** 2 * W)
def f_cumsum_axis1(x): return np.sum(np.cumsum(x, axis=1) * W * x)
def f_cumsum_neg_axis(x): return np.sum(np.cumsum(x, axis=-1) ** 2 * W3)
def f_cumsum_method(x): return np.sum(x.cumsum(axis=1) ** 2 * W) + np.sum(x.cumsum() * V12)
def f_cumprod_all(x): return np.sum(np.cumprod(x) * V12)
def f_cumprod_axis0(x): return np.sum(np.cumprod(x, axis=0) * W)
def f_cumprod_axis1(x): return np.sum(np.cumprod(x, axis=1) * W)
def f_cumprod_3d(x): return np.sum(np.cumprod(x, axis=1) * W3)
def f_cumprod_method(x): return np.sum(x.cumprod(axis=1) * W) + np.sum(x.cumprod() * V12)


# -- average ------------------------------------------------------------------------------------
def f_average_all(x): return np.average(x * W)
def f_average_axis0(x): return np.sum(np.average(x ** 2, axis=0) * V4)
def f_average_tuple_keepdims(x): return np.sum(np.average(x ** 2, axis=(0, 2), keepdims=True) * C3)
def f_average_weights_1d(x): return np.sum(np.average(x ** 2, axis=1, weights=WEIGHTS4) * V3)
def f_average_weights_full(x): return np.average(x, weights=W ** 2 + 0.1)
def f_average_wrt_weights(x, w): return np.sum(np.average(x, axis=1, weights=w) * V3)
def f_average_wrt_full_weights(x, w): return np.sum(np.average(x, axis=0, weights=w) * V4)
def f_average_tuple_weights(x, w): return np.sum(np.average(x, axis=(2, 0), weights=w) * V3)


# -- trace --------------------------------------------------------------------------------------
def f_trace(x): return np.trace(x) ** 2
def f_trace_offset(x): return np.trace(x, 1) * np.trace(x, offset=-1)
def f_trace_axes(x): return np.sum(np.trace(x, 0, 2, 1) * V3[:2] * x[:, 0, 0])
def f_trace_method(x): return x.trace(offset=1) ** 2 + x.trace()


ROWS = [
    (f_prod_all, uniform(0.5, 1.5), 0), (f_prod_axis0, uniform(0.5, 1.5), 0),
    (f_prod_axis1_keepdims, uniform(-1.5, 1.5), 0),
    (f_prod_axis_tuple, uniform(0.5, 1.5, (2, 3, 4)), 0),
    (f_prod_neg_axis, uniform(0.5, 1.5), 0), (f_prod_initial, uniform(0.5, 1.5), 0),
    (f_prod_method, uniform(0.5, 1.5), 0),
    (f_prod_scalar_initial, lambda rng: (rng.uniform(0.5, 1.5, (3, 4)), 1.3), (0, 1)),
    # Exact zeros: the gradient uses exclusion products, the Hessian their derivatives.
    (f_prod_all, with_zeros(1), 0), (f_prod_axis1_keepdims, with_zeros(1), 0),
    (f_prod_axis1_keepdims, with_zeros(2), 0), (f_prod_axis1_keepdims, with_zeros(3), 0),
    (f_prod_axis0, with_zeros(1), 0), (f_prod_method, with_zeros(2), 0),
    (f_var_all, uniform(), 0), (f_var_axis0, uniform(), 0), (f_var_axis1_ddof, uniform(), 0),
    (f_var_tuple_keepdims, uniform(shape=(2, 3, 4)), 0), (f_var_correction, uniform(), 0),
    (f_var_method, uniform(), 0),
    (f_std_all, uniform(), 0), (f_std_axis1, uniform(), 0),
    (f_std_axis0_ddof_keepdims, uniform(), 0), (f_std_tuple, uniform(shape=(2, 3, 4)), 0),
    (f_std_method, uniform(), 0), (f_std_one_element, uniform(shape=(1, 4)), 0),
    (f_nansum_all, uniform(), 0), (f_nansum_axis0, uniform(), 0),
    (f_nansum_axis1_keepdims, uniform(), 0), (f_nansum_tuple, uniform(shape=(3, 2, 4)), 0),
    (f_nansum_initial, uniform(), 0),
    (f_nanmean_all, uniform(), 0), (f_nanmean_axis1, uniform(), 0),
    (f_nanmean_axis0_keepdims, uniform(), 0), (f_nanmean_tuple, uniform(shape=(3, 2, 4)), 0),
    (f_nanvar_all, uniform(), 0), (f_nanvar_axis0, uniform(), 0),
    (f_nanvar_axis1_ddof, uniform(), 0), (f_nanvar_tuple, uniform(shape=(3, 2, 4)), 0),
    (f_nanvar_correction, uniform(), 0),
    (f_nanstd_all, uniform(), 0), (f_nanstd_axis1, uniform(), 0),
    (f_nanstd_axis0_ddof_keepdims, uniform(), 0), (f_nanstd_tuple, uniform(shape=(3, 2, 4)), 0),
    (f_nanprod_all, uniform(0.5, 1.5), 0), (f_nanprod_axis0, uniform(-1.5, 1.5), 0),
    (f_nanprod_axis1_keepdims, uniform(0.5, 1.5), 0),
    (f_nanprod_tuple, uniform(0.5, 1.5, (3, 2, 4)), 0), (f_nanprod_axis0, with_zeros(1), 0),
    (f_nanmax_all, distinct(), 0), (f_nanmax_axis0, distinct(), 0),
    (f_nanmax_axis1_keepdims, distinct(), 0), (f_nanmax_tuple, distinct((3, 2, 4)), 0),
    (f_nanmin_all, distinct(), 0), (f_nanmin_axis0, distinct(), 0),
    (f_nanmin_axis1_keepdims, distinct(), 0), (f_nanmin_tuple, distinct((3, 2, 4)), 0),
    (f_ptp_all, distinct(), 0), (f_ptp_axis0, distinct(), 0),
    (f_ptp_axis1_keepdims, distinct(), 0), (f_ptp_tuple, distinct((2, 3, 4)), 0),
    (f_cumsum_all, uniform(), 0), (f_cumsum_axis0, uniform(), 0),
    (f_cumsum_axis1, uniform(), 0), (f_cumsum_neg_axis, uniform(shape=(2, 3, 4)), 0),
    (f_cumsum_method, uniform(), 0),
    (f_cumprod_all, uniform(0.5, 1.5), 0), (f_cumprod_axis0, uniform(-1.5, 1.5), 0),
    (f_cumprod_axis1, uniform(0.5, 1.5), 0), (f_cumprod_3d, uniform(0.5, 1.5, (2, 3, 4)), 0),
    (f_cumprod_method, uniform(0.5, 1.5), 0),
    # Exact zeros: first order is exact; second order raises (see test_cumprod_zeros_*).
    (f_cumprod_axis1, with_zeros(1), 0, 1), (f_cumprod_axis1, with_zeros(2), 0, 1),
    (f_cumprod_all, with_zeros(2), 0, 1), (f_cumprod_axis0, with_zeros(1), 0, 1),
    (f_average_all, uniform(), 0), (f_average_axis0, uniform(), 0),
    (f_average_tuple_keepdims, uniform(shape=(2, 3, 4)), 0),
    (f_average_weights_1d, uniform(), 0), (f_average_weights_full, uniform(), 0),
    (f_average_wrt_weights, lambda rng: (rng.uniform(-1, 1, (3, 4)), rng.uniform(0.5, 2, 4)),
     (0, 1)),
    (f_average_wrt_full_weights,
     lambda rng: (rng.uniform(-1, 1, (3, 4)), rng.uniform(0.5, 2, (3, 4))), (0, 1)),
    (f_average_tuple_weights,
     lambda rng: (rng.uniform(-1, 1, (2, 3, 4)), rng.uniform(0.5, 2, (4, 2))), (0, 1)),
    (f_trace, uniform(shape=(3, 3)), 0), (f_trace_offset, uniform(), 0),
    (f_trace_axes, uniform(shape=(2, 3, 3)), 0), (f_trace_method, uniform(), 0),
]


def _row_id(row):
    make = row[1]
    return row[0].__name__ + ('_zeros' if 'with_zeros' in getattr(make, '__qualname__', '')
                              else '')


@pytest.mark.parametrize('row', ROWS, ids=[f'{i}-{_row_id(r)}' for i, r in enumerate(ROWS)])
def test_rule(row):
    f, make_args, wrt = row[:3]
    order = row[3] if len(row) > 3 else 2
    rulespec.check_row(f, make_args, wrt, order=order)


REGISTERED = [np.prod, np.var, np.std, np.cumsum, np.cumprod, np.average, np.trace, np.ptp,
              np.nanmax, np.nanmin, np.nansum, np.nanmean, np.nanvar, np.nanstd, np.nanprod,
              reductions.prod_others, reductions.prod_others_jvp,
              cumulative.uncumsum, cumulative.cumprod_jvp, cumulative.uncumprod,
              reductions.checked_nonzero, reductions.prod_factor,
              reductions.plain, reductions.average_weights,
              reductions.weights_back, reductions.untrace]


@pytest.mark.parametrize('func', REGISTERED, ids=[f.__name__ for f in REGISTERED])
def test_every_rule_has_both_modes(func):
    assert rules.lookup_adjoint(func) is not None, func
    assert rules.lookup_tangent(func) is not None, func


def test_methods_registered():
    for name, func in {'prod': np.prod, 'var': np.var, 'std': np.std, 'cumsum': np.cumsum,
                       'cumprod': np.cumprod, 'trace': np.trace}.items():
        assert rules.METHODS[name] is func


def g_prod(x): return np.prod(x)
def g_cumprod(x): return np.sum(np.cumprod(x) * x)
def g_std(x): return np.std(x)
def g_var_where(x): return np.var(x, where=x > 0.0)
def g_prod_where(x): return np.prod(x, where=x > 0.0)
def g_average_returned(x): return np.average(x, returned=True)[0]
def g_nanmax_initial(x): return np.nanmax(x, initial=10.0)
def g_nansum(x): return np.nansum(x)
def g_nanmean(x): return np.nanmean(x)
def g_nanvar(x): return np.nanvar(x)
def g_nanstd(x): return np.nanstd(x)
def g_nanprod(x): return np.nanprod(x)
def g_nanmax(x): return np.nanmax(x)
def g_nanmin(x): return np.nanmin(x)


def test_prod_hessian_with_zero_is_exact():
    """The Hessian of prod with one zero: entries next to the zero are products, not NaN."""
    x = np.array([0.0, 2.0, 3.0])
    expected = np.array([[0.0, 3.0, 2.0], [3.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    np.testing.assert_allclose(s2sgrad.hessian(g_prod)(x), expected)
    np.testing.assert_allclose(s2sgrad.grad(g_prod)(x), [6.0, 0.0, 0.0])
    two = np.array([0.0, 2.0, 0.0])
    np.testing.assert_allclose(s2sgrad.grad(g_prod)(two), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(s2sgrad.hessian(g_prod)(two),
                               [[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0]])


def test_cumprod_zeros_second_order_is_loud():
    x = np.array([0.5, 0.0, 2.0])
    with pytest.raises(NotImplementedError, match='cumprod'):
        s2sgrad.hvp(g_cumprod)(x, np.ones(3))


def g_std_rows(x): return np.sum(np.std(x, axis=1) * np.array([1.0, -2.0]))
def g_nanstd_rows(x): return np.sum(np.nanstd(x, axis=1) * np.array([1.0, -2.0]))


@pytest.mark.parametrize('f', [g_std, g_nanstd, g_std_rows, g_nanstd_rows])
def test_std_at_zero_spread_is_zero(f):
    """Where all values reduced are equal, std (a norm of ``x - mean``) has no gradient; s2sgrad
    gives 0 there, as np.linalg.norm does at zero (and as central differences give)."""
    rows = 'rows' in f.__name__
    x = np.array([[0.75, 0.75, 0.75], [-1.5, 2.0, 0.5]]) if rows else np.full(3, 0.75)
    g = s2sgrad.grad(f)(x)
    assert np.all(np.isfinite(g))
    assert np.all(g[0] == 0.0) and (not rows or np.all(g[1] != 0.0))
    np.testing.assert_allclose(g, rulespec.central_gradient(f, x), atol=1e-6)
    t = np.arange(1.0, 1.0 + x.size).reshape(x.shape)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, t), np.sum(g * t), atol=1e-12)


@pytest.mark.parametrize('f, pattern', [(g_var_where, 'where'), (g_prod_where, 'where'),
                                        (g_average_returned, 'returned'),
                                        (g_nanmax_initial, 'initial')])
def test_unsupported_options_are_loud(f, pattern):
    with pytest.raises(NotImplementedError, match=pattern):
        s2sgrad.grad(f)(np.array([1.0, -2.0, 3.0]))


@pytest.mark.parametrize('f', [g_nansum, g_nanmean, g_nanvar, g_nanstd, g_nanprod, g_nanmax,
                               g_nanmin])
def test_nan_positions_get_zero_gradient(f):
    x = np.array([[1.0, np.nan, 2.0], [np.nan, 3.0, 0.5]])
    g = s2sgrad.grad(f)(x)
    assert np.all(g[np.isnan(x)] == 0.0)
    assert np.all(np.isfinite(g))


def g_nanmax_row(x): return np.nanmax(x, axis=1)[1]
def g_nanmean_row(x): return np.nanmean(x, axis=1)[1]
def g_nanvar_row(x): return np.nanvar(x, axis=1, keepdims=True)[1, 0]
def g_nanmin_row(x): return np.nanmin(x, axis=1)[1]


@pytest.mark.parametrize('f', [g_nanmax_row, g_nanmean_row, g_nanvar_row, g_nanmin_row])
def test_an_all_nan_row_that_is_not_used_has_zero_gradient(f):
    """A row of NaNs (its value NaN) that the output does not use gets 0, not NaN (a review
    found NaN: np.where's zero branch was ``0 * g``, which keeps NaN)."""
    x = np.array([[np.nan, np.nan, np.nan], [1.0, 2.5, -0.5]])
    g = s2sgrad.grad(f)(x)
    assert np.all(g[0] == 0.0) and np.all(np.isfinite(g[1])) and np.any(g[1] != 0.0)
