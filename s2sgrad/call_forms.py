"""Calls written in a form that has a rule: ``math.log(x, b)`` is ``math.log(x) / math.log(b)``,
as CPython computes it; ``np.interp(x, xp, fp, period=p)`` is a call of the definition
``periodic_interp(x, xp, fp, p)`` and ``np.meshgrid(x, y, indexing='ij')`` one of
``meshgrid_of((x, y), indexing='ij')`` (``np.broadcast_arrays(a, b)``: of
``broadcast_arrays_of((a, b))``; templates/definitions.py); ``max(items, key=k)`` is
``s2s.max_by(items, key=k)`` (templates/scalars.py) and ``max(items, default=d)``
``max_or(items, d)`` (templates/definitions.py); ``math.hypot(x)`` is ``math.fabs(x)`` and
``math.hypot(x, y, z)`` is ``math.hypot(math.hypot(x, y), z)``."""
import builtins
import math

import gast
import numpy as np

from . import nodes as n


def rewrite_call_forms(func, resolver, ctx):
    """Rewrite the calls of `func` that have an equivalent form with rules (see above);
    `ctx` binds the functions the rewritten calls call (`ctx.names`, `ctx.namer`)."""
    for node in list(n.walk(func)):
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.Call):
                setattr(node, field, _form(value, resolver, ctx))
            elif isinstance(value, list):
                setattr(node, field, [_form(v, resolver, ctx) if isinstance(v, gast.Call)
                                      else v for v in value])


def _form(call, resolver, ctx):
    if any(isinstance(arg, gast.Starred) for arg in call.args) or \
            any(k.arg is None for k in call.keywords):
        return call
    try:
        callee = resolver.lookup(call.func)
    except TypeError:
        return call
    if callee is np.interp:
        return _periodic(call, ctx)
    if callee is np.meshgrid or callee is np.broadcast_arrays:
        return _listed(call, ctx, callee)
    if callee in (builtins.max, builtins.min) and len(call.args) == 1 and \
            'default' in [k.arg for k in call.keywords] and \
            {k.arg for k in call.keywords} <= {'key', 'default'}:
        return _with_default(call, callee, ctx)
    if callee in (builtins.max, builtins.min) and call.args and \
            [k.arg for k in call.keywords] == ['key'] and \
            not (isinstance(call.keywords[0].value, gast.Constant) and
                 call.keywords[0].value.value is None):
        # ``max(items, key=k)`` as ``s2s.max_by(items, key=k)`` (``max(a, b, key=k)``: of a
        # tuple)
        items = call.args[0] if len(call.args) == 1 else \
            gast.Tuple(elts=list(call.args), ctx=gast.Load())
        helper = 's2s.max_by' if callee is builtins.max else 's2s.min_by'
        return gast.copy_location(n.call(helper, items, key=call.keywords[0].value), call)
    if callee is math.hypot and not call.keywords and len(call.args) != 2 and call.args:
        # ``math.hypot(x)`` is ``math.fabs(x)``; of three or more, hypot of hypot
        if len(call.args) == 1:
            return gast.copy_location(gast.Call(func=_bound(ctx, math.fabs), args=call.args,
                                                keywords=[]), call)
        nested = call.args[0]
        for arg in call.args[1:]:
            nested = gast.Call(func=n.clone(call.func), args=[nested, arg], keywords=[])
        return gast.copy_location(nested, call)
    if call.keywords or len(call.args) != 2:
        return call
    if callee is math.log:
        first, second = call.args
        return gast.copy_location(gast.BinOp(
            left=gast.Call(func=call.func, args=[first], keywords=[]), op=gast.Div(),
            right=gast.Call(func=n.clone(call.func), args=[second], keywords=[])), call)
    return call


def _with_default(call, callee, ctx):
    """``max(items, default=d)`` (also with ``key=k``) as ``max_or(items, d, key=k)``, a
    generator expression read into a list first (``list(v for v in xs if v > 0)``)."""
    from s2sgrad.templates.definitions import max_or, min_or
    items = call.args[0]
    if isinstance(items, gast.GeneratorExp):
        items = n.call(_bound(ctx, builtins.list), items)
    given = {k.arg: k.value for k in call.keywords}
    keywords = [gast.keyword(arg='key', value=given['key'])] if 'key' in given else []
    definition = max_or if callee is builtins.max else min_or
    return gast.copy_location(gast.Call(func=_bound(ctx, definition), args=[
        items, given['default']], keywords=keywords), call)


def _periodic(call, ctx):
    """``np.interp(x, xp, fp, period=p)`` as ``periodic_interp(x, xp, fp, p)``."""
    from s2sgrad.templates.definitions import periodic_interp
    given = dict(zip(('x', 'xp', 'fp', 'left', 'right', 'period'), call.args))
    given.update((k.arg, k.value) for k in call.keywords)
    period = given.get('period')
    if period is None or isinstance(period, gast.Constant) and period.value is None or \
            set(given) - {'x', 'xp', 'fp', 'left', 'right', 'period'} or \
            not {'x', 'xp', 'fp'} <= set(given):
        return call
    # (NumPy ignores `left` and `right` with a period)
    return gast.copy_location(gast.Call(func=_bound(ctx, periodic_interp), args=[
        given['x'], given['xp'], given['fp'], period], keywords=[]), call)


def _listed(call, ctx, callee):
    """``np.meshgrid(x, y, ...)`` as ``meshgrid_of((x, y, ...), ...)``, and
    ``np.broadcast_arrays(a, b, ...)`` as ``broadcast_arrays_of((a, b, ...))``."""
    from s2sgrad.templates.definitions import broadcast_arrays_of, meshgrid_of
    definition = meshgrid_of if callee is np.meshgrid else broadcast_arrays_of
    return gast.copy_location(gast.Call(func=_bound(ctx, definition), args=[
        gast.Tuple(elts=call.args, ctx=gast.Load())], keywords=call.keywords), call)


def _bound(ctx, definition):
    """The expression generated code reaches `definition` by (``s2s.meshgrid_of``)."""
    expr = ctx.names.expression_for(definition, definition.__name__)
    if isinstance(expr, gast.Name):  # (reserved: no value of the function's)
        ctx.namer.taken.add(expr.id)
    return expr
