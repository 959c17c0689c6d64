"""The walrus operator ``name := value`` rewritten as the assignment before its statement.

::

    if (r := np.sum(x ** 2)) > 1.0:          r = np.sum(x ** 2)
        return r                     ->      if r > 1.0:
                                                 return r

In a ``while`` test the assignment comes before the loop, at the end of its body and before
each ``continue`` of the loop, where Python computes the test again::

    while (g := grad(x)) @ g > tol:          g = grad(x)
        x = x - 0.1 * g              ->      while g @ g > tol:
                                                 x = x - 0.1 * g
                                                 g = grad(x)

A walrus is moved only where Python computes it exactly once, before the rest of its statement
reads its name: not in the later operands of ``and``/``or`` or of a chained comparison, the
branches of ``x if c else y``, a comprehension or a lambda (the fence refuses those, saying
what to write), not when its name is read earlier in the statement (``z + (z := 1)``) or
assigned twice in it, not after a call of the statement (``xs.pop() * (last := xs[-1])``),
and not in the value of an augmented assignment to its own name.
"""
import inspect

import gast

from . import nodes as n
from . import rules
from .alias_memory import FRESH_METHODS, INPLACE_FUNCTIONS, out_arguments
from .errors import S2SError


def hoist_named_exprs(func, resolver):
    """Rewrite, in place, each walrus of the FunctionDef `func` (and of the functions it
    defines) that can be moved soundly as the assignment before its statement; `resolver`
    tells which calls change nothing."""
    def block(stmts):
        out = []
        for stmt in stmts:
            n.map_blocks(stmt, block, functions=True)
            out.extend(_hoisted(stmt, resolver))
        return out
    func.body = block(func.body)


def _hoisted(stmt, resolver):
    """`stmt` preceded by the assignments of its movable walruses (for a ``while``, also
    repeated where its test is computed again)."""
    if isinstance(stmt, gast.While):
        parts = [stmt.test]
    elif isinstance(stmt, gast.If):
        parts = [stmt.test]
    elif isinstance(stmt, gast.For):
        parts = [stmt.iter]
    elif isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Expr,
                           gast.Return)):
        parts = [stmt.value] if stmt.value is not None else []
    else:
        return [stmt]
    walruses = [node for part in parts for node in _once(part)]
    if not walruses or not _movable(stmt, parts, walruses, resolver):
        return [stmt]
    _replace(parts, {id(w): n.name(w.target.id) for w in walruses}, stmt)
    # (after the replacement: a walrus inside another's value reads as its name there)
    assigns = [gast.copy_location(n.assign(w.target.id, w.value), stmt) for w in walruses]
    if isinstance(stmt, gast.While):
        again = [n.clone(a) for a in assigns]
        stmt.body = _before_continues(stmt.body, assigns) + again
    return assigns + [stmt]


def once(node, kind):
    """The nodes of class `kind` inside `node` (itself included) that Python computes
    exactly once when `node` is computed, inner ones first (in the order Python computes
    them): not in the later operands of ``and``/``or``, the branches of ``x if c else y``,
    comprehensions or lambdas."""
    if isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                         gast.GeneratorExp)):
        return []
    if isinstance(node, gast.BoolOp):
        return once(node.values[0], kind)
    if isinstance(node, gast.IfExp):
        return once(node.test, kind)
    if isinstance(node, gast.Compare):  # (``a < b < c``: `c` only where ``a < b``)
        return once(node.left, kind) + once(node.comparators[0], kind)
    found = []
    for child in gast.iter_child_nodes(node):
        found.extend(once(child, kind))
    if isinstance(node, kind):
        found.append(node)
    return found


def _once(node):
    """The walruses (to a name) that Python computes once when `node` is computed."""
    return [w for w in once(node, gast.NamedExpr) if isinstance(w.target, gast.Name)]


