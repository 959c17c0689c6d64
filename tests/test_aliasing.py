"""Writes through views and aliases: differentiated correctly, or rejected with the line.

Every accepted function is checked against central differences in reverse mode (optimized and
raw) and forward mode, and the caller's arrays must come back unmodified; every rejected one
raises UnsupportedSyntaxError naming the line of the write and the fix (`.copy()`).
"""
import inspect

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads, numerical_grad
from s2sgrad.errors import UnsupportedSyntaxError

EPS = 1e-6


def numeric_grad(f, x, *rest):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += EPS
        minus[i] -= EPS
        g[i] = (f(plus, *[np.copy(r) for r in rest]) -
                f(minus, *[np.copy(r) for r in rest])) / (2 * EPS)
    return g


# ---------------------------------------------------------------- accepted, differentiated

def view_written_base_dead(x):
    v = x[1:]
    v[0] = 5.0
    return np.sum(v * v)


def full_slice_written_base_dead(x):
    y = x[:]
    y[0] = 5.0
    return np.sum(np.sin(y))


def reshape_written_base_dead(x):
    z = x * 2.0
    r = z.reshape(2, 3)
    r[0, 1] = 1.0
    return np.sum(r ** 2)


def ravel_written(x):
    y = np.tanh(x)
    r = y.ravel()
    r[2] = 0.5
    return np.sum(r * r)


def asarray_written(x):
    y = np.asarray(x)
    y[0] = 2.0
    return np.sum(y ** 3)


def atleast_squeeze_written(x):
    a = np.atleast_1d(x)
    s = np.squeeze(a)
    s[0] = 3.0
    return np.sum(s * s)


def np_reshape_written(x):
    r = np.reshape(x, (3, 2))
    r[1, 0] = 0.0
    return np.sum(np.sin(r))


def step_slice_written(x):
    e = x[::2]
    e[0] = 1.0
    return np.sum(e ** 2)


def ellipsis_written(X):
    c = X[..., 0]
    c[1] = 2.0
    return np.sum(c ** 2)


def augmented_through_view(x):
    v = x[1:]
    v += 1.0
    return np.sum(v ** 2)


def augmented_ellipsis_through_view(x):
    v = x[:4]
    v[...] *= 2.0
    return np.sum(v ** 3)


def view_of_intermediate(x):
    y = np.sin(x)
    w = y[1:]
    s = np.sum(w * w)
    w[0] = 0.0
    return s + np.sum(w)


def copy_then_write(x):
    y = x.copy()
    y[0] = 5.0
    return np.sum(np.cos(y))


def write_argument_directly(x):
    x[0] = 2.0
    return np.sum(x ** 2)


def alias_by_name_then_write(x):
    y = x
    y[0] = 5.0
    return np.sum(y * y)


