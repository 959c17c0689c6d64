"""Kept items: what the run-time check of a helper's writes into the items of a container
compares them with, and the calls the checks look into.

A helper writing in place into the items of a list, dict or object it is given changes an
array the backward sweep reads where one of those items is that array. The static "may hold"
relation (`item_holders`) cannot see every way an array gets in (a helper's or a closure's
append); the run-time check ``s2s.check_own_items(hs, ..., kept=(w, x))`` compares the
items with the arrays the backward sweep reads, by memory, where each holds one value all
through the function (`safely_kept`). The calls that may put their arguments into one
another (`may_fill`) widen the relation, and a method of an object the function made (``opt
= SGD(); opt.step(ps)``) is looked into as its class's function (`constructed_method`).
"""
import heapq
import inspect
import operator
import sys

import gast
import numpy as np

from . import nodes as n
from . import rules
from .alias_memory import ARRAY_VIEWS, FRESH_METHODS
from .callables import LIBRARIES
from .errors import S2SError
from .item_holders import FILLING_METHODS, own_calls
from .resolve import Resolver
from .source import parse_function
from .unbound_reads import assigned_before


def may_fill(call, ctx, fresh, objects=None):
    """None where `call` cannot put one of its arguments into another (a library function, a
    rule's, a function of yours that stores nothing into its arguments: `_puts_in`); else
    the variables it may put them into besides (a nested function's closure): a function of
    yours that does (``add_to(hs, w)``), a class of yours, a method of a local value.
    `fresh(value)`: whether `value` is new memory; `objects`: `constructed_objects`."""
    func = call.func
    if isinstance(func, gast.Name) and func.id in ctx.nested:
        node, free = ctx.nested[func.id]
        return list(free) if _puts_in(node, ctx.source.namespace, fresh) else None
    if (n.dotted_path(func) or '').startswith('s2s.'):  # (s2sgrad's: `_view_sources`)
        return None
    obj = ctx.resolver.lookup(func)
    if any(obj is stores for stores in STORING_FUNCTIONS):
        return []
    if obj is None:
        method = constructed_method(func, ctx, objects or {})
        if method is None:
            return [] if isinstance(func, gast.Attribute) and func.attr not in \
                NONFILLING_METHODS else None
        obj = method[0]
    if isinstance(obj, type):
        return [] if users_class(obj) else None
    if not inspect.isfunction(obj) or rules.is_library(obj) or \
            rules.lookup_adjoint(obj) is not None or rules.is_nondifferentiable(obj) or \
            rules.lookup_definition(obj) is not None:
        return None
    try:
        source = parse_function(obj)
    except S2SError:
        return []
    return [] if _puts_in(source.node, source.namespace, fresh) else None


def _puts_in(node, namespace, fresh):
    """Whether the function `node` may put a value it is given into an argument (or into
    what one holds): a store into an item or attribute of what is not new memory (``d[k] =
    v``, ``self.items = v``; not ``d[k] += g``, which adds), ``a += [v]`` or ``a |= e``, a
    method that fills a list, dict or set (``lst.append(v)``), a function that does
    (`STORING_FUNCTIONS`), or a call that may (of a function of yours, or of an unknown
    method)."""
    resolver = Resolver(namespace or {}, n.names_stored(node))
    for stmt in n.every_statement(node.body):
        targets = stmt.targets if isinstance(stmt, gast.Assign) else \
            [stmt.target] if isinstance(stmt, gast.AugAssign) else []
        for target in targets:
            into = any(isinstance(part, (gast.Subscript, gast.Attribute))
                       for part in n.walk(target))
            if isinstance(stmt, gast.AugAssign):
                # (``a += [v]``, ``a += vs``, ``d |= e``; not ``d['m'] += g``, which adds)
                if isinstance(target, gast.Name) and (not fresh(stmt.value) or
                                                      _repeated_display(stmt.value)):
                    return True  # (``a += [v] * 2`` too: a new list of `v`)
            elif into and not fresh(stmt.value):
                return True
        for inner in own_calls(stmt):
            func = inner.func
            if any(isinstance(given, gast.Attribute) and given.attr in FILLING_METHODS or
                   any(resolver.lookup(given) is stores for stores in STORING_FUNCTIONS)
                   for given in inner.args):
                return True  # (``list(map(lst.append, vs))``: a filling method given)
            if isinstance(func, gast.Attribute) and func.attr in FILLING_METHODS:
                if any(not fresh(value) for value in
                       list(inner.args) + [k.value for k in inner.keywords]):
                    return True
                continue
            obj = resolver.lookup(func)
            if obj is None and (not isinstance(func, gast.Attribute) or
                                func.attr not in NONFILLING_METHODS) or \
                    inspect.isfunction(obj) and not rules.is_library(obj) or \
                    any(obj is stores for stores in STORING_FUNCTIONS):
                return True
    return False


def _repeated_display(value):
    """Whether `value` is ``+`` or ``*`` of a display (``[v] * 2``, ``[v] + [u]``): a new
    list holding what the display holds."""
    return isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Mult)) and \
        any(isinstance(side, (gast.List, gast.Tuple)) or _repeated_display(side)
            for side in (value.left, value.right))


STORING_FUNCTIONS = (setattr, operator.setitem, operator.iadd, operator.ior,
                     heapq.heappush, heapq.heappushpop, heapq.heapreplace)
"""Functions that put one of their arguments into another (``heapq.heappush(h, w)``)."""


