"""Canonicalize control flow: one exit, breaks and continues at branch ends, index loops.

After this pass:
- augmented assignments are plain assignments (``s += x`` -> ``s = s + x``);
- the function has one ``return``, its last statement (earlier returns set ``result``);
- a statement that follows an ``if`` whose branch always leaves the loop (``break``,
  ``continue``) sits in the other branch, so each statement of a loop body runs or not as
  a whole;
- ``for`` loops iterate over ``range(...)``; other iterables are indexed.
"""
import builtins
import collections.abc
import inspect

import gast

from . import nodes as n, runtime
from .callees import returns_sequences
from .errors import UnsupportedSyntaxError
from .iterator_calls import strict_zip
from .loop_item_updates import aliased_names, write_back_updates
from .randomness import _UNKNOWN, _lookup


class Canonicalizer:
    """Rewrites a gast FunctionDef in place; `namer` provides fresh names."""

    def __init__(self, source, namer, wrt=()):
        self.source = source
        self.namer = namer
        self.wrt = wrt  # (the differentiated parameters: `_held_update_check`)
        self.result_name = None
        self.flag_name = None
        self.falls_through = False
        """Whether the function may reach its end without `return` (then it returns None)."""

    def error(self, node, message):
        lineno = getattr(node, 'lineno', None)
        return UnsupportedSyntaxError(
            message, self.source.filename, lineno, getattr(node, 'col_offset', 0) + 1,
            self.source.lines[lineno - 1] if lineno else None)

    def run(self, func):
        builtin_list = self.source.namespace.get('list') is builtins.list and \
            'list' not in n.names_stored(func)
        lists = _displayed(func, (gast.List,), copies=builtin_list)
        args = func.args
        self.params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs +
                       [a for a in (args.vararg, args.kwarg) if a is not None]]
        self.local = set(n.names_stored(func)) - set(self.params)
        # (a parameter may be a dict, whose loop visits its keys: indexing it by position
        # would read its values, or raise; `s2s.positions` is its length, or raises)
        self.maybe_mappings = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
        if args.kwarg is not None:
            self.maybe_mappings.add(args.kwarg.id)
        # (``X = X.copy()`` first: the name holds the function's own array or list from then
        # on, whose items a loop variable's update may write back)
        self.let_go = let_go(func, self.maybe_mappings)
        self.copied_items = copied_items(self.source.node, self.maybe_mappings)
        self.unindexable = _unindexable(func) | _global_unindexable(func, self.source.namespace)
        self.unproven = _unproven_sequences(func, self.params)
        self.aliased = aliased_names(func, self.source.namespace)  # (``qs = ps``)
        self.dicts = local_dicts(func) | _global_dicts(func, self.source.namespace)
        body = _without_self_copies(func.body) or [gast.Pass()]
        sequences = self._sequences(func)
        body = [plain for stmt in body for plain in self.augassign(stmt, lists, sequences)]
        body = self.own_loop_targets(self.index_loops(body))
        body = self.own_loop_targets(body, _clobbered_loop_targets(body, func.args))
        if _falls_through(body):  # Python returns None there: so does the canonical form
            self.falls_through = True
            end = gast.Return(value=n.const(None))
            end.lineno = getattr(body[-1], 'lineno', func.lineno)
            body.append(end)
        if not self._simple_return(body):
            self.result_name = self.namer.fresh('result')
            body, _ = self.returns(body, in_loop=False)
            lineno = getattr(func.body[-1], 'lineno', func.lineno)
            if self.flag_name:
                init = n.assign(self.flag_name, n.const(False), func.lineno)
                body.insert(0, init)
            ret = gast.Return(value=n.name(self.result_name))
            ret.lineno = lineno
            body.append(ret)
        func.body = self.exits(body)
        return func

    # -- augmented assignment ---------------------------------------------------------
    def augassign(self, stmt, lists=frozenset(), sequences=None):
        """`stmt` with its augmented assignments plain; `lists`: the variables that hold
        lists (`_displayed`); `sequences(value)`: whether a value is known to be a list or
        tuple (None: none is)."""
        for node in n.walk(stmt):
            n.map_blocks(node, lambda block: [plain for s in block
                                              for plain in self._plain(s, lists, sequences)],
                         functions=True)
        return self._plain(stmt, lists, sequences)

    def _library_iterator(self, seq):
        """Whether `seq` is a call of a built-in or `itertools` function (``repeat(2.0)``,
        ``count()``, ``iter(xs)``) or of a generator function, which may give items without
        end."""
        if not isinstance(seq, gast.Call):
            return False
        obj = _lookup(seq.func, self.source.namespace)
        if obj is _UNKNOWN and isinstance(seq.func, gast.Name):
            obj = getattr(builtins, seq.func.id, None)  # (``iter``: not in a module's globals)
        module = getattr(obj, '__module__', None) or type(obj).__module__
        # (a generator function of yours, ``naturals()``: read as far as ``zip`` reads it)
        return module in ('builtins', 'itertools') or inspect.isgeneratorfunction(obj)

    def _outer_iterator(self, name):
        """Whether `name` is no variable of the function but a global's or an enclosing
        variable's name that holds an iterator (``WEIGHTS = iter([...])``)."""
        if name in self._user_names() and name in n.names_stored(self.source.node):
            return False
        return hasattr(self.source.namespace.get(name), '__next__')

    def _user_names(self):
        """The names the user's source has (no temporary of the passes: ``keys``)."""
        if getattr(self, 'user_names', None) is None:
            self.user_names = set(n.all_names(self.source.node))
        return self.user_names

    def _evaluated_once(self, node, pre):
        """`node`, a part of an augmented assignment's target (``y[rng.integers(n)]``), with
        each call in it evaluated once, before, into a temporary (appended to `pre`):
        Python evaluates the target's parts once, where ``y[i] = y[i] + v`` reads them
        twice (a random index drawn twice, ``idx.pop()`` popped twice)."""
        if not any(isinstance(child, gast.Call) for child in n.walk(node)):
            return node
        if isinstance(node, gast.Slice):
            for field in ('lower', 'upper', 'step'):
                part = getattr(node, field)
                if part is not None:
                    setattr(node, field, self._evaluated_once(part, pre))
            return node
        if isinstance(node, gast.Tuple):
            node.elts = [self._evaluated_once(elt, pre) for elt in node.elts]
            return node
        temp = self.namer.fresh('index')
        pre.append(gast.copy_location(n.assign(temp, node), node)
                   if hasattr(node, 'lineno') else n.assign(temp, node))
        return n.name(temp)

    def _sequences(self, func):
        """Whether an expression of `func` is known to be a list or tuple: a variable that
        `func` assigns only displays, or a call of a function of the user's that returns
        only lists or tuples (`callees.returns_sequences`); None where ``list`` is not the
        built-in (``out += v`` then stays ``out + v``)."""
        local = n.names_stored(func)
        namespace = self.source.namespace
        if namespace.get('list') is not builtins.list or 'list' in local:
            return None
        names = _displayed(func, (gast.List, gast.Tuple), augmented=False)

        def known(value):
            if isinstance(value, gast.Name):
                return value.id in names
            if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
                return known(value.value)  # (``t[-1:]``: a slice of a tuple, a tuple)
            if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
                    value.func.id not in local:
                called = namespace.get(value.func.id)
                return inspect.isfunction(called) and returns_sequences(called)
            return False
        return known

    def _plain(self, stmt, lists=frozenset(), sequences=None):
        """`stmt` as plain statements: an augmented assignment ``t op= v`` as ``t = t op v``
        (the calls in `t`'s parts evaluated once, before)."""
        stmt = _extension(stmt, lists, sequences)
        if not isinstance(stmt, gast.AugAssign):
            return [stmt]
        pre = []
        part = stmt.target  # (``y[f()][:4] += v``: each index, down to the variable)
        while isinstance(part, (gast.Subscript, gast.Attribute)):
            level = []
            if not isinstance(part.value, (gast.Subscript, gast.Attribute)):
                part.value = self._evaluated_once(part.value, level)
            if isinstance(part, gast.Subscript):
                part.slice = self._evaluated_once(part.slice, level)
            pre[:0] = level  # (Python evaluates the inner parts first: ``y[f()][g()]``)
            part = part.value
        for temp in pre:
            temp.lineno = stmt.lineno
        load = n.clone(stmt.target)
        for child in n.walk(load):
            if hasattr(child, 'ctx'):
                child.ctx = gast.Load()
        value = stmt.value
        if isinstance(stmt.op, gast.Add) and isinstance(load, gast.Name) and load.id in lists:
            # ``out += v`` extends a list by the items of a tuple, where ``out + v`` takes
            # only a list: a tuple display becomes a list display, a tuple ``list(v)`` (an
            # array `v` stays: Python adds it to the list as an array, elementwise)
            if isinstance(value, gast.Tuple):
                value = gast.List(elts=value.elts, ctx=gast.Load())
            elif sequences is not None and sequences(value):
                value = gast.copy_location(n.call('list', value), value)
        new = n.assign(stmt.target, n.binop(load, stmt.op, value), stmt.lineno)
        if isinstance(load, gast.Name):
            new.augmented_read = load  # in place on arrays: the alias analysis checks it
        elif isinstance(load, gast.Subscript):
            new.augmented_item = True  # (``ys[0] += v``: in place on an array item too)
        elif isinstance(load, gast.Attribute):
            pre.extend(self._held_update_check(stmt, load))
        return pre + [gast.copy_location(new, stmt)]

    def _held_update_check(self, stmt, load):
        """``s2s.separate(m.buf, message, *others)`` before ``m.buf += v`` (`load`) of an
        object an argument or a global gives: NumPy adds into the array in place, which the
        normal form writes as a new array (``m.buf = m.buf + v``), so that array must not be
        what a differentiated argument is or holds (``f(x, M(x))``, ``G.buf is x``), which
        would see the change. [] for other targets."""
        root = load
        while isinstance(root, (gast.Attribute, gast.Subscript)):
            root = root.value
        if not isinstance(root, gast.Name) or root.id in getattr(self, 'local', ()) or \
                (self.source.filename or '').startswith('<s2sgrad'):
            return []
        held = root.id in self.params
        others = [p for p in self.params if p != root.id and p in self.wrt]
        if not others:
            return []
        lineno = getattr(stmt, 'lineno', None)
        text = self.source.lines[lineno - 1].strip() if lineno else ''
        names = ', '.join(f'`{p}`' for p in others)
        holder = f'the argument `{root.id}`' if held else f'`{root.id}`'
        message = (f'File "{self.source.filename}", line {lineno}: `{text}` changes in place '
                   f'what {holder} holds, and the differentiated argument ({names}) is or '
                   f'holds it too, which would see the change: pass a copy (`.copy()`)')
        self.source.namespace.setdefault('s2s', runtime)
        check = n.expr(n.call('s2s.separate', n.clone(load), n.const(message),
                              *[n.name(p) for p in others]))
        return [gast.copy_location(check, stmt)]

    # -- returns ------------------------------------------------------------------------
    @staticmethod
    def _simple_return(body):
        returns = [node for stmt in body for node in n.walk(stmt)
                   if isinstance(node, gast.Return)]
        nested = [node for stmt in body for node in n.walk(stmt)
                  if isinstance(node, gast.FunctionDef)]
        inner = [node for f in nested for node in n.walk(f) if isinstance(node, gast.Return)]
        own = [r for r in returns if not any(r is i for i in inner)]
        return len(own) == 1 and own[0] is body[-1]

    def _flag(self):
        if self.flag_name is None:
            self.flag_name = self.namer.fresh('returned')
        return self.flag_name

    def returns(self, stmts, in_loop):
        """Rewrite returns in `stmts`; status is 'never', 'always' or 'maybe'."""
        out = []
        for index, stmt in enumerate(stmts):
            rest = stmts[index + 1:]
            if isinstance(stmt, gast.Return):
                value = stmt.value if stmt.value is not None else n.const(None)
                out.append(gast.copy_location(n.assign(self.result_name, value), stmt))
                if in_loop:  # the loop's body ends with ``if returned: break``
                    out.append(gast.copy_location(n.assign(self._flag(), n.const(True)), stmt))
                return out, 'always'
            if isinstance(stmt, gast.If) and not in_loop and rest and 'maybe' in (
                    _return_status(stmt.body), _return_status(stmt.orelse)):
                # outside loops a return sets no flag: the statements after the `if` go
                # into each branch, after its paths that do not return
                stmt.body, body_status = self.returns(stmt.body + _cloned(rest), in_loop)
                stmt.orelse, else_status = self.returns(stmt.orelse + _cloned(rest), in_loop)
                out.append(stmt)
                statuses = {body_status, else_status}
                return out, statuses.pop() if len(statuses) == 1 else 'maybe'
            if isinstance(stmt, gast.If):
                stmt.body, body_status = self.returns(stmt.body, in_loop)
                stmt.orelse, else_status = self.returns(stmt.orelse, in_loop)
                out.append(stmt)
                if body_status == 'always' and else_status == 'always':
                    return out, 'always'
                if body_status == 'always':
                    tail, status = self.returns(rest, in_loop)
                    stmt.orelse.extend(tail)
                    return out, 'maybe' if status != 'always' or else_status != 'never' \
                        else 'maybe'
                if else_status == 'always':
                    tail, status = self.returns(rest, in_loop)
                    stmt.body.extend(tail)
                    return out, 'maybe'
                if 'maybe' in (body_status, else_status):
                    return out + self._guard(rest, stmt, in_loop), 'maybe'
                continue
            if isinstance(stmt, (gast.For, gast.While)):
                stmt.body, status = self.returns(stmt.body, in_loop=True)
                out.append(stmt)
                if status != 'never':
                    leave = gast.If(test=n.name(self._flag()), body=[gast.Break()], orelse=[])
                    gast.copy_location(leave.body[0], stmt)
                    stmt.body.append(gast.copy_location(leave, stmt))
                    return out + self._guard(rest, stmt, in_loop), 'maybe'
                continue
            out.append(stmt)
        return out, 'never'

    def _guard(self, rest, anchor, in_loop):
        """``if not returned: rest`` (a loop ends with ``if returned: break`` instead of a
        ``break`` at each return, so every branch always or never leaves the loop)."""
        flag = self._flag()
        tail, _ = self.returns(rest, in_loop)
        if not tail:
            return []
        guard = gast.If(test=gast.UnaryOp(op=gast.Not(), operand=n.name(flag)), body=tail,
                        orelse=[])
        return [gast.copy_location(guard, anchor)]

    # -- break and continue ---------------------------------------------------------------
    def exits(self, stmts, in_loop=False):
        """Move statements that follow an always-exiting branch into the other branch."""
        out = []
        for index, stmt in enumerate(stmts):
            if isinstance(stmt, (gast.For, gast.While)):
                stmt.body = self.exits(stmt.body, in_loop=True)
                out.append(stmt)
                continue
            if isinstance(stmt, gast.If):
                stmt.body = self.exits(stmt.body, in_loop)
                stmt.orelse = self.exits(stmt.orelse, in_loop)
                rest = stmts[index + 1:]
                body_exit, else_exit = _exit_kind(stmt.body), _exit_kind(stmt.orelse)
                if rest and body_exit == 'always' and else_exit != 'always':
                    # (``if a: break`` / ``elif b: continue`` / ...: what follows runs only
                    # where the other branch goes on, so it moves there, and further in)
                    stmt.orelse = self.exits(stmt.orelse + rest, in_loop)
                    out.append(stmt)
                    return out
                if rest and else_exit == 'always' and body_exit != 'always':
                    stmt.body = self.exits(stmt.body + rest, in_loop)
                    out.append(stmt)
                    return out
                if in_loop and rest and 'maybe' in (body_exit, else_exit):
                    out.extend(self._leave_by_flag(stmt, rest, in_loop))
                    return out
                out.append(stmt)
                if body_exit == else_exit == 'always':
                    return out
                continue
            out.append(stmt)
            if isinstance(stmt, (gast.Break, gast.Continue)):
                return out
        return out

    def _leave_by_flag(self, stmt, rest, in_loop):
        """``if a: s1 / elif b: break`` followed by `rest`: the exits of the branch set a flag,
        ``if flag: break`` follows, and `rest` runs in its ``else`` (`rest` once, not in every
        branch that goes on)."""
        kinds = {type(exit) for exit in _exits(stmt)}
        if len(kinds) != 1:
            raise self.error(stmt, 'a branch that leaves the loop by both `break` and '
                                   '`continue` on some of its paths only is not supported '
                                   'yet; restructure so each branch either always or never '
                                   'leaves the loop')
        flag = self.namer.fresh('leave')
        for block in _blocks_with_exits(stmt):
            block[-1] = gast.copy_location(n.assign(flag, n.const(True)), block[-1])
        leave = gast.copy_location(gast.If(
            test=n.name(flag), body=[gast.copy_location(kinds.pop()(), stmt)],
            orelse=self.exits(rest, in_loop)), stmt)
        return [gast.copy_location(n.assign(flag, n.const(False)), stmt), stmt, leave]

    # -- loops over iterables --------------------------------------------------------------
    def index_loops(self, stmts):
        out = []
        for stmt in stmts:
            n.map_blocks(stmt, self.index_loops)
            if isinstance(stmt, gast.For) and not _is_range(stmt.iter):
                pre, loop = self._dict_loop(stmt)
                out.extend(pre + self._index_loop(loop))
            else:
                out.append(stmt)
        return out

    def own_loop_targets(self, stmts, chosen=None):
        """`stmts` with each loop whose body rebinds its variable (``for i in range(n): i =
        i + 1``, an inner loop over the same name), or with `chosen` the loops of that set
        of ids, given a variable of its own, which the body's first statement assigns (``for
        i_2 in range(n): i = i_2``): the backward sweep reads the loop's variable for the
        iteration it reverses, which the body's value would not be; and the assignment
        saves the value the loop overwrites, which the backward sweep puts back."""
        for stmt in stmts:
            n.map_blocks(stmt, lambda block: self.own_loop_targets(block, chosen))
            if not (isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name)):
                continue
            if id(stmt) in chosen if chosen is not None else \
                    stmt.target.id in n.names_stored(gast.Module(body=stmt.body,
                                                                 type_ignores=[])):
                name = stmt.target.id
                own = self.namer.fresh(name)
                stmt.target = n.name(own, store=True)
                stmt.body.insert(0, gast.copy_location(n.assign(name, n.name(own)), stmt))
        return stmts

    def _dict_loop(self, loop):
        """``for k, v in d.items()`` (``.values()``, ``.keys()``) as a loop over the keys,
        ``keys = s2s.keys(d); for k in keys: v = d[k]``, so that `v` is read from `d` by key:
        the statements before the loop, and the loop."""
        it = loop.iter
        if _keys_only(loop):  # ``for k in d: ... d[k] ...``: the keys of a dict
            it = n.call(n.attr(n.clone(it), 'keys'))
        order = self._sorted_view(it)  # (``sorted(d.items())``: by key, keys being unique)
        if order is not None:
            it = it.args[0]
            if n.dotted_path(it.func) == 's2s.items_of':  # (`dict_views`' list of the items)
                it = n.call(n.attr(n.clone(it.args[0]), 'items'))
        if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and
                it.func.attr in ('items', 'values', 'keys') and not it.args and
                not it.keywords and isinstance(it.func.value, (gast.Name, gast.Subscript))):
            return [], loop
        stored = n.names_stored(gast.Module(body=loop.body, type_ignores=[]))
        if set(n.names_read(it.func.value)) & set(stored):
            return [], loop
        pre = []
        if isinstance(it.func.value, gast.Name):
            mapping = it.func.value.id
        else:  # ``params[name].items()``: the dict once, under a name
            mapping = self.namer.fresh('mapping')
            pre.append(gast.copy_location(n.assign(mapping, n.clone(it.func.value)), loop))
        kind = it.func.attr
        target = loop.target
        if kind == 'items' and not (isinstance(target, gast.Tuple) and len(target.elts) == 2):
            return [], loop
        key, value = (target, None) if kind == 'keys' else (
            (target.elts[0], target.elts[1]) if kind == 'items' else (None, target))
        if not isinstance(key, gast.Name):
            key_name = self.namer.fresh('key')
            body = [gast.copy_location(n.assign(n.clone(key), n.name(key_name)), loop)] \
                if key is not None else []
            key = n.name(key_name, store=True)
        else:
            body = []
        if value is not None:
            body.insert(0, gast.copy_location(n.assign(
                n.clone(value), n.subscript(n.name(mapping), n.name(key.id))), loop))
        keys = self.namer.fresh('keys')
        listed = n.call('s2s.keys', n.name(mapping))
        if order is not None:
            listed = gast.Call(func=n.name('sorted'), args=[listed], keywords=order)
        pre.append(gast.copy_location(n.assign(keys, listed), loop))
        return pre, gast.copy_location(
            gast.For(target=key, iter=n.name(keys), body=body + loop.body, orelse=loop.orelse,
                     type_comment=None), loop)

    def _sorted_view(self, it):
        """The keywords of ``sorted(d.items())`` or ``sorted(d.keys())`` (``reverse=`` only:
        the order of the keys, which are unique), the built-in `sorted`; else None."""
        if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and
                it.func.id == 'sorted' and len(it.args) == 1 and
                all(k.arg == 'reverse' for k in it.keywords)):
            return None
        view = it.args[0]
        if not (isinstance(view, gast.Call) and (
                isinstance(view.func, gast.Attribute) and view.func.attr in ('items', 'keys') and
                not view.args or n.dotted_path(view.func) == 's2s.items_of' and
                len(view.args) == 1)):
            return None
        namespace = getattr(self.source, 'namespace', {})
        if namespace.get('sorted', builtins.sorted) is not builtins.sorted or \
                'sorted' in n.names_stored(self.source.node):
            return None
        return [n.clone(k) for k in it.keywords]

    def _index_loop(self, loop):
        pre = []
        it = loop.iter
        targets = [loop.target]
        sequences = [it]
        index_name = None
        counted = None  # (``enumerate(xs, start)``: the target, bound to the index + start)
        backwards = False
        strict = False  # (``zip(xs, ys, strict=True)``: its lengths must agree)
        func = it.func.id if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) \
            else None
        if func == 'enumerate' and 1 <= len(it.args) + len(it.keywords) <= 2 and \
                it.args and all(k.arg == 'start' for k in it.keywords) and \
                isinstance(loop.target, gast.Tuple) and len(loop.target.elts) == 2:
            index_target, item_target = loop.target.elts
            start = it.args[1] if len(it.args) == 2 else \
                it.keywords[0].value if it.keywords else None
            if start is not None:
                counted = (index_target, start)
            elif isinstance(index_target, gast.Name):
                index_name = index_target.id
            targets, sequences = [item_target], [it.args[0]]
            zipped = it.args[0]
            if isinstance(zipped, gast.Call) and isinstance(zipped.func, gast.Name) and \
                    zipped.func.id == 'zip' and strict_zip(zipped) is not None and \
                    isinstance(item_target, gast.Tuple) and \
                    len(item_target.elts) == len(zipped.args):
                # ``for i, (a, b) in enumerate(zip(xs, ys))``
                targets, sequences = list(item_target.elts), list(zipped.args)
                strict = strict_zip(zipped)
        elif func == 'zip' and strict_zip(it) is not None and \
                isinstance(loop.target, gast.Tuple) and len(loop.target.elts) == len(it.args):
            targets, sequences = list(loop.target.elts), list(it.args)
            strict = strict_zip(it)
        elif func == 'reversed' and not it.keywords and len(it.args) == 1:
            sequences, backwards = [it.args[0]], True
        names = []
        # (and the loop's targets: ``for x in x:`` rebinds the name it loops over)
        rebound = set(n.names_stored(gast.Module(body=loop.body, type_ignores=[]))) | \
            {node.id for node in n.walk(loop.target) if isinstance(node, gast.Name)}
        resized = _resized(loop.body)
        if func in ('enumerate', 'reversed') and len(targets) == 1 and \
                isinstance(targets[0], gast.Name) and isinstance(sequences[0], gast.Name) and \
                _indexes_by(loop.body, sequences[0].id, targets[0].id):
            # ``for i, k in enumerate(d)``, ``for k in reversed(d)`` reading ``d[k]``: `k` is
            # a key of a dict (or an integer item of a list used as an index)
            keys = self.namer.fresh('keys')
            pre.append(gast.copy_location(
                n.assign(keys, n.call('s2s.keys', n.clone(sequences[0]))), loop))
            sequences = [n.name(keys)]
        for k, seq in enumerate(sequences):
            if isinstance(seq, gast.Name) and seq.id in getattr(self, 'dicts', ()):
                # (``for k, v in zip(d, vs)`` of a dict of the function's own: its keys,
                # which carry no derivative; indexing it by position reads no item)
                keys = self.namer.fresh('keys')
                pre.append(gast.copy_location(n.assign(keys, n.call('s2s.keys', seq)), loop))
                sequences[k] = n.name(keys)
        for seq in sequences:
            if isinstance(seq, gast.Name) and self._outer_iterator(seq.id):
                kind = type(self.source.namespace[seq.id]).__name__
                raise self.error(loop, f'a loop over `{seq.id}`, an iterator of the module or '
                                       f'an enclosing function ({kind}), '
                                       f'which gives its items once: s2sgrad reads what a loop '
                                       f'visits by position; pass a list or an array as an '
                                       f'argument (`list(...)` of the items it should visit)')
            if isinstance(seq, gast.Name) and seq.id in resized:
                raise self.error(loop, f'a loop over the list `{seq.id}` that its body makes '
                                       f'longer or shorter (Python visits the items added): '
                                       f'loop over `range(...)` and index the list, or '
                                       f'collect the new items in another list')
        own = []  # (the user's sequences, indexed as they are: not a copy, not keys)
        counted_by_position = set()  # (what may be a set or a dict: `s2s.positions`)
        unsized = []  # (``zip(x, itertools.repeat(2.0))``: read as far as zip reads them)
        for seq in sequences:
            if isinstance(seq, gast.Name) and seq.id not in rebound and \
                    seq.id not in getattr(self, 'unindexable', ()):
                names.append(seq.id)
                own.append(seq.id in self._user_names())
            else:
                temp = self.namer.fresh('items')
                as_is = _read_as_is(seq, getattr(self, 'unindexable', ()))
                if as_is or len(sequences) == 1 or not self._library_iterator(seq):
                    # (a generator, ``itertools.product(...)``: a list)
                    value = seq if as_is else n.call('s2s.sized', seq)
                    pre.append(gast.copy_location(n.assign(temp, value), loop))
                    if as_is and not _sized(seq):
                        counted_by_position.add(temp)  # (``groups[i]``, ``a - b``)
                else:
                    unsized.append((temp, seq))
                names.append(temp)
                own.append(False)
        if unsized:
            pre.extend(self._read_zipped(unsized, names, loop, strict))
        if index_name is None:
            index_name = self.namer.fresh('i')
        for target, seq_name, mine in zip(targets, names, own):
            own = getattr(self, 'copied_items', ())
            if mine and isinstance(target, gast.Name) and \
                    (seq_name not in getattr(self, 'maybe_mappings', ()) or
                     seq_name in getattr(self, 'let_go', ()) or seq_name in own) and \
                    seq_name not in getattr(self, 'aliased', ()):
                # (``for p in ps: p -= lr * g`` changes the item of `ps` an array `p` is; of
                # an argument, the caller's array: checked at run time to be no array; of
                # ``ps = [p.copy() for p in ps]``, its own)
                copied = f'File "{self.source.filename}", line {loop.lineno}' \
                    if seq_name in getattr(self, 'let_go', ()) and seq_name not in own \
                    else None
                loop.body = write_back_updates(loop.body, target.id, seq_name, index_name,
                                               copied)
        checked = getattr(self, 'maybe_mappings', set()) | getattr(self, 'unproven', set()) | \
            counted_by_position
        lengths = [n.call('s2s.positions' if name in checked else 'len', n.name(name))
                   for name in names]
        stop = lengths[0] if len(lengths) == 1 else \
            n.call('s2s.zip_length' if strict else 'min', *lengths)
        body = []
        if counted is not None:
            target, start = counted
            if not n.is_atom(start) or isinstance(start, gast.Name) and start.id in rebound:
                # (Python evaluates `start` once: ``st = 100`` in the body changes nothing)
                offset = self.namer.fresh('start')
                pre.append(gast.copy_location(n.assign(offset, start), loop))
                start = n.name(offset)
            body.append(gast.copy_location(n.assign(
                n.clone(target), n.binop(n.name(index_name), gast.Add(), n.clone(start))), loop))
        for target, seq_name in zip(targets, names):
            target = n.clone(target)
            body.append(gast.copy_location(
                n.assign(target, n.subscript(n.name(seq_name), n.name(index_name))), loop))
        iterations = n.call('range', stop)
        if backwards:
            iterations = n.call('reversed', iterations)
        new = gast.For(target=n.name(index_name, store=True), iter=iterations,
                       body=body + loop.body, orelse=[], type_comment=None)
        return pre + [gast.copy_location(new, loop)]

    @staticmethod
    def _read_zipped(unsized, names, loop, strict):
        """``items = s2s.sized(seq, stop)`` for each iterable `seq` of a ``zip`` that has no
        length (`unsized`: (name, iterable)), read no further than the shortest of the
        sequences `names` that have one (an endless ``itertools.repeat`` or ``count``), one
        item more for ``strict=True`` (whose check then sees a longer one), or all of them
        at once (`s2s.zipped`) where none has."""
        reads = [name for name in names if name not in {temp for temp, _ in unsized}]
        if not reads:
            targets = n.tuple_([n.name(temp, store=True) for temp, _ in unsized], store=True)
            return [gast.copy_location(n.assign(targets, n.call(
                's2s.zipped', n.const(len(unsized)), *[seq for _, seq in unsized])), loop)]
        stop = n.call('len', n.name(reads[0])) if len(reads) == 1 else \
            n.call('min', *[n.call('len', n.name(name)) for name in reads])
        if strict:
            stop = n.binop(stop, gast.Add(), n.const(1))
        return [gast.copy_location(n.assign(temp, n.call('s2s.sized', seq, n.clone(stop))),
                                   loop) for temp, seq in unsized]


