"""Slice assignments that may change a list's length, ``lst[a:b] = items``, and their restores.

Python's ``lst[1:2] = [p, q]`` replaces one item by two: the list grows, and the items after
the slice move. The forward sweep keeps, before such a write, the items it replaces and where
the new items go (``s2s.written_at``: a slice of the list after the write; for an array, whose
slices keep their length, the index itself). The backward sweep reads the adjoint of `items`
there, gives the list's adjoint zeros for the replaced items (so it is as long as the list
was), and, where it reads the list again, puts the replaced items back there::

    lst_old = s2s.copy(lst[1:2])                              # forward
    lst_at = s2s.written_at(lst, slice(1, 2, None), items)
    lst[1:2] = items
    ...
    bitems = s2s.read_at(blst, lst_at, items)                 # backward
    blst = s2s.zero_at(blst, lst_at, lst_old)
    lst[lst_at] = lst_old

Where nothing reads the list's values again, only their shapes are kept (``s2s.meta``) and
nothing is put back. Differentiated again, the restore ``lst[lst_at] = lst_old`` is such a
write too (`_written_slices`).
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


def resizing_store(ctx, target, value):
    """Whether the assignment ``target = value`` is ``y[a:b] = value`` (a slice without a
    step, or with step 1) that may change the length of a list `y`: one the function builds
    as a list (`list_names`), or a parameter (which the caller may give as a list) given a
    list (a display, a comprehension, a name of `list_names`). A parameter given anything
    else is taken as an array, whose slices keep their length (``x[1:3] = x[1:3] * s``)."""
    if not _plain_slice(target, getattr(ctx, 'written_slices', ())):
        return False
    lists = getattr(ctx, 'list_names', ())
    name = target.value.id
    if name in lists:
        return True
    return name in getattr(ctx, 'params', ()) and (
        isinstance(value, (gast.List, gast.Tuple, gast.ListComp)) or
        isinstance(value, gast.Name) and value.id in lists)


def resizing_item(ctx, stmt, items):
    """The `SetItem` among `items` (those of `stmt`) of a write that `resizing_store`
    finds, or None."""
    if not (isinstance(stmt, gast.Assign) and resizing_store(ctx, stmt.targets[0], stmt.value)):
        return None
    return next((item for item in items if hasattr(item, 'at_saved')), None)
