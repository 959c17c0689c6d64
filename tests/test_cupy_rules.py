"""CuPy: every rule spec row of tests/test_rules_*.py run on CuPy arrays, compared with NumPy.

Each row's function is run twice on the device: as written (``np.*`` calls reaching CuPy through
NumPy's dispatch) and written with CuPy (its module's ``np`` bound to ``cupy``, ``special`` to
``cupyx.scipy.special``). Its arguments and its module's array constants are moved to the
device; the gradient (or vjp), the forward-mode derivative and, for scalar rows, the
Hessian-vector product must equal the NumPy ones (which the spec tables check against central
differences) and stay on the device. A row whose function itself does not run on CuPy arrays
(CuPy lacks the function) is skipped, naming the error.

Needs CuPy and a CUDA device; skipped, saying why, without one. ``S2SGRAD_FAKE_DEVICE=1`` runs
the same comparisons with NumPy standing in for the device (a check of this file's logic only).
"""
import importlib
import os
import sys
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.argtrees import leaves, map_leaves, random_cotangent, random_direction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROW_TABLES = [('test_rules_core', 'ROWS'), ('test_rules_ufuncs', 'ROWS'),
              ('test_rules_reductions', 'ROWS'), ('test_rules_shape_ops', 'ROWS'),
              ('test_rules_indexing', 'ROWS'), ('test_rules_linalg', 'ROWS'),
              ('test_rules_einsum', 'ROWS'), ('test_rules_einsum', 'SUBLIST_ROWS'),
              ('test_rules_differences', 'ROWS'), ('test_rules_special', 'ROWS'),
              ('test_rules_complex', 'ROWS')]


def _device_module():
    """CuPy when it has a CUDA device; NumPy under S2SGRAD_FAKE_DEVICE=1; else None."""
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception:  # noqa: BLE001 - any reason CuPy cannot run means no device
        pass
    return np if os.environ.get('S2SGRAD_FAKE_DEVICE') == '1' else None


XP = _device_module()
needs_gpu = pytest.mark.skipif(XP is None, reason='CuPy with a CUDA device is needed (none here)')


def _rows():
    rows = []
    for module_name, table in ROW_TABLES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:  # a table whose library is absent (scipy)
            rows.append(pytest.param(None, marks=pytest.mark.skip(reason=str(error)),
                                     id=f'{module_name}-import'))
            continue
        for row in getattr(module, table):
            rows.append(pytest.param(row, id=f'{module_name[11:]}-{row[0].__name__}'))
    return rows


def to_device(value):
    """NumPy arrays (in lists, tuples, dicts) moved to the device; everything else as it is."""
    if isinstance(value, np.ndarray):
        return XP.asarray(value) if XP is not np else value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(to_device(v) for v in value)
    if isinstance(value, dict):
        return {k: to_device(v) for k, v in value.items()}
    return value


def to_host(value):
    """Device arrays (in lists, tuples, dicts) brought back as NumPy arrays."""
    if XP is not np and isinstance(value, XP.ndarray):
        return XP.asnumpy(value)
    if isinstance(value, (list, tuple)):
        return type(value)(to_host(v) for v in value)
    if isinstance(value, dict):
        return {k: to_host(v) for k, v in value.items()}
    return value


def on_device(f, written_with_cupy):
    """`f` as its module would be with its arrays on the device and (`written_with_cupy`) its
    ``np`` bound to CuPy: new function objects of the same code (`f` and the module's other
    functions, which `f` may call) sharing one namespace, as a user's module would hold."""
    names = dict(f.__globals__)
    for name, value in f.__globals__.items():
        if isinstance(value, np.ndarray):
            names[name] = to_device(value)
        elif written_with_cupy and XP is not np and value is np:
            names[name] = XP
        elif written_with_cupy and XP is not np and getattr(value, '__name__', '') == \
                'scipy.special':
            import cupyx.scipy.special
            names[name] = cupyx.scipy.special
        elif isinstance(value, types.FunctionType) and value.__module__ == f.__module__:
            names[name] = _rebound(value, names)
    return _rebound(f, names)


