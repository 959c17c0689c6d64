"""``import s2sgrad as s2s`` in the user's module: generated code keeps `s2s` for its runtime."""
import numpy as np
import pytest

import s2sgrad as s2s
from s2sgrad.errors import UnsupportedSyntaxError

from rulespec import central_gradient

X = np.array([0.3, -0.5, 1.2])


def sines(x):
    return np.sum(np.sin(x) ** 2)


def cubes(y):
    return np.sum(y ** 3)


def through_inner_gradient(x):
    g = s2s.grad(cubes)(x)
    return np.sum(g * x)


def local_named_s2s(x):
    s2s = x * 2.0
    return np.sum(s2s)


@pytest.mark.parametrize('op', ['grad', 'hessian_diag', 'jvp'])
def test_function_not_reading_the_alias(op):
    want = 2 * np.sin(X) * np.cos(X)
    if op == 'grad':
        got = s2s.grad(sines)(X)
    elif op == 'jvp':
        got = np.array([s2s.jvp(sines)(X, e) for e in np.eye(3)])
    else:
        got = np.diag(s2s.hessian(sines)(X))
        want = 2 * np.cos(2 * X)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_function_reading_the_alias():
    got = s2s.grad(through_inner_gradient)(X)
    np.testing.assert_allclose(got, 9 * X ** 2, rtol=1e-10)
    np.testing.assert_allclose(got, central_gradient(through_inner_gradient, X), rtol=1e-6)


def test_local_variable_named_s2s_is_refused_with_its_line():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(local_named_s2s)(X)
    assert 'test_runtime_name.py' in str(info.value) and 's2s = x * 2.0' in str(info.value)
