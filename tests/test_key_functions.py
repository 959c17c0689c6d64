"""``max``/``min``/``sorted`` with ``key=`` (a function, or a lambda that reads nothing of the
function): the derivative is that of the item the key picks, checked against central
differences; a key lambda reading a variable of the function is refused with the line."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError

X = np.array([0.3, -0.7, 1.1])
A = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.4, 0.9, 0.6]])


def smallest_in_magnitude(x):
    return min([x[0], x[1] * 2, x[2] - 1], key=abs) * 3.0


def best_pair(x):
    pairs = [(x[0], 1.0), (x[1], 3.0), (x[2], 2.0)]
    score, _ = max(pairs, key=lambda p: p[1])
    return score * np.exp(score)


def closest_to_half(x):
    candidates = [x[0] ** 2, np.sin(x[1]), x[2]]
    return max(candidates, key=lambda v: -abs(v - 0.5)) ** 2


def row_with_smallest_head(a):
    rows = [a[0] * 1.0, a[1] * 2.0, a[2][::-1]]
    return np.sum(min(rows, key=lambda r: r[0]) ** 2)


def row_of_largest_sum(a):
    return np.sum(np.tanh(max(a, key=np.sum)))  # (the rows of the array)


def two_arguments(x):
    return max(x[0] * 2.0, x[1] ** 3, key=abs) + min(x[1], x[2], key=lambda v: v * v)


def ordered_by_magnitude(x):
    ordered = sorted([x[0], x[1], x[2] * 0.5], key=lambda v: abs(v))
    return ordered[0] * 3.0 + ordered[2] ** 2


def _by_last(v):
    return v[-1]


def helper_with_a_key(a):
    return np.sum(max([a[0], a[1] * 3.0], key=_by_last) ** 2)


def tie_goes_to_the_first(x):
    # |x0| == |-x0|: max returns the first of equal keys, as Python does
    return max([x[0], -x[0], x[1]], key=abs) * 2.0


CASES = [(smallest_in_magnitude, X), (best_pair, X), (closest_to_half, X),
         (row_with_smallest_head, A), (row_of_largest_sum, A), (two_arguments, X),
         (ordered_by_magnitude, X), (helper_with_a_key, A),
         (tie_goes_to_the_first, np.array([1.2, 0.3, -0.5]))]


@pytest.mark.parametrize('func, x', CASES, ids=[f.__name__ for f, _ in CASES])
def test_derivative_of_the_item_the_key_picks(func, x):
    check_grads(func, (x,), modes=('rev', 'fwd'), order=2)


def test_a_tie_gives_the_derivative_to_the_first_item():
    np.testing.assert_allclose(s2sgrad.grad(tie_goes_to_the_first)(np.array([1.2, 0.3, -0.5])),
                               [2.0, 0.0, 0.0])


def index_of_smallest_loss(x):
    losses = (x - 0.2) ** 2
    best = min(range(3), key=lambda i: losses[i])  # (reads `losses`, a variable of the function)
    return x[best] * 2.0


def test_a_key_lambda_reading_a_variable_of_the_function_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='np.argmax') as info:
        s2sgrad.grad(index_of_smallest_loss)(X)
    assert 'key=lambda i: losses[i]' in str(info.value)
