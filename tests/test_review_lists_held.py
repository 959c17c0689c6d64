"""A list changed in length (``.append``, ``.pop``, ...) while a tuple, list or namedtuple that
holds it, or another name for it, is read afterwards: refused, naming the line (the backward
sweep follows a list by its name, so the holder's derivative missed the change: silently
wrong before). The programs that only look alike (the list finished before it is put in a
container, rebuilt at each iteration, copied with ``list(...)``, an item read before the
list grows) keep their derivatives, checked against central differences."""
import collections

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError
from trees import central_grad

State = collections.namedtuple('State', ['lst', 'v'])
X = np.array([0.7, 1.3, -0.4])


def held_by_a_namedtuple(x):
    lst = [x]
    p = State(lst, x * 2.0)
    lst.append(x * x)
    return np.sum(sum(p.lst) + p.v)


def held_by_a_tuple(x):
    lst = [x]
    p = (lst, x * 2.0)
    lst.append(x * x)
    return np.sum(sum(p[0]) + p[1])


def held_by_a_list(x):
    inner = [x]
    outer = [inner, x]
    inner.append(np.sin(x))
    return np.sum(sum(outer[0]) * outer[1])


def held_then_popped(x):
    lst = [x, x * 3.0]
    pair = (lst, 1.0)
    lst.pop()
    return np.sum(sum(pair[0]))


def held_in_a_loop(x):
    hist = []
    state = (hist, x)
    for i in range(3):
        hist.append(state[1] * (i + 1.0))
    return np.sum(sum(state[0]))


def extended_under_a_holder(x):
    lst = [x]
    box = [lst]
    lst.extend([x * x, x])
    return np.sum(sum(box[0]))


@pytest.mark.parametrize('f', [held_by_a_namedtuple, held_by_a_tuple, held_by_a_list,
                               held_then_popped, held_in_a_loop, extended_under_a_holder],
                         ids=lambda f: f.__name__)
def test_a_list_changed_while_a_holder_is_read_is_refused(f):
    for run in (lambda: s2sgrad.grad(f)(X), lambda: s2sgrad.jvp(f)(X, np.ones(3))):
        with pytest.raises(UnsupportedSyntaxError,
                           match='changed in length|may share memory') as info:
            run()
        assert 'test_review_lists_held.py' in str(info.value)


def item_read_before_growth(xs):
    first = xs[0]
    xs.append(first * 2.0)
    return first + sum(xs)


def finished_then_held(x):
    xs = [x]
    for i in range(3):
        xs.append(np.sin(xs[-1]))
    pair = (xs, x)
    return np.sum(sum(pair[0]) * pair[1])


def holder_rebuilt_each_iteration(x):
    xs = [x]
    for i in range(3):
        state = (xs, x * i)
        xs.append(np.sin(xs[-1]) + state[1])
    return np.sum(sum(xs))


def copied_then_grown(x):
    out = []
    for row in [x, 2.0 * x]:
        out.append(row * row)
    both = list(out)
    out.append(x)
    return np.sum(sum(both) + sum(out))


def popped_and_pushed(x):
    stack = [x, x * 2.0]
    top = stack.pop()
    stack.append(top * 3.0)
    return np.sum(sum(stack))


def rows_of_rows(x):
    rows = []
    for i in range(2):
        row = []
        for j in range(3):
            row.append(x[j] * (i + j + 1.0))
        rows.append(row)
    return np.sum(np.array(rows) ** 2)


@pytest.mark.parametrize('f', [finished_then_held, holder_rebuilt_each_iteration,
                               copied_then_grown, popped_and_pushed, rows_of_rows],
                         ids=lambda f: f.__name__)
def test_lists_that_only_look_held_keep_their_derivatives(f):
    expected = central_grad(f, [X], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.jvp(f)(X, np.ones(3)), expected.sum(), rtol=1e-6)


def test_an_item_read_before_the_argument_list_grows():
    xs = [1.5, 0.5]
    grad = s2sgrad.grad(item_read_before_growth)(xs)
    np.testing.assert_allclose(grad, [4.0, 1.0])  # first + (a + b + 2 a) + ... = 4 a + b
    assert xs == [1.5, 0.5]


def least_then_grown(x):
    vals = [x[0], x[1], x[2] * 2.0]
    m = min(vals)
    vals.append(m * m)
    return sum(vals) + m


def _loss(preds, target):
    s = 0.0
    for p in preds:
        s = s + (p - target) ** 2
    return s


def helper_result_then_grown(x):
    preds = [x[0] * 2.0, x[1] * x[2]]
    first = _loss(preds, 1.0)
    preds.append(first * 0.1)
    return _loss(preds, 0.5) + first


def array_of_the_list_then_grown(x):
    lst = [x[0], x[1]]
    a = np.asarray(lst)
    lst.append(x[2] * 2.0)
    return np.sum(a * a) + sum(lst) ** 2


@pytest.mark.parametrize('f', [least_then_grown, helper_result_then_grown,
                               array_of_the_list_then_grown], ids=lambda f: f.__name__)
def test_values_made_from_a_list_before_it_grows(f):
    expected = central_grad(f, [X], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.jvp(f)(X, np.ones(3)), expected.sum(), rtol=1e-6)


def grows_a_list_the_argument_holds(state):
    hist, h = state
    s = np.sum(h ** 2)
    hist.append(s)
    return sum(hist) ** 2


def test_a_list_an_argument_holds_stays_as_the_caller_made_it():
    h = np.array([0.5, 1.5, -0.3])
    state = ([1.5, 0.5], h)
    total = 1.5 + 0.5 + np.sum(h ** 2)
    want_h = 2 * total * 2 * h
    grad = s2sgrad.grad(grows_a_list_the_argument_holds)(state)
    np.testing.assert_allclose(grad[0], [2 * total, 2 * total])
    np.testing.assert_allclose(grad[1], want_h)
    assert state[0] == [1.5, 0.5]
    tangent = ([1.0, 0.0], np.ones(3))
    value = s2sgrad.jvp(grows_a_list_the_argument_holds)(state, tangent)
    np.testing.assert_allclose(value, 2 * total + np.sum(want_h))
    assert state[0] == [1.5, 0.5]
