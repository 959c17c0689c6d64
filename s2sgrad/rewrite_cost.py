"""The simplifier's cost model: the operations of an expression, and the variables only it reads."""
import gast
import numpy

from . import nodes as n

_HELPER_COST = 3     # the cost of a call of a runtime or rule helper (a NumPy call costs 1)


def module_name(obj):
    """The module that defines `obj` (``'numpy'`` for a ufunc, which has no ``__module__``
    before NumPy 2), or None."""
    if isinstance(obj, numpy.ufunc):
        return 'numpy'
    return getattr(obj, '__module__', None)


def cost(node, ctx, charged, seen=None):
    """Operations in `node`, helper calls weighing more; the variables in `charged` count
    (once) with the cost of their value (the statement is their only reader)."""
    seen = set() if seen is None else seen
    total = 0
    for sub in n.walk(node):
        if isinstance(sub, (gast.BinOp, gast.UnaryOp, gast.Subscript)):
            total += 1
        elif isinstance(sub, gast.Attribute) and sub.attr == 'T':
            total += 1
        elif isinstance(sub, gast.Call):
            obj = ctx.lookup(sub.func)
            module = module_name(obj) or ''
            total += 1 if module.split('.')[0] in ('numpy', 'math', 'cupy') else _HELPER_COST
        elif isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and \
                sub.id in charged and sub.id not in seen:
            seen.add(sub.id)
            total += cost(ctx.top[sub.id][1], ctx, charged, seen)
    return total


def plain_cost(node):
    """The cost of `node` if all its calls are NumPy calls (see `cost`)."""
    return sum(1 for sub in n.walk(node) if isinstance(
        sub, (gast.BinOp, gast.UnaryOp, gast.Subscript, gast.Call)) or
        isinstance(sub, gast.Attribute) and sub.attr == 'T')


def sole_readers(nodes, ctx, position):
    """Variables read only by `nodes` (and by variables only they read), which die when the
    nodes stop reading them."""
    reads = {}
    for node in nodes:
        for sub in n.walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                reads[sub.id] = reads.get(sub.id, 0) + 1
    charged = set()
    frontier = [name for name in reads if ctx.expandable(name, position) and
                reads[name] == ctx.reads.get(name, 0) and name not in ctx.keep]
    while frontier:
        name = frontier.pop()
        if name in charged:
            continue
        charged.add(name)
        value = ctx.top[name][1]
        for sub in n.walk(value):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                reads[sub.id] = reads.get(sub.id, 0) + 1
                if reads[sub.id] == ctx.reads.get(sub.id, 0) and \
                        ctx.expandable(sub.id, position) and sub.id not in ctx.keep:
                    frontier.append(sub.id)
    return charged
