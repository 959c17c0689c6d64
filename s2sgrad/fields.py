"""Fields of namedtuples named like array attributes (``p.T``, ``p.shape``) read as fields."""
import gast

from . import nodes as n, rules


def is_field_read(node):
    """Whether `node` reads ``p.W``, an attribute of a name that no array has a rule for: the
    field of a namedtuple, which the derivative reads as an item (see `methods.field_index`)."""
    return isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and \
        isinstance(node.ctx, gast.Load) and not rules.is_array_name(node.attr)


def read_fields(func, receivers=()):
    """Rewrite ``p.shape`` and ``p.T`` in `func` as ``s2s.field(p, 'shape')`` where `p` is
    also read by a field no array has (``p.scale``): `p` is then a namedtuple (an array would
    raise there), whose field ``shape`` would otherwise be read as the array attribute (a
    shape, without a derivative; ``.T``, a transpose). Names of nested functions are their
    own (rewritten when those are differentiated); `receivers` (``self`` of a bound method)
    are objects, whose attributes are constants."""
    nodes = list(_own_nodes(func))
    called = {id(node.func) for node in nodes if isinstance(node, gast.Call)}
    local = set(n.names_stored(func)) | {a.id for a in func.args.args + func.args.kwonlyargs}
    records = {node.value.id for node in nodes if is_field_read(node) and
               id(node) not in called and node.value.id in local}
    records |= {operand.value.id for operand in _arithmetic_operands(nodes)
                if isinstance(operand, gast.Attribute) and operand.attr in _TUPLES and
                isinstance(operand.value, gast.Name) and operand.value.id in local}
    records -= set(receivers)
    if not records:
        return
    for parent in nodes:
        for field, value in gast.iter_fields(parent):
            if _misread(value, records, called):
                setattr(parent, field, _field_call(value))
            elif isinstance(value, list):
                value[:] = [_field_call(v) if _misread(v, records, called) else v
                            for v in value]


_TUPLES = {'shape', 'strides'}
"""Array attributes that are tuples: one in arithmetic (``p.shape - 1``, ``-p.shape``) is a
namedtuple's field (a tuple there raises TypeError)."""
_TUPLE_OPERATORS = (gast.Add, gast.Mult)
"""What tuples do: ``x.shape + (1,)``, ``x.shape * 2``."""


def _arithmetic_operands(nodes):
    """The operands of arithmetic that tuples cannot take: any operator but ``+`` and
    ``*`` (``p.shape - 1``, ``p.shape / 2``, ``-p.shape``), or ``+``/``*`` with a float
    constant (``p.shape * 2.0``)."""
    for node in nodes:
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            yield node.operand
        elif isinstance(node, gast.BinOp):
            pair = (node.left, node.right)
            if not isinstance(node.op, _TUPLE_OPERATORS) or any(
                    isinstance(side, gast.Constant) and isinstance(side.value, float)
                    for side in pair):
                yield from pair


def _misread(node, records, called):
    return isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and \
        isinstance(node.ctx, gast.Load) and node.value.id in records and \
        rules.is_array_name(node.attr) and id(node) not in called


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