def fresh_zeros_written_in_loop(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2
    return np.sum(y * x)


def view_written_in_loop(x):
    total = 0.0
    for i in range(2):
        v = x[i:]
        v[0] = 1.0
        total = total + np.sum(np.sin(v))
    return total


def view_written_in_branch(x):
    if np.sum(x) > 0:
        v = x[1:]
    else:
        v = x[:-1]
    v[0] = 0.5
    return np.sum(v ** 2)


def write_into_constant_argument(x, c):
    c[0] = 10.0
    return np.sum(x * c)


def list_element_written_list_dead(x):
    lst = [x * 1.0, x]
    t = lst[1]
    t[0] = 3.0
    return np.sum(t * t)


def swap_rows(X):
    Y = X * 1.0
    Y[0], Y[1] = Y[1], Y[0] * 2.0
    return np.sum(Y ** 2)


def offset_then_written(x):
    y = x + 1.0
    z = y - 2.0  # (a new array; its tangent is y's tangent: forward mode must copy it)
    y[1] = 3.0
    return np.sum(y * z)


def added_by_ufunc_then_written(x):
    y = x + 1.0
    z = np.add(y, 2.0)
    y[1] = 3.0
    return np.sum(y * z)


def positive_then_written(x):
    y = x * 2.0
    z = np.positive(y)
    y[0] = y[2] * 3.0
    return np.sum(y * z)


def alias_offset_then_written(x):
    y = x * 2.0
    z = y
    y = y + 1.0
    z[0] = 5.0
    return np.sum(y * z)


def _doubled(v):
    return v * 2.0


def _copied(v):
    w = v.copy()
    return w


def _maybe_doubled(v, double):
    if double:
        v = v * 2.0
    return v


def _shifted(v):
    return v - 2.0  # (its tangent is v's)


def shifted_by_helper_then_written(x):
    y = x * 2.0
    z = _shifted(y)
    y[1] = 3.0
    return np.sum(y * z)


def cast_by_arithmetic_then_written(x):
    acc = np.zeros(3, dtype=int)
    acc = acc * 1.0  # (a float array now: the user's own * 1.0 is kept)
    acc[1] = x[1] * 3.0
    return np.sum(acc * x)


def numbers_listed_then_written(x):
    y = x * 1.0
    vals = [y[0], y[1]]  # (numbers: the write below does not change them)
    y[0] = 5.0
    return vals[0] * y[0] + vals[1] * y[2]


def helper_result_written(x):
    y = _doubled(x)  # (a new array: the helper returns arithmetic)
    y[1] = y[0] * y[2]
    z = _copied(x)
    z[0] = 0.0
    return np.sum(y * x) + np.sum(z ** 2)


def written_then_rebound_in_loop(x):
    acc = np.zeros(3)
    for i in range(3):
        acc[i] = x[i]
        acc = acc + x  # (a new array under the old name)
    return np.sum(acc ** 2)


def written_then_augmented_in_loop(x):
    acc = np.zeros(3)
    for i in range(3):
        acc[i] = acc[i] + x[i] ** 2
        acc *= 2.0
        acc += x
    return np.sum(acc ** 3)


def written_then_rebound(x):
    y = x * 1.0
    y[0] = y[1] * y[2]
    y = y * 3.0
    y[1] = 0.5
    return np.sum(y ** 2)


def fresh_written_then_appended(x):
    hs = []
    for i in range(3):
        h = np.zeros(3)
        h[i] = x[i] ** 2  # (a new h each iteration, appended after the write)
        hs.append(h)
    return np.sum(np.stack(hs) * np.arange(3.0)[:, None])


def sorted_copy_augmented(x):
    order = np.argsort(x)
    y = x[order]  # (an array index: NumPy copies)
    y += 1.0
    return np.sum(y * x)


def masked_copy_scaled(x):
    mask = x > 0.5
    y = x[mask]
    y *= 3.0
    return np.sum(y ** 2) + np.sum(x)


def rows_by_list_written(X):
    B = X[[0, 1], :]
    B[:, 0] = B[:, 0] ** 2
    return np.sum(B * X[:2])


def rows_by_index_array_written(X):
    rows = np.array([1, 0])
    B = X[rows]
    B[0, 1] = 0.5
    return np.sum(B * X)


def nonzero_copy_written(x):
    y = x[np.nonzero(x > 0.5)]
    y[0] = y[0] ** 3
    return np.sum(y) * x[0]


ACCEPTED = [
    (sorted_copy_augmented, (4,)),
    (masked_copy_scaled, (4,)),
    (rows_by_list_written, (2, 3)),
    (rows_by_index_array_written, (2, 3)),
    (nonzero_copy_written, (4,)),
    (view_written_base_dead, (5,)),
    (full_slice_written_base_dead, (4,)),
    (reshape_written_base_dead, (6,)),
    (ravel_written, (2, 3)),
    (asarray_written, (4,)),
    (atleast_squeeze_written, (3,)),
    (np_reshape_written, (6,)),
    (step_slice_written, (5,)),
    (ellipsis_written, (3, 2)),
    (augmented_through_view, (4,)),
    (augmented_ellipsis_through_view, (5,)),
    (view_of_intermediate, (4,)),
    (copy_then_write, (4,)),
    (write_argument_directly, (3,)),
    (alias_by_name_then_write, (3,)),
    (fresh_zeros_written_in_loop, (4,)),
    (view_written_in_branch, (4,)),
    (list_element_written_list_dead, (3,)),
    (swap_rows, (2, 3)),
    (fresh_written_then_appended, (3,)),
    (written_then_rebound_in_loop, (3,)),
    (written_then_augmented_in_loop, (3,)),
    (written_then_rebound, (3,)),
    (helper_result_written, (3,)),
    (shifted_by_helper_then_written, (3,)),
    (cast_by_arithmetic_then_written, (3,)),
    (numbers_listed_then_written, (3,)),
    (offset_then_written, (3,)),
    (added_by_ufunc_then_written, (3,)),
    (positive_then_written, (3,)),
    (alias_offset_then_written, (3,)),
]


def _point(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape) + 0.5


@pytest.mark.parametrize('optimized', [True, False], ids=['optimized', 'raw'])
@pytest.mark.parametrize('f,shape', ACCEPTED, ids=[f.__name__ for f, _ in ACCEPTED])
def test_reverse_matches_differences_and_keeps_arguments(f, shape, optimized):
    x = _point(shape)
    kept = x.copy()
    g = s2sgrad.grad(f, optimized=optimized)(x)
    assert np.array_equal(x, kept), 'the caller\'s array was modified'
    np.testing.assert_allclose(g, numeric_grad(f, kept), rtol=1e-5, atol=1e-6)
    value, g2 = s2sgrad.value_and_grad(f, optimized=optimized)(x)
    assert np.array_equal(x, kept)
    np.testing.assert_allclose(value, f(kept.copy()))
    np.testing.assert_allclose(g2, g)


@pytest.mark.parametrize('f,shape', ACCEPTED, ids=[f.__name__ for f, _ in ACCEPTED])
def test_forward_matches_differences_and_keeps_arguments(f, shape):
    x = _point(shape, 1)
    t = _point(shape, 2)
    kept, kept_t = x.copy(), t.copy()
    jvp = s2sgrad.jvp(f)(x, t)
    assert np.array_equal(x, kept) and np.array_equal(t, kept_t)
    expected = (f(kept + EPS * kept_t) - f(kept - EPS * kept_t)) / (2 * EPS)
    np.testing.assert_allclose(jvp, expected, rtol=1e-5, atol=1e-6)


def test_vjp_and_hvp_keep_arguments():
    x = _point((5,))
    kept = x.copy()
    s2sgrad.vjp(view_written_base_dead)(x, 1.0)
    assert np.array_equal(x, kept)
    v = _point((5,), 3)
    hv = s2sgrad.hvp(view_written_base_dead)(x, v)
    assert np.array_equal(x, kept)
    df = s2sgrad.grad(view_written_base_dead)
    expected = (df(kept + EPS * v) - df(kept - EPS * v)) / (2 * EPS)
    np.testing.assert_allclose(hv, expected, rtol=1e-4, atol=1e-5)
    h = s2sgrad.hessian(view_written_base_dead)(x)
    assert np.array_equal(x, kept)
    np.testing.assert_allclose(h @ v, hv, rtol=1e-4, atol=1e-5)


def test_constant_argument_written_is_not_modified():
    x, c = _point((3,)), _point((3,), 4)
    kept_c = c.copy()
    g = s2sgrad.grad(write_into_constant_argument)(x, c)
    assert np.array_equal(c, kept_c)
    expected = kept_c.copy()
    expected[0] = 10.0
    np.testing.assert_allclose(g, expected)
    s2sgrad.jvp(write_into_constant_argument)(x, c, np.ones(3))
    assert np.array_equal(c, kept_c)


def test_view_of_argument_is_copied_where_made():
    source = s2sgrad.grad(view_written_base_dead).source
    assert 's2s.copy(x[1:])' in source


# ---------------------------------------------------------------- rejected, with the line

def base_read_after_view_write(x):
    v = x[1:]
    v[0] = 5.0
    return np.sum(x * x)


def full_slice_then_both_read(x):
    y = x[:]
    y[0] = 5.0
    return np.sum(x * y)


def ravel_then_both_read(x):
    y = x.ravel()
    y[0] = 5.0
    return np.sum(x * y)


def asarray_then_both_read(x):
    y = np.asarray(x)
    y[0] = 5.0
    return np.sum(x * y)


def list_holding_argument_written(x):
    lst = [x]
    lst[0][0] = 5.0
    return np.sum(x * x)


def transpose_written(x):
    y = x.T
    y[0] = 5.0
    return np.sum(x * x)


def reshape_then_base_read(x):
    r = x.reshape(2, 2)
    r[0, 0] = 1.0
    return np.sum(np.sin(x))


def augmented_view_then_base_read(x):
    v = x[::2]
    v *= 3.0
    return np.sum(x ** 2)


def base_written_view_read(x):
    y = x * 2.0
    v = y[1:]
    y[1] = 0.0
    return np.sum(v ** 2)


def view_written_in_loop_base_read(X):
    total = 0.0
    for i in range(X.shape[0]):
        row = X[i]
        row[0] = 0.0
        total = total + np.sum(X ** 2)
    return total


def squeeze_then_base_read(x):
    s = np.squeeze(x)
    s[0] = 1.0
    return np.sum(x * s)


def view_method_then_both_read(x):
    y = x.view()
    y[1] = 1.0
    return np.sum(np.exp(y) * x)


def intermediate_view_both_read(x):
    y = np.exp(x)
    w = y[:2]
    w[0] = 0.0
    return np.sum(y) + np.sum(w)


def appended_then_written(x):
    h = np.zeros(2)
    hs = []
    hs.append(h)
    h[0] = np.sum(x) * 2.0  # (changes hs[0] too)
    return np.sum(hs[0])


def written_after_append_in_loop(x):
    h = np.zeros(3)
    hs = []
    for i in range(3):
        h[i] = np.sum(x) * i  # (the h that hs holds since the last iteration)
        hs.append(h)
    return np.sum(np.stack(hs) * np.arange(3.0)[:, None])


def appended_then_augmented(x):
    h = x * 1.0
    hs = []
    hs.append(h)
    h += x ** 2
    return np.sum(hs[0])


def conjugate_written(x):
    y = x * 1.0
    v = y.conj()  # (of a real array: the array itself)
    v *= 2.0
    return np.sum(v * x) + np.sum(y)


def cast_without_copy_written(x):
    y = x * 1.0
    v = y.astype(np.float64, copy=False)  # (y itself)
    v[0] = 0.0
    return np.sum(y * x)


def nan_to_num_without_copy_written(x):
    y = x * 1.0
    v = np.nan_to_num(y, copy=False)
    v[0] = 1.0
    return np.sum(y * x)


def real_if_close_written(x):
    y = x * 1.0
    v = np.real_if_close(y)
    v[0] = 1.0
    return np.sum(y * x)


def helper_result_may_be_argument(x):
    y = _maybe_doubled(x, False)  # (the argument itself on one path)
    y[1] = 0.0
    return np.sum(y * x)


def list_extended_under_an_alias(x):
    out = [x[0]]
    alias = out
    out += [x[1] * 2.0, x[2]]  # (extends the list that alias names too)
    return sum(alias)


def row_by_number_written(X):
    i = 1
    r = X[i]  # (a number as the index: a view of a row)
    r[0] = 0.0
    return np.sum(r * X)


def row_by_equality_written(x):
    y = x * 1.0
    v = y[y == y[0]]  # (of a list, `==` is a number: proves nothing)
    v[0] = 2.0
    return np.sum(v * y)


def max_by_key_written(x):
    y = max([x, x - 10.0], key=np.sum)  # (x itself: an item of the list, not a copy)
    y[0] = 3.0 * np.sum(x)
    return np.sum(x * x)


def min_of_two_by_key_augmented(x):
    z = x * 2.0
    y = min(x, z, key=lambda v: float(v[0]))
    y += 1.0
    return np.sum(x * z)


REJECTED = [
    (max_by_key_written, (3,)),
    (min_of_two_by_key_augmented, (3,)),
    (row_by_number_written, (2, 3)),
    (row_by_equality_written, (4,)),
    (list_extended_under_an_alias, (3,)),
    (helper_result_may_be_argument, (3,)),
    (conjugate_written, (4,)),
    (cast_without_copy_written, (4,)),
    (nan_to_num_without_copy_written, (4,)),
    (real_if_close_written, (4,)),
    (appended_then_written, (3,)),
    (written_after_append_in_loop, (3,)),
    (appended_then_augmented, (3,)),
    (base_read_after_view_write, (4,)),
    (full_slice_then_both_read, (4,)),
    (ravel_then_both_read, (4,)),
    (asarray_then_both_read, (4,)),
    (list_holding_argument_written, (4,)),
    (transpose_written, (2, 3)),
    (reshape_then_base_read, (4,)),
    (augmented_view_then_base_read, (4,)),
    (base_written_view_read, (4,)),
    (view_written_in_loop_base_read, (2, 3)),
    (view_written_in_loop, (4,)),
    (squeeze_then_base_read, (4,)),
    (intermediate_view_both_read, (4,)),
    (view_method_then_both_read, (4,)),
]


def _write_line(f):
    lines, start = inspect.getsourcelines(f)
    for offset, line in enumerate(lines):
        code = line.split('#')[0]
        if ('] ' in code and '= ' in code.split(']')[-1]) or \
                any(op in code for op in ('+=', '-=', '*=', '/=')):
            if 'return' not in code and 'def ' not in code:
                return start + offset
    raise AssertionError('no write found')


@pytest.mark.parametrize('operator', ['grad', 'raw', 'jvp', 'hessian', 'value_and_grad',
                                      'vjp'])
@pytest.mark.parametrize('f,shape', REJECTED, ids=[f.__name__ for f, _ in REJECTED])
def test_rejected_with_line_and_fix(f, shape, operator):
    x = _point(shape)
    kept = x.copy()
    with pytest.raises(UnsupportedSyntaxError) as info:
        if operator == 'grad':
            s2sgrad.grad(f)(x)
        elif operator == 'raw':
            s2sgrad.grad(f, optimized=False)(x)
        elif operator == 'jvp':
            s2sgrad.jvp(f)(x, np.ones(shape))
        elif operator == 'hessian':
            s2sgrad.hessian(f)(x)
        elif operator == 'vjp':
            s2sgrad.vjp(f)(x, 1.0)
        else:
            s2sgrad.value_and_grad(f)(x)
    assert np.array_equal(x, kept)
    error = info.value
    assert error.lineno == _write_line(f)
    message = str(error)
    assert 'may share memory' in message
    assert '.copy()' in message
    assert f.__name__ in message


def test_error_names_the_view_and_where_it_is_made():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(base_read_after_view_write)
    message = str(info.value)
    assert 'write into `v`' in message
    assert '`v = x[1:]`' in message
    assert 'share memory with `x`' in message


# -- a double buffer: each step writes into a fresh copy, then rebinds the name to it

def diffusion_steps(u0, k):
    u = u0.copy()
    for t in range(3):
        un = u.copy()
        un[1:-1] = u[1:-1] + k * (u[2:] - 2 * u[1:-1] + u[:-2])
        u = un
    return np.sum(u ** 2)


def aliased_then_written(u0):
    u = u0.copy()
    for t in range(2):
        un = u
        un[0] = un[0] * 2.0
        u = un
    return np.sum(u ** 2)


def test_double_buffer_in_a_loop():
    u0 = np.linspace(0.0, 1.0, 5)
    for wrt in (0, 1):
        expected = numerical_grad(diffusion_steps, (u0, 0.2), wrt)
        np.testing.assert_allclose(s2sgrad.grad(diffusion_steps, wrt=wrt)(u0, 0.2), expected,
                                   rtol=1e-6, atol=1e-9)
    v = np.linspace(1.0, 2.0, 5)
    expected = numerical_grad(diffusion_steps, (u0, 0.2), 0) @ v
    assert np.isclose(s2sgrad.jvp(diffusion_steps)(u0, 0.2, v), expected)


def test_an_alias_written_in_the_next_iteration_matches_differences():
    # (no name reads the array `un` shares with `u` after the write: the alias analysis
    # copies it, where the merging of aliases used to refuse the program)
    u0 = np.linspace(0.1, 1.0, 3)
    expected = numerical_grad(aliased_then_written, (u0,), 0)
    np.testing.assert_allclose(s2sgrad.grad(aliased_then_written)(u0.copy()), expected,
                               rtol=1e-6, atol=1e-9)
    v = np.array([0.5, -1.0, 2.0])
    assert np.isclose(s2sgrad.jvp(aliased_then_written)(u0.copy(), v), expected @ v)


def copied_then_written(x):
    y = x[:2].copy()
    x[0] = 5.0
    return np.sum(y * x[:2])  # (by is x[:2] itself: the restore of x[0] must not change it)


def indexed_copy_then_written(x):
    y = x[[0, 1]]
    x[0] = 5.0
    return np.sum(y * x[:2])


def rows_copied_then_written_in_loop(X):
    total = 0.0
    for i in range(2):
        r = X[i].copy()
        X[i, 0] = 2.0
        total = total + np.sum(r * X[i])
    return total


@pytest.mark.parametrize('f,shape', [(copied_then_written, (3,)),
                                     (indexed_copy_then_written, (3,)),
                                     (rows_copied_then_written_in_loop, (2, 3))],
                         ids=lambda v: getattr(v, '__name__', str(v)))
def test_an_adjoint_that_is_a_view_survives_the_restore(f, shape):
    x = _point(shape)
    kept = x.copy()
    for optimized in (True, False):
        g = s2sgrad.grad(f, optimized=optimized)(x)
        assert np.array_equal(x, kept)
        np.testing.assert_allclose(g, numeric_grad(f, kept), rtol=1e-5, atol=1e-6)
    check_grads(f, (x,), modes=('rev', 'fwd'), order=2)


def view_of_an_indexed_copy_written(x):
    y = x[[0, 1]]
    z = y[:1]
    z *= 2.0  # (z is a view of y, which is read afterwards)
    return np.sum(y)


def test_a_view_of_an_indexed_copy_written_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='may share memory'):
        s2sgrad.grad(view_of_an_indexed_copy_written)(np.array([1.0, 2.0, 3.0]))


