"""Adjoints of Python's arithmetic operators (``+ - * / ** @`` and unary minus)."""
import operator

import numpy as np

from s2sgrad.rules import adjoint, d
from s2sgrad.runtime import unbroadcast, matmul_lhs, matmul_rhs


@adjoint(operator.add)
def add(ans, x, y):
    d[x] = unbroadcast(d[ans], x)
    d[y] = unbroadcast(d[ans], y)


@adjoint(operator.sub)
def sub(ans, x, y):
    d[x] = unbroadcast(d[ans], x)
    d[y] = -unbroadcast(d[ans], y)


@adjoint(operator.mul)
def mul(ans, x, y):
    d[x] = unbroadcast(d[ans] * y, x)
    d[y] = unbroadcast(x * d[ans], y)


@adjoint(operator.truediv)
def truediv(ans, x, y):
    d[x] = unbroadcast(d[ans] / y, x)
    d[y] = unbroadcast(-d[ans] * ans / y, y)


@adjoint(operator.pow)
def pow(ans, x, y):
    d[x] = unbroadcast(d[ans] * y * x ** (y - 1), x)
    d[y] = unbroadcast(d[ans] * ans * np.log(x), y)


@adjoint(operator.matmul)
def matmul(ans, x, y):
    d[x] = matmul_lhs(d[ans], x, y)
    d[y] = matmul_rhs(d[ans], x, y)


@adjoint(operator.neg)
def neg(ans, x):
    d[x] = -d[ans]


@adjoint(operator.pos)
def pos(ans, x):
    d[x] = d[ans]
