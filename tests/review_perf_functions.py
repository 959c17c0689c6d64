"""User-style programs that probe the performance mechanisms of efe590e: shape stand-ins on
the stacks (s2s.meta), the version of scalar gradients for Python numbers, shifts that cancel
(s2sgrad/invariance.py) and inlining past stack pushes and pops (tests/test_review_perf.py)."""
import math

import numpy as np

# == 1. stand-ins: values read for their shape, or for more =================================


def rnn_f32(Wx, Wh, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]), dtype=xs.dtype)
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum(h * h)


def rnn_scalar_input(x, W, v):
    h = v
    for t in range(3):
        a = h @ W
        h = np.tanh(a + x)
    return np.sum(h)


def alias_of_product(x, W):
    h = np.ones((2, 3))
    for t in range(3):
        a = h * W
        b = a
        h = np.sin(b + x) * b
    return np.sum(h)


def inplace_in_loop(x, W):
    h = np.ones((2, 3))
    for t in range(3):
        a = h * W
        a += x
        h = np.tanh(a)
    return np.sum(h)


def list_of_products(x, W):
    h = x
    outs = []
    for t in range(3):
        a = h * W
        outs.append(a)
        h = np.tanh(a) + x
    return np.sum(np.stack(outs) ** 2) + np.sum(h)


def nested_loops(x, W):
    h = x
    for i in range(2):
        for j in range(3):
            a = h * W
            h = np.tanh(a + x)
    return np.sum(h)


def while_with_break(x, W):
    h = x
    k = 0
    while True:
        a = h * W
        h = np.sin(a) + x
        k = k + 1
        if k >= 4:
            break
    return np.sum(h ** 2)


def dtype_changes(x, mask, n):
    y = mask
    for i in range(n):
        y = y * x + 0.5
    return np.sum(np.sin(y))


def zero_d(x, c):
    y = x
    for i in range(3):
        u = y * c
        y = np.sin(u) + x
    return y * 1.0


def growing_shape(x, v):
    y = x
    for i in range(3):
        u = y * v
        y = np.tanh(u)
    return np.sum(y)


def concatenated(x, W):
    h = x
    for i in range(3):
        a = h * W
        h = np.concatenate([np.tanh(a), x])
    return np.sum(h ** 2)


def reread_after_loop(x, W):
    h = x
    a = x
    for i in range(3):
        a = h * W
        h = np.tanh(a)
    return np.sum(h) + np.sum(a * a)


def int_array_state(x, idx):
    h = idx
    for i in range(3):
        a = h * x
        h = np.cos(a) + idx
    return np.sum(h)


# == 2. scalar version ========================================================================

def param_rebound_in_loop(x, u):
    """`x` (a Python float at entry) becomes an array in the loop."""
    s = math.cos(x)
    q = np.sum(x * u, axis=0)
    for i in range(2):
        x = x * u
    t = q * x
    return np.sum(t) + s


def param_rebound_in_branch(x, u, flag):
    s = math.cos(x)
    q = np.sum(x * u, axis=0)
    if flag:
        x = x * u
    t = q * x
    return np.sum(t) + s


def param_rebound_crash(x, v):
    s = math.sin(x)
    for i in range(2):
        x = x * v
    t = s * x
    return np.sum(t)


def with_default(x, k=3, scale=2.0):
    y = x
    for i in range(k):
        y = math.sin(y) * scale / 3 + x
    return y


def with_array_data(x, v):
    y = x
    for i in range(3):
        y = math.tanh(y) + x
    return np.sum(y * v) + math.exp(x)


def with_list_data(x, coeffs):
    y = 0.0
    for c in coeffs:
        y = y * x + c * math.cos(x)
    return y


