"""``dict(s)`` of a dict, the idiomatic copy (``t = dict(s)`` then ``t['x'] = ...``, in a loop or
in a helper of yours): read as ``s2s.dict_copy(s)``, a new dict of the same items, whose
adjoint is the copy's (it was refused as a dict made of differentiated values, or as an alias
of the argument). ``dict(pairs)`` of a list of pairs stays refused where it is
differentiated. Checked against closed forms, central differences, forward mode, and for an
unchanged caller's dict."""
import numpy as np
import pytest

import s2sgrad

X0 = np.array([0.3, 0.5])


def step(s, k):
    t = dict(s)
    t['x'] = s['x'] - 0.1 * k * s['x']
    return t


def through_a_helper(x0, k):
    s = {'x': x0, 'v': 1.0}
    for i in range(3):
        s = step(s, k)
    return np.sum(s['x'] ** 2)


def inline(x0, k):
    s = {'x': x0, 'v': 1.0}
    for i in range(3):
        s = dict(s)
        s['x'] = s['x'] - 0.1 * k * s['x']
    return np.sum(s['x'] ** 2)


def copy_and_original(x0, k):
    s = {'x': x0 * k, 'y': np.sin(x0)}
    t = dict(s)
    t['x'] = t['x'] * 3.0
    return np.sum(t['x'] * s['x'] + t['y'] * s['y'])


def of_an_argument(params, k):
    p = dict(params)
    p['w'] = p['w'] * k
    return np.sum(p['w'] ** 2 + p['b'])


@pytest.mark.parametrize('f', [through_a_helper, inline], ids=lambda f: f.__name__)
def test_a_copied_state_dict(f):
    expected = 2 * (1 - 0.12) ** 6 * X0
    assert np.allclose(s2sgrad.grad(f)(X0, 1.2), expected)
    assert np.allclose(s2sgrad.jvp(f)(X0, 1.2, np.ones(2)), np.sum(expected))


def test_the_copy_and_the_original_both_read():
    k = 0.7
    expected = 6 * X0 * k ** 2 + 2 * np.sin(X0) * np.cos(X0)
    assert np.allclose(s2sgrad.grad(copy_and_original)(X0, k), expected)
    h = s2sgrad.hessian(copy_and_original)(X0, k)
    assert np.allclose(h, np.diag(6 * k ** 2 + 2 * np.cos(2 * X0)))


def test_a_copy_of_a_dict_argument_leaves_it_unchanged():
    params = {'w': X0.copy(), 'b': np.array([1.0, -1.0])}
    g = s2sgrad.grad(of_an_argument)(params, 2.0)
    assert np.allclose(g['w'], 2 * X0 * 4.0) and np.allclose(g['b'], 1.0)
    assert np.array_equal(params['w'], X0) and list(params) == ['w', 'b']


def of_pairs(x):
    pairs = [('a', x * 2.0), ('b', x)]
    d = dict(pairs)
    return np.sum(d['a'] * d['b'])


def test_a_dict_of_pairs_is_refused_where_differentiated():
    with pytest.raises(s2sgrad.errors.S2SError, match='dict'):
        s2sgrad.grad(of_pairs)(X0)
