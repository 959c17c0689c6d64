"""Constant folding and algebra of generated code: ``d * 2 * x ** (2 - 1)`` -> ``d * 2 * x``."""
import operator

import gast

from . import nodes as n

FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
        gast.Div: operator.truediv, gast.Pow: operator.pow}
"""The arithmetic operators that fold on numbers, with their Python functions."""


def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def signed_number(node):
    """The value of a number constant, ``2.0`` or ``-2.0``; else None."""
    if _number(node):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            _number(node.operand):
        return -node.operand.value
    return None


def _is_value(node, value):
    return _number(node) and node.value == value


def fold(node, same_shape=None, mutated=()):
    """Simplify an expression bottom-up (`same_shape(a, b)`: variables of one shape).

    An operation that simplifies to a bare variable which is changed in place later
    (`mutated`: ``y[i] = ...``, ``add_at``) becomes ``s2s.copy(variable)``: the operation made
    a new array, and its user may keep it after the variable changes.
    """
    simplified = _fold(node, same_shape, mutated)
    if isinstance(simplified, gast.Name) and not isinstance(node, gast.Name) and \
            simplified.id in mutated:
        return n.call('s2s.copy', simplified)
    return simplified


def _fold(node, same_shape, mutated):
    # an operand of arithmetic needs no copy: the operation makes a new array anyway
    inner = _fold if isinstance(node, (gast.BinOp, gast.UnaryOp)) else fold
    values = node.__dict__
    for field in n.node_fields(node.__class__):  # (contexts and names fold to themselves)
        value = values.get(field)
        if value is None:
            continue
        if isinstance(value, gast.AST):
            setattr(node, field, inner(value, same_shape, mutated))
        elif isinstance(value, list):
            setattr(node, field, [inner(v, same_shape, mutated) if isinstance(v, gast.AST)
                                  else v for v in value])
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and same_shape:
        node = _scalar_spread(node, same_shape)
    if isinstance(node, gast.IfExp) and _constant_truth(node.test) is not None:
        return node.body if _constant_truth(node.test) else node.orelse
    if isinstance(node, gast.BinOp):
        left, right, op = node.left, node.right, type(node.op)
        if _number(left) and _number(right) and op in FOLD:
            try:
                value = FOLD[op](left.value, right.value)
            except (ZeroDivisionError, OverflowError):
                return node
            integers = isinstance(left.value, int) and isinstance(right.value, int)
            if isinstance(value, float) and value.is_integer() and integers and \
                    op is not gast.Div:
                value = int(value)
            return n.const(value) if value >= 0 else gast.UnaryOp(op=gast.USub(),
                                                                  operand=n.const(-value))
        if getattr(node, 'written', False) and (_number(left) or _number(right)):
            return node  # the user's own ``1 * m``, ``k / 1``, ``x + 0.0`` may change a dtype
        if op is gast.Mult and _is_value(right, 1):
            return left
        if op is gast.Mult and _is_value(left, 1):
            return right
        if op in (gast.Div, gast.Pow) and _is_value(right, 1):
            return left
        if op in (gast.Add, gast.Sub) and _is_value(right, 0):
            return left
        if op is gast.Add and _is_value(left, 0):
            return right
        if op is gast.Mult and _is_value(right, -1):
            return gast.UnaryOp(op=gast.USub(), operand=left)
        if op is gast.Mult and isinstance(left, gast.UnaryOp) and \
                isinstance(left.op, gast.USub) and _number(left.operand):
            return gast.UnaryOp(op=gast.USub(), operand=gast.BinOp(
                left=left.operand, op=node.op, right=right))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add):
        positive = _without_leading_minus(node.right)
        if positive is not None:
            return gast.BinOp(left=node.left, op=gast.Sub(), right=positive)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            not getattr(node, 'written', False):
        inner = node.operand
        if isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub):
            return inner.operand  # (not the user's own ``-(-x)``: a new array, written into)
    return node


def _constant_truth(node):
    """Whether ``c1 == c2``, ``c1 != c2``, ``c is None`` or ``c is not None`` of constants
    holds (a rule's ``mode == 'raise'`` or ``dtype is None`` where the call gave neither),
    else None."""
    if not (isinstance(node, gast.Compare) and len(node.ops) == 1 and
            isinstance(node.left, gast.Constant) and
            isinstance(node.comparators[0], gast.Constant)):
        return None
    op, left, right = node.ops[0], node.left.value, node.comparators[0].value
    if isinstance(op, (gast.Eq, gast.NotEq)):
        return (left == right) == isinstance(op, gast.Eq)
    if isinstance(op, (gast.Is, gast.IsNot)) and (left is None or right is None):
        return (left is right) == isinstance(op, gast.Is)
    return None


def _without_leading_minus(node):
    """`-a * b / c` -> `a * b / c` (so `x + -a * b` can read `x - a * b`), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        left = _without_leading_minus(node.left)
        if left is not None:
            return gast.BinOp(left=left, op=node.op, right=node.right)
    return None


def _factors(node):
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _scalar_spread(product, same_shape):
    """``s2s.unreduce(c, x) * ... * y`` -> ``c * ... * y`` when `y` has `x`'s shape, and the
    same for ``s2s.broadcast_like(c, x)``: another factor already gives the product the shape
    that the helper would spread ``c`` over (broadcasting is transitive)."""
    factors = _factors(product)
    names = set()
    for factor in factors:
        names |= _shape_givers(factor)

    def spread(node):
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
            node.left, node.right = spread(node.left), spread(node.right)
            return node
        if isinstance(node, gast.Call) and \
                n.dotted_path(node.func) in ('s2s.unreduce', 's2s.broadcast_like') and \
                len(node.args) == 2 and not node.keywords and \
                isinstance(node.args[1], gast.Name) and \
                any(same_shape(name, node.args[1].id) for name in names):
            return node.args[0]
        return node
    return spread(product)


def _shape_givers(node):
    """Variables whose shape the value of `node` has at least: `node` itself, or operands of
    the arithmetic that computes it (broadcasting never shrinks a shape)."""
    if isinstance(node, gast.Name):
        return {node.id}
    if isinstance(node, gast.BinOp) and isinstance(node.op, tuple(FOLD)):
        return _shape_givers(node.left) | _shape_givers(node.right)
    if isinstance(node, gast.UnaryOp):
        return _shape_givers(node.operand)
    return set()


def fold_block(stmts, same_shape, mutated=()):
    """`stmts` with the expressions of their statements folded (`fold`), nested blocks too."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.BinOp):
            value = fold(stmt.value, same_shape, mutated)
            if not isinstance(value, gast.Name):  # `y = x * 1` stays: `y = x` makes an alias
                stmt.value = value
            out.append(stmt)
            continue
        n.map_blocks(stmt, lambda block: fold_block(block, same_shape, mutated))
        out.append(fold(stmt, same_shape, mutated) if not hasattr(stmt, 'body') else stmt)
    return out
