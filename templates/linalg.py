"""Adjoints of products (``np.dot``, ``np.matmul``)."""
import numpy as np

from s2sgrad.rules import adjoint, d, tangent
from s2sgrad.runtime import dot_lhs, dot_rhs, matmul_lhs, matmul_rhs


@adjoint(np.dot)
def dot(ans, a, b):
    d[a] = dot_lhs(d[ans], a, b)
    d[b] = dot_rhs(d[ans], a, b)


@tangent(np.dot)
def dot_tangent(ans, a, b):
    d[ans] = np.dot(d[a], b)
    d[ans] = np.dot(a, d[b])


@adjoint(np.matmul)
def matmul(ans, x1, x2):
    d[x1] = matmul_lhs(d[ans], x1, x2)
    d[x2] = matmul_rhs(d[ans], x1, x2)


@tangent(np.matmul)
def matmul_tangent(ans, x1, x2):
    d[ans] = d[x1] @ x2
    d[ans] = x1 @ d[x2]
