"""Rules of array constructors and of methods that pass values through: ``np.array`` and
``np.asarray`` (the values), ``np.full``/``np.full_like`` (the fill value), ``np.arange`` (start
and step), ``np.linspace`` (start and stop), ``np.bincount`` (the weights), ``x.item()``,
``x.tolist()``, a dict's ``d.values()``, ``d.items()`` and ``d.get(key, default)``. Their
zero-derivative arguments (shapes, counts, integer positions) need no line: a parameter
without a ``d[...]`` line contributes nothing.
"""
import numpy as np

from s2sgrad.errors import NoRuleError
from s2sgrad import runtime
from s2sgrad.rules import (NONDIFFERENTIABLE_METHODS, adjoint, d, linear, method,
                           nondifferentiable, tangent)
from s2sgrad.runtime import (array_module, broadcast_like, field_index, unbroadcast, unindex,
                             unstack, zeros_like)


def _is_float(result):
    return np.asarray(result).dtype.kind in 'fc' if not hasattr(result, 'dtype') else \
        result.dtype.kind in 'fc'


def keep_if_float(g, result):
    """`g`, or zero when `result` has an integer or boolean dtype (its values are then rounded
    or truncated: a zero derivative almost everywhere)."""
    return g if _is_float(result) else 0 * g


@adjoint(keep_if_float)
def keep_if_float_adjoint(ans, g, result):
    d[g] = keep_if_float(d[ans], result)


linear(keep_if_float, 'd[g], result')


# -- namedtuples built in the function: ``s2s.record(State, (x, v))`` (see s2sgrad.records) ----

def record(cls, items):
    """``cls(*items)``: the namedtuple ``State(x, v)`` of the function's code."""
    return cls(*items)


def record_items(g, items):
    """The adjoint of the `items` of ``record(cls, items)``: `g`, the adjoint of the
    namedtuple, as a tuple (of zeros where `g` is a zero)."""
    if g is None or isinstance(g, (int, float)) and g == 0:
        return tuple(zeros_like(item) for item in items)
    return tuple(g)


@adjoint(record)
def record_adjoint(ans, cls, items):
    d[items] = record_items(d[ans], items)


linear(record, 'cls, d[items]')


@adjoint(record_items)
def record_items_adjoint(ans, g, items):
    d[g] = d[ans]


linear(record_items, 'd[g], items')


# -- fields named like array attributes: ``s2s.field(p, 'T')`` (see s2sgrad.fields) -----------

def field(record, name):
    """``record.name``: the field of a namedtuple named like an array attribute (``p.T``,
    ``p.shape``), read as the field."""
    return getattr(record, name)


def unfield(g, record, name):
    """The adjoint of the namedtuple `record` from `g`, that of its field `name`: a tuple of
    zeros with `g` in that field's place."""
    return unindex(g, record, field_index(record, name))


@adjoint(field)
def field_adjoint(ans, record, name):
    d[record] = unfield(d[ans], record, name)


@tangent(field)
def field_tangent(ans, record, name):
    d[ans] = d[record][field_index(record, name)]


@adjoint(unfield)
def unfield_adjoint(ans, g, record, name):
    d[g] = d[ans][field_index(record, name)]


linear(unfield, 'd[g], record, name')


# -- np.array, np.asarray: the values of (nested) lists and tuples, or an array -----------------

@adjoint(np.array, np.asarray, runtime.asarray)
def array(ans, object, dtype=None, copy=True, order='K', subok=False, ndmin=0):
    # (a dtype, when given, may be an integer one: its values are then constants; `ndmin`'s
    # leading axes of size 1 are read past by `unstack`)
    d[object] = unstack(d[ans] if dtype is None else keep_if_float(d[ans], ans), object)


@tangent(np.array, np.asarray, runtime.asarray)
def array_tangent(ans, object, dtype=None, copy=True, order='K', subok=False, ndmin=0):
    # (like=: the tangent of cupy.asarray is made by CuPy, which np.array would refuse)
    # (`ndmin`: the same axes of size 1 first)
    d[ans] = (np.array(d[object], like=ans) if ndmin == 0 else
              np.array(d[object], like=ans, ndmin=ndmin)) if dtype is None else \
        keep_if_float(np.array(d[object], like=ans) if ndmin == 0 else
                      np.array(d[object], like=ans, ndmin=ndmin), ans)


# -- np.full, np.full_like ----------------------------------------------------------------

