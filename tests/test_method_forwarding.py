"""A module-like class whose ``__call__(self, *args)`` passes its arguments on to a method of
fixed parameters (``return self.forward(*args)``, as PyTorch's modules read): the tuple is
unpacked into the method's parameters, as for a function forwarding ``*args``. Gradients are
checked against central differences."""
import numpy as np

import s2sgrad

from trees import central_grad


class Dense:
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return np.tanh(x @ self.W)

    def __call__(self, *args):
        return self.forward(*args)


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __call__(self, *args):
        return self.forward(*args)


class ParamsLayer:
    def forward(self, params, x):
        return np.tanh(x @ params['W'])

    def __call__(self, *args):
        return self.forward(*args)


class Net:
    def __init__(self):
        self.layer = ParamsLayer()

    def loss(self, params, x):
        return np.sum(self.layer(params, x) ** 2)


RNG = np.random.default_rng(0)
W = RNG.standard_normal((3, 3))
MODEL = Sequential([Dense(W), Dense(W * 0.5)])


def sequential_loss(x):
    return np.sum(MODEL(x) ** 2)


def test_a_sequential_model_of_layers_called_through_call():
    x = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(s2sgrad.grad(sequential_loss)(x),
                               central_grad(sequential_loss, [x], 0), rtol=1e-6, atol=1e-9)


def test_parameters_passed_on_through_a_layers_call():
    params, x = {'W': RNG.standard_normal((3, 2))}, RNG.standard_normal((4, 3))
    net = Net()
    got = s2sgrad.grad(net.loss)(params, x)['W']
    expected = central_grad(lambda w, x: net.loss({'W': w}, x), [params['W'], x], 0)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


class Three:
    def forward(self, W, x, y):
        return np.tanh(W @ x) * y


THREE = Three()


class Rebinding:
    def forward(self, W, x):
        return np.tanh(W @ x)

    def __call__(self, *args):
        self = THREE  # (another object's method takes the arguments)
        return self.forward(*args)


REBINDING = Rebinding()


def rebinding_loss(W, x):
    return np.sum(REBINDING(W, x, 2.0) ** 2)


def test_a_rebound_receiver_is_right_or_refused():
    W, x = np.eye(3) * 0.5, np.array([0.3, -0.5, 0.8])
    try:
        got = s2sgrad.grad(rebinding_loss)(W, x)
    except s2sgrad.errors.S2SError:
        return
    np.testing.assert_allclose(got, central_grad(rebinding_loss, [W, x], 0), rtol=1e-6)
