"""numba implementations of the helpers that derivative rules define (``s2s.mT``, ...).

`s2sgrad.numba_runtime` imports this module: each implementation registers, like theirs, an
overload of the rule module's helper for the types it takes (arrays of a fixed number of
dimensions, numbers, an axis that is an int or None) and gives numba no implementation for
the others, which the compiled path reports as `CompileError`. Each computes what the
Python helper computes (`tests/test_numba.py` compares them), for NumPy arrays only: the
checks for dask arrays that the Python helpers make have nothing to check here.
"""
import numba
import numpy as np
from numba.core import types
from numba.np.numpy_support import as_dtype

from . import runtime
from .errors import NoRuleError
from .numba_runtime import _absent, _around, _array, _kernel, _number, _template
from .numba_runtime import _axis as _axis_at


def _helper(name):
    """The Python helper ``s2s.<name>`` (called from the implementations below)."""
    return runtime.__getattr__(name)


def _float_of(t):
    """The NumPy float dtype of the numba number or array type `t` (float64 unless it is
    a float)."""
    dtype = t.dtype if _array(t) else t
    return as_dtype(dtype) if isinstance(dtype, types.Float) else np.dtype(np.float64)


def _axis(t):
    """Whether `t` types an axis the kernels below take: an int, or None (also left out
    where the helper's default is an int: ``s2s.unsort(g, a)``, whose axis is -1)."""
    return _absent(t) or isinstance(t, types.Integer) or \
        isinstance(t, int) and not isinstance(t, bool) or \
        isinstance(t, types.Omitted) and isinstance(t.value, int)


# -- matrices: transposes, triangles, columns -----------------------------------------------

_mT = _helper('mT')


@_template('mT')
def _mT_impl(x):
    if _array(x) and x.ndim == 2:
        return lambda x: x.T
    if _array(x) and x.ndim > 2:
        axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
        return lambda x: np.transpose(x, axes)
    return None


@_template('mT_if')
def _mT_if(x, flag):
    if _array(x) and x.ndim >= 2:
        return lambda x, flag: _mT(x) if flag else x
    return None


@_template('eye_like')
def _eye_like(w):
    if _array(w) and w.ndim >= 1:
        return lambda w: np.eye(w.shape[-1])
    return None


@_template('phi')
def _phi(x):
    if _array(x) and x.ndim >= 2:
        def impl(x):
            size = x.shape[-1]
            return x * (np.tri(size) - np.eye(size) / 2)
        return impl
    return None


@_template('cholesky_uplo')
def _cholesky_uplo(upper, a=None):
    return lambda upper, a=None: 'U' if upper else 'L'


@_kernel
def _triangle_masks(size, uplo):
    """The masks of the triangle `uplo` of a `size` square matrix: with and without the
    diagonal."""
    full, strict = np.tri(size) != 0, np.tri(size, size, -1) != 0
    if uplo == 'U':
        return full.T.copy(), strict.T.copy()
    if uplo != 'L':
        raise ValueError("UPLO must be 'L' or 'U'")
    return full, strict


def _triangle(fold):
    """The implementation of `_to_triangle` (`fold`) or of `_from_triangle` for matrices."""
    def typer(x, uplo):
        if _absent(uplo):
            return lambda x, uplo: x
        text = isinstance(uplo, (types.UnicodeType, types.StringLiteral))
        if not (_array(x) and x.ndim == 2 and text):
            return None
        if fold:
            def impl(x, uplo):
                full, strict = _triangle_masks(x.shape[-1], uplo)
                return np.where(full, x, 0.0) + np.where(strict, x.T, 0.0)
            return impl

        def spread(x, uplo):
            full, strict = _triangle_masks(x.shape[-1], uplo)
            return np.where(full, x, 0.0) + np.where(strict, x, 0.0).T
        return spread
    return typer


_template('to_triangle')(_triangle(True))
_template('from_triangle')(_triangle(False))


@_template('not_lazy')
def _not_lazy(x, what):
    return lambda x, what: None  # (NumPy arrays: nothing to refuse)


@_template('as_column')
def _as_column(x, b):
    if _array(x) and (_array(b) and b.ndim == 1):
        return lambda x, b: np.expand_dims(x, -1)
    if _array(x) and (_array(b) and b.ndim != 1 or _number(b)):
        return lambda x, b: x
    return None


@_template('from_column')
def _from_column(x, b):
    if _array(x) and x.ndim >= 1 and _array(b) and b.ndim == 1:
        return lambda x, b: x[..., 0]
    if _array(x) and (_array(b) and b.ndim != 1 or _number(b)):
        return lambda x, b: x
    return None


