"""Indices that the function changes in place while a loop reads through them (observation
stations that move, counters kept in a dict or list, a mask filled step by step): the
backward sweep reads each step's gather as that step made it, or, where it would read the
index itself again after a change that it cannot undo, the change is refused by name. Every
gradient is checked against central differences."""
import collections

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError


def filled_item_by_item(x, k):
    idx = np.zeros(3, dtype=int)
    J = 0.0
    for t in range(3):
        idx[t] = t + 2
        J = J + np.sum(x[idx] * k) ** 2
    return J


def list_item_rebound(x, k):
    st = [0, 3]
    J = 0.0
    for t in range(4):
        st[1] = t + 2
        J = J + np.sum((k * x[st] - 1.0) ** 2)
    return J


def mask_filled(x, k):
    m = np.zeros(x.size, dtype=bool)
    J = 0.0
    for t in range(3):
        m[t + 1] = True
        J = J + np.sum(x[m] * k) ** 2
    return J


def mask_of_a_local_array(x, k):
    f = x * 2.0
    m = np.zeros(x.size, dtype=bool)
    J = 0.0
    for t in range(3):
        m[t] = True
        J = J + np.sum((k * f[m]) ** 2)
    return J


def moved_after_the_read(x, k):
    idx = np.array([0, 1])
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[idx] * k) ** 2
        idx[0] = idx[0] + 2
    return J


def moved_by_out(x, k):
    idx = np.array([0, 1])
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[idx] * k) ** 2
        np.add(idx, 1, out=idx)
    return J


def grown(x, k):
    idx = [0, 1]
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[idx] * k) ** 2
        idx.append(t + 2)
    return J


def advance(idx):
    idx[0] += 1


def moved_by_a_helper(x, k):
    idx = np.array([0, 1])
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[idx] * k) ** 2
        advance(idx)
    return J


def counter_in_a_dict(x, k):
    state = {'step': 0}
    J = 0.0
    for t in range(3):
        J = J + (k * x[state['step']]) ** 2
        state['step'] += 2
    return J


def counter_in_a_list(x, k):
    pos = [0, 1]
    J = 0.0
    for t in range(3):
        J = J + (x[pos[0]] * k) ** 2
        pos[0] += 1
    return J


def window_bounds_in_a_list(x, k):
    pos = [0, 1]
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[pos[0]:pos[1] + 2] * k) ** 2
        pos[0] += 1
    return J


def stations_in_a_dict(x, k):
    st = {'idx': [0, 1]}
    J = 0.0
    for t in range(3):
        J = J + np.sum(x[st['idx']] * k) ** 2
        st['idx'] = [t + 1, t + 2]
    return J


FUNCTIONS = [filled_item_by_item, list_item_rebound, mask_filled, mask_of_a_local_array,
             moved_after_the_read, moved_by_out, grown, moved_by_a_helper, counter_in_a_dict,
             counter_in_a_list, window_bounds_in_a_list, stations_in_a_dict]


