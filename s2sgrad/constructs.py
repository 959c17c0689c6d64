"""Constructs rewritten into ones the pipeline differentiates, before the fence.

Each rewrite keeps the meaning of the code and makes it read as a person would write it, in
its own module: parameters holding functions (`function_params`), lambdas and ``map``
(`lambda_defs`), ``s2sgrad.grad(g)(x)`` inside the function (`nested_grad`), ``*args``
(`varargs`), np.einsum's sublist form (`einsum_form`), ``math.log(x, b)``
(`call_forms`), ``zip``/``enumerate``/``reversed`` consumed whole (`iterator_calls`), a
loop's ``else`` clause (`loop_else`), namedtuples built in the function (`records`) and
arguments a helper changes where the call rebinds them (`rebound_arguments`);
dicts written as Python writes them (`dict_constructs`); here, annotated assignments (``h:
np.ndarray = f(x)`` is ``h = f(x)``: an annotation changes no value), ``del``, ``global``
statements of names only read, reads of ``x.flat`` (``x.flat[i]`` is ``x.ravel()[i]``),
set displays (``{a, b}`` is ``set((a, b))``), and assignments to several targets (``a = b =
e`` is ``a = e`` then ``b = a``).
"""
import builtins

import gast
import numpy as np

from . import nodes as n
from .call_forms import rewrite_call_forms
from .callables import users_instance
from .einsum_form import einsum_subscripts
from .function_params import default_guards, is_function, resolve_function_defaults
from .iterator_calls import lower_iterators
from .lambda_defs import Hoister, lower_maps
from .loop_else import rewrite_loop_else
from .match_cases import rewrite_matches
from .dict_constructs import (dict_comprehensions, dict_copies, dict_displays, dict_fills,
                              dict_merges, dict_setdefaults, expand_keyword_dicts,
                              name_keyed_calls)
from .named_exprs import hoist_named_exprs
from .nested_grad import bound_gradient_calls, resolve_nested_grads
from .operator_calls import operators
from .partial_calls import inline_partials
from .fields import read_fields
from .frozen_dists import thaw_distributions
from .rebound_arguments import copy_rebound_arguments
from .records import build_records
from .reduce_calls import lower_reduces
from .resolve import Resolver
from .varargs import constant_starred, pack_varargs, unpack_constants, unpack_forwarded

__all__ = ['rewrite_constructs', 'default_guards', 'is_function', 'unpack_constants']


