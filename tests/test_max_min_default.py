"""``max(items, default=d)`` and ``min(items, default=d)`` (with and without ``key=``):
the default's derivative where the items are empty, the picked item's where they are not."""
import numpy as np
import pytest

import s2sgrad


def largest_of_positive(x):
    vals = [x * 2.0, x ** 2, -x]
    return max((v for v in vals if v > 1.0), default=x ** 3)


def smallest_beyond(x):
    vals = [x * 2.0, x ** 2]
    return min([v for v in vals if v > 100.0], default=3.0 * x) + min(vals, default=0.0)


def keyed_with_default(x):
    pairs = [x * 2.0, -x ** 2, x + 1.0]
    return max(pairs, key=abs, default=x) * min(pairs[:0], key=abs, default=x * x)


def lambda_key_default(x):
    vals = [np.sin(x), np.cos(x)]
    return max(vals, key=lambda t: -t, default=0.0) + min(vals, default=None)


def array_items(w):
    rows = [w * 2.0, w ** 2]
    empty = rows[2:]
    return np.sum(max(rows, key=np.sum, default=w)) + \
        np.sum(max(empty, key=np.sum, default=w * 3.0))


SCALAR = [largest_of_positive, smallest_beyond, keyed_with_default, lambda_key_default]


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize('func', SCALAR, ids=lambda f: f.__name__)
@pytest.mark.parametrize('x', [0.3, 1.7, 3.0, -2.5])
def test_grad_matches_central_differences(func, x):
    df = s2sgrad.grad(func)
    assert df(x) == pytest.approx(_central(func, x), rel=1e-6, abs=1e-6)
    assert s2sgrad.jvp(func)(x, 1.0) == pytest.approx(df(x), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize('func', SCALAR, ids=lambda f: f.__name__)
@pytest.mark.parametrize('x', [0.3, 1.7, 3.0])
def test_second_derivative_matches_central_differences(func, x):
    df = s2sgrad.grad(func)
    assert s2sgrad.grad(df)(x) == pytest.approx(_central(df, x), rel=1e-5, abs=1e-5)


def test_the_default_is_used_where_python_uses_it():
    # below 1 no value passes: the default x ** 3 is returned (derivative 3 x ** 2)
    assert s2sgrad.grad(largest_of_positive)(0.5) == pytest.approx(0.75)
    # above: x ** 2 is the largest (derivative 2 x)
    assert s2sgrad.grad(largest_of_positive)(3.0) == pytest.approx(6.0)


def test_array_items_and_default():
    w = np.array([0.5, -1.2, 2.0])
    df = s2sgrad.grad(array_items)
    before = w.copy()
    got = df(w)
    want = np.array([_central(lambda t, i=i: array_items(w + t * np.eye(3)[i]), 0.0)
                     for i in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(w, before)


def test_printed_gradient_calls_a_readable_definition():
    source = s2sgrad.grad(largest_of_positive).source
    assert 'max_or' in source and 'default' in source


def number_picked_then_updated(x):
    m = max([x * 2.0, x ** 2], default=0.0)
    m += 1.0
    return m * x


def array_picked_then_updated(x):
    a = x[0:1] * 1.0
    b = x[1:2] * 1.0
    m = max([a, b], default=np.zeros(1))
    m += 1.0  # (changes `a` itself, the largest item)
    return np.sum(a ** 2) + np.sum(b ** 3)


def default_array_then_updated(x):
    y = x * 1.0
    m = max([], default=y)
    m += 1.0  # (changes `y` itself)
    return np.sum(y ** 2)


def test_a_picked_number_updated_in_place():
    assert s2sgrad.grad(number_picked_then_updated)(3.0) == pytest.approx(
        _central(number_picked_then_updated, 3.0), rel=1e-6)


@pytest.mark.parametrize('f', [array_picked_then_updated, default_array_then_updated],
                         ids=lambda f: f.__name__)
def test_a_picked_array_updated_in_place_is_loud(f):
    # (the result is an item or the default itself: the update shows through it)
    x = np.array([0.3, -1.2, 0.7])
    with pytest.raises(s2sgrad.errors.S2SError):
        s2sgrad.value_and_grad(f)(x)
