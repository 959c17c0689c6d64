"""A state held in a list and copied each step (``new = state[:]``, ``state.copy()``,
``list(state)``), then written item by item and rebound: compartment models, Markov chains.
A slice or copy of a list is a new list: no write through it reaches the old state."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def sliced_state(rates):
    state = [1.0, 0.0, 0.0]
    for _ in range(4):
        new = state[:]
        new[0] = state[0] - rates[0] * state[0]
        new[1] = state[1] + rates[0] * state[0] - rates[1] * state[1]
        new[2] = state[2] + rates[1] * state[1]
        state = new
    return state[1] + 2.0 * state[2]


def copied_state(rates):
    state = [1.0, 0.0, 0.0]
    for _ in range(4):
        new = state.copy()
        new[0] = state[0] * np.exp(-rates[0])
        new[1] = state[1] + state[0] * (1.0 - np.exp(-rates[0])) - rates[1] * state[1]
        state = new
    return state[0] * state[1]


def listed_state(rates):
    state = [1.0, 0.5]
    for k in range(3):
        new = list(state)
        new[k % 2] = new[k % 2] * rates[k % 2] + new[1 - k % 2]
        state = new
    return sum(state)


def tail_sliced(rates):
    state = [0.2, 0.3, 0.5]
    for _ in range(3):
        new = state[:]
        new[1:] = [state[1] * rates[0], state[2] * rates[1]]
        state = new
    return state[1] ** 2 + state[2]


def central(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', [sliced_state, copied_state, listed_state, tail_sliced])
def test_a_list_state_copied_and_written_each_step(f):
    rates = np.array([0.3, 0.2])
    kept = rates.copy()
    expected = central(f, rates)
    np.testing.assert_allclose(s2sgrad.grad(f)(rates), expected, rtol=1e-6, atol=1e-10)
    v = np.array([0.7, -1.3])
    np.testing.assert_allclose(s2sgrad.jvp(f)(rates, v), expected @ v, rtol=1e-6, atol=1e-10)
    step = 1e-5
    hv = (s2sgrad.grad(f)(rates + step * v) - s2sgrad.grad(f)(rates - step * v)) / (2 * step)
    np.testing.assert_allclose(s2sgrad.hvp(f)(rates, v), hv, rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(rates, kept)


def sliced_argument(rates, state):
    new = state[:]
    new[0] = state[0] * rates[0]
    return new[0] + state[0]


def test_a_slice_of_an_argument_that_may_be_an_array_is_refused():
    # (an array's slice is a view: the write would reach the caller's array)
    with pytest.raises(S2SError, match='new = state'):
        s2sgrad.grad(sliced_argument)(np.array([0.3, 0.2]), [1.5, 2.0])


def grown_copies(x):
    st = [x[0], x[1]]
    for i in range(2):
        new = st.copy()
        new.append(new[0] * new[1])
        st = new
    return sum(st)


def copied_then_changed(x):
    st = [x[0], x[1], x[2]]
    new = st.copy()
    last = new.pop()
    new.insert(0, last * 2.0)
    new.reverse()
    new += [x[0] * x[2]]
    return new[0] * new[1] + new[3] * new[2]


def ragged_copy(x):
    st = [x[:2] * 1.0, x[2]]
    new = st.copy()
    new.append(np.sum(new[0]) * new[1])
    return new[2] + np.sum(new[0] ** 2)


def sliced_and_grown(x):
    state = [x * 1.0, x * 2.0]
    for i in range(3):
        new = state[:]
        new.append(new[0] * new[1])
        new[0] = new.pop()
        state = new
    return np.sum(state[0] * state[1])


@pytest.mark.parametrize('f', [grown_copies, copied_then_changed, ragged_copy, sliced_and_grown])
def test_a_copy_of_a_list_made_here_is_a_list_in_every_mode(f):
    x = np.array([0.3, 0.7, -0.4])
    kept = x.copy()
    expected = central(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, rtol=1e-6, atol=1e-10)
    v = np.array([1.0, -0.5, 0.25])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-6, atol=1e-10)
    step = 1e-5
    hv = (s2sgrad.grad(f)(x + step * v) - s2sgrad.grad(f)(x - step * v)) / (2 * step)
    try:
        np.testing.assert_allclose(s2sgrad.hvp(f)(x, v), hv, rtol=1e-5, atol=1e-8)
    except S2SError as error:  # (the gradient's adjoint list under two names, grown in a loop:
        # its second derivative is refused, saying so)
        assert f in (grown_copies, sliced_and_grown) and 'second derivative' in str(error)
    np.testing.assert_array_equal(x, kept)


def earlier_list_seen(x):
    state = [x[0:2] * 1.0, x[2:4] * 1.0]
    total = 0.0
    for i in range(2):
        prev = state
        new = state[:]
        new[0] *= 1.5
        total = total + np.sum(prev[0] ** 2)
        state = new
    return total


def test_an_item_changed_in_place_that_an_earlier_lists_name_reads_is_refused():
    # (the copy is a new list, but its items are the arrays the earlier list holds)
    with pytest.raises(S2SError):
        s2sgrad.grad(earlier_list_seen)(np.array([0.3, 0.7, -0.4, 1.1]))
