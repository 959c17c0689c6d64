"""Gradients of NumPy code called with dask arrays stay lazy (the first part of issue #14).

Every case of the function corpus whose differentiated arguments are arrays runs with chunked
dask arrays: the gradient must equal NumPy's, and, where the function itself computes nothing
(no ``if`` or ``while`` on a value), the generated gradient must not compute anything either:
the test runs it under a dask scheduler that refuses to run, and its array results must still be
dask arrays.
"""
import sys
import os

import numpy as np
import pytest

import s2sgrad

da = pytest.importorskip('dask.array', reason="dask is not installed (pip install -e '.[dask]')")
dask = pytest.importorskip('dask')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

NOT_YET = {
    'outer_via_none': 'adds into a dask array at a `None` index (s2s.add_at)',
    'none_index': 'adds into a dask array at a `None` index (s2s.add_at)',
    'fancy_index': 'adds into a dask array at an integer-array index (np.add.at)',
}
"""Cases whose rules write into an array by index, which dask arrays do not support yet."""


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


@pytest.mark.parametrize('func, make, wrt', CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_on_dask_arrays(func, make, wrt):
    if func.__name__ in NOT_YET:
        pytest.skip(f'{func.__name__} {NOT_YET[func.__name__]}: not supported yet (issue #14)')
    args = make(np.random.default_rng(0))
    lazy_args = [_lazy(a) for a in args]
    expected = _tuple(s2sgrad.grad(func, wrt=wrt)(*args))
    try:
        with dask.config.set(scheduler=_refuse):
            func(*lazy_args)
        primal_computes = False
    except Computed:
        primal_computes = True  # the function's own code needs values (control flow)
    if primal_computes:
        got = _tuple(s2sgrad.grad(func, wrt=wrt)(*lazy_args))
    else:
        with dask.config.set(scheduler=_refuse):
            got = _tuple(s2sgrad.grad(func, wrt=wrt)(*lazy_args))
        for value, reference in zip(got, expected):
            if isinstance(reference, np.ndarray) and reference.ndim:
                assert isinstance(value, da.Array), type(value)
    assert len(got) == len(expected)
    for value, reference in zip(got, expected):
        value = np.asarray(value)
        assert value.dtype == np.asarray(reference).dtype
        single = value.dtype == np.float32  # (chunked sums add in another order)
        np.testing.assert_allclose(value, reference, rtol=1e-5 if single else 1e-12,
                                   atol=1e-6 if single else 1e-14)


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
