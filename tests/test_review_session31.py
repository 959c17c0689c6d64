"""Findings of the reviews of 2026-12-05 (third session): programs users write, each checked
against central differences, or refused with the error that names the construct."""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from review_checks import hessian_v, matches  # noqa: E402
from s2sgrad.errors import InPlaceError, S2SError  # noqa: E402

X3 = np.array([0.3, -0.7, 1.1])
V3 = np.array([0.2, 0.5, -0.4])


def _matches(func, point=X3, v=V3):
    """grad, jvp, hvp and reverse over reverse of `func` at `point` against differences."""
    matches(func, point, v, twice=True)


# --- a training loop written in the function, over a list of parameter arrays -----------------
# (the most common first-order refusal of realistic programs in the last review)

RNG = np.random.default_rng(5)
DATA = RNG.normal(size=(6, 3))
TARGET = RNG.normal(size=6)


def _grads(ps, X, y):
    W, b = ps
    h = np.tanh(X @ W)
    r = h + b - y
    gW = X.T @ (2 * r * (1 - h ** 2)) / len(y)
    gb = np.mean(2 * r, keepdims=True)
    return [gW, gb]


def _loss(ps, X, y):
    W, b = ps
    return np.mean((np.tanh(X @ W) + b - y) ** 2)


def sgd_by_the_loop_variable(ws, X, y):
    ps = [w.copy() for w in ws]
    for _ in range(3):
        gs = _grads(ps, X, y)
        for p, g in zip(ps, gs):
            p -= 0.1 * g
    return _loss(ps, X, y)


def sgd_by_position(ws, X, y):
    ps = [w.copy() for w in ws]
    for _ in range(3):
        gs = _grads(ps, X, y)
        for i in range(len(ps)):
            ps[i] -= 0.1 * gs[i]
    return _loss(ps, X, y)


def sgd_unpacking_the_list_first(ws, X, y):
    ps = [w.copy() for w in ws]
    for _ in range(3):
        W, b = ps
        r = np.tanh(X @ W) + b - y
        gW = X.T @ (2 * r * (1 - np.tanh(X @ W) ** 2)) / len(y)
        gb = np.mean(2 * r, keepdims=True)
        for i, g in enumerate([gW, gb]):
            ps[i] -= 0.1 * g
    return _loss(ps, X, y)


def sgd_on_a_dict(params, X, y):
    params = {k: v.copy() for k, v in params.items()}
    for _ in range(3):
        gW, gb = _grads([params['W'], params['b']], X, y)
        params['W'] -= 0.1 * gW
        params['b'] -= 0.1 * gb
    return _loss([params['W'], params['b']], X, y)


def _flat_matches(func, as_args, size):
    """grad and hvp of `func` at a point given as one flat vector (`as_args` makes the
    arguments of it) against differences; the arguments unchanged."""
    point = np.concatenate([RNG.normal(size=size - 1), [0.3]])
    v = np.linspace(-0.5, 0.7, size)

    def flat(z):
        return func(*as_args(z))
    expected = numerical_grad(flat, (point,), 0)
    args = as_args(point)
    kept = as_args(point)
    given = s2sgrad.grad(func)(*args)
    values = given.values() if isinstance(given, dict) else given
    np.testing.assert_allclose(np.concatenate([np.ravel(g) for g in values]), expected,
                               rtol=1e-5, atol=1e-7)
    hv = s2sgrad.hvp(func)(*args, as_args(v)[0])
    values = hv.values() if isinstance(hv, dict) else hv
    np.testing.assert_allclose(np.concatenate([np.ravel(h) for h in values]),
                               hessian_v(flat, point, v), rtol=1e-4, atol=1e-5)
    first, keep = (args[0].values(), kept[0].values()) if isinstance(args[0], dict) else \
        (args[0], kept[0])
    assert all(np.array_equal(a, b) for a, b in zip(first, keep))


@pytest.mark.parametrize('func', [sgd_by_the_loop_variable, sgd_by_position,
                                  sgd_unpacking_the_list_first])
def test_a_training_loop_over_a_list_of_parameters(func):
    _flat_matches(func, lambda z: ([z[:3].copy(), z[3:].copy()], DATA, TARGET), 4)


def test_a_training_loop_over_a_dict_of_parameters():
    _flat_matches(sgd_on_a_dict,
                  lambda z: ({'W': z[:3].copy(), 'b': z[3:].copy()}, DATA, TARGET), 4)


