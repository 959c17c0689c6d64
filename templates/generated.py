"""Adjoints of s2sgrad's own runtime helpers, so generated code can be differentiated again."""
import numpy as np

from s2sgrad import runtime
from s2sgrad.rules import adjoint, d, tangent
from s2sgrad.runtime import (
    broadcast_like, copy as copy_, count, dot_lhs, dot_rhs, extremum_tangent, like, matmul_lhs,
    matmul_rhs, pick, pick_tangent, read_at, real_part, reshape_like, restack, resum,
    retranspose, select, unbroadcast, unextremum, unindex, unmean, unread_at, unreduce, unstack,
    unsum, untranspose, zero_at)


@adjoint(runtime.unbroadcast)
def unbroadcast_adjoint(ans, g, x):
    d[g] = unbroadcast(d[ans], g)


@adjoint(runtime.unreduce)
def unreduce_adjoint(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g)


@adjoint(runtime.unmean)
def unmean_adjoint(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g) / count(x, axis)


@adjoint(runtime.matmul_lhs, runtime.dot_lhs)
def matmul_lhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.dot(d[ans], b), g)
    d[b] = matmul_rhs(g, d[ans], b)


@adjoint(runtime.matmul_rhs, runtime.dot_rhs)
def matmul_rhs_adjoint(ans, g, a, b):
    d[g] = unbroadcast(np.dot(a, d[ans]), g)
    d[a] = matmul_lhs(g, a, d[ans])


@adjoint(runtime.untranspose)
def untranspose_adjoint(ans, g, axes=None):
    d[g] = retranspose(d[ans], axes)


@adjoint(runtime.real_part)
def real_part_adjoint(ans, x, g):
    d[g] = real_part(x, d[ans])


@tangent(runtime.real_part)
def real_part_tangent(ans, x, g):
    d[ans] = real_part(x, d[g])


@adjoint(runtime.reshape_like)
def reshape_like_adjoint(ans, g, x):
    d[g] = reshape_like(d[ans], g)


@adjoint(runtime.unindex)
def unindex_adjoint(ans, g, x, index):
    d[g] = reshape_like(d[ans][index], g)


@adjoint(runtime.read_at)
def read_at_adjoint(ans, by, index, v):
    d[by] = unread_at(d[ans], by, index)


@adjoint(runtime.unread_at)
def unread_at_adjoint(ans, g, by, index):
    d[g] = read_at(d[ans], index, g)


@tangent(runtime.unread_at)
def unread_at_tangent(ans, g, by, index):
    d[ans] = unread_at(d[g], by, index)


@adjoint(runtime.zero_at)
def zero_at_adjoint(ans, by, index):
    d[by] = zero_at(d[ans], index)


@adjoint(runtime.select)
def select_adjoint(ans, condition, g):
    d[g] = select(condition, d[ans])


@adjoint(runtime.copy)
def copy_adjoint(ans, x):
    d[x] = d[ans]


@adjoint(runtime.like)
def like_adjoint(ans, g, x):
    d[g] = d[ans]


@adjoint(runtime.unstack)
def unstack_adjoint(ans, g, items, axis=0):
    d[g] = restack(d[ans], g, axis)


@adjoint(runtime.add_at)
def add_at_adjoint(ans, bx, index, g):
    d[bx] = d[ans]
    d[g] = unbroadcast(d[ans][index], g)


# -- tangents of the runtime helpers (forward over reverse: Hessians, hvp) -----------------

@tangent(runtime.unbroadcast)
def unbroadcast_tangent(ans, g, x):
    d[ans] = unbroadcast(d[g], x)


@tangent(runtime.broadcast_like)
def broadcast_like_tangent(ans, g, x):
    d[ans] = broadcast_like(d[g], x)


@tangent(runtime.unreduce)
def unreduce_tangent(ans, g, x, axis=None, keepdims=False):
    d[ans] = unreduce(d[g], x, axis, keepdims)


@tangent(runtime.unmean)
def unmean_tangent(ans, g, x, axis=None, keepdims=False):
    d[ans] = unmean(d[g], x, axis, keepdims)


