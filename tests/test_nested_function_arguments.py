"""A function defined inside the differentiated one and passed a module's function.

``def layer(x, W, act): return act(W @ x)`` inside the differentiated function, called as
``layer(x, W, np.sin)`` (or with ``act=np.sin`` for a keyword-only parameter whose default is
another function): s2sgrad lifts the nested function and makes its derivative for the function
passed, as it does for a function of the module. It used to refuse (`act` "a variable which
s2sgrad cannot resolve"). Checked against central differences, forward mode and the
Hessian-vector product against differences of the gradient.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def _cube(z):
    return z * z * z


def passed_by_position(W, x):
    def layer(x, W, act):
        return act(W @ x)
    return np.sum(layer(x, W, np.sin))


def passed_for_a_keyword_only_default(W, x):
    def layer(x, *, W, act=np.tanh):
        return act(W @ x)
    return np.sum(layer(x, W=W, act=np.sin))


def two_calls_two_functions(W, x):
    def layer(x, W, act):
        return act(W @ x)
    return np.sum(layer(x, W, np.sin)) + np.sum(layer(x, W, np.tanh) ** 2)


def a_function_of_the_module(W, x):
    def layer(x, W, act=np.tanh):
        return act(W @ x)
    return np.sum(layer(x, W, act=_cube))


def stacked_layers(W, x):
    def layer(x, W, act):
        return act(W @ x)
    h = layer(x, W, np.tanh)
    return np.sum(layer(h, W, np.exp))


CASES = [passed_by_position, passed_for_a_keyword_only_default, two_calls_two_functions,
         a_function_of_the_module, stacked_layers]
W0 = np.array([[0.5, 0.2], [0.1, 0.3]])
X0 = np.array([0.4, 0.9])
V = np.array([[1.0, -0.5], [0.3, 0.2]])


@pytest.mark.parametrize('f', CASES, ids=[f.__name__ for f in CASES])
def test_gradient_forward_mode_and_hessian(f):
    expected = numerical_grad(f, (W0, X0), 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(W0, X0), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2sgrad.grad(f, wrt=1)(W0, X0), numerical_grad(f, (W0, X0), 1),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2sgrad.jvp(f)(W0, X0, V), np.sum(expected * V), rtol=1e-6)
    eps = 1e-5
    differences = (s2sgrad.grad(f)(W0 + eps * V, X0) -
                   s2sgrad.grad(f)(W0 - eps * V, X0)) / (2 * eps)
    np.testing.assert_allclose(s2sgrad.hvp(f)(W0, X0, V), differences, rtol=1e-4, atol=1e-7)


def test_a_nested_function_passed_is_still_refused():
    """Passing a function defined inside (not a module's) stays a loud refusal."""
    def inner_passed(W, x):
        def cube(z):
            return z ** 3

        def layer(x, W, act):
            return act(W @ x)
        return np.sum(layer(x, W, cube))
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='nested function `cube`'):
        s2sgrad.grad(inner_passed)(W0, X0)
