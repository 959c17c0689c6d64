#!/usr/bin/env python
"""dask benchmark (issue #14): s2sgrad gradients on dask arrays against the same gradients on
NumPy, and scaling from 1 to 2 dask.distributed workers.

Run from the repository root (needs ``pip install -e '.[dask]'`` and ``distributed``):

    python benchmarks/bench_dask.py [--quick] [--repeats N] [--rows N] [--chunk N]
                                    [--blas-threads N] [--no-cluster]

The default run takes about 1.5 minutes on a 2-core machine; ``--quick`` (20,000 rows, 2
repeats) about 20 s, most of it starting the four local clusters (``--quick --no-cluster``: a
few seconds), and only checks that everything runs: its times mean nothing. Times on a shared
machine are noisy; rerun on a quiet one before quoting them.

Problems, written in plain NumPy as users write them, with data that fits in memory:

- ``logreg``: logistic regression, ``np.mean(np.logaddexp(0, X @ w) - y * (X @ w))`` plus a
  small L2 term, gradient w.r.t. ``w``;
- ``mlp``: a 2-layer tanh MLP with a sum-of-squares loss, ``np.sum((np.tanh(X @ W1) @ W2 - Y)
  ** 2)``, gradient w.r.t. ``(W1, W2)``.

The data (``X``, ``y``, ``Y``) is the only large input; the parameters stay small NumPy arrays,
as in a training loop. Each gradient is computed by two methods: s2sgrad
(``s2sgrad.grad(loss, wrt=...)(...)``: the cached ``grad`` call is inside the timing) and a
hand-written gradient in ``np.*`` calls, which dask runs through NumPy's dispatch just as it
runs s2sgrad's generated code (so the hand-written rows show what part of the overhead is
dask's own). Settings:

- NumPy: NumPy arrays (one BLAS thread by default, see ``--blas-threads``);
- dask, threads: ``da.from_array(X, chunks=(CHUNK, d))`` persisted, the default threaded
  scheduler (one thread per core);
- dask, synchronous: the same arrays, ``scheduler='synchronous'`` (one thread: the cost of the
  chunking and of dask's bookkeeping without any parallelism);
- dask, distributed, k workers: ``LocalCluster(n_workers=k, threads_per_worker=1,
  processes=True)``, the data scattered to the workers chunk by chunk (chunk i of every data
  array on worker i mod k) and persisted there.

A dask time is that of one user step: calling the gradient (which builds the lazy graph) and
``dask.compute`` of its results. The time of building the graph alone (the gradient call, no
compute) and the number of tasks in the graph (``__dask_graph__`` of the results, merged; it
includes the chunks of the persisted inputs, the same for both methods), as built and after
``dask.optimize`` (which fuses chains of elementwise steps, as ``compute`` does), are reported
too. For scale, each dask setting also times ``np.sum(X)`` on the same chunks: one reduction,
the least any computation costs under that scheduler.
Each time is the median over the repeats (one warm-up call first); within a setting the two
methods alternate, so that drifts in machine speed hit both.

Checked before anything is timed: s2sgrad's NumPy gradient equals the hand-written one, and
every dask result (each method, each setting) equals the NumPy result of the same method
(relative error < 1e-10, the maximum absolute difference over the maximum absolute value); on
dask arrays both gradients are dask arrays and building them computes nothing (they are built
under a scheduler that refuses to run).
"""
import argparse
import os
import platform
import statistics
import sys
import time

# As in bench_reverse.py: one BLAS thread unless told otherwise (a value already in the
# environment wins). The worker processes of the local clusters inherit it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import fmt_time, pin_blas_threads  # noqa: E402

