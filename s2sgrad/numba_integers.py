"""Integer products in compiled code, checked: numba's 64-bit integers wrap where Python's grow.

``n = n * 7`` in a loop, a factorial ``fact = fact * k``: Python computes the exact integer,
numba a wrapped one, which the derivative would then use silently (``x / fact``). `checked`
finds the names that may hold integers (assigned an integer literal, ``len``, ``int``, a
``range`` loop's variable, or integer arithmetic of those) and rewrites each product of two
such operands into ``s2s.int_mul(a, b)``, which raises OverflowError past 64 bits (and is a
plain product for anything else); each left shift into ``s2s.int_lshift(a, b)``, the same,
and each right shift into ``s2s.int_rshift(a, b)``, Python's value for any count.
Powers go through ``s2s.power``, which checks the same.
"""
import gast

from . import nodes as n

_INTEGER_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod, gast.Pow,
                gast.LShift, gast.RShift)


_CHECKED = {gast.Mult: 'int_mul', gast.LShift: 'int_lshift', gast.RShift: 'int_rshift'}


def checked(node):
    """Rewrite the integer products and left shifts of function `node` in place (the module
    docstring)."""
    names = _integer_names(node)
    for child in list(n.walk(node)):
        if isinstance(child, gast.BinOp) and type(child.op) in _CHECKED and \
                _integer(child.left, names) and _integer(child.right, names):
            call = n.call(n.attr('s2s', _CHECKED[type(child.op)]), child.left, child.right)
            child.__class__ = gast.Call
            child.__dict__.clear()
            child.__dict__.update(call.__dict__)
        elif isinstance(child, gast.AugAssign) and type(child.op) in _CHECKED and \
                isinstance(child.target, gast.Name) and child.target.id in names and \
                _integer(child.value, names):
            value = n.call(n.attr('s2s', _CHECKED[type(child.op)]), n.name(child.target.id),
                           child.value)
            assign = gast.Assign(targets=[child.target], value=value, type_comment=None)
            child.__class__ = gast.Assign
            child.__dict__.clear()
            child.__dict__.update(assign.__dict__)


def _integer_names(node):
    """The names of `node` that may hold an integer, found to a fixed point."""
    names = set()
    while True:
        found = set(names)
        for child in n.walk(node):
            if isinstance(child, gast.Assign) and len(child.targets) == 1 and \
                    isinstance(child.targets[0], gast.Name) and _integer(child.value, found):
                found.add(child.targets[0].id)
            elif isinstance(child, gast.AugAssign) and isinstance(child.target, gast.Name) \
                    and isinstance(child.op, _INTEGER_OPS) and \
                    _integer(child.value, found) and child.target.id in found:
                found.add(child.target.id)
            elif isinstance(child, gast.For) and isinstance(child.target, gast.Name) and \
                    isinstance(child.iter, gast.Call) and \
                    n.dotted_path(child.iter.func) == 'range':
                found.add(child.target.id)
        if found == names:
            return names
        names = found


def _integer(expr, names):
    """Whether `expr` may be an integer: an integer literal, a name of `names`, ``len(...)``,
    ``int(...)``, or integer arithmetic of such operands."""
    if isinstance(expr, gast.Constant):
        return type(expr.value) is int
    if isinstance(expr, gast.Name):
        return expr.id in names
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, (gast.USub, gast.UAdd)):
        return _integer(expr.operand, names)
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, _INTEGER_OPS):
        return _integer(expr.left, names) and _integer(expr.right, names)
    return isinstance(expr, gast.Call) and n.dotted_path(expr.func) in ('len', 'int')
