"""Errors that generated code raises at run time, located at the line of your function."""
import copy
import os
import re
import sys
import weakref

from .errors import NoRuleError

ORIGINS = weakref.WeakKeyDictionary()
"""The registry of where each generated function comes from: its code object -> (its gast
node as printed, the file of the function it differentiates, that file's lines, the first
and last line of that function). Filled by `linking.link`; read only when an error is
raised."""

_COMMENT = re.compile(r'\s*# (?:Grad|Tangent) of: (.*)$')
_MARK = '@s2s-line@'


def unsupported(message, error=NoRuleError):
    """A `NoRuleError` (or `error`) with `message`, pointing at the line of your function
    whose derivative is running (the innermost generated frame made from your code, found on
    the stack; rules and s2sgrad's own definitions are skipped), or without a location when
    none is found. Raise it: ``raise unsupported('...')``."""
    frame = sys._getframe(1)
    while frame is not None:
        origin = ORIGINS.get(frame.f_code)
        if origin is not None and not _own_file(origin[1]):
            where = _where(origin, frame.f_lineno)
            if where is not None:
                return error(message, *_through_generated(where))
        frame = frame.f_back
    return error(message)


def _through_generated(where, depth=4):
    """`where` (a location), followed back to your file where it is a line of generated
    code that is itself a derivative of yours (a gradient differentiated again: its line
    maps to the line of yours it differentiates)."""
    filename, lineno = where[0], where[1]
    if depth == 0 or not (filename or '').startswith('<s2sgrad'):
        return where
    for code, origin in list(ORIGINS.items()):
        if code.co_filename != filename or _own_file(origin[1]):
            continue
        lines = [line for _, _, line in code.co_lines() if line is not None] or \
            [code.co_firstlineno]
        if min(lines) <= lineno <= max(lines):
            found = _where(origin, lineno)
            if found is not None:
                return _through_generated(found, depth - 1)
    return where


def _repeated_items(got, expected):
    """The `unsupported` error for an adjoint of `got` items that reached a list or tuple of
    `expected`: a list concatenated or repeated where the transformation did not follow it."""
    return unsupported(
        f'an adjoint of {got} items reached a list or tuple of {expected}: `+` or `*` of '
        f'lists (concatenation, repetition) with differentiated items is only followed when '
        f'the lists are written out or grown from written-out lists (`[a, b] + [c]`, `out += '
        f'[v]`), and a list passed to a helper of yours more than once is not; use '
        f'np.concatenate or np.tile, or pass the arrays (or a dict of them). A slice '
        f'assignment that changes the length of a list (`lst[1:2] = [a, b]`) is followed '
        f'where the function makes the list as one (a display, `list(...)`) or is given it: '
        f'write `lst = list(...)` for a list a call returns. (In a gradient differentiated '
        f'again, a list kept on its stack that grew afterwards: use s2sgrad.hvp or '
        f's2sgrad.hessian for second derivatives)')


def _own_file(filename):
    """Whether `filename` is one of s2sgrad's own files (its rules' definitions)."""
    templates = sys.modules.get('s2sgrad.templates')
    folders = [os.path.dirname(os.path.abspath(__file__))]
    folders += list(getattr(templates, '__path__', ()))
    path = os.path.abspath(filename or '')
    return any(path.startswith(os.path.abspath(folder) + os.sep) for folder in folders)


def _where(origin, generated_line):
    """``filename, lineno, offset, text, end_lineno, end_offset`` of your line whose
    derivative line `generated_line` of the generated code is, or None."""
    lineno = _line_map(origin).get(generated_line)
    _, filename, lines, _, _ = origin
    if not lineno or not 0 < lineno <= len(lines):
        return None
    text = lines[lineno - 1].rstrip('\r\n')
    start = len(text) - len(text.lstrip()) + 1
    return filename, lineno, start, text, lineno, len(text.rstrip()) + 1


def _line_map(origin):
    """Generated line -> line of your file: each statement of the generated code made from
    one of yours carries its line (the statements of rules carry none of yours: see
    `rules.TEMPLATE_LINES`); a derivative's statements follow the ``# Grad of:``
    (``# Tangent of:``) comment that quotes your line, up to the next statement that carries
    one. Printed again with a mark above each statement; only when an error is raised."""
    from . import nodes as n
    from .printer import to_source
    node, _, lines, first, last = origin
    marked = copy.deepcopy(node)
    for child in n.walk(marked):
        for field in ('body', 'orelse', 'finalbody'):
            block = getattr(child, field, None)
            if block.__class__ is not list:
                continue
            block[:] = [item for stmt in block for item in (
                [n.comment(f'{_MARK}{stmt.lineno}'), stmt]
                if getattr(stmt, 'lineno', None) and not n.is_comment(stmt) else [stmt])]
    found, current, number = {}, None, 0
    for text in to_source(marked).split('\n'):
        stripped = text.strip()
        if stripped.startswith('# ' + _MARK):
            lineno = int(stripped[len(_MARK) + 2:])
            if first <= lineno <= last:  # (no rule's statement: `rules.TEMPLATE_LINES`)
                current = lineno
            continue
        number += 1
        quoted = _COMMENT.match(text)
        if quoted:
            current = _quoted_line(quoted.group(1).strip(), lines, first, last) or current
        found[number] = current
    return found


def _quoted_line(text, lines, first, last):
    """The first line from `first` to `last` of `lines` whose text is `text`, or None."""
    for lineno in range(max(first, 1), min(last, len(lines)) + 1):
        if lines[lineno - 1].strip() == text:
            return lineno
    return None
