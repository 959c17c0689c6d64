"""Set displays in differentiated functions: membership tests of constants (``mode in {'l1',
'l2'}``), sets of values that are not differentiated (``len({round(float(v), 1) for v in
x})``); a set made of differentiated values is refused, naming it."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError


def penalty(x, mode='l2'):
    if mode in {'l2', 'sq'}:
        return np.sum(x ** 2)
    elif mode not in {'l1'}:
        return np.sum(x ** 4)
    return np.sum(np.abs(x))


def distinct_levels(x):
    n = len({round(float(v), 1) for v in x})
    return np.sum(x) * n


def tagged(x, tags):
    seen = {t.lower() for t in tags}
    total = 0.0
    for k, name in enumerate(['a', 'b', 'c']):
        if name in seen:
            total = total + x[k] ** 2
    return total


def pairs(x):
    done = set()
    total = 0.0
    for i in range(len(x)):
        for j in range(len(x)):
            if (j, i) not in done and i != j:
                done.add((i, j))
                total = total + x[i] * x[j]
    return total


@pytest.mark.parametrize('f, args', [
    (penalty, (np.array([0.3, -0.7, 1.4]), 'sq')),
    (penalty, (np.array([0.3, -0.7, 1.4]), 'l4')),
    (penalty, (np.array([0.3, -0.7, 1.4]), 'l1')),
    (distinct_levels, (np.array([0.31, 0.72, 0.33]),)),
    (tagged, (np.array([0.5, 2.0, -1.0]), ['A', 'c'])),
    (pairs, (np.array([0.5, 2.0, -1.0]),)),
])
def test_sets_of_constants(f, args):
    g = s2sgrad.grad(f)(*args)
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-6, atol=1e-9)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(s2sgrad.jvp(f)(*args, v), g @ v, rtol=1e-6, atol=1e-9)


def set_of_values(x):
    return sum({x[0] * 2.0, x[1]})


def test_a_set_of_differentiated_values_is_refused():
    with pytest.raises(S2SError, match='set'):
        s2sgrad.grad(set_of_values)(np.array([0.5, 2.0]))


def test_a_membership_test_of_constants_prints_a_tuple():
    # (also inside a conditional expression, whose displays are rewritten after the test)
    def pick(x, mode='sq'):
        return np.sum(x ** 2) if mode in {'sq', 'l2'} else np.sum(x)
    source = s2sgrad.grad(penalty).source
    assert "mode in ('l2', 'sq')" in source and 'set(' not in source
    np.testing.assert_allclose(s2sgrad.grad(pick)(np.array([1.0, 2.0])), [2.0, 4.0])
