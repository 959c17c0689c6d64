"""Version-compatibility code: a branch that calls a NumPy function the installed NumPy has
not (``np.trapz`` after NumPy 2.4) raises the AttributeError Python would raise, where it
runs; the branch that runs is differentiated."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def integrate(F, x):
    if hasattr(np, 'no_such_function_here'):
        return np.no_such_function_here(F, x)
    return np.sum((F[1:] + F[:-1]) * np.diff(x)) / 2


def always_missing(F):
    return np.no_such_function_here(F) * 2.0


def test_the_branch_that_runs_is_differentiated():
    F = np.array([0.1, 0.5, 1.2, 0.3])
    x = np.array([0.0, 0.3, 0.7, 1.5])
    g = s2sgrad.grad(integrate)(F, x)
    np.testing.assert_allclose(g, numerical_grad(integrate, (F, x), 0), rtol=1e-7)
    assert np.allclose(s2sgrad.jvp(integrate)(F, x, np.ones(4)), np.sum(g))


def test_a_missing_function_raises_where_it_runs():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_function_here'"):
        s2sgrad.grad(always_missing)(np.ones(3))


def integrate_inline(F, x):
    return np.sum(F * x) if not hasattr(np, 'no_such_function_here') else \
        np.no_such_function_here(F, x)


def doubled_inline(F, x):
    total = np.no_such_function_here(F) if hasattr(np, 'no_such_function_here') else \
        np.sum(F ** 2 * x)
    return total * 2.0


@pytest.mark.parametrize('f', [integrate_inline, doubled_inline])
def test_the_branch_of_a_conditional_expression_that_runs_is_differentiated(f):
    F = np.array([0.1, 0.5, 1.2, 0.3])
    x = np.array([0.0, 0.3, 0.7, 1.5])
    g = s2sgrad.grad(f)(F, x)
    np.testing.assert_allclose(g, numerical_grad(f, (F, x), 0), rtol=1e-7)
    assert np.allclose(s2sgrad.jvp(f)(F, x, np.ones(4)), np.sum(g))


def test_a_version_check_in_a_conditional_expression_is_decided_when_the_gradient_is_made():
    # (``hasattr`` of a module is known then: the branch that runs alone, which the compiled
    # path can type too)
    code = [line for line in s2sgrad.grad(integrate_inline).source.splitlines()
            if not line.strip().startswith('#')]  # (the comments quote your line)
    assert not any('hasattr' in line or 'no_such_function_here' in line for line in code)
