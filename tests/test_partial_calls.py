"""``functools.partial`` made inside the differentiated function and called: read as the call
of the function it wraps (the partial's arguments first, the call's keywords replacing its
own). Checked against central differences, forward against reverse; a partial kept and
passed on stays refused, naming it."""
from functools import partial

import numpy as np
import pytest

import s2sgrad

X = np.array([0.3, -0.4, 0.7])


def pw(x, p, scale=1.0):
    return scale * x ** p


def stored_then_called(x):
    cube = partial(pw, p=3)
    return np.sum(cube(x)) + np.sum(cube(x * 2.0, scale=0.5))


def called_at_once(x):
    return np.sum(partial(np.power, x)(3.0))


def positional_and_keyword(x):
    weigh = partial(pw, x, scale=np.sum(x))
    return np.sum(weigh(2)) * x[0]


def in_a_loop(x):
    total = 0.0
    square = partial(pw, p=2)
    for i in range(3):
        total = total + np.sum(square(x * i, scale=x[i]))
    return total


def passed_on(x):
    cube = partial(pw, p=3)
    return np.sum(apply(cube, x))


def apply(g, x):
    return g(x)


FUNCTIONS = [stored_then_called, called_at_once, positional_and_keyword, in_a_loop]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_partials_made_in_the_function(f):
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    v = np.array([1.0, -2.0, 0.5])
    assert np.allclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6, atol=1e-8)


def test_a_partial_passed_on_is_refused_by_name():
    with pytest.raises(s2sgrad.errors.S2SError, match='partial|cube|g'):
        s2sgrad.grad(passed_on)(X)


def argument_drawn_once(x):
    rng = np.random.default_rng(1)
    scaled = partial(pw, scale=1.0 + rng.uniform())
    return np.sum(scaled(x, 2)) + np.sum(scaled(x, 3))


def test_a_partial_argument_is_computed_once():
    value, g = s2sgrad.value_and_grad(argument_drawn_once)(X)
    assert np.isclose(value, argument_drawn_once(X))
    assert np.allclose(g, numeric_grad(argument_drawn_once, X), rtol=1e-6)


def weighted(w, v):
    return np.sum(w * v ** 2)


def mapped_over_items(x):
    items = [x, x * 2.0, np.sin(x)]
    return sum(map(partial(weighted, x[0]), items))


def mapped_with_an_argument_that_calls(x):
    rng = np.random.default_rng(3)
    return sum(map(partial(weighted, rng.uniform()), [x, x ** 2]))


@pytest.mark.parametrize('f', [mapped_over_items, mapped_with_an_argument_that_calls],
                         ids=lambda f: f.__name__)
def test_a_partial_mapped(f):
    """``sum(map(partial(f, p), items))`` (autograd's hmm_em example)."""
    try:
        value, g = s2sgrad.value_and_grad(f)(X)
    except s2sgrad.errors.S2SError:
        assert f is mapped_with_an_argument_that_calls  # (its argument draws: computed once)
        return
    assert np.isclose(value, f(X))
    assert np.allclose(g, numeric_grad(f, X), rtol=1e-6)


def sq(a, b, k=1.0):
    return a * b * k


def keyword_computed_first(x):
    xs = [x[0], x[1], x[2]]
    return partial(sq, k=xs.pop())(xs.pop(), xs.pop())


def test_a_partial_keyword_is_computed_before_the_call_arguments():
    """``partial(f, k=xs.pop())(xs.pop(), xs.pop())``: the partial's keyword is computed
    first; inlined as a keyword it would be computed last."""
    try:
        value, g = s2sgrad.value_and_grad(keyword_computed_first)(X)
    except s2sgrad.errors.S2SError:
        return
    assert np.isclose(value, keyword_computed_first(X))
    assert np.allclose(g, numeric_grad(keyword_computed_first, X), rtol=1e-6)


def power_of(a, b):
    return a ** b


def made_in_a_branch(x, flag=True):
    r = np.sum(x)
    if flag:
        g = partial(power_of, x)
        r = np.sum(g(3.0))
    return r


def made_in_each_step(x):
    r = 0.0
    for k in range(3):
        g = partial(power_of, b=k + 1.0)
        r = r + np.sum(g(x)) * (k + 0.5)
    return r


def argument_rebound_after_it_is_made(x):
    g = partial(power_of, x)
    if np.sum(x) > -100:
        h = partial(power_of, b=2.0)
        x = x * 2.0
        return np.sum(g(3.0)) + np.sum(h(x))
    return np.sum(x)


@pytest.mark.parametrize('f', [made_in_a_branch, made_in_each_step], ids=lambda f: f.__name__)
def test_partials_made_in_a_branch_or_a_loop(f):
    x = np.array([0.4, 1.3])
    expected = numeric_grad(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, rtol=1e-6, atol=1e-8)
    v = np.array([1.0, -0.5])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-6, atol=1e-8)


def test_a_partial_whose_argument_is_rebound_before_the_call_is_refused():
    # (``g`` must call with the old `x`; the rewrite would read the new one)
    with pytest.raises(s2sgrad.errors.NoRuleError, match='partial'):
        s2sgrad.grad(argument_rebound_after_it_is_made)(np.array([0.4, 1.3]))
