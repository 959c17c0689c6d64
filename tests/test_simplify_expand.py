"""The simplifier's written-out values (`simplify_context.Context.expand`): a variable's value
with the variables it reads written out, found once per variable, is the tree that writing
them out one by one within the node budget gives: with budget to spare, where the budget runs
out part of the way, where a variable inside is defined later, and after a value changed in
place."""
import gast

from s2sgrad import nodes as n
from s2sgrad import simplify_context
from s2sgrad.expr_keys import expr_key, node_count, replace_children
from s2sgrad.printer import to_source
from s2sgrad.simplify_context import Context


def _body(text):
    return gast.parse(text).body


def _one_by_one(ctx, node, position):
    """What `Context.expand` gives, written as the budgeted walk that writes out one variable
    at a time (the reference the found-once trees must agree with)."""
    budget = [simplify_context._MAX_NODES - node_count(node)]

    def visit(sub):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and \
                ctx.expandable(sub.id, position):
            value = ctx.top[sub.id][1]
            if node_count(value) <= budget[0]:
                budget[0] -= node_count(value)
                return visit(n.clone(value))
            return sub
        return replace_children(sub, visit)
    return visit(n.clone(node))


def _check_every_statement(ctx, body):
    for position, stmt in enumerate(body):
        value = stmt.value
        found, expected = ctx.expand(value, position), _one_by_one(ctx, value, position)
        assert expr_key(found) == expr_key(expected), (to_source(found), to_source(expected))


CHAIN = '''
a = x * 2.0 + y
b = a * a - y
c = np.sin(b) * a
d = c / (b + a)
e = d + c * b - a
'''


def test_a_chain_of_variables_within_the_budget():
    body = _body(CHAIN)
    ctx = Context(body, ['x', 'y'], None, (), None)
    _check_every_statement(ctx, body)
    again = ctx.expand(body[-1].value, len(body) - 1)
    assert node_count(again) > 40  # (every variable written out: the reference's size)
    again.left = gast.Constant(value=0, kind=None)  # (each call gives a tree of its own)
    _check_every_statement(ctx, body)


def test_the_budget_runs_out_part_of_the_way():
    lines = ['v0 = x * y + x']
    for k in range(1, 9):
        lines.append(f'v{k} = v{k - 1} * v{k - 1} + np.cos(v{k - 1}) * x')
    body = _body('\n'.join(lines))
    ctx = Context(body, ['x', 'y'], None, (), None)
    last = ctx.expand(body[-1].value, len(body) - 1)
    assert any(isinstance(sub, gast.Name) and sub.id.startswith('v') for sub in n.walk(last))
    _check_every_statement(ctx, body)


def test_a_variable_read_before_its_definition():
    # (``u`` is read by ``w`` before its own assignment: what is written out then depends
    # on where the statement is)
    body = _body('w = u * x\nu = x + 1.0\nz = w + u\nq = w * 2.0')
    ctx = Context(body, ['x'], None, (), None)
    _check_every_statement(ctx, body)
    assert 'u' not in n.names_read(ctx.expand(body[3].value, 3))  # (after u's assignment)


def test_a_value_changed_in_place():
    body = _body(CHAIN)
    ctx = Context(body, ['x', 'y'], None, (), None)
    _check_every_statement(ctx, body)
    body[0].value.left.right = gast.Constant(value=3.0, kind=None)  # a = x * 3.0 + y
    ctx.values_changed()
    _check_every_statement(ctx, body)
    assert '3.0' in to_source(ctx.expand(body[-1].value, len(body) - 1))
