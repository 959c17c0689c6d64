"""Effects check: reject statements that may change a differentiated value out of sight."""
import ast
import builtins
import collections
import copy
import functools
import heapq
import inspect
import operator
import sys
import types
import warnings

import gast
import numpy as np

from . import nodes as n
from . import rules, runtime
from .alias_memory import (_copies, CONTAINER_CALLS, CONTAINER_METHODS, FRESH_FUNCTIONS,
                           FRESH_METHODS, INPLACE_FUNCTIONS, INPLACE_METHODS,
                           NONARRAY_ATTRIBUTES, changes_receiver, out_arguments)
from .errors import S2SError
from .item_holders import holder_groups, own_calls
from .kept_items import (constructed_class, constructed_method, constructed_objects,
                         innermost_loops, may_fill, safely_kept, unwrapped)
from .free_writes import writes_free
from .method_writes import KNOWN_METHODS, method_check
from .logs import log_statements
from .mutation import assigned_into, with_aliases
from .resolve import method_call
from .restores import restored_item
from .slice_stores import list_names
from .source import parse_function


def check_effects(body, ctx):
    """Raise for every statement of `body` that could change a differentiated value in a way
    the passes do not follow: a discarded call given a differentiated argument (unless it is a
    pure rule function or has no derivative), ``out=`` arguments and positional ufunc outputs,
    helpers of the user's that write into their arguments, and differentiated values stored
    in object attributes. Method calls on differentiated local values (``xs.append``) are the
    passes' business. Returns `body` with the run-time checks some calls need (see
    `_check_callee_writes`)."""
    read = _attributes_read(body)
    guards = {}
    names_read = {name for stmt in body for name in n.names_read(stmt)}
    _check_numbers_from_text(body, ctx)
    direct, kept = _kept_for_the_backward_sweep(body, ctx)
    lists = list_names(list(n.statements(body)), ctx.params)[0]  # (``h = [a, b]``)
    local = set(ctx.params) | {name for stmt in n.statements(body)
                               for name in n.names_stored(stmt)}
    objects = constructed_objects(body, ctx.resolver)
    holds = holder_groups(body, _new_memory, _memory_sources, lists, local,
                          lambda call: may_fill(call, ctx, _new_memory, objects))
    whole = with_aliases(_read_whole(body, ctx), body)
    logs = log_statements(body, ctx) | {  # (``self.history.append(float(loss))``)
        id(stmt) for stmt in n.statements(body) if isinstance(stmt, gast.Expr) and
        isinstance(stmt.value, gast.Call) and _global_table_log(stmt.value, ctx, body)}
    passed = _copies_passed_once(body, ctx.source.namespace)
    safe = safely_kept(body, ctx.params, kept, ctx.source.namespace)
    containers = _bound_only_to(body, ctx.source.namespace, ctx.resolver)
    ctx.dicts_of_lists = _dicts_of_lists(body, ctx)
    kept_anywhere = set().union(*kept.values())
    bound = _bound_before(body, ctx, kept)
    for stmt in n.statements(body):
        _check_bound_writers(stmt, ctx, kept_anywhere)
        if isinstance(stmt, gast.Assign):
            _check_attribute_store(stmt, ctx)
            _check_state_change(stmt, ctx, read)
            if isinstance(stmt.value, gast.Call):
                _check_out_argument(stmt, stmt.value, ctx)
                _check_callee_globals(stmt, stmt.value, ctx, names_read)
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            _check_out_argument(stmt, stmt.value, ctx)
            _check_discarded_call(stmt, stmt.value, ctx, body, logs)
            _check_callee_globals(stmt, stmt.value, ctx, names_read)
            _check_object_change(stmt, stmt.value, ctx, body, kept.get(id(stmt), ()))
        _check_kept_changed(stmt, ctx, kept.get(id(stmt), ()), direct.get(id(stmt), ()),
                            whole)
        # (every call the statement makes itself: ``if np.sum(step(s, x)) > 0:`` too; a
        # property of yours read, ``c = LZ.value``, as a call of its getter)
        for call in own_calls(stmt) + _getter_calls(stmt, ctx, objects):
            _check_callee_writes(stmt, call, ctx, guards, kept.get(id(stmt), ()), passed,
                                 lists, lambda name: holds(name, kept.get(id(stmt), ())),
                                 objects, safe(stmt), containers, logs,
                                 bound.get(id(stmt), ()))
            _check_bounded_deque(stmt, call, ctx)
            _check_free_writes(stmt, call, ctx, guards, bound.get(id(stmt), ()), objects)
        if isinstance(stmt, gast.While):
            _check_changing_test(stmt, ctx)
    if guards:
        ctx.source.namespace.setdefault('s2s', runtime)
    return n.place(body, guards)


def _getter_calls(stmt, ctx, objects=None):
    """Calls ``LZ.__class__.value.fget(LZ)`` standing for each read in `stmt` itself of a
    property of yours (a ``functools.cached_property`` too) on an object a global gives
    (``c = LZ.value``, ``hasattr(LZ, 'value')``, ``operator.attrgetter('value')(LZ)``), or
    on an object the function makes (`objects`: ``o = G()``, then ``o.value``, read as
    ``G.value.fget(o)``): the getter runs there, and may write, as a method called there
    may."""
    from .resolve import runs_users_code
    blocks = {id(inner) for _, block in n.blocks(stmt) for inner in block}
    called = {id(node.func) for node in n.walk(stmt) if isinstance(node, gast.Call)}
    found = []
    for node in n.walk(stmt, skip=lambda node: id(node) in blocks or
                       isinstance(node, gast.Lambda)):
        read = _attribute_read(node, called, ctx)
        if read is None or not _plain_chain(read[0]):
            continue
        value, attr = read
        obj = ctx.resolver.lookup(value)
        klass = (objects or {}).get(value.id) if isinstance(value, gast.Name) else None
        if klass is not None:  # (an object the function makes)
            member = inspect.getattr_static(klass, attr, None)
        elif obj is None or isinstance(obj, (type, types.ModuleType)) or \
                not runs_users_code(obj, attr):
            continue
        else:
            member = inspect.getattr_static(obj, attr, None)
        getter = getattr(member, 'fget', getattr(member, 'func', None))
        if not inspect.isfunction(getter) or \
                not isinstance(member, (property, functools.cached_property)):
            continue
        # (its class: by a global name, for an object the function makes)
        holder = n.attr(n.clone(value), '__class__') if klass is None else next(
            (n.name(name) for name, bound in sorted(ctx.source.namespace.items())
             if bound is klass), None)
        if holder is None:
            continue
        path = n.attr(n.attr(holder, attr), 'fget' if hasattr(member, 'fget') else 'func')
        found.append(gast.Call(func=path, args=[n.clone(value)], keywords=[]))
        found[-1].getter = True
    return found


def _attribute_read(node, called, ctx):
    """``(value, attribute)`` where `node` reads an attribute by a constant name: ``v.a`` (not
    a method called), ``hasattr(v, 'a')``, ``operator.attrgetter('a')(v)`` (or a global
    holding such an attribute getter, ``GET(v)``); else None."""
    if isinstance(node, gast.Attribute) and id(node) not in called and \
            isinstance(node.ctx, gast.Load):
        return node.value, node.attr
    if not isinstance(node, gast.Call) or len(node.args) < 1:
        return None
    func = node.func
    if isinstance(func, gast.Name) and func.id == 'hasattr' and len(node.args) == 2 and \
            isinstance(node.args[1], gast.Constant) and isinstance(node.args[1].value, str):
        return node.args[0], node.args[1].value
    if isinstance(func, gast.Call) and n.dotted_path(func.func) == 'operator.attrgetter' and \
            len(func.args) == 1 and isinstance(func.args[0], gast.Constant) and \
            isinstance(func.args[0].value, str) and '.' not in func.args[0].value:
        return node.args[0], func.args[0].value
    getter = ctx.resolver.lookup(func) if _plain_chain(func) else None
    if isinstance(getter, operator.attrgetter):
        names = getter.__reduce__()[1]
        if len(names) == 1 and '.' not in names[0]:
            return node.args[0], names[0]
    return None


def _check_bound_writers(stmt, ctx, kept):
    """Reject ``m = w.fill`` (or ``fns = [w.__imul__]``, ``map(w.__setitem__, ...)``): a
    method that writes into its receiver, taken from a differentiated array or one the
    backward sweep reads (`kept`) without calling it. Wherever the bound method is called
    later, it changes that array out of the passes' sight. So does a library's function that
    writes into an argument, taken as a value (``op = operator.imul``, ``c = np.copyto``,
    ``apply(np.copyto, w, 0.0)``, ``operator.methodcaller('fill', 0.0)``): refused wherever
    it is."""
    called = {id(node.func) for node in n.walk(stmt) if isinstance(node, gast.Call)}
    for node in n.walk(stmt):
        writer = _library_writer(node, ctx, called)
        if writer is not None:
            raise ctx.unsupported(
                stmt, f'`{writer}`, which writes into an argument in place, taken without '
                      f'calling it: wherever it is called later it changes an array out of '
                      f'sight; call it directly where it is needed, or write the new value '
                      f'instead', node)
        if not (isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load) and
                node.attr in _BOUND_WRITERS and id(node) not in called):
            continue
        root = node.value
        while isinstance(root, (gast.Subscript, gast.Attribute)) or \
                isinstance(root, gast.Call) and isinstance(root.func, gast.Attribute):
            # (``w[0].fill``, ``w.reshape(-1).fill``: of a view of `w`)
            root = root.func.value if isinstance(root, gast.Call) else root.value
        if isinstance(root, gast.Name) and not ctx.resolver.is_global(root) and (
                ctx.activity.is_active(root) or root.id in kept):
            shown = ctx.user_name(root.id)
            raise ctx.unsupported(
                stmt, f'the method `{node.attr}` of `{shown}` taken without calling it: the '
                      f'bound method changes `{shown}` in place wherever it is called later, '
                      f'out of sight; call the method itself where it is needed, or write the '
                      f'new value instead (`{shown} = ...`)', node)


def _library_writer(node, ctx, called):
    """The text of `node` where it is a library's function that writes into an argument in
    place, not called (`called`: the ids of the functions of the calls), or a
    ``operator.methodcaller`` of a method writing into its receiver; else None."""
    if isinstance(node, gast.Call) and node.args and \
            ctx.resolver.lookup(node.func) is operator.methodcaller and \
            isinstance(node.args[0], gast.Constant) and node.args[0].value in _BOUND_WRITERS:
        return _text(node)
    if not isinstance(node, (gast.Name, gast.Attribute)) or id(node) in called or \
            not isinstance(node.ctx, gast.Load):
        return None
    obj = ctx.resolver.lookup(node)
    if obj is None or not callable(obj):
        return None
    name = getattr(obj, '__name__', None)
    if obj is getattr(operator, name or '', None) and f'operator.{name}' in _OPERATOR_INPLACE or \
            name in INPLACE_FUNCTIONS and any(
                obj is getattr(module, name, None) for module in (np, np.random, heapq)) or \
            name in _BOUND_WRITERS and obj is getattr(np.ndarray, name, None) or \
            name == 'at' and isinstance(getattr(obj, '__self__', None), np.ufunc):
        return _text(node)
    return None


def _check_changing_test(stmt, ctx):
    """Reject a ``while`` test that changes a differentiated list or dict in place (``while
    d.pop('a', None) is not None``): the test runs before each pass and once more, outside
    the statements the backward sweep undoes one by one."""
    for call in n.walk(stmt.test):
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                changes_receiver(call) and isinstance(call.func.value, gast.Name) and \
                ctx.activity.is_active(call.func.value):
            raise ctx.unsupported(stmt, f'`{call.func.value.id}.{call.func.attr}(...)` in the '
                                        f'test of a `while` loop, which changes a list or dict '
                                        f'holding differentiated values; make the call a '
                                        f'statement of the loop (`while True:`, then `v = '
                                        f'{call.func.value.id}.{call.func.attr}(...)` and '
                                        f'`if ...: break`)', call)


def _check_bounded_deque(stmt, call, ctx):
    """Reject ``q = deque(maxlen=n)`` holding differentiated values: its ``append`` drops the
    oldest item once it is full, which the backward sweep (popping what each append added)
    does not follow."""
    if ctx.resolver.lookup(call.func) is not collections.deque or not (
            len(call.args) > 1 or any(k.arg == 'maxlen' for k in call.keywords)):
        return
    targets = stmt.targets if isinstance(stmt, gast.Assign) else []
    if any(ctx.activity.is_active(t) for t in targets if isinstance(t, gast.Name)):
        raise ctx.unsupported(stmt, 'a `deque` with a `maxlen` holding differentiated values '
                                    '(an append drops its oldest item once it is full); use '
                                    'a list and keep the last items with a slice '
                                    '(`items[-n:]`)')


def _kept_for_the_backward_sweep(body, ctx):
    """For each statement (by id), the names that a differentiated statement reads before it
    (in source order, or anywhere in a loop around it): the backward sweep may keep them by
    reference, so a helper must not change them in place (``w = scale(w, 0.5)`` after
    ``t = t + np.sum(w * x)``)."""
    kept, seen = {}, set()
    if ctx.mode.forward:  # (no backward sweep: tangents are computed in order)
        return kept, kept

    def active_reads(stmt):
        found = set()
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(target, gast.Subscript) and (
                ctx.activity.is_active(stmt.value) or ctx.activity.is_active(target)):
            # (the index of a write: the backward sweep reads it again, ``s2s.zero_at(by,
            # idx)``; ``idx[0] = 3`` afterwards would move the write)
            found.update(name for node in n.walk(target) if isinstance(node, gast.Subscript)
                         for name in n.names_read(node.slice))
        if isinstance(stmt, (gast.Assign, gast.Return)) and stmt.value is not None and \
                ctx.activity.is_active(stmt.value):
            # (and what the nested functions it calls read of the function: their closure)
            found |= set(n.names_read(stmt.value)) | {
                name for node in n.walk(stmt.value) if isinstance(node, gast.Call) and
                isinstance(node.func, gast.Name) and node.func.id in ctx.nested
                for name in ctx.closures.get(node.func.id, ())}
        return found

    def visit(stmts, around):
        for stmt in stmts:
            seen.update(active_reads(stmt))
            kept[id(stmt)] = set(seen) | around
            for _, block in n.blocks(stmt):
                inner = around
                if isinstance(stmt, (gast.For, gast.While)):
                    # (what another iteration read, unless the body gives it new memory
                    # each time: ``v = d.copy()``)
                    fresh = _fresh_in(block)
                    inner = around | {name for s in n.statements(block)
                                      for name in active_reads(s)} - fresh
                visit(block, inner)
    visit(body, set())
    # (a name that may share memory with one kept is kept too: ``v = w``, ``w0 = ws[0]``,
    # ``params_a = params['a']`` with ``params`` passed on)
    group = {}

    def find(name):
        while group.get(name, name) != name:
            name = group[name]
        return name
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and not _new_memory(stmt.value):
            for target in n.names_stored(stmt.targets[0]):
                for source in _memory_sources(stmt.value):
                    group[find(target)] = find(source)
    members = {}
    for name in set(group) | set(group.values()):
        members.setdefault(find(name), set()).add(name)
    expanded = {key: names | {m for name in names for m in members.get(find(name), ())}
                for key, names in kept.items()}
    return kept, expanded


_NUMBER_FUNCTIONS = (builtins.float, builtins.int, builtins.complex, builtins.eval, np.float64,
                     np.float32, np.float16, np.array, np.asarray)


def _check_numbers_from_text(body, ctx):
    """Reject a number read back from text made of a differentiated value (``float(f'{v}')``,
    ``float('{}'.format(v))``): text carries no derivative, so the number's would be 0."""
    texts = set()

    def is_text(value):
        if isinstance(value, gast.JoinedStr) or \
                isinstance(value, gast.Name) and value.id in texts:
            return True
        if isinstance(value, gast.Call):
            func = value.func
            if isinstance(func, gast.Attribute) and (
                    isinstance(func.value, gast.Constant) and isinstance(func.value.value, str)
                    or is_text(func.value)):
                return True  # (``'{}'.format(v)``, ``text.strip()``)
            return False  # (``str(v)`` of a differentiated value has no rule: NoRuleError)
        return isinstance(value, gast.BinOp) and (is_text(value.left) or is_text(value.right))

    def of_active(value):
        return any(ctx.activity.is_active(n.name(name)) for name in n.names_read(value))
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                is_text(stmt.value) and (of_active(stmt.value) or
                                         set(n.names_read(stmt.value)) & texts):
            texts.add(stmt.targets[0].id)
        for call in n.walk(stmt):
            if isinstance(call, gast.Call) and call.args and \
                    ctx.resolver.lookup(call.func) in _NUMBER_FUNCTIONS and \
                    is_text(call.args[0]) and (of_active(call.args[0]) or
                                               set(n.names_read(call.args[0])) & texts):
                raise ctx.unsupported(
                    stmt, f'a number read back from text made of a differentiated value '
                          f'(`{n.dotted_path(call.func)}` of a string): text carries no '
                          f'derivative; compute with the number itself', call)


def _check_attribute_store(stmt, ctx):
    for target in n.walk(stmt.targets[0]):
        if isinstance(target, gast.Attribute) and isinstance(target.ctx, gast.Store) and \
                isinstance(target.value, gast.Name) and ctx.activity.is_active(target.value):
            raise ctx.unsupported(
                stmt, f'setting the attribute `.{target.attr}` of the differentiated value '
                      f'`{target.value.id}` (``y.flat = v``, ``y.shape = s`` change the array '
                      f'in place, out of the derivative\'s sight); assign into it '
                      f'(``y[...] = v``) or make a new array (``np.reshape``)')
    if not ctx.activity.is_active(stmt.value):
        return
    for target in n.walk(stmt.targets[0]):
        if isinstance(target, gast.Attribute) and isinstance(target.ctx, gast.Store):
            raise ctx.unsupported(
                stmt, f'storing a differentiated value in the attribute '
                      f'`{n.dotted_path(target) or target.attr}` (s2sgrad follows derivatives '
                      f'through variables, not object attributes); keep the value in a local '
                      f'variable')


def _attributes_read(body):
    """The attribute paths (``self.scale``) that `body` reads other than in a statement that
    writes the same path (``self.calls += 1`` alone reads nothing that matters)."""
    read = set()
    for stmt in n.statements(body):
        if n.is_arguments_check(stmt):
            continue  # (``s2s.separate(m.buf, ...)`` before ``m.buf += v``: reads for it)
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            parts = [stmt.test] if not isinstance(stmt, gast.For) else [stmt.iter]
        else:
            parts = [stmt]
        written = {n.dotted_path(t) for t in n.walk(stmt.targets[0])
                   if isinstance(t, gast.Attribute)} if isinstance(stmt, gast.Assign) else set()
        for part in parts:
            for node in n.walk(part):
                if isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load):
                    path = n.dotted_path(node)
                    if path is not None and path not in written:
                        read.add(path)
    return read


