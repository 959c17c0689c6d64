"""Update rules that keep their state in a config dict, as CS231n's `optim.py` writes them:
a step counter bumped in place (``config['t'] += 1``), the dict copied with ``dict(config)``
or ``config.copy()`` for each call. Gradients against central differences; a counter that is
an array the caller's dict also holds is refused at run time (the helper would change it)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, S2SError

RNG = np.random.default_rng(12)
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal(6)


def adam(w, dw, config):
    config.setdefault('m', np.zeros_like(w))
    config.setdefault('t', 0)
    config['t'] += 1  # a number: rebound, whatever NumPy would do to an array
    config['m'] = 0.9 * config['m'] + 0.1 * dw
    mt = config['m'] / (1 - 0.9 ** config['t'])
    return w - config['learning_rate'] * mt, config


def train_adam(w0, lr):
    w = w0
    config = {'learning_rate': lr}
    for it in range(4):
        dw = X.T @ (X @ w - Y) / len(Y)
        w, config = adam(w, dw, config.copy())
    return np.sum((X @ w - Y) ** 2)


def sgd_momentum(w, dw, config):
    v = config.get('velocity', np.zeros_like(w))
    v = 0.9 * v - config['learning_rate'] * dw
    config['velocity'] = v
    return w + v, config


def train_momentum(w0, lr):
    w = w0
    config = {'learning_rate': lr}
    for it in range(3):
        dw = X.T @ (X @ w - Y) / len(Y)
        w, config = sgd_momentum(w, dw, dict(config))
    return np.sum((X @ w - Y) ** 2)


def bump(w, config):
    config['t'] += 1.0
    return w * config['t'], config


def counter_is_the_callers_array(w, t0):
    config = {'t': t0 * 1.0}
    out = 0.0
    for i in range(2):
        v, changed = bump(w, config.copy())
        out = out + np.sum(v)
    return out + np.sum(config['t'])


def nested_counter(w, t0):
    config = {'opt': {'t': t0 * 1.0}}
    sub = bump_nested(w, config.copy())
    return np.sum(sub) + np.sum(config['opt']['t'])


def bump_nested(w, config):
    sub = config['opt']
    sub['t'] += 1.0
    return w * sub['t']


@pytest.mark.parametrize('f', [counter_is_the_callers_array, nested_counter])
def test_counter_that_is_a_shared_array_is_refused(f):
    # the copy of the dict holds the caller's array at 't': `+=` would change it
    with pytest.raises(InPlaceError, match='writes into the items'):
        s2sgrad.grad(f)(np.ones(2), np.ones(2))


def list_counter(w, steps):
    state = [0, w * 1.0]
    for k in range(3):
        w = step_with(w, list(state))
    return np.sum(w ** 2)


def step_with(w, state):
    state[0] += 1
    return w * (1.0 + 0.1 * state[0])


def test_counter_at_a_constant_index_of_a_list_copy():
    w = np.array([0.5, -1.5])
    g = s2sgrad.grad(list_counter)(w, 3)
    np.testing.assert_allclose(g, numerical_grad(list_counter, (w, 3), 0), rtol=1e-6)


def train_cs231n(w0, lr):
    # the update rule writes its state into the dict it is given and returns it
    w = w0
    config = {'learning_rate': lr}
    for it in range(3):
        dw = X.T @ (X @ w - Y) / len(Y)
        w, config = sgd_momentum(w, dw, config)
    return np.sum((X @ w - Y) ** 2)


def train_adam_in_place(w0, lr):
    w = w0
    config = dict(learning_rate=lr)
    for it in range(4):
        dw = X.T @ (X @ w - Y) / len(Y)
        w, config = adam(w, dw, config)
        if 'm' not in config or len(config) < 2:
            w = w * 0.0
    return np.sum((X @ w - Y) ** 2)


def velocity_in_an_array(w0, lr):
    w = w0
    state = np.zeros(3)
    for it in range(3):
        w, state = momentum_into(w, X.T @ (X @ w - Y) / len(Y), state, lr)
    return np.sum((X @ w - Y) ** 2)


def momentum_into(w, dw, velocity, lr):
    velocity *= 0.9
    velocity -= lr * dw
    return w + velocity, velocity


@pytest.mark.parametrize('f', [train_adam, train_momentum, train_cs231n, train_adam_in_place])
def test_update_rules_with_state_dicts(f):
    w0 = RNG.standard_normal(3)
    kept = w0.copy()
    g = s2sgrad.grad(f, wrt=(0, 1))(w0, 0.05)
    np.testing.assert_array_equal(w0, kept)
    np.testing.assert_allclose(g[0], numerical_grad(f, (w0, 0.05), 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g[1], numerical_grad(f, (w0, 0.05), 1), rtol=1e-6, atol=1e-9)
    t = s2sgrad.jvp(f, wrt=1)(w0, 0.05, 1.0)
    np.testing.assert_allclose(t, g[1], rtol=1e-6)


def state_seen_under_another_name(w0, lr):
    w = w0
    config = {'learning_rate': lr}
    first = config
    for it in range(2):
        w, config = sgd_momentum(w, X.T @ (X @ w - Y), config)
    return np.sum(w ** 2) + np.sum(first['velocity'])


def rule_twice(w, dw, config, hyper):
    config['m'] = 0.9 * config.get('m', 0.0) + dw
    return w - hyper['lr'] * hyper['m'], config


def state_passed_twice(w0, lr):
    w = w0
    config = {'lr': lr}
    for it in range(2):
        w, config = rule_twice(w, X.T @ (X @ w - Y), config, config)
    return np.sum(w ** 2)


def test_state_another_name_sees_is_still_refused():
    with pytest.raises(S2SError, match='writes into its argument `config`'):
        s2sgrad.grad(state_seen_under_another_name)(np.ones(3), 0.05)
    # (one object under two parameters: a copy of one would part them)
    with pytest.raises(S2SError, match='writes into its argument `config`'):
        s2sgrad.grad(state_passed_twice)(np.ones(3), 0.05)
    # (an array kept in place: a read of it by subscript may be a view, which a copy would
    # part from it; `state.copy()` is the fix the message gives)
    with pytest.raises(InPlaceError, match=r'state\.copy\(\)'):
        s2sgrad.grad(velocity_in_an_array)(np.ones(3), 0.05)


def rule_with_pop(w, dw, config):
    m = config.pop('m')
    config['m'] = 0.9 * m + dw
    return w - 0.1 * config['m'], config


def popping_state(w, x):
    config = {'m': 0.0}
    for i in range(2):
        w, config = rule_with_pop(w, x * w * w, config.copy())
    return np.sum(w ** 2)


@pytest.mark.parametrize('wrt', [0, 1])
def test_a_rule_popping_from_its_copy_of_the_state(wrt):
    # (the returned dict's cotangent is a dict: the backward part reads it by key)
    w, x = np.array([0.5, -0.3, 0.8]), np.array([1.2, 0.4, -0.7])
    g = s2sgrad.grad(popping_state, wrt=wrt)(w, x)
    np.testing.assert_allclose(g, numerical_grad(popping_state, (w, x), wrt), rtol=1e-6)


def filter_step(st, z):
    st['x'] = st['x'] + st['gain'] * (z - st['x'])
    st['P'] = st['P'] * (1.0 - st['gain'])
    return st


def filtered_cost(zs, gain):
    st = {'x': 0.0, 'P': 1.0, 'gain': gain}
    cost = 0.0
    for z in zs:
        st = filter_step(st, z)
        cost += st['x'] ** 2 + st['P']
    return cost


@pytest.mark.parametrize('wrt', [0, 1])
def test_a_state_dict_the_helper_returns_alone_and_the_call_rebinds(wrt):
    # (``st = step(st, z)``, as ``w, config = rule(w, dw, config)``: the call gets a copy)
    zs, gain = np.array([1.3, 0.2, -0.5]), 0.4
    g = s2sgrad.grad(filtered_cost, wrt=wrt)(zs, gain)
    np.testing.assert_allclose(g, numerical_grad(filtered_cost, (zs, gain), wrt), rtol=1e-6)
    v = np.array([0.3, -1.0, 2.0]) if wrt == 0 else 1.0
    t = s2sgrad.jvp(filtered_cost, wrt=wrt)(zs, gain, v)
    assert np.isclose(t, np.sum(g * v))
    np.testing.assert_array_equal(zs, [1.3, 0.2, -0.5])
