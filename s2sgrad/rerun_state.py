"""Functions of yours whose value reads state they change: a rerun of one sees it changed.

In joint motion (the caller writes into an array, ``motion='joint'``, second derivatives) the
VJP of a call runs the function again. A function that only logs or counts outside itself
(``LOG.append(float(v))``, ``COUNT += 1``) gives the same value at the second run; one whose
value reads what it changes (``next(SCHEDULE) * v``, ``QUEUE.pop(0)``, ``SCHED.lr()`` of an
object that advances itself, ``setattr(CFG, 'lr', ...)`` then ``CFG.lr``, ``del Q[0]`` after
reading ``Q[0]``, ``take(QUEUE)`` of a function of yours that pops its argument) gives
another, and its derivative would be of the next state. State is reached by its global name
or through a local name bound to it (``q = QUEUE``). `state_read_after_change` finds such a
read.
"""
import builtins
import collections
import functools
import inspect
import sys
import types

import gast
import numpy as np

from . import nodes as n
from .alias_memory import INPLACE_FUNCTIONS
from .call_effects import _CHANGING, _function_effects, _own_names, _root, changes_receiver
from .mutation import mutated
from .randomness import _UNKNOWN, _code, _lookup, attribute, user_code
from .rules import is_library

_STATE_BUILTINS = frozenset({'next', 'setattr', 'delattr'})
"""Built-in functions that change their first argument's state."""
_CONTAINERS = (list, dict, set, collections.deque, np.ndarray)
"""Types whose changing methods (`_CHANGING`) change them."""
_VALUES = (int, float, complex, str, bytes, bool, type(None))
"""Values a change rebinds rather than changes (``COUNT += 1``)."""
_NOT_CONSUMING = frozenset({'iter', 'id', 'type', 'isinstance', 'repr', 'print'})
"""Built-in functions that read nothing from an iterator given to them (``iter(IT)`` is
`IT`; a name bound to it is an alias)."""


def state_read_after_change(node, namespace, nested=None, _seen=None):
    """The first call or name in the FunctionDef `node` (its globals `namespace`, the
    nested functions `nested`) whose value reads state outside it that a call of it changes,
    or None. A call that changes such state and whose value is read (``next(it) * v``,
    ``QUEUE.pop(0)``, ``SCHED.lr()``), and a read elsewhere of what a call, a ``global``
    assignment or an assignment or ``del`` of an item or attribute changes
    (``setattr(CFG, ...)``, then ``CFG.lr``; ``decay()`` of a function of yours halving the
    arrays of ``LAYERS``, then ``LAYERS[0]``), count; a change nothing reads (a log, a
    counter) does not. Changes of the function's parameters (but an iterator's ``next``) and
    of the values it makes itself are its derivative's own concern."""
    return _state_changes(node, namespace, nested, set() if _seen is None else _seen)[0]


