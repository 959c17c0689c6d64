"""``zip``, ``enumerate`` and ``reversed`` consumed whole, written as list comprehensions.

``list(zip(xs, ys))`` becomes ``[(a, b) for a, b in zip(xs, ys)]``, ``dict(zip(keys, xs))``
``dict([(k, v) for k, v in zip(keys, xs)])``, ``for i, v in enumerate(reversed(x))`` reads
``[v for v in reversed(x)]``, and ``for pair in zip(xs, ys)`` iterates ``[(a, b) for a, b in
zip(xs, ys)]``. The loops of those comprehensions unpack their items by index, which the
pipeline differentiates; the iterator objects themselves have no derivative rule.

Only a call consumed at once is rewritten (the argument of a built-in that takes the whole
iterable, the iterable of a ``for`` or of another such call), so a list gives the same items
in the same order; an iterator kept under a name (``pairs = zip(xs, ys)``, which a second
pass would find empty), or iterated by a loop whose body changes what it reads (``l[1] = v``
while ``zip(l, l)`` runs: Python's iterator sees the change), is left as it is.
"""
import builtins

import gast

from . import nodes as n
from .comprehensions import CONSUMERS

_LOWERED = ('zip', 'enumerate', 'reversed')
_TAKERS = CONSUMERS + ('dict', 'any', 'all')
"""Built-ins that take a whole iterable (a list of the same items gives the same result)."""


def lower_iterators(ctx, func, resolver):
    """Rewrite, in place, the calls of `zip`, `enumerate` and `reversed` in `func` that are
    consumed whole and that the loops cannot unpack as they stand (see the module)."""
    for node in list(n.walk(func)):
        if isinstance(node, gast.For) and \
                set(n.names_read(node.iter)) & _changed_in(node.body, resolver):
            continue  # (the iterator reads the lists as the body changes them; a list
            # made first would not)
        if isinstance(node, (gast.For, gast.comprehension)):
            if _iterated_as_is(node, resolver):
                _lower_arguments(ctx, node.iter, resolver)
            else:
                node.iter = _lowered(ctx, node.iter, resolver)
        elif _builtin_call(node, resolver, _TAKERS):
            node.args = [_lowered(ctx, arg, resolver) if i == 0 else arg
                         for i, arg in enumerate(node.args)]


def _changed_in(body, resolver):
    """The names that `body` may change in place: assigned into (``l[1] = v``), augmented
    (``l += [v]``), the receiver of a method (``l.append(v)``), or passed to a function
    that is not NumPy's, `math`'s or a built-in."""
    changed = set()
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            for target in getattr(node, 'targets', None) or [node.target]:
                for part in n.walk(target):
                    if isinstance(part, gast.Subscript):
                        changed.update(n.names_read(part.value))
            if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                changed.add(node.target.id)
        elif isinstance(node, gast.Call):
            if isinstance(node.func, gast.Attribute):
                changed.update(n.names_read(node.func.value))
            module = getattr(resolver.lookup(node.func), '__module__', None) or ''
            if module.split('.')[0] not in ('numpy', 'math', 'builtins'):
                for arg in node.args + [k.value for k in node.keywords]:
                    changed.update(n.names_read(arg))
    return changed


def _builtin_call(node, resolver, names):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id in names and resolver.lookup(node.func) is getattr(builtins, node.func.id)


def _lowerable(node, resolver):
    """A call of `zip` (``strict=`` a constant too), `enumerate` (``start=`` too) or
    `reversed` with plain arguments."""
    if not _builtin_call(node, resolver, _LOWERED) or not node.args or \
            node.keywords and not (node.func.id == 'zip' and strict_zip(node) is not None or
                                   node.func.id == 'enumerate' and len(node.args) == 1 and
                                   [k.arg for k in node.keywords] == ['start']) or \
            any(isinstance(a, gast.Starred) for a in node.args):
        return False
    if node.func.id == 'enumerate':
        return len(node.args) <= 2
    return node.func.id == 'zip' or len(node.args) == 1


def strict_zip(call):
    """``True`` or ``False`` for a call of zip whose keywords are only ``strict=`` a constant
    (``strict=False`` too), else None (other keywords, or a computed one)."""
    if len(call.keywords) == 1 and call.keywords[0].arg == 'strict' and \
            isinstance(call.keywords[0].value, gast.Constant) and \
            isinstance(call.keywords[0].value.value, bool):
        return call.keywords[0].value.value
    return False if not call.keywords else None


def _iterated_as_is(loop, resolver):
    """Whether the loop (or comprehension) unpacks its iterable's items itself: ``for a, b in
    zip(xs, ys)``, ``for i, v in enumerate(xs)``, ``for v in reversed(xs)``."""
    it, target = loop.iter, loop.target
    if not _lowerable(it, resolver):
        return True
    if it.func.id == 'zip':
        return isinstance(target, gast.Tuple) and len(target.elts) == len(it.args)
    if it.func.id == 'enumerate':
        return isinstance(target, gast.Tuple) and len(target.elts) == 2
    return True


def _lower_arguments(ctx, call, resolver):
    """Lower the iterables that the iterated call `call` consumes (``enumerate(reversed(x))``
    reads ``[v for v in reversed(x)]``)."""
    if _lowerable(call, resolver) and call.func.id in ('zip', 'enumerate'):
        count = len(call.args) if call.func.id == 'zip' else 1
        call.args = [_lowered(ctx, arg, resolver) if i < count else arg
                     for i, arg in enumerate(call.args)]


def _lowered(ctx, node, resolver):
    """`node` as a list comprehension when it is a lowerable call, else `node`."""
    if not _lowerable(node, resolver):
        return node
    _lower_arguments(ctx, node, resolver)
    kind = node.func.id
    count = len(node.args) if kind == 'zip' else 2 if kind == 'enumerate' else 1
    names = [ctx.namer.fresh('index' if kind == 'enumerate' and i == 0 else 'item')
             for i in range(count)]
    if count == 1:
        target, elt = n.name(names[0], store=True), n.name(names[0])
    else:
        target = n.tuple_([n.name(v, store=True) for v in names], store=True)
        elt = n.tuple_([n.name(v) for v in names])
    made = gast.ListComp(elt=elt, generators=[
        gast.comprehension(target=target, iter=node, ifs=[], is_async=0)])
    return locate(made, node)


def locate(made, node):
    """`made`, its parts without a position given `node`'s (for error messages)."""
    for sub in gast.walk(made):
        if isinstance(sub, (gast.expr, gast.stmt)) and getattr(sub, 'lineno', None) is None:
            gast.copy_location(sub, node)
            sub.end_lineno, sub.end_col_offset = node.end_lineno, node.end_col_offset
    return made
