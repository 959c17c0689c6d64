"""Split motion: a user function's VJP cut into the forward part and the backward part.

The VJP of a called user function ``g`` runs its forward sweep, then its backward sweep
(``dgdx(x, *, bg)``). Called that way from a caller's backward sweep, the forward sweep runs
a second time (the caller's forward sweep ran ``g`` already): joint motion. In split motion
the caller's forward sweep calls ``g_fwd(x)``, which runs the forward sweep once and returns
the value and what the backward part reads, ``return y, (x, t, t_stack)``; the caller keeps
that (on its own stacks in loops) and its backward sweep calls ``dgdx_bwd(saved, bg=by)``.
No primal runs twice, and a recursion costs what its primal costs.

The reverse pass marks where the forward sweep ends (`MARKER`, an expression statement that
also reads the function's result, so that the result is computed); after the optimiser ran,
`split` cuts the optimised VJP there. What the backward part reads before it assigns it is
what the forward part returns (a liveness analysis, `dead_code`, gives it exactly), so the
two functions compute what the VJP computes.
"""
import gast

from . import nodes as n
from .activity import target_names
from .dead_code import clean, dead_code

MARKER = '_s2sgrad_end_of_forward_sweep'
"""The call whose expression statement marks the end of a VJP's forward sweep."""


def marker(result):
    """The statement that marks the end of the forward sweep and reads `result`."""
    return n.expr(n.call(MARKER, n.clone(result)))


def _is_marker(stmt):
    return isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
        n.dotted_path(stmt.value.func) == MARKER


def without_marker(node):
    """The VJP FunctionDef `node` without its marker; the result, then unread, is not
    computed any more."""
    at = _marker_index(node)
    node.body = node.body[:at] + node.body[at + 1:]
    node.body, _ = dead_code(node.body, set(), remove=True, local=set(n.names_stored(
        node.args)) | set(n.names_stored(gast.Module(body=node.body, type_ignores=[]))))
    node.body = clean(node.body)  # (a block whose statements all went: no block)
    return node


def _marker_index(node):
    found = [i for i, stmt in enumerate(node.body) if _is_marker(stmt)]
    if len(found) != 1:
        raise RuntimeError(f'internal error: the forward sweep of `{node.name}` has '
                           f'{len(found)} end markers')
    return found[0]


def split(node, seed_name, names, namer):
    """The forward and backward FunctionDefs made from the VJP FunctionDef `node` (which
    keeps its marker; see `without_marker`); `seed_name` is its seed keyword, `names` the
    pair of function names, `namer` gives the name of the saved values' parameter."""
    at = _marker_index(node)
    body = [n.clone(stmt) for stmt in node.body]  # (the VJP keeps its own statements)
    forward, backward = body[:at], body[at + 1:]
    result = body[at].value.args[0]
    params = [a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs
              if a.id != seed_name]
    params += [a.id for a in (node.args.vararg, node.args.kwarg) if a is not None]
    _, live = dead_code(backward, set(), remove=False)
    made = set(params)
    for stmt in n.statements(forward):
        made.update(_stored(stmt))
    saved = sorted(live & made - {seed_name})
    unset = [v for v in saved if v not in _definitely_assigned(forward, params)]
    # values assigned on some paths only: read backward only on those paths (the VJP reads
    # them where it is defined), but the return reads them on every path
    prelude = [n.assign(v, n.const(None)) for v in unset]
    comments = 0
    while comments < len(forward) and n.is_comment(forward[comments]):
        comments += 1
    fwd_args = n.clone(node.args)
    fwd_args.kwonlyargs = [a for a in fwd_args.kwonlyargs if a.id != seed_name]
    fwd_args.kw_defaults = fwd_args.kw_defaults[:len(fwd_args.kwonlyargs)]
    values = n.tuple_([n.name(v) for v in saved])
    fwd = gast.FunctionDef(
        name=names[0], args=fwd_args,
        body=forward[:comments] + prelude + forward[comments:] +
        [gast.Return(value=n.tuple_([n.clone(result), values]))],
        decorator_list=[], returns=None, type_comment=None, type_params=[])
    saved_param = namer.fresh('saved')
    unpack = [n.assign(n.tuple_([n.name(v, store=True) for v in saved], store=True),
                       n.name(saved_param))] if saved else []
    seed = n.name(seed_name)
    seed.ctx = gast.Param()
    param = n.name(saved_param)
    param.ctx = gast.Param()
    bwd_args = gast.arguments(args=[param], posonlyargs=[], vararg=None, kwonlyargs=[seed],
                              kw_defaults=[None], kwarg=None, defaults=[])
    bwd = gast.FunctionDef(name=names[1], args=bwd_args, body=unpack + backward,
                           decorator_list=[], returns=None, type_comment=None,
                           type_params=[])
    return fwd, bwd


def _stored(stmt):
    if isinstance(stmt, gast.Assign):
        return target_names(stmt.targets[0])
    if isinstance(stmt, gast.For):
        return n.names_stored(stmt.target)
    return []


def _definitely_assigned(stmts, params):
    """The names that every path through `stmts` assigns (or the parameters)."""
    done = set(params)
    for stmt in stmts:
        if isinstance(stmt, gast.Assign):
            done.update(target_names(stmt.targets[0]))
        elif isinstance(stmt, gast.If):
            done |= _definitely_assigned(stmt.body, ()) & _definitely_assigned(stmt.orelse, ())
    return done
