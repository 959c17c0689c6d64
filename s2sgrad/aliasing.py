"""Private writes: a write through a view or alias gets a copy where that is sound, or is rejected.

`alias_analysis` finds, for every write, which definitions to copy and which arguments it
reaches; this pass inserts the copies (and the run-time checks the analysis asks for), or
turns an unsafe write into an error that names the line and the fix (``.copy()``).
"""
import ast
import re

import gast

from . import nodes as n
from . import runtime
from .activity import Activity
from .alias_analysis import AliasAnalysis, SharedItem, SharedList, Unsafe
from .alias_memory import INPLACE_FUNCTIONS, changes_receiver, out_arguments
from .logs import log_statements


def private_writes(ctx, body):
    """Make every write through a view or alias private, or reject it (see aliasing).

    A view written through, whose other holders are never read again, gets a copy where
    it is made (``y = s2s.copy(x[1:])``); arguments written into are copied by the prologue.
    """
    ctx._alias_params = set()
    ctx._updated_params = {}
    ctx._nested_params = set()
    if not has_writes(body, ctx.resolver):
        return body
    analysis = AliasAnalysis(body, ctx.params, ctx.resolver, runtime,
                             generated=(ctx.source.filename or '').startswith('<s2sgrad'),
                             active=Activity(body, ctx.wrt, ctx.resolver,
                                             getattr(ctx, 'closures', None)).active,
                             logs=log_statements(body, ctx),
                             flag=getattr(ctx, 'return_flag', None))
    try:
        copies, params = analysis.check()
    except Unsafe as error:
        raise _error(ctx, error, analysis) from None
    ctx._alias_params = params
    ctx._updated_params = analysis.updated_params
    ctx._nested_params = analysis.nested
    ctx.recent_sharers = analysis.recent_sharers()
    if copies:
        ctx.source.namespace.setdefault('s2s', runtime)
        body = _insert_copies(ctx, body, copies,
                              {} if analysis.generated else analysis.held_copies)
    if analysis.held_updates:
        body = n.place(body, {('before', key): _held_check(ctx, n.name(name), roots, stmt)
                              for key, (stmt, name, roots) in analysis.held_updates.items()})
    guards = list(analysis.guards)
    for stmt in n.statements(body):
        if id(stmt) in analysis.numbers:
            container = stmt.value.value if isinstance(stmt.value, gast.Subscript) else \
                stmt.value  # (``S, I = x_t``: its items are checked, against the row)
            for name in n.names_stored(stmt.targets[0]):
                guards.append(('after', stmt, name, _text(stmt.value),
                               n.dotted_path(container), analysis.numbers[id(stmt)]))
    if guards:
        body = _insert_guards(ctx, body, guards, _only_rebound(analysis))
    if analysis.item_guards:
        body = _insert_item_guards(ctx, body, analysis.item_guards)
    if analysis.number_items:
        body = _insert_number_item_guards(ctx, body, analysis.number_items)
    return body


def _insert_number_item_guards(ctx, stmts, writes):
    """``s2s.not_shared(state['n'], message)`` before each ``state['n'] = state['n'] + v``
    that stands for ``state['n'] += v`` where another live name may hold the item: right
    where the item is a number, which the update rebinds."""
    placed = {}
    names = n.all_names(ctx.source.node)
    for stmt, holders in writes:
        target = n.clone(stmt.targets[0])
        for node in n.walk(target):
            if hasattr(node, 'ctx'):
                node.ctx = gast.Load()
        lineno = getattr(stmt, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        holder = ' or '.join(f'`{h}`' for h in holders if h in names) or 'another name'
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` adds in place into '
                   f'an array item while {holder} (which may hold that array) is read '
                   f'afterwards: NumPy changes the array in place, so that name sees the '
                   f'change too, which s2sgrad does not follow; write `item = item + v` (a new '
                   f'array) or copy the items where the list or dict is made')
        placed.setdefault(('before', id(stmt)), []).append(
            n.expr(n.call('s2s.not_shared', target, n.const(message))))
    ctx.source.namespace.setdefault('s2s', runtime)
    return n.place(stmts, placed)


def _insert_item_guards(ctx, stmts, writes):
    """``s2s.alone_in(ys, i, message)`` before each ``ys[i] = ys[i] + v`` that stands for
    ``ys[i] += v`` on a list or dict: the update is in place on an array item, so no other
    item may share that array (a slice of a list is a new list: nothing to check)."""
    placed = {}
    for stmt in writes:
        target = stmt.targets[0]
        if any(isinstance(node, gast.Slice) for node in n.walk(target.slice)):
            continue
        lineno = getattr(stmt, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` adds in place into '
                   f'an array that another item of the list or dict also is or shares (`[a, '
                   f'a]`, `[np.zeros(3)] * n`), which that item would show; s2sgrad cannot '
                   f'differentiate an update seen through another item: give each item an '
                   f'array of its own (`[np.zeros(3) for _ in range(n)]`)')
        check = n.call('s2s.alone_in', n.clone(target.value), n.clone(target.slice),
                       n.const(message))
        placed.setdefault(('before', id(stmt)), []).append(n.expr(check))
    ctx.source.namespace.setdefault('s2s', runtime)
    return n.place(stmts, placed)


