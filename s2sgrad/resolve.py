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
