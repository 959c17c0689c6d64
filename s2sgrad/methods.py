"""Method calls on instances of a known class: ``self.f(x)`` becomes ``Model.f(self, x)``."""
import functools
import inspect

import gast

from . import nodes as n
from .callables import (HELD_NONE, LIBRARIES, Receiver, choice, class_receiver, instances,
                        kinds, receiver, users_instance)
from .partial_calls import inline_partial_object


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
    known = receivers_of_temporaries(func.body, known_receivers(func, receivers))
    known = loop_receivers(func, known)  # (``layers = self.layers``, then ``for ... in``)
    known = receivers_of_temporaries(func.body, known)  # (``layer = self.layers[i]``)
    if not known:
        return
    receivers.update(known)  # (the calls' receivers, `callee_receivers`, `dispatch`)
    first = func.args.args[0].id if func.args.args else None
    for node in n.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id in known and known[node.func.id].cls is not None:
            bind_call(node, known[node.func.id], names)  # ``self(x)``: its ``__call__``
            continue
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Subscript):
            info = receiver_of(node.func, known)  # ``self.layers[i](x)``
            if info is not None and info.cls is not None:
                bind_call(node, info, names)
            continue
        if not isinstance(node, gast.Call) or not isinstance(node.func, gast.Attribute):
            continue
        receiver, name = node.func.value, node.func.attr
        if _is_super(receiver) and first in known:
            _bind_super(node, first, known[first], name, code, names)
            continue
        info = receiver_of(receiver, known)
        if info is not None and info.cls is not None and \
                bind_method(node, receiver, name, info, names, receivers):
            continue
        if info is None and _held_none(receiver, known):
            # (``self.norm.forward(h)`` where ``self.norm = None``, under the user's ``if
            # self.norm is not None:``: Python's AttributeError there, `raising_calls`)
            node.calls_missing = type(None)
            continue
        info = receiver_of(node.func, known)  # ``self.layer(x)``: a callable attribute
        if info is not None and info.cls is not None:
            bind_call(node, info, names)


def global_receivers(func, ctx):
    """The global or enclosing names that `func` calls methods of (``MODEL.loss(x)``), calls
    (``LAYER(x)``) or passes to a call (``loss(MODEL, x)``, and ``Net.loss(MODEL, x)`` in
    generated code), and that hold an instance of a class of the user's, by name -> its
    `Receiver`, for `bind_methods` and the calls' receivers (`callee_receivers`): the call is
    then ``Net.loss(MODEL, x)``, differentiated like any function of the user's. The name
    (also one whose attribute is taken: ``inner = MODEL.inner``) is read when the gradient
    runs, as `func` reads it: the object's kind, or that of each item of a list called, is
    tested before its methods are called (`dispatch`). It is pinned (`ctx.extra_pins`): a new
    gradient is made once it holds another object or one of another kind."""
    namespace = ctx.source.namespace
    local = set(n.names_stored(func))
    found = {}
    for node in n.walk(func):
        if isinstance(node, gast.For) or isinstance(node, gast.Assign) and \
                isinstance(node.value, (gast.Attribute, gast.Subscript, gast.Name)):
            # ``for layer in LAYERS:``, ``inner = MODEL.inner``, ``m = MODEL``
            root = _root(node.iter if isinstance(node, gast.For) else node.value)
            if root is not None and _objects(namespace.get(root)):
                _pin_global(ctx, root, found, local)
            continue
        if not isinstance(node, gast.Call):
            continue
        roots = [arg.id for arg in node.args if isinstance(arg, gast.Name)]
        for root in roots:  # (a class passed on: the `cls` of ``Model.m.__func__(Model, x)``)
            if root not in local and _users_class(namespace.get(root)):
                found[root] = class_receiver(namespace[root])
        if isinstance(node.func, gast.Attribute) and isinstance(node.func.value, gast.Name):
            roots.append(node.func.value.id)
            owner = namespace.get(node.func.value.id)
            attr = inspect.getattr_static(owner, node.func.attr, None) \
                if _users_class(owner) else None
            if node.func.value.id not in local and (
                    isinstance(attr, (classmethod, staticmethod)) or inspect.isfunction(attr)):
                found[node.func.value.id] = class_receiver(owner)  # (``Model.create(x)``)
        elif isinstance(node.func, gast.Subscript) or isinstance(node.func, gast.Attribute) \
                and isinstance(node.func.value, (gast.Subscript, gast.Attribute)):
            root = _root(node.func)  # ``LAYERS[i].forward(x)``, ``MODEL.layers[i](x)``
            if root is not None and _objects(namespace.get(root)):
                roots.append(root)
        elif isinstance(node.func, gast.Name) and inspect.isfunction(inspect.getattr_static(
                type(namespace.get(node.func.id)), '__call__', None)):
            roots.append(node.func.id)  # ``BN(x)``: an object of a class with a __call__
        for root in roots:
            if root in namespace and _objects(namespace[root]):
                _pin_global(ctx, root, found, local)
    return found


