"""A derivative's results are arrays of their own: updating a gradient in place (``g *= lr``,
``np.clip(g, -1, 1, out=g)``) changes no argument, no global and no other result, and a
gradient is never a read-only broadcast view."""
import numpy as np
import pytest

import s2sgrad

WEIGHTS = np.array([1.0, 2.0, 3.0])


def energy(x):
    return 0.5 * np.sum(x ** 2)


def linear(x, c):
    return np.sum(x * c)


def weighted(x):
    return np.sum(x * WEIGHTS)


def total(x, y):
    return np.sum(x + y)


def column_means(x):
    return np.sum(np.mean(x, axis=0))


def passthrough(x):
    return x * 1.0


def test_descent_with_in_place_scaling():
    x = np.array([1.0, -2.0, 3.0])
    expected = x.copy()
    for _ in range(3):
        g = s2sgrad.grad(energy)(x)
        g *= 0.1
        x -= g
        expected -= 0.1 * expected
    np.testing.assert_allclose(x, expected)


@pytest.mark.parametrize('func, args, wrt', [
    (energy, (np.array([1.0, -2.0, 3.0]),), 0),
    (linear, (np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.25, 2.0])), 0),
    (weighted, (np.array([1.0, -2.0, 3.0]),), 0),
    (total, (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])), (0, 1)),
    (column_means, (np.ones((3, 4)),), 0),
], ids=['energy', 'linear', 'global', 'two_results', 'broadcast'])
def test_results_share_no_memory(func, args, wrt):
    saved = [a.copy() for a in args]
    weights = WEIGHTS.copy()
    results = s2sgrad.grad(func, wrt=wrt)(*args)
    results = results if isinstance(results, tuple) else (results,)
    expected = [r.copy() for r in results]
    for r in results:
        assert r.flags.writeable
        r *= 0.0
    for a, s in zip(args, saved):
        np.testing.assert_array_equal(a, s)
    np.testing.assert_array_equal(WEIGHTS, weights)
    if len(results) == 2:  # the first result's update did not reach the second
        assert not np.shares_memory(results[0], results[1])
    assert any(np.any(e != 0) for e in expected)


def test_value_and_grad_vjp_and_jvp_results():
    x = np.array([1.0, -2.0, 3.0])
    value, g = s2sgrad.value_and_grad(energy)(x)
    g *= 0.0
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])
    u = np.array([0.5, 0.5, 0.5])
    cotangent = s2sgrad.vjp(passthrough)(x, u)
    cotangent = cotangent[0] if isinstance(cotangent, tuple) else cotangent
    cotangent *= 0.0
    np.testing.assert_array_equal(u, [0.5, 0.5, 0.5])
    v = np.array([1.0, 0.0, 0.0])
    tangent = s2sgrad.jvp(passthrough)(x, v)
    tangent *= 7.0
    np.testing.assert_array_equal(v, [1.0, 0.0, 0.0])


def three_added(x, y, z):
    return np.sum(np.sin(x + y + z))


@pytest.mark.parametrize('motion', ['split', 'joint'])
@pytest.mark.parametrize('func, count', [(total, 2), (three_added, 3)],
                         ids=['two', 'three'])
def test_value_and_grad_gives_each_argument_a_gradient_of_its_own(func, count, motion):
    # (each gradient is the one adjoint of ``x + y``, summed to its shape: the same array
    # unless one is copied, as grad copies it)
    args = [np.array([0.1, 0.2, 0.3]) * (k + 1) for k in range(count)]
    value, grads = s2sgrad.value_and_grad(func, wrt=tuple(range(count)), motion=motion)(*args)
    assert value == pytest.approx(func(*args))
    expected = [g.copy() for g in grads]
    np.testing.assert_allclose(expected[0], s2sgrad.grad(func)(*args))
    first = grads[0]
    first *= 0.0  # (an optimiser's in-place step on the first gradient)
    for g, e in zip(grads[1:], expected[1:]):
        np.testing.assert_array_equal(g, e)
    assert not any(np.shares_memory(a, b) for k, a in enumerate(grads) for b in grads[k + 1:])
