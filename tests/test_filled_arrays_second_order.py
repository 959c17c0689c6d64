"""Second order of an array filled by index (``r = np.zeros(n); r[i] = ...``) and then reduced
by a function whose gradient reads a helper of the rules (``np.prod``, ``np.linalg.norm``,
``np.std``, ``np.var``, ``r ** p``, ``np.real``): differentiated again, the gradient restores
the filled items, and the alias analysis took those helpers' results (numbers and new arrays)
for views of `r`, refusing the restore. Checked against central differences of the
gradient."""
import numpy as np
import pytest

import s2sgrad

P = np.array([1.1, 0.6])
T = np.array([0.0, 0.5, 1.0, 1.5])
OBS = np.array([1.0, 0.7, 0.5, 0.3])


def _residuals(p):
    r = np.zeros(4)
    for i in range(4):
        r[i] = p[0] * np.exp(-p[1] * T[i]) - OBS[i]
    return r


def squared_norm(p):
    r = _residuals(p)
    return np.linalg.norm(r) ** 2


def product(p):
    r = np.ones(3)
    r[0] = p[0] * p[1]
    r[1:] = p ** 2
    return np.prod(r)


def deviation(p):
    r = _residuals(p)
    return np.std(r) + np.var(r, ddof=1)


def variable_power(p):
    r = np.zeros(2)
    r[0] = p[0] * p[1] + 1.0
    r[1] = p[0] ** 2 + 0.5
    return np.sum(r ** p[1])


def real_part(p):
    r = np.zeros(2)
    r[0] = p[0] * p[1]
    r[1] = np.sin(p[0])
    return np.sum(np.real(r) ** 3)


FUNCTIONS = [squared_norm, product, deviation, variable_power, real_part]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_matches_differences_of_the_gradient(f):
    df = s2sgrad.grad(f)
    assert np.allclose(df(P), numeric_grad(f, P), rtol=1e-6, atol=1e-8)
    expected = np.stack([numeric_grad(lambda p: df(p)[k], P) for k in range(P.size)])
    assert np.allclose(s2sgrad.hessian(f)(P), expected, rtol=1e-5, atol=1e-7)
    v = np.array([0.3, -0.8])
    assert np.allclose(s2sgrad.hvp(f)(P, v), expected @ v, rtol=1e-5, atol=1e-7)
