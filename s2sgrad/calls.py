"""Calls of user functions, in both modes: the generated helper each call uses.

A call ``y = g(x)`` of a user function (or of a function defined in the differentiated one,
lifted to the top level) becomes, in reverse mode, a `CallAdjoint` item whose backward part
calls ``dgdx(x, bg=by)``, the generated VJP of `g`; in forward mode it becomes
``y, dy = g_fwd_dx(x, dx=dx)``. Both find (or build, through the builder) the helper, bind it
under a local name, and follow a global or closure name that may be rebound (`live`).
"""
import ast
import inspect
import types
from collections import namedtuple

import gast

from . import nodes as n
from . import rules
from .constructs import is_function
from .errors import S2SError
from .live import LiveHelper, MethodGuard
from .methods import callee_receivers
from .alias_memory import CONTAINER_METHODS
from .mutation import assigned_into, mutated
from .modes import Mode
from .reverse import CallAdjoint
from .nested import NestedFunctions
from .randomness import first_draw
from .rerun_objects import attributes_written_after, called_after, object_probes
from .rerun_state import state_read_after_change
from .scopes import default_expressions
from .source import FunctionSource, parse_function, signature as source_signature


def user_call(ctx, stmt, ans, call, func):
    """The adjoint item of ``ans = func(...)`` for a user function (recursively), or None
    when no argument is active."""
    arguments = _arguments(ctx, stmt, call, func)
    if not arguments.active:
        return None
    return _call_adjoint(ctx, stmt, ans, arguments, func)


def nested_call(ctx, stmt, ans, call):
    """The adjoint item of a call of a function defined inside this one (a closure)."""
    arguments = _arguments(ctx, stmt, call, None)
    return _call_adjoint(ctx, stmt, ans, arguments, None)


def forward_call(ctx, stmt, ans, call, func):
    """``ans, dans = g_fwd(args, dx=...)`` for a call of a user function `func` or (None) of
    a function defined inside this one."""
    arguments = _arguments(ctx, stmt, call, func)
    local, generated = _helper(ctx, arguments, func, Mode.FORWARD)
    new_call = n.clone(arguments.call)
    new_call.func = n.name(local)
    listed = _listed(ctx, func, arguments.bound)
    for param in arguments.active:
        tangent = n.name(ctx.fpass.tan(arguments.bound[param].id))
        new_call.keywords.append(gast.keyword(
            arg=generated.tangent_names[param],
            value=n.call('s2s.asarray', tangent) if param in listed else tangent))
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
    elif any(isinstance(arg, gast.Name) and arg.id in ctx.activity.active for arg in rest):
        raise ctx.unsupported(  # (not packed in a tuple: `varargs`; its derivative was lost)
            stmt, f'a differentiated value passed to the `*{vararg}` parameter of a function '
                  f'that also takes `**kwargs` or that s2sgrad could not resolve; give the '
                  f'function explicit parameters, or pass the values as one tuple')
    for kw in call.keywords:
        if kw.arg not in params:
            callee = getattr(func, '__name__', None) or 'the function called'
            raise ctx.unsupported(
                stmt, f'the keyword argument `{kw.arg}`, which `{callee}` takes through its '
                      f'`**` parameter (a dict of its keyword arguments); give `{callee}` a '
                      f'parameter `{kw.arg}`, or pass the values as one dict', node=kw.value)
        bound[kw.arg] = kw.value
    active = [p for p in params if p in bound and isinstance(bound[p], gast.Name)
              and bound[p].id in ctx.activity.active]
    return Arguments(_lists_as_arrays(ctx, call, func, bound), params, bound, active, lifted)


def _listed(ctx, func, bound):
    """The parameters of `func`, a library function's definition, that the call passes a list
    or tuple variable for, other than those taking a sequence of arrays (``np.interp(t, ts,
    [a, b, c])``'s `fp`): NumPy reads them as arrays, and so must the definition's derivative."""
    if func is None or not rules.is_definition(func) or \
            getattr(func, '__s2sgrad__', None) is not None:  # (not its generated derivative)
        return set()
    lists = getattr(ctx, 'list_names', ())
    return {param for param, node in bound.items() if param not in rules.SEQUENCE_PARAMETERS
            and isinstance(node, gast.Name) and node.id in lists}


