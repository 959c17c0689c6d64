"""Library functions differentiated through a definition in NumPy (`rules.defined_by`).

Each function below computes what the library function of the same name computes, for the
arguments it accepts, with calls that have rules; it reads only ``np``, ``s2s`` and, for
SciPy's, ``scipy``, so that the printed derivatives run where the user's code runs. s2sgrad
differentiates a call of the library function as a call of this definition (from its source,
as a function of yours, in both modes and to any order). The library function itself still
computes the values in reverse mode. Arguments a definition does not cover raise
NotImplementedError, naming them; tests/test_definitions.py compares every definition with
the library function's values.
"""
import builtins
import math

import numpy as np

from s2sgrad import runtime as s2s
from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import defined_by, defined_by_name, nondifferentiable
from s2sgrad.runtime_values import _is_lazy

try:  # SciPy is optional: its definitions register only with it (and once its module loads)
    import scipy.special
except ImportError:
    scipy = None

# -- checks of the arguments a definition covers (no derivative) ----------------------------


def refuse(what):
    """Raise: the definition of a library function does not cover this argument."""
    raise unsupported(f's2sgrad differentiates {what}')


def not_lazy(x, what):
    """Raise for a dask array `x`: `what` (a definition) cannot keep it lazy."""
    if _is_lazy(x):
        raise unsupported(f's2sgrad does not differentiate {what} of dask arrays')


