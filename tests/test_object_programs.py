"""Gradients of code that reads arrays from objects (review X): the arrays returned are the
gradient's own, never an attribute's (``g *= lr`` changed the model's weights)."""
from dataclasses import dataclass

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

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


def softsign(z):
    return z / (1.0 + np.abs(z))


class Dense:
    def __init__(self, W, act):
        self.W = W
        self.act = act  # a function the object holds

    def loss(self, x):
        return np.sum(self.act(self.W @ x) ** 2)


class Layer:
    def __init__(self, W, act=np.tanh):
        self.W, self.act = W, act

    def __call__(self, x):
        return self.act(self.W @ x)


W23 = np.array([[1.0, 0.5, -0.2], [0.3, -1.0, 0.8]])
LAYER = Layer(W23, softsign)


def through_global_layer(x):
    return np.sum(LAYER(x) ** 2)


def _central(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


def test_a_function_the_object_holds():
    """``self.act = np.tanh``, then ``self.act(x)``, was refused as a method without a rule;
    a global callable object ``LAYER(x)`` as a name without one."""
    for act in (np.tanh, np.sin, softsign, abs):
        model = Dense(W23, act)
        np.testing.assert_allclose(s2sgrad.grad(model.loss)(X), _central(model.loss, X),
                                   rtol=1e-6)
        np.testing.assert_allclose(s2sgrad.jvp(model.loss)(X, np.ones(3)),
                                   _central(model.loss, X).sum(), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(through_global_layer)(X),
                               _central(through_global_layer, X), rtol=1e-6)
    gradient = s2sgrad.grad(through_global_layer)
    np.testing.assert_allclose(s2sgrad.hessian(through_global_layer)(X),
                               [_central(lambda z: gradient(z)[i], X) for i in range(3)],
                               atol=1e-6)


class TwoLayer:
    def __init__(self):
        self.first = Layer(W23)
        self.W2 = np.array([[0.5, -1.5]])

    def forward(self, x):
        return self.W2 @ self.first(x)


NET = TwoLayer()


def squared_output(model, x):
    return np.sum(model.forward(x) ** 2)


def loss_of_global_model(x):
    return squared_output(NET, x) + 0.1 * np.sum(x ** 2)


def test_a_global_object_passed_to_a_helper():
    """``loss(NET, x)``: the helper's parameter holds an object of a known class, whose
    methods it calls (refused as a method without a rule)."""
    want = _central(loss_of_global_model, X)
    np.testing.assert_allclose(s2sgrad.grad(loss_of_global_model)(X), want, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(loss_of_global_model)(X, np.ones(3)), want.sum(),
                               rtol=1e-6)


class Counted:
    def __init__(self):
        self.calls = 0
        self.plain = 0
        self.scale = 2.0
        self.h = np.zeros(3)

    def predict(self, w, x):
        self.calls += 1
        return x @ w

    def loss(self, w, x):
        return np.sum(self.predict(w, x) ** 2)

    def predict_scaled(self, w, x):
        self.scale = self.scale * 2.0
        return x @ w * self.scale

    def loss_scaled(self, w, x):
        return np.sum(self.predict_scaled(w, x) ** 2)

    def remember(self, w, x):
        self.h = x @ w
        return self.h

    def loss_remembered(self, w, x):
        self.remember(w, x)
        return np.sum(self.h ** 2)

    def loss_reading_count(self, w, x):
        return np.sum(self.predict(w, x) ** 2) * self.calls

    def counted_plainly(self, w, x):
        self.plain = self.plain + 1
        return x @ w

    def count(self):
        return self.plain

    def loss_reading_count_by_method(self, w, x):
        return np.sum(self.counted_plainly(w, x) ** 2) * self.count()


def test_a_counter_in_a_called_method():
    """``self.calls += 1`` in a method the differentiated one calls was refused as a write
    into the argument `self`; a state a derivative flows through, or a count the caller reads,
    still is."""
    A = np.array([[1.0, 0.5, -0.2], [0.3, -1.0, 0.8]])
    w = np.array([0.3, -0.7, 1.1])
    model = Counted()
    np.testing.assert_allclose(s2sgrad.grad(model.loss)(w, A), 2 * A.T @ (A @ w), rtol=1e-12)
    assert model.calls == 1
    for loss in (model.loss_scaled, model.loss_remembered, model.loss_reading_count,
                 model.loss_reading_count_by_method):
        with pytest.raises(S2SError):
            s2sgrad.grad(loss)(w, A)


class Vec:
    def __init__(self):
        self.W = np.array([1.0, 2.0, 3.0])


V = Vec()
G = np.array([[1.0, -1.0, 0.5]])


def through_ravel(x):
    return np.sum(V.W.ravel() * x) + np.sum(G.reshape(3) * x)


def test_a_gradient_is_no_view_of_a_global():
    """``V.W.ravel() * x``: the gradient was a view of the global object's array."""
    g = s2sgrad.grad(through_ravel)(X)
    np.testing.assert_allclose(g, V.W + G[0], rtol=1e-12)
    assert not np.shares_memory(g, V.W) and not np.shares_memory(g, G)
    single = s2sgrad.grad(lambda x: np.sum(V.W.ravel() * x))(X)
    assert not np.shares_memory(single, V.W)


class Terrain:
    def __init__(self):
        self.flat = np.array([1.0, 0.3, 1.6])  # an attribute that happens to be named `flat`

    def ravel(self):
        return np.array([5.0, -3.0, 8.0])

    def energy(self, x):
        return np.sum(self.flat * x ** 2)


class AbsLayer:
    def __init__(self):
        self.act = np.abs

    def forward(self, x):
        return self.act(x * 2.0)

    def loss(self, x):
        return np.sum(self.forward(x))


def test_an_attribute_named_like_an_array_attribute():
    """``self.flat`` was read as ``self.ravel()`` (an AttributeError, or another method's
    value); ``self.act = np.abs`` was refused naming ``absolute``, a name the code chose."""
    terrain = Terrain()
    np.testing.assert_allclose(s2sgrad.grad(terrain.energy)(X), 2 * terrain.flat * X,
                               rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(AbsLayer().loss)(X), 2 * np.sign(X), rtol=1e-12)


class Deeper:
    def __init__(self):
        self.plain = 0

    def counted(self, w, x):
        self.plain = self.plain + 1
        return x @ w

    def count(self):
        return self.plain

    def factor(self):
        return self.count() * 1.0

    def loss(self, w, x):
        y = self.counted(w, x)
        return np.sum(y ** 2) * self.factor()


def test_a_count_read_two_calls_away_keeps_the_write_refused():
    """A count read by a method that a method the caller calls calls (``self.count()`` in
    `factor`) keeps `counted`'s write refused."""
    A = np.array([[1.0, 0.5, -0.2], [0.3, -1.0, 0.8]])
    with pytest.raises(S2SError):
        s2sgrad.grad(Deeper().loss)(np.array([0.3, -0.7, 1.1]), A)
