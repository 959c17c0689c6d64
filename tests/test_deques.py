"""Deques in differentiated code: an unbounded deque is differentiated as a list wherever it
goes (NumPy functions read it as an array of its items); a bounded one (``maxlen``) holding
differentiated values is refused, however it was made."""
import copy
from collections import deque

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def energy_of_window(x):
    w = deque()
    for v in x:
        w.append(v * 2.0)
    return np.sum(np.array(w) ** 2)


def stacked_history(x):
    w = deque()
    for i in range(3):
        w.append(x * (i + 1.0))
    return np.sum(np.stack(w) ** 2)


def summed_deque(x):
    w = deque()
    for v in x:
        w.append(v * 2.0)
    return np.sum(w) ** 2


def mean_of_deque(x):
    w = deque()
    for v in x:
        w.append(np.sin(v))
    return np.mean(w) ** 2


def passed_to_a_helper(x):
    w = deque()
    for v in x:
        w.append(v * v)
    return weighted_total(w) + w[0]


def weighted_total(items):
    return np.sum(np.array(items) * np.arange(1.0, len(items) + 1.0))


def central(f, x, h=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


X = np.array([0.3, -1.2, 0.5, 0.8])


@pytest.mark.parametrize('f', [energy_of_window, stacked_history, summed_deque,
                               mean_of_deque, passed_to_a_helper])
def test_an_unbounded_deque_is_differentiated_as_a_list(f):
    x = X.copy()
    expected = central(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, rtol=1e-6, atol=1e-9)
    v = np.array([0.5, -1.0, 2.0, 0.25])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-6)
    step = 1e-5
    hv = (s2sgrad.grad(f)(x + step * v) - s2sgrad.grad(f)(x - step * v)) / (2 * step)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, v), hv, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(x, X)


def make_buffer(n):
    return deque(maxlen=n)


def filter_with_a_helpers_buffer(x):
    buf = make_buffer(2)
    s = 0.0
    for v in x:
        buf.append(v)
        s = s + buf[0] * buf[-1]
    return s


def filter_with_a_given_buffer(x, buf):
    s = 0.0
    for v in x:
        buf.append(v)
        s = s + buf[0] * buf[-1]
    return s


def filter_with_a_copied_buffer(x, proto):
    buf = copy.copy(proto)
    s = 0.0
    for v in x:
        buf.append(v)
        s = s + buf[0] * buf[-1]
    return s


@pytest.mark.parametrize('f, extra', [
    (filter_with_a_helpers_buffer, ()),
    (filter_with_a_given_buffer, (deque(maxlen=2),)),
    (filter_with_a_copied_buffer, (deque(maxlen=2),)),
])
def test_a_bounded_deque_is_refused_however_it_was_made(f, extra):
    with pytest.raises(S2SError, match='maxlen=2'):
        s2sgrad.grad(f)(X, *copy.deepcopy(extra))
    try:
        tangent = s2sgrad.jvp(f)(X, *copy.deepcopy(extra), np.ones(4))
    except S2SError as error:
        assert 'maxlen' in str(error)
    else:  # forward mode follows the deque as it runs: the items it drops take theirs along
        expected = central(lambda x: f(x, *copy.deepcopy(extra)), X) @ np.ones(4)
        np.testing.assert_allclose(tangent, expected, rtol=1e-6)