def axes_tuple(axis, ndim):
    """`axis` (None, an int or a tuple) as a tuple of nonnegative axes of an `ndim`-array."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:  # (as NumPy: an axis the array has not raises, never wraps around)
        if not -ndim <= int(a) < ndim:
            raise getattr(np, 'exceptions', np).AxisError(int(a), ndim)
    return tuple(int(a) % ndim for a in axes)


def check_vectors(a, v):
    """Raise, as NumPy's convolve and correlate do, unless `a` and `v` are non-empty vectors
    (or numbers)."""
    if np.ndim(a) > 1 or np.ndim(v) > 1:
        raise ValueError('object too deep for desired array')
    if np.size(a) == 0 or np.size(v) == 0:
        raise ValueError('a and v cannot be empty')


def check_quantiles(q):
    """Raise, as NumPy does, unless every quantile of `q` is in [0, 1]."""
    q = np.asarray(q)
    if not np.all((q >= 0) & (q <= 1)):
        raise ValueError('Quantiles must be in the range [0, 1]')


def full_indices(n, m):
    """The position of ``a[i] * v[j]`` in the full convolution of an n- and an m-vector."""
    return np.ravel(np.arange(n)[:, None] + np.arange(m)[None, :])


def convolve_window(n, m, mode):
    """The slice of the full convolution (length n + m - 1, n >= m) that `mode` keeps
    (NumPy's numbers for the modes too: 0 'valid', 1 'same', 2 'full')."""
    mode = {0: 'valid', 1: 'same', 2: 'full'}.get(mode, mode) if type(mode) is int else mode
    if mode == 'full':
        return slice(0, n + m - 1)
    if mode == 'same':
        return slice((m - 1) // 2, (m - 1) // 2 + n)
    if mode == 'valid':
        return slice(m - 1, n)
    raise ValueError(f'mode must be one of "full", "same" or "valid", not {mode!r}')


def nan_unless_positive(scale):
    """1.0 where `scale` is positive, else nan (SciPy's distributions are nan there): a factor
    that makes the derivatives nan where the value is."""
    if np.ndim(scale) == 0:
        return 1.0 if scale > 0 else np.nan
    return np.where(scale > 0, 1.0, np.nan)


def check_covariance(cov):
    """Raise unless `cov` of scipy.stats.multivariate_normal is a number, a vector (the
    diagonal) or a matrix, as SciPy takes it."""
    if np.ndim(cov) > 2:
        raise unsupported(
            's2sgrad differentiates scipy.stats.multivariate_normal with a covariance matrix, '
            'its diagonal or a number')


def point_size(mean, cov):
    """The dimension of scipy.stats.multivariate_normal's points, as SciPy infers it: the size
    of `mean`, else the size of a matrix `cov`, else 1 (each number of `x` is then a point)."""
    if mean is not None:
        return np.size(mean)
    return np.shape(cov)[0] if np.ndim(cov) == 2 else 1


def psd_kept(values):
    """The eigenvalues of a covariance that SciPy keeps with ``allow_singular=True`` (above
    its cutoff, ``1e6 * eps * max(|values|)``): a boolean mask."""
    return values > 1e6 * np.finfo(float).eps * np.max(np.abs(values))


def psd_outside(diff, cov):
    """Where ``diff`` (x - mean, points along the last axis) leaves the range of the singular
    covariance `cov` (SciPy's density is 0 there, its log -inf): a boolean mask per point."""
    vals, vecs = np.linalg.eigh(cov)
    null = vecs[:, ~psd_kept(vals)]
    cutoff = 1e3 * 1e6 * np.finfo(float).eps * np.max(np.abs(vals))
    return np.linalg.norm(np.atleast_2d(diff) @ null, axis=-1) >= cutoff if null.size else \
        np.zeros(np.shape(np.atleast_2d(diff))[:-1], dtype=bool)


def nan_where_nan(values):
    """1.0 for each group (last axis) of `values` without NaN, else nan (of their float
    dtype: float32 data keeps a float32 value and tangent)."""
    found = np.where(np.any(np.isnan(values), axis=-1), np.nan, 1.0)
    return found.astype(values.dtype) if values.dtype.kind == 'f' else found


def spacing_shape(ndim, axis, size):
    """The shape of a 1-D spacing laid along `axis` of an `ndim`-array (ones elsewhere)."""
    return tuple(size if i == axis % ndim else 1 for i in range(ndim))


def cumulative_axis(x, axis, dtype, out, what):
    """The axis of ``np.cumulative_sum``/``prod`` (None: that of a 1-D `x`), once checked
    that the call passes no `dtype` nor `out`."""
    if out is not None or dtype is not None:
        refuse(f'{what} without dtype= and out=')
    if axis is None:
        if np.ndim(x) != 1:
            refuse(f'{what} of a 1-D array without axis= only (as NumPy)')
        return 0
    return axis


def initial_shape(x, axis):
    """The shape of the initial value ``include_initial=True`` puts before the scan of `x`."""
    return tuple(1 if i == axis % np.ndim(x) else n for i, n in enumerate(np.shape(x)))


def running_positions(array, axis, ufunc):
    """The position along `axis` where ``ufunc.accumulate(array, axis)`` (np.maximum's or
    np.minimum's) took each of its entries: the latest entry equal to the running value."""
    running = ufunc.accumulate(array, axis=axis)
    shape = [1] * np.ndim(array)
    shape[axis] = np.shape(array)[axis]
    index = np.reshape(np.arange(np.shape(array)[axis]), shape)
    return np.maximum.accumulate(np.where(array == running, index, 0), axis=axis)


nondifferentiable(refuse, not_lazy, axes_tuple, check_quantiles, check_vectors, full_indices,
                  convolve_window, cumulative_axis, initial_shape, nan_unless_positive,
                  spacing_shape,
                  nan_where_nan, check_covariance, running_positions, point_size, psd_kept,
                  psd_outside)


# -- polynomials, sums of products, integration ---------------------------------------------

def polyval(p, x):
    """``np.polyval(p, x)`` by Horner's scheme, as NumPy computes it."""
    y = np.zeros_like(x) * 1.0
    for i in range(len(p)):
        y = y * x + p[i]
    return y


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """``np.trapezoid(y, x, dx, axis)`` (``np.trapz``): the trapezoidal rule along `axis`, with
    the spacing multiplied in `y`'s own layout, as NumPy does."""
    n = np.shape(y)[axis]
    pairs = np.take(y, np.arange(1, n), axis=axis) + np.take(y, np.arange(n - 1), axis=axis)
    if x is None:
        return np.sum(dx * pairs / 2.0, axis=axis)
    if np.ndim(x) == 1:
        return np.sum(np.reshape(np.diff(x), s2s.spacing_shape(np.ndim(y), axis, n - 1)) *
                      pairs / 2.0, axis=axis)
    return np.sum(np.diff(x, axis=axis) * pairs / 2.0, axis=axis)


def ediff1d(ary, to_end=None, to_begin=None):
    """``np.ediff1d(ary, to_end, to_begin)``: differences of the flattened array."""
    differences = np.diff(np.ravel(ary))
    if to_begin is not None:
        differences = np.concatenate([np.ravel(to_begin), differences])
    if to_end is not None:
        differences = np.concatenate([differences, np.ravel(to_end)])
    return differences


def convolve(a, v, mode='full'):
    """``np.convolve(a, v, mode)`` of two 1-D arrays."""
    s2s.check_vectors(a, v)
    a, v = np.ravel(a), np.ravel(v)
    if len(v) > len(a):
        a, v = v, a
    n, m = len(a), len(v)
    full = np.bincount(s2s.full_indices(n, m), weights=np.ravel(np.outer(a, v)),
                       minlength=n + m - 1)
    return full[s2s.convolve_window(n, m, mode)]


def correlate(a, v, mode='valid'):
    """``np.correlate(a, v, mode)`` of two real 1-D arrays (NumPy swaps a shorter `a` with `v`
    and reverses the result)."""
    s2s.check_vectors(a, v)
    a, v = np.ravel(a), np.ravel(v)
    if len(v) > len(a):
        return np.flip(np.correlate(v, a, mode))
    n, m = len(a), len(v)
    full = np.bincount(s2s.full_indices(n, m), weights=np.ravel(np.outer(a, np.flip(v))),
                       minlength=n + m - 1)
    return full[s2s.convolve_window(n, m, mode)]


def multi_dot(arrays, *, out=None):
    """``np.linalg.multi_dot(arrays)``: the chain of np.dot (NumPy picks the cheapest order;
    the product, and its derivative, are the same)."""
    if out is not None:
        s2s.refuse('np.linalg.multi_dot without out=')
    result = arrays[0]
    for i in range(1, len(arrays)):
        result = np.dot(result, arrays[i])
    return result


def vecdot(x1, x2, axis=-1):
    """``np.vecdot(x1, x2, axis=axis)`` (``np.linalg.vecdot``) of real arrays."""
    return np.sum(x1 * x2, axis=axis)


def matvec(x1, x2):
    """``np.matvec(x1, x2)``: matrix times vector over the last axes, broadcasting the rest."""
    return np.sum(x1 * x2[..., None, :], axis=-1)


def vecmat(x1, x2):
    """``np.vecmat(x1, x2)``: vector times matrix over the last axes, broadcasting the rest."""
    return np.sum(x1[..., :, None] * x2, axis=-2)


def matrix_transpose(x):
    """``np.matrix_transpose(x)`` (``np.linalg.matrix_transpose``): the last two axes swapped."""
    return np.swapaxes(x, -1, -2)


def linalg_outer(x1, x2):
    """``np.linalg.outer(x1, x2)`` of two 1-D arrays."""
    return np.outer(x1, x2)


def linalg_trace(x, offset=0, dtype=None):
    """``np.linalg.trace(x, offset=offset)``: the trace of each matrix (the last two axes)."""
    return np.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def linalg_diagonal(x, offset=0):
    """``np.linalg.diagonal(x, offset=offset)``: the diagonal of each matrix (last two axes)."""
    return np.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def linalg_cross(x1, x2, axis=-1):
    """``np.linalg.cross(x1, x2, axis=axis)`` of 3-vectors."""
    return np.cross(x1, x2, axis=axis)


def linalg_tensordot(x1, x2, axes=2):
    """``np.linalg.tensordot(x1, x2, axes=axes)``."""
    return np.tensordot(x1, x2, axes=axes)


def linalg_matmul(x1, x2):
    """``np.linalg.matmul(x1, x2)``."""
    return np.matmul(x1, x2)


def matrix_norm(x, keepdims=False, ord='fro'):
    """``np.linalg.matrix_norm(x, ord=ord, keepdims=keepdims)``: over the last two axes."""
    return np.linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, axis=None, keepdims=False, ord=2):
    """``np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)``: the norm of the
    vector of the elements over `axis` (all axes: None, or a tuple of them)."""
    axes = s2s.axes_tuple(axis, np.ndim(x))
    rest = tuple(i for i in range(np.ndim(x)) if i not in axes)
    moved = np.reshape(np.transpose(x, rest + axes),
                       tuple(np.shape(x)[i] for i in rest) + (-1,))
    norms = np.linalg.norm(moved, ord=ord, axis=-1)
    if keepdims:
        return np.reshape(norms, tuple(1 if i in axes else np.shape(x)[i]
                                       for i in range(np.ndim(x))))
    return norms


def svdvals(x):
    """``np.linalg.svdvals(x)``: the singular values, largest first."""
    return np.linalg.svd(x, compute_uv=False)


def astype(x, dtype, copy=True, device=None):
    """``np.astype(x, dtype, copy=...)`` (NumPy 2.1's function form of ``x.astype``; the
    values come from ``np.astype`` itself, which checks `device`)."""
    return x.astype(dtype, copy=copy)


def cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False):
    """``np.cumulative_sum(x, axis=axis, include_initial=...)``."""
    axis = s2s.cumulative_axis(x, axis, dtype, out, 'np.cumulative_sum')
    sums = np.cumsum(x, axis=axis)
    if include_initial:
        return np.concatenate([np.zeros_like(sums, shape=s2s.initial_shape(x, axis)), sums],
                              axis=axis)
    return sums


