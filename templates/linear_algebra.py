"""Rules of ``np.linalg``: inverses, determinants, solves, decompositions, norms, powers."""
import numpy as np

from s2sgrad.rules import adjoint, d, nondifferentiable, tangent
from s2sgrad.runtime import matmul_lhs, unbroadcast, unreduce, zeros_like

from .operators import xdivy
from .reductions_more import third_order

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


def _cholesky_uplo(upper):
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


@tangent(_mT)
def _mT_tangent(ans, x):
    d[ans] = _mT(d[x])


@adjoint(_mT_if)
def _mT_if_adjoint(ans, x, flag):
    d[x] = _mT_if(d[ans], flag)


@tangent(_mT_if)
def _mT_if_tangent(ans, x, flag):
    d[ans] = _mT_if(d[x], flag)


@adjoint(_from_triangle)
def _from_triangle_adjoint(ans, x, uplo):
    d[x] = _to_triangle(d[ans], uplo)


@tangent(_from_triangle)
def _from_triangle_tangent(ans, x, uplo):
    d[ans] = _from_triangle(d[x], uplo)


@adjoint(_to_triangle)
def _to_triangle_adjoint(ans, g, uplo):
    d[g] = _from_triangle(d[ans], uplo)


@tangent(_to_triangle)
def _to_triangle_tangent(ans, g, uplo):
    d[ans] = _to_triangle(d[g], uplo)


@adjoint(_phi)
def _phi_adjoint(ans, x):
    d[x] = _phi(d[ans])


@tangent(_phi)
def _phi_tangent(ans, x):
    d[ans] = _phi(d[x])


@adjoint(_gaps)
def _gaps_adjoint(ans, w):
    d[w] = np.sum(d[ans] * ans ** 2, axis=-1) - np.sum(d[ans] * ans ** 2, axis=-2)


@tangent(_gaps)
def _gaps_tangent(ans, w):
    d[ans] = -ans ** 2 * (d[w][..., None, :] - d[w][..., :, None])


@adjoint(_as_column)
def _as_column_adjoint(ans, x, b):
    d[x] = _from_column(d[ans], b)


@tangent(_as_column)
def _as_column_tangent(ans, x, b):
    d[ans] = _as_column(d[x], b)


@adjoint(_from_column)
def _from_column_adjoint(ans, x, b):
    d[x] = _as_column(d[ans], b)


@tangent(_from_column)
def _from_column_tangent(ans, x, b):
    d[ans] = _from_column(d[x], b)


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


@tangent(_upper_right)
def _upper_right_tangent(ans, m):
    d[ans] = _upper_right(d[m])


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


@tangent(_upper_left)
def _upper_left_tangent(ans, m):
    d[ans] = _upper_left(d[m])


@adjoint(_lower_right)
def _lower_right_adjoint(ans, m):
    d[m] = _place(d[ans], 1, 1)


@tangent(_lower_right)
def _lower_right_tangent(ans, m):
    d[ans] = _lower_right(d[m])


@adjoint(_place)
def _place_adjoint(ans, g, rows, cols):
    d[g] = _block_at(d[ans], rows, cols)


@tangent(_place)
def _place_tangent(ans, g, rows, cols):
    d[ans] = _place(d[g], rows, cols)


def _block_at(m, rows, cols):
    """The block (`rows`, `cols`) of the stacked ``(2n, 2n)`` matrices `m`."""
    size = np.shape(m)[-1] // 2
    return m[..., rows * size:(rows + 1) * size, cols * size:(cols + 1) * size]


@adjoint(_block_at)
def _block_at_adjoint(ans, m, rows, cols):
    d[m] = _place(d[ans], rows, cols)


@tangent(_block_at)
def _block_at_tangent(ans, m, rows, cols):
    d[ans] = _block_at(d[m], rows, cols)


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
    from .reductions_more import _exclusive_products
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
    from .reductions_more import _exclusive_products
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


# -- cholesky, eigh -------------------------------------------------------------------------

@adjoint(np.linalg.cholesky)
def cholesky_adjoint(ans, a, *, upper=False):
    low = _mT_if(ans, upper)
    low_inv = np.linalg.inv(low)
    g = _mT(low_inv) @ _phi(_mT(low) @ _mT_if(d[ans], upper)) @ low_inv
    d[a] = _to_triangle((g + _mT(g)) / 2, _cholesky_uplo(upper))


