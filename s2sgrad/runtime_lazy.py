"""Adding an adjoint into a lazy (dask) array at an index, where ``np.add.at`` cannot write."""
import numbers

import numpy as np

from .runtime_errors import unsupported


def add_at_lazy(bx, index, g):
    """``bx[index] += g`` for a dask array `bx`, repeated indices adding up, computing nothing.

    dask arrays take item assignment but not ``np.add.at``, and assign only some index forms:
    the index is brought to those (no ``None``, no ``...``, at most one integer array, made 1-D,
    integers beside it made length-1 slices) and `g` to the matching layout; positions that the
    integer array repeats are added in rounds, each round assigning every position once.
    """
    items = _items(index, bx.shape)
    arrays = [k for k, item in enumerate(items) if isinstance(item, np.ndarray)]
    if len(arrays) > 1:
        raise unsupported(
            'the adjoint of a dask array read at more than one integer or boolean array '
            '(`x[i, j]`, `x[mask2d]`) cannot be added into a dask array (dask assigns at one '
            'integer array at a time): index one axis at a time, or compute the array first')
    read, kept, block_read, block_assigned, target, assigned = _layout(items, bx.shape)
    g = np.reshape(np.broadcast_to(g, read), kept)
    if not arrays:
        bx[target] += g
        return bx
    g = np.reshape(np.moveaxis(g, block_read, block_assigned), assigned)
    axis = arrays[0] - sum(1 for item in items[:arrays[0]] if item is None)
    flat = target[axis]
    for chosen in _rounds(flat):
        part = list(target)
        part[axis] = flat if chosen is None else flat[chosen]
        bx[tuple(part)] += g if chosen is None else g[(slice(None),) * axis + (chosen,)]
    return bx


def _is_integer(item):
    return isinstance(item, (numbers.Integral, np.integer)) and not isinstance(item, bool)


def _items(index, shape):
    """`index` as a tuple of one item per axis of `shape` (``None`` items kept): lists and
    boolean arrays become integer arrays, ``...`` full slices; a lazy index is refused."""
    items = []
    for item in index if isinstance(index, tuple) else (index,):
        if type(item).__module__.startswith('dask.'):
            raise unsupported(
                'the adjoint of a dask array read at an index that is itself a dask array '
                'cannot be added lazily (its positions are not known until computed): compute '
                'the index first (`index = index.compute()`)')
        if isinstance(item, list) or hasattr(item, 'shape') and not _is_integer(item):
            item = np.asarray(item)
            if item.dtype == bool:
                items.extend(np.nonzero(item))
                continue
        items.append(item)
    used = sum(1 for item in items if item is not None and item is not Ellipsis)
    expanded = []
    for item in items:
        if item is Ellipsis:
            expanded.extend([slice(None)] * (len(shape) - used))
            used = len(shape)
        else:
            expanded.append(item)
    return tuple(expanded) + (slice(None),) * (len(shape) - used)


def _layout(items, shape):
    """How ``x[items]`` lays out its axes, and the index dask assigns at instead.

    Returns the shape NumPy gives ``x[items]`` (with an integer array, the integers beside it
    are indices broadcast with it, whose dimensions go where they stand if they all stand
    together, and first otherwise), that shape without the axes of ``None`` and with the
    array's dimensions as one, where that one axis is, where it goes in the assigned index,
    the assigned index (integers beside the array as length-1 slices) and its shape.
    """
    arrays = [k for k, item in enumerate(items) if isinstance(item, np.ndarray)]
    advanced = [k for k, item in enumerate(items)
                if arrays and (isinstance(item, np.ndarray) or _is_integer(item))]
    together = not advanced or advanced == list(range(advanced[0], advanced[-1] + 1))
    block = items[arrays[0]].shape if arrays else ()
    read, kept, target, assigned = ([] if together else list(block)), [], [], []
    block_read = block_assigned = 0
    axis = 0
    for k, item in enumerate(items):
        if item is None:
            read.append(1)
            continue
        size = shape[axis]
        axis += 1
        if isinstance(item, slice):
            length = len(range(*item.indices(size)))
            read.append(length)
            kept.append(length)
            target.append(item)
            assigned.append(length)
        elif isinstance(item, np.ndarray):
            block_assigned = len(kept)
            target.append(item.reshape(-1) % size if item.size else item.reshape(-1))
            assigned.append(item.size)
        elif arrays:  # an integer beside the array: a length-1 slice
            start = item % size
            target.append(slice(start, start + 1))
            assigned.append(1)
        else:
            target.append(item)
        if together and advanced and k == advanced[0]:
            read.extend(block)
            block_read = len(kept)
    if arrays:
        kept.insert(block_read, items[arrays[0]].size)
    return tuple(read), kept, block_read, block_assigned, tuple(target), assigned


def _rounds(flat):
    """The positions of `flat` to assign together: ``[None]`` (all at once) when no position
    repeats, else one array of positions per round, each holding a position at most once."""
    if flat.size == 0:
        return []
    order = np.argsort(flat, kind='stable')
    ordered = flat[order]
    starts = np.ones(flat.size, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    if starts.all():
        return [None]
    rank = np.arange(flat.size)
    occurrence = np.empty(flat.size, dtype=np.intp)
    occurrence[order] = rank - np.maximum.accumulate(np.where(starts, rank, 0))
    return [np.nonzero(occurrence == r)[0] for r in range(occurrence.max() + 1)]
