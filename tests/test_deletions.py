"""``del`` in differentiated functions: ``del name`` (freeing a large temporary) changes no value
and is dropped; ``del items[i]`` of a list or dict removes the item as ``items.pop(i)`` does.
``del items[a:b]`` of a list removes the same items as ``items[a:b] = []`` does
(`test_list_slice_stores`). A ``del`` of an attribute or of a slice with a step stays refused,
naming the statement. Checked against
central differences, forward against reverse, and for unchanged arguments."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

X = np.array([0.4, -0.7, 1.3])


def drops_a_temporary(x):
    big = np.outer(x, x)
    s = np.sum(big * 2.0)
    del big
    return s * x[0]


def deletes_in_a_loop(x):
    total = 0.0
    for i in range(3):
        h = np.sin(x * i)
        total = total + np.sum(h) * x[i]
        del h
    return total


def deletes_two_names(x):
    a = x * 2.0
    b = np.exp(a)
    c = np.sum(a * b)
    del a, b
    return c ** 2


def deletes_a_list_item(x):
    items = [x[0] ** 2, x[1] * x[2], np.sin(x[2])]
    del items[1]
    return items[0] * items[1] + len(items)


def deletes_the_last_item(x):
    items = [x[0], x[1] ** 3, x[2] * 2.0]
    del items[-1]
    return sum(items) * x[2]


def deletes_a_dict_entry(x):
    d = {'a': x[0] * 2.0, 'b': x[1] ** 2, 'c': np.cos(x[2])}
    del d['b']
    return d['a'] * d['c'] + len(d)


def deletes_an_argument_item(x, items):
    del items[0]
    return sum(v * x[0] for v in items) + np.sum(x ** 2)


FUNCTIONS = [drops_a_temporary, deletes_in_a_loop, deletes_two_names, deletes_a_list_item,
             deletes_the_last_item, deletes_a_dict_entry]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_del(f):
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    v = np.array([1.0, -0.5, 2.0])
    assert np.allclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('f', [drops_a_temporary, deletes_a_list_item], ids=lambda f: f.__name__)
def test_del_second_order(f):
    expected = np.array([numeric_grad(lambda v: s2sgrad.grad(f)(v)[i], X) for i in range(3)])
    assert np.allclose(s2sgrad.hessian(f)(X), expected, rtol=1e-5, atol=1e-6)


def test_del_of_an_argument_item_leaves_the_callers_list():
    items = [1.0, 2.0, 3.0]
    expected = numeric_grad(lambda x: deletes_an_argument_item(x, [1.0, 2.0, 3.0]), X)
    assert np.allclose(s2sgrad.grad(deletes_an_argument_item)(X, items), expected, rtol=1e-6)
    assert items == [1.0, 2.0, 3.0]


class Box:
    pass


def deletes_an_attribute(x, box):
    box.y = x * 2.0
    del box.y
    return np.sum(x)


def deletes_every_other_item(x):
    items = [x[0], x[1], x[2]]
    del items[::2]
    return items[0]


@pytest.mark.parametrize('f, args', [(deletes_an_attribute, (X, Box())),
                                     (deletes_every_other_item, (X,))],
                         ids=['attribute', 'extended slice'])
def test_other_del_statements_are_refused(f, args):
    with pytest.raises(UnsupportedSyntaxError, match='`del`') as info:
        s2sgrad.grad(f)(*args)
    assert 'test_deletions.py' in str(info.value)


def _drop_first(items):
    del items[:1]
    return items[0]


def _drop_first_item(items):
    del items[0]
    return items[0]


def _drop_first_of_a_copy(items):
    items = list(items)
    del items[0]
    return items[0]


def deletes_in_a_helper(x):
    parts = [x[0], x[1] * x[2]]
    r = _drop_first(parts)
    return r * parts[0]


def deletes_an_item_in_a_helper(x):
    parts = [x[0], x[1] * x[2]]
    r = _drop_first_item(parts)
    return r * parts[0]


def deletes_from_a_copy_in_a_helper(x):
    parts = [x[0], x[1] * x[2]]
    r = _drop_first_of_a_copy(parts)
    return r * parts[0]


@pytest.mark.parametrize('f', [deletes_in_a_helper, deletes_an_item_in_a_helper],
                         ids=lambda f: f.__name__)
def test_a_helper_that_deletes_from_its_list_argument_is_refused(f):
    """``del items[0]`` in a helper changes the caller's list, as ``items.pop(0)`` does (the
    gradient's forward sweep would run the helper on a copy: a wrong value and gradient)."""
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(f)(X)
    message = str(info.value)
    assert 'writes into its argument `items`' in message and 'r = _drop_first' in message


def test_a_helper_that_deletes_from_its_own_copy_is_differentiated():
    f = deletes_from_a_copy_in_a_helper
    assert np.allclose(s2sgrad.grad(f)(X), numeric_grad(f, X), rtol=1e-6, atol=1e-8)
