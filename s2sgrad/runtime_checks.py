"""Runtime checks: a function's output and its adjoint's seed, tangent and cotangent shapes."""
import collections.abc
import numbers
import sys
import weakref

import numpy as np

from .errors import (ComplexError, InPlaceError, NonScalarOutputError, NoRuleError, S2SError,
                     ShapeError, WrtError,
                     format_location)
from .runtime_values import (COMPLEX_ADVICE, _is_array, _is_iterator, _is_sequence, _shape,
                             array_module, real_only)


OUTPUT_LOCATIONS = weakref.WeakKeyDictionary()
"""The registry of where each generated function's source returns its value (the code
object of the generated function -> the arguments of `errors.format_location`)."""

BOUND_LOCATIONS = weakref.WeakKeyDictionary()
"""The registry of where each generated function's source reads the variables it checks
(its code object -> {variable: the arguments of `errors.format_location`}, `check_bound`)."""


def _output_location():
    """``File "path", line N`` of the `return` of the function whose generated code called
    the caller (two frames up), or ''."""
    where = OUTPUT_LOCATIONS.get(sys._getframe(2).f_code)
    return '\n' + format_location(*where) if where else ''


def check_output(result, name='f'):
    """Raise NonScalarOutputError when the function returned None (it reached its end)."""
    if result is None:
        raise NonScalarOutputError(
            f'{name!r} returned None (it reached its end without `return`), but a derivative '
            f'needs a number or an array' + _output_location())


def check_default(value, default, param, name='f', passed=False):
    """Raise S2SError when a call passes for `param` another function than its `default`,
    which the generated code calls (see `s2sgrad.constructs`), or, `passed`, than the
    function the call the derivative was made for passed."""
    if value is not default and passed:
        made = getattr(default, '__name__', default)
        raise S2SError(
            f'the derivative of {name!r} was made for calls passing {made!r} for its '
            f'parameter `{param}` (s2sgrad reads calls of `{param}` as calls of it), but this '
            f'call passes {_other(value, default)}: call s2sgrad.grad again, or pass the '
            f'function {name!r} was made for' + _output_location())
    if value is not default:
        raise S2SError(
            f'{name!r} was differentiated with its parameter `{param}` bound to its default '
            f'{getattr(default, "__name__", default)!r} (s2sgrad reads calls of `{param}` as '
            f'calls of the default), but this call passes {value!r:.60}; differentiate '
            f'`functools.partial({name}, {param}=...)`, or a function that calls {name!r} '
            f'with that function' + _output_location())


def check_bound(value, made_for, var, name='f'):
    """Raise S2SError when variable `var`, which held the function `made_for` when the
    derivative of function `name` was made, holds another object now (see
    `s2sgrad.global_functions`)."""
    if value is not made_for and not _same_method(value, made_for):
        raise S2SError(
            f'`{var}` held {made_for!r:.80} when the derivative of {name!r} was made, and the '
            f'derivative is that function\'s; now it holds {_other(value, made_for)}: call '
            f's2sgrad.grad (or the operator) again to differentiate what {name!r} computes now' +
            _read_location(var))


def _other(value, made_for):
    """How an error shows `value`, found where `made_for` was: as another object of that
    name when it has it (a function redefined or its module reloaded), else itself."""
    made = getattr(made_for, '__name__', None)
    if made is not None and getattr(value, '__name__', None) == made:
        return f'another object named {made!r} (redefined, or reloaded?)'
    return f'{value!r:.80}'


def _same_method(value, made_for):
    """Whether `value` and `made_for` are the same method of one object (``np.add.reduce``
    gives a new object at each reading)."""
    owner = getattr(made_for, '__self__', None)
    return owner is not None and type(owner).__name__ != 'module' and \
        getattr(value, '__self__', None) is owner and \
        getattr(value, '__name__', None) == getattr(made_for, '__name__', None)


def check_partial(value, func, count, keywords, var, name='f'):
    """Raise S2SError unless `value`, which variable `var` holds, is a ``functools.partial``
    of `func` with `count` positional arguments and the keyword arguments named `keywords`:
    the derivative of function `name` was made for such an object, and reads the values of
    its arguments from it when it runs (see `s2sgrad.global_functions`)."""
    if type(value).__name__ != 'partial' or getattr(value, 'func', None) is not func or \
            len(value.args) != count or tuple(sorted(value.keywords)) != tuple(keywords):
        made = f'functools.partial({getattr(func, "__name__", func)}, ' + ', '.join(
            [f'<{count} positional>'] * bool(count) + [f'{k}=...' for k in keywords]) + ')'
        raise S2SError(
            f'`{var}` held {made} when the derivative of {name!r} was made, and the '
            f'derivative is that function\'s; now it holds {value!r:.60}: call s2sgrad.grad '
            f'(or the operator) again to differentiate what {name!r} computes now' +
            _read_location(var))


