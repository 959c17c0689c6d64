"""The compiled path: a generated function and its generated helpers compiled by numba (nopython).

``s2sgrad.grad(f, compile='numba')`` gives a function that runs the same generated code
compiled with ``numba.njit``: every member of the printed unit (the gradient and each
generated helper it calls) is printed again with the few rewrites numba needs, compiled
from that text, and called through a small Python wrapper. Runtime helpers (``s2s.like``,
``s2s.unbroadcast``, ...) resolve to their numba implementations (`s2sgrad.numba_runtime`);
the user's own functions that the code calls are compiled with numba too. numba compiles
for the types of the first call, so what it cannot compile surfaces at that call, as a
`CompileError` that names the line (or, with ``fallback=True``, a `CompileFallbackWarning`
and the plain gradient). Nothing is ever silently run as Python.
"""
import builtins
import functools
import inspect
import linecache
import os
import random
import re
import traceback
import types
import warnings

import gast
import numpy as np

from . import nodes as n, numba_checks, numba_frozen, numba_integers, unit
from .compiling import compile_function
from .errors import CompileError, CompileFallbackWarning, MissingDependencyError, OptionError
from .modes import Mode
from .printer import to_source

_OPTIONS = {'boundscheck': True}
"""numba's options for the generated members and the user's functions: an index out of
bounds raises IndexError, as in Python (numba reads past the array otherwise: a program
with an off-by-one gave numbers where its plain gradient raised). The runtime helpers'
kernels, whose indices are theirs, compile without the check."""

CHOICES = (None, 'numba')
"""The values of the ``compile=`` option of the operators."""

_NUMBERS = (float, int)
_LIBRARIES = ('numpy', 'numba', 'scipy', 'math', 'cmath', 'builtins', 's2sgrad')


def check_option(compile, fallback):
    """Raise ValueError for a ``compile=`` value other than None and 'numba', or a
    ``fallback=True`` without a compiler."""
    if compile not in CHOICES:
        raise OptionError(f'compile={compile!r}: the choices are None (plain Python) and '
                          f"'numba' (compiled in nopython mode; pip install s2sgrad[numba])")
    if fallback and compile is None:
        raise OptionError("fallback=True applies to a compiled gradient: pass compile='numba' "
                          'too')


def _numba():
    """numba and the helpers' implementations, or MissingDependencyError."""
    try:
        import numba
        from . import numba_runtime
    except ImportError as error:
        raise MissingDependencyError(
            f"compile='numba' needs numba, which cannot be imported ({error}); install it "
            f"with `pip install s2sgrad[numba]` (or `pip install numba`), or leave compile= "
            f'out for the plain Python gradient') from None
    return numba, numba_runtime


def recursive_forward_parts(generated):
    """Whether a forward part of split motion in `generated`'s unit calls itself, directly
    or through other members (see `split_motion`). Found once per generated function (an
    operator such as `jacobian` asks at each call)."""
    found = generated.__dict__.get('recursive_forward_parts')
    if found is None:
        found = generated.__dict__['recursive_forward_parts'] = _calls_itself(generated)
    return found


def _calls_itself(generated):
    calls, forward = {}, set()
    for item, name, node in unit.members(generated):
        calls[name] = {c.func.id for c in gast.walk(node) if isinstance(c, gast.Call) and
                       isinstance(c.func, gast.Name)}
        if getattr(item, 'forward_part', False):
            forward.add(name)
    for start in forward:
        seen, todo = set(), list(calls.get(start, ()))
        while todo:
            name = todo.pop()
            if name == start:
                return True
            if name in calls and name not in seen:
                seen.add(name)
                todo.extend(calls[name])
    return False


def compiled(generated, wrt, mode, fallback=False):
    """The function that runs `generated` (a `Generated`, with its helpers) compiled by numba,
    made once per `fallback` value and kept on `generated`. `wrt` (a `Wrt`) and `mode` say
    which results are gradients of which arguments. A construct that cannot be compiled
    raises CompileError, here or at the first call of each argument type; with `fallback`,
    it warns (CompileFallbackWarning) and the plain function runs instead."""
    made = generated.__dict__.setdefault('numba_compiled', {})
    if fallback in made:
        return made[fallback]
    numba, runtime = _numba()
    try:
        unit_ = _Unit(generated, numba, runtime)
        unit_.forget = functools.partial(made.pop, fallback, None)  # (compiled again next)
        function = unit_.wrapper(wrt, mode, fallback)
    except CompileError as error:
        if not fallback:
            raise
        warnings.warn(_fallback_text(error), CompileFallbackWarning, stacklevel=4)
        function = generated.function
    made[fallback] = function
    return function


def _fallback_text(error):
    return (f'{error}\nfallback=True: running the plain Python gradient instead (much '
            f'slower than compiled code)')


