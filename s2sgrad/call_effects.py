"""Calls with an effect besides their value: a call whose value nothing reads still runs.

``first = next(it)``, ``smallest = heapq.heappop(h)`` or ``unused = bump(state)`` (a function
of yours that changes its argument, a global or an enclosing variable) change what the code
after them reads. Dead code drops an assignment nothing reads only where its value is pure
(`dead_code.pure`); `mark_effects` marks (``effects = True``) the calls that are not, as
`randomness.mark_draws` marks draws.
"""
import builtins
import inspect
import types

import gast
import numpy as np

from . import nodes as n
from .alias_memory import INPLACE_FUNCTIONS, INPLACE_METHODS
from .mutation import CHANGING_METHODS, FIRST_ARGUMENT_CHANGED
from .randomness import _UNKNOWN, _code, _lookup, user_code

_EFFECT_BUILTINS = frozenset({'next', 'print', 'exec', 'eval', 'input', 'open', 'setattr',
                              'delattr'})
"""Built-in functions whose calls have an effect (``next`` advances its iterator)."""
_CHANGING = CHANGING_METHODS | INPLACE_METHODS | {
    '__next__', 'send', 'popleft', 'appendleft', 'extendleft', 'rotate'}
"""Methods that change their receiver (``d.popitem()``, ``it.__next__()``, a deque's
``popleft``)."""
_SET_CHANGING = frozenset({'add', 'discard', 'difference_update', 'intersection_update',
                           'symmetric_difference_update'})
"""Methods that change a set (``add`` is also ``s2s.add``, ``np.add``: only of a set found)."""
_KINDS = (np.ndarray, np.generic, list, dict, tuple, str, float, int, complex)
"""Types whose other methods change nothing: a method of another name (``acc.inc()`` of an
object of yours) may."""


def mark_effects(func, namespace, nested):
    """Mark (``effects = True``) each Call of the FunctionDef `func` that has an effect
    besides its value (`call_effects`); `nested`: name -> FunctionDef of the functions
    defined in `func`."""
    local = set(n.names_stored(func)) - set(nested)
    namespace = {k: v for k, v in namespace.items() if k not in local}
    iterators = _iterators(func, namespace)
    for node in _code(func):
        if isinstance(node, gast.Call) and (call_effects(node, namespace, nested) or any(
                isinstance(arg, gast.Name) and arg.id in iterators
                for arg in list(node.args) + [k.value for k in node.keywords])):
            node.effects = True  # (``list(islice(it, 2))`` consumes `it`)


_ITERATORS = frozenset({'iter', 'enumerate', 'zip', 'map', 'filter', 'reversed'})
"""Built-ins that make an iterator, which a call reading it advances."""


def _iterators(func, namespace):
    """The names `func` binds to an iterator anywhere (``it = iter(xs)``, ``pairs = zip(a,
    b)``, a generator expression, a function of `itertools`): a call given one may advance
    it."""
    found = set()
    for node in n.walk(func):
        if not (isinstance(node, gast.Assign) and len(node.targets) == 1 and
                isinstance(node.targets[0], gast.Name)):
            continue
        value = node.value
        if isinstance(value, gast.GeneratorExp):
            found.add(node.targets[0].id)
        elif isinstance(value, gast.Call):
            obj = _lookup(value.func, namespace)
            if any(obj is getattr(builtins, name) for name in _ITERATORS) or \
                    getattr(obj, '__module__', None) == 'itertools' or \
                    type(obj).__module__ == 'itertools' or \
                    obj is _UNKNOWN and isinstance(value.func, gast.Name) and \
                    value.func.id in _ITERATORS:
                found.add(node.targets[0].id)
    return found


def call_effects(call, namespace, nested=None, _seen=None):
    """Whether the Call `call` may have an effect besides its value: ``next``, ``print``, a
    library function that writes into an argument (`INPLACE_FUNCTIONS`, ``out=``), or a
    function of yours that writes into an argument, a global or an enclosing variable,
    declares one ``global``/``nonlocal``, or makes such a call itself. A method of an object
    not found is judged by its name (`dead_code.pure`)."""
    seen = set() if _seen is None else _seen
    func = call.func
    if any(k.arg == 'out' for k in call.keywords):
        return True
    if isinstance(func, gast.Name) and nested and func.id in nested:
        node = nested[func.id]
        if id(node) in seen:
            return False
        seen.add(id(node))
        return _function_effects(node, namespace, nested, seen)
    obj = _lookup(func, namespace)
    if obj is _UNKNOWN:  # (a method of a local object: ``d.popitem()``, ``acc.inc()``)
        return isinstance(func, gast.Attribute) and (
            func.attr in _CHANGING or not any(hasattr(kind, func.attr) for kind in _KINDS))
    if changes_receiver(func, namespace):
        return True  # (``DQ.popleft()`` of a global deque)
    if any(obj is getattr(builtins, name) for name in _EFFECT_BUILTINS):
        return True
    init = inspect.getattr_static(obj, '__init__', None) if _users_class(obj) else None
    if inspect.isfunction(init):  # (``Owner(group)``, whose ``__init__`` appends `self`)
        code = user_code(init, seen)
        return bool(code) and _function_effects(*code, None, seen,
                                                made=n.names_stored(code[0].args)[:1])
    code = user_code(obj, seen)
    if code is not None:
        return bool(code) and _function_effects(*code, None, seen)
    return getattr(obj, '__name__', None) in INPLACE_FUNCTIONS  # (``heapq.heappop(h)``)


