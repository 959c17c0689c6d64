"""Values the backward sweep reads only for their shape are saved as stand-ins (`s2s.meta`):
the stand-in behaves as the value in every helper that reads a shape, and a loop's stacks hold
what a hand-written backward pass holds."""
import tracemalloc

import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime
from s2sgrad.standins import SHAPE_ARGUMENT
from trees import central_grad

rng = np.random.default_rng(5)


# -- the stand-in ---------------------------------------------------------------------------
@pytest.mark.parametrize('x', [np.ones((3, 4)), np.arange(6).reshape(2, 3),
                               np.ones((2, 1, 3), np.float32), np.ones(5, bool)])
def test_a_stand_in_keeps_type_shape_and_dtype_but_no_data(x):
    m = runtime.meta(x)
    assert type(m) is np.ndarray and m.shape == x.shape and m.dtype == x.dtype
    assert not m.flags.writeable and not np.shares_memory(m, x)
    assert m.base is not None and m.base.nbytes == x.dtype.itemsize  # one element in all


@pytest.mark.parametrize('x', [1.5, 3, np.float32(2.0), np.array(2.0), [1.0, np.ones(2)],
                               {'a': np.ones(2)}, np.array(['a', 'b']), None])
def test_numbers_containers_and_others_stand_for_themselves(x):
    assert runtime.meta(x) is x


SHAPES = [(), (1,), (3,), (2, 3), (1, 3), (2, 1), (4, 2, 3), (1, 1, 3)]


def _args(helper, g, x):
    if helper == 'read_at':
        return (g, slice(None), x)
    if helper in ('unreduce', 'unmean'):
        return (g, x)
    if helper == 'zeros_like':
        return (x,)
    return (g, x)


@pytest.mark.parametrize('helper', sorted(SHAPE_ARGUMENT))
@pytest.mark.parametrize('xshape', SHAPES)
@pytest.mark.parametrize('dtype', [np.float64, np.float32, np.int64])
def test_every_shape_helper_gives_the_same_with_a_stand_in(helper, xshape, dtype):
    x = np.asarray(rng.normal(size=xshape) * 3).astype(dtype)
    func = getattr(runtime, helper)
    gshapes = {'unreduce': [(), xshape], 'unmean': [(), xshape], 'like': [xshape, ()],
               'reshape_like': [xshape], 'read_at': [xshape], 'zeros_like': [()]}
    for gshape in gshapes.get(helper, [xshape, (3,) + xshape, (2, 1) + xshape, ()]):
        g = rng.normal(size=gshape)
        try:
            want = func(*_args(helper, g, x))
        except (ValueError, TypeError, IndexError) as error:
            with pytest.raises(type(error)):
                func(*_args(helper, g, runtime.meta(x)))
            continue
        got = func(*_args(helper, g, runtime.meta(x)))
        assert type(got) is type(want)
        assert np.shape(got) == np.shape(want) and np.asarray(got).dtype == \
            np.asarray(want).dtype
        np.testing.assert_array_equal(got, want)
        if isinstance(want, np.ndarray):
            assert got.flags.writeable == want.flags.writeable or not want.flags.writeable


# -- what the gradients save ------------------------------------------------------------------
def rnn(Wx, Wh, xs, y):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum((h - y) ** 2)


def rnn_by_hand(Wx, Wh, xs, y):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
        hs.append(h)
    bh = 2 * (h - y)
    bWx, bWh = np.zeros_like(Wx), np.zeros_like(Wh)
    for t in reversed(range(xs.shape[0])):
        bz = bh * (1 - hs[t + 1] ** 2)
        bWx += xs[t].T @ bz
        bWh += hs[t].T @ bz
        bh = bz @ Wh.T
    return bWx, bWh


def rnn_inputs(steps=30, batch=32, hidden=48, inputs=8):
    return (rng.normal(size=(inputs, hidden)) * 0.3, rng.normal(size=(hidden, hidden)) * 0.1,
            rng.normal(size=(steps, batch, inputs)), rng.normal(size=(batch, hidden)))


