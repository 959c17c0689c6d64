"""Exceptions raised by s2sgrad; every user-facing failure has its own class."""


class S2SError(Exception):
    """Base class of every error s2sgrad raises on purpose."""


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct s2sgrad cannot differentiate (``try``, ``with``, ``yield``, ...).

    Carries ``filename``, ``lineno``, ``offset`` (1-based column) and ``text`` (the source
    line) like a built-in ``SyntaxError``, so tracebacks point at the user's code.
    """

    def __init__(self, message, filename=None, lineno=None, offset=None, text=None):
        SyntaxError.__init__(self, message, (filename, lineno, offset, text))
        self.construct_message = message

    def __str__(self):
        where = f'"{self.filename}", line {self.lineno}'  # as a traceback writes it
        text = (self.text or '').rstrip('\n')
        caret = ''
        if text and self.offset:
            stripped = text.lstrip()
            indent = len(text) - len(stripped)
            caret = '\n    ' + ' ' * max(self.offset - 1 - indent, 0) + '^'
            text = stripped
        return f'{self.construct_message}\n  File {where}\n    {text}{caret}'


class SourceUnavailableError(S2SError, TypeError):
    """The function's Python source cannot be read (builtins, C functions, REPL code)."""


class NonScalarOutputError(S2SError, ValueError):
    """``grad`` was asked for the gradient of a function whose output is not a scalar."""


class NoRuleError(S2SError, NotImplementedError):
    """A library function with active arguments has no registered derivative rule."""


class WrtError(S2SError, ValueError):
    """The ``wrt`` argument names no parameter of the function, or has the wrong type."""


class WrapperError(S2SError, TypeError):
    """A decorated function whose wrapper s2sgrad cannot differentiate.

    s2sgrad differentiates what the wrapper does (its own code, calling the wrapped function),
    never only the wrapped function, which would silently drop the wrapper's work.
    """


class InPlaceError(S2SError, TypeError):
    """Raised by generated code when a value that the transformation could only prove safe as
    a number turns out to be an array shared with another name that is written into
    (``y = x; y += 1``; ``a, b = y[1], y[0]`` of rows): the message gives the line and the fix."""


class ShapeError(S2SError, ValueError):
    """A tangent (`jvp`, `hvp`) or cotangent (`vjp`) whose shape is not that of the argument
    or output it goes with."""
