"""Export: a standalone module with a function, its generated derivatives and their helpers."""
import ast
import builtins
import inspect
import math
import os
import site
import sys
import sysconfig
import textwrap
import types

import gast
import numpy as np

from . import declared, nodes as n, rules, runtime, standalone, unit
from .errors import ExportError
from .global_functions import CHECKS
from .printer import to_source

MODES = ('grad', 'value_and_grad', 'jvp', 'vjp')
_CONSTANTS = (bool, int, float, complex, str, bytes, type(None))


def export(func, wrt=0, path=None, *, modes=('grad',), shapes=None, optimized=True,
           command=None):
    """The text of a Python module that needs only NumPy: `func`'s own source, the
    derivatives of `func` that `modes` name (``'grad'``, ``'value_and_grad'``, ``'jvp'``,
    ``'vjp'``) with respect to `wrt`, every generated helper they call, the functions of
    yours they call, and readable definitions of the s2sgrad runtime helpers they use.
    Written to `path` when one is given. `shapes` declares parameter shapes as for `grad`.
    """
    from . import api, operators
    if isinstance(modes, str):
        modes = (modes,)
    for mode in modes:
        if mode not in MODES:
            raise ExportError(f'export mode {mode!r} is none of {", ".join(MODES)}')
    if inspect.ismethod(func) or not inspect.isfunction(func):
        raise ExportError(f'export needs a plain Python function, got {func!r:.60}; export '
                          f'a function that takes the object as an argument instead')
    if getattr(func, '__wrapped__', None) is not None:
        raise ExportError(f'`{func.__name__}` is decorated: export copies a function\'s source, '
                          f'which does not hold what the decorator does; export the function '
                          f'it decorates')
    makers = {'grad': api.grad, 'value_and_grad': api.value_and_grad,
              'jvp': lambda *a, **k: operators.jvp(*a, **k).generated,
              'vjp': lambda *a, **k: operators.vjp(*a, **k).generated}
    roots = []
    for mode in modes:
        made = makers[mode](func, wrt=wrt, optimized=optimized, shapes=shapes)
        root = getattr(made, '__s2sgrad__', None)
        if root is None or root in roots:
            continue
        roots.append(root)
    base = getattr(func, '__s2sgrad__', None)  # a generated function: derivatives of it
    text = _Module(func, roots, wrt, modes, shapes, command, base).text()
    if path is not None:
        with open(path, 'w') as handle:
            handle.write(text)
    return text


def _own_name(func):
    """The name of `func`, or, for a lambda (``energy = lambda x: ...``), the name its module
    binds it to, where one does."""
    name = func.__name__
    if name == '<lambda>':
        name = next((var for var, value in sorted(getattr(func, '__globals__', {}).items())
                     if value is func), name)
    return name


