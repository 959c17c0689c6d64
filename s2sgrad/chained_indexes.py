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

from . import mutation
from . import nodes as n
from .expr_keys import expr_key

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
    """Local names every binding of which makes an array: a call of a NumPy function that
    makes one (`ARRAY_MAKERS`), ``.astype(...)``, ``.copy()`` of such a name, or arithmetic
    with one (``np.zeros((n, n)) + M``)."""
    params = {a.id for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    candidates = {}
    for name, values in _definitions(func).items():
        # (``A += 1`` keeps an array one: it changes it in place)
        made_by = [how for how in values if not isinstance(how, tuple)]
        if name not in params and made_by:
            candidates[name] = made_by
    made = set(candidates)
    changed = True
    while changed:  # (the greatest set: ``A = A.copy()`` in a loop keeps `A` an array)
        changed = False
        for name in sorted(made):
            if not all(_makes_array(v, resolver, made) for v in candidates[name]):
                made.discard(name)
                changed = True
    return made


def _makes_array(value, resolver, made=frozenset()):
    """Whether `value` is an ndarray (of at least one dimension where it is written into),
    the names in `made` being ones."""
    if isinstance(value, gast.Name):
        return value.id in made
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return _makes_array(value.operand, resolver, made)
    if isinstance(value, gast.BinOp):
        # (``A * 1.0``, ``A / n``, ``A @ B``: an array, or a number no index reaches; a list
        # takes none of them, nor a dict, which ``d1 | d2`` makes; anything with an array
        # made here is an array, ``np.zeros((2, 2)) + M``)
        return isinstance(value.op, _ARRAY_OPS) or isinstance(value.op, (gast.Add, gast.Mult)) \
            and any(isinstance(side, gast.Constant) and type(side.value) is float
                    for side in (value.left, value.right)) or \
            not isinstance(value.op, (gast.BitOr, gast.BitAnd, gast.BitXor)) and any(
                _makes_array(side, resolver, made) for side in (value.left, value.right))
    if not isinstance(value, gast.Call):
        return False
    if any(_surely_object(arg, resolver) for arg in value.args[1:] +
           [keyword.value for keyword in value.keywords]) or \
            isinstance(value.func, gast.Attribute) and value.func.attr == 'astype' and \
            value.args and _surely_object(value.args[0], resolver):
        return False  # (``np.empty(2, object)``, ``.astype(object)``: items are objects)
    if any(keyword.arg == 'dtype' and _object_dtype(keyword.value, resolver)
           for keyword in value.keywords):
        return False  # (``np.empty(2, dtype=object)``: its items are objects, not a row)
    if isinstance(value.func, gast.Attribute) and not resolver.is_global(value.func):
        # (``M.astype(float)``: only an array has the method; ``A.copy()`` of an array)
        return value.func.attr == 'astype' or value.func.attr == 'copy' and \
            _makes_array(value.func.value, resolver, made)
    func = resolver.lookup(value.func)
    name = getattr(func, '__name__', None)
    if name in ('full', 'full_like') and any(
            isinstance(arg, gast.Constant) and arg.value is None for arg in value.args[1:2]):
        return False  # (``np.full(2, None)``: an array of objects)
    return name in ARRAY_MAKERS and getattr(np, name, None) is func


def _surely_object(node, resolver):
    """Whether `node` denotes the object dtype (``object``, ``'O'``, ``np.object_``)."""
    if isinstance(node, gast.Constant):
        return isinstance(node.value, str) and node.value.lstrip('|') in ('O', 'object')
    if isinstance(node, (gast.Name, gast.Attribute)):
        value = resolver.lookup(node)
        return value is object or value is np.object_
    return False


def _object_dtype(node, resolver):
    """Whether `node` may denote the object dtype (``object``, ``'O'``, ``np.object_``): any
    other than a float, int, bool or complex type or string that it surely is not."""
    if isinstance(node, gast.Constant):
        return not (isinstance(node.value, str) and node.value[:1] in 'fiubc' and node.value)
    value = resolver.lookup(node)
    return not (isinstance(value, type) and
                issubclass(value, (float, int, bool, complex, np.number, np.bool_)))


def fill_items_first(func, resolver, namer):
    """Rewrite, in place, an item of a list or dict the function makes, given a value and
    then written into (Karpathy's min-char-rnn: ``xs[t] = np.zeros((V, 1))`` then
    ``xs[t][inputs[t]] = 1``) as the value filled under a name, then stored: ``xs_t =
    np.zeros((V, 1))``, ``xs_t[inputs[t]] = 1``, ``xs[t] = xs_t``. The writes read neither
    the container nor a name that may be it, so they compute the same; the array is written
    before any container holds it (the alias analysis refuses a write into an array that a
    container read afterwards holds)."""
    containers = _containers_made(func, resolver)
    if not containers:
        return
    for node in n.walk(func):
        n.map_blocks(node, lambda block: _filled_first(block, namer, func.body, containers),
                     functions=True)


def _containers_made(func, resolver):
    """The names that only ever hold a list or dict `func` makes: every binding is a
    display (``{}``, ``[None] * n``, a comprehension) or ``dict()``/``list()``, also in a
    tuple of displays (``xs, hs = {}, {}``); never a parameter. (An item of an array is a
    view: ``A[t] = np.zeros(3)`` broadcasts into the row, which a write then changes.)"""
    made, other = set(), set()
    args = func.args
    other.update(a.id for a in args.posonlyargs + args.args + args.kwonlyargs)
    other.update(a.id for a in (args.vararg, args.kwarg) if a is not None)

    ints = _integer_names(func, resolver)
    has_len = resolver.lookup(n.name('len')) is builtins.len

    def container(value):
        if isinstance(value, (gast.List, gast.Dict, gast.ListComp, gast.DictComp)):
            return True
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult):
            # (``[None] * n`` of an integer n: an array times a list is an array)
            return any(isinstance(display, gast.List) and (
                _is_int(count, ints) or has_len and _calls(count, 'len'))
                for display, count in ((value.left, value.right),
                                       (value.right, value.left)))
        return isinstance(value, gast.Call) and \
            resolver.lookup(value.func) in (builtins.dict, builtins.list)
    for node in n.walk(func):
        if node is func:
            continue
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    (made if container(node.value) else other).add(target.id)
                elif isinstance(target, (gast.Tuple, gast.List)) and \
                        isinstance(node.value, (gast.Tuple, gast.List)) and \
                        len(target.elts) == len(node.value.elts):
                    for elt, value in zip(target.elts, node.value.elts):
                        names = n.names_stored(elt)
                        (made if isinstance(elt, gast.Name) and container(value)
                         else other).update(names)
                elif not isinstance(target, gast.Subscript):
                    other.update(n.names_stored(target))
        elif isinstance(node, (gast.AugAssign, gast.AnnAssign, gast.For, gast.comprehension)):
            other.update(n.names_stored(node.target))  # (a loop's body: its own statements)
        elif isinstance(node, gast.NamedExpr):
            other.update(n.names_stored(node.target))
        elif isinstance(node, gast.withitem) and node.optional_vars is not None:
            other.update(n.names_stored(node.optional_vars))
        elif isinstance(node, (gast.FunctionDef, gast.ClassDef)):
            other.add(node.name)
        elif isinstance(node, gast.ExceptHandler) and node.name is not None:
            other.update(n.names_stored(node.name) if isinstance(node.name, gast.AST)
                         else [node.name])
        elif isinstance(node, (gast.Global, gast.Nonlocal)):
            other.update(node.names)
        elif isinstance(node, (gast.Import, gast.ImportFrom)):
            other.update((a.asname or a.name).split('.')[0] for a in node.names)
    return made - other


