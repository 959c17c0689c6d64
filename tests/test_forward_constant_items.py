"""Forward mode where an item of a differentiated list is given a constant value (``hs[-1] =
np.zeros(H)``, ``hs[1:3] = [zeros, ones]``) in a list made without a display (``[None] *
n``): the item's tangent has the item's shape, as the code after it reads it (``dhs[t - 1]
@ W``, ``np.stack(dhs)``). jvp is checked against central differences along a direction,
hvp (forward over reverse) against differences of gradients."""
import numpy as np
import pytest

import s2sgrad


def initial_state_in_a_list(Wh, X):
    hs = [None] * (X.shape[0] + 1)
    hs[-1] = np.zeros(Wh.shape[0])
    for t in range(X.shape[0]):
        hs[t] = np.tanh(X[t] + hs[t - 1] @ Wh)
    return np.sum(hs[X.shape[0] - 1])


def padded_steps_stacked(W, X):
    hs = [None] * X.shape[0]
    for t in range(X.shape[0]):
        if t % 2 == 0:
            hs[t] = np.zeros(W.shape[1])
        else:
            hs[t] = np.tanh(X[t] @ W)
    return np.sum(np.stack(hs) @ W.T)


def slice_of_constants(W, X):
    hs = [np.tanh(X[t] @ W) for t in range(X.shape[0])]
    hs[1:3] = [np.zeros(W.shape[1]), np.ones(W.shape[1])]
    return np.sum(np.stack(hs) @ W.T)


def _square_rnn_args():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 3)) * 0.5, rng.standard_normal((4, 3))


def _layer_args():
    rng = np.random.default_rng(1)
    return rng.standard_normal((3, 2)), rng.standard_normal((4, 3))


CASES = [(initial_state_in_a_list, _square_rnn_args), (padded_steps_stacked, _layer_args),
         (slice_of_constants, _layer_args)]


@pytest.mark.parametrize('func, make', CASES, ids=[c[0].__name__ for c in CASES])
def test_tangent_and_hessian_vector_product(func, make):
    W, X = make()
    V = np.random.default_rng(2).standard_normal(W.shape)
    h = 1e-6
    along = (func(W + h * V, X) - func(W - h * V, X)) / (2 * h)
    np.testing.assert_allclose(s2sgrad.jvp(func)(W, X, V), along, rtol=1e-6, atol=1e-9)
    grad = s2sgrad.grad(func)
    change = (grad(W + h * V, X) - grad(W - h * V, X)) / (2 * h)
    np.testing.assert_allclose(s2sgrad.hvp(func)(W, X, V), change, rtol=1e-5, atol=1e-7)
