"""Rules of NumPy's shape operations: joining, splitting, tiling, flipping, rolling, padding."""
import numbers

import numpy as np

from s2sgrad.rules import adjoint, d, method, tangent
from s2sgrad.runtime import unbroadcast


# -- helpers called by the templates (each has its own rules, for second order) ------------

def _is_zero(g):
    return g is None or (type(g) in (float, int) and g == 0)


def shaped_like(g, x):
    """`g` in the shape of `x` (0-d for a Python number: ``s2s.like`` makes it a float)."""
    return np.reshape(g, np.shape(x))


def _promoted_shape(shape, kind):
    """The shape `np.hstack` / `np.vstack` / `np.column_stack` give an item before joining."""
    if kind == 'hstack' and len(shape) == 0:
        return (1,)
    if kind == 'vstack' and len(shape) < 2:
        return (1,) * (2 - len(shape)) + tuple(shape)
    if kind == 'column_stack' and len(shape) < 2:
        return tuple(shape) + (1,) * (2 - len(shape)) if shape else (1, 1)
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
    raise NotImplementedError(f'unknown join {kind!r}')


def unjoin(g, items, axis=0, kind='concatenate'):
    """The adjoint of joining `items` (``np.concatenate``, ``hstack``, ...): one per item."""
    if axis is None:
        g = np.reshape(g, (-1,))
    axis, shapes = _join_layout(items, axis, kind)
    bounds = np.cumsum([shape[axis] for shape in shapes])[:-1]
    pieces = np.split(g, [int(b) for b in bounds], axis=axis)
    return [shaped_like(piece, item) for piece, item in zip(pieces, items)]


def rejoin(gitems, items, axis=0, kind='concatenate'):
    """Join the adjoints `gitems` of `items` as `unjoin` split them (zeros where one is 0)."""
    axis, shapes = _join_layout(items, axis, kind)
    present = [g for g in gitems if not _is_zero(g) and hasattr(g, 'dtype')]
    parts = []
    for g, shape in zip(gitems, shapes):
        if _is_zero(g):
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
        owners = np.repeat(np.arange(count), repeats)
        moved = np.moveaxis(g, axis, 0)
        total = np.zeros_like(moved, shape=(count,) + np.shape(moved)[1:])
        np.add.at(total, owners, moved)
        total = np.moveaxis(total, 0, axis)
    return shaped_like(total, x)


def unroll(g, shift, axis=None):
    """The adjoint of ``np.roll(x, shift, axis)``: `g` rolled back."""
    back = -shift if isinstance(shift, numbers.Integral) else tuple(-s for s in shift)
    return np.roll(g, back, axis=axis)


_PAD_MODES = ('constant', 'edge', 'reflect', 'symmetric', 'wrap')


def _pad_sources(x, pad_width, mode, reflect_type):
    """For each element of ``np.pad(x, ...)``, the flat index of the element of `x` it copies
    (-1 for the constant border)."""
    if not isinstance(mode, str) or mode not in _PAD_MODES:
        raise NotImplementedError(
            f'the derivative of np.pad with mode={mode!r} is not supported; supported modes: '
            f'{", ".join(_PAD_MODES)}')
    if mode in ('reflect', 'symmetric') and reflect_type != 'even':
        raise NotImplementedError(
            f'the derivative of np.pad with reflect_type={reflect_type!r} is not supported')
    shape = tuple(np.shape(x))
    index = np.arange(int(np.prod(shape))).reshape(shape)
    if mode == 'constant':
        return np.pad(index, pad_width, mode='constant', constant_values=-1)
    return np.pad(index, pad_width, mode=mode)


def repad(dx, x, pad_width, mode='constant', reflect_type='even'):
    """``np.pad(dx, pad_width, mode)`` with a zero border: the tangent of padding `x`."""
    sources = _pad_sources(x, pad_width, mode, reflect_type)
    flat = np.reshape(dx, (-1,))
    return np.where(sources >= 0, flat[np.maximum(sources, 0)], 0 * flat[:1].reshape(()))


