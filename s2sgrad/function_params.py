"""Parameters whose value is a function: their calls call that function.

A parameter whose default is a function, and which is only called, calls the default (``def
f(x, act=np.tanh): act(x)`` reads ``np.tanh(x)``), or, in the helper of a call that passes a
module's function (``f(x, act=np.sin)``, see `calls`), that function; the generated code checks
that its caller passed that function (`runtime_checks.check_default`). Part of `constructs`.
"""
import builtins
import functools
import inspect
import types

import gast

from . import nodes as n
from .dispatch import instance_guards
from .global_functions import bound_functions, bound_guards
from .resolve import Resolver
from .scopes import default_expressions


def resolve_function_defaults(ctx, func):
    """Calls of a parameter whose default is a function call the default (module docstring)."""
    loads = {}
    stored = set(n.names_stored(gast.Module(body=func.body, type_ignores=[])))
    called = {id(node.func) for node in n.walk(func) if isinstance(node, gast.Call)}
    # (passed on to a function, ``layer(x, act=act)``: the function is resolved there too)
    passed = {id(arg) for node in n.walk(func) if isinstance(node, gast.Call)
              for arg in list(node.args) + [kw.value for kw in node.keywords]}
    for node in n.walk(func):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            loads.setdefault(node.id, []).append(node)
    expressions = dict(default_expressions(func))
    for param in ctx.params:
        value = ctx.source.functions.get(param, ctx.source.defaults.get(param, _NONE))
        if param in ctx.wrt or param in stored or not is_function(value) or \
                not loads.get(param) or \
                any(id(use) not in called and id(use) not in passed for use in loads[param]):
            continue
        expr = expressions.get(param)
        if expr is None or n.dotted_path(expr) is None or \
                Resolver(ctx.source.namespace, ()).lookup(expr) is not value:
            expr = _reach(ctx, value, param)
        for node in n.walk(func):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id == param:
                node.func = n.clone(expr)
            if isinstance(node, gast.Call):
                node.args = [n.clone(expr) if _is_name(arg, param) else arg for arg in node.args]
                for kw in node.keywords:
                    if _is_name(kw.value, param):
                        kw.value = n.clone(expr)
        ctx.default_guards.append((param, n.clone(expr)))


_NONE = object()


def _is_name(node, name):
    return isinstance(node, gast.Name) and node.id == name


def is_function(value):
    """Whether calls of a parameter bound to `value` are resolved to it: a Python function,
    a ufunc, a builtin function or a ``functools.partial`` of one (`partial_calls`; not an
    instance or a class, whose calls may do more)."""
    if type(value) is functools.partial:
        return is_function(value.func)
    return inspect.isfunction(value) or inspect.isbuiltin(value) or \
        type(value).__name__ in ('ufunc', '_ArrayFunctionDispatcher')  # (``np.mean``)


def _reach(ctx, value, param, suffix='_default', avoid=()):
    """An expression for function `value` in the code: its name (``cube``), a module's
    attribute (``np.sin``, ``scipy.special.logsumexp``, the method ``np.add.reduce``) where the
    function's namespace has them, else a name bound to it (not one of `avoid`, names the code
    reads live)."""
    name = getattr(value, '__name__', '')
    if not name.isidentifier() or name == '<lambda>':
        name = param + suffix
    namespace = ctx.source.namespace
    if namespace.get(name) is value and name not in avoid and \
            name not in set(n.names_stored(ctx.func)) | set(ctx.params):
        return n.name(name)
    owner = getattr(value, '__self__', None)  # (``np.add.reduce``: a method of ``np.add``)
    for root in sorted(namespace, key=lambda key: (key != 'np', key)):
        module = namespace[root]
        if not root.isidentifier() or not isinstance(module, types.ModuleType):
            continue
        if getattr(module, name, None) is value:
            return n.attr(root, name)
        if owner is not None and not isinstance(owner, types.ModuleType) and \
                getattr(owner, '__name__', '').isidentifier() and \
                getattr(module, owner.__name__, None) is owner:
            return n.attr(n.attr(root, owner.__name__), name)
        for sub, inner in sorted(vars(module).items()):  # (``scipy.special.logsumexp``)
            if isinstance(inner, types.ModuleType) and sub.isidentifier() and \
                    not sub.startswith('_') and getattr(inner, name, None) is value:
                return n.attr(n.attr(root, sub), name)
    if getattr(builtins, name, None) is value:  # (``max``, where your module binds `max`)
        return n.attr(n.attr('s2s', 'builtins'), name)
    return n.name(ctx.names.object(ctx.namer.fresh(name), value))


def default_guards(ctx):
    """``s2s.check_default(act, np.tanh, 'act', 'f')``: the statements that refuse a call
    passing another function than the default whose calls the code reads."""
    guards = []
    for param, expr in ctx.default_guards:
        # (a helper made for the function a call passes, ``layer(x, np.sin)``: said so)
        passed = [n.const(True)] if param in ctx.source.functions else []
        guard = n.expr(n.call('s2s.check_default', n.name(param), n.clone(expr),
                              n.const(param), n.const(ctx.source.name), *passed))
        guard.no_inline = {param}
        guards.append(guard)
    bound = bound_functions(ctx)
    live = {var for var, _ in bound}
    return guards + bound_guards(ctx, bound, lambda value, var: _reach(
        ctx, value, var, '_made_for', live)) + instance_guards(ctx)
