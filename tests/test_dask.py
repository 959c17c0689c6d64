"""Gradients of NumPy code called with dask arrays stay lazy (the first part of issue #14).

Every case of the function corpus whose differentiated arguments are arrays runs with chunked
dask arrays: the gradient must equal NumPy's, and, where the function itself computes nothing
(no ``if`` or ``while`` on a value), the generated gradient must not compute anything either:
the test runs it under a dask scheduler that refuses to run, and its array results must still be
dask arrays.
"""
import inspect
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
import corpus  # noqa: E402


class Computed(Exception):
    """Raised by the refusing scheduler."""


def _refuse(*args, **kwargs):
    raise Computed('a dask computation ran')


def _lazy(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == 'f' and value.ndim:
        return da.from_array(value, chunks=max(1, value.shape[0] // 2))
    return value


def _array_cases():
    for func, make, wrt in corpus.CASES:
        args = make(np.random.default_rng(0))
        wrts = wrt if isinstance(wrt, tuple) else (wrt,)
        if any(isinstance(w, int) and isinstance(args[w], np.ndarray) and args[w].ndim
               for w in wrts):
            yield func, make, wrt


CASES = list(_array_cases())


def _tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _lazily(func, lazy_args, call):
    """`call()` under the refusing scheduler where `func` itself computes nothing, else as is
    (an ``if`` or ``while`` on a value computes in the function and in its derivative alike)."""
    try:
        with dask.config.set(scheduler=_refuse):
            func(*lazy_args)
    except Computed:
        return call(), False
    with dask.config.set(scheduler=_refuse):
        return call(), True


def _assert_equal(value, reference, rtol=1e-12, atol=1e-14):
    """`value` (computed) equals `reference` to `rtol`, `atol` (float64) or float32's."""
    value = np.asarray(value)
    assert value.dtype == np.asarray(reference).dtype
    single = value.dtype == np.float32  # (chunked sums add in another order)
    np.testing.assert_allclose(value, reference, rtol=1e-5 if single else rtol,
                               atol=1e-6 if single else atol)


@pytest.mark.parametrize('func, make, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_on_dask_arrays(func, make, wrt):
    args = make(np.random.default_rng(0))
    lazy_args = [_lazy(a) for a in args]
    expected = _tuple(s2sgrad.grad(func, wrt=wrt)(*args))
    got, lazy = _lazily(func, lazy_args, lambda: _tuple(s2sgrad.grad(func, wrt=wrt)(*lazy_args)))
    assert len(got) == len(expected)
    for value, reference in zip(got, expected):
        if lazy and isinstance(reference, np.ndarray) and reference.ndim:
            assert isinstance(value, da.Array), type(value)
        _assert_equal(value, reference)


def _positions(func, wrt):
    names = list(inspect.signature(func).parameters)
    return [names.index(w) if isinstance(w, str) else w for w in _tuple(wrt)]


def _random_tangents(func, wrt, args):
    """Random tangents, in the arguments' dtypes, of the arguments `wrt` names."""
    rng = np.random.default_rng(1)
    return tuple(rng.standard_normal(args[p].shape).astype(args[p].dtype)
                 if isinstance(args[p], np.ndarray) else float(rng.standard_normal())
                 for p in _positions(func, wrt))


def _jvp(func, wrt, args, tangents):
    """``jvp`` of `func` at `args` along `tangents`, one per argument `wrt` names."""
    return s2sgrad.jvp(func, wrt=wrt)(*args, tangents if isinstance(wrt, tuple) else tangents[0])


@pytest.mark.parametrize('func, make, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_tangent_on_dask_arrays(func, make, wrt):
    """Forward mode over the same cases: `jvp` with dask arguments and dask tangents is a lazy
    0-d dask array equal to NumPy's."""
    args = make(np.random.default_rng(0))
    tangents = _random_tangents(func, wrt, args)
    expected = _jvp(func, wrt, args, tangents)
    lazy_args = [_lazy(a) for a in args]
    lazy_tangents = tuple(_lazy(t) for t in tangents)
    got, lazy = _lazily(func, lazy_args, lambda: _jvp(func, wrt, lazy_args, lazy_tangents))
    if lazy:
        assert isinstance(got, da.Array), type(got)
    _assert_equal(got, expected)


def test_forward_mode_stays_lazy_too():
    rng = np.random.default_rng(0)
    W, x, y = rng.standard_normal((5, 3)), rng.standard_normal((40, 5)), rng.standard_normal(40)

    def loss(W, x, y):
        return np.sum((np.tanh(x @ W).sum(axis=1) - y) ** 2)
    lazy = [da.from_array(a, chunks=10) for a in (W, x, y)]
    with dask.config.set(scheduler=_refuse):
        tangent = s2sgrad.jvp(loss)(*lazy, da.ones_like(lazy[0]))
        gradient = s2sgrad.grad(loss)(*lazy)
    assert isinstance(tangent, da.Array) and isinstance(gradient, da.Array)
    np.testing.assert_allclose(np.asarray(tangent), np.sum(s2sgrad.grad(loss)(W, x, y)),
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(gradient), s2sgrad.grad(loss)(W, x, y), rtol=1e-12)


INDICES = [
    (None,), (slice(None), None), 1, (Ellipsis, 1), (0, slice(1, 3)), np.array([0, 2, 2, 4]),
    (slice(None), np.array([3, 1, 3])), (0, np.array([1, 1])), (np.array([1, 1]), 0),
    (0, slice(None), np.array([2, 0, 2, 2])), (slice(None), 1, np.array([2, 0, 2])),
    (np.array([[0, 1], [1, 4]]),), (None, np.array([-1, 4]), None, Ellipsis),
    (np.array([True, False, True, True, False]),), [0, 0, 3], (Ellipsis, None, np.array([0, 0])),
    (slice(None, None, -2), None, 2), (np.array(3),), (np.array([], dtype=int),),
    (1, None, np.array([2, 2]), slice(0, 2)),
]
"""Index forms NumPy reads and dask can read too: ``None``, ``...``, integers, slices, and one
integer or boolean array (repeated, negative, 2-D, empty, beside integers and slices)."""


@pytest.mark.parametrize('index', INDICES, ids=[f'index{k}' for k in range(len(INDICES))])
def test_adding_into_a_dask_array_at_an_index_is_np_add_at(index):
    """``s2s.add_at`` (every adjoint of a subscript) on a dask array equals ``np.add.at`` on
    NumPy's, repeated positions adding up, and computes nothing."""
    shape = (5, 4, 3)
    g = np.random.default_rng(0).standard_normal(np.zeros(shape)[index].shape)
    expected = np.zeros(shape)
    np.add.at(expected, index, g)
    with dask.config.set(scheduler=_refuse):
        got = s2sgrad.runtime.add_at(da.zeros(shape, chunks=2), index,
                                     da.from_array(g, chunks=2) if g.ndim else g)
    assert isinstance(got, da.Array)
    np.testing.assert_array_equal(np.asarray(got), expected)


def test_adding_at_two_index_arrays_or_a_lazy_index_is_refused_by_name():
    bx = da.zeros((4, 3), chunks=2)
    with pytest.raises(s2sgrad.errors.NoRuleError, match='more than one integer or boolean'):
        s2sgrad.runtime.add_at(bx, (np.array([0, 1]), np.array([2, 2])), np.ones(2))
    with pytest.raises(s2sgrad.errors.NoRuleError, match='compute the index first'):
        s2sgrad.runtime.add_at(bx, da.from_array(np.array([0, 3])), np.ones((2, 3)))


def layer(x, A):
    return np.tanh(A @ x)


def energy(x, A):
    return np.sum(np.sin(A @ x) ** 2)


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_jacobian_and_hessian_stay_lazy(mode):
    """`jacobian` (both modes) and `hessian` stack their columns as dask arrays: nothing is
    computed (``np.asarray`` of each column would compute it)."""
    rng = np.random.default_rng(0)
    x, A = rng.standard_normal(3), rng.standard_normal((4, 3))
    lazy = da.from_array(x, chunks=2), da.from_array(A, chunks=2)
    with dask.config.set(scheduler=_refuse):
        J = s2sgrad.jacobian(layer, mode=mode)(*lazy)
        H = s2sgrad.hessian(energy)(*lazy)
        blocks = s2sgrad.hessian(energy, wrt=(0, 1))(*lazy)
    assert isinstance(J, da.Array) and isinstance(H, da.Array)
    assert all(isinstance(block, da.Array) for row in blocks for block in row)
    np.testing.assert_allclose(np.asarray(J), (1 - np.tanh(A @ x) ** 2)[:, None] * A,
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(H), 2 * A.T @ (np.cos(2 * (A @ x))[:, None] * A),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(blocks[0][0]), np.asarray(H), rtol=1e-12)


def cholesky_weighted(A):
    return np.sum(np.linalg.cholesky(A) * np.arange(9.0).reshape(3, 3))


def test_cholesky_of_a_dask_array_is_refused_not_wrong():
    """dask's ``np.linalg.cholesky`` returns the upper factor (NumPy's the lower): the rule,
    written for NumPy's, refuses it in both modes rather than give another function's
    derivative."""
    M = np.random.default_rng(0).standard_normal((3, 3))
    S = da.from_array(M @ M.T + 3 * np.eye(3), chunks=3)
    with pytest.raises(NotImplementedError, match='np.linalg.cholesky of a dask array'):
        s2sgrad.grad(cholesky_weighted)(S)
    with pytest.raises(NotImplementedError, match='np.linalg.cholesky of a dask array'):
        s2sgrad.jvp(cholesky_weighted)(S, np.ones((3, 3)))
