"""``break`` and ``continue`` in some branches of an ``if``/``elif`` chain, followed by more of
the loop body (``if a: continue`` / ``elif b: break`` / rest): the rest moves into the
branch that goes on, or runs after a flag. Checked against central differences, forward
against reverse mode, second order, and the compiled path where numba is installed."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError


def continue_then_break_in_elif(x):
    s = 0.0
    for i in range(10):
        if i % 3 == 0:
            continue
        elif i % 7 == 0:
            break
        s = s + x[i % 5] ** 2
    return s


def continue_in_both_branches(x):
    s = 0.0
    for i in range(10):
        if i % 3 == 0:
            continue
        elif i % 7 == 0:
            continue
        s = s + x[i % 5] * s + x[i % 5]
    return s


def work_then_break_in_elif(x):
    s = 0.0
    for i in range(10):
        if i % 3 == 0:
            s = s + np.sin(x[i % 5])
        elif i % 7 == 0:
            break
        s = s * 0.5 + x[i % 5] ** 2
    return s


def break_on_value_elif_continue(x):
    s = 0.0
    for v in x:
        if v > 1.0:
            break
        elif v < -1.0:
            continue
        else:
            s = s + v * v
        s = s * 1.5
    return s


def nested_condition_continue(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            if x[i] > 2.0:
                continue
            s = s + x[i] ** 3
        s = s + np.cos(x[i]) * s
    return s


def while_with_elif_break(x):
    s = 0.0
    k = 0
    while k < 12:
        k = k + 1
        if k % 4 == 0:
            s = s + x[k % 5]
        elif s > 3.0:
            break
        s = s + x[(k + 1) % 5] ** 2
    return s


CASES = [continue_then_break_in_elif, continue_in_both_branches, work_then_break_in_elif,
         break_on_value_elif_continue, nested_condition_continue, while_with_elif_break]
POINT = np.array([0.3, -1.5, 0.9, 2.5, -0.1])


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_branch_exits(f):
    check_grads(f, (POINT,), modes=('rev', 'fwd'), order=2)


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_branch_exits_compiled(f):
    pytest.importorskip('numba', reason='the compiled path needs numba')
    plain = s2sgrad.grad(f)(POINT)
    compiled = s2sgrad.grad(f, compile='numba')(POINT)
    np.testing.assert_allclose(compiled, plain, rtol=1e-12, atol=1e-12)


def both_exits_on_some_paths(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            if x[i % 5] > 0.0:
                break
            elif x[i % 5] < -1.0:
                continue
        s = s + x[i % 5] ** 2
    return s


def test_break_and_continue_on_some_paths_of_one_branch_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='both `break` and `continue`'):
        s2sgrad.grad(both_exits_on_some_paths)(POINT)
