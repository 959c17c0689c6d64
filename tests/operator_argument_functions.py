"""Functions for tests/test_operator_arguments.py (s2sgrad reads their source)."""
import numpy as np


def squares_in_place(x):
    x **= 2
    return x * 1.0


def scaled_list(x):
    out = []
    for i in range(3):
        out.append(x * (i + 1.0))
    return out


def sine_sum(x, scale=2.0):
    return np.sum(np.sin(scale * x))


def weighted_squares(x, c):
    return np.sum(x ** 2) * c


def product(x, y):
    return np.sum(x * y)