def _only_rebound(analysis):
    """The names of containers (``ws``) whose memory no write but the rebinding of one of
    their items (``ws[0] = v``: `_rebinds_item`) reaches: an item read from one of them keeps
    its array when that is a list's or a dict's (see `runtime_checks.not_shared`)."""
    rebinds = {}
    for stmt, _, memory, kind in analysis.writes:
        if kind == 'container' or not memory:
            continue  # (``ws.append(v)``: the list changes, no array)
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) and \
            len(stmt.targets) == 1 else None
        container = target.value.id if isinstance(target, gast.Subscript) and \
            isinstance(target.value, gast.Name) else None
        rebinds.setdefault(frozenset(memory), set()).add(
            container if container is not None and _rebinds_item(stmt, container) else None)
    found = set()
    for memory, containers in rebinds.items():
        if None in containers or len(containers) != 1:
            continue
        if all(not (memory & other) or other == memory for other in rebinds):
            found |= containers
    return found


def _insert_guards(ctx, stmts, guards, only_rebound=frozenset()):
    """``s2s.not_shared(t, message)`` before (or after) the statements that the analysis could
    prove safe only when a value is a number, not an array."""
    placed = {}
    assigned = set(n.names_stored(gast.Module(body=stmts, type_ignores=[])))
    unset = set()  # sharers that may be unbound at a check: None (shares nothing) first
    for where, stmt, guarded, shown, other, *write in guards:
        swapped = write == ['swap']
        reported = write[0] if write and not swapped else stmt
        lineno = getattr(reported, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        names = [name for name in (other if isinstance(other, tuple) else (other,)) if name]
        users = n.all_names(ctx.source.node)  # (not the normalizer's temporaries: `items`)
        sharer = ' or '.join(f'`{name}`' for name in
                             [name for name in names if name in users] or names)
        if shown not in users and re.sub(r'_\d+$', '', shown) in users:
            shown = re.sub(r'_\d+$', '', shown)  # (`lst_2`: a version of your `lst`)
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes an array '
                   f'that {sharer} shares (`{shown}` is an array, not a number); s2sgrad '
                   f'cannot differentiate a write through an alias: add `.copy()` where the '
                   f'array written into is made')
        if write and shown.isidentifier() and shown not in users:
            shown = _user_value(ctx, stmt) or shown  # (``P, Q = x[0]``: not `x_0`)
            if not any(name in users for name in names):
                sharer = f'`{shown}`'
        read_by_index = re.findall(r'[A-Za-z_]\w*', shown)
        if write and not swapped and guarded != shown and guarded in users and \
                guarded in _loop_targets(ctx.source.node) and \
                read_by_index and not set(read_by_index[1:]) <= set(users):
            # (``for p in ps: p *= 2.0``: `p` is ``ps[i_2]``, an index the user never wrote)
            holder = read_by_index[0]
            if holder not in users and re.sub(r'_\d+$', '', holder) in users:
                holder = re.sub(r'_\d+$', '', holder)  # (`params_2`: a version of `params`)
            shown_holder = f'`{holder}`' if holder in users else 'the sequence the loop visits'
            # (``for w in [a, b]``: a display, named by the normal form only)
            message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes in '
                       f'place the array that `{guarded}`, an item of {shown_holder}, is (an '
                       f'array, not a number); s2sgrad does not follow the items of a list (or '
                       f'rows of an array) changed in place through the loop variable: ' + (
                           f'build the new list (`{holder} = [... for {guarded} in {holder}]`) '
                           f'or write the items by index (`{holder}[i] = {holder}[i] ...`)'
                           if holder in users else
                           f'compute new arrays (`{guarded}_new = {guarded} * ...`) and bind '
                           f'them to the names that should hold them, or keep the arrays in a '
                           f'list of yours and write its items by index (`ws[i] = ws[i] ...`)'))
        elif write and not swapped and guarded != shown and guarded in users:
            # (``a = x[0]``, then ``x[0] = x[1]``: `a` is the view the write changes)
            if not set(re.findall(r'[A-Za-z_]\w*', shown)) <= set(users):
                # (``y = (x, 1.0)[0]``: not the normal form's `items[0]`, but your line's)
                shown = _user_value(ctx, stmt) or shown
                if not any(name in users for name in names):
                    sharer = 'an array'
            message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes '
                       f'{sharer}, which `{guarded}` (`{guarded} = {shown}`) shares: `{shown}` '
                       f'is an array, not a number (a view), read afterwards as `{guarded}`; '
                       f's2sgrad cannot differentiate a write seen through a view: make '
                       f'`{guarded}` a copy (`{guarded} = {shown}.copy()`)')
        elif write and not swapped and guarded != shown:
            message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes '
                       f'{sharer}, while `{shown}` is an array, not a number (a view), read '
                       f'before the write and after it; s2sgrad cannot differentiate a write '
                       f'seen through a view: copy it where it is read (`{shown}.copy()`)')
        if swapped:  # (``u, w = w, u``: the names hold one array here)
            message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes an '
                       f'array that {sharer} also holds here; s2sgrad cannot differentiate a '
                       f'write through an alias: give each name an array of its own (add '
                       f'`.copy()` where the arrays are made or handed over)')
        others = [n.name(name) for name in names if name.isidentifier()]
        unset.update(name for name in names if name in assigned and
                     name not in _assigned_before(stmts, stmt, ctx.params))
        check = n.call('s2s.not_shared', n.name(guarded), n.const(message), *others)
        if write and not swapped and other in only_rebound and _rebinds_item(write[0], other):
            # (``a0 = ws[0]``, then ``ws[0] = v``: of a list or dict, the item is replaced,
            # and `a0` keeps the old one; of an array, `v` is written into its row `a0`)
            check.keywords.append(gast.keyword(arg='rebound', value=n.const(True)))
        check = n.expr(check)
        placed.setdefault((where, id(stmt)), [])
        if not any(n.dotted_path(c.value.args[0]) == guarded
                   for c in placed[(where, id(stmt))]):
            placed[(where, id(stmt))].append(check)
    ctx.source.namespace.setdefault('s2s', runtime)
    return [n.assign(name, n.const(None)) for name in sorted(unset)] + n.place(stmts, placed)


