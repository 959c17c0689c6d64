"""Derivative rules of s2sgrad, grouped by topic; importing this package registers them all."""
from . import operators, elementwise, reductions, shapes, linalg, scalars, methods, nondiff, generated  # noqa

__all__ = ['operators', 'elementwise', 'reductions', 'shapes', 'linalg', 'scalars', 'methods',
           'nondiff', 'generated']
