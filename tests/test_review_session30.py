"""Findings of the reviews and fuzz runs of 2026-12-05 (second session): programs users write,
each checked against central differences, or refused with the error that names the
construct."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

X3 = np.array([0.3, -0.7, 1.1])
V3 = np.array([0.2, 0.5, -0.4])


def _hessian_v(func, point, v):
    """H v by central differences of central differences (no gradient of ours involved)."""
    def gradient(z):
        return numerical_grad(func, (z,), 0, eps=1e-4)
    return (gradient(point + 1e-4 * v) - gradient(point - 1e-4 * v)) / 2e-4


def _matches(func, point=X3, v=V3):
    """grad, jvp and hvp of `func` at `point` against differences; the argument unchanged."""
    expected = numerical_grad(func, (point,), 0)
    given = point.copy()
    np.testing.assert_allclose(s2sgrad.grad(func)(given), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.jvp(func)(given, v), expected @ v, rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hvp(func)(given, v), _hessian_v(func, point, v),
                               rtol=1e-4, atol=1e-5)
    assert np.array_equal(given, point)


# --- sum(d) of a dict adds its keys, which carry no derivative ------------------------------

def sums_the_keys_of_a_dict_it_built(p):
    d = {1: p[0] * 2.0, 2: p[1] ** 2}
    s = 0.0
    for k in d:
        s = s + d[k]
    return s * sum(d)


def sums_float_keys(p):
    d = {1.5: p[0] * 2.0, 2.5: p[1] ** 2}
    return np.sum(p) * sum(d) + math.fsum(d) * p[2]


def sums_keys_of_a_copy(p):
    d = dict()
    for i in range(3):
        d[i * 0.5] = p[i] ** 2
    e = dict(d)
    return sum(e) * sum(d.values()) + sum(sorted(d)) * p[0]


@pytest.mark.parametrize('func', [sums_the_keys_of_a_dict_it_built, sums_float_keys,
                                  sums_keys_of_a_copy])
def test_the_sum_of_a_dicts_keys_has_no_tangent(func):
    _matches(func)


def keys_times_first(p):
    return sum(p) * p[1.0] ** 2 + math.fsum(p) * p[2.0]


def test_the_sum_of_a_dict_argument_has_no_tangent():
    p, v = {1.0: 0.3, 2.0: -0.8}, {1.0: 0.5, 2.0: 0.7}
    # f = 3 * p1 ** 2 + 3 * p2: the tangent is 6 * p1 * v1 + 3 * v2, H v = {6 v1, 0}
    assert s2sgrad.jvp(keys_times_first)(p, v) == pytest.approx(6 * 0.3 * 0.5 + 3 * 0.7)
    assert s2sgrad.hvp(keys_times_first)(p, v) == pytest.approx({1.0: 3.0, 2.0: 0.0})
    assert s2sgrad.grad(keys_times_first)(p) == pytest.approx({1.0: 1.8, 2.0: 3.0})


def sums_a_list_it_built(p):
    xs = [p[0] * p[1], p[2] ** 2]
    ranked = sorted(xs)
    return sum(xs) + sum(ranked) * ranked[0]


def test_the_sum_of_a_list_reads_its_tangents_as_they_are():
    _matches(sums_a_list_it_built)
    source = s2sgrad.jvp(sums_a_list_it_built).source
    assert 'sum(dxs)' in source and 'sum(dranked)' in source and 'listed' not in source
