"""A corpus of plain Python/NumPy functions, written as a user would, for gradient checks.

``CASES`` lists ``(function, args_factory, wrt)``: ``args_factory(rng)`` builds arguments in the
function's valid domain (away from kinks), ``wrt`` is what to differentiate with respect to.
"""

import math

import numpy as np

import s2sgrad


# ==================== input helpers

def _vec(rng, n=5, lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=n).astype(dtype)


def _mat(rng, shape=(3, 4), lo=-1.0, hi=1.0, dtype=np.float64):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _away(rng, n, points=(0.0,), margin=0.2, lo=-2.0, hi=2.0):
    """Uniform values in [lo, hi] at least ``margin`` away from every point in ``points``."""
    out = np.empty(n)
    for k in range(n):
        while True:
            v = rng.uniform(lo, hi)
            if all(abs(v - p) > margin for p in points):
                out[k] = v
                break
    return out


def _scalar(rng, lo=-1.0, hi=1.0):
    return float(rng.uniform(lo, hi))


# ==================== assignment

def poly(x):
    return 3.0 * x ** 3 - 2.0 * x ** 2 + x - 5.0


def affine_square(x):
    y = 3.0 * x + 2.0
    z = y * y
    return z


def reassign(x):
    y = x * 2.0
    y = y + x
    y = y * y
    return np.sum(y)


def tuple_unpack(x, y):
    a, b = x * y, x + y
    return np.sum(a * b)


def swap_unpack(x, y):
    a, b = x, y
    a, b = b * 2.0, a + b
    return np.sum(a * b - a)


def nested_unpack(x):
    (a, b), c = (x[0], x[1]), x[2]
    return a * b * c + a


def unpack_shape_mean(X):
    n, m = X.shape
    return np.sum(X * X) / (n * m)


# ==================== augmented assignment

def aug_add(x, y):
    z = 2.0 * x
    z += y
    z += x * y
    return np.sum(z ** 2)


def aug_sub_mul(x):
    s = 1.0
    s -= x
    s *= x
    s *= 3.0
    return s


def aug_div_pow(x):
    y = x + 1.0
    y /= 2.0
    y **= 3
    y /= x
    return np.sum(y)


def aug_accumulate(x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] * x[i]
    return total


def aug_subscript(x):
    y = np.zeros_like(x)
    y[0] += x[1]
    y[1:] += x[:-1] * 2.0
    return np.sum(y * x)


def aug_pow_scalar(x):
    y = x
    y **= 2
    y *= x
    y -= 1.0
    return y


# ==================== binary ops, broadcasting

def vec_plus_scalar(x, a):
    return np.sum((x + a) ** 2)


def mat_times_row(X, r):
    return np.sum(X * r)


def col_times_row(c, r):
    return np.sum(np.sin(c * r))


def div_broadcast_both(a, b):
    return np.sum(a / b + b / a)


def pow_broadcast(a, b):
    return np.sum(a ** b)


def pow_array_exponent(x, y):
    return np.sum(x ** y)


def scalar_pow_array(x):
    return np.sum(2.0 ** x)


def unary_neg(x, y):
    z = -x * y + -(y - x)
    return np.sum(-z ** 2)


def matmul_quadratic(x, A):
    return x @ A @ x


def matmul_chain(X, W1, W2):
    H = np.tanh(X @ W1)
    return np.sum((H @ W2) ** 2)


def mixed_float_array(x, a, b):
    return np.sum(a * x ** 2 + b * x + a * b)


def float_sub_div(x, s):
    return np.sum((x - s) / (s + 2.0))


def center_columns(X):
    mu = np.mean(X, axis=0)
    return np.sum((X - mu) ** 2)


def normalize_rows(X):
    s = np.sum(X, axis=1, keepdims=True)
    return np.sum(X / s * X)


def outer_via_none(u, v):
    M = u[:, None] * v[None, :]
    return np.sum(M * M)


def np_float64_mix(x, a):
    return np.sum(np.exp(a * x)) * a


# ==================== comparisons, boolean ops

def piecewise_and(x):
    if x > -1.0 and x < 1.0:
        return x ** 2
    return 2.0 * abs(x) - 1.0


def or_condition(x, lo):
    if x < lo or x > 2.0:
        y = math.exp(x)
    else:
        y = math.sin(x)
    return y


def not_condition(x, flag):
    if not flag:
        return np.sum(x ** 2)
    return np.sum(np.sin(x) * x)


def chained_compare(x):
    s = np.sum(x)
    if 0.0 < s < 10.0:
        return s * s
    return s


# ==================== conditional expressions

def ifexp_scalar(x):
    y = x * x if x > 0 else -x
    return y * 3.0


