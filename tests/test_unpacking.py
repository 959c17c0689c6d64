"""Tuple assignment with arrays, tuples, lists, subscripts and attributes on either side,
checked against central differences in reverse mode (optimized and raw), forward mode and at
second order; gradients of unpacked arrays keep the array's shape and dtype. Also lists built
in a loop and then unpacked (their adjoint is a list the backward sweep pops from), and chained
assignments (``a = b = x[0]``)."""

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def divided_axis(angle_axis):
    n = np.sqrt(np.sum(angle_axis ** 2))
    x, y, z = angle_axis / n
    return x * y + z ** 2 - np.sin(x * z)


def unpack_argument(a):
    x, y, z = a
    return x * y + z ** 2


def unpack_rows(m):
    top, bottom = m
    return np.sum(top * bottom) + np.sum(bottom ** 3)


def unpack_columns_of_transpose(m):
    first, second = m.T
    return np.sum(np.exp(first) * second)


def lstm_like_cell(a, b):
    return np.tanh(a * b), a + b


def subscript_targets_in_loop(x):
    s2 = np.zeros(4)
    for i in range(0, 4, 2):
        s2[i], s2[i + 1] = lstm_like_cell(x[i], x[i + 1])
    return np.sum(s2 ** 2)


def subscript_targets_from_tuple(x):
    s2 = np.zeros(2)
    s2[0], s2[1] = x[0] * 2.0, x[1] * 3.0
    return np.sum(s2 ** 2)


def swap_through_subscripts(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0] * 2.0
    return np.sum(y * np.arange(1.0, 4.0))


def nested_targets(m):
    (a, b), c = m[:2], m[2]
    return a * b * c


def nested_mixed_targets(x):
    s = np.zeros(3)
    (s[0], t), s[2] = (x[0] * x[1], x[2]), x[1] + 1.0
    return np.sum(s * s) * t


def unpack_tuple_returned(x):
    h, c = lstm_like_cell(x[0], x[1])
    return h * c


def unpack_list_display(x):
    a, b = [x[0] * 2.0, x[1]]
    return a * b


def unpack_in_loop(xs):
    total = 0.0
    for t in range(xs.shape[0]):
        u, v = xs[t]
        total = total + u * v
    return total


def unpack_matrix_product(x, W):
    p, q = W @ x
    return p * q


def unpack_only_one_used(a):
    x, y, z = a * 2.0
    return np.sin(y)


class Box:
    pass


def attribute_targets(x):
    box = Box()
    box.u, box.v = x[0] * 3.0, x[1]
    return box.u * box.v


def unpack_list_built_in_a_loop(x):
    ys = [v * 2 for v in x]  # (its adjoint is popped by the loop's backward sweep: a list)
    a, b = ys
    return a * np.sin(b)


def unpack_tuple_of_appended_list(x):
    ys = []
    for v in x:
        ys.append(v ** 2)
    a, b = tuple(ys)
    return a * b


def unpack_list_of_appended_list(x):
    ys = []
    for v in x:
        ys.append(np.cos(v))
    ys.reverse()
    a, b = list(ys)
    c, d = ys
    return a * b + c * d ** 2


def unpack_list_built_in_each_run(x):
    total = 0.0
    for k in range(2):
        ys = []
        for v in x:
            ys.append(v * (k + 1.0))
        ys.insert(0, x[0] * 3.0)
        a, b, c = ys
        total = total + a * b + c
    return total


def chained_assignment_then_rebound(x):
    a = b = x[0]  # (``b = a`` then: `a` is read, not stored)
    a = a * 2
    return a * b


def chained_assignment_of_arrays(x):
    a = b = c = x * 1.5
    b = b * a
    return np.sum(a * b * c)


def _vec(n):
    return lambda rng: [rng.uniform(0.5, 1.5, size=n)]


CASES = [
    (divided_axis, _vec(3)),
    (unpack_argument, _vec(3)),
    (unpack_rows, lambda rng: [rng.uniform(0.5, 1.5, size=(2, 3))]),
    (unpack_columns_of_transpose, lambda rng: [rng.uniform(0.5, 1.5, size=(3, 2))]),
    (subscript_targets_in_loop, _vec(4)),
    (subscript_targets_from_tuple, _vec(2)),
    (swap_through_subscripts, _vec(3)),
    (nested_targets, _vec(3)),
    (nested_mixed_targets, _vec(3)),
    (unpack_tuple_returned, _vec(2)),
    (unpack_list_display, _vec(2)),
    (unpack_in_loop, lambda rng: [rng.uniform(0.5, 1.5, size=(4, 2))]),
    (unpack_matrix_product, lambda rng: [rng.uniform(0.5, 1.5, size=3),
                                         rng.uniform(-1, 1, size=(2, 3))]),
    (unpack_only_one_used, _vec(3)),
    (unpack_list_built_in_a_loop, _vec(2)),
    (unpack_tuple_of_appended_list, _vec(2)),
    (unpack_list_of_appended_list, _vec(2)),
    (unpack_list_built_in_each_run, _vec(2)),
    (chained_assignment_then_rebound, _vec(2)),
    (chained_assignment_of_arrays, _vec(3)),
]
IDS = [f.__name__ for f, _ in CASES]


