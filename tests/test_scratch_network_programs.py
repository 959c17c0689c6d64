"""Programs written as course assignments and tutorials write neural networks from scratch in
NumPy (CS231n's naive layers, min-char-rnn, in-place normalisation), found refused or crashing
by a review: a local unit stride in window slices, dicts made together (``xs, hs, ys, ps = {},
{}, {}, {}``), an item read before its array is updated in place (``first = x[0]; x /=
first``), ``d.get(key, default)`` with a default of another shape. Checked against central
differences and hand-written closed forms."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads

RNG = np.random.default_rng(7)


def conv1d_unit_stride(x, w):
    stride = 1
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sum(x[i * stride:i * stride + 3] * w)
    return np.sum(out ** 2)


def max_pool_unit_stride(x):
    stride, size = 1, 2
    H = (x.shape[0] - size) // stride + 1
    out = np.zeros((H, H))
    for i in range(H):
        for j in range(H):
            out[i, j] = np.max(x[i * stride:i * stride + size, j * stride:j * stride + size])
    return np.sum(out ** 2)


def min_char_rnn(Wxh, Whh, Why, inputs, targets):
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.zeros(3)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.eye(4)[inputs[t]]
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1])
        ys[t] = Why @ hs[t]
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t]])
    return loss


def buffers_made_together(x):
    a, b = np.zeros(3), np.zeros(3)
    for i in range(3):
        a[i] = x[i] ** 2
        b[i] = a[i] * x[(i + 1) % 3]
    return np.sum(a) + np.sum(b ** 2)


def normalised_by_first(x):
    first = x[0]
    x /= first
    return np.sum(x ** 2) * first


def normalised_by_corner(X):
    m = X[0, 0]
    X -= m
    return np.sum(X ** 3) + m


def default_of_another_shape(x, opts):
    scale = opts.get('scale', x[0])
    shift = opts.get('shift', x[1])
    return np.sum(scale * x) + np.sum(shift)


CASES = [
    (conv1d_unit_stride, (RNG.standard_normal(6), RNG.standard_normal(3)), (0, 1)),
    (max_pool_unit_stride, (RNG.standard_normal((4, 4)),), 0),
    (min_char_rnn, (RNG.standard_normal((3, 4)), RNG.standard_normal((3, 3)) * 0.5,
                    RNG.standard_normal((4, 3)), [0, 2, 1, 3], [2, 1, 3, 0]), (0, 1, 2)),
    (buffers_made_together, (RNG.standard_normal(3),), 0),
    (normalised_by_first, (np.array([0.5, 1.0, 2.0]),), 0),
    (normalised_by_corner, (RNG.standard_normal((2, 3)),), 0),
    (default_of_another_shape, (RNG.standard_normal(3), {'scale': np.array([1.5, -0.5, 2.0])}),
     0),
]


@pytest.mark.parametrize('f, args, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_central_differences_both_modes(f, args, wrt):
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'))


@pytest.mark.parametrize('f, args, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_arguments_are_unchanged(f, args, wrt):
    kept = [a.copy() if hasattr(a, 'copy') else a for a in args]
    s2sgrad.grad(f, wrt=wrt)(*args)
    for before, after in zip(kept, args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(before, after)
        else:
            assert before == after or set(before) == set(after)


def test_normalised_by_first_closed_form():
    x = np.array([0.5, 1.0, 2.0])
    # f = sum((x / x0) ** 2) * x0 = sum(x ** 2) / x0
    want = 2 * x / x[0]
    want[0] -= np.sum(x ** 2) / x[0] ** 2
    np.testing.assert_allclose(s2sgrad.grad(normalised_by_first)(x.copy()), want, rtol=1e-12)


def test_conv_window_gradient_closed_form():
    x, w = RNG.standard_normal(6), RNG.standard_normal(3)
    want = np.zeros(6)
    for i in range(4):
        want[i:i + 3] += 2 * np.sum(x[i:i + 3] * w) * w
    np.testing.assert_allclose(s2sgrad.grad(conv1d_unit_stride)(x, w), want, rtol=1e-12)
