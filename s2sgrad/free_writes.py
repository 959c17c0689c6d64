"""What a function of yours writes into through the names it does not own (its module's
globals, its closure, its class): the run-time check that none of them holds an array the
derivative reads.

A helper or a method may write in place into an array it reaches by a global name
(``GW[0] *= 0.5``, ``STATE.w *= 0.5``), a closure variable, or its class's attributes
(``type(self).W *= 0.5``, ``Cls.W *= 0.5``, a class method's ``cls.W``). Where that array is
one the backward sweep reads (an argument of the function that a global list also holds),
the derivative would read the changed value. `free_refusal` reads the function's code (with
the analysis that helpers get, `effects.parameters_written`, those names taken for its
parameters) and says which such name it writes into, where the value the name has when the
check runs holds one of the arrays; it follows the functions of yours those names are (and
the methods of a class it names) to a small depth."""
import collections
import functools
import inspect
import numbers
import types

import numpy as np

from . import rules
from .errors import S2SError
from .kept_items import users_class, users_module
from .source import parse_function

_DEPTH = 4


def free_refusal(func, kept, owner=None, _depth=0, _seen=None):
    """None, or ``(function, name, why)`` where the Python function `func` (a method of the
    class `owner`, whose other methods it may call) writes in place, through a global, a
    closure variable or its class (`owner`'s attributes), into a value that holds one of
    `kept` (or an array sharing memory with one), or calls a function of yours that does.
    Code s2sgrad cannot read where such a value is in reach is refused as unreadable."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    _seen = set() if _seen is None else _seen
    func = getattr(func, '__func__', func)
    if not _users_function(func) or func in _seen or _depth > _DEPTH:
        return None
    _seen.add(func)
    names = _free_names(func)
    values = {}
    for name in names:
        value = _free_value(func, name)
        if value is not _MISSING:
            values[name] = value
    holding = sorted(name for name, value in values.items() if _reaches(value, kept, _holds_kept))
    attrs = _class_attributes_holding(owner, kept, _holds_kept) if owner is not None else ()
    if holding or attrs:
        facts = _written(func, tuple(holding), owner)
        if facts is None:
            name = (holding or sorted(attrs))[0]
            return func.__qualname__, name, f'may write into `{name}` (s2sgrad cannot read ' \
                f'its code), which holds'
        for name in holding:
            if _writes_held(values[name], name, facts, kept, _holds_kept):
                return func.__qualname__, name, f'writes into `{name}`, which holds'
        own, items, keyed, counted = facts[4], facts[1], facts[2], facts[3]
        if own is not None and (own in items or own in keyed) and _names_any(func, attrs) or \
                any(param == own and attr in attrs for param, attr in counted):
            # (``type(self).W *= 0.5``, ``self.W *= 0.5`` of a class attribute, ``cls.W``)
            return func.__qualname__, sorted(attrs)[0], 'writes into its class, which holds'
    for name, value in values.items():  # (the functions of yours it calls, in turn)
        for inner, klass in _callees(value, func):
            refused = free_refusal(inner, kept, klass, _depth + 1, _seen)
            if refused is not None:
                return refused
    if owner is not None and users_class(owner):  # (``self._update()``: its class's methods)
        for inner, klass in _methods_named(owner, func):
            refused = free_refusal(inner, kept, klass, _depth + 1, _seen)
            if refused is not None:
                return refused
    return None


def writes_free(func):
    """Whether the Python function `func`, or a function of yours it names, may write in
    place into a value it reaches by a name it does not own (a global, a closure variable):
    whether calling it needs `free_refusal`'s check when it runs."""
    return _writes_free(getattr(func, '__func__', func), 0, frozenset())


def _writes_free(func, depth, seen):
    if not _users_function(func) or func in seen or depth > _DEPTH:
        return False
    names = tuple(sorted(_free_names(func)))
    mutable = tuple(name for name in names if _mutable(_free_value(func, name)))
    if mutable:
        facts = _written(func, mutable, None)
        if facts is None or any(_may_write_arrays(_free_value(func, name), name, facts)
                                for name in mutable):
            return True
    seen = seen | {func}
    return any(_writes_free(inner, depth + 1, seen)
               for name in names for inner, _ in _callees(_free_value(func, name), func))


