"""A function of yours that keeps a log or a count in a global list (``LOG.append(float(v))``)
called from the differentiated function: its call runs in split motion, so the log changes
once per call, as Python's does (it changed twice: the derivative ran the function again).
Where the derivative recomputes calls (joint motion: the caller writes into an array,
``motion='joint'``, second derivatives) the function runs again, as documented, and so does
its log; the derivatives are right either way."""
import numpy as np
import pytest

import s2sgrad

LOG = []
CALLS = []


def logged_square(v):
    LOG.append(float(v))
    return v * v


def noted_cube(v):
    CALLS.append(1)
    return v ** 3


def loop_of_logged_calls(x):
    s = 0.0
    for i in range(3):
        s = s + logged_square(x * i) + noted_cube(x + i)
    return s


def written_into_an_array(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = logged_square(x[i])
    return np.sum(out)


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_the_log_changes_once_per_call():
    LOG.clear()
    loop_of_logged_calls(0.5)
    want = list(LOG)
    for make in (s2sgrad.grad, s2sgrad.value_and_grad):
        LOG.clear()
        CALLS.clear()
        make(loop_of_logged_calls)(0.5)
        assert LOG == want and len(CALLS) == 3
    LOG.clear()
    s2sgrad.jvp(loop_of_logged_calls)(0.5, 1.0)
    assert LOG == want


def test_the_derivative_is_right():
    df = s2sgrad.grad(loop_of_logged_calls)
    assert df(0.5) == pytest.approx(_central(loop_of_logged_calls, 0.5), rel=1e-7)


def test_where_calls_are_recomputed_the_log_changes_again_and_derivatives_are_right():
    LOG.clear()
    written_into_an_array(np.array([0.5, 1.0, 2.0]))
    once = len(LOG)
    LOG.clear()
    g = s2sgrad.grad(written_into_an_array)(np.array([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(g, [1.0, 2.0, 4.0])
    assert len(LOG) == 2 * once  # (the forward sweep's call and the VJP's)
    joint = s2sgrad.grad(loop_of_logged_calls, motion='joint')
    assert joint(0.5) == pytest.approx(_central(loop_of_logged_calls, 0.5), rel=1e-7)


def logs_through_another(v):
    return logged_square(v) * 2.0


def nested_logger_under_a_write(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = logs_through_another(x[i])
    return np.sum(out)


ARRAYS = []


def logs_the_array(v):
    ARRAYS.append(v)  # (the array itself: later changes to it would show in the log)
    return np.sum(v ** 2)


def array_logged_then_scaled(x):
    y = x * 1.0
    s = logs_the_array(y)
    y *= 3.0
    return s + np.sum(y)


@pytest.mark.parametrize('f', [nested_logger_under_a_write, array_logged_then_scaled],
                         ids=lambda f: f.__name__)
def test_logs_recomputed_or_of_arrays_keep_derivatives_right(f):
    x = np.array([0.5, 1.0, 2.0])
    h = 1e-6
    want = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(s2sgrad.grad(f)(x), want, rtol=1e-6)


def extended_log(v):
    LOG.extend([float(v), 1.0])
    return v * 3.0


def loop_of_extended_logs(x):
    s = 0.0
    for i in range(2):
        s = s + extended_log(x * i)
    return s


def test_a_log_extended_by_numbers_changes_once():
    LOG.clear()
    loop_of_extended_logs(0.5)
    want = list(LOG)
    LOG.clear()
    assert s2sgrad.grad(loop_of_extended_logs)(0.5) == pytest.approx(3.0)
    assert LOG == want
