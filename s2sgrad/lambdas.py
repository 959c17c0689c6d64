"""Find the ``def`` or lambda node that a function's code was compiled from in its file."""
import ast

import gast

from .sourcefiles import code_objects


def lambda_params(code):
    """The parameter names of the function (a lambda) whose code is `code`."""
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def candidates(definitions, code, name):
    """The definitions (FunctionDef or Lambda nodes by name, `ParsedFile.definitions`) named
    `name` that may have made `code`."""
    line = code.co_firstlineno
    candidates = []
    for node in definitions.get(name, ()):
        if isinstance(node, gast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [dec.lineno for dec in node.decorator_list])
            if first == line or node.lineno == line:
                candidates.append(node)
        elif isinstance(node, gast.Lambda) and name == '<lambda>' and node.lineno == line:
            params = tuple(arg.id for arg in node.args.posonlyargs + node.args.args +
                           node.args.kwonlyargs)
            if params == lambda_params(code):
                candidates.append(node)
    return candidates


def pick_lambda(candidates, code, filename, lines):
    """The lambda among `candidates` (all on one line, with the same parameters) whose code
    is `code`: a list of one node, or of several when they cannot be told apart.

    Python 3.11 and later record the column of every instruction: the lambda whose body spans
    all of them is the one (the innermost, for a lambda returning a lambda). Python 3.10 has
    line numbers only: each candidate in turn is compiled with its own line number changed,
    and the one whose code is then `code` (but for that line number) is the one. Lambdas whose
    text is the same (``(lambda x: x * 2, lambda x: x * 2)``) compile to the same code; any of
    them is then the function's source.
    """
    if hasattr(code, 'co_positions'):
        positions = [(line, col, end_line, end_col)
                     for line, end_line, col, end_col in code.co_positions()
                     if None not in (line, col, end_line, end_col) and (col, end_col) != (0, 0)]
        found = []
        for node in candidates:
            body = node.body
            start = (body.lineno, body.col_offset)
            end = (body.end_lineno, body.end_col_offset)
            if positions and all(start <= (line, col) and (end_line, end_col) <= end
                                 for line, col, end_line, end_col in positions):
                found.append((end[0] - start[0], end[1] - start[1], node))
        if not found:
            return candidates
        found.sort(key=lambda entry: entry[:2])
        innermost = [entry[2] for entry in found if entry[:2] == found[0][:2]]
        return innermost
    return _pick_lambda_by_compiling(candidates, code, filename, lines)


def _pick_lambda_by_compiling(candidates, code, filename, lines):
    try:
        tree = ast.parse(''.join(lines), filename)
    except (SyntaxError, ValueError):
        return candidates
    places = {(node.lineno, node.col_offset): node for node in candidates}
    moved_line = len(lines) + 1000
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Lambda) or (node.lineno, node.col_offset) not in places:
            continue
        line = node.lineno
        node.lineno = moved_line
        try:
            module_code = compile(tree, filename, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError):
            return candidates
        finally:
            node.lineno = line
        if any(candidate.co_firstlineno == moved_line and candidate.co_name == '<lambda>' and
               candidate.replace(co_firstlineno=line) == code
               for candidate in code_objects(module_code)):
            found.append(places[(line, node.col_offset)])
    if len(found) > 1 and len({gast.dump(node) for node in found}) == 1:
        return found[:1]  # the same text: the same code, whichever is the one
    return found or candidates


def as_function(found):
    """A FunctionDef node for a found definition (a lambda becomes ``def lambda_``)."""
    if isinstance(found, gast.Lambda):
        body = gast.Return(value=found.body)
        gast.copy_location(body, found.body)
        found = gast.FunctionDef(name='lambda_', args=found.args, body=[body],
                                 decorator_list=[], returns=None, type_comment=None,
                                 type_params=[])
        found.lineno = body.lineno
        found.col_offset = body.col_offset
    return found