def copy_written_then_scaled(x):
    y = x.copy()
    y[0] = y[0] ** 2
    y *= 2.0
    return np.sum(y ** 3)


def argument_rebound_to_its_copy(x):
    x = x.copy()  # (normalized: ``x_copy = x.copy(); x = x_copy``, then `x` is rebound)
    x[0] = x[0] ** 2
    x *= 2.0
    return np.sum(x ** 3)


def argument_rebound_to_its_copy_then_rebound(x):
    x = x.copy()
    x[0] = x[0] ** 2
    x = x * 2.0
    return np.sum(x ** 3)


@pytest.mark.parametrize('f', [copy_written_then_scaled, argument_rebound_to_its_copy,
                               argument_rebound_to_its_copy_then_rebound])
def test_a_copy_written_then_rescaled(f):
    """``x = x.copy(); x[0] = ...; x *= 2.0`` was refused as an alias of an array assigned
    into: normalized, the copy is made into a temporary and `x` is bound to it, then rebound;
    the two names are merged from there on, the later bindings of `x` too, since the
    temporary is read nowhere else. Closed form: f = 8 (x0^6 + x1^3 + x2^3). (The Hessian:
    the gradient saves ``y_old_2 = y`` before ``y = y * 2.0``, which its own derivative
    still refuses as an alias of an array assigned into.)"""
    x = np.array([0.5, -1.0, 2.0])
    kept = x.copy()
    gradient = 8 * np.array([6 * x[0] ** 5, 3 * x[1] ** 2, 3 * x[2] ** 2])
    np.testing.assert_allclose(s2sgrad.grad(f)(x), gradient, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(f, optimized=False)(x), gradient, rtol=1e-12)
    v = np.array([0.3, -0.2, 1.5])
    assert np.isclose(s2sgrad.jvp(f)(x, v), gradient @ v, rtol=1e-12)
    np.testing.assert_array_equal(x, kept)
    try:
        hessian = s2sgrad.hessian(f)(x)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert 'alias' in str(error)
    else:
        np.testing.assert_allclose(
            hessian, np.diag(8 * np.array([30 * x[0] ** 4, 6 * x[1], 6 * x[2]])), rtol=1e-12)
