"""``getattr(obj, 'name')`` read as ``obj.name``: the passes then see the attribute they follow.

A constant name makes the built-in call plain attribute access: ``getattr(RNG, 'normal')()``
draws as ``RNG.normal()`` does, ``getattr(QUEUE, 'pop')(0)`` pops as ``QUEUE.pop(0)``. A name
chosen at run time, a default value (``getattr(obj, 'name', d)``) or a `getattr` of the
user's own stays as written. (``setattr`` and ``delattr`` stay calls: the passes that follow
state read them as such.)
"""
import builtins
import keyword

import gast

from . import nodes as n


def constant_attributes(node, namespace):
    """`node` (a FunctionDef), or a copy of it with the calls of the built-in `getattr` that
    name a constant attribute written as attribute access."""
    named = {part.id for part in n.walk(node) if isinstance(part, gast.Name) and
             part.id in _BUILTINS and isinstance(part.ctx, gast.Load)}
    if not named:
        return node
    shadowed = set(n.names_stored(node))
    builtin = {name for name in named if name not in shadowed and
               namespace.get(name, getattr(builtins, name)) is getattr(builtins, name)}
    return _Rewriter(builtin).visit(n.clone(node)) if builtin else node


_BUILTINS = frozenset({'getattr'})


class _Rewriter(gast.NodeTransformer):
    def __init__(self, builtin):
        self.builtin = builtin

    def visit_Call(self, node):
        self.generic_visit(node)
        name = _constant_call(node, 'getattr', 2, self.builtin)
        if name is None:
            return node
        return gast.copy_location(gast.Attribute(value=node.args[0], attr=name,
                                                 ctx=gast.Load()), node)


def _constant_call(call, function, count, builtin):
    """The attribute name of `call` when it calls the built-in `function` with `count`
    positional arguments, the second a constant identifier (not a private name, which a
    class's code would spell mangled), else None."""
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and
            call.func.id == function and function in builtin and
            len(call.args) == count and not call.keywords and
            not any(isinstance(arg, gast.Starred) for arg in call.args)):
        return None
    name = call.args[1]
    if not (isinstance(name, gast.Constant) and isinstance(name.value, str) and
            name.value.isidentifier() and not keyword.iskeyword(name.value)):
        return None
    if name.value.startswith('__') and not name.value.endswith('__'):
        return None
    return name.value
