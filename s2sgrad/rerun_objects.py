"""Objects given to a function of yours that runs again: what it reads of them, checked at run time.

The VJP of a call in joint motion (the caller changes an array in place, ``motion='joint'``,
second derivatives) runs the function again. An object the function is given, whose class
the transformation cannot know (``def helper(c, x): return x * c.next()`` of a parameter
`c`), may be changed by a member the function uses, or by a method the caller calls on it
after the call (``y = helper(c, x); c.step()``): the second run would then see other state
and give the derivative of another value. `object_probes` names, for each parameter, the
members the function uses (through attributes and items, into the functions of yours it
passes the object to); the caller's generated code passes the object through
``s2s.rerun_checked(c, callee, used, after)``, which reads those members' code when it runs
(`changing_member`: what they change against what they read, `_self_uses`) and raises
where a second run would read something the first changed. What the transformation can
see, it checks when it makes the code: an attribute the caller assigns after the call that
the function reads (``c.t = 0.5``) is refused then (`attributes_written_after`).
"""
import collections
import inspect
import numbers
import sys
import types

import gast
import numpy as np

from . import nodes as n
from .call_effects import _CHANGING, _SET_CHANGING, _function_effects, _root
from .randomness import _code, _lookup, user_code
from .rerun_state import _without_lazy_starts
from .rules import is_library

_PLAIN = frozenset().union(*(dir(kind) for kind in (
    np.ndarray, np.generic, list, dict, tuple, set, str, bytes, float, int, complex)))
"""Members of arrays, numbers and containers: their changing methods are known by name
(`call_effects._CHANGING`); a member of a user's class with such a name is not probed."""

_CHANGING_NAMES = frozenset(_CHANGING | _SET_CHANGING | {
    'move_to_end', 'popitem', 'setdefault', 'update', 'clear', 'remove', 'discard',
    '__setitem__', '__delitem__'})
"""Members that change a list, dict, deque or set (`changing_member` reads them by name)."""
_GROWING = frozenset({'append', 'extend', 'appendleft', 'extendleft', 'add', 'insert',
                      'setdefault'})
"""Of those, the ones that only add items: a change only where the function reads the
container's items or length too (``'[]'`` among its probes), not of a log."""

_VERDICTS = {}
"""The registry of the answers of `changing_member`: (the object's class, the members, the
classes of its attributes and the functions it holds) -> the member found, or None."""


def object_probes(node, namespace, nested=None, _seen=None):
    """Parameter of the FunctionDef `node` -> the sorted members of the object passed as it
    that `node` uses: ``'name()'`` for a method it calls (``'__call__()'`` for the object
    called, ``'__setitem__()'``, ``'__delitem__()'`` for its items written, deleted),
    ``'name'`` for an attribute it reads (a property's getter runs), each after the path that
    reaches it (``'inner.next()'`` of ``c.inner.next()``, ``'[].rate()'`` of
    ``objs[0].rate()``); followed into the functions of yours it passes the object to.
    Members of arrays, numbers and containers are left out, but those that change them
    (``q.popleft()``, ``s.add(v)``, ``take = q.pop``)."""
    seen = set() if _seen is None else _seen
    args = node.args
    params = {a.id for a in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)}
    code = _code(node)
    found = collections.defaultdict(set)
    funcs = {id(child.func) for child in code if isinstance(child, gast.Call)}
    for child in code:
        if isinstance(child, gast.Call):
            chain = _chain(child.func, params)
            if chain is not None:
                param, path, last = chain
                member = '__call__()' if last in ('', '[]') else last + '()'
                found[param].add((path + '[].' if last == '[]' else path) + member)
            elif not isinstance(child.func, gast.Attribute):
                for param, names in _passed_on(child, namespace, nested, seen,
                                               params).items():
                    found[param] |= names
        elif isinstance(child, gast.Delete):
            for target in child.targets:
                chain = _chain(target, params)
                if chain is not None and isinstance(target, gast.Subscript):
                    found[chain[0]].add(chain[1] + '__delitem__()')  # (``del q[0]``)
        elif isinstance(child, gast.Subscript) and isinstance(child.ctx, gast.Store):
            chain = _chain(child, params)
            if chain is not None:
                found[chain[0]].add(chain[1] + '__setitem__()')
        elif isinstance(child, gast.Attribute) and id(child) not in funcs:
            chain = _chain(child, params)
            if chain is not None and isinstance(child.ctx, gast.Load):
                found[chain[0]].add(chain[1] + chain[2])  # (``c.t``, ``c.inner`` of
                # ``c.inner.next()``, ``take = q.pop``)
    for param, names in found.items():
        if any(name.rstrip('()') in _GROWING for name in names) and _items_read(code, param):
            names.add('[]')  # (``n = len(s); s.add(v)``: what it adds, it reads)
    return {param: tuple(sorted(name for name in names if _probed(name)))
            for param, names in sorted(found.items()) if any(_probed(name) for name in names)}