_MISSING = object()


@functools.lru_cache(maxsize=512)
def _free_names(func):
    """The names the code of `func` (and the code nested in it) reads that are its module's
    globals or its closure's variables (attribute names that are also global names too)."""
    return frozenset(name for name in _code_names(func) if name in func.__globals__) | \
        frozenset(func.__code__.co_freevars)


def _free_value(func, name):
    """The value the free name `name` of `func` has now (a closure's cell or a global)."""
    if name in func.__code__.co_freevars:
        cell = func.__closure__[func.__code__.co_freevars.index(name)]
        try:
            return cell.cell_contents
        except ValueError:  # (a cell not filled yet)
            return _MISSING
    return func.__globals__.get(name, _MISSING)


def _mutable(value):
    """Whether a value reached by a name may be written into in place: not a number, text,
    a function, a library's module or class."""
    if value is _MISSING or value is None or isinstance(value, (
            int, float, complex, str, bytes, tuple, frozenset, range)) or \
            inspect.isroutine(value):
        return False
    if inspect.ismodule(value) or isinstance(value, type):
        return _users(value)
    return not rules.is_library(type(value)) or hasattr(value, '__array__')


def _users(value):
    """Whether a module or class is of the user's (not a library's nor Python's)."""
    if inspect.ismodule(value):
        return users_module(value.__name__)
    return users_class(value)


def _users_function(func):
    """Whether `func` is a Python function of yours (not of a library, nor of Python's own
    modules: ``logging``'s methods)."""
    module = getattr(func, '__module__', None) or ''
    return inspect.isfunction(func) and not rules.is_library(func) and \
        users_module(module) and module.split('.')[0] != 's2sgrad'  # (not its helpers)


def _reaches(value, kept, holds_kept):
    """Whether `value` (what a free name gives) holds one of `kept`: a class of yours by its
    attributes (those of its bases of yours too), a module of yours by its globals; a value
    that cannot be looked into (its iteration raises) is taken to."""
    try:
        return _reaches_now(value, kept, holds_kept)
    except Exception:  # noqa: BLE001 (code of yours raised: taken to hold one)
        return True


def _reaches_now(value, kept, holds_kept):
    if value is _MISSING or inspect.isroutine(value):
        return False
    if isinstance(value, type):
        return _users(value) and _class_holds(value, kept, holds_kept)
    if inspect.ismodule(value):
        return _users(value) and holds_kept(
            [item for item in vars(value).values() if _mutable(item) and
             not inspect.ismodule(item) and not isinstance(item, type)], kept)
    return holds_kept(value, kept)


def _class_holds(klass, kept, holds_kept):
    """Whether the class `klass` (or a base of it of yours) holds one of `kept` as an
    attribute (or in one)."""
    return bool(_class_attributes_holding(klass, kept, holds_kept))


@functools.lru_cache(maxsize=512)
def _written(func, names, owner):
    """``(names written, names whose items are written, {name: the keys of the items
    written}, {(name, attribute) changed as a count would be}, its first parameter)`` of the
    free names `names` of `func` (and its first parameter; a method of `owner`, whose
    methods its calls on its object run), as `effects.parameters_written` finds them, or
    None where s2sgrad cannot read its code."""
    try:
        source = parse_function(func)
    except S2SError:
        return None
    from .effects import parameters_written
    node = source.node
    numbers, items, keyed, counted = set(), set(), {}, set()
    written = parameters_written(node, extra=list(names), namespace=source.namespace,
                                 numbers=numbers, items=items, item_keys=keyed, owner=owner,
                                 bookkeeping=counted)
    own = node.args.posonlyargs + node.args.args
    return (frozenset(set(written) | numbers), frozenset(items), dict(keyed),
            frozenset(counted), own[0].id if own else None)