def peak(func, *args):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        func(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rnn_stacks_hold_what_bptt_holds():
    args = rnn_inputs()
    df = s2sgrad.grad(rnn, wrt=(0, 1))
    for got, want in zip(df(*args), rnn_by_hand(*args)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    source = df.source
    assert 'h_stack.append(h)' in source
    assert 'append(s2s.meta(xs_t_at_Wx))' in source and 'append(s2s.meta(h_at_Wh))' in source
    # memory, not time: tracemalloc counts NumPy's allocations exactly
    assert peak(df, *args) <= 1.1 * peak(rnn_by_hand, *args)


def values_reread(W, xs):
    h = np.ones(W.shape[0])
    for t in range(xs.shape[0]):
        a = W @ h
        h = np.sin(a + xs[t]) * a
    return np.sum(h)


def users_own_stack(x):
    saved = []
    y = x
    for i in range(4):
        saved.append(y * 1.5)
        y = np.cos(y) + x
    total = 0.0
    while saved:
        z = saved.pop()
        total = total + np.sum(z * z) + np.sum(np.ones_like(z))
    return total + np.sum(y)


def broadcast_in_loop(x, v):
    y = x
    for i in range(3):
        u = y * v  # (3,) times (2, 3): the adjoint of `y` sums rows
        y = np.sum(np.tanh(u), axis=0) + x
    return np.sum(y ** 2)


@pytest.mark.parametrize('func, args, wrt', [
    (values_reread, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(4, 3))), (0, 1)),
    (users_own_stack, (rng.normal(size=3),), (0,)),
    (broadcast_in_loop, (rng.normal(size=3), rng.normal(size=(2, 3))), (0, 1)),
])
def test_values_read_for_more_than_a_shape_are_saved_whole(func, args, wrt):
    df = s2sgrad.grad(func, wrt=wrt)
    got = df(*args)
    got = got if isinstance(got, tuple) else (got,)
    for g, i in zip(got, wrt):
        np.testing.assert_allclose(g, central_grad(func, args, i), rtol=1e-6, atol=1e-8)
    if func is values_reread:
        assert 'meta(a)' not in df.source


@pytest.mark.parametrize('wrt', [0, 1])
def test_second_order_through_stand_ins(wrt):
    args = list(rnn_inputs(steps=4, batch=2, hidden=3, inputs=2))
    v = rng.normal(size=args[wrt].shape)
    hv = s2sgrad.hvp(rnn, wrt=wrt)(*args, v)
    g = s2sgrad.grad(rnn, wrt=wrt)

    def at(step):
        moved = list(args)
        moved[wrt] = args[wrt] + step * v
        return g(*moved)
    np.testing.assert_allclose(hv, (at(1e-6) - at(-1e-6)) / 2e-6, rtol=1e-5, atol=1e-7)


def calls_rnn(Wh, Wx, xs):
    return rnn(Wx, Wh, xs, np.zeros((xs.shape[1], Wh.shape[0]))) * 0.5


def test_a_called_function_saves_stand_ins_too():
    Wx, Wh, xs, _ = rnn_inputs(steps=5, batch=3, hidden=4, inputs=2)
    df = s2sgrad.grad(calls_rnn, wrt=(0, 1))
    got = df(Wh, Wx, xs)
    for g, i in zip(got, (0, 1)):
        np.testing.assert_allclose(g, central_grad(calls_rnn, [Wh, Wx, xs], i), rtol=1e-6,
                                   atol=1e-8)
    assert 's2s.meta(' in df.source.split('def dcalls_rnndWhWx')[0]


def halving(x):
    y = x
    while np.max(np.abs(y)) > 0.1:
        y = y * 0.5
    return np.sum(y * x)


def test_a_stack_nothing_reads_back_is_not_made():
    """The backward sweep of ``y = y * 0.5`` never reads `y`: no stack of `y` at all."""
    x = np.array([0.7, -1.3, 2.0])
    df = s2sgrad.grad(halving)
    assert 'y_stack' not in df.source
    np.testing.assert_allclose(df(x), central_grad(halving, [x], 0), rtol=1e-6, atol=1e-8)
