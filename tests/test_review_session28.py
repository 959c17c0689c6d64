"""Findings of the reviews of 2026-12-04 (second session): programs users write, each checked
against central differences, or refused with the error that names the construct."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import UnsupportedSyntaxError

A = np.array([0.3, -0.8, 1.1])
B = np.array([1.0, 2.0, -0.5])
X4 = np.array([0.3, -0.5, 0.8, 1.1])


# --- a helper keeping its argument in a cache dict (CS231n's layers) ---------------------

def affine_forward(x, w):
    cache = {'x': x}
    cache['z'] = x * w
    return np.sum(cache['z']), cache


def loss_with_cache(w, x):
    out, cache = affine_forward(x, w)
    return out * np.sum(cache['x'])


def writes_through_cache(x, w):
    cache = {'x': x}
    cache['x'][0] = 5.0  # (into the argument itself)
    return np.sum(cache['x'] * w)


def loss_writing_through_cache(w, x):
    return writes_through_cache(x, w)


@pytest.mark.parametrize('wrt', [0, 1])
def test_a_new_key_in_a_cache_dict_is_no_write_into_the_argument(wrt):
    a, b = A.copy(), B.copy()
    got = s2sgrad.grad(loss_with_cache, wrt=wrt)(a, b)
    assert np.allclose(got, numerical_grad(loss_with_cache, (A, B), wrt), atol=1e-7)
    assert np.array_equal(a, A) and np.array_equal(b, B)


def test_a_write_into_the_argument_through_a_cache_dict_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='writes into its argument `x`'):
        s2sgrad.grad(loss_writing_through_cache)(A.copy(), B.copy())


# --- an alias made in a loop, the array written after it -----------------------------------

def alias_in_loop(x):
    y = x.copy()
    for i in range(2):
        y[1] = 0.5 * y[1]
        a = y
    y[0] = 3.0 * y[0]  # (`a` is `y`: it sees this)
    return a[0]


def alias_in_while(x):
    y = x.copy()
    n = 0
    while n < 2:
        y[n] = y[n] * 2.0
        last = y
        n += 1
    y[3] = y[3] ** 3
    return np.sum(last)


def best_state(x):
    state = x.copy()
    best = state
    for k in range(3):
        state[k] = np.sin(state[k]) + x[k + 1]
        best = state
    state[0] = state[0] * 10.0
    return np.sum(best ** 2)


@pytest.mark.parametrize('func', [alias_in_loop, alias_in_while, best_state])
@pytest.mark.parametrize('operator', ['grad', 'jvp', 'hvp'])
def test_an_alias_made_in_a_loop_and_written_after_it_is_refused(func, operator):
    # (its copy would hide the write after the loop: the value and gradient were wrong)
    with pytest.raises(UnsupportedSyntaxError, match='may share memory'):
        if operator == 'grad':
            s2sgrad.grad(func)(X4.copy())
        elif operator == 'jvp':
            s2sgrad.jvp(func)(X4.copy(), np.ones(4))
        else:
            s2sgrad.hvp(func)(X4.copy(), np.ones(4))


def alias_in_loop_not_written_after(x):
    y = x.copy()
    for i in range(2):
        y[1] = 0.5 * y[1]
        a = y
    return a[0] + a[1] ** 2


def test_an_alias_made_in_a_loop_and_only_read_after_it_matches_differences():
    got = s2sgrad.grad(alias_in_loop_not_written_after)(X4.copy())
    assert np.allclose(got, numerical_grad(alias_in_loop_not_written_after, (X4,), 0),
                       atol=1e-7)


# --- integer shifts of counters ------------------------------------------------------------

def shifted_series(x):
    s = 0.0
    for k in range(10):
        s = s + x / (1 << k) + x * x * (256 >> k)
    return s


def doubling(x):
    s = 0.0
    m = 1
    for _ in range(6):
        s = s + x * x / m
        m <<= 1
    return s


def shifts_a_differentiated_integer(n):
    return (n << 2) * 1.5


@pytest.mark.parametrize('func', [shifted_series, doubling])
def test_shifts_of_integers_match_differences(func):
    assert np.isclose(s2sgrad.grad(func)(0.7), numerical_grad(func, (0.7,), 0))
    assert np.isclose(s2sgrad.jvp(func)(0.7, 1.0), numerical_grad(func, (0.7,), 0))


def test_a_shift_of_a_differentiated_value_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='the operator `<<`'):
        s2sgrad.grad(shifts_a_differentiated_integer)(3)


# --- an array made anew at each pass of a loop, read by a rule needing its shape -------------

def search_concatenated(x):
    for i in range(2):
        a = np.concatenate([x[:2], x[2:]])
        if x[0] > 5.0:
            return np.sum(a)
    return np.sum(a * a)


def search_displayed(x):
    for i in range(3):
        a = np.array([x[0] * i, x[1]])
        if a[0] > 100.0:
            return a[0]
    return np.sum(a ** 2)


def search_solved(x):
    A = np.array([[2.0, 0.5, 0.0, 0.0], [0.5, 3.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.2],
                  [0.0, 0.0, 0.2, 4.0]])
    for i in range(3):
        a = np.linalg.solve(A, x * (i + 1.0))
        if np.sum(a) > 100.0:
            return np.sum(a)
    return np.sum(a ** 2)


def search_padded_and_tiled(x):
    total = 0.0
    for i in range(3):
        a = np.pad(x * i, 1)
        b = np.tile(x, 2) * i
        if x[0] > 5.0:
            total = total + np.sum(a) + np.sum(b)
            break
    return total + np.sum(a ** 2) + np.sum(b ** 3)


def concatenated_in_a_branch_then_written(x):
    y = x.copy()
    if x[0] > 0.0:
        y = y * 2.0
    else:
        y = np.concatenate([y, y])
    y[1] = y[1] * 3.0
    return np.sum(y ** 2)


@pytest.mark.parametrize('func', [search_concatenated, search_displayed, search_solved,
                                  search_padded_and_tiled, concatenated_in_a_branch_then_written])
@pytest.mark.parametrize('point', [X4, -X4], ids=['positive first', 'negative first'])
def test_an_adjoint_zero_at_a_pass_reaches_no_rule_needing_an_array(func, point):
    expected = numerical_grad(func, (point,), 0)
    for options in ({}, {'optimized': False}, {'motion': 'joint'}):
        np.testing.assert_allclose(s2sgrad.grad(func, **options)(point.copy()), expected,
                                   rtol=1e-6, atol=1e-6)
    v = np.array([0.5, -1.0, 0.25, 2.0])
    hessian_v = (s2sgrad.grad(func)(point + 1e-6 * v) - s2sgrad.grad(func)(point - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(s2sgrad.hvp(func)(point.copy(), v), hessian_v, rtol=1e-5, atol=1e-5)


def writes_in_both_branches(x):
    a = np.maximum(x, 0.3)
    a[1] = 2.0 * x[1]
    if x[0] > 0.1:
        x[3] = 2.0 * x[3]
    else:
        a[1] = 2.0 * a[1]
        x[3] = 2.0 * a[3]
    return np.sum(x ** 2)


@pytest.mark.parametrize('point', [X4, -X4], ids=['positive first', 'negative first'])
def test_reverse_over_reverse_of_writes_in_both_branches(point):
    hessian = s2sgrad.hessian(writes_in_both_branches)(point.copy())
    np.testing.assert_allclose(s2sgrad.jacobian(s2sgrad.grad(writes_in_both_branches))(
        point.copy()), hessian, atol=1e-12)
    grad = s2sgrad.grad(writes_in_both_branches)
    expected = numerical_grad(lambda z: grad(z) @ np.ones(4), (point,), 0)
    np.testing.assert_allclose(s2sgrad.grad(lambda z: grad(z) @ np.ones(4))(point.copy()),
                               expected, rtol=1e-6, atol=1e-6)


# --- a constant popped from a dict with integer keys ---------------------------------------

def pops_the_first(p):
    first = p.pop(0)
    return np.sum(first * p[1] ** 2)


def test_a_constant_popped_from_a_dict_with_integer_keys():
    got = s2sgrad.grad(pops_the_first)({0: A.copy(), 1: B.copy()})
    assert sorted(got) == [0, 1]
    np.testing.assert_allclose(got[0], B ** 2)
    np.testing.assert_allclose(got[1], 2.0 * A * B)


def test_a_constant_popped_from_a_list():
    C = A + B
    got = s2sgrad.grad(pops_the_first)([A.copy(), B.copy(), C.copy()])
    for part, expected in zip(got, [C ** 2, np.zeros(3), 2.0 * A * C]):
        np.testing.assert_allclose(part, expected)


# --- an item of a list argument read, then the item rebound ---------------------------------

def item_rebound(ws):
    a0 = ws[0]
    ws[0] = ws[0] + 1.0
    return np.sum(ws[0] * a0)


def item_added_into(ws):
    a0 = ws[0]
    ws[0] += 1.0  # (in place into the array `a0` is)
    return np.sum(ws[0] * a0)


@pytest.mark.parametrize('make', [lambda: [A.copy(), B.copy()], lambda: {0: A.copy(), 1: B.copy()}],
                         ids=['list', 'dict'])
def test_an_item_read_then_rebound_keeps_the_old_array(make):
    given = make()
    got = s2sgrad.grad(item_rebound)(given)
    np.testing.assert_allclose(got[0], 2.0 * A + 1.0)
    np.testing.assert_allclose(got[1], np.zeros(3))
    np.testing.assert_array_equal(given[0], A)


@pytest.mark.parametrize('func, make', [
    (item_rebound, lambda: np.stack([A, B])),
    (item_added_into, lambda: [A.copy(), B.copy()])], ids=['rows of an array', 'added into'])
def test_an_item_read_then_written_into_is_refused(func, make):
    with pytest.raises(s2sgrad.errors.InPlaceError, match='which `a0`'):
        s2sgrad.grad(func)(make())


# --- enumerate(..., start=) of an iterable it lowers -----------------------------------------

def weighted_from_the_end(ws):
    s = 0.0
    for i, w in enumerate(reversed(ws), start=1):
        s = s + i * np.sum(w ** 2)
    return s


def weighted_pairs(ws, vs):
    return sum(i * np.sum(w * v) for i, (w, v) in enumerate(zip(ws, vs), start=2))


def test_enumerate_with_start_of_reversed_and_zip():
    got = s2sgrad.grad(weighted_from_the_end)([A.copy(), B.copy()])
    np.testing.assert_allclose(got[0], 4.0 * A)
    np.testing.assert_allclose(got[1], 2.0 * B)
    got = s2sgrad.grad(weighted_pairs, wrt=(0, 1))([A.copy(), B.copy()], [B.copy(), A.copy()])
    np.testing.assert_allclose(got[0][0], 2.0 * B)
    np.testing.assert_allclose(got[0][1], 3.0 * A)
    np.testing.assert_allclose(got[1][0], 2.0 * A)
    np.testing.assert_allclose(got[1][1], 3.0 * B)


def extends_an_alias(x):
    ws = [x]
    ws2 = ws
    ws2 += [x * 2.0]
    return sum(np.sum(w ** 2) for w in ws)


def test_an_alias_of_a_list_extended_is_refused_as_a_list():
    with pytest.raises(s2sgrad.errors.InPlaceError, match='changes a list that `ws` shares'
                                                          r' \(`ws2` is a list'):
        s2sgrad.grad(extends_an_alias)(A.copy())


def start_rebound_in_the_body(ws, st):
    s = 0.0
    for i, w in enumerate(reversed(ws), start=st):
        s = s + i * np.sum(w ** 2)
        st = 100  # (Python read `start` once)
    return s


def start_rebound_positional(ws, st):
    s = 0.0
    for i, w in enumerate(ws, st):
        s = s + i * np.sum(w ** 2)
        st = st + 10
    return s


@pytest.mark.parametrize('func', [start_rebound_in_the_body, start_rebound_positional])
def test_enumerate_reads_its_start_once(func):
    value, got = s2sgrad.value_and_grad(func)([A.copy(), B.copy()], 1)
    assert np.isclose(value, func([A.copy(), B.copy()], 1))
    first, second = (2.0, 1.0) if func is start_rebound_in_the_body else (1.0, 2.0)
    np.testing.assert_allclose(got[0], 2.0 * first * A)
    np.testing.assert_allclose(got[1], 2.0 * second * B)


def pops_then_writes_the_key_back(p):
    a = p.pop(0)
    p[0] = a * 2.0
    return np.sum(p[0] * p[1])


def test_a_key_popped_then_written_back_into_a_dict_with_integer_keys():
    got = s2sgrad.grad(pops_then_writes_the_key_back)({0: A.copy(), 1: B.copy()})
    np.testing.assert_allclose(got[0], 2.0 * B)
    np.testing.assert_allclose(got[1], 2.0 * A)
    C = A + B  # (of a list: `p[0]` is then the former `p[1]`)
    got = s2sgrad.grad(pops_then_writes_the_key_back)([A.copy(), B.copy(), C.copy()])
    for part, expected in zip(got, [2.0 * C, np.zeros(3), 2.0 * A]):
        np.testing.assert_allclose(part, expected)
