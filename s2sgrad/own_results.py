"""Own results: a public derivative returns arrays of its own, never an argument, a global, or
an array it also returns elsewhere (``bx = x`` for ``0.5 * np.sum(x ** 2)``), so that a caller
who updates the gradient in place (``g *= lr``) changes nothing else."""
import gast

from . import nodes as n
from .alias_memory import (FRESH_FUNCTIONS, FRESH_METHODS, RUNTIME_FRESH, RUNTIME_HOLDING,
                           _copies)
from .rules import NONDIFFERENTIABLE_ATTRIBUTES
from .standins import SHAPE_ARGUMENT

_FRESH_HELPERS = RUNTIME_FRESH | RUNTIME_HOLDING | {
    'matmul_lhs', 'matmul_rhs', 'dot_lhs', 'dot_rhs', 'cofactor', 'xdivy', 'tie_share'}
"""Runtime helpers whose result is new memory (the alias analysis's, and products)."""
_MODULES = frozenset({'np', 'numpy', 'math', 's2s', 'cp', 'cupy', 'scipy', 'special', 'da'})
"""Names generated code reaches modules by: their functions' results are no view of them."""
_PASSING = {'like': (0,), 'unbroadcast': (0,), 'unreduce': (0,), 'reshape_like': (0,),
            'read_at': (0,), 'zero_at': (0,), 'stored': (0,), 'add_at': (0, 2), 'add': (0, 1)}
"""Runtime helpers whose result may be (or hold) some of their arguments (-> positions); the
others' may be any argument but the one read for its shape."""
_STORING = frozenset({'append', 'extend', 'insert', 'update', 'setdefault', '__setitem__'})
"""Methods by which a list or dict comes to hold their arguments."""


def own_results(func, skip_first=False):
    """Wrap each result of the FunctionDef `func`'s final ``return`` (the items of a tuple,
    and of the tuples it holds: ``(value, (bx, by))``; the argument of ``s2s.like``) that may
    share memory with a parameter, a global or another result in ``s2s.own``. `skip_first`:
    the first item is the function's value, left as it is (it counts as a result the others
    must not share)."""
    ret = func.body[-1] if func.body else None
    if not isinstance(ret, gast.Return) or ret.value is None:
        return func
    memory = _Memory(func, stored=True)
    taken = set()
    for k, (holder, key, node) in enumerate(_result_slots(ret)):
        inner = node.args[0] if _is_helper(node, 'like') and node.args else node
        locs = memory.of(inner)
        shared = any(loc[0] == 'outside' for loc in locs) or locs & taken
        taken |= locs
        if not shared or k == 0 and skip_first:
            continue
        owned = n.call('s2s.own', inner)
        if inner is node:
            node = owned
        else:
            node.args[0] = owned
        if key is None:
            setattr(holder, 'value', node)
        else:
            holder.elts[key] = node
    return func


def _result_slots(ret):
    """``(holder, key, node)`` for each result of the Return `ret`: the items of a tuple
    display (`key` their position in `holder`), the items of the tuple displays among those
    but the first (``(value, (bx, by))`` of `value_and_grad`: `bx` and `by`), in order; or
    ``(ret, None, ret.value)``."""
    if not isinstance(ret.value, gast.Tuple):
        return [(ret, None, ret.value)]
    slots = []
    for k, item in enumerate(ret.value.elts):
        if k and isinstance(item, gast.Tuple):
            slots.extend((item, j, part) for j, part in enumerate(item.elts))
        else:
            slots.append((ret.value, k, item))
    return slots


def _is_helper(node, name=None):
    """Whether `node` calls ``s2s.<name>`` (any runtime helper for None)."""
    path = n.dotted_path(node.func) if isinstance(node, gast.Call) else None
    return path is not None and path.startswith('s2s.') and (name is None or path[4:] == name)


