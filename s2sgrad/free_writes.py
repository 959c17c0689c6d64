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
import sys
import types

import gast
import numpy as np

from . import rules
from . import nodes as n
from .errors import S2SError
from .free_paths import ANY, uses
from .kept_items import users_class, users_module
from .resolve import runs_users_code
from .source import parse_function

_DEPTH = 8


def free_refusal(func, kept, owner=None, _depth=0, _seen=None):
    """None, or ``(function, name, why)`` where the Python function `func` (a method of the
    class `owner`, whose other methods it may call) writes in place, through a global, a
    closure variable or its class (`owner`'s attributes), into a value that holds one of
    `kept` (or an array sharing memory with one), or calls code of yours that does (a
    function, a method of an object, class or module a name gives, a function a global list
    or dict holds). Code s2sgrad cannot read where such a value is in reach is refused as
    unreadable."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    _seen = set() if _seen is None else _seen
    func = getattr(func, '__func__', func)
    if not _users_function(func) or func in _seen or _depth > _DEPTH:
        return None
    _seen.add(func)
    reached = {}
    for name in sorted(free_names(func)):
        value = _free_value(func, name)
        if value is not _MISSING:
            reached[name] = value
    reached.update(_imported(func))  # (``import mymod`` in the function: the module)
    values = {name: value for name, value in reached.items() if _mutable(value)}
    givers = _givers(reached)
    facts = _written(func, tuple(values) + givers, owner)
    if facts is None:
        held = [name for name, value in values.items() if _reaches(value, kept, _holds_kept)]
        if held or owner is not None and _class_holds(owner, kept, _holds_kept):
            name = (held or ['its class'])[0]
            return func.__qualname__, name, f'may write into `{name}` (s2sgrad cannot read ' \
                f'its code), which holds'
        return None
    for name, value in values.items():
        if _touched(name, facts) and \
                _writes_held(func, value, name, False, facts, kept, _holds_kept):
            return func.__qualname__, name, f'writes into `{name}`, which holds'
    for name, value in _defaults(func).items():  # (``def g(c=C): c[0][...] = 0``)
        if _touched(name, facts) and _mutable(value) and _reaches(value, kept, _holds_kept):
            return func.__qualname__, name, f'writes into its default `{name}` (one value ' \
                f'every call shares), which holds'
    for name in givers:  # (``w = getw(); w *= 0.5`` of ``return G['w']``)
        if _touched(name, facts) and _gives_held(reached[name], kept, _holds_kept):
            return func.__qualname__, name, f'writes into what `{name}()` gives, which ' \
                f'may be what a global holds, and one holds'
    own = facts[4]
    if owner is not None and own is not None and users_class(owner) and \
            _touched(own, facts) and \
            _writes_held(func, owner, own, 'class', facts, kept, _holds_kept):
        # (``type(self).W *= 0.5``, ``self.W *= 0.5`` of a class attribute, ``cls.W``)
        return func.__qualname__, own, 'writes into what its class holds, which holds'
    if _dynamic(func) and any(  # (``globals()['G'][0] *= 0.5``, ``exec``)
            _mutable(value) and not inspect.ismodule(value) and
            _reaches(value, kept, _holds_kept) for value in list(func.__globals__.values())):
        return func.__qualname__, 'globals()', 'may write into a global by a computed name ' \
            '(`globals()`, `exec`, `eval`), and one holds'
    for name, value in reached.items():  # (the code of yours it calls, in turn)
        refused = _called(func, name, value, kept, _depth, _seen)
        if refused is not None:
            return refused
    if owner is not None and own is not None and users_class(owner):
        refused = _accessors(func, own, owner, True, owner, kept, _depth, _seen)
        if refused is not None:
            return refused
    if owner is not None and users_class(owner):  # (``self._update()``: its class's methods)
        for inner, klass in _methods_named(owner, func):
            refused = free_refusal(inner, kept, klass, _depth + 1, _seen)
            if refused is not None:
                return refused
    return None


def _defaults(func):
    """``{parameter: default}`` of the Python function `func`: values made once, when it
    was defined, which every call not given the argument shares."""
    code = func.__code__
    positional = code.co_varnames[:code.co_argcount]
    found = dict(zip(positional[len(positional) - len(func.__defaults__ or ()):],
                     func.__defaults__ or ()))
    found.update(func.__kwdefaults__ or {})
    return found


def _givers(reached):
    """The names among `reached` (free names and their values) of functions of yours, whose
    results a function may write into (``w = getw(); w *= 0.5``)."""
    return tuple(name for name, value in reached.items()
                 if inspect.isfunction(value) and _users_function(value))


def _gives_held(func, kept, holds_kept, depth=0, seen=None):
    """Whether what the function of yours `func` returns or yields may be one of `kept` or
    hold one: a value one of its free names gives holds one (or, in turn, one of the
    functions of yours it calls gives one)."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    if not _users_function(func) or func in seen or depth > _DEPTH:
        return False
    seen.add(func)
    for name in sorted(free_names(func)):
        value = _free_value(func, name)
        if inspect.isfunction(value):
            if _gives_held(value, kept, holds_kept, depth + 1, seen):
                return True
        elif _mutable(value) and _reaches(value, kept, holds_kept):
            return True
    return False


