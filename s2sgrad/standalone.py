"""Source text of the runtime helpers generated code calls, for modules importing NumPy only."""
import ast
import builtins
import importlib
import importlib.util
import inspect
import numbers
import textwrap

import numpy as np

from . import errors, rules, runtime
from .errors import S2SError

_ABSTRACT = {
    numbers.Number: ('_Number', '(int, float, complex, np.number)'),
    numbers.Integral: ('_Integral', '(int, np.integer)'),
    numbers.Real: ('_Real', '(int, float, np.floating, np.integer)'),
}
"""``numbers.X`` -> the name and value of the tuple of classes that stands for it: the Python
numbers and NumPy scalars ``isinstance(v, numbers.X)`` accepts (``numbers`` is not imported)."""

_SIMPLER = {
    (runtime.__name__, '_output_location'): '''
def _output_location():
    """Where the generated function returns its value: unknown here, so ''."""
    return ''
''',
    (runtime.__name__, '_read_location'): '''
def _read_location(var):
    """Where your function reads `var`: unknown here, so ''."""
    return ''
''',
    (runtime.__name__, '_scatter_add'): '''
def _scatter_add(bx, index, g):
    """``bx[index] += g`` with repeated indices adding up; return `bx`."""
    np.add.at(bx, index, g)
    return bx
''',
    (runtime.__name__, '_stand_in'): '''
def _stand_in(shape, dtype):
    """A read-only array of `shape` and `dtype` whose elements all share one zero."""
    stand_in = np.ndarray(shape, dtype, np.zeros(1, dtype), 0, (0,) * len(shape))
    stand_in.flags.writeable = False
    return stand_in
''',
    (runtime.__name__, 'rerun_checked'): '''
def rerun_checked(obj, callee, used, after=()):
    """`obj`, which s2sgrad's own check (`s2sgrad.runtime.rerun_checked`) reads the code of
    the members of: what `callee` reads of it must not change before its derivative runs it
    again. A module importing only NumPy cannot read it, and passes the object on."""
    return obj
''',
    (runtime.__name__, 'check_method_writes'): '''
def check_method_writes(obj, name, message, given, unknown=(), kept=None):
    """Raise InPlaceError where the method `name` of `obj` is a Python function (not a
    builtin's) and the call gives it an array (or a container holding one, or values not
    known here), or its object holds an array sharing memory with one of `kept`:
    s2sgrad's own check (`s2sgrad.runtime.check_method_writes`) reads the method's code,
    which a module importing only NumPy cannot, so it refuses them all (and those it cannot
    find: a method of an attribute, ``'opt.step'``, a property's, one that ``__getattr__``
    gives); of a list, tuple or dict of objects, each item's."""
    if isinstance(obj, (list, tuple, set, frozenset, dict, type({}.values()))):
        for item in list(obj.values() if isinstance(obj, dict) else obj):
            check_method_writes(item, name, message, given, unknown, kept)
        return
    if name == '__call__' and hasattr(getattr(obj, '__func__', obj), '__code__'):
        method = obj  # (a function or a bound method called by name)
    elif '.' in name:
        method = property()  # (not looked up here)
    elif isinstance(obj, type):
        method = getattr(obj, name, None)
    else:
        method = vars(obj).get(name) if hasattr(obj, '__dict__') else None
        method = getattr(type(obj), name, None) if method is None else method
        if method is None:
            method = getattr(type(obj), '__getattr__', None)
    method = getattr(method, '__func__', method)
    if not hasattr(method, '__code__') and not isinstance(method, property):
        return

    def arrays(pending):  # (the arrays values hold, in their items and attributes)
        seen = set()
        while pending:
            value = pending.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, np.ndarray):
                yield value
            elif isinstance(value, dict):
                pending.extend(value.values())
            elif isinstance(value, (list, tuple, set, frozenset)):
                pending.extend(value)
            elif hasattr(value, '__dict__') and not callable(value):
                pending.extend(vars(value).values())
    holder = getattr(obj, '__self__', obj)  # (a bound method's object)
    kept = [value for value in kept or () if isinstance(value, np.ndarray)]
    held = list(vars(holder).values()) if kept and hasattr(holder, '__dict__') else []
    if kept and isinstance(holder, np.ndarray):
        held.append(holder)  # (an object of your subclass of ndarray: the array it is)
    for klass in (holder if isinstance(holder, type) else type(holder)).__mro__ if kept else ():
        if klass.__module__ != 'builtins':
            held.extend(klass.__dict__.values())  # (what its class holds: ``type(self).W``)
    functions = [method] if kept and hasattr(method, '__code__') else []
    libraries = ('numpy', 'scipy', 'math', 'cupy', 'dask', 'builtins', 'logging', 'random',
                 'collections', 'functools', 'itertools', 'typing', 'abc', 'enum', 'types',
                 'threading', 'os', 'io', 're', 'time', 'operator', 'warnings', 'weakref',
                 'copy', 'json', 'pathlib', 'tqdm', 'torch', 'jax', 'pandas', 'matplotlib')

    def theirs(value):  # (a library's or Python's: not followed)
        module = getattr(value, '__module__', None) or ''
        return module.split('.')[0] in libraries

    def methods(klass):  # (the code its objects run: methods, properties, __setattr__)
        found = []
        for base in klass.__mro__:
            if base is object or theirs(base):
                continue
            for member in vars(base).values():
                member = getattr(member, '__func__', member)
                if isinstance(member, property):
                    found.extend(f for f in (member.fget, member.fset) if f is not None)
                elif hasattr(member, '__code__'):
                    found.append(member)
        return found
    if kept and not theirs(type(holder)) and not isinstance(holder, type):
        functions.extend(methods(type(holder)))  # (``self.cb()``, ``self.inner.step()``)
        held.append(holder)
    for function in functions:  # (the globals and closure variables their code names)
        if len(functions) > 400:
            break
        pending, names = [function.__code__], set()
        while pending:
            inner = pending.pop()
            names.update(inner.co_names)
            pending.extend(c for c in inner.co_consts if hasattr(c, 'co_names'))
        space = getattr(function, '__globals__', {})
        free = [space[key] for key in sorted(names) if key in space]
        if {'globals', 'exec', 'eval'} & names:
            free.extend(value for value in space.values()
                        if type(value).__name__ != 'module')
        for cell in getattr(function, '__closure__', None) or ():
            try:
                free.append(cell.cell_contents)
            except ValueError:
                pass
        for value in free:
            if len(free) > 4000:
                break
            value = getattr(value, '__func__', value)
            if type(value).__name__ == 'partial':
                value = getattr(value, 'func', value)
            if type(value).__name__ == 'module':
                if not theirs(type('', (), {'__module__': value.__name__})):
                    free.extend(vars(value)[key] for key in sorted(names) if key in vars(value))
            elif isinstance(value, (list, tuple, dict)):  # (hooks: ``for cb in HOOKS: cb()``)
                items = list(value.values() if isinstance(value, dict) else value)
                free.extend(item for item in items if callable(item))
                held.append(value)
            elif isinstance(value, type):
                if value.__module__ != 'builtins' and not theirs(value):
                    held.extend(vars(value).values())  # (``Model.W *= 0.5``)
                    functions.extend(f for f in methods(value) if f not in functions)
            elif hasattr(value, '__code__') and hasattr(value, '__globals__'):
                if value not in functions and not theirs(value):
                    functions.append(value)  # (a function of yours it calls, in turn)
            elif not theirs(type(value)) and hasattr(value, '__dict__'):
                held.append(value)  # (an object of yours: what it holds, its class's code)
                free.extend(vars(value).values())
                functions.extend(f for f in methods(type(value)) if f not in functions)
            elif type(value).__name__ != 'module' and not callable(value):
                held.append(value)
    if not unknown and next(arrays([value for _, value in given]), None) is None and not any(
            np.shares_memory(array, other) for array in arrays(held) for other in kept):
        return
    raise InPlaceError(f'{message}; this module, made by s2sgrad.export, cannot read the code '
                       f'of `{name}` to tell whether it writes into them: call it outside the '
                       f'differentiated function, or pass copies')
''',
    (runtime.__name__, 'check_global_writes'): '''
def check_global_writes(func, message, kept):
    """Raise InPlaceError where a global or closure variable that the function `func` names
    (it or a function it calls writes into one) holds an array sharing memory with one of
    `kept`: s2sgrad's own check (`s2sgrad.runtime.check_global_writes`) reads the code to
    tell which it writes into, which a module importing only NumPy cannot."""
    kept = [value for value in kept if isinstance(value, np.ndarray)]
    func = getattr(func, '__wrapped__', func)  # (a decorator's: what it wraps)
    func = getattr(func, '__init__', func) if isinstance(func, type) else func
    code = getattr(func, '__code__', None)
    if not kept or code is None:
        return
    names, pending = set(), [code]
    while pending:
        inner = pending.pop()
        names.update(inner.co_names)
        pending.extend(c for c in inner.co_consts if hasattr(c, 'co_names'))
    values = [func.__globals__[name] for name in names if name in func.__globals__]
    for cell in func.__closure__ or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:
            pass
    pending, seen = values, set()
    while pending:
        value = pending.pop()
        if id(value) in seen or callable(value) and not isinstance(value, type) or \\
                type(value).__name__ == 'module':
            continue
        seen.add(id(value))
        if isinstance(value, np.ndarray):
            if any(np.shares_memory(value, other) for other in kept):
                raise InPlaceError(f'{message}; this module, made by s2sgrad.export, cannot '
                                   f'read the code to tell whether it writes into an array '
                                   f'the derivative reads: pass copies')
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
        elif isinstance(value, type) and value.__module__ != 'builtins':
            pending.extend(vars(value).values())
        elif hasattr(value, '__dict__'):
            pending.extend(vars(value).values())
''',
    (runtime.__name__, 'complex_refused'): '''
def complex_refused(made):
    """Raise ComplexError: the statement made a complex value (the expression `made`) from a
    differentiated one."""
    raise ComplexError(f'{COMPLEX_ADVICE}; here: `{made}`')
''',
    (runtime.__name__, 'unsupported'): '''
def unsupported(message, error=NoRuleError):
    """error(message): the line of your function is not known here."""
    return error(message)
''',
    (runtime.__name__, 'sequence_of'): '''
def sequence_of(subject, length):
    """Whether `subject` matches a sequence pattern of `length` items (a list, a tuple or a
    range: the sequences of Python's own types; `match` takes text and arrays for none)."""
    return isinstance(subject, (list, tuple, range)) and len(subject) == length
''',
    (runtime.__name__, 'array_module'): '''
def array_module(x):
    """The module that makes arrays of `x`'s kind: NumPy."""
    return np
''',
}
"""Simplified sources of helpers whose originals carry machinery a standalone module has no use
for (s2sgrad's registry of source locations, CuPy dispatch); tests/test_standalone.py checks
that they agree with the originals on NumPy values."""


