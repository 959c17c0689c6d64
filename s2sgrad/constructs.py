"""Constructs rewritten into ones the pipeline differentiates, before the fence.

Each rewrite keeps the meaning of the code and makes it read as a person would write it:

- a lambda becomes a nested ``def`` defined just before its statement (``sq = lambda t: t * t``
  becomes ``def sq(t): return t * t``; one called at once, or passed to ``map`` or to
  ``s2sgrad.grad``, gets a fresh name), and ``map(lambda t: t * 2, xs)`` becomes the
  comprehension ``[t * 2 for t in xs]``;
- a ``*args`` parameter of a nested ``def`` becomes a tuple parameter, and each call packs
  its extra positional arguments into a tuple (``h(x, y)`` -> ``h((x, y))``); a call of a
  module function with ``*args`` passes them as one tuple (``g(x, y)`` -> ``g(*(x, y))``),
  which its generated helper, keeping ``*args``, differentiates as a tuple parameter;
- a parameter whose default is a function, and which is only called, calls the default
  (``def f(x, act=np.tanh): act(x)`` reads ``np.tanh(x)``), or, in the helper of a call that
  passes a module's function (``f(x, act=np.sin)``, see `calls`), that function; the
  generated code checks that its caller passed that function (`runtime_checks.check_default`);
- ``s2sgrad.grad(g)(x)`` and ``value_and_grad`` (also through ``dg = grad(g)``) become calls
  of the generated derivative of `g` (a module function, a nested ``def`` or a lambda, whose
  enclosing variables the call passes by keyword), differentiated as any user function.
"""
import builtins
import inspect
import types

import gast

from . import nodes as n
from . import rules
from .comprehensions import CONSUMERS
from .modes import Mode
from .resolve import Resolver
from .scopes import default_expressions, function_scope, is_literal, own_scope_nodes

_COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)


def rewrite_constructs(ctx):
    """Rewrite `ctx.func` in place (see the module docstring); raises UnsupportedSyntaxError
    (through `ctx.unsupported`) for what it cannot rewrite soundly."""
    func = ctx.func
    ops = _operators()
    _function_defaults(ctx, func)
    resolver = _resolver(ctx, func)
    _maps(ctx, func, resolver)
    func.body = _Hoister(ctx, resolver, ops).block(func.body)
    resolver = _resolver(ctx, func)
    _nested_grads(ctx, func, resolver, ops)
    _pack_varargs(ctx, func, resolver)


def _resolver(ctx, func):
    locals_ = set(n.names_stored(func)) | set(ctx.params)
    return Resolver(ctx.visible(), locals_)


def _operators():
    from . import api, operators
    return {api.grad: Mode.GRAD, api.value_and_grad: Mode.VALUE_AND_GRAD,
            operators.jvp: None, operators.vjp: None, operators.hessian: None,
            operators.hvp: None, operators.jacobian: None}


def _is_operator(resolver, node, ops):
    try:
        return resolver.lookup(node) in ops
    except TypeError:  # an unhashable object
        return False