def _items_read(code, param):
    """Whether the nodes `code` read the name `param` otherwise than as the receiver of a
    method that adds to it (``len(s)``, ``s[0]``, ``for v in s``, ``helper(s)``)."""
    receivers = {id(child.func.value) for child in code if isinstance(child, gast.Call) and
                 isinstance(child.func, gast.Attribute) and child.func.attr in _GROWING}
    return any(isinstance(child, gast.Name) and child.id == param and
               isinstance(child.ctx, gast.Load) and id(child) not in receivers
               for child in code)


def _chain(node, params):
    """``(parameter, path, last)`` of a chain of attributes and items rooted at a parameter,
    as `object_probes` prints them: ``c.inner.next`` -> ``('c', 'inner.', 'next')``,
    ``objs[0].rate`` -> ``('objs', '[].', 'rate')``, ``c.a[0]`` -> ``('c', 'a.', '[]')``,
    ``c`` -> ``('c', '', '')``; or None."""
    steps = []
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        steps.append(node.attr if isinstance(node, gast.Attribute) else '[]')
        node = node.value
    if not isinstance(node, gast.Name) or node.id not in params:
        return None
    steps.reverse()
    last = steps.pop() if steps else ''
    return node.id, ''.join(step + '.' for step in steps), last


def _split(probe):
    """``(steps, member)`` of a probe (`object_probes`): ``'[].rate()'`` -> ``(['[]'],
    'rate()')``."""
    *steps, member = probe.split('.')
    return steps, member


def _probed(name):
    """Whether the member `name` (as `object_probes` names it) is read when the code runs:
    not a plain member of arrays, numbers and containers, but one that changes them."""
    member = name.rsplit('.', 1)[-1].rstrip('()')
    return member in _CHANGING_NAMES or member not in _PLAIN or name == '[]'


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


def called_after(body, stmt, path):
    """The names of the methods called on `path` (a name or a dotted path: ``root.step()``,
    ``self.drop.reset()``) by the statements of `body` after `stmt` (in a loop around
    `stmt`, anywhere in it): a rerun of the call in `stmt` runs after them."""
    found = set()
    for child in _after(body, stmt):
        for node in n.walk(child):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    n.dotted_path(node.func.value) == path:
                found.add(node.func.attr)
    return {name + '()' for name in found if name not in _PLAIN}


def attributes_written_after(body, stmt, path):
    """``(statement, attribute)`` for each statement of `body` after `stmt` (see
    `called_after`) that assigns or deletes an attribute of `path` (a name or a dotted path:
    ``root.t = 0.5``, ``root.t[0] = v``, ``setattr(root, 't', v)``, ``self.drop.training =
    False``), ``'*'`` for a name not written out or, for a dotted path, the path itself
    rebound (``self.drop = other``)."""
    found = []
    for child in _after(body, stmt):
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            found += [(child, attr) for attr in (_attribute_of(t, path) for t in targets)
                      if attr]
        for node in n.walk(child):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id in ('setattr', 'delattr') and node.args and \
                    n.dotted_path(node.args[0]) == path:
                name = node.args[1] if len(node.args) > 1 else None
                found.append((child, name.value if isinstance(name, gast.Constant) and
                              isinstance(name.value, str) else '*'))
    return found


