"""Optimize pass: fold constants, simplify algebra, propagate copies, inline, remove dead code.

Run on a generated function; the result computes the same values with fewer, clearer lines:
``d * 2 * x ** (2 - 1)`` becomes ``d * 2 * x``, an unused primal value is never computed,
and a temporary used once on the next line is written inline.
"""
import operator

import gast

from . import nodes as n
from .activity import target_names
from .printer import number_statements, to_ast
from .simplify import simplify

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}
_MUTATING_METHODS = {'append', 'pop', 'extend', 'insert', 'remove', 'clear', 'sort',
                     'reverse', 'fill', 'resize', 'setdefault', 'update'}
_IMPURE_FUNCTIONS = {'print', 'exec', 'eval', 'input', 'open', 'setattr', 'delattr'}
_CHANGING_METHODS = _MUTATING_METHODS | {'add_at'}
MAX_LINE = 88


def optimize(func, keep=(), same_shape=None, declared=None, resolver=None):
    """Optimize FunctionDef `func` in place and return it; names in `keep` are never renamed.

    `same_shape(a, b)`, when given, tells that variables `a` and `b` always share a shape.
    `declared` maps parameters to declared shapes (tuples of int or named sizes): the
    algebraic rules (`simplify`) use them. `resolver` (a `resolve.Resolver`) tells what the
    names of the generated code denote (without one, the rules that call functions are off).
    """
    params = [a.id for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
    params += [a.id for a in (func.args.vararg, func.args.kwarg) if a is not None]
    same_shape = same_shape or (lambda a, b: a == b)
    mutated = _mutated(func.body)
    returned = set(n.names_read(func.body[-1])) if func.body and isinstance(
        func.body[-1], gast.Return) else set()
    keep = set(keep) | returned
    size = _size(func.body)
    simplifying = True
    for _ in range(6):
        before = size
        func.body = _fold_block(func.body, same_shape, mutated)
        func.body = _drop_copy_backs(func.body)
        func.body = _copy_propagate(func.body, keep)
        func.body, _ = _dead_code(func.body, set(), remove=True)
        if simplifying:  # the rules are costly: again only while they change the code
            unsimplified = _size(func.body)
            func.body = simplify(func.body, params, declared, keep, resolver)
            simplifying = _size(func.body) != unsimplified
        func.body = _unused_stacks(func.body)
        func.body = _inline(func.body, keep)
        func.body = _sink_copies(func.body, keep)
        func.body = _clean(func.body)
        size = _size(func.body)
        if size == before:
            break
    return func


def _size(stmts):
    """Statements plus Name nodes: every transformation here lowers one of the two."""
    statements = names = 0
    name_class, statement_class = gast.Name, gast.stmt
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        if node.__class__ is name_class:
            names += 1
        elif isinstance(node, statement_class):
            statements += 1
    return statements, names


# -- constant folding and algebraic simplification ----------------------------------------
def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _signed_number(node):
    """The value of a number constant, ``2.0`` or ``-2.0``; else None."""
    if _number(node):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            _number(node.operand):
        return -node.operand.value
    return None


def _is_value(node, value):
    return _number(node) and node.value == value


def fold(node, same_shape=None, mutated=()):
    """Simplify an expression bottom-up (`same_shape(a, b)`: variables of one shape).

    An operation that simplifies to a bare variable which is changed in place later
    (`mutated`: ``y[i] = ...``, ``add_at``) becomes ``s2s.copy(variable)``: the operation made
    a new array, and its user may keep it after the variable changes.
    """
    simplified = _fold(node, same_shape, mutated)
    if isinstance(simplified, gast.Name) and not isinstance(node, gast.Name) and \
            simplified.id in mutated:
        return n.call('s2s.copy', simplified)
    return simplified


def _fold(node, same_shape, mutated):
    # an operand of arithmetic needs no copy: the operation makes a new array anyway
    inner = _fold if isinstance(node, (gast.BinOp, gast.UnaryOp)) else fold
    values = node.__dict__
    for field in n.node_fields(node.__class__):  # (contexts and names fold to themselves)
        value = values.get(field)
        if value is None:
            continue
        if isinstance(value, gast.AST):
            setattr(node, field, inner(value, same_shape, mutated))
        elif isinstance(value, list):
            setattr(node, field, [inner(v, same_shape, mutated) if isinstance(v, gast.AST)
                                  else v for v in value])
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and same_shape:
        node = _scalar_spread(node, same_shape)
    if isinstance(node, gast.BinOp):
        left, right, op = node.left, node.right, type(node.op)
        if _number(left) and _number(right) and op in _FOLD:
            try:
                value = _FOLD[op](left.value, right.value)
            except (ZeroDivisionError, OverflowError):
                return node
            integers = isinstance(left.value, int) and isinstance(right.value, int)
            if isinstance(value, float) and value.is_integer() and integers and \
                    op is not gast.Div:
                value = int(value)
            return n.const(value) if value >= 0 else gast.UnaryOp(op=gast.USub(),
                                                                  operand=n.const(-value))
        if getattr(node, 'written', False) and (_number(left) or _number(right)):
            return node  # the user's own ``1 * m``, ``k / 1``, ``x + 0.0`` may change a dtype
        if op is gast.Mult and _is_value(right, 1):
            return left
        if op is gast.Mult and _is_value(left, 1):
            return right
        if op in (gast.Div, gast.Pow) and _is_value(right, 1):
            return left
        if op in (gast.Add, gast.Sub) and _is_value(right, 0):
            return left
        if op is gast.Add and _is_value(left, 0):
            return right
        if op is gast.Mult and _is_value(right, -1):
            return gast.UnaryOp(op=gast.USub(), operand=left)
        if op is gast.Mult and isinstance(left, gast.UnaryOp) and \
                isinstance(left.op, gast.USub) and _number(left.operand):
            return gast.UnaryOp(op=gast.USub(), operand=gast.BinOp(
                left=left.operand, op=node.op, right=right))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add):
        positive = _without_leading_minus(node.right)
        if positive is not None:
            return gast.BinOp(left=node.left, op=gast.Sub(), right=positive)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = node.operand
        if isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub):
            return inner.operand
    return node


