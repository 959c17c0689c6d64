"""Functions written the way users write them, awkward parts included, for the differential oracle.

``CASES`` lists ``(function, args_factory, wrt)`` like ``tests/corpus.py``: ``args_factory(rng)``
builds arguments in the function's valid domain (away from kinks unless the derivative exists
there), ``wrt`` is what to differentiate with respect to.

``MAY_RAISE`` holds the functions for which an ``s2sgrad.errors.S2SError`` is an acceptable
outcome (writes through views and aliases, dictionaries, helpers that write into their
arguments): for those s2sgrad must give the right gradient *or* refuse loudly, never a wrong
number and never a modified input. Every other function must be differentiated correctly.

``FIRST_ORDER`` holds the functions whose second derivative is not checked: cases whose
Hessian-vector product would cost too much, and those whose second derivative is a refusal the
README documents (loops writing into arrays the gradient takes off its stacks).

No function here is written to suit the implementation: each is what a user might write.
"""

import collections
import functools
import itertools
import math

import numpy as np

try:
    import scipy.special as scipy_special
    import scipy.stats as scipy_stats
except ImportError:  # (scipy is in the test extra; the cases that need it are left out)
    scipy_special = scipy_stats = None


# ==================== input helpers

def _vec(rng, n=5, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=n).astype(dtype)


