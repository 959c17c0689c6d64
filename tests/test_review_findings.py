"""Programs from an adversarial review of the soundness work: each was silently wrong, crashed
inside s2sgrad or generated code, or was stale; now each is correct (checked against central
differences in reverse and forward mode) or raises an `s2sgrad.errors` exception."""

import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads, numerical_grad


def mask_of_the_array_written(x):
    h = x * 1.0
    h[h > 1.0] = 0.5
    return np.sum(h * x)


def clip_with_two_masks(x):
    y = x * 2.0
    y[y > 0.5] = 0.5
    y[y < -0.5] = -0.5
    return np.sum(y ** 2)


def mask_update_in_loop(x):
    h = x * 1.0
    for i in range(2):
        h[h > 1] = h[h > 1] - 1
    return np.sum(h ** 2)


def mask_in_place_multiply(x):
    h = x * 1.0
    h[h > 1.0] *= 0.5
    return np.sum(h ** 3)


def max_and_min_of_an_array(x):
    return max(x) + min(x) * 2.0


def array_of_a_number(x):
    return np.array(np.sum(x ** 2)) * 1.5 + np.sum(np.array(x[0]) * x)


def list_display_in_a_ufunc(x):
    return 3.0 * np.sum(np.multiply([1.0, 2.0, 0.5], x)) + np.sum(np.add((1.0, 2.0, 0.5), x) ** 2)


def keyword_only_parameter_of_a_nested_function(x):
    def inner(z, *, scale=2.0):
        return z * scale
    return np.sum(inner(x, scale=3.0) ** 2)


def nested_function_with_a_default_and_a_closure(x):
    w = x * 0.5

    def inner(z, p=2.0):
        return z ** p + w
    return np.sum(inner(x))


class _Counter:
    calls = 0


COUNTER = _Counter()


def counter_on_an_object(x):
    COUNTER.calls += 1
    return np.sum(x ** 2)


def _vec(rng):
    return [np.array([2.0, 0.3, 1.7, -0.4])[:3] + rng.uniform(-0.05, 0.05, size=3)]


CASES = [mask_of_the_array_written, clip_with_two_masks, mask_update_in_loop,
         mask_in_place_multiply, max_and_min_of_an_array, array_of_a_number,
         list_display_in_a_ufunc, keyword_only_parameter_of_a_nested_function,
         nested_function_with_a_default_and_a_closure, counter_on_an_object]


@pytest.mark.parametrize('f', CASES, ids=[f.__name__ for f in CASES])
def test_reverse_and_forward_match_central_differences(f):
    x = np.array([2.1, 0.3, 1.7])
    kept = x.copy()
    expected = numerical_grad(f, [x.copy()], 0)
    for optimized in (True, False):
        np.testing.assert_allclose(s2sgrad.grad(f, optimized=optimized)(x), expected,
                                   rtol=1e-5, atol=1e-6)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), expected @ v, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(x, kept)


def closure_used_as_a_value(x):
    def g():
        return x * 2
    h = g
    return np.sum(h())


def closure_in_a_list(x):
    def g():
        return x * 2
    fs = [g]
    return np.sum(fs[0]())


def _factory(c):
    def g(z):
        return z * c
    return g


def closure_returned_by_a_factory(x):
    return np.sum(_factory(x)(2.0))


def repeated_list_display(x):
    items = [x] * 2
    return np.sum(items[0] * items[1])


@pytest.mark.parametrize('f, error', [
    (closure_used_as_a_value, s2sgrad.errors.UnsupportedSyntaxError),  # a nested def that
    (closure_in_a_list, s2sgrad.errors.UnsupportedSyntaxError),        # escapes: see #9
    (closure_returned_by_a_factory, s2sgrad.errors.NoRuleError)])
def test_constructs_that_were_silently_zero_now_raise(f, error):
    x = np.array([1.0, 2.0])
    with pytest.raises(error):
        s2sgrad.grad(f)(x)
    with pytest.raises(error):
        s2sgrad.jvp(f)(x, np.ones(2))