def _rebound(f, names):
    g = types.FunctionType(f.__code__, names, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    g.__module__ = f.__module__
    return g


def _selected(f, wrt):
    names = list(f.__code__.co_varnames[:f.__code__.co_argcount])
    chosen = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    return [names.index(w) if isinstance(w, str) else w for w in chosen]


def _assert_same(device, host, label, single):
    """`device` (a result computed on the device) equals `host` and never left the device."""
    if isinstance(host, (list, tuple)):
        assert isinstance(device, (list, tuple)) and len(device) == len(host), label
        for k, (d_item, h_item) in enumerate(zip(device, host)):
            _assert_same(d_item, h_item, f'{label}[{k}]', single)
        return
    if isinstance(host, dict):
        for key in host:
            _assert_same(device[key], host[key], f'{label}[{key!r}]', single)
        return
    if isinstance(host, np.ndarray) and host.ndim > 0 and XP is not np:
        assert isinstance(device, XP.ndarray), \
            f'{label}: the result left the device ({type(device).__name__})'
    got = np.asarray(to_host(device), dtype=complex if np.iscomplexobj(host) else float)
    want = np.asarray(host, dtype=got.dtype)
    scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=1.0))
    rtol, atol = (1e-4, 1e-5 * scale) if single else (1e-6, 1e-10 * scale)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=label)


@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize('written_with_cupy', [False, True], ids=['np-calls', 'cupy-calls'])
@pytest.mark.parametrize('row', _rows())
def test_rule_on_the_device(row, written_with_cupy):
    f, make_args, wrt = row[:3]
    order = row[3] if len(row) > 3 else 2
    if written_with_cupy and XP is np:
        pytest.skip('written with CuPy: needs CuPy')
    args = make_args(np.random.default_rng(0))
    fd = on_device(f, written_with_cupy)
    dargs = to_device(args)
    try:
        y = fd(*to_device(args))
    except (TypeError, ValueError, AttributeError, NotImplementedError) as error:
        pytest.skip(f'{f.__name__} itself does not run on CuPy arrays: '
                    f'{type(error).__name__}: {error}')
    host_y = f(*args)
    _assert_same(y, host_y, f'{f.__name__}: the value', False)
    try:
        _compare_derivatives(f, fd, args, dargs, wrt, order, host_y)
    except TypeError as error:
        if f.__module__ != 'test_rules_special':
            raise
        # (README, Backends: SciPy functions that CuPy does not evaluate, such as the Bessel
        # functions of other orders in the derivatives of j1, i1, k1, raise there)
        pytest.skip(f'CuPy does not evaluate a SciPy function in the derivative of '
                    f'{f.__name__}: {error}')


def _compare_derivatives(f, fd, args, dargs, wrt, order, host_y):
    scalar = np.ndim(host_y) == 0
    rng = np.random.default_rng(1)
    u = 1.0 if scalar else random_cotangent(rng, host_y)
    for i in _selected(f, wrt):
        single = any(getattr(leaf, 'dtype', np.float64) == np.float32
                     for _, leaf in leaves(args[i]))
        v = random_direction(rng, args[i])
        v = map_leaves(lambda path, leaf: 0.0 if leaf is None else leaf, v)
        if scalar:
            host = s2sgrad.grad(f, wrt=i)(*args)
            got = s2sgrad.grad(fd, wrt=i)(*dargs)
        else:
            host = s2sgrad.vjp(f, wrt=i)(*args, u)
            got = s2sgrad.vjp(fd, wrt=i)(*dargs, to_device(u))
        _assert_same(got, host, f'{f.__name__}: the gradient w.r.t. argument {i}', single)
        host = s2sgrad.jvp(f, wrt=i)(*args, v)
        got = s2sgrad.jvp(fd, wrt=i)(*dargs, to_device(v))
        _assert_same(got, host, f'{f.__name__}: the forward-mode derivative w.r.t. {i}',
                     single)
        if order == 2 and scalar:
            host = s2sgrad.hvp(f, wrt=i)(*args, v)
            got = s2sgrad.hvp(fd, wrt=i)(*dargs, to_device(v))
            _assert_same(got, host, f'{f.__name__}: the Hessian-vector product w.r.t. {i}',
                         single)
    for (path, passed), (_, original) in zip(leaves(dargs), leaves(args)):
        np.testing.assert_array_equal(to_host(passed), original,
                                      err_msg=f'{f.__name__}: an argument was modified')