def rewrite_constructs(ctx):
    """Rewrite `ctx.func` in place (see the module docstring); raises UnsupportedSyntaxError
    (through `ctx.unsupported`) for what it cannot rewrite soundly."""
    func = ctx.func
    ops = operators()
    chained_assignments(ctx, func)  # (``a = b = np.zeros(n)``: ``a = ...``, then ``b = a``)
    plain_annotations(func)
    set_displays(func, ctx.source.namespace)  # (``mode in {'l1', 'l2'}``: a tuple)
    rewrite_matches(ctx, func)  # (``match mode: case 'l1': ...``: an if/elif chain)
    plain_deletions(func)  # (``del h``: nothing; ``del items[i]``: ``items.pop(i)``)
    # (``with np.errstate(divide='ignore'):``: the settings changed, the body, put back)
    errstate_blocks(func, _resolver(ctx, func), ctx.namer)
    # (``if (r := f(x)) > 1:``: ``r = f(x)`` before the if)
    name_keyed_calls(func, ctx.namer)  # (``d.pop(k, v) * x``: hoisted as a walrus is)
    hoist_named_exprs(func, _resolver(ctx, func))
    rewrite_loop_else(func, ctx.namer)
    # (``cfg = {'act': 'tanh'}`` then ``layer(x, **cfg)``: ``layer(x, act=cfg['act'])``)
    expand_keyword_dicts(func)
    # (``p = {**params, 'w': w}``: ``p = dict(params)``, then ``p['w'] = w``)
    dict_merges(func, ctx.source.namespace, ctx.namer)
    # (``g = {k: p[k] * 2 for k in p}``: ``g = dict()``, then a loop filling it by key)
    dict_comprehensions(func, ctx.source.namespace, ctx.namer, _resolver(ctx, func))
    dict_displays(func)
    dict_fills(func, ctx.source.namespace, ctx.namer, _resolver(ctx, func))
    dict_copies(func, ctx.source.namespace)  # (``dict(s)``: ``s2s.dict_copy(s)``)
    # (``config.setdefault('lr', 1e-2)``: ``if 'lr' not in config: config['lr'] = 1e-2``)
    dict_setdefaults(func, _resolver(ctx, func), ctx.namer, ctx.wrt)
    starred_targets(ctx, func)
    constant_starred(func)  # (``perm = (2, 0, 1)``, ``x.transpose(*perm)``: the constants)
    # (``np.add.at(f, i, v)``: ``f += ...``; NumPy under the name generated code reaches it by)
    in_place_calls(func, _resolver(ctx, func), ctx.names.module('np', np), ctx.source)
    unzipped_sequences(func, ctx.source.namespace, ctx.namer)  # (``a, b = zip(*pairs)``)
    read_only_globals(func)
    flat_reads(func, objects(ctx, func))
    resolve_function_defaults(ctx, func)
    resolver = _resolver(ctx, func)
    thaw_distributions(func, resolver, ctx.namer)  # (``norm(mu, s).logpdf(x)``)
    lower_reduces(ctx, func, resolver)  # (``reduce(mul, xs)``: the loop it runs)
    lower_maps(ctx, func, resolver)
    # (``partial(pw, p=3)(x)``: ``pw(x, p=3)``; also of ``map(partial(f, p), xs)``)
    inline_partials(func, resolver, ctx.namer)
    lower_iterators(ctx, func, resolver)
    func.body = Hoister(ctx, resolver, ops).block(func.body)
    resolver = _resolver(ctx, func)
    resolve_nested_grads(ctx, func, resolver, ops)
    bound_gradient_calls(func, resolver)  # (``g2(t)`` of ``g2 = grad(model.loss)``)
    build_records(func, resolver, ctx.unsupported)
    read_fields(func, resolver, getattr(ctx.source, 'receivers', {}))
    unpack_forwarded(ctx, func, resolver)
    pack_varargs(ctx, func, resolver)
    einsum_subscripts(func, resolver)
    rewrite_call_forms(func, resolver, ctx)
    # (``w, config = sgd_momentum(w, dw, config)``, which writes into `config`: a copy)
    copy_rebound_arguments(func, _resolver(ctx, func), ctx.source.namespace)


def chained_assignments(ctx, func):
    """Make each assignment to several targets (``a = b = np.zeros(n)``, nested functions
    too) one assignment per target, as Python runs it: the value once, then the targets from
    left to right (``a = np.zeros(n)``, then ``b = a``; where the first target is no name,
    ``value = ...`` first). Every pass then sees that the names share one object."""
    def plain(block):
        out = []
        for stmt in block:
            out.extend(_unchained(ctx, stmt) if isinstance(stmt, gast.Assign) and
                       len(stmt.targets) > 1 else [stmt])
        return out
    for node in n.walk(func):
        n.map_blocks(node, plain, functions=True)


def _unchained(ctx, stmt):
    """The assignments, one target each, that `stmt` (several targets) makes."""
    first = stmt.targets[0]
    if isinstance(first, gast.Name):
        made, source, rest = [], first.id, stmt.targets
    else:
        source = ctx.namer.fresh('value')
        made, rest = [], [n.name(source, store=True)] + stmt.targets
    made.append(gast.Assign(targets=[rest[0]], value=stmt.value, type_comment=None))
    made.extend(gast.Assign(targets=[target], value=n.name(source), type_comment=None)
                for target in rest[1:])
    return _located(made, stmt)


def _located(made, stmt):
    """The statements `made` for `stmt`, their nodes without a location given its location."""
    for new in made:
        for node in gast.walk(new):
            if isinstance(node, (gast.expr, gast.stmt)) and \
                    getattr(node, 'lineno', None) is None:
                gast.copy_location(node, stmt)
                node.end_lineno, node.end_col_offset = stmt.end_lineno, stmt.end_col_offset
    return made


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


