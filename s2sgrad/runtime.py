"""Runtime helpers called by generated gradient code; they work for any array type.

Generated code refers to these as ``s2s.<name>``. Nothing here converts an array to NumPy, so
CuPy arrays stay on the device: array functions are reached through the array's own module.
"""
import numbers
import sys
import weakref

import numpy as np

from .errors import (ComplexError, InPlaceError, NonScalarOutputError, NoRuleError, ShapeError,
                     format_location)


def _shape(x):
    """The shape of an array; of a (nested) list or tuple of numbers or arrays of one shape,
    the shape of the array NumPy would make of it (``np.sum([x, y])`` reduces that array)."""
    shape = getattr(x, 'shape', None)
    if shape is not None:
        return tuple(shape)
    if isinstance(x, (list, tuple)):
        if not x:
            return (0,)
        inner = _shape(x[0])
        for item in x[1:]:
            if _shape(item) != inner:
                return (len(x),)
        return (len(x),) + inner
    return ()


def _as_array(x):
    """`x` as an array when it is a (nested) list or tuple of numbers or arrays (stacked with
    the items' own module through NumPy's dispatch, so CuPy items stay on the device)."""
    if isinstance(x, (list, tuple)):
        return np.stack([_as_array(item) for item in x]) if x else np.zeros((0,))
    return x


def _is_sequence(x):
    return isinstance(x, (list, tuple))


def _is_zero(g):
    return g is None or (type(g) in (float, int) and g == 0)


OUTPUT_LOCATIONS = weakref.WeakKeyDictionary()
"""The registry of where each generated function's source returns its value (the code
object of the generated function -> the arguments of `errors.format_location`)."""


def _output_location():
    """``File "path", line N`` of the `return` of the function whose generated code called
    the caller (two frames up), or ''."""
    where = OUTPUT_LOCATIONS.get(sys._getframe(2).f_code)
    return '\n' + format_location(*where) if where else ''


def field_index(x, name):
    """The position of field `name` of the namedtuple `x`: ``x.W`` is read as ``x[i]``."""
    fields = getattr(x, '_fields', None)
    if isinstance(x, tuple) and fields is not None and name in fields:
        return fields.index(name)
    raise NoRuleError(
        f'no derivative rule for the attribute `.{name}` of a differentiated '
        f'{type(x).__name__}: s2sgrad differentiates numbers, arrays and lists, tuples '
        f'(namedtuples too) and dicts of them; keep the parameters in one of those')


def keys(mapping):
    """What ``for k in mapping`` iterates when the loop uses `k` only as an index into
    `mapping` (``mapping[k]``), as a list: the keys of a dict (or of another mapping), the
    items of a list or tuple, which must then be integers (as indices of it)."""
    if hasattr(mapping, 'keys'):
        return list(mapping.keys())
    items = list(mapping)
    for item in items:
        if not isinstance(item, (numbers.Integral, np.integer)) or isinstance(item, bool):
            raise TypeError(f'indices must be integers, not {type(item).__name__}')
    return items


def check_output(result, name='f'):
    """Raise NonScalarOutputError when the function returned None (it reached its end)."""
    if result is None:
        raise NonScalarOutputError(
            f'{name!r} returned None (it reached its end without `return`), but a derivative '
            f'needs a number or an array' + _output_location())


def seed(result, name='f'):
    """The adjoint seed 1.0 for a scalar `result`; raise NonScalarOutputError otherwise."""
    size = getattr(result, 'size', 1)
    kind = getattr(getattr(result, 'dtype', None), 'kind', None)
    if kind == 'c' or isinstance(result, complex):
        real_only(result)
    if not _is_sequence(result) and (kind is None and not isinstance(result, numbers.Number)
                                     or kind is not None and kind not in 'biuf'):
        raise NonScalarOutputError(
            f'grad needs {name!r} to return a number or an array of size 1, but it returned '
            f'{type(result).__name__} {result!r:.40}' +
            ('; did the function forget its `return`?' if result is None else '') +
            _output_location())
    if _is_sequence(result) or size != 1:
        shape = 'a sequence' if _is_sequence(result) else f'an array of shape {_shape(result)}'
        raise NonScalarOutputError(
            f'grad needs {name!r} to return a scalar, but it returned {shape}; '
            f'use s2sgrad.vjp for a vector-Jacobian product or s2sgrad.jacobian '
            f'for the full Jacobian' + _output_location())
    if getattr(result, 'ndim', 0):
        return np.ones_like(result)  # a (1,) or (1, 1) result: its adjoint has its shape
    return 1.0


