"""Adjoint bookkeeping, shape reasoning across loops and repeated fancy indices, checked four
ways: reverse optimized, reverse raw, forward mode and central differences (and the Hessian
against differences of the gradient)."""

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

V = np.array([1.0, 2.0, -1.0])
W2 = np.array([[1.0, -2.0, 0.5], [0.3, 1.5, -1.0]])
WH = np.random.default_rng(1).normal(size=(3, 3)) * 0.4
WX = np.random.default_rng(2).normal(size=(2, 3)) * 0.4
XS = np.random.default_rng(3).normal(size=(4, 5, 2))
WEIGHTS = np.arange(1.0, 6.0)


# ---------------------------------------------- an intermediate both indexed and reduced

def indexed_then_reduced(x):
    y = x * V
    return y[1] + np.sum(y)


def reduced_then_indexed(x):
    y = x * V
    return np.sum(y) + y[1]


def slice_and_sum(x):
    y = x * V
    return np.sum(y[1:]) + np.sum(y)


def method_sum_and_slice(x):
    y = x * V
    return y[1:].sum() + y.sum()


def ellipsis_index_and_mean(x):
    y = x * W2
    return np.sum(y[..., 0]) + np.mean(y)


def division_indexed_and_reduced(x):
    y = x / (V + 3.0)
    return y[0] * 2.0 + np.sum(y) - y[2]


def two_d_row_and_total(x):
    y = np.sin(x) * W2
    return np.sum(y[1]) + np.sum(y) + y[0, 2]


def reduced_twice_and_indexed(x):
    y = x * x
    return np.sum(y) * np.sum(y) + y[2]


def indexed_in_loop_and_reduced(x):
    y = x * V
    total = np.sum(y)
    for i in range(3):
        total = total + y[i] * i
    return total


def mean_then_fancy_index(x):
    y = np.exp(x) * V
    return np.mean(y) + np.sum(y[[0, 2, 2]])


def sum_axis_and_index(x):
    y = x * W2
    s = np.sum(y, axis=0)
    return np.sum(s * s) + y[1, 1]


# ---------------------------------------------- loop-carried values whose shape changes

def rnn_broadcast_initial_state(h0):
    h = h0
    for t in range(4):
        h = np.tanh(h @ WH + XS[t] @ WX)
    return np.mean(h ** 2)


def rnn_weights_broadcast_state(Wh, h0):
    h = h0
    for t in range(3):
        h = np.tanh(h @ Wh + XS[t] @ WX)
    return np.mean(h ** 2)


def scalar_grows_to_vector(x):
    acc = 0.0
    for i in range(3):
        acc = acc + x * (i + 1.0)
    return np.sum(acc * acc)


def row_grows_to_matrix(r):
    m = r
    for i in range(2):
        m = m * W2 + 1.0
    return np.mean(np.sin(m))


def state_broadcast_in_while(h0):
    h = h0
    t = 0
    while t < 3:
        h = np.tanh(h + XS[t, :, :1] * 0.5)
        t += 1
    return np.mean(h * h)


def shape_change_in_branch(x):
    y = x
    if x[0] > 0:
        y = x * W2
    return np.mean(y ** 2)


# ---------------------------------------------- repeated fancy indices (last write wins)

def repeated_assign(x):
    y = np.zeros(3)
    y[[0, 0]] = x[:2]
    return np.sum(y * np.arange(1.0, 4.0))


def repeated_add_assign(x):
    y = np.zeros(3)
    y[[0, 0, 1]] += x[:3]
    return np.sum(y * np.arange(1.0, 4.0))


def repeated_assign_into_active(x):
    y = x * 2.0
    y[[1, 3, 1]] = x[:3] ** 2
    return np.sum(y * WEIGHTS)


def repeated_scalar_assign(x, s):
    y = x * 1.0
    y[[0, 0, 2]] = s * 3.0
    return np.sum(y * WEIGHTS)


def repeated_row_assign(x):
    y = np.zeros((3, 3))
    y[[2, 0, 2]] = x
    return np.sum(np.sin(y) * np.arange(9.0).reshape(3, 3))


