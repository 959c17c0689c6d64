"""Parameters kept as a dict of lists of dicts (``p['groups'][0]['mu']``, ``p['layers'][i]['W']``)
and read at several keys of one item: each adjoint of the inner list adds item by item (a
list's ``+`` concatenated them: a crash). Checked against central differences on each leaf."""
import numpy as np
import pytest

import s2sgrad

DATA = [np.array([1.0, 0.5]), np.array([-1.0, 0.2])]
X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.2, 0.8]])


def two_groups(p, data):
    r0 = data[0] - p['groups'][0]['mu']
    r1 = data[1] - p['groups'][1]['mu']
    return np.sum(r0 ** 2) / np.exp(p['groups'][0]['log_s']) + \
        np.sum(r1 ** 2) / np.exp(p['groups'][1]['log_s'])


def two_layers(p, X):
    h = np.tanh(X @ p['layers'][0]['W'] + p['layers'][0]['b'])
    out = h @ p['layers'][1]['W'] + p['layers'][1]['b']
    return np.sum(out ** 2)


def groups_params():
    return {'groups': [{'mu': 0.8, 'log_s': 0.1}, {'mu': -0.7, 'log_s': -0.2}]}


def layer_params():
    rng = np.random.default_rng(4)
    return {'layers': [{'W': rng.normal(size=(2, 3)), 'b': rng.normal(size=3)},
                       {'W': rng.normal(size=(3, 1)), 'b': np.array([0.1])}]}


def leaves(tree, path=()):
    """``(path, value)`` of each number or array of a tree of dicts and lists."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in leaves(tree[key], path + (key,))]
    if isinstance(tree, list):
        return [leaf for i, item in enumerate(tree) for leaf in leaves(item, path + (i,))]
    return [(path, tree)]


def replaced(tree, path, value):
    if not path:
        return value
    if isinstance(tree, dict):
        return {k: replaced(v, path[1:], value) if k == path[0] else v for k, v in tree.items()}
    return [replaced(v, path[1:], value) if i == path[0] else v for i, v in enumerate(tree)]


def get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


@pytest.mark.parametrize('func, make, data', [(two_groups, groups_params, DATA),
                                              (two_layers, layer_params, X)])
def test_a_dict_of_lists_of_dicts(func, make, data):
    params = make()
    g = s2sgrad.grad(func)(params, data)
    eps = 1e-6
    for path, value in leaves(params):
        value = np.asarray(value, dtype=float)
        expected = np.zeros(value.shape)
        for index in np.ndindex(*value.shape):
            step = np.zeros(value.shape)
            step[index] = eps
            up = replaced(params, path, value + step if value.ndim else float(value + eps))
            down = replaced(params, path, value - step if value.ndim else float(value - eps))
            expected[index] = (func(up, data) - func(down, data)) / (2 * eps)
        assert np.allclose(get(g, path), expected, rtol=1e-6, atol=1e-8), path
    assert leaves(make())[0][1] is not None and np.allclose(
        np.asarray(leaves(params)[0][1]), np.asarray(leaves(make())[0][1]))
