"""det: the determinant of an ell x ell matrix by recursive expansion in minors along the first
column (GradBench `det`, from cmpad's det_by_minor).

GradBench passes A flat in row-major order (uniform on [0, 1)) and runs ell from 5 to 11; here
ell = 7. The gradient is w.r.t. the flat A.
"""
import numpy as np

from _shared import numpy_like

NAME = 'det'
WRT = ('A',)


def make_inputs(rng, quick=False):
    ell = 4 if quick else 7
    return rng.random(ell * ell), ell


def sizes(quick=False):
    return 'ell=4' if quick else 'ell=7'


def det_by_minors(M):
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    total = 0.0
    sign = 1.0
    for i in range(n):
        minor = np.concatenate((M[:i, 1:], M[i + 1:, 1:]), axis=0)
        total = total + sign * M[i, 0] * det_by_minors(minor)
        sign = -sign
    return total


def objective(A, ell):
    return det_by_minors(A.reshape(ell, ell))


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def _torch_det(M):
    import torch
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    total = 0.0
    sign = 1.0
    for i in range(n):
        minor = torch.cat((M[:i, 1:], M[i + 1:, 1:]), dim=0)
        total = total + sign * M[i, 0] * _torch_det(minor)
        sign = -sign
    return total


def torch_objective(A, ell):
    return _torch_det(A.reshape(ell, ell))
