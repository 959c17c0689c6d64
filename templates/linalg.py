"""Rules of ``np.linalg``: inverses, determinants, solves, norms, powers, and shared helpers."""
import math

import gast
import numpy as np

from s2sgrad import nodes
from s2sgrad.runtime_errors import unsupported
from s2sgrad.rules import adjoint, d, inline, linear, nondifferentiable, tangent
from s2sgrad.runtime import matmul_lhs, unbroadcast, unreduce, zeros_like
from s2sgrad.runtime_values import _is_lazy, array_module

from .arithmetic import xdivy
from .reductions import third_order

# Conventions. Matrices may be stacked (``(..., M, N)``): `_mT` transposes the last two axes.
# Functions that read one triangle of their argument (cholesky, eigh, pinv and svd with
# hermitian=True) are differentiated as functions of that triangle only, exactly as NumPy
# computes them: `_from_triangle` builds the symmetric matrix NumPy sees, `_to_triangle` is its
# adjoint. Derivatives of eigenvectors and singular vectors are undefined at repeated eigenvalues
# or singular values (the results are inf or nan there); decompositions of rank-deficient
# matrices (pinv, svd, qr) are differentiated assuming the rank stays constant.


# -- private helpers: each linear one has its own rules, so Hessians see through them ----------

def _mT(x):
    """The transpose of the last two axes (of every matrix in a stack)."""
    return np.swapaxes(x, -1, -2)


def _masks(x, uplo):
    """The masks of the triangle `uplo` ('L' or 'U') of the matrices of `x`: with and without
    the diagonal."""
    size, xp = np.shape(x)[-1], array_module(x)
    if uplo == 'L':
        return xp.tri(size, dtype=bool), xp.tri(size, k=-1, dtype=bool)
    if uplo == 'U':
        return xp.tri(size, dtype=bool).T, xp.tri(size, k=-1, dtype=bool).T
    raise ValueError(f"UPLO must be 'L' or 'U', got {uplo!r}")


def _from_triangle(x, uplo):
    """The symmetric matrix NumPy reads from the triangle `uplo` of `x` (`x` when None)."""
    if uplo is None:
        return x
    full, strict = _masks(x, uplo)
    return np.where(full, x, 0) + _mT(np.where(strict, x, 0))


def _to_triangle(g, uplo):
    """The adjoint of `_from_triangle`: `g` folded onto the triangle `uplo` (`g` when None)."""
    if uplo is None:
        return g
    full, strict = _masks(g, uplo)
    return np.where(full, g, 0) + np.where(strict, _mT(g), 0)


def _uplo_of(hermitian):
    """'L' (the triangle the hermitian=True paths of NumPy read) or None."""
    return 'L' if hermitian else None


def _uplo_of_inline(hermitian):
    """``_uplo_of(False)`` is None, ``_uplo_of(True)`` is 'L'."""
    if isinstance(hermitian, gast.Constant) and hermitian.value in (True, False, None):
        return gast.Constant(value='L' if hermitian.value else None, kind=None)
    return None


def _whole_inline(x, uplo):
    """``_from_triangle(x, None)`` and ``_to_triangle(x, None)`` are `x`."""
    if isinstance(uplo, gast.Constant) and uplo.value is None:
        return x
    return None


inline(_uplo_of, _uplo_of_inline)
inline(_from_triangle, _whole_inline)
inline(_to_triangle, _whole_inline)


def _cholesky_uplo(upper, a=None):
    """The triangle of `a` that ``np.linalg.cholesky(a, upper=upper)`` reads, 'L' or 'U'.

    Refuses a dask array: dask's ``np.linalg.cholesky(a)`` returns the upper factor where
    NumPy's returns the lower one, so the rule, written for NumPy's, would be wrong.
    """
    if _is_lazy(a):
        raise unsupported(
            "np.linalg.cholesky of a dask array: dask's returns the upper factor where "
            "NumPy's returns the lower one, so s2sgrad's rule does not apply; compute the "
            "matrix first (it is small), or factor it with NumPy")
    return 'U' if upper else 'L'


def _mT_if(x, flag):
    """`x` transposed when `flag` holds (upper Cholesky factors), else `x`."""
    return _mT(x) if flag else x


def _phi(x):
    """The lower triangle of `x` with its diagonal halved (Cholesky derivatives)."""
    size, xp = np.shape(x)[-1], array_module(x)
    return x * (xp.tri(size) - xp.eye(size) / 2)


def _eye_like(w):
    """The identity matrix of the length of `w`'s last axis, an array of `w`'s kind (CuPy's)."""
    return array_module(w).eye(np.shape(w)[-1])


def _gaps(w):
    """``F[..., i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it (eigenvalue gaps)."""
    eye = _eye_like(w)
    return 1 / (w[..., None, :] - w[..., :, None] + eye) - eye


