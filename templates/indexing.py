"""Rules of NumPy's indexing, sorting and diagonal functions (take, sort, select, diag, ...)."""
import numpy as np

from s2sgrad.rules import adjoint, d, linear, nondifferentiable, tangent
from s2sgrad.runtime import add_at, like, select, unbroadcast
from s2sgrad.runtime_indexing import _scatter_add
from s2sgrad.runtime_values import _is_lazy, array_module, is_zero


def _ndim(x):
    return len(_shape(x))


def _shape(x):
    """The shape of array `x`, or of the array a (nested) list or tuple of numbers makes."""
    if isinstance(x, (list, tuple)):
        return np.shape(x)
    return tuple(getattr(x, 'shape', ()))


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
            index.append(array_module(indices).arange(_shape(arr)[dim]).reshape(shape))
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


def _partition_order(a, kth, axis, result):
    """The positions of `a` that ``result = np.partition(a, kth, axis)`` holds, along `axis`
    (flat positions when axis is None): ``np.argpartition``'s, checked against `result` (the
    two may order the elements on either side of the kth differently); where they differ, the
    positions are matched by rank (stable sorts of `a` and `result`)."""
    order = np.argpartition(a, kth, axis=axis)
    values = np.ravel(a) if axis is None else a
    along = -1 if axis is None else axis
    if np.array_equal(np.take_along_axis(values, order, along), result):
        return order
    by_rank = np.empty_like(order)
    np.put_along_axis(by_rank, np.argsort(result, axis=along, kind='stable'),
                      np.argsort(values, axis=along, kind='stable'), along)
    return by_rank


nondifferentiable(take_index, along_axis_index, sort_order, none_true)


# -- private helpers: linear maps that adjoints use (with rules of their own) ---------------

def _add_at(out, index, g):
    """``np.add.at(out, index, g)``, returning `out` (a CuPy `out` through cupyx); a lazy
    (dask) `out`, which np.add.at cannot write, gets `g` added by `s2s.add_at` (without
    computing), in a new array."""
    if _is_lazy(out):
        return add_at(out, index, g)
    return _scatter_add(out, index, g)


def untake(g, a, indices, axis=None, mode='raise'):
    """The adjoint of ``np.take(a, indices, axis)``: zeros like `a`, `g` added at the indices."""
    out = _zeros(a, g)
    index = take_index(a, indices, axis, mode)
    if is_zero(g):
        return out
    if axis is None:
        flat = _add_at(np.ravel(out), index, g)
        return np.reshape(flat, _shape(out))
    return _add_at(out, index, g)


def untake_along_axis(g, arr, indices, axis=-1):
    """The adjoint of ``np.take_along_axis(arr, indices, axis)``: `g` added at the indices."""
    out = _zeros(arr, g)
    if is_zero(g):
        return out
    if axis is None:
        flat = _add_at(np.ravel(out), indices, g)
        return np.reshape(flat, _shape(out))
    return _add_at(out, along_axis_index(arr, indices, axis), g)


