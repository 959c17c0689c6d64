"""Audit of everything registered as non-differentiable: each entry must have a derivative that
is zero almost everywhere, shown numerically here.

For every function in ``rules.NONDIFFERENTIABLE``, every method name in
``NONDIFFERENTIABLE_METHODS`` and every attribute in ``NONDIFFERENTIABLE_ATTRIBUTES`` there is
one call below, at a random point, with float arguments wherever the function takes them. The
check moves every float in the arguments by +h and -h along a random direction and asserts that
the result does not change at all (so central differences are exactly 0), or that the call
raises (a helper that refuses a derivative). A registration without a row here fails
`test_every_registered_entry_has_a_row`, so a new entry cannot skip the audit.

The runtime helpers (``s2s.NAME``) are declared in one table, ``HELPERS`` of
templates/runtime_helpers.py, with how each is differentiated; the audit checks that every
helper is there and that its declared kind is the rules it has.
"""
import inspect
import io
import math
import operator
from collections import namedtuple

import numpy as np
import pytest

import s2sgrad
from s2sgrad import listing, rules, runtime
from s2sgrad.checks import check_grads

Pair = namedtuple('Pair', 'W b')

T = s2sgrad.templates
H = 1e-6
RAISES = object()


def _vec(rng, n=4):
    return rng.uniform(-2.0, 2.0, size=n) + 0.37  # away from integers and ties


def _mat(rng, n=3):
    return rng.normal(size=(n, n))


def _spd(rng, n=3):
    a = rng.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _ints(rng, n=4):
    return rng.integers(0, 5, size=n)


def _seeded(func, *args):
    def call():
        np.random.seed(0)
        return func(*args)
    return call


