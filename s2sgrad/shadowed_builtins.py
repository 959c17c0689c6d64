"""Local variables named like the built-ins that generated code calls, renamed.

A variable of the function named ``slice``, ``range``, ``len`` or ``dict`` (``slice = 2.0``)
hides the built-in from the generated code, which calls ``slice(1, 3, None)`` for an index,
``range(n)`` for a loop run backward, ``dict()`` for a dict filled by key: it raised from
inside the generated code. A name assigned anywhere in a function is that function's local
everywhere in it (and in the functions it defines, which read it), so renaming each of its
uses (``slice_2``) keeps the program's meaning. Parameters keep their names (the caller may
pass them by name).
"""
import gast

from . import nodes as n

GENERATED_BUILTINS = frozenset({
    'abs', 'all', 'any', 'bool', 'dict', 'enumerate', 'float', 'int', 'isinstance', 'iter',
    'len', 'list', 'map', 'max', 'min', 'next', 'range', 'reversed', 'slice', 'sorted', 'sum',
    'tuple', 'type', 'zip'})
"""Built-ins that generated code and the rules' templates call by their names."""


def rename_shadowed_builtins(func, namer, params):
    """Rename in `func` the local variables of `GENERATED_BUILTINS` (not the `params`, nor a
    name a ``global`` or ``nonlocal`` statement declares, nor one that a scope inside binds
    too: a lambda's or comprehension's variable, a nested function's parameter, where the
    function's other uses of the name may be the built-in's) to fresh names from `namer`."""
    own, inner = set(), set()
    _bound(func.body, own, inner)
    declared = {name for node in n.walk(func) if isinstance(node, (gast.Global, gast.Nonlocal))
                for name in node.names}
    shadowed = sorted((own & GENERATED_BUILTINS) - set(params) - declared - inner)
    if not shadowed:
        return {}
    renamed = {name: namer.fresh(name) for name in shadowed}
    for node in n.walk(func):
        if isinstance(node, gast.Name) and node.id in renamed:
            node.id = renamed[node.id]
        elif isinstance(node, (gast.FunctionDef, gast.ClassDef)) and node is not func and \
                node.name in renamed:
            node.name = renamed[node.name]
    return renamed


_SCOPES = (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ListComp, gast.SetComp,
           gast.DictComp, gast.GeneratorExp, gast.ClassDef)


def _bound(nodes, own, inner, nested=False):
    """Add to `own` the names the function's own scope binds in `nodes`, to `inner` those a
    scope inside it binds (`nested`)."""
    for node in nodes:
        if isinstance(node, _SCOPES):
            if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
                (inner if nested else own).add(node.name)
            children = [child for child in gast.iter_child_nodes(node)
                        if not isinstance(child, gast.expr) or isinstance(node, (
                            gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                            gast.GeneratorExp))]
            _bound(children, own, inner, True)
            continue
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param, gast.Del)):
            (inner if nested else own).add(node.id)
        _bound(list(gast.iter_child_nodes(node)), own, inner, nested)
