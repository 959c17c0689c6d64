"""Tuples and lists of parameters handed on to helpers that unpack them: the helper's adjoint
of such a parameter is a list, which the caller adds item by item (``s2s.add``), not with
``+`` (tuple + list raised TypeError, list + list concatenated). Checked against central
differences, reverse and forward mode, second order."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads


def layer(p, v):
    a, b = p
    return np.tanh(a * v + b)


def copied_then_looped(params, x):
    p = params
    for _ in range(3):
        x = layer(p, x)
    return np.sum(x)


def passed_in_loop(params, x):
    for _ in range(2):
        x = layer(params, x)
    return np.sum(x ** 2)


def two_helpers(params, x):
    h = layer(params, x)
    return np.sum(layer(params, h) * h)


def unpacked_here_and_there(params, x):
    w, c = params
    return np.sum(layer(params, x) * w) + c


def mlp_layers(layers, x):
    for i in range(len(layers)):
        x = layer(layers[i], x)
    return np.sum(x)


PROGRAMS = [copied_then_looped, passed_in_loop, two_helpers, unpacked_here_and_there]


def _pair(rng):
    return (rng.normal(size=3), rng.normal(size=3))


@pytest.mark.parametrize('f', PROGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize('kind', [tuple, list])
def test_a_sequence_of_parameters_handed_to_a_helper(f, kind):
    rng = np.random.default_rng(0)
    params, x = kind(_pair(rng)), rng.normal(size=3)
    check_grads(f, [params, x], wrt=(0, 1), modes=('rev', 'fwd'), order=2)


@pytest.mark.parametrize('kind', [tuple, list])
def test_the_gradient_has_the_structure_of_the_argument(kind):
    rng = np.random.default_rng(1)
    params, x = kind(_pair(rng)), rng.normal(size=3)
    g = s2sgrad.grad(copied_then_looped)(params, x)
    assert type(g) is kind and len(g) == 2


def test_numbers_in_a_tuple():
    check_grads(copied_then_looped, [(1.2, 0.3), 0.5], wrt=(0, 1), modes=('rev', 'fwd'),
                order=2)


def test_a_list_of_pairs_indexed_in_a_loop():
    rng = np.random.default_rng(2)
    layers = [_pair(rng), _pair(rng)]
    check_grads(mlp_layers, [layers, rng.normal(size=3)], wrt=(0, 1), modes=('rev', 'fwd'),
                order=2)


def indexed_layer(params, v):
    return np.tanh(params[0] * v + params[1])


def indexed_in_loop(params, x):
    for _ in range(3):
        x = indexed_layer(params, x)
    return np.sum(x)


def indexed_twice(params, x):
    h = indexed_layer(params, x)
    return np.sum(indexed_layer(params, h) ** 2)


@pytest.mark.parametrize('f', [indexed_in_loop, indexed_twice], ids=lambda f: f.__name__)
@pytest.mark.parametrize('kind', [tuple, list, np.array])
def test_a_helper_that_reads_the_parameters_by_index(f, kind):
    rng = np.random.default_rng(3)
    params = kind(_pair(rng)) if kind is not np.array else rng.normal(size=(2, 3))
    check_grads(f, [params, rng.normal(size=3)], wrt=(0, 1), modes=('rev', 'fwd'), order=2)


# -- a helper that uses its list parameter whole, twice (np.stack(l) in two places): its
#    adjoint is the sum of two lists of item adjoints, not their concatenation, which lost
#    the second's items silently ------------------------------------------------------------

def stacked_twice(items):
    return np.sum(np.stack(items) ** 2) + np.sum(np.stack(items))


def display_to_helper(a, b):
    return stacked_twice([a, b])


def summed_twice(p):
    return np.sum(np.asarray(p)) * 3.0 + np.sum(np.asarray(p) ** 2)


def unpacked(p):
    a, c = p
    return a * c


def unpacked_and_whole(p):
    return unpacked(p) + summed_twice(p)


def concatenated_twice(items):
    return np.sum(np.concatenate(items) * np.concatenate(items)[::-1])


def test_a_list_used_whole_twice_by_a_helper():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=3), rng.normal(size=3)
    check_grads(display_to_helper, [a, b], wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    check_grads(stacked_twice, [[a, b]], modes=('rev', 'fwd'), order=2)
    check_grads(concatenated_twice, [(a, b[:2])], modes=('rev', 'fwd'), order=2)


def test_a_tuple_used_whole_and_unpacked():
    check_grads(unpacked_and_whole, [(0.5, -1.5)], modes=('rev', 'fwd'), order=2)
    check_grads(unpacked_and_whole, [[np.array([0.5, 2.0]), np.array([-1.5, 0.3])]],
                modes=('rev', 'fwd'), order=2)


# -- the helper copies its parameter before unpacking it, or reads its last item -------------

def affine_of_copy(params, x):
    p = params
    W, b = p
    return W @ x + b


def two_affine_calls(params, x):
    return np.sum(np.tanh(affine_of_copy(params, x))) + np.sum(affine_of_copy(params, 2.0 * x))


def first_and_last(params, x):
    return params[0] * x + params[-1]


def two_item_calls(params, x):
    return np.sum(first_and_last(params, x) ** 2) + np.sum(first_and_last(params, 2.0 * x))


@pytest.mark.parametrize('kind', [tuple, list])
def test_a_copy_unpacked_and_a_negative_index(kind):
    rng = np.random.default_rng(5)
    params = kind((rng.normal(size=(2, 2)), rng.normal(size=2)))
    x = rng.normal(size=2)
    check_grads(two_affine_calls, [params, x], wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    params = kind((rng.normal(size=2), rng.normal(size=2), rng.normal(size=2)))
    check_grads(two_item_calls, [params, x], wrt=(0, 1), modes=('rev', 'fwd'), order=2)


# -- list(params), tuple(params), list(array): copies, and the rows of an array --------------

def converted(params, x):
    ps = list(params)
    W, b = tuple(ps)
    return np.sum(np.tanh(W @ x + b))


def converted_in_helper(params, x):
    return converted(params, x) + converted(tuple(params), 2.0 * x)


def rows_of_array(X, x):
    total = 0.0
    for r in list(X):
        total = total + np.sum(np.sin(r * x))
    rows = tuple(X * x)
    return total + np.sum(np.stack(rows[::-1]) ** 2 * np.arange(3.0)[:, None])


@pytest.mark.parametrize('kind', [tuple, list])
def test_list_and_tuple_of_a_sequence(kind):
    rng = np.random.default_rng(6)
    params = kind((rng.normal(size=(2, 2)), rng.normal(size=2)))
    x = rng.normal(size=2)
    check_grads(converted, [params, x], wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    check_grads(converted_in_helper, [params, x], wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    g = s2sgrad.grad(converted)(params, x)
    assert type(g) is kind and len(g) == 2


def test_list_and_tuple_of_an_array_are_its_rows():
    rng = np.random.default_rng(7)
    check_grads(rows_of_array, [rng.normal(size=(3, 2)), rng.normal(size=2)], wrt=(0, 1),
                modes=('rev', 'fwd'), order=2)


def passed_through(p):
    return p


def unpacked_twice_through_a_helper(params, x):
    W, b = passed_through(params)
    W2, b2 = passed_through(params)
    return np.sum(np.tanh(W @ x + b)) + np.sum(W2 ** 2) * np.sum(b2)


@pytest.mark.parametrize('kind', [tuple, list])
def test_a_helper_that_returns_its_parameter_whole(kind):
    rng = np.random.default_rng(8)
    params = kind((rng.normal(size=(2, 2)), rng.normal(size=2)))
    check_grads(unpacked_twice_through_a_helper, [params, rng.normal(size=2)], wrt=(0, 1),
                modes=('rev', 'fwd'), order=2)


# -- a list whose adjoint has two parts, one from sum/max/min of the whole list ---------------

def stats(values):
    return sum(values) + max(values) * min(values)


def stats_of_a_display(x):
    return stats([x[0], x[1] * 2.0, x[2]])


def preallocated_then_summed(x):
    values = [0.0] * 3
    for i in range(3):
        values[i] = x[i] ** 2
    return sum(values) + values[2] * 3.0 + max(values)


def listed_then_reduced(x):
    values = x.tolist()
    return sum(values) * values[0] + max(values)


@pytest.mark.parametrize('f', [stats_of_a_display, preallocated_then_summed,
                               listed_then_reduced], ids=lambda f: f.__name__)
def test_two_adjoints_of_one_list_add_item_by_item(f):
    check_grads(f, [np.array([0.5, -1.0, 2.0])], modes=('rev', 'fwd'), order=2)


def test_a_list_argument_reduced_twice():
    check_grads(stats, [[0.5, -1.0, 2.0]], modes=('rev', 'fwd'), order=1)
    check_grads(stats, [(0.5, -1.0, 2.0)], modes=('rev', 'fwd'), order=1)
