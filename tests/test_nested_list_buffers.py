"""Second order of functions that build a list by repetition or concatenation (``acc = [0.0]
* 2``, ``[x[0]] + [0.0] * 2``) and then write into it by item: the gradient's adjoint of the
list is a list, and differentiating the gradient again must add two of those item by item
(``s2s.add``), not concatenate them with ``+``. ``grad`` of a function that calls ``grad(f)``
gave a silently wrong number where the list came from ``[0.0] * 2`` (the adjoint added by
``+`` dropped a contribution); checked against central differences of the gradient."""
import numpy as np
import pytest

import s2sgrad

X = np.array([1.3, 0.7, -0.4])
V = np.array([0.6, -1.1, 0.8])


def repeated_then_added_into(x):
    acc = [0.0] * 2
    acc[0] += x[0] ** 2
    acc[1] += x[0] * x[1]
    return acc[0] * acc[1] + x[2] * acc[0]


def repeated_then_filled_in_a_loop(x):
    buf = [0.0] * 3
    for i in range(3):
        buf[i] = np.sin(x[i]) * x[(i + 1) % 3]
    return buf[0] * buf[1] + buf[2] * buf[0]


def concatenated_then_written(x):
    parts = [x[0]] + [0.0] * 2
    parts[1] = parts[0] * x[1]
    parts[2] += x[2] * parts[1]
    return parts[0] * parts[1] * parts[2]


def repeated_on_the_left(x):
    acc = 2 * [0.0]
    acc[1] = x[0] * x[2]
    acc[0] = acc[1] * x[1]
    return acc[0] ** 2 + acc[1] * x[0]


def grown_repetition(x):
    acc = [0.0, 0.0] + [0.0]
    for i in range(3):
        acc[i] += x[i] * x[i - 1]
    return acc[0] * acc[1] * acc[2]


FUNCTIONS = [repeated_then_added_into, repeated_then_filled_in_a_loop,
             concatenated_then_written, repeated_on_the_left, grown_repetition]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def _directional(f):
    df = s2sgrad.grad(f)

    def along(x):
        return df(x) @ V
    return along


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_of_the_gradient(f):
    along = _directional(f)
    expected = numeric_grad(along, X)
    assert np.allclose(s2sgrad.grad(along)(X), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_and_hvp(f):
    expected = numeric_grad(_directional(f), X)
    assert np.allclose(s2sgrad.hessian(f)(X) @ V, expected, rtol=1e-6, atol=1e-7)
    assert np.allclose(s2sgrad.hvp(f)(X, V), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_first_order(f):
    assert np.allclose(s2sgrad.grad(f)(X), numeric_grad(f, X), rtol=1e-6, atol=1e-8)
