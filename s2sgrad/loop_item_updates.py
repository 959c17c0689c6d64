"""Loop variables updated in place: ``for p in ps: p -= lr * g`` writes the item back.

NumPy applies ``p -= v`` in place where `p` is an array, and `p`, the loop variable of ``for p
in ps``, is then the item of `ps` itself: the update changes `ps`. Where it is a number, the
update rebinds `p` and `ps` keeps its item. `Canonicalizer._index_loop` reads each item by
position (``p = ps[i]``), and this pass writes each such update as both, chosen at run time
as Python chooses (`runtime_checks.in_place`: whether the value has the in-place method)::

    if s2s.in_place(p, '-=', ps):
        ps[i] = ps[i] - lr * g    # (``ps[i] -= lr * g``: the alias analysis checks it)
        p = ps[i]
    else:
        p = p - lr * g

Only where `p` is the item all along: the body stores into `p` only by such updates, and
stores nothing into `ps` nor into the position `i` (``ps[j] = v`` could replace the item `p`
holds), calls no method of `ps`, and no other name may hold `ps` (`aliased_names`: a change
through it could move the items); otherwise the update stays as it was, checked at run time
to change no array (`aliasing`). Over a tuple, `in_place` raises InPlaceError (it takes no
item).
"""
import inspect

import gast

from . import nodes as n

_OPERATORS = {gast.Add: '+=', gast.Sub: '-=', gast.Mult: '*=', gast.Div: '/=',
              gast.FloorDiv: '//=', gast.Mod: '%=', gast.Pow: '**=', gast.MatMult: '@=',
              gast.BitAnd: '&=', gast.BitOr: '|=', gast.BitXor: '^=', gast.LShift: '<<=',
              gast.RShift: '>>='}


_READING = frozenset({'len', 'sum', 'min', 'max', 'sorted', 'list', 'tuple', 'zip',
                      'enumerate', 'reversed', 'range', 'any', 'all', 'float', 'int', 'print'})
"""Built-ins that read a list and give back no list that is it (a copy holds its items)."""


def aliased_names(func, namespace):
    """The names of the FunctionDef `func` that another name may come to hold the object of
    (``qs = ps``, ``holder = [ps]``, ``self.ps = ps``, ``helper(ps)`` of a helper that may give
    its argument back): the write-back of an update through a loop variable over one of them
    is not made, as the item at the position may have changed through the other name (see
    `write_back_updates`)."""
    from .alias_memory import FRESH_FUNCTIONS
    from .callees import returns_arguments
    parents = {id(child): node for node in n.walk(func)
               for child in gast.iter_child_nodes(node)}
    found = set()
    for node in n.walk(func):
        if not isinstance(node, gast.Name) or not isinstance(node.ctx, gast.Load):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, (gast.Subscript, gast.Attribute)) and parent.value is node or \
                isinstance(parent, (gast.BinOp, gast.Compare, gast.Return, gast.For,
                                    gast.comprehension, gast.UnaryOp)):
            continue  # (an item, a method; a new list, a test, the loop's iterable; not
            # ``ps or []``, which is `ps`)
        if isinstance(parent, gast.Assign) and parent.value is node and \
                all(isinstance(t, (gast.Tuple, gast.List)) for t in parent.targets):
            continue  # (``W, b = ps``: its items, unpacked)
        if isinstance(parent, gast.keyword):
            parent = parents.get(id(parent))
        if isinstance(parent, gast.Call) and parent.func is node:
            continue  # (the function called)
        if isinstance(parent, gast.Call) and getattr(parent, 'own_results', False):
            continue  # (``s2sgrad.grad(loss)(ps)``: a new list of new arrays)
        if isinstance(parent, gast.Call):
            path = n.dotted_path(parent.func) or ''
            callee = namespace.get(path) if '.' not in path else None
            if path in _READING or path.split('.')[0] in ('np', 'numpy', 'math') or \
                    inspect.isfunction(callee) and \
                    not returns_arguments(callee, FRESH_FUNCTIONS):
                continue  # (a helper of yours that gives no argument back)
        found.add(node.id)
    return found