def zeros_like(x):
    """A zero adjoint shaped like `x`: 0.0 for Python numbers, zero arrays, lists of zeros."""
    if isinstance(x, list):
        return [zeros_like(item) for item in x]
    if isinstance(x, tuple):
        return _same_kind(x, [zeros_like(item) for item in x])
    if isinstance(x, dict):
        return {key: zeros_like(value) for key, value in x.items()}
    if x is None or isinstance(x, numbers.Number) and not hasattr(x, 'dtype'):
        return 0.0
    if not hasattr(x, 'dtype'):  # a slice, a string, Ellipsis: no derivative
        return 0.0
    if isinstance(x, np.generic):
        return x * 0
    # a 0-d array stays one; an integer array's adjoint is a float array
    return np.zeros_like(x) if x.dtype.kind in 'fc' else np.zeros_like(x, dtype=np.float64)


def copy(x):
    """A copy of `x` that the caller may modify (arrays and lists); numbers as they are."""
    if isinstance(x, list):
        return list(x)
    if isinstance(x, dict):
        return dict(x)
    if hasattr(x, 'copy') and not isinstance(x, tuple):
        return x.copy()
    return x


def add(a, b):
    """`a + b` for adjoints, element by element for lists and tuples; None counts as zero."""
    if _is_zero(a) and not _is_sequence(b):
        return b
    if _is_zero(b) and not _is_sequence(a):
        return a
    if isinstance(a, dict) or isinstance(b, dict):
        a = a if isinstance(a, dict) else {}
        b = b if isinstance(b, dict) else {}
        return {key: add(a.get(key), b.get(key)) for key in {**a, **b}}
    if _is_sequence(a) or _is_sequence(b):
        if not _is_sequence(a):
            a = [None] * len(b)
        if not _is_sequence(b):
            b = [None] * len(a)
        summed = [add(x, y) for x, y in zip(a, b)]
        return tuple(summed) if isinstance(a, tuple) else summed
    return a + b


def _check_numeric(g, x):
    """Raise where a gradient is not a real number or array: an argument combined with None
    or a string (which the function itself would reject), or complex values."""
    kind = getattr(getattr(g, 'dtype', None), 'kind', None)
    if g is None or isinstance(g, (str, bytes)) or kind in ('O', 'U', 'S'):
        raise TypeError(f'a gradient came out as {type(g).__name__} {g!r:.40}: the function '
                        f'combines a differentiated value with something that is not a number '
                        f'(None, a string), which it would reject itself')
    if kind == 'c' or isinstance(g, complex) or isinstance(x, complex) or \
            getattr(getattr(x, 'dtype', None), 'kind', None) == 'c':
        raise ComplexError(
            'complex values are not supported: s2sgrad differentiates real functions of real '
            'arguments (see the README, "Known limits"); pass the real and imaginary parts '
            'as separate real arguments')


def real_only(*values):
    """Raise ComplexError if one of `values` (numbers, arrays, containers of them) is complex;
    return the last."""
    for value in values:
        if isinstance(value, (list, tuple)):
            real_only(*value)
        elif isinstance(value, dict):
            real_only(*value.values())
        elif isinstance(value, complex) or \
                getattr(getattr(value, 'dtype', None), 'kind', None) == 'c':
            _check_numeric(0.0, value)
    return values[-1] if values else None


def real_part(x, g):
    """`g`, the derivative of ``x.real`` (``np.real(x)``) for a real `x`; ComplexError for
    a complex `x`."""
    real_only(x)
    return g


def _like(g, x):
    """Give the adjoint `g` the type of the primal `x` (dtype of arrays, float for floats)."""
    _check_numeric(g, x)
    dtype = getattr(x, 'dtype', None)
    if dtype is None:
        if isinstance(x, numbers.Number) and _shape(g) == ():
            return g
        return g
    gdtype = getattr(g, 'dtype', None)
    if gdtype is not None and gdtype != dtype and dtype.kind in 'fc':
        return g.astype(dtype)
    return g