def ifexp_array(x, use_sin):
    y = np.sin(x) if use_sin else np.cos(x)
    return np.sum(y * x)


def leaky_loop_ifexp(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] if x[i] > 0 else 0.1 * x[i]
    return total


# ==================== if / elif / else

def elif_chain(x):
    if x < -1.0:
        y = -x
    elif x < 1.0:
        y = x * x
    elif x < 2.0:
        y = math.sqrt(x)
    else:
        y = math.log(x)
    return y


def if_mode(x, mode):
    if mode == 0:
        y = np.sin(x)
    elif mode == 1:
        y = np.exp(x) * x
    else:
        y = x ** 3
    return np.sum(y)


def if_sum_sign(x):
    s = np.sum(x)
    if s > 0:
        y = x * s
    else:
        y = x / (1.0 + s * s)
    return np.sum(y ** 2)


def if_without_else(x):
    y = x * 2.0
    if np.mean(x) > 0.5:
        y = y * x
    return np.sum(y)


# ==================== for loops

def for_range_power(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y


def for_range_step(x):
    total = 0.0
    for i in range(1, len(x), 2):
        total = total + x[i] * x[i - 1]
    return total


def for_range_reverse(x):
    acc = 0.0
    for i in range(len(x) - 1, -1, -1):
        acc = acc * 0.5 + x[i]
    return acc * acc


def for_rows(X, w):
    total = 0.0
    for row in X:
        total = total + np.tanh(row @ w)
    return total


def for_list_of_arrays(x, y, z):
    total = 0.0
    for a in [x, y, z]:
        total = total + np.sum(a * a) * np.sum(a)
    return total


def nested_for(X):
    n, m = X.shape
    total = 0.0
    for i in range(n):
        for j in range(m):
            total = total + np.sin(X[i, j]) * (i + j + 1)
    return total


def rnn_scalar_weight(h0, w, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w * h + xs[t])
    return np.sum(h)


def repeated_matvec(A, v):
    for _ in range(3):
        v = A @ v
    return np.sum(v ** 2)


# ==================== while loops

def while_newton_sqrt(a):
    x = a
    i = 0
    while i < 6:
        x = 0.5 * (x + a / x)
        i += 1
    return x


def while_halving(x):
    y = x
    while np.sum(y * y) > 1.0:
        y = y * 0.5
    return np.sum(y * x)


def while_counter(x, n):
    i = 0
    acc = 0.0
    while i < n:
        acc = acc + np.cos(x * i)
        i = i + 1
    return np.sum(acc)


def while_true_break(x):
    i = 0
    total = 0.0
    while True:
        total += x[i] ** 2
        i += 1
        if i >= 3:
            break
    return total


# ==================== break / continue

def for_break(x):
    total = 0.0
    for i in range(len(x)):
        if total > 2.0:
            break
        total = total + x[i] ** 2
    return total


def for_continue(x):
    total = 0.0
    for i in range(len(x)):
        if i % 2 == 0:
            continue
        total = total + np.exp(x[i])
    return total


def continue_on_value(x):
    total = 0.0
    for v in x:
        if v < 0:
            continue
        total = total + v * v
    return total


def while_break_counter(x):
    y = x
    k = 0
    while k < 100:
        y = np.sin(y)
        k += 1
        if k == 4:
            break
    return np.sum(y)


# ==================== several returns

def early_returns(x):
    if x < 0.0:
        return -x * 2.0
    y = x * x
    if y > 4.0:
        return 4.0 * x - 4.0
    return y


def return_in_loop(x):
    acc = 0.0
    for i in range(len(x)):
        acc = acc + x[i]
        if acc > 1.5:
            return acc * x[i]
    return acc


def return_in_while(a):
    x = a
    while True:
        x = x * 1.5
        if x > 10.0:
            return x * x


# ==================== user helper functions

def _sq(x):
    return x * x


def _scaled_sum(x, scale=2.0, offset=0.0):
    return np.sum(x * scale + offset)


def calls_helper_kwargs(x):
    return _scaled_sum(_sq(x), scale=3.0) + _scaled_sum(x, offset=1.0)


def _moments(x):
    return np.mean(x), np.mean(x * x)


def calls_helper_tuple(x):
    m1, m2 = _moments(x)
    return m2 - m1 ** 2


def rec_pow(x, n):
    return 1.0 if n == 0 else x * rec_pow(x, n - 1)


def calls_recursive(x):
    return np.sum(rec_pow(x, 3) + x)


def _weighted(a, b, w=0.5):
    return np.sum(w * a * b + (1.0 - w) * a)


def calls_helper_defaults(x, y):
    return _weighted(x, y) + _weighted(y, x, 0.25)


def _softplus(z):
    return np.log(1.0 + np.exp(z))


def _layer(x, W, b):
    return _softplus(x @ W + b)


def mlp_helpers(x, W1, b1, W2):
    h = _layer(x, W1, b1)
    return np.sum(h @ W2)


# ==================== nested defs, closures

def nested_def(x):
    def inner(y):
        return y * y + 1.0
    return np.sum(inner(x) * inner(2.0 * x))


def closure_constant(x):
    scale = 3.0

    def f(y):
        return scale * np.sin(y)
    return np.sum(f(x))


def closure_active(x, w):
    def g(y):
        return np.tanh(w * y)
    return np.sum(g(x) + g(x * x))


def closure_active_computed(x):
    s = np.sum(x)

    def normalize(v):
        return v / s
    return np.sum(normalize(x) ** 2)


# ==================== lists and tuples

def list_append(x):
    parts = []
    for i in range(3):
        parts.append(x * (i + 1.0))
    total = 0.0
    for p in parts:
        total = total + np.sum(np.sin(p))
    return total


def list_index(x, y):
    items = [x, y, x * y]
    return np.sum(items[0] * items[2]) + np.sum(items[1]) * np.sum(items[-1])


def tuple_index(x):
    t = (x, x * 2.0, x ** 2)
    return np.sum(t[0] * t[1] + t[2])


def array_of_floats(a, b):
    v = np.array([a, b, a * b])
    return np.sum(v * v)


def array_of_elements(x):
    v = np.array([x[0] * x[1], x[1] + x[2], np.sin(x[2])])
    return v @ v


def array_of_appended(x):
    vals = []
    for i in range(len(x)):
        vals.append(x[i] * x[i])
    return np.sum(np.array(vals) * x)


def array_of_nested_lists(X):
    rows = []
    for i in range(X.shape[0]):
        row = []
        for j in range(X.shape[1]):
            row.append(X[i, j] * X[j, i])
        rows.append(row)
    return np.sum(np.array(rows) * X)


def list_item_assign(x):
    vals = [x, x, x]
    vals[1] = np.sin(x)
    vals[2] = vals[1] * vals[0]
    return np.sum(vals[2] + vals[0])


# ==================== subscripts and slices

def slice_interior(x):
    d = x[1:-1] - 0.5 * (x[:-2] + x[2:])
    return np.sum(d ** 2)


def slice_reverse_step(x):
    return np.sum(x * x[::-1]) + np.sum(x[::2] ** 3)


def column_slice(X):
    return np.sum(X[:, 0] * X[:, 1]) + np.sum(X[1, :] ** 2)


def none_index(x):
    M = x[None, :] * x[:, None]
    return np.sum(np.tanh(M))


def fancy_index(x, idx):
    return np.sum(x[idx] ** 2)


def scalar_index(X, i, j):
    return X[i, j] * X[j, i] + X[i, i] ** 2


def block_slice(X):
    B = X[1:3, :2]
    return np.sum(B @ B.T)


def negative_index(x):
    return x[-1] * x[0] + x[-2] ** 2


# ==================== assignment into arrays

def assign_loop_square(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2
    return np.sum(y * x)


def rnn_hidden_states(x, w):
    h = np.zeros_like(x)
    h[0] = x[0]
    for t in range(len(x) - 1):
        h[t + 1] = np.tanh(h[t] * w + x[t + 1])
    return np.sum(h ** 2)


def slice_assign(x):
    y = np.ones_like(x)
    y[1:3] = x[:2] * 2.0
    return np.sum(y * x)


def assign_overwrite(x):
    y = x * 1.0
    y[0] = y[1] * y[2]
    y[1] = y[0] + x[0]
    return np.sum(y ** 2)


def assign_rows(X, v):
    Y = np.zeros_like(X)
    for i in range(X.shape[0]):
        Y[i] = X[i] * v
    return np.sum(Y ** 2)


def assign_column(X):
    Y = X * 1.0
    Y[:, 0] = np.exp(X[:, 1])
    return np.sum(Y * X)


def trace_of_square(A):
    total = 0.0
    for i in range(A.shape[0]):
        total += A[i, i] * A[i, i]
    return total


# ==================== integers

def int_arg_power(x, n):
    return np.sum(x ** n) / n


def len_variable(x):
    n = len(x)
    return np.sum(x) ** 2 / n + n * np.sum(x)


def shape_variable(X):
    k = X.shape[0]
    m = X.shape[1]
    return np.sum(X ** 2) / (k * m) + k


def int_times_float(x, k):
    return x * k + k


# ==================== dtypes and scalar kinds

def float32_tanh_layer(x, W):
    return np.sum(np.tanh(x @ W))


def float32_elementwise(x):
    return np.sum(np.exp(-x * x) + 0.5 * x)


def np_scalar_function(a):
    return a * np.sin(a) + np.exp(a)


def float32_broadcast(X, b):
    return np.mean((X + b) ** 2)


# ==================== methods and attributes

def method_dot_T(X, W):
    Y = X.dot(W)
    return np.sum(Y.T ** 2)


def method_sum_axis(X):
    s = X.sum(axis=0)
    return (s * s).sum() + X.mean()


def method_reshape_forms(x):
    A = x.reshape(2, 3)
    B = x.reshape((3, 2))
    return np.sum(A @ B)


def method_reshape_minus_one(X):
    v = X.reshape(-1)
    M = v.reshape(3, -1)
    return np.sum(M.T @ M) + np.sum(v ** 3)


def method_transpose(X):
    A = X.transpose()
    B = X.transpose(1, 0)
    return np.sum(A * B * 2.0) + np.sum(np.transpose(X) @ X)


def method_shape_mean(X):
    rows = X.shape[0]
    return X.sum() / rows + (X * X).mean()


def method_chain(x):
    return (x * x).sum() + x.reshape(2, -1).sum(axis=1).dot(x[:2])


# ==================== NumPy functions

def softplus_sum(x):
    return np.sum(np.log(1.0 + np.exp(x)))


def sqrt_times(x):
    return np.sum(np.sqrt(x) * x)


def trig_mix(x):
    return np.sum(np.sin(x) * np.cos(x) + np.tan(x))


def hyperbolic_mix(x):
    return np.sum(np.tanh(x) + np.sinh(x) * np.cosh(x))


def inverse_trig_mix(x):
    return np.sum(np.arcsin(x) + np.arccos(x) * x + np.arctan(x))


def abs_times_sin(x):
    return np.sum(np.abs(x) * np.sin(x))


def relu_squared(x):
    return np.sum(np.maximum(x, 0.0) ** 2)


def max_min_pair(x, y):
    return np.sum(np.maximum(x, y) * np.minimum(x, y) + np.minimum(x, 0.5))


def leaky_where(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) ** 2)


def softmax_dot(X):
    E = np.exp(X)
    P = E / np.sum(E, axis=1, keepdims=True)
    return np.sum(P * X)


def column_std(X):
    m = np.mean(X, axis=0)
    v = np.mean((X - m) ** 2, axis=0)
    return np.sum(np.sqrt(v + 1e-3))


def dot_matmul(x, A, B):
    return np.dot(x, np.matmul(A, B) @ x)


def np_reshape_transpose(x):
    M = np.reshape(x, (2, 3))
    return np.sum(np.transpose(M) @ M)


def zeros_ones_like(x):
    z = np.zeros_like(x) + x
    o = np.ones_like(x) * 2.0
    return np.sum(z * o * x)


def row_sums_dot_row_means(X):
    return np.sum(X, axis=1) @ np.mean(X, axis=1)


def log_sum_exp_shifted(x):
    m = np.mean(x)
    return m + np.log(np.sum(np.exp(x - m)))


# ==================== math module, builtins

def math_mix(x):
    return math.sin(x) * math.exp(x) + math.log(x) + math.sqrt(x)


def math_tanh_cos_pow(x):
    return math.tanh(x) + math.cos(x) ** 2 + math.pow(x, 3.0)


def builtin_abs(x):
    return abs(x) * x + abs(x - 3.0)


def math_pow_two_args(x, y):
    return math.pow(x, y) + math.exp(x * y)


# ==================== realistic small programs

def dense_layer_loss(x, w, b):
    return np.sum(np.tanh(x @ w + b) ** 2)


def mlp_loss(x, W1, b1, W2, b2, y):
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - y) ** 2)


