"""Chained writes into arrays: ``A[i][j] = v`` into an array the function makes is ``A[i, j] = v``.

Python evaluates ``A[i][j] = v`` as a write into the view ``A[i]``, which the alias analysis
refuses (the write changes `A`, which is read afterwards). Where `A` is a NumPy array that the
function makes (every definition of it is a call such as ``np.zeros``, or arithmetic no list
takes, ``A * 1.0``, ``A - B``) and the outer indexes are integers (``range`` loop variables,
literals, arithmetic of them), the view is a row and the write is the same as one through the
joined index, which is differentiated as any other::

    >>> import ast, builtins, gast
    >>> import numpy as np
    >>> from s2sgrad.resolve import Resolver
    >>> func = gast.parse('def f(x):\\n    A = np.zeros((2, 2))\\n'
    ...                   '    for i in range(2):\\n        A[i][1] = x[i]\\n'
    ...                   '    return A').body[0]
    >>> join_chained_indexes(func, Resolver(dict(vars(builtins), np=np), {'A', 'i'}))
    >>> print(ast.unparse(gast.gast_to_ast(func.body[1].body[0])))
    A[i, 1] = x[i]

A list of lists (``grid[i][j] = v``) keeps its chained form: it has no joined index.
"""
import builtins

import gast
import numpy as np

from . import nodes as n

ARRAY_MAKERS = frozenset({
    'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like', 'empty_like', 'full_like',
    'array', 'asarray', 'copy', 'eye', 'identity', 'tile', 'stack', 'vstack', 'hstack',
    'concatenate', 'outer', 'diag', 'arange', 'linspace'})
"""NumPy functions whose result is always an ndarray (never a list, never a NumPy scalar for
the arguments a write into it needs: at least one dimension)."""

_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)
_ARRAY_OPS = (gast.Sub, gast.Div, gast.Pow, gast.MatMult, gast.FloorDiv)


def join_chained_indexes(func, resolver):
    """Rewrite, in place, each ``A[i][j] = v`` (and ``A[i][j] += v``) of `func` whose `A` is an
    array `func` makes and whose outer indexes are integers as ``A[i, j] = v``."""
    arrays = _made_arrays(func, resolver)
    if not arrays:
        return
    ints = _integer_names(func, resolver)
    for stmt in n.statements(func.body):
        if isinstance(stmt, gast.Assign):
            stmt.targets = [_joined(t, arrays, ints) for t in stmt.targets]
        elif isinstance(stmt, gast.AugAssign):
            stmt.target = _joined(stmt.target, arrays, ints)


def _joined(target, arrays, ints):
    parts, base = [], target
    while isinstance(base, gast.Subscript):
        parts.insert(0, base.slice)
        base = base.value
    if len(parts) < 2 or not (isinstance(base, gast.Name) and base.id in arrays):
        return target
    if not all(_int_index(part, ints) for part in parts[:-1]) or \
            not _plain_index(parts[-1], ints):
        return target
    elts = [elt for part in parts
            for elt in (part.elts if isinstance(part, gast.Tuple) else [part])]
    joined = gast.Subscript(value=base, slice=gast.Tuple(elts=elts, ctx=gast.Load()),
                            ctx=gast.Store())
    return gast.copy_location(joined, target)


def _plain_index(node, ints):
    """An index that means the same joined to integers before it: an integer, a slice, a
    list of indexes, ``...``, ``None``, or a tuple display of those (never a variable that may
    hold a tuple, which would become a fancy index once joined)."""
    if isinstance(node, gast.Tuple):
        return all(_plain_index(elt, ints) and not isinstance(elt, gast.Tuple)
                   for elt in node.elts)
    if isinstance(node, gast.Constant):
        return node.value is None or node.value is Ellipsis or type(node.value) is int
    return isinstance(node, (gast.Slice, gast.List)) or _is_int(node, ints)


def _int_index(node, ints):
    """An integer, or a tuple display of integers (``A[i, j][k]``)."""
    if isinstance(node, gast.Tuple):
        return all(_is_int(elt, ints) for elt in node.elts)
    return _is_int(node, ints)


