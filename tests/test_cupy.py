"""CuPy: gradients on the GPU equal the NumPy ones and never leave the device.

The tests that need a CUDA device skip, with the reason, where there is none; the mapping of
CuPy functions to the NumPy rules is checked everywhere.
"""
import os
import sys
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad import rules

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

try:
    import cupy as cp
except ImportError:  # (the tests that use it skip)
    cp = None


def _device_count():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


needs_gpu = pytest.mark.skipif(_device_count() == 0,
                               reason='CuPy with a CUDA device is needed (none here)')


def test_cupy_functions_use_the_numpy_rules(monkeypatch):
    """The public namespace holding a CuPy function names its NumPy twin (a stand-in CuPy
    here, laid out as CuPy is: cupy.dot and cupy.trace live in cupy.linalg's files)."""
    def function(name, module):
        return types.SimpleNamespace(__name__=name, __module__=module)

    tanh = function('cupy_tanh', 'cupy._core._kernel')
    total = function('sum', 'cupy._math.sumprod')
    dot = function('dot', 'cupy.linalg._product')
    trace = function('trace', 'cupy.linalg._norms')
    inv = function('inv', 'cupy.linalg._solve')
    erf = function('erf', 'cupyx.scipy.special._erf')
    private = function('dot', 'cupy._core')
    linalg = types.ModuleType('cupy.linalg')
    linalg.inv = inv
    cupy = types.ModuleType('cupy')
    cupy.tanh, cupy.sum, cupy.dot, cupy.trace, cupy.linalg = tanh, total, dot, trace, linalg
    gammaln = function('cupyx_scipy_special_gammaln', 'cupy._core._kernel')
    digamma = function('digamma', 'cupyx.scipy.special._digamma')
    special = types.ModuleType('cupyx.scipy.special')
    special.erf, special.gammaln, special.psi = erf, gammaln, digamma
    for name, module in [('cupy', cupy), ('cupy.linalg', linalg),
                         ('cupyx.scipy.special', special)]:
        monkeypatch.setitem(sys.modules, name, module)
    assert rules.numpy_equivalent(tanh) is np.tanh
    assert rules.numpy_equivalent(total) is np.sum
    assert rules.numpy_equivalent(dot) is np.dot
    assert rules.numpy_equivalent(trace) is np.trace
    assert rules.numpy_equivalent(inv) is np.linalg.inv
    assert rules.numpy_equivalent(private) is None
    assert rules.numpy_equivalent(np.tanh) is None
    try:
        import scipy.special
    except ImportError:
        return
    assert rules.numpy_equivalent(erf) is scipy.special.erf
    assert rules.numpy_equivalent(gammaln) is scipy.special.gammaln  # (a ufunc's name)
    assert rules.numpy_equivalent(digamma) is scipy.special.psi  # (found by identity)


def _to_device(value, cupy):
    return cupy.asarray(value) if isinstance(value, np.ndarray) else value


def _to_host(value, cupy):
    if isinstance(value, tuple):
        return tuple(_to_host(v, cupy) for v in value)
    return cupy.asnumpy(value) if isinstance(value, cupy.ndarray) else value


CASE_IDS = [case[0].__name__ for case in corpus.CASES]

HOST_ONLY = {
    # functions that themselves refuse CuPy arrays: np.array of a list of CuPy values, or a
    # NumPy constant combined with them (CuPy converts neither implicitly)
    'stack_columns', 'list_of_states', 'array_of_elements', 'array_of_appended',
    'array_of_nested_lists',
}


@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=CASE_IDS)
def test_corpus_gradients_on_the_device(f, make_args, wrt):
    import cupy
    args = make_args(np.random.default_rng(0))
    device_args = [_to_device(a, cupy) for a in args]
    if f.__name__ in HOST_ONLY:
        with pytest.raises(TypeError):
            f(*[_to_device(a, cupy) for a in args])
        return
    expected = s2sgrad.grad(f, wrt=wrt)(*args)
    got = s2sgrad.grad(f, wrt=wrt)(*device_args)
    for g, e in zip(got if isinstance(got, tuple) else (got,),
                    expected if isinstance(expected, tuple) else (expected,)):
        if isinstance(e, np.ndarray):
            assert isinstance(g, cupy.ndarray), f'{f.__name__}: gradient left the device'
        np.testing.assert_allclose(_to_host(g, cupy), e, rtol=1e-6, atol=1e-8)
    tangents = [cupy.ones_like(a) if isinstance(a, cupy.ndarray) else 1.0 for a in device_args]
    indices = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    names = list(__import__('inspect').signature(f).parameters)
    positions = [names.index(i) if isinstance(i, str) else i for i in indices]
    chosen = tuple(tangents[p] for p in positions)
    several = isinstance(wrt, (tuple, list))
    forward = s2sgrad.jvp(f, wrt=wrt)(*device_args, chosen if several else chosen[0])
    host_tangents = tuple(_to_host(t, cupy) for t in chosen)
    host = s2sgrad.jvp(f, wrt=wrt)(*args, host_tangents if several else host_tangents[0])
    np.testing.assert_allclose(float(_to_host(forward, cupy)), float(host), rtol=1e-6)


def cupy_written(x, W):
    return cp.sum(cp.tanh(x @ W) ** 2) + cp.mean(cp.exp(-x))


@needs_gpu
@pytest.mark.gpu
def test_function_written_with_cupy_calls():
    import cupy
    rng = np.random.default_rng(0)
    x, W = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    got = s2sgrad.grad(cupy_written, wrt=(0, 1))(cupy.asarray(x), cupy.asarray(W))
    assert all(isinstance(g, cupy.ndarray) for g in got)
    h = np.tanh(x @ W)
    gx = (2 * h * (1 - h ** 2)) @ W.T - np.exp(-x) / x.size
    gW = x.T @ (2 * h * (1 - h ** 2))
    np.testing.assert_allclose(cupy.asnumpy(got[0]), gx, rtol=1e-6)
    np.testing.assert_allclose(cupy.asnumpy(got[1]), gW, rtol=1e-6)