def _check_state_change(stmt, ctx, read):
    """Reject writing an attribute that the function also reads (``self.scale = ...`` with
    ``self.scale`` read): the gradient does not replay changes to an object's state."""
    for target in n.walk(stmt.targets[0]):
        if isinstance(target, gast.Attribute) and isinstance(target.ctx, gast.Store) and \
                n.dotted_path(target) in read:
            raise ctx.unsupported(
                stmt, f'writing the attribute `{n.dotted_path(target)}`, which the function also '
                      f'reads (s2sgrad does not replay changes to an object\'s state); keep the '
                      f'value in a local variable, or change the object outside the '
                      f'differentiated function')


def _ufunc_outputs(call, obj):
    """The positional output arguments of a ufunc call (``np.multiply(a, b, out)``)."""
    nin = getattr(obj, 'nin', None)
    if type(obj).__name__ == 'ufunc' and nin is not None and len(call.args) > nin:
        return list(call.args[nin:])
    return []


def _check_out_argument(stmt, call, ctx):
    # (by keyword, or by position: ``np.clip(y, lo, hi, y)``, ``y.round(0, y)``, a ufunc's
    # arguments after its inputs)
    outputs = out_arguments(call, ctx.resolver)
    for value in outputs:
        if not (isinstance(value, gast.Constant) and value.value is None):
            if ctx.activity.is_active(call) or ctx.activity.is_active(value) or \
                    isinstance(value, gast.Name) and value.id in ctx.params:
                raise ctx.unsupported(
                    stmt, f'`{n.dotted_path(call.func) or "the call"}` with `out=`, which '
                          f'writes its result into an array in place; assign the result '
                          f'instead (`y = f(...)`)')


def _check_discarded_call(stmt, call, ctx, body, logs=()):
    if restored_item(stmt):
        return  # a gradient's restore, differentiated again as a write (`restores`)
    func = call.func
    nested = isinstance(func, gast.Name) and func.id in ctx.nested
    local_method = isinstance(func, gast.Attribute) and not ctx.resolver.is_global(func)
    receiver = method_call(call)[0] if local_method else None
    if isinstance(receiver, gast.Name) and ctx.activity.is_active(receiver):
        return  # a method of a differentiated value: the passes have rules or raise
    values = list(call.args) + [kw.value for kw in call.keywords]
    if nested:
        values += [n.name(v) for v in ctx.nested[func.id][1]]
    if receiver is not None:
        values.append(receiver)
    if not any(ctx.activity.is_active(v) for v in values):
        return
    if id(stmt) in logs:
        return  # (``self.history.append(float(loss))``, read nowhere else: a log)
    what = f'`{n.shown(func)}`'
    obj = None if nested or local_method else ctx.resolver.lookup(func)
    if obj is not None and (rules.lookup_adjoint(obj) is not None or
                            rules.is_nondifferentiable(obj)):
        return  # it cannot change its arguments, and its result is unused
    if obj is not None and (_reports(obj) or _kept_outside(call, obj, body, ctx)):
        return
    if obj is None and not nested:
        raise ctx.no_rule(stmt, what, 'its result is unused, so it may be called to change a '
                                      'differentiated value in place')
    try:
        advice = _IN_PLACE_ADVICE.get(obj, 'return the new value and assign it')
    except TypeError:  # (an unhashable callable)
        advice = 'return the new value and assign it'
    raise ctx.unsupported(
        stmt, f'the call of {what} whose result is unused, with a differentiated argument: '
              f's2sgrad cannot follow changes that a function makes to its arguments in '
              f'place; {advice}')


def _advice_in_place():
    """NumPy's functions that write into their first argument, and the assignment each is
    (which s2sgrad follows)."""
    where = 'write `a = np.where(mask, values, a)` (values broadcast to a\'s shape)'
    return {np.fill_diagonal: 'write `a[np.diag_indices_from(a)] = value` instead (`+=` too)',
            np.copyto: 'write `dst[...] = src` instead (with where=: `dst = np.where(where, '
                       'src, dst)`)',
            np.putmask: where, np.place: where,
            np.put: 'write `a.flat[ind] = v` instead'}


_IN_PLACE_ADVICE = _advice_in_place()


_ONLY_GROWING = ('append', 'extend', 'add', 'pop')
"""Methods that keep the items a container has, or drop its last one (the stacks of generated
code): what the derivative read of its other items stays."""


def _fresh_in(block):
    """The names every assignment of which in `block` (at any depth) gives new memory."""
    fresh, other = set(), set()
    for stmt in n.statements(block):
        if isinstance(stmt, gast.Assign):
            for name in n.names_stored(stmt.targets[0]):
                (fresh if isinstance(stmt.targets[0], gast.Name) and
                 _new_memory(stmt.value) else other).add(name)
        elif isinstance(stmt, gast.For):
            other.update(n.names_stored(stmt.target))
    return fresh - other


def _memory_sources(value):
    """The names whose memory `value` may be: the base of a subscript or attribute (not its
    index), the arguments of a call (not the called function)."""
    if isinstance(value, (gast.Subscript, gast.Attribute)):
        return _memory_sources(value.value)
    if isinstance(value, (gast.List, gast.Tuple, gast.Set, gast.Dict)):
        # (a display holds its items: ``[w * 1.0, w + 1.0]`` holds new arrays only)
        items = value.values if isinstance(value, gast.Dict) else value.elts
        return set().union(*(_memory_sources(getattr(item, 'value', item)) for item in items
                             if not _new_memory(item)))
    if isinstance(value, gast.Call):
        called = {node.func.id for node in n.walk(value)
                  if isinstance(node, gast.Call) and isinstance(node.func, gast.Name)}
        return set(_view_sources(value)) - called
    return set(_view_sources(value))


def _read_whole(body, ctx):
    """The names that a differentiated statement of `body` reads whole, not only as what an
    item is read from (``idx`` of ``x[idx]``, not ``xs`` of ``xs[i]``: an item read stays the
    object it was when the list grows or shrinks)."""
    found = set()
    for stmt in n.statements(body):
        if isinstance(stmt, (gast.Assign, gast.Return)) and stmt.value is not None and \
                ctx.activity.is_active(stmt.value):
            subscripts = [node for node in n.walk(stmt.value) if isinstance(node, gast.Subscript)]
            bases = {id(node.value) for node in subscripts}
            found.update(node.id for node in n.walk(stmt.value)
                         if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and
                         id(node) not in bases)
            # (and whatever an index reads: ``x[path[-2:]]`` reads the items of `path`)
            found.update(name for node in subscripts for name in n.names_read(node.slice))
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(target, gast.Subscript) and (ctx.activity.is_active(stmt.value) or
                                                   ctx.activity.is_active(target)):
            # (the index of a write, which the backward sweep reads again: ``idx.append(3)``
            # afterwards would move the write)
            found.update(name for node in n.walk(target) if isinstance(node, gast.Subscript)
                         for name in n.names_read(node.slice))
    return found


def _check_kept_changed(stmt, ctx, kept, read, whole=()):
    """Reject a library call that changes in place an array the derivative read before and
    that is not differentiated itself (``np.random.shuffle(w)`` after ``t = np.sum(w * x)``;
    `kept`: those names, with what may share their memory), or an assignment into one the
    derivative read itself (``buf[:] = X[i]`` after ``np.sum(w * buf)``; `read`): the
    backward sweep may keep it by reference. (A differentiated array's changes are the
    passes' business, and so are lists that grow where the derivative read items of them;
    one read whole, ``x[idx]`` before ``idx.append(t)``, is not (`whole`: those names); an
    item written after the derivative read another item, ``M[i] = v`` after ``M[i - 1] @ w``,
    is fine.)"""
    if not kept:
        return
    changes = []  # (name, what changes it)
    grown = set()  # (lists grown or shortened)
    if isinstance(stmt, (gast.Assign, gast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
        for target in targets:
            for node in n.walk(target):
                if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) and \
                        isinstance(_root(node), gast.Name) and _root(node).id in read:
                    changes.append((_root(node).id, _text(node)))
    for call in own_calls(stmt):
        func = call.func
        if isinstance(func, gast.Attribute) and changes_receiver(call) and \
                isinstance(func.value, gast.Name) and (
                    func.attr not in _ONLY_GROWING or func.value.id in whole) and \
                not ctx.resolver.is_global(func.value):  # (``w.sort()``, not ``np.sort``)
            changes.append((func.value.id, _text(call)))
            if func.attr in _ONLY_GROWING:
                grown.add(func.value.id)
        obj = ctx.resolver.lookup(func)
        name = func.attr if isinstance(func, gast.Attribute) else \
            getattr(obj, '__name__', None) if obj is not None else None
        if name in INPLACE_FUNCTIONS and (obj is not None or isinstance(func, gast.Attribute)) \
                and len(call.args) > INPLACE_FUNCTIONS[name] and \
                isinstance(call.args[INPLACE_FUNCTIONS[name]], gast.Name):
            changes.append((call.args[INPLACE_FUNCTIONS[name]].id, _text(call)))
        outs = [kw.value for kw in call.keywords if kw.arg == 'out'] + \
            list(_ufunc_outputs(call, obj))
        changes += [(name, _text(call)) for out in outs for name in n.names_read(out)]
    for name, what in changes:
        if name in kept and not ctx.activity.is_active(n.name(name)):
            instead = f'a new list instead (`{name} = {name} + [v]`, `{name}[1:]`)' \
                if name in grown else \
                f'a new array instead (`{name} = ...copy()`, `rng.permutation(n)`)'
            raise ctx.unsupported(
                stmt, f'`{what}`, which changes `{name}` in place after the derivative read '
                      f'it (the backward sweep may read it again); make {instead}, or read a '
                      f'copy of it')


def _check_object_change(stmt, call, ctx, body, kept):
    """Reject ``acc.bump()``, a method of an object whose class s2sgrad does not know, called
    for its effect after the derivative read an attribute of it (``acc.w``): the method may
    change that attribute's array in place, which the backward sweep would read."""
    func = call.func
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
        return
    owner = func.value.id
    if owner not in kept or ctx.activity.is_active(func.value) or \
            ctx.resolver.lookup(func) is not None:
        return
    statements = list(n.statements(body))
    called = {id(node.func) for other in statements for node in n.walk(other)
              if isinstance(node, gast.Call)}
    attributes_read = any(  # (data attributes: ``acc.w``, not the methods called)
        isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and
        node.value.id == owner and isinstance(node.ctx, gast.Load) and id(node) not in called
        for other in statements for node in n.walk(other))
    if attributes_read:
        raise ctx.unsupported(
            stmt, f'the call `{_text(call)}` for its effect on `{owner}`, whose attributes the '
                  f'derivative reads (s2sgrad does not know the class of `{owner}`, so it '
                  f'cannot tell what the method changes); call it before or after the '
                  f'differentiated function, or differentiate a bound method of the object '
                  f'(`grad({owner}.method)`)')


_GROWING = ('append', 'extend', 'insert', 'add', 'appendleft', 'extendleft')


def _reports(obj):
    """Whether `obj` only reports its arguments: a function or a logger's method of
    ``logging`` (``log.info('loss %s', s)``), ``warnings.warn``."""
    owner = getattr(obj, '__self__', None)
    modules = [getattr(obj, '__module__', None) or '',
               type(owner).__module__ if owner is not None else '']
    return any(m == 'logging' or m.startswith('logging.') for m in modules) or \
        obj is warnings.warn


def _kept_outside(call, obj, body, ctx):
    """Whether `call` puts its arguments into a list, set or deque of a global that the
    function reads nowhere else (``HISTORY.append(float(loss))``), nor a function of yours it
    calls (`_log_read_elsewhere`): it changes no argument, and what it keeps does not reach
    the result. Not an array the function writes into."""
    owner = getattr(obj, '__self__', None)
    func = call.func
    if not (isinstance(owner, (list, set, collections.deque)) and
            getattr(obj, '__name__', None) in _GROWING and
            isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
        return False
    name = func.value.id
    kept = {v for arg in call.args for v in n.names_read(arg)}
    return sum(isinstance(node, gast.Name) and node.id == name
               for stmt in body for node in n.walk(stmt)) == 1 and \
        not kept & assigned_into(body, aliases=True) and \
        not _log_read_elsewhere(owner, body, ctx, {id(func.value)})
    # (an array the function writes into afterwards: the gradient undoes the writes, and the
    # list would show that)


def _log_read_elsewhere(log, body, ctx, own):
    """Whether `body` (but its Names of `own`: the logs' own) or a function of yours that it
    calls, at any depth, reads the list `log` through a global name bound to it or to a dict,
    list, tuple, object or module holding it (``ALIAS = TABLE['l']``; ``last()`` reading
    ``HIST[-1]``): what is added would reach the result. A function whose source cannot be
    read is taken to read it."""
    holders = {}

    def holds(value):
        if id(value) not in holders:
            items = value.values() if isinstance(value, dict) else \
                value if isinstance(value, (list, tuple)) else \
                vars(value).values() if isinstance(getattr(value, '__dict__', None), (
                    dict, types.MappingProxyType)) else ()  # (a class's, a module's too)
            holders[id(value)] = value is log or any(item is log for item in list(items))
        return holders[id(value)]
    seen = set()

    def reads(nodes, namespace, local, skip=()):
        for node in nodes:
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                    id(node) not in skip and node.id not in local and \
                    node.id in namespace and holds(namespace[node.id]):
                return True
            if not isinstance(node, gast.Call):
                continue
            path = n.dotted_path(node.func)
            obj = namespace.get(path.split('.')[0], None) if path else None
            for part in (path or '').split('.')[1:]:
                obj = getattr(obj, part, None)
            obj = getattr(obj, '__func__', obj)  # (a bound method of a global object)
            if not inspect.isfunction(obj) or rules.is_library(obj) or obj in seen or \
                    path.split('.')[0] in local:
                continue
            seen.add(obj)
            try:
                source = parse_function(obj)
            except S2SError:
                return True
            inner = set(n.names_stored(source.node.args)) | set(
                n.names_stored(gast.Module(body=source.node.body, type_ignores=[])))
            if reads(n.walk(source.node), source.namespace, inner):
                return True
        return False
    nodes = (node for stmt in body for node in n.walk(stmt))
    return reads(nodes, ctx.source.namespace, set(ctx.resolver.local_names), own)


def _global_table_log(call, ctx, body):
    """Whether `call` puts its arguments into a list, set or deque that a global dict holds
    under a constant key (``HISTORY['loss'].append(float(loss))``), where the function uses
    that dict only so (in such calls, no array it writes into afterwards among what they
    put): as `_kept_outside` for a global list."""
    func = call.func
    table = func.value.value if isinstance(func, gast.Attribute) and \
        isinstance(func.value, gast.Subscript) else None
    if not (isinstance(table, gast.Name) and isinstance(func.value.slice, gast.Constant) and
            ctx.resolver.is_global(table) and isinstance(ctx.resolver.lookup(table), dict)):
        return False
    item = ctx.resolver.lookup(table).get(func.value.slice.value) \
        if isinstance(func.value.slice.value, (str, int)) else None
    if not (isinstance(item, (list, set, collections.deque)) and func.attr in _GROWING):
        return False
    logs = [node for stmt in body for node in n.walk(stmt)
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and
            isinstance(node.func.value, gast.Subscript) and
            isinstance(node.func.value.value, gast.Name) and
            node.func.value.value.id == table.id and
            isinstance(node.func.value.slice, gast.Constant) and node.func.attr in _GROWING]
    kept = {v for log in logs for arg in log.args for v in n.names_read(arg)}
    return sum(isinstance(node, gast.Name) and node.id == table.id
               for stmt in body for node in n.walk(stmt)) == len(logs) and \
        not kept & assigned_into(body, aliases=True) and \
        not any(_log_read_elsewhere(log, body, ctx, {id(call.func.value.value) for call in logs})
                for log in ctx.resolver.lookup(table).values()
                if isinstance(log, (list, set, collections.deque)))


def _check_free_writes(stmt, call, ctx, guards, kept, objects=None):
    """``s2s.check_global_writes(reset, message, (d, x))`` in `guards` before `stmt`, whose
    `call` calls code of yours (a function, one `functools.lru_cache` or a decorator wraps,
    a class's constructor, a generator, a method of a new object of your class: ``opt.step``
    of ``opt = Opt()``, ``Opt().step``) that writes in place into what a global or a closure
    variable holds, or calls code of yours that does (`free_writes.writes_free`): it may
    hold an array the backward sweep reads (``GW[0] *= 0.5`` where `GW` holds the
    argument). `kept`: the names of those arrays bound when it runs; `objects`: the new
    objects (`kept_items.constructed_objects`)."""
    if not kept or ctx.mode.forward or isinstance(stmt, (gast.FunctionDef, gast.Lambda)):
        return
    func = call.func
    obj = ctx.resolver.lookup(func) if _plain_chain(func) else None
    cls = constructed_class(func, ctx, objects or {}) if obj is None else None
    if cls is not None and isinstance(inspect.getattr_static(cls, func.attr, None), (
            types.FunctionType, classmethod, staticmethod)):
        # (the method, on the object named, or on its class where the object is made in the
        # call: ``Opt().step`` is checked as ``Opt.step``)
        obj = getattr(cls, func.attr)
        if not isinstance(func.value, gast.Name):
            func = gast.Attribute(value=n.clone(func.value.func), attr=func.attr,
                                  ctx=gast.Load())
    if obj is None or not writes_free(obj):
        return
    lineno = getattr(stmt, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    label = n.dotted_path(func) or getattr(obj, '__name__', 'it')
    does = f'calls `{label}`, which writes'
    if getattr(call, 'getter', False):  # (``o.scale``: `_getter_calls`'s ``G.scale.fget(o)``)
        does = f'reads the property `{label.rsplit(".", 1)[0].replace(".__class__", "")}`, ' \
            f'whose getter writes'
    _guard(stmt, guards, n.call(
        's2s.check_global_writes', n.clone(func),
        n.const(f'File "{ctx.source.filename}", line {lineno}: `{text}` {does} into what a '
                f'global or its closure holds'),
        gast.Tuple(elts=[n.name(name) for name in sorted(kept)], ctx=gast.Load())))


def _check_callee_globals(stmt, call, ctx, names_read):
    """Reject calling a helper of the user's that rebinds a global (``global SETTING``) which
    the function reads, or changes in place an object the function reads as a global (``G[0]
    += 1``): the backward sweep would read the new value."""
    obj = ctx.resolver.lookup(call.func)
    if not inspect.isfunction(obj) or rules.is_library(obj):
        return
    try:
        source = parse_function(obj)
    except S2SError:
        return
    node = source.node
    changed = {name for inner in n.walk(node) if isinstance(inner, (gast.Global, gast.Nonlocal))
               for name in inner.names} & names_read
    # (or writes into one in place, ``G[0] += 1``: the array the function reads as `G`)
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs} | \
        {a.id for a in (node.args.vararg, node.args.kwarg) if a is not None}
    local = params | set(n.names_stored(gast.Module(body=node.body, type_ignores=[])))
    namespace = source.namespace
    written = set()
    for inner in n.statements(node.body):
        if ctx.mode.forward or _counts(inner):
            continue  # (no backward sweep to read the new value; a count has no derivative)
        for name, _ in _written_names(inner):
            value = namespace.get(name)
            if name in local or value is None or isinstance(value, (int, float, str)):
                continue
            if inspect.ismodule(value) and not _assigns_into(inner, name):
                continue  # (``np.sort(x)``: a module's function, no method; but
                # ``state.buf[0] = v`` writes into an array a module holds)
            if any(ctx.resolver.lookup(n.name(read)) is value for read in names_read):
                written.add(name)
    label = n.dotted_path(call.func) or obj.__name__
    if changed:
        raise ctx.unsupported(
            stmt, f'calling `{label}`, which rebinds the global `{sorted(changed)[0]}` that the '
                  f'function reads (s2sgrad does not replay changes to globals); pass the '
                  f'value as an argument')
    if written:
        raise ctx.unsupported(
            stmt, f'calling `{label}`, which changes in place the global `{sorted(written)[0]}` '
                  f'that the function reads (s2sgrad does not replay changes to globals); '
                  f'pass the array as an argument and use what the function returns')


def _counts(stmt):
    """Whether `stmt` counts: ``G.calls += 1``, ``COUNTS['fwd'] += 1`` (an item or attribute
    of a name, a whole number added or subtracted), or `_bookkeeping`."""
    if isinstance(stmt, gast.Assign):
        return _bookkeeping(stmt)
    return isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub)) and \
        isinstance(stmt.value, gast.Constant) and type(stmt.value.value) is int and \
        isinstance(stmt.target, (gast.Attribute, gast.Subscript)) and \
        isinstance(stmt.target.value, gast.Name) and \
        (isinstance(stmt.target, gast.Attribute) or isinstance(stmt.target.slice, gast.Constant))


