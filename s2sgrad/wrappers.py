"""Decorator wrappers: memoizing C wrappers looked through, ``*args, **kwargs`` wrappers
specialised to the parameters of the function they pass them on to."""
import functools
import inspect

import gast

from . import nodes as n
from .errors import WrapperError
from .sourcefiles import code_name, location, qualname

# C wrappers whose call is exactly a call of their ``__wrapped__`` function (they only memoize).
_TRANSPARENT_WRAPPERS = (functools._lru_cache_wrapper,)


def unwrap_transparent(func):
    """`func` without the C wrappers that only memoize it (``functools.lru_cache``)."""
    while isinstance(func, _TRANSPARENT_WRAPPERS):
        func = func.__wrapped__
    return func


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


def specialize(func, node, defaults, namespace, signature):
    """A wrapper ``def wrapper(*args, **kwargs): ... fn(*args, **kwargs) ...`` with the
    parameters of `fn` in place of ``*args`` and ``**kwargs``: ``def wrapper(x, y): ...
    fn(x, y) ...``, and its default values by name. Other functions are returned unchanged
    with `defaults` (the fence judges them).

    `node` is the FunctionDef of `func`, `namespace` the names its body sees, and `signature`
    gives the parameters of a callable as s2sgrad differentiates it (`source.signature`, which
    parses `fn` in turn when it is a wrapper itself).
    """
    args = node.args
    if args.vararg is None and args.kwarg is None:
        return node, defaults
    varname = args.vararg.id if args.vararg is not None else None
    kwname = args.kwarg.id if args.kwarg is not None else None
    calls = _splat_calls(node, varname, kwname)
    decorated = hasattr(func, '__wrapped__')
    if not decorated and (not calls or args.args or args.posonlyargs or args.kwonlyargs):
        # an ordinary function with *args (``objective(theta, *args)`` passing them on to
        # ``nll(theta, *args)``): `*args` is a tuple there (see `varargs`)
        return node, defaults
    wrapper = code_name(func)
    inner = f'`{qualname(func.__wrapped__)}`' if decorated else 'a function'

    def refuse(why, at=None):
        return WrapperError(
            f'cannot differentiate the wrapper `{wrapper}` (of {inner}): {why}. s2sgrad '
            f'differentiates what the wrapper does, never only the wrapped function; give '
            f'the wrapper explicit parameters, or differentiate the undecorated function.',
            *location(func.__code__, at if at is not None else node))

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
    targets = {id(_resolve(call.func, namespace)): _resolve(call.func, namespace)
               for call in calls}
    target = next(iter(targets.values()), None) if len(targets) == 1 else None
    if target is None or not callable(target):
        raise refuse('it does not pass `*args`/`**kwargs` on to exactly one function '
                     'as `f(*args, **kwargs)`')
    try:
        target_signature = signature(target)
    except (TypeError, ValueError):
        raise refuse(f'the signature of `{qualname(target)}` is unknown') from None
    P = inspect.Parameter
    positional, keyword_only = [], []
    for param in target_signature.parameters.values():
        if param.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
            raise refuse(f'`{qualname(target)}` takes `*args`/`**kwargs` itself')
        if param.kind == P.KEYWORD_ONLY:
            if kwname is not None:
                keyword_only.append(param)
            elif param.default is P.empty:
                raise refuse(f'`{qualname(target)}` needs the keyword argument `{param.name}`'
                             f' that the wrapper cannot pass')
        else:
            positional.append(param)
    used = n.all_names(node) - {varname, kwname}
    for param in positional + keyword_only:
        if param.name in used:
            raise refuse(f'the parameter `{param.name}` of `{qualname(target)}` has the name '
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
