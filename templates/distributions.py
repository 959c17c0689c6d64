"""Cumulative distribution functions of scipy.stats (``cdf``, ``sf``, their logs), and the
densities and entropies built from what has rules, differentiated as code (`rules.defined_by`).

As in ``definitions``: each function computes what SciPy's method of the same name computes,
through the special functions that have rules (``gammainc``, ``betainc``, ``stdtr``,
``ndtr``), differentiated in `x`, `loc` and `scale`; the shape parameters (`a`, `b`, `df`)
raise where they carry a derivative, as the special functions' rules do. Off the support a
cdf is 0 or 1 with the derivative 0 there (the formula is evaluated inside instead).
tests/test_distribution_cdfs.py compares each with SciPy's values and checks its derivatives
against central differences of SciPy's function.
"""
import numpy as np

from s2sgrad import runtime as s2s
from s2sgrad.rules import defined_by_name

try:  # SciPy is optional: its definitions register only with it (and once scipy.stats loads)
    import scipy.special
except ImportError:
    scipy = None


def _standard(x, loc, scale):
    """``(x - loc) / scale``, nan for a scale that is not positive (as SciPy; a cdf that picks
    0 or 1 off the support multiplies by `_positive` too)."""
    scale = scale * s2s.nan_unless_positive(scale)
    return (x - loc) / scale


def _positive(scale):
    """1, or nan for a scale that is not positive."""
    return s2s.nan_unless_positive(scale)


def gamma_cdf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.gamma.cdf(x, a, loc, scale)``: the regularized lower incomplete gamma
    function, 0 where ``x <= loc``."""
    z = _standard(x, loc, scale)
    inside = (z > 0) & (z < np.inf)
    value = scipy.special.gammainc(a, np.where(inside, z, 1.0))
    return np.where(inside, value, np.where(z > 0, 1.0, 0.0)) * _positive(scale)


def gamma_sf(x, a, loc=0.0, scale=1.0):
    """``scipy.stats.gamma.sf(x, a, loc, scale)``: 1 - cdf, the upper incomplete gamma."""
    z = _standard(x, loc, scale)
    inside = (z > 0) & (z < np.inf)
    value = scipy.special.gammaincc(a, np.where(inside, z, 1.0))
    return np.where(inside, value, np.where(z > 0, 0.0, 1.0)) * _positive(scale)


def chi2_cdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.chi2.cdf(x, df, loc, scale)``: a gamma of shape df/2 and scale 2."""
    return scipy.stats.gamma.cdf(x, df / 2, loc, 2 * scale)


def chi2_sf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.chi2.sf(x, df, loc, scale)``."""
    return scipy.stats.gamma.sf(x, df / 2, loc, 2 * scale)


def beta_cdf(x, a, b, loc=0.0, scale=1.0):
    """``scipy.stats.beta.cdf(x, a, b, loc, scale)``: the regularized incomplete beta
    function, 0 below the support and 1 above it."""
    z = _standard(x, loc, scale)
    inside = (z > 0) & (z < 1)
    value = scipy.special.betainc(a, b, np.where(inside, z, 0.5))
    return np.where(inside, value, np.where(z <= 0, 0.0, 1.0)) * _positive(scale)


def beta_sf(x, a, b, loc=0.0, scale=1.0):
    """``scipy.stats.beta.sf(x, a, b, loc, scale)``: ``betainc(b, a, 1 - z)``."""
    z = _standard(x, loc, scale)
    inside = (z > 0) & (z < 1)
    value = scipy.special.betainc(b, a, 1 - np.where(inside, z, 0.5))
    return np.where(inside, value, np.where(z <= 0, 1.0, 0.0)) * _positive(scale)


def t_cdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.cdf(x, df, loc, scale)``: Student's t distribution function,
    ``stdtr``."""
    return scipy.special.stdtr(df, _standard(x, loc, scale))


def t_sf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.sf(x, df, loc, scale)``: the cdf at the mirrored point."""
    return scipy.special.stdtr(df, -_standard(x, loc, scale))


def t_logcdf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.logcdf(x, df, loc, scale)``."""
    return np.log(scipy.special.stdtr(df, _standard(x, loc, scale)))


def t_logsf(x, df, loc=0.0, scale=1.0):
    """``scipy.stats.t.logsf(x, df, loc, scale)``."""
    return np.log(scipy.special.stdtr(df, -_standard(x, loc, scale)))


