"""Rules of finite differences: np.diff, np.gradient."""
import gast
import numpy as np

from s2sgrad import nodes
from s2sgrad.runtime_errors import unsupported
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
    if before + length + after < n:  # (NumPy's difference is empty: nothing depends on `a`)
        return np.zeros_like(end, dtype=float) if part == 'a' or np.ndim(end) else 0.0
    shape = list(np.shape(a))
    shape[axis] = before + length + after - n
    if np.shape(g) != tuple(shape):  # (a scalar adjoint standing for a spread one)
        g = g + np.zeros_like(a, shape=shape, dtype=np.result_type(g))
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


# -- np.gradient: per axis, a three-point stencil in the interior and at each edge ------------

def _gradient_axes(f, varargs, axis):
    """The axes of ``np.gradient(f, *varargs, axis=axis)`` (from 0) and the spacing along each
    (a number, or the coordinates along the axis)."""
    ndim = np.ndim(f)
    if axis is None:
        axes = tuple(range(ndim))
    elif np.ndim(axis) == 0:
        axes = (axis,)
    else:
        axes = tuple(axis)
    axes = tuple(int(ax) % ndim for ax in axes)
    spacing = tuple(varargs)
    if not spacing:
        spacing = (1.0,)
    if len(spacing) == 1:
        spacing = spacing * len(axes)
    if len(spacing) != len(axes):
        raise TypeError('np.gradient: spacing must be a single scalar, or one scalar or 1-D '
                        'array per axis')
    return axes, spacing


def _stencil(spacing, length, edge_order):
    """The weights of ``np.gradient`` along one axis of `length` points: ``(lo, mid, hi)`` of
    the interior (``out[i] = lo f[i-1] + mid f[i] + hi f[i+1]``, numbers or arrays of
    ``length - 2``), and the weights of the first and of the last output on the first and
    last points (two each at edge_order 1, three at edge_order 2)."""
    if np.ndim(spacing) == 0:
        h = spacing
    else:
        dx = np.diff(spacing)
        h = dx[0] if bool(np.all(dx == dx[0])) else None  # uniform, as NumPy tests
    if h is not None:
        interior = (-0.5 / h, 0.0, 0.5 / h)
        if edge_order == 1:
            return interior, (-1.0 / h, 1.0 / h), (-1.0 / h, 1.0 / h)
        return interior, (-1.5 / h, 2.0 / h, -0.5 / h), (0.5 / h, -2.0 / h, 1.5 / h)
    dx1, dx2 = dx[:-1], dx[1:]
    interior = (-dx2 / (dx1 * (dx1 + dx2)), (dx2 - dx1) / (dx1 * dx2),
                dx1 / (dx2 * (dx1 + dx2)))
    if edge_order == 1:
        return interior, (-1.0 / dx[0], 1.0 / dx[0]), (-1.0 / dx[-1], 1.0 / dx[-1])
    a, b = dx[0], dx[1]
    first = (-(2.0 * a + b) / (a * (a + b)), (a + b) / (a * b), -a / (b * (a + b)))
    a, b = dx[-2], dx[-1]
    last = (b / (a * (a + b)), -(a + b) / (a * b), (2.0 * b + a) / (b * (a + b)))
    return interior, first, last


def _placed(piece, start, length, axis):
    """`piece` at `start` along `axis` of an array `length` long there, zeros around it."""
    widths = [(0, 0)] * np.ndim(piece)
    widths[axis] = (start, length - start - np.shape(piece)[axis])
    return np.pad(piece, widths)


def _ungradient_axis(g, axis, spacing, edge_order):
    """The adjoint of ``np.gradient`` along one `axis` (the transposed stencil of
    `_stencil`): each output's adjoint spread onto the points it reads."""
    length = np.shape(g)[axis]
    interior, first, last = _stencil(spacing, length, edge_order)
    along = [1] * np.ndim(g)
    along[axis] = max(length - 2, 0)

    def part(start, stop):
        return g[(slice(None),) * axis + (slice(start, stop),)]

    def weight(w):
        return w if np.ndim(w) == 0 else np.reshape(w, along)

    inner = part(1, length - 1)
    total = 0
    for offset, w in enumerate(interior):
        if np.ndim(w) or w != 0:
            total = total + _placed(weight(w) * inner, offset, length, axis)
    head = np.concatenate([w * part(0, 1) for w in first], axis=axis)
    tail = np.concatenate([w * part(length - 1, length) for w in last], axis=axis)
    return total + _placed(head, 0, length, axis) + \
        _placed(tail, length - len(last), length, axis)