def definitions(names):
    """Python source text defining the runtime helpers `names` (bare names such as
    'unbroadcast', 'matmul_lhs', 'seed', 'untrace') and everything they call, for a module
    that imports only NumPy as `np`.

    The text holds the helpers' own source, in dependency order, with s2sgrad's exception
    classes as small classes of the same built-in bases; the same `names` give the same text.
    Raise `S2SError` naming a helper that generated code cannot call (``s2s.NAME``) or whose
    source needs more than NumPy.
    """
    emitter = _Emitter()
    wanted = sorted(set(names))
    constants = {name: _constant(name) for name in wanted if _constant(name) is not None}
    for name, text in constants.items():  # (``s2s.GENERAL``: a rule's constant, written out)
        emitter.claim(('constant', name), name)
        emitter.chunks.append(f'{name} = {text}')
    wanted = [name for name in wanted if name not in constants]
    for name in wanted:
        emitter.claim(_helper(name), name)
    for name in wanted:
        emitter.emit(_helper(name), name)
    return '\n\n\n'.join(emitter.chunks) + '\n'


def _constant(name):
    """The text of the constant that generated code reads as ``s2s.NAME`` (a rule module's
    tuple of strings: ``s2s.GENERAL``; the runtime's ``s2s.UNASSIGNED``), or None."""
    value = rules.template_object(name) if not name.startswith('_') else None
    if value is None and name.isupper() and isinstance(getattr(runtime, name, None), str):
        value = getattr(runtime, name)
    return repr(value) if value is not None and _is_literal(value) else None