# -- checks of what a rule covers -------------------------------------------------------------

@_template('refuse')
def _refuse(what):
    if isinstance(what, types.StringLiteral):  # (generated code passes a literal)
        message = f's2sgrad differentiates {what.literal_value}'

        def impl(what):
            raise NoRuleError(message)
        return impl
    return None


@_template('nan_unless_positive')
def _nan_unless_positive(scale):
    # (SciPy's distributions are nan where the scale is not positive)
    if _number(scale):
        return lambda scale: 1.0 if scale > 0 else np.nan
    if _array(scale):
        return lambda scale: np.where(scale > 0, 1.0, np.nan)
    return None


@numba.njit(cache=False)
def _normal_density_at(x, order):
    if np.isinf(x):
        return 0.0
    value = np.exp(-x * x / 2) / np.sqrt(2 * np.pi)
    if order == 0:
        return value
    previous, current = 1.0, x
    for k in range(1, order):  # He(k + 1, x) = x He(k, x) - k He(k - 1, x)
        previous, current = current, x * current - k * previous
    return (-1.0) ** order * current * value


@_template('normal_density')
def _normal_density(x, order=0):
    if _number(x):
        return lambda x, order=0: _normal_density_at(float(x), order)
    if _array(x):
        def impl(x, order=0):
            flat = np.ascontiguousarray(x).ravel()
            out = np.empty(flat.size)
            for i in range(flat.size):
                out[i] = _normal_density_at(float(flat[i]), order)
            return out.reshape(x.shape)
        return impl
    return None


@_template('plain_logsumexp')
def _plain_logsumexp(g, return_sign=False):
    message = ('s2sgrad differentiates scipy.special.logsumexp(a, axis, b=..., keepdims=...) '
               'but not with return_sign=True')

    def impl(g, return_sign=False):
        if return_sign:
            raise NoRuleError(message)
        return g
    return impl


@_template('keep_if_float')
def _keep_if_float(g, result):
    dtype = result.dtype if _array(result) else result
    if isinstance(dtype, (types.Float, types.Complex)):
        return lambda g, result: g
    if isinstance(dtype, (types.Integer, types.Boolean)):
        return lambda g, result: 0 * g
    return None


# -- elementwise ------------------------------------------------------------------------------

@_template('xdivy')
def _xdivy(x, y):
    if _number(x) and _number(y):
        def scalar(x, y):
            if x == 0:
                return 0.0 * x
            return x / y  # (y == 0: ZeroDivisionError, as Python's)
        return scalar
    if _array(x) and (_array(y) or _number(y)):
        def impl(x, y):
            zero = x == 0
            return np.where(zero, 0.0, x / np.where(zero, 1.0, y))
        return impl
    return None


@_template('norm_power')
def _norm_power(x, ord, axis):
    # (the 2-norm's p, of ``np.linalg.norm(v)`` and ``norm(A, axis=0)``; other orders are
    # left to the plain path)
    if ord is None or isinstance(ord, (types.NoneType, types.Omitted)):
        return lambda x, ord, axis: 2
    return None


@_template('tie_share')
def _tie_share(x, y, skip_nan=False):
    if _number(x) and _number(y):
        def scalar(x, y, skip_nan=False):
            if skip_nan and np.isnan(y):
                return 1.0
            return 1.0 if x > y else 0.5 if x == y else 0.0
        return scalar
    if _array(x) or _array(y):
        def impl(x, y, skip_nan=False):
            share = (x > y) + 0.5 * (x == y)
            if skip_nan:
                return np.where(np.isnan(y), 1.0, share)
            return share
        return impl
    return None


