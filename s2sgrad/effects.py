"""Effects check: reject statements that may change a differentiated value out of sight."""
import gast

from . import nodes as n
from . import rules
from .resolve import method_call


def check_effects(body, ctx):
    """Raise for every statement of `body` that could change a differentiated value in a way
    the passes do not follow: a discarded call given a differentiated argument (unless it is a
    pure rule function or has no derivative), ``out=`` arguments, and differentiated values
    stored in object attributes. Method calls on differentiated local values (``xs.append``)
    are the passes' business."""
    for stmt in _statements(body):
        if isinstance(stmt, gast.Assign):
            _check_attribute_store(stmt, ctx)
            if isinstance(stmt.value, gast.Call):
                _check_out_argument(stmt, stmt.value, ctx)
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            _check_discarded_call(stmt, stmt.value, ctx)


def _check_attribute_store(stmt, ctx):
    if not ctx.activity.is_active(stmt.value):
        return
    for target in n.walk(stmt.targets[0]):
        if isinstance(target, gast.Attribute) and isinstance(target.ctx, gast.Store):
            raise ctx.unsupported(
                stmt, f'storing a differentiated value in the attribute '
                      f'`{n.dotted_path(target) or target.attr}` (s2sgrad follows derivatives '
                      f'through variables, not object attributes); keep the value in a local '
                      f'variable')


def _check_out_argument(stmt, call, ctx):
    for kw in call.keywords:
        if kw.arg == 'out' and not (isinstance(kw.value, gast.Constant) and
                                    kw.value.value is None):
            if ctx.activity.is_active(call) or ctx.activity.is_active(kw.value):
                raise ctx.unsupported(
                    stmt, f'`{n.dotted_path(call.func) or "the call"}` with `out=`, which '
                          f'writes its result into an array in place; assign the result '
                          f'instead (`y = f(...)`)')


def _check_discarded_call(stmt, call, ctx):
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
    what = f'`{n.dotted_path(func) or "the called value"}`'
    _check_out_argument(stmt, call, ctx)
    obj = None if nested or local_method else ctx.resolver.lookup(func)
    if obj is not None and (rules.lookup_adjoint(obj) is not None or
                            rules.is_nondifferentiable(obj)):
        return  # it cannot change its arguments, and its result is unused
    if obj is None and not nested:
        raise ctx.no_rule(stmt, what, 'its result is unused, so it may be called to change a '
                                      'differentiated value in place')
    raise ctx.unsupported(
        stmt, f'the call of {what} whose result is unused, with a differentiated argument: '
              f's2sgrad cannot follow changes that a function makes to its arguments in '
              f'place; return the new value and assign it')


def _statements(stmts):
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, gast.FunctionDef):
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                yield from _statements(block)
