"""`jacobian` and `hessian` of arguments and outputs that are lists, tuples, namedtuples and dicts
of arrays and numbers (network parameters): a block per item, in the argument's structure, checked
against central differences of the function itself, in both modes."""
from collections import namedtuple

import numpy as np
import pytest

import s2sgrad
from s2sgrad.argtrees import leaves, map_leaves

RNG = np.random.default_rng(7)
PARAMS = {'W': RNG.standard_normal((2, 3)), 'b': RNG.standard_normal(2), 'scale': 1.5,
          'steps': 2, 'name': 'layer'}
X = RNG.standard_normal(3)
LAYERS = [(RNG.standard_normal((3, 3)), RNG.standard_normal(3)),
          (RNG.standard_normal((2, 3)), RNG.standard_normal(2))]
Layer = namedtuple('Layer', 'W b')


def dense(params, x):
    return np.tanh(params['W'] @ x + params['b']) * params['scale'] * params['steps']


def dense_loss(params, x):
    return np.sum(dense(params, x) ** 2)


def network(layers, x):
    for W, b in layers:
        x = np.tanh(W @ x + b)
    return {'out': x, 'total': np.sum(x), 'pair': (x[0] * 2.0, x ** 2)}


def network_loss(layers, x):
    h = x
    for W, b in layers:
        h = np.tanh(W @ h + b)
    return np.sum(h ** 2) + np.sum(x * h[0])


def layer_output(layer, x):
    return [np.sin(layer.W @ x) + layer.b, np.sum(layer.b ** 3)]


def moved(value, path, index, step):
    """`value` with the element `index` of its item at `path` moved by `step`."""
    def one(where, leaf):
        if where != path:
            return leaf
        changed = np.array(leaf, dtype=np.float64)
        changed[index] += step
        return changed if isinstance(leaf, np.ndarray) else float(changed)
    return map_leaves(one, value)


def differences(f, args, k, step=1e-6):
    """Central differences of `f` at `args` in each element of each number or array item of
    argument `k`: {item path: {output item path: block of shape out.shape + item.shape}}."""
    out = dict(leaves(f(*args)))
    found = {}
    for path, leaf in leaves(args[k]):
        if isinstance(leaf, str):
            continue
        shape = np.shape(leaf)
        columns = []
        for index in np.ndindex(shape):
            up, down = list(args), list(args)
            up[k], down[k] = moved(args[k], path, index, step), moved(args[k], path, index, -step)
            high, low = dict(leaves(f(*up))), dict(leaves(f(*down)))
            columns.append({q: (np.asarray(high[q], float) - np.asarray(low[q], float)) / (2 * step)
                            for q in out})
        found[path] = {q: np.stack([c[q] for c in columns], axis=-1).reshape(
            np.shape(out[q]) + shape) for q in out}
    return found


def at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


CASES = [(dense, (PARAMS, X)), (network, (LAYERS, X)),
         (layer_output, (Layer(*LAYERS[1]), X))]


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_each_block_against_central_differences(f, args, mode):
    got = s2sgrad.jacobian(f, mode=mode)(*args)
    want = differences(f, args, 0)
    out = f(*args)
    for path, leaf in leaves(args[0]):
        for q, y in leaves(out):
            block = at(at(got, q), path)  # (the output's structure outside, the argument's in)
            if isinstance(leaf, str):  # (an item that is no number: zeros)
                np.testing.assert_array_equal(block, np.zeros(np.shape(y)))
                continue
            assert block.shape == np.shape(y) + np.shape(leaf), (path, q)
            np.testing.assert_allclose(block, want[path][q], rtol=1e-6, atol=1e-7,
                                       err_msg=f'{path} {q}')


def test_the_structure_is_the_arguments_and_outputs():
    got = s2sgrad.jacobian(network)(LAYERS, X)
    assert type(got) is dict and list(got) == ['out', 'total', 'pair']
    assert type(got['pair']) is tuple and type(got['out']) is list
    assert type(got['out'][0]) is tuple and len(got['out']) == 2
    named = s2sgrad.jacobian(layer_output)(Layer(*LAYERS[1]), X)
    assert type(named) is list and type(named[0]) is Layer


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_a_tuple_wrt_with_a_dict_and_an_array(mode):
    got = s2sgrad.jacobian(dense, wrt=(0, 1), mode=mode)(PARAMS, X)
    assert type(got) is tuple and len(got) == 2
    want = differences(dense, (PARAMS, X), 0)
    np.testing.assert_allclose(got[0]['W'], want[('W',)][()], rtol=1e-6, atol=1e-7)
    want_x = differences(dense, (PARAMS, X), 1)[()][()]
    np.testing.assert_allclose(got[1], want_x, rtol=1e-6, atol=1e-7)


def second_differences(f, args, path, index, other, other_index, step=1e-4):
    """d2 f / d(item at `path`)[index] d(item at `other`)[other_index], by central differences."""
    def value(a, b):
        moved_args = list(args)
        moved_args[0] = moved(moved(args[0], path, index, a), other, other_index, b)
        return float(f(*moved_args))
    return (value(step, step) - value(step, -step) - value(-step, step) +
            value(-step, -step)) / (4 * step * step)


@pytest.mark.parametrize('f, args', [(dense_loss, (PARAMS, X)), (network_loss, (LAYERS, X))],
                         ids=['dense_loss', 'network_loss'])
def test_hessian_blocks_against_second_differences(f, args):
    hess = s2sgrad.hessian(f)(*args)
    items = [(path, leaf) for path, leaf in leaves(args[0]) if not isinstance(leaf, str)]
    for path, leaf in items:
        for other, item in items:
            block = at(at(hess, path), other)
            assert block.shape == np.shape(leaf) + np.shape(item)
            for index in list(np.ndindex(np.shape(leaf)))[:3]:
                for other_index in list(np.ndindex(np.shape(item)))[-2:]:
                    want = second_differences(f, args, path, index, other, other_index)
                    np.testing.assert_allclose(block[index + other_index], want, rtol=1e-4,
                                               atol=1e-5, err_msg=f'{path}{index} {other}')


def test_the_arguments_are_left_as_given():
    given = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in PARAMS.items()}
    s2sgrad.jacobian(dense, mode='fwd')(PARAMS, X)
    s2sgrad.jacobian(dense, mode='rev')(PARAMS, X)
    s2sgrad.hessian(dense_loss)(PARAMS, X)
    for key, value in given.items():
        assert np.array_equal(PARAMS[key], value) if isinstance(value, np.ndarray) else \
            PARAMS[key] == value
