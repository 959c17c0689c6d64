"""Definitions of statistics and windowing functions (nan-skipping quantiles, scipy.stats' moments,
sliding windows, `np.insert`, recursive filters), differentiated as code (`rules.defined_by`).

As in ``definitions``: each function computes what the library function of the same name
computes, for the arguments it covers, with calls that have rules, and raises
NotImplementedError naming the arguments it does not cover; tests/test_statistics_definitions.py
compares each with the library function's values and checks its derivatives against central
differences of the library function.
"""
import numpy as np

from s2sgrad import runtime as s2s
from s2sgrad.rules import defined_by, defined_by_name, nondifferentiable

from .definitions import trapezoid

try:  # SciPy is optional: its definitions register only with it (and once its module loads)
    import scipy.special
except ImportError:
    scipy = None


# -- helpers (no derivative) ------------------------------------------------------------------

def window_axes(ndim, window_shape, axis):
    """The ``(axis, size)`` pairs of `np.lib.stride_tricks.sliding_window_view`'s arguments."""
    sizes = tuple(window_shape) if np.ndim(window_shape) else (int(window_shape),)
    if axis is None:
        if len(sizes) != ndim:
            s2s.refuse('sliding_window_view with one window size per axis, or axis=')
        axes = tuple(range(ndim))
    else:
        axes = tuple(axis) if np.ndim(axis) else (int(axis),)
    if len(axes) != len(sizes):
        s2s.refuse('sliding_window_view with as many window sizes as axes')
    return tuple((int(a) % ndim, int(w)) for a, w in zip(axes, sizes))


def inserted_sources(shape, obj, values_shape, axis):
    """Where each entry of ``np.insert(arr, obj, values, axis)`` comes from: ``i >= 0`` the flat
    position ``i`` of `arr` (of `shape`), ``i < 0`` the flat position ``-1 - i`` of `values`."""
    size = int(np.prod(shape)) if len(shape) else 1
    ids = np.reshape(np.arange(size), shape)
    value_ids = -1 - np.reshape(np.arange(int(np.prod(values_shape))), values_shape)
    return np.insert(ids, obj, value_ids, axis=axis)


def nan_count(values):
    """The number of values that are not NaN in each group (last axis) of `values`."""
    return np.sum(~np.isnan(values), axis=-1)


def trimmed_count(n, proportion):
    """How many values `scipy.stats.trim_mean` cuts from each end of `n` sorted values."""
    cut = int(proportion * n)
    if cut >= n - cut:
        s2s.refuse('scipy.stats.trim_mean of a proportion that leaves values (SciPy: '
                   '"Proportion too big")')
    return cut


nondifferentiable(window_axes, inserted_sources, nan_count, trimmed_count)


# -- NumPy ------------------------------------------------------------------------------------

def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    """``np.lib.stride_tricks.sliding_window_view(x, window_shape, axis)``: the windows as a
    new array (taken by positions, each window's axes appended last, in order)."""
    if writeable:
        s2s.refuse('sliding_window_view without writeable=True')
    out = x
    for axis_, size in s2s.window_axes(np.ndim(x), window_shape, axis):
        starts = np.arange(np.shape(out)[axis_] - size + 1)
        out = np.take(out, starts[:, None] + np.arange(size), axis=axis_)
        out = np.moveaxis(out, axis_ + 1, -1)
    return out


def insert(arr, obj, values, axis=None):
    """``np.insert(arr, obj, values, axis)``: each entry taken from `arr` or from `values` by
    the position NumPy's own `np.insert` gives it (`arr` flattened first without `axis`)."""
    if axis is None:
        arr = np.ravel(arr)
        axis = 0
    values = np.asarray(values, dtype=np.result_type(arr))
    sources = s2s.inserted_sources(np.shape(arr), obj, np.shape(values), axis)
    from_arr = sources >= 0
    return np.where(from_arr, np.take(np.ravel(arr), np.where(from_arr, sources, 0)),
                    np.take(np.ravel(values), np.where(from_arr, 0, -1 - sources)))


def logaddexp_accumulate(array, axis=0, dtype=None, out=None):
    """``np.logaddexp.accumulate(array, axis)``: running ``np.logaddexp`` along the axis (one
    step per position, so that no term underflows against a later maximum)."""
    if out is not None or dtype is not None:
        s2s.refuse('np.logaddexp.accumulate without dtype= and out=')
    steps = np.moveaxis(array, axis, 0)
    total = steps[0]
    running = [total]
    for k in range(1, np.shape(steps)[0]):
        total = np.logaddexp(total, steps[k])
        running.append(total)
    return np.moveaxis(np.stack(running), 0, axis)


