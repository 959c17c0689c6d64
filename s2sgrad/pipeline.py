"""One transformation, pass by pass: parse, fence, normalise, analyse, differentiate,
optimise, print and compile.

`run(ctx)` is the whole pipeline; each step is one call. The `Context` (see `context.py`)
holds what the steps share: the source, the namer, the analyses of the normalised body.

    source (FunctionSource)
      -> fence, lower, canonicalise   fence.py, comprehensions.py, canonical.py: the source
                                      AST checked, comprehensions made loops, exits made flags
      -> normalise                    anf.py, ssa.py, reuse_reads.py: one operation per
                                      statement, a repeated read of an item reused
      -> analyse                      activity.py, effects.py, shapes.py, inplace.py
      -> differentiate                reverse_function.py (ReversePass, reverse.py)
                                      or forward_function.py (ForwardPass, forward.py)
      -> optimise                     optimize.py, simplify.py, standins.py
      -> print, compile, cache        linking.py (printer.py, compiling.py)
    -> Generated (builder.py)
"""
import builtins

import types

import gast

from . import inplace, mutation, nodes as n, runtime, scalar_version, split_motion
from .activity import Activity, integer_arrays, target_names
from .anf import Normalizer
from .callees import sequence_calls
from .calls import nested_functions
from .canonical import Canonicalizer
from .chained_indexes import fill_items_first, join_chained_indexes
from .dict_constructs import refuse_put_backs_reversed
from .dict_views import views_as_lists
from .comprehensions import lower_comprehensions
from .complex_values import refuse_complex
from .constructs import rewrite_constructs, unpack_constants
from .effects import check_effects
from .errors import NonScalarOutputError, WrtError, format_location
from .fence import fence
from .fields import is_field_read
from .randomness import mark_draws
from .call_effects import mark_effects
from .float_values import float_variables
from .integer_points import check_integer_points
from .forward_function import forward_function
from .invariance import cancelled_shifts
from .linking import link, link_part
from .modes import Mode
from .dispatch import dispatch_by_class
from .raising_calls import raise_calls_of_none, raise_missing_module_functions
from .varargs import pack_method_varargs
from .methods import bind_methods, global_receivers, known_receivers, receivers_of_temporaries
from .optimize import optimize
from .own_results import own_results
from .restore_copies import copy_before_restores
from .resolve import Resolver
from .scopes import default_expressions
from .reuse_reads import reuse_reads
from .reverse_function import reverse_function
from .shapes import ShapeClasses
from .shadowed_builtins import rename_shadowed_builtins
from .slice_stores import list_names
from .ssa import rename_versions
from .standins import save_shapes
from .unbound_methods import bind_unbound_methods
from .unbound_reads import check_unbound_reads


def run(ctx):
    """Generate, compile and cache the derivative that `ctx` describes; its `Generated`."""
    return forward_mode(ctx) if ctx.mode.forward else reverse_mode(ctx)


def reverse_mode(ctx):
    """The pipeline of a gradient, a value and gradient, or a vector-Jacobian product."""
    refuse_put_backs_reversed(ctx)
    body, ret = analyse(ctx, normalise(ctx))
    made = reverse_function(ctx, body, ret)
    node = save_shapes(optimise(ctx, made)) if ctx.optimized else made.node
    copy_before_restores(node, made.seed_name)
    if ctx.mode in (Mode.GRAD, Mode.VALUE_AND_GRAD, Mode.COTANGENT):  # (public results)
        own_results(node, skip_first=ctx.mode is Mode.VALUE_AND_GRAD)
    if ctx.general is not None and not scalar_version.same_body(node, ctx.general.node):
        scalar_version.call_general(ctx, node)  # else knowing the numbers gained nothing
    parts = whole = None
    if ctx.split_names:  # a VJP: also its forward and backward parts (`split_motion`)
        fwd, bwd = split_motion.split(node, made.seed_name, ctx.split_names, ctx.namer)
        if node.name in n.names_read(bwd):
            # a recursive call in joint motion (its arguments change in place): the
            # backward part calls this whole VJP, made below, through a cell
            whole = ctx.helper_cells[node.name] = types.CellType()
        parts = (link_part(ctx, fwd), link(ctx, bwd, bwd.name, made.seed_name, cache=False))
        for (fwd_cell, bwd_cell) in ctx.split_cells:
            fwd_cell.cell_contents = parts[0].function
            bwd_cell.cell_contents = parts[1].function
        node = split_motion.without_marker(node)
    generated = link(ctx, node, node.name, made.seed_name, made.tangent_names, split=parts)
    if whole is not None:
        whole.cell_contents = generated.function
    return generated


