"""A ``*args`` tuple concatenated with a display (``np.hstack(args + (ones,))``: autograd's
rnn and lstm examples, `concat_and_multiply`): the tuple's items get their parts of the
concatenation's adjoint (it was added to them as a number, and the gradient raised at run
time). Checked against central differences, forward against reverse, second order."""
import numpy as np
import pytest

import s2sgrad

RS = np.random.RandomState(0)
W = RS.randn(6, 3)
XS = RS.randn(2, 2)
H = RS.randn(2, 3)


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def rnn_step(W, x, h):
    return np.sum(np.tanh(concat_and_multiply(W, x, h)) ** 2)


def prepended(W, x, h):
    parts = (x * 2.0,) + (h,)
    return np.sum(np.hstack(parts) @ W[:5])


def numeric(f, args, wrt, eps=1e-6):
    x = args[wrt]
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up = [a.copy() for a in args]
        down = [a.copy() for a in args]
        up[wrt][i] += eps
        down[wrt][i] -= eps
        g[i] = (f(*up) - f(*down)) / (2 * eps)
    return g


@pytest.mark.parametrize('f', [rnn_step, prepended], ids=lambda f: f.__name__)
def test_a_tuple_concatenated(f):
    args = (W, XS, H)
    grads = s2sgrad.grad(f, wrt=(0, 1, 2))(*args)
    for k in range(3):
        expected = numeric(f, args, k)
        assert np.allclose(grads[k], expected, rtol=1e-6, atol=1e-8)
        v = RS.randn(*args[k].shape)
        assert np.isclose(s2sgrad.jvp(f, wrt=k)(*args, v), np.sum(expected * v), rtol=1e-6)


def test_second_order_is_right_or_refused():
    """Differentiated again, the helper's tuple is a parameter of the gradient's code, no
    longer known to be one: the concatenation is refused there (README, "Known limits")."""
    v = RS.randn(*H.shape)
    g = s2sgrad.grad(rnn_step, wrt=2)
    eps = 1e-6
    expected = (g(W, XS, H + eps * v) - g(W, XS, H - eps * v)) / (2 * eps)
    try:
        got = s2sgrad.hvp(rnn_step, wrt=2)(W, XS, H, v)
    except s2sgrad.errors.NoRuleError as error:
        assert 'concatenation' in str(error)
        return
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-7)
