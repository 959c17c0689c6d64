"""Mutation analysis: the variables a block changes in place, and the names bound to them.

A variable is changed in place by an assignment into it (``y[i] = v``, ``y[i][j] = v``), by a
call of one of its changing methods (``ys.append(v)``, ``y.fill(0)``) and by the runtime's
``s2s.add_at(y, i, v)``; it is not by a rebinding (``y = y + 1``). Through ``a = b`` two names
denote one object, so a change through either changes both (`with_aliases`).
"""
import gast

from . import nodes as n

MUTATING_METHODS = frozenset({'append', 'pop', 'extend', 'insert', 'remove', 'clear', 'sort',
                              'reverse', 'fill', 'resize', 'setdefault', 'update'})
"""Methods of lists, dicts and arrays that change their receiver."""
CHANGING_METHODS = MUTATING_METHODS | {'add_at'}
"""`MUTATING_METHODS` and ``add_at`` (whose receiver is the runtime module: the change is to its
first argument, see `FIRST_ARGUMENT_CHANGED`)."""
FIRST_ARGUMENT_CHANGED = frozenset({'add_at'})
"""Functions (called as attributes) that change their first argument: ``s2s.add_at(y, i, v)``."""


def changes(node, into, methods=CHANGING_METHODS, first_argument=FIRST_ARGUMENT_CHANGED,
            subscripts=True):
    """Add to the set `into` the variables that `node` itself (not a node inside it) changes in
    place: the bases of its subscript targets (an assignment; not without `subscripts`), the
    receiver of a call of one of `methods`, the first argument of a call of one of
    `first_argument`."""
    cls = node.__class__
    if cls is gast.Assign and subscripts:
        pending = list(node.targets)
        while pending:
            target = pending.pop()
            if target.__class__ in (gast.Tuple, gast.List):  # (``a[0], a[1] = a[1], a[0]``)
                pending.extend(target.elts)
            elif target.__class__ is gast.Starred:
                pending.append(target.value)
            elif target.__class__ is gast.Subscript:
                base = target.value
                while base.__class__ is gast.Subscript:
                    base = base.value
                if base.__class__ is gast.Name:
                    into.add(base.id)
    elif cls is gast.Call and node.func.__class__ is gast.Attribute:
        attr = node.func.attr
        if attr in methods and node.func.value.__class__ is gast.Name:
            into.add(node.func.value.id)
        if attr in first_argument and node.args and node.args[0].__class__ is gast.Name:
            into.add(node.args[0].id)


def mutated(stmts, methods=CHANGING_METHODS, first_argument=FIRST_ARGUMENT_CHANGED,
            aliases=False, subscripts=True):
    """The variables that `stmts` change in place anywhere (see `changes`; nested functions
    included); with `aliases`, also the names bound to one of them (`with_aliases`)."""
    found = set()
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        changes(node, found, methods, first_argument, subscripts)
    return with_aliases(found, stmts) if aliases else found


def assigned_into(stmts, aliases=False):
    """The variables that `stmts` assign into by subscript (``y[i] = v``), anywhere; with
    `aliases`, also the names bound to one of them. (`mutated` without the calls.)"""
    return mutated(stmts, methods=(), first_argument=(), aliases=aliases)


def with_aliases(names, stmts):
    """`names` with every variable that may name the same object as one of them through the
    assignments of one name to another in `stmts` (``alias = saved``, ``a, b = b, a``,
    ``items = (u, un)`` then ``u_prev, u = items``, at any depth outside nested functions):
    changing one changes all."""
    assigns = [stmt for stmt in n.statements(stmts) if stmt.__class__ is gast.Assign]
    displays = {}  # name -> the displays it is bound to (None: bound to something else)
    for stmt in assigns:
        target = stmt.targets[0]
        if target.__class__ is gast.Name:
            displays.setdefault(target.id, []).append(
                stmt.value if isinstance(stmt.value, _DISPLAYS) else None)
        else:
            for name in n.names_stored(target):
                displays.setdefault(name, []).append(None)
    pairs = []
    for stmt in assigns:
        _alias_pairs(stmt.targets[0], stmt.value, displays, pairs)
    names = set(names)
    changed = bool(names)
    while changed:
        changed = False
        for a, b in pairs:
            if (a in names) != (b in names):
                names |= {a, b}
                changed = True
    return names


_DISPLAYS = (gast.Tuple, gast.List)


def _alias_pairs(target, value, displays, pairs):
    """The (name, name) pairs that ``target = value`` may make denote one object: a name
    and a name, the items of two displays of one length (``u_prev, u = u, un``), or of a
    target display and the displays its value name is bound to (else that name)."""
    if target.__class__ is gast.Name and value.__class__ is gast.Name:
        pairs.append((target.id, value.id))
    elif isinstance(target, _DISPLAYS) and isinstance(value, _DISPLAYS) and \
            len(target.elts) == len(value.elts):
        for a, b in zip(target.elts, value.elts):
            _alias_pairs(a, b, displays, pairs)
    elif isinstance(target, _DISPLAYS) and value.__class__ is gast.Name:
        bound = displays.get(value.id, [None])
        if all(d is not None and len(d.elts) == len(target.elts) for d in bound):
            for display in bound:
                _alias_pairs(target, display, displays, pairs)
        else:
            pairs += [(name, value.id) for name in n.names_stored(target)]


def changes_in_place(stmt, var):
    """Whether the call that `stmt` assigns changes `var` in place (``var = s2s.add_at(var,
    i, v)``): a value of `var` saved before `stmt` must then be a copy."""
    value = getattr(stmt, 'value', None)
    found = set()
    if value.__class__ is gast.Call:
        changes(value, found, methods=(), first_argument={'add_at'})
    return var in found
