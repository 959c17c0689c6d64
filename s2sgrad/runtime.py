"""Runtime helpers called by generated gradient code; they work for any array type.

Generated code refers to these as ``s2s.<name>``. Nothing here converts an array to NumPy, so
CuPy arrays stay on the device: array functions are reached through the array's own module.

This module defines the adjoints of broadcasting and reductions (`unbroadcast`, `unreduce`), of
products, and the helpers built on them; the modules ``runtime_values``, ``runtime_indexing``,
``runtime_checks`` and ``runtime_errors`` define the others by topic. Every helper is a
function of this module (``__module__``): templating, the alias analysis, the rule listing and
standalone export know runtime helpers by that.
"""
import builtins
import functools
import inspect

import numpy as np

from . import runtime_checks, runtime_errors, runtime_indexing, runtime_values
from .runtime_errors import _repeated_items, unsupported  # noqa: F401 (s2s.unsupported)
from .runtime_values import (_as_array, _filled_like, _is_array, _is_sequence, _like,
                             _shape, add, array_module, broadcast_like, copy, copy_lists,
                             imag_part, is_zero, like,
                             own, real_only, real_part, reshape_like, zeros_like)
from .runtime_values import kind_like  # noqa: F401 (s2s.kind_like, for CuPy functions)
from .errors import S2SError  # noqa: F401 (``raise s2s.S2SError(...)`` in generated code)
from .errors import ComplexError  # noqa: F401 (what `complex_refused` raises, standalone)
from .runtime_values import COMPLEX_ADVICE  # noqa: F401 (its message, standalone)
from .runtime_indexing import (_has_array_index, _indexable, _last_writes, add_at, as_items,
                               field_index, getitem, inserted_at, item_at, item_before,
                               flat_index, items_back, key_missing, keys,
                               pick, pick_tangent, popped_at, positions, read_item, remul_items,
                               repeat_items, restack, restore_item, sized, unindex, unmul_items,
                               unread_at, unread_item, unread_restored, unrepeat_items,
                               unstack, unzero_at, written_at, zero_at,
                               zip_length, zipped, ABSENT)
from .runtime_checks import (BOUND_LOCATIONS, OUTPUT_LOCATIONS, UNASSIGNED, alone_in,
                             check_bound,
                             complex_refused,
                             check_cotangent, check_default, check_global_writes,
                             array_method, check_method_writes, check_number,
                             check_output,
                             check_own_items, check_partial, check_tangent, declared_shapes,
                             defined, float_argument, in_place, not_shared, rerun_checked, seed,
                             separate, sequence_of)

__all__ = ['ABSENT', 'BOUND_LOCATIONS', 'OUTPUT_LOCATIONS', 'UNASSIGNED', 'add', 'add_at',
           'alone_in', 'array_method',
           'as_items', 'asarray', 'broadcast_like', 'check_bound', 'check_cotangent',
           'check_default', 'check_global_writes', 'check_method_writes', 'check_number',
           'check_output',
           'check_own_items', 'check_partial',
           'check_tangent', 'copy', 'copy_lists', 'count', 'declared_shapes', 'defined', 'dot_lhs',
           'dot_rhs',
           'extremum_tangent', 'field_index', 'float_argument', 'getitem', 'imag_part', 'in_place',
           'inserted_at', 'rerun_checked', 'complex_refused',
           'is_zero',
           'item_at', 'item_before', 'flat_index', 'key_missing',
           'items_back', 'keys', 'like', 'matmul_lhs', 'matmul_rhs', 'meta', 'not_shared', 'own',
           'pick', 'pick_tangent', 'popped_at', 'positions', 'read_at', 'read_item', 'real_only',
           'remul_items', 'repeat_items', 'restore_item', 'real_part', 'reshape_like', 'restack',
           'resum', 'retranspose', 'seed', 'select', 'separate', 'sequence_of', 'sized',
           'stored', 'unadd', 'unbroadcast', 'weigh',
           'unextremum', 'unindex', 'unmean', 'unmul_items', 'unread_at', 'unread_item',
           'unread_restored', 'unreduce',
           'unrepeat_items', 'unstack', 'unsum', 'untranspose', 'unzero_at', 'written_at',
           'zero_at', 'zeros_like', 'zip_length', 'zipped']


