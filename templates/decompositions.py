"""Rules of np.linalg's decompositions: cholesky, eigh, eigvalsh, qr, svd (see linalg.py)."""
import numpy as np

from s2sgrad.runtime_errors import unsupported
from s2sgrad.errors import ComplexError
from s2sgrad.rules import adjoint, d, linear, nondifferentiable, tangent
from s2sgrad.runtime import zeros_like
from s2sgrad.runtime_values import _is_lazy

from .linalg import (_cholesky_uplo, _equal_pairs, _eye_like, _from_triangle, _gap_product,
                     _kept_inverse, _mT, _mT_if, _phi, _to_triangle, _turn_free, _uplo_of)


# -- cholesky, eigh -------------------------------------------------------------------------

@adjoint(np.linalg.cholesky)
def cholesky_adjoint(ans, a, *, upper=False):
    low = _mT_if(ans, upper)
    low_inv = np.linalg.inv(low)
    g = _mT(low_inv) @ _phi(_mT(low) @ _mT_if(d[ans], upper)) @ low_inv
    d[a] = _to_triangle((g + _mT(g)) / 2, _cholesky_uplo(upper, a))


@tangent(np.linalg.cholesky)
def cholesky_tangent(ans, a, *, upper=False):
    d[ans] = _mT_if(_mT_if(ans, upper) @ _phi(np.linalg.inv(_mT_if(ans, upper)) @ _from_triangle(
        d[a], _cholesky_uplo(upper, a)) @ _mT(np.linalg.inv(_mT_if(ans, upper)))), upper)


@adjoint(np.linalg.eigh)
def eigh_adjoint(ans, a, UPLO='L'):
    w, v = ans
    gw, gv = d[ans]
    g = v @ (gw[..., None] * _eye_like(w) + _gap_product(w, _mT(v) @ gv)) @ _mT(v)
    d[a] = _to_triangle((g + _mT(g)) / 2, UPLO)


@tangent(np.linalg.eigh)
def eigh_tangent(ans, a, UPLO='L'):
    d[ans] = (np.sum(ans[1] * (_from_triangle(d[a], UPLO) @ ans[1]), axis=-2),
              ans[1] @ _gap_product(ans[0], _mT(ans[1]) @ _from_triangle(d[a], UPLO) @ ans[1]))


@adjoint(np.linalg.eigvalsh)
def eigvalsh_adjoint(ans, a, UPLO='L'):
    v = np.linalg.eigh(a, UPLO)[1]  # (the eigenvectors, recomputed)
    g = v @ (d[ans][..., None] * _mT(v))
    d[a] = _to_triangle((g + _mT(g)) / 2, UPLO)


@tangent(np.linalg.eigvalsh)
def eigvalsh_tangent(ans, a, UPLO='L'):
    d[ans] = np.sum(np.linalg.eigh(a, UPLO)[1] *
                    (_from_triangle(d[a], UPLO) @ np.linalg.eigh(a, UPLO)[1]), axis=-2)


def complex_results(function, g=None):
    """Raise: `function` (np.linalg.eig, eigvals) has complex results in general."""
    raise ComplexError(
        f'{function}: its eigenvalues and eigenvectors are complex in general, and complex '
        f'values are not supported (s2sgrad differentiates real functions of real arguments; '
        f'see the README, "Known limits"); for a symmetric matrix use np.linalg.eigh or '
        f'np.linalg.eigvalsh')


nondifferentiable(complex_results)


@adjoint(np.linalg.eig)
def eig_adjoint(ans, a):
    d[a] = complex_results('np.linalg.eig', d[ans])


@tangent(np.linalg.eig)
def eig_tangent(ans, a):
    d[ans] = complex_results('np.linalg.eig', d[a])


@adjoint(np.linalg.eigvals)
def eigvals_adjoint(ans, a):
    d[a] = complex_results('np.linalg.eigvals', d[ans])


@tangent(np.linalg.eigvals)
def eigvals_tangent(ans, a):
    d[ans] = complex_results('np.linalg.eigvals', d[a])


# -- qr and svd: the adjoints recompute the reduced factors with the very call of the primal
# (identical results), so that mode='r' and compute_uv=False need no other rule -------------

