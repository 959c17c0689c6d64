"""Integers in compiled code: numba's wrap at 64 bits where Python's grow, so a product or a
power of integers that leaves 64 bits stops the compiled gradient with CompileError (or runs
the plain one, with `fallback=True`); below that they agree (`s2sgrad.numba_integers`)."""
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import CompileError, CompileFallbackWarning

pytest.importorskip('numba', reason='the compiled path needs numba')

X = np.array([0.5, -0.3])


def series(x, terms):
    s = 0.0
    for k in range(terms):
        s = s + x[0] / 2 ** k
    return s


def taylor_exp(x, terms):
    s = 0.0
    fact = 1
    for k in range(1, terms):
        fact = fact * k
        s = s + x[0] ** k / fact
    return s


def powers_of_seven(x, steps):
    n = 1
    for _ in range(steps):
        n *= 7
    return x[0] * (n % 1000) + x[1]


def helper_product(k):
    p = 1
    for j in range(1, k):
        p = p * j
    return p


def calls_a_helper(x, k):
    return np.sum(x) / helper_product(k)


def shifted_series(x, terms):
    s = 0.0
    for k in range(terms):
        s = s + x[0] / (1 << k)
    return s


def doubling(x, terms):
    s = 0.0
    m = 1
    for _ in range(terms):
        s = s + x[0] * x[1] / m
        m <<= 1
    return s


@pytest.mark.parametrize('f, small, large', [
    (series, 40, 70), (taylor_exp, 18, 25), (powers_of_seven, 20, 25),
    (calls_a_helper, 15, 25), (shifted_series, 40, 70), (doubling, 40, 70)])
def test_integers_beyond_64_bits_stop_the_compiled_gradient(f, small, large):
    compiled = s2sgrad.grad(f, compile='numba')
    plain = s2sgrad.grad(f)
    np.testing.assert_allclose(compiled(X, small), plain(X, small), rtol=1e-13)
    with pytest.raises(CompileError, match='beyond 64 bits'):
        compiled(X, large)


def test_fallback_runs_the_plain_gradient():
    compiled = s2sgrad.grad(powers_of_seven, compile='numba', fallback=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        got = compiled(X, 25)
    assert any(issubclass(w.category, CompileFallbackWarning) for w in caught)
    np.testing.assert_allclose(got, [7 ** 25 % 1000, 1.0])


def wide_right_shifts(x, first):
    s = 0.0
    for k in range(first, first + 10):
        s = s + np.sum(x) * ((1 << 62) >> k)
    return s


def most_negative(x, n):
    return np.sum(x) * (n << 63)


@pytest.mark.parametrize('f, args', [(wide_right_shifts, (60,)), (wide_right_shifts, (0,)),
                                     (most_negative, (-1,)), (most_negative, (0,))])
def test_shifts_give_pythons_integers(f, args):
    # (a right shift by 64 or more is 0 or -1; -1 << 63 fits in 64 bits)
    np.testing.assert_array_equal(s2sgrad.grad(f, compile='numba')(X, *args),
                                  s2sgrad.grad(f)(X, *args))