# name -> (callable, make_args(rng)); the callable applies the entry (sometimes through a
# small wrapper that builds the non-float arguments, e.g. a mask from a float array).
ROWS = {
    'builtins.all': (lambda x: all(x > 0), lambda r: (_vec(r),)),
    'builtins.any': (lambda x: any(x > 0), lambda r: (_vec(r),)),
    'builtins.bool': (bool, lambda r: (float(r.uniform(0.5, 2.0)),)),
    'builtins.int': (int, lambda r: (float(r.uniform(0.1, 0.9)) + 3,)),
    'builtins.isinstance': (lambda x: isinstance(x, float), lambda r: (float(r.normal()),)),
    'builtins.len': (len, lambda r: (_vec(r),)),
    'builtins.print': (lambda x: print(x, file=io.StringIO()), lambda r: (_vec(r),)),
    'builtins.range': (lambda n: list(range(n)), lambda r: (4,)),
    'builtins.round': (round, lambda r: (float(r.uniform(0.1, 0.4)) + 2,)),
    'builtins.type': (type, lambda r: (float(r.normal()),)),
    'builtins.hasattr': (lambda x: hasattr(x, 'item'), lambda r: (_vec(r),)),
    'builtins.callable': (callable, lambda r: (float(r.normal()),)),
    'math.ceil': (math.ceil, lambda r: (float(r.uniform(0.1, 0.9)),)),
    'math.floor': (math.floor, lambda r: (float(r.uniform(0.1, 0.9)),)),
    'math.trunc': (math.trunc, lambda r: (float(r.uniform(0.1, 0.9)),)),
    'math.isfinite': (math.isfinite, lambda r: (float(r.normal()),)),
    'math.isclose': (lambda x: math.isclose(x, 0.5), lambda r: (float(r.normal()),)),
    'math.isinf': (math.isinf, lambda r: (float(r.normal()),)),
    'math.isnan': (math.isnan, lambda r: (float(r.normal()),)),
    'numpy.all': (lambda x: np.all(x > 0), lambda r: (_vec(r),)),
    'numpy.allclose': (np.allclose, lambda r: (_vec(r), _vec(r))),
    'numpy.any': (lambda x: np.any(x > 0), lambda r: (_vec(r),)),
    'numpy.argmax': (np.argmax, lambda r: (_vec(r),)),
    'numpy.argmin': (np.argmin, lambda r: (_vec(r),)),
    'numpy.argpartition': (lambda x: np.argpartition(x, 1), lambda r: (_vec(r),)),
    'numpy.argsort': (np.argsort, lambda r: (_vec(r),)),
    'numpy.argwhere': (lambda x: np.argwhere(x > 0.5), lambda r: (_vec(r),)),
    'numpy.around': (np.around, lambda r: (_vec(r),)),
    'numpy.array_equal': (np.array_equal, lambda r: (_vec(r), _vec(r))),
    'numpy.array_equiv': (np.array_equiv, lambda r: (_vec(r), _vec(r))),
    'numpy.bitwise_and': (np.bitwise_and, lambda r: (_ints(r), _ints(r))),
    'numpy.bitwise_or': (np.bitwise_or, lambda r: (_ints(r), _ints(r))),
    'numpy.bitwise_xor': (np.bitwise_xor, lambda r: (_ints(r), _ints(r))),
    'numpy.broadcast_shapes': (lambda x, y: np.broadcast_shapes(x.shape, y.shape),
                               lambda r: (_vec(r), _mat(r, 4))),
    'numpy.can_cast': (np.can_cast, lambda r: (_vec(r), np.float32)),
    'numpy.ceil': (np.ceil, lambda r: (_vec(r),)),
    'numpy.count_nonzero': (lambda x: np.count_nonzero(x > 0), lambda r: (_vec(r),)),
    'numpy.diag_indices': (np.diag_indices, lambda r: (3,)),
    'numpy.diag_indices_from': (np.diag_indices_from, lambda r: (_mat(r),)),
    'numpy.triu_indices_from': (np.triu_indices_from, lambda r: (_mat(r),)),
    'numpy.tril_indices_from': (np.tril_indices_from, lambda r: (_mat(r), 1)),
    'numpy.digitize': (np.digitize, lambda r: (_vec(r), np.array([-1.0, 0.0, 1.0]))),
    'numpy.empty': (lambda n: np.empty(n).shape, lambda r: (3,)),
    'numpy.empty_like': (lambda x: (np.empty_like(x).shape, np.empty_like(x).dtype),
                         lambda r: (_vec(r),)),
    'numpy.equal': (np.equal, lambda r: (_vec(r), _vec(r))),
    'numpy.eye': (np.eye, lambda r: (3,)),
    'numpy.fix': (np.fix, lambda r: (_vec(r),)),
    'numpy.flatnonzero': (lambda x: np.flatnonzero(x > 0), lambda r: (_vec(r),)),
    'numpy.floor': (np.floor, lambda r: (_vec(r),)),
    'numpy.floor_divide': (np.floor_divide, lambda r: (_vec(r), np.full(4, 0.7))),
    'numpy.linalg.matrix_rank': (np.linalg.matrix_rank,
                                 lambda r: (np.outer(_vec(r), _vec(r)) + np.eye(4),)),
    'numpy.gcd': (np.gcd, lambda r: (_ints(r), _ints(r))),
    'numpy.greater': (np.greater, lambda r: (_vec(r), _vec(r))),
    'numpy.greater_equal': (np.greater_equal, lambda r: (_vec(r), _vec(r))),
    'numpy.identity': (np.identity, lambda r: (3,)),
    'numpy.indices': (np.indices, lambda r: ((2, 3),)),
    'numpy.invert': (np.invert, lambda r: (_ints(r),)),
    'numpy.isclose': (np.isclose, lambda r: (_vec(r), _vec(r))),
    'numpy.iscomplex': (np.iscomplex, lambda r: (_vec(r),)),
    'numpy.iscomplexobj': (np.iscomplexobj, lambda r: (_vec(r),)),
    'numpy.isfinite': (np.isfinite, lambda r: (_vec(r),)),
    'numpy.isin': (np.isin, lambda r: (_vec(r), _vec(r))),
    'numpy.isinf': (np.isinf, lambda r: (_vec(r),)),
    'numpy.isnan': (np.isnan, lambda r: (_vec(r),)),
    'numpy.isneginf': (np.isneginf, lambda r: (_vec(r),)),
    'numpy.isposinf': (np.isposinf, lambda r: (_vec(r),)),
    'numpy.isreal': (np.isreal, lambda r: (_vec(r),)),
    'numpy.isrealobj': (np.isrealobj, lambda r: (_vec(r),)),
    'numpy.isscalar': (np.isscalar, lambda r: (float(r.normal()),)),
    'numpy.lcm': (np.lcm, lambda r: (_ints(r), _ints(r))),
    'numpy.less': (np.less, lambda r: (_vec(r), _vec(r))),
    'numpy.less_equal': (np.less_equal, lambda r: (_vec(r), _vec(r))),
    'numpy.lexsort': (lambda x, y: np.lexsort((x, y)), lambda r: (_vec(r), _vec(r))),
    'numpy.logical_and': (np.logical_and, lambda r: (_vec(r), _vec(r))),
    'numpy.logical_not': (np.logical_not, lambda r: (_vec(r),)),
    'numpy.logical_or': (np.logical_or, lambda r: (_vec(r), _vec(r))),
    'numpy.logical_xor': (np.logical_xor, lambda r: (_vec(r), _vec(r))),
    'numpy.may_share_memory': (np.may_share_memory, lambda r: (_vec(r), _vec(r))),
    'numpy.nanargmax': (np.nanargmax, lambda r: (_vec(r),)),
    'numpy.nanargmin': (np.nanargmin, lambda r: (_vec(r),)),
    'numpy.ndim': (np.ndim, lambda r: (_mat(r),)),
    'numpy.nonzero': (lambda x: np.nonzero(x > 0), lambda r: (_vec(r),)),
    'numpy.not_equal': (np.not_equal, lambda r: (_vec(r), _vec(r))),
    'numpy.ones': (np.ones, lambda r: (3,)),
    'numpy.ones_like': (np.ones_like, lambda r: (_vec(r),)),
    'numpy.random.default_rng': (lambda s: type(np.random.default_rng(s)), lambda r: (0,)),
    'numpy.random.rand': (_seeded(np.random.rand, 3), lambda r: ()),
    'numpy.random.randint': (_seeded(np.random.randint, 0, 5, 3), lambda r: ()),
    'numpy.random.randn': (_seeded(np.random.randn, 3), lambda r: ()),
    'numpy.random.random': (_seeded(np.random.random, 3), lambda r: ()),
    'numpy.random.random_sample': (_seeded(np.random.random_sample, 3), lambda r: ()),
    'numpy.random.seed': (np.random.seed, lambda r: (0,)),
    'numpy.ravel_multi_index': (np.ravel_multi_index,
                                lambda r: ((np.array([0, 1]), np.array([2, 0])), (2, 3))),
    'numpy.result_type': (np.result_type, lambda r: (_vec(r), np.float32)),
    'numpy.rint': (np.rint, lambda r: (_vec(r),)),
    'numpy.round': (np.round, lambda r: (_vec(r),)),
    'numpy.searchsorted': (np.searchsorted, lambda r: (np.array([-1.0, 0.0, 1.0]), _vec(r))),
    'numpy.shape': (np.shape, lambda r: (_mat(r),)),
    'numpy.shares_memory': (np.shares_memory, lambda r: (_vec(r), _vec(r))),
    'numpy.sign': (np.sign, lambda r: (_vec(r),)),
    'numpy.signbit': (np.signbit, lambda r: (_vec(r),)),
    # (integer and boolean casts: the scalar types called on an array or a number)
    **{f'numpy.{t.__name__}': (t, lambda r: (_vec(r) * 10.0,))
       for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                 np.uint64, np.intp, np.uintp)},
    f'numpy.{np.bool_.__name__}': (np.bool_, lambda r: (_vec(r),)),  # ('bool_' before NumPy 2)
    'numpy.size': (np.size, lambda r: (_mat(r),)),
    'numpy.tri': (np.tri, lambda r: (3,)),
    'numpy.tril_indices': (np.tril_indices, lambda r: (3,)),
    'numpy.triu_indices': (np.triu_indices, lambda r: (3,)),
    'numpy.trunc': (np.trunc, lambda r: (_vec(r),)),
    'numpy.unravel_index': (np.unravel_index, lambda r: (np.array([1, 4]), (2, 3))),
    'numpy.zeros': (np.zeros, lambda r: (3,)),
    'numpy.zeros_like': (np.zeros_like, lambda r: (_vec(r),)),
    'operator.eq': (operator.eq, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.floordiv': (operator.floordiv, lambda r: (float(r.uniform(0.1, 0.6)) + 2, 0.7)),
    'operator.ge': (operator.ge, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.gt': (operator.gt, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.le': (operator.le, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.lt': (operator.lt, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.ne': (operator.ne, lambda r: (float(r.normal()), float(r.normal()))),
    'operator.not_': (operator.not_, lambda r: (float(r.normal()),)),
    's2sgrad.runtime.seed': (runtime.seed, lambda r: (float(r.normal()),)),
    's2sgrad.runtime.zeros_like': (runtime.zeros_like, lambda r: (_vec(r),)),
    's2sgrad.runtime.meta': (runtime.meta, lambda r: (_vec(r),)),
    's2sgrad.runtime.not_shared': (runtime.not_shared, lambda r: (float(r.normal()), 'm')),
    's2sgrad.runtime.check_number': (runtime.check_number, lambda r: (float(r.normal()), 'm')),
    's2sgrad.runtime.array_method': (runtime.array_method, lambda r: (r.normal(size=3), 'm')),
    's2sgrad.runtime.sequence_of': (
        lambda v: (runtime.sequence_of((v, v), 2), runtime.sequence_of(v, 3)),
        lambda r: (_vec(r),)),
    's2sgrad.runtime.check_own_items': (runtime.check_own_items,
                                        lambda r: ([float(r.normal())], 'm')),
    's2sgrad.runtime.check_method_writes': (
        lambda v: runtime.check_method_writes([v], 'append', 'm', ((0, v),)),
        lambda r: (_vec(r),)),
    's2sgrad.runtime.check_global_writes': (
        lambda v: runtime.check_global_writes(len, 'm', (v,)), lambda r: (_vec(r),)),
    's2sgrad.runtime.alone_in': (runtime.alone_in, lambda r: ([_vec(r), _vec(r)], 0, 'm')),
    's2sgrad.runtime.in_place': (runtime.in_place, lambda r: (_vec(r), '-=')),
    's2sgrad.runtime.defined': (runtime.defined, lambda r: (_vec(r),)),
    's2sgrad.runtime.float_argument': (runtime.float_argument, lambda r: (_vec(r), 'm')),
    's2sgrad.runtime.separate': (runtime.separate, lambda r: (_vec(r), 'm', _vec(r))),
    's2sgrad.runtime.keys': (lambda d, items: (runtime.keys(d), runtime.keys(items)),
                             lambda r: ({'a': float(r.normal()), 'b': _vec(r)}, [2, 0, 1])),
    's2sgrad.runtime.keys of floats': (runtime.keys, lambda r: ([float(r.normal())],)),
    's2sgrad.runtime.positions': (runtime.positions, lambda r: (_vec(r),)),
    's2sgrad.runtime.zip_length': (lambda x, y: runtime.zip_length(len(x), len(y)),
                                   lambda r: (_vec(r), _vec(r))),
    's2sgrad.runtime.is_zero': (lambda x: (runtime.is_zero(x), runtime.is_zero(0.0)),
                                lambda r: (_vec(r),)),
    's2sgrad.runtime.flat_index': (lambda x: runtime.flat_index(x, slice(None, None, 2)),
                                   lambda r: (_vec(r),)),
    's2sgrad.runtime.key_missing': (lambda d: runtime.key_missing(d, 'a'),
                                    lambda r: ({'a': float(r.normal())},)),
    's2sgrad.runtime.popped_at': (runtime.popped_at, lambda r: (-2, [float(r.normal())] * 3)),
    's2sgrad.runtime.inserted_at': (runtime.inserted_at,
                                    lambda r: (-2, [float(r.normal())] * 3)),
    's2sgrad.runtime.written_at': (runtime.written_at, lambda r: (
        [float(r.normal())] * 4, slice(1, 2), [float(r.normal())], [float(r.normal())] * 2)),
    's2sgrad.runtime.check_output': (runtime.check_output, lambda r: (_vec(r),)),
    's2sgrad.runtime.declared_shapes': (runtime.declared_shapes,
                                        lambda r: ('f', {'x': ('n',)}, {'x': _vec(r)})),
    's2sgrad.runtime.count': (
        lambda x: (runtime.count(x), runtime.count(x.reshape(2, -1), 1)), lambda r: (_vec(r),)),
    's2sgrad.runtime.field_index': (
        lambda v: (runtime.field_index(Pair(v, 2 * v), 'b'),
                   runtime.field_index(Pair(v, v), 'W')),
        lambda r: (_vec(r),)),
    # -- private helpers of rules (shapes, axes, masks, checks) --------------------------------
    's2sgrad.templates.arithmetic.power_mixed': (T.arithmetic.power_mixed, lambda r: ('x ** y',)),
    's2sgrad.templates.arithmetic.nonzero_mask': (T.arithmetic.nonzero_mask, lambda r: (_vec(r),)),
    's2sgrad.templates.arithmetic.quotient': (
        lambda x, y: T.arithmetic.quotient(x % y, x, y),
        lambda r: (_vec(r), np.full(4, 0.7))),
    's2sgrad.templates.constructors.arange_weights': (
        lambda s: (T.constructors.arange_weights(np.arange(s, s + 3.0, 0.5), s, s + 3.0, 0.5,
                                                 'start'),
                   T.constructors.arange_weights(np.arange(s, s + 3.0, 0.5), s, s + 3.0, 0.5,
                                                 'step')),
        lambda r: (float(r.uniform(0.1, 0.2)),)),
    's2sgrad.templates.definitions.axes_tuple': (
        lambda a: T.definitions.axes_tuple((0, -1), np.ndim(a)), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.check_quantiles': (
        lambda a: T.definitions.check_quantiles(np.clip(a, 0.0, 1.0)), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.check_vectors': (
        lambda a: T.definitions.check_vectors(np.ravel(a), a[0]), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.convolve_window': (
        lambda a: T.definitions.convolve_window(5, 3, 'same'), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.check_covariance': (
        T.definitions.check_covariance, lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.cumulative_axis': (
        lambda a: T.definitions.cumulative_axis(a, 1, None, None, 'np.cumulative_sum'),
        lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.initial_shape': (
        lambda a: T.definitions.initial_shape(a, -1), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.full_indices': (
        lambda a: T.definitions.full_indices(4, 2), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.nan_unless_positive': (
        T.definitions.nan_unless_positive, lambda r: (np.abs(_mat(r)) + 0.5,)),
    's2sgrad.templates.constructors.unget_key': (
        lambda k: T.constructors.unget_key(1.0, {'a': 1.0}, k), lambda r: (_vec(r),)),
    's2sgrad.templates.definitions.point_size': (
        lambda m: T.definitions.point_size(m, np.eye(3)), lambda r: (_vec(r),)),
    's2sgrad.templates.definitions.psd_kept': (
        lambda a: T.definitions.psd_kept(np.linalg.eigvalsh(a @ a.T)), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.psd_outside': (
        lambda d: T.definitions.psd_outside(d, np.diag([1.0, 2.0, 0.0])),
        lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.nan_where_nan': (
        T.definitions.nan_where_nan, lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.running_positions': (
        lambda x: T.definitions.running_positions(x, 1, np.maximum), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.spacing_shape': (
        lambda a: T.definitions.spacing_shape(np.ndim(a), 0, 2), lambda r: (_mat(r),)),
    's2sgrad.templates.definitions.not_lazy': (
        T.definitions.not_lazy, lambda r: (_mat(r), 'np.median')),
    's2sgrad.templates.definitions.refuse': (
        T.definitions.refuse, lambda r: ('np.median without out=',)),
    's2sgrad.templates.statistics.window_axes': (
        lambda a: T.statistics.window_axes(np.ndim(a), (2, 1), (1, 0)), lambda r: (_mat(r),)),
    's2sgrad.templates.statistics.inserted_sources': (
        lambda a: T.statistics.inserted_sources(np.shape(a), [0, 2], (2,), 1),
        lambda r: (_mat(r),)),
    's2sgrad.templates.statistics.nan_count': (
        lambda a: T.statistics.nan_count(np.where(a > 0, np.nan, a)), lambda r: (_mat(r),)),
    's2sgrad.templates.statistics.trimmed_count': (
        lambda a: T.statistics.trimmed_count(np.size(a), 0.2), lambda r: (_mat(r),)),
    's2sgrad.templates.decompositions.complex_results': (
        T.decompositions.complex_results, lambda r: ('np.linalg.eig', _mat(r))),
    's2sgrad.templates.decompositions._svd_full': (
        T.decompositions._svd_full, lambda r: (True, False)),
    's2sgrad.templates.elementwise.clip_lower': (
        lambda a: T.elementwise.clip_lower(a, -0.5, 0.5), lambda r: (_vec(r),)),
    's2sgrad.templates.elementwise.clip_passes': (
        lambda a: T.elementwise.clip_passes(a, -0.5, 0.5), lambda r: (_vec(r),)),
    's2sgrad.templates.elementwise.clip_upper': (
        lambda a: T.elementwise.clip_upper(a, -0.5, 0.5), lambda r: (_vec(r),)),
    's2sgrad.templates.elementwise.tie_share': (
        lambda a: T.elementwise.tie_share(a, np.round(a)), lambda r: (_vec(r),)),
    's2sgrad.templates.indexing.along_axis_index': (
        lambda a: T.indexing.along_axis_index(a, np.array([[0], [2]]), 1),
        lambda r: (r.normal(size=(2, 3)),)),
    's2sgrad.templates.indexing.none_true': (
        lambda x: T.indexing.none_true([x > 0.5, x < -0.5]), lambda r: (_vec(r),)),
    's2sgrad.templates.indexing.sort_order': (T.indexing.sort_order, lambda r: (_vec(r),)),
    's2sgrad.templates.indexing.take_index': (
        lambda a: T.indexing.take_index(a, np.array([0, 2]), 1, 'clip'),
        lambda r: (_mat(r),)),
    's2sgrad.templates.linalg._cholesky_uplo': (
        T.linalg._cholesky_uplo, lambda r: (True,)),
    's2sgrad.templates.linalg._eye_like': (T.linalg._eye_like, lambda r: (_vec(r),)),
    's2sgrad.templates.linalg._masks': (
        lambda x: T.linalg._masks(x, 'L'), lambda r: (_spd(r),)),
    's2sgrad.templates.linalg._norm_power': (
        lambda x: T.linalg._norm_power(x, 3, None), lambda r: (_vec(r),)),
    's2sgrad.templates.linalg._equal_pairs': (
        lambda s: T.linalg._equal_pairs(np.sort(np.abs(s))[::-1]), lambda r: (_vec(r, 3),)),
    's2sgrad.templates.linalg._turn_free': (
        lambda s, j: T.linalg._turn_free(np.sort(np.abs(s))[::-1], j - j.T, j.T - j),
        lambda r: (_vec(r, 3), _mat(r))),
    's2sgrad.templates.linalg._square': (
        lambda a: T.linalg._square(a, 'det'), lambda r: (_mat(r),)),
    's2sgrad.templates.linalg._uplo_of': (T.linalg._uplo_of, lambda r: (False,)),
    's2sgrad.templates.products.cross_axis': (
        lambda a, b: T.products.cross_axis(a, b, 'c'), lambda r: (_vec(r, 3), _vec(r, 3))),
    's2sgrad.templates.products.cross_order': (
        lambda a: T.products.cross_order(a, 0, True), lambda r: (r.normal(size=(3, 2)),)),
    's2sgrad.templates.products.einsum_adjoint_spec': (
        lambda a, b: T.products.einsum_adjoint_spec('...ij,jk', 1, a, b),
        lambda r: (_mat(r), _mat(r))),
    's2sgrad.templates.products.einsum_mask': (
        lambda a: T.products.einsum_mask('ii->', 0, a), lambda r: (_mat(r),)),
    's2sgrad.templates.products.einsum_sublist_form': (
        T.products.einsum_sublist_form, lambda r: (_mat(r),)),
    's2sgrad.templates.products.inner_axes': (
        lambda a, b: T.products.inner_axes(a, b, 0), lambda r: (_mat(r), _mat(r))),
    's2sgrad.templates.products.kron_axes': (
        lambda a, b: T.products.kron_axes(a, b, 1), lambda r: (_mat(r), _vec(r, 2))),
    's2sgrad.templates.products.kron_pad': (T.products.kron_pad,
                                            lambda r: (_vec(r, 2), _mat(r))),
    's2sgrad.templates.products.kron_shape': (T.products.kron_shape,
                                              lambda r: (_vec(r, 2), _mat(r))),
    's2sgrad.templates.products.tensordot_axes': (
        lambda a, b: T.products.tensordot_axes(a, b, 1, 0), lambda r: (_mat(r), _mat(r))),
    's2sgrad.templates.products.tensordot_order': (
        lambda a, b: T.products.tensordot_order(a, b, 1, 1), lambda r: (_mat(r), _mat(r))),
    's2sgrad.templates.reductions.centering': (
        T.reductions.centering, lambda r: (_mat(r),)),
    's2sgrad.templates.reductions.dof': (
        lambda a: T.reductions.dof(a, 0, 1), lambda r: (_mat(r),)),
    's2sgrad.templates.reductions.nancount': (
        lambda a: T.reductions.nancount(a, 0), lambda r: (_mat(r),)),
    's2sgrad.templates.reductions.notnan': (T.reductions.notnan, lambda r: (_mat(r),)),
    's2sgrad.templates.reductions.third_order': (
        T.reductions.third_order, lambda r: ('np.prod',)),
    's2sgrad.templates.scalars.sorting_order': (
        lambda a: T.scalars.sorting_order(a, True), lambda r: (_vec(r),)),
    's2sgrad.templates.definitions.block_depth': (
        T.definitions.block_depth, lambda r: ([[_vec(r)], [_vec(r)]],)),
    's2sgrad.templates.definitions.block_ndim': (
        T.definitions.block_ndim, lambda r: ([[_vec(r)], [_vec(r)]],)),
    's2sgrad.templates.definitions.frexp_exponent': (
        T.definitions.frexp_exponent, lambda r: (_vec(r) * 5.0,)),
    's2sgrad.templates.scalars.key_position': (
        lambda a: T.scalars.key_position(a, True, key=abs), lambda r: (_vec(r),)),
    's2sgrad.templates.shaping.layout_order': (
        lambda a: T.shaping.layout_order(a, 'K'), lambda r: (_mat(r),)),
    's2sgrad.templates.scipy_special.no_derivative': (
        T.scipy_special.no_derivative, lambda r: ('polygamma', 'n')),
}

METHOD_ROWS = {
    'all': lambda x: x.all(), 'any': lambda x: (x > 0).any(), 'argmax': lambda x: x.argmax(),
    'argmin': lambda x: x.argmin(), 'argsort': lambda x: x.argsort(),
    'nonzero': lambda x: (x > 0).nonzero(), 'round': lambda x: x.round(),
    'searchsorted': lambda x: np.sort(x).searchsorted(0.1),
    'count': lambda x: list(x).count(x[1]), 'index': lambda x: list(x).index(x[2]),
    'keys': lambda x: list(dict(zip('abcd', x)).keys()),
}


BUILT_IN_ROOTS = {'builtins', 'math', 'operator', 'numpy', 'scipy', 'cupy', 'cupyx', 's2sgrad'}


def _name(key):
    return listing._qualified(key, listing._names())


def _perturb(args, direction_rng, step):
    """`args` with every float (Python, NumPy scalar or array) moved by `step` along a random
    direction; everything else as it is."""
    def move(value):
        if isinstance(value, (list, tuple)):
            return type(value)(move(v) for v in value)
        if isinstance(value, bool) or isinstance(value, (int, np.integer)):
            return value
        if isinstance(value, float) or isinstance(value, np.floating):
            return type(value)(value + step * direction_rng.normal())
        if isinstance(value, np.ndarray) and value.dtype.kind == 'f':
            return value + step * direction_rng.normal(size=value.shape)
        return value
    return tuple(move(a) for a in args)


def _same(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and \
            np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc')
    return type(a) is type(b) and (a == b or a is b or (a != a and b != b))


def _outcome(func, args):
    try:
        return func(*args)
    except Exception:  # noqa: BLE001 -- a helper that refuses (raises) carries no derivative
        return RAISES


def _check_zero_derivative(func, make_args, seed):
    rng = np.random.default_rng(seed)
    args = make_args(rng)
    base = _outcome(func, args)
    for trial in range(3):
        plus = _outcome(func, _perturb(args, np.random.default_rng(100 + trial), H))
        minus = _outcome(func, _perturb(args, np.random.default_rng(100 + trial), -H))
        if base is RAISES:
            assert plus is RAISES and minus is RAISES
            continue
        assert _same(plus, base) and _same(minus, base), (base, plus, minus)
        for value in (plus, minus):  # central differences of numeric results are exactly 0
            if isinstance(value, np.ndarray) and value.dtype.kind in 'fc':
                assert np.all((plus - minus) / (2 * H) == 0)


def test_every_registered_entry_has_a_row():
    registered = {_name(key) for key in rules.NONDIFFERENTIABLE}
    # entries of s2sgrad itself (other test modules register functions of their own)
    registered = {name for name in registered if name.split('.')[0] in BUILT_IN_ROOTS}
    missing = sorted(registered - set(ROWS))
    assert not missing, f'add a row (a call at a random point) to ROWS in {__file__} for {missing}'
    assert set(METHOD_ROWS) == set(rules.NONDIFFERENTIABLE_METHODS)
    assert rules.NONDIFFERENTIABLE_MODULES == set()  # a whole module never qualifies


# -- the table of the runtime helpers --------------------------------------------------------

RUNTIME_HELPERS = sorted(name for name, value in vars(runtime).items()
                         if not name.startswith('_') and inspect.isfunction(value) and
                         value.__module__ == runtime.__name__)


def test_every_runtime_helper_is_declared():
    missing = [name for name in RUNTIME_HELPERS
               if rules._key(getattr(runtime, name)) not in rules.RUNTIME_HELPERS]
    assert not missing, (f'declare how {missing} are differentiated in HELPERS of '
                         f'{T.runtime_helpers.__file__} (and write their rules there)')


@pytest.mark.parametrize('name', RUNTIME_HELPERS)
def test_runtime_helper_has_the_rules_its_kind_says(name):
    func = getattr(runtime, name)
    kind = rules.RUNTIME_HELPERS.get(rules._key(func))
    if kind is None:
        pytest.skip('not declared: see test_every_runtime_helper_is_declared')
    modes = ' '.join(mode for mode, table in (('reverse', rules.ADJOINTS),
                                              ('forward', rules.TANGENTS))
                     if rules._key(func) in table)
    nondifferentiable = rules.is_nondifferentiable(func)
    where = f'runtime.{name} in HELPERS of {T.runtime_helpers.__file__}'
    if kind == 'non-differentiable':
        assert nondifferentiable and not modes, f'{where}: no rule goes with {kind!r}'
    elif kind == 'no rule':
        assert not nondifferentiable and not modes, f'{where} says {kind!r}, but it has {modes}'
    else:
        assert modes == kind and not nondifferentiable, \
            f'{where} says {kind!r}; its rules: {modes or "none"} (register the rules there)'


@pytest.mark.parametrize('name', sorted(ROWS))
def test_registered_function_has_zero_derivative_almost_everywhere(name):
    func, make_args = ROWS[name]
    for seed in range(3):
        _check_zero_derivative(func, make_args, seed)


@pytest.mark.parametrize('name', sorted(METHOD_ROWS))
def test_registered_method_has_zero_derivative_almost_everywhere(name):
    for seed in range(3):
        _check_zero_derivative(METHOD_ROWS[name], lambda r: (_vec(r, 5),), seed)


@pytest.mark.parametrize('name', sorted(rules.NONDIFFERENTIABLE_ATTRIBUTES))
def test_registered_attribute_is_not_float_valued(name):
    for seed in range(3):
        _check_zero_derivative(lambda x: getattr(x, name), lambda r: (_mat(r),), seed)


# -- what the audit removed: these move with their float arguments, so they have rules or raise

def mod_of(x):
    return operator.mod(x, 7.0) + x % 2.5


def linspace_of(x, y):
    return np.sum(np.linspace(x, y, 5) ** 2)


def arange_of(x):
    return np.sum(np.arange(x, x + 2.0, 0.5) ** 2)


def full_of(x):
    return np.sum(np.full((2, 3), x) ** 2) + np.sum(np.full_like(np.ones(3), x * 2.0) ** 3)


def bincount_of(w):
    return np.sum(np.bincount(np.array([0, 2, 2, 1]), weights=w) ** 2)


def item_of(x):
    return x.item(1) ** 2 + x[0].item() * x.item(2)


def tolist_of(x):
    values = x.tolist()
    return values[0] * values[1] + values[2] ** 2


def r_of(x):
    return np.sum(np.r_[x, x[0] * 2.0, 0:2] ** 2 * np.arange(1.0, 7.0))


def c_of(x):
    return np.sum(np.c_[x, x ** 2] * np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))


def floordiv_of(x):
    return np.sum(x // 0.7 * x)


MOVING = [
    (mod_of, lambda r: (float(r.uniform(0.2, 0.8)) + 3.0,), 0),
    (linspace_of, lambda r: (float(r.normal()), float(r.normal())), (0, 1)),
    (arange_of, lambda r: (float(r.uniform(0.1, 0.2)),), 0),
    (full_of, lambda r: (float(r.normal()),), 0),
    (bincount_of, lambda r: (r.normal(size=4),), 0),
    (item_of, lambda r: (r.normal(size=3),), 0),
    (tolist_of, lambda r: (r.normal(size=3),), 0),
    (r_of, lambda r: (r.normal(size=3),), 0),
    (c_of, lambda r: (r.normal(size=3),), 0),
    (floordiv_of, lambda r: (_vec(r, 3),), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', MOVING, ids=[m[0].__name__ for m in MOVING])
def test_removed_entries_have_rules_checked_against_differences(f, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    s2sgrad.check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'), order=2)


def zip_of(x):
    pairs = list(zip(x, x))
    return pairs[0][0] * pairs[1][1]


def str_of(x):
    return float(str(x))


def unique_of(x):
    return np.sum(np.unique(x) ** 2)


def normal_of(x):
    return np.sum(np.random.normal(x, 1.0))


def float_key_of(x, table):
    return table[x]


def test_a_list_of_zipped_pairs_is_differentiated():
    # (``list(zip(x, x))`` is read as the list comprehension of the pairs)
    check_grads(zip_of, (np.array([0.3, 1.2]),), modes=('rev', 'fwd'), order=2)


@pytest.mark.parametrize('f', [str_of, unique_of, normal_of])
def test_functions_passing_values_through_raise(f):
    with pytest.raises(s2sgrad.errors.NoRuleError):
        s2sgrad.grad(f)(1.5 if f is str_of else np.array([0.3, 1.2]))


def test_float_key_into_a_constant_object_raises_integer_index_is_zero():
    with pytest.raises(s2sgrad.errors.NoRuleError, match='index'):
        s2sgrad.grad(float_key_of)(0.5, {0.5: 2.0})


def integer_index_of(x, i):
    return np.array([1.0, 2.0, 3.0])[i] * x + np.ones(3)[:i].sum() * x


def test_integer_index_depending_on_an_integer_argument_has_zero_derivative():
    assert s2sgrad.grad(integer_index_of)(1.5, 2) == 5.0
    assert s2sgrad.grad(integer_index_of, wrt=1)(1.5, 2) == 0.0
    assert s2sgrad.jvp(integer_index_of, wrt=1)(1.5, 2, 1.0) == 0.0


@pytest.mark.parametrize('func, make_args', [
    (lambda x: np.full(3, x), lambda r: (float(r.normal()),)),
    (lambda x, y: np.linspace(x, y, 4), lambda r: (float(r.normal()), 2.0)),
    (operator.mod, lambda r: (float(r.uniform(3.1, 3.9)), 7.0)),
    (lambda x: np.unique(x), lambda r: (_vec(r),)),
    (str, lambda r: (float(r.normal()),)),
], ids=['full', 'linspace', 'mod', 'unique', 'str'])
def test_the_audit_catches_functions_whose_value_moves(func, make_args):
    with pytest.raises(AssertionError):
        _check_zero_derivative(func, make_args, 0)


def operator_functions(x, y):
    a = operator.add(x, y) * operator.sub(x, 1.5) + operator.truediv(x, y)
    b = operator.pow(operator.neg(a), 2) + operator.pos(operator.getitem(x, 1)) * operator.mod(
        y, 0.7)
    return np.sum(b) + operator.matmul(x, y)


def operator_abs(x):
    return np.sum(operator.abs(x))


def test_operator_module_functions_are_correct_or_raise():
    rng = np.random.default_rng(3)
    args = [rng.normal(size=3), rng.uniform(1.1, 1.3, size=3)]
    s2sgrad.check_grads(operator_functions, args, wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    with pytest.raises(s2sgrad.errors.NoRuleError, match='abs'):
        s2sgrad.grad(operator_abs)(np.ones(2))
