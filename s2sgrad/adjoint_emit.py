"""Adjoint emitters: the statements of the backward sweep for each kind of adjoint item.

Takes the transform context (`namer`, `activity`, `container_vars`), the shared
`reverse_state.ReverseState` (adjoint names, `list_vars`) and, per call, the `State` of the
adjoints live at that point, which it updates. Gives `AdjointEmitter.emit(items, state)`, the
statements for one statement's items, and `contribute`, the first assignment or the
accumulation of one contribution to an adjoint.
"""
import gast

from . import nodes as n
from .adjoint_items import (Append, CallAdjoint, IndexContribution, Insert, Kill, Pop, Reverse,
                            SetItem, Unpack)
from .mutation import with_aliases
from .sequences import sequence_vars, tuple_results
from .templating import Contribution


_PER_ITEM = ('s2s.unstack', 's2s.unjoin', 's2s.as_items', 's2s.add')


def _one_per_item(expr):
    """Whether `expr` (an adjoint of a list or tuple) is one adjoint per item by its form."""
    return isinstance(expr, (gast.List, gast.Tuple, gast.Name)) or \
        isinstance(expr, gast.Call) and n.dotted_path(expr.func) in _PER_ITEM


class AdjointEmitter:
    """Turns adjoint items into statements, tracking which adjoints are live, owned (safe to
    update in place), spread scalars, or possibly the number 0.0."""

    def __init__(self, ctx, shared):
        self.ctx = ctx
        self.shared = shared
        self.namer = ctx.namer
        self.activity = ctx.activity
        self._sequence_cache = None
        self._lists_given = None  # (`_given_lists`: the items are all made before emitting)
        self._changed = None  # (`_changed_lists`)

    def emit(self, items, state):
        """The backward statements of one statement's `items`, in order."""
        out = []
        dead = set()  # (the rule's own variables computed from adjoints that hold no value)
        own = set()  # (ids of the rule's own statements kept: `_without_unread` may drop them)
        for item in items:
            if dead and _reads_any(item, dead):
                # (zero, as the adjoint it was computed from: it adds nothing)
                if isinstance(item, gast.AST):
                    dead |= set(n.names_stored(item))
                continue
            if isinstance(item, Contribution):
                expr = item.expr
                if item.var in self.shared.list_vars and not _one_per_item(expr):
                    # a rule that took the list as an array (``np.sum(ys)``) gives an array
                    expr = n.call('s2s.as_items', expr, n.name(item.var))
                if getattr(item, 'spreadable', False) and \
                        not self._reads_dead_adjoint(expr, state):
                    expr = _substitute_spread(expr, state.spread)
                    out.extend(self.contribute(item.var, expr, state, checked=True))
                else:
                    out.extend(self.contribute(item.var, expr, state))
            elif isinstance(item, Kill):
                _kill(self.shared.adj(item.var), state)
            elif isinstance(item, IndexContribution):
                out.extend(self._index_contribution(item, state))
            elif isinstance(item, SetItem):
                out.extend(self._setitem(item, state))
            elif isinstance(item, Unpack):
                out.extend(self._unpack(item, state))
            elif isinstance(item, Append):
                out.extend(self._append(item, state))
            elif isinstance(item, CallAdjoint):
                out.extend(self._call_adjoint(item, state))
            elif isinstance(item, Pop):
                out.extend(self._pop(item, state))
            elif isinstance(item, Insert):
                out.extend(self._insert(item, state))
            elif isinstance(item, Reverse):
                out.extend(self._reverse(item, state))
            elif not self._reads_dead_adjoint(item, state):
                dead -= set(n.names_stored(item))
                own.add(id(item))
                out.append(item)
            else:
                dead |= set(n.names_stored(item))
        return _without_unread(out, own) if dead else out

    def contribute(self, var, expr, state, checked=False):
        """``bvar = expr`` if the adjoint is unset, else ``bvar = bvar + expr``."""
        if not checked and self._reads_dead_adjoint(expr, state):
            return []
        badj = self.shared.adj(var)
        _overwritten(badj, state)
        if not state.zeros & set(n.names_read(expr)):
            state.zeros.discard(badj)  # (the number 0.0 no more, but what `expr` adds)
        elif badj not in state.live:
            state.zeros.add(badj)  # (made of the number 0.0: ``bt = ba * 0.1`` may be 0.0)
        if badj in state.live:
            if var in self._sequences() or _per_item_of(expr, var):
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
        """``d[x] += unindex(d[ans], x, index)``, updated in place (`add_at`) when owned."""
        grad = item.grad
        if grad.id not in state.live:
            return []
        badj = self.shared.adj(item.var)
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
        """``d[v] += d[y][index]`` (for an active `v`), then ``d[y][index] = 0``."""
        badj = self.shared.adj(item.var)
        if badj not in state.live:
            return []
        out = []
        itself = item.active_value and item.value.id == item.var  # ``y[::-1] = y``
        # (`slice_stores`: where a slice assignment that may change a list's length wrote)
        index = n.name(item.at) if item.at else n.index_value(n.clone(item.index))
        if item.active_value and item.restore:  # (`restores`: the put-back item may be none)
            read = n.call('s2s.read_item', n.name(badj), n.clone(item.index),
                          n.name(item.value.id))
        elif item.active_value:
            read = n.call('s2s.read_at', n.name(badj), index, n.clone(item.shape))
            if item.into:  # (an integer array truncates what is written into it)
                read = n.call('s2s.stored', read, n.name(item.into))
        if item.active_value and itself:  # (read before the written part is zeroed, added after)
            share = self.namer.fresh(badj + '_read')
            out.append(n.assign(share, read))
        elif item.active_value:
            out.extend(self.contribute(item.value.id, read, state))
        _overwritten(badj, state)
        zeroed = [n.name(badj), n.clone(index)] + ([n.name(item.old)] if item.at else [])
        out.append(n.assign(badj, n.call('s2s.zero_at', *zeroed)))
        state.owned.add(badj)
        if itself:
            out.extend(self.contribute(item.var, n.name(share), state))
        return out

    def _unpack(self, item, state):
        """``d[t] += (d[a], d[b])``, zeros for a target whose adjoint is unset; a list
        (``[d[a], d[b]]``) for a list that items are appended to or popped from, whose
        adjoint the backward sweep pops from."""
        parts = []
        any_live = False
        for var in item.targets:
            badj = self.shared.adj(var)
            if badj in state.live and var in self.activity.active:
                parts.append(n.name(badj))
                any_live = True
            else:
                parts.append(n.call('s2s.zeros_like', n.name(var)))
        out = []
        if any_live:
            display = gast.List(elts=parts, ctx=gast.Load()) if item.source in \
                self.shared.resized | self._changed_lists() else n.tuple_(parts)
            out = self.contribute(item.source, display, state)
            self.shared.list_vars.add(item.source)
        for var in item.targets:
            state.live.discard(self.shared.adj(var))
        return out

    def _pop(self, item, state):
        """The popped value goes back on the list, and its adjoint on the list's adjoint."""
        blist, bvalue = self.shared.adj(item.var), self.shared.adj(item.target)
        _overwritten(blist, state)
        out = []
        if blist not in state.live:
            out.append(n.assign(blist, n.call('s2s.zeros_like', n.name(item.var))))
            state.live.add(blist)
        value = n.name(bvalue) if bvalue in state.live else \
            n.call('s2s.zeros_like', n.name(item.target))
        if bvalue not in state.live or bvalue in state.zeros:
            self.shared.zero_lists.add(blist)
        if item.index is None:
            out.append(n.expr(n.call(n.attr(blist, 'append'), value)))
            out.append(n.expr(n.call(n.attr(item.var, 'append'), n.name(item.target))))
            return out
        keyed, inserted, restored = [], [], []
        for holder, put in ((blist, value), (item.var, n.name(item.target))):
            # (a dict's ``d.pop('W')``: the key back, with its value)
            keyed.append(n.assign(n.subscript(n.name(holder), n.clone(item.index), store=True),
                                  n.clone(put)))
            # (by a key in a variable: `s2s.restore_item`, which a gradient differentiated
            # again reads as a write it saves the item before, the key absent)
            restored.append(n.expr(n.call('s2s.restore_item', n.name(holder),
                                          n.clone(item.index), n.clone(put))))
            where = list_position('s2s.popped_at', item.index, holder)
            inserted.append(n.expr(n.call(n.attr(holder, 'insert'), where, put)))
        if isinstance(item.index, gast.Constant) and isinstance(item.index.value, str):
            return out + keyed
        if item.var in getattr(self.ctx, 'list_names', ()):
            return out + inserted  # (a list the function makes: no key)
        # A key or a position, whichever the container takes: a dict gets the key back (at
        # its end), a list the item where it was (also for an integer, ``d.pop(0)`` of a dict
        # with integer keys).
        return out + [gast.If(test=n.call('isinstance', n.name(item.var), n.name('dict')),
                              body=restored, orelse=inserted)]

    def _reverse(self, item, state):
        """The list's adjoint is reversed as the list was."""
        badj = self.shared.adj(item.var)
        _overwritten(badj, state)
        return [n.expr(n.call(n.attr(badj, 'reverse')))] if badj in state.live else []

    def _insert(self, item, state):
        """The inserted value's adjoint is popped off the list's adjoint, where it went."""
        badj = self.shared.adj(item.var)
        _overwritten(badj, state)
        if badj not in state.live:
            return []
        popped = n.call(n.attr(badj, 'pop'), list_position('s2s.inserted_at', item.index, badj))
        if item.active_value:
            return self.contribute(item.value.id, popped, state)
        return [n.expr(popped)]

    def _append(self, item, state):
        """The appended value's adjoint is popped off the list's adjoint."""
        badj = self.shared.adj(item.var)
        _overwritten(badj, state)
        if badj not in state.live:
            return []
        popped = n.call(n.attr(badj, 'pop'))
        if item.active_value:
            out = self.contribute(item.value.id, popped, state)
            if badj in self.shared.zero_lists:  # (it may give back the number 0.0)
                state.zeros.add(self.shared.adj(item.value.id))
            return out
        return [n.expr(popped)]

    def _call_adjoint(self, item, state):
        """The user function's vjp called with the seed ``d[ans]``; each part contributes."""
        bans = self.shared.adj(item.ans)
        if bans not in state.live:
            return []
        if item.saved:  # split motion: the backward part, given what was saved
            call = n.call(item.vjp_name, n.name(item.saved))
        else:
            call = n.clone(item.call)
            call.func = n.name(item.vjp_name)
        call.keywords.append(gast.keyword(arg=item.seed_name, value=n.name(bans)))
        if len(item.active_args) == 1:
            var = item.active_args[0]
            return self.contribute(var, self._per_item(item, var, call), state)
        parts = [self.namer.fresh(self.shared.adj(var) + '_part') for var in item.active_args]
        out = [n.assign(n.tuple_([n.name(p, store=True) for p in parts], store=True), call)]
        for var, part in zip(item.active_args, parts):
            out.extend(self.contribute(var, self._per_item(item, var, n.name(part)), state))
        return out

    def _per_item(self, item, var, expr):
        """`expr`, the adjoint a call gives back for `var`, one per item where `var` is a
        list given to a library function's definition, which read it as an array."""
        if (item.library or var in item.checked) and var in self.shared.list_vars:
            return n.call('s2s.as_items', expr, n.name(var))
        return expr

    def _sequences(self):
        """The variables that may hold lists, tuples or dicts: their adjoints add with
        ``s2s.add`` (see `sequences`)."""
        seeds = self.shared.list_vars | set(getattr(self.ctx, 'container_vars', ())) | \
            set(getattr(self.ctx, 'sequence_results', ())) | self._given_lists() | \
            set(getattr(self.ctx, 'maybe_lists', ())) | self._tuple_vars()
        holders = set(getattr(self.ctx, 'holder_results', ()))
        if self._sequence_cache is None or self._sequence_cache[0] != (seeds, holders):
            self._sequence_cache = ((seeds, holders), sequence_vars(
                self.ctx.body_all_statements, seeds, holders))
        return self._sequence_cache[1]

    def _tuple_vars(self):
        if getattr(self, '_tuples', None) is None:
            self._tuples = tuple_results(self.ctx.body_all_statements, self.ctx.resolver)
        return self._tuples

    def _changed_lists(self):
        """The variables of the body whose list methods change their length or order, and
        their other names (`changed_lists`)."""
        if self._changed is None:
            self._changed = changed_lists(self.ctx.body_all_statements, self.ctx.body)
        return self._changed

    def _given_lists(self):
        """The variables that an adjoint rule gives a list of adjoints, one per item (the
        operand of ``np.stack(l)``, ``np.concatenate(l)``, ``np.array(l)``: `l` is a list or
        tuple, whatever it was passed as; of ``sum(l)``, ``max(l)``, ``list(l)`` where `l`
        is one): a second contribution must not concatenate."""
        if self._lists_given is None:
            self._lists_given = _given_lists(self.shared.items)
        return self._lists_given

    def _reads_dead_adjoint(self, expr, state):
        """Whether `expr` reads an adjoint that holds no value here (so it adds nothing)."""
        adjoint_names = set(self.shared.adjoints.values())
        return any(name in adjoint_names and name not in state.live
                   for name in n.names_read(expr))


