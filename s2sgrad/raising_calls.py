"""Calls that can only raise (of an attribute holding None, or a missing method): a raise."""
import gast

from . import nodes as n
from .dispatch import SIMPLE, source_text


def raise_calls_of_none(func, lines):
    """Replace, in place, each simple statement of `func` that calls an object's attribute
    that held None when the transformation ran (``z = self.act(z)`` where ``self.act =
    None``, usually under ``if self.act is not None:``), or a method its class has not (in
    a branch of `dispatch_by_class`, under the user's ``if isinstance(layer, Linear):``), by
    the ``raise`` of the TypeError or AttributeError Python would raise there: its
    derivative is never needed. `lines`: the source lines, to name the call."""
    def rewrite(block):
        out = []
        for stmt in block:
            split = _split_conditional(stmt)
            if split is not None:  # ``z = self.act(z) if self.act else z``
                split.body, split.orelse = rewrite(split.body), rewrite(split.orelse)
                out.append(split)
                continue
            calls = [node for node in n.walk(stmt, skip=_conditional) if _raises(node)] \
                if isinstance(stmt, SIMPLE) else []
            if not calls:
                out.append(stmt)
                continue
            text = source_text(calls[0].func, lines)
            missing = getattr(calls[0], 'calls_missing', None)
            if missing is not None:
                error, message = 'AttributeError', (
                    f"'{missing.__name__}' object has no attribute "
                    f"'{calls[0].func.attr}': `{text}` (if it has one now, call s2sgrad.grad "
                    f"again)")
            else:
                error, message = 'TypeError', (
                    f"'NoneType' object is not callable: `{text}` held None when the "
                    f"gradient was made (if it holds a function now, call s2sgrad.grad again)")
            out.append(gast.copy_location(gast.Raise(
                exc=n.call(error, n.const(message)), cause=None), stmt))
        return out
    for node in list(n.walk(func)):
        n.map_blocks(node, rewrite, functions=node is func)


def raise_missing_module_functions(func, namespace, lines):
    """Replace each simple statement of `func` that calls a module's function the module has
    not (``np.trapz(F, x)`` under NumPy 2.4, in the branch a version check skips) by the
    ``raise`` of the AttributeError Python would raise there: its derivative is never
    needed, and the other branch is differentiated."""
    import types

    def missing(call):
        path = n.dotted_path(call.func) if isinstance(call, gast.Call) else None
        if not path or '.' not in path:
            return None
        root, *parts = path.split('.')
        obj = namespace.get(root)
        if not isinstance(obj, types.ModuleType) or root in local:
            return None
        for part in parts:
            if not isinstance(obj, types.ModuleType):
                return None
            if not hasattr(obj, part):
                return obj, part
            obj = getattr(obj, part)
        return None

    def rewrite(block):
        out = []
        for stmt in block:
            split = _split_conditional(stmt, lambda node: missing(node) is not None)
            if split is not None:  # ``np.trapezoid(y) if hasattr(np, 'trapezoid') else ...``
                known = _module_has(split.test, namespace, local)
                if known is not None:  # (the branch that runs, as the test is known)
                    out.extend(rewrite(split.body if known else split.orelse))
                    continue
                split.body, split.orelse = rewrite(split.body), rewrite(split.orelse)
                out.append(split)
                continue
            found = [(node, missing(node)) for node in n.walk(stmt, skip=_conditional)] \
                if isinstance(stmt, SIMPLE) else []
            found = [(node, gone) for node, gone in found if gone is not None]
            if not found:
                out.append(stmt)
                continue
            call, (module, attr) = found[0]
            message = (f"module '{module.__name__}' has no attribute '{attr}': "
                       f"`{source_text(call.func, lines)}`")
            out.append(gast.copy_location(gast.Raise(
                exc=n.call('AttributeError', n.const(message)), cause=None), stmt))
        return out
    local = set(n.names_stored(func))
    _KnownBranch(namespace, local).visit(func)  # (``2.0 * (np.trapezoid(y) if ... else ...)``)
    for node in list(n.walk(func)):
        n.map_blocks(node, rewrite, functions=node is func)


class _KnownBranch(gast.NodeTransformer):
    """Replaces each conditional expression whose test `_module_has` knows by the branch
    that runs, wherever it stands in an expression."""

    def __init__(self, namespace, local):
        self.namespace, self.local = namespace, local

    def visit_IfExp(self, node):
        self.generic_visit(node)
        known = _module_has(node.test, self.namespace, self.local)
        if known is None:
            return node
        return node.body if known else node.orelse


def _module_has(test, namespace, local):
    """The value of `test` where it is ``hasattr(m, 'name')`` (or its ``not``) of a module
    `m` of `namespace`, known when the code is transformed; else None."""
    import types
    negated = isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not)
    call = test.operand if negated else test
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and
            call.func.id == 'hasattr' and namespace.get('hasattr', hasattr) is hasattr and
            call.func.id not in local and len(call.args) == 2 and not call.keywords and
            isinstance(call.args[0], gast.Name) and call.args[0].id not in local and
            isinstance(call.args[1], gast.Constant) and isinstance(call.args[1].value, str)):
        return None
    module = namespace.get(call.args[0].id)
    if not isinstance(module, types.ModuleType):
        return None
    return hasattr(module, call.args[1].value) != negated


def _split_conditional(stmt, raises=None):
    """For ``z = a if c else b`` (or ``return a if c else b``) where `a` or `b` makes a call
    that raises (`raises(node)`, by default `_raises`), the ``if c: z = a else: z = b`` that
    computes the same; None for other statements."""
    raises = raises or _raises
    value = getattr(stmt, 'value', None)
    if not isinstance(stmt, (gast.Assign, gast.Return)) or \
            not isinstance(value, gast.IfExp) or not any(
                raises(node) for part in (value.body, value.orelse) for node in n.walk(part)):
        return None
    branches = []
    for part in (value.body, value.orelse):
        branch = n.clone(stmt)
        branch.value = part
        branches.append(branch)
    return gast.copy_location(gast.If(test=value.test, body=branches[:1],
                                      orelse=branches[1:]), stmt)


def _raises(node):
    """Whether `node` is a call that raises (of an attribute holding None, or of a method
    the object's class has not)."""
    return getattr(node, 'calls_none', False) or getattr(node, 'calls_missing', None) is not None


def _conditional(node):
    """Whether `node` is evaluated only on a condition within its statement (a conditional
    expression, ``and``/``or``, a lambda, a comprehension): a call of None there may not run,
    and is left to the derivative rules (which refuse it)."""
    return isinstance(node, (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp,
                             gast.SetComp, gast.DictComp, gast.GeneratorExp))
