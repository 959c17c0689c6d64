"""Small constructors and queries for gast nodes, shared by the passes."""
import ast

import gast


def name(id_, store=False):
    """A `gast.Name` load (or store) node."""
    return gast.Name(id=id_, ctx=gast.Store() if store else gast.Load(),
                     annotation=None, type_comment=None)


def const(value):
    """A `gast.Constant` node."""
    return gast.Constant(value=value, kind=None)


def assign(target, value, lineno=None):
    """``target = value``; a string target becomes a stored Name."""
    if isinstance(target, str):
        target = name(target, store=True)
    node = gast.Assign(targets=[target], value=value, type_comment=None)
    if lineno is not None:
        node.lineno = lineno
    return node


def attr(value, attribute):
    """``value.attribute``; a string value becomes a Name."""
    if isinstance(value, str):
        value = name(value)
    return gast.Attribute(value=value, attr=attribute, ctx=gast.Load())


def dotted(path):
    """An expression for a dotted path such as ``'s2s.unbroadcast'``."""
    parts = path.split('.')
    node = name(parts[0])
    for part in parts[1:]:
        node = attr(node, part)
    return node


def call(func, *args, **keywords):
    """A call node; a string `func` is a dotted path."""
    if isinstance(func, str):
        func = dotted(func)
    return gast.Call(func=func, args=list(args),
                     keywords=[gast.keyword(arg=k, value=v) for k, v in keywords.items()])


def expr(value):
    """An expression statement."""
    return gast.Expr(value=value)


def binop(left, op, right):
    """``left <op> right`` with a gast operator instance."""
    return gast.BinOp(left=left, op=op, right=right)


def tuple_(elts, store=False):
    """A tuple node."""
    return gast.Tuple(elts=list(elts), ctx=gast.Store() if store else gast.Load())


def subscript(value, index, store=False):
    """``value[index]``."""
    return gast.Subscript(value=value, slice=index, ctx=gast.Store() if store else gast.Load())


def shown(node):
    """How `node`, an expression, reads in source: its dotted path (``np.linalg.inv``), or
    its text (``partial(np.power, x)``)."""
    path = dotted_path(node)
    if path is not None:
        return path
    return ast.unparse(gast.gast_to_ast(clone(node)))


def comment(text):
    """A placeholder statement that the printer turns into ``# text``."""
    return gast.Expr(value=gast.Constant(value='#s2s#' + text, kind=None))


def is_comment(stmt):
    """Whether `stmt` is a comment placeholder made by `comment`."""
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str) and stmt.value.value.startswith('#s2s#'))


def names_read(node):
    """The identifiers loaded anywhere inside `node` (in first-seen order)."""
    seen = {}
    name_class, load = gast.Name, gast.Load
    for child in walk(node):
        if child.__class__ is name_class and child.ctx.__class__ is load:
            seen[child.id] = None
    return list(seen)


def names_stored(node):
    """The identifiers stored anywhere inside `node` (assignments, loop targets, defs)."""
    seen = {}
    name_class, function_class = gast.Name, gast.FunctionDef
    for child in walk(node):
        cls = child.__class__
        if cls is name_class:
            if isinstance(child.ctx, (gast.Store, gast.Param)):
                seen[child.id] = None
        elif cls is function_class:
            seen[child.name] = None
    return list(seen)


def all_names(node):
    """Every identifier appearing in `node`, whatever its context."""
    found = set()
    name_class, function_class = gast.Name, gast.FunctionDef
    for child in walk(node):
        cls = child.__class__
        if cls is name_class:
            found.add(child.id)
        elif cls is function_class:
            found.add(child.name)
    return found


def clone(node):
    """A deep copy of `node` (AST nodes and lists are copied; other values are shared)."""
    if isinstance(node, list):
        return [clone(item) for item in node]
    if not isinstance(node, gast.AST):
        return node
    return _clone_node(node)


def _clone_node(node):
    """`clone` of an AST node."""
    cls = node.__class__
    new = cls.__new__(cls)
    values = {}
    for key, value in node.__dict__.items():
        if value.__class__ is list:
            values[key] = [_clone_node(item) if isinstance(item, gast.AST) else clone(item)
                           for item in value]
        elif isinstance(value, gast.AST):
            values[key] = _clone_node(value)
        elif isinstance(value, list):
            values[key] = clone(value)
        else:
            values[key] = value
    new.__dict__ = values
    return new