def forward_mode(ctx):
    """The pipeline of a Jacobian-vector product (a function's tangent)."""
    body, ret = analyse(ctx, normalise(ctx))
    made = forward_function(ctx, body, ret)
    node = optimise(ctx, made) if ctx.optimized else made.node
    if ctx.mode is Mode.JVP:
        own_results(node)
    return link(ctx, node, node.name, made.seed_name, made.tangent_names)


def optimise(ctx, made):
    """The optimised FunctionDef of the `Derivative` `made` (see `optimize.optimize`)."""
    return optimize(made.node, made.keep, ctx.shapes.same, declared=ctx.declared,
                    resolver=ctx.resolver, stacks=made.stacks,
                    changed=ctx.recent_sharers, lists=getattr(ctx, 'list_names', ()),
                    data=_inactive(ctx))


def normalise(ctx):
    """Fence and canonicalise the source function, then normalise its body: one operation
    per statement (A-normal form), each variable assigned once where possible."""
    func = ctx.func
    check_returns(ctx, func)
    for name in ctx.wrt:
        if name == ctx.vararg and not ctx.mode.seeded and ctx.mode is not Mode.FORWARD:
            raise WrtError(f'wrt={name!r} is the `*{name}` parameter of `{ctx.source.name}`: '
                           f's2sgrad differentiates with respect to named parameters; pass '
                           f'the values as one tuple parameter and differentiate that\n' +
                           format_location(*ctx.where(func)))
    rename_shadowed_builtins(func, ctx.namer, ctx.params)  # (``slice = 2.0``: `slice_2`)
    rewrite_constructs(ctx)
    fence(func, ctx.source.filename, ctx.source.lines, ctx.source.name)
    lower_comprehensions(func, ctx.namer, ctx.source.namespace, ctx.unsupported, ctx.wrt)
    for name in ctx.wrt:
        if name not in ctx.params:
            raise WrtError(f'wrt={name!r} names no parameter of `{ctx.source.name}` '
                           f'(parameters: {", ".join(ctx.params)})')
    ctx.receivers = known_receivers(func, getattr(ctx.source, 'receivers', {}))
    ctx.receivers.update(global_receivers(func, ctx))  # (``MODEL.loss(x)``)
    bind_methods(func, ctx.receivers, ctx.names, getattr(ctx.source.func, '__code__', None))
    dispatch_by_class(func, ctx)  # (``for layer in self.layers:``)
    raise_calls_of_none(func, ctx.source.lines)  # (``self.act = None``)
    # (``np.trapz`` that this NumPy has not, in a branch a version check skips)
    raise_missing_module_functions(func, ctx.source.namespace, ctx.source.lines)
    pack_method_varargs(func)  # (``def __call__(self, *args)``)
    ctx.namer.taken.update(ctx.names.bindings)  # (``absolute`` for ``self.act = np.abs``)
    ctx.nested = nested_functions(ctx, func)
    resolver = Resolver(ctx.visible(), set(n.names_stored(func)) | set(ctx.params))
    bind_unbound_methods(func, resolver, ctx.unsupported)  # (``np.ndarray.sort(c)``)
    # (``A[i][j] = v`` into an array made here: ``A[i, j] = v``, not a write into a view)
    join_chained_indexes(func, resolver)
    fill_items_first(func, resolver, ctx.namer)  # (``xs[t] = np.zeros(V); xs[t][i] = 1``)
    views_as_lists(func, resolver)  # (``sorted(d.items())``: ``sorted(s2s.items_of(d))``)
    if not (ctx.source.filename or '').startswith('<s2sgrad'):  # (generated: checked before)
        func.body = check_unbound_reads(func.body, ctx.params)  # (``if c: y = ...``; ``y``)
    canonical = Canonicalizer(ctx.source, ctx.namer, ctx.wrt)
    canonical.run(func)
    nested = {name: info[0] for name, info in ctx.nested.items()}
    mark_draws(func, ctx.source.namespace, nested)
    mark_effects(func, ctx.source.namespace, nested)
    ctx.may_return_none = canonical.falls_through
    ctx.returned = canonical.result_name
    ctx.return_flag = canonical.flag_name  # (``returned = True`` of a return in a loop)
    ctx.resolver = Resolver(ctx.visible(), set(n.names_stored(func)) | set(ctx.params))
    # (the enclosing variables a nested function reads, in its body or its default values,
    # which its calls pass: `calls._lift`)
    ctx.closures = {name: list(info[1]) + [v for _, default in default_expressions(info[0])
                                           for v in n.names_read(default)]
                    for name, info in ctx.nested.items()}
    activity = Activity(func.body, ctx.wrt, ctx.resolver, ctx.closures,
                        constants=integer_arrays(func.body, ctx.resolver, ctx.params))
    body = unpack_constants(Normalizer(activity, ctx.namer).run(func.body))
    rename_versions(body, ctx.params, ctx.namer)
    body = reuse_reads(inplace.merge_aliases(ctx, body), ctx.params)
    return check_integer_points(ctx, body)  # (``y = x.copy(); y[0] = v`` of an integer `x`)