def write_back_updates(body, item, sequence, index, copied=None):
    """`body` (a loop's, which reads ``item = sequence[index]`` first) with each update of
    `item` in place written into ``sequence[index]`` too (see the module docstring).
    `copied`: where the loop is (``File "f.py", line 3``), when `sequence` is an argument's
    copy (``X = X.copy()``), which of an array holds its own rows, of a list the caller's
    arrays: `runtime_checks.in_place` raises for it."""
    block = gast.Module(body=body, type_ignores=[])
    if index in n.names_stored(block) or sequence in n.names_stored(block):
        return body
    updates = []
    for stmt in n.statements(body):
        if _update_of(stmt, item):
            updates.append(stmt)
        elif item in _stored(stmt) or _changes(stmt, sequence):
            return body
    if not updates:
        return body
    return _replaced(body, {id(stmt) for stmt in updates}, sequence, index, copied)


def _update_of(stmt, item):
    """Whether `stmt` is ``item = item <op> v`` made of ``item <op>= v``."""
    read = getattr(stmt, 'augmented_read', None)
    return isinstance(stmt, gast.Assign) and isinstance(read, gast.Name) and \
        read.id == item and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == item and \
        isinstance(stmt.value, gast.BinOp) and type(stmt.value.op) in _OPERATORS


def _stored(stmt):
    """The names `stmt` itself binds (not those of the blocks it holds)."""
    if isinstance(stmt, (gast.For, gast.AsyncFor)):
        return n.names_stored(stmt.target)
    if isinstance(stmt, (gast.If, gast.While, gast.With, gast.Try)):
        return [node.target.id for node in n.walk(getattr(stmt, 'test', gast.Pass()))
                if isinstance(node, gast.NamedExpr) and isinstance(node.target, gast.Name)]
    return n.names_stored(stmt) + [node.target.id for node in n.walk(stmt)
                                   if isinstance(node, gast.NamedExpr) and
                                   isinstance(node.target, gast.Name)]


def _changes(stmt, sequence):
    """Whether `stmt` stores into `sequence` by subscript or attribute, deletes from it, or
    calls one of its methods."""
    for node in n.walk(stmt if not n.blocks(stmt) else _header(stmt)):
        target = node
        if isinstance(node, (gast.Subscript, gast.Attribute)) and \
                isinstance(node.ctx, (gast.Store, gast.Del)):
            while isinstance(target, (gast.Subscript, gast.Attribute)):
                target = target.value
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            target = node.func.value
        else:
            continue
        if isinstance(target, gast.Name) and target.id == sequence:
            return True
    return False


def _header(stmt):
    """The parts of a compound statement outside its blocks (its test, iterable, items)."""
    parts = [getattr(stmt, field) for field in ('test', 'iter', 'target')
             if getattr(stmt, field, None) is not None]
    parts += [item.context_expr for item in getattr(stmt, 'items', ())]
    return gast.Module(body=[gast.Expr(value=gast.Tuple(elts=parts, ctx=gast.Load()))],
                       type_ignores=[])


def _replaced(stmts, updates, sequence, index, copied):
    out = []
    for stmt in stmts:
        n.map_blocks(stmt, lambda block: _replaced(block, updates, sequence, index, copied))
        if id(stmt) not in updates:
            out.append(stmt)
            continue
        item = stmt.targets[0].id
        value = stmt.value
        written = n.assign(n.subscript(n.name(sequence), n.name(index), store=True),
                           n.binop(n.subscript(n.name(sequence), n.name(index)), value.op,
                                   n.clone(value.right)), stmt.lineno)
        written.augmented_item = True  # (in place on an array item: the alias analysis)
        reread = n.assign(item, n.subscript(n.name(sequence), n.name(index)), stmt.lineno)
        del stmt.augmented_read  # (in the other branch `item` has no in-place method)
        test = n.call('s2s.in_place', n.name(item), n.const(_OPERATORS[type(value.op)]),
                      n.name(sequence), *([n.const(copied)] if copied else []))
        branch = gast.If(test=test, body=[written, reread], orelse=[stmt])
        for node in n.walk(branch):
            if isinstance(node, (gast.stmt, gast.expr)) and node is not stmt:
                gast.copy_location(node, stmt)
        out.append(branch)
    return out
