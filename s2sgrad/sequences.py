"""Sequence analysis: which variables may hold a list or tuple, whose adjoints add item by item.

The adjoint of a list or tuple is a list (one adjoint per item), and two of them add with
``s2s.add``, not ``+`` (which would concatenate them, or fail on ``0.0 + [...]``). Known
sequences are the seeds: displays, lists appended to, and the results of calls of user
functions that return one (``a, b = pair(x)``: `pair_x`). From them the analysis follows
copies (``u = t``), items of lists of sequences (``p = pairs[i]``, ``pairs.pop()``, ``for p
in pairs``) and the runtime helpers of generated code, which keep the structure of the value
they are given: when a gradient is differentiated again, ``bt = s2s.unindex(ba, t, 0)``, the
adjoint of a tuple `t`, is a list too.

    >>> import gast
    >>> body = gast.parse('t = pair(x)\\nbt = s2s.unindex(g, t, 0)\\nu = bt\\nv = u * 2.0').body
    >>> sorted(sequence_vars(body, {'t'}))
    ['bt', 't', 'u']
"""
import gast
import numpy as np

from . import nodes as n
from .activity import target_names


def tuple_result_functions():
    """The library functions that return a tuple or list of arrays (``np.linalg.qr``,
    ``np.linalg.slogdet``, ``np.split``): a variable holding such a result is a sequence
    (when a gradient that reads ``slogdet_x[1]`` in a loop is differentiated again, the
    adjoints of `slogdet_x` add item by item)."""
    found = [np.linalg.qr, np.linalg.svd, np.linalg.slogdet, np.linalg.eigh, np.linalg.eig,
             np.linalg.lstsq, np.frexp, np.modf, np.divmod, divmod, np.split, np.array_split,
             np.hsplit, np.vsplit, np.dsplit, np.meshgrid, np.broadcast_arrays,
             np.histogram, np.unique]
    try:
        import scipy.linalg as sla
    except ImportError:  # (the `scipy` extra)
        return frozenset(found)
    return frozenset(found + [sla.qr, sla.svd, sla.eigh, sla.cho_factor, sla.lu_factor,
                              sla.lu, sla.lstsq, sla.polar])


def tuple_results(statements, resolver):
    """The variables of `statements` assigned the result of a library function that returns a
    tuple (`tuple_result_functions`: ``slogdet_x = np.linalg.slogdet(x)``), found through
    `resolver`."""
    functions = tuple_result_functions()
    found = set()
    for stmt in statements:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Call):
            func = resolver.lookup(stmt.value.func)
            try:
                if func in functions:
                    found.add(stmt.targets[0].id)
            except TypeError:  # (unhashable)
                continue
    return found


def sequence_vars(statements, seeds, holder_seeds=()):
    """The variables of `statements` (all of them, nested blocks included, as
    `nodes.statements` lists them) that may hold a list or tuple, given `seeds`, variables
    known to, and `holder_seeds`, variables known to hold lists or tuples whose items may
    be lists or tuples (``a, items = h(x)`` of ``def h(x): return x, [x, x]``)."""
    return sequence_facts(statements, seeds, holder_seeds)[0]


def sequence_facts(statements, seeds, holder_seeds=()):
    """``(found, holders)``: the variables that may hold a list or tuple (`sequence_vars`)
    and those of them whose items may be lists or tuples."""
    found = set(seeds) | set(holder_seeds)
    holders = set(holder_seeds)  # lists (and tuples) whose items may be lists or tuples
    statements = [stmt for stmt in statements
                  if isinstance(stmt, (gast.Assign, gast.For, gast.Expr))]
    while True:
        before = len(found), len(holders)
        for stmt in statements:
            if isinstance(stmt, gast.For):
                if _holds_sequences(stmt.iter, found, holders):
                    found.update(target_names(stmt.target))
                continue
            value = stmt.value
            if isinstance(stmt, gast.Expr):
                # ``items.append(t)`` of a sequence `t`: `items` holds sequences
                if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                        value.func.attr in ('append', 'insert') and value.args and \
                        isinstance(value.func.value, gast.Name) and \
                        _may_be_sequence(value.args[-1], found, holders):
                    holders.add(value.func.value.id)
                continue
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):  # ``items[i] = t``
                base = target.value
                if isinstance(base, gast.Name) and _may_be_sequence(value, found, holders):
                    holders.add(base.id)
                continue
            if isinstance(target, (gast.Tuple, gast.List)):  # ``a, items = pair``
                if _holds_sequences(value, found, holders):
                    found.update(target_names(target))
                continue
            if not isinstance(target, gast.Name):
                continue
            if _may_be_sequence(value, found, holders):
                found.add(target.id)
            if _holds_sequences(value, found, holders):
                holders.add(target.id)
        if (len(found), len(holders)) == before:
            return found, holders


