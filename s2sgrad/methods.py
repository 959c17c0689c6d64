"""Method calls on instances of a known class: ``self.f(x)`` becomes ``Model.f(self, x)``."""
import inspect

import gast

from . import nodes as n
from .callables import receiver, users_instance


def known_receivers(func, receivers):
    """The parameters of `func` that hold an instance of a known class all through the body
    (never assigned to): `receivers` restricted to them."""
    stored = set(n.names_stored(gast.Module(body=func.body, type_ignores=[])))
    return {param: cls for param, cls in receivers.items() if param not in stored}


def bind_methods(func, receivers, names, code=None):
    """Rewrite, in place, each call ``r.m(...)`` of a Python method of the class of a receiver
    `r` (a known parameter, or an attribute chain of one: ``self.layer``) into a call of the
    function: ``C.m(r, ...)``, ``C.m(...)`` for a static method, ``C.m.__func__(C, ...)`` for
    a class method, ``C.__call__(r.layer, ...)`` for a call of a callable attribute ``r.layer``.
    ``super().m(...)`` in the method with code object `code` becomes ``B.m(self, ...)`` for
    the class `B` that follows the method's class in the receiver's class's MRO. It is then
    differentiated like any function of the user's. `names` binds the classes to names
    generated code can read. Other calls are left alone."""
    known = known_receivers(func, receivers)
    if not known:
        return
    first = func.args.args[0].id if func.args.args else None
    for node in n.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id in known:  # ``self(x)``: the class's ``__call__``
            _bind_call(node, known[node.func.id], names)
            continue
        if not isinstance(node, gast.Call) or not isinstance(node.func, gast.Attribute):
            continue
        receiver, name = node.func.value, node.func.attr
        if _is_super(receiver) and first in known:
            _bind_super(node, first, known[first], name, code, names)
            continue
        info = receiver_of(receiver, known)
        if info is not None and _bind_method(node, receiver, name, info, names):
            continue
        info = receiver_of(node.func, known)  # ``self.layer(x)``: a callable attribute
        if info is not None:
            _bind_call(node, info, names)


def global_receivers(func, ctx):
    """The global or enclosing names that `func` calls methods of (``MODEL.loss(x)``), calls
    (``LAYER(x)``) or passes to a call (``loss(MODEL, x)``, and ``Net.loss(MODEL, x)`` in
    generated code), and that hold an instance of a class of the user's, by name -> its
    `Receiver`, for `bind_methods` and the calls' receivers (`callee_receivers`): the call is
    then ``Net.loss(MODEL, x)``, differentiated like any function of the user's. The name is
    bound to the object it holds now (as the functions a transformation resolves: see the
    README) and pinned (`ctx.extra_pins`): the gradient is out of date once it holds another
    object."""
    namespace = ctx.source.namespace
    local = set(n.names_stored(func))
    found = {}
    for node in n.walk(func):
        if not isinstance(node, gast.Call):
            continue
        roots = [arg.id for arg in node.args if isinstance(arg, gast.Name)]
        if isinstance(node.func, gast.Attribute) and isinstance(node.func.value, gast.Name):
            roots.append(node.func.value.id)
        elif isinstance(node.func, gast.Name) and inspect.isfunction(inspect.getattr_static(
                type(namespace.get(node.func.id)), '__call__', None)):
            roots.append(node.func.id)  # ``BN(x)``: an object of a class with a __call__
        for root in roots:
            if root in local or root in found or root not in namespace or \
                    not users_instance(namespace[root]):
                continue
            obj = namespace[root]
            if ctx.names.object(root, obj) != root:
                continue  # (the name is taken in generated code: left alone)
            found[root] = receiver(obj)
            globals_ = ctx.source.globals if ctx.source.globals is not None else {}
            ctx.extra_pins.append((root, obj, ctx.source.cells.get(root), globals_))
    return found


def _bind_call(node, info, names):
    """``obj(x)`` of an object whose class has a Python ``__call__``: ``C.__call__(obj, x)``."""
    call = inspect.getattr_static(info.cls, '__call__', None)
    if inspect.isfunction(call) and '__call__' not in dict(info.shadowed):
        callee = node.func
        node.func = _class_attribute(info.cls, '__call__', names, callee)
        node.func.method_of = (info.cls, '__call__', call, True)
        node.args.insert(0, callee)


