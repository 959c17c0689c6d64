"""Arrays changed in place: aliases merged or refused, arguments copied, mutated names."""
import gast

from . import nodes as n
from .activity import target_names
from . import mutation, runtime
from .alias_memory import FRESH_METHODS, _copies, fresh_call
from .aliasing import private_writes
from .modes import Mode


def _written_after(stmt, statements, names):
    """Whether one of `names` may be assigned into by subscript after `stmt` runs: in a
    later statement, or in a loop that holds `stmt` (a later iteration), unless the name
    written is bound anew, to other memory, at the top of that loop's body first
    (``un = u.copy(); un[1:-1] = ...; u = un``: the next write is into the new copy)."""
    def writes(node, rebound=frozenset()):
        return any(isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) and
                   (set(target_names(s.targets[0])) & names) - rebound
                   for s in n.statements([node]))
    index = next(i for i, s in enumerate(statements) if s is stmt)
    if any(writes(later) for later in statements[index + 1:]):
        return True
    for loop in statements[:index]:
        if not isinstance(loop, (gast.For, gast.While)) or \
                not any(s is stmt for s in n.statements(loop.body)):
            continue
        rebound = set()
        for top in loop.body:
            if writes(top, frozenset(rebound)):
                return True
            if any(s is stmt for s in n.statements([top])):
                break  # (what follows `stmt` in the iteration: the later statements above)
            if isinstance(top, gast.Assign) and isinstance(top.targets[0], gast.Name) and \
                    not isinstance(top.value, gast.Name):
                rebound.add(top.targets[0].id)
    return False


def refuse_aliased_lists(ctx, body):
    """Raise for a differentiated list that grows or shrinks under one name (``saved.
    append(y)``) and is read under another (``alias = saved``, then ``alias[-1]``): the
    backward sweep follows a list by its name, so the two names would keep separate
    adjoints of one list, indexed at different lengths."""
    growers, reads, methods = set(), set(), {}
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Name):
            stmt.value.receiver = True  # the copy itself reads no item
        for node in n.walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                    isinstance(node.func.value, gast.Name) and node.func.attr in _RESIZING:
                growers.add(node.func.value.id)
                methods.setdefault(node.func.value.id, node.func.attr)
                node.func.value.receiver = True
            elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                    node.func.id == 'len':
                for arg in node.args:
                    if isinstance(arg, gast.Name):
                        arg.receiver = True
        for node in n.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                    not node.__dict__.pop('receiver', False):
                reads.add(node.id)
    for stmt in n.statements(body):
        # ``lsts[1].append(v)`` (``inner = lsts[1]`` then ``inner.append(v)``): the list
        # grows under the name of an item, its holder's adjoint would not see it (not a
        # slice, ``new = state[:]``: a new list)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                stmt.targets[0].id in growers and isinstance(stmt.value, gast.Subscript) and \
                not isinstance(stmt.value.slice, gast.Slice) and \
                isinstance(stmt.value.value, gast.Name) and \
                stmt.value.value.id in ctx.activity.active:
            holder = stmt.value.value.id
            raise ctx.unsupported(
                stmt, f'a list held in another (an item of `{holder}`) changed in length '
                      f'(`.{methods[stmt.targets[0].id]}`): the backward sweep follows a list '
                      f'by its name; grow the inner list under a name of its own, then put it '
                      f'in `{holder}`', node=stmt)
    written = n.all_names(ctx.source.node)  # (not the normalizer's temporaries)
    for stmt in n.statements(body):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
                isinstance(stmt.value, gast.Name)):
            continue
        a, b = stmt.targets[0].id, stmt.value.id
        if not {a, b} & ctx.activity.active or not all(_yours(name, written) for name in (a, b)):
            continue
        if a in growers and b in reads or b in growers and a in reads:
            grows, other = (a, b) if a in growers else (b, a)
            if grows == b and a not in growers and _finished_before(body, stmt, b) and \
                    _read_before_resized(body, stmt, b, a):
                continue  # (``new = []``, ``new.append(v)``, ..., then ``params = new``; the
                # gradient of that, whose backward sweep pops `new` after the last read of
                # `params`)
            made = _copies_made_once(body)
            if all(_rebound_before_writes(name, body, made, stmt) for name in (a, b)
                   if name in growers):
                continue  # (``p_given = p``, then ``p = s2s.copy(p)`` before ``p.pop(k)``:
                # the names hold two lists by then)
            grows, other, a, b = (_shown(name, written) for name in (grows, other, a, b))
            raise ctx.unsupported(
                stmt, f'a list changed in length under one name and read under another '
                      f'(`{grows}` and `{other}`, made the same list by `{a} = {b}`): '
                      f'use one name for the list', node=stmt)


