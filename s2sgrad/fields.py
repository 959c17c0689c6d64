"""Fields of namedtuples named like array attributes (``p.T``, ``p.shape``) read as fields."""
import gast
import numpy as np

from . import nodes as n, rules


def is_field_read(node):
    """Whether `node` reads ``p.W``, an attribute of a name that no array has a rule for: the
    field of a namedtuple, which the derivative reads as an item (see `methods.field_index`)."""
    return isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and \
        isinstance(node.ctx, gast.Load) and not rules.is_array_name(node.attr)


_ARRAY_API = {'device', 'mT', 'to_device'}
"""Attributes of arrays of the array API that NumPy 1 arrays lack."""
_TUPLES = {'shape', 'strides'}
"""Array attributes that are tuples: one in arithmetic (``p.shape - 1``, ``-p.shape``) is a
namedtuple's field (a tuple there raises TypeError)."""
_TUPLE_OPERATORS = (gast.Add, gast.Mult)
"""What tuples do: ``x.shape + (1,)``, ``x.shape * 2``."""


def read_fields(func, resolver, receivers=()):
    """Rewrite ``p.shape`` and ``p.T`` in `func` as ``s2s.field(p, 'shape')`` where `p` is
    also read by a field that no array has (``p.scale``), or by one in arithmetic a tuple
    cannot do (``p.shape - 1.0``, ``gammaln(p.shape)``): `p` is then a namedtuple, whose
    field ``shape`` would otherwise be read as the array attribute (a shape, without a
    derivative; ``.T``, a transpose). `p` stands for an item or field path too, its indices
    left out (``layers[i].T`` where ``layers[j].b`` is read). Names of nested functions are
    their own (rewritten when those are differentiated); `receivers` (``self`` of a bound
    method) are objects, whose attributes are constants."""
    nodes = list(_own_nodes(func))
    called = {id(node.func) for node in nodes if isinstance(node, gast.Call)}
    local = (set(n.names_stored(func)) |
             {a.id for a in func.args.args + func.args.kwonlyargs}) - set(receivers)
    reads = [node for node in nodes if isinstance(node, gast.Attribute) and
             isinstance(node.ctx, gast.Load) and id(node) not in called and
             _root(node.value) in local]
    same = _aliases(nodes, local)
    records = {_key(node.value, same) for node in reads if _no_array_attribute(node.attr)}
    records |= {_key(operand.value, same) for operand in _arithmetic_operands(nodes, resolver)
                if any(operand is node for node in reads) and operand.attr in _TUPLES}
    misread = {id(node) for node in reads
               if rules.is_array_name(node.attr) and _key(node.value, same) in records}
    if not misread:
        return
    for parent in nodes:
        for field, value in gast.iter_fields(parent):
            if id(value) in misread:
                setattr(parent, field, _field_call(value))
            elif isinstance(value, list):
                value[:] = [_field_call(v) if id(v) in misread else v for v in value]


def _no_array_attribute(attr):
    """Whether no array has the attribute or method `attr` (``scale``, not ``data``)."""
    return not rules.is_array_name(attr) and not hasattr(np.ndarray, attr) and \
        attr not in _ARRAY_API


def _aliases(nodes, local):
    """Name -> the name it was made another name for (``q = p``, `q` bound once)."""
    bound = {}
    for node in nodes:
        if isinstance(node, gast.Assign):
            for name in n.names_stored(node.targets[0]):
                bound[name] = bound.get(name, 0) + 1
    same = {}
    for node in nodes:
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Name) and node.value.id in local and \
                bound.get(node.targets[0].id) == 1:
            same[node.targets[0].id] = node.value.id
    return same


def _key(node, same):
    """``p``, ``layers[]``, ``o.inner``: the path of a value, its indices left out, from
    the name its root is another name for (`same`); None for another expression."""
    if isinstance(node, gast.Name):
        name, seen = node.id, set()
        while name in same and name not in seen:
            seen.add(name)
            name = same[name]
        return name
    if isinstance(node, (gast.Attribute, gast.Subscript)):
        inner = _key(node.value, same)
        part = f'.{node.attr}' if isinstance(node, gast.Attribute) else '[]'
        return None if inner is None else inner + part
    return None


def _root(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _arithmetic_operands(nodes, resolver):
    """The operands of arithmetic that tuples cannot take: any operator but ``+`` and
    ``*`` (``p.shape - 1``, ``p.shape / 2``, ``-p.shape``), or ``+``/``*`` with a float
    constant (``p.shape * 2.0``); and the arguments of elementwise functions that compute
    in floats only (``gammaln(p.shape)``, ``np.exp``: of an array's shape, a tuple of
    sizes, no program asks; ``np.maximum(a.shape, b.shape)`` is shape arithmetic)."""
    for node in nodes:
        if isinstance(node, gast.Call):
            func = resolver.lookup(node.func)
            if isinstance(func, np.ufunc) and all(
                    kind.split('->')[-1][:1] in 'efdgFDGO' for kind in func.types):
                yield from node.args
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            yield node.operand
        elif isinstance(node, gast.BinOp):
            pair = (node.left, node.right)
            if not isinstance(node.op, _TUPLE_OPERATORS) or any(
                    isinstance(side, gast.Constant) and isinstance(side.value, float)
                    for side in pair):
                yield from pair


def _field_call(node):
    call = n.call('s2s.field', node.value, n.const(node.attr))
    return gast.copy_location(call, node)


def _own_nodes(func):
    """The nodes of `func`'s body, not those inside nested function definitions."""
    todo = list(func.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
            todo.extend(gast.iter_child_nodes(node))
