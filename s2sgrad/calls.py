"""Calls of user functions, in both modes: the generated helper each call uses.

A call ``y = g(x)`` of a user function (or of a function defined in the differentiated one,
lifted to the top level) becomes, in reverse mode, a `CallAdjoint` item whose backward part
calls ``dgdx(x, bg=by)``, the generated VJP of `g`; in forward mode it becomes
``y, dy = g_fwd_dx(x, dx=dx)``. Both find (or build, through the builder) the helper, bind it
under a local name, and follow a global or closure name that may be rebound (`live`).
"""
import inspect
import types
from collections import namedtuple

import gast

from . import nodes as n
from .constructs import is_function
from .errors import S2SError
from .live import LiveHelper, MethodGuard
from .methods import callee_receivers
from .modes import Mode
from .reverse import CallAdjoint
from .nested import NestedFunctions
from .scopes import default_expressions
from .source import FunctionSource, signature as source_signature


def user_call(ctx, stmt, ans, call, func):
    """The adjoint item of ``ans = func(...)`` for a user function (recursively), or None
    when no argument is active."""
    arguments = _arguments(ctx, stmt, call, func)
    if not arguments.active:
        return None
    return _call_adjoint(ctx, ans, arguments, _helper(ctx, arguments, func, Mode.VJP))


def nested_call(ctx, stmt, ans, call):
    """The adjoint item of a call of a function defined inside this one (a closure)."""
    arguments = _arguments(ctx, stmt, call, None)
    return _call_adjoint(ctx, ans, arguments, _helper(ctx, arguments, None, Mode.VJP))


def forward_call(ctx, stmt, ans, call, func):
    """``ans, dans = g_fwd(args, dx=...)`` for a call of a user function `func` or (None) of
    a function defined inside this one."""
    arguments = _arguments(ctx, stmt, call, func)
    local, generated = _helper(ctx, arguments, func, Mode.FORWARD)
    new_call = n.clone(arguments.call)
    new_call.func = n.name(local)
    for param in arguments.active:
        new_call.keywords.append(gast.keyword(
            arg=generated.tangent_names[param],
            value=n.name(ctx.fpass.tan(arguments.bound[param].id))))
    targets = n.tuple_([n.name(ans, store=True),
                        n.name(ctx.fpass.tan(ans), store=True)], store=True)
    return [], [n.assign(targets, new_call)]


Arguments = namedtuple('Arguments', 'call params bound active lifted')
Arguments.__doc__ = """A call of a user function, bound: the `call` (rewritten for a lifted
nested function), the callee's `params`, each bound parameter's argument node (`bound`), the
parameters whose argument is an active variable (`active`), and, for a nested function,
``(FunctionDef, FunctionSource)`` of the lifted function (`lifted`, else None)."""


def _arguments(ctx, stmt, call, func):
    """The `Arguments` of `call` of user function `func` (None: a nested function)."""
    lifted = None
    if func is None:
        node, source, params, call = _lift(ctx, call)
        lifted = node, source
    else:
        params = list(source_signature(func).parameters)
    positional, vararg = _positional(func, params)
    if len(call.args) > len(positional) and vararg is None:
        raise ctx.unsupported(stmt, 'a call with more positional arguments than '
                                    'parameters')
    bound = dict(zip(positional, call.args))
    rest = call.args[len(positional):]
    if rest and isinstance(rest[0], gast.Starred):  # ``g(x, *ys)``: `ys` is g's ``*args``
        bound[vararg] = rest[0].value  # (constants passed one by one have no derivative)
    for kw in call.keywords:
        if kw.arg not in params:
            raise ctx.unsupported(stmt, f'the keyword argument `{kw.arg}`')
        bound[kw.arg] = kw.value
    active = [p for p in params if p in bound and isinstance(bound[p], gast.Name)
              and bound[p].id in ctx.activity.active]
    return Arguments(call, params, bound, active, lifted)


def _positional(func, params):
    """The parameters of `func` (None: a lifted nested function, `params`) that positional
    arguments bind, and the name of its ``*args`` parameter or None."""
    if func is None:
        return params, None
    kinds = {p.name: p.kind for p in source_signature(func).parameters.values()}
    varargs = [p for p in params if kinds.get(p) is inspect.Parameter.VAR_POSITIONAL]
    if not varargs:
        return params, None
    return params[:params.index(varargs[0])], varargs[0]


def _helper(ctx, arguments, func, mode):
    """The local name and the `Generated` helper (a VJP or a forward function, by `mode`)
    that the code calls for the call `arguments` of `func` (None: a nested function)."""
    active, live = arguments.active, None
    if func is None:
        node, source = arguments.lifted
        key = ('nested', ctx.source.origin, node.lineno, node.col_offset, node.name,
               tuple(active), mode, ctx.optimized)
        generated = ctx.builder.lookup(key)
        if generated is None:
            generated = ctx.builder.build_source(key, source, active, mode, ctx.optimized)
    else:
        receivers = callee_receivers(ctx.receivers, arguments.params, arguments.bound)
        functions = _static_functions(ctx, arguments)
        key, generated = ctx.builder.helper(func, active, mode, ctx.optimized, receivers,
                                            functions)
        live = _live(ctx, arguments.call, func, arguments.params, active, mode, receivers,
                     generated, functions)
    return _bind_helper(ctx, key, generated, live), generated


