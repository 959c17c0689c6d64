"""Inlining: a temporary read once is written into its reader when the line stays short."""
import ast

import gast

from . import nodes as n
from .activity import target_names
from .copies import assignment_counts
from .dead_code import pure
from .mutation import mutated
from .printer import number_statements, to_ast

MAX_LINE = 88
"""The longest line that inlining makes."""


def inline(stmts, keep):
    """`stmts` with each definition ``t = e`` of a temporary read once written into the
    statement that reads it (``y = f(e)``), when nothing in between changes what `e` reads
    and the line stays within `MAX_LINE`. Names in `keep` stay."""
    counts, reads = assignment_counts(stmts, with_reads=True)
    lists = _local_lists(stmts)

    def block(items):
        out = []
        for stmt in items:
            n.map_blocks(stmt, block)
            where = _definition_to_inline(out, stmt, counts, reads, keep, lists)
            if where is not None:
                previous = out.pop(where)
                name = previous.targets[0].id
                _replace(stmt, name, previous.value)
                stmt.__dict__.pop('_s2s_length', None)
                if hasattr(previous, 'lineno') and not hasattr(stmt, 'lineno'):
                    stmt.lineno = previous.lineno
            out.append(stmt)
        return out
    return block(stmts)


def sink_copies(stmts, keep):
    """``t = e; ...; v = t`` -> ``...; v = e`` within one block (a loop body too), when `t`
    is assigned and read only there, `e` is pure, and nothing in between reads `t` or
    changes what `e` reads: the copies that normalization leaves where primal and tangent
    statements interleave (``s_2 = s + y; ds_2 = ds + dy; s = s_2; ds = ds_2`` in a loop)."""
    counts, reads = assignment_counts(stmts, with_reads=True)

    def changed(stmt):
        names = set(n.names_stored(stmt)) | mutated([stmt])
        for node in n.walk(stmt):
            if isinstance(node, gast.Assign):
                names.update(target_names(node.targets[0]))
        return names

    def block(items):
        for stmt in items:
            n.map_blocks(stmt, block)
        out = list(items)
        index = 0
        while index < len(out):
            stmt = out[index]
            source = stmt.value.id if isinstance(stmt, gast.Assign) and \
                isinstance(stmt.targets[0], (gast.Name, gast.Tuple)) and \
                isinstance(stmt.value, gast.Name) else None
            if source is None or source in keep or counts.get(source) != 1 or \
                    reads.get(source) != 1 or source in getattr(stmt, 'no_inline', ()):
                index += 1
                continue
            where = next((i for i in range(index - 1, -1, -1)
                          if isinstance(out[i], gast.Assign) and
                          isinstance(out[i].targets[0], gast.Name) and
                          out[i].targets[0].id == source), None)
            if where is None:
                index += 1
                continue
            definition = out[where]
            value = definition.value
            read = set(n.names_read(value))
            between = out[where + 1:index]
            if not getattr(definition, 'inline_ok', True) or not pure(value) or \
                    has_user_call(value) or \
                    any(changed(s) & (read | {source}) or source in n.names_read(s)
                        for s in between) or \
                    _length(stmt) + _length(value) - len(source) + 8 > MAX_LINE:
                index += 1
                continue
            stmt.value = value
            stmt.__dict__.pop('_s2s_length', None)
            del out[where]
        return out
    return block(stmts)


_LOOK_BACK = 8
"""How many statements `inline` looks back for a definition to move into its one use."""


def _definition_to_inline(out, stmt, counts, reads, keep, lists):
    """The index in `out` of the definition ``t = e`` to inline into `stmt`, its only use: the
    statement just before, or an earlier one of the same block when the statements in between
    neither read `t` nor change what `e` reads, and are pushes onto and pops from stacks (the
    forward sweep's ``y_stack.append(y)`` between a line's parts) or, for a copy ``t = s``,
    any plain statement (``bx_t = by; y = y_stack.pop(); bx = bx + bx_t * 0.1``)."""
    read_by_stmt = []  # (the names `stmt` reads, found at the first candidate)
    for where in range(len(out) - 1, max(len(out) - 1 - _LOOK_BACK, -1), -1):
        previous = out[where]
        if _inlinable(previous, stmt, counts, reads, keep, read_by_stmt):
            name = previous.targets[0].id
            read = set(n.names_read(previous.value))
            copy = isinstance(previous.value, gast.Name)
            if all(_transparent(s, name, read, lists, copy) for s in out[where + 1:]):
                return where
        if not isinstance(out[where], (gast.Assign, gast.Expr)):
            return None
    return None