# --- loop variables updated in place: the item itself changes ---------------------------------

def subtracts_from_each_row(x):
    A = np.outer(x, x)
    for row in A:
        row -= x
    return np.sum(A ** 2)


def scales_rows_by_their_position(x):
    A = np.outer(x, x)
    for i, row in enumerate(A):
        row /= (1.0 + i)
    return np.sum(A ** 2)


def updates_each_array_twice(x):
    ps = [x * 1.0, x ** 2]
    for p in ps:
        p += 1.0
        p *= p
    return np.sum(ps[0] * ps[1])


def updates_in_an_inner_loop(x):
    ps = [x * 1.0, x ** 2]
    for p in ps:
        for _ in range(2):
            p *= 0.5
            p += x
    return np.sum(ps[0] * ps[1])


def updates_in_a_branch(x):
    ps = [x * 1.0, x ** 2]
    for p in ps:
        if np.sum(p) > 0:
            p -= 0.1 * p
    return np.sum(ps[0] * ps[1])


def updates_backwards(x):
    ps = [x * 1.0, x ** 2]
    for p in reversed(ps):
        p *= 3.0
    return np.sum(ps[0] * np.sin(ps[1]))


def updates_numbers_which_are_rebound(x):
    vals = [x[0], x[1], x[2]]
    s = 0.0
    for v in vals:
        v -= 1.0
        s += v * v
    return s + sum(vals)


def updates_numbers_of_an_array(x):
    y = x * 2.0
    s = 0.0
    for v in y:
        v -= 1.0
        s += v * v
    return s + np.sum(y ** 2)


@pytest.mark.parametrize('func', [subtracts_from_each_row, scales_rows_by_their_position,
                                  updates_each_array_twice, updates_in_an_inner_loop,
                                  updates_in_a_branch, updates_backwards,
                                  updates_numbers_which_are_rebound,
                                  updates_numbers_of_an_array])
def test_a_loop_variable_updated_in_place(func):
    _matches(func)


def test_the_update_is_printed_as_both_cases():
    source = s2sgrad.grad(updates_in_a_branch).source
    assert "in_place_p = s2s.in_place(p, '-=', ps)" in source and 'if in_place_p:' in source


def keeps_the_item_under_another_name(x):
    ps = [x * 1.0, x ** 2]
    alias = ps[0]
    for p in ps:
        p += 1.0
    return np.sum(alias * ps[1])


def keeps_the_items_in_another_list(x):
    ps = [x * 1.0, x ** 2]
    kept = []
    for p in ps:
        kept.append(p)
        p -= 1.0
    return np.sum(kept[0] * ps[1]) + np.sum(kept[1])


def updates_views_of_an_argument(x):
    rows = np.split(x, 3)
    for r in rows:
        r *= 2.0
    return np.sum(x ** 2) + sum(np.sum(r) for r in rows)


def updates_one_array_twice(x):
    a = x * 2.0
    ps = [a, a]
    for p in ps:
        p += 1.0
    return np.sum(ps[0] * ps[1])


def updates_the_arrays_of_the_callers_list(ps, x):
    for p in ps:
        p -= 0.1 * x
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize('func', [keeps_the_item_under_another_name,
                                  keeps_the_items_in_another_list,
                                  updates_views_of_an_argument, updates_one_array_twice])
def test_an_update_another_name_sees_is_refused(func):
    with pytest.raises(S2SError):
        s2sgrad.grad(func)(X3.copy())


def test_an_update_of_the_callers_arrays_is_refused():
    ps = [X3.copy(), X3 ** 2]
    with pytest.raises(InPlaceError, match='an item of `ps`'):
        s2sgrad.grad(updates_the_arrays_of_the_callers_list)(ps, X3)
    assert np.array_equal(ps[0], X3)


# --- an attribute set in the function and read by a method or a property ----------------------

class _Model:
    def __init__(self):
        self.training = True

    @property
    def keep(self):
        return 0.5 if self.training else 1.0

    def scale(self):
        return 2.0 if self.training else 3.0

    def eval_loss(self, w):
        self.training = False
        return np.sum(w ** 2) * self.keep * self.scale()


class _Simulation:
    def __init__(self):
        self.t = 0

    def step(self, x):
        return x + 0.1 * np.sin(x) * (1 + self.t)

    def rollout(self, x):
        for t in range(4):
            self.t = t
            x = self.step(x)
        return np.sum(x ** 2)


