"""Methods of objects whose class is known only when the derivative runs: the check that one
does not write into what the differentiated function gives it.

``opt.step(ps)``, where `opt` is a parameter of the function (or its default, or a value it
gets from a call), calls code s2sgrad cannot name when it makes the derivative. Where the call
is given an array the backward sweep reads, an argument of the function, or a container that
may hold one, the generated code checks the call before it runs:
``s2s.check_method_writes(opt, 'step', message, ((0, ps),))`` reads the code of the method the
object has (`method_refusal`, once per method) with the analysis that helpers of known class
get (`effects.parameters_written`), and raises InPlaceError where the method writes in place
into a parameter given one of those values (into the items of one that holds arrays; by ``+=``
into one that is not a number)."""
import collections
import functools
import inspect
import types

import gast
import numpy as np

from . import nodes as n
from . import rules
from .alias_memory import CONTAINER_METHODS, INPLACE_METHODS
from .errors import S2SError
from .free_writes import free_refusal
from .item_holders import FILLING_METHODS
from .kept_items import NONFILLING_METHODS, unwrapped, users_class
from .source import parse_function

KNOWN_METHODS = frozenset(set(FILLING_METHODS) | NONFILLING_METHODS | set(INPLACE_METHODS) |
                          set(CONTAINER_METHODS))
"""Methods whose effect the passes know by name (a list's, a dict's, an array's): not checked."""


def method_check(receiver, name, given, unknown, message, kept=()):
    """``s2s.check_method_writes(receiver, 'name', message, ((0, ps), ('out', buf)),
    unknown)``: the check of a call of the method `name` of the object expression `receiver`
    (``'__call__'``: of the object itself), where
    `given` are ``(position or keyword, value)`` pairs of the arguments to check (plain names
    and attributes, read again by the check) and `unknown` the positions or keywords of the
    others (any write into those raises); `kept`, the arrays the derivative reads that the
    object may hold (``kept=(x, data)``: a method writing into what its object holds, when
    it holds one of them)."""
    pairs = gast.Tuple(elts=[gast.Tuple(elts=[n.const(key), n.clone(value)], ctx=gast.Load())
                             for key, value in given], ctx=gast.Load())
    args = [n.clone(receiver), n.const(name), n.const(message), pairs]
    if unknown:
        args.append(n.const(tuple(unknown)))
    if not kept:
        return n.call('s2s.check_method_writes', *args)
    return n.call('s2s.check_method_writes', *args, kept=gast.Tuple(
        elts=[n.clone(value) for value in kept], ctx=gast.Load()))


