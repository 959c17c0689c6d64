"""Functions that tests/test_export.py exports as standalone modules."""
import functools
import math

import numpy as np

import s2sgrad

from corpus_printed import layer  # a function of the user's in another file: copied too

SCALE = 0.5
OFFSETS = (1.0, -2.0)
TABLE = np.arange(3.0)


def two_layers(W1, W2, x):
    h = layer(W1, x)
    o = layer(W2, h)
    return np.sum(o * o)


def with_constants(x):
    y = x * SCALE + OFFSETS[0]
    return math.exp(OFFSETS[1]) * np.sum(np.sin(y) ** 2)


def reads_an_array(x):
    return np.sum(x * TABLE)


def names_like_helpers(x, like):
    seed = x * like
    unbroadcast = np.sum(seed ** 2)
    return unbroadcast


def loop_and_linalg(X, b):
    total = 0.0
    for i in range(3):
        total = total + np.trace(X @ X) * b[i]
    sign, logdet = np.linalg.slogdet(X @ X.T + np.eye(3))
    return total + logdet


def quadratic(x, A):
    return x.T @ A @ x


class Model:
    def loss(self, w):
        return np.sum(w ** 2)


def energy(x, k):
    return 0.5 * k * np.sum(x ** 2) + np.sum(np.cos(x))


def force_norm(x, k):
    """Calls s2sgrad inside: the copy of it in an exported module imports s2sgrad."""
    return np.sum(s2sgrad.grad(energy)(x, k) ** 2)


cosine_energy = lambda x: np.sum(np.cos(x) * x)  # noqa: E731 (a lambda bound to a name)


SCALED = functools.partial(np.multiply, 3.0)


def reads_a_partial(x):
    return np.sum(SCALED(x) ** 2)
