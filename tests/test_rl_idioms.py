"""Idioms of reinforcement-learning and pricing code: a batch unzipped with ``zip(*traj)``,
a helper compiled with ``@numba.njit`` (its ``.py_func`` is differentiated; the compiled one is
refused, saying so). Gradients against central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError


def reinforce(theta, traj):
    obs, acts, rews = zip(*traj)
    logits = np.array(obs) @ theta
    return np.sum(np.array(rews) * np.log1p(np.exp(logits))) + len(acts)


def discounted(w, episode):
    states, rewards = zip(*episode)
    total = 0.0
    for s, r in zip(states, rewards):
        total = total * 0.9 + r * np.tanh(s @ w)
    return total


@pytest.mark.parametrize('f', [reinforce, discounted])
def test_unzipped_batch(f):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(3)
    if f is reinforce:
        traj = [(rng.standard_normal(3), 0, 1.0), (rng.standard_normal(3), 1, -0.5),
                (rng.standard_normal(3), 0, 2.0)]
    else:
        traj = [(rng.standard_normal(3), 0.5), (rng.standard_normal(3), -1.5)]
    g = s2sgrad.grad(f)(theta, traj)
    np.testing.assert_allclose(g, numerical_grad(f, (theta, traj), 0), rtol=1e-6, atol=1e-9)
    v = np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(theta, traj, v), g @ v, rtol=1e-6, atol=1e-9)


numba = pytest.importorskip('numba', reason='numba is not installed')


@numba.njit
def call_payoff(S, K):
    return max(S - K, 0.0) ** 2


def compiled_helper(S, K):
    return call_payoff(S, K) * 2.0


def python_of_compiled_helper(S, K):
    return call_payoff.py_func(S, K) * 2.0


def test_numba_helper_is_refused_with_its_python_function_named():
    with pytest.raises(S2SError, match=r'call_payoff\.py_func'):
        s2sgrad.grad(compiled_helper)(105.0, 100.0)


def test_python_function_of_a_numba_helper():
    g = s2sgrad.grad(python_of_compiled_helper)(105.0, 100.0)
    assert abs(g - 4.0 * 5.0) < 1e-9