def _copies_passed_once(body, namespace):
    """The names bound once, to a copy (``bn_param_copy = bn_param.copy()``, what the call
    ``f(x, bn_param.copy())`` normalizes to; ``copy.deepcopy(state)``) or to a list or dict
    display (``f([a, b])``),
    and read once in `body`: what a helper passed one writes into is seen by nothing else
    (but for the items a copy of a list or dict shares: `_check_callee_writes`); by name,
    whether it is known to be a list or dict (a display, ``list(v)``), not an array."""
    bound, loads, copies, filled = {}, {}, {}, set()
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                filled.add(id(target.value))  # (``params['W'] = W``: filled, not bound)
                continue
            for name in n.names_stored(target):
                bound[name] = bound.get(name, 0) + 1
            container = isinstance(node.value, (gast.List, gast.Dict)) or \
                _container_copy(node.value, namespace, empty=True)
            if isinstance(node.targets[0], gast.Name) and (
                    container or isinstance(node.value, gast.Call) and _new_memory(node.value) or
                    _copy_module_call(node.value, namespace, 'deepcopy')):
                copies[node.targets[0].id] = container  # (``copy.deepcopy(state)`` too)
        elif isinstance(node, (gast.For, gast.AugAssign, gast.comprehension)):
            for name in n.names_stored(node.target):
                bound[name] = bound.get(name, 0) + 2
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                id(node) not in filled:
            loads[node.id] = loads.get(node.id, 0) + 1
    loops = innermost_loops(body)
    made_in = {node.targets[0].id: loops.get(id(node)) for node in n.statements(body)
               if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)}
    read_in = {}
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            read_in.setdefault(node.id, set()).add(loops.get(id(node)))
    # (read in a loop it was not made in: every run of the loop gets the one copy)
    return {name: container for name, container in copies.items()
            if bound.get(name) == 1 and loads.get(name) == 1 and
            read_in.get(name, set()) <= {made_in.get(name)}}


def _check_callee_writes(stmt, call, ctx, guards, kept=(), passed=None, lists=(),
                         holds=lambda name: (), objects=None, safe=(), containers=(),
                         logs=(), bound_kept=()):
    """``z = helper(x)`` where `helper` writes into its parameter: the change to `x` happens
    out of the passes' sight, so it is rejected when `x` is differentiated or is an argument of
    the function (whose caller's array would change). A parameter that `helper` only adds
    into (``s += v * v``) changes no number: a run-time check that the argument is one, put
    in `guards` (see `nodes.place`), stands for the rejection. `kept`: names the backward
    sweep may hold by reference at `stmt`, which no helper may change either; `passed`:
    copies made for this call alone (`_copies_passed_once`), whose changes nothing sees;
    `lists`: the names bound to lists only, whose ``p = p[:]`` in the helper is a copy;
    `holds(name)`: whether `name` may hold (as an item) an array of `kept` (`holder_groups`);
    `objects`: the variables bound once, to a new object of a class of the user's
    (`constructed_objects`), whose methods the call may be of; `safe`: the names of `kept`
    that hold at `stmt` the one value they hold in the function (`safely_kept`), which a
    run-time check can compare items with; `containers`: the names bound only to lists,
    dicts and sets, or only to numbers (`_bound_only_to`): no write into them is a write into
    an array; `logs`: the statements that log to a list (`logs.log_statements`);
    `bound_kept`: the names of `kept` bound when `stmt` runs (`_bound_before`), which an
    object may hold."""
    func = call.func
    passed = passed or {}
    numbers, items, counted, keyed = set(), set(), {}, {}
    free, methods, given = [], set(), {}
    if isinstance(func, gast.Name) and func.id in ctx.nested:
        node, free = ctx.nested[func.id]
        bound = _bound_arguments(node, call) + [(v, n.name(v)) for v in free]
        given = _functions_passed(node, call, ctx)
        written = parameters_written(node, extra=free, namespace=ctx.source.namespace,
                                     numbers=numbers, items=items, item_keys=keyed,
                                     lists=_given_lists(bound, lists), given=given,
                                     methods=methods)
        written |= numbers & set(free)  # (a free variable: no argument to check)
        label = func.id
    elif isinstance(func, (gast.Call, gast.Subscript)) and _made_functions(func, ctx):
        # (``make(2.0)(w)``: a function a function of yours returns, ``TABLE['s'](w)``: one
        # a table of the module holds; the one writing most)
        results = []
        for found in _made_functions(func, ctx):
            numbers, items, keyed = set(), set(), {}
            bound = _bound_arguments(found.node, call)
            written = parameters_written(found.node, namespace=found.namespace,
                                         numbers=numbers, items=items, item_keys=keyed,
                                         lists=_given_lists(bound, lists),
                                         given=_functions_passed(found.node, call, ctx))
            results.append((len(written | numbers | items | set(keyed)), bound, written,
                            numbers, items, keyed))
        _, bound, written, numbers, items, keyed = max(results, key=lambda r: r[0])
        label = _text(func)
    else:
        found = ctx.resolver.lookup(func)
        obj = unwrapped(found)  # (``@functools.wraps``: what runs)
        method = constructed_method(func, ctx, objects or {}) if obj is None else None
        if method is not None:  # (``opt = SGD()``, then ``opt.step(hs)``: ``SGD.step``)
            obj, receiver = method
            made = gast.Call(func=func, args=[receiver] * (receiver is not None) + call.args,
                             keywords=call.keywords)
        if obj is None and method is None:  # (``opt.step(ps)`` of a parameter `opt`)
            if id(stmt) not in logs:  # (``self.history.append(float(loss))``: a list's)
                _check_unknown_method(stmt, call, ctx, guards, kept, lists, holds, containers,
                                      bound_kept)
            return
        if not inspect.isfunction(obj) or rules.is_library(obj) or \
                rules.lookup_adjoint(obj) is not None or rules.is_nondifferentiable(obj) or \
                rules.lookup_definition(obj) is not None:  # (``statistics.variance``)
            return
        try:
            source = parse_function(obj)
        except S2SError:
            return  # the pass that differentiates the call says why it cannot
        node = source.node
        bound = _bound_arguments(node, made if method is not None else call)
        if (source.filename or '').startswith('<s2sgrad'):
            # (generated code differentiated again: a backward part takes the adjoints
            # keyword-only, and pops from and adds into them, as its caller expects)
            keyword_only = {a.id for a in node.args.kwonlyargs}
            bound = [(param, value) for param, value in bound if param not in keyword_only]
        counts = set()
        given = _functions_passed(node, made if method is not None else call, ctx)
        owner = constructed_class(func, ctx, objects or {}) \
            if method is not None and receiver is not None else \
            _owner_of(found) if inspect.ismethod(found) else \
            _class_called_on(func, ctx)
        written = parameters_written(node, namespace=source.namespace, bookkeeping=counts,
                                     numbers=numbers, items=items, item_keys=keyed,
                                     lists=_given_lists(bound, lists), given=given,
                                     methods=methods, owner=owner)
        if counts:  # (read by the caller, or by a function it calls: ``self.ncalls()``)
            read = _attributes_loaded(ctx.func, ctx.visible())
            counted = {param: attr for param, attr in sorted(counts)
                       if (attr in read or '*' in read) and param not in written}
            written |= set(counted)
        label = n.dotted_path(func) or (obj.__qualname__ if method else obj.__name__)
        if method is not None:
            # (a method of an object the function made: its attributes are the function's,
            # whose stores the passes follow; its items are checked, below. Given a
            # differentiated value, the pass that differentiates the call refuses it)
            if any(ctx.activity.is_active(value) for _, value in bound):
                return
            own = {param for param, value in bound if value is receiver}
            written, numbers = written - own, numbers - own
            counted = {param: attr for param, attr in counted.items() if param not in own}
        _refuse_shared_defaults(stmt, ctx, obj, label, (written | numbers) -
                                {param for param, _ in bound})
    if methods and id(stmt) not in logs:
        _check_given_methods(stmt, call, ctx, guards, bound, methods, given, label,
                             lambda value: _dangerous(value, ctx, kept, holds, containers),
                             lambda value, attr: _kept_it_may_hold(
                                 ctx, value, attr, bound_kept, lists, containers, stmt))
    # (a differentiated value passed in may be what it writes: ``push(acc, a)`` appending
    # ``a * a`` to a list that held none makes `acc` carry a derivative out of sight)
    carried = any(ctx.activity.is_active(value) for _, value in bound)
    names = n.all_names(ctx.source.node)  # (the user's: not the normalizer's temporaries)
    for param, value in bound:
        copied = isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.copy' and \
            len(value.args) == 1 and isinstance(value.args[0], gast.Name)
        if copied:  # (``c = shift(c)`` passes ``s2s.copy(c)``, which holds `c`'s items)
            value = value.args[0]
        arg = _root(value)
        if param in written | items | set(keyed) and isinstance(arg, gast.Name):
            ctx.written_by_calls.add(arg.id)  # (what a recomputed read may not read: see
            # `forward_sweep.ForwardSweep.changed_in_place`)
        if isinstance(value, (gast.List, gast.Tuple, gast.Dict)) and \
                (param in items or param in keyed) and \
                not any(isinstance(part, (gast.Call, gast.NamedExpr)) for part in n.walk(value)):
            # (``rule(x, [a])``, a display written in the call: the helper's own list, which
            # still holds the caller's arrays: checked as a copy's are)
            _guard(stmt, guards, _own_items_check(ctx, stmt, label, param, value, items, keyed))
            continue
        if isinstance(value, gast.Name) and value.id in passed and not (
                passed[value.id] and param in numbers - written):
            # (``f(x, bn_param.copy())``, ``f([a, b])``: the helper's own copy or list; one
            # of a list or dict still holds the caller's arrays, which it may not write; a
            # list's ``items += [v]`` is checked as for any list, below)
            if param in written | numbers:
                ctx.written_copies.add(value.id)
            if param in items or param in keyed:
                _guard(stmt, guards,
                       _own_items_check(ctx, stmt, label, param, value, items, keyed))
            continue
        if param in items or param in keyed:
            # (``r = bump(rows)``, ``bump(d['rows'])`` (an item: always), ``bump(list(rows))``,
            # where `bump` adds in place into ``rows[0]``, its own copy's or the list's: a
            # differentiated array, or the caller's, changes out of the passes' sight, as the
            # arrays of a copy made for the call do (any array is refused); a list's numbers
            # are rebound in the helper's list)
            sources = _memory_sources(value)
            strict = any(copied or value is not arg or ctx.activity.is_active(n.name(name)) or
                         name in ctx.params or carried for name in sources)
            # (``bump(hs)`` where `hs` may hold an array the backward sweep reads: refused
            # where one of those arrays is an item, however it got there (``hs.append(w)``,
            # a helper's or a closure's append); where such an array is not one the check can
            # name, bound once before the call, any array is refused. Other arrays change as
            # they do in your code: the call stays, `call_effects`)
            reached = {name for name in sources if name in kept} | {
                other for name in sources for other in holds(name)}
            unnamed = not strict and bool(reached - set(safe))
            if strict or unnamed or safe:
                _guard(stmt, guards, _own_items_check(
                    ctx, stmt, label, param, _passed_once(ctx, stmt, call, value, guards),
                    items, keyed, None if strict or unnamed else safe, unnamed))
        if param not in written | numbers or not isinstance(arg, gast.Name):
            continue
        if not (ctx.activity.is_active(arg) or arg.id in ctx.params or carried or
                arg.id in kept):
            # (``scale(d['w'])``, ``v = d['w']; scale(v)``, ``for p in d.values(): scale(p)``:
            # an item of a container, or a name, that may be an array the backward sweep
            # reads: checked as the items of a container are)
            reached = holds(arg.id) if value is not arg or \
                containers.get(arg.id) != 'container' else ()
            if reached:
                unnamed = bool(set(reached) - set(safe))
                check = _own_items_check(
                    ctx, stmt, label, param, gast.Tuple(elts=[_passed_once(
                        ctx, stmt, call, value, guards)], ctx=gast.Load()),
                    {param}, {}, None if unnamed else safe, unnamed)
                check.args[1] = n.const(_item_message(ctx, stmt, label, param, value))
                _guard(stmt, guards, check)
            continue
        text = _text(value) if set(n.names_read(value)) <= names else None
        a_copy = f'a copy (`{text}.copy()`)' if text else 'a copy'
        if param in counted:
            here = f' (`{text}` here)' if text else ''
            raise ctx.unsupported(
                stmt, f'the call of `{label}`, which counts in the attribute '
                      f'`.{counted[param]}` of its argument `{param}`{here} (`{param}.'
                      f'{counted[param]} += 1`), which the function, or one it calls that '
                      f's2sgrad cannot follow, may read: keep the count outside the '
                      f'differentiated function, or call what `{label}` wraps directly')
        if param in written and param in free:
            raise ctx.unsupported(
                stmt, f'the call of `{label}`, which writes into its enclosing function\'s '
                      f'variable `{param}` (a closure it reads): s2sgrad cannot follow '
                      f'changes that a nested function makes to the variables around it; pass '
                      f'`{param}` as an argument and return what changes (a cache of values, '
                      f'memoisation: fill it bottom-up in a loop instead)')
        if param in written:
            here = f' (`{text}` here)' if text else ''
            raise ctx.unsupported(
                stmt, f'the call of `{label}`, which writes into its argument `{param}`'
                      f'{here} in place: s2sgrad cannot follow changes that a function makes '
                      f'to its arguments; pass {a_copy} and use what the function returns')
        lineno = getattr(stmt, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` passes an array or '
                   f'a list to `{label}`, which changes its parameter `{param}` in place (an '
                   f'augmented assignment, `{param} += ...`); pass {a_copy} and use what '
                   f'`{label}` returns, or write `{param} = {param} + ...` there')
        _guard(stmt, guards, n.call('s2s.check_number', n.clone(value), n.const(message)))


def _owner_of(method):
    """The class whose methods bound method `method`'s object runs (``MODEL.loss``:
    ``Model``; a class method's: its class)."""
    owner = method.__self__
    return owner if isinstance(owner, type) else type(owner)


def _class_called_on(func, ctx):
    """The class of yours `func` is a function of, called on it (``Model.layer1(self, x)``,
    as s2sgrad writes ``self.layer1(x)`` of an object of known class), or None."""
    if not isinstance(func, gast.Attribute):
        return None
    owner = ctx.resolver.lookup(func.value)
    return owner if isinstance(owner, type) and not rules.is_library(owner) and any(
        inspect.isfunction(klass.__dict__.get(func.attr)) for klass in owner.__mro__) else None


def _made_functions(func, ctx):
    """The functions of yours (`_Found`) that `func`, a call in the function differentiated,
    may return (``make(2.0)`` of ``def make(c): def upd(p): ...; return upd``)."""
    return [found for found in _functions_given(func, ctx.source.namespace,
                                                _local_functions(ctx.func))
            if not found.shifted]


def _functions_passed(node, call, ctx):
    """The functions of yours `call` (in the function differentiated) gives the parameters of
    FunctionDef `node` (``apply(scale_, ps)``, ``apply(upd, ps)`` of a function defined in it):
    `parameters_written`'s `given`."""
    defs = _local_functions(ctx.func)

    def resolve(arg):
        if isinstance(arg, gast.Name) and arg.id in ctx.nested:
            local, free = ctx.nested[arg.id]
            return [_Found(local, ctx.source.namespace, tuple(free), id(local), False)]
        return _functions_given(arg, ctx.source.namespace, defs)
    found = _with_given(_Found(node, None, (), None, False), call, resolve)
    return dict(found.given)


def _check_unknown_method(stmt, call, ctx, guards, kept, lists, holds, kinds, bound=()):
    """``opt.step(ps)``, a method of an object whose class is known only when the derivative
    runs (a parameter, a value a call gave), given an array the backward sweep reads, an
    argument of the function, or a container that may hold one: the run-time check that the
    method the object has does not write into them (`method_writes`). A method of a list, a
    dict or an array the function made (or a differentiated value) is the passes' business."""
    func = _called(call.func)
    if isinstance(stmt, (gast.FunctionDef, gast.Lambda)):
        return  # (a call in a function defined here runs with its own names)
    if isinstance(func, gast.Name) and func.id in set(ctx.params) | set(kinds) | set(kept) or \
            isinstance(func, gast.Name) and func.id in n.names_stored(ctx.func):
        # (a callable object, a bound method, a function given or bound here: ``o(w)``,
        # ``st = opt.step; st(w)``, ``def f(x, fn=_step)``: its ``__call__``)
        receiver, attr = func, '__call__'
    elif isinstance(func, gast.Attribute) and (_plain_chain(func.value) or not any(
            ctx.activity.is_active(_unstarred(arg))
            for arg in list(call.args) + call.keywords)):
        # (``DataFn().step(w)``: the object bound to a name first, made once)
        receiver, attr = func.value, func.attr
    elif isinstance(func, (gast.Subscript, gast.Call)) and not any(
            ctx.activity.is_active(_unstarred(arg))
            for arg in list(call.args) + call.keywords):
        # (``fns[0](w)``, ``TABLE.get('s')(w)``: what the call's function is, read when it
        # runs; given a differentiated value, the passes refuse what they cannot name)
        receiver, attr = func, '__call__'
    else:
        return
    root = _root(receiver)
    if isinstance(receiver, gast.Name) and kinds.get(root.id) == 'library' or \
            isinstance(receiver, gast.Call) and _library_value(receiver.func, ctx) and \
            ctx.resolver.lookup(receiver.func) is not getattr:
        # (``rng = np.random.default_rng(0)``: a library's object, whose methods pass; not
        # ``getattr(opt, name)``, a method of the object)
        return
    if isinstance(root, gast.Name) and attr in KNOWN_METHODS and (
            root.id in lists or root.id in _fresh_in(ctx.func.body) or
            ctx.activity.is_active(root)) or _own_container_item(receiver, attr, ctx):
        return

    def dangerous(value):
        return _dangerous(value, ctx, kept, holds, kinds)
    given, unknown, starred = [], [], False
    for at, arg in enumerate(call.args):
        starred = starred or isinstance(arg, gast.Starred)
        if not dangerous(_unstarred(arg)):
            continue
        if starred:
            unknown.append('*')
        elif _plain_chain(arg):
            given.append((at, arg))
        else:
            unknown.append(at)
    for keyword in call.keywords:
        if dangerous(keyword.value):
            key = keyword.arg if keyword.arg is not None else '*'
            if key != '*' and _plain_chain(keyword.value):
                given.append((key, keyword.value))
            else:
                unknown.append(key)
    held = _kept_it_may_hold(ctx, receiver, attr, bound, lists, kinds, stmt)
    if not given and not unknown and not held:
        return
    lineno = getattr(stmt, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` calls '
               f'`{_text(func)}`, which s2sgrad reads when the derivative runs')
    if not _plain_chain(receiver):  # (``make()(w)``: bound to a name, called once)
        receiver = _passed_once(ctx, stmt, call, receiver, guards)
    _guard(stmt, guards, method_check(receiver, attr, given, list(dict.fromkeys(unknown)),
                                      message, held))


