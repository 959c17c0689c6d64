"""Parse pass: find a function's source, parse it with gast, and collect its namespace."""
import builtins
import inspect
import os
import sys
import types

import gast

from . import nodes as n
from . import rules
from . import runtime
from .attribute_calls import constant_attributes
from .culprits import culprit
from .errors import SourceUnavailableError, WrapperError
from .lambdas import as_function, candidates, lambda_params, pick_lambda
from .naming import Namer
from .sourcefiles import code_name, location, parse_file, qualname
from .wrappers import specialize, unwrap_transparent

__all__ = ['FunctionSource', 'namespace_of', 'parse_function', 'signature']


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
        self.functions = {}  # parameter -> the function a call passes (see `constructs`)

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
        return culprit(self.node, lineno, what)


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


_READS_SOURCE = ('. s2sgrad reads the Python source of the function; define it in a .py file '
                 '(or give a NumPy function a rule with @s2sgrad.adjoint).')


def _unavailable(func, why, node=None, advice=_READS_SOURCE):
    where = location(getattr(func, '__code__', None), node)
    if inspect.isfunction(func) and hasattr(func, '__wrapped__'):
        return WrapperError(
            f'cannot differentiate the wrapper `{code_name(func)}` of '
            f'`{qualname(func.__wrapped__)}`: {why}. s2sgrad differentiates what a wrapper '
            f'does, never only the wrapped function; differentiate the undecorated function.',
            *where)
    return SourceUnavailableError(f'cannot differentiate {qualname(func)}: {why}{advice}',
                                  *where)


def refuse_declared(func):
    """Raise WrapperError for a derivative made with ``shapes=`` (`declared.checked`): its
    code was simplified for the declared shapes, behind a check s2sgrad does not
    differentiate."""
    declared_for = getattr(func, '__s2sgrad_declared__', None)
    if declared_for is not None:
        raise WrapperError(
            f'cannot differentiate the derivative of `{qualname(declared_for)}` made with '
            f'shapes=: its code was simplified for the declared shapes, behind a check of '
            f'its arguments that s2sgrad does not differentiate; make it without shapes= to '
            f'differentiate it again', *location(getattr(declared_for, '__code__', None)))


def parse_function(func):
    """Return the FunctionSource of a Python function or lambda defined in a source file.

    A decorated function is differentiated as what it is: its wrapper's own code, which calls
    the wrapped function (differentiated in turn). Only C wrappers that merely memoize
    (``functools.lru_cache``) are looked through.
    """
    func = unwrap_transparent(func)
    refuse_declared(func)
    if not inspect.isfunction(func):
        if hasattr(func, '__wrapped__'):
            call = getattr(type(func), '__call__', None)
            raise WrapperError(
                f'cannot differentiate {qualname(func)}: it is a {type(func).__name__} object '
                f'wrapping {qualname(func.__wrapped__)}, and s2sgrad can read neither its '
                f'code nor what it does around the wrapped function. Differentiate the '
                f'wrapped function (`.__wrapped__`) and apply the wrapper\'s effect yourself.',
                *location(getattr(call, '__code__', None)))
        raise _unavailable(func, 'it is not a Python function (a builtin, ufunc or C function '
                                 'has no Python source)')
    code = func.__code__
    filename = code.co_filename
    parsed, lines = parse_file(filename)
    if parsed is None:
        raise _unavailable(func, f'its source file {filename!r} cannot be read (functions '
                                 f'made by exec or typed at the interactive prompt have none)')
    found = candidates(parsed.definitions, code, code.co_name)
    if len(found) > 1 and code.co_name == '<lambda>':
        found = pick_lambda(found, code, filename, lines)
        if len(found) != 1:
            raise _unavailable(func, f'line {code.co_firstlineno} of {filename!r} defines '
                                     f'several lambdas with the parameters '
                                     f'({", ".join(lambda_params(code))}) and s2sgrad cannot '
                                     f'tell which of them this one is; define it with `def`, '
                                     f'or put each lambda on a line of its own',
                               found[0], advice='')
    if len(found) != 1:
        raise _unavailable(func, f'its definition was not found in {filename!r}; was the file '
                                 f'changed after import? Reload the module, or define the '
                                 f'function again', advice='')
    node = as_function(found[0])
    _check_current(func, node, parsed, filename)
    cells = dict(zip(code.co_freevars, func.__closure__ or ()))
    namespace = namespace_of(func)
    node, defaults = specialize(func, node, _defaults_of(func), namespace, signature)
    node = _free_runtime_name(node, namespace, cells)
    node = _mangled(node, func)
    node = constant_attributes(node, namespace)  # (``getattr(obj, 'pop')``: `obj.pop`)
    if rules.is_definition(func):
        node = _rule_globals_through_runtime(node, namespace)
    return FunctionSource(node, filename, lines, namespace, code.co_name, func,
                          globals=func.__globals__, cells=cells, defaults=defaults)