def repeated_index_in_loop(x):
    y = np.zeros(5)
    for i in range(3):
        y[[i, i, 4]] = x[i:i + 3] * (i + 1.0)
    return np.sum(y * y)


def repeated_assign_squared(x):
    y = np.ones(4)
    y[[3, 3]] = x[1:3] * x[0]
    return np.sum(y ** 3)


# ---------------------------------------------- loops whose header reads changing values

def loop_over_rebound_sequence(x):
    for v in x:
        x = x * v
    return np.sum(x)


def range_of_value_changed_in_loop(x):
    n = np.zeros(1, dtype=int)
    n[0] = 3
    total = 0.0
    for i in range(n[0]):
        total = total + x[0] ** (i + 1.0)
        n[0] = 1
    return total


def range_of_list_grown_in_loop(x):
    xs = [x[0]]
    for i in range(len(xs) + 2):
        xs.append(xs[-1] * x[1])
    return xs[-1] + sum(xs)


def enumerate_rebound_sequence(x):
    total = 0.0
    for i, v in enumerate(x):
        total = total + v * i
        x = x * 2.0
    return total + np.sum(x)


def _vec(n):
    return lambda rng: [rng.uniform(0.5, 1.5, size=n)]


CASES = [
    (indexed_then_reduced, _vec(3)),
    (reduced_then_indexed, _vec(3)),
    (slice_and_sum, _vec(3)),
    (method_sum_and_slice, _vec(3)),
    (ellipsis_index_and_mean, _vec(3)),
    (division_indexed_and_reduced, _vec(3)),
    (two_d_row_and_total, lambda rng: [rng.uniform(0.5, 1.5, size=(2, 3))]),
    (reduced_twice_and_indexed, _vec(3)),
    (indexed_in_loop_and_reduced, _vec(3)),
    (mean_then_fancy_index, _vec(3)),
    (sum_axis_and_index, _vec(3)),
    (rnn_broadcast_initial_state, _vec(3)),
    (rnn_weights_broadcast_state, lambda rng: [rng.normal(size=(3, 3)) * 0.4,
                                               rng.normal(size=3)]),
    (scalar_grows_to_vector, _vec(3)),
    (row_grows_to_matrix, _vec(3)),
    (state_broadcast_in_while, _vec(1)),
    (shape_change_in_branch, _vec(3)),
    (loop_over_rebound_sequence, _vec(2)),
    (range_of_value_changed_in_loop, _vec(2)),
    (range_of_list_grown_in_loop, _vec(2)),
    (enumerate_rebound_sequence, _vec(3)),
    (repeated_assign, _vec(3)),
    (repeated_add_assign, _vec(3)),
    (repeated_assign_into_active, _vec(5)),
    (repeated_scalar_assign, lambda rng: [rng.uniform(0.5, 1.5, size=5), 0.7]),
    (repeated_row_assign, _vec(3)),
    (repeated_index_in_loop, _vec(5)),
    (repeated_assign_squared, _vec(4)),
]
IDS = [f.__name__ for f, _ in CASES]


def _all_wrt(f, args):
    return tuple(range(len(args)))


@pytest.mark.parametrize('f, make_args', CASES, ids=IDS)
def test_four_ways_agree(f, make_args):
    args = make_args(np.random.default_rng(0))
    originals = [np.copy(a) for a in args]
    wrt = _all_wrt(f, args)
    expected = [numerical_grad(f, [np.copy(a) for a in args], i) for i in wrt]
    for optimized in (True, False):
        grads = s2sgrad.grad(f, wrt=wrt if len(wrt) > 1 else 0, optimized=optimized)(*args)
        grads = grads if len(wrt) > 1 else (grads,)
        for i, g, e in zip(wrt, grads, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6,
                                       err_msg=f'{f.__name__} optimized={optimized} arg {i}')
    for a, o in zip(args, originals):
        np.testing.assert_array_equal(a, o)
    rng = np.random.default_rng(1)
    tangents = tuple(rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal())
                     for a in args)
    if len(wrt) == 1:
        directional = s2sgrad.jvp(f)(*args, tangents[0])
    else:
        directional = s2sgrad.jvp(f, wrt=wrt)(*args, tangents)
    reference = sum(float(np.sum(e * t)) for e, t in zip(expected, tangents))
    np.testing.assert_allclose(directional, reference, rtol=1e-5, atol=1e-6)
    for a, o in zip(args, originals):
        np.testing.assert_array_equal(a, o)


