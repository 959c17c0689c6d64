"""Shifts that cancel: the function does not depend on them, so the gradient treats them as
constants (the ``np.max`` subtracted before a softmax or a log-sum-exp)."""
import gast
import numpy as np

from . import nodes as n

_KEEP_SHIFT = {'max', 'min', 'amax', 'amin', 'mean'}
"""Reductions r with r(u + c) = r(u) + c for a c constant along the reduced axes."""
_KEEP_FACTOR = {'sum', 'max', 'min', 'amax', 'amin', 'mean'}
"""Reductions r with r(u * e) = r(u) * e for a positive e constant along the reduced axes."""
_REDUCTIONS = _KEEP_SHIFT | _KEEP_FACTOR


def cancelled_shifts(body, resolver):
    """The variables of normalized `body` whose value the function's result does not depend on.

    A candidate `m` is a reduction with ``keepdims=True`` over one axis, or over all of them:
    its value, moved by any ``d``, moves a value computed from it either by a multiple of `d`
    (``x - m``, ``np.log(s)``: an additive shift) or by a factor ``exp(k * d)`` (``np.exp(x -
    m)``, its sum along that axis: a positive factor). Where the two multiples cancel
    (``z - np.log(np.sum(np.exp(z), axis, keepdims=True))``, ``e / np.sum(e, ...)``,
    ``m + np.log(...)``) the value does not depend on `m`. When every value that does is
    used only in such steps, in the block where `m` is made, nothing the function returns
    depends on `m`: its derivative is zero, exactly. Any other use, any second assignment
    and any step this does not know keep `m` an ordinary variable.
    """
    statements = list(n.statements(body))
    counts = {}
    for stmt in statements:
        if isinstance(stmt, (gast.For, gast.AsyncFor)):
            stored = n.names_stored(stmt.target)
        elif isinstance(stmt, (gast.If, gast.While)):
            stored = []
        else:
            stored = n.names_stored(stmt)
        for name in stored:
            counts[name] = counts.get(name, 0) + 1
    found = set()
    for block in [body] + list(n.nested_blocks(body)):
        for index, stmt in enumerate(block):
            axis = _candidate(stmt, resolver)
            if axis is None:
                continue
            if counts.get(stmt.targets[0].id) == 1 and \
                    _cancels(stmt.targets[0].id, axis, _reduced_name(stmt.value, resolver),
                             block[index + 1:], statements, counts, resolver):
                found.add(stmt.targets[0].id)
    return found


def _candidate(stmt, resolver):
    """For ``m = reduction(x, axis=k, keepdims=True)``: ``k``; for a full reduction ``m =
    reduction(x)``: 'all'; otherwise None."""
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
            isinstance(stmt.value, gast.Call)):
        return None
    reduction = _reduction(stmt.value, resolver)
    if reduction is None:
        return None
    _, _, axis, keepdims = reduction
    if axis is None and not keepdims:
        return 'all'
    if isinstance(axis, int) and keepdims:
        return axis
    return None


def _reduction(call, resolver):
    """``(name, operand, axis, keepdims)`` of a call of a NumPy reduction (or the method of
    that name) with literal keywords, on one operand; None for anything else."""
    func = call.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
            resolver.lookup(func) is None:
        name, args = func.attr, [func.value] + list(call.args)  # ``x.max(axis=1, ...)``
    else:
        obj = resolver.lookup(func)
        name = getattr(obj, '__name__', None)
        if obj is None or name not in _REDUCTIONS or getattr(np, name) is not obj:
            return None
        args = list(call.args)
    if name not in _REDUCTIONS or len(args) != 1:
        return None
    keywords = {}
    for kw in call.keywords:
        value = _literal(kw.value)
        if kw.arg not in ('axis', 'keepdims') or value is _UNKNOWN:
            return None
        keywords[kw.arg] = value
    axis, keepdims = keywords.get('axis'), keywords.get('keepdims', False)
    if axis is not None and not isinstance(axis, int) or not isinstance(keepdims, bool):
        return None
    return name, args[0], axis, keepdims


def _reduced_name(call, resolver):
    """The variable the reduction `call` reduces, or None."""
    operand = _reduction(call, resolver)[1]
    return operand.id if isinstance(operand, gast.Name) else None


_UNKNOWN = object()