def test_an_attribute_set_and_read_through_a_method_or_property():
    w = np.array([0.5, -1.0])
    model = _Model()
    value, gradient = s2sgrad.value_and_grad(model.eval_loss)(w)
    assert value == pytest.approx(np.sum(w ** 2) * 3.0) and not model.training
    np.testing.assert_allclose(gradient, 6.0 * w)
    np.testing.assert_allclose(s2sgrad.hvp(_Model().eval_loss)(w, np.ones(2)), 6.0)
    x = np.array([0.3, -0.7])
    expected = numerical_grad(lambda z: _Simulation().rollout(z), (x,), 0)
    value, gradient = s2sgrad.value_and_grad(_Simulation().rollout)(x)
    assert value == pytest.approx(_Simulation().rollout(x))
    np.testing.assert_allclose(gradient, expected, rtol=1e-6)


# --- d.pop(key, default) inside an expression that reads the dict before -------------------

def pops_after_its_length(x, opts):
    return len(opts) * x + opts.pop('bias', 0.0)


def pops_after_an_item(x, opts):
    return opts['a'] * x + opts.pop('a', 0.0)


def _peek(d):
    return d['a'] if 'a' in d else 0.0


def pops_after_a_helper_reads(x, d):
    return _peek(d) * x + d.pop('a', 1.0)


@pytest.mark.parametrize('func, opts, expected', [
    (pops_after_its_length, {'bias': 0.2}, 1.0),
    (pops_after_an_item, {'a': 2.0}, 2.0),
    (pops_after_a_helper_reads, {'a': 0.7}, 0.7)])
def test_a_pop_is_computed_where_python_computes_it(func, opts, expected):
    kept = dict(opts)
    assert s2sgrad.grad(func)(1.5, opts) == pytest.approx(expected)
    assert opts == kept


def pops_from_a_user_dict(x, cfg):
    lr = cfg.pop('lr', 0.1)
    return np.sum(x ** 2) * lr


def pops_from_a_copy(p):
    e = p.copy()
    a = e.pop('a', 0.0)
    return a * e['b']


def test_a_pop_with_a_default_of_other_mappings():
    from collections import UserDict
    np.testing.assert_allclose(s2sgrad.grad(pops_from_a_user_dict)(X3, UserDict(lr=0.5)), X3)
    p = {'a': 2.0, 'b': 3.0}
    assert s2sgrad.grad(pops_from_a_copy)(p) == {'a': 3.0, 'b': 2.0}
    assert p == {'a': 2.0, 'b': 3.0}


# --- *name of a tuple of constants, and a nested function's parameter of that name -----------

WEIGHTS = np.array([[1.0, 2.0], [3.0, 4.0]])


def transposes_by_a_nested_parameter(x):
    perm = (1, 0)

    def tr(y, perm):
        return y.transpose(*perm)
    return np.sum(tr(x, (0, 1)) * WEIGHTS) + np.sum(x.transpose(*perm) ** 2)


def reshapes_by_a_negative_size(x):
    shape = (-1, 2)
    return np.sum(np.tanh(x.reshape(*shape)) @ WEIGHTS)


def test_a_starred_name_a_nested_function_binds_is_not_taken_for_the_outer_constants():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    try:
        gradient = s2sgrad.grad(transposes_by_a_nested_parameter)(x)
    except S2SError:
        return  # (loud is fine: the name has two bindings)
    np.testing.assert_allclose(gradient, WEIGHTS + 2 * x)


def test_a_starred_shape_with_a_negative_size():
    x = np.linspace(-1.0, 1.0, 6)
    np.testing.assert_allclose(s2sgrad.grad(reshapes_by_a_negative_size)(x),
                               numerical_grad(reshapes_by_a_negative_size, (x,), 0),
                               rtol=1e-6)


# --- a helper that puts its argument into the list it returns -------------------------------

def _packed(x):
    items = [np.zeros(3)]
    items.append(x)
    return items


def adds_into_what_a_helper_packed(x):
    y = x * 1.0
    items = _packed(y)
    items[1] += 1.0  # (NumPy adds into `y` itself)
    return np.sum(y * x) + np.sum(items[1])


def test_an_update_of_an_argument_a_helper_returned_in_a_list():
    given = X3.copy()
    try:
        gradient = s2sgrad.grad(adds_into_what_a_helper_packed)(given)
    except S2SError:
        return
    np.testing.assert_allclose(gradient, numerical_grad(adds_into_what_a_helper_packed,
                                                        (X3,), 0), rtol=1e-6)