def _inactive(ctx):
    """The parameters not differentiated and the variables of the body that carry no
    derivative: values that may be integers, whose arithmetic the simplifier keeps as
    written (`normal_form.Normalizer._whole`)."""
    names = set(ctx.params) | {name for stmt in getattr(ctx, 'body_all_statements', ())
                               for name in n.names_stored(stmt)}
    return sorted(names - set(ctx.activity.active) - set(ctx.wrt))


def analyse(ctx, body):
    """The facts the differentiation reads, stored on `ctx`: names, activity, effects,
    mutation, containers, shapes, and whether a version for Python numbers is made.
    Returns the body without its final ``return``, and that return."""
    ctx.resolver = Resolver(ctx.visible(), set(n.names_stored(
        gast.Module(body=body, type_ignores=[]))) | set(ctx.params))
    ctx.activity = Activity(body, ctx.wrt, ctx.resolver, ctx.closures,
                            constants=cancelled_shifts(body, ctx.resolver) |
                            integer_arrays(body, ctx.resolver, ctx.params))
    ctx.receivers = receivers_of_temporaries(body, ctx.receivers)
    if refuse_complex(ctx, body):  # (what it rewrote carries no derivative)
        ctx.activity = Activity(body, ctx.wrt, ctx.resolver, ctx.closures,
                                constants=cancelled_shifts(body, ctx.resolver) |
                                integer_arrays(body, ctx.resolver, ctx.params))
    body = check_effects(body, ctx)
    ret = body[-1]
    if not isinstance(ret, gast.Return):
        ret = gast.Return(value=n.const(None))
        body.append(ret)
    body = body[:-1]
    ctx.body = body
    ctx.body_all_statements = list(n.statements(body))
    ctx.occurrences, ctx.assignment_counts = _occurrences(body + [ret], ctx.params)
    ctx.mutated = inplace.mutated_names(body)
    ctx.assigned_into = mutation.assigned_into(body)  # (split motion: `calls.splittable`)
    inplace.refuse_aliased_lists(ctx, body + [ret])
    ctx.container_vars = _containers(body) | _returned_params(ret, ctx.params) | \
        _read_by_item(body + [ret], ctx.params)
    ctx.float_vars = float_variables(body, ctx.resolver, ctx.wrt, ctx.params) | \
        ctx.container_vars
    # names that may hold lists, whose adjoints add with ``s2s.add`` (`calls` adds the
    # arguments that a helper's derivative gives back lists for)
    ctx.maybe_lists = _indexed_params(body + [ret], ctx.params)
    scalars = {s.targets[0].id for s in body if isinstance(s, gast.Assign) and
               isinstance(s.targets[0], gast.Name) and
               scalar_version.statically_scalar(ctx, s.targets[0].id, body)}
    # (lists and tuples: ``p * 2`` repeats and ``p + q`` concatenates them, neither keeps a
    # shape)
    # (``lst[1:2] = [a, b]`` keeps a list a list: `slice_stores`)
    ctx.list_names, ctx.written_slices = list_names(
        ctx.body_all_statements, ctx.params, sequence_calls(ctx, ctx.body_all_statements),
        known=[ctx.vararg] if ctx.vararg else [])
    ctx.shapes = ShapeClasses(ctx.body_all_statements, ctx.params, ctx.resolver,
                              scalars, numbers=ctx.scalar_params, lists=ctx.list_names)
    if not ctx.scalar_params and ctx.general is None:
        ctx.scalar_guard = scalar_version.scalar_guard(ctx)
        if ctx.scalar_guard:  # the version for any arguments, called by the other
            ctx.name = ctx.namer.fresh(ctx.function_name() + '_general')
    return body, ret


