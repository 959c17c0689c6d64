"""llsq: a linear least squares objective (GradBench `llsq`).

With t_i = -1 + 2 i / (n - 1) for i = 0 .. n-1, fit a polynomial of m coefficients x to the step
sign(t):  0.5 * sum_i (sign(t_i) - sum_j x_j t_i^j)^2. GradBench runs m = 128 with n from 16 to
16,392 (x uniform on [0, 1)); here m = 128, n = 4096.
"""
import numpy as np

from _shared import numpy_like

NAME = 'llsq'
WRT = ('x',)


def make_inputs(rng, quick=False):
    m, n = (16, 64) if quick else (128, 4096)
    return rng.random(m), n


def sizes(quick=False):
    return 'm=16, n=64' if quick else 'm=128, n=4096'


def objective(x, n):
    m = x.shape[0]
    t = -1.0 + 2.0 * np.arange(n) / (n - 1.0)
    powers = t[:, None] ** np.arange(m)  # (n, m): t_i^j
    r = np.sign(t) - powers @ x
    return np.sum(r * r) / 2.0


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def torch_objective(x, n):
    import torch
    m = x.shape[0]
    t = -1.0 + 2.0 * torch.arange(n, dtype=torch.float64) / (n - 1.0)
    powers = t[:, None] ** torch.arange(m, dtype=torch.float64)
    r = torch.sign(t) - powers @ x
    return torch.sum(r * r) / 2.0
