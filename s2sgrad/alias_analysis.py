"""Alias analysis: which bindings may share memory, and which writes through them are unsafe.

Every assignment to a name creates a *binding* (named by its statement; parameters and globals
have one each), which holds abstract memory (see `alias_memory`).

A write (subscript assignment, in-place method, ``out=``) through a name is sound for the
reverse and forward passes only if no other binding that exists at that point can observe the
memory written. `AliasAnalysis.check` finds, for every write, the other bindings that share
its memory: if one of them may still be read afterwards the write is unsafe (`Unsafe`); if all
are dead, copying at their definitions (or at the written view's own definition) makes the
write private without changing what the program computes. The result says which definitions
to copy and which parameters the write reaches (the prologue copies them).
"""
import builtins
import inspect

import gast

from . import nodes as n
from .alias_memory import CONTAINER_METHODS, MemoryModel, _keyed, _sliced


def _data(resolver, name):
    """Whether global `name` may hold data a write changes (an array, a list, an object, a
    module's or a class's attributes): not a function or a type of the library's (``float``
    of ``defaultdict(float)``)."""
    value = resolver.lookup(n.name(name))
    if inspect.isroutine(value) or type(value).__name__ == 'ufunc':
        return False
    return not (isinstance(value, type) and
                (value.__module__ or '').split('.')[0] in ('builtins', 'numpy', 'collections'))


class Unsafe(Exception):
    """A write that the analysis cannot make sound: `stmt`, the written name and why."""

    def __init__(self, stmt, name, reason, sharer=None):
        super().__init__(reason)
        self.stmt = stmt
        self.name = name
        self.reason = reason
        self.sharer = sharer  # (the binding of the other name the reason names, if one)


class SharedItem(Unsafe):
    """``ys[i] += v`` into an item that another live name (`holder`) holds as an array."""

    def __init__(self, stmt, name, holders):
        super().__init__(stmt, name, f'`{holders[0]}` may hold the item')
        self.holders = holders


class SharedList(Unsafe):
    """A list method (`method`) changing a list that other live names (`holders`) hold."""

    def __init__(self, stmt, name, method, holders):
        super().__init__(stmt, name, f'`.{method}` of a list that `{holders[0]}` holds')
        self.method = method
        self.holders = holders


def _holders(memory):
    """The arguments that may hold `memory` (a list, a dict, an object given: ``m.buf``,
    ``ws[0]``), sorted; [] for the memory of an array argument itself, whose writes the
    prologue checks (`inplace._separate`)."""
    if not any(loc[0] == 'C' for loc in memory):
        return []
    return sorted({loc[1] for loc in memory if loc[0] in ('P', 'C')})