class _SetDisplays(gast.NodeTransformer):
    """See `set_displays`."""

    def visit_Compare(self, node):
        node.comparators = [  # (first: the displays below would become calls of `set`)
            gast.copy_location(gast.Tuple(elts=right.elts, ctx=gast.Load()), right)
            if isinstance(op, (gast.In, gast.NotIn)) and isinstance(right, gast.Set) and
            all(isinstance(e, gast.Constant) for e in right.elts) else right
            for op, right in zip(node.ops, node.comparators)]
        self.generic_visit(node)
        return node

    def visit_Set(self, node):
        self.generic_visit(node)
        return gast.copy_location(gast.Call(
            func=gast.Name(id='set', ctx=gast.Load(), annotation=None, type_comment=None),
            args=[gast.Tuple(elts=node.elts, ctx=gast.Load())], keywords=[]), node)

    def visit_SetComp(self, node):
        self.generic_visit(node)
        return gast.copy_location(gast.Call(
            func=gast.Name(id='set', ctx=gast.Load(), annotation=None, type_comment=None),
            args=[gast.copy_location(gast.ListComp(elt=node.elt, generators=node.generators),
                                     node)], keywords=[]), node)


def set_displays(func, namespace):
    """Make a set display of constants tested for membership a tuple (``mode in {'l1',
    'l2'}`` is ``mode in ('l1', 'l2')``: the same test of hashable constants), and the other
    set displays and comprehensions calls of ``set`` (``{a, b}`` is ``set((a, b))``; ``{f(v)
    for v in x}`` is ``set([f(v) for v in x])``), which s2sgrad follows where nothing
    differentiated goes into the set (and refuses where something does)."""
    if namespace.get('set', builtins.set) is builtins.set and \
            any(isinstance(node, (gast.Set, gast.SetComp)) for node in n.walk(func)):
        _SetDisplays().visit(func)