def _movable(stmt, parts, walruses, resolver):
    """Whether assigning `walruses` before `stmt` keeps what `stmt` computes: each name
    assigned once, and not read before its walrus in the statement."""
    names = [w.target.id for w in walruses]
    if len(set(names)) != len(names):
        return False
    if isinstance(stmt, gast.AugAssign) and set(n.names_read(stmt.target)) & set(names) | \
            set(n.names_stored(stmt.target)) & set(names):
        return False
    inside = {id(node) for w in walruses for node in n.walk(w)}
    if any(called_before(parts, w, inside, resolver) for w in walruses):
        return False
    for part in parts:
        for node in n.walk(part):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                    node.id in names and id(node) not in inside:
                walrus = walruses[names.index(node.id)]
                if (node.lineno, node.col_offset) < (walrus.lineno, walrus.col_offset):
                    return False
    return True


def called_before(parts, node, inside=frozenset(), resolver=None):
    """Whether a call in `parts` (not in the nodes `inside`) that may change something runs
    before `node`: one that ends before it starts (``xs.pop() * (last := xs[-1])``), whose
    effects moving `node` before the statement would skip; `pure_call` says which calls
    change nothing (as `resolver` resolves them)."""
    start = (node.lineno, node.col_offset)
    return any(isinstance(other, gast.Call) and id(other) not in inside and
               getattr(other, 'end_lineno', None) is not None and
               (other.end_lineno, other.end_col_offset) <= start and
               not pure_call(other, resolver)
               for part in parts for other in n.walk(part))


_PURE_BUILTINS = frozenset({'len', 'abs', 'float', 'int', 'bool', 'round', 'isinstance', 'pow',
                            'divmod', 'complex', 'range'})
"""Built-ins that change nothing and run no code of the user's on the values they get."""

READING_BUILTINS = frozenset({'sum', 'min', 'max', 'sorted', 'list', 'tuple', 'zip',
                              'enumerate', 'reversed', 'any', 'all'})
"""Built-ins that change nothing but an iterator they are given (they read it to its end):
pure where no argument is a name (a display, a comprehension, a value computed there)."""

_PURE_METHODS = frozenset(FRESH_METHODS) | {
    'reshape', 'transpose', 'ravel', 'squeeze', 'swapaxes', 'conj', 'conjugate', 'get',
    'startswith', 'endswith', 'format', 'lower', 'upper', 'split', 'join', 'strip'}
"""Methods that change neither their object nor their arguments (of arrays, dicts, text)."""

_DEPTH = 4
"""How deep `pure_call` follows functions of yours calling functions of yours."""


def pure_call(call, resolver, _depth=0):
    """Whether `call` changes nothing (see `called_before`): a function of NumPy's, SciPy's or
    `math` that s2sgrad has a rule for (not a random draw, not one that writes into an
    argument, ``np.copyto``, nor one given an `out` or ``copy=``), one of `_PURE_BUILTINS`
    (or of `READING_BUILTINS` given no name), or a function of yours whose body writes
    nothing (no store into an item or attribute, no ``global``, no ``yield``) and makes only
    such calls. A method is never taken for one (its object may be anything:
    ``queue.get()``)."""
    if resolver is None or isinstance(call.func, gast.Attribute) and \
            not resolver.is_global(call.func):
        return False
    try:
        obj = resolver.lookup(call.func)
    except TypeError:
        return False
    name = getattr(obj, '__name__', None)
    module = getattr(obj, '__module__', None) or ''
    if type(obj).__name__ == 'ufunc':  # (NumPy's before 2.0 have no `__module__`)
        return not out_arguments(call, resolver)
    if module == 'builtins':
        return name in _PURE_BUILTINS or name in READING_BUILTINS and not any(
            isinstance(arg, (gast.Name, gast.Attribute, gast.Starred))
            for arg in call.args + [k.value for k in call.keywords])
    if module.split('.')[0] in ('numpy', 'scipy', 'math'):
        # (one s2sgrad knows: not a draw, ``norm.rvs()``, nor one that runs code or reads an
        # iterator given to it, ``np.apply_along_axis``, ``np.fromiter``)
        return rules.has_rule(obj) and 'random' not in module and \
            name not in INPLACE_FUNCTIONS and not out_arguments(call, resolver) and \
            not any(k.arg in ('copy', 'out') for k in call.keywords) and \
            not any(isinstance(a, gast.Constant) and a.value is False for a in call.args)
        # (``nan_to_num(d, copy=False)``, ``nan_to_num(d, False)``: in place)
    return inspect.isfunction(obj) and not rules.is_library(obj) and \
        rules.lookup_adjoint(obj) is None and _writes_nothing(obj, _depth)


