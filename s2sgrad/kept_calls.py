"""Values made by a call and kept under a name that a rewrite reads as that call again.

``d = norm(mu, s)`` then ``d.logpdf(x)`` (`frozen_dists`), ``cube = partial(pw, p=3)`` then
``cube(x)`` (`partial_calls`): where the name is assigned once (in the body, a branch or a
loop), the names its call reads are not assigned after it in its block, and every read of the
name comes after it in that block and is one the rewrite replaces, the call can stand in each
read: its arguments computed once where the value was made (`computed_once`), in place of
the assignment.
"""
import gast

from . import nodes as n


def kept_calls(func, made, replaced):
    """``{name: assignment}`` of the names of `func`'s body kept as above: `made(call)` says
    whether a call makes such a value, `replaced` holds the ids of the Name nodes (reads) the
    rewrite replaces."""
    stores, reads = {}, {}
    for node in n.walk(func):
        if isinstance(node, gast.Name):
            counts = reads if isinstance(node.ctx, gast.Load) else stores
            counts.setdefault(node.id, []).append(node)
    found = {}
    for block in _blocks(func.body):
        for index, stmt in enumerate(block):
            if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                    isinstance(stmt.targets[0], gast.Name) and made(stmt.value)):
                continue
            name = stmt.targets[0].id
            later, after_ids = set(), set()
            for after in block[index + 1:]:
                later.update(n.names_stored(after))
                after_ids.update(id(node) for node in n.walk(after))
            # (in a branch or a loop too: every read after it in its block, so each sees
            # the value made there, in that run of the loop)
            if len(stores.get(name, ())) == 1 and \
                    all(id(read) in replaced and id(read) in after_ids
                        for read in reads.get(name, ())) and \
                    not set(n.names_read(stmt.value)) & later:
                found[name] = stmt
    return found


def _blocks(stmts):
    """`stmts` and the statement lists inside them (not those of nested functions)."""
    yield stmts
    for stmt in stmts:
        for _, block in n.blocks(stmt):
            yield from _blocks(block)


def computed_once(assign, namer, func):
    """``(statements, call)`` for a kept call's assignment `assign`: each argument that is
    not a constant or a (dotted) name computed once, where the value is made (``d_parameter = mu +
    noise``: Python computes the call's arguments once), and the call of them, which the
    rewrite puts in each read. `namer` names them; `func` is the function (whose own
    variables' attributes may change: ``self.scale``)."""
    call, statements = n.clone(assign.value), []
    local = set(n.names_stored(func)) | {a.id for a in func.args.args + func.args.kwonlyargs}
    local.update(a.id for a in (func.args.vararg, func.args.kwarg) if a is not None)

    def kept(value):
        path = n.dotted_path(value)
        if isinstance(value, (gast.Constant, gast.Name)) or \
                path is not None and path.split('.')[0] not in local:
            return value  # (a name, or an attribute of a module: ``np.average``)
        name = namer.fresh(assign.targets[0].id + '_parameter')
        statements.append(gast.copy_location(n.assign(name, value), assign))
        return n.name(name)
    call.args = [kept(arg) for arg in call.args]
    for keyword in call.keywords:
        keyword.value = kept(keyword.value)
    return statements, call


def replace_kept(func, kept, made):
    """Put in `func`'s body, for each kept name's assignment (`kept_calls`), the statements
    `computed_once` made for it (`made`, by name)."""
    by_statement = {id(kept[name]): made[name][0] for name in kept}

    def rewrite(block):
        for stmt in block:
            n.map_blocks(stmt, rewrite)
        return [new for stmt in block for new in by_statement.get(id(stmt), [stmt])]
    func.body = rewrite(func.body)


def starred(call):
    """Whether `call` passes ``*args`` or ``**kwargs``."""
    return any(isinstance(arg, gast.Starred) for arg in call.args) or \
        any(kw.arg is None for kw in call.keywords)