@tangent(np.linalg.cholesky)
def cholesky_tangent(ans, a, *, upper=False):
    d[ans] = _mT_if(_mT_if(ans, upper) @ _phi(np.linalg.inv(_mT_if(ans, upper)) @ _from_triangle(
        d[a], _cholesky_uplo(upper)) @ _mT(np.linalg.inv(_mT_if(ans, upper)))), upper)


@adjoint(np.linalg.eigh)
def eigh_adjoint(ans, a, UPLO='L'):
    w, v = ans
    gw, gv = d[ans]
    g = v @ (gw[..., None] * np.eye(np.shape(w)[-1]) + _gaps(w) * (_mT(v) @ gv)) @ _mT(v)
    d[a] = _to_triangle((g + _mT(g)) / 2, UPLO)


@tangent(np.linalg.eigh)
def eigh_tangent(ans, a, UPLO='L'):
    d[ans] = (np.sum(ans[1] * (_from_triangle(d[a], UPLO) @ ans[1]), axis=-2),
              ans[1] @ (_gaps(ans[0]) * (_mT(ans[1]) @ _from_triangle(d[a], UPLO) @ ans[1])))


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


# -- qr and svd: the adjoints recompute the reduced factors with the very call of the primal
# (identical results), so that mode='r' and compute_uv=False need no other rule -------------

def _qr_checked(factors, a, mode):
    """The reduced factors ``(q, r)`` of `a`, once checked that s2sgrad differentiates
    ``np.linalg.qr(a, mode)``: tall or square matrices, modes 'reduced', 'complete' (square
    only) and 'r'."""
    m, n = np.shape(a)[-2:]
    if mode not in ('reduced', 'complete', 'r') or m < n or (mode == 'complete' and m != n):
        raise NotImplementedError(
            f"s2sgrad differentiates np.linalg.qr of matrices with at least as many rows as "
            f"columns in modes 'reduced', 'r' and 'complete' (square matrices only), not "
            f"mode={mode!r} for a {m}x{n} matrix; for a wide matrix A, differentiate "
            f"np.linalg.qr(A.T) instead")
    return factors


def _qr_cotangents(g, q, mode):
    """The adjoints ``(gq, gr)`` of the reduced factors given the adjoint `g` of the result."""
    if mode == 'r':
        return zeros_like(q), g
    return g[0], g[1]


def _qr_pick(g, mode):
    """The adjoint of `_qr_cotangents`: the part of ``(gq, gr)`` that the result holds."""
    if mode == 'r':
        return g[1]
    return g[0], g[1]


def _qr_tangent(da, a, mode):
    """The tangent of ``np.linalg.qr(a, mode)`` along `da`."""
    q, r = _qr_checked(np.linalg.qr(a), a, mode)
    r_inv = np.linalg.inv(r)
    x = _mT(q) @ da @ r_inv
    lower = np.tril(x, -1)
    upper = x - lower + _mT(lower)
    dr = upper @ r
    if mode == 'r':
        return dr
    return da @ r_inv - q @ upper, dr


def _svd_checked(factors, a, full_matrices, compute_uv):
    """The factors ``(u, s, vh)``, once checked that their derivative is defined: the extra
    columns of ``full_matrices=True`` are not unique for non-square matrices."""
    m, n = np.shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            f'the derivative of np.linalg.svd(a, full_matrices=True) of a {m}x{n} matrix is '
            f'undefined (the extra singular vectors are not unique); pass '
            f'full_matrices=False or compute_uv=False')
    return factors


def _svd_full(full_matrices, compute_uv):
    """The full_matrices of the SVD that the derivative recomputes: the primal's own when it
    computes singular vectors (identical factors), the reduced one otherwise."""
    return full_matrices and compute_uv


nondifferentiable(_svd_full)


def _svd_cotangents(g, u, vh, compute_uv):
    """The adjoints ``(gu, gs, gvh)`` of the reduced factors given the adjoint `g` of the
    result (the singular values alone when `compute_uv` is False)."""
    if compute_uv:
        return g[0], g[1], g[2]
    return zeros_like(u), g, zeros_like(vh)


def _svd_pick(g, compute_uv):
    """The adjoint of `_svd_cotangents`: the part of ``(gu, gs, gvh)`` the result holds."""
    if compute_uv:
        return g[0], g[1], g[2]
    return g[1]