def _gap_product(w, m):
    """``m[..., i, j] / (w[j] - w[i])`` off the diagonal, 0 on it and wherever `m` is 0: a
    pair of equal eigenvalues (or singular values) that the cotangent or tangent `m` does not
    reach adds nothing (the derivative exists there), where ``_gaps(w) * m`` gave inf * 0."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(m == 0, 0.0, _gaps(w) * m)


def _turn_free(s, j, k):
    """The pairs of the SVD's adjoint (``_gap_product(s ** 2, j) * s_j + s_i *
    _gap_product(s ** 2, k)`` off the diagonal) of equal or nearly equal nonzero singular
    values whose cotangent turning their vectors within the pair does not change, ``j + k``
    at rounding level (the polar factor ``U @ Vh``): there the two terms' limit is ``(j - k)
    / 2 / (s_i + s_j)``, where their quotients by ``s_j ** 2 - s_i ** 2`` give rounding noise
    times a huge number, or nan. (A cotangent that turns the vectors of an equal pair has no
    finite derivative: inf or nan, as before.)"""
    eps = np.finfo(np.result_type(s, 1.0)).eps
    tol = np.sqrt(eps)
    si, sj = s[..., :, None], s[..., None, :]
    top = s[..., :1, None]
    near = (np.abs(sj - si) <= tol * top) & (si + sj > tol * top) & (_eye_like(s) == 0)
    # (rounding level only: a cotangent that turns them a little, ``U @ diag(f(s)) @ Vh``
    # of nearly equal values, keeps its quotient, which is accurate there)
    noise = 16 * np.shape(s)[-1] * eps
    return near & (np.abs(j + k) <= noise * (np.abs(j) + np.abs(k)))


def _equal_pairs(s):
    """The pairs of equal nonzero singular values `s` (last axis, largest first), equal to
    rounding: their vectors are any turn of a pair that NumPy's SVD happened to give, and
    their tangent is taken for vectors that turn against each other, ``d(U) = U @ Ω``,
    ``d(V) = -V @ Ω`` in the pair, with which ``U @ Vh`` moves as it does."""
    top = s[..., :1, None]
    gap = np.shape(s)[-1] * np.finfo(np.result_type(s, 1.0)).eps * top
    si, sj = s[..., :, None], s[..., None, :]
    return (np.abs(sj - si) <= gap) & (si + sj > gap) & (_eye_like(s) == 0)


def _kept_inverse(s, size):
    """``1 / s`` for the singular values `s` (last axis, largest first) of matrices of `size`
    rows or columns at most, 0 for those np.linalg.matrix_rank counts as zero: the derivatives
    of np.linalg.svd assume the rank stays constant, where a zero singular value's vectors
    are any (``1 / s`` of a rounded zero would multiply rounding noise)."""
    kept = s > s[..., :1] * size * np.finfo(s.dtype).eps
    with np.errstate(divide='ignore'):
        return np.where(kept, 1 / np.where(kept, s, 1.0), 0.0)


def _as_column(x, b):
    """`x` as a stack of columns when the right-hand side `b` of solve is a vector."""
    return x[..., None] if np.ndim(b) == 1 else x


def _from_column(x, b):
    """The inverse of `_as_column`."""
    return x[..., 0] if np.ndim(b) == 1 else x


def _block(x, g):
    """``[[x, g], [0, x]]`` for every matrix of the stack: a matrix function of it carries the
    directional derivative ``Df(x)[g]`` in its upper right block."""
    size = np.shape(x)[-1]
    shape = np.broadcast_shapes(np.shape(x), np.shape(g))
    out = array_module(x).zeros(shape[:-2] + (2 * size, 2 * size), dtype=np.result_type(x, g))
    out[..., :size, :size] = x
    out[..., size:, size:] = x
    out[..., :size, size:] = g
    return out


def _upper_right(m):
    """The upper right block of the stacked ``(2n, 2n)`` matrices `m` (see `_block`)."""
    size = np.shape(m)[-1] // 2
    return m[..., :size, size:]


def _square(a, name):
    """Check that `a` holds square matrices (raise ValueError, as NumPy would, otherwise)."""
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2]:
        raise np.linalg.LinAlgError(f'{name}: last 2 dimensions of the array must be square')


nondifferentiable(_masks, _uplo_of, _cholesky_uplo, _square, _eye_like, _turn_free,
                  _equal_pairs)


@adjoint(_mT)
def _mT_adjoint(ans, x):
    d[x] = _mT(d[ans])


linear(_mT, 'd[x]')


@adjoint(_mT_if)
def _mT_if_adjoint(ans, x, flag):
    d[x] = _mT_if(d[ans], flag)


linear(_mT_if, 'd[x], flag')


@adjoint(_from_triangle)
def _from_triangle_adjoint(ans, x, uplo):
    d[x] = _to_triangle(d[ans], uplo)


linear(_from_triangle, 'd[x], uplo')


@adjoint(_to_triangle)
def _to_triangle_adjoint(ans, g, uplo):
    d[g] = _from_triangle(d[ans], uplo)


linear(_to_triangle, 'd[g], uplo')


@adjoint(_phi)
def _phi_adjoint(ans, x):
    d[x] = _phi(d[ans])


linear(_phi, 'd[x]')


@adjoint(_gaps)
def _gaps_adjoint(ans, w):
    d[w] = np.sum(d[ans] * ans ** 2, axis=-1) - np.sum(d[ans] * ans ** 2, axis=-2)


@tangent(_gaps)
def _gaps_tangent(ans, w):
    d[ans] = -ans ** 2 * (d[w][..., None, :] - d[w][..., :, None])


@adjoint(_gap_product)
def _gap_product_adjoint(ans, w, m):
    d[m] = _gap_product(w, d[ans])
    d[w] = np.sum(_gap_product(w, _gap_product(w, d[ans] * m)), axis=-1) - \
        np.sum(_gap_product(w, _gap_product(w, d[ans] * m)), axis=-2)


@tangent(_gap_product)
def _gap_product_tangent(ans, w, m):
    d[ans] = _gap_product(w, d[m]) - _gap_product(
        w, _gap_product(w, m * (d[w][..., None, :] - d[w][..., :, None])))


@adjoint(_kept_inverse)
def _kept_inverse_adjoint(ans, s, size):
    d[s] = -d[ans] * ans ** 2


@tangent(_kept_inverse)
def _kept_inverse_tangent(ans, s, size):
    d[ans] = -d[s] * ans ** 2


@adjoint(_as_column)
def _as_column_adjoint(ans, x, b):
    d[x] = _from_column(d[ans], b)


linear(_as_column, 'd[x], b')


@adjoint(_from_column)
def _from_column_adjoint(ans, x, b):
    d[x] = _as_column(d[ans], b)


linear(_from_column, 'd[x], b')


@adjoint(_block)
def _block_adjoint(ans, x, g):
    d[x] = unbroadcast(_upper_left(d[ans]) + _lower_right(d[ans]), x)
    d[g] = unbroadcast(_upper_right(d[ans]), g)


@tangent(_block)
def _block_tangent(ans, x, g):
    d[ans] = _block(d[x], zeros_like(g))
    d[ans] = _block(zeros_like(x), d[g])


@adjoint(_upper_right)
def _upper_right_adjoint(ans, m):
    d[m] = _block(zeros_like(d[ans]), d[ans])


linear(_upper_right, 'd[m]')


def _upper_left(m):
    """The upper left block of the stacked ``(2n, 2n)`` matrices `m`."""
    size = np.shape(m)[-1] // 2
    return m[..., :size, :size]


def _lower_right(m):
    """The lower right block of the stacked ``(2n, 2n)`` matrices `m`."""
    size = np.shape(m)[-1] // 2
    return m[..., size:, size:]


def _place(g, rows, cols):
    """Zeros of shape ``(..., 2n, 2n)`` with `g` at the block (`rows`, `cols`), 0 or 1 each."""
    size = np.shape(g)[-1]
    out = array_module(g).zeros(np.shape(g)[:-2] + (2 * size, 2 * size), dtype=np.result_type(g))
    out[..., rows * size:(rows + 1) * size, cols * size:(cols + 1) * size] = g
    return out


@adjoint(_upper_left)
def _upper_left_adjoint(ans, m):
    d[m] = _place(d[ans], 0, 0)


linear(_upper_left, 'd[m]')


@adjoint(_lower_right)
def _lower_right_adjoint(ans, m):
    d[m] = _place(d[ans], 1, 1)


linear(_lower_right, 'd[m]')


@adjoint(_place)
def _place_adjoint(ans, g, rows, cols):
    d[g] = _block_at(d[ans], rows, cols)


linear(_place, 'd[g], rows, cols')


def _block_at(m, rows, cols):
    """The block (`rows`, `cols`) of the stacked ``(2n, 2n)`` matrices `m`."""
    size = np.shape(m)[-1] // 2
    return m[..., rows * size:(rows + 1) * size, cols * size:(cols + 1) * size]


@adjoint(_block_at)
def _block_at_adjoint(ans, m, rows, cols):
    d[m] = _place(d[ans], rows, cols)


linear(_block_at, 'd[m], rows, cols')


# -- inv, det, slogdet, solve ---------------------------------------------------------------

@adjoint(np.linalg.inv)
def inv_adjoint(ans, a):
    d[a] = -_mT(ans) @ d[ans] @ _mT(ans)


@tangent(np.linalg.inv)
def inv_tangent(ans, a):
    d[ans] = -ans @ d[a] @ ans


def _svd_parts(a):
    """``u, s, vh`` of the square matrices `a`, the sign ``det(u) det(vh)`` (shape ``(...,
    1, 1)``), and ``q[..., i, j]``: the product of the singular values other than the i-th
    and the j-th (0 on the diagonal), computed without division (exact with zeros)."""
    from .reductions import _exclusive_products
    u, s, vh = np.linalg.svd(a)
    sign = (np.linalg.det(u) * np.linalg.det(vh))[..., None, None]
    n = np.shape(s)[-1]
    eye = array_module(s).eye(n, dtype=bool)
    rows = np.where(eye, 1.0, s[..., None, :])      # row i: s with s_i replaced by 1
    q = np.where(eye, 0.0, _exclusive_products(rows))
    return u, s, vh, sign, q


def cofactor(a):
    """The cofactor matrix of each square matrix in `a` (the transposed adjugate,
    ``det(a) inv(a).T`` when `a` is invertible): the derivative of ``np.linalg.det``, also
    at singular matrices. Computed from the SVD ``a = u diag(s) vh``:
    ``det(u) det(vh) u diag(prod of the other s) vh``, with no division."""
    from .reductions import _exclusive_products
    _square(a, 'det')
    u, s, vh = np.linalg.svd(a)
    sign = (np.linalg.det(u) * np.linalg.det(vh))[..., None, None]
    return sign * (u * _exclusive_products(s)[..., None, :]) @ vh


def cofactor_jvp(a, da):
    """The derivative of `cofactor` at `a` along `da` (exact at singular matrices: in the
    SVD frame ``b = u.T da vh.T``, the adjugate of ``diag(s)`` moves by ``diag(q @ diag(b))
    - b * q``)."""
    u, s, vh, sign, q = _svd_parts(a)
    b = _mT(u) @ da @ _mT(vh)
    diag_b = np.diagonal(b, axis1=-2, axis2=-1)
    m = -b * q + _diag_embed(np.sum(q * diag_b[..., None, :], axis=-1))
    return sign * (u @ _mT(m) @ vh)


def cofactor_vjp(a, g):
    """The adjoint of `cofactor_jvp` in its direction: the vector-Jacobian product of
    `cofactor` at `a` with the cotangent `g`."""
    u, s, vh, sign, q = _svd_parts(a)
    r = _mT(sign * (_mT(u) @ g @ _mT(vh)))
    diag_r = np.diagonal(r, axis1=-2, axis2=-1)
    gb = -r * q + _diag_embed(np.sum(q * diag_r[..., :, None], axis=-2))
    return u @ gb @ vh


def _diag_embed(v):
    n = np.shape(v)[-1]
    eye = array_module(v).eye(n)
    return v[..., :, None] * eye


@adjoint(np.linalg.det)
def det_adjoint(ans, a):
    d[a] = np.reshape(d[ans], np.shape(ans) + (1, 1)) * cofactor(a)


@tangent(np.linalg.det)
def det_tangent(ans, a):
    d[ans] = np.sum(cofactor(a) * d[a], axis=(-2, -1))


@adjoint(cofactor)
def cofactor_adjoint(ans, a):
    d[a] = cofactor_vjp(a, d[ans])


@tangent(cofactor)
def cofactor_tangent(ans, a):
    d[ans] = cofactor_jvp(a, d[a])


@adjoint(cofactor_jvp)
def cofactor_jvp_adjoint(ans, a, da):
    d[a] = third_order('np.linalg.det')
    d[da] = cofactor_vjp(a, d[ans])


@tangent(cofactor_jvp)
def cofactor_jvp_tangent(ans, a, da):
    d[ans] = third_order('np.linalg.det', d[a])
    d[ans] = cofactor_jvp(a, d[da])


@adjoint(cofactor_vjp)
def cofactor_vjp_adjoint(ans, a, g):
    d[a] = third_order('np.linalg.det')
    d[g] = cofactor_jvp(a, d[ans])


@tangent(cofactor_vjp)
def cofactor_vjp_tangent(ans, a, g):
    d[ans] = third_order('np.linalg.det', d[a])
    d[ans] = cofactor_vjp(a, d[g])


@adjoint(np.linalg.slogdet)
def slogdet_adjoint(ans, a):
    d[a] = np.reshape(d[ans][1], np.shape(ans[1]) + (1, 1)) * _mT(np.linalg.inv(a))


@tangent(np.linalg.slogdet)
def slogdet_tangent(ans, a):
    d[ans] = (zeros_like(ans[0]), np.sum(_mT(np.linalg.inv(a)) * d[a], axis=(-2, -1)))


@adjoint(np.linalg.solve)
def solve_adjoint(ans, a, b):
    gb = np.linalg.solve(_mT(a), _as_column(d[ans], b))
    d[a] = -matmul_lhs(gb, a, _as_column(ans, b))
    d[b] = unbroadcast(_from_column(gb, b), b)


@tangent(np.linalg.solve)
def solve_tangent(ans, a, b):
    d[ans] = np.linalg.solve(a, d[b])
    d[ans] = -_from_column(np.linalg.solve(a, d[a] @ _as_column(ans, b)), b)


# -- norm -----------------------------------------------------------------------------------
# The derivative of np.linalg.norm is `unreduce(d[ans]) * G` with `G`, the gradient of the norm
# of each vector or matrix, of the shape of `x`: `_norm_slope` in the rules, which reads as the
# textbook p-norm formula where the call shows a p-norm (ord=None, 'fro', a finite nonzero
# number with an int axis or, for ord other than +-1 and +-2, no axis) and as
# `_norm_gradient(x, ord, axis)` otherwise (every ord, see there for its conventions).

def _norm_power(x, ord, axis):
    """The p of the p-norm `np.linalg.norm(x, ord, axis)` computes (2 for ord=None and the
    Frobenius norm); None for the other norms (ord=0, +-inf, the matrix norms 1, -1, 2, -2,
    inf, -inf and 'nuc')."""
    ndim = np.ndim(x)
    matrix = (axis is None and ndim == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord is None or (matrix and ord == 'fro'):
        return 2
    if isinstance(ord, str) and not matrix:
        raise ValueError(f'Invalid norm order {ord!r} for vectors')
    if matrix or isinstance(ord, str) or ord in (0, np.inf, -np.inf):
        return None
    return ord


def _norm_axes(x, ord, axis):
    """How `np.linalg.norm(x, ord, axis)` reduces: ('flat', axis) for a 2-norm of all the
    reduced elements (ord=None, 'fro'), ('vector', axis), or ('matrix', (row, col))."""
    ndim = np.ndim(x)
    if isinstance(axis, tuple) and len(axis) == 1:
        axis = axis[0]
    if axis is None:
        if ord is None:
            return 'flat', None
        if ndim == 1:
            return 'vector', None
        if ndim != 2:
            raise ValueError('Improper number of dimensions to norm.')
        axis = (0, 1)
    if not isinstance(axis, tuple):
        return ('flat' if ord is None else 'vector'), axis
    if len(axis) != 2:
        raise ValueError('Improper number of dimensions to norm.')
    axis = (axis[0] % ndim, axis[1] % ndim)
    return ('flat' if ord in (None, 'fro') else 'matrix'), axis


def _from_axes(x, axes):
    """The matrices of `x` over `axes` (row, column) as its last two axes."""
    return np.moveaxis(x, axes, (-2, -1))


def _to_axes(x, axes):
    """The inverse of `_from_axes`."""
    return np.moveaxis(x, (-2, -1), axes)


def _spread_evenly(mask, axis):
    """`mask` (the positions attaining an extremum) divided by its count over `axis`: ties
    share the derivative evenly, as for np.max and np.min."""
    return mask / np.sum(mask, axis=axis, keepdims=True)


def _norm_svd(x):
    """``u, s, vh`` (reduced) of the matrices `x` and the tolerance under which a singular
    value counts as zero: that of np.linalg.matrix_rank (64 times it: as tied with another)."""
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    tol = s[..., :1] * max(np.shape(x)[-2:]) * np.finfo(s.dtype).eps
    return u, s, vh, tol


def _norm_gradient(x, ord=None, axis=None):
    """The gradient of each norm that ``np.linalg.norm(x, ord, axis)`` computes, of the shape
    of `x` (real arrays), for every ord.

    Where the norm has no derivative, this is one documented choice of subgradient:

    - vector p-norms (ord=None, 'fro', finite nonzero p): ``sign(x) |x|**(p-1) /
      norm**(p-1)``, 0 at the zero coordinates for p >= 1 (for p < 1 the norm has no
      derivative there: inf or nan) and 0 for a zero vector, as the p-norm formula of the
      rules gives;
    - ord=0 counts nonzeros: piecewise constant, its derivative is 0;
    - ord=+-inf (vectors), 1, -1, inf, -inf (matrices: column or row sums of ``|x|``): the
      derivative of ``max(|x|)`` (or of the extreme column or row sum) with np.max's convention
      at ties: the positions (columns, rows) attaining the extremum share it evenly, each with
      the sign of its entries (0 at zero entries);
    - 'nuc' (sum of singular values): ``U V^T`` over the nonzero singular values only
      (a singular value under np.linalg.matrix_rank's tolerance counts as zero and adds
      nothing, as ``sign(0) = 0`` for np.abs);
    - 2 and -2 (largest and smallest singular value): ``u_i v_i^T``; where several singular
      values tie for the extreme (within 64 times matrix_rank's tolerance, what rounding
      leaves of an exact tie) they share it evenly, as
      np.max's ties do (the mean of their ``u_i v_i^T``, which does not depend on the choice
      of singular vectors); 0 where the extreme singular value is zero.

    Second derivatives (`_norm_hvp`) are those of the smooth pieces; where the norm is not
    twice differentiable (tied or zero singular values) they read inf or nan, as the
    derivatives of np.linalg.svd do at repeated singular values.
    """
    if np.iscomplexobj(x):
        raise unsupported(
            f's2sgrad differentiates np.linalg.norm of complex arrays for ord=None, the '
            f'Frobenius norm and vector p-norms written in the call, not ord={ord!r}; write it '
            f'with np.abs, np.max, np.sum or np.linalg.svd')
    kind, axes = _norm_axes(x, ord, axis)
    if 0 in np.shape(x):  # (no element: NumPy's norms of empty slices are 0)
        return np.zeros_like(x, dtype=np.result_type(x, 1.0))
    if kind == 'flat' or ord not in (0, np.inf, -np.inf) and kind == 'vector':
        p = 2 if kind == 'flat' else ord
        if p == 1:
            return np.sign(x) * np.ones_like(x)
        size = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
        with np.errstate(divide='ignore', invalid='ignore'):
            # (0 at a zero coordinate, also for p < 1, where |x| ** (p - 1) is infinite there:
            # the limit of central differences, as np.abs gives at 0)
            slope = np.where(x == 0, 0.0, np.sign(x) * np.abs(x) ** (p - 1))
            return xdivy(slope, size ** (p - 1))
    if kind == 'vector':
        if ord == 0:
            return np.zeros_like(x, dtype=np.result_type(x, 1.0))
        a = np.abs(x)
        extreme = (np.max if ord > 0 else np.min)(a, axis=axes, keepdims=True)
        return np.sign(x) * _spread_evenly(a == extreme, axes)
    xm = _from_axes(x, axes)
    if ord in (1, -1, np.inf, -np.inf):
        summed, across = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = np.sum(np.abs(xm), axis=summed, keepdims=True)
        extreme = (np.max if ord > 0 else np.min)(sums, axis=across, keepdims=True)
        return _to_axes(np.sign(xm) * _spread_evenly(sums == extreme, across), axes)
    if ord not in ('nuc', 2, -2):
        raise ValueError('Invalid norm order for matrices.')
    u, s, vh, tol = _norm_svd(xm)
    if ord == 'nuc':
        weights = s > tol
    else:
        extreme = s[..., :1] if ord == 2 else s[..., -1:]
        weights = _spread_evenly(np.abs(s - extreme) <= 64 * tol, -1) * (extreme > tol)
    return _to_axes((u * weights[..., None, :]) @ vh, axes)


def _norm_hvp(x, ord, axis, v):
    """The derivative of `_norm_gradient(x, ord, axis)` along `v` (the Hessians of the norms
    applied to `v`; they are symmetric, so this is also the adjoint)."""
    kind, axes = _norm_axes(x, ord, axis)
    if kind == 'flat' or ord not in (0, np.inf, -np.inf) and kind == 'vector':
        p = 2 if kind == 'flat' else ord
        if p == 1:
            return np.zeros_like(v)
        size = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
        g = _norm_gradient(x, ord, axis)
        with np.errstate(divide='ignore', invalid='ignore'):
            return (p - 1) * (np.abs(x) ** (p - 2) * v / size ** (p - 1) -
                              g * np.sum(g * v, axis=axes, keepdims=True) / size)
    if kind == 'vector' or ord in (1, -1, np.inf, -np.inf):
        return np.zeros_like(v)   # piecewise linear (or constant): no curvature
    xm, vm = _from_axes(x, axes), _from_axes(v, axes)
    u, s, vh, tol = _norm_svd(xm)
    ut_v = _mT(u) @ vm
    p = ut_v @ _mT(vh)                                      # u_i^T v v_j
    with np.errstate(divide='ignore', invalid='ignore'):
        if ord == 'nuc':
            # the derivative of the polar factor U_r V_r^T over the r nonzero singular
            # values (as the gradient counts them): that of the matrices of rank r, the
            # smooth piece (a zero singular value's 1 / s would multiply rounding noise)
            kept = s > tol
            ur, vhr = u * kept[..., None, :], vh * kept[..., :, None]
            inverse = np.where(kept, 1 / s, 0.0)
            both = kept[..., :, None] & kept[..., None, :]
            inner = np.where(both, (p - _mT(p)) / (s[..., :, None] + s[..., None, :]), 0.0)
            ur_v = _mT(ur) @ vm
            out = u @ inner @ vh + ((vm - ur @ ur_v) @ (_mT(vhr) * inverse[..., None, :])) @ vhr
            out = out + (ur * inverse[..., None, :]) @ (ur_v - (ur_v @ _mT(vhr)) @ vhr)
            return _to_axes(out, axes)
        i = 0 if ord == 2 else np.shape(s)[-1] - 1   # the derivative of u_i v_i^T
        k = np.shape(s)[-1]
        other = array_module(s).arange(k) != i
        ui, vi, si = u[..., :, i], vh[..., i, :], s[..., i, None]
        p_ji, p_ij = p[..., :, i], p[..., i, :]
        gaps = np.where(other, si ** 2 - s ** 2, 1.0)
        a = np.where(other, (si * p_ji + s * p_ij) / gaps, 0.0)
        b = np.where(other, (si * p_ij + s * p_ji) / gaps, 0.0)
        vi_, ui_ = vi[..., None], ui[..., None]        # (columns)
        du = u @ a[..., None] + (vm @ vi_ - u @ p_ji[..., None]) / si[..., None]
        dv = _mT(vh) @ b[..., None] + (_mT(vm) @ ui_ - _mT(vh) @ p_ij[..., None]) / si[..., None]
        out = du @ _mT(vi_) + ui_ @ _mT(dv)
    # (a zero extreme singular value: the gradient is 0 there, and so is its derivative)
    return _to_axes(np.where(si[..., None] > tol[..., None], out, 0.0), axes)


def _norm_slope(x, size, p, ord, axis, keepdims):
    """The gradient of the norms ``size = np.linalg.norm(x, ord, axis, keepdims)``, of the
    shape of `x`; `p` is ``_norm_power(x, ord, axis)``. The rules read it as the p-norm
    formula or as `_norm_gradient` (see `_norm_slope_inline`)."""
    return _norm_gradient(x, ord, axis)


def _static(node):
    """The value that the expression `node` spells (a number, a string, None, a tuple of
    them), or the marker `_UNKNOWN`."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = _static(node.operand)
        return -value if type(value) in (int, float) else _UNKNOWN
    if isinstance(node, gast.Tuple):
        values = tuple(_static(elt) for elt in node.elts)
        return _UNKNOWN if _UNKNOWN in values else values
    return _UNKNOWN