def logistic_loss(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def linear_mse(w, b, X, y):
    r = X @ w + b - y
    return np.mean(r ** 2)


def cosine_similarity(u, v):
    return u @ v / (np.sqrt(u @ u) * np.sqrt(v @ v))


def horner(x, coeffs):
    acc = 0.0
    for c in coeffs:
        acc = acc * x + c
    return acc


def trapezoid(y, dx):
    return dx * (np.sum(y) - 0.5 * (y[0] + y[-1]))


def euler_ode(k, y0):
    y = y0
    dt = 0.1
    for _ in range(10):
        y = y + dt * (-k * y + math.sin(y))
    return y


def gaussian_nll(x, mu, log_sigma):
    sigma = np.exp(log_sigma)
    return np.sum(0.5 * ((x - mu) / sigma) ** 2 + log_sigma)


def running_product(x):
    p = 1.0
    for v in x:
        p *= v
    return p


def rnn_matrix(xs, Wh, Wx):
    h = np.zeros_like(xs[0] @ Wx)
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.sum(h ** 2)


def batch_norm_like(X, gamma, beta):
    mu = np.mean(X, axis=0, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=0, keepdims=True)
    Y = gamma * (X - mu) / np.sqrt(var + 1e-5) + beta
    return np.sum(Y ** 3)


def attention_scores(q, K, V):
    s = K @ q / np.sqrt(q.shape[0])
    e = np.exp(s - np.mean(s))
    a = e / np.sum(e)
    return np.sum(a @ V)


# ==================== the case list

def _pm(rng, lo, hi):
    """A float with random sign and magnitude in [lo, hi]."""
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))


