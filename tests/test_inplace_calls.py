"""Calls that may change a differentiated value in place (a discarded result, `out=`, a
mutating method, an attribute store) are rejected with the user's line; calls whose result is
unused but that cannot change anything are differentiated as nothing."""

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def copy_into(x):
    y = np.zeros(3)
    np.copyto(y, x)
    return np.sum(y ** 2)


def fill_diagonal(x):
    y = np.zeros((3, 3))
    np.fill_diagonal(y, x)
    return np.sum(y ** 2)


def ufunc_out_statement(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, out=y)
    return np.sum(y ** 2)


def ufunc_out_assigned(x):
    y = np.zeros(3)
    z = np.exp(x, out=y)
    return np.sum(z) + np.sum(y)


def reduction_out(x):
    y = np.zeros(())
    s = np.sum(x, out=y)
    return s * 2.0 + y


def ufunc_at(x):
    y = x * 1.0
    np.add.at(y, [0, 0], x[1])
    return np.sum(y ** 2)


def put(x):
    y = np.zeros(3)
    np.put(y, [0, 2], x[:2])
    return np.sum(y ** 2)


def set_first(y, v):
    y[0] = v


def helper_that_writes_its_argument(x):
    y = x * 1.0
    set_first(y, x[1] * 3.0)
    return np.sum(y ** 2)


def closure_that_writes(x):
    y = x * 1.0

    def reset():
        y[0] = 0.0
    reset()
    return np.sum(y ** 2)


def sort_in_place(x):
    y = x  # (the argument itself: an array the function makes sorts in place, see
    y.sort()  # test_array_in_place_methods.py)
    return y[0] * 3.0 + y[2]


REJECTED = [
    (copy_into, 'np.copyto'),
    (ufunc_out_statement, 'out='), (ufunc_out_assigned, 'out='), (reduction_out, 'out='),
    (put, 'np.put'), (helper_that_writes_its_argument, 'set_first'),
    (closure_that_writes, 'reset'), (sort_in_place, 'sort'),
]


@pytest.mark.parametrize('f, fragment', REJECTED, ids=[f.__name__ for f, _ in REJECTED])
@pytest.mark.parametrize('mode', ['grad', 'jvp'])
def test_in_place_changes_are_rejected_with_the_line(f, fragment, mode):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(s2sgrad.errors.S2SError) as info:
        if mode == 'grad':
            s2sgrad.grad(f)(x)
        else:
            s2sgrad.jvp(f)(x, np.ones(3))
    message = str(info.value)
    assert fragment in message, message
    assert f.__name__ in message, message


def printed_and_discarded(x):
    print(x.shape)
    np.sum(x)
    np.linalg.norm(x * 2.0)
    return np.sum(x ** 2)


def test_pure_calls_whose_result_is_unused_change_nothing():
    x = np.array([1.0, 2.0, 3.0])
    expected = numerical_grad(printed_and_discarded, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(printed_and_discarded)(x), expected, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(printed_and_discarded)(x, np.ones(3)),
                               np.sum(expected), atol=1e-6)


def double_first(v):
    v[0] = v[0] * 2.0
    return v


def scale_view(v, s):
    head = v[:2]
    head *= s
    return np.sum(v)


def add_into(total, v):
    total += v
    return total


def helper_writes_its_argument_and_returns_it(x):
    z = double_first(x)
    return np.sum(z * x)


def helper_writes_a_copy_made_by_the_caller(x):
    y = x.copy()
    z = double_first(y)
    return np.sum(y * z)


def helper_writes_through_a_view(x):
    return scale_view(x * 1.0, 3.0) + scale_view(x, 2.0)


def helper_adds_in_place(x):
    t = x * 1.0
    return np.sum(add_into(t, x))


def helper_given_a_constant_copy(x):
    c = np.ones(3)
    z = double_first(c)
    return np.sum(z * x)


@pytest.mark.parametrize('f', [helper_writes_its_argument_and_returns_it,
                               helper_writes_a_copy_made_by_the_caller,
                               helper_writes_through_a_view])
def test_helpers_that_write_into_their_arguments_are_rejected(f):
    x = np.array([1.0, 2.0, 3.0])
    original = x.copy()
    for transform in (lambda: s2sgrad.grad(f)(x), lambda: s2sgrad.jvp(f)(x, np.ones(3))):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError) as info:
            transform()
        assert 'writes into its argument' in str(info.value)
    np.testing.assert_array_equal(x, original)


def test_a_helper_adding_into_an_array_argument_raises_at_run_time():
    # (``total += v`` gives a number a new value: only an array argument is refused)
    x = np.array([1.0, 2.0, 3.0])
    original = x.copy()
    for transform in (lambda: s2sgrad.grad(helper_adds_in_place)(x),
                      lambda: s2sgrad.jvp(helper_adds_in_place)(x, np.ones(3))):
        with pytest.raises(s2sgrad.errors.InPlaceError) as info:
            transform()
        assert 'line 149: `return np.sum(add_into(t, x))` passes an array or a list to ' \
               '`add_into`, which changes its parameter `total` in place' in str(info.value)
    np.testing.assert_array_equal(x, original)
    # f(x) = 2x for a number: d/dx = 2
    assert s2sgrad.grad(helper_adds_in_place)(1.5) == pytest.approx(2.0)


