"""Rules of NumPy's elementwise functions (ufuncs): declared by their derivatives where possible."""
import numpy as np

from s2sgrad.rules import adjoint, d, elementwise, nondifferentiable, partials, tangent
from s2sgrad.runtime import unbroadcast, select

from .arithmetic import power_log, power_slope, xdivy  # noqa: F401 (used by the rules)


# -- helpers called by the rules (each has rules itself, so generated code differentiates) --

def sinc_derivative(x):
    """The derivative of ``np.sinc`` (``sin(pi x) / (pi x)``), accurate near 0 too."""
    small = np.abs(x) < 0.05
    safe = np.where(small, 1.0, x)
    exact = (np.cos(np.pi * safe) - np.sinc(safe)) / safe
    x2 = x * x
    series = -np.pi ** 2 / 3 * x * (
        1 - x2 * (np.pi ** 2 / 10) * (1 - x2 * (np.pi ** 2 / 28) * (1 - x2 * (np.pi ** 2 / 54))))
    result = np.where(small, series, exact)
    return result[()] if np.ndim(result) == 0 else result


def tie_share(x, y, skip_nan=False):
    """np.maximum's derivative in `x`: 1 where ``x > y``, 1/2 where ``x == y``, 0 elsewhere
    (also ``tie_share(y, x)``, np.minimum's). Ties share it evenly, as those of ``np.max``
    do, so that smooth functions written with them have their derivative there:
    ``np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))`` (softplus) has slope 1/2 at 0, and
    ``np.maximum(a, b) + np.minimum(a, b)`` (which is ``a + b``) slope 1. With `skip_nan`
    (np.fmax's), 1 where `y` is nan: the value is `x`."""
    above = x >= y
    if not hasattr(above, 'astype'):  # (Python numbers)
        return 1.0 if skip_nan and y != y or x > y else 0.5 if x == y else 0.0
    dtypes = [v.dtype for v in (x, y) if getattr(getattr(v, 'dtype', None), 'kind', '') == 'f']
    share = above.astype(np.result_type(*dtypes) if dtypes else np.float64)  # (float32 kept)
    tied = x == y
    if type(share) is not np.ndarray:  # (dask, CuPy: no eager test of the mask)
        share = np.where(tied, 0.5, share)
    elif tied.any():  # (a mask's cost where nothing ties)
        share[tied] = 0.5
    if skip_nan:
        share = np.where(np.isnan(y), 1.0, share)
    return share[()] if share.ndim == 0 else share


nondifferentiable(tie_share)


def clip_passes(a, a_min=None, a_max=None, min=None, max=None):
    """Where ``np.clip(a, ...)`` returns `a` itself (at a bound too: slope 1 there)."""
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    inner = a if lo is None else np.maximum(a, lo)
    mask = np.ones_like(a, dtype=bool) if lo is None else a >= lo
    return mask if hi is None else np.logical_and(mask, inner <= hi)


def clip_lower(a, a_min=None, a_max=None, min=None, max=None):
    """Where ``np.clip(a, ...)`` returns its lower bound."""
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    if lo is None:
        return np.zeros_like(a, dtype=bool)
    mask = a < lo
    return mask if hi is None else np.logical_and(mask, np.maximum(a, lo) <= hi)


def clip_upper(a, a_min=None, a_max=None, min=None, max=None):
    """Where ``np.clip(a, ...)`` returns its upper bound."""
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    if hi is None:
        return np.zeros_like(a, dtype=bool)
    return (a if lo is None else np.maximum(a, lo)) > hi


def _clip_bounds(a_min, a_max, min, max):
    lo = min if a_min is None or a_min is np._NoValue else a_min
    hi = max if a_max is None or a_max is np._NoValue else a_max
    lo = None if lo is np._NoValue else lo
    hi = None if hi is np._NoValue else hi
    return lo, hi


nondifferentiable(clip_passes, clip_lower, clip_upper)


# -- one-argument functions, declared by their derivative in ``x`` and ``ans`` -----------------

DERIVATIVES = {
    np.exp: 'ans',
    np.log: '1 / x',
    np.sqrt: '0.5 / ans',
    np.sin: 'np.cos(x)',
    np.cos: '-np.sin(x)',
    np.tan: '1 + ans ** 2',
    np.tanh: '1 - ans ** 2',
    np.sinh: 'np.cosh(x)',
    np.cosh: 'np.sinh(x)',
    np.arcsin: '1 / np.sqrt(1 - x ** 2)',
    np.arccos: '-1 / np.sqrt(1 - x ** 2)',
    np.arctan: '1 / (1 + x ** 2)',
    np.abs: 'np.sign(x)',
    np.negative: '-1',
    np.exp2: 'ans * np.log(2.0)',
    np.expm1: 'ans + 1.0',
    np.log2: '1.0 / (x * np.log(2.0))',
    np.log10: '1.0 / (x * np.log(10.0))',
    np.log1p: '1.0 / (1.0 + x)',
    np.square: '2.0 * x',
    np.reciprocal: '-(ans * ans)',
    np.cbrt: '1.0 / (3.0 * ans * ans)',
    np.arcsinh: '1.0 / np.hypot(x, 1.0)',  # hypot: no overflow of x ** 2 for huge x
    np.arccosh: '1.0 / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0))',
    np.arctanh: '1.0 / ((1.0 - x) * (1.0 + x))',
    np.fabs: 'np.sign(x)',
    np.deg2rad: 'np.pi / 180.0',
    np.radians: 'np.pi / 180.0',
    np.rad2deg: '180.0 / np.pi',
    np.degrees: '180.0 / np.pi',
    np.sinc: 'sinc_derivative(x)',
    sinc_derivative: (  # sinc'' = -pi^2 sinc - 2 sinc'/x, with sinc'(x)/x -> -pi^2/3 at 0
        '-np.pi ** 2 * np.sinc(x) - 2.0 * np.where(np.abs(x) < 1e-3, '
        '-np.pi ** 2 / 3.0 + np.pi ** 4 / 30.0 * x * x, '
        'sinc_derivative(np.where(np.abs(x) < 1e-3, 1.0, x))'
        ' / np.where(np.abs(x) < 1e-3, 1.0, x))'),
}