_SIZED_CALLS = frozenset({'range', 'list', 'tuple', 'sorted', 'len'})
_ARRAY_SEQUENCES = frozenset({'T', 'mT', 'flat', 'real', 'imag'})
"""Attributes of an array that a loop indexes as they are (no set or dict has them)."""

_UNINDEXABLE_CALLS = frozenset({'map', 'filter', 'set', 'frozenset', 'iter', 'zip', 'reversed',
                                'enumerate'})
_VIEWS = frozenset({'values', 'keys', 'items'})


def _unindexable(func):
    """The variables of `func` that some assignment gives a value no loop can index: a dict's
    view (``vals = d.values()``), an iterator or a set (``pairs = zip(a, b)``, ``set(...)``).
    A loop over one reads it through ``s2s.sized`` when it runs."""
    found = set()
    for stmt in n.statements(func.body):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call)):
            continue
        call = stmt.value
        if isinstance(call.func, gast.Attribute) and call.func.attr in _VIEWS and \
                not call.args or isinstance(call.func, gast.Name) and \
                call.func.id in _UNINDEXABLE_CALLS:
            found.update(n.names_stored(stmt.targets[0]))
    return found


def _unproven_sequences(func, params):
    """The local variables of `func` that some binding may give a set, a dict or an iterator,
    which a loop cannot index by position: bound to an attribute or an item (``ids =
    cfg.ids``), a call not known to make a sequence, a loop's item (``for g in groups``), a
    part of an unpacked value, a ``|=``; or a copy of one of those or of a name the function
    does not bind. A loop over one counts its items with `s2s.positions`, which raises for
    those (their items by position are not what Python's loop visits), not with ``len``."""
    found, copies = set(), []
    # (not in nested functions: their names are theirs)
    for node in n.walk(func, skip=lambda node: isinstance(node, (gast.FunctionDef,
                                                                 gast.Lambda))):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name) and isinstance(node.value, gast.Name):
                    copies.append((target.id, node.value.id))
                elif not (isinstance(target, gast.Name) and _sized(node.value)):
                    found.update(_unpacked_parts(target, node.value))
        elif isinstance(node, gast.AugAssign):
            if not isinstance(node.op, (gast.Add, gast.Mult)):
                found.update(n.names_stored(node.target))
        elif isinstance(node, (gast.For, gast.AsyncFor)):
            found.update(n.names_stored(node.target))
        elif isinstance(node, gast.withitem) and node.optional_vars is not None:
            found.update(n.names_stored(node.optional_vars))
        elif isinstance(node, gast.NamedExpr):
            found.update(n.names_stored(node.target))
    local = set(n.names_stored(func)) - set(params)
    changed = True
    while changed:  # (``ids = cfg.ids; chosen = ids``: both)
        changed = False
        for target, source in copies:
            if target not in found and (source in found or source not in local):
                found.add(target)
                changed = True
    return found - set(params)


