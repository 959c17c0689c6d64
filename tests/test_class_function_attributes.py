"""A class attribute holding a library's function, called through the instance.

``act = np.tanh`` (or ``staticmethod(np.sin)``) in the class body, ``self.act(x)`` in a method:
a ufunc or a static method binds no instance, so the call is ``np.tanh(x)``. It was refused
as a method s2sgrad could not resolve, with the advice to differentiate a bound method, which
the user was doing (from review). It is resolved as an instance attribute holding the
function is, and the gradient's first lines test that the instance still reads that function.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


class TanhLayer:
    act = np.tanh

    def loss(self, x):
        return np.sum(self.act(x) * x)


class SineLayer:
    act = staticmethod(np.sin)

    def loss(self, x):
        return np.sum(self.act(x) ** 2)


class ExpLayer(TanhLayer):
    act = np.exp  # (a subclass's attribute replaces its base's)


class OwnAttribute(TanhLayer):
    def __init__(self):
        self.act = np.cos  # (the instance's own attribute shadows the class's)


X = np.array([0.3, -1.2, 0.8])


@pytest.mark.parametrize('cls', [TanhLayer, SineLayer, ExpLayer, OwnAttribute],
                         ids=lambda c: c.__name__)
def test_gradient_and_forward_mode(cls):
    obj = cls()
    expected = numerical_grad(obj.loss, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(obj.loss)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(obj.loss)(X, np.ones(3)), np.sum(expected),
                               rtol=1e-6)


class Swapped:
    act = np.tanh

    def loss(self, x):
        return np.sum(self.act(x))


def test_the_class_attribute_set_afterwards_is_refused():
    gradient = s2sgrad.grad(Swapped().loss)
    np.testing.assert_allclose(gradient(X), 1 - np.tanh(X) ** 2)
    Swapped.act = np.sin
    with pytest.raises(s2sgrad.errors.S2SError, match='call s2sgrad.grad again'):
        gradient(X)