def unpad(g, x, pad_width, mode='constant', reflect_type='even'):
    """The adjoint of ``np.pad(x, pad_width, mode)``: `g` summed onto the elements it copies."""
    sources = _pad_sources(x, pad_width, mode, reflect_type)
    inside = sources >= 0
    total = np.zeros_like(g, shape=(int(np.size(x)),))
    np.add.at(total, sources[inside], g[inside])
    return shaped_like(np.reshape(total, np.shape(x)), x)


def _scalar_constant(constant_values):
    if np.ndim(constant_values) != 0:
        raise NotImplementedError(
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


def _one_array(arys, name):
    if len(arys):
        raise NotImplementedError(
            f'the derivative of np.{name} of several arrays is not supported; call it once '
            f'per array')


def promote(dx, result, ndmin=1):
    """The tangent of ``result = np.atleast_<ndmin>d(x)`` (one array only)."""
    _one_array(result if isinstance(result, (list, tuple)) else (), f'atleast_{ndmin}d')
    return [np.atleast_1d, np.atleast_2d, np.atleast_3d][ndmin - 1](dx)


def unpromote(g, x, ndmin=1):
    """The adjoint of ``np.atleast_<ndmin>d(x)`` (one array only): `g` in `x`'s shape."""
    _one_array(g if isinstance(g, (list, tuple)) else (), f'atleast_{ndmin}d')
    return shaped_like(g, x)


def several_arrays(g, ndmin=1):
    """Raise: np.atleast_<ndmin>d of several differentiated arrays is not supported."""
    _one_array((g,), f"atleast_{ndmin}d")


# -- rules of the helpers --------------------------------------------------------------------

@adjoint(shaped_like)
def shaped_like_adjoint(ans, g, x):
    d[g] = shaped_like(d[ans], g)


@tangent(shaped_like)
def shaped_like_tangent(ans, g, x):
    d[ans] = shaped_like(d[g], x)


@adjoint(unjoin)
def unjoin_adjoint(ans, g, items, axis=0, kind='concatenate'):
    d[g] = rejoin(d[ans], items, axis, kind)


@tangent(unjoin)
def unjoin_tangent(ans, g, items, axis=0, kind='concatenate'):
    d[ans] = unjoin(d[g], items, axis, kind)


@adjoint(rejoin)
def rejoin_adjoint(ans, gitems, items, axis=0, kind='concatenate'):
    d[gitems] = unjoin(d[ans], items, axis, kind)


@tangent(rejoin)
def rejoin_tangent(ans, gitems, items, axis=0, kind='concatenate'):
    d[ans] = rejoin(d[gitems], items, axis, kind)


@adjoint(untile)
def untile_adjoint(ans, g, x, reps):
    d[g] = np.tile(d[ans], reps)


@tangent(untile)
def untile_tangent(ans, g, x, reps):
    d[ans] = untile(d[g], x, reps)


@adjoint(unrepeat)
def unrepeat_adjoint(ans, g, x, repeats, axis=None):
    d[g] = np.repeat(d[ans], repeats, axis=axis)


@tangent(unrepeat)
def unrepeat_tangent(ans, g, x, repeats, axis=None):
    d[ans] = unrepeat(d[g], x, repeats, axis)


@adjoint(unroll)
def unroll_adjoint(ans, g, shift, axis=None):
    d[g] = np.roll(d[ans], shift, axis=axis)


@tangent(unroll)
def unroll_tangent(ans, g, shift, axis=None):
    d[ans] = unroll(d[g], shift, axis)


@adjoint(repad)
def repad_adjoint(ans, dx, x, pad_width, mode='constant', reflect_type='even'):
    d[dx] = unpad(d[ans], x, pad_width, mode, reflect_type)


@tangent(repad)
def repad_tangent(ans, dx, x, pad_width, mode='constant', reflect_type='even'):
    d[ans] = repad(d[dx], x, pad_width, mode, reflect_type)


@adjoint(unpad)
def unpad_adjoint(ans, g, x, pad_width, mode='constant', reflect_type='even'):
    d[g] = repad(d[ans], x, pad_width, mode, reflect_type)


@tangent(unpad)
def unpad_tangent(ans, g, x, pad_width, mode='constant', reflect_type='even'):
    d[ans] = unpad(d[g], x, pad_width, mode, reflect_type)


@adjoint(pad_border)
def pad_border_adjoint(ans, dc, x, pad_width, constant_values=0):
    d[dc] = unpad_border(d[ans], x, pad_width, constant_values)


@tangent(pad_border)
def pad_border_tangent(ans, dc, x, pad_width, constant_values=0):
    d[ans] = pad_border(d[dc], x, pad_width, constant_values)


@adjoint(unpad_border)
def unpad_border_adjoint(ans, g, x, pad_width, constant_values=0):
    d[g] = pad_border(d[ans], x, pad_width, constant_values)


@tangent(unpad_border)
def unpad_border_tangent(ans, g, x, pad_width, constant_values=0):
    d[ans] = unpad_border(d[g], x, pad_width, constant_values)


@adjoint(promote)
def promote_adjoint(ans, dx, result, ndmin=1):
    d[dx] = unpromote(d[ans], dx, ndmin)


@tangent(promote)
def promote_tangent(ans, dx, result, ndmin=1):
    d[ans] = promote(d[dx], result, ndmin)


@adjoint(unpromote)
def unpromote_adjoint(ans, g, x, ndmin=1):
    d[g] = shaped_like(d[ans], g)


@tangent(unpromote)
def unpromote_tangent(ans, g, x, ndmin=1):
    d[ans] = unpromote(d[g], x, ndmin)


# -- adding and moving axes ------------------------------------------------------------------

@adjoint(np.expand_dims)
def expand_dims_adjoint(ans, a, axis):
    d[a] = shaped_like(d[ans], a)


@tangent(np.expand_dims)
def expand_dims_tangent(ans, a, axis):
    d[ans] = np.expand_dims(d[a], axis)


@adjoint(np.swapaxes)
def swapaxes_adjoint(ans, a, axis1, axis2):
    d[a] = np.swapaxes(d[ans], axis1, axis2)


@tangent(np.swapaxes)
def swapaxes_tangent(ans, a, axis1, axis2):
    d[ans] = np.swapaxes(d[a], axis1, axis2)


@adjoint(np.moveaxis)
def moveaxis_adjoint(ans, a, source, destination):
    d[a] = np.moveaxis(d[ans], destination, source)


@tangent(np.moveaxis)
def moveaxis_tangent(ans, a, source, destination):
    d[ans] = np.moveaxis(d[a], source, destination)


@adjoint(np.broadcast_to)
def broadcast_to_adjoint(ans, array, shape, subok=False):
    d[array] = unbroadcast(d[ans], array)


@tangent(np.broadcast_to)
def broadcast_to_tangent(ans, array, shape, subok=False):
    d[ans] = np.broadcast_to(d[array], shape)


@adjoint(np.atleast_1d)
def atleast_1d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 1)
    d[ary2] = several_arrays(d[ans], 1)
    d[ary3] = several_arrays(d[ans], 1)