def _pin_global(ctx, root, found, local):
    """Record the `Receiver` of the object global or enclosing name `root` holds, in
    `found`, and pin the name (see `global_receivers`)."""
    if root in local or root in found:
        return
    obj = ctx.source.namespace[root]
    if root in ctx.names.bindings:
        return  # (the name is taken in generated code: left alone)
    # (read when the gradient runs, as `f` reads it: the kind of the object, or of each item
    # called, is tested before its methods are called: `dispatch`)
    found[root] = receiver(obj) if instances(obj) else choice((receiver(obj),))
    ctx.live_names.add(root)
    globals_ = ctx.source.globals if ctx.source.globals is not None else {}
    # (and its kind: a gradient made again once it holds another object, or the object holds
    # objects or functions of other kinds)
    ctx.extra_pins.append((root, obj, ctx.source.cells.get(root), globals_, receiver(obj)))


def _users_class(value):
    """Whether `value` is a class of the user's (not of a library's)."""
    return isinstance(value, type) and \
        (getattr(value, '__module__', '') or '').split('.')[0] not in LIBRARIES


def _objects(value):
    """Whether `value` is an instance of a class of the user's or a list or tuple of them."""
    return users_instance(value) or instances(value)


def _root(expr):
    """The name under ``reversed(...)``, ``enumerate(...)``, subscripts and attributes of
    `expr` (``LAYERS`` of ``LAYERS[1:]``), or None."""
    while True:
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and \
                expr.func.id in ('reversed', 'enumerate') and len(expr.args) == 1:
            expr = expr.args[0]
        elif isinstance(expr, (gast.Subscript, gast.Attribute)):
            expr = expr.value
        else:
            return expr.id if isinstance(expr, gast.Name) else None


def bind_call(node, info, names):
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


def receiver_of(expr, known, narrowed=None):
    """The `Receiver` of expression `expr` (a name, an attribute chain, an item of a list of
    instances, ``list(...)`` or ``.copy()`` of one), or None. `narrowed`: the receiver of
    each object (by its ``gast.dump``) whose kind a branch of `dispatch` tested."""
    if narrowed:
        key = gast.dump(expr)
        if key in narrowed:
            return narrowed[key]
    if isinstance(expr, gast.Name):
        return known.get(expr.id)
    if isinstance(expr, gast.Attribute):
        parent = receiver_of(expr.value, known, narrowed)
        one_kind = parent is not None and parent.cls is None and len(parent.items) == 1
        if one_kind:  # (an object of one kind, not yet tested: ``MODEL.layers``)
            parent = parent.items[0]
        if parent is not None and expr.attr not in dict(parent.shadowed):
            found = parent.attribute(expr.attr)
            # (an object it holds is tested in turn where it is called: the object may be
            # another by then)
            return choice((found,)) if one_kind and found is not None and \
                not found.sequence else found
    if isinstance(expr, gast.Call) and not expr.keywords and (
            n.dotted_path(expr.func) in ('list', 'tuple', 's2s.sized') and
            len(expr.args) == 1 or isinstance(expr.func, gast.Attribute) and
            expr.func.attr == 'copy' and not expr.args):  # ``list(self.layers)``
        held = receiver_of(expr.args[0] if expr.args else expr.func.value, known, narrowed)
        return held if held is not None and held.sequence else None
    if isinstance(expr, gast.Subscript):  # ``self.layers[i]``, ``self.layers[1:]``
        parent = receiver_of(expr.value, known, narrowed)
        if parent is not None and parent.sequence:
            return parent if isinstance(expr.slice, gast.Slice) else parent.item()
    return None