def _lists_as_arrays(ctx, call, func, bound):
    """`call` with the lists of `_listed` parameters passed as ``s2s.asarray(xs)``."""
    listed = {id(bound[param]) for param in _listed(ctx, func, bound)}
    if not listed:
        return call

    def read(node):
        return n.call('s2s.asarray', node) if id(node) in listed else node
    return gast.Call(func=call.func, args=[read(arg) for arg in call.args],
                     keywords=[gast.keyword(arg=k.arg, value=read(k.value))
                               for k in call.keywords])


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


def _helper(ctx, arguments, func, mode, split=False):
    """The local name and the `Generated` helper (a VJP or a forward function, by `mode`)
    that the code calls for the call `arguments` of `func` (None: a nested function); with
    `split`, the local names of the VJP's forward and backward parts (see `split_motion`)."""
    active, live = arguments.active, None
    if func is None:
        node, source = arguments.lifted
        functions = _static_functions(ctx, arguments)  # (``layer(x, act=np.sin)``)
        key = ('nested', ctx.source.origin, node.lineno, node.col_offset, node.name,
               tuple(active), mode, ctx.optimized, ctx.motion) + \
            ((('functions',) + functions,) if functions else ())
        generated = ctx.builder.lookup(key)
        if generated is None:
            source.functions = dict(functions)
            generated = ctx.builder.build_source(key, source, active, mode, ctx.optimized,
                                                 ctx.motion)
    else:
        built = getattr(getattr(func, '__s2sgrad__', None), 'receivers', None)
        receivers = dict(built) if built is not None else callee_receivers(
            ctx.receivers, arguments.params, arguments.bound,
            getattr(arguments.call.func, 'dispatched', None), func, _owner(ctx, arguments),
            getattr(arguments.call.func, 'passed', None))
        # (generated code differentiated again: its objects are those it was made for)
        functions = _static_functions(ctx, arguments)
        key, generated = ctx.builder.helper(func, active, mode, ctx.optimized, receivers,
                                            functions, ctx.motion)
        if split:
            live = tuple(_live(ctx, arguments.call, func, arguments.params, active, mode,
                               receivers, generated, functions, part) for part in (0, 1))
        else:
            live = _live(ctx, arguments.call, func, arguments.params, active, mode,
                         receivers, generated, functions)
    if split:
        return _bind_split(ctx, key, generated, live), generated
    return _bind_helper(ctx, key, generated, live), generated


def _owner(ctx, arguments):
    """The class whose function the call calls (``Linear`` of ``Linear.__call__(layer, x)``),
    or None."""
    func = arguments.call.func
    if not isinstance(func, gast.Attribute):
        return None
    try:
        found = ctx.resolver.lookup(func.value)
    except TypeError:
        return None
    return found if isinstance(found, type) else None


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


def _call_adjoint(ctx, stmt, ans, arguments, func):
    """The `CallAdjoint` item of ``ans = call`` (in `stmt`) of user function `func` (None: a
    nested function): its backward part calls the VJP, or, in split motion, the VJP's
    backward part with what the forward part saved (`stmt` then calls the forward part)."""
    split = splittable(ctx, stmt, ans, arguments, func)
    if not split:
        _refuse_redraws(ctx, stmt, arguments, func)
    local, generated = _helper(ctx, arguments, func, Mode.VJP, split)
    active_args = [arguments.bound[p].id for p in arguments.active]
    ctx.container_vars.update(arguments.bound[p].id for p in arguments.active
                              if p in getattr(generated, 'container_params', ()))
    for p in arguments.active:  # (its derivative gives back a list for a list passed)
        if p in getattr(generated, 'maybe_list_params', ()) and \
                isinstance(arguments.bound[p], gast.Name) and hasattr(ctx, 'maybe_lists'):
            ctx.maybe_lists.add(arguments.bound[p].id)
    if getattr(generated, 'returns_sequence', False):  # its adjoint adds item by item
        ctx.sequence_results.add(ans)
    if getattr(generated, 'returns_holder', False):  # (``x, [x, x]``: its items' too)
        ctx.holder_results.add(ans)
    library = func is not None and rules.is_definition(func)
    checked = frozenset(arguments.bound[p].id for p in arguments.active
                        if p in getattr(generated, 'resized_params', ()))
    if not split:
        _keep_written_copies(ctx, stmt, arguments)
        _check_rerun_objects(ctx, stmt, arguments, func)
        return CallAdjoint(ans, arguments.call, local, generated.seed_name, active_args,
                           library=library, checked=checked)
    fwd_local, bwd_local = local
    saved = ctx.namer.fresh(ans + '_saved')
    call = n.clone(arguments.call)
    call.func = n.name(fwd_local)
    stmt.targets = [n.tuple_([n.name(ans, store=True), n.name(saved, store=True)],
                             store=True)]
    ctx.replaced_calls.append(stmt.value)  # what the code was built for (`linking`)
    stmt.value = call
    return CallAdjoint(ans, arguments.call, bwd_local, generated.seed_name, active_args,
                       saved=saved, library=library, checked=checked)


