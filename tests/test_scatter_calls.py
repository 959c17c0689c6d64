"""NumPy's in-place scatter calls on differentiated arrays, as simulation code uses them:
``np.add.at(F, i, f)`` (spring forces, repeated indices add up) and ``np.fill_diagonal(r, v)``
(masking self-interaction). Both modes against central differences; inputs unchanged."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError

SPRINGS = np.array([[0, 1], [1, 2], [2, 3], [0, 2]])


def spring_step(x, k):
    d = x[SPRINGS[:, 1]] - x[SPRINGS[:, 0]]
    L = np.linalg.norm(d, axis=1)
    f = (k * (L - 1.0) / L)[:, None] * d
    F = np.zeros_like(x)
    np.add.at(F, SPRINGS[:, 0], f)
    np.add.at(F, SPRINGS[:, 1], -f)
    return np.sum((x + 0.01 * F) ** 2)


def histogram_of_weights(w):
    counts = np.zeros(3)
    np.add.at(counts, [0, 1, 1, 2, 1], w ** 2)  # (index 1 three times)
    return np.sum(counts * np.array([1.0, 2.0, 3.0]) + counts ** 2)


def screened_pairs(x, m):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d ** 2, axis=-1)
    np.fill_diagonal(r2, 1.0)  # (no division by zero on the diagonal)
    return -0.5 * np.sum(m[:, None] * m[None, :] / r2 * (1 - np.eye(len(m))))


def diagonal_of_a_tall_matrix(a):
    b = a * 2.0
    np.fill_diagonal(b, 0.5)
    return np.sum(b ** 2 * np.arange(b.size).reshape(b.shape))


def spring_forces_subtracted(x, k):
    F = np.zeros_like(x)
    d = x[SPRINGS[:, 1]] - x[SPRINGS[:, 0]]
    np.add.at(F, SPRINGS[:, 0], k * d)
    np.subtract.at(F, SPRINGS[:, 1], k * d)  # (repeated indices subtract each)
    return np.sum(F ** 2) + np.sum(F[:, 0] * x[:, 1])


def inverse_square_pairs(x):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d ** 2, axis=-1)
    np.fill_diagonal(r2, np.inf)  # (1 / inf: no self-interaction)
    return np.sum(1.0 / r2)


LARGE = 1e12


def diagonal_of_a_module_constant(a):
    b = a * 2.0
    np.fill_diagonal(b, -LARGE)
    return np.sum(np.exp(b))


def scatter_into_a_temporary(x):
    y = x * 1.0
    np.add.at(y[[0, 1]], [0, 0], x[2])  # (NumPy adds into the copy `y[[0, 1]]` makes)
    return np.sum(y ** 2)


def scatter_into_a_global(x):
    np.add.at(BUFFER, [0], x[0])
    return np.sum(x)


BUFFER = np.zeros(3)


@pytest.mark.parametrize('f', [scatter_into_a_temporary, scatter_into_a_global])
def test_scatter_into_what_is_no_local_array_is_refused(f):
    with pytest.raises(S2SError, match='np.add.at'):
        s2sgrad.grad(f)(np.array([0.5, 1.0, 2.0]))


X = np.array([[0., 0, 0], [1.1, 0, 0], [2.0, 0.2, 0], [3.1, 0.1, 0.1]])


@pytest.mark.parametrize('f, args', [
    (spring_step, (X, 2.0)),
    (histogram_of_weights, (np.array([0.5, -1.0, 2.0, 0.3, 1.5]),)),
    (screened_pairs, (X, np.array([1.0, 2.0, 0.5, 1.5]))),
    (diagonal_of_a_tall_matrix, (np.arange(1.0, 7.0).reshape(3, 2) * 0.3,)),
    (inverse_square_pairs, (X,)),
    (spring_forces_subtracted, (X, 2.0)),
    (diagonal_of_a_module_constant, (np.arange(1.0, 10.0).reshape(3, 3) * 0.1,)),
], ids=lambda v: getattr(v, '__name__', None))
def test_scatter_calls(f, args):
    kept = [np.copy(a) for a in args]
    g = s2sgrad.grad(f)(*args)
    for a, k in zip(args, kept):
        np.testing.assert_array_equal(a, k)
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    v = np.linspace(-1.0, 1.0, args[0].size).reshape(args[0].shape)
    np.testing.assert_allclose(s2sgrad.jvp(f)(*args, v), np.sum(g * v), rtol=1e-6, atol=1e-8)
