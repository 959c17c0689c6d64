"""Runtime helpers for subscripts and items: adjoints written at an index, stacked, picked."""
import numbers

import numpy as np

from .runtime_errors import _repeated_items, unsupported
from .runtime_values import _is_iterator, _is_lazy, _is_sequence, _shape, _unbounded, \
    add, array_module, broadcast_like, copy, is_zero, real_only, reshape_like, zeros_like


def field_index(x, name):
    """The position of field `name` of the namedtuple `x`: ``x.W`` is read as ``x[i]``."""
    fields = getattr(x, '_fields', None)
    if isinstance(x, tuple) and fields is not None and name in fields:
        return fields.index(name)
    if hasattr(x, 'shape') and hasattr(type(x), name):  # (see s2sgrad.fields)
        raise unsupported(
            f'`.{name}` of a {type(x).__name__}, read as the field of a namedtuple: where a '
            f'function reads a field of a name that no array has (`p.scale`), s2sgrad reads '
            f'`p.{name}` of that name as a field too; use another name for the array')
    raise unsupported(
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


def flat_index(array, index):
    """The index of `array` itself for the positions ``array.flat[index]`` writes (counted in
    the flattened array, row by row): ``x.flat[i] = v`` is ``x[flat_index(x, i)] = v``."""
    return np.unravel_index(np.arange(np.size(array))[index], np.shape(array))


def key_missing(mapping, key, method='setdefault'):
    """``key not in mapping`` for ``mapping.setdefault(key, v)``, which the generated code
    writes ``if s2s.key_missing(d, k): d[k] = v`` (and for ``mapping.pop(key, v)``,
    `method` ``'pop'``): a dict's or an OrderedDict's (or a subclass's that keeps their
    `method`); any other object's raises, naming it."""
    kind = type(mapping)
    if not isinstance(mapping, dict) or not all(
            _dicts_method(kind, name) for name in (method, '__contains__', '__setitem__')):
        written = 'if key not in d: d[key] = value' if method == 'setdefault' else \
            'value = d.pop(key) if key in d else default'
        raise unsupported(
            f'`.{method}` of a {kind.__name__}: s2sgrad differentiates it as a dict\'s '
            f'(`{written}`); write that yourself for another object')
    return key not in mapping


def _dicts_method(kind, name):
    """Whether the method `name` of the class `kind` is dict's or OrderedDict's (which mean
    the same for a key)."""
    for base in kind.__mro__:
        if name in vars(base):
            return base is dict or (base.__module__ == 'collections' and
                                    base.__name__ == 'OrderedDict')
    return False


def popped_at(index, items):
    """Where ``items.pop(index)`` took its item from, as a position of `items` after the pop
    (for ``items.insert(position, value)``, which puts it back): a negative `index` counted
    from the end of the longer list."""
    return index if index >= 0 else len(items) + 1 + index


def inserted_at(index, items):
    """Where ``items.insert(index, value)`` put `value`, as a position of `items` after the
    insertion (for ``items.pop(position)``, which takes it out again): Python's insert clips
    a position past either end."""
    if index < 0:
        return max(len(items) - 1 + index, 0)
    return min(index, len(items) - 1)


def positions(items):
    """``len(items)`` for a loop that reads ``items[i]`` for ``i`` in ``range(len(items))``
    (``for v in items``); a dict or a set, whose loop visits keys or members that indexing
    by position does not give, raises."""
    if isinstance(items, (set, frozenset)):
        raise unsupported(
            f'a loop over a {type(items).__name__} read by position: s2sgrad reads the items '
            f'of what a loop visits by position, which a set has not; loop over `list(s)`, '
            f'which visits its members in the order Python\'s loop does (or `sorted(s)`)')
    if hasattr(items, 'keys'):
        raise unsupported(
            f'a loop over a {type(items).__name__} read by position (`for k in d` whose body '
            f'reads no `d[k]`, or `zip(d, ...)`): loop over `d.keys()` (or `list(d)`), which '
            f'visits its keys as Python does')
    if _is_iterator(items) and not (hasattr(type(items), '__len__') and
                                    hasattr(type(items), '__getitem__')):
        # (``iter(xs)``, a generator, ``map(...)`` passed in; not NumPy's ``a.flat``, which
        # has its items by position too)
        raise unsupported(
            f'a loop over an iterator ({type(items).__name__}): s2sgrad reads the items of '
            f'what a loop visits by position, which an iterator has not; pass a list '
            f'(`list(items)`) or an array')
    if not hasattr(type(items), '__getitem__'):  # (``d.values()`` passed in: a view)
        raise unsupported(
            f'a loop over a {type(items).__name__}, which has no items by position: s2sgrad '
            f'reads the items of what a loop visits by position; pass a list '
            f'(`list(items)`) or an array')
    return len(items)


def zip_length(*lengths):
    """The number of items ``zip(..., strict=True)`` gives, of iterables of `lengths`: their
    length, when they all have it; else ValueError, as zip raises."""
    for position, length in enumerate(lengths[1:], 2):
        if length != lengths[0]:
            longer = 'longer' if length > lengths[0] else 'shorter'
            raise ValueError(f'zip() argument {position} is {longer} than argument 1')
    return lengths[0]


def sized(items, stop=None):
    """What ``for v in items`` visits, as a sequence the loop indexes (``items[i]`` for ``i``
    in ``range(len(items))``): a list, tuple, range or array itself; the keys of a dict or the
    items of a set as a list; any other iterable (a generator, ``itertools.product``,
    ``np.ndindex``, ``map``) read into a list first, its first `stop` items where `stop` is
    given (``zip(x, itertools.repeat(2.0))`` reads as many as `x` has)."""
    if isinstance(items, (list, tuple, range, str)) or type(items) is np.ndarray:
        return items
    if hasattr(items, 'keys') or isinstance(items, (set, frozenset)):
        return list(items)
    if hasattr(items, '__len__') and hasattr(items, '__getitem__') and hasattr(items, 'shape'):
        return items  # (CuPy and dask arrays)
    if stop is None:
        return _read_all(items)
    read = []
    if stop > 0:
        for item in items:  # (no item past the `stop`-th is taken from an iterator)
            read.append(_as_given(item))
            if len(read) >= stop:
                break
    return read


def _as_given(item):
    """`item` as an iterator gave it, read ahead of the loop: a copy of an array (or of the
    arrays of a tuple or list), which the iterator may fill anew for its next item (a data
    loader yielding one buffer)."""
    if type(item) is np.ndarray:
        return item.copy()
    if type(item) in (tuple, list) and any(type(part) is np.ndarray for part in item):
        return type(item)(part.copy() if type(part) is np.ndarray else part for part in item)
    return item


ITEMS_READ = 1_000_000
"""The most items `sized` reads from an iterator without a length before it refuses it as
one that may never end (``itertools.count()``: the derivative reads the items before the
loop runs, which a ``break`` would end)."""


def _read_all(items):
    """The items of the iterable `items`, as a list; refused where it never ends or gives
    more than `ITEMS_READ`."""
    endless = _endless(items)
    read = []
    if not endless:
        for item in items:
            read.append(_as_given(item))
            if len(read) > ITEMS_READ:
                break
    if endless or len(read) > ITEMS_READ:
        kind = type(items).__name__
        what = f'an endless `{kind}`' if endless else \
            f'an iterator giving more than {ITEMS_READ:,} items (`{kind}`)'
        raise unsupported(
            f'a `for` loop over {what}: the derivative reads all its items before the loop '
            f'runs (a `break` cannot end that reading); loop over `range(n)` with a bound, or '
            f'over `itertools.islice(..., n)`')
    return read


def _endless(items):
    """Whether `items` is ``itertools.count()``, ``cycle(...)`` or ``repeat(v)`` without a
    count."""
    kind = type(items)
    if kind.__module__ != 'itertools' or kind.__name__ not in ('count', 'cycle', 'repeat'):
        return False
    if kind.__name__ != 'repeat':
        return True
    try:
        items.__length_hint__()
    except TypeError:
        return True
    return False


def zipped(count, *iterables):
    """The `count` iterables of a ``zip`` that none of has a length, each as the list of the
    items the ``zip`` visits (``zip(itertools.count(), gen)`` stops where `gen` does)."""
    columns = list(zip(*_read_all(zip(*iterables))))
    return tuple(list(column) for column in columns) if columns else \
        tuple([] for _ in range(count))


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
    if type(bx) is np.ndarray:  # the common case first: an item or a slice of a NumPy array
        kind = type(index)
        if kind is tuple:
            for item in index:
                if type(item) is not int and type(item) is not slice:
                    break
            else:
                kind = int
        if (kind is int or kind is slice) and bx.flags.writeable:
            gclass = g.__class__
            if gclass is not np.float64 and gclass is not float and bx.dtype.kind != 'c' \
                    and not (gclass is np.ndarray and g.dtype.kind == 'f'):
                real_only(g)  # (a complex adjoint would lose its imaginary part here)
            bx[index] += g  # (an int or a slice, or a tuple of them: each position once)
            return bx
    if is_zero(g):
        return bx
    if isinstance(bx, tuple):
        bx = list(bx)
    if isinstance(bx, np.generic):  # (a 0-d adjoint that arithmetic made a NumPy number)
        bx = np.array(bx)
    if isinstance(bx, dict):
        bx[index] = add(bx.get(index), g)
        return bx
    if isinstance(bx, list):
        if isinstance(index, slice):
            positions = range(len(bx))[index]
            if _is_sequence(g) and len(g) != len(positions):  # (zip would drop items)
                raise unsupported(
                    f'an adjoint of {len(g)} items reached a slice of {len(positions)} items '
                    f'of a list or tuple: a list was concatenated or repeated (`+`, `*`) where '
                    f's2sgrad does not follow it; use np.concatenate or np.tile on arrays, or '
                    f'append in a loop')
            for position, item in zip(positions, g):
                bx[position] = add(bx[position], item)
        else:
            bx[index] = add(bx[index], g)
        return bx
    if not getattr(getattr(bx, 'flags', None), 'writeable', True):  # (CuPy has no such flag)
        bx = bx.copy()
    if _has_array_index(index) or _is_lazy(bx):
        return _scatter_add(bx, index, g)
    bx[index] += g
    return bx


def _scatter_add(bx, index, g):
    """``bx[index] += g`` with repeated indices adding up, for NumPy, CuPy and dask arrays;
    return `bx`."""
    if _is_lazy(bx):
        from .runtime_lazy import add_at_lazy
        return add_at_lazy(bx, index, g)
    if type(bx).__module__.startswith('cupy'):
        import cupyx
        cupyx.scatter_add(bx, index, g)
    else:
        np.add.at(bx, index, g)
    return bx


def _stands_for_zeros(by, index):
    """Whether `by`, indexed at `index`, is a number (or a 0-d array, its adjoint) that stood
    for an adjoint of zeros: `index` takes a position (an integer, a slice, an integer array),
    which a 0-d array has none of (it takes only ``()``, ``...``, None and booleans)."""
    if isinstance(by, (list, tuple, dict)) or \
            not (isinstance(by, numbers.Number) or getattr(by, 'ndim', None) == 0):
        return False
    parts = index if isinstance(index, tuple) else (index,)
    return not all(part is None or part is Ellipsis or isinstance(part, (bool, np.bool_)) or
                   getattr(part, 'dtype', None) == bool and getattr(part, 'ndim', 1) == 0
                   for part in parts)


def _indexable(by):
    """The adjoint of a 0-d array written by ``y[...] = v`` may be a number: a 0-d array."""
    if isinstance(by, (numbers.Number, np.generic)) and not _is_sequence(by):
        return np.asarray(by)
    return by


def unread_at(g, by, index):
    """The adjoint of `read_at` with respect to `by`: `g` spread back over `by` at `index`
    (none for the number 0.0 that stood for zeros at a pass: `read_at` gives zeros of it)."""
    if _stands_for_zeros(by, index):
        return zeros_like(by)
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
    ids = np.reshape(array_module(y).arange(size), shape)
    owner = np.full_like(y, -1, dtype=np.int64)
    owner[index] = ids
    return owner[index] == ids


def written_at(y, index, items):
    """Where ``y[index] = items`` (about to run) puts `items`, as a slice of `y` after the
    write: `index` itself, but for a list whose slice assignment changes its length
    (``y[1:2] = [a, b]`` of 3 items: ``slice(1, 3)``). The backward sweep reads the adjoint
    of `items` there, and puts the replaced items back there."""
    if not (isinstance(y, list) and isinstance(index, slice) and index.step in (None, 1)):
        return index
    if _is_iterator(items) or not hasattr(items, '__len__'):
        raise unsupported(
            f'a slice assignment of a {type(items).__name__} to a list: the backward sweep '
            f'needs the number of items it writes; make them a list first (`list(...)`)')
    start, stop, _ = index.indices(len(y))
    if items is y and max(stop - start, 0) != len(y):
        raise unsupported(  # (``y[:] = y`` changes nothing: its adjoint is right)
            'a slice assignment of a list into itself that changes its length (`lst[1:1] = '
            'lst`): the backward sweep would read the items written from the list it '
            'changed; write a copy, `lst[1:1] = list(lst)`')
    return slice(start, start + len(items))


def unzero_at(g, by, index, old=None):
    """The adjoint of ``zero_at(by, index, old)`` with respect to `by`: `g` (of the list
    as `zero_at` left it) without the zeros that stand for `old`, and zeros for the items
    of `by` at `index` in their place; `g` with zeros at `index` where nothing changed
    length."""
    if not (old is not None and isinstance(by, list) and isinstance(index, slice)):
        return zero_at(g, index)
    start = index.indices(len(by))[0]
    return zero_at(g, slice(start, start + len(old)), by[index])


def zero_at(by, index, old=None):
    """`by` with zeros at `index` (the adjoint of an overwritten slice); never modifies `by`.
    With `old` (the items that ``y[index] = items`` replaced in a list, `index` where the
    new ones are now: `written_at`), the zeros are those of `old`'s items, so that the
    adjoint has the length of the list before the write."""
    if is_zero(by) or isinstance(by, dict) and index not in by:
        return by  # (a dict's adjoint holds no key whose adjoint is zero: `add`)
    if old is not None and isinstance(by, list) and isinstance(index, slice):
        by = list(by)
        by[index] = [zeros_like(item) for item in old]
        return by
    if _stands_for_zeros(by, index):
        # (the adjoint of ``zero_at(0.0, i)``, the number that stood for zeros at a pass,
        # which it returns as it is: a gradient differentiated again)
        return by
    # (a tuple: the adjoint ``(bW, bb)`` of ``W, b = ps``, as `add_at` takes it)
    by = list(by) if isinstance(by, tuple) else copy(_indexable(by))
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
    _unbounded(items)
    if not _is_sequence(items):  # (``np.stack(A, axis)`` of an array: its rows stacked)
        return reshape_like(np.moveaxis(g, axis, 0) if axis else g, items)
    while axis == 0 and np.ndim(g) > 1 and np.shape(g)[0] == 1 != len(items):
        g = g[0]  # (``np.array(items, ndmin=3)``: the axes of size 1 it puts first)
    if axis == 0:
        return [unstack(g[i], item) for i, item in enumerate(items)]  # (nested lists too)
    return [unstack(np.take(g, i, axis=axis), item) for i, item in enumerate(items)]


def as_items(g, items):
    """The adjoint `g` of a list or tuple `items`, one adjoint per item: `g` itself when it is
    one already, else split as `unstack` splits (a rule that took the list as an array, as
    ``np.sum(ys)`` does, gives an array). The items of a dict (``list(d)``, ``sorted(d)``:
    its keys) carry no derivative: zeros; those of a set are refused."""
    if isinstance(items, dict):  # (a dict's cotangent is one; ``list(d)``'s is its keys')
        return g if isinstance(g, dict) else [0.0] * len(items)
    if isinstance(g, dict) and _is_sequence(items):
        # (the cotangent of `items_back` of a dict's keys, zeros whatever the items: none)
        return [zeros_like(item) for item in items]
    if isinstance(items, (set, frozenset)):
        raise _unordered(items)
    if isinstance(g, (list, tuple)) and _is_sequence(items) and len(g) != len(items):
        raise _repeated_items(len(g), len(items))
    if isinstance(g, tuple) and _is_sequence(items):
        # (one adjoint per item already: a cotangent given as a tuple, ``vjp`` of a function
        # returning one; a list, which the backward sweep pops off: ``a, b = tuple(ys)``)
        return list(g)
    if isinstance(g, list) or not _is_sequence(items):
        return g
    if is_zero(g):  # (the zero adjoint of a tuple nothing read: ``h, c, cache = step(...)``)
        return [zeros_like(item) for item in items]
    return unstack(g, items)


def unrepeat_items(g, items):
    """The adjoint of ``items * n`` (a list or tuple repeated: ``[x, y] * 3``) for `items`:
    the adjoints of each item's copies added up. `g` holds one adjoint per item of the result
    (or is an array standing for them, as `as_items` reads it)."""
    if is_zero(g):
        return g
    rows, count = list(g), len(items)
    if (len(rows) % count if count else len(rows)):
        raise _repeated_items(len(rows), count)
    total = rows[:count]
    for start in range(count, len(rows), count):
        total = [add(a, b) for a, b in zip(total, rows[start:start + count])]
    return tuple(total) if isinstance(items, tuple) else total


def unmul_items(g, items, other):
    """The adjoint of ``items * other`` for the list or tuple `items`: for an integer `other`
    a repetition (`unrepeat_items`), else NumPy's product with the list read as an array
    (``[a, b] * w`` of an array `w`), whose adjoint is summed back to the items' shape."""
    if isinstance(other, numbers.Integral):
        return unrepeat_items(g, items)
    from .runtime import unbroadcast  # (the runtime imports this module)
    return unbroadcast(g * other, items)


def remul_items(bitems, g, items, other):
    """The adjoint of ``unmul_items(g, items, other)`` for `g`."""
    if isinstance(other, numbers.Integral):
        return repeat_items(bitems, g)
    from .runtime import unbroadcast
    return unbroadcast(np.asarray(bitems) * other, g)


def repeat_items(bitems, g):
    """The adjoint of ``unrepeat_items(g, items)`` for `g`: `bitems` repeated as the items of `g`
    repeat those of `items` (stacked back into an array where `g` is one)."""
    if is_zero(bitems):
        return bitems
    rows = list(bitems) * (len(g) // len(bitems) if len(bitems) else 0)
    return rows if isinstance(g, (list, tuple)) else restack(rows, g)


def items_back(bitems, g):
    """The adjoint of ``as_items(g, items)``: `bitems` itself where `g` was a list or tuple,
    else stacked back into an array shaped like `g`."""
    if isinstance(bitems, tuple) and isinstance(g, list) or \
            type(g).__name__ in ('dict_values', 'dict_items') and _is_sequence(bitems):
        return list(bitems)  # (a dict's values or items: one adjoint each, as `unvalues` reads)
    if isinstance(g, (list, tuple)) or not _is_sequence(bitems):
        return bitems
    if isinstance(g, dict):  # (``list(d)``, ``sorted(d)``: its keys, no derivative)
        return zeros_like(g)
    if not hasattr(g, 'shape'):  # (a set, an iterator)
        raise _unordered(g)
    return restack(bitems, g)


def _unordered(items):
    return unsupported(
        f'list(), tuple() or sorted() of a {type(items).__name__} with differentiated values '
        f'is not followed; differentiate them of lists, tuples and arrays')


def restack(bitems, g, axis=0):
    """The adjoint of `unstack`: the items' adjoints stacked into an array shaped like `g`."""
    if not _is_sequence(bitems):
        return reshape_like(np.moveaxis(bitems, 0, axis) if axis else bitems, g)
    out = np.moveaxis(zeros_like(g), axis, 0)
    for i, item in enumerate(bitems):
        out[i] = out[i] + item
    return np.moveaxis(out, 0, axis)


def _first_equal(items, ans):
    for i, item in enumerate(items):
        if item is ans or item == ans:
            return i
    raise ValueError('max/min returned a value that is not among its arguments')


def pick(g, ans, a, b=None, which=0):
    """The adjoint of the built-in ``max``/``min``, of one iterable `a` (a list of adjoints,
    `g` at the first item equal to the result) or of two arguments, in `a` (`which` 0) or
    `b` (1): `g` where it is the result, half of it where both are (ties share it, as
    np.maximum's do; of tuples or lists, compared whole, the first takes it, as Python
    returns it)."""
    if b is None:
        if isinstance(a, dict):  # (``max(d)``: a key, no derivative)
            return zeros_like(a)
        position = _first_equal(a, ans)
        if not _is_sequence(a):  # max(v) of a 1-D array: an array adjoint
            return unindex(g, a, position)
        return [g if i == position else zeros_like(item) for i, item in enumerate(a)]
    chosen = b if which else a
    weight = _tie_weight(ans, a, b, which)
    if not _is_sequence(chosen):
        return g * weight
    return g if weight else zeros_like(chosen)


def _tie_weight(ans, a, b, which=0):
    """The share of `a` (`which` 0) or `b` (1) in the derivative of ``max(a, b)`` (``min``)
    whose result is `ans`: 1 where it is the result and the other is not, 1/2 where both are,
    0 where it is not; of tuples or lists, compared whole, 1 for `a` where it is the result,
    else for `b`."""
    if _is_sequence(a) or _is_sequence(b):
        return 1.0 if (a == ans) != bool(which) else 0.0
    mine, other = (b, a) if which else (a, b)
    return (mine == ans) * (1.0 - 0.5 * (other == ans))


def pick_tangent(da, ans, a, b=None, which=0):
    """The tangent of the built-in ``max``/``min`` from the tangent `da` of its first argument
    (of two arguments, of `a` or, `which` 1, of `b`: `pick`'s share of it; of tuples or lists,
    the tangent of the one that is the result, and an empty one of the other, which the
    tangent of the first then is whole)."""
    if b is None:
        if isinstance(a, dict):  # (``max(d)``: a key, no derivative)
            return 0.0
        return da[_first_equal(a, ans)]
    weight = _tie_weight(ans, a, b, which)
    if not _is_sequence(b if which else a):
        return da * weight
    return da if weight else da[:0]


ABSENT = '<s2sgrad: a key the assignment adds>'
"""What `item_before` keeps for a key that ``d[key] = v`` adds to a dict (`restore_item`
removes the key again); told apart by identity (``old is ABSENT``), so a dict holding a string
of the same text is not taken for it."""


def item_before(x, key):
    """``x[key]`` before ``x[key] = ...`` replaces it (saved for the backward sweep), or
    `ABSENT` for a key that the assignment adds to a dict."""
    if isinstance(x, dict) and key not in x:
        return ABSENT
    return x[key]


def restore_item(x, key, old):
    """``x[key] = old`` in the backward sweep: the item an assignment replaced, back in
    place; the key removed where the assignment added it (`old` is `ABSENT`)."""
    if old is ABSENT:
        del x[key]
    else:
        x[key] = old


def unread_item(g, x, key):
    """The adjoint of ``item_before(x, key)`` for `x`: `g` at `key` (`unindex`), or zeros
    where `x` has no such key (`item_before` gave `ABSENT`, which carries no derivative)."""
    if isinstance(x, dict) and key not in x:
        return zeros_like(x)
    return unindex(g, x, key)


def read_item(by, key, old):
    """The adjoint of `old` in ``restore_item(x, key, old)`` (a gradient's restore,
    differentiated again as ``x[key] = old``): the item of the adjoint `by` at `key`
    (`read_at`); 0.0 where `old` is `ABSENT` (the restore put nothing back)."""
    if old is ABSENT:
        return 0.0
    from .runtime import read_at  # (the runtime imports this module)
    return read_at(by, key, old)


def unread_restored(g, by, key, old):
    """The adjoint of `read_item` with respect to `by`: `g` spread back over `by` at `key`
    (`unread_at`); zeros where `old` is `ABSENT` (`read_item` gave 0.0)."""
    if old is ABSENT:
        return zeros_like(by)
    return unread_at(g, by, key)


def item_at(g, index):
    """``g[index]`` of an adjoint `g`, or 0.0 where `g` is a zero that stands for a whole
    container or array (an adjoint nothing added to: a third derivative reads one)."""
    if is_zero(g):
        return 0.0
    return _indexable(g)[index]


def getitem(obj, index):
    """``obj[index]``: normalized code reads a subscript whose index depends on the
    differentiated arguments but whose base does not (``np.r_[x, y]``, ``table[i]``) as this
    call, so that a rule sees the index (`templates/subscripts.py`)."""
    return obj[index]