def _read_location(var):
    """``File "path", line N`` where the function whose generated code called the caller
    reads `var`, or ''."""
    where = BOUND_LOCATIONS.get(sys._getframe(2).f_code, {}).get(var)
    return '\n' + format_location(*where) if where else ''


def seed(result, name='f'):
    """The adjoint seed 1.0 for a scalar `result`; raise NonScalarOutputError otherwise."""
    size = getattr(result, 'size', 1)
    kind = getattr(getattr(result, 'dtype', None), 'kind', None)
    if kind == 'c' or isinstance(result, complex):
        real_only(result)
    if not _is_sequence(result) and (kind is None and not isinstance(result, numbers.Number)
                                     or kind is not None and kind not in 'biuf'):
        raise NonScalarOutputError(
            f'grad needs {name!r} to return a number or an array of size 1, but it returned '
            f'{type(result).__name__} {result!r:.40}' +
            ('; did the function forget its `return`?' if result is None else '') +
            _output_location())
    if _is_sequence(result) or size != 1:
        shape = 'a sequence' if _is_sequence(result) else f'an array of shape {_shape(result)}'
        raise NonScalarOutputError(
            f'grad needs {name!r} to return a scalar, but it returned {shape}; '
            f'use s2sgrad.vjp for a vector-Jacobian product or s2sgrad.jacobian '
            f'for the full Jacobian' + _output_location())
    if getattr(result, 'ndim', 0) or array_module(result) is not np:
        # a (1,) or (1, 1) result: its adjoint has its shape; a CuPy one stays on the device
        # (a number would become a NumPy array in np.reshape, which CuPy refuses)
        return np.ones_like(result)
    if isinstance(result, (np.ndarray, np.generic)):
        # a 0-d array or a NumPy number: one of its kind, which code differentiated again
        # may index as the result was (``x[()]``, ``x[...]``), as a Python float cannot be
        dtype = result.dtype if result.dtype.kind == 'f' else np.dtype(np.float64)
        return np.ones((), dtype) if isinstance(result, np.ndarray) else dtype.type(1.0)
    return 1.0


def check_cotangent(cotangent, result, path=''):
    """Return `cotangent`, its lists, tuples and dicts copied; raise `ShapeError` unless
    `cotangent` has the structure and shape of the function's `result`: an array of its
    shape for an array or number; for a (nested) tuple, list or dict of them, a container
    with the same items (a list for a tuple is fine, and an array whose first axis runs over
    the items of a list or tuple), each of its item's shape.
    `path` is where in the output this part sits (``[1]['a']``), for the message."""
    if type(cotangent) is np.ndarray and type(result) is np.ndarray and \
            cotangent.shape == result.shape and cotangent.dtype.kind == 'f':
        return cotangent  # (the common case, a float array of the output's shape: as it is)
    if not _is_sequence(result) and not isinstance(result, dict) and not path and (
            cotangent is None or _is_sequence(cotangent) or isinstance(cotangent, dict)):
        raise ShapeError('vjp: the cotangent is a ' + type(cotangent).__name__ + '; pass an '
                         'array of the shape of the function\'s output')
    if not _is_sequence(result) and not isinstance(result, dict) and not path and \
            cotangent is not None and _shape(cotangent) != _shape(result):
        raise ShapeError(f'vjp: the cotangent has shape {_shape(cotangent)}, but the '
                         f'function returned shape {_shape(result)}; pass one of the '
                         f'output\'s shape')
    _check_like(cotangent, result, 'output', path, 'vjp: the cotangent',
                lambda where: f'`output{where}`' if where else 'the function\'s output')
    real_only(cotangent)  # (a complex one of a real output: ComplexError, not its real part)
    return _own_containers(as_float(cotangent, result), result)


