"""Two (or three) preallocated buffers that trade names each step (``u, w = w, u``: the
double-buffer time stepping of stencil and wave codes). The analysis cannot tell which name
holds which array, so the generated code checks before each write that no other live name
holds the array written (`runtime.not_shared`), and the write is followed. Checked against
central differences, forward against reverse."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import InPlaceError


def heat_double_buffer(u0, c):
    u = u0.copy()
    w = np.zeros_like(u0)
    for _ in range(4):
        w[1:-1] = u[1:-1] + c * (u[2:] - 2 * u[1:-1] + u[:-2])
        w[0] = w[1]
        w[-1] = w[-2]
        u, w = w, u
    return np.sum(u ** 2)


def leapfrog_three_buffers(u0, c):
    prev = u0.copy()
    cur = u0 * 1.01
    nxt = np.zeros_like(u0)
    for _ in range(5):
        nxt[1:-1] = 2 * cur[1:-1] - prev[1:-1] + c * (cur[2:] - 2 * cur[1:-1] + cur[:-2])
        prev, cur, nxt = cur, nxt, prev
    return np.sum(cur ** 2) + np.sum(prev)


def same_array_twice(u0, c):
    u = u0.copy()
    w = np.zeros_like(u0)
    for k in range(3):
        w[1:-1] = u[1:-1] * c
        if k == 1:
            u, w = w, w  # (from here on both names hold one array)
        else:
            u, w = w, u
    return np.sum(u ** 2)


def buffer_times_argument(x):
    u = x.copy()
    w = np.zeros(3)
    for i in range(2):
        w[...] = np.tanh(u) * 2.0
        u, w = w, u
    v = u
    return np.sum(v * x) + np.sum(u * x)


def test_an_adjoint_that_is_a_buffer_survives_the_restores():
    # (``bx = s2s.unbroadcast(u, x)`` was the buffer itself, which the backward sweep then
    # restored in place: a wrong gradient)
    check_grads(buffer_times_argument, (np.array([0.3, -1.2, 0.7]),), modes=('rev', 'fwd'))


U0 = np.sin(np.linspace(0.0, 3.0, 7)) + 1.0


@pytest.mark.parametrize('f', [heat_double_buffer, leapfrog_three_buffers],
                         ids=lambda f: f.__name__)
def test_swapped_buffers_match_central_differences(f):
    check_grads(f, (U0.copy(), 0.2), wrt=(0, 1), modes=('rev', 'fwd'))


def test_the_argument_is_unchanged():
    u0 = U0.copy()
    s2sgrad.grad(heat_double_buffer)(u0, 0.2)
    np.testing.assert_array_equal(u0, U0)


def test_names_that_come_to_hold_one_array_are_loud():
    with pytest.raises(InPlaceError, match='also holds here'):
        s2sgrad.grad(same_array_twice)(U0.copy(), 0.3)


def smoothed_in_two_buffers(u0, c):
    a = u0.copy()
    b = np.zeros_like(u0)
    for _ in range(3):
        b[:] = a * c + 0.1 * a[::-1]
        a, b = b, a
    return np.sum(a ** 2)


@pytest.mark.parametrize('f', [smoothed_in_two_buffers, leapfrog_three_buffers],
                         ids=lambda f: f.__name__)
def test_swapped_buffers_compiled(f):
    # (numba's `not_shared` raised for any array, where the buffers share no memory; from
    # review: it now compares the bytes their strides reach)
    pytest.importorskip('numba', reason='the compiled path needs numba')
    plain = s2sgrad.grad(f)(U0.copy(), 0.2)
    np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(U0.copy(), 0.2), plain,
                               rtol=1e-12)


def test_names_that_come_to_hold_one_array_are_loud_compiled():
    pytest.importorskip('numba', reason='the compiled path needs numba')
    with pytest.raises(InPlaceError):
        s2sgrad.grad(same_array_twice, compile='numba')(U0.copy(), 0.3)