def _adopt(*modules):
    """Make the functions that the topic `modules` define functions of this module (their
    ``__module__``), as NumPy's ``set_module`` does for the functions it defines elsewhere."""
    for module in modules:
        for value in vars(module).values():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                value.__module__ = __name__


_adopt(runtime_values, runtime_indexing, runtime_checks, runtime_errors)


# -- broadcasting and reductions -----------------------------------------------------------

def unbroadcast(g, x):
    """The adjoint `g` of a broadcast result, summed to the shape of `x`.

    `g` may also be smaller than the broadcast shape (a scalar adjoint standing for a spread
    one): it is spread first, so the result is always what summing the full adjoint gives.
    """
    gtype, xtype = type(g), type(x)
    if gtype is xtype:  # the common cases, first
        if gtype is float or gtype is np.float64:  # numbers (scalar code, items of arrays)
            return g
        if gtype is np.ndarray:
            dtype = g.dtype
            if dtype is x.dtype and dtype.kind == 'f':
                if g.shape == x.shape:
                    return g
                summed = _sum_to(g, x.shape)
                if summed is not None:
                    return summed
    elif xtype is float and gtype is np.float64:
        return g
    shape = _shape(x)
    gshape = _shape(g)
    if gshape == shape or _is_sequence(x) and _is_sequence(g):
        if _is_sequence(x) and _is_sequence(g) and len(x) != len(g):
            raise _repeated_items(len(g), len(x))
        return _like(g, x)
    full = np.broadcast_shapes(gshape, shape)
    if full != gshape:
        if isinstance(g, (int, float, np.generic)) and array_module(x) is not np:
            g = array_module(x).asarray(g)  # a number: a CuPy array for a CuPy `x`
        g = np.broadcast_to(g, full)
    extra = len(full) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and full[extra + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if extra:
        g = g.reshape(shape)
    if not hasattr(x, 'dtype') and shape == ():
        return g[()] if hasattr(g, 'dtype') else g
    if not getattr(getattr(g, 'flags', None), 'writeable', True):  # (CuPy has no such flag)
        g = g.copy()
    return _like(g, x)


def unadd(g, x):
    """The adjoint of ``add(a, b)`` (adjoints added item by item) with respect to its operand
    `x`, `a` or `b`: `g` in the structure of `x`, item by item for lists and tuples, key by key
    for dicts, summed to `x`'s shape where `x` was broadcast; zero where `add` ignores `x`
    (None, or a number added to a list). Its adjoint in `g` is ``unadd(d[ans], g)``."""
    if isinstance(x, dict):
        items = g if isinstance(g, dict) else {}
        return {key: unadd(items.get(key, 0.0), value) for key, value in x.items()}
    if _is_sequence(x):
        if not _is_sequence(g):
            return zeros_like(x)
        return [unadd(gi, xi) for gi, xi in zip(g, x)]
    if x is None or _is_sequence(g) or isinstance(g, dict):
        return zeros_like(x)
    if g is None:
        return zeros_like(x)
    return unbroadcast(g, x)


def _sum_to(g, shape):
    """Array `g` summed to `shape`, which it broadcasts from; None when it does not (a smaller
    `g`, a mismatch: `unbroadcast`'s general path decides)."""
    gshape = g.shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra < 0:
        return None
    axes = list(range(extra))
    for i, size in enumerate(shape):
        if gshape[extra + i] != size:
            if size != 1:
                return None
            axes.append(extra + i)
    g = g.sum(axis=tuple(axes), keepdims=True)
    return g.reshape(shape) if extra else g


def unreduce(g, x, axis=None, keepdims=False):
    """Spread the adjoint `g` of a reduction of `x` over `axis` back to `x`'s shape."""
    if (keepdims or axis is None) and type(g) is np.ndarray and type(x) is np.ndarray and \
            g.dtype == x.dtype and g.dtype.kind == 'f' and g.ndim == x.ndim and g.ndim and \
            g.flags.c_contiguous:
        spread = _spread(g, x.shape)  # keepdims=True: the common case, first
        if spread is not None:
            return spread
    shape = _shape(x)
    if shape == ():
        if _is_array(g) and _shape(g) != () and np.size(g) == 1:
            g = np.reshape(g, ())  # (``logsumexp(x, axis=())`` of a 0-d `x`: SciPy's (1,))
        return _filled_like(x, g) if _is_array(x) and not _is_array(g) else g
    if axis is not None and not keepdims and _shape(g) != ():
        # (a number `g` is spread as it is: the zero adjoint 0.0 of a loop's value too)
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        axes = tuple(sorted(a % len(shape) for a in axes))
        for a in axes:
            g = np.expand_dims(g, a)
    if _shape(g) == () and hasattr(x, 'dtype'):
        return _filled_like(x, g)
    return _like(np.broadcast_to(g, shape), x)


def _spread(g, shape):
    """C-contiguous array `g` broadcast to `shape` as a read-only view (what np.broadcast_to
    gives, made directly), or None where a size of `g` is neither 1 nor that of `shape`."""
    strides = []
    for size, full, stride in zip(g.shape, shape, g.strides):
        if size == full:
            strides.append(stride)
        elif size == 1:
            strides.append(0)
        else:
            return None
    view = np.ndarray(shape, g.dtype, g, 0, tuple(strides))
    view.flags.writeable = False
    return view


def unmean(g, x, axis=None, keepdims=False):
    """The adjoint of ``np.mean(x, axis, keepdims)``: `g` spread over `x`, divided by the count."""
    return unreduce(g, x, axis, keepdims) / _count(x, axis)


def count(x, axis=None):
    """How many elements of `x` a reduction over `axis` combines."""
    return _count(x, axis)


def _count(x, axis):
    shape = _shape(x)
    if axis is None:
        return int(np.prod(shape)) if shape else 1
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    count = 1
    for a in axes:
        count *= shape[a]
    return count


def unextremum(g, ans, x, axis=None, keepdims=False):
    """The adjoint of a max/min reduction: `g` goes to the positions that attain it (split)."""
    x = _as_array(x)
    if _shape(x) == ():
        return g
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        number = _shape(g) == ()  # (spread as it is: the zero adjoint 0.0 of a loop's value)
        for a in sorted(a % len(_shape(x)) for a in axes):
            ans, g = np.expand_dims(ans, a), g if number else np.expand_dims(g, a)
    mask = x == ans
    if type(mask) is np.ndarray and np.count_nonzero(mask) == getattr(ans, 'size', 1) and \
            not np.isnan(ans).any():
        return _like(g * mask, x)  # one maximum per slice (each slice has one at least,
        # but none where it is nan): no ties to share among (a NumPy array: counting would
        # compute a lazy array, or wait for a device)
    counts = mask.sum(axis=axis, keepdims=True)
    return _like(g * mask / counts, x)


def extremum_tangent(dx, ans, x, axis=None, keepdims=False):
    """The tangent of a max/min reduction: the mean tangent of the positions that attain it."""
    x, dx = _as_array(x), _as_array(dx)
    if _shape(x) == ():
        return dx
    full = ans
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for a in sorted(a % len(_shape(x)) for a in axes):
            full = np.expand_dims(full, a)
    mask = x == full
    # (np.where, not ``dx * mask``: a nan tangent elsewhere, of nan data `nanmax` skips, stays
    # out)
    total = np.where(mask, dx, np.zeros_like(dx)).sum(axis=axis, keepdims=keepdims)
    # (the count in the tangent's dtype: a float32 tangent stays float32)
    return total / mask.sum(axis=axis, keepdims=keepdims, dtype=getattr(total, 'dtype', None))


def select(condition, g):
    """`g` where `condition` holds and zero elsewhere (the adjoint of np.where's branches),
    also where `g` is inf or nan there (``0 * g`` would keep those). A number `g` (the
    tangent of a number argument) under a CuPy condition becomes a CuPy array first: CuPy's
    `where` refuses NumPy operands."""
    g = kind_like(g, condition)
    return np.where(condition, g, np.zeros_like(g))


def weigh(weight, g):
    """`g` times `weight` (`tie_share`'s 1, 1/2 or 0), and zero where the weight is 0, also
    where `g` is inf or nan there (a number `g` under CuPy weights: as in `select`)."""
    g = kind_like(g, weight)
    return np.where(weight != 0, g, np.zeros_like(g)) * weight


# -- linear algebra ------------------------------------------------------------------------

def _sparse(*values):
    """Whether one of `values` is a SciPy sparse matrix or array (whose ``@`` is a product,
    and whose transpose is ``.T``, as a 2-D array's)."""
    return any(type(v).__module__.startswith('scipy.sparse') for v in values)


def _dense(value):
    """A product with a sparse matrix as a plain array (not an `np.matrix`, which an older
    sparse matrix's product may give)."""
    return np.asarray(value).view(np.ndarray) if isinstance(value, np.matrix) else value


def _sparse_operand(g, a, b):
    """Raise for a differentiated SciPy sparse operand of ``@``: its adjoint would be dense."""
    raise unsupported('s2sgrad differentiates products with a constant SciPy sparse matrix '
                      '(`A @ x`, `x @ A`), not with respect to the sparse matrix itself; pass '
                      'its dense array (`A.toarray()`), or its nonzero values as an array')


def matmul_lhs(g, a, b):
    """The adjoint of `a` in ``a @ b`` given the adjoint `g` of the product."""
    if type(b) is np.ndarray and type(a) is np.ndarray and type(g) is np.ndarray and \
            a.ndim == 2 and b.ndim == 2:
        return g @ b.T  # the common case, first
    if _sparse(a, b):  # (``x @ A`` of a constant sparse `A`)
        if _sparse(a):
            _sparse_operand(g, a, b)
        return unbroadcast(_dense(g @ b.T), a)
    a, b, g = _as_array(a), _as_array(b), _as_array(g)
    a_ndim, b_ndim = getattr(a, 'ndim', 0), getattr(b, 'ndim', 0)
    if a_ndim == 2 and b_ndim == 2:
        return g @ b.T
    if a_ndim == 0 or b_ndim == 0:  # np.dot of numbers (second order of dot_lhs)
        return unbroadcast(g * b, a)
    if b.ndim == 1:
        ga = g[..., None] * b if a.ndim > 1 else g * b
    elif a.ndim == 1:
        ga = b @ g if g.ndim == 1 else (g[..., None, :] @ np.swapaxes(b, -1, -2))[..., 0, :]
    else:
        ga = g @ np.swapaxes(b, -1, -2)
    return unbroadcast(ga, a)


def matmul_rhs(g, a, b):
    """The adjoint of `b` in ``a @ b`` given the adjoint `g` of the product."""
    if type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray and \
            a.ndim == 2:
        if b.ndim == 2:
            return a.T @ g  # the common cases, first
        if b.ndim == 1 and g.ndim == 1:
            return unbroadcast(a.T @ g, b)
    if _sparse(a, b):  # (``A @ x`` of a constant sparse `A`)
        if _sparse(b):
            _sparse_operand(g, a, b)
        return unbroadcast(_dense(a.T @ g), b)
    a, b, g = _as_array(a), _as_array(b), _as_array(g)
    a_ndim, b_ndim = getattr(a, 'ndim', 0), getattr(b, 'ndim', 0)
    if a_ndim == 2 and b_ndim == 2:
        return a.T @ g
    if a_ndim == 0 or b_ndim == 0:
        return unbroadcast(g * a, b)
    if a.ndim == 1:
        gb = a[:, None] * g[..., None, :] if b.ndim > 1 else g * a
    elif b.ndim == 1:
        gb = (np.swapaxes(a, -1, -2) @ g[..., None])[..., 0]
    else:
        gb = np.swapaxes(a, -1, -2) @ g
    return unbroadcast(gb, b)


def dot_lhs(g, a, b):
    """The adjoint of `a` in ``np.dot(a, b)``, for every ndim: ``np.dot(a, b)`` contracts the
    last axis of `a` with the last axis of a vector `b`, else with its second-to-last axis."""
    if _sparse(a, b):
        return matmul_lhs(g, a, b)
    a, b = _as_array(a), _as_array(b)
    a_ndim, b_ndim = len(_shape(a)), len(_shape(b))
    if a_ndim == 0 or b_ndim == 0:
        return unbroadcast(g * b, a)
    if a_ndim <= 2 and b_ndim <= 2:
        return matmul_lhs(g, a, b)
    g = _as_array(g)
    if b_ndim == 1:  # g has the shape of a without its last axis
        return _like(g[..., None] * b, a)
    # g: a's axes but the last, then b's axes but the second-to-last; contract b's ones
    return _like(np.tensordot(g, b, axes=(list(range(a_ndim - 1, a_ndim + b_ndim - 2)),
                                          list(range(b_ndim - 2)) + [b_ndim - 1])), a)


def dot_rhs(g, a, b):
    """The adjoint of `b` in ``np.dot(a, b)``, for every ndim (see `dot_lhs`)."""
    if _sparse(a, b):
        return matmul_rhs(g, a, b)
    a, b = _as_array(a), _as_array(b)
    a_ndim, b_ndim = len(_shape(a)), len(_shape(b))
    if a_ndim == 0 or b_ndim == 0:
        return unbroadcast(g * a, b)
    if a_ndim <= 2 and b_ndim <= 2:
        return matmul_rhs(g, a, b)
    g = _as_array(g)
    free = list(range(a_ndim - 1))  # the axes of a but the last, first in g
    if b_ndim == 1:
        return _like(np.tensordot(a, g, axes=(free, free)), b)
    # tensordot(a, g): a's last axis, then b's axes but the second-to-last: move it back
    return _like(np.moveaxis(np.tensordot(a, g, axes=(free, free)), 0, -2), b)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``np.cross(a, b, axisa, axisb, axisc, axis)``, checked to take 3-vectors (the only
    cross products s2sgrad differentiates). It is linear in each operand, so it is also its
    own tangent: ``cross(da, b) + cross(a, db)``."""
    axisa, axisb, axisc = _cross_axes(a, b, axisa, axisb, axisc, axis)
    if _float_vectors(a, b):
        return _cross3(a, b)
    return np.cross(a, b, axisa=axisa, axisb=axisb, axisc=axisc)


def cross_lhs(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The adjoint of `a` in ``np.cross(a, b, axisa, axisb, axisc, axis)`` of 3-vectors, from
    the adjoint `g` of its result: ``b x g`` along the vector axes, summed to `a`'s shape."""
    axisa, axisb, axisc = _cross_axes(a, b, axisa, axisb, axisc, axis)
    return _uncross(b, g, axisb, axisc, a, axisa)


def cross_rhs(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The adjoint of `b` in ``np.cross(a, b, axisa, axisb, axisc, axis)`` of 3-vectors, from
    the adjoint `g` of its result: ``g x a`` along the vector axes, summed to `b`'s shape."""
    axisa, axisb, axisc = _cross_axes(a, b, axisa, axisb, axisc, axis)
    return _uncross(g, a, axisc, axisa, b, axisb)


def _uncross(u, v, axisu, axisv, x, axisx):
    """``np.cross(u, v)`` along the vector axes `axisu` and `axisv`, summed to the shape of
    `x`, whose vector axis is `axisx`."""
    if _float_vectors(u, v):
        return _cross3(u, v)
    return _vector_axis_to(np.cross(u, v, axisa=axisu, axisb=axisv), x, axisx)


def _cross_axes(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The vector axes of `a`, `b` and the result of ``np.cross``, checked to hold
    3-vectors (``axis`` stands for all three)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    if _shape(a)[axisa] != 3 or _shape(b)[axisb] != 3:
        raise unsupported('s2sgrad differentiates np.cross of 3-vectors only')
    return axisa, axisb, axisc


def _float_vectors(u, v):
    """Whether `u` and `v` are float64 NumPy vectors (of 3 items: `_cross_axes`)."""
    return type(u) is np.ndarray and type(v) is np.ndarray and u.ndim == 1 and \
        v.ndim == 1 and u.dtype == np.float64 and v.dtype == np.float64


def _cross3(u, v):
    """``np.cross(u, v)`` of two float64 3-vectors, the same operations on Python floats
    (np.cross spends 20 us moving axes)."""
    u0, u1, u2 = u.tolist()
    v0, v1, v2 = v.tolist()
    return np.array([u1 * v2 - u2 * v1, u2 * v0 - u0 * v2, u0 * v1 - u1 * v0])


def _vector_axis_to(gx, x, vector_axis):
    """`gx`, whose last axis runs along the vectors, summed to the shape of `x`, whose
    axis `vector_axis` does."""
    x = _as_array(x)
    ndim = len(_shape(x))
    vector_axis %= ndim
    if vector_axis == ndim - 1:
        return unbroadcast(gx, x)
    return np.moveaxis(unbroadcast(gx, np.moveaxis(x, vector_axis, -1)), -1, vector_axis)


def untranspose(g, axes=None):
    """The adjoint of ``np.transpose(x, axes)``: transpose `g` back."""
    if axes is None or axes == () or (len(axes) == 1 and axes[0] is None):
        return np.transpose(g)
    if len(axes) == 1 and _is_sequence(axes[0]):
        axes = axes[0]
    ndim = len(_shape(g))  # (negative axes count from the end: the inverse needs them >= 0)
    return np.transpose(g, tuple(int(i) for i in np.argsort([int(a) % ndim for a in axes])))


def retranspose(g, axes=None):
    """``np.transpose(g, axes)`` with the axes as `untranspose` receives them."""
    if axes is None or axes == () or (len(axes) == 1 and axes[0] is None):
        return np.transpose(g)
    if len(axes) == 1 and _is_sequence(axes[0]):
        axes = axes[0]
    return np.transpose(g, tuple(axes))


# -- built on unbroadcast and unreduce: a slice written by ``y[index] = v``, items of a sum ---

def read_at(by, index, v):
    """The adjoint of `v` in ``y[index] = v``: the slice of `by` at `index`, summed to `v`.

    With an array index that repeats a position, NumPy keeps the last value written there;
    the earlier ones reach nothing, so their adjoint is zero.
    """
    if is_zero(by) or isinstance(by, dict) and index not in by:
        return zeros_like(v)  # (a dict's adjoint holds no key whose adjoint is zero: `add`)
    by = _indexable(by)
    g = by[index]
    if isinstance(g, list) and not _is_sequence(v) and getattr(v, 'ndim', 0):
        return restack(g, v)  # (``lst[1:3] = rows``: an array's rows written into a list)
    if _has_array_index(index) and not _is_sequence(by):
        g = g * _last_writes(by, index)
    g = unbroadcast(g, v)
    if _is_sequence(v) and not _is_sequence(by):
        # (``y[:] = vals`` of a list: one adjoint per item, which the list's own backward
        # sweep takes off it, ``vals.pop()`` of its ``append``)
        return _items_like(g, v)
    return g


def _items_like(g, v):
    """The array `g` as (nested) lists of the items of the list or tuple `v`."""
    if not _is_sequence(v):
        return g
    return [_items_like(g[k], item) for k, item in enumerate(v)]


def stored(g, into):
    """The derivative `g` of a value written into `into` (``into[index] = v``), or zeros like
    `g` where `into` is an array of an integer or boolean dtype: the write truncated the value
    to a piecewise constant."""
    dtype = getattr(into, 'dtype', None)
    if dtype is not None and dtype.kind in 'biu':
        return zeros_like(g)
    return g


def unsum(g, items):
    """The adjoint of the built-in ``sum(items)``: `g` for every item, summed to its shape
    (none for a dict's keys, which ``sum(d)`` adds)."""
    if isinstance(items, dict):
        return zeros_like(items)
    if isinstance(items, (list, tuple)) and isinstance(g, (list, tuple)):
        # (``sum(rows, [])`` concatenated lists: each gets its part of `g`, after the items
        # of the start, which come first)
        end = len(g)
        parts = []
        for item in reversed(items):
            parts.append(list(g[end - len(item):end]))
            end -= len(item)
        return parts[::-1]
    if isinstance(items, (list, tuple)):
        return [unbroadcast(g, item) for item in items]
    return unreduce(g, items, 0)


def unsum_start(g, start):
    """The adjoint of the start of ``sum(items, start)``: `g`, or its first items where the
    sum concatenated lists or tuples (``sum(rows, [a])`` puts `a` first); summed to the
    shape of `start` where the items broadcast it (``sum(rows, x[0])`` of arrays)."""
    if isinstance(start, (list, tuple)) and isinstance(g, (list, tuple)):
        return list(g[:len(start)])
    return unbroadcast(g, start)


def resum_start(bstart, g):
    """The adjoint of `unsum_start`: `bstart` in the shape of `g`, zeros after it where `g`
    is a concatenation's list, else spread over it."""
    if isinstance(g, (list, tuple)) and isinstance(bstart, (list, tuple)):
        return list(bstart) + zeros_like(list(g[len(bstart):]))
    return broadcast_like(bstart, g)


def resum(bitems, g):
    """The adjoint of `unsum`: the items' adjoints summed back to the shape of `g`."""
    if isinstance(bitems, dict):  # (`unsum` of a dict's keys gave zeros whatever `g`)
        return zeros_like(g)
    if not _is_sequence(bitems):
        return np.sum(bitems, axis=0) if _shape(bitems) != _shape(g) else bitems
    if isinstance(g, (list, tuple)):  # (lists `unsum` cut from a concatenation: joined)
        joined = [item for part in bitems for item in part]
        return zeros_like(list(g[:len(g) - len(joined)])) + joined
    total = zeros_like(g)
    for item in bitems:
        total = total + unbroadcast(item, g)
    return total


# -- conversions, stand-ins and the helpers that rules define ------------------------------

def asarray(x):
    """A list or tuple of numbers as the array a NumPy function reads it as (``np.sort(xs)``:
    its rule reads ``s2s.asarray(xs)``); a CuPy one of CuPy numbers."""
    return array_module(x).asarray(x)


def meta(x):
    """A stand-in for `x` that keeps its type, shape and dtype but none of its data.

    The forward sweep saves this instead of `x` where the backward sweep reads `x` only for
    its shape (``unbroadcast(g, x)``, ``like(g, x)``), so a loop's stack holds no array it does
    not need. A NumPy array becomes a read-only array whose elements all share one zero (no
    memory of its size), and so does a CuPy array, on its device; numbers, containers and other
    array types (dask's are lazy already) are returned themselves.
    """
    cls = type(x)
    if cls is np.ndarray:
        if x.ndim == 0 or x.dtype.kind not in 'biufc':
            return x
        return _stand_in(x.shape, x.dtype)
    if cls is float or cls is np.float64 or cls is int:  # numbers, first
        return x
    if cls.__module__.split('.')[0] == 'cupy' and getattr(x, 'ndim', 0) and \
            x.dtype.kind in 'biufc':
        try:  # through NumPy's dispatch, on the array's own device
            return np.broadcast_to(np.zeros_like(x, shape=()), x.shape)
        except Exception:
            return x
    return x


@functools.lru_cache(maxsize=256)
def _stand_in(shape, dtype):
    """A read-only NumPy array of `shape` and `dtype` whose elements all share one zero: one
    per shape and dtype (loops save one per iteration; made once, it costs a dict lookup)."""
    stand_in = np.ndarray(shape, dtype, np.zeros(1, dtype), 0, (0,) * len(shape))
    stand_in.flags.writeable = False
    return stand_in


def __getattr__(name):
    """``s2s.untrace``, ``s2s.mT``, ...: the helpers that derivative rules define, which
    generated code calls through this module (see `rules.template_helper`)."""
    if not name.startswith('_') and not hasattr(builtins, name):  # (never `list`, `sum`)
        from . import rules
        helper = rules.rule_name(name)  # (``s2s.untrace``; ``s2s.digamma``, ``s2s.scipy``)
        if helper is not None:
            globals()[name] = helper  # found once: generated code calls it in loops
            return helper
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