def _static_functions(ctx, arguments):
    """``(parameter, function)`` for each argument of the call that is a module's function
    (``layer(x, act=np.sin)``): the helper is made for it, calls of the parameter calling
    it (see `constructs`)."""
    found = []
    for param, node in arguments.bound.items():
        if param in arguments.active or n.dotted_path(node) is None:
            continue
        obj = ctx.resolver.lookup(node)
        if is_function(obj):
            found.append((param, obj))
    return tuple(found)


def _call_adjoint(ctx, ans, arguments, helper):
    """The `CallAdjoint` item of ``ans = call`` whose backward part calls the VJP `helper`
    (its local name and `Generated`)."""
    local, generated = helper
    active_args = [arguments.bound[p].id for p in arguments.active]
    ctx.container_vars.update(arguments.bound[p].id for p in arguments.active
                              if p in getattr(generated, 'container_params', ()))
    return CallAdjoint(ans, arguments.call, local, generated.seed_name, active_args)


def nested_functions(ctx, func):
    """The functions defined in `func`'s body, anywhere in its blocks: name ->
    (FunctionDef node, the enclosing variables each call passes by keyword).

    Nested functions are lifted to the top level (`_lift`), see `NestedFunctions`:
    what lifting would not do as Python does raises UnsupportedSyntaxError here.
    """
    ctx.nested_info = NestedFunctions(func, ctx.unsupported)
    info = ctx.nested_info
    return {name: (node, info.needs[name]) for name, node in info.defs.items()}


def _lift(ctx, call):
    """A nested function made top-level: the enclosing variables it reads (and those that
    the nested functions it calls read) become keyword-only parameters, which the
    rewritten `call` passes by name. The nested functions it calls are defined again at
    the start of its body. Default values that are not literals are passed by the call
    (they are evaluated where the ``def`` runs, which `NestedFunctions` checks gives the
    same value), so the lifted function has none."""
    node, free = ctx.nested[call.func.id]
    info = ctx.nested_info
    lifted = n.clone(node)
    lifted.body = n.clone(info.lifted(node.name)) + lifted.body
    call = n.clone(call)
    args = lifted.args
    args.args, args.posonlyargs = args.posonlyargs + args.args, []  # it is private
    if info.filled.get(node.name):
        given = {p.id for p in args.args[:len(call.args)]} | \
            {kw.arg for kw in call.keywords}
        for param, default in default_expressions(node):
            if param not in given:
                call.keywords.append(gast.keyword(arg=param, value=n.clone(default)))
        args.defaults, args.kw_defaults = [], [None] * len(args.kwonlyargs)
    for var in free:
        param = n.name(var)
        param.ctx = gast.Param()
        lifted.args.kwonlyargs.append(param)
        lifted.args.kw_defaults.append(None)
        call.keywords.append(gast.keyword(arg=var, value=n.name(var)))
    source = _nested_source(ctx, lifted, node)
    params = [a.id for a in lifted.args.posonlyargs + lifted.args.args +
              lifted.args.kwonlyargs]
    return node, source, params, call


def _nested_source(ctx, lifted, node):
    """The FunctionSource of a nested function lifted out of this one."""
    return FunctionSource(lifted, ctx.source.filename, ctx.source.lines,
                          ctx.source.namespace, node.name, globals=ctx.source.globals,
                          cells=ctx.source.cells, origin=ctx.source.origin)


def _live(ctx, call, func, params, active, mode, receivers, generated, functions=()):
    """How the helper of a call of user function `func` through a global or closure
    variable follows that variable (`LiveHelper`), or None for other calls."""
    name = call.func.id if isinstance(call.func, gast.Name) else None
    source = ctx.source
    method = getattr(call.func, 'method_of', None)
    if method is not None and generated.function is not None:
        return MethodGuard(generated.function, *method)
    if name is None or name in ctx.names.bindings or generated.function is None:
        return None
    cell = source.cells.get(name)
    try:
        current = cell.cell_contents if cell is not None else \
            (source.globals or {}).get(name)
    except ValueError:
        return None
    if isinstance(current, LiveHelper) and current.function is func:
        return current.guard(generated.function)  # generated code differentiated again
    if current is not func:
        return None
    ctx.live_names.add(name)
    builder, optimized = ctx.builder, ctx.optimized

    def rebuild(current):
        if list(source_signature(current).parameters) != params:
            raise S2SError(f'`{name}` now denotes a function with other parameters than '
                           f'when the gradient was made; call s2sgrad.grad again')
        with builder.lock:
            _, new = builder.helper(current, active, mode, optimized, receivers, functions)
        if mode is Mode.VJP:
            return new.function, {generated.seed_name: new.seed_name}
        return new.function, {generated.tangent_names[p]: new.tangent_names[p]
                              for p in active}
    return LiveHelper(generated.function, name, func, cell, source.globals, rebuild)


def _bind_helper(ctx, key, generated, live=None):
    """The local name under which this function's code calls a generated helper."""
    if key == ctx.key:
        return ctx.function_name()  # recursion: the function calls itself by name
    local_names = ctx.helper_names
    if key in local_names:
        return local_names[key]
    local = local_names[key] = ctx.namer.fresh(generated.name)
    if generated.function is not None:
        ctx.helper_cells[local] = types.CellType(live or generated.function)
        ctx.helper_generated.append(generated)
    else:  # still being built (mutual recursion): filled in by its `_finish`
        cell = ctx.helper_cells[local] = types.CellType()
        generated.__dict__.setdefault('waiting', []).append(cell)
    return local
