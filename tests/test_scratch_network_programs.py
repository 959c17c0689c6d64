"""Programs written as course assignments and tutorials write neural networks from scratch in
NumPy (CS231n's naive layers, min-char-rnn, in-place normalisation), found refused or crashing
by a review: a local unit stride in window slices, dicts made together (``xs, hs, ys, ps = {},
{}, {}, {}``), an item read before its array is updated in place (``first = x[0]; x /=
first``), ``d.get(key, default)`` with a default of another shape. Checked against central
differences and hand-written closed forms."""
import copy

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


def sgd_momentum_then_loss(w, dw, X, y, config):
    config.setdefault('learning_rate', 1e-2)
    config.setdefault('momentum', 0.9)
    v = config.get('velocity', np.zeros_like(w))
    v = config['momentum'] * v - config['learning_rate'] * dw
    next_w = w + v
    config['velocity'] = v
    return np.sum((X @ next_w - y) ** 2)


def rms_decay_kept(w, config):
    cache = config.setdefault('cache', np.ones_like(w))
    return np.sum(w ** 2 / np.sqrt(cache + 1e-8))


def one_hot_inputs_by_dot(W, inputs):
    xs = {}
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.eye(3)[inputs[t]]
        loss += np.sum(np.tanh(np.dot(W, xs[t])))
    return loss


def rows_read_by_a_call_then_overwritten(w):
    M = np.ones((3, 2)) + np.arange(6.0).reshape(3, 2)
    t = 0.0
    for i in range(3):
        t = t + np.dot(M[i], w) ** 2
        M[i] = 5.0
    return t


def sgd_step_on_unpacked_params(params, X, y, lr):
    W, b = params['W'], params['b']
    s = X @ W + b
    g = 2 * (s - y) / X.shape[0]
    W -= lr * X.T @ g
    b -= lr * g.sum(axis=0)
    return np.mean((X @ W + b - y) ** 2)


def sgd_step_on_a_list(ps, X, y, lr):
    W, b = ps
    W -= lr * W
    b -= lr * b
    return np.sum((X @ W + b - y) ** 2)


def step_then_read_through_the_dict(params, X, y, lr):
    W = params['W']
    W -= lr * X.T @ (X @ W - y)
    return np.sum(params['W'] ** 2)  # (the dict shows the update)


def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get('eps', 1e-5)
    momentum = bn_param.get('momentum', 0.9)
    running_mean = bn_param.get('running_mean', np.zeros(x.shape[1]))
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    bn_param['running_mean'] = momentum * running_mean + (1 - momentum) * mu
    return out


def batchnorm_loss_on_a_copy(x, gamma, beta, dout, bn_param):
    out = batchnorm_forward(x, gamma, beta, bn_param.copy())
    return np.sum(out * dout)


def center_in_place(v):
    v -= v.mean()
    return v


def centered_copy_cubed(x):
    y = center_in_place(x.copy())
    return np.sum(y ** 3)


CASES = [
    (conv1d_unit_stride, (RNG.standard_normal(6), RNG.standard_normal(3)), (0, 1)),
    (max_pool_unit_stride, (RNG.standard_normal((4, 4)),), 0),
    (min_char_rnn, (RNG.standard_normal((3, 4)), RNG.standard_normal((3, 3)) * 0.5,
                    RNG.standard_normal((4, 3)), [0, 2, 1, 3], [2, 1, 3, 0]), (0, 1, 2)),
    (buffers_made_together, (RNG.standard_normal(3),), 0),
    (normalised_by_first, (np.array([0.5, 1.0, 2.0]),), 0),
    (normalised_by_corner, (RNG.standard_normal((2, 3)),), 0),
    (sgd_momentum_then_loss, (RNG.standard_normal(3), RNG.standard_normal(3),
                              RNG.standard_normal((5, 3)), RNG.standard_normal(5), {}), (0, 1)),
    (sgd_momentum_then_loss, (RNG.standard_normal(3), RNG.standard_normal(3),
                              RNG.standard_normal((5, 3)), RNG.standard_normal(5),
                              {'learning_rate': 0.1, 'velocity': RNG.standard_normal(3)}),
     (0, 1)),
    (rms_decay_kept, (RNG.standard_normal(3), {'cache': np.array([0.5, 2.0, 1.0])}), 0),
    (rms_decay_kept, (RNG.standard_normal(3), {}), 0),
    (one_hot_inputs_by_dot, (RNG.standard_normal((3, 3)), [0, 2, 1]), 0),
    (rows_read_by_a_call_then_overwritten, (np.array([0.3, -0.5]),), 0),
    (sgd_step_on_unpacked_params, ({'W': RNG.standard_normal((3, 2)),
                                    'b': RNG.standard_normal(2)}, RNG.standard_normal((4, 3)),
                                   RNG.standard_normal((4, 2)), 0.1), 0),
    (sgd_step_on_a_list, ([RNG.standard_normal((3, 2)), RNG.standard_normal(2)],
                          RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)), 0.1), 0),
    (batchnorm_loss_on_a_copy, (RNG.standard_normal((5, 3)), RNG.standard_normal(3),
                                RNG.standard_normal(3), RNG.standard_normal((5, 3)),
                                {'mode': 'train'}), (0, 1, 2)),
    (centered_copy_cubed, (RNG.standard_normal(4),), 0),
    (default_of_another_shape, (RNG.standard_normal(3), {'scale': np.array([1.5, -0.5, 2.0])}),
     0),
]


@pytest.mark.parametrize('f, args, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_central_differences_both_modes(f, args, wrt):
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'))


@pytest.mark.parametrize('f, args, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_arguments_are_unchanged(f, args, wrt):
    kept = copy.deepcopy(args)
    s2sgrad.grad(f, wrt=wrt)(*args)
    for before, after in zip(kept, args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(before, after)
        elif isinstance(before, dict):
            assert list(before) == list(after)
            for key in before:
                np.testing.assert_array_equal(before[key], after[key])
        elif isinstance(before, list) and before and isinstance(before[0], np.ndarray):
            assert len(before) == len(after)
            for u, v in zip(before, after):
                np.testing.assert_array_equal(u, v)
        else:
            assert before == after


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


def test_an_update_read_back_through_the_dict_is_refused():
    params = {'W': RNG.standard_normal((3, 2))}
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='params'):
        s2sgrad.grad(step_then_read_through_the_dict)(
            params, RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)), 0.1)


def test_a_helper_writing_into_an_argument_of_the_caller_stays_refused():
    def loss(x, gamma, beta, dout, bn_param):
        return np.sum(batchnorm_forward(x, gamma, beta, bn_param) * dout)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='bn_param'):
        s2sgrad.grad(loss)(RNG.standard_normal((5, 3)), np.ones(3), np.zeros(3),
                           np.ones((5, 3)), {'mode': 'train'})


class _Doubling(dict):
    def setdefault(self, key, value):
        return dict.setdefault(self, key, value * 2.0)


class _Registry:
    def __init__(self):
        self.items = {}

    def setdefault(self, key, value):
        return self.items.setdefault(key, value)


def setdefault_then_read(w, config):
    config.setdefault('lr', w * 0.5)
    return np.sum(config['lr'] * w)


@pytest.mark.parametrize('config', [_Doubling(), _Registry()], ids=['override', 'not_a_dict'])
def test_setdefault_of_another_object_is_loud(config):
    # (the rewrite is a dict's ``if key not in d: d[key] = v``; another class's method may do
    # anything: refused at run time, naming it)
    with pytest.raises(s2sgrad.errors.NoRuleError, match='setdefault'):
        s2sgrad.grad(setdefault_then_read)(np.ones(2), config)
