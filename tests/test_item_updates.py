"""Augmented assignments into the items of lists (``acc[i] += v``) and copies of lists.

NumPy applies ``ys[0] += v`` in place to the array that is the item, so every other name of
that array sees the change; the passes write it ``ys[0] = ys[0] + v``, a new item. The two
agree while no other name holding the array is read afterwards: accumulators in a list of
zeros, items made where the list is made. They differ when the list is a copy of another
(``xs.copy()``, ``xs[:]``, ``list(xs)``, ``copy.copy(xs)``, ``xs + []``; ``dict(p)`` and
``{**p}`` of a dict, updated by any key) whose items are read afterwards,
or when a name given to the list display or appended is read afterwards: those are refused,
naming the holder. A list may also hold one array at two positions (``[a, a]``,
``[np.zeros(3)] * n``, overlapping views), which the analysis cannot tell apart: the generated
code checks that at run time and raises `InPlaceError`. Copies of lists (``xs[:]``,
``copy.copy``, ``copy.deepcopy``) are new lists: rebinding their items changes nothing else.
Accepted programs are checked against central differences in both modes and at second order,
and for their callers' arrays.
"""
import copy

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError


def items_made_with_the_list(x):
    ys = [x * 1.0, x * 2.0]
    ys[0] += x ** 2
    ys[1] *= ys[0]
    return np.sum(ys[0] * ys[1])


def accumulators(x):
    acc = [np.zeros(3), np.zeros(3)]
    for i in range(3):
        acc[i % 2] += np.sin(x * i)
    return np.sum(acc[0] * acc[1]) + np.sum(acc[1])


def running_sums(x):
    sums = [0.0, 0.0]
    for v in x:
        sums[0] += v
        sums[1] += v * v
    return sums[0] * sums[1]


def from_a_comprehension(x):
    ys = [x * k for k in range(3)]
    ys[1] -= x ** 3
    return np.sum(ys[1] * ys[2])


def another_name_of_the_list(x):
    ys = [x * 1.0, x * 2.0]
    zs = ys
    ys[0] += x
    return np.sum(zs[0] * ys[1])


def appended_without_a_name(x):
    hist = []
    hist.append(x * 1.0)
    hist.append(x * 3.0)
    hist[0] += hist[1]
    return np.sum(hist[0] ** 2)


def slice_copy_rebound(x):
    xs = [x, x * 2.0]
    ys = xs[:]
    ys[0] = ys[0] * 3.0
    return np.sum(ys[0]) + np.sum(xs[0] * ys[1])


def shallow_copy_rebound(x):
    xs = [x, x * 2.0]
    ys = copy.copy(xs)
    ys[0] = ys[0] * 3.0
    return np.sum(ys[0]) + np.sum(xs[0] * ys[1])


def deep_copy_updated(x):
    xs = [x * 1.0, x * 2.0]
    ys = copy.deepcopy(xs)
    ys[0] -= x
    return np.sum(xs[0] ** 2) + np.sum(ys[0] * ys[1])


def copied_array_written(x):
    y = copy.copy(x)
    y[0] = 2.0
    z = copy.deepcopy(x)
    z[1] = z[1] * z[2]
    return np.sum(y * x) + np.sum(z ** 2)


def last_two_kept(x):
    hist = []
    h = x
    for _ in range(5):
        h = np.tanh(h * 1.5)
        hist.append(h)
        hist = hist[-2:]
    return np.sum(hist[0] * hist[1])


ACCEPTED = [items_made_with_the_list, accumulators, running_sums, from_a_comprehension,
            another_name_of_the_list, appended_without_a_name, slice_copy_rebound,
            shallow_copy_rebound, deep_copy_updated, copied_array_written, last_two_kept]


