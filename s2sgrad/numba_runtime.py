"""numba implementations of the runtime helpers that generated code calls (``s2s.<name>``).

Importing this module imports numba and registers, with ``numba.extending.overload``, a
nopython implementation of each helper in `IMPLEMENTED` for numbers and NumPy arrays: the
compiled path (`s2sgrad.numba_path`) calls the helpers by the same names, and numba picks
these implementations while it compiles. A helper called with types its implementation
does not take (a list, a dict, an array index) is a typing error, which the compiled path
reports as `CompileError`. Numbers are numba scalars (a Python float and an ``np.float64``
are the same type there); arrays of any dtype and number of dimensions.
"""
import functools

import numba
import numpy as np
from numba.core import types
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple

from . import runtime
from .errors import (ComplexError, InPlaceError, NoRuleError, NonScalarOutputError, ShapeError,
                     WrtError)
from .runtime_values import COMPLEX_ADVICE

IMPLEMENTED = {}
"""Helper name -> the helper function whose numba implementation this module registers."""


def _implements(*names):
    """Register the decorated typing function as the numba overload of the helpers `names`
    (the functions ``s2s.<name>`` resolves to)."""
    def register(typer):
        for name in names:
            helper = getattr(runtime, name)
            overload(helper, prefer_literal=False)(typer)
            IMPLEMENTED[name] = helper
        return typer
    return register


def _kernel(function):
    """`function` compiled by numba, cached on disk where numba finds a place for its cache
    (the kernels are the same in every process; generated code is never cached)."""
    try:
        return numba.njit(cache=True)(function)
    except RuntimeError:  # no writable cache location: compile in each process
        return numba.njit(function)


def _number(t):
    return isinstance(t, (types.Number, types.Boolean))


def _array(t):
    return isinstance(t, types.Array)


def _holds_nothing(t):
    """Whether a value of numba type `t` holds no array: None, text, an argument left out."""
    return isinstance(t, (types.NoneType, types.Omitted, types.UnicodeType, types.StringLiteral))


def _absent(t):
    """Whether an optional argument's type says it was left out or passed as None."""
    return t is None or isinstance(t, (types.NoneType, types.Omitted)) and \
        getattr(t, 'value', None) is None


def _float_dtype(t):
    """The dtype of the adjoint of an array of numba type `t`: its own when it is a float
    array, float64 otherwise (an integer array's adjoint is a float array)."""
    dtype = t.dtype
    return numba.np.numpy_support.as_dtype(dtype) if isinstance(dtype, types.Float) else \
        np.dtype(np.float64)


# -- kernels: sum an array to a shape it broadcasts to, spread one over a larger shape ------

@_kernel
def _padded(shape, ndim):
    """`shape` (an int64 array) with leading ones, to `ndim` entries."""
    out = np.ones(ndim, np.int64)
    for k in range(shape.shape[0]):
        out[ndim - shape.shape[0] + k] = shape[k]
    return out


@_kernel
def _broadcast(gshape, xshape):
    """The shape both int64 arrays broadcast to (padded alike); ValueError if none."""
    ndim = max(gshape.shape[0], xshape.shape[0])
    gp, xp = _padded(gshape, ndim), _padded(xshape, ndim)
    full = np.empty(ndim, np.int64)
    for k in range(ndim):
        if gp[k] == xp[k] or xp[k] == 1:
            full[k] = gp[k]
        elif gp[k] == 1:
            full[k] = xp[k]
        else:
            raise ValueError('unbroadcast: the adjoint and the value do not broadcast')
    return gp, xp, full


@_kernel
def _strides(shape, full):
    """Element strides of a C-ordered array of `shape` (padded to `full`'s length) when read
    broadcast to `full`: 0 along the axes where it has size 1."""
    ndim = full.shape[0]
    out = np.zeros(ndim, np.int64)
    step = 1
    for k in range(ndim - 1, -1, -1):
        if shape[k] != 1:
            out[k] = step
        step *= shape[k]
    return out


@_kernel
def _next(index, full, steps_a, steps_b, at):
    """Advance the multi-index `index` (over `full`, all but its last axis) by one, and the
    two flat offsets `at` (with element strides `steps_a`, `steps_b`) with it; False when
    it wraps around (an odometer: no division per element)."""
    k = full.shape[0] - 2
    while k >= 0:
        index[k] += 1
        at[0] += steps_a[k]
        at[1] += steps_b[k]
        if index[k] < full[k]:
            return True
        at[0] -= steps_a[k] * full[k]
        at[1] -= steps_b[k] * full[k]
        index[k] = 0
        k -= 1
    return False


@_kernel
def _sum_into(gflat, gp, xp, full, out):
    """Add every element of the broadcast of `gflat` (shape `gp`) to `full` into `out`
    (shape `xp`, flat) at the element of `xp` it broadcasts from."""
    ndim = full.shape[0]
    for k in range(ndim):
        if full[k] == 0:
            return
    if ndim == 0:
        out[0] += gflat[0]
        return
    gs, xs = _strides(gp, full), _strides(xp, full)
    last = full[ndim - 1]
    gl, xl = gs[ndim - 1], xs[ndim - 1]
    index = np.zeros(ndim, np.int64)
    at = np.zeros(2, np.int64)
    more = True
    while more:
        gi, xi = at[0], at[1]
        if xl == 0:  # (summed along the last axis: a running total)
            total = out[xi]
            for j in range(last):
                total += gflat[gi + j * gl]
            out[xi] = total
        else:
            for j in range(last):
                out[xi + j * xl] += gflat[gi + j * gl]
        more = _next(index, full, gs, xs, at)


@_kernel
def _spread_into(gflat, gp, xp, out):
    """Write into `out` (shape `xp`, flat) the broadcast of `gflat` (shape `gp`, each size
    1 or that of `xp`)."""
    ndim = xp.shape[0]
    for k in range(ndim):
        if gp[k] != 1 and gp[k] != xp[k]:
            raise ValueError('unreduce: the adjoint does not broadcast to the value')
    for k in range(ndim):
        if xp[k] == 0:
            return
    if ndim == 0:
        out[0] = gflat[0]
        return
    gs, xs = _strides(gp, xp), _strides(xp, xp)
    last = xp[ndim - 1]
    gl = gs[ndim - 1]
    index = np.zeros(ndim, np.int64)
    at = np.zeros(2, np.int64)
    more = True
    while more:
        gi, xi = at[0], at[1]
        for j in range(last):
            out[xi + j] = gflat[gi + j * gl]
        more = _next(index, xp, gs, xs, at)


def _shape_array(shape):
    pass


@overload(_shape_array)
def _shape_array_impl(shape):
    if isinstance(shape, types.BaseTuple) and len(shape) == 0:
        return lambda shape: np.empty(0, np.int64)

    def impl(shape):
        out = np.empty(len(shape), np.int64)
        for k in range(len(shape)):
            out[k] = shape[k]
        return out
    return impl


# -- values: zeros, copies, types of gradients --------------------------------------------

@_implements('stored')
def _stored(g, into):
    if _array(into) and isinstance(into.dtype, (types.Integer, types.Boolean)):
        return lambda g, into: runtime.zeros_like(g)
    if _array(into) or _number(into):
        return lambda g, into: g
    return None


@_implements('zeros_like')
def _zeros_like(x):
    if _number(x):
        return lambda x: 0.0
    if _array(x):
        dtype = _float_dtype(x)
        return lambda x: np.zeros(x.shape, dtype)
    if isinstance(x, types.List):  # (a list of zeros, one per item)
        return lambda x: [runtime.zeros_like(item) for item in x]
    if isinstance(x, types.BaseTuple):
        return _per_item('runtime.zeros_like(x[{k}])', len(x), 'x')
    return None


def _per_item(expr, count, params):
    """A function of `params` that returns the tuple of `expr` (a string with ``{k}``, or a
    function of k giving one) for k in ``range(count)`` (numba has no tuple of a generator)."""
    items = ''.join((expr(k) if callable(expr) else expr.format(k=k)) + ', '
                    for k in range(count))
    space = {'runtime': runtime, 'np': np}
    exec(f'def impl({params}):\n    return ({items})\n', space)
    return space['impl']


@_implements('meta')
def _meta(x):
    if _number(x) or _array(x) or isinstance(x, (types.NoneType, types.Optional, types.List,
                                                 types.BaseTuple)):
        return lambda x: x  # (a saved value is kept as it is: numba has no stand-ins)
    return None


@_implements('copy')
def _copy(x):
    if _number(x):
        return lambda x: x
    if _array(x):
        return lambda x: x.copy()
    if isinstance(x, types.List):  # (a new list of the same items, as list(x))
        return lambda x: [item for item in x]
    return None


@_implements('own')
def _own(g):
    if _number(g):
        return lambda g: g
    if _array(g):
        return lambda g: g.copy()
    if isinstance(g, types.List):  # (each item copied too)
        return lambda g: [runtime.own(item) for item in g]
    if isinstance(g, types.BaseTuple):
        return _per_item('runtime.own(g[{k}])', len(g), 'g')
    return None


@_implements('add')
def _add(a, b):
    if _absent(a) and (_number(b) or _array(b) or _sequence(b)):
        return lambda a, b: b
    if _absent(b) and (_number(a) or _array(a) or _sequence(a)):
        return lambda a, b: a
    if (_number(a) or _array(a)) and (_number(b) or _array(b)):
        return lambda a, b: a + b
    if isinstance(a, types.List) and isinstance(b, types.List):
        def lists(a, b):  # item by item (as the helper)
            if len(a) != len(b):
                raise ShapeError('add: adjoints of lists of two lengths')
            return [runtime.add(a[i], b[i]) for i in range(len(a))]
        return lists
    if isinstance(a, types.List) and _array(b) or _array(a) and isinstance(b, types.List):
        def rows(a, b):  # (an array standing for a list: one row per item)
            if len(a) != len(b):
                raise ShapeError('add: the adjoint of a list and an array of another length')
            return [runtime.add(a[i], b[i]) for i in range(len(a))]
        return rows
    if isinstance(a, types.BaseTuple) and isinstance(b, types.BaseTuple) and len(a) == len(b):
        return _per_item('runtime.add(a[{k}], b[{k}])', len(a), 'a, b')
    if _number(a) and _sequence(b):  # a zero for a list: the list (as the helper)
        def zero(a, b):
            if a != 0:
                raise ShapeError('add: a number other than 0 added to a list')
            return b
        return zero
    if _sequence(a) and _number(b):
        def zero_b(a, b):
            if b != 0:
                raise ShapeError('add: a number other than 0 added to a list')
            return a
        return zero_b
    return None


@_implements('broadcast_like')
def _broadcast_like(g, x):
    if _number(x) and _number(g):
        return lambda g, x: g
    if _array(x) and _number(g):
        return lambda g, x: np.full(x.shape, g)
    if _array(x) and _array(g):
        return lambda g, x: g * np.ones(x.shape, x.dtype)  # (numba broadcasts; as the helper)
    return None


