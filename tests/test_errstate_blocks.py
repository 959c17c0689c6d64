"""``with np.errstate(...):`` around part of a function (a log or a division where some
entries are masked out afterwards): the settings are saved, changed, and put back around the
block, as NumPy does; it was refused as a `with` statement."""
import numpy as np
import numpy
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def masked_log(x):
    with np.errstate(divide='ignore', invalid='ignore'):
        r = np.where(x > 0, np.log(np.abs(x)) * x, 0.0)
    return np.sum(r ** 2)


def in_a_loop(x):
    total = 0.0
    for i in range(3):
        with numpy.errstate(over='ignore'):
            total = total + np.sum(np.exp(x * i))
    return total


def nested(x):
    with np.errstate(all='ignore'):
        y = x / np.abs(x)
        with np.errstate(under='warn'):
            z = np.sin(y * x)
    return np.sum(z * x)


def differences(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


@pytest.mark.parametrize('f', [masked_log, in_a_loop, nested])
def test_differentiated_with_the_settings_put_back(f):
    x = np.array([0.5, -0.2, 1.3])
    before = np.geterr()
    g = s2sgrad.grad(f)(x)
    assert np.geterr() == before
    expected = differences(f, x)
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)
    v = np.array([1.0, -0.5, 0.25])
    assert np.isclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-6)
    grad = s2sgrad.grad(f)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, v),
                               (grad(x + 1e-5 * v) - grad(x - 1e-5 * v)) / 2e-5,
                               rtol=1e-5, atol=1e-7)
    assert np.geterr() == before


def raising(x):
    with np.errstate(over='raise'):
        y = np.exp(x * 1000.0)
    return np.sum(y)


def test_settings_that_raise_are_refused():
    # (the gradient computes the block's values where its optimizer puts them, perhaps after
    # the block: only settings that change warnings are followed)
    with pytest.raises(S2SError, match='with'):
        s2sgrad.grad(raising)(np.array([1.0, 2.0]))


def returns_inside(x):
    with np.errstate(divide='ignore'):
        return np.sum(np.log(x))


def test_a_block_left_early_is_still_refused():
    with pytest.raises(S2SError, match='with'):
        s2sgrad.grad(returns_inside)(np.array([1.0, 2.0]))
