"""Adjoints of the ``math`` module, of Python built-ins (abs, float, sum, list, ...) and of
``copy.copy`` and ``copy.deepcopy``."""
import builtins
import copy as copying
import math

import numpy as np  # noqa: F401 (used by the derivative expressions)

from s2sgrad.rules import (adjoint, d, elementwise, linear, nondifferentiable, partials, tangent,
                           varargs_as_iterable)
from s2sgrad.runtime import (as_items, items_back, pick, pick_tangent, reshape_like, unindex,
                             unsum, unsum_start, zeros_like)

from .arithmetic import power_log, power_slope, xdivy  # noqa: F401 (used by the rules)

MATH_DERIVATIVES = {  # (``x * x`` where ``x ** 2`` of a large float raises OverflowError)
    math.exp: 'ans',
    math.log: '1 / x',
    math.sqrt: '0.5 / ans',
    math.sin: 'math.cos(x)',
    math.cos: '-math.sin(x)',
    math.tan: '1 + ans ** 2',
    math.tanh: '1 - ans ** 2',
    math.sinh: 'math.cosh(x)',
    math.cosh: 'math.sinh(x)',
    math.asin: '1 / math.sqrt(1 - x ** 2)',
    math.acos: '-1 / math.sqrt(1 - x ** 2)',
    math.atan: '1 / (1 + x * x)',
    math.fabs: 'np.sign(x)',
    builtins.abs: 'np.sign(x)',
    math.log1p: '1 / (1 + x)',
    math.expm1: 'ans + 1',
    math.log2: '1 / (x * math.log(2))',
    math.log10: '1 / (x * math.log(10))',
    math.asinh: '1 / math.hypot(x, 1.0)',
    math.acosh: '1 / (math.sqrt(x - 1) * math.sqrt(x + 1))',
    math.atanh: '1 / (1 - x ** 2)',
    math.erf: '2 / math.sqrt(math.pi) * math.exp(-x * x)',
    math.erfc: '-2 / math.sqrt(math.pi) * math.exp(-x * x)',
    math.degrees: '180 / math.pi',
    math.radians: 'math.pi / 180',
}

for _func, _derivative in MATH_DERIVATIVES.items():
    elementwise(_func, _derivative)

# (x / hypot / hypot: no square of a Python float, which overflows or underflows to 0)
partials(math.atan2, y='x / math.hypot(x, y) / math.hypot(x, y)',
         x='-y / math.hypot(x, y) / math.hypot(x, y)', label='atan2',
         broadcasting=False)
nondifferentiable(math.trunc)
# math.hypot of two coordinates (of one or more: `call_forms`); 0 at the origin
partials(math.hypot, x='xdivy(x, ans)', y='xdivy(y, ans)', label='hypot', broadcasting=False)
# the magnitude of x with the sign of y: slope +-1 in x, flat in y
partials(math.copysign, x='math.copysign(1.0, x) * math.copysign(1.0, y)', y=None,
         label='copysign', broadcasting=False)
partials(math.ldexp, x='2.0 ** i', i=None, label='ldexp', broadcasting=False)


@adjoint(math.fsum)
def fsum(ans, seq):
    d[seq] = unsum(d[ans], seq)


@tangent(math.fsum)
def fsum_tangent(ans, seq):
    d[ans] = math.fsum(listed(d[seq], seq))


@adjoint(np.float64, np.float32, np.float16)
def float64(ans, x=0.0):
    d[x] = reshape_like(d[ans], x)


@tangent(np.float64, np.float32, np.float16)
def float64_tangent(ans, x=0.0):
    d[ans] = reshape_like(d[x], ans)


partials(math.pow, x='power_slope(x, y)', y='power_log(ans, x)', label='pow', broadcasting=False)
partials(builtins.pow, base='power_slope(base, exp)', exp='power_log(ans, base)', label='pow')


@adjoint(builtins.float)
def float(ans, x=0.0):
    d[x] = reshape_like(d[ans], x)


@tangent(builtins.float)
def float_tangent(ans, x=0.0):
    d[ans] = reshape_like(d[x], ans)


varargs_as_iterable(builtins.max, builtins.min)


@adjoint(builtins.max, builtins.min)
def max(ans, a, b=None):
    d[a] = pick(d[ans], ans, a, b)
    d[b] = pick(d[ans], ans, a, b, 1)


@tangent(builtins.max, builtins.min)
def max_tangent(ans, a, b=None):
    d[ans] = pick_tangent(d[a], ans, a, b)
    d[ans] = pick_tangent(d[b], ans, a, b, 1)


@adjoint(builtins.sum)
def sum_adjoint(ans, iterable, start=0):
    d[iterable] = unsum(d[ans], iterable)
    d[start] = unsum_start(d[ans], start)


@tangent(builtins.sum)
def sum_tangent(ans, iterable, start=0):
    d[ans] = sum(listed(d[iterable], iterable))  # (printed: the built-in the function called;
    # of a dict's keys, none: its tangent holds the tangents of its values at those keys)
    d[ans] = d[start]


@adjoint(builtins.list, builtins.tuple)
def list_adjoint(ans, iterable=()):
    d[iterable] = items_back(as_items(d[ans], ans), iterable)