def as_float(given, like):
    """A tangent or cotangent `given` (checked against `like`, its argument or output) with
    its integer and boolean arrays and numbers made floats (of `like`'s dtype where that is
    a float one): derivatives are real-valued, and the derivative code writes into copies
    of them (``dy = s2s.copy(dx); dy[0] = 0.5 * dx[0]``), which an integer array would
    truncate. Containers are rebuilt only where an item changes."""
    if isinstance(given, dict):
        items = {key: as_float(value, like.get(key) if isinstance(like, dict) else None)
                 for key, value in given.items()}
        return items if any(items[key] is not given[key] for key in given) else given
    if _is_sequence(given):
        items = [as_float(value, like[k] if _is_sequence(like) and
                          k < len(like) else None) for k, value in enumerate(given)]
        if all(item is value for item, value in zip(items, given)):
            return given
        if not isinstance(given, tuple):  # (a list; a deque's items as a list)
            return items
        return type(given)(*items) if hasattr(given, '_fields') else tuple(items)
    if isinstance(like, np.ndarray) and like.ndim == 0 and (
            isinstance(given, numbers.Number) or isinstance(given, np.generic)):
        # (a number for a 0-d array: as one, which code may index as ``x[()]``)
        return np.asarray(given, like.dtype if like.dtype.kind in 'fc' else np.float64)
    if isinstance(given, (bool, int, np.bool_, np.integer)):
        return float(given)
    kind = getattr(getattr(given, 'dtype', None), 'kind', None)
    if kind is None or kind not in 'biu' or not hasattr(given, 'astype'):
        return given
    dtype = getattr(like, 'dtype', None)
    return given.astype(dtype if dtype is not None and dtype.kind in 'fc' else np.float64)


def _own_containers(value, like=None):
    """`value` with its lists, tuples and dicts copied (not its arrays): the gradient takes
    items off a list cotangent, which must not change the caller's. A tuple standing for a
    list of `like` (the output: ``jacobian``'s rows, a cotangent given as a tuple) is a list,
    which the gradient of a list built by ``append`` pops. A deque is copied as a list."""
    if _is_sequence(value):
        likes = like if _is_sequence(like) and len(like) == len(value) else \
            [None] * len(value)
        items = [_own_containers(item, part) for item, part in zip(value, likes)]
        if not isinstance(value, tuple) or isinstance(like, list):
            return items
        return type(value)(*items) if hasattr(value, '_fields') else tuple(items)
    if isinstance(value, dict):
        return {key: _own_containers(item, like.get(key) if isinstance(like, dict) else None)
                for key, item in value.items()}
    if _is_sequence(like) and getattr(value, 'ndim', 0) >= 1 and len(value) == len(like):
        # (an array whose first axis runs over the items of a list output: one per item)
        rows = [_own_containers(value[k], part) for k, part in enumerate(like)]
        return tuple(rows) if isinstance(like, tuple) else rows
    return value


def check_tangent(tangent, x, name):
    """Raise `ShapeError` unless `tangent` has the structure and shape of the argument `x` it
    goes with: an array of its shape for an array or number; for a (nested) list, tuple or
    dict, a container with the same items (a tuple for a list is fine, and an array whose
    first axis runs over the items of a list or tuple), each of its item's shape. `name` is the
    argument, or the path of the part being checked (``params['b1']``), for the message.
    An iterator argument raises `WrtError` (see `runtime_values.like`)."""
    if _is_iterator(x):
        raise WrtError(f'cannot differentiate with respect to `{name}`, an iterator '
                       f'({type(x).__name__}): the function reads its items once, and it has '
                       f'no items to give a tangent to; pass a list, a tuple or an array')
    _check_like(tangent, x, name, '', 'the tangent', lambda where: f'`{name}{where}`')
    real_only(tangent)  # (complex: ComplexError; a masked array: NoRuleError)


def _check_like(given, like, root, path, what, label):
    """Raise `ShapeError` unless `given` (a tangent or cotangent, `what`) has the structure
    and shapes of `like` (its argument or output, `root`); `label(path)` names a part."""
    where = label(path)
    if isinstance(like, dict):
        if not isinstance(given, dict):
            raise ShapeError(f'{what} of {where} is a {type(given).__name__}, but {where} is '
                             f'a dict; pass a dict with the same keys')
        for key in given:
            if key not in like:
                raise ShapeError(f'{what} has an entry {label(f"{path}[{key!r}]")}, but '
                                 f'{where} has no key {key!r}')
        for key, value in like.items():
            if key not in given:
                raise ShapeError(f'{what} of {label(f"{path}[{key!r}]")} is missing; pass a '
                                 f'dict with the keys of {where} (zeros of its shape for an '
                                 f'entry that does not vary)')
            _check_like(given[key], value, root, f'{path}[{key!r}]', what, label)
        return
    if _is_sequence(like):
        if not (_is_sequence(given) or getattr(given, 'ndim', 0) >= 1):
            raise ShapeError(f'{what} of {where} is a {type(given).__name__}, but {where} is a '
                             f'{type(like).__name__} of {len(like)} item(s); pass a '
                             f'{type(like).__name__} with one per item')
        if len(given) != len(like):
            raise ShapeError(f'{what} of {where} has {len(given)} item(s), but {where} has '
                             f'{len(like)}')
        for k, value in enumerate(like):
            _check_like(given[k], value, root, f'{path}[{k}]', what, label)
        return
    if given is None or _is_sequence(given) or isinstance(given, dict):
        if given is None and (like is None or isinstance(like, str)):
            return  # a part that is not a number: no tangent needed
        raise ShapeError(f'{what} of {where} is a {type(given).__name__}; pass an array of '
                         f'its shape, {_shape(like)}')
    if _shape(given) != _shape(like):
        raise ShapeError(f'{what} of {where} has shape {_shape(given)}, but {where} has '
                         f'shape {_shape(like)}; pass one of the '
                         f'{"argument" if root != "output" else "output"}\'s shape')


