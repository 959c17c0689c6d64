"""Constructs rewritten into ones the pipeline differentiates, before the fence.

Each rewrite keeps the meaning of the code and makes it read as a person would write it, in
its own module: parameters holding functions (`function_params`), lambdas and ``map``
(`lambda_defs`), ``s2sgrad.grad(g)(x)`` inside the function (`nested_grad`), ``*args``
(`varargs`), np.einsum's sublist form (`einsum_form`) and ``zip``/``enumerate``/``reversed``
consumed whole (`iterator_calls`); here, annotated assignments
(``h: np.ndarray = f(x)`` is ``h = f(x)``: an annotation changes no value), ``global``
statements of names only read, and reads of ``x.flat`` (``x.flat[i]`` is ``x.ravel()[i]``).
"""
import gast

from . import nodes as n
from .einsum_form import einsum_subscripts
from .function_params import default_guards, is_function, resolve_function_defaults
from .iterator_calls import lower_iterators
from .lambda_defs import Hoister, lower_maps
from .nested_grad import resolve_nested_grads
from .operator_calls import operators
from .resolve import Resolver
from .varargs import pack_varargs, unpack_constants

__all__ = ['rewrite_constructs', 'default_guards', 'is_function', 'unpack_constants']


def rewrite_constructs(ctx):
    """Rewrite `ctx.func` in place (see the module docstring); raises UnsupportedSyntaxError
    (through `ctx.unsupported`) for what it cannot rewrite soundly."""
    func = ctx.func
    ops = operators()
    plain_annotations(func)
    read_only_globals(func)
    flat_reads(func)
    resolve_function_defaults(ctx, func)
    resolver = _resolver(ctx, func)
    lower_maps(ctx, func, resolver)
    lower_iterators(ctx, func, resolver)
    func.body = Hoister(ctx, resolver, ops).block(func.body)
    resolver = _resolver(ctx, func)
    resolve_nested_grads(ctx, func, resolver, ops)
    pack_varargs(ctx, func, resolver)
    einsum_subscripts(func, resolver)


def plain_annotations(func):
    """Make each annotated assignment of `func` (nested functions too) a plain one, and drop
    a bare annotation (``y: float``), which assigns nothing."""
    def plain(block):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.AnnAssign):
                if stmt.value is None:
                    continue
                stmt = gast.copy_location(gast.Assign(targets=[stmt.target], value=stmt.value,
                                                      type_comment=None), stmt)
            out.append(stmt)
        return out or ([gast.Pass()] if block else [])
    for node in n.walk(func):
        n.map_blocks(node, plain, functions=True)


def read_only_globals(func):
    """Drop ``global G`` where no function of `func` assigns `G` (it is read as a global
    without the statement too); a ``global`` of a name assigned stays, and the fence refuses
    it."""
    stored = set(n.names_stored(func))

    def kept(block):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Global) and not set(stmt.names) & stored:
                continue
            out.append(stmt)
        return out or ([gast.Pass()] if block else [])
    for node in n.walk(func):
        n.map_blocks(node, kept, functions=True)


def flat_reads(func):
    """Read ``x.flat`` as ``x.ravel()`` (the same items, in the same order), except where it
    is written into (``x.flat[i] = v`` changes `x`: the effects check refuses it)."""
    targets = set()
    for node in n.walk(func):
        for target in getattr(node, 'targets', None) or \
                ([node.target] if isinstance(node, (gast.AugAssign, gast.AnnAssign)) else []):
            targets.update(id(part) for part in n.walk(target))

    def read(node):
        if isinstance(node, gast.Attribute) and node.attr == 'flat' and \
                isinstance(node.ctx, gast.Load) and id(node) not in targets:
            return gast.copy_location(gast.Call(
                func=gast.Attribute(value=node.value, attr='ravel', ctx=gast.Load()),
                args=[], keywords=[]), node)
        return node
    for node in list(n.walk(func)):
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.AST):
                setattr(node, field, read(value))
            elif isinstance(value, list):
                setattr(node, field, [read(v) if isinstance(v, gast.AST) else v
                                      for v in value])


def _resolver(ctx, func):
    locals_ = set(n.names_stored(func)) | set(ctx.params)
    return Resolver(ctx.visible(), locals_)
