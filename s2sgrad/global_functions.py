"""Variables holding functions the derivative was made for (``ACT = np.tanh``): checked.

A global or closure variable may be rebound after the gradient was made (``ACT = np.sin``)
while the derivative was made for the function it held then: one holding a library function
the function reads (``ACT(x)``), a ``functools.partial``, or a function of the user's that it
reads other than in a call whose derivative follows the variable (`live.LiveHelper`):
``layer(x, ACT)``, ``ACT is soft``, ``sorted(xs, key=lambda v: ACT(v))``. The generated code
reads such a variable as the function does, when it runs, and first checks that it still
holds that function: ``s2s.check_bound(ACT, np.tanh, 'ACT', 'f')`` raises S2SError otherwise
(`runtime_checks.check_bound`); so is an attribute of a module or class of the user's holding
a library function (``cfg.ACT(x)``). Not checked: a global its module binds once, by a
statement of its body, that imports it, defines it (``def soft``) or assigns it the function
of that name (``solve_triangular = scipy.linalg.solve_triangular``), as with imports (where
the module's text is not at hand, a global named as its function); modules and classes.
"""
import builtins
import functools
import inspect
import os
import types

import gast

from . import nodes as n
from . import runtime
from .rules import LIBRARY_MODULES, has_rule, is_library
from .sourcefiles import parse_file


def bound_functions(ctx):
    """``[(var, function)]``, sorted: the variables the function `ctx.source` reads that the
    generated code reads live and checks (the module docstring)."""
    source = ctx.source
    if getattr(source.func, '__s2sgrad__', None) is not None:
        return []  # (generated code differentiated again: it has the checks, `_checked`)
    globals_ = source.globals or {}
    reads = set(n.names_read(source.node)) - _local_names(source.node)
    found = []
    for var in sorted(reads):
        if var in ctx.names.bindings or var in ctx.helper_cells or var == 's2s':
            continue
        in_cell = var in source.cells
        value = source.namespace.get(var)
        if not in_cell and var not in globals_ or getattr(builtins, var, None) is value:
            # (a built-in the code reads under its name: checked where the module's text
            # binds the name too, ``def max(a, b)`` below the function, run afterwards)
            if not in_cell and callable(value) and _bound_in_module(source, var):
                found.append((var, value))
            continue
        followed = var in ctx.live_names and var not in ctx.bound_where
        if not _library_function(value) and not (_users_function(value) and (
                not followed or _read_as_value(source.node, var))):
            continue
        if in_cell or _assigned_in_module(source, var, value):
            found.append((var, value))
    return found + _held_attributes(ctx, reads)


def _held_attributes(ctx, reads):
    """``[('cfg.ACT', function)]`` for each ``cfg.ACT`` the function reads where `cfg` is a
    module or a class of the user's whose attribute holds a library function (not under the
    function's own name) or a partial: read when the code runs (a module's attribute may be
    set from anywhere), as the primal reads it, so checked as a variable."""
    found = {}
    for node in n.walk(ctx.source.node):
        if not (isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load) and
                isinstance(node.value, gast.Name) and node.value.id in reads and
                node.value.id not in ctx.names.bindings):
            continue
        holder = ctx.source.namespace.get(node.value.id)
        if isinstance(holder, types.ModuleType):
            if (holder.__name__ or '').split('.')[0] in LIBRARY_MODULES:
                continue
            value = getattr(holder, node.attr, None)
        elif isinstance(holder, type) and \
                (holder.__module__ or '').split('.')[0] not in LIBRARY_MODULES:
            value = inspect.getattr_static(holder, node.attr, None)
            value = value.__func__ if isinstance(value, staticmethod) else value
        else:
            continue
        if _library_function(value) and not isinstance(value, types.ModuleType) and \
                getattr(value, '__name__', None) != node.attr:  # (``functools.reduce``: its
            # function under its own name, as an import)
            found[f'{node.value.id}.{node.attr}'] = value
    return sorted(found.items(), key=lambda item: item[0])


