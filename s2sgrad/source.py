"""Parse pass: find a function's source, parse it with gast, and collect its namespace."""
import builtins
import inspect
import linecache

import gast

from .errors import SourceUnavailableError

_MODULE_CACHE = {}


class FunctionSource:
    """A parsed function: its gast node (file positions), file, lines and namespace."""

    def __init__(self, node, filename, lines, namespace, name, func=None):
        self.node = node
        self.filename = filename
        self.lines = lines
        self.namespace = namespace
        self.name = name
        self.func = func

    def line_text(self, lineno):
        """The source text of file line `lineno` (stripped), or ''."""
        if lineno and 0 < lineno <= len(self.lines):
            return self.lines[lineno - 1].strip()
        return ''


def _parse_file(filename):
    lines = linecache.getlines(filename)
    if not lines:
        return None, []
    text = ''.join(lines)
    key = (filename, hash(text))
    if key not in _MODULE_CACHE:
        _MODULE_CACHE[key] = gast.parse(text)
    return _MODULE_CACHE[key], lines


def namespace_of(func):
    """The names a function's body can see: builtins, its globals, its closure cells."""
    namespace = dict(vars(builtins))
    namespace.update(func.__globals__)
    if func.__closure__:
        for var, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:
                pass
    return namespace


def _unavailable(func, why):
    name = getattr(func, '__qualname__', repr(func))
    return SourceUnavailableError(
        f'cannot differentiate {name}: {why}. s2sgrad reads the Python source of the '
        f'function; define it in a .py file (or give a NumPy function a rule with '
        f'@s2sgrad.adjoint).')


def parse_function(func):
    """Return the FunctionSource of a Python function or lambda defined in a source file."""
    func = inspect.unwrap(func) if hasattr(func, '__wrapped__') else func
    if not inspect.isfunction(func):
        raise _unavailable(func, 'it is not a Python function (a builtin, ufunc or C function '
                                 'has no Python source)')
    code = func.__code__
    filename = code.co_filename
    module, lines = _parse_file(filename)
    if module is None:
        raise _unavailable(func, f'its source file {filename!r} cannot be read (functions '
                                 f'made by exec or typed at the interactive prompt have none)')
    node = _find(module, code, func.__name__)
    if node is None:
        raise _unavailable(func, f'its definition was not found in {filename!r} (was the file '
                                 f'changed after import?)')
    return FunctionSource(node, filename, lines, namespace_of(func), func.__name__, func)


def _find(module, code, name):
    line = code.co_firstlineno
    candidates = []
    for node in gast.walk(module):
        if isinstance(node, gast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [dec.lineno for dec in node.decorator_list])
            if first == line or node.lineno == line:
                candidates.append(node)
        elif isinstance(node, gast.Lambda) and name == '<lambda>' and node.lineno == line:
            params = tuple(arg.id for arg in node.args.args)
            if params == code.co_varnames[:code.co_argcount]:
                candidates.append(node)
    if len(candidates) != 1:
        return None
    found = candidates[0]
    if isinstance(found, gast.Lambda):
        body = gast.Return(value=found.body)
        gast.copy_location(body, found.body)
        found = gast.FunctionDef(name='lambda_', args=found.args, body=[body],
                                 decorator_list=[], returns=None, type_comment=None,
                                 type_params=[])
        found.lineno = body.lineno
        found.col_offset = body.col_offset
    return found