class _Unit:
    """The members of a generated function's unit, rewritten and compiled with numba."""

    def __init__(self, generated, numba, runtime, forms=None):
        self.generated = generated
        # unit name -> {variable: 'array' or 'list'}: the form a variable is given where
        # numba found it an array on one path and a list on another (see `_Failure`)
        self.forms = forms or {}
        self.numba = numba
        self.runtime = runtime
        self.module = types.ModuleType('s2s')  # s2s.<helper> in compiled code
        self.dispatchers = {}   # unit name -> numba dispatcher
        self.namespaces = {}    # unit name -> the globals of its compiled member
        self.user = {}          # id(user function) -> its numba dispatcher
        self.guards = {}        # unit name -> (guarded params, unit name of the general)
        self.checks = []        # (unit name, plain function, checks the wrapper runs, root)
        self.unread = []        # parameters of the root that only its checks read
        self.reads = {}         # unit name -> the names its rewritten code reads
        self.frozen = []        # the variables compiled code froze (`numba_frozen`)
        self.forget = None      # drops the compiled function from the cache (`compiled`)
        self.root = None
        for item, name, node in unit.members(generated):
            self._member(item, name, node, item is generated)
            if item is generated:
                self.root = name
        for name, (_, general) in self.guards.items():
            if name != self.root:  # compiled callers reach a guarded helper's general
                self.dispatchers[name] = self.dispatchers[general]
        for name, space in self.namespaces.items():
            # (the names a member's code calls its helpers by: those of the unit, which
            # may not be those of the plain function's namespace: ``inner_fwd_2``)
            for var in sorted(set(space) | self.reads[name]):
                if var in self.dispatchers:
                    space[var] = self.dispatchers[var]

    def _member(self, item, name, node, root):
        """Rewrite, print and compile one member (calls are bound once all are made)."""
        checks = numba_checks.hoist(node, root)
        if checks:
            self.checks.append((name, item.function, checks, root))
            if root:  # (a parameter only checked, `act` of ``act=np.tanh``: passed as None)
                self.unread = numba_checks.checked_only(checks, node)
        guard = _guard(node)
        if guard is not None:
            self.guards[name] = guard[1:]
            node.body = node.body[:guard[0]] + node.body[guard[0] + 1:]
        space = self._namespace(item.function, node)
        _refuse_unseeded_draws(node, space, name)
        _rewrite(node, space)
        self._bind_users(space, node)
        forms = self.forms.get(name, {})
        _as_arrays(node, [v for v, form in forms.items() if form == 'array'])
        _as_zero_arrays(node, [v for v, form in forms.items() if form == 'zeros'])
        _as_lists(node, [v for v, form in forms.items() if form == 'list'])
        defaults = _positional(node, item.function, name)
        source = to_source(node)
        self._helpers(node, source, name)
        self.reads[name] = set(n.names_read(node))
        self.frozen += numba_frozen.frozen_reads(
            item.function, self.reads[name] - set(n.names_stored(node)) - {'s2s'},
            _frozen_function, {n.dotted_path(child) or '' for child in n.walk(node)
                               if isinstance(child, gast.Attribute)}) + \
            numba_frozen.live_helpers(item.function)
        function = compile_function(source, name, space, defaults=defaults)
        self.dispatchers[name] = self.numba.njit(function, **_OPTIONS)
        for var, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            if var == name:  # a recursive call: through the cell of its own name
                cell.cell_contents = self.dispatchers[name]
        self.namespaces[name] = space

    def _bind_users(self, space, node):
        """Bind the names `node` reads that denote functions of the user's (those `_rewrite`
        gave a module's function, ``helpers_step``) to their numba dispatchers."""
        for var in n.names_read(node):
            if _is_user_function(space.get(var)):
                space[var] = self._user(space[var])

    def _helpers(self, node, source, name):
        """Bind ``s2s.<name>`` to the numba implementations; CompileError for a helper
        that has none."""
        for child in n.walk(node):
            if isinstance(child, gast.Attribute) and isinstance(child.value, gast.Name) and \
                    child.value.id == 's2s':
                helper = self.runtime.IMPLEMENTED.get(child.attr) or \
                    self.runtime.EXTRA.get(child.attr)
                if helper is None:
                    raise _unsupported_helper(child.attr, source, name)
                setattr(self.module, child.attr, helper)

    def _namespace(self, function, node):
        """The globals of a compiled member: those of the plain function and its closure,
        with generated helpers, s2s and the user's functions bound for numba."""
        space = dict(function.__globals__)
        for var, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            try:
                space[var] = cell.cell_contents
            except ValueError:
                pass
        space['s2s'] = self.module
        for var in n.names_read(node):
            value = space.get(var)
            if _is_user_function(value):
                space[var] = self._user(value)
        return space

    def _user(self, function):
        """The numba dispatcher of a user function that compiled code calls, whose globals
        and closure bind the user functions it calls to theirs in turn."""
        if id(function) in self.user:
            return self.user[id(function)]
        _keyword_only(function)
        self.frozen += numba_frozen.frozen_reads(
            function, numba_frozen.user_reads(function), _frozen_function)
        rewritten = self._rewritten(function)
        if rewritten is not None:
            return rewritten
        space = dict(function.__globals__)
        # (its keyword-only parameters made positional: see `_keyword_only`)
        code = function.__code__.replace(
            co_argcount=function.__code__.co_argcount + function.__code__.co_kwonlyargcount,
            co_kwonlyargcount=0)
        defaults = tuple(_positional_defaults(function, code.co_varnames[
            function.__code__.co_argcount:code.co_argcount])) or None
        copy = types.FunctionType(code, space, function.__name__, defaults,
                                  function.__closure__)
        copy.__qualname__ = function.__qualname__
        copy.__module__ = function.__module__
        dispatcher = self.user[id(function)] = self.numba.njit(copy, **_OPTIONS)
        for var in function.__code__.co_names:
            if _is_user_function(space.get(var)):
                space[var] = self._user(space[var])
        if function.__closure__:
            cells = []
            for cell in function.__closure__:
                try:
                    value = cell.cell_contents
                except ValueError:
                    cells.append(cell)
                    continue
                cells.append(types.CellType(self._user(value)) if _is_user_function(value)
                             else cell)
            copy = types.FunctionType(code, space, function.__name__, defaults, tuple(cells))
            dispatcher = self.user[id(function)] = self.numba.njit(copy, **_OPTIONS)
        return dispatcher

    def _rewritten(self, function):
        """The numba dispatcher of a user function whose source `_rewrite` changes (a power
        ``a ** b``, a reduction over an axis, ``reversed(range(...))``: what numba computes
        otherwise or lacks), compiled from the rewritten source; None where its source
        cannot be read, or where the rewrite changes nothing (numba compiles the function
        itself)."""
        from .errors import S2SError
        from .source import parse_function
        try:
            node = parse_function(function).node
        except (S2SError, OSError, TypeError):
            return None
        if not isinstance(node, gast.FunctionDef):
            return None
        node = n.clone(node)
        node.decorator_list = []
        space = dict(function.__globals__)
        before = to_source(node)
        _rewrite(node, space)
        source = to_source(node)
        if source == before:
            return None
        defaults = _positional(node, function, function.__name__)  # (see `_keyword_only`)
        source = to_source(node)
        space['s2s'] = self.module
        self._helpers(node, source, function.__name__)
        cells = {}  # (cells of its own: those holding functions get their dispatchers)
        for var, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            try:
                cells[var] = types.CellType(cell.cell_contents)
            except ValueError:
                cells[var] = cell
        compiled = compile_function(source, node.name, space, cells=cells, defaults=defaults)
        dispatcher = self.user[id(function)] = self.numba.njit(compiled, **_OPTIONS)
        for var, cell in zip(compiled.__code__.co_freevars, compiled.__closure__ or ()):
            if var == node.name:  # a recursive call: through the cell of its own name
                cell.cell_contents = dispatcher
        for var in sorted(set(function.__code__.co_names) | set(n.names_read(node))):
            if _is_user_function(space.get(var)):
                space[var] = self._user(space[var])
        for cell in cells.values():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if _is_user_function(value):
                cell.cell_contents = self._user(value)
        return dispatcher

    def entries(self):
        """The wrapper's names for the compiled root: ``_scalar`` (the version for Python
        numbers, where there is one) and ``_general``."""
        guard = self.guards.get(self.root)
        general = self.dispatchers[guard[1]] if guard is not None else \
            self.dispatchers[self.root]
        return {'_scalar': self.dispatchers[self.root], '_general': general}

    def wrapper(self, wrt, mode, fallback):
        """The Python function that calls the compiled root (the version for Python numbers
        where the generated code has one), converting numba's compile errors."""
        plain = self.generated.function
        root = inspect.signature(plain)
        params, call, positional, collect = _signature(root)
        guard = self.guards.get(self.root)
        lines = [f'def {plain.__name__}({params}):',
                 '    if _state:',
                 f'        return _plain({call})']
        if self.frozen:
            lines.append('    _unchanged()')
        prologues = {}
        for name, function, checks, is_root in self.checks:
            prologue = f'_checks_{name}'
            prologues[prologue] = numba_checks.prologue(
                function, prologue, checks, *(
                    (params, plain.__defaults__, plain.__kwdefaults__) if is_root else ()))
            lines.append(f'    {prologue}({call if is_root else ""})')
        lines += [f'    {p} = None' for p in self.unread]
        seed = getattr(self.generated, 'seed_name', None)
        if seed in root.parameters and seed not in self.unread:
            # (a 0-d cotangent, as `jacobian` seeds a scalar function's VJP: its number, as
            # numba unifies the adjoint with the numbers the backward sweep makes of it; an
            # argument of yours stays as it is, ``np.isscalar(x)``, ``x.ndim``)
            lines.append(f'    {seed} = _number_of({seed})')
        for p in wrt.names:  # a Python int differentiated: a float (int64 could overflow)
            if p in root.parameters and root.parameters[p].kind in (
                    inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
                lines += [f'    if type({p}) is int:', f'        {p} = float({p})']
        lines += ['    try:']
        if guard is not None:
            test = ' and '.join(f'type({p}) in _numbers' for p in guard[0])
            lines += [f'        if {test}:',
                      f'            result = _scalar({positional})',
                      '        else:',
                      f'            result = _general({positional})']
        else:
            lines += [f'        result = _general({positional})']
        lines += ['    except _numba_errors as error:',
                  '        if _ran(error):  # (compiled code raising as it ran: ``assert``)',
                  '            raise',
                  f'        return _failed(error, {collect})',
                  '    except OverflowError as error:  # (an integer beyond 64 bits: int_mul)',
                  f'        return _failed(error, {collect})',
                  '    except (TypeError, ValueError) as error:  # (numba taking the arguments)',
                  '        if _compiling(error):  # (numba\'s front end: ``raise ... from None``)',
                  f'            return _failed(error, {collect})',
                  '        if _met_none(error):  # (compiled code given None for a number)',
                  f'            return _failed(_met_none(error), {collect})',
                  '        if not _unboxing(error):',
                  '            raise',
                  f'        return _failed(_unboxing(error), {collect})']
        retype = [p for p in wrt.names if p in root.parameters] \
            if mode in (Mode.GRAD, Mode.VALUE_AND_GRAD, Mode.COTANGENT) else []
        if retype:  # an np.float32 argument gets an np.float32 gradient, as in Python
            checks = ' or '.join(f'_retyped({p})' for p in retype)
            lines += [f'    if {checks}:',
                      f'        return _retype(result, ({", ".join(retype)},))']
        lines += ['    return result']
        source = '\n'.join(lines) + '\n'
        state = []
        failure = _Failure(self, plain, state, fallback)
        space = {
            '__builtins__': builtins,  # (numba imports SciPy's BLAS from the caller's frame)
            '_numbers': _NUMBERS, '_state': state, '_plain': plain,
            # (numba's typing of some calls fails with a bare AssertionError, or a
            # NameError from inside numba: compiled code itself cannot raise one)
            # (and NotImplementedError: what numba's front end cannot translate, a nested
            # function calling itself, or compiled code cannot do at run time)
            # (numba's front end rejecting bytecode, ``global Q`` then ``Q += [v]``, and its
            # typing failing with an AttributeError of its own: compiled code raises neither)
            '_numba_errors': (self.numba.core.errors.NumbaError, AssertionError, NameError,
                              NotImplementedError, AttributeError) + tuple(
                getattr(self.numba.core.errors, name) for name in ('UnsupportedBytecodeError',)
                if hasattr(self.numba.core.errors, name)),
            '_failed': failure,
            '_unboxing': _unboxing, '_compiling': _compiling, '_met_none': _met_none,
            '_ran': functools.partial(_ran, self.numba.core.errors.NumbaError),
            '_retyped': _retyped, '_number_of': _number_of,
            '_retype': _Retype(mode, wrt),
            '_unchanged': functools.partial(numba_frozen.check_unchanged, self.frozen,
                                            plain.__name__, self.forget),
        }
        space.update(self.entries())
        space.update(prologues)
        function = compile_function(source, plain.__name__, space,
                                    defaults=plain.__defaults__,
                                    kwdefaults=plain.__kwdefaults__)
        failure.space, failure.function = space, function
        for attr in ('source', 'seed_name', 'tangent_names', 'helpers'):
            if hasattr(plain, attr):
                setattr(function, attr, getattr(plain, attr))
        function.plain = plain
        function.dispatchers = dict(self.dispatchers)
        function.__doc__ = (f'{plain.__name__} compiled with numba (nopython); the plain '
                            f'Python function is at .plain, its source at .source')
        return function


def _ndarray():
    import numpy as np
    return np.ndarray


def _number_of(x):
    """`x`, or for a 0-d array its number (a NumPy scalar): for a cotangent, which numba
    could not unify with the numbers the backward sweep makes of it."""
    if type(x) is _ndarray() and not x.ndim:
        return x[()]
    return x


def _retyped(x):
    """Whether the gradient of the argument `x` needs `_Retype`: a NumPy scalar, a Python
    bool, an integer or boolean array (numba gives float32 where NumPy's float64 is due), a
    0-d array (given to compiled code as its number)."""
    cls = type(x)
    if cls is float or cls is int:
        return False
    return cls is not _ndarray() or x.dtype.kind not in 'fc' or not x.ndim


class _Retype:
    """Give each gradient of a NumPy scalar argument its type (numba returns Python floats
    for every scalar; the plain gradient of an ``np.float32`` is an ``np.float32``)."""

    def __init__(self, mode, wrt):
        self.mode = mode
        self.single = wrt.single

    def __call__(self, result, values):
        if self.mode is Mode.VALUE_AND_GRAD:
            return (result[0], self._grads(result[1], values))
        return self._grads(result, values)

    def _grads(self, grads, values):
        import numpy as np
        if self.single:
            grads, values = (grads,), values[:1]
        # (a NumPy float argument gets a gradient of its type; an integer or boolean one a
        # float64, as the plain gradient does)
        fixed = tuple((type(x) if isinstance(x, np.floating) else np.float64)(g)
                      if isinstance(x, np.generic) and not isinstance(g, np.ndarray)
                      else np.asarray(g, x.dtype if x.dtype.kind in 'fc' else np.float64)
                      if isinstance(x, np.ndarray) and not x.ndim
                      else g.astype(np.float64)
                      if isinstance(x, np.ndarray) and x.dtype.kind in 'biu' and
                      isinstance(g, np.ndarray) and g.dtype != np.float64
                      else g for g, x in zip(grads, values))
        return fixed[0] if self.single else fixed


class _Failure:
    """What a compile error at a call does: raise CompileError naming the line, or (with
    `fallback`) warn once and run the plain function from then on."""

    def __init__(self, unit_, plain, state, fallback):
        self.unit = unit_
        self.plain = plain
        self.state = state
        self.fallback = fallback

    def __call__(self, error, args, kwargs):
        retry = self._reformed(error)
        if retry is not None:
            return retry(*args, **kwargs)
        compile_error = _from_numba(error, self.plain.__name__, _form_note(error, self.unit))
        if not self.fallback:
            raise compile_error from None
        warnings.warn(_fallback_text(compile_error) + ' (for this call and every later one)',
                      CompileFallbackWarning, stacklevel=3)
        self.state.append(True)
        return self.plain(*args, **kwargs)

    def _reformed(self, error):
        """Where numba's `error` says that a variable is an array on one path and a list on
        another (see `_form`), the unit is compiled again with that variable in one form,
        and the wrapper (to call again) is returned; None otherwise, or where that variable
        has a form already."""
        found = _form(error)
        forms = self.unit.forms
        if found is None or found[1] in forms.get(found[0], {}) or \
                sum(map(len, forms.values())) >= _MOST_FORMS:
            return None
        forms = {name: dict(given) for name, given in forms.items()}
        forms.setdefault(found[0], {})[found[1]] = found[2]
        self.unit = _Unit(self.unit.generated, self.unit.numba, self.unit.runtime, forms)
        self.space.update(self.unit.entries())
        self.function.dispatchers = dict(self.unit.dispatchers)
        return self.function


_MOST_FORMS = 16
"""How many variables (of all the members of a unit) the compiled path gives a form."""


def _signature(sig):
    """(the parameter list of `sig` with placeholder defaults, the call passing them on,
    the same call with keyword-only arguments passed by position, as the compiled code takes
    them (see `_positional`), the ``(args, kwargs)`` expression collecting them) for the
    wrapper's source."""
    params, call, positional, keywords, compiled = [], [], [], [], []
    star = False
    for p in sig.parameters.values():
        default = '=None' if p.default is not p.empty else ''
        if p.kind is p.POSITIONAL_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD:
            params.append(p.name + default)
            call.append(p.name)
            compiled.append(p.name)
            positional.append(p.name)
        elif p.kind is p.VAR_POSITIONAL:
            params.append('*' + p.name)
            call.append('*' + p.name)
            compiled.append('*' + p.name)
            star = p.name
        elif p.kind is p.KEYWORD_ONLY:
            if not star and '*' not in params:
                params.append('*')
            params.append(p.name + default)
            call.append(f'{p.name}={p.name}')
            compiled.append(p.name)
            keywords.append(p.name)
        else:
            params.append('**' + p.name)
            call.append('**' + p.name)
            compiled.append('**' + p.name)
            keywords.append('**' + p.name)
    if any(p.kind is p.POSITIONAL_ONLY for p in sig.parameters.values()):
        last = max(k for k, p in enumerate(sig.parameters.values())
                   if p.kind is p.POSITIONAL_ONLY)
        params.insert(last + 1, '/')
    args = '(' + ''.join(f'{p}, ' for p in positional) + ')' + (f' + {star}' if star else '')
    kwargs = '{' + ', '.join(f'**{k[2:]}' if k.startswith('**') else f'{k!r}: {k}'
                             for k in keywords) + '}'
    return ', '.join(params), ', '.join(call), ', '.join(compiled), f'{args}, {kwargs}'


def _positional(node, function, name):
    """Make the keyword-only parameters of `node` positional (numba binds keywords only to
    those), after the others; return the defaults of the result (from `function`)."""
    args = node.args
    defaults = list(function.__defaults__ or ())
    if not args.kwonlyargs:
        return defaults
    if args.vararg is not None or args.kwarg is not None:
        raise CompileError(f'cannot compile `{name}` with numba: it has both `*args` or '
                           f'`**kwargs` and keyword-only parameters; {_ADVICE}')
    defaults = _positional_defaults(function, [arg.id for arg in args.kwonlyargs])
    args.args = list(args.args) + list(args.kwonlyargs)
    args.kwonlyargs, args.kw_defaults = [], []
    args.defaults = [n.const(None) for _ in defaults]
    return defaults


def _positional_defaults(function, names):
    """The defaults of `function` with its keyword-only parameters `names` made positional,
    after the others: those of its positional parameters, then the keyword-only ones' (None
    for one without a default: a call in Python always passes it)."""
    defaults = list(function.__defaults__ or ())
    given = function.__kwdefaults__ or {}
    if defaults or given:  # (a seed without a default gets None: callers always pass it)
        defaults += [given.get(p) for p in names]
    return defaults


def _keyword_only(function):
    """Check that the keyword-only parameters of a function of the user's that compiled code
    calls can be made positional, after the others (`_user` and `_rewritten` compile it so):
    numba binds a call from compiled code wrongly where the callee has keyword-only
    parameters (it takes the last positional arguments for them: ``s(y, 3.0)`` of ``def
    s(v, a=2.0, *, b=1.0)`` ran with ``a=2.0``, silently, and a call by keywords raised
    IndexError inside numba). Made positional, every call that Python accepts binds as in
    Python, by position or by keyword. CompileError where the function has ``*args`` or
    ``**kwargs`` too (``*args`` takes the positional arguments after the others)."""
    code = function.__code__
    if not code.co_kwonlyargcount or \
            not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return
    names = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    listed = ', '.join(f'`{p}`' for p in names)
    raise CompileError(
        f'cannot compile `{function.__name__}` with numba: it has `*args` or `**kwargs` and '
        f'the keyword-only parameter{"s" if len(names) > 1 else ""} {listed}, which numba '
        f'binds wrongly in a call from compiled code; make {listed} positional, before '
        f'`*args` (``def {function.__name__}(x, {names[0]}=1.0, *args)``), or {_ADVICE}')


def _frozen_function(value):
    """A function of yours that compiled code calls as numba compiled it (not one s2sgrad
    generated, which the unit compiles itself)."""
    return _is_user_function(value) and getattr(value, '__s2sgrad__', None) is None and \
        not (getattr(value, '__code__', None) and value.__code__.co_filename.startswith('<s2sgrad'))


def _is_user_function(value):
    """A plain Python function of the user's (not of NumPy, numba, math or s2sgrad)."""
    if not isinstance(value, types.FunctionType):
        return False
    module = (getattr(value, '__module__', None) or '').split('.')[0]
    return module not in _LIBRARIES


def _guard(node):
    """``(index, params, general)`` of the check ``if type(x) not in (float, int): return
    general(x)`` that starts a version for Python numbers (see `scalar_version`), or None."""
    for index, stmt in enumerate(node.body):
        if n.is_comment(stmt):
            continue
        if not isinstance(stmt, gast.If) or stmt.orelse or len(stmt.body) != 1 or \
                not isinstance(stmt.body[0], gast.Return) or \
                not isinstance(stmt.body[0].value, gast.Call) or \
                not isinstance(stmt.body[0].value.func, gast.Name):
            return None
        tests = stmt.test.values if isinstance(stmt.test, gast.BoolOp) else [stmt.test]
        params = []
        for test in tests:
            if not (isinstance(test, gast.Compare) and len(test.ops) == 1 and
                    isinstance(test.ops[0], gast.NotIn) and isinstance(test.left, gast.Call)
                    and isinstance(test.left.func, gast.Name) and test.left.func.id == 'type'
                    and len(test.left.args) == 1 and isinstance(test.left.args[0], gast.Name)):
                return None
            params.append(test.left.args[0].id)
        return index, tuple(params), stmt.body[0].value.func.id
    return None


def _number_test(node):
    """Whether `node` is ``type(x) not in (float, int)``, the test of `scalar_version`."""
    return isinstance(node, gast.Compare) and len(node.ops) == 1 and \
        isinstance(node.ops[0], gast.NotIn) and isinstance(node.left, gast.Call) and \
        n.dotted_path(node.left.func) == 'type' and len(node.left.args) == 1 and \
        isinstance(node.comparators[0], gast.Tuple) and \
        [n.dotted_path(e) for e in node.comparators[0].elts] == ['float', 'int']


_REDUCTIONS = {'sum': 'reduce_sum', 'mean': 'reduce_mean', 'max': 'reduce_max',
               'min': 'reduce_min', 'amax': 'reduce_max', 'amin': 'reduce_min'}


_LIST_TAKING = {'stack': 2, 'concatenate': 2, 'array': 1, 'squeeze': 2}
"""NumPy functions that numba's NumPy lacks for lists of arrays (or at all: np.squeeze) ->
how many arguments (the array or list, then ``axis``) their ``s2s`` versions take."""


def _rewrite(node, space):
    """Rewrite in place what numba does not compile but means the same in other words
    (`space`: the member's globals, to know that ``np`` is NumPy):
    ``reversed(range(a, b, c))`` becomes ``range(*s2s.reversed_range(a, b, c))``,
    ``a @ b``, ``np.matmul``, ``np.dot``, ``a.dot(b)`` and ``np.outer`` become
    ``s2s.matmul`` (``dot``, ``outer``), which take arrays of any dtypes, and ``np.sum``,
    ``np.mean``, ``np.max``, ``np.min`` (and those methods) over an axis or with ``keepdims`` become
    ``s2s.reduce_sum`` (``reduce_mean``, ...), which numba's own lack, ``a ** b`` without
    a float literal becomes ``s2s.power(a, b)``, which raises for an integer to a negative
    integer power (numba's is 0; Python's a float), ``x.reshape(shape)`` becomes
    ``s2s.reshaped(x, shape)`` (which copies an array numba cannot reshape), and a call of
    a function of the user's through a module (``helpers.step(x)``) calls it by a name;
    ``while True:`` becomes ``while forever():`` (numba miscompiled some such loops)."""
    import numpy
    numba_integers.checked(node)  # (``n = n * 7``: numba's integers wrap, Python's grow)
    _assigned_flags(node, space)  # (``s2s.defined(y)``: numba gives `y` a value of its own)
    stored = n.names_stored(node)
    for child in list(n.walk(node)):
        if isinstance(child, gast.While) and isinstance(child.test, gast.Constant) and \
                child.test.value is True:
            # (numba miscompiled loops left only by a ``break`` under a constant test)
            from .numba_runtime import forever
            name = _fresh('forever', space, stored)
            space[name] = forever
            child.test = n.call(n.name(name))
            continue
        if isinstance(child, gast.BinOp) and isinstance(child.op, gast.Pow) and \
                not _float_literal(child.left) and not _float_literal(child.right):
            # (an integer to a negative integer power: Python's float, numba's 0)
            _become(child, n.call(n.attr('s2s', 'power'), child.left, child.right))
            continue
        if _number_test(child):
            # (``type(lr) not in (float, int)`` of a guard kept by a second derivative: its
            # compiled form, as the wrapper chooses the version by the arguments' types)
            _become(child, n.call(n.attr('s2s', 'not_number'), child.left.args[0]))
            continue
        if isinstance(child, gast.BinOp) and isinstance(child.op, gast.MatMult):
            # (numba's products take floats of one dtype: ``A @ x`` of integers and floats)
            _become(child, n.call(n.attr('s2s', 'matmul'), child.left, child.right))
            continue
        if not isinstance(child, gast.Call) or \
                any(isinstance(a, gast.Starred) for a in child.args):
            continue
        path = n.dotted_path(child.func) or ''
        root, _, attr = path.partition('.')
        numpy_call = '.' in path and space.get(root) is numpy and '.' not in attr
        if numpy_call and attr == 'array':  # (``like=`` of a tangent rule: for CuPy's arrays)
            child.keywords = [k for k in child.keywords if k.arg != 'like']
        function = _module_function(path, space)
        if function is not None:  # (``helpers.step(x)``: numba types no module's function)
            name = _fresh(path.replace('.', '_'), space, stored)
            space[name] = function
            child.func = n.name(name)
        elif path == 'reversed' and len(child.args) == 1 and not child.keywords and \
                isinstance(child.args[0], gast.Call) and \
                n.dotted_path(child.args[0].func) == 'range' and \
                1 <= len(child.args[0].args) <= 3 and not child.args[0].keywords and \
                not any(isinstance(a, gast.Starred) for a in child.args[0].args):
            args = list(child.args[0].args)
            if len(args) == 1:
                args = [n.const(0)] + args
            if len(args) == 2:
                args.append(n.const(1))
            child.func = n.name('range')
            child.args = [gast.Starred(value=n.call(n.attr('s2s', 'reversed_range'), *args),
                                       ctx=gast.Load())]
        elif numpy_call and attr in _LIST_TAKING and \
                1 <= len(child.args) <= _LIST_TAKING[attr] and \
                all(k.arg == 'axis' for k in child.keywords) and \
                len(child.args) + len(child.keywords) <= _LIST_TAKING[attr]:
            child.func = n.attr('s2s', attr)
        elif path == 'sum' and len(child.args) == 1 and not child.keywords and \
                space.get('sum', builtins.sum) is builtins.sum and 'sum' not in stored:
            child.func = n.attr('s2s', 'builtin_sum')
        elif _reshape_call(child, path, numpy_call, space):
            # (numba reshapes C-contiguous arrays only: a transposed one raised at run time)
            array, *shape = child.args if numpy_call else [child.func.value] + child.args
            child.func = n.attr('s2s', 'reshaped')
            child.args = [array, shape[0] if len(shape) == 1 else
                          gast.Tuple(elts=shape, ctx=gast.Load())]
        elif numpy_call and attr in ('matmul', 'dot', 'outer') and len(child.args) == 2 and \
                not child.keywords:
            child.func = n.attr('s2s', attr)
        elif isinstance(child.func, gast.Attribute) and child.func.attr == 'dot' and \
                len(child.args) == 1 and not child.keywords and root != 's2s' and \
                not isinstance(space.get(root), types.ModuleType):
            child.args = [child.func.value] + child.args  # (``a.dot(b)``)
            child.func = n.attr('s2s', 'dot')
        elif isinstance(child.func, gast.Attribute) and child.func.attr in _REDUCTIONS:
            keywords = {k.arg: k.value for k in child.keywords}
            if numpy_call:
                operands = list(child.args)
            elif not path.startswith('s2s.'):
                operands = [child.func.value] + list(child.args)
            else:
                continue
            if not operands or len(operands) > 3 or set(keywords) - {'axis', 'keepdims'} or \
                    len(operands) == 1 and not keywords:
                continue
            names = ['x', 'axis', 'keepdims'][:len(operands)]
            if set(names) & set(keywords):
                continue
            values = dict(zip(names, operands), **keywords)
            child.func = n.attr('s2s', _REDUCTIONS[child.func.attr])
            child.args = [values['x'], values.get('axis', n.const(None)),
                          values.get('keepdims', n.const(False))]
            child.keywords = []


def _assigned_flags(node, space):
    """Rewrite in place each ``s2s.defined(y)`` of the FunctionDef `node` (a read of `y`
    where it may be unassigned, `unbound_reads`) as a flag that the assignments of `y` set:
    ``if not y_assigned: raise UnboundLocalError(...)``. numba gives a variable read before
    any assignment a value of its own, where Python raises."""
    checked = sorted({call.args[0].id for call in n.walk(node) if isinstance(call, gast.Call)
                      and n.dotted_path(call.func) == 's2s.defined' and len(call.args) == 1
                      and isinstance(call.args[0], gast.Name)})
    if not checked:
        return
    stored = set(n.names_stored(node))
    flags = {}
    for name in checked:
        flags[name] = _fresh(f'{name}_assigned', space, stored)
        stored.add(flags[name])

    def setting(names):
        return [n.assign(flags[name], n.const(True)) for name in sorted(set(names) & set(flags))]

    def rewrite(block):
        out = []
        for stmt in block:
            call = stmt.value if isinstance(stmt, gast.Expr) else None
            if isinstance(call, gast.Call) and n.dotted_path(call.func) == 's2s.defined' and \
                    len(call.args) == 1 and isinstance(call.args[0], gast.Name) and \
                    call.args[0].id in flags:
                name = call.args[0].id
                message = (f"cannot access local variable '{name}' where it is not "
                           f"associated with a value")
                out.append(gast.copy_location(gast.If(
                    test=gast.UnaryOp(op=gast.Not(), operand=n.name(flags[name])),
                    body=[gast.Raise(exc=n.call(n.name('UnboundLocalError'), n.const(message)),
                                     cause=None)], orelse=[]), stmt))
                continue
            n.map_blocks(stmt, rewrite)
            if isinstance(stmt, gast.For):
                stmt.body = setting(n.names_stored(stmt.target)) + stmt.body
            if isinstance(stmt, gast.Assign) and \
                    n.dotted_path(stmt.value) == 's2s.UNASSIGNED':
                # (the placeholder before a loop, no assignment: 0 for an integer, which
                # numba indexes with, else None)
                from .reverse_function import placeholder_value
                stmt.value = placeholder_value(stmt.targets[0].id, node.body) \
                    if isinstance(stmt.targets[0], gast.Name) else n.const(None)
                out.append(stmt)
                continue
            out.append(stmt)
            if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
                out.extend(setting(n.names_stored(stmt)))
        return out
    node.body = [n.assign(flags[name], n.const(False)) for name in checked] + rewrite(node.body)


def _reshape_call(call, path, numpy_call, space):
    """Whether `call` is ``np.reshape(x, shape)`` or ``x.reshape(shape)`` (``x.reshape(2,
    3)``) of a value, not of a module, without ``order=``."""
    if call.keywords or not call.args:
        return False
    if numpy_call:
        return path.endswith('.reshape') and len(call.args) == 2
    root = path.split('.')[0]
    return isinstance(call.func, gast.Attribute) and call.func.attr == 'reshape' and \
        not (path and isinstance(space.get(root), types.ModuleType)) and root != 's2s'


def _module_function(path, space):
    """The function of the user's that dotted `path` names through modules (``helpers.step``,
    ``pkg.mod.f``), or None."""
    root, *attrs = path.split('.')
    value = space.get(root)
    if not attrs or not isinstance(value, types.ModuleType):
        return None
    for attr in attrs:
        if not isinstance(value, types.ModuleType):
            return None
        value = getattr(value, attr, None)
    return value if _is_user_function(value) else None


def _fresh(name, space, taken):
    """`name`, or with a number after it, bound in neither `space` nor `taken`."""
    candidate, count = name, 1
    while candidate in space or candidate in taken:
        count += 1
        candidate = f'{name}_{count}'
    return candidate


def _float_literal(node):
    """A float literal (``2.0``, ``-0.5``): a power with one is a float power."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) is float


_UNIFY = re.compile(r"Cannot unify (.+?) and (.+?) for '([A-Za-z_]\w*?)(?:\.\d+)?', "
                    r"defined at <s2sgrad (\w+) ")


_LIST_METHODS = ('append', 'pop', 'extend', 'insert', 'remove', 'index', 'clear')
_LIST_METHOD = re.compile(r"Unknown attribute '(%s)' of type array\(.*?\n\s*\n"
                          r'File "(<s2sgrad (\w+) [0-9a-f]+>)", line (\d+)'
                          % '|'.join(_LIST_METHODS), re.S)


def _form(error):
    """``(unit name, variable, form)`` when numba's `error` says that a variable of a
    generated member is an array on one path and a list on another: ``'array'`` where
    numba could not unify the two (where paths join, `_as_arrays`), ``'list'`` where it
    met a list method (``pop``, ``append``) of an array (a list's adjoint that came as an
    array from another member, `_as_lists`); else None."""
    text = str(error)
    match = _UNIFY.search(text)
    if match is not None:
        kinds = {_kind(match.group(1)), _kind(match.group(2))}
        if kinds == {'array', 'number'}:
            return match.group(4), match.group(3), 'zeros'
        return (match.group(4), match.group(3), 'array') if kinds == {'array', 'list'} \
            else None
    match = _LIST_METHOD.search(text)
    if match is None:
        return None
    line = linecache.getline(match.group(2), int(match.group(4)))
    found = re.findall(r'\b([A-Za-z_]\w*)\.%s\(' % match.group(1), line)
    if len(set(found)) != 1:
        return None
    return match.group(3), found[0], 'list'


def _kind(numba_type):
    text = numba_type.strip()
    if text.startswith('OptionalType(') and text.endswith(')'):
        text = text[len('OptionalType('):-1]  # (an adjoint that may be None: `State.unset`)
    if text.startswith('array('):
        return 'array'
    if text.startswith(('list(', 'reflected list(')):
        return 'list'
    if re.match(r'(Literal\[\w+\]\(.*\)|float\d+|int\d+|uint\d+|bool)$', text):
        return 'number'
    return None


def _as_arrays(node, names):
    """Make each variable of `names` an array where control flow joins in the function
    `node`: ``x = s2s.as_array(x)`` (a list or tuple of arrays or numbers stacked into an
    array; an array as it is) ends each branch of an ``if`` that binds it, and comes before
    a loop that binds it, at the end of its body and before its ``break`` and ``continue``.
    numba gives a variable one type where paths meet; in between, each path keeps its own
    (a list is built with ``append``, an array read as one). Where `x` is an array on one
    path and a list on another, what follows the join reads it as both (``x[i]``,
    ``len(x)``, NumPy functions), the same from the stacked array, and its adjoint takes the
    array's form."""
    if not names:
        return
    names = list(dict.fromkeys(names))

    def convert(var):
        return n.assign(var, n.call(n.attr('s2s', 'as_array'), n.name(var)))

    def ended(body, var):
        """`body` with the conversion of `var` at its end (before a final jump)."""
        if body and isinstance(body[-1], (gast.Return, gast.Raise)):
            return body
        if body and isinstance(body[-1], (gast.Break, gast.Continue)):
            return body[:-1] + [convert(var), body[-1]]
        return body + [convert(var)]

    def before_jumps(body, var):
        """`body` with the conversion of `var` before each ``break`` and ``continue`` of
        the loop whose body it is (not those of loops inside it)."""
        out = []
        for stmt in body:
            if isinstance(stmt, (gast.Break, gast.Continue)):
                out.append(convert(var))
            elif isinstance(stmt, (gast.If, gast.With, gast.Try)):
                for field in ('body', 'orelse', 'finalbody'):
                    if isinstance(getattr(stmt, field, None), list):
                        setattr(stmt, field, before_jumps(getattr(stmt, field), var))
                for handler in getattr(stmt, 'handlers', ()):
                    handler.body = before_jumps(handler.body, var)
            out.append(stmt)
        return out

    def visit(body, bound):
        out = []
        bound = set(bound)
        for stmt in body:
            stored = set(n.names_stored(stmt)) if not isinstance(stmt, gast.FunctionDef) \
                else set()
            here = [v for v in names if v in stored]
            if isinstance(stmt, gast.If):
                stmt.body = visit(stmt.body, bound)
                stmt.orelse = visit(stmt.orelse, bound)
                for var in here:
                    for field in ('body', 'orelse'):
                        branch = getattr(stmt, field)
                        if var in bound or any(var in n.names_stored(s) for s in branch):
                            setattr(stmt, field, ended(branch, var))
            elif isinstance(stmt, (gast.For, gast.While)):
                inner = bound | (set(n.names_stored(stmt.target))
                                 if isinstance(stmt, gast.For) else set())
                stmt.body = visit(stmt.body, inner)
                stmt.orelse = visit(stmt.orelse, bound | stored)
                for var in here:
                    if var in bound:
                        out.append(convert(var))
                    stmt.body = ended(before_jumps(stmt.body, var), var)
            elif isinstance(stmt, (gast.With, gast.Try)):
                stmt.body = visit(stmt.body, bound)
                for field in ('orelse', 'finalbody'):
                    if isinstance(getattr(stmt, field, None), list):
                        setattr(stmt, field, visit(getattr(stmt, field), bound))
                for handler in getattr(stmt, 'handlers', ()):
                    handler.body = visit(handler.body, bound)
            out.append(stmt)
            bound |= stored
        return out
    params = {a.id for a in node.args.args + node.args.kwonlyargs}
    node.body = visit(node.body, params)


def _as_zero_arrays(node, names):
    """Make the zero adjoints ``bx = 0.0`` that the backward sweep puts at the end of a
    loop's pass (`x` made in the loop: 0.0 stands for zeros of any shape) ``bx =
    s2s.zeros_like(bx)`` for each adjoint of `names`: numba gives a variable one type, and
    `bx` is an array in the pass. Zeros of the shape `bx` had are the same zero adjoint. (A
    ``bx = None``, no adjoint, stays: numba types `bx` an optional array.)"""
    for stmt in n.statements(node.body):
        if isinstance(stmt, gast.Assign) and getattr(stmt, 'zero_adjoint', False) and \
                isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in names and \
                not (isinstance(stmt.value, gast.Constant) and stmt.value.value is None):
            stmt.value = n.call(n.attr('s2s', 'zeros_like'), n.name(stmt.targets[0].id))


def _as_lists(node, names):
    """Make each variable of `names` a list in the function `node`: ``x = s2s.as_list(x)``
    (an array as the list of its rows, a list as it is) where it is bound (at the start
    for a parameter). For a list's adjoint that comes as an array (one row per item) from a
    member where the list was made an array (`_as_arrays`)."""
    if not names:
        return
    names = list(dict.fromkeys(names))

    def convert(var):
        return n.assign(var, n.call(n.attr('s2s', 'as_list'), n.name(var)))

    def visit(body):
        out = []
        for stmt in body:
            for field in ('body', 'orelse', 'finalbody'):
                if isinstance(getattr(stmt, field, None), list) and \
                        not isinstance(stmt, gast.FunctionDef):
                    setattr(stmt, field, visit(getattr(stmt, field)))
            for handler in getattr(stmt, 'handlers', ()):
                handler.body = visit(handler.body)
            if isinstance(stmt, gast.For):
                stmt.body = [convert(v) for v in names
                             if v in n.names_stored(stmt.target)] + stmt.body
            out.append(stmt)
            if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
                stored = {v for t in targets for v in n.names_stored(t)}
                out.extend(convert(v) for v in names if v in stored)
        return out
    params = {a.id for a in node.args.args + node.args.kwonlyargs}
    node.body = [convert(v) for v in names if v in params] + visit(node.body)


def _become(node, other):
    """Turn `node` into `other` in place (its class and fields)."""
    node.__class__ = other.__class__
    node.__dict__.clear()
    node.__dict__.update(other.__dict__)


def _refuse_unseeded_draws(node, space, name):
    """CompileError where the code `node` (of the compiled member `name`, its names bound in
    `space`) draws from NumPy's global generator (``np.random.randn(3)``) before a statement
    of its own body, not in a branch or a loop, seeds it (``np.random.seed(0)``), or draws
    from the `random` module's at all: numba draws from generators of its own, which the
    caller's ``np.random.seed(0)`` does not reach (and whose `random.seed` gives other
    numbers than Python's), so the compiled gradient would draw other numbers than the plain
    one."""
    seeded = False
    for stmt in node.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                _global_value(stmt.value.func, space) is np.random.seed:
            seeded = True
            continue
        for child in n.walk(stmt):
            if not isinstance(child, gast.Call):
                continue
            found = _global_value(child.func, space)
            owner = getattr(found, '__self__', None)
            if owner is random._inst:
                # (numba's `random` seeds its generator otherwise than Python's: other
                # numbers, seeded or not)
                raise CompileError(
                    f'cannot compile `{name}` with numba: it calls '
                    f'`{n.dotted_path(child.func)}` of Python\'s `random` module, whose '
                    f'numbers numba draws from a generator of its own, seeded otherwise than '
                    f'Python\'s: not those of the plain gradient. Draw with NumPy '
                    f'(`np.random.seed(...)` in the function, then `np.random.rand()`), or '
                    f'pass the numbers as an argument; or {_ADVICE}')
            if owner is np.random.mtrand._rand and not seeded or found is np.random.seed:
                shown = n.dotted_path(child.func)
                raise CompileError(
                    f'cannot compile `{name}` with numba: it calls `{shown}(...)` of a '
                    f'global generator that no statement of the function seeded before, not in '
                    f'a branch or a loop (`np.random.seed(...)`), and numba draws from a '
                    f'generator of its own, which a seed set outside the function does not '
                    f'reach: the numbers would not be those of the plain gradient. Seed it in '
                    f'the function, first, or pass the random numbers as an argument; or '
                    f'{_ADVICE}')


def _global_value(func, space):
    """What the name or module path `func` (``np.random.randn``) denotes in `space`."""
    path = n.dotted_path(func)
    if path is None:
        return None
    parts = path.split('.')
    found = space.get(parts[0])
    for part in parts[1:]:
        found = getattr(found, part, None)
    return found


def _unsupported_helper(helper, source, name):
    """CompileError for a runtime helper with no numba implementation, at its first use."""
    lines = source.splitlines()
    for number, text in enumerate(lines, 1):
        column = text.find(f's2s.{helper}(')
        if column >= 0:
            break
    else:
        number, text, column = None, None, -1
    return CompileError(
        f'cannot compile `{name}` with numba: the runtime helper s2s.{helper} has no numba '
        f'implementation{_grad_of(lines, number)}; {_ADVICE}',
        f'<s2sgrad {name} (as compiled)>' if number else None, number,
        column + 1 if column >= 0 else None, text,
        number, column + len(helper) + 5 if column >= 0 else None)


_ADVICE = ("leave compile= out (or pass compile=None) for the plain Python gradient, or "
           "pass fallback=True to run it with a warning")


def _grad_of(lines, number):
    """`` (in the derivative of the line `...`)`` for the ``# Grad of:`` or ``# Tangent
    of:`` comment above line `number` of `lines`, or ''."""
    if not number:
        return ''
    for text in reversed(lines[:number]):
        match = re.match(r'\s*# (?:Grad|Tangent) of: (.*)', text)
        if match:
            return f' (in the derivative of the line `{match.group(1).strip()}`)'
    return ''


def _form_note(error, unit_):
    """What the compiled path did to a variable that numba could still not give one type
    (`error`), or ''."""
    match = _UNIFY.search(str(error))
    if match is None:
        return ''
    var = match.group(3)
    form = unit_.forms.get(match.group(4), {}).get(var)
    if form == 'array':
        return (f' (`{var}` is a list on one path and an array on another; compiled code '
                f'stacks the list into an array where the paths join, which needs a list of '
                f'items of one shape, each like a row of the array)')
    if form == 'list':
        return (f' (`{var}` is a list on one path and an array on another; compiled code '
                f'makes it a list of rows where it is bound)')
    if {_kind(match.group(1)), _kind(match.group(2))} == {'array', 'number'}:
        return (f' (`{var}` is a number on one path and an array on another: start it as '
                f'an array, e.g. np.zeros(shape) in place of 0.0)')
    return ''


_UNBOXING = ("can't unbox heterogeneous list", 'cannot reflect element of reflected container',
             'cannot compute fingerprint of empty list')
"""What numba says where it cannot take a list argument (it raises TypeError or ValueError
before compiling anything)."""


def _compiling(error):
    """Whether `error` was raised by numba's own code as it compiled (the innermost frame of
    its traceback is in the numba package: ``Multiple argument raise is not supported.``),
    not by compiled code as it ran."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and f'{os.sep}numba{os.sep}' in frames[-1].filename


def _ran(numba_error, error):
    """Whether `error` (an AssertionError, NotImplementedError, ... that numba's compiler
    may also raise) was raised by compiled code as it ran (a user's ``assert x > 0``, ``raise
    NotImplementedError``), not by numba compiling it: the plain function raises it too."""
    return not isinstance(error, numba_error) and not _compiling(error)


def _unboxing(error):
    """A TypeError that says why numba cannot take a list argument, where `error` is numba's
    refusal of one (its items of different types, a list in a list, an empty list); None for
    another error."""
    message = str(error)
    if not message.startswith(_UNBOXING):
        return None
    return TypeError(f'numba cannot take a list argument ({message}): its items must all have '
                     f'one type (dtype, number of dimensions and memory layout), and it must '
                     f'not be empty nor hold lists; pass a tuple')


def _met_none(error):
    """A TypeError that says why the compiled code stopped, where `error` is numba's
    ``expected float64, got None`` as it ran: a variable typed a number or an array (from its
    other values) that held None (``best = None`` before the loop that sets it, or a value
    saved before its first one); None for another error."""
    message = str(error)
    if not re.fullmatch(r'expected .+, got None', message):
        return None
    return TypeError(f'the compiled code met None where numba typed the variable by its other '
                     f'values ({message}): numba gives a variable one type, and a variable '
                     f'of yours that starts as None (`best = None`, then a number) has two; '
                     f'start it with a value of its type (`best = -np.inf`)')


def _from_numba(error, name, note=''):
    """CompileError for numba's compile error `error`: the line numba rejected (in the
    generated code, or in a function of the user's that it calls) and numba's reason."""
    if isinstance(error, OverflowError):  # (raised as it ran: `numba_integers`)
        return CompileError(f'the compiled `{name}` stopped: {error}; {_ADVICE}')
    loc = getattr(error, 'loc', None)
    filename = getattr(loc, 'filename', None)
    lineno = getattr(loc, 'line', None)
    text = linecache.getline(filename, lineno) if filename and lineno else None
    column = getattr(loc, 'col', None)
    lines = linecache.getlines(filename) if filename else []
    reason = _reason(str(error))
    if isinstance(error, AssertionError):
        reason = f'numba failed inside its type inference (AssertionError {str(error)!r:.200})'
    where = _grad_of(lines, lineno) if filename and filename.startswith('<s2sgrad') else ''
    offset = None
    if text and column is not None and column >= 0:
        offset = column + 1
    elif text:
        offset = len(text) - len(text.lstrip()) + 1
    return CompileError(
        f'numba cannot compile `{name}` (nopython mode){where}: {reason}{note}; {_ADVICE}',
        filename, lineno, offset, text)


def _reason(message):
    """The lines of numba's error message that say what failed (not where, nor how numba
    went about it)."""
    kept = []
    for line in message.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(('Failed in ', 'During:', 'File "', '^',
                                                '<source elided>')):
            continue
        if stripped.startswith(('raised from', 'There are ', '- Of which', 'Overload ',
                                'Rejected as', 'TypingError', 'With argument')):
            continue
        kept.append(stripped)
        if len(kept) >= 4:
            break
    text = ' '.join(kept)
    text = re.sub(r'<function (\w+) at 0x[0-9a-f]+>', r'\1', text)
    constant = re.search(r'OverloadSelector object at 0x[0-9a-f]+>, \((.*)\)', text)
    if constant:  # (a constant numba cannot make: ``cfg.L[1]`` of a module's list)
        return (f'numba cannot compile in the value of type {constant.group(1).rstrip(",")} '
                f'that a global or a module\'s attribute holds (it compiles in numbers, arrays '
                f'and tuples of them); pass it as an argument, or hold a tuple or an array')
    return text[:600] or 'numba gave no reason'
