"""Print, compile and cache a generated FunctionDef: the last step of the pipeline."""
import builtins
import inspect
import types
import weakref

import gast

from . import nodes as n, runtime, runtime_errors
from .compiling import compile_function
from .generated_code import Generated
from .printer import to_source


def link(ctx, node, name, seed_name, tangent_names=None, cache=True, split=None):
    """Print and compile `node`, cache it (when `cache`), and hand it to callers waiting
    for it; `split`: the `Generated` forward and backward parts of a VJP (`split_motion`).

    The generated function reads globals and closure variables at call time, as the
    source function does: its globals are that function's own ``__globals__`` dict and its
    free variables share that function's closure cells. Only the helpers and modules
    s2sgrad binds, and the names that denote functions, modules and other callables (the
    transformation chose derivative rules for them), are fixed: they are closure cells
    of their own, and the cache checks them before it hands the function out again.
    """
    source = ctx.source
    namespace = source.globals if source.globals is not None else dict(source.namespace)
    generated = Generated(name, node, namespace, seed_name)
    generated.tangent_names = tangent_names
    generated.split = split
    generated.split_used = ctx.split_used
    generated.receivers = dict(getattr(source, 'receivers', None) or {})  # (`calls._helper`)
    placeholder = ctx.builder.cache.get(ctx.key) if cache else None
    if placeholder is not None and placeholder.function is None:
        generated.waiting = placeholder.__dict__.get('waiting', [])
        generated.waiting_split = placeholder.__dict__.get('waiting_split', [])
    generated.source = to_source(node)
    cells, generated.pins = _cells(ctx, node, namespace)
    generated.attribute_pins = _attribute_pins(ctx, node)
    func = getattr(ctx.source, 'func', None)
    kwdefaults = getattr(func, '__kwdefaults__', None)
    generated.defaults_seen = (getattr(func, '__defaults__', None), kwdefaults,
                               tuple(kwdefaults.items()) if isinstance(kwdefaults, dict)
                               else None)
    try:
        generated.made_from = weakref.ref(func) if func is not None else None
    except TypeError:
        generated.made_from = None
    defaults, kwdefaults = _default_values(ctx, node)
    generated.function = compile_function(generated.source, name, namespace, cells,
                                          defaults, kwdefaults)
    function_node = source.node
    runtime_errors.ORIGINS[generated.function.__code__] = (
        node, source.filename, source.lines, getattr(function_node, 'lineno', 1),
        getattr(function_node, 'end_lineno', None) or len(source.lines))
    if ctx.return_where:
        runtime.OUTPUT_LOCATIONS[generated.function.__code__] = ctx.return_where
    if any(ctx.bound_where.values()):
        runtime.BOUND_LOCATIONS[generated.function.__code__] = {
            var: where for var, where in ctx.bound_where.items() if where}
    generated.helpers = ctx.helper_generated
    generated.calls = dict(ctx.helper_cells)  # local name -> cell of a called helper
    generated.function.__s2sgrad__ = generated
    generated.container_params = {p for p in ctx.params
                                  if p in getattr(ctx, 'container_vars', ())}
    generated.maybe_list_params = generated.container_params | \
        (set(getattr(ctx, 'maybe_lists', ())) & set(ctx.params))
    generated.resized_params = _resized_params(ctx)
    generated.returns_sequence = getattr(ctx, 'returns_sequence', False)
    generated.returns_holder = getattr(ctx, 'returns_holder', False)
    generated.function.helpers = [h.function for h in ctx.helper_generated]
    if not cache:
        return generated
    ctx.builder.cache[ctx.key] = generated
    for cell in getattr(generated, 'waiting', []):
        cell.cell_contents = generated.function
    for fwd_cell, bwd_cell in getattr(generated, 'waiting_split', []):
        fwd_cell.cell_contents = split[0].function
        bwd_cell.cell_contents = split[1].function
    return generated


def link_part(ctx, node):
    """`link` the forward part `node` of a VJP (see `split_motion`), or the same forward
    part made before: the VJPs of a function with respect to different arguments often
    save the same values, and the printed unit then defines the function once."""
    key = _part_key(ctx, node)
    found = ctx.builder.parts.get(key) if key is not None else None
    if found is not None:
        ctx.helper_generated.extend(found.helpers)
        return found
    generated = link(ctx, node, node.name, None, cache=False)
    generated.forward_part = True
    if key is not None:
        ctx.builder.parts[key] = generated
    return generated


def _part_key(ctx, node):
    """What makes two forward parts the same function: their code, globals and the objects
    their free names denote (None when a helper it calls is not made yet)."""
    if ctx.source.globals is None:
        return None
    text = to_source(node)
    bound = []
    for var in sorted(set(n.names_read(node))):
        cell = ctx.helper_cells.get(var)
        if cell is not None:
            try:
                bound.append((var, id(cell.cell_contents)))
            except ValueError:
                return None
        elif var in ctx.source.cells:  # a closure variable: read when the code runs
            bound.append((var, id(ctx.source.cells[var])))
        elif var in ctx.names.bindings:
            bound.append((var, id(ctx.names.bindings[var])))
    defaults, kwdefaults = _default_values(ctx, node)
    return text, id(ctx.source.globals), tuple(bound), tuple(map(id, defaults)), \
        tuple((k, id(v)) for k, v in sorted(kwdefaults.items()))