def method_refusal(obj, name, given, unknown=(), _depth=0):
    """None, or ``(method, parameter, why)`` where the method `name` of `obj` (a Python
    function of yours, read when this runs) writes in place into the parameter that one of
    `given` (``(position or keyword, value)``) or of `unknown` (positions or keywords whose
    values are not known) is bound to: an array or a container it writes into (or into the
    items of, where they hold arrays; ``+=`` of a parameter given something other than a
    number). A method of a builtin or a library is not checked. Followed: a list, tuple or
    dict of objects (``for o in opts: o.step(p)``: each item's), a bound method or callable
    object stored on the object, and the methods a method calls on attributes of its object
    (``self.opt.step(p)``). Refused as unreadable: a method of yours whose code s2sgrad
    cannot read (made by ``exec``), one a property or ``__getattr__`` gives."""
    if _depth > 6:
        return None
    if isinstance(obj, _ITEM_VIEWS) and not inspect.isfunction(obj):
        # (``train_list([opt], p)`` calling ``o.step(p)`` of each item)
        items = obj.values() if isinstance(obj, dict) else obj
        for item in list(items):
            refused = method_refusal(item, name, given, unknown, _depth + 1)
            if refused is not None:
                return refused
        return None
    if '.' in name:  # (``self.opt.step(p)`` in a method: the attribute's method)
        first, rest = name.split('.', 1)
        inner, _ = _member(obj, first)
        if inner is None or isinstance(inner, (property, types.MemberDescriptorType)):
            inner = _computed(obj, first)  # (a slot's, a property's, ``__getattr__``'s)
            if inner is _UNKNOWN:
                return _label(obj, first), '*', _UNREADABLE
        return method_refusal(inner, rest, given, unknown, _depth + 1)
    if name == '__call__' and (inspect.isfunction(obj) or inspect.ismethod(obj)):
        # (a function or bound method called by a name of the function: ``fn(w)``)
        func, offset = getattr(obj, '__func__', obj), int(inspect.ismethod(obj))
        funcs = [func]
        klass = type(obj.__self__) if inspect.ismethod(obj) else None
    else:
        bound, owned = _member(obj, name)
        if isinstance(bound, staticmethod):
            func, offset = bound.__func__, 0
        elif isinstance(bound, classmethod):
            func, offset = bound.__func__, 1
        elif inspect.isfunction(bound):  # (of a class called on the class itself: no self)
            func, offset = bound, 0 if owned or isinstance(obj, type) else 1
        elif bound is None or isinstance(bound, property):
            # (what ``__getattr__`` or a property gives: a method or function, read)
            bound = _computed(obj, name)
            if bound is _UNKNOWN:
                return _label(obj, name), '*', _UNREADABLE
            if bound is None or _library_callable(bound):
                return None
            return method_refusal(bound, '__call__', given, unknown, _depth + 1)
        elif hasattr(bound, 'py_func') and inspect.isfunction(bound.py_func):
            # (a numba dispatcher stored on the object: its Python function)
            return method_refusal(bound.py_func, '__call__', given, unknown, _depth + 1)
        elif inspect.ismethod(bound) or isinstance(bound, functools.partial):
            # (``self.fn = opt.step`` stored on the object; a partial: any argument)
            if isinstance(bound, functools.partial):
                return method_refusal(bound.func, '__call__', (), ('*',), _depth + 1)
            return method_refusal(bound, '__call__', given, unknown, _depth + 1)
        elif owned and callable(bound) and not _library_callable(bound) and \
                not isinstance(bound, type):
            if not _readable_call(bound):
                return _label(obj, name), '*', _UNREADABLE
            return method_refusal(bound, '__call__', given, unknown, _depth + 1)
        else:
            return None
        funcs = [func] + _overridden(obj, name, func)
        klass = None if not offset else obj if isinstance(obj, type) else type(obj)
    for func in funcs:
        refused = _refused_by(_unwrapped(func), offset, given, unknown, klass)
        if refused is not None:
            return refused
        if offset and klass is not None:  # (``self.opt.step(p)``: its attribute's method)
            refused = _delegated(obj, func, given, unknown, _depth)
            if refused is not None:
                return refused
    return None


_UNREADABLE = 'may write into what it is given (s2sgrad cannot read its code)'


