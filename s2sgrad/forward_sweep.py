"""The forward sweep of the reverse pass: the primal code plus the saves the backward sweep needs.

Takes the transform context and the shared `reverse_state.ReverseState` after phase 1 (items,
`needed`, loop facts). Gives `ForwardSweep.forward(stmts, loops, defined)`: the primal
statements with saves of overwritten values (`Saved` records in the shared state's `saved`,
lists in its `stacks`) and the iteration counters of loops that cannot run backward over their
range.
"""
import gast

from . import mutation
from . import nodes as n
from .activity import target_names
from .alias_memory import INPLACE_FUNCTIONS, INPLACE_METHODS, out_arguments
from .mutation import changes_in_place
from .restores import restored_item
from .slice_stores import resizing_item
from .reverse_state import Saved


_OTHER_CHANGING_METHODS = frozenset({
    'appendleft', 'extendleft', 'popleft', 'rotate', 'add', 'discard', 'difference_update',
    'intersection_update', 'symmetric_difference_update', 'ior', 'iadd', 'imul'})
"""Methods of deques and sets that change their receiver (besides `INPLACE_METHODS`)."""


def _names_in(nodes):
    """The variables that the expressions `nodes` are, or that displays among them hold
    (``[idx]``, ``(a, b)``, ``{'i': idx}``)."""
    return {chain.id for node in nodes for chain in _chained(node)
            if isinstance(chain, gast.Name)}


