"""A list or dict argument whose length the function changes, directly or through another
name of it (``p = params; p.pop()``, ``del p['a']``): the caller's container is left as it
was, in every mode, and the gradient of a dict lists its keys in the order the caller gave
them (a review found ``jvp`` popping the caller's list through the alias, and ``grad``
returning ``{'b': ..., 'a': ...}``, which code pairing parameters and gradients by order
would misapply)."""
import copy

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads


def popped_through_an_alias(params):
    p = params
    last = p.pop()
    return np.sum(last ** 2) + np.sum(p[0] * 3.0)


def deleted_through_an_alias(params):
    p = params
    del p['a']
    return np.sum(p['b'] ** 2)


def popped_key(params):
    a = params.pop('a')
    return np.sum(params['b'] ** 2) + 2.0 * np.sum(a)


def appended_through_an_alias(params):
    p = params
    p.append(p[0] * 2.0)
    return sum(np.sum(v ** 2) for v in p)


def _list():
    return [np.array([1.0, -0.5]), np.array([2.0, 3.0])]


def _dict():
    return {'a': np.array([1.0]), 'b': np.array([2.0, 3.0]), 'c': np.array([0.5])}


CASES = [(popped_through_an_alias, _list), (deleted_through_an_alias, _dict),
         (popped_key, _dict), (appended_through_an_alias, _list)]


def _same(before, after):
    assert type(before) is type(after) and len(before) == len(after)
    if isinstance(before, dict):
        assert list(before) == list(after)
        before, after = list(before.values()), list(after.values())
    for u, v in zip(before, after):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize('f, make', CASES, ids=[c[0].__name__ for c in CASES])
def test_the_callers_container_is_unchanged(f, make):
    args = make()
    kept = copy.deepcopy(args)
    s2sgrad.grad(f)(args)
    _same(kept, args)
    s2sgrad.value_and_grad(f)(args)
    _same(kept, args)
    s2sgrad.jvp(f)(args, copy.deepcopy(args))
    _same(kept, args)


@pytest.mark.parametrize('f, make', CASES, ids=[c[0].__name__ for c in CASES])
def test_derivatives_match_central_differences(f, make):
    check_grads(f, (make(),), modes=('rev', 'fwd'))


@pytest.mark.parametrize('f', [deleted_through_an_alias, popped_key])
def test_a_dict_gradient_keeps_the_order_of_the_keys(f):
    params = _dict()
    g = s2sgrad.grad(f)(params)
    assert list(g) == ['a', 'b', 'c']
    flat = np.concatenate(list(g.values()))
    want_a = 0.0 if f is deleted_through_an_alias else 2.0
    np.testing.assert_allclose(flat, [want_a, 4.0, 6.0, 0.0])


def popped_then_put_back(params):
    w = params.pop('W')
    params['V'] = params['V'] * 2.0
    params['W'] = w * 3.0  # (back, last)
    return np.sum(params['W'] ** 2) + np.sum(params['b'] * params['V'])


@pytest.mark.parametrize('kind', [dict, __import__('collections').OrderedDict],
                         ids=['dict', 'OrderedDict'])
def test_a_key_popped_and_put_back_keeps_the_callers_order(kind):
    params = kind(W=np.array([1.0, -2.0]), b=np.array([0.5, 1.5]), V=np.array([2.0, 3.0]))
    g = s2sgrad.grad(popped_then_put_back)(params)
    assert type(g) is kind and list(g) == ['W', 'b', 'V']
    np.testing.assert_allclose(g['W'], 18.0 * params['W'])
    np.testing.assert_allclose(g['b'], 2.0 * params['V'])
    np.testing.assert_allclose(g['V'], 2.0 * params['b'])
    check_grads(popped_then_put_back, (params,), modes=('rev', 'fwd'))