def in_place_calls(func, resolver, np_name='np', source=None):
    """Make in-place calls the writes they are: ``xs.sort()`` of a list the function makes
    is ``xs[:] = sorted(xs)``; of another local name, ``y.sort(axis=..., kind=...)`` is
    ``y[...] = np.sort(y, ...)`` and ``y.fill(v)`` is ``y[...] = v``, after
    ``s2s.array_method(y, message)``, which raises NoRuleError where `y` is no NumPy array (a
    list, an object with a `sort` of its own; `source` gives the message the line); NumPy's
    scatter calls: ``np.add.at(a, i, v)`` is ``a +=
    s2s.add_at(np.zeros_like(a), i, v)`` (repeated indices add up, as they do in
    ``np.add.at``; ``np.subtract.at``: ``a -= ...``), and ``np.fill_diagonal(a, c)`` of a
    number `c` (without ``wrap=True``) is ``a[np.diag_indices(min(a.shape), a.ndim)] =
    c`` (``np.diag_indices_from(a)`` beyond two dimensions; values
    ``s2s.diagonal_values(v, min(a.shape))``, as NumPy writes them), where `a` is a local
    name; the passes follow writes into arrays. `np_name` is the name that reaches NumPy
    there."""

    def rewritten(stmt):
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        if not isinstance(call, gast.Call) or any(isinstance(a, gast.Starred)
                                                  for a in call.args):
            return None
        obj = resolver.lookup(call.func)
        args, keywords = call.args, {k.arg: k.value for k in call.keywords}
        if obj is None and isinstance(call.func, gast.Attribute) and \
                call.func.attr == 'sort' and isinstance(call.func.value, gast.Name) and \
                not args and set(keywords) <= {'key', 'reverse'} and \
                _known_list(func, call.func.value.id, resolver):
            # (``xs.sort()`` of a list the function makes: ``xs[:] = sorted(xs)``, in place as
            # well; an array's sort, or another object's, is left to the passes)
            whole = gast.Slice(lower=None, upper=None, step=None)
            target = gast.Subscript(value=n.clone(call.func.value), slice=whole, ctx=gast.Store())
            ordered = n.call(n.name('sorted'), n.clone(call.func.value), **keywords)
            return gast.Assign(targets=[target], value=ordered, type_comment=None)
        if obj is None and isinstance(call.func, gast.Attribute) and \
                _array_bound(func, call.func.value, resolver) and (
                    call.func.attr == 'sort' and not args and set(keywords) <= {'axis', 'kind'}
                    and _constant_int(keywords.get('axis', n.const(-1)))
                    or call.func.attr == 'fill' and len(args) == 1 and not keywords):
            # (``y.sort()``, ``buf.fill(0.0)`` of an array: the write into it they make)
            receiver = call.func.value
            value = n.call(f'{np_name}.sort', n.clone(receiver), **keywords) \
                if call.func.attr == 'sort' else args[0]
            target = gast.Subscript(value=n.clone(receiver), slice=n.const(Ellipsis),
                                    ctx=gast.Store())
            check = [n.clone(receiver), n.const(_array_method_message(stmt, source))]
            if call.func.attr == 'fill':  # (a number: NumPy's fill raises for an array)
                check.append(n.clone(args[0]))
            return [gast.Expr(value=n.call('s2s.array_method', *check)),
                    gast.Assign(targets=[target], value=value, type_comment=None)]
        ufunc = getattr(obj, '__self__', None)
        if (ufunc is np.add or ufunc is np.subtract) and \
                getattr(obj, '__name__', '') == 'at' and len(args) == 3 and not keywords and \
                _local_name(args[0], func):
            # (``np.subtract.at(a, i, v)``: ``a -= ...``, repeated indices subtracting each)
            array, index, value = args
            # (zeros of the array's own dtype: an integer array, counts or indices, stays one)
            zeros = n.call(f'{np_name}.zeros_like', n.clone(array))
            scattered = n.call('s2s.add_at', zeros, index, value)
            op = gast.Add() if ufunc is np.add else gast.Sub()
            return gast.AugAssign(target=_as_store(array), op=op, value=scattered)
        if obj is np.fill_diagonal and len(args) == 2 and not keywords and \
                _local_name(args[0], func):
            array, value = args
            if not _constant_number(value, resolver):
                # (values, ``np.diag(K) + noise``: NumPy writes them flattened, repeated or
                # cut to the diagonal's length, `diagonal_values`)
                value = n.call('s2s.diagonal_values', value,
                               n.call('min', n.attr(n.clone(array), 'shape')))
            # (of a matrix, its min(a.shape) diagonal entries; of more dimensions, all equal
            # as NumPy requires, `np.diag_indices_from`, which raises as it does)
            diagonal = gast.IfExp(
                test=gast.Compare(left=n.attr(n.clone(array), 'ndim'), ops=[gast.Eq()],
                                  comparators=[n.const(2)]),
                body=n.call(f'{np_name}.diag_indices',
                            n.call('min', n.attr(n.clone(array), 'shape')), n.const(2)),
                orelse=n.call(f'{np_name}.diag_indices_from', n.clone(array)))
            target = gast.Subscript(value=n.clone(array), slice=diagonal, ctx=gast.Store())
            return gast.Assign(targets=[target], value=value, type_comment=None)
        return None

    def plain(block):
        out = []
        for stmt in block:
            n.map_blocks(stmt, plain)  # (not in nested functions: their writes are refused)
            made = rewritten(stmt)
            if made is None:
                out.append(stmt)
                continue
            for one in made if isinstance(made, list) else [made]:
                for node in n.walk(one):
                    if isinstance(node, (gast.expr, gast.stmt)):
                        gast.copy_location(node, stmt)
                out.append(one)
        return out
    func.body = plain(func.body)


