"""Log densities outside their support: SciPy's value is -inf there, a constant, so the
derivative is 0 (JAX's too), never the formula's value continued past the support."""
import numpy as np
import pytest

import s2sgrad

stats = pytest.importorskip('scipy.stats')


def gamma_total(x):
    return np.sum(stats.gamma.logpdf(x, 2.5, scale=1.3))


def beta_total(x):
    return np.sum(stats.beta.logpdf(x, 2.0, 3.0))


def expon_total(x):
    return np.sum(stats.expon.logpdf(x, scale=2.0))


def gamma_of_shape(a, x):
    return np.sum(stats.gamma.logpdf(x, a))


CASES = [(gamma_total, np.array([-1.0, 0.5, 2.0]), [0]),
         (beta_total, np.array([1.5, 0.3, -0.2]), [0, 2]),
         (expon_total, np.array([-1.0, 0.7]), [0])]


def central(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize('f, x, outside', CASES, ids=[c[0].__name__ for c in CASES])
def test_the_derivative_is_zero_where_the_density_is_zero(f, x, outside):
    g = s2sgrad.grad(f)(x)
    inside = [i for i in range(x.size) if i not in outside]
    assert np.all(g[outside] == 0.0)
    with np.errstate(all='ignore'):
        # (each point inside on its own: the total is -inf)
        for i in inside:
            def alone(t, i=i):
                y = x[i:i + 1].copy()
                y[0] = t
                return f(y)
            expected = (alone(x[i] + 1e-6) - alone(x[i] - 1e-6)) / 2e-6
            assert np.isclose(g[i], expected, rtol=1e-6)
    v = np.ones_like(x)
    assert np.isclose(s2sgrad.jvp(f)(x, v), g @ v)
    assert np.all(np.isfinite(s2sgrad.hvp(f)(x, v)))


def test_a_shape_parameter_with_points_outside_gets_their_zero():
    x = np.array([-0.5, 1.2, 3.0])
    inside = x[1:]
    got = s2sgrad.grad(gamma_of_shape)(2.5, x)
    expected = central(lambda a: gamma_of_shape(a[0], inside), np.array([2.5]))[0]
    assert np.isclose(got, expected, rtol=1e-6)