def poisson_cdf(k, mu, loc=0):
    """``scipy.stats.poisson.cdf(k, mu, loc)``, differentiated in `mu`: the upper incomplete
    gamma ``gammaincc(floor(k) + 1, mu)``, 0 below the counts."""
    k = np.floor(k - loc)
    inside = (k >= 0) & (k < np.inf)
    value = scipy.special.gammaincc(np.where(inside, k, 0.0) + 1, mu)
    return np.where(inside, value, np.where(k > 0, 1.0, 0.0))


def poisson_sf(k, mu, loc=0):
    """``scipy.stats.poisson.sf(k, mu, loc)``: 1 - cdf, ``gammainc(floor(k) + 1, mu)``."""
    k = np.floor(k - loc)
    inside = (k >= 0) & (k < np.inf)
    value = scipy.special.gammainc(np.where(inside, k, 0.0) + 1, mu)
    return np.where(inside, value, np.where(k > 0, 0.0, 1.0))


def expon_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.expon.cdf(x, loc, scale)``: ``1 - exp(-z)``, 0 below `loc`."""
    z = _standard(x, loc, scale)
    inside = z > 0
    return np.where(inside, -np.expm1(-np.where(inside, z, 0.0)), 0.0) * _positive(scale)


def expon_sf(x, loc=0.0, scale=1.0):
    """``scipy.stats.expon.sf(x, loc, scale)``: ``exp(-z)``, 1 below `loc`."""
    z = _standard(x, loc, scale)
    inside = z > 0
    return np.where(inside, np.exp(-np.where(inside, z, 0.0)), 1.0) * _positive(scale)


def logistic_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.logistic.cdf(x, loc, scale)``: the logistic sigmoid."""
    return scipy.special.expit(_standard(x, loc, scale))


def cauchy_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.cauchy.cdf(x, loc, scale)``."""
    return 0.5 + np.arctan(_standard(x, loc, scale)) / np.pi


def laplace_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.laplace.cdf(x, loc, scale)``: ``exp(z) / 2`` below `loc`, ``1 -
    exp(-z) / 2`` above."""
    z = _standard(x, loc, scale)
    below = z <= 0  # (each side's formula read on its side only: slope 1 at z == 0 too)
    return np.where(below, np.exp(np.where(below, z, 0.0)) / 2,
                    1 - np.exp(-np.where(below, 0.0, z)) / 2)


def uniform_cdf(x, loc=0.0, scale=1.0):
    """``scipy.stats.uniform.cdf(x, loc, scale)``: ``z`` clipped to [0, 1]."""
    return np.clip(_standard(x, loc, scale), 0.0, 1.0)


def dirichlet_pdf(x, alpha):
    """``scipy.stats.dirichlet.pdf(x, alpha)``: the exp of its logpdf."""
    return np.exp(scipy.stats.dirichlet.logpdf(x, alpha))


SCIPY_DEFINITIONS = {
    ('scipy.stats', 'gamma.cdf'): gamma_cdf, ('scipy.stats', 'gamma.sf'): gamma_sf,
    ('scipy.stats', 'chi2.cdf'): chi2_cdf, ('scipy.stats', 'chi2.sf'): chi2_sf,
    ('scipy.stats', 'beta.cdf'): beta_cdf, ('scipy.stats', 'beta.sf'): beta_sf,
    ('scipy.stats', 't.cdf'): t_cdf, ('scipy.stats', 't.sf'): t_sf,
    ('scipy.stats', 't.logcdf'): t_logcdf, ('scipy.stats', 't.logsf'): t_logsf,
    ('scipy.stats', 'poisson.cdf'): poisson_cdf, ('scipy.stats', 'poisson.sf'): poisson_sf,
    ('scipy.stats', 'expon.cdf'): expon_cdf, ('scipy.stats', 'expon.sf'): expon_sf,
    ('scipy.stats', 'logistic.cdf'): logistic_cdf, ('scipy.stats', 'cauchy.cdf'): cauchy_cdf,
    ('scipy.stats', 'laplace.cdf'): laplace_cdf, ('scipy.stats', 'uniform.cdf'): uniform_cdf,
    ('scipy.stats', 'dirichlet.pdf'): dirichlet_pdf,
}
"""``(module, path)`` of SciPy -> their definitions, registered once the module is imported."""

if scipy is not None:
    for (_module, _path), _definition in SCIPY_DEFINITIONS.items():
        defined_by_name(_module, _path, _definition)