def _users_class(obj):
    """Whether `obj` is a class defined by the user (not a library's, nor Python's)."""
    from .kept_items import users_class  # (kept_items imports the passes that import this)
    return users_class(obj)


def changes_receiver(func, namespace):
    """Whether `func` (a call's function) is a method that changes its receiver, an object
    that is no module or class (``QUEUE.pop``, ``DQ.popleft``, not ``np.add``)."""
    if not isinstance(func, gast.Attribute) or func.attr in FIRST_ARGUMENT_CHANGED:
        return False  # (``s2s.add_at(b, i, v)``: its argument)
    receiver = _lookup(func.value, namespace)
    if isinstance(receiver, (set, frozenset)):
        return func.attr in _SET_CHANGING or func.attr in _CHANGING
    return func.attr in _CHANGING and receiver is not _UNKNOWN and \
        not isinstance(receiver, (types.ModuleType, type))


def _function_effects(node, namespace, nested, seen, made=()):
    """Whether a call of the FunctionDef `node` may have an effect (see `call_effects`);
    changes to its parameters of `made` do not count (the `self` of an ``__init__``: the new
    object)."""
    from .effects import parameters_written  # (effects imports the passes that import this)
    items, keyed = set(), {}  # (``rows[0] += 1.0`` of ``rows = list(rows)``: the caller's)
    try:
        if parameters_written(node, namespace=namespace, items=items,
                              item_keys=keyed) - set(made) or set(items) - set(made) or \
                set(keyed) - set(made):
            return True
    except Exception:  # (an analysis that cannot read it: keep the call)
        return True
    params = set(n.names_stored(node.args))
    own = _own_names(node) | params  # (an argument's changes: `parameters_written`)
    for child in _code(node):
        if isinstance(child, (gast.Global, gast.Nonlocal)):
            return True
        if isinstance(child, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = child.targets if isinstance(child, gast.Assign) else [child.target]
            if any(_root(t) not in own for t in targets
                   if isinstance(t, (gast.Subscript, gast.Attribute))):
                return True  # (into a global or an enclosing variable, or what holds one)
        if isinstance(child, gast.Call):
            target = child.func
            if isinstance(target, gast.Attribute) and target.attr in _CHANGING and \
                    _root(target.value) is not None:
                if _root(target.value) not in own:
                    return True  # (``LOG.append(v)`` of a global list)
                continue  # (``terms.append(v)`` of a list of its own)
            if call_effects(child, namespace, nested, seen):
                return True
    return False


def _own_names(node):
    """The local names of the FunctionDef `node` that only ever hold new values: every
    assignment to one makes a list, dict or tuple display, a comprehension, arithmetic, a
    constant or a copy (``terms = []``, ``h = np.zeros(3)``), never another name's object
    (``a = acc``, ``s = STATE[0]``), which may be a global's or an enclosing variable's."""
    from .effects import _new_memory  # (effects imports the passes that import this)
    new = (gast.List, gast.Dict, gast.Tuple, gast.Set, gast.ListComp, gast.DictComp,
           gast.SetComp)
    values = {}
    for child in n.walk(gast.Module(body=node.body, type_ignores=[])):
        if isinstance(child, gast.Assign):
            for target in child.targets:
                for name in n.names_stored(target):
                    values.setdefault(name, []).append(
                        child.value if isinstance(target, gast.Name) else None)
        elif isinstance(child, (gast.For, gast.comprehension, gast.With, gast.NamedExpr,
                                gast.AugAssign, gast.AnnAssign)):
            for target in [getattr(child, 'target', None)] + [
                    item.optional_vars for item in getattr(child, 'items', [])]:
                for name in n.names_stored(target) if target is not None else ():
                    values.setdefault(name, []).append(
                        getattr(child, 'value', None)
                        if isinstance(child, (gast.NamedExpr, gast.AnnAssign)) else None)
    return {name for name, vs in values.items()
            if all(v is not None and (isinstance(v, new) or _new_memory(v)) for v in vs)}


def _root(node):
    """The name at the root of ``a.b[c].d``, or None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None
