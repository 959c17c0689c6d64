"""The reverse-mode pipeline: parse, fence, canonicalize, normalize, differentiate, optimize."""
import builtins
import inspect
import math
import threading
import types
from collections import ChainMap
from types import SimpleNamespace

import gast

from . import nodes as n
from . import rules
from . import runtime
from .activity import Activity, target_names
from .aliasing import private_writes
from .anf import Normalizer
from .cache import Cache
from .canonical import Canonicalizer
from .compiling import compile_function
from .effects import check_effects
from .errors import NoRuleError, NonScalarOutputError, S2SError, UnsupportedSyntaxError, \
    WrtError, char_offset, format_location
from .declared import describe as describe_shapes
from .fence import fence
from .naming import Namer
from .optimize import optimize
from .printer import to_source
from .resolve import Resolver
from .forward import ForwardPass
from .live import LiveHelper, MethodGuard
from .methods import bind_methods, callee_receivers, known_receivers, \
    receivers_of_temporaries
from .reverse import CallAdjoint, ReversePass, State
from .source import FunctionSource, NestedFunctions, default_expressions, parse_function, \
    signature as source_signature
from .invariance import cancelled_shifts
from .shapes import ShapeClasses
from .standins import save_shapes
from .ssa import rename_versions
from .templating import Names


class Generated:
    """A generated function's name, source, AST and the objects its namespace needs."""

    def __init__(self, name, node, namespace, seed_name=None, returns=None):
        self.name = name
        self.node = node
        self.namespace = namespace
        self.seed_name = seed_name
        self.returns = returns
        self.function = None
        self.source = None
        self.helpers = []


class Builder:
    """Builds and caches generated functions (gradients and the VJPs of called helpers).

    A cached function is reused only while what its code was built for still holds: the
    same function object and code object (part of the key), and the same objects behind the
    callee names it pinned (see `Context._finish`). A transformation that raises leaves
    nothing behind in the cache. The cache holds functions weakly and is bounded (`Cache`).
    """

    def __init__(self):
        self.cache = Cache()
        self.lock = threading.RLock()
        self._depth = 0
        self._before = set()

    def lookup(self, key):
        """The cached generated function for `key` (None when absent or out of date)."""
        generated = self.cache.get(key)
        if generated is not None and generated.function is not None and \
                not _still_valid(generated, set()):
            del self.cache[key]
            return None
        return generated

    def reverse(self, func, wrt, mode='grad', optimized=True, as_tuple=False, receivers=None,
                shapes=()):
        """Generate the reverse-mode function of Python function `func` (`as_tuple`: return
        a tuple of gradients even for one `wrt` argument; `receivers`: parameters bound to
        instances, by the instance's class; `shapes`: declared parameter shapes, as
        `declared.normalize` gives them)."""
        receivers = dict(receivers or {})
        declared = (('shapes',) + shapes,) if shapes else ()
        key = ('func', func, getattr(func, '__code__', None), tuple(wrt), mode, optimized,
               as_tuple) + _receivers_key(receivers) + declared
        cached = self.lookup(key)
        if cached is not None and getattr(cached, 'defaults_seen', None) is not None and \
                not _same_defaults(cached.defaults_seen, func):
            del self.cache[key]  # `f.__defaults__` was replaced: the values are baked in
            cached = None
        if cached is not None:
            return cached
        return self._build(key, lambda: _with_receivers(parse_function(func), receivers), wrt,
                           mode, optimized, as_tuple, shapes)

    def helper(self, func, active, mode, optimized, receivers):
        """The key and the generated VJP (`mode` 'vjp') or JVP ('forward') of the user
        function `func` with respect to its parameters `active`."""
        key = ('func', func, func.__code__, tuple(active), mode, optimized) + \
            _receivers_key(receivers)
        cached = self.lookup(key)
        if cached is None:
            cached = self.reverse_node(key, _with_receivers(parse_function(func), receivers),
                                       active, mode, optimized)
        return key, cached

    def reverse_node(self, key, source, wrt, mode, optimized):
        """Generate from an already parsed FunctionSource (nested functions)."""
        cached = self.lookup(key)
        if cached is not None:
            return cached
        return self._build(key, lambda: source, wrt, mode, optimized)

    def _build(self, key, source, wrt, mode, optimized, as_tuple=False, shapes=()):
        if self._depth == 0:
            self._before = set(self.cache)
        self._depth += 1
        try:
            ctx = Context(self, source(), wrt, mode, optimized, key)
            ctx.as_tuple = as_tuple
            ctx.declared = dict(shapes)
            generated = ctx.run()
            if ctx.scalar_guard:
                # scalar code: also a version for Python numbers, which calls this one for
                # anything else (see `Context._scalar_guard`)
                scalar = Context(self, source(), wrt, mode, optimized, key)
                scalar.as_tuple = as_tuple
                scalar.declared = dict(shapes)
                scalar.scalar_params = ctx.scalar_guard
                scalar.general = generated
                generated = scalar.run()
        except BaseException:
            if self._depth == 1:  # forget everything this failed transformation cached
                for added in set(self.cache) - self._before:
                    del self.cache[added]
            raise
        finally:
            self._depth -= 1
        return generated


def _receivers_key(receivers):
    return tuple(sorted(receivers.items(), key=lambda item: item[0]))


def _with_receivers(source, receivers):
    source.receivers = dict(receivers)
    return source


def _still_valid(generated, seen):
    """Whether the names `generated` (and its helpers) pinned still denote the same objects."""
    if id(generated) in seen:
        return True
    seen.add(id(generated))
    for name, obj, cell, globals_ in getattr(generated, 'pins', ()):
        if cell is not None:
            try:
                current = cell.cell_contents
            except ValueError:
                return False
        else:
            current = globals_.get(name, _MISSING)
            if current is _MISSING:
                space = globals_.get('__builtins__', builtins)
                space = vars(space) if isinstance(space, types.ModuleType) else space
                current = space.get(name, _MISSING)
        if current is not obj:
            return False
    for holder, parts, obj in getattr(generated, 'attribute_pins', ()):
        if _static_path(holder, parts) is not obj:
            return False
    return all(_still_valid(helper, seen) for helper in generated.helpers)


