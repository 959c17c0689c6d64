"""Adjoints of shape operations (``reshape``, ``transpose``, ``array``) and array attributes."""
import numpy as np

from s2sgrad.rules import (adjoint, attribute_adjoint, attribute_tangent, d, shape_preserving,
                           tangent)
from s2sgrad.runtime import real_part, reshape_like, retranspose, untranspose, unstack


@adjoint(np.reshape)
def reshape(ans, a, *shape, order='C'):
    d[a] = reshape_like(d[ans], a)


@tangent(np.reshape, np.ravel, np.squeeze)
def reshape_tangent(ans, a, *shape, order='C', axis=None):
    d[ans] = reshape_like(d[a], ans)


@adjoint(np.transpose)
def transpose(ans, a, *axes):
    d[a] = untranspose(d[ans], axes)


@tangent(np.transpose)
def transpose_tangent(ans, a, *axes):
    d[ans] = retranspose(d[a], axes)


@adjoint(np.array, np.asarray)
def array(ans, object, dtype=None, copy=True, order='K', subok=False, ndmin=0):
    d[object] = unstack(d[ans], object)


@tangent(np.array, np.asarray)
def array_tangent(ans, object, dtype=None, copy=True, order='K', subok=False, ndmin=0):
    d[ans] = np.array(d[object])


@adjoint(np.stack)
def stack(ans, arrays, axis=0, out=None):
    d[arrays] = unstack(d[ans], arrays, axis)


@tangent(np.stack)
def stack_tangent(ans, arrays, axis=0, out=None):
    d[ans] = np.stack(d[arrays], axis=axis)


@adjoint(np.ravel)
def ravel(ans, a, order='C'):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.squeeze)
def squeeze(ans, a, axis=None):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.copy)
def copy(ans, a):
    d[a] = d[ans]


@tangent(np.copy)
def copy_tangent(ans, a):
    d[ans] = d[a]


@adjoint(np.real)
@attribute_adjoint('real')
def real(ans, x):
    d[x] = real_part(x, d[ans])


@tangent(np.real)
@attribute_tangent('real')
def real_tangent(ans, x):
    d[ans] = real_part(x, d[x])


@attribute_adjoint('T')
def T(ans, x):
    d[x] = np.transpose(d[ans])


@attribute_tangent('T')
def T_tangent(ans, x):
    d[ans] = np.transpose(d[x])


shape_preserving(np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy)
