"""Rules of NumPy indexing, sorting, diagonal and product functions (take, sort, einsum, ...)."""
import numpy as np

from s2sgrad.rules import adjoint, d, method, nondifferentiable, tangent
from s2sgrad.runtime import like, reshape_like, select, unbroadcast


def _ndim(x):
    return len(getattr(x, 'shape', ()))


def _shape(x):
    return tuple(getattr(x, 'shape', ()))


def _is_zero(g):
    return g is None or (type(g) in (float, int) and g == 0)


def _zeros(x, g=None):
    """Zeros shaped like `x` (an array of its module), with the dtype of `x` and `g` combined."""
    dtype = np.result_type(x, g) if g is not None and hasattr(g, 'dtype') else None
    if not hasattr(x, 'shape'):
        x = np.asarray(x)
    out = np.zeros_like(x, dtype=dtype)
    return out if out.dtype.kind in 'fc' else out.astype(float)


# -- private helpers: index bookkeeping (no derivative) ----------------------------------------

def take_index(a, indices, axis=None, mode='raise'):
    """The index that ``np.take(a, indices, axis, mode=mode)`` reads, for ``x[index]``."""
    size = int(np.prod(_shape(a))) if axis is None else _shape(a)[axis]
    if mode == 'wrap':
        indices = np.mod(indices, size)
    elif mode == 'clip':
        indices = np.clip(indices, 0, size - 1)
    if axis is None:
        return indices
    return (slice(None),) * (axis % _ndim(a)) + (indices,)


def along_axis_index(arr, indices, axis=-1):
    """The fancy index that ``np.take_along_axis(arr, indices, axis)`` reads."""
    if axis is None:
        return indices
    ndim = indices.ndim
    axis = axis % ndim
    index = []
    for dim in range(ndim):
        if dim == axis:
            index.append(indices)
        else:
            shape = [1] * ndim
            shape[dim] = _shape(arr)[dim]
            index.append(np.arange(_shape(arr)[dim]).reshape(shape))
    return tuple(index)


def sort_order(a, axis=-1, kind=None, stable=None):
    """The permutation that sorts `a` along `axis` (of the flattened `a` when axis is None)."""
    if axis is None:
        return np.argsort(np.ravel(a), kind='stable')
    return np.argsort(a, axis=axis, kind='stable')


def none_true(condlist):
    """Where none of the conditions of ``np.select`` holds (where the default is chosen)."""
    chosen = False
    for condition in condlist:
        chosen = np.logical_or(chosen, condition)
    return np.logical_not(chosen)


def inner_axes(a, b, position):
    """The ``axes=`` of the tensordot giving the adjoint of ``np.inner(a, b)``'s `position`."""
    contracted = 1 if _ndim(a) > 0 and _ndim(b) > 0 else 0
    na, nb = _ndim(a) - contracted, _ndim(b) - contracted
    if position == 0:
        return list(range(na, na + nb)), list(range(nb))
    return list(range(na)), list(range(na))


def _tensordot_axes(a, b, axes):
    na, nb = _ndim(a), _ndim(b)
    if isinstance(axes, (int, np.integer)):
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    axes_a = [int(i) % na for i in axes_a]
    axes_b = [int(i) % nb for i in axes_b]
    free_a = [i for i in range(na) if i not in axes_a]
    free_b = [i for i in range(nb) if i not in axes_b]
    return axes_a, axes_b, free_a, free_b


def tensordot_axes(a, b, axes, position):
    """The ``axes=`` of the tensordot giving the adjoint of ``np.tensordot(a, b, axes)``."""
    axes_a, axes_b, free_a, free_b = _tensordot_axes(a, b, axes)
    if position == 0:  # tensordot(g, b): contract the free axes of b
        return list(range(len(free_a), len(free_a) + len(free_b))), free_b
    return free_a, list(range(len(free_a)))  # tensordot(a, g): contract the free axes of a


