"""Functions whose results carry no derivative: shape queries, comparisons, constructors."""
import builtins
import math
import operator

import numpy as np

from s2sgrad import runtime
from s2sgrad.rules import nondifferentiable, NONDIFFERENTIABLE_MODULES

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round,
    builtins.isinstance, builtins.print, builtins.enumerate, builtins.zip, builtins.reversed,
    builtins.type, builtins.str,
    math.floor, math.ceil, math.isnan, math.isinf, math.isfinite,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
    operator.not_, operator.floordiv, operator.mod,
    np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.full, np.eye, np.identity,
    np.arange, np.linspace, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.sign, np.floor, np.ceil, np.round,
    np.isnan, np.isinf, np.isfinite, np.any, np.all, np.greater, np.less, np.equal,
    np.greater_equal, np.less_equal, np.not_equal, np.logical_and, np.logical_or,
    np.logical_not, np.allclose, np.isclose, np.count_nonzero,
    runtime.seed, runtime.zeros_like,
)

NONDIFFERENTIABLE_MODULES.add('numpy.random')
