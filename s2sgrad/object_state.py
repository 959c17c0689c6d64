"""What objects of yours hold, kept and put back: `jacobian` runs the function once per column.

A function may change the objects it is given (``sched.rate()`` advancing ``sched.t``,
``self.steps.pop(0)`` of a bound method's object). `ObjectState` records, for the objects of
yours reachable from the arguments (through attributes, ``__slots__``, their classes'
attributes, the lists, dicts, tuples, deques and sets they hold, the objects of bound methods,
the arguments of partials and the cells of closures, to a few levels), each attribute's
binding and the contents of each container and array, and the position of each iterator
that can be put back (``iter(items)``); `put_back` restores them in place, so that each run
starts from the same state and the objects stay the caller's own (``cfg is DEFAULT`` holds).
An iterator that cannot be put back (a generator) and moved, and a set changed (filled again,
it may give its items in another order), raise `UnsupportedSyntaxError`.
"""
import collections
import functools
import inspect
import numbers
import sys

import numpy as np

from .errors import UnsupportedSyntaxError

_DEPTH = 8
"""How many levels of objects and containers below an argument are kept."""
_LIMIT = 20000
"""How many objects and containers are kept at most (a larger graph: the first ones)."""
_MISSING = object()


def plain_object(value):
    """Whether `value` is an object of a class of yours: no array, container, number, text,
    function, class or module (a callable object of yours is one). (Read on its class: an
    object's own ``__getattr__`` is not run.)"""
    return (hasattr(value, '__dict__') or _slots(type(value))) and \
        not isinstance(value, (list, tuple, dict, set, np.ndarray, np.generic, numbers.Number,
                               str, bytes, type, functools.partial)) and \
        not inspect.isroutine(value) and not inspect.ismodule(value) and \
        not hasattr(type(value), '__array_function__')