# -- lambdas --------------------------------------------------------------------------------
class _Hoister:
    """Lambdas made nested ``def``s, each defined just before the statement that holds it."""

    def __init__(self, ctx, resolver, ops):
        self.ctx = ctx
        self.resolver = resolver
        self.ops = ops

    def block(self, stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.FunctionDef):
                stmt.body = self.block(stmt.body)
                out.append(stmt)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and \
                    isinstance(stmt.value, gast.Lambda):
                out.extend(self._defs(stmt, stmt.value.body, ()))
                out.append(self._as_def(stmt.value, stmt.targets[0].id, stmt))
                continue
            headers = [value for field, value in gast.iter_fields(stmt)
                       if field not in ('body', 'orelse') and isinstance(value, gast.AST)] + \
                [v for field, value in gast.iter_fields(stmt) if isinstance(value, list)
                 and field not in ('body', 'orelse') for v in value if isinstance(v, gast.AST)]
            for header in headers:
                out.extend(self._defs(stmt, header, ()))
            for field, block in n.blocks(stmt):
                setattr(stmt, field, self.block(block))
            out.append(stmt)
        return out

    def _defs(self, stmt, node, comp_vars):
        """The defs of the lambdas to hoist in expression `node` (replaced by their names)."""
        defs = []
        if isinstance(node, _COMPREHENSIONS):
            comp_vars = comp_vars + tuple(v for g in node.generators
                                          for v in n.names_stored(g.target))
        for field, value in gast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for index, child in enumerate(children):
                if not isinstance(child, gast.AST):
                    continue
                if isinstance(child, gast.Lambda) and self._hoisted(node, field, index):
                    reads = [v for v in n.names_read(child.body)
                             if v in comp_vars and v not in _params(child)]
                    if reads:
                        raise self.ctx.unsupported(stmt, (
                            f'a `lambda` in a comprehension that reads the comprehension\'s '
                            f'variable `{reads[0]}`: s2sgrad makes a lambda a nested `def` '
                            f'before its statement, where `{reads[0]}` is not defined; write '
                            f'a `for` loop, or pass `{reads[0]}` to the lambda as an argument'),
                            node=child)
                    name = self.ctx.namer.fresh('fn')
                    defs.append(self._as_def(child, name, stmt))
                    if isinstance(value, list):
                        value[index] = n.name(name)
                    else:
                        setattr(node, field, n.name(name))
                else:
                    defs.extend(self._defs(stmt, child, comp_vars))
        return defs

    def _hoisted(self, parent, field, index):
        """Whether the lambda at `parent.field[index]` is hoisted: called at once, or the
        function that an s2sgrad operator differentiates."""
        if not isinstance(parent, gast.Call):
            return False
        if field == 'func':
            return True
        return field == 'args' and index == 0 and \
            _is_operator(self.resolver, parent.func, self.ops)

    def _as_def(self, lam, name, stmt):
        body = gast.Return(value=lam.body)
        node = gast.FunctionDef(name=name, args=lam.args, body=[body], decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        for made in (node, body):
            gast.copy_location(made, lam)
            made.end_lineno, made.end_col_offset = lam.end_lineno, lam.end_col_offset
        node.body = self.block(node.body)  # lambdas inside this one
        return node


def _params(lam):
    args = lam.args
    names = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.id for a in (args.vararg, args.kwarg) if a is not None]
    return names


# -- map ------------------------------------------------------------------------------------
def _maps(ctx, func, resolver):
    """``list(map(g, xs))`` -> ``[g(item) for item in xs]``; ``map(lambda t: e, xs)`` -> ``[e
    for t in xs]`` (a generator where `sum`, `max`, ... consume `map`'s result)."""
    for node in list(n.walk(func)):
        consumer = isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            node.func.id in CONSUMERS and _is_builtin(resolver, node.func, node.func.id)
        for field, value in gast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for index, child in enumerate(children):
                made = _map_comprehension(ctx, child, resolver, consumer and field == 'args')
                if made is None:
                    continue
                if isinstance(value, list):
                    value[index] = made
                else:
                    setattr(node, field, made)


def _is_builtin(resolver, node, name):
    return isinstance(node, gast.Name) and node.id == name and \
        resolver.lookup(node) is getattr(builtins, name)


def _map_comprehension(ctx, node, resolver, consumed):
    as_list = isinstance(node, gast.Call) and _is_builtin(resolver, node.func, 'list') and \
        len(node.args) == 1 and not node.keywords and isinstance(node.args[0], gast.Call) and \
        _is_builtin(resolver, node.args[0].func, 'map')
    inner = node.args[0] if as_list else node
    if not as_list and not (consumed and isinstance(node, gast.Call) and
                            _is_builtin(resolver, node.func, 'map')):
        return None  # a `map` object kept: no derivative rule
    if len(inner.args) < 2 or inner.keywords or \
            any(isinstance(a, gast.Starred) for a in inner.args):
        return None
    fn, iters = inner.args[0], inner.args[1:]
    plain = isinstance(fn, gast.Lambda) and not fn.args.posonlyargs and \
        not fn.args.kwonlyargs and fn.args.vararg is None and fn.args.kwarg is None and \
        len(fn.args.args) == len(iters)
    if plain:
        names, elt = [a.id for a in fn.args.args], fn.body
    else:
        names = [ctx.namer.fresh('item') for _ in iters]
        elt = gast.Call(func=fn, args=[n.name(v) for v in names], keywords=[])
    if len(iters) == 1:
        target, source = n.name(names[0], store=True), iters[0]
    else:
        target = n.tuple_([n.name(v, store=True) for v in names], store=True)
        source = gast.Call(func=n.name('zip'), args=list(iters), keywords=[])
    generators = [gast.comprehension(target=target, iter=source, ifs=[], is_async=0)]
    made = (gast.ListComp if as_list else gast.GeneratorExp)(elt=elt, generators=generators)
    for sub in gast.walk(made):
        if isinstance(sub, (gast.expr, gast.stmt)) and getattr(sub, 'lineno', None) is None:
            gast.copy_location(sub, node)
            sub.end_lineno, sub.end_col_offset = node.end_lineno, node.end_col_offset
    return made