def _keep_written_copies(ctx, stmt, arguments):
    """In joint motion, the call in `stmt` gets a copy of each copy made for it that it writes
    into (``center(x.copy())``, ``h([x, 2.0])``: `effects`), which the VJP, running it again,
    reads as it was."""
    if not any(isinstance(arg, gast.Name) and arg.id in ctx.written_copies
               for arg in n.walk(stmt.value)):
        return
    call = n.clone(arguments.call)
    call.args = [_copied(arg, ctx) for arg in call.args]
    for keyword in call.keywords:
        keyword.value = _copied(keyword.value, ctx)
    stmt.value = call


def _check_rerun_objects(ctx, stmt, arguments, func):
    """In joint motion, pass each object the call in `stmt` gives `func` (None: a nested
    function) through ``s2s.rerun_checked`` where the function, or the caller after the call,
    calls members of it that might change it (`rerun_objects`): the VJP runs the function
    again, which must see the object as the call did. An attribute of it the caller assigns
    after the call is refused here where the function reads it (or, for an object found when
    the code is made, may read it through a method), and checked when the code runs where a
    method the function calls may read it."""
    found = _callee_code(ctx, arguments, func)
    if found is None:
        return
    node, namespace, nested = found
    probes = object_probes(node, namespace, nested)
    label = getattr(func, '__qualname__', None) or node.name
    body = getattr(ctx, 'body', None) or []
    call = None
    known = set(getattr(ctx, 'receivers', None) or ())
    for param, value in arguments.bound.items():
        path = n.dotted_path(value)
        if param in arguments.active or path is None and not isinstance(value, gast.Subscript):
            continue  # (a call's value: evaluated twice)
        used = probes.get(param, ())
        assigned = set()  # (attributes assigned after the call, checked when it runs)
        static = ctx.resolver.is_global(value) or _root_name(value) in known
        for written, attr in attributes_written_after(body, stmt, path) if path else ():
            called = any('(' in probe or '.' in probe for probe in used)
            if attr in used or attr == '*' or not used or called and static:
                raise ctx.unsupported(
                    written, f'this change of an attribute of `{path}`, which the call '
                             f'of `{label}` (line {stmt.lineno}) is given: the derivative '
                             f'runs `{label}` again after it (as it does where the caller '
                             f'changes an array in place, with motion=\'joint\', in second '
                             f'derivatives), which would see the new value; change a copy, or '
                             f'pass what `{label}` reads from `{path}` as an argument')
            if called:
                assigned.add(attr + '=')  # (a method used may read it)
        if static:
            continue  # (an object found when the code is made: `rerun_state` reads it)
        if path in ctx.written_copies:
            continue  # (a copy made for the call: the rerun gets one of its own)
        after = (called_after(body, stmt, path) if path is not None else set()) | assigned
        if not used and not after:
            continue
        if call is None:
            call = stmt.value if stmt.value is not arguments.call else n.clone(arguments.call)
        checked = n.call('s2s.rerun_checked', n.clone(value), n.const(label), n.const(used),
                         *[n.const(tuple(sorted(after)))] * bool(after))
        for k, arg in enumerate(arguments.call.args):
            if arg is value:
                call.args[k] = checked
        for k, keyword in enumerate(arguments.call.keywords):
            if keyword.value is value:
                call.keywords[k].value = checked
    if call is not None:
        stmt.value = call


