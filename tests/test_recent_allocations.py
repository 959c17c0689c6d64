"""Writes into an array made anew at each run of a loop, while names hold earlier runs' arrays.

The time-stepping pattern of leapfrog and wave-equation solvers (``un = np.zeros(n)``,
``un[1:-1] = ...``, ``u_prev, u = u, un``) writes into the array made at this run of the
loop while `u` and `u_prev` hold the arrays of earlier runs: the write changes none of them,
so it is differentiated (it was refused as a write through an alias), and so is an array
made from the name it replaces (``state = state * 0.5; state[0] = ...``) while a list holds
the earlier runs'. The passes after the analysis know the names that may share the array
written (`alias_analysis.recent_sharers`): `u`, `u_prev` are changed when the backward sweep
undoes a write into `un`, so an adjoint never stands for them (``1.0 * u_prev`` stays a
copy). Where a name may hold
the array made at this run (bound from it before the write), the write is still refused or
made private, and every accepted program is checked against central differences in both
modes, at second order, and for its caller's arrays.
"""
import re

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import S2SError, UnsupportedSyntaxError


def leapfrog(u0):
    u_prev = u0
    u = u0 * 2.0
    for _ in range(3):
        un = np.zeros(u0.shape[0])
        un[1:-1] = 2.0 * u[1:-1] - u_prev[1:-1] + 0.1 * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        u_prev = u
        u = un
    return np.sum(u ** 2) + np.sum(u_prev * u0)


def leapfrog_tuple_rotation(u0, c):
    u_prev, u = u0, np.sin(u0)
    for _ in range(3):
        un = np.zeros_like(u0)
        un[1:-1] = 2.0 * u[1:-1] - u_prev[1:-1] + c * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        un[0] = u[1]
        u_prev, u = u, un
    return np.sum(u * u_prev)


def element_loop(x):
    y = x * 1.0
    for _ in range(2):
        new = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            new[i] = y[i] * y[i - 1] + x[i]
        y = new
    return np.sum(y)


def under_condition(x, flip):
    u = np.cos(x)
    for step in range(4):
        un = np.zeros(3)
        if flip and step % 2:
            un[0] = u[2] * 2.0
            un[1:] = u[:2]
        else:
            un[:] = u * u
        u = un
    return np.sum(u)


def grid_2d(u0):
    u = u0 * 1.0
    for _ in range(2):
        un = np.zeros_like(u)
        around = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
        un[1:-1, 1:-1] = u[1:-1, 1:-1] + 0.2 * (around - 4 * u[1:-1, 1:-1])
        un[0] = u[1]
        u = un
    return np.sum(u ** 2)


def history_then_scaled(x):
    state = x.copy()
    out = []
    for k in range(3):
        out.append(state)  # (the list holds the earlier runs' arrays only)
        state = state * 0.5  # (a new array, made from the name it replaces)
        state[0] = state[0] + k
    return np.sum(out[0] * out[-1]) + np.sum(state ** 2)


def damped_in_place_after_rescaling(x, c):
    u = np.sin(x)
    trail = [u]
    for _ in range(3):
        u = u * c + 0.1
        u[1:] = u[1:] + c * u[:-1]
        trail.append(u)
    return sum(np.sum(t * t) for t in trail)


