"""Dead code: values nothing reads, pushes onto stacks nothing pops, blocks left empty."""
import inspect

import gast

from . import nodes as n
from . import runtime_checks
from .activity import target_names
from .mutation import CHANGING_METHODS
from .randomness import draws

IMPURE_FUNCTIONS = {'print', 'exec', 'eval', 'input', 'open', 'setattr', 'delattr'}
"""Built-in functions whose calls have effects: a value computed with one is never dropped."""
CHECKS = frozenset(name for name, value in vars(runtime_checks).items()
                   if inspect.isfunction(value) and not name.startswith('_') and
                   value.__code__.co_filename == runtime_checks.__file__) | {'no_derivative'}
"""Runtime helpers that check what they are given and raise (``s2s.seed`` of a result that
is no scalar, ``s2s.no_derivative`` of an argument no rule differentiates): a value one
computes is never dropped, even where a gradient differentiated again needs none of it."""


def pure(expr):
    """Whether evaluating `expr` has no effect: it calls no changing method
    (`mutation.CHANGING_METHODS`), no function of `IMPURE_FUNCTIONS`, nothing that draws
    random numbers (`randomness.draws`: a draw dropped would shift the draws after it) and
    nothing `call_effects.mark_effects` marked."""
    for node in n.walk(expr):
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and func.attr in CHANGING_METHODS:
                return False
            if isinstance(func, gast.Name) and func.id in IMPURE_FUNCTIONS:
                return False
            if isinstance(func, gast.Attribute) and func.attr in CHECKS and \
                    n.dotted_path(func) == 's2s.' + func.attr:
                return False
            if draws(node) or getattr(node, 'effects', False):
                return False  # (`call_effects.mark_effects`: ``first = next(it)``)
    return True


def dead_code(stmts, live_out, remove, memo=None, local=None):
    """`stmts` without the assignments of values nothing reads (when `remove`), and the
    names live before them given those live after (`live_out`). `memo` (id -> (node, names
    it reads)) keeps what one call found for the calls it makes: they change which
    statements there are, never a statement's expressions. An assignment into an object's
    attribute stays where the object is read afterwards (a method, a property may read the
    attribute: ``self.training = False``, then ``self.keep``), or where the object is not
    one of the names `local` (None: all names are). The optimiser gives no names: another
    variable may name the object (``for m in ms: m.s = 3.0``, then ``ms[0].s``). The
    backward part of a VJP (`split_motion`) gives all of its names: the caller's forward
    sweep made those changes already."""
    memo = {} if memo is None else memo

    def reads(node):
        found = memo.get(id(node))
        if found is None:
            found = memo[id(node)] = (node, set(n.names_read(node)))
        return found[1]
    live = set(live_out)
    out = []
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript) or _kept_attribute(target, live, local):
                live |= reads(stmt)
                out.append(stmt)
                continue
            defs = set(target_names(target))
            if remove and (not (defs & live) and pure(stmt.value) or n.is_self_copy(stmt)):
                continue
            live = (live - defs) | reads(stmt.value)
            out.append(stmt)
        elif isinstance(stmt, gast.If):
            body, live_body = dead_code(stmt.body, live, remove, memo, local)
            orelse, live_else = dead_code(stmt.orelse, live, remove, memo, local)
            stmt.body, stmt.orelse = body, orelse
            live = live_body | live_else | reads(stmt.test)
            out.append(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            header = reads(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
            loop_live = set(live) | header
            while True:
                _, body_in = dead_code(stmt.body, loop_live, False, memo, local)
                if isinstance(stmt, gast.For):
                    body_in = body_in - set(target_names(stmt.target))
                new = loop_live | body_in
                if new == loop_live:
                    break
                loop_live = new
            if remove:
                stmt.body, _ = dead_code(stmt.body, loop_live, True, memo, local)
            live = loop_live
            out.append(stmt)
        elif isinstance(stmt, gast.FunctionDef):
            if remove and stmt.name not in live:
                continue
            live = (live - {stmt.name}) | reads(stmt)
            out.append(stmt)
        else:
            live |= reads(stmt)
            out.append(stmt)
    out.reverse()
    return out, live


def _kept_attribute(target, live, local):
    """Whether an assignment to `target` stores into an attribute of an object read
    afterwards (its root name `live`) or of one that is not the function's (`local`; None:
    all names are)."""
    for part in n.walk(target):
        if not isinstance(part, gast.Attribute):
            continue
        root = part
        while isinstance(root, (gast.Attribute, gast.Subscript)):
            root = root.value
        if not isinstance(root, gast.Name) or root.id in live or \
                local is not None and root.id not in local:
            return True
    return False


def unused_stacks(stmts, stacks=None):
    """Drop pushes onto the stacks that are never popped (and the stacks themselves).

    `stacks`: the names of the stacks (the lists the reverse pass saves values on); without
    it, every name that ends in ``_stack``.
    """
    module = gast.Module(body=stmts, type_ignores=[])
    popped, pushed = set(), set()
    for node in n.walk(module):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name):
            if node.func.attr == 'pop':
                popped.add(node.func.value.id)
            elif node.func.attr == 'append':
                pushed.add(node.func.value.id)
    if stacks is None:
        dead = {name for name in pushed - popped if name.endswith('_stack')}
    else:
        dead = (pushed - popped) & set(stacks)
    if not dead:
        return stmts

    def strip(block):
        result = []
        for stmt in block:
            if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and \
                    isinstance(stmt.value.func, gast.Attribute) and \
                    isinstance(stmt.value.func.value, gast.Name) and \
                    stmt.value.func.value.id in dead:
                continue
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    stmt.targets[0].id in dead:
                continue
            n.map_blocks(stmt, strip)
            result.append(stmt)
        return result
    return strip(stmts)


def clean(stmts, read=None):
    """`stmts` without ``pass``, and without the ``if`` and ``for`` statements whose blocks hold
    nothing but comments (an ``if`` with an empty body tests the negation for its ``else``);
    a ``for`` whose variable is read (anywhere: `read`) stays, with ``pass``, for its last
    value (``for i in range(3): pass``, then ``x[i]``)."""
    if read is None:
        read = set(n.names_read(gast.Module(body=stmts, type_ignores=[])))
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.body = clean(stmt.body, read)
            stmt.orelse = clean(stmt.orelse, read)
            body_empty = not _code(stmt.body)
            else_empty = not _code(stmt.orelse)
            if body_empty and else_empty:
                continue
            if body_empty:
                stmt.test = negate(stmt.test)
                stmt.body, stmt.orelse = stmt.orelse, []
            elif else_empty:
                stmt.orelse = []
        elif isinstance(stmt, gast.For):
            stmt.body = clean(stmt.body, read)
            if not _code(stmt.body):
                if not set(target_names(stmt.target)) & read:
                    continue
                stmt.body = [gast.Pass()]
        elif isinstance(stmt, gast.While):
            stmt.body = clean(stmt.body, read) or [gast.Pass()]
        elif isinstance(stmt, gast.Pass):
            continue
        out.append(stmt)
    return out


def _code(stmts):
    return [s for s in stmts if not n.is_comment(s)]


def negate(test):
    """``not test``, or the operand of a test that is a negation already."""
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)