def _touched(name, facts):
    """Whether `effects.parameters_written` (`_written`'s `facts`) finds that the function
    may write into `name` or its items in place."""
    written, items, keyed, counted = facts[:4]
    return name in written or name in items or name in keyed or \
        any(param == name for param, _ in counted)


def _writes_held(func, root, name, own, facts, kept, holds_kept):
    """Whether a use of `name` (the free name whose value is `root`; with `own`, the first
    parameter, `root` its class, ``'class'``, or its object, ``'object'``) that may write
    (`free_paths.uses`) reaches a value that holds one of `kept`: what it writes into, an
    array it stores into; a use s2sgrad cannot resolve is taken to. Where
    `effects.parameters_written` (`_written`'s `facts`) finds no write into what it holds
    (``MODEL.norm = float(...)``, ``L.append(v)``), only its own change counts: a store into
    it where it is an array."""
    written, items, keyed, counted = facts[:4]
    if name not in items and name not in keyed and not any(
            param == name and not _number(_item(root, attr)) for param, attr in counted):
        try:
            return not own and name in written and _array_like(root) and \
                holds_kept(root, kept)
        except Exception:  # noqa: BLE001 (code of yours raised looking: taken to hold)
            return True
    found = uses(func, name, own)
    if found is None:
        return True
    rebound = [path for path, mode, _ in found if mode == 'rebind']
    for path, mode, method in found:
        if mode in ('write', 'change') and any(path[:len(other)] == other
                                               for other in rebound):
            # (``G['tmp'] = G['w']; G['tmp'] *= 0.5``: what it stored there, which any name
            # the function reads may have given)
            return _reaches(root, kept, holds_kept) or any(
                _reaches(_free_value(func, other), kept, holds_kept)
                for other in sorted(free_names(func)))
        if mode not in ('write', 'store', 'change', 'copy'):
            continue
        try:
            if mode == 'copy':  # (``L.copy()``, ``L * 1``: of an array, new memory)
                target = _at(root, path)
                if isinstance(target, np.ndarray) and target.dtype != object or \
                        isinstance(target, (numbers.Number, str, bytes)):
                    continue
            elif mode == 'store':  # (``CFG['lr'] = v``: an array there is written into)
                target = _at(root, path[:-1])
                target = target.base if isinstance(target, np.flatiter) else target
                if ANY not in path[:-1] and (own and not path[:-1] or not _array_like(target)):
                    continue  # (past a computed key, ``C[i][0][...] = 0``: any item's)
            else:
                target = _at(root, path)
                if own == 'class' and not path:
                    target = [value for base in root.__mro__ if users_class(base)
                              for value in vars(base).values() if not inspect.isroutine(value)]
                elif isinstance(target, _CONTAINERS) and (
                        mode == 'change' or method in _OWN_CHANGES):
                    continue  # (``CACHE['hist'].append(t)``: the list's own change)
            if holds_kept(target, kept):
                return True
        except _Unresolved:
            if not own:
                return True
        except Exception:  # noqa: BLE001 (code of yours raised looking: taken to hold)
            return True
    return False


