"""The public operators: `grad`, `value_and_grad`, and the rule-registration decorators."""
import functools
import gc
import linecache
import numbers

import numpy as np

from . import declared, unit
from .callables import rebind, unbind
from .errors import SourceUnavailableError, WrtError, format_location
from .source import signature
from .transform import Builder

_BUILDER = Builder()
_LOCK = _BUILDER.lock


def clear_cache():
    """Forget every generated function (the next `grad` call transforms again)."""
    with _LOCK:
        _BUILDER.cache.clear()


def definition(func):
    """``File "path", line N`` and the line of the `def` of the Python function behind the
    callable `func`, as a traceback shows it, or ''."""
    code = getattr(unbind(func).function, '__code__', None)
    if code is None:
        return ''
    text = linecache.getline(code.co_filename, code.co_firstlineno)
    return '\n' + format_location(code.co_filename, code.co_firstlineno, None, text)


def _normalize_wrt(func, wrt):
    try:
        return _normalized_wrt(func, wrt)
    except WrtError as error:
        raise WrtError(str(error) + definition(func)) from None


def _normalized_wrt(func, wrt):
    try:
        params = list(signature(func).parameters)
    except (TypeError, ValueError):
        params = None
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise WrtError('wrt is empty: name at least one argument to differentiate')
    names = []
    for item in items:
        if isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_)):
            item = int(item)  # np.int64(1) is a position too
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise WrtError(f'wrt entries must be parameter positions or names, got {item!r}')
        if params is not None:
            if isinstance(item, int):
                if not -len(params) <= item < len(params):
                    raise WrtError(f'wrt={item} is out of range: `{_label(func)}` has '
                                   f'{len(params)} parameters ({", ".join(params)})')
                item = params[item]
            elif item not in params:
                raise WrtError(f'wrt={item!r} names no parameter of `{_label(func)}` '
                               f'(parameters: {", ".join(params)})')
        names.append(item)
    return tuple(names), single


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


def _label(func):
    func = getattr(func, 'func', func)  # a partial: the function it calls
    return getattr(func, '__qualname__', None) or getattr(func, '__name__', None) or \
        type(func).__name__


def _transform(func, wrt, mode, optimized, verbose, shapes=None):
    check_callable(func)
    names, single = _normalize_wrt(func, wrt)
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
            generated = _BUILDER.reverse(bound.function, names, mode=mode, optimized=optimized,
                                         as_tuple=not single and mode != 'jvp',
                                         receivers=bound.receivers, shapes=shapes)
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
    return rebind(declared.checked(generated.function, bound.function, shapes), bound)


def grad(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None):
    """Return the gradient function of `func` with respect to the argument(s) `wrt`.

    `wrt` is a parameter position or name (one gradient) or a tuple of them (a tuple of
    gradients). The result is a plain Python function generated from `func`'s source;
    ``df.source`` is its source text together with the generated helpers it calls, one
    runnable unit. Use as ``grad(f)``, ``@grad`` or ``@grad(wrt=(0, 1))``.

    `shapes` declares parameter shapes, ``{'x': ('n',), 'A': ('n', 'n')}`` (a size is an
    int or a name): the code is then simplified for those shapes (``(A + A.T) @ x``), and
    the gradient raises ShapeError when called with other shapes.
    """
    if func is None:
        return functools.partial(grad, wrt=wrt, optimized=optimized, verbose=verbose,
                                 shapes=shapes)
    return _transform(func, wrt, 'grad', optimized, verbose, shapes)


def value_and_grad(func=None, wrt=0, *, optimized=True, verbose=0, shapes=None):
    """Like `grad`, but the generated function returns ``(value, gradient)``."""
    if func is None:
        return functools.partial(value_and_grad, wrt=wrt, optimized=optimized,
                                 verbose=verbose, shapes=shapes)
    return _transform(func, wrt, 'value_and_grad', optimized, verbose, shapes)
