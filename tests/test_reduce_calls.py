"""``functools.reduce`` over differentiated values, read as the loop it runs: with a function of
the user's, ``operator``'s or NumPy's, a lambda, an initial value, nested in an expression,
in a loop, and reducing arrays. Checked against central differences and closed forms,
forward against reverse, and at second order."""
import operator
from functools import reduce

import numpy as np
import pytest

import s2sgrad

X = np.array([0.3, -0.4, 0.7])


def mul(a, b):
    return a * b


def user_function(x):
    return reduce(mul, x)


def operator_functions(x):
    return reduce(operator.add, [x[0] ** 2, x[1], x[2] * 3.0]) * reduce(operator.mul, x, 2.0)


def a_lambda(x):
    w = 0.5
    return reduce(lambda acc, v: acc * w + v ** 2, x, 1.0)


def nested_in_an_expression(x):
    return np.sum(np.sin(reduce(np.maximum, [x, x ** 2, -x]))) + 2.0 * reduce(mul, x[:2])


def arrays_reduced(x):
    mats = [np.outer(x, x) + np.eye(3), np.diag(x), np.eye(3) * x[0]]
    return np.sum(reduce(np.matmul, mats))


def in_a_loop(x):
    total = 0.0
    for i in range(1, 4):
        total = total + reduce(mul, x[:i]) * i
    return total


def reduce_of_a_reduce(x):
    return reduce(operator.add, [reduce(mul, x), reduce(operator.add, x), x[0]])


def over_a_map(x):
    return reduce(lambda a, b: a + b, map(np.sin, [x[0], 2.0 * x[1], x[2] ** 2])) * \
        reduce(operator.mul, map(abs, x))


FUNCTIONS = [user_function, operator_functions, a_lambda, nested_in_an_expression,
             arrays_reduced, in_a_loop, reduce_of_a_reduce, over_a_map]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_reduce(f):
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    v = np.array([1.0, 0.5, -2.0])
    assert np.allclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6, atol=1e-8)


def test_product_closed_form():
    assert np.allclose(s2sgrad.grad(user_function)(X),
                       [X[1] * X[2], X[0] * X[2], X[0] * X[1]])


@pytest.mark.parametrize('f', [user_function, a_lambda], ids=lambda f: f.__name__)
def test_second_order(f):
    expected = np.array([numeric_grad(lambda v: s2sgrad.grad(f)(v)[i], X) for i in range(3)])
    assert np.allclose(s2sgrad.hessian(f)(X), expected, rtol=1e-5, atol=1e-6)


def test_printed_as_a_loop():
    source = s2sgrad.grad(a_lambda).source
    code = [line.strip() for line in source.splitlines() if not line.strip().startswith('#')]
    assert 'reduce(' not in ' '.join(code) and 'lambda acc' not in ' '.join(code)
    assert 'acc_2 = acc_2_times_w + item ** 2' in code


def a_reduce_in_a_branch_of_a_conditional(x):
    return reduce(mul, x) if x[0] > 0 else x[1]


def test_a_reduce_not_computed_once_is_refused():
    with pytest.raises(s2sgrad.errors.S2SError, match='reduce|lambda'):
        s2sgrad.grad(a_reduce_in_a_branch_of_a_conditional)(X)


def a_reduce_after_a_pop(x):
    xs = [x[0], x[1], x[2]]
    return xs.pop() * reduce(mul, xs)


def test_a_reduce_after_a_call_that_changes_its_items_is_right_or_refused():
    """``xs.pop() * reduce(mul, xs)``: Python pops first; moving the reduce before the
    statement would multiply three items."""
    try:
        g = s2sgrad.grad(a_reduce_after_a_pop)(X)
    except s2sgrad.errors.S2SError:
        return
    assert np.allclose(g, [X[1] * X[2], X[0] * X[2], X[0] * X[1]])
