"""The gradient of a bound method tests, when it runs, what its instance held when it was made.

``grad(model.loss)`` resolves ``self.act(x)`` to the function the instance holds then (its
derivative is printed into the code). A function set afterwards (``model.act = np.sin``, also
in an object the instance holds, or another object put in its place) raised nothing before and
gave the derivative of the old function; now the gradient raises S2SError, and ``grad`` called
again follows the new function. Data attributes (numbers, arrays) are read when the gradient
runs, as the method reads them: changing them needs no new gradient. Checked against central
differences.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

X = np.array([0.5, -1.0, 2.0])


def cube(z):
    return z ** 3


class Model:
    def __init__(self, act, scale=1.0):
        self.act = act
        self.scale = scale

    def loss(self, x):
        return np.sum(self.act(x)) * self.scale


class Dense:
    def __init__(self, w, act):
        self.w, self.act = w, act

    def __call__(self, x):
        return self.act(self.w * x)


class Net:
    def __init__(self):
        self.head = Dense(2.0, np.tanh)
        self.weights = np.array([1.0, 2.0, 3.0])

    def loss(self, x):
        return np.sum(self.head(x) * self.weights)


def _central(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def _operators(method):
    """The gradient, forward-mode derivative and Hessian-vector product of `method` at X."""
    grad, jvp, hvp = s2sgrad.grad(method), s2sgrad.jvp(method), s2sgrad.hvp(method)
    v = np.array([0.3, 1.0, -0.5])
    return [lambda: grad(X), lambda: jvp(X, v), lambda: hvp(X, v)]


@pytest.mark.parametrize('new', [np.sin, cube, lambda z: z ** 2 + z],
                         ids=['numpy', 'yours', 'lambda'])
def test_a_function_set_afterwards_is_refused_then_followed(new):
    model = Model(np.tanh)
    operators = _operators(model.loss)
    np.testing.assert_allclose(operators[0](), 1 - np.tanh(X) ** 2, rtol=1e-12)
    model.act = new
    for run in operators:
        with pytest.raises(S2SError, match='call s2sgrad.grad again'):
            run()
    np.testing.assert_allclose(s2sgrad.grad(model.loss)(X), _central(model.loss, X), rtol=1e-6)


@pytest.mark.parametrize('change', ['the held object\'s function', 'another held object'])
def test_a_change_in_an_object_the_instance_holds_is_refused(change):
    net = Net()
    grad = s2sgrad.grad(net.loss)
    grad(X)
    if change == 'another held object':
        net.head = Dense(1.0, np.sin)
    else:
        net.head.act = cube
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        grad(X)
    np.testing.assert_allclose(s2sgrad.grad(net.loss)(X), _central(net.loss, X), rtol=1e-6)


def test_data_changed_afterwards_is_read_when_the_gradient_runs():
    model, net = Model(np.tanh, scale=2.0), Net()
    model_grad, net_grad = s2sgrad.grad(model.loss), s2sgrad.grad(net.loss)
    model.scale = 5.0
    net.head.w = 0.5
    net.weights = np.array([3.0, -1.0, 0.5])
    np.testing.assert_allclose(model_grad(X), _central(model.loss, X), rtol=1e-6)
    np.testing.assert_allclose(net_grad(X), _central(net.loss, X), rtol=1e-6)


def test_the_test_is_printed_first():
    source = s2sgrad.grad(Net().loss).source
    body = source[source.index('def dlossdx'):].splitlines()
    assert body[1].strip().startswith('if not (type(self) is Net and '), source
    assert 'self.head.act is np.tanh' in body[1] and 'type(self.head) is Dense' in body[1], source
    assert 'raise s2s.S2SError' in body[2], source
