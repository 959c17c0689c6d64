"""Source files parsed once per text, and where a function's code is in them (name, location)."""
import inspect
import linecache

import gast

from .errors import char_offset

# (filename, file text) -> its ParsedFile
_PARSED = {}

_NOT_COMPILED = object()


class ParsedFile:
    """A source file's text parsed with gast (`module`), with its compiled `code` and its
    `definitions` by name, each made on first need."""

    def __init__(self, filename, text):
        self.filename = filename
        self.text = text
        self.module = gast.parse(text)
        for node in gast.walk(self.module):
            if isinstance(node, gast.arguments) and node.posonlyargs:
                # positional-only parameters (``def f(x, /)``) are parameters like the others
                # for the passes; the generated functions take them by position or keyword
                node.args = node.posonlyargs + node.args
                node.posonlyargs = []
        self._code = _NOT_COMPILED
        self._definitions = None
        self._codes = None
        self._derived = {}

    @property
    def code(self):
        """The module code object the text compiles to, or None when it does not compile."""
        if self._code is _NOT_COMPILED:
            try:
                self._code = compile(self.text, self.filename, 'exec', dont_inherit=True)
            except (SyntaxError, ValueError):
                self._code = None
        return self._code

    def codes_at(self, name, line):
        """The code objects nested in `code` named `name` that start at `line` (found once
        per file: a file's functions are looked up for each function differentiated)."""
        if self._codes is None:
            self._codes = {}
            for code in code_objects(self.code) if self.code is not None else ():
                self._codes.setdefault((code.co_name, code.co_firstlineno), []).append(code)
        return self._codes.get((name, line), ())

    def derived(self, build):
        """``build(self)``, made once per file: an index a pass reads for each function of the
        file it differentiates (`global_functions.module_bindings`)."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    @property
    def definitions(self):
        """The FunctionDef and Lambda nodes of the module by name (``'<lambda>'`` for
        lambdas), found once per file."""
        if self._definitions is None:
            index = {}
            for node in gast.walk(self.module):
                if isinstance(node, gast.FunctionDef):
                    index.setdefault(node.name, []).append(node)
                elif isinstance(node, gast.Lambda):
                    index.setdefault('<lambda>', []).append(node)
            self._definitions = index
        return self._definitions


def parse_file(filename):
    """The ParsedFile of `filename` as it is now and its lines, or (None, []) when it cannot be
    read."""
    linecache.checkcache(filename)  # a file rewritten since it was read is read again
    lines = linecache.getlines(filename)
    if not lines:
        return None, []
    text = ''.join(lines)
    key = (filename, text)
    if key not in _PARSED:
        _PARSED[key] = ParsedFile(filename, text)
    return _PARSED[key], lines


def code_objects(code):
    """The code objects nested in `code` (its functions, classes and lambdas), at any depth."""
    for const in code.co_consts:
        if inspect.iscode(const):
            yield const
            yield from code_objects(const)


def qualname(func):
    """The qualified name of `func` (or its repr) for messages."""
    return getattr(func, '__qualname__', None) or getattr(func, '__name__', None) or repr(func)


def code_name(func):
    """The name of the code a function runs (a wrapper's own, not the one ``wraps`` copied)."""
    code = func.__code__
    if hasattr(code, 'co_qualname'):  # Python 3.11 and later
        return code.co_qualname
    parsed, _ = parse_file(code.co_filename)
    module = parsed.module if parsed is not None else None
    return _qualname_in(module, code) or code.co_name if module is not None else code.co_name


def _qualname_in(node, code, prefix=''):
    """The qualified name (``outer.<locals>.inner``) of the definition of `code` in `node`."""
    for child in gast.iter_child_nodes(node):
        if isinstance(child, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            name = prefix + child.name
            first = min([child.lineno] + [d.lineno for d in child.decorator_list])
            if isinstance(child, gast.FunctionDef) and child.name == code.co_name and \
                    code.co_firstlineno in (first, child.lineno):
                return name
            inner = prefix + child.name + ('.<locals>.' if not isinstance(
                child, gast.ClassDef) else '.')
            found = _qualname_in(child, code, inner)
            if found:
                return found
        else:
            found = _qualname_in(child, code, prefix)
            if found:
                return found
    return None


def location(code, node=None):
    """The location arguments (filename, lineno, offset, text, end_lineno, end_offset) of an
    error about the function whose code is `code`, at `node` of its source when given (else
    at its first line); () when it has no source file."""
    if code is None or not getattr(code, 'co_filename', None):
        return ()
    filename = code.co_filename
    lineno = getattr(node, 'lineno', None) or code.co_firstlineno
    text = linecache.getline(filename, lineno).rstrip('\r\n')
    offset = end_offset = None
    if node is not None and getattr(node, 'col_offset', None) is not None:
        offset = char_offset(text, node.col_offset)
        if getattr(node, 'end_lineno', None) == lineno and not isinstance(node, gast.stmt):
            end_offset = char_offset(text, node.end_col_offset)
    elif text:
        offset = len(text) - len(text.lstrip()) + 1
    return filename, lineno, offset, text, lineno, end_offset