class _Memory:
    """Flow-insensitive: the memory an expression of the generated function may hold, as a
    set of ``('outside', name)`` (a parameter's, a global's) and ``('new', id)`` (made by a
    node of the function); `stored`: with what is stored into a variable's items
    (``dd['a'] = dx``, ``ds.append(dx)``: a dict or list holds it), which results that are
    containers hold."""

    def __init__(self, func, stored=False):
        self.stored = stored
        self.direct = {}  # (name -> the values bound to it by ``name = value``)
        self.definitions = {}
        self.params = set(n.names_stored(func.args))
        self.locals = self.params | set(n.names_stored(func))
        for node in _walk_body(func.body):
            if isinstance(node, gast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif stored and isinstance(node, gast.Call) and \
                    isinstance(node.func, gast.Attribute) and \
                    node.func.attr in _STORING and isinstance(node.func.value, gast.Name):
                # (``ds.append(dx)``: the list holds what it is given)
                self.definitions.setdefault(node.func.value.id, []).extend(
                    list(node.args) + [kw.value for kw in node.keywords])
            elif isinstance(node, (gast.For, gast.With)):
                for name in n.names_stored(node.target if isinstance(node, gast.For)
                                           else gast.Tuple(elts=[i.optional_vars for i in
                                                                 node.items if i.optional_vars],
                                                           ctx=gast.Store())):
                    self.definitions.setdefault(name, []).append(None)
        self.memo = {}

    def _bind(self, target, value, direct=True):
        if isinstance(target, gast.Subscript):  # (``dd['a'] = dx``: a dict or list holds it)
            if not self.stored:
                return
            while isinstance(target, gast.Subscript):
                target = target.value
            if isinstance(target, gast.Name):
                self.definitions.setdefault(target.id, []).append(value)
        elif isinstance(target, gast.Name):
            self.definitions.setdefault(target.id, []).append(value)
            if direct:
                self.direct.setdefault(target.id, []).append(value)
        elif isinstance(target, (gast.Tuple, gast.List)):
            whole = isinstance(value, (gast.Tuple, gast.List)) and \
                len(value.elts) == len(target.elts)
            values = value.elts if whole else [value] * len(target.elts)
            for elt, part in zip(target.elts, values):
                self._bind(elt, part, direct and whole)  # (else an item of `value`)
        elif isinstance(target, gast.Starred):
            self._bind(target.value, value, False)

    def of(self, node):
        """The memory the value of `node` may hold."""
        if node is None:
            return {('outside', '?')}
        if isinstance(node, gast.Constant):
            return set()
        if isinstance(node, gast.Name):
            return self._name(node.id)
        if isinstance(node, gast.BinOp) and self.stored and \
                isinstance(node.op, (gast.Add, gast.Mult)) and \
                (self._listy(node.left) or self._listy(node.right)):
            # (``dls + [dy]``, ``[dx] * 2``: a new list of the same items)
            return {('new', id(node))} | self.of(node.left) | self.of(node.right)
        if isinstance(node, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            return {('new', id(node))}
        if isinstance(node, gast.Subscript):
            return self.of(node.value)
        if isinstance(node, gast.Attribute):  # a view, or an array the object holds
            # (``self.W``, ``MODEL.W``, ``params.w``): the object's memory either way
            return set() if node.attr in NONDIFFERENTIABLE_ATTRIBUTES else self.of(node.value)
        if isinstance(node, (gast.Tuple, gast.List)):
            return set().union(*(self.of(elt) for elt in node.elts))
        if isinstance(node, gast.IfExp):
            return self.of(node.body) | self.of(node.orelse)
        if isinstance(node, gast.BoolOp):
            return set().union(*(self.of(v) for v in node.values))
        if isinstance(node, gast.Starred):
            return self.of(node.value)
        if isinstance(node, gast.Call):
            return self._call(node)
        return {('outside', '?')}

    def _name(self, name):
        if name in self.memo:
            return self.memo[name]
        if name not in self.definitions:
            return {('outside', name)}  # a parameter, a global, a closure variable
        self.memo[name] = set()  # (a cycle through loops adds nothing new)
        locs = {('outside', name)} if name in self.params else set()  # (assigned again)
        for value in self.definitions[name]:
            locs |= self.of(value)
        self.memo[name] = locs
        return locs

    def _listy(self, node, seen=None):
        """Whether `node` may be a list, tuple or dict (a display, ``list(...)``,
        ``dict()``, zeros of one, a name bound to one): ``+`` and ``*`` of it, and its shallow
        copy, keep the items."""
        if isinstance(node, (gast.List, gast.Tuple, gast.Dict)):
            return True
        if isinstance(node, gast.Call):
            path = n.dotted_path(node.func)
            if path in ('list', 'tuple', 'sorted', 'dict', 's2s.listed', 's2s.copied_dict',
                        's2s.dict_copy'):
                return True
            return path in ('s2s.zeros_like', 's2s.copy') and len(node.args) == 1 and \
                self._listy(node.args[0], seen)
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Mult)):
            return self._listy(node.left, seen) or self._listy(node.right, seen)
        if isinstance(node, gast.Name):
            seen = set() if seen is None else seen
            if node.id in seen:
                return False
            seen.add(node.id)
            return any(value is not None and self._listy(value, seen)
                       for value in self.direct.get(node.id, ()))
        return False

    def _call(self, call):
        new = {('new', id(call))}
        path = n.dotted_path(call.func)
        if self.stored and (path == 'sum' and len(call.args) == 2 or
                            path == 's2s.copy' and len(call.args) == 1 and
                            self._listy(call.args[0])):
            # (``sum(rows, [])``, a shallow copy of a list or dict: the same items)
            return new.union(*(self.of(arg) for arg in call.args))
        root = path.split('.')[0] if path else None
        leaf = path.rsplit('.', 1)[-1] if path else None
        args = list(call.args)
        method = root is None or root in self.locals or root not in _MODULES
        if isinstance(call.func, gast.Attribute) and method:
            # (a method of a global or an attribute too: ``W.ravel()``, ``MODEL.W.reshape(3)``)
            if call.func.attr in FRESH_METHODS and _copies(call):  # ``v.copy()``, ``v.sum()``
                return new
            args.insert(0, call.func.value)
        elif root == 's2s':
            if leaf in _FRESH_HELPERS:
                return new
            shape_only = SHAPE_ARGUMENT.get(leaf)
            passing = _PASSING.get(leaf, [k for k in range(len(args)) if k != shape_only])
            args = [arg for k, arg in enumerate(args) if k in passing]
        elif leaf in FRESH_FUNCTIONS:  # ``np.zeros(...)``, ``np.linalg.solve(...)``
            return new
        args += [kw.value for kw in call.keywords]
        return new.union(*(self.of(arg) for arg in args))


def _walk_body(body):
    """The nodes of `body`, not those of nested functions or lambdas."""
    todo = list(reversed(body))
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        todo.extend(reversed(list(gast.iter_child_nodes(node))))
