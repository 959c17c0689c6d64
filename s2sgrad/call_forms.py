"""Calls written in a form that has a rule: ``math.log(x, b)`` is ``math.log(x) / math.log(b)``,
as CPython computes it, and ``np.interp(x, xp, fp, period=p)`` a call of the definition
``periodic_interp(x, xp, fp, p)`` (templates/definitions.py)."""
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
    if call.keywords or len(call.args) != 2:
        return call
    if callee is math.log:
        first, second = call.args
        return gast.copy_location(gast.BinOp(
            left=gast.Call(func=call.func, args=[first], keywords=[]), op=gast.Div(),
            right=gast.Call(func=n.clone(call.func), args=[second], keywords=[])), call)
    return call


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
    name = ctx.names.object('periodic_interp', periodic_interp)
    ctx.namer.taken.add(name)  # (not a name for a value of the function)
    helper = n.name(name)
    return gast.copy_location(gast.Call(func=helper, args=[
        given['x'], given['xp'], given['fp'], period], keywords=[]), call)
