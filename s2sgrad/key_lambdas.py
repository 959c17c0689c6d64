"""Key functions written as lambdas (``min(range(n), key=lambda i: losses[i])``): which
variables of the function they may read, and their parameters renamed apart from those."""
import builtins

import gast

from . import nodes as n
from .mutation import CHANGING_METHODS, FIRST_ARGUMENT_CHANGED

_LIBRARIES = frozenset({'np', 'numpy', 'math', 'scipy', 'cmath', 'statistics', 's2s'})
"""Modules whose functions change no argument but through ``out=`` (s2sgrad's runtime, `s2s`, of
generated code differentiated again: but for ``s2s.add_at``'s first argument)."""


def stable_names(root, start=0):
    """The names of the FunctionDef `root` bound once (a parameter not assigned again, or a
    variable assigned once, outside loops) and never changed in place, but by the statements
    of its body before the one at position `start` (which fill a dict before a key function
    reads it: ``d = {'a': x[0]}`` is ``d = dict()``, then ``d['a'] = x[0]``, by then): a key
    function reading only them, called from the statement at `start` on, orders the items
    alike in both sweeps. A name is taken to change where it is the root of a subscript or
    attribute assigned or deleted, the receiver of a changing method (``append``, ``sort``,
    ...), an ``out=`` argument, or an argument of a call of anything but a built-in or a
    function of NumPy, math or SciPy (one of yours may write into it)."""
    statements = root.body if isinstance(root.body, list) else [root.body]
    body = gast.Module(body=statements, type_ignores=[])
    lambdas = {id(node) for node in n.walk(body) if isinstance(node, gast.Lambda)}
    nodes = list(n.walk(body, skip=lambda node: id(node) in lambdas))
    defining = (gast.Lambda, gast.FunctionDef)  # (a function defined there may run later)
    before = {id(node) for stmt in statements[:start] if not isinstance(stmt, defining)
              for node in n.walk(stmt, skip=lambda node: isinstance(node, defining))}
    args = root.args
    count = {a.id: 1 for a in args.posonlyargs + args.args + args.kwonlyargs +
             [a for a in (args.vararg, args.kwarg) if a is not None]}
    changed = set()
    for node in nodes:
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            count[node.id] = count.get(node.id, 0) + (1 if isinstance(node.ctx, gast.Store)
                                                      else 2)
        elif id(node) in before:
            continue  # (a change before the key function is made)
        elif isinstance(node, (gast.Subscript, gast.Attribute)) and \
                not isinstance(node.ctx, gast.Load):
            changed.add(_root(node))
        elif isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and func.attr in CHANGING_METHODS:
                changed.add(_root(func.value))
            if isinstance(func, gast.Attribute) and func.attr in FIRST_ARGUMENT_CHANGED and \
                    node.args:
                changed.add(_root(node.args[0]))
            changed |= {_root(k.value) for k in node.keywords if k.arg == 'out'}
            if not _library_call(func):
                changed |= {_root(arg.value if isinstance(arg, gast.Starred) else arg)
                            for arg in node.args} | {_root(k.value) for k in node.keywords}
    for loop in nodes:  # (bound in a loop: bound again at each step)
        if isinstance(loop, (gast.For, gast.While)):
            for node in n.walk(loop, skip=lambda node: id(node) in lambdas):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    count[node.id] = count.get(node.id, 0) + 1
    return {name for name, times in count.items() if times == 1} - changed


def _library_call(func):
    """Whether `func` (a call's function) is a built-in or a function of a library module
    (``np.sum``, ``math.exp``), which changes no argument but through ``out=``."""
    if isinstance(func, gast.Name):
        return hasattr(builtins, func.id)
    path = n.dotted_path(func)
    return path is not None and path.split('.')[0] in _LIBRARIES


def _root(node):
    """The name at the root of `node` (``x`` of ``x[0].a``), or None."""
    while isinstance(node, (gast.Subscript, gast.Attribute)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def rename_apart(lam, taken):
    """Rename, in place, the parameters of the Lambda `lam` that are names of `taken` (the
    function's variables): ``lambda i: x[i]`` in ``i = min(range(n), key=lambda i: x[i])``
    reads ``lambda i_key: x[i_key]``, so no pass mistakes one for the other."""
    used = set(taken) | set(n.all_names(lam))
    renamed = {}
    for arg in lam.args.args + lam.args.kwonlyargs:
        if arg.id in taken:
            fresh, k = f'{arg.id}_key', 2
            while fresh in used:
                fresh, k = f'{arg.id}_key{k}', k + 1
            used.add(fresh)
            renamed[arg.id] = fresh
            arg.id = fresh
    for node in n.walk(lam.body):  # (no scope inside: see `plain_key`)
        if isinstance(node, gast.Name) and node.id in renamed:
            node.id = renamed[node.id]


def plain_key(lam):
    """Whether the Lambda `lam` opens no scope of its own in its body (no lambda, no
    comprehension), takes plain parameters and no defaults."""
    args = lam.args
    return args.vararg is None and args.kwarg is None and not args.defaults and \
        not args.kw_defaults and not args.posonlyargs and not any(
            isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                              gast.GeneratorExp, gast.NamedExpr)) for node in n.walk(lam.body))
