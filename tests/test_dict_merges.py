"""``d = {**s, 'k': v}`` and ``d = dict(s, k=v)`` (a functional update of a dict of
parameters): a copy of `s` filled by key; values reading `d` are computed first, as Python
computes them before the new dict is made. It was refused as unpacking into a dict display."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import s2sgrad  # noqa: E402


def sgd_updates(w):
    params = {'w': w[:2], 'b': w[2]}
    grads = {'w': 2 * params['w'], 'b': params['b'] ** 2}
    params = {**params, 'w': params['w'] - 0.1 * grads['w']}
    params = dict(params, b=params['b'] - 0.1 * grads['b'])
    return np.sum(params['w'] ** 2) + params['b'] * np.sum(params['w'])


def swapped(w):
    d = {'a': w[0], 'b': w[1] * 2.0}
    d = {**d, 'a': d['b'], 'b': d['a']}  # (both values read the old dict)
    return d['a'] * 3.0 + d['b'] ** 2


def extended(w):
    base = {'a': w[0]}
    more = {**base, 'c': np.sin(w[1])}
    return base['a'] * more['c'] + more['a'] + len(more)


def _with_bias(params, b):
    return dict(params, bias=b * params['scale'])


def through_a_helper(w):
    p = _with_bias({'scale': w[0], 'w': w[1:]}, 2.0)
    return np.sum(p['w'] * p['bias']) + p['scale']


@pytest.mark.parametrize('f', [sgd_updates, swapped, extended, through_a_helper])
def test_a_merged_dict_against_differences(f):
    args = (np.random.default_rng(4).uniform(-1, 1, 3),)
    outcome = oracle.check(f, args, 0, second_order=True, name=f.__name__)
    outcome.assert_ok(None)
    assert {'rev', 'fwd', 'hvp'} <= set(outcome.checked), outcome.describe()


def test_the_source_dict_is_left_as_it_was():
    source = {'w': np.array([1.0, 2.0]), 'b': 0.5}
    g = s2sgrad.grad(merged_argument)(source)  # (a dict of the argument's keys)
    np.testing.assert_allclose(g['w'], [1.5, 1.5])
    assert np.isclose(g['b'], 3.0)
    assert source['b'] == 0.5 and set(source) == {'w', 'b'}


def merged_argument(params):
    new = {**params, 'b': params['b'] + 1.0}
    return np.sum(new['w'] * new['b'])
