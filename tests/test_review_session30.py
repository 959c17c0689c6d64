"""Findings of the reviews and fuzz runs of 2026-12-05 (second session): programs users write,
each checked against central differences, or refused with the error that names the
construct."""
import math

import os
import sys

import numpy as np
import pytest

try:
    from scipy import special
except ImportError:  # (scipy is an optional extra)
    special = None

import s2sgrad
from s2sgrad.checks import numerical_grad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from review_checks import hessian_v, matches  # noqa: E402

X3 = np.array([0.3, -0.7, 1.1])
V3 = np.array([0.2, 0.5, -0.4])


def _matches(func, point=X3, v=V3):
    """grad, jvp and hvp of `func` at `point` against differences."""
    matches(func, point, v, twice=False)


# --- sum(d) of a dict adds its keys, which carry no derivative ------------------------------

def sums_the_keys_of_a_dict_it_built(p):
    d = {1: p[0] * 2.0, 2: p[1] ** 2}
    s = 0.0
    for k in d:
        s = s + d[k]
    return s * sum(d)


def sums_float_keys(p):
    d = {1.5: p[0] * 2.0, 2.5: p[1] ** 2}
    return np.sum(p) * sum(d) + math.fsum(d) * p[2]


def sums_keys_of_a_copy(p):
    d = dict()
    for i in range(3):
        d[i * 0.5] = p[i] ** 2
    e = dict(d)
    return sum(e) * sum(d.values()) + sum(sorted(d)) * p[0]


@pytest.mark.parametrize('func', [sums_the_keys_of_a_dict_it_built, sums_float_keys,
                                  sums_keys_of_a_copy])
def test_the_sum_of_a_dicts_keys_has_no_tangent(func):
    _matches(func)


def keys_times_first(p):
    return sum(p) * p[1.0] ** 2 + math.fsum(p) * p[2.0]


def test_the_sum_of_a_dict_argument_has_no_tangent():
    p, v = {1.0: 0.3, 2.0: -0.8}, {1.0: 0.5, 2.0: 0.7}
    # f = 3 * p1 ** 2 + 3 * p2: the tangent is 6 * p1 * v1 + 3 * v2, H v = {6 v1, 0}
    assert s2sgrad.jvp(keys_times_first)(p, v) == pytest.approx(6 * 0.3 * 0.5 + 3 * 0.7)
    assert s2sgrad.hvp(keys_times_first)(p, v) == pytest.approx({1.0: 3.0, 2.0: 0.0})
    assert s2sgrad.grad(keys_times_first)(p) == pytest.approx({1.0: 1.8, 2.0: 3.0})


def sums_a_list_it_built(p):
    xs = [p[0] * p[1], p[2] ** 2]
    ranked = sorted(xs)
    return sum(xs) + sum(ranked) * ranked[0]


def test_the_sum_of_a_list_reads_its_tangents_as_they_are():
    _matches(sums_a_list_it_built)
    source = s2sgrad.jvp(sums_a_list_it_built).source
    assert 'sum(dxs)' in source and 'sum(dranked)' in source and 'listed' not in source


# --- a return inside a loop is the last thing the loop does ----------------------------------

def fills_and_returns_in_the_loop(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[i] * 2.0 + x[(i + 1) % 3] ** 2
        if x[i] > 1.0:
            return out
    return out


def fills_and_returns_in_an_inner_loop(x):
    out = np.zeros(3)
    for j in range(2):
        for i in range(3):
            out[i] = out[i] + x[i] * x[j]
            if out[i] > 2.5:
                return out
        out = out * 0.5
    return out


def fills_a_dict_and_returns_in_the_loop(x):
    out = {}
    for i in range(3):
        out[i] = np.sin(x[i]) * x[0]
        if x[i] > 1.0:
            return out
    return out


@pytest.mark.parametrize('point', [X3, np.array([1.3, 0.4, 0.9]), np.array([1.2, 1.4, 0.8])])
@pytest.mark.parametrize('func', [fills_and_returns_in_the_loop,
                                  fills_and_returns_in_an_inner_loop])
def test_an_array_filled_in_a_loop_and_returned_there(func, point):
    expected = np.stack([numerical_grad(lambda z: func(z)[k], (point,), 0)
                         for k in range(3)])
    np.testing.assert_allclose(s2sgrad.jacobian(func, mode='fwd')(point.copy()), expected,
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.jacobian(func, mode='rev')(point.copy()), expected,
                               rtol=1e-5, atol=1e-7)
    u = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.vjp(func)(point.copy(), u), u @ expected, rtol=1e-5,
                               atol=1e-7)


