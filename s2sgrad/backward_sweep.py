"""The backward sweep of the reverse pass: the statements in reverse, each with its adjoint.

Takes the transform context (`namer`, `activity`, `source` for the ``# Grad of:`` comments) and
the shared `reverse_state.ReverseState` once the forward sweep has filled its saves. Gives
`BackwardSweep.backward(stmts, state, loops)`: the adjoint code of a block, which restores the
saved values, runs branches and loops backward and updates `state` (the live adjoints).
"""
import gast

from . import nodes as n
from .adjoint_emit import AdjointEmitter, list_position
from .adjoint_items import (Append, CallAdjoint, IndexContribution, Insert, Kill, Pop, Reverse,
                            SetItem, Unpack)
from .activity import target_names
from .backward_loops import LoopsBackward, is_none, is_number_zero, is_unset
from .restores import as_write, restored_item
from .slice_stores import resizing_item
from .reverse_loops import loop_statements
from .templating import Contribution


class BackwardSweep(LoopsBackward):
    """Phase 2, backward: statements in reverse order, branches and loops run backward."""

    def __init__(self, ctx, shared):
        self.ctx = ctx
        self.shared = shared
        self.namer = ctx.namer
        self.activity = ctx.activity
        self.emitter = AdjointEmitter(ctx, shared)
        self.none_zero = set()  # variables whose zero adjoint is None here (`_backward_loop`)

    def backward(self, stmts, state, loops, heading=None):
        """The adjoint of `stmts`; `heading` is the source line whose ``# Grad of:`` comment
        already stands just above (a branch does not repeat it)."""
        shared = self.shared
        out = []
        local = shared.block_locals.get(id(stmts), ())
        for var in local:
            state.live.discard(shared.adj(var))
        # Values local to the block come back in program order: a recomputed ``a = z[0]``
        # reads the `z` of its own iteration, restored just before it.
        for stmt in stmts:
            for var in sorted(local):
                saved = shared.saved.get((id(stmt), var))
                # (at the line of the statement whose value they give back: a run-time
                # error there names it, see `runtime_errors._line_map`)
                if saved is not None and saved.how == 'recompute':
                    out.append(gast.copy_location(n.assign(var, n.clone(stmt.value)), stmt))
                elif saved is not None and not saved.before:
                    out.append(gast.copy_location(
                        n.assign(var, n.call(n.attr(saved.holder, 'pop'))), stmt))
        last_line = heading
        for stmt in reversed(stmts):
            lineno = getattr(stmt, 'lineno', None)
            block = []
            if isinstance(stmt, gast.If):
                block = self._backward_if(stmt, state, loops, last_line)
            elif isinstance(stmt, (gast.For, gast.While)):
                block = self._backward_loop(stmt, state, loops)
            elif isinstance(stmt, (gast.Assign, gast.Expr)):
                block = self._where_written(stmt)
                block += self._statement(stmt, state)
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

    def _statement(self, stmt, state):
        """The adjoint code of one assignment or expression. Where the adjoint of the value it
        defines may be None (`State.unset`), and no other value it defines has an adjoint
        here, its rule runs under ``if bw is not None:``; otherwise None first becomes zeros
        of the value (which the statement reads or defines)."""
        adj = self.shared.adj
        items = self.shared.items.get(id(stmt), [])
        unset = sorted(state.unset & state.live & {adj(v) for v in self._touched([stmt])})
        live = set(state.live)
        receiving = {adj(v) for v in self._touched([stmt], kills=False)}
        defined = {adj(v) for v in target_names(stmt.targets[0])} & state.live \
            if isinstance(stmt, gast.Assign) else set()
        zeroed = sorted(defined & state.zeros - receiving)
        if not unset and len(defined) == 1 and zeroed and _needs_array(items, zeroed[0]):
            return self._unless_zero(zeroed[0], items, state)
        if not unset:
            out = self.emitter.emit(items, state)
            state.unset -= state.live - live  # (assigned here)
            state.zeros |= _zero_products(items, state, live, adj)
            return out
        defining = [badj for badj in unset if badj not in receiving]
        if defined != set(defining[:1]) or any(isinstance(item, Pop) for item in items):
            # (``h, z = cell(h)`` with `bh` live: `bh` goes back either way; ``v =
            # vs.pop()``: the value goes back on the list, its adjoint on the list's, zeros
            # where it has none, at every pass)
            defining = []
        var_of = {v: k for k, v in self.shared.adjoints.items()}
        out = []
        for badj in unset:
            if badj not in defining:
                # (zeros of the value the statement reads or defines: ``bz`` of ``h, z =
                # cell(h)``, ``bt`` of ``s = s + t ** 2``; compiled code needs an array)
                zero = n.assign(badj, n.call('s2s.zeros_like', n.name(var_of[badj])))
                out.append(gast.If(test=is_none(badj), body=[zero], orelse=[]))
                state.unset.discard(badj)
        if not defining:
            out += self.emitter.emit(items, state)
            state.unset -= state.live - live
            return out
        body_state, else_state = state.copy(), state.copy()
        body_state.unset.discard(defining[0])
        # (None at some passes, the number 0.0 at others: ``ba = 0.0`` of a branch before a
        # loop whose passes each define `a`; a rule needing an array takes neither)
        zero = defining[0] in state.zeros and _needs_array(items, defining[0])
        if zero:
            body_state.zeros.discard(defining[0])
        body = self.emitter.emit(items, body_state)
        body_state.unset -= body_state.live - live
        orelse = []
        self._merge(state, body_state, else_state, body, orelse,
                    set(self.shared.adjoints) - {var_of[defining[0]]})  # (its own zero: None)
        test = is_none(defining[0], gast.IsNot())
        if zero:
            test = gast.BoolOp(op=gast.And(), values=[test, _not_zero(defining[0])])
        return out + [gast.If(test=test, body=body, orelse=orelse)] if body else out

    def _unless_zero(self, badj, items, state):
        """The adjoint code `items` of a statement defining the variable of adjoint `badj`,
        which may still be the number 0.0 here (no item of this pass of a loop added to it:
        ``a = np.concatenate(...)`` each pass, ``return np.sum(a)`` in a branch): under ``if
        not s2s.is_zero(badj):``, as a rule that needs the value's shape (``s2s.unjoin``,
        ``np.linalg.solve``) could not take the number, and gives zeros from zero anyway."""
        var_of = {v: k for k, v in self.shared.adjoints.items()}
        body_state, else_state = state.copy(), state.copy()
        body_state.zeros.discard(badj)
        body = self.emitter.emit(items, body_state)
        orelse = []
        self._merge(state, body_state, else_state, body, orelse,
                    set(self.shared.adjoints) - {var_of[badj]})
        return [gast.If(test=_not_zero(badj), body=body, orelse=orelse)] if body else []

    def _where_written(self, stmt):
        """Before the adjoint of ``y[a:b] = items`` that may change the length of a list
        `y` (`slice_stores`): the items it replaced and where `items` went, taken off their
        stacks."""
        item = resizing_item(self.ctx, stmt, self.shared.items.get(id(stmt), ()))
        saved = item and self.shared.saved.get((id(stmt), item.var))
        if saved is None or item.at_saved is None:
            return []
        out = []
        names = []
        for kept, suffix in ((saved, '_old'), (item.at_saved, '_at')):
            if kept.how == 'stack':
                names.append(self.namer.fresh(item.var + suffix))
                out.append(n.assign(names[-1], n.call(n.attr(kept.holder, 'pop'))))
            else:
                names.append(kept.holder)
        item.old, item.at = names
        return out

    def _restore(self, stmt):
        """After the adjoint of `stmt`: the values it overwrote, back in place (and the item
        that an ``items.append(v)`` added, removed)."""
        out = []
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else \
            as_write(stmt).targets[0] if restored_item(stmt) else None
        if target is None:
            if isinstance(stmt, gast.Expr):
                for item in self.shared.items.get(id(stmt), []):
                    if isinstance(item, Append):
                        out.append(n.expr(n.call(n.attr(item.var, 'pop'))))
                    elif isinstance(item, Insert):
                        where = list_position('s2s.inserted_at', item.index, item.var)
                        out.append(n.expr(n.call(n.attr(item.var, 'pop'), where)))
                    elif isinstance(item, Reverse):
                        out.append(n.expr(n.call(n.attr(item.var, 'reverse'))))
            return out
        names = [target.value.id] if isinstance(target, gast.Subscript) and \
            isinstance(target.value, gast.Name) else target_names(target)
        for var in names:
            saved = self.shared.saved.get((id(stmt), var))
            if saved is None or not saved.before:
                continue
            if saved.how == 'stack':
                value = n.call(n.attr(saved.holder, 'pop'))
            else:
                value = n.name(saved.holder)
            if saved.item:  # (a key the statement added to a dict is removed)
                out.append(n.expr(n.call('s2s.restore_item', n.name(var),
                                         n.index_value(n.clone(target.slice)), value)))
            elif isinstance(target, gast.Subscript):
                written = resizing_item(self.ctx, stmt, self.shared.items.get(id(stmt), ()))
                at = n.clone(target.slice)
                if written is not None and written.at is not None:
                    if not written.put_back:  # (its values are read no more: `forward_sweep`)
                        continue
                    at, value = n.name(written.at), n.name(written.old)
                dest = n.subscript(n.name(var), at, store=True)
                out.append(n.assign(dest, value))
            else:
                out.append(n.assign(var, value))
        return out

    def _touched(self, stmts, kills=True):
        """The variables whose adjoints the items of `stmts` (nested blocks included) read or
        change (`kills`: also those whose adjoints they only reset, as an assignment does)."""
        touched = set()
        for node in loop_statements(stmts):
            for item in self.shared.items.get(id(node), []):
                var = getattr(item, 'var', None)
                if isinstance(item, (Contribution, IndexContribution, SetItem, Append, Pop,
                                     Insert, Reverse)):
                    touched.add(var)
                if isinstance(item, SetItem) and item.active_value:
                    touched.add(item.value.id)
                if isinstance(item, (Append, Insert)) and item.active_value:
                    touched.add(item.value.id)
                if isinstance(item, Unpack):
                    touched.add(item.source)
                if isinstance(item, CallAdjoint):
                    touched.update(item.active_args)
                if isinstance(item, Kill) and kills:
                    touched.add(item.var)
        return touched

    def _zero(self, var, defined=None):
        """``bvar = zeros_like(var)``, or ``bvar = 0.0`` where `var` may not be defined yet
        (a list that items are appended to or popped from still gets a list: `var` is then
        set to None at the top, and its zero adjoint is 0.0 where it is still None); None in
        place of 0.0 for a variable of `none_zero`."""
        if defined is not None and var not in defined:
            # (a list rebuilt at each pass, ``items = [acc, piece]`` of another length each
            # time, gets the number too: zeros like the value being undone would have that
            # pass's length, not the one of the value put back)
            if var not in self.shared.list_vars or var not in self.emitter._changed_lists():
                zero = n.assign(self.shared.adj(var),
                                n.const(None if var in self.none_zero else 0.0))
                zero.zero_adjoint = True  # (compiled code may need an array: `numba_path`)
                return zero
            self.ctx.undefined_before_loop.add(var)
        return n.assign(self.shared.adj(var), n.call('s2s.zeros_like', n.name(var)))

    def _backward_if(self, stmt, state, loops, heading=None):
        """Each branch backward from a copy of `state`; adjoints live after one branch only are
        zeroed at the end of the other, and `state` becomes what both branches guarantee."""
        body_state, else_state = state.copy(), state.copy()
        body = self.backward(stmt.body, body_state, loops, heading)
        orelse = self.backward(stmt.orelse, else_state, loops, heading)
        # (in generated code differentiated again, the zeros of an adjoint some rule needs as
        # an array stay zeros like it: `unjoin` of the number 0.0 fails)
        generated = (self.ctx.source.filename or '').startswith('<s2sgrad')
        self._merge(state, body_state, else_state, body, orelse,
                    self.shared.defined_before.get(id(stmt)),
                    () if generated else _assigned(stmt.body),
                    () if generated else _assigned(stmt.orelse))
        if not body and not orelse:
            return []
        if not body:
            return [gast.If(test=gast.UnaryOp(op=gast.Not(), operand=n.clone(stmt.test)),
                            body=orelse, orelse=[])]
        return [gast.If(test=n.clone(stmt.test), body=body, orelse=orelse)]

    def _merge(self, state, body_state, else_state, body, orelse, defined=None,
               body_assigned=frozenset(), else_assigned=frozenset()):
        """`state` after two branches run backward from it (`body_state`, `else_state`):
        adjoints live after one branch only are zeroed at the end of the other (appended to
        `body` or `orelse`), and `state` becomes what both branches guarantee. The zeros of a
        variable the branch assigns (`body_assigned`, `else_assigned`) are the number 0.0:
        the backward sweep need not have put back the value it had before the branch (``p =
        ps[i]`` again in one branch, of another shape than the last pass's `p`)."""
        merged = body_state.live | else_state.live
        var_of = {v: k for k, v in self.shared.adjoints.items()}
        zeros = {}
        for badj in sorted(merged - body_state.live):
            zeros[badj] = self._zero(var_of[badj], _unless(defined, body_assigned))
            body.append(zeros[badj])
        for badj in sorted(merged - else_state.live):
            zeros[badj] = self._zero(var_of[badj], _unless(defined, else_assigned))
            orelse.append(zeros[badj])
        state.zeros = body_state.zeros | else_state.zeros | {
            badj for badj, zero in zeros.items() if is_number_zero(zero)}
        state.unset = body_state.unset | else_state.unset | {
            badj for badj, zero in zeros.items() if is_unset(zero)}
        state.live = merged
        state.spread = {k: v for k, v in body_state.spread.items()
                        if k in else_state.spread and else_state.spread[k] is v}
        state.owned = (body_state.owned | (merged - body_state.live)) & \
            (else_state.owned | (merged - else_state.live))


