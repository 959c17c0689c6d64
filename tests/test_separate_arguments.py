"""The same array given for two arguments (``f(A, A)``) where the function writes into one:
the function sees its write through the other too, where the derivative, which writes into
a copy, did not: value and derivatives were those of another function, silently (review F).
The derivative now checks that an argument written into shares no memory with the others
(`runtime_checks.separate`), and raises InPlaceError where it does."""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import InPlaceError

sys.path.insert(0, os.path.dirname(__file__))
import oracle  # noqa: E402

A = np.array([1.0, 2.0, 3.0])


def writes_first(x, y):
    x[0] = y[1] * 2.0
    return np.sum(x * y)


def writes_with_a_function(x, scale, ys, act=np.tanh):
    x[1:] = act(x[1:]) * scale
    return np.sum(x * ys[0])


class Model:
    def __init__(self):
        self.W = np.array([0.5, -1.0, 2.0])

    def loss(self, x):
        x[0] = 0.0
        return np.sum(x * self.W)


def test_the_same_array_twice_is_refused_in_every_operator():
    runs = [lambda: s2sgrad.grad(writes_first, wrt=(0, 1))(A, A),
            lambda: s2sgrad.value_and_grad(writes_first)(A, A),
            lambda: s2sgrad.jvp(writes_first)(A, A, np.ones(3)),
            lambda: s2sgrad.hvp(writes_first)(A, A, np.ones(3)),
            lambda: s2sgrad.vjp(writes_first)(A, A, 1.0),
            lambda: s2sgrad.grad(writes_first)(A, A[1:]),
            lambda: s2sgrad.grad(writes_first, wrt=1)(A[::-1], A)]
    for run in runs:
        with pytest.raises(InPlaceError, match=r'line 22: `x\[0\] = y\[1\] \* 2.0` writes '
                                               r'into the argument `x`'):
            run()
    np.testing.assert_array_equal(A, [1.0, 2.0, 3.0])


def test_an_array_another_argument_holds_is_refused():
    with pytest.raises(InPlaceError, match='writes into the argument `x`'):
        s2sgrad.grad(writes_with_a_function)(A, 1.0, [A], np.tanh)
    model = Model()
    with pytest.raises(InPlaceError, match='writes into the argument `x`'):
        s2sgrad.grad(model.loss)(model.W)
    np.testing.assert_array_equal(model.W, [0.5, -1.0, 2.0])


def test_separate_arrays_are_differentiated():
    outcome = oracle.check(writes_first, (A.copy(), A * 2.0), (0, 1), second_order=True,
                           name='writes_first')
    outcome.assert_ok()
    base = np.arange(6.0)
    x, y = base[::2], base[1::2]  # (interleaved: the same buffer, no common element)
    gx, gy = s2sgrad.grad(writes_first, wrt=(0, 1))(x, y)
    x2 = x.copy()
    x2[0] = y[1] * 2.0
    np.testing.assert_allclose(gx, [0.0, y[1], y[2]])
    np.testing.assert_allclose(gy, x2 + np.array([0.0, 2.0 * y[0], 0.0]))
    np.testing.assert_array_equal(base, np.arange(6.0))
    g = s2sgrad.grad(writes_with_a_function, wrt=2)(A.copy(), 1.0, [A * 2.0], np.tanh)
    np.testing.assert_allclose(g[0], [A[0], np.tanh(A[1]), np.tanh(A[2])])


def adds_in_place(x, y):
    x += 1.0
    return np.sum(x ** 2 * y)


def test_an_augmented_assignment_of_an_argument_is_checked_too():
    # (``x += 1.0`` changes the caller's array in place: `y`, the same array, sees it)
    with pytest.raises(InPlaceError, match=r'`x \+= 1.0` writes into the argument `x`'):
        s2sgrad.value_and_grad(adds_in_place)(A, A)
    outcome = oracle.check(adds_in_place, (A.copy(), A * 2.0), (0, 1), second_order=True,
                           name='adds_in_place')
    outcome.assert_ok()
    assert s2sgrad.grad(adds_in_place)(1.5, 1.5) == pytest.approx(2 * 2.5 * 1.5)


def test_the_compiled_path_checks_too():
    pytest.importorskip('numba')
    df = s2sgrad.grad(writes_first, wrt=(0, 1), compile='numba')
    gx, gy = df(A, A * 2.0)
    np.testing.assert_allclose(gx, [0.0, 4.0, 6.0])
    np.testing.assert_allclose(gy, [8.0, 2.0 + 2.0 * 2.0, 3.0])  # (x[0] = 2 y[1])
    with pytest.raises(InPlaceError, match='shares memory with another argument'):
        df(A, A)
