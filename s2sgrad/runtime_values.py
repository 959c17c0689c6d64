"""Runtime helpers for any value: shapes, zeros, copies, sums; gradients typed as arguments."""
import numbers

import numpy as np

from .errors import ComplexError, OperandError, WrtError
from .runtime_errors import _repeated_items, unsupported


def _shape(x):
    """The shape of an array; of a (nested) list or tuple of numbers or arrays of one shape,
    the shape of the array NumPy would make of it (``np.sum([x, y])`` reduces that array)."""
    shape = getattr(x, 'shape', None)
    if shape is not None:
        return tuple(shape)
    if _is_sequence(x):
        if not x:
            return (0,)
        inner = _shape(x[0])
        for item in list(x)[1:]:
            if _shape(item) != inner:
                return (len(x),)
        return (len(x),) + inner
    return ()


def _as_array(x):
    """`x` as an array when it is a (nested) list or tuple of numbers or arrays (stacked with
    the items' own module through NumPy's dispatch, so CuPy items stay on the device)."""
    if _is_sequence(x):
        return np.stack([_as_array(item) for item in x]) if x else np.zeros((0,))
    return x


def array_module(x):
    """The module that makes arrays of `x`'s kind: CuPy for a CuPy array (or a list or tuple
    whose first item is one), NumPy for everything else. Rules build their masks, identities
    and index arrays with it: CuPy refuses NumPy arrays as operands, while a small NumPy array
    mixes with NumPy and dask arrays alike."""
    while _is_sequence(x) and x:
        x = x[0]
    if type(x).__module__.split('.')[0] in ('cupy', 'cupyx'):
        import cupy
        return cupy
    return np


def kind_like(g, x):
    """The tangent `g` of a CuPy function's result `x` as an array of `x`'s kind: CuPy
    functions make CuPy arrays of numbers (``cupy.atleast_1d(2.0)``) where the rules of their
    NumPy twins, given a number tangent, make NumPy ones; anything else is returned as is."""
    if array_module(x) is not np and (isinstance(g, (int, float, np.generic)) or
                                      type(g) is np.ndarray):
        return array_module(x).asarray(g)
    return g


def _is_sequence(x):
    """Whether `x` is a list, tuple or deque (NumPy reads each as an array of its items; a
    deque's adjoint is a list)."""
    return isinstance(x, (list, tuple)) or type(x).__name__ == 'deque'


def is_zero(g):
    """Whether the adjoint `g` is zero given as a number (0.0, as a loop's pass starts it) or
    None: what a rule adds from it is zero (the rule of the statement defining its variable is
    then skipped: `backward_sweep._unless_zero`)."""
    return g is None or (type(g) in (float, int) and g == 0)


def _unbounded(x):
    """`x`, once checked that it is no deque with a `maxlen` (whose ``append`` drops its
    oldest item, which the derivative, popping one adjoint per append, cannot follow): the
    adjoint of a value the derivative follows item by item (`zeros_like`, `unstack`)."""
    if getattr(x, 'maxlen', None) is not None and type(x).__name__ == 'deque':
        raise unsupported(
            f'a deque with maxlen={x.maxlen}, followed item by item by the derivative: its '
            'append drops the oldest item, which the derivative cannot follow; use a list and '
            'read its last items (`buf[-n:]`), or keep the deque out of the differentiated '
            'arguments')
    return x


def zeros_like(x):
    """A zero adjoint shaped like `x`: 0.0 for Python numbers, zero arrays, lists of zeros.
    A bounded deque is refused (`_unbounded`) where it is `x` itself, not an item of it."""
    if type(x) is np.ndarray and x.dtype.kind == 'f':  # the common case first
        return np.zeros(x.shape, x.dtype)
    return _zeros_like(_unbounded(x))


