"""Functions of a user who imports SciPy under other names (for tests/test_printed.py): the
printed derivatives may not read `scipy`, which this module does not bind."""
import numpy as np
import scipy.special as sp
import scipy.stats as st
from scipy.linalg import solve


def beta_logpdf(x):
    return np.sum(st.beta.logpdf(x, 2.0, 3.0))


def cauchy_pdf(x):
    return np.sum(st.cauchy.pdf(x))


def gamma_logpdf(x):
    return np.sum(st.gamma.logpdf(x, 2.0) + st.chi2.logpdf(x, 3.0))


def dirichlet_logpdf(x):
    return st.dirichlet.logpdf(x / np.sum(x), np.array([2.0, 3.0, 4.0]))


def poisson_logpmf(x):
    return np.sum(st.poisson.logpmf(2, x))


def special_functions(x):
    return np.sum(sp.gammaln(x) + sp.digamma(x) * x + sp.ive(1, x) + sp.zeta(3.0, x + 1.0))


def solved(x):
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 4.0]])
    return np.sum(solve(A, x) ** 2) + np.sum(np.tensordot(np.outer(x, x), A, axes=1))
