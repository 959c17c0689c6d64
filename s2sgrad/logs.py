"""Logs kept in an object's attribute: ``self.history.append(float(loss))`` in a method."""
import gast

from . import nodes as n
from .mutation import assigned_into

GROWING = frozenset({'append', 'extend', 'insert', 'add', 'appendleft', 'extendleft'})
"""Methods that add to a list, set or deque."""


def log_call(stmt, body):
    """Whether `stmt` adds to a log: it is ``root.attr.append(v)`` (any of `GROWING`, an
    attribute path of a name) and `body` reads ``root.attr`` nowhere else, passes `root`
    nowhere whole and calls no method of it (which could read the log): what is added never
    reaches the function's result, so the derivative need not follow it (a global list is
    one too: `effects`)."""
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and
            call.func.attr in GROWING and isinstance(call.func.value, gast.Attribute)):
        return False
    path = n.dotted_path(call.func.value)
    if path is None:
        return False
    root, first = path.split('.')[:2]
    module = gast.Module(body=body, type_ignores=[])
    kept = {name for arg in call.args for name in n.names_read(arg)}
    if kept & assigned_into(body, aliases=True):
        return False  # (an array the function writes into afterwards: the backward sweep
        # undoes the writes, and the log would show that)
    parents = {id(child): node for node in n.walk(module) for child in n.children(node)}
    for node in n.walk(module):
        if not (isinstance(node, gast.Name) and node.id == root):
            continue
        parent = parents.get(id(node))
        if isinstance(node.ctx, gast.Store) and isinstance(parent, gast.Assign) and \
                isinstance(parent.value, gast.Call) and \
                n.dotted_path(parent.value.func) == 's2s.copy_lists':
            continue  # (a gradient's ``self = s2s.copy_lists(self)``, differentiated again)
        if not (isinstance(parent, gast.Attribute) and isinstance(parent.ctx, gast.Load)):
            return False  # (``f(self)``, ``self = ...``, ``self.attr = v``)
        above = parents.get(id(parent))
        if parent.attr != first:
            if isinstance(above, gast.Call) and above.func is parent:
                return False  # (``self.last()`` may read the log)
            continue
        if not _adds_to(parent, parents, path):
            return False  # (``len(self.history)``, ``h = self.history``)
    return True


def _adds_to(node, parents, path):
    """Whether `node`, the first attribute read of the root, is part of ``path.add(v)`` as a
    statement."""
    while isinstance(node, gast.Attribute) and n.dotted_path(node) != path:
        node = parents.get(id(node))
    if not (isinstance(node, gast.Attribute) and n.dotted_path(node) == path):
        return False
    method = parents.get(id(node))
    call = parents.get(id(method))
    return isinstance(method, gast.Attribute) and method.attr in GROWING and \
        isinstance(call, gast.Call) and call.func is method and \
        isinstance(parents.get(id(call)), gast.Expr)
