"""Derivative rules of s2sgrad, grouped by topic; importing this package registers them all."""
from . import (operators, elementwise, reductions, shapes, linalg, scalars, methods,  # noqa
               nondiff, generated, ufuncs, reductions_more, shape_ops, indexing, linear_algebra,
               special, subscripts, constructors, algebra)

__all__ = ['operators', 'elementwise', 'reductions', 'shapes', 'linalg', 'scalars', 'methods',
           'nondiff', 'generated', 'ufuncs', 'reductions_more', 'shape_ops', 'indexing',
           'linear_algebra', 'special', 'subscripts', 'constructors', 'algebra']
