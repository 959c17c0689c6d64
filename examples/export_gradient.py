"""Export a gradient as a standalone module that needs NumPy only, then use it without s2sgrad.

s2sgrad.export writes the loss of a small two-layer network, its gradient and its value and
gradient (with the runtime helpers they call) to a .py file. The module is imported as any module
is, and again in a fresh Python where `import s2sgrad` fails; both gradients are checked against
central differences.

    python examples/export_gradient.py [--quick]
"""
import ast
import importlib.util
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np

import s2sgrad
from _support import central_differences, check, parse_args, pyplot, save


def predict(params, x):
    h = np.tanh(x @ params['W1'] + params['b1'])
    return h @ params['W2'] + params['b2']


def loss(params, x, y):
    return np.mean((predict(params, x) - y) ** 2)


# Run in a fresh Python: s2sgrad cannot be imported there, the exported module still works.
WITHOUT_S2SGRAD = textwrap.dedent('''
    import sys
    sys.modules['s2sgrad'] = None          # any `import s2sgrad` now raises ImportError
    try:
        import s2sgrad
        sys.exit('s2sgrad was not blocked')
    except ImportError:
        print('  in a fresh Python where `import s2sgrad` fails:')
    import numpy as np
    folder = sys.argv[1]
    sys.path.insert(0, folder)
    import loss_gradient
    data = np.load(folder + '/inputs.npz')
    params = {k: data[k] for k in ('W1', 'b1', 'W2', 'b2')}
    gradient = loss_gradient.dlossdparams(params, data['x'], data['y'])
    np.savez(folder + '/gradient.npz', **gradient)
    print('  loss_gradient imported and called')
''')


def imported_names(text):
    """The top-level modules a module's source imports."""
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split('.')[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or '').split('.')[0])
    return names


def check_leaves(name, gradient, reference, tol):
    for key in reference:
        check(f'{name} [{key!r}]', gradient[key], reference[key], tol)


def main(argv=None):
    args = parse_args(__doc__, argv)
    samples, inputs, hidden, outputs = (10, 3, 4, 2) if args.quick else (200, 6, 16, 3)
    rng = np.random.default_rng(0)
    params = {'W1': rng.standard_normal((inputs, hidden)) / np.sqrt(inputs),
              'b1': rng.standard_normal(hidden) * 0.1,
              'W2': rng.standard_normal((hidden, outputs)) / np.sqrt(hidden),
              'b2': rng.standard_normal(outputs) * 0.1}
    x = rng.standard_normal((samples, inputs))
    y = rng.standard_normal((samples, outputs))

    with tempfile.TemporaryDirectory(prefix='s2sgrad-export-') as folder:
        path = os.path.join(folder, 'loss_gradient.py')
        text = s2sgrad.export(loss, wrt='params', path=path, modes=('grad', 'value_and_grad'))
        print(f'=== s2sgrad.export(loss, wrt=\'params\', path={os.path.basename(path)!r}, '
              f'modes=(\'grad\', \'value_and_grad\')) wrote ===\n')
        print(text)

        print('=== Checks ===\n')
        imports = imported_names(text)
        print(f'  the module imports: {", ".join(sorted(imports))}')
        if any(name.startswith('s2sgrad') for name in imports):
            sys.exit('check failed: the exported module imports s2sgrad')

        # Import it as a user would, from its file.
        spec = importlib.util.spec_from_file_location('loss_gradient', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        value, gradient = module.value_and_dlossdparams(params, x, y)
        gradient_only = module.dlossdparams(params, x, y)

        # The reference: central differences of the plain NumPy loss, one parameter at a time.
        reference = {}
        for key in params:
            def loss_of(value, key=key):
                return loss({**params, key: value}, x, y)
            reference[key] = central_differences(loss_of, params[key])

        check('value = loss(params, x, y)', value, loss(params, x, y), 1e-14)
        check_leaves('value_and_dlossdparams = central differences', gradient, reference, 1e-6)
        check_leaves('dlossdparams = central differences', gradient_only, reference, 1e-6)

        # And in a fresh Python where s2sgrad cannot be imported.
        np.savez(os.path.join(folder, 'inputs.npz'), x=x, y=y, **params)
        run = subprocess.run([sys.executable, '-c', WITHOUT_S2SGRAD, folder],
                             capture_output=True, text=True)
        print(run.stdout, end='')
        if run.returncode != 0:
            sys.exit(f'check failed: the module does not run without s2sgrad:\n{run.stderr}')
        fresh = dict(np.load(os.path.join(folder, 'gradient.npz')))
        check_leaves('without s2sgrad = central differences', fresh, reference, 1e-6)

    plt = pyplot()
    lines = text.splitlines()

    def first(prefix, after=0):
        return next(i for i in range(after, len(lines)) if lines[i].startswith(prefix))

    helper = first('def ', first('def predict') + 1)        # the first generated function
    start = first('def dlossdparams')
    end = first('def ', start + 1)
    runtime = first('# -- The s2sgrad')
    shown = (lines[:helper] + [f'# ... {start - helper} lines: {lines[helper][4:]} ...', '']
             + lines[start:end] + [f'# ... {runtime - end} lines: value_and_dlossdparams', '']
             + [lines[runtime], f'# ... {len(lines) - runtime - 1} lines: the runtime helpers'
                                ' (NumPy only)'])
    fig = plt.figure(figsize=(7.5, 0.142 * len(shown)))
    fig.text(0.01, 1.0, f'{os.path.basename(path)}: {len(lines)} lines, imports '
             f'{", ".join(sorted(imports))} only; run with s2sgrad blocked, its gradient matches '
             f'central differences', fontsize=9, color='tab:green', va='bottom')
    fig.text(0.01, 0.99, '\n'.join(shown), family='monospace', fontsize=8.5, va='top')
    save(fig, args, 'export_gradient')


if __name__ == '__main__':
    main()
