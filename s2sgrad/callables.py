"""Callables users pass (bound methods, callable instances, partials): a function and bindings."""
import functools
import inspect
import types
from collections import namedtuple

from . import rules


class Bound:
    """A Python function and what the user's callable binds to it.

    `args` are leading positional arguments (a bound method's instance, a partial's
    arguments), `keywords` a partial's keyword arguments, and `receivers` maps a parameter
    bound to an instance to the instance's class and the names of the class's attributes
    that the instance shadows with its own (method calls are resolved with these).
    `method` says whether the callable is one bound method of the function (so that the
    generated function can be bound the same way).
    """

    def __init__(self, function, args=(), keywords=None, receivers=None, method=False):
        self.function = function
        self.args = tuple(args)
        self.keywords = dict(keywords or {})
        self.receivers = dict(receivers or {})
        self.method = method


def unbind(func):
    """The `Bound` of a user's callable: `func` itself for a plain function."""
    if isinstance(func, functools.partial):
        inner = unbind(func.func)
        return Bound(inner.function, inner.args + func.args,
                     {**inner.keywords, **func.keywords}, inner.receivers)
    if isinstance(func, types.MethodType):
        inner = unbind(func.__func__)
        receivers = dict(inner.receivers)
        first = _first_positional(inner.function)
        if first is not None and not inner.args:  # (a class method's `cls`: its class)
            receivers[first] = class_receiver(func.__self__) if \
                isinstance(func.__self__, type) else receiver(func.__self__)
        return Bound(inner.function, (func.__self__,) + inner.args, inner.keywords, receivers,
                     method=not inner.args and not inner.keywords)
    if not inspect.isfunction(func) and not isinstance(func, type) and callable(func):
        call = inspect.getattr_static(type(func), '__call__', None)
        # an instance of a class with a Python `__call__` (a class decorator's too, which
        # ``functools.update_wrapper(self, fn)`` gave `__wrapped__`, where `__call__` names
        # its parameters: what it does is differentiated; a library's wrapper object, or one
        # passing on ``*args``, see `source.parse_function`)
        if inspect.isfunction(call) and not (hasattr(func, '__wrapped__') and (
                rules.is_library(call) or call.__code__.co_flags & _STARRED)):
            return unbind(types.MethodType(call, func))
    return Bound(func)


_STARRED = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS


class Receiver(namedtuple('Receiver', 'cls shadowed attributes items of_class',
                          defaults=(None, False))):
    """What the transformation knows of an instance: its class; the class attributes that the
    instance's own attributes shadow, and its own attributes holding functions or None, each
    with the instance's value when that is a function (called as it is: ``self.act =
    np.tanh``), `HELD_NONE` for None, and None otherwise (calls of it are not resolved); and the
    `Receiver` of each attribute holding an instance of a class of the user's (composition:
    ``self.layer.forward(x)``) or a list or tuple of them (``self.layers``).

    For a list or tuple of instances (``cls`` list or tuple), `items` is the `Receiver` of its
    items, one per kind (`kind`), in the order the kinds first appear (see
    `items_receiver`). `of_class`: the object is the class `cls` itself (``cls`` of a class
    method, ``Model.create(x)``), whose plain functions are called with their own arguments
    (`class_receiver`)."""

    __slots__ = ()

    def attribute(self, name):
        """The `Receiver` of the instance's attribute `name`, or None."""
        return dict(self.attributes).get(name)

    def item(self):
        """The `Receiver` of an item of a list or tuple of instances: a `choice` of the kinds
        of its items (one kind too: the item is tested when the gradient runs, as the list
        may hold other objects by then)."""
        return choice(self.items)

    @property
    def sequence(self):
        """Whether this is the `Receiver` of a list or tuple of instances."""
        return self.cls in (list, tuple)


def class_receiver(cls):
    """The `Receiver` of class `cls` itself, the receiver of its class methods."""
    return Receiver(cls, frozenset(), frozenset(), None, True)


