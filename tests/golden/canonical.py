"""Canonical functions whose generated gradients are pinned by tests/test_golden.py."""
import math

import numpy as np


def cube_scaled(x):
    return x * x * 3.0


def tanh_layer(x, W):
    return np.sum(np.tanh(x @ W) ** 2)


def quadratic_form(x, A):
    return x @ A @ x


def mlp_loss(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def scalar_loop(x):
    y = x
    for i in range(250):
        y = np.sin(y) * 0.9 + x * 0.1
    return y


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-6:
        x = 0.5 * (x + a / x)
    return x


def piecewise(x):
    if x > 0.0:
        y = x ** 2
    else:
        y = -x
    return y * 3.0


def softplus(z):
    return np.log(1.0 + np.exp(z))


def helper_call(x, w):
    return np.sum(softplus(x * w))


def running_squares(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2
    return np.sum(y)


def rnn(h0, W, xs):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ W + xs[t])
    return np.sum(h)


def methods(X, w):
    return (X.T @ X).sum() + X.dot(w).mean()


def first_above(x, threshold):
    total = 0.0
    for i in range(len(x)):
        if x[i] > threshold:
            break
        total = total + math.exp(x[i])
    return total


def sign_split(x):
    if x < 0.0:
        return -2.0 * x
    return x * x


def closure(x, scale):
    def shifted(y):
        return np.sin(y * scale)
    return np.sum(shifted(x) + shifted(2.0 * x))
