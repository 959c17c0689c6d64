"""Algebraic simplification of generated code by the rules of templates/algebra.py, if proven.

This module is the pass (statement by statement, through the backward sweep). Its parts:
`simplify_context` (what is known of one function), `facts` (shapes and float-ness),
`rewrite_rules` (the rules parsed, matched and built), `normal_form` and `sums_products`
(normal forms), `rewrite_cost` (the cost model), `expr_keys` (structural equality).
"""
import gast

from . import nodes as n
from . import rules
from .expr_keys import expr_key, is_number, node_count, replace_children, same
from .normal_form import Normalizer, OutOfBudget
from .rewrite_cost import cost, plain_cost, sole_readers
from .simplify_context import Context


def simplify(body, params, declared=None, keep=(), resolver=None, changed=(), lists=(),
             data=()):
    """Rewrite the statements of the backward sweep in `body` (statements of a generated
    function with parameters `params`) by the algebraic rules, where the facts (`declared`:
    parameter name -> tuple of sizes) prove them and the result is cheaper; return the body.

    A statement reads through the variables assigned once before it (their values written
    out), is brought to normal form, and is written again with the variables whose values
    reappear; it changes only when that costs fewer operations, counting the variables it
    alone reads. `changed`: variables changed in place besides those written here; `lists`:
    variables holding lists or tuples; `data`: the parameters not differentiated (integer
    arithmetic of theirs is kept as written: it may wrap around).
    """
    if not rules.REWRITES:
        return body
    start = _backward_start(body)
    if start is None:
        return body
    ctx = Context(body, params, declared, keep, resolver, changed, lists, data)
    if _merge_accumulations(body, start, ctx):  # (else what ctx knows still holds)
        ctx = Context(body, params, declared, keep, resolver, changed, lists, data)
    for index in range(start, len(body)):
        _simplify_nested(body[index], index, ctx)
    return body


def _backward_start(body):
    """The index of the first statement of the backward sweep in `body`, or None."""
    for index, stmt in enumerate(body):
        if n.is_comment(stmt) and 'Grad of' in stmt.value.value:
            return index
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) and \
                n.dotted_path(stmt.value.func) == 's2s.seed':
            return index
    return None


def _simplify_nested(stmt, index, ctx, in_loop=False):
    """Simplify `stmt` (at top-level position `index`) and the statements inside it."""
    _simplify_statement(stmt, index, ctx, in_loop)
    in_loop = in_loop or isinstance(stmt, (gast.For, gast.While))
    for inner in _block_statements(stmt):
        _simplify_nested(inner, index, ctx, in_loop)


def _block_statements(stmt):
    """The statements of the blocks directly inside `stmt` (its ``body`` and ``orelse``; none
    inside a nested function definition)."""
    for _, block in n.blocks(stmt):
        yield from block


def _simplify_statement(stmt, index, ctx, in_loop):
    """Simplify the value that `stmt` (at top-level position `index`) assigns or returns."""
    new = None
    if _is_name_assign(stmt) and stmt.targets[0].id not in ctx.mutated:
        new = _simplified(stmt.value, [stmt.value], index, ctx, stmt.targets[0].id, in_loop)
    elif isinstance(stmt, gast.Return) and stmt.value is not None:
        new = _simplified(stmt.value, [stmt.value], index, ctx, None, in_loop)
    if new is not None:
        stmt.value = new
        stmt.__dict__.pop('_s2s_length', None)
    if isinstance(stmt, (gast.Assign, gast.Return)) and stmt.value is not None and \
            _has_float_one(stmt.value):
        # ``x - 1.0 * y / p`` reads ``x - y / p``; a statement ``t = 1.0 * x`` stays when
        # ``t = x`` could share memory with a variable changed in place
        top = stmt.value
        stmt.value = _drop_float_ones(n.clone(stmt.value))
        if not _shares_no_more(stmt.value, [top], ctx):
            stmt.value = top
        if isinstance(stmt, gast.Assign) and stmt.value is not top and \
                _view_of(stmt.value) is not None and _view_of(top) is None and \
                not _alias_safe(stmt.targets[0].id, ctx):
            # (``y = 1.0 * x`` made a new array: ``y = x`` would share `x`'s memory)
            stmt.value = top
            if isinstance(top, gast.BinOp):
                top.left, top.right = _drop_float_ones(top.left), _drop_float_ones(top.right)
                ctx.values_changed()
        stmt.__dict__.pop('_s2s_length', None)


