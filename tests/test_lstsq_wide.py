"""np.linalg.lstsq of a wide matrix of full row rank: NumPy returns the minimum-norm solution,
``pinv(a) @ b``, unique and smooth in `a` and `b` (it was refused as "not unique"); a
rank-deficient matrix, whose solution jumps where the rank changes, stays refused. Checked
against central differences and against the pseudo-inverse's closed form."""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient
from s2sgrad.errors import S2SError

RNG = np.random.default_rng(3)
A = RNG.normal(size=(3, 5))
B = RNG.normal(size=3)


def minimum_norm(a, b):
    solution = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.sum(solution ** 2) + solution @ np.arange(5.0)


def through_pinv(a, b):
    solution = np.linalg.pinv(a) @ b
    return np.sum(solution ** 2) + solution @ np.arange(5.0)


def test_wide_full_row_rank():
    da, db = s2sgrad.grad(minimum_norm, wrt=(0, 1))(A, B)
    np.testing.assert_allclose(da, central_gradient(lambda a: minimum_norm(a, B), A), rtol=1e-5,
                               atol=1e-8)
    np.testing.assert_allclose(db, central_gradient(lambda b: minimum_norm(A, b), B), rtol=1e-5,
                               atol=1e-8)
    pa, pb = s2sgrad.grad(through_pinv, wrt=(0, 1))(A, B)
    np.testing.assert_allclose(da, pa, rtol=1e-9)
    t = RNG.normal(size=(3, 5))
    assert np.isclose(s2sgrad.jvp(minimum_norm, wrt=0)(A, B, t), np.sum(da * t), rtol=1e-8)


def test_rank_deficient_is_refused():
    deficient = np.vstack([A[:2], A[0] + A[1]])  # (rank 2 of 3 rows)
    with pytest.raises(S2SError, match='rank'):
        s2sgrad.grad(minimum_norm)(deficient, B)
