"""A call of a function of yours that changes nothing, before a comprehension in the same
statement (``log_prior(theta) + sum(log_lik(theta, y) for y in data)``): the comprehension
may be built first. One that writes into what the comprehension reads stays refused."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def log_prior(theta):
    total = 0.0
    for t in theta:
        total += -0.5 * t * t
    return total


def log_lik(theta, y):
    return -0.5 * np.sum((y - theta) ** 2)


def log_posterior(theta, data):
    return log_prior(theta) + sum(log_lik(theta, y) for y in data)


def scaled_prior(theta):
    return 0.1 * log_prior(theta * 2.0)


def nested_posterior(theta, data):
    return scaled_prior(theta) - np.sum([log_lik(theta, y) for y in data]) ** 2 / 10.0


def literal_sums(x):
    return sum([x, 2.0 * x]) + sum(x * i for i in range(3))


def shifted(theta):
    theta += 1.0
    return np.sum(theta)


def shifted_through_a_name(theta):
    t = theta
    t += 1.0
    return np.sum(t)


def stored(theta):
    theta[0] = 0.0
    return np.sum(theta)


def cleaned_in_place(theta):
    np.nan_to_num(theta, False)
    return np.sum(theta)


def rounded_in_place(theta):
    theta.round(0, theta)
    return np.sum(theta)


def cleans_then_reads(theta, data):
    return cleaned_in_place(theta) + sum(log_lik(theta, y) for y in data)


def rounds_then_reads(theta, data):
    return rounded_in_place(theta) + sum(log_lik(theta, y) for y in data)


def writes_then_reads(theta, data):
    return shifted(theta) + sum(log_lik(theta, y) for y in data)


def aliases_then_reads(theta, data):
    return shifted_through_a_name(theta) + sum(log_lik(theta, y) for y in data)


def stores_then_reads(theta, data):
    return stored(theta) + sum(log_lik(theta, y) for y in data)


DATA = [np.array([0.1, 0.2]), np.array([0.3, -0.1]), np.array([-0.4, 0.6])]


def central(f, x, *rest, h=1e-6):
    return np.array([(f(x + h * e, *rest) - f(x - h * e, *rest)) / (2 * h)
                     for e in np.eye(x.size)])


@pytest.mark.parametrize('f', [log_posterior, nested_posterior])
def test_a_pure_call_before_a_comprehension(f):
    theta = np.array([0.5, -0.2])
    expected = central(f, theta, DATA)
    np.testing.assert_allclose(s2sgrad.grad(f)(theta, DATA), expected, rtol=1e-6)
    v = np.array([1.0, -2.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(theta, DATA, v), expected @ v, rtol=1e-6)
    np.testing.assert_array_equal(theta, [0.5, -0.2])


def test_builtin_sums_of_displays_before_a_comprehension():
    assert np.isclose(s2sgrad.grad(literal_sums)(0.5), 6.0)


@pytest.mark.parametrize('f', [writes_then_reads, aliases_then_reads, stores_then_reads,
                               cleans_then_reads, rounds_then_reads])
def test_a_call_that_writes_what_the_comprehension_reads_is_refused(f):
    with pytest.raises(S2SError, match='comprehension after a call'):
        s2sgrad.grad(f)(np.array([0.5, -0.2]), DATA)
