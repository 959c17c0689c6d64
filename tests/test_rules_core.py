"""Spec table of the core rules: one row per rule, reverse, forward and second order."""
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402

from s2sgrad import rules  # noqa: E402

W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
V = np.array([0.2, -0.7, 1.3])


def vec(lo=-1.0, hi=1.0, shape=(2, 3)):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def f_exp(x): return np.sum(np.exp(x) * W)
def f_log(x): return np.sum(np.log(x) * W)
def f_sqrt(x): return np.sum(np.sqrt(x) * W)
def f_sin(x): return np.sum(np.sin(x) * W)
def f_cos(x): return np.sum(np.cos(x) * W)
def f_tan(x): return np.sum(np.tan(x) * W)
def f_tanh(x): return np.sum(np.tanh(x) * W)
def f_sinh(x): return np.sum(np.sinh(x) * W)
def f_cosh(x): return np.sum(np.cosh(x) * W)
def f_arcsin(x): return np.sum(np.arcsin(x) * W)
def f_arccos(x): return np.sum(np.arccos(x) * W)
def f_arctan(x): return np.sum(np.arctan(x) * W)
def f_abs(x): return np.sum(np.abs(x) * W)
def f_negative(x): return np.sum(np.negative(x) * W)
def f_maximum(x, y): return np.sum(np.maximum(x, y) * W)
def f_minimum(x, y): return np.sum(np.minimum(x, y) * W)
def f_where(x, y): return np.sum(np.where(x > 0.0, x * y, y ** 2) * W)
def f_add(x, y): return np.sum(np.add(x, y) ** 2 * W)
def f_subtract(x, y): return np.sum(np.subtract(x, y[0]) ** 2 * W)
def f_multiply(x, y): return np.sum(np.multiply(x, y) * W)
def f_divide(x, y): return np.sum(np.divide(x, y) * W)
def f_power(x, y): return np.sum(np.power(x, y) * W)
def f_sum_axis(x): return np.sum(np.sum(x ** 2, axis=1) * V[:2])
def f_sum_keepdims(x): return np.sum(np.sum(x ** 2, axis=0, keepdims=True) * V)
def f_mean_axis(x): return np.sum(np.mean(x ** 2, axis=0) * V)
def f_max_axis(x): return np.sum(np.max(x, axis=1) * V[:2])
def f_min_all(x): return np.min(x * W)
def f_amax(x): return np.sum(np.amax(x, axis=0) * V)
def f_amin(x): return np.sum(np.amin(x, axis=0, keepdims=True) * V)
def f_reshape(x): return np.sum(np.reshape(x, (3, 2)) ** 2 * W.T)
def f_transpose(x): return np.sum(np.transpose(x) * W.T * x.T)
def f_ravel(x): return np.sum(np.ravel(x) ** 2 * W.ravel())
def f_squeeze(x): return np.sum(np.squeeze(x[None]) * W * x)
def f_copy(x): return np.sum(np.copy(x) ** 2 * W)
def f_stack(x): return np.sum(np.stack([x, x ** 2], axis=1) ** 2)
def f_array(x): return np.sum(np.array([x[0], x[1] * 2.0]) ** 2 * W)
def f_asarray(x): return np.sum(np.asarray(x) ** 3 * W)
def f_asarray_int(x): return np.sum(np.asarray(x, dtype=int) * x * W)  # int(x): a constant
def f_array_float64(x): return np.sum(np.array(x, dtype=np.float64) ** 2 * W)
def f_dot(x, y): return np.sum(np.dot(x, y) ** 2)
def f_matmul(x, y): return np.sum(np.matmul(x, y) ** 2)
def f_operators(x, y): return np.sum((x + y) * (x - y) / (1.0 + y ** 2)) - np.sum((-x) @ y.T)
def f_T(x): return np.sum(x.T @ x * 0.5)
def f_methods(x): return x.sum() + x.mean() + x.max() + (x ** 2).reshape(3, 2).transpose().dot(V)[0]


def f_math(x):
    y = math.exp(x) + math.log(x) + math.sqrt(x) + math.sin(x) * math.cos(x) + math.tan(x)
    y = y + math.tanh(x) + math.sinh(x) + math.cosh(x) + math.asin(x / 2) + math.acos(x / 3)
    return y + math.atan(x) + math.fabs(x) + math.pow(x, 3.0)