def _constant_int(node):
    """Whether `node` is an integer constant (``axis=0``, ``axis=-1``; not ``axis=None``,
    with which NumPy's method raises)."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) is int


_ARRAY_METHODS = frozenset({'copy', 'astype', 'reshape', 'ravel', 'flatten'})
"""Methods that make an array of an array (``y = x.copy()``: a list's copy is a list, which
`s2s.array_method` refuses)."""


def _array_bound(func, expr, resolver):
    """Whether `expr` is a local name of `func` (no parameter) that every binding gives what
    makes an array: arithmetic, a NumPy function's result, ``x.copy()``, ``x.astype(...)``
    (`_ARRAY_METHODS`); augmented assignments keep it one. An object of yours or a list that
    a parameter holds is no such name: its ``sort()`` is its own (`s2s.array_method` checks
    the rest when the code runs)."""
    if not isinstance(expr, gast.Name) or expr.id in n.names_stored(func.args):
        return False
    assigned, plain = [], set()
    module = gast.Module(body=func.body, type_ignores=[])
    for node in n.walk(module):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name) and target.id == expr.id:
                    assigned.append(node.value)
                    plain.add(id(target))
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            plain.add(id(node.target))  # (``y += 1.0``: of the same kind)
    others = [node for node in n.walk(module) if isinstance(node, gast.Name) and
              node.id == expr.id and isinstance(node.ctx, (gast.Store, gast.Del)) and
              id(node) not in plain]  # (a loop's target, an unpacking, a ``with``'s)
    return bool(assigned) and not others and \
        all(_makes_array(value, resolver) for value in assigned)


def _makes_array(value, resolver):
    """Whether `value` makes an array (or a number): see `_array_bound`."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return True
    if not isinstance(value, gast.Call):
        return False
    if isinstance(value.func, gast.Attribute) and value.func.attr in _ARRAY_METHODS:
        return True
    found = resolver.lookup(value.func)
    module = getattr(found, '__module__', None) or ''
    return module == 'numpy' or module.startswith('numpy.')


def _array_method_message(stmt, source):
    """The message of ``s2s.array_method`` for the statement `stmt` (``y.sort()``)."""
    call = stmt.value
    receiver, method = call.func.value.id, call.func.attr
    lineno = getattr(stmt, 'lineno', None)
    where = f'File "{source.filename}", line {lineno}: ' if source is not None and lineno \
        else ''
    instead = f'`{receiver} = sorted({receiver})` for a list' if method == 'sort' else \
        f'`{receiver} = [v] * len({receiver})` for a list'
    return (f'{where}`{receiver}.{method}(...)` changes `{receiver}` in place, which s2sgrad '
            f'follows for a NumPy array only (as the write ``{receiver}[...] = ...`` it '
            f'makes); write {instead}, or call a method of yours outside the differentiated '
            f'function')


def _local_name(expr, func):
    """Whether `expr` is a name `func` binds or takes (not a global, not a temporary such as
    ``a[[0, 1]]`` or ``a.reshape(-1)``, into whose copy NumPy would write)."""
    return isinstance(expr, gast.Name) and \
        expr.id in _own_names(func.body) | set(n.names_stored(func.args))


def _own_names(block):
    """The names the statements of `block` bind, not those of functions they define."""
    names = set()
    for stmt in block:
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            names.add(stmt.name)
            continue
        for field in ('targets', 'target'):
            for target in (getattr(stmt, field, None) or []) if field == 'targets' else \
                    [getattr(stmt, field, None)]:
                if target is not None:
                    names.update(n.names_stored(target))
        for field in ('body', 'orelse', 'finalbody'):
            names |= _own_names(getattr(stmt, field, None) or [])
    return names


def _known_list(func, name, resolver):
    """Whether every binding of `name` in `func` makes a list (a display, a comprehension,
    ``list(...)`` or ``sorted(...)``): not a parameter, not an array."""
    if name in n.names_stored(func.args):
        return False
    found = False
    for stmt in n.statements(func.body):
        if isinstance(stmt, (gast.If, gast.While, gast.FunctionDef)):
            continue
        stored = n.names_stored(stmt.target) if isinstance(stmt, gast.For) else \
            n.names_stored(stmt)
        if name not in stored:
            continue
        value = getattr(stmt, 'value', None)
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], gast.Name)):
            return False
        listed = isinstance(value, (gast.List, gast.ListComp)) or \
            isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
            value.func.id in ('list', 'sorted') and \
            resolver.lookup(value.func) is getattr(builtins, value.func.id)
        if not listed:
            return False
        found = True
    return found