def _is_literal(value):
    """Whether ``repr(value)`` is Python text that evaluates to `value` (a number, string,
    None, or a tuple or frozenset of those)."""
    if not isinstance(value, (int, float, str, bool, type(None), tuple, frozenset)) or \
            callable(value):
        return False
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError):
        return False


def _helper(name):
    """The function generated code calls as ``s2s.<name>``."""
    try:
        func = getattr(runtime, name) if not name.startswith('_') else None
    except AttributeError:
        func = None
    if func is not None and not inspect.isfunction(func) and \
            rules.template_object(name) is func:
        # (an object of another library that a rule reads, ``s2s.digamma``: scipy's)
        raise S2SError(f'the derivative calls s2s.{name} ({name!r}), which is '
                       f'{_described(func)}, not a function of s2sgrad written with NumPy: an '
                       f'exported module, which imports NumPy only, cannot define it; call the '
                       f'derivative through s2sgrad, or print it (`df.source`), which runs '
                       f'given s2sgrad')
    if not inspect.isfunction(func) or func.__module__ != runtime.__name__ and \
            rules.helper_name(func) != name and rules.template_object(name) is not func:
        raise S2SError(f'{name!r} is not a runtime helper of s2sgrad (generated code calls none '
                       f'as s2s.{name}), so no standalone definition of it can be written')
    return func