@tangent(runtime.unextremum)
def unextremum_tangent(ans, g, extremum, x, axis=None, keepdims=False):
    d[ans] = unextremum(d[g], extremum, x, axis, keepdims)


@tangent(runtime.matmul_lhs)
def matmul_lhs_tangent(ans, g, a, b):
    d[ans] = matmul_lhs(d[g], a, b)
    d[ans] = matmul_lhs(g, a, d[b])


@tangent(runtime.matmul_rhs)
def matmul_rhs_tangent(ans, g, a, b):
    d[ans] = matmul_rhs(d[g], a, b)
    d[ans] = matmul_rhs(g, d[a], b)


@tangent(runtime.dot_lhs)
def dot_lhs_tangent(ans, g, a, b):
    d[ans] = dot_lhs(d[g], a, b)
    d[ans] = dot_lhs(g, a, d[b])


@tangent(runtime.dot_rhs)
def dot_rhs_tangent(ans, g, a, b):
    d[ans] = dot_rhs(d[g], a, b)
    d[ans] = dot_rhs(g, d[a], b)


@tangent(runtime.like)
def like_tangent(ans, g, x):
    d[ans] = like(d[g], x)


@tangent(runtime.reshape_like)
def reshape_like_tangent(ans, g, x):
    d[ans] = reshape_like(d[g], x)


@tangent(runtime.untranspose)
def untranspose_tangent(ans, g, axes=None):
    d[ans] = untranspose(d[g], axes)


@tangent(runtime.retranspose)
def retranspose_tangent(ans, g, axes=None):
    d[ans] = retranspose(d[g], axes)


@tangent(runtime.unindex)
def unindex_tangent(ans, g, x, index):
    d[ans] = unindex(d[g], x, index)


@tangent(runtime.add_at)
def add_at_tangent(ans, bx, index, g):
    d[ans] = d[bx]
    d[ans] = unindex(d[g], bx, index)


@tangent(runtime.read_at)
def read_at_tangent(ans, by, index, v):
    d[ans] = read_at(d[by], index, v)


@tangent(runtime.zero_at)
def zero_at_tangent(ans, by, index):
    d[ans] = zero_at(d[by], index)


@tangent(runtime.select)
def select_tangent(ans, condition, g):
    d[ans] = select(condition, d[g])


@tangent(runtime.unstack)
def unstack_tangent(ans, g, items, axis=0):
    d[ans] = unstack(d[g], items, axis)


@tangent(runtime.restack)
def restack_tangent(ans, bitems, g, axis=0):
    d[ans] = restack(d[bitems], g, axis)


@tangent(runtime.unsum)
def unsum_tangent(ans, g, items):
    d[ans] = unsum(d[g], items)


@tangent(runtime.copy)
def copy_tangent(ans, x):
    d[ans] = copy_(d[x])


@tangent(runtime.add)
def list_add_tangent(ans, a, b):
    d[ans] = d[a]
    d[ans] = d[b]


@adjoint(runtime.unsum)
def unsum_adjoint(ans, g, items):
    d[g] = resum(d[ans], g)


@adjoint(runtime.resum)
def resum_adjoint(ans, bitems, g):
    d[bitems] = unsum(d[ans], bitems)


@tangent(runtime.resum)
def resum_tangent(ans, bitems, g):
    d[ans] = resum(d[bitems], g)


@adjoint(runtime.unextremum)
def unextremum_adjoint(ans, g, extremum, x, axis=None, keepdims=False):
    d[g] = extremum_tangent(d[ans], extremum, x, axis, keepdims)


@adjoint(runtime.pick)
def pick_adjoint(ans, g, result, a, b=None):
    d[g] = pick_tangent(d[ans], result, a, b)


@tangent(runtime.pick)
def pick_tangent_rule(ans, g, result, a, b=None):
    d[ans] = pick(d[g], result, a, b)


@adjoint(runtime.pick_tangent)
def pick_tangent_adjoint(ans, da, result, a, b=None):
    d[da] = pick(d[ans], result, a, b)


@tangent(runtime.pick_tangent)
def pick_tangent_tangent(ans, da, result, a, b=None):
    d[ans] = pick_tangent(d[da], result, a, b)