def _attribute_of(target, path):
    """The attribute of `path` that `target` writes (``a`` of ``path.a``, ``path.a[0]``,
    ``path.a.b``; ``'*'`` of the dotted `path` itself), or None."""
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Attribute) and n.dotted_path(target.value) == path:
            return target.attr
        if isinstance(target, gast.Attribute) and '.' in path and \
                n.dotted_path(target) == path:
            return '*'
        target = target.value
    return None


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
    """The first member of `obj` (named as in `object_probes`, its path included) whose run
    may change what a second run of the function given `obj` reads of it, or None: of the
    members `used` by the function and `after` (methods the caller calls after the call), a
    method or a property's getter of yours that changes an attribute of its object that the
    members used read (an attribute read, or read by a method or getter used), or changes
    state outside it, or that reads or changes what cannot be followed; of a list, dict,
    deque or set, a method that changes it (``popleft``, ``add``). Members of other
    built-in types and of libraries are not read."""
    groups = collections.defaultdict(lambda: ([], []))
    for kind, probes in ((0, used), (1, after)):
        for probe in probes:
            steps, member = _split(probe)
            groups[tuple(steps)][kind].append(member)
    for steps, (members, later) in groups.items():
        for part in _reached(obj, steps):
            found = _direct(part, tuple(members), tuple(later))
            if found is not None:
                return ''.join(step + '.' for step in steps) + found
    return None


def _reached(obj, steps):
    """The objects that `steps` (attribute names, ``'[]'`` for any item) reach from `obj`,
    reading attributes from the instance's dict (no property's getter runs)."""
    parts = [obj]
    for step in steps:
        following = []
        for part in parts:
            if step == '[]':
                if isinstance(part, dict):
                    following.extend(part.values())
                elif isinstance(part, (list, tuple, collections.deque)):
                    following.extend(part)
            elif isinstance(getattr(part, '__dict__', None), dict) and step in vars(part):
                following.append(vars(part)[step])
        parts = following
    return parts


def _direct(obj, used, after):
    """`changing_member` of members of `obj` itself (no path), remembered by the object's
    class and its attributes' (`_VERDICTS`)."""
    if obj is None or isinstance(obj, (numbers.Number, str, bytes, np.ndarray, np.generic)):
        return None
    if isinstance(obj, (list, dict, collections.deque, set)):  # (by name: C methods)
        read = '[]' in used
        return next((member for member in used + after
                     if member.rstrip('()') in _CHANGING_NAMES and
                     (read or member.rstrip('()') not in _GROWING)), None)
    layout = tuple(sorted(((repr(key), type(value), _identity(value))
                           for key, value in vars(obj).items()), key=repr)) \
        if isinstance(getattr(obj, '__dict__', None), dict) else ()
    members = tuple(_identity(inspect.getattr_static(obj, member.rstrip('()'), None))
                    for member in used + after)  # (a method replaced on its class)
    key = (type(obj), used, after, layout, members)
    if key not in _VERDICTS:
        _VERDICTS[key] = _changing_member(obj, used, after)
    return _VERDICTS[key]


def _identity(value):
    """What tells a function held apart from another (itself: an id could be reused once it
    is gone), or None for data."""
    if not callable(value) or isinstance(value, type):
        return None
    try:
        hash(value)
    except TypeError:
        return ('unhashable', id(value))
    return value