@pytest.mark.parametrize('func', FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_gradient_of_the_factor(func):
    x, k, h = np.linspace(0.5, 1.5, 8), 0.7, 1e-6
    expected = (func(x, k + h) - func(x, k - h)) / (2 * h)
    np.testing.assert_allclose(s2sgrad.grad(func, wrt=1)(x, k), expected, rtol=1e-6)


def moving_stations(u0, obs):
    u = u0
    stations = [0, 2]
    J = 0.0
    for t in range(4):
        u = u + 0.1 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
        J = J + np.sum((u[stations] - obs[t, :2]) ** 2)
        stations.append(t + 3)
        stations.pop(0)
    return J


@pytest.mark.parametrize('func, args, method', [
    (grown, (np.linspace(0.5, 1.5, 8), 0.7), 'idx.append'),
    (moving_stations, (np.linspace(0.5, 1.5, 8), np.ones((4, 4))), 'stations.append'),
])
def test_a_list_of_indices_grown_after_the_derivative_read_it_is_refused(func, args, method):
    # (the gradient with respect to the gathered array adds into the places the indices
    # name, at each step: the backward sweep would read the list as it is in the end)
    with pytest.raises(UnsupportedSyntaxError, match=method.replace('.', r'\.')):
        s2sgrad.grad(func, wrt=0)(*args)


def shifted_stations(u0, obs):
    u = u0
    stations = [0, 2]
    J = 0.0
    for t in range(4):
        u = u + 0.1 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
        J = J + np.sum((u[stations] - obs[t, :2]) ** 2)
        stations = stations[1:] + [t + 3]
    return J


def test_a_new_list_each_step_is_differentiated():
    u0, obs, h = np.linspace(0.5, 1.5, 8), np.ones((4, 4)) * 0.3, 1e-6
    expected = [(shifted_stations(u0 + h * e, obs) - shifted_stations(u0 - h * e, obs)) / (2 * h)
                for e in np.eye(u0.size)]
    np.testing.assert_allclose(s2sgrad.grad(shifted_stations)(u0, obs), expected, rtol=1e-6,
                               atol=1e-9)


def moved_by_copyto_keywords(x, w):
    idx = np.array([0, 1, 2])
    s = 0.0
    for t in range(3):
        s = s + np.sum(w[idx] * x ** 2)
        np.copyto(dst=idx, src=idx + 1)
    return s


def moved_by_put_keywords(x, w):
    idx = np.array([0, 1, 2])
    s = 0.0
    for t in range(3):
        s = s + np.sum(w[idx] * x ** 2)
        np.put(a=idx, ind=[0], v=[t + 3])
    return s


def reversed_through_the_class(x, w):
    idx = [0, 1, 2]
    s = 0.0
    for t in range(3):
        s = s + np.sum(w[idx] * x ** 2)
        list.reverse(idx)
    return s


def filled_through_the_class(x, w):
    idx = np.array([0, 1, 2])
    s = 0.0
    for t in range(3):
        s = s + np.sum(w[idx] * x ** 2)
        np.ndarray.fill(idx, t + 1)
    return s


def rotated_deque(x, w):
    q = collections.deque([0, 1, 2])
    s = 0.0
    for t in range(3):
        s = s + w[q[0]] * x[t] ** 2
        q.rotate(1)
    return s


def shortened_deque(x, w):
    q = collections.deque([0, 1, 2])
    s = 0.0
    for t in range(3):
        s = s + w[q[0]] * x[t] ** 2
        q.popleft()
    return s


def bump(holder):
    holder[0][1] += 1


def moved_through_a_list_holding_it(x, w):
    idx = np.array([0, 1, 2])
    st = [idx]
    s = 0.0
    for t in range(3):
        s = s + np.sum(w[idx] * x ** 2)
        bump(st)
    return s


OTHER_CHANGES = [moved_by_copyto_keywords, moved_by_put_keywords, reversed_through_the_class,
                 filled_through_the_class, rotated_deque, shortened_deque,
                 moved_through_a_list_holding_it]


@pytest.mark.parametrize('func', OTHER_CHANGES, ids=[f.__name__ for f in OTHER_CHANGES])
def test_other_changes_of_the_indices(func):
    x, w, h = np.array([0.3, -0.5, 0.8]), np.linspace(-1.0, 2.0, 8), 1e-6
    expected = [(func(x + h * e, w) - func(x - h * e, w)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(s2sgrad.grad(func)(x, w), expected, rtol=1e-6, atol=1e-9)


def window_of_a_grown_path(x):
    path = [0]
    s = 0.0
    for t in range(3):
        path.append(t + 1)
        s = s + np.sum(x[path[-2:]] ** 3)
    return s


def test_a_window_of_a_grown_list_is_refused():
    # (the backward sweep would read the window of the path as it is in the end)
    with pytest.raises(UnsupportedSyntaxError, match=r'path\.append'):
        s2sgrad.grad(window_of_a_grown_path)(np.array([0.3, -0.5, 0.8, 1.1, -0.2]))