def _unpacked_parts(target, value):
    """The names assignment target `target` binds from `value` that may hold a set, a dict or
    an iterator: not a starred part (``head, *tail = x``: a list, whatever `x` is), nor a
    part given a sequence (``a, b = xs[1:], [v]``)."""
    if isinstance(target, (gast.Tuple, gast.List)):
        values = value.elts if isinstance(value, (gast.Tuple, gast.List)) and \
            len(value.elts) == len(target.elts) else [None] * len(target.elts)
        return [name for elt, part in zip(target.elts, values)
                if not isinstance(elt, gast.Starred)
                for name in _unpacked_parts(elt, part)]
    if isinstance(target, gast.Name) and value is not None and _sized(value):
        return []
    return n.names_stored(target)


def _global_unindexable(func, namespace):
    """The globals `func` reads and never binds whose value no loop can index by position:
    a set, a class (an ``enum.Enum``'s members), an iterable without ``__getitem__``. A loop
    over one reads it through ``s2s.sized`` when it runs."""
    bound = {name for stmt in n.statements(func.body) for name in n.names_stored(stmt)}
    found = set()
    for node in n.walk(func):
        if not isinstance(node, gast.Name) or node.id in bound or node.id not in namespace:
            continue
        value = namespace[node.id]
        kind = type(value)  # (looked up without running code of the value's: its class's)
        iterable = inspect.getattr_static(kind, '__iter__', None) is not None
        if isinstance(value, (set, frozenset)) or iterable and (
                isinstance(value, type) or
                inspect.getattr_static(kind, '__getitem__', None) is None):
            found.add(node.id)
    return found


