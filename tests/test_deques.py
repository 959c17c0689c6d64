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


def doubled_history(x):
    h = deque()
    for i in range(3):
        h.append(x[i] * 2.0)
    return h


def listed_history(x):
    h = []
    for i in range(3):
        h.append(x[i] * 2.0)
    return h


@pytest.mark.parametrize('f', [doubled_history, listed_history])
def test_cotangents_of_a_sequence_output_in_any_form(f):
    x = np.array([0.3, -0.7, 1.1, 0.5])
    for cotangent in (deque([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0])):
        kept = copy.deepcopy(cotangent)
        np.testing.assert_allclose(s2sgrad.vjp(f)(x, cotangent), [2.0, 4.0, 6.0, 0.0])
        assert list(cotangent) == list(kept)  # (the caller's cotangent is not emptied)
    np.testing.assert_allclose(np.asarray(s2sgrad.jacobian(f)(x)), 2.0 * np.eye(4)[:3])


def model_with_a_log(params, x):
    w, log = params['w'], params['log']
    return np.sum((w * x) ** 2) + 0.0 * len(log)


def model_ignoring_its_log(params, x):
    return np.sum((params['w'] * x) ** 2)


def test_a_bounded_deque_inside_an_argument():
    params = {'w': np.array([0.5, -1.0]), 'log': deque([0.1, 0.2], maxlen=2)}
    x = np.array([1.0, 2.0])
    # (not read: its adjoint is never made item by item)
    g = s2sgrad.grad(model_ignoring_its_log)(params, x)
    np.testing.assert_allclose(g['w'], 2 * params['w'] * np.array([1.0, 4.0]))
    # (read under a name of its own: followed item by item, which a maxlen forbids)
    try:
        g = s2sgrad.grad(model_with_a_log)(params, x)
    except S2SError as error:
        assert 'maxlen=2' in str(error)
    else:
        np.testing.assert_allclose(g['w'], 2 * params['w'] * np.array([1.0, 4.0]))


def repeated_deque(d):
    return np.sum(np.array(d * 2) * np.array([1.0, 10.0, 100.0, 1000.0]))


def test_a_repeated_deque_argument_is_refused_as_a_list_is():
    with pytest.raises(S2SError, match='came out with'):
        s2sgrad.grad(repeated_deque)(deque([0.3, -0.7]))


def sorted_products(x):
    w = deque()
    for i in range(3):
        w.append(x[i] * x[i + 1])
    return np.sum(np.sort(w) * np.array([0.5, -1.0, 2.0])) + np.sum(np.square(w))


def test_numpy_functions_read_a_deque_as_an_array():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    np.testing.assert_allclose(s2sgrad.grad(sorted_products)(x), central(sorted_products, x),
                               rtol=1e-6)
