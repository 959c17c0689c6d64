"""The builder: makes generated functions through the pipeline and caches them."""
import builtins
import threading
import types
import weakref

from . import pipeline
from .callables import receiver
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
        self.parts = weakref.WeakValueDictionary()  # forward parts by code (`link_part`)

    def lookup(self, key):
        """The cached generated function for `key` (None when absent or out of date)."""
        generated = self.cache.get(key)
        if generated is not None and generated.function is not None and \
                not _still_valid(generated, set()):
            del self.cache[key]
            return None
        return generated

    def build(self, func, wrt, mode, optimized=True, as_tuple=False, receivers=None,
              shapes=(), functions=(), motion='split'):
        """The generated function of `mode` (a `Mode`) of Python function `func` with respect
        to the parameters named `wrt` (`as_tuple`: return a tuple of gradients even for one
        `wrt` argument; `receivers`: parameters bound to instances, by the instance's class;
        `shapes`: declared parameter shapes, as `declared.normalize` gives them; `functions`:
        ``(parameter, function)`` a partial binds, which calls of the parameter call;
        `motion`: how the code calls the VJPs of user functions, 'split' or 'joint', see
        `calls.splittable`)."""
        func = joint_version(func)
        receivers = dict(receivers or {})
        declared = (('shapes',) + shapes,) if shapes else ()
        key = ('func', func, getattr(func, '__code__', None), tuple(wrt), mode, optimized,
               as_tuple) + _receivers_key(receivers) + declared + \
            ((('functions',) + functions,) if functions else ()) + _motion_key(motion)
        cached = self.lookup(key)
        if cached is not None and getattr(cached, 'defaults_seen', None) is not None and \
                not _same_defaults(cached.defaults_seen, func):
            del self.cache[key]  # `f.__defaults__` was replaced: the values are baked in
            cached = None
        if cached is not None:
            return cached
        generated = self._build(key, lambda: _bound_instances(_with_functions(
            _with_receivers(parse_function(func), receivers), functions)), wrt, mode,
            optimized, as_tuple, shapes, motion)
        if motion == 'split':  # differentiated again, it is as its joint version
            generated.joint = _JointVersion(self.build, func, wrt, mode, optimized, as_tuple,
                                            receivers, shapes, functions, 'joint')
        return generated

    def helper(self, func, active, mode, optimized, receivers, functions=(), motion='split'):
        """The key and the generated VJP (`mode` Mode.VJP) or JVP (Mode.FORWARD) of the user
        function `func` with respect to its parameters `active`; `functions`: ``(parameter,
        function)`` the call passes, which calls of the parameter call (see `constructs`);
        `motion`: see `build`."""
        func = joint_version(func)
        key = ('func', func, func.__code__, tuple(active), mode, optimized) + \
            _receivers_key(receivers) + ((('functions',) + functions,) if functions else ()) + \
            _motion_key(motion)
        cached = self.lookup(key)
        if cached is not None and getattr(cached, 'defaults_seen', None) is not None and \
                not _same_defaults(cached.defaults_seen, func):
            del self.cache[key]  # `func.__defaults__` was replaced: the values are baked in
            cached = None
        if cached is None:
            source = _with_receivers(parse_function(func), receivers)
            source.functions = dict(functions)
            cached = self.build_source(key, source, active, mode, optimized, motion)
            if motion == 'split':
                cached.joint = _JointVersion(
                    lambda *args: self.helper(*args)[1], func, active, mode, optimized,
                    receivers, functions, 'joint')
        return key, cached

    def build_source(self, key, source, wrt, mode, optimized, motion='split'):
        """Generate from an already parsed FunctionSource (nested functions)."""
        cached = self.lookup(key)
        if cached is not None:
            return cached
        return self._build(key, lambda: source, wrt, mode, optimized, motion=motion)

    def _build(self, key, source, wrt, mode, optimized, as_tuple=False, shapes=(),
               motion='split'):
        if self._depth == 0:
            self.cache.journal = []  # what this transformation adds (forgotten if it fails)
        self._depth += 1
        try:
            ctx = Context(self, source(), wrt, mode, optimized, key, as_tuple, shapes,
                          motion=motion)
            generated = pipeline.run(ctx)
            if ctx.scalar_guard:
                # scalar code: also a version for Python numbers, which calls this one for
                # anything else (see `scalar_version.scalar_guard`)
                scalar = Context(self, source(), wrt, mode, optimized, key, as_tuple, shapes,
                                 scalar_params=ctx.scalar_guard, general=generated,
                                 motion=motion)
                generated = pipeline.run(scalar)

        except BaseException:
            if self._depth == 1:  # forget everything this failed transformation cached
                for added in self.cache.journal:
                    del self.cache[added]
            raise
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.cache.journal = None
        return generated


