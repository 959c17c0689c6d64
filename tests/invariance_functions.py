"""Softmax, log-softmax and log-sum-exp as people write them, with the max subtracted for
stability, and near misses whose result does depend on the shift (tests/test_invariance.py)."""
import numpy as np


# -- the shift cancels -----------------------------------------------------------------------
def xent(W, x, onehot):
    out = np.tanh(x @ W)
    z = out - np.max(out, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(logp * onehot) / x.shape[0]


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def softmax_weights(x, w):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return np.sum(p * w)


def scalar_shift_rows(x):
    m = np.max(x)
    z = x - m
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def softmax_in_loop(W, xs):
    total = 0.0
    h = np.zeros(W.shape[1])
    for t in range(xs.shape[0]):
        a = xs[t] @ W + h
        e = np.exp(a - np.max(a, axis=0, keepdims=True))
        h = e / np.sum(e, axis=0, keepdims=True)
        total = total + np.sum(h * h)
    return total


def mean_shift(x):
    c = np.mean(x, axis=1, keepdims=True)
    z = x - c
    return np.sum(np.log(np.sum(np.exp(z), axis=1, keepdims=True)) - np.max(z, axis=1,
                                                                            keepdims=True))


# -- the result depends on the shift ---------------------------------------------------------
def squares_of_centred(x):
    z = x - np.max(x, axis=1, keepdims=True)
    return np.sum(z ** 2)


def sum_of_shifted_exp(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(np.exp(x - m))


def other_axis(x):
    m = np.max(x, axis=0, keepdims=True)
    z = x - m
    return np.sum(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))


def shift_used_again(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return np.sum(logp) + np.sum(m * m)


def exp_used_again(x):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m)
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * p) + np.sum(e)


def without_keepdims(x):
    m = np.max(x, axis=1)
    z = x - m[:, None]
    return np.sum(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))


def scaled_shift(x):
    z = (x - np.max(x, axis=1, keepdims=True)) * 2.0
    return np.sum(np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True) * x)


def mean_of_exp_not_sum(x):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m)
    return np.sum(np.log(np.mean(e, axis=1, keepdims=True)))


def broadcast_to_more_axes(x, u):
    """`u` (3-D) minus the row maxima of `x` (2-D): axis 1 of `z` is not axis 1 of `x`."""
    m = np.max(x, axis=1, keepdims=True)
    z = u - m
    return np.sum(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)))


def broadcast_last_axis(x, u):
    m = np.max(x, axis=-1, keepdims=True)
    z = u - m
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))))