def tensordot_order(a, b, axes, position):
    """The transpose putting that tensordot's result in the axis order of the argument."""
    axes_a, axes_b, free_a, free_b = _tensordot_axes(a, b, axes)
    if position == 0:
        perm = free_a + [axes_a[axes_b.index(j)] for j in sorted(axes_b)]
    else:
        perm = [axes_b[axes_a.index(i)] for i in sorted(axes_a)] + free_b
    return tuple(int(i) for i in np.argsort(perm))


def kron_shape(a, b):
    """The shape ``(a0, b0, a1, b1, ...)`` into which ``np.kron(a, b)`` splits its axes."""
    ndim = max(_ndim(a), _ndim(b))
    pa, pb = kron_pad(a, b), kron_pad(b, a)
    return tuple(n for i in range(ndim) for n in (pa[i], pb[i]))


def kron_pad(x, other):
    """The shape of `x` with leading ones up to the dimensions of ``np.kron(x, other)``."""
    ndim = max(_ndim(x), _ndim(other))
    return (1,) * (ndim - _ndim(x)) + _shape(x)


def kron_axes(a, b, position):
    """The ``axes=`` contracting the split adjoint of np.kron with the other argument."""
    ndim = max(_ndim(a), _ndim(b))
    other = 1 if position == 0 else 0
    return list(range(other, 2 * ndim, 2)), list(range(ndim))


def _einsum_parts(subscripts, operands):
    if not isinstance(subscripts, str):
        raise NotImplementedError(
            's2sgrad differentiates np.einsum only with a subscripts string (not the '
            'interleaved operand, sublist form)')
    spec = subscripts.replace(' ', '')
    if '.' in spec or '->' not in spec:
        raise NotImplementedError(
            f's2sgrad differentiates np.einsum only with explicit output subscripts and no '
            f'ellipsis ("ij,jk->ik"), not {subscripts!r}')
    inputs, output = spec.split('->')
    inputs = inputs.split(',')
    if operands > 2 or len(inputs) > 2:
        raise NotImplementedError(
            f's2sgrad differentiates np.einsum of one or two operands only, not of '
            f'{max(operands, len(inputs))} ({subscripts!r}): chain einsums of two operands')
    if len(inputs) != operands:
        raise ValueError(f'np.einsum: {subscripts!r} names {len(inputs)} operands, '
                         f'but {operands} were given')
    for item in inputs:
        if len(set(item)) != len(item):
            raise NotImplementedError(
                f's2sgrad does not differentiate np.einsum with a repeated index in one '
                f'operand ({item!r} in {subscripts!r}); take np.diagonal first')
    return inputs, output


def einsum_checked(subscripts, b=None, more=()):
    """`subscripts` once checked to be a form whose derivative s2sgrad supports (or raise)."""
    _einsum_parts(subscripts, (1 if b is None else 2) + len(more))
    return subscripts


def einsum_sublist_form(subscripts, tangent=None):
    """Raise: a differentiated first argument of np.einsum is an operand of the interleaved
    (sublist) form ``np.einsum(x, [0, 1], [])``, whose derivative s2sgrad lacks."""
    from s2sgrad.errors import NoRuleError
    raise NoRuleError(
        's2sgrad differentiates np.einsum only with a subscripts string (not the interleaved '
        'operand, sublist form np.einsum(x, [0, 1], ...)); write np.einsum("ij->", x)')


def einsum_spec(subscripts, position, b=None, more=()):
    """The subscripts of the einsum giving the adjoint of operand `position`."""
    inputs, output = _einsum_parts(subscripts, (1 if b is None else 2) + len(more))
    others = [output] + inputs[:position] + inputs[position + 1:]
    present = set(''.join(others))
    return ','.join(others) + '->' + ''.join(c for c in inputs[position] if c in present)


def einsum_shape(subscripts, position, x, b=None):
    """The shape of operand `x` with ones for indices only it has (summed over in einsum)."""
    inputs, output = _einsum_parts(subscripts, 1 if b is None else 2)
    present = set(''.join([output] + inputs[:position] + inputs[position + 1:]))
    return tuple(n if c in present else 1 for c, n in zip(inputs[position], _shape(x)))