def check_returns(ctx, func):
    """Raise NonScalarOutputError for a function that returns nothing or a string, and
    UnsupportedSyntaxError for a generator function."""
    returns = [node for stmt in func.body for node in n.walk(stmt)
               if isinstance(node, gast.Return)]
    nested = {id(node) for stmt in func.body for inner in n.walk(stmt)
              if isinstance(inner, (gast.FunctionDef, gast.Lambda))
              for node in n.walk(inner)}
    returns = [r for r in returns if id(r) not in nested]
    for stmt in func.body:
        for node in n.walk(stmt):
            if isinstance(node, (gast.Yield, gast.YieldFrom)) and id(node) not in nested:
                raise ctx.unsupported(stmt, 'a generator function (`yield`): its values come '
                                            'out one by one; collect them in a list and '
                                            'return it', node=node)
    bad = None
    if not returns:
        bad, what = func, 'has no `return` statement (it returns None)'
    bad_returns = 0
    for ret in returns:
        value = ret.value
        if value is None or isinstance(value, gast.Constant) and \
                (value.value is None or isinstance(value.value, (str, bytes))):
            bad = ret
            what = f'returns {"None" if value is None else repr(value.value)}'
        elif ctx.mode.gradient and (
                isinstance(value, (gast.Dict, gast.List, gast.Set)) or
                isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and
                value.func.id in ('dict', 'list', 'set') and
                ctx.source.namespace.get(value.func.id) is getattr(builtins,
                                                                   value.func.id)):
            bad = ret
            what = 'returns a container'
        if bad is ret:
            bad_returns += 1
    if returns and bad_returns < len(returns):
        bad = None  # other paths return values: the gradient checks the one taken
    if bad is None:
        # (a derivative's derivative: the output its checks are about is the function's own)
        code = getattr(ctx.source.func, '__code__', None)
        ctx.return_where = code is not None and runtime.OUTPUT_LOCATIONS.get(code) or \
            ctx.where(returns[-1])
        return
    raise NonScalarOutputError(
        f'`{ctx.source.name}` {what}, but a derivative needs a number or an array; '
        f'return the value to differentiate\n' + format_location(*ctx.where(bad)))


def _containers(body):
    """Variables that hold dicts (indexed by a string, or whose keys a loop reads) or that are
    unpacked (``a, b = params``) or converted (``list(params)``: a tuple or list, most
    often): their adjoints are added with ``s2s.add``, which adds dicts key by key and lists
    item by item (and arrays as ``+``)."""
    found = set()
    copies, items = [], []
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Name) and \
                isinstance(stmt.targets[0], (gast.Tuple, gast.List)):
            found.add(stmt.value.id)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Name) and \
                isinstance(stmt.targets[0], gast.Name):
            copies.append((stmt.targets[0].id, stmt.value.id))
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Subscript) and \
                isinstance(stmt.value.value, gast.Name):
            items.append((stmt.targets[0].id, stmt.value.value.id))
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Call) and n.dotted_path(stmt.value.func) in _DICTS:
            found.add(stmt.targets[0].id)  # (``d = dict()``: keys added by ``d[i] = v``)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Call) and \
                isinstance(stmt.value.func, gast.Attribute) and \
                stmt.value.func.attr == 'copy' and not stmt.value.args and \
                isinstance(stmt.value.func.value, gast.Name):
            copies.append((stmt.targets[0].id, stmt.value.func.value.id))  # (``e = d.copy()``)
        for node in n.walk(stmt):
            if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                    isinstance(node.slice, gast.Constant) and isinstance(node.slice.value, str):
                found.add(node.value.id)
            elif isinstance(node, gast.Call) and \
                    n.dotted_path(node.func) in ('s2s.keys', 'list', 'tuple', 's2s.values_of',
                                                 's2s.items_of', 's2s.dict_copy') and \
                    node.args and isinstance(node.args[0], gast.Name):
                found.add(node.args[0].id)
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    node.func.attr in _MAPPING_METHODS and \
                    isinstance(node.func.value, gast.Name):
                found.add(node.func.value.id)  # (``p.get('W')``: a dict)
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    node.func.attr == 'pop' and isinstance(node.func.value, gast.Name):
                # (``p.pop(0)``: a list, or a dict whose key a later ``p[0] = v`` adds)
                found.add(node.func.value.id)
    changed = True
    while changed:  # (``p = params`` then ``W, b = p``: `params` holds a container too)
        changed = False
        for target, source in copies:
            if (target in found) != (source in found):  # (two names of one object)
                found |= {target, source}
                changed = True
        for target, source in items:
            # (``g = groups[0]`` then ``g['mu']``: a list or dict of dicts, no array)
            if target in found and source not in found:
                found.add(source)
                changed = True
    return found


_MAPPING_METHODS = frozenset({'get', 'values', 'items', 'keys'})
_DICTS = frozenset({'dict', 's2s.dict_copy', 'collections.OrderedDict', 'OrderedDict',
                    'collections.defaultdict', 'defaultdict'})