def _root_name(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _copied(arg, ctx):
    """``s2s.copy(arg)`` for a name of `ctx.written_copies`, else `arg`."""
    if isinstance(arg, gast.Name) and arg.id in ctx.written_copies:
        return n.call('s2s.copy', arg)
    return arg


def _refuse_redraws(ctx, stmt, arguments, func):
    """Raise UnsupportedSyntaxError where the VJP of the call `arguments` of `func` (None: a
    nested function), which runs the function again, would compute another value: it draws
    random numbers again, other numbers than the call drew (`randomness.first_draw`), or
    its value reads state it changes (`rerun_state.state_read_after_change`)."""
    code = _callee_code(ctx, arguments, func)
    if code is None:
        return
    node, namespace, nested = code
    name = func.__name__ if func is not None else None
    found = first_draw(node, namespace, nested)
    if found is not None:
        call, where = found
        what = (f'the call of `{name or where}`, which draws random numbers (`{_shown(call)}` '
                f'in `{where}`)', 'draw other numbers; draw them in the differentiated '
                'function, or outside it, and pass them in')
    else:
        read = state_read_after_change(node, namespace, nested)
        if read is None:
            return
        what = (f'the call of `{name or node.name}`, whose value reads state it changes '
                f'(`{_shown(read)}`)', 'see that state changed and give the derivative of '
                'another value; take what it reads from that state in the differentiated '
                'function and pass it in')
    raise ctx.unsupported(
        stmt, f'{what[0]}: its derivative runs it again here (as it does where the caller '
              f'changes an array in place, with motion=\'joint\', in second derivatives, and '
              f'for a function that changes state outside itself), which would {what[1]}')


def _callee_code(ctx, arguments, func):
    """``(FunctionDef, its namespace, the nested functions it may call or None)`` of the
    function of yours `func` that `arguments` calls (None: a nested function, lifted), or
    None where its source cannot be read."""
    if func is None:
        return (arguments.lifted[0], ctx.source.namespace,
                {key: info[0] for key, info in ctx.nested.items()})
    try:
        source = parse_function(func)
    except S2SError:
        return None
    return source.node, source.namespace, None


def _shown(node):
    return ast.unparse(gast.gast_to_ast(n.clone(node)))


def splittable(ctx, stmt, ans, arguments, func):
    """Whether the call `arguments` of `func` (None: a nested function) that `stmt` assigns
    to `ans` runs in split motion: the forward part saves references to the arguments and to
    values it returns, so nothing may change them in place before the backward part runs.

    Split when the caller changes no array in place (no assignment into a subscript) and
    changes none of the call's arguments or its result (a list growing by ``append``), and
    the callee changes in place only lists it makes itself and globals it keeps a log in
    (`_changes_only_own_lists`); else joint motion (the VJP recomputes)."""
    if ctx.motion != 'split' or not isinstance(stmt, gast.Assign) or \
            not isinstance(stmt.targets[0], gast.Name) or stmt.targets[0].id != ans:
        return False
    if ctx.assigned_into:
        return False
    if ({ans} | set(n.names_read(arguments.call))) & ctx.mutated:
        return False
    if func is not None and ctx.resolver.lookup(arguments.call.func) is not func:
        return False  # differentiated through a definition: the library computes values
    if func is None:
        node = arguments.lifted[0]
    else:
        try:
            node = parse_function(func).node
        except S2SError:
            return False
    return _changes_only_own_lists(node, logged=func is not None)


def _changes_only_own_lists(node, logged=False):
    """Whether FunctionDef `node` changes in place nothing but lists it makes itself
    (``out = []`` then ``out.append(v)``, each name of such a list bound only to list
    displays): its backward part undoes changes (pops what it appended, restores items it
    assigned) on the values it saved, which the caller may hold too. A list the callee made
    is new at the call: what the caller does with it comes after the call, so the caller's
    backward sweep is done with it before the callee's backward part pops it. With `logged`
    (a module-level function), globals it only logs into (`_logged_globals`) are allowed
    too. An assignment into an item, of anything, may change a value the caller holds."""
    if assigned_into(node.body) or any(
            isinstance(stmt, gast.AugAssign) and not isinstance(stmt.target, gast.Name)
            for stmt in n.walk(node)):
        return False
    args = node.args
    params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
    params |= {a.id for a in (args.vararg, args.kwarg) if a is not None}
    changed = mutated(node.body, aliases=True)
    if changed & params:
        return False
    for name in changed - (_logged_globals(node) if logged else set()):
        bindings = [stmt for stmt in n.walk(node) if name in _bound_by(stmt)]
        if not bindings or not all(
                isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
                isinstance(stmt.value, gast.List) for stmt in bindings):
            return False
    return True


def _logged_globals(node):
    """The names FunctionDef `node` does not bind that it only changes by list and dict
    methods called for their effect with numbers, text or copies (`_logged_value`:
    ``LOG.append(float(v))``, a log or a count kept outside) and reads nowhere else: nothing
    of the function's value or derivative goes through them, so its backward part leaves
    them alone, and the forward part changes them once, as the call does (a logged array
    itself would show the derivative's changes to it)."""
    bound = {name for stmt in n.walk(node) for name in _bound_by(stmt)}
    effects = [stmt.value for stmt in n.walk(node) if isinstance(stmt, gast.Expr) and
               isinstance(stmt.value, gast.Call) and
               isinstance(stmt.value.func, gast.Attribute) and
               isinstance(stmt.value.func.value, gast.Name) and
               stmt.value.func.attr in CONTAINER_METHODS]
    logged = {call.func.value.id for call in effects} - bound
    receivers = {id(call.func.value) for call in effects}
    for other in n.walk(node):
        if isinstance(other, gast.Name) and other.id in logged and id(other) not in receivers:
            logged.discard(other.id)
    return logged - {call.func.value.id for call in effects
                     if not all(_logged_value(arg) for arg in
                                call.args + [k.value for k in call.keywords])}


def _logged_value(node):
    """Whether `node` gives a number, text or a copy: what a log may keep without seeing
    later changes of an array (``float(loss)``, ``v.item()``, ``f'{i}'``, ``w.copy()``)."""
    if isinstance(node, (gast.Constant, gast.JoinedStr)):
        return True
    if isinstance(node, (gast.Tuple, gast.List)):  # (``LOG.extend([float(v)])``)
        return all(_logged_value(elt) for elt in node.elts)
    if not isinstance(node, gast.Call):
        return False
    func = node.func
    if isinstance(func, gast.Name):
        return func.id in ('float', 'int', 'str', 'len', 'bool', 'round', 'repr')
    return isinstance(func, gast.Attribute) and func.attr in ('item', 'copy', 'tolist')


def _bound_by(node):
    """The names statement `node` binds (assignments, loop targets, ``with``, imports,
    definitions); nothing for other nodes."""
    if isinstance(node, gast.Assign):
        return n.names_stored(node.targets[0])
    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Param):
        return [node.id]  # a parameter of a function defined inside
    if isinstance(node, (gast.AugAssign, gast.AnnAssign)):
        return n.names_stored(node.target)
    if isinstance(node, (gast.For, gast.comprehension)):
        return n.names_stored(node.target)
    if isinstance(node, gast.withitem) and node.optional_vars is not None:
        return n.names_stored(node.optional_vars)
    if isinstance(node, (gast.FunctionDef, gast.ClassDef)):
        return [node.name]
    if isinstance(node, gast.NamedExpr):
        return n.names_stored(node.target)
    return []