# --- sum(arrays, start) from a number, max and min of a dict by key --------------------------

def sums_vectors_from_a_number(x):
    vecs = [x[:2] * 2.0, x[1:] ** 2]
    return np.sum(sum(vecs, x[0]) ** 2)


def sums_vectors_from_a_row(x):
    vecs = [x[:2] * 2.0, x[1:] ** 2]
    return np.sum(np.sin(sum(vecs, x[:1] * 3)) ** 2)


def largest_key_by_value(x):
    d = {1.0: x[0] ** 2, 2.0: x[1] ** 2, 3.0: x[2] ** 2}
    k = max(d, key=d.get)
    return d[k] * k + min(d, key=d.get) * x[0]


def largest_row_by_key(x):
    rows = [x * 2.0, x ** 2, np.sin(x)]
    return np.sum(max(rows, key=lambda v: v[0]) ** 2) + np.sum(min(rows, key=np.sum))


@pytest.mark.parametrize('func', [sums_vectors_from_a_number, sums_vectors_from_a_row,
                                  largest_key_by_value, largest_row_by_key])
def test_sums_from_a_start_and_extrema_by_key(func):
    _matches(func)


def groups_by_setdefault(x, groups):
    for i in range(2):
        groups.setdefault(i, []).append(x[i] ** 2)
    return sum(groups[0]) + sum(groups[1])


def test_lists_grown_through_a_dict_argument_are_not_silently_lost():
    x = np.array([0.3, -0.7])
    try:
        gradient = s2sgrad.grad(groups_by_setdefault)(x, {})
    except S2SError:
        return
    np.testing.assert_allclose(gradient, 2 * x)


# --- jacobian and hessian run the function once per column -----------------------------------

class _Noisy:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def loss(self, w):
        eps = self.rng.normal(size=w.shape)
        return np.sum(w ** 2 * eps)


class _Logged:
    def __init__(self):
        self.hist = []
        self.calls = 0
        self.w = np.ones(3)

    def loss(self, w):
        self.hist.append(1.0)
        return np.sum(w ** 2) * len(self.hist)

    def counted(self, w):
        self.calls += 1
        return np.sum(w ** 2 * self.w)


def test_jacobian_and_hessian_of_a_function_whose_runs_differ_are_refused():
    w = np.array([0.3, 0.4, 0.5])
    for operator in (s2sgrad.hessian, s2sgrad.jacobian):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='draws random'):
            operator(_Noisy(0).loss)(w)
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='adds to `self.hist`'):
            operator(_Logged().loss)(w)
    # (a counter nothing reads: each run computes the same function)
    np.testing.assert_allclose(s2sgrad.hessian(_Logged().counted)(w), 2.0 * np.eye(3))
    np.testing.assert_allclose(s2sgrad.jacobian(_Logged().counted)(w), 2.0 * w)


# --- what the caller passes: complex cotangents, masked tangents, dicts popped in a test ------

def test_a_complex_cotangent_of_a_real_output_is_refused():
    with pytest.raises(s2sgrad.errors.ComplexError):
        s2sgrad.vjp(lambda x: np.sum(np.tanh(x) * x))(X3, 1.0 + 1.0j)


def test_a_masked_tangent_is_refused():
    tangent = np.ma.masked_array(V3, mask=[False, True, False])
    with pytest.raises(s2sgrad.errors.S2SError, match='masked'):
        s2sgrad.jvp(lambda x: np.sum(x ** 2))(X3, tangent)


def pops_in_a_loop_test(x, d):
    while d.pop('a', None) is not None:
        x = x * 2.0
    return x


def test_a_pop_in_a_loop_test_leaves_the_callers_dict():
    d = {'a': 3.0}
    assert s2sgrad.grad(pops_in_a_loop_test)(1.0, d) == 2.0
    assert d == {'a': 3.0}


def fills_a_dict_and_returns_it_in_the_loop(x):
    out = {}
    for i in range(2):
        out[i] = x
        if i == 1:
            return out
    return out


def test_a_tangent_dict_holds_no_array_of_the_caller():
    v = np.array([1.0, 2.0])
    tangent = s2sgrad.jvp(fills_a_dict_and_returns_it_in_the_loop)(np.array([0.3, -0.7]), v)
    assert all(np.array_equal(t, v) and not np.shares_memory(t, v) for t in tangent.values())


# --- a value read before a write into its array, then traded with another name -----------------

