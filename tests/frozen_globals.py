"""Globals that compiled code reads, for tests/test_review_session38.py (numba freezes them)."""
import random

import numpy as np

COUNT = 6
WEIGHTS = np.array([1.0, 2.0, 3.0])
RATE = 0.5


def squares_up_to_count(x):
    s = 0.0
    for i in range(COUNT):
        s += x[i] ** 2
    return s


def weighted_squares(x):
    s = 0.0
    for i in range(3):
        s += WEIGHTS[i] * x[i] ** 2 * RATE
    return s


def average(v):
    return 0.5 * (v[1:] + v[:-1])


def difference(v):
    return v[1:] - v[:-1]


smooth = average


def smoothed_energy(v):
    return np.sum(smooth(v) ** 2)


x = np.array([1.0, 2.0, 3.0])  # (a script's data, named as the function's parameter)


def sum_of_cubes(x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] ** 3
    return total


COEFFICIENTS = (1.0, 2.0)
TABLE = (np.array([1.0, 2.0]), 3.0)


def polynomial(x):
    return COEFFICIENTS[0] * x + COEFFICIENTS[1] * x * x


def tabled(x):
    return np.sum(TABLE[0] * x) * TABLE[1]


def noisy(x):
    return np.sum(x * np.random.randn(2))


def seeded_noise(x):
    np.random.seed(3)
    return np.sum(x * np.random.randn(2))


def python_noise(x):
    return x * random.random()


def python_seeded_noise(x):
    random.seed(5)
    return x * random.random()


def seeded_in_a_branch(x, flag):
    if flag:
        np.random.seed(3)
    return np.sum(x * np.random.randn(2))
