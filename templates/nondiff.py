"""Functions, array methods and attributes whose results carry no derivative.

Only functions whose derivative is zero almost everywhere belong here (integer-, bool- or
shape-valued results, piecewise constant functions); `tests/test_nondiff_audit.py` checks every
entry numerically. Functions whose value moves with a float argument (``np.full``'s fill value,
``np.arange``'s start, ``x % y``, ``np.linspace``) have rules instead (`constructors.py`,
`arithmetic.py`); functions that pass values through (``str``, ``zip``, ``enumerate``,
``reversed``, ``np.unique``) are not here either: called on differentiated values outside a
``for`` header (which s2sgrad rewrites into indexing) they raise NoRuleError. The runtime
helpers without derivative are declared with the others in `runtime_helpers.py`, and the
helpers of the rules next to them.
"""
import builtins
import math
import operator

import numpy as np

from s2sgrad.rules import (NONDIFFERENTIABLE_ATTRIBUTES, NONDIFFERENTIABLE_METHODS,
                           nondifferentiable)

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round,
    builtins.isinstance, builtins.print, builtins.type, builtins.hasattr, builtins.callable,
    builtins.any, builtins.all,
    math.floor, math.ceil, math.isnan, math.isinf, math.isfinite, math.isclose,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
    operator.not_, operator.floordiv,
    np.shape, np.ndim, np.size, np.zeros, np.ones, np.empty, np.eye, np.identity,
    np.zeros_like, np.ones_like, np.empty_like,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.sign, np.floor, np.ceil, np.round,
    np.isnan, np.isinf, np.isfinite, np.any, np.all, np.greater, np.less, np.equal,
    np.greater_equal, np.less_equal, np.not_equal, np.logical_and, np.logical_or,
    np.logical_not, np.allclose, np.isclose, np.count_nonzero,
)

# piecewise constant: zero derivative
nondifferentiable(np.around, np.rint, np.trunc, np.fix)

# indices, counts, tests, integers
nondifferentiable(
    np.flatnonzero, np.argwhere, np.searchsorted, np.digitize,
    np.lexsort, np.argpartition, np.nanargmax, np.nanargmin, np.unravel_index,
    np.ravel_multi_index, np.indices, np.tri, np.triu_indices, np.tril_indices, np.diag_indices,
    np.diag_indices_from, np.triu_indices_from, np.tril_indices_from,
    np.logical_xor, np.array_equal, np.array_equiv, np.isin, np.isneginf, np.isposinf,
    np.signbit, np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj, np.isscalar,
    np.result_type, np.can_cast, np.broadcast_shapes, np.shares_memory, np.may_share_memory,
    np.floor_divide, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.gcd, np.lcm,
    np.linalg.matrix_rank,
)

# integer and boolean casts: ``np.int64(W[:, -1])`` as ``W[:, -1].astype(np.int64)``
nondifferentiable(np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64, np.intp, np.uintp, np.bool_)

# numpy.random: only the functions whose arguments are sizes, bounds of integers or seeds.
# Sampling functions with parameters (normal(loc, scale), uniform(low, high), choice(a),
# permutation(x)) move with their float arguments: they have no rule, so they raise.
nondifferentiable(np.random.seed, np.random.rand, np.random.randn, np.random.random,
                  np.random.random_sample, np.random.randint, np.random.default_rng)

NONDIFFERENTIABLE_ATTRIBUTES.update({'shape', 'ndim', 'dtype', 'size', 'itemsize', 'nbytes'})
NONDIFFERENTIABLE_METHODS.update({'argmax', 'argmin', 'argsort', 'nonzero', 'any', 'all',
                                  'count', 'index', 'round', 'searchsorted'})
# ``x.item()`` and ``x.tolist()`` pass values through: they have rules (constructors.py).