def holder_refusal(obj, name, kept=(), _depth=0, function=None):
    """None, or ``(method, parameter, why)`` where the method `name` of `obj`, an object of a
    class of yours, writes into what its object holds (``for p in self.params: p -= g``,
    ``self.w *= 0.5``; in a method of its class it calls, ``self._update()``): the check of
    a call given nothing the derivative reads, of an object that holds such an array
    (`runtime_checks.check_method_writes`'s `kept`). Rebinding an attribute (``self.w =
    self.w * 0.5``, ``self.t += 1`` of a number) writes into no array and passes; so does a
    method that names none of the attributes holding one of `kept` (``self.hist.append(t)``
    of an object whose ``w`` is the kept array), calls no method of its object and does not
    pass the object on or read its attributes by a computed name. Followed: the items of a
    list, tuple or dict of objects (``for o in opts: o.step()``), an attribute's method
    (``'opt.step'``), a bound method or callable object called (``'__call__'``). With
    `function`, the function of the class that reading the attribute `name` runs (a
    property's getter) is read as the method."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    if _depth > 6:
        return None
    if function is not None:
        return _function_refusal(obj, name, [function], kept, _depth)
    spread = _spread(obj, name,
                     lambda inner, rest: holder_refusal(inner, rest, kept, _depth + 1))
    if spread is not _NOT_SPREAD:
        return spread
    if name == '__call__' and inspect.ismethod(obj):  # (``callback()`` of ``opt.step``)
        return holder_refusal(obj.__self__, obj.__func__.__name__, kept, _depth + 1)
    if isinstance(obj, type) or not _users_object(obj):
        return None
    bound, owned = _member(obj, name)
    unread = _unread_member(obj, name, bound, owned)
    if isinstance(bound, classmethod):
        return (_label(obj, name), '*', unread) if class_holds(obj, name, kept) else None
    if unread is not None:
        return _label(obj, name), '*', unread
    if isinstance(bound, functools.partialmethod) and inspect.isfunction(bound.func):
        bound = bound.func  # (``step = partialmethod(_scale, 0.5)``: its function, given self)
    elif owned and callable(bound) and _users_object(bound) and not inspect.isfunction(bound):
        # (a callable object of yours stored on the object: what it holds, its ``__call__``)
        return holder_refusal(bound, '__call__', kept, _depth + 1) if \
            _holds_kept(bound, kept) else None
    if owned or not inspect.isfunction(bound):
        return None  # (a static method, a function stored on the object: no object given)
    if isinstance(obj, np.ndarray):
        # (a method of your subclass of ndarray: ``self *= 0.5`` writes into the array the
        # object is, which shares memory with one the derivative reads)
        for func in [bound] + _overridden(obj, name, bound):  # (``super().step()`` too)
            facts = _parameters_written(_unwrapped(func), type(obj))
            if facts is None and not rules.is_library(_unwrapped(func)) or \
                    facts is not None and facts[0] and \
                    facts[0][0] in facts[4] | facts[5] | facts[6]:
                return _label(obj, name), '*', 'may write into the array its object is'
    return _function_refusal(obj, name, [bound] + _overridden(obj, name, bound), kept, _depth)


def _function_refusal(obj, name, functions, kept, depth):
    """`holder_refusal` of the functions `functions` of the class of `obj` (the method `name`
    and those it overrides), each given `obj` as its first parameter."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    for func in functions:
        func = _unwrapped(func)
        facts = _parameters_written(func, type(obj))
        if facts is None:
            return None if rules.is_library(func) else (func.__qualname__, '*', _UNREADABLE)
        params, items = facts[0], facts[5]
        if params and params[0] in items and _may_reach(obj, func, params[0], kept):
            return func.__qualname__, params[0], 'writes into what its object holds'
        for attr in _bookkept(func, type(obj)):  # (``self.w /= 2`` of an array: no count)
            if _holds_kept(getattr(obj, attr, None), kept):
                return func.__qualname__, params[0], 'writes into what its object holds'
        for path in _attribute_calls(func):  # (``self.w.step()``: the attribute's method)
            if _own_method(obj, path):
                continue  # (``self.hist.append(t)``: a list's, a dict's own method)
            refused = holder_refusal(obj, path, kept, depth + 1)
            if refused is not None:
                return refused
    return None


def free_check(obj, name, kept, _depth=0, _seen=None):
    """None, or ``(function, name, why)`` where a function the call of the method `name` of
    `obj` runs writes into a global, a closure variable or a class attribute holding one of
    `kept` (`free_writes.free_refusal`): the method found as `holder_refusal` finds it (and
    a static method, a function stored on the object, a class's method called on the class,
    a metaclass's, a ``functools.partialmethod``'s function), the methods ``super()`` reaches,
    the items of a list or dict of objects, an attribute's method. A descriptor of yours
    other than these makes code s2sgrad cannot read: refused as such."""
    if _depth > 8:
        return None
    _seen = set() if _seen is None else _seen
    spread = _spread(obj, name,
                     lambda inner, rest: free_check(inner, rest, kept, _depth + 1, _seen))
    if spread is not _NOT_SPREAD:
        return spread
    runs = _functions_run(obj, name, _depth)
    if isinstance(runs, str):
        return _label(obj, name), '*', 'is made by code that raised when s2sgrad read it; ' \
            'it may write into what may hold'
    for func, owner in runs:
        refused = free_refusal(func, kept, owner, _depth, _seen)
        if refused is not None:
            return refused
        if owner is None or isinstance(obj, type) or not _users_object(obj):
            continue
        for path in _attribute_calls(func, 1):  # (``self.h.run()``, ``self.cb()``)
            if '.' not in path and not _member(obj, path)[1]:
                continue  # (a method of its class: followed by `free_refusal`)
            if not _own_method(obj, path):
                refused = free_check(obj, path, kept, _depth + 1, _seen)
                if refused is not None:
                    return refused
    return None


