"""Integer arguments written into: a check that the arrays a write relies on are floats.

An argument named by `wrt` is differentiated as if it were a float (`float_values` takes it for
one), so a derivative flows through ``y[i] = v`` into an array made from it (``y =
x.copy()``, ``np.zeros_like(x)``, `x` itself). Where the caller passes an integer array, NumPy
truncates what such a write stores, and that derivative would be wrong: the generated code
checks first (``s2s.float_argument(x, message)``), and raises `WrtError` saying to pass
``x.astype(float)``. Only where a differentiated value is written into an array that is a
float array only because the argument is taken for one.
"""
import gast

from . import nodes as n
from . import runtime
from .activity import Activity
from .float_values import float_variables


def check_integer_points(ctx, body):
    """`body` with ``s2s.float_argument(p, message)`` first for each differentiated parameter
    `p` that a write of a differentiated value relies on being a float (see the module
    docstring)."""
    if not ctx.wrt:
        return body
    writes = [stmt for stmt in n.statements(body)
              if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript)]
    if not writes:
        return body
    lists = {name for stmt in n.statements(body) if isinstance(stmt, gast.Assign) and
             isinstance(stmt.value, (gast.List, gast.ListComp)) or isinstance(stmt, gast.Assign)
             and isinstance(stmt.value, gast.Call) and n.dotted_path(stmt.value.func) == 'list'
             for name in n.names_stored(stmt.targets[0])}  # (an item of a list: no dtype)
    assumed = float_variables(body, ctx.resolver, ctx.wrt, ctx.params) - lists
    without = {p: float_variables(body, ctx.resolver, [q for q in ctx.wrt if q != p],
                                  ctx.params) for p in ctx.wrt}  # (floats unless `p` is one)
    active = None
    checks = {}
    for stmt in writes:
        base = stmt.targets[0]
        while isinstance(base, gast.Subscript):
            base = base.value
        if not isinstance(base, gast.Name) or base.id not in assumed or \
                _keyed(stmt.targets[0]):
            continue  # (``config['t'] = v``: a dict's item, which nothing truncates)
        relied = [p for p in ctx.wrt if base.id not in without[p]]
        if not relied:
            continue
        if active is None:
            active = Activity(body, ctx.wrt, ctx.resolver, getattr(ctx, 'closures', None)).active
        if not set(n.names_read(stmt.value)) & set(active):
            continue  # (a constant written: no derivative flows through it either way)
        for p in relied:
            checks.setdefault(p, stmt)
    if not checks:
        return body
    ctx.source.namespace.setdefault('s2s', runtime)
    out = []
    for p, stmt in sorted(checks.items()):
        lineno = getattr(stmt, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` writes into an array '
                   f'made from the integer array `{p}`, which truncates the values: pass '
                   f'`{p}.astype(float)` (s2sgrad differentiates `{p}` as a float)')
        out.append(gast.copy_location(n.expr(n.call('s2s.float_argument', n.name(p),
                                                    n.const(message))), stmt))
    return out + body


def _keyed(target):
    """Whether the subscript `target` reads a constant text key (a dict's item)."""
    index = target.slice
    return isinstance(index, gast.Constant) and isinstance(index.value, str)
