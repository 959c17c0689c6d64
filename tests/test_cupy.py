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
from s2sgrad.runtime_checks import not_shared

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import corpus_users  # noqa: E402

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


def _device_tree(value, cupy):
    """NumPy arrays (in lists, tuples, dicts) moved to the device."""
    if isinstance(value, np.ndarray):
        return cupy.asarray(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_device_tree(v, cupy) for v in value)
    if isinstance(value, dict):
        return {k: _device_tree(v, cupy) for k, v in value.items()}
    return value


def _assert_close_tree(got, want, cupy, label):
    if isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), label
        for g, w in zip(got, want):
            _assert_close_tree(g, w, cupy, label)
        return
    if isinstance(want, dict):
        for key in want:
            _assert_close_tree(got[key], want[key], cupy, f'{label}[{key!r}]')
        return
    if isinstance(want, np.ndarray) and want.ndim > 0:
        assert isinstance(got, cupy.ndarray), f'{label}: the result left the device'
    got = cupy.asnumpy(got) if isinstance(got, cupy.ndarray) else got
    single = getattr(want, 'dtype', None) in (np.float32, np.complex64)
    np.testing.assert_allclose(np.asarray(got, dtype=complex), np.asarray(want, dtype=complex),
                               rtol=1e-4 if single else 1e-6, atol=1e-9, equal_nan=True,
                               err_msg=label)


USER_CASE_IDS = [case[0].__name__ for case in corpus_users.CASES]


def _close(got, want, cupy):
    try:
        _assert_close_tree(got, want, cupy, '')
    except AssertionError:
        return False
    return True


def _central_difference(f, args, position, direction, cupy):
    """The derivative of `f` on the device at `args` along `direction` (of one argument)."""
    eps = 1e-6

    def at(sign):
        moved = list(args)
        moved[position] = args[position] + sign * eps * direction
        return f(*_device_tree(moved, cupy))
    return (cupy.asnumpy(cupy.asarray(at(1))) - cupy.asnumpy(cupy.asarray(at(-1)))) / (2 * eps)


def _check_on_the_device_value(f, args, position, label, got, tangent, cupy):
    """`got` (the device's gradient or jvp) against central differences of what `f` computes
    on the device, where that is not what it computes with NumPy."""
    if not isinstance(args[position], np.ndarray) or args[position].dtype != np.float64:
        return
    if label == 'gradient':
        direction = np.random.default_rng(2).standard_normal(args[position].shape)
        slope = float(np.sum(cupy.asnumpy(got) * direction))
        np.testing.assert_allclose(slope, _central_difference(f, args, position, direction, cupy),
                                   rtol=1e-5, atol=1e-7, err_msg=f'{f.__name__}: {label}')
    elif label == 'jvp':
        np.testing.assert_allclose(cupy.asnumpy(cupy.asarray(got)),
                                   _central_difference(f, args, position, tangent, cupy),
                                   rtol=1e-5, atol=1e-7, err_msg=f'{f.__name__}: {label}')


@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize('f, make_args, wrt', corpus_users.CASES, ids=USER_CASE_IDS)
def test_users_corpus_on_the_device(f, make_args, wrt):
    """The users' corpus on CuPy arrays: the gradient, the forward-mode derivative and (scalar
    functions) the Hessian-vector product equal the NumPy ones (which tests/test_oracle.py
    checks against central differences), or both refuse alike. Where CuPy itself computes
    another value (its item of an array is a 0-d view, and an assignment with repeated
    indices stores one of their values, not the last), the device's derivatives are checked
    against central differences of what CuPy computes, or are a loud refusal. The module's
    array constants are moved to the device with the arguments (`fd`), as a user would."""
    import cupy
    from test_cupy_rules import on_device
    args = make_args(np.random.default_rng(0))
    fd = on_device(f, False)
    try:
        device_value = fd(*_device_tree(args, cupy))
    except (TypeError, ValueError, AttributeError, NotImplementedError) as error:
        pytest.skip(f'{f.__name__} itself does not run on CuPy arrays: '
                    f'{type(error).__name__}: {error}')
    same_value = _close(device_value, f(*args), cupy)
    several = isinstance(wrt, (tuple, list))
    names = list(__import__('inspect').signature(f).parameters)
    positions = [names.index(w) if isinstance(w, str) else w for w in
                 (wrt if several else (wrt,))]
    tangents = tuple(np.ones_like(args[p], dtype=float) if isinstance(args[p], np.ndarray)
                     else 1.0 for p in positions)
    tangent = tangents if several else tangents[0]
    operators = [('gradient', s2sgrad.grad, ())]
    if all(isinstance(args[p], (np.ndarray, float)) for p in positions):
        operators.append(('jvp', s2sgrad.jvp, (tangent,)))
        if not several and f not in corpus_users.FIRST_ORDER and np.ndim(f(*args)) == 0:
            operators.append(('hvp', s2sgrad.hvp, (tangents[0],)))
    for label, operator, extra in operators:
        try:
            want = operator(f, wrt=wrt)(*args, *extra)
        except s2sgrad.errors.S2SError:
            with pytest.raises(s2sgrad.errors.S2SError):
                operator(fd, wrt=wrt)(*_device_tree(args, cupy), *_device_tree(extra, cupy))
            continue
        device_args = _device_tree(args, cupy)
        if same_value:
            got = operator(fd, wrt=wrt)(*device_args, *_device_tree(extra, cupy))
            _assert_close_tree(got, want, cupy, f'{f.__name__}: the {label}')
        else:
            try:
                got = operator(fd, wrt=wrt)(*device_args, *_device_tree(extra, cupy))
            except s2sgrad.errors.S2SError:
                continue
            if not several:
                _check_on_the_device_value(fd, args, positions[0], label, got, tangent, cupy)
        for passed, original in zip(device_args, args):  # (inputs are never modified)
            if isinstance(original, np.ndarray):
                np.testing.assert_array_equal(cupy.asnumpy(passed), original)


def ping_pong(x):
    u = x.copy()
    w = np.zeros_like(x)
    for _ in range(3):
        w[1:-1] = 0.5 * u[1:-1] + 0.25 * (u[2:] + u[:-2])
        w[0], w[-1] = u[0], u[-1]
        u, w = w, u
    return (u ** 2).sum()


@needs_gpu
@pytest.mark.gpu
def test_separate_buffers_written_in_turn_on_the_device():
    """Two CuPy buffers written in turn (a stencil's double buffer) share no memory: the
    gradient is the one worked out by hand, the product of the stencils; the run-time check
    still refuses CuPy arrays that share memory."""
    import cupy
    x = np.linspace(0.5, 2.0, 7)
    stencil = np.zeros((7, 7))
    stencil[0, 0] = stencil[-1, -1] = 1.0
    for i in range(1, 6):
        stencil[i, i - 1:i + 2] = 0.25, 0.5, 0.25
    m = np.linalg.matrix_power(stencil, 3)
    expected = 2 * m.T @ (m @ x)
    got = s2sgrad.grad(ping_pong)(cupy.asarray(x))
    assert isinstance(got, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(got), expected, rtol=1e-12)
    a, b = cupy.zeros(5), cupy.zeros(5)
    not_shared(a, 'separate', b)
    not_shared(a[:2], 'separate', a[2:])
    for view in (a, a[1:], a[::2], a.reshape(5, 1)):
        with pytest.raises(s2sgrad.errors.InPlaceError, match='shared'):
            not_shared(view, 'shared', a)
