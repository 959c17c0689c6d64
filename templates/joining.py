"""Rules of NumPy's joining, splitting, tiling, repeating and padding of arrays."""
import numpy as np

from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import adjoint, d, linear, tangent
from s2sgrad.runtime import add_at, unstack
from s2sgrad.runtime_indexing import _scatter_add
from s2sgrad.runtime_values import _is_lazy, array_module, is_zero

from .shaping import shaped_like


# -- helpers called by the templates (each has its own rules, for second order) ------------

def _promoted_shape(shape, kind):
    """The shape `np.hstack` / `vstack` / `column_stack` / `dstack` give an item before joining
    (`dstack`: ``np.atleast_3d``'s, (N,) -> (1, N, 1), (M, N) -> (M, N, 1))."""
    if kind == 'hstack' and len(shape) == 0:
        return (1,)
    if kind == 'vstack' and len(shape) < 2:
        return (1,) * (2 - len(shape)) + tuple(shape)
    if kind == 'column_stack' and len(shape) < 2:
        return tuple(shape) + (1,) * (2 - len(shape)) if shape else (1, 1)
    if kind == 'dstack' and len(shape) < 3:
        return ((1, 1, 1), (1,) + tuple(shape) + (1,), tuple(shape) + (1,))[len(shape)]
    return tuple(shape)


def _join_layout(items, axis, kind):
    """The axis along which the items are joined and each item's shape as it is joined
    (``concatenate(axis=None)`` joins the flattened items along axis 0)."""
    shapes = [tuple(np.shape(item)) for item in items]
    if kind == 'concatenate':
        if axis is None:
            return 0, [(int(np.prod(shape)),) for shape in shapes]
        return axis, shapes
    shapes = [_promoted_shape(shape, kind) for shape in shapes]
    if kind == 'hstack':
        return (0 if shapes and len(shapes[0]) == 1 else 1), shapes
    if kind == 'vstack':
        return 0, shapes
    if kind == 'column_stack':
        return 1, shapes
    if kind == 'dstack':
        return 2, shapes
    raise unsupported(f'unknown join {kind!r}')


def unjoin(g, items, axis=0, kind='concatenate'):
    """The adjoint of joining `items` (``np.concatenate``, ``hstack``, ...): one per item."""
    if axis == 0 and kind == 'concatenate' and type(g) is np.ndarray:  # the common case first
        pieces, start = [], 0
        for item in items:
            if type(item) is not np.ndarray or not item.ndim:
                break
            stop = start + item.shape[0]
            pieces.append(g[start:stop])
            start = stop
        else:
            return pieces if type(items) is tuple else _items_like(pieces, items)
    if axis is None:
        g = np.reshape(g, (-1,))
    axis, shapes = _join_layout(items, axis, kind)
    before = (slice(None),) * (axis % len(np.shape(g)))
    pieces, start = [], 0
    for shape in shapes:  # (slices, as np.split makes them: dask has no np.split)
        pieces.append(g[before + (slice(start, start + shape[axis]),)])
        start += shape[axis]
    pieces = [shaped_like(piece, item) for piece, item in zip(pieces, items)]
    return _items_like(pieces, items)


def _items_like(pieces, items):
    """The adjoints `pieces` of the items of `items`: a list for a list or tuple, and for an
    array whose rows were joined (``np.concatenate(x)`` of a matrix), the array of them."""
    if isinstance(items, (list, tuple)) or not hasattr(items, 'shape'):
        return pieces
    if not pieces:
        return array_module(items).zeros(np.shape(items))
    return array_module(pieces[0]).stack(pieces)


def rejoin(gitems, items, axis=0, kind='concatenate'):
    """Join the adjoints `gitems` of `items` as `unjoin` split them (zeros where one is 0)."""
    axis, shapes = _join_layout(items, axis, kind)
    present = [g for g in gitems if not is_zero(g) and hasattr(g, 'dtype')]
    parts = []
    for g, shape in zip(gitems, shapes):
        if is_zero(g):
            parts.append(np.zeros_like(present[0], shape=shape) if present else np.zeros(shape))
        else:
            parts.append(np.reshape(g, shape))
    return np.concatenate(parts, axis=axis)