def _chain_name(node):
    """The variable an item or attribute chain starts from (``st`` of ``st[0].w``), or None."""
    while isinstance(node, (gast.Subscript, gast.Attribute)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _chained(expr):
    """The names and item or attribute chains that `expr` is, or that displays in it hold
    (``[idx]``, ``(a, st[0])``)."""
    found, todo = [], [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Starred):
            todo.append(node.value)
        elif isinstance(node, (gast.List, gast.Tuple, gast.Set)):
            todo.extend(node.elts)
        elif isinstance(node, gast.Dict):
            todo.extend(node.values)
        elif _chain_name(node) is not None:
            found.append(node)
    return found


class ForwardSweep:
    """Phase 2, forward: the primal statements and what they must keep for the adjoint."""

    def __init__(self, ctx, shared):
        self.ctx = ctx
        self.shared = shared
        self._changed = None  # (`changed_in_place`, found once)
        self.partly = set()  # (names a branch of an `if` defines and the other not)

    def forward(self, stmts, loops, defined):
        """The forward sweep of block `stmts`, inside `loops` (outermost first); `defined`:
        the variables defined before `stmts`, updated with those they define."""
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                body_defined, else_defined = set(defined), set(defined)
                body = self.forward(stmt.body, loops, body_defined)
                orelse = self.forward(stmt.orelse, loops, else_defined)
                out.append(gast.If(test=stmt.test, body=body, orelse=orelse))
                # (a name one branch defines may be unbound after the `if`: a later save of
                # it, ``bv_old = bv``, finds it None, set at the top)
                self.partly.update((body_defined ^ else_defined) - defined)
                defined.update(n.names_stored(stmt))
                continue
            if isinstance(stmt, (gast.For, gast.While)):
                out.extend(self._forward_loop(stmt, loops, defined))
                continue
            if isinstance(stmt, gast.Assign):
                out.extend(self._forward_assign(stmt, stmts, loops, defined))
                defined.update(target_names(stmt.targets[0]))
                continue
            if restored_item(stmt):
                out.extend(self._forward_restore(stmt, loops))
                continue
            out.append(stmt)
        return out

    def _forward_restore(self, stmt, loops):
        """A gradient's ``s2s.restore_item(d, key, old)`` (differentiated again: a write
        into `d`, see `restores`), after a save of the item it puts back."""
        base, key, _ = restored_item(stmt)
        if base.id not in self.shared.needed or not self.ctx.activity.is_active(base):
            return [stmt]
        old = n.call('s2s.copy', n.call('s2s.item_before', n.clone(base), n.clone(key)))
        return self._save(stmt, base.id, old, loops, before=True, item=True) + [stmt]

    def _forward_assign(self, stmt, block, loops, defined):
        """`stmt` (an assignment in `block`) with the saves of the needed values it changes."""
        shared = self.shared
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            base = target.value
            put_back = isinstance(base, gast.Name) and base.id in shared.needed and \
                self.ctx.activity.is_active(base) and not _fresh_before(stmt, block, base.id)
            written = resizing_item(self.ctx, stmt, shared.items.get(id(stmt), ()))
            if written is not None:
                return self._resizing_store(stmt, written, loops, put_back)
            if put_back:
                item = n.subscript(n.clone(base), n.clone(target.slice))
                # (a dict's item, or one that may be: a parameter's, which a key it has not
                # yet adds to, ``T[1] = ...`` of ``T = {0: 0.5}``; a slice is no key)
                of_item = isinstance(target.slice, gast.Constant) and isinstance(
                    target.slice.value, str) or base.id in self.ctx.container_vars or \
                    base.id in self.ctx.params and not any(
                        isinstance(part, gast.Slice) for part in n.walk(target.slice))
                if of_item:
                    item = n.call('s2s.item_before', n.clone(base),
                                  n.index_value(n.clone(target.slice)))
                old = n.call('s2s.copy', item)
                return self._save(stmt, base.id, old, loops, before=True, item=of_item) + \
                    [stmt]
            return [stmt]
        names = [v for v in target_names(target) if v in shared.kept()]
        if not names:
            return [stmt]
        out = [stmt]
        for var in names:
            if loops:
                if var in shared.block_locals.get(id(block), ()):
                    if self._recomputable(stmt, block, loops[-1]):
                        shared.saved[(id(stmt), var)] = Saved('recompute', stmt, False)
                        continue
                    out = out + self._save(stmt, var, n.name(var), loops, before=False)
                else:
                    if var not in defined or var in self.partly:
                        self.ctx.undefined_before_loop.add(var)
                    out = self._save(stmt, var, n.name(var), loops, before=True) + out
            elif var in defined:
                if var in self.partly:
                    self.ctx.undefined_before_loop.add(var)
                out = self._save(stmt, var, n.name(var), loops, before=True) + out
        return out

    def _resizing_store(self, stmt, item, loops, put_back):
        """``y[a:b] = items`` that may change the length of a list `y` (`slice_stores`), after
        a save of the items it replaces (their zeros stand for them in the adjoint; a copy
        where the backward sweep puts them back, `put_back`, else their shapes) and of where
        `items` go (``s2s.written_at``)."""
        target = stmt.targets[0]
        base = target.value.id
        part = n.subscript(n.name(base), n.clone(target.slice))
        old = n.call('s2s.copy' if put_back else 's2s.meta', part)
        out = self._save(stmt, base, old, loops, before=True)
        at = n.call('s2s.written_at', n.name(base), n.index_value(n.clone(target.slice)),
                    n.clone(stmt.value))
        if loops:
            key = ('written_at', base)  # (no variable's: `ReverseState.stack`)
            if key not in self.shared.stacks:
                self.shared.stacks[key] = self.ctx.namer.fresh(base + '_at_stack')
            item.at_saved = Saved('stack', self.shared.stacks[key], True)
            out.append(n.expr(n.call(n.attr(item.at_saved.holder, 'append'), at)))
        else:
            item.at_saved = Saved('name', self.ctx.namer.fresh(base + '_at'), True)
            out.append(n.assign(item.at_saved.holder, at))
        gast.copy_location(out[-1], stmt)  # (its errors point at the write)
        item.put_back = put_back
        return out + [stmt]

    def _recomputable(self, stmt, block, loop):
        """``t = X[index]`` with `X` and the index fixed during the iteration: the backward
        sweep reads it again instead of saving it."""
        value = stmt.value
        changed = set(n.names_stored(gast.Module(body=loop.body, type_ignores=[])))
        if set(n.names_read(value.slice if isinstance(value, gast.Subscript) else value)) & \
                changed:
            return False
        if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)):
            return False
        if set(n.names_read(value)) & self.changed_in_place():
            return False  # (``x[idx]`` after ``idx[t] = ...``: the backward sweep's idx
            # is the last one; ``np.add(idx, 1, out=idx)``, ``move(idx)``, ``pos[0] += 1``)
        base = value.value.id
        if self.ctx.assignment_counts.get(base) != 1:
            return False
        if base in changed and base not in self.shared.block_locals.get(id(block), ()):
            return False  # `X` changes in the loop and is not restored with the block
        if any(isinstance(node, gast.Call) for node in n.walk(value.slice)):
            return False
        self.shared.needed.update(n.names_read(value))
        return True

    def changed_in_place(self):
        """The variables whose object the function may change in place anywhere, with the
        names bound to one of them: written into by subscript, by a method that changes its
        receiver, as the ``out`` of a call or by a library function that writes into an
        argument (``np.copyto``), or passed to a helper of the user's that writes into it;
        and where the items of a list or dict may be changed so (``st[0][1] += 1``,
        ``st[0].sort()``, a helper given `st`), the names it holds or that hold its items
        (``st = [idx]``, ``idx = st[0]``). A value read from one of them is saved for the
        backward sweep, never read again."""
        if self._changed is None:
            ctx = self.ctx
            body = getattr(ctx, 'body', [])
            methods = INPLACE_METHODS | mutation.CHANGING_METHODS | _OTHER_CHANGING_METHODS
            found = mutation.mutated(body, methods=methods)
            found |= set(ctx.mutated)
            inner = set(ctx.written_by_calls)  # (containers whose items may change)
            held = []  # (container, the names a display or a store puts in it, or takes out)
            for node in n.walk(gast.Module(body=body, type_ignores=[])):
                if isinstance(node, gast.Call):
                    for changed in self._changed_by_call(node, methods):
                        (found if isinstance(changed, gast.Name) else inner).add(
                            _chain_name(changed))
                    if isinstance(node.func, gast.Attribute) and \
                            isinstance(node.func.value, gast.Name):
                        held.append((node.func.value.id, _names_in(node.args)))
                elif isinstance(node, (gast.Assign, gast.AugAssign)):
                    targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                    for target in targets:
                        name = _chain_name(target)
                        if name is None:
                            continue
                        if isinstance(target, (gast.Subscript, gast.Attribute)) and (
                                isinstance(target.value, (gast.Subscript, gast.Attribute)) or
                                isinstance(node, gast.AugAssign)):
                            inner.add(name)  # (``st[0][1] = v``, ``st[0] += v``)
                        if isinstance(node, gast.Assign):
                            held.append((name, _names_in([node.value])))
                    source = _chain_name(node.value)
                    if isinstance(node, gast.Assign) and source is not None and \
                            isinstance(node.value, (gast.Subscript, gast.Attribute)):
                        held.append((source, {name for target in targets
                                              for name in n.names_stored(target)}))
            found |= inner
            grown = True
            while grown:  # (what a container whose items change holds, or gave out)
                grown = False
                for container, names in held:
                    if container in inner and not names <= found:
                        found |= names
                        inner |= names  # (``st = [[idx]]``: items of items)
                        grown = True
            self._changed = mutation.with_aliases(found, body)
        return self._changed

    def _changed_by_call(self, call, methods):
        """What `call` may change in place, as the expressions naming it: its ``out``, what
        it gives a library function that writes into an argument (``np.copyto(dst=idx,
        ...)``), the object of a method called through its class (``list.reverse(idx)``) or
        of a changing method called on an item (``st[0].sort()``)."""
        resolver = self.ctx.resolver
        found = list(out_arguments(call, resolver))
        func = call.func
        name = func.attr if isinstance(func, gast.Attribute) else \
            getattr(resolver.lookup(func), '__name__', None)
        if name in INPLACE_FUNCTIONS:
            found += call.args + [k.value for k in call.keywords]
        if isinstance(func, gast.Attribute) and func.attr in methods:
            if call.args and resolver.is_global(func.value):
                found.append(call.args[0])
            elif isinstance(func.value, (gast.Subscript, gast.Attribute)):
                found.append(func.value)
        return [node for expr in found for node in _chained(expr)]

    def _save(self, stmt, var, value, loops, before, item=False):
        """The statement that keeps `value` (of `var`, changed by `stmt`; with `item`, an item
        of a list or dict, see `Saved.item`): a push inside loops, an assignment to a fresh
        name outside."""
        key = (id(stmt), var)
        if before and isinstance(value, gast.Name) and changes_in_place(stmt, var):
            value = n.call('s2s.copy', value)
        if loops:
            stack = self.shared.stack(var)
            self.shared.saved[key] = Saved('stack', stack, before, item)
            return [n.expr(n.call(n.attr(stack, 'append'), value))]
        saved = self.ctx.namer.fresh(var + '_old')
        self.shared.saved[key] = Saved('name', saved, before, item)
        return [n.assign(saved, value)]

    def _forward_loop(self, loop, loops, defined):
        """`loop` with its body's saves, its index pushed when the backward sweep needs it,
        and its iteration counter (pushed after it, inside other loops)."""
        shared = self.shared
        inner = loops + [loop]
        body = self.forward(loop.body, inner, set(defined) | set(target_names(
            loop.target) if isinstance(loop, gast.For) else set()))
        counter = shared.counters.get(id(loop))
        pre, post = [], []
        if isinstance(loop, gast.For):
            index = loop.target.id
            if not shared.reversible.get(id(loop)) and index in shared.kept():
                body = [n.expr(n.call(n.attr(shared.stack(index), 'append'), n.name(index)))] \
                    + body
                shared.saved[(id(loop), index)] = Saved('stack', shared.stack(index), False)
            new = gast.For(target=loop.target, iter=loop.iter, body=body, orelse=[],
                           type_comment=None)
        else:
            new = gast.While(test=loop.test, body=body, orelse=[])
        if counter:
            pre.append(n.assign(counter, n.const(0)))
            body.insert(0, n.assign(counter, n.binop(n.name(counter), gast.Add(), n.const(1))))
            if loops:
                post.append(n.expr(n.call(n.attr(shared.stack(counter), 'append'),
                                          n.name(counter))))
        defined.update(n.names_stored(loop))
        return pre + [new] + post