def _called(func):
    """What a call of `func` calls, as the check of an unknown method reads it: ``obj.step``
    for ``obj.step.__call__`` (``fn`` for ``fn.__call__``), ``obj.step`` for
    ``obj.__getattribute__('step')`` called; `func` itself otherwise."""
    if isinstance(func, gast.Attribute) and func.attr == '__call__':
        return _called(func.value)
    if isinstance(func, gast.Call) and isinstance(func.func, gast.Attribute) and \
            func.func.attr == '__getattribute__' and len(func.args) == 1 and \
            not func.keywords and isinstance(func.args[0], gast.Constant) and \
            isinstance(func.args[0].value, str) and func.args[0].value.isidentifier():
        return gast.Attribute(value=func.func.value, attr=func.args[0].value, ctx=gast.Load())
    return func


def _kept_it_may_hold(ctx, receiver, attr, bound, lists, kinds, stmt=None):
    """``[Name]``: the arrays the backward sweep reads that the object `receiver` of the
    method call `attr` (a parameter of the function, or an object it holds; one of a
    module) may hold, which the method may write into through its object (``opt.step()``
    of an optimizer given the weights before, ``hold.keep(w); hold.shrink()``): those of
    `bound` (`_bound_before`: bound when the call runs). The run-time check refuses
    only where the object holds one of them and the method writes into what its object
    holds. A method named like one of a list's, a dict's or an array's that reads
    (``data.mean()``, ``cfg.get('k')``, ``cfg.copy()``) is taken for one; one that
    writes (``opt.update()``, ``buf.fill(0)``) is checked (a list's or a dict's passes)."""
    root = _root(receiver)
    if attr not in INPLACE_METHODS and attr not in _WRITING_NAMES and \
            attr != '__call__' and any(hasattr(kind, attr) for kind in _READING_KINDS):
        return []
    if attr == '__call__' and isinstance(receiver, gast.Call) and (
            ctx.resolver.lookup(receiver.func) is getattr or
            not _library_value(receiver.func, ctx)):
        # (``getattr(opt, name)()``, ``obj.__getattribute__(name)()``, ``pick(opt)()``: what
        # the call gives may be a method of an object, bound once, then checked)
        return [n.name(name) for name in sorted(bound) if kinds.get(name) != 'number']
    if attr == '__call__' and not isinstance(receiver, gast.Name) or \
            not _plain_chain(receiver) or not isinstance(root, gast.Name) \
            or kinds.get(root.id) in ('library', 'number') or root.id in lists or \
            root.id in _fresh_in(ctx.func.body) or ctx.activity.is_active(root) or \
            _own_container_item(receiver, attr, ctx):
        return []
    unsure = sorted(set(getattr(ctx, 'maybe_bound', {}).get(id(stmt), ())) - {root.id})
    if unsure and kinds.get(unsure[0]) != 'number':
        lineno = getattr(stmt, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        raise ctx.unsupported(
            stmt, f'`{text}` after `{unsure[0]}`, bound on some paths only above, was given to '
                  f'something that may keep it: the run-time check that the method does not '
                  f'write into an array the derivative reads needs it bound; bind '
                  f'`{unsure[0]} = None` before, or call the method outside the '
                  f'differentiated function')
    return [n.name(name) for name in sorted(set(bound) - {root.id})
            if kinds.get(name) != 'number']


def _bound_before(body, ctx, kept):
    """For each statement of `body` (by id), the names of its `kept` (`kept`: by id too)
    that an object may hold and that are surely bound when it runs: the function's
    parameters, and the names that the assignments before it in its block, or before the
    block in the blocks around it, bind, where the function gives them to something that may
    keep them (`_escaping`)."""
    escaping, found, maybe = _escaping(body, ctx), {}, {}
    given = _given_to_objects(body, ctx, _bound_only_to(body, ctx.source.namespace))

    def visit(stmts, before, unsure):
        for stmt in stmts:
            names = [name for name in kept.get(id(stmt), ()) if isinstance(name, str)]
            found[id(stmt)] = {name for name in names if name in before}
            maybe[id(stmt)] = {name for name in names if name in unsure - before}
            for _, block in n.blocks(stmt):
                visit(block, before, unsure)  # (a loop's body: what it bound before, in its pass)
            stored = set(n.names_stored(stmt)) & escaping
            if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
                before = before | stored
            elif stored:  # (``if c: w2 = ...``: bound on some paths only, or on all)
                sure = _surely_bound([stmt])
                before = before | (stored if sure is None else stored & sure)
                unsure = unsure | (stored & given) - before
    visit(body, set(ctx.params), set())
    ctx.maybe_bound = maybe
    return found


def _given_to_objects(body, ctx, kinds):
    """The names `body` gives as they are to an object's method (``hold.keep(w2)``; not to a
    library's, ``rng.shuffle(w2)``, nor to a list, dict or set it makes, `kinds`:
    ``out.append(w2)``), to ``setattr``, or stores into an attribute or an item (``d['w'] =
    w2``): arrays an object may keep."""
    def names(value):
        value = value.value if isinstance(value, gast.Starred) else value
        if isinstance(value, (gast.List, gast.Tuple)):
            return [name for item in value.elts for name in names(item)]
        return [value.id] if isinstance(value, gast.Name) else []
    found, into = set(), {}
    for node in n.walk(gast.Module(body=list(body), type_ignores=[])):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                kinds.get(node.func.value.id) == 'container':
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                into.setdefault(node.func.value.id, set()).update(names(arg))
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                not _library_value(node.func.value, ctx) and \
                not _library_callable_value(node.func, ctx):
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                found.update(names(arg))
        elif isinstance(node, gast.Call) and ctx.resolver.lookup(node.func) is setattr and \
                len(node.args) == 3:
            found.update(names(node.args[2]))
        elif isinstance(node, gast.Assign) and any(
                isinstance(target, (gast.Attribute, gast.Subscript)) for target in node.targets):
            found.update(names(node.value))
    while True:  # (``lst.append(w2)``, then ``hold.keep(lst)``: given with the list)
        more = {name for container, held in into.items() if container in found
                for name in held} - found
        if not more:
            return found
        found |= more


def _library_callable_value(func, ctx):
    """Whether `func` names a library's function or a builtin (``np.random.shuffle``)."""
    obj = ctx.resolver.lookup(func)
    return obj is not None and (rules.is_library(obj) or inspect.isbuiltin(obj) or
                                isinstance(obj, np.ufunc))


def _surely_bound(block):
    """The names every path through `block` that goes on after it binds (None: every name, for
    a block that always leaves by ``return``, ``raise``, ``break`` or ``continue``): its
    assignments, both branches' of an ``if``, a ``with``'s; not a loop's."""
    bound = set()
    for stmt in block:
        if isinstance(stmt, (gast.Return, gast.Raise, gast.Break, gast.Continue)):
            return None
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            bound.update(n.names_stored(stmt))
        elif isinstance(stmt, gast.If):
            body, orelse = _surely_bound(stmt.body), _surely_bound(stmt.orelse)
            if body is None and orelse is None:
                return None
            bound |= orelse if body is None else body if orelse is None else body & orelse
        elif isinstance(stmt, (gast.With, gast.AsyncWith)):
            inner = _surely_bound(stmt.body)
            if inner is None:
                return None
            bound |= inner
    return bound


def _escaping(body, ctx):
    """The names `body` gives to a call of something other than a library's function
    (``hold.keep(w2)``, ``helper(w2)``, ``setattr(h, 'w', w2)``; not ``np.sin(w2)``), or
    stores into an item or an attribute (``d['w'] = w2``), and those it binds to what may be
    held elsewhere (``w = model.w``, ``w = model.weights()``)."""
    found = set()
    for node in n.walk(gast.Module(body=list(body), type_ignores=[])):
        if isinstance(node, gast.Call):
            obj = ctx.resolver.lookup(node.func)
            if obj is not None and obj is not setattr and (
                    rules.is_library(obj) or inspect.isbuiltin(obj) or
                    isinstance(obj, np.ufunc)):
                continue
            for arg in list(node.args) + [keyword.value for keyword in node.keywords]:
                found.update(n.names_read(arg))
        elif isinstance(node, gast.Assign) and any(
                isinstance(target, (gast.Attribute, gast.Subscript)) for target in node.targets):
            found.update(n.names_read(node.value))
        elif isinstance(node, gast.Assign) and not _new_memory(node.value):
            # (``w = model.w``, ``w = model.weights()``: what an object may hold already)
            found.update(name for target in node.targets for name in n.names_stored(target))
    return found


_READING_KINDS = (np.ndarray, list, dict, tuple, set, str)
"""Kinds of values whose methods other than `INPLACE_METHODS` and `_WRITING_NAMES` write
into nothing."""
_WRITING_NAMES = frozenset({'clip', 'round', 'add', 'discard', 'remove', 'difference_update',
                            'intersection_update', 'symmetric_difference_update'})
"""Names of such methods (a set's that write, an array's that read) that a method of yours
writing into its object's arrays may have (``critic.clip()``: ``np.clip(self.W, ..., out=
self.W)``)."""


def _dangerous(value, ctx, kept, holds, kinds):
    """Whether `value`, given to a method whose code is known only at run time, may be an
    array the backward sweep reads (`kept`), an argument of the function, a differentiated
    value or a container that may hold one (`holds`); not a number (``self.log.append(
    float(v))``, `kinds`: `_bound_only_to`) nor new memory."""
    if isinstance(value, gast.Name) and kinds.get(value.id) == 'number' or \
            _new_memory(value) and not _holding(value) or \
            _root_attribute(value) in NONARRAY_ATTRIBUTES:  # (``y.shape``, ``y.shape[0]``)
        return False
    return any(name in kept or name in ctx.params or holds(name) or
               ctx.activity.is_active(n.name(name)) for name in _memory_sources(value))


def _unstarred(arg):
    """The value of a call's argument `arg` (``xs`` of ``*xs``; a keyword's value)."""
    return arg.value if isinstance(arg, (gast.Starred, gast.keyword)) else arg


def _root_attribute(value):
    """The attribute `value` reads items of or is (``shape`` of ``y.shape[0]``), or None."""
    while isinstance(value, gast.Subscript):
        value = value.value
    return value.attr if isinstance(value, gast.Attribute) else None


def _holding(value):
    """Whether `value`, new memory, may be a new container of what it reads (``[w]``,
    ``dict(a=w).values()``, ``zip(ws, vs)``), not a new array."""
    return any(isinstance(part, (gast.List, gast.Tuple, gast.Dict, gast.Set)) or
               isinstance(part, gast.Call) and (
                   n.dotted_path(part.func) in CONTAINER_CALLS | _ITEMS_KEPT or
                   isinstance(part.func, gast.Attribute) and
                   part.func.attr in ('values', 'items', 'copy'))
               for part in n.walk(value))


def _check_given_methods(stmt, call, ctx, guards, bound, methods, given, label, dangerous,
                         may_hold):
    """The run-time checks of the methods that a helper (`label`, called by `call`) calls on
    objects the function gives it (`methods`: ``(parameter, method)`` pairs, from
    `parameters_written`; ``train_step(opt, w)`` calling ``opt.step(p)``), where the call
    gives the helper a `dangerous` value too: no method may write into what it is given;
    and where the object may hold arrays the derivative reads (`may_hold(object, method)`:
    ``train(opt)`` calling ``opt.step()``), none may write into what its object holds."""
    for param, attr in sorted(methods):
        if attr == '__call__' and param in given:
            continue  # (a function of yours, followed: `_functions_passed`)
        for key, value in bound:
            if key != param or ctx.activity.is_active(value) or _library_value(value, ctx):
                continue  # (``apply(np.sin, w)``, ``sample(RNG, w)``: a library's)
            others = any(dangerous(other) for other_key, other in bound if other_key != key)
            held = may_hold(value, attr)
            if not others and not held:
                continue
            lineno = getattr(stmt, 'lineno', None)
            text = ctx.source.lines[lineno - 1].strip() if lineno else ''
            shown = f'{param}.{attr}' if attr != '__call__' else param
            message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` calls `{label}`, '
                       f'which calls `{shown}(...)` of its parameter `{param}`, which s2sgrad '
                       f'reads when the derivative runs')
            _guard(stmt, guards, method_check(_passed_once(ctx, stmt, call, value, guards),
                                              attr, [], ['*'] if others else [], message,
                                              held))


def _library_value(value, ctx):
    """Whether `value` names a module, or a function or object of a library, whose methods
    write into none of what they are given (``np.sin``, ``RNG`` of ``np.random.default_rng``):
    not a module's own object (``OPT = SGD()``), whose methods are checked."""
    root = _root(value)
    if not (isinstance(root, gast.Name) and ctx.resolver.is_global(root)):
        return False
    obj = ctx.resolver.lookup(value)
    if obj is None:
        return False
    return inspect.ismodule(obj) or rules.is_library(obj) or \
        not inspect.isfunction(obj) and rules.is_library(type(obj)) or \
        inspect.isbuiltin(obj) or isinstance(obj, np.ufunc)


def _passed_once(ctx, stmt, call, value, guards):
    """`value`, an argument of `call` in `stmt` (or its function, or the object of its
    method), as its check may read it again: itself where it calls nothing; else a new name
    bound to it before `stmt` (``passed = list(d.values())``, which `call` is then given), so
    that it runs once, in its turn (the parts of the call before it that call something are
    bound first, in order); else the variables it reads (the check is then of what they
    hold)."""
    if _plain_chain(value):
        return value
    parts = [call.func.value if isinstance(call.func, gast.Attribute) else call.func] + \
        list(call.args) + [k.value for k in call.keywords]
    at = next((i for i, node in enumerate(parts) if node is value), None)
    if at is not None and isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)) and \
            not any(ctx.activity.is_active(node) for node in parts[:at + 1]):
        # (not what carries a derivative, ``getattr(W * x, name)``: the passes see it where
        # it stands, and differentiate it or say why not)
        for node in parts[:at + 1]:
            if not _plain_chain(node):
                name = ctx.namer.fresh('passed')
                guards.setdefault(('before', id(stmt)), []).append(n.assign(name, node))
                _replace_in_call(call, node, n.name(name))
        return n.name(name)
    local = set(ctx.params) | set(n.names_stored(ctx.source.node))
    return gast.Tuple(elts=[n.name(name) for name in _memory_sources(value) if name in local],
                      ctx=gast.Load())


def _replace_in_call(call, old, new):
    """Put `new` where `call` has `old`: its function, its method's object, an argument or
    a keyword's value."""
    call.args = [new if arg is old else arg for arg in call.args]
    for keyword in call.keywords:
        if keyword.value is old:
            keyword.value = new
    if call.func is old:  # (the function called: ``make()(w)``)
        call.func = new
    elif getattr(call.func, 'value', None) is old:  # (``DataFn().step(w)``)
        call.func.value = new


def _plain_chain(value):
    """Whether `value` is a name, or attributes and items of one, that calls nothing."""
    return not any(isinstance(part, (gast.Call, gast.NamedExpr)) for part in n.walk(value))


def _given_lists(bound, lists):
    """Of the ``(parameter, value)`` pairs `bound`, the parameters given a list: a display, a
    comprehension, or a name of `lists` (bound to lists only)."""
    return {param for param, value in bound
            if isinstance(value, (gast.List, gast.ListComp)) or
            isinstance(value, gast.Name) and value.id in lists}


def _guard(stmt, guards, check):
    """Put the run-time `check` (a call) in `guards` before `stmt` (and, for a `while`, before
    each later run of its test)."""
    places = [('before', id(stmt))]
    if isinstance(stmt, gast.While):  # (its test runs again after each iteration)
        places += [('before', id(stmt.body[0])), ('after', id(stmt))]
    for place in places:
        guards.setdefault(place, []).append(n.expr(n.clone(check)))


def _own_items_check(ctx, stmt, label, param, value, items, keyed, kept=None, unnamed=False):
    """``s2s.check_own_items(value, message)``: the call that `stmt` makes of `label`, which
    writes into the items of its parameter `param` in place (all of them where `param` is in
    `items`, else those at the keys `keyed[param]`, ``config['t'] += 1`` of a counter), passes
    `value` (a name or a display) holding no arrays; with `kept` (names), none of the arrays
    they are or hold (``kept=(w, b)``). `unnamed`: `value` may hold an array the backward
    sweep reads that the check cannot name (the message says so)."""
    keys = (n.const(tuple(sorted(keyed[param], key=repr))),) if param not in items else ()
    why = 'kept' if kept is not None else 'unnamed' if unnamed else 'copy'
    check = n.call('s2s.check_own_items', n.clone(value),
                   n.const(_items_message(ctx, stmt, label, param, why)), *keys)
    if kept is not None:
        check.keywords = [gast.keyword(arg='kept', value=gast.Tuple(
            elts=[n.name(name) for name in kept], ctx=gast.Load()))]
    return check


def _items_message(ctx, stmt, label, param, why='copy'):
    """What `s2s.check_own_items` says where a copy of a list or dict, or a display, holding
    arrays is passed to `label`, which writes into the items of its parameter `param`; `why`:
    ``'copy'``, ``'kept'`` (the arrays are ones the backward sweep reads), ``'unnamed'`` (they
    may be)."""
    lineno = getattr(stmt, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    whose = {'kept': 'the function reads them before the call, and its derivative reads '
                     'them again',
             'unnamed': 'it may hold an array the function reads before the call, which its '
                        'derivative reads again',
             'copy': 'the arrays are yours: a list\'s copy holds them too'}[why]
    return (f'File "{ctx.source.filename}", line {lineno}: `{text}` passes a list or dict '
            f'holding arrays to `{label}`, which writes into the items of its parameter '
            f'`{param}` in place ({whose}); pass copies of the arrays (`[a.copy() for a in '
            f'items]`) or write the items anew in `{label}` (`{param}[i] = {param}[i] + ...`)')


def _bound_only_to(body, namespace, resolver=None):
    """``{name: kind}``: the names that every assignment in `body` binds to a list, dict or
    set (``'container'``: a display, a comprehension, ``list(v)``, ``dict()``), to a number
    (``'number'``: ``float(v)``, ``int(v)``, ``len(v)``, ``bool(v)``), or to what a library's
    function or class makes (``'library'``: ``np.random.default_rng(seed)``), which no loop or
    ``with`` binds."""
    kinds, other = {}, set()
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name, value = stmt.targets[0].id, stmt.value
            kind = 'container' if isinstance(value, (
                gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp)) or \
                _container_copy(value, namespace, empty=True) else \
                'number' if isinstance(value, gast.Call) and \
                isinstance(value.func, gast.Name) and value.func.id in _NUMBER_CALLS and \
                namespace.get(value.func.id, getattr(builtins, value.func.id)) is \
                getattr(builtins, value.func.id) else \
                'library' if isinstance(value, gast.Call) and resolver is not None and \
                rules.is_library(resolver.lookup(value.func)) else None
            if kind is None or kinds.get(name, kind) != kind:
                other.add(name)
            kinds[name] = kind
        elif not isinstance(stmt, gast.AugAssign):
            other.update(n.names_stored(stmt) if not isinstance(stmt, gast.FunctionDef)
                         else [stmt.name])
    return {name: kind for name, kind in kinds.items() if name not in other}


_NUMBER_CALLS = ('float', 'int', 'len', 'bool', 'complex')

_CONTAINER_METHODS = frozenset(name for kind in (list, dict) for name in dir(kind)
                               if not name.startswith('_'))
"""The methods of a list and of a dict: none writes into the values the container holds."""


def _dicts_of_lists(body, ctx):
    """The names `body` binds only to dicts it makes whose values are lists or dicts it makes
    (``history = {'loss': []}``, ``t = {k: [] for k in names}``, ``t = {}`` then ``t[k] =
    []``), read only as ``t[k]`` and given to nothing: ``t[k].append(v)`` is a method of a
    list (or a dict) the function made, which writes into no array (`_own_container_item`).
    (Read as ``t.items()``, ``t.keys()``, ``t.values()`` or ``t.get(k)`` too.)"""
    def made(value, depth=0):
        """Whether `value` makes a dict of lists (`depth` 0) or a list or a dict (1)."""
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
                not value.args and not value.keywords:  # (``dict()``, ``list()``)
            return ctx.resolver.lookup(value.func) in ((list, dict) if depth else (dict,))
        if depth:  # (a list, whatever it holds, or an empty dict)
            return isinstance(value, (gast.List, gast.ListComp)) or \
                isinstance(value, gast.Dict) and not value.keys
        return isinstance(value, (gast.Dict, gast.DictComp)) and \
            all(made(item, 1) for item in _dict_values(value))
    found, values, other, stored, binding = set(), set(), set(ctx.params), [], set()
    not_dicts = set()
    for stmt in n.statements(body):
        if isinstance(stmt, (gast.Global, gast.Nonlocal)):
            other.update(stmt.names)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                len(stmt.targets) == 1:
            binding.add(id(stmt.targets[0]))
            (found if made(stmt.value) else not_dicts).add(stmt.targets[0].id)
            (values if made(stmt.value, 1) else other).add(stmt.targets[0].id)
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Subscript) and \
                isinstance(stmt.targets[0].value, gast.Name):
            stored.append((stmt.targets[0].value.id, stmt.value))
        elif isinstance(stmt, (gast.For, gast.AsyncFor)):
            other.update(n.names_stored(stmt.target))
        elif isinstance(stmt, (gast.With, gast.AsyncWith)):
            other.update(name for item in stmt.items if item.optional_vars is not None
                         for name in n.names_stored(item.optional_vars))
        elif isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            other.add(stmt.name)
        elif not isinstance(stmt, (gast.AugAssign, gast.If, gast.While, gast.Try)):
            other.update(n.names_stored(stmt))
    for name, value in stored:  # (``t[k] = []``, ``items = []; t[k] = items``; not ``= w``)
        if not made(value, 1) and not (isinstance(value, gast.Name) and
                                       value.id in values - other):
            other.add(name)
    module = gast.Module(body=list(body), type_ignores=[])
    called = {id(node.func) for node in n.walk(module) if isinstance(node, gast.Call)}
    subscripted = {id(node.value) for node in n.walk(module)
                   if isinstance(node, gast.Subscript) or isinstance(node, gast.Attribute) and
                   node.attr in _DICT_READS and id(node) in called}
    subscripted |= {id(node.args[0]) for node in n.walk(module)  # (``s2s.keys(t)``: lowered)
                    if isinstance(node, gast.Call) and len(node.args) == 1 and
                    not node.keywords and n.dotted_path(node.func) in _KEY_READS and
                    ctx.source.namespace.get('s2s', runtime) is runtime}
    for node in n.walk(module):
        if isinstance(node, gast.Name) and (isinstance(node.ctx, gast.Load) and id(
                node) not in subscripted or not isinstance(node.ctx, gast.Load) and
                id(node) not in binding):
            # (``helper(t)``, ``u = t``, ``t.update(d)``; ``(t := d)``, ``del t``: anything)
            other.add(node.id)
        elif isinstance(node, (gast.FunctionDef, gast.Lambda)):
            other.update(n.names_read(node))  # (a function of its own may change it)
    return found - other - not_dicts


