"""Findings of the fuzzer's statement programs and the reviews of 2026-12-05: programs users
write, each checked against central differences, or refused with the error that names the
construct."""
import copy
import heapq
import operator
import random

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, NoRuleError, S2SError, UnsupportedSyntaxError

X4 = np.array([0.4, 0.07, -0.6, -0.58])
V4 = np.array([0.3, -1.0, 0.5, 0.7])


def _hessian_v(func, point, v):
    """H v by central differences of central differences (no gradient of ours involved)."""
    def gradient(z):
        return numerical_grad(func, (z,), 0, eps=1e-4)
    return (gradient(point + 1e-4 * v) - gradient(point - 1e-4 * v)) / 2e-4


def _matches(func, point, operators=('grad', 'raw', 'joint', 'jvp', 'hvp')):
    """Each operator of `func` at `point` against differences; the caller's array unchanged."""
    expected = numerical_grad(func, (point,), 0)
    for name in operators:
        given = point.copy()
        if name == 'jvp':
            got, want = s2sgrad.jvp(func)(given, V4.copy()), expected @ V4
        elif name == 'hvp':
            got, want = s2sgrad.hvp(func)(given, V4.copy()), _hessian_v(func, point, V4)
        else:
            options = {'raw': {'optimized': False}, 'joint': {'motion': 'joint'}}.get(name, {})
            got, want = s2sgrad.grad(func, **options)(given), expected
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=name)
        assert np.array_equal(given, point), name


# --- an adjoint None at some passes of a loop, the number 0.0 at others ---------------------

def concatenated_each_pass_read_in_a_branch(x):
    for i in range(3):
        a = np.concatenate([x[:2], x[2:]])
    if np.sum(x) > 0.1:
        x = np.exp(-a ** 2)
    return np.sum(x ** 2)


def stacked_each_pass_written_before(x):
    x = x.copy()
    for i in range(3):
        x[3] = 0.5 * x[3]
        a = np.stack([x[:2], x[2:]])
    if x[0] > 0.1:
        return np.sum(np.sin(a))
    return np.sum(x ** 2)


def solved_each_pass_read_in_a_branch(x):
    m = np.array([[2.0, 0.5], [0.5, 3.0]])
    for i in range(2):
        a = np.linalg.solve(m, x[:2] * (i + 1.0))
    if x[1] > 0.0:
        return np.sum(a ** 2) + np.sum(x)
    return np.sum(x ** 2)


def multiplied_each_pass_read_after(x):
    m = np.array([[2.0, 0.5, 0.0, 0.0], [0.5, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.2],
                  [0.0, 0.0, 0.2, 3.0]])
    for i in range(3):
        a = (m @ x) * 0.5  # (the adjoint of `m @ x`, 0.0 at a pass, reaches matmul's rule)
        if a[0] > 100.0:
            return np.sum(a)
    return np.sum(a ** 2)


def outer_product_each_pass(x):
    x = x.copy()
    x[1] = np.sum(x) * x[1]
    for i in range(3):
        a = np.outer(x, x) @ x * 0.1
    return np.sum(a ** 2) + float(a[0])


@pytest.mark.parametrize('func', [concatenated_each_pass_read_in_a_branch,
                                  stacked_each_pass_written_before,
                                  solved_each_pass_read_in_a_branch,
                                  multiplied_each_pass_read_after, outer_product_each_pass])
@pytest.mark.parametrize('point', [X4, -X4], ids=['branch taken', 'branch not taken'])
def test_an_adjoint_none_or_zero_reaches_no_rule_needing_an_array(func, point):
    _matches(func, point)


# --- an alias, an augmented assignment NumPy applies in place, a write through the alias ----

def alias_added_into_then_written(x):
    x[1] *= 2.0
    a = x
    x += x * 0.5  # (into the array `a` is)
    a[2] *= 3.0
    return np.sum(x ** 2)


def alias_of_a_copy_multiplied_then_written(x):
    y = x.copy()
    a = y
    y *= 1.5
    a[0] = a[0] * 3.0
    return np.sum(y ** 2) + np.sum(a)