def like(g, x):
    """The gradient `g` of argument `x` with `x`'s type: a float for a float, its dtype; a
    list, tuple or dict of the same structure for a container of arrays."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.dtype is x.dtype and \
            g.dtype.kind == 'f':
        return g  # the common case, first
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f'cannot differentiate with respect to {type(x).__name__} {x!r:.40}: '
                        f'pass a number, an array or a list, tuple or dict of them')
    return _like_value(g, x)


def _like_value(g, x):
    """`like` for an argument or a part of a container argument."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.dtype == x.dtype and \
            g.dtype.kind == 'f':
        return g  # the common case, first
    if isinstance(x, (list, tuple, dict)):
        return _like_container(g, x)
    _check_numeric(g, x)
    if type(x) in (float, int) and type(g) is not float:
        return float(g)  # an int argument: the derivative at that point, as a float
    if isinstance(x, np.integer):
        return np.float64(g)
    if isinstance(x, np.floating) and not _is_sequence(g):
        return type(x)(g)  # an np.float32 argument gets an np.float32 gradient
    if _is_zero(g) and _shape(x) != ():
        return zeros_like(x) if getattr(x, 'dtype', np.float64).kind in 'fc' else \
            np.zeros(_shape(x))
    g = _like(g, x)
    if _is_array(x) and not _is_array(g):
        dtype = x.dtype if x.dtype.kind in 'fc' else np.float64
        return np.full_like(x, g, dtype=dtype)  # a 0-d array argument: a 0-d array gradient
    return g


def _like_container(g, x):
    if isinstance(x, dict):
        parts = g if isinstance(g, dict) else {}
        return {key: _like_value(parts.get(key, 0.0), value) for key, value in x.items()}
    if _is_sequence(g) and len(g) != len(x):
        raise NoRuleError(
            f'the gradient of a list or tuple of {len(x)} items came out with {len(g)} items: '
            f'`*` or `+` of lists (repetition, concatenation) of an argument, and a list '
            f'passed to a helper of yours more than once, are not followed; use np.tile or '
            f'np.concatenate on arrays, or pass the arrays (or a dict of them)')
    parts = list(g) if _is_sequence(g) else [0.0] * len(x)
    if not _is_sequence(g) and not _is_zero(g):
        parts = [g[i] for i in range(len(x))]  # an array standing for a list of rows
    return _same_kind(x, [_like_value(part, value) for part, value in zip(parts, x)])


def _same_kind(x, items):
    """`items` as a sequence of the type of `x` (a list, a tuple, a namedtuple)."""
    if hasattr(x, '_fields'):
        return type(x)(*items)
    return type(x)(items)


def _is_array(x):
    return hasattr(x, 'shape') and hasattr(x, 'dtype') and not isinstance(x, np.generic)


def unbroadcast(g, x):
    """The adjoint `g` of a broadcast result, summed to the shape of `x`.

    `g` may also be smaller than the broadcast shape (a scalar adjoint standing for a spread
    one): it is spread first, so the result is always what summing the full adjoint gives.
    """
    if type(g) is np.ndarray and type(x) is np.ndarray and g.dtype is x.dtype and \
            g.dtype.kind == 'f':  # the common case, first
        if g.shape == x.shape:
            return g
        summed = _sum_to(g, x.shape)
        if summed is not None:
            return summed
    shape = _shape(x)
    gshape = _shape(g)
    if gshape == shape or _is_sequence(x) and _is_sequence(g):
        if _is_sequence(x) and _is_sequence(g) and len(x) != len(g):
            raise NoRuleError(
                f'an adjoint of {len(g)} items reached a list or tuple of {len(x)}: `+` or '
                f'`*` of lists (concatenation, repetition) with differentiated items is only '
                f'followed when the lists are written out (`[a, b] + [c]`), and a list passed '
                f'to a helper of yours more than once is not; use np.concatenate or np.tile, '
                f'or pass the arrays (or a dict of them)')
        return _like(g, x)
    full = np.broadcast_shapes(gshape, shape)
    if full != gshape:
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
    if getattr(g, 'flags', None) is not None and not g.flags.writeable:
        g = g.copy()
    return _like(g, x)


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
        return np.full_like(x, g, dtype=x.dtype if x.dtype.kind in 'fc' else np.float64) \
            if _is_array(x) and not _is_array(g) else g
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted(a % len(shape) for a in axes))
        for a in axes:
            g = np.expand_dims(g, a)
    if _shape(g) == () and hasattr(x, 'dtype'):
        return np.full_like(x, g, dtype=x.dtype if x.dtype.kind in 'fc' else np.float64)
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


