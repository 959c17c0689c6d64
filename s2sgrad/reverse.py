"""Reverse pass: a normalized function becomes its forward sweep followed by its adjoint.

The forward sweep is the primal code plus the few saves the backward sweep needs: values that
are overwritten inside loops (pushed on per-variable lists), overwritten values in branches
(saved under a name), and iteration counts. The backward sweep walks the statements in
reverse, instantiating each operation's template; the first contribution to an adjoint is an
assignment, later ones accumulate.
"""
import inspect

import gast

from . import nodes as n
from . import rules
from .activity import sequence_displays, target_names
from .methods import field_index, object_hint
from .resolve import method_call
from .standins import SHAPE_ARGUMENT
from .templating import (Contribution, OPERATORS, TemplateError, displays_as_arrays,
                         instantiate)


class Kill:
    """After the adjoint of an assignment, the target's adjoint is zero again."""

    def __init__(self, var):
        self.var = var


class IndexContribution:
    """``d[x] += unindex(d[ans], x, index)`` for ``ans = x[index]``."""

    def __init__(self, var, index, grad):
        self.var, self.index, self.grad = var, index, grad


class SetItem:
    """The adjoint of ``y[index] = v``."""

    def __init__(self, var, index, value, active_value):
        self.var, self.index, self.value, self.active_value = var, index, value, active_value


class Unpack:
    """The adjoint of ``a, b = t``."""

    def __init__(self, targets, source):
        self.targets, self.source = targets, source


class Append:
    """The adjoint of ``items.append(v)``."""

    def __init__(self, var, value, active_value):
        self.var, self.value, self.active_value = var, value, active_value


class Pop:
    """The adjoint of ``v = items.pop()``: the popped value's adjoint goes back on the list."""

    def __init__(self, var, target):
        self.var, self.target = var, target


class CallAdjoint:
    """``parts = vjp(args..., seed)`` then contributions, for a call of a user function."""

    def __init__(self, ans, call, vjp_name, seed_name, active_args):
        self.ans, self.call, self.vjp_name = ans, call, vjp_name
        self.seed_name, self.active_args = seed_name, active_args


class State:
    """Which adjoints currently hold a value, and which of those we own (may modify)."""

    def __init__(self, live=(), owned=(), spread=None, zeros=()):
        self.live = set(live)
        self.owned = set(owned)
        self.spread = dict(spread or {})
        """Adjoints that hold a scalar spread over their variable's shape: name -> scalar."""
        self.zeros = set(zeros)
        """Adjoints that may hold the number 0.0 in place of zeros of their variable's shape
        (a variable first defined inside a branch or loop): no update in place."""

    def copy(self):
        return State(self.live, self.owned, self.spread, self.zeros)


