"""Print pass: gast AST to readable source, with comment placeholders as real comments."""
import ast
import re

import gast

from . import nodes as n

_STRING_LINE = re.compile(r"^(\s*)((['\"]).*\3)$")
_DOCSTRING_LINE = re.compile(r'^(\s*)"""#s2s#(.*)"""$')
_TUPLE_TARGET = re.compile(r'^(\s*)\(([\w ,]+)\) = ')
"""Python 3.10 prints ``(a, b) = ...`` where 3.11 prints ``a, b = ...``: print the latter."""


def to_source(node):
    """Python source of a gast node; ``nodes.comment`` placeholders become ``# ...`` lines."""
    for child in n.walk(node):
        for field in ('body', 'orelse'):
            block = getattr(child, field, None)
            if isinstance(block, list) and not block and field == 'body':
                block.append(gast.Pass())
    tree = gast.gast_to_ast(node)
    number_statements(tree)
    text = ast.unparse(tree)
    lines = []
    for line in text.split('\n'):
        docstring = _DOCSTRING_LINE.match(line)
        if docstring:
            lines.append(f'{docstring.group(1)}# {docstring.group(2)}')
            continue
        line = _TUPLE_TARGET.sub(r'\1\2 = ', line)
        match = _STRING_LINE.match(line)
        if match and match.group(2)[1:6] == '#s2s#':
            indent, literal = match.group(1), match.group(2)
            lines.append(f'{indent}# {ast.literal_eval(literal)[5:]}')
        else:
            lines.append(line)
    return '\n'.join(lines) + '\n'


def number_statements(tree):
    """Give each statement of the `ast` tree `tree` without a line number the line 1: all
    that ``ast.unparse`` reads of locations (a statement's type comment is looked up by its
    line), at the cost of a walk over statements, not over every node as
    ``ast.fix_missing_locations`` does."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt) and not hasattr(node, 'lineno'):
            node.lineno = 1
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack.extend(item for item in value
                             if isinstance(item, ast.AST) and not isinstance(item, ast.expr))
    return tree
