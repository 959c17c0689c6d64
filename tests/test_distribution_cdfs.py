"""Distribution functions of scipy.stats differentiated through definitions
(templates/distributions.py): each row is checked in reverse and forward mode and at second
order against central differences of SciPy's own function (so a definition computing
something else fails), and each definition computes SciPy's values, off the support too."""
import numpy as np
import pytest

import rulespec
import s2sgrad
from s2sgrad import rules
from s2sgrad.errors import S2SError

scipy = pytest.importorskip('scipy', reason='scipy is not installed')
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402

A = np.array([[0.3, 1.7, 2.9, 0.05], [4.2, 0.8, 1.1, 6.5]])
U = np.array([0.15, 0.5, 0.72, 0.93])
S = np.array([-3.1, -0.4, 0.0, 0.6, 2.5])
COUNTS = np.array([0.0, 1.0, 2.5, 4.0, 7.0])


def arr(*shape, lo=-1.0, hi=1.0):
    return lambda rng: [rng.uniform(lo, hi, shape)]


def pair(shape, lo, hi):
    return lambda rng: [rng.uniform(-1, 1, shape), rng.uniform(lo, hi)]


def f_gamma_cdf(x, s): return np.sum(scipy.stats.gamma.cdf(x + 1.5, 2.5, 0.1, s + 2.0))
def f_gamma_sf(x): return np.sum(np.log(scipy.stats.gamma.sf(x + 1.2, 1.7)) * U[:3])
def f_chi2_cdf(x): return np.sum(scipy.stats.chi2.cdf(3.0 * x + 3.5, 4) ** 2)
def f_chi2_sf(x, s): return np.sum(scipy.stats.chi2.sf(x + 2.0, 3.0, scale=s + 1.5))
def f_beta_cdf(x): return np.sum(scipy.stats.beta.cdf(0.4 * x + 0.5, 2.0, 3.5) * U[:3])
def f_beta_sf(x, s): return np.sum(scipy.stats.beta.sf(x, 1.5, 2.5, -1.2, s + 3.0) ** 2)
def f_t_cdf(x, s): return np.sum(scipy.stats.t.cdf(2.0 * x, 3.5, 0.2, s + 1.5) * U[:3])
def f_t_sf(x): return np.sum(scipy.stats.t.sf(x * 3.0, df=5) ** 2)
def f_t_logcdf(x): return np.sum(scipy.stats.t.logcdf(x * 2.0, 2.5) * U[:3])
def f_t_logsf(x, s): return np.sum(scipy.stats.t.logsf(x, 7.0, s, 0.8))
def f_t_cdf_at_centre(x): return scipy.stats.t.cdf(x[0] * 0.0, 4.0) * x[1] + x[2]
def f_poisson_cdf(x): return np.sum(scipy.stats.poisson.cdf(COUNTS, x[0] + 2.5) * COUNTS)
def f_poisson_sf(x): return np.sum(scipy.stats.poisson.sf(COUNTS[:3], np.exp(x)))
def f_expon(x, s): return np.sum(scipy.stats.expon.cdf(x, -0.5, s + 1.5) + scipy.stats.expon.sf(x))
def f_logistic(x): return np.sum(scipy.stats.logistic.cdf(x * 2.0, 0.3, 1.2) ** 2)
def f_cauchy(x, s): return np.sum(scipy.stats.cauchy.cdf(x, s, 0.5) * U[:3])
def f_laplace(x): return np.sum(scipy.stats.laplace.cdf(x * 2.0 + 0.05, 0.1, 0.7) ** 2)
def f_uniform(x): return np.sum(scipy.stats.uniform.cdf(x * 0.4 + 0.5, 0.1, 0.8) * U[:3])
def f_dirichlet(x): return scipy.stats.dirichlet.pdf(np.exp(x) / np.sum(np.exp(x)), U[:3] + 1.0)


