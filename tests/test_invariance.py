"""A shift the result does not depend on (the max subtracted before a softmax) gets no
derivative code; a shift it does depend on keeps it. Every gradient against central
differences, in reverse and forward mode."""
import numpy as np
import pytest

import invariance_functions as fns
import s2sgrad
from trees import central_grad

rng = np.random.default_rng(11)
X = rng.normal(size=(4, 3))

CANCELS = [
    (fns.xent, (rng.normal(size=(3, 5)), X, np.eye(5)[[0, 2, 4, 1]]), 0),
    (fns.logsumexp, (X,), 0),
    (fns.softmax_weights, (X, rng.normal(size=(4, 3))), 0),
    (fns.scalar_shift_rows, (X,), 0),
    (fns.softmax_in_loop, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(4, 3))), 0),
    (fns.mean_shift, (X,), 0),
    (fns.broadcast_last_axis, (X, rng.normal(size=(2, 4, 3))), 0),
]
DEPENDS = [
    (fns.squares_of_centred, (X,), 0),
    (fns.sum_of_shifted_exp, (X,), 0),
    (fns.other_axis, (X,), 0),
    (fns.shift_used_again, (X,), 0),
    (fns.exp_used_again, (X,), 0),
    (fns.without_keepdims, (X,), 0),
    (fns.scaled_shift, (X,), 0),
    (fns.mean_of_exp_not_sum, (X,), 0),
    (fns.broadcast_to_more_axes, (X, rng.normal(size=(2, 4, 3))), 0),
]
IDS = [f.__name__ for f, _, _ in CANCELS + DEPENDS]


@pytest.mark.parametrize('func, args, wrt', CANCELS + DEPENDS, ids=IDS)
def test_gradient_matches_central_differences(func, args, wrt):
    got = s2sgrad.grad(func, wrt=wrt)(*args)
    np.testing.assert_allclose(got, central_grad(func, list(args), wrt), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('func, args, wrt', CANCELS + DEPENDS, ids=IDS)
def test_forward_mode_matches_central_differences(func, args, wrt):
    v = rng.normal(size=np.shape(args[wrt]))
    tangent = s2sgrad.jvp(func, wrt=wrt)(*args, v)
    want = np.sum(central_grad(func, list(args), wrt) * v)
    np.testing.assert_allclose(tangent, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('func, args, wrt', CANCELS, ids=IDS[:len(CANCELS)])
def test_a_cancelled_shift_has_no_adjoint(func, args, wrt):
    source = s2sgrad.grad(func, wrt=wrt).source
    shift = 'unmean' if func is fns.mean_shift else 'unextremum'  # (its max of z has one)
    assert shift not in source, source


@pytest.mark.parametrize('func', [fns.squares_of_centred, fns.sum_of_shifted_exp,
                                  fns.other_axis, fns.shift_used_again, fns.exp_used_again])
def test_a_shift_that_matters_keeps_its_adjoint(func):
    assert 'unextremum' in s2sgrad.grad(func).source


def test_second_order_of_a_cancelled_shift():
    x = rng.normal(size=5)
    h = s2sgrad.hessian(fns.logsumexp)(x)
    p = np.exp(x - np.max(x))
    p /= p.sum()
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), rtol=1e-8, atol=1e-12)