def _kill(badj, state):
    """The adjoint `badj` holds no value from here (its variable is defined here)."""
    state.live.discard(badj)
    state.owned.discard(badj)
    state.spread.pop(badj, None)


def _given_lists(items):
    """The variables to which a contribution of `items` (statement id -> adjoint items) gives
    a list of adjoints (see `AdjointEmitter._given_lists`)."""
    return {item.var for each in items.values() for item in each
            if isinstance(item, Contribution) and isinstance(item.expr, gast.Call) and
            n.dotted_path(item.expr.func) in _LIST_ADJOINTS}


_LIST_ADJOINTS = frozenset({'s2s.unstack', 's2s.as_items', 's2s.unjoin', 's2s.unsum',
                            's2s.pick', 's2s.items_back', 's2s.unfield'})
"""Runtime helpers whose result is the list of the adjoints of a list's items (of its
operand's items, where the operand is a list or tuple: ``sum(l)``, ``max(l)``,
``list(l)``)."""


def _reads_any(item, names):
    """Whether adjoint item `item` reads one of `names` (a rule's own variables)."""
    if isinstance(item, Contribution):
        return bool(names & set(n.names_read(item.expr)))
    if isinstance(item, gast.AST):
        return bool(names & set(n.names_read(item)))
    return False


def _without_unread(out, own):
    """`out` less the rule's own statements (ids `own`) that assign its variables and that
    nothing after them reads (``low = ...`` of a Cholesky rule whose result's adjoint holds
    no value here): the part of the rule they served was left out."""
    kept = []
    for stmt in reversed(out):
        if id(stmt) in own and isinstance(stmt, gast.Assign) and \
                all(_names_only(t) for t in stmt.targets) and \
                not set(n.names_stored(stmt)) & {name for later in kept
                                                 for name in n.names_read(later)}:
            continue
        kept.append(stmt)
    return kept[::-1]


