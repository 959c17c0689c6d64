"""Statistics and windowing functions differentiated through definitions (templates/statistics.py).

Each row is checked in reverse and forward mode and at second order against central differences
of the *library* function (so a definition that computed something else fails); each definition
also computes the library function's values over the argument forms it covers.
"""
import warnings

import numpy as np
import pytest

import rulespec
import s2sgrad
from s2sgrad import rules
from s2sgrad.errors import S2SError

scipy = pytest.importorskip('scipy', reason='scipy is not installed')
import statistics  # noqa: E402

import scipy.integrate  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.stats  # noqa: E402

from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

V = np.array([0.9, -0.4, 0.6, 1.5])
W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
GAPS = np.array([[0.0, np.nan, 0.0, 0.0], [np.nan, 0.0, np.nan, 0.0], [0.0, 0.0, 0.0, 0.0]])


def arr(*shape, lo=-1.0, hi=1.0):
    return lambda rng: [rng.uniform(lo, hi, shape)]


def f_windows(x): return np.sum(sliding_window_view(x, 3) ** 2 * np.arange(3.0))
def f_windows_2d(x): return np.sum(np.sin(sliding_window_view(x, (2, 2))) * W[0, :2])
def f_windows_axis(x): return np.sum(np.max(sliding_window_view(x, 2, axis=0), axis=-1) ** 3)
def f_moving_average(x): return np.sum(np.mean(sliding_window_view(x, 4), axis=-1) ** 2)
def f_insert_flat(x): return np.sum(np.insert(x, 2, x[0] * 3.0) ** 2 * np.arange(9.0))
def f_insert_axis(x, v): return np.sum(np.insert(x, [0, 2], v, axis=1) ** 3)
def f_insert_column(x, v): return np.sum(np.insert(x, 1, v, axis=1) ** 2 * np.arange(4.0))
def f_logaddexp_acc(x): return np.sum(np.logaddexp.accumulate(x) * V[:3])
def f_logaddexp_acc_axis(x): return np.sum(np.logaddexp.accumulate(x, axis=1) * W)
def f_fmax_acc(x): return np.sum(np.fmax.accumulate(x + GAPS[0]) * V)
def f_fmin_acc(x): return np.sum(np.fmin.accumulate(x, axis=1) ** 2 * W)
def f_nanmedian(x): return np.nanmedian(x + GAPS[0])
def f_nanmedian_axis(x): return np.sum(np.nanmedian(x + GAPS, axis=1) * V[:3])
def f_nanpercentile(x): return np.sum(np.nanpercentile(x + GAPS, [20.0, 70.0], axis=0) ** 2)
def f_nanquantile(x, q): return np.sum(np.nanquantile(x + GAPS, q, axis=1, keepdims=True))
def f_zscore(x): return np.sum(scipy.stats.zscore(x) ** 3 * V)
def f_zscore_rows(x): return np.sum(scipy.stats.zscore(x, axis=1, ddof=1) * W)
def f_skew(x): return scipy.stats.skew(x) + scipy.stats.skew(x, bias=False) * 2.0
def f_kurtosis(x): return np.sum(scipy.stats.kurtosis(x, axis=1) * V[:2])
def f_kurtosis_pearson(x): return scipy.stats.kurtosis(x, fisher=False, bias=False)
def f_trim_mean(x): return scipy.stats.trim_mean(x ** 2, 0.2) * 3.0


COUNTS = np.array([0.0, 1.0, 3.0, 2.0])


