"""Second derivatives of functions that write into an array and then rebind or update it:
the gradient restores the array under the name it saved it by (``y_old_2 = y``, later ``y =
y_old_2; y[0] = y_old``), which differentiating it again used to refuse as an alias of an array
assigned into. The alias analysis now decides each write (it copies where no other live name
sees the array); truly shared arrays stay refused, quoting the user's line."""
import copy

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError


def copied_written_scaled(x):
    y = x.copy()
    y[0] = y[1] * 2
    y *= 1.5
    return np.sum(y ** 3)


def copied_written_rebound(x):
    y = x.copy()
    y[0] = y[1] * 2
    y = y * 1.5
    return np.sum(y ** 3)


def argument_written_rebound(x):
    x = x.copy()
    x[0] = x[1] * 2
    x = x * 1.5
    return np.sum(x ** 3)


def written_then_scaled_by_an_item(x):
    y = x * 1.0
    y[2] = y[0] ** 2
    y *= y[1]
    return np.sum(np.sin(y))


def nanmax_of_a_written_copy(x):
    y = x.copy()
    y[0] = 0.0
    return np.nanmax(y) + np.sum(y ** 2)


def argument_written_in_place(x):
    x[0] = x[1] * 2
    x *= 1.5
    return np.sum(x ** 3)


def aliased_in_a_loop(u0):
    u = u0.copy()
    for t in range(2):
        un = u
        un[0] = un[0] * 2.0
        u = un
    return np.sum(u ** 3)


FUNCTIONS = [copied_written_scaled, copied_written_rebound, argument_written_rebound,
             written_then_scaled_by_an_item, nanmax_of_a_written_copy]
X = np.array([0.3, -0.7, 1.2])
V = np.array([0.5, 1.0, -1.5])


def hessian_vector_by_differences(f, x, v, eps=1e-5):
    g = s2sgrad.grad(f)
    return (g(x + eps * v) - g(x - eps * v)) / (2 * eps)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hvp_and_hessian_match_differences_of_the_gradient(f):
    x = X.copy()
    expected = hessian_vector_by_differences(f, X.copy(), V)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, V.copy()), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hessian(f)(x) @ V, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(x, X)


def test_an_alias_written_in_a_loop_then_rebound_is_copied():
    """``un = u`` each step, written and rebound: no other name reads the array after the
    write, so the analysis copies it (first derivatives; second derivatives of a loop that
    writes into an array are a known limit)."""
    x = X.copy()
    eps = 1e-6
    expected = np.array([(aliased_in_a_loop(X + eps * e) - aliased_in_a_loop(X - eps * e)) /
                         (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(s2sgrad.grad(aliased_in_a_loop)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(aliased_in_a_loop)(x, V), expected @ V, rtol=1e-6)
    np.testing.assert_array_equal(x, X)


def test_grad_of_grad_of_a_function_writing_into_its_argument():
    """The gradient copies an argument it writes into (``x = s2s.copy(x)`` after ``x_given =
    x``): a function calling it may pass its own argument."""
    def summed(t):
        return np.sum(s2sgrad.grad(argument_written_in_place)(t))
    x = X.copy()
    got = s2sgrad.grad(summed)(x)
    expected = hessian_vector_by_differences(lambda t: argument_written_in_place(t.copy()),
                                             X.copy(), np.ones(3))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hvp(argument_written_in_place)(x, np.ones(3)),
                               expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(x, X)


def read_through_the_other_name(u0):
    u = u0.copy()
    s = 0.0
    for t in range(3):
        v = u
        v[0] = v[0] * 2.0
        s = s + np.sum(u ** 2)
    return s


def chosen_in_a_branch(u0, w0):
    u = u0.copy()
    w = w0.copy()
    if u0[0] > 0:
        v = u
    else:
        v = w
    v[1] = v[1] * 3.0
    return np.sum(u * w)


@pytest.mark.parametrize('f, args', [(read_through_the_other_name, (X,)),
                                     (chosen_in_a_branch, (X, V))],
                         ids=['read_through_the_other_name', 'chosen_in_a_branch'])
def test_a_write_another_live_name_sees_is_refused_at_the_users_line(f, args):
    given = copy.deepcopy(args)
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(f)(*given)
    assert 'may share memory with' in str(info.value) and __file__ in str(info.value)
    for a, b in zip(given, args):
        np.testing.assert_array_equal(a, b)
