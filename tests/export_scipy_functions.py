"""Functions whose rules read SciPy objects and constants (for tests/test_export.py)."""
import numpy as np
import scipy.linalg as sl
import scipy.special as sp


def solved(A, b):
    return np.sum(sl.solve(A, b) ** 2)


def log_gamma(x):
    return np.sum(sp.gammaln(x) * x)


def contracted(A, B):
    return np.sum(np.tensordot(A, B, axes=1) ** 2)
