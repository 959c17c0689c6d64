"""Adjoints of NumPy reductions (``sum``, ``mean``, ``max``, ``min``)."""
import numpy as np

from s2sgrad.rules import adjoint, d, reduction, tangent
from s2sgrad.runtime import unreduce, unmean, unextremum, extremum_tangent


@adjoint(np.sum)
def sum(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[ans], a, axis, keepdims)


@tangent(np.sum)
def sum_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[ans] = np.sum(d[a], axis=axis, keepdims=keepdims)


@adjoint(np.mean)
def mean(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unmean(d[ans], a, axis, keepdims)


@tangent(np.mean)
def mean_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[ans] = np.mean(d[a], axis=axis, keepdims=keepdims)


@adjoint(np.max, np.amax)
def max(ans, a, axis=None, out=None, keepdims=False):
    d[a] = unextremum(d[ans], ans, a, axis, keepdims)


@tangent(np.max, np.amax, np.min, np.amin)
def extremum_tangent_(ans, a, axis=None, out=None, keepdims=False):
    d[ans] = extremum_tangent(d[a], ans, a, axis, keepdims)


@adjoint(np.min, np.amin)
def min(ans, a, axis=None, out=None, keepdims=False):
    d[a] = unextremum(d[ans], ans, a, axis, keepdims)


reduction(np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.var, np.std,
          np.nansum, np.nanmean, np.nanmax, np.nanmin, np.nanprod, np.nanvar, np.nanstd,
          np.all, np.any, np.ptp)
