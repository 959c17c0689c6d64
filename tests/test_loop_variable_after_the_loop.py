"""A loop whose body computes nothing the derivative needs, whose variable is read after it.

``for i in range(1, 3): y = np.cos(x)`` (or ``pass``), then ``x[i]``: the optimizer dropped
the loop, whose body it had emptied, and the read of `i` after it found a module's `i` (a
silently wrong derivative; this module binds one on purpose) or none (NameError). The loop
now stays, with ``pass``, where its variable is read. And where the loop rebinds a variable
the code before it had (``i = 0``, ``y = x[i] * 2``, then the loop), the backward sweep kept
no loop to give the first value back, so the derivative of ``x[i]`` before the loop read the
last one. Checked against central differences, forward mode against them, and the
Hessian-vector product against differences of the gradient.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

i = 0  # (a module's `i`, as a script's top-level loop leaves one)


def unused_body(x):
    for i in range(1, 3):
        y = np.cos(x)  # noqa: F841 (nothing reads it)
    return x[i] * 2.0


def empty_body(x):
    for j in range(3):
        pass
    return x[j] ** 2 + x[0] * x[1]


def inner_empty_loop(x):
    s = 0.0
    for k in range(2):
        for j in range(3):
            pass
        s = s + x[j] * x[k]
    return s


def first_value_read_before(x):
    i = 0
    y = x[i] * 2
    for i in range(1, 3):
        pass
    return np.sum(y * x[i])


def first_value_read_before_busy_loop(x):
    i = 0
    y = x[i] * 2
    for i in range(1, 3):
        z = np.cos(x)  # noqa: F841 (nothing reads it)
    return np.sum(y * x[i] ** 2)


CASES = [unused_body, empty_body, inner_empty_loop, first_value_read_before,
         first_value_read_before_busy_loop]
X = np.array([0.3, -0.7, 1.1])
V = np.array([1.0, -0.5, 0.25])


@pytest.mark.parametrize('optimized', [True, False])
@pytest.mark.parametrize('f', CASES, ids=[f.__name__ for f in CASES])
def test_gradient_forward_mode_and_hessian(f, optimized):
    expected = numerical_grad(f, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(f, optimized=optimized)(X), expected, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.jvp(f, optimized=optimized)(X, V), expected @ V,
                               atol=1e-8)
    eps = 1e-5
    gradient = s2sgrad.grad(f, optimized=optimized)
    differences = (gradient(X + eps * V) - gradient(X - eps * V)) / (2 * eps)
    np.testing.assert_allclose(s2sgrad.hvp(f)(X, V), differences, atol=1e-6)