class ObjectState:
    """The state of the objects of yours reachable from `values`, as it is now."""

    def __init__(self, values):
        self.objects = []     # (object or class, {attribute: value})
        self.containers = []  # (list, items), (dict, items), (array, copy), (deque, items)
        self.cells = []       # (closure cell, contents)
        self.iterators = []   # (iterator, state to put back, or None, its fingerprint)
        seen = set()
        for value in values:
            self._keep(value, seen, 0)

    def _keep(self, value, seen, depth):
        if depth > _DEPTH or id(value) in seen or len(seen) > _LIMIT:
            return
        if isinstance(value, np.ndarray):
            seen.add(id(value))  # (an argument too: a function may reach it otherwise)
            if value.flags.writeable and value.dtype != object:
                self.containers.append((value, _ArrayCopy(value) if type(value) is np.ndarray
                                        else value.copy()))
            return
        if isinstance(value, (list, dict, tuple, collections.deque, set)):
            seen.add(id(value))
            items = list(value.items()) if isinstance(value, dict) else list(value)
            if not isinstance(value, tuple):
                self.containers.append((value, items))
            for item in items:
                item = item[1] if isinstance(value, dict) else item
                if not isinstance(item, (numbers.Number, str, bytes)):  # (nothing to keep)
                    self._keep(item, seen, depth + 1)
            return
        if inspect.ismethod(value) or isinstance(value, functools.partial):
            seen.add(id(value))  # (a callback ``self.take = Source().take``, a partial)
            parts = [value.__self__] if inspect.ismethod(value) else \
                list(value.args) + list(value.keywords.values()) + [value.func]
            for part in parts:
                self._keep(part, seen, depth + 1)
            return
        if inspect.isfunction(value):
            seen.add(id(value))
            if value.__code__.co_filename.startswith('<s2sgrad') or \
                    (value.__module__ or '').split('.')[0] == 's2sgrad':
                return  # (generated code: its cells hold s2sgrad's own helpers and caches)
            for cell in value.__closure__ or ():
                try:
                    contents = cell.cell_contents
                except ValueError:  # (not yet bound)
                    continue
                self.cells.append((cell, contents))
                self._keep(contents, seen, depth + 1)
            return
        if _is_iterator(value):
            seen.add(id(value))
            self.iterators.append((value, _position(value), _fingerprint(value)))
            return
        if not plain_object(value) or type(value).__module__.split('.')[0] == 's2sgrad':
            return
        seen.add(id(value))
        attributes = _attributes(value)
        self.objects.append((value, attributes))
        for item in attributes.values():
            self._keep(item, seen, depth + 1)
        for klass in type(value).__mro__:  # (``lrs = [...]`` in the class body, ``cls.n``)
            if _user_class(klass) and id(klass) not in seen:
                seen.add(id(klass))
                kept = _held_attributes(klass)
                self.objects.append((klass, kept))
                for item in kept.values():
                    self._keep(item, seen, depth + 1)

    def put_back(self):
        """Every object's attributes bound as they were, every container, array and cell
        holding what it held, and every iterator where it was."""
        for it, position, fingerprint in self.iterators:
            if position is not None:
                it.__setstate__(position)
            elif _fingerprint(it) != fingerprint:
                raise UnsupportedSyntaxError(
                    f'the function advanced a {type(it).__name__} it reaches through its '
                    f'arguments (`next(...)` of it), which cannot be put back: jacobian and '
                    f'hessian run the function once per column, each from the arguments as '
                    f'given, and the next run would read its next values; pass the values it '
                    f'gives as an array, or take vjp/jvp/hvp products, which run it once')
        for obj, attributes in self.objects:
            now = _held_attributes(obj)
            for name in set(now) - set(attributes):
                _set(obj, name, _MISSING)
            for name, value in attributes.items():
                if now.get(name, _MISSING) is not value:
                    _set(obj, name, value)
        for cell, contents in self.cells:
            if cell.cell_contents is not contents:
                cell.cell_contents = contents
        changed_set = None
        for container, kept in self.containers:
            if _holds(container, kept):
                continue  # (unchanged: a container that refuses writes is only read)
            if isinstance(container, np.ndarray):
                container[...] = kept.values if isinstance(kept, _ArrayCopy) else kept
            elif isinstance(container, list):
                list.__setitem__(container, slice(None), kept)
            elif isinstance(container, collections.deque):
                collections.deque.clear(container)
                collections.deque.extend(container, kept)
            elif isinstance(container, set):  # (the items gone added, the new ones taken:
                # the others stay where they are, and those added again mostly go back where
                # they were; filled again, it may iterate otherwise)
                held = set(kept)
                set.difference_update(container, [item for item in container
                                                  if item not in held])
                set.update(container, [item for item in kept if item not in container])
                changed_set = container
            elif isinstance(container, collections.OrderedDict):  # (its own order, kept too)
                collections.OrderedDict.clear(container)
                for key, value in kept:
                    collections.OrderedDict.__setitem__(container, key, value)
            else:  # (a dict: its own methods, not a subclass's, ``Counter.update`` counts)
                dict.clear(container)
                dict.update(container, kept)
        if changed_set is not None:
            raise UnsupportedSyntaxError(
                f'the function changed a set it reaches through its arguments (a '
                f'{type(changed_set).__name__} of {len(changed_set)} item(s)), which cannot be '
                f'put back as it was: jacobian and hessian run the function once per column, '
                f'each from the arguments as given, and a set filled again may give its items '
                f'in another order (`s.pop()` another item); hold the items in a list, or take '
                f'vjp/jvp/hvp products, which run it once')


def _held_attributes(obj):
    """What `_keep` keeps of `obj`: the attributes it holds, or a class's data."""
    if isinstance(obj, type):
        return {name: item for name, item in vars(obj).items()
                if not name.startswith('__') and _class_value(item)}
    return _attributes(obj)


def _holds(container, kept):
    """Whether `container` holds what `kept` recorded (the same items, by identity, in the
    same order; an array: the same bytes)."""
    if isinstance(kept, _ArrayCopy):
        return kept.held_by(container)
    if isinstance(container, np.ndarray):  # (a subclass: a masked array's mask, a matrix)
        return np.array_equal(container, kept, equal_nan=container.dtype.kind in 'fc')
    items = list(container.items()) if isinstance(container, dict) else list(container)
    if len(items) != len(kept):
        return False
    if isinstance(container, dict):
        return all((a[0] is b[0] or a[0] == b[0]) and a[1] is b[1] for a, b in zip(items, kept))
    if isinstance(container, set):  # (in the order it iterates in)
        return all(a is b or a == b for a, b in zip(items, kept))
    return all(a is b for a, b in zip(items, kept))


