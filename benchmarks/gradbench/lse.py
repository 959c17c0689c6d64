"""lse: log-sum-exp of a vector, shifted by its maximum (GradBench `lse`).

GradBench runs n from 2,500 to 1,280,000 (x uniform on [0, 1)); here n = 1,280,000, the largest.
"""
import numpy as np

from _shared import numpy_like

NAME = 'lse'
WRT = ('x',)


def make_inputs(rng, quick=False):
    n = 10_000 if quick else 1_280_000
    return (rng.random(n),)


def sizes(quick=False):
    return 'n=10000' if quick else 'n=1280000'


def objective(x):
    m = np.max(x)
    return np.log(np.sum(np.exp(x - m))) + m


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def torch_objective(x):
    import torch
    m = torch.max(x)
    return torch.log(torch.sum(torch.exp(x - m))) + m
