"""A method that logs numbers to a list held in an attribute (``self.history.append(float(loss))``)
and uses the object for nothing else: the log is kept as Python keeps it, and the derivative
does not follow it (what it holds never reaches the result); it was refused as a list changed
in length while `self` is read afterwards. Other attributes of the object read as values
(``self.rate``) are fine; where a property or a method of it is read (which may read the log),
or the log holds arrays (which the function may change afterwards), it is still refused."""
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

RATE = 0.1


class Simulation:
    def __init__(self):
        self.history = []
        self.trajectory = []
        self.rate = 0.1

    def run(self, pos):
        for _ in range(3):
            pos = pos - RATE * pos ** 3
            self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2)

    def run_with_items(self, pos):
        total = np.sum(pos * 0.0)
        for step in range(2):
            pos = np.tanh(pos) * RATE + pos
            total = total + np.sum(pos)
            self.history.append(f'step {step}')
            self.trajectory.append(total.item())
        return np.sum(pos ** 3) + total

    @property
    def last(self):
        return self.history[-1]

    def reads_another_attribute(self, pos):
        pos = pos - self.rate * pos ** 3
        self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2)

    def reads_a_property(self, pos):
        v = np.sum(pos * pos)
        self.history.append(v)
        return v + self.last

    def logs_arrays(self, pos):
        pos = pos * 1.0
        for _ in range(2):
            self.trajectory.append(pos)
            pos += 0.5  # (in place: Python's log shows the change)
        return np.sum(pos ** 2)


def differences(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


X = np.array([1.0, 0.5])


@pytest.mark.parametrize('method', ['run', 'run_with_items'])
def test_a_log_in_an_attribute_is_kept_once_per_call(method):
    sim = Simulation()
    f = getattr(sim, method)
    g = s2sgrad.grad(f)(X)
    expected = differences(lambda v: getattr(Simulation(), method)(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    fresh = Simulation()
    getattr(fresh, method)(X)
    assert sim.history == fresh.history and sim.trajectory == pytest.approx(fresh.trajectory)
    v = np.array([0.3, -1.0])
    assert np.isclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6)
    hv = s2sgrad.hvp(f)(X, v)
    grad = s2sgrad.grad(getattr(Simulation(), method))
    np.testing.assert_allclose(hv, (grad(X + 1e-5 * v) - grad(X - 1e-5 * v)) / 2e-5,
                               rtol=1e-5, atol=1e-8)


LOGGER = types.SimpleNamespace(values=[])


def logged_through_a_global_object(x):
    y = np.sin(x) * 2.0
    LOGGER.values.append(float(np.sum(y)))
    return np.sum(y ** 2)


def test_a_log_in_an_attribute_of_a_global():
    before = len(LOGGER.values)
    g = s2sgrad.grad(logged_through_a_global_object)(X)
    np.testing.assert_allclose(g, 8.0 * np.sin(X) * np.cos(X))
    assert len(LOGGER.values) == before + 1


def test_a_log_beside_a_read_of_another_attribute():
    sim = Simulation()
    g = s2sgrad.grad(sim.reads_another_attribute)(X)
    expected = differences(lambda v: Simulation().reads_another_attribute(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    assert sim.history == [float(np.sum(X - 0.1 * X ** 3))]


@pytest.mark.parametrize('method', ['reads_a_property', 'logs_arrays'])
def test_an_object_read_otherwise_or_a_log_of_arrays_is_refused(method):
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(Simulation(), method))(X)


class Params(types.SimpleNamespace):
    pass


def log_in_a_namedtuple_like(p, x):
    y = x * 2.0
    p.log.append(float(np.sum(y)))
    return np.sum(y ** 2)


def test_an_argument_of_no_known_class_is_no_log():
    with pytest.raises(S2SError):
        s2sgrad.grad(log_in_a_namedtuple_like, wrt=1)(Params(log=[]), X)


TABLE = {'loss': [], 'norm': []}


def logged_in_a_global_dict(x):
    loss = np.sum(np.sin(x) * x)
    TABLE['loss'].append(float(loss))
    TABLE['norm'].append(float(np.sqrt(np.sum(x * x))))
    return loss


def logged_and_read(x):
    loss = np.sum(np.sin(x) * x)
    TABLE['loss'].append(float(loss))
    return loss * len(TABLE['loss'])


def logged_then_written(x):
    y = x * 2.0
    TABLE['loss'].append(y)
    y[0] = 5.0  # (the gradient undoes the write: the log would show it)
    return np.sum(np.sin(y))


def test_a_log_in_a_list_of_a_global_dict():
    # (``TABLE['loss'].append(float(loss))``: a list a global dict holds, the dict used for
    # nothing else: kept as Python keeps it, once per call, with no run-time check)
    x = np.array([0.3, -0.7, 1.1])
    TABLE['loss'].clear()
    TABLE['norm'].clear()
    df = s2sgrad.grad(logged_in_a_global_dict)
    assert 'check_method_writes' not in df.source
    np.testing.assert_allclose(df(x), np.sin(x) + x * np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jvp(logged_in_a_global_dict)(x, np.ones(3)),
                               np.sum(np.sin(x) + x * np.cos(x)), rtol=1e-12)
    assert TABLE['loss'] == [pytest.approx(float(np.sum(np.sin(x) * x)))] * 2
    assert len(TABLE['norm']) == 2


@pytest.mark.parametrize('func', [logged_and_read, logged_then_written])
def test_a_global_dict_read_otherwise_or_an_array_written_after_is_refused(func):
    with pytest.raises(S2SError):
        s2sgrad.grad(func)(np.array([0.3, -0.7, 1.1]))


HISTORY = []
ALIAS = TABLE['loss']
SAME = HISTORY


def _last_logged():
    return TABLE['loss'][-1]


def _last_kept():
    return HISTORY[-1]


class _Settings:
    LOG = HISTORY


def _last_in_a_class():
    return _Settings.LOG[-1]


def list_read_back_through_a_class(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return _last_in_a_class() * 3.0 + loss


def _predict(x):
    return np.sin(x) * x


def read_back_by_a_helper(x):
    loss = np.sum(x ** 2)
    TABLE['loss'].append(loss)
    return _last_logged() * 3.0 + loss


def read_back_by_an_alias(x):
    loss = np.sum(x ** 2)
    TABLE['loss'].append(loss)
    return ALIAS[-1] * 3.0 + loss


def list_read_back_by_a_helper(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return _last_kept() * 3.0 + loss


def list_read_back_by_an_alias(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return SAME[-1] * 3.0 + loss


@pytest.mark.parametrize('func', [read_back_by_a_helper, read_back_by_an_alias,
                                  list_read_back_by_a_helper, list_read_back_by_an_alias,
                                  list_read_back_through_a_class])
def test_a_log_read_back_through_a_helper_or_another_name_is_refused(func):
    # (what is added reaches the result: the derivative would miss it, 8x the true one)
    with pytest.raises(S2SError):
        s2sgrad.grad(func)(np.array([3.0, 1.0, 2.0]))


def logged_beside_a_helper(x):
    loss = np.sum(_predict(x))
    HISTORY.append(float(loss))
    TABLE['norm'].append(float(np.sum(x * x)))
    return loss


def test_a_log_beside_a_helper_that_reads_no_log():
    x = np.array([0.3, -0.7, 1.1])
    del HISTORY[:]
    got = s2sgrad.grad(logged_beside_a_helper)(x)
    np.testing.assert_allclose(got, np.sin(x) + x * np.cos(x), rtol=1e-12)
    assert len(HISTORY) == 1