def _without_leading_minus(node):
    """`-a * b / c` -> `a * b / c` (so `x + -a * b` can read `x - a * b`), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        left = _without_leading_minus(node.left)
        if left is not None:
            return gast.BinOp(left=left, op=node.op, right=node.right)
    return None


def _factors(node):
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _scalar_spread(product, same_shape):
    """``s2s.unreduce(c, x) * ... * y`` -> ``c * ... * y`` when `y` has `x`'s shape, and the
    same for ``s2s.broadcast_like(c, x)``: another factor already gives the product the shape
    that the helper would spread ``c`` over (broadcasting is transitive)."""
    factors = _factors(product)
    names = set()
    for factor in factors:
        names |= _shape_givers(factor)

    def spread(node):
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
            node.left, node.right = spread(node.left), spread(node.right)
            return node
        if isinstance(node, gast.Call) and \
                n.dotted_path(node.func) in ('s2s.unreduce', 's2s.broadcast_like') and \
                len(node.args) == 2 and not node.keywords and \
                isinstance(node.args[1], gast.Name) and \
                any(same_shape(name, node.args[1].id) for name in names):
            return node.args[0]
        return node
    return spread(product)


def _shape_givers(node):
    """Variables whose shape the value of `node` has at least: `node` itself, or operands of
    the arithmetic that computes it (broadcasting never shrinks a shape)."""
    if isinstance(node, gast.Name):
        return {node.id}
    if isinstance(node, gast.BinOp) and isinstance(node.op, tuple(_FOLD)):
        return _shape_givers(node.left) | _shape_givers(node.right)
    if isinstance(node, gast.UnaryOp):
        return _shape_givers(node.operand)
    return set()


def _fold_block(stmts, same_shape, mutated=()):
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.BinOp):
            value = fold(stmt.value, same_shape, mutated)
            if isinstance(value, gast.Name):
                out.append(stmt)  # `y = x * 1` stays: `y = x` would make an alias
                continue
            stmt.value = value
            out.append(stmt)
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, _fold_block(block, same_shape, mutated))
        out.append(fold(stmt, same_shape, mutated) if not hasattr(stmt, 'body') else stmt)
    return out


# -- copy propagation ---------------------------------------------------------------------
def _assignment_counts(stmts, with_reads=False, mutated=None):
    """Name -> how many times `stmts` assign it (a loop target, a function definition and
    a call of a mutating method count 2), and with `with_reads` name -> how many times
    they read it. The names changed in place (see `_mutated`) are added to the set
    `mutated` when one is given."""
    counts = {}
    reads = {}
    name_class, load, store = gast.Name, gast.Load, gast.Store
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        cls = node.__class__
        if cls is name_class:
            if with_reads and node.ctx.__class__ is load:
                reads[node.id] = reads.get(node.id, 0) + 1
        elif cls is gast.Assign:
            if mutated is not None:
                _changes(node, mutated)
            for target in node.targets:
                if target.__class__ is name_class:
                    if target.ctx.__class__ is store:
                        counts[target.id] = counts.get(target.id, 0) + 1
                    continue
                for child in n.walk(target):
                    if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Store):
                        counts[child.id] = counts.get(child.id, 0) + 1
        elif cls is gast.Call:
            if mutated is not None:
                _changes(node, mutated)
        elif cls is gast.For:
            for name in target_names(node.target):
                counts[name] = counts.get(name, 0) + 2
        elif cls is gast.FunctionDef:
            counts[node.name] = counts.get(node.name, 0) + 2
        elif cls is gast.Expr and isinstance(node.value, gast.Call) and \
                isinstance(node.value.func, gast.Attribute) and \
                node.value.func.attr in _MUTATING_METHODS and \
                isinstance(node.value.func.value, gast.Name):
            name = node.value.func.value.id
            counts[name] = counts.get(name, 0) + 2
    return (counts, reads) if with_reads else counts


def _copy_propagate(stmts, keep):
    mutated = set()
    counts, reads = _assignment_counts(stmts, with_reads=True, mutated=mutated)
    mapping = {}
    out = []
    constants = {}
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                _signed_number(stmt.value) is not None and \
                counts.get(stmt.targets[0].id) == 1 and \
                stmt.targets[0].id not in keep and stmt.targets[0].id not in mutated:
            constants[stmt.targets[0].id] = _signed_number(stmt.value)
            continue
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Name):
            target, source = stmt.targets[0].id, stmt.value.id
            source = mapping.get(source, source)
            if reads.get(source) == 1 and out and isinstance(out[-1], gast.Assign) and \
                    n.names_stored(out[-1].targets[0]) == [source]:
                out.append(stmt)  # `t = e; y = t`: inlining keeps the better name `y`
                continue
            # `keep` holds the parameters: their binding at the call is one more definition
            defined = counts.get(source, 0) + (source in keep)
            if counts.get(target) == 1 and defined <= 1 and \
                    target not in keep and target not in mutated and source not in mutated:
                mapping[target] = source
                continue
        out.append(stmt)
    if mapping:
        for stmt in out:
            for node in n.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                        node.id in mapping:
                    node.id = mapping[node.id]
    if constants:
        writer = _Constants(constants)
        out = [writer.visit(stmt) for stmt in out]
    return out


class _Constants(gast.NodeTransformer):
    """Writes the variables of `constants` (name -> number) as their numbers."""

    def __init__(self, constants):
        self.constants = constants

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.constants:
            value = self.constants[node.id]
            return n.const(value) if value >= 0 else gast.UnaryOp(
                op=gast.USub(), operand=n.const(-value))
        return node


def _drop_copy_backs(stmts):
    """``t = b`` followed by ``b = t``: the second assignment changes nothing."""
    out = []
    for stmt in stmts:
        for field in ('body', 'orelse'):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, _drop_copy_backs(inner))
        if out and _is_copy(stmt) and _is_copy(out[-1]) and \
                stmt.value.id == out[-1].targets[0].id and \
                stmt.targets[0].id == out[-1].value.id:
            continue
        out.append(stmt)
    return out


def _is_copy(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
        isinstance(stmt.value, gast.Name)


def _mutated(stmts):
    """The variables that `stmts` change in place (``y[i] = ...``, ``y.append(...)``,
    ``s2s.add_at(y, ...)``)."""
    mutated = set()
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        _changes(node, mutated)
    return mutated


def _changes(node, mutated):
    """Add to `mutated` the variable that node `node` itself changes in place, if any."""
    if isinstance(node, gast.Assign):
        for target in node.targets:
            if isinstance(target, gast.Subscript):
                base = target.value
                while isinstance(base, gast.Subscript):
                    base = base.value
                if isinstance(base, gast.Name):
                    mutated.add(base.id)
    elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
            node.func.attr in _CHANGING_METHODS:
        if isinstance(node.func.value, gast.Name):
            mutated.add(node.func.value.id)
        if node.func.attr == 'add_at' and node.args and isinstance(node.args[0], gast.Name):
            mutated.add(node.args[0].id)


# -- dead code ------------------------------------------------------------------------------
def _pure(expr):
    for node in n.walk(expr):
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and func.attr in _CHANGING_METHODS:
                return False
            if isinstance(func, gast.Name) and func.id in _IMPURE_FUNCTIONS:
                return False
    return True


def _dead_code(stmts, live_out, remove, memo=None):
    """`stmts` without the assignments of values nothing reads (when `remove`), and the
    names live before them given those live after (`live_out`). `memo` (id -> (node, names
    it reads)) keeps what one call found for the calls it makes: they change which
    statements there are, never a statement's expressions."""
    memo = {} if memo is None else memo

    def reads(node):
        found = memo.get(id(node))
        if found is None:
            found = memo[id(node)] = (node, set(n.names_read(node)))
        return found[1]
    live = set(live_out)
    out = []
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                live |= reads(stmt)
                out.append(stmt)
                continue
            defs = set(target_names(target))
            if remove and not (defs & live) and _pure(stmt.value):
                continue
            live = (live - defs) | reads(stmt.value)
            out.append(stmt)
        elif isinstance(stmt, gast.If):
            body, live_body = _dead_code(stmt.body, live, remove, memo)
            orelse, live_else = _dead_code(stmt.orelse, live, remove, memo)
            stmt.body, stmt.orelse = body, orelse
            live = live_body | live_else | reads(stmt.test)
            out.append(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            header = reads(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
            loop_live = set(live) | header
            while True:
                _, body_in = _dead_code(stmt.body, loop_live, False, memo)
                if isinstance(stmt, gast.For):
                    body_in = body_in - set(target_names(stmt.target))
                new = loop_live | body_in
                if new == loop_live:
                    break
                loop_live = new
            if remove:
                stmt.body, _ = _dead_code(stmt.body, loop_live, True, memo)
            live = loop_live
            out.append(stmt)
        elif isinstance(stmt, gast.FunctionDef):
            if remove and stmt.name not in live:
                continue
            live = (live - {stmt.name}) | reads(stmt)
            out.append(stmt)
        else:
            live |= reads(stmt)
            out.append(stmt)
    out.reverse()
    return out, live


def _unused_stacks(stmts):
    """Drop pushes onto lists that are never popped (and the lists themselves)."""
    module = gast.Module(body=stmts, type_ignores=[])
    popped, pushed = set(), set()
    for node in n.walk(module):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name):
            if node.func.attr == 'pop':
                popped.add(node.func.value.id)
            elif node.func.attr == 'append':
                pushed.add(node.func.value.id)
    dead = {name for name in pushed - popped if name.endswith('_stack')}
    if not dead:
        return stmts

    def strip(block):
        result = []
        for stmt in block:
            if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                    isinstance(stmt.value.func, gast.Attribute) and \
                    isinstance(stmt.value.func.value, gast.Name) and \
                    stmt.value.func.value.id in dead:
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    stmt.targets[0].id in dead:
                continue
            for field in ('body', 'orelse'):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                    setattr(stmt, field, strip(inner))
            result.append(stmt)
        return result
    return strip(stmts)


# -- inlining ---------------------------------------------------------------------------
def _inline(stmts, keep):
    counts, reads = _assignment_counts(stmts, with_reads=True)
    lists = _local_lists(stmts)

    def block(items):
        out = []
        for stmt in items:
            for field in ('body', 'orelse'):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                    setattr(stmt, field, block(inner))
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


def _sink_copies(stmts, keep):
    """``t = e; ...; v = t`` -> ``...; v = e`` within one block (a loop body too), when `t`
    is assigned and read only there, `e` is pure, and nothing in between reads `t` or
    changes what `e` reads: the copies that normalization leaves where primal and tangent
    statements interleave (``s_2 = s + y; ds_2 = ds + dy; s = s_2; ds = ds_2`` in a loop)."""
    counts, reads = _assignment_counts(stmts, with_reads=True)

    def changed(stmt):
        names = set(n.names_stored(stmt)) | _mutated([stmt])
        for node in n.walk(stmt):
            if isinstance(node, gast.Assign):
                names.update(target_names(node.targets[0]))
        return names

    def block(items):
        for stmt in items:
            for field in ('body', 'orelse'):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                    setattr(stmt, field, block(inner))
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
            if not getattr(definition, 'inline_ok', True) or not _pure(value) or \
                    _has_user_call(value) or \
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
"""How many statements `_inline` looks back for a definition to move into its one use."""


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
    if _has_user_call(gast.List(elts=list(value.args), ctx=gast.Load()) if stack_op else value):
        return False
    touched = set(n.names_stored(stmt)) | _mutated([stmt])
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
    if not _pure(previous.value) or _has_user_call(previous.value):
        return False
    return _length(stmt) + _length(previous.value) - len(name) + 8 <= MAX_LINE


def _length(node):
    """The length of `node`'s source text, cached on the node."""
    cached = getattr(node, '_s2s_length', None)
    if cached is None:
        import ast
        tree = to_ast(node)
        if isinstance(tree, ast.stmt):
            tree = ast.Module(body=[tree], type_ignores=[])
        number_statements(tree)
        cached = len(ast.unparse(tree)) + 2
        node._s2s_length = cached
    return cached


def _has_user_call(expr):
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
    _Replacer(name, value).visit(stmt)


class _Replacer(gast.NodeTransformer):
    """Replaces the reads of variable `name` by the node `value`."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self.value
        return node


# -- empty blocks ---------------------------------------------------------------------
def _clean(stmts):
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.body = _clean(stmt.body)
            stmt.orelse = _clean(stmt.orelse)
            body_empty = not _code(stmt.body)
            else_empty = not _code(stmt.orelse)
            if body_empty and else_empty:
                continue
            if body_empty:
                stmt.test = _negate(stmt.test)
                stmt.body, stmt.orelse = stmt.orelse, []
            elif else_empty:
                stmt.orelse = []
        elif isinstance(stmt, gast.For):
            stmt.body = _clean(stmt.body)
            if not _code(stmt.body):
                continue
        elif isinstance(stmt, gast.While):
            stmt.body = _clean(stmt.body) or [gast.Pass()]
        elif isinstance(stmt, gast.Pass):
            continue
        out.append(stmt)
    return out


def _code(stmts):
    return [s for s in stmts if not n.is_comment(s)]


def _negate(test):
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)
