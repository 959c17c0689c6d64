"""User-style loops with an `else` clause (tests/test_loop_else.py): searches, Newton iterations,
nested loops whose breaks belong to different loops, returns inside the loop."""
import math
import numpy as np


def search(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 1.0:
            s = s + x[i] * 3.0
            break
        s = s + x[i] ** 2
    else:
        s = s * 2.0
    return s


def newton(a):
    y = a
    k = 0
    while k < 50:
        step = (y * y - a) / (2.0 * y)
        y = y - step
        k = k + 1
        if abs(step) < 1e-12:
            break
    else:
        y = y * 0.0
    return y


def inner_break(x):
    total = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            total = total + x[i] * x[j]
    else:
        total = total * 3.0
    return total


def inner_else_breaks_outer(x):
    total = 0.0
    for i in range(4):
        for j in range(2):
            if x[i] * j > 5.0:
                break
            total = total + x[i] * j
        else:
            total = total + 1.0
            if total > 2.5:
                break
    else:
        total = total * 10.0
    return total * x[0]


def returns_in_loop(x):
    for i in range(x.shape[0]):
        if x[i] < 0.0:
            return x[i] * 5.0
    else:
        return np.sum(x ** 2)


def no_break(x):
    for i in range(2):
        x = x * 2.0
    else:
        x = x + 1.0
    return np.sum(x ** 2)


def scalar_math(t):
    v = t
    for i in range(5):
        v = math.sin(v) + t
        if v > 10.0:
            break
    else:
        v = v * v
    return v


def nested_def(x):
    def inner(y):
        acc = 0.0
        for k in range(3):
            if y[k] > 2.0:
                break
            acc = acc + y[k] * y[k]
        else:
            acc = acc + 1.0
        return acc
    return inner(x) * x[1]