def broadcast_like(g, x):
    """`g` broadcast to the shape of `x` (the adjoint of `unbroadcast`)."""
    shape = _shape(x)
    if _shape(g) == shape:
        return g
    return g * np.ones_like(x)


def _count(x, axis):
    shape = _shape(x)
    if axis is None:
        return int(np.prod(shape)) if shape else 1
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
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
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        for a in sorted(a % len(_shape(x)) for a in axes):
            ans, g = np.expand_dims(ans, a), np.expand_dims(g, a)
    mask = x == ans
    if np.count_nonzero(mask) == getattr(ans, 'size', 1):
        return _like(g * mask, x)  # one maximum per slice: no ties to share among
    counts = mask.sum(axis=axis, keepdims=True)
    return _like(g * mask / counts, x)


def extremum_tangent(dx, ans, x, axis=None, keepdims=False):
    """The tangent of a max/min reduction: the mean tangent of the positions that attain it."""
    x, dx = _as_array(x), _as_array(dx)
    if _shape(x) == ():
        return dx
    full = ans
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        for a in sorted(a % len(_shape(x)) for a in axes):
            full = np.expand_dims(full, a)
    mask = x == full
    counts = mask.sum(axis=axis, keepdims=keepdims)
    return (dx * mask).sum(axis=axis, keepdims=keepdims) / counts


def matmul_lhs(g, a, b):
    """The adjoint of `a` in ``a @ b`` given the adjoint `g` of the product."""
    if type(b) is np.ndarray and type(a) is np.ndarray and type(g) is np.ndarray and \
            a.ndim == 2 and b.ndim == 2:
        return g @ b.T  # the common case, first
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
            a.ndim == 2 and b.ndim == 2:
        return a.T @ g  # the common case, first
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
    """The adjoint of `a` in ``np.dot(a, b)`` (scalars, vectors and matrices)."""
    a, b = _as_array(a), _as_array(b)
    if _shape(a) == () or _shape(b) == ():
        return unbroadcast(g * b, a)
    if len(_shape(b)) > 2 or len(_shape(a)) > 2:
        raise NotImplementedError('the derivative of np.dot of arrays with more than 2 '
                                  'dimensions is not supported; use np.matmul or np.einsum')
    return matmul_lhs(g, a, b)


def dot_rhs(g, a, b):
    """The adjoint of `b` in ``np.dot(a, b)`` (scalars, vectors and matrices)."""
    a, b = _as_array(a), _as_array(b)
    if _shape(a) == () or _shape(b) == ():
        return unbroadcast(g * a, b)
    if len(_shape(b)) > 2 or len(_shape(a)) > 2:
        raise NotImplementedError('the derivative of np.dot of arrays with more than 2 '
                                  'dimensions is not supported; use np.matmul or np.einsum')
    return matmul_rhs(g, a, b)


def untranspose(g, axes=None):
    """The adjoint of ``np.transpose(x, axes)``: transpose `g` back."""
    if axes is None or axes == ():
        return np.transpose(g)
    if len(axes) == 1 and _is_sequence(axes[0]):
        axes = axes[0]
    return np.transpose(g, tuple(np.argsort(axes)))


def retranspose(g, axes=None):
    """``np.transpose(g, axes)`` with the axes as `untranspose` receives them."""
    if axes is None or axes == ():
        return np.transpose(g)
    if len(axes) == 1 and _is_sequence(axes[0]):
        axes = axes[0]
    return np.transpose(g, tuple(axes))