def choice(items):
    """The `Receiver` of an object that may be any of several (an item of a list of instances
    of several classes, or holding different functions: ``for layer in self.layers:``):
    ``cls`` None and the `Receiver` of each kind in `items`. Calls of its methods are
    dispatched by kind (`dispatch`)."""
    return Receiver(None, frozenset(), frozenset(), tuple(items))


def receiver(obj, depth=4, seen=None):
    """The `Receiver` of instance `obj` (attributes followed `depth` levels deep), or of a
    list or tuple of instances (`items_receiver`). `seen` (by object and depth) makes each
    object's `Receiver` once, and stops following attributes after `_MOST_OBJECTS`."""
    seen = {} if seen is None else seen
    key = (id(obj), depth)
    if key in seen:
        return seen[key]
    if instances(obj):
        found = seen[key] = items_receiver(obj, depth, seen)
        return found
    cls = type(obj)
    own = getattr(obj, '__dict__', None)
    own = own if isinstance(own, dict) else {}  # (a C object's may be anything)
    shadowed = frozenset((name, value if _function(value) else
                          HELD_NONE if value is None else None)
                         for name, value in own.items()
                         if inspect.getattr_static(cls, name, None) is not None or
                         _function(value) or value is None) | \
        frozenset(_class_functions(cls, own))
    follow = depth > 0 and len(seen) < _MOST_OBJECTS
    attributes = frozenset((name, receiver(value, depth - 1, seen))
                           for name, value in own.items()
                           if follow and _object_or_objects(value, seen))
    found = seen[key] = Receiver(cls, shadowed, attributes)
    return found


_MOST_OBJECTS = 5000  # (objects beyond are not looked into: calls of their methods are refused)


def _object_or_objects(value, seen):
    """Whether `value` is an instance of a class of the user's or a list or tuple of them
    (`instances`, asked once per list: `seen`)."""
    if type(value) not in (list, tuple):
        return users_instance(value)
    key = ('instances', id(value))
    if key not in seen:
        seen[key] = instances(value)
    return seen[key]


def instances(value):
    """Whether `value` is a nonempty list or tuple of instances of classes of the user's
    (``self.layers = [Dense(2, 3), Dense(3, 1)]``)."""
    return type(value) in (list, tuple) and 0 < len(value) <= _MOST_ITEMS and \
        all(users_instance(item) for item in value)


_MOST_ITEMS = 10000  # (longer lists of objects are not looked into)


def items_receiver(items, depth=4, seen=None):
    """The `Receiver` of a list or tuple of instances: its `items` hold one `Receiver` per
    `kind` of items, what the items of that kind share (`merged`)."""
    seen = {} if seen is None else seen
    return Receiver(type(items), frozenset(), frozenset(),
                    kinds(receiver(item, depth, seen) for item in items))


def kinds(found):
    """The `Receiver`s `found` grouped by `kind`, each group `merged`, in the order the kinds
    first appear."""
    groups = {}
    for each in found:
        groups.setdefault(kind(each), []).append(each)
    return tuple(merged(group) for group in groups.values())


def kind(found):
    """What tells apart instances whose methods are differentiated differently: the class of
    the instance of `Receiver` `found`, the functions it holds, its attributes holding None,
    and the kind of each instance it holds (not of its lists of instances: their items are
    told apart where they are called)."""
    return (found.cls, functions(found), held_none(found),
            frozenset((name, kind(sub)) for name, sub in found.attributes if not sub.sequence))


def held_none(found):
    """The names of the own attributes holding None of the instance of `Receiver` `found`."""
    return frozenset(name for name, value in found.shadowed if value is HELD_NONE)


def functions(found):
    """The own attributes holding functions of the instance of `Receiver` `found`, as
    ``(name, function)`` pairs."""
    return frozenset((name, value) for name, value in found.shadowed
                     if value is not None and value is not HELD_NONE)


class _HeldNone:
    """What a `Receiver` records for an own attribute that holds None (``self.act = None``):
    a call of it raises (`raising_calls`)."""

    def __repr__(self):
        return 'HELD_NONE'


HELD_NONE = _HeldNone()