def _zeros_like(x):
    if type(x) is np.ndarray and x.dtype.kind == 'f':
        return np.zeros(x.shape, x.dtype)
    if isinstance(x, list) or type(x).__name__ == 'deque':  # (a deque's adjoint: a list)
        return [_zeros_like(item) for item in x]
    if isinstance(x, tuple):
        return _same_kind(x, [_zeros_like(item) for item in x])
    if isinstance(x, dict):
        zeros = {key: _zeros_like(value) for key, value in x.items()}
        factory = getattr(x, 'default_factory', None)
        if factory is None:
            return zeros

        def zero():  # (a defaultdict's: a key read first gets the zero of its default)
            return _zeros_like(factory())
        return type(x)(zero, zeros)
    if x is None or isinstance(x, numbers.Number) and not hasattr(x, 'dtype'):
        return 0.0
    if isinstance(x, range):  # (integers: ``lst[1:2] = range(3)`` writes three items)
        return [0.0] * len(x)
    if not hasattr(x, 'dtype'):  # a slice, a string, Ellipsis: no derivative
        return 0.0
    if isinstance(x, np.generic):  # (not ``x * 0``: nan where `x` is inf or nan)
        return x.dtype.type(0) if x.dtype.kind in 'fciu' else x * 0
    # a 0-d array stays one; an integer array's adjoint is a float array
    return np.zeros_like(x) if x.dtype.kind in 'fc' else np.zeros_like(x, dtype=np.float64)


def own(g):
    """`g` as memory of its own, which the caller may keep and change: arrays copied, lists,
    tuples and dicts copied item by item, numbers as they are (a derivative's result that may
    be an argument, a global or another result)."""
    if type(g) is np.ndarray:
        return g.copy()
    if isinstance(g, list):
        return [own(item) for item in g]
    if isinstance(g, tuple):
        return _same_kind(g, [own(item) for item in g])
    if isinstance(g, dict):
        if type(g) is dict:
            return {key: own(value) for key, value in g.items()}
        out = _dict_copy(g)  # (an OrderedDict, a defaultdict: of its own kind)
        for key in list(out):
            dict.__setitem__(out, key, own(out[key]))  # (also of a dict refusing writes)
        return out
    if hasattr(type(g), 'dtype') and hasattr(type(g), 'copy'):  # CuPy, dask; NumPy scalars
        # (read on the class: an object's own ``__getattr__`` is not run)
        return g.copy()
    return g


def copy(x):
    """A copy of `x` that the caller may modify (arrays and lists); numbers as they are."""
    if isinstance(x, list):
        return list(x)
    if isinstance(x, dict):
        return _dict_copy(x)
    if type(x) is np.ndarray:
        return x.copy(order='K')  # (the layout kept: ravel(order='K'/'A') reads it)
    if hasattr(x, 'copy') and not isinstance(x, tuple):
        return x.copy()
    return x


def _dict_copy(x):
    """A copy of the dict `x` of its own type (``dict.copy`` of a subclass of yours gives a
    plain dict; an OrderedDict's and a defaultdict's keep theirs)."""
    out = x.copy()
    return out if type(out) is type(x) else type(x)(x)


def copy_lists(x):
    """A copy of the argument `x` whose lists and dicts, at any depth in lists, tuples and
    dicts, are new (the function changes the length of one: the caller's stays as it was);
    arrays and numbers as they are (writes into those are copied where they are made)."""
    if isinstance(x, list):
        return [copy_lists(item) for item in x]
    if isinstance(x, dict):
        out = _dict_copy(x)
        for key in out:
            out[key] = copy_lists(out[key])
        return out
    if isinstance(x, tuple):
        items = [copy_lists(item) for item in x]
        return type(x)(*items) if hasattr(x, '_fields') else type(x)(items)
    return x


def add(a, b):
    """`a + b` for adjoints, element by element for lists and tuples; None counts as zero."""
    kind_a, kind_b = type(a), type(b)
    if (kind_a is np.ndarray or kind_a is float) and (kind_b is np.ndarray or kind_b is float):
        return a + b  # (the common case first: two arrays or numbers)
    if b is None:  # (not ``add(0.0, None)`` -> None: an item added to nothing stays a zero)
        return a
    if is_zero(a) and not _is_sequence(b):
        return b
    if is_zero(b) and not _is_sequence(a):
        return a
    if isinstance(a, dict) or isinstance(b, dict):
        a = a if isinstance(a, dict) else {}
        b = b if isinstance(b, dict) else {}
        return {key: add(a.get(key), b.get(key)) for key in {**a, **b}}
    if _is_sequence(a) or _is_sequence(b):
        a, b = _rows_for(a, b), _rows_for(b, a)
        if len(a) != len(b):  # (zip would drop the extra items' adjoints)
            raise unsupported(
                f'two adjoints of one list or tuple have {len(a)} and {len(b)} items: a list '
                f'was concatenated or repeated (`+`, `*`) where s2sgrad does not follow it '
                f'(use np.concatenate or np.tile on arrays, or append in a loop), or a slice '
                f'assignment changed the length of a list that a call returned (`lst[1:2] = '
                f'[a, b]`: make it `lst = list(...)`), or, in a gradient differentiated '
                f'again, a list the gradient keeps on a stack grew after it was put there '
                f'(for second derivatives use s2sgrad.hvp or s2sgrad.hessian, which run '
                f'forward mode over the gradient)')
        summed = [add(x, y) for x, y in zip(a, b)]
        return tuple(summed) if isinstance(a, tuple) else summed
    return a + b


