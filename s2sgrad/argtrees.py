"""Arguments and outputs as trees (nested lists, tuples and dicts of numbers and arrays) for
numerical checks: their leaves, fresh copies, random directions, shifts and inner products."""
import copy
import numbers

import numpy as np


def is_integer(x):
    """Whether `x` is an integer or boolean number or array (held fixed by the checks)."""
    if isinstance(x, (bool, np.bool_, numbers.Integral)):
        return True
    if isinstance(x, np.ndarray) and (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
        return True
    return False


def is_numeric(x):
    """Whether `x` is a number, a NumPy scalar or an array."""
    return isinstance(x, (numbers.Number, np.generic, np.ndarray))


def varies(x):
    """Whether a leaf is perturbed: a number or array that is not an integer or boolean."""
    return is_numeric(x) and not is_integer(x)


def is_container(x):
    """Whether `x` is a list, tuple or dict (a tree with leaves inside)."""
    return isinstance(x, (list, tuple, dict))


def leaves(x, path=()):
    """The ``(path, leaf)`` pairs of a (nested) list, tuple or dict, in iteration order; a
    path is a tuple of keys and indices."""
    if isinstance(x, dict):
        for key, value in x.items():
            yield from leaves(value, path + (key,))
    elif isinstance(x, (list, tuple)):
        for k, value in enumerate(x):
            yield from leaves(value, path + (k,))
    else:
        yield path, x


def map_leaves(fn, x, path=()):
    """`x`'s structure (same container types) with each leaf replaced by ``fn(path, leaf)``."""
    if isinstance(x, dict):
        out = copy.copy(x)
        for key, value in x.items():
            out[key] = map_leaves(fn, value, path + (key,))
        return out
    if isinstance(x, (list, tuple)):
        items = [map_leaves(fn, value, path + (k,)) for k, value in enumerate(x)]
        if isinstance(x, list):
            out = copy.copy(x)
            out[:] = items
            return out
        return type(x)(*items) if hasattr(x, '_fields') else type(x)(items)
    return fn(path, x)


def path_text(path):
    """A leaf's `path` as the subscripts that reach it (``['W'][0]``)."""
    return ''.join(f'[{key!r}]' for key in path)


def fresh_copy(x):
    """A copy of `x` whose arrays and containers are fresh, so that a function that writes into
    its arguments cannot skew a check."""
    return map_leaves(lambda path, leaf: leaf.copy() if isinstance(leaf, np.ndarray) else leaf, x)


def fresh_copies(args):
    """`fresh_copy` of each argument in `args`, as a list."""
    return [fresh_copy(a) for a in args]


def shift(x, delta):
    """``x + delta`` keeping the type (Python float, NumPy scalar, array) and dtype of ``x``."""
    if isinstance(x, np.ndarray):  # (np.array: a 0-d array stays one, not a NumPy scalar)
        return np.array(x.astype(np.float64) + delta, dtype=x.dtype)
    if isinstance(x, np.generic):
        return type(x)(np.float64(x) + delta)
    return float(x + delta)


def as64(x):
    """`x` as a float64 array."""
    return np.asarray(x, dtype=np.float64)


def _random_leaf(rng, x):
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape)
    return float(rng.standard_normal())


def random_direction(rng, x):
    """A random direction of `x`'s structure: None at the leaves that are not perturbed."""
    return map_leaves(lambda path, leaf: _random_leaf(rng, leaf) if varies(leaf) else None, x)


def random_cotangent(rng, y):
    """A random cotangent of the output `y`'s structure and dtypes (zeros at integer parts)."""
    def one(path, leaf):
        if varies(leaf):
            u = _random_leaf(rng, leaf)
            if isinstance(leaf, np.ndarray) and leaf.dtype.kind in 'fc':
                return u.astype(leaf.dtype)
            if isinstance(leaf, np.floating):
                return type(leaf)(u)
            return u
        return np.zeros(leaf.shape) if isinstance(leaf, np.ndarray) else 0.0
    return map_leaves(one, y)


def shifted(x, direction, step):
    """`x` moved by ``step * direction`` at its perturbed leaves."""
    moves = dict(leaves(direction))
    return map_leaves(lambda path, leaf: leaf if moves[path] is None
                      else shift(leaf, step * moves[path]), x)


def tangent_of(x, displacement, step):
    """The forward-mode tangent `displacement / (2 step)` with `x`'s structure (zeros at the
    leaves that are not perturbed)."""
    moves = dict(leaves(displacement))

    def one(path, leaf):
        move = moves[path]
        if move is not None:
            return move / (2 * step) if isinstance(leaf, np.ndarray) else \
                float(move) / (2 * step)
        return np.zeros(leaf.shape) if isinstance(leaf, np.ndarray) else 0.0
    return map_leaves(one, x)


def inner(a, b):
    """Sum over the common leaves of ``a * b`` (in float64), skipping None leaves."""
    if not is_container(a) and not is_container(b):
        return float(np.sum(as64(a) * as64(b)))
    return sum((float(np.sum(leaf * other)) for leaf, other in _common_leaves(a, b)), 0.0)


def magnitude(a, b):
    """Sum over the common leaves of ``|a * b|``: the size of the terms of ``inner(a, b)``."""
    return sum((float(np.sum(np.abs(leaf * other))) for leaf, other in _common_leaves(a, b)),
               0.0)


def _common_leaves(a, b):
    """The pairs of numeric leaves of `a` and `b` at the same path, in float64."""
    others = dict(leaves(b))
    for path, leaf in leaves(a):
        other = others.get(path)
        if leaf is not None and other is not None and is_numeric(leaf) and is_numeric(other):
            yield as64(leaf), as64(other)


def structure_error(template, value, path=()):
    """None when `value` has the structure and leaf shapes of `template`, else a description
    of the first difference (a path and what differs)."""
    where = path_text(path)
    for kind in (dict, list, tuple):
        if isinstance(template, kind):
            if not isinstance(value, kind):
                return f'{where} is a {type(value).__name__}, not a {kind.__name__}'.lstrip()
            break
    if isinstance(template, dict):
        missing = [key for key in template if key not in value]
        extra = [key for key in value if key not in template]
        if missing or extra:
            return (f'{where} has keys {sorted(map(repr, value))}, but the expected keys are '
                    f'{sorted(map(repr, template))}').lstrip()
        for key in template:
            error = structure_error(template[key], value[key], path + (key,))
            if error:
                return error
        return None
    if isinstance(template, (list, tuple)):
        if len(value) != len(template):
            return f'{where} has {len(value)} item(s), not {len(template)}'.lstrip()
        for k, (t, v) in enumerate(zip(template, value)):
            error = structure_error(t, v, path + (k,))
            if error:
                return error
        return None
    if not is_numeric(template):
        return None
    if is_container(value) or value is None:
        return f'{where} is a {type(value).__name__}, not an array or number'.lstrip()
    if np.shape(value) != np.shape(template):
        return f'{where} has shape {np.shape(value)}, not {np.shape(template)}'.lstrip()
    return None