@adjoint(np.full)
def full_adjoint(ans, shape, fill_value, dtype=None, order='C', *, like=None):
    d[fill_value] = unbroadcast(keep_if_float(d[ans], ans), fill_value)


@tangent(np.full)
def full_tangent(ans, shape, fill_value, dtype=None, order='C', *, like=None):
    d[ans] = keep_if_float(broadcast_like(d[fill_value], ans), ans)


@adjoint(np.full_like)
def full_like_adjoint(ans, a, fill_value, dtype=None, order='K', subok=True, shape=None):
    d[fill_value] = unbroadcast(keep_if_float(d[ans], ans), fill_value)


@tangent(np.full_like)
def full_like_tangent(ans, a, fill_value, dtype=None, order='K', subok=True, shape=None):
    d[ans] = keep_if_float(broadcast_like(d[fill_value], ans), ans)


# -- np.arange: start + k * step (stop only fixes the count) ---------------------------------

def arange_weights(result, start, stop=None, step=None, which='start'):
    """The derivative of each element of ``np.arange(start, stop, step)`` in `which` (1 for
    the start, k for the step); zero with one argument (it is the stop) or integer results."""
    if stop is None or not _is_float(result):
        return np.zeros_like(result, dtype=float)
    if which == 'start':
        return np.ones_like(result, dtype=float)
    return array_module(result).arange(np.shape(result)[0], dtype=float)


nondifferentiable(arange_weights)


@adjoint(np.arange)
def arange_adjoint(ans, start, stop=None, step=None, dtype=None, *, like=None):
    d[start] = np.sum(d[ans] * arange_weights(ans, start, stop, step, 'start'))
    d[step] = np.sum(d[ans] * arange_weights(ans, start, stop, step, 'step'))


@tangent(np.arange)
def arange_tangent(ans, start, stop=None, step=None, dtype=None, *, like=None):
    d[ans] = d[start] * arange_weights(ans, start, stop, step, 'start')
    d[ans] = d[step] * arange_weights(ans, start, stop, step, 'step')


# -- np.linspace: start + t * (stop - start), t = k / (num - 1) (or k / num) ----------------

def _linspace_fractions(result, num, endpoint, retstep, dtype, axis):
    if retstep:
        raise NoRuleError('s2sgrad differentiates np.linspace without retstep=True; compute '
                          'the step as (stop - start) / (num - 1)')
    ndim = np.ndim(result)
    axis = axis % ndim
    div = num - 1 if endpoint else num
    t = np.arange(num, dtype=float) / div if div > 0 else np.zeros(num)
    if not _is_float(result):
        t = t * 0.0
    shape = [1] * ndim
    shape[axis] = num
    t = np.reshape(t, shape)
    if array_module(result) is not np:
        t = array_module(result).asarray(t)
    return t, axis


def unlinspace(g, result, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
               which=0):
    """The adjoint of ``np.linspace``'s start (`which` 0) or stop (1) from the adjoint `g` of
    its `result`, in the broadcast shape of start and stop."""
    t, axis = _linspace_fractions(result, num, endpoint, retstep, dtype, axis)
    weights = 1.0 - t if which == 0 else t
    return np.sum(g * weights, axis=axis)


def linspace_tangent(dv, result, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
                     which=0):
    """The tangent of ``np.linspace`` from the tangent `dv` of its start (`which` 0) or
    stop (1)."""
    t, axis = _linspace_fractions(result, num, endpoint, retstep, dtype, axis)
    weights = 1.0 - t if which == 0 else t
    base = tuple(n for i, n in enumerate(np.shape(result)) if i != axis)
    dv = dv + array_module(result).zeros(base)
    return np.expand_dims(dv, axis) * weights


@adjoint(np.linspace)
def linspace_adjoint(ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                     axis=0):
    d[start] = unbroadcast(unlinspace(d[ans], ans, num, endpoint, retstep, dtype, axis, 0),
                           start)
    d[stop] = unbroadcast(unlinspace(d[ans], ans, num, endpoint, retstep, dtype, axis, 1),
                          stop)


@tangent(np.linspace)
def linspace_tangent_rule(ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                          axis=0):
    d[ans] = linspace_tangent(d[start], ans, num, endpoint, retstep, dtype, axis, 0)
    d[ans] = linspace_tangent(d[stop], ans, num, endpoint, retstep, dtype, axis, 1)