def _as_store(expr):
    """A copy of `expr` (a name, an attribute or a subscript) as an assignment target."""
    target = n.clone(expr)
    target.ctx = gast.Store()
    return target


def unzipped_sequences(func, namespace, namer):
    """Make ``obs, acts = zip(*traj)`` (the built-in `zip`, a named sequence unzipped into
    names) one assignment per name: ``rows = list(traj)``, ``obs = tuple([item[0] for item
    in rows])``, ... (what `zip` gives each name, where it gives as many tuples as there are
    names; rows of other lengths, where Python raises ValueError, give IndexError or more)."""
    if namespace.get('zip', builtins.zip) is not builtins.zip:
        return

    def plain(block):
        out = []
        for stmt in block:
            n.map_blocks(stmt, plain, functions=True)
            value = getattr(stmt, 'value', None)
            if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                    isinstance(stmt.targets[0], (gast.Tuple, gast.List)) and
                    all(isinstance(t, gast.Name) for t in stmt.targets[0].elts) and
                    isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and
                    value.func.id == 'zip' and not value.keywords and len(value.args) == 1 and
                    isinstance(value.args[0], gast.Starred) and
                    isinstance(value.args[0].value, (gast.Name, gast.Attribute))):
                out.append(stmt)
                continue
            # (the sequence read once, into a list: an iterator gives its items once, and a
            # name the assignment rebinds, ``pts, w = zip(*pts)``, is read before)
            rows, item = namer.fresh('rows'), namer.fresh('item')
            listed = n.assign(rows, n.call(n.name('list'), n.clone(value.args[0].value)))
            for node in n.walk(listed):
                if isinstance(node, (gast.expr, gast.stmt)):
                    gast.copy_location(node, value)
            out.append(listed)
            for k, target in enumerate(stmt.targets[0].elts):
                column = gast.ListComp(  # (``tuple(item)``: zip's items of any row, a dict's keys)
                    elt=gast.Subscript(value=n.call(n.name('tuple'), n.name(item)),
                                       slice=n.const(k), ctx=gast.Load()),
                    generators=[gast.comprehension(
                        target=gast.Name(id=item, ctx=gast.Store(), annotation=None,
                                         type_comment=None),
                        iter=n.name(rows), ifs=[], is_async=0)])
                made = n.assign(target.id, n.call(n.name('tuple'), column))
                for node in n.walk(made):  # (at the line of the unzip: messages point there)
                    if hasattr(node, 'lineno') or isinstance(node, (gast.expr, gast.stmt)):
                        gast.copy_location(node, value)
                out.append(made)
        return out
    func.body = plain(func.body)


def plain_deletions(func):
    """Drop each ``del name`` of `func` (nested functions too): it frees memory and changes no
    value a correct program reads; make ``del items[i]`` of a list or dict (one index)
    ``items.pop(i)``, which removes the same item, and ``del items[a:b]`` (a slice without a
    step) ``items[a:b] = []``, which removes the same items (`slice_stores`). Other ``del``
    statements are left (the fence refuses them)."""
    def plain(block):
        out = []
        for stmt in block:
            n.map_blocks(stmt, plain, functions=True)
            if isinstance(stmt, gast.Delete) and all(_deletable(t) for t in stmt.targets):
                for target in stmt.targets:
                    if isinstance(target, gast.Subscript) and isinstance(target.slice, gast.Slice):
                        store = n.subscript(target.value, target.slice, store=True)
                        empty = gast.List(elts=[], ctx=gast.Load())
                        out.append(gast.copy_location(n.assign(store, empty), stmt))
                        gast.fix_missing_locations(out[-1])
                    elif isinstance(target, gast.Subscript):
                        pop = gast.Attribute(value=target.value, attr='pop', ctx=gast.Load())
                        out.append(gast.copy_location(gast.Expr(value=gast.copy_location(
                            gast.Call(func=pop, args=[target.slice], keywords=[]), target)),
                            stmt))
                continue
            out.append(stmt)
        return out or ([gast.Pass()] if block else [])
    func.body = plain(func.body)


