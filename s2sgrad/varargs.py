"""``*args`` parameters differentiated as tuples.

A ``*args`` parameter of a nested ``def`` becomes a tuple parameter, and each call packs its
extra positional arguments into a tuple (``h(x, y)`` -> ``h((x, y))``); a call of a module
function with ``*args`` passes them as one tuple (``g(x, y)`` -> ``g(*(x, y))``), which its
generated helper, keeping ``*args``, differentiates as a tuple parameter. Part of `constructs`.
"""
import inspect

import gast

from . import nodes as n
from . import rules


def pack_varargs(ctx, func, resolver):
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
            if found is not None:
                _pack_rest(node, *found)
            continue
        if len(node.args) >= fixed:
            packed_args = n.tuple_(node.args[fixed:])
            packed_args.vararg = vararg
            node.args = node.args[:fixed] + [packed_args]
        else:
            node.keywords = list(node.keywords) + [gast.keyword(arg=vararg,
                                                                value=n.tuple_([]))]


def unpack_forwarded(ctx, func, resolver):
    """``nll(theta, *args)`` in a function with ``*args`` (the objective that
    ``scipy.optimize.minimize(objective, x0, args=(X, y))`` calls) passing its own tuple on
    to a user function of fixed parameters: the tuple is unpacked first, into as many names
    as that function has parameters left (``args_0, args_1 = args``: a tuple of another
    length raises, as the call would), and the call passes the names."""
    vararg = func.args.vararg.id if func.args.vararg is not None else None
    stored = n.names_stored(gast.Module(body=func.body, type_ignores=[]))
    if vararg is None or vararg in stored:
        return
    receivers = {name: receiver for name, receiver in
                 (getattr(ctx.source, 'receivers', None) or {}).items()
                 if name not in stored}  # (``self = other`` first: another object's method)
    calls, counts = [], set()
    for node in _own_nodes(func.body):
        if not isinstance(node, gast.Call) or not node.args or node.keywords:
            continue
        last = node.args[-1]
        if not (isinstance(last, gast.Starred) and isinstance(last.value, gast.Name) and
                last.value.id == vararg) or \
                any(isinstance(a, gast.Starred) for a in node.args[:-1]):
            continue
        left = _fixed_parameters(resolver, node.func, receivers)
        if left is None or left < len(node.args) - 1:
            return
        calls.append(node)
        counts.add(left - (len(node.args) - 1))
    if not calls or len(counts) != 1:
        return
    names = [ctx.namer.fresh(f'{vararg}_{i}') for i in range(counts.pop())]
    for call in calls:
        call.args = call.args[:-1] + [n.name(name) for name in names]
    unpack = n.assign(gast.Tuple(elts=[n.name(name, store=True) for name in names],
                                 ctx=gast.Store()), n.name(vararg))
    func.body.insert(0, gast.copy_location(unpack, func.body[0]))