def f_math_more(x):
    y = math.log1p(x) + math.expm1(x) * math.log2(x) + math.log10(x) + math.asinh(x)
    y = y + math.acosh(x + 1.5) * math.atanh(x / 3) + math.erf(x) - math.erfc(x) ** 2
    y = y + math.degrees(x) * math.radians(x) + math.atan2(x, 1.3) * math.atan2(0.7, x)
    y = y + math.fsum([x, x * x]) + math.trunc(x + 2.0) * x + pow(x, 3) + pow(2.0, x)
    return y + np.float64(x) ** 2 * np.float32(0.5)


def f_math_two_arguments(x, y):
    """math.log with a base, math.hypot, copysign, ldexp, remainder and divmod."""
    z = math.log(x + 1.0, y + 2.0) + math.hypot(x, y) * math.copysign(x, y - 0.5)
    q, r = divmod(x + 3.0, y + 0.5)
    return z + math.ldexp(x, 3) * y + math.remainder(x + 2.5, y + 0.5) * x + q * y + r * x


def f_casts(x):
    return np.sum(np.float64(x[0]) * x) + float(np.float64(x[1]) ** 3)


def f_builtins(x, y):
    return abs(x - 2.0 * y) + float(x * y) + max(x, y) * min(x, y) + sum([x, x * y])


ROWS = [
    (f_exp, vec(), 0), (f_log, vec(0.5, 2.0), 0), (f_sqrt, vec(0.5, 2.0), 0),
    (f_sin, vec(), 0), (f_cos, vec(), 0), (f_tan, vec(-1.0, 1.0), 0), (f_tanh, vec(), 0),
    (f_sinh, vec(), 0), (f_cosh, vec(), 0), (f_arcsin, vec(-0.8, 0.8), 0),
    (f_arccos, vec(-0.8, 0.8), 0), (f_arctan, vec(), 0),
    (f_abs, lambda rng: (rng.choice([-1.0, 1.0], (2, 3)) * rng.uniform(0.3, 1.0, (2, 3)),), 0),
    (f_negative, vec(), 0),
    (f_maximum, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(2, 3, 3) * 0.0 + 0.1), (0, 1)),
    (f_minimum, lambda rng: (rng.uniform(-1, 1, (2, 3)), np.array([0.15, -0.35, 0.45])), (0, 1)),
    (f_where, lambda rng: (rng.choice([-1.0, 1.0], (2, 3)) * rng.uniform(0.3, 1, (2, 3)),
                           rng.uniform(-1, 1, (2, 3))), (0, 1)),
    (f_add, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3)), (0, 1)),
    (f_subtract, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3))), (0, 1)),
    (f_multiply, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (1, 3))), (0, 1)),
    (f_divide, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(1, 2, 3)), (0, 1)),
    (f_power, lambda rng: (rng.uniform(0.5, 2, (2, 3)), rng.uniform(1, 2, (2, 3))), (0, 1)),
    (f_sum_axis, vec(), 0), (f_sum_keepdims, vec(), 0), (f_mean_axis, vec(), 0),
    (f_max_axis, vec(), 0), (f_min_all, vec(), 0), (f_amax, vec(), 0), (f_amin, vec(), 0),
    (f_reshape, vec(), 0), (f_transpose, vec(), 0), (f_ravel, vec(), 0), (f_squeeze, vec(), 0),
    (f_copy, vec(), 0), (f_stack, vec(shape=3), 0), (f_array, vec(), 0), (f_asarray, vec(), 0),
    (f_asarray_int, vec(0.1, 2.9), 0), (f_array_float64, vec(), 0),
    (f_dot, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3, 2))), (0, 1)),
    (f_matmul, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3)), (0, 1)),
    (f_operators, lambda rng: (rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (2, 3))), (0, 1)),
    (f_T, vec(), 0), (f_methods, vec(), 0),
    (f_math, lambda rng: (float(rng.uniform(0.3, 0.9)),), 0),
    (f_math_more, lambda rng: (float(rng.uniform(0.3, 0.9)),), 0),
    (f_math_two_arguments, lambda rng: (float(rng.uniform(0.3, 0.9)),
                                        float(rng.uniform(0.7, 1.4))), (0, 1)),
    (f_casts, vec(shape=3), 0),
    (f_builtins, lambda rng: (float(rng.uniform(0.5, 1.0)), float(rng.uniform(1.5, 2.0))),
     (0, 1)),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


def test_every_library_rule_has_both_modes():
    """Rules shipped with s2sgrad (not those tests or users register) come in pairs."""
    for key in rules.ADJOINTS:
        module = (getattr(key, '__module__', None) or 'numpy').split('.')[0]
        if module in ('numpy', 'math', 'builtins', 'operator', '_operator', 'scipy', 's2sgrad'):
            assert key in rules.TANGENTS, key