class _JointVersion:
    """Makes (once) the joint-motion version of a generated function: what s2sgrad
    differentiates when generated code is differentiated again (`joint_version`)."""

    def __init__(self, make, func, *args):
        self.make, self.func, self.args = make, weakref.ref(func), args
        self.made = None

    def __call__(self):
        """The joint version's `Generated`, or None once the function it was made from
        is gone. Once made, the same while it lives (as the split version it stands for,
        it was made for the functions its code called then: see `LiveHelper.guard`)."""
        made = self.made() if self.made is not None else None
        if made is None:
            func = self.func()
            if func is None:
                return None
            made = self.make(func, *self.args)
            self.made = weakref.ref(made)
        return made


def joint_version(func):
    """`func`, or for a generated function whose code calls forward and backward parts
    (split motion), the same derivative in joint motion, whose code calls VJPs: the two
    compute the same values, and the joint version's derivative is the one s2sgrad makes
    (a backward part pops what its forward part saved: it writes into its argument)."""
    generated = getattr(func, '__s2sgrad__', None)
    if generated is None or not getattr(generated, 'split_used', False) or \
            getattr(generated, 'joint', None) is None:
        return func
    joint = generated.joint()
    return func if joint is None else joint.function


def handed_out(generated, func):
    """The generated function as s2sgrad hands it to the user: itself, or for code that
    calls forward and backward parts, a copy (the same while the user holds one) that holds
    `func`, the function it was made from. Differentiated again, the copy is differentiated
    as its joint version (`joint_version`), which is made from `func`: the copy keeps `func`
    alive while the user holds the gradient of a function nothing else holds (a lambda
    passed to ``s2sgrad.hessian``), while the cache, which holds the generated function,
    holds `func` weakly (a dropped function's entries go)."""
    if not getattr(generated, 'split_used', False) or getattr(generated, 'joint', None) is None:
        return generated.function
    held = getattr(generated, 'held_copy', None)
    copy = held() if held is not None else None
    if copy is None:
        original = generated.function
        copy = types.FunctionType(original.__code__, original.__globals__, original.__name__,
                                  original.__defaults__, original.__closure__)
        copy.__kwdefaults__ = original.__kwdefaults__
        copy.__qualname__ = original.__qualname__
        copy.__doc__ = original.__doc__
        copy.__module__ = original.__module__
        copy.__dict__.update(original.__dict__)
        copy.__dict__['_s2sgrad_made_from'] = func
        generated.held_copy = weakref.ref(copy)
    return copy


def _motion_key(motion):
    return () if motion == 'split' else (('motion', motion),)


def _receivers_key(receivers):
    return tuple(sorted(receivers.items(), key=lambda item: item[0]))


def _with_receivers(source, receivers):
    source.receivers = dict(receivers)
    return source


def _bound_instances(source):
    """`source`, whose instances that its receivers describe were bound by the user (the
    ``self`` of ``grad(model.loss)``): its derivative tests them (`dispatch.instance_guards`)."""
    source.bound_instances = tuple(sorted(source.receivers))
    return source


def _with_functions(source, functions):
    source.functions = dict(functions)
    return source


def still_valid(function):
    """Whether the generated `function` (as `api.transform` hands it out) still stands for
    the code it was made from: the names, attributes and defaults it pinned are unchanged
    (`_still_valid`); False where it carries no record of them (a numba-compiled one)."""
    record = getattr(function, '__s2sgrad__', None)
    return record is not None and record.function is not None and \
        _still_valid(record, set())


def _still_valid(generated, seen):
    """Whether the names `generated` (and its helpers) pinned still denote the same objects."""
    if id(generated) in seen:
        return True
    seen.add(id(generated))
    made_from = getattr(generated, 'made_from', None)
    func = made_from() if made_from is not None else None
    if func is not None and not _same_defaults(generated.defaults_seen, func):
        return False  # its `__defaults__` were replaced: the values are baked in
    for name, obj, cell, globals_, *kind in getattr(generated, 'pins', ()):
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
        if current is not obj or kind and receiver(current) != kind[0]:
            return False  # (`kind`: the `Receiver` of an object of yours it was made for)
    for holder, parts, obj in getattr(generated, 'attribute_pins', ()):
        if static_path(holder, parts) is not obj:
            return False
    return all(_still_valid(helper, seen) for helper in generated.helpers)


def _same_defaults(seen, func):
    """Whether `func`'s defaults are those `seen` when its derivative was made: the same
    tuple, and the same keyword-only dict holding the same objects (``f.__kwdefaults__['c']
    = 3.0`` changes it in place)."""
    kwdefaults = getattr(func, '__kwdefaults__', None)
    if seen[0] is not getattr(func, '__defaults__', None) or seen[1] is not kwdefaults:
        return False
    items = seen[2] if len(seen) > 2 else None
    return items is None or isinstance(kwdefaults, dict) and len(items) == len(kwdefaults) \
        and all(kwdefaults.get(key, items) is value for key, value in items)