def _items_of(expr, known):
    """The `Receiver` of a list or tuple of instances that ``for ... in expr`` goes over
    (``self.layers``, ``reversed(self.layers)``, ``list(self.a + self.b)``, ``self.layers[1:]``,
    and those `receiver_of` knows), or None."""
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and \
            expr.func.id in ('reversed', 'list', 'tuple') and len(expr.args) == 1 and \
            not expr.keywords:
        return _items_of(expr.args[0], known)
    if isinstance(expr, (gast.Tuple, gast.List)) and expr.elts:  # ``(self.a, self.b)``
        held = [receiver_of(elt, known) for elt in expr.elts]
        if any(each is None or each.sequence for each in held):
            return None
        return Receiver(tuple, frozenset(), frozenset(), kinds(
            kind for each in held for kind in (each.items if each.cls is None else (each,))))
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Add):  # ``self.a + self.b``
        parts = [_items_of(expr.left, known), _items_of(expr.right, known)]
        if None in parts:
            return None
        return Receiver(list, frozenset(), frozenset(), kinds(
            kind for part in parts for kind in part.items))
    found = receiver_of(expr, known)
    return found if found is not None and found.sequence else None


def _loop_pairs(target, iterated):
    """``(target, iterated)`` pairs of a ``for`` loop: itself, the item of ``enumerate(x)``,
    and each of ``zip(a, b)``, each target going over the items of its iterable."""
    if not isinstance(iterated, gast.Call) or not isinstance(iterated.func, gast.Name) or \
            not isinstance(target, gast.Tuple):
        return [(target, iterated)]
    if iterated.func.id == 'enumerate' and len(target.elts) == 2 and \
            len(iterated.args) + len(iterated.keywords) in (1, 2) and iterated.args and \
            all(k.arg == 'start' for k in iterated.keywords):  # (``enumerate(x, start=1)``)
        return _loop_pairs(target.elts[1], iterated.args[0])
    if iterated.func.id == 'zip' and len(iterated.args) == len(target.elts) and \
            not iterated.keywords:
        return [pair for elt, arg in zip(target.elts, iterated.args)
                for pair in _loop_pairs(elt, arg)]
    return [(target, iterated)]


def loop_receivers(func, known):
    """`known` and the loop variables of `func` that go over a list of instances and are
    assigned nowhere else (``for layer in self.layers:``, ``for i, layer in
    enumerate(self.layers):``, ``for layer, w in zip(self.layers, ws):``, ``for m in
    (self.a, self.b):``): each holds an item all through its loop, of any of the kinds of the
    items of the lists it goes over."""
    out = dict(known)
    found = {}
    for node in n.walk(func):
        if not isinstance(node, gast.For):
            continue
        for target, iterated in _loop_pairs(node.target, node.iter):
            items = _items_of(iterated, known)
            if isinstance(target, gast.Name) and items is not None:
                found.setdefault(target.id, []).append(items.item())
    stores = {}
    for node in n.walk(func):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            stores[node.id] = stores.get(node.id, 0) + 1
    for name, items in found.items():  # (over several lists: the kinds of all)
        if name not in known and stores.get(name) == len(items):
            out[name] = choice(kinds(kind for item in items for kind in item.items))
    return out


def identifier(preferred, fallback):
    return preferred if preferred.isidentifier() else fallback


def _class_attribute(cls, name, names, where):
    holder = n.name(names.object(cls.__name__, cls))
    return gast.copy_location(gast.Attribute(value=holder, attr=name, ctx=gast.Load()), where)


def class_static(cls, name, value):
    """Whether instances of `cls` read function `value` as its static method `name` defined
    in a class body (``@staticmethod def reg(W)``): code reaches it as ``Model.reg``, and a
    call of it checks that the class still holds it (`live.MethodGuard`)."""
    attr = inspect.getattr_static(cls, name, None)
    return isinstance(attr, staticmethod) and attr.__func__ is value and \
        inspect.isfunction(value) and '.' in value.__qualname__.replace('.<locals>.', '')