def test_a_dict_filled_in_a_loop_and_returned_there():
    for point in (X3, np.array([0.2, 1.5, 0.1])):
        func = fills_a_dict_and_returns_in_the_loop
        got = s2sgrad.jvp(func)(point.copy(), V3)
        want = func(point)
        assert sorted(got) == sorted(want)
        for key in want:
            expected = numerical_grad(lambda z: func(z)[key], (point,), 0) @ V3
            assert got[key] == pytest.approx(expected, rel=1e-5, abs=1e-7)


# --- the arrays a derivative returns are its own, also in a container --------------------------

def returns_an_item_in_a_dict(d):
    return {'a': d['a'], 'b': d['b'] * 2.0}


def returns_the_argument_in_a_dict(x):
    return {'x': x, 'y': [x, x ** 2]}


def reads_through_a_list_it_appended_to(x, y):
    rows = []
    rows.append(y)
    return np.sum(x * rows[0])


def test_a_returned_container_holds_no_array_of_the_caller():
    d = {'a': np.array([1.0, 2.0]), 'b': np.array([3.0, 4.0])}
    t = {'a': np.array([0.5, 0.25]), 'b': np.array([1.0, -1.0])}
    got = s2sgrad.jvp(returns_an_item_in_a_dict)(d, t)
    np.testing.assert_allclose(got['a'], t['a'])
    np.testing.assert_allclose(got['b'], 2.0 * t['b'])
    assert not any(np.shares_memory(got[k], t[j]) for k in got for j in t)
    x, v = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    got = s2sgrad.jvp(returns_the_argument_in_a_dict)(x, v)
    np.testing.assert_allclose(got['y'][1], 2 * x * v)
    assert not np.shares_memory(got['x'], v) and not np.shares_memory(got['y'][0], v)
    got['x'][0] = 99.0
    assert v[0] == 0.5


def test_a_gradient_read_through_a_list_is_no_argument():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    gx, gy = s2sgrad.grad(reads_through_a_list_it_appended_to, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y)
    np.testing.assert_allclose(gy, x)
    assert not np.shares_memory(gx, y) and not np.shares_memory(gy, x)


# --- sum(rows, []) concatenates lists ------------------------------------------------------

def flattens_with_sum(x):
    rows = [[x[0], x[1] * 2.0], [x[2] ** 2]]
    flat = sum(rows, [])
    return flat[2] * 3.0 + flat[1] * flat[0]


def flattens_tuples_after_a_start(x):
    rows = [(x[0], x[1] * 2.0), (np.sin(x[2]),)]
    flat = sum(rows, (1.5,))
    return flat[3] * flat[0] + flat[1] * flat[2] ** 2


@pytest.mark.parametrize('func', [flattens_with_sum, flattens_tuples_after_a_start])
def test_a_sum_of_lists_concatenates_their_derivatives(func):
    _matches(func)


# --- reverse over reverse: a value popped where its adjoint may not be set yet ----------------

def updates_in_a_loop_that_may_return(x):
    s = 1.1 ** 2 / (1.0 + 1.1 ** 2)
    if s > 2.0:
        return s * np.sum(x ** 2)
    a = np.minimum(x, s)
    if np.linalg.norm(x) > 0.1:
        b = np.outer(x, a) @ x * 0.1
    for i in range(4):
        if s > 2.0:
            return s * np.sum(b ** 2)
        a += x * 0.5
    return np.sum(a ** 2) + s


def _second_orders_match(func, x, v):
    """Reverse over reverse and forward over reverse of `func` at `x` along `v` against
    differences of differences."""
    expected = hessian_v(func, x, v)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(func))(x.copy(), v), expected,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(s2sgrad.hvp(func)(x.copy(), v), expected, rtol=1e-4, atol=1e-5)