@pytest.mark.parametrize('f, make_args', CASES, ids=IDS)
def test_hessian_vector_product_matches_differences_of_the_gradient(f, make_args):
    args = make_args(np.random.default_rng(0))
    x = args[0]
    rest = args[1:]
    v = np.random.default_rng(5).normal(size=x.shape)
    df = s2sgrad.grad(f)
    eps = 1e-5
    expected = (df(x + eps * v, *rest) - df(x - eps * v, *rest)) / (2 * eps)
    got = s2sgrad.hvp(f)(x, *rest, v)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_repeated_index_keeps_only_the_last_write():
    # y[0] ends up holding x[1]: x[0] reaches nothing.
    g = s2sgrad.grad(repeated_assign)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
    g = s2sgrad.grad(repeated_add_assign)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 2.0])


def test_loop_carried_shape_change_gradient_closed_form():
    # h = h0 broadcast over a batch of 5, one step of identity: mean(h**2) over (5, 3) is
    # sum over the batch of 2 * h0 / 15 = 2 * h0 / 3.
    def f(h0):
        h = h0
        for t in range(1):
            h = h + np.zeros((5, 3))
        return np.mean(h ** 2)
    h0 = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(f)(h0), 2 * h0 / 3)


# ---------------------------------------------- built-in max/min, size-1 outputs

def max_of_list(x, y, z):
    return max([x, y, z]) * min(x, y)


def max_of_two_expressions(x, y):
    return max(x * y, y) ** 2 + min([y, x, 4.0])


def max_of_indexed_items(x):
    return max([x[0], x[1] * 2.0, x[2]]) + min(x[0], x[2]) * 3.0


def _numeric_partials(f, args, eps=1e-6):
    out = []
    for i in range(len(args)):
        up = [a + (eps if j == i else 0.0) for j, a in enumerate(args)]
        down = [a - (eps if j == i else 0.0) for j, a in enumerate(args)]
        out.append((f(*up) - f(*down)) / (2 * eps))
    return out


@pytest.mark.parametrize('args', [(1.0, 3.0, 2.0), (3.0, 1.0, 2.0), (1.5, 0.5, 2.5)])
def test_builtin_max_of_a_list_with_every_argument_differentiated(args):
    expected = _numeric_partials(max_of_list, args)
    for optimized in (True, False):
        got = s2sgrad.grad(max_of_list, wrt=(0, 1, 2), optimized=optimized)(*args)
        np.testing.assert_allclose(got, expected, atol=1e-6)
    directional = s2sgrad.jvp(max_of_list, wrt=(0, 1, 2))(*args, (1.0, -2.0, 0.5))
    np.testing.assert_allclose(directional, expected[0] - 2 * expected[1] + 0.5 * expected[2],
                               atol=1e-6)


@pytest.mark.parametrize('args', [(2.0, 3.0), (0.5, 3.0), (1.5, -1.0)])
def test_builtin_max_and_min_of_two_values(args):
    expected = _numeric_partials(max_of_two_expressions, args)
    got = s2sgrad.grad(max_of_two_expressions, wrt=(0, 1))(*args)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    hessian = s2sgrad.hessian(max_of_two_expressions, wrt=0)(*args)
    step = 1e-5
    dfdx = s2sgrad.grad(max_of_two_expressions)
    reference = (dfdx(args[0] + step, args[1]) - dfdx(args[0] - step, args[1])) / (2 * step)
    np.testing.assert_allclose(hessian, reference, atol=1e-4)


