"""The parts of the reverse pass: saved values as `Saved` records, template binding, sizes."""
import ast
import os
from types import SimpleNamespace

import gast
import numpy as np
import pytest

import s2sgrad
from s2sgrad import forward_sweep, rules
from s2sgrad.binding import bind_arguments
from s2sgrad.reverse_state import ReverseState, Saved


@pytest.fixture
def shared_states(monkeypatch, private_cache):
    """The `ReverseState` of every forward sweep run while the test builds gradients."""
    seen = []
    original = forward_sweep.ForwardSweep.forward

    def spy(self, stmts, loops, defined):
        seen.append(self.shared)
        return original(self, stmts, loops, defined)
    monkeypatch.setattr(forward_sweep.ForwardSweep, 'forward', spy)
    s2sgrad.clear_cache()
    yield seen
    s2sgrad.clear_cache()


def _saved(f, shared_states):
    shared_states.clear()
    s2sgrad.grad(f)
    return {(s.how, s.before) for s in shared_states[-1].saved.values()}, shared_states[-1]


def loop_with_row(x, X):
    h = x
    for i in range(3):
        row = X[i]
        t = np.sin(h)
        h = np.tanh(t * row)
    return np.sum(h)


def branch(x):
    y = x * 2.0
    if x > 0:
        y = np.sin(y)
    return y


def test_saved_records_in_a_loop(shared_states):
    kinds, shared = _saved(loop_with_row, shared_states)
    # `row = X[i]` is read again backward; `t` is local to the body (pushed after it is
    # made); `h` is overwritten (pushed before its assignment)
    assert kinds == {('recompute', False), ('stack', False), ('stack', True)}
    for saved in shared.saved.values():
        assert isinstance(saved, Saved)
        if saved.how == 'stack':
            assert saved.holder in shared.stacks.values()
        else:
            assert isinstance(saved.holder, gast.Assign)


def test_saved_record_in_a_branch(shared_states):
    kinds, shared = _saved(branch, shared_states)
    assert kinds == {('name', True)}
    (saved,) = shared.saved.values()
    assert saved.holder == 'y_old' and not shared.stacks


def test_saved_is_immutable():
    saved = Saved('stack', 'x_stack', True)
    with pytest.raises(AttributeError):
        saved.how = 'name'


def test_state_names_adjoints_and_stacks_once():
    taken = []
    namer = SimpleNamespace(fresh=lambda base: taken.append(base) or base)
    shared = ReverseState(namer)
    assert shared.adj('x') == shared.adj('x') == 'bx'
    assert shared.stack('h') == shared.stack('h') == 'h_stack'
    assert taken == ['bx', 'h_stack']


def _call(source):
    call = gast.parse(source).body[0].value
    return call.args, call.keywords


def _unsupported(stmt, message):
    return ValueError(message)


def test_bind_arguments():
    ctx = SimpleNamespace(unsupported=_unsupported)
    template = rules.lookup_adjoint(np.sum)
    args, keywords = _call('f(x, axis=1)')
    bound = bind_arguments(ctx, None, template, args, keywords)
    assert bound['a'] is args[0] and bound['axis'] is keywords[0].value
    assert set(bound) == {'a', 'axis', 'dtype', 'out', 'keepdims'}  # defaults fill the rest
    assert bound['keepdims'].value is False
    with pytest.raises(ValueError, match='keyword argument `nope`'):
        bind_arguments(ctx, None, template, *_call('f(x, nope=1)'))


PARTS = ['reverse', 'reverse_state', 'reverse_loops', 'adjoint_items', 'adjoint_emit',
         'forward_sweep', 'backward_sweep', 'backward_loops', 'binding']


@pytest.mark.parametrize('module', PARTS)
def test_parts_are_small(module):
    path = os.path.join(os.path.dirname(s2sgrad.__file__), module + '.py')
    with open(path) as file:
        text = file.read()
    tree = ast.parse(text)
    assert ast.get_docstring(tree)
    assert len(text.splitlines()) < 500
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno - node.lineno + 1 < 300, node.name
