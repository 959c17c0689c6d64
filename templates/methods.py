"""Array methods and attributes: which function's rule differentiates ``x.name(...)``."""
import numpy as np

from s2sgrad.rules import method, NONDIFFERENTIABLE_ATTRIBUTES, NONDIFFERENTIABLE_METHODS

METHODS = {
    'sum': np.sum,
    'mean': np.mean,
    'max': np.max,
    'min': np.min,
    'dot': np.dot,
    'reshape': np.reshape,
    'transpose': np.transpose,
    'ravel': np.ravel,
    'flatten': np.ravel,
    'squeeze': np.squeeze,
    'copy': np.copy,
}

for _name, _func in METHODS.items():
    method(_name, _func)

NONDIFFERENTIABLE_ATTRIBUTES.update({'shape', 'ndim', 'dtype', 'size', 'itemsize', 'nbytes'})
NONDIFFERENTIABLE_METHODS.update({'argmax', 'argmin', 'argsort', 'nonzero', 'any', 'all',
                                  'count', 'index'})
# ``x.item()`` and ``x.tolist()`` pass values through: they have rules (constructors.py).
