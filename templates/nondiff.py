"""Functions whose results carry no derivative: shape queries, comparisons, constructors.

Only functions whose derivative is zero almost everywhere belong here (integer-, bool- or
shape-valued results, piecewise constant functions); `tests/test_nondiff_audit.py` checks every
entry numerically. Functions whose value moves with a float argument (``np.full``'s fill value,
``np.arange``'s start, ``x % y``, ``np.linspace``) have rules instead (`constructors.py`,
`operators.py`); functions that pass values through (``str``, ``zip``, ``enumerate``,
``reversed``, ``np.unique``) are not here either: called on differentiated values outside a
``for`` header (which s2sgrad rewrites into indexing) they raise NoRuleError.
"""
import builtins
import math
import operator

import numpy as np

from s2sgrad import runtime
from s2sgrad.rules import nondifferentiable

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round,
    builtins.isinstance, builtins.print, builtins.type,
    math.floor, math.ceil, math.isnan, math.isinf, math.isfinite,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
    operator.not_, operator.floordiv,
    np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.eye, np.identity,
    np.zeros_like, np.ones_like, np.empty_like,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.sign, np.floor, np.ceil, np.round,
    np.isnan, np.isinf, np.isfinite, np.any, np.all, np.greater, np.less, np.equal,
    np.greater_equal, np.less_equal, np.not_equal, np.logical_and, np.logical_or,
    np.logical_not, np.allclose, np.isclose, np.count_nonzero,
    runtime.seed, runtime.zeros_like, runtime.not_shared, runtime.check_cotangent, runtime.keys,
    runtime.field_index, runtime.check_output, runtime.meta,
)

# numpy.random: only the functions whose arguments are sizes, bounds of integers or seeds.
# Sampling functions with parameters (normal(loc, scale), uniform(low, high), choice(a),
# permutation(x)) move with their float arguments: they have no rule, so they raise.
nondifferentiable(np.random.seed, np.random.rand, np.random.randn, np.random.random,
                  np.random.random_sample, np.random.randint, np.random.default_rng)
