"""Rules of NumPy's products: dot, matmul, outer, inner, tensordot, einsum, kron, vdot, cross."""
import numpy as np

from s2sgrad.rules import adjoint, d, nondifferentiable, replaced, tangent
from s2sgrad.runtime import (_cross_axes, array_module, cross, cross_lhs, cross_rhs, dot_lhs,
                             dot_rhs, like, matmul_lhs, matmul_rhs, reshape_like)

from .indexing import _ndim, _shape


# -- private helpers: axes and subscripts of the adjoints' products (no derivative) --------------

def inner_axes(a, b, position):
    """The ``axes=`` of the tensordot giving the adjoint of ``np.inner(a, b)``'s `position`."""
    contracted = 1 if _ndim(a) > 0 and _ndim(b) > 0 else 0
    na, nb = _ndim(a) - contracted, _ndim(b) - contracted
    # (tuples: CuPy takes a 0-d operand only with axes ((), ()), not ([], []))
    if position == 0:
        return tuple(range(na, na + nb)), tuple(range(nb))
    return tuple(range(na)), tuple(range(na))


def _tensordot_axes(a, b, axes):
    na, nb = _ndim(a), _ndim(b)
    if isinstance(axes, (int, np.integer)):
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    axes_a = [int(i) % na for i in axes_a]
    axes_b = [int(i) % nb for i in axes_b]
    free_a = [i for i in range(na) if i not in axes_a]
    free_b = [i for i in range(nb) if i not in axes_b]
    return axes_a, axes_b, free_a, free_b


def tensordot_axes(a, b, axes, position):
    """The ``axes=`` of the tensordot giving the adjoint of ``np.tensordot(a, b, axes)``."""
    axes_a, axes_b, free_a, free_b = _tensordot_axes(a, b, axes)
    if position == 0:  # tensordot(g, b): contract the free axes of b
        return list(range(len(free_a), len(free_a) + len(free_b))), free_b
    return free_a, list(range(len(free_a)))  # tensordot(a, g): contract the free axes of a


def tensordot_order(a, b, axes, position):
    """The transpose putting that tensordot's result in the axis order of the argument."""
    axes_a, axes_b, free_a, free_b = _tensordot_axes(a, b, axes)
    if position == 0:
        perm = free_a + [axes_a[axes_b.index(j)] for j in sorted(axes_b)]
    else:
        perm = [axes_b[axes_a.index(i)] for i in sorted(axes_a)] + free_b
    return tuple(int(i) for i in np.argsort(perm))


def kron_shape(a, b):
    """The shape ``(a0, b0, a1, b1, ...)`` into which ``np.kron(a, b)`` splits its axes."""
    ndim = max(_ndim(a), _ndim(b))
    pa, pb = kron_pad(a, b), kron_pad(b, a)
    return tuple(n for i in range(ndim) for n in (pa[i], pb[i]))


def kron_pad(x, other):
    """The shape of `x` with leading ones up to the dimensions of ``np.kron(x, other)``."""
    ndim = max(_ndim(x), _ndim(other))
    return (1,) * (ndim - _ndim(x)) + _shape(x)


def kron_axes(a, b, position):
    """The ``axes=`` contracting the split adjoint of np.kron with the other argument."""
    ndim = max(_ndim(a), _ndim(b))
    other = 1 if position == 0 else 0
    return list(range(other, 2 * ndim, 2)), list(range(ndim))