_UNKNOWN = object()


def _norm_slope_inline(x, size, p, ord, axis, keepdims):
    """``_norm_slope(...)`` reads ``xdivy(sign(x) |x|**(p-1), unreduce(size**(p-1), ...))``
    where the call shows a p-norm, and ``_norm_gradient(x, ord, axis)`` otherwise."""
    order, axes = _static(ord), _static(axis)
    p_norm = order is None or (order == 'fro' and (axes is None or isinstance(axes, tuple)))
    if type(order) in (int, float) and order not in (0, math.inf, -math.inf):
        p_norm = order > 1 and (type(axes) is int or (axes is None and order != 2))
    if not p_norm:
        return nodes.call('s2s.norm_gradient', x, ord, axis)

    def power(base):
        exponent = nodes.binop(nodes.clone(p), gast.Sub(), gast.Constant(value=1, kind=None))
        return nodes.binop(base, gast.Pow(), exponent)
    if order is None or order == 'fro' or order == 2:
        numerator = nodes.clone(x)  # (sign(x) |x|: x, whose derivative is 1 also at 0)
    else:
        numerator = nodes.binop(nodes.call('np.sign', nodes.clone(x)), gast.Mult(),
                                power(nodes.call('np.abs', nodes.clone(x))))
    return nodes.call('s2s.xdivy', numerator, nodes.call(
        's2s.unreduce', power(size), x, axis, keepdims))