def test_builtin_max_of_array_items():
    x = np.array([1.0, 3.0, 2.0])
    expected = numerical_grad(max_of_indexed_items, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(max_of_indexed_items)(x), expected, atol=1e-6)


def column_inner_product(x):
    r = x.reshape(-1, 1)
    return r.T @ r


def one_element_sum(x):
    return np.sum(x, keepdims=True) * x[0:1]


@pytest.mark.parametrize('f', [column_inner_product, one_element_sum])
def test_size_one_array_output(f):
    x = np.array([1.0, 2.0, 3.0])
    scalar = lambda v: float(np.reshape(f(v), ()))  # noqa: E731
    expected = numerical_grad(scalar, [x.copy()], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(f, optimized=False)(x), expected, atol=1e-6)
    value, g = s2sgrad.value_and_grad(f)(x)
    np.testing.assert_allclose(value, f(x))
    np.testing.assert_allclose(g, expected, atol=1e-6)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(np.reshape(s2sgrad.jvp(f)(x, v), ()), expected @ v, atol=1e-6)
    dfdx = s2sgrad.grad(f)
    reference = np.array([(dfdx(x + 1e-5 * e) - dfdx(x - 1e-5 * e)) / 2e-5 for e in np.eye(3)])
    np.testing.assert_allclose(s2sgrad.hessian(f)(x), reference, atol=1e-4)


def max_of_three_arguments(x, y, z):
    return max(x * 2.0, y, z) - min(x, y, z, 0.5)


@pytest.mark.parametrize('args', [(1.0, 3.0, 2.0), (2.0, 1.0, 0.2), (0.1, 0.3, 0.2)])
def test_builtin_max_of_three_arguments(args):
    expected = _numeric_partials(max_of_three_arguments, args)
    got = s2sgrad.grad(max_of_three_arguments, wrt=(0, 1, 2))(*args)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    directional = s2sgrad.jvp(max_of_three_arguments, wrt=(0, 1, 2))(*args, (1.0, 1.0, 1.0))
    np.testing.assert_allclose(directional, sum(expected), atol=1e-6)


def test_a_rule_form_the_template_does_not_cover_is_rejected():
    def f(x, y):  # (max's default= is covered: the definition max_or)
        return np.mean(np.array([x, y]), where=np.array([True, False]))
    with pytest.raises(s2sgrad.errors.S2SError, match='where'):
        s2sgrad.grad(f)(1.0, 2.0)

    def g(x, y):  # (key= is covered: s2s.max_by)
        return max([x, y], key=abs)
    assert s2sgrad.grad(g, wrt=(0, 1))(1.0, -2.0) == (0.0, 1.0)


def weighted_square(x, y):
    return np.sum(x ** 2 * y)


@pytest.mark.parametrize('wrt', [(0,), [0], ('x',), ['x']])
def test_a_tuple_or_list_wrt_of_one_argument_returns_a_tuple(wrt):
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    for result in (s2sgrad.grad(weighted_square, wrt=wrt)(x, y),
                   s2sgrad.value_and_grad(weighted_square, wrt=wrt)(x, y)[1],
                   s2sgrad.vjp(weighted_square, wrt=wrt)(x, y, 1.0),
                   s2sgrad.hvp(weighted_square, wrt=wrt)(x, y, (np.ones(2),))):
        assert isinstance(result, tuple) and len(result) == 1
    np.testing.assert_allclose(s2sgrad.grad(weighted_square, wrt=wrt)(x, y)[0], 2 * x * y)
    np.testing.assert_allclose(s2sgrad.hvp(weighted_square, wrt=wrt)(x, y, (np.ones(2),))[0],
                               2 * y)


def test_numpy_integer_wrt():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(s2sgrad.grad(weighted_square, wrt=np.int64(1))(x, y), x ** 2)
    g = s2sgrad.grad(weighted_square, wrt=(np.int32(0), np.int64(1)))(x, y)
    np.testing.assert_allclose(g[1], x ** 2)