def _mat(rng, shape=(3, 4), lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _away(rng, shape, points=(0.0,), margin=0.2, lo=-2.0, hi=2.0):
    """Uniform values in [lo, hi] at least ``margin`` away from every point in ``points``."""
    size = int(np.prod(shape)) if shape != () else 1
    out = np.empty(size)
    for k in range(size):
        while True:
            v = rng.uniform(lo, hi)
            if all(abs(v - p) > margin for p in points):
                out[k] = v
                break
    return out.reshape(shape)


def _distinct(rng, shape, gap=0.2, lo=-2.0, hi=2.0):
    """Values whose pairwise distances are all at least ``gap`` (no ties for max/sort)."""
    size = int(np.prod(shape))
    while True:
        v = rng.uniform(lo, hi, size=size)
        s = np.sort(v)
        if size < 2 or np.min(np.diff(s)) >= gap:
            return v.reshape(shape)


def _sc(rng, lo=-1.0, hi=1.0):
    return float(rng.uniform(lo, hi))


V5 = np.array([0.5, -1.0, 2.0, 1.5, -0.3])
W34 = np.array([[0.2, -0.5, 1.0, 0.3],
                [0.7, 0.1, -0.4, 0.9],
                [-0.6, 0.8, 0.5, -0.2]])
C3 = np.array([1.0, 2.0, 3.0])
C4 = np.array([1.0, -2.0, 3.0, 0.5])


# ==================== A. intermediates that are both indexed and reduced

def idx_and_sum(x):
    y = x * V5
    return y[1] + np.sum(y)


def slice_and_sum(x):
    y = np.sin(x)
    return np.sum(y[1:3]) + np.sum(y)


def ellipsis_and_mean(X):
    Y = X * W34
    return np.sum(Y[..., 0]) + np.mean(Y)


def div_index_over_sum(x):
    y = x / (1.0 + x ** 2)
    return y[0] / np.sum(y ** 2)


def row_times_total(X, W):
    Y = X @ W
    return np.sum(Y[0]) * np.sum(Y)


def column_and_axis_sum(X):
    Y = np.tanh(X)
    return np.sum(Y[:, 1]) + np.sum(np.sum(Y, axis=0) ** 2)


def last_and_max(x):
    y = x ** 2
    return y[-1] + np.max(y)


def element_times_method_sum(x):
    y = np.exp(x)
    return y[2] * y.sum()


def same_element_twice(x):
    y = x * 3.0
    return y[0] * y[0] + y[1]


def fancy_read_and_mean(x):
    y = np.cos(x)
    return np.sum(y[[0, 2, 2]]) + np.mean(y)


def mask_and_sum(x):
    y = x * 2.0
    mask = y > 0.0
    return np.sum(y[mask]) + np.sum(y)


def row_slice_norm(X):
    Y = X * X
    return np.linalg.norm(Y[1:]) + np.sum(Y)


def ellipsis_3d(T):
    Y = T * 2.0 + 1.0
    return np.sum(Y[..., 1]) + np.sum(Y[0, ...] ** 2) + np.mean(Y)


def reduced_then_indexed(X):
    s = np.sum(X, axis=0)
    return s[1] + np.sum(s ** 2)


def outer_element_and_sum(x, w):
    y = x[:, None] * w[None, :]
    return y[1, 2] + np.sum(y)


def keepdims_mean_indexed(X):
    m = np.mean(X, axis=1, keepdims=True)
    return m[0, 0] + np.sum((X - m) ** 2)


def gram_entry_and_trace(X):
    G = X.T @ X
    return G[0, 1] + np.trace(G)


def indexed_in_loop_and_reduced(x):
    y = np.sin(x)
    s = 0.0
    for i in range(3):
        s = s + y[i]
    return s * np.sum(y)


def two_d_division_indexed(X, Y):
    R = X / (1.5 + Y)
    return R[1, 0] / (1.0 + np.sum(R * R))


def column_vector_indexed(x):
    c = x.reshape(-1, 1) * 2.0
    return c[2, 0] + np.sum(c @ c.T)


def scalar_of_row_sum(X):
    r = X.sum(axis=1)
    return r[0] * r[1] + r.sum()


# ==================== B. loop-carried values whose shape changes by broadcasting

def rnn_h0_vector(h0, Wh, Wx, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.mean(h ** 2)


def rnn_h0_vector_loss_each_step(h0, Wh, Wx, xs, ys):
    h = h0
    loss = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
        loss = loss + np.mean((h - ys[t]) ** 2)
    return loss


def scalar_state_becomes_vector(x, w):
    h = 0.0
    for t in range(3):
        h = np.tanh(x * w[t] + h)
    return np.sum(h ** 2)


def row_accumulator(X):
    acc = 0.0
    for row in X:
        acc = acc + row * row
    return np.sum(acc ** 2)


def scalar_times_vector_loop(x):
    s = x[0]
    for i in range(3):
        s = s * x
    return np.sum(s)


def while_broadcast_state(b, X, W):
    h = b
    k = 0
    while k < 3:
        h = np.tanh(h + X @ W)
        k = k + 1
    return np.mean(h)


def gate_broadcast_loop(h0, G):
    h = h0
    for t in range(G.shape[0]):
        h = h * np.tanh(G[t]) + 0.1
    return np.sum(h)


def column_state_grows(c0, X):
    c = c0
    for k in range(2):
        c = np.sin(c + X)
    return np.sum(c)


def product_of_growing(a, xs):
    acc = a
    for x_t in xs:
        acc = acc * x_t
    return np.sum(acc)


def gru_like(h0, Wz, Wh, xs):
    h = h0
    for t in range(xs.shape[0]):
        z = 1.0 / (1.0 + np.exp(-(xs[t] @ Wz + h)))
        h = (1.0 - z) * h + z * np.tanh(xs[t] @ Wh)
    return np.mean(h)


def row_state_to_matrix(h0, Wh, xs):
    h = h0[None, :]
    for t in range(2):
        h = np.tanh(h @ Wh + xs[t])
    return np.sum(h)


def list_of_states_broadcast(h0, xs):
    h = h0
    states = []
    for t in range(xs.shape[0]):
        h = np.sin(h + xs[t])
        states.append(h)
    return np.sum(np.array(states) ** 2)


def mean_loss_shape_change(w, X, y):
    pred = 0.0
    for j in range(X.shape[1]):
        pred = pred + X[:, j] * w[j]
    return np.mean((pred - y) ** 2)


# ==================== C. views and aliases with writes (correct or S2SError)

def view_write_into_argument(x):
    v = x[1:]
    v[0] = 5.0
    return np.sum(x * x)


def view_write_into_copy(x):
    y = x.copy()
    v = y[1:]
    v[0] = 5.0
    return np.sum(y ** 2 * x)


def full_slice_alias_write(x):
    y = x[:]
    y[0] = y[0] * 2.0
    return np.sum(x * y)


def ravel_view_write(X):
    r = X.ravel()
    r[1] = 0.0
    return np.sum(np.sin(X))


def transpose_view_write(X):
    t = X.T
    t[0, 1] = 1.0
    return np.sum(X ** 2)


def asarray_alias_write(x):
    a = np.asarray(x)
    a[0] = 3.0 * a[1]
    return np.sum(np.exp(x))


def list_holding_argument_write(x):
    lst = [x, x * 2.0]
    lst[0][1] = 0.0
    return np.sum(lst[0]) + np.sum(lst[1] ** 2)


def alias_inplace_add(x):
    y = x
    y += 1.0
    return np.sum(x * y)


def alias_inplace_mul(x):
    y = x
    y *= 2.0
    return np.sum(y ** 2) + np.sum(x)


def reshape_view_write(x):
    y = x.reshape(2, 3)
    y[0] = 0.0
    return np.sum(x ** 2)


def strided_view_inplace(x):
    y = np.tanh(x)
    v = y[::2]
    v *= 3.0
    return np.sum(y ** 2)


def view_inplace_add_shifted(x):
    y = x * 1.0
    v = y[1:]
    v += x[:-1]
    return np.sum(y ** 2)


def alias_write_read_original(x):
    y = np.sin(x)
    z = y
    z[0] = 0.0
    return np.sum(y * x)


def alias_full_assign(x):
    y = np.zeros(3)
    w = y
    w[:] = x * 2.0
    return np.sum(y * y)


def row_view_write(X):
    Y = X * 1.0
    r = Y[0]
    r[:] = r * 2.0
    return np.sum(Y ** 2)


def column_view_write_argument(X):
    v = X[:, 0]
    v[:] = np.sum(X, axis=1)
    return np.sum(X ** 2)


def alias_in_list_then_write(x):
    y = x * 2.0
    lst = [y]
    y[0] = 1.0
    return np.sum(lst[0] * x)


def view_of_view_write(x):
    y = x * x
    v = y[1:]
    w = v[1:]
    w[0] = 0.0
    return np.sum(y * x)


def alias_reassigned_after_write(x):
    y = x * 1.0
    z = y
    z[0] = 2.0 * z[1]
    z = z * 3.0
    return np.sum(y) + np.sum(z)


def overlapping_inplace_shift(x):
    y = x * 1.0
    y[1:] += y[:-1]
    return np.sum(y ** 2)


def argument_alias_passed_to_helper(x):
    y = x
    _double_first(y)
    return np.sum(x * x)


def _double_first(v):
    v[0] = v[0] * 2.0
    return v


def helper_writes_and_returns(x):
    y = x.copy()
    z = _double_first(y)
    return np.sum(y * z)


def helper_writes_into_argument(x):
    z = _double_first(x)
    return np.sum(z * x)


def swapped_rows_with_fancy(X, W):
    Y = X.copy()
    Y[[0, 1]] = Y[[1, 0]]
    return np.sum(Y * W)


def swap_elements_tuple(x):
    y = x.copy()
    y[0], y[1] = y[1], y[0]
    return y[0] * 3.0 + y[1] + np.sum(y * x)


def write_argument_elementwise(x):
    x[0] = x[1] * 2.0
    return np.sum(x ** 2)


def inplace_on_argument(x):
    x += 1.0
    x *= x
    return np.sum(x)


def dict_inside_function(x, y):
    d = {'a': x, 'b': y}
    return np.sum(d['a'] * d['b'])


# ==================== D. repeated fancy indices (NumPy: last write wins, += applies once)

def repeated_index_assign(x):
    y = np.zeros(3)
    y[[0, 0]] = x[:2]
    return np.sum(y * C3)


def repeated_index_iadd(x):
    y = np.zeros(3)
    y[[0, 0, 1]] += x[:3]
    return np.sum(y * C3)


def repeated_index_assign_from_fancy(x):
    y = x.copy()
    y[[1, 1]] = x[[2, 3]] * 2.0
    return np.sum(y ** 2)


def repeated_index_imul(x):
    y = x * 1.0
    y[[0, 2, 0]] *= 2.0
    return np.sum(y * V5)


def repeated_rows_assign(X):
    Y = np.zeros((2, 4))
    Y[[0, 0]] = X[:2]
    return np.sum(Y * W34[:2])


def repeated_index_argument(x, idx):
    y = np.zeros(4)
    y[idx] = x
    return np.sum(y * C4)


def repeated_index_gather(x):
    return np.sum(x[[0, 0, 1]] ** 2)


def repeated_index_isub(x):
    y = x * 1.0
    y[[0, 0]] -= x[2:4]
    return np.sum(y * y)


def repeated_then_single(x):
    y = np.zeros(3)
    y[[2, 0, 2]] = x[:3]
    y[[0]] += x[3]
    return np.sum(y * C3)


def repeated_index_iadd_argument_index(x, idx):
    y = x * 1.0
    y[idx] += np.sin(x[:3])
    return np.sum(y ** 2)


def gather_repeated_2d(X):
    rows = X[[1, 1, 0]]
    return np.sum(rows * W34)


# ==================== E. nested lists of active values into np.array

def det_of_scalars(a, b, c, d):
    A = np.array([[a, b], [c, d]])
    return np.linalg.det(A)


def matrix_of_elements(x):
    A = np.array([[x[0], x[1]], [x[1], x[0] ** 2]])
    return np.sum(A @ A)


def stack_by_array(x, W):
    M = np.array([x, 2.0 * x])
    return np.sum(M ** 2 * W)


def array_with_constants(x):
    M = np.array([[x[0], 1.0], [0.0, x[1]]])
    return np.sum(np.linalg.inv(M) * C4.reshape(2, 2))


def column_from_elements(x):
    r = np.array([[x[0]], [x[1] * 2.0]])
    return np.sum(r.T @ r)


def rotation_matrix(a, v):
    M = np.array([[np.sin(a), np.cos(a)], [-np.cos(a), np.sin(a)]])
    return np.sum((M @ v) ** 3)


def three_level_nesting(x):
    T = np.array([[[x[0], x[1]]], [[x[2], x[0]]]])
    return np.sum(T ** 2 * np.array([1.0, 2.0]))


def array_of_two_vectors(x, y):
    M = np.array([x, y])
    return np.sum(M.T @ M)


def array_of_appended_rows(x):
    rows = []
    for i in range(3):
        rows.append([x[i], x[i] ** 2])
    A = np.array(rows)
    return np.sum(A * A) + A[1, 1]


def array_mixed_floats_and_elements(a, x):
    v = np.array([a, x[0], 2.0, a * x[1]])
    return np.sum(v * C4) + np.prod(v[:2])


# ==================== F. reductions of Python lists

def np_sum_of_scalars(a, b, c):
    return np.sum([a, b * 2.0, c ** 2])


def np_mean_of_elements(x):
    return np.mean([x[0], x[1] * 2.0, x[2] ** 2])


def norm_of_list(a, b):
    return np.linalg.norm([a, b])


def np_sum_of_arrays(x, y):
    return np.sum([x, y * 2.0])


def np_mean_of_arrays_axis(x, y):
    m = np.mean([x, y], axis=0)
    return np.sum(m ** 2)


def norm_of_mixed_list(x):
    return np.linalg.norm([x[0] - 1.0, x[1] + 2.0, 3.0])


def np_max_of_list(a, b, c):
    return np.max([a, b, c])


def np_prod_of_list(a, b, c):
    return np.prod([a, b, c])


def builtin_sum_of_elements(x):
    return sum([x[0], x[1], x[2] * x[3]])


# ==================== G. reductions over size-1 axes

def sum_over_size1_axis_output(x):
    return np.sum(np.sin(x), axis=1)


def sum_axis0_of_row(x):
    s = np.sum(x, axis=0)
    return np.sum(s ** 2)


def mean_over_size1_columns(X):
    m = np.mean(X, axis=1)
    return np.sum(m * np.arange(4.0))


def sum_two_size1_axes(X):
    s = np.sum(X, axis=(0, 2))
    return np.sum(s ** 3)


def keepdims_over_size1(X):
    s = np.sum(X, axis=0, keepdims=True)
    return np.sum(s * X)


def method_sum_size1(X):
    return np.sum(X.sum(axis=1) ** 2)


def max_over_size1_axis(x):
    m = np.max(x, axis=0)
    return np.sum(m * C3)


def prod_over_size1(X):
    p = np.prod(X, axis=1)
    return np.sum(p ** 2)


def norm_rows_of_one(X):
    n = np.linalg.norm(X, axis=1)
    return n[0]


def squeeze_after_size1_sum(X):
    s = np.sum(X, axis=1, keepdims=True)
    return np.sum(np.squeeze(s) * C3)


def mean_axis_minus_one_size1(T):
    m = np.mean(T, axis=-1)
    return np.sum(np.cos(m))


# ==================== H. size-1 array outputs

def column_inner(r):
    return r.T @ r


def first_element_slice(x):
    return x[:1] * 2.0


def keepdims_loss(X):
    return np.sum(X ** 2, keepdims=True)


def row_times_column(a, b):
    return np.dot(a, b)


def array_of_sum(x):
    return np.array([np.sum(x ** 2)])


def vector_times_column(w, X):
    return w @ X


def mean_of_column(X):
    return np.mean(X ** 2, axis=0)


def size1_plus_scalar(a, b):
    return a @ b + 1.0


def float_of_sum(x):
    return float(np.sum(x ** 2))


def reshape_to_one_by_one(x):
    return np.sum(x * x).reshape(1, 1)


def size1_loss_in_loop(r, n):
    acc = np.zeros((1, 1))
    for i in range(n):
        acc = acc + r.T @ r * (i + 1.0)
    return acc


# ==================== I. builtin max/min over several arguments

def max_of_three(x, y, z):
    return max([x, y, z])


def max_min_args(a, b, c):
    return max(a, b) * min(a, b, c)


def max_of_sums(x, y, z):
    return max([np.sum(x), np.sum(y), np.sum(z)])


def min_of_elements(x):
    return min([x[0], x[1], x[2]]) + x[1]


def max_of_appended(x):
    vals = []
    for i in range(4):
        vals.append(np.sin(x[i]) * (i + 1))
    return max(vals)


def builtin_abs_difference(a, b):
    return abs(a - b) * a


def max_tie_same_value(a):
    return max(a, a) * 2.0 + a


def np_maximum_same_array(x):
    return np.sum(np.maximum(x, x) * V5)


# ==================== J. containers

def list_of_arrays_indexed(x, y):
    lst = [x, y]
    return np.sum(lst[0] * lst[1])


def tuple_pack_unpack(x, y):
    t = (x * 2.0, y + 1.0)
    a, b = t
    return np.sum(a * b)


def layers_in_list(x, W1, W2):
    layers = [W1, W2]
    h = x
    for W in layers:
        h = np.tanh(h @ W)
    return np.sum(h)


def list_element_replaced(x, y):
    lst = [x, y]
    lst[1] = lst[1] * 2.0
    return np.sum(lst[0] + lst[1] ** 2)


def params_list_argument(params, x):
    W, b = params
    return np.sum(np.tanh(x @ W + b))


def params_tuple_argument(params, x):
    return np.sum((x @ params[0] + params[1]) ** 2)


def params_dict_argument(params, x):
    return np.sum(np.tanh(x @ params['W']) * params['b'])


def nested_list_argument(p):
    return p[0][0] * p[0][1] + np.sum(p[1] ** 2)


def list_concatenation(x, y):
    lst = [x] + [y * 2.0]
    return np.sum(lst[1] * lst[0])


def tuple_of_tuples(x):
    pairs = ((x[0], x[1]), (x[2], x[3]))
    total = 0.0
    for a, b in pairs:
        total = total + a * b
    return total


def list_of_lists_loop(x):
    table = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for row in table:
        s = s + row[0] * row[1]
    return s


def list_append_alias(x):
    out = []
    y = x * 2.0
    out.append(y)
    out.append(y)
    return np.sum(out[0] * out[1])


# ==================== K. ties, kinks and special points

def power_zero_base(y):
    return np.sum(np.power(0.0, y) + y ** 2)


def power_zero_exponent_at_zero(x):
    return np.sum(x ** 0.0 * 3.0 + x)


def power_one_at_zero(x):
    return np.sum(x ** 1.0 + 2.0 * x)


def power_int_zero_exponent(x):
    return np.sum(np.power(x, 0) + np.power(x, 2))


def negative_base_integer_exponent(x, y):
    return np.sum(x ** y)


def power_argument_exponent_at_zero(x, p):
    return np.sum(x ** p)


def relu_away(x):
    return np.sum(np.maximum(x, 0.0) * V5)


def where_away(x):
    return np.sum(np.where(x > 0.0, x ** 2, -x))


def clip_inside(x):
    return np.sum(np.clip(x, -3.0, 3.0) ** 2)


def clip_outside(x):
    return np.sum(np.clip(x, -0.1, 0.1) * x)


def sort_weighted(x):
    return np.sum(np.sort(x) * V5)


def sign_times_x(x):
    return np.sum(x * np.sign(x))


def floor_times_x(x):
    return np.sum(np.floor(x * 3.0) * x)


def sqrt_of_square_away(x):
    return np.sum(np.sqrt(x * x))


def abs_at_nonzero(x):
    return np.sum(np.abs(x) ** 3)


def norm_of_vector(x):
    return np.linalg.norm(x) ** 2 + np.linalg.norm(x)


def arctan2_plane(y, x):
    return np.sum(np.arctan2(y, x))


def square_of_zero(x):
    return np.sum(x ** 2 + np.sin(x))


def max_axis_distinct(X):
    return np.sum(np.max(X, axis=1) * np.arange(1.0, 4.0))


def min_axis_distinct(X):
    return np.sum(np.min(X, axis=0) ** 2)


def minimum_of_two(x, y):
    return np.sum(np.minimum(x, y) * V5)


def abs_python_float(a):
    return abs(a) * a + abs(a - 3.0)


# ==================== L. in-place operators

def inplace_chain(x):
    y = x * 1.0
    y += x ** 2
    y *= 3.0
    y -= x
    y /= 2.0
    return np.sum(y)


def inplace_slices(x):
    y = x.copy()
    y[1:3] += x[:2]
    y[0] *= x[3]
    return np.sum(y ** 2)


def inplace_scalars(a, b):
    s = 0.0
    s += a
    s *= b
    s -= a * b * 0.5
    s /= 2.0
    s **= 2
    return s


def inplace_matrix_rows(X):
    Y = X * 1.0
    Y[:, 0] *= 2.0
    Y[1] += Y[0]
    return np.sum(Y ** 2)


def inplace_elementwise_loop(x):
    y = x * 1.0
    for i in range(3):
        y[i] **= 2
    return np.sum(y * V5)


def inplace_overlap_subtract(x):
    y = np.sin(x)
    y[1:] -= y[:-1]
    return np.sum(y * y)


def inplace_normalise(x):
    y = np.exp(x)
    y /= np.sum(y)
    return np.sum(y * V5)


def inplace_broadcast_accumulate(v, c):
    acc = np.zeros((3, 4))
    acc += v
    acc += c[:, None]
    return np.sum(acc ** 2)


def inplace_power_elementwise(x):
    y = x + 2.0
    y **= 1.5
    return np.sum(y)


def inplace_add_same_name_twice(x):
    s = np.zeros(5)
    s += x
    s += x
    return np.sum(s * x)


# ==================== M. control flow, recursion, closures, helpers

def early_return_on_sum(x):
    if np.sum(x) > 0.0:
        return np.sum(x ** 2)
    y = np.sin(x)
    return np.sum(y * x)


def early_return_in_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] ** 2
        if s > 1.0:
            return s * np.sum(x)
    return s


def while_fixed_point(a):
    x = 0.5
    k = 0
    while k < 6:
        x = 0.5 * (x + a / x)
        k = k + 1
    return x


def while_until_small(x):
    y = x * 1.0
    while np.max(np.abs(y)) > 0.1:
        y = y * 0.5
    return np.sum(y * y)


def _rec_sin(x, n):
    if n == 0:
        return x
    return _rec_sin(np.sin(x) * 1.1, n - 1)


def recursive_sin(x):
    return np.sum(_rec_sin(x, 3))


def _tree(x, n):
    if n == 0:
        return x
    return _tree(x * 0.5, n - 1) + _tree(np.cos(x), n - 1)


def tree_recursion(x):
    return np.sum(_tree(x, 2))


def closure_layers(x, W):
    def layer(h):
        return np.tanh(h @ W)
    return np.sum(layer(layer(x)))


def closure_late_binding(x):
    a = x[0]

    def g(t):
        return t * a
    a = x[1]
    return g(x[2]) + a


def _sq(v):
    return v * v


def helper_called_twice(x, y):
    return np.sum(_sq(x) + _sq(y))


def helper_twice_same_argument(x):
    a = _sq(x)
    b = _sq(x)
    return np.sum(a * b)


def _stats(v):
    return np.mean(v), np.std(v)


def helper_tuple_unpacked(x):
    m, s = _stats(x)
    return m * s + s ** 2


def _affine(v, w=2.0, b=None):
    if b is None:
        b = 0.5
    return v * w + b


def helper_defaults_and_keywords(x, a):
    return np.sum(_affine(x) + _affine(x, w=a) + _affine(x, b=a))


def _inner_helper(v):
    return np.exp(-v * v)


def _outer_helper(v):
    return _inner_helper(v) * v + _inner_helper(v * 2.0)


def nested_helpers(x):
    return np.sum(_outer_helper(x))


def _collect(x, n, acc):
    if n == 0:
        return acc
    acc.append(x * n)
    return _collect(np.sin(x), n - 1, acc)


def recursion_with_list(x):
    parts = _collect(x, 3, [])
    return np.sum(np.array(parts) ** 2)


def loop_with_break_on_value(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < -0.5:
            break
        s = s + np.exp(x[i])
    return s


def continue_and_accumulate(x):
    total = np.zeros(2)
    for i in range(x.shape[0]):
        if i % 2 == 1:
            continue
        total = total + x[i] * np.array([1.0, -1.0])
    return np.sum(total ** 2)


def branch_on_shape(x):
    if x.ndim == 2:
        return np.sum(x @ x.T)
    return np.sum(x * x)


def nested_loops_matrix(X):
    s = 0.0
    n, m = X.shape
    for i in range(n):
        for j in range(m):
            if i != j:
                s = s + X[i, j] * X[j % n, i % m]
    return s


# ==================== N. methods

def method_sums_both_axes(X):
    return np.sum(X.sum(axis=0) ** 2) + np.sum(X.sum(axis=1) ** 3)


def method_gram(X):
    return np.sum(X.T @ X)


def method_reshape_T_sum(x):
    return np.sum(x.reshape(2, 3).T.sum(axis=1) ** 2)


def method_mean_keepdims(X):
    return np.sum((X - X.mean(axis=0, keepdims=True)) ** 2)


def method_dot_vectors(x, y):
    return x.dot(y) ** 2


def method_max_axis(X):
    return np.sum(X.max(axis=1))


def method_prod_axis(X):
    return np.sum(X.prod(axis=0))


def method_clip_cumsum(x):
    return np.sum(x.clip(-5.0, 5.0).cumsum() ** 2)


def method_swapaxes(T):
    return np.sum(T.swapaxes(0, 1) * np.arange(12.0).reshape(3, 2, 2))


def method_flatten_ravel(X):
    return np.sum(X.flatten() * X.ravel()) + X.ravel()[3]


def method_var_std(X):
    return np.sum(X.var(axis=0)) + X.std()


def method_squeeze(X):
    return np.sum(X.squeeze() ** 2 * C3)


def method_copy_then_write(x):
    y = x.copy()
    y[0] = 1.0
    return np.sum(y * x)


def method_transpose_axes(T):
    return np.sum(T.transpose(2, 0, 1)[0] ** 2)


def method_trace_diagonal(X):
    return X.trace() * np.sum(X.diagonal() ** 2)


def method_chain_long(x):
    return x.reshape(3, 2).T.reshape(-1).cumsum().sum()


# ==================== O. broadcasting of every kind

def bcast_col_row(a, b):
    return np.sum((a + b) ** 2)


def bcast_vector_matrix(v, X):
    return np.sum(np.sin(v * X))


def bcast_zero_d_array(s, x):
    return np.sum(s * x + s ** 2)


def bcast_3d_with_2d(T, M):
    return np.sum(np.tanh(T * M))


def bcast_size1_vector(a, x):
    return np.sum((a + x) * x)


def bcast_one_by_one(a, X):
    return np.sum(a * X ** 2)


def bcast_maximum(a, b):
    return np.sum(np.maximum(a, b) * 1.5)


def bcast_where(a, b):
    cond = np.arange(12).reshape(3, 4) % 3 == 0
    return np.sum(np.where(cond, a, b) ** 2)


def bcast_divide(X, d):
    return np.sum(X / d)


def bcast_power_exponent(X, p):
    return np.sum(X ** p)


def bcast_batched_matmul(T, W):
    return np.sum(np.tanh(T @ W))


def bcast_column_minus_size1(c, a):
    return np.sum(np.exp(c - a))


def bcast_both_expand(x, y):
    D = x[:, None] - y[None, :]
    return np.sum(D ** 2)


def bcast_keepdims_divide(X):
    return np.sum(X / np.sum(X ** 2, axis=1, keepdims=True))


def bcast_scalar_float_and_row(a, r, X):
    return np.sum((X * a + r) ** 2)


def bcast_subtract_mean_rows(X):
    Y = X - np.mean(X, axis=0)
    return np.sum(Y ** 2 * W34)


# ==================== P. float32 inputs

def f32_mlp(x, W1, W2):
    h = np.tanh(x @ W1)
    return np.sum((h @ W2) ** 2)


def f32_times_python_constant(x):
    return np.sum(np.sin(x * 0.1) + x * 2.5)


def f32_mean_reduction(X):
    return np.mean(X ** 2) + np.mean(X, axis=0)[1]


def f32_with_float_scalar(x, a):
    return np.sum(x * a + a ** 2)


def f32_size1_output(r):
    return r.T @ r


def f32_loop(x, W):
    h = x
    for k in range(3):
        h = np.tanh(h @ W)
    return np.sum(h)


def f32_indexed_and_reduced(x):
    y = x * x
    return y[0] + np.sum(y)


# ==================== Q. integer-valued float inputs

def one_element_wrt_tuple(x, y):
    return np.sum(np.sin(x) * y)


def int_valued_polynomial(x):
    return np.sum(x ** 3 - 2.0 * x ** 2 + x)


def int_valued_python_float(a):
    return a ** 3 + 2.0 * a


def int_valued_exponents(x, y):
    return np.sum(np.power(x, y))


def int_valued_division(x, y):
    return np.sum(x / y)


def math_module_scalars(a, b):
    return math.exp(a) * math.sin(b) + math.sqrt(1.0 + a * a) * math.cos(a * b)


def int_valued_numpy_scalar(a, x):
    return np.sum(a * x ** 2) + a ** 2


# ==================== R. tuple unpacking

def unpack_swap_chain(x):
    a, b = x[0], x[1]
    a, b = b, a * b
    a, b = b + a, a
    return a * b


def unpack_nested(x):
    (a, b), c = (x[0], x[1] * 2.0), x[2]
    return a * b + c ** 2


def unpack_starred(x):
    a, *rest = x
    return a * np.sum(np.array(rest) ** 2)


def zip_loop(x, y):
    acc = 0.0
    for a, b in zip(x, y):
        acc = acc + a * b
    return acc


def enumerate_loop(x):
    acc = 0.0
    for i, v in enumerate(x):
        acc = acc + v ** 2 * (i + 1)
    return acc


def unpack_array_rows(X):
    r0, r1 = X
    return np.sum(r0 * r1)


def unpack_shape(X):
    n, m = X.shape
    return np.sum(X) / (n + m)


def unpack_from_helper_twice(x):
    m, s = _stats(x)
    m2, s2 = _stats(x * 2.0)
    return m * s2 + m2 * s


# ==================== S. realistic small programs

def softmax_cross_entropy(W, X, labels):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels])