ROWS = [
    (f_gamma_cdf, pair(3, -0.5, 0.5), (0, 1)), (f_gamma_sf, arr(3), 0),
    (f_chi2_cdf, arr(3), 0), (f_chi2_sf, pair(3, -0.5, 0.5), (0, 1)),
    (f_beta_cdf, arr(3), 0), (f_beta_sf, pair(3, -0.5, 0.5), (0, 1)),
    (f_t_cdf, pair(3, -0.5, 0.5), (0, 1)), (f_t_sf, arr(3), 0), (f_t_logcdf, arr(3), 0),
    (f_t_logsf, pair(3, -0.5, 0.5), (0, 1)), (f_t_cdf_at_centre, arr(3), 0),
    (f_poisson_cdf, arr(1), 0), (f_poisson_sf, arr(3), 0),
    (f_expon, pair(3, -0.3, 0.3), (0, 1)), (f_logistic, arr(3), 0),
    (f_cauchy, pair(3, -0.5, 0.5), (0, 1)), (f_laplace, arr(3), 0), (f_uniform, arr(3), 0),
    (f_dirichlet, arr(3), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_derivatives_against_differences_of_scipy(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


VALUES = [
    (scipy.stats.gamma.cdf, (A, 2.5), {}), (scipy.stats.gamma.cdf, (S, 0.7, -1.0, 2.0), {}),
    (scipy.stats.gamma.sf, (A, 1.3), {'scale': 0.5}), (scipy.stats.gamma.sf, (S, 3.0), {}),
    (scipy.stats.chi2.cdf, (A, 3), {}), (scipy.stats.chi2.sf, (S, 2.5, 0.1, 1.5), {}),
    (scipy.stats.beta.cdf, (U, 2.0, 0.5), {}), (scipy.stats.beta.cdf, (S, 2.0, 3.0), {}),
    (scipy.stats.beta.sf, (U, 0.7, 1.5), {}), (scipy.stats.beta.sf, (S, 2.0, 2.0, -2.0, 4.0), {}),
    (scipy.stats.t.cdf, (S, 2.5), {}), (scipy.stats.t.cdf, (A, 30.0, 1.0, 2.0), {}),
    (scipy.stats.t.sf, (S, 1.0), {}), (scipy.stats.t.logcdf, (S, 4.0), {}),
    (scipy.stats.t.logsf, (S, 4.0, 0.5), {}),
    (scipy.stats.poisson.cdf, (COUNTS, 2.5), {}), (scipy.stats.poisson.cdf, (S, 1.5), {}),
    (scipy.stats.poisson.sf, (COUNTS, 3.5), {'loc': 1}),
    (scipy.stats.expon.cdf, (S,), {}), (scipy.stats.expon.sf, (S, -1.0, 2.0), {}),
    (scipy.stats.logistic.cdf, (S, 0.5, 2.0), {}), (scipy.stats.cauchy.cdf, (S,), {}),
    (scipy.stats.laplace.cdf, (S, 0.2, 1.5), {}), (scipy.stats.uniform.cdf, (S, -1.0, 2.5), {}),
    (scipy.stats.dirichlet.pdf, (U[:3] / np.sum(U[:3]), np.array([1.5, 2.0, 0.7])), {}),
    (scipy.stats.gamma.cdf, (A, 2.5, 0.0, -1.0), {}),
    (scipy.stats.beta.sf, (U, 2.0, 2.0, 0.0, 0.0), {}),
    (scipy.stats.expon.cdf, (S, 0.0, -2.0), {}),
]


@pytest.mark.parametrize('func, args, kwargs', VALUES,
                         ids=lambda v: getattr(v, '__name__', None) if callable(v) else None)
def test_definition_computes_scipys_values(func, args, kwargs):
    definition = rules.lookup_definition(func)
    assert definition is not None, func
    with np.errstate(all='ignore'):
        expected = func(*args, **kwargs)
        value = definition(*args, **kwargs)
    assert np.shape(value) == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-14)


def shape_in_the_derivative(x):
    return np.sum(scipy.stats.t.cdf(0.5, x[0] + 3.0) + scipy.stats.gamma.cdf(1.0, x + 2.0))


def test_a_shape_parameter_with_a_derivative_is_refused():
    with pytest.raises(S2SError, match='keep that argument constant'):
        s2sgrad.grad(shape_in_the_derivative)(np.array([0.1, 0.2]))


def laplace_at_its_centre(x): return scipy.stats.laplace.cdf(x, 0.2, 1.5)
def t_of_many_degrees(x): return scipy.stats.t.cdf(x, 1e15) + scipy.stats.t.cdf(x, np.inf)


def gamma_and_poisson_at_infinity(x):
    return scipy.stats.gamma.cdf(np.inf, 2.0, x) + scipy.stats.poisson.cdf(np.inf, x) + \
        scipy.stats.gamma.sf(np.inf, 2.0, x) + scipy.stats.poisson.sf(np.inf, x)


def test_derivatives_at_the_edges():
    # (the slope of laplace's cdf at its centre was halved, np.minimum and np.maximum sharing
    # it; stdtr's density lost its digits for large df, nan at df = inf; at x = inf the
    # gamma density was nan)
    grad = s2sgrad.grad
    np.testing.assert_allclose(grad(laplace_at_its_centre)(0.2), 1.0 / 3.0, rtol=1e-12)
    np.testing.assert_allclose(grad(t_of_many_degrees)(0.7), 2 * scipy.stats.norm.pdf(0.7),
                               rtol=1e-10)
    assert grad(gamma_and_poisson_at_infinity)(1.5) == 0.0