_DICT_READS = ('items', 'keys', 'values', 'get')
"""Methods of a dict that put nothing into it (``for k, ts in samples.items()``)."""
_KEY_READS = ('s2s.keys', 's2s.positions')
"""What a loop over a dict's keys or items reads of it once lowered."""


def _dict_values(value):
    """The values of a dict display or comprehension."""
    return value.values if isinstance(value, gast.Dict) else [value.value]


def _own_container_item(receiver, attr, ctx):
    """Whether ``receiver.attr(...)`` is a list's or a dict's method of an item ``t[k]`` of
    a dict of `_dicts_of_lists`."""
    return attr in _CONTAINER_METHODS and isinstance(receiver, gast.Subscript) and \
        isinstance(receiver.value, gast.Name) and \
        receiver.value.id in getattr(ctx, 'dicts_of_lists', ())


def _item_message(ctx, stmt, label, param, value):
    """What `s2s.check_own_items` says where `value`, passed to `label` for its parameter
    `param`, which `label` writes into in place, is an array the backward sweep reads (an
    item of a container, a name for one)."""
    lineno = getattr(stmt, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    shown = _text(value)
    return (f'File "{ctx.source.filename}", line {lineno}: `{text}` passes `{shown}` to '
            f'`{label}`, which writes into its parameter `{param}` in place, and `{shown}` may be '
            f'an array the function reads before the call, which its derivative reads again; '
            f'pass a copy (`{shown}.copy()`) and use what `{label}` returns')


def _text(node):
    """The source text of expression `node`."""
    return ast.unparse(gast.gast_to_ast(n.clone(node)))


def _refuse_shared_defaults(stmt, ctx, func, label, written):
    """Raise where `func` writes into a parameter of `written` (not given by the call) whose
    default is an array, list, dict or set: one object every call shares, which keeps the
    changes from call to call (``def h(x, out=np.zeros(3)): out[:] = x; return out``)."""
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return
    shared = sorted(name for name in written if name in parameters and
                    isinstance(parameters[name].default, (np.ndarray, list, dict, set)))
    if shared:
        kind = type(parameters[shared[0]].default).__name__
        raise ctx.unsupported(
            stmt, f'the call of `{label}`, which writes into its default argument '
                  f'`{shared[0]}` (one {kind} that every call shares and changes); pass one of '
                  f'its own (`{shared[0]}=...`), or make the default None and the {kind} in '
                  f'the function')


def _bound_arguments(node, call):
    """``[(parameter, argument), ...]`` of `call` of the FunctionDef `node`: positional and
    keyword arguments (keyword-only ones too); the extra positional arguments with its
    ``*args`` parameter, the extra keywords with its ``**kwargs``."""
    args = node.args
    positional = [a.id for a in args.posonlyargs + args.args]
    given = list(call.args)
    starred = next((i for i, value in enumerate(given) if isinstance(value, gast.Starred)),
                   None)
    if starred is not None:  # (``*values`` packed by `constructs`: the tuple of the rest)
        rest = given[starred].value
        given = given[:starred]
        bound = list(zip(positional, given))
        bound += [(param, rest) for param in positional[starred:]]
        if args.vararg is not None:
            bound.append((args.vararg.id, rest))
    else:
        bound = list(zip(positional, given))
        if args.vararg is not None:
            bound += [(args.vararg.id, value) for value in given[len(positional):]]
    named = set(positional[len(args.posonlyargs):]) | {a.id for a in args.kwonlyargs}
    for keyword in call.keywords:
        if keyword.arg in named:
            bound.append((keyword.arg, keyword.value))
        elif args.kwarg is not None:
            bound.append((args.kwarg.id, keyword.value))
    return bound


def _root(arg):
    """The variable whose memory the argument `arg` may be: ``B`` for ``B[1]``, ``B.T``,
    ``b[1:]`` (views of it), `arg` itself otherwise."""
    while isinstance(arg, (gast.Subscript, gast.Attribute)):
        arg = arg.value
    return arg


_VIEW_FREE = (gast.BinOp, gast.UnaryOp, gast.Compare, gast.BoolOp, gast.Constant)


def _size_of(value, param):
    """Whether the expression `value` reads only the size of `param`: ``len(param)``,
    ``np.shape(param)``, ``param.shape[0]``, ``param.size``, ``param.ndim``."""
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords and \
            n.dotted_path(value.func) in ('len', 'np.shape', 'np.size', 'np.ndim') and \
            isinstance(value.args[0], gast.Name) and value.args[0].id == param:
        return True
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Constant):
        value = value.value
    return isinstance(value, gast.Attribute) and value.attr in ('shape', 'size', 'ndim') and \
        isinstance(value.value, gast.Name) and value.value.id == param


def parameters_written(node, extra=(), namespace=None, _depth=0, _memo=None, bookkeeping=None,
                       numbers=None, items=None, item_keys=None, lists=(), given=None,
                       methods=None, owner=None):
    """The parameters of FunctionDef `node` (and the free variables `extra`) that its body
    may write into: by subscript or attribute assignment, augmented assignment, an in-place
    method or ``out=``, directly or through a local name that may be a view of them, or
    through an item of a list or tuple that holds them (``items[0][1] = v``; changing the list
    itself, ``items.append(v)``, changes no argument). A conservative, syntactic analysis: a
    value not known to be new memory may be a view. With a set `bookkeeping`, an attribute
    set to constants and itself (``self.calls += 1``: see `_bookkeeping`) is not a write: its
    ``(parameter, attribute)`` pairs are added to the set instead (the caller checks that it
    reads no such attribute). With a set `numbers`, a parameter written only by augmented
    assignments to names (``s += v * v``: in place on an array, a new value for a number) is
    added to it instead (the caller checks at run time that its argument is a number). With a
    set `items`, the parameters whose items (a list's or a dict's values: ``ps[0] += v``,
    ``for p in ps: p *= 2``) it may write into are added to it (a copy of a list, or a list
    display, passed to it still holds the caller's arrays); with a dict `item_keys` too, a
    parameter whose items are written in place only at constant keys (``config['t'] += 1``)
    maps to those keys there instead. `lists`: the parameters the caller passes lists to, whose
    ``p = p[:]`` first is a copy (of an array, a view). `given`: the functions of yours
    (`_Found`) the caller gives parameters (``apply(scale_, ps)``: ``{'fn': [...]}``), whose
    calls (``fn(ps[0])``) are followed as those of its defaults are (``fn=scale_``). With a
    set `methods`, ``(parameter, method)`` is added to it for each call given arguments of a
    method of an object a parameter may be (``opt.step(p)``; ``'__call__'`` for ``fn(p)`` of
    a parameter it knows no function for), whose code is known only when the caller runs.
    `owner`: the class `node` is a method of, whose methods its first parameter's calls run
    (``self._apply(p)``)."""
    node = _comprehension_names_apart(node)
    args = node.args
    params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs] + \
        [a.id for a in (args.vararg, args.kwarg) if a is not None] + list(extra)
    _memo = {} if _memo is None else _memo
    holds = {p: {p} for p in params}   # name -> arguments whose memory it may be
    contains = {}                       # name -> arguments it may hold as items
    indexed = {}  # name -> arguments it may be a part of (``p[1:]``: an array's, not a number's)
    sliced = set()  # ids of the ``l = l[:]`` that copy a list argument
    for param in params:  # (``p[]``: what the items of argument `p` are)
        contains[param] = {param + _ITEMS}
    for param in params:
        # ``x = x * 2.0`` before anything else touches `x`: the argument is let go (after
        # names bound to it, ``x_given = x`` of a generated gradient, which keep it)
        aliases, first = [], None
        for stmt in node.body:
            if param not in n.all_names(stmt) or n.is_arguments_check(stmt):
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and \
                    stmt.targets[0].id not in (param, *aliases) and \
                    isinstance(stmt.value, gast.Name) and stmt.value.id == param:
                aliases.append(stmt.targets[0].id)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and \
                    stmt.targets[0].id != param and _size_of(stmt.value, param):
                continue  # (``n = len(d)`` before ``d = d.copy()``: a number, no view)
            first = stmt
            break
        if not (isinstance(first, gast.Assign) and isinstance(first.targets[0], gast.Name) and
                first.targets[0].id == param and
                getattr(first, 'augmented_read', None) is None):  # (not ``x *= 2.0``)
            continue
        if _new_memory(first.value):
            holds[param], contains[param] = set(), set()
        elif _container_copy(first.value, namespace) or \
                param in lists and _list_copy(first.value, param):
            # (``l = list(l)``, ``l = l[:]`` of a list: a new list, whose changes, ``del
            # l[0]``, ``l[0] = v``, the caller's list does not see; its items are still the
            # caller's)
            holds[param] = set()
            sliced.add(id(first))
        else:
            continue
        for alias in aliases:
            holds[alias], contains[alias] = {param}, {param + _ITEMS}
    statements = list(n.every_statement(node.body))
    local = _local_functions(node, extra)
    # (what a function defined here gives may be what it reads of this one's names: ``def
    # gen(): yield C['w']``, ``get = lambda: C['w']``)
    closures = {}
    for name, bound in sorted(local[0].items()):
        for value in bound:
            if isinstance(value, (gast.Lambda, gast.FunctionDef)):
                closures[name] = sorted(set(closures.get(name, ())) |
                                        set(_free_in(value, local[1])))

    def closure_reads(value):
        return [name for call in n.walk(value) if isinstance(call, gast.Call) and
                isinstance(call.func, gast.Name) for name in closures.get(call.func.id, ())]
    getters = _own_getters(node, owner)
    for param, found in _default_functions(node, namespace) + sorted((given or {}).items()) + \
            _own_methods(node, owner) + getters:
        local[0][param] = local[0].get(param, []) + list(found)
    getters = {name for name, _ in getters}
    # (the parameters given lists, bound to nothing else: ``p[1:]`` of one is a new list)
    still_lists = set(lists) - {name for stmt in statements if id(stmt) not in sliced
                                for name in n.names_stored(stmt)}

    def reach(names, *maps):
        out = set()
        for name in names:
            for mapping in maps:
                out |= mapping.get(name, set())
        return out
    # (the variables of comprehensions, ``[q.fill(0.0) for q in ps]``, are bound as a loop's,
    # and ``(p := ps[0])`` as an assignment)
    bindings = statements + [
        gast.For(target=part.target, iter=part.iter, body=[], orelse=[], type_comment=None)
        if isinstance(part, gast.comprehension) else
        gast.Assign(targets=[part.target], value=part.value, type_comment=None)
        for stmt in statements if not _own_scope(stmt)
        for part in n.walk(stmt, skip=_own_scope)
        if isinstance(part, (gast.comprehension, gast.NamedExpr))] + \
        [binding for stmt in statements for binding in _other_bindings(stmt)]
    changed = True
    while changed:
        changed = False
        for stmt in bindings:
            for container, stored in _stores_into(stmt):
                # (``a['t'] = b['m']``, ``a.setdefault('t', m)``: `a`'s items may now be
                # the arguments' memory, which a later ``a['t'] += dw`` writes into)
                if _new_memory(stored):
                    continue
                add = reach(_view_sources(stored), holds, contains)
                for name in {container} | (holds.get(container, set()) & set(params)):
                    if not add <= contains.get(name, set()):
                        contains[name] = contains.get(name, set()) | add
                        changed = True
            if not isinstance(stmt, (gast.Assign, gast.For)):
                continue
            # (``a = b = p``: each target is bound to the value)
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            value = stmt.value if isinstance(stmt, gast.Assign) else stmt.iter
            reads = _view_sources(value)
            unpacked = isinstance(stmt, gast.Assign) and len(targets) == 1 and \
                isinstance(targets[0], (gast.Tuple, gast.List)) and \
                not isinstance(value, (gast.Tuple, gast.List))
            if isinstance(stmt, gast.For) or unpacked:
                # (the loop's variable is an item of what it runs over, which may be a copy
                # of a list or a view of a dict holding the arguments' memory: ``for v in
                # d.values()``, ``for p in list(ps)``, ``for p in [a, b]``; of ``zip``, each
                # variable an item of its own list; so are the names ``W, b = params`` binds)
                for target, over in _loop_pairs(targets[0], value):
                    # (``for v in C + []``, ``np.array(C, dtype=object)``: C's items)
                    joined = _joined_containers(over) or _object_array(over)
                    if not joined and (_new_memory(over) and not _container_view(over) or
                                       _new_from_callee(over, namespace)):
                        continue
                    reads = [name for elt in over.elts if not _new_memory(elt)
                             for name in _view_sources(elt)] \
                        if isinstance(over, (gast.List, gast.Tuple, gast.Set)) else \
                        _view_sources(over) + closure_reads(over)
                    views = reach(reads, contains) if joined else reach(reads, holds, contains)
                    for name in n.names_stored(target):
                        for mapping, add in ((holds, views), (contains, reach(reads, contains)),
                                             (indexed, views)):
                            if not add <= mapping.get(name, set()):
                                mapping[name] = mapping.get(name, set()) | add
                                changed = True
                continue
            if isinstance(value, (gast.List, gast.Tuple, gast.Dict, gast.ListComp,
                                  gast.DictComp, gast.SetComp)) or \
                    _container_copy(value, namespace) or id(stmt) in sliced or \
                    isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice) \
                    and isinstance(value.value, gast.Name) and value.value.id in still_lists:
                # a new list (``list(lst)``, ``{k: v for k, v in d.items()}`` too): its
                # items may be the arguments' memory (not those of ``[q.copy() for q in ps]``)
                views, held, parts = set(), reach(reads, holds, contains), set()
                made = getattr(value, 'elt', getattr(value, 'value', None))
                if isinstance(value, _COMPREHENSIONS) and _new_memory(made):
                    held = set()
            elif _joined_containers(value) or _object_array(value) or \
                    _container_view(value) and isinstance(value.func, gast.Name):
                # (``C2 = C + []``: of lists, a new list holding the same items; of arrays, a
                # new array, whose items are numbers; ``s = sorted(C, key=len)``)
                views, held, parts = set(), reach(reads, contains), set()
            elif _may_copy_a_list(value) and isinstance(value.func, gast.Attribute) and \
                    not value.args:
                # (``ys = xs.copy()``: a new array, or a new list holding the same items)
                views, held, parts = set(), reach(_view_sources(value.func.value), contains), \
                    set()
            elif isinstance(value, gast.Call) and value.args and \
                    n.dotted_path(value.func) == 's2s.add_at':
                # (``bx = s2s.add_at(bx, i, g)``: `bx` itself, `g` added into it; of a list,
                # its item rebound to a new sum)
                reads = _view_sources(value.args[0])
                views, held = reach(reads, holds), reach(reads, contains)
                parts = reach(reads, indexed)
            elif isinstance(value, gast.Call) and value.args and \
                    n.dotted_path(value.func) in ('s2s.unindex', 's2s.unread_at'):
                # (an adjoint made anew: zeros like the second argument, holding the first
                # or with it added in; never a view of the second)
                views, parts = set(), set()
                held = reach(_view_sources(value.args[0]), holds, contains)
            elif _new_memory(value) and not isinstance(value, gast.BoolOp) or \
                    _new_from_callee(value, namespace) or \
                    _copy_module_call(value, namespace, 'deepcopy'):
                continue  # (``ps and ps[0]``, ``d.get('v') or d.get('w')``: an operand)
            elif isinstance(value, gast.Subscript) or isinstance(stmt, gast.For):
                views, held = reach(reads, holds, contains), reach(reads, contains)
                parts = views
            else:
                # (a call of a function not of yours, a method, an attribute, may give an
                # item of what it reads: ``p = ps.pop()``, ``m = d.get('w')``, ``w = o.w``,
                # ``next(iter(d.values()))``, ``max(ps, key=...)``: its memory is theirs)
                called = _callee_view_sources(value, namespace, reads, local[0])
                views = reach(called, holds)
                if called is not reads:  # (``return d['w']``: the function may give an item)
                    views |= reach(called, contains)
                elif not _users_call(value, namespace) and any(
                        isinstance(part, (gast.Call, gast.Attribute, gast.Subscript))
                        for part in n.walk(value)):
                    views |= reach(reads, contains)
                held, parts = reach(called, contains), reach(called, indexed)
                given = closure_reads(value)  # (``w = get()``: what `get` reads of ours)
                views, held = views | reach(given, holds, contains), held | reach(given, contains)
            for name in n.names_stored(gast.Tuple(elts=list(targets), ctx=gast.Store())):
                for mapping, add in ((holds, views), (contains, held), (indexed, parts)):
                    if not add <= mapping.get(name, set()):
                        mapping[name] = mapping.get(name, set()) | add
                        changed = True
    written, augmented, keyed = set(), set(), {}
    unstacked = _unstacked(statements)
    for stmt in statements:
        if bookkeeping is not None and isinstance(stmt, (gast.Assign, gast.AugAssign)) and \
                _bookkeeping(stmt):
            target = stmt.targets[0] if isinstance(stmt, gast.Assign) else stmt.target
            bookkeeping.update((param, target.attr) for param in holds.get(target.value.id, ()))
            continue
        if methods is not None:
            methods.update(_methods_of_parameters(stmt, holds, set(params), local[0]))
        entries = _written_names(stmt, unstacked, closures)
        rebound = _augmented_name(stmt) if numbers is not None else None
        if rebound is not None:  # (its own entry; a call in it may write too)
            entries.remove((rebound, False))
            augmented |= holds.get(rebound, set())
            written |= indexed.get(rebound, set())
        # (into new memory: no argument's, but for what was stored into it since, ``O =
        # np.empty(1, dtype=object); O[0] = p; O[0][0] = 0``)
        entries = [(name, deep) if not _into_new_memory(node.body, stmt, name) else
                   (name, 'items') for name, deep in entries
                   if deep or not _into_new_memory(node.body, stmt, name)]
        # (``self.scale`` of a property of its class: a call of its getter, given `self`)
        read = [gast.Expr(value=gast.Call(func=part, args=[], keywords=[]))
                for part in n.walk(stmt) if isinstance(part, gast.Attribute) and
                isinstance(part.ctx, gast.Load) and n.dotted_path(part) in getters]
        for name, deep in entries + _written_by_calls(stmt, namespace, _depth, _memo, local) + \
                [entry for call in read
                 for entry in _written_by_calls(call, namespace, _depth, _memo, local)]:
            if deep == 'items':  # (a function of yours writing into the items only)
                written |= contains.get(name, set())
                continue
            written |= holds.get(name, set())
            if deep and deep is not True and any(held.endswith(_ITEMS)
                                                 for held in holds.get(name, ())):
                deep = True  # (an item's item: ``sub = config['opt']; sub['t'] += 1``)
            if deep is True:
                written |= contains.get(name, set())
            elif deep:  # (``config['t'] += 1``: one item of the arguments `name` is)
                for held in holds.get(name, set()):
                    keyed.setdefault(held + _ITEMS, set()).add(deep[1])
                written |= contains.get(name, set()) - {p + _ITEMS for p in holds.get(name, ())}
    # (``for v in ps: v += 1.0``: the items, numbers or arrays, are counted as written)
    written |= {name for name in augmented if name.endswith(_ITEMS)}
    if numbers is not None:
        numbers.update(augmented - written)
    if items is not None:
        items.update(name[:-len(_ITEMS)] for name in written if name.endswith(_ITEMS))
        if item_keys is not None:
            item_keys.update((name[:-len(_ITEMS)], frozenset(keys))
                             for name, keys in keyed.items() if name not in written)
    return {name for name in written if not name.endswith(_ITEMS)}