def conv1d_loop(x, k):
    n = x.shape[0] - k.shape[0] + 1
    out = np.zeros(n)
    for i in range(n):
        out[i] = np.sum(x[i:i + k.shape[0]] * k)
    return np.sum(out ** 2)


def layer_norm(X, g, b):
    mu = np.mean(X, axis=-1, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=-1, keepdims=True)
    Y = (X - mu) / np.sqrt(var + 1e-5) * g + b
    return np.sum(Y * W34)


def masked_attention(Q, K, V):
    S = Q @ K.T / np.sqrt(Q.shape[1])
    mask = np.tril(np.ones((3, 3)))
    S = np.where(mask > 0, S, -1e9)
    S = S - np.max(S, axis=1, keepdims=True)
    P = np.exp(S)
    P = P / np.sum(P, axis=1, keepdims=True)
    return np.sum((P @ V) ** 2)


def logistic_l2(w, X, y, lam):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    nll = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return nll + lam * np.sum(w ** 2)


def polynomial_fit(c, t, y):
    V = np.stack([t ** 0, t, t ** 2], axis=1)
    return np.mean((V @ c - y) ** 2)


def smoothness_energy(x):
    return np.sum((x[1:] - x[:-1]) ** 2) + 0.1 * np.sum((x[2:] - 2.0 * x[1:-1] + x[:-2]) ** 2)


def pairwise_distances(X):
    D = X[:, None, :] - X[None, :, :]
    return np.sum(np.sqrt(np.sum(D ** 2, axis=-1) + 1e-3))


def spring_chain(p, k):
    energy = 0.0
    for i in range(p.shape[0] - 1):
        d = p[i + 1] - p[i]
        energy = energy + 0.5 * k * (np.sqrt(np.sum(d * d)) - 1.0) ** 2
    return energy


def kalman_step(x, P, z):
    H = np.array([[1.0, 0.0]])
    S = H @ P @ H.T + 0.5
    K = P @ H.T / S
    x_new = x + (K @ (z - H @ x)).reshape(-1)
    P_new = P - K @ H @ P
    return np.sum(x_new ** 2) + np.trace(P_new)


def gaussian_mixture_nll(mu, x):
    d = x[:, None] - mu[None, :]
    lik = np.sum(np.exp(-0.5 * d ** 2), axis=1)
    return -np.sum(np.log(lik))


def ridge_closed_form(X, y, lam):
    A = X.T @ X + lam * np.eye(X.shape[1])
    w = np.linalg.solve(A, X.T @ y)
    return np.sum(w ** 2)


def explicit_euler_vector(y0, k):
    y = y0 * 1.0
    traj = []
    for step in range(4):
        y = y + 0.1 * (-k * y + np.sin(y))
        traj.append(y)
    return np.sum(np.array(traj)[-1] ** 2) + np.mean(traj[0])


def batch_norm_eval(X, gamma):
    Xc = X - X.mean(axis=0)
    Xn = Xc / np.sqrt((Xc ** 2).mean(axis=0) + 1e-5)
    return np.sum((gamma * Xn)[:, 0]) + np.sum(gamma * Xn * W34.T[:X.shape[0], :X.shape[1]])


# --- loops over what may be a set, a dict or an iterator (2026-12-07) -----------------------


class _Selection:
    """A configuration object holding index sets and an ordered table, as users keep them."""

    def __init__(self):
        self.active = {3, 0, 2}
        self.order = {1: 1, 0: 0, 3: 2}   # integer keys, visited 1, 0, 3 (not by position)
        self.table = {'pairs': {(0, 1), (2, 3)}}

    def __eq__(self, other):  # (the harness checks that a derivative changed no argument)
        return type(other) is _Selection and vars(self) == vars(other)


_FROZEN_IDS = frozenset({1, 2})
_MORE_IDS = {2, 4}


def weighted_over_a_set_attribute(x, sel):
    """A loop over an attribute holding a set, its weights depending on the visit order."""
    s = 0.0
    w = 1.0
    for k in sel.active:
        s = s + w * np.sin(x[k])
        w = w * 1.5
    return s


def weighted_over_dict_keys_of_an_attribute(x, sel):
    """A loop over an attribute holding a dict of integer keys: its keys, in order."""
    s = 0.0
    w = 1.0
    for k in sel.order:
        s = s + w * x[k] ** 2
        w = w * 3.0
    return s


def pairs_of_a_set_in_a_dict_and_a_union(x, sel):
    """An item by a text key holding a set of pairs, and a union of two global sets."""
    s = sum(x[i] * x[j] for i, j in sel.table['pairs'])
    for k in _FROZEN_IDS | _MORE_IDS:
        s = s + np.cos(x[k])
    return s


def rows_and_differences_by_position(x, y):
    """Rows of an array (``A[i]``) and a difference of arrays, read by position."""
    A = np.outer(x, y)
    s = 0.0
    for i in range(A.shape[0]):
        for v in A[i]:
            s = s + v * v
    for d in x - y:
        s = s + np.tanh(d)
    return s


# ==================== CASES

def _labels(rng):
    return rng.integers(0, 3, size=5)


def _sorted_away(rng):
    return _distinct(rng, (5,), 0.2)


def _rnn_args(rng):
    return (_vec(rng, 3), 0.5 * _mat(rng, (3, 3)), _mat(rng, (2, 3)), _mat(rng, (4, 2, 2)))


# ==================== several returns (if/elif chains, returns in loops), accumulators

def piecewise_elif(x):
    if x > 1.0:
        return x ** 2
    elif x > -0.5:
        return 3.0 * x
    return -x * x * 0.5


def nested_if_returns(x):
    y = x * 2.0
    if y > 0.0:
        if y > 1.5:
            return np.sin(y)
        return y * y
    return np.cos(y)


def clipped_loss(w, x):
    z = np.dot(w, x)
    if z > 2.0:
        return 2.0 + 0.1 * z
    if z < -2.0:
        return -2.0 + 0.1 * z
    return z


def first_large_partial_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] ** 2
        if s > 1.5:
            return s * 2.0
        if x[i] < -0.9:
            return s - x[i]
    return s


def running_max_energy(x):
    best = x[0]
    total = 0.0
    for v in x:
        if v > best:
            best = v
        total = total + best * v
    return total


def masked_count_weights(x, m):
    # ``1 * m`` makes a bool mask integers: ``m + m`` would be a logical or
    weights = 1 * m + 1 * m
    return np.sum(x * weights)


def int8_products_as_floats(x, k):
    # ``1.0 * k`` and ``k / 1`` make int8 data floats before products that would overflow
    return np.sum(x * (1.0 * k * k)) + np.sum(x * (k / 1) ** 2)


def gru_like_pair_in_loop(w, xs):
    # a pair built and unpacked each step: the second target's adjoint starts at zero per step
    h = np.zeros_like(w)
    c = h
    for x in xs:
        state = (np.tanh(w * x + h), np.sin(h) * x)
        h, c = state
    return np.sum(h * c) + np.sum(c)


def _cell_step(h, x, w):
    z = np.tanh(w * x + h)
    return h * z, z


def cell_pairs_in_loop(w, xs):
    h = np.ones_like(w)
    for x in xs:
        h, z = _cell_step(h, x, w)
    return np.sum(h ** 2 + z)


def list_grown_by_plus(x):
    terms = []
    for i in range(len(x) - 1):
        terms += [x[i] * x[i + 1], np.exp(-x[i])]
    return sum(terms) / len(terms)


# -- built-ins on sequences, loops over iterables, writes users mix with them ---------------

def _pair_of(v):
    return v * 2.0, np.sin(v)


def ranked_features(x):
    feats = [x[0]]
    for i in range(1, len(x)):
        feats += _pair_of(x[i] * x[0])  # (a helper's tuple extends the list)
    ranked = sorted(feats, reverse=True)
    return ranked[0] * ranked[-1] + sum(ranked) + max(feats)


def weighted_from_one(x, W):
    total = 0.0
    for k, row in enumerate(list(W), 1):
        total = total + k * np.sum(np.tanh(row * x))
    for v in reversed(tuple(x)):
        total = total * 0.5 + v ** 2
    return total


def quantized_then_scaled(x):
    codes = np.zeros(len(x), dtype=int)
    for i in range(len(x)):
        codes[i] = x[i] * 4.0  # (truncated: no derivative through the codes)
    return np.sum(codes * x) + np.sum(x ** 2)


def shifted_then_written(x):
    y = x * 2.0
    z = y - 1.0  # (a new array: its tangent must not follow the write into y)
    y[0] = z[1] * 3.0
    return np.sum(y * z)


def appended_then_written(x):
    h = np.zeros(len(x))
    hs = []
    hs.append(h)
    h[0] = x[0] * x[1]  # (changes hs[0] too: refused)
    return np.sum(hs[0])


def standardized_cubes(x, sigma=None):
    sigma = sigma or np.std(x)  # the default computed from the data
    return np.sum((x / sigma) ** 3)


def annotated_tanh_layer(w, X):
    h: np.ndarray = np.tanh(X @ w)
    total: float = 0.0
    for row in h:
        total += row ** 2
    return total


def pair_potential(P):
    e = 0.0
    for i, j in itertools.combinations(range(len(P)), 2):
        d = P[i] - P[j]
        e = e + 1.0 / np.sqrt(np.sum(d * d) + 0.5)
    return e


def counts_written_from_values(x):
    counts = np.array([0, 0, 0])
    for i in range(3):
        counts[i] = x[i] * 10.0  # (truncated: an integer array)
    return np.sum(counts) * 0.5 + np.sum(x ** 2)


def squares_by_map(x):
    total = 0.0
    for v in map(lambda t: t * t, x):
        total = total + np.log(1.0 + v)
    return total


# U. array-index copies, zip/enumerate/reversed consumed at once, partial exits of if/elif
# chains, starred targets, more of `math`

def ranked_shift(x):
    order = np.argsort(x)
    ranked = x[order]
    ranked += np.linspace(0.0, 1.0, len(x))
    return np.sum(ranked * x[::-1])


def neighbour_energy(x):
    energy = 0.0
    for pair in zip(x[:-1], x[1:]):
        energy = energy + (pair[1] - pair[0]) ** 2 * np.cosh(pair[0])
    return energy


def discounted_from_the_end(x):
    total = 0.0
    for k, v in enumerate(reversed(x)):
        total = total + 0.9 ** k * math.log1p(v * v)
    return total


def truncated_series(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] < -1.0:
            continue
        elif total > 4.0:
            break
        total = total + math.erf(x[i]) + x[i] ** 2
    return total


def head_and_tail(x):
    head, *tail = x
    return math.atan2(head, 1.0 + sum(t * t for t in tail))


# V. lists through helpers (a slice returned, a list passed on and read, a second name for a
# list argument, a helper's list unpacked), a copy kept across a write, a tangent that may be
# its argument's, an array filled on its diagonal

def _slopes(cs):
    return [cs[i] * i for i in range(1, len(cs))]


def _value_and_slope_at_zero(cs):
    d = _slopes(cs)
    return cs[0] + 0.5 * d[0] * cs[1]


def polynomial_read_and_passed_on(x):
    return _value_and_slope_at_zero([x[0], np.sin(x[1]), x[2] * x[0]])


def _head_and_rest(a, t):
    return a * 2.0, t[1:]


def rests_of_rests(x):
    st = [x[0], x[1] * x[2], np.cos(x[2])]
    a, r = _head_and_rest(x[0], st)
    b, r2 = _head_and_rest(a, r)
    return a * r[0] + b * r2[0] + r[1]


def _two_layers(ps, v):
    layers = ps  # (the list under a second name)
    W, b = layers[0]
    h = np.tanh(W @ v + b)
    return np.sum(ps[1][0] @ h + ps[1][1])


def aliased_layer_list(W1, b1, W2, b2):
    return _two_layers([(W1, b1), (W2, b2)], np.array([0.3, -0.7]))


def _squares_of(t):
    return [v * v for v in t]


