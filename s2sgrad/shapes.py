"""Shape analysis: which variables provably always have the same shape.

Classes are built from definitions that preserve shape: copies, unary minus, elementwise
functions, and binary operators whose operands are already known to match (or whose other
operand is a number). A variable with any other definition starts its own class, and one whose
definitions disagree is left out. The reverse pass drops ``unbroadcast`` where the operand and
the result share a class, so scalar loops and elementwise chains need no shape bookkeeping.
"""
import gast

from . import rules
from .activity import target_names

_SHAPE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_SCALAR = '<scalar>'


class ShapeClasses:
    """`same(a, b)`: variables `a` and `b` always hold values of one shape."""

    def __init__(self, statements, params, resolver, scalars=(), numbers=(), lists=()):
        """`scalars`: variables known to be numbers; `numbers`: parameters known to be
        Python numbers (the gradient checks them at entry); `lists`: variables known to hold
        lists or tuples, which ``*`` repeats and ``+`` concatenates."""
        self.resolver = resolver
        self.scalars = set(scalars)
        self.lists = set(lists)
        definitions = {}
        for stmt in statements:
            if isinstance(stmt, gast.Assign):
                if isinstance(stmt.targets[0], gast.Subscript):
                    continue
                for name in target_names(stmt.targets[0]):
                    value = stmt.value if isinstance(stmt.targets[0], gast.Name) else None
                    definitions.setdefault(name, []).append(value)
            elif isinstance(stmt, gast.For):
                for name in target_names(stmt.target):
                    definitions.setdefault(name, []).append(None)
            elif isinstance(stmt, gast.FunctionDef):
                definitions.setdefault(stmt.name, []).append(None)
        for name in params:
            if name in definitions:
                definitions[name].insert(0, None)
        # a parameter is a number from entry to end only while nothing rebinds it
        numbers = {name for name in numbers if name not in definitions}
        self.scalars |= numbers
        poisoned = set()
        while True:
            # Any name poisoned during this round may have lent its class to later
            # statements of the round, so the round is repeated until nothing changes.
            before = len(poisoned)
            root = {}
            self.reduced_from = {}
            for name in params:
                if name not in definitions:
                    root[name] = _SCALAR if name in numbers else name
            for stmt in statements:
                if not (isinstance(stmt, gast.Assign) and
                        isinstance(stmt.targets[0], gast.Name)):
                    continue
                name = stmt.targets[0].id
                if name in poisoned:
                    continue
                if len(definitions.get(name, ())) > 1 and None in definitions[name]:
                    poisoned.add(name)
                    continue
                cls = self._class_of(stmt.value, root)
                if isinstance(cls, tuple):
                    self.reduced_from[name] = cls[1]
                    cls = None
                if cls is None:
                    if len(definitions[name]) == 1:
                        root.setdefault(name, name)
                    else:
                        poisoned.add(name)
                    continue
                if name in root and root[name] != cls:
                    poisoned.add(name)
                    continue
                root[name] = cls
            for name, values in definitions.items():
                if name in poisoned or len(values) == 1:
                    continue
                classes = {self._class_of(v, root) if v is not None else None for v in values}
                if len(classes) != 1 or None in classes:
                    poisoned.add(name)
            if len(poisoned) == before:
                break
        self.root = {name: cls for name, cls in root.items() if name not in poisoned}
        self.single = {name for name, values in definitions.items() if len(values) == 1}
        self.single |= {p for p in params if p not in definitions}
        for name in self.scalars:
            if name not in poisoned and name in self.single:
                self.root[name] = _SCALAR

    def proxy(self, name):
        """A variable assigned once whose value always has `name`'s shape, or None."""
        root = self.root.get(name)
        if root is None or root == _SCALAR or name not in self.single:
            return None
        return root if root in self.single else None

    def _class_of(self, value, root):
        if _is_number(value):
            return _SCALAR
        if isinstance(value, gast.Name):
            return root.get(value.id)
        if isinstance(value, gast.UnaryOp) and isinstance(value.op, (gast.USub, gast.UAdd)):
            return self._class_of(value.operand, root)
        if isinstance(value, gast.BinOp) and isinstance(value.op, _SHAPE_OPS):
            left, right = value.left, value.right
            if any(isinstance(side, gast.Name) and side.id in self.lists
                   for side in (left, right)):
                return None
            if (_is_number(right) or self._is_scalar_name(right)) and not _is_number(left):
                return self._class_of(left, root)
            if (_is_number(left) or self._is_scalar_name(left)) and not _is_number(right):
                return self._class_of(right, root)
            a, b = self._class_of(left, root), self._class_of(right, root)
            if a is not None and a == b:
                return a
            if a is not None and b is not None and self.reduced_from.get(b) == a:
                return a  # `x - np.max(x, axis, keepdims=True)` has the shape of `x`
            if a is not None and b is not None and self.reduced_from.get(a) == b:
                return b
            return None
        if isinstance(value, gast.Call) and len(value.args) == 1 and _keepdims(value):
            func = self.resolver.lookup(value.func)
            source = self._class_of(value.args[0], root)
            if rules.is_reduction(func) and source is not None:
                return ('reduced', source)
        if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords:
            func = self.resolver.lookup(value.func)
            if func is not None and getattr(func, '__module__', None) == 'math' and \
                    rules.is_elementwise(func):
                return _SCALAR
            if func is not None and (rules.is_elementwise(func) or
                                     rules.is_shape_preserving(func)):
                return self._class_of(value.args[0], root)
        return None

    def _is_scalar_name(self, node):
        return isinstance(node, gast.Name) and node.id in self.scalars

    def same(self, a, b):
        """Whether variables `a` and `b` always have one shape."""
        return a == b or (a in self.root and self.root.get(a) == self.root.get(b))


def _keepdims(call):
    """A call with ``keepdims=True`` and an ``axis`` keyword, and nothing else."""
    keywords = {kw.arg: kw.value for kw in call.keywords}
    keep = keywords.get('keepdims')
    return set(keywords) == {'axis', 'keepdims'} and isinstance(keep, gast.Constant) and \
        keep.value is True


def _is_number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)
