"""Rules of NumPy's shape operations: reshaping, transposing, moving axes, flipping, rolling."""
import numbers

import numpy as np

from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import (adjoint, attribute_adjoint, attribute_tangent, d, linear,
                           nondifferentiable, shape_preserving, tangent)
from s2sgrad.runtime import (imag_part, real_part, reshape_like, retranspose, unbroadcast,
                             untranspose)


# -- helpers called by the templates (each has its own rules, for second order) ------------

def reshape_method(a, *shape, order='C', copy=None):
    """``a.reshape(*shape, order=...)``, the method (whose dimensions may be separate
    arguments; np.reshape's third positional argument is `order`)."""
    if copy is not None:
        return a.reshape(*shape, order=order, copy=copy)
    return a.reshape(*shape, order=order)


def layout_order(a, order):
    """'C' or 'F': the order in which a reshape or ravel with `order` reads `a` ('A' and 'K'
    read an array laid out in Fortran order in 'F', others in 'C'; 'K' of an array laid out
    in neither is refused)."""
    if order in ('C', 'F'):
        return order
    if order not in ('A', 'K'):
        raise ValueError(f"order must be one of 'C', 'F', 'A' or 'K' (got {order!r})")
    flags = getattr(a, 'flags', None)
    if flags is None:  # (a lazy or a device array without flags: C, as dask's reshape)
        return 'C'
    if order == 'K' and not (flags.c_contiguous or flags.f_contiguous):
        raise unsupported(
            "s2sgrad differentiates order='K' of arrays laid out in C or Fortran order only; "
            "pass order='C' or 'F', or np.ascontiguousarray(a)")
    return 'F' if flags.f_contiguous and not flags.c_contiguous else 'C'


nondifferentiable(layout_order)


def shaped_like(g, x):
    """`g` in the shape of `x` (0-d for a Python number: ``s2s.like`` makes it a float)."""
    shape = np.shape(x)
    if type(g) is np.ndarray and g.shape == shape:
        return g
    return np.reshape(g, shape)


def unroll(g, shift, axis=None):
    """The adjoint of ``np.roll(x, shift, axis)``: `g` rolled back."""
    back = -shift if isinstance(shift, numbers.Integral) else tuple(-s for s in shift)
    return np.roll(g, back, axis=axis)


def _one_array(arys, name):
    if len(arys):
        raise unsupported(
            f'the derivative of np.{name} of several arrays is not supported; call it once '
            f'per array')


def promote(dx, result, ndmin=1):
    """The tangent of ``result = np.atleast_<ndmin>d(x)`` (one array only)."""
    _one_array(result if isinstance(result, (list, tuple)) else (), f'atleast_{ndmin}d')
    return [np.atleast_1d, np.atleast_2d, np.atleast_3d][ndmin - 1](dx)


def unpromote(g, x, ndmin=1):
    """The adjoint of ``np.atleast_<ndmin>d(x)`` (one array only): `g` in `x`'s shape."""
    _one_array(g if isinstance(g, (list, tuple)) else (), f'atleast_{ndmin}d')
    return shaped_like(g, x)


def several_arrays(g, ndmin=1):
    """Raise: np.atleast_<ndmin>d of several differentiated arrays is not supported."""
    _one_array((g,), f"atleast_{ndmin}d")


@adjoint(shaped_like)
def shaped_like_adjoint(ans, g, x):
    d[g] = shaped_like(d[ans], g)


linear(shaped_like, 'd[g], x')


@adjoint(unroll)
def unroll_adjoint(ans, g, shift, axis=None):
    d[g] = np.roll(d[ans], shift, axis=axis)


linear(unroll, 'd[g], shift, axis')


@adjoint(promote)
def promote_adjoint(ans, dx, result, ndmin=1):
    d[dx] = unpromote(d[ans], dx, ndmin)


linear(promote, 'd[dx], result, ndmin')


@adjoint(unpromote)
def unpromote_adjoint(ans, g, x, ndmin=1):
    d[g] = shaped_like(d[ans], g)


