"""``functools.partial`` objects made outside the differentiated function, the usual way to
configure an activation or a layer once (``leaky02 = partial(leaky, a=0.2)`` at module level,
``relu6 = partial(np.clip, a_min=0.0, a_max=6.0)``, a parameter's default ``act=leaky02``):
their calls are the calls of the wrapped function with the partial's arguments, read from it
(``leaky02.func(x, a=leaky02.keywords['a'])``). Checked against central differences, forward
against reverse, and the Hessian against the Hessian-vector product."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def leaky(x, a=0.1):
    return np.where(x > 0, x, a * x)


def affine(W, x, b):
    return x @ W + b


leaky02 = functools.partial(leaky, a=0.2)
relu6 = functools.partial(np.clip, a_min=0.0, a_max=6.0)
X = np.array([[1.0, 2.0], [0.5, -1.0]])
layer = functools.partial(affine, x=X, b=0.5)
first = functools.partial(affine, np.eye(2))
nested = functools.partial(functools.partial(affine, b=1.5), x=X)


def module_partial(x):
    return np.sum(leaky02(x) ** 2)


def partial_default(x, act=leaky02):
    return np.sum(act(x) ** 2)


def numpy_partial(x):
    return np.sum(relu6(x * 4.0) ** 2)


def keyword_partial(W):
    return np.sum(np.tanh(layer(W)))


def positional_partial(b):
    return np.sum(first(X, b) ** 2)


def partial_of_a_partial(W):
    return np.sum(nested(W) ** 3)


def overridden_keyword(x):
    return np.sum(leaky02(x, a=0.5) ** 2)


V = np.array([0.1, -0.5, 2.0])
W0 = np.array([[0.3, -0.2], [0.1, 0.4]])
CASES = [(module_partial, V), (partial_default, V), (numpy_partial, V),
         (keyword_partial, W0), (positional_partial, np.array([0.3, 0.7])),
         (partial_of_a_partial, W0), (overridden_keyword, V)]


@pytest.mark.parametrize('func, x', CASES, ids=[case[0].__name__ for case in CASES])
def test_a_partial_made_outside_the_function(func, x):
    expected = numerical_grad(func, (x,), 0)
    assert np.allclose(s2sgrad.grad(func)(x), expected, rtol=1e-6, atol=1e-8)
    t = np.linspace(0.5, 1.5, x.size).reshape(x.shape)
    assert np.isclose(s2sgrad.jvp(func)(x, t), np.sum(expected * t), rtol=1e-6)
    hessian = s2sgrad.hessian(func)(x).reshape(x.size, x.size)
    assert np.allclose(s2sgrad.hvp(func)(x, t).ravel(), hessian @ t.ravel())


def test_the_overridden_keyword_wins():
    expected = np.where(V > 0, 2 * V, 0.5 * 0.5 * 2 * V)
    assert np.allclose(s2sgrad.grad(overridden_keyword)(V), expected)


def test_another_function_passed_for_the_default_is_loud():
    with pytest.raises(s2sgrad.errors.S2SError):
        s2sgrad.grad(partial_default)(V, functools.partial(leaky, a=0.3))
