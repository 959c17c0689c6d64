"""Logs kept in an object's attribute: ``self.history.append(float(loss))`` in a method."""
import builtins
import inspect

import gast

from . import nodes as n
from .errors import S2SError
from .source import parse_function

GROWING = frozenset({'append', 'extend', 'insert', 'add', 'appendleft', 'extendleft'})
"""Methods that add to a list, set or deque."""

_NUMBERS = frozenset({'float', 'int', 'bool', 'len', 'str', 'round'})
"""Built-ins whose result is a Python number or text (``float(loss)``), which the log keeps as
Python does whatever the function does afterwards."""

_CONTAINERS = (tuple, list, dict, set, frozenset)


def log_statements(body, ctx):
    """The ids of the statements of `body` that add to a log: ``root.attr.append(v)`` (any of
    `GROWING`, an attribute path) where `root` is an object of a class of yours bound to a
    method (``self``) or a global object, no tuple, list or dict (whose lists the gradient
    copies), which the function uses nowhere else (it reads no other attribute of it, passes
    it nowhere, calls no method of it: none can read the log), and `v` a number or text made
    by ``float(...)``, ``int(...)``, ``len(...)``, ``x.item()``, an f-string or a constant: what
    is added never reaches the result, so the derivative need not follow it, and the log
    holds what Python's does. (A list that another argument also holds is not seen, as for a
    global list: see the README.)"""
    module = gast.Module(body=body, type_ignores=[])
    found, roots = {}, {}
    for stmt in n.statements(body):
        path = _log_path(stmt)
        if path is not None and all(_plain(arg, body, ctx) for arg in stmt.value.args) and \
                not stmt.value.keywords:
            root = path.split('.')[0]
            found.setdefault(root, []).append(stmt)
    generated = (ctx.source.filename or '').startswith('<s2sgrad')
    for root, stmts in found.items():
        copied = _copy_of_object(root, body, ctx) if generated else None
        # (in a gradient differentiated again, the first transformation checked the log, of
        # a parameter or its copy: the generated function is no method of a known class)
        if copied is None and not _object_root(root, ctx) and \
                not (generated and root in ctx.params):
            continue
        allowed = {id(stmt.value.func.value) for stmt in stmts}
        # (every use of `root` is the receiver chain of one of its logs, or the copy of a
        # gradient differentiated again that binds it: ``self_2 = s2s.copy_lists(self)``)
        chains = {id(node) for stmt in stmts for node in n.walk(stmt.value.func.value)}
        if copied is not None:  # (``self = s2s.copy_lists(self)`` too: the object itself)
            chains |= {id(copied.targets[0]), id(copied.value.args[0])}
        uses = [node for node in n.walk(module)
                if isinstance(node, gast.Name) and node.id == root]
        chains |= _plain_reads(root, stmts, module, ctx, copied)
        chains |= _blind_calls(root, stmts, module, ctx, copied)
        if allowed and all(id(node) in chains for node in uses):
            roots[root] = stmts
    return {id(stmt) for stmts in roots.values() for stmt in stmts}


def _plain_reads(root, stmts, module, ctx, copied=None):
    """The ids of the `root` names of reads ``root.c`` of other attributes than the logs,
    not called, where the class of `root` (an object a method is bound to) holds no
    descriptor of that name (a property may read the log): a value such a read gives is not
    the log; and of stores into them (a count, ``self.n += 1``), which read no log. In a
    gradient differentiated again (`copied` binds `root` to the copy of a parameter), the
    first transformation checked them against the class."""
    cls = getattr(ctx.receivers.get(root), 'cls', None)
    if not isinstance(cls, type) and copied is None:
        return set()
    logs = {stmt.value.func.value.attr for stmt in stmts}
    called = {id(node.func) for node in n.walk(module) if isinstance(node, gast.Call)}
    found = set()
    for node in n.walk(module):
        if isinstance(node, gast.Attribute) and isinstance(node.ctx, (gast.Load, gast.Store)) and \
                isinstance(node.value, gast.Name) and node.value.id == root and \
                node.attr not in logs and id(node) not in called and \
                not (isinstance(cls, type) and
                     hasattr(inspect.getattr_static(cls, node.attr, None), '__get__')):
            found.add(id(node.value))
    return found


def _blind_calls(root, stmts, module, ctx, copied=None):
    """The ids of the `root` names of calls of methods of the class of `root` (an object a
    method is bound to), ``root.m(...)`` or ``Class.m(root, ...)``, that cannot reach the
    logs (`_blind`): ``h = self.forward(x)`` beside ``self.history.append(float(loss))``.
    In a gradient differentiated again (`copied` binds `root`), the calls of generated
    functions given `root` (``Model_forward_fwd(self, x)``): the first transformation made
    them of methods it found blind."""
    logs = {stmt.value.func.value.attr for stmt in stmts}
    receiver = ctx.receivers.get(root)
    cls = getattr(receiver, 'cls', None)
    if copied is not None:
        return {id(arg) for node in n.walk(module) if isinstance(node, gast.Call)
                for arg in _given(node) if isinstance(arg, gast.Name) and arg.id == root and
                (_generated(ctx.resolver.lookup(node.func)) or
                 (n.dotted_path(node.func) or '').startswith('s2s.') or
                 node.args and node.args[0] is arg and
                 _blind_class_function(node.func, ctx, logs))}
    if not isinstance(cls, type):
        return set()
    found = set()
    for node in n.walk(module):
        if not isinstance(node, gast.Call):
            continue
        func = node.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id == root:
            name, receiver_node = func.attr, func.value
        elif node.args and isinstance(node.args[0], gast.Name) and node.args[0].id == root:
            called = ctx.resolver.lookup(func)
            name = getattr(called, '__name__', None)
            if not (inspect.isfunction(called) and isinstance(name, str) and
                    inspect.getattr_static(cls, name, None) is called):
                continue
            receiver_node = node.args[0]
        else:
            continue
        if name not in receiver.shadowed and _blind(cls, name, logs, set()):
            found.add(id(receiver_node))
    return found