def test_repeated_list_is_differentiated_in_both_modes():
    x = np.array([1.0, 2.0])  # (it was refused in reverse mode; see test_list_repetition.py)
    np.testing.assert_allclose(s2sgrad.grad(repeated_list_display)(x), 2 * x)
    v = np.array([0.5, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(repeated_list_display)(x, v), 2 * x @ v)


def repeat_a_list_argument(xs):
    items = xs * 2
    return items[0] * items[3]


def test_repeating_a_list_argument_raises_instead_of_a_wrong_gradient():
    with pytest.raises(s2sgrad.errors.S2SError, match='list'):
        s2sgrad.grad(repeat_a_list_argument)([1.0, 2.0])


def scaled_sum(x, k=2.0):
    return k * np.sum(x)


def scaled_sum_keyword(x, *, k=2.0):
    return k * np.sum(x)


def test_replaced_defaults_are_not_served_a_stale_gradient():
    x = np.ones(2)
    np.testing.assert_allclose(s2sgrad.grad(scaled_sum)(x), [2.0, 2.0])
    old = scaled_sum.__defaults__
    try:
        scaled_sum.__defaults__ = (7.0,)
        np.testing.assert_allclose(s2sgrad.grad(scaled_sum)(x), [7.0, 7.0])
    finally:
        scaled_sum.__defaults__ = old
    np.testing.assert_allclose(s2sgrad.grad(scaled_sum_keyword)(x), [2.0, 2.0])
    old = scaled_sum_keyword.__kwdefaults__
    try:
        scaled_sum_keyword.__kwdefaults__ = {'k': 5.0}
        np.testing.assert_allclose(s2sgrad.grad(scaled_sum_keyword)(x), [5.0, 5.0])
    finally:
        scaled_sum_keyword.__kwdefaults__ = old


def branch_of_new_arrays_then_augmented(x, c):
    h = np.diag(x) if c else np.tile(x, 1)
    h += 1.0
    return np.sum(h ** 2) + np.sum(x)


@pytest.mark.parametrize('c', [True, False])
def test_augmented_assignment_of_new_arrays_from_branches(c):
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(branch_of_new_arrays_then_augmented)(x, c),
                               2 * (x + 1) + 1)


def times_count(x, n):
    return np.sum(x * n)


@pytest.mark.parametrize('n, kind', [(3, float), (np.int64(3), np.float64),
                                     (np.array([1, 2]), np.ndarray)])
def test_an_integer_argument_gets_the_derivative_at_its_value_as_a_float(n, kind):
    x = np.array([1.5, 2.0])
    g = s2sgrad.grad(times_count, wrt=1)(x, n)
    assert type(g) is kind
    expected = x if np.ndim(n) else np.sum(x)
    np.testing.assert_allclose(g, expected)
    assert np.asarray(g).dtype.kind == 'f'


def square_sum(x):
    return np.sum(x ** 2)


def doubled(x):
    return x * 2.0


def test_tangents_and_cotangents_of_the_wrong_shape_raise():
    x = np.ones(3)
    for call in (lambda: s2sgrad.jvp(square_sum)(x, np.ones(1)),
                 lambda: s2sgrad.jvp(square_sum)(x, 1.0),
                 lambda: s2sgrad.hvp(square_sum)(x, np.ones(2)),
                 lambda: s2sgrad.vjp(doubled)(x, np.ones(1)),
                 lambda: s2sgrad.vjp(doubled)(x, 1.0)):
        with pytest.raises(s2sgrad.errors.ShapeError):
            call()
    np.testing.assert_allclose(s2sgrad.vjp(doubled)(x, np.ones(3)), 2 * np.ones(3))
    np.testing.assert_allclose(s2sgrad.jvp(square_sum)(x, np.ones(3)), 6.0)


# ---------------------------------------------- second review round

def cube_of_first_column(M):
    s = 0.0
    for z in M:
        a = z[0]
        s = s + a ** 3
    return s


def scaled_rows_read_back(M):
    s = 0.0
    for i in range(2):
        z = M[i] * (i + 1.0)
        a = z[0]
        s = s + a ** 3 + z[1] * a
    return s


def row_read_before_rebinding(M, w):
    s = 0.0
    z = M[0]
    for i in range(2):
        a = z[1]
        z = M[i] * w
        s = s + a * z[0]
    return s


@pytest.mark.parametrize('f', [cube_of_first_column, scaled_rows_read_back,
                               row_read_before_rebinding])
def test_loop_values_come_back_in_program_order(f):
    M = np.array([[1.0, 0.3, 0.2], [-0.2, 0.9, 0.4]])
    args = [M] if f is not row_read_before_rebinding else [M, 1.5]
    expected = numerical_grad(f, [a.copy() if hasattr(a, 'copy') else a for a in args], 0)
    for optimized in (True, False):
        np.testing.assert_allclose(s2sgrad.grad(f, optimized=optimized)(*args), expected,
                                   rtol=1e-6, atol=1e-6)
    v = np.random.default_rng(0).normal(size=M.shape)
    df = s2sgrad.grad(f)
    difference = (df(M + 1e-5 * v, *args[1:]) - df(M - 1e-5 * v, *args[1:])) / 2e-5
    np.testing.assert_allclose(s2sgrad.hvp(f)(*args, v), difference, rtol=1e-4, atol=1e-6)


def product_of_row_items(M):
    s = 0.0
    for i in range(2):
        row = M[i]
        s = s + row[0] * row[1]
    return s


D_PRODUCT_OF_ROW_ITEMS = s2sgrad.grad(product_of_row_items)


def weighted_gradient_of_row_products(M):
    return np.sum(D_PRODUCT_OF_ROW_ITEMS(M) * np.arange(6.0).reshape(2, 3))