@pytest.mark.parametrize('f', ACCEPTED, ids=lambda f: f.__name__)
def test_differentiated_in_both_modes_and_at_second_order(f):
    x = np.array([0.3, -1.2, 0.7])
    kept = x.copy()
    check_grads(f, (x,), modes=('rev', 'fwd'), order=2)
    s2sgrad.grad(f)(x)
    np.testing.assert_array_equal(x, kept)


def copy_method_then_update(x):
    xs = [x * 1.0, x * 2.0]
    ys = xs.copy()
    ys[0] *= 3.0
    return np.sum(xs[0] ** 2) + np.sum(ys[0] * ys[1])


def slice_copy_then_update(x):
    xs = [x * 1.0, x * 2.0]
    ys = xs[:]
    ys[0] += 1.0
    return np.sum(xs[0] ** 2) + np.sum(ys[0] * ys[1])


def list_call_then_update(x):
    xs = [x * 1.0, x * 2.0]
    ys = list(xs)
    ys[0] += 1.0
    return np.sum(xs[0] ** 2) + np.sum(ys[0] * ys[1])


def shallow_copy_then_update(x):
    xs = [x * 1.0, x * 2.0]
    ys = copy.copy(xs)
    ys[0] -= x
    return np.sum(xs[0] ** 2) + np.sum(ys[0] * ys[1])


def named_item_read_later(x):
    a = x * 1.0
    ys = [a, x * 2.0]
    ys[0] += 1.0
    return np.sum(a * ys[1])


def appended_name_read_later(x):
    hist = []
    h = x * 1.0
    hist.append(h)
    hist[0] += 1.0
    return np.sum(h ** 2)


def item_read_before(x):
    ys = [x * 1.0, x * 2.0]
    first = ys[0]
    ys[0] += 1.0
    return np.sum(first * ys[0])


def argument_in_the_list(x):
    ys = [x, x * 2.0]
    ys[0] += 1.0
    return np.sum(ys[0] * x)


@pytest.mark.parametrize('f, holder', [
    (copy_method_then_update, 'xs'), (slice_copy_then_update, 'xs'),
    (list_call_then_update, 'xs'), (shallow_copy_then_update, 'xs'),
    (named_item_read_later, 'a'), (appended_name_read_later, 'h'),
    (item_read_before, 'first'), (argument_in_the_list, 'x'),
], ids=lambda v: getattr(v, '__name__', v))
def test_update_of_an_item_another_name_holds_is_refused(f, holder):
    # (NumPy's in-place update reaches `holder`; each of these was computed as if it did not)
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(f)(np.array([0.3, -1.2, 0.7]))
    message = str(info.value)
    assert 'augmented assignment into an item' in message
    assert f'`{holder}` (which may hold that array)' in message
    assert f'line {f.__code__.co_firstlineno}' not in message  # (the update's own line)
    assert '+=' in message or '-=' in message or '*=' in message


def copied_argument_list(xs):
    ys = list(xs)
    ys[0] *= 3.0
    return np.sum(xs[0] * ys[0])


def test_copy_of_an_argument_list_then_update_is_refused():
    # (``xs.copy()`` of an argument is written as an array's copy: the argument may be one)
    xs = [np.array([0.3, -1.2]), np.array([0.5, 2.0])]
    with pytest.raises(UnsupportedSyntaxError, match=r'`xs` \(which may hold that array\)'):
        s2sgrad.grad(copied_argument_list)(xs)


def updated_argument_list(ws, x):
    for _ in range(2):
        for i in range(len(ws)):
            ws[i] -= 0.1 * ws[i] ** 2
    return np.sum((x @ ws[0]) * ws[1])


def test_argument_list_updated_in_a_training_loop():
    rng = np.random.default_rng(0)
    ws = [rng.normal(size=(3, 2)), rng.normal(size=(4, 2))]
    kept = [w.copy() for w in ws]
    check_grads(updated_argument_list, (ws, rng.normal(size=(4, 3))), wrt=(0, 1),
                modes=('rev', 'fwd'))
    for w, k in zip(ws, kept):
        np.testing.assert_array_equal(w, k)