def _names_only(target):
    """Whether assignment target `target` binds names only (``g``, ``gu, gs, gvh``)."""
    if isinstance(target, (gast.Tuple, gast.List)):
        return all(_names_only(e) for e in target.elts)
    if isinstance(target, gast.Starred):
        return _names_only(target.value)
    return isinstance(target, gast.Name)


def _overwritten(badj, state):
    """Adjoint `badj` is about to change (assigned, or updated in place): it no longer stands
    for a spread scalar, and no spread adjoint may stand for a scalar that reads it."""
    state.spread.pop(badj, None)
    for spread, scalar in list(state.spread.items()):
        if badj in n.names_read(scalar):
            del state.spread[spread]


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


def _per_item_of(expr, var):
    """Whether `expr` is the adjoint of an item of `var` spread over `var`
    (``s2s.unindex(g, var, i)``, ``s2s.unread_at(g, var, i)``): it has `var`'s structure, a
    list where `var` is one (``acc = base * 2`` of a list argument, or the list adjoint of a
    gradient differentiated again), so it adds to another adjoint of `var` item by item."""
    return isinstance(expr, gast.Call) and \
        n.dotted_path(expr.func) in ('s2s.unindex', 's2s.unread_at', 's2s.unread_item') and \
        len(expr.args) >= 2 and isinstance(expr.args[1], gast.Name) and expr.args[1].id == var