def alias_read_after_the_addition(x):
    x[1] *= 2.0
    a = x
    x += x * 0.5
    return np.sum(a ** 2)


@pytest.mark.parametrize('func', [alias_added_into_then_written,
                                  alias_of_a_copy_multiplied_then_written,
                                  alias_read_after_the_addition])
@pytest.mark.parametrize('op', ['grad', 'raw', 'joint', 'jvp', 'hvp'])
def test_an_alias_sees_an_augmented_assignment_or_is_refused(func, op):
    try:
        _matches(func, X4, (op,))
    except S2SError as exc:
        assert 'share' in str(exc) or 'alias' in str(exc), exc


def alias_added_into_in_a_loop_then_argument_written(x):
    a = x
    for i in range(2):
        a += a * 0.5  # (into the argument's array, which `x` is)
    x[1] *= 2.0
    return np.sum(x ** 2)


@pytest.mark.parametrize('op', ['grad', 'raw', 'joint', 'jvp', 'hvp'])
def test_an_alias_added_into_in_a_loop_is_seen_by_the_array_or_refused(op):
    try:
        _matches(alias_added_into_in_a_loop_then_argument_written, X4, (op,))
    except S2SError as exc:
        assert 'share' in str(exc) or 'alias' in str(exc), exc


# --- the user's own -(-x) is a new array ------------------------------------------------------

def negated_twice_then_written(x):
    y = -(-x)
    y[0] = 2.0
    return np.sum(y * x ** 2)


def negated_on_two_lines_then_written(x):
    a = -x
    y = -a
    y[1] += 3.0
    return np.sum(y * x)


@pytest.mark.parametrize('func', [negated_twice_then_written, negated_on_two_lines_then_written])
def test_a_double_negation_is_a_new_array(func):
    _matches(func, X4)
    value, _ = s2sgrad.value_and_grad(func)(X4.copy())
    assert np.isclose(value, func(X4.copy()))


# --- calls that change an argument not differentiated, in the forms users write --------------

C3 = np.array([0.5, 2.0, -1.5])
W3 = np.array([0.3, -0.7, 1.2])


def sorts_through_the_class(x, c):
    t = np.sum(x * c)
    np.ndarray.sort(c)
    return t


def fills_through_the_class(x, c):
    t = np.sum(x * c)
    np.ndarray.fill(c, 2.0)
    return t


def adds_through_the_dunder(x, c):
    t = np.sum(x * c)
    np.ndarray.__iadd__(c, 1.0)
    return t


def swaps_bytes_in_place(x, c):
    t = np.sum(x * c)
    c.byteswap(inplace=True)
    return t


def adds_with_the_operator_module(x, c):
    t = np.sum(x * c)
    operator.iadd(c, 1.0)
    return t


@pytest.mark.parametrize('func', [sorts_through_the_class, fills_through_the_class,
                                  adds_through_the_dunder, swaps_bytes_in_place,
                                  adds_with_the_operator_module])
@pytest.mark.parametrize('make', [lambda f: s2sgrad.grad(f), lambda f: s2sgrad.hessian(f),
                                  lambda f: (lambda x, c: s2sgrad.jvp(f)(x, c, np.ones(3)))],
                         ids=['grad', 'hessian', 'jvp'])
def test_a_change_after_the_read_is_refused_and_the_caller_keeps_its_array(func, make):
    x, c = W3.copy(), C3.copy()
    try:
        got = make(func)(x, c)
    except UnsupportedSyntaxError as exc:
        assert 'in place' in str(exc), exc
    else:  # (jvp needs no value of `c` after the change)
        np.testing.assert_allclose(got, np.sum(C3))
    assert np.array_equal(x, W3) and np.array_equal(c, C3)


def sorts_through_the_class_first(x, c):
    np.ndarray.sort(c)
    return np.sum(x * c ** 2)