def _changing_member(obj, used, after):
    reads, changers = set(), []
    for member in used:
        name = member.rstrip('()')
        func = _member_function(obj, name)
        if func is None:
            if not member.endswith('()'):
                reads.add(name)  # (a plain attribute)
            elif name == '__call__' and inspect.isfunction(obj):
                changers.append((member, obj))  # (a closure passed: ``fn()``)
            continue
        reads |= _self_uses(obj, func, writes=False)
        changers.append((member, func))
    for member in after:
        if member.endswith('='):  # (an attribute the caller assigns after the call)
            if member[:-1] in reads or '*' in reads:
                return member
            continue
        changers.append((member, _member_function(obj, member.rstrip('()'))))
    for member, func in changers:
        if func is None:
            continue
        written = _self_uses(obj, func, writes=True, strict=member in after)
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


_SHOWN = frozenset({'type', 'id', 'isinstance', 'repr', 'str', 'print', 'hash', 'format'})
"""Built-ins a method may give its object to without changing it."""


def _self_uses(obj, func, writes, _seen=None, strict=False):
    """The attributes of `obj` that `func` (see `_member_function`) reads, or with `writes`
    changes, following the methods of yours it calls on its object (``super()``'s too) and
    on the objects of yours its attributes hold; ``'*'`` for what is not followed (the object
    itself given to a function or bound to a name, ``setattr``, a change of state outside
    it). A change: an update reading what it replaces (``self.k += 1``, ``self.t = self.t *
    2``, ``out, self.k = self.k, self.k + 1``), a store of an attribute read before it in
    the method (``i = self.i; self.i = i + 1``), a write into an attribute's items (but a
    memo's, whose keys the method tests: ``if k not in self.memo: self.memo[k] = v``), a
    deletion, a method taking items out or putting them in (``self.q.popleft()``,
    ``self.log.append(v)``, also through a name bound to the attribute), ``next``, the
    attribute given to a function that may change it (``heapq.heappop(self.h)``, ``out=``),
    a draw of a generator it holds, and a change a method of an object it holds makes. A
    store of a value computed from other things (``self.out = np.tanh(z)``, a lazy start) is
    none, a second run stores the same; with `strict` (a method the caller calls after the
    call) every store is one."""
    seen = set() if _seen is None else _seen
    plain = getattr(func, '__func__', func)
    if plain in seen:
        return set()
    seen.add(plain)
    code = user_code(func, set())
    if not code:
        return {'*'}
    node, namespace = code
    node = _without_lazy_starts(node)
    me = node.args.args[0].id if getattr(func, '__self__', None) is obj and node.args.args \
        else None
    body = _code(node)
    if writes and _function_effects(node, namespace, None, set()) and \
            _outside_effects(node, me, namespace):
        return {'*'}
    aliases = {stmt.targets[0].id: _first_attribute(stmt.value, me) for stmt in body
               if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
               isinstance(stmt.targets[0], gast.Name) and
               _first_attribute(stmt.value, me) not in (None, '*')}  # (``q = self.q``)

    def held(target):  # the attribute `target` (``self.q...`` or ``q...``) is in, or None
        attr = _first_attribute(target, me)
        if attr is None:
            while isinstance(target, (gast.Attribute, gast.Subscript)):
                target = target.value
            attr = aliases.get(target.id) if isinstance(target, gast.Name) else None
        return attr

    found = set()
    given = _given_away(body, me, namespace) if me is not None else None
    if given == 'changed':
        return {'*'}  # (``s = self``, ``setattr(self, ...)``, a function changing it)
    if given == 'read' and not writes:
        found.add('*')  # (``compute(self)`` of a function of yours reading it)
    added = {id(child.func.value) for child in body if isinstance(child, gast.Call) and
             isinstance(child.func, gast.Attribute) and child.func.attr in _GROWING}
    # (what a method of a held object reads is judged on that object, below; an item
    # written, ``self.metrics['calls'] += 1``, is no value read)
    added |= {id(child.func.value) for child in body if isinstance(child, gast.Call) and
              isinstance(child.func, gast.Attribute) and
              isinstance(child.func.value, gast.Attribute) and _is(child.func.value.value, me)}
    added |= {id(node) for child in body
              if isinstance(child, (gast.Assign, gast.AugAssign, gast.Delete))
              for target in (child.targets if isinstance(child, (gast.Assign, gast.Delete))
                             else [child.target])
              if isinstance(target, gast.Subscript) for node in n.walk(target.value)}
    updated = _updated_reads(body, me)  # (the reads an update makes of what it replaces)
    memos = {_first_attribute(child.comparators[0], me) for child in body
             if isinstance(child, gast.Compare) and len(child.comparators) == 1 and
             isinstance(child.ops[0], (gast.In, gast.NotIn))}
    statements = list(n.statements(node.body))
    for child in body:
        if isinstance(child, gast.Call) and isinstance(child.func, gast.Attribute):
            receiver = child.func.value
            if _is(receiver, me) or _is_super(receiver):  # (``self.step()``)
                method = _member_function(obj, child.func.attr) if _is(receiver, me) else \
                    _parent_method(obj, func, child.func.attr)
                found |= _self_uses(obj, method, writes, seen, strict) \
                    if method is not None else {'*'}
                continue
            attr = held(receiver)
            mine = isinstance(receiver, gast.Attribute) and _is(receiver.value, me) and \
                _member_function((getattr(obj, '__dict__', None) or {}).get(
                    receiver.attr), child.func.attr) is not None  # (a method of yours)
            if attr is not None and child.func.attr in _CHANGING and not mine:
                if writes or child.func.attr not in _GROWING:  # (what it takes out, it reads)
                    found.add(attr)  # (``self.q.popleft()``, ``self.log.append(v)``)
            elif attr is not None:
                kind = _held_changes(obj, receiver, me, child.func.attr, seen)
                if kind == 'read' or writes and kind:
                    found.add(attr)  # (a method of a held object changing what it reads)
        if writes and isinstance(child, gast.Call) and not _pure(child, namespace) and \
                not (isinstance(child.func, gast.Attribute) and
                     isinstance(child.func.value, gast.Name) and
                     child.func.value.id not in namespace and
                     held(child.func) is None and not _is(child.func.value, me)):
            # (``vals.append(self.k)`` of a local list: kept, not changed)
            given = [k.value for k in child.keywords if k.arg == 'out'] or \
                list(child.args) + [k.value for k in child.keywords]  # (``out=``: only it)
            for arg in given:
                if held(arg) is not None and not isinstance(arg, gast.Name) or \
                        isinstance(arg, gast.Name) and arg.id in aliases:
                    found.add(held(arg))  # (``heapq.heappop(self.h)``, ``out=self.w``)
        if isinstance(child, gast.Attribute) and _is(child.value, me) and not writes and \
                isinstance(child.ctx, gast.Load) and id(child) not in added and \
                id(child) not in updated:
            found.add(child.attr)
        if writes and isinstance(child, (gast.AugAssign, gast.Delete)):
            targets = child.targets if isinstance(child, gast.Delete) else [child.target]
            found |= {held(t) for t in targets} - {None}
        if writes and isinstance(child, (gast.Assign, gast.AnnAssign)):
            targets = child.targets if isinstance(child, gast.Assign) else [child.target]
            several = len(targets) > 1 or isinstance(targets[0], (gast.Tuple, gast.List))
            for target in (t for each in targets for t in n.walk(each)
                           if isinstance(t, (gast.Attribute, gast.Subscript, gast.Name))):
                attr = held(target)
                if attr is None or target is not _outermost(targets, target):
                    continue
                item = not isinstance(target, gast.Attribute) or not _is(target.value, me)
                if attr == '*' or several or strict or child.value is None or \
                        _reads_attribute(child.value, me, attr) or \
                        item and attr not in memos or \
                        not item and _read_before(statements, child, me, attr):
                    found.add(attr)
    return found


