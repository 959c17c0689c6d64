"""A user's module whose functions tests/test_numba_layouts.py calls through it."""
import numpy as np


def cumulative(x):
    p = np.ones_like(x)
    for i in range(1, len(x)):
        p[i] = p[i - 1] * x[i - 1]
    return p


def scaled(x):
    return x * 2.0