def _loop_targets(node):
    """The names the ``for`` loops (and comprehensions) of the user's function `node` bind."""
    return {name for sub in n.walk(node) if isinstance(sub, (gast.For, gast.comprehension))
            for name in n.names_stored(sub.target)}


def _user_value(ctx, stmt):
    """The text of the value your line of `stmt` assigns (``x[0]`` of ``P, Q = x[0]``), or
    None."""
    lineno = getattr(stmt, 'lineno', None)
    try:
        tree = ast.parse(ctx.source.lines[lineno - 1].strip())
    except (SyntaxError, TypeError, IndexError):
        return None
    first = tree.body[0] if tree.body else None
    return ast.unparse(first.value) if isinstance(first, ast.Assign) else None


def _rebinds_item(write, container):
    """Whether `write` is ``container[index] = v`` (no slice, not ``container[index] += v``,
    which adds in place into an array item): it rebinds the item of a list or dict."""
    if not (isinstance(write, gast.Assign) and len(write.targets) == 1):
        return False
    target = write.targets[0]
    return isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) and \
        target.value.id == container and not getattr(write, 'augmented_item', False) and \
        not any(isinstance(node, gast.Slice) for node in n.walk(target.slice))


def _assigned_before(stmts, stmt, params):
    """The names certainly bound when `stmt` (in `stmts` or a block nested in them) runs:
    `params` and the targets of the statements before it in its block and in the blocks
    around it (not those of a branch, or of an earlier iteration of a loop)."""
    bound = set(params)
    for current in stmts:
        if current is stmt:
            return bound
        inner = [block for _, block in n.blocks(current)
                 if any(s is stmt for s in n.statements(block))]
        if inner:
            return bound | _assigned_before(inner[0], stmt, ())
        if isinstance(current, gast.Assign):
            bound.update(n.names_stored(current))
    return bound


