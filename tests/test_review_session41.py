"""Findings of the user-style review of 2026-12-06, fixed at their mechanisms: a lazy start
in a property (``if self._D is None: self._D = ...``) no longer fails the instance guard on
the gradient's second call; a method that counts in one attribute and logs into another is
differentiated (the count's store made the log look read); ``wrt=`` naming an argument that
is None raises WrtError."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import WrtError

X = np.array([0.4, -1.1, 0.7])


class Cached:
    def __init__(self):
        self._D = None

    @property
    def D(self):
        if self._D is None:
            self._D = np.diag([1.0, 2.0, 3.0])
        return self._D

    def loss(self, x):
        return x @ self.D @ x


def test_a_lazy_start_runs_on_the_first_call_and_the_gradient_still_runs():
    # (the guard at the top of a bound method's gradient tested ``self._D is None``, which
    # the property's first run made false)
    obj = Cached()
    grad = s2sgrad.grad(obj.loss)
    expected = 2.0 * np.array([1.0, 2.0, 3.0]) * X
    np.testing.assert_allclose(grad(X), expected)
    np.testing.assert_allclose(grad(X), expected)
    np.testing.assert_allclose(s2sgrad.hvp(obj.loss)(X, np.ones(3)), [2.0, 4.0, 6.0])


class Optional:
    def __init__(self):
        self.act = None

    def loss(self, x):
        h = x * 2.0
        if self.act is not None:
            h = self.act(h)
        return np.sum(h ** 2)


def test_a_function_set_where_none_was_is_loud():
    # (the call was resolved as one of None: its statement raises, saying what to do)
    obj = Optional()
    grad = s2sgrad.grad(obj.loss)
    np.testing.assert_allclose(grad(X), 8.0 * X)
    obj.act = np.tanh
    with pytest.raises(TypeError, match='call s2sgrad.grad again'):
        grad(X)


class Counter:
    def __init__(self):
        self.log = []
        self.n = 0

    def loss(self, w, x):
        self.n += 1
        v = np.sum((x @ w) ** 2)
        self.log.append(float(v))
        return v


def test_a_count_and_a_log_of_one_object():
    obj = Counter()
    w, a = np.array([1.0, 2.0]), np.array([[1.0, 0.5], [0.0, 2.0]])
    np.testing.assert_allclose(s2sgrad.grad(obj.loss)(w, a), 2.0 * a.T @ (a @ w))
    assert obj.log == [float(np.sum((a @ w) ** 2))]
    v = np.array([1.0, -1.0])
    np.testing.assert_allclose(s2sgrad.hvp(obj.loss)(w, a, v), 2.0 * a.T @ a @ v)
    assert len(obj.log) == 2


def defaults_to_x(x, y=None):
    y = x if y is None else y
    return np.sum(x * y)


def test_wrt_an_argument_that_is_none_raises_wrt_error():
    with pytest.raises(WrtError, match='NoneType'):
        s2sgrad.grad(defaults_to_x, wrt='y')(X)


class Counted:
    def __init__(self):
        self.calls = 0

    def loss(self, w):
        self.calls += 1
        return np.sum(w ** 2)


def test_a_count_in_the_differentiated_method_counts_each_call():
    # (the count's store was dropped from the derivative as dead code: nothing in it reads
    # the count, but the caller's object holds it, as it does in a method it calls)
    obj = Counted()
    w = np.array([0.5, -1.5])
    np.testing.assert_allclose(s2sgrad.grad(obj.loss)(w), 2.0 * w)
    assert obj.calls == 1
    np.testing.assert_allclose(s2sgrad.jvp(obj.loss)(w, np.ones(2)), 2.0 * np.sum(w))
    assert obj.calls == 2
    value, _ = s2sgrad.value_and_grad(obj.loss)(w)
    assert value == np.sum(w ** 2) and obj.calls == 3


def test_a_count_and_a_log_count_once_in_a_second_derivative():
    # (the gradient differentiated again binds the object to its copy, which is the object:
    # the count's store was dropped there while the log stayed)
    obj = Counter()
    w, a = np.array([1.0, 2.0]), np.eye(2)
    s2sgrad.hvp(obj.loss)(w, a, np.array([1.0, 0.0]))
    assert obj.n == 1 and len(obj.log) == 1


def _shift(cfg):
    cfg = dict(cfg)
    cfg['i'] += 1
    return cfg


def indexes_then_shifts_the_indices(x):
    index = np.array([0, 1])
    config = {'i': index}
    y = x[index]
    config = _shift(config)
    return np.sum(y * y)


def test_a_helper_shifting_indices_of_a_rebound_dict_is_refused():
    # (``config = _shift(config)`` passes a copy of the dict, which holds the caller's index
    # array: the backward sweep read the shifted indices, silently wrong)
    from s2sgrad.errors import InPlaceError
    with pytest.raises(InPlaceError, match='writes into the items of its parameter `cfg`'):
        s2sgrad.grad(indexes_then_shifts_the_indices)(np.array([1.0, 2.0, 3.0]))
