"""Methods called through their class (``np.ndarray.sort(a)``) as methods of their receiver."""
import operator

import gast
import numpy as np

from . import nodes as n

_CLASSES = (np.ndarray, list, dict)
"""The classes whose methods, called through the class, are called on their first argument."""
_INPLACE_OPERATORS = frozenset(getattr(operator, name) for name in (
    'iadd', 'isub', 'imul', 'itruediv', 'ifloordiv', 'imod', 'ipow', 'imatmul', 'iand', 'ior',
    'ixor', 'ilshift', 'irshift', 'iconcat'))


def bind_unbound_methods(func, resolver, unsupported):
    """Rewrite, in place, each call in `func` of a method of an array, a list or a dict
    through its class (``np.ndarray.sort(c)``, ``np.ndarray.__iadd__(c, v)``, ``list.append(xs,
    v)``) as the call of its receiver's method (``c.sort()``; ``Q.__delitem__(0)`` is bound
    already): what changes the receiver in
    place is then known as such (the caller's array copied, a change after a read refused).
    Raise `unsupported(stmt, what, node)` at a call of `operator`'s in-place functions
    (``operator.iadd(c, v)``), which change an array and rebind nothing."""
    for stmt in n.statements(func.body):
        for node in n.walk(stmt):
            if not isinstance(node, gast.Call):
                continue
            try:
                obj = resolver.lookup(node.func)
            except TypeError:  # (an unhashable object)
                continue
            try:
                inplace = obj in _INPLACE_OPERATORS
            except TypeError:
                inplace = False
            if inplace:
                raise unsupported(stmt, f'`operator.{obj.__name__}(a, b)`, which changes `a` '
                                        f'in place where it is an array; write `a '
                                        f'{_symbol(obj.__name__)}= b` instead', node)
            if getattr(obj, '__objclass__', None) in _CLASSES and node.args and \
                    not hasattr(obj, '__self__') and \
                    not isinstance(node.args[0], gast.Starred) and \
                    isinstance(node.func, (gast.Attribute, gast.Name)):
                node.func = n.attr(node.args[0], obj.__name__)
                node.args = node.args[1:]


def _symbol(name):
    """``+`` for 'iadd' (the augmented assignment's operator)."""
    return {'iadd': '+', 'isub': '-', 'imul': '*', 'itruediv': '/', 'ifloordiv': '//',
            'imod': '%', 'ipow': '**', 'imatmul': '@', 'iand': '&', 'ior': '|', 'ixor': '^',
            'ilshift': '<<', 'irshift': '>>', 'iconcat': '+'}[name]