inline(_norm_slope, _norm_slope_inline)
nondifferentiable(_norm_power)


@adjoint(_norm_gradient)
def _norm_gradient_adjoint(ans, x, ord=None, axis=None):
    d[x] = _norm_hvp(x, ord, axis, d[ans])


@adjoint(_norm_slope)
def _norm_slope_adjoint(ans, x, size, p, ord, axis, keepdims):
    d[x] = _norm_hvp(x, ord, axis, d[ans])


@tangent(_norm_gradient)
def _norm_gradient_tangent(ans, x, ord=None, axis=None):
    d[ans] = _norm_hvp(x, ord, axis, d[x])


@tangent(_norm_slope)
def _norm_slope_tangent(ans, x, size, p, ord, axis, keepdims):
    d[ans] = _norm_hvp(x, ord, axis, d[x])


@adjoint(_norm_hvp)
def _norm_hvp_adjoint(ans, x, ord, axis, v):
    d[x] = third_order('np.linalg.norm')
    d[v] = _norm_hvp(x, ord, axis, d[ans])


@tangent(_norm_hvp)
def _norm_hvp_tangent(ans, x, ord, axis, v):
    d[ans] = third_order('np.linalg.norm', d[x])
    d[ans] = _norm_hvp(x, ord, axis, d[v])