def test_the_gradient_of_a_pop_whose_adjoint_may_be_unset():
    _second_orders_match(updates_in_a_loop_that_may_return,
                         np.array([0.27, -0.46, -0.92, -0.97]), np.array([0.3, -1.0, 0.5, 0.7]))


# --- d.pop(key, default) ---------------------------------------------------------------------

def pops_a_missing_key_with_a_default(d):
    e = dict(d)
    a = e.pop('zz', 2.0)
    return a * e['b'] ** 2


def pops_a_present_key_with_a_default(d):
    e = dict(d)
    a = e.pop('a', d['b'] * 3.0)
    return a * e['b'] ** 2


def pops_from_the_argument(d):
    a = d.pop('a', 1.0)
    return a * d['b'] + np.sin(d['b'])


@pytest.mark.parametrize('func', [pops_a_missing_key_with_a_default,
                                  pops_a_present_key_with_a_default, pops_from_the_argument])
def test_a_pop_with_a_default_is_the_item_or_the_default(func):
    d0, t = {'a': 0.7, 'b': -1.3}, {'a': 0.5, 'b': 0.25}

    def at(shift):
        return func({k: d0[k] + shift * t[k] for k in d0})
    d = dict(d0)
    expected = (at(1e-6) - at(-1e-6)) / 2e-6
    grad = s2sgrad.grad(func)(d)
    assert sum(grad[k] * t[k] for k in d0) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert s2sgrad.jvp(func)(d, t) == pytest.approx(expected, rel=1e-6, abs=1e-8)
    assert d == d0  # (the caller's dict keeps its key)


class NoPop(dict):
    def pop(self, key, default=None):
        return default


def test_a_pop_with_a_default_of_another_mapping_is_refused():
    with pytest.raises(s2sgrad.errors.S2SError, match='pop'):
        s2sgrad.grad(pops_from_the_argument)(NoPop(a=0.7, b=-1.3))


def sorts_its_list_argument(xs):
    xs.sort()
    return xs[0] * 3.0 + xs[1] ** 2


def test_an_in_place_sort_of_a_list_names_sorted():
    with pytest.raises(s2sgrad.errors.NoRuleError, match=r'sorted\(xs\)'):
        s2sgrad.grad(sorts_its_list_argument)([0.5, -0.2])


# --- axes, shapes and permutations held in a variable are no array data -----------------------

X234 = np.linspace(-1.0, 1.2, 24).reshape(2, 3, 4) ** 3 + 0.1 * np.arange(24).reshape(2, 3, 4)
W234 = np.cos(np.arange(24.0)).reshape(2, 3, 4)


def normalizes_over_axes_in_a_variable(x):
    axes = tuple(range(x.ndim - 1))
    mu = np.mean(x, axis=axes, keepdims=True)
    var = np.var(x, axis=axes, keepdims=True)
    return np.sum((x - mu) / np.sqrt(var + 1e-5) * W234)


def reduces_over_a_tuple_in_a_variable(x):
    axes = (0, 2)
    return np.sum(np.sum(x, axis=axes) ** 2) + np.sum(np.std(x, axis=axes)) + \
        np.sum(np.max(x, axis=axes)) + np.sum(x.mean(axes) * x.prod(axis=axes))


def transposes_by_a_permutation_in_a_variable(x):
    perm = [2, 0, 1]
    return np.sum(np.transpose(x, perm) * np.transpose(W234, perm) ** 2) + \
        np.sum(x.transpose(perm) ** 2) + np.sum(np.linalg.norm(x, 2, (1, 2)))


@pytest.mark.parametrize('func', [normalizes_over_axes_in_a_variable,
                                  reduces_over_a_tuple_in_a_variable,
                                  transposes_by_a_permutation_in_a_variable])
def test_axes_held_in_a_variable(func):
    _matches(func, X234, np.sin(np.arange(24.0)).reshape(2, 3, 4))


# --- pinv(hermitian=True) reads the lower triangle only ------------------------------------

def pinv_of_the_lower_triangle(x):
    return np.sum(np.linalg.pinv(x, hermitian=True) * np.arange(9.0).reshape(3, 3))


