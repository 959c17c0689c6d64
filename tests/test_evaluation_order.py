"""Python evaluates each part of an assignment once: the index of an augmented assignment
(``y[rng.integers(n)] += w``, ``acc[idx.pop()] += v``) is evaluated once, and the iterable of
a loop whose target rebinds it (``for x in x:``, ``for x, y in zip(x, y):``) once, before the
loop. The generated code evaluated the index twice (a second random draw, a second pop) and
indexed the rebound name at every step: silently wrong gradients, in both modes. Checked
against central differences (reverse and forward mode) and, for the loops, closed forms."""
import random

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads

X = np.array([0.7, -1.3, 2.1, 0.4])


def random_scatter_add(x):
    rng = np.random.default_rng(0)
    y = np.zeros(5)
    for t in range(4):
        y[rng.integers(5)] += x[t]
    return np.sum(y * np.arange(1.0, 6.0) ** 2)


def popped_index(x):
    idx = [0, 1, 2]
    y = x * 1.0
    y[idx.pop()] += x[0] ** 2
    y[idx.pop(0)] -= x[1]
    return np.sum(y ** 2)


def random_slice_start(x):
    rng = np.random.default_rng(3)
    y = np.zeros(6)
    y[rng.integers(2, 3):5] += x[1:]  # (a second draw would move the next index)
    y[rng.integers(2)] *= 3.0
    return np.sum(y * np.arange(1.0, 7.0) ** 2)


def python_random_index(x):
    r = random.Random(5)
    y = x * 1.0
    for _ in range(3):
        y[r.randrange(4)] -= 0.5 * x[0] ** 2
    return np.sum(np.sin(y))


def two_random_indices(x):
    rng = np.random.default_rng(1)
    M = np.zeros((3, 3))
    for t in range(4):
        M[rng.integers(3), rng.integers(3)] += x[t]
    return np.sum(M * np.arange(1.0, 10.0).reshape(3, 3) ** 2)


class Counter:
    def __init__(self):
        self.calls = 0

    def next(self):
        self.calls += 1
        return self.calls % 4


def helper_with_an_effect(x):
    c = Counter()
    y = np.zeros(4)
    for t in range(4):
        y[c.next()] += x[t] * (t + 1.0)
    return np.sum(y * np.arange(1.0, 5.0) ** 2)


def dict_popped_key(x):
    d = {'a': x[0] * 1.0, 'b': x[1] * 1.0}
    keys = ['a', 'b']
    d[keys.pop()] += x[2] ** 2
    return d['a'] + 10.0 * d['b']


INDEXED = [random_scatter_add, popped_index, random_slice_start, python_random_index,
           two_random_indices, helper_with_an_effect, dict_popped_key]


@pytest.mark.parametrize('f', INDEXED, ids=lambda f: f.__name__)
def test_an_augmented_index_is_evaluated_once(f):
    check_grads(f, (X.copy(),), modes=('rev', 'fwd'))


def test_a_random_index_draws_once():
    # closed form: the draws of rng(0) pick the same positions as the function does
    rng = np.random.default_rng(0)
    picks = [rng.integers(5) for _ in range(4)]
    expected = (np.array(picks) + 1.0) ** 2
    np.testing.assert_allclose(s2sgrad.grad(random_scatter_add)(X.copy()), expected)


def loop_rebinds_list(ws):
    s = 0.0
    for ws in ws:
        s = s + np.sum(ws ** 2)
    return s


def loop_rebinds_rows(x):
    s = 0.0
    for x in x:
        s = s + np.sum(x ** 2) * 0.5
    return s + np.sum(x)  # (after the loop, `x` is the last row)


def loop_rebinds_zipped(x, y):
    s = 0.0
    for x, y in zip(x, y):
        s = s + x * y ** 2
    return s


def loop_rebinds_enumerated(x):
    s = 0.0
    for i, x in enumerate(x):
        s = s + (i + 1.0) * x ** 2
    return s + x


def loop_rebinds_reversed(x):
    s = 0.0
    for x in reversed(x):
        s = s * 0.5 + x ** 2
    return s


def loop_rebinds_local_list(x):
    w = [x, 2.0 * x, x ** 2]
    s = 0.0
    for w in w:
        s = s + np.sum(np.sin(w))
    return s + np.sum(w)


