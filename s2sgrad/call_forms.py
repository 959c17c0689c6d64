"""Calls written in a form that has a rule: ``math.log(x, b)`` is ``math.log(x) / math.log(b)``,
as CPython computes it."""
import math

import gast

from . import nodes as n


def rewrite_call_forms(func, resolver):
    """Rewrite the calls of `func` that have an equivalent form with rules (see above)."""
    for node in list(n.walk(func)):
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.Call):
                setattr(node, field, _form(value, resolver))
            elif isinstance(value, list):
                setattr(node, field, [_form(v, resolver) if isinstance(v, gast.Call) else v
                                      for v in value])


def _form(call, resolver):
    if call.keywords or len(call.args) != 2 or \
            any(isinstance(arg, gast.Starred) for arg in call.args):
        return call
    try:
        callee = resolver.lookup(call.func)
    except TypeError:
        return call
    if callee is math.log:
        first, second = call.args
        return gast.copy_location(gast.BinOp(
            left=gast.Call(func=call.func, args=[first], keywords=[]), op=gast.Div(),
            right=gast.Call(func=n.clone(call.func), args=[second], keywords=[])), call)
    return call