def _spread(obj, name, check):
    """What `check(item, name)` says of the first item of a list, tuple or dict of objects
    `obj` that it refuses (``for o in opts: o.step()``), or `check(inner, rest)` of the
    attribute a dotted `name` names (``'opt.step'``: ``obj.opt``'s ``step``); `_NOT_SPREAD`
    for an object and a plain name."""
    if isinstance(obj, _ITEM_VIEWS) and not inspect.isfunction(obj):
        for item in list(obj.values() if isinstance(obj, dict) else obj):
            refused = check(item, name)
            if refused is not None:
                return refused
        return None
    if '.' in name:  # (``model.opt.step()``: the attribute's method)
        first, rest = name.split('.', 1)
        inner, _ = _member(obj, first)
        if inner is None or isinstance(inner, (property, types.MemberDescriptorType)):
            inner = _computed(obj, first)
        return None if inner is _UNKNOWN else check(inner, rest)
    return _NOT_SPREAD


_NOT_SPREAD = object()


def _functions_run(obj, name, depth):
    """``[(function, class)]``: the Python functions of yours that calling the method `name`
    of `obj` runs (each with the class whose attributes its first parameter reaches; None
    for none), or why s2sgrad cannot tell (text)."""
    if name == '__call__' and (inspect.isfunction(obj) or inspect.ismethod(obj)):
        func = getattr(obj, '__func__', obj)
        owner = getattr(obj, '__self__', None)
        owner = owner if isinstance(owner, type) or owner is None else type(owner)
        return [(func, owner)]
    if inspect.ismodule(obj):  # (``mymod.scale_w()``: a function of a module of yours)
        func = getattr(obj, name, None)
        return [(func, None)] if inspect.isfunction(func) else []
    if _library_callable(obj) and not _users_object(obj) and not (
            isinstance(obj, type) and users_class(obj)):
        return []
    bound, owned = _member(obj, name)
    klass = obj if isinstance(obj, type) else type(obj)
    if bound is None and isinstance(obj, type):  # (a metaclass's method, on the class)
        bound, owned = _member(type(obj), name)[0], False
        if inspect.isfunction(bound):
            return [(bound, obj)]
    if isinstance(bound, staticmethod):
        return [(bound.__func__, None)]
    if isinstance(bound, classmethod):
        return [(func, klass) for func in [bound.__func__] + _overridden(
            klass, name, bound.__func__)]
    if isinstance(bound, functools.partialmethod):
        func = bound.func
        return [(getattr(func, '__func__', func), klass)]
    if inspect.isfunction(bound):
        owner = None if owned or isinstance(obj, type) else klass
        return [(func, owner) for func in [bound] + (
            _overridden(obj, name, bound) if owner is not None else [])]
    if bound is None or isinstance(bound, property):
        bound = _computed(obj, name)  # (what ``__getattr__`` or a property gives)
        if bound is _UNKNOWN:
            return _UNREADABLE
        if bound is None or _library_callable(bound):
            return []
        return _functions_run(bound, '__call__', depth + 1)
    if inspect.ismethod(bound):
        return _functions_run(bound, '__call__', depth + 1)
    if isinstance(bound, functools.partial):
        return _functions_run(bound.func, '__call__', depth + 1)
    if hasattr(bound, 'py_func') and inspect.isfunction(bound.py_func):
        return [(bound.py_func, None)]
    if hasattr(type(bound), '__get__') and not owned and users_class(type(bound)):
        made = _computed(obj, name)  # (a descriptor of yours: what its ``__get__`` gives)
        if made is _UNKNOWN:
            return _UNREADABLE
        if made is None or made is bound:
            return []
        return _functions_run(made, '__call__', depth + 1)
    if callable(bound) and users_class(type(bound)) and depth < 6:
        # (a callable object of yours stored on the object, or its class)
        call = inspect.getattr_static(type(bound), '__call__', None)
        return [(call, type(bound))] if inspect.isfunction(call) else []
    return []


