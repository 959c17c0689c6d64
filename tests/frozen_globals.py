"""Globals that compiled code reads, for tests/test_review_session38.py (numba freezes them)."""
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
