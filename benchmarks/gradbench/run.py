#!/usr/bin/env python
"""GradBench problems as plain-NumPy objectives: s2sgrad against autograd, JAX and PyTorch.

Run from the repository root (a script, not a test; pytest never collects this folder):

    python benchmarks/gradbench/run.py [--quick] [--only NAME[,NAME]] [--repeats N]
                                       [--seconds S] [--blas-threads N] [--torch-threads N]

Problems (`--only` takes these names, in this order): lse, llsq, gmm, kmeans, ode, det, lstm,
ba, ht; each is a module of this folder (see README.md). ba and ht (``OPERATOR = 'jacobian'``)
time a Jacobian instead of a gradient (see `make_jacobian_methods`). For every problem the
s2sgrad gradient is first checked against the JAX float64 gradient (relative error < 1e-8, per
argument, in the 2-norm); a mismatch is printed and the script exits with status 1 after the
table. The peers' gradients are checked the same way (a mismatch is printed). Then each
method is timed as in `benchmarks/bench_reverse.py`: one process, the same inputs, the methods
interleaved within each repeat, and the time per gradient is the minimum over repeats of the
mean over many calls.

Methods: s2sgrad (``s2sgrad.grad(objective, wrt=WRT)``, made once, outside the timing);
s2sgrad+numba (the same with ``compile='numba'``, compiled by its first call, outside the
timing; the compile time is printed, and where numba cannot compile the problem, the
CompileError); autograd
(``autograd.grad``); JAX without jit and with ``jax.jit`` (float64, compiled before the
timing; the compile time is printed); PyTorch (float64 CPU tensors, ``torch.autograd.grad``, one
intra-op thread). A peer that is not installed shows ``n/a``; a method that fails shows its
error, and the run goes on.
"""
import argparse
import importlib
import inspect
import math
import os
import sys
import time
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
_BENCH = os.path.dirname(_HERE)
_REPO = os.path.dirname(_BENCH)
for _path in (_REPO, _BENCH, _HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _common import fmt_time, measure_interleaved, pin_blas_threads  # noqa: E402

# NumPy's BLAS threads are fixed when NumPy is loaded (see bench_reverse.py).
BLAS_THREADS = pin_blas_threads(sys.argv[1:], ('OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')) \
    if __name__ == '__main__' else None

import numpy as np  # noqa: E402

PROBLEMS = ('lse', 'llsq', 'gmm', 'kmeans', 'ode', 'det', 'lstm', 'ba', 'ht')
METHODS = ('s2sgrad', 's2sgrad+numba', 'autograd', 'jax', 'jax.jit', 'torch')
SKIP = set()
"""Methods `--skip` leaves out (jax.jit: its compile of an unrolled loop takes minutes)."""


class Skipped(Exception):
    """A method left out with `--skip`."""


TOLERANCE = 1e-8


def short_error(exc):
    text = f'{type(exc).__name__}: {exc}'.splitlines()[0]
    return text if len(text) <= 120 else text[:117] + '...'


def rel_errors(grads, reference):
    """Per argument: |g - ref| / |ref| in the 2-norm (0 where both are 0)."""
    out = []
    for g, r in zip(grads, reference):
        g, r = np.asarray(g, dtype=np.float64), np.asarray(r, dtype=np.float64)
        if g.shape != r.shape:
            out.append(float('inf'))
            continue
        diff = np.linalg.norm(g - r)
        scale = np.linalg.norm(r)
        out.append(0.0 if diff == 0.0 else float(diff / scale) if scale > 0 else float('inf'))
    return out


def to_numpy(grads):
    out = []
    for g in grads:
        if hasattr(g, 'detach'):
            g = g.detach().numpy()
        out.append(np.asarray(g))
    return tuple(out)


# =============================================================================================
# The methods: zero-argument callables that compute one full gradient (a tuple, in WRT order).
# =============================================================================================


def make_methods(mod, args, torch_threads):
    """({method: callable or error string}, {note})."""
    params = list(inspect.signature(mod.objective).parameters)
    argnums = tuple(params.index(w) for w in mod.WRT)
    methods, notes = {}, {}

    try:
        import s2sgrad
        g = s2sgrad.grad(mod.objective, wrt=mod.WRT)
        methods['s2sgrad'] = lambda g=g: g(*args)
    except Exception as exc:
        methods['s2sgrad'] = exc

    try:  # the compiled path; its first call compiles (timed apart, as jax.jit's)
        import numba  # noqa: F401
        import s2sgrad
        from s2sgrad.errors import CompileError
        gn = s2sgrad.grad(mod.objective, wrt=mod.WRT, compile='numba')
        t0 = time.perf_counter()
        gn(*args)
        notes['numba'] = time.perf_counter() - t0
        methods['s2sgrad+numba'] = lambda g=gn: g(*args)
    except ImportError:
        methods['s2sgrad+numba'] = 'n/a'
    except CompileError as exc:
        notes['numba error'] = exc
        methods['s2sgrad+numba'] = 'does not compile'
    except Exception as exc:
        methods['s2sgrad+numba'] = exc

    try:
        import autograd
        ag = autograd.grad(_positional(mod.autograd_objective, argnums, args), 0)
        ag_args = tuple(args[i] for i in argnums)
        methods['autograd'] = lambda ag=ag, a=ag_args: ag(a)
    except ImportError:
        methods['autograd'] = 'n/a'
    except Exception as exc:
        methods['autograd'] = exc

    try:
        import jax
        jax.config.update('jax_enable_x64', True)
        import jax.numpy as jnp
        jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
        static = tuple(i for i, a in enumerate(args) if not isinstance(a, np.ndarray)
                       and i not in argnums)
        jg = jax.grad(mod.jax_objective, argnums=argnums)
        methods['jax'] = lambda g=jg, a=jargs: jax.block_until_ready(g(*a))
        if 'jax.jit' in SKIP:
            raise Skipped('skipped')
        jit_objective = getattr(mod, 'jax_jit_objective', None)  # (lax loops: see ode.py)
        jj = jax.jit(jg if jit_objective is None else
                     jax.grad(jit_objective, argnums=argnums), static_argnums=static)
        t0 = time.perf_counter()
        jax.block_until_ready(jj(*jargs))
        notes['jit'] = time.perf_counter() - t0
        methods['jax.jit'] = lambda g=jj, a=jargs: jax.block_until_ready(g(*a))
    except ImportError:
        methods['jax'] = methods['jax.jit'] = 'n/a'
    except Skipped:
        methods['jax.jit'] = 'skipped'
    except Exception as exc:
        methods.setdefault('jax', exc)
        methods['jax.jit'] = exc

    try:
        import torch
        if torch_threads:
            torch.set_num_threads(torch_threads)
        targs = [torch.tensor(a, dtype=torch.float64) if isinstance(a, np.ndarray) else a
                 for a in args]
        for i in argnums:
            targs[i].requires_grad_(True)
        leaves = tuple(targs[i] for i in argnums)

        def call(f=mod.torch_objective, targs=targs, leaves=leaves):
            return torch.autograd.grad(f(*targs), leaves)

        methods['torch'] = call
    except ImportError:
        methods['torch'] = 'n/a'
    except Exception as exc:
        methods['torch'] = exc
    return methods, notes


def make_jacobian_methods(mod, args, torch_threads):
    """As make_methods for a problem with ``OPERATOR = 'jacobian'``: each method's Jacobian
    operator on `mod.objective` (a tuple of Jacobians, in WRT order), called once per unit of
    `mod.units(*args)` (or once on `args` for a module without `units`); with units, the
    Jacobians of the units are stacked along a new first axis."""
    params = list(inspect.signature(mod.objective).parameters)
    argnums = tuple(params.index(w) for w in mod.WRT)
    units = mod.units(*args) if hasattr(mod, 'units') else None
    calls = [tuple(np.asarray(a) if isinstance(a, np.generic) else a for a in unit)
             for unit in (units if units is not None else [args])]
    methods, notes = {}, {}

    def looped(jac, converted):
        if units is None:
            return lambda: tuple(jac(*converted[0]))
        return lambda: tuple(np.stack(parts)
                             for parts in zip(*(to_numpy(jac(*a)) for a in converted)))

    # Forward mode when the inputs are smaller than the output (s2sgrad.jacobian's rule).
    out = np.asarray(mod.objective(*calls[0]))
    forward = sum(np.size(calls[0][i]) for i in argnums) < max(out.size, 1)
    notes['mode'] = 'forward' if forward else 'reverse'

    try:
        import s2sgrad
        jac = s2sgrad.jacobian(mod.objective, wrt=mod.WRT)
        methods['s2sgrad'] = looped(jac, calls)
    except Exception as exc:
        methods['s2sgrad'] = exc

    try:  # the compiled path (its vjps or jvps), compiled by the first call
        import numba  # noqa: F401
        import s2sgrad
        from s2sgrad.errors import CompileError
        jac = s2sgrad.jacobian(mod.objective, wrt=mod.WRT, compile='numba')
        t0 = time.perf_counter()
        jac(*calls[0])
        notes['numba'] = time.perf_counter() - t0
        methods['s2sgrad+numba'] = looped(jac, calls)
    except ImportError:
        methods['s2sgrad+numba'] = 'n/a'
    except CompileError as exc:
        notes['numba error'] = exc
        methods['s2sgrad+numba'] = 'does not compile'
    except Exception as exc:
        methods['s2sgrad+numba'] = exc

    try:
        import autograd

        def ag_jac(*a, f=mod.autograd_objective):
            vjp, value = autograd.make_vjp(_positional(f, argnums, a))(
                tuple(a[i] for i in argnums))
            rows = []
            for index in np.ndindex(np.shape(value)):
                seed = np.zeros(np.shape(value))
                seed[index] = 1.0
                rows.append(vjp(seed))
            return tuple(np.stack([r[k] for r in rows]).reshape(np.shape(value) + np.shape(a[i]))
                         for k, i in enumerate(argnums))

        methods['autograd'] = looped(ag_jac, calls)
    except ImportError:
        methods['autograd'] = 'n/a'
    except Exception as exc:
        methods['autograd'] = exc

    try:
        import jax
        jax.config.update('jax_enable_x64', True)
        import jax.numpy as jnp
        jcalls = [tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in c)
                  for c in calls]
        static = tuple(i for i, a in enumerate(calls[0]) if not isinstance(a, np.ndarray)
                       and i not in argnums)
        operator = jax.jacfwd if forward else jax.jacrev
        jg = operator(mod.jax_objective, argnums=argnums)
        methods['jax'] = looped(lambda *a: jax.block_until_ready(jg(*a)), jcalls)
        jj = jax.jit(operator(getattr(mod, 'jax_jit_objective', mod.jax_objective),
                              argnums=argnums), static_argnums=static)
        t0 = time.perf_counter()
        jax.block_until_ready(jj(*jcalls[0]))
        notes['jit'] = time.perf_counter() - t0
        methods['jax.jit'] = looped(lambda *a: jax.block_until_ready(jj(*a)), jcalls)
    except ImportError:
        methods['jax'] = methods['jax.jit'] = 'n/a'
    except Exception as exc:
        methods.setdefault('jax', exc)
        methods['jax.jit'] = exc

    try:
        import torch
        from torch.autograd.functional import jacobian as torch_jacobian
        if torch_threads:
            torch.set_num_threads(torch_threads)

        def tensor(a):
            if not isinstance(a, np.ndarray):
                return a
            return torch.tensor(a, dtype=torch.float64) if a.dtype.kind == 'f' \
                else torch.from_numpy(a)

        tcalls = [tuple(tensor(a) for a in c) for c in calls]

        def t_jac(*a, f=mod.torch_objective):
            def g(*diff):
                full = list(a)
                for i, d in zip(argnums, diff):
                    full[i] = d
                return f(*full)
            return torch_jacobian(g, tuple(a[i] for i in argnums))

        methods['torch'] = looped(t_jac, tcalls)
    except ImportError:
        methods['torch'] = 'n/a'
    except Exception as exc:
        methods['torch'] = exc
    return methods, notes


