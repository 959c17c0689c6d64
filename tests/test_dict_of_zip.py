"""``dict(zip(names, theta))`` (parameters named by a tuple of keys) is the comprehension
``{k: v for k, v in zip(names, theta)}`` it equals, lowered as one; a loop over ``zip`` of a
dict the function makes visits its keys, as Python does (it indexed the dict by position:
a KeyError from the generated code)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad.errors import S2SError  # noqa: E402

NAMES = ('a', 'b', 'c')
KEYS = ['a', 'b', 'c']


def quadratic_fit(theta, x):
    p = dict(zip(NAMES, theta))
    return np.sum((p['a'] * x ** 2 + p['b'] * x + p['c'] - np.cos(x)) ** 2)


def local_key_list(theta):
    keys = ['rate', 'scale']
    p = dict(zip(keys, theta * 2.0))
    return p['rate'] * np.exp(p['scale'])


def repeated_key(theta):
    p = dict(zip(['a', 'b', 'a'], theta))  # (the last `a` wins)
    return p['a'] * 3.0 + p['b'] ** 2 + len(p)


def shorter_keys(theta):
    p = dict(zip(KEYS[:2], theta))  # (zip stops at the shorter)
    return p['a'] * p['b'] + len(p)


def _unpack(t):
    return dict(zip(NAMES, t))


def helper_names_them(theta):
    p = _unpack(theta)
    return p['a'] * p['b'] - np.sin(p['c'])


def sgd_step_by_zip(w):
    params = {'w1': w[:2], 'w2': w[2:]}
    grads = {k: 2.0 * v for k, v in params.items()}
    new = dict(zip(params, [params[k] - 0.1 * grads[k] for k in params]))
    return np.sum(new['w1'] ** 2) + np.sum(np.sin(new['w2']))


def scaled_by_zip_loop(w):
    params = {'w1': w[:2], 'w2': w[2:]}
    total = 0.0
    for name, scale in zip(params, [1.0, 2.0]):
        total = total + scale * np.sum(params[name] ** 2)
    return total


def comprehension_over_zip(w):
    params = {'w1': w[:2], 'w2': w[2:]}
    values = [params[k] * 0.9 for k in params]
    new = {k: v for k, v in zip(params, values)}
    return np.sum(new['w1'] ** 2) + np.sum(np.sin(new['w2']))


def enumerate_zip_of_a_copy(w):
    base = {'u': w[0], 'v': w[1]}
    params = dict(base)
    total = 0.0
    for i, (name, weight) in enumerate(zip(params, (0.5, 1.5))):
        total = total + weight * params[name] ** 2 + i
    return total


CASES = [
    (quadratic_fit, lambda rng: (rng.uniform(-1, 1, 3), np.linspace(0.0, 1.0, 4))),
    (local_key_list, lambda rng: (rng.uniform(-1, 1, 2),)),
    (repeated_key, lambda rng: (rng.uniform(-1, 1, 3),)),
    (shorter_keys, lambda rng: (rng.uniform(-1, 1, 3),)),
    (helper_names_them, lambda rng: (rng.uniform(-1, 1, 3),)),
    (sgd_step_by_zip, lambda rng: (rng.uniform(-1, 1, 4),)),
    (scaled_by_zip_loop, lambda rng: (rng.uniform(-1, 1, 4),)),
    (comprehension_over_zip, lambda rng: (rng.uniform(-1, 1, 4),)),
    (enumerate_zip_of_a_copy, lambda rng: (rng.uniform(-1, 1, 2),)),
]


@pytest.mark.parametrize('f, make_args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_against_differences_in_every_mode(f, make_args):
    args = make_args(np.random.default_rng(3))
    outcome = oracle.check(f, args, 0, second_order=True, name=f.__name__)
    outcome.assert_ok(None)
    assert {'rev', 'fwd', 'hvp'} <= set(outcome.checked), outcome.describe()


def test_the_printed_gradient_fills_the_dict_in_a_loop():
    lines = [line.strip() for line in s2sgrad.grad(quadratic_fit).source.splitlines()]
    assert 'p = dict()' in lines and 'key = NAMES[i]' in lines and 'p[key] = value' in lines
    assert not any(line.startswith('p = dict(zip') for line in lines)


def scaled_parameter_dict(params, scales):
    total = 0.0
    for name, scale in zip(params, scales):
        total = total + scale * np.sum(params[name] ** 2)
    return total


def scaled_by_its_keys(params, scales):
    total = 0.0
    for name, scale in zip(params.keys(), scales):
        total = total + scale * np.sum(params[name] ** 2)
    return total


def test_a_loop_over_zip_of_a_dict_argument_says_to_loop_over_its_keys():
    params = {'w1': np.array([0.1, 0.2]), 'w2': np.array([0.3])}
    try:
        g = s2sgrad.grad(scaled_parameter_dict)(params, [1.0, 2.0])
    except S2SError as error:  # (an argument may be a list: read by position then)
        assert 'zip(d, ...)' in str(error) and 'd.keys()' in str(error)
        assert 'for name, scale in zip(params, scales)' in str(error)
    else:
        np.testing.assert_allclose(g['w1'], [0.2, 0.4])
        np.testing.assert_allclose(g['w2'], [1.2])
    g = s2sgrad.grad(scaled_by_its_keys)(params, [1.0, 2.0])
    np.testing.assert_allclose(g['w1'], [0.2, 0.4])
    np.testing.assert_allclose(g['w2'], [1.2])


COEFFICIENTS = {3: 10.0, 1: 100.0, 2: 1.0}  # (a module's dict: its loop visits the keys)
weights = [0.5, -1.5, 2.0]  # (a module's list, named as a nested function's own dict)


def loop_over_a_global_dict(x):
    total = 0.0
    for power, c in zip(COEFFICIENTS, [1.0, 2.0, 3.0]):
        total = total + c * COEFFICIENTS[power] * x[0] ** power
    for power in COEFFICIENTS:
        total = total + x[1] ** power
    return total


def nested_dict_of_the_same_name(x):
    def helper(v):
        weights = dict()
        weights['a'] = v
        return weights['a'] * 2.0
    total = 0.0
    for w, xi in zip(weights, x):  # (the module's list: the nested `weights` is another)
        total = total + w * helper(xi) ** 2
    return total


@pytest.mark.parametrize('f', [loop_over_a_global_dict, nested_dict_of_the_same_name])
def test_loops_over_dicts_of_other_scopes(f):
    args = (np.array([0.7, -1.3, 0.4]),)
    outcome = oracle.check(f, args, 0, second_order=True, name=f.__name__)
    outcome.assert_ok(None)
    assert {'rev', 'fwd'} <= set(outcome.checked), outcome.describe()