def _outermost(targets, node):
    """`node` itself where it is a whole target (or an item of a tuple target), else None."""
    for target in targets:
        items = target.elts if isinstance(target, (gast.Tuple, gast.List)) else [target]
        if any(item is node for item in items):
            return node
    return None


def _given_away(body, me, namespace):
    """How the nodes `body` of a method use its object otherwise than through its attributes,
    its items and the built-ins of `_SHOWN`: ``'read'`` where only as an argument of functions
    of yours without effects (``compute(self)``), ``'changed'`` where otherwise (``s = self``,
    ``setattr(self, ...)``, a function that may change it), else None."""
    through = {id(child.value) for child in body
               if isinstance(child, (gast.Attribute, gast.Subscript))}
    shown = {id(arg) for child in body if isinstance(child, gast.Call) and
             isinstance(child.func, gast.Name) and child.func.id in _SHOWN
             for arg in child.args}
    read = set()
    for child in body:
        if isinstance(child, gast.Call):
            code = user_code(_lookup(child.func, namespace), set())
            if code and not _function_effects(code[0], code[1], None, set()):
                read |= {id(arg) for arg in child.args}
    uses = [child for child in body if _is(child, me) and isinstance(child.ctx, gast.Load) and
            id(child) not in through and id(child) not in shown]
    if not uses:
        return None
    return 'read' if all(id(use) in read for use in uses) else 'changed'