@_implements('like')
def _like(g, x):
    if _number(x):
        if _number(g):
            return lambda g, x: float(g)
        if _array(g):
            def from_array(g, x):
                if g.size != 1:
                    raise ShapeError('the gradient of a number came out as an array')
                return float(g.ravel()[0])
            return from_array
        return None
    if _array(x):
        dtype = _float_dtype(x)
        if _number(g):
            return lambda g, x: np.full(x.shape, g, dtype)
        if _array(g):
            if g.dtype == x.dtype and isinstance(x.dtype, types.Float) or \
                    isinstance(g.dtype, types.Float) and not isinstance(x.dtype, types.Float):
                return lambda g, x: g
            return lambda g, x: g.astype(dtype)  # (integers or booleans as floats too)
    if isinstance(x, types.List) and isinstance(g, types.List):
        def in_list(g, x):
            if len(g) != len(x):
                raise ShapeError('the gradient of a list came out with another length')
            return [runtime.like(g[k], x[k]) for k in range(len(x))]
        return in_list
    if isinstance(x, types.BaseTuple) and isinstance(g, types.BaseTuple) and \
            len(g) == len(x) and not isinstance(x, (types.NamedTuple, types.NamedUniTuple)):
        return _per_item('runtime.like(g[{k}], x[{k}])', len(x), 'g, x')
    return None


@_implements('reshape_like')
def _reshape_like(g, x, order='C'):
    if isinstance(order, types.StringLiteral) and order.literal_value != 'C' or \
            isinstance(order, types.UnicodeType) and not isinstance(order, types.StringLiteral):
        return None
    if _number(x):
        if _number(g):
            return lambda g, x, order='C': g
        if _array(g):
            def one(g, x, order='C'):
                if g.size != 1:
                    raise ShapeError('reshape_like: an array of size other than 1 for a number')
                return g.ravel()[0]
            return one
    if _array(x) and _array(g):
        return lambda g, x, order='C': np.ascontiguousarray(g).reshape(x.shape)
    if _array(x) and _number(g):
        def fill(g, x, order='C'):
            if x.size != 1:
                raise ShapeError('reshape_like: a number for an array of size other than 1')
            return np.full(x.shape, g)
        return fill
    return None


# -- broadcasting and reductions ----------------------------------------------------------

@_implements('unbroadcast')
def _unbroadcast(g, x):
    if _number(x):
        if _number(g):
            return lambda g, x: g
        if _array(g):
            return lambda g, x: g.sum()
        return None
    if not _array(x):
        return None
    dtype = _float_dtype(x)
    if _number(g):
        return lambda g, x: np.full(x.shape, g, dtype)
    if not _array(g):
        return None
    # (an adjoint of integers or booleans, a mask that simplification left, sums as floats)
    same = g.dtype == x.dtype and isinstance(x.dtype, types.Float) or \
        isinstance(g.dtype, types.Float) and not isinstance(x.dtype, types.Float)
    if g.ndim == x.ndim:
        if same:
            def impl(g, x):
                if g.shape == x.shape:
                    return g
                return _sum_to(g, x, np.zeros(x.size, dtype)).astype(g.dtype)
            return impl

        def cast(g, x):
            if g.shape == x.shape:
                return g.astype(dtype)
            return _sum_to(g, x, np.zeros(x.size, dtype))
        return cast
    if same:
        return lambda g, x: _sum_to(g, x, np.zeros(x.size, dtype)).astype(g.dtype)
    return lambda g, x: _sum_to(g, x, np.zeros(x.size, dtype))