def nested_functions(ctx, func):
    """The functions defined in `func`'s body, anywhere in its blocks: name ->
    (FunctionDef node, the enclosing variables each call passes by keyword).

    Nested functions are lifted to the top level (`_lift`), see `NestedFunctions`:
    what lifting would not do as Python does raises UnsupportedSyntaxError here.
    """
    ctx.nested_info = NestedFunctions(func, ctx.unsupported)
    info = ctx.nested_info
    info.pass_enclosing_reads(func)
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
    passed = {kw.arg for kw in call.keywords}  # (`NestedFunctions.pass_enclosing_reads`)
    taken = {a.id for a in lifted.args.kwonlyargs}
    for var in free:
        if var not in taken:
            param = n.name(var)
            param.ctx = gast.Param()
            lifted.args.kwonlyargs.append(param)
            lifted.args.kw_defaults.append(None)
        if var not in passed:
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


def _live(ctx, call, func, params, active, mode, receivers, generated, functions=(),
          part=None):
    """How the helper of a call of user function `func` through a global or closure
    variable follows that variable (`LiveHelper`), or None for other calls; `part` 0 or 1:
    the forward or backward part of the VJP (see `split_motion`) instead."""
    name = call.func.id if isinstance(call.func, gast.Name) else None
    source = ctx.source
    method = getattr(call.func, 'method_of', None)
    if generated.function is None:
        return None
    function = generated.function if part is None else generated.split[part].function
    if method is not None:  # (the backward part's first argument is what was saved)
        holder = method[4] if len(method) > 4 else None  # (``Model.create(x)``: `Model`)
        if holder is not None and (holder in source.cells or holder in (source.globals or {})):
            holder = (holder, source.cells.get(holder), source.globals or {})
        else:
            holder = None
        return MethodGuard(function, *method[:3], method[3] and part != 1, holder)
    if name is None or name in ctx.names.bindings:
        return None
    cell = source.cells.get(name)
    try:
        current = cell.cell_contents if cell is not None else \
            (source.globals or {}).get(name)
    except ValueError:
        return None
    if isinstance(current, LiveHelper) and current.function is func:
        return current.guard(function)  # generated code differentiated again
    if current is not func:
        return None
    ctx.live_names.add(name)
    builder, optimized, motion = ctx.builder, ctx.optimized, ctx.motion

    def rebuild(current):
        if list(source_signature(current).parameters) != params:
            raise S2SError(f'`{name}` now denotes a function with other parameters than '
                           f'when the gradient was made; call s2sgrad.grad again')
        if part is not None and not _changes_only_own_lists(parse_function(current).node):
            raise S2SError(f'`{name}` now denotes a function that changes values in place, '
                           f'which the gradient made for the function it denoted before '
                           f'cannot follow (it saved values between its sweeps); call '
                           f's2sgrad.grad again')
        with builder.lock:
            _, new = builder.helper(current, active, mode, optimized, receivers, functions,
                                    motion)
        if part == 0:
            return new.split[0].function, {}
        if part == 1:
            return new.split[1].function, {generated.seed_name: new.seed_name}
        if mode is Mode.VJP:
            return new.function, {generated.seed_name: new.seed_name}
        return new.function, {generated.tangent_names[p]: new.tangent_names[p]
                              for p in active}
    return LiveHelper(function, name, func, cell, source.globals, rebuild)