def untile(g, x, reps):
    """The adjoint of ``np.tile(x, reps)``: `g` summed over the copies, in `x`'s shape."""
    shape = tuple(np.shape(x))
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + shape
    reps = (1,) * (ndim - len(reps)) + reps
    g = np.reshape(g, [k for pair in zip(reps, shape) for k in pair])
    return shaped_like(np.sum(g, axis=tuple(range(0, 2 * ndim, 2))), x)


def diagonal_values(v, count):
    """The values ``np.fill_diagonal(a, v)`` writes on a diagonal of `count` entries: `v`
    flattened, repeated or cut to `count` as NumPy does (no values are refused: NumPy then
    writes none)."""
    flat = np.reshape(v, (-1,))
    size = flat.shape[0]
    if size == count:
        return flat
    if size == 0:
        raise unsupported('np.fill_diagonal with no values (NumPy writes none): leave the call '
                          'out where the values are empty')
    return np.tile(flat, -(-count // size))[:count]


def undiagonal_values(g, v, count):
    """The adjoint of `diagonal_values` for `v`: the adjoints of each value's copies added
    up, in the shape of `v`."""
    size = int(np.size(v))
    g = np.reshape(g, (-1,))
    if size != count:
        copies = -(-count // size)
        g = np.concatenate([g, np.zeros_like(g, shape=(copies * size - count,))])
        g = np.sum(np.reshape(g, (copies, size)), axis=0)
    return shaped_like(g, v)


def unrepeat(g, x, repeats, axis=None):
    """The adjoint of ``np.repeat(x, repeats, axis)``: each element gets the sum of its copies."""
    shape = tuple(np.shape(x))
    if axis is None:
        g = np.reshape(g, (-1,))
        count, axis = int(np.prod(shape)), 0
    else:
        axis = axis % len(shape)
        count = shape[axis]
    if np.ndim(repeats) == 0:
        gshape = np.shape(g)
        g = np.reshape(g, gshape[:axis] + (count, int(repeats)) + gshape[axis + 1:])
        total = np.sum(g, axis=axis + 1)
    else:
        owners = np.repeat(array_module(g).arange(count), repeats)
        moved = np.moveaxis(g, axis, 0)
        total = np.zeros_like(moved, shape=(count,) + np.shape(moved)[1:])
        _scatter_add(total, owners, moved)
        total = np.moveaxis(total, 0, axis)
    return shaped_like(total, x)


_PAD_MODES = ('constant', 'edge', 'reflect', 'symmetric', 'wrap')


def _pad_sources(x, pad_width, mode, reflect_type):
    """For each element of ``np.pad(x, ...)``, the flat index of the element of `x` it copies
    (-1 for the constant border)."""
    if not isinstance(mode, str) or mode not in _PAD_MODES:
        raise unsupported(
            f'the derivative of np.pad with mode={mode!r} is not supported; supported modes: '
            f'{", ".join(_PAD_MODES)}')
    if mode in ('reflect', 'symmetric') and reflect_type != 'even':
        raise unsupported(
            f'the derivative of np.pad with reflect_type={reflect_type!r} is not supported')
    shape = tuple(np.shape(x))
    index = array_module(x).arange(int(np.prod(shape))).reshape(shape)
    if mode == 'constant':
        return np.pad(index, pad_width, mode='constant', constant_values=-1)
    return np.pad(index, pad_width, mode=mode)


def repad(dx, x, pad_width, mode='constant', reflect_type='even'):
    """``np.pad(dx, pad_width, mode)`` with a zero border: the tangent of padding `x`."""
    sources = _pad_sources(x, pad_width, mode, reflect_type)
    if 0 in np.shape(dx):  # (an empty `x`: its padding is all border)
        return np.zeros_like(sources, dtype=np.result_type(dx, 0.0))
    flat = np.reshape(dx, (-1,))
    if _is_lazy(flat):  # (dask reads at one 1-D integer array)
        copied = np.reshape(np.take(flat, np.ravel(np.maximum(sources, 0))), np.shape(sources))
    else:
        copied = flat[np.maximum(sources, 0)]
    return np.where(sources >= 0, copied, 0 * flat[:1].reshape(()))


def unpad(g, x, pad_width, mode='constant', reflect_type='even'):
    """The adjoint of ``np.pad(x, pad_width, mode)``: `g` summed onto the elements it copies."""
    sources = _pad_sources(x, pad_width, mode, reflect_type)
    inside = sources >= 0
    total = np.zeros_like(g, shape=(int(np.prod(np.shape(x))),))
    if _is_lazy(g):  # dask can neither np.add.at nor read a mask without computing it
        inside = np.flatnonzero(inside)
        total = add_at(total, np.ravel(sources)[inside], np.take(np.reshape(g, (-1,)), inside))
    else:
        _scatter_add(total, sources[inside], g[inside])
    return shaped_like(np.reshape(total, np.shape(x)), x)


def _scalar_constant(constant_values):
    if np.ndim(constant_values) != 0:
        raise unsupported(
            'the derivative of np.pad with respect to constant_values is only supported for '
            'one scalar constant')


def pad_border(dc, x, pad_width, constant_values=0):
    """The tangent of ``np.pad(x, pad_width, constant_values=c)`` along `c`: `dc` on the
    border, zero inside."""
    _scalar_constant(constant_values)
    border = _pad_sources(x, pad_width, 'constant', 'even') < 0
    return border * dc


def unpad_border(g, x, pad_width, constant_values=0):
    """The adjoint of the scalar constant `c` of ``np.pad``: `g` summed over the border."""
    _scalar_constant(constant_values)
    border = _pad_sources(x, pad_width, 'constant', 'even') < 0
    return np.sum(g * border)


# -- rules of the helpers --------------------------------------------------------------------

@adjoint(unjoin)
def unjoin_adjoint(ans, g, items, axis=0, kind='concatenate'):
    d[g] = rejoin(d[ans], items, axis, kind)


linear(unjoin, 'd[g], items, axis, kind')


@adjoint(rejoin)
def rejoin_adjoint(ans, gitems, items, axis=0, kind='concatenate'):
    d[gitems] = unjoin(d[ans], items, axis, kind)


linear(rejoin, 'd[gitems], items, axis, kind')


@adjoint(untile)
def untile_adjoint(ans, g, x, reps):
    d[g] = np.tile(d[ans], reps)


linear(untile, 'd[g], x, reps')


@adjoint(diagonal_values)
def diagonal_values_adjoint(ans, v, count):
    d[v] = undiagonal_values(d[ans], v, count)


linear(diagonal_values, 'd[v], count')


@adjoint(undiagonal_values)
def undiagonal_values_adjoint(ans, g, v, count):
    d[g] = diagonal_values(d[ans], count)


linear(undiagonal_values, 'd[g], v, count')


@adjoint(unrepeat)
def unrepeat_adjoint(ans, g, x, repeats, axis=None):
    d[g] = np.repeat(d[ans], repeats, axis=axis)


linear(unrepeat, 'd[g], x, repeats, axis')


@adjoint(repad)
def repad_adjoint(ans, dx, x, pad_width, mode='constant', reflect_type='even'):
    d[dx] = unpad(d[ans], x, pad_width, mode, reflect_type)


linear(repad, 'd[dx], x, pad_width, mode, reflect_type')


@adjoint(unpad)
def unpad_adjoint(ans, g, x, pad_width, mode='constant', reflect_type='even'):
    d[g] = repad(d[ans], x, pad_width, mode, reflect_type)


linear(unpad, 'd[g], x, pad_width, mode, reflect_type')


@adjoint(pad_border)
def pad_border_adjoint(ans, dc, x, pad_width, constant_values=0):
    d[dc] = unpad_border(d[ans], x, pad_width, constant_values)


linear(pad_border, 'd[dc], x, pad_width, constant_values')


@adjoint(unpad_border)
def unpad_border_adjoint(ans, g, x, pad_width, constant_values=0):
    d[g] = pad_border(d[ans], x, pad_width, constant_values)


linear(unpad_border, 'd[g], x, pad_width, constant_values')


# -- joining and splitting -------------------------------------------------------------------

@adjoint(np.concatenate)
def concatenate_adjoint(ans, arrays, axis=0, out=None, *, dtype=None, casting='same_kind'):
    d[arrays] = unjoin(d[ans], arrays, axis, 'concatenate')


linear(np.concatenate, 'd[arrays], axis')


@adjoint(np.hstack)
def hstack_adjoint(ans, tup, *, dtype=None, casting='same_kind'):
    d[tup] = unjoin(d[ans], tup, 0, 'hstack')


linear(np.hstack, 'd[tup]')


@adjoint(np.vstack)
def vstack_adjoint(ans, tup, *, dtype=None, casting='same_kind'):
    d[tup] = unjoin(d[ans], tup, 0, 'vstack')


linear(np.vstack, 'd[tup]')


@adjoint(np.column_stack)
def column_stack_adjoint(ans, tup):
    d[tup] = unjoin(d[ans], tup, 1, 'column_stack')


linear(np.column_stack, 'd[tup]')


@adjoint(np.dstack)
def dstack_adjoint(ans, tup):
    d[tup] = unjoin(d[ans], tup, 2, 'dstack')


linear(np.dstack, 'd[tup]')


@adjoint(np.stack)
def stack(ans, arrays, axis=0, out=None):
    d[arrays] = unstack(d[ans], arrays, axis)


linear(np.stack, 'd[arrays], axis=axis')


@adjoint(np.split, np.array_split)
def split_adjoint(ans, ary, indices_or_sections, axis=0):
    d[ary] = rejoin(d[ans], ans, axis, 'concatenate')


linear(np.split, 'd[ary], indices_or_sections, axis=axis')


linear(np.array_split, 'd[ary], indices_or_sections, axis=axis')


# -- copying and padding --------------------------------------------------------------------

@adjoint(np.tile)
def tile_adjoint(ans, A, reps):
    d[A] = untile(d[ans], A, reps)


linear(np.tile, 'd[A], reps')


@adjoint(np.repeat)
def repeat_adjoint(ans, a, repeats, axis=None):
    d[a] = unrepeat(d[ans], a, repeats, axis)


linear(np.repeat, 'd[a], repeats, axis=axis')


@adjoint(np.pad)
def pad_adjoint(ans, array, pad_width, mode='constant', *, stat_length=None,
                constant_values=0, end_values=0, reflect_type='even'):
    d[array] = unpad(d[ans], array, pad_width, mode, reflect_type)
    d[constant_values] = unpad_border(d[ans], array, pad_width, constant_values)


@tangent(np.pad)
def pad_tangent(ans, array, pad_width, mode='constant', *, stat_length=None,
                constant_values=0, end_values=0, reflect_type='even'):
    d[ans] = repad(d[array], array, pad_width, mode, reflect_type)
    d[ans] = pad_border(d[constant_values], array, pad_width, constant_values)


# -- np.vsplit, np.hsplit, np.dsplit (np.split along axis 0, 1 (0 of a vector), 2) -------------

@adjoint(np.vsplit)
def vsplit_adjoint(ans, ary, indices_or_sections):
    d[ary] = rejoin(d[ans], ans, 0, 'vstack')


linear(np.vsplit, 'd[ary], indices_or_sections')


@adjoint(np.hsplit)
def hsplit_adjoint(ans, ary, indices_or_sections):
    d[ary] = rejoin(d[ans], ans, 0, 'hstack')


linear(np.hsplit, 'd[ary], indices_or_sections')


@adjoint(np.dsplit)
def dsplit_adjoint(ans, ary, indices_or_sections):
    d[ary] = rejoin(d[ans], ans, 2)


linear(np.dsplit, 'd[ary], indices_or_sections')


# -- np.append (np.concatenate of two arrays; of the flattened arrays when axis is None) --------

@adjoint(np.append)
def append_adjoint(ans, arr, values, axis=None):
    parts = unjoin(d[ans], [arr, values], axis)
    d[arr] = parts[0]
    d[values] = parts[1]


@tangent(np.append)
def append_tangent(ans, arr, values, axis=None):
    d[ans] = np.append(d[arr], np.zeros_like(values), axis=axis)
    d[ans] = np.append(np.zeros_like(arr), d[values], axis=axis)


# -- np.row_stack: np.vstack under its old name (deprecated in NumPy 2.0, absent in later ones)

if hasattr(np, 'row_stack') and np.row_stack is not np.vstack:
    @adjoint(np.row_stack)
    def row_stack_adjoint(ans, tup, *, dtype=None, casting='same_kind'):
        d[tup] = unjoin(d[ans], tup, 0, 'vstack')

    @tangent(np.row_stack)
    def row_stack_tangent(ans, tup, *, dtype=None, casting='same_kind'):
        d[ans] = np.vstack(d[tup])