def local_dicts(func):
    """The variables of `func` that hold a dict wherever they are bound: every binding is
    ``name = dict()`` (a display or comprehension filled by key) or ``name =
    s2s.dict_copy(d)`` (``dict(d)``)."""
    made, stores = {}, {}
    # (not in nested functions: their names are theirs)
    for node in n.walk(func, skip=lambda node: isinstance(node, (gast.FunctionDef,
                                                                 gast.Lambda))):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Call) and \
                n.dotted_path(node.value.func) in ('dict', 's2s.dict_copy'):
            made[node.targets[0].id] = made.get(node.targets[0].id, 0) + 1
        elif isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) or \
                isinstance(node, gast.FunctionDef):
            name = node.id if isinstance(node, gast.Name) else node.name
            stores[name] = stores.get(name, 0) + 1
    return {name for name, count in made.items() if stores.get(name) == count}


def _global_dicts(func, namespace):
    """The globals that `func` reads and never binds that hold a dict (a mapping) when the
    gradient is made: a loop over one visits its keys."""
    bound = set(n.names_stored(func)) | {a.id for a in func.args.args +
                                         func.args.posonlyargs + func.args.kwonlyargs}
    read = {node.id for node in n.walk(func) if isinstance(node, gast.Name) and
            isinstance(node.ctx, gast.Load)}
    return {name for name in read - bound
            if isinstance(namespace.get(name), collections.abc.Mapping)}


