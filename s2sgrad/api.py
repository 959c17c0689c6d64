"""`grad` and `value_and_grad`, and `transform`, through which every operator generates code."""
import functools
import gc

from . import declared, numba_path, unit
from .callables import rebind, unbind
from .constructs import is_function
from .errors import OptionError, SourceUnavailableError
from .modes import Mode
from .source import refuse_declared, signature
from .wrappers import unwrap_transparent
from .builder import Builder, handed_out
from .wrt import Wrt

_BUILDER = Builder()
_LOCK = _BUILDER.lock


def clear_cache():
    """Forget every generated function (the next `grad` call transforms again)."""
    with _LOCK:
        _BUILDER.parts.clear()
        _BUILDER.cache.clear()


def check_callable(func):
    """Raise SourceUnavailableError unless `func` is something `grad` can differentiate."""
    if isinstance(func, type):
        raise SourceUnavailableError(
            f'cannot differentiate the class {func.__qualname__}: differentiate a method '
            f'(grad(obj.method)) or an instance whose class defines __call__ (grad(obj)).')
    if not callable(func):
        raise SourceUnavailableError(
            f'cannot differentiate {type(func).__name__} object {func!r:.60}: it is not a '
            f'function. Pass the Python function to differentiate (grad(f), not grad(f(x))).')
    operator = getattr(func, 's2sgrad_operator', None)
    if operator is not None:  # (`jacobian(jacobian(f))`: a wrapper of generated code)
        generated = ' (its generated function: .generated)' if operator in ('jvp', 'vjp') \
            else ''
        raise SourceUnavailableError(
            f'cannot differentiate the result of s2sgrad.{operator}: it is a wrapper that '
            f'calls generated code, not a function s2sgrad reads. Differentiate a function '
            f'of source{generated}: grad(grad(f)) and hessian(f) for second derivatives, '
            f'jacobian(grad(f)) for the Jacobian of a gradient, hvp(f) for Hessian-vector '
            f'products, or jacobian(f_grad) of a function of yours that returns what you need.')


def resolve(func, wrt):
    """The `Wrt` of a callable the operators can differentiate (raises for anything else)."""
    check_callable(func)
    refuse_declared(unwrap_transparent(func))  # (before `wrt` names its wrapper's parameters)
    return Wrt.of(func, wrt)


MOTIONS = ('split', 'joint')
"""How generated code calls the derivatives of your functions (see the README, "Calls of
your functions run once")."""


def transform(func, wrt, mode, optimized, verbose, shapes=None, motion='split', compile=None,
              fallback=False):
    """The generated function of `mode` (a `Mode`) for the callable `func` and the `Wrt`
    `wrt`, bound as `func` is (a method's instance, a partial's arguments), its unit source
    printed when `verbose`; `motion`: 'split' or 'joint' (see `MOTIONS`); with
    ``compile='numba'``, compiled by numba (see `numba_path`; `fallback`: run the plain
    function, with a warning, where numba cannot compile it)."""
    numba_path.check_option(compile, fallback)
    if motion not in MOTIONS:
        raise OptionError(f'motion={motion!r}: use {MOTIONS[0]!r} (each call of a function '
                          f'of yours runs once) or {MOTIONS[1]!r} (its derivative recomputes '
                          f'it: less memory)')
    bound = unbind(func)
    try:
        params = list(signature(bound.function).parameters)
    except (TypeError, ValueError):
        params = None
    shapes = declared.normalize(shapes, params)
    with _LOCK:
        collecting = gc.isenabled()
        gc.disable()  # the transform allocates many small AST nodes and frees none
        try:
            generated = _BUILDER.build(bound.function, wrt.names, mode, optimized=optimized,
                                       as_tuple=not wrt.single and not mode.forward,
                                       receivers=bound.receivers, shapes=shapes,
                                       functions=_functions(bound), motion=motion)
            if compile is not None and numba_path.recursive_forward_parts(generated):
                # what a recursive forward part saves holds what its own call saved: a
                # type numba cannot settle; joint motion's recursion returns gradients
                generated = _BUILDER.build(
                    bound.function, wrt.names, mode, optimized=optimized,
                    as_tuple=not wrt.single and not mode.forward, receivers=bound.receivers,
                    shapes=shapes, functions=_functions(bound), motion='joint')
        finally:
            if collecting:
                gc.enable()
    if getattr(generated, 'unit_source', None) is None:
        generated.unit_source = unit.source(generated)
    generated.function.source = generated.unit_source
    if verbose:
        print(generated.unit_source)
    generated.function.seed_name = generated.seed_name
    generated.function.tangent_names = getattr(generated, 'tangent_names', None)
    function = handed_out(generated, bound.function)
    if compile is not None:
        function = numba_path.compiled(generated, wrt, mode, fallback)
    return rebind(declared.checked(function, bound.function, shapes), bound)


def _functions(bound):
    """``(parameter, function)`` for each function a partial binds, by keyword or by
    position (calls of the parameter call it: see `constructs`)."""
    found = {key: value for key, value in bound.keywords.items() if is_function(value)}
    try:
        names = [p.name for p in signature(bound.function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    for name, value in zip(names, bound.args):  # (``partial(apply, np.sin)``)
        if is_function(value) and name not in found:
            found[name] = value
    return tuple(sorted(found.items()))


def grad(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None, motion='split',
         compile=None, fallback=False):
    """Return the gradient function of `func` with respect to the argument(s) `wrt`.

    `wrt` is a parameter position or name (one gradient) or a tuple of them (a tuple of
    gradients). The result is a plain Python function generated from `func`'s source;
    ``df.source`` is its source text together with the generated helpers it calls, one
    runnable unit. Use as ``grad(f)``, ``@grad`` or ``@grad(wrt=(0, 1))``.

    `shapes` declares parameter shapes, ``{'x': ('n',), 'A': ('n', 'n')}`` (a size is an
    int or a name): the code is then simplified for those shapes (``(A + A.T) @ x``), and
    the gradient raises ShapeError when called with other shapes.

    `motion`: 'split' (the default: each call of a function of yours runs once, its
    derivative reading what its forward run saved) or 'joint' (the derivative of each call
    runs the function again: less memory, more time); see the README.

    ``compile='numba'`` compiles the generated code with numba in nopython mode (the
    `numba` extra); what numba cannot compile raises CompileError, at the first call with
    each kind of arguments, unless ``fallback=True``, which warns and runs the plain code.
    """
    if func is None:
        return functools.partial(grad, wrt=wrt, optimized=optimized, verbose=verbose,
                                 shapes=shapes, motion=motion, compile=compile,
                                 fallback=fallback)
    return transform(func, resolve(func, wrt), Mode.GRAD, optimized, verbose, shapes, motion,
                     compile, fallback)


def value_and_grad(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None,
                   motion='split', compile=None, fallback=False):
    """Like `grad`, but the generated function returns ``(value, gradient)``."""
    if func is None:
        return functools.partial(value_and_grad, wrt=wrt, optimized=optimized,
                                 verbose=verbose, shapes=shapes, motion=motion,
                                 compile=compile, fallback=fallback)
    return transform(func, resolve(func, wrt), Mode.VALUE_AND_GRAD, optimized, verbose,
                     shapes, motion, compile, fallback)