@pytest.mark.parametrize('optimized', [True, False], ids=['optimized', 'raw'])
@pytest.mark.parametrize('f, make_args', CASES, ids=IDS)
def test_reverse_matches_central_differences(f, make_args, optimized):
    args = make_args(np.random.default_rng(0))
    originals = [a.copy() for a in args]
    g = s2sgrad.grad(f, optimized=optimized)(*args)
    assert isinstance(g, np.ndarray) and g.shape == args[0].shape and g.dtype == args[0].dtype
    expected = numerical_grad(f, [a.copy() for a in args], 0)
    np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6)
    for a, o in zip(args, originals):
        np.testing.assert_array_equal(a, o)


@pytest.mark.parametrize('f, make_args', CASES, ids=IDS)
def test_forward_matches_reverse_and_differences(f, make_args):
    args = make_args(np.random.default_rng(0))
    v = np.random.default_rng(2).normal(size=args[0].shape)
    expected = numerical_grad(f, [a.copy() for a in args], 0)
    got = s2sgrad.jvp(f)(*args, v)
    np.testing.assert_allclose(got, np.sum(expected * v), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('f, make_args', CASES, ids=IDS)
def test_second_order_matches_differences_of_the_gradient(f, make_args):
    args = make_args(np.random.default_rng(0))
    x, rest = args[0], args[1:]
    v = np.random.default_rng(3).normal(size=x.shape)
    df = s2sgrad.grad(f)
    eps = 1e-5
    expected = (df(x + eps * v, *rest) - df(x - eps * v, *rest)) / (2 * eps)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, *rest, v), expected, rtol=1e-4, atol=1e-6)


def test_float32_argument_keeps_its_dtype():
    a = np.array([0.5, 1.5, 2.0], dtype=np.float32)
    g = s2sgrad.grad(unpack_argument)(a)
    assert g.dtype == np.float32 and g.shape == (3,)
    np.testing.assert_allclose(g, [1.5, 0.5, 4.0], rtol=1e-6)


def test_wrong_length_still_raises_like_the_primal():
    with pytest.raises(ValueError):
        s2sgrad.grad(unpack_argument)(np.ones(4))


def test_attribute_targets_holding_differentiated_values_are_rejected():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError) as info:
        s2sgrad.grad(attribute_targets)(np.ones(2))
    assert 'box.u' in str(info.value) and info.value.lineno == \
        attribute_targets.__code__.co_firstlineno + 2


def test_starred_target_at_an_end_is_read_and_between_names_is_refused():
    def f(m):
        first, *rest = m
        return first * rest[0]

    def g(m):
        a, *mid, b = m
        return a * b * mid[0]
    np.testing.assert_allclose(s2sgrad.grad(f)(np.array([2.0, 3.0, 4.0])), [3.0, 2.0, 0.0])
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError) as info:
        s2sgrad.grad(g)(np.ones(3))
    message = str(info.value)
    assert 'a, *mid, b = m' in message and 'starred' in message


def rotation_like(x, small):
    if small:
        return np.eye(3)
    R = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            R[i, j] = x[i] * x[j]
    return R


def sum_of_squares_of_rotation(x):
    return np.sum(rotation_like(x, False) ** 2) + np.sum(rotation_like(x, True) * x[0])


def test_early_return_and_a_matrix_filled_in_and_returned():
    x = np.array([1.0, 2.0, 3.0])
    expected = numerical_grad(sum_of_squares_of_rotation, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(sum_of_squares_of_rotation)(x), expected,
                               rtol=1e-6, atol=1e-6)
    jac = s2sgrad.jacobian(rotation_like)(x, False)
    reference = np.einsum('ik,j->ijk', np.eye(3), x) + np.einsum('jk,i->ijk', np.eye(3), x)
    np.testing.assert_allclose(jac, reference)
