"""Activity analysis: which variables depend on the arguments we differentiate."""
import gast
import numpy as np

from . import nodes as n
from . import rules
from .alias_memory import fresh_call
from .float_values import dtype_argument, integer_dtype
from .mutation import assigned_into
from .resolve import is_nondifferentiable_call


class Activity:
    """Flow-insensitive forward activity of the variables of a function.

    A variable is active when some assignment to it reads an active value through a
    differentiable operation; shape queries, comparisons and non-differentiable calls break the
    dependence. `closures` maps nested function names to the enclosing variables they read.
    """

    def __init__(self, body, wrt, resolver, closures=None, constants=()):
        """`constants`: variables the result does not depend on (see `invariance`), never
        active."""
        self.resolver = resolver
        self.closures = closures or {}
        self.constants = set(constants)
        self.active = set(wrt)
        written = assigned_into(body)
        # (the nodes that may define a variable, in the order of a walk, found once)
        definers = [node for stmt in body for node in n.walk(stmt)
                    if isinstance(node, (gast.FunctionDef, gast.Assign, gast.For, gast.Expr))]
        changed = True
        while changed:
            changed = False
            for node in definers:
                for target in self._defined_by(node) + self._viewed(node, written):
                    if target not in self.active and target not in self.constants:
                        self.active.add(target)
                        changed = True

    def _viewed(self, node, written):
        """``v = y[1:]`` (or ``w = y``, ``y.T``, ``np.asarray(y)``) with `v` written into and
        differentiated: the write may change `y`, so `y` is differentiated too."""
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and
                node.targets[0].id in written and node.targets[0].id in self.active):
            return []
        base = node.value
        while True:
            if fresh_call(base, self.resolver):
                return []  # (``s2 = np.zeros(len(r))``, ``np.empty_like(self.r)``: new memory)
            if isinstance(base, (gast.Subscript, gast.Attribute)):
                base = base.value
            elif isinstance(base, gast.Call) and isinstance(base.func, gast.Attribute) and \
                    not self.resolver.is_global(base.func):
                base = base.func.value
            elif isinstance(base, gast.Call) and base.args:
                base = base.args[0]
            else:
                break
        # (a global's array is never written through: `aliasing` refuses that write)
        return [base.id] if isinstance(base, gast.Name) and \
            not self.resolver.is_global(base) else []

    def _defined_by(self, node):
        if isinstance(node, gast.FunctionDef) and node.name in self.closures and \
                any(v in self.active for v in self.closures[node.name]):
            return [node.name]  # a closure over a differentiated value is one, as a value
        if isinstance(node, gast.Assign) and self.is_active(node.value):
            return [name for target in node.targets for name in _target_names(target)]
        if isinstance(node, gast.For) and self.is_active(node.iter):
            return _target_names(node.target)
        if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            call = node.value
            if isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) \
                    and not self.resolver.is_global(call.func) \
                    and any(self.is_active(arg) for arg in
                            list(call.args) + [kw.value for kw in call.keywords]):
                return [call.func.value.id]
        return []

    def is_active(self, node):
        """Whether expression `node` may carry a derivative."""
        if node is None or isinstance(node, gast.Constant):
            return False
        if isinstance(node, gast.Name):
            return node.id in self.active
        if isinstance(node, (gast.Compare, gast.JoinedStr)):
            return False  # (a bool, a string: no derivative)
        if isinstance(node, gast.BoolOp):  # ``a or b`` is one of its operands
            return any(self.is_active(value) for value in node.values)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
            return False
        if isinstance(node, gast.Attribute):
            if node.attr in rules.NONDIFFERENTIABLE_ATTRIBUTES:
                return False
            return not self.resolver.is_global(node) and self.is_active(node.value)
        if isinstance(node, gast.Subscript):  # an active index: see templates/subscripts.py
            return self.is_active(node.value) or self.is_active(node.slice)
        if isinstance(node, gast.Call):
            if is_nondifferentiable_call(node, self.resolver):
                return False
            if self._integer_result(node):
                return False
            if isinstance(node.func, gast.Name) and node.func.id in self.closures:
                if any(v in self.active for v in self.closures[node.func.id]):
                    return True
            if not isinstance(node.func, gast.Attribute) and self.is_active(node.func):
                return True  # `h()` for `h = g`, a closure over a differentiated value
            args = list(node.args) + [kw.value for kw in node.keywords]
            if isinstance(node.func, gast.Attribute) and not self.resolver.is_global(node.func):
                args.append(node.func.value)
            return any(self.is_active(arg) for arg in args)
        if isinstance(node, gast.IfExp):
            return self.is_active(node.body) or self.is_active(node.orelse)
        return any(self.is_active(child) for child in gast.iter_child_nodes(node)
                   if isinstance(child, gast.expr))

    def _integer_result(self, call):
        """A library function or array method asked for an integer or boolean result
        (``np.sum(x, dtype=int)``, ``x.cumsum(dtype=int)``): piecewise constant."""
        dtype = next((kw.value for kw in call.keywords if kw.arg == 'dtype'), None)
        if dtype is None or not integer_dtype(dtype, self.resolver):
            return False
        if isinstance(call.func, gast.Attribute) and not self.resolver.is_global(call.func):
            return True
        func = self.resolver.lookup(call.func)
        return func is not None and rules.is_library(func)


_CONSTRUCTORS = frozenset({'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like',
                           'empty_like', 'full_like', 'arange', 'array', 'asarray'})