_ITEMS = '[]'


def _array_method(attr):
    """Whether `attr` names a method of an array that writes into none of its arguments
    (``W.dot(v)``, ``p.sum()``; an ``out=`` argument is checked apart): its call in a helper
    on an object the helper is given is taken as an array's (a method of yours of that name
    is not checked there)."""
    return hasattr(np.ndarray, attr) and attr not in INPLACE_METHODS and attr != '__call__'


def _methods_of_parameters(stmt, holds, params, defs):
    """``(parameter, method)`` for each call in `stmt` (given arguments) of a method of what
    a name of `params` may be (`holds`), other than a list's, a dict's or an array's
    (``opt.step(p)``), or of the parameter itself where `defs` knows no function for it
    (``fn(p)``: ``'__call__'``); a method called with nothing (``opt.step()``) too, which
    may write into what its object holds."""
    found = set()
    for call in n.walk(stmt):
        if not isinstance(call, gast.Call):
            continue
        func = call.func
        path = n.dotted_path(func) if isinstance(func, gast.Attribute) else None
        if path in defs or not (call.args or call.keywords) and not path:
            continue  # (``self._apply(p)`` of a method of a known class: read where called)
        if path and func.attr not in KNOWN_METHODS and not _array_method(func.attr):
            # (``opt.step(p)``; ``self.opt.step(p)``: ``'opt.step'`` of `self`)
            root, attr = path.split('.', 1)
            receivers = holds.get(root, set())
        elif isinstance(func, gast.Name) and func.id not in defs:
            receivers, attr = holds.get(func.id, set()), '__call__'
        elif isinstance(func, gast.Subscript) and isinstance(func.value, gast.Name) and \
                func.value.id not in defs:  # (``d['f'](p)``: what a given dict holds)
            receivers, attr = holds.get(func.value.id, set()), '__call__'
        elif isinstance(func, gast.Attribute) and isinstance(func.value, gast.Subscript) and \
                isinstance(func.value.value, gast.Name) and func.attr not in KNOWN_METHODS and \
                not _array_method(func.attr):  # (``d['opt'].step(p)``: of each it holds)
            receivers, attr = holds.get(func.value.value.id, set()), func.attr
        else:
            continue
        found.update((param, attr) for param in receivers if param in params)
    return found


_LIST_METHODS = frozenset({'append', 'pop', 'insert', 'extend', 'remove', 'clear', 'reverse'})


def _unstacked(statements):
    """The names bound only to ``s2s.unstack(g, items)`` (a new list of views of `g`, one
    per item: generated code differentiated again), whose list methods change the list."""
    values = {}
    for stmt in statements:
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                for name in n.names_stored(target):
                    values.setdefault(name, []).append(
                        stmt.value if isinstance(target, gast.Name) else None)
        elif isinstance(stmt, gast.For):
            for name in n.names_stored(stmt.target):
                values.setdefault(name, []).append(None)
    return {name for name, vs in values.items() if all(
        isinstance(v, gast.Call) and n.dotted_path(v.func) == 's2s.unstack' and
        len(v.args) >= 2 for v in vs)}


def _stores_into(stmt):
    """``(container, value)`` for each value `stmt` stores into a named container: by an
    item or attribute assignment (``c[k] = v``, ``c.a = v``) or a method that puts it there
    (``c.append(v)``, ``c.setdefault(k, v)``, ``c.update(d)``, ``c.insert(i, v)``)."""
    found = []
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        found.append((stmt.target.id, stmt.value))  # (``a += [m]``: a list extended)
    if isinstance(stmt, (gast.Assign, gast.AnnAssign)) and stmt.value is not None:
        for target in stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]:
            for part in target.elts if isinstance(target, (gast.Tuple, gast.List)) else \
                    [target]:
                if isinstance(part, (gast.Subscript, gast.Attribute)) and \
                        isinstance(part.value, gast.Name):
                    found.append((part.value.id, stmt.value))
    for node in n.walk(stmt) if isinstance(stmt, (gast.Assign, gast.AnnAssign, gast.Expr)) \
            else ():
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                node.func.attr in ('append', 'extend', 'insert', 'setdefault', 'update'):
            skip = 1 if node.func.attr in ('insert', 'setdefault') else 0
            found += [(node.func.value.id, arg) for arg in node.args[skip:]]
    return found


def _into_new_memory(body, stmt, name):
    """Whether `stmt`, a statement of `body` itself (not in a loop or a branch), writes into
    `name` where the last binding of `name` before it is new memory (``smoke = np.zeros(n)``,
    then ``smoke[:2] = 1.0``, before a loop rebinds `smoke` to what reads an argument)."""
    index = next((i for i, s in enumerate(body) if s is stmt), None)
    if index is None:
        return False
    # (``ys[0] *= 2`` changes the item in place: of ``ys = xs.copy()``, ``copy.copy(xs)``, a
    # list's shallow copy, the caller's array)
    item = isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript)
    for earlier in reversed(body[:index]):
        if name not in n.names_stored(earlier):
            continue
        return isinstance(earlier, gast.Assign) and len(earlier.targets) == 1 and \
            isinstance(earlier.targets[0], gast.Name) and earlier.targets[0].id == name and \
            _new_memory(earlier.value) and not (item and _may_copy_a_list(earlier.value))
    return False


def _may_copy_a_list(value):
    """Whether `value` may be a list's shallow copy (``xs.copy()``, ``copy.copy(xs)``),
    whose items are the copied list's."""
    return isinstance(value, gast.Call) and (
        isinstance(value.func, gast.Attribute) and value.func.attr == 'copy' or
        isinstance(value.func, gast.Name) and value.func.id == 'copy')


def _augmented_name(stmt):
    """The name that `stmt` assigns to augmented (``s += v``, or ``s = s + v`` made of it in a
    nested function), or None."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return stmt.target.id
    read = getattr(stmt, 'augmented_read', None) if isinstance(stmt, gast.Assign) else None
    return read.id if read is not None else None


def _written_by_calls(stmt, namespace, depth, memo, local=None):
    """``(name, deep)`` for each name passed to a function of yours that writes into the
    parameter it is bound to (`deep` ``'items'`` where it writes into the parameter's items
    only: ``for q in ps: q *= 2``), followed to a few levels (deeper calls count as writing;
    a recursive call reads what is known so far of the function it re-enters). `local`: the
    functions the enclosing one defines and the names it binds (`_local_functions`), whose
    calls are followed too, with the enclosing function's variables they change. A function
    given to a call (``list(map(upd, ps))``, ``sorted(ps, key=bump)``) that writes into its
    parameters writes into the items of the call's other arguments; so does one called with
    ``*args``, or through ``functools.partial``, into all it is given."""
    if namespace is None:
        return []
    memo = {} if memo is None else memo
    names = []
    for call in n.walk(stmt):
        if not isinstance(call, gast.Call):
            continue
        given = [_unstarred(arg) for arg in call.args] + \
            [keyword.value for keyword in call.keywords]
        for arg in given:  # (a function given to the call, which it may call on the others)
            for found in _functions_given(arg, namespace, local):
                written, items, free = _callee_writes(found, depth, memo)
                names += _free_written(free, written, items)
                if written or items:  # (the items, or the rows of an array: ``for p in ps``)
                    names += [(name, True) for other in given if other is not arg
                              for name in _view_sources(other)]
        unpacked = any(isinstance(arg, gast.Starred) for arg in call.args) or \
            any(keyword.arg is None for keyword in call.keywords)
        for found in _functions_given(call.func, namespace, local):
            found = _with_given(found, call, lambda arg: _functions_given(arg, namespace, local))
            written, items, free = _callee_writes(found, depth, memo)
            names += _free_written(free, written, items)
            if found.shifted is True or unpacked:
                if written or items:
                    names += [(name, True) for arg in given for name in _view_sources(arg)]
                continue
            for param, arg in _bound_arguments(found.node, _binding_call(found, call)) + \
                    _defaults_left(found, call):
                if param in written:
                    names += _written_through(arg) if not isinstance(arg, gast.Name) else \
                        [(arg.id, False)]
                if param in items:
                    names += [(name, 'items') for name in _view_sources(arg)]
    return names


def _defaults_left(found, call):
    """``[(parameter, default)]`` of the parameters of a function the enclosing one defines
    (`_Found` `found`, a ``def``'s or a lambda's) that `call` leaves to their defaults, which
    it evaluated with its own names (``def g(c=C): c[0][...] = 0``, then ``g()``)."""
    if not found.free or found.shifted:
        return []
    args = found.node.args
    given = {param for param, _ in _bound_arguments(found.node, _binding_call(found, call))}
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults)) + \
        [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults)
         if default is not None]
    return [(arg.id, default) for arg, default in pairs if arg.id not in given]


_Found = collections.namedtuple('_Found', 'node namespace free key shifted given owner',
                                defaults=((), None))
"""A function of yours a call may run (`_functions_given`): its FunctionDef, the namespace
it reads, the names of the enclosing function it reads or changes, a key for the memo,
whether arguments were bound before (``functools.partial``: True; ``'self'`` for a method
called on its object, which the first parameter is), the functions of yours the call gives
its parameters (``(parameter, (_Found, ...))`` pairs: ``apply(scale_, ps)``), and the class
of a method (`parameters_written`'s `owner`)."""


def _own_methods(node, owner):
    """``[(name, [_Found])]``: the methods of class `owner` that FunctionDef `node`, a method
    of it, calls on its first parameter (``'self._apply'``, called as ``self._apply(p)``)."""
    args = node.args.posonlyargs + node.args.args
    if owner is None or not args or rules.is_library(owner) or \
            owner.__module__.split('.')[0] in sys.stdlib_module_names:
        return []  # (a library's class, the standard library's: ``logging.Logger``)
    me = args[0].id
    found = []
    for attr in sorted({part.func.attr for part in n.walk(node) if isinstance(part, gast.Call)
                        and isinstance(part.func, gast.Attribute) and
                        isinstance(part.func.value, gast.Name) and part.func.value.id == me}):
        member = next((klass.__dict__[attr] for klass in owner.__mro__
                       if attr in klass.__dict__), None)
        shifted = 'self' if inspect.isfunction(member) or isinstance(member, classmethod) \
            else False
        function = getattr(member, '__func__', member)
        found.append((f'{me}.{attr}', [item._replace(shifted=shifted, owner=owner)
                                       for item in _function_found(function)]))
    return [(name, items) for name, items in found if items]


def _own_getters(node, owner):
    """``[(name, [_Found])]``: the getters of the properties of class `owner` (a
    ``functools.cached_property``'s function too) that FunctionDef `node`, a method of it,
    reads on its first parameter (``'self.scale'``, read as ``self.scale``)."""
    args = node.args.posonlyargs + node.args.args
    if owner is None or not args or rules.is_library(owner) or \
            owner.__module__.split('.')[0] in sys.stdlib_module_names:
        return []
    me = args[0].id
    called = {id(part.func) for part in n.walk(node) if isinstance(part, gast.Call)}
    found = []
    for attr in sorted({part.attr for part in n.walk(node) if isinstance(part, gast.Attribute)
                        and id(part) not in called and isinstance(part.ctx, gast.Load) and
                        isinstance(part.value, gast.Name) and part.value.id == me}):
        member = next((klass.__dict__[attr] for klass in owner.__mro__
                       if attr in klass.__dict__), None)
        getter = member.fget if isinstance(member, property) else \
            member.func if isinstance(member, functools.cached_property) else None
        if inspect.isfunction(getter):
            found.append((f'{me}.{attr}', [item._replace(
                shifted='self', owner=owner, node=_without_rebinding(item.node),
                key=('getter', item.key)) for item in _function_found(getter)]))
    return [(name, items) for name, items in found if items]


def _without_rebinding(node):
    """A copy of the getter FunctionDef `node` without its plain stores into its object
    (``self._w = np.ones(3)``, ``self._cache['W'] = np.eye(3)`` of a lazy property, which
    store what it made, as a cache does; the value is still computed). Its in-place writes
    (``self.d *= 0.5``, ``self.w.fill(0)``) stay."""
    args = node.args.posonlyargs + node.args.args
    me = args[0].id if args else None

    def plain(stmt):
        if isinstance(stmt, gast.Assign) and stmt.targets and all(
                isinstance(target, (gast.Attribute, gast.Subscript)) and
                _chain_root(target)[0] is not target and
                isinstance(_chain_root(target)[0], gast.Name) and
                _chain_root(target)[0].id == me for target in stmt.targets):
            return gast.Expr(value=stmt.value)
        n.map_blocks(stmt, lambda block: [plain(inner) for inner in block])
        return stmt
    copied = n.clone(node)
    copied.body = [plain(stmt) for stmt in copied.body]
    return copied


def _binding_call(found, call):
    """`call` as `_bound_arguments` binds it to `found`: a method called on its object gets
    the object as its first argument."""
    if found.shifted == 'self' and isinstance(call.func, gast.Attribute):
        return gast.Call(func=call.func, args=[call.func.value] + list(call.args),
                         keywords=call.keywords)
    return call


def _with_given(found, call, resolve):
    """`found` (called by `call`) with the functions of yours `call` gives its parameters:
    `resolve(argument)` gives those an argument names (``apply(scale_, ps)``)."""
    if found.shifted is True:
        return found
    given = {}
    for param, arg in _bound_arguments(found.node, _binding_call(found, call)):
        functions = resolve(arg)
        if functions:
            given[param] = given.get(param, ()) + tuple(functions)
    return found._replace(given=tuple(sorted(given.items()))) if given else found


def _default_functions(node, namespace):
    """``[(parameter, [_Found])]`` for the parameters of FunctionDef `node` whose default
    names a function of yours (``def apply(ps, fn=scale_)``)."""
    if namespace is None:
        return []
    args = node.args
    positional = (args.posonlyargs + args.args)[len(args.posonlyargs + args.args) -
                                                len(args.defaults):]
    pairs = list(zip(positional, args.defaults)) + \
        [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults)
         if default is not None]
    found = [(arg.id, _functions_given(default, namespace, None)) for arg, default in pairs]
    return [(param, functions) for param, functions in found if functions]