def swaps_then_writes_a_slice(x):
    a = x.copy()
    b = x * 1.0
    for i in range(2):
        a, b = b, a
    b[1:] = np.sin(b[1:])
    return np.sum(a ** 2) + np.sum(b ** 2)


def trades_and_scales_in_the_loop(x):
    cur = x * 1.0
    for i in range(2):
        nxt = cur * 1.1
        cur, prev = nxt, cur
        cur[i:i + 2] *= np.sin(cur[i:i + 2])
    prev[0] = 1.3
    return np.sum(cur ** 2) + np.sum(prev ** 2)


@pytest.mark.parametrize('func', [swaps_then_writes_a_slice, trades_and_scales_in_the_loop])
def test_a_value_read_before_a_write_is_differentiated_at_its_old_values(func):
    x = np.array([0.31, -0.72, 1.13, 0.52])
    np.testing.assert_allclose(s2sgrad.grad(func)(x), numerical_grad(func, (x,), 0),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.vjp(func)(x, 1.0), numerical_grad(func, (x,), 0),
                               rtol=1e-5, atol=1e-7)


# --- a list written into an array's slice ----------------------------------------------------

def writes_a_comprehension_into_a_slice(x):
    vals = [x[i] ** 2 for i in range(3)]
    y = np.zeros(3)
    y[:] = vals
    return np.sum(y * x)


def writes_rows_of_products(x):
    B = np.zeros((3, 3))
    for i in range(3):
        B[i] = [x[i] * x[j] for j in range(3)]
    return np.sum(np.sin(B))


def writes_a_column_and_an_appended_row(x):
    B = np.zeros((3, 2))
    B[:, 1] = [v ** 3 for v in x]
    row = []
    for v in x:
        row.append(np.sin(v))
    C = np.zeros((2, 3))
    C[1, :] = row
    return np.sum(B ** 2) + np.sum(C * C)


@pytest.mark.parametrize('func', [writes_a_comprehension_into_a_slice, writes_rows_of_products,
                                  writes_a_column_and_an_appended_row])
def test_a_list_written_into_a_slice(func):
    expected = numerical_grad(func, (X3,), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(X3.copy()), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hvp(func)(X3.copy(), V3), hessian_v(func, X3, V3),
                               rtol=1e-4, atol=1e-5)


# --- an integer array argument written into ---------------------------------------------------

def writes_into_its_integer_argument(x):
    x[0] = x[1] * 0.5
    return np.sum(x ** 2)


def writes_into_zeros_like_it(x):
    y = np.zeros_like(x)
    y[0] = x[0] * 1.5
    return np.sum(y * x)


@pytest.mark.parametrize('func', [writes_into_its_integer_argument, writes_into_zeros_like_it])
def test_an_integer_argument_written_into_is_refused_and_a_float_one_differentiated(func):
    for operator in (lambda x: s2sgrad.grad(func)(x), lambda x: s2sgrad.jvp(func)(x, V3)):
        with pytest.raises(s2sgrad.errors.WrtError, match=r'astype\(float\)'):
            operator(np.array([3, -3, 1]))
    x = np.array([3.0, -3.0, 1.0])
    np.testing.assert_allclose(s2sgrad.grad(func)(x.copy()), numerical_grad(func, (x,), 0),
                               rtol=1e-6)


# --- a private method and attribute of the class (Python mangles `self.__name`) ----------------

class _Private:
    def __init__(self):
        self.__w = np.array([1.0, 2.0])

    def __squared(self, x):
        return x * x * self.__w

    def loss(self, x):
        return np.sum(self.__squared(x) * 3.0)