def _described(obj):
    """`obj` in words: ``scipy.special._basic.zeta``, or ``a ufunc (`psi`)``."""
    name = getattr(obj, '__name__', None)
    module = getattr(obj, '__module__', None)
    if name and module:
        return f'`{module}.{name}`'
    return f'a {type(obj).__name__}' + (f' (`{name}`)' if name else '') + ' of a library'


def _error_class(cls, name):
    """A small class standing for the s2sgrad exception `cls`, with its built-in bases."""
    found = []

    def collect(klass):
        for base in klass.__bases__:
            if base.__module__ == 'builtins':
                found.append(base)
            else:
                collect(base)
    collect(cls)
    bases = [b for b in dict.fromkeys(found) if b is not object and
             not any(o is not b and issubclass(o, b) for o in found)] or [Exception]
    doc = ' '.join((inspect.getdoc(cls) or name).split('\n\n')[0].split())
    return (f'class {name}({", ".join(b.__name__ for b in bases)}):\n' +
            textwrap.fill(f'"""{doc}"""', 96, initial_indent='    ', subsequent_indent='    '))


class _Emitter:
    """Collects the definitions of helpers and of what they use, dependencies first."""

    def __init__(self):
        self.chunks = []
        self.names = {}  # key of a defined object -> its name in the text
        self.taken = set(dir(builtins)) | {'np'}
        self.done = set()

    def claim(self, obj, name):
        """Define `obj` as `name` (a helper asked for by its name)."""
        if name in dir(builtins):
            raise S2SError(f'the runtime helper {name!r} would hide the built-in {name!r}; no '
                           f'standalone definition of it can be written')
        self.names.setdefault(_key(obj), name)
        self.taken.add(name)

    def _name_for(self, obj, name, module):
        """The name of `obj` in the text: `name`, or with its `module` added when taken."""
        key = _key(obj)
        if key not in self.names:
            candidate = name
            if candidate in self.taken:
                candidate = f'{name}_{module.rsplit(".", 1)[-1]}'
            while candidate in self.taken:
                candidate += '_'
            self.claim(obj, candidate)
        return self.names[key]

    def reference(self, value, ident, owner):
        """The text that stands for `value` (the global `ident` of `owner`), defining it."""
        if value is np:
            return 'np'
        if hasattr(value, 'cache_info') and inspect.isfunction(getattr(value, '__wrapped__', None)):
            value = value.__wrapped__  # (a memoized helper: `_SIMPLER` gives its plain text)
        if getattr(builtins, getattr(value, '__name__', ''), None) is value:
            return value.__name__  # ``builtins.max``
        if isinstance(value, type) and value in _ABSTRACT:
            name, text = _ABSTRACT[value]
            if _key(value) not in self.names:
                self.claim(value, name)
                self.chunks.append(f'{name} = {text}  # what isinstance(x, {ident}) accepts')
            return name
        if isinstance(value, type) and issubclass(value, BaseException) and \
                value.__module__ == errors.__name__:
            name = self._name_for(value, value.__name__, value.__module__)
            if _key(value) not in self.done:
                self.done.add(_key(value))
                self.chunks.append(_error_class(value, name))
            return name
        if inspect.isfunction(value) and (value.__module__ == runtime.__name__ or
                                          value.__module__.startswith('s2sgrad.templates.')):
            name = self._name_for(value, value.__name__, value.__module__)
            self.emit(value, name)
            return name
        if _is_literal(value):
            key = (owner.__module__, ident)
            name = self._name_for(key, ident.replace('.', '_'), owner.__module__)
            if _key(key) not in self.done:
                self.done.add(_key(key))
                self.chunks.append(_literal(name, value))
            return name
        raise S2SError(f'the runtime helper {owner.__name__!r} uses {ident!r} '
                       f'({type(value).__name__}), which a module importing only NumPy lacks; '
                       f'no standalone definition of it can be written')

    def emit(self, func, name):
        """Define `func` as `name`, after what it uses, with its globals renamed to theirs."""
        key = _key(func)
        if key in self.done:
            return
        self.done.add(key)
        source = _SIMPLER.get((func.__module__, func.__name__))
        source = textwrap.dedent(source.strip('\n') if source else inspect.getsource(func))
        tree = ast.parse(source)
        definition = tree.body[0]
        if definition.decorator_list:
            raise S2SError(f'the runtime helper {func.__name__!r} is decorated; no standalone '
                           f'definition of it can be written')
        imported, dropped = _own_imports(func, definition)
        bound = _bound_names(definition) - set(imported)
        edits = []
        for node, parent in _global_references(definition, bound):
            ident = node.id
            value = imported[ident] if ident in imported else _resolve(func, ident)
            if value is _BUILTIN:
                continue
            if inspect.ismodule(value) and value is not np and isinstance(parent, ast.Attribute):
                value, ident, node = getattr(value, parent.attr), f'{ident}.{parent.attr}', parent
            text = self.reference(value, ident, func)
            if text in bound:
                raise S2SError(f'the runtime helper {func.__name__!r} has a local {text!r} '
                               f'that hides the helper it calls under that name')
            if text != ident:
                edits.append((node.lineno, node.col_offset, node.end_col_offset, text))
        lines = source.splitlines()
        header = lines[definition.lineno - 1]
        lines[definition.lineno - 1] = header.replace(f'def {definition.name}(', f'def {name}(', 1)
        for row, start, end, text in sorted(edits, reverse=True):
            line = lines[row - 1].encode('utf-8')
            lines[row - 1] = (line[:start] + text.encode('utf-8') + line[end:]).decode('utf-8')
        for first, last in sorted(dropped, reverse=True):
            del lines[first - 1:last]
        self.chunks.append('\n'.join(lines).rstrip())


