"""The shared analyses: the block walkers of `nodes`, `mutation`, the optimizer's fixed point."""
import textwrap

import gast
import numpy as np
import pytest

import s2sgrad
from s2sgrad import nodes as n
from s2sgrad import optimize as optimizer
from s2sgrad.dead_code import unused_stacks
from s2sgrad.mutation import assigned_into, changes_in_place, mutated, with_aliases
from s2sgrad.printer import to_source


def body(source):
    return gast.parse(textwrap.dedent(source)).body


def lines(stmts):
    return to_source(gast.Module(body=stmts, type_ignores=[])).strip().split('\n')


NESTED = '''
    a = 1
    if a:
        b = 2
        for i in range(3):
            c = i
    else:
        d = 3
    def g(y):
        e = y
    while a:
        f = 4
    '''


def test_blocks_are_the_body_and_else_of_compound_statements():
    stmts = body(NESTED)
    assert n.blocks(stmts[0]) == []
    assert [field for field, _ in n.blocks(stmts[1])] == ['body', 'orelse']
    assert n.blocks(stmts[2]) == []  # a function's body is another scope
    assert [field for field, _ in n.blocks(stmts[2], functions=True)] == ['body']
    assert [field for field, _ in n.blocks(stmts[3])] == ['body', 'orelse']


def test_statements_walk_nested_blocks_in_source_order_but_not_functions():
    stored = [n.names_stored(s)[0] if isinstance(s, gast.Assign) else type(s).__name__
              for s in n.statements(body(NESTED))]
    assert stored == ['a', 'If', 'b', 'For', 'c', 'd', 'FunctionDef', 'While', 'f']


def test_nested_blocks_are_the_non_empty_statement_lists_inside():
    blocks = [[n.names_stored(s)[0] if isinstance(s, gast.Assign) else type(s).__name__
               for s in block] for block in n.nested_blocks(body(NESTED))]
    assert blocks == [['b', 'For'], ['c'], ['d'], ['f']]


def test_map_blocks_rewrites_each_block():
    stmts = body(NESTED)

    def drop_assignments(block):
        return [n.map_blocks(s, drop_assignments) for s in block
                if not isinstance(s, gast.Assign)]
    stmts = [n.map_blocks(s, drop_assignments) for s in stmts]
    assert [type(s).__name__ for s in n.statements(stmts)] == \
        ['Assign', 'If', 'For', 'FunctionDef', 'While']
    assert len(stmts[2].body) == 1  # (not the function's)


def test_mutated_names_writes_into_and_changing_calls():
    stmts = body('''
        y[i][j] = 1
        t = ys
        ys.append(v)
        z = s2s.add_at(w, i, v)
        u.sort()
        k = x.sum()
        def g():
            h[0] = 1
        ''')
    assert mutated(stmts) == {'y', 'ys', 's2s', 'w', 'u', 'h'}
    assert mutated(stmts, methods=()) == {'y', 'w', 'h'}
    assert mutated(stmts, first_argument=()) == {'y', 'ys', 's2s', 'u', 'h'}
    assert assigned_into(stmts) == {'y', 'h'}  # by subscript only
    assert mutated(stmts, aliases=True) == {'y', 'ys', 't', 's2s', 'w', 'u', 'h'}


def test_aliases_are_found_both_ways_and_through_chains():
    stmts = body('''
        a = b
        if c:
            d = a
        e = f
        ''')
    assert with_aliases({'b'}, stmts) == {'a', 'b', 'd'}
    assert with_aliases({'d'}, stmts) == {'a', 'b', 'd'}
    assert with_aliases(set(), stmts) == set()


def test_changes_in_place_is_an_add_at_of_the_variable():
    add, other, plain = body('''
        y = s2s.add_at(y, i, v)
        y = s2s.add_at(z, i, v)
        y = y + 1
        ''')
    assert changes_in_place(add, 'y')
    assert not changes_in_place(other, 'y') and changes_in_place(other, 'z')
    assert not changes_in_place(plain, 'y')


USER_LIST = '''
    parts_stack = []
    for i in range(3):
        parts_stack.append(i)
    y_stack = []
    for i in range(3):
        y_stack.append(i)
    y = np.stack(parts_stack)
    '''


def test_unused_stacks_drops_only_the_named_stacks():
    assert lines(unused_stacks(body(USER_LIST), stacks={'y_stack'})) == [
        'parts_stack = []',
        'for i in range(3):',
        '    parts_stack.append(i)',
        'for i in range(3):',
        '    pass',
        'y = np.stack(parts_stack)']
    assert lines(unused_stacks(body(USER_LIST), stacks=())) == lines(body(USER_LIST))


def _function(source):
    return gast.parse(textwrap.dedent(source)).body[0]


SOURCE = '''
    def f(x):
        a = 2 * 3
        b = a * x
        c = b * 1
        unused = x + 1
        return c
    '''


def test_optimize_reaches_a_fixed_point():
    once = to_source(optimizer.optimize(_function(SOURCE), keep={'x'}))
    again = to_source(optimizer.optimize(gast.parse(once).body[0], keep={'x'}))
    assert once == again
    assert 'unused' not in once and '* 1' not in once


def test_optimize_raises_when_its_rounds_never_settle(monkeypatch):
    def clean(stmts):  # a sub-pass that always changes the code
        return [n.comment('again')] + stmts
    monkeypatch.setattr(optimizer, 'clean', clean)
    with pytest.raises(RuntimeError, match='internal error'):
        optimizer.optimize(_function(SOURCE), keep={'x'})


def _parts(x):
    parts_stack = []
    for i in range(3):
        parts_stack.append(x * i)
    return np.sum(np.stack(parts_stack))


def test_a_list_of_yours_named_like_a_stack_is_kept_in_forward_mode():
    x = np.ones(2)
    assert np.allclose(s2sgrad.jvp(_parts)(x, np.ones(2)), 3.0 * 2)


def test_fingerprints_are_equal_exactly_for_equal_code():
    def fingerprint(source):
        return n.fingerprint(gast.parse(source))
    assert fingerprint('y = f(x, 1.0)\nz = nan') == fingerprint('y = f(x, 1.0)\nz = nan')
    assert fingerprint('y = float("nan")') == fingerprint('y = float("nan")')
    for a, b in [('y = x * 1', 'y = x * 1.0'), ('y = x * 1', 'y = x * True'),
                 ('y = x', 'y = z'), ('y = -x', 'y = +x'), ('f(a, b)', 'f(a)\nb'),
                 ('y[i] = x', 'y = x[i]'), ('if a:\n    b\nc', 'if a:\n    b\n    c'),
                 ('def f(*, a=None, b=1): pass', 'def f(*, a=1, b=None): pass')]:
        assert fingerprint(a) != fingerprint(b), (a, b)
