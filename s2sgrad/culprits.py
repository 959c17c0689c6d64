"""Find the node of a statement that an error's description of a construct is about."""
import re

import gast

from . import nodes as n


def culprit(root, lineno, what=''):
    """The node inside `root` that an error about the statement at line `lineno` is about, or
    None: the sub-expression that `what` (the error's description of the construct, as in "the
    keyword argument `axes`" or "`np.fft.fft`") names, or else the statement that starts at
    that line."""
    statement = _statement_at(root, lineno)
    if statement is None:
        return None
    nodes = sorted((node for node in _line_nodes(statement)
                    if getattr(node, 'lineno', None) is not None),
                   key=lambda node: (node.lineno, node.col_offset))
    for pattern, matches in _CULPRITS:
        found = re.search(pattern, what or '')
        if found:
            for node in nodes:
                if matches(node, found.group(1)):
                    return node
    return statement


def _statement_at(root, lineno):
    """The outermost statement inside `root` that starts at line `lineno`."""
    for child in gast.iter_child_nodes(root):
        if not isinstance(child, gast.stmt):
            continue
        if child.lineno == lineno:
            return child
        end = getattr(child, 'end_lineno', None) or child.lineno
        if child.lineno < lineno <= end:
            return _statement_at(child, lineno)
    return None


def _line_nodes(statement):
    """`statement` and the nodes inside it, except the statements of its blocks that start on
    other lines (the body of an ``if``, ``for``, ``while`` or ``def``, the cases of a
    ``match``)."""
    yield statement
    for child in gast.iter_child_nodes(statement):
        lineno = getattr(child, 'lineno', None)
        if (isinstance(child, gast.stmt) or lineno is None and hasattr(child, 'body')) and \
                lineno != statement.lineno:
            continue  # (a block's statements, a ``case`` of a ``match``: on other lines)
        yield from _line_nodes(child)


_SYMBOLS = {gast.FloorDiv: '//', gast.Mod: '%', gast.BitAnd: '&', gast.BitOr: '|',
            gast.BitXor: '^', gast.LShift: '<<', gast.RShift: '>>', gast.Invert: '~',
            gast.MatMult: '@', gast.Pow: '**'}


def symbol(op):
    """How Python writes the operator `op` (a gast operator node): ``//``, ``~``, ..."""
    return _SYMBOLS.get(type(op), type(op).__name__)


def _calls(node, path):
    if not isinstance(node, gast.Call):
        return False
    called = n.dotted_path(node.func)
    return called is not None and (called == path or called.split('.')[-1] == path.split('.')[-1])


def _is_operator(node, symbol):
    op = getattr(node, 'op', None)
    return isinstance(node, (gast.BinOp, gast.UnaryOp, gast.AugAssign)) and op is not None and \
        symbol in (_SYMBOLS.get(type(op)), type(op).__name__)


# (regular expression on an error's description of the construct, test of a node against the
# expression's group 1): the first that matches says which node of the line the error is about.
_CULPRITS = [
    (r'keyword argument `(\w+)`', lambda node, arg: isinstance(node, gast.keyword) and
     node.arg == arg),
    (r'the method `\.?(\w+)', lambda node, attr: isinstance(node, gast.Call) and
     isinstance(node.func, gast.Attribute) and node.func.attr == attr),
    (r'the attribute `\.(\w+)`', lambda node, attr: isinstance(node, gast.Attribute) and
     node.attr == attr),
    (r'the attribute `([\w.]+)`', lambda node, path: isinstance(node, gast.Attribute) and
     n.dotted_path(node) == path),
    (r'the operator `([^`]+)`', _is_operator),
    (r'the expression `(\w+)`', lambda node, kind: type(node).__name__ == kind),
    (r"(repeating) a list", lambda node, _: isinstance(node, gast.BinOp) and
     isinstance(node.op, gast.Mult)),
    (r'^(?:the call of )?`([\w.]+)`', _calls),
    (r'(?:arguments to|form of) `(\w+?)(?:_adjoint|_tangent)?`', _calls),
]
