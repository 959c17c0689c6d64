"""Adjoints of products (``np.dot``, ``np.matmul``)."""
import numpy as np

from s2sgrad.rules import adjoint, d
from s2sgrad.runtime import dot_lhs, dot_rhs, matmul_lhs, matmul_rhs


@adjoint(np.dot)
def dot(ans, a, b):
    d[a] = dot_lhs(d[ans], a, b)
    d[b] = dot_rhs(d[ans], a, b)


@adjoint(np.matmul)
def matmul(ans, x1, x2):
    d[x1] = matmul_lhs(d[ans], x1, x2)
    d[x2] = matmul_rhs(d[ans], x1, x2)