def _copies_made_once(body):
    """The names `body` binds once, to a copy (`_copy_call`) or a list display."""
    counts, copies = {}, set()
    for stmt in n.statements(body):
        for name in n.names_stored(stmt) if isinstance(stmt, (gast.Assign, gast.For)) else ():
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                (_copy_call(stmt.value) or isinstance(stmt.value, gast.List)):
            copies.add(stmt.targets[0].id)
    return {name for name in copies if counts.get(name) == 1}


def _yours(name, written):
    """Whether `name` is one of the names `written` or a version of one the normalizer made
    (``params_2`` of ``params = new``), not one of its temporaries."""
    if name in written:
        return True
    stem, _, number = name.rpartition('_')
    return number.isdigit() and stem in written


def _shown(name, written):
    """`name` as the user wrote it (``params`` for its version ``params_2``)."""
    return name if name in written else name.rpartition('_')[0]


def _read_before_resized(body, alias, name, other):
    """Whether, after `alias` (``other = name``), every read of `other` comes before the
    list `name` changes length again (``name.pop()`` in a backward sweep), and no loop holds
    both: `other` only ever sees the finished list."""
    seq = list(n.statements(body))
    start = next(i for i, s in enumerate(seq) if s is alias)
    after = seq[start + 1:]
    resized = [i for i, s in enumerate(after) if _resizes(s, name)]
    if not resized:
        return True
    read = [i for i, s in enumerate(after) if other in _own_reads(s)]
    if read and max(read) >= min(resized):
        return False
    for loop in after:
        if isinstance(loop, (gast.For, gast.While)):
            inner = list(n.statements([loop]))
            if any(_resizes(s, name) for s in inner) and \
                    any(other in _own_reads(s) for s in inner):
                return False
    return not any(isinstance(s, (gast.For, gast.While)) and
                   any(t is alias for t in n.statements([s])) for s in seq)


def _own_reads(stmt):
    """The names `stmt` reads itself: a compound statement's test or iterable, a simple
    statement's whole."""
    return {name for part in n.own_parts(stmt) for name in n.names_read(part)}


def _finished_before(body, alias, name):
    """Whether the list `name` is done growing when ``other = name`` (`alias`) runs, each
    time: `name` is bound only by one display (``new = []``) in the block of `alias`, before
    it, and changed in length only between the two, so the list the other name gets never
    grows again (the next run of a loop makes a new one)."""
    block = _block_of(body, alias)
    if block is None:
        return False
    index = next(i for i, s in enumerate(block) if s is alias)
    made = [i for i, s in enumerate(block[:index])
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and
            s.targets[0].id == name and isinstance(s.value, (gast.List, gast.Tuple))]
    bindings = [s for s in n.statements(body) if name in _bound_by(s)]
    if len(made) != 1 or len(bindings) != 1:
        return False
    inside = list(n.statements(block[made[0] + 1:index]))
    seq = list(n.statements(body))
    where = next(i for i, s in enumerate(seq) if s is alias)
    # (changes after `alias` are `_read_before_resized`'s: the backward sweep's pops)
    grown = [s for s in seq[:where] if _resizes(s, name)]
    return all(any(s is g for s in inside) for g in grown)


def _bound_by(stmt):
    """The names `stmt` itself binds (its targets; not those of its nested blocks)."""
    if isinstance(stmt, gast.Assign):
        return [name for target in stmt.targets for name in n.names_stored(target)]
    if isinstance(stmt, (gast.AugAssign, gast.AnnAssign, gast.For)):
        return n.names_stored(stmt.target)
    return n.names_stored(stmt) if not n.blocks(stmt) else []