def _positional(f, argnums, args):
    """f as a function of the tuple of its differentiated arguments (autograd.grad takes one)."""
    def wrapped(diff):
        full = list(args)
        for i, a in zip(argnums, diff):
            full[i] = a
        return f(*full)
    return wrapped


# =============================================================================================
# Timing (the approach of bench_reverse.py).
# =============================================================================================


# =============================================================================================
# Main.
# =============================================================================================


def run_problem(name, quick, repeats, seconds, budget, torch_threads):
    """(row cells {method: text}, ratio s2sgrad/jax.jit or None, check_failed, lines)."""
    mod = importlib.import_module(name)
    args = mod.make_inputs(np.random.default_rng(0), quick=quick)
    jacobian = getattr(mod, 'OPERATOR', 'grad') == 'jacobian'
    what = 'Jacobian' if jacobian else 'gradient'
    lines = [f'## {name} ({mod.sizes(quick)}), {what} w.r.t. {", ".join(mod.WRT)}']
    make = make_jacobian_methods if jacobian else make_methods
    methods, notes = make(mod, args, torch_threads)
    if 'mode' in notes:
        lines.append(f'  Jacobian in {notes["mode"]} mode (jax: '
                     f'{"jacfwd" if notes["mode"] == "forward" else "jacrev"})')
    if 'jit' in notes:
        lines.append(f'  jax.jit compile (first call): {fmt_time(notes["jit"])}')
    if 'numba' in notes:
        lines.append(f'  s2sgrad+numba compile (first call): {fmt_time(notes["numba"])}')
    if 'numba error' in notes:
        lines.append('  s2sgrad+numba does not compile:\n' + ''.join(
            '    ' + t for t in str(notes['numba error']).splitlines(True)))
    cells, grads, failed = {}, {}, False
    for m in METHODS:
        fn = methods.get(m)
        if isinstance(fn, str):
            cells[m] = fn
            continue
        if isinstance(fn, Exception):
            cells[m] = f'error: {short_error(fn)}'
            lines.append(f'  {m} failed: {short_error(fn)}')
            continue
        try:
            grads[m] = to_numpy(fn())
        except Exception as exc:
            cells[m] = f'error: {short_error(exc)}'
            lines.append(f'  {m} failed:\n' + ''.join(
                '    ' + t for t in traceback.format_exc().splitlines(True)[-6:]))
            methods[m] = None
    reference = grads.get('jax')
    if reference is None and 's2sgrad+numba' in grads and 's2sgrad' in grads:
        errs = rel_errors(grads['s2sgrad+numba'], grads['s2sgrad'])
        ok = max(errs) < TOLERANCE
        lines.append(f'  check s2sgrad+numba vs s2sgrad: rel. error '
                     f'{", ".join(f"{e:.1e}" for e in errs)} {"ok" if ok else "MISMATCH"}')
        if not ok:
            cells['s2sgrad+numba'] = 'wrong gradient'
            methods['s2sgrad+numba'] = None
            failed = True
    if reference is None:
        lines.append('  CHECK SKIPPED: no JAX gradient to compare with')
        failed = failed or 's2sgrad' in grads
    else:
        norms = ', '.join(f'{np.linalg.norm(r):.3g}' for r in reference)
        lines.append(f'  |jax {what}| = {norms}')
        for m in METHODS:
            if m in grads and m != 'jax':
                errs = rel_errors(grads[m], reference)
                ok = max(errs) < TOLERANCE
                text = ', '.join(f'{e:.1e}' for e in errs)
                lines.append(f'  check {m} vs jax (float64): rel. error {text} '
                             f'{"ok" if ok else "MISMATCH"}')
                if not ok:
                    cells[m] = 'wrong gradient'
                    if m in ('s2sgrad', 's2sgrad+numba'):
                        failed = True
                    methods[m] = None
    timed = {m: methods[m] for m in METHODS if m in grads and methods.get(m) is not None
             and m not in cells}
    times = measure_interleaved(timed, repeats, seconds, budget) if timed else {}
    for m, t in times.items():
        cells[m] = f'{t * 1e3:.3g}'
    ratio = None
    if 's2sgrad' in times and 'jax.jit' in times:
        ratio = times['s2sgrad'] / times['jax.jit']
    return cells, ratio, failed, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='small sizes, short timing')
    parser.add_argument('--only', metavar='NAME[,NAME]', help=f'of {",".join(PROBLEMS)}')
    parser.add_argument('--repeats', type=int, default=None,
                        help='repeats per method, min taken (default 7, --quick 3)')
    parser.add_argument('--seconds', type=float, default=None,
                        help='seconds per repeat and method (default 0.2, --quick 0.05)')
    parser.add_argument('--blas-threads', default='1',
                        help='BLAS threads for NumPy, set before it loads (0: leave as is)')
    parser.add_argument('--skip', metavar='METHOD[,METHOD]', default='',
                        help='leave out methods (jax.jit: its compile of unrolled loops, '
                             'ode/det/lstm at full size, takes many minutes)')
    parser.add_argument('--torch-threads', type=int, default=1,
                        help='torch.set_num_threads (0: leave PyTorch\'s default)')
    args = parser.parse_args()
    SKIP.update(s.strip() for s in args.skip.split(',') if s.strip())
    names = PROBLEMS if not args.only else tuple(s.strip() for s in args.only.split(','))
    unknown = [n for n in names if n not in PROBLEMS]
    if unknown:
        parser.error(f'unknown problem(s) {unknown}; known: {", ".join(PROBLEMS)}')
    repeats = args.repeats or (3 if args.quick else 7)
    seconds = args.seconds or (0.05 if args.quick else 0.2)
    budget = 1.0 if args.quick else None

    print(f'# GradBench problems{" (--quick sizes)" if args.quick else ""}: ms per gradient, '
          f'min over {repeats} repeats of the mean over ~{seconds:g} s; BLAS threads '
          f'{BLAS_THREADS}, torch threads {args.torch_threads}')
    rows, ratios, any_failed = [], [], False
    for name in names:
        try:
            cells, ratio, failed, lines = run_problem(name, args.quick, repeats, seconds, budget,
                                                      args.torch_threads)
        except Exception as exc:
            cells, ratio, failed = {m: 'error' for m in METHODS}, None, True
            lines = [f'## {name}: {short_error(exc)}', traceback.format_exc()]
        row = ' | '.join(cells.get(m, '-') for m in METHODS)
        print('\n'.join(lines) + f'\n  row: | {name} | {row} |', flush=True)
        any_failed = any_failed or failed
        rows.append((name, cells, ratio))
        if ratio is not None:
            ratios.append(ratio)

    print()
    print('| problem | s2sgrad | s2sgrad+numba | autograd | jax | jax.jit | torch | '
          's2sgrad/jax.jit |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|')
    for name, cells, ratio in rows:
        r = f'{ratio:.2f}' if ratio is not None else '-'
        print(f'| {name} | ' + ' | '.join(cells.get(m, '-') for m in METHODS) + f' | {r} |')
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f'\nGeometric mean of s2sgrad/jax.jit over {len(ratios)} problems: {geo:.2f}')
    if any_failed:
        print('\nFAILED: an s2sgrad gradient did not match JAX (or could not be checked); '
              'see above.')
        sys.exit(1)


if __name__ == '__main__':
    main()