def _pos(rng, n=5, lo=0.5, hi=2.0):
    return rng.uniform(lo, hi, size=n)


def builtin_sum_of_list(x):
    parts = [x * 2.0, np.sin(x)]
    return np.sum(sum(parts))


def stack_rows(x):
    rows = []
    for i in range(3):
        rows.append(x * i)
    return np.sum(np.stack(rows) ** 2)


def stack_columns(x):
    return np.sum(np.stack([x, x ** 2], axis=1) * np.arange(2.0))


def list_of_states(h, W):
    hs = []
    for t in range(3):
        h = np.tanh(h @ W)
        hs.append(h)
    return np.sum(np.array(hs) ** 2)


# ==================== lambdas, *args, function parameters, grad inside, newer forms

def lambda_activation(x, W):
    act = lambda t: np.tanh(t) * 0.5 + t  # noqa: E731 (as users write it)
    return np.sum(act(W @ x) ** 2)


def weighted_terms(*terms):
    return sum(t * t for t in terms)


def starargs_loss(x, y):
    return np.sum(weighted_terms(x, 2.0 * y, np.sin(x)))


def layer_with_default(x, W, act=np.tanh):
    return np.sum(act(W @ x) ** 2)


def quartic_energy(x):
    return np.sum(x ** 4) / 4.0


