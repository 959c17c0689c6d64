"""Adjoint items: what the backward sweep must do for each statement, made in phase 1.

Takes the transform context (activity, resolver, shapes, rule lookup callbacks `user_call` and
`nested_call`) and the shared `reverse_state.ReverseState`. Gives the item classes, `reads`
(the names an item reads backward) and `ItemMaker`, which walks the normalized body and turns
each statement into its items: template contributions (`templating.Contribution` and plain
statements) and the structural items below. `adjoint_emit` turns items into code.
"""

import gast

from . import nodes as n
from . import rules
from .activity import target_names
from .binding import lists_read_as_arrays, rule_bindings
from .callees import callee, returns_tuple_displays
from .culprits import symbol
from .dict_constructs import refuse_reordered_pop
from .errors import S2SError
from .methods import field_index, object_hint
from .resolve import method_call
from .restores import as_write, restored_item
from .reverse_loops import LoopAnalysis
from .standins import SHAPE_ARGUMENT
from .templating import Contribution, OPERATORS, TemplateError, instantiate


class Kill:
    """After the adjoint of an assignment, the target's adjoint is zero again."""

    def __init__(self, var):
        self.var = var


class IndexContribution:
    """``d[x] += unindex(d[ans], x, index)`` for ``ans = x[index]``."""

    def __init__(self, var, index, grad):
        self.var, self.index, self.grad = var, index, grad


class SetItem:
    """The adjoint of ``y[index] = v``; `shape` is a variable of `v`'s shape (when `v` is
    active), read to zero the right part of the adjoint."""

    def __init__(self, var, index, value, active_value, shape=None, into=None):
        self.var, self.index, self.value, self.active_value = var, index, value, active_value
        self.shape = shape
        self.into = into  # `y` where it may be an integer array (truncating `v`), else None
        self.restore = False  # a gradient's ``s2s.restore_item(y, index, v)`` (`restores`)
        # ``y[a:b] = v`` of a `y` that may be a list, whose length it may change
        # (`slice_stores`): how the forward sweep keeps where `v`'s items went (`Saved`), and
        # whether the backward sweep puts the replaced items back; the names it gives where
        # they went and the replaced items (`backward_sweep`)
        self.at_saved, self.put_back = None, True
        self.at = self.old = None


class Unpack:
    """The adjoint of ``a, b = t``."""

    def __init__(self, targets, source):
        self.targets, self.source = targets, source


class Append:
    """The adjoint of ``items.append(v)``."""

    def __init__(self, var, value, active_value):
        self.var, self.value, self.active_value = var, value, active_value


class Pop:
    """The adjoint of ``v = items.pop()`` (``items.pop(index)``): the popped value's adjoint
    goes back on the list's adjoint, the value on the list, where they were."""

    def __init__(self, var, target, index=None):
        self.var, self.target, self.index = var, target, index


class Insert:
    """The adjoint of ``items.insert(index, v)``: the inserted value's adjoint is popped off
    the list's adjoint (the value off the list: `backward_sweep`)."""

    def __init__(self, var, index, value, active_value):
        self.var, self.index, self.value, self.active_value = var, index, value, active_value


class Reverse:
    """The adjoint of ``items.reverse()``: the list's adjoint is reversed too (the list back
    again: `backward_sweep`)."""

    def __init__(self, var):
        self.var = var


class CallAdjoint:
    """``parts = vjp(args..., seed)`` then contributions, for a call of a user function."""

    def __init__(self, ans, call, vjp_name, seed_name, active_args, saved=None,
                 library=False, checked=frozenset()):
        self.ans, self.call, self.vjp_name = ans, call, vjp_name
        self.seed_name, self.active_args = seed_name, active_args
        self.saved = saved  # split motion: what the forward part saved; `vjp_name` is the
        # backward part, called with it (see `split_motion`)
        self.library = library  # a library function's definition (`rules.is_definition`):
        # it reads a list passed for an array as an array, and gives back an array for it
        self.checked = checked  # arguments given to a parameter the function adds or
        # multiplies (``l * 2``, ``l + l``): for a list, a repetition or concatenation its
        # derivative takes for arithmetic; the adjoint it gives back is checked item by item


def dtype_reads(item):
    """The primal variables that `item` reads in the backward sweep only for their dtype
    (``s2s.stored(g, y)``: zeros where `y` is an integer array)."""
    return [item.into] if isinstance(item, SetItem) and item.into else []