def f_binom(p): return np.sum(scipy.stats.binom.logpmf(COUNTS, 6, p * 0.3 + 0.5))
def f_binom_pmf(p): return np.sum(scipy.stats.binom.pmf(COUNTS, 5, p * 0.3 + 0.5) * V)
def f_nbinom(n, p): return np.sum(scipy.stats.nbinom.logpmf(COUNTS, n + 3.0, p * 0.3 + 0.5))
def f_nbinom_pmf(p): return np.sum(scipy.stats.nbinom.pmf(COUNTS, 2, p * 0.3 + 0.5) * V)
def f_halfnorm(x, s): return np.sum(scipy.stats.halfnorm.logpdf(x + 1.5, 0.2, s + 2.0))
def f_halfcauchy(x): return np.sum(scipy.stats.halfcauchy.pdf(x + 1.2) * V[:3])
def f_invgamma(x, a): return np.sum(scipy.stats.invgamma.logpdf(x + 2.0, a + 2.5, 0.1, 1.3))
def f_weibull(x, c): return np.sum(scipy.stats.weibull_min.logpdf(x + 2.0, c + 2.0, 0.0, 1.5))
def f_uniform(s): return np.sum(scipy.stats.uniform.logpdf(V, -1.0, s + 3.0))
def f_uniform_pdf(x, s): return np.sum(scipy.stats.uniform.pdf(x, -2.0, s + 4.0) * x ** 2)
def f_convolve2d(x, k): return np.sum(scipy.signal.convolve2d(x, k) ** 2 * 0.5)
def f_convolve2d_same(x, k): return np.sum(np.tanh(scipy.signal.convolve2d(x, k, 'same')))
def f_correlate2d_valid(x, k): return np.sum(scipy.signal.correlate2d(x, k, 'valid') ** 3)
def f_correlate2d_same(x): return np.sum(scipy.signal.correlate2d(x, W[:, :2], 'same') * x)


def f_lognorm_logpdf(x, s): return np.sum(scipy.stats.lognorm.logpdf(x + 2.0, s + 1.5, 0.1, 2.0))
def f_lognorm_pdf(x): return np.sum(scipy.stats.lognorm.pdf(x + 2.0, 0.7) * V[:3])
def f_lognorm_outside(x): return np.sum(scipy.stats.lognorm.pdf(x - 2.0, 0.7) + x ** 2)
def f_lfilter(b, a, x): return np.sum(scipy.signal.lfilter(b, np.append(1.0, a), x) ** 2)
def f_lfilter_fir(b, x): return np.sum(scipy.signal.lfilter(b, [2.0], x) * V[:4])


def f_trapezoid_x(y, t):
    times = np.cumsum(np.abs(t) + 0.2)  # (increasing sample times)
    return scipy.integrate.trapezoid(y ** 2, times) + scipy.integrate.trapezoid(np.sin(y), dx=0.3)


def f_trapezoid_rows(y): return np.sum(scipy.integrate.trapezoid(np.exp(y), V[:3], axis=0))


def f_cumulative_trapezoid(v, dt):
    position = scipy.integrate.cumulative_trapezoid(v, dx=dt, initial=0)
    return np.sum(position ** 2) + np.sum(scipy.integrate.cumulative_trapezoid(v * v) * V[:3])


def f_cumulative_trapezoid_x(y):
    t = np.array([0.0, 0.3, 0.5, 1.2])
    return np.sum(np.cos(scipy.integrate.cumulative_trapezoid(y, t, axis=1, initial=0.0)))


def f_stdlib_moments(x):
    data = list(x)
    return statistics.variance(data) + statistics.stdev(data) * statistics.mean(data) + \
        statistics.pvariance(data) - statistics.pstdev(data) + statistics.fmean(data) ** 2


def f_stdlib_generator(x):
    return statistics.mean(v * v for v in x) + statistics.geometric_mean(np.exp(x))


def f_stdlib_pair(x, y):
    return statistics.correlation(list(x), list(y)) + statistics.covariance(x.tolist(), list(y))


def f_stdlib_weighted(x):
    return statistics.fmean(list(x), [1.0, 2.0, 0.5, 1.5])


def f_ema(x, alpha):
    # an exponential moving average written as a filter: y[t] = alpha x[t] + (1 - alpha) y[t-1]
    y = scipy.signal.lfilter([alpha], [1.0, alpha - 1.0], x)
    return np.sum((y - x) ** 2)


def f_scipy_lstsq(a, b):
    solution, residuals, rank, singular = scipy.linalg.lstsq(a, b)
    return np.sum(solution ** 2) + residuals + np.sum(singular)


def f_signal_convolve(x, k):
    return np.sum(scipy.signal.convolve(x, k) ** 2) + \
        np.sum(scipy.signal.convolve(x, k, mode='same') * V[:1]) + \
        np.sum(scipy.signal.convolve(x, k, 'valid', method='direct') ** 3)