def bind_method(node, receiver, name, info, names, receivers=None):
    """Rewrite the call `node` of method `name` of `receiver`; whether it was a method.
    A class method's class is recorded in `receivers`, under the name it is passed as (the
    receiver of the method's own calls ``cls.m(...)``)."""
    own = dict(info.shadowed)
    if name in own and not class_static(info.cls, name, own[name]):
        # (the instance's own attribute, or a function the class holds: not its method)
        if own[name] is HELD_NONE:  # (``self.act = None``: see `raising_calls`)
            node.calls_none = True
        elif own[name] is not None:
            held = own[name]
            node.func = gast.copy_location(names.held(
                held, identifier(getattr(held, '__name__', name), name)), receiver)
            if type(held) is functools.partial:  # (``self.act = partial(leaky, a=0.2)``)
                inline_partial_object(node, held)
        return True
    if name in _class_nones(info.cls):  # (``act = None`` in the class body)
        node.calls_none = True
        return True
    attr = inspect.getattr_static(info.cls, name, None)
    if isinstance(attr, staticmethod) and inspect.isfunction(attr.__func__):
        node.func = _class_attribute(info.cls, name, names, receiver)
    elif isinstance(attr, classmethod) and inspect.isfunction(attr.__func__):
        node.func = gast.copy_location(gast.Attribute(
            value=_class_attribute(info.cls, name, names, receiver), attr='__func__',
            ctx=gast.Load()), receiver)
        holder = names.object(info.cls.__name__, info.cls)
        node.args.insert(0, n.name(holder))
        if receivers is not None:
            receivers[holder] = class_receiver(info.cls)
    elif inspect.isfunction(attr):
        node.func = _class_attribute(info.cls, name, names, receiver)
        if not info.of_class:  # (``cls.helper(a, b)``: the function called as it is)
            node.args.insert(0, n.clone(receiver))
    else:
        return False
    node.func.method_of = (info.cls, name, attr, inspect.isfunction(attr) and not info.of_class)
    if info.of_class and isinstance(receiver, gast.Name):  # (checked to hold the class still)
        node.func.method_of += (receiver.id,)
    return True


def _held_none(expr, known):
    """Whether `expr` is an attribute (``self.norm``) that holds None in the object whose
    `Receiver` its parent has (set so, or the class's default)."""
    if not isinstance(expr, gast.Attribute):
        return False
    parent = receiver_of(expr.value, known)
    if parent is None or parent.cls is None:
        return False
    own = dict(parent.shadowed)
    if expr.attr in own:
        return own[expr.attr] is HELD_NONE
    return expr.attr in _class_nones(parent.cls)


def _class_nones(cls):
    """The names of the attributes of class `cls` (or its bases) that hold None."""
    return {name for klass in reversed(cls.__mro__) for name, value in vars(klass).items()
            if value is None and inspect.getattr_static(cls, name, 0) is None}


def receivers_of_temporaries(body, receivers):
    """`receivers` and the variables of `body` assigned only from attribute chains and items
    of known receivers that give one `Receiver` (``self_layer = self.layer``, ``layer =
    items[i]`` in each loop over ``items = self.layers``, ``first, last = self.layers``)."""
    stores = {}
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
    stacks = {}  # (generated code: ``layer_stack.append(layer)``, ``layer = ....pop()``)
    for stmt in n.statements(body):
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                isinstance(call.func.value, gast.Name) and call.func.attr == 'append':
            pushed = call.args[0] if len(call.args) == 1 else None
            stacks.setdefault(call.func.value.id, set()).add(
                pushed.id if isinstance(pushed, gast.Name) else None)
    excluded = set(receivers)
    while True:  # (until every variable kept holds what it was taken to hold)
        known, found = dict(receivers), {}
        for stmt in n.statements(body):
            for name, info in _assigned_receivers(stmt, known, stacks):
                if name not in excluded:
                    found.setdefault(name, []).append(info)
                    if info is not None and name not in known:
                        known[name] = info
        wrong = {name for name, infos in found.items()
                 if len(infos) != stores.get(name) or any(info != infos[0] for info in infos)}
        if not wrong:
            return known
        excluded |= wrong


def _assigned_receivers(stmt, known, stacks):
    """``(name, Receiver or None)`` for each name an assignment `stmt` stores into from a
    receiver expression (one name, or a tuple of names unpacking a list of instances), or
    from a list `stacks` says holds only that name's values (``layer =
    layer_stack.pop()``)."""
    if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
        return []
    target, value = stmt.targets[0], stmt.value
    if isinstance(target, gast.Name) and isinstance(value, gast.Call) and \
            isinstance(value.func, gast.Attribute) and value.func.attr == 'pop' and \
            isinstance(value.func.value, gast.Name) and not value.args and \
            stacks.get(value.func.value.id) == {target.id}:
        return [(target.id, known.get(target.id))]
    if isinstance(target, gast.Name):
        return [(target.id, receiver_of(stmt.value, known))]
    if isinstance(target, (gast.Tuple, gast.List)) and \
            all(isinstance(elt, gast.Name) for elt in target.elts):
        held = receiver_of(stmt.value, known)
        item = held.item() if held is not None and held.sequence else None
        return [(elt.id, item) for elt in target.elts]
    return []


