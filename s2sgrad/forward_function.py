"""Forward mode: the function with a tangent beside every active value (a `Derivative`).

Takes the normalised body and its return (see `pipeline`); `ForwardPass` (forward.py) writes
the tangent of each statement; this module adds the tangent parameters, the copies of
arguments changed in place, zero tangents of active parameters not differentiated, and the
return of the tangent (or, for the helper of a call, of the value and its tangent).
"""
import gast

from . import inplace, nodes as n
from .constructs import default_guards
from .derivative import Derivative
from .forward import ForwardPass
from .generated_code import Generated
from .modes import Mode


def forward_function(ctx, body, ret):
    """Forward mode: the function with a tangent beside every active value."""
    fpass = ForwardPass(ctx)
    ctx.fpass = fpass
    name = ctx.function_name()
    tangent_names = {param: fpass.tan(param) for param in ctx.wrt}
    if ctx.mode is Mode.FORWARD:
        placeholder = Generated(name, None, None)
        placeholder.tangent_names = tangent_names
        ctx.builder.cache[ctx.key] = placeholder
    new_body = fpass.block(body, top=True)
    result = ret.value
    if isinstance(result, gast.Name) and result.id in ctx.activity.active:
        tangent = n.name(fpass.tan(result.id))
    else:
        tangent = n.call('s2s.zeros_like', n.clone(result))
    value = n.tuple_([n.clone(result), tangent]) if ctx.mode is Mode.FORWARD else tangent
    if ctx.mode is Mode.JVP and ctx.may_return_none:
        check = n.expr(n.call('s2s.check_output', n.clone(result),
                              n.const(ctx.source.name)))
        check.no_inline = set(n.names_read(result))
        new_body.append(check)
    copies = inplace.prologue(ctx, body)
    for stmt in list(copies):
        param = stmt.targets[0].id if isinstance(stmt, gast.Assign) else None
        if param in ctx.wrt:
            copies.append(n.assign(fpass.tan(param),
                                   n.call('s2s.copy', n.name(fpass.tan(param)))))
    zeros = [n.assign(fpass.tan(p), n.call('s2s.zeros_like', n.name(p)))
             for p in ctx.params if p in ctx.activity.active and p not in ctx.wrt]
    new_body = ctx.declared_comment() + default_guards(ctx) + copies + zeros + new_body + \
        [gast.Return(value=value)]
    args = n.clone(ctx.func.args)
    for param in ctx.wrt:
        tangent_param = n.name(fpass.tan(param))
        tangent_param.ctx = gast.Param()
        args.kwonlyargs = list(args.kwonlyargs) + [tangent_param]
        args.kw_defaults = list(args.kw_defaults) + [None]
    node = gast.FunctionDef(name=name, args=args, body=new_body, decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    keep = set(ctx.params) | {fpass.tan(p) for p in ctx.wrt}
    return Derivative(node, None, tangent_names, keep, ())