def _bind_split(ctx, key, generated, live):
    """The local names under which this function's code calls the forward and backward
    parts of the generated VJP `generated` (`live`: their `LiveHelper` or None each)."""
    local_names = ctx.helper_names
    split_key = ('split',) + tuple(key) + _live_name(live and live[0])
    if split_key in local_names:
        return local_names[split_key]
    if key == ctx.key:  # recursion: the parts call themselves by name
        locals_ = ctx.split_names
    else:
        names = generated.split_names if generated.function is None else \
            (generated.split[0].name, generated.split[1].name)
        locals_ = tuple(ctx.namer.fresh(name) for name in names)
    local_names[split_key] = locals_
    ctx.split_used = True
    if key == ctx.key or generated.function is None:  # (mutual) recursion: filled later
        cells = tuple(types.CellType() for _ in locals_)
        if key == ctx.key:
            ctx.split_cells.append(cells)
        else:
            generated.__dict__.setdefault('waiting_split', []).append(cells)
    else:
        cells = tuple(types.CellType((live and live[i]) or generated.split[i].function)
                      for i in (0, 1))
        ctx.helper_generated.extend(generated.split)
    for local, cell in zip(locals_, cells):
        ctx.helper_cells[local] = cell
    return locals_


def _live_name(live):
    """What a helper's binding key adds for a `LiveHelper`: the name it follows (two names
    bound to one function may be rebound apart)."""
    return (('live', live.name),) if isinstance(live, LiveHelper) else ()


def _bind_helper(ctx, key, generated, live=None):
    """The local name under which this function's code calls a generated helper."""
    if key == ctx.key:
        return ctx.function_name()  # recursion: the function calls itself by name
    local_names = ctx.helper_names
    bind_key = tuple(key) + _live_name(live)
    if bind_key in local_names:
        return local_names[bind_key]
    local = local_names[bind_key] = ctx.namer.fresh(generated.name)
    if generated.function is not None:
        ctx.helper_cells[local] = types.CellType(live or generated.function)
        ctx.helper_generated.append(generated)
    else:  # still being built (mutual recursion): filled in by its `_finish`
        cell = ctx.helper_cells[local] = types.CellType()
        generated.__dict__.setdefault('waiting', []).append(cell)
    return local
