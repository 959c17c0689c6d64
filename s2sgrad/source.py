"""Parse pass: find a function's source, parse it with gast, and collect its namespace."""
import ast
import builtins
import functools
import inspect
import linecache
import os
import re

import gast

from . import nodes as n
from .errors import SourceUnavailableError, WrapperError, char_offset

# (filename, file text) -> [gast module, compiled module code (computed on first need)]
_MODULE_CACHE = {}

# C wrappers whose call is exactly a call of their ``__wrapped__`` function (they only memoize).
_TRANSPARENT_WRAPPERS = (functools._lru_cache_wrapper,)

_NOT_COMPILED = object()


class FunctionSource:
    """A parsed function: its gast node (file positions), file, lines and namespace.

    `namespace` is a snapshot (builtins, globals, closure values) that the analyses resolve
    names in. Generated code instead reads the live values: its globals are `globals` (the
    function's own ``__globals__``) and its free variables are the function's closure `cells`.
    `defaults` maps each parameter with a default to the function's actual default value.
    `origin` identifies the function the node comes from (nested functions share it).
    """

    def __init__(self, node, filename, lines, namespace, name, func=None, *, globals=None,
                 cells=None, defaults=None, origin=None):
        self.node = node
        self.filename = filename
        self.lines = lines
        self.namespace = namespace
        self.name = name
        self.func = func
        self.globals = globals
        self.cells = dict(cells or {})
        self.defaults = dict(defaults or {})
        self.origin = origin if origin is not None else (func if func is not None else node)

    def line_text(self, lineno):
        """The source text of file line `lineno` (stripped), or ''."""
        if lineno and 0 < lineno <= len(self.lines):
            return self.lines[lineno - 1].strip()
        return ''

    def locate(self, lineno, what=''):
        """The node of this function's source that an error about the statement at line
        `lineno` is about, or None: the sub-expression that `what` (the error's description
        of the construct, as in "the keyword argument `axes`" or "`np.fft.fft`") names, or
        else the statement that starts at that line."""
        statement = _statement_at(self.node, lineno)
        if statement is None:
            return None
        nodes = sorted((node for node in _line_nodes(statement)
                        if getattr(node, 'lineno', None) is not None),
                       key=lambda node: (node.lineno, node.col_offset))
        for pattern, matches in _CULPRITS:
            found = re.search(pattern, what or '')
            if found:
                for node in nodes:
                    if matches(node, found.group(1)):
                        return node
        return statement


def _statement_at(root, lineno):
    """The outermost statement inside `root` that starts at line `lineno`."""
    for child in gast.iter_child_nodes(root):
        if not isinstance(child, gast.stmt):
            continue
        if child.lineno == lineno:
            return child
        end = getattr(child, 'end_lineno', None) or child.lineno
        if child.lineno < lineno <= end:
            return _statement_at(child, lineno)
    return None


def _line_nodes(statement):
    """`statement` and the nodes inside it, except the statements of its blocks that start on
    other lines (the body of an ``if``, ``for``, ``while`` or ``def``)."""
    yield statement
    for child in gast.iter_child_nodes(statement):
        if isinstance(child, gast.stmt) and child.lineno != statement.lineno:
            continue
        yield from _line_nodes(child)


_SYMBOLS = {gast.FloorDiv: '//', gast.Mod: '%', gast.BitAnd: '&', gast.BitOr: '|',
            gast.BitXor: '^', gast.LShift: '<<', gast.RShift: '>>', gast.Invert: '~',
            gast.MatMult: '@', gast.Pow: '**'}


def _calls(node, path):
    if not isinstance(node, gast.Call):
        return False
    called = n.dotted_path(node.func)
    return called is not None and (called == path or called.split('.')[-1] == path.split('.')[-1])


def _is_operator(node, symbol):
    op = getattr(node, 'op', None)
    return isinstance(node, (gast.BinOp, gast.UnaryOp, gast.AugAssign)) and op is not None and \
        symbol in (_SYMBOLS.get(type(op)), type(op).__name__)


# (regular expression on an error's description of the construct, test of a node against the
# expression's group 1): the first that matches says which node of the line the error is about.
_CULPRITS = [
    (r'keyword argument `(\w+)`', lambda node, arg: isinstance(node, gast.keyword) and
     node.arg == arg),
    (r'the method `\.?(\w+)', lambda node, attr: isinstance(node, gast.Call) and
     isinstance(node.func, gast.Attribute) and node.func.attr == attr),
    (r'the attribute `\.(\w+)`', lambda node, attr: isinstance(node, gast.Attribute) and
     node.attr == attr),
    (r'the attribute `([\w.]+)`', lambda node, path: isinstance(node, gast.Attribute) and
     n.dotted_path(node) == path),
    (r'the operator `([^`]+)`', _is_operator),
    (r'the expression `(\w+)`', lambda node, kind: type(node).__name__ == kind),
    (r"(repeating) a list", lambda node, _: isinstance(node, gast.BinOp) and
     isinstance(node.op, gast.Mult)),
    (r'^(?:the call of )?`([\w.]+)`', _calls),
    (r'(?:arguments to|form of) `(\w+?)(?:_adjoint|_tangent)?`', _calls),
]


