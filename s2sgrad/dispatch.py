"""Calls of methods of objects known only as one of several kinds: a branch per kind, or a raise."""
import gast

from . import nodes as n
from .callables import HELD_NONE, functions
from .errors import S2SError
from .methods import bind_call, bind_method, receiver_of

_SIMPLE = (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Expr, gast.Return)


def dispatch_by_class(func, ctx):
    """Rewrite, in place, each simple statement of `func` that calls a method of one object
    whose receiver is a `choice` (an item of a list of instances of several classes: ``h =
    layer.forward(h)`` in ``for layer in self.layers:``) into a branch per class::

        if type(layer) is Dense:
            h = Dense.forward(layer, h)
        else:
            h = Tanh.forward(layer, h)

    Each branch is then differentiated like any other; the last, ``else``, raises S2SError:
    the object is of none of the kinds the list held when the gradient was made, which is
    out of date. The receivers are ``ctx.receivers``; ``ctx.names`` binds the classes and
    functions to names generated code can read."""
    if not ctx.receivers:
        return
    for node in list(n.walk(func)):
        n.map_blocks(node, lambda block: [_dispatched(stmt, ctx) for stmt in block],
                     functions=node is func)


def _dispatched(stmt, ctx):
    """`stmt`, or the branches by class that replace it."""
    known, names, lines = ctx.receivers, ctx.names, ctx.source.lines
    if not isinstance(stmt, _SIMPLE):
        return stmt
    found = {}
    for node in n.walk(stmt, skip=lambda child: isinstance(child, gast.Lambda)):
        if isinstance(node, gast.Call):
            target = _object_called(node)
            info = receiver_of(target, known) if target is not None else None
            if info is not None and info.cls is None and _pure(target):
                found.setdefault(gast.dump(target), (target, info))
    if not found:
        return stmt
    target, info = next(iter(found.values()))  # (the others in each branch, recursively)
    branches = _product(info for _, info in found.values())
    if branches > _MOST_BRANCHES:
        objects = ', '.join(f'`{_text(each, lines)}`' for each, _ in found.values())
        raise ctx.unsupported(stmt, f'this statement calls {objects}, items of lists holding '
                                    f'objects of several kinds: it would be {branches} '
                                    f'branches, one per kind of each; call each in a statement '
                                    f'of its own (`h = {_text(target, lines)}(x)`)')
    key = gast.dump(target)
    kinds = sorted(info.items, key=lambda item: -len(functions(item)))  # (see `_test`)
    branches = []
    for item in kinds:
        branch = n.clone(stmt)
        for node in n.walk(branch, skip=lambda child: isinstance(child, gast.Lambda)):
            if isinstance(node, gast.Call):
                called = _object_called(node)
                if called is not None and gast.dump(called) == key:
                    _bind(node, item, names)
        branches.append((item, _dispatched(branch, ctx)))
    error = names.object('S2SError', S2SError)
    message = (f'`{_text(target, lines)}` is of none of the classes, or holds none of the '
               f'functions, that its list held when the gradient was made; call s2sgrad.grad '
               f'again')
    out = [gast.copy_location(gast.Raise(exc=n.call(n.name(error), n.const(message)),
                                         cause=None), stmt)]
    for item, branch in reversed(branches):
        test = _test(target, item, names)
        out = [gast.copy_location(gast.If(test=test, body=[branch], orelse=out), stmt)]
    return out[0]


def _test(target, item, names):
    """Whether object `target` is of the kind of `Receiver` `item`: ``type(layer) is
    Dense``, and ``layer.act is np.tanh`` for each function it holds (``is None`` for each
    attribute holding None). Tested in order, those
    holding more functions first: an object of a kind holding fewer functions fails the tests
    of those before it."""
    tests = [gast.Compare(
        left=n.call(n.name(names.object('type', type)), n.clone(target)), ops=[gast.Is()],
        comparators=[n.name(names.object(item.cls.__name__, item.cls))])]
    for attr, value in sorted(functions(item), key=lambda pair: pair[0]):
        tests.append(gast.Compare(
            left=gast.Attribute(value=n.clone(target), attr=attr, ctx=gast.Load()),
            ops=[gast.Is()], comparators=[n.name(names.object(
                _identifier(getattr(value, '__name__', attr), attr), value))]))
    for attr in sorted(attr for attr, value in item.shadowed if value is HELD_NONE):
        tests.append(gast.Compare(
            left=gast.Attribute(value=n.clone(target), attr=attr, ctx=gast.Load()),
            ops=[gast.Is()], comparators=[n.const(None)]))
    return tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.And(), values=tests)