def _mangled(node, func):
    """`node` with the private attributes of a method (``self.__sq``) named as Python
    names them in the class of `func` (``self._Model__sq``), which its object holds."""
    parts = getattr(func, '__qualname__', '').split('.')
    owner = parts[-2].lstrip('_') if len(parts) > 1 and parts[-2] != '<locals>' else ''
    private = [part for part in n.walk(node) if isinstance(part, gast.Attribute) and
               part.attr.startswith('__') and not part.attr.endswith('__')]
    if not owner or not private:
        return node
    node = n.clone(node)
    for part in n.walk(node):
        if isinstance(part, gast.Attribute) and part.attr.startswith('__') and \
                not part.attr.endswith('__'):
            part.attr = f'_{owner}{part.attr}'
    return node


def _free_runtime_name(node, namespace, cells):
    """`node`, whose reads of a global or free `s2s` that is not s2sgrad.runtime (as after
    ``import s2sgrad as s2s``) read it under another name, since generated code reserves
    `s2s` for s2sgrad.runtime; `namespace` then maps `s2s` to the runtime (and `cells` and
    `namespace` hold the user's object under the new name)."""
    user = namespace.get('s2s', runtime)
    if user is runtime:
        return node
    namespace['s2s'] = runtime
    if 's2s' in n.names_stored(node) or 's2s' in _param_names(node):
        return node  # a local `s2s`: refused, with its line (see `context`)
    reads = [name for name in n.walk(node) if isinstance(name, gast.Name) and name.id == 's2s']
    if not reads:
        return node
    fresh = Namer(n.all_names(node) | set(namespace)).fresh(
        's2sgrad' if user is sys.modules.get('s2sgrad') else 's2s_global')
    node = n.clone(node)
    for name in n.walk(node):
        if isinstance(name, gast.Name) and name.id == 's2s':
            name.id = fresh
    namespace[fresh] = user
    cells[fresh] = cells.pop('s2s', None) or types.CellType(user)
    return node


def _rule_globals_through_runtime(node, namespace):
    """`node`, a definition of s2sgrad's (templates/definitions.py), reading the globals of
    its module that are not `np`, `s2s` or `math` (``_SYMMETRIC``, another definition,
    ``builtins``) as ``s2s.NAME``, as the printed code can (it runs given `np`, `s2s` and
    your names), where `s2s` reaches the same object."""
    local = set(n.names_stored(node)) | _param_names(node)
    reads = {}
    for name in n.walk(node):
        if isinstance(name, gast.Name) and isinstance(name.ctx, gast.Load) and \
                name.id not in local and name.id not in ('np', 's2s', 'math') and \
                name.id in namespace:
            value = namespace[name.id]
            public = 'builtins' if value is builtins else name.id \
                if inspect.ismodule(value) and rules.template_module(name.id) is value else \
                rules.public_name(name.id)
            if public is not None and getattr(runtime, public) is namespace[name.id]:
                reads[id(name)] = public
    if not reads:
        return node

    class Qualify(gast.NodeTransformer):
        def visit_Name(self, name):
            if id(name) in reads:
                return gast.copy_location(n.attr('s2s', reads[id(name)]), name)
            return name
    return Qualify().visit(node)


def _param_names(node):
    args = node.args
    return {a.id for a in args.posonlyargs + args.args + args.kwonlyargs +
            [a for a in (args.vararg, args.kwarg) if a is not None]}


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


def _check_current(func, node, parsed, filename):
    """Refuse source text that is not the code `func` runs (its file changed since import).

    The file is compiled again and must yield `func`'s code object. Only files on disk are
    checked (interactive and doctest code has pseudo file names); functions whose
    ``assert`` statements pytest rewrote when it imported their module (their code reads
    pytest's ``@pytest_ar`` helpers) are trusted.
    """
    if not os.path.isfile(filename):
        return
    if parsed.code is None:
        return
    code = func.__code__
    if any(candidate == code for candidate in parsed.codes_at(code.co_name,
                                                              code.co_firstlineno)):
        return
    if any(isinstance(sub, gast.Assert) for sub in gast.walk(node)) and \
            any(name.startswith('@py') for name in _names_of(code)):
        return
    raise _unavailable(func, f'its source file {filename!r} was changed after the function '
                             f'was defined, and the text there now is not the code it runs; '
                             f'reload the module, or define the function again',
                       advice='')


def _names_of(code):
    """The global and attribute names `code` and the code objects in it read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, 'co_names'):
            names |= _names_of(const)
    return names
