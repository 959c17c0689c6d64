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


def frozen_reads(function, names, is_user_function, paths=()):
    """``[(holder, name, value, copy)]`` for the names in `names` that `function` reads from
    its globals (`holder` the dict) or closure (`holder` the cell) and that numba freezes:
    numbers, NumPy arrays (`copy`: their contents then), tuples of those (`copy`: the tuple
    with its arrays' contents), and functions of yours; and for a module it reads, the
    attributes of it among `names` or the dotted `paths` (``cfg.K``, `holder` the module)."""
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
        if isinstance(value, types.ModuleType):
            found.extend(_module_records(value, name, names, paths, is_user_function))
            continue
        found.extend(_record(holder, name, value, is_user_function))
    return found


def _module_records(module, prefix, names, paths, is_user_function, depth=3):
    """The records of `frozen_reads` for the attributes of `module` (read as `prefix`, a
    dotted path) among `names` or the `paths` below `prefix`, and of the modules among them
    in turn (``pkg.sub.K``), `depth` levels down."""
    below = prefix + '.'
    attributes = {path[len(below):].split('.')[0] for path in paths
                  if path.startswith(below)} | {other for other in names if '.' not in other}
    found = []
    for attribute in sorted(attributes):
        value = getattr(module, attribute, _MISSING)
        if isinstance(value, types.ModuleType):
            if depth > 1 and value is not module:
                found.extend(_module_records(value, below + attribute, names, paths,
                                             is_user_function, depth - 1))
            continue
        found.extend(_record(_Module(module, prefix), below + attribute, value,
                             is_user_function))
    return found


def _record(holder, name, value, is_user_function):
    """The records of `frozen_reads` for the variable `name` of `holder` holding `value`."""
    if isinstance(value, np.ndarray) or isinstance(value, tuple) and _frozen_tuple(value):
        return [(holder, name, value, _snapshot(value))]
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, type) \
            or is_user_function(value):
        return [(holder, name, value, None)]
    return []


def _frozen_tuple(value):
    """Whether the tuple `value` holds only numbers, arrays and such tuples, all of which
    numba compiles in."""
    return all(isinstance(item, (numbers.Number, np.generic, np.ndarray)) and
               not isinstance(item, (bool, type)) or
               isinstance(item, tuple) and _frozen_tuple(item) for item in value)


def _snapshot(value):
    """What `value` (an array, a tuple of `_frozen_tuple`) holds now: arrays copied."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return tuple(_snapshot(item) if isinstance(item, (np.ndarray, tuple)) else item
                 for item in value)


def _same(now, copy):
    """Whether `now` holds what the `_snapshot` `copy` holds."""
    if isinstance(copy, np.ndarray):
        return isinstance(now, np.ndarray) and now.shape == copy.shape and \
            now.dtype == copy.dtype and _equal(now, copy)
    if isinstance(copy, tuple):
        return isinstance(now, tuple) and len(now) == len(copy) and \
            all(_same(a, b) for a, b in zip(now, copy))
    return type(now) is type(copy) and now == copy


class _Module:
    """A module as a holder of `frozen_reads`: ``get('cfg.K')`` reads its attribute."""

    def __init__(self, module, name):
        self.module, self.prefix = module, name + '.'

    def get(self, key, default=None):
        return getattr(self.module, key[len(self.prefix):], default)


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
    return holder.get(name, _MISSING)  # (a dict of globals, or a `_Module`)


def check_unchanged(records, name, forget=None):
    """Raise S2SError where a variable of `records` (`frozen_reads`) holds other than what
    the compiled code of `name` was compiled with (first calling `forget`, which drops the
    compiled code from the cache, so that the operator called again compiles anew)."""
    for holder, var, value, copy in records:
        now = _held(holder, var)
        if now is value and copy is None:
            continue
        if copy is not None:
            if _same(now, copy):
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