def test_gradient_of_a_gradient_that_indexes_a_loop_local_row():
    M = np.array([[1.0, 0.3, 0.2], [-0.2, 0.9, 0.4]])
    expected = numerical_grad(weighted_gradient_of_row_products, [M.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(weighted_gradient_of_row_products)(M), expected,
                               atol=1e-6)


def fill_zero_d(x):
    y = np.zeros_like(x)
    y[...] = x ** 2
    return np.sum(y)


def dot_of_numbers(x):
    return np.dot(x, x) + np.vdot(x, x)


D_DOT_OF_NUMBERS = s2sgrad.grad(dot_of_numbers)


def gradient_of_dot_twice(y):
    return D_DOT_OF_NUMBERS(y) * 2.0


@pytest.mark.parametrize('x', [np.array(0.7), 0.7, np.float64(0.7)])
def test_zero_d_arrays_and_numbers(x):
    assert float(s2sgrad.grad(fill_zero_d)(x)) == pytest.approx(1.4)
    assert float(s2sgrad.jvp(fill_zero_d)(x, np.ones_like(x) if hasattr(x, 'shape') else 1.0)) \
        == pytest.approx(1.4)
    assert float(s2sgrad.hvp(dot_of_numbers)(x, 1.0 if not hasattr(x, 'shape') else
                                             np.ones_like(x))) == pytest.approx(4.0)
    assert float(s2sgrad.grad(gradient_of_dot_twice)(x)) == pytest.approx(8.0)


def sum_twice(x):
    return np.sum(x) * 2.0


def squared_float(x):
    return float(x) ** 2


@pytest.mark.parametrize('x', [np.float32(0.7), np.float64(0.7)])
def test_numpy_scalar_arguments_get_gradients_of_their_type(x):
    for f in (sum_twice, squared_float):
        assert type(s2sgrad.grad(f)(x)) is type(x)


def rebinds_then_writes(x):
    x = x * 2.0
    x[0] = 1.0
    return x


def calls_a_helper_that_rebinds_its_argument(x):
    return np.sum(rebinds_then_writes(x) ** 2)


def grows_a_list(x):
    hs = [x]
    for i in range(2):
        hs.append(hs[-1] * x)
    return np.sum(hs[-1])


D_GROWS_A_LIST = s2sgrad.grad(grows_a_list)


def weighted_gradient_of_grows_a_list(x):
    return np.sum(D_GROWS_A_LIST(x) * np.array([1.0, 2.0]))


def test_helpers_that_rebind_or_grow_lists_are_not_taken_for_writers():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(calls_a_helper_that_rebinds_its_argument)(x),
                               [0.0, 16.0, 24.0])
    y = np.array([0.5, 1.5])
    np.testing.assert_allclose(s2sgrad.grad(weighted_gradient_of_grows_a_list)(y),
                               s2sgrad.hvp(grows_a_list)(y, np.array([1.0, 2.0])))
    np.testing.assert_allclose(s2sgrad.hvp(grows_a_list)(y, np.array([1.0, 2.0])),
                               6 * y * np.array([1.0, 2.0]))


# ---------------------------------------------- third review round

def ufunc_positional_out(x):
    y = x * 1.0
    np.multiply(y, 2.0, y)
    return np.sum(y * y)


def ufunc_positional_out_on_the_argument(x):
    np.multiply(x, 2.0, x)
    return np.sum(x * x)


def _double_in_place(v):
    np.multiply(v, 2.0, v)
    return v


def helper_with_positional_out(x):
    return np.sum(_double_in_place(x) ** 2)


def _zero_first(a):
    a[0] = 0.0
    return a * 1.0


def _calls_zero_first(b):
    return _zero_first(b) * 2.0


def helper_calling_a_writer(x, m):
    return np.sum(_calls_zero_first(m) * x)


def _larger_then_zeroed(a, b):
    m = max(a, b)
    m[0] = 0.0
    return m


def builtin_max_then_written(x, a, b):
    return np.sum(_larger_then_zeroed(a, b) * x)


def test_writes_through_positional_out_and_nested_helpers_are_rejected():
    x = np.array([0.3, 0.6, 0.9])
    m = np.array([1.0, 2.0, 3.0])
    a, b = np.array([1.0]), np.array([2.0])
    calls = [(ufunc_positional_out, (x,)), (ufunc_positional_out_on_the_argument, (x,)),
             (helper_with_positional_out, (x,)), (helper_calling_a_writer, (x, m)),
             (builtin_max_then_written, (x, a, b))]
    for f, args in calls:
        kept = [v.copy() for v in args]
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError):
            s2sgrad.grad(f)(*args)
        for v, k in zip(args, kept):
            np.testing.assert_array_equal(v, k)


def where_of_a_number(a, x, c):
    return np.sum(np.where(c > 0, a, x))


def test_forward_tangent_of_where_has_the_result_shape():
    x = np.array([1.0, 2.0, 3.0])
    assert s2sgrad.jvp(where_of_a_number)(0.5, x, 1.0, 1.0) == pytest.approx(3.0)
    assert s2sgrad.jvp(where_of_a_number, wrt=1)(0.5, x, -1.0, np.ones(3)) == pytest.approx(3.0)


def half_sum(x):
    return np.sum(x) * 0.5


def half_first(x):
    return x[0] * 0.5