def shuffles_with_a_generator(x, idx):
    rng = np.random.default_rng(0)
    rng.shuffle(idx)
    return x[idx[0]] * x[idx[1]] ** 2


def shuffles_a_list_with_random(x, order):
    random.Random(0).shuffle(order)
    return x[order[0]] * x[order[1]] ** 2


def makes_a_heap_of_a_list(x, order):
    heapq.heapify(order)
    return x[order[0]] * x[order[1]] ** 2


def appends_through_the_class(x, c):
    ys = [x]
    list.append(ys, x * 2.0)
    return np.sum(ys[1] * c) + np.ndarray.sum(x * c)


@pytest.mark.parametrize('func, make', [
    (sorts_through_the_class_first, C3.copy), (shuffles_with_a_generator, lambda: np.arange(3)),
    (shuffles_a_list_with_random, lambda: [2, 1, 0]), (makes_a_heap_of_a_list, lambda: [2, 1, 0]),
    (appends_through_the_class, C3.copy)])
def test_an_argument_changed_in_place_is_copied_first(func, make):
    def at(x):
        return func(x, make())
    expected = numerical_grad(at, (W3,), 0)
    hessian = np.array([numerical_grad(lambda z: numerical_grad(at, (z,), 0, eps=1e-4)[j],
                                       (W3,), 0, eps=1e-4) for j in range(3)])
    for name in ('grad', 'jvp', 'hessian'):
        x, other = W3.copy(), make()
        if name == 'grad':
            got, want = s2sgrad.grad(func)(x, other), expected
        elif name == 'jvp':
            got, want = s2sgrad.jvp(func)(x, other, np.ones(3)), np.sum(expected)
        else:
            got, want = s2sgrad.hessian(func)(x, other), hessian
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=name)
        assert np.array_equal(x, W3) and np.array_equal(np.asarray(other), np.asarray(make()))


def doubles_the_first_of_a_deep_copy(xs):
    ys = copy.deepcopy(xs)
    ys[0] *= 2.0
    return np.sum(ys[0] ** 2)


def passes_a_list_to_a_deep_copier(x, c):
    return doubles_the_first_of_a_deep_copy([x, c])


def test_a_helper_writing_into_its_deep_copy_changes_no_argument():
    x, c = W3.copy(), C3.copy()
    got = s2sgrad.grad(passes_a_list_to_a_deep_copier)(x, c)
    np.testing.assert_allclose(got, numerical_grad(passes_a_list_to_a_deep_copier, (W3, C3), 0),
                               rtol=1e-6, atol=1e-6)
    assert np.array_equal(x, W3) and np.array_equal(c, C3)


# --- a value read through a helper of yours, after a write into the array it returns --------

def returns_its_argument(a):
    return a


def written_then_read_through_a_helper(x):
    buf = x.copy()
    buf[1] = x[2] ** 2
    v = returns_its_argument(buf)
    return np.sum(v * x)


def written_then_read_through_a_nested_function(x):
    buf = x.copy()

    def get():
        return buf
    buf[1] = x[2] ** 2
    return np.sum(get() * x)


def written_between_the_definition_and_the_call(x):
    buf = np.zeros(4)

    def weighted():
        return np.sum(buf * x)
    buf[0] = x[1]
    buf[3] = x[0] * 3.0
    return weighted() * x[2]


def written_in_a_loop_then_read_through_a_helper(x):
    buf = x.copy()
    for i in range(2):
        buf[1] = x[2] ** 2 * (i + 1.0)
    v = returns_its_argument(buf)
    return np.sum(v * x)


@pytest.mark.parametrize('func', [written_then_read_through_a_helper,
                                  written_then_read_through_a_nested_function,
                                  written_between_the_definition_and_the_call,
                                  written_in_a_loop_then_read_through_a_helper])
def test_a_value_read_through_a_call_after_a_write(func):
    _matches(func, X4)


# --- the keys a dict lists carry no derivative, also to second order --------------------------

