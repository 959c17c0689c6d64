"""Adjoints of shape operations (``reshape``, ``transpose``, ``array``) and array attributes."""
import numpy as np

from s2sgrad.rules import adjoint, attribute_adjoint, d
from s2sgrad.runtime import reshape_like, untranspose, unstack


@adjoint(np.reshape)
def reshape(ans, a, *shape, order='C'):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.transpose)
def transpose(ans, a, *axes):
    d[a] = untranspose(d[ans], axes)


@adjoint(np.array, np.asarray)
def array(ans, object, dtype=None, copy=True, order='K', subok=False, ndmin=0):
    d[object] = unstack(d[ans], object)


@adjoint(np.stack)
def stack(ans, arrays, axis=0, out=None):
    d[arrays] = unstack(d[ans], arrays, axis)


@adjoint(np.ravel)
def ravel(ans, a, order='C'):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.squeeze)
def squeeze(ans, a, axis=None):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.copy)
def copy(ans, a):
    d[a] = d[ans]


@attribute_adjoint('T')
def T(ans, x):
    d[x] = np.transpose(d[ans])
