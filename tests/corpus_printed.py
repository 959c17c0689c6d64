"""Functions whose printed gradients tests/test_printed.py executes on their own."""
import numpy as np


def layer(W, x):
    return np.tanh(W @ x)


def two_layers(W1, W2, x):
    h = layer(W1, x)
    o = layer(W2, h)
    return np.sum(o * o)


def trace_product(A, X):
    return np.trace(A @ X)


def log_abs_det(X):
    sign, logdet = np.linalg.slogdet(X)
    return logdet


def log_det(X):
    return np.log(np.linalg.det(X))


def power_recursive(x, n):
    if n == 0:
        return 1.0
    return x * power_recursive(x, n - 1)


def uses_s2s_local(x):
    s2s = x * 2.0
    return np.sum(s2s ** 2)
