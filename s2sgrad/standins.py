"""Loop stacks the backward sweep reads only for shapes save stand-ins; unread stacks go."""
import gast

from . import nodes as n
from .dead_code import negate

SHAPE_ARGUMENT = {'unbroadcast': 1, 'unreduce': 1, 'unmean': 1, 'read_at': 2,
                  'like': 1, 'zeros_like': 0, 'reshape_like': 1, 'stored': 1}
"""Runtime helpers that read one argument only for its type, shape and dtype (-> position)."""


def save_shapes(func):
    """Make the pushes of `func`'s shape-only stacks save ``s2s.meta(value)``.

    A stack is a list made empty at the top level of the generated function and used only
    by ``S.append(value)`` and ``v = S.pop()``. It is shape-only when every read of every such
    `v` that may see a popped value is a shape argument of a runtime helper
    (`SHAPE_ARGUMENT`). Pops happen only in the backward sweep, so the reads in top-level
    statements before the first one holding a pop of `S` read the forward sweep's values and
    are not looked at; every later read is. Anything else done with `S` or a `v` (passed on,
    pushed again, read in a nested function) keeps the stack as it is.
    """
    body = func.body
    stacks = _stacks(body)
    if not stacks:
        return func
    reads = _reads(body, min(first for _, _, first in stacks.values()))
    dead = set()
    for stack, (pushes, popped, first) in sorted(stacks.items()):
        later = [shape_only for var in popped
                 for index, shape_only in reads.get(var, ()) if index >= first]
        if not later and all(isinstance(push.args[0], gast.Name) for push in pushes):
            dead.add(stack)  # nothing reads what it gives back
        elif popped and all(later):
            for push in pushes:
                push.args[0] = n.call('s2s.meta', push.args[0])
    if dead:
        func.body = _without(body, dead)
    return func


def _without(stmts, dead):
    """`stmts` without the making of, the pushes onto and the pops from the stacks `dead`."""
    out = []
    for stmt in stmts:
        value = getattr(stmt, 'value', None)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                stmt.targets[0].id in dead:
            continue  # `S = []`
        if isinstance(stmt, (gast.Assign, gast.Expr)) and isinstance(value, gast.Call) and \
                isinstance(value.func, gast.Attribute) and \
                isinstance(value.func.value, gast.Name) and value.func.value.id in dead:
            continue  # `S.append(v)`, `v = S.pop()`
        emptied = False
        for field, inner in n.blocks(stmt):
            if inner:
                kept = _without(inner, dead)
                if all(n.is_comment(s) for s in kept):
                    kept = []  # (a block of comments alone is no block)
                emptied |= not kept
                setattr(stmt, field, kept)
        if emptied and _droppable(stmt):
            continue
        if emptied and isinstance(stmt, gast.If) and not stmt.body and stmt.orelse:
            stmt.test = negate(stmt.test)  # ``if not c:`` and what was the ``else``
            stmt.body, stmt.orelse = stmt.orelse, []
        if emptied and not stmt.body:
            stmt.body = [gast.Pass()]
        out.append(stmt)
    return out


def _droppable(stmt):
    """An ``if`` on a name with nothing left, or a ``for`` over a range with nothing left."""
    if isinstance(stmt, gast.If):
        return not stmt.body and not stmt.orelse and isinstance(stmt.test, gast.Name)
    if isinstance(stmt, gast.For) and not stmt.body and not stmt.orelse:
        call = stmt.iter
        if isinstance(call, gast.Call) and n.dotted_path(call.func) == 'reversed':
            call = call.args[0] if call.args else None
        return isinstance(call, gast.Call) and n.dotted_path(call.func) == 'range' and \
            all(isinstance(a, (gast.Name, gast.Constant)) for a in call.args)
    return False


def _parents(stmt):
    """Parent of each node of `stmt` (by id), and the Name nodes of `stmt`."""
    parents, names = {}, []
    for node in n.walk(stmt):
        if isinstance(node, gast.Name):
            names.append(node)
        for child in gast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents, names


def _stacks(body):
    """Stack name -> (its append calls, the names its pops assign, index of the first
    top-level statement holding a pop), for lists made by a top-level ``S = []``."""
    made = {stmt.targets[0].id for stmt in body
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
            isinstance(stmt.value, gast.List) and not stmt.value.elts}
    if not made:
        return {}
    uses = {name: ([], set(), None) for name in made}
    spoiled = set()
    for index, stmt in enumerate(body):
        parents, names = _parents(stmt)
        for node in names:
            if node.id not in uses:
                continue
            pushes, popped, first = uses[node.id]
            parent = parents.get(id(node))
            if parent is stmt and isinstance(stmt, gast.Assign) and stmt.value is not node and \
                    isinstance(stmt.value, gast.List) and not stmt.value.elts:
                continue  # `S = []`
            call = parents.get(id(parent))
            if not (isinstance(parent, gast.Attribute) and isinstance(call, gast.Call) and
                    call.func is parent):
                spoiled.add(node.id)
                continue
            if parent.attr == 'append' and len(call.args) == 1 and not call.keywords and \
                    isinstance(parents.get(id(call)), gast.Expr):
                pushes.append(call)
                continue
            holder = parents.get(id(call))
            if parent.attr == 'pop' and not call.args and not call.keywords and \
                    isinstance(holder, gast.Assign) and holder.value is call and \
                    isinstance(holder.targets[0], gast.Name):
                popped.add(holder.targets[0].id)
                uses[node.id] = (pushes, popped, index if first is None else first)
                continue
            spoiled.add(node.id)
    return {name: use for name, use in uses.items() if name not in spoiled and use[2] is not None}


def _reads(body, start):
    """Name -> ``(index of its top-level statement, whether a shape argument)`` for every read
    in the top-level statements from `start` on; a read inside a nested function or lambda is
    never a shape argument."""
    reads = {}
    for index in range(start, len(body)):
        shape_reads, nested = set(), set()
        for node in n.walk(body[index]):
            if isinstance(node, (gast.Lambda, gast.FunctionDef)):
                nested.update(id(inner) for inner in n.walk(node))
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    n.dotted_path(node.func) == 's2s.' + node.func.attr:
                position = SHAPE_ARGUMENT.get(node.func.attr)
                if position is not None and position < len(node.args) and \
                        isinstance(node.args[position], gast.Name):
                    shape_reads.add(id(node.args[position]))
        for node in n.walk(body[index]):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                reads.setdefault(node.id, []).append(
                    (index, id(node) in shape_reads and id(node) not in nested))
    return reads