def gradient_norm(x):
    return np.sum(s2sgrad.grad(quartic_energy)(x) ** 2)


def bilinear_batches(X, A):
    return np.sum(np.einsum('...i,ij,...j->...', X, A, X) ** 2)


def transpose_keyword(X, w):
    return np.sum(np.tanh(np.transpose(X, axes=(1, 0)) @ w))


CASES = [
    # lists: the built-in sum, np.stack, np.array of appended states
    (builtin_sum_of_list, lambda rng: (_vec(rng),), 0),
    (stack_rows, lambda rng: (_vec(rng),), 0),
    (stack_columns, lambda rng: (_vec(rng),), 0),
    (list_of_states, lambda rng: (_vec(rng, 3), rng.standard_normal((3, 3)) * 0.5), (0, 1)),
    # assignment
    (poly, lambda rng: (_scalar(rng, -2, 2),), 0),
    (affine_square, lambda rng: (_scalar(rng),), 0),
    (reassign, lambda rng: (_vec(rng),), 0),
    (tuple_unpack, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (swap_unpack, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (nested_unpack, lambda rng: (_vec(rng, 3),), 0),
    (unpack_shape_mean, lambda rng: (_mat(rng),), 0),
    # augmented assignment
    (aug_add, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (aug_sub_mul, lambda rng: (_scalar(rng, -2, 2),), 0),
    (aug_div_pow, lambda rng: (_pos(rng),), 0),
    (aug_accumulate, lambda rng: (_vec(rng),), 0),
    (aug_subscript, lambda rng: (_vec(rng),), 0),
    (aug_pow_scalar, lambda rng: (_scalar(rng, -2, 2),), 0),
    # binary ops and broadcasting
    (vec_plus_scalar, lambda rng: (_vec(rng), _scalar(rng)), (0, 1)),
    (mat_times_row, lambda rng: (_mat(rng), _vec(rng, 4)), (0, 1)),
    (col_times_row, lambda rng: (_mat(rng, (3, 1)), _mat(rng, (1, 4))), (0, 1)),
    (div_broadcast_both, lambda rng: (_mat(rng, (3, 1), 0.5, 2.0), _vec(rng, 4, 0.5, 2.0)), (0, 1)),
    (pow_broadcast, lambda rng: (_mat(rng, (3, 1), 0.5, 2.0), _mat(rng, (1, 4))), (0, 1)),
    (pow_array_exponent, lambda rng: (_pos(rng), _vec(rng)), (0, 1)),
    (scalar_pow_array, lambda rng: (_vec(rng),), 0),
    (unary_neg, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (matmul_quadratic, lambda rng: (_vec(rng, 3), _mat(rng, (3, 3))), (0, 1)),
    (matmul_chain, lambda rng: (_mat(rng, (4, 3)), _mat(rng, (3, 5)), _mat(rng, (5, 2))), (1, 2)),
    (mixed_float_array, lambda rng: (_vec(rng), _scalar(rng), _scalar(rng)), (0, 1, 2)),
    (float_sub_div, lambda rng: (_vec(rng), _scalar(rng, 0.1, 1.0)), ('x', 's')),
    (center_columns, lambda rng: (_mat(rng),), 0),
    (normalize_rows, lambda rng: (_mat(rng, (3, 4), 0.5, 2.0),), 0),
    (outer_via_none, lambda rng: (_vec(rng, 3), _vec(rng, 4)), (0, 1)),
    (np_float64_mix, lambda rng: (_vec(rng), np.float64(rng.uniform(-1, 1))), (0, 1)),
    # comparisons and boolean operators
    (piecewise_and,
     lambda rng: (_pm(rng, 0.2, 0.8) if rng.uniform() < 0.5 else _pm(rng, 1.3, 2.0),), 0),
    (or_condition, lambda rng: (float(_away(rng, 1, (-0.5, 2.0), 0.1, -1.0, 2.5)[0]), -0.5), 0),
    (not_condition, lambda rng: (_vec(rng), bool(rng.uniform() < 0.5)), 0),
    (chained_compare, lambda rng: (_vec(rng, 5, 0.1, 1.0),), 0),
    # conditional expressions
    (ifexp_scalar, lambda rng: (_pm(rng, 0.2, 2.0),), 0),
    (ifexp_array, lambda rng: (_vec(rng), True), 0),
    (leaky_loop_ifexp, lambda rng: (_away(rng, 6),), 0),
    # if / elif / else
    (elif_chain, lambda rng: (float(_away(rng, 1, (-1.0, 1.0, 2.0), 0.1, -3.0, 4.0)[0]),), 0),
    (if_mode, lambda rng: (_vec(rng), 1), 0),
    (if_sum_sign, lambda rng: (_sum_away_from_zero(rng),), 0),
    (if_without_else, lambda rng: (_vec(rng, 5, 0.8, 2.0),), 0),
    # for loops
    (for_range_power, lambda rng: (_scalar(rng, -1.5, 1.5), 5), 0),
    (for_range_step, lambda rng: (_vec(rng, 7),), 0),
    (for_range_reverse, lambda rng: (_vec(rng, 6),), 0),
    (for_rows, lambda rng: (_mat(rng, (4, 3)), _vec(rng, 3)), (0, 1)),
    (for_list_of_arrays, lambda rng: (_vec(rng, 3), _vec(rng, 4), _vec(rng, 2)), (0, 1, 2)),
    (nested_for, lambda rng: (_mat(rng, (3, 2)),), 0),
    (rnn_scalar_weight, lambda rng: (_vec(rng, 3), _scalar(rng), _mat(rng, (4, 3))), (0, 1, 2)),
    (repeated_matvec, lambda rng: (_mat(rng, (3, 3)), _vec(rng, 3)), (0, 1)),
    # while loops
    (while_newton_sqrt, lambda rng: (_scalar(rng, 0.5, 4.0),), 0),
    (while_halving, lambda rng: (_vec(rng, 5, -2, 2),), 0),
    (while_counter, lambda rng: (_vec(rng), 4), 0),
    (while_true_break, lambda rng: (_vec(rng),), 0),
    # break / continue
    (for_break, lambda rng: (_vec(rng, 10, 0.3, 1.0),), 0),
    (for_continue, lambda rng: (_vec(rng, 6),), 0),
    (continue_on_value, lambda rng: (_away(rng, 6),), 0),
    (while_break_counter, lambda rng: (_vec(rng),), 0),
    # several returns
    (early_returns, lambda rng: (float(_away(rng, 1, (0.0, 2.0), 0.2, -3.0, 3.0)[0]),), 0),
    (return_in_loop, lambda rng: (_vec(rng, 8, 0.2, 1.0),), 0),
    (return_in_while, lambda rng: (_scalar(rng, 1.0, 2.0),), 0),
    # user helpers, recursion
    (calls_helper_kwargs, lambda rng: (_vec(rng),), 0),
    (calls_helper_tuple, lambda rng: (_vec(rng),), 0),
    (rec_pow, lambda rng: (_scalar(rng, -1.5, 1.5), 4), 0),
    (calls_recursive, lambda rng: (_vec(rng),), 0),
    (calls_helper_defaults, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (mlp_helpers, lambda rng: (_vec(rng, 3), _mat(rng, (3, 4)), _vec(rng, 4), _mat(rng, (4, 2))),
     ('W1', 'b1', 'W2')),
    # nested defs, closures
    (nested_def, lambda rng: (_vec(rng),), 0),
    (closure_constant, lambda rng: (_vec(rng),), 0),
    (closure_active, lambda rng: (_vec(rng), _scalar(rng)), (0, 1)),
    (closure_active_computed, lambda rng: (_pos(rng),), 0),
    # lists and tuples
    (list_append, lambda rng: (_vec(rng),), 0),
    (list_index, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (tuple_index, lambda rng: (_vec(rng),), 0),
    (array_of_floats, lambda rng: (_scalar(rng), _scalar(rng)), (0, 1)),
    (array_of_elements, lambda rng: (_vec(rng, 3),), 0),
    (array_of_appended, lambda rng: (_vec(rng, 4),), 0),
    (array_of_nested_lists, lambda rng: (_mat(rng, (3, 3)),), 0),
    (list_item_assign, lambda rng: (_vec(rng),), 0),
    # subscripts and slices
    (slice_interior, lambda rng: (_vec(rng, 7),), 0),
    (slice_reverse_step, lambda rng: (_vec(rng, 7),), 0),
    (column_slice, lambda rng: (_mat(rng),), 0),
    (none_index, lambda rng: (_vec(rng, 4),), 0),
    (fancy_index, lambda rng: (_vec(rng), np.array([0, 2, 2, 4, 1, 2])), 0),
    (scalar_index, lambda rng: (_mat(rng, (3, 3)), 0, 2), 0),
    (block_slice, lambda rng: (_mat(rng, (4, 3)),), 0),
    (negative_index, lambda rng: (_vec(rng),), 0),
    # assignment into arrays
    (assign_loop_square, lambda rng: (_vec(rng),), 0),
    (rnn_hidden_states, lambda rng: (_vec(rng, 6), _scalar(rng)), (0, 1)),
    (slice_assign, lambda rng: (_vec(rng),), 0),
    (assign_overwrite, lambda rng: (_vec(rng),), 0),
    (assign_rows, lambda rng: (_mat(rng), _vec(rng, 4)), (0, 1)),
    (assign_column, lambda rng: (_mat(rng),), 0),
    (trace_of_square, lambda rng: (_mat(rng, (3, 3)),), 0),
    # integers
    (int_arg_power, lambda rng: (_pos(rng), 3), 0),
    (len_variable, lambda rng: (_vec(rng),), 0),
    (shape_variable, lambda rng: (_mat(rng),), 0),
    (int_times_float, lambda rng: (_scalar(rng), 3), 0),
    # dtypes and scalar kinds
    (float32_tanh_layer,
     lambda rng: (_vec(rng, 3, dtype=np.float32), _mat(rng, (3, 4), dtype=np.float32)),
     (0, 1)),
    (float32_elementwise, lambda rng: (_vec(rng, 6, dtype=np.float32),), 0),
    (np_scalar_function, lambda rng: (np.float64(rng.uniform(-1, 1)),), 0),
    (float32_broadcast,
     lambda rng: (_mat(rng, dtype=np.float32), _vec(rng, 4, dtype=np.float32)), (0, 1)),
    # methods and attributes
    (method_dot_T, lambda rng: (_mat(rng, (3, 4)), _mat(rng, (4, 2))), (0, 1)),
    (method_sum_axis, lambda rng: (_mat(rng),), 0),
    (method_reshape_forms, lambda rng: (_vec(rng, 6),), 0),
    (method_reshape_minus_one, lambda rng: (_mat(rng, (2, 3)),), 0),
    (method_transpose, lambda rng: (_mat(rng, (3, 3)),), 0),
    (method_shape_mean, lambda rng: (_mat(rng),), 0),
    (method_chain, lambda rng: (_vec(rng, 6),), 0),
    # NumPy functions
    (softplus_sum, lambda rng: (_vec(rng, 5, -2, 2),), 0),
    (sqrt_times, lambda rng: (_pos(rng),), 0),
    (trig_mix, lambda rng: (_vec(rng),), 0),
    (hyperbolic_mix, lambda rng: (_vec(rng),), 0),
    (inverse_trig_mix, lambda rng: (_vec(rng, 5, -0.8, 0.8),), 0),
    (abs_times_sin, lambda rng: (_away(rng, 5),), 0),
    (relu_squared, lambda rng: (_away(rng, 6),), 0),
    (max_min_pair, lambda rng: _max_min_args(rng), (0, 1)),
    (leaky_where, lambda rng: (_away(rng, 6),), 0),
    (softmax_dot, lambda rng: (_mat(rng),), 0),
    (column_std, lambda rng: (_mat(rng, (5, 3)),), 0),
    (dot_matmul, lambda rng: (_vec(rng, 3), _mat(rng, (3, 4)), _mat(rng, (4, 3))), ('B', 'x')),
    (np_reshape_transpose, lambda rng: (_vec(rng, 6),), 0),
    (zeros_ones_like, lambda rng: (_vec(rng),), 0),
    (row_sums_dot_row_means, lambda rng: (_mat(rng),), 0),
    (log_sum_exp_shifted, lambda rng: (_vec(rng, 5, -2, 2),), 0),
    # math module and builtins
    (math_mix, lambda rng: (_scalar(rng, 0.5, 2.0),), 0),
    (math_tanh_cos_pow, lambda rng: (_scalar(rng, 0.2, 2.0),), 0),
    (builtin_abs, lambda rng: (float(_away(rng, 1, (0.0, 3.0), 0.2, -2.0, 5.0)[0]),), 0),
    (math_pow_two_args, lambda rng: (_scalar(rng, 0.5, 2.0), _scalar(rng, -1.0, 1.5)), (0, 1)),
    # realistic small programs
    (dense_layer_loss, lambda rng: (_mat(rng, (4, 3)), _vec(rng, 3), _scalar(rng)), 'w'),
    (dense_layer_loss, lambda rng: (_mat(rng, (4, 3)), _vec(rng, 3), _vec(rng, 1)), ['b', 'w']),
    (mlp_loss, lambda rng: (_mat(rng, (5, 3)), _mat(rng, (3, 4)), _vec(rng, 4), _mat(rng, (4, 2)),
                            _vec(rng, 2), _mat(rng, (5, 2))), (1, 2, 3, 4)),
    (logistic_loss,
     lambda rng: (_vec(rng, 3), _mat(rng, (6, 3)), (rng.uniform(size=6) < 0.5) * 1.0), 0),
    (linear_mse,
     lambda rng: (_vec(rng, 3), _scalar(rng), _mat(rng, (6, 3)), _vec(rng, 6)), ('w', 'b')),
    (cosine_similarity, lambda rng: (_vec(rng), _vec(rng)), (0, 1)),
    (horner, lambda rng: (_scalar(rng), _vec(rng, 4)), (0, 1)),
    (trapezoid, lambda rng: (_vec(rng, 6), _scalar(rng, 0.1, 0.5)), (0, 1)),
    (euler_ode, lambda rng: (_scalar(rng, 0.5, 2.0), _scalar(rng, -1.0, 1.0)), (0, 1)),
    (gaussian_nll, lambda rng: (_vec(rng), _vec(rng), _scalar(rng, -0.5, 0.5)), (1, 2)),
    (running_product, lambda rng: (_vec(rng, 5, 0.5, 1.5),), 0),
    (rnn_matrix,
     lambda rng: (_mat(rng, (4, 3)), 0.5 * _mat(rng, (2, 2)), _mat(rng, (3, 2))), (0, 1, 2)),
    (batch_norm_like,
     lambda rng: (_mat(rng, (5, 3)), _vec(rng, 3, 0.5, 1.5), _vec(rng, 3)), (0, 1, 2)),
    (attention_scores, lambda rng: (_vec(rng, 4), _mat(rng, (5, 4)), _mat(rng, (5, 3))), (0, 1, 2)),
    # lambdas, *args, function parameters, grad inside, newer forms
    (lambda_activation, lambda rng: (_vec(rng, 3), _mat(rng, (4, 3))), (0, 1)),
    (starargs_loss, lambda rng: (_vec(rng, 4), _vec(rng, 4)), (0, 1)),
    (layer_with_default, lambda rng: (_vec(rng, 3), _mat(rng, (4, 3))), (0, 1)),
    (gradient_norm, lambda rng: (_vec(rng, 4),), 0),
    (bilinear_batches, lambda rng: (_mat(rng, (2, 3, 4)), _mat(rng, (4, 4))), (0, 1)),
    (transpose_keyword, lambda rng: (_mat(rng, (3, 4)), _vec(rng, 3)), (0, 1)),
]


def _max_min_args(rng):
    x = _away(rng, 5, (0.5,), 0.2)
    y = x + np.where(rng.uniform(size=5) < 0.5, -1.0, 1.0) * rng.uniform(0.2, 1.0, size=5)
    return x, y


def _sum_away_from_zero(rng):
    x = _vec(rng)
    return x + 0.1 * np.sign(np.sum(x))