def cumulative_prod(x, axis=None, dtype=None, out=None, include_initial=False):
    """``np.cumulative_prod(x, axis=axis, include_initial=...)``."""
    axis = s2s.cumulative_axis(x, axis, dtype, out, 'np.cumulative_prod')
    products = np.cumprod(x, axis=axis)
    if include_initial:
        return np.concatenate([np.ones_like(products, shape=s2s.initial_shape(x, axis)),
                               products], axis=axis)
    return products


def nancumsum(a, axis=None, dtype=None, out=None):
    """``np.nancumsum(a, axis)``: NaNs count as zero."""
    if out is not None or dtype is not None:
        s2s.refuse('np.nancumsum without dtype= and out=')
    return np.cumsum(np.where(np.isnan(a), 0.0, a), axis=axis)


def nancumprod(a, axis=None, dtype=None, out=None):
    """``np.nancumprod(a, axis)``: NaNs count as one."""
    if out is not None or dtype is not None:
        s2s.refuse('np.nancumprod without dtype= and out=')
    return np.cumprod(np.where(np.isnan(a), 1.0, a), axis=axis)


# -- order statistics and interpolation --------------------------------------------------------

def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``np.median(a, axis, keepdims=...)``: the middle of the sorted values (the mean of the
    two middle ones for an even count)."""
    if out is not None or overwrite_input:
        s2s.refuse('np.median without out= and overwrite_input=True')
    return np.quantile(a, 0.5, axis=axis, keepdims=keepdims)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method='linear',
               keepdims=False, *, weights=None, interpolation=None):
    """``np.percentile(a, q, axis, method='linear', keepdims=...)``."""
    if out is not None or overwrite_input:
        s2s.refuse('np.percentile without out= and overwrite_input=True')
    if weights is not None or interpolation is not None:
        s2s.refuse('np.percentile without weights= and interpolation=')
    return np.quantile(a, np.true_divide(q, 100), axis=axis, method=method, keepdims=keepdims)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method='linear',
             keepdims=False, *, weights=None, interpolation=None):
    """``np.quantile(a, q, axis, method='linear', keepdims=...)``: linear interpolation
    between the sorted values at position ``q * (n - 1)``; for an array `q`, its axes come
    first, as in NumPy."""
    if out is not None or method != 'linear' or weights is not None or \
            interpolation is not None or overwrite_input:
        s2s.refuse("np.quantile/np.percentile/np.median with method='linear' and without "
                   "out=, weights=, interpolation= and overwrite_input=True")
    s2s.not_lazy(a, 'np.quantile, np.percentile or np.median (the derivative sorts, which '
                    'dask does not do lazily)')
    s2s.check_quantiles(q)
    ndim = np.ndim(a)
    axes = s2s.axes_tuple(axis, ndim)
    rest = tuple(i for i in range(ndim) if i not in axes)
    if 0 in np.shape(a):  # (no value: NumPy's NaN, or an empty result, which nothing changes)
        return np.full(np.shape(q) + tuple(1 if i in axes else np.shape(a)[i]
                                           for i in range(ndim) if keepdims or i not in axes),
                       np.nan)
    values = np.sort(np.reshape(np.transpose(a, rest + axes),
                                tuple(np.shape(a)[i] for i in rest) + (-1,)), axis=-1)
    n = np.shape(values)[-1]
    position = np.asarray(q) * (n - 1)
    # (at q == 1 the last segment, fraction 1: its slope in q is the one that exists)
    below = np.clip(np.floor(position), 0, max(n - 2, 0)).astype(int)
    above = np.clip(below + 1, 0, n - 1)
    # (np.take gives the axes of `a` left, then those of q: NumPy puts q's first)
    order = tuple(range(len(rest), len(rest) + np.ndim(q))) + tuple(range(len(rest)))
    low = np.transpose(np.take(values, below, axis=-1), order)
    high = np.transpose(np.take(values, above, axis=-1), order)
    fraction = np.reshape(position - below, np.shape(q) + (1,) * len(rest))
    if np.asarray(values).dtype.kind == 'f':  # (float32 data: a float32 value and tangent)
        fraction = np.asarray(fraction).astype(np.asarray(values).dtype)
    # (NaN where a group holds one, as NumPy's value: its derivatives too)
    result = (low + (high - low) * fraction) * s2s.nan_where_nan(values)
    if keepdims:
        return np.reshape(result, np.shape(q) + tuple(1 if i in axes else np.shape(a)[i]
                                                      for i in range(ndim)))
    return result


def interp(x, xp, fp, left=None, right=None, period=None):
    """``np.interp(x, xp, fp, left, right)`` of real values: the piecewise linear function
    through the points ``(xp, fp)`` (increasing `xp`), `left`/`right` (``fp[0]``/``fp[-1]``)
    outside them (``period=``: `periodic_interp`)."""
    if period is not None:
        s2s.refuse('np.interp with period= given as a keyword argument')
    n = len(xp)
    i = np.clip(np.searchsorted(xp, x, side='right') - 1, 0, n - 2)
    width = np.take(xp, i + 1) - np.take(xp, i)  # (0 between repeated knots: not used there)
    slope = np.where(width == 0, 0.0, (np.take(fp, i + 1) - np.take(fp, i)) /
                     np.where(width == 0, 1.0, width))
    inside = np.take(fp, i) + slope * (x - np.take(xp, i))
    below = np.take(fp, 0) if left is None else left
    beyond = np.take(fp, n - 1) if right is None else right
    return np.where(x < np.take(xp, 0), below,
                    np.where(x > np.take(xp, n - 1), beyond,
                             np.where(x == np.take(xp, n - 1), np.take(fp, n - 1), inside)))


def periodic_interp(x, xp, fp, period):
    """``np.interp(x, xp, fp, period=period)`` (a call with a period is a call of this): as
    NumPy computes it, the points moved into one period, sorted and repeated at both ends."""
    if period == 0:
        raise ValueError('period must be a non-zero value')
    x = x % np.abs(period)
    xp = xp % np.abs(period)
    order = np.argsort(xp)
    xp = np.take(xp, order)
    fp = np.take(fp, order)
    xp = np.concatenate([xp[-1:] - np.abs(period), xp, xp[0:1] + np.abs(period)])
    fp = np.concatenate([fp[-1:], fp, fp[0:1]])
    return np.interp(x, xp, fp)


def max_or(items, default, key=None):
    """``max(items, default=default)`` (with `key` if given; a call with a default is a call
    of this): `default` where `items` is empty, else the largest item, as Python picks it."""
    values = list(items)
    if not values:
        return default
    if key is None:
        return max(values)
    return max(values, key=key)


def min_or(items, default, key=None):
    """``min(items, default=default)`` (see `max_or`)."""
    values = list(items)
    if not values:
        return default
    if key is None:
        return min(values)
    return min(values, key=key)


# -- ufunc methods and other forms ---------------------------------------------------------

def add_reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """``np.add.reduce(array, axis)``: np.sum over axis 0 by default."""
    if out is not None or initial is not None or where is not True:
        s2s.refuse('np.add.reduce without out=, initial= and where=')
    return np.sum(array, axis=axis, dtype=dtype, keepdims=keepdims)


def multiply_reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None,
                    where=True):
    """``np.multiply.reduce(array, axis)``: np.prod over axis 0 by default."""
    if out is not None or initial is not None or where is not True:
        s2s.refuse('np.multiply.reduce without out=, initial= and where=')
    return np.prod(array, axis=axis, dtype=dtype, keepdims=keepdims)


def maximum_reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None,
                   where=True):
    """``np.maximum.reduce(array, axis)``: np.max over axis 0 by default."""
    if out is not None or initial is not None or where is not True or dtype is not None:
        s2s.refuse('np.maximum.reduce without dtype=, out=, initial= and where=')
    return np.max(array, axis=axis, keepdims=keepdims)


def minimum_reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None,
                   where=True):
    """``np.minimum.reduce(array, axis)``: np.min over axis 0 by default."""
    if out is not None or initial is not None or where is not True or dtype is not None:
        s2s.refuse('np.minimum.reduce without dtype=, out=, initial= and where=')
    return np.min(array, axis=axis, keepdims=keepdims)


def logaddexp_reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial=None,
                     where=True):
    """``np.logaddexp.reduce(array, axis)``: ``log(sum(exp(array)))`` over axis 0 by default,
    shifted by the maximum."""
    if out is not None or initial is not None or where is not True or dtype is not None:
        s2s.refuse('np.logaddexp.reduce without dtype=, out=, initial= and where=')
    shift = np.max(array, axis=axis, keepdims=True)
    total = np.log(np.sum(np.exp(array - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else np.squeeze(total, axis=axis)


def add_accumulate(array, axis=0, dtype=None, out=None):
    """``np.add.accumulate(array, axis)``: np.cumsum over axis 0 by default."""
    if out is not None:
        s2s.refuse('np.add.accumulate without out=')
    return np.cumsum(array, axis=axis, dtype=dtype)


def multiply_accumulate(array, axis=0, dtype=None, out=None):
    """``np.multiply.accumulate(array, axis)``: np.cumprod over axis 0 by default."""
    if out is not None:
        s2s.refuse('np.multiply.accumulate without out=')
    return np.cumprod(array, axis=axis, dtype=dtype)


def maximum_accumulate(array, axis=0, dtype=None, out=None):
    """``np.maximum.accumulate(array, axis)``: the running maximum, each entry the entry of
    `array` where it was reached (the latest of equal ones)."""
    if out is not None or dtype is not None:
        s2s.refuse('np.maximum.accumulate without dtype= and out=')
    return np.take_along_axis(array, s2s.running_positions(array, axis, np.maximum), axis)


def minimum_accumulate(array, axis=0, dtype=None, out=None):
    """``np.minimum.accumulate(array, axis)``: the running minimum (as `maximum_accumulate`)."""
    if out is not None or dtype is not None:
        s2s.refuse('np.minimum.accumulate without dtype= and out=')
    return np.take_along_axis(array, s2s.running_positions(array, axis, np.minimum), axis)


def add_outer(a, b):
    """``np.add.outer(a, b)``."""
    return np.reshape(a, np.shape(a) + (1,) * np.ndim(b)) + b


def subtract_outer(a, b):
    """``np.subtract.outer(a, b)``."""
    return np.reshape(a, np.shape(a) + (1,) * np.ndim(b)) - b


def multiply_outer(a, b):
    """``np.multiply.outer(a, b)``."""
    return np.reshape(a, np.shape(a) + (1,) * np.ndim(b)) * b


def divide_outer(a, b):
    """``np.divide.outer(a, b)``."""
    return np.reshape(a, np.shape(a) + (1,) * np.ndim(b)) / b


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """``np.cov(m, y, rowvar, bias, ddof, fweights, aweights)``: the covariance of the rows
    (variables) of `m` (and of `y`), weighting the observations as NumPy does."""
    if dtype is not None:
        s2s.refuse('np.cov without dtype=')
    x = np.atleast_2d(m)
    if not rowvar and np.shape(x)[0] != 1:
        x = np.transpose(x)
    if y is not None:
        other = np.atleast_2d(y)
        if not rowvar and np.shape(other)[0] != 1:
            other = np.transpose(other)
        x = np.concatenate([x, other], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    if fweights is None and aweights is None:
        centred = x - np.mean(x, axis=1, keepdims=True)
        # (NumPy divides by 0 where ddof leaves no degree of freedom: inf and nan)
        return np.squeeze(centred @ np.transpose(centred) / max(np.shape(x)[1] - ddof, 0))
    if fweights is not None:
        fweights = np.asarray(fweights)
    if aweights is not None:
        aweights = np.asarray(aweights)
    w = fweights if aweights is None else aweights if fweights is None else \
        fweights * aweights
    total = np.sum(w)
    centred = x - (x @ w / total)[:, None]
    if ddof == 0:
        fact = total
    elif aweights is None:
        fact = total - ddof
    else:
        fact = total - ddof * np.sum(w * aweights) / total
    return np.squeeze(centred * w @ np.transpose(centred) / max(fact, 0))


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """``np.corrcoef(x, y, rowvar)``: the covariance divided by the standard deviations
    (NumPy clips the result to [-1, 1]; only the diagonal, exactly 1, can reach it)."""
    if dtype is not None:
        s2s.refuse('np.corrcoef without dtype=')
    c = np.cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    deviations = np.sqrt(np.diagonal(c))
    return c / deviations[:, None] / deviations[None, :]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``scipy.linalg.solve_triangular(a, b, trans, lower, unit_diagonal)``: the solution of the
    system with the lower or upper triangle of `a` (the rest of `a` is not read; nor is its
    diagonal, taken as ones, with `unit_diagonal`), or with its transpose (``trans`` 1 or
    'T'; 2 or 'C', the conjugate transpose)."""
    if trans not in (0, 1, 2, 'N', 'T', 'C') or overwrite_b:
        s2s.refuse("scipy.linalg.solve_triangular with trans 0, 1, 2, 'N', 'T' or 'C' and "
                   "overwrite_b=False (SciPy may overwrite the arrays its derivative reads)")
    s2s.not_lazy(a, 'scipy.linalg.solve_triangular (SciPy computes them)')
    if unit_diagonal:
        triangle = (np.tril(a, -1) if lower else np.triu(a, 1)) + np.eye(np.shape(a)[-1])
    else:
        triangle = np.tril(a) if lower else np.triu(a)
    if trans in (1, 'T'):
        triangle = np.swapaxes(triangle, -1, -2)
    elif trans in (2, 'C'):
        triangle = np.conj(np.swapaxes(triangle, -1, -2))
    return np.linalg.solve(triangle, b)


