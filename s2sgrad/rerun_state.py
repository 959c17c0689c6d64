"""Functions of yours whose value reads state they change: a rerun of one sees it changed.

In joint motion (the caller writes into an array, ``motion='joint'``, second derivatives) the
VJP of a call runs the function again. A function that only logs or counts outside itself
(``LOG.append(float(v))``, ``COUNT += 1``) gives the same value at the second run; one whose
value reads what it changes (``next(SCHEDULE) * v``, ``QUEUE.pop(0)``, ``SCHED.lr()`` of an
object that advances itself, ``setattr(CFG, 'lr', ...)`` then ``CFG.lr``) gives another, and
its derivative would be of the next state. `state_read_after_change` finds such a read.
"""
import builtins
import sys
import types

import gast

from . import nodes as n
from .alias_memory import INPLACE_FUNCTIONS
from .call_effects import _function_effects, _root, changes_receiver
from .randomness import _UNKNOWN, _code, _lookup, user_code

_STATE_BUILTINS = frozenset({'next', 'setattr', 'delattr'})
"""Built-in functions that change their first argument's state."""


def state_read_after_change(node, namespace, nested=None, _seen=None):
    """The first call or name in the FunctionDef `node` (its globals `namespace`, the
    nested functions `nested`) whose value reads state outside it that a call of it changes,
    or None. A call that changes such state and whose value is read (``next(it) * v``,
    ``QUEUE.pop(0)``, ``SCHED.lr()``), and a read elsewhere of what a call or ``global``
    assignment changes (``setattr(CFG, ...)``, then ``CFG.lr``), count; a change nothing
    reads (a log, a counter) does not. Changes of the function's parameters (but an
    iterator's ``next``) and of the values it makes itself are its derivative's own concern."""
    seen = set() if _seen is None else _seen
    params = set(n.names_stored(node.args))
    locals_ = set(n.names_stored(node)) - params
    declared = {name for child in _code(node) if isinstance(child, (gast.Global, gast.Nonlocal))
                for name in child.names}
    unused = {id(child.value) for child in _code(node) if isinstance(child, gast.Expr)}
    changed, change_nodes = set(declared), set()
    for child in _code(node):  # (``COUNT = COUNT + 1`` of a counter reads only to count)
        if isinstance(child, (gast.Assign, gast.AugAssign)) and declared & set(
                n.names_stored(child)):
            change_nodes.update(id(part) for part in n.walk(child))
    for child in _code(node):
        if not isinstance(child, gast.Call):
            continue
        root, found = _changed_root(child, namespace, nested, params, locals_, seen)
        if found is not None:
            return found  # (a function of yours whose own value reads what it changes)
        if root is None:
            continue
        if id(child) not in unused:
            return child
        changed.add(root)
        change_nodes.update(id(part) for part in n.walk(child))
    for child in _code(node):  # (``type(SCHED)`` reads no state: a guard of generated code)
        if isinstance(child, gast.Call) and isinstance(child.func, gast.Name) and \
                child.func.id == 'type':
            change_nodes.update(id(part) for part in n.walk(child))
    for child in _code(node):
        if isinstance(child, gast.Name) and child.id in changed and \
                isinstance(child.ctx, gast.Load) and id(child) not in change_nodes:
            return child
    return None


def _changed_root(call, namespace, nested, params, locals_, seen):
    """``(name, None)`` for the state outside the function that `call` changes (None where
    it changes none), or ``(None, node)`` where `call` calls a function of yours whose value
    reads state it changes."""
    func = call.func
    obj = _lookup(func, namespace)
    if obj is _UNKNOWN and isinstance(func, gast.Name) and func.id not in locals_:
        obj = getattr(builtins, func.id, _UNKNOWN)  # (``next``: not in a module's globals)
    if any(obj is getattr(builtins, name) for name in _STATE_BUILTINS) and call.args:
        root = _root(call.args[0])
        if root is not None and root not in locals_ and (
                obj is builtins.next or root not in params):
            return root, None  # (``next`` of an iterator passed in advances it too)
        return None, None
    if getattr(obj, '__name__', None) in INPLACE_FUNCTIONS and call.args and \
            obj is not _UNKNOWN:
        root = _root(call.args[0])
        return (root if root is not None and root not in params | locals_ else None), None
    if isinstance(func, gast.Attribute) and \
            not isinstance(_lookup(func.value, namespace), types.ModuleType):
        root = _root(func.value)
        if isinstance(_lookup(func.value, namespace), type):
            # (``Schedule.tick(SCHED)``, as generated code calls a method: its object)
            root = _root(call.args[0]) if call.args else None
        if root is None or root in params | locals_:
            return None, None
        if changes_receiver(func, namespace):
            return root, None  # (``QUEUE.pop(0)``, ``DQ.popleft()``)
        code = user_code(obj, seen) if obj is not _UNKNOWN else None
        if code and _function_effects(code[0], code[1], None, seen):
            return root, None  # (``SCHED.lr()``: a method of an object of yours that changes it)
        return None, None
    if isinstance(func, gast.Name) and nested and func.id in nested:
        code = (nested[func.id], namespace) if id(nested[func.id]) not in seen else ()
        seen.add(id(nested[func.id]))
    elif (getattr(obj, '__module__', None) or '').split('.')[0] in sys.stdlib_module_names:
        code = None  # (``copy.deepcopy(xs)``, ``functools.reduce``: Python's own)
    else:
        code = user_code(obj, seen)
    if code:
        return None, state_read_after_change(code[0], code[1], nested, seen)
    return None, None