@adjoint(np.linalg.norm)
def norm_adjoint(ans, x, ord=None, axis=None, keepdims=False):
    p = _norm_power(x, ord, axis)
    d[x] = unreduce(d[ans], x, axis, keepdims) * _norm_slope(x, ans, p, ord, axis, keepdims)


@tangent(np.linalg.norm)
def norm_tangent(ans, x, ord=None, axis=None, keepdims=False):
    d[ans] = np.sum(d[x] * _norm_slope(x, ans, _norm_power(x, ord, axis), ord, axis, keepdims),
                    axis=axis, keepdims=keepdims)


# -- pinv -----------------------------------------------------------------------------------

def pinv_rank(g, a, rcond=None, rtol=None):
    """`g`, where ``rcond=``/``rtol=`` drops no singular value of `a` that round-off would
    keep: the rules differentiate the pseudo-inverse of constant rank, not of a matrix cut
    to a lower rank (whose derivative also moves with the singular vectors dropped)."""
    cut = rtol if rcond is None else rcond
    if cut is None:
        return g
    s = np.linalg.svd(a, compute_uv=False)
    largest = np.max(s, axis=-1, keepdims=True)
    noise = max(np.shape(a)[-2:]) * np.finfo(s.dtype).eps * largest
    if np.any((s <= np.asarray(cut)[..., None] * largest) & (s > noise)):
        raise unsupported('s2sgrad differentiates np.linalg.pinv with an rcond= or rtol= that '
                          'drops no singular value larger than round-off (the derivative of '
                          'a pseudo-inverse cut to a lower rank is not the rules\'); '
                          'differentiate pinv of the matrix of that rank, or leave the cut out')
    return g


