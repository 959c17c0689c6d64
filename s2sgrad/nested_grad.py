"""``s2sgrad.grad(g)(x)`` called inside a differentiated function: a call of g's gradient.

``s2sgrad.grad(g)(x)`` and ``value_and_grad`` (also through ``dg = grad(g)``) become calls of
the generated derivative of `g` (a module function, a nested ``def`` or a lambda, whose
enclosing variables the call passes by keyword), differentiated as any user function. Part of
`constructs`.
"""
import inspect
import types

import gast

from . import nodes as n
from .modes import Mode
from .operator_calls import is_operator
from .scopes import default_expressions, function_scope, is_literal, own_scope_nodes


def bound_gradient_calls(func, resolver):
    """``g2(t)`` of a global `g2` holding the gradient of a bound method (``g2 =
    s2sgrad.grad(model.loss)``, a method of the generated function bound to `model`) ->
    ``g2.__func__(g2.__self__, t)``: a call of the generated function, with its instance,
    read when the code runs."""
    for node in n.walk(func):
        if not (isinstance(node, gast.Call) and isinstance(node.func, (gast.Name,
                                                                       gast.Attribute))):
            continue
        obj = resolver.lookup(node.func)
        if isinstance(obj, types.MethodType) and \
                getattr(obj.__func__, '__s2sgrad__', None) is not None:
            held = node.func  # (`global_functions` checks that the name still holds it)
            node.func = gast.Attribute(value=n.clone(held), attr='__func__', ctx=gast.Load())
            node.args = [gast.Attribute(value=n.clone(held), attr='__self__',
                                        ctx=gast.Load())] + list(node.args)


def resolve_nested_grads(ctx, func, resolver, ops):
    """``grad(g, wrt=...)(x)`` (and ``dg = grad(g)`` ... ``dg(x)``) -> ``dgdy(x)``."""
    nodes = list(own_scope_nodes(func.body))
    defs = {node.name: node for node in nodes if isinstance(node, gast.FunctionDef)}
    counts = {}
    for node in nodes:
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
    named = {}  # name -> (operator call, its assignment)
    for node in nodes:
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call) \
                and is_operator(resolver, node.value.func, ops) and \
                counts.get(node.targets[0].id) == 1:
            named[node.targets[0].id] = (node.value, node)
    uses = {}
    for node in nodes:
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                node.id in named:
            uses.setdefault(node.id, []).append(node)
    made = {}
    removed = set()
    called = {id(c.func) for c in nodes if isinstance(c, gast.Call)}  # (before any rewrite)
    for node in nodes:
        if not isinstance(node, gast.Call):
            continue
        if isinstance(node.func, gast.Call) and is_operator(resolver, node.func.func, ops):
            op_call, via = node.func, None
        elif isinstance(node.func, gast.Name) and node.func.id in named:
            op_call, via = named[node.func.id][0], node.func.id
            if any(id(use) not in called for use in uses[node.func.id]):
                continue  # also used as a value: left as it is (and refused later)
        else:
            continue
        key = id(op_call)
        if key not in made:
            made[key] = _derivative(ctx, op_call, resolver, ops, defs)
        name, free = made[key]
        node.func = n.name(name)
        # (a gradient is a new array, or new containers of new arrays: never an argument)
        node.own_results = ops.get(resolver.lookup(op_call.func)) is Mode.GRAD
        node.keywords = list(node.keywords) + [gast.keyword(arg=v, value=n.name(v))
                                               for v in free]
        if via is not None:
            removed.add(id(named[via][1]))
    if removed:
        _remove_statements(func, removed)


def _remove_statements(func, ids):
    def keep(stmts):
        out = []
        for stmt in stmts:
            if id(stmt) in ids:
                continue
            for field, block in n.blocks(stmt):
                setattr(stmt, field, keep(block))
            out.append(stmt)
        return out
    func.body = keep(func.body)


