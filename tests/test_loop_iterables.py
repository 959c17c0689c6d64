"""Loops over the iterables users write: ``enumerate(xs, start)``, ``enumerate(zip(a, b))``,
``reversed(xs)`` of a list or an array (each becomes an index loop over the sequence). Checked
against central differences, forward against reverse mode, second order."""
import numpy as np
import pytest

from s2sgrad.checks import check_grads


def counted_from_one(xs):
    total = 0.0
    for i, x in enumerate(xs, 1):
        total = total + i * np.sin(x)
    return total


def counted_by_keyword(xs):
    total = 0.0
    for k, x in enumerate(xs, start=len(xs) - 1):
        total = total * 0.5 + k * x ** 2
    return total


def reversed_array(xs):
    h = 1.0
    for x in reversed(xs):
        h = np.tanh(h * x + 0.1)
    return h


def reversed_list(x):
    rows = [x[0] * 2.0, x[1] ** 2, x[2]]
    acc = 0.0
    for r in reversed(rows):
        acc = acc * 0.7 + np.sin(r)
    return acc


def enumerated_pairs(x):
    acc = 0.0
    for i, (a, b) in enumerate(zip(x[:2], x[1:])):
        acc = acc + (i + 1) * a * b
    return acc


def rows_counted(X):
    acc = 0.0
    for j, row in enumerate(X, 2):
        acc = acc + j * np.sum(row ** 2)
    return acc


@pytest.mark.parametrize('f', [counted_from_one, counted_by_keyword, reversed_array,
                               reversed_list, enumerated_pairs], ids=lambda f: f.__name__)
def test_loop_over_vector(f):
    check_grads(f, [np.array([0.5, -1.3, 2.0])], modes=('rev', 'fwd'), order=2)


def test_rows_counted_from_two():
    check_grads(rows_counted, [np.arange(6.0).reshape(3, 2) * 0.2], modes=('rev', 'fwd'),
                order=2)