def merged(found):
    """What the `Receiver`s `found` of instances of one `kind` all share: an attribute
    shadowed by data in some is shadowed with None (calls of it are not resolved), an
    attribute holding an instance in all is kept, merged, and one holding a list or tuple of
    instances in all holds the kinds of all their items."""
    first = found[0]
    if all(other == first for other in found[1:]):
        return first
    names = {name for other in found for name, _ in other.shadowed}
    shadowed = frozenset((name, _common(dict(other.shadowed).get(name) for other in found))
                         for name in names)
    attributes = []
    for name, value in first.attributes:
        values = [other.attribute(name) for other in found]
        if any(v is None or v.sequence != value.sequence for v in values):
            continue
        if value.sequence:
            attributes.append((name, Receiver(value.cls, frozenset(), frozenset(), kinds(
                item for v in values for item in v.items))))
        else:
            attributes.append((name, merged(values)))
    return Receiver(first.cls, shadowed, frozenset(attributes))


def _common(values):
    values = list(values)
    return values[0] if values[0] is not None and all(v is values[0] for v in values) else None


def _class_functions(cls, own):
    """``(name, function)`` for each attribute of class `cls` (and its bases) that its
    instances read as a function, not a method: ``act = np.tanh`` (a ufunc or a built-in
    binds no instance) or ``act = staticmethod(np.sin)`` (or of a function of yours); not
    those the instance's own attributes (`own`) shadow. The instance guard tests them
    (`dispatch.instance_guards`): an instance attribute set afterwards (``net.act = cube``)
    is seen."""
    found = {}
    for klass in reversed(cls.__mro__[:-1]):  # (a subclass's attribute replaces its base's)
        for name, value in vars(klass).items():
            static = isinstance(value, staticmethod)
            if static:  # (of a function of yours too: ``act = staticmethod(soft)``)
                value = value.__func__
            if name in own or name.startswith('__') or \
                    inspect.isfunction(value) and not static or not _function(value):
                found.pop(name, None)
            else:
                found[name] = value
    return found.items()


def _function(value):
    """Whether `value` is a function an object may hold and call (``self.act = np.tanh``): a
    Python function, a built-in function, a NumPy ufunc or function (``np.mean``, a dispatcher
    object in NumPy 2), or a ``functools.partial`` of one
    (``self.act = partial(leaky, a=0.2)``: called as ``.func`` with the arguments it holds,
    `methods.bind_method`)."""
    if type(value) is functools.partial:
        value = value.func
    return inspect.isfunction(value) or inspect.isbuiltin(value) or \
        type(value).__name__ in ('ufunc', '_ArrayFunctionDispatcher')


def users_instance(value):
    """Whether `value` is an instance of a class defined in Python by the user (not a number,
    array, function, module or class, nor an object of the standard library or NumPy)."""
    cls = type(value)
    module = getattr(cls, '__module__', '') or ''
    return hasattr(value, '__dict__') and not isinstance(value, type) and \
        not inspect.isfunction(value) and not inspect.ismodule(value) and \
        not inspect.ismethod(value) and module.split('.')[0] not in LIBRARIES


LIBRARIES = {'builtins', 'numpy', 'functools', 'types', 'collections', 'cupy', 'dask', 's2sgrad',
             'scipy', 'typing', 'abc', 'enum', 'dataclasses'}


def _first_positional(func):
    code = getattr(func, '__code__', None)
    if code is None or not code.co_argcount:
        return None
    return code.co_varnames[0]


_SHOWN = ('source', 'helpers', 'seed_name', 'tangent_names')


def rebind(generated, bound):
    """The generated function bound as the user's callable was: a method of the same instance,
    or a ``functools.partial`` of the same arguments (which shows the generated source)."""
    if not bound.args and not bound.keywords:
        return generated
    if bound.method:
        return types.MethodType(generated, bound.args[0])
    partial = functools.partial(generated, *bound.args, **bound.keywords)
    for attr in _SHOWN:
        if hasattr(generated, attr):
            setattr(partial, attr, getattr(generated, attr))
    partial.__name__ = partial.__qualname__ = generated.__name__
    return partial