def _rows_for(g, items):
    """`g` as the adjoints of the list or tuple whose adjoints `items` are: itself if it is
    a sequence, Nones for a zero, the rows of an array that stands for the list (``np.sum``
    of a tuple of numbers: one row per item, each of the item's shape)."""
    if _is_sequence(g):
        return g
    if g is None or is_zero(g):
        return [None] * len(items)
    if isinstance(g, np.ndarray) and g.ndim and len(g) == len(items) and all(
            item is None or np.shape(item) == g.shape[1:] for item in items):
        return list(g)
    raise unsupported(
        'the adjoint of an array or number was added to that of a list or tuple: a value was '
        'taken for an array in one place and for a container in another (a namedtuple whose '
        'field is named like an array attribute, `p.T`, read where no other field of it is: '
        'give the field another name)')


COMPLEX_ADVICE = (
    'complex values are not supported: s2sgrad differentiates real functions of real '
    'arguments (see the README, "Known limits"); pass the real and imaginary parts as '
    'separate real arguments and write the arithmetic on them (`np.cos(w * t)` and '
    '`np.sin(w * t)` for `np.exp(1j * w * t)`, `np.hypot(a, b)` for `abs(complex(a, b))`)')
"""What ComplexError says (where a complex value is met, and `complex_values`)."""


def _check_numeric(g, x):
    """Raise where a gradient is not a real number or array: an argument combined with None
    or a string (which the function itself would reject), or complex values."""
    _no_matrix(x)
    _no_matrix(g)
    if isinstance(g, np.ma.MaskedArray) or isinstance(x, np.ma.MaskedArray):
        raise unsupported(
            'masked arrays (np.ma) are not supported: their reductions skip the masked '
            'entries, which the array rules s2sgrad applies do not; pass `w.filled(0.0)` (or '
            'the mask as a 0/1 weight array) instead')
    kind = getattr(getattr(g, 'dtype', None), 'kind', None)
    if g is None or isinstance(g, (str, bytes)) or kind in ('O', 'U', 'S'):
        raise unsupported(f'a gradient came out as {type(g).__name__} {g!r:.40}: the function '
                          f'combines a differentiated value with something that is not a '
                          f'number or an array of numbers (None, text, or an object with '
                          f'operators of its own, whose `*` or `+` s2sgrad cannot '
                          f'differentiate); pass numbers or arrays (`np.asarray(...)`)',
                          OperandError)
    if kind == 'c' or isinstance(g, complex) or isinstance(x, complex) or \
            getattr(getattr(x, 'dtype', None), 'kind', None) == 'c':
        raise unsupported(COMPLEX_ADVICE, ComplexError)


def _no_matrix(value):
    """Raise for an `np.matrix`, whose ``*`` and ``**`` are matrix products and powers:
    s2sgrad's rules are those of arrays."""
    if isinstance(value, np.matrix):
        raise unsupported(
            'np.matrix arguments are not supported: their `*` and `**` are matrix products '
            'and powers, and s2sgrad differentiates arrays (whose `*` is elementwise); pass '
            'np.asarray(m) and write `@` for the product')
    if isinstance(value, np.ma.MaskedArray):
        raise unsupported(
            'masked arrays (np.ma) are not supported: their operations skip the masked '
            'entries, which s2sgrad\'s rules for arrays do not; pass the data (`np.ma.'
            'filled(m, value)`, `m.data`) and the mask as separate arrays')


def real_only(*values):
    """Raise ComplexError if one of `values` (numbers, arrays, containers of them) is complex
    (`NoRuleError` for an `np.matrix`); return the last."""
    for value in values:
        _no_matrix(value)
        if isinstance(value, (list, tuple)):
            real_only(*value)
        elif isinstance(value, dict):
            real_only(*value.values())
        elif isinstance(value, complex) or \
                getattr(getattr(value, 'dtype', None), 'kind', None) == 'c':
            _check_numeric(0.0, value)
    return values[-1] if values else None


