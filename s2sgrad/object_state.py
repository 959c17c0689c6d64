"""What objects of yours hold, kept and put back: `jacobian` runs the function once per column.

A function may change the objects it is given (``sched.rate()`` advancing ``sched.t``,
``self.steps.pop(0)`` of a bound method's object). `ObjectState` records, for the objects of
yours reachable from the arguments (through attributes, ``__slots__``, and the lists, dicts
and tuples they hold, to a few levels), each attribute's binding and the contents of each
list, dict and array; `put_back` restores them in place, so that each run starts from the same
state and the objects stay the caller's own (``cfg is DEFAULT`` holds).
"""
import functools
import inspect
import numbers

import numpy as np

_DEPTH = 4
"""How many levels of objects and containers below an argument are kept."""
_LIMIT = 20000
"""How many objects and containers are kept at most (a larger graph: the first ones)."""
_MISSING = object()


def plain_object(value):
    """Whether `value` is an object of a class of yours: no array, container, number, text,
    function, class or module (a callable object of yours is one)."""
    return (hasattr(value, '__dict__') or _slots(type(value))) and \
        not isinstance(value, (list, tuple, dict, set, np.ndarray, np.generic, numbers.Number,
                               str, bytes, type, functools.partial)) and \
        not inspect.isroutine(value) and not inspect.ismodule(value) and \
        not hasattr(value, '__array_function__')


class ObjectState:
    """The state of the objects of yours reachable from `values`, as it is now."""

    def __init__(self, values):
        self.objects = []     # (object, {attribute: value})
        self.containers = []  # (list, items), (dict, items), (array, copy)
        seen = set()
        for value in values:
            self._keep(value, seen, 0)

    def _keep(self, value, seen, depth):
        if depth > _DEPTH or id(value) in seen or len(seen) > _LIMIT:
            return
        if isinstance(value, np.ndarray):
            seen.add(id(value))
            if value.flags.writeable and value.dtype != object:
                self.containers.append((value, value.copy()))
            return
        if isinstance(value, (list, dict, tuple)):
            seen.add(id(value))
            items = list(value.items()) if isinstance(value, dict) else list(value)
            if not isinstance(value, tuple):
                self.containers.append((value, items))
            for item in items:
                self._keep(item[1] if isinstance(value, dict) else item, seen, depth + 1)
            return
        if not plain_object(value):
            return
        seen.add(id(value))
        attributes = _attributes(value)
        self.objects.append((value, attributes))
        for item in attributes.values():
            self._keep(item, seen, depth + 1)

    def put_back(self):
        """Every object's attributes bound as they were, and every list, dict and array kept
        holding what it held."""
        for obj, attributes in self.objects:
            now = _attributes(obj)
            for name in set(now) - set(attributes):
                _set(obj, name, _MISSING)
            for name, value in attributes.items():
                if now.get(name, _MISSING) is not value:
                    _set(obj, name, value)
        for container, kept in self.containers:
            if isinstance(container, np.ndarray):
                container[...] = kept
            elif isinstance(container, list):
                container[:] = kept
            else:
                container.clear()
                container.update(kept)


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
    dataclass (whose own ``__setattr__`` refuses)."""
    if value is _MISSING:
        object.__delattr__(obj, name)
    else:
        object.__setattr__(obj, name, value)
