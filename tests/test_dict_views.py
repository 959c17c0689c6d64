"""A dict's views read as values: ``list(d.values())``, ``enumerate(d.items())``,
``sorted(d.items(), key=...)``, ``sum(d.values())``, ``zip(d.keys(), d.values())`` and
``d.get(key, default)``; a view kept under a name (which shows later changes of the dict) is
refused. A loop straight over ``d.items()`` was followed; the
same views passed to ``list``, ``enumerate``, ``sorted`` or ``sum`` (autograd's
test_dict.py::test_items_values_keys) raised NoRuleError. Checked against central differences
(of a dict argument's arrays, key by key, and of an array argument's local dict), forward
mode and second order."""
import numpy as np
import pytest

import s2sgrad

D = {'item_2': np.array([0.1, 0.2]), 'item_1': np.array([0.3, -0.4]), 'b': np.array(0.7)}
X = np.array([0.4, -0.9, 1.3])


def _first(pair):
    return pair[0]


def listed_values(d):
    return sum(np.sum(np.cos(v)) for v in list(d.values()))


def enumerated_items(d):
    total = 0.0
    for i, (k, v) in enumerate(d.items()):
        total = total + np.sum(np.sin(v)) * (i + 1.0)
    return total


def sorted_items(d):
    total = 0.0
    for i, (k, v) in enumerate(sorted(d.items(), key=_first)):
        total = total + np.sum(v ** 2) * (i + 1.0)
    return total


def summed_values(d):
    return np.sum(sum(d.values()) ** 2)


def stacked_values(d):
    return np.sum(np.concatenate([np.atleast_1d(v) for v in d.values()]) ** 3)


def view_under_a_name(d):
    vals = d.values()
    total = 0.0
    for v in vals:
        total = total + np.sum(np.tanh(v))
    return total


def keys_zipped_with_values(d):
    total = 0.0
    for k, v in zip(d.keys(), d.values()):
        total = total + np.sum(v) * len(k)
    return total


def got_with_defaults(d):
    return np.sum(d.get('b', 1.0) * d.get('item_1') ** 2) + np.sum(d.get('absent', 2.0) * d['b'])


DICT_FUNCTIONS = [listed_values, enumerated_items, sorted_items, summed_values, stacked_values,
                  keys_zipped_with_values, got_with_defaults]


def numeric_dict_grad(f, d, eps=1e-6):
    out = {}
    for key, value in d.items():
        g = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            e = np.zeros_like(value)
            e[i] = eps
            up, down = dict(d), dict(d)
            up[key], down[key] = value + e, value - e
            g[i] = (f(up) - f(down)) / (2 * eps)
        out[key] = g
    return out