class ReversePass:
    """Builds the forward and backward sweeps of one normalized function."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.namer = ctx.namer
        self.activity = ctx.activity
        self.adjoints = {}
        self.items = {}
        self.stacks = {}
        self.saved = {}
        self.counters = {}
        self.reversible = {}
        self.list_vars = set()
        self.loop_local = {}
        self.block_locals = {}
        self.defined_before = {}
        self.needed = set()

    # -- names --------------------------------------------------------------------------
    def adj(self, var):
        if var not in self.adjoints:
            self.adjoints[var] = self.namer.fresh('b' + var)
        return self.adjoints[var]

    def stack(self, var):
        if var not in self.stacks:
            self.stacks[var] = self.namer.fresh(var + '_stack')
        return self.stacks[var]

    # -- phase 1: adjoint items of every statement -----------------------------------------
    def collect(self, stmts, loops, defined=None):
        defined = set(self.ctx.params) if defined is None else defined
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                self.defined_before[id(stmt)] = set(defined)
                self.needed.update(n.names_read(stmt.test))
                self.collect(stmt.body, loops, set(defined))
                self.collect(stmt.orelse, loops, set(defined))
            elif isinstance(stmt, (gast.For, gast.While)):
                self.defined_before[id(stmt)] = set(defined)
                self._loop_info(stmt, loops)
                inner = set(defined)
                if isinstance(stmt, gast.For):
                    inner.update(target_names(stmt.target))
                self.collect(stmt.body, loops + [stmt], inner)
            elif isinstance(stmt, (gast.Assign, gast.Expr)):
                if isinstance(stmt, gast.Assign):
                    defined.update(target_names(stmt.targets[0]))
                try:
                    items = self.statement_items(stmt)
                except TemplateError as error:
                    raise self.ctx.unsupported(stmt, f'this statement: {error}') from None
                self.items[id(stmt)] = items
                for item in items:
                    self.needed.update(_reads(item))

    def _loop_info(self, loop, loops):
        body_module = gast.Module(body=loop.body, type_ignores=[])
        assigned = set(n.names_stored(body_module)) | _changed_in_place(loop.body)
        has_break = any(isinstance(node, gast.Break) for node in _walk_loop(loop.body))
        if isinstance(loop, gast.For):
            assigned.update(target_names(loop.target))
            range_args = _range_call(loop.iter).args
            reads = {name for arg in range_args for name in n.names_read(arg)}
            if not has_break and not reads & assigned:
                self.reversible[id(loop)] = True
                self.needed.update(reads)
        if not self.reversible.get(id(loop)):
            self.counters[id(loop)] = self.namer.fresh('n_iterations' if isinstance(
                loop, gast.While) else 'n_' + _target_word(loop))
        self.loop_local[id(loop)] = self._local_vars(loop, assigned)

    def _local_vars(self, loop, assigned):
        """Variables local to a block inside `loop`: each block's set goes to block_locals."""
        locals_in_loop = set()
        for block in _blocks([loop]):
            local = self._block_local_vars(block)
            self.block_locals[id(block)] = local
            locals_in_loop |= local
        return locals_in_loop

    def _block_local_vars(self, block):
        """Defined once by a statement of `block` before any use, used only inside `block`."""
        inside = set()
        for node in _walk_loop(block, nested=True):
            inside.add(id(node))
        occurrences = self.ctx.occurrences
        counts = self.ctx.assignment_counts
        local = set()
        seen = set()
        for stmt in block:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                seen.update(n.names_read(stmt.value))
                name = stmt.targets[0].id
                if name not in seen and counts.get(name) == 1 and \
                        all(i in inside for i in occurrences.get(name, ())):
                    local.add(name)
                seen.add(name)
            else:
                seen.update(n.all_names(stmt))
        return local

    def statement_items(self, stmt):
        if isinstance(stmt, gast.Expr):
            call = stmt.value
            mc = method_call(call) if isinstance(call, gast.Call) else None
            if mc and isinstance(mc[0], gast.Name) and self.activity.is_active(mc[0]) and \
                    not self.ctx.resolver.is_global(call.func):
                receiver, name = mc
                if name == 'append' and len(call.args) == 1:
                    self.list_vars.add(receiver.id)
                    self.needed.add(receiver.id)
                    value = call.args[0]
                    return [Append(receiver.id, value, self._active_name(value))]
                if name in rules.NONDIFFERENTIABLE_METHODS:
                    return []
                raise self.ctx.no_rule(stmt, f'the method `{name}` of `{receiver.id}`',
                                       'it may modify an active value in place')
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
            return [item]
        if isinstance(target, (gast.Tuple, gast.List)):
            names = [e.id for e in target.elts if isinstance(e, gast.Name)]
            if len(names) != len(target.elts):
                raise self.ctx.unsupported(stmt, 'nested unpacking targets')
            if not isinstance(value, gast.Name) or not self.activity.is_active(value):
                return []
            if value.id in self._sequence_displays():
                return [Unpack(names, value.id)]
            # An array (or a value of unknown type): the adjoint of `a, b = v` is that of
            # `a = v[0]; b = v[1]`, so it has `v`'s type and shape.
            return [IndexContribution(value.id, n.const(i), n.name(self.adj(name)))
                    for i, name in enumerate(names)] + [Kill(name) for name in names]
        ans = target.id
        mc = method_call(value) if isinstance(value, gast.Call) else None
        if mc and mc[1] == 'pop' and not value.args and isinstance(mc[0], gast.Name) and \
                self.activity.is_active(mc[0]):
            self.list_vars.add(mc[0].id)
            self.needed.update({mc[0].id, ans})
            return [Pop(mc[0].id, ans), Kill(ans)]
        if not self.activity.is_active(target) or not self.activity.is_active(value):
            return [Kill(ans)]
        if isinstance(value, (gast.List, gast.Tuple)):
            self.list_vars.add(ans)
        return self.expression_items(stmt, ans, value) + [Kill(ans)]

    def _concatenation_items(self, ans, left, right):
        """``ans = left + right`` of two lists or tuples: each gets its part of the adjoint."""
        self.list_vars.add(ans)
        length = n.call('len', n.name(left))
        head = gast.Slice(lower=None, upper=length, step=None)
        tail = gast.Slice(lower=n.clone(length), upper=None, step=None)
        bans = self.adj(ans)
        return [Contribution(var, n.subscript(n.name(bans), part))
                for var, part in ((left, head), (right, tail)) if var in self.activity.active]

    def _sequence_displays(self):
        if not hasattr(self, '_displays'):
            self._displays = sequence_displays(self.ctx.body_all_statements, self.ctx.params)
        return self._displays

    def _active_name(self, node):
        return isinstance(node, gast.Name) and self.activity.is_active(node)

    def expression_items(self, stmt, ans, value):
        bans = n.name(self.adj(ans))
        if isinstance(value, gast.Name):
            return [Contribution(value.id, bans)]
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
                isinstance(value.left, gast.Name) and isinstance(value.right, gast.Name) and \
                {value.left.id, value.right.id} <= self._sequence_displays():
            return self._concatenation_items(ans, value.left.id, value.right.id)
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and any(
                isinstance(side, gast.Name) and side.id in self._sequence_displays() and
                isinstance(other, gast.Constant) and type(other.value) in (int, bool)
                for side, other in ((value.left, value.right), (value.right, value.left))):
            raise self.ctx.unsupported(
                stmt, 'repeating a list that holds differentiated values (`[x] * n`); build '
                      'it with a loop that appends, or use `np.tile`/`np.repeat` on an array')
        if isinstance(value, gast.BinOp):
            func = OPERATORS.get(type(value.op))
            if func is None:
                symbols = {gast.FloorDiv: '//', gast.Mod: '%'}
                symbol = symbols.get(type(value.op), type(value.op).__name__)
                raise self.ctx.unsupported(
                    stmt, f'the operator `{symbol}` applied to a value that depends on the '
                    f'differentiated arguments (it is piecewise constant or discontinuous); '
                    f'compute it from non-differentiated values or outside the function')
            return self.template_items(stmt, func, [value.left, value.right], [], ans)
        if isinstance(value, gast.UnaryOp):
            return self.template_items(stmt, OPERATORS[type(value.op)], [value.operand], [], ans)
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
        func = call.func
        if isinstance(func, gast.Attribute) and not self.ctx.resolver.is_global(func):
            receiver, name = func.value, func.attr
            if name in rules.NONDIFFERENTIABLE_METHODS:
                return []
            target = rules.METHODS.get(name)
            if target is None:
                raise self.ctx.no_rule(stmt, f'the method `.{name}()`',
                                       object_hint(receiver, name, True))
            return self.template_items(stmt, target, [receiver] + list(call.args),
                                       call.keywords, ans)
        if isinstance(func, gast.Name) and func.id in self.ctx.nested:
            item = self.ctx.nested_call(stmt, ans, call)
            return [item] if item is not None else []
        obj = self.ctx.resolver.lookup(func)
        if obj is None:
            raise self.ctx.no_rule(stmt, f'`{n.dotted_path(func) or "the called value"}`')
        if rules.lookup_adjoint(obj) is not None:
            return self.template_items(stmt, obj, list(call.args), call.keywords, ans)
        if rules.is_nondifferentiable(obj):
            return []
        if inspect.isfunction(obj) and not rules.is_library(obj):
            item = self.ctx.user_call(stmt, ans, call, obj)
            return [item] if item is not None else []
        raise self.ctx.no_rule(stmt, f'`{n.dotted_path(func)}`')

    def template_items(self, stmt, func, args, keywords, ans):
        template = rules.lookup_adjoint(func)
        if template is None:
            if rules.is_nondifferentiable(func):
                return []
            raise self.ctx.no_rule(stmt, f'`{getattr(func, "__name__", func)}`')
        bindings = self._bind(stmt, template, args, keywords)
        broadcasting = rules.is_broadcasting(func) or func in OPERATORS.values()
        if broadcasting:
            bindings = displays_as_arrays(template, bindings,
                                          lambda var: var in self.activity.active)
        return self._instantiate(template, bindings, ans, broadcasting)

    def _bind(self, stmt, template, args, keywords):
        params = [p for p in template.params if p != 'ans' and p not in template.kwonly]
        bindings = {}
        positional = list(args)
        for param in params:
            if positional:
                bindings[param] = positional.pop(0)
        if template.vararg:
            bindings[template.vararg] = n.tuple_(positional)
            positional = []
        if positional:
            raise self.ctx.unsupported(stmt, f'{len(positional)} extra positional arguments '
                                             f'to `{template.label}`')
        for kw in keywords:
            if kw.arg not in template.params:
                raise self.ctx.unsupported(stmt, f'the keyword argument `{kw.arg}` of '
                                                 f'`{template.label}`')
            bindings[kw.arg] = kw.value
        for param in template.params:
            if param != 'ans' and param not in bindings and param in template.defaults:
                bindings[param] = n.clone(template.defaults[param])
        if template.vararg and template.vararg not in bindings:
            bindings[template.vararg] = n.tuple_([])
        missing = [p for p in template.params if p != 'ans' and p not in bindings]
        if missing:
            raise self.ctx.unsupported(
                stmt, f'this form of `{template.label}` (its rule needs the argument '
                      f'`{missing[0]}`, which the call does not pass)')
        return bindings

    def _instantiate(self, template, bindings, ans, broadcasting=False):
        items = instantiate(template, bindings, n.name(ans), self.adj,
                            lambda var: var in self.activity.active, self.ctx.names, self.namer,
                            self.ctx.shapes.same, broadcasting)
        for item in items:
            if isinstance(item, Contribution):
                _use_shape_proxies(item.expr, self.ctx.shapes)
                item.spreadable = template.label in _SPREADABLE and _is_unbroadcast(item.expr)
        return items

    # -- phase 2: forward sweep with saves --------------------------------------------------
    def forward(self, stmts, loops, defined):
        out = []
        self._block = stmts
        for stmt in stmts:
            self._block = stmts
            if isinstance(stmt, gast.If):
                body = self.forward(stmt.body, loops, set(defined))
                orelse = self.forward(stmt.orelse, loops, set(defined))
                out.append(gast.If(test=stmt.test, body=body, orelse=orelse))
                defined.update(n.names_stored(stmt))
                continue
            if isinstance(stmt, (gast.For, gast.While)):
                out.extend(self._forward_loop(stmt, loops, defined))
                continue
            if isinstance(stmt, gast.Assign):
                out.extend(self._forward_assign(stmt, loops, defined))
                defined.update(target_names(stmt.targets[0]))
                continue
            out.append(stmt)
        return out

    def _forward_assign(self, stmt, loops, defined):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            base = target.value
            if isinstance(base, gast.Name) and base.id in self.needed and \
                    self.activity.is_active(base):
                old = n.call('s2s.copy', n.subscript(n.clone(base), n.clone(target.slice)))
                return self._save(stmt, base.id, old, loops, before=True) + [stmt]
            return [stmt]
        names = [v for v in target_names(target) if v in self.needed]
        if not names:
            return [stmt]
        out = [stmt]
        for var in names:
            if loops:
                if var in self.block_locals.get(id(self._block), ()):
                    if self._recomputable(stmt, loops[-1]):
                        self.saved[(id(stmt), var)] = ('recompute', stmt, False)
                        continue
                    out = out + self._save(stmt, var, n.name(var), loops, before=False)
                else:
                    if var not in defined:
                        self.ctx.undefined_before_loop.add(var)
                    out = self._save(stmt, var, n.name(var), loops, before=True) + out
            elif var in defined:
                out = self._save(stmt, var, n.name(var), loops, before=True) + out
        return out

    def _recomputable(self, stmt, loop):
        """``t = X[index]`` with `X` and the index fixed during the iteration: the backward
        sweep reads it again instead of saving it."""
        value = stmt.value
        changed = set(n.names_stored(gast.Module(body=loop.body, type_ignores=[])))
        if set(n.names_read(value.slice if isinstance(value, gast.Subscript) else value)) & \
                changed:
            return False
        if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)):
            return False
        base = value.value.id
        if self.ctx.assignment_counts.get(base) != 1 or base in self.ctx.mutated:
            return False
        if base in changed and base not in self.block_locals.get(id(self._block), ()):
            return False  # `X` changes in the loop and is not restored with the block
        if any(isinstance(node, gast.Call) for node in n.walk(value.slice)):
            return False
        self.needed.update(n.names_read(value))
        return True

    def _save(self, stmt, var, value, loops, before):
        key = (id(stmt), var)
        if before and isinstance(value, gast.Name) and _mutates_in_place(stmt, var):
            value = n.call('s2s.copy', value)
        if loops:
            stack = self.stack(var)
            self.saved[key] = ('stack', stack, before)
            return [n.expr(n.call(n.attr(stack, 'append'), value))]
        saved = self.namer.fresh(var + '_old')
        self.saved[key] = ('name', saved, before)
        return [n.assign(saved, value)]

    def _forward_loop(self, loop, loops, defined):
        inner = loops + [loop]
        body = self.forward(loop.body, inner, set(defined) | set(target_names(
            loop.target) if isinstance(loop, gast.For) else set()))
        counter = self.counters.get(id(loop))
        pre, post = [], []
        if isinstance(loop, gast.For):
            index = loop.target.id
            if not self.reversible.get(id(loop)) and index in self.needed:
                body = [n.expr(n.call(n.attr(self.stack(index), 'append'), n.name(index)))] \
                    + body
                self.saved[(id(loop), index)] = ('stack', self.stack(index), False)
            new = gast.For(target=loop.target, iter=loop.iter, body=body, orelse=[],
                           type_comment=None)
        else:
            new = gast.While(test=loop.test, body=body, orelse=[])
        if counter:
            pre.append(n.assign(counter, n.const(0)))
            body.insert(0, n.assign(counter, n.binop(n.name(counter), gast.Add(), n.const(1))))
            if loops:
                post.append(n.expr(n.call(n.attr(self.stack(counter), 'append'),
                                          n.name(counter))))
        defined.update(n.names_stored(loop))
        return pre + [new] + post

    # -- phase 2: backward sweep -----------------------------------------------------------
    def backward(self, stmts, state, loops, heading=None):
        """The adjoint of `stmts`; `heading` is the source line whose ``# Grad of:`` comment
        already stands just above (a branch does not repeat it)."""
        out = []
        local = self.block_locals.get(id(stmts), ())
        for var in local:
            state.live.discard(self.adj(var))
        # Values local to the block come back in program order: a recomputed ``a = z[0]``
        # reads the `z` of its own iteration, restored just before it.
        for stmt in stmts:
            for var in sorted(local):
                entry = self.saved.get((id(stmt), var))
                if entry is not None and entry[0] == 'recompute':
                    out.append(n.assign(var, n.clone(stmt.value)))
                elif entry is not None and not entry[2]:
                    out.append(n.assign(var, n.call(n.attr(entry[1], 'pop'))))
        last_line = heading
        for stmt in reversed(stmts):
            lineno = getattr(stmt, 'lineno', None)
            block = []
            if isinstance(stmt, gast.If):
                block = self._backward_if(stmt, state, loops, last_line)
            elif isinstance(stmt, (gast.For, gast.While)):
                block = self._backward_loop(stmt, state, loops)
            elif isinstance(stmt, (gast.Assign, gast.Expr)):
                block = self._emit_items(self.items.get(id(stmt), []), state)
                block += self._restore(stmt)
            if block and any(not n.is_comment(s) for s in block):
                if lineno != last_line and lineno is not None and \
                        not isinstance(stmt, (gast.For, gast.While, gast.If)):
                    out.append(n.comment('Grad of: ' + self.ctx.source.line_text(lineno)))
                    last_line = lineno
                elif isinstance(stmt, (gast.For, gast.While, gast.If)):
                    last_line = None
                out.extend(block)
        return out

    def _restore(self, stmt):
        out = []
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if target is None:
            if isinstance(stmt, gast.Expr):
                for item in self.items.get(id(stmt), []):
                    if isinstance(item, Append):
                        out.append(n.expr(n.call(n.attr(item.var, 'pop'))))
            return out
        names = [target.value.id] if isinstance(target, gast.Subscript) and \
            isinstance(target.value, gast.Name) else target_names(target)
        for var in names:
            entry = self.saved.get((id(stmt), var))
            if entry is None or not entry[2]:
                continue
            kind, holder, _ = entry
            value = n.call(n.attr(holder, 'pop')) if kind == 'stack' else n.name(holder)
            if isinstance(target, gast.Subscript):
                dest = n.subscript(n.name(var), n.clone(target.slice), store=True)
                out.append(n.assign(dest, value))
            else:
                out.append(n.assign(var, value))
        return out

    def _emit_items(self, items, state):
        out = []
        for item in items:
            if isinstance(item, Contribution):
                expr = item.expr
                if getattr(item, 'spreadable', False) and \
                        not _reads_dead_adjoint(expr, state, self):
                    expr = _substitute_spread(expr, state.spread)
                    out.extend(self.contribute(item.var, expr, state, checked=True))
                else:
                    out.extend(self.contribute(item.var, expr, state))
            elif isinstance(item, Kill):
                state.live.discard(self.adj(item.var))
                state.owned.discard(self.adj(item.var))
                state.spread.pop(self.adj(item.var), None)
            elif isinstance(item, IndexContribution):
                out.extend(self._index_contribution(item, state))
            elif isinstance(item, SetItem):
                out.extend(self._setitem(item, state))
            elif isinstance(item, Unpack):
                out.extend(self._unpack(item, state))
            elif isinstance(item, Append):
                badj = self.adj(item.var)
                _overwritten(badj, state)
                if badj in state.live:
                    popped = n.call(n.attr(badj, 'pop'))
                    if item.active_value:
                        out.extend(self.contribute(item.value.id, popped, state))
                    else:
                        out.append(n.expr(popped))
            elif isinstance(item, CallAdjoint):
                out.extend(self._call_adjoint(item, state))
            elif isinstance(item, Pop):
                out.extend(self._pop(item, state))
            else:
                if _depends_on_dead(item, state, self):
                    continue
                out.append(item)
        return out

    def contribute(self, var, expr, state, checked=False):
        """``bvar = expr`` if the adjoint is unset, else ``bvar = bvar + expr``."""
        if not checked and _reads_dead_adjoint(expr, state, self):
            return []
        badj = self.adj(var)
        _overwritten(badj, state)
        if badj in state.live:
            if var in self.list_vars or var in getattr(self.ctx, 'container_vars', ()):
                value = n.call('s2s.add', n.name(badj), expr)
            else:
                value = n.binop(n.name(badj), gast.Add(), expr)
            state.owned.add(badj)
        else:
            value = expr
            if _is_fresh(expr):
                state.owned.add(badj)
            else:
                state.owned.discard(badj)
            if isinstance(expr, gast.Call) and n.dotted_path(expr.func) == 's2s.unreduce' and \
                    len(expr.args) == 2 and not expr.keywords and n.is_atom(expr.args[0]):
                state.spread[badj] = expr.args[0]
        state.live.add(badj)
        return [n.assign(badj, value)]

    def _index_contribution(self, item, state):
        grad = item.grad
        if grad.id not in state.live:
            return []
        badj = self.adj(item.var)
        _overwritten(badj, state)
        if badj in state.zeros and badj in state.live:
            # the adjoint may still be the number 0.0: add a new array instead of updating
            state.zeros.discard(badj)
            return self.contribute(item.var, n.call(
                's2s.unindex', n.clone(grad), n.name(item.var),
                n.index_value(n.clone(item.index))), state, checked=True)
        if badj in state.live:
            current = n.name(badj) if badj in state.owned else n.call('s2s.copy', n.name(badj))
            value = n.call('s2s.add_at', current, n.index_value(n.clone(item.index)), n.clone(grad))
        else:
            value = n.call('s2s.unindex', n.clone(grad), n.name(item.var),
                           n.index_value(n.clone(item.index)))
        state.live.add(badj)
        state.owned.add(badj)
        return [n.assign(badj, value)]

    def _setitem(self, item, state):
        badj = self.adj(item.var)
        if badj not in state.live:
            return []
        out = []
        if item.active_value:
            read = n.call('s2s.read_at', n.name(badj), n.index_value(n.clone(item.index)),
                          n.clone(item.shape))
            out.extend(self.contribute(item.value.id, read, state))
        index = n.index_value(n.clone(item.index))
        _overwritten(badj, state)
        out.append(n.assign(badj, n.call('s2s.zero_at', n.name(badj), index)))
        state.owned.add(badj)
        return out

    def _unpack(self, item, state):
        parts = []
        any_live = False
        for var in item.targets:
            badj = self.adj(var)
            if badj in state.live and var in self.activity.active:
                parts.append(n.name(badj))
                any_live = True
            else:
                parts.append(n.call('s2s.zeros_like', n.name(var)))
        out = []
        if any_live:
            out = self.contribute(item.source, n.tuple_(parts), state)
            self.list_vars.add(item.source)
        for var in item.targets:
            state.live.discard(self.adj(var))
        return out

    def _pop(self, item, state):
        blist, bvalue = self.adj(item.var), self.adj(item.target)
        _overwritten(blist, state)
        out = []
        if blist not in state.live:
            out.append(n.assign(blist, n.call('s2s.zeros_like', n.name(item.var))))
            state.live.add(blist)
        value = n.name(bvalue) if bvalue in state.live else \
            n.call('s2s.zeros_like', n.name(item.target))
        out.append(n.expr(n.call(n.attr(blist, 'append'), value)))
        out.append(n.expr(n.call(n.attr(item.var, 'append'), n.name(item.target))))
        return out

    def _call_adjoint(self, item, state):
        bans = self.adj(item.ans)
        if bans not in state.live:
            return []
        call = n.clone(item.call)
        call.func = n.name(item.vjp_name)
        call.keywords.append(gast.keyword(arg=item.seed_name, value=n.name(bans)))
        if len(item.active_args) == 1:
            return self.contribute(item.active_args[0], call, state)
        parts = [self.namer.fresh(self.adj(var) + '_part') for var in item.active_args]
        out = [n.assign(n.tuple_([n.name(p, store=True) for p in parts], store=True), call)]
        for var, part in zip(item.active_args, parts):
            out.extend(self.contribute(var, n.name(part), state))
        return out

    def _touched(self, stmts):
        touched = set()
        for node in _walk_loop(stmts, nested=True):
            for item in self.items.get(id(node), []):
                var = getattr(item, 'var', None)
                if isinstance(item, (Contribution, IndexContribution, SetItem, Append, Pop)):
                    touched.add(var)
                if isinstance(item, SetItem) and item.active_value:
                    touched.add(item.value.id)
                if isinstance(item, Append) and item.active_value:
                    touched.add(item.value.id)
                if isinstance(item, Unpack):
                    touched.add(item.source)
                if isinstance(item, CallAdjoint):
                    touched.update(item.active_args)
                if isinstance(item, Kill):
                    touched.add(item.var)
        return touched

    def _zero(self, var, defined=None):
        if defined is not None and var not in defined:
            return n.assign(self.adj(var), n.const(0.0))
        return n.assign(self.adj(var), n.call('s2s.zeros_like', n.name(var)))

    def _backward_if(self, stmt, state, loops, heading=None):
        body_state, else_state = state.copy(), state.copy()
        body = self.backward(stmt.body, body_state, loops, heading)
        orelse = self.backward(stmt.orelse, else_state, loops, heading)
        merged = body_state.live | else_state.live
        var_of = {v: k for k, v in self.adjoints.items()}
        defined = self.defined_before.get(id(stmt))
        for badj in sorted(merged - body_state.live):
            body.append(self._zero(var_of[badj], defined))
        for badj in sorted(merged - else_state.live):
            orelse.append(self._zero(var_of[badj], defined))
        state.zeros = body_state.zeros | else_state.zeros | {
            badj for badj in merged ^ (body_state.live & else_state.live)
            if _is_number_zero(self._zero(var_of[badj], defined))}
        state.live = merged
        state.spread = {k: v for k, v in body_state.spread.items()
                        if k in else_state.spread and else_state.spread[k] is v}
        state.owned = (body_state.owned | (merged - body_state.live)) & \
            (else_state.owned | (merged - else_state.live))
        if not body and not orelse:
            return []
        if not body:
            return [gast.If(test=gast.UnaryOp(op=gast.Not(), operand=n.clone(stmt.test)),
                            body=orelse, orelse=[])]
        return [gast.If(test=n.clone(stmt.test), body=body, orelse=orelse)]

    def _backward_loop(self, loop, state, loops):
        touched = self._touched(loop.body)
        local = self.loop_local[id(loop)]
        carried = sorted(v for v in touched if v not in local and v in self.activity.active)
        pre = []
        defined = self.defined_before.get(id(loop))
        for var in carried:
            if self.adj(var) not in state.live:
                pre.append(self._zero(var, defined))
                state.live.add(self.adj(var))
                state.owned.add(self.adj(var))
            if _is_number_zero(self._zero(var, defined)):
                state.zeros.add(self.adj(var))  # set to 0.0 before or at the end of a pass
        state.spread = {}
        body_state = state.copy()
        for var in local:
            body_state.live.discard(self.adj(var))
        pops = []
        inner = loops + [loop]
        body = self.backward(loop.body, body_state, inner)
        for var in carried:
            if self.adj(var) not in body_state.live:
                body.append(self._zero(var, defined))
        state.owned &= body_state.owned
        state.zeros |= body_state.zeros
        counter = self.counters.get(id(loop))
        if isinstance(loop, gast.For):
            index = loop.target.id
            entry = self.saved.get((id(loop), index))
            if entry is not None:
                pops.insert(0, n.assign(index, n.call(n.attr(entry[1], 'pop'))))
        body = pops + body
        if not body or all(n.is_comment(s) or _is_pop(s) for s in body):
            return pre
        if counter and loops:
            pre.append(n.assign(counter, n.call(n.attr(self.stack(counter), 'pop'))))
        if isinstance(loop, gast.For) and self.reversible.get(id(loop)):
            iterator = n.clone(loop.iter.args[0]) if loop.iter is not _range_call(loop.iter) \
                else n.call('reversed', n.clone(loop.iter))
            target = n.clone(loop.target)
        else:
            iterator = n.call('range', n.name(counter))
            target = n.name(self.namer.fresh('_'), store=True) \
                if not isinstance(loop, gast.For) or \
                self.saved.get((id(loop), loop.target.id)) is None else n.clone(loop.target)
            if isinstance(loop, gast.For) and self.saved.get((id(loop), loop.target.id)):
                target = n.name(self.namer.fresh('_'), store=True)
        header = gast.For(target=target, iter=iterator, body=body, orelse=[],
                          type_comment=None)
        return pre + [header]


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


