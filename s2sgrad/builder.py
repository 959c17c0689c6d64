"""The builder: makes generated functions through the pipeline and caches them."""
import builtins
import threading
import types

from . import pipeline
from .cache import Cache
from .context import Context
from .linking import MISSING, static_path
from .source import parse_function


class Builder:
    """Builds and caches generated functions (gradients and the VJPs of called helpers).

    A cached function is reused only while what its code was built for still holds: the
    same function object and code object (part of the key), and the same objects behind the
    callee names it pinned (see `Context._finish`). A transformation that raises leaves
    nothing behind in the cache. The cache holds functions weakly and is bounded (`Cache`).
    """

    def __init__(self):
        self.cache = Cache()
        self.lock = threading.RLock()
        self._depth = 0
        self._before = set()

    def lookup(self, key):
        """The cached generated function for `key` (None when absent or out of date)."""
        generated = self.cache.get(key)
        if generated is not None and generated.function is not None and \
                not _still_valid(generated, set()):
            del self.cache[key]
            return None
        return generated

    def build(self, func, wrt, mode, optimized=True, as_tuple=False, receivers=None,
              shapes=(), functions=()):
        """The generated function of `mode` (a `Mode`) of Python function `func` with respect
        to the parameters named `wrt` (`as_tuple`: return a tuple of gradients even for one
        `wrt` argument; `receivers`: parameters bound to instances, by the instance's class;
        `shapes`: declared parameter shapes, as `declared.normalize` gives them; `functions`:
        ``(parameter, function)`` a partial binds, which calls of the parameter call)."""
        receivers = dict(receivers or {})
        declared = (('shapes',) + shapes,) if shapes else ()
        key = ('func', func, getattr(func, '__code__', None), tuple(wrt), mode, optimized,
               as_tuple) + _receivers_key(receivers) + declared + \
            ((('functions',) + functions,) if functions else ())
        cached = self.lookup(key)
        if cached is not None and getattr(cached, 'defaults_seen', None) is not None and \
                not _same_defaults(cached.defaults_seen, func):
            del self.cache[key]  # `f.__defaults__` was replaced: the values are baked in
            cached = None
        if cached is not None:
            return cached
        return self._build(key, lambda: _with_functions(
            _with_receivers(parse_function(func), receivers), functions), wrt, mode,
            optimized, as_tuple, shapes)

    def helper(self, func, active, mode, optimized, receivers, functions=()):
        """The key and the generated VJP (`mode` Mode.VJP) or JVP (Mode.FORWARD) of the user
        function `func` with respect to its parameters `active`; `functions`: ``(parameter,
        function)`` the call passes, which calls of the parameter call (see `constructs`)."""
        key = ('func', func, func.__code__, tuple(active), mode, optimized) + \
            _receivers_key(receivers) + ((('functions',) + functions,) if functions else ())
        cached = self.lookup(key)
        if cached is None:
            source = _with_receivers(parse_function(func), receivers)
            source.functions = dict(functions)
            cached = self.build_source(key, source, active, mode, optimized)
        return key, cached

    def build_source(self, key, source, wrt, mode, optimized):
        """Generate from an already parsed FunctionSource (nested functions)."""
        cached = self.lookup(key)
        if cached is not None:
            return cached
        return self._build(key, lambda: source, wrt, mode, optimized)

    def _build(self, key, source, wrt, mode, optimized, as_tuple=False, shapes=()):
        if self._depth == 0:
            self._before = set(self.cache)
        self._depth += 1
        try:
            ctx = Context(self, source(), wrt, mode, optimized, key, as_tuple, shapes)
            generated = pipeline.run(ctx)
            if ctx.scalar_guard:
                # scalar code: also a version for Python numbers, which calls this one for
                # anything else (see `scalar_version.scalar_guard`)
                scalar = Context(self, source(), wrt, mode, optimized, key, as_tuple, shapes,
                                 scalar_params=ctx.scalar_guard, general=generated)
                generated = pipeline.run(scalar)
        except BaseException:
            if self._depth == 1:  # forget everything this failed transformation cached
                for added in set(self.cache) - self._before:
                    del self.cache[added]
            raise
        finally:
            self._depth -= 1
        return generated


def _receivers_key(receivers):
    return tuple(sorted(receivers.items(), key=lambda item: item[0]))


def _with_receivers(source, receivers):
    source.receivers = dict(receivers)
    return source


def _with_functions(source, functions):
    source.functions = dict(functions)
    return source


def _still_valid(generated, seen):
    """Whether the names `generated` (and its helpers) pinned still denote the same objects."""
    if id(generated) in seen:
        return True
    seen.add(id(generated))
    for name, obj, cell, globals_ in getattr(generated, 'pins', ()):
        if cell is not None:
            try:
                current = cell.cell_contents
            except ValueError:
                return False
        else:
            current = globals_.get(name, MISSING)
            if current is MISSING:
                space = globals_.get('__builtins__', builtins)
                space = vars(space) if isinstance(space, types.ModuleType) else space
                current = space.get(name, MISSING)
        if current is not obj:
            return False
    for holder, parts, obj in getattr(generated, 'attribute_pins', ()):
        if static_path(holder, parts) is not obj:
            return False
    return all(_still_valid(helper, seen) for helper in generated.helpers)


def _same_defaults(seen, func):
    return seen[0] is getattr(func, '__defaults__', None) and \
        seen[1] is getattr(func, '__kwdefaults__', None)
