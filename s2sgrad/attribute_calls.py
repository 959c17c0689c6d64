"""``getattr(obj, 'name')`` read as ``obj.name``, ``operator.methodcaller('name', a)(obj)`` as
``obj.name(a)``: the passes then see the attribute and the method call they follow.

A constant name makes the built-in call plain attribute access: ``getattr(RNG, 'normal')()``
draws as ``RNG.normal()`` does, ``getattr(QUEUE, 'pop')(0)`` pops as ``QUEUE.pop(0)``. A name
chosen at run time, a default value (``getattr(obj, 'name', d)``) or a `getattr` of the
user's own stays as written. (``setattr`` and ``delattr`` stay calls: the passes that follow
state read them as such.)
"""
import builtins
import keyword
import operator

import gast

from . import nodes as n


def constant_attributes(node, namespace):
    """`node` (a FunctionDef), or a copy of it with the calls of the built-in `getattr` that
    name a constant attribute written as attribute access."""
    named = {part.id for part in n.walk(node) if isinstance(part, gast.Name) and
             part.id in _BUILTINS | _CALLERS and isinstance(part.ctx, gast.Load)}
    if not named:
        return node
    shadowed = set(n.names_stored(node))
    builtin = {name for name in named & _BUILTINS if name not in shadowed and
               namespace.get(name, getattr(builtins, name)) is getattr(builtins, name)}
    callers = {name for name in named & _CALLERS if name not in shadowed and (
        namespace.get(name) is operator.methodcaller or namespace.get(name) is operator)}
    if not builtin and not callers:
        return node
    return _Rewriter(builtin, callers).visit(n.clone(node))


_BUILTINS = frozenset({'getattr'})
_CALLERS = frozenset({'methodcaller', 'operator'})  # (``methodcaller``, ``operator.methodcaller``)


class _Rewriter(gast.NodeTransformer):
    def __init__(self, builtin, callers=()):
        self.builtin = builtin
        self.callers = callers

    def visit_Call(self, node):
        self.generic_visit(node)
        called = self._method_called(node)
        if called is not None:
            return called
        name = _constant_call(node, 'getattr', 2, self.builtin)
        if name is None:
            return node
        return gast.copy_location(gast.Attribute(value=node.args[0], attr=name,
                                                 ctx=gast.Load()), node)

    def _method_called(self, node):
        """``obj.name(a, k=v)`` for ``operator.methodcaller('name', a, k=v)(obj)`` (which
        calls ``getattr(obj, 'name')(a, k=v)``), else None."""
        maker = node.func
        if not (isinstance(maker, gast.Call) and len(node.args) == 1 and not node.keywords and
                not isinstance(node.args[0], gast.Starred) and maker.args and
                isinstance(maker.args[0], gast.Constant)):
            return None
        path = n.dotted_path(maker.func)
        if path not in ('methodcaller', 'operator.methodcaller') or \
                path.split('.')[0] not in self.callers:
            return None
        name = maker.args[0].value
        if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)) \
                or name.startswith('__') and not name.endswith('__'):
            return None
        method = gast.Attribute(value=node.args[0], attr=name, ctx=gast.Load())
        return gast.copy_location(gast.Call(func=method, args=maker.args[1:],
                                            keywords=maker.keywords), node)


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
