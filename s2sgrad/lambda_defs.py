"""Lambdas in the differentiated function become nested ``def``s; ``map`` a comprehension.

A lambda becomes a nested ``def`` defined just before its statement (``sq = lambda t: t * t``
becomes ``def sq(t): return t * t``; one called at once, or passed to ``s2sgrad.grad``, gets a
fresh name), and ``map(lambda t: t * 2, xs)`` becomes the comprehension ``[t * 2 for t in
xs]``. Part of `constructs`.
"""
import builtins

import gast

from . import nodes as n
from .comprehensions import CONSUMERS
from .iterator_calls import locate
from .operator_calls import is_operator

_COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)


class Hoister:
    """Lambdas made nested ``def``s, each defined just before the statement that holds it."""

    def __init__(self, ctx, resolver, ops):
        self.ctx = ctx
        self.resolver = resolver
        self.ops = ops

    def block(self, stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.FunctionDef):
                stmt.body = self.block(stmt.body)
                out.append(stmt)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and \
                    isinstance(stmt.value, gast.Lambda):
                out.extend(self._defs(stmt, stmt.value.body, ()))
                out.append(self._as_def(stmt.value, stmt.targets[0].id, stmt))
                continue
            headers = [value for field, value in gast.iter_fields(stmt)
                       if field not in ('body', 'orelse') and isinstance(value, gast.AST)] + \
                [v for field, value in gast.iter_fields(stmt) if isinstance(value, list)
                 and field not in ('body', 'orelse') for v in value if isinstance(v, gast.AST)]
            for header in headers:
                out.extend(self._defs(stmt, header, ()))
            for field, block in n.blocks(stmt):
                setattr(stmt, field, self.block(block))
            out.append(stmt)
        return out

    def _defs(self, stmt, node, comp_vars):
        """The defs of the lambdas to hoist in expression `node` (replaced by their names)."""
        defs = []
        if isinstance(node, _COMPREHENSIONS):
            comp_vars = comp_vars + tuple(v for g in node.generators
                                          for v in n.names_stored(g.target))
        for field, value in gast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for index, child in enumerate(children):
                if not isinstance(child, gast.AST):
                    continue
                if isinstance(child, gast.Lambda) and self._hoisted(node, field, index):
                    reads = [v for v in n.names_read(child.body)
                             if v in comp_vars and v not in _params(child)]
                    if reads:
                        raise self.ctx.unsupported(stmt, (
                            f'a `lambda` in a comprehension that reads the comprehension\'s '
                            f'variable `{reads[0]}`: s2sgrad makes a lambda a nested `def` '
                            f'before its statement, where `{reads[0]}` is not defined; write '
                            f'a `for` loop, or pass `{reads[0]}` to the lambda as an argument'),
                            node=child)
                    name = self.ctx.namer.fresh('fn')
                    defs.append(self._as_def(child, name, stmt))
                    if isinstance(value, list):
                        value[index] = n.name(name)
                    else:
                        setattr(node, field, n.name(name))
                else:
                    defs.extend(self._defs(stmt, child, comp_vars))
        return defs

    def _hoisted(self, parent, field, index):
        """Whether the lambda at `parent.field[index]` is hoisted: called at once, or the
        function that an s2sgrad operator differentiates."""
        if not isinstance(parent, gast.Call):
            return False
        if field == 'func':
            return True
        return field == 'args' and index == 0 and \
            is_operator(self.resolver, parent.func, self.ops)

    def _as_def(self, lam, name, stmt):
        body = gast.Return(value=lam.body)
        node = gast.FunctionDef(name=name, args=lam.args, body=[body], decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        for made in (node, body):
            gast.copy_location(made, lam)
            made.end_lineno, made.end_col_offset = lam.end_lineno, lam.end_col_offset
        node.body = self.block(node.body)  # lambdas inside this one
        return node


def _params(lam):
    args = lam.args
    names = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.id for a in (args.vararg, args.kwarg) if a is not None]
    return names


def lower_maps(ctx, func, resolver):
    """``list(map(g, xs))`` -> ``[g(item) for item in xs]``; ``map(lambda t: e, xs)`` -> ``[e
    for t in xs]`` (a generator where `sum`, `max`, ... consume `map`'s result; a list where
    a ``for`` loop or a comprehension iterates it, or a tuple assignment unpacks it)."""
    for node in list(n.walk(func)):
        consumer = isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            node.func.id in CONSUMERS and _is_builtin(resolver, node.func, node.func.id)
        # (``for v in map(g, xs)``, ``(np.sum(v) for v in map(g, xs))``: a list of the values)
        loop = isinstance(node, (gast.For, gast.comprehension))
        # (``lat, lon = map(math.radians, [lat, lon])``: unpacked at once, a list of them)
        unpacked = isinstance(node, gast.Assign) and \
            all(isinstance(t, (gast.Tuple, gast.List)) for t in node.targets)
        for field, value in gast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for index, child in enumerate(children):
                made = _map_comprehension(ctx, child, resolver, consumer and field == 'args',
                                          loop and field == 'iter' or
                                          unpacked and field == 'value')
                if made is None:
                    continue
                lower_maps(ctx, made, resolver)  # (``map(np.sum, map(g, xs))``: the inner)
                if isinstance(value, list):
                    value[index] = made
                else:
                    setattr(node, field, made)


def _is_builtin(resolver, node, name):
    return isinstance(node, gast.Name) and node.id == name and \
        resolver.lookup(node) is getattr(builtins, name)


def _map_comprehension(ctx, node, resolver, consumed, iterated=False):
    as_list = isinstance(node, gast.Call) and _is_builtin(resolver, node.func, 'list') and \
        len(node.args) == 1 and not node.keywords and isinstance(node.args[0], gast.Call) and \
        _is_builtin(resolver, node.args[0].func, 'map')
    inner = node.args[0] if as_list else node
    if iterated and isinstance(node, gast.Call) and _is_builtin(resolver, node.func, 'map'):
        as_list, inner = True, node
    if not as_list and not (consumed and isinstance(node, gast.Call) and
                            _is_builtin(resolver, node.func, 'map')):
        return None  # a `map` object kept: no derivative rule
    if len(inner.args) < 2 or inner.keywords or \
            any(isinstance(a, gast.Starred) for a in inner.args):
        return None
    fn, iters = inner.args[0], inner.args[1:]
    plain = isinstance(fn, gast.Lambda) and not fn.args.posonlyargs and \
        not fn.args.kwonlyargs and fn.args.vararg is None and fn.args.kwarg is None and \
        len(fn.args.args) == len(iters)
    if plain:
        names, elt = [a.id for a in fn.args.args], fn.body
    else:
        names = [ctx.namer.fresh('item') for _ in iters]
        elt = gast.Call(func=fn, args=[n.name(v) for v in names], keywords=[])
    if len(iters) == 1:
        target, source = n.name(names[0], store=True), iters[0]
    else:
        target = n.tuple_([n.name(v, store=True) for v in names], store=True)
        source = gast.Call(func=n.name('zip'), args=list(iters), keywords=[])
    generators = [gast.comprehension(target=target, iter=source, ifs=[], is_async=0)]
    made = (gast.ListComp if as_list else gast.GeneratorExp)(elt=elt, generators=generators)
    return locate(made, node)
