"""Spec table of the indexing, sorting, diagonal and product rules (templates/indexing.py,
templates/products.py)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402

from s2sgrad import rules  # noqa: E402

W23 = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
W33 = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5], [-0.9, 0.6, 1.4]])
W34 = np.array([[0.3, -1.2, 0.7, 0.2], [1.1, 0.4, -0.5, -0.8], [-0.9, 0.6, 1.4, 0.5]])
V2 = np.array([0.7, -1.3])
V3 = np.array([0.2, -0.7, 1.3])
V4 = np.array([0.5, -0.3, 1.1, 0.9])
V5 = np.array([0.5, -0.3, 1.1, 0.9, -1.6])
IDX = np.array([2, 0, 2, 1])              # repeated index 2
IDX_NEG = np.array([-1, 0, 3])            # wraps/clips differently
ALONG = np.array([[2, 0, 0], [1, 1, 2]])  # take_along_axis indices (2, 3), repeats


def arr(*shape, lo=-1.0, hi=1.0):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def two(shape_a, shape_b):
    return lambda rng: (rng.uniform(-1.0, 1.0, size=shape_a), rng.uniform(-1.0, 1.0, size=shape_b))


def distinct(*shape):
    """Well separated distinct values, so that sort's permutation is stable under steps."""
    def make(rng):
        n = int(np.prod(shape))
        return (rng.permutation(n).reshape(shape) * 0.5 + rng.uniform(-0.1, 0.1, size=shape),)
    return make


# -- take, take_along_axis ---------------------------------------------------------------

def f_take_flat(x): return np.sum(np.take(x, IDX) ** 2 * V4)
def f_take_axis1(x): return np.sum(np.take(x, IDX, axis=1) ** 2 * np.stack([V4, -V4]))
def f_take_axis0(x): return np.sum(np.take(x, [1, 1, 0], axis=0) ** 2 * W33)
def f_take_neg_axis(x): return np.sum(np.take(x, IDX_NEG, axis=-1, mode='wrap') ** 2 * W23)
def f_take_clip(x): return np.sum(np.take(x, IDX_NEG, axis=1, mode='clip') ** 2 * W23)
def f_take_scalar(x): return np.take(x, 4) * np.sum(x ** 2)
def f_take_method(x): return np.sum(x.take(IDX, axis=1) ** 2 * np.stack([V4, V4 * 0.5]))
def f_take_method_flat(x): return np.sum(x.take(IDX) ** 3 * V4)
def f_take_along(x): return np.sum(np.take_along_axis(x, ALONG, axis=1) ** 2 * W23)
def f_take_along_0(x): return np.sum(np.take_along_axis(x, ALONG[:, :2], axis=0) ** 2 * W23[:, :2])
def f_take_along_none(x): return np.sum(np.take_along_axis(x, IDX, axis=None) ** 2 * V4)


# -- diag, diagonal, triu, tril --------------------------------------------------------------

def f_diag_vec(x): return np.sum(np.diag(x) ** 2 * W33)
def f_diag_vec_k(x): return np.sum(np.diag(x, k=1) ** 2 * np.ones((4, 4)) * V4)
def f_diag_vec_neg(x): return np.sum(np.diag(x, -1) ** 2 * np.outer(V4, V4))
def f_diag_mat(x): return np.sum(np.diag(x) ** 2 * V3)
def f_diag_mat_k(x): return np.sum(np.diag(x, k=1) ** 2 * V3)
def f_diag_mat_neg(x): return np.sum(np.diag(x, k=-1) ** 2 * V2)
def f_diagonal(x): return np.sum(np.diagonal(x) ** 2 * V3)
def f_diagonal_offset(x): return np.sum(np.diagonal(x, offset=1) ** 2 * V3)
def f_diagonal_axes(x): return np.sum(np.diagonal(x, offset=-1, axis1=2, axis2=0) ** 2 * W23)
def f_diagonal_method(x): return np.sum(x.diagonal() ** 3 * V3)
def f_diagonal_method_kw(x): return np.sum(x.diagonal(1, axis1=1, axis2=0) ** 2 * V2)
def f_triu(x): return np.sum(np.triu(x) ** 2 * W34)
def f_triu_k(x): return np.sum(np.triu(x, k=1) ** 2 * W34)
def f_triu_neg(x): return np.sum(np.triu(x, -1) ** 2 * W34)
def f_triu_vec(x): return np.sum(np.triu(x) ** 2 * W33)
def f_tril(x): return np.sum(np.tril(x) ** 2 * W34)
def f_tril_k(x): return np.sum(np.tril(x, k=2) ** 2 * W34)
def f_tril_neg(x): return np.sum(np.tril(x, k=-1) ** 2 * W34)


# -- select, sort ------------------------------------------------------------------------------

