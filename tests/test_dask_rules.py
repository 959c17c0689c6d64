"""Every rule's derivative on dask arrays stays lazy (issue #14, the rules' part).

Each row of the rule spec tables (tests/test_rules_*.py ``ROWS``, all of them, and a few rows of
this file's own) runs with its floating-point array arguments (``ndim >= 1``) as dask arrays
chunked along the first axis (in square blocks where dask's linalg needs them). The gradient
(reverse mode) and the tangent (forward mode, first order only: second order is too slow here)
must equal NumPy's and, where the function itself computes nothing, be dask arrays built under a
scheduler that refuses to run (as in tests/test_dask.py). Where the function computes itself
(np.asarray, SciPy's logsumexp), only the values are compared.

Rows are skipped, by name and reason, where:

- dask cannot run the function itself: it lacks the NumPy function or an argument of it (a
  fallback to NumPy, which computes, is an error here), or it computes another value than
  NumPy (np.linalg.cholesky returns the upper factor, qr other signs, select with an array
  default another shape): that is dask's limit, not the rule's;
- the row has no floating-point array argument, so nothing is lazy.

No rule's derivative is exempt: the three that once needed what dask lacks now avoid it (svd's
adjoint recomputes the factors with dask's own svd, take's tangent gives ``mode`` only where it
is not the default, digamma's derivative is the ufunc ``zeta(2, x)``).

The helpers that rules call are also compared with NumPy on dask arrays directly, with
arguments the rows do not reach (`HELPER_CASES`).
"""
import collections
import os
import sys

import numpy as np
import pytest

import s2sgrad

da = pytest.importorskip('dask.array', reason="dask is not installed (pip install -e '.[dask]')")
dask = pytest.importorskip('dask')

# A NumPy function that dask does not implement falls back to NumPy, computing its dask
# arguments (with this warning): in s2sgrad's rules and helpers, that is a bug.
pytestmark = pytest.mark.filterwarnings(
    'error:The `numpy.* function is not implemented by Dask array:FutureWarning')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_dask import (Computed, _assert_equal, _jvp, _random_tangents,  # noqa: E402
                       _refuse, _tuple)
import test_definitions  # noqa: E402
import test_rules_complex  # noqa: E402
import test_rules_core  # noqa: E402
import test_rules_differences  # noqa: E402
import test_rules_einsum  # noqa: E402
import test_rules_indexing  # noqa: E402
import test_rules_linalg  # noqa: E402
import test_rules_reductions  # noqa: E402
import test_rules_shape_ops  # noqa: E402
import test_rules_special  # noqa: E402
import test_rules_ufuncs  # noqa: E402


@pytest.fixture(autouse=True)
def _in_this_thread():
    """The graphs compute in the calling thread: on these small arrays dask's thread pool
    costs more than the work (a quarter of this file's time), and the numbers do not depend
    on the scheduler (tests/test_dask.py computes with the default threaded one, and
    tests/test_dask_distributed.py on a cluster)."""
    with dask.config.set(scheduler='synchronous'):
        yield


MODULES = [test_definitions, test_rules_complex, test_rules_core, test_rules_differences,
           test_rules_einsum, test_rules_indexing, test_rules_linalg, test_rules_reductions,
           test_rules_shape_ops, test_rules_special, test_rules_ufuncs]