def reshape_like(g, x):
    """The adjoint of a reshape of `x`: `g` in `x`'s shape (a float for a Python float)."""
    if not hasattr(x, 'dtype') and isinstance(x, numbers.Number):
        return np.reshape(g, ())[()] if hasattr(g, 'dtype') and g.size == 1 else g
    return np.reshape(g, _shape(x))


def unindex(g, x, index):
    """The adjoint of ``x[index]``: zeros like `x` with `g` added at `index`."""
    zeros = zeros_like(x)
    return add_at(list(zeros) if isinstance(zeros, tuple) else zeros, index, g)


def _has_array_index(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(hasattr(item, 'shape') and item.shape != () or isinstance(item, list)
               for item in items)


def add_at(bx, index, g):
    """Add `g` into the adjoint `bx` at `index` in place (repeated indices add up); return it."""
    if _is_zero(g):
        return bx
    if isinstance(bx, tuple):
        bx = list(bx)
    if isinstance(bx, dict):
        bx[index] = add(bx.get(index), g)
        return bx
    if isinstance(bx, list):
        if isinstance(index, slice):
            positions = range(len(bx))[index]
            for position, item in zip(positions, g):
                bx[position] = add(bx[position], item)
        else:
            bx[index] = add(bx[index], g)
        return bx
    if getattr(bx, 'flags', None) is not None and not bx.flags.writeable:
        bx = bx.copy()
    if _has_array_index(index):
        _scatter_add(bx, index, g)
    else:
        bx[index] += g
    return bx


def _scatter_add(bx, index, g):
    """``bx[index] += g`` with repeated indices adding up, for NumPy and CuPy arrays."""
    if type(bx).__module__.startswith('cupy'):
        import cupyx
        cupyx.scatter_add(bx, index, g)
    else:
        np.add.at(bx, index, g)


def read_at(by, index, v):
    """The adjoint of `v` in ``y[index] = v``: the slice of `by` at `index`, summed to `v`.

    With an array index that repeats a position, NumPy keeps the last value written there;
    the earlier ones reach nothing, so their adjoint is zero.
    """
    if _is_zero(by):
        return zeros_like(v)
    by = _indexable(by)
    g = by[index]
    if _has_array_index(index) and not _is_sequence(by):
        g = g * _last_writes(by, index)
    return unbroadcast(g, v)


def _indexable(by):
    """The adjoint of a 0-d array written by ``y[...] = v`` may be a number: a 0-d array."""
    if isinstance(by, (numbers.Number, np.generic)) and not _is_sequence(by):
        return np.asarray(by)
    return by


def unread_at(g, by, index):
    """The adjoint of `read_at` with respect to `by`: `g` spread back over `by` at `index`."""
    g = broadcast_like(g, by[index])
    if _has_array_index(index) and not _is_sequence(by):
        g = g * _last_writes(by, index)
    return unindex(g, by, index)


def _last_writes(y, index):
    """A boolean mask over ``y[index]``: the elements that ``y[index] = ...`` leaves in `y`."""
    shape = _shape(y[index])
    size = 1
    for length in shape:
        size *= length
    ids = np.reshape(np.arange(size, like=y), shape)
    owner = np.full_like(y, -1, dtype=np.int64)
    owner[index] = ids
    return owner[index] == ids


def zero_at(by, index):
    """`by` with zeros at `index` (the adjoint of an overwritten slice); never modifies `by`."""
    if _is_zero(by):
        return by
    by = copy(_indexable(by))
    if isinstance(by, list):
        if isinstance(index, slice):
            for position in range(len(by))[index]:
                by[position] = zeros_like(by[position])
        else:
            by[index] = zeros_like(by[index])
    else:
        by[index] = 0
    return by


def unstack(g, items, axis=0):
    """The adjoint of ``np.array(items)`` or ``np.stack(items, axis)``: one adjoint per item
    (``np.array(v)`` of an array or a number copies it: its adjoint is `g` in its shape)."""
    if not _is_sequence(items):
        return reshape_like(g, items)
    if axis == 0:
        return [unstack(g[i], item) for i, item in enumerate(items)]  # (nested lists too)
    return [unstack(np.take(g, i, axis=axis), item) for i, item in enumerate(items)]


def unsum(g, items):
    """The adjoint of the built-in ``sum(items)``: `g` for every item, summed to its shape."""
    if isinstance(items, (list, tuple)):
        return [unbroadcast(g, item) for item in items]
    return unreduce(g, items, 0)


def restack(bitems, g, axis=0):
    """The adjoint of `unstack`: the items' adjoints stacked into an array shaped like `g`."""
    if not _is_sequence(bitems):
        return reshape_like(bitems, g)
    out = np.moveaxis(zeros_like(g), axis, 0)
    for i, item in enumerate(bitems):
        out[i] = out[i] + item
    return np.moveaxis(out, 0, axis)


def resum(bitems, g):
    """The adjoint of `unsum`: the items' adjoints summed back to the shape of `g`."""
    if not _is_sequence(bitems):
        return np.sum(bitems, axis=0) if _shape(bitems) != _shape(g) else bitems
    total = zeros_like(g)
    for item in bitems:
        total = total + unbroadcast(item, g)
    return total


def _first_equal(items, ans):
    for i, item in enumerate(items):
        if item is ans or item == ans:
            return i
    raise ValueError('max/min returned a value that is not among its arguments')


def pick(g, ans, a, b=None):
    """The adjoint of the built-in ``max``/``min``, of one iterable `a` (a list of adjoints,
    `g` at the first item equal to the result) or of two arguments (`g` to `a` when `a` is
    the result: Python returns the first of equal values)."""
    if b is None:
        position = _first_equal(a, ans)
        if not _is_sequence(a):  # max(v) of a 1-D array: an array adjoint
            return unindex(g, a, position)
        return [g if i == position else zeros_like(item) for i, item in enumerate(a)]
    return g * (a == ans)


def pick_tangent(da, ans, a, b=None):
    """The tangent of the built-in ``max``/``min`` from the tangent `da` of its first argument."""
    if b is None:
        return da[_first_equal(a, ans)]
    return da * (a == ans)


def getitem(obj, index):
    """``obj[index]``: normalized code reads a subscript whose index depends on the
    differentiated arguments but whose base does not (``np.r_[x, y]``, ``table[i]``) as this
    call, so that a rule sees the index (`templates/subscripts.py`)."""
    return obj[index]


def check_cotangent(cotangent, result, path=''):
    """Raise `ShapeError` unless `cotangent` has the structure and shape of the function's
    `result`: an array of its shape for an array or number; for a (nested) tuple, list or
    dict of them, a container with the same items (a list for a tuple is fine, and an array
    whose first axis runs over the items of a list or tuple), each of its item's shape.
    `path` is where in the output this part sits (``[1]['a']``), for the message."""
    if not isinstance(result, (list, tuple, dict)) and not path and (
            cotangent is None or _is_sequence(cotangent) or isinstance(cotangent, dict)):
        raise ShapeError('vjp: the cotangent is a ' + type(cotangent).__name__ + '; pass an '
                         'array of the shape of the function\'s output')
    if not isinstance(result, (list, tuple, dict)) and not path and \
            cotangent is not None and _shape(cotangent) != _shape(result):
        raise ShapeError(f'vjp: the cotangent has shape {_shape(cotangent)}, but the '
                         f'function returned shape {_shape(result)}; pass one of the '
                         f'output\'s shape')
    _check_like(cotangent, result, 'output', path, 'vjp: the cotangent',
                lambda where: f'`output{where}`' if where else 'the function\'s output')


def check_tangent(tangent, x, name):
    """Raise `ShapeError` unless `tangent` has the structure and shape of the argument `x` it
    goes with: an array of its shape for an array or number; for a (nested) list, tuple or
    dict, a container with the same items (a tuple for a list is fine, and an array whose
    first axis runs over the items of a list or tuple), each of its item's shape. `name` is the
    argument, or the path of the part being checked (``params['b1']``), for the message."""
    _check_like(tangent, x, name, '', 'the tangent', lambda where: f'`{name}{where}`')


def _check_like(given, like, root, path, what, label):
    """Raise `ShapeError` unless `given` (a tangent or cotangent, `what`) has the structure
    and shapes of `like` (its argument or output, `root`); `label(path)` names a part."""
    where = label(path)
    if isinstance(like, dict):
        if not isinstance(given, dict):
            raise ShapeError(f'{what} of {where} is a {type(given).__name__}, but {where} is '
                             f'a dict; pass a dict with the same keys')
        for key in given:
            if key not in like:
                raise ShapeError(f'{what} has an entry {label(f"{path}[{key!r}]")}, but '
                                 f'{where} has no key {key!r}')
        for key, value in like.items():
            if key not in given:
                raise ShapeError(f'{what} of {label(f"{path}[{key!r}]")} is missing; pass a '
                                 f'dict with the keys of {where} (zeros of its shape for an '
                                 f'entry that does not vary)')
            _check_like(given[key], value, root, f'{path}[{key!r}]', what, label)
        return
    if isinstance(like, (list, tuple)):
        if not (_is_sequence(given) or getattr(given, 'ndim', 0) >= 1):
            raise ShapeError(f'{what} of {where} is a {type(given).__name__}, but {where} is a '
                             f'{type(like).__name__} of {len(like)} item(s); pass a '
                             f'{type(like).__name__} with one per item')
        if len(given) != len(like):
            raise ShapeError(f'{what} of {where} has {len(given)} item(s), but {where} has '
                             f'{len(like)}')
        for k, value in enumerate(like):
            _check_like(given[k], value, root, f'{path}[{k}]', what, label)
        return
    if given is None or _is_sequence(given) or isinstance(given, dict):
        if given is None and (like is None or isinstance(like, str)):
            return  # a part that is not a number: no tangent needed
        raise ShapeError(f'{what} of {where} is a {type(given).__name__}; pass an array of '
                         f'its shape, {_shape(like)}')
    if _shape(given) != _shape(like):
        raise ShapeError(f'{what} of {where} has shape {_shape(given)}, but {where} has '
                         f'shape {_shape(like)}; pass one of the '
                         f'{"argument" if root != "output" else "output"}\'s shape')


def asarray(x):
    """A list or tuple of numbers as the array a broadcasting NumPy function reads it as."""
    return np.asarray(x)


def not_shared(value, message, *others):
    """Raise `InPlaceError` (with `message`) when `value` is an array that may share memory
    with one of `others` (or, with none given, is any array): the transformation relied on
    it being a number or a separate array, which no write through another name can change."""
    if isinstance(value, (list, dict)):
        raise InPlaceError(message)
    if not _is_array(value):
        return
    for other in others or (None,):
        if other is None or not _is_array(other) or _may_share(value, other):
            raise InPlaceError(message)


def _may_share(a, b):
    if type(a).__module__.startswith('numpy') and type(b).__module__.startswith('numpy'):
        return np.may_share_memory(a, b)
    return True  # other array types: assume they may


def meta(x):
    """A stand-in for `x` that keeps its type, shape and dtype but none of its data.

    The forward sweep saves this instead of `x` where the backward sweep reads `x` only for
    its shape (``unbroadcast(g, x)``, ``like(g, x)``), so a loop's stack holds no array it does
    not need. A NumPy array becomes a read-only array whose elements all share one zero (no
    memory of its size), and so does a CuPy array, on its device; numbers, containers and other
    array types (dask's are lazy already) are returned themselves.
    """
    if type(x) is np.ndarray:
        if x.ndim == 0 or x.dtype.kind not in 'biufc':
            return x
        stand_in = np.ndarray(x.shape, x.dtype, np.zeros(1, x.dtype), 0, (0,) * x.ndim)
        stand_in.flags.writeable = False
        return stand_in
    if type(x).__module__.split('.')[0] == 'cupy' and getattr(x, 'ndim', 0) and \
            x.dtype.kind in 'biufc':
        try:  # through NumPy's dispatch, on the array's own device
            return np.broadcast_to(np.zeros_like(x, shape=()), x.shape)
        except Exception:
            return x
    return x


def select(condition, g):
    """`g` where `condition` holds and zero elsewhere (the adjoint of np.where's branches)."""
    return np.where(condition, g, 0 * g)


def __getattr__(name):
    """``s2s.untrace``, ``s2s.mT``, ...: the helpers that derivative rules define, which
    generated code calls through this module (see `rules.template_helper`)."""
    if not name.startswith('_'):
        from . import rules
        helper = rules.template_helper(name)
        if helper is not None:
            return helper
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