def unpacked_squares(x):
    a, b = _squares_of([x[0], 3.0 * x[1]])
    c, d = tuple(_squares_of([a, x[2]]))
    return a * b + c * d


def copy_kept_across_a_write(x):
    z = x * 1.0
    y = z[:2].copy()
    z[0] = 5.0  # (y keeps the old values)
    return np.sum(y * z[:2]) + np.sum(z ** 2)


def flattened_copy_then_written(x):
    z = x * 1.0
    y = z.flatten()
    z[0] = 3.0
    return np.sum(y ** 2) + np.sum(z * x)


def diagonal_filled_and_cubed(x):
    B = np.zeros((3, 3))
    for i in range(3):
        B[i, i] = x[i] ** 2
    return np.sum(np.diag(B) ** 3) + np.sum(B @ x)


# W. a value shifted by a constant in a loop and a branch (its first gradient passes the
# adjoint on: reverse over reverse), masks combined with ~ & |

def damped_then_shifted(x):
    y = x * 1.0
    for i in range(3):
        y = y - 0.1
        if i == 1:
            y = y + 0.05
    return np.sum(y * y * x)


def masked_parts(x):
    inside = (x > -1.0) & (x < 1.0)
    y = x.copy()
    y[~inside] = 0.0
    return np.sum(y ** 3) + np.sum(np.where(inside | (x > 2.0), x, 0.0) ** 2)


# X. loop variables read outside their loop and rebound inside it, a loop's else clause, lists
# changed by pop(i), insert and reverse (this session's reviews: each class, every mode)

def index_read_between_loops(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * x[i + 1]
    t = x[i] * s
    for i in range(2):
        s = s + x[i] * t
    k = 1
    u = x[k] ** 2
    for k in range(3):
        u = u * 0.5 + x[k]
    return s + u * x[k]


def loop_variable_moved_in_the_body(x):
    s = 0.0
    for i in range(3):
        v = x[i]
        if i == 1:
            i = 3
        for i in range(i, 4):
            v = v * 0.9 + x[i] * 0.1
        s = s + v * x[i]
    return s


def first_above_or_fallback(x):
    total = 0.0
    for i in range(4):
        if x[i] > 1.2:
            total = total + x[i] ** 2
            break
        total = total + np.sin(x[i])
    else:
        total = total * x[0]
    return total


def reordered_list(x):
    items = [x[0], x[1] * x[2], x[3]]
    first = items.pop(0)
    items.insert(1, first * x[3])
    items.reverse()
    items.insert(-1, np.sin(items.pop()))
    return items[0] * items[1] + items[2] ** 2 * first


# ==================== Y. this session's constructs, as users write them: `match` on a mode,
# the walrus, `del`, `functools.reduce`, `functools.partial`, class methods, SciPy's frozen
# distributions, a list argument repeated and written


def loss_by_mode(x, mode='huber'):
    match mode:
        case 'l2':
            r = x ** 2
        case 'huber':
            r = np.where(np.abs(x) < 1.0, 0.5 * x ** 2, np.abs(x) - 0.5)
        case _:
            r = np.abs(x)
    return np.sum(r)


def shrink_until_small(x):
    steps = 0
    while (size := np.sqrt(np.sum(x ** 2))) > 0.5 and steps < 10:
        x = x * 0.8
        steps += 1
    return size * np.sum(x)


def big_temporary_dropped(x):
    gram = np.outer(x, x)
    total = np.sum(gram * gram)
    del gram
    return total


def product_by_reduce(x):
    return functools.reduce(lambda acc, v: acc * (1.0 + v), x, 1.0)


def weighted_by_partial(x):
    weigh = functools.partial(np.average, weights=np.arange(1.0, x.size + 1))
    return weigh(x ** 2) * weigh(np.sin(x))


class Spring:
    K = 3.0

    @classmethod
    def energy(cls, x):
        return 0.5 * cls.K * np.sum(np.diff(x) ** 2)


def chain_energy(x):
    return Spring.energy(x) + np.sum(x ** 4)


def gaussian_prior(x, mu):
    prior = scipy_stats.norm(mu, 1.5)
    return -np.sum(prior.logpdf(x))


def repeated_offsets(x, base=(0.5, -0.25)):
    acc = list(base) * 2
    acc[0] = acc[0] * x[0]
    acc[3] = acc[3] + x[1] ** 2
    return acc[0] * acc[3] + acc[1] * x[2]


# ==================== Z. reviews of scratch networks, simulations, aliasing: double buffers
# traded each step, containers made together, dict comprehensions and `setdefault`, `max`
# with a default, an item read by a call before its row is overwritten, a unit stride


def heat_double_buffer(x):
    u = x.copy()
    w = np.zeros_like(x)
    for _ in range(3):
        w[1:-1] = u[1:-1] + 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        w[0], w[-1] = u[0], u[-1]
        u, w = w, u
    return np.sum(u ** 2)


def rnn_states_in_dicts(x):
    hs, ps = {}, {}
    hs[-1] = np.zeros(2)
    for t in range(3):
        hs[t] = np.tanh(x[t] * np.array([1.0, -0.5]) + 0.5 * hs[t - 1])
        ps[t] = np.exp(hs[t]) / np.sum(np.exp(hs[t]))
    return sum(np.sum(ps[t] * hs[t]) for t in range(3))


def adapted_by_comprehension(x):
    params = {'a': x[:2] * 1.0, 'b': x[2:] ** 2}
    grads = {k: 2.0 * v for k, v in params.items()}
    params = {k: params[k] - 0.1 * grads[k] for k in params}
    return np.sum(params['a'] ** 3) + np.sum(params['b'])


def defaults_by_setdefault(x):
    config = {'scale': 2.0}
    config.setdefault('scale', 5.0)
    shift = config.setdefault('shift', x[0])
    return np.sum(config['scale'] * x ** 2) + shift


def largest_positive_or_mean(x):
    return max((v for v in x if v > 1.0), default=np.mean(x)) + min(x, default=0.0)


def rows_read_then_overwritten(x):
    M = np.outer(x[:3], x[1:])
    t = 0.0
    for i in range(3):
        t = t + np.dot(M[i], x[1:]) ** 2
        M[i] = 0.5
    return t


def unit_stride_windows(x):
    stride = 1
    out = np.zeros(x.size - 1)
    for i in range(x.size - 1):
        out[i] = np.max(x[i * stride:i * stride + 2]) * np.sum(x[i * stride:i * stride + 2])
    return np.sum(out ** 2)


def iterate_from_the_argument(x):
    h = x
    for _ in range(2):
        h = np.tanh(h)
        h[0] = 0.5 * h[1]
    return np.sum(h * x)


# ==================== AA. reviews of statistics, Fortran-style loops and small projects:
# helpers changing a copy made for their call, pivots in a permutation list, `.flat` writes,
# module-level partials, tuples of new arrays unpacked then written, dict pops by a key

def _double_first_item(v):
    v[0] = v[0] * 2.0
    return v * v


def helper_changes_its_copy(x):
    c = _double_first_item(x.copy())
    return np.sum(c * x)


def _pop_product(xs, i):
    v = xs.pop(i)
    return v * xs[0] * xs[-1]


def display_popped_by_a_helper(x):
    return _pop_product([x[0], 2.0 * x[1], x[2]], 1)


def pivoted_logdet(x):
    a = np.array(x.reshape(3, 3), dtype=float)
    perm = list(range(3))
    for k in range(3):
        p = k
        for i in range(k + 1, 3):
            if abs(a[perm[i], k]) > abs(a[perm[p], k]):
                p = i
        perm[k], perm[p] = perm[p], perm[k]
        for i in range(k + 1, 3):
            m = a[perm[i], k] / a[perm[k], k]
            for j in range(k, 3):
                a[perm[i], j] = a[perm[i], j] - m * a[perm[k], j]
    s = 0.0
    for k in range(3):
        s = s + np.log(abs(a[perm[k], k]))
    return s


def jitter_on_the_diagonal(x):
    K = np.outer(x, x) + np.eye(x.size)
    K.flat[::x.size + 1] += x ** 2
    return np.sum(K ** 2)


def _leaky(v, a=0.1):
    return np.where(v > 0, v, a * v)


_LEAKY02 = functools.partial(_leaky, a=0.2)


def module_level_partial(x):
    return np.sum(_LEAKY02(x * 3.0) ** 2)


def _init_state():
    return np.zeros(2), np.eye(2)


def tuple_of_new_arrays_written(x):
    a, P = _init_state()
    P[0, 0] = x[0] ** 2
    a[1] = x[1]
    return np.sum(P @ a) + np.sum(P * x[2])


def _append_to(buf, v):
    buf.append(v)
    return buf


def _doubled_through_a_helpers_list(x):
    lst = _append_to([], x)
    lst[0] *= 2.0  # (in place on `x`)
    return np.sum(lst[0])


def helper_result_holding_the_argument(x):
    return _doubled_through_a_helpers_list(x) * np.sum(x)


def _exp_in_place():
    a = np.zeros(3)
    b = np.exp(a, out=a)
    return a, b


def tuple_items_one_array(x):
    a, P = _exp_in_place()
    P[1] = x[0] * 3.0  # (changes `a` too)
    return np.sum(a * x) + np.sum(P ** 2)


def pops_every_key(x):
    p = {'a': x[:2] * 1.0, 'b': x[2:] ** 2}
    s = 0.0
    for k in list(p):
        v = p.pop(k)
        s = s + np.sum(v ** 2)
    return s


# ==================== AB. reviews of simulation, finance/RL, optimisers, Python breadth:
# rebinding after writes, update rules with state dicts, helpers storing into containers

def early_exercise_grid(x):
    V = x * 1.0
    for n in range(3):
        V[1:] = V[1:] + 0.5 * V[:-1]
        V = np.maximum(V, 1.0)  # (a new array each step)
    return np.sum(V ** 2)


def zero_flux_copy(u0):
    u = u0.copy()
    for t in range(2):
        un = u.copy()
        un[1:-1] = u[1:-1] + 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        un[0] = un[1]
        un[-1] = un[-2]
        u = un
    return np.sum(u ** 2)


def _momentum_rule(w, dw, config):
    config.setdefault('t', 0)
    config['t'] += 1
    v = 0.9 * config.get('v', 0.0) - 0.1 * dw
    config['v'] = v
    return w + v / config['t'], config


def rule_rebinding_its_state(x):
    w = x * 1.0
    config = {}
    for it in range(3):
        w, config = _momentum_rule(w, np.sin(w), config)
    return np.sum(w ** 2)


def _stored_then_added(w, a, b):
    a['t'] = b['m']
    a['t'] += w  # (in place into b['m'])
    return w * 2.0


def helper_adds_into_a_stored_argument(x):
    m = x * 1.0
    w = _stored_then_added(x ** 2, {}, {'m': m})
    return np.sum(w * m)


def unzipped_and_scattered(x):
    pairs = [(x[0], 1), (x[1], 2), (x[2], 0)]
    values, where = zip(*pairs)
    F = np.zeros(3)
    np.add.at(F, list(where), np.array(values) ** 2)
    mode = 'sq'
    return np.sum(F * np.arange(1.0, 4.0)) if mode in {'sq', 'l2'} else np.sum(F)


# ==================== AC. reviews of epidemiology, Bayesian models and image processing: list
# states copied each step, deques read by NumPy, integer image data, priors and densities

def sir_list_state(theta):
    beta, gamma = theta[0], theta[1]
    state = [0.9, 0.1, 0.0]
    for t in range(4):
        new = state[:]
        infected = beta * state[0] * state[1]
        recovered = gamma * state[1]
        new[0] = state[0] - infected
        new[1] = state[1] + infected - recovered
        new[2] = state[2] + recovered
        state = new
    return state[2] + 0.5 * state[1] ** 2


def markov_chain_copied(p):
    dist = [1.0, 0.0]
    history = []
    for step in range(3):
        nxt = dist.copy()
        nxt[0] = dist[0] * (1 - p[0]) + dist[1] * p[1]
        nxt[1] = dist[0] * p[0] + dist[1] * (1 - p[1])
        history.append(nxt[1])
        dist = nxt
    return sum(history) + dist[0] ** 2


def deque_window_stats(x):
    window = collections.deque()
    for v in x:
        window.append(np.sin(v) * 2.0)
    values = np.array(window)
    return np.sum(values ** 2) + np.max(np.stack(window)) + np.sum(window)


def quantised_image_weights(x, a):
    w = a * a  # (of a uint8 image: wraps at 256, in the user's function as in its gradient)
    return np.sum(np.sqrt(w * x + 1.0)) + np.sum((a + a) * x ** 2)


def _log_prior(theta):
    return -0.5 * np.sum(theta ** 2)


def _log_lik(theta, y):
    return -0.5 * (y - theta[0] - theta[1] * y) ** 2


def posterior_with_prior_call(theta):
    data = [0.5, 1.0, -0.3, 2.0]
    return _log_prior(theta) + sum(_log_lik(theta, y) for y in data)


def _biased(params, b):
    out = {k: v for k, v in params.items()}
    out['b'] = out['b'] + b
    return out


def dict_copied_by_comprehension(x):
    params = {'w': x[:2], 'b': x[2]}
    p = _biased(params, 0.5)
    return np.sum(p['w'] ** 2) * p['b'] + params['b'] ** 2


def row_sums_checked_then_recomputed(X):
    for _ in range(3):
        totals = X.sum(axis=1)  # (read only by the test: its adjoint is zero in the loop)
        if totals.max() > 50.0:
            break
        X = np.tanh(X) + X
    totals = X.sum(axis=1)
    return np.sum(totals ** 2)


def positions_counted_in_place(x):
    idx = np.zeros(4, dtype=int)
    np.add.at(idx, [1, 2, 2, 3, 3, 3], 1)  # (an integer array that indexes afterwards)
    return np.sum(x[idx] ** 2 * np.arange(1.0, 5.0))


def epochs_reporting_the_last_batch(w, X):
    total = 0.0
    for epoch in range(2):
        for i in range(X.shape[0]):
            err = X[i] @ w - 0.5
            batch_loss = np.concatenate([err * w, w ** 2])  # (read after the inner loop)
        total = total + np.sum(batch_loss ** 2) * (epoch + 1)
    return total


def _rnn_cell(h, W, x):
    z = W @ h + x
    return np.tanh(z), np.concatenate([z, h])


def rnn_last_features(W, X):
    h = X[0] * 0.5
    for t in range(X.shape[0]):
        h, feats = _rnn_cell(h, W, X[t])
    return np.sum(feats ** 2) + np.sum(h)


def index_after_an_idle_loop(x):
    for i in range(1, 3):
        smooth = np.cos(x)  # noqa: F841 (never used: the loop's `i` is what is read)
    return x[i] * np.sum(x ** 2)


def params_rebuilt_from_themselves(x):
    p = {'w': x[:2], 'b': x[2]}
    for _ in range(2):
        p = {'w': p['w'] * np.tanh(p['b']), 'b': p['b'] + np.sum(p['w'])}
    return np.sum(p['w'] ** 2) + p['b']


def slice_as_a_local_name(x):
    slice = 0.5  # (a local named like a built-in the generated code calls)
    y = np.zeros_like(x)
    y[1:3] = x[:2] * slice
    return np.sum(y ** 2 + x * y)


def nested_layer_given_an_activation(W, x):
    def layer(v, act):
        return act(W @ v)
    return np.sum(layer(layer(x, np.tanh), np.sin))


def tail_of_a_copy_overwritten(x):
    y = x.copy()
    tail = y[1:]
    tail[0] = 2.0 * x[0]
    return np.sum(tail ** 2) * np.sum(x)


def censored_waiting_times(theta):
    y = np.array([-0.5, 0.3, 1.2, 2.5])  # (one observation outside the support)
    lp = scipy_stats.expon.logpdf(y, scale=np.exp(theta[0]))
    shifted = scipy_stats.expon.logpdf(y, loc=0.2 * theta[1], scale=1.5)
    return np.sum(np.where(np.isfinite(lp), lp, 0.0)) + \
        np.sum(np.where(shifted > -np.inf, shifted, -1.0))


# --- classes of the reviews of 2026-12-05 (second session) --------------------------------

def weights_by_bin_edges(theta):
    """A dict keyed by bin edges (numbers): ``sum(d)`` adds the edges, ``sorted(d)`` lists
    them; neither has a derivative, the values do."""
    hist = {}
    for i, edge in enumerate((0.5, 1.5, 2.5)):
        hist[edge] = np.exp(theta[i]) * edge
    width = sum(hist) / len(hist)
    return sum(hist[e] for e in sorted(hist)) * width + math.fsum(hist) * theta[0]


def batch_normalised(x, gamma):
    """Batch norm over every axis but the last, the axes held in a variable."""
    axes = tuple(range(x.ndim - 1))
    mu = np.mean(x, axis=axes, keepdims=True)
    var = np.var(x, axis=axes, keepdims=True)
    h = (x - mu) / np.sqrt(var + 1e-5) * gamma
    return np.sum(np.tanh(h) ** 2) + np.sum(np.transpose(h, axes[::-1] + (x.ndim - 1,)))


def pendulum_euler_inline(theta):
    """Explicit Euler with the rate filled item by item at each step, written inline."""
    y = theta[:2].copy()
    for t in range(6):
        dydt = np.zeros(2)
        dydt[0] = y[1]
        dydt[1] = -theta[2] * np.sin(y[0]) - 0.1 * y[1]
        y = y + 0.05 * dydt
    return np.sum(y ** 2)


def options_with_defaults(x, opts):
    """Options popped with defaults from a copy of the caller's dict."""
    o = dict(opts)
    scale = o.pop('scale', 1.0)
    shift = o.pop('shift', x[0] * 0.5)
    return np.sum((x * scale + shift) ** 2) + sum(v * x[1] for v in o.values())


def rows_flattened_by_sum(x):
    """The list idiom ``sum(rows, [])``, from a start of its own."""
    rows = [[x[0], x[1] * x[2]], [np.sin(x[2])], [x[0] ** 2, x[1]]]
    flat = sum(rows, [x[2]])
    return sum(v * (k + 1) for k, v in enumerate(flat)) + flat[0] * flat[3]


# --- classes of the reviews of 2026-12-05 (third session) ---------------------------------

def _layer_grads(ps, X):
    W, b = ps
    h = np.tanh(X @ W + b)
    return [X.T @ (1.0 - h ** 2) / len(X), np.mean(1.0 - h ** 2, keepdims=True)]


def sgd_steps_through_the_loop_variable(theta):
    """Plain gradient steps written as users write them: the loop variable changed in place
    (NumPy updates the list's item itself), the gradients from a helper of one's own."""
    X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5]])
    ps = [theta[:2].copy(), theta[2:].copy()]
    for _ in range(3):
        for p, g in zip(ps, _layer_grads(ps, X)):
            p -= 0.2 * g
    W, b = ps
    return np.sum(np.tanh(X @ W + b) ** 2)