def _is_fresh(expr):
    """Whether `expr` makes a new array, which its adjoint then owns (may update in place)."""
    if isinstance(expr, gast.BinOp):
        return True
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr in ('unindex', 'zeros_like', 'unreduce', 'unmean', 'unextremum',
                               'unstack'):
        return True
    return False


def list_position(helper, index, items):
    """``helper(index, items)`` (`s2s.popped_at`, `s2s.inserted_at`: where a pop took an item
    or an insert put it, for the list `items` as it is now), or the position itself where the
    index is 0, or for `s2s.popped_at` any non-negative integer constant."""
    if isinstance(index, gast.Constant) and type(index.value) is int and \
            (index.value == 0 or index.value > 0 and helper == 's2s.popped_at'):
        return n.const(index.value)
    return n.call(helper, n.clone(index), n.name(items))


def changed_lists(statements, body):
    """The variables of `statements` whose list methods change their length or order
    (``new.append(v)`` in a loop whose adjoint items are made after this statement's, ``v =
    items.pop()``: the backward sweep pops from their adjoints, which must be lists), and
    their other names in `body` (``params = new``, then ``w, b = params``)."""
    changed = {
        stmt.value.func.value.id for stmt in statements
        if isinstance(stmt, (gast.Expr, gast.Assign)) and isinstance(stmt.value, gast.Call) and
        isinstance(stmt.value.func, gast.Attribute) and
        isinstance(stmt.value.func.value, gast.Name) and
        stmt.value.func.attr in ('append', 'pop', 'insert', 'reverse')}
    return set(with_aliases(changed, body)) if changed else changed
