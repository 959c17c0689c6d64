"""Reads of a variable that may be unassigned: the derivative raises where the function does.

``if x[0] > 0: y = x * 2`` then ``return np.sum(y)``: where the branch is not taken the
function raises UnboundLocalError. Its gradient needs neither `y` nor ``np.sum(y)`` (the
adjoint of a sum is the seed spread over the shape), so the optimizer dropped both and the
gradient returned zeros. Before each statement that reads a local variable not assigned on
every path to it, the body now holds ``s2s.defined(y)``: a check the optimizer keeps, which
keeps the assignments of `y` too, and which raises UnboundLocalError, as the function does,
where `y` was not assigned.

A ``for`` loop over ``range`` of a positive literal runs its body at least once, and
``while True`` leaves only by ``break``: what they assign on every path is assigned after
them.
"""
import gast

from . import nodes as n

_ENDS = (gast.Return, gast.Raise, gast.Break, gast.Continue)


def check_unbound_reads(body, params):
    """`body` (a function's body, its returns still in place) with ``s2s.defined(name)``
    before each statement that reads a local `name` that may be unassigned there. `params`
    are always assigned."""
    from .scopes import own_scope_nodes
    own = list(own_scope_nodes(body))  # (not the names a nested def or a lambda binds)
    declared = {name for node in own
                if isinstance(node, (gast.Global, gast.Nonlocal)) for name in node.names}
    stored = {node.id for node in own if isinstance(node, gast.Name) and
              not isinstance(node.ctx, gast.Load)} | \
        {node.name for node in own if isinstance(node, (gast.FunctionDef, gast.ClassDef))}
    local = stored - set(params) - declared
    if not local:
        return body
    walker = _Walker(local)
    walker.block(body, frozenset(params))
    if not walker.checks:
        return body
    return _inserted(body, walker.checks)


def assigned_before(body, params):
    """``{id(stmt): names}``: for each statement of `body` (a function's body), its local
    variables and `params` assigned on every path to it (in a loop, before the loop too)."""
    walker = _Walker(set())
    walker.block(body, frozenset(params))
    return walker.before


class _Walker:
    """Definite assignment: the names assigned on every path to each statement."""

    def __init__(self, local):
        self.local = local
        self.checks = {}  # id(stmt) -> names read there that may be unassigned
        self.before = {}  # id(stmt) -> names assigned on every path to it
        self.loops = []  # per enclosing loop: [sets at each break, sets at each continue]

    def _read(self, stmt, node, assigned):
        names = sorted({name for name in _reads(node) if name in self.local} - assigned)
        if names:
            found = self.checks.setdefault(id(stmt), [])
            found.extend(name for name in names if name not in found)

    def block(self, stmts, assigned):
        """The names assigned after `stmts`, run with `assigned`; None where no path falls
        through (each ends in a return, raise, break or continue)."""
        for stmt in stmts:
            assigned = self.statement(stmt, assigned)
            if assigned is None:
                return None
        return assigned

    def statement(self, stmt, assigned):
        self.before[id(stmt)] = assigned
        if isinstance(stmt, gast.If):
            self._read(stmt, stmt.test, assigned)
            return _meet(self.block(stmt.body, assigned), self.block(stmt.orelse, assigned))
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, assigned)
        if isinstance(stmt, gast.With):
            for item in stmt.items:
                self._read(stmt, item.context_expr, assigned)
                if item.optional_vars is not None:
                    assigned = assigned | set(n.names_stored(item.optional_vars))
            return self.block(stmt.body, assigned)
        if isinstance(stmt, _ENDS):
            if stmt.__class__ is not gast.Break and stmt.__class__ is not gast.Continue:
                self._read(stmt, stmt, assigned)
            elif self.loops:
                self.loops[-1][stmt.__class__ is gast.Continue].append(assigned)
            return None
        if isinstance(stmt, gast.Delete):
            return assigned - set(n.names_stored(stmt)) - {
                t.id for t in stmt.targets if isinstance(t, gast.Name)}
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            return assigned | {stmt.name}  # (what its body reads, it reads when called)
        if isinstance(stmt, gast.Expr) and _is_check(stmt):
            return assigned  # (already checked: a derivative differentiated again)
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Expr)):
            self._read(stmt, stmt.value if stmt.value is not None else stmt, assigned)
            for target in getattr(stmt, 'targets', [getattr(stmt, 'target', None)]):
                if isinstance(target, gast.Subscript) or isinstance(target, gast.Attribute):
                    self._read(stmt, target, assigned)  # (``y[0] = v`` reads `y`)
        return assigned | set(n.names_stored(stmt))

    def _loop(self, stmt, assigned):
        head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
        self._read(stmt, head, assigned)
        inside = assigned | set(n.names_stored(stmt.target)) \
            if isinstance(stmt, gast.For) else assigned
        self.loops.append(([], []))
        end = self.block(stmt.body, inside)
        breaks, continues = self.loops.pop()
        forever = isinstance(stmt, gast.While) and isinstance(stmt.test, gast.Constant) and \
            stmt.test.value is True
        once = forever or isinstance(stmt, gast.For) and _runs(stmt.iter)
        # (after the loop: as before it, or, where the body runs once at least, what every
        # path through it assigns; the `else` runs where no break left the loop)
        passes = _meet_all([end] + continues) if once else assigned
        after_else = self.block(stmt.orelse, passes) if passes is not None else None
        if forever:
            return _meet_all(breaks) if breaks else None
        return _meet_all([after_else] + breaks) if once else \
            _meet(after_else, assigned) if after_else is not None else assigned


