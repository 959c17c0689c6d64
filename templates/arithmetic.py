"""Adjoints and tangents of ``+ - * / ** % @``, unary minus, and their NumPy ufunc twins."""
import copy
import math
import operator

import gast
import numpy as np

from s2sgrad.errors import NoRuleError
from s2sgrad.rules import adjoint, d, inline, nondifferentiable, partials, tangent
from s2sgrad.runtime import unbroadcast, matmul_lhs, matmul_rhs
from s2sgrad.runtime_values import where as _where


# -- helpers of the power rule: exact at the special points 0 ** y and x ** 0 ---------------

def _unwrap(value):
    return value[()] if getattr(value, 'ndim', None) == 0 else value


def _numpy_float(x):
    """`x` itself when it is an array or NumPy scalar; a Python number as a NumPy float (so
    that ``0.0 ** -1`` is inf, as for arrays, not a ZeroDivisionError)."""
    return x if hasattr(x, 'dtype') else np.float64(x)


def power_slope(x, y):
    """The derivative of ``x ** y`` in `x`: ``y * x ** (y - 1)``, and 0 where ``y == 0``
    (``x ** 0`` is the constant 1, also at ``x == 0``, where the formula reads 0 * inf)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        slope = y * _numpy_float(x) ** (y - 1)
        if not hasattr(y, 'shape'):  # a number (CuPy's where takes no Python bool)
            return _unwrap(slope) if y != 0 else _zeros_of(slope)
        return _unwrap(np.where(y == 0, 0.0, slope))


def _zeros_of(value):
    """Zeros of the shape and float dtype of `value` (an array of any kind, or a number)."""
    return _unwrap(np.zeros_like(value))  # (not 0 * value: that is nan where value is inf)


def power_log(ans, x):
    """The derivative of ``x ** y`` in `y`: ``ans * log(x)``, and 0 where ``ans == 0`` or
    ``x == 0`` (``0 ** y`` is the constant 0 for y > 0, where the formula reads 0 * -inf;
    at ``0 ** 0``, where it jumps, JAX's 0 too, not -inf, which a tangent's 0 makes nan)."""
    zero = _vanishing(ans, x)
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unwrap(_where(zero, 0.0, ans * np.log(_where(zero, 1.0, _numpy_float(x)))))


def _vanishing(a, x):
    """Where `power_log` and its derivatives are 0: ``a == 0`` or ``x == 0``."""
    return (a == 0) | (_numpy_float(x) == 0)


def _power_slope_inline(x, y):
    """``power_slope(x, c)`` for a number ``c >= 1`` or ``c < 0`` reads ``c * x ** (c - 1)``:
    no special point hides there (at x == 0 the formula is exact or the primal is inf)."""
    value = y.value if isinstance(y, gast.Constant) else None
    if isinstance(y, gast.UnaryOp) and isinstance(y.op, gast.USub) and \
            isinstance(y.operand, gast.Constant):
        value = y.operand.value
        value = -value if type(value) in (int, float) else None
    if type(value) not in (int, float) or 0 <= value < 1:
        return None
    exponent = gast.BinOp(left=y, op=gast.Sub(), right=gast.Constant(value=1, kind=None))
    return gast.BinOp(left=copy.deepcopy(y), op=gast.Mult(),
                      right=gast.BinOp(left=x, op=gast.Pow(), right=exponent))


inline(power_slope, _power_slope_inline)


def power_term(x, y, k):
    """The k-th derivative of ``x ** y`` in `x`: ``y (y - 1) ... (y - k + 1) x ** (y - k)``,
    and 0 where the coefficient is 0 (x ** 2 has a zero third derivative, also at 0)."""
    coefficient = 1.0
    for i in range(k):
        coefficient = coefficient * (y - i)
    with np.errstate(divide='ignore', invalid='ignore'):
        term = coefficient * _numpy_float(x) ** (y - k)
        return _unwrap(_where(coefficient == 0, 0.0, term))


partials(power_slope, x='power_term(x, y, 2)',
         y='(_numpy_float(x) ** (y - 1) + power_log(power_slope(x, y), x))')


def power_mixed(what, tangent=None):
    """Raise: a derivative of ``x ** y`` of third order or more in the exponent `y`."""
    raise NoRuleError(f's2sgrad has no derivative of {what} of this order in the exponent')


nondifferentiable(power_mixed)


def power_term_slope(x, y, k):
    """The derivative of ``power_term(x, y, k)`` in `y`: ``c'(y) x ** (y - k) + c(y) x **
    (y - k) log(x)`` for the coefficient ``c(y) = y (y - 1) ... (y - k + 1)`` (its second term
    0 where ``c(y)`` is 0)."""
    coefficient, slope = 1.0, 0.0
    for i in range(k):
        slope = slope * (y - i) + coefficient
        coefficient = coefficient * (y - i)
    with np.errstate(divide='ignore', invalid='ignore'):
        base = _numpy_float(x) ** (y - k)
        slope = slope * base + _where(coefficient == 0, 0.0, coefficient * base) * \
            log_where_nonzero(coefficient, x)
        return _unwrap(_where(base == 0, 0.0, slope))  # (0 ** (y - k) is 0 near y > k)


def product_where_nonzero(a, b):
    """``a * b``, and 0 where `a` is 0 (also where `b` is inf: the adjoint of a value that
    nothing reads, times a derivative that is infinite there)."""
    with np.errstate(invalid='ignore'):
        return _unwrap(_where(a == 0, 0.0, a * b))


@adjoint(power_term)
def power_term_adjoint(ans, x, y, k):
    d[x] = unbroadcast(d[ans] * power_term(x, y, k + 1), x)
    d[y] = unbroadcast(product_where_nonzero(d[ans], power_term_slope(x, y, k)), y)


@tangent(power_term)
def power_term_tangent(ans, x, y, k):
    d[ans] = d[x] * power_term(x, y, k + 1)
    d[ans] = product_where_nonzero(d[y], power_term_slope(x, y, k))


partials(product_where_nonzero, a='b', b='a')


@adjoint(power_term_slope)
def power_term_slope_adjoint(ans, x, y, k):
    d[x] = power_mixed('x ** y')
    d[y] = power_mixed('x ** y')


@tangent(power_term_slope)
def power_term_slope_tangent(ans, x, y, k):
    d[ans] = power_mixed('x ** y', d[x])
    d[ans] = power_mixed('x ** y', d[y])


partials(power_log, a='log_where_nonzero(a, x)', x='ratio_where_nonzero(a, x)')


def log_where_nonzero(a, x):
    """``log(x)`` where `a` and `x` are nonzero, else 0 (the derivative of power_log in a)."""
    zero = _vanishing(a, x)
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unwrap(_where(zero, 0.0, np.log(_where(zero, 1.0, _numpy_float(x)))))


def ratio_where_nonzero(a, x):
    """``a / x`` where `a` and `x` are nonzero, else 0 (the derivative of power_log in x)."""
    zero = _vanishing(a, x)
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unwrap(_where(zero, 0.0, a / _where(zero, 1.0, _numpy_float(x))))


def nonzero_mask(a):
    """1.0 where `a` is nonzero, 0.0 where it is zero."""
    return _unwrap(_where(a == 0, 0.0, 1.0))


nondifferentiable(nonzero_mask)
# (third derivatives of ``x ** y`` in `y`; `log_where_nonzero` is piecewise constant in `a`)
partials(log_where_nonzero, a=None, x='ratio_where_nonzero(nonzero_mask(a), x)')
partials(ratio_where_nonzero, a='ratio_where_nonzero(nonzero_mask(a), x)',
         x='-ratio_where_nonzero(a, x * x)')


@adjoint(_numpy_float)
def _numpy_float_adjoint(ans, x):
    d[x] = d[ans]


@tangent(_numpy_float)
def _numpy_float_tangent(ans, x):
    d[ans] = d[x]


def xdivy(x, y):
    """``x / y``, and 0 where ``x == 0`` (also where ``y == 0``): the factor of derivatives
    that vanish with `x` (``x * log(y)`` in `y`, ``hypot``, norms at a zero coordinate)."""
    if isinstance(x, (list, tuple)):  # (the norm of a list: its gradient is an array)
        x = np.asarray(x)
    zero = x == 0
    number = not hasattr(x, 'shape') or isinstance(x, np.generic)
    if number and not zero and (not hasattr(y, 'shape') or isinstance(y, np.generic)) and \
            y != 0:
        return x / y  # (two numbers: the quotient; the sqrt of an adjoint of one number)
    with np.errstate(divide='ignore', invalid='ignore'):
        if number:  # a number (CuPy's where takes no Python bool; a NumPy scalar as fast)
            if zero:  # (in NumPy floats: a Python 0.0 / 0.0 raises ZeroDivisionError)
                return _zeros_of(_numpy_float(x) / _numpy_float(y))
            try:
                return _unwrap(x / y)
            except ZeroDivisionError:  # (a Python number over 0: inf, as for arrays)
                return _unwrap(_numpy_float(x) / y)
        return _unwrap(np.where(zero, 0.0, x / np.where(zero, 1.0, y)))


@adjoint(xdivy)
def xdivy_adjoint(ans, x, y):
    d[x] = unbroadcast(d[ans] / y, x)
    d[y] = unbroadcast(-d[ans] * xdivy(ans, y), y)


@tangent(xdivy)
def xdivy_tangent(ans, x, y):
    # (0 where d[x] is 0, also where y is: the std of one number is 0 for every value; where
    # d[x] is not 0 and y is, inf: the 2-norm at 0, whose Hessian grows without bound)
    d[ans] = xdivy(d[x], y)
    d[ans] = -d[y] * xdivy(ans, y)


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


partials(operator.pow, np.power, x='power_slope(x, y)', y='power_log(ans, x)', label='pow')


# -- remainders: x - floor(x / y) * y (Python's % and np.mod), x - trunc(x / y) * y (fmod),
# x - round(x / y) * y (math.remainder) -------------------------------------------------------

def quotient(ans, x, y):
    """The integer quotient q of a remainder ``ans = x - q * y`` (``floor(x / y)`` for ``%``,
    ``trunc(x / y)`` for fmod), read from the result itself so it matches it exactly."""
    if isinstance(x, (str, bytes)):
        raise NoRuleError('s2sgrad cannot differentiate string formatting (`text % value`) '
                          'with respect to the formatted value')
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unwrap(np.round((x - ans) / y))


nondifferentiable(quotient)


@adjoint(operator.mod, np.mod, np.remainder, np.fmod, math.fmod, math.remainder)
def mod(ans, x, y):
    d[x] = unbroadcast(d[ans], x)
    d[y] = unbroadcast(-d[ans] * quotient(ans, x, y), y)


@tangent(operator.mod, np.mod, np.remainder, np.fmod, math.fmod, math.remainder)
def mod_tangent(ans, x, y):
    d[ans] = d[x]
    d[ans] = -d[y] * quotient(ans, x, y)


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