def _is_super(node):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == 'super'


def _parent_method(obj, func, name):
    """The method `name` that ``super()`` finds from `func` (a method of `obj`), bound to
    `obj`, or None."""
    plain = getattr(func, '__func__', func)
    mro = type(obj).__mro__
    owner = next((k for k, klass in enumerate(mro)
                  if any(value is plain for value in vars(klass).values())), None)
    if owner is None:
        return None
    for klass in mro[owner + 1:]:
        if name in vars(klass):
            member = vars(klass)[name]
            return types.MethodType(member, obj) if inspect.isfunction(member) and \
                not is_library(member) else None
    return None


_READING = frozenset({'len', 'sum', 'min', 'max', 'abs', 'float', 'int', 'bool', 'sorted',
                      'list', 'tuple', 'dict', 'set', 'enumerate', 'zip', 'range', 'round',
                      'any', 'all', 'iter', 'reversed', 'map', 'filter'})
"""Built-ins that read their arguments without changing them."""


_CHANGING_MODULES = frozenset({'heapq', 'random', 'bisect', 'operator', 'copyreg', 'ctypes'})
"""Python's modules whose functions change what they are given (``heapq.heappop``,
``random.shuffle``, ``bisect.insort``, ``operator.setitem``); the others' only read it
(``logging``'s, ``json.dumps``)."""


def _pure(call, namespace):
    """Whether `call` changes none of its arguments: a NumPy or `math` function without
    ``out=``, or a built-in that reads (``len``, ``sum``, ``min``, ...)."""
    if any(k.arg == 'out' for k in call.keywords):
        return False
    if isinstance(call.func, gast.Name) and call.func.id in _READING | _SHOWN:
        return True
    called = _lookup(call.func, namespace)
    module = (getattr(called, '__module__', None) or '').split('.')[0]
    return module in ('numpy', 'math', 'scipy') or type(called).__name__ == 'ufunc' or \
        module in sys.stdlib_module_names and module.lstrip('_') not in _CHANGING_MODULES


