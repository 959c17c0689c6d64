"""Slice assignments that change a list's length (``lst[1:2] = [a, b]``,
``lst[:] = lst[-2:]``, ``lst[i:i] = [v]``, ``lst[2:] = []``, ``del lst[:1]``), as users write
them: checked against central differences in every mode (reverse, forward, forward over
reverse), reverse over reverse against second differences, with the caller's lists and arrays
unchanged. Arrays written through a parameter that may be a list get the same code, which
finds at run time that nothing changed length."""
import copy
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

sys.path.insert(0, os.path.dirname(__file__))
import oracle  # noqa: E402

X = np.array([0.7, -1.3, 0.4])


def grows_in_the_middle(x):
    parts = [x[0], 2.0 * x[1], 3.0 * x[2]]
    parts[1:2] = [x[0] * x[1], x[2] * 5.0]
    return parts[0] * parts[1] + parts[2] * parts[3]


def shrinks_to_one(x):
    parts = [x[0], x[1] ** 2, x[2] * x[0], np.sin(x[1])]
    parts[1:3] = [x[2] ** 3]
    total = 0.0
    for v in parts:
        total = total + v * v
    return total


def inserts_without_replacing(x):
    parts = [x[0], x[1], x[2]]
    parts[1:1] = [x[0] * x[2], 0.5]
    total = 0.0
    for i in range(len(parts)):
        total = total + parts[i] * (i + 1)
    return total


def replaces_everything(x):
    parts = [x[0], 2.0 * x[1], 3.0 * x[2]]
    parts[:] = [x[0] * x[1] * 7.0]
    return parts[0] + len(parts)


def drops_the_tail(x):
    parts = [x[0] * 2.0, np.exp(x[1]), x[2]]
    parts[2:] = []
    return sum(parts) * x[2]


def grows_at_a_negative_start(x):
    parts = [x[0], x[1], x[2]]
    parts[-1:] = [x[2], x[2] * x[0]]
    return parts[2] * parts[3] + parts[0]


def writes_past_the_end(x):
    parts = [x[0], x[1]]
    parts[5:] = [x[2] * 3.0]
    return parts[0] * parts[2] + parts[1]


def stores_between_variable_bounds(x, lo=1, hi=3):
    parts = [x[0], x[1], x[2], x[0] * x[1]]
    parts[lo:hi] = [x[2] ** 3]
    return parts[0] + parts[1] * parts[2]


def stores_constants_that_shrink_it(x):
    parts = [x[0], x[1] * 2.0, x[2] * 3.0]
    parts[0:2] = [1.5]
    return parts[0] * parts[1]


def stacks_it_afterwards(x):
    parts = [x[0], x[1], x[2]]
    parts[1:] = [x[1] * x[2]]
    return np.sum(np.array(parts) ** 2)


def deletes_then_inserts(x):
    parts = [x[0], x[1] * 2.0, x[2] * 3.0]
    parts[1:2] = []
    parts[0:0] = [x[1] * 4.0]
    return parts[0] * parts[1] * parts[2]


def slices_with_step_one(x):
    parts = [x[0], x[1], x[2]]
    parts[0:1:1] = [x[0], x[1] * x[2]]
    return parts[1] * parts[3]


def grows_in_a_loop(x):
    parts = [x[0]]
    for i in range(3):
        parts[i:i] = [x[1] * (i + 2), x[2] * x[0]]
    total = 0.0
    for k, v in enumerate(parts):
        total = total + v * (k + 1)
    return total


def keeps_a_window_of_history(x):
    history = []
    for i in range(5):
        history.append(x[i % 3] * (i + 1))
        history[:] = history[-2:]
    return history[0] * history[1]


def squares_in_place(x):
    parts = [x[0], x[1], x[2]]
    parts[:] = [v * v for v in parts]
    return parts[0] + parts[1] * parts[2]


def _splice(parts, x):
    parts[1:2] = [x[0], x[1] * x[2]]
    return parts


def splices_in_a_helper(x):
    parts = [x[2], 2.0 * x[0], 3.0 * x[1]]
    parts = _splice(parts, x)
    return parts[1] * parts[3] + parts[2]


def deletes_a_slice(x):
    parts = [x[0] * 2.0, x[1], x[2] ** 2, x[0] * x[1]]
    del parts[1:3]
    return parts[0] * parts[1]


def deletes_the_oldest_in_a_loop(x):
    window = []
    for i in range(6):
        window.append(np.sin(x[i % 3]) * (i + 1))
        if len(window) > 3:
            del window[:1]
    return window[0] * window[1] + window[2]


def splices_then_extends(x):
    parts = [x[0], x[1] * x[2]]
    parts[1:2] = [x[2], x[0] * x[1]]
    parts.extend([x[1], 2.0 * x[2]])
    parts += [x[0] ** 2]
    return parts[0] * parts[3] + parts[4] * parts[5] + parts[2]


def extends_a_slice_in_place(x):
    parts = [x[0], x[1] * x[2]]
    parts[1:2] += [x[2] * 7.0]
    return parts[0] * parts[2] + parts[1]