def undiagonal(g, a, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.diagonal(a, offset, axis1, axis2)``: `g` on that diagonal of zeros."""
    out = _zeros(a, g)
    if is_zero(g):
        return out
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    if _is_lazy(out):
        return np.moveaxis(_on_diagonal(g, view, offset), (-2, -1), (axis1, axis2))
    steps = array_module(out).arange(np.shape(g)[-1])
    view[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
    return out


def _on_diagonal(g, zeros, offset):
    """`g` on the `offset` diagonal of the last two axes of the array `zeros`, without writing
    (dask arrays are written at one integer array at a time): each element of the diagonal
    reads its element of `g`, the others stay zero."""
    rows, cols = _shape(zeros)[-2:]
    size = max(0, min(rows - max(-offset, 0), cols - max(offset, 0)))
    if size == 0:
        return zeros
    g = np.broadcast_to(g, _shape(zeros)[:-2] + (size,))
    row, col = np.arange(rows)[:, None], np.arange(cols)[None, :]
    step = np.clip(row - max(-offset, 0) + 0 * col, 0, size - 1)  # (rows, cols)
    spread = np.reshape(np.take(g, np.ravel(step), axis=-1), _shape(zeros))
    out = np.where(col - row == offset, spread, zeros)
    return out if out.dtype == zeros.dtype else out.astype(zeros.dtype)


def undiag(g, v, k=0):
    """The adjoint of ``np.diag(v, k)``: the k-th diagonal of `g` for a vector `v`, else `g` on
    the k-th diagonal of zeros shaped like the matrix `v`."""
    if _ndim(v) == 1:
        return np.diag(g, k)
    return undiagonal(g, v, k, 0, 1)


def unsort(g, a, axis=-1, kind=None, stable=None):
    """The adjoint of ``np.sort(a, axis)``: `g` scattered back through the sorting permutation
    (for arrays other than NumPy's, read through the inverse permutation, as `unpartition`
    does: a dask array would not keep the writes)."""
    order = sort_order(a, axis, kind, stable)
    if axis is None:
        out = _zeros(np.ravel(a), g)
        if type(out) is not np.ndarray:
            return np.reshape(np.ravel(g)[np.argsort(order)], _shape(a))
        out[order] = g
        return np.reshape(out, _shape(a))
    out = _zeros(a, g)
    if is_zero(g):
        return out
    if type(out) is not np.ndarray:
        return np.take_along_axis(g, np.argsort(order, axis=axis), axis)
    np.put_along_axis(out, order, g, axis)
    return out


def resort(h, a, axis=-1, kind=None, stable=None):
    """`h` permuted like ``np.sort(a, axis)`` permutes `a` (the tangent of np.sort)."""
    order = sort_order(a, axis, kind, stable)
    if axis is None:
        return np.ravel(h)[order]
    return np.take_along_axis(h, order, axis)


def unpartition(g, a, kth, axis, result):
    """The adjoint of ``result = np.partition(a, kth, axis)``: `g` put back where the values of
    `result` came from (read through the inverse permutation: no writes, which dask arrays
    would not keep)."""
    order = _partition_order(a, kth, axis, result)
    if axis is None:
        return np.reshape(np.ravel(g)[np.argsort(order)], _shape(a))
    return np.take_along_axis(g, np.argsort(order, axis=axis), axis)


def repartition(h, a, kth, axis, result):
    """`h` moved like ``result = np.partition(a, kth, axis)`` moves `a` (its tangent)."""
    return np.take_along_axis(h, _partition_order(a, kth, axis, result), axis)


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
        if not is_zero(item):  # (zero where not taken, also where the item is nan or inf)
            total = total + np.where(mask, item, np.zeros_like(item))
    return total


# -- np.take, np.take_along_axis -----------------------------------------------------------

@adjoint(np.take)
def take_adjoint(ans, a, indices, axis=None, out=None, mode='raise'):
    d[a] = untake(d[ans], a, indices, axis, mode)


@tangent(np.take)
def take_tangent(ans, a, indices, axis=None, out=None, mode='raise'):
    # (mode only where it is not the default: dask's take has none)
    d[ans] = np.take(d[a], indices, axis=axis) if mode == 'raise' else np.take(
        d[a], indices, axis=axis, mode=mode)


@adjoint(untake)
def untake_adjoint(ans, g, a, indices, axis=None, mode='raise'):
    d[g] = np.take(d[ans], indices, axis=axis, mode=mode)


linear(untake, 'd[g], a, indices, axis, mode')


@adjoint(np.take_along_axis)
def take_along_axis_adjoint(ans, arr, indices, axis=-1):
    d[arr] = untake_along_axis(d[ans], arr, indices, axis)


linear(np.take_along_axis, 'd[arr], indices, axis')


@adjoint(untake_along_axis)
def untake_along_axis_adjoint(ans, g, arr, indices, axis=-1):
    d[g] = np.take_along_axis(d[ans], indices, axis)


linear(untake_along_axis, 'd[g], arr, indices, axis')


# -- np.diag, np.diagonal, np.triu, np.tril ------------------------------------------------

@adjoint(np.diag)
def diag_adjoint(ans, v, k=0):
    d[v] = undiag(d[ans], v, k)


linear(np.diag, 'd[v], k')


@adjoint(undiag)
def undiag_adjoint(ans, g, v, k=0):
    d[g] = np.diag(d[ans], k)


linear(undiag, 'd[g], v, k')


@adjoint(np.diagonal)
def diagonal_adjoint(ans, a, offset=0, axis1=0, axis2=1):
    d[a] = undiagonal(d[ans], a, offset, axis1, axis2)


linear(np.diagonal, 'd[a], offset, axis1, axis2')


@adjoint(undiagonal)
def undiagonal_adjoint(ans, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.diagonal(d[ans], offset, axis1, axis2)


linear(undiagonal, 'd[g], a, offset, axis1, axis2')


@adjoint(np.triu)
def triu_adjoint(ans, m, k=0):
    d[m] = like(unbroadcast(np.triu(d[ans], k), m), m)


linear(np.triu, 'd[m], k')


@adjoint(np.tril)
def tril_adjoint(ans, m, k=0):
    d[m] = like(unbroadcast(np.tril(d[ans], k), m), m)


linear(np.tril, 'd[m], k')


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


linear(unselect, 'd[g], condlist, choicelist')


@adjoint(reselect)
def reselect_adjoint(ans, bitems, g, condlist):
    d[bitems] = unselect(d[ans], condlist, bitems)


linear(reselect, 'd[bitems], g, condlist')


@adjoint(np.sort)
def sort_adjoint(ans, a, axis=-1, kind=None, order=None, *, stable=None):
    d[a] = unsort(d[ans], a, axis, kind, stable)


@tangent(np.sort)
def sort_tangent(ans, a, axis=-1, kind=None, order=None, *, stable=None):
    d[ans] = resort(d[a], a, axis, kind, stable)


@adjoint(unsort)
def unsort_adjoint(ans, g, a, axis=-1, kind=None, stable=None):
    d[g] = resort(d[ans], a, axis, kind, stable)


linear(unsort, 'd[g], a, axis, kind, stable')


@adjoint(resort)
def resort_adjoint(ans, h, a, axis=-1, kind=None, stable=None):
    d[h] = unsort(d[ans], a, axis, kind, stable)


linear(resort, 'd[h], a, axis, kind, stable')


# -- np.partition: the values move with their positions ---------------------------------------

@adjoint(np.partition)
def partition_adjoint(ans, a, kth, axis=-1, kind='introselect', order=None):
    d[a] = unpartition(d[ans], a, kth, axis, ans)


@tangent(np.partition)
def partition_tangent(ans, a, kth, axis=-1, kind='introselect', order=None):
    d[ans] = repartition(d[a], a, kth, axis, ans)


@adjoint(unpartition)
def unpartition_adjoint(ans, g, a, kth, axis, result):
    d[g] = repartition(d[ans], a, kth, axis, result)


linear(unpartition, 'd[g], a, kth, axis, result')


@adjoint(repartition)
def repartition_adjoint(ans, h, a, kth, axis, result):
    d[h] = unpartition(d[ans], a, kth, axis, result)


linear(repartition, 'd[h], a, kth, axis, result')