def test_pinv_hermitian_of_a_matrix_symmetric_in_its_lower_triangle_only():
    s = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    x = s + np.triu(np.array([[0.0, 0.7, -0.4], [0.0, 0.0, 0.9], [0.0, 0.0, 0.0]]))
    _matches(pinv_of_the_lower_triangle, x, np.cos(np.arange(9.0)).reshape(3, 3))


# --- var and std about a center of one's own (NumPy 2's mean=) -----------------------------

NUMPY2 = int(np.__version__.split('.')[0]) >= 2


def var_about_a_given_center(x):
    center = np.mean(x, axis=1, keepdims=True) + 0.1 * x[:, :1] ** 2
    return np.sum(np.var(x, axis=1, mean=center) ** 2) + \
        np.sum(np.std(x, axis=1, ddof=1, mean=center) * x[:, 1])


@pytest.mark.skipif(not NUMPY2, reason="np.var's mean= is new in NumPy 2")
def test_var_about_a_given_center_to_second_order():
    x = np.array([[0.3, -0.5, 1.2, 0.1], [1.1, 0.4, -0.9, 0.6]])
    _matches(var_about_a_given_center, x, np.cos(np.arange(8.0)).reshape(2, 4))


# --- reverse over reverse: the value a gradient puts back has a derivative -------------------

def scales_part_in_one_branch_passes_it_on_in_the_other(x):
    s = np.max(x)
    a = x * np.sum(x ** 2)
    if s > 0.1:
        x[1:3] *= s
    else:
        x = _passed_on(x)
    return np.sum((x - a) ** 2)


def _passed_on(a):
    return a


@pytest.mark.parametrize('point', [np.array([0.42, -0.23, -0.94, 0.44]),
                                   np.array([-0.72, 0.19, -0.58, -0.82])])
def test_the_second_derivative_through_a_restored_item(point):
    _second_orders_match(scales_part_in_one_branch_passes_it_on_in_the_other, point,
                         np.array([0.3, -1.0, 0.5, 0.7]))


# --- second derivatives of loops that make a new array each pass and fill it ----------------

def _rhs_inline_euler(x):
    y = x[:2].copy()
    for t in range(5):
        dydt = np.zeros(2)
        dydt[0] = y[1]
        dydt[1] = -x[2] * np.sin(y[0])
        y = y + 0.1 * dydt
    return np.sum(y ** 2)


def _rhs_into_an_empty_array(x):
    y = x[:2].copy()
    for t in range(4):
        dydt = np.empty_like(y)
        dydt[0] = y[1] * x[2]
        dydt[1] = -np.tanh(y[0])
        y = y + 0.2 * dydt
    return np.sum(y ** 3)


def _state_copied_then_filled(x):
    y = x[:2].copy()
    for t in range(5):
        y_new = y.copy()
        y_new[0] = y[0] + 0.1 * y[1]
        y_new[1] = y[1] - 0.1 * x[2] * np.sin(y[0])
        y = y_new
    return np.sum(y ** 2)


def _sorted_each_pass_then_scaled(x):
    for i in range(2):
        y = np.sort(x)
        y[1] = x[0] * y[1]
    return np.sum(y ** 2)


def _filled_each_pass_and_summed(x):
    total = 0.0
    for i in range(3):
        d = np.zeros(2)
        d[0] = x[i] * x[(i + 1) % 3]
        d[1] = np.sin(x[i])
        total = total + np.sum(d ** 2)
    return total


@pytest.mark.parametrize('func', [_rhs_inline_euler, _rhs_into_an_empty_array,
                                  _state_copied_then_filled, _sorted_each_pass_then_scaled,
                                  _filled_each_pass_and_summed])
def test_second_derivatives_of_an_array_made_and_filled_each_pass(func):
    x = X3.copy()
    expected = hessian_v(func, x, V3)
    np.testing.assert_allclose(s2sgrad.hvp(func)(x, V3), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(func))(x, V3), expected, rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(s2sgrad.hessian(func)(x) @ V3, expected, rtol=1e-4, atol=1e-5)
    assert np.array_equal(x, X3)


# --- review of the session's changes ----------------------------------------------------------

