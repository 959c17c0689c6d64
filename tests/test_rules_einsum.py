"""Spec table of ``np.einsum``'s rules (templates/products.py): one row per form.

Every row runs reverse mode, forward mode and second order (forward over reverse) against
central differences: implicit output, ellipsis (broadcast too), three operands, a repeated
index within one operand, summed indices, the sublist form (forward mode) and ``optimize``.
"""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError

sys.path.insert(0, os.path.dirname(__file__))
import rulespec  # noqa: E402

W = np.random.default_rng(7).standard_normal((4, 4, 4))
W2 = W[0]


def shapes(*dims):
    """A factory of standard normal arguments of these shapes."""
    return lambda rng: [rng.standard_normal(dim) for dim in dims]


# -- implicit output ---------------------------------------------------------------------------

def f_implicit_matmul(a, b):
    return np.sum(np.einsum('ij,jk', a, b) * W2[:3, :4])


def f_implicit_dot(a, b):
    return np.einsum('i,i', a, b) ** 2


def f_implicit_trace(a):
    return np.einsum('ii', a) ** 2


def f_implicit_order(a, b):  # output 'ac': alphabetical, not in order of appearance
    return np.sum(np.einsum('cb,ba', a, b) * W2[:3, :4])


# -- ellipsis ----------------------------------------------------------------------------------

def f_ellipsis_batch(a, b):
    return np.sum(np.einsum('...ij,...jk->...ik', a, b) ** 2)


def f_ellipsis_dot(a, b):
    return np.sum(np.einsum('...i,...i->...', a, b) * W[0, :2, :3])


def f_ellipsis_sum(a):
    return np.sum(np.einsum('i...->...', a) ** 2)


def f_ellipsis_implicit(a, b):
    return np.sum(np.einsum('...ij,...jk', a, b) ** 2)


def f_ellipsis_broadcast(a, b):  # a: (1, 3, 2) against b: (2, 2, 4)
    return np.sum(np.einsum('...ij,...jk->...ik', a, b) ** 2)


def f_ellipsis_missing(a, b):  # a: (3, 2) against b: (2, 2, 4)
    return np.sum(np.einsum('...ij,...jk->...ik', a, b) ** 2)


def f_ellipsis_middle(a):
    return np.sum(np.einsum('i...j->j...', a) * W2[:3, :2])


# -- three or more operands --------------------------------------------------------------------

def f_three_chain(a, b, c):
    return np.sum(np.einsum('ij,jk,kl->il', a, b, c) * W2[:2, :3])


def f_three_scalar(a, b, c):
    return np.einsum('i,ij,j->', a, b, c) ** 2


def f_three_same_twice(x, A):
    return np.sum(np.einsum('ij,jk,kl->il', x, A, x) ** 2)


def f_four(a, b, c, e):
    return np.sum(np.einsum('i,ij,jk,k->ik', a, b, c, e) ** 2)


# -- a repeated index within one operand -------------------------------------------------------

def f_trace(a):
    return np.einsum('ii->', a) ** 2


def f_diagonal(a):
    return np.sum(np.einsum('ii->i', a) ** 3)


def f_repeated_batch(a):
    return np.sum(np.einsum('iij->j', a) ** 2)


def f_repeated_with_other(a, b):
    return np.sum(np.einsum('ij,ii->j', a, b) ** 2)


def f_repeated_three(a):
    return np.sum(np.einsum('iii->i', a) ** 2)


# -- summed indices, the sublist form, optimize ------------------------------------------------

def f_summed_only_one(a, b):
    return np.sum(np.einsum('ij,kl->ik', a, b) ** 2)


def f_summed_three(a, b, c):
    return np.sum(np.einsum('ij,jk,lm->i', a, b, c) ** 2)


def f_optimize_true(a, b, c):
    return np.sum(np.einsum('ij,jk,kl->il', a, b, c, optimize=True) ** 2)


def f_optimize_optimal(a, b):
    return np.sum(np.einsum('...ij,...jk', a, b, optimize='optimal') ** 2)


def f_explicit_matmul(a, b):
    return np.sum(np.einsum('ij,jk->ik', a, b) ** 2)


ROWS = [
    (f_implicit_matmul, shapes((3, 2), (2, 4)), (0, 1)),
    (f_implicit_matmul, shapes((3, 2), (2, 4)), 1),
    (f_implicit_dot, shapes(3, 3), (0, 1)),
    (f_implicit_trace, shapes((3, 3)), 0),
    (f_implicit_order, shapes((4, 2), (2, 3)), (0, 1)),
    (f_ellipsis_batch, shapes((2, 3, 2), (2, 2, 4)), (0, 1)),
    (f_ellipsis_dot, shapes((2, 3, 4), (2, 3, 4)), (0, 1)),
    (f_ellipsis_sum, shapes((3, 2, 2)), 0),
    (f_ellipsis_implicit, shapes((2, 3, 2), (2, 2, 4)), (0, 1)),
    (f_ellipsis_broadcast, shapes((1, 3, 2), (2, 2, 4)), (0, 1)),
    (f_ellipsis_broadcast, shapes((2, 3, 2), (1, 2, 4)), 1),
    (f_ellipsis_missing, shapes((3, 2), (2, 2, 4)), (0, 1)),
    (f_ellipsis_middle, shapes((4, 2, 3)), 0),
    (f_three_chain, shapes((2, 3), (3, 2), (2, 3)), (0, 1, 2)),
    (f_three_chain, shapes((2, 3), (3, 2), (2, 3)), 1),
    (f_three_chain, shapes((2, 3), (3, 2), (2, 3)), (0, 2)),
    (f_three_scalar, shapes(3, (3, 2), 2), (0, 1, 2)),
    (f_three_same_twice, shapes((3, 3), (3, 3)), 0),
    (f_three_same_twice, shapes((3, 3), (3, 3)), (0, 1)),
    (f_four, shapes(2, (2, 3), (3, 2), 2), (0, 2, 3)),
    (f_trace, shapes((3, 3)), 0),
    (f_diagonal, shapes((3, 3)), 0),
    (f_repeated_batch, shapes((3, 3, 2)), 0),
    (f_repeated_with_other, shapes((3, 2), (3, 3)), (0, 1)),
    (f_repeated_with_other, shapes((3, 2), (3, 3)), 1),
    (f_repeated_three, shapes((2, 2, 2)), 0),
    (f_summed_only_one, shapes((2, 3), (2, 2)), (0, 1)),
    (f_summed_three, shapes((2, 3), (3, 2), (2, 2)), (0, 2)),
    (f_optimize_true, shapes((2, 3), (3, 2), (2, 3)), (0, 1, 2)),
    (f_optimize_optimal, shapes((2, 3, 2), (1, 2, 4)), (0, 1)),
    (f_explicit_matmul, shapes((3, 2), (2, 4)), (0, 1)),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)