def _is_super(node):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == 'super' and not node.args and not node.keywords


def _bind_super(node, first, info, name, code, names):
    """``super().name(...)`` in the method with `code`, called on `first` (of `info`)."""
    mro = info.cls.__mro__
    owner = next((i for i, cls in enumerate(mro) if any(
        getattr(getattr(value, '__func__', value), '__code__', None) is code
        for value in vars(cls).values())), None) if code is not None else None
    if owner is None:
        return
    for cls in mro[owner + 1:]:
        if name in vars(cls):
            attr = vars(cls)[name]
            if inspect.isfunction(attr):
                node.func = _class_attribute(cls, name, names, node.func)
                node.func.method_of = (cls, name, attr, False)
                node.args.insert(0, n.name(first))
            return


def receiver_of(expr, known):
    """The `Receiver` of expression `expr` (a name or attribute chain), or None."""
    if isinstance(expr, gast.Name):
        return known.get(expr.id)
    if isinstance(expr, gast.Attribute):
        parent = receiver_of(expr.value, known)
        if parent is not None and expr.attr not in dict(parent.shadowed):
            return parent.attribute(expr.attr)
    return None


def _identifier(preferred, fallback):
    return preferred if preferred.isidentifier() else fallback


def _class_attribute(cls, name, names, where):
    holder = n.name(names.object(cls.__name__, cls))
    return gast.copy_location(gast.Attribute(value=holder, attr=name, ctx=gast.Load()), where)


def _bind_method(node, receiver, name, info, names):
    """Rewrite the call `node` of method `name` of `receiver`; whether it was a method."""
    own = dict(info.shadowed)
    if name in own:  # the instance's own attribute, not the class's method
        if own[name] is not None:
            node.func = gast.copy_location(gast.Name(
                id=names.object(_identifier(own[name].__name__, name), own[name]),
                ctx=gast.Load(),
                annotation=None, type_comment=None), receiver)
        return True
    attr = inspect.getattr_static(info.cls, name, None)
    if isinstance(attr, staticmethod) and inspect.isfunction(attr.__func__):
        node.func = _class_attribute(info.cls, name, names, receiver)
    elif isinstance(attr, classmethod) and inspect.isfunction(attr.__func__):
        node.func = gast.copy_location(gast.Attribute(
            value=_class_attribute(info.cls, name, names, receiver), attr='__func__',
            ctx=gast.Load()), receiver)
        node.args.insert(0, n.name(names.object(info.cls.__name__, info.cls)))
    elif inspect.isfunction(attr):
        node.func = _class_attribute(info.cls, name, names, receiver)
        node.args.insert(0, n.clone(receiver))
    else:
        return False
    node.func.method_of = (info.cls, name, attr, inspect.isfunction(attr))
    return True


def receivers_of_temporaries(body, receivers):
    """`receivers` and the variables of `body` (normalized code) assigned once from an
    attribute chain of a known receiver (``self_layer = self.layer``)."""
    counts = {}
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign):
            for name in n.names_stored(stmt.targets[0]):
                counts[name] = counts.get(name, 0) + 1
    known = dict(receivers)
    for stmt in body:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                counts.get(stmt.targets[0].id) == 1 and stmt.targets[0].id not in known:
            info = receiver_of(stmt.value, known)
            if info is not None:
                known[stmt.targets[0].id] = info
    return known


def callee_receivers(caller, params, bound):
    """The receivers of a called function: its parameters bound to a caller's known receiver
    or to an attribute chain of one (``self.layer``)."""
    out = {}
    for param, arg in bound.items():
        info = receiver_of(arg, caller) if param in params else None
        if info is not None:
            out[param] = info
    return out


def field_index(attribute):
    """``s2s.field_index(p, 'W')``: the index at which ``p.W`` reads a namedtuple `p`."""
    return n.call('s2s.field_index', n.clone(attribute.value), n.const(attribute.attr))


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
