#!/usr/bin/env python
"""Reverse-mode benchmark: s2sgrad and its peers as ratios to hand-written NumPy gradients.

Run from the repository root (a script, not a test; pytest never collects this folder):

    python benchmarks/bench_reverse.py [--quick] [--no-peers] [--only NAME[,NAME]]
                                       [--repeats N] [--seconds S] [--blas-threads N]

The default run takes about 2-3 minutes on a 2-core machine, --quick about a minute.

Everything is measured in ONE process on the SAME inputs. For every benchmark each method is a
zero-argument callable that computes one full gradient; its time per call is the minimum, over
several repeats, of the mean over many calls, and the methods are interleaved within each repeat
so that drifts in machine speed hit all of them alike. The reported ratio is time / time of the
hand-written NumPy/Python gradient (the physical limit for NumPy code is 1.0). Every hand-written
gradient is checked against central differences (for the large `rnn` and `logreg`: on small
inputs of the same kind, entry by entry, and on the timed inputs along random directions), and
every other method against the hand-written one (relative error < 1e-8), before anything is
timed.

Benchmarks (`--only` takes these names): mlp_sq, mlp_oo, mlp_xent (a small tanh MLP with three
ways of writing the loss), scalar_loop (np.sin on a Python float), scalar_math (math.sin on a
Python float), rnn (a tanh RNN of 100 steps, batch 256, hidden 256; also its peak memory),
logreg (logistic regression, 10^5 x 100), transform (s2sgrad.grad on a fresh 30-line function,
and a cached s2sgrad.grad), transform_long (s2sgrad.grad on a fresh copy of the ~300-line
`long_function.py`).

Methods: hand-written NumPy; s2sgrad (``s2sgrad.grad(f, wrt=...)``); and, when importable,
autograd, JAX without and with ``jit`` (float64), PyTorch (float64 CPU tensors, autograd,
one intra-op thread by default: see ``--torch-threads``). NumPy runs with one BLAS thread by
default (``--blas-threads``, applied before NumPy is imported): on a shared 2-core machine
OpenBLAS's own threads made the rnn's matrix products 5 to 25 times slower and erratic.
autograd cannot differentiate ``math.sin``, so for `scalar_math` every peer uses its own sin on
a scalar (autograd.numpy.sin on a Python float, jnp.sin, torch.sin on a 0-d tensor): the same
program as `scalar_loop`.
If s2sgrad cannot be imported or fails, its rows say ``s2sgrad: unavailable (<error>)`` and the
rest still runs.

Peak memory (`rnn`): the peak of the bytes traced by ``tracemalloc`` during one gradient call,
after ``tracemalloc.reset_peak()``, less what was traced when the call began (NumPy reports its
array buffers to tracemalloc). PyTorch and JAX allocate outside it, so they are not measured.

Also measured: the time of ``s2sgrad.grad`` on fresh functions (each trial execs the function
from its own temporary file, so nothing is cached) and of a cached ``s2sgrad.grad(f)``.
"""
import argparse
import ast
import gc
import importlib
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import traceback


# NumPy's BLAS threads are fixed when NumPy is loaded, so --blas-threads is read here. With its
# default (one thread per core), OpenBLAS made a 256x256 matmul 5 to 25 times slower on a loaded
# 2-core machine (its threads spin against the other processes), which drowned the rnn row in
# noise; one thread is stable. A value already in the environment wins.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import fmt_time, measure_interleaved, pin_blas_threads  # noqa: E402

BLAS_THREADS = pin_blas_threads(sys.argv[1:], ('OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')) \
    if __name__ == '__main__' else None

import numpy as np  # noqa: E402

