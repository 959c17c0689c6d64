"""`wrt`: the arguments to differentiate, resolved once against a function's parameters."""
import linecache
import numbers

import numpy as np

from .callables import unbind
from .errors import WrtError, format_location
from .source import signature


class Wrt:
    """The parameters a derivative is taken with respect to.

    `names` are parameter names in the order the user gave them, `single` says whether the
    user gave one (the derivative is then one value, not a tuple), and `params` are the
    parameters of the callable (None when it has no inspectable signature). Every operator
    resolves its `wrt` argument once, with `Wrt.of`.
    """

    __slots__ = ('names', 'single', 'params', 'defaults', 'positional')

    def __init__(self, names, single, params, defaults=None, positional=None):
        self.names = tuple(names)
        self.single = single
        self.params = None if params is None else tuple(params)
        self.defaults = defaults or {}  # (a parameter's default, a partial's keyword)
        # (how many parameters come before the keyword-only ones, ``*args`` counted: those
        # after it are never given by position)
        self.positional = len(self.params or ()) if positional is None else positional

    @classmethod
    def of(cls, func, wrt):
        """Resolve `wrt` (a position, a name, or a tuple or list of them) for callable `func`.

        Raises WrtError, pointing at the definition of `func`, for an empty `wrt`, an entry
        that is neither a position nor a name, a position out of range, or an unknown name.
        """
        try:
            return cls._resolve(func, wrt)
        except WrtError as error:
            raise WrtError(str(error) + definition(func)) from None

    @classmethod
    def _resolve(cls, func, wrt):
        try:
            parameters = signature(func).parameters
        except (TypeError, ValueError):
            parameters = None
        params = None if parameters is None else list(parameters)
        positional = None if parameters is None else next(
            (i for i, p in enumerate(parameters.values())
             if p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD)), len(params))
        defaults = {} if parameters is None else {
            name: p.default for name, p in parameters.items() if p.default is not p.empty}
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
                        raise WrtError(f'wrt={item} is out of range: `{label(func)}` has '
                                       f'{len(params)} parameters ({", ".join(params)})')
                    item = params[item]
                elif item not in params:
                    raise WrtError(f'wrt={item!r} names no parameter of `{label(func)}` '
                                   f'(parameters: {", ".join(params)})')
            if item in names:
                raise WrtError(f'wrt names the parameter `{item}` twice: name each argument '
                               f'to differentiate once')
            names.append(item)
        return cls(names, single, params, defaults, positional)

    @property
    def selection(self):
        """The names as the user's `wrt` had them: one name, or a tuple of names."""
        return self.names[0] if self.single else self.names

    @property
    def positions(self):
        """The position of each name among the callable's parameters."""
        return tuple(self.params.index(name) for name in self.names)

    def arguments(self, args, kwargs):
        """The values of the selected arguments in a call ``func(*args, **kwargs)``."""
        return [args[p] if p < len(args) and p < self.positional else
                kwargs[name] if name in kwargs or name not in self.defaults else
                self.defaults[name] for p, name in zip(self.positions, self.names)]

    def __repr__(self):
        return f'Wrt({self.selection!r})'


def definition(func):
    """``File "path", line N`` and the line of the `def` of the Python function behind the
    callable `func`, as a traceback shows it, or ''."""
    code = getattr(unbind(func).function, '__code__', None)
    if code is None:
        return ''
    text = linecache.getline(code.co_filename, code.co_firstlineno)
    return '\n' + format_location(code.co_filename, code.co_firstlineno, None, text)


def label(func):
    """The name of the function behind `func` for messages (a partial: the function it calls)."""
    func = getattr(func, 'func', func)
    return getattr(func, '__qualname__', None) or getattr(func, '__name__', None) or \
        type(func).__name__
