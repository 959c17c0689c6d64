"""Objects passed to a function of yours that runs again: their methods are checked at run time.

The VJP of a call in joint motion (the caller changes an array in place, ``motion='joint'``,
second derivatives) runs the function again. An object the function is given, whose class
the transformation cannot know (``def helper(c, x): return x * c.next()`` of a parameter
`c`), may be changed by a method the function calls on it, or by one the caller calls on it
after the call (``y = helper(c, x); c.step()``): the second run would then see other state
and give the derivative of another value. `object_probes` names, for each parameter, the
members whose change would matter; the caller's generated code passes the object through
``s2s.rerun_checked(c, names, callee)``, which reads those members' code when it runs
(`changing_member`) and raises where one of yours changes the object. What the
transformation can see, it checks when it makes the code: an attribute the caller assigns
after the call (``c.t = 0.5``) is refused then (`attribute_written_after`).
"""
import collections
import inspect
import types

import gast
import numpy as np

from . import nodes as n
from .call_effects import _CHANGING, _function_effects, _own_names, _root, call_effects
from .randomness import _code, _lookup, user_code
from .rerun_state import _without_lazy_starts
from .rules import is_library

_PLAIN = frozenset().union(*(dir(kind) for kind in (
    np.ndarray, np.generic, list, dict, tuple, set, str, bytes, float, int, complex)))
"""Members of arrays, numbers and containers: their changing methods are known by name
(`call_effects._CHANGING`); a member of a user's class with such a name is not probed."""

_VERDICTS = {}
"""The registry of the answers of `changing_member`: (the object's class, the members, the
classes of its attributes) -> the member found, or None."""


def object_probes(node, namespace, nested=None, _seen=None):
    """Parameter of the FunctionDef `node` -> the sorted members of the object passed as it
    that `node` uses: ``'name()'`` for a method it calls (``'__call__()'`` for the object
    called), ``'name'`` for an attribute it reads (a property's getter runs); followed into
    the functions of yours it passes the object to. Members of arrays, numbers and
    containers are left out."""
    seen = set() if _seen is None else _seen
    args = node.args
    params = {a.id for a in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)}
    code = _code(node)
    found = collections.defaultdict(set)
    called = set()
    for child in code:
        if not isinstance(child, gast.Call):
            continue
        func = child.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id in params:
            called.add(id(func))
            found[func.value.id].add(func.attr + '()')
        elif isinstance(func, gast.Name) and func.id in params:
            found[func.id].add('__call__()')
        else:
            for param, names in _passed_on(child, namespace, nested, seen, params).items():
                found[param] |= names
    for child in code:
        if isinstance(child, gast.Attribute) and isinstance(child.value, gast.Name) and \
                child.value.id in params and id(child) not in called and \
                isinstance(child.ctx, gast.Load):
            found[child.value.id].add(child.attr)
    return {param: tuple(sorted(name for name in names if name.rstrip('()') not in _PLAIN))
            for param, names in sorted(found.items())
            if any(name.rstrip('()') not in _PLAIN for name in names)}


def _passed_on(call, namespace, nested, seen, params):
    """`object_probes` of the function of yours that `call` calls, for the parameters of the
    caller it passes (by name) as its arguments: caller parameter -> names."""
    func = call.func
    if isinstance(func, gast.Name) and nested and func.id in nested:
        if id(nested[func.id]) in seen:
            return {}
        seen.add(id(nested[func.id]))
        code = (nested[func.id], namespace)
    else:
        code = user_code(_lookup(func, namespace), seen)
    if not code:
        return {}
    inner = object_probes(code[0], code[1], nested, seen)
    if not inner:
        return {}
    positional = [a.id for a in list(code[0].args.posonlyargs) + list(code[0].args.args)]
    given = list(zip(positional, call.args)) + [(k.arg, k.value) for k in call.keywords
                                                if k.arg is not None]
    found = collections.defaultdict(set)
    for param, arg in given:
        if isinstance(arg, gast.Name) and arg.id in params and param in inner:
            found[arg.id] |= set(inner[param])
    return found


