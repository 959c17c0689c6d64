"""Unrolled optimisers and MAML written with parameter dicts: the gradient of an inner loss
from a helper of yours that returns a new dict, or from ``s2sgrad.grad`` inside the function,
then ``p[k] = p[k] - lr * g[k]`` (or ``params[k] -= lr * g[k]``). A helper's result was taken
for a possible alias of its argument, so the update was refused as a write through an alias.
Checked against central differences; the caller's dict is unchanged."""
import copy

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads


def inner_loss(params, X):
    return np.sum(np.tanh(X @ params['W']) ** 2) + np.sum(params['b'] ** 2)


def quadratic_grads(params, X):
    return {'W': X.T @ X @ params['W'], 'b': 2 * params['b']}


def listed_grads(W, b):
    return [W * 0.5, b * 2.0]


def maml_step(params, X):
    p = dict(params)
    g = s2sgrad.grad(inner_loss)(p, X)
    for k in p.keys():
        p[k] = p[k] - 0.1 * g[k]
    return inner_loss(p, X)


def unrolled_with_a_helper(params, X):
    p = dict(params)
    for step in range(2):
        g = quadratic_grads(p, X)
        p['W'] = p['W'] - 0.1 * g['W']
        p['b'] = p['b'] - 0.1 * g['b']
    return inner_loss(p, X)


def augmented_updates(params, X):
    g = quadratic_grads(params, X)
    for k in params:
        params[k] -= 0.1 * g[k]
    return inner_loss(params, X)


def list_of_updates(params, X):
    W, b = params['W'], params['b']
    gW, gb = listed_grads(W, b)
    W = W - 0.3 * gW
    b = b - 0.3 * gb
    return inner_loss({'W': W, 'b': b}, X)


RNG = np.random.default_rng(0)
P = {'W': RNG.standard_normal((3, 2)) * 0.5, 'b': RNG.standard_normal(2)}
X = RNG.standard_normal((4, 3)) * 0.5


@pytest.mark.parametrize('f', [maml_step, unrolled_with_a_helper, augmented_updates,
                               list_of_updates], ids=lambda f: f.__name__)
def test_unrolled_updates_match_central_differences(f):
    params = copy.deepcopy(P)
    check_grads(f, (params, X), modes=('rev',))
    s2sgrad.grad(f)(params, X)
    assert list(params) == list(P)
    for key in P:
        np.testing.assert_array_equal(params[key], P[key])


def test_a_helper_that_returns_its_argument_stays_an_alias():
    def same(params, X):
        return params

    def loss(params, X):
        p = dict(params)
        g = same(p, X)
        p['W'] = p['W'] * 2.0  # (shows through `g`, the same dict)
        return np.sum(g['W'] ** 2)
    try:
        got = s2sgrad.grad(loss)(copy.deepcopy(P), X)
    except s2sgrad.errors.S2SError:
        return
    np.testing.assert_allclose(got['W'], 8.0 * P['W'])