linear(unpromote, 'd[g], x, ndmin')


# -- reshaping, transposing, copying ---------------------------------------------------------

# (an `order` other than 'C' reads and writes the elements in that order: 'F', or 'A'/'K',
# which read a Fortran-ordered array in 'F'; `layout_order` says which)

@adjoint(np.reshape)
def reshape(ans, a, shape=None, order='C', *, newshape=None, copy=None):
    d[a] = reshape_like(d[ans], a) if order == 'C' else \
        reshape_like(d[ans], a, layout_order(a, order))


@tangent(np.reshape)
def reshape_tangent(ans, a, shape=None, order='C', *, newshape=None, copy=None):
    d[ans] = reshape_like(d[a], ans) if order == 'C' else \
        reshape_like(d[a], ans, layout_order(a, order))


@adjoint(reshape_method)
def reshape_method_adjoint(ans, a, *shape, order='C', copy=None):
    d[a] = reshape_like(d[ans], a) if order == 'C' else \
        reshape_like(d[ans], a, layout_order(a, order))


@tangent(reshape_method)
def reshape_method_tangent(ans, a, *shape, order='C', copy=None):
    d[ans] = reshape_like(d[a], ans) if order == 'C' else \
        reshape_like(d[a], ans, layout_order(a, order))


@tangent(np.ravel)
def ravel_tangent(ans, a, order='C'):
    d[ans] = reshape_like(d[a], ans) if order == 'C' else \
        reshape_like(d[a], ans, layout_order(a, order))


@tangent(np.squeeze)
def squeeze_tangent(ans, a, axis=None):
    d[ans] = reshape_like(d[a], ans)


@adjoint(np.transpose)
def transpose(ans, a, *axes):
    d[a] = untranspose(d[ans], axes)


@tangent(np.transpose)
def transpose_tangent(ans, a, *axes):
    d[ans] = retranspose(d[a], axes)


@adjoint(np.ravel)
def ravel(ans, a, order='C'):
    d[a] = reshape_like(d[ans], a) if order == 'C' else \
        reshape_like(d[ans], a, layout_order(a, order))


@adjoint(np.squeeze)
def squeeze(ans, a, axis=None):
    d[a] = reshape_like(d[ans], a)


@adjoint(np.copy)
def copy(ans, a, order='K', subok=False):
    d[a] = d[ans]


@tangent(np.copy)
def copy_tangent(ans, a, order='K', subok=False):
    d[ans] = d[a]


@adjoint(np.real)
@attribute_adjoint('real')
def real(ans, x):
    d[x] = real_part(x, d[ans])


@tangent(np.real)
@attribute_tangent('real')
def real_tangent(ans, x):
    d[ans] = real_part(x, d[x])


# conj, imag, angle, real_if_close: s2sgrad differentiates real functions of real arguments
# (complex values raise ComplexError, as in np.real); for a real x they are x, 0, 0 (or pi:
# piecewise constant) and x.

@adjoint(np.conj, np.conjugate, np.real_if_close)
def conj(ans, x, tol=100):
    d[x] = real_part(x, d[ans])


@tangent(np.conj, np.conjugate, np.real_if_close)
def conj_tangent(ans, x, tol=100):
    d[ans] = real_part(x, d[x])


@adjoint(np.imag, np.angle)
@attribute_adjoint('imag')
def imag(ans, x, deg=False):
    d[x] = imag_part(x, d[ans])


@tangent(np.imag, np.angle)
@attribute_tangent('imag')
def imag_tangent(ans, x, deg=False):
    d[ans] = imag_part(x, d[x])


@attribute_adjoint('T')
def T(ans, x):
    d[x] = np.transpose(d[ans])


@attribute_tangent('T')
def T_tangent(ans, x):
    d[ans] = np.transpose(d[x])


@attribute_adjoint('mT')
def m_transpose(ans, x):
    d[x] = np.swapaxes(d[ans], -1, -2)