"""Calls that make a dict (``dict(d)``, ``{**d}`` as ``s2s.dict_copy(d)``): keys are added to
it by ``d[k] = v``."""


def _returned_params(ret, params):
    """Parameters that the `ret` statement returns whole (``return p``, ``return p, x``):
    their adjoint is the caller's, a list where the caller unpacks the result, which a caller
    that passes them on adds item by item (``s2s.add``)."""
    value = getattr(ret, 'value', None)
    values = value.elts if isinstance(value, (gast.Tuple, gast.List)) else [value]
    return {v.id for v in values if isinstance(v, gast.Name) and v.id in params}


def _indexed_params(body, params):
    """Parameters read by item or slice (``p[0]``, ``p[i]``, ``p[1:]``), measured or read as
    an array (``np.asarray(p)``, whose adjoint is the list of its items for a list): their
    adjoints are built by item (``s2s.unindex``), a list where the caller passes a list, so
    a caller adds what this function's derivative gives back for them with ``s2s.add``
    (see `calls`)."""
    found, copies = set(), []
    for stmt in n.statements(body):
        value = stmt.value if isinstance(stmt, gast.Assign) else None
        if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.sized' and \
                len(value.args) == 1:
            value = value.args[0]
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                value.func.attr == 'copy' and not value.args and not value.keywords:
            value = value.func.value  # (``u = u0.copy()`` of a list: its adjoint is a list)
        if isinstance(value, gast.Name) and isinstance(stmt.targets[0], gast.Name):
            copies.append((stmt.targets[0].id, value.id))  # (``items = s2s.sized(x)``, the
            # copy a loop ``for x in x:`` indexes)
        for node in n.walk(stmt):
            if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
                found.add(node.value.id)
            elif isinstance(node, gast.Call) and n.dotted_path(node.func) in _ITEMWISE and \
                    node.args and isinstance(node.args[0], gast.Name):
                found.add(node.args[0].id)
    while True:  # (``u = u0.copy()``, then ``un = u.copy()``)
        more = {source for copy, source in copies if copy in found} - found
        if not more:
            return found & set(params)
        found |= more


_ITEMWISE = frozenset({'len', 'np.asarray', 'np.array', 'np.asanyarray', 'np.stack'})
"""Calls whose first argument's adjoint is a list where the argument is one (its items, by
``s2s.unstack``), or that measure it."""


def _read_by_item(body, params):
    """Parameters read only as ``p[0]``, ``p[1]``, ... (integer constants) or as the fields
    of a namedtuple (``p.W``), never assigned: a tuple or list of parameters, most often
    (``W = params[0]``), whose adjoint a caller that passes it on adds item by item
    (``s2s.add``, which adds arrays as ``+`` too)."""
    reads, items, stored = {}, {}, set()
    for stmt in n.statements(body):
        stored.update(n.names_stored(stmt))
        called = {id(node.func) for node in n.walk(stmt) if isinstance(node, gast.Call)}
        for node in n.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                reads[node.id] = reads.get(node.id, 0) + 1
            elif isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                    _integer_constant(node.slice) and isinstance(node.ctx, gast.Load) or \
                    is_field_read(node) and id(node) not in called:
                items[node.value.id] = items.get(node.value.id, 0) + 1
            elif isinstance(node, gast.Call) and n.dotted_path(node.func) == 's2s.field' and \
                    node.args and isinstance(node.args[0], gast.Name):  # (see `fields`)
                items[node.args[0].id] = items.get(node.args[0].id, 0) + 1
    return {p for p in params
            if p not in stored and reads.get(p) and reads.get(p) == items.get(p)}


def _integer_constant(node):
    """Whether `node` is an integer literal, negative ones (``-1``) included."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) is int


def _occurrences(body, params):
    """Where each name occurs (ids of simple statements and compound headers), and how
    often it is assigned."""
    occurrences = {}
    counts = {p: 1 for p in params}
    for stmt in n.statements(body):
        if isinstance(stmt, gast.If):
            names = n.names_read(stmt.test)
        elif isinstance(stmt, gast.For):
            names = n.names_read(stmt.iter) + n.names_stored(stmt.target)
            for name in n.names_stored(stmt.target):
                counts[name] = counts.get(name, 0) + 2
        elif isinstance(stmt, gast.While):
            names = n.names_read(stmt.test)
        else:
            names = list(n.all_names(stmt))
            if isinstance(stmt, gast.Assign):
                for name in target_names(stmt.targets[0]):
                    counts[name] = counts.get(name, 0) + 1
        for name in names:
            occurrences.setdefault(name, []).append(id(stmt))
    return occurrences, counts