def real_part(x, g):
    """`g`, the derivative of ``x.real`` (``np.real(x)``) for a real `x`; ComplexError for
    a complex `x`."""
    real_only(x)
    return g


def imag_part(x, g):
    """The derivative of ``x.imag`` (``np.imag(x)``, ``np.angle(x)``) for a real `x`: zeros
    like `g` (both are constant there); ComplexError for a complex `x`."""
    real_only(x)
    if isinstance(g, numbers.Number):
        return 0.0
    return np.zeros_like(g)  # (not ``g * 0.0``: nan where `g` is inf or nan)


def _like(g, x):
    """Give the adjoint `g` the type of the primal `x` (dtype of arrays, float for floats)."""
    _check_numeric(g, x)
    dtype = getattr(x, 'dtype', None)
    if dtype is None:
        if isinstance(x, numbers.Number) and _shape(g) == ():
            return g
        return g
    gdtype = getattr(g, 'dtype', None)
    if gdtype is not None and gdtype != dtype and dtype.kind in 'fc':
        return g.astype(dtype)
    return g


def like(g, x):
    """The gradient `g` of argument `x` with `x`'s type: a float for a float, its dtype; a
    list, tuple or dict of the same structure for a container of arrays."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.dtype is x.dtype and \
            g.dtype.kind == 'f':  # the common case, first
        return g if g.flags.writeable else g.copy()  # (not a read-only broadcast view)
    if x is None or isinstance(x, (str, bytes)):
        raise WrtError(f'cannot differentiate with respect to {type(x).__name__} {x!r:.40}: '
                       f'pass a number, an array or a list, tuple or dict of them')
    if _is_iterator(x):
        # (``grad(f)(iter(xs))``, a generator, ``map(...)``: read once, by the function, it
        # has no items left to give a derivative the structure of)
        raise WrtError(f'cannot differentiate with respect to an iterator ({type(x).__name__}): '
                       f'the function read its items once, and there is nothing to give '
                       f'their derivative to; pass a list, a tuple or an array')
    return _like_value(g, x)


def _is_iterator(x):
    """Whether `x` is an iterator (``iter(xs)``, a generator, ``map(...)``), which gives its
    items once (an object with ``__next__``)."""
    return hasattr(type(x), '__next__')


def _like_value(g, x):
    """`like` for an argument or a part of a container argument."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.dtype == x.dtype and \
            g.dtype.kind == 'f':  # the common case, first
        return g if g.flags.writeable else g.copy()
    if _is_sequence(x) or isinstance(x, dict):  # (a deque's gradient: a deque)
        return _like_container(g, x)
    _check_numeric(g, x)
    if _is_lazy(g) and isinstance(x, (numbers.Number, np.generic)):
        # a number argument of a lazy (dask) computation: a 0-d lazy array of its float
        # dtype (a Python or NumPy number would compute it)
        dtype = x.dtype if isinstance(x, np.floating) else np.float64
        return g if g.dtype == dtype else g.astype(dtype)
    if type(x) in (float, int, bool) and type(g) is not float:
        return float(g)  # an int argument: the derivative at that point, as a float
    if isinstance(x, np.integer):
        return np.float64(g)
    if isinstance(x, np.floating) and not _is_sequence(g):
        return type(x)(g)  # an np.float32 argument gets an np.float32 gradient
    if is_zero(g) and _shape(x) != ():
        return zeros_like(x) if getattr(x, 'dtype', np.float64).kind in 'fc' else \
            np.zeros(_shape(x))
    g = _like(g, x)
    if getattr(getattr(g, 'dtype', None), 'kind', 'f') in 'biu' or \
            getattr(getattr(x, 'dtype', None), 'kind', 'f') in 'biu' and \
            getattr(g, 'dtype', np.float64) in (np.float16, np.float32):
        # an integer argument: its gradient is a float64 (NumPy computes `np.sin` of an
        # int8 or boolean array in float16, of an int16 one in float32)
        g = g.astype(np.float64)
    if _is_array(x) and not _is_array(g):
        return _filled_like(x, g)  # a 0-d array argument: a 0-d array gradient
    if _is_lazy(x) and not _is_lazy(g):
        # a gradient that does not depend on a lazy (dask) argument (a constant: the
        # function is linear in it) is lazy too, of the argument's array type
        return np.asarray(g, like=x)
    return g