def _own_nodes(body):
    """The nodes of `body`, not those of the functions and lambdas defined in it (their
    ``*args`` may be another tuple of the same name)."""
    todo = list(body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            todo.extend(gast.iter_child_nodes(node))


def _fixed_parameters(resolver, func_node, receivers=None):
    """The number of positional parameters of the user function `func_node` calls, when it
    has neither defaults nor ``*args``/``**kwargs``, else None; a method of an instance
    `receivers` knows (``self.forward(*args)`` in ``def __call__(self, *args)``) counts
    those after its ``self``."""
    from .source import signature
    method = _method_of_receiver(func_node, receivers or {})
    if method is not None:
        count = _fixed_count(method, signature)
        return count - 1 if count else None
    try:
        obj = resolver.lookup(func_node)
    except Exception:
        return None
    return _fixed_count(obj, signature)


def _method_of_receiver(func_node, receivers):
    """The plain function of the class that ``receiver.name`` calls, for an instance (not a
    class) that `receivers` knows whose own attributes do not shadow it; else None."""
    if not (isinstance(func_node, gast.Attribute) and isinstance(func_node.value, gast.Name)):
        return None
    receiver = receivers.get(func_node.value.id)
    cls = getattr(receiver, 'cls', None)
    if not isinstance(cls, type) or receiver.of_class or func_node.attr in receiver.shadowed:
        return None
    try:
        static = inspect.getattr_static(cls, func_node.attr)
    except AttributeError:
        return None
    return static if inspect.isfunction(static) else None


def _fixed_count(obj, signature):
    """`_fixed_parameters` of the function object `obj`."""
    if not inspect.isfunction(obj) or rules.is_library(obj):
        return None
    try:
        params = list(signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    P = inspect.Parameter
    if any(p.kind not in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD) or
           p.default is not P.empty for p in params):
        return None
    return len(params)


def pack_method_varargs(func):
    """`pack_varargs` for the calls of methods that `methods.bind_methods` and `dispatch`
    bound (``Module.__call__(layer, x)`` of ``def __call__(self, *args)``): they were not
    calls of known functions when `pack_varargs` ran."""
    for node in n.walk(func):
        method = getattr(node.func, 'method_of', None) if isinstance(node, gast.Call) else None
        found = _vararg_of(getattr(method[2], '__func__', method[2])) \
            if method is not None else None
        if found is not None and not any(isinstance(a, gast.Starred) for a in node.args):
            _pack_rest(node, *found)  # (``self.forward(*args)`` is refused by the fence)


def _pack_rest(call, fixed, vararg):
    """The function keeps its ``*args``: ``g(x, y, z)`` -> ``g(x, *(y, z))``, the tuple
    bound to its parameter `vararg` after `fixed` positional ones."""
    if len(call.args) > fixed:
        starred = gast.Starred(value=n.tuple_(call.args[fixed:]), ctx=gast.Load())
        starred.packed, starred.vararg = True, vararg
        call.args = call.args[:fixed] + [starred]


def _user_vararg(resolver, func_node):
    """(fixed positional count, vararg name) of a user function with ``*args`` that the call
    of `func_node` differentiates from its source, else None."""
    try:
        obj = resolver.lookup(func_node)
    except Exception:
        return None
    return _vararg_of(obj)


def _vararg_of(obj):
    """(fixed positional count, vararg name) of user function `obj` if it has ``*args``."""
    from .source import signature
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


def constant_starred(func):
    """Replace, in place, each ``*name`` argument of a call (``x.transpose(*perm)``,
    ``x.reshape(*shape)``) where `name` is bound once in `func` (and in the functions and
    lambdas it defines, whose parameters bind it too), to a tuple display of constants
    (``perm = (2, 0, 1)``, ``shape = (-1, 6)``: a tuple, which nothing changes), by those
    constants."""
    bound = {}
    plain = set()  # (the targets of ``name = value``, counted with their values)
    for node in n.walk(func):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name):
            bound.setdefault(node.targets[0].id, []).append(node.value)
            plain.add(id(node.targets[0]))
        elif isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) and \
                id(node) not in plain:
            bound.setdefault(node.id, []).append(None)  # (a parameter, a target, ``del``)
        elif isinstance(node, (gast.FunctionDef, gast.ClassDef)):
            bound.setdefault(node.name, []).append(None)
        elif isinstance(node, (gast.Global, gast.Nonlocal)):
            for name in node.names:
                bound.setdefault(name, []).append(None)
        elif isinstance(node, gast.alias):
            bound.setdefault((node.asname or node.name).split('.')[0], []).append(None)
    starred = [node for node in n.walk(func) if isinstance(node, gast.Call) and
               any(isinstance(arg, gast.Starred) for arg in node.args)]
    counts = {}
    for call in starred:
        for arg in call.args:
            if isinstance(arg, gast.Starred) and isinstance(arg.value, gast.Name):
                counts[arg.value.id] = counts.get(arg.value.id, 0) + 1
    constants = {name: values[0].elts for name, values in bound.items()
                 if name in counts and len(values) == 1 and
                 isinstance(values[0], gast.Tuple) and
                 all(_constant(elt) for elt in values[0].elts)}
    for call in starred:
        args = []
        for arg in call.args:
            if isinstance(arg, gast.Starred) and isinstance(arg.value, gast.Name) and \
                    arg.value.id in constants:
                args.extend(n.clone(elt) for elt in constants[arg.value.id])
            else:
                args.append(arg)
        call.args = args


def _constant(node):
    """Whether `node` is a constant or a negated one (``-1``)."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant)