def _is_number_zero(stmt):
    return isinstance(stmt.value, gast.Constant)


def _overwritten(badj, state):
    """Adjoint `badj` is about to change (assigned, or updated in place): it no longer stands
    for a spread scalar, and no spread adjoint may stand for a scalar that reads it."""
    state.spread.pop(badj, None)
    for spread, scalar in list(state.spread.items()):
        if badj in n.names_read(scalar):
            del state.spread[spread]


def _is_unbroadcast(expr):
    return isinstance(expr, gast.Call) and n.dotted_path(expr.func) == 's2s.unbroadcast'


def _substitute_spread(expr, spread):
    """Replace adjoints that are spread scalars by the scalar itself."""
    if not spread or not any(name in spread for name in n.names_read(expr)):
        return expr
    expr = n.clone(expr)

    class Spread(gast.NodeTransformer):
        def visit_Name(self, node):
            if isinstance(node.ctx, gast.Load) and node.id in spread:
                return n.clone(spread[node.id])
            return node
    return Spread().visit(expr)


def _mutates_in_place(stmt, var):
    """Whether `stmt` is ``var = s2s.add_at(var, ...)``, which changes `var`'s array."""
    value = getattr(stmt, 'value', None)
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
        value.func.attr == 'add_at' and value.args and isinstance(value.args[0], gast.Name) \
        and value.args[0].id == var


