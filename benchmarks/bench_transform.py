"""Transformation time: generating the gradients of the functions of tests/corpus.py.

Run: ``python benchmarks/bench_transform.py``. Prints the time to generate every gradient of
the corpus (cache cleared first) with the algebraic rules (`s2sgrad.simplify`) and without
them, best of three. Not a test: pytest never collects this folder.
"""
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))

import corpus  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad import optimize  # noqa: E402


def generate_all():
    s2sgrad.clear_cache()
    start = time.perf_counter()
    for func, _, wrt in corpus.CASES:
        s2sgrad.grad(func, wrt=wrt)
    return time.perf_counter() - start


def main():
    with_rules = min(generate_all() for _ in range(3))
    rules = optimize.simplify
    optimize.simplify = lambda body, *args, **kwargs: body
    try:
        without = min(generate_all() for _ in range(3))
    finally:
        optimize.simplify = rules
    count = len(corpus.CASES)
    print(f'{platform.processor() or platform.machine()}, Python {platform.python_version()}')
    print('| gradients of tests/corpus.py | total (s) | per function (ms) |')
    print('| --- | --- | --- |')
    print(f'| with the algebraic rules | {with_rules:.2f} | {1000 * with_rules / count:.1f} |')
    print(f'| without them | {without:.2f} | {1000 * without / count:.1f} |')


if __name__ == '__main__':
    main()
