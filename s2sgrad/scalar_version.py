"""The version of a gradient for Python numbers, made beside the general one for scalar code.

When a function calls the `math` module on a differentiated value, `grad` also builds a
version that knows its differentiated parameters are Python numbers: every value computed
from them by arithmetic and `math` is then a number, so the gradient needs no
``unbroadcast`` of them and saves no value only for its shape. It starts with
``if type(x) not in (float, int): return dfdx_general(x)``.
"""
import builtins
import math
import types

import gast

from . import nodes as n, rules
from .activity import target_names
from .printer import to_source


def scalar_guard(ctx):
    """The parameters to check at entry for a version of the gradient for Python numbers
    (the `wrt` parameters), or () when there is none to make.

    Made for scalar code: a gradient (or value and gradient) of a function of plain
    positional parameters, none of them a container, that calls a function of the `math`
    module on a differentiated value. Knowing that every parameter differentiated is a
    Python float or int, shape analysis knows every value computed from them by arithmetic
    and `math` is a number, so the gradient needs no `unbroadcast` of them, and saves no
    value the backward sweep would read only for its shape.
    """
    args = ctx.func.args
    if not ctx.mode.gradient or not ctx.optimized or \
            args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or \
            set(ctx.wrt) & set(ctx.container_vars):
        return ()
    for name in ('type', 'float', 'int'):  # the check reads the built-ins
        if name in n.all_names(ctx.func) or \
                ctx.source.namespace.get(name, getattr(builtins, name)) is not \
                getattr(builtins, name):
            return ()
    for stmt in ctx.body_all_statements:
        value = getattr(stmt, 'value', None)
        if isinstance(value, gast.Call) and \
                getattr(ctx.resolver.lookup(value.func), '__module__', None) == 'math' and \
                any(ctx.activity.is_active(arg) for arg in value.args):
            return tuple(ctx.wrt)
    return ()


def call_general(ctx, node):
    """Put at the top of `node` the check that the guarded parameters are Python numbers,
    which otherwise calls the general version: ``if type(x) not in (float, int): ...``."""
    general = ctx.general
    local = ctx.namer.fresh(general.name)
    ctx.helper_cells[local] = types.CellType(general.function)
    ctx.helper_generated.append(general)
    numbers = n.tuple_([n.name('float'), n.name('int')])
    tests = [gast.Compare(left=n.call('type', n.name(p)), ops=[gast.NotIn()],
                          comparators=[n.clone(numbers)]) for p in ctx.scalar_params]
    test = tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.Or(), values=tests)
    call = n.call(local, *[n.name(a.id) for a in ctx.func.args.args])
    guard = gast.If(test=test, body=[gast.Return(value=call)], orelse=[])
    body = node.body
    at = 0
    while at < len(body) and n.is_comment(body[at]):
        at += 1
    node.body = body[:at] + [guard] + body[at:]


def statically_scalar(ctx, name, body, depth=0):
    """Whether top-level variable `name` is a scalar by construction (a full reduction,
    a math function, or arithmetic of such values and numbers)."""
    top, every = _definitions(ctx, body)
    definitions = top.get(name, [])
    if len(definitions) != 1 or every.get(name) != 1 or depth > 20:
        return False
    return _scalar_expression(ctx, definitions[0].value, body, depth)


def _definitions(ctx, body):
    """The top-level assignments of each name in `body`, and how often each is assigned
    anywhere (kept on `ctx` for the body last asked about)."""
    cached = ctx.scalar_definitions
    if cached is None or cached[0] is not body:
        top, every = {}, {}
        for stmt in body:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                top.setdefault(stmt.targets[0].id, []).append(stmt)
        for stmt in n.statements(body):
            if isinstance(stmt, gast.Assign):
                for target in target_names(stmt.targets[0]):
                    every[target] = every.get(target, 0) + 1
        cached = ctx.scalar_definitions = (body, top, every)
    return cached[1], cached[2]


def _scalar_expression(ctx, value, body, depth):
    if isinstance(value, gast.Constant):
        return type(value.value) in (int, float)
    if isinstance(value, gast.Name):
        return statically_scalar(ctx, value.id, body, depth + 1)
    if isinstance(value, gast.UnaryOp):
        return _scalar_expression(ctx, value.operand, body, depth)
    if isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult):
        return _scalar_expression(ctx, value.left, body, depth) and \
            _scalar_expression(ctx, value.right, body, depth)
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Attribute):
        return value.value.attr == 'shape' and not isinstance(value.slice, gast.Slice)
    if isinstance(value, gast.Attribute):
        return value.attr in ('size', 'ndim')
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Name) and func.id == 'len' and ctx.resolver.lookup(func) \
                is len:
            return True
        if isinstance(func, gast.Attribute) and not ctx.resolver.is_global(func):
            return func.attr in ('sum', 'mean', 'max', 'min') and not value.args and \
                not value.keywords
        obj = ctx.resolver.lookup(func)
        if obj is None:
            return False
        if getattr(obj, '__module__', None) == 'math' or \
                type(obj).__name__ == 'builtin_function_or_method' and \
                getattr(obj, '__self__', None) is math:
            return True
        return rules.is_reduction(obj) and len(value.args) == 1 and not value.keywords
    return False


def same_body(a, b):
    """Whether FunctionDefs `a` and `b` print the same body."""
    return to_source(gast.Module(body=a.body, type_ignores=[])) == \
        to_source(gast.Module(body=b.body, type_ignores=[]))