def _assigned(stmts):
    """The names `stmts` assign."""
    return set(n.names_stored(gast.Module(body=stmts, type_ignores=[])))


def _unless(defined, assigned):
    """`defined` (the variables defined before a branch; None: all) without `assigned`."""
    if not assigned:
        return defined
    if defined is None:
        return _AllBut(assigned)
    return set(defined) - set(assigned)


class _AllBut:
    """Every name but those given (`_unless` of None)."""

    def __init__(self, names):
        self.names = set(names)

    def __contains__(self, name):
        return name not in self.names


_TAKE_NUMBERS = frozenset({'s2s.unbroadcast', 's2s.add', 's2s.add_at'})
"""Runtime helpers that take the number 0.0 for an adjoint (as arithmetic does)."""
_TAKE_NUMBERS_UNREDUCED = frozenset({'s2s.unreduce', 's2s.unmean'})
"""Helpers that take it where they spread it over the whole value (no `axis`)."""


def _zero_products(items, state, live, adj):
    """The adjoints that the contributions `items` first assign (not live before: `live`) by
    arithmetic of an adjoint that may be the number 0.0 (`State.zeros`): ``bu = ba1 * 0.1``
    of ``a1 = u * 0.1``, where `ba1` was zeroed as a number by a branch of the last pass;
    they may be the number too, which the statement defining them must not give a rule that
    needs an array (`BackwardSweep._unless_zero`)."""
    found = set()
    for item in items:
        if isinstance(item, Contribution) and adj(item.var) not in live and \
                adj(item.var) in state.live:
            zeros = state.zeros & set(n.names_read(item.expr))
            if zeros and not any(_needs_array([item], z) for z in zeros):
                found.add(adj(item.var))
    return found


