"""Command line: ``python -m s2sgrad show|export FILE.py:FUNC``: print or export derivatives."""
import argparse
import contextlib
import importlib.util
import os
import shlex
import sys

from .errors import S2SError


def _load(path):
    """The module of the file `path`: imported by its dotted name from the folder above its
    package where it is in one (a folder with ``__init__.py``: its relative imports work),
    else run from its file under its own name, with its folder on the import path."""
    folder, file = os.path.split(os.path.abspath(path))
    name = os.path.splitext(file)[0]
    parts = [name]
    while os.path.isfile(os.path.join(folder, '__init__.py')):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    sys.path.insert(0, folder)
    if len(parts) > 1:  # (``pkg/__init__.py`` is the package `pkg` itself)
        try:
            return importlib.import_module('.'.join(parts[:-1] if name == '__init__' else parts))
        except ImportError:  # (a package that does not import: the file alone, as before)
            sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _wrt(text):
    items = [item.strip() for item in text.split(',') if item.strip()]
    parsed = tuple(int(item) if item.lstrip('-').isdigit() else item for item in items)
    return parsed[0] if len(parsed) == 1 else parsed


def main(argv=None):
    """Entry point of ``python -m s2sgrad``."""
    from . import api
    parser = argparse.ArgumentParser(prog='python -m s2sgrad',
                                     description='Print generated derivative code.')
    commands = parser.add_subparsers(dest='command', required=True)
    show = commands.add_parser('show', help='print the gradient source of FILE.py:FUNC')
    show.add_argument('target', help='FILE.py:FUNC')
    show.add_argument('--wrt', default='0', help='comma-separated parameter names or positions')
    show.add_argument('--raw', action='store_true', help='show the unoptimized transform')
    show.add_argument('--mode', choices=['reverse', 'forward'], default='reverse',
                      help='reverse: the gradient (default); forward: the Jacobian-vector '
                           'product')
    show.add_argument('--shapes', default=None,
                      help="declared parameter shapes, as x=(n,),A=(n,n): the code is "
                           "simplified for them (quote it in the shell)")
    export = commands.add_parser('export', help='write a standalone module (NumPy only) with '
                                                'FUNC and its derivatives')
    export.add_argument('target', help='FILE.py:FUNC')
    export.add_argument('--wrt', default='0', help='comma-separated parameter names or positions')
    export.add_argument('--modes', default='grad',
                        help='comma-separated: grad, value_and_grad, jvp, vjp (default grad)')
    export.add_argument('--shapes', default=None, help='declared parameter shapes, x=(n,),...')
    export.add_argument('-o', '--output', default=None,
                        help='the module to write (default: print it)')
    listing = commands.add_parser('rules', help='list every function with derivative rules')
    listing.add_argument('--markdown', action='store_true', help='the README coverage table')
    listing.add_argument('--internal', action='store_true',
                         help='also list the runtime helpers used by generated code')
    args = parser.parse_args(argv)
    if args.command == 'rules':
        from . import listing as rule_listing
        print(rule_listing.markdown() if args.markdown else rule_listing.text(args.internal),
              end='')
        return 0
    path, _, func_name = args.target.rpartition(':')
    if not path or not func_name:
        parser.error('the target must look like FILE.py:FUNC')
    try:
        with contextlib.redirect_stdout(sys.stderr):  # (the file's own prints: not the code)
            module = _load(path)
        func = module
        for part in func_name.split('.'):  # (``Model.loss``: a class's function)
            func = getattr(func, part)
        if args.command == 'export':
            from .export import export
            command = 'python -m s2sgrad export ' + ' '.join(
                shlex.quote(a) for a in [os.path.basename(path) + ':' + func_name] +
                (argv if argv is not None else sys.argv[1:])[2:])
            text = export(func, wrt=_wrt(args.wrt), path=args.output,
                          modes=tuple(m.strip() for m in args.modes.split(',')),
                          shapes=args.shapes, command=command)
            if args.output is None:
                print(text, end='')
            return 0
        if args.mode == 'forward':
            from .operators import jvp
            df = jvp(func, wrt=_wrt(args.wrt), optimized=not args.raw, shapes=args.shapes)
        else:
            df = api.grad(func, wrt=_wrt(args.wrt), optimized=not args.raw, shapes=args.shapes)
    except (S2SError, AttributeError, OSError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    print(df.source, end='')
    return 0


if __name__ == '__main__':
    sys.exit(main())