def _definition(binding, analysis):
    """The statement that definition `binding` (``('def', id, name)``) is, where it assigns a
    value, or None."""
    stmt = analysis.defs.get(binding[1], (None,))[0] if binding[0] == 'def' else None
    return stmt if getattr(stmt, 'value', None) is not None else None


def _expression_of(name, stmt, analysis):
    """```C[i]``` for a name s2sgrad made for the subexpression ``C[i]`` of your code (one
    definition reaching `stmt`), or None."""
    defs = [b for b in analysis.reach[id(stmt)].get(name, ()) if b[0] == 'def'] \
        if name is not None else []
    made = _definition(defs[0], analysis) if len(defs) == 1 else None
    return f'`{_text(made.value)}`' if made is not None else None


def _reason_shown(ctx, error, analysis):
    """`error`'s reason, where the other name it gives is one s2sgrad made (``y_item`` of
    ``y[1::2]``), with the expression that name holds in your code and its line instead."""
    sharer = getattr(error, 'sharer', None)
    if sharer is None or sharer[2] in n.all_names(ctx.source.node):
        return error.reason
    made = _definition(sharer, analysis)
    if made is None or getattr(made, 'lineno', None) is None:
        return error.reason
    shown = f'`{_text(made.value)}` (line {made.lineno})'
    return error.reason.replace(f'`{sharer[2]}`', shown, 1)


def _container_display(value):
    """Whether `value` makes a list, tuple or dict (a display, ``list(...)``)."""
    return isinstance(value, (gast.List, gast.Tuple, gast.Dict, gast.ListComp,
                              gast.DictComp)) or \
        isinstance(value, gast.Call) and n.dotted_path(value.func) in ('list', 'dict', 'tuple')


def _text(node):
    return ast.unparse(gast.gast_to_ast(n.clone(node)))


def _list_error(ctx, error):
    """The error for a list changed in length while another live name holds it."""
    names = n.all_names(ctx.source.node)  # (not the normalizer's temporaries)
    holders = [h for h in error.holders if h in names and h != error.name]
    holder = f'`{holders[0]}`' if holders else 'another name'
    change = 'reordered' if error.method == 'reverse' else 'changed in length'
    what = f'the list `{error.name}` {change}' if error.name in names else \
        f'a list held in another {change}'  # (``lst[1].append(v)``)
    return ctx.unsupported(
        error.stmt, f'{what} (`.{error.method}`) while {holder}, which holds it or is it, '
                    f'is read afterwards: the backward sweep follows a list by its name, so '
                    f'the derivative through {holder} would miss the change; finish the list '
                    f'before putting it into a tuple, list or namedtuple, or use one name for '
                    f'it', node=error.stmt)


def _item_error(ctx, error):
    """The error for ``ys[i] += v`` into an array item that another live name holds."""
    names = n.all_names(ctx.source.node)
    holders = [f'`{h}`' for h in error.holders if h in names]
    holder = ' or '.join(holders) if holders else 'another name'
    # (the analysis follows a list's items together: each name of an item may be the one)
    shown = error.name if error.name in names else 'items'
    container = f'`{shown}`' if shown != 'items' else 'a list or dict'
    return ctx.unsupported(
        error.stmt, f'an augmented assignment into an item of {container} while {holder} '
                    f'(which may hold that array) is read afterwards: NumPy adds into the '
                    f'array in place, so that name sees the change too, which s2sgrad does '
                    f'not follow; write `{shown}[...] = {shown}[...] + v` (a new array) or '
                    f'copy the items where the list is made', node=error.stmt)