@functools.lru_cache(maxsize=256)
def _attribute_calls(func, least=2):
    """The methods of its first parameter's attributes the method `func` calls (``'w.step'``
    of ``self.w.step()``, ``'opt.state.reset'``; with `least` 1, its own too: ``'cb'`` of
    ``self.cb()``)."""
    try:
        node = parse_function(func).node
    except S2SError:
        return ()
    own = node.args.posonlyargs + node.args.args
    if not own:
        return ()
    found = set()
    for part in n.walk(node):
        if isinstance(part, gast.Call) and isinstance(part.func, gast.Attribute):
            path = n.dotted_path(part.func)
            if path and path.startswith(own[0].id + '.') and path.count('.') >= least:
                found.add(path.split('.', 1)[1])
    return tuple(sorted(found))


def _own_method(obj, path):
    """Whether the method the dotted `path` (``'hist.append'``) names on `obj` is a method of
    a builtin container (a list, a dict, a deque) the attributes hold: its own change, which
    the analysis of the method reads as such (not those of the objects it holds)."""
    value = obj
    *attributes, method = path.split('.')
    for attribute in attributes:
        value, _ = _member(value, attribute)
    return isinstance(value, (list, dict, set, collections.deque)) and \
        hasattr(type(value), method)


def _unread_member(obj, name, bound, owned):
    """Why the method `name` of `obj` (`bound`, `owned`: `_member`'s) cannot be read where
    its object holds an array the derivative reads: ``__getattr__`` gives it (a forwarding
    object's), a property's getter makes it (a closure of the object's), or it is a class
    method (which writes into what its class holds); else None."""
    if bound is None and not owned and (_member(obj, '__getattr__')[0] is not None or
                                        type(obj).__getattribute__ is not object.__getattribute__):
        return 'is given by `__getattr__` (s2sgrad cannot read its code)'
    if isinstance(bound, property):
        return 'is made by a property (s2sgrad cannot read its code)'
    if isinstance(bound, classmethod):
        return 'is a class method (which may write into what its class holds)'
    return None