_EINSUM_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def _einsum_form(subscripts, operands):
    """``(inputs, output)``: the subscripts of ``np.einsum(subscripts, *operands)`` written out,
    one string of letters per operand and an explicit output (NumPy's implicit output: the
    letters appearing once, in alphabetical order). An ellipsis becomes fresh letters, one per
    broadcast dimension; an operand's dimension of size 1 broadcast against a larger one gets
    a letter of its own (summed over, as broadcasting does)."""
    if not isinstance(subscripts, str):
        from s2sgrad.errors import NoRuleError
        raise NoRuleError(
            's2sgrad differentiates np.einsum in reverse mode with a subscripts string, or with '
            'sublists written in the call (np.einsum(x, [0, 1], y, [1, 2], [0, 2]), which '
            'reads np.einsum("ab,bc->ac", x, y)), not with sublists held in variables: write '
            'them in the call, or the subscripts string')
    spec = subscripts.replace(' ', '')
    lhs, arrow, output = spec.partition('->')
    inputs = lhs.split(',')
    if len(inputs) != len(operands):
        raise ValueError(f'np.einsum: {subscripts!r} names {len(inputs)} operands, '
                         f'but {len(operands)} were given')
    shapes = [_shape(x) for x in operands]
    if not arrow:
        once = sorted(c for c in set(lhs) if c.isalpha() and lhs.count(c) == 1)
        output = ('...' if '...' in lhs else '') + ''.join(once)
    fresh = iter(c for c in _EINSUM_LETTERS if c not in spec)
    ranks = [len(shape) - len(item.replace('...', ''))
             for item, shape in zip(inputs, shapes) if '...' in item]
    rank = max(ranks, default=0)
    shared = [next(fresh) for _ in range(rank)]
    sizes = [1] * rank  # the broadcast size of each ellipsis dimension
    for item, shape in zip(inputs, shapes):
        if '...' in item:
            dims = shape[item.index('...'):][:len(shape) - len(item) + 3]
            for p, size in enumerate(dims, rank - len(dims)):
                sizes[p] = max(sizes[p], size)
    written = []
    for item, shape in zip(inputs, shapes):
        if '...' in item:
            start = item.index('...')
            dims = shape[start:][:len(shape) - len(item) + 3]
            letters = ''.join(next(fresh) if size == 1 != sizes[p] else shared[p]
                              for p, size in enumerate(dims, rank - len(dims)))
            item = item.replace('...', letters)
        written.append(item)
    # a letter of size 1 in one operand broadcasts against its size elsewhere (NumPy allows
    # it): that dimension gets a letter of its own, summed over, as for an ellipsis
    largest = {}
    for item, shape in zip(written, shapes):
        for c, size in zip(item, shape):
            largest[c] = max(largest.get(c, 1), size)
    written = [''.join(next(fresh) if size == 1 != largest[c] and c in lhs else c
                       for c, size in zip(item, shape))
               for item, shape in zip(written, shapes)]
    return written, output.replace('...', ''.join(shared))


def _einsum_operand(subscripts, position, operands):
    """The letters of operand `position` with each repeated letter's later occurrences
    renamed fresh (``'ii'`` -> ``'iA'``), and whether its adjoint needs a mask (a repeated
    letter, or a letter that no other operand nor the output has)."""
    inputs, output = _einsum_form(subscripts, operands)
    item = inputs[position]
    elsewhere = set(output + ''.join(inputs[:position] + inputs[position + 1:]))
    used = set(''.join(inputs) + output)
    fresh = iter(c for c in _EINSUM_LETTERS if c not in used)
    renamed = ''.join(c if c not in item[:i] else next(fresh) for i, c in enumerate(item))
    masked = renamed != item or not set(item) <= elsewhere
    return inputs, output, renamed, masked


def einsum_adjoint_spec(subscripts, position, *operands):
    """The subscripts of the einsum giving the adjoint of operand `position` of
    ``np.einsum(subscripts, *operands)``: the output's adjoint, then the operands, that one
    replaced by `einsum_mask` (no subscripts when it is a scalar 1), to that operand's letters.
    """
    inputs, output, renamed, masked = _einsum_operand(subscripts, position, operands)
    terms = [output] + inputs[:position] + [renamed if masked else ''] + inputs[position + 1:]
    return ','.join(terms) + '->' + renamed