_ERRSTATE_KEYS = frozenset({'all', 'divide', 'over', 'under', 'invalid'})
_ERRSTATE_KINDS = ('divide', 'over', 'under', 'invalid')


def errstate_blocks(func, resolver, namer):
    """Make ``with np.errstate(divide='ignore'): body`` (one item, no ``as``, keywords of
    `np.seterr` set to 'ignore' or 'warn', which change only the warnings: the optimizer may
    move a computation past the block) the settings saved and changed, the body, and the
    settings put back:
    ``errstate = np.geterr()``, ``np.seterr(divide='ignore')``, body, ``np.seterr(divide=
    errstate['divide'], ...)``: what NumPy does around the body, which leaves the block only
    at its end (no ``return``, ``break``, ``continue``, ``raise`` or ``yield`` in it). The
    derivative's own arithmetic runs with the settings of its caller."""
    import numpy as np

    def leaves(body):
        stops = (gast.Return, gast.Break, gast.Continue, gast.Raise, gast.Yield,
                 gast.YieldFrom, gast.Try)
        module = gast.Module(body=body, type_ignores=[])
        return any(isinstance(node, stops)
                   for node in n.walk(module, skip=lambda node: isinstance(
                       node, (gast.FunctionDef, gast.Lambda))))

    def plain(block):
        out = []
        for stmt in block:
            n.map_blocks(stmt, plain, functions=True)
            item = stmt.items[0] if isinstance(stmt, gast.With) and \
                len(stmt.items) == 1 else None
            call = item.context_expr if item is not None else None
            if not (isinstance(call, gast.Call) and item.optional_vars is None and
                    isinstance(call.func, gast.Attribute) and
                    resolver.lookup(call.func) is np.errstate and not call.args and
                    all(k.arg in _ERRSTATE_KEYS and isinstance(k.value, gast.Constant) and
                        k.value.value in ('ignore', 'warn') for k in call.keywords) and
                    not leaves(stmt.body)):
                out.append(stmt)
                continue
            numpy = call.func.value  # (``np`` of ``np.errstate``: the module as you name it)
            saved = namer.fresh('errstate')
            restore = gast.Call(func=n.attr(n.clone(numpy), 'seterr'), args=[], keywords=[
                gast.keyword(arg=kind, value=n.subscript(n.name(saved), n.const(kind)))
                for kind in _ERRSTATE_KINDS])
            made = [n.assign(saved, gast.Call(func=n.attr(n.clone(numpy), 'geterr'), args=[],
                                              keywords=[])),
                    gast.Expr(value=gast.Call(func=n.attr(n.clone(numpy), 'seterr'), args=[],
                                              keywords=call.keywords)),
                    *stmt.body, gast.Expr(value=restore)]
            for new in made:
                if new not in stmt.body:
                    gast.copy_location(new, stmt)
                    gast.fix_missing_locations(new)
            out.extend(made)
        return out
    func.body = plain(func.body)


def _deletable(target):
    """Whether ``del target`` is a local name, or an item or a slice without a step of a
    named list."""
    if isinstance(target, gast.Name):
        return True
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return False
    if isinstance(target.slice, gast.Slice):
        return target.slice.step is None
    return not isinstance(target.slice, gast.Tuple)


def starred_targets(ctx, func):
    """``first, *rest = xs`` becomes ``items = list(xs)`` and ``first, rest = items[0],
    items[1:]`` (``*init, last = xs``: ``items[:-1], items[-1]``): the same values, and an
    error where Python raises one (too few items: IndexError where Python's is ValueError).
    A starred name between others (``a, *mid, b = xs``, which would read one item twice
    from a list of one) stays refused by the fence."""
    if 'list' in n.names_stored(func) or \
            ctx.source.namespace.get('list', builtins.list) is not builtins.list:
        return

    def plain(block):
        out = []
        for stmt in block:
            made = _unstarred(ctx, stmt)
            out.extend(made if made is not None else [stmt])
        return out
    for node in n.walk(func):
        n.map_blocks(node, plain, functions=True)