def not_shared(value, message, *others, rebound=False):
    """Raise `InPlaceError` (with `message`) when `value` is an array that may share memory
    with one of `others` (or, with none given, is any array): the transformation relied on
    it being a number or a separate array, which no write through another name can change.
    `rebound`: the write replaces an item of the one of `others` (``ws[0] = v``), which
    changes no item of a list or dict (`value` read from it keeps the old one)."""
    if rebound and len(others) == 1 and isinstance(others[0], (list, dict)):
        return
    if isinstance(value, (list, dict)):  # (``ws2 = ws; ws2 += [v]``: the list, extended)
        kind = type(value).__name__
        raise InPlaceError(message.replace('is an array, not a number',
                                           f'is a {kind}, not a number').replace(
            'changes an array that', f'changes a {kind} that'))
    if not _is_array(value):
        return
    if others and value.ndim == 0 and not all(_holds_no_memory(other) for other in others):
        # (``y = np.asarray(1.0)``, ``y += v``, ``ys.append(y)`` in a loop: NumPy changes the
        # 0-d array in place, which `ys` then holds; the passes rebind `y` to a number, which
        # no later run of this check could tell from one)
        raise InPlaceError(f'{message}. `+=` changes a 0-d array in place too (the items '
                           f'appended before change with it): write `name = name + ...`, or '
                           f'start from a number (`float(...)`) instead of a 0-d array')
    for other in others or (None,):
        if other is not None and _holds_no_memory(other):
            continue  # (``first = x[0]``: a number, a copy of the item)
        if other is None or (_may_share(value, other) if _is_array(other) else
                             _holds_shared(value, other, 2)):
            raise InPlaceError(message)


def _holds_shared(value, holder, depth):
    """Whether the list, tuple, dict, object or module `holder` holds an array that may
    share memory with the array `value` (to `depth` levels; deeper, it may)."""
    if isinstance(holder, dict):
        items = list(holder.values())
    elif isinstance(holder, (list, tuple)):
        items = list(holder)
    elif hasattr(holder, '__dict__') and not callable(holder):  # (an object, a module)
        items = list(vars(holder).values())
    else:
        return True
    for item in items:
        if _holds_no_memory(item) or item is None or isinstance(item, (str, bytes)) or \
                callable(item):
            continue  # (a number, text, a function or a class: no array's memory)
        if _is_array(item):
            if _may_share(value, item):
                return True
        elif depth <= 0 or _holds_shared(value, item, depth - 1):
            return True
    return False


def _holds_no_memory(value):
    """Whether `value` is a number (a Python or NumPy scalar), which shares no array's
    memory."""
    return isinstance(value, (bool, int, float, complex, np.generic))


def declared_shapes(function, shapes, values):
    """Raise ShapeError unless the arguments `values` (by name) have the declared `shapes`
    (name -> sizes: ints, or names standing for one size wherever they appear), for which the
    derivatives of `function` (its name) were simplified (``shapes=``)."""
    sizes = {}
    described = ', '.join(f'{name}: {_described(expected)}' for name, expected in shapes.items())
    for name, expected in shapes.items():
        if name not in values:
            continue
        value = values[name]
        if expected and not hasattr(value, 'shape'):
            raise ShapeError(
                f'the derivatives of `{function}` were made for `{name}` an array of the '
                f'declared shape {_described(expected)}, but it is a {type(value).__name__}; '
                f'pass np.asarray({name})')
        try:
            actual = tuple(np.shape(value))  # a list of numbers has a shape too
        except ValueError:  # a ragged list
            raise ShapeError(f'`{name}` has no shape (a ragged list), but the derivatives of '
                             f'`{function}` were made for the declared shape '
                             f'{_described(expected)}') from None
        ok = len(actual) == len(expected)
        for size, got in zip(expected, actual):
            ok = ok and (size == got if isinstance(size, int) else
                         sizes.setdefault(size, got) == got)
        if not ok:
            raise ShapeError(
                f'the derivatives of `{function}` were made (simplified) for the declared '
                f'shapes {described}, but `{name}` has shape {actual}; make them again without '
                f'`shapes=` (or with the shapes you pass)')