def int_ops(x, n):
    y = x
    for i in range(n):
        y = math.sin(y) + (i // 2) * x + (i % 3) * 0.25
    return y


def compare_branch(x, y):
    if x > y:
        z = math.log(x - y + 1.0)
    else:
        z = math.exp(x * y)
    return z * x


def numpy_on_floats(x):
    a = math.sin(x)
    v = np.array([x, 2.0 * x, a])
    w = np.full(3, x) * a
    return float(np.sum(v * w)) + np.sum(np.exp(v))


def two_wrt_mixed(x, w):
    return math.sin(x) * np.sum(w * w) + np.sum(np.cos(w * x))


def negative_power(x, p):
    y = math.sin(x)
    return (x ** p) * y


def recursive_scalar(x, n):
    if n == 0:
        return x
    return math.sin(recursive_scalar(x, n - 1)) + 0.1 * x


def closure_scalar(x):
    scale = 1.5

    def inner(y):
        return math.sin(y) * scale
    return inner(x) + inner(x * x)


GLOBAL_SCALE = 0.7


def global_scalar(x):
    y = x
    for i in range(3):
        y = math.sin(y) * GLOBAL_SCALE + x
    return y


class Model:
    def __init__(self, scale):
        self.scale = scale

    def energy(self, x):
        return math.sin(x) * self.scale + x * x


def accumulate_list(x):
    parts = []
    y = x
    for i in range(3):
        y = math.cos(y) + x
        parts.append(y)
    return sum(parts)


def tuple_return_helper(x):
    a, b = math.sin(x), math.cos(x)
    return a * b + x


def sum_with_numpy_array_param(x, v):
    """`v` an array parameter that is not differentiated, combined with a math value."""
    s = math.sin(x)
    u = v * s
    for i in range(2):
        u = u * s + v
    return np.sum(u)


def float32_data(x, v):
    s = math.sin(x)
    return np.sum(v * s) + s * s


# == 3. shifts that cancel, and near misses ===================================================

def source_rebound(x, flag):
    """The reduced `x` is rebound to a 3-D array before `x - m`: axis 1 of `z` is not axis 1
    of the old `x` (m varies along it)."""
    m = np.max(x, axis=1, keepdims=True)
    x = x * np.ones((2, 1, 1))
    z = x - m
    out = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    if flag:
        x = x * 1.0
    return np.sum(np.sin(out))


def source_rebound_in_loop(x, n):
    """The same with `x` rebound in a loop (no renaming of versions)."""
    total = 0.0
    for i in range(n):
        m = np.max(x, axis=1, keepdims=True)
        x = x * np.ones((2, 1, 1))
        z = x - m
        total = total + np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))
    return total


def log_softmax_neg_axis(x):
    m = np.max(x, axis=-1, keepdims=True)
    z = x - m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))))


def mixed_axis_signs(x):
    """Shift along axis -1 of a 2-D array, sum along axis 1 (the same axis)."""
    m = np.max(x, axis=-1, keepdims=True)
    z = x - m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def axis_tuple(x):
    m = np.max(x, axis=(1,), keepdims=True)
    z = x - m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def method_positional_axis(x):
    m = x.max(1, keepdims=True)
    z = x - m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def with_subtract(x):
    m = np.max(x, axis=1, keepdims=True)
    z = np.subtract(x, m)
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def inplace_shift(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x.copy()
    z -= m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def exp_reused(x):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m)
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * x) + np.sum(np.log(e + 1.0))


def z_subscripted(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return np.sum(z[:, 0]) + np.sum(np.sin(z - lse))


def m_reassigned(x):
    m = np.max(x, axis=1, keepdims=True)
    m = m * 2.0
    z = x - m
    return np.sum(np.cos(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def multiplied_by_array(x, w):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m) * w
    return np.sum(np.sin(e / np.sum(e, axis=1, keepdims=True)))


def divided_by_array(x, w):
    m = np.max(x, axis=1, keepdims=True)
    z = (x - m) / w
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def shift_broadcast_row(x, u):
    """`u` (3,) minus the column-wise max of `x` (4, 3) along axis 0: z is (4, 3)? no: (1, 3)."""
    m = np.max(x, axis=0, keepdims=True)
    z = u - m
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=0, keepdims=True))))


def shift_broadcast_other(x, u):
    """m (4, 1) from axis 1, minus (4, 4): broadcasting puts m's rows along axis 0."""
    m = np.max(x, axis=1, keepdims=True)
    z = m.T - u
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))


def mean_not_sum(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    return np.sum(np.sin(z - np.log(np.mean(np.exp(z), axis=1, keepdims=True))))


def full_max_rows(x):
    m = np.max(x)
    z = x - m
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=0))))


