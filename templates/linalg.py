"""Rules of ``np.linalg``: inverses, determinants, solves, norms, powers, and shared helpers."""
import numpy as np

from s2sgrad.rules import adjoint, d, linear, nondifferentiable, tangent
from s2sgrad.runtime import matmul_lhs, unbroadcast, unreduce, zeros_like
from s2sgrad.runtime_values import _is_lazy

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
    size = np.shape(x)[-1]
    if uplo == 'L':
        return np.tri(size, dtype=bool), np.tri(size, k=-1, dtype=bool)
    if uplo == 'U':
        return np.tri(size, dtype=bool).T, np.tri(size, k=-1, dtype=bool).T
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


def _cholesky_uplo(upper, a=None):
    """The triangle of `a` that ``np.linalg.cholesky(a, upper=upper)`` reads, 'L' or 'U'.

    Refuses a dask array: dask's ``np.linalg.cholesky(a)`` returns the upper factor where
    NumPy's returns the lower one, so the rule, written for NumPy's, would be wrong.
    """
    if _is_lazy(a):
        raise NotImplementedError(
            "np.linalg.cholesky of a dask array: dask's returns the upper factor where "
            "NumPy's returns the lower one, so s2sgrad's rule does not apply; compute the "
            "matrix first (it is small), or factor it with NumPy")
    return 'U' if upper else 'L'


def _mT_if(x, flag):
    """`x` transposed when `flag` holds (upper Cholesky factors), else `x`."""
    return _mT(x) if flag else x


def _phi(x):
    """The lower triangle of `x` with its diagonal halved (Cholesky derivatives)."""
    size = np.shape(x)[-1]
    return x * (np.tri(size) - np.eye(size) / 2)


def _gaps(w):
    """``F[..., i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it (eigenvalue gaps)."""
    eye = np.eye(np.shape(w)[-1])
    return 1 / (w[..., None, :] - w[..., :, None] + eye) - eye


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
    out = np.zeros(shape[:-2] + (2 * size, 2 * size), dtype=np.result_type(x, g))
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


nondifferentiable(_masks, _uplo_of, _cholesky_uplo, _square)


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
    out = np.zeros(np.shape(g)[:-2] + (2 * size, 2 * size), dtype=np.result_type(g))
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
    eye = np.eye(n, dtype=bool, like=s) if hasattr(s, '__array_function__') else \
        np.eye(n, dtype=bool)
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
    eye = np.eye(n, like=v) if hasattr(v, '__array_function__') else np.eye(n)
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

def _norm_power(x, ord, axis):
    """The p of the p-norm `np.linalg.norm(x, ord, axis)` computes; loud for the norms whose
    derivative s2sgrad lacks (matrix norms other than Frobenius, ord=inf, -inf and 0)."""
    ndim = np.ndim(x)
    matrix = (axis is None and ndim == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord is None or (matrix and ord == 'fro'):
        return 2
    if matrix or isinstance(ord, str) or ord in (0, np.inf, -np.inf):
        raise NotImplementedError(
            f's2sgrad differentiates np.linalg.norm for ord=None, the Frobenius norm and vector '
            f'p-norms with finite nonzero p, not ord={ord!r} ' +
            ('of a matrix' if matrix else 'of a vector') +
            '; write it with np.abs, np.max, np.sum or np.linalg.svd')
    return ord


nondifferentiable(_norm_power)


@adjoint(np.linalg.norm)
def norm_adjoint(ans, x, ord=None, axis=None, keepdims=False):
    p = _norm_power(x, ord, axis)
    d[x] = unreduce(d[ans], x, axis, keepdims) * xdivy(
        np.sign(x) * np.abs(x) ** (p - 1), unreduce(ans ** (p - 1), x, axis, keepdims))


@tangent(np.linalg.norm)
def norm_tangent(ans, x, ord=None, axis=None, keepdims=False):
    d[ans] = np.sum(d[x] * xdivy(np.sign(x) * np.abs(x) ** (_norm_power(x, ord, axis) - 1),
                                 unreduce(ans ** (_norm_power(x, ord, axis) - 1), x, axis,
                                          keepdims)), axis=axis, keepdims=keepdims)


# -- pinv -----------------------------------------------------------------------------------

@adjoint(np.linalg.pinv)
def pinv_adjoint(ans, a, rcond=None, hermitian=False, *, rtol=None):
    gt = _mT(d[ans])
    g = -_mT(ans) @ d[ans] @ _mT(ans) + (gt - a @ (ans @ gt)) @ (ans @ _mT(ans)) + \
        (_mT(ans) @ ans) @ (gt - (gt @ ans) @ a)
    d[a] = _to_triangle(g, _uplo_of(hermitian))


@tangent(np.linalg.pinv)
def pinv_tangent(ans, a, rcond=None, hermitian=False, *, rtol=None):
    d[ans] = -ans @ _from_triangle(d[a], _uplo_of(hermitian)) @ ans
    d[ans] = (ans @ _mT(ans)) @ (_mT(_from_triangle(d[a], _uplo_of(hermitian))) -
                                 _mT(_from_triangle(d[a], _uplo_of(hermitian))) @ a @ ans)
    d[ans] = (_mT(_from_triangle(d[a], _uplo_of(hermitian))) -
              ans @ a @ _mT(_from_triangle(d[a], _uplo_of(hermitian)))) @ (_mT(ans) @ ans)


# -- matrix_power ---------------------------------------------------------------------------

@adjoint(np.linalg.matrix_power)
def matrix_power_adjoint(ans, a, n):
    d[a] = _upper_right(np.linalg.matrix_power(_block(_mT(a), d[ans]), n))


@tangent(np.linalg.matrix_power)
def matrix_power_tangent(ans, a, n):
    d[ans] = _upper_right(np.linalg.matrix_power(_block(a, d[a]), n))
