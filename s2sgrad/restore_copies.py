"""Restore copies: an adjoint that may be an array the backward sweep restores in place is
copied before the restore.

The backward sweep undoes each write of the forward sweep in place (``x[0] = x_old``), so that
the values it reads by reference are those of their time. An adjoint made from such a value
without arithmetic (``by = s2s.unbroadcast(x_item, y)`` for ``np.sum(y * x[:2])``, where the
seed is 1.0) is that array itself: read after the restore, it would read the restored values.
"""
import gast

from . import nodes as n
from .alias_analysis import _live_after
from .aliasing import _assigned_before
from .own_results import _Memory


def copy_before_restores(func, seed_name):
    """Insert ``v = s2s.own(v)`` (a copy) before each write into a subscript in the backward
    sweep of the FunctionDef `func` (from its first ``# Grad of:`` comment, or the first
    statement that reads or assigns `seed_name`) for each other name `v` read after it that
    may share the written array's memory."""
    start = next((i for i, stmt in enumerate(func.body)
                  if any(_grad_comment(s) for s in n.statements([stmt])) or
                  seed_name in n.names_read(stmt) or seed_name in n.names_stored(stmt)), None)
    of_dicts = _of_dicts(func.body)
    if start is None or not any(_restores(stmt, of_dicts)
                                for stmt in n.statements(func.body[start:])):
        return func
    # (where no restore is at the top level, those in a loop copy only the names the backward
    # sweep binds before the loop, ``bx = s2s.unbroadcast(v, x)`` of ``v = ident(buf)``: the
    # loop's own values are saved or made at each pass)
    top = any(_restores(stmt, of_dicts) for stmt in func.body[start:])
    memory = _Memory(func)
    live = _live_after(func.body)
    given = _arguments_as_given(func, memory)
    placed = {}
    params = n.names_stored(func.args)
    unset = set()  # (a name bound in one branch only, ``items`` of a concatenate: None first)
    bound = set()
    # (a value of the forward sweep, ``b_item = b[1:]`` read before ``b[1:] = ...`` or put
    # back from its stack, shows the restored values, as it should: only the adjoints the
    # backward sweep makes are copied)
    forward = set(n.names_stored(gast.Module(body=func.body[:start], type_ignores=[])))
    for outer in func.body[start:]:
        for stmt in n.statements([outer]):
            for target in _restores(stmt, of_dicts):
                _copy_before(stmt, target, memory, live, given | forward, placed, func, params,
                             unset, None if top or stmt is outer else bound, outer)
        bound.update(n.names_stored(outer))
    if placed:
        func.body = [n.assign(name, n.const(None)) for name in sorted(unset)] + \
            n.place(func.body, placed)
    return func


def _copy_before(stmt, target, memory, live, given, placed, func, params, unset, bound,
                 outer):
    """Place ``v = s2s.own(v)`` before `stmt`, the restore of `target`, for each name `v`
    live after it that may share its memory (of the names in `bound`, where given: before
    `outer`, the loop holding `stmt`, where the loop does not bind `v`)."""
    written = memory.of(target.value)
    base = n.dotted_path(target.value)
    for name in sorted(live.get(id(stmt), ())):
        if name == base or name in given or not (memory.of(n.name(name)) & written) or \
                bound is not None and name not in bound:
            continue
        if any(loc[0] == 'outside' for loc in memory.of(n.name(name)) & written) \
                and name not in memory.definitions:
            continue  # (a parameter or a global itself: never an adjoint)
        where = id(outer) if bound is not None and name not in n.names_stored(outer) \
            else id(stmt)
        copy = n.assign(name, n.call('s2s.own', n.name(name)))
        if not any(gast.dump(copy) == gast.dump(c) for c in placed.get(('before', where), ())):
            placed.setdefault(('before', where), []).append(copy)
        if name not in _assigned_before(func.body, stmt, params):
            unset.add(name)


def _arguments_as_given(func, memory):
    """The names bound once, at the top of `func`'s body before anything rebinds it, to a
    parameter (``params_given = params`` before ``params = s2s.copy(params)``): the argument
    as the caller gave it, which no restore of the backward sweep writes into."""
    found = set()
    for stmt in func.body:
        if n.is_comment(stmt):
            continue
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and
                stmt.value.id in memory.params):
            break
        if len(memory.definitions.get(stmt.targets[0].id, ())) == 1:
            found.add(stmt.targets[0].id)
    return found


def _grad_comment(stmt):
    return n.is_comment(stmt) and stmt.value.value.startswith('#s2s#Grad of')


def _restores(stmt, of_dicts=()):
    """The subscript targets `stmt` writes into (``x[0] = x_old``; ``x[1]`` of
    ``s2s.restore_item(x, 1, x_old)``, where `x` may be an array, not at a string key or in
    a branch for dicts, `of_dicts`, where it is a dict whose item is rebound)."""
    if isinstance(stmt, gast.Assign):
        return [t for t in stmt.targets if isinstance(t, gast.Subscript)]
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    if isinstance(call, gast.Call) and n.dotted_path(call.func) == 's2s.restore_item' and \
            len(call.args) == 3 and id(stmt) not in of_dicts and not (
                isinstance(call.args[1], gast.Constant) and isinstance(call.args[1].value, str)):
        return [gast.Subscript(value=call.args[0], slice=call.args[1], ctx=gast.Store())]
    return []


def _of_dicts(body):
    """The statements under ``if isinstance(d, dict):`` (the backward part of ``d.pop(k)``
    for a dict, which puts the item back at its key)."""
    found = set()
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        test = getattr(node, 'test', None) if isinstance(node, gast.If) else None
        if isinstance(test, gast.Call) and n.dotted_path(test.func) == 'isinstance' and \
                len(test.args) == 2 and n.dotted_path(test.args[1]) == 'dict':
            found.update(id(stmt) for stmt in n.statements(node.body))
    return found
