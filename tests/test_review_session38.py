"""What session 38 found and mended, each pinned against central differences: arrays added to
a list by ``extend``, ``+=`` or concatenation and then updated in place through the list."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import errors


def _fd(f, x, h=1e-6):
    """Central differences of the scalar function `f` at `x`."""
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


X = np.array([0.3, -1.2, 0.7])


# -- an array two names hold, added to a list without ``append`` -----------------------------
# (``lst[0] += x`` adds into the array `a` too, which is read afterwards: the normal form's
# copy of the list made there was taken for a new list of new arrays; silently wrong before)

def extended(x):
    a = x * 2.0
    lst = []
    lst.extend([a])
    lst[0] += x
    return np.sum(a * x)


def grown(x):
    a = x * 2.0
    lst = []
    lst += [a]
    lst[0] += x
    return np.sum(a * x)


def concatenated(x):
    a = x * 2.0
    lst = [x]
    lst = lst + [a]
    lst[1] *= x
    return np.sum(a * x)


def extended_then_looped(x):
    a = x * 2.0
    lst = []
    lst.extend((a, x))
    for v in lst:
        v += 1.0
    return np.sum(a * x)


@pytest.mark.parametrize('f', [extended, grown, concatenated, extended_then_looped])
def test_an_item_added_without_append_and_changed_in_place_is_refused(f):
    """Python changes `a` through the list; the derivative must follow that or refuse."""
    with pytest.raises(errors.S2SError, match='in place'):
        s2sgrad.grad(f)(X.copy())


# -- the same programs with arrays of their own: differentiated ------------------------------

def extended_fresh(x):
    lst = []
    lst.extend([x * 2.0, x ** 2])
    lst[0] += x
    return np.sum(lst[0] * lst[1])


def grown_fresh(x):
    lst = [x * 1.0]
    lst += [np.sin(x)]
    lst[1] *= 2.0
    return np.sum(lst[0] * lst[1])


def grown_in_a_loop(x):
    acc = []
    for i in range(3):
        acc.extend([x * i, x + i])
    acc[2] += 1.0
    return sum(np.sum(v ** 2) for v in acc)


def extended_with_a_copy(x):
    a = x * 2.0
    lst = []
    lst.extend([a.copy()])
    lst[0] += x
    return np.sum(a * lst[0])


def item_stored_after_growing(x):
    lst = [x * 1.0]
    lst += [np.cos(x)]
    lst[1] = lst[1] * 2.0
    return np.sum(lst[0] * lst[1])


@pytest.mark.parametrize('f', [extended_fresh, grown_fresh, grown_in_a_loop,
                               extended_with_a_copy, item_stored_after_growing])
def test_a_list_grown_then_an_item_updated(f):
    """A list grown by ``+=`` whose item is then stored or updated: the concatenation's
    adjoint splits by the list's length (before, an item store made the list unknown, and
    the gradient raised 'an adjoint of 2 items reached a list or tuple of 1')."""
    x = X.copy()
    np.testing.assert_allclose(s2sgrad.grad(f)(x), _fd(f, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, X)
    v = np.array([0.5, -0.25, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(X.copy(), v), np.dot(_fd(f, X), v),
                               rtol=1e-6, atol=1e-8)
