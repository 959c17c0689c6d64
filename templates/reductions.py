"""Rules of NumPy's reductions: sum, mean, max, min, prod, var, std, ptp, average, trace, nan*."""

import numpy as np

from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import adjoint, d, linear, nondifferentiable, reduction, tangent
from s2sgrad.runtime import (extremum_tangent, select, unbroadcast, unextremum, unmean,
                             unreduce)
from s2sgrad.runtime_values import _is_lazy, array_module

from .arithmetic import xdivy  # noqa: F401 (used by the rules)


# -- sum, mean, max, min ----------------------------------------------------------------------

@adjoint(np.sum)
def sum(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[ans], a, axis, keepdims)


linear(np.sum, 'd[a], axis=axis, keepdims=keepdims')


@adjoint(np.mean)
def mean(ans, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unmean(d[ans], a, axis, keepdims)


linear(np.mean, 'd[a], axis=axis, keepdims=keepdims')


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


# -- helpers (called by generated code; each differentiable one has rules below) -------------

def _axes(a, axis):
    """The reduced axes of `a`, normalised and sorted (all of them for ``axis=None``)."""
    if axis is None:
        return tuple(range(np.ndim(a)))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(sorted(ax % np.ndim(a) for ax in axes))


def _to_last(a, axis):
    """`a` with the reduced axes moved last and flattened into one: (array, undo)."""
    axes = _axes(a, axis)
    rest = tuple(ax for ax in range(np.ndim(a)) if ax not in axes)
    moved = np.transpose(a, rest + axes)
    # (the reduced length named: NumPy cannot infer -1 where another axis is empty)
    length = -1 if moved.size else int(np.prod(moved.shape[len(rest):]))
    flat = np.reshape(moved, moved.shape[:len(rest)] + (length,))
    inverse = tuple(np.argsort(rest + axes))

    def undo(x):
        return np.transpose(np.reshape(x, moved.shape), inverse)
    return flat, undo


def _exclusive_products(flat):
    """Along the last axis: the product of all the other elements, with no division."""
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return left * right


def prod_others(a, axis=None):
    """For each element of `a`, the product of the other elements of its slice over `axis`
    (the partial derivative of ``np.prod(a, axis)``); exact when `a` holds zeros."""
    if np.ndim(a) == 0:
        return np.ones_like(a)
    flat, undo = _to_last(a, axis)
    return undo(_exclusive_products(flat))


def prod_others_jvp(v, a, axis=None):
    """The derivative of `prod_others(a, axis)` along `v`: for each i, the sum over j != i of
    ``v[j]`` times the product of the elements other than i and j; exact with zeros."""
    if np.ndim(a) == 0:
        return np.zeros_like(a) * v
    flat, undo = _to_last(a, axis)
    vflat, _ = _to_last(v * np.ones_like(a), axis)
    zero = flat == 0
    safe = np.where(zero, 1, flat)
    others_nonzero = _exclusive_products(safe)       # products of the other nonzero elements
    zeros_elsewhere = np.sum(zero, axis=-1, keepdims=True) - zero
    by_nonzero = np.where(zero, 0, vflat / safe)
    by_zero = np.where(zero, vflat, 0)
    inner = np.where(zeros_elsewhere == 0,
                     np.sum(by_nonzero, axis=-1, keepdims=True) - by_nonzero,
                     np.where(zeros_elsewhere == 1,
                              np.sum(by_zero, axis=-1, keepdims=True) - by_zero, 0))
    return undo(others_nonzero * inner)


def checked_nonzero(x, what):
    """`x`, once checked that it holds no zero (where `what`'s derivative divides by it); a
    lazy (dask) `x` is checked block by block when it is computed (checking it now would
    compute it)."""
    if _is_lazy(x):
        return x.map_blocks(_checked_block, what, dtype=x.dtype)
    return _checked_block(x, what)


def _checked_block(x, what):
    if np.any(x == 0):
        raise unsupported(
            f's2sgrad: {what} is not supported where the input holds zeros (it would divide '
            f'by zero)')
    return x


def prod_factor(initial=None, where=None):
    """The factor ``initial`` of ``np.prod(..., initial=...)`` (1.0 without); rejects where=."""
    _no_where(where, 'np.prod/np.nanprod')
    return 1.0 if initial is None else initial


def plain(g, where=None, initial=None, what='this reduction'):
    """`g`, once checked that the reduction had no where= mask (nor initial= for nanmax/min)."""
    _no_where(where, what)
    if initial is not None:
        raise unsupported(f's2sgrad differentiates {what} without initial= only')
    return g


def _no_where(where, what):
    if where is not None and where is not True:
        raise unsupported(f's2sgrad differentiates {what} without a where= mask only')


def dof(a, axis=None, ddof=0, correction=None, where=None):
    """The divisor of var/std: the number of elements reduced minus ``ddof``."""
    _no_where(where, 'np.var/np.std')
    ddof = ddof if correction is None else correction
    count = 1
    for ax in _axes(a, axis):
        count *= np.shape(a)[ax]
    return count - ddof


def notnan(a, where=None):
    """Where `a` is not NaN (the elements the nan* reductions use)."""
    _no_where(where, 'the nan* reductions')
    return np.logical_not(np.isnan(a))


def nancount(a, axis=None, keepdims=True, ddof=0, correction=None, where=None, center=None):
    """The number of non-NaN elements reduced over `axis`, minus ``ddof`` (`center`: the
    ``mean=`` of np.nanvar and np.nanstd, refused)."""
    _no_where(where, 'the nan* reductions')
    if center is not None:
        raise unsupported('s2sgrad differentiates np.nanvar and np.nanstd without mean= only')
    ddof = ddof if correction is None else correction
    return np.sum(np.logical_not(np.isnan(a)), axis=axis, keepdims=keepdims) - ddof


def average_weights(a, axis=None, weights=None, returned=False):
    """The weights of ``np.average`` shaped to broadcast against `a` (ones without weights)."""
    if returned:
        raise unsupported('s2sgrad differentiates np.average with returned=False only')
    if weights is None:
        return np.ones_like(a)
    if array_module(a) is not np and type(weights) is np.ndarray:
        weights = array_module(a).asarray(weights)  # (as cupy.average reads NumPy weights)
    if np.shape(weights) == np.shape(a):
        return weights
    given = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    given = tuple(ax % np.ndim(a) for ax in given)
    order = tuple(np.argsort(given))
    shape = [1] * np.ndim(a)
    for ax in given:
        shape[ax] = np.shape(a)[ax]
    return np.reshape(np.transpose(weights, order), shape)


def weights_back(g, a, axis, weights):
    """The inverse of `average_weights`: `g`, shaped like it, back in the shape of `weights`."""
    if np.shape(g) == np.shape(weights):
        return g
    given = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    given = tuple(ax % np.ndim(a) for ax in given)
    order = np.argsort(given)
    moved = np.reshape(g, tuple(np.shape(weights)[i] for i in order))
    return np.transpose(moved, tuple(np.argsort(order)))


def untrace(g, a, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.trace(a, offset, axis1, axis2)``: `g` along that diagonal of `a`."""
    ndim = np.ndim(a)
    axis1, axis2 = axis1 % ndim, axis2 % ndim
    mask = array_module(a).eye(np.shape(a)[axis1], np.shape(a)[axis2], k=offset, dtype=bool)
    if axis1 > axis2:
        mask = mask.T
    shape = [1] * ndim
    shape[axis1], shape[axis2] = np.shape(a)[axis1], np.shape(a)[axis2]
    mask = np.reshape(mask, shape)
    if isinstance(g, (int, float, np.generic)) and array_module(a) is not np:
        g = array_module(a).asarray(g)  # a number: a CuPy array for a CuPy `a`
    g = np.expand_dims(g, tuple(sorted((axis1, axis2))))
    return np.where(mask, g, 0 * g)


def third_order(what, tangent=None):
    """Raise: a derivative beyond the ones s2sgrad implements was requested."""
    raise unsupported(f's2sgrad has no third derivative of {what} (it differentiates it '
                      f'twice: grad, hessian, hvp); for a third derivative, write the function '
                      f'with operations that have one (a determinant of a small matrix by its '
                      f'formula, a norm as a sum)')


nondifferentiable(dof, notnan, nancount, third_order)


# -- prod -------------------------------------------------------------------------------------

@adjoint(np.prod)
def prod_adjoint(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                 where=None):
    d[a] = unreduce(d[ans], a, axis, keepdims) * prod_others(a, axis) * prod_factor(initial, where)
    d[initial] = np.sum(d[ans] * np.prod(a, axis=axis, keepdims=keepdims))


@tangent(np.prod)
def prod_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                 where=None):
    d[ans] = np.sum(d[a] * prod_others(a, axis), axis=axis, keepdims=keepdims) * \
        prod_factor(initial, where)
    d[ans] = d[initial] * np.prod(a, axis=axis, keepdims=keepdims)


@adjoint(np.nanprod)
def nanprod_adjoint(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                    where=None):
    d[a] = select(notnan(a), unreduce(d[ans], a, axis, keepdims) *
                  prod_others(np.where(np.isnan(a), 1.0, a), axis)) * prod_factor(initial, where)
    d[initial] = np.sum(d[ans] * np.nanprod(a, axis=axis, keepdims=keepdims))


@tangent(np.nanprod)
def nanprod_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                    where=None):
    d[ans] = np.sum(select(notnan(a), d[a]) * prod_others(np.where(np.isnan(a), 1.0, a), axis),
                    axis=axis, keepdims=keepdims) * prod_factor(initial, where)
    d[ans] = d[initial] * np.nanprod(a, axis=axis, keepdims=keepdims)


# -- var, std and their nan* forms -------------------------------------------------------------

def centered(a, axis=None, center=None):
    """`a` less its mean over `axis`, centred once more by the mean of what is left, or less
    `center` where given (NumPy 2's ``mean=`` of var and std: any value of the mean's shape,
    not only the mean). (The second centring: where all values are equal, the mean's rounding
    leaves every deviation at the same 1e-16, which std, itself of that size, divides into
    an O(1) slope; with it the deviations are exactly 0, and so is the derivative.)"""
    if center is not None:
        return a - center
    deviations = a - np.mean(a, axis=axis, keepdims=True)
    return deviations - np.mean(deviations, axis=axis, keepdims=True)


def centering(center):
    """The `center` argument of `centered` for its tangent or adjoint: None (less the mean)
    where `center` is None, else 0.0 (the given center's own part is separate)."""
    return None if center is None else 0.0


nondifferentiable(centering)


@adjoint(centered)
def centered_adjoint(ans, a, axis=None, center=None):
    # (less the mean: a projection, its own adjoint)
    d[a] = centered(d[ans], axis, centering(center))
    d[center] = -unbroadcast(d[ans], center)


@tangent(centered)
def centered_tangent(ans, a, axis=None, center=None):
    d[ans] = centered(d[a], axis, centering(center))
    d[ans] = -d[center]


@adjoint(np.var)
def var_adjoint(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                mean=None, correction=None):
    # var is stationary in the mean: `mean=` given as the mean of `a` gets zero here
    d[a] = 2 * unreduce(d[ans], a, axis, keepdims) * centered(a, axis, mean) / \
        dof(a, axis, ddof, correction, where)
    d[mean] = unbroadcast(-2 * unreduce(d[ans], a, axis, keepdims) * centered(a, axis, mean) /
                          dof(a, axis, ddof, correction, where), mean)


@tangent(np.var)
def var_tangent(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                mean=None, correction=None):
    d[ans] = 2 * np.sum(d[a] * centered(a, axis, mean), axis=axis, keepdims=keepdims) / \
        dof(a, axis, ddof, correction, where)
    d[ans] = -2 * np.sum(d[mean] * centered(a, axis, mean), axis=axis, keepdims=keepdims) / \
        dof(a, axis, ddof, correction, where)


# std is a norm of ``a - mean``: where all values reduced are equal (a zero spread; always
# with one value) its derivative is taken as 0, the limit np.linalg.norm gives at zero.

@adjoint(np.std)
def std_adjoint(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                mean=None, correction=None):
    d[a] = unreduce(d[ans], a, axis, keepdims) * \
        xdivy(centered(a, axis, mean),
              unreduce(ans, a, axis, keepdims) * dof(a, axis, ddof, correction, where))
    d[mean] = unbroadcast(-unreduce(d[ans], a, axis, keepdims) *
                          xdivy(centered(a, axis, mean), unreduce(ans, a, axis, keepdims) *
                                dof(a, axis, ddof, correction, where)), mean)


@tangent(np.std)
def std_tangent(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                mean=None, correction=None):
    d[ans] = np.sum(d[a] * xdivy(centered(a, axis, mean),
                                 unreduce(ans, a, axis, keepdims) *
                                 dof(a, axis, ddof, correction, where)),
                    axis=axis, keepdims=keepdims)
    d[ans] = -np.sum(d[mean] * xdivy(centered(a, axis, mean),
                                     unreduce(ans, a, axis, keepdims) *
                                     dof(a, axis, ddof, correction, where)),
                     axis=axis, keepdims=keepdims)


@adjoint(np.nanvar)
def nanvar_adjoint(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                   where=None, mean=None, correction=None):
    d[a] = select(notnan(a), 2 * unreduce(d[ans], a, axis, keepdims) *
                  (a - np.nanmean(a, axis=axis, keepdims=True)) /
                  nancount(a, axis, True, ddof, correction, where, mean))


@tangent(np.nanvar)
def nanvar_tangent(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                   where=None, mean=None, correction=None):
    d[ans] = 2 * np.sum(select(notnan(a, where), d[a]) *
                        np.where(np.isnan(a), 0.0, a - np.nanmean(a, axis=axis, keepdims=True)),
                        axis=axis, keepdims=keepdims) / \
        nancount(a, axis, keepdims, ddof, correction, None, mean)


@adjoint(np.nanstd)
def nanstd_adjoint(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                   where=None, mean=None, correction=None):
    d[a] = unreduce(d[ans], a, axis, keepdims) * \
        xdivy(np.where(np.isnan(a), 0.0, a - np.nanmean(a, axis=axis, keepdims=True)),
              unreduce(ans, a, axis, keepdims) *
              nancount(a, axis, True, ddof, correction, where, mean))


@tangent(np.nanstd)
def nanstd_tangent(ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                   where=None, mean=None, correction=None):
    d[ans] = np.sum(select(notnan(a, where), d[a]) *
                    xdivy(np.where(np.isnan(a), 0.0, a - np.nanmean(a, axis=axis, keepdims=True)),
                          unreduce(ans, a, axis, keepdims) * nancount(a, axis, True, ddof,
                                                                      correction, None, mean)),
                    axis=axis, keepdims=keepdims)


# -- nansum, nanmean, nanmax, nanmin -------------------------------------------------------------

@adjoint(np.nansum)
def nansum_adjoint(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                   where=None):
    d[a] = select(notnan(a, where), unreduce(d[ans], a, axis, keepdims))
    d[initial] = np.sum(d[ans])


@tangent(np.nansum)
def nansum_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                   where=None):
    d[ans] = np.sum(select(notnan(a, where), d[a]), axis=axis, keepdims=keepdims)
    d[ans] = d[initial]


@adjoint(np.nanmean)
def nanmean_adjoint(ans, a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    d[a] = select(notnan(a, where), unreduce(d[ans], a, axis, keepdims) / nancount(a, axis))


@tangent(np.nanmean)
def nanmean_tangent(ans, a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    d[ans] = np.sum(select(notnan(a, where), d[a]), axis=axis, keepdims=keepdims) / \
        nancount(a, axis, keepdims)


@adjoint(np.nanmax, np.nanmin)
def nanextremum_adjoint(ans, a, axis=None, out=None, keepdims=False, initial=None, where=None):
    d[a] = select(notnan(a), unextremum(plain(d[ans], where, initial, 'np.nanmax/np.nanmin'),
                                        ans, a, axis, keepdims))


@tangent(np.nanmax, np.nanmin)
def nanextremum_tangent(ans, a, axis=None, out=None, keepdims=False, initial=None, where=None):
    d[ans] = extremum_tangent(plain(d[a], where, initial, 'np.nanmax/np.nanmin'), ans, a, axis,
                              keepdims)


# -- ptp -----------------------------------------------------------------------------------

@adjoint(np.ptp)
def ptp_adjoint(ans, a, axis=None, out=None, keepdims=False):
    d[a] = unextremum(d[ans], np.max(a, axis=axis, keepdims=keepdims), a, axis, keepdims) - \
        unextremum(d[ans], np.min(a, axis=axis, keepdims=keepdims), a, axis, keepdims)


@tangent(np.ptp)
def ptp_tangent(ans, a, axis=None, out=None, keepdims=False):
    d[ans] = extremum_tangent(d[a], np.max(a, axis=axis, keepdims=keepdims), a, axis, keepdims)
    d[ans] = -extremum_tangent(d[a], np.min(a, axis=axis, keepdims=keepdims), a, axis, keepdims)


# -- average, trace ----------------------------------------------------------------------------

@adjoint(np.average)
def average_adjoint(ans, a, axis=None, weights=None, returned=False, *, keepdims=False):
    w = average_weights(a, axis, weights, returned)
    d[a] = unreduce(d[ans], a, axis, keepdims) * w / np.sum(w, axis=axis, keepdims=True)
    d[weights] = weights_back(unbroadcast(
        unreduce(d[ans], a, axis, keepdims) * (a - unreduce(ans, a, axis, keepdims)), w) /
        np.sum(w, axis=axis, keepdims=True), a, axis, weights)


@tangent(np.average)
def average_tangent(ans, a, axis=None, weights=None, returned=False, *, keepdims=False):
    d[ans] = np.sum(d[a] * average_weights(a, axis, weights, returned), axis=axis,
                    keepdims=keepdims) / \
        np.sum(average_weights(a, axis, weights, returned), axis=axis, keepdims=keepdims)
    d[ans] = np.sum(average_weights(a, axis, d[weights], returned) *
                    (a - unreduce(ans, a, axis, keepdims)), axis=axis, keepdims=keepdims) / \
        np.sum(average_weights(a, axis, weights, returned), axis=axis, keepdims=keepdims)


@adjoint(np.trace)
def trace_adjoint(ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[a] = untrace(d[ans], a, offset, axis1, axis2)


linear(np.trace, 'd[a], offset=offset, axis1=axis1, axis2=axis2')


# -- rules of the helpers, so that generated gradients can be differentiated again ---------------

@adjoint(prod_others)
def prod_others_adjoint(ans, a, axis=None):
    d[a] = prod_others_jvp(d[ans], a, axis)       # the Jacobian is symmetric


@tangent(prod_others)
def prod_others_tangent(ans, a, axis=None):
    d[ans] = prod_others_jvp(d[a], a, axis)


@adjoint(prod_others_jvp)
def prod_others_jvp_adjoint(ans, v, a, axis=None):
    d[v] = prod_others_jvp(d[ans], a, axis)
    nonzero = checked_nonzero(a, 'a third derivative of np.prod')
    others = prod_others(a, axis)
    d[a] = prod_others_jvp(d[ans] * (np.sum(v / nonzero, axis=axis, keepdims=True) -
                                     v / nonzero), a, axis) + \
        (d[ans] * others - np.sum(d[ans] * others, axis=axis, keepdims=True)) * v / nonzero ** 2


@tangent(prod_others_jvp)
def prod_others_jvp_tangent(ans, v, a, axis=None):
    d[ans] = prod_others_jvp(d[v], a, axis)
    d[ans] = prod_others_jvp(d[a], a, axis) * \
        (np.sum(v / checked_nonzero(a, 'a third derivative of np.prod'), axis=axis,
                keepdims=True) - v / checked_nonzero(a, 'a third derivative of np.prod'))
    d[ans] = prod_others(a, axis) * \
        (v * d[a] / checked_nonzero(a, 'a third derivative of np.prod') ** 2 -
         np.sum(v * d[a] / checked_nonzero(a, 'a third derivative of np.prod') ** 2, axis=axis,
                keepdims=True))


@adjoint(checked_nonzero)
def checked_nonzero_adjoint(ans, x, what):
    d[x] = d[ans]


@tangent(checked_nonzero)
def checked_nonzero_tangent(ans, x, what):
    d[ans] = d[x]


@adjoint(prod_factor)
def prod_factor_adjoint(ans, initial=None, where=None):
    d[initial] = np.sum(d[ans])


@tangent(prod_factor)
def prod_factor_tangent(ans, initial=None, where=None):
    d[ans] = d[initial]


@adjoint(plain)
def plain_adjoint(ans, g, where=None, initial=None, what='this reduction'):
    d[g] = d[ans]


@tangent(plain)
def plain_tangent(ans, g, where=None, initial=None, what='this reduction'):
    d[ans] = d[g]


@adjoint(average_weights)
def average_weights_adjoint(ans, a, axis=None, weights=None, returned=False):
    d[weights] = weights_back(d[ans], a, axis, weights)


linear(average_weights, 'a, axis, d[weights], returned')


@adjoint(weights_back)
def weights_back_adjoint(ans, g, a, axis, weights):
    d[g] = average_weights(a, axis, d[ans])


linear(weights_back, 'd[g], a, axis, weights')


@adjoint(untrace)
def untrace_adjoint(ans, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.trace(d[ans], offset=offset, axis1=axis1, axis2=axis2)


linear(untrace, 'd[g], a, offset, axis1, axis2')
