"""``match`` on sequences (``case (3,):``, ``case (n, m):``, ``case [a, b, *_]`` refused): the
``if`` chain they stand for, checked against central differences in both modes."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError


def by_shape(x):
    match x.shape:
        case (3,):
            return np.sum(x ** 3)
        case (n, 2):
            return np.sum(x[:, 0] * x[:, 1]) * n
        case (2, m) if m > 1:
            return np.sum(np.sin(x))
        case _:
            return np.sum(x)


def by_pair(x, spec):
    match spec:
        case ('scale', factor):
            y = x * factor
        case ['shift', amount, 'twice']:
            y = x + 2 * amount
        case ('power', 2) | ('square',):
            y = x ** 2
        case other:
            y = x * len(other)
    return np.sum(y ** 2)


@pytest.mark.parametrize('f, args', [
    (by_shape, (np.array([0.3, -0.7, 1.4]),)),
    (by_shape, (np.array([[0.3, -0.7], [1.4, 0.2], [0.5, 0.5]]),)),
    (by_shape, (np.array([[0.3, -0.7, 1.0], [1.4, 0.2, -2.0]]),)),
    (by_shape, (np.array([0.3, -0.7, 1.4, 2.0]),)),
    (by_pair, (np.array([0.3, -0.7]), ('scale', 1.5))),
    (by_pair, (np.array([0.3, -0.7]), ['shift', 0.25, 'twice'])),
    (by_pair, (np.array([0.3, -0.7]), ('power', 2))),
    (by_pair, (np.array([0.3, -0.7]), ['square'])),
    (by_pair, (np.array([0.3, -0.7]), 'square')),  # (text is no sequence pattern's)
    (by_pair, (np.array([0.3, -0.7]), ('scale', 1.5, 2.0))),
])
def test_sequence_patterns(f, args):
    g = s2sgrad.grad(f)(*args)
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-6, atol=1e-9)
    v = np.linspace(-1.0, 1.0, args[0].size).reshape(args[0].shape)
    np.testing.assert_allclose(s2sgrad.jvp(f)(*args, v), np.sum(g * v), rtol=1e-6, atol=1e-9)


def starred(x, spec):
    match spec:
        case ['scale', *rest]:
            return np.sum(x) * len(rest)
    return np.sum(x)


def test_star_patterns_are_refused_with_their_kind():
    with pytest.raises(S2SError, match='with a star'):
        s2sgrad.grad(starred)(np.ones(2), ['scale', 1])
