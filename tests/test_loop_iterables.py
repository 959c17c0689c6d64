"""Loops over the iterables users write: ``enumerate(xs, start)``, ``enumerate(zip(a, b))``,
``reversed(xs)`` of a list or an array (each becomes an index loop over the sequence). Checked
against central differences, forward against reverse mode, second order."""
import itertools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError


def counted_from_one(xs):
    total = 0.0
    for i, x in enumerate(xs, 1):
        total = total + i * np.sin(x)
    return total


def counted_by_keyword(xs):
    total = 0.0
    for k, x in enumerate(xs, start=len(xs) - 1):
        total = total * 0.5 + k * x ** 2
    return total


def reversed_array(xs):
    h = 1.0
    for x in reversed(xs):
        h = np.tanh(h * x + 0.1)
    return h


def reversed_list(x):
    rows = [x[0] * 2.0, x[1] ** 2, x[2]]
    acc = 0.0
    for r in reversed(rows):
        acc = acc * 0.7 + np.sin(r)
    return acc


def enumerated_pairs(x):
    acc = 0.0
    for i, (a, b) in enumerate(zip(x[:2], x[1:])):
        acc = acc + (i + 1) * a * b
    return acc


def rows_counted(X):
    acc = 0.0
    for j, row in enumerate(X, 2):
        acc = acc + j * np.sum(row ** 2)
    return acc


@pytest.mark.parametrize('f', [counted_from_one, counted_by_keyword, reversed_array,
                               reversed_list, enumerated_pairs], ids=lambda f: f.__name__)
def test_loop_over_vector(f):
    check_grads(f, [np.array([0.5, -1.3, 2.0])], modes=('rev', 'fwd'), order=2)


def test_rows_counted_from_two():
    check_grads(rows_counted, [np.arange(6.0).reshape(3, 2) * 0.2], modes=('rev', 'fwd'),
                order=2)


def counted_keys(p, x):
    total = 0.0
    for i, k in enumerate(p):
        total = total + (i + 1) * np.sum(p[k] * x)
    return total


def keys_backwards(p, x):
    total = 0.0
    for k in reversed(p):
        total = total * 0.5 + np.sum(np.sin(p[k]) * x)
    return total


@pytest.mark.parametrize('f', [counted_keys, keys_backwards], ids=lambda f: f.__name__)
def test_keys_of_a_dict(f):
    p = {'b': np.array([0.3, -0.2]), 'a': np.array([1.1, 0.4])}
    x = np.array([0.7, -1.5])
    g = s2sgrad.grad(f)(p, x)
    for k in p:
        want = np.zeros(2)
        for j in range(2):
            e = np.zeros(2)
            e[j] = 1e-6
            up, down = dict(p), dict(p)
            up[k], down[k] = p[k] + e, p[k] - e
            want[j] = (f(up, x) - f(down, x)) / 2e-6
        np.testing.assert_allclose(g[k], want, rtol=1e-6, atol=1e-8)
    check_grads(f, [p, x], wrt=(1,), modes=('rev', 'fwd'), order=2)


def grown_while_looped(x):
    xs = [x[0], x[1]]
    for i, xi in enumerate(xs):
        if i < 2:
            xs.append(xi * 2.0)  # (Python visits the items added)
    return sum(xs)


def test_a_loop_over_a_list_its_body_grows_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='makes longer or shorter'):
        s2sgrad.grad(grown_while_looped)(np.array([0.5, -1.0]))


# ------------------------------- iterables with no length: read into a list before the loop

def pair_energy(P):
    e = 0.0
    for i, j in itertools.combinations(range(len(P)), 2):
        d = P[i] - P[j]
        e = e + 1.0 / np.sqrt(np.sum(d * d))
    return e


def grid_sum(X):
    s = 0.0
    for idx in np.ndindex(X.shape):
        s = s + X[idx] ** 2 * (idx[0] + 1)
    return s


def evens(n):
    return (k * 2 for k in range(n))


def from_a_generator(X):
    s = 0.0
    for k in evens(3):
        s = s + np.sum(X ** (k + 1))
    return s


def over_a_map(X):
    s = 0.0
    for k in map(int, [1.0, 2.0]):
        s = s + X.flat[k] ** 2
    return s


def flat_items(X):
    s = 0.0
    for v in X.flat:
        s = s + v ** 3
    return s + X.flat[0] * X.flat[3]


@pytest.mark.parametrize('f', [pair_energy, grid_sum, from_a_generator, over_a_map,
                               flat_items])
def test_iterators_and_flat(f):
    P = np.array([[0.0, 0.1], [1.0, 0.5], [0.2, 1.3]])
    check_grads(f, (P,), modes=('rev', 'fwd'), order=2)


