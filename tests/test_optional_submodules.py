"""An optional part of a model that is None (``self.norm = None``, or ``norm = None`` in the
class body), whose method is called under the user's ``if self.norm is not None:``: the call
can only raise (Python's AttributeError, which the printed code raises there), so the model
is differentiated as it runs. Checked against closed forms and central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

RNG = np.random.default_rng(3)
W = RNG.normal(size=(3, 2))
X = RNG.normal(size=(4, 3))


class Norm:
    def forward(self, h):
        return h / np.sqrt(np.mean(h ** 2) + 1e-8)


class Layer:
    def __init__(self, norm=None):
        self.norm = norm

    def loss(self, W, x):
        h = np.tanh(x @ W)
        if self.norm is not None:
            h = self.norm.forward(h)
        return np.sum(h ** 2)


class DefaultNone:
    norm = None

    def loss(self, W, x):
        h = np.tanh(x @ W)
        if self.norm is not None:
            h = self.norm.forward(h)
        return np.sum(h ** 2)


class Unguarded:
    def __init__(self):
        self.norm = None

    def loss(self, W, x):
        return np.sum(self.norm.forward(x @ W))


MODEL = Layer(None)


def global_model(W, x):
    return MODEL.loss(W, x) * 2.0


def plain(W, x):
    h = np.tanh(x @ W)
    return x.T @ (2 * h * (1 - h ** 2))


@pytest.mark.parametrize('loss', [Layer(None).loss, DefaultNone().loss])
def test_an_optional_part_that_is_none(loss):
    assert np.allclose(s2sgrad.grad(loss)(W, X), plain(W, X))
    t = np.ones_like(W)
    assert np.isclose(s2sgrad.jvp(loss)(W, X, t), np.sum(plain(W, X) * t))
    hvp = s2sgrad.hvp(loss)(W, X, t)
    expected = numerical_grad(lambda w: np.sum(s2sgrad.grad(loss)(w, X) * t), (W,), 0)
    assert np.allclose(hvp, expected,
                       rtol=1e-5, atol=1e-7)


def test_the_same_model_with_the_part():
    loss = Layer(Norm()).loss
    expected = numerical_grad(lambda w: loss(w, X), (W,), 0)
    assert np.allclose(s2sgrad.grad(loss)(W, X), expected, rtol=1e-6)


def test_a_global_model_with_an_optional_part():
    assert np.allclose(s2sgrad.grad(global_model)(W, X), 2.0 * plain(W, X))


def test_an_unguarded_call_raises_as_python_does():
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'forward'"):
        Unguarded().loss(W, X)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'forward'"):
        s2sgrad.grad(Unguarded().loss)(W, X)
