"""Item holders: the variables that may hold, as items, the arrays other variables name."""
import gast

from . import nodes as n
from .alias_memory import changes_receiver

FILLING_METHODS = ('append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft',
                   'extendleft')
"""The methods that put their arguments into their receiver (``hs.append(w)``)."""


def holder_groups(body, fresh, sources, lists=(), local=None,
                  fills=lambda call: None):
    """``holds(name, names)``: those of `names` (sorted) with which the variable `name` of
    `body` may reach a common array (hold it as an item at any depth, be it, or be a view of
    it). An assignment of a name, an item, an attribute, a call's result or a loop's item
    (``h = w``, ``w = hs[0]``, ``for w in hs``, ``h = f(w)``) links both ways; a display, a
    store into an item or attribute, a method that fills a list, dict or set, ``hs += [w]``,
    and ``+`` and ``*`` of a list (``hs2 = hs * 2``, a name of `lists`, bound to lists only,
    or a display), and a shallow copy (``e = dict(d)``: `SHALLOW_COPIES`), from the container
    to what it holds only; ``y = x * w`` of arrays, and a value `fresh` says is new memory,
    link nothing. `sources(value)`: the names whose memory `value` may be or hold; `local`: the
    function's variables (None: any name); `fills(call)`: None, or the variables (a closure's)
    that a call of a function of yours may put its arguments into, or the reverse, besides
    one another (``add_to(hs, w)``): all are linked both ways. Conservative: it only widens
    the run-time checks of `effects`, which pass where nothing is shared."""
    edges = {}

    def link(names, value, both):
        found = [s for s in sources(value) if local is None or s in local]
        for name in names:
            for source in found:
                edges.setdefault(name, set()).add(source)
                if both:
                    edges.setdefault(source, set()).add(name)

    def join(names, value, holder=False):
        if value is None:
            return
        if isinstance(value, gast.BinOp):
            if isinstance(value.op, (gast.Add, gast.Mult, gast.BitOr)) and \
                    any(_list_like(side, lists) for side in (value.left, value.right)):
                link(names, value, False)
            return
        if fresh(value) and not _shallow_copy(value):
            return
        link(names, value, not holder and not isinstance(value, _DISPLAYS) and
             not _shallow_copy(value))
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                join(_stored(target), stmt.value, holder=not _plain(target))
        elif isinstance(stmt, gast.AugAssign):
            join(_stored(stmt.target), stmt.value, holder=True)
        elif isinstance(stmt, (gast.For, gast.AsyncFor)):
            join(_stored(stmt.target), stmt.iter)
        for call in own_calls(stmt):
            func = call.func
            values = list(call.args) + [k.value for k in call.keywords]
            if isinstance(func, gast.Attribute) and func.attr in FILLING_METHODS and \
                    changes_receiver(call):
                receiver = _stored(func.value)
                for arg in values:
                    join(receiver, arg, holder=True)
                continue
            for given in values:  # (``list(map(hs.append, ws))``: a filling method given)
                if isinstance(given, gast.Attribute) and given.attr in FILLING_METHODS:
                    for arg in values:
                        if arg is not given:
                            join(_stored(given.value), arg, holder=True)
            extra = fills(call)
            if extra is not None:
                if isinstance(func, gast.Attribute):  # (a method: its object too)
                    values.append(func.value)
                values = [value for value in values if not fresh(value) or _shallow_copy(value)]
                names = sorted({name for value in values for name in sources(value)} |
                               set(extra))
                for value in values + [n.name(name) for name in extra]:
                    link(names, value, True)
    reached = {}

    def reach(name):
        found = reached.get(name)
        if found is None:
            found, pending = set(), [name]
            while pending:
                current = pending.pop()
                if current not in found:
                    found.add(current)
                    pending.extend(edges.get(current, ()))
            reached[name] = found
        return found

    def holds(name, names):
        mine = reach(name)
        return sorted(other for other in names if reach(other) & mine)
    return holds


_DISPLAYS = (gast.List, gast.Tuple, gast.Dict, gast.Set, gast.ListComp, gast.SetComp,
             gast.DictComp, gast.GeneratorExp)


SHALLOW_COPIES = frozenset({'list', 'tuple', 'dict', 'set', 'frozenset', 'sorted', 'reversed',
                            'copy.copy', 's2s.dict_copy', 's2s.copy_lists', 's2s.values_of'})
"""Calls that give a new list, tuple, dict or set holding the items of their argument."""


def _shallow_copy(value):
    """Whether `value` calls one of `SHALLOW_COPIES` (``e = dict(d)``, ``{**d}``): a new
    container, of the same items."""
    return isinstance(value, gast.Call) and n.dotted_path(value.func) in SHALLOW_COPIES


def _list_like(node, lists):
    """Whether `node` is a list, tuple or dict (a display, a comprehension, a name of
    `lists`): ``+`` and ``*`` (``|`` of dicts) of it give a new one holding its items."""
    return isinstance(node, (gast.List, gast.Tuple, gast.ListComp, gast.Dict, gast.DictComp)) or \
        _shallow_copy(node) or \
        isinstance(node, gast.Name) and node.id in lists


def _plain(target):
    """Whether `target` binds names (``h``, ``a, b``), not an item or attribute."""
    return not any(isinstance(part, (gast.Subscript, gast.Attribute)) for part in n.walk(target))


def _stored(target):
    """The variables a store into `target` binds or writes into: the names of a tuple
    target, the base variable of a subscript or attribute (``hs`` of ``hs[0].w``)."""
    found = []
    pending = [target]
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.Tuple, gast.List)):
            pending.extend(node.elts)
        elif isinstance(node, gast.Starred):
            pending.append(node.value)
        elif isinstance(node, (gast.Subscript, gast.Attribute)):
            pending.append(node.value)
        elif isinstance(node, gast.Name):
            found.append(node.id)
    return found


def own_calls(stmt):
    """The calls in the expressions of `stmt` itself (not in its blocks, nor in lambdas)."""
    blocks = {id(inner) for _, block in n.blocks(stmt) for inner in block}
    return [node for node in n.walk(stmt, skip=lambda node: id(node) in blocks or
                                    isinstance(node, gast.Lambda))
            if isinstance(node, gast.Call)]
