"""Derivative rules of s2sgrad, grouped by topic; importing this package registers them all."""
from . import (arithmetic, elementwise, scalars, scipy_special, reductions, cumulative,  # noqa
               shaping, joining, indexing, subscripts, products, linalg, decompositions,
               constructors, array_methods, nondiff, runtime_helpers, algebra, differences,
               definitions, scipy_linalg, statistics, distributions,
               matrix_functions)

__all__ = ['arithmetic', 'elementwise', 'scalars', 'scipy_special', 'reductions', 'cumulative',
           'shaping', 'joining', 'indexing', 'subscripts', 'products', 'linalg', 'decompositions',
           'constructors', 'array_methods', 'nondiff', 'runtime_helpers', 'algebra',
           'differences', 'definitions', 'scipy_linalg', 'statistics',
           'distributions', 'matrix_functions']
