"""Helpers that change their array argument in place (review Y): refused, never differentiated
as if they had made a new array (the gradient and the value were wrong)."""
import operator

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError

X = np.array([0.3, -1.2, 0.8])


def normalize(v):
    v /= np.linalg.norm(v)
    return v


def normalize_through_astype(p):
    q = p.astype(np.float64, copy=False)  # p itself, for a float64 p
    q /= q.sum()
    return q


def normalize_through_chain(p):
    a = b = p
    b /= b.sum()
    return a


def module_helper(x):
    y = x.copy()
    z = normalize(y)  # z is y, and y is normalized too
    return np.sum(z * y * np.arange(3.0))


def nested_helper(x):
    def normalize_inner(v):
        v /= np.linalg.norm(v)
        return v
    y = x.copy()
    z = normalize_inner(y)
    return np.sum(z * y * np.arange(3.0))


def nested_helper_scaling(x):
    def scale(v, c):
        v *= c
        return v
    y = np.exp(x)
    z = scale(y, 2.0)
    return np.sum(z + y)


def astype_helper(x):
    w = np.exp(x)
    q = normalize_through_astype(w)
    return np.sum(q * w * np.arange(3.0))


def chained_helper(x):
    w = np.exp(x)
    q = normalize_through_chain(w)
    return np.sum(q * w * np.arange(3.0))


@pytest.mark.parametrize('func', [module_helper, nested_helper, nested_helper_scaling,
                                  astype_helper, chained_helper])
def test_a_helper_writing_into_its_argument_is_refused(func):
    # (``v /= s`` gives a number a new value: the array argument is refused when it comes)
    message = r'passes an array or a list to `\w+`, which changes its parameter `\w+`'
    with pytest.raises(InPlaceError, match=message):
        s2sgrad.grad(func)(X)
    with pytest.raises(InPlaceError, match=message):
        s2sgrad.jvp(func)(X, np.ones(3))


def nested_helper_on_a_copy(x):
    def normalize_inner(v):
        v = v / np.linalg.norm(v)
        return v
    z = normalize_inner(x)
    return np.sum(z * z * np.arange(3.0))


def test_a_helper_making_a_new_array_is_differentiated():
    u = X / np.linalg.norm(X)
    r = np.arange(3.0)
    n = np.linalg.norm(X)
    want = (2 * u * r - u * np.sum(2 * u * u * r)) / n
    np.testing.assert_allclose(s2sgrad.grad(nested_helper_on_a_copy)(X), want, rtol=1e-10)


def filled_determinant(x):
    M = np.eye(3) + 0.1
    M[0, :] = x
    M[1, 1:] = x[:2] ** 2
    return np.linalg.det(M)


def test_second_derivative_of_det_of_a_filled_matrix():
    """The cofactor matrix of det's derivative was taken for a view of the matrix when the
    generated gradient was differentiated again (its restores of `M` refused)."""
    gradient = s2sgrad.grad(filled_determinant)
    h = 1e-6
    want = np.array([(gradient(X + h * e) - gradient(X - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(s2sgrad.hessian(filled_determinant)(X), want.T, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.hvp(filled_determinant)(X, np.ones(3)), want.sum(0),
                               atol=1e-6)


# From review B: changes to state the function reads, made by a helper or a method
SCALES = np.ones(3)


def bump_scales():
    SCALES[0] += 1.0
    return 0.0


def reads_then_bumps(x):
    t = np.sum(SCALES * x * x)
    bump_scales()
    return t


class Accumulator:
    def __init__(self):
        self.w = np.array([0.5, -2.0, 3.0])

    def bump(self):
        self.w += 1.0
        return 0.0


def reads_then_calls_a_method(x, acc):
    t = np.sum(acc.w * x * x)
    acc.bump()
    return t


def test_a_helper_changing_a_global_array_the_function_reads_is_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError,
                       match='changes in place the global `SCALES`'):
        s2sgrad.grad(reads_then_bumps)(X)
    np.testing.assert_array_equal(SCALES, np.ones(3))


def test_a_method_of_an_unknown_class_called_for_its_effect_is_refused():
    acc = Accumulator()
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='`acc.bump\\(\\)`'):
        s2sgrad.grad(reads_then_calls_a_method)(X, acc)
    np.testing.assert_array_equal(acc.w, [0.5, -2.0, 3.0])


def shuffled_after_read(x):
    w = np.array([0.5, -2.0, 3.0])
    t = np.sum(w * x * x)
    np.random.shuffle(w)
    return t + np.sum(w * x)


def set_by_operator_after_read(x):
    w = np.array([0.5, -2.0, 3.0])
    t = np.sum(w * x * x)
    operator.setitem(w, 0, 7.0)
    return t + np.sum(w * x)


def minibatch_shuffled_before_read(w, data):
    idx = np.arange(data.shape[0])
    np.random.default_rng(0).shuffle(idx)
    return np.sum((data[idx[:4]] @ w) ** 2)


def test_an_array_changed_in_place_after_the_derivative_read_it_is_refused():
    for func in (shuffled_after_read, set_by_operator_after_read):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='changes `w` in place'):
            s2sgrad.grad(func)(X)
    # shuffled before anything reads it: differentiated
    data = np.arange(18.0).reshape(6, 3) / 10
    w = np.array([0.3, -0.2, 0.5])
    expected = numerical_grad(lambda v: minibatch_shuffled_before_read(v, data), (w,), 0)
    np.testing.assert_allclose(s2sgrad.grad(minibatch_shuffled_before_read)(w, data), expected,
                               rtol=1e-6)


def fill_shared_default(x, buf=np.zeros(3)):
    buf[:] = x
    return [buf]


def two_fills_of_one_default(x):
    a = fill_shared_default(x)[0]
    fill_shared_default(x * 2)
    return np.sum(a * x)  # (Python: `a` is the shared array, filled with 2 x)


def fills_its_own(x):
    a = fill_shared_default(x, buf=np.zeros(3))[0]
    return np.sum(a * x)


def test_a_helper_writing_into_its_shared_default_is_refused():
    # (the gradient used the first fill: a silently wrong value and derivative)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='default argument `buf`'):
        s2sgrad.grad(two_fills_of_one_default)(np.array([0.3, -0.7, 1.1]))
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(s2sgrad.grad(fills_its_own)(x), 2 * x)