def _parse_file(filename):
    """The parsed module of `filename` as it is now, its lines, and its cache entry."""
    linecache.checkcache(filename)  # a file rewritten since it was read is read again
    lines = linecache.getlines(filename)
    if not lines:
        return None, [], None
    text = ''.join(lines)
    key = (filename, text)
    if key not in _MODULE_CACHE:
        _MODULE_CACHE[key] = [gast.parse(text), _NOT_COMPILED]
    return _MODULE_CACHE[key][0], lines, _MODULE_CACHE[key]


def namespace_of(func):
    """The names a function's body can see: builtins, its globals, its closure cells."""
    namespace = dict(vars(builtins))
    namespace.update(func.__globals__)
    if func.__closure__:
        for var, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:
                pass
    return namespace


def _qualname(func):
    return getattr(func, '__qualname__', None) or getattr(func, '__name__', None) or repr(func)


def _code_name(func):
    """The name of the code a function runs (a wrapper's own, not the one ``wraps`` copied)."""
    code = func.__code__
    if hasattr(code, 'co_qualname'):  # Python 3.11 and later
        return code.co_qualname
    module, _, _ = _parse_file(code.co_filename)
    return _qualname_in(module, code) or code.co_name if module is not None else code.co_name


def _qualname_in(node, code, prefix=''):
    """The qualified name (``outer.<locals>.inner``) of the definition of `code` in `node`."""
    for child in gast.iter_child_nodes(node):
        if isinstance(child, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            name = prefix + child.name
            first = min([child.lineno] + [d.lineno for d in child.decorator_list])
            if isinstance(child, gast.FunctionDef) and child.name == code.co_name and \
                    code.co_firstlineno in (first, child.lineno):
                return name
            inner = prefix + child.name + ('.<locals>.' if not isinstance(
                child, gast.ClassDef) else '.')
            found = _qualname_in(child, code, inner)
            if found:
                return found
        else:
            found = _qualname_in(child, code, prefix)
            if found:
                return found
    return None


def _location(code, node=None):
    """The location arguments (filename, lineno, offset, text, end_lineno, end_offset) of an
    error about the function whose code is `code`, at `node` of its source when given (else
    at its first line); () when it has no source file."""
    if code is None or not getattr(code, 'co_filename', None):
        return ()
    filename = code.co_filename
    lineno = getattr(node, 'lineno', None) or code.co_firstlineno
    text = linecache.getline(filename, lineno).rstrip('\r\n')
    offset = end_offset = None
    if node is not None and getattr(node, 'col_offset', None) is not None:
        offset = char_offset(text, node.col_offset)
        if getattr(node, 'end_lineno', None) == lineno and not isinstance(node, gast.stmt):
            end_offset = char_offset(text, node.end_col_offset)
    elif text:
        offset = len(text) - len(text.lstrip()) + 1
    return filename, lineno, offset, text, lineno, end_offset


_READS_SOURCE = ('. s2sgrad reads the Python source of the function; define it in a .py file '
                 '(or give a NumPy function a rule with @s2sgrad.adjoint).')


def _unavailable(func, why, node=None, advice=_READS_SOURCE):
    where = _location(getattr(func, '__code__', None), node)
    if inspect.isfunction(func) and hasattr(func, '__wrapped__'):
        return WrapperError(
            f'cannot differentiate the wrapper `{_code_name(func)}` of '
            f'`{_qualname(func.__wrapped__)}`: {why}. s2sgrad differentiates what a wrapper '
            f'does, never only the wrapped function; differentiate the undecorated function.',
            *where)
    return SourceUnavailableError(f'cannot differentiate {_qualname(func)}: {why}{advice}',
                                  *where)


def unwrap_transparent(func):
    """`func` without the C wrappers that only memoize it (``functools.lru_cache``)."""
    while isinstance(func, _TRANSPARENT_WRAPPERS):
        func = func.__wrapped__
    return func


def parse_function(func):
    """Return the FunctionSource of a Python function or lambda defined in a source file.

    A decorated function is differentiated as what it is: its wrapper's own code, which calls
    the wrapped function (differentiated in turn). Only C wrappers that merely memoize
    (``functools.lru_cache``) are looked through.
    """
    func = unwrap_transparent(func)
    if not inspect.isfunction(func):
        if hasattr(func, '__wrapped__'):
            call = getattr(type(func), '__call__', None)
            raise WrapperError(
                f'cannot differentiate {_qualname(func)}: it is a {type(func).__name__} object '
                f'wrapping {_qualname(func.__wrapped__)}, and s2sgrad can read neither its '
                f'code nor what it does around the wrapped function. Differentiate the '
                f'wrapped function (`.__wrapped__`) and apply the wrapper\'s effect yourself.',
                *_location(getattr(call, '__code__', None)))
        raise _unavailable(func, 'it is not a Python function (a builtin, ufunc or C function '
                                 'has no Python source)')
    code = func.__code__
    filename = code.co_filename
    module, lines, entry = _parse_file(filename)
    if module is None:
        raise _unavailable(func, f'its source file {filename!r} cannot be read (functions '
                                 f'made by exec or typed at the interactive prompt have none)')
    candidates = _candidates(_definitions(entry), code, code.co_name)
    if len(candidates) > 1 and code.co_name == '<lambda>':
        candidates = _pick_lambda(candidates, code, filename, lines)
        if len(candidates) != 1:
            raise _unavailable(func, f'line {code.co_firstlineno} of {filename!r} defines '
                                     f'several lambdas with the parameters '
                                     f'({", ".join(_lambda_params(code))}) and s2sgrad cannot '
                                     f'tell which of them this one is; define it with `def`, '
                                     f'or put each lambda on a line of its own',
                               candidates[0], advice='')
    if len(candidates) != 1:
        raise _unavailable(func, f'its definition was not found in {filename!r}; was the file '
                                 f'changed after import? Reload the module, or define the '
                                 f'function again', advice='')
    node = _as_function(candidates[0])
    _check_current(func, node, entry, filename)
    cells = dict(zip(code.co_freevars, func.__closure__ or ()))
    node, defaults = _specialize(func, node, _defaults_of(func))
    return FunctionSource(node, filename, lines, namespace_of(func), code.co_name, func,
                          globals=func.__globals__, cells=cells, defaults=defaults)


def _defaults_of(func):
    """The function's actual default values by parameter name (never re-evaluated source)."""
    code = func.__code__
    positional = code.co_varnames[:code.co_argcount]
    values = func.__defaults__ or ()
    defaults = dict(zip(positional[len(positional) - len(values):], values))
    defaults.update(func.__kwdefaults__ or {})
    return defaults


def signature(func):
    """The parameters of `func` as its differentiated code has them.

    Unlike ``inspect.signature`` this does not follow ``__wrapped__`` to a decorated function
    (the wrapper's own parameters are what is differentiated), except for a wrapper taking
    ``*args, **kwargs`` and passing them on to one function, which takes that function's.
    """
    func = unwrap_transparent(func)
    if inspect.isfunction(func):
        if func.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
            try:
                source = parse_function(func)
            except (SourceUnavailableError, WrapperError, SyntaxError):
                return inspect.signature(func, follow_wrapped=False)
            return _signature_of_node(source.node.args, source.defaults)
        return inspect.signature(func, follow_wrapped=False)
    return inspect.signature(func)


def _signature_of_node(args, defaults):
    P = inspect.Parameter
    params = []
    for kind, group in ((P.POSITIONAL_ONLY, args.posonlyargs),
                        (P.POSITIONAL_OR_KEYWORD, args.args), (P.KEYWORD_ONLY, args.kwonlyargs)):
        for arg in group:
            params.append(P(arg.id, kind, default=defaults.get(arg.id, P.empty)))
    if args.vararg is not None:
        params.append(P(args.vararg.id, P.VAR_POSITIONAL))
    if args.kwarg is not None:
        params.append(P(args.kwarg.id, P.VAR_KEYWORD))
    params.sort(key=lambda p: p.kind)
    return inspect.Signature(params)


def _code_objects(code):
    for const in code.co_consts:
        if inspect.iscode(const):
            yield const
            yield from _code_objects(const)


def _check_current(func, node, entry, filename):
    """Refuse source text that is not the code `func` runs (its file changed since import).

    The file is compiled again and must yield `func`'s code object. Only files on disk are
    checked (interactive and doctest code has pseudo file names); functions with ``assert``
    are trusted, since pytest rewrites those when it imports test modules.
    """
    if not os.path.isfile(filename):
        return
    if entry[1] is _NOT_COMPILED:
        try:
            entry[1] = compile(''.join(linecache.getlines(filename)), filename, 'exec',
                               dont_inherit=True)
        except (SyntaxError, ValueError):
            entry[1] = None
    if entry[1] is None:
        return
    code = func.__code__
    for candidate in _code_objects(entry[1]):
        if candidate.co_name == code.co_name and candidate.co_firstlineno == \
                code.co_firstlineno and candidate == code:
            return
    if any(isinstance(sub, gast.Assert) for sub in gast.walk(node)):
        return
    raise _unavailable(func, f'its source file {filename!r} was changed after the function '
                             f'was defined, and the text there now is not the code it runs; '
                             f'reload the module, or define the function again',
                       advice='')


# -- decorators ---------------------------------------------------------------------------

def _splat_calls(node, varname, kwname):
    """The calls in `node` that pass on ``*varname`` or ``**kwname``."""
    calls = []
    for sub in gast.walk(node):
        if isinstance(sub, gast.Call):
            starred = any(isinstance(a, gast.Starred) and isinstance(a.value, gast.Name) and
                          a.value.id == varname for a in sub.args) if varname else False
            double = any(k.arg is None and isinstance(k.value, gast.Name) and
                         k.value.id == kwname for k in sub.keywords) if kwname else False
            if starred or double:
                calls.append(sub)
    return calls


def _resolve(expr, namespace):
    path = n.dotted_path(expr)
    if path is None:
        return None
    root, *rest = path.split('.')
    obj = namespace.get(root)
    for part in rest:
        obj = getattr(obj, part, None)
    return obj


def _specialize(func, node, defaults):
    """A wrapper ``def wrapper(*args, **kwargs): ... fn(*args, **kwargs) ...`` with the
    parameters of `fn` in place of ``*args`` and ``**kwargs``: ``def wrapper(x, y): ...
    fn(x, y) ...``. Other functions are returned unchanged (the fence judges them)."""
    args = node.args
    if args.vararg is None and args.kwarg is None:
        return node, defaults
    varname = args.vararg.id if args.vararg is not None else None
    kwname = args.kwarg.id if args.kwarg is not None else None
    calls = _splat_calls(node, varname, kwname)
    decorated = hasattr(func, '__wrapped__')
    if not calls and not decorated:
        return node, defaults  # an ordinary function with *args: the fence reports it
    wrapper = _code_name(func)
    inner = f'`{_qualname(func.__wrapped__)}`' if decorated else 'a function'

    def refuse(why, at=None):
        return WrapperError(
            f'cannot differentiate the wrapper `{wrapper}` (of {inner}): {why}. s2sgrad '
            f'differentiates what the wrapper does, never only the wrapped function; give '
            f'the wrapper explicit parameters, or differentiate the undecorated function.',
            *_location(func.__code__, at if at is not None else node))

    if args.args or args.posonlyargs or args.kwonlyargs:
        raise refuse('it takes named parameters besides `*args`/`**kwargs`')
    if varname is None:
        raise refuse('it takes `**kwargs` without `*args`')
    splats = set()
    for call in calls:
        for a in call.args:
            if isinstance(a, gast.Starred) and isinstance(a.value, gast.Name) and \
                    a.value.id == varname:
                splats.add(id(a.value))
        for k in call.keywords:
            if k.arg is None and isinstance(k.value, gast.Name) and k.value.id == kwname:
                splats.add(id(k.value))
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and sub.id in (varname, kwname) and \
                id(sub) not in splats and not isinstance(sub.ctx, gast.Param):
            raise refuse(f'it uses `{sub.id}` other than to pass it on as '
                         f'`f(*{varname}, **{kwname or "kwargs"})`', sub)
    namespace = namespace_of(func)
    targets = {id(_resolve(call.func, namespace)): _resolve(call.func, namespace)
               for call in calls}
    target = next(iter(targets.values()), None) if len(targets) == 1 else None
    if target is None or not callable(target):
        raise refuse('it does not pass `*args`/`**kwargs` on to exactly one function '
                     'as `f(*args, **kwargs)`')
    try:
        target_signature = signature(target)
    except (TypeError, ValueError):
        raise refuse(f'the signature of `{_qualname(target)}` is unknown') from None
    P = inspect.Parameter
    positional, keyword_only = [], []
    for param in target_signature.parameters.values():
        if param.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
            raise refuse(f'`{_qualname(target)}` takes `*args`/`**kwargs` itself')
        if param.kind == P.KEYWORD_ONLY:
            if kwname is not None:
                keyword_only.append(param)
            elif param.default is P.empty:
                raise refuse(f'`{_qualname(target)}` needs the keyword argument `{param.name}`'
                             f' that the wrapper cannot pass')
        else:
            positional.append(param)
    used = n.all_names(node) - {varname, kwname}
    for param in positional + keyword_only:
        if param.name in used:
            raise refuse(f'the parameter `{param.name}` of `{_qualname(target)}` has the name '
                         f'of a variable of the wrapper')
    new = n.clone(node)
    new_calls = _splat_calls(new, varname, kwname)
    for call in new_calls:
        call_args = []
        for a in call.args:
            if isinstance(a, gast.Starred) and isinstance(a.value, gast.Name) and \
                    a.value.id == varname:
                call_args.extend(n.name(p.name) for p in positional)
            else:
                call_args.append(a)
        keywords = []
        for k in call.keywords:
            if k.arg is None and isinstance(k.value, gast.Name) and k.value.id == kwname:
                keywords.extend(gast.keyword(arg=p.name, value=n.name(p.name))
                                for p in keyword_only)
            else:
                keywords.append(k)
        call.args, call.keywords = call_args, keywords
    for sub in gast.walk(new):
        if isinstance(sub, (gast.expr, gast.keyword)) and not hasattr(sub, 'lineno'):
            gast.copy_location(sub, node)

    def param(p):
        return gast.Name(id=p.name, ctx=gast.Param(), annotation=None, type_comment=None)

    def shown(value):  # the value itself comes from `defaults`; the text only shows it
        simple = value is None or type(value) in (bool, int, float, complex, str)
        return gast.Constant(value=value if simple else ..., kind=None)

    new_defaults = {p.name: p.default for p in positional + keyword_only
                    if p.default is not P.empty}
    with_default = [p for p in positional if p.default is not P.empty]
    new.args = gast.arguments(
        args=[param(p) for p in positional if p.kind == P.POSITIONAL_OR_KEYWORD],
        posonlyargs=[param(p) for p in positional if p.kind == P.POSITIONAL_ONLY],
        vararg=None, kwonlyargs=[param(p) for p in keyword_only],
        kw_defaults=[shown(p.default) if p.default is not P.empty else None
                     for p in keyword_only],
        kwarg=None, defaults=[shown(p.default) for p in with_default])
    return new, new_defaults


def _lambda_params(code):
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _definitions(entry):
    """The FunctionDef and Lambda nodes of a parsed module (a `_MODULE_CACHE` entry) by name
    (``'<lambda>'`` for lambdas), found once per module."""
    if len(entry) < 3:
        index = {}
        for node in gast.walk(entry[0]):
            if isinstance(node, gast.FunctionDef):
                index.setdefault(node.name, []).append(node)
            elif isinstance(node, gast.Lambda):
                index.setdefault('<lambda>', []).append(node)
        entry.append(index)
    return entry[2]


def _candidates(definitions, code, name):
    """The definitions (FunctionDef or Lambda nodes, see `_definitions`) that may have made
    `code`."""
    line = code.co_firstlineno
    candidates = []
    for node in definitions.get(name, ()):
        if isinstance(node, gast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [dec.lineno for dec in node.decorator_list])
            if first == line or node.lineno == line:
                candidates.append(node)
        elif isinstance(node, gast.Lambda) and name == '<lambda>' and node.lineno == line:
            params = tuple(arg.id for arg in node.args.posonlyargs + node.args.args +
                           node.args.kwonlyargs)
            if params == _lambda_params(code):
                candidates.append(node)
    return candidates


def _pick_lambda(candidates, code, filename, lines):
    """The lambda among `candidates` (all on one line, with the same parameters) whose code
    is `code`: a list of one node, or of several when they cannot be told apart.

    Python 3.11 and later record the column of every instruction: the lambda whose body spans
    all of them is the one (the innermost, for a lambda returning a lambda). Python 3.10 has
    line numbers only: each candidate in turn is compiled with its own line number changed,
    and the one whose code is then `code` (but for that line number) is the one. Lambdas whose
    text is the same (``(lambda x: x * 2, lambda x: x * 2)``) compile to the same code; any of
    them is then the function's source.
    """
    if hasattr(code, 'co_positions'):
        positions = [(line, col, end_line, end_col)
                     for line, end_line, col, end_col in code.co_positions()
                     if None not in (line, col, end_line, end_col) and (col, end_col) != (0, 0)]
        found = []
        for node in candidates:
            body = node.body
            start = (body.lineno, body.col_offset)
            end = (body.end_lineno, body.end_col_offset)
            if positions and all(start <= (line, col) and (end_line, end_col) <= end
                                 for line, col, end_line, end_col in positions):
                found.append((end[0] - start[0], end[1] - start[1], node))
        if not found:
            return candidates
        found.sort(key=lambda entry: entry[:2])
        innermost = [entry[2] for entry in found if entry[:2] == found[0][:2]]
        return innermost
    return _pick_lambda_by_compiling(candidates, code, filename, lines)


def _pick_lambda_by_compiling(candidates, code, filename, lines):
    try:
        tree = ast.parse(''.join(lines), filename)
    except (SyntaxError, ValueError):
        return candidates
    places = {(node.lineno, node.col_offset): node for node in candidates}
    moved_line = len(lines) + 1000
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Lambda) or (node.lineno, node.col_offset) not in places:
            continue
        line = node.lineno
        node.lineno = moved_line
        try:
            module_code = compile(tree, filename, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError):
            return candidates
        finally:
            node.lineno = line
        if any(candidate.co_firstlineno == moved_line and candidate.co_name == '<lambda>' and
               candidate.replace(co_firstlineno=line) == code
               for candidate in _code_objects(module_code)):
            found.append(places[(line, node.col_offset)])
    if len(found) > 1 and len({gast.dump(node) for node in found}) == 1:
        return found[:1]  # the same text: the same code, whichever is the one
    return found or candidates