def _state_changes(node, namespace, nested, seen):
    """``(read, changed, reads)``: `state_read_after_change`'s read (or None); the ids of
    the objects outside the function that a call of it changes (lists, dicts, arrays,
    objects), with a `_global` token for each global it rebinds (``global COUNT``); and
    those of the objects and globals outside it whose state its value may read (not the
    reads a change makes, ``G[0] = G[0] * 2``)."""
    params = set(n.names_stored(node.args))
    locals_ = set(n.names_stored(node)) - params
    namespace = {key: value for key, value in namespace.items() if key not in locals_}
    aliases, bindings, paths, values = _outside_aliases(node, params, locals_, namespace)
    scope = _Scope(namespace, nested, params, locals_ - set(aliases), aliases, seen, paths,
                   values)
    declared = {name for child in _code(node) if isinstance(child, (gast.Global, gast.Nonlocal))
                for name in child.names}
    unused = {id(child.value) for child in _code(node) if isinstance(child, gast.Expr)}
    changed, change_nodes = set(declared), set(bindings)
    partly = {}  # name -> the attribute and key paths written into it (``LAYER.last``)
    for child in _code(node):  # (``COUNT = COUNT + 1`` of a counter reads only to count)
        roots = set()
        if isinstance(child, (gast.Assign, gast.AugAssign)) and declared & set(
                n.names_stored(child)):
            roots = declared & set(n.names_stored(child))
        elif isinstance(child, (gast.Assign, gast.AugAssign, gast.Delete)):
            for root, path in scope.written(child):
                if path is None or root in aliases:
                    roots.add(root)
                else:
                    partly.setdefault(root, set()).add(path)
                    change_nodes.update(id(part) for part in n.walk(child))
        if roots:
            changed |= scope.with_aliases(roots)
            change_nodes.update(id(part) for part in n.walk(child))
    for child in _code(node):
        if isinstance(child, gast.Attribute) and isinstance(child.ctx, gast.Load) and \
                scope.advancing_property(child):
            return child, set(), set()  # (``SCHED.lr`` of a property that advances it)
        if not isinstance(child, gast.Call):
            continue
        known = len(scope.foreign)
        roots, found = scope.changed_by(child)
        if found is not None:
            return found, set(), set()  # (a function of yours whose value reads its change)
        if len(scope.foreign) > known:  # (``decay()``: a function of yours changing globals)
            change_nodes.update(id(part) for part in n.walk(child))
        if not roots:
            continue
        if id(child) not in unused:
            return child, set(), set()
        changed |= scope.with_aliases(roots)
        change_nodes.update(id(part) for part in n.walk(child))
    for child in _code(node):  # (``type(SCHED)`` reads no state: a guard of generated code)
        if isinstance(child, gast.Call) and isinstance(child.func, gast.Name) and \
                child.func.id == 'type' or n.is_arguments_check(child):
            # (nor does ``s2s.separate(STATS.buf, ...)``, which only looks at what it holds)
            change_nodes.update(id(part) for part in n.walk(child))
    objects = scope.foreign | {id(obj) for obj in map(scope.named, changed | set(partly))
                               if _is_state(obj) and obj is not _UNKNOWN and
                               not isinstance(obj, _VALUES)} | {
        _global(namespace, name) for name in declared & changed}
    parents = {id(inner): outer for outer in _code(node)
               for inner in gast.iter_child_nodes(outer)} if partly else {}
    for child in _code(node):
        if isinstance(child, (gast.Name, gast.Attribute)) and \
                isinstance(child.ctx, gast.Load) and id(child) not in change_nodes and (
                    isinstance(child, gast.Name) and child.id in changed or
                    isinstance(child, gast.Name) and child.id in partly and
                    _reads_written(child, partly[child.id], parents) or
                    scope.foreign and id(scope.lookup(child)) in scope.foreign):
            return child, objects, set()
    for call, reads in scope.calls_read:  # (``a = read_g()``, then ``bump_g()``)
        if reads & objects and id(call) not in unused:
            return call, objects, set()
    return None, objects, scope.reads(node, change_nodes)


def _global(namespace, name):
    """The token of the global `name` of the module whose globals are `namespace`: a
    rebinding of it (``global COUNT``) changes what a read of it reads."""
    return ('global', namespace.get('__name__'), name)


def _reads_written(name, written, parents):
    """Whether the load `name` (of an object some of whose attributes or constant keys are
    written: `written`, paths of them) may read what was written: its own path is one of
    them, or above or below one, or the object goes on whole (passed, a method called)."""
    path, node = (), name
    while True:
        parent = parents.get(id(node))
        if isinstance(parent, gast.Attribute) and parent.value is node:
            step = parent.attr
        elif isinstance(parent, gast.Subscript) and parent.value is node and \
                isinstance(parent.slice, gast.Constant):
            step = parent.slice.value
        else:
            break
        grand = parents.get(id(parent))
        if isinstance(grand, gast.Call) and grand.func is parent:
            return True  # (a method of it: it may read anything)
        path, node = path + (step,), parent
    return any(path[:len(other)] == other or other[:len(path)] == path for other in written)