def integer_arrays(body, resolver, params=()):
    """Variables (not parameters) that every assignment makes a NumPy array of an integer or
    boolean dtype given by ``dtype=`` (``h = np.zeros(3, dtype=int)``): what is written into
    them is truncated, a piecewise constant, so they carry no derivative."""
    kinds = {}
    for stmt in n.statements(body):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                for name in target_names(target):
                    if not isinstance(target, gast.Subscript):
                        kinds.setdefault(name, set()).add(
                            isinstance(target, gast.Name) and _integer_array(stmt.value,
                                                                             resolver))
        elif isinstance(stmt, gast.For):
            for name in target_names(stmt.target):
                kinds.setdefault(name, set()).add(False)
    return {name for name, k in kinds.items() if k == {True} and name not in params}


def _integer_array(value, resolver):
    if not isinstance(value, gast.Call):
        return False
    func = resolver.lookup(value.func)
    if getattr(func, '__name__', None) not in _CONSTRUCTORS or \
            not (getattr(func, '__module__', None) or '').startswith('numpy'):
        return False
    dtype = dtype_argument(value, func.__name__)
    if dtype is None:
        return False
    dtype = dtype.value if isinstance(dtype, gast.Constant) else resolver.lookup(dtype)
    try:
        return dtype is not None and np.dtype(dtype).kind in 'biu'
    except TypeError:
        return False


def _target_names(target):
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, (gast.Tuple, gast.List)):
        return [name for elt in target.elts for name in _target_names(elt)]
    if isinstance(target, gast.Subscript):
        base = target.value
        while isinstance(base, gast.Subscript):
            base = base.value
        return [base.id] if isinstance(base, gast.Name) else []
    return []


def target_names(target):
    """The variable names an assignment target binds or updates."""
    return _target_names(target)


def list_values(statements, params, sequence_calls=(), known=()):
    """Variables whose every definition in `statements` is a tuple or list display, a call in
    `sequence_calls` (node ids of calls of user functions that return displays), a copy or a
    slice (``buf[1:]``) of such a variable or the concatenation ``a + b`` of two (``out =
    []``, then ``out += [v]`` or ``out = out + pair(x)`` in a loop): the greatest set closed
    so, which holds lists and tuples only (the first definition that runs cannot read one of
    them, so it is a display or such a call). `known`: parameters known to hold a tuple (a
    ``*args`` parameter), which count as such variables."""
    definitions = {}
    for stmt in statements:
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript) and not isinstance(target.slice, gast.Slice):
                continue  # (``lst[1] = v`` stores an item: `lst` is still a list, as long)
            for name in _target_names(target):
                value = stmt.value if isinstance(target, gast.Name) else None
                definitions.setdefault(name, []).append(value)
        elif isinstance(stmt, gast.For):
            for name in _target_names(stmt.target):
                definitions.setdefault(name, []).append(None)
    found = {name for name in definitions if name not in params} | set(known)
    changed = True
    while changed:
        changed = False
        for name in sorted(found - set(known)):
            if not all(_is_list_value(value, found) or id(value) in sequence_calls
                       for value in definitions[name]):
                found.discard(name)
                changed = True
    return found


def _is_list_value(value, found):
    if isinstance(value, (gast.Tuple, gast.List)):
        return True
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.record':
        return True  # (a namedtuple built in the function: `records`)
    if isinstance(value, gast.Call) and n.dotted_path(value.func) in (
            'deque', 'collections.deque') and len(value.args) <= 1 and not value.keywords:
        return True  # (a deque, filled by ``append``: NumPy reads it as a list)
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 'sum':
        start = value.args[1] if len(value.args) == 2 else next(
            (kw.value for kw in value.keywords if kw.arg == 'start'), None)
        if start is not None and _is_list_operand(start, found):
            return True  # (``sum(rows, [])`` concatenates lists)
    if isinstance(value, gast.Name):  # a copy
        return value.id in found
    if isinstance(value, gast.Call) and n.dotted_path(value.func) == 's2s.copy' and \
            len(value.args) == 1 and isinstance(value.args[0], gast.Name):
        return value.args[0].id in found  # (a copy the normal form makes before a write)
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
            value.func.attr == 'copy' and not value.args and not value.keywords:
        return isinstance(value.func.value, gast.Name) and \
            value.func.value.id in found  # (``state.copy()`` of a list: a list)
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        return isinstance(value.value, gast.Name) and value.value.id in found  # ``buf[1:]``
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult):  # ``q * 2``
        return any(_is_list_operand(side, found) and
                   isinstance(other, gast.Constant) and type(other.value) is int
                   for side, other in ((value.left, value.right), (value.right, value.left)))
    return isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and all(
        _is_list_operand(side, found) for side in (value.left, value.right))


def _is_list_operand(node, found):
    """Whether `node`, an operand of ``+`` or ``*``, is a list or tuple: a display (``[0.0] *
    2``) or a variable of `found`."""
    return isinstance(node, (gast.List, gast.Tuple)) or \
        isinstance(node, gast.Name) and node.id in found


def is_simple(node):
    """Pure, cheap expressions that may be repeated in generated code (no calls)."""
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    if isinstance(node, gast.Attribute):
        return is_simple(node.value)
    if isinstance(node, (gast.BinOp,)):
        return is_simple(node.left) and is_simple(node.right)
    if isinstance(node, gast.UnaryOp):
        return is_simple(node.operand)
    if isinstance(node, (gast.Tuple, gast.List)):
        return all(is_simple(e) for e in node.elts)
    if isinstance(node, gast.Slice):
        return all(is_simple(p) for p in (node.lower, node.upper, node.step) if p is not None)
    if isinstance(node, gast.Subscript):
        return is_simple(node.value) and is_simple(node.slice)
    return False
