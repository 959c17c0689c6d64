"""A ``match`` statement of value patterns rewritten as the ``if``/``elif`` chain it means.

::

    match mode:                      if mode == 'l1':
        case 'l1':                       r = np.abs(x)
            r = np.abs(x)      ->      elif mode == 'l2' or mode == 'sq':
        case 'l2' | 'sq':                r = x ** 2
            r = x ** 2                 else:
        case _:                          r = x
            r = x

Patterns followed: values (literals, ``-1``, dotted names such as ``Mode.FAST``), compared with
``==`` as Python does; ``None``, ``True`` and ``False``, compared with ``is``; alternatives
``|``; ``... as name`` (the body starts with ``name = subject``); the wildcard ``_`` and a bare
capture ``case other:`` (which binds the subject); sequences of those without a star (``case
(3, m):``: ``s2s.sequence_of(subject, 2) and subject[0] == 3``, then ``m = subject[1]``). A
guard ``if ...`` joins the test with ``and``. A subject other than a name (or an attribute of
one) is computed once, before the chain; it reads the names a case binds as the parts of the
subject they are bound to. Mapping, class and star patterns, and a guard that assigns a name
its case binds, are refused with `UnsupportedSyntaxError` through ``ctx.unsupported``.
"""
import gast

from . import nodes as n
from . import runtime

_ADVICE = ('write the `if`/`elif`/`else` chain it stands for (s2sgrad follows `match` on '
           'values: literals, dotted names, `None`/`True`/`False`, `|`, `as`, `_`, and '
           'sequences of them without a star)')


def rewrite_matches(ctx, func):
    """Rewrite, in place, each ``match`` statement of the FunctionDef `func` (and of the
    functions it defines) as an ``if``/``elif`` chain; `ctx` names fresh variables and
    makes the errors."""
    if not hasattr(gast, 'Match'):  # (Python before 3.10 has no `match`)
        return

    def block(stmts):
        out = []
        for stmt in stmts:
            n.map_blocks(stmt, block, functions=True)
            if isinstance(stmt, gast.Match):
                for case in stmt.cases:
                    case.body = block(case.body)
                out.extend(_chain(ctx, stmt))
            else:
                out.append(stmt)
        return out
    func.body = block(func.body)


def _chain(ctx, stmt):
    """The statements that `stmt`, a ``match``, stands for."""
    out, subject = [], stmt.subject
    bound = {node.name for case in stmt.cases for node in n.walk(case.pattern)
             if isinstance(node, gast.MatchAs) and node.name}
    if not _plain(subject) or set(n.names_read(subject)) & bound:
        # (computed once; and kept under a name of its own where a case binds the subject's
        # name, ``case (pair, w):`` of `pair`: the later parts read the subject, not the part)
        name = ctx.namer.fresh('subject')
        out.append(gast.copy_location(n.assign(name, subject), stmt))
        subject = n.name(name)
    branches = []  # (test or None for "always", body)
    for case in stmt.cases:
        test, bound = _test(ctx, stmt, case.pattern, subject)
        if case.guard is not None:
            guard = _bound_in(case.guard, dict(bound))  # (``if m > 1``: ``subject[1] > 1``)
            if guard is None:
                raise ctx.unsupported(stmt, f'a `case` that binds `{bound[0][0]}` and has a guard '
                                            f'`if ...` that assigns it; ' + _ADVICE,
                                      node=case.guard)
            test = guard if test is None else \
                gast.BoolOp(op=gast.And(), values=[test, guard])
        body = [gast.copy_location(n.assign(name, value), case.pattern)
                for name, value in bound] + case.body
        branches.append((test, body, case.pattern))
        if test is None:  # (irrefutable: Python allows no case after it)
            break
    chain = []
    for test, body, pattern in reversed(branches):
        if test is None:
            chain = body
        else:
            chain = [gast.copy_location(gast.If(test=test, body=body, orelse=chain), pattern)]
    return out + chain


def _bound_in(guard, values):
    """`guard` reading, for each name a case binds, the part of the subject it is bound to
    (`values`: name -> expression), as Python evaluates the guard after binding them; None
    where the guard assigns one of them (``if (m := m + 1)``)."""
    if not values:
        return guard
    if any(isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) and
           node.id in values for node in n.walk(guard)):
        return None

    class Reads(gast.NodeTransformer):
        def visit_Name(self, node):
            return gast.copy_location(n.clone(values[node.id]), node) \
                if node.id in values else node
    return Reads().visit(n.clone(guard))


def _plain(node):
    """Whether `node` is a name or a dotted attribute of one (read again at no cost)."""
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name)


def _test(ctx, stmt, pattern, subject):
    """``(test, bound)``: the expression that is true where `pattern` matches `subject` (None
    where it always does) and the names the pattern binds to the subject."""
    if isinstance(pattern, gast.MatchValue):
        return _compare(subject, gast.Eq(), pattern.value), []
    if isinstance(pattern, gast.MatchSingleton):
        return _compare(subject, gast.Is(), n.const(pattern.value)), []
    if isinstance(pattern, gast.MatchOr):
        tests = []
        for option in pattern.patterns:
            test, bound = _test(ctx, stmt, option, subject)
            if bound or test is None:
                raise ctx.unsupported(stmt, 'an alternative `|` that binds a name or is `_`; ' +
                                      _ADVICE, node=option)
            tests.append(test)
        return gast.BoolOp(op=gast.Or(), values=tests), []
    if isinstance(pattern, gast.MatchAs):
        bound = [(pattern.name, n.clone(subject))] if pattern.name else []
        if pattern.pattern is None:
            return None, bound
        test, inner = _test(ctx, stmt, pattern.pattern, subject)
        return test, inner + bound
    if isinstance(pattern, gast.MatchSequence) and \
            not any(isinstance(p, gast.MatchStar) for p in pattern.patterns):
        # (``case (3, m):``: a sequence of two items, the first 3, the second bound to `m`)
        ctx.source.namespace.setdefault('s2s', runtime)
        tests = [n.call('s2s.sequence_of', n.clone(subject), n.const(len(pattern.patterns)))]
        bound = []
        for k, item in enumerate(pattern.patterns):
            at = gast.Subscript(value=n.clone(subject), slice=n.const(k), ctx=gast.Load())
            test, inner = _test(ctx, stmt, item, at)
            tests += [test] if test is not None else []
            bound += inner
        test = tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.And(), values=tests)
        return test, bound
    kinds = {'MatchSequence': 'a sequence pattern with a star `[a, *rest]`',
             'MatchMapping': 'a mapping pattern `{key: value}`',
             'MatchClass': 'a class pattern `Point(x=...)`', 'MatchStar': 'a star pattern'}
    what = kinds.get(type(pattern).__name__, 'this pattern')
    raise ctx.unsupported(stmt, f'{what} in a `match` statement; ' + _ADVICE, node=pattern)


def _compare(subject, op, value):
    return gast.Compare(left=n.clone(subject), ops=[op], comparators=[value])
