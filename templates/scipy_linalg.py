"""Functions of ``scipy.linalg`` differentiated through definitions with NumPy's linalg.

As in `definitions`: each function computes what SciPy's function of the same name computes,
for the arguments it accepts, reading only the triangle SciPy reads; arguments it does not
cover raise NotImplementedError. SciPy computes the values and the derivative runs the
definition again, so a result that is not unique (eigenvectors' signs) is not defined here.
Registered once ``scipy.linalg`` is imported.
"""
import numpy as np

from s2sgrad import runtime as s2s
from s2sgrad.rules import defined_by_name

_SYMMETRIC = ('sym', 'symmetric', 'her', 'hermitian', 'pos', 'positive definite')
_GENERAL = (None, 'gen', 'general')


def _symmetric_of(a, lower):
    """The symmetric matrix that the `lower` (or upper) triangle of `a` stands for."""
    if lower:
        return np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    return np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """``scipy.linalg.solve(a, b)``: the solution of ``a @ x = b`` (of the symmetric matrix
    of `a`'s `lower` or upper triangle for ``assume_a='sym'``/``'pos'``/``'her'``)."""
    if overwrite_a or overwrite_b:
        s2s.refuse('scipy.linalg.solve with overwrite_a=False and overwrite_b=False '
                   '(SciPy may overwrite the arrays its derivative reads)')
    s2s.not_lazy(a, 'scipy.linalg.solve (SciPy computes them)')
    s2s.not_lazy(b, 'scipy.linalg.solve (SciPy computes them)')
    if assume_a in _SYMMETRIC:
        a = _symmetric_of(a, lower)
    elif assume_a not in _GENERAL:
        s2s.refuse("scipy.linalg.solve with assume_a None, 'gen', 'sym', 'her' or 'pos'")
    if transposed:
        a = np.swapaxes(a, -1, -2)
    return np.linalg.solve(a, b)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """``scipy.linalg.inv(a)``."""
    if overwrite_a:
        s2s.refuse('scipy.linalg.inv with overwrite_a=False (SciPy may overwrite the '
                   'arrays its derivative reads)')
    s2s.not_lazy(a, 'scipy.linalg.inv (SciPy computes them)')
    if assume_a in _SYMMETRIC:
        a = _symmetric_of(a, lower)
    elif assume_a not in _GENERAL:
        s2s.refuse("scipy.linalg.inv with assume_a None, 'gen', 'sym', 'her' or 'pos'")
    return np.linalg.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.det(a)``."""
    if overwrite_a:
        s2s.refuse('scipy.linalg.det with overwrite_a=False (SciPy may overwrite the '
                   'arrays its derivative reads)')
    s2s.not_lazy(a, 'scipy.linalg.det (SciPy computes them)')
    return np.linalg.det(a)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cholesky(a, lower)``: the upper factor ``U`` with ``a = U.T @ U``
    (SciPy's default, from `a`'s upper triangle), or the lower one (from its lower)."""
    if overwrite_a:
        s2s.refuse('scipy.linalg.cholesky with overwrite_a=False (SciPy may overwrite the '
                   'arrays its derivative reads)')
    s2s.not_lazy(a, 'scipy.linalg.cholesky (SciPy computes them)')
    factor = np.linalg.cholesky(_symmetric_of(a, lower))
    return factor if lower else np.swapaxes(factor, -1, -2)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cho_factor(a, lower)``: ``(c, lower)`` with the factor in `c`'s `lower`
    (or upper) triangle and `a`'s entries in the other, as SciPy leaves them."""
    if overwrite_a:
        s2s.refuse('scipy.linalg.cho_factor with overwrite_a=False (SciPy may overwrite the '
                   'arrays its derivative reads)')
    s2s.not_lazy(a, 'scipy.linalg.cholesky (SciPy computes them)')
    factor = cholesky(a, lower)
    if lower:
        return factor + np.triu(a, 1), lower
    return factor + np.tril(a, -1), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve((c, lower), b)``: the solution of ``a @ x = b`` for the `a`
    whose factor is `c`'s `lower` (or upper) triangle (the other triangle is not read)."""
    if overwrite_b:
        s2s.refuse('scipy.linalg.cho_solve with overwrite_b=False (SciPy may overwrite the '
                   'arrays its derivative reads)')
    c, lower = c_and_lower
    if np.ndim(c) != 2:  # (SciPy's factors of a stack of matrices come with a `lower` each)
        s2s.refuse('scipy.linalg.cho_solve of one factor (a 2-D c)')
    s2s.not_lazy(c, 'scipy.linalg.cho_solve (SciPy computes them)')
    s2s.not_lazy(b, 'scipy.linalg.cho_solve (SciPy computes them)')
    factor = np.tril(c) if lower else np.swapaxes(np.triu(c), -1, -2)
    return np.linalg.solve(np.swapaxes(factor, -1, -2), np.linalg.solve(factor, b))


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """``scipy.linalg.eigh(a, lower=..., eigvals_only=True)`` of one matrix: the eigenvalues
    of the symmetric matrix of its `lower` (or upper) triangle. Not its eigenvectors: SciPy
    computes the values, and its vectors' signs may differ from those of NumPy's, which the
    derivative would read."""
    if overwrite_a or overwrite_b:
        s2s.refuse('scipy.linalg.eigh with overwrite_a=False and overwrite_b=False '
                   '(SciPy may overwrite the arrays its derivative reads)')
    if b is not None or subset_by_index is not None or subset_by_value is not None or \
            not eigvals_only:
        s2s.refuse('scipy.linalg.eigh of one matrix (b=None) with eigvals_only=True, without '
                   'subset_by_index= and subset_by_value= (for eigenvectors, call '
                   'np.linalg.eigh(a, UPLO))')
    s2s.not_lazy(a, 'scipy.linalg.eigh (SciPy computes them)')
    return np.linalg.eigvalsh(a, 'L' if lower else 'U')


