"""Array methods: which function's rule differentiates ``x.name(...)`` (with ``x`` first)."""
import numpy as np

from s2sgrad.rules import method

from .constructors import item, tolist

METHODS = {
    'sum': np.sum,
    'mean': np.mean,
    'max': np.max,
    'min': np.min,
    'prod': np.prod,
    'var': np.var,
    'std': np.std,
    'cumsum': np.cumsum,
    'cumprod': np.cumprod,
    'trace': np.trace,
    'dot': np.dot,
    'reshape': np.reshape,
    'transpose': np.transpose,
    'ravel': np.ravel,
    'flatten': np.ravel,
    'squeeze': np.squeeze,
    'swapaxes': np.swapaxes,
    'repeat': np.repeat,
    'copy': np.copy,
    'clip': np.clip,
    'take': np.take,
    'diagonal': np.diagonal,
    'item': item,
    'tolist': tolist,
}

for _name, _func in METHODS.items():
    method(_name, _func)
# (the methods without derivative, ``x.argmax()``, ...: nondiff.py)
