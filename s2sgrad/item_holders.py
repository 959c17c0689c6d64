"""Item holders: the variables that may hold, as items, the arrays other variables name."""
import gast

from . import nodes as n
from .alias_memory import changes_receiver

FILLING_METHODS = ('append', 'extend', 'insert', 'add', 'update', 'setdefault', 'appendleft',
                   'extendleft')
"""The methods that put their arguments into their receiver (``hs.append(w)``)."""


def holder_groups(body, fresh, sources):
    """``holds(name, names)``: whether the variable `name` of `body` may hold (as an item, at
    any depth), share or be the memory of a variable of `names`: through assignments (``h =
    w``, ``hs = [w]``, ``hs[0] = w``, ``w = hs[0]``, ``hs += [w]``), methods that fill a list,
    dict or set (``hs.append(w)``), loops (``for w in hs``), each either way, and ``+`` and
    ``*`` (``hs2 = hs * 2``, which repeats a list's items; ``y = x * w`` of arrays is new
    memory), from the result to its operands only. A value `fresh` says is new memory holds
    none; `sources(value)` are the names whose memory `value` may be or hold. Conservative:
    it only widens the run-time checks of `effects`, which pass where nothing is shared."""
    group, operands = {}, []

    def find(name):
        while group.get(name, name) != name:
            name = group[name]
        return name

    def join(names, value):
        if value is None:
            return
        if isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Mult)):
            operands.extend((name, source) for name in names for source in sources(value))
            return
        if fresh(value):
            return
        for name in names:
            for source in sources(value):
                group[find(name)] = find(source)
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                join(_stored(target), stmt.value)
        elif isinstance(stmt, gast.AugAssign):
            join(_stored(stmt.target), stmt.value)
        elif isinstance(stmt, (gast.For, gast.AsyncFor)):
            join(_stored(stmt.target), stmt.iter)
        for call in own_calls(stmt):
            func = call.func
            if isinstance(func, gast.Attribute) and func.attr in FILLING_METHODS and \
                    changes_receiver(call):
                receiver = _stored(func.value)
                for arg in list(call.args) + [k.value for k in call.keywords]:
                    join(receiver, arg)
    held = {}
    for name, source in operands:
        held.setdefault(find(name), set()).add(find(source))

    def holds(name, names):
        targets = {find(other) for other in names}
        seen, pending = set(), [find(name)]
        while pending:
            rep = pending.pop()
            if rep in targets:
                return True
            if rep not in seen:
                seen.add(rep)
                pending.extend(held.get(rep, ()))
        return False
    return holds


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