def squared(t):
    return t * t


def over_map_of_a_function(x):
    s = 0.0
    for v in map(squared, x):
        s = s + v ** 1.5
    return s


def over_map_of_a_lambda(x, y):
    s = 0.0
    for v in map(lambda a, b: a * np.sin(b), x, y):
        s = s + v
    return s


def test_loops_over_map():
    x = np.array([0.5, 1.2, 2.0])
    check_grads(over_map_of_a_function, (x,), modes=('rev', 'fwd'), order=2)
    check_grads(over_map_of_a_lambda, (x, x + 1.0), modes=('rev', 'fwd'), order=2)


def indices(n):
    for k in range(n):
        yield k


def doubled(x):
    for v in x:
        yield v * 2.0


def over_generator_of_indices(x):
    s = 0.0
    for k in indices(len(x)):
        s = s + x[k] ** 2
    return s


def over_generator_of_values(x):
    s = 0.0
    for v in doubled(x):
        s = s + v ** 2
    return s


def test_generator_functions():
    check_grads(over_generator_of_indices, (np.array([1.0, 2.0]),), modes=('rev', 'fwd'))
    with pytest.raises(UnsupportedSyntaxError, match='generator function'):
        s2sgrad.grad(over_generator_of_values)(np.array([1.0, 2.0]))


def zipped_pairs_unpacked_in_body(x):
    s = 0.0
    for pair in zip(x, x[::-1]):
        s = s + pair[0] * pair[1] ** 2
    return s


def zipped_into_a_list(x):
    pairs = list(zip(x, x[::-1]))
    s = 0.0
    for a, b in pairs:
        s = s + a * b ** 2
    return s


def counted_backwards(x):
    s = 0.0
    for i, v in enumerate(reversed(x)):
        s = s + (i + 1) * v ** 3
    return s


def enumerated_into_a_list(x):
    s = 0.0
    for k, v in list(enumerate(x, 1)):
        s = s + k * np.sin(v)
    return s


def enumerated_pairs_as_one(X):
    s = 0.0
    for item in enumerate(zip(X[0], X[1])):
        s = s + item[0] * item[1][0] * item[1][1]
    return s


def reversed_into_a_tuple(x):
    ys = tuple(reversed(x))
    return ys[0] * 2.0 + ys[1] ** 2 * ys[-1]


def rows_zipped_in_a_comprehension(X):
    return sum(r @ s for r, s in list(zip(X, X[::-1])))


@pytest.mark.parametrize('f', [zipped_pairs_unpacked_in_body, zipped_into_a_list,
                               counted_backwards, enumerated_into_a_list,
                               reversed_into_a_tuple], ids=lambda f: f.__name__)
def test_zip_enumerate_reversed_consumed_whole(f):
    check_grads(f, (np.array([0.5, -1.2, 2.0, 0.3]),), modes=('rev', 'fwd'), order=2)


@pytest.mark.parametrize('f', [enumerated_pairs_as_one, rows_zipped_in_a_comprehension],
                         ids=lambda f: f.__name__)
def test_zip_of_rows_consumed_whole(f):
    X = np.array([[0.5, -1.2, 2.0], [0.3, 1.1, -0.4]])
    check_grads(f, (X,), modes=('rev', 'fwd'), order=2)


def zip_kept_under_a_name(x):
    pairs = zip(x, x ** 2)
    first = list(pairs)
    second = list(pairs)  # (empty: the iterator is spent)
    return sum(a * b for a, b in first) + len(second)


def test_an_iterator_kept_under_a_name_is_not_made_a_list():
    # a list would give the items again on the second pass; the iterator object has no
    # derivative rule, so this stays loud
    with pytest.raises(s2sgrad.errors.NoRuleError, match='zip'):
        s2sgrad.grad(zip_kept_under_a_name)(np.array([0.5, 1.0]))


SCALES = {1.0, 2.0}


class Weight(__import__('enum').Enum):
    SMALL = 1.0
    LARGE = 2.0


def over_a_global_set(x):
    s = 0.0
    for v in SCALES:
        s = s + v * np.sum(x ** 2)
    return s


def over_an_enum(x):
    s = 0.0
    for member in Weight:
        s = s + member.value * np.sum(x ** 2)
    return s


@pytest.mark.parametrize('f', [over_a_global_set, over_an_enum])
def test_loops_over_globals_no_position_indexes(f):
    # (a set, an enum's members: read as a list of what the loop visits, not indexed)
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(s2sgrad.grad(f)(x), 6.0 * x)
    check_grads(f, (x,))