@tangent(np.atleast_1d)
def atleast_1d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 1)
    d[ans] = several_arrays(d[ary2], 1)
    d[ans] = several_arrays(d[ary3], 1)


@adjoint(np.atleast_2d)
def atleast_2d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 2)
    d[ary2] = several_arrays(d[ans], 2)
    d[ary3] = several_arrays(d[ans], 2)


@tangent(np.atleast_2d)
def atleast_2d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 2)
    d[ans] = several_arrays(d[ary2], 2)
    d[ans] = several_arrays(d[ary3], 2)


@adjoint(np.atleast_3d)
def atleast_3d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 3)
    d[ary2] = several_arrays(d[ans], 3)
    d[ary3] = several_arrays(d[ans], 3)


@tangent(np.atleast_3d)
def atleast_3d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 3)
    d[ans] = several_arrays(d[ary2], 3)
    d[ans] = several_arrays(d[ary3], 3)


# -- joining and splitting -------------------------------------------------------------------

@adjoint(np.concatenate)
def concatenate_adjoint(ans, arrays, axis=0, out=None, *, dtype=None, casting='same_kind'):
    d[arrays] = unjoin(d[ans], arrays, axis, 'concatenate')


@tangent(np.concatenate)
def concatenate_tangent(ans, arrays, axis=0, out=None, *, dtype=None, casting='same_kind'):
    d[ans] = np.concatenate(d[arrays], axis)


