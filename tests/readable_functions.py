"""Functions whose printed derivatives tests/test_readable.py reads."""
import numpy as np


def logistic_regression(w, X, y):
    p = 1 / (1 + np.exp(-(X @ w)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def rnn(h0, W, xs):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ W + xs[t])
    return np.sum(h)


def zero_then_reassigned(x, c):
    y = c * 2.0
    for i in range(3):
        y = y * x + c
    return np.sum(y)


def log_det(X):
    return np.log(np.linalg.det(X))


def running_sum(x):
    s = 0.0
    for t in range(3):
        y = x * (t + 1.0)
        s = s + np.sum(y * y)
    return s


def fibonacci_like(x):
    a = x
    b = 2 * x
    for t in range(3):
        a, b = b, a + b
    return np.sum(a * a)


def mask_counted_twice(x, m):
    return np.sum(x * (1 * m + 1 * m))


def integer_square_as_float(x, k):
    return np.sum(x * (1.0 * k * k))


def divided_by_one(x, k):
    return np.sum(x * (k / 1) ** 2)


def scaled_sum(x, c=(1.0, 2.0)):
    return np.sum(x * np.sum(c))


def norm_of(x):
    return np.linalg.norm(x)