def sums_in_sorted_order_then_squares(x):
    d = {'a': x[0], 'b': x[1]}
    s = 0.0
    for k in sorted(d):
        s = s + d[k]
    for k in d.keys():
        s = s + d[k] ** 2
    return s


def sums_a_dict_in_sorted_order_then_squares(d):
    s = 0.0
    for k in sorted(d):
        s = s + d[k]
    for k, v in d.items():
        s = s + v * v
    return s


def test_second_derivatives_of_loops_over_a_dicts_sorted_keys():
    _matches(sums_in_sorted_order_then_squares, X4)
    hvp = s2sgrad.hvp(sums_a_dict_in_sorted_order_then_squares)
    got = hvp({'b': 0.3, 'a': -0.8}, {'b': 1.0, 'a': 0.5})
    assert got == pytest.approx({'b': 2.0, 'a': 1.0})


# --- a comprehension after min(..., default=...) in the same statement ----------------------

def smallest_or_first_plus_largest_double(x):
    return min((v for v in x), default=x[0]) + max([v * 2 for v in x])


def test_a_comprehension_after_a_call_that_only_reads():
    _matches(smallest_or_first_plus_largest_double, X4, ('grad', 'jvp', 'hvp'))


# --- the larger of a number and an item, then a write into the array ------------------------

def clipped_item_then_written(x):
    s = max(1.1, x[1])
    x[1] += np.sin(x[1]) * s
    return np.sum(x ** 2) * s


def smaller_item_then_written(x):
    m = min(x[0], x[2])
    x[0] = x[0] * 3.0
    return m * np.sum(x)


@pytest.mark.parametrize('func', [clipped_item_then_written, smaller_item_then_written])
def test_max_or_min_of_items_is_a_number_the_write_leaves(func):
    _matches(func, X4)
    _matches(func, np.array([0.4, 1.7, -0.6, 0.2]))


def larger_row_then_written(X):
    m = max(X[0], X[1])
    X[0] = X[0] * 3.0
    return np.sum(m * X)


def test_max_of_rows_then_a_write_is_refused_when_it_runs():
    with pytest.raises(InPlaceError, match='a view'):
        s2sgrad.grad(larger_row_then_written)(np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 5.0]]))


# --- an in-place method of a differentiated array says what to write ------------------------

def sorted_in_place(x):
    y = x  # (the argument: an array the function makes sorts in place since 2026-12-08,
    y.sort()  # test_array_in_place_methods.py)
    return y[0] * 3.0 + y[2]


@pytest.mark.parametrize('operator_name', ['grad', 'jvp'])
def test_an_in_place_sort_of_a_differentiated_array_names_np_sort(operator_name):
    with pytest.raises(NoRuleError, match=r'changes the differentiated value `y` in place.*'
                                          r'y = np\.sort\(y\)'):
        if operator_name == 'grad':
            s2sgrad.grad(sorted_in_place)(X4.copy())
        else:
            s2sgrad.jvp(sorted_in_place)(X4.copy(), V4.copy())


# --- reverse over reverse: an adjoint bound in one branch, then reset -----------------------

def rolled_each_pass_replaced_in_a_branch(x):
    s1 = float(x[0])
    s2 = float(x[0])
    if s2 ** 2 / (1.0 + s2 ** 2) > 0.1:
        x = np.outer(x, x) @ x * 0.1
    for i in range(4):
        a = np.roll(x, 1)
        b = a  # noqa: F841 (as the fuzzer wrote it)
    if np.mean(x ** 2) > 0.1:
        a = np.exp(-x ** 2)
        s1 = np.sum(a, keepdims=True)[0]
    c = np.roll(x, 1)
    return np.sum(c ** 2) + s1


@pytest.mark.parametrize('point', [np.array([0.86913228, 0.5708552, 0.59912674, 0.14247588]), X4],
                         ids=['branches taken', 'branches not taken'])
def test_the_vjp_of_a_gradient_saving_an_adjoint_one_branch_binds(point):
    gradient = s2sgrad.grad(rolled_each_pass_replaced_in_a_branch)
    got = s2sgrad.vjp(gradient)(point.copy(), V4.copy())
    np.testing.assert_allclose(got, _hessian_v(rolled_each_pass_replaced_in_a_branch, point, V4),
                               rtol=1e-4, atol=1e-5)


