"""Bind the arguments of a call to the parameters of a derivative template (both modes).

Takes a rule template (`rules.Template`: params, kwonly, vararg, defaults, label) and the
positional and keyword argument nodes of a call; gives ``{parameter: argument node}``, or raises
the context's `unsupported` error, which names the statement, when the call does not fit.
"""
import operator

import gast

from . import nodes as n
from . import rules
from .templating import OPERATORS, displays_as_arrays


def bind_arguments(ctx, stmt, template, args, keywords, label=None):
    """``{parameter: node}`` for a call of `template`'s function with `args` and `keywords`;
    parameters the call leaves out take the template's defaults (`ans` is never bound).
    `label`: the function's name for messages (a template may serve several: ``min``)."""
    label = label or template.label
    params = [p for p in template.params if p != 'ans' and p not in template.kwonly]
    bindings = {}
    positional = list(args)
    for param in params:
        if positional:
            bindings[param] = positional.pop(0)
    if template.vararg:
        bindings[template.vararg] = n.tuple_(positional)
        positional = []
    if positional:
        raise ctx.unsupported(stmt, f'{len(positional)} extra positional arguments '
                                    f'to `{label}`')
    for kw in keywords:
        if kw.arg is not None and kw.arg == template.vararg and not bindings[kw.arg].elts:
            # ``np.transpose(x, axes=(1, 0))``: a template's ``*axes`` also stands for the
            # function's parameter of that name, which takes the same values as one sequence
            bindings[kw.arg] = n.tuple_([kw.value])
            continue
        if kw.arg not in template.params:
            raise ctx.unsupported(stmt, f'the keyword argument `{kw.arg}` of '
                                        f'`{label}`')
        bindings[kw.arg] = kw.value
    for param in template.params:
        if param != 'ans' and param not in bindings and param in template.defaults:
            bindings[param] = n.clone(template.defaults[param])
    if template.vararg and template.vararg not in bindings:
        bindings[template.vararg] = n.tuple_([])
    missing = [p for p in template.params if p != 'ans' and p not in bindings]
    if missing:
        raise ctx.unsupported(
            stmt, f'this form of `{label}` (its rule needs the argument '
                  f'`{missing[0]}`, which the call does not pass)')
    return bindings


def rule_bindings(ctx, stmt, func, template, args, keywords, is_active):
    """``(bindings, broadcasting)`` for a call of `func` whose rule is `template`: for a
    broadcasting function (an operator, a ufunc), list displays of active values are bound
    as arrays (`is_active(name)` says which variables are differentiated)."""
    name = getattr(func, '__name__', None)
    label = name if name and template.label.rsplit('.', 1)[-1] != name else None
    bindings = bind_arguments(ctx, stmt, template, args, keywords, label)
    broadcasting = rules.is_broadcasting(func) or func in OPERATORS.values()
    if broadcasting:
        bindings = displays_as_arrays(template, bindings, is_active)
    return bindings, broadcasting


def lists_read_as_arrays(ctx, func, template, bindings, is_active):
    """The list and tuple variables (``xs = [x, y]``) that a call of `func`, a function of an
    array library or an arithmetic operator other than ``+`` and ``*`` (``x / w``), passes for
    array parameters: NumPy reads ``np.sort(xs)`` as ``np.sort(np.asarray(xs))``, and so must
    its rule's expressions, which read `xs` as an array (``s2s.asarray(xs)``; the derivative
    in `xs` is still its list of items)."""
    arithmetic = func in OPERATORS.values() and func not in (operator.add, operator.mul)
    if not (rules.reads_lists_as_arrays(func) or arithmetic) or \
            not str(template.namespace.get('__name__', '')).startswith('s2sgrad.'):
        return frozenset()  # (``xs + ys``, ``xs * n``: concatenation, repetition)
    lists = getattr(ctx, 'list_names', ())
    found = set()
    for param, value in bindings.items():
        if param in rules.SEQUENCE_PARAMETERS or param in rules.AXIS_PARAMETERS:
            continue
        elts = value.elts if param == template.vararg and isinstance(value, gast.Tuple) \
            else [value]
        found.update(e.id for e in elts if isinstance(e, gast.Name) and e.id in lists)
    return frozenset(found)