def _qr_checked(factors, a, mode):
    """The reduced factors ``(q, r)`` of `a`, once checked that s2sgrad differentiates
    ``np.linalg.qr(a, mode)``: tall or square matrices, modes 'reduced', 'complete' (square
    only) and 'r'."""
    m, n = np.shape(a)[-2:]
    if mode not in ('reduced', 'complete', 'r') or m < n or (mode == 'complete' and m != n):
        raise unsupported(
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
        raise unsupported(
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


def _svd_factors(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``np.linalg.svd(a, full_matrices, compute_uv, hermitian)``, as the derivatives recompute
    it; of a dask array, dask's own svd, which makes the reduced factors only (those of a
    square matrix are its full ones; `_svd_checked` refuses full ones otherwise) and takes
    neither compute_uv nor hermitian."""
    if _is_lazy(a) and compute_uv and not hermitian:
        return np.linalg.svd(a, full_matrices=False)
    if not hermitian:  # (CuPy's svd has no hermitian parameter)
        return np.linalg.svd(a, full_matrices, compute_uv)
    return np.linalg.svd(a, full_matrices, compute_uv, hermitian)


def _svd_tangent(da, ans, a, full_matrices, compute_uv, hermitian):
    """The tangent of ``np.linalg.svd(a, full_matrices, compute_uv, hermitian)`` along `da`."""
    factors = _svd_factors(a, _svd_full(full_matrices, compute_uv), True, hermitian)
    u, s, vh = _svd_checked(factors, a, full_matrices, compute_uv)
    da = _from_triangle(da, _uplo_of(hermitian))
    v = _mT(vh)
    dp = _mT(u) @ da @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    if not compute_uv:
        return ds
    inverse = _kept_inverse(s, max(np.shape(a)[-2:]))[..., None, :]
    free = _equal_pairs(s)  # (their vectors turning against each other: `_equal_pairs`)
    turn = np.where(free, (dp - _mT(dp)) / 2, 0.0) / \
        np.where(free, s[..., :, None] + s[..., None, :], 1.0)
    left = np.where(free, 0.0, dp * s[..., None, :] + s[..., :, None] * _mT(dp))
    right = np.where(free, 0.0, s[..., :, None] * dp + _mT(dp) * s[..., None, :])
    du = u @ (_gap_product(s ** 2, left) + turn) + (da @ v - u @ dp) * inverse
    dv = v @ (_gap_product(s ** 2, right) - turn) + (_mT(da) @ u - v @ _mT(dp)) * inverse
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


linear(_qr_cotangents, 'd[g], q, mode')


@adjoint(_qr_pick)
def _qr_pick_adjoint(ans, g, mode):
    d[g] = _qr_cotangents(d[ans], g[0], mode)


linear(_qr_pick, 'd[g], mode')


@adjoint(_svd_checked)
def _svd_checked_adjoint(ans, factors, a, full_matrices, compute_uv):
    d[factors] = d[ans]


@tangent(_svd_checked)
def _svd_checked_tangent(ans, factors, a, full_matrices, compute_uv):
    d[ans] = d[factors]


@adjoint(_svd_cotangents)
def _svd_cotangents_adjoint(ans, g, u, vh, compute_uv):
    d[g] = _svd_pick(d[ans], compute_uv)


linear(_svd_cotangents, 'd[g], u, vh, compute_uv')


@adjoint(_svd_pick)
def _svd_pick_adjoint(ans, g, compute_uv):
    d[g] = _svd_cotangents(d[ans], g[0], g[2], compute_uv)


linear(_svd_pick, 'd[g], compute_uv')


@adjoint(np.linalg.qr)
def qr_adjoint(ans, a, mode='reduced'):
    q, r = _qr_checked(np.linalg.qr(a), a, mode)
    gq, gr = _qr_cotangents(d[ans], q, mode)
    d[a] = (gq + q @ _from_triangle(r @ _mT(gr) - _mT(gq) @ q, 'L')) @ _mT(np.linalg.inv(r))


@tangent(np.linalg.qr)
def qr_tangent(ans, a, mode='reduced'):
    d[ans] = _qr_tangent(d[a], a, mode)


@adjoint(np.linalg.svd)
@adjoint(_svd_factors)
def svd_adjoint(ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    factors = _svd_factors(a, _svd_full(full_matrices, compute_uv), True, hermitian)
    u, s, vh = _svd_checked(factors, a, full_matrices, compute_uv)
    gu, gs, gvh = _svd_cotangents(d[ans], u, vh, compute_uv)
    ut_gu = _mT(u) @ gu
    vh_gv = vh @ _mT(gvh)
    j, k = ut_gu - _mT(ut_gu), vh_gv - _mT(vh_gv)
    free = _turn_free(s, j, k)  # (equal values, vectors turning freely: their limit)
    pairs = np.where(free, (j - k) / 2, 0.0) / \
        np.where(free, s[..., :, None] + s[..., None, :], 1.0)
    j, k = np.where(free, 0.0, j), np.where(free, 0.0, k)
    inner = _gap_product(s ** 2, j) * s[..., None, :] + gs[..., None] * _eye_like(s) + \
        s[..., :, None] * _gap_product(s ** 2, k) + pairs
    inverse = _kept_inverse(s, max(np.shape(a)[-2:]))
    g = u @ inner @ vh + ((gu - u @ ut_gu) * inverse[..., None, :]) @ vh + \
        u @ ((gvh - _mT(vh_gv) @ vh) * inverse[..., :, None])
    d[a] = _to_triangle(g, _uplo_of(hermitian))


@tangent(np.linalg.svd)
@tangent(_svd_factors)
def svd_tangent(ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    d[ans] = _svd_tangent(d[a], ans, a, full_matrices, compute_uv, hermitian)
