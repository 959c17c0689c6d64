"""Second derivatives of a trajectory stored row by row into an array made before the loop
(``ys[i + 1] = ys[i] + dt * f(ys[i])``) and reduced through two slices of it or
``np.trapezoid``: the gradient's adjoint of `ys` is a new array (``s2s.unindex(g, ys, i)`` of
an array is never a view of `ys`), so the gradient differentiated again may write back into
`ys` (it was refused as a write into memory the adjoint might share). Checked against
central differences of the gradient and a closed form."""
import numpy as np
import pytest

import s2sgrad

TRAPEZOID = getattr(np, 'trapezoid', None) or np.trapz  # (NumPy before 2.0: `trapz`)
Y0 = np.array([0.5, -0.3])
V = np.array([1.0, 2.0])


def consecutive_products(y0, k):
    ys = np.zeros((4, y0.size))
    ys[0] = y0
    for i in range(3):
        ys[i + 1] = ys[i] + 0.1 * (-k * ys[i])
    return np.sum(ys[1:] * ys[:-1])


def trapezoid_of_the_path(y0, k):
    ys = np.zeros((5, y0.size))
    ys[0] = y0
    for i in range(4):
        ys[i + 1] = ys[i] + 0.1 * (-k * ys[i] ** 3 + np.sin(ys[i]))
    return np.sum(TRAPEZOID(ys ** 2, dx=0.1, axis=0))


def numeric_hvp(f, y0, k, v, eps=1e-6):
    g = s2sgrad.grad(f)
    return (g(y0 + eps * v, k) - g(y0 - eps * v, k)) / (2 * eps)


@pytest.mark.parametrize('f', [consecutive_products, trapezoid_of_the_path],
                         ids=lambda f: f.__name__)
def test_hvp_and_hessian(f):
    expected = numeric_hvp(f, Y0, 0.8, V)
    assert np.allclose(s2sgrad.hvp(f)(Y0, 0.8, V), expected, rtol=1e-5, atol=1e-7)
    assert np.allclose(s2sgrad.hessian(f)(Y0, 0.8) @ V, expected, rtol=1e-5, atol=1e-7)


def test_closed_form():
    c = 1 - 0.1 * 0.8  # f = sum_i c ** (2 i + 1) |y0| ** 2
    expected = 2 * sum(c ** (2 * i + 1) for i in range(3)) * V
    assert np.allclose(s2sgrad.hvp(consecutive_products)(Y0, 0.8, V), expected)