def ungradient(g, f, varargs=(), axis=None, edge_order=1):
    """The adjoint of ``np.gradient(f, *varargs, axis=axis, edge_order=edge_order)`` with
    respect to `f` (constant spacing): the sum over the axes of the transposed stencils of
    the components' adjoints `g` (one array for one axis, else one per axis; 0 or None for a
    component that does not reach the result)."""
    axes, spacing = _gradient_axes(f, varargs, axis)
    items = [g] if len(axes) == 1 and not isinstance(g, (list, tuple)) else list(g)
    total = None
    for item, ax, h in zip(items, axes, spacing):
        if item is None or type(item) in (int, float) and item == 0:
            continue
        if np.shape(item) != np.shape(f):  # (a scalar adjoint standing for a spread one)
            item = item + np.zeros_like(f, dtype=np.result_type(item))
        term = _ungradient_axis(item, ax, h, edge_order)
        total = term if total is None else total + term
    return np.zeros_like(f, dtype=float) if total is None else total


def regradient(df, f, varargs=(), axis=None, edge_order=1):
    """``np.gradient(df, *varargs, axis=axis, edge_order=edge_order)``: the tangent of
    ``np.gradient(f, ...)`` along `df`."""
    return np.gradient(df, *varargs, axis=axis, edge_order=edge_order)


def _keywords(axis, edge_order):
    """`axis` and `edge_order` as keywords, those left at their defaults left out."""
    keywords = {}
    if axis is not None and not (isinstance(axis, gast.Constant) and axis.value is None):
        keywords['axis'] = axis
    if edge_order is not None and _int_constant(edge_order) != 1:
        keywords['edge_order'] = edge_order
    return keywords


def _ungradient_inline(g, f, varargs=None, axis=None, edge_order=None):
    """``ungradient(g, f, varargs, axis, edge_order)`` without the arguments left at their
    defaults (``s2s.ungradient(g, f)``, ``s2s.ungradient(g, f, (dx,), edge_order=2)``)."""
    args = [g, f]
    if varargs is not None and not (isinstance(varargs, gast.Tuple) and not varargs.elts):
        args.append(varargs)
    return nodes.call('s2s.ungradient', *args, **_keywords(axis, edge_order))


def _regradient_inline(df, f, varargs=None, axis=None, edge_order=None):
    """``regradient(df, f, (dx,), axis, edge_order)`` reads ``np.gradient(df, dx, ...)``."""
    if varargs is not None and not isinstance(varargs, gast.Tuple):
        return None
    spacing = varargs.elts if varargs is not None else []
    return nodes.call('np.gradient', df, *spacing, **_keywords(axis, edge_order))


inline(ungradient, _ungradient_inline)
inline(regradient, _regradient_inline)


def gradient_spacing(g, varargs):
    """The derivative of np.gradient with respect to its spacing: refused."""
    raise unsupported(
        'the derivative of np.gradient with respect to its spacing (varargs: the sample '
        'distances or coordinates) is not supported; s2sgrad differentiates np.gradient with '
        'respect to f, for constant spacing')


@adjoint(np.gradient)
def gradient_adjoint(ans, f, *varargs, axis=None, edge_order=1):
    d[f] = ungradient(d[ans], f, varargs, axis, edge_order)
    d[varargs] = gradient_spacing(d[ans], varargs)


@tangent(np.gradient)
def gradient_tangent(ans, f, *varargs, axis=None, edge_order=1):
    d[ans] = regradient(d[f], f, varargs, axis, edge_order)
    d[ans] = gradient_spacing(d[varargs], varargs)


@adjoint(ungradient)
def ungradient_adjoint(ans, g, f, varargs=(), axis=None, edge_order=1):
    d[g] = regradient(d[ans], f, varargs, axis, edge_order)


linear(ungradient, 'd[g], f, varargs, axis, edge_order', containers=True)


@adjoint(regradient)
def regradient_adjoint(ans, df, f, varargs=(), axis=None, edge_order=1):
    d[df] = ungradient(d[ans], f, varargs, axis, edge_order)


linear(regradient, 'd[df], f, varargs, axis, edge_order')