class _Module:
    """Collects what the exported module holds and prints it."""

    def __init__(self, func, roots, wrt, modes, shapes, command, base=None):
        self.func = func
        self.roots = roots
        self.base = base  # the Generated that `func` is, when it is a generated function
        self.wrt, self.modes, self.shapes, self.command = wrt, modes, shapes, command
        self.environment = _environment(func)
        self.bound = {}  # name -> the object it denotes in the module
        self.imports = {}  # name -> import statement
        self.constants = {}  # name -> assignment
        self.copied = {}  # name -> source of a function or class of yours
        self.copied_order = []
        self.generated_names = set()

    def text(self):
        if self.base is None:
            self._copy(_own_name(self.func), self.func)
            user_names = set(self.copied)
            members = unit.members(*self.roots, taken=user_names)
        else:
            members = unit.members(self.base, *self.roots)
        if self.shapes:
            for generated, _, tree in members:
                if any(generated is root for root in self.roots):
                    self._check_shapes(tree)
        nodes_ = [node for _, _, node in members]
        for node in nodes_:
            # (the module binds each variable to the function the code was made for: its
            # check, ``s2s.check_bound(ACT, np.tanh, ...)`` (`CHECKS`), cannot fail here)
            node.body = [stmt for stmt in node.body if not (
                isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and
                n.dotted_path(stmt.value.func) in CHECKS)] or [gast.Pass()]
        helpers = sorted({node.attr for tree in nodes_ for node in n.walk(tree)
                          if isinstance(node, gast.Attribute) and
                          n.dotted_path(node) == 's2s.' + node.attr})
        for name in [name for name in helpers if name == 'builtins' or
                     _library_object(name) is not None]:
            # (``s2s.digamma``: an object of another library that a rule reads, imported;
            # ``s2s.builtins.max``: a definition's built-in, which your module may rebind)
            value = builtins if name == 'builtins' else _library_object(name)
            if self.environment.get(name, value) is not value:
                needed = 'the module `builtins`' if name == 'builtins' else \
                    '`{}.{}`'.format(*_import_of(value, name))
                raise ExportError(
                    f'the derivative reads {needed} as `{name}`, which `{self.func.__name__}`'
                    f'\'s module binds to something else; one module cannot hold both: '
                    f'rename yours')
            if name == 'builtins':
                self.imports[name] = 'import builtins'
            else:
                module, attr = _import_of(value, name)
                line = f'from {module} import {attr}'
                self.imports[name] = line if attr == name else f'{line} as {name}'
            self.bound[name] = value
            helpers.remove(name)
        modules = [name for name in helpers
                   if isinstance(getattr(runtime, name, None), types.ModuleType)]
        for name in modules:
            # (``s2s.scipy.special.gammaln``: a module of another library a rule reads)
            self._import_library_module(name, getattr(runtime, name), nodes_)
            helpers.remove(name)
        runtime_text = standalone.definitions(helpers) if helpers else ''
        defined = _top_level_names(runtime_text)
        module_names = set(self.copied) | {name for _, name, _ in members}
        self.generated_names = {name for _, name, _ in members}
        for generated, _, tree in members:
            if generated is self.base or any(generated is root for root in self.roots):
                environment = dict(generated.namespace or {})
                environment.update(self.environment)  # with `func`'s closure variables
            else:
                environment = generated.namespace or self.environment
            self._resolve_names(tree, environment)
        module_names |= set(self.imports) | set(self.constants) | set(self.copied)
        used = set()
        for tree in nodes_:
            used |= n.all_names(tree)
        for text in self.copied.values():
            used |= _names_in_source(text)
        generated_reads = set()
        for generated, _, tree in members:
            if generated is not self.base:
                generated_reads |= set(n.names_read(tree))
        shadowing = sorted(set(self.copied) & set(dir(builtins)) &
                           (_names_in_source(runtime_text) | generated_reads))
        if shadowing:
            name = shadowing[0]
            raise ExportError(f'`{name}` of your module takes the name of the built-in '
                              f'`{name}`, which the exported code reads (one module holds '
                              f'both); rename it')
        clashes = sorted(defined & (used | module_names))
        if clashes:
            renames = {}
            for name in clashes:
                renamed = 's2s_' + name
                while renamed in used | module_names | defined:
                    renamed += '_'
                renames[name] = renamed
            runtime_text = _rename_source(runtime_text, renames)
        else:
            renames = {}
        for tree in nodes_:
            _strip_runtime(tree, renames)
        parts = [self._header(members), 'import numpy as np']
        extra = [line for _, line in sorted(self.imports.items())
                 if line != 'import numpy as np']
        if extra:
            parts[-1] += '\n' + '\n'.join(extra)
        if self.constants:
            parts.append('\n'.join(self.constants[name] for name in sorted(self.constants)))
        for name in self.copied_order:
            parts.append(self.copied[name].rstrip('\n'))
        for tree in nodes_:
            parts.append(to_source(tree).rstrip('\n'))
        if runtime_text:
            parts.append('# -- The s2sgrad runtime helpers the code above calls ' + '-' * 34 +
                         '\n\n' + runtime_text.rstrip('\n'))
        return '\n\n\n'.join(parts) + '\n'

    def _check_shapes(self, tree):
        """Begin the derivative `tree` with the check that its arguments have the declared
        shapes it was simplified for (as the function `grad(f, shapes=...)` gives checks
        them): ``s2s.declared_shapes('f', {'x': ('n',)}, {'x': x})``."""
        params = {a.id for a in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs}
        shapes = [(name, sizes) for name, sizes in declared.normalize(self.shapes)
                  if name in params]
        if not shapes:
            return
        check = n.expr(n.call(n.attr('s2s', 'declared_shapes'), n.const(self.func.__name__),
                              gast.Dict(keys=[n.const(name) for name, _ in shapes],
                                        values=[n.const(tuple(sizes)) for _, sizes in shapes]),
                              gast.Dict(keys=[n.const(name) for name, _ in shapes],
                                        values=[n.name(name) for name, _ in shapes])))
        tree.body.insert(0, check)

    def _header(self, members):
        from . import __version__
        filename = _filename(self.func)
        params = list(inspect.signature(self.func).parameters)
        wrt = self.wrt if isinstance(self.wrt, (tuple, list)) else (self.wrt,)
        wrt_text = ', '.join(params[w] if isinstance(w, int) else w for w in wrt)
        lines = [f'"""Derivatives of `{_own_name(self.func)}` (from {filename}) with respect to '
                 f'{wrt_text}, written by s2sgrad {__version__}.', '']
        libraries = sorted({line.split()[1].split('.')[0] for line in self.imports.values()
                            if line.startswith(('import ', 'from '))} -
                           {'numpy', 's2sgrad'} - set(sys.stdlib_module_names))
        needs = 'NumPy only' if not libraries else \
            'NumPy and ' + ', '.join(f'`{name}`' for name in libraries) + ' (as your code)'
        lines.append(f'This module needs {needs}. It holds:')
        for name in self.copied_order:
            lines.append(f'- `{name}`: copied from {_filename(self.bound[name])}')
        kinds = {'grad': 'the gradient', 'value_and_grad': 'the value and the gradient',
                 'jvp': 'the Jacobian-vector product (forward mode)',
                 'vjp': 'the vector-Jacobian product'}
        root_modes = dict(zip([id(r) for r in self.roots], self.modes))
        for generated, name, _ in members:
            if generated is self.base:
                lines.append(f'- `{name}`: the generated function whose derivatives follow')
            elif id(generated) in root_modes:
                lines.append(f'- `{name}`: {kinds[root_modes[id(generated)]]} of '
                             f'`{_own_name(self.func)}`')
            else:
                lines.append(f'- `{name}`: a generated helper the derivatives call')
        lines.append('- the s2sgrad runtime helpers they call, at the end')
        if self.shapes:
            lines.append('')
            lines.append('Simplified for the declared shapes ' +
                         declared.describe(declared.normalize(self.shapes)) + ':')
            lines.append('called with other shapes, the derivatives raise ShapeError.')
        if self.command:
            lines += ['', f'Made with: {self.command}']
        return '\n'.join(lines) + '\n"""'

    # -- the names the code reads ---------------------------------------------------------
    def _resolve_names(self, tree, environment):
        local = set(n.names_stored(tree)) | {a.id for a in tree.args.args +
                                             tree.args.kwonlyargs + tree.args.posonlyargs}
        for name in sorted(set(n.names_read(tree)) - local):
            self._need(name, environment)

    def _import_library_module(self, name, module, trees):
        """Import `module`, which generated code reads as ``s2s.NAME`` (``s2s.scipy``), with
        the submodules it reads of it (``import scipy.special``)."""
        if self.environment.get(name, module) is not module:
            raise ExportError(
                f'the derivative reads the module `{module.__name__}` as `{name}`, which '
                f'`{self.func.__name__}`\'s module binds to something else; one module cannot '
                f'hold both: rename yours')
        paths = set()
        for tree in trees:
            for node in n.walk(tree):
                path = n.dotted_path(node) if isinstance(node, gast.Attribute) else None
                if path is not None and path.startswith(f's2s.{name}.'):
                    parts, value = [], module
                    for part in path.split('.')[2:]:
                        value = getattr(value, part, None)
                        if not isinstance(value, types.ModuleType):
                            break
                        parts.append(part)
                    paths.add('.'.join([module.__name__] + parts))
        longest = sorted(path for path in paths if not any(
            other.startswith(path + '.') for other in paths)) or [module.__name__]
        self.imports[name] = '\n'.join(f'import {path}' for path in longest)
        self.bound[name] = module

    def _need(self, name, environment):
        """Make `name`, as `environment` (the globals of the code that reads it) binds it,
        part of the module: an import, a constant, or the copied source of yours."""
        if name in self.generated_names:
            return
        if name in ('np', 's2s'):
            meant = {'np': np, 's2s': runtime}[name]
            if name in environment and environment[name] is not meant:
                raise ExportError(f'the exported code reads `{name}`, which a module of yours '
                                  f'binds to {_describe(environment[name])}; the exported '
                                  f'module needs `{name}` for {meant.__name__}: rename it')
            return
        if name not in environment:
            if hasattr(builtins, name):
                return
            raise ExportError(f'the exported code reads `{name}`, which `{self.func.__name__}`'
                              f"'s module does not define")
        value = environment[name]
        if name in self.bound:
            if self.bound[name] is not value and (
                    _literal(value) is None or _literal(value) != _literal(self.bound[name])):
                raise ExportError(f'`{name}` denotes different objects in two modules of '
                                  f'yours that the exported code reads; one module needs '
                                  f'one name for one thing: rename one of them')
            return
        self.bound[name] = value
        if isinstance(value, types.ModuleType):
            if _is_yours(value):
                raise ExportError(
                    f'the exported code reads the module `{name}` ({_filename(value)}), a '
                    f'module of yours, which a module needing NumPy only cannot import; import '
                    f'the functions it uses by name (`from {value.__name__} import ...`), '
                    f'which export copies')
            line = _import_line(value.__name__, name)
            if value.__name__.split('.')[0] == 's2sgrad':  # (your function calls s2sgrad: the
                # derivatives do not, and the module imports where s2sgrad is absent)
                line = (f'try:  # (for your function as copied; the derivatives need NumPy '
                        f'only)\n    {line}\nexcept ImportError:\n    {name} = None')
            self.imports[name] = line
        elif _literal(value) is not None:
            self.constants[name] = f'{name} = {_literal(value)}'
        elif (inspect.isfunction(value) or inspect.isclass(value)) and _is_yours(value):
            self._copy(name, value)
        elif callable(value) and _import_of(value, name) and getattr(value, '__name__', None):
            module, attr = _import_of(value, name)
            if module == 'builtins':
                return
            line = f'from {module} import {attr}'
            self.imports[name] = line if attr == name else f'{line} as {name}'
        else:
            raise ExportError(
                f'the exported code reads `{name}`, a {type(value).__name__} of '
                f'`{self.func.__name__}`\'s module, which a module cannot hold as text; pass it '
                f'as an argument instead')

    def _copy(self, name, value):
        """Copy the source of a function or class of yours (without decorators)."""
        try:
            text = textwrap.dedent(inspect.getsource(value))
        except (OSError, TypeError):
            raise ExportError(f'cannot read the source of `{name}`, which the exported code '
                              f'calls') from None
        if getattr(value, '__wrapped__', None) is not None:
            raise ExportError(f'the exported code calls `{name}`, which is decorated: export '
                              f'copies a function\'s source, which does not hold what the '
                              f'decorator does; call the function it decorates instead')
        if getattr(value, '__s2sgrad__', None) is not None:
            raise ExportError(f'the exported code calls `{name}`, a function s2sgrad '
                              f'generated; export the function of yours it derives from')
        try:
            tree = ast.parse(text)
        except SyntaxError:  # a lambda inside an expression that its lines do not complete
            tree = None
        definition = tree.body[0] if tree is not None and len(tree.body) == 1 else None
        if isinstance(definition, ast.Assign) and isinstance(definition.value, ast.Lambda) and \
                [getattr(t, 'id', None) for t in definition.targets] == [name]:
            pass  # ``name = lambda ...``: copied as it is
        elif not isinstance(definition, (ast.FunctionDef, ast.ClassDef)):
            raise ExportError(f'the exported code calls `{name}`, whose source export cannot '
                              f'copy as a definition of its own (a lambda that is not assigned '
                              f'to the name alone?); define it with `def {name}(...)`')
        elif definition.name != name:
            raise ExportError(f'the exported code calls `{name}`, which is `{definition.name}` '
                              f'under another name; export needs it under its own name')
        else:
            start = definition.lineno - 1  # the `def` line, after any decorators
            text = ''.join(text.splitlines(True)[start:])
        self.copied[name] = text
        self.copied_order.append(name)
        self.bound[name] = value
        environment = _environment(value) if inspect.isfunction(value) else \
            vars(sys.modules[value.__module__])
        for inner in sorted(_free_names(ast.parse(text))):
            self._need(inner, environment)
        return text


