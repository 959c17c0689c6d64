"""Logs kept in an object's attribute: ``self.history.append(float(loss))`` in a method."""
import builtins
import inspect

import gast
import numpy as np

from . import nodes as n
from . import rules
from .callables import HELD_NONE
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
        # (in a gradient differentiated again, the first transformation checked the calls)
        if allowed and all(id(node) in chains for node in uses) and \
                (copied is not None or _functions_blind(root, stmts, module, ctx)):
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


def _functions_blind(root, stmts, module, ctx):
    """Whether the functions of yours that the function calls, other than methods of the
    class of `root`, cannot reach its logs (`_Blind`): a function an attribute of the object
    holds (``self.act = lambda v: ...``, called as ``act(x)``) may close over the object, one
    of a module may read a global that holds the log."""
    receiver = ctx.receivers.get(root)
    cls = getattr(receiver, 'cls', None)
    if not isinstance(cls, type):
        cls, receiver = object, None
    logs = {stmt.value.func.value.attr for stmt in stmts}
    blind = _Blind(cls, receiver, logs)
    held = None  # (what the objects it holds hold: `_held_blind`, found once, where needed)
    for node in n.walk(module):
        if not isinstance(node, gast.Call):
            continue
        called = ctx.resolver.lookup(node.func)
        if not inspect.isfunction(called) or rules.is_library(called) or _generated(called):
            continue
        name = getattr(called, '__name__', None)
        owner = ctx.resolver.lookup(node.func.value) if isinstance(node.func, gast.Attribute) \
            else None
        if isinstance(owner, type) and owner is not cls and isinstance(name, str) and \
                inspect.getattr_static(owner, name, None) is called:
            # (``Layer.__call__(self.layers[i], h)``: a method of an object it holds)
            held = _held_blind(receiver, cls, blind) if held is None else held
            if held is not None and _Blind(owner, None, logs, held).method(name):
                continue
            return False
        if not blind.function(called):
            return False
    return True


def _held_blind(receiver, cls, blind):
    """The ``(class, name)`` of the functions that the objects the object of `receiver` (of
    class `cls`) holds keep in their attributes or classes (``self.act = np.tanh``), where
    those objects, at any depth its `Receiver` follows (attributes, items of lists of
    objects), cannot reach its logs: none is of a class of `cls`'s family (``self.owner =
    model``: the object itself), and every function they hold is blind (`_Blind`); else
    None."""
    if receiver is None:
        return None
    pending, seen = [receiver], set()
    functions, objects = set(), set()
    while pending:
        found = pending.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        kind = found.cls
        if found is not receiver and isinstance(kind, type) and \
                kind not in (list, tuple) and (issubclass(kind, cls) or issubclass(cls, kind)):
            return None
        for name, value in found.shadowed:
            if value is None or value is HELD_NONE:
                objects.add((kind, name))  # (not a function: None, or a value it shadows)
            elif blind.inert_value(value):
                functions.add((kind, name))
            else:
                return None
        objects.update((kind, name) for name, _ in found.attributes)
        pending.extend(value for _, value in found.attributes)
        pending.extend(found.items or ())
    return functions - objects


def _generated(func):
    """Whether `func` is a function s2sgrad generated."""
    code = getattr(func, '__code__', None)
    return code is not None and code.co_filename.startswith('<s2sgrad')


_REFLECTION = frozenset({'getattr', 'setattr', 'hasattr', 'delattr', 'vars', 'globals',
                         'locals', 'eval', 'exec', 'dir', 'id', '__import__'})
"""Built-ins that reach an object's attributes by a name computed when the code runs."""