def _described(sizes):
    inner = ', '.join(str(size) for size in sizes)
    return f'({inner},)' if len(sizes) == 1 else f'({inner})'


def complex_refused(made):
    """Raise ComplexError at the line of yours that runs: the statement made a complex
    value (the expression `made`) from a differentiated one (`complex_values`)."""
    from .runtime_errors import unsupported
    raise unsupported(f'{COMPLEX_ADVICE}; here: `{made}`', ComplexError)


def rerun_checked(obj, callee, used, after=()):
    """`obj`, given to the call of `callee` (a function of yours) that the derivative runs
    again; raise UnsupportedSyntaxError where one of the members of `obj` that the call
    `used` (``'name()'`` of a method) or that the caller calls `after` it changes what the
    call reads of `obj`: the second run would see it changed (`rerun_objects`)."""
    if obj is None or isinstance(obj, (numbers.Number, str, bytes, np.ndarray, np.generic)):
        return obj
    from .rerun_objects import changing_member  # (it imports the analyses)
    name = changing_member(obj, used, after)
    if name is not None:
        name = ('.' + name if not name.startswith('[') else name).replace(
            '.[]', '[...]').replace('[]', '[...]')  # (``[...].rate()``, ``.inner.next()``)
        from .errors import UnsupportedSyntaxError
        from .runtime_errors import unsupported
        raise unsupported(
            f's2sgrad cannot differentiate the call of `{callee}`, given a '
            f'{type(obj).__name__} object whose `{name}` changes what `{callee}` reads of it: '
            f'the derivative runs `{callee}` again (as it does where the caller changes an '
            f'array in place, with motion=\'joint\', in second derivatives), after that '
            f'change, and would give the derivative of another value; take what `{callee}` '
            f'reads from the object in the differentiated function and pass it in, or call '
            f'`{name}` outside it', UnsupportedSyntaxError)
    return obj


def check_method_writes(obj, name, message, given, unknown=(), kept=None):
    """Raise `InPlaceError` (with `message`) where the method `name` of `obj`, an object whose
    class was not known when the code was made, writes in place into what the call gives it:
    `given` are ``(position or keyword, value)`` pairs of the arguments the derivative needs
    unchanged (arrays it reads, the function's arguments, containers that may hold them),
    `unknown` the positions or keywords of others (``'*'``: any); or, where the object holds
    one of `kept` (arrays the derivative reads) or an array sharing memory with one, into
    what its object holds (``opt.step()`` of an optimizer holding the weights). The
    method's code is read when this runs (`method_writes.method_refusal`,
    `method_writes.holder_refusal`); a builtin's or a library's passes."""
    from .method_writes import (class_holds, free_check, holder_refusal,  # (the analyses)
                                method_refusal)
    refused = method_refusal(obj, name, given, unknown)
    kept = [value for value in kept or () if not isinstance(  # (a number is no memory)
        value, (numbers.Number, np.generic, str, bytes, type(None)))]
    if refused is None and kept:
        free = free_check(obj, name, kept)
        if free is not None:
            _free_refused(message, free)
    if refused is None and kept and (_holds_kept(obj, kept) or class_holds(obj, name, kept)):
        refused = holder_refusal(obj, name, kept)
        if refused is not None:
            raise InPlaceError(
                f'{message} (its class was not known when the code was made): '
                f'`{refused[0]}` {refused[2]}, and the object holds an array the derivative '
                f'reads (an argument of the function, or an array it made); s2sgrad cannot '
                f'follow changes that a method makes to the arrays its object holds: give '
                f'the object copies (`w.copy()`), call the method outside the '
                f'differentiated function, or differentiate a bound method of the object '
                f'(`grad(obj.method)`) so that s2sgrad knows its class')
    if refused is not None:
        label, param, why = refused
        what = f'{why} in place (its parameter `{param}`)' if param != '*' else why
        raise InPlaceError(f'{message} (its class was not known when the code was made): '
                           f'`{label}` {what}, given an '
                           f'array the derivative reads, an argument of the function, or a '
                           f'list or dict that may hold one; s2sgrad cannot follow changes '
                           f'that a method makes to what it is given: pass copies '
                           f'(`w.copy()`, `[a.copy() for a in ps]`) and use what the method '
                           f'returns, or differentiate a bound method of the object '
                           f'(`grad(obj.method)`) so that s2sgrad knows its class')


