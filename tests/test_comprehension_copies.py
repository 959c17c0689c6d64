"""A helper that copies its dict or list argument with a comprehension and adds to the copy
writes nothing of the caller's; one that changes the copy's items in place still writes the
caller's arrays (the items are the same arrays), and is not let through."""
import copy

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def pruned(k, tips):
    partial = {key: v for key, v in tips.items()}
    partial['root'] = partial['A'] * k
    return np.sum(partial['root'] ** 2)


def through_a_dict_copy(k, tips):
    return pruned(k, tips) + k


def extended(k, rows):
    out = [r for r in rows]
    out.append(rows[0] * k)
    return np.sum(out[-1] * out[0])


def through_a_list_copy(k, rows):
    return extended(k, rows) * 2.0


def bumped(k, tips):
    partial = {key: v for key, v in tips.items()}
    partial['A'] += k
    return np.sum(partial['A'] ** 2)


def through_an_item_change(k, tips):
    return bumped(k, tips)


def central(f, k, *rest, h=1e-6):
    return (f(k + h, *copy.deepcopy(rest)) - f(k - h, *copy.deepcopy(rest))) / (2 * h)


@pytest.mark.parametrize('f, data', [
    (through_a_dict_copy, {'A': np.array([1.0, 2.0]), 'B': np.array([0.5, -1.0])}),
    (through_a_list_copy, [np.array([1.0, 2.0]), np.array([3.0, -1.0])]),
])
def test_a_comprehension_copy_changed_by_a_helper_leaves_the_argument(f, data):
    kept = copy.deepcopy(data)
    expected = central(f, 0.7, data)
    assert np.isclose(s2sgrad.grad(f)(0.7, data), expected, rtol=1e-6)
    assert np.isclose(s2sgrad.jvp(f)(0.7, data, 1.0), expected, rtol=1e-6)
    for key in (kept if isinstance(kept, dict) else range(len(kept))):
        np.testing.assert_array_equal(data[key], kept[key])


def test_a_helper_changing_the_copys_items_in_place_is_not_let_through():
    tips = {'A': np.array([1.0, 2.0])}
    try:
        got = s2sgrad.grad(through_an_item_change)(0.7, tips)
    except S2SError:
        return
    np.testing.assert_array_equal(tips['A'], [1.0, 2.0])
    assert np.isclose(got, central(through_an_item_change, 0.7, {'A': np.array([1.0, 2.0])}))


def pruned_and_extended(tips, k):
    partial = {key: v for key, v in tips.items()}
    del partial['B']
    partial['D'] = partial['A'] * k
    return partial


def through_a_returned_copy(x, k):
    rows = [x[0:2] * 1.0, x[2:4] * 1.0]
    out = pruned_and_extended({'A': rows[0], 'B': rows[1]}, k)
    return np.sum(out['A'] * out['D'])


@pytest.mark.parametrize('wrt', [0, 1])
def test_a_helper_returning_its_pruned_copy_of_a_dict(wrt):
    # (the helper's derivative pops from its own copy of the dict cotangent, kept a dict)
    x, k = np.array([0.3, 0.7, -0.4, 1.1]), 1.3
    g = s2sgrad.grad(through_a_returned_copy, wrt=wrt)(x, k)
    if wrt == 0:
        expected = np.array([(through_a_returned_copy(x + 1e-6 * e, k) -
                              through_a_returned_copy(x - 1e-6 * e, k)) / 2e-6 for e in np.eye(4)])
    else:
        expected = (through_a_returned_copy(x, k + 1e-6) -
                    through_a_returned_copy(x, k - 1e-6)) / 2e-6
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-10)