# -- scipy.stats.norm ------------------------------------------------------------------------

def norm_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.logpdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return -((x - loc) / scale) ** 2 / 2 - np.log(scale) - np.log(2 * np.pi) / 2


def norm_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.pdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return np.exp(-((x - loc) / scale) ** 2 / 2) / (np.sqrt(2 * np.pi) * scale)


def norm_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.cdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return scipy.special.ndtr((x - loc) / scale)


def norm_logcdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.logcdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return scipy.special.log_ndtr((x - loc) / scale)


def norm_sf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.sf(x, loc, scale)``: 1 - cdf."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return scipy.special.ndtr((loc - x) / scale)


def norm_logsf(x, loc=0.0, scale=1.0):
    """``scipy.stats.norm.logsf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return scipy.special.log_ndtr((loc - x) / scale)


def norm_ppf(q, loc=0.0, scale=1.0):
    """``scipy.stats.norm.ppf(q, loc, scale)``: the inverse of cdf."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return loc + scale * scipy.special.ndtri(q)


def norm_isf(q, loc=0.0, scale=1.0):
    """``scipy.stats.norm.isf(q, loc, scale)``: the inverse of sf."""
    scale = scale * s2s.nan_unless_positive(scale)  # (as SciPy: nan for scale <= 0)
    return loc - scale * scipy.special.ndtri(q)


