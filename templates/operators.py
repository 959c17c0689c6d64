"""Adjoints and tangents of ``+ - * / ** @``, unary minus, and their NumPy ufunc twins."""
import operator

import numpy as np

from s2sgrad.rules import adjoint, d, tangent
from s2sgrad.runtime import unbroadcast, matmul_lhs, matmul_rhs


@adjoint(operator.add, np.add)
def add(ans, x, y):
    d[x] = unbroadcast(d[ans], x)
    d[y] = unbroadcast(d[ans], y)


@tangent(operator.add, np.add)
def add_tangent(ans, x, y):
    d[ans] = d[x]
    d[ans] = d[y]


@adjoint(operator.sub, np.subtract)
def sub(ans, x, y):
    d[x] = unbroadcast(d[ans], x)
    d[y] = -unbroadcast(d[ans], y)


@tangent(operator.sub, np.subtract)
def sub_tangent(ans, x, y):
    d[ans] = d[x]
    d[ans] = -d[y]


@adjoint(operator.mul, np.multiply)
def mul(ans, x, y):
    d[x] = unbroadcast(d[ans] * y, x)
    d[y] = unbroadcast(x * d[ans], y)


@tangent(operator.mul, np.multiply)
def mul_tangent(ans, x, y):
    d[ans] = d[x] * y
    d[ans] = x * d[y]


@adjoint(operator.truediv, np.divide)
def truediv(ans, x, y):
    d[x] = unbroadcast(d[ans] / y, x)
    d[y] = unbroadcast(-d[ans] * ans / y, y)


@tangent(operator.truediv, np.divide)
def truediv_tangent(ans, x, y):
    d[ans] = d[x] / y
    d[ans] = -ans * d[y] / y


@adjoint(operator.pow, np.power)
def pow(ans, x, y):
    d[x] = unbroadcast(d[ans] * y * x ** (y - 1), x)
    d[y] = unbroadcast(d[ans] * ans * np.log(x), y)


@tangent(operator.pow, np.power)
def pow_tangent(ans, x, y):
    d[ans] = d[x] * y * x ** (y - 1)
    d[ans] = d[y] * ans * np.log(x)


@adjoint(operator.matmul)
def matmul(ans, x, y):
    d[x] = matmul_lhs(d[ans], x, y)
    d[y] = matmul_rhs(d[ans], x, y)


@tangent(operator.matmul)
def matmul_tangent(ans, x, y):
    d[ans] = d[x] @ y
    d[ans] = x @ d[y]


@adjoint(operator.neg)
def neg(ans, x):
    d[x] = -d[ans]


@tangent(operator.neg)
def neg_tangent(ans, x):
    d[ans] = -d[x]


@adjoint(operator.pos)
def pos(ans, x):
    d[x] = d[ans]


@tangent(operator.pos)
def pos_tangent(ans, x):
    d[ans] = d[x]
