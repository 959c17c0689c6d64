#!/usr/bin/env python
"""The compiled path: ``s2sgrad.grad(f, compile="numba")`` against the hand-written gradient.

Run from the repository root (needs numba: ``pip install -e '.[numba]'``):

    python benchmarks/bench_numba.py [--quick] [--only NAME[,NAME]] [--repeats N] [--seconds S]

In ONE process, on the SAME inputs, for the problems of `bench_reverse.py` (the functions, the
hand-written gradients and the inputs are imported from there): the hand-written gradient
(NumPy, or plain Python with `math` for scalar_math), the plain s2sgrad gradient, and the
s2sgrad gradient compiled with numba. Times per call are measured after compilation (the
first call compiles; its time is reported separately), as ratios to the hand-written gradient,
with the timing method of `_common.py` (min over repeats of the mean over calls, methods
interleaved). Every gradient is checked against the hand-written one (relative error < 1e-8)
before it is timed; a problem numba cannot compile prints its CompileError instead.
The target of the issue: scalar_math compiled <= 0.3x the hand-written Python loop.
"""
import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import fmt_time, measure_interleaved, pin_blas_threads  # noqa: E402

pin_blas_threads(sys.argv[1:], ('OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'))

import numpy as np  # noqa: E402

import bench_reverse as br  # noqa: E402

NAMES = ('scalar_math', 'scalar_loop', 'mlp_sq', 'mlp_xent', 'rnn', 'logreg')
TARGETS = {'scalar_math': 0.3}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--seconds', type=float, default=0.2)
    parser.add_argument('--quick', action='store_true', help='3 repeats of 0.05 s')
    parser.add_argument('--only', metavar='NAME[,NAME]', help='of: ' + ', '.join(NAMES))
    parser.add_argument('--blas-threads', default='1', help='as in bench_reverse.py')
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.repeats, opts.seconds = 3, 0.05
    names = NAMES if not opts.only else tuple(n for n in NAMES if n in opts.only.split(','))

    import numba
    import s2sgrad
    from s2sgrad.errors import CompileError
    print('# s2sgrad compiled path (numba)\n')
    print(f'- machine: {platform.machine()}, {os.cpu_count()} CPUs ({br.cpu_model()})')
    print(f'- Python {platform.python_version()}, NumPy {np.__version__}, numba '
          f'{numba.__version__}, OPENBLAS_NUM_THREADS='
          f'{os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")}')
    print(f'- timing: min over {opts.repeats} repeats of the mean over calls lasting about '
          f'{opts.seconds} s, methods interleaved; compile time (the first call) apart\n')
    inputs = br.make_inputs(list(names))
    rows = []
    for name in names:
        f, hand, wrt = br.PROBLEMS[name]
        args = inputs[name]
        reference = hand(*args)
        plain = s2sgrad.grad(f, wrt=wrt)
        compiled = s2sgrad.grad(f, wrt=wrt, compile='numba')
        t0 = time.perf_counter()
        try:
            got = compiled(*args)
        except CompileError as error:
            print(f'{name}: CompileError: {error}\n')
            rows.append((name, 'does not compile (see above)', '-', '-', '-'))
            continue
        compile_s = time.perf_counter() - t0
        for label, value in (('s2sgrad', plain(*args)), ('s2sgrad+numba', got)):
            err = br.max_rel_err(value, reference)
            if not err < 1e-8:
                raise SystemExit(f'{name}: {label} disagrees with the hand-written gradient '
                                 f'(rel. err {err:.1e})')
        hand_label = 'hand-written Python (math)' if name == 'scalar_math' else \
            'hand-written NumPy'
        best = measure_interleaved({
            hand_label: lambda: hand(*args),
            's2sgrad': lambda: plain(*args),
            's2sgrad+numba': lambda: compiled(*args),
        }, opts.repeats, opts.seconds)
        base = best[hand_label]
        for label, t in best.items():
            note = ''
            if label == 's2sgrad+numba':
                note = f'compile {compile_s:.2f} s'
                if name in TARGETS:
                    ok = 'met' if t / base <= TARGETS[name] else 'NOT met'
                    note += f'; target <= {TARGETS[name]}x ({ok})'
            rows.append((name, label, fmt_time(t), f'{t / base:.2f}x', note))
    print('| benchmark | method | time per call | ratio | notes |')
    print('|---|---|---|---|---|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')


if __name__ == '__main__':
    main()
