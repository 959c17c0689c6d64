"""Derivatives of spectral functions at matrices with repeated eigenvalues or singular values
(an identity-like starting point is common): where the derivative exists, it is returned, not
nan (the eigenvector terms divide by eigenvalue gaps, which an unused factor does not reach)."""
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

M = np.diag([3.0, 1.0, 1.0])
E1 = np.diag([1.0, 0.0, 0.0])


def frobenius_by_singular_values(m):
    return np.sum(np.linalg.svd(m, compute_uv=False) ** 2)


def largest_singular_value(m):
    return np.linalg.svd(m, compute_uv=False)[0]


def squared_eigenvalues(m):
    w, v = np.linalg.eigh(m)
    return np.sum(w ** 2)


def trace_by_eigenvalues(m):
    return np.sum(np.linalg.eigvalsh(m))


def cubed_singular_values(m):
    u, s, vh = np.linalg.svd(m)
    return np.sum(s ** 3)


@pytest.mark.parametrize('func, expected', [
    (frobenius_by_singular_values, 2 * M),
    (largest_singular_value, E1),
    (squared_eigenvalues, 2 * M),
    (trace_by_eigenvalues, np.eye(3)),
    (cubed_singular_values, 3 * M ** 2),
], ids=lambda f: getattr(f, '__name__', ''))
def test_gradient_is_the_closed_form(func, expected):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        np.testing.assert_allclose(s2sgrad.grad(func)(M), expected, atol=1e-12)


@pytest.mark.parametrize('func', [frobenius_by_singular_values, squared_eigenvalues,
                                  cubed_singular_values])
def test_forward_mode_and_second_order_along_the_eigenbasis(func):
    # (second order in a direction that mixes the repeated pair is nan: see the README)
    v = np.diag([1.0, -2.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        gradient = s2sgrad.grad(func)
        jv = s2sgrad.jvp(func)(M, v)
        hv = s2sgrad.hvp(func)(M, v)
    assert np.isclose(jv, np.sum(numerical_grad(func, (M,), 0) * v), atol=1e-6)
    expected = numerical_grad(lambda m: np.sum(gradient(m) * v), (M,), 0)
    np.testing.assert_allclose(hv, expected, atol=1e-5)


def test_forward_mode_in_any_direction():
    v = np.array([[1.0, 0.5, 0.0], [0.5, -1.0, 0.2], [0.0, 0.2, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        for func in (frobenius_by_singular_values, squared_eigenvalues, cubed_singular_values):
            expected = np.sum(numerical_grad(func, (M,), 0) * v)
            assert np.isclose(s2sgrad.jvp(func)(M, v), expected, atol=1e-6)