def _static_path(holder, parts):
    """The attribute `parts` of `holder`, as stored (no descriptors run), or _MISSING."""
    for part in parts:
        if holder is _MISSING:
            return _MISSING
        try:
            holder = inspect.getattr_static(holder, part)
        except AttributeError:
            return _MISSING
    return holder


_MISSING = object()


def _written_after(stmt, statements, names):
    """Whether one of `names` may be assigned into by subscript after `stmt` runs: in a
    later statement, or anywhere in a loop that holds `stmt` (a later iteration)."""
    def writes(node):
        return any(isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) and
                   set(target_names(s.targets[0])) & names for s in n.statements([node]))
    index = next(i for i, s in enumerate(statements) if s is stmt)
    if any(writes(later) for later in statements[index + 1:]):
        return True
    return any(isinstance(loop, (gast.For, gast.While)) and
               any(s is stmt for s in n.statements(loop.body)) and writes(loop)
               for loop in statements[:index])


def _same_defaults(seen, func):
    return seen[0] is getattr(func, '__defaults__', None) and \
        seen[1] is getattr(func, '__kwdefaults__', None)


class Context:
    """Everything one transformation needs: source, names, analyses, helper VJPs."""

    as_tuple = False
    """Whether the gradients are returned as a tuple even for one `wrt` argument."""
    declared = {}
    """Declared parameter shapes (name -> tuple of int or named sizes), see `declared`."""
    scalar_guard = ()
    """Set by `run`: the parameters whose being Python numbers makes a faster version."""
    scalar_params = ()
    """The parameters this version is built for as Python numbers (checked at entry)."""
    general = None
    """The Generated version for any arguments, which this one calls for other values."""

    def __init__(self, builder, source, wrt, mode, optimized, key):
        self.builder = builder
        self.source = source
        self.mode = mode
        self.optimized = optimized
        self.key = key
        self.func = n.clone(source.node)
        for node in n.walk(self.func):
            if isinstance(node, gast.BinOp):  # ``1 * m`` casts a bool mask: see optimize
                node.written = True
        params = [a.id for a in self.func.args.args + self.func.args.kwonlyargs]
        self.params = params
        self.wrt = [params[i] if isinstance(i, int) else i for i in wrt]
        self.namer = Namer(n.all_names(self.func) | set(source.namespace))
        self.helper_cells = {}  # local name -> cell holding a generated helper it calls
        self.names = Names(source.namespace)
        if self.names.module('s2s', runtime) != 's2s':
            raise S2SError(f'`{source.name}` uses the global name `s2s` for something else; '
                           f'generated code reserves it for s2sgrad.runtime')
        if 's2s' in params or 's2s' in n.names_stored(self.func):
            where = next((node for node in n.walk(self.func) if isinstance(node, gast.Name)
                          and node.id == 's2s'), None)
            raise self.unsupported(where, 'a variable named `s2s`: generated code reserves '
                                          'the name for s2sgrad.runtime; rename the variable',
                                   node=where)
        self.helpers = {}
        self.helper_generated = []
        self.undefined_before_loop = set()
        self.nested = {}
        self.receivers = {}  # parameters holding instances of a known class, by class
        self.live_names = set()  # names of called user functions that the code reads live

    # -- errors ---------------------------------------------------------------------------
    def _where(self, stmt, what='', node=None):
        """Where an error about `stmt` points, as the arguments ``filename, lineno, offset,
        text, end_lineno, end_offset`` of the error: at `node` when given, else at `stmt`
        when it is a node of the source, else (a statement the passes made, which has only
        its line) at the part of that line's source that `what` names."""
        if node is None or getattr(node, 'col_offset', None) is None:
            node = stmt if getattr(stmt, 'col_offset', None) is not None else None
        lineno = getattr(node, 'lineno', None) or getattr(stmt, 'lineno', None) or \
            getattr(self.func, 'lineno', None)
        if node is None and lineno:
            node = self.source.locate(lineno, what)
        if node is not None and getattr(node, 'col_offset', None) is not None:
            lineno = node.lineno
        lines = self.source.lines
        text = lines[lineno - 1].rstrip('\r\n') if lineno and 0 < lineno <= len(lines) else ''
        offset = end_lineno = end_offset = None
        if node is not None and getattr(node, 'col_offset', None) is not None:
            offset = char_offset(text, node.col_offset)
            end_lineno = getattr(node, 'end_lineno', None)
            if end_lineno == lineno and not isinstance(node, gast.stmt) and \
                    getattr(node, 'end_col_offset', None) is not None:
                end_offset = char_offset(text, node.end_col_offset)
        elif text:
            offset = len(text) - len(text.lstrip()) + 1
        return self.source.filename, lineno, offset, text, end_lineno, end_offset

    def unsupported(self, stmt, what, node=None):
        """UnsupportedSyntaxError for `what` (a description of the construct that says what
        to do instead) in statement `stmt`, pointing at `node` or what `what` names."""
        construct, advice = _split_advice(what)
        return UnsupportedSyntaxError(
            f's2sgrad cannot differentiate {construct} in `{self.source.name}`{advice}',
            *self._where(stmt, what, node))

    def no_rule(self, stmt, what, extra='', node=None):
        """NoRuleError for the call of `what` in `stmt`, pointing at the call."""
        reason = f' ({extra})' if extra else ''
        return NoRuleError(
            f'no derivative rule for {what}{reason}, called with an active argument in '
            f'`{self.source.name}`. Register one with @s2sgrad.adjoint(function) (see the '
            f'README, "Extending"), mark it with s2sgrad.nondifferentiable(function) if it has '
            f'no derivative, or compute it outside the differentiated function.',
            *self._where(stmt, what, node))

    def _check_returns(self, func):
        """Raise NonScalarOutputError for a function that returns nothing or a string."""
        returns = [node for stmt in func.body for node in n.walk(stmt)
                   if isinstance(node, gast.Return)]
        nested = {id(node) for stmt in func.body for inner in n.walk(stmt)
                  if isinstance(inner, (gast.FunctionDef, gast.Lambda))
                  for node in n.walk(inner)}
        returns = [r for r in returns if id(r) not in nested]
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
            elif self.mode in ('grad', 'value_and_grad') and (
                    isinstance(value, (gast.Dict, gast.List, gast.Set)) or
                    isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and
                    value.func.id in ('dict', 'list', 'set') and
                    self.source.namespace.get(value.func.id) is getattr(builtins,
                                                                        value.func.id)):
                bad = ret
                what = 'returns a container'
            if bad is ret:
                bad_returns += 1
        if returns and bad_returns < len(returns):
            bad = None  # other paths return values: the gradient checks the one taken
        if bad is None:
            self._return_where = self._where(returns[-1])
            return
        raise NonScalarOutputError(
            f'`{self.source.name}` {what}, but a derivative needs a number or an array; '
            f'return the value to differentiate\n' + format_location(*self._where(bad)))

    def _visible(self):
        """The names the function's code sees: its namespace and the classes s2sgrad bound."""
        return ChainMap(self.names.bindings, self.source.namespace)

    # -- the pipeline ---------------------------------------------------------------------
    def run(self):
        func = self.func
        self._check_returns(func)
        fence(func, self.source.filename, self.source.lines, self.source.name)
        for name in self.wrt:
            if name not in self.params:
                raise WrtError(f'wrt={name!r} names no parameter of `{self.source.name}` '
                               f'(parameters: {", ".join(self.params)})')
        self.receivers = known_receivers(func, getattr(self.source, 'receivers', {}))
        bind_methods(func, self.receivers, self.names, getattr(self.source.func, '__code__',
                                                               None))
        self.nested = self._nested_functions(func)
        canonical = Canonicalizer(self.source, self.namer)
        canonical.run(func)
        self.may_return_none = canonical.falls_through
        local_names = set(n.names_stored(func)) | set(self.params)
        self.resolver = Resolver(self._visible(), local_names)
        closures = {name: info[1] for name, info in self.nested.items()}
        activity = Activity(func.body, self.wrt, self.resolver, closures)
        body = Normalizer(activity, self.namer).run(func.body)
        rename_versions(body, self.params, self.namer)
        body = self._merge_aliases(body)
        self.resolver = Resolver(self._visible(), set(n.names_stored(
            gast.Module(body=body, type_ignores=[]))) | set(self.params))
        self.activity = Activity(body, self.wrt, self.resolver, closures,
                                 constants=cancelled_shifts(body, self.resolver))
        self.receivers = receivers_of_temporaries(body, self.receivers)
        check_effects(body, self)
        ret = body[-1]
        if not isinstance(ret, gast.Return):
            ret = gast.Return(value=n.const(None))
            body.append(ret)
        body = body[:-1]
        self.body = body
        self.body_all_statements = list(_all_statements(body))
        self.occurrences, self.assignment_counts = _occurrences(body + [ret], self.params)
        self.mutated = _mutated_names(body)
        self._refuse_aliased_lists(body + [ret])
        self.container_vars = _containers(body)
        result = ret.value
        scalars = {s.targets[0].id for s in body if isinstance(s, gast.Assign) and
                   isinstance(s.targets[0], gast.Name) and
                   self._statically_scalar(s.targets[0].id, body)}
        self.shapes = ShapeClasses(self.body_all_statements, self.params, self.resolver,
                                   scalars, numbers=self.scalar_params)
        if not self.scalar_params and self.general is None:
            self.scalar_guard = self._scalar_guard()
            if self.scalar_guard:  # the version for any arguments, called by the other
                self._fname = self.namer.fresh(self._function_name() + '_general')
        if self.mode in ('jvp', 'forward'):
            return self._run_forward(body, ret)
        rpass = ReversePass(self)
        self.rpass = rpass
        if isinstance(result, gast.Name) and result.id not in n.all_names(self.source.node):
            # the function returns an expression: its adjoint (the seed) is named after the
            # function, ``blayer``, not after the temporary that holds the expression
            rpass.adjoints[result.id] = self.namer.fresh('b' + self._base_name())
        seed_name = None
        seeded = self.mode in ('vjp', 'cotangent')
        if seeded:
            seed_name = rpass.adj(result.id) if isinstance(result, gast.Name) else \
                self.namer.fresh('bresult')
            self.builder.cache[self.key] = Generated(self._function_name(), None, None,
                                                     seed_name)
        rpass.collect(body, [])
        needed = set(rpass.needed)
        forward = rpass.forward(body, [], set(self.params))
        while rpass.needed != needed:  # a value read again backward became needed late:
            needed = set(rpass.needed)  # save it where it is made, earlier in the sweep
            forward = rpass.forward(body, [], set(self.params))
        state = State()
        seed_stmts = []
        result_active = isinstance(result, gast.Name) and result.id in self.activity.active
        if result_active:
            bresult = rpass.adj(result.id)
            if seeded:
                state.live.add(bresult)
                if self.mode == 'cotangent':  # the public vjp: the caller gives the seed
                    check = n.expr(n.call('s2s.check_cotangent', n.name(bresult),
                                          n.name(result.id)))
                    check.no_inline = {result.id}
                    seed_stmts.append(check)
            else:
                if self._statically_scalar(result.id, body):
                    seed = n.assign(bresult, n.const(1.0))
                else:
                    seed = n.assign(bresult, n.call(
                        's2s.seed', n.name(result.id), n.const(self.source.name)))
                seed.no_inline = {result.id}
                seed_stmts.append(seed)
                state.live.add(bresult)
        if seeded and getattr(self, 'may_return_none', False):
            check = n.expr(n.call('s2s.check_output', n.clone(result),
                                  n.const(self.source.name)))
            check.no_inline = set(n.names_read(result))
            seed_stmts.insert(0, check)
        if not result_active and not seeded:  # a constant result: the gradient is zero
            check = n.expr(n.call('s2s.seed', n.clone(result), n.const(self.source.name)))
            check.no_inline = set(n.names_read(result))
            seed_stmts.append(check)
        backward = rpass.backward(body, state, []) if result_active else []
        returns = []
        for name in self.wrt:
            badj = rpass.adj(name)
            value = n.name(badj) if badj in state.live else \
                n.call('s2s.zeros_like', n.name(name))
            if self.mode != 'vjp':
                value = n.call('s2s.like', value, n.name(name))
            returns.append(value)
        if self.mode == 'vjp':
            returns = [r for r, name in zip(returns, self.wrt)]
        value = returns[0] if len(returns) == 1 and not self.as_tuple else n.tuple_(returns)
        if self.mode == 'value_and_grad':
            output = n.clone(result)
            if set(n.names_read(result)) & set(n.names_stored(gast.Module(
                    body=backward, type_ignores=[]))):  # restored by the backward sweep
                output = n.name(self.namer.fresh('value'))
                seed_stmts.append(n.assign(output.id, n.clone(result)))
            value = n.tuple_([output, value])
        prologue = self._prologue(body)
        stacks = [n.assign(stack, gast.List(elts=[], ctx=gast.Load()))
                  for stack in sorted(rpass.stacks.values())]
        undefined = [n.assign(var, n.const(None)) for var in sorted(self.undefined_before_loop)]
        new_body = self._declared_comment() + prologue + stacks + undefined + forward + \
            seed_stmts + backward + \
            [gast.Return(value=value)]
        args = n.clone(self.func.args)
        if seed_name is not None:
            args.kwonlyargs = list(args.kwonlyargs) + [n.name(seed_name, store=False)]
            args.kwonlyargs[-1].ctx = gast.Param()
            args.kw_defaults = list(args.kw_defaults) + [None]
        name = self._function_name()
        node = gast.FunctionDef(name=name, args=args, body=new_body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        if self.optimized:
            keep = set(self.params) | ({seed_name} if seed_name else set())
            node = optimize(node, keep, self.shapes.same, declared=self.declared,
                            resolver=self.resolver)
            node = save_shapes(node)
        if self.general is not None and not _same_body(node, self.general.node):
            self._call_general(node)  # else nothing was gained from knowing the numbers
        return self._finish(node, name, seed_name)

    def _refuse_aliased_lists(self, body):
        """Raise for a differentiated list that grows or shrinks under one name (``saved.
        append(y)``) and is read under another (``alias = saved``, then ``alias[-1]``): the
        backward sweep follows a list by its name, so the two names would keep separate
        adjoints of one list, indexed at different lengths."""
        growers, reads = set(), set()
        for stmt in _all_statements(body):
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    isinstance(stmt.value, gast.Name):
                stmt.value.receiver = True  # the copy itself reads no item
            for node in n.walk(stmt):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                        isinstance(node.func.value, gast.Name) and node.func.attr in _RESIZING:
                    growers.add(node.func.value.id)
                    node.func.value.receiver = True
                elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                        node.func.id == 'len':
                    for arg in node.args:
                        if isinstance(arg, gast.Name):
                            arg.receiver = True
            for node in n.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                        not node.__dict__.pop('receiver', False):
                    reads.add(node.id)
        written = n.all_names(self.source.node)  # (not the normalizer's temporaries)
        for stmt in _all_statements(body):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
                    isinstance(stmt.value, gast.Name)):
                continue
            a, b = stmt.targets[0].id, stmt.value.id
            if not {a, b} & self.activity.active or not {a, b} <= written:
                continue
            if a in growers and b in reads or b in growers and a in reads:
                grows, other = (a, b) if a in growers else (b, a)
                raise self.unsupported(
                    stmt, f'a list changed in length under one name and read under another '
                          f'(`{grows}` and `{other}`, made the same list by `{a} = {b}`): '
                          f'use one name for the list', node=stmt)

    def _scalar_guard(self):
        """The parameters to check at entry for a version of the gradient for Python numbers
        (the `wrt` parameters), or () when there is none to make.

        Made for scalar code: a gradient (or value and gradient) of a function of plain
        positional parameters, none of them a container, that calls a function of the `math`
        module on a differentiated value. Knowing that every parameter differentiated is a
        Python float or int, shape analysis knows every value computed from them by arithmetic
        and `math` is a number, so the gradient needs no `unbroadcast` of them, and saves no
        value the backward sweep would read only for its shape.
        """
        args = self.func.args
        if self.mode not in ('grad', 'value_and_grad') or not self.optimized or \
                args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or \
                set(self.wrt) & set(self.container_vars):
            return ()
        for name in ('type', 'float', 'int'):  # the check reads the built-ins
            if name in n.all_names(self.func) or \
                    self.source.namespace.get(name, getattr(builtins, name)) is not \
                    getattr(builtins, name):
                return ()
        for stmt in self.body_all_statements:
            value = getattr(stmt, 'value', None)
            if isinstance(value, gast.Call) and \
                    getattr(self.resolver.lookup(value.func), '__module__', None) == 'math' and \
                    any(self.activity.is_active(arg) for arg in value.args):
                return tuple(self.wrt)
        return ()

    def _call_general(self, node):
        """Put at the top of `node` the check that the guarded parameters are Python numbers,
        which otherwise calls the general version: ``if type(x) not in (float, int): ...``."""
        general = self.general
        local = self.namer.fresh(general.name)
        self.helper_cells[local] = types.CellType(general.function)
        self.helper_generated.append(general)
        numbers = n.tuple_([n.name('float'), n.name('int')])
        tests = [gast.Compare(left=n.call('type', n.name(p)), ops=[gast.NotIn()],
                              comparators=[n.clone(numbers)]) for p in self.scalar_params]
        test = tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.Or(), values=tests)
        call = n.call(local, *[n.name(a.id) for a in self.func.args.args])
        guard = gast.If(test=test, body=[gast.Return(value=call)], orelse=[])
        body = node.body
        at = 0
        while at < len(body) and n.is_comment(body[at]):
            at += 1
        node.body = body[:at] + [guard] + body[at:]

    def _finish(self, node, name, seed_name, tangent_names=None):
        """Print and compile `node`, cache it, and hand it to callers waiting for it.

        The generated function reads globals and closure variables at call time, as the
        source function does: its globals are that function's own ``__globals__`` dict and its
        free variables share that function's closure cells. Only the helpers and modules
        s2sgrad binds, and the names that denote functions, modules and other callables (the
        transformation chose derivative rules for them), are fixed: they are closure cells
        of their own, and the cache checks them before it hands the function out again.
        """
        source = self.source
        namespace = source.globals if source.globals is not None else dict(source.namespace)
        generated = Generated(name, node, namespace, seed_name)
        generated.tangent_names = tangent_names
        placeholder = self.builder.cache.get(self.key)
        if placeholder is not None and placeholder.function is None:
            generated.waiting = placeholder.__dict__.get('waiting', [])
        generated.source = to_source(node)
        cells, generated.pins = self._cells(node, namespace)
        generated.attribute_pins = self._attribute_pins(node)
        func = getattr(self.source, 'func', None)
        generated.defaults_seen = (getattr(func, '__defaults__', None),
                                   getattr(func, '__kwdefaults__', None))
        defaults, kwdefaults = self._default_values(node)
        generated.function = compile_function(generated.source, name, namespace, cells,
                                              defaults, kwdefaults)
        if getattr(self, '_return_where', None):
            runtime.OUTPUT_LOCATIONS[generated.function.__code__] = self._return_where
        generated.helpers = self.helper_generated
        generated.calls = dict(self.helper_cells)  # local name -> cell of a called helper
        generated.function.__s2sgrad__ = generated
        generated.container_params = {p for p in self.params
                                      if p in getattr(self, 'container_vars', ())}
        generated.function.helpers = [h.function for h in self.helper_generated]
        self.builder.cache[self.key] = generated
        for cell in getattr(generated, 'waiting', []):
            cell.cell_contents = generated.function
        return generated

    def _cells(self, node, namespace):
        """The closure cells of the generated function, and the names it pins."""
        source = self.source
        cells = dict(source.cells)
        pins = []
        for var in sorted(set(n.names_read(node))):
            if var in self.names.bindings or var in self.helper_cells or \
                    var not in source.namespace:
                continue
            obj = source.namespace[var]
            if callable(obj) or isinstance(obj, types.ModuleType):
                pins.append((var, obj, source.cells.get(var), namespace))
                if var not in self.live_names:  # live: read at call time (see `_live`)
                    cells[var] = types.CellType(obj)
        for var, value in self.names.bindings.items():
            cells[var] = types.CellType(value)
        cells.update(self.helper_cells)
        return cells, pins

    def _attribute_pins(self, node):
        """``(holder, attributes, object)`` for each called ``Holder.attr`` of a class or
        module (``Net.forward``, ``ops.act``): the derivative was built for that object."""
        local = set(n.names_stored(node)) | {a.id for a in node.args.args +
                                             node.args.kwonlyargs + node.args.posonlyargs}
        pins = {}
        for call in n.walk(node):
            if not isinstance(call, gast.Call) or not isinstance(call.func, gast.Attribute):
                continue
            path = n.dotted_path(call.func)
            root, *parts = path.split('.') if path else ('s2s',)
            if root == 's2s' or root in local or path in pins:
                continue
            holder = self.names.bindings.get(root, self.source.namespace.get(root, _MISSING))
            obj = _static_path(holder, parts)
            if holder is not _MISSING and obj is not _MISSING:
                pins[path] = (holder, tuple(parts), obj)
        return list(pins.values())

    def _default_values(self, node):
        """The values of the generated function's defaults: the source function's own."""
        args = node.args
        positional = list(args.posonlyargs) + list(args.args)
        with_default = positional[len(positional) - len(args.defaults):]
        defaults = [self._default_value(arg.id, expr)
                    for arg, expr in zip(with_default, args.defaults)]
        kwdefaults = {arg.id: self._default_value(arg.id, expr)
                      for arg, expr in zip(args.kwonlyargs, args.kw_defaults)
                      if expr is not None}
        return defaults, kwdefaults

    def _default_value(self, param, expr):
        if param in self.source.defaults:
            return self.source.defaults[param]
        if isinstance(expr, gast.Constant):
            return expr.value
        tree = gast.gast_to_ast(gast.Expression(body=n.clone(expr)))
        try:
            return eval(compile(tree, self.source.filename, 'eval'), dict(self.source.namespace))
        except Exception as error:
            raise self.unsupported(expr, f'the default value of `{param}`, which s2sgrad '
                                         f'cannot evaluate ({type(error).__name__}: {error}); '
                                         f'give the parameter a literal default, or pass '
                                         f'the value at each call') from None

    def rpass_bind(self, stmt, template, args, keywords):
        """Bind call arguments to a template's parameters (shared with the reverse pass)."""
        return ReversePass._bind(SimpleNamespace(ctx=self), stmt, template, args, keywords)

    def _run_forward(self, body, ret):
        """Forward mode: the function with a tangent beside every active value."""
        fpass = ForwardPass(self)
        self.fpass = fpass
        name = self._function_name()
        tangent_names = {param: fpass.tan(param) for param in self.wrt}
        if self.mode == 'forward':
            placeholder = Generated(name, None, None)
            placeholder.tangent_names = tangent_names
            self.builder.cache[self.key] = placeholder
        new_body = fpass.block(body, top=True)
        result = ret.value
        if isinstance(result, gast.Name) and result.id in self.activity.active:
            tangent = n.name(fpass.tan(result.id))
        else:
            tangent = n.call('s2s.zeros_like', n.clone(result))
        value = n.tuple_([n.clone(result), tangent]) if self.mode == 'forward' else tangent
        if self.mode == 'jvp' and getattr(self, 'may_return_none', False):
            check = n.expr(n.call('s2s.check_output', n.clone(result),
                                  n.const(self.source.name)))
            check.no_inline = set(n.names_read(result))
            new_body.append(check)
        copies = self._prologue(body)
        for stmt in list(copies):
            param = stmt.targets[0].id
            if param in self.wrt:
                copies.append(n.assign(fpass.tan(param),
                                       n.call('s2s.copy', n.name(fpass.tan(param)))))
        zeros = [n.assign(fpass.tan(p), n.call('s2s.zeros_like', n.name(p)))
                 for p in self.params if p in self.activity.active and p not in self.wrt]
        new_body = self._declared_comment() + copies + zeros + new_body + \
            [gast.Return(value=value)]
        args = n.clone(self.func.args)
        for param in self.wrt:
            tangent_param = n.name(fpass.tan(param))
            tangent_param.ctx = gast.Param()
            args.kwonlyargs = list(args.kwonlyargs) + [tangent_param]
            args.kw_defaults = list(args.kw_defaults) + [None]
        node = gast.FunctionDef(name=name, args=args, body=new_body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        if self.optimized:
            keep = set(self.params) | {fpass.tan(p) for p in self.wrt}
            node = optimize(node, keep, self.shapes.same, declared=self.declared,
                            resolver=self.resolver)
        return self._finish(node, name, None, tangent_names)

    def forward_call(self, stmt, ans, call, func):
        """``ans, dans = g_fwd(args, dx=...)`` for a call of a user or nested function."""
        if func is None:
            node, source, params, call = self._lift(call)
        else:
            params = list(source_signature(func).parameters)
        bound = self._bind_call(stmt, call, params, 0)
        active = [p for p in params if p in bound and isinstance(bound[p], gast.Name)
                  and bound[p].id in self.activity.active]
        live = None
        if func is None:
            key = ('nested', self.source.origin, node.lineno, node.col_offset, node.name,
                   tuple(active), 'forward', self.optimized)
            generated = self.builder.lookup(key)
            if generated is None:
                generated = self.builder.reverse_node(key, source, active, 'forward',
                                                      self.optimized)
        else:
            receivers = callee_receivers(self.receivers, params, bound)
            key, generated = self.builder.helper(func, active, 'forward', self.optimized,
                                                 receivers)
            live = self._live(call, func, params, active, 'forward', receivers, generated)
        local = self._bind_helper(key, generated, live)
        new_call = n.clone(call)
        new_call.func = n.name(local)
        for param in active:
            new_call.keywords.append(gast.keyword(
                arg=generated.tangent_names[param],
                value=n.name(self.fpass.tan(bound[param].id))))
        targets = n.tuple_([n.name(ans, store=True),
                            n.name(self.fpass.tan(ans), store=True)], store=True)
        return [], [n.assign(targets, new_call)]

    def _statically_scalar(self, name, body, depth=0):
        """Whether top-level variable `name` is a scalar by construction (a full reduction,
        a math function, or arithmetic of such values and numbers)."""
        if getattr(self, '_scalar_body', None) is not body:
            self._scalar_body = body
            self._top_definitions = {}
            for stmt in body:
                if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                    self._top_definitions.setdefault(stmt.targets[0].id, []).append(stmt)
            self._all_definitions = {}
            for stmt in _all_statements(body):
                if isinstance(stmt, gast.Assign):
                    for target in target_names(stmt.targets[0]):
                        self._all_definitions[target] = self._all_definitions.get(target, 0) + 1
        definitions = self._top_definitions.get(name, [])
        if len(definitions) != 1 or self._all_definitions.get(name) != 1 or depth > 20:
            return False
        return self._scalar_expression(definitions[0].value, body, depth)

    def _scalar_expression(self, value, body, depth):
        if isinstance(value, gast.Constant):
            return type(value.value) in (int, float)
        if isinstance(value, gast.Name):
            return self._statically_scalar(value.id, body, depth + 1)
        if isinstance(value, gast.UnaryOp):
            return self._scalar_expression(value.operand, body, depth)
        if isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult):
            return self._scalar_expression(value.left, body, depth) and \
                self._scalar_expression(value.right, body, depth)
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Attribute):
            return value.value.attr == 'shape' and not isinstance(value.slice, gast.Slice)
        if isinstance(value, gast.Attribute):
            return value.attr in ('size', 'ndim')
        if isinstance(value, gast.Call):
            func = value.func
            if isinstance(func, gast.Name) and func.id == 'len' and self.resolver.lookup(func) \
                    is len:
                return True
            if isinstance(func, gast.Attribute) and not self.resolver.is_global(func):
                return func.attr in ('sum', 'mean', 'max', 'min') and not value.args and \
                    not value.keywords
            obj = self.resolver.lookup(func)
            if obj is None:
                return False
            if getattr(obj, '__module__', None) == 'math' or \
                    type(obj).__name__ == 'builtin_function_or_method' and \
                    getattr(obj, '__self__', None) is math:
                return True
            return rules.is_reduction(obj) and len(value.args) == 1 and not value.keywords
        return False

    def _merge_aliases(self, body):
        """Rename ``y`` to ``x`` after ``y = x`` when either is assigned into by subscript.

        Both names then denote one array, so updates through either reach one adjoint.
        """
        statements = list(_all_statements(body))
        mutated = set()
        counts = {}
        for stmt in statements:
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    mutated.add(target.value.id)
                for name in n.names_stored(target):
                    counts[name] = counts.get(name, 0) + 1
            elif isinstance(stmt, gast.For):
                for name in n.names_stored(stmt.target):
                    counts[name] = counts.get(name, 0) + 2
        for p in self.params:
            counts[p] = counts.get(p, 0) + 1
        for stmt in statements:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    isinstance(stmt.value, gast.Name):
                alias, original = stmt.targets[0].id, stmt.value.id
                if alias not in mutated and original not in mutated:
                    continue
                if not _written_after(stmt, statements, {alias, original}):
                    continue  # ``result = R`` at a return: one name for the same final value
                # `alias` rebound by this statement only from here on (``x = x_copy`` in
                # generated code, where `x` is a parameter) is renamed all the same
                rebound_later = stmt in body and any(
                    alias in n.names_stored(later) for later in body[body.index(stmt) + 1:])
                single = counts.get(alias) == 1 or \
                    (stmt in body and not rebound_later and original not in self.params)
                if not single or counts.get(original) != 1 or stmt not in body:
                    raise self.unsupported(stmt, f'the alias `{alias} = {original}` of an '
                                                 f'array that is assigned into (copy it with '
                                                 f'`.copy()` or use one name)')
                index = body.index(stmt)
                for later in body[index + 1:]:
                    n.rename(later, {alias: original})
                read = getattr(stmt, 'augmented_read', None)
                if read is not None:
                    # ``v += c`` ended as ``v_2 = t`` after ``t = v + c``: the in-place update
                    # now writes `t`, which the alias analysis checks
                    for earlier in body[:index]:
                        if isinstance(earlier, gast.Assign) and \
                                n.names_stored(earlier.targets[0]) == [original]:
                            earlier.augmented_read = read
                body = body[:index] + body[index + 1:]
                mutated.add(original)
        return private_writes(self, body)

    def _declared_comment(self):
        """``# for the declared shapes x: (n,), A: (n, n)`` when shapes were declared."""
        if not self.declared:
            return []
        order = [p for p in self.params if p in self.declared]
        return [n.comment('for the declared shapes ' +
                          describe_shapes(tuple((p, self.declared[p]) for p in order)))]

    def _base_name(self):
        base = self.source.name if self.source.name != '<lambda>' else 'lambda'
        if base.startswith('__') and base.endswith('__'):  # ``__call__``: ``dcall``
            base = base.strip('_')
        return base

    def _function_name(self):
        """``dfdx`` (the gradient), ``dlayerdW`` (the VJP of a called function, after the
        arguments it differentiates), ``layer_fwd_dW`` (its JVP), ``jvp_f``."""
        if not hasattr(self, '_fname'):
            base = self._base_name()
            if self.mode == 'vjp':
                self._fname = self.namer.fresh('d' + base + 'd' + ''.join(self.wrt))
            elif self.mode == 'forward':
                self._fname = self.namer.fresh(base + '_fwd_d' + '_d'.join(self.wrt))
            elif self.mode == 'jvp':
                self._fname = self.namer.fresh('jvp_' + base)
            elif self.mode == 'cotangent':
                self._fname = self.namer.fresh('vjp_' + base)
            elif self.mode == 'value_and_grad':
                self._fname = self.namer.fresh('value_and_d' + base + 'd' + ''.join(self.wrt))
            else:
                self._fname = self.namer.fresh('d' + base + 'd' + ''.join(self.wrt))
        return self._fname

    def _prologue(self, body):
        """Copy array arguments that the function assigns into, so callers' arrays survive."""
        mutated = set()
        aliases = {}
        for stmt in _all_statements(body):
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if isinstance(target, gast.Subscript):
                    base = target.value
                    while isinstance(base, gast.Subscript):
                        base = base.value
                    if isinstance(base, gast.Name):
                        mutated.add(base.id)
                elif isinstance(target, gast.Name) and isinstance(stmt.value, gast.Name):
                    aliases.setdefault(target.id, set()).add(stmt.value.id)
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                    isinstance(stmt.value.func, gast.Attribute) and \
                    isinstance(stmt.value.func.value, gast.Name) and \
                    stmt.value.func.attr == 'append':
                pass
        changed = True
        while changed:
            changed = False
            for var, sources in aliases.items():
                if var in mutated and not sources <= mutated:
                    mutated |= sources
                    changed = True
        mutated |= getattr(self, '_alias_params', set())
        return [n.assign(p, n.call('s2s.copy', n.name(p))) for p in self.params if p in mutated]

    # -- calls of user functions ----------------------------------------------------------
    def _nested_functions(self, func):
        """The functions defined in `func`'s body, anywhere in its blocks: name ->
        (FunctionDef node, the enclosing variables each call passes by keyword).

        Nested functions are lifted to the top level (`_lift`), see `NestedFunctions`:
        what lifting would not do as Python does raises UnsupportedSyntaxError here.
        """
        self._nested_info = NestedFunctions(func, self.unsupported)
        info = self._nested_info
        return {name: (node, info.needs[name]) for name, node in info.defs.items()}

    def _bind_call(self, stmt, call, params, defaults_count):
        bound = {}
        for param, arg in zip(params, call.args):
            bound[param] = arg
        if len(call.args) > len(params):
            raise self.unsupported(stmt, 'a call with more positional arguments than '
                                         'parameters')
        for kw in call.keywords:
            if kw.arg not in params:
                raise self.unsupported(stmt, f'the keyword argument `{kw.arg}`')
            bound[kw.arg] = kw.value
        return bound

    def user_call(self, stmt, ans, call, func):
        """The adjoint item of ``ans = func(...)`` for a user function (recursively)."""
        signature_params = list(source_signature(func).parameters)
        bound = self._bind_call(stmt, call, signature_params, 0)
        active = [p for p in signature_params if p in bound and
                  isinstance(bound[p], gast.Name) and bound[p].id in self.activity.active]
        if not active:
            return None
        receivers = callee_receivers(self.receivers, signature_params, bound)
        key, cached = self.builder.helper(func, active, 'vjp', self.optimized, receivers)
        live = self._live(call, func, signature_params, active, 'vjp', receivers, cached)
        return self._helper_item(cached, key, stmt, ans, call, bound, active, live)

    def _lift(self, call):
        """A nested function made top-level: the enclosing variables it reads (and those that
        the nested functions it calls read) become keyword-only parameters, which the
        rewritten `call` passes by name. The nested functions it calls are defined again at
        the start of its body. Default values that are not literals are passed by the call
        (they are evaluated where the ``def`` runs, which `NestedFunctions` checks gives the
        same value), so the lifted function has none."""
        node, free = self.nested[call.func.id]
        info = self._nested_info
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
        source = self._nested_source(lifted, node)
        params = [a.id for a in lifted.args.posonlyargs + lifted.args.args +
                  lifted.args.kwonlyargs]
        return node, source, params, call

    def nested_call(self, stmt, ans, call):
        """The adjoint item of a call of a function defined inside this one (a closure)."""
        node, source, params, call = self._lift(call)
        bound = self._bind_call(stmt, call, params, 0)
        active = [p for p in params if p in bound and isinstance(bound[p], gast.Name)
                  and bound[p].id in self.activity.active]
        key = ('nested', self.source.origin, node.lineno, node.col_offset, node.name,
               tuple(active), self.optimized)
        cached = self.builder.lookup(key)
        if cached is None:
            cached = self.builder.reverse_node(key, source, active, 'vjp', self.optimized)
        return self._helper_item(cached, key, stmt, ans, call, bound, active)

    def _nested_source(self, lifted, node):
        """The FunctionSource of a nested function lifted out of this one."""
        return FunctionSource(lifted, self.source.filename, self.source.lines,
                              self.source.namespace, node.name, globals=self.source.globals,
                              cells=self.source.cells, origin=self.source.origin)

    def _helper_item(self, generated, key, stmt, ans, call, bound, active, live=None):
        local = self._bind_helper(key, generated, live)
        active_args = [bound[p].id for p in active]
        self.container_vars.update(bound[p].id for p in active
                                   if p in getattr(generated, 'container_params', ()))
        return CallAdjoint(ans, call, local, generated.seed_name, active_args)

    def _live(self, call, func, params, active, mode, receivers, generated):
        """How the helper of a call of user function `func` through a global or closure
        variable follows that variable (`LiveHelper`), or None for other calls."""
        name = call.func.id if isinstance(call.func, gast.Name) else None
        source = self.source
        method = getattr(call.func, 'method_of', None)
        if method is not None and generated.function is not None:
            return MethodGuard(generated.function, *method)
        if name is None or name in self.names.bindings or generated.function is None:
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
        self.live_names.add(name)
        builder, optimized = self.builder, self.optimized

        def rebuild(current):
            if list(source_signature(current).parameters) != params:
                raise S2SError(f'`{name}` now denotes a function with other parameters than '
                               f'when the gradient was made; call s2sgrad.grad again')
            with builder.lock:
                _, new = builder.helper(current, active, mode, optimized, receivers)
            if mode == 'vjp':
                return new.function, {generated.seed_name: new.seed_name}
            return new.function, {generated.tangent_names[p]: new.tangent_names[p]
                                  for p in active}
        return LiveHelper(generated.function, name, func, cell, source.globals, rebuild)

    def _bind_helper(self, key, generated, live=None):
        """The local name under which this function's code calls a generated helper."""
        if key == self.key:
            return self._function_name()  # recursion: the function calls itself by name
        local_names = self.__dict__.setdefault('_helper_names', {})
        if key in local_names:
            return local_names[key]
        local = local_names[key] = self.namer.fresh(generated.name)
        if generated.function is not None:
            self.helper_cells[local] = types.CellType(live or generated.function)
            self.helper_generated.append(generated)
        else:  # still being built (mutual recursion): filled in by its `_finish`
            cell = self.helper_cells[local] = types.CellType()
            generated.__dict__.setdefault('waiting', []).append(cell)
        return local