# -- other distributions of scipy.stats (log densities; the densities are their exp) ----------

def t_logpdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.logpdf(x, df, loc, scale)``: Student's t."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    return (scipy.special.gammaln((df + 1) / 2) - scipy.special.gammaln(df / 2) -
            np.log(np.pi * df) / 2 - (df + 1) / 2 * np.log1p(z ** 2 / df) - np.log(scale))


def t_pdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.pdf(x, df, loc, scale)``."""
    return np.exp(scipy.stats.t.logpdf(x, df, loc, scale))


def beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    """``scipy.stats.beta.logpdf(x, a, b, loc, scale)``: -inf where ``(x - loc) / scale`` is
    outside [0, 1] (with the derivative 0 there: the formula is evaluated at 0.5 instead)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = (z >= 0) & (z <= 1)
    z = np.where(inside, z, 0.5)
    value = scipy.special.xlogy(a - 1, z) + scipy.special.xlog1py(b - 1, -z) - \
        scipy.special.betaln(a, b) - np.log(scale)
    return np.where(inside, value, -np.inf)


def beta_pdf(x, a, b, loc=0.0, scale=1.0):
    """``scipy.stats.beta.pdf(x, a, b, loc, scale)``."""
    return np.exp(scipy.stats.beta.logpdf(x, a, b, loc, scale))


def gamma_logpdf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.gamma.logpdf(x, a, loc, scale)``: -inf where ``x < loc`` (with the
    derivative 0 there: the formula is evaluated at 1 instead)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z >= 0
    z = np.where(inside, z, 1.0)
    value = scipy.special.xlogy(a - 1, z) - z - scipy.special.gammaln(a) - np.log(scale)
    return np.where(inside, value, -np.inf)


def gamma_pdf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.gamma.pdf(x, a, loc, scale)``."""
    return np.exp(scipy.stats.gamma.logpdf(x, a, loc, scale))


def chi2_logpdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.chi2.logpdf(x, df, loc, scale)``: a gamma of shape df/2 and scale 2."""
    return scipy.stats.gamma.logpdf(x, df / 2, loc, 2 * scale)


def chi2_pdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.chi2.pdf(x, df, loc, scale)``."""
    return np.exp(scipy.stats.gamma.logpdf(x, df / 2, loc, 2 * scale))


def expon_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.expon.logpdf(x, loc, scale)``: -inf where ``x < loc`` (derivative 0)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    inside = z >= 0
    return np.where(inside, -np.where(inside, z, 0.0) - np.log(scale), -np.inf)


def expon_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.expon.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.expon.logpdf(x, loc, scale))


def laplace_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.laplace.logpdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)
    return -np.abs(x - loc) / scale - np.log(2 * scale)


def laplace_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.laplace.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.laplace.logpdf(x, loc, scale))


def cauchy_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.cauchy.logpdf(x, loc, scale)``."""
    scale = scale * s2s.nan_unless_positive(scale)
    return -np.log(np.pi * scale) - np.log1p(((x - loc) / scale) ** 2)


def cauchy_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.cauchy.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.cauchy.logpdf(x, loc, scale))


def logistic_logpdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.logistic.logpdf(x, loc, scale)`` (``log(1 + exp(-z))`` as
    ``logaddexp(0, -z)``, which cannot overflow)."""
    scale = scale * s2s.nan_unless_positive(scale)
    z = (x - loc) / scale
    return -z - 2 * np.logaddexp(0.0, -z) - np.log(scale)


def logistic_pdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.logistic.pdf(x, loc, scale)``."""
    return np.exp(scipy.stats.logistic.logpdf(x, loc, scale))


def poisson_logpmf(k, mu, loc=0):
    """``scipy.stats.poisson.logpmf(k, mu, loc)``, differentiated in `mu`: -inf off the counts
    0, 1, ... (a count below `loc`, a fraction), where the derivative is 0, as binom's."""
    k = k - loc
    inside = (k >= 0) & (k == np.floor(k))
    k = np.where(inside, k, 0.0)
    return np.where(inside, scipy.special.xlogy(k, mu) - mu - scipy.special.gammaln(k + 1),
                    -np.inf)


def poisson_pmf(k, mu, loc=0):
    """``scipy.stats.poisson.pmf(k, mu, loc)``."""
    return np.exp(scipy.stats.poisson.logpmf(k, mu, loc))