def test_a_helper_writing_into_a_constant_array_is_differentiated():
    x = np.array([1.0, 2.0, 3.0])
    expected = numerical_grad(helper_given_a_constant_copy, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(helper_given_a_constant_copy)(x), expected)


def test_error_location_reads_like_a_traceback():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError) as info:
        s2sgrad.grad(copy_into)(np.ones(3))
    line = copy_into.__code__.co_firstlineno + 2
    assert f'  File "{__file__}", line {line}\n    np.copyto(y, x)\n    ^' in str(info.value)


def swap_of_elements(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0]
    return np.sum(y * np.arange(1.0, 1.0 + y.size).reshape(y.shape))


def alias_then_augmented(x):
    y = x
    y += 1.0
    return np.sum(x * y)


def test_swap_of_numbers_is_differentiated_and_of_rows_raises_at_run_time():
    x = np.array([1.0, 2.0, 3.0])
    expected = numerical_grad(swap_of_elements, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(swap_of_elements)(x), expected, atol=1e-6)
    rows = np.ones((3, 2))
    with pytest.raises(s2sgrad.errors.InPlaceError, match=r'`y\[1\]` is an array'):
        s2sgrad.grad(swap_of_elements)(rows)
    with pytest.raises(s2sgrad.errors.InPlaceError):
        s2sgrad.jvp(swap_of_elements)(rows, np.ones((3, 2)))


def test_augmented_assignment_of_an_alias_works_for_numbers_and_raises_for_arrays():
    # For a float, `y += 1.0` rebinds y: f = x * (x + 1), f' = 2x + 1.
    assert s2sgrad.grad(alias_then_augmented)(1.5) == pytest.approx(4.0)
    assert s2sgrad.jvp(alias_then_augmented)(1.5, 1.0) == pytest.approx(4.0)
    # For an array it changes x in place: f = sum((x + 1) ** 2); s2sgrad says it cannot follow.
    x = np.array([1.0, 2.0])
    with pytest.raises(s2sgrad.errors.InPlaceError, match='y'):
        s2sgrad.grad(alias_then_augmented)(x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def augmented_view_then_written(x):
    y = x * 1.0
    v = y.reshape(-1)
    v += 2.0
    v[0] *= 2.0
    return np.sum(np.sin(y) * x) + np.sum(v * v)


def alias_written_then_augmented(x):
    y = x.copy()
    v = y
    y[0] = np.cos(np.sum(x))
    v += np.cos(np.sum(x))
    return np.sum(y ** 2) + np.sum(x ** 2)


def augmented_alias_not_read_again(x):
    y = x * 1.0
    v = y[1:]
    v += np.cos(np.sum(x))
    v[0] = 1.0
    return np.sum(v ** 2) + np.sum(x ** 2)


@pytest.mark.parametrize('f', [augmented_view_then_written, alias_written_then_augmented])
def test_augmented_assignment_through_an_alias_read_afterwards_is_rejected(f):
    x = np.random.default_rng(0).normal(size=(3, 4))
    for transform in (lambda: s2sgrad.grad(f)(x), lambda: s2sgrad.jvp(f)(x, np.ones((3, 4)))):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='copy'):
            transform()


def test_augmented_assignment_through_an_alias_that_is_not_read_again():
    x = np.random.default_rng(0).normal(size=5)
    expected = numerical_grad(augmented_alias_not_read_again, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(augmented_alias_not_read_again)(x), expected,
                               atol=1e-6)
    v = np.random.default_rng(1).normal(size=5)
    np.testing.assert_allclose(s2sgrad.jvp(augmented_alias_not_read_again)(x, v), expected @ v,
                               atol=1e-6)


@pytest.mark.parametrize('f', [ufunc_at])
def test_scatter_calls_are_the_writes_they_stand_for(f):
    # (``np.add.at(y, i, v)`` is ``y += s2s.add_at(np.zeros_like(y), i, v)``; a fill of the
    # diagonal by a constant is a write: tests/test_scatter_calls.py)
    x = np.array([1.0, 2.0, 3.0])
    g = s2sgrad.grad(f)(x)
    np.testing.assert_allclose(g, numerical_grad(f, (x,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, np.ones(3)), np.sum(g), rtol=1e-6)


def test_fill_diagonal_of_a_local_array_with_values_is_a_write():
    """`np.fill_diagonal(y, x)` of an array the function makes writes `x` on its diagonal
    (a write the passes follow, `constructs.in_place_calls`)."""
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(fill_diagonal)(x), 2.0 * x)
    assert np.isclose(s2sgrad.jvp(fill_diagonal)(x, np.ones(3)), np.sum(2.0 * x))