class _ArrayCopy:
    """A copy of an array, compared with the array by their bytes (no NaN or -0.0 to tell
    apart): a large one's read as unsigned integers of the item's size, into a buffer made
    once (a comparison costs what a copy costs; `np.array_equal` with `equal_nan` took 10x
    that, and `tobytes` of a large array asks the system for fresh pages)."""

    def __init__(self, array):
        self.values = array.copy()
        self.bits = _bits(self.values) if array.nbytes > 8192 else None
        self.differs = np.empty(self.bits.shape, bool) if self.bits is not None else None

    def held_by(self, array):
        """Whether `array` holds these values, byte for byte, in this shape and dtype."""
        if array.dtype != self.values.dtype or array.shape != self.values.shape:
            return False
        if array.nbytes <= 8192 or not array.flags.c_contiguous:
            return array.tobytes() == self.values.tobytes()
        np.not_equal(_bits(array), self.bits, out=self.differs)
        return not np.count_nonzero(self.differs)


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _bits(array):
    """The C-contiguous `array`'s bytes as a flat array of unsigned integers (a view)."""
    return array.reshape(-1).view(_UNSIGNED.get(array.dtype.itemsize, np.uint8))


def _user_class(klass):
    """Whether `klass` is a class of yours (not Python's, NumPy's or another library's)."""
    top = (getattr(klass, '__module__', None) or 'builtins').split('.')[0]
    return klass is not object and top not in sys.stdlib_module_names and top not in (
        'numpy', 'scipy', 's2sgrad', 'dask', 'cupy', 'torch', 'jax', 'numba')


def _class_value(item):
    """Whether a class attribute is data the class holds (a number, a container, an object),
    not a function or descriptor."""
    return not (inspect.isroutine(item) or isinstance(item, (property, staticmethod,
                                                             classmethod, type)) or
                hasattr(item, '__get__') and not plain_object(item))


def _is_iterator(value):
    return hasattr(type(value), '__next__') and not plain_object(value) and \
        not isinstance(value, (str, bytes))


def _position(it):
    """The state that ``it.__setstate__`` puts back (a list's or tuple's iterator: its
    index), or None."""
    if not hasattr(it, '__setstate__') or inspect.isgenerator(it):
        return None
    try:
        reduced = it.__reduce__()
    except Exception:  # (not picklable)
        return None
    return reduced[2] if isinstance(reduced, tuple) and len(reduced) > 2 else None


def _fingerprint(it):
    """What changes when the iterator `it` moves, where it can be read (a generator's
    frame position), else None."""
    if inspect.isgenerator(it):
        frame = it.gi_frame
        return None if frame is None else ('running', frame.f_lasti)
    return repr(it) if type(it).__module__ == 'itertools' else None


def _slots(cls):
    """The names of the ``__slots__`` of `cls` and its bases."""
    return [name for klass in getattr(cls, '__mro__', ()) for name in
            ([klass.__slots__] if isinstance(getattr(klass, '__slots__', ()), str)
             else getattr(klass, '__slots__', ())) if name not in ('__dict__', '__weakref__')]


def _attributes(obj):
    """The attributes `obj` holds itself (its ``__dict__`` and slots that are set)."""
    found = dict(vars(obj)) if hasattr(obj, '__dict__') else {}
    for name in _slots(type(obj)):
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            found[name] = value
    return found


def _set(obj, name, value):
    """Bind (or, with `_MISSING`, delete) the attribute `name` of `obj`, also of a frozen
    dataclass (whose own ``__setattr__`` refuses), or of a class."""
    if isinstance(obj, type):
        if value is _MISSING:
            delattr(obj, name)
        else:
            setattr(obj, name, value)
    elif value is _MISSING:
        object.__delattr__(obj, name)
    else:
        object.__setattr__(obj, name, value)