def _reads(node):
    """The names `node` surely reads where it runs: not those a comprehension in it binds
    itself, nor those of the operands that Python may skip (after the first of ``a and b``,
    the branches of ``a if c else b``, a lambda's body, which runs when it is called)."""
    found = set()

    def visit(node, bound):
        if isinstance(node, gast.Lambda):
            args = node.args
            for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
                visit(default, bound)
            return  # (its body reads when it is called, maybe never)
        if isinstance(node, (gast.ListComp, gast.SetComp, gast.GeneratorExp, gast.DictComp)):
            own = {name for gen in node.generators for name in n.names_stored(gen.target)}
            for gen in node.generators:
                visit(gen.iter, bound)
                for test in gen.ifs:
                    visit(test, bound | own)
            for part in ('elt', 'key', 'value'):
                if getattr(node, part, None) is not None:
                    visit(getattr(node, part), bound | own)
            return
        if isinstance(node, gast.BoolOp):  # (``flag and np.sum(y) > 0``: the others may
            visit(node.values[0], bound)  # not run; nothing checks them)
            return
        if isinstance(node, gast.IfExp):
            visit(node.test, bound)
            return
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                node.id not in bound:
            found.add(node.id)
        for child in gast.iter_child_nodes(node):
            visit(child, bound)
    visit(node, frozenset())
    return found


def _is_check(stmt):
    return isinstance(stmt.value, gast.Call) and n.dotted_path(stmt.value.func) == 's2s.defined'


def _runs(iterable):
    """Whether `iterable` is ``range(c)`` (``range(a, b)``) of literals that has items."""
    if not (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name) and
            iterable.func.id == 'range' and not iterable.keywords and
            all(isinstance(a, gast.Constant) and type(a.value) is int for a in iterable.args)):
        return False
    try:
        return len(range(*(a.value for a in iterable.args))) > 0
    except (TypeError, ValueError):
        return False


def _meet(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _meet_all(sets):
    result = None
    for each in sets:
        result = _meet(result, each)
    return result


def _inserted(stmts, checks):
    out = []
    for stmt in stmts:
        for name in checks.get(id(stmt), ()):
            out.append(gast.copy_location(n.expr(n.call('s2s.defined', n.name(name))), stmt))
        for field in ('body', 'orelse'):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (gast.FunctionDef,
                                                                 gast.ClassDef)):
                setattr(stmt, field, _inserted(inner, checks))
        out.append(stmt)
    return out