for _func, _derivative in DERIVATIVES.items():
    elementwise(_func, _derivative)


@adjoint(np.positive)
def positive_adjoint(ans, x):
    d[x] = d[ans]


@tangent(np.positive)
def positive_tangent(ans, x):
    d[ans] = d[x]


# -- two-argument functions (broadcasting), declared by their partial derivatives ---------------

partials(np.maximum, x='tie_share(x, y)', y='tie_share(y, x)', label='maximum', weighing=True)
partials(np.minimum, x='tie_share(y, x)', y='tie_share(x, y)', label='minimum', weighing=True)
# (as ``x ** y``: exact at the special points 0 ** y and x ** 0; in floats, as float_power)
partials(np.float_power, x1='power_slope(x1 * 1.0, x2)', x2='power_log(ans, x1)')
partials(np.hypot, x1='xdivy(x1, ans)', x2='xdivy(x2, ans)')  # 0 at x1 == 0, also at 0, 0
partials(np.logaddexp, x1='np.exp(x1 - ans)', x2='np.exp(x2 - ans)')
partials(np.logaddexp2, x1='np.exp2(x1 - ans)', x2='np.exp2(x2 - ans)')
partials(np.fmax, x1='tie_share(x1, x2, skip_nan=True)', x2='tie_share(x2, x1, skip_nan=True)',
         weighing=True)
partials(np.fmin, x1='tie_share(-x1, -x2, skip_nan=True)',
         x2='tie_share(-x2, -x1, skip_nan=True)', weighing=True)
# x2 only contributes its sign: zero derivative
partials(np.copysign, x1='np.copysign(1.0, x1) * np.copysign(1.0, x2)', x2=None)


@adjoint(np.arctan2)
def arctan2_adjoint(ans, x1, x2):
    radius = np.hypot(x1, x2)  # x1 / radius / radius: no overflow of x1 ** 2 + x2 ** 2
    d[x1] = unbroadcast(d[ans] * x2 / radius / radius, x1)
    d[x2] = unbroadcast(-d[ans] * x1 / radius / radius, x2)


@tangent(np.arctan2)
def arctan2_tangent(ans, x1, x2):
    d[ans] = d[x1] * x2 / np.hypot(x1, x2) / np.hypot(x1, x2)
    d[ans] = -d[x2] * x1 / np.hypot(x1, x2) / np.hypot(x1, x2)


@adjoint(np.where)
def where(ans, condition, x, y):
    d[x] = unbroadcast(select(condition, d[ans]), x)
    d[y] = unbroadcast(select(np.logical_not(condition), d[ans]), y)


@tangent(np.where)
def where_tangent(ans, condition, x, y):
    d[ans] = np.where(condition, d[x], 0.0)
    d[ans] = np.where(condition, 0.0, d[y])


# -- clip (and the method ``x.clip(min, max)``) ------------------------------------------------

@adjoint(np.clip)
def clip_adjoint(ans, a, a_min=None, a_max=None, *, min=None, max=None):
    d[a] = unbroadcast(d[ans] * clip_passes(a, a_min, a_max, min, max), a)
    d[a_min] = unbroadcast(d[ans] * clip_lower(a, a_min, a_max, min, max), a_min)
    d[min] = unbroadcast(d[ans] * clip_lower(a, a_min, a_max, min, max), min)
    d[a_max] = unbroadcast(d[ans] * clip_upper(a, a_min, a_max, min, max), a_max)
    d[max] = unbroadcast(d[ans] * clip_upper(a, a_min, a_max, min, max), max)


@tangent(np.clip)
def clip_tangent(ans, a, a_min=None, a_max=None, *, min=None, max=None):
    # (zero where another value is picked, also where that tangent is nan or inf:
    # ``np.clip(np.log(p), -30.0, None)`` at ``p == 0``)
    d[ans] = select(clip_passes(a, a_min, a_max, min, max), d[a])
    d[ans] = select(clip_lower(a, a_min, a_max, min, max), d[a_min])
    d[ans] = select(clip_lower(a, a_min, a_max, min, max), d[min])
    d[ans] = select(clip_upper(a, a_min, a_max, min, max), d[a_max])
    d[ans] = select(clip_upper(a, a_min, a_max, min, max), d[max])


# -- nan_to_num: the identity where x is finite; the replacements where it is nan or inf ------

@adjoint(np.nan_to_num)
def nan_to_num_adjoint(ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[x] = d[ans] * np.isfinite(x)
    d[nan] = unbroadcast(d[ans] * np.isnan(x), nan)
    d[posinf] = unbroadcast(d[ans] * np.isposinf(x), posinf)
    d[neginf] = unbroadcast(d[ans] * np.isneginf(x), neginf)


@tangent(np.nan_to_num)
def nan_to_num_tangent(ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[ans] = select(np.isfinite(x), d[x])  # (zero where x is not finite, as np.where's)
    d[ans] = d[nan] * np.isnan(x)
    d[ans] = d[posinf] * np.isposinf(x)
    d[ans] = d[neginf] * np.isneginf(x)
