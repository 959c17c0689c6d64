"""Spec table of ``np.einsum``'s rules (templates/products.py): one row per form.

Every row runs reverse mode, forward mode and second order (forward over reverse) against
central differences: implicit output, ellipsis (broadcast too), three operands, a repeated
index within one operand, summed indices, the sublist form and ``optimize``.
"""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
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


def f_broadcast_letter(a, b):
    return np.sum(np.einsum('ij,ij->ij', a, b) ** 2)  # a (1, 3) against b (2, 3)


def f_broadcast_letter_summed(a, b):
    return np.sum(np.einsum('ij,ij->i', a, b) ** 2 + np.einsum('ij,kj', b, a) ** 3)


ROWS = [
    (f_broadcast_letter, shapes((1, 3), (2, 3)), (0, 1)),
    (f_broadcast_letter_summed, shapes((1, 3), (2, 3)), (0, 1)),
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


# -- the sublist (interleaved) form: literal sublists are written as subscripts (both modes);
#    sublists held in variables: forward mode; reverse mode raises ---------------------------

def f_sublist_one(x):
    return np.sum(np.einsum(x, [0, 1], [1]) ** 2)


def f_sublist_two(x, y):
    return np.sum(np.einsum(x, [0, 1], y, [1, 2], [0, 2]) ** 2)


def f_sublist_implicit(x, y):
    return np.sum(np.einsum(x, [0, 1], y, [1, 2]) ** 2)


def f_sublist_ellipsis(x, y):
    return np.sum(np.einsum(x, [Ellipsis, 0, 1], y, [Ellipsis, 1, 2]) ** 2)


def f_sublist_trace_optimize(x):
    return np.einsum(x, (0, 0), [], optimize=True) ** 2 + np.sum(np.einsum(x, [1, 0]) * x)


SUBLIST_ROWS = [
    (f_sublist_one, shapes((3, 2)), 0),
    (f_sublist_two, shapes((3, 2), (2, 4)), (0, 1)),
    (f_sublist_two, shapes((3, 2), (2, 4)), 1),
    (f_sublist_implicit, shapes((3, 2), (2, 4)), (0, 1)),
    (f_sublist_ellipsis, shapes((2, 3, 2), (1, 2, 4)), (0, 1)),
    (f_sublist_trace_optimize, shapes((3, 3)), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', SUBLIST_ROWS, ids=rulespec.ids(SUBLIST_ROWS))
def test_sublist_form(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


def test_sublist_form_is_printed_as_subscripts():
    source = s2sgrad.grad(f_sublist_two, wrt=(0, 1)).source
    assert "np.einsum('ab,bc->ac', x, y)" in source


SUBLIST = [0, 1]


def f_sublist_variable(x, y):
    return np.sum(np.einsum(x, SUBLIST, y, [1, 2], [0, 2]) ** 2)


def test_sublists_in_variables_forward_mode_and_reverse_mode_raises():
    args = shapes((3, 2), (2, 4))(np.random.default_rng(0))
    check_grads(f_sublist_variable, args, wrt=(0, 1), modes=('fwd',), order=1)
    with pytest.raises(NoRuleError, match='subscripts string'):
        s2sgrad.grad(f_sublist_variable, wrt=(0, 1))(*args)


# -- as users write it -------------------------------------------------------------------------

def attention(q, k, v):
    """One attention head over a batch: softmax(q k^T / sqrt(d)) v, written with einsum."""
    scores = np.einsum('...qd,...kd->...qk', q, k) / np.sqrt(q.shape[-1])
    weights = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = weights / np.sum(weights, axis=-1, keepdims=True)
    return np.einsum('...qk,...kd->...qd', weights, v)


def attention_loss(q, k, v):
    return np.sum(attention(q, k, v) ** 2)


def bilinear(x, A, y):
    return np.einsum('...i,ij,...j', x, A, y)


def bilinear_loss(x, A, y):
    return np.sum(np.tanh(bilinear(x, A, y)))


def test_attention_layer_matches_differences():
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((2, 3, 4)) for _ in range(3))
    check_grads(attention_loss, [q, k, v], wrt=(0, 1, 2), modes=('rev', 'fwd'), rtol=1e-4)
    grads = s2sgrad.grad(attention_loss, wrt=(0, 1, 2))(q, k, v)
    assert [g.shape for g in grads] == [(2, 3, 4)] * 3


def test_bilinear_form_broadcasting_matches_differences():
    rng = np.random.default_rng(2)
    x, A, y = rng.standard_normal((2, 1, 3)), rng.standard_normal((3, 3)), \
        rng.standard_normal((4, 3))
    check_grads(bilinear_loss, [x, A, y], wrt=(0, 1, 2), modes=('rev', 'fwd'), order=2,
                rtol=1e-4)
    gx = s2sgrad.grad(bilinear_loss)(x, A, y)
    assert gx.shape == (2, 1, 3)


def test_quadratic_form_hessian_is_a_plus_a_transpose():
    A = np.random.default_rng(3).standard_normal((3, 3))
    H = s2sgrad.hessian(lambda x: np.einsum('i,ij,j', x, A, x))(np.ones(3))
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12)


# -- errors ------------------------------------------------------------------------------------

def f_bad_subscripts(a, b):
    return np.sum(np.einsum('ij,jk->iz', a, b))


def f_wrong_count(a, b):
    return np.sum(np.einsum('ij->i', a, b))


@pytest.mark.parametrize('f', [f_bad_subscripts, f_wrong_count])
@pytest.mark.parametrize('mode', ['rev', 'fwd'])
def test_invalid_subscripts_raise_numpys_error(f, mode):
    a, b = np.ones((2, 3)), np.ones((3, 2))
    with pytest.raises(ValueError) as numpy_error:
        f(a, b)
    with pytest.raises(ValueError, match=str(numpy_error.value)[:20]):
        if mode == 'rev':
            s2sgrad.grad(f, wrt=(0, 1))(a, b)
        else:
            s2sgrad.jvp(f)(a, b, np.ones((2, 3)))