def _simplified(value, old_nodes, index, ctx, target=None, in_loop=False):
    """The simplified form of expression `value` (replacing `old_nodes`) at top-level
    position `index`, or None when it is no cheaper. In a loop, no variable assigned before
    it is written out again (it would be computed at each iteration)."""
    normalizer = Normalizer(ctx)
    charged = set() if in_loop else sole_readers(old_nodes, ctx, index)
    try:
        expanded = ctx.expand(value, index)
        original = n.clone(expanded)
        ctx.fired = False
        normal = normalizer.run(expanded)
        if not (normalizer.fired or ctx.fired):  # reordered only: nothing to gain
            return None
        new = _drop_float_ones(_recompress(normal, index, ctx, charged,
                                           _spellings(original, ctx)))
    except OutOfBudget:
        return None
    seen = set()
    old_cost = sum(cost(node, ctx, charged, seen) for node in old_nodes) + len(old_nodes) - 1
    new_cost = cost(new, ctx, charged)
    if new_cost >= old_cost:
        return None
    if target is not None and _view_of(new) is not None and not _alias_safe(target, ctx):
        return None  # ``y = 1.0 * x`` made a new array: `y = x` would be changed with it
    if not _shares_no_more(new, old_nodes, ctx):
        return None
    return new


def _shares_no_more(new, old_nodes, ctx):
    """Whether the value of `new` shares the memory of no variable changed in place that
    the values of `old_nodes` did not share (``s2s.copy(y)`` never becomes ``y``)."""
    shared = _shared(new) & ctx.mutated
    return not shared or shared <= set().union(*[_shared(o) for o in old_nodes])


def _view_of(node):
    """The variable whose memory the value of `node` may share (``x``, ``x.T``, ``x[i]``)."""
    while isinstance(node, gast.Attribute) and node.attr == 'T' or \
            isinstance(node, gast.Subscript):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _shared(node):
    """Names whose memory the value of `node` may share (calls may return an argument)."""
    if isinstance(node, gast.Name):
        return {node.id}
    if isinstance(node, (gast.Attribute, gast.Subscript, gast.Starred)):
        return _shared(node.value)
    if isinstance(node, gast.Call):
        if n.dotted_path(node.func) == 's2s.copy':
            return set()
        return set().union(*[_shared(a) for a in node.args],
                           *[_shared(k.value) for k in node.keywords])
    if isinstance(node, (gast.List, gast.Tuple, gast.Set)):
        return set().union(*[_shared(e) for e in node.elts])
    if isinstance(node, gast.Dict):
        return set().union(*[_shared(v) for v in node.values])
    if isinstance(node, gast.IfExp):
        return _shared(node.body) | _shared(node.orelse)
    return set()


def _alias_safe(target, ctx):
    """Whether no variable that may share `target`'s memory is changed in place: then
    `target` may be a view of another variable instead of a new array."""
    if not ctx.mutated:
        return True
    closure = {target}
    changed = True
    while changed:
        changed = False
        for node in ctx.assignments():
            if _shared(node.value) & closure:
                for name in n.names_stored(node):
                    if name not in closure:
                        closure.add(name)
                        changed = True
    return not closure & ctx.mutated


def _spellings(node, ctx):
    """The normal forms of the calls in `node` -> those calls as written (outermost first):
    a value the program computes keeps its spelling (``np.tanh(x @ W)``, not
    ``np.tanh(W.T @ x)``), products of the adjoints take the normal form."""
    table = {}
    for sub in n.walk(node):
        if isinstance(sub, gast.Call) and \
                node_count(sub) <= 40 and cost(sub, ctx, ()) == plain_cost(sub):
            try:
                normal = Normalizer(ctx).run(n.clone(sub))
            except OutOfBudget:
                continue
            if cost(sub, ctx, ()) <= cost(normal, ctx, ()):
                table.setdefault(expr_key(normal), sub)
    return table