class _Blind:
    """Which code cannot reach the attributes `logs` of an object of class `cls` (its
    `Receiver` `receiver`, None for an object the logging one holds, of which only the class
    is known): a function of yours, or a method of such an object, is blind when it

    - names none of `logs`, no ``__dict__``, and calls no `_REFLECTION` built-in;
    - takes no default that could be or reach the log (only what `inert_value` accepts);
    - uses its object (the first parameter of a method, never rebound) only as ``self.c``
      in arithmetic (``x @ self.W + self.b``, ``-self.b``, a comparison), as
      ``self.c.T``/``.shape``/``.ndim``/``.size``/``.dtype``, or to call ``self.m(...)``, a
      method of the class that is blind in turn or a function the objects hold that
      `_held_blind` found blind; ``self.c`` no descriptor of the class, nor a class
      attribute that could be or reach the log; no ``super()``;
    - reads as globals, closure variables or attribute paths of modules only modules,
      classes and functions of libraries, NumPy's and SciPy's ufuncs, blind functions of
      yours, and numbers, text and arrays (a list, an object or a bound method may be the
      log under another name);
    - calls nothing else but array methods of its own values (``h.sum()``,
      `rules.METHODS`).

    The class must not compute attributes (``__getattr__``, ``__getattribute__``). What
    this cannot see: an array of objects, or a list, that an object holds and that holds
    the log (``self.parts[0]``), which only subscripts, iteration and calls reach: all
    refused on ``self.c``."""

    _SHAPES = frozenset({'T', 'shape', 'ndim', 'size', 'dtype'})

    def __init__(self, cls, receiver, logs, held=frozenset()):
        self.cls, self.receiver, self.logs = cls, receiver, logs
        self.held = held  # (the blind functions the objects hold: `_held_blind`)
        self.seen = {}
        self.computed = any(name in vars(klass) for klass in cls.__mro__[:-1]
                            for name in ('__getattr__', '__getattribute__'))

    def method(self, name):
        """Whether the method `name` of the class is blind."""
        if self.computed or self.receiver is not None and (
                name in dict(self.receiver.shadowed) or
                self.receiver.attribute(name) is not None):
            return False
        method = inspect.getattr_static(self.cls, name, None)
        if not inspect.isfunction(method):
            # (a function the object or its class holds, ``self.act = np.tanh``, that
            # `_held_blind` found blind in every object of the class)
            return (self.cls, name) in self.held
        return self.function(method, method=True)

    def function(self, func, method=False):
        """Whether the function `func` (a method of the class: `method`) is blind."""
        if func in self.seen:
            return self.seen[func]
        self.seen[func] = True  # (a recursion: the rest of its body decides)
        self.seen[func] = found = self._function(func, method)
        return found

    def _function(self, func, method):
        try:
            node = parse_function(func).node
        except (S2SError, OSError, TypeError):
            return False
        defaults = list(func.__defaults__ or ()) + list((func.__kwdefaults__ or {}).values())
        if not all(self.inert_value(value) for value in defaults):
            return False  # (``def fwd(self, x, log=LOG)``)
        params = node.args.posonlyargs + node.args.args
        if method and not params:
            return False
        me = params[0].id if method else None
        module = gast.Module(body=node.body, type_ignores=[])
        local = set(n.names_stored(module)) | set(n.names_stored(node.args))
        if me is not None and me in n.names_stored(module):
            return False
        parents = {id(child): sub for sub in n.walk(node) for child in n.children(sub)}
        for sub in n.walk(node):
            if isinstance(sub, gast.Attribute) and (sub.attr in self.logs or
                                                    sub.attr == '__dict__'):
                return False
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                if sub.id == me:
                    if not self._use_of_me(sub, parents, func):
                        return False
                elif sub.id not in local and not self._inert_read(func, sub, parents):
                    return False
            if isinstance(sub, gast.Call):
                callee = sub.func
                if isinstance(callee, gast.Attribute) and isinstance(callee.value, gast.Name) \
                        and callee.value.id == me:
                    continue  # (a method of the object: `_use_of_me`)
                if isinstance(callee, (gast.Name, gast.Attribute)) and \
                        _global_path(callee, local) is not None:
                    continue  # (a global's, or a module's function: `_inert_read`)
                if not (isinstance(callee, gast.Attribute) and
                        _root_name(callee) in local - {me} and
                        (callee.attr in rules.METHODS or
                         callee.attr in rules.NONDIFFERENTIABLE_METHODS)):
                    return False  # (a call of what a variable holds, a method of yours)
        return True

    def _use_of_me(self, name, parents, func):
        attribute = parents.get(id(name))
        if not isinstance(attribute, gast.Attribute) or attribute.value is not name:
            return False
        above = parents.get(id(attribute))
        if isinstance(above, gast.Call) and above.func is attribute:
            return self.method(attribute.attr)
        if self.receiver is not None and self.receiver.attribute(attribute.attr) is not None:
            return False  # (an object or function of yours it holds: it may hold the object)
        found = inspect.getattr_static(self.cls, attribute.attr, None)
        if found is not None and (hasattr(type(found), '__get__') or
                                  not self.inert_value(found)):
            return False  # (a property, a method read as a value, a class-level list)
        # (in arithmetic, for its shape, or given to a library's function: ``np.dot(self.W,
        # x)``; an attribute that holds the log list itself is not seen, see the README)
        return isinstance(above, (gast.BinOp, gast.UnaryOp, gast.Compare)) or \
            isinstance(above, gast.Attribute) and above.value is attribute and \
            above.attr in self._SHAPES and \
            not isinstance(parents.get(id(above)), gast.Call) or \
            isinstance(above, gast.Call) and attribute in above.args and \
            self._library_call(above, func)

    def _library_call(self, call, func):
        """Whether `call` (in `func`) calls a library's function by a global name or a
        module's path (``np.dot``)."""
        path = n.dotted_path(call.func)
        if path is None:
            return False
        parts = path.split('.')
        value = _variable(func, parts[0])
        for part in parts[1:]:
            if not inspect.ismodule(value):
                return False
            value = getattr(value, part, _MISSING)
        return (rules.is_library(value) or isinstance(value, np.ufunc)) and \
            not inspect.isfunction(value) and self.inert_value(value) and callable(value)

    def _inert_read(self, func, name, parents):
        """Whether the global or closure variable `name` (a Name node) of `func`, or the
        attribute path of a module it starts (``cfg.K``, ``np.linalg.norm``), holds what
        cannot be or reach the log."""
        value = _variable(func, name.id)
        node = name
        while inspect.ismodule(value):
            above = parents.get(id(node))
            if not (isinstance(above, gast.Attribute) and above.value is node):
                return True  # (the module itself, passed on: ``np``)
            value, node = getattr(value, above.attr, _MISSING), above
        return self.inert_value(value)

    def inert_value(self, value):
        """Whether `value` cannot be or reach the logs: a number, text, an array of numbers,
        a module, a library's class or function, a NumPy or SciPy ufunc, a blind function of
        yours."""
        if value is _MISSING:
            return False
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes,
                                               np.generic)):
            return True
        if isinstance(value, np.ndarray):
            return value.dtype != object
        if inspect.ismodule(value):
            return True
        if inspect.isclass(value):
            return rules.is_library(value) or getattr(value, '__module__', '') == 'builtins'
        if inspect.isfunction(value):
            return rules.is_library(value) or self.function(value)
        if isinstance(value, np.ufunc):
            return _library_ufunc(value)
        owner = getattr(value, '__self__', _MISSING)
        if inspect.isbuiltin(value) and (owner is None or inspect.ismodule(owner)):
            return True  # (``len``, ``math.exp``: not a bound method, ``LOG.__len__``)
        # (``np.mean``, a dispatcher object in NumPy 2: a library's function, bound to no
        # object of yours)
        return rules.is_library(value) and callable(value) and not inspect.isclass(value) \
            and (owner is _MISSING or owner is None or inspect.ismodule(owner))


def _library_ufunc(value):
    """Whether the ufunc `value` is NumPy's or SciPy's (not ``np.frompyfunc``'s of yours)."""
    if getattr(np, value.__name__, None) is value:
        return True
    try:
        import scipy.special
    except ImportError:  # (an optional extra)
        return False
    return getattr(scipy.special, value.__name__, None) is value


def _root_name(node):
    """The name an attribute or subscript chain starts from, or None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


_MISSING = object()


def _variable(func, name):
    """What the global, closure or built-in variable `name` of `func` holds (`_MISSING`)."""
    code = func.__code__
    if name in code.co_freevars and func.__closure__:
        try:
            return func.__closure__[code.co_freevars.index(name)].cell_contents
        except ValueError:
            return _MISSING
    if name in func.__globals__:
        return func.__globals__[name]
    return getattr(builtins, name, _MISSING) if name not in _REFLECTION else _MISSING


def _global_path(node, local):
    """``'np.linalg.norm'`` for an attribute path from a name that is no local of the
    function, else None."""
    path = n.dotted_path(node)
    return path if path is not None and path.split('.')[0] not in local else None


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
