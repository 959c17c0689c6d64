"""Adjoints of NumPy reductions (``sum``, ``mean``, ``max``, ``min``)."""
import numpy as np

from s2sgrad.rules import adjoint, d
from s2sgrad.runtime import unreduce, unmean, unextremum


@adjoint(np.sum)
def sum(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[ans], a, axis, keepdims)


@adjoint(np.mean)
def mean(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unmean(d[ans], a, axis, keepdims)


@adjoint(np.max, np.amax)
def max(ans, a, axis=None, out=None, keepdims=False):
    d[a] = unextremum(d[ans], ans, a, axis, keepdims)


@adjoint(np.min, np.amin)
def min(ans, a, axis=None, out=None, keepdims=False):
    d[a] = unextremum(d[ans], ans, a, axis, keepdims)