def _recompress(node, index, ctx, charged, spellings=None):
    """`node` with each part equal to the (normal) value of a variable available at
    `index` written as that variable: a variable computed anyway (read elsewhere than in
    the statement, or here more than once); the others are written out in normal form."""
    table = {}
    for name, (position, _) in ctx.top_in_order():
        if position < index and ctx.stable(name):
            try:
                normal = ctx.normal_of(name)
            except OutOfBudget:
                continue
            if not isinstance(normal, (gast.Name, gast.Constant)):
                table.setdefault(ctx.normal_key(name), name)
    found = {}
    for sub in n.walk(node):
        if isinstance(sub, gast.expr) and not isinstance(sub, (gast.Name, gast.Constant)):
            name = table.get(expr_key(sub))
            if name is not None:
                found[name] = found.get(name, 0) + 1
    use = {name for name, times in found.items() if name not in charged or times > 1}

    def visit(sub, root=True, spell=True, within=()):
        if root and isinstance(sub, gast.expr) and \
                not isinstance(sub, (gast.Name, gast.Constant)):
            name = table.get(expr_key(sub))
            if name in use:
                return n.name(name)
            written = (spellings or {}).get(expr_key(sub)) if spell else None
            if written is not None and not same(written, sub):
                return visit(n.clone(written), False, False, within)
            if name is not None and name not in within:  # as the program wrote it
                position, value = ctx.top[name]
                return visit(ctx.expand(value, position), False, False, within + (name,))
        return replace_children(sub, lambda child: visit(child, True, spell, within))
    return visit(node)


def _has_float_one(node):
    """Whether `node` holds a product with a factor 1 (``1.0 * x``)."""
    return any(isinstance(sub, gast.BinOp) and isinstance(sub.op, gast.Mult) and
               (is_number(sub.left) and sub.left.value == 1 or
                is_number(sub.right) and sub.right.value == 1) for sub in n.walk(node))


def _drop_float_ones(node):
    """``1.0 * x`` -> ``x`` in a product with other factors (as the optimizer's folding
    reads it; normal forms keep the 1.0 so that like terms add up as floats)."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and \
            isinstance(node.left, gast.UnaryOp) and isinstance(node.left.op, gast.USub) and \
            is_number(node.left.operand) and node.left.operand.value == 1:
        return gast.UnaryOp(op=gast.USub(), operand=_drop_float_ones(node.right))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and \
            not getattr(node, 'written', False):  # the user's own ``1.0 * k`` casts
        if is_number(node.left) and node.left.value == 1:
            return _drop_float_ones(node.right)
        if is_number(node.right) and node.right.value == 1:
            return _drop_float_ones(node.left)
    return replace_children(node, _drop_float_ones)


def _merge_accumulations(body, start, ctx):
    """``t = e1`` ... ``t = t + e2`` -> ``t = e1 + e2`` where the sum simplifies; return
    whether `body` changed."""
    dropped = set()
    known = {}  # id of a statement -> (it, its value, names it reads, purity of the value)

    def facts(stmt):
        found = known.get(id(stmt))
        if found is None or found[1] is not stmt.value:  # (a merged value is new)
            found = known[id(stmt)] = [stmt, stmt.value, set(n.names_read(stmt)), None]
        return found

    def pure(stmt):
        found = facts(stmt)
        if found[3] is None:
            found[3] = ctx.pure(stmt.value)
        return found[3]
    for index in range(start, len(body)):
        first = body[index]
        if not _is_name_assign(first) or first.targets[0].id in ctx.mutated:
            continue
        name = first.targets[0].id
        reads = set(n.names_read(first.value))
        for later in range(index + 1, len(body)):
            stmt = body[later]
            if _is_name_assign(stmt) and stmt.targets[0].id == name:
                value = stmt.value
                if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
                        isinstance(value.left, gast.Name) and value.left.id == name and \
                        name not in n.names_read(value.right):
                    candidate = gast.BinOp(left=n.clone(first.value), op=gast.Add(),
                                           right=n.clone(value.right))
                    new = _simplified(candidate, [first.value, value], later, ctx, name)
                    if new is not None and cost(new, ctx, ()) == plain_cost(new):
                        # (merged only when no helper call is left: a sum of helper
                        # calls reads better, and differentiates again, as accumulations)
                        stmt.value = new
                        stmt.__dict__.pop('_s2s_length', None)
                        dropped.add(index)
                break
            if n.is_comment(stmt):
                continue
            if not _is_name_assign(stmt) or name in facts(stmt)[2] or \
                    stmt.targets[0].id in reads or not pure(stmt):
                break
    body[:] = [stmt for index, stmt in enumerate(body) if index not in dropped]
    return bool(dropped)


def _is_name_assign(stmt):
    """Whether `stmt` assigns to one variable (``name = value``)."""
    return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name)