def multivariate_normal_logpdf(x, mean=None, cov=1, allow_singular=False):
    """``scipy.stats.multivariate_normal.logpdf(x, mean, cov, allow_singular)`` (a vector `x`
    or a row of vectors per point). A matrix `cov` is read by its lower triangle, as SciPy
    reads it; a number is ``cov * np.eye(d)``, a vector the diagonal. With ``allow_singular``,
    SciPy's pseudo-inverse and pseudo-determinant (of the eigenvalues above its cutoff), and
    -inf for a point outside the covariance's range."""
    s2s.check_covariance(cov)
    s2s.not_lazy(x, 'scipy.stats.multivariate_normal (SciPy computes them)')
    s2s.not_lazy(cov, 'scipy.stats.multivariate_normal (SciPy computes them)')
    dim = s2s.point_size(mean, cov)
    if np.ndim(cov) == 0:
        cov = cov * np.eye(dim)
    elif np.ndim(cov) == 1:
        cov = np.diag(cov)
    cov = np.tril(cov) + np.transpose(np.tril(cov, -1))  # (SciPy reads the lower triangle)
    diff = x - (0.0 if mean is None else mean)
    if dim == 1 and np.ndim(diff) < 2:  # (each number a point, as SciPy reads them)
        result = multivariate_normal_logpdf(np.reshape(diff, (-1, 1)), None, cov,
                                            allow_singular)
        return np.reshape(result, np.shape(diff))
    rows = np.atleast_2d(diff)
    if allow_singular:
        values = np.linalg.eigvalsh(cov)
        kept = s2s.psd_kept(values)
        inverse = np.linalg.pinv(cov, rcond=1e6 * np.finfo(float).eps, hermitian=True)
        mahalanobis = np.sum((rows @ inverse) * rows, axis=-1)
        log_pdet = np.sum(np.log(np.where(kept, values, 1.0)))
        result = -(np.sum(kept) * np.log(2 * np.pi) + log_pdet + mahalanobis) / 2
        result = np.where(s2s.psd_outside(diff, cov), -np.inf, result)
        return np.reshape(result, np.shape(diff)[:-1])
    solved = np.linalg.solve(cov, np.swapaxes(rows, -1, -2))
    mahalanobis = np.sum(rows * np.swapaxes(solved, -1, -2), axis=-1)
    result = -(dim * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + mahalanobis) / 2
    return np.reshape(result, np.shape(diff)[:-1])


def multivariate_normal_pdf(x, mean=None, cov=1, allow_singular=False):
    """``scipy.stats.multivariate_normal.pdf(x, mean, cov, allow_singular)``."""
    return np.exp(scipy.stats.multivariate_normal.logpdf(x, mean, cov, allow_singular))


def dirichlet_logpdf(x, alpha):
    """``scipy.stats.dirichlet.logpdf(x, alpha)`` of points `x` of the simplex, components on
    the first axis (one point, or one per column: shape ``(K, N)``), as SciPy takes them; the
    last component may be left out (SciPy's ``K - 1`` rows: it is one minus the others)."""
    if np.shape(x)[0] + 1 == np.shape(alpha)[0]:
        x = np.concatenate([x, np.expand_dims(1 - np.sum(x, axis=0), 0)], axis=0)
    weights = np.reshape(alpha - 1, np.shape(alpha) + (1,) * (np.ndim(x) - 1))
    return scipy.special.gammaln(np.sum(alpha)) - np.sum(scipy.special.gammaln(alpha)) + \
        np.sum(scipy.special.xlogy(weights, x), axis=0)


# -- NumPy's other small functions ------------------------------------------------------------

def vander(x, N=None, increasing=False):
    """``np.vander(x, N, increasing)``: the powers of `x` as columns."""
    powers = np.arange(len(x) if N is None else N)
    return np.reshape(x, (-1, 1)) ** (powers if increasing else np.flip(powers))


def ascontiguousarray(a, dtype=None, *, like=None):
    """``np.ascontiguousarray(a)``: the same values (laid out in C order)."""
    if dtype is not None or like is not None:
        s2s.refuse('np.ascontiguousarray without dtype= and like=')
    return np.positive(a)  # (a new array of the same values, also of a list or a dask array)


def delete(arr, obj, axis=None):
    """``np.delete(arr, obj, axis)``: the entries not deleted, taken by their positions
    (the array flattened first where `axis` is None)."""
    if axis is None:
        arr = np.ravel(arr)
        axis = 0
    kept = np.delete(np.arange(np.shape(arr)[axis]), obj)
    return np.take(arr, kept, axis=axis)


def asfortranarray(a, dtype=None, *, like=None):
    """``np.asfortranarray(a)``: the same values (laid out in Fortran order)."""
    if dtype is not None or like is not None:
        s2s.refuse('np.asfortranarray without dtype= and like=')
    return np.positive(a)


def heaviside(x1, x2):
    """``np.heaviside(x1, x2)``: 0 below zero, 1 above, `x2` at zero (constant in `x1`)."""
    return np.where(x1 < 0, 0.0, np.where(x1 > 0, 1.0, x2))


def ldexp(x1, x2):
    """``np.ldexp(x1, x2)``: ``x1 * 2 ** x2`` for integer `x2`."""
    return x1 * np.exp2(x2)


def frexp_exponent(x):
    """The exponent `np.frexp` gives `x` (an integer: no derivative)."""
    return np.frexp(x)[1]


def frexp(x):
    """``np.frexp(x)``: the mantissa ``x * 2 ** -e`` (slope ``2 ** -e``) and the exponent `e`."""
    exponent = frexp_exponent(x)
    return np.ldexp(x, -exponent), exponent


def tensorinv(a, ind=2):
    """``np.linalg.tensorinv(a, ind)``: the inverse of `a` read as a matrix of its first `ind`
    axes by the others, shaped back with the two groups of axes swapped."""
    shape = np.shape(a)
    rows = int(np.prod(shape[:ind]))
    inverse = np.linalg.inv(np.reshape(a, (rows, -1)))
    return np.reshape(inverse, shape[ind:] + shape[:ind])


def tensorsolve(a, b, axes=None):
    """``np.linalg.tensorsolve(a, b, axes)``: `x` with ``np.tensordot(a, x, x.ndim) == b``
    (the `axes` of `a` moved to the end first), solved as a matrix system."""
    if axes is not None:
        order = [k for k in range(np.ndim(a)) if k not in axes] + list(axes)
        a = np.transpose(a, order)
    shape = np.shape(a)[np.ndim(b):]
    size = int(np.prod(shape))
    solution = np.linalg.solve(np.reshape(a, (size, size)), np.reshape(b, (size,)))
    return np.reshape(solution, shape)


def meshgrid_of(xi, copy=True, sparse=False, indexing='xy'):
    """``np.meshgrid(*xi, indexing=...)`` (a call of it with its arrays listed is a call of
    this: `call_forms`): each 1-D `xi` repeated along the other axes (the first two swapped
    for ``indexing='xy'``), as new arrays."""
    if sparse or indexing not in ('xy', 'ij'):
        s2s.refuse("np.meshgrid without sparse=True and with indexing='xy' or 'ij'")
    sizes = [np.shape(np.ravel(x))[0] for x in xi]
    if indexing == 'xy' and len(xi) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i in range(len(xi)):
        axis = i
        if indexing == 'xy' and len(xi) > 1 and i < 2:
            axis = 1 - i
        shape = [1] * len(xi)
        shape[axis] = sizes[axis]
        grids.append(np.broadcast_to(np.reshape(xi[i], shape), tuple(sizes)) + 0.0)
    return tuple(grids)


