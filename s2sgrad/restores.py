"""A gradient's restores, ``s2s.restore_item(d, key, old)``, as writes when differentiated again.

The backward sweep of a gradient puts back each dict item that an assignment replaced (or
removes the key the assignment added: `old` is ``s2s.ABSENT``). Differentiated again, that
statement is a write into `d` at `key`, ``d[key] = old``: its adjoint reads the item's adjoint
into `old`'s and zeroes it, and the second backward sweep keeps and restores the item that the
restore replaced, as for any write.
"""
import gast

from . import nodes as n


def restored_item(stmt):
    """``(d, key, old)`` (a Name, an expression, a Name) for the statement
    ``s2s.restore_item(d, key, old)``, else None."""
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return None
    call = stmt.value
    if n.dotted_path(call.func) != 's2s.restore_item' or len(call.args) != 3 or \
            call.keywords or not all(isinstance(call.args[i], gast.Name) for i in (0, 2)):
        return None
    return tuple(call.args)


def as_write(stmt):
    """The assignment ``d[key] = old`` that the restore `stmt` stands for (its adjoint is
    that of this write)."""
    base, key, old = restored_item(stmt)
    target = n.subscript(n.clone(base), n.clone(key), store=True)
    return gast.copy_location(n.assign(target, n.clone(old)), stmt)