def rows_written_from_lists(x):
    """Rows of a matrix filled from lists a comprehension or appends build."""
    B = np.zeros((3, 3))
    for i in range(3):
        B[i] = [x[i] * x[j] for j in range(3)]
    col = []
    for v in x:
        col.append(np.sin(v))
    B[:, 0] = col
    return np.sum(np.tanh(B) ** 2)


def updates_a_swapped_buffer_after_the_loop(x):
    """A double buffer traded in a loop, then a slice of one written: the backward sweep reads
    the slice at its old values."""
    a = x.copy()
    b = x * 1.0
    for i in range(3):
        a, b = b, a
        a[0] = a[0] * 0.9
    b[1:] = np.sin(b[1:])
    return np.sum(a ** 2) + np.sum(b ** 2)


def divergence_with_a_vanishing_weight(x):
    """KL divergences of a distribution made of squares, one of them exactly 0: the slope of
    ``rel_entr`` and ``kl_div`` there is -inf, and the chain rule's factor 0."""
    p = x ** 2 / np.sum(x ** 2)
    q = np.array([0.1, 0.2, 0.3, 0.4])
    return np.sum(scipy_special.rel_entr(p, q)) + 0.5 * np.sum(scipy_special.kl_div(p, q))


def _with_a_zero(rng):
    x = _vec(rng, 4, 0.5, 1.5)
    x[1] = 0.0
    return (x,)


def logistic_loss_at_its_start(w, X):
    """The numerically stable logistic loss (``np.maximum(z, 0) - z y + log1p(exp(-|z|))``),
    checked at ``w = 0``, where every logit ties ``np.maximum``'s two arguments: the loss is
    smooth there, and its slope ``1/2 - y`` needs the tie shared evenly."""
    z = X @ w
    y = np.array([1.0, 0.0, 1.0])
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))


def _at_the_start(rng):
    return (np.zeros(2), _mat(rng, (3, 2)))


def segment_lookup_in_a_loop(ys):
    """A piecewise-linear lookup as users write it: an inner loop searches the segment and
    breaks, the loop around reads the index it left (each pass's own, in the backward sweep
    too)."""
    knots = np.array([0.0, 1.0, 2.5, 4.0])
    tot = 0.0
    for t in (0.3, 1.7, 3.1):
        for k in range(3):
            if knots[k] <= t <= knots[k + 1]:
                break
        tot += ys[k] * ys[k + 1] * t
    return tot


def leave_one_out_cubes(x):
    """Leave-one-out: a copy of the argument each pass with one item zeroed, then read (no
    save of what the write replaces: second derivatives follow it)."""
    tot = 0.0
    for i in range(len(x)):
        y = x.copy()
        y[i] = 0.0
        tot += np.sum(y ** 3)
    return tot


def spread_of_equal_values(x):
    """np.std where all values are equal and their mean rounds (six 0.7s): derivative 0."""
    return np.std(x) + np.sum(x ** 2)


def _equal_values(rng):
    return (np.full(6, 0.7),)


def process_noise_by_items(q):
    """A Kalman-style covariance with process noise written into two items of a fresh
    matrix, each read before its write (to second order)."""
    P = np.eye(2)
    total = 0.0
    for y in (0.5, -1.0, 2.0):
        Pp = np.eye(2) * y
        Pp[0, 0] = Pp[0, 0] * q[0]
        Pp[1, 1] = Pp[1, 1] + q[1]
        P = P * 0.9 + Pp
        total = total + np.log(P[0, 0] + P[1, 1] + 2.0)
    return total


def log_dets_in_a_loop(x):
    """The log-determinant read as ``slogdet(...)[1]`` in a loop (a tuple result: its
    adjoints add item by item, also differentiated again)."""
    total = 0.0
    for k in range(2):
        total = total + np.linalg.slogdet(np.eye(2) * (2.0 + k) + x.reshape(2, 2))[1]
    return total


def grown_by_concatenation(x):
    """An array grown by np.concatenate in a loop (its list of parts rebuilt each pass)."""
    acc = x[:2]
    for i in range(2):
        acc = np.concatenate([acc, x[2 * i + 2:2 * i + 4]])
    return np.sum(acc ** 3)


def kernel_with_noise_on_its_diagonal(log_ell, pts):
    """A GP kernel whose noise is written on its diagonal by np.fill_diagonal (values)."""
    d2 = ((pts[:, None, :] - pts[None]) ** 2).sum(-1)
    K = np.exp(-0.5 * d2 / np.exp(2 * log_ell))
    np.fill_diagonal(K, np.diag(K) + 0.1 + pts[:, 0] ** 2)
    return np.linalg.slogdet(K)[1] + np.sum(K)


def list_grown_then_stored_and_extended(x):
    """A list grown by ``+=`` and by concatenation, an item stored, then ``extend``."""
    parts = [x * 1.5]
    parts += [np.sin(x)]
    parts[1] = parts[1] * 2.0
    parts = parts + [x ** 2]
    parts.extend([np.cos(x)])
    return np.sum(parts[0] * parts[1] * parts[2]) + np.sum(parts[3])


def _refilled_batches(size):
    buf = np.empty(size)  # (one buffer, filled anew for each batch: a data loader)
    for i in range(0, len(_LOADER_DATA), size):
        buf[:] = _LOADER_DATA[i:i + size]
        yield buf


_LOADER_DATA = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


def loss_over_refilled_batches(w):
    total = 0.0
    for batch in _refilled_batches(2):
        total = total + np.sum((batch * w - 1.0) ** 2)
    return total


def rotation_made_orthonormal(w):
    """A rotation step re-orthonormalised by the SVD's polar factor ``U @ Vh`` (two equal
    singular values)."""
    K = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
    U, s, Vt = np.linalg.svd(np.eye(3) + 0.1 * K)
    return np.sum((U @ Vt) * np.arange(9.0).reshape(3, 3))


def window_of_recent_states(x):
    """A sliding window of the last three states (arrays), shifted by a slice assignment
    that keeps its length, then one that trims it."""
    window = [x, x * 0.5, np.sin(x)]
    for t in range(3):
        window[:] = window[1:] + [np.tanh(window[-1] * x + t)]
    window[1:] = window[-1:]
    return np.sum(window[0] * window[1]) + len(window)


def _splice_rows(rows, row):
    rows = list(rows)  # (a copy of the caller's list: the splice changes the copy only)
    rows[1:2] = [row, row * row]
    return rows


def splice_of_rows_in_a_helper(x):
    """A helper that copies a list of rows and replaces one row by two."""
    rows = [x * 2.0, np.cos(x), x ** 2]
    rows = _splice_rows(rows, x[::-1])
    return sum(np.sum(r * (k + 1)) for k, r in enumerate(rows))


def history_trimmed_by_del(x):
    """A history of losses grown each step, its oldest entries dropped with ``del``."""
    history = []
    for k in range(5):
        history.append(np.sum((x - 0.1 * k) ** 2))
        if len(history) > 2:
            del history[:1]
    return history[0] * history[1]


def _pushed_copy(items, v):
    items = items[:]  # (of a list: the helper's own copy)
    items.append(v)
    return items


def best_of_the_losses_by_key(x):
    """Losses of a few candidate shifts, the best picked with a key reading them
    (``min(range(n), key=lambda i: losses[i])``), kept in a history a helper copies and
    extends with a whole slice."""
    losses = np.sum((x[None, :] - 0.3 * np.arange(3.0)[:, None]) ** 2, axis=1)
    best = min(range(3), key=lambda i: losses[i])
    history = [losses[0]]
    longer = _pushed_copy(history, losses[best] * 2.0)
    return longer[-1] + history[0] * x[best]


def _scaled_constants(weights):
    weights = list(weights)
    weights[0] *= 2.0  # (in place: the caller's constant array changes too)
    return weights


def weights_doubled_by_a_helper(x):
    """A helper that doubles, in place, the first of a list of constant arrays; its result
    is unused, and the function reads the doubled array afterwards."""
    weights = [np.ones(3), np.full(3, 0.5)]
    _ = _scaled_constants(weights)
    return np.sum(weights[0] * x ** 2) + np.sum(weights[1] * x)


def _running_total(d):
    n = len(d)  # (read before the copy: a number)
    d = d.copy()
    for i in range(1, n):
        d[i] = d[i] + d[i - 1]
    return d


def running_total_by_a_helper(x):
    """A helper that reads its argument's length, then copies it and writes into the copy."""
    return np.sum(_running_total(x) ** 2)


def ranked_weights(x):
    """Sorted values weighted by rank (an L-statistic), also along an axis."""
    return np.sum(np.sort(x) * np.arange(x.shape[0])) + \
        np.sum(np.sort(np.outer(x, x), axis=0)[-1])


def recurrence_in_a_memo_by_number(x):
    """A recurrence kept in a dict started as a display with number keys (``{0: 0.0, 1:
    1.0}``, then ``memo[k] = ...``): the dict holds numbers, not its own pairs."""
    memo = {0: 0.0, 1: 1.0}
    for k in range(2, 5):
        memo[k] = x[k - 2] * memo[k - 1] + memo[k - 2]
    return memo[4]


def oscillator_stepped_by_a_closure(state):
    """An integrator step written as a closure over the state it replaces (``y = step()``)
    and the rate of the step, from a schedule whose first item is read and left unused: the
    closure reads the state when called, and the skipped item still advances the schedule."""
    dt = 0.1
    y = state
    rates = iter([1.0, 0.5, 2.0, 1.5, 0.25])
    skipped = next(rates)  # noqa: F841 (the first rate is a warm-up, as users write it)

    def step():
        return y + dt * rate * np.array([y[1], -np.sin(y[0])])
    for _ in range(3):
        rate = next(rates)
        y = step()
    return np.sum(y ** 2)


class _Gain:
    def __init__(self):
        self.s = 1.0


def gains_set_through_a_loop(x):
    """Settings written through a loop variable over objects the function made, read back
    through the list (dead code removal took the stores for dead: the loop variable is not
    read again), and signs from a negative number to a power (printed in parentheses)."""
    gains = [_Gain(), _Gain()]
    for g in gains:
        g.s = 3.0
    gains[1].s = gains[1].s - 0.5
    signs = (-1.0) ** np.arange(x.shape[0])
    return np.sum(signs * x ** 2) * gains[0].s + x[1] * gains[1].s * (-0.5) ** x.shape[0]


def _bump_all(items):
    for item in items:
        item += 1.0


