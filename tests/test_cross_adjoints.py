"""The adjoints of ``np.cross`` (`s2s.cross_lhs`, `s2s.cross_rhs`): the identity that defines
an adjoint, ``<cross_lhs(g, a, b), u> = <g, np.cross(u, b)>``, in every layout of the vector
axes; float64 3-vectors take a path without np.cross that gives its very numbers. Its tangent
(`s2s.cross`, np.cross checked to take 3-vectors) against central differences, in the same
layouts, to second order."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime
from s2sgrad.checks import check_grads
from s2sgrad.errors import NoRuleError

RNG = np.random.default_rng(3)

# (shape of a, shape of b, keywords of np.cross)
LAYOUTS = [
    ((3,), (3,), {}), ((2, 3), (2, 3), {}), ((3,), (4, 3), {}), ((4, 3), (3,), {}),
    ((3, 2), (2, 3), {'axisa': 0}), ((2, 3), (3, 2), {'axisb': 0}),
    ((2, 3), (2, 3), {'axisc': 0}), ((3, 2), (3, 2), {'axis': 0}),
    ((3, 2, 1), (1, 2, 3), {'axisa': 0, 'axisb': -1, 'axisc': 1}),
]


def _axes(kwargs):
    keys = ('axisa', 'axisb', 'axisc', 'axis')
    defaults = (-1, -1, -1, None)
    return tuple(kwargs.get(key, default) for key, default in zip(keys, defaults))


@pytest.mark.parametrize('shape_a, shape_b, kwargs', LAYOUTS, ids=str)
@pytest.mark.parametrize('dtype', [np.float64, np.float32])
def test_the_adjoint_identity(shape_a, shape_b, kwargs, dtype):
    def draw(shape):
        return RNG.standard_normal(shape).astype(dtype)
    a, b = draw(shape_a), draw(shape_b)
    c = np.cross(a, b, **kwargs)
    g, u, w = draw(c.shape), draw(shape_a), draw(shape_b)
    ga = runtime.cross_lhs(g, a, b, *_axes(kwargs))
    gb = runtime.cross_rhs(g, a, b, *_axes(kwargs))
    assert ga.shape == a.shape and gb.shape == b.shape
    tol = 1e-4 if dtype is np.float32 else 1e-12
    np.testing.assert_allclose(np.sum(ga * u), np.sum(g * np.cross(u, b, **kwargs)), rtol=tol)
    np.testing.assert_allclose(np.sum(gb * w), np.sum(g * np.cross(a, w, **kwargs)), rtol=tol)


def test_vectors_give_np_cross_numbers_bit_for_bit():
    for _ in range(20):
        a, b, g = RNG.standard_normal((3, 3)) * 10.0 ** RNG.integers(-3, 4, 3)[:, None]
        assert np.array_equal(runtime.cross_lhs(g, a, b), np.cross(b, g))
        assert np.array_equal(runtime.cross_rhs(g, a, b), np.cross(g, a))


def test_two_vectors_are_refused():
    with pytest.raises(NoRuleError, match='3-vectors'):
        runtime.cross_lhs(1.0, np.ones(2), np.ones(2))
    with pytest.raises(NoRuleError, match='3-vectors'):
        runtime.cross(np.ones(2), np.ones(2))
    with pytest.raises(NoRuleError, match='3-vectors'):  # (the vector axis of b has 2 items)
        runtime.cross(np.ones((2, 3)), np.ones((2, 3)), axisb=0)


@pytest.mark.parametrize('shape_a, shape_b, kwargs', LAYOUTS, ids=str)
def test_the_checked_cross_product_is_np_cross(shape_a, shape_b, kwargs):
    a, b = RNG.standard_normal(shape_a), RNG.standard_normal(shape_b)
    assert np.array_equal(runtime.cross(a, b, *_axes(kwargs)), np.cross(a, b, **kwargs))
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    got = runtime.cross(a32, b32, *_axes(kwargs))
    assert got.dtype == np.float32 and np.array_equal(got, np.cross(a32, b32, **kwargs))


WEIGHTS = RNG.standard_normal((4, 3, 2))


@pytest.mark.parametrize('shape_a, shape_b, kwargs', LAYOUTS, ids=str)
def test_tangents_and_second_derivatives_in_every_layout(shape_a, shape_b, kwargs, tmp_path):
    a, b = RNG.standard_normal(shape_a), RNG.standard_normal(shape_b)
    shape = np.cross(a, b, **kwargs).shape
    weights = WEIGHTS.ravel()[:int(np.prod(shape))].reshape(shape)

    axisa, axisb, axisc, axis = _axes(kwargs)

    def loss(a, b):
        c = np.cross(a, b, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)
        return np.sum(c * weights) + 0.5 * np.sum(c * c)
    check_grads(loss, (a, b), wrt=(0, 1), modes=('rev', 'fwd'), order=2, seed=2)
    da, db = RNG.standard_normal(shape_a), RNG.standard_normal(shape_b)
    eps = 1e-6
    expected = (loss(a + eps * da, b + eps * db) - loss(a - eps * da, b - eps * db)) / (2 * eps)
    got = s2sgrad.jvp(loss, wrt=(0, 1))(a, b, (da, db))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)

    def printed(a, b):  # (generated code differentiated again calls the helper itself)
        c = runtime.cross(a, b, axisa, axisb, axisc, axis)
        return np.sum(c * weights) + 0.5 * np.sum(c * c)
    check_grads(printed, (a, b), wrt=(0, 1), modes=('rev', 'fwd'), order=2, seed=3)


def test_the_printed_tangent_is_one_call_per_operand():
    source = s2sgrad.jvp(cross_loss, wrt=(0, 1)).source
    assert 's2s.cross(da, b)' in source and 's2s.cross(a, db)' in source, source
    assert 'axisa' not in source and 'cross_axis' not in source, source


def rotated(rot, x):
    """Rodrigues' rotation of `x` by the angle-axis vector `rot` (GradBench's ba)."""
    theta = np.sqrt(np.sum(rot ** 2))
    axis = rot / theta
    return x * np.cos(theta) + np.cross(axis, x) * np.sin(theta) + \
        axis * np.dot(axis, x) * (1.0 - np.cos(theta))


def test_derivatives_of_a_rotation_of_3_vectors():
    rot, x = np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, -0.5])
    check_grads(lambda r, y: np.sum(rotated(r, y) * np.array([0.2, -1.0, 0.7])), (rot, x),
                wrt=(0, 1), modes=('rev', 'fwd'), order=2, seed=1)
    J = s2sgrad.jacobian(rotated)(rot, x)
    eps = 1e-6
    columns = [(rotated(rot + eps * e, x) - rotated(rot - eps * e, x)) / (2 * eps)
               for e in np.eye(3)]
    np.testing.assert_allclose(J, np.stack(columns, axis=1), rtol=1e-7, atol=1e-9)


def cross_loss(a, b):
    return np.sum(np.cross(a, b) * np.array([0.2, -1.0, 0.7]))


def test_compiled_derivatives_of_a_cross_product():
    pytest.importorskip('numba', reason='compile="numba" needs numba (the [numba] extra)')
    a, b = np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, -0.5])
    compiled = s2sgrad.grad(cross_loss, wrt=(0, 1), compile='numba')(a, b)
    w = np.array([0.2, -1.0, 0.7])
    np.testing.assert_allclose(compiled[0], np.cross(b, w), rtol=1e-12)  # (w . (a x b))
    np.testing.assert_allclose(compiled[1], np.cross(w, a), rtol=1e-12)
    da, db = np.array([1.0, 0.5, -2.0]), np.array([0.25, -1.0, 3.0])
    tangent = s2sgrad.jvp(cross_loss, wrt=(0, 1), compile='numba')(a, b, (da, db))
    np.testing.assert_allclose(tangent, w @ (np.cross(da, b) + np.cross(a, db)), rtol=1e-12)
