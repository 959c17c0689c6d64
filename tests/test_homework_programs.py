"""Neural-network homework code as students write it (cs231n, d2l, nnfs), composed of helpers.

A step function that returns ``(out, state, cache)`` whose cache the loop ignores (cs231n's
``lstm_forward``), a helper that writes into the result of ``np.maximum(0, ...)`` (the
vectorized SVM loss), a helper that adds to the result of another (``loss = data_loss(...);
loss += reg * np.sum(W * W)``) and a layer's configuration as a dict display
(``bn_param = {'mode': 'train', 'eps': 1e-5}``): each was refused or crashed when called from
the differentiated function, and each is checked against central differences here. So are
reports of the loss (``log.info``, ``HISTORY.append(float(loss))``), which were refused as
calls that might change their arguments.
"""
import logging

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError


def lstm_step(x, prev_h, prev_c, Wx, Wh):
    a = x @ Wx + prev_h @ Wh
    H = prev_h.shape[1]
    i = 1.0 / (1.0 + np.exp(-a[:, :H]))
    f = 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    g = np.tanh(a[:, 2 * H:])
    next_c = f * prev_c + i * g
    next_h = np.tanh(next_c)
    cache = (x, prev_h, prev_c, i, f, g, next_c)
    return next_h, next_c, cache


def lstm_loss(x, h0, Wx, Wh):
    h, c = h0, np.zeros_like(h0)
    total = 0.0
    for t in range(x.shape[1]):
        h, c, cache = lstm_step(x[:, t, :], h, c, Wx, Wh)
        total = total + np.sum(h ** 2)
    return total


def test_step_whose_cache_the_loop_ignores():
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 2))
    Wx, Wh = rng.normal(size=(4, 6)) * 0.5, rng.normal(size=(2, 6)) * 0.5
    check_grads(lstm_loss, (x, h0, Wx, Wh), wrt=(0, 1, 2, 3), modes=('rev', 'fwd'))


def svm_loss(scores, y):
    N = scores.shape[0]
    correct = scores[np.arange(N), y]
    margins = np.maximum(0, scores - correct[:, None] + 1.0)
    margins[np.arange(N), y] = 0.0
    return np.sum(margins) / N


def affine_svm(X, W, y):
    scores = X @ W
    return svm_loss(scores, y)


def softmax_data_loss(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def regularized(W, X, y, reg):
    loss = softmax_data_loss(X @ W, y)
    loss += reg * np.sum(W * W)
    return loss


def wrapped(W, X, y):
    return regularized(W, X, y, 0.1)


@pytest.mark.parametrize('f', [affine_svm, wrapped], ids=lambda f: f.__name__)
def test_helpers_that_write_into_their_own_results(f):
    rng = np.random.default_rng(1)
    X, W, y = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), np.array([0, 2, 1, 2, 0])
    args = (X, W, y) if f is affine_svm else (W, X, y)
    kept = [a.copy() for a in args]
    check_grads(f, args, wrt=(0, 1), modes=('rev', 'fwd'))
    for a, k in zip(args, kept):
        np.testing.assert_array_equal(a, k)


def batchnorm(x, gamma):
    bn_param = {'mode': 'train', 'eps': 1e-5}
    table = {0: 1.5, 1: -2.0}
    eps = bn_param.get('eps', 1e-8)
    xhat = (x - np.mean(x)) / np.sqrt(np.var(x) + eps)
    if bn_param['mode'] == 'train':
        xhat = xhat * table[0]
    return np.sum(gamma * xhat ** 3)


def test_configuration_dict_display():
    x, gamma = np.array([0.3, -1.2, 0.7]), np.array([1.0, 2.0, 0.5])
    check_grads(batchnorm, (x, gamma), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    assert "dict(mode='train', eps=1e-05)" in s2sgrad.grad(batchnorm).source


def dict_of_differentiated_values(x):
    d = {'a': x * 2.0}
    return np.sum(d['a'])


def dict_of_differentiated_values_passed_on(x):
    return np.sum(np.sin(_first_value({'a': x * 2.0})))


def _first_value(d):
    return d['a']


def test_dict_display_of_differentiated_values():
    # assigned to a name, it is filled key by key (d = dict(); d['a'] = x * 2.0): d/dx = 2
    np.testing.assert_allclose(s2sgrad.grad(dict_of_differentiated_values)(np.ones(2)),
                               [2.0, 2.0])
    source = s2sgrad.grad(dict_of_differentiated_values).source
    assert 'd = dict()' in source and "s2s.restore_item(d, 'a', d_old)" in source
    # passed on as it is made: filled under a name first, d/dx = 2 cos(2 x)
    x = np.array([0.3, -0.8])
    np.testing.assert_allclose(s2sgrad.grad(dict_of_differentiated_values_passed_on)(x),
                               2.0 * np.cos(2.0 * x))


LOG = logging.getLogger('s2sgrad.tests.homework')
HISTORY = []


def logged_loss(W, X):
    loss = np.sum(np.tanh(X @ W) ** 2)
    LOG.info('loss %.3f', loss)
    HISTORY.append(float(loss))
    return loss


def test_reports_of_the_loss_are_not_effects():
    rng = np.random.default_rng(2)
    W, X = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    HISTORY.clear()
    check_grads(logged_loss, (W, X), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    assert HISTORY and HISTORY[-1] == pytest.approx(logged_loss(W, X))


def history_read_back(x):
    HISTORY.append(np.sum(x ** 2))
    return HISTORY[-1] * 2.0


def history_of_an_array_written_afterwards(x):
    y = x * 2.0
    HISTORY.append(y)
    y[0] = 5.0
    return np.sum(y * x)


@pytest.mark.parametrize('f', [history_read_back, history_of_an_array_written_afterwards],
                         ids=lambda f: f.__name__)
def test_global_list_that_reaches_the_result_is_refused(f):
    with pytest.raises(UnsupportedSyntaxError, match='HISTORY.append'):
        s2sgrad.grad(f)(np.array([0.3, -1.2]))