def f_signal_correlate(x, k):
    return np.sum(scipy.signal.correlate(x, k, mode='same') ** 2) + \
        np.sum(scipy.signal.correlate(x, k, 'valid') * V[:4]) + np.sum(scipy.signal.correlate(x, k))


def f_signal_matrices(x, k):
    return np.sum(scipy.signal.convolve(x, k, 'same') ** 2) + \
        np.sum(scipy.signal.correlate(x, k) * x[0, 0]) + \
        np.sum(scipy.signal.convolve(k, x, 'valid') ** 2) + \
        np.sum(scipy.signal.correlate(k, x, 'valid') * V[0])


ROWS = [
    (f_windows, arr(6), 0), (f_windows_2d, arr(3, 4), 0), (f_windows_axis, arr(4, 2), 0),
    (f_moving_average, arr(7), 0),
    (f_insert_flat, arr(2, 3), 0),
    (f_insert_axis, lambda rng: [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 2)], (0, 1)),
    (f_insert_column, lambda rng: [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 2)],
     (0, 1)),
    (f_logaddexp_acc, arr(3), 0), (f_logaddexp_acc_axis, arr(2, 3), 0),
    (f_fmax_acc, arr(4), 0), (f_fmin_acc, arr(2, 3), 0),
    (f_nanmedian, arr(4), 0), (f_nanmedian_axis, arr(3, 4), 0), (f_nanpercentile, arr(3, 4), 0),
    (f_nanquantile, lambda rng: [rng.uniform(-1, 1, (3, 4)), rng.uniform(0.1, 0.9, 2)], (0, 1)),
    (f_zscore, arr(4), 0), (f_zscore_rows, arr(2, 3), 0), (f_skew, arr(5), 0),
    (f_kurtosis, arr(2, 6), 0), (f_kurtosis_pearson, arr(6), 0), (f_trim_mean, arr(7), 0),
    (f_lognorm_logpdf, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-1, 1)], (0, 1)),
    (f_lognorm_pdf, arr(3), 0), (f_lognorm_outside, arr(3), 0),
    (f_binom, arr(), 0), (f_binom_pmf, arr(), 0),
    (f_nbinom, lambda rng: [rng.uniform(-1, 1), rng.uniform(-1, 1)], (0, 1)),
    (f_nbinom_pmf, arr(), 0),
    (f_halfnorm, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-1, 1)], (0, 1)),
    (f_halfcauchy, arr(3), 0),
    (f_invgamma, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-1, 1)], (0, 1)),
    (f_weibull, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-1, 1)], (0, 1)),
    (f_convolve2d, lambda rng: [rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (2, 2))],
     (0, 1)),
    (f_convolve2d_same, lambda rng: [rng.uniform(-1, 1, (4, 5)), rng.uniform(-1, 1, (3, 2))],
     (0, 1)),
    (f_correlate2d_valid, lambda rng: [rng.uniform(-1, 1, (4, 4)), rng.uniform(-1, 1, (2, 3))],
     (0, 1)),
    (f_correlate2d_same, arr(4, 3), 0),
    (f_uniform, arr(), 0), (f_uniform_pdf, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-1, 1)],
                            (0, 1)),
    (f_lfilter, lambda rng: [rng.uniform(-1, 1, 3), rng.uniform(-0.4, 0.4, 2),
                             rng.uniform(-1, 1, 6)], (0, 1, 2)),
    (f_lfilter_fir, lambda rng: [rng.uniform(-1, 1, 2), rng.uniform(-1, 1, 4)], (0, 1)),
    (f_ema, lambda rng: [rng.uniform(-1, 1, 6), rng.uniform(0.2, 0.8)], (0, 1)),
    (f_trapezoid_x, lambda rng: [rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)], (0, 1)),
    (f_trapezoid_rows, arr(3, 2), 0),
    (f_stdlib_moments, arr(5), 0), (f_stdlib_generator, arr(4), 0),
    (f_stdlib_pair, lambda rng: [rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)], (0, 1)),
    (f_cumulative_trapezoid, lambda rng: [rng.uniform(-1, 1, 4), rng.uniform(0.1, 0.5)],
     (0, 1)),
    (f_cumulative_trapezoid_x, arr(2, 4), 0),
    (f_scipy_lstsq, lambda rng: [rng.uniform(-1, 1, (5, 3)), rng.uniform(-1, 1, 5)], (0, 1)),
    (f_signal_convolve, lambda rng: [rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 3)], (0, 1)),
    (f_signal_correlate, lambda rng: [rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 2)], (0, 1)),
    (f_signal_matrices, lambda rng: [rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (2, 2))],
     (0, 1)),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


