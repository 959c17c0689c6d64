"""Derivatives of ``ndtr``, ``erf`` and ``erfc`` at any order are finite where the function is
flat, infinite arguments included: the ordered probit with cut points ``-inf`` and ``inf``
(``ndtr(c[y + 1] - eta) - ndtr(c[y] - eta)``) has a finite Hessian (its second derivatives
were nan: ``-x * exp(-x ** 2 / 2)`` at an infinite `x`). Checked against differences of the
gradient and closed forms."""
import numpy as np
import pytest

import s2sgrad

special = pytest.importorskip('scipy.special', reason='the rules of scipy.special need SciPy')

X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.2]])
Y = np.array([0, 1, 2, 1])
CUTS = np.array([-0.3, 0.4])
BETA = np.array([0.2, -0.1])


def ordered_probit(beta, X, cuts, y):
    eta = X @ beta
    c = np.concatenate(([-np.inf], cuts, [np.inf]))
    p = special.ndtr(c[y + 1] - eta) - special.ndtr(c[y] - eta)
    return np.sum(np.log(p))


def ordered_probit_erf(beta, X, cuts, y):
    eta = X @ beta
    c = np.concatenate(([-np.inf], cuts, [np.inf]))
    upper = 0.5 * (1.0 + special.erf((c[y + 1] - eta) / np.sqrt(2.0)))
    lower = 0.5 * special.erfc((eta - c[y]) / np.sqrt(2.0))
    return np.sum(np.log(upper - (1.0 - lower)))


@pytest.mark.parametrize('func', [ordered_probit, ordered_probit_erf])
def test_the_ordered_probit_hessian_is_finite(func):
    gradient = s2sgrad.grad(func)
    eps = 1e-5
    expected = np.array([(gradient(BETA + eps * v, X, CUTS, Y) -
                          gradient(BETA - eps * v, X, CUTS, Y)) / (2 * eps)
                         for v in np.eye(2)])
    hessian = s2sgrad.hessian(func)(BETA, X, CUTS, Y)
    assert np.all(np.isfinite(hessian))
    assert np.allclose(hessian, expected, rtol=1e-5, atol=1e-8)
    assert np.allclose(s2sgrad.hvp(func)(BETA, X, CUTS, Y, np.ones(2)), expected @ np.ones(2),
                       rtol=1e-5)


def ndtr(x):
    return special.ndtr(x)


def erf(x):
    return special.erf(x)


def erfc(x):
    return special.erfc(x)


def density(x):
    return np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)


@pytest.mark.parametrize('x', [0.7, -1.3, 2.5])
def test_third_derivatives_of_ndtr_and_erf(x):
    third = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(ndtr)))
    assert np.isclose(third(x), (x ** 2 - 1) * density(x))
    erf_third = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(erf)))
    assert np.isclose(erf_third(x), 2 / np.sqrt(np.pi) * (4 * x ** 2 - 2) * np.exp(-x ** 2))
    assert np.isclose(s2sgrad.grad(erfc)(x), -2 / np.sqrt(np.pi) * np.exp(-x ** 2))


@pytest.mark.parametrize('x', [np.inf, -np.inf])
def test_derivatives_at_infinite_arguments_are_zero(x):
    for f in (ndtr, erf, erfc):
        assert s2sgrad.grad(f)(x) == 0.0
        assert s2sgrad.grad(s2sgrad.grad(f))(x) == 0.0
        assert s2sgrad.jvp(s2sgrad.grad(f))(x, 1.0) == 0.0
