"""Helpers that copy their list argument with a whole slice (``items = items[:]``) and then
change the copy (``append``, ``del``, item stores), called with a list: the copy is the
helper's own, as with ``list(items)``. Checked against central differences in every mode,
with the caller's list unchanged; an array argument, whose ``[:]`` is a view, and an argument
the function cannot tell is a list stay refused."""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

sys.path.insert(0, os.path.dirname(__file__))
import oracle  # noqa: E402

X = np.array([0.9, -1.4, 0.6])


def _pushed(items, v):
    items = items[:]
    items.append(v)
    return items


def pushes_onto_a_copy(x):
    history = [x[0], x[1]]
    longer = _pushed(history, x[2] * 2.0)
    return longer[0] * longer[2] + sum(history) * x[1]


def _trimmed(items):
    items = items[:]
    del items[0]
    items[0] = items[0] * 3.0
    return items


def trims_a_copy(x):
    parts = [x[0], x[1], x[2]]
    rest = _trimmed(parts)
    return rest[0] * rest[1] + parts[0] * parts[1] * parts[2]


def _scaled(items, s):
    items = items[0:]
    for i in range(len(items)):
        items[i] = items[i] * s
    return items


def scales_a_copy_made_from_zero(x):
    values = [np.sin(v) for v in x]
    out = _scaled(values, x[0])
    return sum(out) * values[1]


def _rotated(rows):
    rows = rows[:]
    rows.append(rows.pop(0))
    return rows


def rotates_a_copy_of_array_rows(x):
    rows = [x * 2.0, x ** 2, np.cos(x)]
    turned = _rotated(rows)
    return np.sum(turned[0] * rows[0]) + np.sum(turned[2] * rows[2])


def keeps_a_history_in_a_loop(x):
    history = [x[0]]
    total = 0.0
    for k in range(3):
        grown = _pushed(history, history[-1] * x[1] + x[2])
        total = total + grown[-1] * grown[0]
        history.append(grown[-1] * 0.5)
    return total + len(history) * history[-1]


PROGRAMS = [pushes_onto_a_copy, trims_a_copy, scales_a_copy_made_from_zero,
            rotates_a_copy_of_array_rows, keeps_a_history_in_a_loop]


@pytest.mark.parametrize('f', PROGRAMS, ids=lambda f: f.__name__)
def test_against_differences_in_every_mode(f):
    outcome = oracle.check(f, (X.copy(),), 0, second_order=True, name=f.__name__)
    outcome.assert_ok()


def _bumped(rows):
    rows = rows[:]
    rows[0] += 1.0
    return rows


def bumps_a_view_of_an_array(x):
    a = x * 1.0
    r = _bumped(a)
    return np.sum(r * a)


def passes_its_own_argument(x, h):
    t = _trimmed(h)
    return t[0] * x[0]


def test_an_arrays_whole_slice_is_a_view_and_stays_refused():
    # (``a[:]`` of an array shares its memory: the helper's write would change `a`)
    with pytest.raises(S2SError, match='writes into its argument `rows`'):
        s2sgrad.grad(bumps_a_view_of_an_array)(X.copy())


def test_an_argument_not_known_to_be_a_list_stays_refused():
    with pytest.raises(S2SError, match='writes into its argument `items`'):
        s2sgrad.grad(passes_its_own_argument)(X.copy(), [X[0], X[1]])


def bumps_the_arrays_of_a_list(x):
    rows = [x * 2.0, x + 1.0]
    r = _bumped(rows)
    return np.sum(r[0] * rows[1]) + np.sum(rows[0] ** 2)


def test_a_copy_still_holds_the_callers_arrays():
    # (the slice copies the list, not its arrays: ``rows[0] += 1.0`` changes the caller's
    # ``rows[0]`` too, which the function reads afterwards)
    outcome = oracle.check(bumps_the_arrays_of_a_list, (X.copy(),), 0, second_order=True,
                           may_raise=True, name='bumps_the_arrays_of_a_list')
    outcome.assert_ok()


def _bumped_copy(rows):
    rows = list(rows)
    rows[0] += 1.0
    return rows


def bumps_arrays_and_drops_the_result(x):
    rows = [x * 2.0, x + 1.0]
    _ = _bumped_copy(rows)
    return np.sum(rows[0] ** 2)


def bumps_the_arrays_of_a_list_argument(x, rows):
    bumped = _bumped_copy(rows)
    return np.sum(rows[0] ** 2) * x[0] + np.sum(bumped[1]) * x[1]


def test_a_helper_adding_into_the_callers_arrays_is_refused_at_run_time():
    # (``rows[0] += 1.0`` of a list's copy changes the caller's array, which the function
    # reads afterwards: the derivative, which writes the item anew, was silently wrong, and
    # without a use of the result the call was dropped)
    with pytest.raises(S2SError, match='writes into the items of its parameter `rows`'):
        s2sgrad.grad(bumps_arrays_and_drops_the_result)(X.copy())
    with pytest.raises(S2SError, match='writes into the items of its parameter `rows`'):
        s2sgrad.jvp(bumps_arrays_and_drops_the_result)(X.copy(), np.ones(3))
    rows = [X * 1.0, X * 2.0]
    with pytest.raises(S2SError, match='writes into the items of its parameter `rows`'):
        s2sgrad.grad(bumps_the_arrays_of_a_list_argument)(X.copy(), rows)
    np.testing.assert_array_equal(rows[0], X)


def bumps_the_numbers_of_a_list(x):
    values = [x[0] * 2.0, x[1] + 1.0, x[2]]
    bumped = _bumped_copy(values)
    return bumped[0] * values[0] + bumped[1] * values[2]


def test_a_helper_adding_into_a_copy_of_numbers_is_differentiated():
    # (of a list of numbers, ``rows[0] += 1.0`` rebinds the copy's item: the caller's list
    # is as it was)
    outcome = oracle.check(bumps_the_numbers_of_a_list, (X.copy(),), 0, second_order=True,
                           name='bumps_the_numbers_of_a_list')
    outcome.assert_ok()


def bumps_constant_arrays_and_drops_the_result(x):
    weights = [np.ones(3) * 2.0, np.ones(3)]
    _ = _bumped_copy(weights)
    return np.sum(weights[0] * x ** 2)


def test_a_helper_adding_into_constant_arrays_runs_as_in_your_code():
    # (arrays that carry no derivative change as the function changes them: the call, whose
    # result nothing reads, was dropped as if it had no effect)
    outcome = oracle.check(bumps_constant_arrays_and_drops_the_result, (X.copy(),), 0,
                           second_order=True, name='bumps_constant_arrays_and_drops_the_result')
    outcome.assert_ok()


def _scale_all(ps):
    for p in ps:
        p += 1.0


def scales_the_arrays_of_a_dicts_list(x):
    weights = np.ones(3)
    d = {'k': [weights]}
    y = x * weights
    _scale_all(d['k'])
    return np.sum(y * y)


def test_a_helper_adding_into_the_arrays_of_an_item_is_refused_at_run_time():
    # (``_scale_all(d['k'])`` changed `weights`, which the backward sweep reads: silently
    # wrong before)
    with pytest.raises(S2SError, match='writes into the items of its parameter `ps`'):
        s2sgrad.grad(scales_the_arrays_of_a_dicts_list)(X.copy())