def _read_before(statements, stmt, me, attr):
    """Whether ``self.<attr>`` (`me` is ``self``) is read before `stmt` stores it: in a
    statement before it, or anywhere in a loop around it."""
    index = next((k for k, other in enumerate(statements) if other is stmt), None)
    if index is None:
        return True
    loops = [other for other in statements[:index] if isinstance(other, (gast.For, gast.While))
             and any(inner is stmt for inner in n.statements(other.body))]
    scope = statements[:index] + [inner for loop in loops for inner in n.statements(loop.body)]
    return any(isinstance(node, gast.Attribute) and _is(node.value, me) and
               node.attr == attr and isinstance(node.ctx, gast.Load)
               for other in scope if other is not stmt for node in _own_nodes(other))


def _own_nodes(stmt):
    """The nodes of `stmt` itself (not of the statements of its blocks)."""
    blocks = {id(inner) for _, block in n.blocks(stmt) for inner in block}
    return list(n.walk(stmt, skip=lambda node: id(node) in blocks))


def _updated_reads(body, me):
    """The ids of the reads of ``self.X`` that an update of ``self.X`` alone makes of what it
    replaces (``self.n = self.n + 1``, no walrus): a counter nothing else reads is read by
    no one."""
    found = set()
    for child in body:
        if isinstance(child, gast.Assign) and len(child.targets) == 1 and \
                not any(isinstance(node, gast.NamedExpr) for node in n.walk(child.value)):
            attr = _first_attribute(child.targets[0], me)
            if attr is not None:
                found |= {id(node) for node in n.walk(child.value)
                          if isinstance(node, gast.Attribute) and _is(node.value, me) and
                          node.attr == attr}
    return found


def _reads_attribute(value, me, attr):
    """Whether the expression `value` reads ``self.<attr>`` (`me` is ``self``)."""
    return any(isinstance(node, gast.Attribute) and _is(node.value, me) and node.attr == attr
               for node in n.walk(value))


def _held_changes(obj, receiver, me, method, seen):
    """What calling `method` on the object that `receiver` (``self.layer``) reaches from `obj`
    does to it: ``'read'`` where the call's value may read what it changes (a draw of a
    NumPy random generator, a method of yours whose changes its reads see, a changing
    method of an unknown object), ``'write'`` where it changes only what it does not read
    (``self.sub.hits += 1`` of a counter), else None."""
    if not (isinstance(receiver, gast.Attribute) and _is(receiver.value, me)):
        return 'read' if method not in _PLAIN else None
    held = (getattr(obj, '__dict__', None) or {}).get(receiver.attr, _MISSING)
    if held is _MISSING:
        return 'read' if method not in _PLAIN else None
    if isinstance(held, (np.random.Generator, np.random.RandomState)):
        return 'read'
    function = _member_function(held, method)
    if function is None:
        return 'read' if method in _CHANGING else None
    if _changing_member(held, (method + '()',), ()) is not None:
        return 'read'
    return 'write' if _self_uses(held, function, True, seen) else None


_MISSING = object()


def _outside_effects(node, me, namespace):
    """Whether the FunctionDef `node` (a method of an object named `me`) may change state
    other than its object's and its own: a ``global``/``nonlocal`` declaration, a write into
    a global's or an argument's item or attribute, ``next`` of one, or a call of a function
    of yours that has such effects (a log through `logging` or `print`, a library call
    writing into a local array, are none)."""
    params = set(n.names_stored(node.args)) - {me}
    local = set(n.names_stored(node)) - params
    for child in _code(node):
        if isinstance(child, (gast.Global, gast.Nonlocal)):
            return True
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            if any(_root(t) not in local | {me} for t in targets
                   if isinstance(t, (gast.Subscript, gast.Attribute))):
                return True
        if not isinstance(child, gast.Call):
            continue
        if isinstance(child.func, gast.Name) and child.func.id == 'next' and child.args and \
                _root(child.args[0]) not in local | {me}:
            return True
        called = _lookup(child.func, namespace)
        if (getattr(called, '__module__', None) or '').split('.')[0] in sys.stdlib_module_names:
            continue  # (``log.debug(...)``: Python's own)
        code = user_code(called, set())
        if code and _function_effects(code[0], code[1], None, set()):
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
