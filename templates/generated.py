"""Adjoints of s2sgrad's own runtime helpers, so generated code can be differentiated again."""
import numpy as np

from s2sgrad import runtime
from s2sgrad.rules import adjoint, d
from s2sgrad.runtime import (broadcast_like, restack, matmul_lhs, matmul_rhs, reshape_like, select,
                             unbroadcast, unindex, zero_at, retranspose, count)


@adjoint(runtime.unbroadcast)
def unbroadcast_(ans, g, x):
    d[g] = unbroadcast(d[ans], g)


@adjoint(runtime.unreduce)
def unreduce(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g)


@adjoint(runtime.unmean)
def unmean(ans, g, x, axis=None, keepdims=False):
    d[g] = reshape_like(np.sum(d[ans], axis=axis, keepdims=keepdims), g) / count(x, axis)


@adjoint(runtime.matmul_lhs, runtime.dot_lhs)
def matmul_lhs_(ans, g, a, b):
    d[g] = unbroadcast(np.dot(d[ans], b), g)
    d[b] = matmul_rhs(g, d[ans], b)


@adjoint(runtime.matmul_rhs, runtime.dot_rhs)
def matmul_rhs_(ans, g, a, b):
    d[g] = unbroadcast(np.dot(a, d[ans]), g)
    d[a] = matmul_lhs(g, a, d[ans])


@adjoint(runtime.untranspose)
def untranspose_(ans, g, axes=None):
    d[g] = retranspose(d[ans], axes)


@adjoint(runtime.reshape_like)
def reshape_like_(ans, g, x):
    d[g] = reshape_like(d[ans], g)


@adjoint(runtime.unindex)
def unindex_(ans, g, x, index):
    d[g] = reshape_like(d[ans][index], g)


@adjoint(runtime.read_at)
def read_at(ans, by, index, v):
    d[by] = unindex(broadcast_like(d[ans], by[index]), by, index)


@adjoint(runtime.zero_at)
def zero_at_(ans, by, index):
    d[by] = zero_at(d[ans], index)


@adjoint(runtime.select)
def select_(ans, condition, g):
    d[g] = select(condition, d[ans])


@adjoint(runtime.copy)
def copy(ans, x):
    d[x] = d[ans]


@adjoint(runtime.like)
def like(ans, g, x):
    d[g] = d[ans]


@adjoint(runtime.unstack)
def unstack(ans, g, items, axis=0):
    d[g] = restack(d[ans], g, axis)


@adjoint(runtime.add_at)
def add_at(ans, bx, index, g):
    d[bx] = d[ans]
    d[g] = unbroadcast(d[ans][index], g)
