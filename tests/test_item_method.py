"""``x.item(...)`` in every mode: a flat index counts in the flattened array (``A.item(3)``
of a 2-by-3 array, ``b.item(-1)``), and the tangent of ``r.item()`` of a one-element array
is a number, as the value is (a forward-mode tangent kept the array's shape, which then
broadcast into later values). Checked against closed forms and central differences."""
import numpy as np

import s2sgrad

A = np.arange(1.0, 7.0).reshape(2, 3)
B = np.array([1.0, 2.0, 3.0])


def quad_form(b):
    r = b.reshape(-1, 1)
    return (r.T @ r).item()


def scaled(b):
    s = (b[None, :] @ b[:, None]).item()
    return s * b


def flat_item(a):
    return a.item(3) ** 2 * a[0, 0]


def last_item(b):
    return b.item(-1) ** 2


def pair_item(a):
    return a.item(1, 2) * a.item((0, 1))


def test_the_tangent_of_an_item_is_a_number():
    t = np.array([1.0, 0.0, 0.0])
    tangent = s2sgrad.jvp(quad_form)(B, t)
    assert np.shape(tangent) == () and np.isclose(tangent, 2.0 * B[0])
    tangent = s2sgrad.jvp(scaled)(B, t)
    assert np.shape(tangent) == (3,)
    assert np.allclose(tangent, 2.0 * B[0] * B + np.sum(B ** 2) * t)


def test_a_flat_index_counts_in_the_flattened_array():
    t = np.ones((2, 3))
    assert np.isclose(s2sgrad.jvp(flat_item)(A, t), 2 * A[1, 0] * A[0, 0] + A[1, 0] ** 2)
    expected = np.zeros((2, 3))
    expected[1, 0], expected[0, 0] = 2 * A[1, 0] * A[0, 0], A[1, 0] ** 2
    assert np.allclose(s2sgrad.grad(flat_item)(A), expected)
    hessian = s2sgrad.hessian(flat_item)(A).reshape(6, 6)
    want = np.zeros((6, 6))
    want[3, 3], want[0, 3], want[3, 0] = 2 * A[0, 0], 2 * A[1, 0], 2 * A[1, 0]
    assert np.allclose(hessian, want)


def test_a_negative_flat_index():
    assert np.allclose(s2sgrad.grad(last_item)(B), [0.0, 0.0, 2 * B[-1]])
    assert np.isclose(s2sgrad.jvp(last_item)(B, np.ones(3)), 2 * B[-1])


def test_several_indexes_and_a_tuple():
    expected = np.zeros((2, 3))
    expected[1, 2], expected[0, 1] = A[0, 1], A[1, 2]
    assert np.allclose(s2sgrad.grad(pair_item)(A), expected)
    assert np.isclose(s2sgrad.jvp(pair_item)(A, np.ones((2, 3))), A[0, 1] + A[1, 2])