def _error(ctx, error, analysis):
    if isinstance(error, SharedList):
        return _list_error(ctx, error)
    if isinstance(error, SharedItem):
        return _item_error(ctx, error)
    name = error.name
    made, made_value = '', None
    if name is not None:
        for binding in sorted(analysis.reach[id(error.stmt)].get(name, ()),
                              key=lambda b: str(b)):
            if binding[0] == 'def':
                stmt = analysis.defs.get(binding[1], (None,))[0]
                lineno = getattr(stmt, 'lineno', None)
                if lineno and lineno != getattr(error.stmt, 'lineno', None):
                    text = ctx.source.lines[lineno - 1].strip()
                    where = ' of the generated code' if (
                        ctx.source.filename or '').startswith('<s2sgrad') else ''
                    made = f' (made on line {lineno}{where}: `{text}`)'
                    made_value = getattr(stmt, 'value', None)
                    break
    what = f'`{name}`' if name and name in n.all_names(ctx.source.node) else \
        _expression_of(name, error.stmt, analysis) or 'an array'
    reason = _reason_shown(ctx, error, analysis)
    if name and name not in analysis.local:  # (``CALLS[0] += 1``: a module's counter)
        return ctx.unsupported(
            error.stmt, f'a write into `{name}`, which the function does not own (a global '
                        f'or a variable of an enclosing function): the derivative cannot undo '
                        f'changes outside the function; keep counters and caches outside the '
                        f'differentiated function, or pass the array in and return the new '
                        f'value')
    keyed = _keyed_store(error.stmt)
    if keyed is not None and not (ctx.source.filename or '').startswith('<s2sgrad'):
        # (``layer['W'] = ...`` of a dict a list holds: no array is written, the dict changes)
        shown = f'`{name}`' if name and name in n.all_names(ctx.source.node) else 'a dict'
        return ctx.unsupported(
            error.stmt, f'a change to the item {keyed!r} of {shown}{made}, {error.reason}: the '
                        f'backward sweep follows a dict by its name, so the change seen '
                        f'through the other name is not followed; build a new list of new '
                        f'dicts (`new = dict(layer)`, `new[{keyed!r}] = ...`, '
                        f'`new_layers.append(new)`) and use it')
    err = ctx.unsupported(error.stmt, f'a write into {what}{made}, {reason}')
    if (ctx.source.filename or '').startswith('<s2sgrad'):  # (a gradient differentiated again)
        err.construct_message = err.msg = (
            f'{err.construct_message}: this is a gradient s2sgrad made, differentiated again; '
            f'it writes back into arrays the values it kept of them (`a[...] = a_old`, of a '
            f'loop that writes into an array), which the analysis cannot tell apart from the '
            f'arrays its lists hold. '
            f'Second derivatives of such loops are not supported (README, "Known limits"): '
            f'write the array anew instead of into it (`buf = np.concatenate([[v], '
            f'buf[:-1]])`, `np.where`), or use first derivatives')
        return err
    chained = _chained_write(ctx, error.stmt)
    sharer = error.sharer[2] if error.sharer and error.sharer[2] in n.all_names(
        ctx.source.node) and _array_binding(ctx, error.sharer, analysis) else None
    path = what.strip('`')
    if isinstance(made_value, gast.Attribute) and n.dotted_path(made_value) is not None:
        path = n.dotted_path(made_value)  # (``v = box.w``, then ``v[0] = x``: `box.w`)
    if sharer is not None and path.startswith(sharer + '.') and \
            path.replace('.', '_').isidentifier():
        # (``box.w[0] = v``: an attribute of the object, which no index of `box` reaches)
        sharer = None
        written = what.strip('`')
        copy = written if written.isidentifier() else path.split('.')[-1]
        advice = (f'write into a copy of the attribute (`{copy} = {path}.copy()`, then '
                  f'`{copy}[...] = ...`)')
    else:
        advice = 'add `.copy()` where the array written into is made'
    advice = advice if sharer is None else (
        f'write into `{sharer}` itself, indexed (`{sharer}[...] = ...`), where it should see '
        f'the write (the derivative follows that); add `.copy()` where the array written into '
        f'is made only where `{sharer}` should not see it (a copy changes what the function '
        f'computes where it does)')
    advice = advice if chained is None else (
        f'`{chained[0]}` writes into the row `{chained[1]}`, a view, where s2sgrad cannot tell '
        f'that `{chained[2]}` is an array; write `{chained[3]}` (the same write, into the '
        f'array), or make `{chained[2]}` where s2sgrad sees that it is one '
        f'(`np.array(..., dtype=float)`, `.astype(float)`)')
    err.construct_message = err.msg = (
        f'{err.construct_message}: writes through views and aliases (slices, `.T`, '
        f'`.reshape`, `np.asarray`, lists holding the array, ...) are not supported; '
        f'{advice}')
    return err


def _array_binding(ctx, binding, analysis):
    """Whether `binding` holds an array made in the function, or is an argument that is no
    object a method is bound to (``self``): one that can be written into by index, not a
    list holding the array or an item unpacked from one."""
    memory = analysis.mem.get(binding, set())
    if not memory or memory & (analysis.container | analysis.lists):
        return False
    if binding[0] == 'param':
        return binding[2] not in getattr(ctx, 'receivers', {}) and \
            all(loc[0] == 'P' for loc in memory)
    return memory <= analysis.arrays


