"""Helpers called through a live name: a user function rebound after `grad` is picked up."""
import inspect

from .errors import S2SError

_MISSING = object()


class MethodGuard:
    """The generated VJP (or JVP) of a method that the transformation resolved with the
    classes of the objects when `grad` ran (``Dense.forward(self.layer, x)``): it raises
    S2SError, instead of giving the derivative of another method, once the class's method was
    replaced or the object is of another class or shadows the method with its own attribute."""

    def __init__(self, function, cls, name, attr, instance, holder=None):
        self.function, self.cls, self.name, self.attr = function, cls, name, attr
        self.instance = instance  # whether the first argument is the receiver to check
        # (``Model.create(x)``: the global or closure variable that held the class, as
        # ``(name, cell, globals)``; it must still hold it)
        self.holder = holder
        self.__wrapped__ = function
        self.__name__ = getattr(function, '__name__', 'helper')

    def __call__(self, /, *args, **kwargs):
        changed = inspect.getattr_static(self.cls, self.name, None) is not self.attr or \
            self.holder is not None and _value(*self.holder) is not self.cls
        if self.instance and args and not changed:
            receiver = args[0]
            changed = type(receiver) is not self.cls or \
                self.name in (getattr(receiver, '__dict__', None) or {})
        if changed:
            rebound = '' if self.holder is None else \
                f', or `{self.holder[0]}` now holds another class'
            raise S2SError(
                f'the method `{self.cls.__name__}.{self.name}` that the gradient was made for '
                f'is not the one called now (the object\'s class or the method changed '
                f'since{rebound}); call s2sgrad.grad again')
        return self.function(*args, **kwargs)


def _value(name, cell, globals_):
    """What the global or closure variable `name` holds now (`_MISSING`: nothing)."""
    if cell is not None:
        try:
            return cell.cell_contents
        except ValueError:
            return _MISSING
    return globals_.get(name, _MISSING)


class LiveHelper:
    """The generated VJP (or JVP) of the user function that a global or closure variable
    `name` denoted when the gradient was made, called as that name is now.

    Generated code reads `name` at call time for the primal call, so a gradient must follow
    a rebound name too: while `name` still denotes `obj` this calls `function`; once it
    denotes another function, that function's derivative is generated (once, by `rebuild`,
    which returns it and the keyword names it takes in place of the old ones) and called.
    """

    def __init__(self, function, name, obj, cell, globals_, rebuild):
        self.function = function
        self.name, self.obj, self.cell, self.globals = name, obj, cell, globals_
        self.rebuild = rebuild
        self._seen = obj
        self._current_function = function
        self._renamed = {}
        self.__wrapped__ = function  # inspect and debuggers show the generated helper
        self.__name__ = getattr(function, '__name__', 'helper')

    def guard(self, function):
        """A `LiveHelper` calling `function` (a derivative of this helper's function, made
        when generated code calling it was differentiated again) while this helper's name
        still denotes its function, and raising S2SError once it is rebound."""
        def stale(current):
            raise S2SError(f'`{self.name}` was rebound after this derivative of a derivative '
                           f'was made; call s2sgrad.hvp, hessian or grad again')
        return LiveHelper(function, self.name, self.obj, self.cell, self.globals, stale)

    def __call__(self, /, *args, **kwargs):
        cell = self.cell  # (what the name holds now, read inline: this runs at every call)
        current = self.globals.get(self.name, _MISSING) if cell is None else _value(
            self.name, cell, None)
        if current is self.obj:
            return self.function(*args, **kwargs)
        if current is not self._seen:
            if not inspect.isfunction(current):
                now = 'is bound no more (deleted: a built-in of that name, if any, is what ' \
                    'Python calls now)' if current is _MISSING else f'now is {current!r:.60}'
                raise S2SError(
                    f'`{self.name}` was a function of yours when the gradient was made and '
                    f'{now}; call s2sgrad.grad again to differentiate what it is now')
            self._current_function, self._renamed = self.rebuild(current)
            self._seen = current
        renamed = self._renamed
        return self._current_function(
            *args, **{renamed.get(key, key): value for key, value in kwargs.items()})