# -- the definitions compute what the library functions compute ------------------------------

RNG = np.random.default_rng(7)
A = RNG.normal(size=(3, 5))
B = RNG.normal(size=(2, 3, 4))
HOLES = np.where(RNG.uniform(size=(3, 5)) < 0.3, np.nan, A)
HOLES[1] = np.nan  # (a row of NaN only: NaN, with NumPy's warning)
SAME_VALUES = [
    (sliding_window_view, (A[0], 2), {}), (sliding_window_view, (A, (2, 3)), {}),
    (sliding_window_view, (B, 2), {'axis': -1}), (sliding_window_view, (B, (2, 2)),
                                                  {'axis': (2, 0)}),
    (sliding_window_view, (A[0], (2, 2)), {'axis': (0, 0)}),
    (np.insert, (A, 2, 7.0), {}), (np.insert, (A, [1, 1, 4], A[0, :3]), {}),
    (np.insert, (A, 1, A[:, 0]), {'axis': 1}), (np.insert, (A, [0, 3], A[:, :1]), {'axis': 1}),
    (np.insert, (A, slice(0, 2), A[:2, :]), {'axis': 0}), (np.insert, (A, -1, 2.0), {'axis': 0}),
    (np.logaddexp.accumulate, (A,), {'axis': 1}), (np.logaddexp.accumulate, (B,), {}),
    (np.logaddexp.accumulate, (np.array([-1000.0, 0.0, -2000.0, 3.0]),), {}),
    (np.fmax.accumulate, (HOLES,), {'axis': 1}), (np.fmin.accumulate, (HOLES,), {}),
    (np.nanmedian, (HOLES,), {'axis': 1}), (np.nanmedian, (np.where(A > 1, np.nan, A),), {}),
    (np.nanpercentile, (HOLES, [10.0, 55.0]), {'axis': 1}),
    (np.nanquantile, (HOLES, 0.3), {'axis': 0, 'keepdims': True}),
    (np.nanquantile, (B, [0.1, 0.9]), {'axis': (0, 2)}),
    (np.nanquantile, (B, [0.1, 0.9]), {'axis': 2}),
    (np.nanquantile, (np.where(B > 1, np.nan, B), 1.0), {'axis': 1}),
]
SCIPY_VALUES = [
    (scipy.stats.zscore, (A,), {}), (scipy.stats.zscore, (A,), {'axis': 1, 'ddof': 1}),
    (scipy.stats.zscore, (A,), {'axis': None}),
    (scipy.stats.skew, (A,), {}), (scipy.stats.skew, (B,), {'axis': 2, 'bias': False}),
    (scipy.stats.skew, (A,), {'axis': None}),
    (scipy.stats.kurtosis, (A,), {'axis': 1}), (scipy.stats.kurtosis, (B,), {'fisher': False}),
    (scipy.stats.kurtosis, (A,), {'axis': 1, 'bias': False}),
    (scipy.stats.trim_mean, (A, 0.2), {'axis': 1}), (scipy.stats.trim_mean, (B, 0.25), {}),
    (scipy.stats.trim_mean, (A, 0.1), {'axis': None}),
    (scipy.stats.lognorm.logpdf, (np.abs(A) + 0.5, 0.8), {'loc': 0.2, 'scale': 1.5}),
    (scipy.stats.lognorm.pdf, (np.abs(A) + 0.5, 1.3), {}),
    (scipy.stats.lognorm.pdf, (A, 1.3), {'loc': 0.1}),
    (scipy.stats.lognorm.logpdf, (A, 0.6), {'scale': 2.0}),
    (scipy.stats.binom.logpmf, (np.array([0.0, 1.0, 3.0, 7.0, 2.5, -1.0]), 5, 0.3), {}),
    (scipy.stats.binom.pmf, (np.array([0.0, 2.0, 4.0]), 4.0, 0.6), {'loc': 1}),
    (scipy.stats.nbinom.logpmf, (np.array([0.0, 1.0, 3.0, 2.5, -1.0]), 2.5, 0.4), {}),
    (scipy.stats.nbinom.pmf, (np.array([0.0, 5.0]), 3, 0.6), {}),
    (scipy.stats.halfnorm.logpdf, (A, 0.1, 1.5), {}), (scipy.stats.halfnorm.pdf, (A,), {}),
    (scipy.stats.halfcauchy.logpdf, (A, -0.2, 0.7), {}), (scipy.stats.halfcauchy.pdf, (A,), {}),
    (scipy.stats.invgamma.logpdf, (A, 2.5, 0.0, 1.3), {}), (scipy.stats.invgamma.pdf, (A, 1.5), {}),
    (scipy.stats.weibull_min.logpdf, (A, 1.7, 0.0, 1.2), {}),
    (scipy.stats.weibull_min.pdf, (np.abs(A), 0.8), {}),
    (scipy.stats.uniform.logpdf, (A, -0.2, 2.0), {}), (scipy.stats.uniform.pdf, (A,), {}),
    (scipy.signal.convolve2d, (A, W), {}), (scipy.signal.convolve2d, (A, W[:, :2], 'same'), {}),
    (scipy.signal.convolve2d, (A, W), {'mode': 'valid'}),
    (scipy.signal.convolve2d, (A, W.T), {'mode': 'same'}),
    (scipy.signal.correlate2d, (A, W), {}), (scipy.signal.correlate2d, (A, W[:, :2], 'same'), {}),
    (scipy.signal.correlate2d, (A, W.T), {'mode': 'valid'}),
    (scipy.signal.correlate2d, (A, W), {'mode': 'same'}),
    (scipy.signal.convolve, (A[0], W[0]), {}), (scipy.signal.convolve, (A[0], W[0], 'same'), {}),
    (scipy.signal.convolve, (W[0], A[0][:2]), {'mode': 'valid'}),
    (scipy.signal.convolve, (A[0][:2], W[0]), {'mode': 'valid'}),
    (scipy.signal.correlate, (A[1][:2], A[0]), {'mode': 'valid'}),
    (scipy.signal.convolve, (W[:, :2], A), {'mode': 'valid'}),
    (scipy.signal.convolve, (A, W), {'mode': 'same', 'method': 'fft'}),
    (scipy.signal.correlate, (A[1], W[1]), {}), (scipy.signal.correlate, (A[1], W[1], 'same'), {}),
    (scipy.signal.correlate, (A, W.T), {'mode': 'valid'}),
    (scipy.signal.correlate, (A[0], W[0, :2], 'same'), {}),
    (scipy.signal.correlate, (A, W[:, :2]), {'mode': 'same'}),
    (scipy.signal.convolve, (A[2], W[1, :2], 'same'), {}),
    (scipy.signal.convolve, (A, W[:2, :2]), {'mode': 'same'}),
    (scipy.signal.lfilter, ([0.5, 0.2], [1.0, -0.3, 0.1], A[0]), {}),
    (scipy.signal.lfilter, ([0.5, 0.2, 0.1], [2.0], A[0]), {}),
    (scipy.signal.lfilter, ([1.0], [1.5, -0.9], A[1]), {}),
    (statistics.mean, (list(A[0]),), {}), (statistics.fmean, (list(A[1]),), {}),
    (statistics.variance, (list(A[0]),), {}), (statistics.variance, (list(A[0]), 0.3), {}),
    (statistics.pvariance, (list(A[1]),), {}), (statistics.stdev, (list(A[2]),), {}),
    (statistics.pstdev, (list(A[2]),), {}), (statistics.geometric_mean, (list(np.exp(A[0])),), {}),
    (statistics.covariance, (list(A[0]), list(A[1])), {}),
    (statistics.correlation, (list(A[0]), list(A[2])), {}),
    (scipy.integrate.trapezoid, (A,), {}), (scipy.integrate.trapezoid, (A, V[:3]), {'axis': 0}),
    (scipy.integrate.trapezoid, (A, np.cumsum(np.abs(A), axis=1)), {'dx': 0.5}),
    (scipy.integrate.cumulative_trapezoid, (A,), {}),
    (scipy.integrate.cumulative_trapezoid, (A, V[:3]), {'axis': 0, 'initial': 0}),
    (scipy.integrate.cumulative_trapezoid, (B,), {'dx': 0.2, 'axis': 1, 'initial': 0}),
    (scipy.integrate.cumulative_trapezoid, (A, np.cumsum(np.abs(A), axis=1)), {}),
]