def _cells(ctx, node, namespace):
    """The closure cells of the generated function, and the names it pins."""
    source = ctx.source
    cells = dict(source.cells)
    pins = []
    replaced = [n.expr(call) for call in ctx.replaced_calls]
    own = _source_names(source)
    for var in sorted(set(n.names_read(node)) | set(n.names_read(gast.Module(
            body=replaced, type_ignores=[])))):
        if var in ctx.names.bindings or var in ctx.helper_cells or \
                var not in source.namespace:
            continue
        if var not in own and getattr(builtins, var, None) is not None and \
                source.namespace[var] is not getattr(builtins, var):
            # (a built-in the generated code reads, ``list(blist)``, that your module binds
            # to something else, which your function does not read)
            cells[var] = types.CellType(getattr(builtins, var))
            continue
        obj = source.namespace[var]
        if callable(obj) or isinstance(obj, types.ModuleType):
            pins.append((var, obj, source.cells.get(var), namespace))
            if var not in ctx.live_names:  # live: read at call time (see `_live`)
                cells[var] = types.CellType(obj)
    pins.extend(ctx.extra_pins)
    pinned = {pin[0] for pin in pins}
    for var in sorted(_source_names(source) - pinned):
        # (a name your function calls that the derivative no longer reads: ``act(x)`` whose
        # derivative is ``np.cos(x)`` was still built for `act` being np.sin)
        obj = source.namespace[var]
        if callable(obj) or isinstance(obj, types.ModuleType):
            pins.append((var, obj, source.cells.get(var), namespace))
    for var, value in ctx.names.bindings.items():
        cells[var] = types.CellType(value)
    cells.update(ctx.helper_cells)
    return cells, pins


def _resized_params(ctx):
    """Parameters that are an operand of ``+`` or ``*`` in the function's normal form
    (``l * 2``, ``l + l``, ``l + [v]``): for a list passed, a repetition or concatenation,
    which the derivative, made for arrays, takes for arithmetic (see `CallAdjoint.checked`)."""
    params = set(ctx.params)
    found = set()
    for stmt in getattr(ctx, 'body_all_statements', ()):
        value = getattr(stmt, 'value', None)
        if isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Mult)):
            found.update(side.id for side in (value.left, value.right)
                         if isinstance(side, gast.Name) and side.id in params)
    return frozenset(found)


def _source_names(source):
    """The free names the source function reads that its namespace holds (not its own
    parameters and local variables)."""
    node = source.node
    local = _local_names(node)
    return {var for var in n.names_read(node) if var not in local and var in source.namespace}


def _local_names(node):
    """The names a function `node` binds: its parameters and the names it assigns."""
    args = getattr(node, 'args', None)
    params = [] if args is None else args.posonlyargs + args.args + args.kwonlyargs + \
        [a for a in (args.vararg, args.kwarg) if a is not None]
    return set(n.names_stored(node)) | {a.id for a in params}


def _attribute_pins(ctx, node):
    """``(holder, attributes, object)`` for each called ``Holder.attr`` of a class or
    module (``Net.forward``, ``ops.act``): the derivative was built for that object."""
    original = ctx.source.node  # (calls the derivative no longer makes: ``cfg.act(x)``)
    local = _local_names(node) | _local_names(original)
    pins = {}
    replaced = gast.Module(body=[n.expr(call) for call in ctx.replaced_calls], type_ignores=[])
    for call in list(n.walk(node)) + list(n.walk(replaced)) + list(n.walk(original)):
        if not isinstance(call, gast.Call) or not isinstance(call.func, gast.Attribute):
            continue
        path = n.dotted_path(call.func)
        root, *parts = path.split('.') if path else ('s2s',)
        if root == 's2s' or root in local or path in pins:
            continue
        holder = ctx.names.bindings.get(root, ctx.source.namespace.get(root, MISSING))
        obj = static_path(holder, parts)
        if holder is not MISSING and obj is not MISSING:
            pins[path] = (holder, tuple(parts), obj)
    return list(pins.values())


def _default_values(ctx, node):
    """The values of the generated function's defaults: the source function's own."""
    args = node.args
    positional = list(args.posonlyargs) + list(args.args)
    with_default = positional[len(positional) - len(args.defaults):]
    defaults = [_default_value(ctx, arg.id, expr)
                for arg, expr in zip(with_default, args.defaults)]
    kwdefaults = {arg.id: _default_value(ctx, arg.id, expr)
                  for arg, expr in zip(args.kwonlyargs, args.kw_defaults)
                  if expr is not None}
    return defaults, kwdefaults


def _default_value(ctx, param, expr):
    if param in ctx.source.defaults:
        return ctx.source.defaults[param]
    if isinstance(expr, gast.Constant):
        return expr.value
    tree = gast.gast_to_ast(gast.Expression(body=n.clone(expr)))
    try:
        return eval(compile(tree, ctx.source.filename, 'eval'), dict(ctx.source.namespace))
    except Exception as error:
        raise ctx.unsupported(expr, f'the default value of `{param}`, which s2sgrad '
                                    f'cannot evaluate ({type(error).__name__}: {error}); '
                                    f'give the parameter a literal default, or pass '
                                    f'the value at each call') from None


def static_path(holder, parts):
    """The attribute `parts` of `holder`, as stored (no descriptors run), or MISSING."""
    for part in parts:
        if holder is MISSING:
            return MISSING
        try:
            holder = inspect.getattr_static(holder, part)
        except AttributeError:
            return MISSING
    return holder


MISSING = object()
"""What `static_path` gives for an attribute that is not there."""
