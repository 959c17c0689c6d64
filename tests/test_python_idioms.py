"""Everyday Python around the math (reviews X and Z): text made for logging (and never read
back as a number), ``all``/``any`` of a generator expression, objects updated by a method."""
import collections
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError, UnsupportedSyntaxError

X = np.array([0.3, -0.7, 1.1])


def logs_with_format(x):
    loss = np.sum(x ** 2)
    message = 'loss={:.3f} ({})'.format(loss, ', '.join(['a', 'b']))
    if len(message) > 1000:
        print(message)
    return loss


def checks_with_all_and_any(x):
    total = np.sum(x ** 3)
    if all(abs(v) < 2.0 for v in x):
        total = total * 2.0
    if any(v > 5.0 for v in x):
        total = total * 0.5
    return total


def test_text_of_a_value_is_no_derivative():
    """``'...'.format(loss)`` was refused as a method of an unknown object."""
    np.testing.assert_allclose(s2sgrad.grad(logs_with_format)(X), 2 * X, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jvp(logs_with_format)(X, np.ones(3)), 2 * X.sum(),
                               rtol=1e-12)


def test_all_and_any_of_a_generator_expression():
    """``all(... for v in x)`` was refused as a generator expression."""
    np.testing.assert_allclose(s2sgrad.grad(checks_with_all_and_any)(X), 6 * X ** 2,
                               rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(checks_with_all_and_any)(X * 3), 3 * (3 * X) ** 2,
                               rtol=1e-12)


def number_from_format(x):
    loss = x ** 2
    return float('{}'.format(loss)) * 2


def number_from_fstring(x):
    loss = x ** 2
    return float(f'{loss!r}') * 2


def test_a_number_read_back_from_text_is_refused():
    """Text made of a differentiated value was a constant: ``float(f'{v!r}')`` had derivative
    0 in both modes."""
    for func in (number_from_format, number_from_fstring):
        with pytest.raises(UnsupportedSyntaxError, match='read back from text'):
            s2sgrad.grad(func)(0.7)
        with pytest.raises(UnsupportedSyntaxError, match='read back from text'):
            s2sgrad.jvp(func)(0.7, 1.0)


class Running:
    def __init__(self):
        self.mean = 0.0
        self.n = 0

    def update(self, v):
        self.n += 1
        self.mean += (v - self.mean) / self.n


def running_mean(x):
    r = Running()
    for v in x:
        r.update(v * v)
    return r.mean


def test_a_method_given_a_differentiated_value_for_its_effect_is_refused_in_both_modes():
    """``r.update(v)`` of an object made in the function: jvp returned 0 where grad refused."""
    x = np.array([0.5, -0.3, 0.8])
    with pytest.raises(NoRuleError, match='update'):
        s2sgrad.grad(running_mean)(x)
    with pytest.raises(NoRuleError, match='update'):
        s2sgrad.jvp(running_mean)(x, np.ones(3))


# math.hypot of one or of three coordinates (call_forms), and deques of differentiated values
def hypot_forms(x):
    return math.hypot(x[0]) * 2.0 + math.hypot(x[0], x[1], x[2])


def test_hypot_of_one_and_of_three_coordinates():
    x = np.array([0.3, -0.7, 1.1])
    norm = np.linalg.norm(x)
    np.testing.assert_allclose(s2sgrad.grad(hypot_forms)(x),
                               x / norm + np.array([2.0 * np.sign(x[0]), 0.0, 0.0]))
    assert s2sgrad.jvp(hypot_forms)(x, np.array([1.0, 0.0, 0.0])) == \
        pytest.approx(2.0 + x[0] / norm)


def deque_of_values(x):
    window = collections.deque()
    for v in x:
        window.append(v * 2.0)
    return window[0] * window[-1]


def bounded_deque(x):
    window = collections.deque(maxlen=2)
    for v in x:
        window.append(v * 2.0)
    return window[0] * window[-1]


def test_a_deque_appended_to_is_differentiated_and_one_with_maxlen_is_refused():
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(s2sgrad.grad(deque_of_values)(x), [4 * x[2], 0.0, 4 * x[0]])
    with pytest.raises(UnsupportedSyntaxError, match='`deque` with a `maxlen`'):
        s2sgrad.grad(bounded_deque)(x)