def half_sum_of_cubes(x):
    return np.sum(x ** 3) * 0.5


def test_integer_arrays_get_float_gradients():
    x = np.array([1, 2, 3])
    np.testing.assert_array_equal(s2sgrad.grad(half_sum)(x), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(s2sgrad.grad(half_first)(x), [0.5, 0.0, 0.0])
    for optimized in (True, False):
        np.testing.assert_allclose(s2sgrad.grad(half_sum_of_cubes, optimized=optimized)(x),
                                   1.5 * x ** 2)
    np.testing.assert_allclose(s2sgrad.hvp(half_sum_of_cubes)(x, np.ones(3)), 3.0 * x)


def test_lists_as_tangents_or_cotangents_raise():
    x = np.array([0.3, 0.6, 0.9])
    with pytest.raises(s2sgrad.errors.ShapeError):
        s2sgrad.vjp(doubled)(x, [1.0, 1.0, 1.0])
    with pytest.raises(s2sgrad.errors.ShapeError):
        s2sgrad.jvp(square_sum)(x, [1.0, 1.0, 1.0])


# -- a 0-d array read both by index and by .item() (a NumPy number met add_at: TypeError)

def index_and_item(x):
    return x[()] * x.item()


def item_and_index(x):
    return x.item() * x[()]


@pytest.mark.parametrize('func', [index_and_item, item_and_index])
@pytest.mark.parametrize('dtype', [np.float64, np.float32])
def test_zero_dimensional_read_twice(func, dtype):
    x = np.array(0.7, dtype=dtype)
    g = s2sgrad.grad(func)(x)
    assert isinstance(g, np.ndarray) and g.shape == () and g.dtype == dtype
    assert np.isclose(g, 1.4)
    assert np.isclose(s2sgrad.jvp(func)(x, np.array(1.0, dtype=dtype)), 1.4)
    assert np.isclose(s2sgrad.hvp(func)(x, np.array(1.0, dtype=dtype)), 2.0)


# -- an integer array np.digitize returns is new memory (a write into it was refused)

def written_bins(x):
    y = np.digitize(x, [0.0])
    y[0] = 5
    return np.sum(x * y)


def test_write_into_digitized_bins():
    x = np.array([0.3, -0.2, 0.5])
    np.testing.assert_allclose(s2sgrad.grad(written_bins)(x), numerical_grad(written_bins,
                                                                             (x,), 0))


def summed_over_numpy_axis(x):
    return np.sum(np.sum(x, axis=np.int64(1)) ** 2) + np.sum(x.mean(axis=np.intp(0)) ** 3)


def spread_over_longest_axis(x):
    return np.sum(np.std(x, axis=np.argmax(x.shape)) ** 2) + np.max(x, axis=np.int32(0)).sum()


@pytest.mark.parametrize('func', [summed_over_numpy_axis, spread_over_longest_axis],
                         ids=lambda f: f.__name__)
def test_reductions_over_a_numpy_integer_axis(func):
    x = np.random.default_rng(3).normal(size=(3, 4))
    g = s2sgrad.grad(func)(x)
    np.testing.assert_allclose(g, numerical_grad(func, [x.copy()], 0), rtol=1e-5, atol=1e-6)
    tangent = np.random.default_rng(4).normal(size=x.shape)
    t = s2sgrad.jvp(func)(x, tangent)
    np.testing.assert_allclose(t, np.sum(g * tangent), rtol=1e-6)


def first_none(x):
    return x[:0] * 2.0


@pytest.mark.parametrize('mode', [None, 'rev', 'fwd'])
@pytest.mark.parametrize('size', [0, 3])
def test_jacobian_of_an_empty_output(mode, size):
    J = s2sgrad.jacobian(first_none, mode=mode)(np.ones(size))
    assert J.shape == (0, size)


def scaled_positional_only(x, /, k=2.0):
    return np.sum(x ** 2) * k


def _product_positional_only(a, b, /, c):
    return a * b * c


def helper_positional_only(x):
    return np.sum(_product_positional_only(x, x, 3.0))


@pytest.mark.parametrize('func', [scaled_positional_only, helper_positional_only],
                         ids=lambda f: f.__name__)
def test_positional_only_parameters(func):
    x = np.array([1.0, -2.0, 0.5])
    g = s2sgrad.grad(func)(x)
    np.testing.assert_allclose(g, numerical_grad(func, [x.copy()], 0), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.jvp(func)(x, np.ones(3)), np.sum(g), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.hessian(func)(x) @ np.ones(3),
                               s2sgrad.hvp(func)(x, np.ones(3)), rtol=1e-6)


SCALE = 3.0
CALLS = 0


def scaled_by_a_declared_global(x):
    global SCALE  # noqa: F824 (only read: the statement changes nothing)
    return np.sum(x ** 2) * SCALE


def counts_its_calls(x):
    global CALLS
    CALLS = CALLS + 1
    return np.sum(x ** 2)


def test_a_global_statement_of_a_name_only_read():
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(s2sgrad.grad(scaled_by_a_declared_global)(x), 6.0 * x)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='global'):
        s2sgrad.grad(counts_its_calls)(x)