def _local_lists(stmts):
    """Variables assigned once, a list display, and read only as ``v.append(...)`` and
    ``v.pop()`` (the stacks of the forward sweep; a list with an alias is none): stored by
    one assignment only and by no loop, function definition or augmented assignment."""
    lists, assigned, spoiled = set(), {}, set()
    module = gast.Module(body=stmts, type_ignores=[])

    def scan(node):
        for child in n.children(node):
            cls = child.__class__
            if cls is gast.Assign:
                for name in n.names_stored(child):
                    assigned[name] = assigned.get(name, 0) + 1
                if isinstance(child.targets[0], gast.Name) and \
                        isinstance(child.value, gast.List):
                    lists.add(child.targets[0].id)
            elif cls in (gast.For, gast.FunctionDef, gast.AugAssign):
                spoiled.update(n.names_stored(child))  # (all it holds included)
            elif not isinstance(child, gast.expr):  # (expressions hold no statements)
                scan(child)
    scan(module)
    lists = {name for name in lists if name not in spoiled and assigned.get(name) == 1}
    if not lists:
        return lists
    loads, ops = {}, {}
    for node in n.walk(module):
        cls = node.__class__
        if cls is gast.Name:
            if node.id in lists and isinstance(node.ctx, gast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
        elif cls is gast.Call and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and node.func.attr in ('append', 'pop'):
            ops[node.func.value.id] = ops.get(node.func.value.id, 0) + 1
    return {name for name in lists if loads.get(name, 0) == ops.get(name, 0)}


def _transparent(stmt, name, read, lists, copy):
    """Whether the definition of `name` from the names `read` may move past `stmt`, which
    neither reads `name` nor stores or mutates any of `read`: a push onto or a pop from one of
    the stacks `lists`; for a `copy`, also a comment or an assignment of names or expression
    statement that calls no user function."""
    value = getattr(stmt, 'value', None)
    stack_op = isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
        isinstance(value.func.value, gast.Name) and value.func.value.id in lists and \
        value.func.attr in ('append', 'pop')
    if n.is_comment(stmt):
        return copy
    if not isinstance(stmt, (gast.Assign, gast.Expr)) or not (stack_op or copy):
        return False
    if isinstance(stmt, gast.Assign) and not all(isinstance(t, gast.Name) for t in stmt.targets):
        return False
    if has_user_call(gast.List(elts=list(value.args), ctx=gast.Load()) if stack_op else value):
        return False
    touched = set(n.names_stored(stmt)) | mutated([stmt])
    return not touched & (read | {name}) and name not in n.names_read(stmt)


def _inlinable(previous, stmt, counts, reads, keep, read_by_stmt=None):
    """Whether definition `previous` may be written into `stmt`, its only reader
    (`read_by_stmt`: an empty list, or one holding the names `stmt` reads)."""
    if not (isinstance(previous, gast.Assign) and isinstance(previous.targets[0], gast.Name)):
        return False
    name = previous.targets[0].id
    if name in keep or counts.get(name) != 1 or reads.get(name) != 1:
        return False
    if not getattr(previous, 'inline_ok', True) or name in getattr(stmt, 'no_inline', ()):
        return False
    if not isinstance(stmt, (gast.Assign, gast.Return)):
        return False
    if read_by_stmt is None:
        read_by_stmt = []
    if not read_by_stmt:
        read_by_stmt.append(set(n.names_read(stmt.value if isinstance(stmt, gast.Assign)
                                             else stmt)))
    if name not in read_by_stmt[0]:
        return False
    if not pure(previous.value) or has_user_call(previous.value):
        return False
    return _length(stmt) + _length(previous.value) - len(name) + 8 <= MAX_LINE


def _length(node):
    """The length of `node`'s source text, cached on the node."""
    cached = getattr(node, '_s2s_length', None)
    if cached is None:
        tree = to_ast(node)
        if isinstance(tree, ast.stmt):
            tree = ast.Module(body=[tree], type_ignores=[])
        number_statements(tree)
        cached = len(ast.unparse(tree)) + 2
        node._s2s_length = cached
    return cached


def has_user_call(expr):
    """Whether `expr` may call a function of the user's (anything but a few built-ins and
    the functions and array methods of NumPy, math and the runtime): such a call is never
    moved."""
    for node in n.walk(expr):
        if isinstance(node, gast.Call):
            func = node.func
            path = n.dotted_path(func)
            if path is None:
                continue
            root = path.split('.')[0]
            if isinstance(func, gast.Name) and func.id not in ('len', 'range', 'reversed',
                                                               'float', 'abs', 'max', 'min'):
                return True
            if isinstance(func, gast.Attribute) and root not in ('np', 's2s', 'math') and \
                    func.attr not in ('sum', 'mean', 'T', 'dot', 'reshape', 'transpose'):
                return True
    return False


def _replace(stmt, name, value):
    """Replace the reads of `name` in `stmt` by `value`."""
    _Replacer(name, value).visit(stmt)


class _Replacer(gast.NodeTransformer):
    """Replaces the reads of variable `name` by the node `value`."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self.value
        return node