def _clip(kind):
    """The implementation of clip_passes, clip_lower or clip_upper (`kind`) for arrays and
    the bounds given as ``a_min``, ``a_max`` (numbers, arrays or None). Float arrays only:
    numba's np.clip of an integer array keeps its dtype where NumPy's gives floats, so the
    value the masks describe would not be NumPy's."""
    def typer(a, a_min=None, a_max=None, min=None, max=None):
        if not (_array(a) and isinstance(a.dtype, types.Float) and _absent(min) and
                _absent(max)):
            return None
        lo, hi = not _absent(a_min), not _absent(a_max)
        if kind == 'passes':
            if lo and hi:
                return lambda a, a_min=None, a_max=None, min=None, max=None: \
                    np.logical_and(a >= a_min, np.maximum(a, a_min) <= a_max)
            if lo:
                return lambda a, a_min=None, a_max=None, min=None, max=None: a >= a_min
            if hi:
                return lambda a, a_min=None, a_max=None, min=None, max=None: a <= a_max
            return lambda a, a_min=None, a_max=None, min=None, max=None: \
                np.ones(a.shape, np.bool_)
        if kind == 'lower':
            if lo and hi:
                return lambda a, a_min=None, a_max=None, min=None, max=None: \
                    np.logical_and(a < a_min, np.maximum(a, a_min) <= a_max)
            if lo:
                return lambda a, a_min=None, a_max=None, min=None, max=None: a < a_min
            return lambda a, a_min=None, a_max=None, min=None, max=None: \
                np.zeros(a.shape, np.bool_)
        if lo and hi:
            return lambda a, a_min=None, a_max=None, min=None, max=None: \
                np.maximum(a, a_min) > a_max
        if hi:
            return lambda a, a_min=None, a_max=None, min=None, max=None: a > a_max
        return lambda a, a_min=None, a_max=None, min=None, max=None: \
            np.zeros(a.shape, np.bool_)
    return typer


for _kind in ('passes', 'lower', 'upper'):
    _template('clip_' + _kind)(_clip(_kind))


# -- along one axis: the array as (outer, axis, inner), contiguous ----------------------------

@numba.njit
def _split_shape(shape, axis):
    """``(outer, length, inner)``: the sizes before, of and after `axis` (an int, negative
    counting from the end) of an array of `shape` (`numba_runtime._around`)."""
    return _around(shape, _axis_at(axis, len(shape)))


def _along(name, kernel):
    """The implementation of a helper ``name(g, a, axis)`` that computes `kernel` (of a 3-d
    array, along its middle axis, into a fresh array of that shape) on `g` (of the shape of
    `a`) flattened when axis is None, and along `axis` otherwise."""
    def typer(g, a, axis=None):
        if not (_array(g) and _array(a) and _axis(axis)) or \
                not _absent(axis) and g.ndim != a.ndim:
            return None
        dtype = _float_of(g)
        if _absent(axis):
            def flat(g, a, axis=None):
                cube = np.ascontiguousarray(g).reshape((1, g.size, 1))
                return kernel(cube, np.empty(cube.shape, dtype), a).reshape(a.shape)
            return flat

        def impl(g, a, axis=None):
            cube = np.ascontiguousarray(g).reshape(_split_shape(g.shape, axis))
            return kernel(cube, np.empty(cube.shape, dtype), a).reshape(a.shape)
        return impl
    return _template(name)(typer)


@_kernel
def _reverse_cumsum(g, out, a):
    """The reversed cumulative sum of `g` along its middle axis, into `out`."""
    outer, length, inner = g.shape
    for o in range(outer):
        for i in range(inner):
            total = 0.0
            for k in range(length - 1, -1, -1):
                total += g[o, k, i]
                out[o, k, i] = total
    return out


_along('uncumsum', _reverse_cumsum)


@_kernel
def _exclusive_products(a, out, unused):
    """For each element of `a`, the product of the others of its slice along the middle
    axis (prefix times suffix products: exact with zeros), into `out`."""
    outer, length, inner = a.shape
    for o in range(outer):
        for i in range(inner):
            running = 1.0
            for k in range(length):
                out[o, k, i] = running
                running *= a[o, k, i]
            running = 1.0
            for k in range(length - 1, -1, -1):
                out[o, k, i] *= running
                running *= a[o, k, i]
    return out


@_template('prod_others')
def _prod_others(a, axis=None):
    if _number(a):
        return lambda a, axis=None: 1.0 + 0 * a
    if not (_array(a) and _axis(axis)):
        return None
    dtype = _float_of(a)
    if a.ndim == 0:
        return lambda a, axis=None: np.ones(a.shape, dtype)
    if _absent(axis):
        def flat(a, axis=None):
            cube = np.ascontiguousarray(a).reshape((1, a.size, 1))
            return _exclusive_products(cube, np.empty(cube.shape, dtype), a).reshape(a.shape)
        return flat

    def impl(a, axis=None):
        cube = np.ascontiguousarray(a).reshape(_split_shape(a.shape, axis))
        return _exclusive_products(cube, np.empty(cube.shape, dtype), a).reshape(a.shape)
    return impl


