"""Helpers that add into a parameter (``s += v * v``): for a number that gives the name a new
value, for an array it changes the caller's array. Such a helper is differentiated when its
argument is a number, and a call that passes an array raises `InPlaceError` naming the line."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError

X = np.array([0.3, -0.7, 1.1])


def add_square(s, v):
    s += v * v
    return s


def scaled_product(p, v, c=2.0):
    p *= v
    p /= c
    return p


def sum_of_squares(x):
    s = 0.0
    for i in range(len(x)):
        s = add_square(s, x[i])
    return s


def product_of_items(x):
    p = 1.0
    for v in x:
        p = scaled_product(p, v)
    return p * np.sum(x)


def accumulator_alias(x):
    def push(total, v):
        t = total       # (a name for the same number)
        t += np.sin(v)
        return t
    acc = 0.5
    for v in x:
        acc = push(acc, v)
    return acc * acc


def nested_energy(x):
    def term(e, a, b):
        e -= a * b
        e += 0.5 * a ** 2
        return e
    energy = 0.0
    for i in range(len(x) - 1):
        energy = term(energy, x[i], x[i + 1])
    return energy


class Model:
    def __init__(self, w):
        self.w = w

    def _add(self, s, v):
        s += self.w * v ** 2
        return s

    def loss(self, x):
        s = 0.0
        for v in x:
            s = self._add(s, v)
        return s


MODEL = Model(1.5)


def method_accumulator(x):
    return MODEL.loss(x)


NUMBER_PROGRAMS = [sum_of_squares, product_of_items, accumulator_alias, nested_energy,
                   method_accumulator]


@pytest.mark.parametrize('func', NUMBER_PROGRAMS, ids=lambda f: f.__name__)
def test_a_helper_adding_into_a_number_is_differentiated(func):
    x = X.copy()
    expected = numerical_grad(func, (x,), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(x), expected, rtol=1e-6, atol=1e-8)
    tangent = np.array([0.2, -1.0, 0.5])
    np.testing.assert_allclose(s2sgrad.jvp(func)(x, tangent), expected @ tangent,
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, X)


def test_second_derivative_through_a_number_accumulator():
    # d2/dx2 of sum(x_i^2) is 2 I
    np.testing.assert_allclose(s2sgrad.hessian(sum_of_squares)(X), 2 * np.eye(3), atol=1e-12)


def rows_summed(x):
    s = np.zeros(2)
    for i in range(len(x)):
        s = add_square(s, x[i])   # s is an array: add_square changes it in place
    return np.sum(s)


def total_then_read(x):
    acc = x * 1.0
    out = add_square(acc, x)      # acc is changed too, and read below
    return np.sum(out * acc)


def grows_a_list(x):
    def extend(items, v):
        items += [v * v]
        return items
    out = [x[0]]
    out = extend(out, x[1])
    return out[0] * out[1]


@pytest.mark.parametrize('func, args', [(rows_summed, (np.ones((3, 2)),)),
                                        (total_then_read, (X,)),
                                        (grows_a_list, (X,))],
                         ids=['rows', 'read after', 'list'])
def test_a_helper_adding_into_an_array_or_list_raises_with_the_line(func, args):
    originals = [a.copy() for a in args]
    for transform in (lambda: s2sgrad.grad(func)(*args),
                      lambda: s2sgrad.jvp(func)(*args, *[np.ones_like(a) for a in args])):
        with pytest.raises(InPlaceError) as info:
            transform()
        text = str(info.value)
        assert __file__ in text and 'which changes its parameter' in text
    for a, original in zip(args, originals):
        np.testing.assert_array_equal(a, original)


def number_param_total(x, s):
    return np.sum(add_square(s, x))


def test_a_number_argument_of_the_function_itself():
    # d/dx sum(s + x^2) = 2x, d/ds = size of x
    gx, gs = s2sgrad.grad(number_param_total, wrt=(0, 1))(X, 0.5)
    np.testing.assert_allclose(gx, 2 * X)
    assert gs == pytest.approx(3.0)


def head_scaled(v, c):
    head = v[:2]      # a part of an array: never of a number
    head *= c
    return v


def part_written(x):
    y = x * 1.0
    z = head_scaled(y, 3.0)
    return np.sum(z)


def test_a_helper_adding_into_a_part_of_its_argument_is_refused_at_once():
    with pytest.raises(UnsupportedSyntaxError, match='writes into its argument `v`'):
        s2sgrad.grad(part_written)(X)


# From review A: parameters bound by keyword or *args, calls inside conditions, and arrays the
# backward sweep keeps that are not differentiated themselves.
def add_square_by_keyword(v, *, s):
    s += v * v
    return s


def add_square_of_rest(*values):
    s = values[0]
    s += values[1] * values[1]
    return s


def set_head_by_keyword(v, *, s):
    s[0] = v[0] * 5.0
    return s


def keyword_only_array(x):
    s = x * 1.0
    t = add_square_by_keyword(x, s=s)
    return np.sum(t) + np.sum(s)


def varargs_array(x):
    s = x * 1.0
    t = add_square_of_rest(s, x)
    return np.sum(t) + np.sum(s)


def keyword_only_numbers(x):
    total = 0.0
    for v in x:
        total = add_square_by_keyword(v, s=total) * 0.5
    return total


def call_in_a_condition(x):
    s = x * 1.0
    if np.sum(add_square(s, x)) > 0:
        return np.sum(s)
    return 0.0


def call_in_a_while_condition(x):
    s, n = 0.0, 0
    while add_square(s, x[n]) < 2.0 and n < 2:
        s = add_square(s, x[n])
        n += 1
    return s * x[0]


def inactive_weights_scaled(x):
    w = np.ones(3)                 # (not differentiated: read by the derivative, then scaled)
    t = 0.0
    for i in range(3):
        t = t + np.sum(w * x ** 2)
        w = scaled_product(w, 1.0)
    return t


@pytest.mark.parametrize('func', [keyword_only_array, call_in_a_condition,
                                  inactive_weights_scaled], ids=lambda f: f.__name__)
def test_adding_into_an_array_bound_any_way_raises(func):
    x = X.copy()
    with pytest.raises(InPlaceError, match='which changes its parameter'):
        s2sgrad.grad(func)(x)
    np.testing.assert_array_equal(x, X)


def test_a_helper_writing_into_a_keyword_only_parameter_is_refused():
    def calls_it(x):
        s = x * 1.0
        return np.sum(set_head_by_keyword(x, s=s)) + np.sum(s)
    with pytest.raises(UnsupportedSyntaxError, match='writes into its argument `s`'):
        s2sgrad.grad(calls_it)(X)
    # (through *values: `s = values[0]` is an item of an array or list, written into)
    with pytest.raises(UnsupportedSyntaxError, match='writes into its argument `values`'):
        s2sgrad.grad(varargs_array)(X)


@pytest.mark.parametrize('func', [keyword_only_numbers, call_in_a_while_condition],
                         ids=lambda f: f.__name__)
def test_numbers_bound_any_way_are_differentiated(func):
    np.testing.assert_allclose(s2sgrad.grad(func)(X), numerical_grad(func, (X,), 0),
                               rtol=1e-6, atol=1e-8)


# From review B: an array the derivative read, passed on through an alias, a view, an item of
# a dict or list, or read by a nested function, is checked too.
def dict_item_scaled(x):
    params = {'a': np.array([0.5, -2.0, 3.0])}
    t = np.sum(params['a'] * x * x)
    u = scaled_product(params['a'], 1.0)
    return t + np.sum(u * x)


def alias_scaled(x):
    w = np.array([0.5, -2.0, 3.0])
    v = w
    t = np.sum(v * x * x)
    w = scaled_product(w, 1.0)
    return t + np.sum(w * x)


def view_scaled(x):
    w = np.array([0.5, -2.0, 3.0])
    v = w[:]
    t = np.sum(v * x * x)
    w = scaled_product(w, 1.0)
    return t + np.sum(w * x)


def closure_scaled(x):
    w = np.array([0.5, -2.0, 3.0])

    def inner(y):
        return np.sum(w * y * y)
    t = inner(x)
    w = scaled_product(w, 1.0)
    return t + np.sum(w * x)


@pytest.mark.parametrize('func', [dict_item_scaled, alias_scaled, view_scaled, closure_scaled],
                         ids=lambda f: f.__name__)
def test_an_array_kept_for_the_derivative_under_another_name_raises(func):
    with pytest.raises(InPlaceError, match='which changes its parameter `p`'):
        s2sgrad.grad(func)(X)
