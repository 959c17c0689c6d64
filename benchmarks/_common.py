"""What the benchmark scripts share: BLAS threads fixed before NumPy loads, time formatting."""
import os


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