def _without_self_copies(stmts):
    """`stmts` without ``x = x`` (in nested blocks too): it changes nothing, where the alias
    analysis would take `x` for a second name of the array (a block left empty: ``pass``)."""
    out = []
    for stmt in stmts:
        if n.is_self_copy(stmt):
            continue
        n.map_blocks(stmt, lambda block: (_without_self_copies(block) or [gast.Pass()])
                     if block else block)
        out.append(stmt)
    return out


def _read_as_is(seq, unindexable=()):
    """Whether a loop over `seq` indexes it as it is rather than through `s2s.sized`: a
    sequence (`_sized`), or an item or a difference, which in a program are most often an
    array's row or an array (``A[i]``, ``A[:, j]``, ``x - y``) and may be a set or a dict
    (``groups[i]``, ``ids - done``): the loop counts those with `s2s.positions`, which raises
    for a set or a dict. Not an item by a text key (``table['ids']``), an attribute
    (``cfg.ids``), ``|``, ``&`` or ``^``, nor a difference of a set known as one (names in
    `unindexable`, set displays and calls): those may well be sets, dicts or iterators."""
    if _sized(seq):
        return True
    if isinstance(seq, gast.Subscript):
        return not (isinstance(seq.slice, gast.Constant) and isinstance(seq.slice.value, str))
    if isinstance(seq, gast.BinOp) and isinstance(seq.op, gast.Sub):
        return not any(_set_valued(side, unindexable) for side in (seq.left, seq.right))
    return False


