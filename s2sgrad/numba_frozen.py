"""Globals and closure variables that compiled code froze: checked at each call of the wrapper.

numba reads a global or closure variable once, when it compiles, as a constant (``N = 6``,
``K = np.array([...])``, a function of yours that compiled code calls). The plain gradient
reads it at each call. So that a compiled gradient never computes with a value the function
no longer sees, its wrapper checks, before each call, that every such variable still holds
what was compiled in (the same number, an array equal to the one compiled in, the same
function), and raises `S2SError` otherwise: pass the value as an argument, or call
``s2sgrad.grad(..., compile='numba')`` on a new function.
"""
import inspect
import numbers
import types

import numpy as np

from .errors import S2SError

_MISSING = object()


def frozen_reads(function, names, is_user_function):
    """``[(holder, name, value, copy)]`` for the names in `names` that `function` reads from
    its globals (`holder` the dict) or closure (`holder` the cell) and that numba freezes:
    numbers, NumPy arrays (`copy`: their contents then), and functions of yours."""
    cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
    found = []
    for name in sorted(names):
        if name in cells:
            holder = cells[name]
            value = _held(holder, name)
        elif name in function.__globals__:
            holder = function.__globals__
            value = holder[name]
        else:
            continue
        if isinstance(value, np.ndarray):
            found.append((holder, name, value, value.copy()))
        elif isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, type) \
                or is_user_function(value):
            found.append((holder, name, value, None))
    return found


def live_helpers(function):
    """``[(holder, name, function)]`` for each function of yours that `function` (generated
    code) calls through a `live.LiveHelper` (which follows the variable in the plain
    gradient): the compiled code calls the derivative made for the function it held."""
    from .live import LiveHelper
    found = []
    for cell in function.__closure__ or ():
        try:
            helper = cell.cell_contents
        except ValueError:
            continue
        if isinstance(helper, LiveHelper):
            holder = helper.cell if helper.cell is not None else helper.globals
            found.append((holder, helper.name, helper.obj, None))
    return found


def user_reads(function):
    """The names a function of yours that compiled code calls reads as globals or closure
    variables (numba compiles them in too)."""
    return set(function.__code__.co_names) | set(function.__code__.co_freevars)


def _held(holder, name):
    if isinstance(holder, types.CellType):
        try:
            return holder.cell_contents
        except ValueError:
            return _MISSING
    return holder.get(name, _MISSING)


def check_unchanged(records, name, forget=None):
    """Raise S2SError where a variable of `records` (`frozen_reads`) holds other than what
    the compiled code of `name` was compiled with (first calling `forget`, which drops the
    compiled code from the cache, so that the operator called again compiles anew)."""
    for holder, var, value, copy in records:
        now = _held(holder, var)
        if now is value and copy is None:
            continue
        if copy is not None:
            if isinstance(now, np.ndarray) and now.shape == copy.shape and \
                    now.dtype == copy.dtype and _equal(now, copy):
                continue
        elif type(now) is type(value) and not inspect.isfunction(value) and now == value:
            continue
        if forget is not None:
            forget()
        raise S2SError(
            f'`{var}` holds {"other values than" if now is value else "another value than"} '
            f'when the compiled gradient {name!r} was compiled, and numba compiled that value '
            f'in (it reads globals and closure variables once): call the operator with '
            f'compile="numba" again (it compiles the new value in), or pass the value as an '
            f'argument; the plain gradient reads it at each call')


def _equal(a, b):
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # (no nan to compare: integer, boolean or object arrays)
        return bool(np.array_equal(a, b))