def cross_axis(a, b, which, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The vector axis `which` ('a', 'b' or 'c') of ``np.cross``, checked to hold 3-vectors."""
    if axis is not None:
        axisa = axisb = axisc = axis
    if _shape(a)[axisa] != 3 or _shape(b)[axisb] != 3:
        raise NotImplementedError('s2sgrad differentiates np.cross of 3-vectors only')
    return {'a': axisa, 'b': axisb, 'c': axisc}[which]


def cross_order(x, vector_axis, inverse=False):
    """The transpose moving axis `vector_axis` of `x` last (or back, when `inverse`)."""
    ndim = _ndim(x)
    vector_axis = vector_axis % ndim
    perm = [i for i in range(ndim) if i != vector_axis] + [vector_axis]
    return tuple(int(i) for i in np.argsort(perm)) if inverse else tuple(perm)


nondifferentiable(take_index, along_axis_index, sort_order, none_true, inner_axes,
                  tensordot_axes, tensordot_order, kron_shape, kron_pad, kron_axes,
                  einsum_checked, einsum_spec, einsum_shape, cross_axis, cross_order,
                  einsum_sublist_form)


# -- private helpers: linear maps that adjoints use (with rules of their own) ---------------

def untake(g, a, indices, axis=None, mode='raise'):
    """The adjoint of ``np.take(a, indices, axis)``: zeros like `a`, `g` added at the indices."""
    out = _zeros(a, g)
    index = take_index(a, indices, axis, mode)
    if _is_zero(g):
        return out
    if axis is None:
        flat = np.ravel(out)
        np.add.at(flat, index, g)
        return np.reshape(flat, _shape(out))
    np.add.at(out, index, g)
    return out


def untake_along_axis(g, arr, indices, axis=-1):
    """The adjoint of ``np.take_along_axis(arr, indices, axis)``: `g` added at the indices."""
    out = _zeros(arr, g)
    if _is_zero(g):
        return out
    if axis is None:
        flat = np.ravel(out)
        np.add.at(flat, indices, g)
        return np.reshape(flat, _shape(out))
    np.add.at(out, along_axis_index(arr, indices, axis), g)
    return out


def undiagonal(g, a, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.diagonal(a, offset, axis1, axis2)``: `g` on that diagonal of zeros."""
    out = _zeros(a, g)
    if _is_zero(g):
        return out
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    steps = np.arange(np.shape(g)[-1])
    view[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
    return out


def undiag(g, v, k=0):
    """The adjoint of ``np.diag(v, k)``: the k-th diagonal of `g` for a vector `v`, else `g` on
    the k-th diagonal of zeros shaped like the matrix `v`."""
    if _ndim(v) == 1:
        return np.diag(g, k)
    return undiagonal(g, v, k, 0, 1)


def unsort(g, a, axis=-1, kind=None, stable=None):
    """The adjoint of ``np.sort(a, axis)``: `g` scattered back through the sorting permutation."""
    order = sort_order(a, axis, kind, stable)
    if axis is None:
        out = _zeros(np.ravel(a), g)
        out[order] = g
        return np.reshape(out, _shape(a))
    out = _zeros(a, g)
    if _is_zero(g):
        return out
    np.put_along_axis(out, order, g, axis)
    return out


def resort(h, a, axis=-1, kind=None, stable=None):
    """`h` permuted like ``np.sort(a, axis)`` permutes `a` (the tangent of np.sort)."""
    order = sort_order(a, axis, kind, stable)
    if axis is None:
        return np.ravel(h)[order]
    return np.take_along_axis(h, order, axis)


def unselect(g, condlist, choicelist):
    """The adjoint of the choices of ``np.select``: one adjoint per choice, `g` where chosen."""
    taken = False
    adjoints = []
    for condition, choice in zip(condlist, choicelist):
        mask = np.logical_and(condition, np.logical_not(taken))
        taken = np.logical_or(taken, condition)
        adjoints.append(unbroadcast(np.where(mask, g, 0 * g), choice))
    return adjoints


def reselect(bitems, g, condlist):
    """The adjoint of `unselect`: each item where its condition is the first to hold, summed
    into the shape of `g` (also the tangent of np.select in its choices)."""
    total = _zeros(g)
    taken = False
    for condition, item in zip(condlist, bitems):
        mask = np.logical_and(condition, np.logical_not(taken))
        taken = np.logical_or(taken, condition)
        if not _is_zero(item):
            total = total + np.where(mask, item, 0 * item)
    return total


def contract(subscripts, a, b=None, *more, out=None, optimize=False, dtype=None, order='K',
             casting='safe'):
    """``np.einsum(subscripts, a)`` or ``np.einsum(subscripts, a, b)`` (`b` None: one operand)."""
    operands = (a,) if b is None else (a, b)
    return np.einsum(subscripts, *operands, *more, optimize=optimize, dtype=dtype, order=order,
                     casting=casting)


# -- np.take, np.take_along_axis -----------------------------------------------------------

@adjoint(np.take)
def take_adjoint(ans, a, indices, axis=None, out=None, mode='raise'):
    d[a] = untake(d[ans], a, indices, axis, mode)


@tangent(np.take)
def take_tangent(ans, a, indices, axis=None, out=None, mode='raise'):
    d[ans] = np.take(d[a], indices, axis=axis, mode=mode)


@adjoint(untake)
def untake_adjoint(ans, g, a, indices, axis=None, mode='raise'):
    d[g] = np.take(d[ans], indices, axis=axis, mode=mode)


@tangent(untake)
def untake_tangent(ans, g, a, indices, axis=None, mode='raise'):
    d[ans] = untake(d[g], a, indices, axis, mode)


@adjoint(np.take_along_axis)
def take_along_axis_adjoint(ans, arr, indices, axis=-1):
    d[arr] = untake_along_axis(d[ans], arr, indices, axis)


@tangent(np.take_along_axis)
def take_along_axis_tangent(ans, arr, indices, axis=-1):
    d[ans] = np.take_along_axis(d[arr], indices, axis)


@adjoint(untake_along_axis)
def untake_along_axis_adjoint(ans, g, arr, indices, axis=-1):
    d[g] = np.take_along_axis(d[ans], indices, axis)


@tangent(untake_along_axis)
def untake_along_axis_tangent(ans, g, arr, indices, axis=-1):
    d[ans] = untake_along_axis(d[g], arr, indices, axis)


# -- np.diag, np.diagonal, np.triu, np.tril ------------------------------------------------

@adjoint(np.diag)
def diag_adjoint(ans, v, k=0):
    d[v] = undiag(d[ans], v, k)


@tangent(np.diag)
def diag_tangent(ans, v, k=0):
    d[ans] = np.diag(d[v], k)


@adjoint(undiag)
def undiag_adjoint(ans, g, v, k=0):
    d[g] = np.diag(d[ans], k)


@tangent(undiag)
def undiag_tangent(ans, g, v, k=0):
    d[ans] = undiag(d[g], v, k)


@adjoint(np.diagonal)
def diagonal_adjoint(ans, a, offset=0, axis1=0, axis2=1):
    d[a] = undiagonal(d[ans], a, offset, axis1, axis2)


@tangent(np.diagonal)
def diagonal_tangent(ans, a, offset=0, axis1=0, axis2=1):
    d[ans] = np.diagonal(d[a], offset, axis1, axis2)


@adjoint(undiagonal)
def undiagonal_adjoint(ans, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.diagonal(d[ans], offset, axis1, axis2)


@tangent(undiagonal)
def undiagonal_tangent(ans, g, a, offset=0, axis1=0, axis2=1):
    d[ans] = undiagonal(d[g], a, offset, axis1, axis2)


@adjoint(np.triu)
def triu_adjoint(ans, m, k=0):
    d[m] = like(unbroadcast(np.triu(d[ans], k), m), m)


@tangent(np.triu)
def triu_tangent(ans, m, k=0):
    d[ans] = np.triu(d[m], k)


@adjoint(np.tril)
def tril_adjoint(ans, m, k=0):
    d[m] = like(unbroadcast(np.tril(d[ans], k), m), m)


@tangent(np.tril)
def tril_tangent(ans, m, k=0):
    d[ans] = np.tril(d[m], k)


# -- np.select, np.sort ---------------------------------------------------------------------

@adjoint(np.select)
def select_adjoint(ans, condlist, choicelist, default=0):
    d[choicelist] = unselect(d[ans], condlist, choicelist)
    d[default] = like(unbroadcast(select(none_true(condlist), d[ans]), default), default)


@tangent(np.select)
def select_tangent(ans, condlist, choicelist, default=0):
    d[ans] = reselect(d[choicelist], ans, condlist)
    d[ans] = np.where(none_true(condlist), d[default], np.zeros_like(ans))


@adjoint(unselect)
def unselect_adjoint(ans, g, condlist, choicelist):
    d[g] = reselect(d[ans], g, condlist)


@tangent(unselect)
def unselect_tangent(ans, g, condlist, choicelist):
    d[ans] = unselect(d[g], condlist, choicelist)


@adjoint(reselect)
def reselect_adjoint(ans, bitems, g, condlist):
    d[bitems] = unselect(d[ans], condlist, bitems)


@tangent(reselect)
def reselect_tangent(ans, bitems, g, condlist):
    d[ans] = reselect(d[bitems], g, condlist)


@adjoint(np.sort)
def sort_adjoint(ans, a, axis=-1, kind=None, order=None, *, stable=None):
    d[a] = unsort(d[ans], a, axis, kind, stable)


@tangent(np.sort)
def sort_tangent(ans, a, axis=-1, kind=None, order=None, *, stable=None):
    d[ans] = resort(d[a], a, axis, kind, stable)


@adjoint(unsort)
def unsort_adjoint(ans, g, a, axis=-1, kind=None, stable=None):
    d[g] = resort(d[ans], a, axis, kind, stable)


@tangent(unsort)
def unsort_tangent(ans, g, a, axis=-1, kind=None, stable=None):
    d[ans] = unsort(d[g], a, axis, kind, stable)


@adjoint(resort)
def resort_adjoint(ans, h, a, axis=-1, kind=None, stable=None):
    d[h] = unsort(d[ans], a, axis, kind, stable)


@tangent(resort)
def resort_tangent(ans, h, a, axis=-1, kind=None, stable=None):
    d[ans] = resort(d[h], a, axis, kind, stable)


# -- products: outer, inner, tensordot, einsum, kron, vdot, cross ----------------------------

@adjoint(np.outer)
def outer_adjoint(ans, a, b, out=None):
    d[a] = reshape_like(np.dot(d[ans], np.ravel(b)), a)
    d[b] = reshape_like(np.dot(np.ravel(a), d[ans]), b)


@tangent(np.outer)
def outer_tangent(ans, a, b, out=None):
    d[ans] = np.outer(d[a], b)
    d[ans] = np.outer(a, d[b])


@adjoint(np.inner)
def inner_adjoint(ans, a, b):
    d[a] = like(np.tensordot(d[ans], b, axes=inner_axes(a, b, 0)), a)
    d[b] = like(np.tensordot(d[ans], a, axes=inner_axes(a, b, 1)), b)


@tangent(np.inner)
def inner_tangent(ans, a, b):
    d[ans] = np.inner(d[a], b)
    d[ans] = np.inner(a, d[b])


@adjoint(np.tensordot)
def tensordot_adjoint(ans, a, b, axes=2):
    d[a] = np.transpose(np.tensordot(d[ans], b, axes=tensordot_axes(a, b, axes, 0)),
                        tensordot_order(a, b, axes, 0))
    d[b] = np.transpose(np.tensordot(a, d[ans], axes=tensordot_axes(a, b, axes, 1)),
                        tensordot_order(a, b, axes, 1))


@tangent(np.tensordot)
def tensordot_tangent(ans, a, b, axes=2):
    d[ans] = np.tensordot(d[a], b, axes=axes)
    d[ans] = np.tensordot(a, d[b], axes=axes)


@adjoint(np.einsum, contract)
def einsum_adjoint(ans, subscripts, a, b=None, *more, out=None, optimize=False, dtype=None,
                   order='K', casting='safe'):
    d[subscripts] = einsum_sublist_form(subscripts)
    d[a] = np.reshape(contract(einsum_spec(subscripts, 0, b, more), d[ans], b),
                      einsum_shape(subscripts, 0, a, b)) * np.ones_like(a)
    d[b] = np.reshape(contract(einsum_spec(subscripts, 1, b, more), d[ans], a),
                      einsum_shape(subscripts, 1, b, a)) * np.ones_like(b)


@tangent(np.einsum, contract)
def einsum_tangent(ans, subscripts, a, b=None, *more, out=None, optimize=False, dtype=None,
                   order='K', casting='safe'):
    d[ans] = einsum_sublist_form(subscripts, d[subscripts])
    d[ans] = contract(einsum_checked(subscripts, b, more), d[a], b)
    d[ans] = contract(einsum_checked(subscripts, b, more), a, d[b])


@adjoint(np.kron)
def kron_adjoint(ans, a, b):
    d[a] = reshape_like(np.tensordot(np.reshape(d[ans], kron_shape(a, b)),
                                     np.reshape(b, kron_pad(b, a)), axes=kron_axes(a, b, 0)), a)
    d[b] = reshape_like(np.tensordot(np.reshape(d[ans], kron_shape(a, b)),
                                     np.reshape(a, kron_pad(a, b)), axes=kron_axes(a, b, 1)), b)


@tangent(np.kron)
def kron_tangent(ans, a, b):
    d[ans] = np.kron(d[a], b)
    d[ans] = np.kron(a, d[b])


@adjoint(np.vdot)
def vdot_adjoint(ans, a, b):
    d[a] = reshape_like(d[ans] * np.ravel(b), a)
    d[b] = reshape_like(d[ans] * np.ravel(a), b)


@tangent(np.vdot)
def vdot_tangent(ans, a, b):
    d[ans] = np.vdot(d[a], b)
    d[ans] = np.vdot(a, d[b])


@adjoint(np.cross)
def cross_adjoint(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[a] = np.transpose(unbroadcast(
        np.cross(b, d[ans], axisa=cross_axis(a, b, 'b', axisa, axisb, axisc, axis),
                 axisb=cross_axis(a, b, 'c', axisa, axisb, axisc, axis)),
        np.transpose(a, cross_order(a, cross_axis(a, b, 'a', axisa, axisb, axisc, axis)))),
        cross_order(a, cross_axis(a, b, 'a', axisa, axisb, axisc, axis), True))
    d[b] = np.transpose(unbroadcast(
        np.cross(d[ans], a, axisa=cross_axis(a, b, 'c', axisa, axisb, axisc, axis),
                 axisb=cross_axis(a, b, 'a', axisa, axisb, axisc, axis)),
        np.transpose(b, cross_order(b, cross_axis(a, b, 'b', axisa, axisb, axisc, axis)))),
        cross_order(b, cross_axis(a, b, 'b', axisa, axisb, axisc, axis), True))


@tangent(np.cross)
def cross_tangent(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[ans] = np.cross(d[a], b, axisa=cross_axis(a, b, 'a', axisa, axisb, axisc, axis),
                      axisb=axisb, axisc=axisc, axis=axis)
    d[ans] = np.cross(a, d[b], axisa=axisa, axisb=cross_axis(a, b, 'b', axisa, axisb, axisc, axis),
                      axisc=axisc, axis=axis)


method('take', np.take)
method('diagonal', np.diagonal)