def _import_of(value, name):
    """``(module, attribute)`` to import `value` (read as `name`) from: its ``__module__``
    and own name, or for a ufunc (which has no ``__module__``) the least nested public module
    that binds it (``numpy``'s ``exp``; ``scipy.special``'s ``psi`` for `digamma`); None."""
    if not isinstance(value, np.ufunc):
        module = getattr(value, '__module__', None)
        own = getattr(value, '__name__', None)  # (a ``functools.partial`` has none)
        return (module, own) if module and own else None
    libraries = sorted((m for m in sys.modules if m.split('.')[0] in rules.LIBRARY_MODULES and
                        not any(part.startswith('_') for part in m.split('.'))),
                       key=lambda m: (m != 'numpy', m.count('.'), m))
    for attr in dict.fromkeys(a for a in (getattr(value, '__name__', None), name) if a):
        for module_name in libraries:
            module = sys.modules[module_name]
            if module is not None and vars(module).get(attr) is value:
                return module_name, attr
    return None


def _library_object(name):
    """The object of another library that generated code reads as ``s2s.NAME`` (a rule
    reads it: ``s2s.digamma``), or None."""
    value = rules.template_object(name) if not name.startswith('_') else None
    if value is None or not callable(value) or inspect.isfunction(value) and \
            value.__module__.split('.')[0] == 's2sgrad':
        return None
    return value if _import_of(value, name) else None


