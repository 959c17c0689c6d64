"""Array methods: which function's rule differentiates ``x.name(...)`` (with ``x`` first)."""
import numpy as np

from s2sgrad.errors import ComplexError
from s2sgrad.rules import adjoint, d, linear, method, tangent

from .constructors import item, tolist
from .products import dot_method
from .shaping import reshape_method


# -- x.astype(dtype): a float dtype passes the derivative on (cast); an integer or boolean one
#    makes a constant (the values are truncated: a zero derivative almost everywhere) -------------

def astype(a, dtype, order='K', casting='unsafe', subok=True, copy=True):
    """``a.astype(dtype, ...)`` (the function whose rules differentiate the method)."""
    return a.astype(dtype, order=order, casting=casting, subok=subok, copy=copy)


def _kind(x):
    return np.asarray(x).dtype.kind if not hasattr(x, 'dtype') else x.dtype.kind


def _checked(x, result):
    if _kind(result) == 'c' or _kind(x) == 'c':
        raise ComplexError(
            'x.astype(complex): complex values are not supported: s2sgrad differentiates real '
            'functions of real arguments (see the README, "Known limits"); keep the real and '
            'imaginary parts as separate real arrays')
    return _kind(result) == 'f'


def cast_back(g, x, result):
    """The adjoint of ``result = x.astype(dtype)``: `g` in the dtype of `x` (float64 for an
    integer `x`) when `result` is a float array, else zero (an integer or boolean `result`
    is a constant)."""
    if not _checked(x, result):
        return np.zeros_like(x, dtype=np.result_type(x, 1.0))
    return g.astype(np.result_type(x, 1.0)) if hasattr(g, 'astype') else g


def cast_forward(dx, result):
    """The tangent of ``result = x.astype(dtype)``: `dx` in the dtype of `result` when it is a
    float array, else zero (an integer or boolean `result` is a constant)."""
    if not _checked(dx, result):
        return np.zeros_like(result, dtype=np.result_type(dx, 1.0))
    return dx.astype(np.result_type(result)) if hasattr(dx, 'astype') else dx


@adjoint(astype)
def astype_adjoint(ans, a, dtype, order='K', casting='unsafe', subok=True, copy=True):
    d[a] = cast_back(d[ans], a, ans)


@tangent(astype)
def astype_tangent(ans, a, dtype, order='K', casting='unsafe', subok=True, copy=True):
    d[ans] = cast_forward(d[a], ans)


@adjoint(cast_back)
def cast_back_adjoint(ans, g, x, result):
    d[g] = cast_forward(d[ans], result)


linear(cast_back, 'd[g], x, result')


@adjoint(cast_forward)
def cast_forward_adjoint(ans, dx, result):
    d[dx] = cast_back(d[ans], dx, result)


linear(cast_forward, 'd[dx], result')


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
    'dot': dot_method,
    'reshape': reshape_method,
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
    'astype': astype,
    'conj': np.conj,
    'conjugate': np.conjugate,
}

for _name, _func in METHODS.items():
    method(_name, _func)
# (the methods without derivative, ``x.argmax()``, ...: nondiff.py)
