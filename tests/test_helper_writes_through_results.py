"""Writes that reach an argument through what a helper returned or was given, as the
regression review of the copies-and-displays change wrote them: a list a helper appended an
argument to (``buf.append(v); return buf``), a list built by ``s += [x]``, one array returned
twice (``a = b = np.zeros(4)``), an item of a display written through a local name
(``a = ps[0]; a += 1.0``), a display made once before a loop and passed in it, and a tuple
of new arrays unpacked at each step of a loop. Each gives the right gradient or an
S2SError, never a wrong number or a changed argument. Checked against closed forms."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError

X = np.array([1.0, 2.0, 3.0])


def _append(buf, v):
    buf.append(v)
    return buf


def _doubles_the_appended(x):
    lst = _append([], x)
    lst[0] *= 2.0  # (in place on `x`)
    return np.sum(lst[0])


def appended_then_doubled(x):
    return _doubles_the_appended(x) * np.sum(x)  # 2 sum(x) * sum(x), x doubled in place


def _collect(x):
    s = []
    s += [x]
    return s


def collected_then_doubled(x):
    r = _collect(x)
    r[0] *= 2.0  # (in place on `x`: `x` is 2x from here)
    return np.sum(r[0] * x)


def _same_twice():
    a = b = np.zeros(3)
    return a, b


def one_array_twice(x):
    a, P = _same_twice()
    P[1] = x[0] * 3.0  # (changes `a` too)
    return np.sum(a * x) + np.sum(P ** 2)


def _first_plus_one(ps):
    a = ps[0]
    a += 1.0  # (in place on the caller's array)
    return a


def display_item_through_a_name(x):
    return np.sum(_first_plus_one([x]) * x)


def _scale_step(x, cfg):
    cfg['scale'] = cfg['scale'] * 2.0
    return x * cfg['scale']


def display_made_before_a_loop(x):
    d = {'scale': 1.5}
    y = x
    for _ in range(3):
        y = _scale_step(y, d)  # (2 * 1.5, then 4 * 1.5, then 8 * 1.5)
    return np.sum(y ** 2)


def _fill_by_tuple(buf, v):
    buf[0], buf[1] = v, 1.0
    return buf


def _doubles_the_tuple_filled(x):
    lst = _fill_by_tuple([None, None], x)
    lst[0] *= 2.0  # (in place on `x`)
    return np.sum(lst[0])


def filled_by_a_tuple_then_doubled(x):
    return _doubles_the_tuple_filled(x) * np.sum(x)


def _fill_by_repetition(buf, v):
    buf[:] = [v] * 1
    return buf


def _doubles_the_repeated(x):
    lst = _fill_by_repetition([None], x)
    lst[0] *= 2.0
    return np.sum(lst[0])


def filled_by_repetition_then_doubled(x):
    return _doubles_the_repeated(x) * np.sum(x)


def _collect_repeated(x):
    s = []
    s += [x] * 1
    return s


def collected_repeated_then_doubled(x):
    r = _collect_repeated(x)
    r[0] *= 2.0
    return np.sum(r[0] * x)


def _filled_by_a_call_returning_its_argument(buf, v):
    buf.append(np.asarray(v))
    buf.append(np.diff(v, 0))
    return buf


def _doubles_what_a_call_returned(x):
    lst = _filled_by_a_call_returning_its_argument([], x)
    lst[1] *= 2.0
    return np.sum(lst[1])


def filled_by_a_call_then_doubled(x):
    return _doubles_what_a_call_returned(x) * np.sum(x)


def _one_through_out():
    a = np.zeros(3)
    b = np.exp(a, out=a)
    return a, b


def one_array_through_out(x):
    a, P = _one_through_out()
    P[1] = x[0] * 3.0
    return np.sum(a * x) + np.sum(P ** 2)


def _init():
    return np.zeros(3), np.eye(3)


def state_unpacked_each_step(x):
    for i in range(2):
        a, P = _init()
        P = P * x[i]
        x = x + np.sum(P)
    return np.sum(x)


def state_unpacked_and_written(x):
    for i in range(2):
        a, P = _init()
        P[i, i] = x[i] ** 2
        x = x + np.sum(P)
    return np.sum(x)


@pytest.mark.parametrize('func', [appended_then_doubled, collected_then_doubled, one_array_twice,
                                  display_item_through_a_name, display_made_before_a_loop,
                                  state_unpacked_each_step, state_unpacked_and_written,
                                  filled_by_a_tuple_then_doubled,
                                  filled_by_repetition_then_doubled,
                                  collected_repeated_then_doubled, filled_by_a_call_then_doubled,
                                  one_array_through_out])
@pytest.mark.parametrize('motion', ['split', 'joint'])
def test_right_or_refused_never_wrong(func, motion):
    x = X.copy()
    expected = numerical_grad(lambda v: func(v.copy()), (X,), 0)
    try:
        g = s2sgrad.grad(func, motion=motion)(x)
    except S2SError:
        assert np.array_equal(x, X)
        return
    assert np.array_equal(x, X), 'the gradient changed its argument'
    assert np.allclose(g, expected, rtol=1e-5, atol=1e-8)


def test_the_loops_of_unpacked_state_are_differentiated():
    for func in (state_unpacked_each_step, state_unpacked_and_written):
        assert np.allclose(s2sgrad.grad(func)(X), numerical_grad(func, (X,), 0), rtol=1e-6)