@pytest.mark.parametrize('f', DICT_FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_of_a_dict_argument(f):
    d = {key: value.copy() for key, value in D.items()}
    got = s2sgrad.grad(f)(d)
    expected = numeric_dict_grad(f, D)
    assert set(got) == set(D)
    for key in D:
        assert np.allclose(got[key], expected[key], rtol=1e-6, atol=1e-8), key
    assert all(np.array_equal(d[key], D[key]) for key in D)  # (left as it was)


@pytest.mark.parametrize('f', DICT_FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_mode(f):
    t = {key: np.full_like(value, 0.3) + np.arange(value.size).reshape(value.shape)
         for key, value in D.items()}
    expected = numeric_dict_grad(f, D)
    assert np.isclose(s2sgrad.jvp(f)(D, t), sum(np.sum(expected[k] * t[k]) for k in D),
                      rtol=1e-6, atol=1e-8)


def local_values(x):
    d = {'a': x[0] * x[1], 'b': np.sin(x[2]), 'c': x[1] ** 2}
    return sum(v * w for v, w in zip(d.values(), [1.0, 2.0, 3.0])) ** 2


def local_items_sorted(x):
    d = dict()
    d['z'] = x[0] * x[2]
    d['a'] = np.exp(x[1])
    total = 0.0
    for i, (key, value) in enumerate(sorted(d.items(), key=_first)):
        total = total + value * (i + 2.0) * x[i]
    return total


def local_get(x):
    d = {'a': x[0] ** 2}
    return d.get('a', 0.0) * x[1] + d.get('b', x[2]) ** 2


LOCAL_FUNCTIONS = [local_values, local_items_sorted, local_get]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', LOCAL_FUNCTIONS, ids=lambda f: f.__name__)
def test_local_dict_first_and_second_order(f):
    assert np.allclose(s2sgrad.grad(f)(X), numeric_grad(f, X), rtol=1e-6, atol=1e-8)
    v = np.array([0.5, -0.2, 0.9])
    df = s2sgrad.grad(f)
    expected = numeric_grad(lambda x: df(x) @ v, X)
    assert np.allclose(s2sgrad.hvp(f)(X, v), expected, rtol=1e-5, atol=1e-7)


def dict_returned_as_a_display(x):
    return {'a': x ** 2, 'b': np.sum(np.sin(x)), 'c': 3.0}


def dict_returned_by_name(x):
    d = {'a': x ** 2, 'b': np.sum(np.sin(x)), 'c': 3.0}
    return d


def test_a_returned_dict_display_is_the_dict_filled_by_key():
    # (`return {...}` was refused as a dict made in one call; `d = {...}; return d` was not)
    u = {'a': np.array([1.0, 2.0, 3.0]), 'b': 1.3, 'c': 0.5}
    expected = u['a'] * 2 * X + u['b'] * np.cos(X)
    for f in (dict_returned_as_a_display, dict_returned_by_name):
        np.testing.assert_allclose(s2sgrad.vjp(f)(X, u), expected, rtol=1e-12)
        t = np.array([0.2, -0.3, 0.5])
        out = s2sgrad.jvp(f)(X, t)
        np.testing.assert_allclose(out['a'], 2 * X * t, rtol=1e-12)
        assert np.isclose(out['b'], np.cos(X) @ t)


def view_kept_and_read_twice(d):
    vals = d.values()
    total = 0.0
    for v in vals:
        total = total + np.sum(v ** 2)
    for v in vals:
        total = total * 1.5 + np.sum(v)
    return total


def view_kept_then_dict_changed(d):
    vals = d.values()
    d['extra'] = d['b'] * 2.0
    return sum(np.sum(v ** 2) for v in list(vals))


@pytest.mark.parametrize('f', [view_under_a_name, view_kept_and_read_twice,
                               view_kept_then_dict_changed], ids=lambda f: f.__name__)
def test_a_view_kept_under_a_name_is_refused(f):
    # (a view shows later changes of the dict: followed as a list it gave wrong derivatives)
    with pytest.raises(s2sgrad.errors.NoRuleError, match=r'list\(d\.values\(\)\)'):
        s2sgrad.grad(f)({key: value.copy() for key, value in D.items()})


class Measures:
    """Not a dict: its `values()` is a number."""

    def __init__(self, scale):
        self.scale = scale

    def values(self):
        return np.float64(self.scale * 2.0)


MEASURES = Measures(1.5)


def values_of_an_object(x):
    return np.sum(x ** 2) * float(MEASURES.values()) + np.log(MEASURES.values()) * x[1]


def test_values_of_an_object_that_is_no_dict():
    expected = 2 * X * 3.0 + np.array([0.0, np.log(3.0), 0.0])
    assert np.allclose(s2sgrad.grad(values_of_an_object)(X), expected)


def got_twice(p, x):
    return np.sum(p.get('W') @ x) + np.sum(p.get('b') ** 2)


def values_twice(p, x):
    return np.sum(sum(p.values()) ** 2) + np.sum(list(p.values())[0] @ x)


@pytest.mark.parametrize('f', [got_twice, values_twice], ids=lambda f: f.__name__)
def test_a_dict_argument_read_twice_through_its_methods(f):
    params = {'W': np.array([[0.3, -0.2], [0.5, 0.1]]), 'b': np.array([0.7, 0.4])}
    x = np.array([0.6, -1.1])
    got = s2sgrad.grad(f)(params, x)
    expected = numeric_dict_grad(lambda p: f(p, x), params)
    for key in params:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, atol=1e-8)


def got_a_list_default(x):
    d = {'b': x[1]}
    return d.get('a', [x[0], 1.0])[0] * x[2] + d.get('b', [0.0])


def test_get_with_a_list_default():
    expected = numeric_grad(got_a_list_default, X)
    assert np.allclose(s2sgrad.grad(got_a_list_default)(X), expected, rtol=1e-6, atol=1e-8)
    t = np.array([0.5, -0.3, 1.2])
    assert np.isclose(s2sgrad.jvp(got_a_list_default)(X, t), expected @ t, rtol=1e-8)
    v = np.array([0.2, 0.7, -0.4])
    df = s2sgrad.grad(got_a_list_default)
    assert np.allclose(s2sgrad.hvp(got_a_list_default)(X, v),
                       numeric_grad(lambda y: df(y) @ v, X), rtol=1e-5, atol=1e-7)


class Table:
    """Not a dict: its `get` computes from its argument."""

    def get(self, x):
        return x ** 2


TABLE = Table()


def got_from_an_object(x, table):
    return np.sum(table.get(x)) + np.sum(TABLE.get(x[:2]))


def test_get_of_an_object_that_is_no_dict_is_refused():
    # (the dict rule gave its argument no derivative: a silent zero)
    with pytest.raises(s2sgrad.errors.S2SError, match=r'`\.get\(\)` of a Table'):
        s2sgrad.grad(got_from_an_object)(X, Table())
    with pytest.raises(s2sgrad.errors.S2SError, match=r'`\.get\(\)` of a Table'):
        s2sgrad.jvp(got_from_an_object)(X, Table(), np.ones(3))
