"""Transformation time: generating the gradients of the functions of tests/corpus.py and of
tests/corpus_users.py (a 3,000-line module), and of the 300-line `long_model` of
benchmarks/long_function.py.

Run: ``python benchmarks/bench_transform.py``. Prints the time to generate every gradient of
the corpus (cache cleared first) with the algebraic rules (`s2sgrad.simplify`) and without
them, best of three, the time to generate every gradient and tangent of the users' corpus
(refused functions included: a refusal costs its analysis too), best of two, and the median
time of a fresh transformation of `long_model` (each trial execs the module from its own
temporary file, so nothing is cached). Not a test: pytest never collects this folder.
"""
import os
import platform
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))

import corpus  # noqa: E402
import corpus_users  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad import optimize  # noqa: E402
from s2sgrad.errors import S2SError  # noqa: E402


def generate_all():
    s2sgrad.clear_cache()
    start = time.perf_counter()
    for func, _, wrt in corpus.CASES:
        s2sgrad.grad(func, wrt=wrt)
    return time.perf_counter() - start


def generate_users():
    """Seconds to generate the gradient and the tangent of each case of tests/corpus_users.py
    (cache cleared first)."""
    s2sgrad.clear_cache()
    start = time.perf_counter()
    for func, _, wrt in corpus_users.CASES:
        for make in (lambda: s2sgrad.grad(func, wrt=wrt), lambda: s2sgrad.jvp(func)):
            try:
                make()
            except S2SError:
                continue  # (a construct s2sgrad refuses on purpose)
    return time.perf_counter() - start


def load_long_model(directory, k):
    """A new `long_model` function object (and its WRT), exec'ed from its own file."""
    with open(os.path.join(HERE, 'long_function.py')) as fh:
        text = fh.read()
    path = os.path.join(directory, f'long_function_{k}.py')
    with open(path, 'w') as fh:
        fh.write(text)
    namespace = {'__name__': f'bench_long_{k}', '__file__': path}
    exec(compile(text, path, 'exec'), namespace)
    return namespace['long_model'], namespace['WRT']


def transform_long_model(trials=7):
    """The median and the fastest time of a fresh `s2sgrad.grad(long_model, wrt=WRT)`."""
    times = []
    with tempfile.TemporaryDirectory(prefix='s2sgrad-bench-') as directory:
        func, wrt = load_long_model(directory, 0)
        s2sgrad.grad(func, wrt=wrt)  # (one-time set-up: the rule templates)
        for k in range(1, trials + 1):
            func, wrt = load_long_model(directory, k)
            start = time.perf_counter()
            s2sgrad.grad(func, wrt=wrt)
            times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main():
    with_rules = min(generate_all() for _ in range(3))
    rules = optimize.simplify
    optimize.simplify = lambda body, *args, **kwargs: body
    try:
        without = min(generate_all() for _ in range(3))
    finally:
        optimize.simplify = rules
    users = min(generate_users() for _ in range(2))
    long_median, long_best = transform_long_model()
    count = len(corpus.CASES)
    print(f'{platform.processor() or platform.machine()}, Python {platform.python_version()}')
    print('| gradients of tests/corpus.py | total (s) | per function (ms) |')
    print('| --- | --- | --- |')
    print(f'| with the algebraic rules | {with_rules:.2f} | {1000 * with_rules / count:.1f} |')
    print(f'| without them | {without:.2f} | {1000 * without / count:.1f} |')
    print()
    print('| gradients and tangents of tests/corpus_users.py | total (s) | per case (ms) |')
    print('| --- | --- | --- |')
    print(f'| {len(corpus_users.CASES)} cases | {users:.2f} | '
          f'{1000 * users / len(corpus_users.CASES):.1f} |')
    print()
    print('| fresh transformation of benchmarks/long_function.py (300 lines) | median (s) '
          '| fastest (s) |')
    print('| --- | --- | --- |')
    print(f'| s2sgrad.grad(long_model, wrt=WRT) | {long_median:.2f} | {long_best:.2f} |')


if __name__ == '__main__':
    main()