def splices_in_a_range(x):
    parts = [x[0], x[1] * x[2], x[2] ** 3]
    parts[1:2] = range(3)
    return parts[0] * parts[4] + parts[2] * x[1]


def rolls_a_window(x):
    window = [x[0], x[1], x[2]]
    for step in range(4):
        window[:] = window[1:] + [window[0] * x[step % 3]]
    return window[0] * window[1] + window[2]


def writes_an_arrays_items_into_it(x):
    parts = [x[0], x[1] ** 2, x[2]]
    parts[0:2] = x[:2] * x[2]
    return parts[0] * parts[1] + parts[2]


def splices_in_an_arrays_rows(x):
    rows = [x[0] * x, x[1] * x]
    rows[1:1] = np.outer(x, x)[:2] * 2.0
    return sum(np.sum(r * r) for r in rows)


def grows_a_copy_each_step(x):
    state = [x[0], x[1]]
    for k in range(3):
        new = state[:]
        new[1:] = [state[1] * x[2], state[0] * x[k]]
        state = new
    return state[0] * state[-1] + len(state)


def doubles_with_a_copy(x):
    parts = [x[0], x[1] * x[2], x[2]]
    parts[1:1] = list(parts)
    return parts[0] * parts[1] + parts[4] * parts[5]


def writes_itself_whole(x):
    parts = [x[0], x[1] * x[2], x[2]]
    parts[:] = parts
    return parts[0] * parts[1]


PROGRAMS = [writes_an_arrays_items_into_it, splices_in_an_arrays_rows, grows_a_copy_each_step,
            splices_then_extends, extends_a_slice_in_place, splices_in_a_range, rolls_a_window,
            doubles_with_a_copy, writes_itself_whole, deletes_a_slice, deletes_the_oldest_in_a_loop,
            grows_in_the_middle, shrinks_to_one, inserts_without_replacing, replaces_everything,
            drops_the_tail, grows_at_a_negative_start, writes_past_the_end,
            stores_between_variable_bounds, stores_constants_that_shrink_it, stacks_it_afterwards,
            deletes_then_inserts, slices_with_step_one, grows_in_a_loop, keeps_a_window_of_history,
            squares_in_place, splices_in_a_helper]


@pytest.mark.parametrize('f', PROGRAMS, ids=lambda f: f.__name__)
def test_against_differences_in_every_mode(f):
    outcome = oracle.check(f, (X.copy(),), 0, second_order=True, name=f.__name__)
    outcome.assert_ok(None)
    assert {'rev', 'raw', 'fwd', 'hvp'} <= set(outcome.checked), outcome.describe()


def _second_difference(f, x, h=1e-4):
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            out[i, j] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) +
                         f(x - e_i - e_j)) / (4 * h * h)
    return out


@pytest.mark.parametrize('f', [grows_in_the_middle, shrinks_to_one, writes_past_the_end,
                               deletes_then_inserts, slices_with_step_one, stacks_it_afterwards],
                         ids=lambda f: f.__name__)
def test_reverse_over_reverse(f):
    """The gradient's restore, ``lst[lst_at] = lst_old``, is a slice assignment that changes
    the length back: differentiated again, it is followed as one."""
    def first(x, k):
        return s2sgrad.grad(f)(x)[k]
    rows = [s2sgrad.grad(first)(X.copy(), k) for k in range(3)]
    np.testing.assert_allclose(np.array(rows), _second_difference(f, X), rtol=1e-5, atol=1e-6)


def test_the_printed_gradient_finds_where_the_items_went():
    lines = [line.strip() for line in s2sgrad.grad(grows_in_the_middle).source.splitlines()]
    at = 'parts_at = s2s.written_at(parts, slice(1, 2, None), items)'
    assert 'parts_old = s2s.copy(parts[1:2])' in lines and at in lines
    assert lines.index(at) < lines.index('parts[1:2] = items')
    assert 'bitems = s2s.read_at(bparts, parts_at, items)' in lines
    assert 'bparts = s2s.zero_at(bparts, parts_at, parts_old)' in lines
    assert 'parts[parts_at] = parts_old' in lines


def test_a_list_made_before_keeps_only_the_shapes_of_what_it_replaces():
    """``new = state[:]`` then ``new[1:] = [...]`` in a loop: nothing reads the values the
    write replaces again, so the forward sweep keeps their shapes, and puts nothing back."""
    lines = [line.strip() for line in s2sgrad.grad(grows_a_copy_each_step).source.splitlines()]
    assert 'new_stack.append(s2s.meta(new[1:]))' in lines
    assert not any(line.startswith('new[new_at] =') for line in lines)


def deletes_from_a_list_argument(parts, w):
    del parts[:2]
    return parts[0] * w + len(parts)