def fmax_accumulate(array, axis=0, dtype=None, out=None):
    """``np.fmax.accumulate(array, axis)``: the running maximum that skips NaN (each entry
    the entry of `array` where it was reached)."""
    if out is not None or dtype is not None:
        s2s.refuse('np.fmax.accumulate without dtype= and out=')
    return np.take_along_axis(array, s2s.running_positions(array, axis, np.fmax), axis)


def fmin_accumulate(array, axis=0, dtype=None, out=None):
    """``np.fmin.accumulate(array, axis)``: the running minimum that skips NaN."""
    if out is not None or dtype is not None:
        s2s.refuse('np.fmin.accumulate without dtype= and out=')
    return np.take_along_axis(array, s2s.running_positions(array, axis, np.fmin), axis)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method='linear',
                keepdims=False, *, weights=None, interpolation=None):
    """``np.nanquantile(a, q, axis, method='linear', keepdims=...)``: `np.quantile` of the
    values that are not NaN in each group (NaN for a group of NaN only)."""
    if out is not None or method != 'linear' or weights is not None or \
            interpolation is not None or overwrite_input:
        s2s.refuse("np.nanquantile/np.nanpercentile/np.nanmedian with method='linear' and "
                   "without out=, weights=, interpolation= and overwrite_input=True")
    s2s.not_lazy(a, 'np.nanquantile, np.nanpercentile or np.nanmedian (the derivative sorts, '
                    'which dask does not do lazily)')
    ndim = np.ndim(a)
    axes = s2s.axes_tuple(axis, ndim)
    if np.ndim(q) > 1:
        s2s.refuse('np.nanquantile at a q of one dimension at most (NumPy orders the axes of '
                   'its result for more in ways that differ between versions)')
    rest = tuple(i for i in range(ndim) if i not in axes)
    kept = tuple(np.shape(a)[i] for i in rest)
    values = np.sort(np.reshape(np.transpose(a, rest + axes), kept + (-1,)), axis=-1)  # (NaN last)
    count = s2s.nan_count(values)
    # positions per quantile and group: axes of q first, then the groups'
    position = np.reshape(np.asarray(q), np.shape(q) + (1,) * len(rest)) * (count - 1)
    # (at q == 1 the last segment, fraction 1: its slope in q is the one that exists)
    below = np.clip(np.floor(position), 0, np.maximum(count - 2, 0)).astype(int)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    fraction = position - below
    if values.dtype.kind == 'f':  # (float32 data: a float32 value and tangent)
        fraction = np.asarray(fraction).astype(values.dtype)
    # (np.take_along_axis wants the groups first: move q's axes last, then back)
    order = tuple(range(np.ndim(q), np.ndim(q) + len(rest))) + tuple(range(np.ndim(q)))
    back = tuple(range(len(rest), len(rest) + np.ndim(q))) + tuple(range(len(rest)))
    flat_q = kept + (-1,)
    low = np.take_along_axis(values, np.reshape(np.transpose(below, order), flat_q), axis=-1)
    high = np.take_along_axis(values, np.reshape(np.transpose(above, order), flat_q), axis=-1)
    low = np.transpose(np.reshape(low, kept + np.shape(q)), back)
    high = np.transpose(np.reshape(high, kept + np.shape(q)), back)
    result = np.where(count > 0, low + (high - low) * fraction, np.nan)
    if keepdims:
        return np.reshape(result, np.shape(q) + tuple(1 if i in axes else np.shape(a)[i]
                                                      for i in range(ndim)))
    return result


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method='linear',
                  keepdims=False, *, weights=None, interpolation=None):
    """``np.nanpercentile(a, q, ...)``: `np.nanquantile` at ``q / 100``."""
    if out is not None or method != 'linear' or weights is not None or \
            interpolation is not None or overwrite_input:
        s2s.refuse("np.nanpercentile with method='linear' and without out=, weights=, "
                   "interpolation= and overwrite_input=True")
    return np.nanquantile(a, np.asarray(q) / 100, axis=axis, keepdims=keepdims)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``np.nanmedian(a, axis, keepdims)``: `np.nanquantile` at 0.5."""
    if out is not None or overwrite_input:
        s2s.refuse('np.nanmedian without out= and overwrite_input=True')
    return np.nanquantile(a, 0.5, axis=axis, keepdims=keepdims)


# -- SciPy ------------------------------------------------------------------------------------

def zscore(a, axis=0, ddof=0, nan_policy='propagate'):
    """``scipy.stats.zscore(a, axis, ddof)``: ``(a - mean) / std`` along the axis."""
    if nan_policy != 'propagate':
        s2s.refuse("scipy.stats.zscore with nan_policy='propagate'")
    mean = np.mean(a, axis=axis, keepdims=True)
    return (a - mean) / np.std(a, axis=axis, ddof=ddof, keepdims=True)


def skew(a, axis=0, bias=True, nan_policy='propagate', *, keepdims=False):
    """``scipy.stats.skew(a, axis, bias)``: ``m3 / m2 ** 1.5`` (Fisher-Pearson; with
    ``bias=False`` the adjusted one)."""
    if nan_policy != 'propagate':
        s2s.refuse("scipy.stats.skew with nan_policy='propagate'")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    n = np.shape(a)[axis]
    d = a - np.mean(a, axis=axis, keepdims=True)
    g = np.mean(d ** 3, axis=axis) / np.mean(d ** 2, axis=axis) ** 1.5
    if not bias:
        g = g * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return np.expand_dims(g, axis) if keepdims else g


def kurtosis(a, axis=0, fisher=True, bias=True, nan_policy='propagate', *, keepdims=False):
    """``scipy.stats.kurtosis(a, axis, fisher, bias)``: ``m4 / m2 ** 2`` (minus 3 by Fisher's
    definition; with ``bias=False`` the adjusted one)."""
    if nan_policy != 'propagate':
        s2s.refuse("scipy.stats.kurtosis with nan_policy='propagate'")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    n = np.shape(a)[axis]
    d = a - np.mean(a, axis=axis, keepdims=True)
    k = np.mean(d ** 4, axis=axis) / np.mean(d ** 2, axis=axis) ** 2
    if not bias:
        k = ((n + 1.0) * k - 3.0 * (n - 1.0)) * (n - 1.0) / ((n - 2.0) * (n - 3.0)) + 3.0
    k = k - 3.0 if fisher else k
    return np.expand_dims(k, axis) if keepdims else k


def trim_mean(a, proportiontocut, axis=0):
    """``scipy.stats.trim_mean(a, proportiontocut, axis)``: the mean of the sorted values left
    after cutting ``int(proportiontocut * n)`` from each end."""
    s2s.not_lazy(a, 'scipy.stats.trim_mean (it sorts)')
    if axis is None:
        a = np.ravel(a)
        axis = 0
    values = np.sort(a, axis=axis)
    n = np.shape(values)[axis]
    cut = s2s.trimmed_count(n, proportiontocut)
    return np.mean(np.take(values, np.arange(cut, n - cut), axis=axis), axis=axis)


def lognorm_logpdf(x, s, loc=0.0, scale=1.0):
    """``scipy.stats.lognorm.logpdf(x, s, loc, scale)``: -inf where ``x <= loc`` (with the
    derivative 0 there: the formula is evaluated at 1 in its place)."""
    scale = scale * s2s.nan_unless_positive(scale)
    y = (x - loc) / scale
    inside = y > 0
    y = np.where(inside, y, 1.0)
    value = -np.log(y) ** 2 / (2 * s ** 2) - np.log(s * y * np.sqrt(2 * np.pi)) - np.log(scale)
    return np.where(inside, value, -np.inf)


def lognorm_pdf(x, s, loc=0.0, scale=1.0):
    """``scipy.stats.lognorm.pdf(x, s, loc, scale)``: 0 where ``x <= loc`` (derivative 0)."""
    scale = scale * s2s.nan_unless_positive(scale)
    y = (x - loc) / scale
    inside = y > 0
    y = np.where(inside, y, 1.0)
    density = np.exp(-np.log(y) ** 2 / (2 * s ** 2)) / (s * y * scale * np.sqrt(2 * np.pi))
    return np.where(inside, density, 0.0)


def binom_logpmf(k, n, p, loc=0):
    """``scipy.stats.binom.logpmf(k, n, p, loc)``: -inf off the counts 0, ..., n (derivative
    0 there), differentiated in `p` (and, as a smooth function, in `k` and `n`)."""
    k = k - loc
    inside = (k >= 0) & (k <= n) & (k == np.floor(k))
    k = np.where(inside, k, 0.0)
    return np.where(inside, scipy.special.gammaln(n + 1) - scipy.special.gammaln(k + 1) -
                    scipy.special.gammaln(n - k + 1) + scipy.special.xlogy(k, p) +
                    scipy.special.xlog1py(n - k, -p), -np.inf)


def binom_pmf(k, n, p, loc=0):
    """``scipy.stats.binom.pmf(k, n, p, loc)``."""
    return np.exp(scipy.stats.binom.logpmf(k, n, p, loc))


def nbinom_logpmf(k, n, p, loc=0):
    """``scipy.stats.nbinom.logpmf(k, n, p, loc)``: failures before the `n`-th success;
    -inf off the counts 0, 1, ... (derivative 0 there)."""
    k = k - loc
    inside = (k >= 0) & (k == np.floor(k))
    k = np.where(inside, k, 0.0)
    return np.where(inside, scipy.special.gammaln(n + k) - scipy.special.gammaln(k + 1) -
                    scipy.special.gammaln(n) + n * np.log(p) + scipy.special.xlog1py(k, -p),
                    -np.inf)


def nbinom_pmf(k, n, p, loc=0):
    """``scipy.stats.nbinom.pmf(k, n, p, loc)``."""
    return np.exp(scipy.stats.nbinom.logpmf(k, n, p, loc))


def halfnorm_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.halfnorm.logpdf(x, loc, scale)``: -inf where ``x < loc`` (derivative 0)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z >= 0
    z = np.where(inside, z, 0.0)
    return np.where(inside, 0.5 * np.log(2 / np.pi) - z ** 2 / 2 - np.log(scale), -np.inf)


def halfnorm_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.halfnorm.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.halfnorm.logpdf(x, loc, scale))


def halfcauchy_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.halfcauchy.logpdf(x, loc, scale)``: -inf where ``x < loc``."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z >= 0
    z = np.where(inside, z, 0.0)
    return np.where(inside, np.log(2 / np.pi) - np.log1p(z ** 2) - np.log(scale), -np.inf)


def halfcauchy_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.halfcauchy.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.halfcauchy.logpdf(x, loc, scale))


def invgamma_logpdf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.invgamma.logpdf(x, a, loc, scale)``: -inf where ``x <= loc``."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z > 0
    z = np.where(inside, z, 1.0)
    return np.where(inside, -(a + 1) * np.log(z) - scipy.special.gammaln(a) - 1.0 / z -
                    np.log(scale), -np.inf)


def invgamma_pdf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.invgamma.pdf(x, a, loc, scale)``."""
    return np.exp(scipy.stats.invgamma.logpdf(x, a, loc, scale))