def f_select(x, y):
    return np.sum(np.select([x > 0.5, x < -0.5], [x * y, y ** 2], default=x ** 3) * W23)


def f_select_default(x):
    return np.sum(np.select([x > 0.3], [np.sin(x)], 0.5 * x ** 2) * W23)


def f_select_const(x):
    return np.sum(np.select([x > 0.0, x < -0.5], [x ** 2, W23]) * W23)


def f_select_overlap(x):
    return np.sum(np.select([x > 0.0, x > -0.5], [x ** 2, 3.0 * x], default=1.0) * W23)


def f_sort(x): return np.sum(np.sort(x) ** 2 * W34)
def f_sort_axis0(x): return np.sum(np.sort(x, axis=0) ** 2 * W34)
def f_sort_none(x): return np.sum(np.sort(x, axis=None) * np.arange(1.0, 13.0) ** 1.5)
def f_sort_vec(x): return np.sum(np.sort(x, kind='stable') ** 3 * V5)


# -- products --------------------------------------------------------------------------------

def f_outer(a, b): return np.sum(np.outer(a, b) ** 2 * W34)
def f_outer_nd(a, b): return np.sum(np.outer(a, b) ** 2 * np.ones((6, 2)) * V2)
def f_inner_vec(a, b): return np.inner(a, b) ** 2
def f_inner_mat(a, b): return np.sum(np.inner(a, b) ** 2 * W23)
def f_inner_scalar(a, b): return np.sum(np.inner(a, b) * V3)
def f_tensordot(a, b): return np.sum(np.tensordot(a, b, axes=1) ** 2 * W34)
def f_tensordot_2(a, b): return np.sum(np.tensordot(a, b) ** 2 * V2)
def f_tensordot_pairs(a, b): return np.sum(np.tensordot(a, b, axes=([0, 2], [2, 0])) ** 2 * W34)
def f_tensordot_0(a, b): return np.sum(np.tensordot(a, b, axes=0) ** 2 * W23)
def f_tensordot_int(a, b): return np.sum(np.tensordot(a, b, axes=(1, 0)) ** 2 * W34)
def f_einsum_matmul(a, b): return np.sum(np.einsum('ij,jk->ik', a, b) ** 2 * W34)
def f_einsum_trans(a, b): return np.sum(np.einsum('ij,kj->ki', a, b) ** 2 * W23.T)
def f_einsum_dot(a, b): return np.einsum('i,i->', a, b) ** 2
def f_einsum_outer(a, b): return np.sum(np.einsum('i,j->ij', a, b) ** 2 * W34)
def f_einsum_sum_one(a, b): return np.sum(np.einsum('ij,jk->i', a, b) ** 2 * V3)
def f_einsum_batch(a, b): return np.sum(np.einsum('bij,bjk->bik', a, b) ** 2)
def f_einsum_one(a): return np.sum(np.einsum('ij->ji', a) ** 2 * W34.T)
def f_einsum_reduce(a): return np.sum(np.einsum('ijk->ki', a) ** 2 * W23.T)
def f_einsum_total(a): return np.einsum('ij->', a ** 2) * np.sum(a)
def f_einsum_spaces(a, b): return np.sum(np.einsum('ij, jk -> ik', a, b, optimize=True) ** 2)
def f_kron(a, b): return np.sum(np.kron(a, b) ** 2 * np.arange(24.0).reshape(4, 6) / 10)
def f_kron_vec(a, b): return np.sum(np.kron(a, b) ** 2 * np.arange(6.0))
def f_kron_mixed(a, b): return np.sum(np.kron(a, b) ** 2 * np.arange(18.0) / 7)
def f_vdot(a, b): return np.vdot(a, b) ** 2
def f_vdot_shapes(a, b): return np.vdot(a, b) * np.sum(a * W23)


def f_cross(a, b): return np.sum(np.cross(a, b) ** 2 * W23)
def f_cross_bcast(a, b): return np.sum(np.cross(a, b) ** 2 * W23)
def f_cross_axes(a, b): return np.sum(np.cross(a, b, axisa=0, axisb=1, axisc=0) ** 2 * W23.T)
def f_cross_axis(a, b): return np.sum(np.cross(a, b, axis=0) ** 2 * W23.T)
def f_cross_vectors(a, b): return np.sum(np.cross(a, b) ** 2 * W23[0]) + np.cross(b, a)[1]
def f_cross_rows_vector(a, b): return np.sum(np.cross(a, b, axisa=0) ** 2 * W23)
def f_cross_axisc(a, b): return np.sum(np.cross(a, b, axisc=0) ** 2 * W23.T)


def f_same_operand(a): return np.einsum('ij,ij->', a, a) + np.sum(np.outer(a, a) * 0.1)