def first_and_rest(x):
    first, *rest = x
    return first * sum(rest) ** 2


def init_and_last(x):
    *init, last = x
    return np.sum(np.array(init) ** 2) * last


def two_and_rest_of_a_list(x):
    a, b, *rest = [x[0] * 2.0, x[1], x[2], x[0]]
    return a * b + len(rest) * sum(rest)


def top_row_and_others(X):
    top, *others = X
    return np.sum(top * sum(others))


def middle_starred(x):
    a, *mid, b = x
    return a * b


@pytest.mark.parametrize('func', [first_and_rest, init_and_last, two_and_rest_of_a_list,
                                  top_row_and_others], ids=lambda f: f.__name__)
def test_starred_targets_at_either_end(func):
    x = np.arange(6.0).reshape(3, 2) + 0.5 if func is top_row_and_others else \
        np.array([0.5, 1.0, 2.0])
    check_grads(func, (x,), modes=('rev', 'fwd'), order=2)


def test_a_starred_target_between_others_stays_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='starred'):
        s2sgrad.grad(middle_starred)(np.array([0.5, 1.0, 2.0]))


# A helper's result made from a parameter the caller passes as a list (`t[1:]`) is a list
# whose adjoint adds item by item; the caller added it with `+` (concatenation) and the
# slice adjoint then grew the list: a silently wrong gradient.
def pair_of_helper(a, t):
    return a * 2.0, t[1:]


def tail_of_a_list_through_a_helper(x):
    st = [x, x * x, 3.0 * x]
    a, r = pair_of_helper(x, st)
    b, r2 = pair_of_helper(a, r)
    return a * r[0] + b * r2[0] + r[1]


def tail_helper(t):
    return t[1:]


def tails_read_twice(x):
    st = [x, x * x, 3.0 * x, np.sin(x)]
    t = tail_helper(st)
    u = tail_helper(t)
    return t[0] * u[1] + t[1] * u[0] + u[1]


def tail_and_tail_of_tail(x):
    st = [x, x * x, 3.0 * x]
    t = tail_helper(st)
    u = tail_helper(t)
    return t[0] * u[0]


def slice_then_helper(x):
    st = [x, x * x, 3.0 * x]
    t = st[1:]  # (a slice of a list is a list: its adjoint adds item by item)
    u = tail_helper(t)
    return t[0] * u[0]


def step_pair(a, b):
    return a * b, a + b


def tuple_state_loop(x):
    a, b = x, 1.0
    for i in range(3):
        a, b = step_pair(a, b)
    return a + b


@pytest.mark.parametrize('func', [tail_of_a_list_through_a_helper, tails_read_twice,
                                  tail_and_tail_of_tail, slice_then_helper],
                         ids=lambda f: f.__name__)
def test_a_helper_returning_part_of_a_list_argument(func):
    for x in (0.7, -1.3):
        np.testing.assert_allclose(s2sgrad.grad(func)(x), numerical_grad(func, (x,), 0),
                                   rtol=1e-6, atol=1e-8)
    check_grads(func, (0.7,), modes=('rev', 'fwd'), order=2)


def test_third_derivative_through_a_helper_returning_a_tuple():
    # x -> (x, 1) -> (x, x + 1) -> (x^2 + x, 2x + 1) -> (2x^3 + 3x^2 + x, x^2 + 3x + 1):
    # the sum is 2x^3 + 4x^2 + 4x + 1, whose third derivative is 12
    third = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(tuple_state_loop)))
    assert third(0.7) == pytest.approx(12.0)
    assert third(-2.0) == pytest.approx(12.0)


def test_a_list_adjoint_longer_than_its_slice_is_loud():
    from s2sgrad.runtime import add_at
    with pytest.raises(s2sgrad.errors.NoRuleError, match='slice of 2 items'):
        add_at([0.0, 0.0, 0.0], slice(1, None), [1.0, 2.0, 3.0, 4.0])


# Tangents and aliases of calls that may return their argument: a tangent that is the
# argument's tangent (or a view of it) is copied before a write into the argument, and a
# result that may be the argument itself is not new memory.
def flattened_then_written(x):
    y = x.flatten()
    x[0] = 3.0
    return np.sum(y ** 2) + np.sum(x)


def conjugate_then_written(x):
    y = np.conj(x)
    x[0] = 3.0
    return np.sum(y ** 2) + np.sum(x)


def conjugate_of_a_copy_then_written(x):
    z = x.copy()
    y = np.conjugate(z)
    z[1] = 3.0
    return np.sum(y ** 2 * z)


@pytest.mark.parametrize('func', [flattened_then_written, conjugate_then_written,
                                  conjugate_of_a_copy_then_written], ids=lambda f: f.__name__)
