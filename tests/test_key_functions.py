"""``max``/``min``/``sorted`` with ``key=`` (a function, or a lambda that reads nothing of the
function): the derivative is that of the item the key picks, checked against central
differences; a key lambda reading a variable of the function is refused with the line."""
import textwrap

import gast
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


def test_a_key_lambda_reading_a_variable_bound_once():
    # (``losses`` is assigned once and never changed: the key orders the items alike in
    # both sweeps)
    check_grads(index_of_smallest_loss, (X,), modes=('rev', 'fwd'), order=2)


def key_of_the_largest_value(x):
    d = {'a': x[0], 'b': x[1] * 2.0, 'c': np.sin(x[2])}
    best = max(d, key=lambda k: d[k])
    return d[best] * 3.0


def scores_filled_before_the_key(x):
    scores = np.zeros(3)
    for i in range(3):
        scores[i] = (x[i] - 0.4) ** 2
    best = min(range(3), key=lambda i: scores[i])
    return x[best] ** 2


def test_a_key_lambda_reading_a_dict_or_array_filled_before_it():
    # (``d = {...}`` is filled item by item before the call: what the statements before the
    # key function change orders the items alike in both sweeps)
    check_grads(key_of_the_largest_value, (X,), modes=('rev', 'fwd'), order=2)
    check_grads(scores_filled_before_the_key, (X,), modes=('rev', 'fwd'), order=2)


def test_a_function_defined_before_the_key_changes_what_it_reads_when_called():
    # (the body of a function defined before the key's statement runs when it is called,
    # maybe after the key: its changes count; the fill before the key does not)
    from s2sgrad.key_lambdas import stable_names
    tree = gast.parse(textwrap.dedent("""
        def f(x):
            scores = x * 1.0
            scores[1] = 2.0
            def spoil():
                scores[0] = 5.0
            order = sorted(range(3), key=lambda i: scores[i])
            return order
        """)).body[0]
    assert 'scores' not in stable_names(tree, 3)
    del tree.body[2]
    assert 'scores' in stable_names(tree, 2)
    assert 'scores' not in stable_names(tree, 0)


def index_of_a_score_changed_afterwards(x):
    scores = x * 1.0
    order = sorted(range(3), key=lambda i: scores[i])
    scores[0] = 5.0
    return x[order[0]] * scores[1]


def index_in_a_loop(x):
    total = 0.0
    for t in range(3):
        losses = (x - 0.3 * t) ** 2
        total = total + x[min(range(3), key=lambda i: losses[i])] * (t + 1)
    return total


@pytest.mark.parametrize('func', [index_of_a_score_changed_afterwards, index_in_a_loop])
def test_a_key_lambda_reading_a_variable_that_changes_is_refused(func):
    with pytest.raises(UnsupportedSyntaxError, match='np.argmax') as info:
        s2sgrad.grad(func)(X)
    assert 'key=lambda i:' in str(info.value)


def nearest_with_the_same_name(x):
    n = len(x)
    i = min(range(n), key=lambda i: x[i])  # (the parameter is renamed apart from `i`)
    return x[i] * 2.0 + np.sum(x)


def best_weighted_pair(x):
    w = np.cos(x)
    pairs = [(x[0] * 2.0, w[0]), (x[1], w[1]), (x[2] ** 2, w[2])]
    score, weight = max(pairs, key=lambda p: p[0] * w[1])
    return score * 3.0 * weight


@pytest.mark.parametrize('func', [nearest_with_the_same_name, best_weighted_pair])
def test_key_lambdas_reading_the_functions_variables(func):
    check_grads(func, (np.array([0.5, -0.3, 1.2]),), modes=('rev', 'fwd'), order=2)


def ranked_pairs(a):
    b = a * 2.0
    pairs = sorted(zip(a, b), key=lambda p: p[0])
    return sum(p[0] * p[1] for p in pairs[:2])


def test_a_key_parameter_named_as_a_comprehension_variable():
    check_grads(ranked_pairs, (np.array([0.5, -0.3, 1.2]),), modes=('rev', 'fwd'), order=1)
