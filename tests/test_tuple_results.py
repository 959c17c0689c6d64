"""Unpacking tuples: ``h, c = cell(...)`` of a function of the user's that returns tuple
displays only passes the targets' adjoints as a tuple, ``bcell = (bh, bc)`` (issue #17); in
every other case (a tuple variable, an array, a list) the general adjoint of ``a, b = v``
(zeros like `v`, each target's adjoint added in) stays. In loops, the targets' adjoints start
from zero in each step (a tuple display unpacked in a loop kept the step after's). Each
gradient is checked against central differences, in both motions."""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient


def cell(h, x, w):
    c = np.tanh(w * x + h)
    return h * c, c


def rnn(w, xs):
    h = np.zeros_like(xs[0])
    for x in xs:
        h, c = cell(h, x, w)
    return np.sum(h ** 2) + np.sum(c)


def uses_one(w, xs):
    h, c = cell(np.ones_like(w), xs[0], w)
    return np.sum(np.sin(c))  # (h unused: its adjoint is zeros)


def branches(v, flag):
    if flag:
        return v * 2.0, np.sin(v)
    s = np.cos(v)
    return s, s * v


def both_branches(w, xs):
    a, b = branches(w * xs[0], True)
    c, d = branches(a + b, False)
    return np.sum(c * d)


def returns_a_variable(v):
    pair = (np.exp(v), v ** 2)
    return pair


def unpacks_a_variable(w, xs):
    a, b = returns_a_variable(w)
    return np.sum(a * b * xs[0])


def returns_a_list(v):
    return [np.exp(v), v * 3.0]


def unpacks_a_list(w, xs):
    a, b = returns_a_list(w)
    return np.sum(a + b * xs[1])


def pair_of_lists(v):
    return [v, v * 2.0], [np.sin(v)]


def nested_containers(w, xs):
    first, second = pair_of_lists(w)
    return np.sum(first[1] * second[0]) + np.sum(first[0] * xs[0])


def value_and_list(v, k):
    if k > 1:
        return v, [v * k, v]
    return v * 3.0, [v, v * 2.0]


def tuple_of_lists_in_loop(w, xs):
    s = 0.0
    for k in range(3):
        a, items = value_and_list(w * xs[k], k)
        s = s + np.sum(a * items[0]) + np.sum(items[1])
    return s


def also_indexed(w, xs):
    r = cell(w, xs[0], w)
    h, c = r
    return np.sum(h * r[1]) + np.sum(c)


def scalars(w, xs):
    total = 0.0
    for i in range(3):
        h, c = cell(float(w[0]) * i, float(xs[0][i]), 0.5)
        total = total + h * c
    return total


def display_in_loop(w, xs):
    h = np.zeros_like(xs[0])
    for x in xs:  # (was silently wrong: c's adjoint from the step after was kept)
        pair = (h * np.tanh(w * x + h), np.tanh(w * x + h))
        h, c = pair
    return np.sum(h ** 2) + np.sum(c)


def display_in_while(w, xs):
    h, i = w * 0.5, 0
    while i < len(xs):
        h, c = (np.sin(h * xs[i]), h + xs[i])
        i = i + 1
    return np.sum(h * c)


CASES = [rnn, display_in_loop, display_in_while, uses_one, both_branches, unpacks_a_variable,
         unpacks_a_list, nested_containers, tuple_of_lists_in_loop, also_indexed, scalars]


@pytest.mark.parametrize('motion', ['split', 'joint'])
@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_unpacked_call_results_are_right(f, motion):
    rng = np.random.default_rng(0)
    w = rng.normal(size=4)
    xs = rng.normal(size=(3, 4))
    before = xs.copy()
    got = s2sgrad.grad(f, motion=motion)(w, xs)
    want = central_gradient(lambda v: f(v, xs), w)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(xs, before)


def test_the_adjoint_of_an_unpacked_call_is_a_tuple():
    source = s2sgrad.grad(rnn).source
    assert '(bh, bc)' in source, source
    assert 's2s.unindex(bh, cell' not in source


def test_second_order_through_unpacked_calls():
    rng = np.random.default_rng(1)
    w = rng.normal(size=3)
    xs = rng.normal(size=(2, 3))
    got = s2sgrad.hessian(lambda v: rnn(v, xs))(w)
    gradient = s2sgrad.grad(lambda v: rnn(v, xs))
    want = np.array([central_gradient(lambda v: gradient(v)[i], w) for i in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