class _Unresolved(Exception):
    """A path from a class to an attribute that its objects hold, not the class."""


def _at(root, path):
    """The value at the constant steps `path` from `root` (up to a computed key, `ANY`)."""
    value = root
    for step in path:
        if step is ANY:
            return value
        if isinstance(step, tuple):  # (an item: ``CFG['lr']``, ``REC['a']``)
            if inspect.isfunction(inspect.getattr_static(type(value), '__getitem__', None)):
                raise _UsersCode(step)
            value = value[step[0]]
        elif isinstance(value, type) and step not in dir(value):
            raise _Unresolved(step)
        elif runs_users_code(value, step):
            raise _UsersCode(step)
        else:
            value = getattr(value, step)
    return value


class _UsersCode(Exception):
    """A step the check does not take: reading it would run code of yours (a property's
    getter, a ``__getitem__``), which may change what it looks at; taken to hold."""


def _array_like(value):
    """Whether stores into `value` (``value[k] = v``) may write into array memory: an array,
    or anything but a list, dict, object of yours or module (whose item or attribute is
    rebound)."""
    if isinstance(value, _CONTAINERS) or inspect.ismodule(value) or isinstance(value, type):
        return False
    return hasattr(value, '__array__') or hasattr(value, '__array_interface__') or \
        not (users_class(type(value)) or hasattr(value, '__dict__'))


_CONTAINERS = (list, dict, set, collections.deque)
_OWN_CHANGES = frozenset({'append', 'extend', 'insert', 'add', 'clear', 'remove', 'discard',
                          'sort', 'reverse', 'appendleft', 'extendleft', 'rotate'})
"""Methods of a list, dict, set or deque that change it and give none of its items back."""


def _called(func, name, value, kept, depth, seen):
    """`free_refusal` of the code of yours that `func` calls through the free name `name`
    (whose value is `value`): a function, a method of the object, class or module at a path
    from it (``HOLD.decay()``, ``mymod.scale_w()``, ``CFG.opt.step()``), the functions a list
    or dict there holds where `func` calls what it does not name (``for cb in HOOKS:
    cb()``)."""
    from .method_writes import free_check, holder_refusal  # (it imports this module)
    from .runtime_checks import _holds_kept
    found = uses(func, name) or ()
    refused = _accessors(func, name, value, False, None, kept, depth, seen)
    if refused is not None:
        return refused
    for path, mode, method in found:
        if mode != 'call':
            continue
        try:
            target = _at(value, path)
        except Exception:  # noqa: BLE001 (not there now)
            continue
        if method == '__call__':
            refused = free_check(target, '__call__', kept, depth + 1, seen)
        elif isinstance(target, _CONTAINERS + (tuple,)):
            continue  # (``HOOKS.append(fn)``: a list's own method)
        else:
            refused = free_check(target, method, kept, depth + 1, seen)
            if refused is None and _holds_kept(target, kept):
                refused = holder_refusal(target, method, kept, depth + 1)
        if refused is not None:
            return refused
    if not isinstance(value, type) and users_class(type(value)) and _holds_kept(value, kept):
        # (``c = LZ.value``: a property's getter, given the object, which holds such an array)
        for attr in sorted({path[0] for path, _, _ in found if path and isinstance(path[0], str)}):
            for accessor in _accessor_functions(inspect.getattr_static(type(value), attr, None)):
                refused = holder_refusal(value, attr, kept, depth + 1, function=accessor)
                if refused is not None:
                    return refused
    if _users_function(value.__func__ if inspect.ismethod(value) else value) and found and not any(
            mode == 'call' and not path for path, mode, _ in found):
        refused = free_check(value, '__call__', kept, depth + 1, seen)  # (``fn = _scale``)
        if refused is not None:
            return refused
    if _calls_unnamed(func) and isinstance(value, (list, tuple, dict)):
        for item in list(value.values() if isinstance(value, dict) else value)[:_HOOKS]:
            if callable(item) and not isinstance(item, type):
                refused = free_check(item, '__call__', kept, depth + 1, seen)
                if refused is not None:
                    return refused
    return None


_HOOKS = 256