@_kernel
def _sum_to(g, x, out):
    """`g` summed to the shape of `x` into `out` (zeros, flat, of x's size), reshaped."""
    gp, xp, full = _broadcast(_shape_array(g.shape), _shape_array(x.shape))
    lead = 0  # the leading axes that x lacks or has as size 1, where g is full
    while lead < full.shape[0] and xp[lead] == 1 and gp[lead] == full[lead]:
        lead += 1
    rest = True  # the other axes: x and g both full
    for k in range(lead, full.shape[0]):
        rest = rest and xp[k] == full[k] and gp[k] == full[k]
    flat = np.ascontiguousarray(g).ravel()
    if rest and x.size > 0:  # summing over the leading axes: rows of x's size
        rows = flat.reshape((flat.size // x.size, x.size))
        for i in range(rows.shape[0]):
            out += rows[i]
    else:
        _sum_into(flat, gp, xp, full, out)
    return out.reshape(x.shape)


def _reduced_shape(gshape, xshape, axis, keepdims):
    pass


@overload(_reduced_shape)
def _reduced_shape_impl(gshape, xshape, axis, keepdims):
    """The shape of the adjoint `g` of a reduction over `axis` with the reduced axes put
    back as ones (an int64 array as long as `xshape`)."""
    if _absent(axis):
        def whole(gshape, xshape, axis, keepdims):
            return _padded(gshape, xshape.shape[0])
        return whole
    if isinstance(axis, types.Integer):
        def one(gshape, xshape, axis, keepdims):
            if keepdims:
                return _padded(gshape, xshape.shape[0])
            ndim = xshape.shape[0]
            a = axis % ndim
            out = np.ones(ndim, np.int64)
            j = 0
            for k in range(ndim):
                if k != a:
                    out[k] = gshape[j]
                    j += 1
            return out
        return one
    if isinstance(axis, types.UniTuple) and isinstance(axis.dtype, types.Integer):
        def several(gshape, xshape, axis, keepdims):
            if keepdims:
                return _padded(gshape, xshape.shape[0])
            ndim = xshape.shape[0]
            reduced = np.zeros(ndim, np.bool_)
            for a in axis:
                reduced[a % ndim] = True
            out = np.ones(ndim, np.int64)
            j = 0
            for k in range(ndim):
                if not reduced[k]:
                    out[k] = gshape[j]
                    j += 1
            return out
        return several
    return None


@_implements('unreduce')
def _unreduce(g, x, axis=None, keepdims=False):
    if _number(x):
        return lambda g, x, axis=None, keepdims=False: g
    if not _array(x):
        return None
    dtype = _float_dtype(x)
    if _number(g):
        return lambda g, x, axis=None, keepdims=False: np.full(x.shape, g, dtype)
    if not _array(g):
        return None

    def impl(g, x, axis=None, keepdims=False):
        xp = _shape_array(x.shape)
        gp = _reduced_shape(_shape_array(g.shape), xp, axis, keepdims)
        out = np.empty(x.size, dtype)
        _spread_into(np.ascontiguousarray(g).ravel(), gp, xp, out)
        return out.reshape(x.shape)
    if g.ndim == x.ndim and (_flag(keepdims) is True or _absent(axis)):
        def same_ndim(g, x, axis=None, keepdims=False):  # keepdims: numba broadcasts
            return np.zeros(x.shape, dtype) + g
        return same_ndim
    return impl


def _count(x, axis):
    pass


@overload(_count)
def _count_impl(x, axis):
    if _number(x):
        return lambda x, axis: 1
    if _absent(axis):
        return lambda x, axis: x.size
    if isinstance(axis, types.Integer):
        return lambda x, axis: x.shape[axis % x.ndim]
    if isinstance(axis, types.UniTuple):
        def several(x, axis):
            n = 1
            for a in axis:
                n *= x.shape[a % x.ndim]
            return n
        return several
    return None


@_implements('unmean')
def _unmean(g, x, axis=None, keepdims=False):
    def impl(g, x, axis=None, keepdims=False):
        return runtime.unreduce(g, x, axis, keepdims) / _count(x, axis)
    return impl


@_implements('count')
def _count_helper(x, axis=None):
    return lambda x, axis=None: _count(x, axis)


@_implements('unextremum')
def _unextremum(g, ans, x, axis=None, keepdims=False):
    if _number(x):
        return lambda g, ans, x, axis=None, keepdims=False: g
    if not _array(x) or _flag(keepdims) is None:
        return None

    def impl(g, ans, x, axis=None, keepdims=False):
        # the positions that attain the extremum share its adjoint
        mask = (x == runtime.unreduce(ans, x, axis, keepdims)) * 1.0
        counts = runtime.unreduce(reduce_sum(mask, axis, keepdims), x, axis, keepdims)
        return runtime.unreduce(g, x, axis, keepdims) * mask / counts
    if not (_absent(axis) or isinstance(axis, types.Integer)) or \
            not (_array(g) or _number(g)) or not (_array(ans) or _number(ans)):
        return impl
    dtype = _float_dtype(x)

    def blocked(g, ans, x, axis=None, keepdims=False):
        # (one pass to count the positions that attain each extremum, one to share g)
        if x.ndim == 0 or axis is None:
            xp = np.array([x.size], np.int64)
            a = 0
        else:
            xp = _shape_array(x.shape)
            a = _axis(axis, x.ndim)
        count = x.size // max(xp[a], 1)
        out = np.empty(x.size, dtype)
        _unextremum_into(_sized(_flat(g), count), _sized(_flat(ans), count),
                         np.ascontiguousarray(x).ravel(), xp, a, out)
        return out.reshape(x.shape)
    return blocked


@_kernel
def _sized(flat, count):
    """The flat adjoint or result of a reduction, `count` values (one value repeated)."""
    if flat.size == count:
        return flat
    if flat.size == 1:
        return np.full(count, flat[0])
    raise ValueError('the adjoint of a max or min is not shaped as its result: leave '
                     'compile= out for the plain gradient, which broadcasts it')


def _flat(v):
    pass


@overload(_flat)
def _flat_impl(v):
    """A number or an array as a flat array (in C order)."""
    if _number(v):
        return lambda v: np.full(1, v)
    return lambda v: np.ascontiguousarray(v).ravel()


@_kernel
def _unextremum_into(gflat, aflat, xflat, xp, axis, out):
    """Into `out` (flat, shaped as `xflat`, of shape `xp`): at each position equal to its
    extremum over `axis` (`aflat`), that extremum's adjoint (`gflat`) divided by how many
    positions attain it; 0 elsewhere (``g * mask / count`` as the helper computes it: nan
    where no position attains it, a nan extremum)."""
    outer, n, inner = _blocks(xp, axis)
    counts = np.zeros(outer * inner)
    for o in range(outer):
        for j in range(n):
            row = (o * n + j) * inner
            for i in range(inner):
                if xflat[row + i] == aflat[o * inner + i]:
                    counts[o * inner + i] += 1.0
    share = np.empty(outer * inner, out.dtype)  # g * 1 / count, and g * 0 / count
    rest = np.empty(outer * inner, out.dtype)
    for at in range(outer * inner):
        if counts[at] == 0.0:  # (no position attains it: 0 / 0, as the helper's)
            share[at] = rest[at] = np.nan
        else:
            share[at] = gflat[at] / counts[at]
            rest[at] = gflat[at] * 0.0 / counts[at]
    for o in range(outer):
        for j in range(n):
            row = (o * n + j) * inner
            for i in range(inner):
                at = o * inner + i
                out[row + i] = share[at] if xflat[row + i] == aflat[at] else rest[at]


@_implements('select')
def _select(condition, g):
    if _number(g) and _number(condition):  # (zero, not 0 * g: g may be inf or nan)
        return lambda condition, g: g if condition else 0.0
    if _array(g) or _array(condition):
        return lambda condition, g: np.where(condition, g, 0.0)
    return None


@_implements('weigh')
def _weigh(weight, g):
    if _number(g) and _number(weight):
        return lambda weight, g: g * weight if weight != 0 else 0.0
    if _array(g) or _array(weight):
        return lambda weight, g: np.where(weight != 0, g, 0.0) * weight
    return None


# -- products ------------------------------------------------------------------------------

def _contiguous(a):
    pass


@overload(_contiguous)
def _contiguous_impl(a):
    """`a` itself when its type says it is C- or F-contiguous (numba's BLAS calls take
    both), else a C-contiguous copy."""
    if _array(a) and a.layout in 'CF':
        return lambda a: a
    return lambda a: np.ascontiguousarray(a)


@_implements('matmul_lhs', 'dot_lhs')
def _matmul_lhs(g, a, b):
    if _number(a) or _number(b):
        return lambda g, a, b: runtime.unbroadcast(g * b, a)
    if not (_array(a) and _array(b)):
        return None
    if a.ndim == 2 and b.ndim == 2:
        return lambda g, a, b: matmul(_contiguous(g), b.T)
    if a.ndim == 1 and b.ndim == 2:
        return lambda g, a, b: matmul(b, _contiguous(g))
    if a.ndim == 2 and b.ndim == 1:
        return lambda g, a, b: outer(g, b)
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * b
    return None


@_implements('matmul_rhs', 'dot_rhs')
def _matmul_rhs(g, a, b):
    if _number(a) or _number(b):
        return lambda g, a, b: runtime.unbroadcast(g * a, b)
    if not (_array(a) and _array(b)):
        return None
    if a.ndim == 2 and b.ndim == 2:
        return lambda g, a, b: matmul(a.T, _contiguous(g))
    if a.ndim == 1 and b.ndim == 2:
        return lambda g, a, b: outer(a, g)
    if a.ndim == 2 and b.ndim == 1:
        return lambda g, a, b: matmul(_contiguous(g), a)
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * a
    return None


def _cross_vectors(g, a, b, axisa, axisb, axisc, axis):
    """Whether a cross product or its adjoint takes the compiled version: 1-d arrays, the
    vector axes those of 1-d arrays."""
    return all(_array(t) and t.ndim == 1 for t in (g, a, b)) and _absent(axis) and \
        all(_literal_int(t, -1) in (0, -1) for t in (axisa, axisb, axisc))


@_implements('cross')
def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if not _cross_vectors(a, a, b, axisa, axisb, axisc, axis):
        return None
    return lambda a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: _cross3(a, b, a, b)


@_implements('cross_lhs')
def _cross_lhs(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if not _cross_vectors(g, a, b, axisa, axisb, axisc, axis):
        return None
    return lambda g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: _cross3(b, g, a, b)


@_implements('cross_rhs')
def _cross_rhs(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if not _cross_vectors(g, a, b, axisa, axisb, axisc, axis):
        return None
    return lambda g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: _cross3(g, a, a, b)


@numba.njit
def _cross3(u, v, a, b):
    """``np.cross(u, v)`` of 3-vectors, once `a` and `b` (the operands of the cross product
    differentiated) are checked to be 3-vectors (`runtime._cross_axes`)."""
    if a.shape[0] != 3 or b.shape[0] != 3:
        raise NoRuleError('s2sgrad differentiates np.cross of 3-vectors only')
    return np.array([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                     u[0] * v[1] - u[1] * v[0]])


def _axes(axes):
    """The number of axes of a transpose's `axes` argument (a numba type) and whether it
    comes wrapped in a 1-tuple (``x.transpose((1, 0))``); (0, False) for none given; None
    for what the numba implementations do not take."""
    if _absent(axes) or isinstance(axes, types.BaseTuple) and len(axes) == 0:
        return 0, False
    if isinstance(axes, types.UniTuple) and isinstance(axes.dtype, types.Integer):
        return len(axes), False
    if isinstance(axes, types.UniTuple) and len(axes) == 1 and \
            isinstance(axes.dtype, types.UniTuple) and isinstance(axes.dtype.dtype,
                                                                  types.Integer):
        return len(axes.dtype), True
    if isinstance(axes, types.BaseTuple) and len(axes) == 1 and _absent(axes[0]):
        return 0, False
    return None


@_kernel
def _position(axes, k, ndim):
    """Where axis `k` went in the permutation `axes` (negative axes count from the end)."""
    for i in range(ndim):
        if axes[i] % ndim == k:
            return i
    raise ValueError('untranspose: the axes are not a permutation')


def _transposer(count, wrapped, inverse):
    """The numba implementation of ``np.transpose(g, axes)`` (or with the inverse of
    `axes`) for `count` axes."""
    if count == 0:
        return lambda g, axes=None: np.transpose(g)
    pick = 'axes[0]' if wrapped else 'axes'
    if inverse:
        items = ', '.join(f'_position({pick}, {k}, {count})' for k in range(count))
    else:
        items = ', '.join(f'{pick}[{k}]' for k in range(count))
    space = {'np': np, '_position': _position}
    exec(f'def impl(g, axes=None):\n    return np.transpose(g, ({items},))\n', space)
    return space['impl']


@_implements('untranspose')
def _untranspose(g, axes=None):
    shape = _axes(axes)
    if _number(g) and shape == (0, False):
        return lambda g, axes=None: g
    if not _array(g) or shape is None or shape[0] not in (0, g.ndim):
        return None
    return _transposer(shape[0], shape[1], True)


@_implements('retranspose')
def _retranspose(g, axes=None):
    shape = _axes(axes)
    if _number(g) and shape == (0, False):
        return lambda g, axes=None: g
    if not _array(g) or shape is None or shape[0] not in (0, g.ndim):
        return None
    return _transposer(shape[0], shape[1], False)


# -- reductions over an axis (numba's np.sum takes no keepdims, its np.mean no axis) ------

def _flag(t):
    """The value of a boolean argument known when compiling (True, False), or None."""
    if t is None or t is False or isinstance(t, types.Omitted):
        return False
    if t is True:
        return True
    if isinstance(t, types.BooleanLiteral):
        return t.literal_value
    if isinstance(t, (types.IntegerLiteral,)):
        return bool(t.literal_value)
    return None


def reduce_sum(x, axis=None, keepdims=False):
    """``np.sum(x, axis, keepdims=...)`` in compiled code (see `s2sgrad.numba_path`)."""
    return np.sum(x, axis=axis, keepdims=keepdims)


def reduce_mean(x, axis=None, keepdims=False):
    """``np.mean(x, axis, keepdims=...)`` in compiled code (see `s2sgrad.numba_path`)."""
    return np.mean(x, axis=axis, keepdims=keepdims)


def _reduction(mean):
    """The typing function of `reduce_sum` (`mean` False) or `reduce_mean` (True)."""
    def typer(x, axis=None, keepdims=False):
        keep = _flag(keepdims)
        if keep is None or not (_array(x) or _number(x)):
            return None
        if _number(x):
            return lambda x, axis=None, keepdims=False: x
        ones = (1,) * x.ndim
        if _absent(axis):
            if mean and keep:
                return lambda x, axis=None, keepdims=False: np.full(ones, np.mean(x))
            if keep:
                return lambda x, axis=None, keepdims=False: np.full(ones, np.sum(x))
            if mean:
                return lambda x, axis=None, keepdims=False: np.mean(x)
            return lambda x, axis=None, keepdims=False: np.sum(x)
        if not isinstance(axis, types.Integer) or x.ndim == 0:
            return None
        if x.ndim == 1:  # (numba's np.sum over the one axis gives a number)
            def whole(x, axis=None, keepdims=False):
                _axis(axis, 1)
                return reduce_mean(x, None, keepdims) if mean else \
                    reduce_sum(x, None, keepdims)
            return whole
        if mean and keep:
            return lambda x, axis=None, keepdims=False: np.expand_dims(
                _summed(x, axis) / x.shape[axis % x.ndim], axis % x.ndim)
        if keep:
            return lambda x, axis=None, keepdims=False: np.expand_dims(
                _summed(x, axis), axis % x.ndim)
        if mean:
            return lambda x, axis=None, keepdims=False: \
                _summed(x, axis) / x.shape[axis % x.ndim]
        return lambda x, axis=None, keepdims=False: _summed(x, axis)
    return typer


def _summed(x, axis):
    pass


@overload(_summed)
def _summed_impl(x, axis):
    """The sum of the array `x` over the axis `axis`: of floats by blocks (numba's own takes
    a pass per output element), of integers by numba's (NumPy's sum of them is int64)."""
    if not isinstance(x.dtype, types.Float):
        return lambda x, axis: np.sum(x, axis=axis)
    dtype = numba.np.numpy_support.as_dtype(x.dtype)

    def impl(x, axis):
        a = _axis(axis, x.ndim)
        out = np.zeros(_without_axis(x, a), dtype)
        _sum_axis_into(np.ascontiguousarray(x).ravel(), _shape_array(x.shape), a,
                       out.reshape(out.size))
        return out
    return impl


def reduce_max(x, axis=None, keepdims=False):
    """``np.max(x, axis, keepdims=...)`` in compiled code (see `s2sgrad.numba_path`)."""
    return np.max(x, axis=axis, keepdims=keepdims)


def reduce_min(x, axis=None, keepdims=False):
    """``np.min(x, axis, keepdims=...)`` in compiled code (see `s2sgrad.numba_path`)."""
    return np.min(x, axis=axis, keepdims=keepdims)


@_kernel
def _blocks(xp, axis):
    """A C-ordered array of shape `xp` read as (outer, n, inner), `n` the size of `axis`: the
    element (o, j, i) is at ``(o * n + j) * inner + i``, and its reduction over `axis` at
    ``o * inner + i``."""
    outer, inner = 1, 1
    for k in range(axis):
        outer *= xp[k]
    for k in range(axis + 1, xp.shape[0]):
        inner *= xp[k]
    return outer, xp[axis], inner


@_kernel
def _extreme_into(xflat, xp, axis, out, largest):
    """The max (`largest`) or min of `xflat` (shape `xp`, the size of `axis` not 0) over
    `axis`, into `out` (flat); a nan stays, as NumPy's."""
    outer, n, inner = _blocks(xp, axis)
    if inner == 1:  # (the last axis: a running value)
        for o in range(outer):
            current = xflat[o * n]
            for j in range(1, n):
                value = xflat[o * n + j]
                if current == current and (value != value or (
                        value > current if largest else value < current)):
                    current = value
            out[o] = current
        return
    for o in range(outer):
        base = o * inner
        row = o * n * inner
        for i in range(inner):
            out[base + i] = xflat[row + i]
        for j in range(1, n):
            row = (o * n + j) * inner
            for i in range(inner):
                value = xflat[row + i]
                current = out[base + i]
                if current == current and (value != value or (
                        value > current if largest else value < current)):
                    out[base + i] = value


@_kernel
def _sum_axis_into(xflat, xp, axis, out):
    """The sum of `xflat` (shape `xp`) over `axis`, added into `out` (flat, zeros)."""
    outer, n, inner = _blocks(xp, axis)
    for o in range(outer):
        base = o * inner
        if inner == 1:
            total = out[base]
            for j in range(n):
                total += xflat[o * n + j]
            out[base] = total
        else:
            for j in range(n):
                row = (o * n + j) * inner
                for i in range(inner):
                    out[base + i] += xflat[row + i]


def _without_axis(x, axis):
    pass


@overload(_without_axis)
def _without_axis_impl(x, axis):
    """The shape of `x` without its axis `axis` (a tuple numba knows the length of)."""
    ndim = x.ndim - 1

    def impl(x, axis):
        out = np.empty(ndim, np.int64)
        j = 0
        for k in range(x.ndim):
            if k != axis:
                out[j] = x.shape[k]
                j += 1
        return to_fixed_tuple(out, ndim)
    return impl


def _extreme(largest):
    """The typing function of `reduce_max` (`largest`) or `reduce_min`."""
    def typer(x, axis=None, keepdims=False):
        keep = _flag(keepdims)
        if keep is None or not (_array(x) or _number(x)):
            return None
        if _number(x):
            return lambda x, axis=None, keepdims=False: x
        ones = (1,) * x.ndim
        if _absent(axis):
            if keep and largest:
                return lambda x, axis=None, keepdims=False: np.full(ones, np.max(x))
            if keep:
                return lambda x, axis=None, keepdims=False: np.full(ones, np.min(x))
            if largest:
                return lambda x, axis=None, keepdims=False: np.max(x)
            return lambda x, axis=None, keepdims=False: np.min(x)
        if not isinstance(axis, types.Integer) or x.ndim == 0:
            return None
        if x.ndim == 1:  # over the one axis: the whole array
            def whole(x, axis=None, keepdims=False):
                _axis(axis, 1)
                return reduce_max(x, None, keepdims) if largest else \
                    reduce_min(x, None, keepdims)
            return whole

        def part(x, axis=None, keepdims=False):
            a = axis % x.ndim
            if x.shape[a] == 0:
                raise ValueError('zero-size array to reduction operation which has no '
                                 'identity')
            out = np.empty(x.size // x.shape[a], x.dtype)
            _extreme_into(np.ascontiguousarray(x).ravel(), _shape_array(x.shape), a, out,
                          largest)
            return out.reshape(_without_axis(x, a))
        compiled = numba.njit(part)
        if not keep:
            return lambda x, axis=None, keepdims=False: compiled(x, axis)
        return lambda x, axis=None, keepdims=False: np.expand_dims(compiled(x, axis),
                                                                   axis % x.ndim)
    return typer


overload(reduce_max, prefer_literal=False)(_extreme(True))
overload(reduce_min, prefer_literal=False)(_extreme(False))
overload(reduce_sum, prefer_literal=False)(_reduction(False))
overload(reduce_mean, prefer_literal=False)(_reduction(True))


# -- subscripts ----------------------------------------------------------------------------

def _basic_index(index):
    """Whether `index` (a numba type) is an integer, a slice or a tuple of them: an index
    that reads each position once (no arrays, whose repeated positions need np.add.at)."""
    if isinstance(index, (types.Integer, types.SliceType)):
        return True
    if isinstance(index, types.BaseTuple):
        return all(isinstance(t, (types.Integer, types.SliceType)) for t in index)
    return False


@_implements('add_at')
def _add_at(bx, index, g):
    if _array(bx) and _basic_index(index) and (_number(g) or _array(g)):
        def impl(bx, index, g):
            bx[index] += g
            return bx
        return impl
    if _array(bx) and bx.layout == 'C' and _array_index(index) and (_number(g) or _array(g)):
        return lambda bx, index, g: _scatter_add(bx, index, g)
    if _array(bx) and bx.layout == 'C' and _positions_tuple(bx, index) and \
            (_number(g) or _array(g) and g.ndim <= 1):
        scatter = _positions_scatter(bx.ndim)
        return lambda bx, index, g: scatter(bx, index, g)
    if isinstance(bx, types.List) and isinstance(index, types.Integer):
        def in_list(bx, index, g):
            bx[index] = runtime.add(bx[index], g)
            return bx
        return in_list
    if isinstance(bx, types.BaseTuple) and isinstance(index, types.IntegerLiteral):
        at = index.literal_value % len(bx) if len(bx) else 0
        return _per_item(lambda k: f'runtime.add(bx[{k}], g)' if k == at else f'bx[{k}]',
                         len(bx), 'bx, index, g')
    if isinstance(bx, types.UniTuple) and isinstance(index, types.Integer) and len(bx) and \
            _number(bx.dtype) and (_number(g) or isinstance(g, types.Omitted)):
        # (``for v in vals`` over a tuple of numbers, ``*vals``: the item at a position known
        # at run time; numbers only: numba's tuple_setitem does not count references, so a
        # tuple of arrays would free an array twice)
        def in_tuple(bx, index, g):
            if not -len(bx) <= index < len(bx):
                raise IndexError('tuple index out of range')
            at = index % len(bx)
            return tuple_setitem(bx, at, runtime.add(bx[at], g))
        return in_tuple
    return None


@_implements('unindex')
def _unindex(g, x, index):
    if _array(x) and _basic_index(index) and (_number(g) or _array(g)):
        def impl(g, x, index):
            out = runtime.zeros_like(x)
            out[index] += g
            return out
        return impl
    if _array(x) and _array_index(index) and (_number(g) or _array(g)):
        return lambda g, x, index: _scatter_add(runtime.zeros_like(x), index, g)
    if _positions_tuple(x, index) and (_number(g) or _array(g) and g.ndim <= 1):
        scatter = _positions_scatter(x.ndim)
        return lambda g, x, index: scatter(runtime.zeros_like(x), index, g)
    if isinstance(x, types.List) and isinstance(index, types.Integer):
        def in_list(g, x, index):
            out = runtime.zeros_like(x)
            out[index] = runtime.add(out[index], g)
            return out
        return in_list
    if isinstance(x, types.BaseTuple) and isinstance(index, types.IntegerLiteral):
        at = index.literal_value % len(x) if len(x) else 0
        return _per_item(lambda k: f'runtime.add(runtime.zeros_like(x[{k}]), g)' if k == at
                         else f'runtime.zeros_like(x[{k}])', len(x), 'g, x, index')
    return _newaxis_index(x, index, g)


def _array_index(index):
    """Whether `index` (a numba type) is an integer array, or a tuple of integers, slices and
    one integer array (what numba's advanced indexing takes)."""
    def integer_array(t):
        return _array(t) and isinstance(t.dtype, types.Integer) and t.ndim >= 1
    if integer_array(index):
        return True
    if isinstance(index, types.BaseTuple):
        return sum(integer_array(t) for t in index) == 1 and all(
            integer_array(t) or isinstance(t, (types.Integer, types.SliceType)) for t in index)
    return False


def _scatter_add(bx, index, g):
    pass


@overload(_scatter_add)
def _scatter_add_impl(bx, index, g):
    """``np.add.at(bx, index, g)``: `g` added into `bx` at `index`, repeated positions adding
    up; return `bx`. The positions are those the same index reads from an array of the flat
    positions of `bx`."""
    def impl(bx, index, g):
        positions = np.arange(bx.size).reshape(bx.shape)[index]
        values = np.zeros(positions.shape, bx.dtype) + g
        flat = bx.reshape(bx.size)
        where = np.ascontiguousarray(positions).ravel()
        add = np.ascontiguousarray(values).ravel()
        for k in range(where.shape[0]):
            flat[where[k]] += add[k]
        return bx
    return impl


def _newaxis_index(x, index, g):
    """The implementation of `unindex` for an index of slices and None (``x[:, None]``):
    `g` without the new axes, written where the slices read."""
    if not (_array(x) and _array(g) and isinstance(index, types.BaseTuple)):
        return None
    kept = []
    for k, t in enumerate(index):
        if isinstance(t, types.SliceType):
            kept.append(k)
        elif not isinstance(t, types.NoneType):
            return None
    rest = ''.join(f'index[{k}], ' for k in kept)
    space = {'np': np, 'runtime': runtime}
    exec('def impl(g, x, index):\n'
         '    out = runtime.zeros_like(x)\n'
         f'    part = x[{rest}]\n'
         f'    out[{rest}] += np.ascontiguousarray(g).reshape(part.shape)\n'
         '    return out\n', space)
    return space['impl']


# -- a tuple of integer arrays, one per axis (``x[np.arange(n), labels]``) -----------------

def _positions_tuple(x, index):
    """Whether `index` (a numba type) is a tuple of one 1-d integer array per axis of the
    array type `x` (two at least): each reads one element, at the same position of each."""
    return _array(x) and isinstance(index, types.BaseTuple) and len(index) == x.ndim >= 2 \
        and all(_array(t) and isinstance(t.dtype, types.Integer) and t.ndim == 1
                for t in index)


@functools.lru_cache(maxsize=None)
def _flat_positions(ndim):
    """A function ``(shape, index) -> int64 array`` of the flat positions (C order) that a
    tuple of `ndim` 1-d integer arrays reads, negative ones counted from the end; IndexError
    out of bounds, ValueError for arrays of different lengths."""
    lines = ['def positions(shape, index):',
             '    count = index[0].shape[0]',
             '    out = np.empty(count, np.int64)']
    for a in range(1, ndim):
        lines += [f'    if index[{a}].shape[0] != count:',
                  '        raise ValueError("the index arrays do not have one length")']
    lines += ['    for k in range(count):', '        at = 0']
    for a in range(ndim):
        lines += [f'        i = index[{a}][k]',
                  '        if i < 0:',
                  f'            i += shape[{a}]',
                  f'        if i < 0 or i >= shape[{a}]:',
                  '            raise IndexError("index out of bounds")',
                  f'        at = at * shape[{a}] + i']
    lines += ['        out[k] = at', '    return out']
    space = {'np': np}
    exec('\n'.join(lines) + '\n', space)
    return numba.njit(space['positions'])


@functools.lru_cache(maxsize=None)
def _positions_scatter(ndim):
    """``(out, index, g) -> out`` with `g` (a number or one value per position) added into
    the C-ordered array `out` at the positions of `index`, repeated ones adding up."""
    positions = _flat_positions(ndim)

    def scatter(out, index, g):
        at = positions(out.shape, index)
        values = np.zeros(at.shape[0], out.dtype) + g
        flat = out.reshape(out.size)
        for k in range(at.shape[0]):
            flat[at[k]] += values[k]
        return out
    return numba.njit(scatter)


@functools.lru_cache(maxsize=None)
def _positions_gather(ndim):
    """``(by, index) -> values``: the elements of `by` at the positions of `index`, zero
    where a later position repeats it (NumPy keeps the last value written there)."""
    positions = _flat_positions(ndim)

    def gather(by, index):
        at = positions(by.shape, index)
        flat = np.ascontiguousarray(by).reshape(by.size)
        out = np.zeros(at.shape[0], flat.dtype)
        seen = set()
        for k in range(at.shape[0] - 1, -1, -1):
            if at[k] not in seen:
                out[k] = flat[at[k]]
                seen.add(at[k])
        return out
    return numba.njit(gather)


def _literal_int(t, default):
    """The value of an integer argument known when compiling (`default` when left out), or
    None."""
    if t is None or isinstance(t, types.Omitted):
        return default
    if isinstance(t, int):
        return t
    if isinstance(t, types.IntegerLiteral):
        return t.literal_value
    return None


def _unjoin(g, items, axis=0, kind='concatenate'):
    if isinstance(kind, types.StringLiteral) and kind.literal_value != 'concatenate' or \
            isinstance(kind, types.UnicodeType) and not isinstance(kind, types.StringLiteral):
        return None
    if _array(g) and isinstance(items, types.List) and _array(items.dtype) and \
            items.dtype.ndim == g.ndim and g.ndim > 0:
        return _unjoin_list(g.ndim)
    at = _literal_int(axis, 0)
    if not _array(g) or at is None or not isinstance(items, types.BaseTuple) or \
            not all(_array(t) and t.ndim == g.ndim for t in items):
        return None
    at %= g.ndim
    lines = ['def impl(g, items, axis=0, kind="concatenate"):', '    start = 0']
    for k in range(len(items)):
        lines += [f'    stop = start + items[{k}].shape[{at}]',
                  f'    piece{k} = g[{":, " * at}start:stop]',
                  '    start = stop']
    lines.append('    return (' + ''.join(f'piece{k}, ' for k in range(len(items))) + ')')
    space = {}
    exec('\n'.join(lines) + '\n', space)
    return space['impl']


def _unjoin_list(ndim):
    """`unjoin` of a list of arrays of `ndim` dimensions: a list of the pieces."""
    def impl(g, items, axis=0, kind='concatenate'):
        a = _axis(axis, ndim)
        pre, total, post = _around(g.shape, a)
        g3 = np.ascontiguousarray(g).reshape((pre, total, post))
        pieces = []
        start = 0
        for i in range(len(items)):
            stop = start + items[i].shape[a]
            pieces.append(runtime.reshape_like(g3[:, start:stop, :], items[i]))
            start = stop
        if start != total:
            raise ShapeError('unjoin: the adjoint and the joined list do not have one length')
        return pieces
    return impl


@_implements('as_items')
def _as_items(g, items):
    if isinstance(g, (types.BaseTuple, types.List)) or _number(items) or _array(items):
        return lambda g, items: g
    if _array(g) and _sequence(items):  # (an array adjoint of a list: one item per row)
        return lambda g, items: runtime.unstack(g, items)
    return None


@_implements('read_at')
def _read_at(by, index, v):
    if _number(by):
        def zero(by, index, v):
            if by != 0:
                raise ShapeError('read_at: an adjoint that is a number other than 0')
            return runtime.zeros_like(v)
        return zero
    if _array(by) and _basic_index(index):
        return lambda by, index, v: runtime.unbroadcast(by[index], v)
    if _positions_of(by, index):
        return lambda by, index, v: runtime.unbroadcast(
            by[index] * _last_writes(index, by.shape[0]), v)
    if _positions_tuple(by, index):
        gather = _positions_gather(by.ndim)
        return lambda by, index, v: runtime.unbroadcast(gather(by, index), v)
    if isinstance(by, types.List) and isinstance(index, types.Integer):
        return lambda by, index, v: runtime.unbroadcast(by[index], v)
    return None


@_kernel
def _first_at(items, ans):
    """Where the built-in ``max``/``min`` of `items` found `ans`: the first item equal to it
    (a nan result is the first item: no comparison replaces it)."""
    for i in range(len(items)):
        item = items[i]
        if item == ans or item != item and ans != ans:
            return i
    raise ValueError('max/min returned a value that is not among its arguments')


def _of_items(a):
    """``max(items)``, ``min(a, b, c)`` (a list of numbers, a 1-D array) of numba type `a`."""
    return isinstance(a, types.List) and _number(a.dtype) or _array(a) and a.ndim == 1


@_implements('pick')
def _pick(g, ans, a, b=None, which=0):
    if _absent(b):  # (one iterable: `g` at the first item equal to the result)
        if not (_number(g) and _number(ans) and _of_items(a)):
            return None
        if _array(a):
            dtype = _float_dtype(a)

            def of_array(g, ans, a, b=None, which=0):
                out = np.zeros(a.shape[0], dtype)
                out[_first_at(a, ans)] = g
                return out
            return of_array

        def of_list(g, ans, a, b=None, which=0):
            position = _first_at(a, ans)
            return [g if i == position else 0.0 * g for i in range(len(a))]
        return of_list
    # (two arguments: `g` to `a` where `a` is the result, as the helper)
    if not all(_number(t) or _array(t) for t in (g, ans, a)):
        return None
    if _number(g) and _number(ans) and _number(a) and _number(b):
        return lambda g, ans, a, b=None, which=0: g * _scalar_tie_weight(ans, a, b, which)
    return lambda g, ans, a, b=None, which=0: g * _array_tie_weight(ans, a, b, which)


@numba.njit
def _scalar_tie_weight(ans, a, b, which):
    """`runtime_indexing._tie_weight` of numbers."""
    mine, other = (b, a) if which else (a, b)
    if mine != ans:
        return 0.0
    return 0.5 if other == ans else 1.0


@numba.njit
def _array_tie_weight(ans, a, b, which):
    """`runtime_indexing._tie_weight` where `a` or `b` is an array."""
    if which:
        return (b == ans) * (1.0 - 0.5 * (a == ans))
    return (a == ans) * (1.0 - 0.5 * (b == ans))


@_implements('pick_tangent')
def _pick_tangent(da, ans, a, b=None, which=0):
    if _absent(b):
        if not (_number(ans) and _of_items(a) and (_of_items(da) or isinstance(
                da, types.List) and _number(da.dtype))):
            return None
        return lambda da, ans, a, b=None, which=0: da[_first_at(a, ans)]
    if not all(_number(t) or _array(t) for t in (da, ans, a)):
        return None
    if _number(da) and _number(ans) and _number(a) and _number(b):
        return lambda da, ans, a, b=None, which=0: da * _scalar_tie_weight(ans, a, b, which)
    return lambda da, ans, a, b=None, which=0: da * _array_tie_weight(ans, a, b, which)


@_implements('zero_at')
def _zero_at(by, index, old=None):
    # (`old`: the items a list's slice assignment replaced; compiled code has arrays, whose
    # slices keep their length, and writes no slice of a list)
    if not _absent(old) and isinstance(by, types.List):
        return None
    if _number(by):
        return lambda by, index, old=None: by
    if _array(by) and (_basic_index(index) or _positions_of(by, index)):
        def impl(by, index, old=None):
            out = by.copy()
            out[index] = 0
            return out
        return impl
    if _positions_tuple(by, index):
        positions = _flat_positions(by.ndim)

        def at_positions(by, index, old=None):
            out = np.ascontiguousarray(by).copy()
            flat = out.reshape(out.size)
            for at in positions(out.shape, index):
                flat[at] = 0
            return out
        return at_positions
    if isinstance(by, types.List) and isinstance(index, types.Integer):
        def in_list(by, index, old=None):
            out = by.copy()
            out[index] = runtime.zeros_like(out[index])
            return out
        return in_list
    return None


def _positions_of(x, index):
    """Whether `index` (a numba type) is a 1-D integer array indexing the 1-D array `x`."""
    return _array(x) and x.ndim == 1 and _array(index) and index.ndim == 1 and \
        isinstance(index.dtype, types.Integer)


@_kernel
def _last_writes(index, size):
    """1.0 at each position of `index` (into an axis of `size`) that is the last to name its
    element, else 0.0: ``y[index] = v`` keeps the last value written there."""
    seen = np.zeros(size, np.bool_)
    mask = np.zeros(index.shape[0])
    for k in range(index.shape[0] - 1, -1, -1):
        at = index[k] % size if size else 0
        if not seen[at]:
            mask[k] = 1.0
            seen[at] = True
    return mask


# -- checks ---------------------------------------------------------------------------------

@_implements('positions')
def _positions(items):
    if _array(items) or isinstance(items, (types.List, types.BaseTuple, types.RangeType)):
        return lambda items: len(items)  # (compiled code has no dicts or sets)
    return None


@_implements('sized')
def _sized_items(items, stop=None):
    if _array(items) or isinstance(items, (types.List, types.BaseTuple, types.RangeType)):
        return lambda items, stop=None: items  # (a sequence: the loop indexes it as it is)
    return None


@_implements('restore_item')
def _restore_item(x, key, old):
    # (a dict's item put back: compiled code has no dicts, and the list's branch beside it,
    # ``if isinstance(xs, dict):``, is the one that runs)
    if isinstance(x, types.List):
        def restore_item(x, key, old):
            raise TypeError('s2s.restore_item of a list: compiled code has no dicts')
        return restore_item
    if _array(x):  # (an argument's item, which might have been a dict's: an array's here)
        def restore_array_item(x, key, old):
            x[key] = old
        return restore_array_item
    return None


@_implements('item_before')
def _item_before(x, key):
    if _array(x):  # (no dict in compiled code: the item itself)
        return lambda x, key: x[key]
    return None


@_implements('written_at')
def _written_at(y, index, items):
    if _array(y):  # (an array's slice keeps its length: where the items go is `index`)
        return lambda y, index, items: index
    if isinstance(y, types.List) and isinstance(index, types.SliceType) and \
            isinstance(items, types.List):
        def in_list(y, index, items):
            start = index.indices(len(y))[0]
            return slice(start, start + len(items))
        return in_list
    return None


@_implements('popped_at')
def _popped_at(index, items):
    def popped_at(index, items):
        return index if index >= 0 else len(items) + 1 + index
    return popped_at


@_implements('inserted_at')
def _inserted_at(index, items):
    def inserted_at(index, items):
        if index < 0:
            return max(len(items) - 1 + index, 0)
        return min(index, len(items) - 1)
    return inserted_at


@_implements('seed')
def _seed(result, name='f'):
    if isinstance(result, (types.Float, types.Integer, types.Boolean)):
        return lambda result, name='f': 1.0
    if _array(result) and not isinstance(result.dtype, types.Complex):
        if result.ndim == 0:
            return lambda result, name='f': 1.0

        def impl(result, name='f'):
            if result.size != 1:
                raise NonScalarOutputError(
                    'grad needs the function to return a scalar, but it returned an array '
                    'of size other than 1; use s2sgrad.vjp or s2sgrad.jacobian')
            return np.ones_like(result)
        return impl
    return None


@_implements('zip_length')
def _zip_length(*lengths):
    def impl(*lengths):
        for length in lengths:
            if length != lengths[0]:
                raise ValueError('zip() arguments of strict=True have different lengths')
        return lengths[0]
    return impl


@_implements('is_zero')
def _is_zero(g):
    # (a zero adjoint is an array of zeros in compiled code, `numba_path`: not the number)
    if isinstance(g, (types.NoneType, types.Omitted)):
        return lambda g: True
    if isinstance(g, types.Optional):
        return lambda g: g is None
    if _number(g):
        return lambda g: g == 0
    return lambda g: False


@_implements('complex_refused')
def _complex_refused(made):
    # (the statement made a complex value from a differentiated one: `complex_values`)
    def impl(made):
        if len(made) >= 0:  # (always: a float for the code after it to be typed with)
            raise ComplexError(COMPLEX_ADVICE)
        return 0.0
    return impl


@_implements('check_number')
def _check_number(value, message):
    # (what numba compiles is a number or an array: an array argument raises)
    if _number(value):
        return lambda value, message: None
    if _array(value):
        def impl(value, message):
            raise InPlaceError('a helper adds into an array argument in place (`param += '
                               '...`); pass a copy, or write `param = param + ...`')
        return impl
    return None


@_implements('array_method')
def _array_method(value, message, filled=None):
    # (``y.sort()`` written as ``y[...] = np.sort(y)``: an array here, or refused; ``fill``
    # of an array: numba types it, the plain path raises)
    if _array(value) and (filled is None or isinstance(filled, (types.Number, types.NoneType,
                                                                types.Omitted))):
        return lambda value, message, filled=None: None

    def impl(value, message, filled=None):
        raise NoRuleError('an in-place method (`.sort()`, `.fill()`) of a value that is not '
                          'a NumPy array; write the new value instead')
    return impl


@_implements('float_argument')
def _float_argument(value, message):
    # (an integer or boolean array written into truncates: the generated code refuses it)
    if _array(value) and isinstance(value.dtype, (types.Integer, types.Boolean)) or \
            isinstance(value, (types.Integer, types.Boolean)):
        def impl(value, message):
            raise WrtError('an integer argument written into truncates what is written; '
                           'pass it as floats (`x.astype(float)`)')
        return impl
    return lambda value, message: None


@_implements('in_place')
def _in_place(value, operator, items=None, copied=None):
    # (what numba compiles is a number, rebound, or an array, changed in place; of a list
    # `copied` from an argument, the caller's: none, as `runtime_checks.in_place` raises)
    if _number(value):
        return lambda value, operator, items=None, copied=None: False
    if _array(value) and (_array(items) or _absent(copied)):
        return lambda value, operator, items=None, copied=None: True
    return None


@_implements('not_shared')
def _not_shared(value, message, *others):
    # (a number shares nothing; an array shares memory with another array where the bytes
    # their strides reach overlap, as NumPy's `may_share_memory` tells; with no others
    # given, or another that is neither an array nor a number, it may be any array)
    if _number(value):
        return lambda value, message, *others: None
    if not _array(value):
        return None
    if not others or not all(_array(t) or _number(t) for t in others):
        def impl(value, message, *others):
            raise InPlaceError('a value written in place may be an array another name '
                               'holds; add `.copy()` where the array written into is made')
        return impl
    return _overlap_checks(others, 'a value written in place is an array that another name '
                                   'holds; add `.copy()` where the array written into is made')


@_implements('separate')
def _separate(value, message, *others):
    # (an argument written into that overlaps another argument's bytes, as NumPy's
    # `may_share_memory` tells; numbers, None and text share nothing)
    if _number(value):
        return lambda value, message, *others: None
    if not _array(value) or not all(_array(t) or _number(t) or _holds_nothing(t)
                                    for t in others):
        return None
    return _overlap_checks(others, 'an argument the function writes into shares memory with '
                                   'another argument (the same array passed twice, or a view '
                                   'of it); pass a copy to one of them')


@_implements('check_own_items')
def _check_own_items(value, message, keys=None, kept=None):
    # (a list or tuple of arrays and numbers a helper writes into; with `kept`, a tuple of
    # the arrays and numbers the backward sweep reads, it raises where an item's bytes
    # overlap one of theirs; without, where it holds an array. Keys, dicts: not compiled)
    if not isinstance(keys, (types.NoneType, types.Omitted)) and keys is not None:
        return None
    items = [value.dtype] if isinstance(value, types.List) else \
        list(value.types) if isinstance(value, types.BaseTuple) else None
    if items is None or not all(_array(t) or _number(t) for t in items):
        return None
    if all(_number(t) for t in items):
        return lambda value, message, keys=None, kept=None: None
    text = ('a helper of yours writes in place into the items of a list holding an array '
            'the derivative reads again; pass copies of the arrays')
    if kept is None or isinstance(kept, (types.NoneType, types.Omitted)):
        def strict(value, message, keys=None, kept=None):
            raise InPlaceError(text)
        return strict
    if not isinstance(kept, types.BaseTuple) or \
            not all(_array(t) or _number(t) for t in kept.types):
        return None
    checks = ''.join(f'        if _overlap(item, kept[{k}]):\n            raise InPlaceError(m)\n'
                     for k, t in enumerate(kept.types) if _array(t))
    space = {'_overlap': _overlap, 'InPlaceError': InPlaceError, 'm': text}
    if isinstance(value, types.List):
        body = f'    for item in value:\n{checks}    return None\n'
    else:
        body = ''.join(f'    item = value[{i}]\n    if True:\n{checks}'
                       for i, t in enumerate(items) if _array(t)) + '    return None\n'
    exec(f'def impl(value, message, keys=None, kept=None):\n{body}', space)
    return space['impl']


def _overlap_checks(others, message):
    """An implementation ``impl(value, message, *others)`` raising InPlaceError(`message`)
    where the array `value` overlaps one of the arrays of `others` (the types given)."""
    checks = ''.join(f'    if _overlap(value, others[{k}]):\n        raise InPlaceError(m)\n'
                     for k, t in enumerate(others) if _array(t))
    space = {'_overlap': _overlap, 'InPlaceError': InPlaceError, 'm': message}
    exec(f'def impl(value, message, *others):\n{checks}    return None\n', space)
    return space['impl']


@numba.njit
def _span(a):
    """The first and one past the last byte address that array `a`'s strides reach."""
    low = high = a.ctypes.data
    if a.size == 0:
        return low, low
    for k in range(a.ndim):
        extent = (a.shape[k] - 1) * a.strides[k]
        if extent < 0:
            low += extent
        else:
            high += extent
    return low, high + a.itemsize


@numba.njit
def _overlap(a, b):
    """Whether arrays `a` and `b` may share memory (their spans overlap)."""
    low_a, high_a = _span(a)
    low_b, high_b = _span(b)
    return low_a < high_b and low_b < high_a


@_implements('sequence_of')
def _sequence_of(subject, length):
    # (a tuple, ``x.shape``, has its length in its type; a list or a range at run time; an
    # array or text is no sequence to `match`)
    if isinstance(subject, types.BaseTuple):
        count = len(subject)
        return lambda subject, length: length == count
    if isinstance(subject, (types.List, types.RangeType)):
        return lambda subject, length: len(subject) == length
    if isinstance(subject, (types.Array, types.UnicodeType, types.Number, types.Boolean)):
        return lambda subject, length: False
    return None


@_implements('check_cotangent')
def _check_cotangent(cotangent, result, path=''):
    # (an integer or boolean cotangent as floats, as the helper: see `as_float`)
    if _number(cotangent) and _number(result):
        return lambda cotangent, result, path='': float(cotangent)
    if _array(cotangent) and _array(result):
        exact = isinstance(cotangent.dtype, (types.Integer, types.Boolean))
        dtype = _float_dtype(result)

        def impl(cotangent, result, path=''):
            if cotangent.shape != result.shape:
                raise ShapeError('vjp: the cotangent does not have the shape of the '
                                 'function\'s output')
            return cotangent

        def floats(cotangent, result, path=''):
            if cotangent.shape != result.shape:
                raise ShapeError('vjp: the cotangent does not have the shape of the '
                                 'function\'s output')
            return cotangent.astype(dtype)
        if cotangent.ndim == result.ndim:
            return floats if exact else impl
    if _array(cotangent) and _number(result) or _number(cotangent) and _array(result):
        array = cotangent if _array(cotangent) else result
        if array.ndim == 0:
            return lambda cotangent, result, path='': cotangent
    return None


# -- the helpers that derivative rules define (``s2s.power_slope``) ------------------------

def _template(name):
    helper = runtime.__getattr__(name)
    IMPLEMENTED[name] = helper
    return overload(helper, prefer_literal=False)


@_template('power_slope')
def _power_slope(x, y):
    if _number(x) and _number(y):
        def scalar(x, y):
            if y == 0:
                return 0.0
            return y * float(x) ** (y - 1)
        return scalar
    if _array(x) or _array(y):
        return lambda x, y: np.where(y == 0, 0.0, y * (x * 1.0) ** (y - 1))
    return None


_template('unjoin')(_unjoin)


@_template('power_log')
def _power_log(ans, x):
    if _number(ans) and _number(x):
        def scalar(ans, x):
            if ans == 0 or x == 0:
                return 0.0
            return ans * np.log(float(x))
        return scalar
    if _array(ans) or _array(x):
        return lambda ans, x: np.where((ans == 0) | (x == 0), 0.0,
                                       ans * np.log(np.where(x == 0, 1.0, x * 1.0)))
    return None


# -- what the compiled path writes in place of Python-only code ----------------------------

@_kernel
def reversed_range(start, stop, step):
    """The arguments of ``range`` that runs `range(start, stop, step)` backwards (numba has
    no ``reversed``): ``for i in reversed(range(n))`` becomes
    ``for i in range(*s2s.reversed_range(0, n, 1))``."""
    n = len(range(start, stop, step))
    return start + (n - 1) * step, start - step, -step


EXTRA = {'reversed_range': reversed_range, 'reduce_sum': reduce_sum,
         'reduce_mean': reduce_mean, 'reduce_max': reduce_max, 'reduce_min': reduce_min,
         'stack': None, 'array': None, 'concatenate': None, 'squeeze': None,
         'builtin_sum': None, 'as_array': None,
         'as_list': None, 'power': None, 'reshaped': None, 'matmul': None, 'dot': None,
         'outer': None, 'int_mul': None, 'int_lshift': None, 'int_rshift': None}
"""Names the compiled path's rewritten code calls through ``s2s`` beside the helpers."""


# -- lists of arrays: stacked, joined, summed, and their adjoints --------------------------
# numba's np.stack, np.array and np.concatenate take tuples of arrays, not lists; the compiled
# path calls these in their place (`s2sgrad.numba_path`), which take lists too and pass
# anything else on to NumPy's. A list here is numba's list of one item type: arrays of one
# dtype and number of dimensions, or numbers.

def _list_of(t):
    """The item type of the numba list type `t` when its items are arrays or numbers."""
    if isinstance(t, types.List) and (_array(t.dtype) or _number(t.dtype)):
        return t.dtype
    return None


def _sequence(t):
    """Whether `t` is a numba list or tuple (of any items)."""
    return isinstance(t, (types.List, types.BaseTuple))


@numba.njit
def forever():
    """True, as a call numba does not fold: the test of a ``while True:`` loop of generated
    code (`numba_path._rewrite`; numba miscompiled some loops left only by a ``break``
    under a constant test, broadcasting an array to another's shape)."""
    return True


@numba.njit
def _put(out, start, size, part):
    """``out[:, start:start + size, :] = part`` element by element (numba's slice
    assignment compiles its shape checks' messages, seconds each time)."""
    for p in range(out.shape[0]):
        for j in range(size):
            for q in range(out.shape[2]):
                out[p, start + j, q] = part[p, j, q]


@numba.njit
def _around(shape, a):
    """(the product of the sizes before axis `a` of `shape`, its size, the product of the
    sizes after it): an array of that shape read as one of those three (C order), where
    the items along axis `a` are ``[:, i, :]``."""
    pre, post = 1, 1
    for k in range(len(shape)):
        if k < a:
            pre *= shape[k]
        elif k > a:
            post *= shape[k]
    return pre, shape[a], post


def _shape_with(ndim, insert):
    """A function of (shape, a, size): `shape` (of `ndim` sizes) with `size` put in at
    axis `a` (`insert`; the result has ``ndim + 1`` sizes) or in place of its size there."""
    if insert:  # (only the indices that exist: numba types each one)
        def item(k):
            if k == 0:
                return 'shape[0] if 0 < a else size' if ndim else 'size'
            if k == ndim:
                return f'size if {k} == a else shape[{k - 1}]'
            return f'shape[{k}] if {k} < a else (size if {k} == a else shape[{k - 1}])'
        items = ''.join(f'{item(k)}, ' for k in range(ndim + 1))
    else:
        items = ''.join(f'size if {k} == a else shape[{k}], ' for k in range(ndim))
    space = {}
    exec(f'def shaped(shape, a, size):\n    return ({items})\n', space)
    return numba.njit(space['shaped'])


_SHAPES = {}


def _shaper(ndim, insert):
    key = (ndim, insert)
    if key not in _SHAPES:
        _SHAPES[key] = _shape_with(ndim, insert)
    return _SHAPES[key]


@numba.njit
def _axis(axis, ndim):
    """`axis` in [0, ndim) (negative counts from the end); ValueError outside."""
    if axis < -ndim or axis >= ndim:
        raise ValueError('axis out of bounds for the stacked array')
    return axis % ndim


def stack(arrays, axis=0):
    """``np.stack(arrays, axis)`` in compiled code, lists of arrays or numbers too."""
    return np.stack(arrays, axis)


@overload(stack, prefer_literal=False)
def _stack(arrays, axis=0):
    item = _list_of(arrays)
    if item is None:
        if isinstance(arrays, types.List):
            return None
        return lambda arrays, axis=0: np.stack(arrays, axis)
    if _number(item):
        dtype = numba.np.numpy_support.as_dtype(item)

        def numbers(arrays, axis=0):
            _axis(axis, 1)
            out = np.empty(len(arrays), dtype)
            for i in range(len(arrays)):
                out[i] = arrays[i]
            return out
        return numbers
    dtype = numba.np.numpy_support.as_dtype(item.dtype)
    ndim = item.ndim
    shaped = _shaper(ndim, True)

    def impl(arrays, axis=0):
        n = len(arrays)
        if n == 0:
            raise ValueError('need at least one array to stack')
        a = _axis(axis, ndim + 1)
        shape = arrays[0].shape
        full = shaped(shape, a, n)
        pre, _, post = _around(full, a)
        out = np.empty((pre, n, post), dtype)
        for i in range(n):
            if arrays[i].shape != shape:
                raise ValueError('all input arrays must have the same shape')
            _put(out, i, 1, np.ascontiguousarray(arrays[i]).reshape((pre, 1, post)))
        return out.reshape(full)
    return impl


def array(x):
    """``np.array(x)`` (one argument) in compiled code, a list of arrays or numbers too."""
    return np.array(x)


@overload(array, prefer_literal=False)
def _array_of(x):
    if _list_of(x) is not None:
        return lambda x: stack(x, 0)
    if isinstance(x, types.List) and isinstance(x.dtype, types.List) and \
            _number(x.dtype.dtype):  # (``np.array([[c, -s], [s, c]])``: rows of numbers)
        dtype = numba.np.numpy_support.as_dtype(x.dtype.dtype)

        def rows(x):
            n = len(x)
            m = len(x[0]) if n else 0
            out = np.empty((n, m), dtype)
            for i in range(n):
                if len(x[i]) != m:
                    raise ValueError('setting an array element with a sequence: the rows '
                                     'have different lengths')
                for j in range(m):
                    out[i, j] = x[i][j]
            return out
        return rows
    if isinstance(x, types.List):
        return None
    if _array(x):  # (numba's np.array takes no array: a copy, as NumPy's)
        return lambda x: x.copy()
    return lambda x: np.array(x)


def concatenate(arrays, axis=0):
    """``np.concatenate(arrays, axis)`` in compiled code, a list of arrays too."""
    return np.concatenate(arrays, axis)


@overload(concatenate, prefer_literal=False)
def _concatenate(arrays, axis=0):
    item = _list_of(arrays)
    if item is None:
        if isinstance(arrays, types.List):
            return None
        return lambda arrays, axis=0: np.concatenate(arrays, axis)
    if not _array(item) or item.ndim == 0:
        return None
    dtype = numba.np.numpy_support.as_dtype(item.dtype)
    ndim = item.ndim
    shaped = _shaper(ndim, False)

    def impl(arrays, axis=0):
        n = len(arrays)
        if n == 0:
            raise ValueError('need at least one array to concatenate')
        a = _axis(axis, ndim)
        shape = arrays[0].shape
        total = 0
        for i in range(n):
            for k in range(ndim):
                if k != a and arrays[i].shape[k] != shape[k]:
                    raise ValueError('all the input array dimensions except for the '
                                     'concatenation axis must match exactly')
            total += arrays[i].shape[a]
        full = shaped(shape, a, total)
        pre, _, post = _around(full, a)
        out = np.empty((pre, total, post), dtype)
        start = 0
        for i in range(n):
            size = arrays[i].shape[a]
            _put(out, start, size, np.ascontiguousarray(arrays[i]).reshape((pre, size, post)))
            start += size
        return out.reshape(full)
    return impl


def reshaped(x, shape):
    """``x.reshape(shape)`` in compiled code, of an array of any layout (numba reshapes
    only C-contiguous arrays: a transposed or sliced one is copied first, as NumPy does
    where it cannot give a view)."""
    return np.reshape(x, shape)


@overload(reshaped, prefer_literal=False)
def _reshaped(x, shape):
    if _number(x):  # (a number of size 1: an array of it, as NumPy's)
        return lambda x, shape: np.array([x]).reshape(shape)
    if not _array(x):
        return None
    if x.layout == 'C':
        return lambda x, shape: x.reshape(shape)
    return lambda x, shape: np.ascontiguousarray(x).reshape(shape)


def squeeze(x, axis=None):
    """``np.squeeze(x, axis)`` in compiled code (numba has no np.squeeze)."""
    return np.squeeze(x, axis)


@overload(squeeze, prefer_literal=False)
def _squeeze(x, axis=None):
    if _number(x):
        return lambda x, axis=None: x
    if not _array(x):
        return None
    if isinstance(axis, types.Integer) and x.ndim > 0:
        ndim = x.ndim

        def one(x, axis=None):
            a = _axis(axis, ndim)
            if x.shape[a] != 1:
                raise ValueError('cannot select an axis to squeeze out which has size not '
                                 'equal to one')
            return _squeezed(x, a)
        return one
    return None


def _squeezed(x, a):
    pass


@overload(_squeezed)
def _squeezed_impl(x, a):
    """`x` without its axis `a` (of size 1), for x's static number of dimensions."""
    ndim = x.ndim
    items = ''.join(f'x.shape[{k} if {k} < a else {k} + 1], ' for k in range(ndim - 1))
    space = {'np': np}
    exec('def impl(x, a):\n'
         f'    return np.ascontiguousarray(x).reshape(({items}))\n', space)
    return space['impl']


def _unstack_items(count):
    """The items of `g` (read as (before, stacked axis, after): `g3`) in the shapes of
    `items`, a tuple of `count`, as a list."""
    items = ', '.join(f'runtime.reshape_like(g3[:, {k}, :], items[{k}])' for k in range(count))
    space = {'runtime': runtime}
    exec(f'def split(g3, items):\n    return [{items}]\n', space)
    return numba.njit(space['split'])


@_implements('unstack')
def _unstack(g, items, axis=0):
    if _number(items) or _array(items) and not _array(g):
        return lambda g, items, axis=0: runtime.reshape_like(g, items)
    if _array(items):  # (``np.stack(A, axis)`` of an array: its rows, from along `axis`)
        def of_array(g, items, axis=0):
            pre, n, post = _around(g.shape, _axis(axis, g.ndim))
            g3 = np.ascontiguousarray(g).reshape((pre, n, post))
            out = np.empty((n, pre, post), g3.dtype)
            for i in range(n):
                out[i] = g3[:, i, :]
            return runtime.reshape_like(out, items)
        return of_array
    if _array(g) and isinstance(items, types.List) and isinstance(items.dtype, types.List) \
            and _number(items.dtype.dtype):
        def rows(g, items, axis=0):  # (``np.array([[c, -s], [s, c]])``: a row per list)
            if axis != 0 or g.ndim < 2 or g.shape[0] != len(items):
                raise ShapeError('unstack: the adjoint and the rows do not have one shape')
            return [np.ascontiguousarray(g[i]) for i in range(len(items))]
        return rows
    if not _array(g) or not (_list_of(items) is not None or isinstance(items, types.BaseTuple)
                             and all(_number(t) or _array(t) for t in items)):
        return None
    if isinstance(items, types.List):
        def impl(g, items, axis=0):
            a = _axis(axis, g.ndim)
            pre, n, post = _around(g.shape, a)
            if n != len(items):
                raise ShapeError('unstack: the adjoint and the list do not have one length')
            g3 = np.ascontiguousarray(g).reshape((pre, n, post))
            return [runtime.reshape_like(g3[:, i, :], items[i]) for i in range(n)]
        return impl
    split = _unstack_items(len(items))
    count = len(items)

    def of_tuple(g, items, axis=0):
        a = _axis(axis, g.ndim)
        pre, n, post = _around(g.shape, a)
        if n != count:
            raise ShapeError('unstack: the adjoint and the tuple do not have one length')
        return split(np.ascontiguousarray(g).reshape((pre, n, post)), items)
    return of_tuple


@_implements('restack')
def _restack(bitems, g, axis=0):
    if _number(bitems) or _array(bitems) and not _array(g):
        return lambda bitems, g, axis=0: runtime.reshape_like(bitems, g)
    if _array(bitems):  # (`_unstack`'s of an array undone)
        def of_array(bitems, g, axis=0):
            pre, n, post = _around(g.shape, _axis(axis, g.ndim))
            rows = np.ascontiguousarray(bitems).reshape((n, pre, post))
            out = np.empty((pre, n, post), rows.dtype)
            for i in range(n):
                out[:, i, :] = rows[i]
            return out.reshape(g.shape)
        return of_array
    if not _array(g) or not _sequence(bitems):
        return None
    count = None if isinstance(bitems, types.List) else len(bitems)
    lines = ['def impl(bitems, g, axis=0):',
             '    a = _axis(axis, g.ndim)',
             '    pre, n, post = _around(g.shape, a)',
             '    out = runtime.zeros_like(g)',
             '    out3 = out.reshape((pre, n, post))']
    if count is None:
        lines += ['    for i in range(len(bitems)):',
                  '        _put(out3, i, 1, _flat2(bitems[i], pre, post) + out3[:, i:i + 1, :])']
    else:
        lines += [f'    _put(out3, {k}, 1, _flat2(bitems[{k}], pre, post) + '
                  f'out3[:, {k}:{k + 1}, :])' for k in range(count)]
    lines.append('    return out')
    space = {'runtime': runtime, '_axis': _axis, '_around': _around, '_flat2': _flat2,
             '_put': _put}
    exec('\n'.join(lines) + '\n', space)
    return space['impl']


def _flat2(x, pre, post):
    pass


@overload(_flat2)
def _flat2_impl(x, pre, post):
    """An item's adjoint as (pre, 1, post): a number as it is (it adds to every element)."""
    if _number(x):
        return lambda x, pre, post: x
    if _array(x):
        return lambda x, pre, post: np.ascontiguousarray(x).reshape((pre, 1, post))
    return None


@_implements('items_back')
def _items_back(bitems, g):
    if _sequence(g) or not _sequence(bitems):
        return lambda bitems, g: bitems
    return lambda bitems, g: runtime.restack(bitems, g)


@_implements('unsum')
def _unsum(g, items):
    if isinstance(items, types.List):
        return lambda g, items: [runtime.unbroadcast(g, item) for item in items]
    if _array(items):
        return lambda g, items: runtime.unreduce(g, items, 0)
    return None


@_implements('unsum_start')
def _unsum_start(g, start):
    # (a number or an array: the sum's adjoint summed to the start's shape, as `unbroadcast`)
    if (_number(start) or _array(start)) and (_number(g) or _array(g)):
        return lambda g, start: runtime.unbroadcast(g, start)
    return None


@_implements('resum_start')
def _resum_start(bstart, g):
    # (spread back over the sum's shape, as `broadcast_like`)
    if (_number(g) or _array(g)) and (_number(bstart) or _array(bstart)):
        return lambda bstart, g: runtime.broadcast_like(bstart, g)
    return None


@_implements('resum')
def _resum(bitems, g):
    if _array(bitems):
        if (_number(g) or _array(g)) and bitems.ndim == _ndim(g) + 1:
            return lambda bitems, g: np.sum(bitems, axis=0)
        if _array(g) and bitems.ndim == g.ndim:
            return lambda bitems, g: bitems
        return None
    if not (isinstance(bitems, (types.List, types.UniTuple))):
        return None

    def impl(bitems, g):
        total = runtime.zeros_like(g)
        for item in bitems:
            total = total + runtime.unbroadcast(item, g)
        return total
    return impl


def _ndim(t):
    return t.ndim if _array(t) else 0


def builtin_sum(items):
    """The built-in ``sum(items)`` in compiled code, of a list of arrays too (numba's starts
    from the integer 0, which it cannot unify with an array)."""
    return sum(items)


@overload(builtin_sum, prefer_literal=False)
def _builtin_sum(items):
    if isinstance(items, (types.List, types.UniTuple)) and _array(items.dtype):
        def arrays(items):
            if len(items) == 0:
                raise ValueError('sum() of an empty list of arrays in compiled code (Python '
                                 'gives the integer 0, which compiled code cannot mix with '
                                 'arrays)')
            total = items[0] + 0
            for i in range(1, len(items)):
                total = total + items[i]
            return total
        return arrays
    return lambda items: sum(items)


def as_array(x):
    """A list or tuple of arrays or numbers stacked into an array; an array or a number as it
    is (see `s2sgrad.numba_path`, which calls this where a variable that is an array on one
    path and a list on another meets itself)."""
    return np.stack(x) if isinstance(x, (list, tuple)) else x


@overload(as_array, prefer_literal=False)
def _as_array(x):
    if _number(x) or _array(x) or isinstance(x, (types.NoneType, types.Optional)):
        return lambda x: x
    if _list_of(x) is not None or isinstance(x, types.UniTuple) and \
            (_array(x.dtype) or _number(x.dtype)):
        def impl(x):
            if len(x) == 0:
                raise ValueError('compiled code stacks into an array a list that is an array '
                                 'on another path, and this one is empty')
            return stack(x, 0)
        return impl
    return None


def as_list(x):
    """An array as the list of its rows; a list as it is (see `s2sgrad.numba_path`, which
    calls this where an array comes for a list: the adjoint of a list made an array)."""
    return list(x) if isinstance(x, np.ndarray) else x


@overload(as_list, prefer_literal=False)
def _as_list(x):
    if isinstance(x, types.List):
        return lambda x: x
    if _array(x) and x.ndim >= 2:
        return lambda x: [np.ascontiguousarray(x[i]) for i in range(x.shape[0])]
    if _array(x) and x.ndim == 1:
        return lambda x: [x[i] for i in range(x.shape[0])]
    if isinstance(x, types.UniTuple):
        return lambda x: [item for item in x]
    return None


def power(a, b):
    """``a ** b`` in compiled code: numba computes an integer to a negative integer power as
    an integer (0), where Python gives a float; compiled code cannot give a float there, so
    it raises."""
    return a ** b


@overload(power, prefer_literal=False)
def _power(a, b):
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def integers(a, b):
            if b < 0:
                raise ValueError('an integer to a negative integer power in compiled code '
                                 '(Python gives a float, numba an integer): write float(a) '
                                 '** b, or use compile=None')
            if a not in (0, 1, -1) and abs(float(a)) ** b >= _TWO_TO_63:
                raise OverflowError(_BEYOND_64_BITS)
            return a ** b
        return integers
    if isinstance(a, types.Integer) and _array(b) and isinstance(b.dtype, types.Integer) or \
            _array(a) and isinstance(a.dtype, types.Integer) and \
            (isinstance(b, types.Integer) or _array(b) and isinstance(b.dtype, types.Integer)):
        def arrays(a, b):
            if np.any(np.asarray(b) < 0):
                raise ValueError('integers to a negative integer power in compiled code '
                                 '(NumPy raises ValueError too): use float exponents')
            return a ** b
        return arrays
    return lambda a, b: a ** b


_TWO_TO_63 = 2.0 ** 63  # (an integer product at least this large leaves int64)
_BEYOND_64_BITS = ('an integer beyond 64 bits in compiled code (numba\'s integers wrap, '
                   'Python\'s grow): compute it as a float (``1.0 * n``), or use compile=None')


def int_mul(a, b):
    """``a * b`` in compiled code where both may be integers (`numba_integers`): raises
    OverflowError where the product of two integers leaves 64 bits."""
    return a * b


@overload(int_mul, prefer_literal=False)
def _int_mul(a, b):
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def integers(a, b):
            # (tested in floats, before: LLVM may assume a wrapped product never happens)
            if abs(float(a) * float(b)) >= _TWO_TO_63:
                raise OverflowError(_BEYOND_64_BITS)
            return a * b
        return integers
    return lambda a, b: a * b


def int_lshift(a, b):
    """``a << b`` in compiled code (`numba_integers`): raises where Python raises (a negative
    count) and OverflowError where the integer leaves 64 bits (numba's shift wraps, or is
    undefined past 63)."""
    return a << b


@overload(int_lshift, prefer_literal=False)
def _int_lshift(a, b):
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def integers(a, b):
            if b < 0:
                raise ValueError('negative shift count')
            if a == 0:
                return a
            shifted = float(a) * 2.0 ** b  # (tested in floats: a shift by 64 is undefined)
            if shifted >= _TWO_TO_63 or shifted < -_TWO_TO_63:
                raise OverflowError(_BEYOND_64_BITS)
            return a << b
        return integers
    return lambda a, b: a << b


def int_rshift(a, b):
    """``a >> b`` in compiled code (`numba_integers`): Python's value for any count (numba's
    shift by 64 or more wraps the count), ValueError for a negative one."""
    return a >> b


@overload(int_rshift, prefer_literal=False)
def _int_rshift(a, b):
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        def integers(a, b):
            if b < 0:
                raise ValueError('negative shift count')
            if b >= 63:
                return a - a if a >= 0 else a - a - 1  # (0 or -1, in `a`'s type)
            return a >> b
        return integers
    return lambda a, b: a >> b


def matmul(a, b):
    """``a @ b`` (and ``np.matmul``) in compiled code, of arrays of any dtypes: numba's
    products take floats of one dtype (an integer adjacency matrix times a float vector
    did not compile)."""
    return a @ b


def dot(a, b):
    """``np.dot(a, b)`` (and ``a.dot(b)``) in compiled code, of any dtypes (see `matmul`)."""
    return np.dot(a, b)


def outer(a, b):
    """``np.outer(a, b)`` in compiled code, of any dtypes (see `matmul`)."""
    return np.outer(a, b)


def _product(a, b, native):
    """The implementation of a product (`native`, which numba has for float arrays of one
    dtype) of arrays `a` and `b` of any dtypes: the operands cast to NumPy's result dtype,
    or, where that is an integer or boolean dtype, computed in float64 and cast back to it
    (exact while the sums stay within 2**53; a boolean product is True where a sum of
    products is not 0, as NumPy's)."""
    if not (_array(a) and _array(b)):
        return None
    dtype = np.result_type(numba.np.numpy_support.as_dtype(a.dtype),
                           numba.np.numpy_support.as_dtype(b.dtype))
    if dtype.kind in 'fc':
        if a.dtype == b.dtype:
            return lambda a, b: native(a, b)
        return lambda a, b: native(a.astype(dtype), b.astype(dtype))
    if native is not _outer_native and a.ndim + b.ndim == 2:  # (a number: two vectors)
        if dtype.kind == 'b':
            return lambda a, b: native(a.astype(np.float64), b.astype(np.float64)) != 0.0
        number = dtype.type
        return lambda a, b: number(native(a.astype(np.float64), b.astype(np.float64)))
    return lambda a, b: native(a.astype(np.float64), b.astype(np.float64)).astype(dtype)


@_kernel
def _matmul_native(a, b):
    return a @ b


@_kernel
def _dot_native(a, b):
    return np.dot(a, b)


@_kernel
def _outer_native(a, b):
    return np.outer(a, b)


@overload(matmul, prefer_literal=False)
def _matmul(a, b):
    return _product(a, b, _matmul_native) or (lambda a, b: a @ b)


@overload(dot, prefer_literal=False)
def _dot(a, b):
    if _number(a) or _number(b):
        return lambda a, b: a * b
    return _product(a, b, _dot_native) or (lambda a, b: np.dot(a, b))


@overload(outer, prefer_literal=False)
def _outer(a, b):
    return _product(a, b, _outer_native) or (lambda a, b: np.outer(a, b))


def not_number(x):
    """Whether `x` is not a Python number (compiled: not a number at all), the test that
    picks the general version of a derivative for Python numbers."""
    return type(x) not in (float, int)


@overload(not_number, prefer_literal=False)
def _not_number(x):
    if _number(x):
        return lambda x: False
    return lambda x: True


EXTRA.update(as_array=as_array, as_list=as_list, stack=stack, array=array,
             concatenate=concatenate, squeeze=squeeze, builtin_sum=builtin_sum, power=power,
             reshaped=reshaped, matmul=matmul, dot=dot, outer=outer, not_number=not_number,
             int_mul=int_mul, int_lshift=int_lshift, int_rshift=int_rshift)


from . import numba_rules  # noqa: E402,F401  (the rules' helpers register theirs)