def _environment(func):
    """The names `func`'s code reads: its module's globals and its closure variables."""
    environment = dict(func.__globals__)
    environment.update(inspect.getclosurevars(func).nonlocals)
    return environment


def _is_yours(value):
    """Whether a function, class or module is the user's code (its file is not part of Python
    or of an installed package), which export copies rather than imports."""
    if isinstance(value, types.ModuleType):
        module, module_name = value, value.__name__
    else:
        module, module_name = sys.modules.get(value.__module__), value.__module__
    path = getattr(module, '__file__', None)
    if not path or module_name.split('.')[0] == 's2sgrad':
        return False
    path = os.path.realpath(path)
    paths = sysconfig.get_paths()
    roots = {paths['stdlib'], paths['platstdlib'], paths['purelib'], paths['platlib']}
    roots |= set(site.getsitepackages())
    return not any(path.startswith(os.path.realpath(root) + os.sep) for root in roots)


def _filename(obj):
    """The file name that a header names for `obj` (a function, class or module)."""
    if getattr(obj, '__s2sgrad__', None) is not None:
        return 'code s2sgrad generated'
    try:
        path = inspect.getsourcefile(obj) if not isinstance(obj, types.ModuleType) else \
            getattr(obj, '__file__', None)
    except TypeError:
        path = None
    return os.path.basename(path) if path else '<unknown>'