def _compare(func, args, kwargs):
    definition = rules.lookup_definition(func)
    assert definition is not None, func
    with np.errstate(all='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore')  # (NumPy's warning for a group of NaN only)
        expected = func(*args, **kwargs)
        value = definition(*args, **kwargs)
    assert np.shape(value) == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('func, args, kwargs', SAME_VALUES + SCIPY_VALUES,
                         ids=lambda v: getattr(v, '__name__', None) if callable(v) else None)
def test_definition_computes_what_the_library_function_computes(func, args, kwargs):
    _compare(func, args, kwargs)


def test_scipy_lstsq_gives_scipys_residuals():
    definition = rules.lookup_definition(scipy.linalg.lstsq)
    for a, b in [(A.T, A[0]), (A.T, A.T[:, :2]), (A[:, :3], A[:, 3])]:
        want = scipy.linalg.lstsq(a, b)
        got = definition(a, b)
        assert got[2] == want[2]
        for value, expected in zip(got, want):
            assert np.shape(value) == np.shape(expected)
            np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12)


def test_long_accumulation_does_not_underflow_in_the_derivative():
    # log-sum-exp of a running window: the first terms are 1000 below the last; a shift by
    # the overall maximum would give -inf and nan derivatives for them

    def f(x):
        return np.sum(np.logaddexp.accumulate(x) * np.array([1.0, 2.0, 3.0]))

    x = np.array([-1000.0, -999.0, 0.0])
    g = s2sgrad.grad(f)(x)
    assert np.all(np.isfinite(g))
    # d/dx0 of out0 is 1; of out1 = logaddexp(x0, x1): e^x0 / (e^x0 + e^x1)
    np.testing.assert_allclose(g[0], 1.0 + 2.0 / (1.0 + np.e) + 3.0 * np.exp(-1000.0),
                               rtol=1e-12)