def one_array_twice(x, c):
    xs = [x, x]
    ys = xs
    ys[0] -= x * c  # (NumPy changes `ys[1]` too: it is the same array)
    return np.sum(ys[0] * ys[1])


def repeated_zeros(x):
    acc = [np.zeros(3)] * 2  # (one array, twice)
    acc[0] += x
    return np.sum(acc[0] * acc[1]) + np.sum(x)


def overlapping_views(x):
    y = x * 2.0
    parts = [y[:2], y[1:]]
    parts[0] *= 3.0
    return np.sum(parts[1])


@pytest.mark.parametrize('f, args', [(one_array_twice, (0.5,)), (repeated_zeros, ()),
                                     (overlapping_views, ())],
                         ids=lambda v: getattr(v, '__name__', ''))
def test_update_of_an_item_another_item_shares_raises_at_run_time(f, args):
    # (the alias analysis cannot tell the positions of a list apart: the generated code checks)
    x = np.array([0.3, -1.2, 0.7])
    with pytest.raises(InPlaceError, match='another item of the list or dict'):
        s2sgrad.grad(f)(x, *args)


def dict_copy_updated_by_key(p):
    q = dict(p)
    for k in q:
        q[k] -= 0.1 * q[k] ** 2
    return np.sum(p['a'] * p['b'])


def dict_merge_updated_by_key(p):
    q = {**p}
    for k in ['a', 'b']:
        q[k] -= 0.1 * q[k] ** 2
    return np.sum(p['a'] * p['b'])


def sgd_step_on_a_copy(p):
    new = dict(p)
    for k in p:
        new[k] -= 0.1 * p[k]
    return np.sum(p['a'] * new['b'])


def shallow_copy_of_an_argument(p):
    q = copy.copy(p)
    q[0] += 1.0
    return np.sum(q[0] ** 3) + np.sum(p[0] ** 2)


def concatenated_with_nothing(p):
    q = p + []
    q[0] += 1.0
    return np.sum(p[0] ** 2)


def local_dict_copied(x):
    p = {'a': x * 2.0, 'b': x + 1.0}
    q = dict(p)
    for k in q:
        q[k] -= 0.1 * q[k] ** 2
    return np.sum(p['a'] * p['b'])


@pytest.mark.parametrize('f, arg', [
    (dict_copy_updated_by_key, 'dict'), (dict_merge_updated_by_key, 'dict'),
    (sgd_step_on_a_copy, 'dict'), (shallow_copy_of_an_argument, 'list'),
    (concatenated_with_nothing, 'list'), (local_dict_copied, 'array'),
], ids=lambda v: getattr(v, '__name__', v))
def test_update_through_a_shallow_copy_is_refused(f, arg):
    # (``dict(p)``, ``{**p}``, ``copy.copy(p)`` and ``p + []`` hold `p`'s arrays: NumPy's
    # ``q[k] -= v`` changes them, which `p` read afterwards sees; these were differentiated as
    # if it did not, silently wrong; from review)
    x = np.array([0.3, -1.2, 0.7])
    given = {'dict': {'a': x, 'b': x * 2.0}, 'list': [x, x * 2.0], 'array': x}[arg]
    with pytest.raises(UnsupportedSyntaxError, match=r'item of `(q|new)` while `p` \(which'):
        s2sgrad.grad(f)(given)


def deep_copy_written_into(p):
    q = copy.deepcopy(p)
    q['a'][0] = 5.0
    return np.sum(q['a'] ** 3)


def test_a_write_into_an_item_of_a_deep_copy_is_a_refusal_not_a_crash():
    # (the analysis met the deep copy's items, a location of three parts, and raised
    # ValueError from inside s2sgrad; from review)
    with pytest.raises(UnsupportedSyntaxError, match=r"a write into `q\['a'\]`"):
        s2sgrad.grad(deep_copy_written_into)({'a': np.array([0.3, -1.2, 0.7])})