def _is_int(node, ints):
    """Whether `node` is an integer number (never a tuple of them)."""
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    if isinstance(node, gast.Name):
        return node.id in ints
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _is_int(node.operand, ints)
    return isinstance(node, gast.BinOp) and isinstance(node.op, _INT_OPS) and \
        _is_int(node.left, ints) and _is_int(node.right, ints)


def _definitions(func):
    """``{name: [binding]}``: how each statement of `func` (nested blocks included) binds each
    name: the value of ``name = value``, ``('aug', name op value)`` for ``name op= value``,
    ``'int'`` for the variable of a ``range`` loop and the count of an ``enumerate`` loop, None
    for any other binding."""
    found = {}

    def bind(name, how):
        found.setdefault(name, []).append(how)
    for stmt in n.statements(func.body):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                if not isinstance(target, gast.Subscript):
                    for name in n.names_stored(target):
                        bind(name, stmt.value if isinstance(target, gast.Name) else None)
        elif isinstance(stmt, gast.AugAssign):
            if isinstance(stmt.target, gast.Name):
                bind(stmt.target.id, ('aug', gast.BinOp(left=n.name(stmt.target.id),
                                                        op=stmt.op, right=stmt.value)))
        elif isinstance(stmt, gast.For):
            target = stmt.target
            if isinstance(target, gast.Name) and _calls(stmt.iter, 'range'):
                bind(target.id, 'int')
                continue
            if isinstance(target, gast.Tuple) and target.elts and \
                    isinstance(target.elts[0], gast.Name) and _calls(stmt.iter, 'enumerate'):
                bind(target.elts[0].id, 'int')
                target = gast.Tuple(elts=target.elts[1:], ctx=gast.Store())
            for name in n.names_stored(target):
                bind(name, None)
        elif isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            bind(stmt.name, None)
        elif not isinstance(stmt, (gast.If, gast.While)):  # (imports, ``with ... as``, ...)
            for name in n.names_stored(stmt):
                bind(name, None)
    for node in n.walk(func):
        if isinstance(node, gast.NamedExpr):
            for name in n.names_stored(node.target):
                bind(name, None)
    return found


def _calls(node, builtin):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == builtin


def _integer_names(func, resolver):
    """Local names every binding of which is an integer: a ``range`` loop's variable, the
    count of an ``enumerate`` loop, an integer literal or arithmetic of those, ``len(...)``."""
    if not all(resolver.lookup(n.name(name)) is getattr(builtins, name)
               for name in ('range', 'enumerate')):
        return set()
    has_len = resolver.lookup(n.name('len')) is builtins.len
    params = {a.id for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    definitions = {name: values for name, values in _definitions(func).items()
                   if name not in params}
    found = set(definitions)
    changed = True
    while changed:
        changed = False
        for name in sorted(found):
            if not all(_int_binding(how, found, has_len) for how in definitions[name]):
                found.discard(name)
                changed = True
    return found


def _int_binding(how, ints, has_len):
    if how == 'int':
        return True
    if isinstance(how, tuple):  # (``i += 1``)
        how = how[1]
    if how is None:
        return False
    if _calls(how, 'len'):
        return has_len
    return _is_int(how, ints)


def _made_arrays(func, resolver):
    """Local names every binding of which is a call of a NumPy function that makes an array
    (`ARRAY_MAKERS`)."""
    params = {a.id for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    made = set()
    for name, values in _definitions(func).items():
        # (``A += 1`` keeps an array one: it changes it in place)
        made_by = [how for how in values if not isinstance(how, tuple)]
        if name not in params and made_by and all(_makes_array(v, resolver) for v in made_by):
            made.add(name)
    return made


def _makes_array(value, resolver):
    if isinstance(value, gast.BinOp):
        # (``A * 1.0``, ``A / n``, ``A @ B``: an array, or a number no index reaches; a list
        # takes none of them, nor a dict, which ``d1 | d2`` makes)
        return isinstance(value.op, _ARRAY_OPS) or isinstance(value.op, (gast.Add, gast.Mult)) \
            and any(isinstance(side, gast.Constant) and type(side.value) is float
                    for side in (value.left, value.right))
    if not isinstance(value, gast.Call):
        return False
    func = resolver.lookup(value.func)
    name = getattr(func, '__name__', None)
    return name in ARRAY_MAKERS and getattr(np, name, None) is func
