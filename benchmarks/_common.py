"""What the benchmark scripts share: BLAS threads fixed before NumPy loads, the timing
method (calibrated calls, interleaved methods, min over repeats), time formatting."""
import gc
import os
import time


def blas_threads_from_argv(argv):
    """The value of --blas-threads in `argv` (default 1), read before NumPy is imported."""
    for k, arg in enumerate(argv):
        if arg == '--blas-threads' and k + 1 < len(argv):
            return argv[k + 1]
        if arg.startswith('--blas-threads='):
            return arg.split('=', 1)[1]
    return '1'


def pin_blas_threads(argv, variables):
    """Set the environment `variables` to --blas-threads of `argv` (default 1; '0' leaves
    them) where they are not set already (a value in the environment wins); return it."""
    threads = blas_threads_from_argv(argv)
    if threads != '0':
        for variable in variables:
            os.environ.setdefault(variable, threads)
    return threads


def fmt_time(seconds):
    """`seconds` as a short time: ``2.31 s``, ``41.3 ms``, ``870 us``."""
    if seconds >= 1.0:
        return f'{seconds:.2f} s'
    if seconds >= 1e-3:
        return f'{seconds * 1e3:.3g} ms'
    return f'{seconds * 1e6:.3g} us'


def calibrate(fn, seconds):
    """(number of calls that take about `seconds`, seconds spent finding it out)."""
    t0 = time.perf_counter()
    fn()
    spent = dt = time.perf_counter() - t0
    if dt >= seconds:  # a slow call (rnn, JAX without jit on a loop): one call per repeat
        return 1, spent
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        spent += dt
        if dt >= seconds / 4 or n >= 1 << 20:
            return max(1, int(n * seconds / max(dt, 1e-9))), spent
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


def measure_interleaved(methods, repeats, seconds, budget=None):
    """{method: min over repeats of the mean time per call}; methods run round-robin. With a
    `budget` (seconds), a method stops repeating once it has spent that long (calibration
    included; it always gets one repeat): --quick uses it for the slow calls."""
    counts, spent = {}, {}
    for m, fn in methods.items():
        counts[m], spent[m] = calibrate(fn, seconds)
    best = {m: float('inf') for m in methods}
    for k in range(repeats):
        for m, fn in methods.items():
            if k > 0 and budget is not None and spent[m] >= budget:
                continue
            t = mean_time(fn, counts[m])
            spent[m] += t * counts[m]
            best[m] = min(best[m], t)
    return best
