"""Scopes in a function's body: the nodes that run in a scope, the names a scope binds, reads
and writes, and the paths that order its statements."""
import gast

from . import nodes as n

_NOT_RUN = frozenset({'annotation', 'returns', 'type_comment', 'type_params'})
_MUTATING_METHODS = frozenset({
    'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'reverse', 'sort', 'update',
    'setdefault', 'popitem', 'fill', 'put', 'itemset', 'resize', 'setfield', 'partition',
    'add_at'})


def own_scope_nodes(nodes):
    """The nodes of `nodes` (statements or expressions) that run in the scope they are in,
    in source order: the decorators and default values of a nested ``def`` run there, its
    parameters and body do not. Annotations are not visited (they are not differentiated)."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, gast.FunctionDef):
            children = list(node.decorator_list) + list(node.args.defaults) + \
                [d for d in node.args.kw_defaults if d is not None]
        else:
            children = []
            for field, value in gast.iter_fields(node):
                if field in _NOT_RUN:
                    continue
                for child in value if isinstance(value, list) else [value]:
                    if isinstance(child, gast.AST):
                        children.append(child)
        stack.extend(reversed(children))


def parameter_names(fdef):
    """Every parameter name of FunctionDef `fdef`, ``*args`` and ``**kwargs`` included."""
    args = fdef.args
    names = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
    return names + [a.id for a in (args.vararg, args.kwarg) if a is not None]


def function_scope(fdef):
    """(names bound in FunctionDef `fdef`'s own scope, names its calls read from enclosing
    scopes), the latter in first-seen order; reads of functions nested in `fdef` count."""
    bound = set(parameter_names(fdef))
    loads = []
    for node in own_scope_nodes(fdef.body):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                loads.append(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            bound.add(node.name)
            loads.extend(function_scope(node)[1])
    return bound, list(dict.fromkeys(name for name in loads if name not in bound))


def statement_paths(stmts, prefix=()):
    """(statement, path) for the statements of `stmts` and of the blocks of its ``if``,
    ``for`` and ``while`` statements (not of nested functions), in source order. A path is
    (index, field, index, ..., index): statement A runs before statement B in every run
    that reaches B when A's block is an enclosing block of B and A comes first in it."""
    for index, stmt in enumerate(stmts):
        path = prefix + (index,)
        yield stmt, path
        for field, block in n.blocks(stmt):
            yield from statement_paths(block, path + (field,))


def header_nodes(stmt):
    """The nodes of `stmt` that run in its own scope, except the statements of its blocks."""
    if isinstance(stmt, gast.FunctionDef):
        return list(own_scope_nodes([stmt]))
    parts = [value for field, value in gast.iter_fields(stmt)
             if field not in n.BLOCK_FIELDS and field not in _NOT_RUN]
    nodes = []
    for part in parts:
        for child in part if isinstance(part, list) else [part]:
            if isinstance(child, gast.AST):
                nodes.extend(own_scope_nodes([child]))
    return nodes


def precedes(def_path, path):
    """Whether the statement at `def_path` runs before the one at `path` whenever it runs."""
    depth = len(def_path) - 1
    return len(path) > depth and path[:depth] == def_path[:depth] and \
        path[depth] > def_path[depth]


def names_written(stmts, rebinding=True):
    """Names that `stmts` assign into, update in place (``+=`` too) or change with a method,
    in their own scope, and (`rebinding`) those they bind."""
    written = set()
    for node in own_scope_nodes(stmts):
        if rebinding and isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            written.add(node.id)
        elif rebinding and isinstance(node, gast.FunctionDef):
            written.add(node.name)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            written.add(node.target.id)
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store):
            base = node.value
            while isinstance(base, (gast.Subscript, gast.Attribute)):
                base = base.value
            if isinstance(base, gast.Name):
                written.add(base.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                node.func.attr in _MUTATING_METHODS:
            written.add(node.func.value.id)
    return written


def is_literal(node):
    """Whether `node` is a constant, a signed constant or a tuple of them."""
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return is_literal(node.operand)
    if isinstance(node, gast.Tuple):
        return all(is_literal(elt) for elt in node.elts)
    return False


def default_expressions(fdef):
    """(parameter name, default expression) of FunctionDef `fdef`."""
    args = fdef.args
    positional = args.posonlyargs + args.args
    pairs = list(zip([a.id for a in positional[len(positional) - len(args.defaults):]],
                     args.defaults))
    pairs += [(a.id, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return pairs