def g_nanquantile(x): return np.sum(np.nanquantile(x * B, [[0.1], [0.2]], axis=(0, 1)))
def g_nanmedian(x): return np.nanmedian(x * A, overwrite_input=True)
def g_lfilter(x): return np.sum(scipy.signal.lfilter([1.0], [1.0, 0.5], x * A))
def g_lfilter_state(x): return np.sum(scipy.signal.lfilter([1.0], [1.0, 0.5], x * A[0], zi=[0.5]))
def g_convolve_symm(x): return np.sum(scipy.signal.convolve2d(x * A, W, boundary='symm'))
def g_correlate_small(x): return np.sum(scipy.signal.correlate2d(x * A[:2, :2], W, 'valid'))


@pytest.mark.parametrize('f, message', [
    (g_nanquantile, 'one dimension at most'), (g_nanmedian, 'overwrite_input'),
    (g_lfilter, 'vectors'), (g_lfilter_state, 'without zi='),
    (g_convolve_symm, "boundary='fill'"), (g_correlate_small, 'at least as large'),
])
def test_arguments_a_definition_does_not_cover_are_named(f, message):
    with pytest.raises((S2SError, NotImplementedError), match=message):
        s2sgrad.grad(f)(np.ones(1))


def f_cumulative_trapezoid_from_one(v):
    return np.sum(scipy.integrate.cumulative_trapezoid(v, initial=1.0))


def test_cumulative_trapezoid_with_another_initial_value_is_refused():
    # (SciPy accepts only None or 0 there and raises itself; older releases put the value in
    # front, which the definition refuses)
    with pytest.raises((S2SError, ValueError), match='initial'):
        s2sgrad.grad(f_cumulative_trapezoid_from_one)(np.array([0.2, 0.5, -0.1]))