def test_a_tangent_that_may_be_the_arguments_survives_the_write(func):
    x = np.array([0.3, -1.2, 0.7, 1.5])
    kept = x.copy()
    for v in np.eye(4):
        expected = numerical_grad(func, (x.copy(),), 0) @ v
        assert s2sgrad.jvp(func)(x, v) == pytest.approx(expected, rel=1e-6, abs=1e-8)
        assert np.array_equal(x, kept)
    check_grads(func, (x,), modes=('rev', 'fwd'), order=2)


def matrix_power_written(A, k=1):
    P = np.linalg.matrix_power(A, k)
    P[0, 0] += 1.0
    return np.sum(P * A)


def diff_written(x, n=0):
    d = np.diff(x, n=n)
    d[0] = 0.0
    return np.sum(d * x)


def builtin_max_of_a_copy_then_written(x):
    s = x[:1].copy()
    t = x[1:2] * 2.0
    m = max(s, t)  # (one of its operands itself)
    s[0] = 5.0
    return float(m[0]) * x[3] + float(s[0])


@pytest.mark.parametrize('func', [matrix_power_written, diff_written,
                                  builtin_max_of_a_copy_then_written],
                         ids=lambda f: f.__name__)
def test_a_call_that_may_return_its_argument_is_not_new_memory(func):
    x = np.array([[0.5, 0.2], [-0.3, 0.8]]) if func is matrix_power_written else \
        np.array([0.3, -1.2, 0.7, 1.5])
    kept = x.copy()
    for operator in (s2sgrad.grad, s2sgrad.jvp):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='may share memory'):
            args = (x,) if operator is s2sgrad.grad else (x, np.ones_like(x))
            operator(func)(*args)
    assert np.array_equal(x, kept)


def matrix_power_squared_written(A):
    P = np.linalg.matrix_power(A, 2)  # (a new array: the write is the user's own)
    P[0, 0] += 1.0
    return np.sum(P * A)


def test_matrix_power_of_a_constant_power_above_one_is_new_memory():
    A = np.array([[0.5, 0.2], [-0.3, 0.8]])
    check_grads(matrix_power_squared_written, (A,), modes=('rev', 'fwd'), order=2)


# Second order of loops that fill a fresh array: the first-order gradient saves the array
# that a later iteration replaces (`d_stack.append(d)` before `d = np.zeros(2)`), and its
# backward sweep reads a rule helper's result (`s2s.undiag`), which is new memory.
def diagonal_filled(x):
    B = np.zeros((3, 3))
    for i in range(3):
        B[i, i] = x[i] ** 2
    return np.sum(np.diag(B) ** 3)


def rows_made_in_a_loop(x):
    hs = []
    for i in range(3):
        h = np.zeros(2)
        h[0] = x[i]
        h[1] = x[i] * x[0]
        hs.append(h)
    return sum(np.sum(np.sin(v) * v) for v in hs)


def written_after_it_was_appended(x):
    hs = []
    for i in range(3):
        h = np.zeros(2)
        h[0] = x[i]
        hs.append(h)
        h[1] = x[i] ** 2  # (hs holds h: the write shows there)
    return sum(np.sum(v ** 3) for v in hs)


def appended_then_written(x):
    hs = []
    h = np.zeros(2)
    h[0] = x[0]
    hs.append(h)
    h[1] = x[1] ** 2  # (a first write that the list may not see hid this one: 0 for x[1])
    return np.sum(hs[0] ** 3)


def made_only_on_some_iterations(x):
    hs = []
    h = np.zeros(2)
    for i in range(3):
        if x[i] > 0.5:
            h = np.zeros(2)
        h[0] = h[0] + x[i]  # (h may be the array appended last time)
        hs.append(h)
    return sum(np.sum(v ** 3) for v in hs)


def made_outside_an_inner_loop(x):
    hs = []
    for i in range(2):
        h = np.zeros(2)
        for j in range(2):
            h[j] = h[j] + x[i] * (j + 1.0)
            hs.append(h)  # (the next j writes the array appended here)
    return sum(np.sum(v ** 3) for v in hs)


@pytest.mark.parametrize('func', [diagonal_filled, rows_made_in_a_loop],
                         ids=lambda f: f.__name__)