_CHILD_FIELDS = {}
_SKIPPED_FIELDS = ('ctx', 'type_comment', 'kind', 'type_ignores')
_PLAIN_FIELDS = {'Name': ('id',), 'Constant': ('value',), 'Attribute': ('attr',),
                 'keyword': ('arg',), 'FunctionDef': ('name',)}
"""Fields that hold identifiers or constants, never nodes (`walk` does not look at them)."""


def _child_fields(cls):
    """The fields of AST class `cls` that `walk` descends into, last first."""
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        plain = _PLAIN_FIELDS.get(cls.__name__, ())
        fields = _CHILD_FIELDS[cls] = tuple(
            f for f in reversed(cls._fields) if f not in _SKIPPED_FIELDS and f not in plain)
    return fields


_NODE_FIELDS = {}


def node_fields(cls):
    """The fields of AST class `cls` that may hold nodes, in order (`walk`'s, first first)."""
    fields = _NODE_FIELDS.get(cls)
    if fields is None:
        fields = _NODE_FIELDS[cls] = tuple(reversed(_child_fields(cls)))
    return fields


def walk(node, skip=None):
    """Every AST node inside `node` (itself included), depth first, in source order.

    Expression contexts (``Load``/``Store``) are not visited: passes read ``node.ctx``.
    `skip(child)`, when given, tells which nodes below `node` to leave out, with all
    they hold.
    """
    if skip is not None:
        yield from _walk_skipping(node, skip)
        return
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    child_fields, node_class = _CHILD_FIELDS, gast.AST
    while stack:
        node = pop()
        cls = node.__class__
        fields = child_fields.get(cls)
        if fields is None:
            if not isinstance(node, node_class):
                continue  # (an item of a list field that is no node: ``Global.names``)
            fields = _child_fields(cls)
        yield node
        values = node.__dict__
        for field in fields:
            value = values.get(field)
            if value is None:
                continue
            if value.__class__ is list:
                extend(reversed(value))  # (items that are no nodes are dropped when popped)
            elif isinstance(value, node_class):
                push(value)


def children(node):
    """The nodes directly inside `node` that `walk` visits, last first."""
    found = []
    cls = node.__class__
    values = node.__dict__
    for field in _CHILD_FIELDS.get(cls) or _child_fields(cls):
        value = values.get(field)
        if value.__class__ is list:
            found.extend(item for item in reversed(value) if isinstance(item, gast.AST))
        elif isinstance(value, gast.AST):
            found.append(value)
    return found


def _walk_skipping(node, skip):
    """`walk` with a `skip` predicate."""
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        yield node
        cls = node.__class__
        for field in _CHILD_FIELDS.get(cls) or _child_fields(cls):
            value = node.__dict__.get(field)
            if value.__class__ is list:
                for item in reversed(value):
                    if isinstance(item, gast.AST) and not skip(item):
                        push(item)
            elif isinstance(value, gast.AST) and not skip(value):
                push(value)


def fingerprint(node):
    """A value that two trees have equal exactly when they are the same code: every node's
    class and fields, in `walk` order (a constant by its ``repr``: ``1``, ``1.0`` and ``True``
    differ, ``nan`` equals itself). Cheaper than printing or ``gast.dump``."""
    tokens = []
    add, ast_class = tokens.append, gast.AST
    for child in walk(node):
        cls = child.__class__
        add(cls)
        values = child.__dict__
        for field in cls._fields:
            value = values.get(field)
            if value.__class__ is list:
                add(tuple([True if isinstance(v, ast_class) else v for v in value]))
            elif isinstance(value, ast_class):
                add(value.__class__ if field == 'ctx' else True)  # (walk gives the node)
            else:
                add(value if value is None or value.__class__ is str else repr(value))
    return tokens


def rename(node, mapping):
    """Rename Names in `node` in place according to `mapping`; return `node`."""
    for child in walk(node):
        if isinstance(child, gast.Name) and child.id in mapping:
            child.id = mapping[child.id]
    return node


