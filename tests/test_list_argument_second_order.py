"""Second order of functions that repeat or concatenate a list *argument* (``acc = base * 2``,
``base + base``, ``base * n``) and then write into the result by item. The gradient's adjoint
of ``acc`` is a list where the caller passes a list, and differentiating the gradient again
adds two adjoints of that adjoint: item by item (``s2s.add``), never with ``+``, which
concatenated them and dropped a contribution (``grad`` of a function calling ``grad(f)`` was
silently wrong, while ``hvp`` and ``hessian`` were right). Checked against central
differences of the gradient."""
import numpy as np
import pytest

import s2sgrad

X = np.array([0.7, -1.2, 0.4])
V = np.array([0.6, -1.1, 0.8])
BASE = [1.0, 2.0]


def repeated_argument(x, base):
    acc = base * 2
    acc[0] = acc[0] * x[0]
    acc[3] = acc[3] + x[1] ** 2
    return acc[0] * acc[3] + acc[1] * x[2]


def argument_added_to_itself(x, base):
    acc = base + base
    acc[1] = acc[1] * x[0] ** 2
    acc[2] += x[2] * acc[1]
    return acc[1] * acc[2] + acc[3] * x[1]


def repeated_by_a_count_argument(x, base, n=2):
    acc = base * n
    acc[2] = acc[2] * x[1]
    acc[0] += x[0] * acc[2]
    return acc[0] * acc[2] + x[2] * acc[1] ** 2


def repeated_on_the_left_in_a_loop(x, base):
    acc = 2 * base
    for i in range(3):
        acc[i] = acc[i] * x[i] + acc[i + 1]
    return acc[0] * acc[1] + acc[2] * acc[0]


def copied_then_repeated(x, base):
    acc = list(base) * 2
    acc[3] = x[0] * x[1]
    acc[0] = acc[3] * acc[1] + x[2]
    return acc[0] ** 2 + acc[3]


FUNCTIONS = [repeated_argument, argument_added_to_itself, repeated_by_a_count_argument,
             repeated_on_the_left_in_a_loop, copied_then_repeated]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def _directional(f, base):
    df = s2sgrad.grad(f)

    def along(x):
        return df(x, base) @ V
    return along


@pytest.mark.parametrize('base', [BASE, tuple(BASE)], ids=['list', 'tuple'])
@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_of_the_gradient(f, base):
    if isinstance(base, tuple) and f is not copied_then_repeated:
        base = list(base)  # (a tuple repeated is a tuple: no item can be written)
    along = _directional(f, base)
    expected = numeric_grad(along, X)
    assert np.allclose(s2sgrad.grad(along)(X), expected, rtol=1e-6, atol=1e-7)
    assert base == [1.0, 2.0] or base == (1.0, 2.0)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_and_hvp(f):
    expected = numeric_grad(_directional(f, BASE), X)
    assert np.allclose(s2sgrad.hessian(f)(X, BASE) @ V, expected, rtol=1e-6, atol=1e-7)
    assert np.allclose(s2sgrad.hvp(f)(X, BASE, V), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_first_order(f):
    expected = numeric_grad(lambda x: f(x, BASE), X)
    assert np.allclose(s2sgrad.grad(f)(X, BASE), expected, rtol=1e-6, atol=1e-8)
    assert BASE == [1.0, 2.0]


def test_gradient_with_respect_to_the_repeated_list_is_loud():
    """The list argument's own gradient is not followed through ``*`` (README): it raises
    rather than giving the adjoints of the repeated list's items."""
    with pytest.raises(s2sgrad.errors.NoRuleError, match='repetition, concatenation'):
        s2sgrad.grad(repeated_argument, wrt='base')(X, BASE)