def _pinv_rank_inline(g, a, rcond=None, rtol=None):
    """``pinv_rank(g, a)`` without a cut is `g`."""
    if all(cut is None or isinstance(cut, gast.Constant) and cut.value is None
           for cut in (rcond, rtol)):
        return g
    return None


inline(pinv_rank, _pinv_rank_inline)


@adjoint(pinv_rank)
def pinv_rank_adjoint(ans, g, a, rcond=None, rtol=None):
    d[g] = pinv_rank(d[ans], a, rcond, rtol)


linear(pinv_rank, 'd[g], a, rcond, rtol')


@adjoint(np.linalg.pinv)
def pinv_adjoint(ans, a, rcond=None, hermitian=False, *, rtol=None):
    # (of the matrix NumPy reads, `a` itself or, with hermitian=True, its lower triangle's)
    gt = _mT(d[ans])
    g = -_mT(ans) @ d[ans] @ _mT(ans) + \
        (gt - _from_triangle(a, _uplo_of(hermitian)) @ (ans @ gt)) @ (ans @ _mT(ans)) + \
        (_mT(ans) @ ans) @ (gt - (gt @ ans) @ _from_triangle(a, _uplo_of(hermitian)))
    d[a] = _to_triangle(pinv_rank(g, a, rcond, rtol), _uplo_of(hermitian))


