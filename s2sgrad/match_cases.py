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
capture ``case other:`` (which binds the subject). A guard ``if ...`` joins the test with
``and``. A subject other than a name (or an attribute of one) is computed once, before the
chain. Sequence, mapping, class and star patterns, and a guard of a case that binds a name,
are refused with `UnsupportedSyntaxError` through ``ctx.unsupported``.
"""
import gast

from . import nodes as n

_ADVICE = ('write the `if`/`elif`/`else` chain it stands for (s2sgrad follows `match` on '
           'values: literals, dotted names, `None`/`True`/`False`, `|`, `as`, `_`)')


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
    if not _plain(subject):
        name = ctx.namer.fresh('subject')
        out.append(gast.copy_location(n.assign(name, subject), stmt))
        subject = n.name(name)
    branches = []  # (test or None for "always", body)
    for case in stmt.cases:
        test, bound = _test(ctx, stmt, case.pattern, subject)
        if case.guard is not None:
            if bound:
                raise ctx.unsupported(stmt, f'a `case` that binds `{bound[0]}` and has a guard '
                                            f'`if ...`; ' + _ADVICE, node=case.guard)
            test = case.guard if test is None else \
                gast.BoolOp(op=gast.And(), values=[test, case.guard])
        body = [gast.copy_location(n.assign(name, n.clone(subject)), case.pattern)
                for name in bound] + case.body
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
        bound = [pattern.name] if pattern.name else []
        if pattern.pattern is None:
            return None, bound
        test, inner = _test(ctx, stmt, pattern.pattern, subject)
        return test, inner + bound
    kinds = {'MatchSequence': 'a sequence pattern `[a, b]`',
             'MatchMapping': 'a mapping pattern `{key: value}`',
             'MatchClass': 'a class pattern `Point(x=...)`', 'MatchStar': 'a star pattern'}
    what = kinds.get(type(pattern).__name__, 'this pattern')
    raise ctx.unsupported(stmt, f'{what} in a `match` statement; ' + _ADVICE, node=pattern)


def _compare(subject, op, value):
    return gast.Compare(left=n.clone(subject), ops=[op], comparators=[value])