def _same_body(a, b):
    """Whether FunctionDefs `a` and `b` print the same body."""
    return to_source(gast.Module(body=a.body, type_ignores=[])) == \
        to_source(gast.Module(body=b.body, type_ignores=[]))


def _split_advice(what):
    """`what` cut before its first ``;`` or ``:`` outside backticks and brackets: the
    construct, and what follows it (the reason or the fix), or ''."""
    depth, quoted = 0, False
    for index, char in enumerate(what):
        if char == '`':
            quoted = not quoted
        elif not quoted and char in '([{':
            depth += 1
        elif not quoted and char in ')]}':
            depth -= 1
        elif not quoted and depth == 0 and char in ';:' and what[index + 1:index + 2] == ' ':
            return what[:index], what[index:]
    return what, ''


def _containers(body):
    """Variables that hold dicts (indexed by a string, or whose keys a loop reads): their
    adjoints are added with ``s2s.add``, which adds dicts key by key."""
    found = set()
    for stmt in _all_statements(body):
        for node in n.walk(stmt):
            if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                    isinstance(node.slice, gast.Constant) and isinstance(node.slice.value, str):
                found.add(node.value.id)
            elif isinstance(node, gast.Call) and n.dotted_path(node.func) == 's2s.keys' and \
                    node.args and isinstance(node.args[0], gast.Name):
                found.add(node.args[0].id)
    return found


