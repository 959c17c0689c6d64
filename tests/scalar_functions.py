"""Scalar code as people write it with the `math` module (for tests/test_scalar_version.py)."""
import math

import numpy as np


def damped(x):
    y = x
    for i in range(40):
        y = math.sin(y) * 0.9 + x * 0.1
    return y


def two_params(a, b):
    s = 0.0
    for k in range(1, 6):
        s = s + math.exp(-a * k) * math.cos(b * k) / k
    return s * a + math.log(1 + b * b)


def with_data(x, v):
    """`math.sin(x)` spread over an array that is not differentiated: its adjoint sums."""
    return np.sum(math.sin(x) * v ** 2)


def reassigned(x):
    x = x * 2.0
    for i in range(3):
        x = math.tanh(x) + 0.5 * x
    return x


def branches(x, n):
    total = 0.0
    for i in range(n):
        if x > 0:
            total = total + math.sqrt(x + i)
        else:
            total = total - math.atan(x * i)
    return total


def mixed_numpy(x):
    y = np.sin(x) * math.cos(x)
    return y * y + np.exp(x) / 3


def root_of_negative(x):
    """``x ** 0.5`` of a negative float is complex in Python."""
    y = x
    for i in range(3):
        y = math.sin(y) * 0.5 + x * 0.1
    return y + (x ** 0.5).real


def helper(y, x):
    return math.sin(y) * 0.9 + x * 0.1


def calls_helper(x):
    y = x
    for i in range(10):
        y = helper(y, x)
    return y


def power_tower(x, k):
    y = 1.0
    for i in range(k):
        y = y * x + math.sin(i * x)
    return math.log(1 + y * y)