def _given(call):
    """The arguments of `call`, positional and keyword, and the items of those that are tuple
    displays (``s2s.check_method_writes(..., kept=(h, self))``)."""
    for arg in call.args + [keyword.value for keyword in call.keywords]:
        yield from arg.elts if isinstance(arg, gast.Tuple) else (arg,)


def _blind_class_function(func, ctx, logs):
    """Whether the call's function `func` is ``C.m`` of a class `C`, `m` a method of it that
    cannot reach `logs` (`_blind`)."""
    if not isinstance(func, gast.Attribute):
        return False
    cls = ctx.resolver.lookup(func.value)
    return isinstance(cls, type) and _blind(cls, func.attr, logs, set())


def _generated(func):
    """Whether `func` is a function s2sgrad generated."""
    code = getattr(func, '__code__', None)
    return code is not None and code.co_filename.startswith('<s2sgrad')


def _blind(cls, name, logs, seen):
    """Whether the method `name` of class `cls` (a plain function of the class) cannot reach
    the attributes `logs` of its object: its source names none of them, and uses its first
    parameter, never rebound, only as ``self.c``, reads of attributes that are no descriptor
    (a property may read the log) or calls of methods that are blind too; no ``super()``."""
    if name in seen:
        return True  # (a recursive method: the rest of its body decides)
    seen.add(name)
    method = inspect.getattr_static(cls, name, None)
    if not inspect.isfunction(method):
        return False
    try:
        node = parse_function(method).node
    except (S2SError, OSError, TypeError):
        return False
    params = node.args.posonlyargs + node.args.args
    if not params:
        return False
    me = params[0].id
    if me in n.names_stored(gast.Module(body=node.body, type_ignores=[])) or any(
            isinstance(sub, gast.Name) and sub.id == 'super' for sub in n.walk(node)):
        return False
    parents = {id(child): sub for sub in n.walk(node) for child in n.children(sub)}
    for sub in n.walk(node):
        if isinstance(sub, gast.Attribute) and sub.attr in logs:
            return False
        if not (isinstance(sub, gast.Name) and sub.id == me) or \
                any(sub is param for param in params):
            continue
        attribute = parents.get(id(sub))
        if not isinstance(attribute, gast.Attribute) or attribute.value is not sub:
            return False
        call = parents.get(id(attribute))
        if isinstance(call, gast.Call) and call.func is attribute:
            if not _blind(cls, attribute.attr, logs, seen):
                return False
        elif hasattr(inspect.getattr_static(cls, attribute.attr, None), '__get__'):
            return False
    return True


def _log_path(stmt):
    """``'self.history'`` of ``self.history.append(v)``, else None."""
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and
            call.func.attr in GROWING and isinstance(call.func.value, gast.Attribute)):
        return None
    return n.dotted_path(call.func.value)


def _copy_of_object(root, body, ctx):
    """The statement ``root = s2s.copy_lists(p)`` that binds `root` in a gradient
    differentiated again (the copy of its lists an object of yours keeps as it is), where `p`
    is a parameter and `root` is bound nowhere else; else None."""
    binds = [stmt for stmt in n.statements(body) if root in n.names_stored(stmt)]
    stmt = binds[0] if len(binds) == 1 else None
    value = getattr(stmt, 'value', None)
    if not (isinstance(stmt, gast.Assign) and isinstance(value, gast.Call) and
            n.dotted_path(value.func) == 's2s.copy_lists' and len(value.args) == 1 and
            isinstance(value.args[0], gast.Name) and value.args[0].id in ctx.params):
        return None
    return stmt


def _object_root(root, ctx):
    """Whether `root` is a parameter bound to an object of a class of yours, or a global
    object, neither a tuple, list or dict."""
    receiver = ctx.receivers.get(root)
    if receiver is not None:
        cls = getattr(receiver, 'cls', None)
        return isinstance(cls, type) and not issubclass(cls, _CONTAINERS) and \
            not receiver.of_class
    if root in ctx.params or not ctx.resolver.is_global(n.name(root)):
        return False
    obj = ctx.resolver.lookup(n.name(root))
    return obj is not None and not isinstance(obj, _CONTAINERS + (type,)) and \
        hasattr(obj, '__dict__')


def _plain(node, body, ctx, seen=()):
    """Whether `node` is a number or text that the function makes for its log."""
    if isinstance(node, (gast.Constant, gast.JoinedStr)):
        return True
    if isinstance(node, (gast.Tuple, gast.List)):
        return all(_plain(item, body, ctx, seen) for item in node.elts)
    if isinstance(node, gast.Call) and not node.keywords:
        func = node.func
        if isinstance(func, gast.Name) and func.id in _NUMBERS and \
                ctx.source.namespace.get(func.id, getattr(builtins, func.id)) is \
                getattr(builtins, func.id):
            return True
        return isinstance(func, gast.Attribute) and func.attr == 'item' and not node.args
    if isinstance(node, gast.Name) and node.id not in seen and node.id not in ctx.params:
        module = gast.Module(body=body, type_ignores=[])
        stores = [sub for sub in n.walk(module) if isinstance(sub, gast.Name) and
                  sub.id == node.id and not isinstance(sub.ctx, gast.Load)]
        values = [stmt.value for stmt in n.statements(body)
                  if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                  isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == node.id]
        return bool(values) and len(values) == len(stores) and \
            all(_plain(value, body, ctx, seen + (node.id,)) for value in values)
    return False