@tangent(builtins.list)
def list_tangent(ans, iterable=()):
    d[ans] = list(listed(d[iterable], iterable))


@adjoint(copying.copy)
def copy_copy(ans, x):
    d[x] = d[ans]


@tangent(copying.copy)
def copy_copy_tangent(ans, x):
    d[ans] = d[x]


@adjoint(copying.deepcopy)
def copy_deepcopy(ans, x, memo=None):
    d[x] = d[ans]


@tangent(copying.deepcopy)
def copy_deepcopy_tangent(ans, x, memo=None):
    d[ans] = d[x]


@tangent(builtins.tuple)
def tuple_tangent(ans, iterable=()):
    d[ans] = tuple(listed(d[iterable], iterable))


# -- sorted: the items listed in another order --------------------------------------------

def sorting_order(items, reverse=False, key=None):
    """The positions of `items` in the order ``sorted(items, key=key, reverse=reverse)``
    lists them (stable, as `sorted` is, also with `reverse`)."""
    values = builtins.list(items)
    if key is None:
        return builtins.sorted(range(len(values)), key=values.__getitem__, reverse=reverse)
    return builtins.sorted(range(len(values)), key=lambda i: key(values[i]), reverse=reverse)


nondifferentiable(sorting_order)


def key_position(items, largest, key):
    """The position of the item that ``max(items, key=key)`` (`largest`) or ``min(items,
    key=key)`` returns: the first whose key is the largest (the smallest)."""
    keys = [key(item) for item in items]
    pick = builtins.max if largest else builtins.min
    return pick(range(len(keys)), key=keys.__getitem__)


nondifferentiable(key_position)


def max_by(items, key):
    """``max(items, key=key)`` (`call_forms` writes it so: its derivative is that of the
    item at `key_position`)."""
    values = builtins.list(items)
    return values[key_position(values, True, key=key)]


def min_by(items, key):
    """``min(items, key=key)`` (see `max_by`)."""
    values = builtins.list(items)
    return values[key_position(values, False, key=key)]


def unpicked(g, items, position):
    """The adjoint of the item at `position` of `items` (`max_by`, `min_by`): `g` there,
    zeros elsewhere; zeros for a dict, whose keys (what iterating it lists) carry no
    derivative."""
    if isinstance(items, dict):
        return zeros_like(items)
    return unindex(g, items, position)


def picked(t, items, position):
    """The tangent of the item at `position` of `items`, of its tangent `t` (`listed`)."""
    return listed(t, items)[position]


@adjoint(unpicked)
def unpicked_adjoint(ans, g, items, position):
    d[g] = picked(d[ans], items, position)


linear(unpicked, 'd[g], items, position')


@adjoint(picked)
def picked_adjoint(ans, t, items, position):
    d[t] = unpicked(d[ans], items, position)


linear(picked, 'd[t], items, position')


@adjoint(max_by)
def max_by_adjoint(ans, items, key):
    d[items] = unpicked(d[ans], items, key_position(items, True, key=key))


@tangent(max_by)
def max_by_tangent(ans, items, key):
    d[ans] = listed(d[items], items)[key_position(items, True, key=key)]


@adjoint(min_by)
def min_by_adjoint(ans, items, key):
    d[items] = unpicked(d[ans], items, key_position(items, False, key=key))


@tangent(min_by)
def min_by_tangent(ans, items, key):
    d[ans] = listed(d[items], items)[key_position(items, False, key=key)]


def listed(t, iterable):
    """The tangents of the items that iterating `iterable` lists, of its tangent `t`: none
    of a dict's keys (``sorted(d)``, ``list(d)``, ``max(d, key=...)``: zeros, whatever the
    tangents of its values), else `as_items`."""
    if isinstance(iterable, dict):
        return [0.0] * len(iterable)
    return as_items(t, iterable)


@adjoint(listed)
def listed_adjoint(ans, t, iterable):
    d[t] = items_back(d[ans], t)  # (of a dict's tangent, zeros)


linear(listed, 'd[t], iterable')


def in_order(t, order):
    """The items of `t` (a list of one value per item) listed in `order`."""
    return [t[i] for i in order]


def out_of_order(g, order):
    """The adjoint of `in_order`: the value `g[j]` put back at position `order[j]`."""
    out = builtins.list(g)
    for j, i in enumerate(order):
        out[i] = g[j]
    return out


@adjoint(in_order)
def in_order_adjoint(ans, t, order):
    d[t] = out_of_order(d[ans], order)


linear(in_order, 'd[t], order')


@adjoint(out_of_order)
def out_of_order_adjoint(ans, g, order):
    d[g] = in_order(d[ans], order)


linear(out_of_order, 'd[g], order')


@adjoint(builtins.sorted)
def sorted(ans, iterable, key=None, reverse=False):
    order = sorting_order(iterable, reverse, key=key)
    d[iterable] = items_back(out_of_order(as_items(d[ans], ans), order), iterable)


@tangent(builtins.sorted)
def sorted_tangent(ans, iterable, key=None, reverse=False):
    order = sorting_order(iterable, reverse, key=key)
    d[ans] = in_order(listed(d[iterable], iterable), order)