# -- parameters whose default is a function -------------------------------------------------
def _function_defaults(ctx, func):
    """Calls of a parameter whose default is a function call the default (module docstring)."""
    loads = {}
    stored = set(n.names_stored(gast.Module(body=func.body, type_ignores=[])))
    called = {id(node.func) for node in n.walk(func) if isinstance(node, gast.Call)}
    for node in n.walk(func):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            loads.setdefault(node.id, []).append(node)
    expressions = dict(default_expressions(func))
    for param in ctx.params:
        value = ctx.source.functions.get(param, ctx.source.defaults.get(param, _NONE))
        if param in ctx.wrt or param in stored or not is_function(value) or \
                not loads.get(param) or \
                any(id(use) not in called for use in loads[param]):
            continue
        expr = expressions.get(param)
        if expr is None or n.dotted_path(expr) is None or \
                Resolver(ctx.source.namespace, ()).lookup(expr) is not value:
            expr = _reach(ctx, value, param)
        for node in n.walk(func):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id == param:
                node.func = n.clone(expr)
        ctx.default_guards.append((param, n.clone(expr)))


_NONE = object()


def is_function(value):
    """Whether calls of a parameter bound to `value` are resolved to it: a Python function,
    a ufunc or a builtin function (not an instance or a class, whose calls may do more)."""
    return inspect.isfunction(value) or inspect.isbuiltin(value) or \
        type(value).__name__ == 'ufunc'


def _reach(ctx, value, param):
    """An expression for function `value` in the code: its name (``cube``) or a module's
    attribute (``np.sin``) where the function's namespace has them, else a name bound to it."""
    name = getattr(value, '__name__', '')
    if not name.isidentifier() or name == '<lambda>':
        name = param + '_default'
    namespace = ctx.source.namespace
    if namespace.get(name) is value and \
            name not in set(n.names_stored(ctx.func)) | set(ctx.params):
        return n.name(name)
    for root in sorted(namespace, key=lambda key: (key != 'np', key)):
        if isinstance(namespace[root], types.ModuleType) and \
                getattr(namespace[root], name, None) is value:
            return n.attr(root, name)
    return n.name(ctx.names.object(ctx.namer.fresh(name), value))


def default_guards(ctx):
    """``s2s.check_default(act, np.tanh, 'act', 'f')``: the statements that refuse a call
    passing another function than the default whose calls the code reads."""
    guards = []
    for param, expr in ctx.default_guards:
        guard = n.expr(n.call('s2s.check_default', n.name(param), n.clone(expr),
                              n.const(param), n.const(ctx.source.name)))
        guard.no_inline = {param}
        guards.append(guard)
    return guards


# -- s2sgrad.grad(g) called in the differentiated function ----------------------------------
def _nested_grads(ctx, func, resolver, ops):
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
                and _is_operator(resolver, node.value.func, ops) and \
                counts.get(node.targets[0].id) == 1:
            named[node.targets[0].id] = (node.value, node)
    uses = {}
    for node in nodes:
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                node.id in named:
            uses.setdefault(node.id, []).append(node)
    made = {}
    removed = set()
    for node in nodes:
        if not isinstance(node, gast.Call):
            continue
        if isinstance(node.func, gast.Call) and _is_operator(resolver, node.func.func, ops):
            op_call, via = node.func, None
        elif isinstance(node.func, gast.Name) and node.func.id in named:
            op_call, via = named[node.func.id][0], node.func.id
            called = {id(c.func) for c in nodes if isinstance(c, gast.Call)}
            if any(id(use) not in called for use in uses[node.func.id]):
                continue  # also used as a value: left as it is (and refused later)
        else:
            continue
        key = id(op_call)
        if key not in made:
            made[key] = _derivative(ctx, op_call, resolver, ops, defs)
        name, free = made[key]
        node.func = n.name(name)
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