def returns_in_a_branch_whose_other_branch_goes_on(x):
    y = x * 1.0
    for i in range(3):
        if x[i] > 1.0:
            return np.sum(y ** 2)
        else:
            y[i] = y[i] * 3.0
            continue
    return np.sum(y)


def returns_or_breaks(x):
    y = x * 1.0
    while True:
        if x[0] > 0:
            return y[1] * 2.0
        break
    y[0] = y[0] * 3.0
    return np.sum(y)


@pytest.mark.parametrize('func', [returns_in_a_branch_whose_other_branch_goes_on,
                                  returns_or_breaks])
@pytest.mark.parametrize('point', [X3, -X3, np.array([0.2, 1.4, 0.5])])
def test_a_return_in_a_loop_beside_continue_or_break(func, point):
    _matches(func, point)


def sums_rows_after_a_start_of_its_own(x):
    flat = sum([[x[0]], [x[2] ** 2]], [x[1]])
    return flat[0] * flat[1] + flat[2] * flat[0]


def test_a_sum_of_lists_from_a_differentiated_start():
    _matches(sums_rows_after_a_start_of_its_own)
    x = X3.copy()
    expected = hessian_v(sums_rows_after_a_start_of_its_own, x, V3)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(sums_rows_after_a_start_of_its_own))(
        x, V3), expected, rtol=1e-4, atol=1e-5)


def pops_an_option(x, cfg):
    s = cfg.pop('scale', 1.0)
    return np.sum(x ** 2) * s


class _Stack:
    def __init__(self):
        self.items = [2.0, 3.0]

    def pop(self, i, default):
        return self.items.pop(i) if self.items else default


def pops_from_a_stack(x):
    st = _Stack()
    w = st.pop(0, 5.0)
    return np.sum(x) * w


def pops_with_a_default_that_raises(x, d):
    v = d.pop('a', x[7])
    return v * x[0]


def test_pop_with_a_default_of_other_objects():
    from collections import OrderedDict
    got = s2sgrad.grad(pops_an_option)(X3.copy(), OrderedDict(scale=3.0))
    np.testing.assert_allclose(got, 6.0 * X3)
    np.testing.assert_allclose(s2sgrad.grad(pops_from_a_stack)(X3.copy()), np.full(3, 2.0))
    with pytest.raises(IndexError):
        s2sgrad.grad(pops_with_a_default_that_raises)(X3.copy(), {'a': 2.0})


def extends_an_empty_list(p):
    out = []
    out.extend(p)
    return out


def inserts_then_adds(x, y):
    ls = []
    ls.insert(0, x)
    ls += [y]
    return ls


def copies_and_adds_a_key(p):
    q = dict(p)
    q['new'] = p['a'] * 2.0
    return q


def repeats_in_a_list(x):
    return [x] * 2


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, (list, tuple)):
        return [leaf for value in tree for leaf in _leaves(value)]
    return [tree]


@pytest.mark.parametrize('func, args, tangent', [
    (extends_an_empty_list, ([X3, -X3],), ([V3, 2 * V3],)),
    (inserts_then_adds, (X3, -X3), (V3,)),
    (copies_and_adds_a_key, ({'a': X3, 'b': -X3},), ({'a': V3, 'b': 2 * V3},)),
    (repeats_in_a_list, (X3,), (V3,)),
])
def test_a_jvp_result_holds_none_of_the_callers_tangents(func, args, tangent):
    given = [copy_tree for copy_tree in tangent]
    got = s2sgrad.jvp(func)(*args, *tangent)
    for leaf in _leaves(got):
        assert not any(np.shares_memory(leaf, t) for t in _leaves(given))


# --- a gradient's checks stay when it is differentiated again ---------------------------------

def zeta_normaliser(s):
    return np.log(special.zeta(s, 1.0))


def zeta_times(s):
    return special.zeta(s, 1.0) * s


def squares_into_a_vector(x):
    return x ** 2 * np.ones(2)


@pytest.mark.skipif(special is None, reason='scipy is not installed')
def test_no_derivative_and_the_scalar_check_stay_at_every_order():
    with pytest.raises(s2sgrad.errors.NoRuleError):
        s2sgrad.grad(s2sgrad.grad(zeta_normaliser))(2.5)
    with pytest.raises(s2sgrad.errors.NoRuleError):
        s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(zeta_times)))(3.3)
    with pytest.raises(s2sgrad.errors.NonScalarOutputError):
        s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(squares_into_a_vector)))(0.5)


