#!/usr/bin/env python
"""The compiled path's reduction kernels against NumPy: each helper compiled alone with numba,
on (10000, 100) float64 arrays, ms per call (best of 5 rounds of 5 calls).

    python benchmarks/bench_numba_kernels.py

A script, not a test (pytest never collects this folder). Needs numba.
"""
import timeit
import warnings

import numpy as np


def main():
    import numba
    from s2sgrad import numba_runtime as nr
    from s2sgrad import runtime as s2s
    warnings.simplefilter('ignore')
    rng = np.random.default_rng(0)
    x = rng.random((10000, 100))
    column, row = rng.random((10000, 1)), rng.random((1, 100))
    minima = np.min(x, axis=1)
    g = np.ones(10000)
    cases = [
        ('np.min(x, axis=1)', lambda x: np.min(x, axis=1),
         numba.njit(lambda x: nr.reduce_min(x, 1)), (x,)),
        ('np.sum(x, axis=1)', lambda x: np.sum(x, axis=1),
         numba.njit(lambda x: nr.reduce_sum(x, 1)), (x,)),
        ('unextremum(g, m, x, 1)', lambda g, m, x: s2s.unextremum(g, m, x, 1),
         numba.njit(lambda g, m, x: s2s.unextremum(g, m, x, 1)), (g, minima, x)),
        ('unbroadcast(g, x (10000, 1))', s2s.unbroadcast,
         numba.njit(lambda g, c: s2s.unbroadcast(g, c)), (x, column)),
        ('unbroadcast(g, x (1, 100))', s2s.unbroadcast,
         numba.njit(lambda g, r: s2s.unbroadcast(g, r)), (x, row)),
    ]
    print(f'{"operation":32} {"NumPy":>10} {"numba":>10}')
    for name, plain, compiled, args in cases:
        np.testing.assert_allclose(compiled(*args), plain(*args), rtol=1e-10)
        times = [min(timeit.repeat(lambda: f(*args), number=5, repeat=5)) / 5 * 1e3
                 for f in (plain, compiled)]
        print(f'{name:32} {times[0]:8.3f} ms {times[1]:8.3f} ms')


if __name__ == '__main__':
    main()