def _changed_in_place(stmts):
    """Variables that `stmts` change without rebinding them: ``y[i] = v``, ``ys.append(v)``."""
    changed = set()
    for stmt in _walk_loop(stmts, nested=True):
        if isinstance(stmt, gast.Assign):
            for target in n.walk(stmt.targets[0]):
                if isinstance(target, gast.Subscript):
                    changed.update(target_names(target))
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            receiver = method_call(stmt.value)
            if receiver and isinstance(receiver[0], gast.Name):
                changed.add(receiver[0].id)
    return changed


def _range_call(node):
    """The ``range(...)`` call of ``range(...)`` or ``reversed(range(...))``."""
    if isinstance(node.func, gast.Name) and node.func.id == 'reversed':
        return node.args[0]
    return node


def _is_pop(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) and \
        isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == 'pop'


def _blocks(stmts):
    """Every statement list nested in `stmts` (bodies of ifs and loops)."""
    for stmt in stmts:
        if isinstance(stmt, gast.FunctionDef):
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                yield block
                yield from _blocks(block)


def _reads(item):
    if isinstance(item, Contribution):
        return n.names_read(item.expr)
    if isinstance(item, IndexContribution):
        return [item.var] + n.names_read(item.index)
    if isinstance(item, SetItem):
        return n.names_read(item.index) + ([item.shape.id] if item.active_value else [])
    if isinstance(item, Unpack):
        return list(item.targets)
    if isinstance(item, Append):
        return [item.var]
    if isinstance(item, Pop):
        return [item.var, item.target]
    if isinstance(item, CallAdjoint):
        return n.names_read(item.call)
    if isinstance(item, Kill):
        return []
    return n.names_read(item)


def _reads_dead_adjoint(expr, state, rpass):
    adjoint_names = set(rpass.adjoints.values())
    return any(name in adjoint_names and name not in state.live
               for name in n.names_read(expr))


def _depends_on_dead(stmt, state, rpass):
    return _reads_dead_adjoint(stmt, state, rpass)


def _is_fresh(expr):
    if isinstance(expr, gast.BinOp):
        return True
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr in ('unindex', 'zeros_like', 'unreduce', 'unmean', 'unextremum',
                               'unstack'):
        return True
    return False


def _walk_loop(stmts, nested=False):
    for stmt in stmts:
        if isinstance(stmt, gast.FunctionDef):
            continue
        yield stmt
        if isinstance(stmt, (gast.For, gast.While)) and not nested:
            yield from _walk_loop(stmt.body, nested)
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                yield from _walk_loop(block, nested)


def _target_word(loop):
    return loop.target.id if isinstance(loop.target, gast.Name) else 'loop'
