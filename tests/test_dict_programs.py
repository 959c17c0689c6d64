"""Dicts that a function fills with new keys (``cache = {}; cache['z1'] = z1``), as users
write caches and named intermediates: differentiated in both modes, checked against central
differences; the caller's dict keeps its keys."""
import collections

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

X = np.array([0.3, -0.7, 1.1])
W = np.array([[0.5, -0.3, 0.2], [1.1, 0.4, -0.6]])


def forward_with_cache(x):
    cache = {}
    h = x
    for i in range(W.shape[0]):
        cache[f'z{i}'] = h * W[i]
        h = np.tanh(cache[f'z{i}'])
    cache['out'] = h
    return np.sum(cache['out'] ** 2) + np.sum(cache['z0'])


def added_then_replaced(x):
    d = {}
    d['a'] = x[0] ** 2
    d['a'] = d['a'] * x[1]
    d['b'] = d['a'] + x[2]
    return d['a'] * d['b']


def integer_keys_then_looped(x):
    stats = dict()
    for i, v in enumerate(x):
        stats[i] = v * v
    total = 0.0
    for k in stats:
        total = total + stats[k] * (k + 1)
    return total


def branch_adds_a_key(x):
    terms = {'base': np.sum(x)}
    if x[0] > 0:
        terms['penalty'] = np.sum(x ** 2)
    total = 0.0
    for name in terms:
        total = total + terms[name] * len(terms)
    return total


def two_layers(x):
    acts = {}
    acts['h1'] = np.tanh(W @ x)
    acts['h2'] = np.sin(acts['h1'])
    return np.sum(acts['h2'] * acts['h1'])


def display_of_values(x):
    parts = {'fit': np.sum((W @ x - 1.0) ** 2), 'reg': 0.1 * np.sum(x ** 2), 'n': 3}
    return parts['fit'] + parts['reg'] * parts['n']


def dict_call_of_values(x):
    named = dict(first=x[0] * x[1], rest=np.exp(x[1:]))
    pairs = dict([(0, np.sin(x[:2])), (1, named['first'])])
    return np.sum(named['rest'] * pairs[0]) + pairs[1]


PROGRAMS = [forward_with_cache, added_then_replaced, integer_keys_then_looped,
            branch_adds_a_key, two_layers, display_of_values, dict_call_of_values]


@pytest.mark.parametrize('func', PROGRAMS, ids=lambda f: f.__name__)
def test_keys_added_to_a_dict_of_the_function(func):
    expected = numerical_grad(func, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(X), expected, rtol=1e-6, atol=1e-8)
    tangent = np.array([0.4, 1.0, -0.5])
    np.testing.assert_allclose(s2sgrad.jvp(func)(X, tangent), expected @ tangent,
                               rtol=1e-6, atol=1e-8)


def fills_its_argument(x, out):
    out['y'] = x * 2.0
    out['z'] = np.sin(out['y'])
    return np.sum(out['z'])


def test_keys_added_to_a_dict_argument_stay_out_of_the_callers_dict():
    given = {'kept': 1}
    g = s2sgrad.grad(fills_its_argument)(X, given)
    np.testing.assert_allclose(g, 2 * np.cos(2 * X))
    assert given == {'kept': 1}


def rebuilt_from_itself(x):
    d = {'a': x[0]}
    d = {'a': d['a'] * 2.0, 'b': x[1]}  # (reads the old dict: filled as `d_new`, then `d`)
    return d['a'] * d['b']


def argument_rebuilt(p, x):
    p = {'a': p['a'] * x, 'b': p['b'] + p['a']}
    return np.sum(p['a'] * p['b'])


def state_stepped(s, x):
    for _ in range(3):
        s = {'x': s['x'] + 0.1 * s['v'] * x, 'v': s['v'] - 0.1 * np.sin(s['x'])}
    return np.sum(s['x'] ** 2) + np.sum(s['v'])


@pytest.mark.parametrize('func', [rebuilt_from_itself, argument_rebuilt, state_stepped],
                         ids=lambda f: f.__name__)
def test_a_display_reading_the_dict_it_replaces(func):
    # (it was refused as "a dict made of differentiated values", from review)
    given = {'a': X[:2].copy(), 'b': X[1:].copy(), 'x': X[:2] + 1.0, 'v': X[1:] * 2.0}
    args = (X,) if func is rebuilt_from_itself else (given, X[:2])
    at = len(args) - 1
    expected = numerical_grad(func, args, at)
    np.testing.assert_allclose(s2sgrad.grad(func, wrt=at)(*args), expected, rtol=1e-6)
    v = np.linspace(0.5, 1.5, args[at].size)
    np.testing.assert_allclose(s2sgrad.jvp(func, wrt=at)(*args, v), expected @ v, rtol=1e-6)
    if func is not rebuilt_from_itself:
        np.testing.assert_array_equal(given['a'], X[:2])  # (the caller's dict unchanged)
        assert sorted(given) == ['a', 'b', 'v', 'x']


def defaultdict_sums(x):
    totals = collections.defaultdict(float)
    for i in range(3):
        totals[i % 2] += x[i] ** 2
    return totals[0] * totals[1]


def test_a_defaultdict_filled_in_a_loop():
    # (the tangent of a defaultdict is one: a key read first gets a zero)
    expected = numerical_grad(defaultdict_sums, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(defaultdict_sums)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(defaultdict_sums)(X, np.ones(3)), np.sum(expected),
                               rtol=1e-6)
