"""Optimize pass: fold constants, simplify algebra, propagate copies, inline, remove dead code.

Run on a generated function; the result computes the same values with fewer, clearer lines:
``d * 2 * x ** (2 - 1)`` becomes ``d * 2 * x``, an unused primal value is never computed,
and a temporary used once on the next line is written inline. Each sub-pass has its module
(`folding`, `copies`, `dead_code`, `inlining`, `simplify`); this one runs them in rounds
until a round changes nothing.
"""
import gast

from . import nodes as n
from .copies import copy_propagate, drop_copy_backs
from .dead_code import clean, dead_code, unused_stacks
from .folding import fold_block
from .inlining import inline, sink_copies
from .mutation import mutated
from .simplify import simplify

MAX_ROUNDS = 50
"""A bound on the rounds of `optimize`, far above what any function needs: reaching it means
that two sub-passes undo each other's work, an internal error."""


def optimize(func, keep=(), same_shape=None, declared=None, resolver=None, stacks=None,
             changed=(), lists=(), data=()):
    """Optimize FunctionDef `func` in place and return it; names in `keep` are never renamed.

    `same_shape(a, b)`, when given, tells that variables `a` and `b` always share a shape.
    `declared` maps parameters to declared shapes (tuples of int or named sizes): the
    algebraic rules (`simplify`) use them. `resolver` (a `resolve.Resolver`) tells what the
    names of the generated code denote (without one, the rules that call functions are off).
    `stacks` names the lists that the reverse pass saves values on (see
    `dead_code.unused_stacks`). `changed` names variables that are changed in place
    although no statement here writes into them by that name (arrays the alias analysis
    found shared with one written: `alias_analysis.recent_sharers`). `lists` names variables
    that hold lists or tuples (``*`` repeats them, ``+`` concatenates). `data` names the
    parameters not differentiated (see `simplify`). The rounds stop at the first that
    changes nothing.
    """
    params = [a.id for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
    params += [a.id for a in (func.args.vararg, func.args.kwarg) if a is not None]
    same_shape = same_shape or (lambda a, b: a == b)
    changed = mutated(func.body) | set(changed)
    returned = set(n.names_read(func.body[-1])) if func.body and isinstance(
        func.body[-1], gast.Return) else set()
    keep = set(keep) | returned
    simplifying = True
    before = _fingerprint(func.body)
    for _ in range(MAX_ROUNDS):
        func.body = fold_block(func.body, same_shape, changed)
        func.body = drop_copy_backs(func.body)
        func.body = copy_propagate(func.body, keep)
        func.body, _ = dead_code(func.body, set(), remove=True, local=set())
        if simplifying:  # the rules are costly: again only while they change the code
            unsimplified = _size(func.body)
            func.body = simplify(func.body, params, declared, keep, resolver, changed, lists,
                                 data)
            simplifying = _size(func.body) != unsimplified
        func.body = unused_stacks(func.body, stacks)
        func.body = inline(func.body, keep)
        func.body = sink_copies(func.body, keep)
        func.body = clean(func.body)
        after = _fingerprint(func.body)
        if after == before:
            return func
        before = after
    raise RuntimeError(f'internal error: the optimizer did not settle on `{func.name}` in '
                       f'{MAX_ROUNDS} rounds')


def _fingerprint(stmts):
    """`nodes.fingerprint` of the statements `stmts`."""
    return n.fingerprint(gast.Module(body=stmts, type_ignores=[]))


def _size(stmts):
    """Statements plus Name nodes: every transformation here lowers one of the two."""
    statements = names = 0
    name_class, statement_class = gast.Name, gast.stmt
    for node in n.walk(gast.Module(body=stmts, type_ignores=[])):
        if node.__class__ is name_class:
            names += 1
        elif isinstance(node, statement_class):
            statements += 1
    return statements, names