def _imported(func):
    """``{name: value}`` of the modules (and their attributes) the code of `func` imports
    itself (``import mymod``, ``from mymod import STATE``), as ``sys.modules`` has them."""
    found = {}
    for name, module, attribute in _imports(func):
        value = sys.modules.get(module)
        if value is not None and attribute is not None:
            value = getattr(value, attribute, None)
        if value is not None:
            found[name] = value
    return found


@functools.lru_cache(maxsize=512)
def _imports(func):
    """``(name, module, attribute or None)`` of the imports in the code of `func`."""
    try:
        node = parse_function(func).node
    except S2SError:
        return ()
    found = []
    for part in n.walk(node):
        if isinstance(part, gast.Import):
            found.extend((alias.asname or alias.name.split('.')[0],
                          alias.name if alias.asname else alias.name.split('.')[0], None)
                         for alias in part.names)
        elif isinstance(part, gast.ImportFrom) and part.module and not part.level:
            found.extend((alias.asname or alias.name, part.module, alias.name)
                         for alias in part.names if alias.name != '*')
    return tuple(found)


_DYNAMIC = frozenset({'globals', 'exec', 'eval'})


def _dynamic(func):
    """Whether the code of `func` may reach globals by a computed name: ``globals()``,
    ``exec``, ``eval``, ``sys.modules[...]``."""
    loaded = _loaded(func)
    return bool(loaded & _DYNAMIC) or 'sys' in loaded and 'modules' in _code_names(func)


@functools.lru_cache(maxsize=512)
def _loaded(func):
    """The names the code of `func` reads as variables (not attributes: ``self.model.eval()``
    names no `eval`), where it reads them from its globals or the builtins."""
    try:
        node = parse_function(func).node
    except S2SError:
        return frozenset(_code_names(func))
    local = set(n.names_stored(node)) | {arg.id for arg in node.args.args}
    return frozenset(part.id for part in n.walk(node) if isinstance(part, gast.Name) and
                     isinstance(part.ctx, gast.Load) and part.id not in local)


def _accessors(func, name, value, own, owner, kept, depth, seen):
    """`free_refusal` of the property getters and setters of yours that the uses of `name`
    (whose value is `value`; with `own`, the first parameter, `value` its class) run at the
    first attribute of their paths (``self.p`` of a property `p`, ``HOLD.p``), and of the
    ``__setattr__`` or ``__setitem__`` of yours a store into it runs (``self.lr = 0.1``)."""
    klass = value if own or isinstance(value, type) else type(value)
    if not users_class(klass):
        return None
    for path, mode, _ in uses(func, name, own) or ():
        if mode == 'store' and len(path) == 1:  # (``self.lr = v`` of a ``__setattr__``)
            special = '__setitem__' if isinstance(path[0], tuple) else '__setattr__'
            member = inspect.getattr_static(klass, special, None)
            if inspect.isfunction(member):
                refused = free_refusal(member, kept, klass, depth + 1, seen)
                if refused is not None:
                    return refused
        if not path or not isinstance(path[0], str):
            continue
        for accessor in _accessor_functions(inspect.getattr_static(klass, path[0], None)):
            refused = free_refusal(accessor, kept, klass, depth + 1, seen)
            if refused is not None:
                return refused
    return None


@functools.lru_cache(maxsize=512)
def _calls_unnamed(func):
    """Whether the code of `func` calls something it does not name as a global or an
    attribute (``cb()`` of a loop's ``cb``, ``OPS['scale']()``)."""
    try:
        node = parse_function(func).node
    except S2SError:
        return True
    local = set(n.names_stored(node)) | {arg.id for arg in node.args.args}
    return any(isinstance(part, gast.Call) and (
        isinstance(part.func, (gast.Subscript, gast.Call)) or
        isinstance(part.func, gast.Name) and part.func.id in local) for part in n.walk(node))


def writes_free(func):
    """Whether calling `func` (a function of yours, one a decorator wraps, a class of yours,
    a callable object) runs code of yours that may write in place into a value it reaches
    by a name it does not own (a global, a closure variable), or calls code of yours that
    does: whether the call needs `free_refusal`'s check when it runs."""
    return any(_writes_free(inner, 0, frozenset()) for inner, _ in runs_of(func))


