"""Callables users pass (bound methods, callable instances, partials): a function and bindings."""
import functools
import inspect
import types
from collections import namedtuple


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
        if first is not None and not inner.args and not isinstance(func.__self__, type):
            receivers[first] = receiver(func.__self__)
        return Bound(inner.function, (func.__self__,) + inner.args, inner.keywords, receivers,
                     method=not inner.args and not inner.keywords)
    if not inspect.isfunction(func) and not isinstance(func, type) and callable(func) and \
            not hasattr(func, '__wrapped__'):  # wrapper objects: see source.parse_function
        call = inspect.getattr_static(type(func), '__call__', None)
        if inspect.isfunction(call):  # an instance of a class with a Python `__call__`
            return unbind(types.MethodType(call, func))
    return Bound(func)


class Receiver(namedtuple('Receiver', 'cls shadowed attributes')):
    """What the transformation knows of an instance: its class; the class attributes that the
    instance's own attributes shadow, and its own attributes holding functions, each with the
    instance's value when that is a function (called as it is: ``self.act = np.tanh``) and
    None otherwise (calls of it are not resolved); and the
    `Receiver` of each attribute holding an instance of a class of the user's (composition:
    ``self.layer.forward(x)``)."""

    __slots__ = ()

    def attribute(self, name):
        """The `Receiver` of the instance's attribute `name`, or None."""
        return dict(self.attributes).get(name)


def receiver(obj, depth=2):
    """The `Receiver` of instance `obj` (attributes followed `depth` levels deep)."""
    cls = type(obj)
    own = getattr(obj, '__dict__', None) or {}
    shadowed = frozenset((name, value if _function(value) else None)
                         for name, value in own.items()
                         if inspect.getattr_static(cls, name, None) is not None or
                         _function(value))
    attributes = frozenset((name, receiver(value, depth - 1)) for name, value in own.items()
                           if depth > 0 and users_instance(value))
    return Receiver(cls, shadowed, attributes)


def _function(value):
    """Whether `value` is a function an object may hold and call (``self.act = np.tanh``): a
    Python function, a built-in function or a NumPy ufunc."""
    return inspect.isfunction(value) or inspect.isbuiltin(value) or \
        type(value).__name__ == 'ufunc'


def users_instance(value):
    """Whether `value` is an instance of a class defined in Python by the user (not a number,
    array, function, module or class, nor an object of the standard library or NumPy)."""
    cls = type(value)
    module = getattr(cls, '__module__', '') or ''
    return hasattr(value, '__dict__') and not isinstance(value, type) and \
        not inspect.isfunction(value) and not inspect.ismodule(value) and \
        not inspect.ismethod(value) and module.split('.')[0] not in _LIBRARIES


_LIBRARIES = {'builtins', 'numpy', 'functools', 'types', 'collections', 'cupy', 'dask', 's2sgrad',
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