ROWS = [
    (f_take_flat, arr(2, 3), 0), (f_take_axis1, arr(2, 3), 0), (f_take_axis0, arr(2, 3), 0),
    (f_take_neg_axis, arr(2, 3), 0), (f_take_clip, arr(2, 3), 0), (f_take_scalar, arr(2, 3), 0),
    (f_take_method, arr(2, 3), 0), (f_take_method_flat, arr(2, 3), 0),
    (f_take_along, arr(2, 3), 0), (f_take_along_0, arr(3, 2), 0),
    (f_take_along_none, arr(2, 3), 0),
    (f_diag_vec, arr(3), 0), (f_diag_vec_k, arr(3), 0), (f_diag_vec_neg, arr(3), 0),
    (f_diag_mat, arr(3, 3), 0), (f_diag_mat_k, arr(3, 4), 0), (f_diag_mat_neg, arr(3, 2), 0),
    (f_diagonal, arr(3, 4), 0), (f_diagonal_offset, arr(3, 4), 0),
    (f_diagonal_axes, arr(3, 2, 4), 0), (f_diagonal_method, arr(3, 3), 0),
    (f_diagonal_method_kw, arr(3, 2), 0),
    (f_triu, arr(3, 4), 0), (f_triu_k, arr(3, 4), 0), (f_triu_neg, arr(3, 4), 0),
    (f_triu_vec, arr(3), 0), (f_tril, arr(3, 4), 0), (f_tril_k, arr(3, 4), 0),
    (f_tril_neg, arr(3, 4), 0),
    (f_select, two((2, 3), (2, 3)), (0, 1)), (f_select_default, arr(2, 3), 0),
    (f_select_const, arr(2, 3), 0), (f_select_overlap, arr(2, 3), 0),
    (f_sort, distinct(3, 4), 0), (f_sort_axis0, distinct(3, 4), 0),
    (f_sort_none, distinct(3, 4), 0), (f_sort_vec, distinct(5), 0),
    (f_outer, two(3, 4), (0, 1)), (f_outer_nd, two((2, 3), 2), (0, 1)),
    (f_inner_vec, two(3, 3), (0, 1)), (f_inner_mat, two((2, 4), (3, 4)), (0, 1)),
    (f_inner_scalar, two((), 3), (0, 1)),
    (f_tensordot, two((3, 2), (2, 4)), (0, 1)), (f_tensordot_2, two((2, 3, 4), (3, 4)), (0, 1)),
    (f_tensordot_pairs, two((3, 3, 2), (2, 4, 3)), (0, 1)),
    (f_tensordot_0, two(2, 3), (0, 1)), (f_tensordot_int, two((3, 2), (2, 4)), (0, 1)),
    (f_einsum_matmul, two((3, 2), (2, 4)), (0, 1)), (f_einsum_trans, two((2, 4), (3, 4)), (0, 1)),
    (f_einsum_dot, two(3, 3), (0, 1)), (f_einsum_outer, two(3, 4), (0, 1)),
    (f_einsum_sum_one, two((3, 2), (2, 4)), (0, 1)),
    (f_einsum_batch, two((2, 3, 2), (2, 2, 4)), (0, 1)),
    (f_einsum_one, arr(3, 4), 0), (f_einsum_reduce, arr(2, 4, 3), 0),
    (f_einsum_total, arr(2, 3), 0), (f_einsum_spaces, two((3, 2), (2, 4)), (0, 1)),
    (f_kron, two((2, 2), (2, 3)), (0, 1)), (f_kron_vec, two(2, 3), (0, 1)),
    (f_kron_mixed, two(3, (1, 6)), (0, 1)),
    (f_vdot, two(3, 3), (0, 1)), (f_vdot_shapes, two((2, 3), (3, 2)), (0, 1)),
    (f_cross, two((2, 3), (2, 3)), (0, 1)), (f_cross_bcast, two(3, (2, 3)), (0, 1)),
    (f_cross_axes, two((3, 2), (2, 3)), (0, 1)), (f_cross_axis, two((3, 2), (3, 2)), (0, 1)),
    (f_cross_vectors, two(3, 3), (0, 1)), (f_cross_rows_vector, two((3, 2), 3), (0, 1)),
    (f_cross_axisc, two((2, 3), (2, 3)), (0, 1)),
    (f_same_operand, arr(2, 3), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


FUNCTIONS = [np.take, np.take_along_axis, np.diag, np.diagonal, np.triu, np.tril, np.select,
             np.sort, np.outer, np.inner, np.tensordot, np.einsum, np.kron, np.vdot, np.cross]


@pytest.mark.parametrize('func', FUNCTIONS, ids=lambda f: f.__name__)
def test_both_rules(func):
    assert rules.lookup_adjoint(func) is not None
    assert rules.lookup_tangent(func) is not None


def test_methods():
    assert rules.METHODS['take'] is np.take
    assert rules.METHODS['diagonal'] is np.diagonal
    assert 'sort' not in rules.METHODS  # x.sort() sorts in place
