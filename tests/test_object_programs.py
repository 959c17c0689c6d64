"""Gradients of code that reads arrays from objects (review X): the arrays returned are the
gradient's own, never an attribute's (``g *= lr`` changed the model's weights)."""
from dataclasses import dataclass

import numpy as np

import s2sgrad

X = np.array([0.3, -0.2, 0.5])


class Model:
    def __init__(self, W):
        self.W = W

    def loss(self, x):
        return np.sum(self.W * x)


class Holder:
    def __init__(self):
        self.layer = Model(np.array([1.0, 2.0, 3.0]))

    @property
    def w(self):
        return self.layer.W

    def loss(self, x):
        return np.sum(self.w * x)


class ClassWeights:
    W = np.array([1.0, 2.0, 3.0])

    @classmethod
    def loss(cls, x):
        return np.sum(cls.W * x)


class Pair:
    def __init__(self):
        self.k = np.array([1.0, -2.0, 0.5])

    def loss(self, a, b):
        return np.sum(self.k * a) + np.sum(self.k * b)


class Weights:
    def __init__(self):
        self.W = np.array([1.0, 2.0, 3.0])


MODEL = Weights()


@dataclass
class Params:
    w: np.ndarray


def global_attribute(x):
    return np.sum(MODEL.W * x)


def argument_attribute(x, p):
    return np.sum(p.w * x)


def _cases():
    model, holder, params = Model(np.array([1.0, 2.0, 3.0])), Holder(), Params(np.ones(3) * 2)
    return [(model.loss, (X,), model.W), (holder.loss, (X,), holder.layer.W),
            (ClassWeights.loss, (X,), ClassWeights.W), (global_attribute, (X,), MODEL.W),
            (argument_attribute, (X, params), params.w)]


def test_the_gradient_is_no_attribute_of_an_object():
    for func, args, weights in _cases():
        before = weights.copy()
        for make in (s2sgrad.grad, lambda f: (lambda *a: s2sgrad.value_and_grad(f)(*a)[1])):
            g = make(func)(*args)
            np.testing.assert_array_equal(g, before)
            assert not np.shares_memory(g, weights)
            g *= 0.1  # a learning rate, in place
            np.testing.assert_array_equal(weights, before)


def test_two_gradients_do_not_share_the_attribute():
    pair = Pair()
    ga, gb = s2sgrad.grad(pair.loss, wrt=(0, 1))(X, X * 2)
    np.testing.assert_array_equal(ga, pair.k)
    np.testing.assert_array_equal(gb, pair.k)
    assert not np.shares_memory(ga, gb) and not np.shares_memory(ga, pair.k)
    assert not np.shares_memory(gb, pair.k)
