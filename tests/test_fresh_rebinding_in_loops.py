"""An array rebound in a loop to a NumPy function's new array and then written by index
(``buf = np.roll(buf, 1); buf[0] = x[t]``: a delay line, a sliding window) is differentiated:
the new array is not an alias of the old one. It was refused as "the alias `buf =
roll_buf`", a name the user never wrote. Views (``buf[::-1]``, ``np.flip``) stay followed as
views. Checked against central differences and closed forms."""
import numpy as np
import pytest

import s2sgrad

X = np.array([0.3, -0.4, 0.7, 1.1])


def delay_line(x):
    buf = np.zeros(3)
    s = 0.0
    for t in range(3):
        buf = np.roll(buf, 1)
        buf[0] = x[t]
        s = s + np.sum(buf ** 2) * (t + 1)
    return s


def fir_filter(x):
    taps = np.array([0.5, -0.25, 0.125])
    window = np.zeros(3)
    out = 0.0
    for t in range(4):
        window = np.roll(window, -1)
        window[-1] = x[t]
        out = out + np.dot(taps, window) ** 2
    return out


def sorted_then_written(x):
    v = x * 1.0
    for _ in range(2):
        v = np.sort(v)
        v[0] = v[0] * v[-1]
    return np.sum(v ** 2)


def cumulative_then_written(x):
    acc = x * 1.0
    for k in range(2):
        acc = np.cumsum(acc)
        acc[k] = np.sin(acc[k])
    return np.sum(acc * x)


def tiled_then_written(x):
    row = x[:2]
    for i in range(2):
        row = np.tile(row, 2)
        row[i] = row[i] * x[3]
    return np.sum(row ** 2)


def flipped_view_then_written(x):
    buf = x * 2.0
    for t in range(2):
        buf = np.flip(buf)
        buf[0] = buf[0] * x[t]
    return np.sum(buf ** 3)


FUNCTIONS = [delay_line, fir_filter, sorted_then_written, cumulative_then_written,
             tiled_then_written]


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_and_tangent(f):
    x = X.copy()
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(x), expected, rtol=1e-6, atol=1e-8)
    v = np.array([0.5, 1.0, -1.5, 0.25])
    assert np.allclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-6, atol=1e-8)
    assert np.array_equal(x, X)


def test_delay_line_closed_form():
    # x[t] sits in the buffer at steps t..2, each weighted by the step's (k + 1)
    expected = 2 * X[:3] * np.array([6.0, 5.0, 3.0])
    assert np.allclose(s2sgrad.grad(delay_line)(X)[:3], expected)
    assert s2sgrad.grad(delay_line)(X)[3] == 0.0


def test_a_view_rebound_and_written_is_right_or_refused():
    """``np.flip`` returns a view: the write may reach the array the loop's last run held;
    it is refused as an alias (or, where followed, right)."""
    try:
        g = s2sgrad.grad(flipped_view_then_written)(X)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert 'alias' in str(error) and 'flip' in str(error)
    else:
        assert np.allclose(g, numeric_grad(flipped_view_then_written, X), rtol=1e-6)


@pytest.mark.parametrize('f', [delay_line, fir_filter], ids=lambda f: f.__name__)
def test_second_order_is_right_or_refused(f):
    """The gradient writes back into arrays it takes off its stack, which the analysis of
    the gradient cannot tell apart (README): refused, pointing into the gradient."""
    try:
        h = s2sgrad.hessian(f)(X)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert '_stack' in str(error)
    else:
        expected = np.array([numeric_grad(lambda v: s2sgrad.grad(f)(v)[i], X)
                             for i in range(4)])
        assert np.allclose(h, expected, rtol=1e-5, atol=1e-6)


def positional_out(x):
    out = np.zeros(())
    a = np.sum(x * x, None, None, out)
    b = a
    b[...] = 3.0 * b
    return float(out) + x[0]


def ufunc_positional_out(x):
    out = np.zeros(3)
    a = np.multiply(x, x, out)
    a[0] = 0.0
    return np.sum(out * x)


@pytest.mark.parametrize('f', [positional_out, ufunc_positional_out], ids=lambda f: f.__name__)
def test_an_out_argument_given_by_position_is_not_new_memory(f):
    """``np.sum(x, None, None, out)`` returns `out` itself: a write through the result reaches
    it (refused as a write through an alias, or right; it was taken for new memory)."""
    x = X[:3].copy()
    try:
        value, g = s2sgrad.value_and_grad(f)(x)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert 'share memory with `out`' in str(error)
        return
    assert np.isclose(value, f(X[:3].copy()))
    assert np.allclose(g, numeric_grad(f, X[:3]), rtol=1e-6)