def _first_axis(value):
    """Chunks along the first axis (two or more where it has two rows or more)."""
    return (max(1, value.shape[0] // 2),) + (-1,) * (value.ndim - 1)


def _every_axis(value):
    """Chunks of the same length along every axis (square blocks of a square matrix, which
    dask's inv, solve and cholesky need)."""
    return max(1, value.shape[0] // 2)


def _lazy(value, chunks=_first_axis):
    """A floating-point array of at least one dimension as a dask array; anything else as it
    is."""
    if isinstance(value, np.ndarray) and value.dtype.kind == 'f' and value.ndim:
        return da.from_array(value, chunks=chunks(value))
    return value


WQ = np.random.default_rng(5).standard_normal((5, 3))


def f_qr_squares(A):
    """qr's rule where the function does not depend on the signs of the factors (dask's qr
    chooses other signs than NumPy's: the spec rows f_qr, f_qr_q compute other values)."""
    q, r = np.linalg.qr(A)
    return np.sum(q ** 2 * WQ) + np.sum(r ** 2 * WQ[:3])


def f_diagonal_wide_offsets(x):
    return np.sum(np.diagonal(x, 2) ** 2) + np.sum(np.diagonal(x, -1, 2, 0) * WQ[0, :3])


def f_std_and_pad(x):
    return np.std(np.pad(x, ((1, 2), (0, 1)), mode='edge') * WQ[0, 0]) + np.sum(
        np.concatenate([x, 2.0 * x], axis=-1) ** 2)


class Extra:
    """Rows of this file: rules on dask arrays in cases the spec tables leave out."""
    ROWS = [
        (f_qr_squares, lambda rng: (rng.standard_normal((5, 3)),), 0),
        (f_diagonal_wide_offsets, lambda rng: (rng.standard_normal((3, 2, 5)),), 0),
        (f_std_and_pad, lambda rng: (rng.standard_normal((4, 3)),), 0),
    ]


def _rows():
    seen = collections.Counter()
    for module in MODULES + [Extra]:
        short = getattr(module, '__name__', 'extra').removeprefix('test_rules_').lower()
        for row in module.ROWS:
            name = f'{short}-{row[0].__name__}'
            seen[name] += 1
            yield pytest.param(row[0], row[1], row[2],
                               id=name if seen[name] == 1 else f'{name}-{seen[name]}')


ROWS = list(_rows())


def _lazy_arguments(func, make, mode):
    """NumPy arguments, their lazy counterparts, how to chunk tangents, and whether `func`
    computes nothing on them. The row is skipped where nothing is lazy, where dask cannot run
    `func` (chunked along the first axis, nor in square blocks) or computes another value than
    NumPy."""
    args = make(np.random.default_rng(0))
    name = func.__name__
    if not any(isinstance(_lazy(a), da.Array) for a in args):
        pytest.skip(f'{name} has no floating-point array argument: nothing is lazy')
    error = None
    for chunks in (_first_axis, _every_axis):
        lazy_args = [_lazy(a, chunks) for a in args]
        try:
            value = np.asarray(func(*lazy_args))
            break
        except Exception as e:  # noqa: BLE001 (dask's limit, whatever it raises)
            error = error or e
    else:
        pytest.skip(f'dask cannot run {name} itself: {type(error).__name__}: {error}')
    expected = func(*args)
    if not np.allclose(value, expected, rtol=1e-8, atol=1e-12):
        pytest.skip(f'dask cannot run {name} itself: it computes {value} where NumPy '
                    f'computes {expected}')
    try:
        with dask.config.set(scheduler=_refuse):
            func(*lazy_args)
    except Computed:
        return args, lazy_args, chunks, False
    return args, lazy_args, chunks, True


def _refused(func, call):
    """Whether `func`'s module lists it in DASK_REFUSED; then `call` must raise
    NotImplementedError naming the function that refuses dask arrays."""
    refused = getattr(sys.modules.get(func.__module__), 'DASK_REFUSED', {}).get(func.__name__)
    if refused is None:
        return False
    with pytest.raises(NotImplementedError, match=f'{refused}.*dask arrays'):
        call()
    return True


def _call(lazy, call):
    if not lazy:
        return call()
    with dask.config.set(scheduler=_refuse):
        return call()


@pytest.mark.parametrize('func, make, wrt', ROWS)
def test_gradient_of_rule_on_dask_arrays(func, make, wrt):
    args, lazy_args, _, lazy = _lazy_arguments(func, make, 'grad')
    if _refused(func, lambda: s2sgrad.grad(func, wrt=wrt)(*lazy_args)):
        return
    expected = _tuple(s2sgrad.grad(func, wrt=wrt)(*args))
    got = _tuple(_call(lazy, lambda: s2sgrad.grad(func, wrt=wrt)(*lazy_args)))
    assert len(got) == len(expected)
    for value, reference in zip(got, expected):
        if lazy and isinstance(reference, np.ndarray) and reference.ndim:
            assert isinstance(value, da.Array), type(value)
        _assert_equal(value, reference, 1e-10, 1e-12)


@pytest.mark.parametrize('func, make, wrt', ROWS)
def test_tangent_of_rule_on_dask_arrays(func, make, wrt):
    args, lazy_args, chunks, lazy = _lazy_arguments(func, make, 'jvp')
    tangents = _random_tangents(func, wrt, args)
    expected = _jvp(func, wrt, args, tangents)
    lazy_tangents = tuple(_lazy(t, chunks) for t in tangents)
    if _refused(func, lambda: _jvp(func, wrt, lazy_args, lazy_tangents)):
        return
    got = _call(lazy, lambda: _jvp(func, wrt, lazy_args, lazy_tangents))
    if lazy:
        assert isinstance(got, da.Array), type(got)
    _assert_equal(got, expected, 1e-10, 1e-12)


def f_std_rows(x):
    return np.sum(np.std(x, axis=1) * WQ[:4, 0])


def test_std_of_a_constant_on_dask_is_zero_and_lazy():
    """Where all values reduced are equal, np.std's derivative is taken as 0 (its limit, as
    np.linalg.norm's at zero): on dask arrays too, without computing anything."""
    x = np.ones((4, 3))
    x[1] = [0.25, -1.0, 2.0]
    expected = s2sgrad.grad(f_std_rows)(x)
    assert np.all(expected[0] == 0.0) and np.all(expected[1] != 0.0)
    with dask.config.set(scheduler=_refuse):
        gradient = s2sgrad.grad(f_std_rows)(_lazy(x))
    assert isinstance(gradient, da.Array)
    _assert_equal(gradient.compute(), expected)


M23 = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 4.0]])
T234 = np.arange(24.0).reshape(2, 3, 4) - 10.0
PAD = np.arange(30.0).reshape(5, 6)
HELPER_CASES = [
    ('undiagonal', (np.array([1.0, 2.0]), M23)), ('undiagonal', (np.array([3.0, 4.0]), M23, 1)),
    ('undiagonal', (np.array([5.0]), M23, -1)),
    ('undiagonal', (np.ones(2, dtype=np.float32), M23)),
    ('undiagonal', (np.arange(8.0).reshape(4, 2), T234, 0, 0, 1)),
    ('undiagonal', (np.arange(4.0).reshape(2, 2), T234, 1, 2, 1)),
    ('undiagonal', (np.ones((4, 0)), T234, 5, 0, 1)),
    ('untake', (np.arange(4.0), M23, np.array([0, 5, 5, 2]))),
    ('untake', (np.ones((2, 4)), M23, np.array([2, 0, 2, 1]), 1)),
    ('untake', (np.ones((3, 3)), M23, np.array([0, 0, 3]), 0, 'wrap')),
    ('unpad', (PAD, M23, (2, 1))), ('unpad', (PAD, M23, (2, 1), 'edge')),
    ('unpad', (PAD[:4, :5], M23, 1, 'symmetric')), ('unpad', (PAD[:4, :5], M23, 1, 'reflect')),
    ('unpad', (PAD[:4, :5], M23, 1, 'wrap')), ('unpad', (PAD[:4, :5], M23, ((2, 0), (1, 1)))),
    ('repad', (M23, M23, (2, 1))), ('repad', (M23, M23, (2, 1), 'edge')),
    ('repad', (M23, M23, 1, 'reflect')), ('repad', (M23, M23, 1, 'wrap')),
    ('unjoin', (np.arange(12.0).reshape(2, 6), [M23, M23], -1)),
    ('unjoin', (np.arange(12.0), [M23, M23], None)),
    ('unjoin', (np.arange(12.0).reshape(4, 3), [M23, M23[:1], M23[1:]], 0, 'vstack')),
]
"""Helpers that rules call, with arguments the spec rows on dask arrays do not reach (empty
diagonals, float32 adjoints, pad modes dask cannot run itself)."""


@pytest.mark.parametrize('name, args', HELPER_CASES,
                         ids=[f'{name}{k}' for k, (name, _) in enumerate(HELPER_CASES)])
def test_helper_on_dask_arrays_equals_numpy(name, args):
    helper = getattr(s2sgrad.runtime, name)
    expected = helper(*args)
    lazy_args = [_lazy(a, _every_axis) for a in args]
    lazy_args[1] = [_lazy(a, _every_axis) for a in args[1]] if name == 'unjoin' else \
        lazy_args[1]
    with dask.config.set(scheduler=_refuse):
        got = helper(*lazy_args)
    for value, reference in zip(_tuple(got) if name != 'unjoin' else got,
                                _tuple(expected) if name != 'unjoin' else expected):
        assert isinstance(value, da.Array), type(value)
        value = np.asarray(value)
        assert (value.shape, value.dtype) == (reference.shape, reference.dtype)
        np.testing.assert_array_equal(value, reference)