@adjoint(unlinspace)
def unlinspace_adjoint(ans, g, result, num=50, endpoint=True, retstep=False, dtype=None,
                       axis=0, which=0):
    d[g] = linspace_tangent(d[ans], result, num, endpoint, retstep, dtype, axis, which)


linear(unlinspace, 'd[g], result, num, endpoint, retstep, dtype, axis, which')


@adjoint(linspace_tangent)
def linspace_tangent_adjoint(ans, dv, result, num=50, endpoint=True, retstep=False, dtype=None,
                             axis=0, which=0):
    d[dv] = unbroadcast(unlinspace(d[ans], result, num, endpoint, retstep, dtype, axis, which),
                        dv)


linear(linspace_tangent, 'd[dv], result, num, endpoint, retstep, dtype, axis, which')


# -- np.bincount(x, weights): linear in the weights -------------------------------------------

def unbincount(g, x, result):
    """The adjoint of the weights of ``np.bincount(x, weights)``: the adjoint of each bin, read
    at the bin of each weight."""
    if np.shape(g) != np.shape(result):
        g = g * np.ones_like(result, dtype=float)
    return g[x]


def rebincount(weights, x, result):
    """``np.bincount(x, weights)`` with the length of `result` (the adjoint of `unbincount`)."""
    return np.bincount(x, weights=weights, minlength=np.shape(result)[0])


@adjoint(np.bincount)
def bincount_adjoint(ans, x, weights=None, minlength=0):
    d[weights] = unbincount(d[ans], x, ans)


@tangent(np.bincount)
def bincount_tangent(ans, x, weights=None, minlength=0):
    d[ans] = rebincount(d[weights], x, ans)


@adjoint(unbincount)
def unbincount_adjoint(ans, g, x, result):
    d[g] = rebincount(d[ans], x, result)


linear(unbincount, 'd[g], x, result')


@adjoint(rebincount)
def rebincount_adjoint(ans, weights, x, result):
    d[weights] = unbincount(d[ans], x, result)


linear(rebincount, 'd[weights], x, result')


# -- x.item(*args), x.tolist() ----------------------------------------------------------------

def item(a, *args):
    """``a.item(*args)`` (numbers have no method: they are their own item)."""
    return a.item(*args) if hasattr(a, 'item') else a


def item_of(a, args):
    """``a.item(*args)`` with the arguments as one tuple (not the runtime's `item_at`, an
    adjoint's ``g[index]``: ``a.item(3)`` counts in the flattened array, ``a.item()`` of a
    one-element array is a number)."""
    return item(a, *args)


def unitem(g, a, args):
    """The adjoint of ``a.item(*args)``: zeros like `a` with `g` at that element."""
    if not hasattr(a, 'shape'):
        return g
    out = np.zeros_like(a, dtype=np.result_type(a.dtype, float))
    if not args:
        out[...] = g  # (a 0-d array stays one: ``out + g`` would be a NumPy number)
        return out
    index = args[0] if len(args) == 1 else tuple(args)
    if not isinstance(index, tuple):  # (a flat index, from the end where negative)
        index = np.unravel_index(range(np.size(a))[index], np.shape(a))
    out[index] = g
    return out


@adjoint(item)
def item_adjoint(ans, a, *args):
    d[a] = unitem(d[ans], a, args)


@tangent(item)
def item_tangent(ans, a, *args):
    d[ans] = item_of(d[a], args)


@adjoint(item_of)
def item_of_adjoint(ans, a, args):
    d[a] = unitem(d[ans], a, args)


linear(item_of, 'd[a], args')


@adjoint(unitem)
def unitem_adjoint(ans, g, a, args):
    d[g] = item_of(d[ans], args)


linear(unitem, 'd[g], a, args')


def tolist(a):
    """``a.tolist()`` (a number is its own list form)."""
    return a.tolist() if hasattr(a, 'tolist') else a


def _flatten(items, out):
    if isinstance(items, (list, tuple)):
        for item_ in items:
            _flatten(item_, out)
    else:
        out.append(0.0 if items is None else items)
    return out


def untolist(g, a):
    """The adjoint of ``a.tolist()``: the (nested) list adjoint `g` as an array like `a`."""
    if not hasattr(a, 'shape'):
        return g
    if hasattr(g, 'shape'):
        return np.reshape(g, np.shape(a))
    flat = [float(v) for v in _flatten(g, [])]
    return np.reshape(array_module(a).asarray(flat, dtype=np.result_type(a.dtype, float)),
                      np.shape(a))