def _set_valued(node, unindexable):
    """Whether expression `node` is known to be a set: a display or comprehension of one, a
    call of ``set``/``frozenset``, or a name in `unindexable`."""
    if isinstance(node, (gast.Set, gast.SetComp)):
        return True
    if isinstance(node, gast.Call) and n.dotted_path(node.func) in ('set', 'frozenset'):
        return True
    return isinstance(node, gast.Name) and node.id in unindexable


def _sized(seq):
    """Whether the loop iterable `seq` is known to be a sequence (it has a length and its
    items by index): a display, a slice, arithmetic but ``-`` (``x * 2``, ``A @ x``, ``xs +
    ys``), an array's ``.T`` or ``.flat``, ``range``/``list``/``tuple``/``sorted``, or a
    call of a NumPy function (an array). Others are read through `s2s.sized` or counted with
    `s2s.positions` (see `_read_as_is`): an attribute or an item may hold a set, a dict or
    an iterator (``cfg.ids``, ``table['ids']``), and ``a | b`` or ``a - b`` of sets is a
    set."""
    if isinstance(seq, (gast.List, gast.Tuple)):
        return True
    if isinstance(seq, gast.Subscript):
        index = seq.slice  # (a set or a dict has no slices: ``xs[1:]``, ``A[:, j]``)
        return isinstance(index, gast.Slice) or isinstance(index, gast.Tuple) and \
            any(isinstance(part, gast.Slice) for part in index.elts)
    if isinstance(seq, gast.BinOp):
        return not isinstance(seq.op, (gast.Sub, gast.BitOr, gast.BitAnd, gast.BitXor,
                                       gast.LShift, gast.RShift))
    if isinstance(seq, gast.Attribute):
        return seq.attr in _ARRAY_SEQUENCES
    if not isinstance(seq, gast.Call):
        return False
    path = n.dotted_path(seq.func) or ''
    return path in _SIZED_CALLS or path.split('.')[0] in ('np', 'numpy', 's2s') and \
        path.rsplit('.', 1)[-1] not in ('ndindex', 'nditer', 'ndenumerate', 'nditer')