def einsum_mask(subscripts, position, *operands):
    """What operand `position` becomes in the einsum of its adjoint: ones of its shape (1 on
    the diagonal of a repeated letter, 0 off it), or a scalar 1 where it is not needed."""
    inputs, output, renamed, masked = _einsum_operand(subscripts, position, operands)
    x = operands[position]
    dtype = x.dtype if hasattr(x, 'dtype') else np.result_type(x)
    if not masked:
        return array_module(x).ones((), dtype=dtype)
    shape, item = _shape(x), inputs[position]
    mask = array_module(x).ones(shape, dtype=dtype)
    for i, c in enumerate(item):
        first = item.index(c)
        if first < i:  # (the i-th axis runs along the first's: 1 where they are equal)
            eye = array_module(x).eye(shape[i], dtype=dtype).reshape(
                [shape[i] if j in (first, i) else 1 for j in range(len(shape))])
            mask = mask * eye
    return mask


def einsum_sublist_form(subscripts):
    """Raise: a differentiated first argument of np.einsum is an operand of the interleaved
    (sublist) form ``np.einsum(x, [0, 1], [])``, whose adjoint s2sgrad lacks."""
    _einsum_form(subscripts, ())


def cross_axis(a, b, which, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The vector axis `which` ('a', 'b' or 'c') of ``np.cross``, checked to hold 3-vectors.
    (Generated code of earlier versions calls it; `runtime.cross` checks the axes now.)"""
    return dict(zip('abc', _cross_axes(a, b, axisa, axisb, axisc, axis)))[which]


def cross_order(x, vector_axis, inverse=False):
    """The transpose moving axis `vector_axis` of `x` last (or back, when `inverse`).
    (Generated code of earlier versions calls it; `runtime.cross_lhs` does it now.)"""
    ndim = _ndim(x)
    vector_axis = vector_axis % ndim
    perm = [i for i in range(ndim) if i != vector_axis] + [vector_axis]
    return tuple(int(i) for i in np.argsort(perm)) if inverse else tuple(perm)


nondifferentiable(inner_axes, tensordot_axes, tensordot_order, kron_shape, kron_pad, kron_axes,
                  einsum_adjoint_spec, einsum_mask, einsum_sublist_form, cross_axis,
                  cross_order)


def contract(subscripts, *operands, out=None, optimize=False, dtype=None, order='K',
             casting='safe'):
    """``np.einsum(subscripts, *operands)`` (generated code of earlier versions calls it)."""
    return np.einsum(subscripts, *operands, optimize=optimize, dtype=dtype, order=order,
                     casting=casting)


@adjoint(np.dot)
def dot(ans, a, b):
    d[a] = dot_lhs(d[ans], a, b)
    d[b] = dot_rhs(d[ans], a, b)


@tangent(np.dot)
def dot_tangent(ans, a, b):
    d[ans] = np.dot(d[a], b)
    d[ans] = np.dot(a, d[b])


def dot_method(a, b):
    """``a.dot(b)``, the method: np.dot of arrays, and the product of a SciPy sparse matrix
    (which np.dot does not know); ``a.dot(b, out)`` has no rule (it writes into `out`)."""
    return a.dot(b)


@adjoint(dot_method)
def dot_method_adjoint(ans, a, b):
    d[a] = dot_lhs(d[ans], a, b)
    d[b] = dot_rhs(d[ans], a, b)


@tangent(dot_method)
def dot_method_tangent(ans, a, b):
    d[ans] = d[a].dot(b)
    d[ans] = a.dot(d[b])


@adjoint(np.matmul)
def matmul(ans, x1, x2):
    d[x1] = matmul_lhs(d[ans], x1, x2)
    d[x2] = matmul_rhs(d[ans], x1, x2)


@tangent(np.matmul)
def matmul_tangent(ans, x1, x2):
    d[ans] = d[x1] @ x2
    d[ans] = x1 @ d[x2]


# -- products: outer, inner, tensordot, einsum, kron, vdot, cross ----------------------------

@adjoint(np.outer)
def outer_adjoint(ans, a, b, out=None):
    d[a] = reshape_like(np.dot(d[ans], np.ravel(b)), a)
    d[b] = reshape_like(np.dot(np.ravel(a), d[ans]), b)


@tangent(np.outer)
def outer_tangent(ans, a, b, out=None):
    d[ans] = np.outer(d[a], b)
    d[ans] = np.outer(a, d[b])


@adjoint(np.inner)
def inner_adjoint(ans, a, b):
    d[a] = like(np.tensordot(d[ans], b, axes=inner_axes(a, b, 0)), a)
    d[b] = like(np.tensordot(d[ans], a, axes=inner_axes(a, b, 1)), b)


@tangent(np.inner)
def inner_tangent(ans, a, b):
    d[ans] = np.inner(d[a], b)
    d[ans] = np.inner(a, d[b])


@adjoint(np.tensordot)
def tensordot_adjoint(ans, a, b, axes=2):
    d[a] = np.transpose(np.tensordot(d[ans], b, axes=tensordot_axes(a, b, axes, 0)),
                        tensordot_order(a, b, axes, 0))
    d[b] = np.transpose(np.tensordot(a, d[ans], axes=tensordot_axes(a, b, axes, 1)),
                        tensordot_order(a, b, axes, 1))


@tangent(np.tensordot)
def tensordot_tangent(ans, a, b, axes=2):
    d[ans] = np.tensordot(d[a], b, axes=axes)
    d[ans] = np.tensordot(a, d[b], axes=axes)


@adjoint(np.einsum, contract)
def einsum_adjoint(ans, subscripts, *operands, out=None, optimize=False, dtype=None,
                   order='K', casting='safe'):
    d[subscripts] = einsum_sublist_form(subscripts)
    for k, x in enumerate(operands):
        d[x] = np.einsum(einsum_adjoint_spec(subscripts, k, *operands), d[ans],
                         *replaced(operands, k, einsum_mask(subscripts, k, *operands)),
                         optimize=optimize)


@tangent(np.einsum, contract)
def einsum_tangent(ans, subscripts, *operands, out=None, optimize=False, dtype=None,
                   order='K', casting='safe'):
    d[ans] = np.einsum(d[subscripts], *operands, optimize=optimize)
    for k, x in enumerate(operands):
        d[ans] = np.einsum(subscripts, *replaced(operands, k, d[x]), optimize=optimize)


@adjoint(np.kron)
def kron_adjoint(ans, a, b):
    d[a] = reshape_like(np.tensordot(np.reshape(d[ans], kron_shape(a, b)),
                                     np.reshape(b, kron_pad(b, a)), axes=kron_axes(a, b, 0)), a)
    d[b] = reshape_like(np.tensordot(np.reshape(d[ans], kron_shape(a, b)),
                                     np.reshape(a, kron_pad(a, b)), axes=kron_axes(a, b, 1)), b)


@tangent(np.kron)
def kron_tangent(ans, a, b):
    d[ans] = np.kron(d[a], b)
    d[ans] = np.kron(a, d[b])


@adjoint(np.vdot)
def vdot_adjoint(ans, a, b):
    d[a] = reshape_like(d[ans] * np.ravel(b), a)
    d[b] = reshape_like(d[ans] * np.ravel(a), b)


@tangent(np.vdot)
def vdot_tangent(ans, a, b):
    d[ans] = np.vdot(d[a], b)
    d[ans] = np.vdot(a, d[b])


@adjoint(np.cross)
def cross_adjoint(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[a] = cross_lhs(d[ans], a, b, axisa, axisb, axisc, axis)
    d[b] = cross_rhs(d[ans], a, b, axisa, axisb, axisc, axis)


@tangent(np.cross)
def cross_tangent(ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[ans] = cross(d[a], b, axisa, axisb, axisc, axis)
    d[ans] = cross(a, d[b], axisa, axisb, axisc, axis)