def called_after(body, stmt, root):
    """The names of the methods called on the name `root` (``root.step()``) by the statements
    of `body` after `stmt` (in a loop around `stmt`, anywhere in it): a rerun of the call
    in `stmt` runs after them."""
    found = set()
    for child in _after(body, stmt):
        for node in n.walk(child):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    isinstance(node.func.value, gast.Name) and node.func.value.id == root:
                found.add(node.func.attr)
    return {name + '()' for name in found if name not in _PLAIN}


def attribute_written_after(body, stmt, root):
    """The first statement of `body` after `stmt` (see `called_after`) that assigns or
    deletes an attribute of the name `root` (``root.t = 0.5``, ``root.t[0] = v``,
    ``setattr(root, 't', v)``), or None."""
    for child in _after(body, stmt):
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            for target in targets:
                if _attribute_of(target, root):
                    return child
        for node in n.walk(child):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id in ('setattr', 'delattr') and node.args and \
                    isinstance(node.args[0], gast.Name) and node.args[0].id == root:
                return child
    return None


def _attribute_of(target, root):
    """Whether `target` is ``root.a`` or something inside it (``root.a[0]``, ``root.a.b``)."""
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name) and \
                target.value.id == root:
            return True
        target = target.value
    return False


def _after(body, stmt):
    """The simple statements of `body` that run after `stmt` before the backward sweep: those
    after it in source order, and all of the loops around it."""
    found, state = [], {'seen': False}

    def visit(block, looped):
        for child in block:
            inner = list(n.blocks(child))
            if child is stmt:
                state['seen'] = True
                continue
            if isinstance(child, (gast.For, gast.While)):
                before = state['seen']
                start = len(found)
                for _, sub in inner:
                    visit(sub, True)
                if not before and state['seen']:  # (the loop around `stmt`: all of it)
                    found[start:] = [s for _, sub in inner for s in n.statements(sub)
                                     if s is not stmt and not n.blocks(s)]
                continue
            if inner:
                for _, sub in inner:
                    visit(sub, looped)
                continue
            if state['seen']:
                found.append(child)

    visit(body, False)
    return found


def changing_member(obj, used, after=()):
    """The first member of `obj` (named as in `object_probes`) whose run may change what a
    second run of the function given `obj` reads of it, or None: of the members `used` by
    the function and `after` (methods the caller calls after the call), a method or a
    property's getter of yours that changes an attribute of `obj` that the members `used`
    read (an attribute read, or read by a method or getter used), or changes state outside
    `obj`, or that reads or changes what cannot be followed. Members of built-in types and
    of libraries are not read."""
    cls = type(obj)
    layout = tuple(sorted((key, type(value).__qualname__) for key, value in vars(obj).items())) \
        if isinstance(getattr(obj, '__dict__', None), dict) else ()
    key = (cls, tuple(used), tuple(after), layout)
    if key not in _VERDICTS:
        _VERDICTS[key] = _changing_member(obj, used, after)
    return _VERDICTS[key]


def _changing_member(obj, used, after):
    reads, changers = set(), []
    for member in used:
        name = member.rstrip('()')
        func = _member_function(obj, name)
        if func is None:
            if not member.endswith('()'):
                reads.add(name)  # (a plain attribute)
            continue
        reads |= _self_uses(obj, func, writes=False)
        changers.append((member, func))
    changers += [(member, _member_function(obj, member.rstrip('()'))) for member in after]
    for member, func in changers:
        if func is None:
            continue
        lazy = isinstance(inspect.getattr_static(obj, member.rstrip('()'), None), property)
        written = _self_uses(obj, func, writes=True, lazy=lazy)
        if written and ('*' in written or '*' in reads or written & reads):
            return member
    return None


def _member_function(obj, name):
    """The function of yours that the member `name` of `obj` runs (a method, a property's
    getter, a static or class method, a function in the instance's dict), bound as the
    member binds it, or None."""
    member = inspect.getattr_static(obj, name, None)
    if isinstance(member, property):
        member = member.fget
        if not inspect.isfunction(member) or is_library(member):
            return None
        return types.MethodType(member, obj)
    if isinstance(member, staticmethod):
        return member.__func__ if inspect.isfunction(member.__func__) else None
    if isinstance(member, classmethod):
        return types.MethodType(member.__func__, type(obj)) \
            if inspect.isfunction(member.__func__) else None
    if not inspect.isfunction(member) or is_library(member):
        return None
    in_instance = name in (getattr(obj, '__dict__', None) or {})
    return member if in_instance else types.MethodType(member, obj)