def _free_refused(message, refused):
    """Raise `InPlaceError`: `message`, and that the function `refused` names (a
    `free_writes.free_refusal`) writes into what a global, a closure variable or its class
    holds, an array the derivative reads."""
    raise InPlaceError(
        f'{message} (its class was not known when the code was made): `{refused[0]}` '
        f'{refused[2]} an array the derivative reads (an argument of the function, or an array '
        f'it made); s2sgrad cannot follow changes that code makes through globals, closures '
        f'or class attributes: give it copies (`w.copy()`), call it outside the '
        f'differentiated function, or pass the array as an argument and use what it returns')


def check_global_writes(func, message, kept):
    """Raise `InPlaceError` (with `message`) where the function of yours `func`, which the
    differentiated function calls, writes in place into what a global, a closure variable
    of it, or a function of yours it calls, holds, and that holds one of `kept` (arrays the
    derivative reads, or an array sharing memory with one): ``GW[0] *= 0.5`` where the
    global list `GW` holds the argument ``d``."""
    from .free_writes import free_refusal, runs_of  # (the analysis)
    kept = [value for value in kept if not isinstance(
        value, (numbers.Number, np.generic, str, bytes, type(None)))]
    refused = None
    for inner, owner in runs_of(func) if kept else ():
        refused = refused or free_refusal(inner, kept, owner)
    if refused is not None:
        raise InPlaceError(
            f'{message}: `{refused[0]}` {refused[2]} an array the derivative reads (an argument '
            f'of the function, or an array it made); s2sgrad cannot follow changes a function '
            f'makes through its globals or closure: pass the array as an argument and use what '
            f'the function returns, or give the global a copy')


def array_method(value, message, filled=None):
    """Raise `NoRuleError` (with `message`, and the kind of `value`) unless `value` is a NumPy
    or CuPy array of numbers (not objects): the transformation wrote ``y.sort()``
    (``y.fill(v)``) as the write into `y` that an array's method makes, ``y[...] =
    np.sort(y)``; ValueError, as NumPy's ``fill`` raises, where what it fills with
    (`filled`) is no single number."""
    kind = type(value)
    if kind is not np.ndarray and not (kind.__module__.split('.')[0] == 'cupy' and
                                       kind.__name__ == 'ndarray'):
        raise NoRuleError(f'{message} (it is a {kind.__name__} here)')
    if value.dtype == object:
        raise NoRuleError(f'{message} (it is an array of Python objects here)')
    if filled is not None and np.ndim(filled) != 0:
        raise ValueError(f'{message}: `fill` takes one number, not an array of shape '
                         f'{np.shape(filled)}, as NumPy says')


def check_number(value, message):
    """Raise `InPlaceError` (with `message`) unless `value` is a number (of Python or NumPy) or
    another value that ``+=`` cannot change in place (a tuple, a string): the transformation
    relied on a helper's ``param += v`` giving it a new value, not changing its memory."""
    if not isinstance(value, (numbers.Number, np.generic, tuple, str, bytes)):
        raise InPlaceError(message)


def sequence_of(subject, length):
    """Whether `subject` matches a sequence pattern of `length` items in a ``match`` statement
    (``case (n, m):``): a sequence (a tuple, a list, a range; not text, nor an array, as
    Python's `match` has it) of that length."""
    return isinstance(subject, collections.abc.Sequence) and \
        not isinstance(subject, (str, bytes, bytearray)) and len(subject) == length


def check_own_items(value, message, keys=None, kept=None):
    """Raise `InPlaceError` (with `message`) where `value`, a copy or a display passed to a
    helper that writes into its items, is a list, tuple, dict or set holding something other
    than numbers, text and tuples of them (a caller's arrays, lists or dicts, which a copy
    shares): an array itself (its copy owns its memory) passes. With `keys`, the helper writes in
    place only the items at those keys (``config['t'] += 1``): only they are checked. With
    `kept` (values the backward sweep reads), only where `value` holds one of them, or an
    array sharing memory with one of them or with an array they hold (`_holds_kept`)."""
    if _is_array(value) and getattr(value, 'dtype', None) != object:
        return
    if keys is not None and isinstance(value, (dict, list, tuple)):
        if isinstance(value, dict):
            value = [value[key] for key in keys if key in value]
        else:
            value = [value[key] for key in keys
                     if isinstance(key, int) and -len(value) <= key < len(value)]
    if kept is not None:
        if _holds_kept(value, kept):
            raise InPlaceError(message)
        return
    if isinstance(value, dict):
        pending = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        pending = list(value)
    else:
        raise InPlaceError(message)
    while pending:  # (an item a list or dict itself is shared too: ``st[0] += [v]``)
        item = pending.pop()
        if isinstance(item, tuple):
            pending.extend(item)
        elif not (item is None or isinstance(item, (numbers.Number, np.generic, str, bytes))):
            raise InPlaceError(message)


