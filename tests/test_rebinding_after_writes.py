"""Arrays written into and then rebound or read again, as simulation and pricing loops write
them: early exercise (``V = np.maximum(V, K)`` after ``V[1:] = ...``), Neumann boundaries
(``un[0] = un[1]; un[-1] = un[-2]`` in a copy), lists of arrays updated in a loop.

Each gradient is checked against central differences, and the inputs stay unchanged."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad


def american_put_grid(x, K=1.0):
    V = x * 1.0
    for n in range(3):
        V[1:] = V[1:] + 0.5 * V[:-1]
        V = np.maximum(V, K)
    return np.sum(V ** 2)


def clipped_from_below(x):
    V = x * 1.0
    for n in range(3):
        V[1:] = V[1:] * 0.9 + 0.1 * V[:-1]
        V = V.clip(0.8, None)
    return np.sum(V ** 2)


def bounded_by_abs(x):
    V = x - 1.0
    for n in range(2):
        V[:-1] = V[:-1] - 0.3 * V[1:]
        V = abs(V)
    return np.sum(V ** 3)


def minimum_then_cumsum(x):
    V = x * 2.0
    for n in range(2):
        V[0] = V[0] + V[-1]
        V = np.fmin(V, 3.0)
        V = V.cumsum()
    return np.sum(V ** 2)


def heat_neumann(u0, alpha):
    u = u0.copy()
    for t in range(3):
        un = u.copy()
        un[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
        un[0] = un[1]  # zero flux at both ends
        un[-1] = un[-2]
        u = un
    return np.sum(u ** 2)


def rows_copied_to_the_ends(u0):
    un = u0.copy()
    un[0] = un[1]
    un[-1] = un[-2]
    return np.sum(un ** 2 * np.arange(1.0, 1.0 + un.size).reshape(un.shape))


CASES = [
    (american_put_grid, lambda: (np.array([0.5, 2.0, 3.0]),)),
    (clipped_from_below, lambda: (np.array([0.5, 2.0, 3.0, 1.2]),)),
    (bounded_by_abs, lambda: (np.array([0.3, 2.0, 3.1, 0.1]),)),
    (minimum_then_cumsum, lambda: (np.array([0.3, 0.9, 1.7]),)),
    (heat_neumann, lambda: (np.linspace(0.0, 1.0, 6) ** 2, 0.2)),
    (rows_copied_to_the_ends, lambda: (np.linspace(0.1, 1.3, 5),)),
    # rows of a matrix: with two rows, `un[-1]` is the row `un[1]` read first
    (rows_copied_to_the_ends, lambda: (np.linspace(0.1, 1.3, 6).reshape(2, 3),)),
    (rows_copied_to_the_ends, lambda: (np.linspace(0.1, 1.3, 12).reshape(4, 3),)),
]


@pytest.mark.parametrize('f, make', CASES, ids=lambda v: getattr(v, '__name__', None))
def test_gradient_matches_differences_and_inputs_stay(f, make):
    args = make()
    kept = [np.copy(a) for a in args]
    g = s2sgrad.grad(f)(*args)
    for a, k in zip(args, kept):
        np.testing.assert_array_equal(a, k)
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    # forward mode agrees along a direction
    v = np.linspace(-1.0, 1.0, np.size(args[0])).reshape(np.shape(args[0]))
    t = s2sgrad.jvp(f)(*args, v)
    np.testing.assert_allclose(t, np.sum(g * v), rtol=1e-6, atol=1e-8)


def test_boundary_rows_of_a_list_of_arrays():
    # the same statements on a list of arrays: the items are rebound, nothing is copied
    def f(rows):
        un = rows.copy()
        un[0] = un[1]
        un[-1] = un[-2]
        return sum(np.sum(r ** 2) * (k + 1) for k, r in enumerate(un))

    rows = [np.array([0.5, 1.0]), np.array([2.0, -1.0]), np.array([0.25, 3.0])]
    g = s2sgrad.grad(f)(rows)
    # un = [r1, r1, r1]: 6 * |r1|^2
    np.testing.assert_allclose(g[0], 0.0)
    np.testing.assert_allclose(g[1], 12.0 * rows[1])
    np.testing.assert_allclose(g[2], 0.0)


def list_built_then_scaled(xs, k):
    ps = [x * 1.0 for x in xs]
    for p in ps:
        p *= k
    return ps[0][0]


def zeros_built_then_added(xs, k):
    ps = [np.zeros(2) for x in xs]
    for p in ps:
        p += k
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize('f', [list_built_then_scaled, zeros_built_then_added])
def test_items_of_a_built_list_updated_in_place_are_written_back(f):
    # (NumPy updates the item of `ps` that `p` is: the generated code writes it there)
    xs = np.array([[2.0, 1.5], [0.5, 2.0]])
    expected = numerical_grad(lambda k: f(xs, k), (3.0,), 0)
    assert s2sgrad.grad(f, wrt=1)(xs, 3.0) == pytest.approx(expected, rel=1e-6)
