"""A class-based decorator that copies the wrapped function's name with
``functools.update_wrapper(self, fn)`` (which also gives it `__wrapped__`) is an instance with
a Python ``__call__``: what its ``__call__`` does around the wrapped function is
differentiated, called directly or from another function. Checked against closed forms."""
import functools

import numpy as np

import s2sgrad


class Scaled:
    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn

    def __call__(self, x, y):
        return 3.0 * self.fn(x, y)


@Scaled
def loss(x, y):
    return np.sum(np.sin(x) * y)


def outer(x, y):
    return 2.0 * loss(x, y)


X = np.array([0.3, -0.7, 1.1])
Y = np.array([1.0, 2.0, -1.0])


def test_a_class_decorator_with_update_wrapper():
    assert loss.__wrapped__ is not None and loss.__name__ == 'loss'
    assert np.allclose(s2sgrad.grad(loss)(X, Y), 3.0 * np.cos(X) * Y)
    assert np.allclose(s2sgrad.grad(loss, wrt=1)(X, Y), 3.0 * np.sin(X))
    assert np.isclose(s2sgrad.jvp(loss)(X, Y, np.ones(3)), 3.0 * np.sum(np.cos(X) * Y))


def test_a_class_decorated_function_called_from_another():
    assert np.allclose(s2sgrad.grad(outer)(X, Y), 6.0 * np.cos(X) * Y)
