"""Helpers called through a live name: a user function rebound after `grad` is picked up."""
import inspect

from .errors import S2SError

_MISSING = object()


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

    def _now(self):
        if self.cell is not None:
            try:
                return self.cell.cell_contents
            except ValueError:
                return _MISSING
        return self.globals.get(self.name, _MISSING)

    def __call__(self, *args, **kwargs):
        current = self._now()
        if current is self.obj:
            return self.function(*args, **kwargs)
        if current is not self._seen:
            if not inspect.isfunction(current):
                raise S2SError(
                    f'`{self.name}` was a function of yours when the gradient was made and '
                    f'now is {current!r:.60}; call s2sgrad.grad again to differentiate what '
                    f'it is now')
            self._current_function, self._renamed = self.rebuild(current)
            self._seen = current
        renamed = self._renamed
        return self._current_function(
            *args, **{renamed.get(key, key): value for key, value in kwargs.items()})
