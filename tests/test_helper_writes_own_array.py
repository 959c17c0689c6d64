"""A helper that fills an array of its own (``smoke = np.zeros(n); smoke[:2] = 1.0``) and later
rebinds the name to what reads an argument (autograd's fluidsim `wing.py`) writes into no
argument: its call is differentiated (it was refused as writing into the argument). A helper
that does write into its argument stays refused. Checked against central differences."""
import numpy as np

import s2sgrad

INIT_VX = np.ones(4)
P = np.array([0.1, 0.2, 0.3, 0.4])


def advect(f, vx):
    return np.reshape(f * vx, f.shape)


def simulate(vx, occlusion):
    smoke = np.zeros(vx.shape)
    smoke[:2] = 1.0
    for t in range(2):
        vx = vx * (1 - occlusion)
        smoke = advect(smoke, vx)
    return vx, smoke


def objective(params):
    final_vx, smoke = simulate(INIT_VX, params)
    return np.sum(final_vx) + np.sum(smoke ** 2)


def damp_in_place(vx, occlusion):
    vx[:2] = vx[:2] * (1 - occlusion[:2])
    return vx


def writes_its_argument(params):
    return np.sum(damp_in_place(INIT_VX * 1.0, params) ** 2)


def test_a_helper_filling_its_own_array():
    eps = 1e-6
    expected = np.array([(objective(P + eps * e) - objective(P - eps * e)) / (2 * eps)
                         for e in np.eye(4)])
    assert np.allclose(s2sgrad.grad(objective)(P), expected, rtol=1e-6)
    assert np.array_equal(INIT_VX, np.ones(4))


def test_a_helper_writing_into_its_argument_is_right_or_refused():
    eps = 1e-6
    expected = np.array([(writes_its_argument(P + eps * e) - writes_its_argument(P - eps * e))
                         / (2 * eps) for e in np.eye(4)])
    try:
        g = s2sgrad.grad(writes_its_argument)(P)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert 'writes into its argument' in str(error)
        return
    assert np.allclose(g, expected, rtol=1e-6)