def _describe(value):
    if isinstance(value, types.ModuleType):
        return f'the module {value.__name__}'
    return f'a {type(value).__name__}'


def _literal(value):
    """Python source text that evaluates to `value` (a number, string, bytes, None, bool or a
    tuple of those) in a module importing NumPy as np, or None."""
    if isinstance(value, tuple):
        items = [_literal(item) for item in value]
        if any(item is None for item in items):
            return None
        return '(' + ', '.join(items) + (',)' if len(items) == 1 else ')')
    if not isinstance(value, _CONSTANTS):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"float('{value!r}')"  # inf, -inf, nan
    if isinstance(value, complex) and not (math.isfinite(value.real) and
                                           math.isfinite(value.imag)):
        return f'complex({_literal(value.real)}, {_literal(value.imag)})'
    text = repr(value)
    try:
        same = eval(text, {'np': np})  # np.float64(1.5) is a float: printed as NumPy does
    except Exception:
        return None
    return text if type(same) is type(value) and same == value else None


def _import_line(module, name):
    if module == name:
        return f'import {module}'
    parent, _, last = module.rpartition('.')
    if parent and last == name:
        return f'from {parent} import {last}'
    return f'import {module} as {name}'


def _top_level_names(text):
    if not text:
        return set()
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _names_in_source(text):
    return {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)}


def _free_names(tree):
    """Names a copied function or class reads that it neither defines nor binds."""
    stored = set()
    read = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.alias):
            stored.add((node.asname or node.name).split('.')[0])
    return read - stored


def _rename_source(text, renames):
    """`text` (the runtime helpers' definitions) with the top-level names in `renames`
    renamed where they are defined and where they are read as globals; the names a function
    binds itself (its parameters, its variables) stay as they are."""
    tree = ast.parse(text)
    lines = text.splitlines(True)
    edits = []  # (row, start column, end column, new text), columns in UTF-8 bytes
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            local = standalone._bound_names(node)
            if node.name in renames:
                row = lines[node.lineno - 1].encode('utf-8')
                keyword = b'def ' if isinstance(node, ast.FunctionDef) else b'class '
                start = row.index(keyword + node.name.encode('utf-8'), node.col_offset) + \
                    len(keyword)
                edits.append((node.lineno, start, start + len(node.name), renames[node.name]))
        else:
            local = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in renames and inner.id not in local:
                edits.append((inner.lineno, inner.col_offset, inner.end_col_offset,
                              renames[inner.id]))
    for row, start, end, replacement in sorted(edits, reverse=True):
        line = lines[row - 1].encode('utf-8')
        lines[row - 1] = (line[:start] + replacement.encode('utf-8') + line[end:]).decode('utf-8')
    return ''.join(lines)


def _strip_runtime(tree, renames):
    """``s2s.unbroadcast(...)`` -> ``unbroadcast(...)`` (or its renamed ``s2s_`` form)."""

    class Strip(gast.NodeTransformer):
        def visit_Attribute(self, node):
            self.generic_visit(node)
            if isinstance(node.value, gast.Name) and node.value.id == 's2s':
                return n.name(renames.get(node.attr, node.attr))
            return node
    Strip().visit(tree)
