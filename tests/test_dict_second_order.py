"""Second order of functions that build a dict of differentiated values (``d = {'a': ...}``,
``cache['h'] = ...``, ``d[i] = ...`` in a loop, a key written twice): the gradient restores
each item it replaced with ``s2s.restore_item`` (removing a key the function added), and
differentiating the gradient again follows that restore as a write into the dict. Every
``hessian``, ``hvp`` and ``grad`` of a gradient was refused (the restore's call was not
differentiated); checked against central differences of the gradient."""
import numpy as np
import pytest

import s2sgrad

X = np.array([0.7, 1.3, -0.4])
V = np.array([0.6, -1.1, 0.8])
W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.6]])


def display(x):
    d = {'a': x[0] * x[1], 'b': np.sin(x[2])}
    return d['a'] ** 2 + d['b'] * d['a']


def cache_of_activations(x):
    cache = {}
    cache['z'] = W @ x
    cache['h'] = np.tanh(cache['z'])
    return np.sum(cache['h'] ** 2) + np.sum(cache['z'] * x[:2])


def filled_in_a_loop(x):
    d = {}
    for i in range(3):
        d[i] = x[i] ** 2 * x[(i + 1) % 3]
    return d[0] * d[1] + d[2]


def key_written_twice(x):
    d = {'a': x[0]}
    d['a'] = d['a'] * x[1]
    d['a'] = np.exp(d['a']) + x[2]
    return d['a'] * x[2]


def summed_over_items(x):
    d = dict()
    d['u'] = np.sin(x[0])
    d['v'] = x[1] * x[2]
    total = 0.0
    for key, value in d.items():
        total = total + value ** 2
    return total


def running_sum_in_a_dict(x):
    d = {'s': 0.0}
    for i in range(3):
        d['s'] = d['s'] + x[i] * x[(i + 1) % 3]
    return d['s'] ** 2


FUNCTIONS = [display, cache_of_activations, filled_in_a_loop, key_written_twice,
             summed_over_items, running_sum_in_a_dict]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def _directional(f):
    df = s2sgrad.grad(f)

    def along(x):
        return df(x) @ V
    return along


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_and_hvp(f):
    expected = numeric_grad(_directional(f), X)
    assert np.allclose(s2sgrad.hvp(f)(X, V), expected, rtol=1e-6, atol=1e-7)
    assert np.allclose(s2sgrad.hessian(f)(X) @ V, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_of_the_gradient(f):
    along = _directional(f)
    assert np.allclose(s2sgrad.grad(along)(X), numeric_grad(along, X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_first_order_and_forward(f):
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(s2sgrad.jvp(f)(X, V), expected @ V, rtol=1e-6, atol=1e-8)
