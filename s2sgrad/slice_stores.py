"""Slice assignments that may change a list's length, ``lst[a:b] = items``, and their restores.

Python's ``lst[1:2] = [p, q]`` replaces one item by two: the list grows, and the items after
the slice move. The backward sweep of such a write reads the adjoint of `items` where they
are now, puts the replaced items back there, and leaves the list's adjoint as long as the list
was before. Where the list is now is found at run time (``s2s.written_at``) from the items the
write replaced, which the forward sweep keeps; an array (whose slices keep their length) gets
its `index` back unchanged::

    lst_old = s2s.copy(lst[1:2])          # forward
    lst[1:2] = items
    ...
    at = s2s.written_at(lst, slice(1, 2, None), lst_old, items)   # backward
    bitems = s2s.read_at(blst, at, items)
    blst = s2s.zero_at(blst, at, lst_old)
    lst[at] = lst_old
"""
import gast

from . import nodes as n
from .activity import list_values


def _plain_slice(target, written=()):
    """Whether `target` is ``y[a:b]`` of a name `y`, a slice without a step (or step 1), or
    ``y[at]`` of a name in `written`: where a gradient's restore puts a list's items back
    (``lst[lst_at] = lst_old``, a slice assignment again when the gradient is
    differentiated again)."""
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return False
    index = target.slice
    if isinstance(index, gast.Name):
        return index.id in written
    if not isinstance(index, gast.Slice):
        return False
    return index.step is None or isinstance(index.step, gast.Constant) and index.step.value == 1


def _written_slices(statements):
    """The names that `statements` bind to ``s2s.written_at(...)``."""
    return {stmt.targets[0].id for stmt in statements if isinstance(stmt, gast.Assign) and
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call) and
            n.dotted_path(stmt.value.func) == 's2s.written_at'}


def list_names(statements, params, made_lists=(), known=()):
    """The names that `statements` bind to lists only (`activity.list_values`, with
    `params`, `made_lists` and `known` as there), counting no slice assignment (which keeps a
    list a list, if not as long) as a binding; and the names they bind to
    ``s2s.written_at(...)``."""
    written = _written_slices(statements)
    kept = [stmt for stmt in statements
            if not (isinstance(stmt, gast.Assign) and _plain_slice(stmt.targets[0], written))]
    return list_values(kept, params, made_lists, known), written


def resizing_store(ctx, target):
    """Whether the assignment target `target` is ``y[a:b]`` (a slice without a step, or with
    step 1) of a `y` that may hold a list: one the function builds as a list (`list_names`)
    or a parameter, which the caller may give as a list."""
    if not _plain_slice(target, getattr(ctx, 'written_slices', ())):
        return False
    name = target.value.id
    return name in getattr(ctx, 'list_names', ()) or name in getattr(ctx, 'params', ())


def resizing_item(items):
    """The `SetItem` among `items` (those of one statement) that `resizing_store` marked,
    or None."""
    return next((item for item in items if getattr(item, 'resizes', False)), None)


def where_written(item, target, old, namer):
    """The statement ``at = s2s.written_at(y, index, old, items)`` for the `SetItem` `item`
    of the write `target` (``y[index] = items``), whose replaced items the backward sweep
    holds in the variable `old`; records `at` and `old` on `item` (`adjoint_emit` reads the
    adjoint there, the restore puts `old` back there)."""
    item.at, item.old = namer.fresh(item.var + '_at'), old
    call = n.call('s2s.written_at', n.name(item.var), n.index_value(n.clone(target.slice)),
                  n.name(old), n.clone(item.value))
    return n.assign(item.at, call)