@adjoint(np.hstack)
def hstack_adjoint(ans, tup, *, dtype=None, casting='same_kind'):
    d[tup] = unjoin(d[ans], tup, 0, 'hstack')


@tangent(np.hstack)
def hstack_tangent(ans, tup, *, dtype=None, casting='same_kind'):
    d[ans] = np.hstack(d[tup])


@adjoint(np.vstack)
def vstack_adjoint(ans, tup, *, dtype=None, casting='same_kind'):
    d[tup] = unjoin(d[ans], tup, 0, 'vstack')


@tangent(np.vstack)
def vstack_tangent(ans, tup, *, dtype=None, casting='same_kind'):
    d[ans] = np.vstack(d[tup])


@adjoint(np.column_stack)
def column_stack_adjoint(ans, tup):
    d[tup] = unjoin(d[ans], tup, 1, 'column_stack')


@tangent(np.column_stack)
def column_stack_tangent(ans, tup):
    d[ans] = np.column_stack(d[tup])


@adjoint(np.split, np.array_split)
def split_adjoint(ans, ary, indices_or_sections, axis=0):
    d[ary] = rejoin(d[ans], ans, axis, 'concatenate')


@tangent(np.split)
def split_tangent(ans, ary, indices_or_sections, axis=0):
    d[ans] = np.split(d[ary], indices_or_sections, axis=axis)


@tangent(np.array_split)
def array_split_tangent(ans, ary, indices_or_sections, axis=0):
    d[ans] = np.array_split(d[ary], indices_or_sections, axis=axis)


# -- copying, flipping, rolling, padding -----------------------------------------------------

@adjoint(np.tile)
def tile_adjoint(ans, A, reps):
    d[A] = untile(d[ans], A, reps)


@tangent(np.tile)
def tile_tangent(ans, A, reps):
    d[ans] = np.tile(d[A], reps)


@adjoint(np.repeat)
def repeat_adjoint(ans, a, repeats, axis=None):
    d[a] = unrepeat(d[ans], a, repeats, axis)


@tangent(np.repeat)
def repeat_tangent(ans, a, repeats, axis=None):
    d[ans] = np.repeat(d[a], repeats, axis=axis)


@adjoint(np.flip)
def flip_adjoint(ans, m, axis=None):
    d[m] = np.flip(d[ans], axis=axis)


@tangent(np.flip)
def flip_tangent(ans, m, axis=None):
    d[ans] = np.flip(d[m], axis=axis)


@adjoint(np.fliplr)
def fliplr_adjoint(ans, m):
    d[m] = np.fliplr(d[ans])


@tangent(np.fliplr)
def fliplr_tangent(ans, m):
    d[ans] = np.fliplr(d[m])


@adjoint(np.flipud)
def flipud_adjoint(ans, m):
    d[m] = np.flipud(d[ans])


@tangent(np.flipud)
def flipud_tangent(ans, m):
    d[ans] = np.flipud(d[m])


@adjoint(np.roll)
def roll_adjoint(ans, a, shift, axis=None):
    d[a] = unroll(d[ans], shift, axis)


@tangent(np.roll)
def roll_tangent(ans, a, shift, axis=None):
    d[ans] = np.roll(d[a], shift, axis=axis)


@adjoint(np.rot90)
def rot90_adjoint(ans, m, k=1, axes=(0, 1)):
    d[m] = np.rot90(d[ans], -k, axes)


@tangent(np.rot90)
def rot90_tangent(ans, m, k=1, axes=(0, 1)):
    d[ans] = np.rot90(d[m], k, axes)


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


method('swapaxes', np.swapaxes)
method('repeat', np.repeat)
