"""Findings of the reviews of 2026-12-05 (fourth session): programs users write, each checked
against central differences, or refused with the error that names the construct."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2sgrad  # noqa: E402
from review_checks import matches  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError  # noqa: E402

U0 = np.linspace(0.0, 1.0, 7) ** 2
DU = np.linspace(-1.0, 1.0, 7)


# --- stencils written in place into a copy, with boundaries copied from the next point -------
# (``u[1:-1] += ...`` then ``u[0] = u[1]`` was refused: `u0.copy()` of an argument may be a
# list, whose items ``u[0] = u[1]`` would make one object)

def heat_neumann_in_place(u0):
    u = u0.copy()
    for _ in range(4):
        u[1:-1] += 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    return np.sum(u ** 2 * np.arange(1.0, 8.0))


def heat_neumann_once(u0):
    u = u0.copy()
    u[1:-1] += 0.3 * (u[2:] - u[:-2])
    u[0] = u[1]
    return np.sum(np.sin(u) * u)


def heat_2d_neumann(u0):
    U = u0.reshape(7, 1) * np.linspace(0.5, 1.5, 5)
    for _ in range(2):
        U[1:-1, 1:-1] += 0.1 * (U[2:, 1:-1] + U[:-2, 1:-1] + U[1:-1, 2:] + U[1:-1, :-2] -
                                4 * U[1:-1, 1:-1])
        U[0, :] = U[1, :]
        U[-1, :] = U[-2, :]
        U[:, 0] = U[:, 1]
        U[:, -1] = U[:, -2]
    return np.sum(U ** 3)


def upwind_from_a_product(u0):
    u = u0 * 1.0
    u[1:] -= 0.4 * (u[1:] - u[:-1])
    u[0] = u[1]
    return np.sum(u ** 2)


@pytest.mark.parametrize('func', [heat_neumann_in_place, heat_neumann_once, heat_2d_neumann,
                                  upwind_from_a_product])
def test_stencils_with_copied_boundaries(func):
    matches(func, U0, DU)


# --- draws of SciPy's distributions (``norm.rvs``) are draws --------------------------------
# (dead code dropped an unused ``norm.rvs(...)``, shifting the draws after it; jacobian and
# hessian ran a function drawing with it once per column)

from scipy import stats  # noqa: E402

W3 = np.array([0.3, -0.2, 0.5])
X43 = np.arange(12.0).reshape(4, 3) / 10


def dropout_after_an_unused_scipy_draw(w, X):
    np.random.seed(0)
    stats.norm.rvs(size=3)
    m = np.random.rand(4) > 0.5
    return np.sum(np.tanh(X @ w) * m)


def dropout_after_a_frozen_draw(w, X):
    np.random.seed(1)
    noise = stats.norm(0.0, 1.0).rvs(3)
    m = np.random.rand(4) > 0.5
    return np.sum(np.tanh(X @ w) * m) + 0.0 * noise[0]


def dropout_after_a_generator_draw(w, X):
    gen = np.random.default_rng(3)
    stats.uniform.rvs(size=3, random_state=gen)
    m = gen.random(4) > 0.5
    return np.sum(np.tanh(X @ w) * m)


@pytest.mark.parametrize('func', [dropout_after_an_unused_scipy_draw,
                                  dropout_after_a_frozen_draw, dropout_after_a_generator_draw])
def test_an_unused_scipy_draw_stays(func):
    expected = numerical_grad(func, (W3, X43), 0)
    np.testing.assert_allclose(s2sgrad.grad(func)(W3, X43), expected, rtol=1e-6, atol=1e-8)
    value, _ = s2sgrad.value_and_grad(func)(W3, X43)
    assert value == pytest.approx(func(W3, X43))


def noisy_square(w, X):
    h = np.tanh(X @ w)
    return np.sum((h + 0.5 * stats.norm.rvs(size=h.shape)) ** 2)


def noisy_by_a_frozen_distribution(w, X):
    return np.sum((X @ w + stats.norm(0.0, 0.1).rvs(4)) ** 2)


def noisy_by_a_caller_generator(w, X, gen):
    return np.sum((X @ w + stats.norm.rvs(size=4, random_state=gen)) ** 2)


@pytest.mark.parametrize('func', [noisy_square, noisy_by_a_frozen_distribution])
def test_hessian_of_a_scipy_draw_is_refused(func):
    with pytest.raises(UnsupportedSyntaxError, match='draws random numbers'):
        s2sgrad.hessian(func)(W3, X43)


def test_jacobian_of_a_draw_from_the_callers_generator_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='rvs'):
        s2sgrad.jacobian(noisy_by_a_caller_generator)(W3, X43, np.random.default_rng(0))


def seeded_noise(w, X):
    return np.sum((X @ w + stats.norm.rvs(size=4, random_state=7)) ** 2)


def noise_after_the_module_seed(w, X):
    np.random.seed(4)
    return np.sum((X @ w + stats.norm.rvs(size=4)) ** 2)


@pytest.mark.parametrize('func', [seeded_noise, noise_after_the_module_seed])
def test_hessian_of_a_seeded_scipy_draw(func):
    # the same numbers at every run: H = 2 X^T X
    np.testing.assert_allclose(s2sgrad.hessian(func)(W3, X43), 2 * X43.T @ X43, rtol=1e-10)


# --- the SGD step through the loop variable, with the gradient from a nested s2sgrad.grad ----

def _coupled_loss(q):
    return np.sum(np.tanh(q[0]) * q[1])


def sgd_step_by_a_nested_gradient(params, lr):
    ps = [p.copy() for p in params]
    for _ in range(2):
        gs = s2sgrad.grad(_coupled_loss)(ps)
        for p, g in zip(ps, gs):
            p -= lr * g
    return _coupled_loss(ps)


def test_sgd_step_by_a_nested_gradient():
    params = [np.array([0.1, 0.2]), np.array([0.3, -0.4])]
    kept = [p.copy() for p in params]
    g = s2sgrad.grad(sgd_step_by_a_nested_gradient)(params, 0.1)
    for k in range(2):
        def along(z, k=k):
            return sgd_step_by_a_nested_gradient([z if j == k else params[j]
                                                  for j in range(2)], 0.1)
        np.testing.assert_allclose(g[k], numerical_grad(along, (params[k],), 0), rtol=1e-6,
                                   atol=1e-8)
    assert all(np.array_equal(a, b) for a, b in zip(params, kept))
    dlr = s2sgrad.grad(sgd_step_by_a_nested_gradient, wrt=1)(params, 0.1)
    assert dlr == pytest.approx(numerical_grad(sgd_step_by_a_nested_gradient, (params, 0.1), 1),
                                rel=1e-6)


# --- a value nothing reads, computed by a call with an effect, is still computed ------------
# (dead code dropped ``first = next(it)``, ``unused = bump(state)``: what the code after it
# read changed)

import heapq  # noqa: E402
import itertools  # noqa: E402

X3 = np.array([0.5, 2.0, 3.0])


def skips_with_next(x):
    it = iter([0, 1, 2])
    first = next(it)  # noqa: F841
    j = next(it)
    return x[j] ** 2


def skips_with_dunder_next(x):
    it = iter([0, 1, 2])
    first = it.__next__()  # noqa: F841
    return x[next(it, None)] ** 2


def skips_with_islice(x):
    it = iter([0, 1, 2])
    head = list(itertools.islice(it, 1))  # noqa: F841
    return x[next(it)] ** 2


def skips_in_a_loop(x):
    it = enumerate([0, 1, 2])
    for _ in range(1):
        skipped = next(it)  # noqa: F841
    k, j = next(it)
    return x[j] ** 2 * k


def skips_in_a_message(x):
    it = iter([0, 1, 2])
    msg = f'{next(it)}'  # noqa: F841
    return x[next(it)] ** 2


def _bump(state):
    state['n'] += 1
    return state['n']


def bumps_a_counter(x):
    st = {'n': 0}
    unused = _bump(st)  # noqa: F841
    return x[st['n']] ** 2


def pops_a_heap(x):
    h = [0, 1, 2]
    smallest = heapq.heappop(h)  # noqa: F841
    return x[heapq.heappop(h)] ** 2


def pops_an_item(x):
    d = {0: 2, 1: 1}
    last = d.popitem()  # noqa: F841
    return x[len(d)] ** 2


def nested_helper_appends(x):
    seen = [0]

    def note(v):
        seen.append(v)
        return v

    got = note(1)  # noqa: F841
    return x[len(seen) - 1] ** 2


_LOG = []


def _logged(v):
    _LOG.append(v)
    return 2.0 * v


def logs_through_a_helper(x):
    unused = _logged(x[0])  # noqa: F841
    return x[1] ** 2


def test_a_helper_that_logs_runs_once_per_gradient():
    before = len(_LOG)
    g = s2sgrad.grad(logs_through_a_helper)(X3)
    np.testing.assert_allclose(g, [0.0, 4.0, 0.0])
    assert len(_LOG) == before + 1


@pytest.mark.parametrize('func', [skips_with_next, skips_with_dunder_next, skips_with_islice,
                                  skips_in_a_loop, skips_in_a_message, bumps_a_counter,
                                  pops_a_heap, pops_an_item, nested_helper_appends])
def test_an_unread_value_of_a_call_with_an_effect_is_computed(func):
    # each reads x[1]: the gradient is 2 x[1] at position 1 and the value x[1] ** 2
    expected = np.array([0.0, 4.0, 0.0])
    np.testing.assert_allclose(numerical_grad(func, (X3,), 0), expected, atol=1e-6)
    value, g = s2sgrad.value_and_grad(func)(X3)
    np.testing.assert_allclose(g, expected)
    assert value == pytest.approx(4.0)
    np.testing.assert_allclose(s2sgrad.jvp(func)(X3, np.array([0.0, 1.0, 0.0])), 4.0)


# --- the largest item so far, then updated: a number, checked at run time --------------------

def running_max_then_shifted(x):
    m = 0.0
    for i in range(len(x)):
        if x[i] > m:
            m = x[i]
    m += 1.0
    return m * np.sum(x)


def running_max_of_rows(x):
    m = 0.0
    for i in range(len(x)):
        if np.sum(x[i]) > np.sum(m):
            m = x[i]
    m += 1.0
    return np.sum(m * x)


def test_an_item_kept_in_a_branch_then_updated():
    x = np.array([0.3, 0.9, 0.5])
    np.testing.assert_allclose(s2sgrad.grad(running_max_then_shifted)(x),
                               numerical_grad(running_max_then_shifted, (x,), 0), rtol=1e-6)
    rows = np.array([[0.3, 0.9], [0.5, 0.1]])
    kept = rows.copy()
    with pytest.raises(InPlaceError, match='not a number'):
        s2sgrad.grad(running_max_of_rows)(rows)
    assert np.array_equal(rows, kept)


# --- a list reversed in place, then read again at the same position --------------------------

def newest_first(x):
    pts = [x[0], x[1], x[2]]
    first = pts[0]
    pts.reverse()
    return first * 2.0 + pts[0] ** 2


def smallest_popped(x):
    idx = [2, 0, 1]
    a = idx[0]
    heapq.heapify(idx)
    return x[a] * x[idx[0]]


def counter_bumped_between_reads(x):
    st = {'n': 0}
    a = st['n']
    _bump(st)
    return x[a] + x[st['n']] ** 2


@pytest.mark.parametrize('func', [newest_first, smallest_popped, counter_bumped_between_reads])
def test_a_read_after_a_change_in_place_reads_the_change(func):
    matches(func, X3, np.array([0.3, -0.2, 0.5]), twice=False)


# --- rows centred through the loop variable, after the argument is rebound to its copy -------

def centred_rows(X):
    X = X.copy()
    for row in X:
        row -= np.mean(row)
    return np.sum(X ** 3)


def test_rows_updated_through_the_loop_variable_of_a_rebound_copy():
    X = np.arange(6.0).reshape(2, 3) ** 1.5
    kept = X.copy()
    np.testing.assert_allclose(s2sgrad.grad(centred_rows)(X),
                               numerical_grad(centred_rows, (X,), 0), rtol=1e-6)
    v = np.linspace(-1.0, 1.0, 6).reshape(2, 3)

    def gradient(z):
        return numerical_grad(centred_rows, (z,), 0, eps=1e-4)
    np.testing.assert_allclose(s2sgrad.hvp(centred_rows)(X, v),
                               (gradient(X + 1e-4 * v) - gradient(X - 1e-4 * v)) / 2e-4,
                               rtol=1e-4, atol=1e-4)
    assert np.array_equal(X, kept)


# --- review J of the session's changes -----------------------------------------------------

import random  # noqa: E402


def heat_on_a_list(u0, nu):
    u = u0.copy()
    for _ in range(3):
        un = u.copy()
        for i in range(1, len(u) - 1):
            u[i] = un[i] + nu * (un[i + 1] - 2 * un[i] + un[i - 1])
    return sum(v * v for v in u)


def scaled_twice_through_copies(u0, nu):
    u = u0.copy()
    un = u.copy()
    u[1] = un[1] * nu
    un = u.copy()
    u[1] = un[1] * nu
    return u[1]


@pytest.mark.parametrize('func', [heat_on_a_list, scaled_twice_through_copies])
def test_copies_of_a_list_of_numbers_add_their_adjoints(func):
    # (``bu + bun`` of two lists concatenated them: half the derivative)
    u0 = [0.3, 1.2, -0.5, 0.8, 0.1]
    expected = (func(u0, 0.2 + 1e-6) - func(u0, 0.2 - 1e-6)) / 2e-6
    assert s2sgrad.grad(func, wrt=1)(u0, 0.2) == pytest.approx(expected, rel=1e-6)
    g = s2sgrad.grad(func)(u0, 0.2)
    for k in range(len(u0)):
        up = list(u0)
        up[k] += 1e-6
        down = list(u0)
        down[k] -= 1e-6
        assert g[k] == pytest.approx((func(up, 0.2) - func(down, 0.2)) / 2e-6, abs=1e-6)


def seeded_in_a_branch(x, seed=False):
    if seed:
        np.random.seed(0)
    e = np.random.randn(3)
    return np.sum(x * e) ** 2


def other_module_seeded(x):
    random.seed(0)
    return np.sum(x * np.random.randn(3)) ** 2


@pytest.mark.parametrize('func', [seeded_in_a_branch, other_module_seeded])
def test_a_seed_that_may_not_apply_does_not_excuse_a_draw(func):
    with pytest.raises(UnsupportedSyntaxError, match='draws random numbers'):
        s2sgrad.hessian(func)(X3)


def doubles_a_shallow_copy(ps, q):
    ps = ps.copy()
    for p in ps:
        p *= 2.0
    return sum(np.sum(p ** 3) for p in ps) + np.sum(q ** 2)


def test_an_update_through_a_shallow_copy_of_a_list_argument_is_refused():
    q = np.array([0.5, -1.0])
    kept = q.copy()
    with pytest.raises(InPlaceError, match='copy of an argument'):
        s2sgrad.value_and_grad(doubles_a_shallow_copy, wrt=1)([q], q)
    assert np.array_equal(q, kept)


class _Acc:
    def __init__(self):
        self.k = 0

    def inc(self):
        self.k += 1
        return self.k


def counts_through_a_method(x):
    a = _Acc()
    unused = a.inc()  # noqa: F841
    return x[a.k] ** 2


def counts_through_an_alias(x):
    acc = [0]

    def add():
        a = acc
        a[0] = a[0] + 1
        return 0.0

    unused = add()  # noqa: F841
    return x[acc[0]] ** 2


def shuffled_by_a_generator(x):
    idx = [0, 1, 2]
    a = idx[0]
    random.Random(1).shuffle(idx)
    b = idx[0]
    return x[a] * x[b] ** 2


def _swap_ends(items):
    items[0], items[-1] = items[-1], items[0]


def swapped_through_a_holder(x):
    idx = [0, 1, 2]
    box = [idx]
    a = idx[0]
    _swap_ends(box[0])
    b = idx[0]
    return x[a] * x[b] ** 2


@pytest.mark.parametrize('func', [counts_through_a_method, counts_through_an_alias,
                                  shuffled_by_a_generator, swapped_through_a_holder])
def test_effects_and_changes_found_through_methods_aliases_and_holders(func):
    x = np.array([0.3, 1.2, 0.6])
    value, g = s2sgrad.value_and_grad(func)(x)
    assert value == pytest.approx(func(x))
    np.testing.assert_allclose(g, numerical_grad(func, (x,), 0), rtol=1e-6, atol=1e-8)


def _penalty(v):
    terms = []
    for vi in v:
        terms.append(vi ** 2)
    return sum(terms)


def unused_pure_penalty(x):
    reg = _penalty(x)  # noqa: F841
    return np.sum(x ** 3)


def test_an_unused_value_of_a_pure_helper_is_not_computed():
    df = s2sgrad.grad(unused_pure_penalty)
    assert '_penalty' not in df.source.split('def dunused_pure_penaltydx')[1]
    np.testing.assert_allclose(df(X3), 3 * X3 ** 2)


# --- fuzzer, seed 74 (statement family): a branch's zero of a loop, then a rule needing an array


def product_assigned_in_a_branch_of_a_loop(x):
    x[1:3] *= 0.5
    a1 = x
    for _ in range(4):
        for _ in range(3):
            a2 = np.outer(x, x) @ x * 0.1
        if 1.1 ** 2 / (1.0 + 1.1 ** 2) > 0.1:
            x += x * 0.5
            a1 = np.outer(x, x) @ x * 0.1
        else:
            a2 = np.cumsum(x) * 0.3
    for _ in range(2):
        s3 = np.sum(x)
        a2[1:3] *= s3
    return np.sum(a1 ** 2) + s3


def test_a_zero_from_a_branch_of_the_last_pass_reaches_no_product():
    # (``ba1 = 0.0`` at the end of the branch, then ``bu = ba1 * 0.1`` given to `matmul_lhs`
    # at the next pass: TypeError)
    x = np.array([-0.147, -0.841, 0.116, -0.862])

    def on_a_copy(z):
        return product_assigned_in_a_branch_of_a_loop(z.copy())

    np.testing.assert_allclose(s2sgrad.grad(product_assigned_in_a_branch_of_a_loop)(x.copy()),
                               numerical_grad(on_a_copy, (x,), 0), rtol=1e-6)


# --- arguments NumPy rejects make forward mode raise too (definitions check them) -------------

def median_of_a_missing_axis(x):
    return np.median(x, axis=2)


def quantile_outside_the_range(x):
    return np.quantile(x, 1.5)


def convolution_of_a_matrix(x):
    return np.sum(np.convolve(x.reshape(2, 2), np.ones(3)))


@pytest.mark.parametrize('func', [median_of_a_missing_axis, quantile_outside_the_range,
                                  convolution_of_a_matrix])
def test_forward_mode_raises_where_numpy_does(func):
    x = np.array([0.3, 1.2, -0.5, 0.8])
    with pytest.raises(ValueError):  # (NumPy's AxisError is a ValueError too)
        func(x)
    for operator in (s2sgrad.grad, s2sgrad.jvp, s2sgrad.hvp):
        args = (x,) if operator is s2sgrad.grad else (x, np.ones(4))
        with pytest.raises(ValueError):
            operator(func)(*args)


def strided_updates_in_place(x):
    y = x.copy()
    y[::2] += y[1::2]
    y[1:3] = y[3:1:-1]
    return np.sum(y ** 2)


def test_strided_updates_of_a_copy():
    # (refused before: `x.copy()` might be a list, and ``y[::2] += ...`` was taken to change
    # its items in place)
    matches(strided_updates_in_place, np.arange(6.0) * 0.5 - 1.0, np.linspace(-1.0, 1.0, 6))