def _as_function(found):
    """A FunctionDef node for a found definition (a lambda becomes ``def lambda_``)."""
    if isinstance(found, gast.Lambda):
        body = gast.Return(value=found.body)
        gast.copy_location(body, found.body)
        found = gast.FunctionDef(name='lambda_', args=found.args, body=[body],
                                 decorator_list=[], returns=None, type_comment=None,
                                 type_params=[])
        found.lineno = body.lineno
        found.col_offset = body.col_offset
    return found


# -- functions defined inside the differentiated function ---------------------------------

_NOT_RUN = frozenset({'annotation', 'returns', 'type_comment', 'type_params'})
_MUTATING_METHODS = frozenset({
    'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'reverse', 'sort', 'update',
    'setdefault', 'popitem', 'fill', 'put', 'itemset', 'resize', 'setfield', 'partition',
    'add_at'})


def own_scope_nodes(nodes):
    """The nodes of `nodes` (statements or expressions) that run in the scope they are in,
    in source order: the decorators and default values of a nested ``def`` run there, its
    parameters and body do not. Annotations are not visited (they are not differentiated)."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, gast.FunctionDef):
            children = list(node.decorator_list) + list(node.args.defaults) + \
                [d for d in node.args.kw_defaults if d is not None]
        else:
            children = []
            for field, value in gast.iter_fields(node):
                if field in _NOT_RUN:
                    continue
                for child in value if isinstance(value, list) else [value]:
                    if isinstance(child, gast.AST):
                        children.append(child)
        stack.extend(reversed(children))


def parameter_names(fdef):
    """Every parameter name of FunctionDef `fdef`, ``*args`` and ``**kwargs`` included."""
    args = fdef.args
    names = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
    return names + [a.id for a in (args.vararg, args.kwarg) if a is not None]


def function_scope(fdef):
    """(names bound in FunctionDef `fdef`'s own scope, names its calls read from enclosing
    scopes), the latter in first-seen order; reads of functions nested in `fdef` count."""
    bound = set(parameter_names(fdef))
    loads = []
    for node in own_scope_nodes(fdef.body):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                loads.append(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            bound.add(node.name)
            loads.extend(function_scope(node)[1])
    return bound, list(dict.fromkeys(name for name in loads if name not in bound))


def _statement_paths(stmts, prefix=()):
    """(statement, path) for the statements of `stmts` and of the blocks of its ``if``,
    ``for`` and ``while`` statements (not of nested functions), in source order. A path is
    (index, field, index, ..., index): statement A runs before statement B in every run
    that reaches B when A's block is an enclosing block of B and A comes first in it."""
    for index, stmt in enumerate(stmts):
        path = prefix + (index,)
        yield stmt, path
        if isinstance(stmt, gast.FunctionDef):
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                yield from _statement_paths(block, path + (field,))


