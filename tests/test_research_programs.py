"""Scientific code as researchers write it: a module-level grid, copies in time-step loops.

``f = source_term(GRID, k)`` then ``f[0] = 0.0`` (a boundary value): the write made the
activity analysis take the global `GRID` for a differentiated value the write may change, and
forward mode passed the tangent of the global, a name never defined (``NameError: dx``). A
global's array is never written through (the alias analysis refuses such a write), so it stays
a constant; a write through a view of it is still refused. And a name rebound to its copy
at each step of a loop (``u = u.copy()``, then ``u[0] = ...``) was refused as an alias of the
normalized code (``u = u_copy``).
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError

GRID = np.linspace(0.0, 1.0, 6)


def source_term(xg, k):
    return np.sin(k * xg)


def residual(k):
    f = source_term(GRID, k)
    f[0] = 0.0
    return np.sum(f ** 2)


def test_helper_of_a_global_grid_written_afterwards():
    check_grads(residual, (1.3,), modes=('rev', 'fwd'), order=2)


def grid_view_written(k):
    v = GRID[1:]
    v[0] = k
    return np.sum(GRID * k)


@pytest.mark.parametrize('operator', ['grad', 'jvp'])
def test_write_through_a_view_of_a_global_is_refused(operator):
    with pytest.raises(UnsupportedSyntaxError, match='write into `v`'):
        if operator == 'grad':
            s2sgrad.grad(grid_view_written)(1.3)
        else:
            s2sgrad.jvp(grid_view_written)(1.3, 1.0)


def fresh_copy_each_step(u0, a):
    u = u0.copy()
    for _ in range(2):
        u = u.copy()  # (a new array at every step: nothing else holds it)
        u[0] = u[1] * a
    return np.sum(u ** 2)


def fresh_copy_while_a_list_holds_the_last(u0, a):
    u = u0 * 1.0
    hist = []
    for _ in range(3):
        hist.append(u)
        u = u.copy()
        u[0] = u[1] * u[2] + a * u[0]
    return sum(np.sum(h * h) for h in hist) + np.sum(u)


@pytest.mark.parametrize('f', [fresh_copy_each_step, fresh_copy_while_a_list_holds_the_last],
                         ids=lambda f: f.__name__)
def test_name_rebound_to_its_copy_in_a_loop_then_written(f):
    # (refused as "the alias `u = u_copy`", a name of the normalized code)
    u0 = np.array([0.5, -1.0, 2.0, 0.3])
    kept = u0.copy()
    check_grads(f, (u0, 0.7), wrt=(0, 1), modes=('rev', 'fwd'))
    np.testing.assert_array_equal(u0, kept)