def sums_sorted_keys(x):
    d = {1.5: x[0], 2.5: x[1] ** 2}
    ks = sorted(d)
    return sum(ks) * x[0] + sum(d) * x[2]


def copies_and_returns_both(p):
    q = dict(p)
    return q, p


def test_reverse_over_reverse_of_a_dicts_keys_and_a_copied_dict():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    v = np.array([0.2, 0.5, -0.4, 1.0])
    expected = numerical_grad(lambda z: np.sum(s2sgrad.grad(sums_sorted_keys)(z) * v),
                              (x,), 0)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(sums_sorted_keys))(x, v), expected,
                               rtol=1e-5, atol=1e-7)
    p = {'a': np.array([1.0, 2.0])}
    got = s2sgrad.vjp(copies_and_returns_both)(p, ({'a': np.ones(2)}, {'a': np.full(2, 0.5)}))
    np.testing.assert_allclose(got['a'], [1.5, 1.5])


def scales_a_list_of_arrays_through_its_loop_variable(params):
    ps = [p.copy() for p in params]
    for p in ps:
        p *= 2.0
    return sum(np.sum(p ** 2) for p in ps)


def scales_the_callers_arrays_through_its_loop_variable(ps):
    for p in ps:
        p *= 2.0
    return sum(np.sum(p ** 2) for p in ps)


def test_a_lists_arrays_changed_through_the_loop_variable():
    # (the function's own list: the update is written back into the item, session 31)
    gradient = s2sgrad.grad(scales_a_list_of_arrays_through_its_loop_variable)([X3, X3[:2]])
    np.testing.assert_allclose(gradient[0], 8.0 * X3)
    np.testing.assert_allclose(gradient[1], 8.0 * X3[:2])
    # (the caller's list: its arrays would change, refused with what to write)
    with pytest.raises(s2sgrad.errors.InPlaceError,
                       match=r'`p \*= 2.0` changes in place the array that `p`, an item of '
                             r'`ps`.*ps\[i\] = ps\[i\]'):
        s2sgrad.grad(scales_the_callers_arrays_through_its_loop_variable)([X3, X3[:2]])


# --- review of the second-order relaxation (J4) -----------------------------------------------

def overwrites_a_0d_array_through_none(x):
    d = np.array(x[1] ** 2)
    d[None] = x[0] * x[2]
    return d * x[1] + np.sum(x ** 2) * 0.1


def overwrites_a_0d_array_through_a_mask(x):
    d = np.array(x[1] ** 2)
    d[d > 0] = x[0] * x[2]
    return d * x[1] + np.sum(x ** 2) * 0.1


def fills_a_0d_array_each_pass(x):
    y = x.copy()
    for i in range(3):
        d = np.array(y[0] * y[1])
        d[np.newaxis] = np.sin(y[2]) * x[0]
        y = y * 0.5 + d
    return np.sum(y ** 2)


@pytest.mark.parametrize('func', [overwrites_a_0d_array_through_none,
                                  overwrites_a_0d_array_through_a_mask,
                                  fills_a_0d_array_each_pass])
def test_a_0d_array_written_at_none_or_a_mask(func):
    _matches(func)
    x = X3.copy()
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(func))(x, V3),
                               hessian_v(func, X3, V3), rtol=1e-4, atol=1e-5)


def cleans_in_place_by_position(x):
    y = x[:2] * 1.0
    for t in range(3):
        d = np.nan_to_num(y, False)
        d[0] = y[1] * x[2]
        y = y + 0.1 * d
    return np.sum(y ** 2)


def converts_in_place_by_position(x):
    y = x[:2] * 1.0
    for t in range(3):
        d = y.astype(float, 'K', 'unsafe', True, False)
        d[0] = y[1] * x[2]
        y = y + 0.1 * d
    return np.sum(y ** 2)


def _handed_back_by_a_walrus(z):
    w = z * 1.0
    if (w := z) is None:
        pass
    return w