# -- *args ----------------------------------------------------------------------------------
def _pack_varargs(ctx, func, resolver):
    """A ``*args`` parameter of a nested def becomes a tuple parameter; each call of it, or
    of a user function with ``*args``, packs its extra positional arguments in a tuple."""
    packed = {}  # nested function name -> (fixed positional count, vararg name)
    for node in n.walk(func):
        if isinstance(node, gast.FunctionDef) and node is not func and \
                node.args.vararg is not None and node.args.kwarg is None:
            args = node.args
            fixed = len(args.posonlyargs) + len(args.args)
            packed[node.name] = (fixed, args.vararg.id)
            param = args.vararg
            param.ctx = gast.Param()
            args.args = list(args.args) + [param]
            args.vararg = None
    for node in n.walk(func):
        if not isinstance(node, gast.Call):
            continue
        stars = [a for a in node.args if isinstance(a, gast.Starred)]
        if stars:  # ``g(x, *ys)`` (generated code): `ys` is bound to g's ``*args``
            found = _user_vararg(resolver, node.func)
            if found is not None and len(stars) == 1 and len(node.args) == found[0] + 1 and \
                    node.args[-1] is stars[0] and isinstance(stars[0].value, gast.Name):
                stars[0].packed = True
            continue
        if isinstance(node.func, gast.Name) and node.func.id in packed:
            fixed, vararg = packed[node.func.id]
        else:
            found = _user_vararg(resolver, node.func)
            if found is not None and len(node.args) > found[0]:
                # the function keeps its ``*args``: ``g(x, *(y, z))``, the tuple bound to it
                starred = gast.Starred(value=n.tuple_(node.args[found[0]:]), ctx=gast.Load())
                starred.packed, starred.vararg = True, found[1]
                node.args = node.args[:found[0]] + [starred]
            continue
        if len(node.args) >= fixed:
            packed_args = n.tuple_(node.args[fixed:])
            packed_args.vararg = vararg
            node.args = node.args[:fixed] + [packed_args]
        else:
            node.keywords = list(node.keywords) + [gast.keyword(arg=vararg,
                                                                value=n.tuple_([]))]


def _user_vararg(resolver, func_node):
    """(fixed positional count, vararg name) of a user function with ``*args`` that the call
    of `func_node` differentiates from its source, else None."""
    from .source import signature
    try:
        obj = resolver.lookup(func_node)
    except Exception:
        return None
    if not inspect.isfunction(obj) or rules.is_library(obj) or \
            rules.lookup_adjoint(obj) is not None or rules.lookup_tangent(obj) is not None or \
            rules.is_nondifferentiable(obj):
        return None
    try:
        params = list(signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    kinds = [p.kind for p in params]
    if inspect.Parameter.VAR_POSITIONAL not in kinds or inspect.Parameter.VAR_KEYWORD in kinds:
        return None
    fixed = sum(k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                for k in kinds)
    return fixed, params[kinds.index(inspect.Parameter.VAR_POSITIONAL)].name


def unpack_constants(body):
    """``g(x, *(2, 3))`` -> ``g(x, 2, 3)`` in the normalised `body`: the ``*args`` that
    `_pack_varargs` packed and no derivative flows through are passed as the user wrote them."""
    for stmt in body:
        for node in n.walk(stmt):
            if isinstance(node, gast.Call) and any(
                    getattr(a, 'packed', False) and isinstance(a.value, gast.Tuple)
                    for a in node.args):
                node.args = [elt for a in node.args for elt in (
                    a.value.elts if getattr(a, 'packed', False) and
                    isinstance(a.value, gast.Tuple) else [a])]
    return body
