"""Rules of SciPy's matrix functions and matrix equations: ``scipy.linalg.expm``, ``sqrtm`` and
``solve_sylvester``, registered only when SciPy imports.

Each derivative is the solution of a matrix equation of the same kind, computed by SciPy:
the Frechet derivative of the exponential is the upper right block of the exponential of
``[[A, E], [0, A]]`` (its adjoint, that of ``A.T``); a square root's derivative solves the
Sylvester equation ``X dX + dX X = dA``; a Sylvester equation's, another one with the same
matrices (its adjoint, with their transposes). The rules call these functions again, so
second derivatives follow.
"""
import numpy as np

from s2sgrad.rules import adjoint, d, tangent

try:  # SciPy is optional: without it, this module registers nothing
    import scipy.linalg
    from scipy.linalg import expm, solve_sylvester, sqrtm  # noqa: F401 (used by the rules)
except ImportError:
    scipy = None


def _scipy(*names):
    """The functions `names` of scipy.linalg (none without SciPy), to register."""
    return () if scipy is None else tuple(getattr(scipy.linalg, name) for name in names)


@adjoint(*_scipy('expm'))
def expm_adjoint(ans, a):
    a_t = np.swapaxes(a, -1, -2)
    d[a] = expm(np.block([[a_t, d[ans]], [np.zeros_like(a_t), a_t]]))[
        ..., :np.shape(a)[-1], np.shape(a)[-1]:]


@tangent(*_scipy('expm'))
def expm_tangent(ans, a):
    d[ans] = expm(np.block([[a, d[a]], [np.zeros_like(a), a]]))[
        ..., :np.shape(a)[-1], np.shape(a)[-1]:]


@adjoint(*_scipy('sqrtm'))
def sqrtm_adjoint(ans, a):
    d[a] = solve_sylvester(np.swapaxes(ans, -1, -2), np.swapaxes(ans, -1, -2), d[ans])


@tangent(*_scipy('sqrtm'))
def sqrtm_tangent(ans, a):
    d[ans] = solve_sylvester(ans, ans, d[a])


@adjoint(*_scipy('solve_sylvester'))
def solve_sylvester_adjoint(ans, a, b, q):
    bq = solve_sylvester(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), d[ans])
    d[a] = -bq @ np.swapaxes(ans, -1, -2)
    d[b] = -np.swapaxes(ans, -1, -2) @ bq
    d[q] = bq


@tangent(*_scipy('solve_sylvester'))
def solve_sylvester_tangent(ans, a, b, q):
    d[ans] = solve_sylvester(a, b, d[q])
    d[ans] = -solve_sylvester(a, b, d[a] @ ans)
    d[ans] = -solve_sylvester(a, b, ans @ d[b])