def _self_uses(obj, func, writes, lazy=False, _seen=None):
    """The attributes of `obj` that `func` (see `_member_function`) reads, or with `writes`
    changes (assigns, deletes, writes into, calls a changing method of, or a method of
    yours on), following the methods it calls on its object; ``'*'`` for anything not
    followed: the object passed on, ``setattr``, and with `writes`, a change of state
    outside it (a global, an argument) or a call with effects. `lazy`: a property's getter,
    whose lazy start (``if self._D is None: self._D = ...``) changes nothing read."""
    seen = set() if _seen is None else _seen
    plain = getattr(func, '__func__', func)
    if plain in seen:
        return set()
    seen.add(plain)
    code = user_code(func, set())
    if not code:
        return {'*'}
    node, namespace = code
    if lazy:
        node = _without_lazy_starts(node)
    me = node.args.args[0].id if getattr(func, '__self__', None) is obj and node.args.args \
        else None
    found = set()
    appended = {id(child.func.value) for child in _code(node) if isinstance(child, gast.Call)
                and isinstance(child.func, gast.Attribute) and child.func.attr in _CHANGING}
    # (``self.log.append(v)`` reads `log` only to change it)
    if writes and _function_effects(node, namespace, None, set()) and \
            _outside_effects(node, me, namespace):
        found.add('*')
    for child in _code(node):
        if isinstance(child, gast.Call) and isinstance(child.func, gast.Attribute) and \
                _is(child.func.value, me):
            method = _member_function(obj, child.func.attr)  # (``self.step()``)
            found |= _self_uses(obj, method, writes, _seen=seen) if method is not None \
                else set()
        elif isinstance(child, gast.Call) and any(_is(arg, me) for arg in child.args) or \
                isinstance(child, gast.Call) and any(_is(k.value, me) for k in child.keywords):
            found.add('*')  # (``helper(self)``, ``setattr(self, 't', v)``)
        elif isinstance(child, gast.Attribute) and _is(child.value, me):
            if not writes and isinstance(child.ctx, gast.Load) and id(child) not in appended:
                found.add(child.attr)
            elif writes and not isinstance(child.ctx, gast.Load):
                found.add(child.attr)
        if writes and isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign,
                                         gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            for target in targets:
                attr = _first_attribute(target, me)
                if attr is not None:
                    found.add(attr)  # (``self.buf[0] = v``)
        if writes and isinstance(child, gast.Call) and \
                isinstance(child.func, gast.Attribute) and \
                _first_attribute(child.func.value, me) is not None and (
                    child.func.attr in _CHANGING or child.func.attr not in _PLAIN):
            found.add(_first_attribute(child.func.value, me))  # (``self.log.append(v)``)
    return found


def _outside_effects(node, me, namespace):
    """Whether the FunctionDef `node` (a method of an object named `me`) may change state
    other than its object's: a ``global``/``nonlocal`` declaration, a write into something
    not its own, or a call with effects that is not a method of its object (``call_effects``
    of ``self.step()`` is the object's own)."""
    own = _own_names(node) | {me}
    for child in _code(node):
        if isinstance(child, (gast.Global, gast.Nonlocal)):
            return True
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            if any(_root(t) not in own for t in targets
                   if isinstance(t, (gast.Subscript, gast.Attribute))):
                return True
        if isinstance(child, gast.Call):
            root = _root(child.func.value) if isinstance(child.func, gast.Attribute) else None
            if root in own or isinstance(child.func, gast.Name) and child.func.id == 'print':
                continue  # (its object's, a list of its own, or printed)
            if call_effects(child, namespace, None, set()):
                return True
    return False


def _is(node, name):
    return name is not None and isinstance(node, gast.Name) and node.id == name


def _first_attribute(target, me):
    """``X`` of a target or receiver ``self.X...`` (`me` is ``self``), or None."""
    attr = None
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Attribute):
            attr = target.attr
        if _is(target.value, me):
            return attr if isinstance(target, gast.Attribute) else '*'  # (``self[0] = v``)
        target = target.value
    return None
