"""A helper returning a tuple of new arrays (``return np.zeros(2), np.eye(2)``), unpacked
(``a, P = init_state()``) and then written into: each item is its own memory, so the write
is differentiated (it was refused: the items were taken to share memory). A helper that
returns one array twice (``return z, z``, or through another name) stays refused: a write
into one item changes the other. Checked against central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

Y = np.array([0.3, -0.2, 0.5, 0.1])


def init_state():
    return np.zeros(2), np.eye(2)


def kalman_nll(q, y):
    a, P = init_state()
    total = 0.0
    for t in range(len(y)):
        P[0, 0] = P[0, 0] + q
        P[1, 1] = P[1, 1] + q * 0.5
        S = P[0, 0] + 1.0
        v = y[t] - a[0]
        total = total + np.log(S) + v ** 2 / S
        K = P[:, 0] / S
        a = a + K * v
        P = P - np.outer(K, P[0, :])
    return total


def twice():
    z = np.zeros(2)
    return z, z


def through_another_name():
    z = np.zeros(2)
    w = z
    return z, w


def writes_one_of_twice(q):
    a, b = twice()
    b[1] = q
    return np.sum(a * q)


def writes_one_of_aliased(q):
    a, b = through_another_name()
    b[1] = q
    return np.sum(a * q)


def test_a_tuple_of_new_arrays_unpacked_and_written():
    q = 0.4
    expected = (kalman_nll(q + 1e-6, Y) - kalman_nll(q - 1e-6, Y)) / 2e-6
    assert np.isclose(s2sgrad.grad(kalman_nll)(q, Y), expected, rtol=1e-6)
    assert np.isclose(s2sgrad.jvp(kalman_nll)(q, Y, 1.0), expected, rtol=1e-6)


@pytest.mark.parametrize('func', [writes_one_of_twice, writes_one_of_aliased])
def test_one_array_returned_twice_stays_refused(func):
    assert np.isclose(func(0.4), 0.4 * 0.4)  # (the write shows through the other item)
    with pytest.raises(UnsupportedSyntaxError, match='may share memory'):
        s2sgrad.grad(func)(0.4)
