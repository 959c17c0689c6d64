"""A name first bound to an argument, then to new arrays before each write into it (``h =
x``, then ``h = np.tanh(h); h[0] = 0.5`` in a loop: the usual start of an iteration), and a
number picked by the built-in ``min``/``max`` then updated (``t = min(a, b); t += 1.0``):
both were refused as writes through an alias. Checked against central differences in both
modes; a write that does reach the argument through the alias stays refused."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError


def iterate_from_argument(x):
    h = x
    for _ in range(2):
        h = np.tanh(h)
        h[0] = 0.5
    return np.sum(h * x)


def while_from_argument(x):
    h = x
    while np.sum(h) < 10:
        h = h + 1.0
        h[0] = 0.0
    return np.sum(h * x)


def rebound_once(x):
    h = x
    h = h * 2.0
    h[0] = 1.0
    return np.sum(h) + np.sum(x ** 2)


def written_before_rebinding(x):
    h = x
    for i in range(2):
        h[0] = 0.5 * i  # (the first run writes into x itself)
        h = np.tanh(h)
    return np.sum(h * x)


def smaller_plus_one(a, b):
    t = min(a, b)
    t += 1.0
    return a * b * t


def larger_times_two(a, b):
    t = max(a, b)
    t *= 2.0
    return t + a * b


X = np.array([0.1, 0.2, 0.3])


@pytest.mark.parametrize('f', [iterate_from_argument, while_from_argument, rebound_once],
                         ids=lambda f: f.__name__)
def test_rebound_alias_matches_central_differences(f):
    x = X.copy()
    check_grads(f, (x,), modes=('rev', 'fwd'))
    np.testing.assert_array_equal(x, X)


def test_a_write_through_the_alias_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='alias'):
        s2sgrad.grad(written_before_rebinding)(X.copy())


@pytest.mark.parametrize('f', [smaller_plus_one, larger_times_two], ids=lambda f: f.__name__)
@pytest.mark.parametrize('a, b', [(0.7, 0.4), (0.2, 0.9)])
def test_min_max_of_numbers_then_updated(f, a, b):
    check_grads(f, (a, b), wrt=(0, 1), modes=('rev', 'fwd'))


def test_min_of_arrays_then_updated_is_loud():
    with pytest.raises(InPlaceError):
        s2sgrad.grad(smaller_plus_one, wrt=(0, 1))(np.array(0.7), np.array(0.4))


def heat_steps_same_name(u):
    u = u.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + 0.1 * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 3)


def capped_same_name(s):
    s = np.array(s)
    s[s > 1.5] = 1.5
    s[0] = s[1] * s[2]
    return np.sum(np.exp(s) * s)


@pytest.mark.parametrize('f', [heat_steps_same_name, capped_same_name],
                         ids=lambda f: f.__name__)
def test_second_derivatives_of_a_copy_under_the_same_name(f):
    x = np.array([1.0, 2.0, 0.3, 0.5, 0.7])
    check_grads(f, (x,), modes=('rev', 'fwd'), order=2)
    np.testing.assert_array_equal(x, [1.0, 2.0, 0.3, 0.5, 0.7])