class AliasAnalysis(MemoryModel):
    """May-share analysis of a normalized function body (see the module docstring)."""

    def __init__(self, body, params, resolver, runtime=None, generated=False, active=None,
                 logs=frozenset(), flag=None):
        local = set(n.names_stored(gast.Module(body=body, type_ignores=[]))) | set(params)
        super().__init__(params, local, resolver, runtime)
        self.body = body
        self.generated = generated  # (code s2sgrad made, differentiated again)
        self.flag = flag  # (the canonical form's ``returned``, set by a return in a loop)
        self.items_changed = set()  # (``un[1] *= nu``, ``un[1][0] = v``: an item in place;
        # not ``u[1:-1] += v``, which of a list extends a new list, then stored back)
        for stmt in n.statements(body):
            target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) and \
                    getattr(stmt, 'augmented_item', False) and not _sliced_any(target):
                self.items_changed.add(target.value.id)
            elif isinstance(target, gast.Subscript) and \
                    isinstance(target.value, gast.Subscript) and \
                    isinstance(target.value.value, gast.Name) and \
                    not _sliced_any(target.value):
                self.items_changed.add(target.value.value.id)
        self.active = active  # (the names that may hold differentiated values; None: all)
        self.logs = logs  # (ids of statements adding to a log: `logs.log_statements`)
        self.order = {}
        self.loops = []             # (first, last) statement positions of each loop
        self.chains = {}            # statement id -> ((block id, index), ...) from the body
        self._number(body)
        self.always_live = set()
        self.copyable = {id(s) for s in n.statements(body)
                         if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)}
        for stmt in n.statements(body):
            if isinstance(stmt, gast.FunctionDef):
                self.always_live.update(n.names_read(stmt))

    # -- the result -------------------------------------------------------------------------
    def check(self, forced=()):
        """``(copies, params)``: definitions to copy and parameters written into.

        Raises `Unsafe` for a write whose memory another live binding can see.
        """
        forced = set(forced)
        # definition id -> (the arguments that may hold its value, the write): copied
        # so that the write does not reach the caller's array, checked by the generated code
        # to be no other argument's (`aliasing._insert_copies`)
        self.held_copies = {}
        # statement id -> (``b = b + v`` of ``b += v``, `b`, the arguments that may hold
        # `b`): NumPy adds in place, the passes rebind; checked the same way
        self.held_updates = {}
        self.updated_params = {}  # (argument -> the ``b += v`` that may change it as `b`)
        self.recent = set()  # memory written where `_latest` told earlier runs' arrays apart
        self.nested = set()  # arguments holding a list a list method changes
        self.numbers = {}  # definitions ``t = y[i]`` checked at run time to be numbers:
        # id -> the write that needs it
        for _ in range(200):
            self._analyse(forced)
            added = self._cuts(forced)
            if not added:
                break
            forced |= added - set(self.numbers)
        params = set()
        for stmt, name, memory, kind in self.writes:
            if kind in ('rebind', 'item'):
                continue
            if kind == 'container':
                # list methods (the passes follow them): copy a list argument changed in place
                if ('param', name, name) in self.reach[id(stmt)].get(name, ()):
                    params.add(name)
                # (``p = params; p.pop()``: the argument's list, changed under another name)
                params.update(loc[1] for loc in memory if loc[0] == 'P')
                # a list an argument holds (``hist, h = state``): copy its lists
                self.nested.update(loc[1] for loc in memory if loc[0] == 'C')
                continue
            params.update(loc[1] for loc in memory if loc[0] == 'P')
        return forced, params

    def _cuts(self, forced):
        """Definitions to copy so that the first unsafe write becomes private (empty when
        every write is private); raises `Unsafe` when no copy can do it."""
        live_after = _live_after(self.body)
        self.guards = []
        self.item_guards = []  # ``ys[i] += v`` checked at run time: no other item shares it
        self.number_items = []  # (``ys[i] += v``, names): checked to update a number item
        for stmt, name, memory, kind in self.writes:
            if not memory:
                continue
            if kind == 'rebind' and name not in self.params and not self.generated:
                # (``b = a; b += v`` of an argument `a`: in place on it, as ``a += v`` is)
                for loc in memory:
                    if loc[0] == 'P':
                        self.updated_params.setdefault(loc[1], stmt)
                roots = _holders(memory)
                if roots:  # (``b = m.buf; b *= 2.0``: in place on what the caller gave)
                    self.held_updates.setdefault(id(stmt), (stmt, name, roots))
            if kind == 'memory' and getattr(stmt, 'augmented_item', False) and \
                    not self.generated and not memory <= self.arrays and \
                    stmt not in self.item_guards:
                # (``un[1] *= nu`` where `un` may be a list, ``u.copy()`` of an argument: NumPy
                # multiplies the item in place, which another item may be, ``un[0] = un[1]``;
                # the passes rebind the item: checked at run time, nothing for an array)
                self.item_guards.append(stmt)
            before = self.reach[id(stmt)]
            if kind == 'container':
                self._list_shared(stmt, name, memory, before, live_after)
                continue
            own = before.get(name, frozenset()) if name else frozenset()
            if kind == 'rebind' and own and all(self._number_binding(b) for b in own):
                continue  # (``t = 0.0``, then ``t += dt; ts.append(t)``: a number, rebound)
            if kind == 'item':
                self._item_shared(stmt, name, memory, own, before, live_after)
                continue
            sharers = self._sharers(stmt, own, memory, memory)
            external = sorted(loc[1] for loc in memory if loc[0] in ('C', 'G'))
            live = [b for b in sharers if self._live(b, stmt, before, live_after)]
            if kind == 'rebind' and name not in n.names_stored(stmt.targets[0]) and \
                    name in live_after[id(stmt)]:
                # ``v += c`` became ``v_2 = v + c`` (or `v` is another name's alias): where
                # `v` is still read afterwards, an array would show the change there
                live = live + list(own)
            if not sharers and not external and not live:
                continue
            held = sorted(loc[1] for loc in memory if loc[0] == 'G')
            if kind == 'rebind' and (not all(self._view_binding(b) for b in own) or any(
                    _data(self.resolver, name) for name in held) or
                    any(self._number_literal_binding(b) for b in own)):
                # (``t = 0.0``, then ``t += dt`` of an argument `dt`: a number, or an array
                # from the first run on)
                # ``y = x; y += 1`` is in place only when `y` is an array (a number is
                # rebound): the generated code checks that at run time
                # (an array a container argument holds, ``W = params['W']; W -= lr * dW``,
                # is the caller's: the update shows through the argument, which `live` has
                # when it is read afterwards; a global's may be read by anything, also
                # through a view or an item, ``w = CFG['w']``, ``w = G.T``)
                if live or held:
                    # (every name that may share the array and is read afterwards)
                    others = sorted({b[2] for b in live}) if live else held[:1]
                    if any(b in own for b in live):
                        others = [name]
                    self.guards.append(('before', stmt, name, name, tuple(others)))
                continue
            reads = {b[1] for b in own if b[1] in self.defs and isinstance(
                getattr(self.defs[b[1]][0], 'value', None), gast.Subscript) and
                not _keyed(self.defs[b[1]][0].value) and  # (a dict's item: no number)
                self._element_read(b)} if kind == 'rebind' and (live or external) else set()
            if reads and len(reads) == len([b for b in own if self.mem.get(b)]):
                # (a binding to a number, ``m = 0.0`` before ``if x[i] > m: m = x[i]``, holds
                # no memory)
                # (``s = x[0]; s += x[1]``: an item, a number or a row of `x` or an array a
                # list `x` holds; checked at run time to be a number, which the augmented
                # assignment rebinds)
                for read in reads:
                    self.numbers.setdefault(read, stmt)
                return reads
            whole = kind == 'rebind'
            if live and not external and all(self._element_read(b, whole=whole) for b in live) \
                    and not self._appended_before(stmt, memory):
                # ``t = y[1]`` shares `y`'s memory only when it is an array (a row): the
                # generated code checks at run time that it is a number, which no write
                # changes, and the analysis treats it as such from then on (a view that is
                # not read afterwards, ``y[:-1]`` in ``y[1:] = y[:-1] * 2``, may share it)
                reads = {b[1] for b in sharers if b[1] in self.defs and
                         isinstance(self.defs[b[1]][0].value, gast.Subscript) and
                         self._element_read(b, whole=whole)}
                unpacked = {b[1] for b in live if self._unpacked_item(b)}
                if unpacked and len(unpacked) == len({b[1] for b in live}):
                    # (``S, I = x[t]`` read after ``x[t + 1, 0] = v``: the items unpacked,
                    # numbers where the row `x[t]` is an array's, are checked, not the row)
                    reads = unpacked
                for read in reads:
                    self.numbers.setdefault(read, stmt)
                if reads:
                    return reads
                continue  # (the next writes are checked too)
            if live and any(b in own for b in live):
                raise Unsafe(stmt, name, 'an augmented assignment that NumPy applies in place, '
                                         'while the array is read afterwards under another name')
            if live and not external and kind == 'memory' and \
                    self._whole_arrays(memory, live + list(own), own):
                # (``u, w = w, u`` each step: two arrays made here, which the names trade;
                # the analysis cannot tell which holds which, the generated code checks at
                # run time that no other live name holds the array written)
                self.guards.append(('before', stmt, name, name,
                                    tuple(sorted({b[2] for b in live})), 'swap'))
                self.recent |= memory  # (the backward sweep restores it: no adjoint may be it)
                continue
            if live:
                # (the name that holds the memory itself first: ``v = x[1:3]`` of ``x =
                # theta.copy()`` shares `x`'s array, and `theta` only its items, if a list)
                direct = [b for b in live if self.mem.get(b, set()) & memory] or live
                sharer = sorted(direct, key=lambda b: (b[2], str(b)))[0]
                raise Unsafe(stmt, name, f'which may share memory with `{sharer[2]}`, read '
                                         f'afterwards', sharer)
            if kind == 'rebind':
                continue
            if not external and any(self._fresh_item(b) for b in own) and all(
                    self._fresh_item(b) or self.mem.get(b) == {('new', b[1])} for b in own) \
                    and self.active is not None and not any(b[2] in self.active
                                                            for b in sharers):
                continue  # (only the tuple a call returned holds it, which no derivative reads)
            # (a copy would keep the write from a global's or an enclosing function's array,
            # which the function changes and anything may read: never cut, refused below; an
            # argument's is copied by the prologue, the caller's never changes)
            held = any(loc[0] == 'G' and _data(self.resolver, loc[1]) for loc in memory)
            cut = set() if held else {b[1] for b in own if self._cuttable(b, forced) and
                                      self.mem.get(b) != {('new', b[1])} and
                                      not self._reads_other_write(b, stmt, live_after) and
                                      not self._updates_shown(b, stmt, live_after)}
            if not cut and not external:
                # the bindings that hold the memory itself; containers that only hold such
                # a binding stop sharing once it is copied
                direct = [b for b in sharers if self.mem.get(b, set()) & memory] or sharers
                cut = {b[1] for b in direct if self._cuttable(b, forced) and
                       not self._written_through(b) and
                       not self._reads_other_write(b, stmt, live_after) and
                       not self._updates_shown(b, stmt, live_after)}
            if not cut:
                first = sorted(sharers, key=lambda b: (b[2], str(b)))[:1]
                raise Unsafe(stmt, name, self._why_shared(memory, sharers, external),
                             None if external or not first else first[0])
            roots = _holders(memory)
            for made in cut if roots else ():
                # (the copy keeps the write from what the caller gave, which no other
                # argument may then be or hold: `held_copies`)
                self.held_copies.setdefault(made, (roots, stmt))
            return cut
        return set()

    def _reads_other_write(self, binding, stmt, live_after):
        """Whether `binding`, which a write other than `stmt` reaches while it may be read
        afterwards, must show that write: a copy made for `stmt` (where it is not read
        afterwards) would hide it (``a = y`` in a loop that writes into `y` before it, and
        ``y[0] = ...`` after the loop, then `a` read; ``a = x``, then ``x += c``, which NumPy
        adds into the array `a` is, then ``a[0] *= 2``). Not in generated code differentiated
        again, whose values are meant as values: an adjoint that is a view of an array the
        backward sweep restores (``bx = x[:2]``, then ``x[0] = x_old``) is copied."""
        if self.generated:
            return False
        memory = self.mem.get(binding, set())
        return any(other is not stmt and kind in ('memory', 'rebind') and written & memory and
                   self._live(binding, other, self.reach[id(other)], live_after) and
                   not (name == binding[2] and  # (a write through the copy itself)
                        binding in self.reach[id(other)].get(name, ()))
                   for other, name, written, kind in self.writes)

    def _updates_shown(self, binding, stmt, live_after):
        """Whether an augmented assignment through `binding`'s own name other than `stmt`
        (``a2 += c``, which NumPy applies in place where `a2` is an array) may change memory
        that another binding, read afterwards, shares (``a2 = x``, ``a2 += c`` in a loop, then
        ``x[1] *= 2``): a copy made where `binding` is defined, for `stmt`, would keep that
        change from it, and take away the run-time check that `a2` is no such array."""
        if self.generated:
            return False
        for other, name, written, kind in self.writes:
            before = self.reach[id(other)]
            if other is stmt or kind != 'rebind' or name != binding[2] or \
                    binding not in before.get(name, ()):
                continue
            own = before.get(name, frozenset())
            if any(self._live(b, other, before, live_after)
                   for b in self._sharers(other, own, written, written)):
                return True
        return False

    def _fresh_item(self, binding):
        """Whether `binding` holds only an item of a tuple of new values that a call made
        (``a, P = init()`` of ``return np.zeros(2), np.eye(2)``: `alias_memory`): its own
        where no live binding shares it (checked before) and no differentiated one holds it
        (the tuple itself, not read again)."""
        memory = self.mem.get(binding, set())
        return len(memory) == 1 and all(
            loc[0] == 'item' and loc[1][0] in self.allocations for loc in memory)

    def _list_shared(self, stmt, name, memory, before, live_after):
        """Raise for a list method (``lst.append(v)``) that changes a list another live
        binding holds: ``p = (lst, y)`` or ``outer = [lst]`` read afterwards. The backward
        sweep follows a list by its name, so the holder's adjoint would miss the change; a
        list that holds no differentiated value (`active`) has no adjoint. Of the memory
        written, what may be the list: what is known to be a container, else all but arrays.
        Generated code differentiated again is not checked: the user's statements in it were
        checked when it was made, and its own lists (tape stacks that hold a list to restore
        it, adjoint lists) are the passes'."""
        if self.generated:
            return
        if self.active is not None and name not in self.active and \
                not set(n.names_read(_computed(stmt))) & self.active:
            return  # (``self.log.append(i)``: no derivative goes through the list)
        if id(stmt) in self.logs:
            return  # (``self.history.append(float(loss))``, read nowhere: a log)
        lists = memory & (self.container | self.lists) or memory - self.arrays
        own = before.get(name, frozenset()) if name else frozenset()
        live = sorted({b[2] for b in self._sharers(stmt, own, memory, lists)
                       if self._live(b, stmt, before, live_after) and
                       not self._item_of(b, name)})
        if live:
            call = next(node for node in n.walk(_computed(stmt)) if
                        isinstance(node, gast.Call) and
                        isinstance(node.func, gast.Attribute) and
                        node.func.attr in CONTAINER_METHODS)
            raise SharedList(stmt, name, call.func.attr, live)

    def _item_shared(self, stmt, name, memory, own, before, live_after):
        """Raise for ``ys[i] += v`` where the item of the list or dict `ys` may be an array
        that another live binding holds other than through `ys` (``a`` in ``ys = [a, b]``,
        ``xs`` in ``ys = xs.copy()``): NumPy adds into that array in place, which the passes'
        ``ys[i] = ys[i] + v`` does not. Other names of `ys` itself see the new item either
        way, unless the list holds the array twice (``[a, a]``, ``[np.zeros(3)] * n``), which
        the generated code checks at run time (`item_guards`). The item of an argument's list
        is not copied: the new item is rebound."""
        held = set().union(set(), *(self.mem.get(b, ()) for b in own))
        # (a list made anew at each run of a loop, ``new = state[:]``: a name that held one
        # made at an earlier run, ``prev = state``, is another list holding the same arrays)
        made = self._made_anew(stmt, own, held)

        def same_list(b):
            return self.mem.get(b, set()) & held and (
                made is None or self._latest(b, made[0], made[1], own, set()))
        live = sorted({b[2] for b in self._sharers(stmt, own, memory, memory)
                       if not same_list(b) and self._live(b, stmt, before, live_after)})
        if live:
            if not held & self.number_holders:
                raise SharedItem(stmt, name, live)
            # (``state['n'] += 1`` of ``state = {'y': k * 1.0, 'n': 0}``, ``hist =
            # [state['y']]``: the analysis tells no keys apart; a number item is rebound,
            # which the generated code checks at run time)
            self.number_items.append((stmt, tuple(live)))
        if stmt not in self.item_guards:
            self.item_guards.append(stmt)

    def _sharers(self, stmt, own, memory, seen):
        """The bindings other than `own` that may exist when `stmt` writes `memory` and
        reach `seen` (what of it they may see). Where the memory written was made on the way
        to `stmt` (`_made_anew`), only a binding made between them from that array may hold
        it (`_latest`): one made before then, or after `stmt` (in an earlier run of the
        loop), holds arrays made there earlier, never the one written (``un =
        np.zeros(3)``, ``un[1] = ...``, ``u = un`` in a loop: `u` holds the last run's), and
        so does a container (``d_stack.append(d)`` before ``d = np.zeros(2)``). A nested
        function reads the variables around it when it is called (its calls pass them: a
        write before the call is what it reads), not where it is defined: no sharer; what
        a call of it returns is."""
        functions = {binding for _, binding in self.functions}
        sharers = [b for b in self.bindings if b not in own and b[0] != 'global' and
                   b not in functions and  # (read when called, as its calls pass them)
                   self._precedes(b, stmt) and self._reach(self.mem.get(b, ())) & seen and
                   not self._tape_apart(b, own)]
        made = self._made_anew(stmt, own, memory)
        if made is not None:
            first, end = made
            latest = [b for b in sharers if self._latest(b, first, end, own, set())]
            if len(latest) < len(sharers):
                self.recent |= memory  # (names of earlier runs' arrays: `recent_sharers`)
            sharers = latest
        return sharers

    def _tape_apart(self, binding, own):
        """Whether `binding` is a tape of generated code (`_tapes`) that cannot hold the array
        its name `own` holds now: the tape holds the earlier values of that name, each pushed
        once before the name took a new array, and those it popped are off it."""
        if not self.generated or not own:
            return False
        tapes = self._tapes()
        names = {b[2] for b in own}
        return binding[2] in tapes and len(names) == 1 and names <= tapes[binding[2]]

    def _tapes(self):
        """Lists of generated code used as tapes (name -> the names pushed onto it): bound
        once to ``[]``, read only by ``tape.append(v)`` and ``tape.pop()``, where each value
        appended is new (``s2s.copy(d[0])``, ``s2s.meta(y)``) or a name `v` that the next
        statement binds again, and each such `v` is only ever None, an array made where it
        is bound (``v = np.zeros(2)``, ``v = y.copy()``) or ``v = tape.pop()``: no array is
        on the tape twice, nor on it while it is `v`'s value."""
        if getattr(self, '_tape_cache', None) is not None:
            return self._tape_cache
        statements = list(n.statements(self.body))
        bound, pushed, uses = {}, {}, {}
        for stmt in statements:
            if isinstance(stmt, gast.Assign):
                for name in n.names_stored(stmt.targets[0]):
                    bound.setdefault(name, []).append(stmt)
            for node in _own_nodes(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                    uses[node.id] = uses.get(node.id, 0) + 1
        for block in n.nested_blocks(self.body):
            for k, stmt in enumerate(block):
                call = stmt.value if isinstance(stmt, gast.Expr) else None
                if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                        call.func.attr == 'append' and isinstance(call.func.value, gast.Name) \
                        and len(call.args) == 1 and not call.keywords:
                    tape, value = call.func.value.id, call.args[0]
                    follows = block[k + 1] if k + 1 < len(block) else None
                    if isinstance(value, gast.Name) and isinstance(follows, gast.Assign) and \
                            value.id in n.names_stored(follows.targets[0]):
                        pushed.setdefault(tape, set()).add(value.id)
                    elif isinstance(value, gast.Name) and uses.get(value.id) == 1 and all(
                            self._fresh_or_popped(stmt, None)
                            for stmt in bound.get(value.id, [None])):
                        pass  # (``c = s2s.copy(d_0)``, pushed once: a new array each time)
                    elif not (isinstance(value, gast.Call) and n.dotted_path(value.func) in (
                            's2s.copy', 's2s.meta')):
                        pushed.setdefault(tape, set()).add(None)
        methods = {}
        for stmt in statements:
            for node in _own_nodes(stmt):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                        isinstance(node.func.value, gast.Name) and (
                        node.func.attr == 'append' or
                        node.func.attr == 'pop' and not node.args and not node.keywords):
                    methods[node.func.value.id] = methods.get(node.func.value.id, 0) + 1
        tapes = {}
        for tape, names in pushed.items():
            binds = bound.get(tape, [])
            if None in names or len(binds) != 1 or \
                    not isinstance(binds[0].value, gast.List) or binds[0].value.elts or \
                    uses.get(tape, 0) != methods.get(tape, 0):
                continue
            if all(self._fresh_or_popped(stmt, tape) for name in names
                   for stmt in bound.get(name, [])):
                tapes[tape] = names
        self._tape_cache = tapes
        return tapes

    def _fresh_or_popped(self, stmt, tape):
        """Whether `stmt` binds its name to an array it makes, or (given a `tape`) to None
        or to ``tape.pop()``."""
        if stmt is None or not isinstance(stmt.targets[0], gast.Name):
            return False
        value = stmt.value
        if isinstance(value, gast.Constant) and value.value is None or \
                n.dotted_path(value) == 's2s.UNASSIGNED':  # (a placeholder before a loop)
            return tape is not None
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                value.func.attr == 'pop' and not value.args and \
                isinstance(value.func.value, gast.Name) and value.func.value.id == tape:
            return True
        binding = ('def', id(stmt), stmt.targets[0].id)
        return isinstance(value, gast.Call) and id(stmt) in self.allocations and \
            self.mem.get(binding) == {('new', id(stmt))}

    def recent_sharers(self):
        """The names whose values may share memory written where earlier runs' arrays were
        told apart from the one written (`_latest`): they change when the backward sweep
        undoes those writes, so the optimizer may not let an adjoint be one of them."""
        return {b[2] for b in self.bindings
                if self._reach(self.mem.get(b, ())) & self.recent}

    def _latest(self, binding, first, end, own, seen):
        """Whether `binding` may hold the array that the definition at position `first`
        made at its last run before a write at `end` (`_made_anew`): it is made between
        them, from a name that `own` (that definition) or such a binding may be. A binding
        made outside them, or only from such, holds arrays made there earlier (``u_1 =
        u[1]`` where `u` is the last run's)."""
        if binding[0] != 'def' or binding in seen or \
                not first <= self.order[binding[1]] < end:
            return False
        if self.order[binding[1]] == first:
            return True  # (the definition that made it: `own` is a copy of it)
        seen.add(binding)
        if binding[1] not in self.defs:  # (a nested function, made in between)
            return True
        stmt = self.defs[binding[1]][0]
        if not isinstance(stmt, gast.Assign):
            return True
        before = self.reach[id(stmt)]
        if any(isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and
               call.func.id in self.local for call in n.walk(stmt.value)):
            return True  # (``get()`` of a nested function: it may read the array now)
        return any(other in own or self._latest(other, first, end, own, seen)
                   for name in n.names_read(stmt.value) for other in before.get(name, ()))

    def _live(self, binding, stmt, before, live_after):
        """Whether `binding` is its name's value when `stmt` runs and may be read after."""
        return binding in before.get(binding[2], ()) and \
            (binding[2] in live_after[id(stmt)] or binding[2] in self.always_live)

    def _item_of(self, binding, name):
        """Whether `binding` is made by reading an item of the list `name` (``v = lst[-1]``,
        ``v = lst.pop()``, ``for v in lst``): never the list itself."""
        if binding[0] != 'def' or binding[1] not in self.defs:
            return False
        stmt = self.defs[binding[1]][0]
        value = stmt.iter if isinstance(stmt, gast.For) else getattr(stmt, 'value', None)
        if isinstance(value, gast.Subscript):
            value = value.value
        elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
                value.func.attr == 'pop':
            value = value.func.value
        return isinstance(value, gast.Name) and value.id == name

    def _unpacked_item(self, binding):
        """Whether `binding` is a name that ``a, b = v`` binds, `v` a name holding what
        ``y[index]`` gave (`_element_read`)."""
        if binding[0] != 'def' or binding[1] not in self.defs:
            return False
        stmt = self.defs[binding[1]][0]
        return isinstance(stmt, gast.Assign) and \
            isinstance(stmt.targets[0], (gast.Tuple, gast.List)) and \
            isinstance(stmt.value, gast.Name) and self._element_read(binding)

    def _element_read(self, binding, depth=0, whole=False):
        """Whether `binding` holds what ``y[index]`` gave (a number, or a view of `y`):
        made by a subscript, or copied or unpacked from such values. `whole`: the write
        rebinds a list in place (``out += [v]``), which a list display of such values
        shares."""
        if binding[0] != 'def' or binding[1] not in self.defs or depth > 8:
            return False  # (a nested function's binding: what it reads, see `_captured`)
        stmt = self.defs[binding[1]][0]
        if not isinstance(stmt, gast.Assign):
            return False
        if whole and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.List) and stmt.value.elts:
            return False  # (``out = [y[0]]``, ``alias = out``: ``out += [v]`` changes both)
        return self._element_value(stmt.value, stmt, depth, whole)

    def _element_value(self, value, stmt, depth, whole=False):
        if isinstance(value, gast.Subscript) and self._advanced(value, self.reach[id(stmt)]):
            return False  # (``x[[0, 1]]``, ``x[x > 0]``: an array, a copy, never a number)
        if isinstance(value, gast.Subscript):
            # `y[i]`, `y[i, j]`: a number or a view; a slice, `...` or `None` is always a view
            return not any(isinstance(node, (gast.Slice, gast.Starred)) or
                           isinstance(node, gast.Constant) and
                           (node.value is None or node.value is Ellipsis)
                           for node in n.walk(value.slice))
        if isinstance(value, (gast.Tuple, gast.List)):  # (not ``[]``, which grows)
            return bool(value.elts) and \
                all(self._element_value(e, stmt, depth) for e in value.elts)
        if isinstance(value, gast.Name):
            reaching = self.reach[id(stmt)].get(value.id, ())
            return bool(reaching) and all(self._element_read(b, depth + 1, whole)
                                          for b in reaching)
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
                value.func.id in ('max', 'min') and len(value.args) > 1 and \
                not value.keywords and self.resolver.lookup(value.func) is getattr(
                    builtins, value.func.id):
            # (``max(eps, y[i])``: one of the values it is given, numbers or such items)
            return all(isinstance(arg, gast.Constant) or
                       self._element_value(arg, stmt, depth + 1) for arg in value.args)
        return False

    def _appended_before(self, stmt, memory):
        """Whether a list method (``hs.append(h)``) may have put `memory` into a container
        before `stmt` writes into it: the call comes first in the program, or it shares a
        loop with `stmt` that does not make that memory anew, before `stmt`, at every
        iteration (``h = np.zeros(3)``, ``h[i] = ...``, then ``hs.append(h)`` is private)."""
        w = self.order[id(stmt)]
        for grower, _, container, kind in self.writes:
            if kind != 'container':
                continue
            shared = self._contents(container) & memory
            if not shared:
                continue
            a = self.order[id(grower)]
            if a < w:
                return True
            for lo, hi in self.loops:
                if lo <= a <= hi and lo <= w <= hi and not all(
                        loc[0] == 'new' and loc[1] in self.order and
                        lo < self.order[loc[1]] < w for loc in shared):
                    return True
        return False

    def _whole_arrays(self, memory, bindings, own=()):
        """Whether `memory` is arrays made in the function (``np.zeros_like(u0)``,
        ``u0.copy()``) and each of `bindings` holds such an array whole: bound to one of them
        where it was made, or by unpacking a tuple of names (``u, w = w, u``), never to a view,
        to what a call returned, or to another name alone (``v = y``: one array)."""
        if not memory or not all(loc[0] == 'new' and loc not in self.container and
                                 (loc in self.arrays or loc[1] in self.allocations)
                                 for loc in memory):
            return False  # (a list would be refused at run time: `runtime.not_shared`)
        for binding in bindings:
            if binding[0] != 'def' or binding[1] not in self.defs:
                return False
            held = self.mem.get(binding, set())
            if not held & memory or held & self.container:
                return False  # (a list holding the array: ``hs.append(h)``)
            stmt = self.defs[binding[1]][0]
            if not isinstance(stmt, gast.Assign):
                return False
            value = stmt.value
            if isinstance(stmt.targets[0], gast.Tuple) and \
                    isinstance(value, (gast.Name, gast.Tuple)) and \
                    all(isinstance(v, gast.Name) for v in getattr(value, 'elts', [value])):
                continue  # (``u, w = w, u``: names traded; not ``v = y``, one array)
            if binding not in own and self._element_read(binding):
                continue  # (``u_0 = u[0]``, an item read: the run-time check sees it too)
            if self.mem.get(binding) == {('new', binding[1])} and id(stmt) in self.allocations:
                continue
            return False
        return True

    def _number_literal_binding(self, binding):
        """Whether `binding` assigns a number literal (``t = 0.0``)."""
        stmt = self.defs.get(binding[1], (None,))[0] if binding[0] == 'def' else None
        value = getattr(stmt, 'value', None)
        return isinstance(stmt, gast.Assign) and isinstance(value, gast.Constant) and \
            type(value.value) in (int, float)

    def _number_binding(self, binding, seen=None):
        """Whether `binding` always holds a Python number: a number literal, ``len(...)``,
        ``float(...)``, ``int(...)``, or arithmetic of those and of names that hold one
        (``t = t + dt`` after ``t = 0.0``), which an augmented assignment rebinds."""
        seen = set() if seen is None else seen
        if binding in seen:
            return True  # (a cycle through the loop: what the other bindings decide)
        seen.add(binding)
        if binding[0] != 'def' or binding[1] not in self.defs:
            return False
        stmt = self.defs[binding[1]][0]
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            return False
        before = self.reach.get(id(stmt), {})

        def number(node):
            if isinstance(node, gast.Constant):
                return type(node.value) in (int, float)
            if isinstance(node, gast.UnaryOp):
                return isinstance(node.op, (gast.USub, gast.UAdd)) and number(node.operand)
            if isinstance(node, gast.BinOp):
                return isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div,
                                            gast.FloorDiv, gast.Mod, gast.Pow)) and \
                    number(node.left) and number(node.right)
            if isinstance(node, gast.Name):
                found = before.get(node.id, ())
                return bool(found) and all(self._number_binding(b, seen) for b in found)
            if isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords \
                    and self.resolver is not None:
                try:
                    func = self.resolver.lookup(node.func)
                except TypeError:
                    return False
                return func in (builtins.len, builtins.float, builtins.int)
            return False
        return number(stmt.value)

    def _view_binding(self, binding):
        """Whether `binding` is made by an expression other than a bare name (a view or a
        call: if it shares memory, it is an array or a container, never a number)."""
        if binding[0] != 'def' or binding[1] not in self.copyable:
            return False
        stmt = self.defs[binding[1]][0]
        return not isinstance(stmt.value, gast.Name) and not self._picks_argument(stmt.value)

    def _picks_argument(self, value):
        """Whether `value` is a call of the built-in ``min`` or ``max``, which gives one of its
        arguments itself: a number, or an array that another name holds (as a bare name
        does)."""
        if not isinstance(value, gast.Call) or self.resolver is None:
            return False
        try:
            found = self.resolver.lookup(value.func)
        except TypeError:
            return False
        if getattr(found, '__name__', None) in ('max_or', 'min_or') and \
                (n.dotted_path(value.func) or '').startswith('s2s.'):
            return True  # (``max(items, default=d)``: an item itself, or `d`)
        return found is builtins.min or found is builtins.max

    def _written_through(self, binding):
        """Whether a write goes into the memory of `binding` by its name (``hs_item[1] =
        v`` where ``hs_item = hs[-1]``; a list method, ``item = groups[k]``, then
        ``item.append(v)``): a copy made there would take that write away from the arrays
        (the dict) that `binding` shares."""
        return any(kind in ('memory', 'container') and name is not None and
                   binding in self.reach[id(stmt)].get(name, ())
                   for stmt, name, _, kind in self.writes)

    def _cuttable(self, binding, forced):
        return binding[0] == 'def' and binding[1] not in forced and \
            binding[1] in self.copyable and not self._item_of_changed(binding) and \
            binding[1] not in self.guarded

    def _guarded(self):
        """Definitions whose values generated code checks to share no memory with another
        (``s2s.not_shared(x, ..., a2)`` of ``x += c`` while `a2` is read afterwards): a copy
        made where either is defined would make the check pass where the program it was made
        from shares the array (`_cuttable`)."""
        guarded = set()
        if self.runtime is None:
            return guarded
        for stmt in n.statements(self.body):
            call = stmt.value if isinstance(stmt, gast.Expr) else None
            if isinstance(call, gast.Call) and len(call.args) > 2 and \
                    self.resolver.lookup(call.func) is getattr(self.runtime, 'not_shared', None):
                first = self.reach[id(stmt)].get(getattr(call.args[0], 'id', None), ())
                if first and all(b[1] in self.defs and isinstance(
                        getattr(self.defs[b[1]][0], 'value', None), gast.Subscript)
                        for b in first):
                    continue  # (``t = y[i]`` checked to be a number: a copy changes nothing)
                for arg in call.args[:1] + call.args[2:]:
                    for binding in self.reach[id(stmt)].get(getattr(arg, 'id', None), ()):
                        if binding[0] == 'def':
                            guarded.add(binding[1])
        return guarded

    def _item_of_changed(self, binding):
        """Whether `binding` reads an item of a container whose items change in place and is
        stored back into it (``v = un[0]``, then ``un.append(v)`` and ``un[0] *= nu``): a copy
        of it would part it from the item, which a list shares."""
        stmt = self.defs.get(binding[1], (None,))[0]
        value = getattr(stmt, 'value', None)
        if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and
                value.value.id in self.items_changed):
            return False
        container, name = value.value.id, binding[2]
        held = set().union(set(), *(self.mem.get(b, set()) for b in
                                    self.reach.get(id(stmt), {}).get(container, ())))
        if held and held <= self.arrays and not held & (self.container | self.lists):
            return False  # (an array's row: a store copies its values; not a list's item)
        for other in n.statements(self.body):  # (stored back into the container)
            if isinstance(other, gast.Assign) and isinstance(other.value, gast.Name) and \
                    other.value.id == name and any(
                        isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name) and
                        t.value.id == container for t in other.targets):
                return True
            for call in n.walk(other):
                if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                        isinstance(call.func.value, gast.Name) and \
                        call.func.value.id == container and \
                        any(isinstance(a, gast.Name) and a.id == name for a in call.args):
                    return True
        return False

    @staticmethod
    def _why_shared(memory, sharers, external):
        held = sorted(loc[1] for loc in memory if loc[0] == 'G')
        if held:  # (a global's or an enclosing function's array: the function does not own it)
            return (f'which may share memory with `{held[0]}`, a variable of the module or of '
                    f'an enclosing function, which the function does not own (and which '
                    f'anything may read afterwards)')
        if external:
            return f'which may share memory with `{external[0]}`, owned by the caller'
        names = sorted({b[2] for b in sharers})
        return f'which may share memory with `{names[0]}`' if names else \
            'whose memory may be shared'

    # -- statement positions ----------------------------------------------------------------
    def _number(self, stmts, chain=()):
        for index, stmt in enumerate(stmts):
            self.order[id(stmt)] = len(self.order)
            self.chains[id(stmt)] = chain + ((id(stmts), index),)
            inner = self.chains[id(stmt)]
            if isinstance(stmt, (gast.For, gast.While)):
                first = len(self.order)
                self._number(stmt.body, inner + (('loop', id(stmt)),))
                self.loops.append((first - 1, len(self.order) - 1))
            elif isinstance(stmt, gast.If):
                self._number(stmt.body, inner)
                self._number(stmt.orelse, inner)

    def _made_anew(self, stmt, own, memory):
        """The position of the one definition in `own` that made the array `stmt` writes
        into (``d = np.zeros(2)``) on the way to `stmt` at every run of it (it comes first in
        a block that holds `stmt`, with no loop between them), where no statement between
        them may put that array into a container; else None. A container made before that
        definition then holds only arrays made there earlier (``d_stack.append(d)`` before
        ``d = np.zeros(2)`` in a loop), none that `stmt` writes. The definition may also be a
        copy of a temporary that holds only such an array (``state = state * 0.5`` is
        ``state_times_0p5 = state * 0.5; state = state_times_0p5``), or one the analysis
        copies where it is made (`forced`)."""
        if len(own) != 1 or len(memory) != 1 or len(next(iter(memory))) != 2:
            return None  # (``('new', id, 'items')``: the new items of a deep copy)
        (binding,), ((kind, origin),) = own, memory
        if binding[0] != 'def' or kind != 'new' or self.mem.get(binding) != memory or \
                origin in self.numbers:
            return None  # (an item read taken for a number is no allocation)
        if origin not in self.defs:
            return None  # (made by no statement of this function: a comprehension's item)
        value = self.defs[origin][0].value
        if origin not in self.forced and (  # (a definition copied where it is made is one)
                origin not in self.allocations or isinstance(value, (gast.Name, gast.Attribute))
                or isinstance(value, gast.Subscript) and not isinstance(value.slice, gast.Slice)):
            return None  # (a slice counts where it is an allocation: ``state[:]`` of a list)
        if getattr(self.defs[origin][0], 'augmented_read', None) is not None:
            return None  # (``state += c``: NumPy writes in place, the array is not new)
        if origin != binding[1] and not self._copy_of(binding, origin):
            return None
        made, chain = self.chains.get(origin), self.chains[id(stmt)]
        if made is None or len(chain) < len(made) or chain[:len(made) - 1] != made[:-1]:
            return None
        block, index = made[-1]
        if chain[len(made) - 1][0] != block or chain[len(made) - 1][1] <= index:
            return None
        z, w = self.order[origin], self.order[id(stmt)]
        end = w
        loops = [step[1] for step in chain[len(made):] if step[0] == 'loop']
        if loops:  # (a loop between: what follows `stmt` in it runs before its next run)
            end = next(hi for lo, hi in self.loops if lo == self.order[loops[0]]) + 1
        if any(z < self.order[id(other)] < end and other is not stmt and
               self._may_store(other, memory, (z, end, own))
               for other in n.statements(self.body) if id(other) in self.reach):
            return None
        return z, end

    def _copy_of(self, binding, origin):
        """Whether `binding` is made by ``name = temp`` where `temp` holds, there, only the
        binding of allocation `origin` (``state = state * 0.5`` is written ``state_times_0p5
        = state * 0.5; state = state_times_0p5``)."""
        stmt = self.defs[binding[1]][0]
        if not isinstance(stmt, gast.Assign) or not isinstance(stmt.value, gast.Name):
            return False
        held = self.reach[id(stmt)].get(stmt.value.id, ())
        return len(held) == 1 and next(iter(held))[:2] == ('def', origin)

    def _may_store(self, stmt, memory, made=None):
        """Whether simple statement `stmt` may put `memory` into a container: an assignment
        into an item or attribute, a list method, or a call of a function that is not
        NumPy's or s2sgrad's (which may keep its argument), given a value reaching it.
        `made`: ``(first, end, own)`` where `memory` is the array made at position `first`
        (`_made_anew`): a name none of whose bindings there may be that array (`_latest`,
        ``y_stack.append(y)`` of the last run's ``y = y_new``) does not give it."""
        state = self.reach[id(stmt)]

        def reaches(node):
            if made is not None and isinstance(node, gast.Name) and not any(
                    self._latest(b, made[0], made[1], made[2], set())
                    for b in state.get(node.id, ())):
                return False
            return bool(self._reach(self._eval(node, state, stmt)) & memory)
        if isinstance(stmt, gast.Assign) and \
                isinstance(stmt.targets[0], (gast.Subscript, gast.Attribute)) and \
                reaches(stmt.value):
            return True
        for node in n.walk(stmt):
            if not isinstance(node, gast.Call):
                continue
            args = list(node.args) + [k.value for k in node.keywords]
            if isinstance(node.func, gast.Attribute) and not self.resolver.is_global(node.func):
                if node.func.attr in CONTAINER_METHODS and any(reaches(a) for a in args):
                    return True
                continue
            module = getattr(self.resolver.lookup(node.func), '__module__', None) or ''
            if module.split('.')[0] in ('numpy', 'math', 's2sgrad', 'scipy', 'cupy') or \
                    module == 'builtins' and \
                    n.dotted_path(node.func) not in ('list', 'tuple', 'dict', 'set'):
                continue
            if any(reaches(a) for a in args):
                return True
        return False

    def _checked_numbers(self):
        """Definitions that generated code already checks to hold numbers
        (``s2s.not_shared(t, ...)`` right after ``t = y[i]``): they share no memory."""
        checked = set()
        if self.runtime is None:
            return checked
        for stmt in n.statements(self.body):
            call = stmt.value if isinstance(stmt, gast.Expr) else None
            if isinstance(call, gast.Call) and call.args and \
                    isinstance(call.args[0], gast.Name) and \
                    self.resolver.lookup(call.func) is getattr(self.runtime, 'not_shared', None):
                for binding in self.reach[id(stmt)].get(call.args[0].id, ()):
                    if binding[0] == 'def':
                        checked.add(binding[1])
        return checked

    def _precedes(self, binding, stmt):
        """Whether `binding` may have been created before `stmt` runs."""
        if binding[0] != 'def':
            return True
        a, b = self.order[binding[1]], self.order[id(stmt)]
        return a < b or any(lo <= a <= hi and lo <= b <= hi for lo, hi in self.loops)

    # -- reaching bindings and their memory ----------------------------------------------------
    def _analyse(self, forced):
        """The bindings reaching each statement (`reach`), the memory of each binding, and the
        writes (`writes`), the definitions `forced` making new memory."""
        lists = len(self.lists)
        self.forced = forced
        self.reset_memory()
        start = {p: frozenset({('param', p, p)}) for p in self.params}
        self.defs = {}
        self.reach = {}
        self.functions = []  # (nested def, its binding)
        self.returning = []  # (the states where a ``return`` in a loop set its flag)
        end = self._flow(self.body, start)
        if self.returning and self.body and isinstance(self.body[-1], gast.Return):
            self.reach[id(self.body[-1])] = _join(end, *self.returning)
        checked = self._checked_numbers()
        self.guarded = self._guarded()
        changed = True
        rounds = 0
        while changed and rounds < 50:
            changed = False
            rounds += 1
            size = self._size()
            for stmt, targets in self.defs.values():
                before = self.reach[id(stmt)]
                if stmt.__class__ is gast.For:
                    continue
                value = self._eval(stmt.value, before, stmt)
                if id(stmt) in forced or id(stmt) in getattr(self, 'numbers', ()) or \
                        id(stmt) in checked:
                    old = value
                    value = {('new', id(stmt))}
                    if old <= self.arrays or id(stmt) not in forced:
                        self.arrays.add(('new', id(stmt)))  # (a copy of an array, a number)
                    else:
                        # (a shallow copy, ``s2s.copy(lst + [a])``: a list holding the same
                        # items, which a write ``lst[0] += x`` changes in place)
                        self._add_contents(('new', id(stmt)),
                                           self._contents(old - self.arrays))
                        if old & self.container:
                            self.container.add(('new', id(stmt)))
                        if old & self.lists:
                            self.lists.add(('new', id(stmt)))
                target = stmt.targets[0]
                parts = self._unpack(target, value) if isinstance(target, (
                    gast.Tuple, gast.List)) else None
                for name in targets:
                    binding = ('def', id(stmt), name)
                    if isinstance(target, gast.Name):
                        mem = value
                    elif parts is not None and name in parts:
                        mem = parts[name]
                    else:  # (a row of an array, an item of a list: never the list)
                        mem = self._items(value)
                    old = self.mem.setdefault(binding, set())
                    if not mem <= old:
                        old |= mem
            for stmt, binding in self.functions:  # (what it returns may be what it reads)
                self.mem[binding] |= self._captured(stmt)
            self.writes = [write for stmt in n.statements(self.body)
                           for write in self.written(stmt, self.reach[id(stmt)])]
            if self._size() != size:
                changed = True
        if len(self.lists) != lists:
            self._analyse(forced)  # (items read from what proved a list are no views of it)

    def _returns(self, stmt):
        """Whether `stmt` is ``returned = True``, where a ``return`` in a loop stood."""
        return self.flag is not None and isinstance(stmt, gast.Assign) and \
            isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == self.flag and \
            isinstance(stmt.value, gast.Constant) and stmt.value.value is True

    def _flow(self, stmts, state):
        """Record the bindings reaching each statement of `stmts` from `state` (name ->
        bindings) in `reach`; return the state after them."""
        for index, stmt in enumerate(stmts):
            self.reach[id(stmt)] = state
            if self._returns(stmt) and _only_leaves(stmts[index + 1:], self.flag):
                # ``returned = True`` of a ``return`` in a loop: from here only the tests of
                # the flag run (``if returned: break``, ``if not returned: ...``), then the
                # function's final ``return result``, which this state reaches
                self.returning.append(state)
                for rest in n.statements(stmts[index + 1:]):
                    self.reach[id(rest)] = {}  # (``if returned: break``: nothing else runs)
                return {}
            if isinstance(stmt, gast.If):
                state = _join(self._flow(stmt.body, state), self._flow(stmt.orelse, state))
            elif isinstance(stmt, (gast.For, gast.While)):
                entry = state
                for _ in range(50):
                    inner = dict(entry)
                    if isinstance(stmt, gast.For):
                        for name in n.names_stored(stmt.target):
                            binding = ('def', id(stmt), name)
                            self.mem.setdefault(binding, set())
                            self.bindings.add(binding)
                            self.defs[id(stmt)] = (stmt, [])
                            inner[name] = frozenset({binding})
                    out = self._flow(stmt.body, inner)
                    new_entry = _join(entry, out)
                    if new_entry == entry:
                        break
                    entry = new_entry
                self.reach[id(stmt)] = entry
                state = entry
            elif isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if not isinstance(target, (gast.Subscript, gast.Attribute)):
                    names = n.names_stored(target)
                    self.defs[id(stmt)] = (stmt, names)
                    state = dict(state)
                    for name in names:
                        binding = ('def', id(stmt), name)
                        self.bindings.add(binding)
                        state[name] = frozenset({binding})
            elif isinstance(stmt, gast.FunctionDef):
                state = dict(state)
                binding = ('def', id(stmt), stmt.name)
                self.bindings.add(binding)
                self.mem[binding] = set()
                self.functions.append((stmt, binding))
                state[stmt.name] = frozenset({binding})
        return state