@attribute_tangent('mT')
def m_transpose_tangent(ans, x):
    d[ans] = np.swapaxes(d[x], -1, -2)


shape_preserving(np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy)


# -- adding and moving axes ------------------------------------------------------------------

@adjoint(np.expand_dims)
def expand_dims_adjoint(ans, a, axis):
    d[a] = shaped_like(d[ans], a)


linear(np.expand_dims, 'd[a], axis')


@adjoint(np.swapaxes)
def swapaxes_adjoint(ans, a, axis1, axis2):
    d[a] = np.swapaxes(d[ans], axis1, axis2)


linear(np.swapaxes, 'd[a], axis1, axis2')


@adjoint(np.moveaxis)
def moveaxis_adjoint(ans, a, source, destination):
    d[a] = np.moveaxis(d[ans], destination, source)


linear(np.moveaxis, 'd[a], source, destination')


def rolled_to(ndim, axis, start):
    """Where ``np.rollaxis(a, axis, start)`` puts the axis `axis` of an `ndim`-d array."""
    axis = axis + ndim if axis < 0 else axis
    start = start + ndim if start < 0 else start
    return start - 1 if start > axis else start


@adjoint(np.rollaxis)
def rollaxis_adjoint(ans, a, axis, start=0):
    d[a] = np.moveaxis(d[ans], rolled_to(np.ndim(a), axis, start), axis)


linear(np.rollaxis, 'd[a], axis, start')


@adjoint(np.broadcast_to)
def broadcast_to_adjoint(ans, array, shape, subok=False):
    d[array] = unbroadcast(d[ans], array)


linear(np.broadcast_to, 'd[array], shape')


@adjoint(np.atleast_1d)
def atleast_1d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 1)
    d[ary2] = several_arrays(d[ans], 1)
    d[ary3] = several_arrays(d[ans], 1)


@tangent(np.atleast_1d)
def atleast_1d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 1)
    d[ans] = several_arrays(d[ary2], 1)
    d[ans] = several_arrays(d[ary3], 1)


@adjoint(np.atleast_2d)
def atleast_2d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 2)
    d[ary2] = several_arrays(d[ans], 2)
    d[ary3] = several_arrays(d[ans], 2)


@tangent(np.atleast_2d)
def atleast_2d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 2)
    d[ans] = several_arrays(d[ary2], 2)
    d[ans] = several_arrays(d[ary3], 2)


@adjoint(np.atleast_3d)
def atleast_3d_adjoint(ans, ary, ary2=None, ary3=None, *arys):
    d[ary] = unpromote(d[ans], ary, 3)
    d[ary2] = several_arrays(d[ans], 3)
    d[ary3] = several_arrays(d[ans], 3)


@tangent(np.atleast_3d)
def atleast_3d_tangent(ans, ary, ary2=None, ary3=None, *arys):
    d[ans] = promote(d[ary], ans, 3)
    d[ans] = several_arrays(d[ary2], 3)
    d[ans] = several_arrays(d[ary3], 3)


# -- flipping and rolling -------------------------------------------------------------------

@adjoint(np.flip)
def flip_adjoint(ans, m, axis=None):
    d[m] = np.flip(d[ans], axis=axis)


linear(np.flip, 'd[m], axis=axis')


@adjoint(np.fliplr)
def fliplr_adjoint(ans, m):
    d[m] = np.fliplr(d[ans])


linear(np.fliplr, 'd[m]')


@adjoint(np.flipud)
def flipud_adjoint(ans, m):
    d[m] = np.flipud(d[ans])


linear(np.flipud, 'd[m]')


@adjoint(np.roll)
def roll_adjoint(ans, a, shift, axis=None):
    d[a] = unroll(d[ans], shift, axis)


linear(np.roll, 'd[a], shift, axis=axis')


@adjoint(np.rot90)
def rot90_adjoint(ans, m, k=1, axes=(0, 1)):
    d[m] = np.rot90(d[ans], -k, axes)


linear(np.rot90, 'd[m], k, axes')
