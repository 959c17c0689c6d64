"""Every corpus function: s2sgrad's gradient against central differences; deterministic source."""

import inspect
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad.checks import check_grads, numerical_grad  # noqa: E402


def _ids(cases):
    seen = {}
    out = []
    for f, _, _ in cases:
        name = f.__name__
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f'{name}-{seen[name]}')
    return out


IDS = _ids(corpus.CASES)


def _wrt_list(f, wrt):
    """(indices, is_tuple) for an int / name / tuple-or-list ``wrt``."""
    names = list(inspect.signature(f).parameters)
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    indices = [names.index(w) if isinstance(w, str) else w for w in items]
    return indices, isinstance(wrt, (tuple, list))


def _upcast(args):
    return [a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype == np.float32 else
            (np.float64(a) if isinstance(a, np.float32) else a) for a in args]


def _copies(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _check_kind(name, i, arg, g):
    """The gradient has the argument's type, shape and dtype."""
    where = f'{name}: gradient of argument {i}'
    if isinstance(arg, np.ndarray):
        assert isinstance(g, np.ndarray), f'{where} is {type(g).__name__}, expected ndarray'
        assert g.shape == arg.shape, f'{where} has shape {g.shape}, expected {arg.shape}'
        assert g.dtype == arg.dtype, f'{where} has dtype {g.dtype}, expected {arg.dtype}'
    else:
        assert type(g) is type(arg), f'{where} is {type(g).__name__}, expected {type(arg).__name__}'


@pytest.mark.parametrize('optimized', [True, False], ids=['optimized', 'raw'])
@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=IDS)
def test_gradient_matches_central_differences(f, make_args, wrt, optimized):
    args = make_args(np.random.default_rng(0))
    indices, is_tuple = _wrt_list(f, wrt)
    originals = _copies(args)

    df = s2sgrad.grad(f, wrt=wrt, optimized=optimized)
    result = df(*args)

    for a, o in zip(args, originals):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, o, err_msg=f'{f.__name__}: df modified an argument')
    if is_tuple:
        assert isinstance(result, tuple) and len(result) == len(indices), (
            f'{f.__name__}: wrt={wrt!r} must give a tuple of {len(indices)} gradients, '
            f'got {result!r}')
        grads = list(result)
    else:
        grads = [result]

    # The reference is computed in float64 (same mathematics, better precision).
    args64 = _upcast(args)
    value = abs(float(np.asarray(f(*_copies(args64))).reshape(())))
    for i, g in zip(indices, grads):
        arg = args[i]
        _check_kind(f.__name__, i, arg, g)
        expected = numerical_grad(f, args64, i, eps=1e-6)
        single = isinstance(arg, (np.ndarray, np.generic)) and arg.dtype == np.float32
        rtol, atol = (1e-3, 1e-4) if single else (1e-5, 1e-6)
        np.testing.assert_allclose(
            np.asarray(g, dtype=np.float64), expected, rtol=rtol, atol=atol * max(1.0, value),
            err_msg=f'{f.__name__}: gradient of argument {i} differs from central differences')


@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=IDS)
def test_generated_source_compiles_and_is_deterministic(f, make_args, wrt, private_cache):
    s2sgrad.clear_cache()
    first = s2sgrad.grad(f, wrt=wrt).source
    s2sgrad.clear_cache()
    second = s2sgrad.grad(f, wrt=wrt).source
    assert isinstance(first, str) and 'def ' in first
    compile(first, f'<generated gradient of {f.__name__}>', 'exec')
    assert first == second, f'{f.__name__}: generating the gradient twice gave different source'


def _float_cases():
    out = []
    for (f, make_args, wrt), case_id in zip(corpus.CASES, IDS):
        args = make_args(np.random.default_rng(0))
        indices, _ = _wrt_list(f, wrt)
        for i in indices:
            if type(args[i]) is float:
                out.append(pytest.param(f, make_args, i, id=f'{case_id}-arg{i}'))
    return out


@pytest.mark.parametrize('f, make_args, i', _float_cases())
def test_second_order_for_float_arguments(f, make_args, i):
    """Generated code is differentiable again: grad(grad(f)) against central differences."""
    args = make_args(np.random.default_rng(0))
    check_grads(f, args, wrt=i, order=2)


def _direction(arg, rng):
    if isinstance(arg, np.ndarray):
        return rng.standard_normal(arg.shape).astype(arg.dtype)
    return float(rng.standard_normal())


@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=IDS)
def test_forward_mode_matches_directional_differences(f, make_args, wrt):
    args = make_args(np.random.default_rng(0))
    indices, is_tuple = _wrt_list(f, wrt)
    rng = np.random.default_rng(1)
    tangents = [_direction(args[i], rng) for i in indices]
    originals = _copies(args)
    got = s2sgrad.jvp(f, wrt=wrt)(*args, tuple(tangents) if is_tuple else tangents[0])
    for a, o in zip(args, originals):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, o, err_msg=f'{f.__name__}: jvp modified an argument')
    args64 = _upcast(args)
    eps = 1e-6

    def shifted(sign):
        moved = _copies(args64)
        for i, t in zip(indices, tangents):
            moved[i] = moved[i] + sign * eps * (np.asarray(t, dtype=np.float64)
                                                if isinstance(t, np.ndarray) else t)
        return float(np.asarray(f(*moved)).reshape(()))
    expected = (shifted(1.0) - shifted(-1.0)) / (2 * eps)
    single = any(isinstance(args[i], np.ndarray) and args[i].dtype == np.float32
                 for i in indices)
    rtol, atol = (1e-3, 1e-4) if single else (1e-5, 1e-6)
    value = abs(float(np.asarray(f(*_copies(args64))).reshape(())))
    np.testing.assert_allclose(float(np.asarray(got).reshape(())), expected, rtol=rtol,
                               atol=atol * max(1.0, value), err_msg=f.__name__)


@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=IDS)
def test_check_grads_both_modes_second_order(f, make_args, wrt):
    """Forward mode, reverse mode, and forward over reverse (hvp) on every corpus function."""
    args = make_args(np.random.default_rng(0))
    indices, _ = _wrt_list(f, wrt)
    args64 = _upcast(args)
    check_grads(f, args64, wrt=tuple(indices), modes=('rev', 'fwd'), order=2, rtol=1e-4,
                atol=1e-6)


@pytest.mark.parametrize('f, make_args, wrt', corpus.CASES, ids=IDS)
def test_hessian_matches_differences_of_the_gradient(f, make_args, wrt):
    """The full Hessian (forward over reverse) of every corpus function, first argument."""
    args = _upcast(make_args(np.random.default_rng(0)))
    indices, _ = _wrt_list(f, wrt)
    i = indices[0]
    x = args[i]
    hessian = np.asarray(s2sgrad.hessian(f, wrt=i)(*_copies(args)))
    g = s2sgrad.grad(f, wrt=i)
    eps = 1e-6
    columns = []
    for k in range(np.size(x)):
        direction = np.zeros(np.shape(x))
        direction.flat[k] = 1.0
        plus, minus = _copies(args), _copies(args)
        plus[i] = x + eps * (direction if np.ndim(x) else 1.0)
        minus[i] = x - eps * (direction if np.ndim(x) else 1.0)
        columns.append((np.asarray(g(*plus)) - np.asarray(g(*minus))) / (2 * eps))
    expected = np.stack(columns, axis=-1).reshape(np.shape(x) + np.shape(x))
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6 * scale,
                               err_msg=f.__name__)
