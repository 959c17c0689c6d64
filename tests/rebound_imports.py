"""Names a module binds once, by an import or as the function's own name: derivatives of its
functions do not check them (tests/test_rebound_functions.py)."""
import numpy as np
from numpy import tanh

expm1 = np.expm1


def uses_imports(x):
    return np.sum(tanh(x) + expm1(x) * 2.0)
