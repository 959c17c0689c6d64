"""A loop's ``else`` clause rewritten as a flag the loop's ``break`` sets.

Python runs a ``for``/``while`` loop's ``else`` block when the loop ends without ``break``.
The rewrite says so in the code a person would write::

    for i in range(n):              broke = False
        if done(i):                 for i in range(n):
            break          ->           if done(i):
    else:                                   broke = True
        fallback()                          break
                                    if not broke:
                                        fallback()

A loop with no ``break`` of its own runs its ``else`` block always: the block follows the
loop. A ``break`` of a loop nested in the body belongs to that loop; one in a nested loop's
``else`` block belongs to the outer loop, which the inner loop's rewrite (done first) makes
plain. A ``return`` in the body leaves the function, so the block after the loop is not
reached, as Python's ``else`` is not.
"""
import gast

from . import nodes as n


def rewrite_loop_else(func, namer):
    """Rewrite, in place, each loop with an ``else`` clause in the FunctionDef `func` (and in
    the functions it defines); `namer` gives the flags' fresh names."""
    def block(stmts):
        out = []
        for stmt in stmts:
            n.map_blocks(stmt, block, functions=True)
            if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
                out.extend(_without_else(stmt, namer))
            else:
                out.append(stmt)
        return out
    func.body = block(func.body)


def _without_else(loop, namer):
    """`loop` (its blocks already rewritten) and its ``else`` block as plain statements."""
    orelse, loop.orelse = loop.orelse, []
    if not any(True for _ in _own_breaks(loop.body)):
        return [loop] + orelse
    flag = namer.fresh('broke')
    loop.body = _flagged(loop.body, flag)
    init = gast.copy_location(n.assign(flag, n.const(False), loop.lineno), loop)
    test = gast.UnaryOp(op=gast.Not(), operand=n.name(flag))
    after = gast.copy_location(gast.If(test=test, body=orelse, orelse=[]), orelse[0])
    return [init, loop, after]


def _own_breaks(stmts):
    """The ``break`` statements of `stmts` that leave the loop whose body `stmts` is."""
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            yield stmt
        elif not isinstance(stmt, (gast.For, gast.While)):  # (their `else`: rewritten)
            for _, inner in n.blocks(stmt):
                yield from _own_breaks(inner)


def _flagged(stmts, flag):
    """`stmts` with ``flag = True`` before each of the enclosing loop's own ``break``."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            out.append(gast.copy_location(n.assign(flag, n.const(True), stmt.lineno), stmt))
        elif not isinstance(stmt, (gast.For, gast.While)):
            n.map_blocks(stmt, lambda inner: _flagged(inner, flag))
        out.append(stmt)
    return out