_LISTING = frozenset({'list', 'tuple', 'sorted', 'reversed', 'zip', 'map', 'filter',
                      'enumerate'})
"""Built-ins that make lists, tuples or iterators of items (a list where the passes read
them whole)."""


def holds_sequences(value, found, holders):
    """Whether the value of expression `value` is a list or tuple whose items may be lists
    or tuples, given `sequence_facts`' sets."""
    return _holds_sequences(value, found, holders)


def _may_be_sequence(value, found, holders):
    if isinstance(value, (gast.Tuple, gast.List)):
        return True
    if isinstance(value, gast.Name):
        return value.id in found
    if isinstance(value, gast.IfExp):
        return _may_be_sequence(value.body, found, holders) or \
            _may_be_sequence(value.orelse, found, holders)
    if isinstance(value, gast.BinOp):
        return _combines_sequences(value, found, holders)
    if isinstance(value, gast.Subscript):  # an item of a list of tuples, a slice of a list
        return isinstance(value.value, gast.Name) and (
            value.value.id in holders or
            value.value.id in found and isinstance(value.slice, gast.Slice))
    if isinstance(value, gast.Call):
        if isinstance(value.func, gast.Name) and value.func.id in _LISTING:
            return True
        if isinstance(value.func, gast.Name) and value.func.id == 'sum':
            start = value.args[1] if len(value.args) == 2 else next(
                (kw.value for kw in value.keywords if kw.arg == 'start'), None)
            return start is not None and _may_be_sequence(start, found, holders)
        if isinstance(value.func, gast.Attribute) and value.func.attr == 'pop' and \
                isinstance(value.func.value, gast.Name):
            return value.func.value.id in holders
        if isinstance(value.func, gast.Attribute) and value.func.attr == 'copy' and \
                not value.args and isinstance(value.func.value, gast.Name):
            return value.func.value.id in found  # (``state.copy()`` of a list)
        path = n.dotted_path(value.func) or ''
        if path == 's2s.record':  # (a namedtuple built in the function: `records`)
            return True
        if path.startswith('s2s.'):  # runtime helpers keep the structure they are given
            args = list(value.args) + [kw.value for kw in value.keywords]
            return any(isinstance(arg, gast.Name) and arg.id in found for arg in args)
    return False


def _combines_sequences(binop, found, holders):
    """Whether `binop` may be a concatenation (``t + [v]``: both sides may be sequences; a
    list plus an array is an array) or a repetition of sequences: of a display (``[0.0] *
    n``), or of another value that may be one times an int literal or a length (``t * 2``;
    ``h * k`` of a number `h` is a product)."""
    if isinstance(binop.op, gast.Add):
        return _may_be_sequence(binop.left, found, holders) and \
            _may_be_sequence(binop.right, found, holders)
    if not isinstance(binop.op, gast.Mult):
        return False
    for side, other in ((binop.left, binop.right), (binop.right, binop.left)):
        if isinstance(side, (gast.List, gast.Tuple)):
            return True
        if _may_be_sequence(side, found, holders) and _count(other):
            return True
    return False


def _count(node):
    return isinstance(node, gast.Constant) and type(node.value) is int or \
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == 'len'


def _holds_sequences(value, found, holders):
    """Whether `value` is a list or tuple whose items may be lists or tuples."""
    if isinstance(value, (gast.Tuple, gast.List)):
        return any(_may_be_sequence(elt, found, holders) for elt in value.elts)
    if isinstance(value, gast.Name):
        return value.id in holders
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        return isinstance(value.value, gast.Name) and value.value.id in holders
    if isinstance(value, gast.BinOp) and _combines_sequences(value, found, holders):
        return _holds_sequences(value.left, found, holders) or \
            _holds_sequences(value.right, found, holders)
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.record' and \
            len(value.args) == 2:
        return _holds_sequences(value.args[1], found, holders) or \
            isinstance(value.args[1], gast.Name) and value.args[1].id in holders
    if isinstance(value, gast.Call) and (n.dotted_path(value.func) or '').startswith('s2s.'):
        args = list(value.args) + [kw.value for kw in value.keywords]
        return any(isinstance(arg, gast.Name) and arg.id in holders for arg in args)
    return False
