#!/usr/bin/env python
"""Reverse-mode benchmark: s2sgrad and its peers as ratios to hand-written NumPy gradients.

Run from the repository root (a script, not a test; pytest never collects this folder):

    python benchmarks/bench_reverse.py [--quick] [--repeats N] [--seconds S]

Everything is measured in ONE process on the SAME inputs. For every benchmark each method is a
zero-argument callable that computes one full gradient; its time per call is the minimum, over
several repeats, of the mean over many calls, and the methods are interleaved within each repeat
so that drifts in machine speed hit all of them alike. The reported ratio is time / time of the
hand-written NumPy gradient (the physical limit for NumPy code is 1.0). Every hand-written
gradient is checked against central differences, and every other method against the
hand-written one, before anything is timed.

Methods: hand-written NumPy; s2sgrad (``s2sgrad.grad(f, wrt=...)``); and, when importable,
autograd, JAX without and with ``jit`` (float64), PyTorch (float64 CPU tensors, autograd,
one intra-op thread by default: see ``--torch-threads``).
If s2sgrad cannot be imported or fails, its rows say ``s2sgrad: unavailable (<error>)`` and the
rest still runs.

Also measured: the time of ``s2sgrad.grad`` on a fresh 30-line function (each trial execs the
function from its own temporary file, so nothing is cached) and of a cached ``s2sgrad.grad(f)``.
"""
import argparse
import gc
import importlib
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback

import numpy as np

# Make the repository importable when run as `python benchmarks/bench_reverse.py` without an
# install (an installed or editable s2sgrad is found either way).
_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

TARGETS = {
    'mlp_sq': 1.10,
    'mlp_xent': 1.10,
    'scalar_loop': 1.5,
}
TRANSFORM_TARGET_MS = 100.0
CACHED_TARGET_US = 1000.0

N_STEPS = 250  # iterations of the scalar loop

# =============================================================================================
# The functions, written as a NumPy user would.
# =============================================================================================


def mlp_sq(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


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


# =============================================================================================
# Inputs and numerical checks.
# =============================================================================================


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 32))
    W1 = rng.standard_normal((32, 64)) / np.sqrt(32)
    W2 = rng.standard_normal((64, 10)) / np.sqrt(64)
    y = rng.standard_normal((64, 10))
    onehot = np.eye(10)[rng.integers(0, 10, size=64)]
    return {
        'mlp_sq': (W1, W2, x, y),
        'mlp_xent': (W1, W2, x, onehot),
        'scalar_loop': (0.7,),
    }


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
    for name, (f, hand, wrt) in problems.items():
        args = inputs[name]
        got = as_tuple(hand(*args))
        for g, i in zip(got, wrt):
            ref = central_differences(f, args, i)
            err = max_rel_err(g, ref)
            if not err < 1e-6:
                raise SystemExit(f'hand-written gradient of {name} w.r.t. argument {i} is wrong: '
                                 f'relative error {err:.2e} against central differences')
        print(f'  checked hand-written gradient of {name} against central differences')


# =============================================================================================
# Peers.
# =============================================================================================


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
            err = max_rel_err(got, hand(*args))
            if not err < 1e-8:
                raise AssertionError(f'gradient disagrees with hand-written: rel. err {err:.2e}')
            if name == 'scalar_loop' and type(got) is not float:
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

    fs = {'mlp_sq': a_mlp_sq, 'mlp_xent': a_mlp_xent, 'scalar_loop': a_scalar_loop}
    out = {}
    for name, (f, hand, wrt) in problems.items():
        args = inputs[name]
        df = autograd.grad(fs[name], wrt if len(wrt) > 1 else wrt[0])
        out[name] = (lambda df=df, args=args: df(*args))
    return out, autograd.__version__ if hasattr(autograd, '__version__') else dist_version(
        'autograd')


def setup_jax(problems, inputs):
    try:
        import jax
        jax.config.update('jax_enable_x64', True)
        jax.config.update('jax_platforms', 'cpu')
        import jax.numpy as jnp
    except Exception as exc:
        return None, None, short_error(exc)

    def j_mlp_sq(W1, W2, x, y):
        h = jnp.tanh(x @ W1)
        out = h @ W2
        return jnp.sum((out - y) ** 2)

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

    fs = {'mlp_sq': j_mlp_sq, 'mlp_xent': j_mlp_xent, 'scalar_loop': j_scalar_loop}
    eager, jitted = {}, {}
    for name, (f, hand, wrt) in problems.items():
        # Arrays go to the device once, outside the timed call; the Python float stays a float.
        args = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in inputs[name])
        argnums = wrt if len(wrt) > 1 else wrt[0]
        g = jax.grad(fs[name], argnums=argnums)
        jg = jax.jit(g)
        jax.block_until_ready(jg(*args))  # compile outside the timing
        eager[name] = (lambda g=g, args=args: jax.block_until_ready(g(*args)))
        jitted[name] = (lambda g=jg, args=args: jax.block_until_ready(g(*args)))
    return eager, jitted, jax.__version__


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

    fs = {'mlp_sq': t_mlp_sq, 'mlp_xent': t_mlp_xent, 'scalar_loop': t_scalar_loop}
    out = {}
    for name, (f, hand, wrt) in problems.items():
        # float64 tensors made once (outside the timed call); leaves require grad.
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
# Timing.
# =============================================================================================