_BUILTIN = object()


def _key(obj):
    return obj if not isinstance(obj, tuple) else ('constant',) + obj


def _literal(name, value):
    """``name = value`` as text, a long string written as adjacent parts of lines that fit."""
    if not isinstance(value, str) or len(value) < 80:
        return f'{name} = {value!r}'
    parts = textwrap.wrap(value, 80, drop_whitespace=False, replace_whitespace=False,
                          expand_tabs=False)
    if ''.join(parts) != value:
        return f'{name} = {value!r}'
    return f'{name} = (\n' + '\n'.join(f'    {part!r}' for part in parts) + ')'


def _own_imports(func, definition):
    """The names that `func` imports from s2sgrad in its body (-> the objects) and the line
    ranges of those imports; raise for an import of another module (not NumPy)."""
    imported, dropped = {}, []
    package = func.__module__.rsplit('.', 1)[0]
    for node in ast.walk(definition):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        module = importlib.util.resolve_name('.' * node.level + (node.module or ''), package) \
            if isinstance(node, ast.ImportFrom) and node.level else getattr(node, 'module', '')
        if isinstance(node, ast.ImportFrom) and module.split('.')[0] == 's2sgrad':
            source = importlib.import_module(module)
            for alias in node.names:
                imported[alias.asname or alias.name] = getattr(source, alias.name)
            dropped.append((node.lineno, node.end_lineno))
        elif not all(alias.name == 'numpy' for alias in getattr(node, 'names', ())) or module:
            raise S2SError(f'the runtime helper {func.__name__!r} imports a module other than '
                           f'NumPy; no standalone definition of it can be written')
    return imported, dropped


def _bound_names(definition):
    """Every name the function binds anywhere in its body (parameters, targets, nested defs)."""
    bound = set()
    for node in ast.walk(definition):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node is not definition:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split('.')[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def _global_references(definition, bound):
    """(node, parent) of each Name node by which the function reads a global name."""
    parents = {}
    for node in ast.walk(definition):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return [(node, parents.get(node)) for node in ast.walk(definition)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and
            node.id not in bound]


def _resolve(func, ident):
    """The object the global `ident` of `func` denotes, or _BUILTIN."""
    space = func.__globals__
    if ident not in space:
        if hasattr(builtins, ident):
            return _BUILTIN
        raise S2SError(f'the runtime helper {func.__name__!r} reads {ident!r}, which is not '
                       f'defined where it is')
    return space[ident]