def _filled_like(x, g):
    """An array like `x` (a floating dtype) filled with the number `g`; where `g` is a lazy
    0-d array, the same lazily (``np.full_like`` would compute a lazy fill value)."""
    dtype = x.dtype if x.dtype.kind in 'fc' else np.float64
    if x.dtype.kind != 'c':
        real_only(g)  # (``np.full_like`` would drop a complex adjoint's imaginary part)
    if _is_lazy(g):
        return np.broadcast_to(g.astype(dtype), _shape(x))
    return np.full_like(x, g, dtype=dtype)


def _is_lazy(value):
    """Whether `value` is a lazy array (dask), which turning into a number would compute."""
    return type(value).__module__.startswith('dask.')


def _like_container(g, x):
    if isinstance(x, dict):
        parts = g if isinstance(g, dict) else {}
        return _same_mapping(x, [(key, _like_value(parts.get(key, 0.0), value))
                                 for key, value in x.items()])
    if _is_sequence(g) and len(g) != len(x):
        raise unsupported(
            f'the gradient of a list or tuple of {len(x)} items came out with {len(g)} items: '
            f'`*` or `+` of lists (repetition, concatenation) of an argument, and a list '
            f'passed to a helper of yours more than once, are not followed; use np.tile or '
            f'np.concatenate on arrays, or pass the arrays (or a dict of them)')
    parts = list(g) if _is_sequence(g) else [0.0] * len(x)
    if not _is_sequence(g) and not is_zero(g):
        parts = [g[i] for i in range(len(x))]  # an array standing for a list of rows
    return _same_kind(x, [_like_value(part, value) for part, value in zip(parts, x)])


def _same_mapping(x, pairs):
    """`pairs` as a dict of the type of `x` (an OrderedDict, a defaultdict with its
    default_factory, a subclass of dict whose constructor takes the pairs; else a dict)."""
    if type(x) is dict:
        return dict(pairs)
    if hasattr(x, 'default_factory'):  # (a collections.defaultdict)
        out = type(x)(x.default_factory)
        out.update(pairs)
        return out
    try:
        return type(x)(pairs)
    except TypeError:
        return dict(pairs)


def _same_kind(x, items):
    """`items` as a sequence of the type of `x` (a list, a tuple, a namedtuple)."""
    if hasattr(x, '_fields'):
        return type(x)(*items)
    return type(x)(items)


def _is_array(x):
    return hasattr(x, 'shape') and hasattr(x, 'dtype') and not isinstance(x, np.generic)


def broadcast_like(g, x):
    """`g` broadcast to the shape of `x` (the adjoint of `unbroadcast`); a list or tuple `g`
    (the tangent of a display, ``y + (a, b)``) as the array that NumPy reads it as."""
    if _is_sequence(g) and not _is_sequence(x):
        g = _as_array(g)
    elif _is_sequence(g) and len(g) != len(x):  # (a list `x` made by `+` or `*` of lists: no
        raise _repeated_items(len(g), len(x))  # broadcast, a concatenation or a repetition)
    shape = _shape(x)
    if _shape(g) == shape:
        return g
    return g * np.ones_like(x)


def reshape_like(g, x, order='C'):
    """The adjoint of a reshape of `x`: `g` in `x`'s shape (a float for a Python float), its
    elements read and written in `order` ('C' or 'F', as the reshape read them)."""
    if not hasattr(x, 'dtype') and isinstance(x, numbers.Number):
        return np.reshape(g, ())[()] if hasattr(g, 'dtype') and g.size == 1 else g
    if _is_sequence(x) and _is_sequence(g) and len(g) == len(x):  # (item by item: lists
        return [reshape_like(gi, xi) for gi, xi in zip(g, x)]  # of adjoints stay lists)
    if isinstance(g, dict):  # (the adjoint of a dict read out of a dict: already its shape)
        return g
    if order != 'C':
        return np.reshape(g, _shape(x), order=order)
    return np.reshape(g, _shape(x))


def where(condition, x, y):
    """``np.where(condition, x, y)`` also where `condition` is a number's comparison (a Python
    or NumPy bool) and `x` or `y` is an array of another library: CuPy's ``where`` takes no
    Python bool, so the condition becomes an array of that library first."""
    if not _is_array(condition):
        other = next((v for v in (x, y) if _is_array(v) and type(v) is not np.ndarray), None)
        if other is not None:
            condition = np.full_like(other, bool(condition), dtype=bool)
    return np.where(condition, x, y)
