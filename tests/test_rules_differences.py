"""Spec table of the rules of templates/differences.py (np.diff, np.gradient): reverse, forward
and second order, and users' losses built on them against central differences or closed
forms."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402
from rulespec import central_gradient  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad import rules  # noqa: E402
from s2sgrad.errors import S2SError  # noqa: E402
from s2sgrad.templates import differences  # noqa: E402

W64 = np.linspace(-1.0, 1.0, 24).reshape(6, 4) ** 2 - 0.4
V6 = np.array([0.7, -0.3, 1.1, 0.4, -0.8, 0.2])
X6 = np.array([0.0, 0.3, 0.5, 1.1, 1.4, 2.0])   # non-uniform coordinates
Y4 = np.array([-1.0, -0.2, 0.5, 0.6])
U6 = np.arange(6.0) * 0.5                      # uniform coordinates


def normal(*shapes):
    return lambda rng: tuple(rng.standard_normal(shape) for shape in shapes)


# -- np.diff ----------------------------------------------------------------------------------
def f_diff(x): return np.sum(np.sin(np.diff(x)))
def f_diff_n2(x): return np.sum(np.diff(x, n=2) ** 3)
def f_diff_axis0(x): return np.sum(np.diff(x, axis=0) ** 2 * W64[1:])
def f_diff_n2_axis0(x): return np.sum(np.cos(np.diff(x, 2, 0)) * W64[2:])
def f_diff_3d_axis1(x): return np.sum(np.diff(x, axis=1) ** 3)
def f_diff_n0(x): return np.sum(np.diff(x, n=0) ** 2 * V6)
def f_diff_all_gone(x): return np.sum(np.diff(x, n=6) ** 2) + np.sum(x ** 2)
def f_diff_linear(x): return np.sum(np.diff(x) * V6[1:])
def f_diff_prepend_constant(x): return np.sum(np.diff(x, prepend=0.0) ** 2 * V6)
def f_diff_append_constant_n2(x): return np.sum(np.sin(np.diff(x, n=2, append=[1.0, -1.0])))
def f_diff_ends_scalars(x, p, q): return np.sum(np.diff(x, prepend=p, append=q) ** 3)
def f_diff_ends_n2(x, p, q): return np.sum(np.sin(np.diff(x, n=2, prepend=p, append=q)))
def f_diff_prepend_array(x, p): return np.sum(np.diff(x, axis=0, prepend=p) ** 2 * W64[:7 - 1])
def f_diff_append_array(x, q): return np.sum(np.cos(np.diff(x, n=2, axis=-1, append=q)))
def f_diff_scalar_end_2d(x, q): return np.sum(np.diff(x, axis=0, append=q) ** 3)
def f_diff_prepend_only(x, p): return np.sum(np.diff(x, prepend=p) ** 2 * V6)


def f_diff_append_only(x, q):
    return np.sum(np.diff(x, append=q) ** 2 * V6)


# -- np.gradient ------------------------------------------------------------------------------
def f_gradient(u): return np.sum(np.gradient(u) ** 3 * V6)
def f_gradient_axis(u): return np.sum(np.sin(np.gradient(u, axis=0)))
def f_gradient_spacing(u): return np.sum(np.gradient(u, 0.5) ** 3)
def f_gradient_edge2(u): return np.sum(np.gradient(u, edge_order=2) ** 3)
def f_gradient_spacing_edge2(u): return np.sum(np.cos(np.gradient(u, 0.3, axis=-1, edge_order=2)))
def f_gradient_axis1(F): return np.sum(np.gradient(F, 0.3, axis=1, edge_order=2) ** 2 * W64)
def f_gradient_axis0(F): return np.sum(np.gradient(F, axis=0) ** 3)
def f_gradient_negative_axis(F): return np.sum(np.sin(np.gradient(F, 2.0, axis=-1)))
def f_gradient_coordinates(u): return np.sum(np.gradient(u, X6) ** 3)


def f_gradient_coordinates_edge2(u):
    return np.sum(np.sin(np.gradient(u, X6, axis=0, edge_order=2)))


def f_gradient_uniform_coordinates(u): return np.sum(np.gradient(u, U6) ** 2 * V6)


def f_gradient_2d(F):
    gx, gy = np.gradient(F)
    return np.sum(gx ** 2 * W64) + np.sum(np.sin(gy))


def f_gradient_2d_one_used(F):
    gx, gy = np.gradient(F, edge_order=2)
    return np.sum(gx ** 3)


def f_gradient_2d_spacings(F):
    gx, gy = np.gradient(F, X6, 0.25, edge_order=2)
    return np.sum(gx * gy)


def f_gradient_2d_coordinates(F):
    gx, gy = np.gradient(F, 0.5, Y4)
    return np.sum(gx ** 2) + np.sum(gy ** 3 * W64)


def f_gradient_axes(T):
    gx, gz = np.gradient(T, 0.5, 2.0, axis=(0, 2))
    return np.sum(gx ** 2) + np.sum(np.cos(gz))


def f_gradient_indexed(F):
    return np.sum(np.gradient(F)[1] ** 2)


def f_gradient_short(u): return np.sum(np.gradient(u) ** 3)
def f_gradient_short_edge2(u): return np.sum(np.gradient(u, edge_order=2) ** 3)


ROWS = [
    (f_diff, normal(6), 0), (f_diff_n2, normal(6), 0), (f_diff_axis0, normal((6, 4)), 0),
    (f_diff_n2_axis0, normal((6, 4)), 0), (f_diff_3d_axis1, normal((6, 3, 2)), 0),
    (f_diff_n0, normal(6), 0), (f_diff_all_gone, normal(6), 0), (f_diff_linear, normal(6), 0),
    (f_diff_prepend_constant, normal(6), 0), (f_diff_append_constant_n2, normal(6), 0),
    (f_diff_ends_scalars, lambda rng: (rng.standard_normal(6), 0.3, -0.7), (0, 1, 2)),
    (f_diff_ends_n2, lambda rng: (rng.standard_normal(6), 0.3, -0.7), (0, 1, 2)),
    (f_diff_prepend_array, normal((6, 4), (1, 4)), (0, 1)),
    (f_diff_append_array, normal((6, 4), (6, 2)), (0, 1)),
    (f_diff_scalar_end_2d, lambda rng: (rng.standard_normal((6, 4)), 0.4), (0, 1)),
    (f_diff_prepend_only, lambda rng: (rng.standard_normal(6), 0.4), 1),
    (f_diff_append_only, lambda rng: (rng.standard_normal(6), 0.4), (0, 1)),
    (f_gradient, normal(6), 0), (f_gradient_axis, normal(6), 0),
    (f_gradient_spacing, normal(6), 0),
    (f_gradient_edge2, normal(6), 0), (f_gradient_spacing_edge2, normal(6), 0),
    (f_gradient_axis1, normal((6, 4)), 0), (f_gradient_axis0, normal((6, 4)), 0),
    (f_gradient_negative_axis, normal((6, 4)), 0),
    (f_gradient_coordinates, normal(6), 0), (f_gradient_coordinates_edge2, normal(6), 0),
    (f_gradient_uniform_coordinates, normal(6), 0),
    (f_gradient_2d, normal((6, 4)), 0), (f_gradient_2d_one_used, normal((6, 4)), 0),
    (f_gradient_2d_spacings, normal((6, 4)), 0), (f_gradient_2d_coordinates, normal((6, 4)), 0),
    (f_gradient_axes, normal((6, 2, 3)), 0), (f_gradient_indexed, normal((6, 4)), 0),
    (f_gradient_short, normal(2), 0), (f_gradient_short_edge2, normal(3), 0),
]


@pytest.mark.parametrize('row', ROWS, ids=rulespec.ids(ROWS))
def test_rule(row):
    rulespec.check_row(*row)


REGISTERED = [np.diff, np.gradient, differences.rediff, differences.undiff,
              differences.regradient, differences.ungradient]


@pytest.mark.parametrize('func', REGISTERED, ids=[f.__name__ for f in REGISTERED])
def test_every_rule_has_both_modes(func):
    assert rules.lookup_adjoint(func) is not None, func
    assert rules.lookup_tangent(func) is not None, func


# -- users' losses ----------------------------------------------------------------------------

def smoothness(x):
    return np.sum(np.diff(x) ** 2)


def test_smoothness_penalty_has_its_closed_form_gradient():
    """d/dx sum((x[i+1] - x[i])^2) = 2 (2 x[i] - x[i-1] - x[i+1]) inside, 2 (x0 - x1) and
    2 (x[-1] - x[-2]) at the ends."""
    x = np.random.default_rng(2).standard_normal(7)
    expected = np.empty_like(x)
    expected[1:-1] = 2 * (2 * x[1:-1] - x[:-2] - x[2:])
    expected[0], expected[-1] = 2 * (x[0] - x[1]), 2 * (x[-1] - x[-2])
    np.testing.assert_allclose(s2sgrad.grad(smoothness)(x), expected, rtol=1e-12)
    laplacian = np.diag([2.0] + [4.0] * 5 + [2.0]) - 2 * np.eye(7, k=1) - 2 * np.eye(7, k=-1)
    v = np.random.default_rng(3).standard_normal(7)
    np.testing.assert_allclose(s2sgrad.hvp(smoothness)(x, v), laplacian @ v, rtol=1e-12)
    assert 'np.diff' in s2sgrad.grad(smoothness).source


def total_variation(image):
    return np.sum(np.sqrt(np.diff(image, axis=0) ** 2 + 1e-3)) + \
        np.sum(np.sqrt(np.diff(image, axis=1) ** 2 + 1e-3))


def test_total_variation_against_central_differences():
    image = np.random.default_rng(4).standard_normal((5, 6))
    np.testing.assert_allclose(s2sgrad.grad(total_variation)(image),
                               central_gradient(total_variation, image), rtol=1e-5, atol=1e-7)


def dirichlet_energy(u, dx):
    return 0.5 * np.sum(np.gradient(u, dx) ** 2) * dx


def test_gradient_energy_against_central_differences():
    u = np.sin(np.linspace(0.0, 3.0, 9)) + np.random.default_rng(5).uniform(0, 0.1, 9)
    got = s2sgrad.grad(dirichlet_energy)(u, 0.375)
    np.testing.assert_allclose(got, central_gradient(lambda v: dirichlet_energy(v, 0.375), u),
                               rtol=1e-6, atol=1e-9)


def gradient_matrix(n, h, edge_order):
    """The matrix of np.gradient along one axis of n points, column by column."""
    return np.stack([np.gradient(e, h, edge_order=edge_order) for e in np.eye(n)], axis=1)


@pytest.mark.parametrize('edge_order', [1, 2])
def test_gradient_adjoint_is_the_transposed_stencil(edge_order):
    """The gradient of sum(w * np.gradient(u, h)) is G.T @ w, G the matrix of the stencil."""
    w = np.random.default_rng(6).standard_normal(6)

    def weighted(u):
        return np.sum(w * np.gradient(u, 0.7, edge_order=edge_order))

    expected = gradient_matrix(6, 0.7, edge_order).T @ w
    np.testing.assert_allclose(s2sgrad.grad(weighted)(np.zeros(6)), expected, rtol=1e-12)


def spacing_loss(u, dx):
    return np.sum(np.gradient(u, dx) ** 2)


def test_the_derivative_with_respect_to_the_spacing_is_refused():
    """np.gradient is differentiated in f only; a differentiated spacing (the *varargs of the
    rule) is refused when the derivative is built, never read as a zero derivative."""
    u = np.arange(5.0) ** 2
    for build in (s2sgrad.grad, s2sgrad.jvp):
        with pytest.raises(S2SError, match=r'gradient.*\*varargs'):
            build(spacing_loss, wrt=1)
        with pytest.raises(S2SError, match=r'gradient.*\*varargs'):
            build(spacing_loss, wrt=(0, 1))
    np.testing.assert_allclose(s2sgrad.grad(spacing_loss)(u, 0.5),
                               central_gradient(lambda v: spacing_loss(v, 0.5), u), rtol=1e-6)
    with pytest.raises(NotImplementedError, match=r'np\.gradient.*spacing'):
        differences.gradient_spacing(1.0, (0.5,))


def test_printed_gradients_read_like_numpy():
    assert 'np.diff(dx)' in s2sgrad.jvp(smoothness).source
    assert 's2s.undiff(' in s2sgrad.grad(smoothness).source
    source = s2sgrad.grad(f_gradient_2d).source
    assert 's2s.ungradient(' in source and '*()' not in source, source
    assert 'np.gradient(dF)' in s2sgrad.jvp(f_gradient_2d).source