def class_holds(obj, name, kept):
    """Whether the method `name` of `obj` is a class method of a class of yours whose
    classes (its own and those it derives from) hold one of `kept`."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    klass = obj if isinstance(obj, type) else type(obj)
    return _users_object(obj) and isinstance(_member(obj, name)[0], classmethod) and any(
        _holds_kept(list(vars(base).values()), kept) for base in klass.__mro__
        if base is not object and users_class(base))


@functools.lru_cache(maxsize=256)
def _bookkept(func, klass):
    """The attributes of its first parameter that the method `func` changes as a count
    would (``self.t += 1``, ``self.w /= 2``): none of the facts of `_parameters_written`,
    which take them for numbers; the run-time check looks at what they hold."""
    try:
        source = parse_function(func)
    except S2SError:
        return frozenset()
    from .effects import parameters_written
    node = source.node
    own = node.args.posonlyargs + node.args.args
    if not own:
        return frozenset()
    bookkeeping = set()
    parameters_written(node, namespace=source.namespace, bookkeeping=bookkeeping, owner=klass)
    return frozenset(attr for param, attr in bookkeeping if param == own[0].id)


def _may_reach(obj, func, me, kept):
    """Whether the method `func` of `obj` (its object the parameter `me`) may reach the
    attributes of `obj` holding one of `kept`: it names one (``self.params``), or reads the
    object otherwise than by a constant attribute (``vars(self)``, ``getattr(self, k)``,
    ``helper(self)``, ``self._update()``, ``self.__dict__``)."""
    from .runtime_checks import _holds_kept  # (runtime imports this module)
    try:
        attributes = vars(obj)
        node = parse_function(func).node
    except (TypeError, S2SError):  # (``__slots__``; code not read: as if it named them)
        return True
    holding = {attr for attr, value in attributes.items() if _holds_kept(value, kept)}
    parents = {id(child): parent for parent in n.walk(node) for child in n.children(parent)}
    for part in n.walk(node):
        if not (isinstance(part, gast.Name) and part.id == me) or \
                isinstance(part.ctx, gast.Param):
            continue
        parent = parents.get(id(part))
        if not isinstance(parent, gast.Attribute) or parent.attr.startswith('__') or \
                parent.attr in holding or parent.attr not in attributes:
            return True  # (the object itself, a method of it, a name holding a kept array)
    return False


def _users_object(obj):
    """Whether `obj` is an object of a class of yours (not a library's, nor Python's)."""
    return users_class(type(obj))


_ITEM_VIEWS = (list, tuple, dict, set, frozenset, collections.deque,
               type({}.values()))


def _computed(obj, name):
    """The attribute `name` of `obj` that a slot, a property or ``__getattr__`` gives (which
    runs their code), None where it has none, `_UNKNOWN` where getting it raises."""
    try:
        return getattr(obj, name)
    except AttributeError:
        return None
    except Exception:  # noqa: BLE001 (the user's code raised: refused as unreadable)
        return _UNKNOWN


def _label(obj, name):
    """``Class.name`` of the attribute `name` of `obj`."""
    klass = obj if isinstance(obj, type) else type(obj)
    return f'{klass.__qualname__}.{name}'


def _library_callable(obj):
    """Whether `obj` is a builtin's or a library's function or object."""
    obj = getattr(obj, '__func__', obj) if inspect.ismethod(obj) else obj
    if inspect.isfunction(obj):
        return rules.is_library(obj)
    return inspect.isbuiltin(obj) or rules.is_library(obj) or \
        rules.is_library(type(obj)) or type(obj).__module__ == 'builtins'


def _readable_call(obj):
    """Whether callable `obj` (stored on an object) is an object of a class of yours with a
    ``__call__`` s2sgrad reads, not a function it cannot read."""
    return not inspect.isfunction(obj) and inspect.isfunction(
        getattr(type(obj), '__call__', None))


def _delegated(obj, func, given, unknown, depth):
    """`method_refusal` of the methods that method `func` of `obj` calls on attributes of
    its object (``self.opt.step(p)``): any of them may be given what `func` is."""
    facts = _parameters_written(func, obj if isinstance(obj, type) else type(obj))
    if facts is None or not given and not unknown:
        return None
    for path in facts[-1]:
        refused = method_refusal(obj, path, (), ('*',), depth + 1)
        if refused is not None:
            return refused
    return None


def _overridden(obj, name, func):
    """The functions `name` of the classes after the one defining `func` in the MRO of
    `obj`'s class that ``super()`` in `func` (and in them, in turn) may call."""
    if 'super' not in func.__code__.co_names:
        return []
    return _overridden_in(obj if isinstance(obj, type) else type(obj), name, func)


@functools.lru_cache(maxsize=256)
def _unwrapped(func):
    """What `func` passes its arguments on to (`kept_items.unwrapped`), or itself."""
    return unwrapped(func) or func


@functools.lru_cache(maxsize=256)
def _overridden_in(klass, name, func):
    """`_overridden` for the class `klass`."""
    found, calls_super = [], True
    klasses = klass.__mro__
    after = False
    for klass in klasses:
        member = klass.__dict__.get(name, _UNKNOWN)
        member = getattr(member, '__func__', member)
        if member is func:
            after = True
        elif after and calls_super and inspect.isfunction(member):
            found.append(member)
            calls_super = 'super' in member.__code__.co_names
    return found