def calibrate(fn, seconds):
    """Number of calls that take about `seconds`."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= seconds / 4 or n >= 1 << 20:
            return max(1, int(n * seconds / max(dt, 1e-9)))
        n *= 4


def mean_time(fn, n):
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t0) / n
    finally:
        if gc_was_enabled:
            gc.enable()


def measure_interleaved(methods, repeats, seconds):
    """{method: min over repeats of the mean time per call}; methods run round-robin."""
    counts = {m: calibrate(fn, seconds) for m, fn in methods.items()}
    best = {m: float('inf') for m in methods}
    for _ in range(repeats):
        for m, fn in methods.items():
            best[m] = min(best[m], mean_time(fn, counts[m]))
    return best


def fmt_time(t):
    if t >= 1.0:
        return f'{t:.2f} s'
    if t >= 1e-3:
        return f'{t * 1e3:.3g} ms'
    return f'{t * 1e6:.3g} us'


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
        # A cached call: same function, same options.
        n = 20000
        t0 = time.perf_counter()
        for _ in range(n):
            s2sgrad.grad(f0, wrt=(0, 1, 2))
        cached_tuple = (time.perf_counter() - t0) / n
        s2sgrad.grad(f0)
        t0 = time.perf_counter()
        for _ in range(n):
            s2sgrad.grad(f0)
        cached = (time.perf_counter() - t0) / n
    return cold * 1e3, statistics.median(times) * 1e3, min(times) * 1e3, cached * 1e6, \
        cached_tuple * 1e6, notes


# =============================================================================================
# Main.
# =============================================================================================


def cpu_model():
    try:
        with open('/proc/cpuinfo') as fh:
            for line in fh:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeats', type=int, default=7, help='repeats per method (min taken)')
    parser.add_argument('--seconds', type=float, default=0.2,
                        help='target duration of one repeat of one method')
    parser.add_argument('--trials', type=int, default=20, help='fresh functions transformed')
    parser.add_argument('--quick', action='store_true', help='3 repeats of 0.05 s, 5 trials')
    parser.add_argument('--torch-threads', type=int, default=1,
                        help='torch.set_num_threads (0: leave PyTorch\'s default)')
    parser.add_argument('--no-peers', action='store_true', help='hand-written and s2sgrad only')
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.repeats, opts.seconds, opts.trials = 3, 0.05, 5

    print('# s2sgrad reverse-mode benchmark\n')
    print(f'- machine: {platform.machine()}, {os.cpu_count()} CPUs ({cpu_model()}), '
          f'{platform.system()} {platform.release()}')
    print(f'- Python {platform.python_version()} ({platform.python_implementation()}), '
          f'NumPy {np.__version__}')
    if hasattr(os, 'getloadavg'):
        print('- load average at start: ' + ', '.join(f'{v:.2f}' for v in os.getloadavg()))

    problems = {
        'mlp_sq': (mlp_sq, mlp_sq_hand, (0, 1)),
        'mlp_xent': (mlp_xent, mlp_xent_hand, (0, 1)),
        'scalar_loop': (scalar_loop, scalar_loop_hand, (0,)),
    }
    inputs = make_inputs()
    descriptions = {
        'mlp_sq': 'tanh MLP, sum of squares (x 64x32, W1 32x64, W2 64x10), grad wrt (W1, W2)',
        'mlp_xent': 'tanh MLP, softmax cross-entropy (same shapes), grad wrt (W1, W2)',
        'scalar_loop': f'{N_STEPS}-step scalar loop y = sin(y)*0.9 + x*0.1 on a Python float, '
                       'grad wrt x',
    }

    print('\nChecks:')
    check_hand_written(problems, inputs)

    methods = {name: {'hand-written NumPy': (lambda h=h, a=inputs[name]: h(*a))}
               for name, (f, h, wrt) in problems.items()}
    unavailable = {name: {} for name in problems}
    versions = {}
    methods['mlp_xent']['hand-written NumPy, literal'] = (
        lambda a=inputs['mlp_xent']: mlp_xent_literal_hand(*a))

    s2s_calls, s2sgrad = setup_s2sgrad(problems, inputs)
    if s2sgrad is not None:
        versions['s2sgrad'] = getattr(s2sgrad, '__version__', None) or dist_version('s2sgrad')
    for name, call in s2s_calls.items():
        if callable(call):
            methods[name]['s2sgrad'] = call
        else:
            unavailable[name]['s2sgrad'] = call

    if not opts.no_peers:
        ag, ver = setup_autograd(problems, inputs)
        if ag is None:
            print(f'  autograd: not measured ({ver})')
        else:
            versions['autograd'] = ver
            for name in problems:
                methods[name]['autograd'] = ag[name]
        eager, jitted, ver = setup_jax(problems, inputs)
        if eager is None:
            print(f'  jax: not measured ({ver})')
        else:
            versions['jax'] = ver
            for name in problems:
                methods[name]['JAX (no jit)'] = eager[name]
                methods[name]['JAX (jit)'] = jitted[name]
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
          f'{opts.seconds} s per repeat, methods interleaved')

    rows = []
    for name in problems:
        print(f'\nmeasuring {name} ...', file=sys.stderr)
        best = measure_interleaved(methods[name], opts.repeats, opts.seconds)
        base = best['hand-written NumPy']
        for m, t in best.items():
            target = ''
            if m == 's2sgrad':
                ratio = t / base
                ok = 'met' if ratio <= TARGETS[name] else 'NOT met'
                target = f'<= {TARGETS[name]:.2f}x ({ok})'
            rows.append((name, m, fmt_time(t), f'{t / base:.2f}x', target))
        for m, why in unavailable[name].items():
            label = f'{m}: unavailable ({why})'
            target = f'<= {TARGETS[name]:.2f}x (pending)' if m == 's2sgrad' else ''
            rows.append((name, label, '-', '-', target))

    if s2sgrad is None:
        why = next(iter(s2s_calls.values()))
        rows.append(('transform', f's2sgrad: unavailable ({why})', '-', '-',
                     f'<= {TRANSFORM_TARGET_MS:.0f} ms (pending)'))
        rows.append(('cached grad', f's2sgrad: unavailable ({why})', '-', '-',
                     f'<= {CACHED_TARGET_US:.0f} us (pending)'))
        transform_notes = []
    else:
        try:
            cold, warm, fastest, cached, cached_tuple, transform_notes = measure_transform(
                s2sgrad, opts.trials)
            ok = 'met' if warm <= TRANSFORM_TARGET_MS else 'NOT met'
            rows.append(('transform', f's2sgrad.grad, fresh 30-line function '
                         f'(median of {opts.trials})', f'{warm:.1f} ms', '',
                         f'<= {TRANSFORM_TARGET_MS:.0f} ms ({ok})'))
            rows.append(('transform', 's2sgrad.grad, first call in the process',
                         f'{cold:.1f} ms', '', ''))
            ok = 'met' if cached <= CACHED_TARGET_US else 'NOT met'
            rows.append(('cached grad', 's2sgrad.grad(f), cached', f'{cached:.2f} us', '',
                         f'<= {CACHED_TARGET_US:.0f} us ({ok})'))
            rows.append(('cached grad', 's2sgrad.grad(f, wrt=(0, 1, 2)), cached',
                         f'{cached_tuple:.2f} us', '', ''))
        except Exception as exc:
            why = short_error(exc)
            if os.environ.get('BENCH_TRACEBACK'):
                traceback.print_exc()
            transform_notes = []
            rows.append(('transform', f's2sgrad: unavailable ({why})', '-', '-',
                         f'<= {TRANSFORM_TARGET_MS:.0f} ms (pending)'))
            rows.append(('cached grad', f's2sgrad: unavailable ({why})', '-', '-',
                         f'<= {CACHED_TARGET_US:.0f} us (pending)'))

    if hasattr(os, 'getloadavg'):
        print('- load average at end: ' + ', '.join(f'{v:.2f}' for v in os.getloadavg()))
    print('\n## Results\n')
    for name, text in descriptions.items():
        print(f'- `{name}`: {text}')
    print('\n| benchmark | method | time per call | ratio to hand-written | target |')
    print('| --- | --- | ---: | ---: | --- |')
    for row in rows:
        print('| ' + ' | '.join(c.replace('|', '\\|') for c in row) + ' |')
    for note in transform_notes:
        print(f'\n{note}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
