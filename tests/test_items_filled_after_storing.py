"""An item of a list or dict given a value and then written into (Karpathy's min-char-rnn,
verbatim: ``xs[t] = np.zeros((V, 1))`` then ``xs[t][inputs[t]] = 1``) is differentiated as
the value filled under a name first; where a write reads the container, or the container
may be an array, the code is left as written (refused or differentiated as before, never
changed in meaning). Gradients are checked against central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

from trees import central_grad

V, H = 5, 4


def lossFun(Wxh, Whh, Why, bh, by, inputs, targets, hprev):
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((V, 1))  # encode in 1-of-k representation
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    return loss


def _min_char_rnn_args():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((H, V)) * 0.3, rng.standard_normal((H, H)) * 0.3,
            rng.standard_normal((V, H)) * 0.3, rng.standard_normal((H, 1)) * 0.1,
            rng.standard_normal((V, 1)) * 0.1, [0, 1, 2, 2, 4], [1, 2, 2, 4, 0],
            rng.standard_normal((H, 1))]


def test_min_char_rnn_gradients():
    args = _min_char_rnn_args()
    wrt = (0, 1, 2, 3, 4, 7)
    grads = s2sgrad.grad(lossFun, wrt=wrt)(*args)
    for got, index in zip(grads, wrt):
        np.testing.assert_allclose(got, central_grad(lossFun, args, index), rtol=1e-6,
                                   atol=1e-9)


def test_min_char_rnn_tangent_and_hessian_vector_product():
    args = _min_char_rnn_args()
    v = np.random.default_rng(1).standard_normal((H, V))
    grad = s2sgrad.grad(lossFun, wrt=0)
    np.testing.assert_allclose(s2sgrad.jvp(lossFun, wrt=0)(*args, v),
                               np.sum(grad(*args) * v), rtol=1e-9)
    h = 1e-6
    plus, minus = list(args), list(args)
    plus[0], minus[0] = args[0] + h * v, args[0] - h * v
    np.testing.assert_allclose(s2sgrad.hvp(lossFun, wrt=0)(*args, v),
                               (grad(*plus) - grad(*minus)) / (2 * h), rtol=1e-5, atol=1e-8)


def one_hots_each_epoch(W, x):
    total = 0.0
    for epoch in range(2):
        xs = {}  # (a new dict each epoch, in the loop)
        for t in range(3):
            xs[t] = np.zeros((V, 1))
            xs[t][t + 1] = 1
            total = total + np.sum(np.tanh(W @ xs[t] * x[t])) * (epoch + 1)
    return total


def test_one_hots_of_a_dict_made_in_a_loop():
    W, x = np.random.default_rng(2).standard_normal((H, V)), np.array([0.5, 1.5, -1.0])
    np.testing.assert_allclose(s2sgrad.grad(one_hots_each_epoch)(W, x),
                               central_grad(one_hots_each_epoch, [W, x], 0), rtol=1e-6,
                               atol=1e-9)


def rows_of_a_list(x):
    rows = [None] * 3
    for t in range(3):
        rows[t] = np.ones(2)
        rows[t][1] = 2.0
        rows[t][0] += x[t]
    return np.sum(np.stack(rows) ** 2)


def rows_of_an_array(x):
    A = np.zeros((3, 2, 2))
    for t in range(3):
        A[t] = np.zeros(2)  # (broadcast into the row: the writes below change one line)
        A[t][0] = x[t]
    return np.sum(A * x[0])


@pytest.mark.parametrize('func', [rows_of_a_list, rows_of_an_array])
def test_items_written_after_being_stored(func):
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(func)(x), central_grad(func, [x], 0), rtol=1e-6)


def reads_the_container(x, k):
    xs = {}
    xs[-1] = np.zeros(3)
    for t in range(3):
        xs[t] = np.zeros(3)
        xs[t][0] = xs[t - 1][0] + k
    return np.sum(xs[2] * x)


def test_a_write_that_reads_the_container_stays_refused():
    with pytest.raises(UnsupportedSyntaxError, match='share memory with `xs`'):
        s2sgrad.grad(reads_the_container, wrt=1)(np.array([1.0, 2.0, 3.0]), 0.7)


def row_of_an_array_times_a_list(x):
    A = np.ones((3, 4)) * [1.0, 2.0, 3.0, 4.0]  # (an array: NumPy's product with the list)
    A[0] = np.zeros(1)
    A[0][0] = x[0]
    return np.sum(A * x)


def test_a_write_into_a_row_of_an_array_made_with_a_list_is_right_or_refused():
    x = np.array([0.3, -0.5, 0.8, 1.1])
    try:
        got = s2sgrad.grad(row_of_an_array_times_a_list)(x)
    except UnsupportedSyntaxError as error:
        assert 'share memory with `A`' in str(error)
    else:
        np.testing.assert_allclose(got, central_grad(row_of_an_array_times_a_list, [x], 0),
                                   rtol=1e-6)
