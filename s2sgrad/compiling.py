"""Compile generated source into a function whose source `inspect` and tracebacks can show."""
import ast
import hashlib
import linecache
import types

_FACTORY = '__s2sgrad_factory__'


def compile_function(source, name, namespace, cells=None, defaults=None, kwdefaults=None):
    """Compile `source` (defining function `name`) and return the function.

    The function's globals are `namespace` itself (not a copy: it reads them at call time),
    and every free name in `cells` (name -> cell) is a closure variable reading that cell, so
    a generated function can share the closure cells of the function it was made from.
    `defaults` and `kwdefaults` are the values of its default arguments; the default
    expressions in `source` are only shown, never evaluated. The source is registered in
    `linecache` under a stable pseudo-filename, so ``inspect.getsource``, tracebacks and
    ``pdb`` show the generated code, line for line.
    """
    cells = dict(cells or {})
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    filename = f'<s2sgrad {name} {digest}>'
    lines = source.splitlines(True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    tree = ast.parse(source, filename)
    # def __s2sgrad_factory__(<cells>): <source>; return <name> -- never run: it only makes
    # the names in `cells` free variables of the function, at unchanged lines and columns.
    params = [ast.arg(arg=var) for var in sorted(cells) if var != name]
    factory = ast.FunctionDef(
        name=_FACTORY, args=ast.arguments(posonlyargs=[], args=params, vararg=None,
                                          kwonlyargs=[], kw_defaults=[], kwarg=None,
                                          defaults=[]),
        body=tree.body + [ast.Return(value=ast.Name(id=name, ctx=ast.Load()))],
        decorator_list=[], returns=None, type_comment=None, lineno=1, col_offset=0)
    if hasattr(ast, 'TypeAlias'):
        factory.type_params = []
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    code = compile(module, filename, 'exec', dont_inherit=True)
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner = [c for c in factory_code.co_consts
             if isinstance(c, types.CodeType) and c.co_name == name][-1]
    if hasattr(inner, 'co_qualname'):
        inner = inner.replace(co_qualname=name)
    own = None
    closure = []
    for var in inner.co_freevars:
        if var == name:
            own = types.CellType()
            closure.append(own)
        else:
            closure.append(cells[var])
    func = types.FunctionType(inner, namespace, name, tuple(defaults) if defaults else None,
                              tuple(closure) if closure else None)
    if kwdefaults:
        func.__kwdefaults__ = dict(kwdefaults)
    if own is not None:
        own.cell_contents = func  # recursion: the function calls itself by its name
    func.source = source
    return func
