"""Rules of NumPy's cumulative sums and products (``np.cumsum``, ``np.cumprod``)."""
import numpy as np

from s2sgrad.rules import adjoint, d, linear, tangent
from s2sgrad.runtime import reshape_like

from .reductions import checked_nonzero


# -- helpers (called by generated code; each has rules below) --------------------------------

def _along(x, axis):
    """`x` flattened when `axis` is None (as cumsum/cumprod do), and the axis to scan."""
    if axis is None:
        return np.reshape(x, (-1,)), 0
    return x, axis


def _reverse_cumsum(x, axis):
    return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)


def uncumsum(g, a, axis=None):
    """The adjoint of ``np.cumsum(a, axis)``: the reversed cumulative sum of `g`, shaped as `a`."""
    g, ax = _along(g, axis)
    return np.reshape(_reverse_cumsum(g, ax), np.shape(a))


def _cumprod_parts(a, axis):
    """Scan data of ``np.cumprod(a, axis)`` that stays exact when `a` holds zeros."""
    flat, ax = _along(a, axis)
    zero = flat == 0
    zeros_so_far = np.cumsum(zero, axis=ax)
    first_zero = zero & (zeros_so_far == 1)
    skip_first_zero = np.cumprod(np.where(first_zero, 1, flat), axis=ax)
    safe = np.where(zero, 1, flat)
    return ax, zeros_so_far == 0, first_zero, skip_first_zero, safe


def cumprod_jvp(h, a, axis=None):
    """The derivative of ``np.cumprod(a, axis)`` along `h` (exact when `a` holds zeros)."""
    ax, before_zero, first_zero, skipped, safe = _cumprod_parts(a, axis)
    h, _ = _along(h * np.ones_like(a), axis)
    at_first_zero = np.sum(np.where(first_zero, h, 0), axis=ax, keepdims=True)
    return skipped * np.where(before_zero, np.cumsum(h / safe, axis=ax), at_first_zero)


def uncumprod(g, a, axis=None):
    """The adjoint of ``np.cumprod(a, axis)`` given the adjoint `g` of its result (exact when
    `a` holds zeros); the transpose of `cumprod_jvp`."""
    ax, before_zero, first_zero, skipped, safe = _cumprod_parts(a, axis)
    u = g * skipped
    result = np.where(before_zero, _reverse_cumsum(np.where(before_zero, u, 0), ax) / safe,
                      np.where(first_zero, _reverse_cumsum(u, ax), 0))
    return np.reshape(result, np.shape(a))


# -- cumsum, cumprod -------------------------------------------------------------------------------

@adjoint(np.cumsum)
def cumsum_adjoint(ans, a, axis=None, dtype=None, out=None):
    d[a] = uncumsum(d[ans], a, axis)


linear(np.cumsum, 'd[a], axis=axis')


@adjoint(np.cumprod)
def cumprod_adjoint(ans, a, axis=None, dtype=None, out=None):
    d[a] = uncumprod(d[ans], a, axis)


@tangent(np.cumprod)
def cumprod_tangent(ans, a, axis=None, dtype=None, out=None):
    d[ans] = cumprod_jvp(d[a], a, axis)


# -- rules of the helpers, so that generated gradients can be differentiated again ---------------

@adjoint(uncumsum)
def uncumsum_adjoint(ans, g, a, axis=None):
    d[g] = reshape_like(np.cumsum(d[ans], axis=axis), g)


linear(uncumsum, 'd[g], a, axis')


@adjoint(cumprod_jvp)
def cumprod_jvp_adjoint(ans, h, a, axis=None):
    d[h] = uncumprod(d[ans], a, axis)
    nonzero = checked_nonzero(a, 'a second derivative of np.cumprod')
    d[a] = uncumprod(d[ans] * np.cumsum(h / nonzero, axis=axis), a, axis) - \
        uncumsum(d[ans] * np.cumprod(a, axis=axis), a, axis) * h / nonzero ** 2


@tangent(cumprod_jvp)
def cumprod_jvp_tangent(ans, h, a, axis=None):
    d[ans] = cumprod_jvp(d[h], a, axis)
    d[ans] = cumprod_jvp(d[a], a, axis) * \
        np.cumsum(h / checked_nonzero(a, 'a second derivative of np.cumprod'), axis=axis)
    d[ans] = -np.cumprod(a, axis=axis) * \
        np.cumsum(h * d[a] / checked_nonzero(a, 'a second derivative of np.cumprod') ** 2,
                  axis=axis)


@adjoint(uncumprod)
def uncumprod_adjoint(ans, g, a, axis=None):
    d[g] = cumprod_jvp(d[ans], a, axis)
    nonzero = checked_nonzero(a, 'a second derivative of np.cumprod')
    d[a] = uncumprod(g * np.cumsum(d[ans] / nonzero, axis=axis), a, axis) - \
        ans * d[ans] / nonzero


@tangent(uncumprod)
def uncumprod_tangent(ans, g, a, axis=None):
    d[ans] = uncumprod(d[g], a, axis)
    d[ans] = uncumsum(g * cumprod_jvp(d[a], a, axis), a, axis) / \
        checked_nonzero(a, 'a second derivative of np.cumprod')
    d[ans] = -ans * d[a] / checked_nonzero(a, 'a second derivative of np.cumprod')
