"""Rules of ``obj[index]`` whose index depends on the differentiated arguments.

Normalized code writes a subscript of a non-differentiated object with a differentiated index
as ``s2s.getitem(obj, index)`` (``operator.getitem`` shares the rule). The index carries a
derivative only when `obj` builds its result from it: NumPy's concatenators ``np.r_`` and
``np.c_`` (and the index makers ``np.s_``, ``np.index_exp``, which return the index). For any
other object an index is a position: integers and booleans have a zero derivative, anything
else (a float key) raises, since s2sgrad cannot know what `obj` does with it.
"""
import builtins
import numbers
import operator

import numpy as np

from s2sgrad import runtime
from s2sgrad.errors import NoRuleError
from s2sgrad.rules import adjoint, d, linear, tangent
from s2sgrad.runtime import reshape_like, unindex, zeros_like


def _mro_names(obj):
    return {cls.__name__ for cls in type(obj).__mro__}


def _is_concatenator(obj):
    return 'AxisConcatenator' in _mro_names(obj)


def _is_index_expression(obj):
    return 'IndexExpression' in _mro_names(obj)


def _items(index):
    return index if isinstance(index, tuple) else (index,)


def _concatenated_parts(obj, index):
    """The items of ``np.r_[index]`` / ``np.c_[index]`` as the arrays it concatenates, and the
    axis; loud for the string directives (``'r'``, ``'0,2,1'``) whose layout s2sgrad lacks."""
    items = _items(index)
    if getattr(obj, 'matrix', False) or any(isinstance(item, (str, bytes)) for item in items):
        raise NoRuleError(
            f's2sgrad differentiates {type(obj).__name__.lower()[0]}_[...] of arrays, numbers '
            f'and slices only, not with string directives; use np.concatenate or np.stack')
    parts = [obj[(item,)] for item in items]
    return items, parts, obj.axis


def _integer_index(obj, index):
    """Raise unless every number in `index` is an integer or a boolean (a position)."""
    def check(item):
        if isinstance(item, (tuple, list)):
            return all(check(i) for i in item)
        if isinstance(item, slice):
            return all(check(i) for i in (item.start, item.stop, item.step) if i is not None)
        if item is None or item is Ellipsis or isinstance(item, (bool, numbers.Integral)):
            return True
        dtype = getattr(item, 'dtype', None)
        return dtype is not None and dtype.kind in 'iub'
    if not check(index):
        raise NoRuleError(
            f's2sgrad cannot differentiate a subscript of {type(obj).__name__} with respect to '
            f'its index, which depends on the differentiated arguments and is not an integer '
            f'or boolean position; s2sgrad does not know what the object does with it')


def _zero_index(index):
    if isinstance(index, (tuple, list)):
        return type(index)(_zero_index(item) for item in index)
    if hasattr(index, 'dtype') and getattr(index, 'shape', ()) != ():
        return np.zeros_like(index, dtype=float)
    return 0.0


def unsubscript(g, result, obj, index):
    """The adjoint of the index in ``obj[index]`` given the adjoint `g` of `result`."""
    if _is_concatenator(obj):
        items, parts, axis = _concatenated_parts(obj, index)
        shape = np.shape(result)
        if np.shape(g) != shape:
            g = g * np.ones_like(result, dtype=float)
        axis = axis % len(shape)
        adjoints, start = [], 0
        for item, part in zip(items, parts):
            size = np.shape(part)[axis]
            piece = g[(slice(None),) * axis + (slice(start, start + size),)]
            start += size
            adjoints.append(0.0 if isinstance(item, slice) else reshape_like(piece, item))
        return tuple(adjoints) if isinstance(index, tuple) else adjoints[0]
    if _is_index_expression(obj):
        return g[0] if obj.maketuple and not isinstance(index, tuple) else g
    _integer_index(obj, index)
    return _zero_index(index)


def resubscript(dindex, result, obj, index):
    """The tangent of ``obj[index]`` given the tangent `dindex` of the index (the adjoint of
    `unsubscript`)."""
    if _is_concatenator(obj):
        items, parts, axis = _concatenated_parts(obj, index)
        tangents = _items(dindex) if isinstance(index, tuple) else (dindex,)
        pieces = []
        for item, part, tangent_ in zip(items, parts, tangents):
            if isinstance(item, slice) or runtime.is_zero(tangent_):
                tangent_ = np.zeros_like(part, dtype=float)
            pieces.append(np.reshape(tangent_, np.shape(part)) if hasattr(tangent_, 'shape')
                          else tangent_)
        return obj[tuple(pieces)] if isinstance(index, tuple) else obj[pieces[0]]
    if _is_index_expression(obj):
        return obj[dindex]
    _integer_index(obj, index)
    return zeros_like(result)


@adjoint(operator.getitem, runtime.getitem)
def getitem(ans, obj, index):
    d[obj] = unindex(d[ans], obj, index)
    d[index] = unsubscript(d[ans], ans, obj, index)


@tangent(operator.getitem, runtime.getitem)
def getitem_tangent(ans, obj, index):
    d[ans] = d[obj][index]
    d[ans] = resubscript(d[index], ans, obj, index)


@adjoint(unsubscript)
def unsubscript_adjoint(ans, g, result, obj, index):
    d[g] = resubscript(d[ans], result, obj, index)


linear(unsubscript, 'd[g], result, obj, index')


@adjoint(resubscript)
def resubscript_adjoint(ans, dindex, result, obj, index):
    d[dindex] = unsubscript(d[ans], result, obj, index)


linear(resubscript, 'd[dindex], result, obj, index')


# -- slice(start, stop, step): only ever a position (its integers carry no derivative) -------

def integer_position(value, what='slice', tangent=None):
    """Zero, once checked that `value` (part of an index) is an integer or None."""
    if value is None or isinstance(value, (bool, numbers.Integral)) or \
            getattr(getattr(value, 'dtype', None), 'kind', 'f') in 'iub':
        return 0.0
    raise NoRuleError(
        f's2sgrad cannot differentiate {what}(...) with respect to a bound that depends on the '
        f'differentiated arguments and is not an integer ({type(value).__name__})')


@adjoint(builtins.slice)
def slice_adjoint(ans, start, stop=None, step=None):
    d[start] = integer_position(start)
    d[stop] = integer_position(stop)
    d[step] = integer_position(step)


@tangent(builtins.slice)
def slice_tangent(ans, start, stop=None, step=None):
    d[ans] = integer_position(start, 'slice', d[start])
    d[ans] = integer_position(stop, 'slice', d[stop])
    d[ans] = integer_position(step, 'slice', d[step])
