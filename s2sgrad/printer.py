"""Print pass: gast AST to readable source, with comment placeholders as real comments."""
import ast
import re
import sys

import gast

from . import nodes as n

_STRING_LINE = re.compile(r"^(\s*)((['\"]).*\3)$")
_DOCSTRING_LINE = re.compile(r'^(\s*)"""#s2s#(.*)"""$')
_TUPLE_TARGET = re.compile(r'^(\s*)\(([\w ,]+)\) = ')
"""Python 3.10 prints ``(a, b) = ...`` where 3.11 prints ``a, b = ...``: print the latter."""


def to_source(node):
    """Python source of a gast node; ``nodes.comment`` placeholders become ``# ...`` lines."""
    for child in n.walk(node):
        for field in ('body', 'orelse', 'finalbody'):
            block = getattr(child, field, None)
            # a block of comments alone prints as no block: it needs a ``pass`` (an empty
            # ``else`` needs nothing); passes that drop statements may leave one
            if block.__class__ is list and (block or field == 'body') and \
                    all(n.is_comment(stmt) for stmt in block):
                block.append(gast.Pass())
    tree = to_ast(node)
    number_statements(tree)
    _parenthesise_negative_bases(tree)
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


def _parenthesise_negative_bases(tree):
    """Write each negative number that is the base of a power or of an attribute (a folded
    ``(-2.0) ** y``, ``(-1).real``) as the negation of a positive one: ``ast.unparse`` prints
    ``Constant(-2.0) ** y`` as ``-2.0 ** y``, which Python reads as ``-(2.0 ** y)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            node.left = _negated(node.left)
        elif isinstance(node, ast.Attribute):
            node.value = _negated(node.value)


def _negated(node):
    """``-Constant(2.0)`` for a negative number `node` (``-0.0`` too), else `node`."""
    value = getattr(node, 'value', None) if isinstance(node, ast.Constant) else None
    if type(value) in (int, float) and (value < 0 or value == 0 and str(value)[0] == '-'):
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    return node


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


# -- gast to ast ------------------------------------------------------------------------------
_LOCATION = ('lineno', 'col_offset', 'end_lineno', 'end_col_offset')
_CONVERTERS = {}  # gast class -> function making the ast node of one of its nodes
_FAST = (3, 8) <= sys.version_info[:2] < (3, 12)
"""Python versions whose conversion (the one of gast 0.5/0.6) `to_ast` repeats."""


def to_ast(node):
    """``gast.gast_to_ast(node)``, the same `ast` tree made faster: one converter per node
    class, found once (gast's looks up a visitor method and tests every field of each
    node). Other Python versions than 3.8 to 3.11 use gast's."""
    if not _FAST:
        return gast.gast_to_ast(node)
    return _convert(node)


def _convert(node):
    convert = _CONVERTERS.get(node.__class__)
    if convert is None:
        convert = _CONVERTERS[node.__class__] = _converter(node.__class__)
    return convert(node)


def _value(value):
    """A field's value converted: nodes and lists of them (other values are kept)."""
    if isinstance(value, gast.AST):
        return _convert(value)
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value


def _copy_location(new, old):
    """``ast.copy_location(new, old)``."""
    for attr in _LOCATION:
        if attr in old._attributes and attr in new._attributes:
            value = getattr(old, attr, None)
            if value is not None or (hasattr(old, attr) and attr.startswith('end_')):
                setattr(new, attr, value)
    return new


def _converter(cls):
    """The converter of gast class `cls` (gast's GAstToAst3 for Python 3.8 to 3.11)."""
    special = _SPECIAL.get(cls.__name__)
    if special is not None:
        return special
    return _generic(cls)


def _generic(cls):
    """The converter of gast class `cls` that copies every field (gast's generic_visit)."""
    target = getattr(ast, cls.__name__, None)
    if target is None:
        return lambda node: None  # (a node that is not part of the AST)
    fields, attributes = cls._fields, cls._attributes

    def convert(node):
        new = target(**{field: _value(getattr(node, field)) for field in fields
                        if hasattr(node, field)})
        for attr in attributes:
            try:
                setattr(new, attr, getattr(node, attr))
            except AttributeError:
                pass
        return new
    return convert


def _name(node):
    return _copy_location(ast.Name(_value(node.id), _value(node.ctx)), node)


def _assign(node):
    return _copy_location(ast.Assign(_value(node.targets), _value(node.value)), node)


def _arg(node):
    if node is None:
        return None
    return _copy_location(ast.arg(_value(node.id), _value(node.annotation),
                                  _value(node.type_comment)), node)


def _arguments(node):
    return ast.arguments([_arg(arg) for arg in node.posonlyargs],
                         [_arg(arg) for arg in node.args], _arg(node.vararg),
                         [_arg(arg) for arg in node.kwonlyargs], _value(node.kw_defaults),
                         _arg(node.kwarg), _value(node.defaults))


def _except_handler(node):
    if node.name:
        return _copy_location(ast.ExceptHandler(_value(node.type), node.name.id,
                                                _value(node.body)), node)
    return _generic(gast.ExceptHandler)(node)


def _class_def(node):
    return _copy_location(ast.ClassDef(_value(node.name), _value(node.bases),
                                       _value(node.keywords), _value(node.body),
                                       _value(node.decorator_list)), node)


def _function_def(node):
    target = ast.FunctionDef if isinstance(node, gast.FunctionDef) else ast.AsyncFunctionDef
    return _copy_location(target(_value(node.name), _value(node.args), _value(node.body),
                                 _value(node.decorator_list), _value(node.returns),
                                 _value(node.type_comment)), node)


_SPECIAL = {'Name': _name, 'Assign': _assign, 'arguments': _arguments,
            'ExceptHandler': _except_handler, 'ClassDef': _class_def,
            'FunctionDef': _function_def, 'AsyncFunctionDef': _function_def}
