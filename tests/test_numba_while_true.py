"""The compiled path on ``while True:`` loops left by a ``break`` (fixed-point iterations):
numba miscompiled some of them (an array broadcast to another's shape at run time); the
compiled test is a call numba does not fold, and the numbers are the plain gradient's."""
import numpy as np
import pytest

import s2sgrad

pytest.importorskip('numba')


def undistort(k, pd):
    p = pd.copy()
    it = 0
    while True:
        r2 = np.sum(p ** 2, axis=-1, keepdims=True)
        pn = pd / (1 + k[0] * r2 + k[1] * r2 ** 2)
        if np.max(np.abs(pn - p)) < 1e-12 or it > 50:
            p = pn
            break
        p = pn
        it += 1
    return np.sum(p ** 2)


def test_a_fixed_point_loop_compiles_to_the_plain_gradients_numbers():
    pd = np.array([[0.1, 0.2], [0.3, 0.1], [0.2, 0.2]])
    k = np.array([0.1, 0.01])
    plain = s2sgrad.grad(undistort)(k, pd)
    compiled = s2sgrad.grad(undistort, compile='numba')(k, pd)
    np.testing.assert_allclose(compiled, plain, rtol=1e-12)
    h = 1e-6
    expected = [(undistort(k + h * e, pd) - undistort(k - h * e, pd)) / (2 * h)
                for e in np.eye(2)]
    np.testing.assert_allclose(plain, expected, rtol=1e-5)
