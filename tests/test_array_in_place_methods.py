"""``y.sort()`` and ``buf.fill(v)`` of an array the function makes (arithmetic, a NumPy
function's result, ``x.copy()``): the write into the array they make, ``y[...] = np.sort(y)``,
``buf[...] = v``, in both modes and to second order (they were refused). A list or an object
of yours keeps its own method where s2sgrad cannot tell it is an array, and a value that
turns out to be no array when the code runs is refused there, naming the line."""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient
from s2sgrad.errors import S2SError


def trimmed_mean(x):
    y = x * 1.0
    y.sort()
    return np.mean(y[1:-1]) * np.sum(y ** 2)


def sorted_columns(x):
    A = np.outer(x, np.sin(x))
    A.sort(axis=0, kind='stable')
    return np.sum(A[0] * A[-1])


def refilled_buffer(x):
    buf = np.empty(3)
    total = 0.0
    for i in range(3):
        buf.fill(x[i])
        buf[1] = buf[1] * x[0]
        total = total + np.sum(buf ** 2)
    return total


def sorted_copy(x):
    y = x.copy()
    y.sort()
    y += x[0]
    return y[0] * y[-1] + y[1]


X = np.array([0.5, -1.0, 2.0, 0.1])


@pytest.mark.parametrize('f', [trimmed_mean, sorted_columns, refilled_buffer, sorted_copy],
                         ids=lambda f: f.__name__)
def test_in_place_methods_of_arrays_the_function_makes(f):
    x = X.copy()
    want = central_gradient(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), want, rtol=1e-6, atol=1e-9)
    v = np.array([0.3, 0.2, -0.4, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), want @ v, rtol=1e-6, atol=1e-9)
    gradient = s2sgrad.grad(f)
    hess = np.array([central_gradient(lambda u: gradient(u)[i], x) for i in range(4)])
    np.testing.assert_allclose(s2sgrad.hessian(f)(x), hess, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(x, X)


def sort_the_argument(x):
    x.sort()
    return x[0] * x[-1]


def test_sorting_an_argument_in_place_is_still_refused():
    with pytest.raises(S2SError, match='x = np.sort'):
        s2sgrad.grad(sort_the_argument)(X.copy())


class Ranked:
    def __init__(self, order):
        self.order = order

    def sort(self):
        self.order = self.order[::-1]


def own_sort_of_objects(x, ranked, names):
    ranked.sort()  # (an object of yours: its own method, as before)
    names.sort()  # (a list an argument gives)
    return x[ranked.order[0]] * 2.0 + len(names[0])


def test_a_list_or_object_argument_keeps_its_own_sort():
    ranked, names = Ranked([0, 2]), ['b', 'aa']
    got = s2sgrad.grad(own_sort_of_objects)(X.copy(), ranked, names)
    np.testing.assert_allclose(got, [0.0, 0.0, 2.0, 0.0])
    assert ranked.order == [2, 0]


def halves_sorted(x):
    halves = np.split(x * 2.0, 2)  # (a NumPy function whose result is a list)
    halves.sort()
    return np.sum(halves[0])


def test_a_value_that_is_no_array_when_the_code_runs_is_refused_at_its_line():
    with pytest.raises(S2SError) as caught:
        s2sgrad.grad(halves_sorted)(X.copy())
    line = halves_sorted.__code__.co_firstlineno + 2
    assert f'line {line}' in str(caught.value) and 'list' in str(caught.value)
