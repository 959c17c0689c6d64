"""A dict's views passed straight to a function, ``sorted(d.items())``, read as lists.

``d.values()`` and ``d.items()`` are views, which the derivative's helpers cannot index nor
tell from an array; passed straight to a function (``list``, ``enumerate``, ``sorted``,
``sum``, ``zip``, ``np.stack``, ...) they are read at once, so the list of their values or
items, ``s2s.values_of(d)`` or ``s2s.items_of(d)``, is the same to that function, and those have
rules. A view kept under a name stays a view (it shows later changes of the dict; a loop over
it reads it through ``s2s.sized`` when it runs), and a loop straight over ``d.items()`` reads
the dict by key (`canonical`)::

    >>> import ast, builtins, gast
    >>> from s2sgrad.resolve import Resolver
    >>> func = gast.parse('def f(d):\\n    return sum(v ** 2 for v in list(d.values()))').body[0]
    >>> views_as_lists(func, Resolver(vars(builtins), {'d', 'v'}))
    >>> print(ast.unparse(gast.gast_to_ast(func.body[0].value)))
    sum((v ** 2 for v in list(s2s.values_of(d))))
"""
import gast

from . import nodes as n

VIEWS = {'values': 's2s.values_of', 'items': 's2s.items_of'}


def views_as_lists(func, resolver):
    """Rewrite, in place, each ``d.values()`` and ``d.items()`` of `func` that is an argument
    of a call of a function (a built-in, a module's function: not a method of a local object,
    which might keep the view) as ``s2s.values_of(d)`` and ``s2s.items_of(d)``."""
    for node in n.walk(func):
        if isinstance(node, gast.Call) and (not isinstance(node.func, gast.Attribute) or
                                            resolver.is_global(node.func)):
            node.args = [_as_list(arg) for arg in node.args]


def _as_list(arg):
    if isinstance(arg, gast.Call) and isinstance(arg.func, gast.Attribute) and \
            arg.func.attr in VIEWS and not arg.args and not arg.keywords and \
            isinstance(arg.func.value, (gast.Name, gast.Attribute, gast.Subscript)):
        return gast.copy_location(n.call(VIEWS[arg.func.attr], arg.func.value), arg)
    return arg