ACCEPTED = [
    (leapfrog, lambda rng: (rng.normal(size=6),), 0),
    (leapfrog_tuple_rotation, lambda rng: (rng.normal(size=5), 0.3), (0, 1)),
    (element_loop, lambda rng: (rng.normal(size=4),), 0),
    (under_condition, lambda rng: (rng.normal(size=3), True), 0),
    (under_condition, lambda rng: (rng.normal(size=3), False), 0),
    (grid_2d, lambda rng: (rng.normal(size=(4, 5)),), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ACCEPTED,
                         ids=[f'{c[0].__name__}-{i}' for i, c in enumerate(ACCEPTED)])
def test_differentiated_in_both_modes_and_at_second_order(f, make_args, wrt):
    args = make_args(np.random.default_rng(3))
    kept = [np.copy(a) for a in args]
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'))
    check_grads(f, args, wrt=0, order=2)  # (the Hessian-vector product of the array)
    checked = s2sgrad.grad(f, wrt=wrt)(*args)  # (what check_grads compared with differences)
    for optimized, motion in ((True, 'joint'), (False, 'split')):
        other = s2sgrad.grad(f, wrt=wrt, optimized=optimized, motion=motion)(*args)
        for a, b in zip(np.atleast_1d(checked) if wrt == 0 else checked,
                        np.atleast_1d(other) if wrt == 0 else other):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for before, after in zip(kept, args):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize('f, args, wrt', [
    (history_then_scaled, (np.array([0.4, -1.1, 0.8, 2.0]),), 0),
    (damped_in_place_after_rescaling, (np.array([0.4, -1.1, 0.8, 2.0]), 0.7), (0, 1)),
], ids=['history_then_scaled', 'damped_in_place_after_rescaling'])
def test_array_made_from_the_name_it_replaces(f, args, wrt):
    """``state = state * 0.5`` then ``state[0] = ...``, while a list holds the earlier runs'
    arrays: normalized, the new array is made into a temporary and then copied to `state`
    (it was refused as a write into an array the list may hold). The second derivative
    reads the undoing writes of the generated code: right or refused."""
    kept = [np.copy(a) for a in args]
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'))
    checked = s2sgrad.grad(f, wrt=wrt)(*args)
    other = s2sgrad.grad(f, wrt=wrt, optimized=False, motion='split')(*args)
    for a, b in zip(np.atleast_1d(checked) if wrt == 0 else checked,
                    np.atleast_1d(other) if wrt == 0 else other):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for before, after in zip(kept, args):
        np.testing.assert_array_equal(before, after)
    try:
        check_grads(f, args, wrt=0, order=2)
    except UnsupportedSyntaxError as error:
        assert 'write into' in str(error)


def test_leapfrog_needs_no_copy_of_the_last_run():
    """The steps' own reads (`u[1:-1]` of the last run's array) are not copied."""
    source = s2sgrad.grad(leapfrog).source
    assert 's2s.copy(u[' not in source and 's2s.copy(u_prev[' not in source


# -- a name that may hold the array made at this run: refused, or made private -----------

def alias_of_this_run(x):
    u = x * 1.0
    for _ in range(2):
        un = np.zeros(3)
        u_prev = u
        u = un
        un[1] = u_prev[1] * 2.0 + x[0]  # (`u` is this run's array: it changes too)
    return np.sum(u) + np.sum(u_prev)


def view_of_this_run(x):
    total = 0.0
    for _ in range(2):
        un = x * 2.0
        head = un[:2]
        un[0] = 7.0  # (`head` is a view of this run's array: it changes too)
        total = total + np.sum(head * x[:2])
    return total


def view_through_a_name_of_this_run(x):
    total = 0.0
    u = x * 1.0
    for _ in range(2):
        un = np.ones(3)
        w = un
        v = w[1:]
        un[1] = x[2]
        total = total + np.sum(v * u)
        u = un
    return total


def augmented_through_a_second_name(x):
    un = np.sin(x)
    v = un  # (the write below goes through `v`, a copy of the name: `un` changes too)
    v += 2.0
    return np.sum(un ** 2) + np.sum(np.cos(v))


def augmented_through_a_second_name_in_a_loop(x):
    total = 0.0
    for _ in range(2):
        un = x * 1.0
        v = un
        v *= np.cos(np.sum(x))
        total = total + np.sum(un) + np.sum(v * v)
    return total


def augmented_then_written(x, c=0.7):
    state = x.copy()
    out = []
    for _ in range(2):
        out.append(state)
        state += c  # (in place: `out` holds this array, no new one)
        state[0] = state[0] * state[1]
    return sum(np.sum(o * o) for o in out)


def augmented_then_written_under_a_tuple(x, c=0.7):
    state = x * 1.0
    pair = (state, 1)
    for _ in range(2):
        state *= c
        state[0] = state[0] * state[1]
    return np.sum(pair[0] ** 2)


@pytest.mark.parametrize('f', [alias_of_this_run, view_of_this_run,
                               view_through_a_name_of_this_run, augmented_through_a_second_name,
                               augmented_through_a_second_name_in_a_loop,
                               augmented_then_written, augmented_then_written_under_a_tuple])
def test_names_of_this_runs_array_are_refused_or_right(f):
    """(``v = un``: the definition written through is a copy of the one that made the
    array, so `un` holds this run's array, a fuzzer's finding; ``state += c``: NumPy updates
    the array in place, so it is not made anew and `out` holds it, a review's finding.)"""
    x = np.array([0.5, -1.0, 2.0])
    try:
        s2sgrad.grad(f)(x)
    except S2SError as error:
        assert re.search(r'\b(un|v|state)\b', str(error)), str(error)
        return
    check_grads(f, (x,), modes=('rev', 'fwd'))


def test_array_put_in_a_list_before_the_write_is_still_followed():
    """``hist.append(un)`` before the write puts this run's array where the write shows."""
    def f(x):
        hist = []
        u = x * 1.0
        for _ in range(2):
            un = np.zeros(3)
            hist.append(un)
            un[:] = u * x
            u = un
        return sum(np.sum(h) for h in hist) + np.sum(u)
    try:
        check_grads(f, (np.array([0.5, -1.0, 2.0]),), modes=('rev', 'fwd'))
    except UnsupportedSyntaxError:
        pass


def test_second_derivative_of_a_number_through_rotated_buffers_is_right_or_refused():
    """The gradient of the gradient w.r.t. `c` runs the backward sweep's undoing writes
    into `un` again: right, or refused by name, never a wrong number."""
    u0 = np.random.default_rng(5).normal(size=5)
    df = s2sgrad.grad(leapfrog_tuple_rotation, wrt=1)
    try:
        d2 = s2sgrad.grad(df, wrt=1)(u0, 0.3)
    except UnsupportedSyntaxError as error:
        assert 'un' in str(error)
        return
    eps = 1e-6
    np.testing.assert_allclose(d2, (df(u0, 0.3 + eps) - df(u0, 0.3 - eps)) / (2 * eps),
                               rtol=1e-5)


def rotation_through_a_tuple(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        u_prev, u = u, un
    return np.sum(u * u_prev)


@pytest.mark.parametrize('wrt', [0, 1, (0, 1)])
def test_adjoint_never_stands_for_an_array_the_backward_sweep_changes(wrt):
    """``np.sum(u * u_prev)``: `u_prev`'s adjoint is `u`'s value; written as `u` itself,
    the backward sweep's undoing of ``un[1:] = ...`` changed it (a wrong gradient of `c`)."""
    check_grads(rotation_through_a_tuple, (np.array([0.3, -1.2, 0.8, 2.0]), 0.7), wrt=wrt,
                modes=('rev', 'fwd'))


# -- found by a review of the change: views of the written array, calls that return one ----

def rotation_through_a_view(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        u_prev, u = u, un[:]
    return np.sum(u * u_prev)


def read_through_a_view_after_the_loop(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        u_prev, u = u, un
    return np.sum(u_prev * u[:]) + np.sum(np.ravel(u) * x)


def rotation_through_a_reshape(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros(4)
        un[1:] = u[1:] * c
        u_prev, u = u, un.reshape(4)
    return np.sum(u * u_prev)


@pytest.mark.parametrize('f', [rotation_through_a_view, read_through_a_view_after_the_loop,
                               rotation_through_a_reshape])
@pytest.mark.parametrize('wrt', [0, 1])
def test_views_of_the_written_array_are_changed_with_it(f, wrt):
    """`u_item = u[:]` shares `un`'s memory: the optimizer may not let an adjoint be that
    view (``1.0 * u_item`` written as ``u_item``), which the backward sweep's undoing of
    ``un[1:] = ...`` changes."""
    x = np.array([0.3, -1.2, 0.8, 2.0])
    check_grads(f, (x, 0.7), wrt=wrt, modes=('rev', 'fwd'))
    check_grads(f, (x, 0.7), wrt=wrt, modes=('rev',))


def same_array_each_run(x, c):
    buf = x * 1.0
    get = lambda: buf  # noqa: E731  (as users write it)
    u_prev, u = x * 3.0, x * 2.0
    for _ in range(2):
        un = get()
        un[1:] = u[:-1] * c
        u_prev, u = u, un
    return np.sum(u * u_prev)


def nested_function_returns_a_captured_array(x, c):
    buf = x * 2.0

    def get():
        return buf
    un = get()
    un[1:] = x[:-1] * c
    return np.sum(un * buf) + np.sum(buf)


@pytest.mark.parametrize('f', [same_array_each_run, nested_function_returns_a_captured_array])
def test_a_call_that_returns_a_captured_array_is_no_allocation(f):
    """``get()`` returns `buf` each time: `un` is `buf` (and last run's `un`), so the write
    changes them; refused (it was taken for a new array)."""
    x = np.array([0.3, -1.2, 0.8, 2.0])
    for wrt in (0, 1):
        try:
            df = s2sgrad.grad(f, wrt=wrt)
        except UnsupportedSyntaxError as error:
            assert '`un`' in str(error)
            continue
        check_grads(f, (x, 0.7), wrt=wrt, modes=('rev', 'fwd'))
        del df


# -- found by a second review: other ways a name holds this run's array, or an earlier one --

def closure_made_before_the_allocation(x, c):
    get = lambda: un  # noqa: E731
    un = np.zeros_like(x)
    g = get()  # (`g` is `un`: the write changes it)
    un[1:] = x[:-1] * c
    return np.sum(g * x)


def closure_read_each_run(x, c):
    u = x * 1.0
    get = lambda: un  # noqa: E731
    s = 0.0
    for _ in range(2):
        un = np.zeros_like(x)
        g = get()
        un[1:] = u[:-1] * c
        s = s + np.sum(g * u)
        u = un
    return s


def rotation_through_a_list(x, c):
    u_prev, u = x, x * 1.0
    bufs = []
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        bufs.append(un)
        u_prev, u = u, bufs[-1]
    return np.sum(u * u_prev)


def select(a):  # (named like a NumPy function that returns new memory)
    return a[:]


def rotation_through_a_helper(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        u_prev, u = u, select(un)
    return np.sum(u * u_prev)


def rotation_through_a_comprehension(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        u_prev, u = u, [t for t in [un]][0]
    return np.sum(u * u_prev)


def rotation_through_a_closure(x, c):
    u_prev, u = x, x * 1.0
    for _ in range(2):
        un = np.zeros_like(x)
        un[1:] = u[1:] * c
        get = lambda: un  # noqa: E731
        u_prev, u = u, get()
    return np.sum(u * u_prev)


@pytest.mark.parametrize('f', [
    closure_made_before_the_allocation, closure_read_each_run, rotation_through_a_list,
    rotation_through_a_helper, rotation_through_a_comprehension, rotation_through_a_closure])
@pytest.mark.parametrize('wrt', [0, 1])
def test_every_way_to_hold_the_array_is_followed(f, wrt):
    """Right (the optimizer counts every name the alias analysis finds sharing the arrays it
    told apart as changed: `alias_analysis.recent_sharers`) or refused; never wrong."""
    x = np.array([0.3, -1.2, 0.8, 2.0])
    for options in ({}, {'optimized': False}, {'motion': 'joint'}):
        try:
            df = s2sgrad.grad(f, wrt=wrt, **options)
        except UnsupportedSyntaxError:
            continue
        got = df(x.copy(), 0.7)
        eps = 1e-6
        if wrt == 1:
            expected = (f(x.copy(), 0.7 + eps) - f(x.copy(), 0.7 - eps)) / (2 * eps)
        else:
            expected = np.array([(f(x + eps * e, 0.7) - f(x - eps * e, 0.7)) / (2 * eps)
                                 for e in np.eye(4)])
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