def _holds_kept(value, kept):
    """Whether `value` holds (at any depth: `_members`) one of the values `kept`, or an array
    sharing memory with one of them or with an array they hold (at any depth); or holds
    what the check cannot look into without changing it (an iterator, a generator)."""
    held = _arrays_held(kept)
    by_root = {}  # (NumPy arrays by the array or buffer owning their memory: one lookup each)
    for array in held:
        if isinstance(array, np.ndarray):
            by_root.setdefault(id(_memory_owner(array)), []).append(array)
    others = [array for array in held if not isinstance(array, np.ndarray)]
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if _is_array(item) and getattr(item, 'dtype', None) != object:
            near = by_root.get(id(_memory_owner(item)), ()) if isinstance(item, np.ndarray) \
                else held
            if any(_overlaps(item, other) for other in list(near) + others):
                return True
            continue
        if item is not value and any(item is other for other in kept):
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        members = _members(item)
        if members is None:
            return True
        pending.extend(members)
    return False


def _memory_owner(array):
    """The object that owns the memory of the NumPy array `array` (its last base)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array if array.base is None else array.base


def _arrays_held(values):
    """The arrays of `values` and those they hold (`_members`), at any depth."""
    found, pending, seen = [], list(values), set()
    while pending:
        value = pending.pop()
        if _is_array(value):
            found.append(value)
        elif id(value) not in seen:
            seen.add(id(value))
            pending.extend(_members(value) or ())
    return found


def _members(value):
    """What a helper given `value` may write into through it: the items of a list, tuple,
    dict, set, deque or other mapping or collection, the attributes of an object (a callable
    one too: a layer), the object of a bound method; nothing of numbers, text, arrays,
    ranges, functions, classes and modules; None for what cannot be looked into without
    changing it (an iterator, a generator, ``map``)."""
    if value is None or _is_array(value) or isinstance(value, (
            numbers.Number, np.generic, str, bytes, bytearray, range, slice, type)):
        return []
    kind = type(value)
    if isinstance(value, dict) or all(hasattr(kind, name)
                                      for name in ('keys', 'values', '__getitem__')):
        return list(value.values())  # (a mapping)
    if kind.__name__ in ('module', 'function', 'builtin_function_or_method',
                         'method_descriptor'):
        return []
    if kind.__name__ == 'method':
        return [value.__self__]
    if hasattr(kind, '__iter__'):  # (a collection; an iterator, which reading advances)
        return list(value) if hasattr(kind, '__len__') and hasattr(kind, '__contains__') \
            else None
    found = list(vars(value).values()) if isinstance(getattr(value, '__dict__', None),
                                                     dict) else []
    for klass in type(value).__mro__:  # (``__slots__`` of a class of yours)
        slots = klass.__dict__.get('__slots__', ())
        for slot in [slots] if isinstance(slots, str) else slots:
            if slot not in ('__dict__', '__weakref__') and hasattr(value, slot):
                found.append(getattr(value, slot))
    return found


UNASSIGNED = '<s2sgrad: a variable not assigned yet>'
"""What generated code gives a variable before a loop that assigns it, where it also checks
it with `defined` (the loop may not run); told apart as text equal to it (an exported
derivative writes the text where it is given and where it is checked)."""


def defined(value):
    """Nothing: ``s2s.defined(y)`` stands where the function reads a variable `y` that may
    be unassigned there (`unbound_reads`). Python evaluates the argument first, so the
    derivative raises UnboundLocalError where the function does; `UNASSIGNED`, what the
    generated code gives a variable before a loop that assigns it, raises the same."""
    if isinstance(value, str) and value == UNASSIGNED:
        raise UnboundLocalError('a local variable read where it is not associated with a '
                                'value (it is assigned in a loop or a branch that did not run)')


def separate(value, message, *others):
    """Raise `InPlaceError` (with `message`) where `value`, an argument that the function
    writes into (the generated code writes into a copy of it), is one of `others`, the other
    arguments, or holds an array that may share memory with one of them or with an array they
    hold (at any depth of their items and attributes): the function sees its writes through
    the other argument too (``f(A, A)``), where the derivative, given separate arrays, would
    not."""
    arrays = [value] if _is_array(value) else \
        [item for item in _items_of(value) if _is_array(item)]
    # (NumPy arrays of other memory owners share nothing: one lookup each, the arrays of
    # a large argument compared in a loop's every pass)
    owners = {id(_memory_owner(a)) for a in arrays if isinstance(a, np.ndarray)}
    numpy_only = all(isinstance(a, np.ndarray) for a in arrays)
    for other in others:
        if other is value and not (_holds_no_memory(value) or value is None):
            raise InPlaceError(message)
        for b in _arrays_held([other]) if arrays else ():
            if numpy_only and isinstance(b, np.ndarray) and \
                    id(_memory_owner(b)) not in owners:
                continue
            if any(_overlaps(a, b) for a in arrays):
                raise InPlaceError(message)


def _items_of(value):
    """The items of a list, tuple or dict, the attributes of an object of yours; none of
    other values (numbers, text, functions, classes)."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, '__dict__') and not callable(value) and not _is_array(value):
        return list(vars(value).values())
    return []