def eigvalsh(a, b=None, *, lower=True, overwrite_a=False, overwrite_b=False, type=1,
             check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """``scipy.linalg.eigvalsh(a, lower=...)`` of one matrix."""
    if overwrite_a or overwrite_b:
        s2s.refuse('scipy.linalg.eigvalsh with overwrite_a=False and overwrite_b=False '
                   '(SciPy may overwrite the arrays its derivative reads)')
    if b is not None or subset_by_index is not None or subset_by_value is not None:
        s2s.refuse('scipy.linalg.eigvalsh of one matrix (b=None), without subset_by_index= '
                   'and subset_by_value=')
    s2s.not_lazy(a, 'scipy.linalg.eigvalsh (SciPy computes them)')
    return np.linalg.eigvalsh(a, 'L' if lower else 'U')


def norm(a, ord=None, axis=None, keepdims=False, check_finite=True):
    """``scipy.linalg.norm(a, ord, axis, keepdims)``."""
    s2s.not_lazy(a, 'scipy.linalg.norm (SciPy computes them)')
    return np.linalg.norm(a, ord, axis, keepdims)


def pinv(a, *, atol=None, rtol=None, return_rank=False, check_finite=True):
    """``scipy.linalg.pinv(a, rtol=...)``: the pseudo-inverse, singular values at or below
    ``rtol`` times the largest taken as zero (SciPy's default ``max(M, N) * eps``)."""
    if return_rank or atol:
        s2s.refuse('scipy.linalg.pinv with atol=None (or 0) and return_rank=False')
    s2s.not_lazy(a, 'scipy.linalg.pinv (SciPy computes them)')
    if rtol is None:
        rtol = max(np.shape(a)[-2:]) * np.finfo(np.result_type(a, 1.0)).eps
    return np.linalg.pinv(a, rcond=rtol)


DEFINITIONS = {'solve': solve, 'inv': inv, 'det': det, 'cholesky': cholesky,
               'cho_factor': cho_factor, 'cho_solve': cho_solve, 'eigh': eigh,
               'eigvalsh': eigvalsh, 'norm': norm, 'pinv': pinv}
"""Names in ``scipy.linalg`` -> their definitions."""

for _name, _definition in DEFINITIONS.items():
    defined_by_name('scipy.linalg', _name, _definition)