def _identifier(preferred, fallback):
    return preferred if preferred.isidentifier() else fallback


_MOST_BRANCHES = 16


def _product(infos):
    total = 1
    for info in infos:
        total *= len(info.items)
    return total


def _object_called(call):
    """The object whose method `call` calls (``layer`` of ``layer.forward(h)``), or the
    object called (``layer`` of ``layer(h)``); None for other calls."""
    if isinstance(call.func, gast.Attribute):
        return call.func.value
    if isinstance(call.func, (gast.Name, gast.Subscript)):
        return call.func
    return None


def _bind(call, info, names):
    """Bind `call` of the object of `Receiver` `info` (see `methods.bind_methods`)."""
    if isinstance(call.func, gast.Attribute):
        bind_method(call, call.func.value, call.func.attr, info, names)
    else:
        bind_call(call, info, names)
    call.func.dispatched = info  # (the callee's receiver: `methods.callee_receivers`)


def _pure(expr):
    """Whether `expr` may be evaluated again (for the test of its class): a name, or
    subscripts and attributes of names and constants (``self.layers[i]``)."""
    if isinstance(expr, (gast.Name, gast.Constant)):
        return True
    if isinstance(expr, gast.Attribute):
        return _pure(expr.value)
    if isinstance(expr, gast.Subscript):
        return _pure(expr.value) and _pure(expr.slice)
    if isinstance(expr, gast.UnaryOp):
        return _pure(expr.operand)
    if isinstance(expr, gast.BinOp):
        return _pure(expr.left) and _pure(expr.right)
    return False


def raise_calls_of_none(func, lines):
    """Replace, in place, each simple statement of `func` that calls an object's attribute
    that held None when the transformation ran (``z = self.act(z)`` where ``self.act =
    None``, usually under ``if self.act is not None:``) by the ``raise`` of the TypeError
    Python would raise there: its derivative is never needed. `lines`: the source lines, to
    name the call."""
    def rewrite(block):
        out = []
        for stmt in block:
            split = _split_conditional(stmt)
            if split is not None:  # ``z = self.act(z) if self.act else z``
                split.body, split.orelse = rewrite(split.body), rewrite(split.orelse)
                out.append(split)
                continue
            calls = [node for node in n.walk(stmt, skip=_conditional)
                     if getattr(node, 'calls_none', False)] \
                if isinstance(stmt, _SIMPLE) else []
            if not calls:
                out.append(stmt)
                continue
            text = _text(calls[0].func, lines)
            message = (f"'NoneType' object is not callable: `{text}` held None when the "
                       f"gradient was made (if it holds a function now, call s2sgrad.grad "
                       f"again)")
            out.append(gast.copy_location(gast.Raise(
                exc=n.call('TypeError', n.const(message)), cause=None), stmt))
        return out
    for node in list(n.walk(func)):
        n.map_blocks(node, rewrite, functions=node is func)


def _split_conditional(stmt):
    """For ``z = a if c else b`` (or ``return a if c else b``) where `a` or `b` calls an
    attribute that held None, the ``if c: z = a else: z = b`` that computes the same; None
    for other statements."""
    value = getattr(stmt, 'value', None)
    if not isinstance(stmt, (gast.Assign, gast.Return)) or \
            not isinstance(value, gast.IfExp) or not any(
                getattr(node, 'calls_none', False)
                for part in (value.body, value.orelse) for node in n.walk(part)):
        return None
    branches = []
    for part in (value.body, value.orelse):
        branch = n.clone(stmt)
        branch.value = part
        branches.append(branch)
    return gast.copy_location(gast.If(test=value.test, body=branches[:1],
                                      orelse=branches[1:]), stmt)


def _conditional(node):
    """Whether `node` is evaluated only on a condition within its statement (a conditional
    expression, ``and``/``or``, a lambda, a comprehension): a call of None there may not run,
    and is left to the derivative rules (which refuse it)."""
    return isinstance(node, (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp,
                             gast.SetComp, gast.DictComp, gast.GeneratorExp))


def _text(node, lines):
    """The source text of `node` on its first line, or its unparsed form."""
    try:
        line = lines[node.lineno - 1]
        if node.end_lineno == node.lineno:
            return line[node.col_offset:node.end_col_offset]
    except (AttributeError, IndexError, TypeError):
        pass
    return gast.unparse(node) if hasattr(gast, 'unparse') else node.attr