def _overlaps(a, b):
    """Whether arrays `a` and `b` share memory (NumPy's exact answer where it comes cheaply;
    other array types: where they are one object)."""
    if a is b:
        return True
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return bool(_may_share(a, b)) if type(a).__module__ == type(b).__module__ and \
            not type(a).__module__.startswith('dask') else False
    if not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=10 ** 5))
    except Exception:  # (``TooHardError``: the strides make it costly to tell)
        return True


def float_argument(value, message):
    """Raise `WrtError` (with `message`) where the differentiated argument `value` is an
    array of integers or booleans that the function writes into (or into an array made
    from it), which truncates what is written (`integer_points`)."""
    if getattr(getattr(value, 'dtype', None), 'kind', 'f') in 'biu':
        raise WrtError(message)


def in_place(value, operator, items=None, copied=None):
    """Whether the augmented assignment `operator` (``'-='``) changes `value` in place, as
    Python decides: where its type has the in-place method (an array, ``+=`` of a list); a
    number is rebound (``for p in ps: p -= v``: `loop_item_updates`, which writes the update
    back into `items`, the list `value` is an item of: `InPlaceError` for a tuple, which
    takes no item, and for a list copied from an argument, ``ps = ps.copy()``, whose items
    are still the caller's arrays: `copied` is then where the loop is, ``File "f.py", line
    3``)."""
    names = {'+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'truediv', '//=': 'floordiv',
             '%=': 'mod', '**=': 'pow', '@=': 'matmul', '&=': 'and', '|=': 'or', '^=': 'xor',
             '<<=': 'lshift', '>>=': 'rshift'}
    changed = hasattr(type(value), '__i' + names[operator] + '__')
    if changed and isinstance(items, tuple):
        raise InPlaceError(f'`{operator}` changes in place an array that is an item of a tuple '
                           f'the loop runs over; s2sgrad writes such an update back into the '
                           f'item, which a tuple cannot take: make it a list')
    if changed and copied and not _is_array(items):
        raise InPlaceError(f'{copied}: `{operator}` changes in place an array that is an item '
                           f'of a copy of an argument (`ps = ps.copy()` keeps the caller\'s '
                           f'arrays as its items): the caller\'s array would change; copy the '
                           f'items (`ps = [p.copy() for p in ps]`) or build the new list')
    return changed


def alone_in(items, index, message):
    """Raise `InPlaceError` (with `message`) when the item ``items[index]`` of a list or dict
    is an array that another of its items is or shares (``[a, a]``, ``[np.zeros(3)] * n``):
    ``items[index] += v`` adds into it in place, changing the others too, where the generated
    code gives that item a new array."""
    if isinstance(items, dict):
        others = [value for key, value in items.items() if key != index]
    elif isinstance(items, list) and not isinstance(index, slice):
        position = range(len(items))[index]
        others = items[:position] + items[position + 1:]
    else:
        return
    item = items[index]
    if _is_array(item) and any(_is_array(other) and _may_share(item, other)
                               for other in others):
        raise InPlaceError(message)


def _may_share(a, b):
    if type(a).__module__.startswith('numpy') and type(b).__module__.startswith('numpy'):
        return np.may_share_memory(a, b)
    module = array_module(a)
    if module is not np and array_module(b) is module:  # (CuPy: its own bounds check)
        return bool(module.may_share_memory(a, b))
    return True  # other array types (dask, a mix): assume they may