def test_second_order_of_a_loop_filling_a_fresh_array(func):
    x = np.array([0.3, -0.8, 0.6])
    check_grads(func, (x,), modes=('rev', 'fwd'), order=2)
    H = s2sgrad.hessian(func)(x)
    for i, e in enumerate(np.eye(3)):
        column = (numerical_grad(func, (x + 1e-4 * e,), 0) -
                  numerical_grad(func, (x - 1e-4 * e,), 0)) / 2e-4
        np.testing.assert_allclose(H[:, i], column, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('func', [written_after_it_was_appended, appended_then_written,
                                  made_only_on_some_iterations, made_outside_an_inner_loop],
                         ids=lambda f: f.__name__)
def test_an_array_a_container_may_hold_is_still_followed(func):
    x = np.array([0.3, 0.8, 0.6])
    try:
        g = s2sgrad.grad(func)(x)
    except s2sgrad.errors.UnsupportedSyntaxError:
        return
    np.testing.assert_allclose(g, numerical_grad(func, (x,), 0), rtol=1e-6, atol=1e-8)


# Helpers that return lists: the backward part pops the caller's adjoint list, which the
# caller reads again once differentiated again (it was an IndexError at second order); a
# recursion on a list's slices adds its slices' adjoints item by item; a helper that copies
# its list argument (`list(lst)`) and appends to the copy leaves the argument alone.
def _multiples(x):
    out = []
    for i in range(1, 3):
        out.append(x * i)
    return out


def product_of_made_list(x):
    v = _multiples(x)
    return v[0] * v[1]


def _recursive_product(lst):
    if len(lst) == 1:
        return lst[0]
    return lst[0] * _recursive_product(lst[1:])


def recursion_on_slices(x):
    return _recursive_product([x, x + 1.0, 2.0 * x])


def _extended(lst, y):
    out = list(lst)
    out.append(y * 2.0)
    return out


def extended_copy(x):
    u = [x, x * x]
    v = _extended(u, x)
    return v[2] * u[1] + v[0]


@pytest.mark.parametrize('func', [product_of_made_list, recursion_on_slices, extended_copy],
                         ids=lambda f: f.__name__)
def test_helpers_returning_lists_to_second_order(func):
    for motion in ('split', 'joint'):
        second = s2sgrad.grad(s2sgrad.grad(func, motion=motion), motion=motion)
        h = 1e-4
        expected = (func(0.7 + h) - 2 * func(0.7) + func(0.7 - h)) / h ** 2
        assert second(0.7) == pytest.approx(expected, rel=1e-5)
    check_grads(func, (0.7,), modes=('rev', 'fwd'), order=2)


def _rows_copied_then_written(rows, v):
    out = list(rows)
    out[0][1] = v  # (an item of the copy is the caller's array)
    return out


def row_written_through_a_list_copy(x):
    rows = [x * 1.0, x * 2.0]
    out = _rows_copied_then_written(rows, x[0])
    return np.sum(out[0] * rows[0])


def test_a_write_into_an_item_of_a_list_copy_is_still_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='writes into its argument'):
        s2sgrad.grad(row_written_through_a_list_copy)(np.array([0.5, 1.5]))


# Second review round. Arrays held by containers and written: each is right or refused.
def written_through_the_list_after_a_write(x):
    hs = []
    for i in range(1):
        h = np.zeros(2)
        h[0] = 1.0
        hs.append(h)
        hs[-1][1] = x[0] ** 2  # (a copy of hs[-1] would take this write away from hs)
    return hs[0][1]


def _second_item(a):
    return a[1]


def written_through_a_sorted_list(x):
    a = x * 1.0
    ys = sorted([a], key=_second_item)  # (a new list of the same arrays)
    ys[0][0] = 0.0
    return np.sum(a)


def _wrapped(a, b):
    return [a] + [b]


def written_after_a_helper_wrapped_it(x):
    h = np.zeros(2)
    pair = _wrapped(h, x)
    h[0] = x[0] ** 2
    return np.sum(pair[0])


def written_through_dict_values(p, x):
    vs = list(p.values())
    vs[0][0] = x[0] ** 2
    return np.sum(p['a']) + np.sum(x)


@pytest.mark.parametrize('func', [written_through_the_list_after_a_write,
                                  written_through_a_sorted_list,
                                  written_after_a_helper_wrapped_it],
                         ids=lambda f: f.__name__)
def test_arrays_held_by_containers_are_right_or_refused(func):
    x = np.array([0.7, -1.3, 0.4])
    kept = x.copy()
    for operator in (s2sgrad.grad, s2sgrad.jvp):
        try:
            got = operator(func)(x) if operator is s2sgrad.grad else \
                operator(func)(x, np.eye(3)[0])
        except s2sgrad.errors.UnsupportedSyntaxError:
            continue
        expected = numerical_grad(func, (x,), 0)
        np.testing.assert_allclose(got, expected if operator is s2sgrad.grad else expected[0],
                                   rtol=1e-6, atol=1e-8)
    assert np.array_equal(x, kept)