def _computed(stmt):
    """What a write's statement computes: its value, or the test of a ``while``/``if``."""
    return stmt.test if isinstance(stmt, (gast.While, gast.If)) else stmt.value


def _sliced_any(subscript):
    """Whether `subscript` takes a slice (``u[1:-1]``, ``U[1:-1, 0]``): of a list, a new list
    (stored back whole by an augmented assignment), of an array a view; never an item."""
    return isinstance(subscript.slice, gast.Slice) or _sliced(subscript)


def _live_after(body):
    """Statement id -> the names that may be read after that simple statement of `body`,
    before being rebound."""
    found = {}
    _live(body, set(), found)
    return found


def _live(stmts, live, found):
    """The names live before `stmts` given those after (`live`), recording `_live_after`'s
    sets in `found`."""
    live = set(live)
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.If):
            live = _live(stmt.body, live, found) | _live(stmt.orelse, live, found) | \
                set(n.names_read(stmt.test))
        elif isinstance(stmt, (gast.For, gast.While)):
            header = set(n.names_read(stmt.iter if isinstance(stmt, gast.For)
                                      else stmt.test))
            exit_live = live | header
            entry = exit_live
            for _ in range(50):
                new = _live(stmt.body, entry, found) | exit_live
                if new == entry:
                    break
                entry = new
            live = entry
        elif isinstance(stmt, gast.FunctionDef):
            live = (live - {stmt.name}) | set(n.names_read(stmt))
        else:
            found[id(stmt)] = set(live)
            stored = set()
            if isinstance(stmt, gast.Assign) and \
                    not isinstance(stmt.targets[0], (gast.Subscript, gast.Attribute)):
                stored = set(n.names_stored(stmt.targets[0]))
            live = (live - stored) | set(n.names_read(stmt))
    return live


def _join(a, *others):
    """The states (name -> bindings) `a` and `others` meet: any may have run."""
    out = dict(a)
    for b in others:
        for name, bindings in b.items():
            out[name] = out.get(name, frozenset()) | bindings
    return out


def _own_nodes(stmt):
    """The nodes of `stmt` itself: of a loop or an ``if``, its header (not its blocks, which
    `nodes.statements` lists on their own)."""
    if isinstance(stmt, gast.For):
        return list(n.walk(stmt.target)) + list(n.walk(stmt.iter))
    if isinstance(stmt, (gast.While, gast.If)):
        return list(n.walk(stmt.test))
    return list(n.walk(stmt))


def _only_leaves(rest, flag):
    """Whether the statements `rest`, after the flag `flag` of a ``return`` in a loop is set,
    only leave the loop on it (``if returned: break``): the canonical form puts nothing else
    there."""
    return all(isinstance(stmt, gast.If) and isinstance(stmt.test, gast.Name) and
               stmt.test.id == flag and len(stmt.body) == 1 and
               isinstance(stmt.body[0], gast.Break) and not stmt.orelse for stmt in rest)
