"""What the examples share: their command line, where plots go, numerical checks, progress."""
import argparse
import os
import sys
import tempfile

import numpy as np

EXAMPLES = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(os.path.dirname(EXAMPLES), 'docs', 'img')


def parse_args(description, argv=None):
    """The examples' command line: ``--quick`` (small sizes, as CI runs them) and ``--out``.

    A full run writes its pictures to ``docs/img/``; a quick run writes them to a fresh
    temporary folder (so that CI never touches the committed ones) unless ``--out`` names one.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--quick', action='store_true',
                        help='small sizes and few steps, as CI runs it; checks still run')
    parser.add_argument('--out', default=None,
                        help='folder for the pictures (default: docs/img, or a temporary '
                             'folder with --quick)')
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix='s2sgrad-example-') if args.quick else IMAGES
    os.makedirs(args.out, exist_ok=True)
    return args


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no screen needed)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def save(fig, args, name):
    """Save `fig` as ``NAME.png`` in the pictures folder, small, and say where."""
    path = os.path.join(args.out, name + '.png')
    fig.savefig(path, dpi=80, bbox_inches='tight')
    print(f'wrote {os.path.relpath(path)}')
    return path


def central_differences(f, x, eps=1e-6):
    """The numerical gradient of scalar ``f(x)`` at the float64 array `x` (central differences)."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[k] += eps
        xm[k] -= eps
        g[k] = (f(xp) - f(xm)) / (2 * eps)
    return g


def relative_error(a, b):
    """``max |a - b| / max(|b|, tiny)``: one number for how far `a` is from the reference `b`."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


def check(name, value, reference, tol):
    """Print how close `value` is to the independent `reference`, and stop the run if too far."""
    err = relative_error(value, reference)
    status = 'ok' if err <= tol else 'FAILED'
    print(f'  check {name}: relative error {err:.1e} (tolerance {tol:.0e}) {status}')
    if err > tol:
        sys.exit(f'check failed: {name}: relative error {err:.3e} > {tol:.0e}')
    return err


def torch_or_none():
    """The `torch` module, or None when it is not installed or S2SGRAD_EXAMPLES_NO_TORCH=1."""
    if os.environ.get('S2SGRAD_EXAMPLES_NO_TORCH') == '1':
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch


def check_parameter_gradients(grads, reference, loss_of, params, entries=12):
    """Check a dict of gradients `grads` against `reference` (PyTorch's, to 1e-10), or, when
    it is None, against central differences of ``loss_of(params)`` on a few random entries of
    each parameter (to 1e-6)."""
    if reference is not None:
        print('gradient check against PyTorch autograd (float64):')
        for name in params:
            check(f'd loss / d {name}', grads[name], reference[name], 1e-10)
        return
    print(f'gradient check against central differences (torch not used), {entries} entries '
          f'each:')
    rng = np.random.default_rng(1)
    for name, W in params.items():
        idx = rng.choice(W.size, size=min(entries, W.size), replace=False)

        def f(values):
            changed = W.copy()
            changed.flat[idx] = values
            return loss_of({**params, name: changed})

        check(f'd loss / d {name}', grads[name].flat[idx], central_differences(f, W.flat[idx]),
              1e-6)


def progress(iterable, description, total=None):
    """`iterable` with a progress bar (tqdm when installed; one line at the end otherwise)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=description, total=total, ncols=80, leave=True,
                disable=not sys.stderr.isatty() and os.environ.get('S2SGRAD_PROGRESS') != '1')
