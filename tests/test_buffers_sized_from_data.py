"""A work array sized from data (``s2 = np.zeros(self.T)``, ``np.empty_like(self.r)``,
``np.zeros(len(k))``) and then filled with differentiated values is new memory: the data it
was sized from stays constant (it was taken for what the array may be a view of, which made
a data object differentiated: a crash when the gradient ran, or a false refusal of a call on
the data). GARCH and binomial log-likelihoods as statistics code writes them; checked against
central differences."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

R = np.random.default_rng(0).normal(size=30) * 0.5
PARAMS = np.array([0.05, 0.1, 0.8])


class Garch:
    def __init__(self, r):
        self.r = r
        self.T = len(r)

    def variance(self, params):
        omega, alpha, beta = params[0], params[1], params[2]
        s2 = np.zeros(self.T)
        s2[0] = omega / (1 - alpha - beta)
        for t in range(1, self.T):
            s2[t] = omega + alpha * self.r[t - 1] ** 2 + beta * s2[t - 1]
        return s2

    def nll(self, params):
        s2 = self.variance(params)
        return 0.5 * np.sum(np.log(2 * np.pi * s2) + self.r ** 2 / s2)

    def nll_like(self, params):
        omega, alpha, beta = params
        s2 = np.empty_like(self.r)
        s2[0] = np.var(self.r)
        for t in range(1, len(self.r)):
            s2[t] = omega + alpha * self.r[t - 1] ** 2 + beta * s2[t - 1]
        return 0.5 * np.sum(np.log(s2) + self.r ** 2 / s2)


def fill_into(out, omega, alpha, beta, r):
    out[0] = np.var(r)
    for t in range(1, len(r)):
        out[t] = omega + alpha * r[t - 1] ** 2 + beta * out[t - 1]
    return out


def garch_into_a_buffer(params, r):
    s2 = np.zeros(len(r))
    s2 = fill_into(s2, params[0], params[1], params[2], r)
    return 0.5 * np.sum(np.log(s2) + r ** 2 / s2)


def binomial_nll(p, n, k):
    ll = np.zeros(len(k))
    for i in range(len(k)):
        ll[i] = math.log(math.comb(n[i], k[i])) + k[i] * np.log(p) + (n[i] - k[i]) * np.log(1 - p)
    return -np.sum(ll)


@pytest.mark.parametrize('make', [lambda: Garch(R).nll, lambda: Garch(R).nll_like,
                                  lambda: (lambda p: garch_into_a_buffer(p, R))],
                         ids=['zeros(self.T)', 'empty_like(self.r)', 'filled by a helper'])
def test_a_garch_filter_with_a_buffer_sized_from_data(make):
    loss = make()
    expected = numerical_grad(loss, (PARAMS,), 0)
    assert np.allclose(s2sgrad.grad(loss)(PARAMS), expected, rtol=1e-5)
    t = np.array([1.0, -0.5, 0.25])
    assert np.isclose(s2sgrad.jvp(loss)(PARAMS, t), expected @ t, rtol=1e-5)
    gradient = s2sgrad.grad(loss)
    expected = np.array([(gradient(PARAMS + 1e-5 * e) - gradient(PARAMS - 1e-5 * e)) / 2e-5
                         for e in np.eye(3)])
    assert np.allclose(s2sgrad.hessian(loss)(PARAMS), expected, rtol=1e-4)


def test_a_call_on_data_after_a_buffer_sized_from_it():
    n, k = [10, 12, 8], [3, 7, 2]
    p = 0.35
    expected = -(sum(k) / p - (sum(n) - sum(k)) / (1 - p))
    assert np.isclose(s2sgrad.grad(binomial_nll)(p, n, k), expected)