def _block_of(stmts, stmt):
    """The statement list (of `stmts` or a block nested in them) holding `stmt`, or None."""
    if any(s is stmt for s in stmts):
        return stmts
    for outer in stmts:
        for _, block in n.blocks(outer):
            found = _block_of(block, stmt)
            if found is not None:
                return found
    return None


def _resizes(stmt, name):
    """Whether `stmt` itself (not a nested block) changes the list `name` in length."""
    return any(isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and
               isinstance(node.func.value, gast.Name) and node.func.value.id == name and
               node.func.attr in _RESIZING for part in n.own_parts(stmt)
               for node in n.walk(part))


def _rebound_before_writes(name, stmts, made, alias):
    """Whether each write into `name` by subscript or by a list method changing its length
    in `stmts` (and the blocks inside them) comes after a statement that binds `name` to a
    value other than a bare name (new memory or a call's result) or to a name of `made`
    (bound once to new memory: ``h = tanh_h`` after ``tanh_h = np.tanh(h)``), with no run of
    the statement `alias` (``h = x``, which makes the two names one array) in between, on
    every path, loops run again included."""
    return _fresh_at_writes(name, stmts, made, alias, False)[0]


def _fresh_at_writes(name, stmts, made, alias, fresh):
    """``(ok, fresh after)`` of `_rebound_before_writes` for `stmts` entered with `fresh`
    (whether `name` holds new memory of its own there)."""
    for stmt in stmts:
        if stmt is alias:
            fresh = False
            continue
        if _resizes(stmt, name) and not fresh:  # (``v = p.pop(k)``: a write too)
            return False, fresh
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) and \
                    target.value.id == name and not fresh:
                return False, fresh
            if isinstance(target, gast.Name) and target.id == name:
                fresh = not isinstance(stmt.value, gast.Name) or stmt.value.id in made
            elif name in n.names_stored(target):
                fresh = False  # (unpacked: it may be anything)
        elif isinstance(stmt, (gast.For, gast.While)):
            ok, after = _fresh_at_writes(name, stmt.body, made, alias, fresh)
            if ok and fresh and not after:  # (the next run starts as this one ends)
                ok, after = _fresh_at_writes(name, stmt.body, made, alias, False)
            if not ok:
                return False, fresh
            fresh = fresh and after
        elif isinstance(stmt, gast.If):
            ok_body, after_body = _fresh_at_writes(name, stmt.body, made, alias, fresh)
            ok_else, after_else = _fresh_at_writes(name, stmt.orelse, made, alias, fresh)
            if not (ok_body and ok_else):
                return False, fresh
            fresh = after_body and after_else
        elif name in n.names_stored(stmt):
            fresh = False
    return True, fresh