_RESIZING = frozenset({'append', 'extend', 'insert', 'pop', 'remove', 'clear'})


def _resized(body):
    """The names whose length `body` may change: ``xs.append(v)``, ``xs += [v]``, ..."""
    found = set()
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and node.func.attr in _RESIZING:
            found.add(node.func.value.id)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            found.add(node.target.id)
        elif isinstance(getattr(node, 'augmented_read', None), gast.Name):
            found.add(node.augmented_read.id)  # (``xs += [v]``, made plain already)
    return found


def _indexes_by(body, sequence, item):
    """Whether `body` reads ``sequence[item]`` and assigns neither name."""
    block = gast.Module(body=body, type_ignores=[])
    if {sequence, item} & set(n.names_stored(block)):
        return False
    return any(isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and
               node.value.id == sequence and isinstance(node.slice, gast.Name) and
               node.slice.id == item for node in n.walk(block))


def _keys_only(loop):
    """Whether ``for k in d`` indexes `d` with `k` (``d[k]``): then `k` is a key of a dict, or
    an integer item of a list used as an index (``s2s.keys`` gives the keys, or the items and
    raises unless they are integers, as indexing would), which carries no derivative."""
    target, it = loop.target, loop.iter
    if not (isinstance(target, gast.Name) and isinstance(it, (gast.Name, gast.Subscript))):
        return False
    block = gast.Module(body=loop.body, type_ignores=[])
    if ({target.id} | set(n.names_read(it))) & set(n.names_stored(block)):
        return False
    shape = gast.dump(it)
    return any(isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Name) and
               node.slice.id == target.id and gast.dump(node.value) == shape
               for node in n.walk(block))


def _return_status(stmts):
    """'always', 'maybe' or 'never': whether `stmts` return on all, some or no paths."""
    for stmt in stmts:
        if isinstance(stmt, gast.Return):
            return 'always'
        if isinstance(stmt, gast.If):
            statuses = {_return_status(stmt.body), _return_status(stmt.orelse)}
            if statuses == {'always'}:
                return 'always'
            if statuses != {'never'}:
                return 'maybe'
        elif isinstance(stmt, (gast.For, gast.While)):
            if any(isinstance(node, gast.Return) for node in n.walk(stmt)):
                return 'maybe'
    return 'never'


def _cloned(stmts):
    return [n.clone(stmt) for stmt in stmts]


def _falls_through(body):
    """Whether running `body` may reach its end without a ``return`` (conservatively)."""
    if not body:
        return True
    last = body[-1]
    if isinstance(last, gast.Return):
        return False
    if isinstance(last, gast.If):
        return _falls_through(last.body) or _falls_through(last.orelse)
    if isinstance(last, gast.While) and isinstance(last.test, gast.Constant) and \
            last.test.value is True:
        return _breaks(last.body)  # ``while True:`` ends only by break or return
    return True


def _breaks(body):
    """Whether `body` (a loop's) holds a ``break`` of that loop (not of inner loops)."""
    for stmt in body:
        if isinstance(stmt, gast.Break):
            return True
        if isinstance(stmt, gast.If) and (_breaks(stmt.body) or _breaks(stmt.orelse)):
            return True
    return False


def _is_range(node):
    """``range(...)`` or ``reversed(range(...))``."""
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            node.func.id == 'reversed' and len(node.args) == 1:
        node = node.args[0]
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == 'range'


def _blocks_with_exits(stmt):
    """The blocks of the branches of If `stmt` (nested Ifs too, not loops) that end in
    ``break`` or ``continue``."""
    found = []
    for block in (stmt.body, stmt.orelse):
        if block and isinstance(block[-1], (gast.Break, gast.Continue)):
            found.append(block)
        for inner in block:
            if isinstance(inner, gast.If):
                found.extend(_blocks_with_exits(inner))
    return found


def _exits(stmt):
    return [block[-1] for block in _blocks_with_exits(stmt)]


def _exit_kind(stmts):
    """'always' if every path through `stmts` ends in break/continue, 'never', or 'maybe'."""
    if not stmts:
        return 'never'
    last = stmts[-1]
    if isinstance(last, (gast.Break, gast.Continue)):
        return 'always'
    kinds = set()
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            kinds.update({_exit_kind(stmt.body), _exit_kind(stmt.orelse)})
    if isinstance(last, gast.If) and _exit_kind(last.body) == _exit_kind(last.orelse) == 'always':
        return 'always'
    return 'maybe' if kinds - {'never'} else 'never'