def _note_reads(shared, item):
    """Add what `item` reads in the backward sweep to `shared.needed` (values) and
    `shared.dtype_needed` (dtypes only)."""
    shared.needed.update(reads(item))
    shared.dtype_needed.update(dtype_reads(item))


def reads(item):
    """The primal variables that `item` reads in the backward sweep (for their values)."""
    if isinstance(item, Contribution):
        return n.names_read(item.expr)
    if isinstance(item, IndexContribution):
        return [item.var] + n.names_read(item.index)
    if isinstance(item, SetItem):  # (`into` only for its dtype: `dtype_reads`)
        return n.names_read(item.index) + ([item.shape.id] if item.active_value else [])
    if isinstance(item, Unpack):
        return list(item.targets)
    if isinstance(item, Append):
        return [item.var]
    if isinstance(item, Pop):
        return [item.var, item.target] + (n.names_read(item.index) if item.index else [])
    if isinstance(item, Insert):
        return [item.var] + n.names_read(item.index)
    if isinstance(item, Reverse):
        return [item.var]
    if isinstance(item, CallAdjoint):
        return [item.saved] if item.saved else n.names_read(item.call)
    if isinstance(item, Kill):
        return []
    return n.names_read(item)


class ItemMaker:
    """Phase 1 of the reverse pass: the adjoint items of every statement, the loop facts, and
    the variables the backward sweep reads (`needed`)."""

    def __init__(self, ctx, shared):
        self.ctx = ctx
        self.shared = shared
        self.activity = ctx.activity
        self.loop_analysis = LoopAnalysis(ctx, shared)
        self._tuples = self._tuple_results()
        # (found by `pipeline.analyse`, before the items are made: `calls` rewrites a split
        # call's statement)
        self._lists = ctx.list_names

    def collect(self, stmts, defined=None):
        """Fill the shared state's items, needed values and loop facts for `stmts`; `defined`: the
        variables defined before them (the parameters at the top)."""
        shared = self.shared
        defined = set(self.ctx.params) if defined is None else defined
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                shared.defined_before[id(stmt)] = set(defined)
                shared.needed.update(n.names_read(stmt.test))
                in_body, in_else = set(defined), set(defined)
                self.collect(stmt.body, in_body)
                self.collect(stmt.orelse, in_else)
                defined |= in_body & in_else  # (assigned on both paths)
            elif isinstance(stmt, (gast.For, gast.While)):
                shared.defined_before[id(stmt)] = set(defined)
                self.loop_analysis.record(stmt)
                inner = set(defined)
                if isinstance(stmt, gast.For):
                    inner.update(target_names(stmt.target))
                self.collect(stmt.body, inner)
            elif isinstance(stmt, (gast.Assign, gast.Expr)):
                if isinstance(stmt, gast.Assign):
                    defined.update(target_names(stmt.targets[0]))
                try:
                    items = self.statement_items(stmt)
                except TemplateError as error:
                    raise self.ctx.unsupported(stmt, f'this statement: {error}') from None
                shared.items[id(stmt)] = items
                for item in items:
                    _note_reads(shared, item)
                    if isinstance(item, CallAdjoint) and item.saved and \
                            id(stmts) in shared.block_locals:  # made here, read backward
                        shared.block_locals[id(stmts)].add(item.saved)

    def statement_items(self, stmt):
        """The adjoint items of an assignment or an expression statement."""
        shared = self.shared
        restored = restored_item(stmt)
        if restored and self.activity.is_active(restored[0]):
            item = self.statement_items(as_write(stmt))[0]
            item.into, item.restore = None, True  # (``old`` goes back whatever its type)
            return [item]
        if isinstance(stmt, gast.Expr):
            call = stmt.value
            mc = method_call(call) if isinstance(call, gast.Call) else None
            if mc and isinstance(mc[0], gast.Name) and self.activity.is_active(mc[0]) and \
                    not self.ctx.resolver.is_global(call.func):
                receiver, name = mc
                if name == 'append' and len(call.args) == 1:
                    shared.list_vars.add(receiver.id)
                    shared.resized.add(receiver.id)
                    shared.needed.add(receiver.id)
                    value = call.args[0]
                    return [Append(receiver.id, value, self._active_name(value))]
                if name == 'reverse' and not call.args and not call.keywords:
                    shared.list_vars.add(receiver.id)
                    shared.resized.add(receiver.id)
                    shared.needed.add(receiver.id)
                    return [Reverse(receiver.id)]
                if name == 'insert' and len(call.args) == 2 and not call.keywords:
                    shared.list_vars.add(receiver.id)
                    shared.resized.add(receiver.id)
                    shared.needed.add(receiver.id)
                    index, value = call.args
                    return [Insert(receiver.id, index, value, self._active_name(value))]
                if name in rules.NONDIFFERENTIABLE_METHODS:
                    return []
                shown = self.ctx.user_name(receiver.id)
                if name != 'extend':
                    raise self.ctx.no_method_rule(stmt, shown, name,
                                                  self.activity.is_active(receiver))
                raise self.ctx.no_rule(  # (`canonical._extension`)
                    stmt, f'the method `{name}` of `{shown}`',
                    f'it may modify an active value in place; s2sgrad follows `extend` of a '
                    f'variable it knows holds a list, one assigned a list display or '
                    f'`list(...)` only: make the copy `{shown} = list(...)`')
            return []  # effects.py rejected the calls that could change a value in place
        target = stmt.targets[0]
        value = stmt.value
        if isinstance(target, gast.Attribute):
            return []  # a number kept on an object (effects.py rejects differentiated ones)
        if isinstance(target, gast.Subscript):
            base = target.value
            if not (isinstance(base, gast.Name) and self.activity.is_active(base)):
                return []
            item = SetItem(base.id, target.slice, value, self._active_name(value))
            if item.active_value:
                proxy = self.ctx.shapes.proxy(value.id)
                item.shape = n.name(proxy) if proxy else value
                if base.id not in self.ctx.float_vars:
                    item.into = base.id
            return [item]
        if isinstance(target, (gast.Tuple, gast.List)):
            names = [e.id for e in target.elts if isinstance(e, gast.Name)]
            if len(names) != len(target.elts):
                raise self.ctx.unsupported(stmt, 'nested unpacking targets')
            if not isinstance(value, gast.Name) or not self.activity.is_active(value):
                # (``a, P = init()`` in a loop: the names' adjoints start again at zero, as
                # a name's does where it is given a constant)
                return [Kill(name) for name in names]
            if value.id in self._list_values() or value.id in self._tuples:
                shared.list_vars.add(value.id)  # (its adjoint: one per item)
                return [Unpack(names, value.id)] + [Kill(name) for name in names]
            # An array (or a value of unknown type): the adjoint of `a, b = v` is that of
            # `a = v[0]; b = v[1]`, so it has `v`'s type and shape.
            return [IndexContribution(value.id, n.const(i), n.name(shared.adj(name)))
                    for i, name in enumerate(names)] + [Kill(name) for name in names]
        ans = target.id
        if n.is_self_copy(stmt):
            return []  # ``x = x`` changes nothing: nor does its adjoint
        mc = method_call(value) if isinstance(value, gast.Call) else None
        if mc and mc[1] == 'pop' and len(value.args) <= 1 and not value.keywords and \
                isinstance(mc[0], gast.Name) and self.activity.is_active(mc[0]):
            shared.list_vars.add(mc[0].id)
            shared.resized.add(mc[0].id)
            shared.needed.update({mc[0].id, ans})
            if value.args:
                refuse_reordered_pop(self.ctx, stmt, mc[0].id, value.args[0])
            return [Pop(mc[0].id, ans, value.args[0] if value.args else None), Kill(ans)]
        if not self.activity.is_active(target) or not self.activity.is_active(value):
            return [Kill(ans)]
        if isinstance(value, (gast.List, gast.Tuple)):
            shared.list_vars.add(ans)
        return self.expression_items(stmt, ans, value) + [Kill(ans)]

    def _concatenation_items(self, ans, left, right):
        """``ans = left + right`` of two lists or tuples: each gets its part of the adjoint."""
        self.shared.list_vars.add(ans)
        length = n.call('len', n.name(left))
        head = gast.Slice(lower=None, upper=length, step=None)
        tail = gast.Slice(lower=n.clone(length), upper=None, step=None)
        bans = self.shared.adj(ans)
        return [Contribution(var, n.subscript(n.name(bans), part))
                for var, part in ((left, head), (right, tail)) if var in self.activity.active]

    def _count(self, node):
        """Whether `node` is a number by construction (an int literal, ``len(...)``, a
        variable `scalar_version` proves a number): a list times it is a repetition (or a
        TypeError for a float). Another value (an array: ``[a, b] * w`` broadcasts) is left
        to the product's rule, whose adjoint checks the length of a list's adjoint."""
        if isinstance(node, gast.Constant):
            return type(node.value) in (int, bool)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == 'len' and self.ctx.resolver.lookup(node.func) is len:
            return True
        return isinstance(node, gast.Name) and node.id in self.ctx.shapes.scalars

    def _repetition_items(self, ans, items, other=None):
        """``ans = items * n`` of a list or tuple: `items` gets the adjoints of its copies,
        added up; `other`: the expression of ``n`` where it is not known to be a number (``k``
        of ``items * k``): ``s2s.unmul_items`` tells a count from an array when it runs."""
        self.shared.list_vars.add(ans)
        if items not in self.activity.active:
            return []
        bans = n.name(self.shared.adj(ans))
        if other is None:
            return [Contribution(items, n.call(n.attr('s2s', 'unrepeat_items'), bans,
                                               n.name(items)))]
        return [Contribution(items, n.call(n.attr('s2s', 'unmul_items'), bans, n.name(items),
                                           n.clone(other)))]

    def _list_values(self):
        return self._lists

    def _tuple_results(self):
        """Variables unpacked (``h, c = r``) whose every definition is a call of a function
        of the user's that returns tuple displays only (``return h, c``): their adjoint is
        the tuple of the targets' adjoints, not zeros like the tuple with each item added in.
        Found before the items are made (`calls` rewrites a split call's statement)."""
        statements = self.ctx.body_all_statements
        unpacked = {stmt.value.id for stmt in statements
                    if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Name) and
                    isinstance(stmt.targets[0], (gast.Tuple, gast.List))}
        kinds = {}
        for stmt in statements:
            if isinstance(stmt, gast.Assign):
                names = target_names(stmt.targets[0])
                if not unpacked.intersection(names):
                    continue
                tuple_call = isinstance(stmt.targets[0], gast.Name) and \
                    isinstance(stmt.value, gast.Call) and self._returns_tuples(stmt)
                for name in names:
                    kinds.setdefault(name, set()).add(tuple_call)
            elif isinstance(stmt, gast.For):
                for name in target_names(stmt.target):
                    kinds.setdefault(name, set()).add(False)
        return {name for name, k in kinds.items() if k == {True} and name not in self.ctx.params}

    def _returns_tuples(self, stmt):
        try:
            called = callee(self.ctx, stmt, stmt.value, rules.lookup_adjoint)
        except S2SError:
            return False
        return called.kind == 'user' and returns_tuple_displays(called.func)

    def _active_name(self, node):
        return isinstance(node, gast.Name) and self.activity.is_active(node)

    def expression_items(self, stmt, ans, value):
        """The adjoint items of ``ans = value`` for an active `value` (one operation)."""
        bans = n.name(self.shared.adj(ans))
        if isinstance(value, gast.Name):
            return [Contribution(value.id, bans)]
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
                isinstance(value.left, gast.Name) and isinstance(value.right, gast.Name) and \
                {value.left.id, value.right.id} <= self._list_values():
            return self._concatenation_items(ans, value.left.id, value.right.id)
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult):
            for side, other in ((value.left, value.right), (value.right, value.left)):
                if isinstance(side, gast.Name) and side.id in self._list_values() and \
                        not (isinstance(other, gast.Constant) and type(other.value) is float) \
                        and not self._active_name(other):
                    # (``pair * n``; a count not known to be one, ``pair * k`` of a parameter
                    # `k`, which may be an array the list broadcasts with: told when it runs;
                    # a differentiated `other` is no count: ``x * [2.0, 3.0]`` is a product)
                    return self._repetition_items(ans, side.id,
                                                  None if self._count(other) else other)
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            func = OPERATORS.get(type(value.op))
            if func is None:
                raise self.ctx.unsupported(
                    stmt, f'the operator `{symbol(value.op)}` applied to a value that depends '
                    f'on the differentiated arguments (it is piecewise constant or '
                    f'discontinuous); compute it from non-differentiated values or outside '
                    f'the function')
            operands = [value.left, value.right] if isinstance(value, gast.BinOp) else \
                [value.operand]
            return self.template_items(stmt, func, operands, [], ans)
        if isinstance(value, gast.Subscript):
            if not self._active_name(value.value):
                return []
            return [IndexContribution(value.value.id, value.slice, bans)]
        if isinstance(value, (gast.Tuple, gast.List)):
            return [Contribution(e.id, n.subscript(n.clone(bans), n.const(i)))
                    for i, e in enumerate(value.elts) if self._active_name(e)]
        if isinstance(value, gast.Attribute):
            if value.attr in rules.NONDIFFERENTIABLE_ATTRIBUTES:
                return []
            build = rules.ATTRIBUTE_ADJOINTS.get(value.attr)
            if build is None and self._active_name(value.value):  # a namedtuple's field
                return [IndexContribution(value.value.id, field_index(value), bans)]
            if build is None:
                raise self.ctx.no_rule(stmt, f'the attribute `.{value.attr}`',
                                       object_hint(value.value, value.attr, False))
            return self._instantiate(build(), {'x': value.value}, ans)
        if isinstance(value, gast.Call):
            return self.call_items(stmt, ans, value)
        raise self.ctx.unsupported(stmt, f'the expression `{type(value).__name__}`')

    def call_items(self, stmt, ans, call):
        """The adjoint items of ``ans = call``: a method, a function with a rule, or a call
        of a user function (transformed by the context)."""
        called = callee(self.ctx, stmt, call, rules.lookup_adjoint)
        if called.kind == 'rule':
            return self.template_items(stmt, called.func, called.args, called.keywords, ans)
        if called.kind == 'constant':
            return []
        if called.kind == 'nested':
            item = self.ctx.nested_call(stmt, ans, call)
        else:
            item = self.ctx.user_call(stmt, ans, call, called.func)
        return [item] if item is not None else []

    def template_items(self, stmt, func, args, keywords, ans):
        """The items of ``ans = func(*args, **keywords)`` from `func`'s adjoint template."""
        template = rules.lookup_adjoint(func)
        if template is None:
            if rules.is_nondifferentiable(func):
                return []
            raise self.ctx.no_rule(stmt, f'`{getattr(func, "__name__", func)}`')
        is_active = lambda var: var in self.activity.active  # noqa: E731
        bindings, broadcasting = rule_bindings(self.ctx, stmt, func, template, args, keywords,
                                               is_active)
        arrays = lists_read_as_arrays(self.ctx, func, template, bindings, is_active)
        return self._instantiate(template, bindings, ans, broadcasting, arrays)

    def _instantiate(self, template, bindings, ans, broadcasting=False, arrays=frozenset()):
        items = instantiate(template, bindings, n.name(ans), self.shared.adj,
                            lambda var: var in self.activity.active, self.ctx.names,
                            self.ctx.namer, self.ctx.shapes.same, broadcasting, arrays)
        for item in items:
            if isinstance(item, Contribution):
                _use_shape_proxies(item.expr, self.ctx.shapes)
                item.spreadable = template.label in _SPREADABLE and _is_unbroadcast(item.expr)
        return items


def _use_shape_proxies(expr, shapes):
    """In runtime helpers that read an argument only for its shape, read a variable that is
    assigned once and has the same shape instead, so the original need not be saved."""
    for node in n.walk(expr):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                n.dotted_path(node.func) == 's2s.' + node.func.attr:
            position = SHAPE_ARGUMENT.get(node.func.attr)
            if position is None or position >= len(node.args):
                continue
            arg = node.args[position]
            if isinstance(arg, gast.Name):
                proxy = shapes.proxy(arg.id)
                if proxy is not None and proxy != arg.id:
                    node.args[position] = n.name(proxy)


_SPREADABLE = {'mul', 'truediv', 'pow', 'multiply', 'divide', 'power'}
"""Templates whose every contribution is ``unbroadcast(d[ans] * <all other operands>, x)``:
a scalar spread over the result may stay a scalar there, since the other operands and the
final `unbroadcast` restore the shape."""


def _is_unbroadcast(expr):
    return isinstance(expr, gast.Call) and n.dotted_path(expr.func) == 's2s.unbroadcast'