if isinstance(np.broadcast_arrays(np.zeros(1)), tuple):  # (NumPy 2: a tuple)
    def broadcast_arrays_of(arrays, subok=False):
        """``np.broadcast_arrays(*arrays)`` (a call of it with its arrays listed is a call of
        this: `call_forms`): each broadcast to their common shape, read-only views as
        NumPy's, in a tuple (NumPy 2)."""
        shape = ()
        for a in arrays:
            shape = np.broadcast_shapes(shape, np.shape(a))
        return tuple([np.broadcast_to(a, shape) for a in arrays])
else:
    def broadcast_arrays_of(arrays, subok=False):
        """``np.broadcast_arrays(*arrays)``: each broadcast to their common shape, in a list
        (NumPy 1)."""
        shape = ()
        for a in arrays:
            shape = np.broadcast_shapes(shape, np.shape(a))
        return [np.broadcast_to(a, shape) for a in arrays]


def fftshift(x, axes=None):
    """``np.fft.fftshift(x, axes)``: the zero frequency moved to the centre, a roll by half
    of each axis (a permutation: real values stay real)."""
    if axes is None:
        axes = tuple(range(np.ndim(x)))
    elif isinstance(axes, (int, np.integer)):
        axes = (axes,)
    return np.roll(x, tuple(np.shape(x)[axis] // 2 for axis in axes), axes)


def ifftshift(x, axes=None):
    """``np.fft.ifftshift(x, axes)``: `fftshift` undone, a roll back by half of each axis."""
    if axes is None:
        axes = tuple(range(np.ndim(x)))
    elif isinstance(axes, (int, np.integer)):
        axes = (axes,)
    return np.roll(x, tuple(-(np.shape(x)[axis] // 2) for axis in axes), axes)


def cond(x, p=None):
    """``np.linalg.cond(x, p)``: the largest singular value over the smallest (p None or 2;
    -2: the inverse), else the norm of `x` times the norm of its inverse."""
    if p is None or p == 2 or p == -2:
        s = np.linalg.svd(x, compute_uv=False)
        ratio = s[..., 0] / s[..., -1]
        return ratio if p != -2 else 1.0 / ratio
    inverse = np.linalg.inv(x)
    return np.linalg.norm(x, p, axis=(-2, -1)) * np.linalg.norm(inverse, p, axis=(-2, -1))


def compress(condition, a, axis=None, out=None):
    """``np.compress(condition, a, axis)``: the entries (along `axis`, of the flattened `a`
    for None) where `condition` is true."""
    if out is not None:
        s2s.refuse('np.compress without out=')
    if axis is None:
        return np.take(np.ravel(a), np.flatnonzero(condition), axis=0)
    return np.take(a, np.flatnonzero(condition), axis=axis)


def extract(condition, arr):
    """``np.extract(condition, arr)``: the entries of `arr` where `condition` is true, in
    the order of the flattened arrays."""
    s2s.not_lazy(arr, 'np.extract')  # (dask gives its result an unknown length)
    return np.take(np.ravel(arr), np.flatnonzero(np.ravel(condition)), axis=0)


def modf(x):
    """``np.modf(x)``: the fractional and the integral parts (slope 1 and 0)."""
    whole = np.trunc(x)
    return x - whole, whole


def block_depth(arrays):
    """How deep the lists of ``np.block(arrays)`` nest (0 for an array or a number); raises
    ValueError as NumPy does for lists of unequal depths or an empty list."""
    if not isinstance(arrays, list):
        return 0
    if not arrays:
        raise ValueError('np.block: lists cannot be empty')
    depths = [block_depth(item) for item in arrays]
    if len(set(depths)) != 1:
        raise ValueError('np.block: the lists of arrays nest to unequal depths')
    return depths[0] + 1


def block_ndim(arrays):
    """The largest number of dimensions among the arrays of ``np.block(arrays)``."""
    if isinstance(arrays, list):
        return builtins.max(block_ndim(item) for item in arrays)
    return np.ndim(arrays)


nondifferentiable(block_depth, block_ndim, frexp_exponent)


def assembled(arrays):
    """``np.block(arrays)``: the arrays of the innermost lists joined along the last axis,
    those lists' results along the one before, and so on (each array first given leading
    axes of length 1 up to the depth of the lists)."""
    depth = s2s.block_depth(arrays)
    return _joined_blocks(arrays, depth, builtins.max(depth, s2s.block_ndim(arrays)))


def _joined_blocks(arrays, depth, ndim):
    if depth == 0:
        return np.reshape(arrays, (1,) * (ndim - np.ndim(arrays)) + np.shape(arrays))
    parts = []
    for item in arrays:
        parts.append(_joined_blocks(item, depth - 1, ndim))
    return np.concatenate(parts, axis=-depth)


def diagflat(v, k=0):
    """``np.diagflat(v, k)``: the flattened `v` on the `k`-th diagonal of a square matrix."""
    return np.diag(np.ravel(v), k)


def lstsq(a, b, rcond=None):
    """``np.linalg.lstsq(a, b, rcond)`` of a matrix of full rank: the solution (the
    pseudo-inverse times `b`: the least-squares solution of a tall matrix, the minimum-norm
    one of a wide matrix), the sums of squared residuals (none unless `a` has more rows than
    columns), the rank and the singular values."""
    rows, columns = np.shape(a)
    rank = np.linalg.matrix_rank(a)
    if rank < min(rows, columns):
        s2s.refuse(f'np.linalg.lstsq of a matrix of full rank (this {rows} x {columns} one has '
                   f'rank {rank}: its solution jumps where the rank changes)')
    solution = np.linalg.pinv(a) @ b
    if rows > columns:
        residuals = np.atleast_1d(np.sum((b - a @ solution) ** 2, axis=0))
    else:
        residuals = np.zeros(0)
    return solution, residuals, rank, np.linalg.svd(a, compute_uv=False)


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """``np.polyfit(x, y, deg)``: the least-squares coefficients, highest power first, of
    the Vandermonde matrix with its columns scaled to unit length first, as NumPy solves it
    (the powers of raw data, years say, span too many orders of magnitude otherwise)."""
    if full or w is not None or cov or rcond is not None:
        s2s.refuse('np.polyfit without rcond=, full=, w= and cov=')
    powers = np.vander(x, deg + 1)
    scale = np.sqrt(np.sum(powers * powers, axis=0))
    scaled = powers / scale
    rank = np.linalg.matrix_rank(scaled)
    if rank < deg + 1:
        s2s.refuse(f'np.polyfit of degree {deg} through points that determine it (here the '
                   f'rank is {rank} < {deg + 1}: the fit is not unique)')
    coefficients = np.linalg.pinv(scaled) @ y
    return np.transpose(np.transpose(coefficients) / scale)


def divmod_(a, b):
    """``divmod(a, b)`` and ``np.divmod(a, b)``: the floored quotient and the remainder."""
    return a // b, a % b


def math_prod(iterable, *, start=1):
    """``math.prod(iterable, start=start)``: the product of the items, from the left."""
    result = start
    for item in iterable:
        result = result * item
    return result


def math_fsum(iterable):
    """``math.fsum(iterable)``: the sum of the items (the library function rounds once; its
    derivative is the sum's)."""
    result = 0.0
    for item in iterable:
        result = result + item
    return result


def math_dist(p, q):
    """``math.dist(p, q)``: the Euclidean distance of two points given as sequences."""
    return np.linalg.norm(np.asarray(p, dtype=float) - np.asarray(q, dtype=float))


DEFINITIONS = {
    'astype': astype, 'polyval': polyval, 'trapezoid': trapezoid, 'trapz': trapezoid,
    'ediff1d': ediff1d, 'convolve': convolve, 'correlate': correlate, 'vecdot': vecdot,
    'matvec': matvec, 'vecmat': vecmat, 'matrix_transpose': matrix_transpose,
    'cumulative_sum': cumulative_sum, 'cumulative_prod': cumulative_prod,
    'nancumsum': nancumsum, 'nancumprod': nancumprod, 'median': median,
    'percentile': percentile, 'quantile': quantile, 'interp': interp, 'heaviside': heaviside,
    'ldexp': ldexp, 'frexp': frexp, 'cov': cov, 'corrcoef': corrcoef, 'vander': vander,
    'ascontiguousarray': ascontiguousarray, 'asfortranarray': asfortranarray, 'delete': delete,
    'diagflat': diagflat, 'polyfit': polyfit, 'block': assembled, 'compress': compress,
    'extract': extract, 'modf': modf,
}
"""Functions of the ``numpy`` namespace -> their definitions (those the NumPy has)."""

LINALG_DEFINITIONS = {
    'multi_dot': multi_dot, 'vecdot': vecdot, 'matrix_transpose': matrix_transpose,
    'outer': linalg_outer, 'trace': linalg_trace, 'diagonal': linalg_diagonal,
    'cross': linalg_cross, 'tensordot': linalg_tensordot, 'matmul': linalg_matmul,
    'matrix_norm': matrix_norm, 'vector_norm': vector_norm, 'svdvals': svdvals,
    'lstsq': lstsq, 'cond': cond, 'tensorinv': tensorinv, 'tensorsolve': tensorsolve,
}
"""Functions of ``numpy.linalg`` -> their definitions (those the NumPy has)."""

UFUNC_METHODS = {
    (np.add, 'reduce'): add_reduce, (np.multiply, 'reduce'): multiply_reduce,
    (np.maximum, 'reduce'): maximum_reduce, (np.minimum, 'reduce'): minimum_reduce,
    (np.logaddexp, 'reduce'): logaddexp_reduce, (np.add, 'accumulate'): add_accumulate,
    (np.multiply, 'accumulate'): multiply_accumulate, (np.add, 'outer'): add_outer,
    (np.subtract, 'outer'): subtract_outer, (np.multiply, 'outer'): multiply_outer,
    (np.divide, 'outer'): divide_outer, (np.maximum, 'accumulate'): maximum_accumulate,
    (np.minimum, 'accumulate'): minimum_accumulate,
}
"""Methods of NumPy's ufuncs (``np.add.reduce``) -> their definitions."""

for _name, _definition in DEFINITIONS.items():
    if hasattr(np, _name):
        defined_by(getattr(np, _name), _definition)
for _name, _definition in LINALG_DEFINITIONS.items():
    if hasattr(np.linalg, _name):
        defined_by(getattr(np.linalg, _name), _definition)
for (_ufunc, _method), _definition in UFUNC_METHODS.items():
    defined_by(getattr(_ufunc, _method), _definition)
defined_by(np.fft.fftshift, fftshift)
defined_by(np.fft.ifftshift, ifftshift)
defined_by(math.prod, math_prod)
defined_by(builtins.divmod, divmod_)
defined_by(np.divmod, divmod_)
defined_by(math.dist, math_dist)
defined_by(math.fsum, math_fsum)

SCIPY_DEFINITIONS = {
    ('scipy.linalg', 'solve_triangular'): solve_triangular,
    ('scipy.stats', 'norm.logpdf'): norm_logpdf, ('scipy.stats', 'norm.pdf'): norm_pdf,
    ('scipy.stats', 'norm.cdf'): norm_cdf, ('scipy.stats', 'norm.logcdf'): norm_logcdf,
    ('scipy.stats', 'norm.sf'): norm_sf, ('scipy.stats', 'norm.logsf'): norm_logsf,
    ('scipy.stats', 'norm.ppf'): norm_ppf, ('scipy.stats', 'norm.isf'): norm_isf,
    ('scipy.stats', 't.logpdf'): t_logpdf, ('scipy.stats', 't.pdf'): t_pdf,
    ('scipy.stats', 'beta.logpdf'): beta_logpdf, ('scipy.stats', 'beta.pdf'): beta_pdf,
    ('scipy.stats', 'gamma.logpdf'): gamma_logpdf, ('scipy.stats', 'gamma.pdf'): gamma_pdf,
    ('scipy.stats', 'chi2.logpdf'): chi2_logpdf, ('scipy.stats', 'chi2.pdf'): chi2_pdf,
    ('scipy.stats', 'expon.logpdf'): expon_logpdf, ('scipy.stats', 'expon.pdf'): expon_pdf,
    ('scipy.stats', 'laplace.logpdf'): laplace_logpdf,
    ('scipy.stats', 'laplace.pdf'): laplace_pdf,
    ('scipy.stats', 'cauchy.logpdf'): cauchy_logpdf, ('scipy.stats', 'cauchy.pdf'): cauchy_pdf,
    ('scipy.stats', 'logistic.logpdf'): logistic_logpdf,
    ('scipy.stats', 'logistic.pdf'): logistic_pdf,
    ('scipy.stats', 'poisson.logpmf'): poisson_logpmf,
    ('scipy.stats', 'poisson.pmf'): poisson_pmf,
    ('scipy.stats', 'multivariate_normal.logpdf'): multivariate_normal_logpdf,
    ('scipy.stats', 'multivariate_normal.pdf'): multivariate_normal_pdf,
    ('scipy.stats', 'dirichlet.logpdf'): dirichlet_logpdf,
}
"""``(module, path)`` of SciPy -> their definitions, registered once the module is imported."""

if scipy is not None:
    for (_module, _path), _definition in SCIPY_DEFINITIONS.items():
        defined_by_name(_module, _path, _definition)