def _clobbered_loop_targets(body, args):
    """The ids of the loops (``for i in ...``) whose variable is read where no loop over that
    name holds the read (``for i in range(3): ...``, then ``t = x[i]``) and is assigned
    elsewhere too (another loop over `i`, ``i = 3``) or by the loop itself again, inside
    another loop (``for t in ...: for k in ...: ...``, then ``ys[k]``): reversing the loop
    sets the variable the backward sweep reads there, unless the loop's own variable is
    another."""
    stores, loops, free, repeated = {}, [], set(), set()

    def visit(node, around, looped=False):
        if isinstance(node, gast.For) and isinstance(node.target, gast.Name):
            loops.append(node)
            if looped:  # (run again by the loop around it)
                repeated.add(id(node))
            visit(node.iter, around, looped)  # (evaluated outside the loop)
            inner = around | {node.target.id}
            for child in node.body + node.orelse:
                visit(child, inner, True)
            stores[node.target.id] = stores.get(node.target.id, 0) + 1
            return
        if isinstance(node, gast.While):
            for child in gast.iter_child_nodes(node):
                visit(child, around, True)
            return
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load) and node.id not in around:
                free.add(node.id)
            elif isinstance(node.ctx, gast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
            return
        for child in gast.iter_child_nodes(node):
            visit(child, around, looped)
    for name in n.names_stored(args):
        stores[name] = stores.get(name, 0) + 1
    for stmt in body:
        visit(stmt, frozenset())
    return {id(loop) for loop in loops if loop.target.id in free and (
        stores.get(loop.target.id, 0) > 1 or id(loop) in repeated)}


def _extension(stmt, lists, sequences):
    """``items.extend(v)`` of a list `items` (one of `lists`) as ``items += list(v)`` (``v``
    itself for a list display, a tuple display as a list), which `_plain` makes ``items =
    items + ...``; any other statement as it is (where ``list`` is not the built-in,
    `sequences` is None: only a display is read)."""
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return stmt
    call = stmt.value
    func = call.func
    if not (isinstance(func, gast.Attribute) and func.attr == 'extend' and
            isinstance(func.value, gast.Name) and func.value.id in lists and
            len(call.args) == 1 and not call.keywords and
            not isinstance(call.args[0], gast.Starred)):
        return stmt
    value = call.args[0]
    if isinstance(value, gast.Tuple):
        value = gast.List(elts=value.elts, ctx=gast.Load())
    elif not isinstance(value, gast.List):
        if sequences is None:
            return stmt
        value = gast.copy_location(n.call('list', value), value)
    target = n.name(func.value.id, store=True)
    return gast.copy_location(gast.AugAssign(target=target, op=gast.Add(), value=value), stmt)


def _rebound_first(body, name):
    """Whether the first statement of `body` that names `name` is ``name = ...`` (at the top
    level: it runs before any other use), not reading `name` but in a display or ``list(...)``
    (``ws = ws[:]`` is of the argument's type, ``ws = list(ws)`` a list)."""
    for stmt in body:
        if any(isinstance(node, gast.Name) and node.id == name for node in n.walk(stmt)):
            return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name and (
                    name not in n.names_read(stmt.value) or
                    isinstance(stmt.value, (gast.List, gast.Tuple)) or
                    isinstance(stmt.value, gast.Call) and
                    n.dotted_path(stmt.value.func) == 'list')
    return False


def _displayed(func, displays, augmented=True, copies=False):
    """Names that `func` (not the functions it defines) assigns only `displays` (list
    displays: they hold lists, or arrays, which add a list as they add a tuple, never
    tuples), (`copies`: ``list(...)`` of the built-in ``list``, a new list) and augmented
    assignments (`augmented`: any; else those adding a display, as `_grown` reads them). A
    parameter may hold any type, unless the first statement of the body that names it
    assigns it (``ws = list(ws)``)."""
    kinds = {name: {False} for name in n.names_stored(func.args)
             if not _rebound_first(func.body, name)}
    pending = list(func.body)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            continue
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                for name in n.names_stored(target):
                    is_list = isinstance(target, gast.Name) and (
                        _grown(stmt.value, name, displays) or copies and
                        isinstance(stmt.value, gast.Call) and
                        n.dotted_path(stmt.value.func) == 'list')
                    kinds.setdefault(name, set()).add(is_list)
        elif not augmented and isinstance(stmt, gast.AugAssign):
            # (as its plain form ``t = t + v``: ``t += (v,)`` keeps a tuple a tuple, where
            # ``t += x`` of an array `x` makes it an array)
            for name in n.names_stored(stmt.target):
                kinds.setdefault(name, set()).add(
                    isinstance(stmt.target, gast.Name) and isinstance(stmt.op, gast.Add) and
                    not isinstance(stmt.value, gast.Name) and
                    _grown(stmt.value, name, displays))
        elif isinstance(stmt, (gast.For, gast.AnnAssign)):
            for name in n.names_stored(stmt.target):
                kinds.setdefault(name, set()).add(False)
        elif isinstance(stmt, (gast.Global, gast.Nonlocal)):
            for name in stmt.names:
                kinds.setdefault(name, set()).add(False)
        pending.extend(child for child in gast.iter_child_nodes(stmt)
                       if isinstance(child, gast.stmt))
    return frozenset(name for name, k in kinds.items() if k == {True})


def _grown(value, name, displays):
    """Whether `value`, assigned to `name`, is one of `displays`, or made of them and of
    `name` itself, its slices and concatenations (``out = out + [v]``, ``buf = buf[1:] +
    [v]``): of the same kind as `name`'s other values."""
    if isinstance(value, displays):
        return True
    if isinstance(value, gast.Name):
        return value.id == name
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        return isinstance(value.value, gast.Name) and value.value.id == name
    return isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
        _grown(value.left, name, displays) and _grown(value.right, name, displays) and \
        not (isinstance(value.left, gast.Name) and isinstance(value.right, gast.Name))


def let_go(func, params):
    """The parameters among `params` that the body of the FunctionDef `func` first rebinds,
    at its top level, to new memory (``X = X.copy()``, ``x = x * 2.0``) before anything else
    reads them."""
    from .effects import _new_memory  # (effects imports the passes that import this)
    found = set()
    for param in params:
        for stmt in func.body:
            if param not in n.all_names(stmt) or n.is_arguments_check(stmt):
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == param \
                    and _new_memory(stmt.value):
                found.add(param)
            break
    return found


def copied_items(func, params):
    """The parameters among `params` that the body of the FunctionDef `func` first rebinds,
    at its top level, to a list of new arrays made from the items (``ps = [p.copy() for p in
    ps]``, ``[p * 1.0 for p in ps]``) before anything else reads them: the function's own
    list of its own arrays, whose updates through a loop variable reach no caller's array."""
    from .effects import _new_memory  # (effects imports the passes that import this)
    found = set()
    for param in params:
        for stmt in func.body:
            if param not in n.all_names(stmt) or n.is_arguments_check(stmt):
                continue
            value = stmt.value if isinstance(stmt, gast.Assign) else None
            if len(getattr(stmt, 'targets', ())) == 1 and \
                    isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == param and \
                    isinstance(value, gast.ListComp) and len(value.generators) == 1 and \
                    not value.generators[0].ifs and _new_memory(value.elt):
                found.add(param)
            break
    return found