NONFILLING_METHODS = frozenset(FRESH_METHODS | ARRAY_VIEWS | {
    'get', 'pop', 'popleft', 'reshape', 'conj', 'conjugate', 'squeeze', 'split', 'join',
    'format', 'startswith', 'endswith', 'strip', 'lower', 'upper', 'replace', 'remove',
    'clear', 'reverse', 'sort', 'fill'})
"""Methods of local values that put none of their arguments into another (an array's, a
dict's lookups, a string's): the others may (``opt.track(hs, w)``)."""


def safely_kept(body, params, kept, namespace=None):
    """``safe(stmt)``: the names of ``kept[id(stmt)]`` (sorted) that are assigned on every
    path to the statement `stmt` of `body`, and bound only outside loops (not in a loop, a
    comprehension or a nested function) and before any read of them (``w = ...`` once, or in
    each branch of an ``if``), or parameters never rebound, or variables of `namespace` (a
    module's, an enclosing function's) the function never binds that hold an array, a list,
    a tuple or a dict: what they hold at `stmt` is what the backward sweep reads."""
    before = assigned_before(body, params)
    loops, position = innermost_loops(body), {}
    for index, stmt in enumerate(n.statements(body)):  # (the innermost statement's index)
        for node in n.walk(stmt):
            position[id(node)] = index
    stores, first_read = {}, {}
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            stores.setdefault(node.id, []).append(
                None if loops.get(id(node)) is not None else position.get(id(node)))
        elif isinstance(node, gast.Name):
            first_read[node.id] = min(first_read.get(node.id, len(position)),
                                      position.get(id(node), 0))
    once = {name for name, places in stores.items() if None not in places and
            max(places) < first_read.get(name, len(position) + 1)} | \
        {name for name in params if name not in stores}
    held = (np.ndarray, list, tuple, dict)
    outer = {name for names in kept.values() for name in names
             if name not in stores and name not in params and namespace is not None and
             isinstance(namespace.get(name), held)}

    def safe(stmt):
        assigned = before.get(id(stmt), frozenset())
        return sorted(name for name in kept.get(id(stmt), ()) if name in once and
                      name in assigned or name in outer)
    return safe


def unwrapped(func):
    """`func`, or the function it wraps (``functools.wraps``: `__wrapped__`) where it only
    passes on what it is given (``def inner(*args, **kwargs)``): the code that runs on the
    arguments."""
    code = getattr(func, '__code__', None)
    inner = inspect.unwrap(func) if inspect.isfunction(func) else func
    if inner is func or code is None or code.co_argcount or code.co_kwonlyargcount or \
            not code.co_flags & inspect.CO_VARARGS or not inspect.isfunction(inner):
        return func
    return inner


def constructed_objects(body, resolver):
    """``{name: class}``: the variables of `body` bound once, to a new object of a class of
    the user's (``opt = SGD(0.1)``)."""
    stores, found = {}, {}
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name):
            cls = _users_class_called(stmt.value, resolver)
            if cls is not None:
                found[stmt.targets[0].id] = cls
    return {name: cls for name, cls in found.items() if stores.get(name) == 1}


def _users_class_called(value, resolver):
    """The class of the user's that the call `value` makes a new object of, or None."""
    if not isinstance(value, gast.Call):
        return None
    cls = resolver.lookup(value.func)
    return cls if users_class(cls) else None


def users_class(cls):
    """Whether `cls` is a class of the user's: not of a library, nor of Python's own
    (``random.Random``, ``collections.deque``)."""
    return isinstance(cls, type) and users_module(getattr(cls, '__module__', '') or '')


def users_module(name):
    """Whether the module named `name` is the user's: not a library's, nor Python's own."""
    module = name.split('.')[0]
    return module not in LIBRARIES and \
        module not in getattr(sys, 'stdlib_module_names', ()) and module not in (
            '_random', 'random', 'collections', 'itertools', 'functools', 'queue', 'heapq')


def constructed_method(func, ctx, objects):
    """``(function, receiver)`` for a call of a method `func` of a new object of a class of
    the user's (``SGD(0.1).step``, ``opt.step`` of ``opt = SGD(0.1)``: `objects`); receiver
    None for a static method; None where the method is no function of the class (a plain
    one, a class method or a static method)."""
    cls = constructed_class(func, ctx, objects)
    if cls is None:
        return None
    receiver = func.value
    attr = inspect.getattr_static(cls, func.attr, None)
    if inspect.isfunction(attr):
        return unwrapped(attr), receiver
    if isinstance(attr, classmethod) and inspect.isfunction(attr.__func__):
        return attr.__func__, receiver  # (its `cls`: the object stands for its class)
    if isinstance(attr, staticmethod) and inspect.isfunction(attr.__func__):
        return attr.__func__, None
    return None


def constructed_class(func, ctx, objects):
    """The class of yours of the new object whose method `func` is (`constructed_method`),
    or None."""
    if not isinstance(func, gast.Attribute):
        return None
    receiver = func.value
    return objects.get(receiver.id) if isinstance(receiver, gast.Name) else \
        _users_class_called(receiver, ctx.resolver)


def innermost_loops(body):
    """``{id(node): id(loop)}``: the innermost loop (a `for` or `while`, a comprehension, a
    lambda or a nested function: what may run several times) around each node of `body`."""
    found = {}
    repeating = (gast.For, gast.While, gast.ListComp, gast.SetComp, gast.DictComp,
                 gast.GeneratorExp, gast.Lambda, gast.FunctionDef)

    def visit(node, loop):
        found[id(node)] = loop
        inner = id(node) if isinstance(node, repeating) else loop
        for child in gast.iter_child_nodes(node):
            visit(child, inner)
    for stmt in body:
        visit(stmt, None)
    return found