def _users_function(value):
    """A function of the user's, or a gradient of a bound method (``g2 =
    s2sgrad.grad(model.loss)``, called as ``g2.__func__(g2.__self__, t)``: checked)."""
    if isinstance(value, types.MethodType) and \
            getattr(value.__func__, '__s2sgrad__', None) is not None:
        return True
    return inspect.isfunction(value) and not _library_function(value)


def _read_as_value(node, var):
    """Whether function `node` reads `var` other than to call it (``layer(x, ACT)``, ``ACT
    is soft``, ``sorted(xs, key=ACT)``): the derivative was made for the function it held
    then. (A call ``ACT(x)`` that the derivative makes through `live.LiveHelper`, which puts
    `var` in ``ctx.live_names``, follows a rebinding; one it does not, in a key function
    ``lambda v: ACT(v)``, is checked.)"""
    called = {id(call.func) for call in n.walk(node) if isinstance(call, gast.Call)}
    return any(isinstance(name, gast.Name) and name.id == var and
               isinstance(name.ctx, gast.Load) and id(name) not in called
               for name in n.walk(node))


def _library_function(value):
    """A function whose derivative is a rule's (NumPy's, SciPy's, one given a rule: a
    function, a ufunc, a built-in, NumPy's dispatchers of ``np.sum``, a method such as
    ``np.add.reduce``), or a ``functools.partial`` (of any function: the derivative was made
    for its function and arguments); not a function of the user's, a class or a module."""
    if type(value) is functools.partial:
        return True
    if not callable(value) or isinstance(value, (type, types.ModuleType)):
        return False
    if inspect.isfunction(value):
        return is_library(value) or has_rule(value)
    owner = getattr(value, '__self__', None)
    return inspect.isbuiltin(value) or type(value).__name__ == 'ufunc' or \
        has_rule(value) or is_library(value) or \
        type(owner).__name__ == 'ufunc'  # (``np.add.reduce``)


def _local_names(node):
    args = node.args
    params = args.posonlyargs + args.args + args.kwonlyargs + \
        [a for a in (args.vararg, args.kwarg) if a is not None]
    return set(n.names_stored(node)) | {a.id for a in params}


def _assigned_in_module(source, var, value):
    """Whether global `var` of the module of `source` is a variable, which may be rebound: not
    when the module's text binds it exactly once, by a statement of the module's body itself
    (not in a branch, a loop or a function declaring it ``global``), that imports it (``from
    numpy import tanh``) or assigns it the function of that name (``solve_triangular =
    scipy.linalg.solve_triangular``): such a name is the function's, as an import is (another
    module rebinding it is not followed). Also a variable when the module's text is not the
    function's file."""
    named = getattr(value.func if type(value) is functools.partial else value, '__name__', '')
    own = named == var and type(value) is not functools.partial
    module_file = (source.globals or {}).get('__file__')
    if not module_file or not source.filename or \
            os.path.abspath(module_file) != os.path.abspath(source.filename):
        return not own  # (a notebook's cells: ``from numpy import tanh`` in one of them)
    parsed, _ = parse_file(source.filename)
    if parsed is None:
        return not own
    declared, bound = parsed.derived(module_bindings)
    if var in declared:
        return True
    bindings = bound.get(var, [])
    if not bindings and own and any(
            isinstance(stmt, gast.ImportFrom) and any(a.name == '*' for a in stmt.names)
            for stmt in parsed.module.body):
        return False  # (``from numpy import *``)
    if len(bindings) != 1:
        return True
    top = bindings[0]
    if isinstance(top, (gast.Import, gast.ImportFrom, gast.FunctionDef)):
        return top not in parsed.module.body
    return not own or not any(
        isinstance(stmt, gast.Assign) and stmt.targets == [top] or
        isinstance(stmt, gast.AnnAssign) and stmt.target is top for stmt in parsed.module.body)