def _chained_write(ctx, stmt):
    """For a write that is a chained one in your source (``A[i][j] = v``): its target's
    text, the row's (``A[i]``), the array's name and the target with the indexes joined
    (``A[i, j]``); else None."""
    lineno = getattr(stmt, 'lineno', None)
    containers = {target.id for node in n.walk(ctx.source.node)
                  if isinstance(node, gast.Assign) and _container_display(node.value)
                  for target in node.targets if isinstance(target, gast.Name)}
    for node in n.walk(ctx.source.node):
        if getattr(node, 'lineno', None) != lineno or \
                not isinstance(node, (gast.Assign, gast.AugAssign)):
            continue
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        for target in targets:
            parts, base = [], target
            while isinstance(base, gast.Subscript):
                parts.insert(0, base.slice)
                base = base.value
            if len(parts) < 2 or not isinstance(base, gast.Name) or base.id in containers or \
                    any(isinstance(node, gast.Slice) for part in parts[:-1]
                        for node in n.walk(part)):
                continue  # (``lst[0][1] = v`` of a list, ``A[:, 1][0]``: no joined index)
            texts = [', '.join(_text(elt) for elt in part.elts)
                     if isinstance(part, gast.Tuple) else _text(part) for part in parts]
            return (f'{base.id}[' + ']['.join(texts) + ']', f'{base.id}[{texts[0]}]', base.id,
                    f'{base.id}[{", ".join(texts)}]')
    return None


def _keyed_store(stmt):
    """The string key of ``d['W'] = v`` (a store into a dict by a constant key), else None."""
    target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
    if isinstance(target, gast.Subscript) and isinstance(target.slice, gast.Constant) and \
            isinstance(target.slice.value, str):
        return target.slice.value
    return None


def _insert_copies(ctx, stmts, copies, held=None):
    """`stmts` with the definitions `copies` (statement ids) made copies: ``y = s2s.copy(v)``,
    through a new view name when `v` is an expression (``y_view = x[1:]``). Where the value
    copied may be an argument's memory (`held`: id -> (those arguments, the write)), a check
    first that no other argument is, shares or holds it (`_held_check`)."""
    out = []
    for stmt in stmts:
        if id(stmt) in copies:
            # (the statement itself is changed, not replaced: a guard the analysis placed
            # at it, `_insert_guards`, finds it by its identity)
            target, value = stmt.targets[0].id, stmt.value
            lineno = getattr(stmt, 'lineno', None)
            if not n.is_atom(value):
                view = ctx.namer.fresh(target + '_view')
                out.append(n.assign(view, value, lineno))
                value = n.name(view)
            if held and id(stmt) in held:
                out.extend(_held_check(ctx, value, *held[id(stmt)]))
            stmt.value = n.call('s2s.copy', value)
            out.append(stmt)
            continue
        n.map_blocks(stmt, lambda block: _insert_copies(ctx, block, copies, held))
        out.append(stmt)
    return out


def _held_check(ctx, value, roots, write):
    """``s2s.separate(value, message, *others)``: the array `value`, which `write` writes
    into and which the arguments `roots` may hold (``m.buf``, ``ws[0]``), is not what a
    differentiated argument is or holds (``f(x, M(x))``, ``f(x, [x])``): the function would
    see the write through that argument, which the derivative takes as given. [] where no
    other argument is differentiated."""
    others = [p for p in ctx.wrt if p in ctx.params and p not in roots]
    if not others or not isinstance(value, gast.Name):
        return []
    lineno = getattr(write, 'lineno', None)
    text = ctx.source.lines[lineno - 1].strip() if lineno else ''
    names = ', '.join(f'`{p}`' for p in others)
    given = ' or '.join(f'`{p}`' for p in roots)
    message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` writes into an array '
               f'that the argument {given} holds, and the differentiated argument ({names}) is '
               f'or holds it too, which would see the write: pass a copy (`.copy()`) to one')
    return [n.expr(n.call('s2s.separate', n.clone(value), n.const(message),
                          *[n.name(p) for p in others]))]


def has_writes(body, resolver):
    """Whether `body` writes through any name (cheap test before the analysis; `resolver`
    tells a ufunc's positional outputs, ``np.multiply(a, 2.0, a)``)."""
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign) and (isinstance(stmt.targets[0], gast.Subscript) or
                                              hasattr(stmt, 'augmented_read')):
            return True
        for node in n.walk(stmt):
            if isinstance(node, gast.Call) and (
                    out_arguments(node, resolver) or
                    isinstance(node.func, gast.Attribute) and
                    (changes_receiver(node) or node.func.attr in INPLACE_FUNCTIONS)):
                return True
    return False