def _unstarred(ctx, stmt):
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], (gast.Tuple, gast.List))):
        return None
    elts = stmt.targets[0].elts
    stars = [i for i, e in enumerate(elts) if isinstance(e, gast.Starred)]
    if len(stars) != 1 or stars[0] not in (0, len(elts) - 1) or len(elts) < 2:
        return None
    items = ctx.namer.fresh('items')
    count = len(elts) - 1
    parts, targets = [], []
    for i, elt in enumerate(elts):
        if i == stars[0]:
            bounds = (n.const(count), None) if i else (None, n.const(-count))
            parts.append(n.subscript(n.name(items), gast.Slice(
                lower=bounds[0], upper=bounds[1], step=None)))
            targets.append(elt.value)
        else:
            index = i if stars[0] else i - len(elts)
            parts.append(n.subscript(n.name(items), n.const(index)))
            targets.append(elt)
    made = [n.assign(items, n.call('list', stmt.value)),
            gast.Assign(targets=[n.tuple_(targets, store=True)], value=n.tuple_(parts),
                        type_comment=None)]
    return _located(made, stmt)


def read_only_globals(func):
    """Drop ``global G`` (``nonlocal k``) where no function of `func` assigns `G` (it is
    read as a global, or as the enclosing function's variable, without the statement too);
    one of a name assigned stays, and the fence refuses it."""
    stored = set(n.names_stored(func))

    def kept(block):
        out = []
        for stmt in block:
            if isinstance(stmt, (gast.Global, gast.Nonlocal)) and \
                    not set(stmt.names) & stored:
                continue
            out.append(stmt)
        return out or ([gast.Pass()] if block else [])
    for node in n.walk(func):
        n.map_blocks(node, kept, functions=True)


def objects(ctx, func):
    """The names in `func` that hold objects of classes of yours: its parameters bound to
    instances (``self``) and the globals it reads that hold one."""
    namespace = ctx.source.namespace
    return set(getattr(ctx.source, 'receivers', {})) | {
        name for name in n.names_read(func) if name in namespace and
        users_instance(namespace[name])}


def _constant_number(node, resolver):
    """Whether `node` is a constant written in the code (``1.0``, ``-1e9``) or a number a
    module holds (``np.inf``, ``math.pi``, a global ``BIG = 1e9``)."""
    import numpy as np
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, (gast.Name, gast.Attribute)):
        value = resolver.lookup(node)
        return isinstance(value, (int, float, np.integer, np.floating)) and \
            not isinstance(value, bool)
    return False


def flat_reads(func, objects=frozenset()):
    """Read ``x.flat`` as ``x.ravel()`` (the same items, in the same order), and write
    ``x.flat[i] = v`` (``K.flat[::n + 1] += s``) as ``x[s2s.flat_index(x, i)] = v``, the
    same positions as an index of `x` itself; not where `x` is an object of yours (`objects`:
    ``self.flat`` is its attribute)."""
    targets = set()
    for node in n.walk(func):
        for target in getattr(node, 'targets', None) or \
                ([node.target] if isinstance(node, (gast.AugAssign, gast.AnnAssign)) else []):
            targets.update(id(part) for part in n.walk(target))
            for part in n.walk(target):
                if isinstance(part, gast.Subscript) and isinstance(part.ctx, gast.Store) and \
                        isinstance(part.value, gast.Attribute) and part.value.attr == 'flat' \
                        and isinstance(part.value.value, gast.Name) and \
                        part.value.value.id not in objects:
                    array = part.value.value
                    part.slice = n.call('s2s.flat_index', n.name(array.id),
                                        n.index_value(part.slice))
                    part.value = array

    def read(node):
        if isinstance(node, gast.Attribute) and node.attr == 'flat' and \
                isinstance(node.ctx, gast.Load) and id(node) not in targets and \
                (n.dotted_path(node.value) or '.').split('.')[0] not in objects:
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
