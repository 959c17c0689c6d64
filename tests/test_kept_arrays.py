"""Arrays that are not differentiated but that the derivative reads (review C): changing one
in place after the derivative read it is refused, as its backward sweep may read it again;
the common programs around that rule (index arrays shuffled each epoch, fresh copies
changed in place, a constant matrix filled row by row, counters) are differentiated."""
import collections
from numpy import copyto

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import UnsupportedSyntaxError

W = np.array([0.5, -0.3, 0.8])
DATA = np.arange(24.0).reshape(8, 3) / 10 - 1.0
TARGETS = np.linspace(-1.0, 1.0, 8)
C = np.array([1.0, 2.0, 3.0])
COUNTS = collections.Counter()


def shuffled_each_epoch(w):
    idx = np.arange(8)
    total = 0.0
    for epoch in range(2):
        np.random.default_rng(epoch).shuffle(idx)
        total = total + np.sum((DATA[idx[:4]] @ w - TARGETS[idx[:4]]) ** 2)
    return total


def sorted_after_read(w):
    order = np.array([2, 0, 1])
    total = np.sum(DATA[order] @ w)
    order.sort()
    return total + np.sum(DATA[order] @ w) ** 2


def fresh_copy_normalized(w):
    dirs = [np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0])]
    total = 0.0
    for k in range(2):
        v = dirs[k].copy()
        _normalize(v)
        total = total + np.sum(w * v) ** 2
    return total


def _normalize(v):
    v /= np.linalg.norm(v)


def rows_filled_and_read(w):
    M = np.zeros((3, 3))
    total = 0.0
    for i in range(3):
        M[i] = C * (i + 1)
        total = total + (M[i] @ w) ** 2
    return total


def _count_call():
    COUNTS['calls'] += 1
    return 0.0


def counted(w):
    _count_call()
    if COUNTS['calls'] > 10 ** 9:
        print('many calls')
    return np.sum(w ** 3)


@pytest.mark.parametrize('func', [shuffled_each_epoch, sorted_after_read, fresh_copy_normalized,
                                  rows_filled_and_read, counted], ids=lambda f: f.__name__)
def test_programs_around_the_rule_are_differentiated(func):
    expected = numerical_grad(func, (W,), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(W), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.jvp(func)(W, np.ones(3)), np.sum(expected), rtol=1e-6)


def reused_buffer(w):
    buf = np.zeros(3)
    total = 0.0
    for i in range(3):
        buf[:] = DATA[i]
        total = total + np.sum(w * buf) ** 2
    return total


def written_after_read(w):
    c = C.copy()
    t = np.sum(w * c) ** 2
    c[0] = 9.0
    return t + np.sum(w * c)


def copied_into_after_read(w):
    c = C.copy()
    t = np.sum(w * c) ** 2
    copyto(c, 0.5)
    return t + np.sum(w * c)


def reversed_after_read(w):
    idx = [0, 2, 1]
    total = 0.0
    for epoch in range(2):
        total = total + np.sum(w[idx] * C) ** 2
        idx.reverse()
    return total


@pytest.mark.parametrize('func', [reused_buffer, written_after_read, copied_into_after_read,
                                  reversed_after_read], ids=lambda f: f.__name__)
def test_an_array_changed_after_the_derivative_read_it_is_refused(func):
    # (each was a silently wrong gradient: the backward sweep read the changed array)
    with pytest.raises(UnsupportedSyntaxError, match='in place after the derivative read it'):
        s2sgrad.grad(func)(W)
    # forward mode computes in order: right
    np.testing.assert_allclose(s2sgrad.jvp(func)(W, np.ones(3)),
                               np.sum(numerical_grad(func, (W,), 0)), rtol=1e-6)