def test_a_slice_deleted_from_a_list_argument_leaves_the_callers_list():
    parts = [1.0, 2.0, 3.0, 4.0]
    g_parts, g_w = s2sgrad.grad(deletes_from_a_list_argument, wrt=(0, 1))(parts, 1.3)
    assert parts == [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(g_parts, [0.0, 0.0, 1.3, 0.0])
    np.testing.assert_allclose(g_w, 3.0)


def splices_a_list_argument(parts, w):
    parts[0:1] = [w, w * w]
    return parts[0] * parts[1] + parts[2] * parts[3]


def test_a_list_argument_is_spliced_and_left_as_it_was():
    parts = [1.0, 2.0, 3.0]
    kept = copy.deepcopy(parts)
    g_parts, g_w = s2sgrad.grad(splices_a_list_argument, wrt=(0, 1))(parts, 1.3)
    assert parts == kept
    # d/dparts: parts[0] is replaced (zero), parts[1] * parts[2] reads parts[1] and parts[2]
    np.testing.assert_allclose(g_parts, [0.0, 3.0, 2.0])
    np.testing.assert_allclose(g_w, 1.3 * 1.3 + 2 * 1.3 * 1.3)


def writes_an_array_argument(y, x):
    y[1:3] = x * 2.0
    return np.sum(y ** 2) * x[0]


def writes_a_list_into_an_argument(y, x):
    y[1:3] = [x[0] * 2.0, x[1] ** 2]
    return np.sum(y ** 2) * x[0]


@pytest.mark.parametrize('f', [writes_an_array_argument, writes_a_list_into_an_argument],
                         ids=lambda f: f.__name__)
def test_an_array_argument_keeps_its_slices_where_they_are(f):
    """A parameter given a list (``y[1:3] = [a, b]``) may be a list: its slice assignment
    gets the general code, and given an array, ``s2s.written_at`` gives the slice back; given
    an array's values, it is taken as an array, and its code is that of arrays."""
    y, x = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.5])
    outcome = oracle.check(f, (y, x), (0, 1), second_order=True)
    outcome.assert_ok(None)
    assert {'rev', 'fwd'} <= set(outcome.checked), outcome.describe()
    general = 's2s.written_at(' in s2sgrad.grad(f, wrt=(0, 1)).source
    assert general == (f is writes_a_list_into_an_argument)


def test_an_array_argument_compiles_with_numba():
    pytest.importorskip('numba', reason='the compiled path needs numba (the numba extra)')
    y, x = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.5])
    plain = s2sgrad.grad(writes_an_array_argument, wrt=(0, 1))(y.copy(), x.copy())
    compiled = s2sgrad.grad(writes_an_array_argument, wrt=(0, 1), compile='numba')(
        y.copy(), x.copy())
    for a, b in zip(plain, compiled):
        np.testing.assert_allclose(b, a)


def splices_an_iterator(x):
    parts = [x[0], x[1], x[2]]
    parts[0:1] = map(float, [1.0, 2.0])
    return parts[1] * parts[3]


def splices_a_list_a_method_returned(x):
    parts = x.tolist()
    parts[0:1] = [x[0] * 2.0, 1.0]
    return parts[0] * parts[1] + parts[3]


def splices_its_own_list_of_a_method(x):
    parts = list(x.tolist())
    parts[0:1] = [x[0] * 2.0, 1.0]
    return parts[0] * parts[1] + parts[3]


def test_a_list_a_call_returned_says_to_make_it_a_list():
    """``x.tolist()`` may be a list or a number: the splice of what it returns is refused,
    saying to make it a list; made so, it is differentiated."""
    with pytest.raises(S2SError) as info:
        s2sgrad.grad(splices_a_list_a_method_returned)(X.copy())
    assert 'write `lst = list(...)`' in str(info.value)
    outcome = oracle.check(splices_its_own_list_of_a_method, (X.copy(),), 0, name='own list')
    outcome.assert_ok(None)
    assert 'rev' in outcome.checked


def doubles_itself(x):
    parts = [x[0], x[1], x[2]]
    parts[1:1] = parts
    return parts[0] * parts[1] + parts[4] * parts[5]


@pytest.mark.parametrize('f, says, line', [
    (splices_an_iterator, ['slice assignment of a map to a list', 'list(...)'],
     'parts[0:1] = map(float, [1.0, 2.0])'),
    (doubles_itself, ['into itself', '`lst[1:1] = list(lst)`'], 'parts[1:1] = parts')],
    ids=['iterator', 'itself'])
def test_splices_it_cannot_follow_are_refused_with_advice(f, says, line):
    with pytest.raises(S2SError) as info:
        s2sgrad.grad(f)(X.copy())
    message = str(info.value)
    assert all(text in message for text in says) and line in message


def test_a_list_splice_under_numba_is_refused_naming_the_line():
    """Compiled code writes no slice of a list (numba has no lists of differentiated items'
    adjoints): the refusal names the line of the splice, as for the other list writes."""
    pytest.importorskip('numba', reason='the compiled path needs numba (the numba extra)')
    with pytest.raises(S2SError) as info:
        s2sgrad.grad(grows_in_the_middle, compile='numba')(X.copy())
    assert 'in the derivative of the line `parts[1:2] = [x[0] * x[1], x[2] * 5.0]`' in \
        str(info.value)
