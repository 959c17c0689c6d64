"""``functools.reduce`` written as the loop it runs, before its statement::

    p = reduce(mul, xs)                  values = list(xs)
                                         acc = values[0]
                                 ->      for item in values[1:]:
                                             acc = mul(acc, item)
                                         p = acc

With an initial value the loop starts from it and runs over every item. A lambda is written
out in the loop (``reduce(lambda a, b: a + b * w, xs, 0.0)``: ``acc = acc + item * w``); a
function (of the user's, of ``operator``, of NumPy) is called. Only a ``reduce`` that Python
computes once when its statement runs, before any other call of the statement, is moved (not
one in ``and``/``or``, a chained comparison, ``x if c else y``, a comprehension or a lambda, nor
one after a call that runs first: ``xs.pop() + reduce(add, xs)``); the others, and calls with
``*``/``**`` or keywords, are left (refused as calls without a rule).
"""
import functools

import gast

from . import nodes as n
from .named_exprs import called_before, once


def lower_reduces(ctx, func, resolver):
    """Rewrite, in place, each movable ``functools.reduce`` call of the FunctionDef `func`
    (and of the functions it defines) as a loop before its statement; `ctx` names the loop's
    variables, `resolver` tells which calls are ``reduce``."""
    def block(stmts):
        out = []
        for stmt in stmts:
            n.map_blocks(stmt, block, functions=True)
            out.extend(_lowered(ctx, stmt, resolver))
        return out
    func.body = block(func.body)


def _lowered(ctx, stmt, resolver):
    parts = _parts(stmt)
    calls = [node for part in parts for node in once(part, gast.Call)
             if _is_reduce(node, resolver)]
    inside = {id(node) for call in calls for node in n.walk(call)}
    # (not after a call that runs first: ``xs.pop() + reduce(add, xs)``)
    calls = [call for call in calls if not called_before(parts, call, inside, resolver)]
    if not calls:
        return [stmt]
    before, results = [], {}
    for call in calls:  # (inner ones first: a reduce over another's result)
        loop, result = _loop(ctx, call, results)
        # (the loop's own statements at the call's line: passes after this one place what
        # they make there, ``for v in map(g, xs)``)
        before.extend(gast.fix_missing_locations(gast.copy_location(s, stmt)) for s in loop)
        results[id(call)] = result

    class Replace(gast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            name = results.get(id(node))
            return gast.copy_location(n.name(name), node) if name else node
    for field in ('test', 'iter', 'value'):
        value = getattr(stmt, field, None)
        if value is not None and any(value is part for part in parts):
            setattr(stmt, field, Replace().visit(value))
    return before + [stmt]


def _parts(stmt):
    """The expressions of `stmt` that Python computes once, before the statement acts."""
    if isinstance(stmt, (gast.If, gast.While)):
        return [] if isinstance(stmt, gast.While) else [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.iter]
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)):
        return [stmt.value] if stmt.value is not None else []
    return []


def _is_reduce(call, resolver):
    if any(isinstance(a, gast.Starred) for a in call.args) or call.keywords or \
            len(call.args) not in (2, 3):
        return False
    try:
        return resolver.lookup(call.func) is functools.reduce
    except TypeError:
        return False


def _loop(ctx, call, results):
    """The statements that compute `call` of ``reduce``, and the name holding its value."""
    def replaced(node):  # (a reduce inside this one's arguments, already a name)
        name = results.get(id(node))
        return n.name(name) if name else node
    fn, items = replaced(call.args[0]), replaced(call.args[1])
    acc, item = ctx.namer.fresh('acc'), ctx.namer.fresh('item')
    out = []
    if len(call.args) == 3:
        out.append(n.assign(acc, replaced(call.args[2])))
        iterated = items
    else:
        values = ctx.namer.fresh('values')
        out.append(n.assign(values, n.call('list', items)))
        out.append(n.assign(acc, gast.Subscript(value=n.name(values), slice=n.const(0),
                                                ctx=gast.Load())))
        iterated = gast.Subscript(value=n.name(values), slice=gast.Slice(
            lower=n.const(1), upper=None, step=None), ctx=gast.Load())
    step = _applied(fn, acc, item)
    loop = gast.For(target=n.name(item, store=True), iter=iterated,
                    body=[n.assign(acc, step)], orelse=[], type_comment=None)
    out.append(loop)
    return out, acc


def _applied(fn, acc, item):
    """``fn(acc, item)``, a lambda's body with its parameters renamed."""
    params = fn.args.args if isinstance(fn, gast.Lambda) else []
    if isinstance(fn, gast.Lambda) and len(params) == 2 and not fn.args.vararg and \
            not fn.args.kwarg and not fn.args.kwonlyargs and not fn.args.posonlyargs:
        body = n.clone(fn.body)
        n.rename(body, {params[0].id: acc, params[1].id: item})
        return body
    return n.call(n.clone(fn), n.name(acc), n.name(item))