@_kernel
def _scatter_sorted(g, out, a):
    """`g` (of the sorted slices along the middle axis) put back where the stable sort of
    `a`'s slices took each element from, into `out`."""
    outer, length, inner = g.shape
    for o in range(outer):
        for i in range(inner):
            order = np.argsort(a[o, :, i], kind='mergesort')
            for k in range(length):
                out[o, order[k], i] = g[o, k, i]
    return out


@_template('unsort')
def _unsort(g, a, axis=-1, kind=None, stable=None):
    if not (_array(g) and _array(a) and _axis(axis) and _absent(kind) and _absent(stable)):
        return None
    dtype = _float_of(g)
    if _absent(axis):
        if g.ndim != 1:
            return None

        def flat(g, a, axis=-1, kind=None, stable=None):
            cube = g.reshape((1, g.size, 1))
            keys = np.ascontiguousarray(a).reshape((1, a.size, 1))
            return _scatter_sorted(cube, np.empty(cube.shape, dtype), keys).reshape(a.shape)
        return flat
    if g.ndim != a.ndim:
        return None

    def impl(g, a, axis=-1, kind=None, stable=None):
        split = _split_shape(a.shape, axis)
        cube = np.ascontiguousarray(g).reshape(split)
        keys = np.ascontiguousarray(a).reshape(split)
        return _scatter_sorted(cube, np.empty(cube.shape, dtype), keys).reshape(a.shape)
    return impl


# -- reductions and diagonals -----------------------------------------------------------------

@_template('dof')
def _dof(a, axis=None, ddof=0, correction=None, where=None):
    if not (_array(a) and _absent(where) and _axis(axis)):
        return None
    if _absent(axis):
        if _absent(correction):
            return lambda a, axis=None, ddof=0, correction=None, where=None: a.size - ddof
        return lambda a, axis=None, ddof=0, correction=None, where=None: a.size - correction
    if _absent(correction):
        return lambda a, axis=None, ddof=0, correction=None, where=None: \
            _split_shape(a.shape, axis)[1] - ddof
    return lambda a, axis=None, ddof=0, correction=None, where=None: \
        _split_shape(a.shape, axis)[1] - correction


@_template('centered')
def _centered(a, axis=None, center=None):
    if not (_array(a) and _axis(axis)):
        return None
    if not _absent(center):
        return lambda a, axis=None, center=None: a - center
    from .numba_runtime import reduce_mean

    def impl(a, axis=None, center=None):  # (centred twice: see the Python helper)
        deviations = a - reduce_mean(a, axis, True)
        return deviations - reduce_mean(deviations, axis, True)
    return impl


@_template('centering')
def _centering(center):
    if _absent(center):
        return lambda center: None
    return lambda center: 0.0


@_template('untrace')
def _untrace(g, a, offset=0, axis1=0, axis2=1):
    if not (_array(a) and a.ndim == 2 and (_number(g) or _array(g) and g.ndim == 0)):
        return None
    dtype = _float_of(g)

    def impl(g, a, offset=0, axis1=0, axis2=1):
        out = np.zeros(a.shape, dtype)
        first, second = axis1 % 2, axis2 % 2
        if first == second:
            raise ValueError('axis1 and axis2 cannot be the same')
        for r in range(a.shape[first]):
            c = r + offset
            if 0 <= c < a.shape[second]:
                if first == 0:
                    out[r, c] = g
                else:
                    out[c, r] = g
        return out
    return impl


@_template('undiag')
def _undiag(g, v, k=0):
    if not (_array(g) and _array(v) and isinstance(k, (types.Integer, types.Omitted, int))):
        return None
    if v.ndim == 1 and g.ndim == 2:
        def diagonal(g, v, k=0):
            size = v.shape[0]  # (the diagonal's length)
            out = np.empty(size, g.dtype)
            for i in range(size):
                out[i] = g[i + max(-k, 0), i + max(k, 0)]
            return out
        return diagonal
    if v.ndim == 2 and g.ndim == 1:
        dtype = _float_of(g)

        def spread(g, v, k=0):
            out = np.zeros(v.shape, dtype)
            for i in range(g.shape[0]):
                out[i + max(-k, 0), i + max(k, 0)] = g[i]
            return out
        return spread
    return None


@_template('prod_factor')
def _prod_factor(initial=None, where=None):
    if not _absent(where):
        return None
    if _absent(initial):
        return lambda initial=None, where=None: 1.0
    if _number(initial):
        return lambda initial=None, where=None: initial
    return None


@_template('plain')
def _plain(g, where=None, initial=None, what='this reduction'):
    if _absent(where) and _absent(initial):
        return lambda g, where=None, initial=None, what='this reduction': g
    return None