def weights_zipped_then_bumped(x):
    """A helper adding in place into the arrays of a tuple that ``zip`` made, one of them
    read by the derivative: refused (twice the gradient before)."""
    w = np.full(3, 0.5)
    y = x * w
    pair = list(zip([w], [np.ones(3)]))[0]
    _bump_all(pair)
    return np.sum(y * y)


def _scaled_in_place(p):
    p *= 2.0


def _apply_to_first(fn, ps):
    fn(ps[0])
    return 0.0


def weights_given_to_a_writing_function(x):
    """A helper given a function of yours that writes into its argument, applied to a weight
    the derivative reads: refused (twice the gradient before)."""
    w = np.full(3, 0.5)
    y = x * w
    c = _apply_to_first(_scaled_in_place, [w])
    return np.sum(y * y) + c


class _Momentum:
    """An optimizer of the user's, made in the function (its buffers are its own)."""

    def __init__(self, rate=0.5):
        self.rate = rate

    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.rate * g


def _track(items, value):
    items.append(value)


def momentum_on_its_own_copies(x):
    """An optimizer object made in the function steps new arrays made from a weight the
    derivative reads, then the loss reads them: the run-time check of the helper's writes
    finds no kept array in them."""
    w = np.full(3, 0.5)
    y = x * w
    opt = _Momentum()
    params = [w * 1.0, w + 1.0]
    opt.step(params, [w, np.ones(3)])
    return np.sum(y * y) + np.sum(params[0] * x) + np.sum(params[1] ** 2 * x)


def weight_tracked_then_stepped(x):
    """A helper appends a weight the derivative reads to a list, and an optimizer made in
    the function steps the list: refused (the weight changed under the derivative before)."""
    w = np.full(3, 0.5)
    y = x * w
    seen = []
    _track(seen, w)
    _Momentum().step(seen, [np.ones(3)])
    return np.sum(y * y)


class _BoxConstraint:
    """Keeps the weights it is given inside [-1, 1], in place."""

    def __init__(self, params):
        self.params = params

    def __eq__(self, other):  # (by what it holds: the oracle checks arguments unchanged)
        return type(other) is type(self) and len(other.params) == len(self.params) and all(
            np.array_equal(a, b) for a, b in zip(self.params, other.params))

    def project(self):
        for p in self.params:
            np.clip(p, -1.0, 1.0, out=p)


def weights_projected_by_an_object_given(x, w, box):
    """An object the caller gives, holding a weight the derivative reads (also given),
    projects it in place, called with nothing: refused in reverse mode (its class is known
    only when the derivative runs; where the projection moved a value, the gradient was read
    from the moved one before)."""
    y = x * w
    box.project()
    return np.sum(y * y)


