"""A method that logs to a list held in an attribute (``self.history.append(float(loss))``) and
reads the list nowhere else: the log is kept as Python keeps it, and the derivative does not
follow it (what it holds never reaches the result); it was refused as a list changed in
length while `self` is read afterwards. A log read back, a method called on the object (which
could read it) or an array written after it is logged are still refused."""
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


class Simulation:
    def __init__(self):
        self.history = []
        self.trajectory = []
        self.rate = 0.1

    def run(self, pos):
        for _ in range(3):
            pos = pos - self.rate * pos ** 3
            self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2)

    def run_with_arrays(self, pos):
        for _ in range(2):
            pos = np.tanh(pos) * self.rate + pos
            self.trajectory.append(pos)
        return np.sum(pos ** 3)

    def read_back(self, pos):
        pos = pos - self.rate * pos ** 3
        self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2) + self.history[-1]

    def last(self):
        return self.history[-1]

    def through_a_method(self, pos):
        pos = pos - self.rate * pos ** 3
        self.history.append(np.sum(pos))
        return np.sum(pos ** 2) + self.last()

    def written_after(self, pos):
        pos = pos * 1.0
        for _ in range(2):
            self.trajectory.append(pos)
            pos[0] = pos[0] * 0.5
        return np.sum(pos ** 2)


def differences(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


X = np.array([1.0, 0.5])


@pytest.mark.parametrize('method', ['run', 'run_with_arrays'])
def test_a_log_in_an_attribute_is_kept_once_per_call(method):
    sim = Simulation()
    f = getattr(sim, method)
    g = s2sgrad.grad(f)(X)
    expected = differences(lambda v: getattr(Simulation(), method)(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    logged = len(sim.history) + len(sim.trajectory)
    assert logged == (3 if method == 'run' else 2)  # (once per step, as the function does)
    # (the values logged are the function's own)
    fresh = Simulation()
    getattr(fresh, method)(X)
    for got, want in zip(sim.history + sim.trajectory, fresh.history + fresh.trajectory):
        np.testing.assert_allclose(got, want)
    v = np.array([0.3, -1.0])
    assert np.isclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6)
    hv = s2sgrad.hvp(f)(X, v)
    grad = s2sgrad.grad(getattr(Simulation(), method))
    np.testing.assert_allclose(hv, (grad(X + 1e-5 * v) - grad(X - 1e-5 * v)) / 2e-5,
                               rtol=1e-5, atol=1e-8)


LOGGER = types.SimpleNamespace(values=[], scale=2.0)


def logged_through_a_global_object(x):
    y = np.sin(x) * LOGGER.scale
    LOGGER.values.append(float(np.sum(y)))
    return np.sum(y ** 2)


def test_a_log_in_an_attribute_of_a_global():
    before = len(LOGGER.values)
    g = s2sgrad.grad(logged_through_a_global_object)(X)
    np.testing.assert_allclose(g, 8.0 * np.sin(X) * np.cos(X))
    assert len(LOGGER.values) == before + 1


@pytest.mark.parametrize('method', ['read_back', 'through_a_method', 'written_after'])
def test_a_log_read_back_or_changed_is_refused_or_right(method):
    try:
        g = s2sgrad.grad(getattr(Simulation(), method))(X)
    except S2SError:
        return
    expected = differences(lambda v: getattr(Simulation(), method)(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
