"""Method calls on instances of a known class: ``self.f(x)`` becomes ``Model.f(self, x)``."""
import inspect

import gast

from . import nodes as n


def known_receivers(func, receivers):
    """The parameters of `func` that hold an instance of a known class all through the body
    (never assigned to): `receivers` restricted to them."""
    stored = set(n.names_stored(gast.Module(body=func.body, type_ignores=[])))
    return {param: cls for param, cls in receivers.items() if param not in stored}


def bind_methods(func, receivers, names):
    """Rewrite, in place, each call ``r.m(...)`` of a Python method of the class of receiver
    `r` into a call of the function, ``C.m(r, ...)`` (``C.m(...)`` for a static method), so
    that it is differentiated like any function of the user's. `names` binds the class to a
    name generated code can read. Other calls are left alone."""
    known = known_receivers(func, receivers)
    if not known:
        return
    for node in n.walk(func):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and
                isinstance(node.func.value, gast.Name) and node.func.value.id in known):
            continue
        receiver, name = node.func.value, node.func.attr
        cls, shadowed = known[receiver.id]
        own = dict(shadowed)
        if name in own:  # the instance's own attribute, not the class's method
            if own[name] is not None:
                node.func = gast.Name(id=names.object(own[name].__name__, own[name]),
                                      ctx=gast.Load(), annotation=None, type_comment=None)
                gast.copy_location(node.func, receiver)
            continue
        attr = inspect.getattr_static(cls, name, None)
        static = isinstance(attr, staticmethod)
        if static:
            attr = attr.__func__
        if not inspect.isfunction(attr):
            continue
        holder = n.name(names.object(cls.__name__, cls))
        node.func = gast.Attribute(value=holder, attr=name, ctx=gast.Load())
        gast.copy_location(node.func, receiver)
        if not static:
            node.args.insert(0, n.name(receiver.id))


def callee_receivers(caller, params, bound):
    """The receivers of a called function: its parameters bound to a caller's known receiver."""
    return {param: caller[arg.id] for param, arg in bound.items()
            if param in params and isinstance(arg, gast.Name) and arg.id in caller}


def object_hint(receiver, attr, method):
    """Why `receiver.attr` (a method call when `method`) has no rule, when it is not a NumPy
    array attribute: what to write instead, for an object of the user's."""
    named = isinstance(receiver, gast.Name)
    who = f'`{receiver.id}`' if named else 'the object'
    if method and attr in ('items', 'values', 'keys', 'get'):
        return (f'if {who} is a dict of differentiated values, read it by key '
                f'(`{receiver.id if named else "params"}[\'W1\']`) or unpack it; its '
                f'`.items()`, `.values()`, `.keys()` and `.get()` are not followed')
    if method and not named:
        return ('s2sgrad resolves the methods of `self` in a bound method (and of the '
                'parameters it passes `self` to), not of other objects or of `super()`; call '
                'the function of the method with its object: `Class.method(obj, ...)`')
    if method:
        return (f'if {who} is an object of yours, differentiate a bound method '
                f'(`grad(obj.method)`) so that s2sgrad knows its class, or call the method\'s '
                f'function (`Class.{attr}({receiver.id if named else "obj"}, ...)`)')
    return (f'if {who} is an object of yours: its attributes are constants, and s2sgrad '
            f'differentiates numbers, arrays and lists, tuples and dicts of them; keep the '
            f'parameters to differentiate in a dict or list and pass that')
