"""np.sqrt and math.sqrt at 0, whose slope is infinite there: where the adjoint (or tangent)
reaching them is 0, they pass on 0, not 0 * inf = nan (or a ZeroDivisionError of Python
floats). The pair distances of particles, ``r = np.sqrt(np.sum(d ** 2, -1))`` with r = 0 on
the diagonal, then only the pairs i < j used, gave nan in every entry of the gradient; quadratic
drag ``math.sqrt(vx * vx + vy * vy)`` from rest raised ZeroDivisionError."""
import math

import numpy as np
import pytest

import s2sgrad


def pair_energy(pos):
    d = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt(np.sum(d ** 2, axis=-1))
    rij = r[np.triu_indices(len(pos), 1)]
    sr6 = (1.0 / rij) ** 6
    return np.sum(4.0 * (sr6 ** 2 - sr6))


def masked_pairs(pos):
    d = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt(np.sum(d ** 2, axis=-1))
    mask = (r < 2.5) & (r > 0)
    return 0.5 * np.sum((1 - r[mask] / 2.5) ** 2)


def pairs_by_where(pos):
    d = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt(np.sum(d * d, axis=-1))
    safe = np.where(r > 0, r, 1.0)
    return np.sum(np.where(r > 0, np.exp(-safe), 0.0))


def projectile_with_drag(vx0, vy0):
    x, y, vx, vy = 0.0, 0.0, vx0, vy0
    for _ in range(10):
        speed = math.sqrt(vx * vx + vy * vy)
        vx = vx + 0.05 * (-0.3 * speed * vx)
        vy = vy + 0.05 * (-9.81 - 0.3 * speed * vy)
        x, y = x + 0.05 * vx, y + 0.05 * vy
    return x + y


def differences(f, x, h=1e-6):
    g = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = h
        g.flat[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g


POSITIONS = np.array([[0.0, 0.0, 0.0], [1.1, 0.0, 0.0], [0.0, 1.2, 0.0], [0.0, 0.0, 1.15]]) + \
    0.05 * np.random.default_rng(0).standard_normal((4, 3))


@pytest.mark.parametrize('f', [pair_energy, masked_pairs, pairs_by_where])
def test_pair_distances_with_a_zero_diagonal(f):
    with np.errstate(all='raise'):
        g = s2sgrad.grad(f)(POSITIONS)
    expected = differences(f, POSITIONS)
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)
    v = np.random.default_rng(1).standard_normal(POSITIONS.shape)
    assert np.isclose(s2sgrad.jvp(f)(POSITIONS, v), np.sum(expected * v), rtol=1e-6)
    # second order: the Hessian-vector product against differences of the gradient
    grad = s2sgrad.grad(f)
    hv = s2sgrad.hvp(f)(POSITIONS, v)
    np.testing.assert_allclose(
        hv, (grad(POSITIONS + 1e-5 * v) - grad(POSITIONS - 1e-5 * v)) / 2e-5,
        rtol=1e-4, atol=1e-6)


def test_drag_from_rest_in_python_floats():
    g = s2sgrad.grad(projectile_with_drag, wrt=(0, 1))(0.0, 0.0)
    h = 1e-6
    expected = ((projectile_with_drag(h, 0.0) - projectile_with_drag(-h, 0.0)) / (2 * h),
                (projectile_with_drag(0.0, h) - projectile_with_drag(0.0, -h)) / (2 * h))
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    assert np.isclose(s2sgrad.jvp(projectile_with_drag)(0.0, 0.0, 1.0), expected[0],
                      rtol=1e-6)


def root(x):
    return np.sum(np.sqrt(x))


def math_root(x):
    return math.sqrt(x) * 2.0


def test_a_nonzero_adjoint_at_zero_is_still_infinite():
    # (the slope of sqrt at 0 is infinite: only a zero adjoint makes its share 0)
    with np.errstate(divide='ignore'):
        g = s2sgrad.grad(root)(np.array([0.0, 4.0]))
    assert g[0] == np.inf and g[1] == pytest.approx(0.25)
    assert s2sgrad.grad(math_root)(0.0) == np.inf
    assert s2sgrad.grad(math_root)(4.0) == pytest.approx(0.5)


def test_the_printed_gradient_of_a_norm_reads_as_the_textbook():
    source = s2sgrad.grad(norm).source
    assert 'bx = x / np.sqrt(np.sum(x ** 2))' in source


def norm(x):
    return np.sqrt(np.sum(x ** 2))