@adjoint(tolist)
def tolist_adjoint(ans, a):
    d[a] = untolist(d[ans], a)


linear(tolist, 'd[a]')


@adjoint(untolist)
def untolist_adjoint(ans, g, a):
    d[g] = tolist(d[ans])


linear(untolist, 'd[g], a')


# -- the views of a dict of differentiated values: ``d.values()``, ``d.items()``, ``d.get(k)`` --
# (as lists: what a loop, ``list``, ``enumerate``, ``sorted`` or ``sum`` read of them; a loop
# straight over ``d.items()`` reads the dict by key instead: `canonical`)

def values_of(mapping):
    """``mapping.values()``, as a list (in the dict's order) where `mapping` is a dict; what
    the method returns for another object (a class of yours)."""
    return list(mapping.values()) if isinstance(mapping, dict) else mapping.values()


def items_of(mapping):
    """``mapping.items()``, as a list of ``(key, value)`` tuples (in the dict's order) where
    `mapping` is a dict; what the method returns for another object."""
    return list(mapping.items()) if isinstance(mapping, dict) else mapping.items()


def dict_copy(mapping):
    """``dict(mapping)`` of one argument (`constructs` writes it so): a new dict of the items
    of `mapping`, a copy of a dict (differentiated only where `mapping` is a dict)."""
    return dict(mapping)


def copied_dict(g, mapping):
    """The adjoint (or tangent) of ``dict_copy(mapping)`` for `mapping`: `g` itself, the
    adjoint of a dict; raises for another argument (a list of pairs)."""
    if not isinstance(mapping, dict):
        raise runtime.unsupported(
            f'`dict(...)` of a {type(mapping).__name__} of differentiated values is not '
            f'followed (s2sgrad follows `dict(d)` of a dict d, a copy); fill the dict key by '
            f'key instead (`d = dict()`, then `d[key] = value`)')
    return g


@adjoint(dict_copy)
def dict_copy_adjoint(ans, mapping):
    d[mapping] = copied_dict(d[ans], mapping)


@tangent(dict_copy)
def dict_copy_tangent(ans, mapping):
    d[ans] = copied_dict(d[mapping], mapping)


@adjoint(copied_dict)
def copied_dict_adjoint(ans, g, mapping):
    d[g] = copied_dict(d[ans], mapping)


linear(copied_dict, 'd[g], mapping')


def _a_dict(mapping, method='`.values()`/`.items()`'):
    """Raise unless `mapping` is a dict: s2sgrad follows a dict's `method`, not another
    object's (a class of yours may compute anything in a method of that name)."""
    if not isinstance(mapping, dict):
        raise runtime.unsupported(
            f'{method} of a {type(mapping).__name__} with differentiated arguments is not '
            f'followed (s2sgrad follows the {method} of a dict); call a function of yours '
            f'instead')


def _adjoint_at(g, position):
    """Item `position` of the list adjoint `g` (None where `g` is zero: no adjoint)."""
    if isinstance(g, (list, tuple)):
        return g[position]
    if g is None or type(g) in (float, int) and g == 0:
        return None
    raise runtime.unsupported(
        f'the adjoint of the values or items of a dict reached a {type(g).__name__}, not one '
        f'adjoint per item: pass `list(d.values())` to the function that reads them')


def unvalues(g, mapping):
    """The adjoint of ``values_of(mapping)``: the list adjoint `g`, keyed like `mapping`."""
    _a_dict(mapping)
    return {key: zeros_like(value) if _adjoint_at(g, i) is None else _adjoint_at(g, i)
            for i, (key, value) in enumerate(mapping.items())}


def unitems(g, mapping):
    """The adjoint of ``items_of(mapping)``: the values' part of each ``(key, value)`` adjoint
    of the list adjoint `g`, keyed like `mapping` (a key carries no derivative)."""
    _a_dict(mapping)
    values = [_adjoint_at(_adjoint_at(g, i), 1) for i in range(len(mapping))]
    return unvalues(values, mapping)


def values_like(bmapping, mapping):
    """The values of the dict adjoint (or tangent) `bmapping` in the order of `mapping`'s keys,
    zeros for the keys it lacks: the adjoint of `unvalues`, the tangent of `values_of`."""
    _a_dict(mapping)
    if not isinstance(bmapping, dict):
        return [zeros_like(value) for value in mapping.values()]
    return [bmapping[key] if key in bmapping else zeros_like(value)
            for key, value in mapping.items()]