def _outside_aliases(node, params, locals_, namespace):
    """``(aliases, bindings, paths, values)``: the local names of FunctionDef `node` that may
    name state outside it (``q = QUEUE``, ``s = STATE[0]``, ``for q in QUEUES``; not a copy
    or a new value made from it, ``list(QUEUE)``, ``CFG['w'].copy()``, ``iter(QUEUE)``), each
    with the outside names its bindings read; the ids of the nodes of the bindings that read
    no state, only a reference (``q = QUEUE``, ``s = mod.SCHED``; ``lr = OPT.lr`` reads the
    attribute, which a change of `OPT` may rebind); for the aliases bound only to one name or
    attribute, its dotted path; and the values each alias is bound to."""
    own = _own_names(node)
    found, bindings, spelled, values = {}, set(), {}, {}
    for child in _code(node):
        if isinstance(child, gast.Assign):
            pairs = [(target, child.value) for target in child.targets]
        elif isinstance(child, (gast.For, gast.comprehension)):
            pairs = [(child.target, child.iter)]
        elif isinstance(child, gast.NamedExpr):
            pairs = [(child.target, child.value)]
        else:
            continue
        for target, value in pairs:
            names = set(n.names_stored(target)) & locals_ - own
            for name in names:
                spelled.setdefault(name, set()).add(
                    n.dotted_path(value) if isinstance(target, gast.Name) else None)
            if not names or not _may_share(value, namespace, isinstance(target, gast.Name)):
                continue
            outside = {name for name in n.names_read(value)
                       if name not in params and name not in locals_ and
                       _is_state(namespace.get(name, getattr(builtins, name, _UNKNOWN)))}
            root = _root(value)
            if n.dotted_path(value) is not None and root not in params | locals_ and \
                    _is_state(_lookup(value, namespace)):
                outside.add(root)  # (``s = mod.SCHED``: an object a module holds)
            outside |= {_returning(value, namespace)} - {None}  # (``q = get_queue()``)
            if not outside:
                continue
            for name in names:
                found.setdefault(name, set()).update(outside)
                values.setdefault(name, []).append(value if isinstance(target, gast.Name)
                                                   else None)
            if _reference(value, namespace):
                bindings.update(id(part) for part in n.walk(value))
    changed = True
    while changed:  # (``q = QUEUE`` then ``r = q``)
        changed = False
        for child in _code(node):
            if isinstance(child, gast.Assign) and isinstance(child.value, gast.Name) and \
                    child.value.id in found:
                for name in set(n.names_stored(child)) & locals_ - own:
                    if not found.get(name, set()) >= found[child.value.id]:
                        found.setdefault(name, set()).update(found[child.value.id])
                        values.setdefault(name, []).extend(values[child.value.id])
                        bindings.add(id(child.value))
                        changed = True
    paths = {name: next(iter(spelled[name])) for name in found
             if len(spelled.get(name, ())) == 1 and None not in spelled[name]}
    return found, bindings, paths, values


_SHARING_CALLS = frozenset({'asarray', 'asanyarray', 'atleast_1d', 'atleast_2d', 'atleast_3d',
                            'ravel', 'reshape', 'view', 'transpose', 'squeeze', 'swapaxes',
                            'get', 'setdefault', 'pop', 'popleft', 'popitem', 'min', 'max',
                            'next', '__getitem__'})
"""Calls whose value may be (a view of) what they are given or called on: an item, an
argument, an array's view."""


def _may_share(value, namespace, whole=True):
    """Whether the value of the expression `value` may be state it reads itself (or a view of
    it), not a new value: a name, an attribute, an item or a view, a call that gives one
    (`_SHARING_CALLS`); not arithmetic, a display, a copy or a new container (``list(Q)``,
    ``Q[:]`` of a list, ``iter(Q)``). Without `whole` (a target unpacked from `value`,
    ``a, b = PAIR``), items of what it gives."""
    if isinstance(value, (gast.Name, gast.Attribute)):
        return True
    if isinstance(value, gast.Subscript):
        return not (isinstance(value.slice, gast.Slice) and
                    isinstance(_peek(value.value, namespace), (list, tuple, str)))
    if isinstance(value, gast.IfExp):
        return _may_share(value.body, namespace) or _may_share(value.orelse, namespace)
    if isinstance(value, gast.BoolOp):
        return any(_may_share(part, namespace) for part in value.values)
    if isinstance(value, (gast.Tuple, gast.List)):
        return not whole and any(_may_share(part, namespace) for part in value.elts)
    if isinstance(value, gast.Call):
        func = value.func
        name = func.attr if isinstance(func, gast.Attribute) else getattr(func, 'id', None)
        return name in _SHARING_CALLS or _returns_shared(_lookup(func, namespace))
    return False