def _svd_tangent(da, ans, a, full_matrices, compute_uv, hermitian):
    """The tangent of ``np.linalg.svd(a, full_matrices, compute_uv, hermitian)`` along `da`."""
    factors = np.linalg.svd(a, _svd_full(full_matrices, compute_uv), True, hermitian)
    u, s, vh = _svd_checked(factors, a, full_matrices, compute_uv)
    da = _from_triangle(da, _uplo_of(hermitian))
    v = _mT(vh)
    dp = _mT(u) @ da @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    if not compute_uv:
        return ds
    gaps = _gaps(s ** 2)
    du = u @ (gaps * (dp * s[..., None, :] + s[..., :, None] * _mT(dp))) + \
        (da @ v - u @ dp) / s[..., None, :]
    dv = v @ (gaps * (s[..., :, None] * dp + _mT(dp) * s[..., None, :])) + \
        (_mT(da) @ u - v @ _mT(dp)) / s[..., None, :]
    return du, ds, _mT(dv)


@adjoint(_qr_checked)
def _qr_checked_adjoint(ans, factors, a, mode):
    d[factors] = d[ans]


@tangent(_qr_checked)
def _qr_checked_tangent(ans, factors, a, mode):
    d[ans] = d[factors]


@adjoint(_qr_cotangents)
def _qr_cotangents_adjoint(ans, g, q, mode):
    d[g] = _qr_pick(d[ans], mode)


@tangent(_qr_cotangents)
def _qr_cotangents_tangent(ans, g, q, mode):
    d[ans] = _qr_cotangents(d[g], q, mode)


@adjoint(_qr_pick)
def _qr_pick_adjoint(ans, g, mode):
    d[g] = _qr_cotangents(d[ans], g[0], mode)


@tangent(_qr_pick)
def _qr_pick_tangent(ans, g, mode):
    d[ans] = _qr_pick(d[g], mode)


@adjoint(_svd_checked)
def _svd_checked_adjoint(ans, factors, a, full_matrices, compute_uv):
    d[factors] = d[ans]


@tangent(_svd_checked)
def _svd_checked_tangent(ans, factors, a, full_matrices, compute_uv):
    d[ans] = d[factors]


@adjoint(_svd_cotangents)
def _svd_cotangents_adjoint(ans, g, u, vh, compute_uv):
    d[g] = _svd_pick(d[ans], compute_uv)


@tangent(_svd_cotangents)
def _svd_cotangents_tangent(ans, g, u, vh, compute_uv):
    d[ans] = _svd_cotangents(d[g], u, vh, compute_uv)


@adjoint(_svd_pick)
def _svd_pick_adjoint(ans, g, compute_uv):
    d[g] = _svd_cotangents(d[ans], g[0], g[2], compute_uv)


@tangent(_svd_pick)
def _svd_pick_tangent(ans, g, compute_uv):
    d[ans] = _svd_pick(d[g], compute_uv)


@adjoint(np.linalg.qr)
def qr_adjoint(ans, a, mode='reduced'):
    q, r = _qr_checked(np.linalg.qr(a), a, mode)
    gq, gr = _qr_cotangents(d[ans], q, mode)
    d[a] = (gq + q @ _from_triangle(r @ _mT(gr) - _mT(gq) @ q, 'L')) @ _mT(np.linalg.inv(r))


@tangent(np.linalg.qr)
def qr_tangent(ans, a, mode='reduced'):
    d[ans] = _qr_tangent(d[a], a, mode)


@adjoint(np.linalg.svd)
def svd_adjoint(ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    factors = np.linalg.svd(a, _svd_full(full_matrices, compute_uv), True, hermitian)
    u, s, vh = _svd_checked(factors, a, full_matrices, compute_uv)
    gu, gs, gvh = _svd_cotangents(d[ans], u, vh, compute_uv)
    gaps = _gaps(s ** 2)
    ut_gu = _mT(u) @ gu
    vh_gv = vh @ _mT(gvh)
    inner = gaps * (ut_gu - _mT(ut_gu)) * s[..., None, :] + gs[..., None] * np.eye(
        np.shape(s)[-1]) + s[..., :, None] * (gaps * (vh_gv - _mT(vh_gv)))
    g = u @ inner @ vh + ((gu - u @ ut_gu) / s[..., None, :]) @ vh + \
        u @ ((gvh - _mT(vh_gv) @ vh) / s[..., :, None])
    d[a] = _to_triangle(g, _uplo_of(hermitian))


@tangent(np.linalg.svd)
def svd_tangent(ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    d[ans] = _svd_tangent(d[a], ans, a, full_matrices, compute_uv, hermitian)
