"""Arguments a function of yours changes in place where the call rebinds them, passed as copies.

CS231n's update rules keep their state in the config dict they are given and return it::

    w, config = sgd_momentum(w, dw, config)      ->  w, config = sgd_momentum(w, dw,
                                                                          s2s.copy(config))

Where `config` is a dict or list the function makes, that the call's own assignment
rebinds, and that the function reads otherwise only by key (``config['lr']``, ``.get``,
``len``, ``in``), no one can see the old object after the call: the copy computes the same,
and the passes then follow what the helper does to its own copy (`effects`).
"""
import builtins
import inspect

import gast

from . import nodes as n
from . import rules, runtime
from .errors import S2SError

_MADE_BY = ('dict', 'list')
_READ_METHODS = {'get', 'keys', 'values', 'items', 'copy', 'setdefault'}


def copy_rebound_arguments(func, resolver, namespace):
    """Rewrite, in place, the calls in the body of the FunctionDef `func` (not of the
    functions it defines) that pass a name to a function of yours that writes into that
    parameter, where the statement rebinds the name (see the module docstring)."""
    from .effects import _bound_arguments, parameters_written
    from .source import parse_function
    statements = [s for s in n.statements(func.body) if isinstance(s, gast.Assign)]
    for stmt in statements:
        call = stmt.value
        if not isinstance(call, gast.Call) or len(stmt.targets) != 1:
            continue
        rebound = set(n.names_stored(stmt.targets[0]))
        obj = resolver.lookup(call.func)
        if not rebound or not inspect.isfunction(obj) or rules.is_library(obj) or \
                rules.lookup_adjoint(obj) is not None:
            continue
        try:
            source = parse_function(obj)
        except S2SError:
            continue
        items = set()
        written = parameters_written(source.node, namespace=source.namespace, items=items)
        written -= _resized(source.node)  # (``config.pop('m')``: its pop is not followed so)
        for param, value in _bound_arguments(source.node, call):
            if param in written | items and isinstance(value, gast.Name) and \
                    value.id in rebound and _read_once(call, value.id) and \
                    _private(func, value.id, resolver):
                copied = n.call('s2s.copy', n.name(value.id))
                _replace(call, value, gast.copy_location(copied, value))
                namespace.setdefault('s2s', runtime)


def _resized(node):
    """The names whose dict or list the function `node` makes shorter (``pop``, ``popitem``,
    ``clear``, ``remove``): left to the refusal."""
    return {call.func.value.id for call in n.walk(node)
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and
            isinstance(call.func.value, gast.Name) and
            call.func.attr in ('pop', 'popitem', 'clear', 'remove')}


def _read_once(call, name):
    """Whether `call` reads `name` once (``rule(w, dw, config, config)`` gives the helper
    one object under two parameters, which a copy of one would part)."""
    return sum(1 for node in n.walk(call)
               if isinstance(node, gast.Name) and node.id == name) == 1


def _replace(call, old, new):
    """Put `new` in place of the argument node `old` of `call`."""
    call.args = [new if arg is old else arg for arg in call.args]
    for keyword in call.keywords:
        if keyword.value is old:
            keyword.value = new


def _private(func, name, resolver):
    """Whether `name` holds only dicts or lists `func` makes (displays, ``dict()``, ``list()``,
    or what a call rebinding it returns: ``w, config = rule(w, dw, config)``, ``st =
    step(st, z)``) and is read only by key or passed to calls that rebind it: no other name
    or container may see its object."""
    if name in n.names_stored(func.args):
        return False
    for stmt in n.statements(func.body):
        if isinstance(stmt, (gast.If, gast.While, gast.FunctionDef)):
            continue  # (their statements come in turn; a nested function's are its own)
        stored = n.names_stored(stmt.target) if isinstance(stmt, gast.For) else \
            n.names_stored(stmt)
        if name not in stored:
            continue
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            return False  # (a loop variable, ``config += ...``)
        target, value = stmt.targets[0], stmt.value
        passed = isinstance(value, gast.Call) and any(
            isinstance(a, gast.Name) and a.id == name
            for a in list(value.args) + [k.value for k in value.keywords])
        if isinstance(target, gast.Name):
            if not (_made(value, resolver) or passed):  # (``st = step(st, z)``)
                return False
        elif not (isinstance(target, (gast.Tuple, gast.List)) and passed):
            return False
    return _read_by_key_only(func, name)


def _made(value, resolver):
    """Whether `value` makes a new dict or list (not an array: a read of one by subscript
    may be a view, which a copy would part from it)."""
    if isinstance(value, (gast.Dict, gast.List, gast.DictComp, gast.ListComp)):
        return True
    if not isinstance(value, gast.Call):
        return False
    if isinstance(value.func, gast.Name) and value.func.id in _MADE_BY:
        return resolver.lookup(value.func) is getattr(builtins, value.func.id)
    return n.dotted_path(value.func) == 's2s.dict_copy'  # (``dict(s)``)


def _read_by_key_only(func, name):
    """Whether every read of `name` in `func` is by key (``d[k]``, ``d.get(k)``, ``len(d)``,
    ``k in d``) or an argument of a call whose statement rebinds `name`."""
    parents = {}
    for node in n.walk(func):
        for child in gast.iter_child_nodes(node):
            parents[id(child)] = node
    statements = {id(inner): stmt for stmt in n.statements(func.body)
                  for inner in n.walk(stmt)}
    for node in n.walk(func):
        if not (isinstance(node, gast.Name) and node.id == name and
                isinstance(node.ctx, gast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, gast.Subscript) and parent.value is node:
            continue
        if isinstance(parent, gast.Attribute) and parent.attr in _READ_METHODS:
            continue
        if isinstance(parent, gast.Compare) and node in parent.comparators:
            continue
        if isinstance(parent, gast.Call) and isinstance(parent.func, gast.Name) and \
                parent.func.id == 'len':
            continue
        stmt = statements.get(id(node))
        if isinstance(parent, (gast.Call, gast.keyword)) and isinstance(stmt, gast.Assign) \
                and name in n.names_stored(stmt.targets[0]) and \
                isinstance(stmt.targets[0], (gast.Tuple, gast.List, gast.Name)):
            continue
        return False
    return True