def _not_zero(badj):
    """``not s2s.is_zero(badj)``."""
    return gast.UnaryOp(op=gast.Not(), operand=n.call('s2s.is_zero', n.name(badj)))


def _needs_array(items, badj):
    """Whether an item of `items` (a contribution, or a statement of a rule's template) would
    give the adjoint `badj` to what needs an array there (a call other than arithmetic and
    `_TAKE_NUMBERS`, an item of it, the backward part of a function of the user's), not the
    number 0.0 (`BackwardSweep._unless_zero`)."""
    for item in items:
        if isinstance(item, CallAdjoint):
            return True
        code = item.expr if isinstance(item, Contribution) else item
        if not isinstance(code, gast.AST):
            continue
        for node in n.walk(code):
            if isinstance(node, (gast.Subscript, gast.Attribute)) and \
                    badj in n.names_read(node.value):
                return True
            if not isinstance(node, gast.Call) or badj not in n.names_read(node):
                continue
            called = n.dotted_path(node.func)
            if called in _TAKE_NUMBERS or called in _TAKE_NUMBERS_UNREDUCED and \
                    len(node.args) == 2 and not node.keywords:
                continue
            if not any(badj in n.names_read(arg) for arg in node.args) and \
                    not any(badj in n.names_read(k.value) for k in node.keywords):
                continue  # (``np.cos(x) * ...``: a call that reads other values)
            return True
    return False
