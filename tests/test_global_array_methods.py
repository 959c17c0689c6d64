"""A method of a global array (or a class attribute's) called with a differentiated argument,
``C.dot(x)``, ``K.W.dot(x)``: the array method's rule, as for a variable holding the array (it
was refused as a call of a bound method with no rule). Checked against central differences in
both modes."""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient

C = np.array([1.0, 2.0, 3.0])
M = np.arange(6.0).reshape(2, 3)


class Weights:
    W = np.arange(6.0).reshape(3, 2) / 4.0


def vector_dot(x):
    return C.dot(x) * np.sin(x[0])


def matrix_dot(x):
    return np.sum(M.dot(x) ** 2)


def class_attribute_dot(x):
    return np.sum(np.tanh(x.dot(Weights.W)) + Weights.W.T.dot(x))


def dot_of_a_global_in_a_loop(x):
    h = x
    for _ in range(2):
        h = np.tanh(M.T.dot(M.dot(h)) * 0.1)
    return np.sum(h * C)


@pytest.mark.parametrize('f', [vector_dot, matrix_dot, class_attribute_dot,
                               dot_of_a_global_in_a_loop], ids=lambda f: f.__name__)
def test_a_global_arrays_method_with_a_differentiated_argument(f):
    x = np.array([0.5, -1.0, 2.0])
    want = central_gradient(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), want, rtol=1e-6, atol=1e-9)
    v = np.array([0.3, 0.2, -0.4])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), want @ v, rtol=1e-6, atol=1e-9)
    assert np.array_equal(C, [1.0, 2.0, 3.0]) and np.array_equal(M, np.arange(6.0).reshape(2, 3))


MATRIX = np.matrix([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.5, 0.2, -0.7]])


def np_matrix_dot(x):
    return float(np.sum(np.tanh(MATRIX.dot(x))))


def test_a_global_np_matrix_method_is_refused():
    # (its `*` and `**` are a matrix's: the array rules would give a wrong result or raise)
    with pytest.raises(s2sgrad.errors.S2SError, match='MATRIX.dot'):
        s2sgrad.grad(np_matrix_dot)(np.array([0.35, -0.5, 0.8]))
