"""Helpers that change what the caller made for their call alone: a copy (``center(x.copy())``),
a list or dict display (``h([x, 2.0], 1)``, ``step(x, {'scale': s})``). Their writes are seen
by nothing else, so the calls are differentiated, and the derivative (which runs the helper
again in joint motion) reads the copy as it was. A list's or dict's copy still holds the
caller's arrays: a helper writing into its items (``ps[0] += 1.0``) is refused, at run time
where only the values tell, and the caller's arrays stay as they were. A dict's item popped
by a key in a variable (``p.pop(k)``) goes back under its key. Checked against central
differences and closed forms."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError

X = np.array([1.0, 2.0, 4.0])


# -- a helper writing into a copy made for its call ---------------------------------------
def double_first(x):
    x[0] = x[0] * 2.0  # (not idempotent: running it twice on one array doubles twice)
    return x * x


def through_copy(x):
    c = double_first(x.copy())
    return np.sum(c * x)


def test_a_helper_writing_into_a_copy_made_for_it():
    x = X.copy()
    g = s2sgrad.grad(through_copy)(x)
    assert np.allclose(g, numerical_grad(through_copy, (X,), 0), rtol=1e-6)
    assert np.allclose(g, [12.0 * X[0] ** 2, 3.0 * X[1] ** 2, 3.0 * X[2] ** 2])
    assert np.array_equal(x, X)


def test_a_helper_writing_into_a_copy_forward_and_second_order():
    x = X.copy()
    tangent = s2sgrad.jvp(through_copy)(x, np.ones(3))
    assert np.isclose(tangent, 12.0 * X[0] ** 2 + 3.0 * X[1] ** 2 + 3.0 * X[2] ** 2)
    hessian = s2sgrad.hessian(through_copy)(x)
    assert np.allclose(hessian, np.diag([24.0 * X[0], 6.0 * X[1], 6.0 * X[2]]))
    assert np.array_equal(x, X)


# -- a list display passed to a helper that pops from it ----------------------------------
def pop_product(xs, i):
    v = xs.pop(i)
    return v * xs[0] * xs[-1]


def pops_from_a_display(x):
    return pop_product([x, 2.0, 3.0], 1)  # 2 * x * 3


def pops_an_active_item(x):
    return pop_product([x, 2.0 * x, 3.0], 1)  # 6 x ** 2


def test_a_list_display_passed_to_a_helper_that_pops_from_it():
    assert np.isclose(s2sgrad.grad(pops_from_a_display)(3.0), 6.0)
    assert np.isclose(s2sgrad.grad(pops_an_active_item)(3.0), 36.0)
    assert np.isclose(s2sgrad.jvp(pops_an_active_item)(3.0, 1.0), 36.0)
    assert np.isclose(s2sgrad.grad(s2sgrad.grad(pops_an_active_item))(3.0), 12.0)


# -- a dict display passed to a helper that sets an item ----------------------------------
def scaled_step(x, cfg):
    cfg['scale'] = cfg['scale'] * 2.0
    return x * cfg['scale']


def with_a_config(x, s):
    return np.sum(scaled_step(x, {'scale': s}) ** 2)


def test_a_dict_display_passed_to_a_helper_that_sets_an_item():
    x = X.copy()
    gx, gs = s2sgrad.grad(with_a_config, wrt=(0, 1))(x, 1.5)
    assert np.allclose(gx, numerical_grad(with_a_config, (X, 1.5), 0), rtol=1e-6)
    assert np.isclose(gs, numerical_grad(lambda s: with_a_config(X, s), (1.5,), 0), rtol=1e-6)
    assert np.array_equal(x, X)


# -- copies that still hold the caller's arrays --------------------------------------------
def bump_first(ps):
    ps[0] += 1.0  # in place on the array the list holds
    return ps[0] * ps[1]


def bump_a_list_copy(W, b):
    ps = [W, b]
    return np.sum(bump_first(ps.copy()))


def bump_a_display(W, b):
    return np.sum(bump_first([W, b]))


def bump_through_own_list(W, b):
    ps = [W, b]
    ps[0] += 1.0
    return np.sum(ps[0] * ps[1])


def bump_in_helper(W, b):
    ps = [W, b]
    ps[0] += 1.0
    return ps[0] * ps[1]


def calls_bump_in_helper(W, b):
    return np.sum(bump_in_helper(W, b))


def fill_first(ps):
    ps[0].fill(2.0)
    return ps[0] * ps[1]


def fills_a_display(W, b):
    return np.sum(fill_first([W, b]))


def scale_all(ps):
    for p in ps:
        p *= 2.0
    return ps[0] * ps[1]


def scales_a_list_copy(W, b):
    return np.sum(scale_all(list((W, b))))


@pytest.mark.parametrize('func', [bump_a_list_copy, bump_a_display, calls_bump_in_helper,
                                  fills_a_display, scales_a_list_copy])
def test_a_helper_writing_into_the_callers_arrays_through_a_list_is_refused(func):
    W, b = np.ones(3), np.arange(3.0)
    with pytest.raises((InPlaceError, UnsupportedSyntaxError)) as info:
        s2sgrad.grad(func, wrt=(0, 1))(W, b)
    assert 'in place' in str(info.value) or 'a write into' in str(info.value)
    assert np.array_equal(W, np.ones(3)) and np.array_equal(b, np.arange(3.0))


def test_a_run_time_refusal_says_what_to_pass():
    with pytest.raises(InPlaceError) as info:
        s2sgrad.grad(bump_a_list_copy, wrt=(0, 1))(np.ones(3), np.arange(3.0))
    assert 'bump_first' in str(info.value) and 'a.copy() for a in' in str(info.value)


def test_the_same_list_of_numbers_is_differentiated():
    def total(v, w):
        return bump_first([v, w])  # (items are numbers: ``ps[0] += 1.0`` rebinds one)
    assert np.isclose(s2sgrad.grad(total)(2.0, 3.0), 3.0)


def test_writes_through_a_list_of_ones_own_arrays_stay_right():
    W, b = np.ones(3), np.arange(3.0)
    gW, gb = s2sgrad.grad(bump_through_own_list, wrt=(0, 1))(W, b)
    assert np.allclose(gW, np.arange(3.0)) and np.allclose(gb, 2.0 * np.ones(3))
    assert np.array_equal(W, np.ones(3))


# -- a dict item popped by a key in a variable ----------------------------------------------
def pop_every_key(p):
    s = 0.0
    for k in list(p):
        v = p.pop(k)
        s = s + np.sum(v ** 2)
    return s


def pop_one_key(p, k):
    v = p.pop(k)
    return np.sum(v ** 3) + np.sum(p['b'])


def pop_by_position(xs, i):
    xs = list(xs)
    v = xs.pop(i)
    return v * xs[0] * xs[-1]


def test_dict_items_popped_by_a_key_in_a_variable():
    p = {'a': np.ones(2), 'b': np.arange(3.0)}
    g = s2sgrad.grad(pop_every_key)(p)
    assert list(g) == ['a', 'b']
    assert np.allclose(g['a'], 2.0) and np.allclose(g['b'], [0.0, 2.0, 4.0])
    g = s2sgrad.grad(pop_one_key)(p, 'a')
    assert list(g) == ['a', 'b']
    assert np.allclose(g['a'], 3.0) and np.allclose(g['b'], 1.0)
    assert list(p) == ['a', 'b'] and np.array_equal(p['a'], np.ones(2))


def test_dict_items_popped_by_a_key_forward_and_second_order():
    p = {'a': np.ones(2), 'b': np.arange(3.0)}
    v = {'a': np.ones(2), 'b': np.ones(3)}
    assert np.isclose(s2sgrad.jvp(pop_one_key)(p, 'a', v), 3.0 * 2 + 3.0)
    h = s2sgrad.hvp(pop_one_key)(p, 'a', v)
    assert np.allclose(h['a'], 6.0) and np.allclose(h['b'], 0.0)
    assert list(p) == ['a', 'b'] and np.array_equal(p['b'], np.arange(3.0))


def test_list_items_popped_by_a_position_in_a_variable():
    xs = [1.0, 2.0, 3.0]
    assert np.allclose(s2sgrad.grad(pop_by_position)(xs, 1), [6.0, 3.0, 2.0])
    assert np.allclose(s2sgrad.grad(pop_by_position)(xs, -1), [6.0, 3.0, 2.0])
    assert np.allclose(s2sgrad.grad(pop_by_position)([1.0, 2.0, 3.0, 4.0], 0), [8.0, 4.0, 0.0, 2.0])
    assert xs == [1.0, 2.0, 3.0]


def test_list_items_popped_by_a_position_in_a_variable_compiled():
    pytest.importorskip('numba', reason='the compiled path needs numba')
    g = s2sgrad.grad(pop_by_position, compile='numba')([1.0, 2.0, 3.0, 4.0], 1)
    assert np.allclose(g, [8.0, 4.0, 0.0, 2.0])


def values_then_pop(d, k):
    vals = list(d.values())
    s = vals[0] * 2.0 + vals[1] * 3.0 + vals[2] * 5.0
    v = d.pop(k)
    return np.sum(s) + np.sum(v ** 2)


def test_a_pop_after_the_values_are_read_in_order_is_refused():
    d = {'a': np.array([1.0, 2.0]), 'b': np.array([3.0]), 'c': np.array([0.5, 4.0])}
    with pytest.raises(UnsupportedSyntaxError, match='puts the key back at the end'):
        s2sgrad.grad(values_then_pop)(d, 'a')


def _weighted(d):
    vals = list(d.values())
    return 2.0 * np.sum(vals[0]) + 3.0 * np.sum(vals[1]) + 5.0 * np.sum(vals[2])


def helper_reads_values_then_pop(d, k):
    s = _weighted(d)
    v = d.pop(k)
    return s + np.sum(v ** 2)


def pop_then_helper(params, x):
    params = dict(params)
    lr = params.pop('lr')
    return (np.sum(params['W'] * x) + sum(np.sum(v) for v in params.values())) * lr


def test_a_pop_after_a_helper_read_the_values_is_refused_one_before_is_not():
    d = {'a': np.array([1.0, 2.0]), 'b': np.array([0.5, -1.0]), 'c': np.array([3.0, 0.2])}
    with pytest.raises(UnsupportedSyntaxError, match='puts the key back at the end'):
        s2sgrad.grad(helper_reads_values_then_pop)(d, 'a')
    p = {'W': np.ones(2), 'b': np.arange(2.0), 'lr': 0.5}
    g = s2sgrad.grad(pop_then_helper)(p, np.array([1.0, 2.0]))
    assert np.allclose(g['W'], [1.0, 1.5]) and np.allclose(g['b'], 0.5) and g['lr'] == 6.0
