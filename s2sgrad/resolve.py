"""Resolve names: map callee expressions to the Python objects they denote."""
import gast

from . import nodes as n
from . import rules
from . import runtime
from .live import LiveHelper, MethodGuard
from .wrappers import unwrap_transparent

_MISSING = object()


class Resolver:
    """Looks dotted names up in a function's namespace, skipping its local variables."""

    def __init__(self, namespace, local_names):
        self.namespace = namespace
        self.local_names = set(local_names)

    def lookup(self, node):
        """The object denoted by a Name/Attribute chain, or None if local or unknown."""
        path = n.dotted_path(node)
        if path is None:
            return None
        root, *rest = path.split('.')
        if root in self.local_names or root not in self.namespace and root != 's2s':
            return None
        obj = self.namespace.get(root, runtime)  # `s2s` (reserved): normalized code's helpers
        for part in rest:
            if runs_users_code(obj, part):
                return None  # (``LZ.value`` of a property: its getter runs when the code does)
            obj = getattr(obj, part, _MISSING)
            if obj is _MISSING:
                return None
        if isinstance(obj, (LiveHelper, MethodGuard)):  # generated code differentiated again
            return obj.function
        # (a helper of the user's under ``@lru_cache``, unless the cached object has a rule)
        return obj if rules.has_rule(obj) else unwrap_transparent(obj)

    def is_global(self, node):
        """Whether `node` is a non-local dotted name (a module, function or constant)."""
        path = n.dotted_path(node)
        return path is not None and path.split('.')[0] not in self.local_names and \
            (path.split('.')[0] in self.namespace or path.split('.')[0] == 's2s')


def runs_users_code(obj, name):
    """Whether reading the attribute `name` of `obj` may run code of the user's: a property's
    getter (``functools.cached_property`` too) or another descriptor of a class of the user's
    on the object's class, its class's ``__getattr__`` or ``__getattribute__``. Such a read
    is not made while the code is transformed (it may change what the derivative reads)."""
    import functools
    import inspect
    import types
    from .kept_items import users_class  # (it imports this module)
    if isinstance(obj, types.ModuleType):
        return False  # (a module's attributes are its globals)
    found = inspect.getattr_static(obj, name, _MISSING)
    # (the class's own, or for a class its metaclass's: ``__getattr__`` where the attribute is
    # not found otherwise)
    for special in ('__getattribute__',) + (('__getattr__',) if found is _MISSING else ()):
        if inspect.isfunction(inspect.getattr_static(type(obj), special, None)):
            return True
    if found is _MISSING or not hasattr(type(found), '__get__'):
        return False
    if users_class(type(found)):
        return True
    return not isinstance(obj, type) and isinstance(found, (property, functools.cached_property))


def method_call(node):
    """For ``x.name(...)`` on a local value, ``(receiver, name)``; else None."""
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
        return node.func.value, node.func.attr
    return None


def is_nondifferentiable_call(node, resolver):
    """Whether the call `node` never carries a derivative (shape query, comparison, ...)."""
    func = node.func
    if isinstance(func, gast.Attribute) and not resolver.is_global(func):
        return func.attr in rules.NONDIFFERENTIABLE_METHODS
    obj = resolver.lookup(func)
    return obj is not None and rules.is_nondifferentiable(obj)