def merge_aliases(ctx, body):
    """Rename ``y`` to ``x`` after ``y = x`` when either is assigned into by subscript.

    Both names then denote one array, so updates through either reach one adjoint.
    """
    statements = list(n.statements(body))
    captured = {v for names in getattr(ctx, 'closures', {}).values() for v in names}
    mutated = set()
    counts = {}
    for stmt in statements:
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                mutated.add(target.value.id)
            for name in n.names_stored(target):
                counts[name] = counts.get(name, 0) + 1
        elif isinstance(stmt, gast.For):
            for name in n.names_stored(stmt.target):
                counts[name] = counts.get(name, 0) + 2
    for p in ctx.params:
        counts[p] = counts.get(p, 0) + 1
    loads = {}
    fresh = set()  # names assigned once, an arithmetic result or a copy (new memory)
    for stmt in statements:
        for node in (node for part in n.own_parts(stmt) for node in n.walk(part)):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and (
                isinstance(stmt.value, (gast.BinOp, gast.UnaryOp)) or _copy_call(stmt.value)
                or fresh_call(stmt.value, ctx.resolver)  # (``roll_buf = np.roll(buf, 1)``)
                or _fresh_method_call(stmt.value, ctx.resolver)):  # (``V_clip = V.clip(0)``)
            fresh.add(stmt.targets[0].id)
    for stmt in statements:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Name):
            alias, original = stmt.targets[0].id, stmt.value.id
            if alias not in mutated and original not in mutated:
                continue
            if {alias, original} & captured:
                continue  # (a nested function reads it, its calls pass it under its name)
            if original in fresh and counts.get(original) == 1 and loads.get(original) == 1:
                continue  # ``acc = t`` after ``t = acc + x``: `t` is read nowhere else
            if not _written_after(stmt, statements, {alias, original}):
                continue  # ``result = R`` at a return: one name for the same final value
            # `alias` rebound by this statement (``x = x_copy`` in generated code, where `x`
            # is a parameter; ``x = x.copy()`` normalized) is renamed from here on all the
            # same, its later rebindings too (``x = x * 2.0``), unless `original` is read
            # afterwards under its own name: it would then see them
            later = body[body.index(stmt) + 1:] if stmt in body else []
            rebound_later = any(alias in n.names_stored(s) for s in later)
            single = counts.get(alias) == 1 or stmt in body and original not in ctx.params and \
                not (rebound_later and any(original in n.names_read(s) for s in later))
            made = {name for name in fresh if counts.get(name) == 1}
            if all(_rebound_before_writes(name, body, made, stmt)
                   for name in (alias, original) if name in mutated):
                continue  # (``h = x``, then ``h = np.tanh(h); h[0] = 0.5`` in a loop; ``x_given
                # = x``, then ``x = s2s.copy(x)`` before the writes: no write reaches the
                # array both names held; the alias analysis checks every write)
            if not single or counts.get(original) != 1 or stmt not in body:
                continue  # (not renamed: the alias analysis checks each write through
                # either name, and copies where no other name read afterwards sees the
                # array, ``un = u`` in a loop, or the restore ``y_old_2 = y`` of generated
                # code differentiated again; else it refuses the write, quoting it)
            index = body.index(stmt)
            for after in later:
                counts[original] += n.names_stored(after).count(alias)
                n.rename(after, {alias: original})
            read = getattr(stmt, 'augmented_read', None)
            if read is not None:
                # ``v += c`` ended as ``v_2 = t`` after ``t = v + c``: the in-place update
                # now writes `t`, which the alias analysis checks
                for earlier in body[:index]:
                    if isinstance(earlier, gast.Assign) and \
                            n.names_stored(earlier.targets[0]) == [original]:
                        earlier.augmented_read = read
            body = body[:index] + body[index + 1:]
            mutated.add(original)
    return private_writes(ctx, body)


def _copy_call(value):
    """Whether `value` is ``v.copy()`` (``u = u.copy()`` is ``u_copy = u.copy(); u =
    u_copy``), ``s2s.dict_copy(v)`` (``dict(v)``) or ``s2s.copy(v)`` (a generated gradient's
    copy of an argument it changes, differentiated again): new memory."""
    return isinstance(value, gast.Call) and (
        isinstance(value.func, gast.Attribute) and value.func.attr == 'copy' and
        not value.args and not value.keywords or
        n.dotted_path(value.func) in ('s2s.dict_copy', 's2s.copy') and len(value.args) == 1)


def _fresh_method_call(value, resolver):
    """Whether `value` is an array method that copies (``V.clip(0)``, ``V.round(2)``; not a
    dict's views) or the built-in ``abs(V)``: new memory."""
    if not isinstance(value, gast.Call):
        return False
    if isinstance(value.func, gast.Attribute):
        return value.func.attr in FRESH_METHODS and \
            value.func.attr not in ('keys', 'values', 'items') and _copies(value)
    return resolver.lookup(value.func) is abs