# --- an item of the argument, then augmented assignments: a number, rebound -----------------

def item_added_then_multiplied(x):
    s = x[0]
    s += x[1]
    s *= x[2]
    return s


def item_added_then_read_with_the_argument(x):
    s = x[0]
    s += x[1]
    return s * x[2]


@pytest.mark.parametrize('func', [item_added_then_multiplied,
                                  item_added_then_read_with_the_argument])
def test_augmented_assignments_of_an_item_of_the_argument(func):
    _matches(func, X4)


def row_added_then_read_with_the_argument(X):
    s = X[0]
    s += X[1]  # (a row: NumPy adds into X itself)
    return np.sum(s * X[2])


@pytest.mark.parametrize('make', [lambda: np.ones((3, 2)), lambda: [np.ones(2)] * 3],
                         ids=['rows', 'a list of arrays'])
def test_augmented_assignment_of_a_row_is_refused_when_it_runs(make):
    with pytest.raises(InPlaceError, match='not a number'):
        s2sgrad.grad(row_added_then_read_with_the_argument)(make())


# --- the review of the session's changes -----------------------------------------------------

def closure_reads_an_alias_written_after(x):
    buf = x * 1.0
    alias = buf

    def get():
        return alias
    buf[0] = x[1] ** 2
    return np.sum(get() * x)


def closure_sums_an_alias_written_after(x):
    buf = x * 1.0
    alias = buf

    def total():
        return np.sum(alias * x)
    buf[0] = x[1] ** 2
    return total()


@pytest.mark.parametrize('func', [closure_reads_an_alias_written_after,
                                  closure_sums_an_alias_written_after])
@pytest.mark.parametrize('op', ['grad', 'jvp', 'hvp'])
def test_a_nested_function_reading_an_alias_of_a_written_array(func, op):
    try:
        _matches(func, X4, (op,))
    except UnsupportedSyntaxError as exc:
        assert 'alias' in str(exc), exc


def doubles_the_first_of_a_shallow_copy(xs):
    ys = copy.copy(xs)
    ys[0] *= 2.0
    return np.sum(ys[0] ** 2)


def doubles_the_first_of_a_list_copy(xs):
    ys = xs.copy()
    ys[0] *= 2.0
    return np.sum(ys[0] ** 2)


def passes_to_a_shallow_copier(x, w):
    return doubles_the_first_of_a_shallow_copy([x, w])


def passes_to_a_list_copier(x, w):
    return doubles_the_first_of_a_list_copy([x, w])


@pytest.mark.parametrize('func', [passes_to_a_shallow_copier, passes_to_a_list_copier])
def test_a_helper_writing_into_an_item_of_a_shallow_copy_is_refused(func):
    x, w = W3.copy(), C3.copy()
    with pytest.raises(InPlaceError, match='items of its parameter'):
        s2sgrad.grad(func)(x, w)
    assert np.array_equal(x, W3) and np.array_equal(w, C3)


def bound_in_a_branch_then_in_a_loop(x):
    if x[0] > 0:
        a = np.sin(x)
    s = 0.0
    for i in range(2):
        a = np.roll(x, 1) * x
        s = s + np.sum(a * a)
    return s


def test_a_name_one_branch_binds_then_a_loop_saves():
    _matches(bound_in_a_branch_then_in_a_loop, -X4)
    _matches(bound_in_a_branch_then_in_a_loop, X4)


def largest_key(x):
    d = {2: x[0], 0: x[1]}
    return max(d) * x[2]


def smallest_float_key(x):
    d = {2.5: x[0], 0.5: x[1]}
    return min(d) * x[2]


@pytest.mark.parametrize('func', [largest_key, smallest_float_key])
def test_max_and_min_of_a_dict_are_keys_without_derivative(func):
    _matches(func, X4)