def items_like(bmapping, mapping):
    """``(0.0, value)`` for each value of `values_like`: the adjoint of `unitems`, the tangent
    of `items_of` (a key carries no derivative)."""
    return [(0.0, value) for value in values_like(bmapping, mapping)]


@adjoint(values_of)
def values_of_adjoint(ans, mapping):
    d[mapping] = unvalues(d[ans], mapping)


@tangent(values_of)
def values_of_tangent(ans, mapping):
    d[ans] = values_like(d[mapping], mapping)


@adjoint(items_of)
def items_of_adjoint(ans, mapping):
    d[mapping] = unitems(d[ans], mapping)


@tangent(items_of)
def items_of_tangent(ans, mapping):
    d[ans] = items_like(d[mapping], mapping)


@adjoint(unvalues)
def unvalues_adjoint(ans, g, mapping):
    d[g] = values_like(d[ans], mapping)


linear(unvalues, 'd[g], mapping')


@adjoint(unitems)
def unitems_adjoint(ans, g, mapping):
    d[g] = items_like(d[ans], mapping)


linear(unitems, 'd[g], mapping')


@adjoint(values_like)
def values_like_adjoint(ans, bmapping, mapping):
    d[bmapping] = unvalues(d[ans], mapping)


linear(values_like, 'd[bmapping], mapping')


@adjoint(items_like)
def items_like_adjoint(ans, bmapping, mapping):
    d[bmapping] = unitems(d[ans], mapping)


linear(items_like, 'd[bmapping], mapping')


def get_item(mapping, key, default=None):
    """``mapping.get(key, default)``."""
    return mapping.get(key, default)


def unget_key(g, mapping, key):
    """The derivative of ``get_item`` in `key`: none for a dict (a key is piecewise constant);
    a refusal for another object's `get` method, which may compute from its argument."""
    _a_dict(mapping, '`.get()`')
    return zeros_like(key)


def get_present(bmapping, mapping, key):
    """The item at `key` of the dict adjoint (or tangent) `bmapping` where `mapping` has the
    key (zeros where `bmapping` lacks it), else 0.0: what of `bmapping` ``mapping.get(key)``
    reads."""
    _a_dict(mapping, '`.get()`')
    if key not in mapping:
        return 0.0
    if isinstance(bmapping, dict) and key in bmapping:
        return bmapping[key]
    return zeros_like(mapping[key])


def unget_item(g, mapping, key):
    """The adjoint of ``get_item`` for `mapping`: `g` at `key` where the dict has the key, else
    no adjoint (zeros)."""
    _a_dict(mapping, '`.get()`')
    if key not in mapping:
        return zeros_like(mapping)
    return unindex(g, mapping, key)


def unget_default(g, mapping, key):
    """The adjoint of ``get_item`` for `default`: `g` where the dict lacks the key, else 0.0
    (no adjoint: the default may have another shape than the item, ``d.get('s', x[0])``)."""
    _a_dict(mapping, '`.get()`')
    return 0.0 if key in mapping else g


@adjoint(get_item)
def get_item_adjoint(ans, mapping, key, default=None):
    d[mapping] = unget_item(d[ans], mapping, key)
    d[key] = unget_key(d[ans], mapping, key)
    d[default] = unget_default(d[ans], mapping, key)


@tangent(get_item, containers=True)  # (a default may be a list: its terms add by s2s.add)
def get_item_tangent(ans, mapping, key, default=None):
    d[ans] = get_present(d[mapping], mapping, key)
    d[ans] = unget_key(d[key], mapping, key)
    d[ans] = unget_default(d[default], mapping, key)


@adjoint(get_present)
def get_present_adjoint(ans, bmapping, mapping, key):
    d[bmapping] = unget_item(d[ans], mapping, key)


linear(get_present, 'd[bmapping], mapping, key')


@adjoint(unget_item)
def unget_item_adjoint(ans, g, mapping, key):
    d[g] = get_present(d[ans], mapping, key)


linear(unget_item, 'd[g], mapping, key')


@adjoint(unget_default)
def unget_default_adjoint(ans, g, mapping, key):
    d[g] = unget_default(d[ans], mapping, key)


linear(unget_default, 'd[g], mapping, key')


nondifferentiable(unget_key)  # (zeros, or a refusal)
method('get', get_item)  # (``d.values()`` kept under a name is a view: not followed)
NONDIFFERENTIABLE_METHODS.add('keys')  # (a list of keys: no derivative)