def dotted_path(node):
    """``'np.linalg.inv'`` for an Attribute/Name chain, else None."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    parts.append(node.id)
    return '.'.join(reversed(parts))


def is_atom(node):
    """Names and constants: the operands allowed in normalized code."""
    return isinstance(node, (gast.Name, gast.Constant))


def position(node, default=None):
    """The source line of `node` or `default`."""
    return getattr(node, 'lineno', default)


def is_self_copy(stmt):
    """Whether `stmt` is ``x = x``: it changes nothing (``by = by``: an adjoint passed on)."""
    return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and \
        stmt.targets[0].id == stmt.value.id


def is_arguments_check(stmt):
    """Whether `stmt` is ``s2s.separate(x, message, ...)``, a generated derivative's check
    of its arguments (first, before it copies them): it reads them and changes nothing."""
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
        dotted_path(stmt.value.func) == 's2s.separate'


def index_value(node):
    """An index as a value: ``a:b`` -> ``slice(a, b, None)``, recursively in tuples."""
    if isinstance(node, gast.Slice):
        parts = [p if p is not None else const(None) for p in (node.lower, node.upper, node.step)]
        return call('slice', *parts)
    if isinstance(node, gast.Tuple):
        return tuple_([index_value(e) for e in node.elts])
    return node


BLOCK_FIELDS = ('body', 'orelse')
"""The fields of a compound statement that hold statement lists (its blocks)."""


def own_parts(stmt):
    """The expressions `stmt` evaluates itself: a compound statement's test or iterable (not
    the statements of its blocks), or a simple statement whole (as a one-item list)."""
    if not blocks(stmt):
        return [stmt]
    return [getattr(stmt, field) for field in ('test', 'iter') if hasattr(stmt, field)]


def blocks(node, functions=False):
    """The statement lists directly inside `node`, as ``(field, statements)`` pairs: the
    ``body`` and ``orelse`` of ``if``, ``for`` and ``while``; the body of a function
    definition only with `functions` (it is another scope)."""
    if not functions and node.__class__ is gast.FunctionDef:
        return []
    values = node.__dict__
    return [(field, values[field]) for field in BLOCK_FIELDS
            if values.get(field).__class__ is list]


def map_blocks(node, rewrite, functions=False):
    """Replace each block of `node` (see `blocks`) by ``rewrite(block)``; return `node`."""
    for field, block in blocks(node, functions):
        setattr(node, field, rewrite(block))
    return node


def place(stmts, placed):
    """`stmts` with the statements `placed` (('before' or 'after', statement id) -> the
    statements) put before or after their statements, in nested blocks too."""
    out = []
    for stmt in stmts:
        map_blocks(stmt, lambda block: place(block, placed))
        out.extend(placed.get(('before', id(stmt)), []))
        out.append(stmt)
        out.extend(placed.get(('after', id(stmt)), []))
    return out


def statements(stmts):
    """Every statement of `stmts`, nested blocks of ``if``/``for``/``while`` included (not
    the bodies of nested function definitions), in source order."""
    for stmt in stmts:
        yield stmt
        for _, block in blocks(stmt):
            yield from statements(block)


def every_statement(stmts):
    """Every statement of `stmts` as `statements` gives them, and those of the blocks it
    leaves out: ``except`` handlers, ``finally``, the cases of ``match`` (the code of a
    helper, which s2sgrad reads and does not normalize)."""
    for stmt in stmts:
        yield stmt
        inner = [block for _, block in blocks(stmt)] + \
            [getattr(stmt, 'finalbody', None) or []] + \
            [handler.body for handler in getattr(stmt, 'handlers', None) or []] + \
            [case.body for case in (getattr(stmt, 'cases', None) or [])
             if isinstance(stmt, gast.Match)]
        for block in inner:
            yield from every_statement(block)


def nested_blocks(stmts):
    """Every non-empty statement list nested in `stmts` (the blocks of its ``if``, ``for`` and
    ``while`` statements at any depth, not of nested functions), in source order."""
    for stmt in stmts:
        for _, block in blocks(stmt):
            if block:
                yield block
                yield from nested_blocks(block)