def test_a_write_through_the_values_of_a_dict_is_right_or_refused():
    x = np.array([0.7, -1.3, 0.4])
    p = {'a': np.array([0.5, 1.5])}
    try:
        got = s2sgrad.grad(written_through_dict_values, wrt=1)(p, x)
    except s2sgrad.errors.UnsupportedSyntaxError:
        return
    f = lambda x: written_through_dict_values({'a': np.array([0.5, 1.5])}, x)  # noqa: E731
    np.testing.assert_allclose(got, numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def dict_filled_in_a_loop(x):
    d = dict()
    for i in range(2):
        d[i] = x * x[i]
    return np.sum(d[0] + d[1])


def test_keys_added_to_a_dict_made_by_dict_are_differentiated():
    # (refused until keys added were removed again in the backward sweep: s2s.restore_item)
    x = np.array([0.7, -1.3])
    np.testing.assert_allclose(s2sgrad.grad(dict_filled_in_a_loop)(x),
                               numerical_grad(dict_filled_in_a_loop, (x,), 0), rtol=1e-6)


# Helpers taking and returning lists: the list a caller passes (an argument of its own, a
# list(...) of a display) gets its adjoint added item by item from the helper's derivative
# and from its own reads; a helper's result unpacked into names gives it a tuple adjoint,
# which its derivative takes items off; second order reads adjoints lists hold.
def _derivative_coefficients(cs):
    return [cs[i] * i for i in range(1, len(cs))]


def _first_times_slope(cs):
    d = _derivative_coefficients(cs)
    return cs[0] * d[0]


def coefficients_read_twice(x):
    return _first_times_slope([x, 3.0 * x])


def _tail(t):
    return t[1:]


def listed_then_tailed(x):
    lst = list([x, 2.0 * x, 3.0 * x])
    a = _tail(lst)
    return a[0] * lst[0] + a[1]


def _number_and_squares(values):
    return 1.0, [v * v for v in values]


def squares_unpacked_from_a_pair(x):
    c, u = _number_and_squares([x * 2.0, x * 3.0])
    return u[1] * c


def _features(x):
    return [x, x * x, math.sin(x)]


def features_in_a_comprehension(x):
    ys = [_features(v)[2] for v in [x, 2.0 * x]]
    return ys[0] + ys[1]


def _squares(t):
    return [v * v for v in t]


def squares_unpacked(x):
    a, b = _squares([x, 3.0 * x])
    return a * b


def squares_unpacked_from_a_tuple(x):
    a, b = tuple(_squares([x, 3.0 * x]))
    return a * b


@pytest.mark.parametrize('func', [coefficients_read_twice, listed_then_tailed,
                                  squares_unpacked_from_a_pair, features_in_a_comprehension,
                                  squares_unpacked, squares_unpacked_from_a_tuple],
                         ids=lambda f: f.__name__)
def test_helpers_taking_and_returning_lists(func):
    h = 1e-4
    for x in (0.7, -1.1):
        assert s2sgrad.grad(func)(x) == pytest.approx(
            (func(x + 1e-6) - func(x - 1e-6)) / 2e-6, rel=1e-6, abs=1e-8)
        second = (func(x + h) - 2 * func(x) + func(x - h)) / h ** 2
        assert s2sgrad.grad(s2sgrad.grad(func))(x) == pytest.approx(second, rel=1e-5,
                                                                    abs=1e-6)
    check_grads(func, (0.7,), modes=('rev', 'fwd'), order=2)


def test_vjp_of_a_tuple_of_a_helpers_list():
    def squares_as_tuple(lst):
        return tuple(_squares(lst))
    cotangent = (1.0, 1.0)
    assert s2sgrad.vjp(squares_as_tuple)([0.5, 1.5], cotangent) == pytest.approx([1.0, 3.0])
    assert cotangent == (1.0, 1.0)


# A list argument bound to a second name in a helper (`ys = xs`, `xs.copy()`, `xs or [...]`,
# a tuple): the two adjoints of the list add item by item (`+` joined them end to end, and
# the caller read the first items: silently wrong).
def _copied_first_times_second(xs):
    ys = xs.copy()
    return ys[0] * xs[1]


def _aliased_first_times_second(xs):
    ys = xs
    return ys[0] * xs[1]


def _defaulted_first_times_second(xs):
    ys = xs or [1.0, 1.0]
    return ys[0] * xs[1]


def list_copied_in_a_helper(a, b):
    return _copied_first_times_second([a, b])


def list_aliased_in_a_helper(a, b, c):
    return _aliased_first_times_second([a, b]) + _aliased_first_times_second([b, c])


def tuple_aliased_in_a_helper(a, b):
    return _aliased_first_times_second((a, b))


def list_defaulted_in_a_helper(a, b):
    return _defaulted_first_times_second([a, b])


def list_copied_and_written(xs):
    ys = xs.copy()
    ys[1] = ys[0] * ys[1]
    return ys[1] + xs[0]


@pytest.mark.parametrize('func', [list_copied_in_a_helper, list_aliased_in_a_helper,
                                  tuple_aliased_in_a_helper, list_defaulted_in_a_helper],
                         ids=lambda f: f.__name__)
def test_a_list_argument_under_two_names_in_a_helper(func):
    args = (2.0, 3.0, 5.0)[:func.__code__.co_argcount]
    wrt = tuple(range(len(args)))
    got = s2sgrad.grad(func, wrt=wrt)(*args)
    for i in wrt:
        assert got[i] == pytest.approx(numerical_grad(func, args, i), rel=1e-6, abs=1e-8)


def test_hvp_of_a_copied_list_argument():
    xs = [0.5, 1.3, -0.2, 0.7]
    # x0 * x1 + x0: the Hessian-vector product along e0 is e1
    assert s2sgrad.hvp(list_copied_and_written)(xs, [1.0, 0.0, 0.0, 0.0]) == \
        pytest.approx([0.0, 1.0, 0.0, 0.0])
    assert xs == [0.5, 1.3, -0.2, 0.7]