def callee_receivers(caller, params, bound, chosen=None, func=None, owner=None, passed=None):
    """The receivers of a called function `func`: its parameters bound to a caller's known
    receiver or to an attribute chain of one (``self.layer``); the first, for a method
    called by a branch of `dispatch`, `chosen`: the receiver of the kind that branch tested.
    For a `choice` otherwise (generated code differentiated again), the one kind whose class
    is `owner` (``Linear`` of ``Linear.__call__(layer, x)``) or has `func` as a method.
    `passed`: the receivers of the objects such a branch passes, by position."""
    out = {}
    for param, arg in bound.items():
        info = receiver_of(arg, caller) if param in params else None
        if info is not None and info.cls is None:
            found = [item for item in info.items if of_class(item, owner)] if owner else \
                [item for item in info.items if _has_method(item.cls, func)]
            info = found[0] if len(found) == 1 else None
        if info is not None:
            out[param] = info
    if chosen is not None and params:
        out[params[0]] = chosen
    for position, info in (passed or {}).items():  # (objects a branch of `dispatch` passes)
        if position < len(params):
            out[params[position]] = info
    return out


def of_class(item, cls):
    """Whether the objects of `Receiver` `item` are instances of `cls` (or of a subclass:
    ``Net.loss(layer, x)`` of a `Sub` reads the `Sub`'s attributes)."""
    return isinstance(item.cls, type) and issubclass(item.cls, cls)


def _has_method(cls, func):
    """Whether `func` is a method (or static or class method) of class `cls`."""
    return func is not None and any(getattr(value, '__func__', value) is func
                                    for klass in cls.__mro__ for value in vars(klass).values())


def field_index(attribute):
    """``s2s.field_index(p, 'W')``: the index at which ``p.W`` reads a namedtuple `p`."""
    return n.call('s2s.field_index', n.clone(attribute.value), n.const(attribute.attr))


_DRAWS = frozenset({'normal', 'uniform', 'exponential', 'gamma', 'beta', 'lognormal', 'laplace',
                    'logistic', 'gumbel', 'standard_t', 'chisquare', 'multivariate_normal',
                    'dirichlet', 'weibull', 'rayleigh', 'poisson', 'binomial', 'choice'})
"""Methods of NumPy's random Generators that draw with parameters."""


def object_hint(receiver, attr, method):
    """Why `receiver.attr` (a method call when `method`) has no rule, when it is not a NumPy
    array attribute: what to write instead, for an object of the user's."""
    named = isinstance(receiver, gast.Name)
    who = f'`{receiver.id}`' if named else 'the object'
    if method and attr in ('items', 'values', 'keys', 'get'):
        name = receiver.id if named else 'params'
        return (f'if {who} is a dict of differentiated values: its `.{attr}()` is followed '
                f'passed straight to a function or loop (`list({name}.{attr}())`, `for ... in '
                f'{name}.{attr}()`), not kept under a name (a view, which shows later changes '
                f'of the dict): write `list({name}.{attr}())`, or read it by key '
                f'(`{name}[\'W1\']`)')
    if method and attr == '_replace':
        name = receiver.id if named else 'p'
        return (f'if {who} is a namedtuple: s2sgrad follows namedtuples built by their class '
                f'and their fields read by name, not `._replace`; build the new one with all '
                f'its fields (`P({name}.w, new_b)` for `{name}._replace(b=new_b)`)')
    if method and attr in _DRAWS:
        name = receiver.id if named else 'rng'
        return (f'if {who} is a NumPy random Generator: a draw with differentiated '
                f'parameters has no derivative; draw standard values and scale them (the '
                f'reparameterization: `mu + s * {name}.standard_normal(n)` for '
                f'`{name}.normal(mu, s, n)`, `lo + (hi - lo) * {name}.random(n)`)')
    if method and not named:
        return ('s2sgrad resolves the methods of `self` in a bound method (and of the '
                'parameters it passes `self` to), not of other objects or of `super()`; call '
                'the function of the method with its object: `Class.method(obj, ...)`')
    if method:
        return (f'if {who} is an object of yours, differentiate a bound method '
                f'(`grad(obj.method)`) so that s2sgrad knows its class, or call the method\'s '
                f'function (`Class.{attr}({receiver.id if named else "obj"}, ...)`; of a '
                f'static method, `Class.{attr}(...)`)')
    return (f'if {who} is an object of yours: its attributes are constants, and s2sgrad '
            f'differentiates numbers, arrays and lists, tuples and dicts of them; keep the '
            f'parameters to differentiate in a dict or list and pass that')