def runs_of(func):
    """``[(function, class)]``: the Python functions calling `func` runs: a function (what
    ``functools.lru_cache`` or ``functools.wraps`` wraps), a bound method (with its class),
    a class's ``__init__`` and ``__new__`` (its constructor), a callable object's
    ``__call__``."""
    if inspect.ismethod(func):
        owner = func.__self__ if isinstance(func.__self__, type) else type(func.__self__)
        return [(func.__func__, owner)]
    if isinstance(func, type):
        return [(getattr(func, special), func) for special in ('__init__', '__new__')
                if _users_function(getattr(getattr(func, special), '__func__',
                                           getattr(func, special)))]
    if not inspect.isfunction(func):
        wrapped = getattr(func, '__wrapped__', None)
        if wrapped is not None:
            return runs_of(wrapped)
        call = inspect.getattr_static(type(func), '__call__', None)
        return [(call, type(func))] if _users_function(call) else []
    func = inspect.unwrap(func)
    return [(func, _defining_class(func))]


def _defining_class(func):
    """The class of yours a function taken from it (``Opt.step``) is defined in, found by its
    qualified name among its module's globals, or None."""
    path = getattr(func, '__qualname__', '').split('.')[:-1]
    if not path or '<locals>' in path:
        return None
    found = getattr(func, '__globals__', {}).get(path[0])
    for step in path[1:]:
        found = getattr(found, step, None)
    return found if isinstance(found, type) and users_class(found) and \
        inspect.getattr_static(found, func.__name__, None) is not None else None


def _writes_free(func, depth, seen):
    if not _users_function(func) or func in seen or depth > _DEPTH:
        return False
    names = tuple(sorted(free_names(func)))
    mutable = tuple(name for name in names if _mutable(_free_value(func, name)))
    givers = _givers({name: _free_value(func, name) for name in names})
    defaults = {name: value for name, value in _defaults(func).items() if _mutable(value)}
    if mutable or givers or defaults:
        facts = _written(func, mutable + givers, None)
        if facts is None or any(_may_write_arrays(_free_value(func, name), name, facts)
                                for name in mutable) or \
                any(_touched(name, facts) for name in givers + tuple(defaults)):
            return True
    if _dynamic(func) or any(_users(value) for value in _imported(func).values()
                             if inspect.ismodule(value)):
        return True  # (``globals()``, ``sys.modules[...]``, ``import __main__``)
    seen = seen | {func}
    for name in names:  # (``HOLD.decay()``, ``with CTX:``, ``for cb in HOOKS: cb()``)
        value = _free_value(func, name)
        if isinstance(value, (list, tuple, dict)) and _calls_unnamed(func):
            return True
        if not _mutable(value) or isinstance(value, _CONTAINERS) or inspect.ismodule(value):
            continue
        for path, mode, method in uses(func, name) or ():
            if mode == 'call' and _method_writes(value, path, method, depth, seen):
                return True
            if path and isinstance(path[0], str) and not isinstance(value, type) and \
                    _accessor_functions(inspect.getattr_static(type(value), path[0], None)) \
                    and _method_writes(value, (), path[0], depth, seen, read=True):
                return True  # (``c = LZ.value`` of a getter writing ``self.w *= 0.5``)
    return any(_writes_free(inner, depth + 1, seen)
               for name in names for inner, _ in _callees(_free_value(func, name), func))


_MISSING = object()


def _method_writes(value, path, method, depth, seen, read=False):
    """Whether calling the method `method` of what the path `path` from `value` (an object
    or class of yours a global gives) reaches may write into what its object holds
    (``HOLD.decay()`` of ``self.w *= 0.5``; not ``TRACKER.log(v)``, which counts and
    appends) or, in turn, through names it does not own; with `read`, reading the attribute
    `method` (a property's getter, setter or deleter, any of which may run)."""
    try:
        target = _at(value, path)
    except Exception:  # noqa: BLE001 (not there now: taken to)
        return True
    if isinstance(target, _CONTAINERS + (tuple,)) or not _mutable(target):
        return False
    klass = target if isinstance(target, type) else type(target)
    member = inspect.getattr_static(klass, method, None)
    if read:
        return any(_function_writes(target, klass, accessor, depth, seen)
                   for accessor in _accessor_functions(member))
    if isinstance(target, type) or not inspect.isfunction(member):
        return True  # (a class's, a property's, a descriptor's: checked when it runs)
    return _function_writes(target, klass, member, depth, seen)