def _header_nodes(stmt):
    """The nodes of `stmt` that run in its own scope, except the statements of its blocks."""
    if isinstance(stmt, gast.FunctionDef):
        return list(own_scope_nodes([stmt]))
    parts = [value for field, value in gast.iter_fields(stmt)
             if field not in ('body', 'orelse') and field not in _NOT_RUN]
    nodes = []
    for part in parts:
        for child in part if isinstance(part, list) else [part]:
            if isinstance(child, gast.AST):
                nodes.extend(own_scope_nodes([child]))
    return nodes


def _precedes(def_path, path):
    """Whether the statement at `def_path` runs before the one at `path` whenever it runs."""
    depth = len(def_path) - 1
    return len(path) > depth and path[:depth] == def_path[:depth] and \
        path[depth] > def_path[depth]


def _written(stmts, rebinding=True):
    """Names that `stmts` assign into, update in place (``+=`` too) or change with a method,
    in their own scope, and (`rebinding`) those they bind."""
    written = set()
    for node in own_scope_nodes(stmts):
        if rebinding and isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            written.add(node.id)
        elif rebinding and isinstance(node, gast.FunctionDef):
            written.add(node.name)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            written.add(node.target.id)
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store):
            base = node.value
            while isinstance(base, (gast.Subscript, gast.Attribute)):
                base = base.value
            if isinstance(base, gast.Name):
                written.add(base.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                node.func.attr in _MUTATING_METHODS:
            written.add(node.func.value.id)
    return written


def _literal(node):
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _literal(node.operand)
    if isinstance(node, gast.Tuple):
        return all(_literal(elt) for elt in node.elts)
    return False


def default_expressions(fdef):
    """(parameter name, default expression) of FunctionDef `fdef`."""
    args = fdef.args
    positional = args.posonlyargs + args.args
    pairs = list(zip([a.id for a in positional[len(positional) - len(args.defaults):]],
                     args.defaults))
    pairs += [(a.id, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return pairs


class NestedFunctions:
    """The functions defined inside a function `func` (at any depth of its ``if``, ``for``
    and ``while`` blocks), as s2sgrad lifts them to the top level.

    A closure reads the enclosing variables when it is called, so a nested function called
    where it is defined is the lifted function with those variables passed at each call.
    For each nested function this finds the enclosing variables its calls must pass
    (`needs`: its own and those of the nested functions it calls), the nested functions it
    calls (`reach`, copied into its lifted body) and whether its default values are passed
    at its calls (`filled`: they are expressions that read variables, evaluated where the
    ``def`` runs, which lifting turns into the same expressions at the calls). `problem(node,
    what)` makes the error for each case where lifting would not keep the function's meaning:
    a name defined twice; a nested function used as a value; a call that may come before its
    ``def`` runs; a default value that may change between the ``def`` and a call, or that is
    an expression; nested functions that call each other, or one calling a nested function
    defined after it; a nested function with a variable of the name of one that a nested
    function it calls reads from the enclosing function.
    """

    def __init__(self, func, problem):
        self.problem = problem
        self.defs, self.paths = {}, {}
        statements = list(_statement_paths(func.body))
        for stmt, path in statements:
            if isinstance(stmt, gast.FunctionDef):
                if stmt.name in self.defs:
                    raise problem(stmt, self._twice(stmt.name, self.defs[stmt.name]))
                self.defs[stmt.name] = stmt
                self.paths[stmt.name] = path
        self.needs, self.reach, self.filled = {}, {}, {}
        if not self.defs:
            return
        self.bound = function_scope(func)[0]
        self._check_single_binding(func)
        self._check_calls_only(func)
        scopes = {name: function_scope(node) for name, node in self.defs.items()}
        refs = {name: [v for v in scope[1] if v in self.defs] for name, scope in scopes.items()}
        default_reads = {}
        for name, node in self.defs.items():
            self.filled[name] = not all(_literal(d) for _, d in default_expressions(node))
            default_reads[name] = [v for _, d in default_expressions(node) for v in n.names_read(d)
                                   if v in self.bound and v not in self.defs] \
                if self.filled[name] else []
            self.needs[name] = [v for v in scopes[name][1]
                                if v in self.bound and v not in self.defs]
        for name in self.defs:  # the nested functions each one calls, directly or not
            reach, todo = [], list(refs[name])
            while todo:
                callee = todo.pop(0)
                if callee not in reach:
                    reach.append(callee)
                    todo.extend(refs[callee])
            self.reach[name] = reach
            for callee in reach:
                for var in self.needs[callee] + default_reads[callee]:
                    if var not in self.needs[name]:
                        self.needs[name].append(var)
        for name in self.defs:
            self._check_order(name, refs)
            self._check_callees(name, scopes, default_reads)
        calls = self._call_points(statements, refs)
        for name in self.defs:
            for path, call, via in calls[name]:
                if not _precedes(self.paths[name], path):
                    raise problem(call, self._before_def(name, via))
            if self.filled[name]:
                self._check_defaults(name, calls[name], func)

    def lifted(self, name):
        """The FunctionDef nodes that the lifted function `name` starts with: those of the
        nested functions it calls, itself too when it is recursive."""
        return sorted((self.defs[callee] for callee in self.reach.get(name, ())),
                      key=lambda node: (node.lineno, node.col_offset))

    # -- checks -----------------------------------------------------------------------------
    def _twice(self, name, first):
        return (f'a second definition of the nested function `{name}` (the first is at line '
                f'{first.lineno}); s2sgrad passes the enclosing variables a nested function '
                f'reads at each of its calls, which needs one definition for each name: give '
                f'each function a name of its own')

    def _check_single_binding(self, func):
        for name, node in self.defs.items():
            if name in parameter_names(func):
                raise self.problem(node, f'the nested function `{name}`, which has the name '
                                         f'of a parameter: s2sgrad needs one definition for '
                                         f'each name; give it a name of its own')
        for node in own_scope_nodes(func.body):
            if isinstance(node, gast.Name) and node.id in self.defs and \
                    not isinstance(node.ctx, gast.Load):
                first = self.defs[node.id]
                raise self.problem(node, f'an assignment to `{node.id}`, the name of the '
                                         f'nested function defined at line {first.lineno}: '
                                         f's2sgrad needs one definition for each name; give '
                                         f'the function or the variable another name')

    def _check_calls_only(self, func):
        called = {id(node.func) for node in own_scope_nodes(func.body)
                  if isinstance(node, gast.Call)}
        for node in own_scope_nodes(func.body):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                    node.id in self.defs and id(node) not in called:
                raise self.problem(node, self._escape(node.id))

    @staticmethod
    def _escape(name):
        return (f'the nested function `{name}` used as a value (returned, stored, or passed '
                f'to another function): s2sgrad lifts a nested function to the top level and '
                f'passes the enclosing variables it reads at each call, so it can follow '
                f'only calls `{name}(...)` where it is defined: call it there, or define it '
                f'at module level and pass what it reads as arguments')

    def _check_order(self, name, refs):
        """The nested functions that `name` calls are defined before it: generated code
        keeps a ``def`` only where a later statement reads the name it defines."""
        for callee in refs[name]:
            if callee == name or _precedes(self.paths[callee], self.paths[name]):
                continue
            use = next(node for node in gast.walk(self.defs[name])
                       if isinstance(node, gast.Name) and node.id == callee)
            if name in self.reach[callee]:
                raise self.problem(use, (
                    f'the nested functions `{name}` and `{callee}`, which call each other; '
                    f'define them at module level and pass what they read as arguments'))
            raise self.problem(use, (
                f'the call of the nested function `{callee}` in the nested function `{name}` '
                f'defined before it; define `{callee}` first (before `{name}`, in the same '
                f'block or an enclosing one)'))

    def _check_callees(self, name, scopes, default_reads):
        """The nested functions that `name` calls are copied into its lifted body, so
        what they read from the enclosing function must not be a variable of `name`."""
        own = scopes[name][0]
        for callee in self.reach[name]:
            if callee == name:
                continue
            reads = [callee] + scopes[callee][1] + default_reads[callee]
            clash = [v for v in reads if v in own]
            if clash:
                raise self.problem(self.defs[name], (
                    f'the nested function `{name}`, which has a variable `{clash[0]}` of its '
                    f'own and calls the nested function `{callee}` (directly or not), which '
                    f'reads the `{clash[0]}` of the enclosing function: s2sgrad copies '
                    f'`{callee}` into the function it makes of `{name}`; rename one of the '
                    f'variables'))

    def _call_points(self, statements, refs):
        """Where each nested function is called, as (statement path, call node, name of the
        nested function called there that leads to it, or None)."""
        calls = {name: [] for name in self.defs}
        for stmt, path in statements:
            for node in _header_nodes(stmt):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                        node.func.id in self.defs:
                    calls[node.func.id].append((path, node, None))
        changed = True
        while changed:
            changed = False
            for caller, callees in refs.items():
                for callee in callees:
                    known = {(path, id(call)) for path, call, _ in calls[callee]}
                    for path, call, via in calls[caller]:
                        if (path, id(call)) not in known:
                            calls[callee].append((path, call, via or caller))
                            known.add((path, id(call)))
                            changed = True
        return calls

    @staticmethod
    def _before_def(name, via):
        through = f' (through `{via}`, which calls it)' if via else ''
        return (f'a call of the nested function `{name}`{through} that its `def` does not '
                f'come before in every run: it is in an `if` or a loop that this call is '
                f'not in, or after the call; define `{name}` before its calls, in the same '
                f'block or an enclosing one')

    def _check_defaults(self, name, calls, func):
        node = self.defs[name]
        def_path = self.paths[name]
        depth = len(def_path) - 1
        block = func.body
        for step in range(0, depth, 2):
            block = getattr(block[def_path[step]], def_path[step + 1])
        for param, default in default_expressions(node):
            enclosing = [v for v in n.names_read(default) if v in self.bound]
            simple = isinstance(default, gast.Name) or _literal(default) or \
                (n.dotted_path(default) is not None and not enclosing)
            if not simple:
                raise self.problem(default, (
                    f'the default value of `{param}` of the nested function `{name}`: '
                    f's2sgrad passes a nested function\'s default values at its calls, and '
                    f'this one is an expression it would evaluate again at each call; assign '
                    f'it to a variable before the `def` and use that variable as the default'))
            if enclosing and param in _written(node.body, rebinding=False):
                raise self.problem(default, (
                    f'the default value of `{param}` of the nested function `{name}`: it is '
                    f'the enclosing variable `{enclosing[0]}`, which `{name}` changes in place '
                    f'through `{param}`; pass a copy explicitly (`{name}(..., '
                    f'{param}={enclosing[0]}.copy())`)'))
            for path, call, _ in calls:
                between = block[def_path[depth] + 1:path[depth] + 1]
                changed = [v for v in enclosing if v in _written(between)]
                if changed:
                    raise self.problem(default, (
                        f'the default value of `{param}` of the nested function `{name}`: '
                        f'it reads `{changed[0]}`, which changes between the `def` and the '
                        f'call at line {call.lineno}, and s2sgrad passes default values at '
                        f'the calls; pass the value explicitly, or copy it to a variable that '
                        f'does not change'))