BLAS_THREADS = pin_blas_threads(
    sys.argv[1:], ('OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'OMP_NUM_THREADS')) \
    if __name__ == '__main__' else None

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import s2sgrad  # noqa: E402

ROWS, D, HIDDEN, OUT, CHUNK = 400_000, 32, 32, 4, 50_000
QUICK_ROWS, QUICK_CHUNK = 20_000, 5_000
L2 = 1e-3
TOLERANCE = 1e-10

# =============================================================================================
# The losses, written as a NumPy user would, and their hand-written gradients.
# =============================================================================================


def logreg(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z) + L2 * np.sum(w ** 2)


def mlp(W1, W2, X, Y):
    return np.sum((np.tanh(X @ W1) @ W2 - Y) ** 2)


def logreg_hand(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))  # d logaddexp(0, z) / dz
    return X.T @ (p - y) / X.shape[0] + 2.0 * L2 * w


def mlp_hand(W1, W2, X, Y):
    h = np.tanh(X @ W1)
    g_out = 2.0 * (h @ W2 - Y)
    return X.T @ ((g_out @ W2.T) * (1.0 - h * h)), h.T @ g_out


def make_problems(rows, seed=0):
    """{name: (loss, hand-written gradient, wrt, parameters, data, description)}."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, D))
    w_true = rng.standard_normal(D) / np.sqrt(D) * 2.0
    y = (X @ w_true + 0.5 * rng.standard_normal(rows) > 0.0).astype(np.float64)
    w = rng.standard_normal(D) / np.sqrt(D)
    W1 = rng.standard_normal((D, HIDDEN)) / np.sqrt(D)
    W2 = rng.standard_normal((HIDDEN, OUT)) / np.sqrt(HIDDEN)
    Y = rng.standard_normal((rows, OUT))
    return {
        'logreg': (logreg, logreg_hand, 0, (w,), (X, y),
                   f'X {rows:,} x {D}, y {rows:,}; w {D}'),
        'mlp': (mlp, mlp_hand, (0, 1), (W1, W2), (X, Y),
                f'X {rows:,} x {D}, Y {rows:,} x {OUT}; W1 {D} x {HIDDEN}, W2 {HIDDEN} x {OUT}'),
    }


# =============================================================================================
# Helpers.
# =============================================================================================


def as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def rel_err(got, ref):
    worst = 0.0
    for a, b in zip(as_tuple(got), as_tuple(ref)):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return float('inf')
        worst = max(worst, float(np.max(np.abs(a - b)) / (1e-300 + np.max(np.abs(b)))))
    return worst


def median_times(methods, repeats):
    """{name: median seconds per call} of zero-argument callables, after one warm-up call
    each; the methods alternate within each repeat."""
    for fn in methods.values():
        fn()
    samples = {name: [] for name in methods}
    for _ in range(repeats):
        for name, fn in methods.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in samples.items()}


def graph_tasks(dask, results):
    """The number of tasks in the merged graph of the dask arrays `results`, as built and after
    ``dask.optimize`` (which fuses chains of blockwise operations, as compute does)."""
    counts = []
    for values in (as_tuple(results), dask.optimize(*as_tuple(results))):
        graph = {}
        for value in values:
            graph.update(dict(value.__dask_graph__()))
        counts.append(len(graph))
    return tuple(counts)


class Computed(Exception):
    """Raised by the refusing scheduler."""


def _refuse(*args, **kwargs):
    raise Computed('a dask computation ran while the gradient was being built')


def gradient_fns(loss, hand, wrt, params, data):
    """{method: callable(data) -> gradient(s)} for one problem."""
    return {
        's2sgrad': lambda *data: s2sgrad.grad(loss, wrt=wrt)(*params, *data),
        'hand-written': lambda *data: hand(*params, *data),
    }


def check_lazy(dask, da, name, fns, lazy_data):
    """Build each gradient on dask arrays under a refusing scheduler: they must be dask
    arrays, built without computing anything."""
    for method, fn in fns.items():
        try:
            with dask.config.set(scheduler=_refuse):
                results = as_tuple(fn(*lazy_data))
        except Computed as exc:
            raise SystemExit(f'{name}, {method}: building the gradient on dask arrays computed '
                             f'something ({exc})')
        for value in results:
            if not isinstance(value, da.Array):
                raise SystemExit(f'{name}, {method}: the gradient on dask arrays is a '
                                 f'{type(value).__name__}, not a dask array')


def check_equal(name, setting, fns, lazy_data, reference, compute):
    for method, fn in fns.items():
        err = rel_err(compute(*as_tuple(fn(*lazy_data))), reference[method])
        if not err < TOLERANCE:
            raise SystemExit(f'{name}, {method}, {setting}: the dask result differs from NumPy\'s '
                             f'(relative error {err:.1e})')


FLOOR = 'np.sum(X), for scale'


def time_setting(dask, fns, lazy_data, compute, repeats):
    """{method: (median time of one user step, median time of building the graph alone, task
    counts)} on dask arrays `lazy_data` under `compute`, and the same for the floor, a
    ``np.sum`` of the first data array (one reduction over the same chunks: what any
    computation costs under this scheduler)."""
    steps = {m: (lambda fn=fn: compute(*as_tuple(fn(*lazy_data)))) for m, fn in fns.items()}
    steps[FLOOR] = lambda: compute(np.sum(lazy_data[0]))
    builds = {m: (lambda fn=fn: fn(*lazy_data)) for m, fn in fns.items()}
    step_times = median_times(steps, repeats)
    build_times = median_times(builds, repeats)
    return {m: (step_times[m], build_times.get(m), graph_tasks(dask, fns[m](*lazy_data))
                if m in fns else None)
            for m in steps}


def scatter_chunked(client, da, arrays, chunk):
    """`arrays` (the same number of rows) as dask arrays whose row chunks were scattered to the
    cluster's workers and persisted there, chunk i of every array on worker i mod k (so that the
    blockwise steps need no transfers): the graphs hold futures, not the data."""
    import dask
    workers = sorted(client.scheduler_info()['workers'])
    starts = range(0, arrays[0].shape[0], chunk)
    blocks = [[] for _ in arrays]
    for i, start in enumerate(starts):
        pieces = [a[start:start + chunk] for a in arrays]
        futures = client.scatter(pieces, workers=[workers[i % len(workers)]])
        for parts, future, piece in zip(blocks, futures, pieces):
            parts.append(da.from_delayed(dask.delayed(future), shape=piece.shape,
                                         dtype=piece.dtype))
    return tuple(client.persist(da.concatenate(parts, axis=0)) for parts in blocks)


# =============================================================================================
# The benchmark.
# =============================================================================================


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help=f'{QUICK_ROWS:,} rows in chunks of {QUICK_CHUNK:,}, 2 repeats: '
                             'checks that everything runs; its times mean nothing')
    parser.add_argument('--rows', type=int, help=f'rows of X (default {ROWS:,})')
    parser.add_argument('--chunk', type=int, help=f'rows per chunk (default {CHUNK:,})')
    parser.add_argument('--repeats', type=int, help='timed calls per method (default 5)')
    parser.add_argument('--blas-threads', default='1',
                        help='BLAS threads (read before NumPy is imported; 0: the default)')
    parser.add_argument('--no-cluster', action='store_true',
                        help='skip the dask.distributed rows')
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else ROWS)
    chunk = args.chunk or (QUICK_CHUNK if args.quick else CHUNK)
    repeats = args.repeats or (2 if args.quick else 5)

    import dask
    import dask.array as da
    try:
        import distributed
    except ImportError:
        distributed = None

    started = time.perf_counter()
    print('# s2sgrad gradients on dask arrays')
    print(f'- machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()} '
          f'{platform.release()}); load average at start: '
          f'{", ".join(f"{x:.2f}" for x in os.getloadavg())}')
    print(f'- Python {platform.python_version()}; NumPy {np.__version__} (BLAS threads: '
          f'{os.environ.get("OPENBLAS_NUM_THREADS", "default")}); dask {dask.__version__}; '
          f'distributed {distributed.__version__ if distributed else "not installed"}')
    print(f'- rows {rows:,}, chunks of {chunk:,} rows ({-(-rows // chunk)} chunks), float64; '
          f'median of {repeats} repeats')

    problems = make_problems(rows)
    rows_out = []  # (problem, method, setting, time, its NumPy time, hand NumPy time, build, tasks)
    scaling = []   # (problem, method, time 1 worker, time 2 workers)
    sizes = {}
    for name, (loss, hand, wrt, params, data, description) in problems.items():
        sizes[name] = description
        fns = gradient_fns(loss, hand, wrt, params, data)
        reference = {m: as_tuple(fn(*data)) for m, fn in fns.items()}
        err = rel_err(reference['s2sgrad'], reference['hand-written'])
        if not err < TOLERANCE:
            raise SystemExit(f'{name}: s2sgrad disagrees with the hand-written gradient '
                             f'(relative error {err:.1e})')
        print(f'  {name}: s2sgrad on NumPy equals the hand-written gradient '
              f'(relative error {err:.1e})')
        numpy_times = median_times({m: (lambda fn=fn: fn(*data)) for m, fn in fns.items()},
                                   repeats)
        for method, t in numpy_times.items():
            rows_out.append((name, method, 'NumPy', t, t, numpy_times['hand-written'], None,
                             None))

        lazy = tuple(da.from_array(a, chunks=(chunk,) + a.shape[1:]).persist() for a in data)
        check_lazy(dask, da, name, fns, lazy)
        timings = {}
        for setting, scheduler in (('dask, threads', 'threads'),
                                   ('dask, synchronous', 'synchronous')):
            def compute(*values, scheduler=scheduler):
                return dask.compute(*values, scheduler=scheduler)
            check_equal(name, setting, fns, lazy, reference, compute)
            timings[setting] = time_setting(dask, fns, lazy, compute, repeats)
        print(f'  {name}: dask results (threads, synchronous) equal NumPy\'s; gradients lazy')

        if not args.no_cluster and distributed is not None:
            for workers in (1, 2):
                setting = f'dask, distributed, {workers} worker{"s" if workers > 1 else ""}'
                cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                                   processes=True, dashboard_address=None)
                client = distributed.Client(cluster)
                try:
                    on_cluster = scatter_chunked(client, da, data, chunk)
                    distributed.wait(list(on_cluster))

                    def compute(*values, client=client):
                        return client.compute(values, sync=True)
                    check_equal(name, setting, fns, on_cluster, reference, compute)
                    timings[setting] = time_setting(dask, fns, on_cluster, compute, repeats)
                finally:
                    client.close()
                    cluster.close()
            print(f'  {name}: dask results (distributed, 1 and 2 workers) equal NumPy\'s')
            for method in list(fns) + [FLOOR]:
                scaling.append((name, method,
                                timings['dask, distributed, 1 worker'][method][0],
                                timings['dask, distributed, 2 workers'][method][0]))
        for setting, by_method in timings.items():
            for method, (t, build, tasks) in by_method.items():
                rows_out.append((name, method, setting, t, numpy_times.get(method),
                                 numpy_times['hand-written'] if method in fns else None,
                                 build, tasks))

    print()
    print('Sizes (float64): ' + '; '.join(f'{n}: {s}' for n, s in sizes.items()))
    print()
    print('Time per gradient: on dask, the gradient call (it builds the graph) plus compute; '
          'medians.')
    print()
    print('| problem | gradient | arrays, scheduler | time per gradient | ratio to the same '
          'gradient on NumPy | ratio to hand-written on NumPy | graph building alone '
          '| tasks (after dask.optimize) |')
    print('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |')
    for name, method, setting, t, t_numpy, t_hand, build, tasks in rows_out:
        print(f'| {name} | {method} | {setting} | {fmt_time(t)} | '
              f'{f"{t / t_numpy:.2f}x" if t_numpy else ""} | '
              f'{f"{t / t_hand:.2f}x" if t_hand else ""} | '
              f'{fmt_time(build) if build is not None else ""} | '
              f'{f"{tasks[0]} ({tasks[1]})" if tasks is not None else ""} |')
    if scaling:
        print()
        print('| problem | gradient | 1 worker | 2 workers | scaling (1 worker / 2 workers) |')
        print('| --- | --- | ---: | ---: | ---: |')
        for name, method, one, two in scaling:
            print(f'| {name} | {method} | {fmt_time(one)} | {fmt_time(two)} | {one / two:.2f}x |')
    print()
    print(f'Total {time.perf_counter() - started:.0f} s; load average at end: '
          f'{", ".join(f"{x:.2f}" for x in os.getloadavg())}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
