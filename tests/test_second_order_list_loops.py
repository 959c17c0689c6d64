"""Second derivatives of scalar loops that append `math` results to a list and read it as an
array: the gradient's backward sweep pops from the adjoint list (a new list), which writes
nothing of the caller's, so differentiating it again is allowed."""
import math

import numpy as np
import pytest

import s2sgrad


def decay_auc(k, ts):
    out = []
    for t in ts:
        out.append(math.exp(-k * t))
    return np.sum(np.array(out) * ts)


def logistic_path(r, ts):
    values = []
    for t in ts:
        values.append(1.0 / (1.0 + math.exp(-r * t)))
    return np.sum(np.stack(values) ** 2)


TS = np.array([0.5, 1.0, 2.0])


@pytest.mark.parametrize('f', [decay_auc, logistic_path])
def test_second_derivative_of_a_math_loop_building_a_list(f):
    k, h = 0.3, 1e-4
    expected = (f(k + h, TS) - 2 * f(k, TS) + f(k - h, TS)) / h ** 2
    assert np.isclose(s2sgrad.hessian(f)(k, TS), expected, rtol=1e-5)
    assert np.isclose(s2sgrad.hvp(f)(k, TS, 1.0), expected, rtol=1e-5)
    assert np.isclose(s2sgrad.grad(s2sgrad.grad(f))(k, TS), expected, rtol=1e-5)
    np.testing.assert_array_equal(TS, [0.5, 1.0, 2.0])
