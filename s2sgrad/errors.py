"""Exceptions raised by s2sgrad; every user-facing failure has its own class."""


class S2SError(Exception):
    """Base class of every error s2sgrad raises on purpose."""


def char_offset(text, col_offset):
    """The 1-based character column of the AST column `col_offset` (a UTF-8 byte offset) in
    the source line `text`, as ``SyntaxError.offset`` and tracebacks count columns."""
    if col_offset is None:
        return None
    if not text:
        return col_offset + 1
    return len(text.encode('utf-8')[:col_offset].decode('utf-8', 'replace')) + 1


def format_location(filename, lineno, offset=None, text=None, end_lineno=None, end_offset=None):
    """``File "path", line N`` with the source line and a caret under the column `offset`
    (1-based), as a Python traceback writes them; carets run to `end_offset` (1-based,
    exclusive) when the culprit ends on the same line."""
    out = f'  File "{filename}", line {lineno}'
    text = (text or '').rstrip('\r\n')
    if not text.strip():
        return out
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    out += f'\n    {stripped.rstrip()}'
    if offset:
        start = max(offset - 1 - indent, 0)
        width = 1
        if end_offset and end_lineno in (None, lineno) and end_offset > offset:
            width = min(end_offset - offset, max(len(stripped.rstrip()) - start, 1))
        out += '\n    ' + ' ' * start + '^' * width
    return out


class Located:
    """Mixin for errors that point at the user's source: ``filename``, ``lineno``, ``offset``
    (1-based column), ``text`` (the source line) and the culprit's ``end_lineno`` and
    ``end_offset``. ``str()`` is the message followed by the location, as a traceback shows
    it. Without a filename the error is a plain message."""

    def __init__(self, message, filename=None, lineno=None, offset=None, text=None,
                 end_lineno=None, end_offset=None):
        super().__init__(message)
        self.message = message
        self.filename, self.lineno, self.offset, self.text = filename, lineno, offset, text
        self.end_lineno, self.end_offset = end_lineno, end_offset

    def __reduce__(self):
        return type(self), (self.message, self.filename, self.lineno, self.offset, self.text,
                            self.end_lineno, self.end_offset)

    def __str__(self):
        if not self.filename or not self.lineno:
            return self.message
        return self.message + '\n' + format_location(
            self.filename, self.lineno, self.offset, self.text, self.end_lineno, self.end_offset)


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct s2sgrad cannot differentiate (``try``, ``with``, ``yield``, ...).

    Carries ``filename``, ``lineno``, ``offset`` (1-based column), ``text`` (the source
    line), ``end_lineno`` and ``end_offset`` like a built-in ``SyntaxError``, so tracebacks
    point at the user's code.
    """

    def __init__(self, message, filename=None, lineno=None, offset=None, text=None,
                 end_lineno=None, end_offset=None):
        SyntaxError.__init__(self, message, (filename, lineno, offset, text, end_lineno,
                                             end_offset))
        self.construct_message = message

    def __reduce__(self):
        return type(self), (self.construct_message, self.filename, self.lineno, self.offset,
                            self.text, self.end_lineno, self.end_offset)

    def __str__(self):
        return f'{self.construct_message}\n' + format_location(
            self.filename, self.lineno, self.offset, self.text, self.end_lineno, self.end_offset)


class SourceUnavailableError(Located, S2SError, TypeError):
    """The function's Python source cannot be read (builtins, C functions, REPL code)."""


class NonScalarOutputError(S2SError, ValueError):
    """``grad`` was asked for the gradient of a function whose output is not a scalar."""


class NoRuleError(Located, S2SError, NotImplementedError):
    """A library function with active arguments has no registered derivative rule."""


class OptionError(S2SError, ValueError):
    """An operator was given an option value it does not take (``motion=``, ``mode=``,
    ``compile=``, ``fallback=``)."""


class WrtError(S2SError, ValueError):
    """The ``wrt`` argument names no parameter of the function, or has the wrong type."""


class WrapperError(Located, S2SError, TypeError):
    """A decorated function whose wrapper s2sgrad cannot differentiate.

    s2sgrad differentiates what the wrapper does (its own code, calling the wrapped function),
    never only the wrapped function, which would silently drop the wrapper's work.
    """


class InPlaceError(S2SError, TypeError):
    """Raised by generated code when a value that the transformation could only prove safe as
    a number turns out to be an array shared with another name that is written into
    (``y = x; y += 1``; ``a, b = y[1], y[0]`` of rows): the message gives the line and the fix."""


class OperandError(Located, S2SError, TypeError):
    """Raised by generated code when a gradient comes out as objects, not numbers: the function
    combines a differentiated value with something that is not a number or an array of
    numbers (None or text, which the function itself rejects in most cases, or an object of a
    class with operators of its own)."""


class ShapeError(S2SError, ValueError):
    """A tangent (`jvp`, `hvp`) or cotangent (`vjp`) whose shape is not that of the argument
    or output it goes with."""


class ComplexError(Located, S2SError, TypeError):
    """A complex argument, tangent, cotangent or gradient: s2sgrad differentiates real
    functions of real arguments (complex values would need the conjugate convention, which
    the rules do not follow)."""


class ExportError(S2SError, ValueError):
    """`s2sgrad.export` cannot write the module: the code reads something that a module
    cannot hold as text (an array or object of the user's module), or a function whose
    source cannot be read."""


class CompileError(Located, S2SError, NotImplementedError):
    """``compile='numba'``: numba cannot compile the generated code in nopython mode. The
    message names the construct and its line (in the generated code, or in a function of
    yours that it calls) and numba's reason; ``compile=None`` gives the plain Python
    gradient, and ``fallback=True`` runs it after a `CompileFallbackWarning`."""


class CompileFallbackWarning(UserWarning):
    """``fallback=True``: the compiled path could not compile the gradient, which runs as
    plain Python (about as fast as without ``compile=``, much slower than compiled code)."""


class MissingDependencyError(S2SError, ImportError):
    """An option needs an optional package that is not installed (``compile='numba'``
    without numba: ``pip install s2sgrad[numba]``)."""
