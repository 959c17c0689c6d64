"""Parse pass: find a function's source, parse it with gast, and collect its namespace."""
import builtins
import functools
import inspect
import linecache
import os

import gast

from . import nodes as n
from .errors import SourceUnavailableError, WrapperError

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


def _unavailable(func, why):
    if inspect.isfunction(func) and hasattr(func, '__wrapped__'):
        return WrapperError(
            f'cannot differentiate the wrapper `{_code_name(func)}` of '
            f'`{_qualname(func.__wrapped__)}`: {why}. s2sgrad differentiates what a wrapper '
            f'does, never only the wrapped function; differentiate the undecorated function.')
    return SourceUnavailableError(
        f'cannot differentiate {_qualname(func)}: {why}. s2sgrad reads the Python source of the '
        f'function; define it in a .py file (or give a NumPy function a rule with '
        f'@s2sgrad.adjoint).')


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
            raise WrapperError(
                f'cannot differentiate {_qualname(func)}: it is a {type(func).__name__} object '
                f'wrapping {_qualname(func.__wrapped__)}, and s2sgrad can read neither its '
                f'code nor what it does around the wrapped function. Differentiate the '
                f'wrapped function (`.__wrapped__`) and apply the wrapper\'s effect yourself.')
        raise _unavailable(func, 'it is not a Python function (a builtin, ufunc or C function '
                                 'has no Python source)')
    code = func.__code__
    filename = code.co_filename
    module, lines, entry = _parse_file(filename)
    if module is None:
        raise _unavailable(func, f'its source file {filename!r} cannot be read (functions '
                                 f'made by exec or typed at the interactive prompt have none)')
    node = _find(module, code, code.co_name)
    if node is None:
        raise _unavailable(func, f'its definition was not found in {filename!r} (was the file '
                                 f'changed after import?)')
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
                             f'was defined, and the text there now is not the code it runs '
                             f'(reload the module, or define the function again)')


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

    def refuse(why):
        return WrapperError(
            f'cannot differentiate the wrapper `{wrapper}` (of {inner}): {why}. s2sgrad '
            f'differentiates what the wrapper does, never only the wrapped function; give '
            f'the wrapper explicit parameters, or differentiate the undecorated function.')

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
                         f'`f(*{varname}, **{kwname or "kwargs"})`')
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


def _find(module, code, name):
    line = code.co_firstlineno
    candidates = []
    for node in gast.walk(module):
        if isinstance(node, gast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [dec.lineno for dec in node.decorator_list])
            if first == line or node.lineno == line:
                candidates.append(node)
        elif isinstance(node, gast.Lambda) and name == '<lambda>' and node.lineno == line:
            params = tuple(arg.id for arg in node.args.args)
            if params == code.co_varnames[:code.co_argcount]:
                candidates.append(node)
    if len(candidates) != 1:
        return None
    found = candidates[0]
    if isinstance(found, gast.Lambda):
        body = gast.Return(value=found.body)
        gast.copy_location(body, found.body)
        found = gast.FunctionDef(name='lambda_', args=found.args, body=[body],
                                 decorator_list=[], returns=None, type_comment=None,
                                 type_params=[])
        found.lineno = body.lineno
        found.col_offset = body.col_offset
    return found