def _function_writes(target, klass, member, depth, seen):
    """`_method_writes` of the function `member` of `klass`, given `target` as its object."""
    from .runtime_checks import _arrays_held  # (runtime imports this module)
    facts = _written(member, (), klass)
    if facts is None:
        return True
    own = facts[4]
    if own is not None and _touched(own, facts) and _writes_held(
            member, target, own, 'object', facts, (),
            lambda value, _: bool(_arrays_held((value,)))):
        return True  # (``self.w *= 0.5``; not ``self.hist.append(v)``, ``self.n += 1``)
    return _writes_free(member, depth + 1, seen) or any(
        _method_writes(target, (), inner.__name__, depth + 1, seen | {member})
        for inner, _ in _methods_named(klass, member) if inner not in seen)


@functools.lru_cache(maxsize=512)
def free_names(func):
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
    """Whether a value reached by a name may hold an array code of yours writes into: a
    list, tuple, dict, set or deque, an array, an object, class or module of yours (not a
    number, text, a function, nor a library's object, whose methods are not read)."""
    if value is _MISSING or value is None or isinstance(value, (
            int, float, complex, str, bytes, range)) or inspect.isroutine(value):
        return False
    if inspect.ismodule(value) or isinstance(value, type):
        return _users(value)
    return isinstance(value, _CONTAINERS + (tuple, frozenset, np.ndarray)) or \
        hasattr(type(value), '__array__') or _users(type(value)) or \
        isinstance(value, types.SimpleNamespace)


def _users(value):
    """Whether a module or class is of the user's (not a library's nor Python's, nor of a
    package installed in ``site-packages``)."""
    name = value.__name__ if inspect.ismodule(value) else getattr(value, '__module__', '')
    return (users_module(name or '') if inspect.ismodule(value) else users_class(value)) and \
        not _installed(name or '')


@functools.lru_cache(maxsize=1024)
def _installed(name):
    """Whether the module named `name` is a package installed in ``site-packages``."""
    module = sys.modules.get(name.split('.')[0])
    path = getattr(module, '__file__', None) or ''
    return 'site-packages' in path or 'dist-packages' in path


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


def _may_write_arrays(value, name, facts):
    """Whether what a function does to the free name `name` (`_written`'s `facts`), whose
    value is now `value`, may write into an array: into its items, into it where it is an
    array (``L.append(v)``, ``C['k'] = v``, ``S.last = v`` change the container or object
    only; the methods of an object are `_method_writes`'), into an item or attribute it
    changes as a count would that is not a number now (``CALLS['n'] += 1`` of a number: a
    new number)."""
    written, items, keyed, counted = facts[:4]
    if name in items:
        return True
    if name in keyed:
        return not all(_number(_item(value, key)) for key in keyed[name])
    if any(param == name and not _number(_item(value, attr)) for param, attr in counted):
        return True
    return name in written and _array_like(value)  # (an object's method: `_method_writes`)


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
    if inspect.ismodule(value) and _users(value):  # (``helpers.scaled(x)``: its functions)
        return [(inner, None) for inner in (getattr(value, attr, None)
                                            for attr in sorted(_code_names(func)))
                if inspect.isfunction(inner)]
    if _mutable(value) and not isinstance(value, type) and users_class(type(value)):
        # (``c = LZ.value``: the getter of a property of its class, which the read runs)
        return [(accessor, type(value)) for name in sorted(_code_names(func))
                for accessor in _accessor_functions(
                    inspect.getattr_static(type(value), name, None))]
    return []


def _accessor_functions(member):
    """The functions of yours reading or storing the attribute `member` (a class's) runs:
    a property's getter, setter and deleter, a ``functools.cached_property``'s function."""
    if isinstance(member, property):
        return [accessor for accessor in (member.fget, member.fset, member.fdel)
                if inspect.isfunction(accessor)]
    if isinstance(member, functools.cached_property) and inspect.isfunction(member.func):
        return [member.func]
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