# Make the repository importable when run as `python benchmarks/bench_reverse.py` without an
# install (an installed or editable s2sgrad is found either way), and this folder too (for
# long_function.py).
_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(_HERE)
for _path in (_REPO, _HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

TARGETS = {
    'mlp_sq': 1.05,
    'mlp_oo': 1.05,
    'mlp_xent': 1.25,
    'scalar_loop': 1.5,
    'scalar_math': 1.3,
    'rnn': 1.10,
    'logreg': None,  # no target set
}
MEMORY_TARGETS = {
    'rnn': 1.15,
}
TRANSFORM_TARGET_MS = 100.0
TRANSFORM_LONG_TARGET_S = 0.5
CACHED_TARGET_US = 1000.0
TRANSFORM_ROWS = ('transform', 'transform_long')
LONG_TRIALS_SECONDS = 10.0

N_STEPS = 250  # iterations of the scalar loops
RNN_T, RNN_B, RNN_H, RNN_D = 100, 256, 256, 64
LOGREG_N, LOGREG_D = 100_000, 100
LARGE = ('rnn', 'logreg')  # checked on small inputs entry by entry

# =============================================================================================
# The functions, written as a NumPy user would.
# =============================================================================================


def mlp_sq(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def mlp_oo(W1, W2, x, y):
    o = np.tanh(x @ W1) @ W2 - y
    return np.sum(o * o)


def mlp_xent(W1, W2, x, onehot):
    n = x.shape[0]
    h = np.tanh(x @ W1)
    out = h @ W2
    z = out - np.max(out, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(logp * onehot) / n


def scalar_loop(x):
    y = x
    for i in range(250):
        y = np.sin(y) * 0.9 + x * 0.1
    return y


def scalar_math(x):
    y = x
    for i in range(250):
        y = math.sin(y) * 0.9 + x * 0.1
    return y


def rnn(Wx, Wh, xs, y):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum((h - y) ** 2)


def logreg(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


# =============================================================================================
# Hand-written gradients (the reference, ratio 1.0).
# =============================================================================================


def mlp_sq_hand(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    g_out = 2.0 * (out - y)
    g_W2 = h.T @ g_out
    g_a = (g_out @ W2.T) * (1.0 - h * h)
    g_W1 = x.T @ g_a
    return g_W1, g_W2


def mlp_xent_hand(W1, W2, x, onehot):
    n = x.shape[0]
    h = np.tanh(x @ W1)
    out = h @ W2
    z = out - np.max(out, axis=1, keepdims=True)
    e = np.exp(z)
    p = e / np.sum(e, axis=1, keepdims=True)
    # d/d out of -sum(onehot * log softmax(out)) / n; rows of onehot sum to 1.
    g_out = (p * np.sum(onehot, axis=1, keepdims=True) - onehot) / n
    g_W2 = h.T @ g_out
    g_a = (g_out @ W2.T) * (1.0 - h * h)
    g_W1 = x.T @ g_a
    return g_W1, g_W2


def mlp_xent_literal_hand(W1, W2, x, onehot):
    """The gradient of mlp_xent line by line, as an AD tool must: through the max shift and
    the log-sum-exp, without the closed form of softmax (a context row, not the reference)."""
    n = x.shape[0]
    h = np.tanh(x @ W1)
    out = h @ W2
    m = np.max(out, axis=1, keepdims=True)
    z = out - m
    e = np.exp(z)
    s = np.sum(e, axis=1, keepdims=True)
    g_logp = onehot * (-1.0 / n)
    g_z = g_logp - e * (np.sum(g_logp, axis=1, keepdims=True) / s)
    g_m = -np.sum(g_z, axis=1, keepdims=True)
    mask = out == m
    g_out = g_z + mask * (g_m / np.sum(mask, axis=1, keepdims=True))
    g_W2 = h.T @ g_out
    g_a = (g_out @ W2.T) * (1.0 - h * h)
    g_W1 = x.T @ g_a
    return g_W1, g_W2


def scalar_loop_hand(x):
    ys = []
    y = x
    for i in range(250):
        ys.append(y)
        y = np.sin(y) * 0.9 + x * 0.1
    g_y = 1.0
    g_x = 0.0
    for i in range(249, -1, -1):
        g_x = g_x + g_y * 0.1
        g_y = g_y * 0.9 * np.cos(ys[i])
    return float(g_x + g_y)


def scalar_math_hand(x):
    ys = []
    y = x
    for i in range(250):
        ys.append(y)
        y = math.sin(y) * 0.9 + x * 0.1
    g_y = 1.0
    g_x = 0.0
    for i in range(250):
        g_x = g_x + g_y * 0.1
        g_y = g_y * 0.9 * math.cos(ys.pop())
    return g_x + g_y


def rnn_hand(Wx, Wh, xs, y):
    """Backpropagation through time that keeps only the list of hidden states."""
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
        hs.append(h)
    g_h = 2.0 * (h - y)
    g_Wx = np.zeros_like(Wx)
    g_Wh = np.zeros_like(Wh)
    for t in range(xs.shape[0] - 1, -1, -1):
        h = hs.pop()
        g_a = g_h * (1.0 - h * h)
        g_Wx += xs[t].T @ g_a
        g_Wh += hs[-1].T @ g_a
        if t > 0:
            g_h = g_a @ Wh.T
    return g_Wx, g_Wh


def logreg_hand(w, b, X, y):
    n = X.shape[0]
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (p - y) / n, np.mean(p - y)


# =============================================================================================
# Inputs and numerical checks.
# =============================================================================================


def make_inputs(names, seed=0, small=False):
    """{benchmark: args} for the benchmarks in `names`. `small`: inputs of the same kind small
    enough to check entry by entry with central differences (only rnn and logreg differ)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 32))
    W1 = rng.standard_normal((32, 64)) / np.sqrt(32)
    W2 = rng.standard_normal((64, 10)) / np.sqrt(64)
    y = rng.standard_normal((64, 10))
    onehot = np.eye(10)[rng.integers(0, 10, size=64)]
    out = {
        'mlp_sq': (W1, W2, x, y),
        'mlp_oo': (W1, W2, x, y),
        'mlp_xent': (W1, W2, x, onehot),
        'scalar_loop': (0.7,),
        'scalar_math': (0.7,),
    }
    if 'rnn' in names:
        T, B, H, D = (6, 3, 5, 4) if small else (RNN_T, RNN_B, RNN_H, RNN_D)
        out['rnn'] = (rng.standard_normal((D, H)) / np.sqrt(D),
                      rng.standard_normal((H, H)) / np.sqrt(H),
                      rng.standard_normal((T, B, D)),
                      rng.standard_normal((B, H)) * 0.5)
    if 'logreg' in names:
        n, d = (200, 6) if small else (LOGREG_N, LOGREG_D)
        X = rng.standard_normal((n, d))
        w_true = rng.standard_normal(d) / np.sqrt(d) * 2.0
        labels = (X @ w_true + 0.5 * rng.standard_normal(n) > 0.0).astype(np.float64)
        out['logreg'] = (rng.standard_normal(d) / np.sqrt(d), 0.1, X, labels)
    return {name: out[name] for name in names}


def central_differences(f, args, i, eps=1e-6):
    x = args[i]
    if not isinstance(x, np.ndarray):
        ap = list(args)
        am = list(args)
        ap[i] = x + eps
        am[i] = x - eps
        return float((f(*ap) - f(*am)) / (2 * eps))
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[k] += eps
        xm[k] -= eps
        ap = list(args)
        am = list(args)
        ap[i] = xp
        am[i] = xm
        g[k] = (f(*ap) - f(*am)) / (2 * eps)
    return g


def directional_error(f, args, wrt, grads, seed, eps=1e-6):
    """Relative error of <grads, v> against the central difference of f along a random v."""
    rng = np.random.default_rng(seed)
    ap, am = list(args), list(args)
    predicted = 0.0
    for i, g in zip(wrt, grads):
        x = args[i]
        if isinstance(x, np.ndarray):
            v = rng.standard_normal(x.shape)
            ap[i], am[i] = x + eps * v, x - eps * v
            predicted += float(np.sum(np.asarray(g) * v))
        else:
            v = float(rng.standard_normal())
            ap[i], am[i] = x + eps * v, x - eps * v
            predicted += float(g) * v
    numeric = float((f(*ap) - f(*am)) / (2 * eps))
    return abs(predicted - numeric) / (1e-8 + abs(numeric))


def as_tuple(g):
    return tuple(g) if isinstance(g, (tuple, list)) else (g,)


def max_rel_err(got, ref):
    worst = 0.0
    got, ref = as_tuple(got), as_tuple(ref)
    if len(got) != len(ref):
        return float('inf')
    for a, b in zip(got, ref):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return float('inf')
        worst = max(worst, float(np.max(np.abs(a - b)) / (1e-8 + np.max(np.abs(b)))))
    return worst


def check_hand_written(problems, inputs):
    small = make_inputs(list(problems), small=True)
    for name, (f, hand, wrt) in problems.items():
        args = small[name]
        got = as_tuple(hand(*args))
        for g, i in zip(got, wrt):
            ref = central_differences(f, args, i)
            err = max_rel_err(g, ref)
            if not err < 1e-6:
                raise SystemExit(f'hand-written gradient of {name} w.r.t. argument {i} is wrong: '
                                 f'relative error {err:.2e} against central differences')
        how = 'central differences'
        if name in LARGE:
            # The timed inputs are too large to check entry by entry: random directions.
            got = as_tuple(hand(*inputs[name]))
            for seed in (1, 2):
                err = directional_error(f, inputs[name], wrt, got, seed)
                if not err < 1e-6:
                    raise SystemExit(f'hand-written gradient of {name} is wrong on the timed '
                                     f'inputs: relative error {err:.2e} along a random '
                                     'direction against central differences')
            how += (' (entry by entry on small inputs of the same kind; along 2 random '
                    'directions on the timed inputs)')
        print(f'  checked hand-written gradient of {name} against {how}')


# =============================================================================================
# Peers.
# =============================================================================================


class S2sgradUnavailable(Exception):
    """s2sgrad could not be imported (the message is the import error)."""


def short_error(exc):
    text = f'{type(exc).__name__}: {exc}'.strip().splitlines()[0]
    return text if len(text) <= 160 else text[:157] + '...'


def setup_s2sgrad(problems, inputs):
    """{benchmark: callable} for s2sgrad, or an error string for all its rows."""
    try:
        s2sgrad = importlib.import_module('s2sgrad')
        grad = s2sgrad.grad
    except Exception as exc:  # the engine may be under construction
        return {name: short_error(exc) for name in problems}, None
    out = {}
    for name, (f, hand, wrt) in problems.items():
        args = inputs[name]
        try:
            df = grad(f, wrt=wrt if len(wrt) > 1 else wrt[0])
            got = df(*args)
            ref = hand(*args)
            err = max_rel_err(got, ref)
            if not err < 1e-8:
                raise AssertionError(f'gradient disagrees with hand-written: rel. err {err:.2e}')
            if type(ref) is float and type(got) is not float:
                print(f'  note: s2sgrad gradient of {name} is {type(got).__name__}, not float')
            out[name] = (lambda df=df, args=args: df(*args))
        except Exception as exc:
            out[name] = short_error(exc)
    return out, s2sgrad


def setup_autograd(problems, inputs):
    try:
        import autograd
        import autograd.numpy as anp
    except Exception as exc:
        return None, short_error(exc)

    def a_mlp_sq(W1, W2, x, y):
        h = anp.tanh(x @ W1)
        out = h @ W2
        return anp.sum((out - y) ** 2)

    def a_mlp_oo(W1, W2, x, y):
        o = anp.tanh(x @ W1) @ W2 - y
        return anp.sum(o * o)

    def a_mlp_xent(W1, W2, x, onehot):
        n = x.shape[0]
        h = anp.tanh(x @ W1)
        out = h @ W2
        z = out - anp.max(out, axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.sum(logp * onehot) / n

    def a_scalar_loop(x):
        y = x
        for i in range(250):
            y = anp.sin(y) * 0.9 + x * 0.1
        return y

    def a_rnn(Wx, Wh, xs, y):
        h = anp.zeros((xs.shape[1], Wh.shape[0]))
        for t in range(xs.shape[0]):
            h = anp.tanh(xs[t] @ Wx + h @ Wh)
        return anp.sum((h - y) ** 2)

    def a_logreg(w, b, X, y):
        p = 1 / (1 + anp.exp(-(X @ w + b)))
        return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))

    # autograd cannot differentiate math.sin: scalar_math uses autograd.numpy.sin on the float.
    fs = {'mlp_sq': a_mlp_sq, 'mlp_oo': a_mlp_oo, 'mlp_xent': a_mlp_xent,
          'scalar_loop': a_scalar_loop, 'scalar_math': a_scalar_loop, 'rnn': a_rnn,
          'logreg': a_logreg}
    out = {}
    for name, (f, hand, wrt) in problems.items():
        args = inputs[name]
        df = autograd.grad(fs[name], wrt if len(wrt) > 1 else wrt[0])
        out[name] = (lambda df=df, args=args: df(*args))
    return out, autograd.__version__ if hasattr(autograd, '__version__') else dist_version(
        'autograd')


def setup_jax(problems, inputs):
    """(eager calls, jitted calls, version, {benchmark: compile seconds})."""
    try:
        import jax
        jax.config.update('jax_enable_x64', True)
        jax.config.update('jax_platforms', 'cpu')
        import jax.numpy as jnp
    except Exception as exc:
        return None, None, short_error(exc), {}

    def j_mlp_sq(W1, W2, x, y):
        h = jnp.tanh(x @ W1)
        out = h @ W2
        return jnp.sum((out - y) ** 2)

    def j_mlp_oo(W1, W2, x, y):
        o = jnp.tanh(x @ W1) @ W2 - y
        return jnp.sum(o * o)

    def j_mlp_xent(W1, W2, x, onehot):
        n = x.shape[0]
        h = jnp.tanh(x @ W1)
        out = h @ W2
        z = out - jnp.max(out, axis=1, keepdims=True)
        logp = z - jnp.log(jnp.sum(jnp.exp(z), axis=1, keepdims=True))
        return -jnp.sum(logp * onehot) / n

    def j_scalar_loop(x):
        y = x
        for i in range(250):
            y = jnp.sin(y) * 0.9 + x * 0.1
        return y

    def j_rnn(Wx, Wh, xs, y):
        # A Python loop, as a user writes it: jit unrolls it (no lax.scan).
        h = jnp.zeros((xs.shape[1], Wh.shape[0]))
        for t in range(xs.shape[0]):
            h = jnp.tanh(xs[t] @ Wx + h @ Wh)
        return jnp.sum((h - y) ** 2)

    def j_logreg(w, b, X, y):
        p = 1 / (1 + jnp.exp(-(X @ w + b)))
        return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))

    # math.sin cannot take a tracer: scalar_math uses jnp.sin.
    fs = {'mlp_sq': j_mlp_sq, 'mlp_oo': j_mlp_oo, 'mlp_xent': j_mlp_xent,
          'scalar_loop': j_scalar_loop, 'scalar_math': j_scalar_loop, 'rnn': j_rnn,
          'logreg': j_logreg}
    eager, jitted, compile_s = {}, {}, {}
    for name, (f, hand, wrt) in problems.items():
        # Arrays go to the device once, outside the timed call; Python floats stay floats.
        args = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in inputs[name])
        argnums = wrt if len(wrt) > 1 else wrt[0]
        g = jax.grad(fs[name], argnums=argnums)
        jg = jax.jit(g)
        t0 = time.perf_counter()
        jax.block_until_ready(jg(*args))  # compile outside the timing
        compile_s[name] = time.perf_counter() - t0
        eager[name] = (lambda g=g, args=args: jax.block_until_ready(g(*args)))
        jitted[name] = (lambda g=jg, args=args: jax.block_until_ready(g(*args)))
    return eager, jitted, jax.__version__, compile_s


def setup_torch(problems, inputs, threads):
    try:
        import torch
    except Exception as exc:
        return None, short_error(exc)
    if threads:
        # With its default intra-op threads (one per core), PyTorch's per-call time on these tiny
        # tensors jumped between 0.23 ms and 85 ms from run to run on a 2-core machine (its
        # OpenMP workers fight the other libraries' thread pools); one thread is stable and as
        # fast as the best multi-threaded runs at these sizes.
        torch.set_num_threads(threads)

    def t_mlp_sq(W1, W2, x, y):
        h = torch.tanh(x @ W1)
        out = h @ W2
        return torch.sum((out - y) ** 2)

    def t_mlp_oo(W1, W2, x, y):
        o = torch.tanh(x @ W1) @ W2 - y
        return torch.sum(o * o)

    def t_mlp_xent(W1, W2, x, onehot):
        n = x.shape[0]
        h = torch.tanh(x @ W1)
        out = h @ W2
        z = out - torch.max(out, dim=1, keepdim=True).values
        logp = z - torch.log(torch.sum(torch.exp(z), dim=1, keepdim=True))
        return -torch.sum(logp * onehot) / n

    def t_scalar_loop(x):
        y = x
        for i in range(250):
            y = torch.sin(y) * 0.9 + x * 0.1
        return y

    def t_rnn(Wx, Wh, xs, y):
        h = torch.zeros((xs.shape[1], Wh.shape[0]), dtype=torch.float64)
        for t in range(xs.shape[0]):
            h = torch.tanh(xs[t] @ Wx + h @ Wh)
        return torch.sum((h - y) ** 2)

    def t_logreg(w, b, X, y):
        p = 1 / (1 + torch.exp(-(X @ w + b)))
        return -torch.mean(y * torch.log(p) + (1 - y) * torch.log(1 - p))

    # math.sin cannot take a tensor: scalar_math uses torch.sin on a 0-d tensor.
    fs = {'mlp_sq': t_mlp_sq, 'mlp_oo': t_mlp_oo, 'mlp_xent': t_mlp_xent,
          'scalar_loop': t_scalar_loop, 'scalar_math': t_scalar_loop, 'rnn': t_rnn,
          'logreg': t_logreg}
    out = {}
    for name, (f, hand, wrt) in problems.items():
        # float64 tensors made once (outside the timed call; floats become 0-d tensors); leaves
        # require grad.
        targs = [torch.tensor(np.asarray(a), dtype=torch.float64) for a in inputs[name]]
        for i in wrt:
            targs[i].requires_grad_(True)
        leaves = tuple(targs[i] for i in wrt)

        def call(f=fs[name], targs=targs, leaves=leaves):
            return torch.autograd.grad(f(*targs), leaves)

        out[name] = call
    return out, torch.__version__


def dist_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return 'unknown'


def to_numpy(g):
    out = []
    for a in as_tuple(g):
        if hasattr(a, 'detach'):
            a = a.detach().numpy()
        out.append(np.asarray(a))
    return tuple(out)


# =============================================================================================
# Timing and memory.
# =============================================================================================


def traced_peak_bytes(fn):
    """Peak bytes traced by tracemalloc during one call of `fn`, above what was traced when the
    call began (the call's own arrays, its result included)."""
    fn()  # warm up outside the trace (first-call caches)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - base


# =============================================================================================
# Transform time.
# =============================================================================================

FRESH_SOURCE = '''\
import numpy as np


def {name}(W1, b1, W2, x, y, n_steps):
    h = x @ W1 + b1
    h = np.tanh(h)
    a = h * 0.5
    s = np.sum(a ** 2)
    for i in range(n_steps):
        u = h @ W2
        h = np.tanh(u) + h
        if np.sum(u) > 0.0:
            s = s + np.mean(h)
        else:
            s = s - 0.1 * np.sum(np.sin(h))
    z = np.exp(-np.abs(h))
    r = np.sqrt(z + 1.0)
    m = np.maximum(h, 0.0)
    q = (m - y) ** 2
    t = np.sum(q, axis=1, keepdims=True)
    w = np.log(t + 1.0)
    v = np.mean(w)
    c = np.cos(h) * r
    d = np.sum(c * c) / 2.0
    e = h.T @ h
    k = np.sum(e) * 0.001
    p = x.sum() * 0.0 + k
    g = np.where(h > 0.0, h, 0.01 * h)
    o = np.sum(g ** 2)
    total = s + v + d + p + o
    total = total - np.sum(b1 ** 2) * 0.01
    total = total + 0.01 * np.sum(np.cos(b1))
    total = total * 1.0
    return total / 10.0
'''


def load_fresh(directory, k):
    """A new function object from its own file (so inspect.getsource and s2sgrad see it new)."""
    name = f'fresh_{k}'
    path = os.path.join(directory, f'fresh_{k}.py')
    with open(path, 'w') as fh:
        fh.write(FRESH_SOURCE.format(name=name))
    namespace = {'__name__': f'bench_fresh_{k}', '__file__': path}
    exec(compile(open(path).read(), path, 'exec'), namespace)
    return namespace[name]


def fresh_inputs():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((8, 6)) * 0.3, rng.standard_normal(6) * 0.1,
            rng.standard_normal((6, 6)) * 0.3, rng.standard_normal((5, 8)),
            rng.standard_normal((5, 6)), 3)


def measure_transform(s2sgrad, trials):
    """(cold ms, median warm ms, cached us, cached-tuple us, notes) or raises."""
    notes = []
    with tempfile.TemporaryDirectory(prefix='s2sgrad-bench-') as directory:
        body_lines = FRESH_SOURCE.split('def ', 1)[1].count('\n') - 1
        notes.append(f'Transform: the fresh function has {body_lines} body lines (a for loop, '
                     'an if/else, about 20 NumPy calls) and is differentiated w.r.t. 3 arrays; '
                     'each trial execs it from its own temporary file.')
        # The first transformation in the process also pays one-time set-up (rule templates).
        f0 = load_fresh(directory, 0)
        t0 = time.perf_counter()
        df0 = s2sgrad.grad(f0, wrt=(0, 1, 2))
        cold = time.perf_counter() - t0
        args = fresh_inputs()
        try:
            got = df0(*args)
        except Exception as exc:
            got = None
            notes.append(f'WARNING: the gradient of the fresh function (transformed fine, and '
                         f'timed) fails when called: {short_error(exc)}')
        for g, i in zip(got or (), (0, 1, 2)):
            ref = central_differences(f0, args, i)
            err = max_rel_err(g, ref)
            if not err < 1e-5:
                notes.append(f'WARNING: gradient of the fresh function w.r.t. argument {i} '
                             f'disagrees with central differences (rel. err {err:.1e})')
        times = []
        for k in range(1, trials + 1):
            f = load_fresh(directory, k)
            t0 = time.perf_counter()
            s2sgrad.grad(f, wrt=(0, 1, 2))
            times.append(time.perf_counter() - t0)
        # A cached call: same function, same options (min of 3 means over about 0.2 s each).
        s2sgrad.grad(f0)
        best = measure_interleaved({
            'tuple': lambda: s2sgrad.grad(f0, wrt=(0, 1, 2)),
            'plain': lambda: s2sgrad.grad(f0),
        }, 3, 0.2)
        cached_tuple, cached = best['tuple'], best['plain']
    return cold * 1e3, statistics.median(times) * 1e3, min(times) * 1e3, cached * 1e6, \
        cached_tuple * 1e6, notes


def count_numpy_calls(source):
    return sum(1 for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and isinstance(node.func.value, ast.Name) and node.func.value.id == 'np')


def measure_transform_long(s2sgrad, trials):
    """(median s, number of trials, first s, notes) of s2sgrad.grad on fresh copies of
    long_function.py; after 3 trials, no new trial starts once they took LONG_TRIALS_SECONDS."""
    import long_function
    with open(long_function.__file__) as fh:
        source = fh.read()
    wrt = long_function.WRT
    notes = [f'Transform (long): `benchmarks/long_function.py` has {source.count(chr(10))} '
             f'lines and {count_numpy_calls(source)} NumPy calls (`long_model` and the helpers '
             f'it calls); it is differentiated w.r.t. {len(wrt)} arrays, and each trial execs '
             'the whole module from its own temporary file.']
    with tempfile.TemporaryDirectory(prefix='s2sgrad-bench-long-') as directory:

        def load(k):
            path = os.path.join(directory, f'long_function_{k}.py')
            with open(path, 'w') as fh:
                fh.write(source)
            namespace = {'__name__': f'bench_long_{k}', '__file__': path}
            exec(compile(source, path, 'exec'), namespace)
            return namespace['long_model']

        f0 = load(0)
        t0 = time.perf_counter()
        df0 = s2sgrad.grad(f0, wrt=wrt)
        first = time.perf_counter() - t0
        args = long_function.make_inputs()
        try:
            got = df0(*args)
        except Exception as exc:
            got = None
            notes.append(f'WARNING: the gradient of long_model (transformed fine, and timed) '
                         f'fails when called: {short_error(exc)}')
        for g, i in zip(got or (), wrt):
            err = max_rel_err(g, central_differences(f0, args, i))
            if not err < 1e-5:
                notes.append(f'WARNING: gradient of long_model w.r.t. argument {i} disagrees '
                             f'with central differences (rel. err {err:.1e})')
        times = []
        for k in range(1, trials + 1):
            if k > 3 and sum(times) > LONG_TRIALS_SECONDS:
                break  # a slow engine: three trials are enough for a median
            f = load(k)
            t0 = time.perf_counter()
            s2sgrad.grad(f, wrt=wrt)
            times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times), first, notes


# =============================================================================================
# Main.
# =============================================================================================

PROBLEMS = {
    'mlp_sq': (mlp_sq, mlp_sq_hand, (0, 1)),
    'mlp_oo': (mlp_oo, mlp_sq_hand, (0, 1)),
    'mlp_xent': (mlp_xent, mlp_xent_hand, (0, 1)),
    'scalar_loop': (scalar_loop, scalar_loop_hand, (0,)),
    'scalar_math': (scalar_math, scalar_math_hand, (0,)),
    'rnn': (rnn, rnn_hand, (0, 1)),
    'logreg': (logreg, logreg_hand, (0, 1)),
}
DESCRIPTIONS = {
    'mlp_sq': 'tanh MLP, `np.sum((out - y) ** 2)` (x 64x32, W1 32x64, W2 64x10), '
              'grad wrt (W1, W2)',
    'mlp_oo': 'the same MLP, loss written `o = np.tanh(x @ W1) @ W2 - y; np.sum(o * o)`, '
              'grad wrt (W1, W2)',
    'mlp_xent': 'tanh MLP, softmax cross-entropy (same shapes), grad wrt (W1, W2); the '
                'reference is the closed-form (softmax - onehot) gradient',
    'scalar_loop': f'{N_STEPS}-step scalar loop y = np.sin(y)*0.9 + x*0.1 on a Python float, '
                   'grad wrt x',
    'scalar_math': f'{N_STEPS}-step scalar loop y = math.sin(y)*0.9 + x*0.1 on a Python float, '
                   'grad wrt x; reference: reverse loop with math.sin/math.cos saving y in a '
                   'list; peers cannot differentiate math.sin and use their own sin on scalars '
                   '(autograd.numpy.sin on a float, jnp.sin, torch.sin on a 0-d tensor)',
    'rnn': f'tanh RNN written as a Python loop, {RNN_T} steps, batch {RNN_B}, hidden {RNN_H}, '
           f'inputs {RNN_D}, float64, loss np.sum((h - y) ** 2), grad wrt (Wx, Wh); reference: '
           'BPTT keeping only the list of h',
    'logreg': f'logistic regression, X {LOGREG_N}x{LOGREG_D} float64, labels in {{0, 1}}, loss '
              '-np.mean(y*np.log(p) + (1-y)*np.log(1-p)) with p = 1/(1 + np.exp(-(X@w + b))), '
              'grad wrt (w, b); reference: X.T @ (p - y) / n, np.mean(p - y)',
}
ALL_NAMES = tuple(PROBLEMS) + TRANSFORM_ROWS
NOT_TRACED = ('JAX (no jit)', 'JAX (jit)', 'PyTorch')


def cpu_model():
    try:
        with open('/proc/cpuinfo') as fh:
            for line in fh:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def parse_only(text):
    if text is None:
        return ALL_NAMES
    names = [n.strip() for n in text.split(',') if n.strip()]
    unknown = [n for n in names if n not in ALL_NAMES]
    if unknown or not names:
        raise SystemExit(f'--only: unknown benchmark(s) {", ".join(unknown) or "(none)"}; '
                         f'choose from {", ".join(ALL_NAMES)}')
    return tuple(n for n in ALL_NAMES if n in names)


def method_label(name, method):
    """The method's name in the table (the reference of scalar_math is plain Python)."""
    if name == 'scalar_math' and method == 'hand-written NumPy':
        return 'hand-written Python (math)'
    return method


def target_text(target, value, unit='x'):
    if target is None:
        return 'none set'
    ok = 'met' if value <= target else 'NOT met'
    return f'<= {target:.2f}{unit} ({ok})' if unit == 'x' else f'<= {target:g}{unit} ({ok})'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeats', type=int, default=7, help='repeats per method (min taken)')
    parser.add_argument('--seconds', type=float, default=0.2,
                        help='target duration of one repeat of one method')
    parser.add_argument('--trials', type=int, default=20,
                        help='fresh 30-line functions transformed')
    parser.add_argument('--long-trials', type=int, default=5,
                        help='fresh copies of long_function.py transformed (at least 3 when '
                        f'they take over {LONG_TRIALS_SECONDS:g} s in all)')
    parser.add_argument('--quick', action='store_true',
                        help='3 repeats of 0.05 s (fewer for a method slower than 1 s in all), '
                        '5 trials, 1 long trial')
    parser.add_argument('--torch-threads', type=int, default=1,
                        help='torch.set_num_threads (0: leave PyTorch\'s default)')
    parser.add_argument('--blas-threads', default='1',
                        help='OPENBLAS_NUM_THREADS/MKL_NUM_THREADS for NumPy, set before NumPy '
                        'is imported when run as a script (0: the library default; a value '
                        'already in the environment wins)')
    parser.add_argument('--no-peers', action='store_true', help='hand-written and s2sgrad only')
    parser.add_argument('--only', metavar='NAME[,NAME]',
                        help='run only these benchmarks: ' + ', '.join(ALL_NAMES))
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.repeats, opts.seconds, opts.trials, opts.long_trials = 3, 0.05, 5, 1
    selected = parse_only(opts.only)
    started = time.perf_counter()

    print('# s2sgrad reverse-mode benchmark\n')
    print(f'- machine: {platform.machine()}, {os.cpu_count()} CPUs ({cpu_model()}), '
          f'{platform.system()} {platform.release()}')
    print(f'- Python {platform.python_version()} ({platform.python_implementation()}), '
          f'NumPy {np.__version__}')
    print('- NumPy BLAS threads: OPENBLAS_NUM_THREADS=' +
          os.environ.get('OPENBLAS_NUM_THREADS', '(unset: library default)'))
    if hasattr(os, 'getloadavg'):
        print('- load average at start: ' + ', '.join(f'{v:.2f}' for v in os.getloadavg()))

    problems = {name: PROBLEMS[name] for name in selected if name in PROBLEMS}
    inputs = make_inputs(list(problems))

    print('\nChecks:')
    check_hand_written(problems, inputs)

    methods = {name: {'hand-written NumPy': (lambda h=h, a=inputs[name]: h(*a))}
               for name, (f, h, wrt) in problems.items()}
    unavailable = {name: {} for name in problems}
    versions = {}
    if 'mlp_xent' in problems:
        methods['mlp_xent']['hand-written NumPy, literal'] = (
            lambda a=inputs['mlp_xent']: mlp_xent_literal_hand(*a))

    s2s_calls, s2sgrad = setup_s2sgrad(problems, inputs)
    s2s_error = None
    if s2sgrad is None:
        try:
            importlib.import_module('s2sgrad')
        except Exception as exc:
            s2s_error = short_error(exc)
    else:
        versions['s2sgrad'] = getattr(s2sgrad, '__version__', None) or dist_version('s2sgrad')
    for name, call in s2s_calls.items():
        if callable(call):
            methods[name]['s2sgrad'] = call
        else:
            unavailable[name]['s2sgrad'] = call

    if problems and not opts.no_peers:
        ag, ver = setup_autograd(problems, inputs)
        if ag is None:
            print(f'  autograd: not measured ({ver})')
        else:
            versions['autograd'] = ver
            for name in problems:
                methods[name]['autograd'] = ag[name]
        eager, jitted, ver, compile_s = setup_jax(problems, inputs)
        if eager is None:
            print(f'  jax: not measured ({ver})')
        else:
            versions['jax'] = ver
            for name in problems:
                methods[name]['JAX (no jit)'] = eager[name]
                methods[name]['JAX (jit)'] = jitted[name]
            print('  JAX (jit) compile time, not in the timings: ' +
                  ', '.join(f'{n} {t:.2f} s' for n, t in compile_s.items()))
        tc, ver = setup_torch(problems, inputs, opts.torch_threads)
        if tc is None:
            print(f'  torch: not measured ({ver})')
        else:
            import torch
            versions['torch'] = f'{ver} ({torch.get_num_threads()} intra-op thread(s))'
            for name in problems:
                methods[name]['PyTorch'] = tc[name]

    # Every method must agree with the hand-written gradient before it is timed.
    for name, (f, hand, wrt) in problems.items():
        ref = hand(*inputs[name])
        for m in list(methods[name]):
            try:
                err = max_rel_err(to_numpy(methods[name][m]()), ref)
            except Exception as exc:
                unavailable[name][m] = short_error(exc)
                del methods[name][m]
                continue
            if not err < 1e-8:
                unavailable[name][m] = f'wrong gradient (rel. err {err:.1e})'
                del methods[name][m]
        print(f'  checked {len(methods[name]) - 1} method(s) of {name} against hand-written')

    print('- versions: ' + ', '.join(f'{k} {v}' for k, v in versions.items()))
    print(f'- timing: min over {opts.repeats} repeats of the mean over calls lasting about '
          f'{opts.seconds} s per repeat (at least one call), methods interleaved' +
          ('; --quick: a method stops repeating after 1 s' if opts.quick else ''))

    rows, memory_rows = [], []
    for name in problems:
        print(f'\nmeasuring {name} ... ({time.perf_counter() - started:.0f} s)', file=sys.stderr)
        best = measure_interleaved(methods[name], opts.repeats, opts.seconds,
                                   budget=1.0 if opts.quick else None)
        base = best['hand-written NumPy']
        for m, t in best.items():
            target = target_text(TARGETS[name], t / base) if m == 's2sgrad' else ''
            rows.append((name, method_label(name, m), fmt_time(t), f'{t / base:.2f}x', target))
        for m, why in unavailable[name].items():
            label = f'{m}: unavailable ({why})'
            target = ''
            if m == 's2sgrad' and TARGETS[name] is not None:
                target = f'<= {TARGETS[name]:.2f}x (pending)'
            rows.append((name, label, '-', '-', target))
        if name in MEMORY_TARGETS:
            print(f'measuring the peak memory of {name} ...', file=sys.stderr)
            peaks = {m: traced_peak_bytes(fn) for m, fn in methods[name].items()
                     if m not in NOT_TRACED}
            base = peaks['hand-written NumPy']
            for m in methods[name]:
                if m in NOT_TRACED:
                    memory_rows.append((name, m, 'not measured (not traced by tracemalloc)',
                                        '-', ''))
                    continue
                target = (target_text(MEMORY_TARGETS[name], peaks[m] / base)
                          if m == 's2sgrad' else '')
                memory_rows.append((name, method_label(name, m), f'{peaks[m] / 1e6:.1f} MB',
                                    f'{peaks[m] / base:.2f}x', target))
            if 's2sgrad' in unavailable[name]:
                memory_rows.append((name, f's2sgrad: unavailable '
                                    f'({unavailable[name]["s2sgrad"]})', '-', '-',
                                    f'<= {MEMORY_TARGETS[name]:.2f}x (pending)'))

    transform_notes = []
    if 'transform' in selected:
        print(f'\nmeasuring transform ... ({time.perf_counter() - started:.0f} s)', file=sys.stderr)
        try:
            if s2sgrad is None:
                raise S2sgradUnavailable(s2s_error)
            cold, warm, fastest, cached, cached_tuple, notes = measure_transform(
                s2sgrad, opts.trials)
            transform_notes += notes
            rows.append(('transform', f's2sgrad.grad, fresh 30-line function '
                         f'(median of {opts.trials})', f'{warm:.1f} ms', '',
                         target_text(TRANSFORM_TARGET_MS, warm, ' ms')))
            rows.append(('transform', 's2sgrad.grad, first call in the process',
                         f'{cold:.1f} ms', '', ''))
            rows.append(('cached grad', 's2sgrad.grad(f), cached', f'{cached:.2f} us', '',
                         target_text(CACHED_TARGET_US, cached, ' us')))
            rows.append(('cached grad', 's2sgrad.grad(f, wrt=(0, 1, 2)), cached',
                         f'{cached_tuple:.2f} us', '', ''))
        except Exception as exc:
            why = str(exc) if isinstance(exc, S2sgradUnavailable) else short_error(exc)
            if os.environ.get('BENCH_TRACEBACK'):
                traceback.print_exc()
            rows.append(('transform', f's2sgrad: unavailable ({why})', '-', '-',
                         f'<= {TRANSFORM_TARGET_MS:.0f} ms (pending)'))
            rows.append(('cached grad', f's2sgrad: unavailable ({why})', '-', '-',
                         f'<= {CACHED_TARGET_US:.0f} us (pending)'))
    if 'transform_long' in selected:
        print(f'\nmeasuring transform_long ... ({time.perf_counter() - started:.0f} s)',
              file=sys.stderr)
        try:
            if s2sgrad is None:
                raise S2sgradUnavailable(s2s_error)
            median, done, first, notes = measure_transform_long(s2sgrad, opts.long_trials)
            transform_notes += notes
            rows.append(('transform_long', f's2sgrad.grad, fresh ~300-line long_function.py '
                         f'(median of {done})', f'{median:.2f} s', '',
                         target_text(TRANSFORM_LONG_TARGET_S, median, ' s')))
            rows.append(('transform_long', 's2sgrad.grad, first copy (checked; with one-time '
                         'set-up if it is the first transformation)', f'{first:.2f} s', '', ''))
        except Exception as exc:
            why = str(exc) if isinstance(exc, S2sgradUnavailable) else short_error(exc)
            if os.environ.get('BENCH_TRACEBACK'):
                traceback.print_exc()
            rows.append(('transform_long', f's2sgrad: unavailable ({why})', '-', '-',
                         f'<= {TRANSFORM_LONG_TARGET_S:g} s (pending)'))

    if hasattr(os, 'getloadavg'):
        print('- load average at end: ' + ', '.join(f'{v:.2f}' for v in os.getloadavg()))
    print(f'- wall time of the whole run: {time.perf_counter() - started:.0f} s')
    print('\n## Results\n')
    for name in problems:
        print(f'- `{name}`: {DESCRIPTIONS[name]}')
    print('\n| benchmark | method | time per call | ratio to hand-written | target |')
    print('| --- | --- | ---: | ---: | --- |')
    for row in rows:
        print('| ' + ' | '.join(c.replace('|', '\\|') for c in row) + ' |')
    if memory_rows:
        print('\nPeak memory of one gradient call: peak bytes traced by tracemalloc during the '
              'call (after tracemalloc.reset_peak()), less those traced when it began; NumPy '
              'reports its array buffers to tracemalloc, PyTorch and JAX do not.\n')
        print('| benchmark | method | peak traced memory | ratio to hand-written | target |')
        print('| --- | --- | ---: | ---: | --- |')
        for row in memory_rows:
            print('| ' + ' | '.join(c.replace('|', '\\|') for c in row) + ' |')
    for note in transform_notes:
        print(f'\n{note}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