def full_max_mixed(x, u):
    m = np.max(x)
    z = x * u - m
    e = np.exp(z)
    return np.sum(np.sin(e / np.sum(e, axis=1, keepdims=True)))


def shift_in_loop_carried(x, n):
    h = x
    for i in range(n):
        m = np.max(h, axis=1, keepdims=True)
        z = h - m
        h = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)) + x
    return np.sum(np.sin(h))


def shift_loop_carried_value(x, n):
    """m of iteration i is read in iteration i + 1 through `prev` (not loop-invariant)."""
    prev = np.zeros((x.shape[0], 1))
    total = 0.0
    for i in range(n):
        m = np.max(x * (i + 1), axis=1, keepdims=True)
        z = x * (i + 1) - m
        total = total + np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))))
        total = total + np.sum(prev)
        prev = m
    return total


def negative_literal_axis(x):
    m = np.max(x, axis=-2, keepdims=True)
    z = x - m
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=-2, keepdims=True))))


def softmax_times_shift(x):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m)
    s = np.sum(e, axis=1, keepdims=True)
    return np.sum(np.log(s) * m)


def min_shift_then_max(x):
    m = np.min(x, axis=1, keepdims=True)
    z = x - m
    r = np.max(z, axis=1, keepdims=True)
    return np.sum(np.sin(z - r))


def shift_squared_exp(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    e = np.exp(z * z)
    return np.sum(np.sin(e / np.sum(e, axis=1, keepdims=True)))


def shift_exp_neg(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    e = np.exp(-z)
    return np.sum(np.sin(e / np.sum(e, axis=1, keepdims=True)))


def returned_pair(x):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return np.sum(logp * logp) + np.sum(z) * 0.0 + np.sum(np.exp(z))


def transposed_source(x):
    """`x.T - m`: m (4, 1) of rows of x (4, 3), broadcast against (3, 4)? no: m.T."""
    m = np.max(x, axis=0, keepdims=True)
    y = x.T
    z = y - m.T
    return np.sum(np.sin(z - np.log(np.sum(np.exp(z), axis=0, keepdims=True))))


# == 4. inlining past pushes and pops ======================================================

def alias_of_user_list(x):
    saved = []
    alias = saved
    y = x
    for i in range(3):
        k = len(alias) + 1.0
        saved.append(y)
        y = y * k
    return np.sum(y)


def rebound_between(x, W):
    h = x
    for i in range(3):
        a = h * W
        h_old = h
        h = np.tanh(a)
        c = h_old * 2.0
        h = h + c
    return np.sum(h)


def view_written(x):
    y = x * 1.0
    total = 0.0
    for i in range(3):
        v = y[:2]
        t = v * 2.0
        y[0] = y[1] * 3.0
        total = total + np.sum(t * y[:2])
    return total


def list_mutated(x):
    items = [x, x * 2.0]
    total = 0.0
    for i in range(3):
        first = items[0] * 1.0
        items[0] = items[1] * 0.5
        total = total + np.sum(first * items[0])
    return total


counter = [0]


def bump(v):
    counter[0] += 1
    return v * (1.0 + 0.0 * counter[0])


def alias_len_add(x):
    """`len(alias)` is read before `saved.append(y)` grows the list it names."""
    saved = []
    alias = saved
    y = x
    for i in range(3):
        k = len(alias) * 1.0
        saved.append(y)
        y = y + k
    return np.sum(y * y)


def alias_last(x):
    saved = [x]
    alias = saved
    y = x
    for i in range(3):
        last = alias[-1] * 2.0
        saved.append(y * 3.0)
        y = np.sin(y) + last
    return np.sum(y)


def alias_pop(x):
    saved = [x, x * 2.0, x * 3.0]
    alias = saved
    y = x
    for i in range(2):
        last = alias[-1] + 0.0
        saved.pop()
        y = np.sin(y) * last
    return np.sum(y)


def user_call_between(x):
    y = x
    for i in range(3):
        a = y * 2.0
        y = bump(a) + np.sin(y)
    return np.sum(y)
