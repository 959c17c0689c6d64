"""Reads of one item reused: a second ``params['W1']`` reads the variable of the first.

A pass over the normalised body. User code often reads the same item of a container twice
(``params['W1']`` in the layer and again in the penalty); normalised, each read is a statement
``params_W1 = params['W1']``, and each would get its own adjoint, added into the container's
adjoint separately. When the container is never changed (assigned once, nothing written into
it) and the first read, at the top level of the body, is a variable assigned once and never
changed, a later read of the same constant index becomes a copy of that variable, which the
optimiser folds away: one variable, one adjoint, one update of the container's adjoint.
"""
import gast

from . import nodes as n
from .activity import target_names
from .alias_memory import INPLACE_FUNCTIONS, INPLACE_METHODS
from .mutation import CHANGING_METHODS, FIRST_ARGUMENT_CHANGED, mutated, with_aliases


def reuse_reads(body, params):
    """`body` with each repeated read ``v = c[k]`` (constant `k`) of an unchanged container
    `c` replaced by ``v = u``, where ``u = c[k]`` is an earlier top-level read. Changes the
    statements in place and returns `body`."""
    changed = _changed(body)
    counts = _assignment_counts(body, params)

    def stable(name):
        return counts.get(name) == 1 and name not in changed

    first = {}  # (container, index) -> the variable of its first top-level read
    for stmt in body:
        for inner in n.statements([stmt]):
            item = _read(inner)
            if item is not None and item[1] in first and inner is not stmt and \
                    stable(item[0]):
                inner.value = n.name(first[item[1]])
        item = _read(stmt)
        if item is None or not stable(item[1][0]) or not stable(item[0]):
            continue
        if item[1] in first:
            stmt.value = n.name(first[item[1]])
        else:
            first[item[1]] = item[0]
    return body


def _changed(body):
    """The names whose objects `body` may change in place, with their aliases: written into,
    the receiver of a changing method (``pts.reverse()``, ``d.popitem()``), or passed to a
    call that may change its arguments (``heapq.heappop(h)``, ``np.copyto(a, b)``, an
    ``out=``, a function of yours that writes into its argument, ``bump(state)``:
    `call_effects.mark_effects`)."""
    found = mutated(body, methods=CHANGING_METHODS | INPLACE_METHODS,
                    first_argument=FIRST_ARGUMENT_CHANGED)
    module = gast.Module(body=body, type_ignores=[])
    held = {}  # (name -> the names its displays hold: ``box = [idx]``)
    for stmt in n.statements(body):
        displays = (gast.List, gast.Tuple, gast.Dict, gast.Set)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, displays):
            for name in target_names(stmt.targets[0]):
                held.setdefault(name, set()).update(n.names_read(stmt.value))
    for node in n.walk(module):
        if not isinstance(node, gast.Call):
            continue
        func = node.func
        last = func.attr if isinstance(func, gast.Attribute) else getattr(func, 'id', '')
        if getattr(node, 'effects', False) or last in INPLACE_FUNCTIONS or \
                any(k.arg == 'out' for k in node.keywords):
            # (``swap(box[0])``: the list `box` holds, changed through it)
            for arg in list(node.args) + [k.value for k in node.keywords]:
                while isinstance(arg, (gast.Subscript, gast.Attribute, gast.Starred)):
                    arg = arg.value
                if isinstance(arg, gast.Name):
                    found.add(arg.id)
                    found.update(held.get(arg.id, ()))
    return with_aliases(found, body)


def _read(stmt):
    """``(target, (container, index))`` for ``target = container[constant]``, else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Subscript)):
        return None
    value = stmt.value
    if not (isinstance(value.value, gast.Name) and isinstance(value.slice, gast.Constant) and
            type(value.slice.value) in (str, int)):
        return None
    return stmt.targets[0].id, (value.value.id, value.slice.value)


def _assignment_counts(body, params):
    counts = {p: 1 for p in params}
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign):
            for name in target_names(stmt.targets[0]):
                counts[name] = counts.get(name, 0) + 1
        elif isinstance(stmt, gast.For):
            for name in target_names(stmt.target):
                counts[name] = counts.get(name, 0) + 2
        elif isinstance(stmt, gast.FunctionDef):
            counts[stmt.name] = counts.get(stmt.name, 0) + 2
    return counts
