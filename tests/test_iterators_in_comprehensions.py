"""Built-ins' iterators consumed whole: ``zip(..., strict=...)`` (a constant) reads as zip,
with strict lengths checked as Python checks them; ``map`` iterated by a comprehension (a
generator expression given to ``sum``) reads as the list of its values, as in a ``for`` loop;
one kept or passed on is refused with advice that applies (`iterator_calls`, `lambda_defs`)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError

A = [np.array([1.0, 2.0]), np.array([-0.5, 0.3]), np.array([0.7, 0.1])]
B = [np.array([0.2, 0.4]), np.array([0.7, -0.1]), np.array([-0.3, 0.9])]


def sq(t):
    return t * t


def strict_loop(a, b):
    s = 0.0
    for u, v in zip(a, b, strict=True):
        s = s + np.sum(u * np.sin(v))
    return s


def strict_generator(a, b):
    return sum(np.sum(u ** 2 * v) for u, v in zip(a, b, strict=True))


def strict_enumerated(a, b):
    s = 0.0
    for i, (u, v) in enumerate(zip(a, b, strict=True)):
        s = s + (i + 1) * np.sum(u * v ** 2)
    return s


def strict_list(a, b):
    pairs = list(zip(a, b, strict=True))
    return np.sum(pairs[0][0] * pairs[-1][1])


def not_strict(a, b):
    return sum(np.sum(u * v) for u, v in zip(a, b, strict=False))


def map_in_a_generator(a, b):
    return sum(np.sum(v) for v in map(sq, a))


def map_of_a_map(a, b):
    return sum(map(np.sum, map(sq, a)))


def map_of_a_lambda_in_max(a, b):
    return max(np.sum(v) for v in map(lambda t: t ** 3, a))


def numeric(f, a, b, eps=1e-6):
    out = []
    for i in range(len(a)):
        row = np.zeros_like(a[i])
        for j in range(a[i].size):
            plus = [x.copy() for x in a]
            minus = [x.copy() for x in a]
            plus[i][j] += eps
            minus[i][j] -= eps
            row[j] = (f(plus, b) - f(minus, b)) / (2 * eps)
        out.append(row)
    return out


@pytest.mark.parametrize('f', [strict_loop, strict_generator, strict_enumerated, strict_list,
                               not_strict, map_in_a_generator, map_of_a_map,
                               map_of_a_lambda_in_max], ids=lambda f: f.__name__)
def test_gradient_and_tangent_match_differences(f):
    expected = numeric(f, A, B)
    got = s2sgrad.grad(f)(A, B)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)
    tangent = [np.ones(2), np.full(2, -0.5), np.array([2.0, 0.0])]
    want = sum(np.sum(e * t) for e, t in zip(expected, tangent))
    assert np.isclose(s2sgrad.jvp(f)(A, B, tangent), want, rtol=1e-6)


@pytest.mark.parametrize('f', [strict_loop, strict_generator, strict_enumerated, strict_list],
                         ids=lambda f: f.__name__)
def test_strict_lengths_that_differ_raise_as_python_does(f):
    with pytest.raises(ValueError, match='zip\\(\\) argument 2 is shorter than argument 1'):
        f(A, B[:2])
    with pytest.raises(ValueError, match='zip\\(\\) argument 2 is shorter than argument 1'):
        s2sgrad.grad(f)(A, B[:2])


def strict_arrays(x, y):
    s = 0.0
    for u, v in zip(x, y, strict=True):
        s = s + u * v
    return s


def test_compiled_strict_zip():
    pytest.importorskip('numba', reason='the compiled path needs numba')
    x, y = np.array([0.3, 0.5, 0.7]), np.array([1.0, 2.0, 3.0])
    g = s2sgrad.grad(strict_arrays, compile='numba')
    np.testing.assert_allclose(g(x, y), y)
    with pytest.raises(ValueError, match='different lengths'):
        g(x, y[:2])


def map_zipped(a, b):
    return sum([np.sum(v * w) for v, w in zip(map(sq, a), b)])


def test_a_map_passed_on_says_to_write_the_list():
    with pytest.raises(NoRuleError, match='write that list instead') as info:
        s2sgrad.grad(map_zipped)(A, B)
    assert 'Register one' not in str(info.value)