def weibull_min_logpdf(x, c, loc=0.0, scale=1.0):
    """``scipy.stats.weibull_min.logpdf(x, c, loc, scale)``: -inf where ``x < loc``."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z >= 0
    z = np.where(inside, z, 1.0)
    return np.where(inside, np.log(c) + scipy.special.xlogy(c - 1, z) - z ** c -
                    np.log(scale), -np.inf)


def weibull_min_pdf(x, c, loc=0.0, scale=1.0):
    """``scipy.stats.weibull_min.pdf(x, c, loc, scale)``."""
    return np.exp(scipy.stats.weibull_min.logpdf(x, c, loc, scale))


def uniform_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.uniform.logpdf(x, loc, scale)``: ``-log(scale)`` on [loc, loc + scale],
    -inf off it (its derivative in `x` is 0 everywhere it is defined)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = (z >= 0) & (z <= 1)
    return np.where(inside, -np.log(scale) + 0.0 * z, -np.inf)


def uniform_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.uniform.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.uniform.logpdf(x, loc, scale))


def convolve2d(in1, in2, mode='full', boundary='fill', fillvalue=0):
    """``scipy.signal.convolve2d(in1, in2, mode)`` with zero fill (the default boundary): the
    sum, over the kernel's entries, of each entry times the zero-padded image shifted by it,
    cut to `mode`."""
    if boundary != 'fill' or fillvalue != 0 or np.ndim(in1) != 2 or np.ndim(in2) != 2 or \
            mode not in ('full', 'valid', 'same'):
        s2s.refuse("scipy.signal.convolve2d of matrices with boundary='fill' and fillvalue=0")
    kernel = np.asarray(in2)
    rows, cols = np.shape(in1)
    kr, kc = np.shape(kernel)
    if mode == 'valid' and (rows < kr or cols < kc):
        s2s.refuse("scipy.signal.convolve2d's mode='valid' with the first matrix at least as "
                   "large as the second")
    padded = np.pad(in1, ((kr - 1, kr - 1), (kc - 1, kc - 1)))
    full = 0.0
    for a in range(kr):
        for b in range(kc):
            full = full + kernel[a, b] * padded[kr - 1 - a:2 * kr - 2 - a + rows,
                                                kc - 1 - b:2 * kc - 2 - b + cols]
    if mode == 'full':
        return full
    if mode == 'valid':
        return full[kr - 1:rows, kc - 1:cols]
    return full[(kr - 1) // 2:(kr - 1) // 2 + rows, (kc - 1) // 2:(kc - 1) // 2 + cols]


def correlate2d(in1, in2, mode='full', boundary='fill', fillvalue=0):
    """``scipy.signal.correlate2d(in1, in2, mode)`` with zero fill: the full convolution with
    the kernel turned half a turn, cut to `mode` (SciPy centres 'same' differently)."""
    if boundary != 'fill' or fillvalue != 0 or np.ndim(in1) != 2 or np.ndim(in2) != 2 or \
            mode not in ('full', 'valid', 'same'):
        s2s.refuse("scipy.signal.correlate2d of matrices with boundary='fill' and fillvalue=0")
    kernel = np.asarray(in2)
    rows, cols = np.shape(in1)
    kr, kc = np.shape(kernel)
    if mode == 'valid' and (rows < kr or cols < kc):
        s2s.refuse("scipy.signal.correlate2d's mode='valid' with the first matrix at least as "
                   "large as the second")
    full = scipy.signal.convolve2d(in1, kernel[::-1, ::-1])
    if mode == 'full':
        return full
    if mode == 'valid':
        return full[kr - 1:rows, kc - 1:cols]
    return full[kr // 2:kr // 2 + rows, kc // 2:kc // 2 + cols]


def signal_convolve(in1, in2, mode='full', method='auto'):
    """``scipy.signal.convolve(in1, in2, mode, method)`` of two vectors or two matrices:
    `convolve2d` (of the vectors as rows), which centres 'same' as SciPy does."""
    if np.ndim(in1) != np.ndim(in2) or np.ndim(in1) not in (1, 2) or \
            method not in ('auto', 'direct', 'fft'):
        s2s.refuse('scipy.signal.convolve of two vectors or two matrices (for more dimensions, '
                   'a loop over scipy.signal.convolve2d)')
    if mode == 'valid' and np.shape(in1) != np.shape(in2) and \
            np.all(np.less_equal(np.shape(in1), np.shape(in2))):
        in1, in2 = in2, in1  # (as SciPy: the larger one first, the convolution is the same)
    if np.ndim(in1) == 1:
        return scipy.signal.convolve2d(np.reshape(in1, (1, -1)), np.reshape(in2, (1, -1)),
                                       mode)[0]
    return scipy.signal.convolve2d(in1, in2, mode)


def signal_correlate(in1, in2, mode='full', method='auto'):
    """``scipy.signal.correlate(in1, in2, mode, method)`` of two real vectors or matrices: the
    convolution with `in2` turned half a turn, which is how SciPy centres 'same' (not as
    `correlate2d` does, for a kernel of even length)."""
    if np.ndim(in1) != np.ndim(in2) or np.ndim(in1) not in (1, 2) or \
            method not in ('auto', 'direct', 'fft'):
        s2s.refuse('scipy.signal.correlate of two vectors or two matrices (for more '
                   'dimensions, a loop over scipy.signal.correlate2d)')
    if np.ndim(in1) == 1:
        return scipy.signal.convolve(in1, np.asarray(in2)[::-1], mode)
    return scipy.signal.convolve(in1, np.asarray(in2)[::-1, ::-1], mode)


def scipy_lstsq(a, b, cond=None, overwrite_a=False, overwrite_b=False, check_finite=True,
                lapack_driver=None):
    """``scipy.linalg.lstsq(a, b, cond)`` of a matrix of full rank: as `np.linalg.lstsq`, the
    residuals a number for a vector `b` (SciPy's)."""
    solution, residuals, rank, singular = np.linalg.lstsq(a, b, rcond=cond)
    if np.ndim(b) == 1 and np.size(residuals) == 1:
        residuals = residuals[0]
    return solution, residuals, rank, singular


def lfilter(b, a, x, axis=-1, zi=None):
    """``scipy.signal.lfilter(b, a, x)`` of a vector `x`: the moving-average part a
    convolution, the recursive part one step per sample."""
    if zi is not None or np.ndim(x) != 1 or np.ndim(b) != 1 or np.ndim(a) != 1:
        s2s.refuse('scipy.signal.lfilter of vectors b, a and x, without zi=')
    b = np.asarray(b)
    a = np.asarray(a)
    n = np.shape(x)[0]
    head = a[0]
    forward = np.convolve(x, b / head)[:n]
    feedback = a[1:] / head
    order = np.shape(feedback)[0]
    if order == 0:
        return forward
    out = []
    for t in range(n):
        value = forward[t]
        for k in range(min(t, order)):
            value = value - feedback[k] * out[t - 1 - k]
        out.append(value)
    return np.stack(out)


def cumulative_trapezoid(y, x=None, dx=1.0, axis=-1, initial=None):
    """``scipy.integrate.cumulative_trapezoid(y, x, dx, axis, initial)``: the running sums of
    the trapezoids along `axis` (each as `trapezoid` computes it), `initial` (0, as SciPy
    accepts) put in front."""
    if initial is not None and initial != 0:
        s2s.refuse('scipy.integrate.cumulative_trapezoid with initial=None or initial=0')
    n = np.shape(y)[axis]
    pairs = np.take(y, np.arange(1, n), axis=axis) + np.take(y, np.arange(n - 1), axis=axis)
    if x is None:
        areas = dx * pairs / 2.0
    elif np.ndim(x) == 1:
        areas = np.reshape(np.diff(x), s2s.spacing_shape(np.ndim(y), axis, n - 1)) * pairs / 2.0
    else:
        areas = np.diff(x, axis=axis) * pairs / 2.0
    result = np.cumsum(areas, axis=axis)
    if initial is None:
        return result
    return np.concatenate([np.take(y, [0], axis=axis) * 0.0, result], axis=axis)


def stdlib_mean(data):
    """``statistics.mean(data)`` (and ``fmean``, ``fmean(data, weights)``) of numbers."""
    return np.mean(np.asarray(data, dtype=float))


def stdlib_fmean(data, weights=None):
    """``statistics.fmean(data, weights)``: the mean, weighted where `weights` are given."""
    values = np.asarray(data, dtype=float)
    if weights is None:
        return np.mean(values)
    weights = np.asarray(weights, dtype=float)
    return np.sum(values * weights) / np.sum(weights)


def stdlib_variance(data, xbar=None):
    """``statistics.variance(data, xbar)``: the sample variance (n - 1 in the divisor), of
    the squares about `xbar` where it is given (as Python computes it)."""
    values = np.asarray(data, dtype=float)
    if xbar is None:
        return np.var(values, ddof=1)
    return np.sum((values - xbar) ** 2) / (np.shape(values)[0] - 1)


def stdlib_pvariance(data, mu=None):
    """``statistics.pvariance(data, mu)``: the population variance (about `mu` if given)."""
    values = np.asarray(data, dtype=float)
    if mu is None:
        return np.var(values)
    return np.sum((values - mu) ** 2) / np.shape(values)[0]


def stdlib_stdev(data, xbar=None):
    """``statistics.stdev(data, xbar)``: the square root of `stdlib_variance` (`np.std`
    without `xbar`: its derivative is 0 where all values are equal, as the limit gives)."""
    if xbar is None:
        return np.std(np.asarray(data, dtype=float), ddof=1)
    return np.sqrt(stdlib_variance(data, xbar))


def stdlib_pstdev(data, mu=None):
    """``statistics.pstdev(data, mu)``: the square root of `stdlib_pvariance` (see
    `stdlib_stdev`)."""
    if mu is None:
        return np.std(np.asarray(data, dtype=float))
    return np.sqrt(stdlib_pvariance(data, mu))


def stdlib_geometric_mean(data):
    """``statistics.geometric_mean(data)`` of positive numbers."""
    return np.exp(np.mean(np.log(np.asarray(data, dtype=float))))


def stdlib_covariance(x, y):
    """``statistics.covariance(x, y)``: the sample covariance (n - 1 in the divisor)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return np.sum((x - np.mean(x)) * (y - np.mean(y))) / (np.shape(x)[0] - 1)


def stdlib_correlation(x, y, method='linear'):
    """``statistics.correlation(x, y)``: Pearson's correlation coefficient."""
    if method != 'linear':
        s2s.refuse("statistics.correlation with method='linear'")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    dx = x - np.mean(x)
    dy = y - np.mean(y)
    return np.sum(dx * dy) / np.sqrt(np.sum(dx * dx) * np.sum(dy * dy))


NUMPY_DEFINITIONS = {
    'lib.stride_tricks.sliding_window_view': sliding_window_view, 'insert': insert,
    'logaddexp.accumulate': logaddexp_accumulate, 'fmax.accumulate': fmax_accumulate,
    'fmin.accumulate': fmin_accumulate, 'nanquantile': nanquantile,
    'nanpercentile': nanpercentile, 'nanmedian': nanmedian,
}
"""Paths in ``numpy`` -> their definitions."""

for _path, _definition in NUMPY_DEFINITIONS.items():
    _function = np
    for _part in _path.split('.'):
        _function = getattr(_function, _part)
    defined_by(_function, _definition)

SCIPY_DEFINITIONS = {
    ('scipy.stats', 'zscore'): zscore, ('scipy.stats', 'skew'): skew,
    ('scipy.stats', 'kurtosis'): kurtosis, ('scipy.stats', 'trim_mean'): trim_mean,
    ('scipy.stats', 'lognorm.logpdf'): lognorm_logpdf,
    ('scipy.stats', 'lognorm.pdf'): lognorm_pdf,
    ('scipy.stats', 'binom.logpmf'): binom_logpmf, ('scipy.stats', 'binom.pmf'): binom_pmf,
    ('scipy.stats', 'nbinom.logpmf'): nbinom_logpmf, ('scipy.stats', 'nbinom.pmf'): nbinom_pmf,
    ('scipy.stats', 'halfnorm.logpdf'): halfnorm_logpdf,
    ('scipy.stats', 'halfnorm.pdf'): halfnorm_pdf,
    ('scipy.stats', 'halfcauchy.logpdf'): halfcauchy_logpdf,
    ('scipy.stats', 'halfcauchy.pdf'): halfcauchy_pdf,
    ('scipy.stats', 'invgamma.logpdf'): invgamma_logpdf,
    ('scipy.stats', 'invgamma.pdf'): invgamma_pdf,
    ('scipy.stats', 'weibull_min.logpdf'): weibull_min_logpdf,
    ('scipy.stats', 'weibull_min.pdf'): weibull_min_pdf,
    ('scipy.stats', 'uniform.logpdf'): uniform_logpdf, ('scipy.stats', 'uniform.pdf'): uniform_pdf,
    ('scipy.linalg', 'lstsq'): scipy_lstsq, ('scipy.signal', 'lfilter'): lfilter,
    ('scipy.signal', 'convolve2d'): convolve2d, ('scipy.signal', 'correlate2d'): correlate2d,
    ('scipy.signal', 'convolve'): signal_convolve, ('scipy.signal', 'correlate'): signal_correlate,
    ('scipy.integrate', 'trapezoid'): trapezoid,
    ('scipy.integrate', 'cumulative_trapezoid'): cumulative_trapezoid,
}
"""``(module, path)`` of SciPy -> their definitions, registered once the module is imported."""

if scipy is not None:
    for (_module, _path), _definition in SCIPY_DEFINITIONS.items():
        defined_by_name(_module, _path, _definition)

STDLIB_DEFINITIONS = {
    'mean': stdlib_mean, 'fmean': stdlib_fmean, 'variance': stdlib_variance,
    'pvariance': stdlib_pvariance, 'stdev': stdlib_stdev, 'pstdev': stdlib_pstdev,
    'geometric_mean': stdlib_geometric_mean, 'covariance': stdlib_covariance,
    'correlation': stdlib_correlation,
}
"""Functions of Python's ``statistics`` module -> their definitions (the others are read from
the module's own source, as functions of yours)."""

for _path, _definition in STDLIB_DEFINITIONS.items():
    defined_by_name('statistics', _path, _definition)
