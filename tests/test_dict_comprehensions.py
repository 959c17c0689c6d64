"""Dict comprehensions assigned to a name or returned: ``adapted = {k: p[k] - lr * g[k] for k
in p}`` is ``adapted = dict()`` and the loop that fills it by key (loop variables of their
own, the key before the value where either calls something that may change state). They were
refused with a message saying dicts are not supported. Checked against central differences,
forward against reverse, and at second order."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads


def inner_loss(params, X):
    return np.sum(np.tanh(X @ params['W']) ** 2) + np.sum(params['b'] ** 2)


def maml_by_comprehension(params, X):
    g = s2sgrad.grad(inner_loss)(params, X)
    adapted = {k: params[k] - 0.1 * g[k] for k in params}
    return inner_loss(adapted, X)


def filtered_and_rebuilt(params, X):
    k = 'kept'
    d = {k: v * 2.0 for k, v in params.items() if k != 'c'}
    d = {k: d[k] ** 2 for k in d}  # (reads the old `d`)
    return inner_loss(d, X) + len(k)


def norms_of(params):
    return {name: np.sum(w ** 2) for name, w in params.items()}


def product_of_norms(params):
    r = norms_of(params)
    return r['W'] * r['b'] + r['c']


def two_loops(params):
    pairs = {(a, b): np.sum(params[a] ** 2) * np.sum(params[b]) for a in params for b in params
             if a < b}
    return sum(pairs.values())


RNG = np.random.default_rng(0)
P = {'W': RNG.standard_normal((3, 2)) * 0.5, 'b': RNG.standard_normal(2), 'c': np.ones(1)}
X = RNG.standard_normal((4, 3)) * 0.5
CASES = [(maml_by_comprehension, (P, X)), (filtered_and_rebuilt, (P, X)),
         (product_of_norms, (P,)), (two_loops, (P,))]


@pytest.mark.parametrize('f, args', CASES, ids=[c[0].__name__ for c in CASES])
def test_dict_comprehensions_match_central_differences(f, args):
    check_grads(f, args, modes=('rev', 'fwd'))


@pytest.mark.parametrize('f, args', CASES[1:], ids=[c[0].__name__ for c in CASES[1:]])
def test_second_order(f, args):
    check_grads(f, args, modes=('rev',), order=2)


def test_the_loop_variable_stays_the_functions_own():
    # (``k = 'kept'`` before the comprehension: Python's comprehension has its own `k`)
    assert filtered_and_rebuilt(P, X) == pytest.approx(
        s2sgrad.value_and_grad(filtered_and_rebuilt)(P, X)[0])


def test_a_dict_comprehension_elsewhere_says_what_to_write():
    def passed(params):
        return inner_loss({k: v * 2.0 for k, v in params.items()}, X)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='assign it to a name'):
        s2sgrad.grad(passed)(P)


def iterable_named_like_its_variable(v):
    d = {j: v * j for j, v in enumerate(v)}  # (the iterable is the argument `v`)
    return d[0] + d[1] * 3.0


def read_through_a_nested_function(x):
    d = {0: x[0], 1: x[1], 2: x[2]}

    def get(k):
        return d.get(k, 1.0)
    d = {k: get(k) * 2.0 for k in range(4)}  # (get reads the old `d`)
    return sum(d[k] * d[k] for k in d)


@pytest.mark.parametrize('f', [iterable_named_like_its_variable, read_through_a_nested_function],
                         ids=lambda f: f.__name__)
def test_comprehension_scope_is_kept(f):
    x = np.array([0.3, -0.7, 1.1])
    value, _ = s2sgrad.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    check_grads(f, (x,), modes=('rev', 'fwd'))
