"""Adjoints of elementwise NumPy functions, declared by their derivative (rules as data)."""
import numpy as np

from s2sgrad.rules import adjoint, d, elementwise, tangent
from s2sgrad.runtime import unbroadcast, select

DERIVATIVES = {
    np.exp: 'ans',
    np.log: '1 / x',
    np.sqrt: '0.5 / ans',
    np.sin: 'np.cos(x)',
    np.cos: '-np.sin(x)',
    np.tan: '1 + ans ** 2',
    np.tanh: '1 - ans ** 2',
    np.sinh: 'np.cosh(x)',
    np.cosh: 'np.sinh(x)',
    np.arcsin: '1 / np.sqrt(1 - x ** 2)',
    np.arccos: '-1 / np.sqrt(1 - x ** 2)',
    np.arctan: '1 / (1 + x ** 2)',
    np.abs: 'np.sign(x)',
    np.negative: '-1',
}

for _func, _derivative in DERIVATIVES.items():
    elementwise(_func, _derivative, globals())


@adjoint(np.maximum)
def maximum(ans, x, y):
    d[x] = unbroadcast(d[ans] * (x >= y), x)
    d[y] = unbroadcast(d[ans] * (x < y), y)


@tangent(np.maximum)
def maximum_tangent(ans, x, y):
    d[ans] = d[x] * (x >= y)
    d[ans] = d[y] * (x < y)


@adjoint(np.minimum)
def minimum(ans, x, y):
    d[x] = unbroadcast(d[ans] * (x <= y), x)
    d[y] = unbroadcast(d[ans] * (x > y), y)


@tangent(np.minimum)
def minimum_tangent(ans, x, y):
    d[ans] = d[x] * (x <= y)
    d[ans] = d[y] * (x > y)


@adjoint(np.where)
def where(ans, condition, x, y):
    d[x] = unbroadcast(select(condition, d[ans]), x)
    d[y] = unbroadcast(select(np.logical_not(condition), d[ans]), y)


@tangent(np.where)
def where_tangent(ans, condition, x, y):
    d[ans] = np.where(condition, d[x], 0.0)
    d[ans] = np.where(condition, 0.0, d[y])
