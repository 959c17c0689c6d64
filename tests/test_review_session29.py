"""Findings of the fuzzer's statement programs and the reviews of 2026-12-05: programs users
write, each checked against central differences, or refused with the error that names the
construct."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError

X4 = np.array([0.4, 0.07, -0.6, -0.58])
V4 = np.array([0.3, -1.0, 0.5, 0.7])


def _hessian_v(func, point, v):
    """H v by central differences of central differences (no gradient of ours involved)."""
    def gradient(z):
        return numerical_grad(func, (z,), 0, eps=1e-4)
    return (gradient(point + 1e-4 * v) - gradient(point - 1e-4 * v)) / 2e-4


def _matches(func, point, operators=('grad', 'raw', 'joint', 'jvp', 'hvp')):
    """Each operator of `func` at `point` against differences; the caller's array unchanged."""
    expected = numerical_grad(func, (point,), 0)
    for operator in operators:
        given = point.copy()
        if operator == 'jvp':
            got, want = s2sgrad.jvp(func)(given, V4.copy()), expected @ V4
        elif operator == 'hvp':
            got, want = s2sgrad.hvp(func)(given, V4.copy()), _hessian_v(func, point, V4)
        else:
            options = {'raw': {'optimized': False}, 'joint': {'motion': 'joint'}}.get(operator, {})
            got, want = s2sgrad.grad(func, **options)(given), expected
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=operator)
        assert np.array_equal(given, point), operator


# --- an adjoint None at some passes of a loop, the number 0.0 at others ---------------------

def concatenated_each_pass_read_in_a_branch(x):
    for i in range(3):
        a = np.concatenate([x[:2], x[2:]])
    if np.sum(x) > 0.1:
        x = np.exp(-a ** 2)
    return np.sum(x ** 2)


def stacked_each_pass_written_before(x):
    x = x.copy()
    for i in range(3):
        x[3] = 0.5 * x[3]
        a = np.stack([x[:2], x[2:]])
    if x[0] > 0.1:
        return np.sum(np.sin(a))
    return np.sum(x ** 2)


def solved_each_pass_read_in_a_branch(x):
    m = np.array([[2.0, 0.5], [0.5, 3.0]])
    for i in range(2):
        a = np.linalg.solve(m, x[:2] * (i + 1.0))
    if x[1] > 0.0:
        return np.sum(a ** 2) + np.sum(x)
    return np.sum(x ** 2)


@pytest.mark.parametrize('func', [concatenated_each_pass_read_in_a_branch,
                                  stacked_each_pass_written_before,
                                  solved_each_pass_read_in_a_branch])
@pytest.mark.parametrize('point', [X4, -X4], ids=['branch taken', 'branch not taken'])
def test_an_adjoint_none_or_zero_reaches_no_rule_needing_an_array(func, point):
    _matches(func, point)


# --- an alias, an augmented assignment NumPy applies in place, a write through the alias ----

def alias_added_into_then_written(x):
    x[1] *= 2.0
    a = x
    x += x * 0.5  # (into the array `a` is)
    a[2] *= 3.0
    return np.sum(x ** 2)


def alias_of_a_copy_multiplied_then_written(x):
    y = x.copy()
    a = y
    y *= 1.5
    a[0] = a[0] * 3.0
    return np.sum(y ** 2) + np.sum(a)


def alias_read_after_the_addition(x):
    x[1] *= 2.0
    a = x
    x += x * 0.5
    return np.sum(a ** 2)


@pytest.mark.parametrize('func', [alias_added_into_then_written,
                                  alias_of_a_copy_multiplied_then_written,
                                  alias_read_after_the_addition])
@pytest.mark.parametrize('operator', ['grad', 'raw', 'joint', 'jvp', 'hvp'])
def test_an_alias_sees_an_augmented_assignment_or_is_refused(func, operator):
    try:
        _matches(func, X4, (operator,))
    except S2SError as exc:
        assert 'share' in str(exc) or 'alias' in str(exc), exc