def prologue(ctx, body):
    """Copy array arguments that the function assigns into, so callers' arrays survive, and
    the lists that arguments hold where a list method changes one (``hist.append(v)`` after
    ``hist, h = state``)."""
    written = mutation.assigned_into(body, aliases=True)
    mutated = written | getattr(ctx, '_alias_params', set())
    nested = getattr(ctx, '_nested_params', set())
    copied = [p for p in ctx.params if p in mutated or p in nested]
    if (ctx.source.filename or '').startswith('<s2sgrad'):
        # (a generated derivative checks and copies its arguments first itself: copied
        # before, its check would read the copy)
        return [n.assign(p, n.call('s2s.copy_lists' if p in nested else 's2s.copy',
                                   n.name(p)))
                for p in copied if not _copied_first(ctx, body, p)]
    called = ctx.mode in (Mode.VJP, Mode.FORWARD)  # (a helper: `effects` checks the call)
    # (``x += 1.0`` of an array argument changes it in place, which the derivative, adding
    # into a new array, keeps from the caller: the function's other arguments too)
    updated = {stmt.augmented_read.id for stmt in n.statements(body) if _augmented(stmt)} | \
        set(getattr(ctx, '_updated_params', {}))  # (``b = a; b += v``: `a` too)
    return [_separate(ctx, body, p) for p in ctx.params if len(ctx.params) > 1 and
            not called and (p in copied and p in written or p in updated) and
            not _copied_first(ctx, body, p)] + \
        [n.assign(p, n.call('s2s.copy_lists' if p in nested else 's2s.copy', n.name(p)))
         for p in copied]


def _copied_first(ctx, body, param):
    """Whether the first statement of `body` that binds or writes into `param` binds it to
    new memory (``x = x.copy()``, ``x = x * 2.0``), at the top level: no write reaches the
    argument."""
    for stmt in body:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == param and \
                not _augmented(stmt):
            value = stmt.value
            return isinstance(value, (gast.BinOp, gast.UnaryOp)) or \
                fresh_call(value, ctx.resolver) or isinstance(value, gast.Call) and (
                    n.dotted_path(value.func) in ('s2s.copy', 's2s.copy_lists') or
                    isinstance(value.func, gast.Attribute) and value.func.attr == 'copy' and
                    not value.args)
        if param in n.names_stored(stmt) or param in mutation.assigned_into([stmt]):
            return False
    return False


def _augmented(stmt):
    """Whether `stmt` is ``x = x + v`` made of ``x += v`` (in place on an array)."""
    return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name) and \
        isinstance(getattr(stmt, 'augmented_read', None), gast.Name)


def _separate(ctx, body, param):
    """``s2s.separate(param, message, *others)``: a check that the argument `param`, which the
    function writes into (and the derivative copies), shares no memory with the other
    arguments (``f(A, A)``, where the function sees its writes through both)."""
    others = [p for p in ctx.params if p != param]
    writes = [stmt for stmt in n.statements(body) if not n.blocks(stmt) and (
        param in mutation.assigned_into([stmt]) or
        _augmented(stmt) and stmt.augmented_read.id == param)]
    # (through an alias: its ``b += v`` (`aliasing`), else the function)
    aliased = getattr(ctx, '_updated_params', {})
    stmt = writes[0] if writes else aliased.get(param, ctx.source.node)
    lineno = getattr(stmt, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    names = ', '.join(f'`{p}`' for p in others)
    message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` writes into the '
               f'argument `{param}`, given an array that another argument ({names}) is, shares '
               f'or holds (the same array passed twice, or a view of it): the function sees '
               f'the write through both, and s2sgrad differentiates them as separate arrays; '
               f'pass a copy (`{param}.copy()`) to one of them')
    ctx.source.namespace.setdefault('s2s', runtime)
    return n.expr(n.call('s2s.separate', n.name(param), n.const(message),
                         *[n.name(p) for p in others]))


def mutated_names(body):
    """Variables changed in place: assigned into by subscript, or appended to, popped, filled
    (and, as the analysis has it, the receiver of ``s2s.add_at``), with their aliases."""
    return mutation.mutated(body, methods=_CHANGING, first_argument=(), aliases=True)


_CHANGING = frozenset({'append', 'pop', 'extend', 'insert', 'add_at', 'fill'})
_RESIZING = ('append', 'pop', 'extend', 'insert', 'remove', 'clear')
