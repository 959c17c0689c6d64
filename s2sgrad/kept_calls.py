"""Values made by a call and kept under a name that a rewrite reads as that call again.

``d = norm(mu, s)`` then ``d.logpdf(x)`` (`frozen_dists`), ``cube = partial(pw, p=3)`` then
``cube(x)`` (`partial_calls`): where the name is assigned once, in the function's body (not
in a loop or a branch), the names its call reads are not assigned after it, and every read of
the name is one the rewrite replaces, the call can stand in each read: its arguments computed
once where the value was made (`computed_once`), in place of the assignment.
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
    for index, stmt in enumerate(func.body):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], gast.Name) and made(stmt.value)):
            continue
        name = stmt.targets[0].id
        later = set()
        for after in func.body[index + 1:]:
            later.update(n.names_stored(after))
        if len(stores.get(name, ())) == 1 and \
                all(id(read) in replaced for read in reads.get(name, ())) and \
                not set(n.names_read(stmt.value)) & later:
            found[name] = stmt
    return found


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
    func.body = [new for stmt in func.body for new in by_statement.get(id(stmt), [stmt])]


def starred(call):
    """Whether `call` passes ``*args`` or ``**kwargs``."""
    return any(isinstance(arg, gast.Starred) for arg in call.args) or \
        any(kw.arg is None for kw in call.keywords)