def _users_call(value, namespace):
    """Whether `value` calls a Python function of yours by name (what it returns is
    `_callee_view_sources`'s business)."""
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
        namespace is not None and inspect.isfunction(namespace.get(value.func.id)) and \
        not rules.is_library(namespace.get(value.func.id))


def _other_bindings(stmt):
    """Assignments and loops standing for the names `stmt` binds otherwise: ``a, b = p, 1``
    (one assignment each), ``with cm(p) as q`` (`q` as ``cm(p)`` may give it), a ``match``
    capture (an item of the subject, or the subject itself)."""
    found = []
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], (gast.Tuple, gast.List)) and \
            isinstance(stmt.value, (gast.Tuple, gast.List)) and \
            len(stmt.targets[0].elts) == len(stmt.value.elts) and not any(
                isinstance(part, gast.Starred) for part in stmt.targets[0].elts + stmt.value.elts):
        # (``a, b = p, 1``, ``a, b = b, a``: each name as assigned its own value)
        found += [gast.Assign(targets=[target], value=value, type_comment=None)
                  for target, value in zip(stmt.targets[0].elts, stmt.value.elts)]
    if isinstance(stmt, gast.With):
        found += [gast.Assign(targets=[item.optional_vars], value=item.context_expr,
                              type_comment=None)
                  for item in stmt.items if item.optional_vars is not None]
    elif isinstance(stmt, gast.Match):
        for case in stmt.cases:
            for part in n.walk(case.pattern):
                for name in (getattr(part, 'name', None), getattr(part, 'rest', None)):
                    if isinstance(name, str):
                        target = gast.Name(id=name, ctx=gast.Store(), annotation=None,
                                           type_comment=None)
                        found += [gast.Assign(targets=[target], value=stmt.subject,
                                              type_comment=None),
                                  gast.For(target=target, iter=stmt.subject, body=[],
                                           orelse=[], type_comment=None)]
    return found


_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def _comprehension_names_apart(node):
    """FunctionDef `node`, or a copy of it where the variables of each comprehension have
    names of their own (``[p.sum() for p in ps]`` then ``p = bufs.pop()``: two variables, as
    Python has them), for the flow-insensitive analysis of `parameters_written`."""
    if not any(isinstance(part, _COMPREHENSIONS) for part in n.walk(node)):
        return node
    node = n.clone(node)
    count = 0
    for comp in [part for part in n.walk(node) if isinstance(part, _COMPREHENSIONS)]:
        names = {name for gen in comp.generators for name in n.names_stored(gen.target)}
        if not names:
            continue
        count += 1
        outer = {id(part) for part in n.walk(comp.generators[0].iter)}  # (the enclosing
        # scope evaluates the first iterable)
        for part in n.walk(comp):
            if isinstance(part, gast.Name) and part.id in names and id(part) not in outer:
                part.id = f'{part.id}_comprehension_{count}'
    return node


def _own_scope(node):
    """Whether `node` is a function defined inside another (which `n.walk` leaves out)."""
    return isinstance(node, (gast.FunctionDef, gast.Lambda))


def _functions_given(value, namespace, local, depth=0, seen=None):
    """The functions of yours (`_Found`) that `value` names or is, where the analysis can
    tell: a function the enclosing one defines (in each of its definitions, ``def upd(p)``
    in both branches of an ``if``) or binds (``step = _mul``, ``upd = lambda p: ...``), a
    lambda, a Python function of `namespace`, one bound by ``functools.partial``."""
    defs, outer = local or ({}, frozenset())
    seen = set() if seen is None else seen  # (names and factories looked at: each once)
    if depth > 8:
        return []
    if isinstance(value, _Found):  # (given by the caller: `parameters_written`'s `given`)
        return [value]
    if isinstance(value, (gast.Lambda, gast.FunctionDef)):
        # (with the other functions the enclosing one defines that it calls: ``def outer(p):
        # inner(p)``, where `inner` is defined beside it)
        siblings = tuple((name, tuple(defs[name])) for name in sorted(
            {part.id for part in n.walk(value) if isinstance(part, gast.Name)} & set(defs)))
        node = _lambda_def(value) if isinstance(value, gast.Lambda) else value
        return [_Found(node, namespace, _free_in(value, outer), id(value), False, siblings)]
    if isinstance(value, gast.Call) and value.args and \
            namespace.get(n.dotted_path(value.func) or '') is functools.partial or \
            isinstance(value, gast.Call) and value.args and \
            isinstance(value.func, gast.Attribute) and value.func.attr == 'partial' and \
            namespace.get(n.dotted_path(value.func.value) or '') is functools:
        return [found._replace(shifted=True)
                for found in _functions_given(value.args[0], namespace, local, depth + 1, seen)]
    if isinstance(value, (gast.List, gast.Tuple, gast.Set)):  # (``apply_all([f, g], p)``)
        return [found for elt in value.elts
                for found in _functions_given(elt, namespace, local, depth + 1, seen)]
    if isinstance(value, gast.IfExp):  # (``fn = scale_ if c else None``)
        return [found for elt in (value.body, value.orelse)
                for found in _functions_given(elt, namespace, local, depth + 1, seen)]
    if isinstance(value, gast.Dict):
        return [found for elt in value.values
                for found in _functions_given(elt, namespace, local, depth + 1, seen)]
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr in ('values', 'get', 'pop', 'copy'):
        # (``TABLE.values()``, ``TABLE.get('s')``, ``d.get('f')`` of a dict given: its
        # functions)
        return _functions_given(gast.Subscript(value=value.func.value, slice=(
            value.args[0] if value.func.attr != 'values' and value.args else
            gast.Name(id='_', ctx=gast.Load(), annotation=None, type_comment=None)),
            ctx=gast.Load()), namespace, local, depth + 1, seen)
    if isinstance(value, gast.Call):  # (``make()(p)``: what a function of yours returns)
        return [found._replace(free=()) for factory in
                _functions_given(value.func, namespace, local, depth + 1, seen)
                if not factory.shifted and ('factory', factory.key) not in seen and
                not seen.add(('factory', factory.key))
                for stmt in n.every_statement(factory.node.body)
                if isinstance(stmt, gast.Return) and isinstance(stmt.value, _FUNCTION_VALUES)
                for found in _functions_given(stmt.value, factory.namespace,
                                              _local_functions(factory.node), depth + 1, seen)]
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and \
            value.value.id in defs:  # (``d['f'](p)`` of a dict given: any of its functions)
        return _functions_given(value.value, namespace, local, depth + 1, seen)
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        # (``TABLE[k](p)``: any function of the table; ``TABLE['double']``: that one)
        key = value.slice.value if isinstance(value.slice, gast.Constant) else None
        return _table_functions(namespace.get(value.value.id), key, namespace)
    if isinstance(value, gast.Attribute) and n.dotted_path(value) in defs and \
            n.dotted_path(value) not in seen and not seen.add(n.dotted_path(value)):
        # (``self._apply``: a method of the class the enclosing method is of)
        return [found for bound in defs[n.dotted_path(value)]
                for found in _functions_given(bound, namespace, local, depth + 1, seen)]
    if not isinstance(value, gast.Name):
        return []
    if value.id in defs:
        if value.id in seen:
            return []
        seen.add(value.id)
        return [found for bound in defs[value.id]
                for found in _functions_given(bound, namespace, local, depth + 1, seen)]
    obj = namespace.get(value.id)
    return _table_functions(obj, None, namespace) if isinstance(obj, (dict, list, tuple)) \
        else _function_found(obj)


_FUNCTION_VALUES = (gast.Name, gast.Attribute, gast.Subscript, gast.Lambda, gast.IfExp,
                    gast.List, gast.Tuple, gast.Dict)
"""Returned values a factory's result may be a function of (``return upd``), not arrays
computed (``return p * 2``, ``return g(p)``)."""


def _table_functions(table, key, namespace):
    """``[_Found]`` of the functions of yours a dict, list or tuple of the module holds (at
    `key` only, where it has one). The tables of Python's own modules (``copy.deepcopy``
    reads ``_deepcopy_dispatch.get(cls)``) hold Python's functions, not yours: none."""
    if str(namespace.get('__name__')).split('.')[0] in sys.stdlib_module_names:
        return []
    if isinstance(table, (dict, list, tuple)) and key is not None:
        try:
            table = [table[key]]
        except (KeyError, IndexError, TypeError):
            pass
    table = table.values() if isinstance(table, dict) else \
        table if isinstance(table, (list, tuple)) else ()
    return [found for obj in table if inspect.isfunction(obj) for found in _function_found(obj)]


def _function_found(obj):
    """``[_Found]`` of `obj`, a Python function of yours, or ``[]``."""
    if not inspect.isfunction(obj) or rules.is_library(obj) or \
            rules.lookup_adjoint(obj) is not None or rules.is_nondifferentiable(obj):
        return []
    try:
        source = parse_function(obj)
    except S2SError:
        return []
    return [_Found(source.node, source.namespace, (), obj.__code__, False)]


def _callee_writes(found, depth, memo):
    """``(written, items, free)`` of a function of `_functions_given`: the parameters it may
    write into, those whose items it may write into, and the enclosing function's names it
    reads (`free`)."""
    node, namespace, free, key = found.node, found.namespace, found.free, found.key
    if found.given or found.owner is not None:  # (what it writes depends on the functions
        # it is given, and on the methods of its class)
        key = (key, found.owner) + tuple(
            (param, tuple(getattr(f, 'key', id(f)) for f in functions))
            for param, functions in found.given)
    if key in memo:
        return memo[key] + ((),)  # recursion: what is known so far (see parameters_written)
    params = [a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
    memo[_VISITS] = memo.get(_VISITS, 0) + 1
    if depth >= 40 or memo[_VISITS] > _MOST_VISITS:
        # (deep, or mutually recursive local functions read again and again, ``json.dump``'s
        # encoder: taken to write into all it is given)
        return set(params), set(params), tuple(free)
    memo[key] = (set(), set())
    while True:  # a fixed point over recursive calls
        items, keyed = set(), {}  # (items at constant keys, ``ps[0] *= 2``, count as items)
        written = parameters_written(node, extra=free, namespace=namespace, _depth=depth + 1,
                                     _memo=memo, items=items, item_keys=keyed,
                                     given=dict(found.given), owner=found.owner)
        items |= set(keyed)
        known = memo[key]
        if written <= known[0] and items <= known[1]:
            break
        memo[key] = (known[0] | written, known[1] | items)
    written, items = memo[key]
    return written, items, tuple(free)


VIEW_FUNCTIONS = frozenset({
    'ravel', 'reshape', 'transpose', 'squeeze', 'expand_dims', 'atleast_1d', 'atleast_2d',
    'atleast_3d', 'split', 'array_split', 'hsplit', 'vsplit', 'dsplit', 'as_strided',
    'sliding_window_view', 'swapaxes', 'moveaxis', 'rollaxis', 'broadcast_to', 'diagonal',
    'real', 'imag', 'flip', 'fliplr', 'flipud', 'rot90', 'asarray', 'asanyarray',
    'ascontiguousarray', 'matrix_transpose', 'permute_dims', 'unstack'})
"""NumPy functions whose result (or its items) may be a view of their first argument."""
_VISITS = '<functions read>'
_MOST_VISITS = 200
"""How many functions one analysis reads (`_callee_writes`) before it takes the rest to write
into all they are given."""


def _free_written(free, written, items):
    """The `_written_by_calls` entries of the names of the enclosing function (`free`) that a
    function it defines writes into (`written`), or into the items of (`items`)."""
    return [(name, False) for name in free if name in written] + \
        [(name, 'items') for name in free if name in items]


def _lambda_def(lam):
    """A FunctionDef returning what lambda `lam` does (for the analysis only)."""
    return gast.FunctionDef(name='lambda_', args=lam.args, body=[gast.Return(value=lam.body)],
                            decorator_list=[], returns=None, type_comment=None, type_params=[])


def _free_in(node, outer):
    """The names of `outer` (a set) that function `node` reads or stores into (its closure
    over the function that defines it)."""
    args = node.args
    own = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs} | \
        {a.id for a in (args.vararg, args.kwarg) if a is not None}
    return sorted({part.id for part in n.walk(node) if isinstance(part, gast.Name)} &
                  set(outer) - own)


def _local_functions(node, extra=()):
    """``(defs, names)``: the functions FunctionDef `node` defines or binds in its body, by
    name (``def upd(p): ...``, ``upd = lambda p: ...``, ``step = _mul``, ``step =
    partial(_mul, c=2)``: each binding), and the names `node` binds (its parameters and
    `extra`, the names it reads from the function around it, included), which they may read
    or change."""
    args = node.args
    names = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs} | \
        {a.id for a in (args.vararg, args.kwarg) if a is not None} | set(extra)
    defs = {}
    for stmt in n.every_statement(node.body):
        names |= {stmt.name} if isinstance(stmt, gast.FunctionDef) else \
            set(n.names_stored(stmt))
        if isinstance(stmt, gast.FunctionDef):
            defs.setdefault(stmt.name, []).append(stmt)
        elif isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, (gast.Lambda, gast.Name, gast.Call, gast.List,
                                        gast.Tuple, gast.Dict, gast.IfExp)):
            defs.setdefault(stmt.targets[0].id, []).append(stmt.value)
        elif isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name) and \
                isinstance(stmt.iter, (gast.Name, gast.Call, gast.List, gast.Tuple)):
            # (``for fn in fns:``, ``for fn in TABLE.values():``: any function they hold)
            defs.setdefault(stmt.target.id, []).append(stmt.iter)
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Subscript) and \
                isinstance(stmt.targets[0].value, gast.Name):
            # (``fns['f'] = scale_``: what the container holds)
            defs.setdefault(stmt.targets[0].value.id, []).append(stmt.value)
        for call in n.walk(stmt) if isinstance(stmt, (gast.Expr, gast.Assign)) else ():
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                    call.func.attr in ('append', 'insert', 'extend') and call.args and \
                    isinstance(call.func.value, gast.Name):  # (``fns.append(scale_)``)
                defs.setdefault(call.func.value.id, []).append(call.args[-1])
    params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
    for name in names - params - set(extra):  # (a variable of its own: not the module's)
        defs.setdefault(name, [])
    return defs, frozenset(names)


_ITEMS_KEPT = frozenset({'sorted', 'reversed', 'enumerate', 'zip', 'list', 'tuple', 'set',
                         'frozenset', 'filter', 'iter'})
"""Built-ins whose result is new but gives the items of its arguments."""
_HELD_SECOND = frozenset({'s2s.record', 's2s.real_part'})
"""The runtime helpers whose result is or holds their second argument, not their first."""


def _view_sources(value):
    """The names whose memory `value` may be (or hold): s2sgrad's helpers return new memory,
    their first argument or a view of it; a size or a dtype (``x.shape[0]``, ``len(x)``)
    holds none of an array's."""
    if isinstance(value, gast.Call) and (n.dotted_path(value.func) or '').startswith('s2s.'):
        # (``s2s.record(P, (w, b))``, a namedtuple, holds its items; ``s2s.real_part(x, g)``
        # is `g`)
        held = value.args[1:2] if n.dotted_path(value.func) in _HELD_SECOND else value.args[:1]
        if not held or _new_memory(held[0]):
            return []
        if isinstance(held[0], gast.Tuple):  # (``s2s.record(P, (w * 1.0, b))``: new items)
            return list(dict.fromkeys(name for item in held[0].elts if not _new_memory(item)
                                      for name in _view_sources(item)))
        return _view_sources(held[0])
    sizes = {id(part) for node in n.walk(value) if isinstance(node, gast.Attribute) and
             node.attr in NONARRAY_ATTRIBUTES or isinstance(node, gast.Call) and
             isinstance(node.func, gast.Name) and node.func.id in ('len', 'type', 'isinstance')
             for part in n.walk(node)}
    found = {}
    for node in n.walk(value):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                id(node) not in sizes:
            found[node.id] = None
    return list(found)


def _joined_containers(value):
    """Whether `value` may be a new list, tuple or dict holding the items of its operands:
    ``C + []``, ``C * 1``, ``G | {}``; not arithmetic no list can be (``a * 2.0 + b``, ``x /
    n``: `callees.no_sequence`), which is a new array or number."""
    from .callees import no_sequence
    if not isinstance(value, gast.BinOp):
        return False
    if isinstance(value.op, gast.BitOr):
        return not any(isinstance(side, (gast.Constant, gast.Compare, gast.UnaryOp))
                       for side in (value.left, value.right))
    return isinstance(value.op, (gast.Add, gast.Mult)) and \
        not no_sequence(value, FRESH_FUNCTIONS)


def _object_array(value):
    """Whether `value` makes an array of objects (``np.array(ps, dtype=object)``), which holds
    the arrays it is given, not copies."""
    return isinstance(value, gast.Call) and any(
        keyword.arg == 'dtype' and (
            isinstance(keyword.value, gast.Name) and keyword.value.id == 'object' or
            isinstance(keyword.value, gast.Constant) and keyword.value.value in ('O', 'object'))
        for keyword in value.keywords)


def _list_copy(value, name):
    """Whether `value` is ``name[:]`` (``name[::]``, ``name[0:]`` too) or
    ``s2s.copy_lists(name)`` (what a generated derivative copies its arguments with): of a
    list, a new list."""
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.copy_lists' and \
            len(value.args) == 1 and isinstance(value.args[0], gast.Name) and \
            value.args[0].id == name:
        return True
    if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and
            value.value.id == name and isinstance(value.slice, gast.Slice)):
        return False
    lower, upper, step = value.slice.lower, value.slice.upper, value.slice.step
    return (lower is None or isinstance(lower, gast.Constant) and lower.value == 0) and \
        upper is None and (step is None or isinstance(step, gast.Constant) and step.value == 1)