def test_private_methods_and_attributes_are_the_mangled_ones():
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(s2sgrad.grad(_Private().loss)(x), 6.0 * x * [1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.hvp(_Private().loss)(x, np.ones(2)), [6.0, 12.0])


# --- review of the session's changes (J) --------------------------------------------------------

def updates_through_a_tuple(x):
    ps = (x * 1.0, x ** 2)
    for p in ps:
        p -= 0.1 * p
    return np.sum(ps[0] * ps[1])


def updates_a_list_another_name_reorders(x):
    ps = [x * 1.0, x ** 2]
    qs = ps
    for p in ps:
        qs.reverse()
        p -= 0.5 * p
    return np.sum(ps[0] * np.sin(ps[1]))


def _collected(a, b):
    out = []
    for t in (a, b):
        out.append(t)
    return out


def scales_what_a_helper_collected(x):
    y = x * 1.0
    res = _collected(x * 2.0, y)
    res[1] *= 3.0
    return np.sum(y * x)


@pytest.mark.parametrize('func', [updates_through_a_tuple, updates_a_list_another_name_reorders,
                                  scales_what_a_helper_collected])
def test_updates_the_write_back_cannot_follow_are_right_or_refused(func):
    try:
        gradient = s2sgrad.grad(func)(X3.copy())
    except S2SError:
        return
    np.testing.assert_allclose(gradient, numerical_grad(func, (X3,), 0), rtol=1e-5, atol=1e-7)


class _Decaying:
    def __init__(self):
        self.n = 0
        self.calls = 0

    @property
    def decay(self):
        return 0.5 ** self.n

    def loss(self, x):
        self.n += 1
        return np.sum(x ** 2) * self.decay

    def predict(self, x):
        return x * 2.0

    def counted(self, x, seed=3):
        self.calls += 1
        rng = np.random.default_rng(seed)
        return np.sum(self.predict(x) ** 2 * rng.uniform(1.0, 2.0, x.shape))


HISTORY = []


def _seen():
    return len(HISTORY)


def reads_a_global_through_a_helper(x):
    HISTORY.append(1.0)
    return np.sum(x ** 2) * _seen()


def test_runs_that_differ_through_a_property_or_a_helper_are_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='adds to `self.n`'):
        s2sgrad.hessian(_Decaying().loss)(X3)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='adds to `HISTORY`'):
        s2sgrad.hessian(reads_a_global_through_a_helper)(X3)


def test_a_counter_and_a_generator_seeded_by_an_argument_run_alike():
    weights = np.random.default_rng(3).uniform(1.0, 2.0, 3)
    np.testing.assert_allclose(s2sgrad.hessian(_Decaying().counted)(X3),
                               np.diag(8.0 * weights))


def _packed_in_a_dict(a, b):
    return {'w': a * 1.0, 'b': b}  # (holds the argument `b` itself)


def writes_into_an_item_a_helper_returned(x):
    y = x * 2.0
    res = _packed_in_a_dict(x * 3.0, y)
    res['b'][:] = x ** 3  # (writes into `y`)
    return np.sum(y * x)


def drains_a_dict_in_a_loop_test(x):
    d = {'a': x[0], 'b': x[1] * 3.0}
    total = 0.0
    while d.pop('a', None) is not None:
        total = total + d['b']
    return total * x[2]


@pytest.mark.parametrize('func', [writes_into_an_item_a_helper_returned,
                                  drains_a_dict_in_a_loop_test])
def test_changes_the_passes_cannot_follow_are_right_or_refused(func):
    x = np.array([0.5, 2.0, 1.5])
    try:
        gradient = s2sgrad.grad(func)(x.copy())
    except S2SError:
        return
    np.testing.assert_allclose(gradient, numerical_grad(func, (x,), 0), rtol=1e-5, atol=1e-7)


def returns_inside_a_loop_after_a_concatenation(x):
    s1 = sum([[x[0]], [x[1] * 1.1]], [x[2]])[0]
    x[1] = s1 * x[1]
    if s1 > 2.0:
        return s1 * np.sum(x ** 2)
    for i1 in range(4):
        a2 = np.where(x > 0, x, 0.5 * x)
        for i2 in range(2):
            if s1 > 2.0:
                return s1 * np.sum(x ** 2)
            a3 = np.concatenate([x[:2], x[2:]])
            a2[0] += np.sin(a2[0]) * s1
        s4 = a3[2]
    x[1:3] *= s4
    return np.sum(a2 ** 2) + s4


def test_reverse_over_reverse_of_a_branch_in_a_loop_that_may_return():
    # (fuzzer seed 73: the number 0.0 for a branch's zero adjoint reached `s2s.unjoin` in
    # the gradient differentiated again)
    x = np.array([0.01102519, -0.79840368, 0.13155158, 0.67438341])
    v = np.array([0.2, 0.5, -0.4, 0.3])
    func = returns_inside_a_loop_after_a_concatenation
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(func))(x.copy(), v),
                               hessian_v(func, x, v), rtol=1e-4, atol=1e-5)


def test_a_sum_from_a_broadcast_start_compiles():
    pytest.importorskip('numba', reason='numba is an optional extra')
    np.testing.assert_allclose(s2sgrad.grad(sums_vectors_from_a_row, compile='numba')(X3),
                               numerical_grad(sums_vectors_from_a_row, (X3,), 0), rtol=1e-5,
                               atol=1e-7)
