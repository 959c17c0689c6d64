"""``functools.partial`` made in the function and called, read as the call it stands for:
``partial(pw, p=3)(x)`` is ``pw(x, p=3)``, and ``cube = partial(pw, p=3)`` then ``cube(x)`` is
``pw(x, p=3)`` too where the name is kept as `kept_calls` says (assigned once in the body,
only called), and ``map(partial(f, p), xs)`` (a comprehension by then: `lambda_defs`) is
``[f(p, item) for item in xs]`` where the partial's arguments call nothing. The partial's
positional arguments come first, then the call's; its keywords, then the call's (which
replace them, as in Python)."""
import functools

import gast

from . import nodes as n
from .kept_calls import computed_once, kept_calls, replace_kept, starred


def inline_partials(func, resolver, namer):
    """Rewrite, in place, the calls of ``functools.partial`` objects made in the FunctionDef
    `func` as calls of the functions they wrap; `resolver` tells what a called name is,
    `namer` names the arguments of one kept under a name."""
    calls = [node for node in n.walk(func) if isinstance(node, gast.Call) and
             not starred(node)]
    stored = kept_calls(func, lambda call: _partial(call, resolver),
                        {id(call.func) for call in calls if isinstance(call.func, gast.Name)})
    once = {name: computed_once(assign, namer, func) for name, assign in stored.items()}
    repeated = {id(node) for comp in n.walk(func)  # (``map(partial(f, p), xs)``, lowered)
                if isinstance(comp, (gast.ListComp, gast.GeneratorExp))
                for node in n.walk(comp.elt)}
    for node in calls:
        made = node.func
        if isinstance(made, gast.Name) and made.id in once:
            made = n.clone(once[made.id][1])
        if not _partial(made, resolver) or id(made) in repeated and _calls(
                made.args[1:] + [kw.value for kw in made.keywords]):
            continue  # (arguments computed once by `partial`, not at each item)
        if made is node.func and made.keywords and node.args and _calls(
                list(node.args) + [kw.value for kw in made.keywords]):
            continue  # (``partial(f, k=a())(b())``: `a()` runs first; as a keyword, last)
        given = {kw.arg for kw in node.keywords}
        node.func = made.args[0]
        node.args = list(made.args[1:]) + list(node.args)
        node.keywords = [kw for kw in made.keywords if kw.arg not in given] + \
            list(node.keywords)
    replace_kept(func, stored, once)
    for node in calls:
        _inline_global_partial(node, resolver)


def _inline_global_partial(call, resolver):
    """``leaky02(x)`` where `leaky02` is a ``functools.partial`` object made outside the
    function (a module's ``leaky02 = partial(leaky, a=0.2)``, a parameter's default): the
    call of ``leaky02.func`` with the object's arguments, read from it
    (``leaky02.func(x, a=leaky02.keywords['a'])``)."""
    if starred(call) or not isinstance(call.func, (gast.Name, gast.Attribute)):
        return
    try:
        obj = resolver.lookup(call.func)
    except TypeError:
        return
    if type(obj) is not functools.partial or not n.dotted_path(call.func):
        return
    inline_partial_object(call, obj)


def inline_partial_object(call, obj):
    """Rewrite, in place, `call` of the ``functools.partial`` object `obj` that its callee
    (a name or attribute chain) reads as the call of ``.func`` with the object's arguments,
    read from it."""
    made = call.func
    given = {kw.arg for kw in call.keywords}
    call.func = n.attr(n.clone(made), 'func')
    held = [n.subscript(n.attr(n.clone(made), 'args'), n.const(i))
            for i in range(len(obj.args))]
    call.args = held + list(call.args)
    call.keywords = [gast.keyword(arg=key, value=n.subscript(n.attr(n.clone(made), 'keywords'),
                                                             n.const(key)))
                     for key in obj.keywords if key not in given] + list(call.keywords)


def _calls(nodes):
    """Whether any of `nodes` calls something."""
    return any(isinstance(inner, gast.Call) for node in nodes for inner in n.walk(node))


def _partial(node, resolver):
    """Whether `node` is ``functools.partial(f, ...)`` with no ``*`` or ``**``."""
    if not isinstance(node, gast.Call) or not node.args or starred(node):
        return False
    try:
        return resolver.lookup(node.func) is functools.partial
    except TypeError:
        return False