@tangent(np.linalg.pinv)
def pinv_tangent(ans, a, rcond=None, hermitian=False, *, rtol=None):
    d[ans] = -ans @ _from_triangle(pinv_rank(d[a], a, rcond, rtol), _uplo_of(hermitian)) @ ans
    d[ans] = (ans @ _mT(ans)) @ (_mT(_from_triangle(d[a], _uplo_of(hermitian))) -
                                 _mT(_from_triangle(d[a], _uplo_of(hermitian))) @
                                 _from_triangle(a, _uplo_of(hermitian)) @ ans)
    d[ans] = (_mT(_from_triangle(d[a], _uplo_of(hermitian))) -
              ans @ _from_triangle(a, _uplo_of(hermitian)) @
              _mT(_from_triangle(d[a], _uplo_of(hermitian)))) @ (_mT(ans) @ ans)


# -- matrix_power ---------------------------------------------------------------------------

@adjoint(np.linalg.matrix_power)
def matrix_power_adjoint(ans, a, n):
    d[a] = _upper_right(np.linalg.matrix_power(_block(_mT(a), d[ans]), n))


@tangent(np.linalg.matrix_power)
def matrix_power_tangent(ans, a, n):
    d[ans] = _upper_right(np.linalg.matrix_power(_block(a, d[a]), n))