def _literal(node):
    """The value of a constant or of a negated number constant (``-1``), else _UNKNOWN."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            isinstance(node.operand, gast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return _UNKNOWN


def _cancels(shift, axis, source, after, statements, counts, resolver):
    """Whether every value computed from `shift` in the statements `after` (the rest of its
    block) is one of the steps `_step` knows, and every such value that still moves with
    `shift` is read only by such steps. `source`, what `shift` reduces, is that array only
    until a statement binds its name again."""
    moves = {shift: ('add', 1)}
    handled = set()
    for stmt in after:
        rebinds = source in n.names_stored(stmt)
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)) or \
                not set(n.names_read(stmt.value)) & set(moves):
            source = None if rebinds else source
            continue
        target = stmt.targets[0].id
        kind = _step(stmt.value, moves, axis, source, resolver)
        if kind is None or target in moves:
            return False
        handled.add(id(stmt))
        source = None if rebinds else source
        if kind[1] != 0:
            if counts.get(target) != 1:
                return False
            moves[target] = kind
    moving = {name for name, kind in moves.items() if kind[1] != 0}
    for stmt in statements:
        if id(stmt) in handled:
            continue
        if set(_own_reads(stmt)) & moving:
            return False  # read where this does not follow (a return, a call, a branch)
    return True


def _own_reads(stmt):
    """The names `stmt` reads itself: of a loop or an ``if``, in its header only."""
    if isinstance(stmt, (gast.If, gast.While)):
        return n.names_read(stmt.test)
    if isinstance(stmt, (gast.For, gast.AsyncFor)):
        return n.names_read(stmt.iter)
    return n.names_read(stmt)


def _step(value, moves, axis, source, resolver):
    """How `value` moves with the shift: ``('add', k)`` (by k times it), ``('mul', k)`` (by the
    factor exp(k times it)), ``('add', 0)`` (not at all); None when unknown.

    A shift made along a counted-from-the-front `axis` is constant along that axis of the
    values computed from it only while their number of dimensions stays that of the reduced
    `source`: an operand that does not move must then be a number or `source` itself (one
    with more dimensions would broadcast the shift to other axes). Axes counted from the end
    and full reductions have no such limit."""
    def of(node):
        if isinstance(node, gast.Name) and node.id in moves:
            return moves[node.id]
        if set(n.names_read(node)) & set(moves):
            return False  # an expression of a value that moves: not followed
        if isinstance(axis, int) and axis >= 0 and not (
                isinstance(node, gast.Name) and node.id == source or
                isinstance(_literal(node), (int, float))):
            return False
        return None  # does not depend on the shift
    arithmetic = (gast.Add, gast.Sub, gast.Mult, gast.Div)
    if isinstance(value, gast.BinOp) and isinstance(value.op, arithmetic):
        left, right = of(value.left), of(value.right)
        if left is False or right is False:
            return None
        additive = isinstance(value.op, (gast.Add, gast.Sub))
        kind = 'add' if additive else 'mul'
        sign = 1 if isinstance(value.op, (gast.Add, gast.Mult)) else -1
        if any(side is not None and side[0] != kind and side[1] != 0 for side in (left, right)):
            return None  # a shift multiplied, a factor added: no longer one of the two forms
        total = (left[1] if left else 0) + sign * (right[1] if right else 0)
        return (kind, total)
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        inner = of(value.operand)
        return None if inner in (None, False) or inner[0] != 'add' else ('add', -inner[1])
    if not isinstance(value, gast.Call):
        return None
    reduction = _reduction(value, resolver)
    if reduction is not None:
        name, arg, raxis, keepdims = reduction
        inner = of(arg)
        if inner in (None, False):
            return None
        if axis != 'all' and (raxis != axis or not keepdims):
            return None  # the shift is constant along `axis` only
        keeps = _KEEP_SHIFT if inner[0] == 'add' else _KEEP_FACTOR
        return inner if name in keeps or inner[1] == 0 else None
    func = resolver.lookup(value.func)
    if len(value.args) != 1 or value.keywords or func not in (np.exp, np.log):
        return None
    inner = of(value.args[0])
    if inner in (None, False):
        return None
    if func is np.exp and inner[0] == 'add':
        return ('mul', inner[1])
    if func is np.log and inner[0] == 'mul':
        return ('add', inner[1])
    return None if inner[1] else ('add', 0)