def _returning(node, namespace):
    """The name of the function of yours that the call at the base of the chain `node`
    (``get_queue()``, ``get_holder().q``) calls, where what it returns may be state outside
    it (`_returns_shared`); else None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
            _returns_shared(_lookup(node.func, namespace)):
        return node.func.id
    return None


def _returns_shared(func):
    """Whether `func` is a function of yours that may return state it reaches by a global
    name: a ``return`` of a global, an item or attribute of one, or a view of one (``return
    QUEUE``, ``return STATE['q']``, ``return HOLDER``); not of a new value (``return x *
    2``, ``return [a, b]``), nor of a parameter (what the caller passes, the caller's
    concern: ``return s`` after ``s += v * v``)."""
    returns = _returns(func)
    if returns is None:
        return False
    namespace, inside, values = returns
    for value in values:
        while isinstance(value, gast.Call) and _may_share(value, {}) and (
                value.args or isinstance(value.func, gast.Attribute)):
            value = value.func.value if isinstance(value.func, gast.Attribute) and \
                not isinstance(_lookup(value.func.value, namespace), types.ModuleType) \
                else value.args[0]  # (``np.reshape(G, ...)``, ``G.T.copy`` is no view)
        root = _root(value) if value is not None and _may_share(value, {}) else None
        if root is not None and root not in inside and \
                _is_state(namespace.get(root, _UNKNOWN)):
            return True
    return False


def _returns(func):
    """``(namespace, inside, values)`` of the function of yours `func`: its globals, the names
    it binds (parameters and locals) and the value of each of its ``return`` statements (None
    for a bare one); None for another object."""
    code = user_code(func, set()) if inspect.isfunction(func) else None
    if not code:
        return None
    node, namespace = code
    return namespace, set(n.names_stored(node)), [
        child.value for child in _code(node) if isinstance(child, gast.Return)]


def _reference(value, namespace):
    """Whether binding a name to `value` only takes a reference, reading no state: a global's
    name, or an object a module holds (``mod.SCHED``)."""
    if isinstance(value, gast.Name):
        return True
    path = n.dotted_path(value)
    if path is None:
        return False
    obj = namespace.get(path.split('.')[0], _UNKNOWN)
    for part in path.split('.')[1:-1]:
        if not isinstance(obj, types.ModuleType):
            return False
        obj = getattr(obj, part, _UNKNOWN)
    return isinstance(obj, types.ModuleType)


def _peek(node, namespace):
    """The object that `node` (a name, attribute or constant subscript chain) denotes now,
    or `_UNKNOWN`."""
    if isinstance(node, gast.Name):
        return namespace.get(node.id, _UNKNOWN)
    if isinstance(node, gast.Attribute):
        base = _peek(node.value, namespace)
        return _UNKNOWN if base is _UNKNOWN else attribute(base, node.attr)
    if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Constant):
        base = _peek(node.value, namespace)
        try:
            return base[node.slice.value] if base is not _UNKNOWN else _UNKNOWN
        except Exception:  # (a key it has not: unknown)
            return _UNKNOWN
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
            node.func.attr == 'get' and len(node.args) == 1 and not node.keywords and \
            isinstance(node.args[0], gast.Constant):  # (``CFG.get('lr')``)
        base = _peek(node.func.value, namespace)
        return base.get(node.args[0].value, _UNKNOWN) if isinstance(base, dict) else _UNKNOWN
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
        return _returned(namespace.get(node.func.id, _UNKNOWN))  # (``get_holder()``)
    return _UNKNOWN


def _returned(func):
    """The one object the function of yours `func` returns by every ``return``, each a global
    of its, or an item or attribute of one (``return HOLDER``, ``return STATE['q']``), as
    it is now; else `_UNKNOWN`."""
    returns = _returns(func)
    if returns is None or not returns[2]:
        return _UNKNOWN
    namespace, inside, values = returns
    if any(value is None or _root(value) in (None, *inside) for value in values):
        return _UNKNOWN
    found = [_peek(value, namespace) for value in values]
    if any(obj is _UNKNOWN or obj is not found[0] for obj in found):
        return _UNKNOWN
    return found[0]


def _is_state(obj):
    """Whether `obj` (a global's value, `_UNKNOWN` where not found) may be state a function
    changes: not a module, class or function."""
    return not isinstance(obj, (types.ModuleType, type, types.FunctionType,
                                types.BuiltinFunctionType, str, bytes, int, float, complex,
                                type(None)))  # (``d = s2s.UNASSIGNED``: a constant)


class _Scope:
    """What the names of one function denote, for `state_read_after_change`: `private`
    (locals holding no outside state), `aliases` (locals that may: local -> outside names),
    `paths` (an alias's dotted path), `values` (what each alias is bound to)."""

    def __init__(self, namespace, nested, params, private, aliases, seen, paths, values):
        self.namespace, self.nested, self.seen, self.paths = namespace, nested, seen, paths
        self.params, self.private, self.aliases, self.values = params, private, aliases, values
        self.foreign = set()  # ids of the objects the functions of yours it calls change
        self.calls_read = []  # (call, what its function's value reads: `_state_changes`)

    def reads(self, node, change_nodes):
        """What the FunctionDef `node`'s value may read from outside it (`_state_changes`'
        `reads`): the objects and globals its names load (not in `change_nodes`), and what
        the functions of yours it calls read."""
        found = set()
        for child in _code(node):
            if not isinstance(child, gast.Name) or not isinstance(child.ctx, gast.Load) or \
                    id(child) in change_nodes or not self.outside(child.id):
                continue
            targets = self.aliases.get(child.id, {child.id})
            for name in targets:
                obj = self.named(name)
                if obj is _UNKNOWN or not _is_state(obj):
                    continue
                found.add(_global(self.namespace, name))
                if not isinstance(obj, _VALUES):
                    found.add(id(obj))
        for _, reads in self.calls_read:
            found |= reads
        return found

    def named(self, name):
        """What the name `name` denotes (`lookup`)."""
        return self.lookup(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                     type_comment=None))

    def outside(self, root):
        """Whether the name `root` may hold state outside the function."""
        return root is not None and root not in self.params and root not in self.private

    def with_aliases(self, roots):
        """`roots` with the outside names the aliases among them are bound to."""
        found = set(roots)
        for root in roots:
            found |= self.aliases.get(root, set())
        return found

    def written(self, stmt):
        """``(name, path)`` for each outside name whose items or attributes the Assign,
        AugAssign or Delete `stmt` writes or deletes (an in-place ``+=`` of an alias too):
        `path` the attributes and constant keys written (``('last',)`` of ``LAYER.last =
        v``), or None where that is not known (``CACHE[n] = v``)."""
        targets = stmt.targets if isinstance(stmt, (gast.Assign, gast.Delete)) else [stmt.target]
        found = set()
        pending = list(targets)
        while pending:
            target = pending.pop()
            if isinstance(target, (gast.Tuple, gast.List)):
                pending.extend(target.elts)
            elif isinstance(target, gast.Starred):
                pending.append(target.value)
            elif isinstance(target, (gast.Subscript, gast.Attribute)) or \
                    isinstance(stmt, gast.AugAssign) and isinstance(target, gast.Name) and \
                    target.id in self.aliases and not self._holds_values(target.id):
                root = _root(target) or _returning(target, self.namespace)
                if self.outside(root):  # (``get_holder().n += 1``: what it returns)
                    found.add((root, _constant_path(target)))
        return found

    def _holds_values(self, alias):
        """Whether the local `alias` is bound only to what are numbers, text or tuples
        now (``lr = CFG['lr']``): ``lr *= 0.5`` rebinds it, changing nothing."""
        bound = self.values.get(alias, [None])
        return all(value is not None and isinstance(_peek(value, self.namespace), _VALUES + (
            tuple,)) for value in bound)

    def lookup(self, node):
        """`_lookup` of `node`, through an alias bound to one outside name or attribute
        (``s = mod.SCHED``, then ``s.rate``), or `_peek` of it (``STATE['q']``)."""
        obj = _lookup(node, self.namespace)
        root, path = _root(node), n.dotted_path(node)
        if obj is _UNKNOWN and root in self.paths and path is not None:
            parts = self.paths[root].split('.') + path.split('.')[1:]
            obj = self.namespace.get(parts[0], _UNKNOWN)
            for part in parts[1:]:
                obj = attribute(obj, part)
        return _peek(node, self.namespace) if obj is _UNKNOWN else obj  # (``STATE['q']``)

    def advancing_property(self, node):
        """Whether the Attribute `node` reads a property of an object outside the function
        whose getter (of yours) changes state (``SCHED.lr`` advancing `SCHED`)."""
        if not self.outside(_root(node)):
            return False
        base = self.lookup(node.value)
        if base is _UNKNOWN or isinstance(base, (types.ModuleType, type)):
            return False
        prop = inspect.getattr_static(base, node.attr, None)
        code = _bound_code(types.MethodType(prop.fget, base), self.seen) \
            if isinstance(prop, property) and inspect.isfunction(prop.fget) else None
        if not code:
            return False
        return _function_effects(_without_lazy_starts(code[0]), code[1], None, self.seen)

    def changed_by(self, call):
        """``(names, None)``: the outside names whose state `call` changes (empty where
        none), or ``(set(), node)`` where `call` calls a function of yours whose value reads
        state it changes."""
        func = call.func
        obj = self.lookup(func)
        if obj is _UNKNOWN and isinstance(func, gast.Name) and func.id not in self.private:
            obj = getattr(builtins, func.id, _UNKNOWN)  # (``next``: not in a module's globals)
        if isinstance(obj, functools.partial):  # (``TAKE()`` of ``partial(take, QUEUE)``)
            return self._partial_changes(call, obj)
        if _called_object(obj):  # (``STEP()`` of an object of yours: its ``__call__``)
            return self.changed_by(gast.Call(
                func=gast.Attribute(value=func, attr='__call__', ctx=gast.Load()),
                args=call.args, keywords=call.keywords))
        consumed = self._iterators_given(call, obj)
        owner = getattr(obj, '__self__', None)
        if isinstance(func, gast.Name) and isinstance(owner, _CONTAINERS) and \
                getattr(obj, '__name__', None) in _CHANGING:
            self.foreign.add(id(owner))  # (``pop = QUEUE.pop``, then ``pop(0)``)
            return {func.id} | consumed, None
        if (any(obj is getattr(builtins, name) for name in _STATE_BUILTINS) or
                obj is object.__setattr__ or obj is object.__delattr__) and call.args:
            given = call.args[0]
            if isinstance(given, gast.Call) and isinstance(given.func, gast.Name) and \
                    given.func.id == 'iter' and len(given.args) == 1 and \
                    obj is builtins.next and hasattr(type(self.lookup(given.args[0])),
                                                     '__next__'):
                given = given.args[0]  # (``next(iter(IT))`` of an iterator `IT`: `IT` itself)
            root = _root(given)
            if root is not None and root not in self.private and (
                    obj is builtins.next or root not in self.params):
                return {root} | consumed, None  # (``next`` of an iterator passed in too)
            return consumed, None
        if getattr(obj, '__name__', None) in INPLACE_FUNCTIONS and call.args and \
                obj is not _UNKNOWN:
            root = _root(call.args[0])
            return ({root} if self.outside(root) else set()) | consumed, None
        owner_of = self.lookup(func.value) if isinstance(func, gast.Attribute) else None
        if isinstance(func, gast.Attribute) and \
                not isinstance(owner_of, types.ModuleType) and not (
                    isinstance(owner_of, type) and inspect.isfunction(obj) and
                    isinstance(inspect.getattr_static(owner_of, func.attr, None),
                               staticmethod)):  # (``Util.take()``: a function of yours)
            return self._method_changes(call, obj), None
        if isinstance(func, gast.Name) and self.nested and func.id in self.nested:
            code = (self.nested[func.id], self.namespace) \
                if id(self.nested[func.id]) not in self.seen else ()
            self.seen.add(id(self.nested[func.id]))
        elif (getattr(obj, '__module__', None) or '').split('.')[0] in sys.stdlib_module_names:
            code = None  # (``copy.deepcopy(xs)``, ``functools.reduce``: Python's own)
        else:
            code = user_code(obj, self.seen)
        if code:
            found, objects, reads = _state_changes(code[0], code[1], self.nested, self.seen)
            self.foreign |= objects
            self.calls_read.append((call, reads))
            return consumed | self._arguments_changed(call, code[0]), found
        return consumed, None

    def _method_changes(self, call, obj):
        """The outside names a call of a method changes: its receiver's."""
        func = call.func
        receiver = self.lookup(func.value)
        root = _root(func.value) or _returning(func.value, self.namespace)
        if isinstance(receiver, type):
            # (``Schedule.tick(SCHED)``, as generated code calls a method: its object;
            # ``list.pop(QUEUE, 0)``)
            root = _root(call.args[0]) if call.args else None
            if self.outside(root) and receiver in _CONTAINERS and func.attr in _CHANGING:
                return {root}
        if not self.outside(root):
            return set()
        if changes_receiver(func, self.namespace) or _receiver_changed(func, receiver) or \
                func.attr in _CHANGING and receiver is _UNKNOWN and (
                    root in self.aliases or isinstance(func.value, gast.Subscript) or
                    _root(func.value) is None):  # (``get_holder().q.pop(0)``)
            return {root}  # (``QUEUE.pop(0)``, ``DQ.popleft()``, ``q.pop(0)`` of ``q = QUEUE``)
        code = _bound_code(obj, self.seen) if obj is not _UNKNOWN else None
        if code and _function_effects(code[0], code[1], None, self.seen):
            return {root}  # (``SCHED.lr()``: a method of an object of yours that changes it)
        return set()

    def _partial_changes(self, call, partial):
        """`changed_by` of a call of the ``functools.partial`` `partial` (of a function of
        yours): its function's, and the partial's own name where that function changes an
        argument the partial binds that is state (``partial(take, QUEUE)``)."""
        code = user_code(partial.func, self.seen)
        if not code:
            return set(), None
        found, objects, reads = _state_changes(code[0], code[1], self.nested, self.seen)
        self.foreign |= objects
        self.calls_read.append((call, reads))
        positional, written = _parameters_written(code[0], code[1])
        changed = any(param in written and _is_state(arg) and not isinstance(arg, _VALUES)
                      for param, arg in list(zip(positional, partial.args)) +
                      list(partial.keywords.items()))
        root = _root(call.func)
        return ({root} if changed and self.outside(root) else set()), found

    def _arguments_changed(self, call, callee):
        """The outside names given to the FunctionDef `callee` (of yours) by `call` as
        arguments it changes (``take(QUEUE)`` of ``def take(q): return q.pop(0)``,
        ``advance(SCHED)`` of ``def advance(s): s.t = s.t * 2``)."""
        args = callee.args
        positional, written = _parameters_written(callee, self.namespace)
        given = list(zip(positional, call.args)) + [
            (k.arg, k.value) for k in call.keywords if k.arg is not None]
        if args.vararg is not None:  # (``take_star(QUEUE)``, ``take_star(*QS)``)
            given += [(args.vararg.id, getattr(arg, 'value', arg))
                      for arg in call.args[len(positional):]]
        spread = [arg.value for arg in call.args if isinstance(arg, gast.Starred)] + [
            k.value for k in call.keywords if k.arg is None]  # (``*QS``, ``**CFG``: any)
        found = set()
        from .canonical import let_go  # (canonical imports what imports this)
        own = let_go(callee, [a.id for a in args.posonlyargs + args.args + args.kwonlyargs])
        for param, arg in given + [(None, arg) for arg in spread]:
            root = _root(arg)
            if param in own and isinstance(self.lookup(arg), np.ndarray):
                continue  # (``b = b.copy()`` of an array first: what it writes is its own)
            if (param in written or param is None and written) and self.outside(root):
                found.add(root)
        return found

    def _iterators_given(self, call, obj):
        """The outside names of iterators `call` is given as arguments (``islice(IT, 1)``,
        ``list(IT)``, ``zip(IT, xs)`` read from them), but to ``next`` and ``iter``."""
        if any(obj is getattr(builtins, name, None) for name in _NOT_CONSUMING | {'next'}):
            return set()
        found = set()
        for arg in list(call.args) + [k.value for k in call.keywords]:
            if isinstance(arg, gast.Starred):
                arg = arg.value
            root = _root(arg)
            if isinstance(arg, gast.Name) and self.outside(root) and \
                    hasattr(type(self.lookup(arg)), '__next__'):
                found.add(root)
        return found


def _parameters_written(callee, namespace):
    """``(positional, written)``: the names of the positional parameters of the FunctionDef
    `callee`, and those of all its parameters that it changes (their items, attributes or
    state: ``q.pop(0)``, ``s.t = ...``)."""
    from .effects import parameters_written  # (effects imports what imports this)
    args = callee.args
    positional = [a.id for a in args.posonlyargs + args.args]
    try:
        written = set(parameters_written(callee, namespace=namespace))
    except Exception:  # (an analysis that cannot read it: every parameter)
        written = set(positional) | {a.id for a in args.kwonlyargs}
    return positional, written | mutated(callee.body, methods=_CHANGING, aliases=True) | \
        _set_attributes(callee)


def _without_lazy_starts(getter):
    """The FunctionDef `getter` (a property's) without the blocks that set an attribute of
    its object only where they find it unset (``if self._D is None: self._D = ...``, ``if
    not hasattr(self, '_D'): ...``): such a block makes a value once, which every later
    read gives again; what else the getter changes counts."""
    params = n.names_stored(getter.args)
    if not params:
        return getter
    me = params[0]

    def unset(test, attrs):
        if isinstance(test, gast.Compare) and len(test.ops) == 1 and \
                isinstance(test.ops[0], gast.Is) and isinstance(test.left, gast.Attribute) and \
                isinstance(test.left.value, gast.Name) and test.left.value.id == me and \
                isinstance(test.comparators[0], gast.Constant) and \
                test.comparators[0].value is None:
            return attrs == {test.left.attr}  # (``self._D is None``)
        call = test.operand if isinstance(test, gast.UnaryOp) and \
            isinstance(test.op, gast.Not) else None
        return isinstance(call, gast.Call) and getattr(call.func, 'id', None) == 'hasattr' and \
            len(call.args) == 2 and getattr(call.args[0], 'id', None) == me and \
            isinstance(call.args[1], gast.Constant) and attrs == {call.args[1].value}

    def keep(stmt):
        return not (isinstance(stmt, gast.If) and not stmt.orelse and
                    unset(stmt.test, _attributes_set(stmt.body, me)))
    stripped = n.clone(getter)
    stripped.body = [stmt for stmt in stripped.body if keep(stmt)] or [gast.Pass()]
    return stripped


def _attributes_set(stmts, me):
    """The attributes of the name `me` that the statements `stmts` assign (at any depth)."""
    found = set()
    for stmt in stmts:
        for node in n.walk(stmt):
            targets = node.targets if isinstance(node, gast.Assign) else \
                [node.target] if isinstance(node, gast.AugAssign) else []
            found |= {t.attr for t in targets if isinstance(t, gast.Attribute) and
                      isinstance(t.value, gast.Name) and t.value.id == me}
    return found


def _bound_code(obj, seen):
    """`user_code` of `obj`; of a bound method, with its first parameter bound to its
    object in the namespace, so that what the method calls on it (``self.act(z)``,
    ``self.inner.forward(x)``) is found, not taken for any method that may change it."""
    code = user_code(obj, seen)
    owner = getattr(obj, '__self__', None)
    params = n.names_stored(code[0].args) if code else []
    if not code or owner is None or isinstance(owner, types.ModuleType) or not params:
        return code
    return code[0], dict(code[1], **{params[0]: owner})


def _called_object(obj):
    """Whether `obj` is an object of yours, no function or class, that a call calls through
    its class's ``__call__`` (a function of yours)."""
    if obj is _UNKNOWN or isinstance(obj, (type, types.FunctionType, types.MethodType,
                                           types.BuiltinFunctionType, types.ModuleType)):
        return False
    method = inspect.getattr_static(type(obj), '__call__', None)
    return inspect.isfunction(method) and not is_library(method)


def _constant_path(target):
    """The attributes and constant keys of the chain `target` below its name (``('W', 0)``
    of ``LAYER.W[0]``), or None where a key is not a constant."""
    path = ()
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Attribute):
            path = (target.attr,) + path
        elif isinstance(target.slice, gast.Constant):
            path = (target.slice.value,) + path
        else:
            return None
        target = target.value
    return path if path else None


def _receiver_changed(func, receiver):
    """Whether the method `func` (an Attribute) of the object `receiver` changes it (a
    list's ``pop``, a deque's ``popleft``, a set's ``add``)."""
    from .call_effects import _SET_CHANGING
    if receiver is _UNKNOWN or isinstance(receiver, (types.ModuleType, type)):
        return False
    if isinstance(receiver, (set, frozenset)):
        return func.attr in _SET_CHANGING or func.attr in _CHANGING
    return func.attr in _CHANGING


def _set_attributes(node):
    """The names whose attributes the FunctionDef `node` sets (``s.t = ...``, ``s.n += 1``)."""
    found = set()
    for child in _code(node):
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.Delete)):
            targets = child.targets if isinstance(child, (gast.Assign, gast.Delete)) \
                else [child.target]
            for target in targets:
                if isinstance(target, (gast.Attribute, gast.Subscript)) and \
                        _root(target) is not None:
                    found.add(_root(target))
    return found