def writes_what_a_helper_hands_back(x):
    y = x[:2] * 1.0
    for t in range(3):
        d = _handed_back_by_a_walrus(y)
        d[0] = y[1] * x[2]
        y = y + 0.1 * d
    return np.sum(y ** 2)


@pytest.mark.parametrize('func', [cleans_in_place_by_position, converts_in_place_by_position,
                                  writes_what_a_helper_hands_back])
def test_an_array_that_may_be_the_argument_itself_is_no_new_array(func):
    x = X3.copy()
    try:
        got = s2sgrad.grad(func)(x)
    except s2sgrad.errors.UnsupportedSyntaxError:
        return  # (refused: a write through an alias)
    np.testing.assert_allclose(got, numerical_grad(func, (X3,), 0), rtol=1e-5, atol=1e-7)


def pops_inside_an_expression(x, d):
    return d.pop('a', 0.0) * x[1] + np.sum(x ** 2)


def sets_defaults_inside_an_expression(x):
    d = {'b': x[0]}
    y = 2.0 * d.setdefault('a', x[1] ** 2) + d.setdefault('b', 5.0)
    return y * x[2]


def test_pop_and_setdefault_inside_an_expression():
    for d in ({'a': 1.5}, {}):
        given = dict(d)
        np.testing.assert_allclose(
            s2sgrad.grad(pops_inside_an_expression)(X3.copy(), given),
            numerical_grad(lambda z: pops_inside_an_expression(z, dict(d)), (X3,), 0),
            rtol=1e-6, atol=1e-8)
        assert given == d
    _matches(sets_defaults_inside_an_expression)


def transposes_by_a_starred_permutation(x):
    perm = (2, 0, 1)
    return np.sum(x.transpose(*perm) * np.transpose(W234, perm))


def reshapes_by_a_starred_shape(x):
    shape = (4, 6)
    return np.sum(x.reshape(*shape) ** 2 * np.arange(6.0)) * len(shape)


@pytest.mark.parametrize('func', [transposes_by_a_starred_permutation,
                                  reshapes_by_a_starred_shape])
def test_a_starred_tuple_of_constants(func):
    _matches(func, X234, np.sin(np.arange(24.0)).reshape(2, 3, 4))


def sums_appended_terms_from_an_item(x):
    terms = []
    for i in range(3):
        terms.append(x[i] ** 2 * x[(i + 1) % 3])
    return sum(terms, x[0])


def test_a_compiled_sum_from_a_start_of_its_own():
    pytest.importorskip('numba')
    func = sums_appended_terms_from_an_item
    np.testing.assert_allclose(s2sgrad.grad(func, compile='numba')(X3.copy()),
                               numerical_grad(func, (X3,), 0), rtol=1e-6, atol=1e-8)


def products_in_a_loop_that_may_return(x):
    x = np.where(x > 0, x, 0.5 * x)
    for i in range(2):
        s = x @ x
        a = np.outer(x, x) @ x * 0.1
        if s > 2.0:
            return s * np.sum(a ** 2)
    return np.sum(x ** 2)


def test_reverse_over_reverse_of_an_adjoint_taken_off_a_list_that_may_be_zero():
    # (the gradient pushes the adjoint of `a`, the number 0.0 at passes that do not return,
    # onto a list; what comes back off it reached matmul's rule: TypeError)
    _second_orders_match(products_in_a_loop_that_may_return,
                         np.array([0.27, -0.46, -0.92, -0.97]), np.array([0.3, -1.0, 0.5, 0.7]))


def returns_a_popped_option(x, d):
    return d.pop('a', x * 2.0)


def adds_a_popped_option(x, d):
    s = x * 3.0
    s += d.pop('b', x ** 2)
    return s


def test_pop_with_a_default_returned_or_added():
    assert s2sgrad.grad(returns_a_popped_option)(0.5, {'a': 1.0}) == 0.0
    assert s2sgrad.grad(returns_a_popped_option)(0.5, {}) == 2.0
    assert s2sgrad.grad(adds_a_popped_option)(0.5, {'b': 1.0}) == 3.0
    assert s2sgrad.grad(adds_a_popped_option)(0.5, {}) == 4.0
