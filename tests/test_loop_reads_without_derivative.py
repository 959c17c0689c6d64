"""A value a loop computes and reads only without derivative, assigned again after the loop.

``s = X.sum(1)`` in a loop whose only use of `s` is a test (``if s.max() > 100: break``), an
index (``d.argmin(1)``) or a shape, and ``s = ...`` again after the loop: the adjoint of the
loop's `s` is zero in every pass. The backward loop used to carry it as the number 0.0 and
pass it to the rule of the statement that made `s` (``s2s.unreduce(0.0, X, 1)``, a matrix
product, a reshape, a split of a concatenation), which raised (AxisError, ValueError,
ZeroDivisionError, TypeError). Such an adjoint now stays dead in the loop.

Where the loop's last value is read after the loop instead (``w = A @ v`` in the loop,
``np.sum(w ** 2)`` after it), only the backward pass that meets the last definition has an
adjoint for it; the passes after it used to get the number 0.0 (the same errors, in any rule
but a reduction's). The adjoint is None there and the rule runs under ``if bw is not None:``;
where a statement defines it with another value whose adjoint is live (``h, y = cell(h)``),
None becomes zeros of the value; where the loop is inside another that adds to the adjoint
(``s = s + t ** 2`` after an inner loop that sets `t`), that statement first makes None 0.0.
Gradients are checked against central differences, forward
mode against the gradient, and the Hessian-vector product against differences of the gradient.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def early_stop_on_row_sums(X):
    for _ in range(2):
        s = X.sum(1)
        if s.max() > 100:
            break
        X = X * 1.1
    s = X.sum(1)
    return np.sum(s ** 2)


def _moved_towards_means(C, X, a):
    return 0.5 * C + 0.5 * np.array([X[a == k].mean(0) if np.any(a == k) else C[k]
                                     for k in range(len(C))])


def hard_kmeans(C, X):
    for _ in range(2):
        d = ((X[:, None] - C[None]) ** 2).sum(-1)
        a = d.argmin(1)
        C = _moved_towards_means(C, X, a)
    d = ((X[:, None] - C[None]) ** 2).sum(-1)
    return np.sum(d.min(1))


def perceptron_steps(W, X):
    for _ in range(2):
        logits = X @ W
        pred = logits.argmax(1)
        W = W + 0.1 * X.T @ np.eye(3)[pred]
    logits = X @ W
    return np.sum(np.tanh(logits) ** 2)


def joined_for_a_test(x):
    for _ in range(2):
        z = np.concatenate([x, x])
        if z.sum() > 100:
            break
        x = x * 1.5
    z = np.concatenate([x, x ** 2])
    return np.sum(z ** 2)


def stacked_for_a_shape(x):
    for _ in range(2):
        z = np.stack([x, x])
        rows = z.shape[0]
        x = np.sin(x) * rows
    z = np.stack([x, x ** 2])
    return np.sum(z ** 2)


def reshaped_for_a_test(x):
    for _ in range(3):
        grid = x.reshape(2, 2)
        if np.trace(grid) > 50:
            break
        x = x * 1.2
    grid = x.reshape(2, 2)
    return np.sum(grid @ grid)


def einsum_for_an_index(A, v):
    for _ in range(2):
        w = np.einsum('ij,j->i', A, v)
        k = int(np.argmax(w))
        A = A + 0.1 * np.outer(v, v) * (k + 1)
    w = np.einsum('ij,j->i', A, v)
    return np.sum(w ** 2)


def running_totals_for_a_test(x):
    for _ in range(2):
        c = np.cumsum(x)
        if c[-1] > 100:
            break
        x = np.exp(-x) + x
    c = np.cumsum(x)
    return np.sum(c ** 2)


def last_row_sums(X):
    k = 0
    while k < 3:
        s = X.sum(1)
        if s.max() > 100:
            break
        X, k = X * 1.1, k + 1
    return np.sum(s ** 2)  # (the loop's last `s`)


def kmeans_last_distances(C, X):
    for _ in range(2):
        d = np.sum((X[:, None] - C[None]) ** 2, axis=-1)
        C = _moved_towards_means(C, X, np.argmin(d, axis=1))
    return np.sum(d.min(1))  # (the loop's last `d`)


def last_joined(x):
    for _ in range(2):
        z = np.concatenate([x, x])
        if z.sum() > 100:
            break
        x = x * 1.5
    return np.sum(z ** 2)  # (the loop's last `z`, as in the cases below)


def last_matrix_product(A, v):
    for _ in range(2):
        w = A @ v
        k = int(np.argmax(w))
        A = A + 0.1 * np.outer(v, v) * (k + 1)
    return np.sum(w ** 2)


def last_grid(x):
    k = 0
    while k < 3:
        grid = np.reshape(x, (2, 2)).T
        if grid[0, 0] > 50:
            break
        x, k = np.tanh(x) + 0.5, k + 1
    return np.sum(grid @ grid.T)


def last_in_inner_loop(A, v):
    for _ in range(2):
        for _ in range(2):
            w = np.concatenate([A @ v, v])
            A = A * 1.1 + 0.01 * float(np.argmax(w))
    return np.sum(w ** 2)


def last_of_some_passes(A, v):
    for i in range(3):
        if i % 2 == 0:
            w = np.stack([A @ v, v])
        A = A * 1.1
    return np.sum(w ** 2)


def left_before_the_last_definition(A, v):
    for i in range(3):
        if i == 2:
            break
        w = np.stack([A @ v, v])
        A = np.sin(A)
    return np.sum(w ** 3)


def inner_value_read_by_the_next_outer_pass(A, v):
    y = 0.0
    for i in range(3):
        if i > 0:
            y = y + np.sum(w)  # noqa: F821 (the `w` of the pass before)
        for _ in range(2):
            w = np.concatenate([A @ v, v * 2])
            A = A * 1.05
    return y + np.sum(w ** 2)


def growing_window(x):
    for k in range(2, 4):
        z = np.concatenate([x[:k], x[:k]])
        x = x * 1.1
    return np.sum(z ** 2)


def _cell(h, W, x):
    z = W @ h + x
    return np.tanh(z), np.concatenate([z, h])


def last_output_of_a_cell(W, h, X):
    for t in range(3):
        h, y = _cell(h, W, X[t])
    return np.sum(h) + np.sum(y ** 2)


def inner_value_read_by_the_outer_loop(x):
    s = 0.0
    for i in range(2):
        for j in range(3):
            t = x[j] * (i + 1)
        s = s + t ** 2  # (the inner loop's last `t`, in each pass of the outer one)
    return s


def last_batch_loss_of_each_epoch(w, X, y):
    total = 0.0
    for epoch in range(2):
        for i in range(X.shape[0]):
            err = X[i] @ w - y[i]
            loss = err ** 2
        total = total + loss
    return total


def three_loops_deep(x):
    s = 0.0
    for a in range(2):
        for b in range(2):
            for c in range(2):
                t = np.concatenate([x * (a + b + c + 1), x])
            s = s + np.sum(t ** 2)
    return s


def read_in_some_outer_passes(x):
    s = 0.0
    for i in range(3):
        for j in range(2):
            t = np.stack([x * (i + j + 1), x ** 2])
        if i % 2 == 1:
            s = s + np.sum(t ** 2)
    return s + np.sum(t)


def inner_while_loop(x):
    s = 0.0
    for i in range(2):
        k = 0
        while k < 3:
            t = np.concatenate([x[:2] * (k + 1), x])
            k += 1
        s = s + np.sum(np.sin(t))
    return s


RNG = np.random.default_rng(3)
A3, V3 = 0.5 * RNG.standard_normal((3, 3)), RNG.standard_normal(3)
CASES = [
    (early_stop_on_row_sums, (np.ones((3, 2)) + 0.1 * RNG.standard_normal((3, 2)),)),
    (hard_kmeans, (RNG.standard_normal((2, 2)), RNG.standard_normal((8, 2)))),
    (perceptron_steps, (0.3 * RNG.standard_normal((2, 3)), RNG.standard_normal((4, 2)))),
    (joined_for_a_test, (np.array([0.1, 0.2]),)),
    (stacked_for_a_shape, (np.array([0.1, 0.2]),)),
    (reshaped_for_a_test, (np.array([0.3, -0.2, 0.5, 0.1]),)),
    (einsum_for_an_index, (RNG.standard_normal((3, 3)), RNG.standard_normal(3))),
    (running_totals_for_a_test, (np.array([0.3, -0.2, 0.5]),)),
    (last_row_sums, (np.ones((3, 2)) + 0.1 * RNG.standard_normal((3, 2)),)),
    (kmeans_last_distances, (RNG.standard_normal((2, 2)), RNG.standard_normal((8, 2)))),
    (last_joined, (np.array([0.1, 0.2]),)),
    (last_matrix_product, (A3, V3)),
    (last_grid, (np.array([0.3, -0.2, 0.5, 0.1]),)),
    (last_in_inner_loop, (A3, V3)),
    (last_of_some_passes, (A3, V3)),
    (left_before_the_last_definition, (A3, V3)),
    (inner_value_read_by_the_next_outer_pass, (A3, V3)),
    (growing_window, (np.array([0.1, 0.2, 0.3, 0.4]),)),
    (last_output_of_a_cell, (0.5 * RNG.standard_normal((4, 4)), RNG.standard_normal(4),
                             RNG.standard_normal((3, 4)))),
    (inner_value_read_by_the_outer_loop, (V3,)),
    (last_batch_loss_of_each_epoch, (np.array([0.1, -0.2]), np.array([[0.5, 1.0], [1.5, -0.3]]),
                                     np.array([1.0, 0.0]))),
    (three_loops_deep, (V3,)),
    (read_in_some_outer_passes, (V3,)),
    (inner_while_loop, (V3,)),
]


@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_gradient_forward_mode_and_hessian(f, args):
    expected = numerical_grad(f, args, 0)
    g = s2sgrad.grad(f)(*args)
    np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-7)
    v = np.linspace(0.5, 1.5, args[0].size).reshape(args[0].shape)
    np.testing.assert_allclose(s2sgrad.jvp(f)(*args, v), np.sum(g * v), rtol=1e-8)
    eps = 1e-5
    moved = [list(args), list(args)]
    moved[0][0], moved[1][0] = args[0] + eps * v, args[0] - eps * v
    differences = (s2sgrad.grad(f)(*moved[0]) - s2sgrad.grad(f)(*moved[1])) / (2 * eps)
    np.testing.assert_allclose(s2sgrad.hvp(f)(*args, v), differences, rtol=1e-4, atol=1e-6)


LAST_VALUES = [(f, args) for f, args in CASES if f.__name__.startswith(
    ('last_', 'left_', 'inner_', 'growing_', 'three_', 'read_in_'))]


@pytest.mark.parametrize('f, args', LAST_VALUES, ids=[f.__name__ for f, _ in LAST_VALUES])
def test_every_argument_and_the_compiled_path(f, args):
    """The gradient in each argument, and (where numba is installed) the compiled gradient,
    whose adjoint may not be None: there zeros of its shape stand for it."""
    given = [a.copy() for a in args]
    wrt = tuple(range(len(args)))
    gradients = s2sgrad.grad(f, wrt=wrt)(*args) if len(args) > 1 else \
        (s2sgrad.grad(f)(*args),)
    for i, g in enumerate(gradients):
        np.testing.assert_allclose(g, numerical_grad(f, args, i), rtol=1e-5, atol=1e-7)
    for a, b in zip(args, given):
        np.testing.assert_array_equal(a, b)
    pytest.importorskip('numba', reason='the compiled path needs numba')
    np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(*args),
                               numerical_grad(f, args, 0), rtol=1e-5, atol=1e-7)


def test_the_printed_code_runs_the_rule_once():
    """The rule of the last definition runs under ``if bw is not None:``, then sets None."""
    source = s2sgrad.grad(last_matrix_product).source
    assert '        if bw is not None:\n' \
           '            bA = bA + s2s.matmul_lhs(bw, A, v)\n' \
           '            bw = None\n' in source, source
    assert 'bw = 0.0' not in source