def _bound_in_module(source, var):
    """Whether the text of the module of `source` (its file) binds or deletes `var`
    anywhere at its level or in a function declaring it ``global``."""
    module_file = (source.globals or {}).get('__file__')
    if not module_file or not source.filename or \
            os.path.abspath(module_file) != os.path.abspath(source.filename):
        return False
    parsed, _ = parse_file(source.filename)
    if parsed is None:
        return False
    declared, bound = parsed.derived(module_bindings)
    return var in declared or var in bound


def module_bindings(parsed):
    """``(declared, bound)`` of a ParsedFile: the names a ``global`` statement anywhere in it
    declares, and for each name the nodes of its module level (`_module_level`) that bind or
    delete it, in order. Made once per file (`ParsedFile.derived`): the checks read it for
    each variable of each function differentiated."""
    declared = {var for node in gast.walk(parsed.module) if isinstance(node, gast.Global)
                for var in node.names}
    bound = {}
    for node in _module_level(parsed.module.body):
        for var in dict.fromkeys(_bound_names(node)):  # (``import a, a``: the node once)
            bound.setdefault(var, []).append(node)
    return declared, bound


def _bound_names(node):
    """The names `node` (of a module's level) binds or deletes."""
    if isinstance(node, (gast.Import, gast.ImportFrom)):
        return [alias.asname or alias.name.split('.')[0] for alias in node.names]
    if isinstance(node, gast.Name):
        return [] if isinstance(node.ctx, gast.Load) else [node.id]
    if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
        return [node.name]
    return []


def _module_level(stmts):
    """The nodes of module-level statements, not those inside function or class bodies
    (whose names are local) nor comprehensions (except what a walrus there binds)."""
    stack = list(reversed(stmts))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                             gast.GeneratorExp)):
            stack.extend(child.target for child in gast.walk(node)
                         if isinstance(child, gast.NamedExpr))
            continue
        stack.extend(reversed(list(gast.iter_child_nodes(node))))


def bound_guards(ctx, bound, reach):
    """``s2s.check_bound(ACT, np.tanh, 'ACT', 'f')`` for each of `bound` (`bound_functions`);
    the variables are read live (`ctx.live_names`). `reach(value, var)`: an expression for
    the function the derivative was made for."""
    ctx.live_names.update(_checked(ctx.source.node))
    made_from = getattr(ctx.source.func, '__code__', None)
    if made_from is not None:  # (generated code differentiated again: where its checks point)
        ctx.bound_where.update(runtime.BOUND_LOCATIONS.get(made_from, {}))
    guards = []
    reads = sorted((node for node in n.walk(ctx.source.node)
                    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and
                    getattr(node, 'lineno', None) is not None),
                   key=lambda node: (node.lineno, node.col_offset))
    for var, value in bound:
        root, _, attr = var.partition('.')
        if not attr:
            ctx.live_names.add(var)
        held = n.attr(root, attr) if attr else n.name(var)  # (``cfg.ACT``: read when it runs)
        first = next((node for node in reads if node.id == root), None)
        ctx.bound_where[var] = ctx.where(first, node=first) if first is not None else None
        if type(value) is functools.partial:  # (its arguments are read from it: `partial_calls`)
            guard = n.expr(n.call('s2s.check_partial', held, reach(value.func, attr or var),
                                  n.const(len(value.args)),
                                  gast.Tuple(elts=[n.const(k) for k in sorted(value.keywords)],
                                             ctx=gast.Load()),
                                  n.const(var), n.const(ctx.source.name)))
        else:
            guard = n.expr(n.call('s2s.check_bound', held, reach(value, attr or var),
                                  n.const(var), n.const(ctx.source.name)))
        guard.no_inline = {root}
        guards.append(guard)
    return guards


def _checked(node):
    """The variables that the checks in generated code `node` (differentiated again) test: it
    reads them live too, and the checks stay in its code."""
    return {call.args[0].id for call in n.walk(node)
            if isinstance(call, gast.Call) and n.dotted_path(call.func) in CHECKS
            and call.args and isinstance(call.args[0], gast.Name)}


CHECKS = ('s2s.check_bound', 's2s.check_partial')
"""The checks of variables this module writes."""