def _derivative(ctx, op_call, resolver, ops, defs):
    """(the name bound to the generated derivative that `op_call` makes, the enclosing
    variables its calls pass by keyword)."""
    op = resolver.lookup(op_call.func)
    mode = ops[op]
    label = f'`s2sgrad.{op.__name__}(...)`'
    if mode is None:
        raise ctx.unsupported(op_call, (
            f'a call of the function that {label} makes: inside a differentiated function '
            f's2sgrad differentiates calls of `s2sgrad.grad(g)` and '
            f'`s2sgrad.value_and_grad(g)` only; compute `{op.__name__}` outside it, or write '
            f'it with `s2sgrad.grad`'), node=op_call)
    options = {'wrt': 0, 'optimized': True}
    for keyword in op_call.keywords:
        if keyword.arg not in ('wrt', 'optimized', 'verbose'):
            raise ctx.unsupported(op_call, f'the keyword argument `{keyword.arg}` of {label} '
                                           f'in a differentiated function', node=keyword.value)
        try:
            options[keyword.arg] = _literal(keyword.value)
        except ValueError:
            raise ctx.unsupported(op_call, f'the argument `{keyword.arg}=` of {label}, which '
                                           f'is not a constant; write the value itself '
                                           f'(`wrt=0`, `wrt=(0, 1)`)',
                                  node=keyword.value) from None
    if len(op_call.args) > 2 or not op_call.args:
        raise ctx.unsupported(op_call, f'{label} with {len(op_call.args)} positional '
                                       f'arguments; pass the function and `wrt=...`',
                              node=op_call)
    if len(op_call.args) == 2:
        try:
            options['wrt'] = _literal(op_call.args[1])
        except ValueError:
            raise ctx.unsupported(op_call, f'the `wrt` of {label}, which is not a constant',
                                  node=op_call.args[1]) from None
    target = op_call.args[0]
    if isinstance(target, gast.Name) and target.id in defs:
        generated, free = _nested_derivative(ctx, op_call, defs[target.id], defs, mode,
                                             options)
        function = generated.function
    else:
        obj = resolver.lookup(target)
        if obj is None:
            raise ctx.unsupported(op_call, (
                f'{label} of `{n.dotted_path(target) or "a computed value"}`, which s2sgrad '
                f'cannot resolve when it transforms the function: pass a module-level '
                f'function, a nested `def` or a lambda'), node=target)
        function = op(obj, wrt=options['wrt'], optimized=bool(options['optimized']))
        free = []
        if not inspect.isfunction(function):
            raise ctx.unsupported(op_call, (
                f'{label} of `{n.dotted_path(target)}`, a bound method or a partial: '
                f'differentiate a plain function (pass the instance as an argument)'),
                node=target)
    local = ctx.names.object(ctx.namer.fresh(function.__name__), function)
    made = getattr(function, '__s2sgrad__', None)
    if made is not None:  # printed with the unit, as the helpers are
        ctx.helper_cells[local] = types.CellType(function)
        ctx.helper_generated.append(made)
    if isinstance(target, gast.Name) and target.id not in defs and \
            target.id in ctx.source.namespace:  # a rebound `g` makes this code out of date
        namespace = ctx.source.globals if ctx.source.globals is not None else {}
        ctx.extra_pins.append((target.id, ctx.source.namespace[target.id],
                               ctx.source.cells.get(target.id), namespace))
    return local, free


def _literal(node):
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, (gast.Tuple, gast.List)):
        return tuple(_literal(elt) for elt in node.elts)
    raise ValueError(node)


def _nested_derivative(ctx, op_call, node, defs, mode, options):
    """The `Generated` derivative of the nested function `node` (lifted: the enclosing
    variables it reads become keyword-only parameters), and those variables."""
    from .source import FunctionSource
    label = f'`s2sgrad.{"grad" if mode is Mode.GRAD else "value_and_grad"}({node.name})`'
    bound = function_scope(ctx.func)[0] | set(ctx.params)
    reads = function_scope(node)[1]
    calls_nested = [v for v in reads if v in defs and v != node.name]
    if calls_nested or node.name in reads:
        raise ctx.unsupported(op_call, (
            f'{label} of a nested function that calls '
            f'{"itself" if not calls_nested else "the nested function `" + calls_nested[0] + "`"}'
            f'; define them at module level and pass what they read as arguments'),
            node=op_call)
    if not all(is_literal(d) for _, d in default_expressions(node)):
        raise ctx.unsupported(op_call, (
            f'{label} of a nested function whose default values are not literals; pass the '
            f'values as arguments'), node=op_call)
    free = [v for v in reads if v in bound and v not in defs]
    lifted = n.clone(node)
    args = lifted.args
    args.args, args.posonlyargs = args.posonlyargs + args.args, []
    positional = [a.id for a in args.args]
    for var in free:
        param = n.name(var)
        param.ctx = gast.Param()
        args.kwonlyargs.append(param)
        args.kw_defaults.append(None)
    wrt = options['wrt']
    single = not isinstance(wrt, tuple)
    names = []
    for item in [wrt] if single else wrt:
        if isinstance(item, int) and -len(positional) <= item < len(positional):
            names.append(positional[item])
        elif isinstance(item, str) and item in positional:
            names.append(item)
        else:
            raise ctx.unsupported(op_call, f'the `wrt={item!r}` of {label}, which names no '
                                           f'parameter of `{node.name}` (parameters: '
                                           f'{", ".join(positional)})', node=op_call)
    source = FunctionSource(lifted, ctx.source.filename, ctx.source.lines,
                            ctx.source.namespace, node.name, globals=ctx.source.globals,
                            cells=ctx.source.cells, origin=ctx.source.origin)
    key = ('nested derivative', ctx.source.origin, node.lineno, node.col_offset, node.name,
           tuple(names), mode, bool(options['optimized']), not single, tuple(free))
    builder = ctx.builder
    generated = builder.lookup(key)
    if generated is None:
        generated = builder._build(key, lambda: source, names, mode,
                                   bool(options['optimized']), not single)
    return generated, free