def _filled_first(block, namer, body, containers):
    out, index = [], 0
    while index < len(block):
        stmt = block[index]
        made = _new_item(stmt)
        if made is not None and made[0] not in containers:
            made = None
        writes = []
        while made is not None and index + 1 + len(writes) < len(block) and \
                _item_write(block[index + 1 + len(writes)], made, body):
            writes.append(block[index + 1 + len(writes)])
        if not writes:
            out.append(stmt)
            index += 1
            continue
        container, key = made
        temp = namer.fresh(f'{container}_{key.id}' if isinstance(key, gast.Name)
                           else f'{container}_item')
        out.append(gast.copy_location(gast.Assign(targets=[n.name(temp, store=True)],
                                                  value=stmt.value, type_comment=None), stmt))
        for write in writes:
            target = write.targets[0] if isinstance(write, gast.Assign) else write.target
            inner = target
            while isinstance(inner.value, gast.Subscript) and \
                    isinstance(inner.value.value, gast.Subscript):
                inner = inner.value
            inner.value = gast.copy_location(n.name(temp), inner.value)
            out.append(write)
        out.append(gast.copy_location(gast.Assign(
            targets=[stmt.targets[0]], value=n.name(temp), type_comment=None), stmt))
        index += 1 + len(writes)
    return out


def _new_item(stmt):
    """``(container, key)`` where `stmt` is ``container[key] = value`` with a key of names and
    numbers, else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], gast.Subscript) and
            isinstance(stmt.targets[0].value, gast.Name)):
        return None
    key = stmt.targets[0].slice
    if not all(isinstance(part, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp,
                                 gast.operator, gast.unaryop, gast.Load))
               for part in n.walk(key)):
        return None
    return stmt.targets[0].value.id, key


def _item_write(stmt, made, body):
    """Whether `stmt` writes into the item `made` (``container[key][...] = v``, or ``+=``)
    with an index and a value that read neither the container nor a name that may be it."""
    container, key = made
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, gast.AugAssign):
        target = stmt.target
    else:
        return False
    parts = []
    while isinstance(target, gast.Subscript):
        parts.append(target)
        target = target.value
    if len(parts) < 2 or not (isinstance(target, gast.Name) and target.id == container) or \
            expr_key(parts[-1].slice) != expr_key(key):
        return False
    read = set(n.names_read(stmt.value)) | {
        name for part in parts[:-1] for name in n.names_read(part.slice)}
    return not read & mutation.with_aliases({container}, body) and \
        not any(isinstance(node, (gast.Call, gast.NamedExpr, gast.Lambda))
                for node in n.walk(stmt.value))