def _writes_nothing(func, depth):
    """Whether the function of yours `func` changes nothing it can reach (see `pure_call`)."""
    from .resolve import Resolver
    from .source import parse_function
    if depth >= _DEPTH or inspect.isgeneratorfunction(func):
        return False
    try:
        source = parse_function(func)
    except S2SError:
        return False
    node = source.node
    resolver = Resolver(source.namespace, set(n.names_stored(node)) - {node.name})
    fresh = _fresh_names(node)
    for sub in n.walk(node):
        if isinstance(sub, (gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom,
                            gast.Await, gast.Delete)):
            return False
        if isinstance(sub, (gast.Subscript, gast.Attribute)) and \
                isinstance(sub.ctx, (gast.Store, gast.Del)):
            return False  # (``h[0] = v``, ``self.n = 1``: maybe of an argument)
        if isinstance(sub, gast.AugAssign) and not (
                isinstance(sub.target, gast.Name) and sub.target.id in fresh):
            return False  # (``x += 1`` of an argument's array adds into it)
        if isinstance(sub, gast.Call):
            if isinstance(sub.func, gast.Attribute) and not resolver.is_global(sub.func):
                if sub.func.attr not in _PURE_METHODS or sub.keywords and any(
                        k.arg in ('out', 'copy') for k in sub.keywords) or any(
                        not isinstance(a, gast.Constant) for a in sub.args[1:]):
                    return False  # (``a.round(0, a)``: an `out` given by position)
            elif not pure_call(sub, resolver, depth + 1):
                return False
    return True


def _fresh_names(func):
    """The local names of `func` bound only by assignments of a new number or array (a
    constant or arithmetic, ``total = 0.0``) and by augmented assignments: ``total += v``
    changes nothing else (a loop target or an unpacked item may be an argument's array)."""
    params = set(n.names_stored(func.args))
    values, stores, augmented = {}, {}, {}
    for sub in n.walk(func):
        if isinstance(sub, gast.Assign):
            for target in sub.targets:
                if isinstance(target, gast.Name):
                    values.setdefault(target.id, []).append(sub.value)
        elif isinstance(sub, gast.AugAssign) and isinstance(sub.target, gast.Name):
            augmented[sub.target.id] = augmented.get(sub.target.id, 0) + 1
        elif isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
            stores[sub.id] = stores.get(sub.id, 0) + 1
    new = (gast.Constant, gast.BinOp, gast.UnaryOp, gast.Compare)
    # (`stores` counts every Name stored: those of the assignments and augmented ones too)
    return {name for name, vs in values.items()
            if name not in params and all(isinstance(v, new) for v in vs) and
            stores.get(name, 0) == len(vs) + augmented.get(name, 0)}


def _replace(parts, replacements, stmt):
    """Put the names of `replacements` (walrus id -> Name) in place of their walruses."""
    class Replace(gast.NodeTransformer):
        def visit_NamedExpr(self, node):
            self.generic_visit(node)
            new = replacements.get(id(node))
            return gast.copy_location(new, node) if new is not None else node
    for field in ('test', 'iter', 'value'):
        value = getattr(stmt, field, None)
        if value is not None and any(value is part for part in parts):
            setattr(stmt, field, Replace().visit(value))


def _before_continues(stmts, assigns):
    """`stmts` with copies of `assigns` before each ``continue`` of the loop whose body
    `stmts` is (not of loops nested in it)."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Continue):
            out.extend(n.clone(a) for a in assigns)
        elif isinstance(stmt, (gast.For, gast.While)):  # (a `continue` in its `else` is ours)
            stmt.orelse = _before_continues(stmt.orelse, assigns)
        else:
            n.map_blocks(stmt, lambda inner: _before_continues(inner, assigns))
        out.append(stmt)
    return out