CASES = [
    (piecewise_elif, lambda rng: (float(_away(rng, (), (1.0, -0.5))),), 0),
    (nested_if_returns, lambda rng: (float(_away(rng, (), (0.0, 0.75))),), 0),
    (clipped_loss, lambda rng: (_vec(rng, 3, -2.0, 2.0), _vec(rng, 3, -2.0, 2.0)), (0, 1)),
    (first_large_partial_sum, lambda rng: (_vec(rng, 6),), 0),
    (running_max_energy, lambda rng: (_vec(rng, 6),), 0),
    # A. intermediates both indexed and reduced
    (idx_and_sum, lambda rng: (_vec(rng),), 0),
    (slice_and_sum, lambda rng: (_vec(rng),), 0),
    (ellipsis_and_mean, lambda rng: (_mat(rng),), 0),
    (div_index_over_sum, lambda rng: (_vec(rng, 5, 0.3, 1.5),), 0),
    (row_times_total, lambda rng: (_mat(rng, (2, 3)), _mat(rng, (3, 4))), (0, 1)),
    (column_and_axis_sum, lambda rng: (_mat(rng),), 0),
    (last_and_max, lambda rng: (_distinct(rng, (5,), 0.2, 0.1, 3.0),), 0),
    (element_times_method_sum, lambda rng: (_vec(rng),), 0),
    (same_element_twice, lambda rng: (_vec(rng),), 0),
    (fancy_read_and_mean, lambda rng: (_vec(rng),), 0),
    (mask_and_sum, lambda rng: (_away(rng, (6,)),), 0),
    (row_slice_norm, lambda rng: (_mat(rng),), 0),
    (ellipsis_3d, lambda rng: (_mat(rng, (2, 3, 4)),), 0),
    (reduced_then_indexed, lambda rng: (_mat(rng, (3, 2)),), 0),
    (outer_element_and_sum, lambda rng: (_vec(rng, 3), _vec(rng, 4)), (0, 1)),
    (keepdims_mean_indexed, lambda rng: (_mat(rng),), 0),
    (gram_entry_and_trace, lambda rng: (_mat(rng),), 0),
    (indexed_in_loop_and_reduced, lambda rng: (_vec(rng),), 0),
    (two_d_division_indexed, lambda rng: (_mat(rng, (2, 3)), _mat(rng, (2, 3), 0.0, 1.0)), (0, 1)),
    (column_vector_indexed, lambda rng: (_vec(rng, 4),), 0),
    (scalar_of_row_sum, lambda rng: (_mat(rng),), 0),
    # B. loop-carried shapes changed by broadcasting
    (rnn_h0_vector, _rnn_args, (0, 1, 2)),
    (rnn_h0_vector_loss_each_step, lambda rng: _rnn_args(rng) + (_mat(rng, (4, 2, 3)),),
     (0, 1, 2)),
    (scalar_state_becomes_vector, lambda rng: (_vec(rng, 4), _vec(rng, 3)), (0, 1)),
    (row_accumulator, lambda rng: (_mat(rng, (3, 4)),), 0),
    (scalar_times_vector_loop, lambda rng: (_vec(rng, 4, 0.5, 1.2),), 0),
    (while_broadcast_state, lambda rng: (_vec(rng, 3), _mat(rng, (2, 4)), _mat(rng, (4, 3))),
     (0, 1, 2)),
    (gate_broadcast_loop, lambda rng: (_vec(rng, 3), _mat(rng, (2, 4, 3))), (0, 1)),
    (column_state_grows, lambda rng: (_mat(rng, (3, 1)), _mat(rng, (3, 4))), (0, 1)),
    (product_of_growing, lambda rng: (_sc(rng, 0.5, 1.5), _mat(rng, (3, 4), 0.5, 1.5)), (0, 1)),
    (gru_like, lambda rng: (_vec(rng, 3), _mat(rng, (2, 3)), _mat(rng, (2, 3)),
                            _mat(rng, (3, 4, 2))), (0, 1, 2)),
    (row_state_to_matrix, lambda rng: (_vec(rng, 3), _mat(rng, (3, 3)), _mat(rng, (2, 4, 3))),
     (0, 1, 2)),
    (list_of_states_broadcast, lambda rng: (_vec(rng, 3), _mat(rng, (3, 2, 3))), (0, 1)),
    (mean_loss_shape_change, lambda rng: (_vec(rng, 3), _mat(rng, (5, 3)), _vec(rng, 5)), 0),
    # C. views and aliases with writes
    (view_write_into_argument, lambda rng: (_vec(rng),), 0),
    (view_write_into_copy, lambda rng: (_vec(rng),), 0),
    (full_slice_alias_write, lambda rng: (_vec(rng),), 0),
    (ravel_view_write, lambda rng: (_mat(rng, (2, 3)),), 0),
    (transpose_view_write, lambda rng: (_mat(rng, (3, 3)),), 0),
    (asarray_alias_write, lambda rng: (_vec(rng),), 0),
    (list_holding_argument_write, lambda rng: (_vec(rng),), 0),
    (alias_inplace_add, lambda rng: (_vec(rng),), 0),
    (alias_inplace_mul, lambda rng: (_vec(rng),), 0),
    (reshape_view_write, lambda rng: (_vec(rng, 6),), 0),
    (strided_view_inplace, lambda rng: (_vec(rng),), 0),
    (view_inplace_add_shifted, lambda rng: (_vec(rng),), 0),
    (alias_write_read_original, lambda rng: (_vec(rng),), 0),
    (alias_full_assign, lambda rng: (_vec(rng, 3),), 0),
    (row_view_write, lambda rng: (_mat(rng),), 0),
    (column_view_write_argument, lambda rng: (_mat(rng),), 0),
    (alias_in_list_then_write, lambda rng: (_vec(rng),), 0),
    (view_of_view_write, lambda rng: (_vec(rng),), 0),
    (alias_reassigned_after_write, lambda rng: (_vec(rng),), 0),
    (overlapping_inplace_shift, lambda rng: (_vec(rng),), 0),
    (argument_alias_passed_to_helper, lambda rng: (_vec(rng),), 0),
    (helper_writes_and_returns, lambda rng: (_vec(rng),), 0),
    (helper_writes_into_argument, lambda rng: (_vec(rng),), 0),
    (swapped_rows_with_fancy, lambda rng: (_mat(rng), _mat(rng)), (0, 1)),
    (swap_elements_tuple, lambda rng: (_vec(rng),), 0),
    (write_argument_elementwise, lambda rng: (_vec(rng),), 0),
    (inplace_on_argument, lambda rng: (_vec(rng),), 0),
    (dict_inside_function, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    # D. repeated fancy indices
    (repeated_index_assign, lambda rng: (_vec(rng),), 0),
    (repeated_index_iadd, lambda rng: (_vec(rng),), 0),
    (repeated_index_assign_from_fancy, lambda rng: (_vec(rng),), 0),
    (repeated_index_imul, lambda rng: (_vec(rng),), 0),
    (repeated_rows_assign, lambda rng: (_mat(rng),), 0),
    (repeated_index_argument, lambda rng: (_vec(rng, 3), np.array([1, 1, 3])), 0),
    (repeated_index_gather, lambda rng: (_vec(rng),), 0),
    (repeated_index_isub, lambda rng: (_vec(rng),), 0),
    (repeated_then_single, lambda rng: (_vec(rng, 4),), 0),
    (repeated_index_iadd_argument_index, lambda rng: (_vec(rng), np.array([4, 0, 4])), 0),
    (gather_repeated_2d, lambda rng: (_mat(rng, (2, 4)),), 0),
    # E. nested lists into np.array
    (det_of_scalars, lambda rng: (_sc(rng), _sc(rng), _sc(rng), _sc(rng)), (0, 1, 2, 3)),
    (matrix_of_elements, lambda rng: (_vec(rng, 2),), 0),
    (stack_by_array, lambda rng: (_vec(rng, 4), _mat(rng, (2, 4))), (0, 1)),
    (array_with_constants, lambda rng: (_vec(rng, 2, 0.5, 1.5),), 0),
    (column_from_elements, lambda rng: (_vec(rng, 2),), 0),
    (rotation_matrix, lambda rng: (_sc(rng), _vec(rng, 2)), (0, 1)),
    (three_level_nesting, lambda rng: (_vec(rng, 3),), 0),
    (array_of_two_vectors, lambda rng: (_vec(rng, 3), _vec(rng, 3)), (0, 1)),
    (array_of_appended_rows, lambda rng: (_vec(rng, 3),), 0),
    (array_mixed_floats_and_elements, lambda rng: (_sc(rng), _vec(rng, 2)), (0, 1)),
    # F. reductions of Python lists
    (np_sum_of_scalars, lambda rng: (_sc(rng), _sc(rng), _sc(rng)), (0, 1, 2)),
    (np_mean_of_elements, lambda rng: (_vec(rng, 3),), 0),
    (norm_of_list, lambda rng: (_sc(rng, 0.5, 1.0), _sc(rng, -1.0, -0.5)), (0, 1)),
    (np_sum_of_arrays, lambda rng: (_vec(rng, 3), _vec(rng, 3)), (0, 1)),
    (np_mean_of_arrays_axis, lambda rng: (_vec(rng, 3), _vec(rng, 3)), (0, 1)),
    (norm_of_mixed_list, lambda rng: (_vec(rng, 2),), 0),
    (np_max_of_list, lambda rng: tuple(float(v) for v in _distinct(rng, (3,))), (0, 1, 2)),
    (np_prod_of_list, lambda rng: (_sc(rng), _sc(rng), _sc(rng)), (0, 1, 2)),
    (builtin_sum_of_elements, lambda rng: (_vec(rng, 4),), 0),
    # G. reductions over size-1 axes
    (sum_over_size1_axis_output, lambda rng: (_mat(rng, (1, 3)),), 0),
    (sum_axis0_of_row, lambda rng: (_mat(rng, (1, 3)),), 0),
    (mean_over_size1_columns, lambda rng: (_mat(rng, (4, 1)),), 0),
    (sum_two_size1_axes, lambda rng: (_mat(rng, (1, 3, 1)),), 0),
    (keepdims_over_size1, lambda rng: (_mat(rng, (1, 4)),), 0),
    (method_sum_size1, lambda rng: (_mat(rng, (3, 1)),), 0),
    (max_over_size1_axis, lambda rng: (_mat(rng, (1, 3)),), 0),
    (prod_over_size1, lambda rng: (_mat(rng, (2, 1)),), 0),
    (norm_rows_of_one, lambda rng: (_mat(rng, (1, 3)),), 0),
    (squeeze_after_size1_sum, lambda rng: (_mat(rng, (3, 1)),), 0),
    (mean_axis_minus_one_size1, lambda rng: (_mat(rng, (2, 3, 1)),), 0),
    # H. size-1 outputs
    (column_inner, lambda rng: (_mat(rng, (3, 1)),), 0),
    (first_element_slice, lambda rng: (_vec(rng, 3),), 0),
    (keepdims_loss, lambda rng: (_mat(rng, (2, 3)),), 0),
    (row_times_column, lambda rng: (_mat(rng, (1, 3)), _mat(rng, (3, 1))), (0, 1)),
    (array_of_sum, lambda rng: (_vec(rng),), 0),
    (vector_times_column, lambda rng: (_vec(rng, 3), _mat(rng, (3, 1))), (0, 1)),
    (mean_of_column, lambda rng: (_mat(rng, (4, 1)),), 0),
    (size1_plus_scalar, lambda rng: (_mat(rng, (1, 2)), _mat(rng, (2, 1))), (0, 1)),
    (float_of_sum, lambda rng: (_vec(rng),), 0),
    (reshape_to_one_by_one, lambda rng: (_vec(rng, 3),), 0),
    (size1_loss_in_loop, lambda rng: (_mat(rng, (3, 1)), 3), 0),
    # I. builtin max/min over several arguments
    (max_of_three, lambda rng: tuple(float(v) for v in _distinct(rng, (3,))), (0, 1, 2)),
    (max_min_args, lambda rng: tuple(float(v) for v in _distinct(rng, (3,))), (0, 1, 2)),
    (max_of_sums, lambda rng: (_vec(rng, 3) + 0.0, _vec(rng, 3) + 1.5, _vec(rng, 3) - 1.5),
     (0, 1, 2)),
    (min_of_elements, lambda rng: (_distinct(rng, (3,)),), 0),
    (max_of_appended, lambda rng: (_distinct(rng, (4,), 0.3, -1.2, 1.2),), 0),
    (builtin_abs_difference, lambda rng: (_sc(rng, 0.5, 1.0), _sc(rng, -1.0, 0.0)), (0, 1)),
    (max_tie_same_value, lambda rng: (_sc(rng),), 0),
    (np_maximum_same_array, lambda rng: (_vec(rng),), 0),
    # J. containers
    (list_of_arrays_indexed, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (tuple_pack_unpack, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (layers_in_list, lambda rng: (_vec(rng, 3), _mat(rng, (3, 4)), _mat(rng, (4, 2))), (0, 1, 2)),
    (list_element_replaced, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (params_list_argument, lambda rng: ([_mat(rng, (3, 2)), _vec(rng, 2)], _mat(rng, (4, 3))), 0),
    (params_tuple_argument, lambda rng: ((_mat(rng, (3, 2)), _vec(rng, 2)), _mat(rng, (4, 3))),
     0),
    (params_dict_argument, lambda rng: ({'W': _mat(rng, (3, 2)), 'b': _vec(rng, 2)},
                                        _mat(rng, (4, 3))), 0),
    (nested_list_argument, lambda rng: ([[_sc(rng), _sc(rng)], _vec(rng, 3)],), 0),
    (list_concatenation, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (tuple_of_tuples, lambda rng: (_vec(rng, 4),), 0),
    (list_of_lists_loop, lambda rng: (_vec(rng, 3),), 0),
    (list_append_alias, lambda rng: (_vec(rng),), 0),
    # K. ties, kinks and special points
    (power_zero_base, lambda rng: (_vec(rng, 4, 0.5, 2.0),), 0),
    (power_zero_exponent_at_zero, lambda rng: (np.array([0.0, 1.0, -0.5, 0.0]),), 0),
    (power_one_at_zero, lambda rng: (np.array([0.0, 0.5, -1.5]),), 0),
    (power_int_zero_exponent, lambda rng: (np.array([0.0, 2.0, -1.0]),), 0),
    (negative_base_integer_exponent, lambda rng: (_vec(rng, 4, -2.0, -0.5), 3.0), 0),
    (power_argument_exponent_at_zero, lambda rng: (np.array([0.0, 1.5, 0.0]), 2.0), 0),
    (relu_away, lambda rng: (_away(rng, (5,)),), 0),
    (where_away, lambda rng: (_away(rng, (6,)),), 0),
    (clip_inside, lambda rng: (_vec(rng),), 0),
    (clip_outside, lambda rng: (_away(rng, (6,), (0.1, -0.1), 0.15),), 0),
    (sort_weighted, lambda rng: (_sorted_away(rng),), 0),
    (sign_times_x, lambda rng: (_away(rng, (5,)),), 0),
    (floor_times_x, lambda rng: (_away(rng, (5,), tuple(k / 3.0 for k in range(-7, 8)), 0.05),),
     0),
    (sqrt_of_square_away, lambda rng: (_away(rng, (5,)),), 0),
    (abs_at_nonzero, lambda rng: (_away(rng, (5,)),), 0),
    (norm_of_vector, lambda rng: (_vec(rng, 4, 0.3, 1.0),), 0),
    (arctan2_plane, lambda rng: (_vec(rng, 4), _vec(rng, 4, 0.3, 1.0)), (0, 1)),
    (square_of_zero, lambda rng: (np.array([0.0, 0.0, 1.0]),), 0),
    (max_axis_distinct, lambda rng: (_distinct(rng, (3, 4), 0.1, -3.0, 3.0),), 0),
    (min_axis_distinct, lambda rng: (_distinct(rng, (3, 4), 0.1, -3.0, 3.0),), 0),
    (minimum_of_two, lambda rng: (lambda x: (x, x + np.where(rng.uniform(size=5) < 0.5, -1.0, 1.0)
                                             * rng.uniform(0.2, 1.0, 5)))(_vec(rng)), (0, 1)),
    (abs_python_float, lambda rng: (float(_away(rng, (), (0.0, 3.0), 0.3, -2.0, 5.0)),), 0),
    # L. in-place operators
    (inplace_chain, lambda rng: (_vec(rng),), 0),
    (inplace_slices, lambda rng: (_vec(rng),), 0),
    (inplace_scalars, lambda rng: (_sc(rng), _sc(rng)), (0, 1)),
    (inplace_matrix_rows, lambda rng: (_mat(rng),), 0),
    (inplace_elementwise_loop, lambda rng: (_vec(rng),), 0),
    (inplace_overlap_subtract, lambda rng: (_vec(rng),), 0),
    (inplace_normalise, lambda rng: (_vec(rng),), 0),
    (inplace_broadcast_accumulate, lambda rng: (_vec(rng, 4), _vec(rng, 3)), (0, 1)),
    (inplace_power_elementwise, lambda rng: (_vec(rng),), 0),
    (inplace_add_same_name_twice, lambda rng: (_vec(rng),), 0),
    # M. control flow, recursion, closures, helpers
    (early_return_on_sum, lambda rng: (_vec(rng) + 0.5,), 0),
    (early_return_on_sum, lambda rng: (_vec(rng) - 0.5,), 0),
    (early_return_in_loop, lambda rng: (np.array([0.3, -0.4, 0.9, 0.5, 0.2]),), 0),
    (while_fixed_point, lambda rng: (_sc(rng, 0.5, 3.0),), 0),
    (while_until_small, lambda rng: (_vec(rng, 4, 0.3, 1.0),), 0),
    (recursive_sin, lambda rng: (_vec(rng),), 0),
    (tree_recursion, lambda rng: (_vec(rng, 3),), 0),
    (closure_layers, lambda rng: (_vec(rng, 3), _mat(rng, (3, 3))), (0, 1)),
    (closure_late_binding, lambda rng: (_vec(rng, 3),), 0),
    (helper_called_twice, lambda rng: (_vec(rng), _vec(rng, 5)), (0, 1)),
    (helper_twice_same_argument, lambda rng: (_vec(rng),), 0),
    (helper_tuple_unpacked, lambda rng: (_vec(rng),), 0),
    (helper_defaults_and_keywords, lambda rng: (_vec(rng), _sc(rng)), (0, 1)),
    (nested_helpers, lambda rng: (_vec(rng),), 0),
    (recursion_with_list, lambda rng: (_vec(rng, 3),), 0),
    (loop_with_break_on_value, lambda rng: (np.array([0.2, 0.4, -0.9, 0.3]),), 0),
    (continue_and_accumulate, lambda rng: (_vec(rng, 5),), 0),
    (branch_on_shape, lambda rng: (_mat(rng, (2, 3)),), 0),
    (branch_on_shape, lambda rng: (_vec(rng, 3),), 0),
    (nested_loops_matrix, lambda rng: (_mat(rng, (3, 3)),), 0),
    # N. methods
    (method_sums_both_axes, lambda rng: (_mat(rng),), 0),
    (method_gram, lambda rng: (_mat(rng),), 0),
    (method_reshape_T_sum, lambda rng: (_vec(rng, 6),), 0),
    (method_mean_keepdims, lambda rng: (_mat(rng),), 0),
    (method_dot_vectors, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (method_max_axis, lambda rng: (_distinct(rng, (3, 4), 0.1, -3.0, 3.0),), 0),
    (method_prod_axis, lambda rng: (_mat(rng),), 0),
    (method_clip_cumsum, lambda rng: (_vec(rng),), 0),
    (method_swapaxes, lambda rng: (_mat(rng, (2, 3, 2)),), 0),
    (method_flatten_ravel, lambda rng: (_mat(rng, (2, 3)),), 0),
    (method_var_std, lambda rng: (_mat(rng),), 0),
    (method_squeeze, lambda rng: (_mat(rng, (1, 3)),), 0),
    (method_copy_then_write, lambda rng: (_vec(rng),), 0),
    (method_transpose_axes, lambda rng: (_mat(rng, (2, 3, 4)),), 0),
    (method_trace_diagonal, lambda rng: (_mat(rng, (3, 3)),), 0),
    (method_chain_long, lambda rng: (_vec(rng, 6),), 0),
    # O. broadcasting of every kind
    (bcast_col_row, lambda rng: (_mat(rng, (3, 1)), _mat(rng, (1, 4))), (0, 1)),
    (bcast_vector_matrix, lambda rng: (_vec(rng, 4), _mat(rng)), (0, 1)),
    (bcast_zero_d_array, lambda rng: (np.array(_sc(rng)), _vec(rng)), (0, 1)),
    (bcast_3d_with_2d, lambda rng: (_mat(rng, (2, 3, 4)), _mat(rng, (3, 1))), (0, 1)),
    (bcast_size1_vector, lambda rng: (_vec(rng, 1), _vec(rng, 5)), (0, 1)),
    (bcast_one_by_one, lambda rng: (_mat(rng, (1, 1)), _mat(rng)), (0, 1)),
    (bcast_maximum, lambda rng: (_away(rng, (3, 1), (0.55, -0.45, 1.05, 0.05), 0.1),
                                 np.array([0.55, -0.45, 1.05, 0.05])), (0, 1)),
    (bcast_where, lambda rng: (_mat(rng, (3, 1)), _vec(rng, 4)), (0, 1)),
    (bcast_divide, lambda rng: (_mat(rng), _vec(rng, 4, 0.5, 1.5)), (0, 1)),
    (bcast_power_exponent, lambda rng: (_mat(rng, (3, 4), 0.5, 1.5), _mat(rng, (3, 1))), (0, 1)),
    (bcast_batched_matmul, lambda rng: (_mat(rng, (2, 3, 4)), _mat(rng, (4, 2))), (0, 1)),
    (bcast_column_minus_size1, lambda rng: (_mat(rng, (5, 1)), _vec(rng, 1)), (0, 1)),
    (bcast_both_expand, lambda rng: (_vec(rng, 3), _vec(rng, 4)), (0, 1)),
    (bcast_keepdims_divide, lambda rng: (_mat(rng, (3, 4), 0.3, 1.0),), 0),
    (bcast_scalar_float_and_row, lambda rng: (_sc(rng), _mat(rng, (1, 4)), _mat(rng)), (0, 1, 2)),
    (bcast_subtract_mean_rows, lambda rng: (_mat(rng),), 0),
    # P. float32 inputs
    (f32_mlp, lambda rng: (_vec(rng, 3, dtype=np.float32), _mat(rng, (3, 4), dtype=np.float32),
                           _mat(rng, (4, 2), dtype=np.float32)), (0, 1, 2)),
    (f32_times_python_constant, lambda rng: (_vec(rng, dtype=np.float32),), 0),
    (f32_mean_reduction, lambda rng: (_mat(rng, dtype=np.float32),), 0),
    (f32_with_float_scalar, lambda rng: (_vec(rng, dtype=np.float32), _sc(rng)), (0, 1)),
    (f32_size1_output, lambda rng: (_mat(rng, (3, 1), dtype=np.float32),), 0),
    (f32_loop, lambda rng: (_vec(rng, 3, dtype=np.float32), _mat(rng, (3, 3), dtype=np.float32)),
     (0, 1)),
    (f32_indexed_and_reduced, lambda rng: (_vec(rng, dtype=np.float32),), 0),
    # Q. integer-valued float inputs
    (one_element_wrt_tuple, lambda rng: (_vec(rng), _vec(rng)), (0,)),
    (one_element_wrt_tuple, lambda rng: (_vec(rng), _vec(rng)), ['y']),
    (int_valued_polynomial, lambda rng: (np.array([1.0, 2.0, 3.0, -1.0]),), 0),
    (int_valued_python_float, lambda rng: (2.0,), 0),
    (int_valued_exponents, lambda rng: (np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 1.0])),
     (0, 1)),
    (int_valued_division, lambda rng: (np.array([1.0, 4.0, -2.0]), np.array([2.0, 1.0, 4.0])),
     (0, 1)),
    (math_module_scalars, lambda rng: (1.0, -2.0), (0, 1)),
    (int_valued_numpy_scalar, lambda rng: (np.float64(3.0), np.array([1.0, -2.0])), (0, 1)),
    # R. tuple unpacking
    (unpack_swap_chain, lambda rng: (_vec(rng, 2),), 0),
    (unpack_nested, lambda rng: (_vec(rng, 3),), 0),
    (unpack_starred, lambda rng: (_vec(rng, 4),), 0),
    (zip_loop, lambda rng: (_vec(rng, 4), _vec(rng, 4)), (0, 1)),
    (enumerate_loop, lambda rng: (_vec(rng, 4),), 0),
    (unpack_array_rows, lambda rng: (_mat(rng, (2, 3)),), 0),
    (unpack_shape, lambda rng: (_mat(rng),), 0),
    (unpack_from_helper_twice, lambda rng: (_vec(rng),), 0),
    # S. realistic small programs
    (softmax_cross_entropy, lambda rng: (_mat(rng, (4, 3)), _mat(rng, (5, 4)), _labels(rng)), 0),
    (conv1d_loop, lambda rng: (_vec(rng, 7), _vec(rng, 3)), (0, 1)),
    (layer_norm, lambda rng: (_mat(rng), _vec(rng, 4, 0.5, 1.5), _vec(rng, 4)), (0, 1, 2)),
    (masked_attention, lambda rng: (_mat(rng, (3, 2)), _mat(rng, (3, 2)), _mat(rng, (3, 2))),
     (0, 1, 2)),
    (logistic_l2, lambda rng: (_vec(rng, 3), _mat(rng, (6, 3)), (rng.uniform(size=6) < 0.5) * 1.0,
                               0.1), (0, 3)),
    (polynomial_fit, lambda rng: (_vec(rng, 3), _vec(rng, 6), _vec(rng, 6)), (0, 1)),
    (smoothness_energy, lambda rng: (_vec(rng, 7),), 0),
    (pairwise_distances, lambda rng: (_mat(rng, (4, 2)),), 0),
    (spring_chain, lambda rng: (_mat(rng, (4, 2), -2.0, 2.0), _sc(rng, 0.5, 2.0)), (0, 1)),
    (kalman_step, lambda rng: (_vec(rng, 2), np.eye(2) + 0.1 * _mat(rng, (2, 2)) @
                               _mat(rng, (2, 2)).T, _vec(rng, 1)), (0, 1, 2)),
    (gaussian_mixture_nll, lambda rng: (_vec(rng, 3), _vec(rng, 6)), (0, 1)),
    (ridge_closed_form, lambda rng: (_mat(rng, (6, 3)), _vec(rng, 6), _sc(rng, 0.5, 1.0)),
     (0, 1, 2)),
    (explicit_euler_vector, lambda rng: (_vec(rng, 3), _sc(rng, 0.5, 1.5)), (0, 1)),
    (batch_norm_eval, lambda rng: (_mat(rng, (4, 3)), _vec(rng, 3, 0.5, 1.5)), (0, 1)),
    (masked_count_weights, lambda rng: (_vec(rng, 4), rng.random(4) > 0.5), 0),
    (int8_products_as_floats,
     lambda rng: (_vec(rng, 3), rng.integers(-120, 120, 3).astype(np.int8)), 0),
    (gru_like_pair_in_loop, lambda rng: (_vec(rng, 3), _mat(rng, (4, 3))), 0),
    (cell_pairs_in_loop, lambda rng: (_vec(rng, 3), _mat(rng, (3, 3))), 0),
    (list_grown_by_plus, lambda rng: (_vec(rng, 5),), 0),
    (ranked_features, lambda rng: (_vec(rng, 3, 0.2, 1.0),), 0),
    (weighted_from_one, lambda rng: (_vec(rng, 3), _mat(rng, (2, 3))), (0, 1)),
    (quantized_then_scaled, lambda rng: (_vec(rng, 4, 0.05, 0.2) + np.arange(4) * 0.25,), 0),
    (shifted_then_written, lambda rng: (_vec(rng, 3),), 0),
    (appended_then_written, lambda rng: (_vec(rng, 3),), 0),
    # T. values of `or`, annotations, iterators with no length, integer arrays, `map` loops
    (standardized_cubes, lambda rng: (_vec(rng, 4),), 0),
    (annotated_tanh_layer, lambda rng: (_vec(rng, 3), _mat(rng, (4, 3))), (0, 1)),
    (pair_potential, lambda rng: (_mat(rng, (4, 2)),), 0),
    (counts_written_from_values,
     lambda rng: (_vec(rng, 3, 0.02, 0.08) + np.array([0.1, 0.3, 0.5]),), 0),
    (squares_by_map, lambda rng: (_vec(rng, 4),), 0),
    # U.
    (ranked_shift, lambda rng: (_vec(rng, 4),), 0),
    (neighbour_energy, lambda rng: (_vec(rng, 5),), 0),
    (discounted_from_the_end, lambda rng: (_vec(rng, 4),), 0),
    (truncated_series,
     lambda rng: (np.array([0.4, -1.6, 1.3, 2.1, 0.8, -0.3]) + _vec(rng, 6, -0.05, 0.05),), 0),
    (head_and_tail, lambda rng: (_vec(rng, 4),), 0),
    # V.
    (polynomial_read_and_passed_on, lambda rng: (_vec(rng, 3),), 0),
    (rests_of_rests, lambda rng: (_vec(rng, 3),), 0),
    (aliased_layer_list,
     lambda rng: (_mat(rng, (3, 2)), _vec(rng, 3), _mat(rng, (2, 3)), _vec(rng, 2)),
     (0, 1, 2, 3)),
    (unpacked_squares, lambda rng: (_vec(rng, 3),), 0),
    (copy_kept_across_a_write, lambda rng: (_vec(rng, 3),), 0),
    (flattened_copy_then_written, lambda rng: (_vec(rng, 4),), 0),
    (diagonal_filled_and_cubed, lambda rng: (_vec(rng, 3),), 0),
    # W.
    (damped_then_shifted, lambda rng: (_vec(rng, 4),), 0),
    (masked_parts,
     lambda rng: (np.array([-1.5, -0.4, 0.3, 1.4, 2.5]) + _vec(rng, 5, -0.05, 0.05),), 0),
    # X.
    (index_read_between_loops, lambda rng: (_vec(rng, 4),), 0),
    (loop_variable_moved_in_the_body, lambda rng: (_vec(rng, 4),), 0),
    (first_above_or_fallback,
     lambda rng: (np.array([0.3, 1.6, -0.4, 2.0]) + _vec(rng, 4, -0.05, 0.05),), 0),
    (first_above_or_fallback,
     lambda rng: (np.array([0.3, 0.6, -0.4, 0.9]) + _vec(rng, 4, -0.05, 0.05),), 0),
    (reordered_list, lambda rng: (_vec(rng, 4),), 0),
    # Y.
    (loss_by_mode, lambda rng: (_away(rng, (5,), (1.0, -1.0)),), 0),
    (shrink_until_small, lambda rng: (_vec(rng, 4, 0.5, 1.0),), 0),
    (big_temporary_dropped, lambda rng: (_vec(rng, 4),), 0),
    (product_by_reduce, lambda rng: (_vec(rng, 4),), 0),
    (weighted_by_partial, lambda rng: (_vec(rng, 4),), 0),
    (chain_energy, lambda rng: (_vec(rng, 5),), 0),
    (repeated_offsets, lambda rng: (_vec(rng, 3),), 0),
    # Z.
    (heat_double_buffer, lambda rng: (_vec(rng, 6),), 0),
    (rnn_states_in_dicts, lambda rng: (_vec(rng, 3),), 0),
    (adapted_by_comprehension, lambda rng: (_vec(rng, 4),), 0),
    (defaults_by_setdefault, lambda rng: (_vec(rng, 3),), 0),
    (largest_positive_or_mean,
     lambda rng: (np.array([0.3, 1.6, -0.4, 2.2]) + _vec(rng, 4, -0.05, 0.05),), 0),
    (rows_read_then_overwritten, lambda rng: (_vec(rng, 4),), 0),
    (unit_stride_windows, lambda rng: (_distinct(rng, (5,), 0.2, -1.0, 1.0),), 0),
    (iterate_from_the_argument, lambda rng: (_vec(rng, 3),), 0),
    # AA.
    (helper_changes_its_copy, lambda rng: (_vec(rng, 3),), 0),
    (display_popped_by_a_helper, lambda rng: (_vec(rng, 3),), 0),
    (pivoted_logdet,
     lambda rng: (np.array([0.2, 2.0, 1.0, 4.0, 0.5, 1.5, 1.0, 3.0, 0.3]) +
                  _vec(rng, 9, -0.05, 0.05),), 0),
    (jitter_on_the_diagonal, lambda rng: (_vec(rng, 3),), 0),
    (module_level_partial, lambda rng: (_distinct(rng, (4,), 0.2, -1.0, 1.0),), 0),
    (tuple_of_new_arrays_written, lambda rng: (_vec(rng, 3),), 0),
    (pops_every_key, lambda rng: (_vec(rng, 4),), 0),
    (helper_result_holding_the_argument, lambda rng: (_vec(rng, 3),), 0),
    (tuple_items_one_array, lambda rng: (_vec(rng, 3),), 0),
    # AB.
    (early_exercise_grid, lambda rng: (np.array([0.3, 1.9, 2.7]) + _vec(rng, 3, -0.05, 0.05),),
     0),
    (zero_flux_copy, lambda rng: (_vec(rng, 6),), 0),
    (rule_rebinding_its_state, lambda rng: (_vec(rng, 3),), 0),
    (helper_adds_into_a_stored_argument, lambda rng: (_vec(rng, 3),), 0),
    (unzipped_and_scattered, lambda rng: (_vec(rng, 3),), 0),
    # AC.
    (sir_list_state, lambda rng: (np.array([0.8, 0.3]) + _vec(rng, 2, -0.05, 0.05),), 0),
    (markov_chain_copied, lambda rng: (_vec(rng, 2, 0.1, 0.4),), 0),
    (deque_window_stats, lambda rng: (_distinct(rng, (4,), 0.2, -1.0, 1.0),), 0),
    (quantised_image_weights,
     lambda rng: (_vec(rng, (3, 3), 0.1, 1.0),
                  np.array([[3, 20, 200], [17, 255, 1], [0, 128, 16]], dtype=np.uint8)), 0),
    (posterior_with_prior_call, lambda rng: (_vec(rng, 2),), 0),
    (dict_copied_by_comprehension, lambda rng: (_vec(rng, 3),), 0),
    (row_sums_checked_then_recomputed, lambda rng: (_mat(rng, (3, 2)),), 0),
    (positions_counted_in_place, lambda rng: (_vec(rng, 4),), 0),
    (epochs_reporting_the_last_batch, lambda rng: (_vec(rng, 3), _mat(rng, (2, 3))), (0, 1)),
    (rnn_last_features, lambda rng: (0.5 * _mat(rng, (3, 3)), _mat(rng, (3, 3))), (0, 1)),
    (index_after_an_idle_loop, lambda rng: (_vec(rng, 4),), 0),
    (params_rebuilt_from_themselves, lambda rng: (_vec(rng, 3, -0.5, 0.5),), 0),
    (slice_as_a_local_name, lambda rng: (_vec(rng, 4),), 0),
    (nested_layer_given_an_activation, lambda rng: (_mat(rng, (3, 3)), _vec(rng, 3)), (0, 1)),
    (tail_of_a_copy_overwritten, lambda rng: (_vec(rng, 4),), 0),
    (weights_by_bin_edges, lambda rng: (_vec(rng, 3, -0.5, 0.5),), 0),
    (batch_normalised, lambda rng: (_mat(rng, (2, 3, 4)), _vec(rng, 4, 0.5, 1.5)), (0, 1)),
    (pendulum_euler_inline, lambda rng: (_vec(rng, 3, 0.2, 0.8),), 0),
    (options_with_defaults, lambda rng: (_vec(rng, 3), {'scale': 1.5, 'b': 0.25}), 0),
    (rows_flattened_by_sum, lambda rng: (_vec(rng, 3),), 0),
    (sgd_steps_through_the_loop_variable, lambda rng: (_vec(rng, 3, -0.5, 0.5),), 0),
    (rows_written_from_lists, lambda rng: (_vec(rng, 3),), 0),
    (updates_a_swapped_buffer_after_the_loop, lambda rng: (_vec(rng, 4),), 0),
    (oscillator_stepped_by_a_closure, lambda rng: (_vec(rng, 2, -0.5, 0.5),), 0),
    (logistic_loss_at_its_start, _at_the_start, 0),
    (segment_lookup_in_a_loop, lambda rng: (_vec(rng, 4),), 0),
    (leave_one_out_cubes, lambda rng: (_vec(rng, 3),), 0),
    (recurrence_in_a_memo_by_number, lambda rng: (_vec(rng, 3),), 0),
    (spread_of_equal_values, _equal_values, 0),
    (process_noise_by_items, lambda rng: (_vec(rng, 2, 0.2, 0.8),), 0),
    (log_dets_in_a_loop, lambda rng: (_vec(rng, 4, -0.3, 0.3),), 0),
    (grown_by_concatenation, lambda rng: (_vec(rng, 6),), 0),
    (running_total_by_a_helper, lambda rng: (_vec(rng, 4),), 0),
    (ranked_weights, lambda rng: (_vec(rng, 6),), 0),
    (kernel_with_noise_on_its_diagonal,
     lambda rng: (float(rng.uniform(-0.3, 0.3)), _mat(rng, (4, 2))), (0, 1)),
    (list_grown_then_stored_and_extended, lambda rng: (_vec(rng, 3),), 0),
    (loss_over_refilled_batches, lambda rng: (_vec(rng, 2),), 0),
    (rotation_made_orthonormal, lambda rng: (_vec(rng, 3),), 0),
    (window_of_recent_states, lambda rng: (_vec(rng, 3),), 0),
    (splice_of_rows_in_a_helper, lambda rng: (_vec(rng, 3),), 0),
    (history_trimmed_by_del, lambda rng: (_vec(rng, 3),), 0),
    (best_of_the_losses_by_key, lambda rng: (_vec(rng, 3),), 0),
    (weights_doubled_by_a_helper, lambda rng: (_vec(rng, 3),), 0),
    (gains_set_through_a_loop, lambda rng: (_vec(rng, 3),), 0),
    (weights_zipped_then_bumped, lambda rng: (_vec(rng, 3),), 0),
    (weights_given_to_a_writing_function, lambda rng: (_vec(rng, 3),), 0),
    (momentum_on_its_own_copies, lambda rng: (_vec(rng, 3),), 0),
    (weight_tracked_then_stepped, lambda rng: (_vec(rng, 3),), 0),
    (weights_projected_by_an_object_given,
     lambda rng: (lambda w: (_vec(rng, 3), w, _BoxConstraint([w])))(
         np.clip(_vec(rng, 3), -0.9, 0.9)), 0),
    (weighted_over_a_set_attribute, lambda rng: (_vec(rng, 4), _Selection()), 0),
    (weighted_over_dict_keys_of_an_attribute, lambda rng: (_vec(rng, 4), _Selection()), 0),
    (pairs_of_a_set_in_a_dict_and_a_union, lambda rng: (_vec(rng, 5), _Selection()), 0),
    (rows_and_differences_by_position, lambda rng: (_vec(rng, 3), _vec(rng, 3)), (0, 1)),
] + ([(gaussian_prior, lambda rng: (_vec(rng, 4), float(rng.uniform(-0.5, 0.5))), (0, 1)),
      (censored_waiting_times, lambda rng: (_vec(rng, 2, -0.5, 0.5),), 0),
      (divergence_with_a_vanishing_weight, _with_a_zero, 0)]
     if scipy_stats is not None else [])

# Writes through views and aliases, dictionaries inside the function, helpers that write into
# their arguments: the right gradient or an S2SError, never a wrong number or a modified input.
MAY_RAISE = {
    helper_result_holding_the_argument, tuple_items_one_array, helper_adds_into_a_stored_argument,
    view_write_into_argument, view_write_into_copy, full_slice_alias_write, ravel_view_write,
    transpose_view_write, asarray_alias_write, list_holding_argument_write, alias_inplace_add,
    alias_inplace_mul, reshape_view_write, strided_view_inplace, view_inplace_add_shifted,
    alias_write_read_original, alias_full_assign, row_view_write, column_view_write_argument,
    alias_in_list_then_write, view_of_view_write, alias_reassigned_after_write,
    argument_alias_passed_to_helper, helper_writes_and_returns, helper_writes_into_argument,
    dict_inside_function, overlapping_inplace_shift, inplace_overlap_subtract,
    recursion_with_list, appended_then_written, weights_zipped_then_bumped,
    weights_given_to_a_writing_function,
    weight_tracked_then_stepped, weights_projected_by_an_object_given,
}

FIRST_ORDER = {heat_double_buffer, iterate_from_the_argument, early_exercise_grid, zero_flux_copy,
               spread_of_equal_values,  # (equal values: nan in reverse over reverse, README)
               rotation_made_orthonormal,  # (equal singular values: the same)
               markov_chain_copied, updates_a_swapped_buffer_after_the_loop,
               divergence_with_a_vanishing_weight,  # (at the zero: an infinite curvature)
               logistic_loss_at_its_start}  # (|z|'s kink, which its second derivative skips)
