"""Resolve names: map callee expressions to the Python objects they denote."""
import builtins
import functools
import inspect
import types

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
            if runs_users_code(obj, part, pure_too=False):
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


def runs_users_code(obj, name, pure_too=True):
    """Whether reading the attribute `name` of `obj` may run code of the user's: a property's
    getter (``functools.cached_property`` too) or another descriptor of a class of the user's
    on the object's class, its class's ``__getattr__`` or ``__getattribute__``. Such a read
    is not made while the code is transformed (it may change what the derivative reads),
    unless, without `pure_too`, the code it runs writes nothing (`_pure`: ``return np.tanh``,
    ``return self.w * 2``)."""
    from .kept_items import users_class  # (it imports this module)
    if isinstance(obj, types.ModuleType):
        return False  # (a module's attributes are its globals)
    found = inspect.getattr_static(obj, name, _MISSING)
    # (the class's own, or for a class its metaclass's: ``__getattr__`` where the attribute is
    # not found otherwise)
    for special in ('__getattribute__',) + (('__getattr__',) if found is _MISSING else ()):
        member = inspect.getattr_static(type(obj), special, None)
        if inspect.isfunction(member):
            return pure_too or not _pure(member, obj)
    if found is _MISSING or not hasattr(type(found), '__get__'):
        return False
    if users_class(type(found)):
        return pure_too or not _pure(getattr(type(found), '__get__', None), obj)
    if isinstance(obj, type) or not isinstance(found, (property, functools.cached_property)):
        return False
    return pure_too or not _pure(getattr(found, 'fget', getattr(found, 'func', None)), obj)


def _pure(func, obj):
    """Whether the function of yours `func` (a getter of `obj`'s) runs no code of yours that
    may write: it writes into nothing (`_writes_nothing`), and each attribute it reads is
    a module's, or a plain value of `obj` (``self.w``: no property of its, nor an object of
    yours, whose own attributes could run more code), found without running code."""
    from .kept_items import users_class  # (it imports this module)
    reads = _attributes_read(func)
    if reads is None or not _writes_nothing(func):
        return False
    for root, attribute in reads:
        if root is None:  # (the first parameter's: ``self.w``)
            value = inspect.getattr_static(obj, attribute, _MISSING)
            if value is _MISSING or hasattr(type(value), '__get__') and \
                    not inspect.isfunction(value) or users_class(type(value)):
                return False
        elif not isinstance(func.__globals__.get(root, builtins), types.ModuleType):
            return False  # (``CFG.scale``: another object's attribute)
    return True


@functools.lru_cache(maxsize=256)
def _attributes_read(func):
    """``(root, attribute)`` of the attributes the code of `func` reads at its first step from
    a name (root None for its first parameter), or None where it reads them by a computed
    name (``getattr``, ``hasattr``, ``vars``) or its code cannot be read."""
    from .errors import S2SError
    from .source import parse_function
    try:
        node = parse_function(func).node
    except S2SError:
        return None
    params = node.args.posonlyargs + node.args.args
    first = params[0].id if params else None
    found = set()
    for part in n.walk(node):
        if isinstance(part, gast.Call) and isinstance(part.func, gast.Name) and \
                part.func.id in ('getattr', 'hasattr', 'vars', 'setattr', 'delattr', 'dir'):
            return None
        if isinstance(part, gast.Attribute) and isinstance(part.value, gast.Name):
            root = part.value.id
            found.add((None if root == first else root, part.attr))
    return tuple(sorted(found, key=str))


@functools.lru_cache(maxsize=256)
def _writes_nothing(func):
    """Whether the function of yours `func` (a getter) writes into nothing: not into its
    parameters (its object), nor through its globals or closure, nor calls code that may
    (`effects.parameters_written`, `free_writes.writes_free`)."""
    from .effects import parameters_written  # (they import this module)
    from .errors import S2SError
    from .free_writes import free_names, writes_free
    from .source import parse_function
    if not inspect.isfunction(func):
        return False
    try:
        source = parse_function(func)
        counts, methods, numbers, items, keys = set(), set(), set(), set(), {}
        # (its globals and closure taken for parameters: ``CALLS['n'] += 1`` writes too; not
        # modules, whose functions it calls: ``np.abs(r)``)
        free = sorted(name for name in free_names(func) if not isinstance(
            func.__globals__.get(name), types.ModuleType))
        written = parameters_written(source.node, extra=free,
                                     namespace=source.namespace, bookkeeping=counts,
                                     methods=methods, numbers=numbers, items=items,
                                     item_keys=keys)
        return not (written or counts or methods or numbers or items or keys) and \
            not writes_free(func)
    except (S2SError, RecursionError):
        return False


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
