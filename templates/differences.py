"""Rules of finite differences: np.diff, np.gradient."""
import numbers

import gast
import numpy as np

from s2sgrad import nodes
from s2sgrad.rules import adjoint, d, inline, linear, tangent


# -- np.diff: ans = D^n [prepend, a, append] along `axis`, D the first difference -------------
# (the rules read an omitted prepend or append as None, as dask's np.diff does)

def _diff_ends(a, axis, prepend, append):
    """The axis (from 0) that ``np.diff(a, ..., prepend, append)`` differences, and the
    lengths along it of `prepend`, `a` and `append` as np.diff joins them (a scalar end is
    broadcast to one slice)."""
    shape = np.shape(a)
    axis = axis % len(shape)
    lengths = []
    for end in (prepend, append):
        if end is None or end is np._NoValue:
            lengths.append(0)
        else:
            lengths.append(1 if np.ndim(end) == 0 else np.shape(end)[axis])
    return axis, (lengths[0], shape[axis], lengths[1])


def _ends(prepend, append, part, dx):
    """The ends to pass np.diff: `dx` for the end `part`, zeros for the other one."""
    ends = {}
    for name, end in (('prepend', prepend), ('append', append)):
        if end is not None and end is not np._NoValue:
            ends[name] = dx if name == part else np.zeros_like(end)
    return ends


def rediff(dx, a, n=1, axis=-1, prepend=None, append=None, part='a'):
    """The tangent of ``np.diff(a, n, axis, prepend, append)`` along the tangent `dx` of one
    of its arrays, `part` ('a', 'prepend' or 'append'): the same differences of `dx` joined
    with zeros in place of the others."""
    x = dx if part == 'a' else np.zeros_like(a)
    if n == 0:
        return x
    return np.diff(x, n=n, axis=axis, **_ends(prepend, append, part, dx))


def _int_constant(node):
    """The integer that `node` spells (``2``, ``-1``), or None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = _int_constant(node.operand)
        return None if value is None else -value
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    return None


def _rediff_inline(dx, a, n=None, axis=None, prepend=None, append=None):
    """``rediff(dx, a, n, axis)`` (no prepend, no append) reads ``np.diff(dx, n=n, axis=axis)``
    (without the arguments left at their defaults)."""
    if any(not isinstance(end, gast.Constant) or end.value is not None
           for end in (prepend, append)):
        return None
    keywords = {name: value for name, value, default in (('n', n, 1), ('axis', axis, -1))
                if value is not None and _int_constant(value) != default}
    return nodes.call('np.diff', dx, **keywords)


inline(rediff, _rediff_inline)


def undiff(g, a, n=1, axis=-1, prepend=None, append=None, part='a'):
    """The adjoint of ``np.diff(a, n, axis, prepend, append)`` with respect to `part` ('a',
    'prepend' or 'append'): `g` through the transposed first difference, ``out[i] = g[i - 1]
    - g[i]`` between zeros, `n` times, then the part's slice (summed for a scalar end)."""
    end = {'a': a, 'prepend': prepend, 'append': append}[part]
    if n == 0:
        return g if part == 'a' else np.zeros_like(end, dtype=float)
    axis, (before, length, after) = _diff_ends(a, axis, prepend, append)
    shape = list(np.shape(a))
    shape[axis] = before + length + after - n
    if np.shape(g) != tuple(shape):  # (a scalar adjoint standing for a spread one)
        g = np.broadcast_to(g, shape)
    for _ in range(n):
        g = -np.diff(g, axis=axis, prepend=0, append=0)
    start, stop = {'a': (before, before + length), 'prepend': (0, before),
                   'append': (before + length, before + length + after)}[part]
    piece = g[(slice(None),) * axis + (slice(start, stop),)]
    return np.sum(piece) if part != 'a' and np.ndim(end) == 0 else piece


@adjoint(np.diff)
def diff_adjoint(ans, a, n=1, axis=-1, prepend=None, append=None):
    d[a] = undiff(d[ans], a, n, axis, prepend, append)
    d[prepend] = undiff(d[ans], a, n, axis, prepend, append, part='prepend')
    d[append] = undiff(d[ans], a, n, axis, prepend, append, part='append')


@tangent(np.diff)
def diff_tangent(ans, a, n=1, axis=-1, prepend=None, append=None):
    d[ans] = rediff(d[a], a, n, axis, prepend, append)
    d[ans] = rediff(d[prepend], a, n, axis, prepend, append, part='prepend')
    d[ans] = rediff(d[append], a, n, axis, prepend, append, part='append')


@adjoint(rediff)
def rediff_adjoint(ans, dx, a, n=1, axis=-1, prepend=None, append=None, part='a'):
    d[dx] = undiff(d[ans], a, n, axis, prepend, append, part=part)


linear(rediff, 'd[dx], a, n, axis, prepend, append, part=part')


@adjoint(undiff)
def undiff_adjoint(ans, g, a, n=1, axis=-1, prepend=None, append=None, part='a'):
    d[g] = rediff(d[ans], a, n, axis, prepend, append, part=part)


linear(undiff, 'd[g], a, n, axis, prepend, append, part=part')