def _mutated_names(body):
    """Variables changed in place: assigned into by subscript, or appended to / popped."""
    mutated = set()
    for stmt in _all_statements(body):
        for node in n.walk(stmt):
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Subscript):
                mutated.update(target_names(node.targets[0]))
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    isinstance(node.func.value, gast.Name) and \
                    node.func.attr in ('append', 'pop', 'extend', 'insert', 'add_at', 'fill'):
                mutated.add(node.func.value.id)
    return _with_aliases(mutated, body)


_RESIZING = ('append', 'pop', 'extend', 'insert', 'remove', 'clear')


def _with_aliases(names, body):
    """`names` with every variable that may name the same object as one of them through
    assignments of one name to another (``alias = saved``): changing one changes all."""
    pairs = [(stmt.targets[0].id, stmt.value.id) for stmt in _all_statements(body)
             if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
             isinstance(stmt.value, gast.Name)]
    names = set(names)
    changed = bool(names)
    while changed:
        changed = False
        for a, b in pairs:
            if (a in names) != (b in names):
                names |= {a, b}
                changed = True
    return names


def _occurrences(body, params):
    """Where each name occurs (ids of simple statements and compound headers), and how
    often it is assigned."""
    occurrences = {}
    counts = {p: 1 for p in params}
    for stmt in _all_statements(body):
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


_all_statements = n.statements
