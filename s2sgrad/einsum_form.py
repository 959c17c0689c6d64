"""``np.einsum``'s sublist form with literal sublists written as a subscripts string.

``np.einsum(x, [0, 1], y, [1, 2], [0, 2])`` becomes ``np.einsum('ab,bc->ac', x, y)``, the form
whose rule differentiates every operand in both modes (the rule cannot tell, from the call's
arguments alone, an output sublist from an operand's). Sublists that are not literals of
integers (and ``...``) are left as they are: forward mode differentiates them, reverse mode
raises. Part of `constructs`.
"""
import gast
import numpy as np

from . import nodes as n, rules

_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def einsum_subscripts(func, resolver):
    """Rewrite every call of np.einsum in `func` whose sublists are literals (see above)."""
    for node in n.walk(func):
        if isinstance(node, gast.Call) and node.args and _is_einsum(resolver, node.func):
            _rewrite(node)


def _is_einsum(resolver, callee):
    try:
        func = resolver.lookup(callee)
    except TypeError:
        return False
    return func is np.einsum or rules.numpy_equivalent(func) is np.einsum  # (cupy.einsum)


def _letters(node):
    """The subscripts of a literal sublist node, or None."""
    if not isinstance(node, (gast.List, gast.Tuple)):
        return None
    letters = ''
    for elt in node.elts:
        if isinstance(elt, gast.Constant) and elt.value is Ellipsis:
            letters += '...'
        elif isinstance(elt, gast.Name) and elt.id == 'Ellipsis':
            letters += '...'
        elif isinstance(elt, gast.Constant) and type(elt.value) is int and \
                0 <= elt.value < len(_LETTERS):
            letters += _LETTERS[elt.value]
        else:
            return None
    return letters


def _rewrite(call):
    args = call.args
    if isinstance(args[0], gast.Constant) and isinstance(args[0].value, str) or \
            any(isinstance(a, gast.Starred) for a in args):
        return
    output = None
    if len(args) % 2:  # operand, sublist, ..., the output's sublist
        output = _letters(args[-1])
        if output is None:
            return
        args = args[:-1]
    operands, inputs = args[0::2], [_letters(a) for a in args[1::2]]
    if not operands or any(letters is None for letters in inputs) or \
            len(inputs) != len(operands):
        return
    subscripts = ','.join(inputs) + ('' if output is None else '->' + output)
    call.args = [n.const(subscripts)] + list(operands)