def test_a_loop_over_a_list_it_rebinds():
    ws = [np.array([1.0, 2.0]), np.array([3.0, -4.0])]
    g = s2sgrad.grad(loop_rebinds_list)(ws)
    for gi, wi in zip(g, ws):
        np.testing.assert_allclose(gi, 2 * wi)
    check_grads(loop_rebinds_list, (ws,), modes=('rev', 'fwd'))


@pytest.mark.parametrize('f,args', [
    (loop_rebinds_rows, (np.array([[1.0, 2.0], [3.0, -4.0]]),)),
    (loop_rebinds_zipped, (X[:3].copy(), np.array([0.5, -1.0, 2.0]))),
    (loop_rebinds_enumerated, (X.copy(),)),
    (loop_rebinds_reversed, (X.copy(),)),
    (loop_rebinds_local_list, (X[:2].copy(),)),
], ids=lambda v: getattr(v, '__name__', ''))
def test_a_loop_target_that_rebinds_its_iterable(f, args):
    check_grads(f, args, wrt=None, modes=('rev', 'fwd'))


def test_rows_closed_form():
    x = np.array([[1.0, 2.0], [3.0, -4.0]])
    expected = x.copy()
    expected[-1] += 1.0  # (the last row is read again after the loop)
    np.testing.assert_allclose(s2sgrad.grad(loop_rebinds_rows)(x), expected)


def loop_over_a_dict_it_rebinds(x):
    perm = {0: 2, 1: 0, 2: 1}  # (the loop visits the keys 0, 1, 2)
    s = 0.0
    for k in perm:
        s = s * x[0] + x[k] ** 2
        perm = dict(perm)
    return s


def loop_over_an_iterator_it_rebinds(x):
    pairs = zip(range(3), [1.0, 2.0, 3.0])
    s = 0.0
    for i, c in pairs:
        s = s * x[0] + c * x[i] ** 2
        pairs = None
    return s


@pytest.mark.parametrize('f', [loop_over_a_dict_it_rebinds, loop_over_an_iterator_it_rebinds],
                         ids=lambda f: f.__name__)
def test_a_loop_over_a_dict_or_iterator_its_body_rebinds(f):
    check_grads(f, (np.array([0.3, 0.7, 1.2]),), modes=('rev', 'fwd'))


def popped_key_display(x):
    names = ['a', 'b']
    d = {names.pop(): x * len(names), 'c': x}  # (the key first: the value sees one name)
    return d['b'] + d['c'] ** 2


def drawn_key_display(x):
    rng = np.random.default_rng(5)
    keys = ['u', 'v', 'w']
    d = {keys[rng.integers(3)]: x[0] * rng.normal(), 'k': x[1]}
    return sum(v ** 2 for v in d.values())


@pytest.mark.parametrize('f, args', [(popped_key_display, (1.5,)),
                                     (drawn_key_display, (X[:2].copy(),))],
                         ids=['popped_key', 'drawn_key'])
def test_a_dict_display_computes_each_key_before_its_value(f, args):
    check_grads(f, args, modes=('rev', 'fwd'))


def test_popped_key_display_closed_form():
    # the key 'b' is popped first, so the value is x * 1: d['b'] + d['c'] ** 2 = x + x ** 2
    assert s2sgrad.grad(popped_key_display)(1.5) == pytest.approx(1.0 + 2 * 1.5)


def popped_then_comprehension(x):
    xs = [x[0], x[1], x[2]]
    n, xs = xs.pop() * 1.0, [v * 2.0 for v in xs]  # (the list sees two items)
    return n * sum(xs)


def pure_call_then_comprehension(x):
    xs = [x[0], x[1], x[2]]
    return np.sum(x ** 2) + sum(v * v for v in xs)


def test_a_comprehension_after_a_pop_in_its_statement_is_refused():
    # (built before the statement, it saw the item the pop takes: a wrong value and gradient)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='comprehension'):
        s2sgrad.grad(popped_then_comprehension)(X[:3].copy())


def test_a_comprehension_after_a_pure_call_is_differentiated():
    check_grads(pure_call_then_comprehension, (X[:3].copy(),), modes=('rev', 'fwd'))
