"""Functions for tests/test_export.py: a definition that reads the built-ins (np.block), and a
module that binds `digamma` to a function of its own."""
import numpy as np
import scipy.special as sp


def blocked(x):
    return np.sum(np.block([[x, 2.0 * x], [x ** 2, x]]) ** 2)


def digamma(x):  # (not SciPy's)
    return x


def log_gamma(x):
    return np.sum(sp.gammaln(x)) + np.sum(digamma(x))