def _fresh_before(stmt, block, name):
    """Whether the write into `name` that `stmt` (of `block`) makes follows, in `block`, a
    binding of `name` to new memory whose adjoint reads no value of it (`_unread_result`:
    ``y = x.copy()``, ``d = np.zeros(2)``, ``y = a * b``), with no statement between them
    that mentions `name` but to copy an item of it (`_item_copies`) or to write into it
    (`_plain_write`): then no backward code
    reads the values the write replaces, which need no save and no restore (``y[i] = 0.0``
    of leave-one-out, written back in place, is what a second derivative cannot follow)."""
    position = next((i for i, other in enumerate(block) if other is stmt), None)
    if position is None:
        return False
    copies = _item_copies(block, name)
    for other in reversed(block[:position]):
        if isinstance(other, gast.Assign) and isinstance(other.targets[0], gast.Name) and \
                other.targets[0].id == name:
            return _unread_result(other.value) and name not in n.names_read(other.value)
        if not isinstance(other, (gast.Assign, gast.Expr)) or (
                name in n.all_names(other) and id(other) not in copies and
                not _plain_write(other, name)):
            return False
    return False


def _plain_write(stmt, name):
    """Whether `stmt` writes a value into items of `name` and reads nothing of it
    (``Pp[0, 0] = t``): its adjoint reads no value of `name` either (a second write into a
    fresh array, ``Pp[1, 1] = Pp[1, 1] * q`` after ``Pp[0, 0] = ...``)."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return False
    target = stmt.targets[0]
    return isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) and \
        target.value.id == name and name not in n.all_names(target.slice) and \
        name not in n.all_names(stmt.value)


def _item_copies(block, name):
    """The ids of the statements of `block` that read `name` only to copy an item of it into
    a name of their own: ``view = Pp[0, 0]`` whose one use is the next statement's ``item =
    s2s.copy(view)`` (the read of ``Pp[0, 0] = Pp[0, 0] * q``, made before the write). What
    they keep is their own, and their adjoints add into `name`'s adjoint, reading nothing of
    `name`."""
    found = set()
    for first, second in zip(block, block[1:]):
        if not (isinstance(first, gast.Assign) and isinstance(first.targets[0], gast.Name) and
                isinstance(first.value, gast.Subscript) and
                isinstance(first.value.value, gast.Name) and first.value.value.id == name and
                name not in n.all_names(first.value.slice)):
            continue
        view = first.targets[0].id
        copied = isinstance(second, gast.Assign) and \
            isinstance(second.targets[0], gast.Name) and \
            isinstance(second.value, gast.Call) and \
            n.dotted_path(second.value.func) == 's2s.copy' and \
            [n.dotted_path(arg) for arg in second.value.args] == [view] and \
            not second.value.keywords and second.targets[0].id not in (name, view)
        uses = sum(view in n.all_names(other) for other in block)
        if copied and uses == 2 and view != name:
            found.update((id(first), id(second)))
    return found


_MADE = frozenset({'zeros', 'ones', 'full', 'empty', 'zeros_like', 'ones_like', 'full_like',
                   'empty_like', 'eye', 'identity', 'copy', 'array'})
"""NumPy functions (and ``.copy()``) that make new memory and whose adjoints read nothing of
their result (``np.exp``'s reads it: ``g * ans``)."""


def _unread_result(value):
    """Whether `value` makes new memory and its adjoint reads none of it: an array made
    (`_MADE`), a copy, a sum, difference, product or quotient, a negation."""
    if isinstance(value, gast.BinOp):
        return isinstance(value.op, (gast.Add, gast.Sub, gast.Mult, gast.Div))
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, gast.USub)
    if not isinstance(value, gast.Call):
        return False
    func = value.func
    if isinstance(func, gast.Attribute) and func.attr == 'copy' and not value.args:
        return not any(k.arg == 'order' for k in value.keywords)  # (``x.copy()``)
    path = n.dotted_path(func) or ''
    return path.split('.')[0] in ('np', 'numpy') and path.split('.')[-1] in _MADE and \
        len(path.split('.')) == 2 and not any(k.arg == 'copy' for k in value.keywords)
