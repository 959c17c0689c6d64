"""Expressions as the simplifier compares them: structural keys and equality, number constants."""
import gast

from . import nodes as n

_KEY_FIELDS = {}  # AST class -> the fields its key reads


def _key_fields(cls):
    """The fields of AST class `cls` that `expr_key` reads."""
    fields = _KEY_FIELDS.get(cls)
    if fields is None:
        fields = _KEY_FIELDS[cls] = tuple(
            f for f in cls._fields if f not in ('ctx', 'type_comment', 'kind', 'type_params'))
    return fields


def expr_key(node):
    """A hashable key of `node`'s structure (1, 1.0 and True differ; contexts do not count)."""
    if isinstance(node, gast.AST):
        cls = node.__class__
        fields = _KEY_FIELDS.get(cls) or _key_fields(cls)
        return (cls.__name__,) + tuple([expr_key(getattr(node, f, None)) for f in fields])
    if isinstance(node, list):
        return tuple([expr_key(item) for item in node])
    if isinstance(node, (int, float)):
        return (type(node).__name__, node)
    return node


def same(a, b):
    """``expr_key(a) == expr_key(b)``, without building the keys (stops at the first difference)."""
    if a is b and isinstance(a, gast.AST):  # (a node rebuilt around the same parts)
        return True
    if isinstance(a, gast.AST) and isinstance(b, gast.AST):
        if a.__class__.__name__ != b.__class__.__name__:
            return False
        if a.__class__ is not b.__class__:
            return expr_key(a) == expr_key(b)
        for field in _KEY_FIELDS.get(a.__class__) or _key_fields(a.__class__):
            if not same(getattr(a, field, None), getattr(b, field, None)):
                return False
        return True
    if a.__class__ is list and b.__class__ is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (gast.AST, list)) or isinstance(b, (gast.AST, list)):
        return expr_key(a) == expr_key(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a).__name__ == type(b).__name__ and (a is b or a == b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return expr_key(a) == expr_key(b)
    return a is b or bool(a == b)


def is_number(node):
    """Whether `node` is an int or float constant (not a bool)."""
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def is_neutral(node, op):
    """Whether `node` is a number that folding drops as an operand of `op` (a factor or
    divisor or exponent 1 or -1, a term 0)."""
    if not is_number(node):
        return False
    if isinstance(op, (gast.Add, gast.Sub)):
        return node.value == 0
    return node.value in (1, -1)


def is_cast(node):
    """Whether `node` is arithmetic the user wrote with a neutral number (``1 * m``, ``k /
    1``, ``x + 0.0``), which may change a dtype (a bool mask to integers, integers to floats):
    kept as written, never read through."""
    return isinstance(node, gast.BinOp) and getattr(node, 'written', False) and \
        (is_neutral(node.left, node.op) or is_neutral(node.right, node.op))


def signed_const(value):
    """The constant `value`, a negative one written ``-c``."""
    if value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=n.const(-value))
    return n.const(value)


def node_count(node):
    """The number of nodes in `node` (its size)."""
    return sum(1 for _ in n.walk(node))


def replace_children(node, visit):
    """Replace each node directly inside `node` (those `nodes.walk` visits: expression
    contexts stay shared) by `visit(child)`, in place, in source order; return `node`."""
    values = node.__dict__
    for field in n.node_fields(node.__class__):
        value = values.get(field)
        if isinstance(value, gast.AST):
            setattr(node, field, visit(value))
        elif isinstance(value, list):
            setattr(node, field, [visit(v) if isinstance(v, gast.AST) else v for v in value])
    return node