def _container_copy(value, namespace, empty=False):
    """Whether `value` is ``list(v)``, ``tuple(v)`` or ``dict(v)`` (the built-ins, not names
    of `namespace`), or ``s2s.dict_copy(v)`` (what ``dict(v)`` becomes): a new list, tuple
    or dict of `v`'s items (of its rows, for an array: views); with `empty`, ``list()`` and
    ``dict()`` too."""
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.dict_copy' and \
            len(value.args) == 1 and not value.keywords:
        return True
    if _copy_module_call(value, namespace, 'copy') and len(value.args) == 1 and \
            not value.keywords:
        return True  # (``copy.copy(xs)``: a new list holding the same items)
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and
            value.func.id in ('list', 'tuple', 'dict') and
            (len(value.args) == 1 or empty and not value.args) and not value.keywords):
        return False
    builtin = getattr(builtins, value.func.id)
    return namespace is None or namespace.get(value.func.id, builtin) is builtin


def _callee_view_sources(value, namespace, reads, defs=None):
    """Of `reads` (the names `value` reads), those whose memory it may be where `value` calls
    a function of yours: the names in the arguments given for the parameters it may return
    (``fill(buf, params[0])`` returning its `buf`: `buf`, not `params`; a method of the class
    of the method read, ``self._add(s, v)`` of `defs`, too); `reads` otherwise."""
    if not isinstance(value, gast.Call) or namespace is None or \
            any(isinstance(arg, gast.Starred) for arg in value.args) or \
            any(keyword.arg is None for keyword in value.keywords):
        return reads
    method = _own_method(value.func, defs or {})
    if method is not None:  # (``self._add(s, v)``: the object given as the first argument)
        called, value = method, gast.Call(func=value.func, args=[value.func.value] +
                                          list(value.args), keywords=value.keywords)
    elif isinstance(value.func, gast.Name):
        called = namespace.get(value.func.id)
    else:
        return reads
    if not inspect.isfunction(called) or rules.is_library(called):
        return reads
    from .callees import returned_parameters
    returned = returned_parameters(called, FRESH_FUNCTIONS, augmented=True, free=True)
    if returned is None:
        return reads
    returned, free = returned
    try:
        bound = _bound_arguments(parse_function(called).node, value)
    except S2SError:
        return reads
    # (and the function's own name where it may give what it reaches by names it does not
    # bind, ``return G['w']``: read by `free_writes` as what it returns)
    return [name for param, arg in bound if param in returned for name in n.names_read(arg)] \
        + ([value.func.id] if free and isinstance(value.func, gast.Name) else [])


def _own_method(func, defs):
    """The function of the class a method is of that `func` (``self._add``) calls on the
    method's object (`_own_methods`, in `defs`), or None."""
    found = defs.get(n.dotted_path(func) or '') if isinstance(func, gast.Attribute) else None
    if not found or len(found) != 1 or not isinstance(found[0], _Found) or \
            found[0].shifted != 'self' or found[0].owner is None:
        return None
    member = next((klass.__dict__[func.attr] for klass in found[0].owner.__mro__
                   if func.attr in klass.__dict__), None)
    member = getattr(member, '__func__', member)
    return member if inspect.isfunction(member) else None


def _loop_pairs(target, over):
    """``[(target, iterable), ...]``: each part of the target of ``for target in over`` with
    what it is an item of: ``for p, g in zip(ps, gs)`` gives ``(p, ps)`` and ``(g, gs)``;
    ``for i, v in enumerate(vs)`` gives ``(v, vs)``, ``for k, v in d.items()`` ``(v,
    d.values())`` (an index, a key: nothing); else the target with `over`."""
    parts = target.elts if isinstance(target, (gast.Tuple, gast.List)) else None
    call = over if isinstance(over, gast.Call) and not over.keywords and \
        not any(isinstance(arg, gast.Starred) for arg in over.args) else None
    if parts is None or call is None:
        return [(target, over)]
    func = call.func
    if isinstance(func, gast.Name) and func.id == 'zip' and len(call.args) == len(parts):
        return [pair for part, arg in zip(parts, call.args) for pair in _loop_pairs(part, arg)]
    if isinstance(func, gast.Name) and func.id == 'enumerate' and len(call.args) == 1 and \
            len(parts) == 2:
        return _loop_pairs(parts[1], call.args[0])
    if isinstance(func, gast.Attribute) and func.attr == 'items' and not call.args and \
            len(parts) == 2:
        return _loop_pairs(parts[1], gast.Call(func=gast.Attribute(
            value=func.value, attr='values', ctx=gast.Load()), args=[], keywords=[]))
    return [(target, over)]


def _container_view(value):
    """Whether `value` is ``c.values()``, ``c.items()``, ``c.copy()``, ``sorted(c)``,
    ``enumerate(c)``, ``zip(a, b)`` and the like: a new object, but one holding (or giving)
    the items of `c` (a dict's, or a list's)."""
    if not isinstance(value, gast.Call):
        return False
    func = value.func
    if isinstance(func, gast.Attribute):
        return func.attr in ('values', 'items', 'copy')
    return isinstance(func, gast.Name) and func.id in _ITEMS_KEPT


def _new_from_callee(value, namespace):
    """Whether `value` calls a function of yours whose every ``return`` gives new memory
    (``loss = data_loss(X @ W, y)``, then ``loss += ...``: no argument changes)."""
    if not isinstance(value, gast.Call) or not isinstance(value.func, gast.Name) or \
            namespace is None:
        return False
    called = namespace.get(value.func.id)
    if not inspect.isfunction(called) or rules.is_library(called):
        return False
    from .callees import returns_new_memory
    return returns_new_memory(called, FRESH_FUNCTIONS, FRESH_METHODS)


def _new_memory(value):
    if isinstance(value, _VIEW_FREE):
        return True
    if isinstance(value, gast.Call) and not _copies(value):
        return False  # (``p.astype(t, copy=False)``, ``np.array(p, copy=False)``: maybe `p`)
    if isinstance(value, gast.Call):
        func = value.func
        name = func.attr if isinstance(func, gast.Attribute) else getattr(func, 'id', None)
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id in ('np', 'numpy', 'math', 'cupy', 'cp'):
            # (a NumPy ufunc, ``np.maximum(0, x)``, makes a new array but with ``out=`` or
            # its positional outputs)
            ufunc = getattr(np, name, None) if func.value.id in ('np', 'numpy') else None
            return name in FRESH_FUNCTIONS or isinstance(ufunc, np.ufunc) and \
                len(value.args) <= ufunc.nin and all(k.arg != 'out' for k in value.keywords)
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id == 's2s':  # (``s2s.zeros_like(items)``: new arrays, lists)
            from .alias_memory import RUNTIME_FRESH, RUNTIME_FRESH_ARRAYS
            return name in RUNTIME_FRESH or name in RUNTIME_FRESH_ARRAYS or \
                name in FRESH_METHODS  # (``s2s.seed(v)``; ``s2s.copy(items)`` as ``.copy()``)
        if isinstance(func, gast.Attribute):
            return name in FRESH_METHODS
        # the built-in max and min return one of their arguments
        return name in FRESH_FUNCTIONS and name not in CONTAINER_CALLS and \
            name not in ('max', 'min')
    return False


def _copy_module_call(value, namespace, name):
    """Whether `value` calls the function `name` of the module `copy` (``copy.copy``: a new
    list holding the same items; ``copy.deepcopy``: new memory, items and all), as
    `namespace` resolves it."""
    if not isinstance(value, gast.Call) or namespace is None:
        return False
    func = value.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        return func.attr == name and namespace.get(func.value.id) is copy
    return isinstance(func, gast.Name) and namespace.get(func.id) is getattr(copy, name)


def _attributes_loaded(node, namespace, seen=None):
    """The names of the attributes (``x.calls``) that the function `node` reads, and the
    functions of yours it calls read, other than in a statement that only counts
    (`_bookkeeping`); a method it cannot follow, or functions past a depth, count as reading
    every attribute ('*')."""
    seen = set() if seen is None else seen
    args = node.args.posonlyargs + node.args.args
    first = args[0].id if args and seen else None  # (a method's `self`, past the caller)
    counting = {id(part) for stmt in n.walk(node)
                if isinstance(stmt, (gast.Assign, gast.AugAssign)) and _bookkeeping(stmt)
                for part in n.walk(stmt)}
    read = {part.attr for part in n.walk(node) if isinstance(part, gast.Attribute) and
            isinstance(part.ctx, gast.Load) and id(part) not in counting}
    for call in n.walk(node):
        if not isinstance(call, gast.Call):
            continue
        path = n.dotted_path(call.func)
        obj = namespace.get(path.split('.')[0]) if path else None
        for part in (path.split('.')[1:] if path else []):
            obj = getattr(obj, part, None)
        obj = getattr(obj, '__func__', obj)
        if obj is None and isinstance(call.func, gast.Attribute) and \
                (not rules.is_array_name(call.func.attr) or path and first and
                 path.split('.')[0] == first):
            return read | {'*'}  # (``self.count()`` in a function it calls: not followed)
        if not inspect.isfunction(obj) or rules.is_library(obj) or obj.__code__ in seen:
            continue
        seen.add(obj.__code__)
        if len(seen) > 32:
            return read | {'*'}
        try:
            source = parse_function(obj)
        except S2SError:
            return read | {'*'}
        read |= _attributes_loaded(source.node, source.namespace, seen)
    return read


def _bookkeeping(stmt):
    """Whether `stmt` sets an attribute of an object to a number made of constants and that
    attribute alone (``self.calls += 1``, ``self.calls = self.calls + 1``, ``self.ready =
    True``): a count no derivative flows through."""
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    if len(targets) != 1 or not isinstance(targets[0], gast.Attribute) or \
            not isinstance(targets[0].value, gast.Name):
        return False
    path = n.dotted_path(targets[0])
    value = stmt.value
    same = [node for node in n.walk(value)
            if isinstance(node, gast.Attribute) and n.dotted_path(node) == path]
    inside = {id(part) for node in same for part in n.walk(node)}
    return all(isinstance(node, (gast.Constant, gast.BinOp, gast.UnaryOp, gast.operator,
                                 gast.unaryop, gast.Load)) or id(node) in inside
               for node in n.walk(value)) and \
        all(type(c.value) in (int, bool) for c in n.walk(value)
            if isinstance(c, gast.Constant))


def _assigns_into(stmt, name):
    """Whether `stmt` assigns into something `name` holds (``name.buf[0] = v``)."""
    targets = stmt.targets if isinstance(stmt, gast.Assign) else \
        [stmt.target] if isinstance(stmt, gast.AugAssign) else []
    for target in targets:
        base = target
        while isinstance(base, (gast.Subscript, gast.Attribute)):
            base = base.value
        if base is not target and isinstance(base, gast.Name) and base.id == name:
            return True
    return False


def _written_names(stmt, lists=(), closures=None):
    """``(name, deep)`` for each name whose memory `stmt` changes in place; `deep` when the
    change is to an item of it (``name[i][j] = v``), not to the name's own memory. A list
    method of a name of `lists` (known new lists: `_unstacked`) changes only that list.
    `closures`: ``{name: names}`` of the local functions and what of the enclosing function's
    they read, which what they return may be (``get()[0] = 0`` of ``get = lambda: C['w']``)."""
    names = []
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Delete)):
        # (``del name[i]``, ``del name[a:b]``: the list itself changes, as by `pop`)
        targets = [stmt.target] if isinstance(stmt, gast.AugAssign) else stmt.targets
        for target in targets:
            for node in n.walk(target):
                if isinstance(node, (gast.Subscript, gast.Attribute)) and \
                        isinstance(node.ctx, (gast.Store, gast.Del)):
                    base, depth, held = _chain_root(node.value, closures)
                    names += held
                    if isinstance(base, gast.Name):
                        names.append((base.id, depth > 0))
                        if isinstance(stmt, gast.AugAssign) and depth == 0:
                            # (``ps[0] += v``: in place on the item, if an array; at a
                            # constant key, that item only: ``config['t'] += 1``)
                            key = getattr(node, 'slice', None)  # (``o.t += dw``: none)
                            names.append((base.id, ('key', key.value) if isinstance(
                                key, gast.Constant) and isinstance(key.value, (str, int)) and
                                not isinstance(key.value, bool) else True))
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            names.append((stmt.target.id, False))  # in place on arrays
        elif isinstance(stmt, gast.Assign) and getattr(stmt, 'augmented_read', None) is not None:
            # (``v /= s`` made plain, ``v = v / s``, in a nested function: in place too)
            names.append((stmt.augmented_read.id, False))
    called = {id(node.func) for node in n.walk(stmt) if isinstance(node, gast.Call)}
    for node in n.walk(stmt):
        if isinstance(node, gast.Attribute) and id(node) not in called and \
                isinstance(node.ctx, gast.Load) and node.attr in _BOUND_WRITERS:
            # (``m = w.fill``, ``map(w.__setitem__, ...)``: the bound method may be called
            # anywhere later; taken as a write where it is taken)
            names += _written_through(node.value, closures)
        if not isinstance(node, gast.Call):
            continue
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr in _LIST_METHODS and \
                isinstance(func.value, gast.Name) and func.value.id in lists:
            continue  # (``bout.pop()`` of ``bout = s2s.unstack(g, out)``)
        path = n.dotted_path(func) or ''
        given = [_unstarred(arg) for arg in node.args] + [kw.value for kw in node.keywords]
        if any(_library_writer_value(arg) for arg in given):
            # (``map(np.ndarray.fill, ps, [0])``, ``partial(operator.imul, p)``: a function
            # writing into its first argument, given what the call's other arguments hold)
            names += [(name, True) for arg in given if not _library_writer_value(arg)
                      for name in _view_sources(arg)]
        if path.rsplit('.', 1)[0] in ('np.ndarray', 'numpy.ndarray') and \
                path.rsplit('.', 1)[-1] in INPLACE_METHODS and node.args or \
                path in _OPERATOR_INPLACE and node.args:
            # (``np.ndarray.fill(p, 3.0)``, ``operator.imul(p, 2.0)``: into the first)
            names += _written_through(node.args[0], closures)
        elif isinstance(func, gast.Attribute) and changes_receiver(node):
            names += _written_through(func.value, closures)
        elif isinstance(func, gast.Call) and isinstance(func.func, gast.Name) and \
                func.func.id == 'getattr' and len(func.args) >= 2 and \
                not isinstance(func.args[1], gast.Constant):
            # (``getattr(w, name)(0)``: a method found by a computed name, which may write)
            names += _written_through(func.args[0], closures)
        if isinstance(func, gast.Attribute) and func.attr in INPLACE_FUNCTIONS and node.args:
            position = INPLACE_FUNCTIONS[func.attr]
            if len(node.args) > position:
                names += _written_through(node.args[position], closures)
        for kw in node.keywords:
            if kw.arg == 'out':
                names.extend((name, False) for name in n.names_read(kw.value))
                # (``out=(G['w'],)``: each output of the tuple)
                for out in kw.value.elts if isinstance(kw.value, (gast.Tuple, gast.List)) \
                        else [kw.value]:
                    names += _written_through(out, closures)
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id in ('np', 'numpy'):
            for out in _ufunc_outputs(node, getattr(np, func.attr, None)):
                names.extend((name, False) for name in n.names_read(out))
                names += _written_through(out, closures)
    return names


def _chain_root(base, closures=None):
    """``(root, steps, held)`` of the value `base` a store or an in-place change goes into:
    its root past subscripts, attributes and methods giving views (``p.ravel()[0] = 0``,
    ``d.get('w')[0] = 0``), the number of those steps, and ``(name, True)`` entries for the
    names whose memory (or items) a call or a display on the way may give: ``np.ravel(p)``,
    ``np.split(p, 3)[0]``, ``get_w(d)``, ``copy.copy(C)``, ``ChainMap(C)``, ``(C * 1)``,
    ``[*C]``, ``{**C}``, ``[v for v in C]`` (a new container, holding the same items)."""
    steps, held = 0, []
    while True:
        if isinstance(base, (gast.Subscript, gast.Attribute)):
            base = base.value
        elif isinstance(base, gast.Call) and isinstance(base.func, gast.Attribute):
            if base.args and base.func.attr in VIEW_FUNCTIONS:
                held += [(name, True) for name in _view_sources(_unstarred(base.args[0]))]
            elif (n.dotted_path(base.func) or '').startswith('s2s.'):
                held += [(name, True) for name in _view_sources(base)]
            elif not _new_memory(base) or _may_copy_a_list(base) or \
                    _container_view(base) or _object_array(base):
                held += [(name, True) for arg in base.args + [kw.value for kw in base.keywords]
                         for name in _view_sources(_unstarred(arg))]
            base = base.func.value
        elif isinstance(base, gast.Call) and isinstance(base.func, gast.Name) and \
                base.func.id == 'vars' and len(base.args) == 1:
            base = base.args[0]  # (``vars(obj)['w']``: ``obj.w``)
        else:
            break
        steps += 1
    if isinstance(base, gast.Call):  # (``get_w(d)[...] = 3.0``: what it gives)
        held += [(name, True) for arg in base.args + [kw.value for kw in base.keywords]
                 for name in _view_sources(_unstarred(arg))]
        if not isinstance(base.func, gast.Name):  # (``(lambda: C)()``, ``partial(g, C)()``)
            held += [(name, True) for name in _view_sources(base.func)]
    elif not isinstance(base, (gast.Name, gast.Constant, gast.UnaryOp, gast.Compare)):
        held += [(name, True) for name in _view_sources(base)]
    # (what a function defined here gives, called on the way: ``next(gen())`` of ``def
    # gen(): yield C['w']``)
    held += [(name, True) for call in n.walk(base) if isinstance(call, gast.Call) and
             isinstance(call.func, gast.Name) for name in (closures or {}).get(call.func.id, ())]
    return base, steps, held


def _library_writer_value(node):
    """Whether `node` is a library function that writes into its first argument, taken as a
    value (``np.ndarray.fill``, ``operator.imul``)."""
    path = n.dotted_path(node) or ''
    return path.rsplit('.', 1)[0] in ('np.ndarray', 'numpy.ndarray') and \
        path.rsplit('.', 1)[-1] in INPLACE_METHODS or path in _OPERATOR_INPLACE


_BOUND_WRITERS = (INPLACE_METHODS - CONTAINER_METHODS) | {'byteswap'}
"""Methods that write into their receiver, an array's (``fill``, ``__imul__``): taken
without a call (``m = w.fill``), the bound method writes into it where it is called."""

_OPERATOR_INPLACE = frozenset(f'operator.{name}' for name in (
    'iadd', 'isub', 'imul', 'itruediv', 'ifloordiv', 'imod', 'ipow', 'imatmul', 'iand', 'ior',
    'ixor', 'ilshift', 'irshift', 'iconcat', 'setitem', 'delitem'))
"""The functions of `operator` that change their first argument in place (an array)."""


def _written_through(node, closures=None):
    """``(name, deep)`` entries for an in-place call on `node`: ``x`` writes `x`; ``ps[0]``
    (``ps[0].fill(0.0)``) writes `ps`'s memory (a row of an array) or its item's (an array
    in a list); ``w.reshape(1, 3)``, ``copy.copy(C)[0]`` what they may be views of or hold
    (`_chain_root`)."""
    if isinstance(node, gast.Name):
        return [(node.id, False)]
    base, _, held = _chain_root(node, closures)
    if base is node or not isinstance(base, gast.Name):
        return held
    return held + [(base.id, False), (base.id, True)]
