"""Functions that draw random numbers: no draw is dropped as dead code (the draws after it
would shift), and a call that draws is never run a second time by a derivative that
recomputes it (it would draw others): that is refused, naming the draw."""
import random

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

X = np.array([0.5, 1.5, -2.0])


def offset_then_scale(x, rng):
    offset = rng.normal(size=3)  # (only the value reads it: its draw still happens)
    scale = rng.uniform(size=3)
    return np.sum(x * scale) + np.sum(offset)


def global_offset_then_scale(x):
    offset = np.random.normal(size=3)
    scale = np.random.uniform(size=3)
    return np.sum(x * scale) + np.sum(offset)


def module_offset_then_scale(t):
    offset = random.gauss(0.0, 1.0)
    scale = random.random()
    return t * scale + offset


def _uniform_after_normal(seed):
    rng = np.random.default_rng(seed)
    rng.normal(size=3)
    return rng.uniform(size=3)


def test_a_draw_nothing_else_reads_still_advances_the_generator():
    expected = _uniform_after_normal(0)
    np.testing.assert_allclose(s2sgrad.grad(offset_then_scale)(X, np.random.default_rng(0)),
                               expected)
    np.testing.assert_allclose(
        s2sgrad.jvp(offset_then_scale)(X, np.random.default_rng(0), np.ones(3)),
        np.sum(expected))
    np.random.seed(3)
    np.random.normal(size=3)
    expected = np.random.uniform(size=3)
    np.random.seed(3)
    np.testing.assert_allclose(s2sgrad.grad(global_offset_then_scale)(X), expected)
    random.seed(5)
    random.gauss(0.0, 1.0)
    expected = random.random()
    random.seed(5)
    assert s2sgrad.grad(module_offset_then_scale)(0.3) == expected


def noisy(h):
    return np.sin(h * np.random.rand(3))


def noisy_loss(x):
    return np.sum(noisy(x))


def noisy_loss_with_a_write(x):
    y = np.zeros(3)
    y[0] = x[0] * 2.0  # (an array changed in place: calls are recomputed, joint motion)
    return np.sum(noisy(x)) + np.sum(y)


def test_a_call_that_draws_runs_once_in_split_motion():
    np.random.seed(0)
    u = np.random.rand(3)
    np.random.seed(0)
    np.testing.assert_allclose(s2sgrad.grad(noisy_loss)(X), u * np.cos(X * u))


@pytest.mark.parametrize('make', [
    lambda: s2sgrad.grad(noisy_loss, motion='joint'),
    lambda: s2sgrad.grad(noisy_loss_with_a_write),
    lambda: (lambda x: s2sgrad.hvp(noisy_loss)(x, np.ones(3))),
], ids=['joint', 'write-in-caller', 'hvp'])
def test_a_call_that_draws_is_not_recomputed(make):
    with pytest.raises(UnsupportedSyntaxError, match=r'draws random numbers \(`np\.random\.'
                                                     r'rand\(3\)` in `noisy`\)'):
        make()(X)


def normal(v):
    return v / np.sqrt(np.sum(v ** 2))  # (a unit vector: a function of yours, no draw)


def projected(x):
    return np.sum(normal(x) * np.arange(3.0))


def projected_with_a_write(x):
    y = x * 1.0
    y[0] = 2.0 * x[0]
    return projected(y)


def test_a_function_of_yours_named_like_a_draw_is_read_for_what_it_does():
    r = np.sqrt(np.sum(X ** 2))
    w = np.arange(3.0)
    expected = w / r - X * (X @ w) / r ** 3
    np.testing.assert_allclose(s2sgrad.grad(projected, motion='joint')(X), expected)
    np.testing.assert_allclose(s2sgrad.hvp(projected)(X, np.ones(3)),
                               s2sgrad.hessian(projected)(X) @ np.ones(3))
    y = X * np.array([2.0, 1.0, 1.0])
    r = np.sqrt(np.sum(y ** 2))
    np.testing.assert_allclose(s2sgrad.grad(projected_with_a_write)(X),
                               (w / r - y * (y @ w) / r ** 3) * np.array([2.0, 1.0, 1.0]))
