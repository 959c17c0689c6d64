"""Declared shapes: ``shapes={'x': ('n',), 'A': ('n', 'n')}``, parsed, checked at each call."""
import ast
import inspect

from .errors import WrtError
from .runtime_checks import declared_shapes


def parse(text):
    """``'x=(n,),A=(n,n)'`` (the command line's ``--shapes``) as ``{'x': ('n',), ...}``.

    A size is a number or a name; one name stands for one size wherever it appears."""
    try:
        tree = ast.parse(f'dict({text})', mode='eval')
    except SyntaxError:
        tree = None
    if tree is None or tree.body.args or any(k.arg is None for k in tree.body.keywords) or \
            not tree.body.keywords and text.strip():  # (``--shapes garbage``: no NAME=)
        raise WrtError(f'--shapes {text!r} does not read as NAME=(SIZE, ...),...')
    shapes = {}
    for keyword in tree.body.keywords:
        value = keyword.value
        elts = value.elts if isinstance(value, ast.Tuple) else [value]
        shapes[keyword.arg] = tuple(e.value if isinstance(e, ast.Constant) else
                                    ast.unparse(e) for e in elts)
    return normalize(shapes)


def normalize(shapes, params=None):
    """`shapes` (a mapping of parameter names to tuples of sizes) as a sorted tuple of
    ``(name, sizes)``; sizes are ints or names. Raise WrtError for anything else."""
    if not shapes:
        return ()
    if isinstance(shapes, str):
        return parse(shapes) if params is None else normalize(dict(parse(shapes)), params)
    items = []
    for name, sizes in dict(shapes).items():
        if params is not None and name not in params:
            raise WrtError(f'shapes names {name!r}, which is no parameter '
                           f'(parameters: {", ".join(params)})')
        if isinstance(sizes, (int, str)):
            sizes = (sizes,)
        sizes = tuple(sizes)
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, (int, str)) or \
                    isinstance(size, int) and size < 0 or \
                    isinstance(size, str) and not size.isidentifier():
                raise WrtError(f'the declared shape of {name!r} is {sizes!r}: each size '
                               f'must be a non-negative int or a name such as \'n\'')
        items.append((name, sizes))
    return tuple(sorted(items))


def describe(shapes):
    """``x: (n,), A: (n, n)``: the declared shapes as the printed code's header says them."""
    def one(sizes):
        inner = ', '.join(str(s) for s in sizes)
        return f'({inner},)' if len(sizes) == 1 else f'({inner})'
    return ', '.join(f'{name}: {one(sizes)}' for name, sizes in shapes)


def checked(function, source_function, shapes):
    """`function` (a generated function) behind a check that its arguments have the declared
    `shapes`: the code was simplified for those shapes only."""
    if not shapes:
        return function
    signature = inspect.signature(function)
    declared = dict(shapes)

    def check(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        bound.apply_defaults()
        declared_shapes(source_function.__name__, declared, bound.arguments)
        return function(*args, **kwargs)
    check.__wrapped__ = function
    for attribute in ('__name__', '__qualname__', '__doc__'):
        setattr(check, attribute, getattr(function, attribute))
    check.__dict__.update(function.__dict__)
    check.__s2sgrad_declared__ = source_function  # (differentiated again: refused, named)
    return check