def _writes_held(value, name, facts, kept, holds_kept):
    """Whether what `func` does to the free name `name` (`_written`'s `facts`), whose value
    is `value`, writes into one of `kept`: into its items (at the keys written, where only
    those are), into it where it is an array (a list's, a dict's or an object's own change,
    ``L.append(v)``, ``C['k'] = v``, ``S.last = v``, writes into no array), or a count of
    it that holds one (``S.w /= 2``)."""
    written, items, keyed, counted = facts[:4]
    if name in items:
        return True
    if name in keyed:
        return any(holds_kept(_item(value, key), kept) for key in keyed[name])
    if name in written and (hasattr(value, '__array__') or hasattr(value, 'shape')):
        return True
    return any(param == name and holds_kept(_item(value, attr), kept)
               for param, attr in counted)


def _may_write_arrays(value, name, facts):
    """Whether what a function does to the free name `name` (`_written`'s `facts`), whose
    value is now `value`, may write into an array: into its items, into it where it is an
    array or an object other than a list, dict or set (``L.append(v)``, ``C['k'] = v``
    change the container only), into an item or attribute it changes as a count would
    that is not a number now (``CALLS['n'] += 1`` of a number: a new number)."""
    written, items, keyed, counted = facts[:4]
    if name in items:
        return True
    if name in keyed:
        return not all(_number(_item(value, key)) for key in keyed[name])
    if any(param == name and not _number(_item(value, attr)) for param, attr in counted):
        return True
    return name in written and not isinstance(value, (list, dict, set, collections.deque))


def _number(value):
    """Whether `value` is a number (Python's or NumPy's scalar) or text."""
    return isinstance(value, (numbers.Number, np.generic, str, bytes))


def _item(value, key):
    """The item or attribute `key` of `value`, or None."""
    try:
        return value[key]
    except Exception:  # noqa: BLE001 (no item there: its attribute)
        return getattr(value, str(key), None)


def _class_attributes_holding(klass, kept, holds_kept):
    """The attributes of the class `klass` of yours (and of its bases of yours) that hold
    one of `kept`."""
    if not (isinstance(klass, type) and users_class(klass)):
        return frozenset()
    return frozenset(name for base in klass.__mro__ if base is not object and users_class(base)
                     for name, value in vars(base).items()
                     if not inspect.isroutine(value) and
                     not isinstance(value, (property, staticmethod, classmethod)) and
                     holds_kept(value, kept))


def _names_any(func, attributes):
    """Whether the code of `func` names one of `attributes` (as an attribute or a name), or
    reaches attributes by a computed name (``getattr``, ``vars``, ``__dict__``)."""
    names = _code_names(func)
    return bool(names & set(attributes)) or bool(names & _COMPUTED)


_COMPUTED = frozenset({'getattr', 'setattr', 'vars', '__dict__', 'super', 'mro', '__mro__'})


@functools.lru_cache(maxsize=512)
def _code_names(func):
    """The names the code of `func` and the code nested in it read (``co_names``)."""
    names, pending = set(), [func.__code__]
    while pending:
        code = pending.pop()
        names.update(code.co_names)
        pending.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return frozenset(names)


def _callees(value, func):
    """``(function, class)``: the functions of yours a free name's `value` gives `func` to
    call: a function, a bound method (its class), the methods of a class it names."""
    if inspect.ismethod(value) and inspect.isfunction(value.__func__):
        owner = value.__self__ if isinstance(value.__self__, type) else type(value.__self__)
        return [(value.__func__, owner)]
    if inspect.isfunction(value):
        return [(value, None)]
    if isinstance(value, type) and _users(value):
        return _methods_named(value, func)
    return []


def _methods_named(klass, func):
    """``(function, class)``: the functions of the class `klass` (its methods, class and
    static methods) whose names the code of `func` reads."""
    found = []
    for name in sorted(_code_names(func)):
        member = inspect.getattr_static(klass, name, None)
        member = getattr(member, '__func__', member)
        if inspect.isfunction(member) and member is not func:
            found.append((member, klass))
    return found