def _refused_by(func, offset, given, unknown, klass=None):
    """`method_refusal` of the Python function `func`, called with `offset` arguments
    before those of `given` and `unknown` (the object, or its class `klass`, whose methods
    its calls on the object run)."""
    facts = _parameters_written(func, klass if offset else None)
    if facts is None:  # (a library's passes; code of yours s2sgrad cannot read does not)
        return None if rules.is_library(func) else (func.__qualname__, '*', _UNREADABLE)
    params, keywords, vararg, kwarg, written, items, numbers, _ = facts
    if not (written or items or numbers):
        return None  # (what most methods given arrays do: write into none of them)

    def parameters(key):  # (``'*'``: any, past the object's own)
        if key == '*':
            return params[offset:] + keywords + [vararg, kwarg]
        if isinstance(key, int):
            at = key + offset
            return [params[at] if at < len(params) else vararg]
        return [key if key in params or key in keywords else kwarg]
    label = func.__qualname__
    for key, value in list(given) + [(key, _UNKNOWN) for key in unknown]:
        for param in parameters(key):
            refused = param is not None and _refused(param, value, written, items, numbers)
            if refused:
                return label, param, refused
    return None


def _member(obj, name):
    """``(member, owned)``: what `obj` has as `name` without running code of its (as
    `inspect.getattr_static` finds it, faster): its own attribute (`owned`: a function
    stored in the object, called without it), else its class's (its own, for a class)."""
    if not isinstance(obj, type):
        try:
            own = object.__getattribute__(obj, '__dict__')
        except Exception:  # (``__slots__``; an object of C)
            own = None
        if isinstance(own, dict) and name in own:
            return own[name], True
    for klass in (obj if isinstance(obj, type) else type(obj)).__mro__:
        found = klass.__dict__.get(name, _UNKNOWN)
        if found is not _UNKNOWN:
            return found, False
    return None, False


def _refused(param, value, written, items, numbers):
    """What the method does to `param` that `value` may not undergo (`method_refusal`), or
    None."""
    from .runtime_checks import _arrays_held, check_number  # (runtime imports this module)
    from .errors import InPlaceError

    def a_number():
        try:
            check_number(value, '')
        except InPlaceError:
            return False
        return value is not _UNKNOWN
    if param in items and (value is _UNKNOWN or _arrays_held((value,))):
        return 'writes into its items'
    if param in written and not a_number() and not isinstance(value, _CONTAINERS):
        return 'writes into it'  # (a list's own change, ``ps.append(v)``, changes no array)
    if param in numbers and not a_number() and not isinstance(value, _CONTAINERS):
        return f'changes it by an augmented assignment (`{param} += ...`)'  # (not ``ps += [v]``)
    return None


_UNKNOWN = object()
_CONTAINERS = (list, dict, set, collections.deque)


@functools.lru_cache(maxsize=256)
def _parameters_written(func, klass=None):
    """``(positional parameters, keyword-only ones, *args name, **kwargs name, written, items
    written, numbers added into, methods called on its first parameter's attributes given
    arguments (``'opt.step'``))`` of the Python function `func` (see
    `effects.parameters_written`; a method of class `klass`, whose other methods it may call
    on its object), or None where s2sgrad cannot read it (a library's)."""
    if rules.is_library(func):
        return None
    try:
        source = parse_function(func)
    except S2SError:
        return None
    from .effects import parameters_written
    node = source.node
    args = node.args
    numbers, items, keyed, methods = set(), set(), {}, set()
    written = parameters_written(node, namespace=source.namespace, bookkeeping=set(),
                                 numbers=numbers, items=items, item_keys=keyed, owner=klass,
                                 methods=methods)
    own = args.posonlyargs + args.args
    delegated = frozenset(attr for param, attr in methods
                          if klass is not None and own and param == own[0].id and '.' in attr)
    return ([a.id for a in args.posonlyargs + args.args], [a.id for a in args.kwonlyargs],
            args.vararg.id if args.vararg else None, args.kwarg.id if args.kwarg else None,
            frozenset(written), frozenset(items | set(keyed)), frozenset(numbers - written),
            delegated)
