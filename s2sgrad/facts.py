"""Facts the simplifier's rules read: the shapes and float-ness of a function's expressions."""
import gast

from . import nodes as n
from . import rules
from .expr_keys import expr_key, is_neutral, is_number

_OPAQUE_NODES = (gast.Name, gast.Call, gast.BinOp, gast.UnaryOp, gast.Attribute)


# -- shapes -------------------------------------------------------------------------------------
class Unknown:
    """A size nobody knows: equal only to itself (the same quantity, reached twice)."""

    __slots__ = ()

    def __repr__(self):
        return '?'


class Opaque:
    """The shape, unknown but fixed, of the value of a pure expression (`key`: its text).

    The key is read when the shape is first compared: normalization may rewrite parts of the
    expression by then, but every rewrite keeps its value, so equal keys still mean equal
    values, and so equal shapes."""

    __slots__ = ('_node', '_key')

    def __init__(self, node):
        self._node = node
        self._key = None

    @property
    def key(self):
        if self._key is None:
            self._key = expr_key(self._node)
            self._node = None
        return self._key

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.key == self.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return 'Opaque'


def _known(shape):
    """A shape of sizes that are ints or declared names only (comparable across statements)."""
    return isinstance(shape, tuple) and all(isinstance(s, (int, str)) for s in shape)


def broadcast(a, b):
    """The shape of an elementwise operation of operands of shapes `a` and `b`, or None."""
    if a == ():
        return b
    if b == ():
        return a
    if a is None or b is None:
        return None
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return a if a == b else None
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        out.append(x if x == y or y == 1 else y if x == 1 else Unknown())
    return tuple(reversed(out))


def _matmul(a, b):
    """The shape of ``a @ b`` for operands (vectors or matrices) of shapes `a` and `b`, or None."""
    if not isinstance(a, tuple) or not isinstance(b, tuple) or not a or not b or \
            len(a) > 2 or len(b) > 2:
        return None
    rows, cols = a[:-1], b[1:] if len(b) == 2 else ()
    return rows + cols


# -- facts of one function -----------------------------------------------------------------------
class Facts:
    """Shapes and float-ness of the expressions of one generated function."""

    def __init__(self, ctx, declared):
        self.ctx = ctx
        ctx.facts = self
        self.declared = {name: tuple(sizes) for name, sizes in (declared or {}).items()}
        self.var_shape = {}
        self.var_inexact = set()
        self._functions = None
        self._pure_memo = None
        self._infer()

    def functions(self):
        """The functions conditions of rules call."""
        if self._functions is None:
            def shape(e):
                return self.shape(e)

            def ndim(e):
                s = self.shape(e)
                return len(s) if isinstance(s, tuple) else None

            def size(e, i):
                s = self.shape(e)
                return s[i] if isinstance(s, tuple) and -len(s) <= i < len(s) else Unknown()

            def same_shape(a, b):
                s = self.shape(a)
                return s is not None and s == self.shape(b)

            def transposed(e):
                s = self.shape(e)
                return tuple(reversed(s)) if isinstance(s, tuple) else None
            self._functions = {
                'shape': shape, 'ndim': ndim, 'size': size, 'same_shape': same_shape,
                'rows': lambda e: size(e, -2), 'cols': lambda e: size(e, -1),
                'inexact': self.inexact, 'transposed': transposed,
                'broadcast': lambda a, b: broadcast(self.shape(a), self.shape(b)),
                '__builtins__': {}}
        return self._functions

    def _infer(self):
        """Shapes (and float-ness) of variables: a variable has a shape when every value
        assigned to it has that shape, given the shapes already proven and that one (an
        inductive invariant: it holds for loops and branches alike)."""
        ctx = self.ctx
        definitions = ctx.definitions
        for name, sizes in self.declared.items():
            if name in ctx.params and name not in ctx.unanalyzable and name not in definitions:
                self.var_shape[name] = sizes  # (a parameter assigned again: not used)
        pending = [name for name in definitions
                   if name not in ctx.unanalyzable and name not in ctx.params]
        # (a variable is tried again only when a variable its values read was proven
        # something since it was last tried: the answer depends on nothing else)
        reads, tried, proven = {}, {}, {}
        epoch = 0
        changed = True
        while changed:
            changed = False
            for name in pending:
                values = definitions[name]
                if name in reads:
                    if all(proven.get(read, -1) <= tried[name] for read in reads[name]):
                        continue  # (it saw all that is proven of what it reads)
                else:
                    reads[name] = {read for v in values for read in n.names_read(v)}
                tried[name] = epoch
                if name not in self.var_shape:
                    candidate = self.shape(values[0], assume=(name, None))
                    if _known(candidate) and all(
                            self.shape(v, assume=(name, candidate)) == candidate
                            for v in values):
                        self.var_shape[name] = candidate
                        changed = True
                        epoch += 1
                        proven[name] = epoch
                if name not in self.var_inexact and \
                        all(self.inexact(v, assume=name) for v in values):
                    self.var_inexact.add(name)
                    changed = True
                    epoch += 1
                    proven[name] = epoch

    def shape(self, node, assume=None):
        """The shape of the value of `node`: a tuple of sizes, an `Opaque` shape, or None.

        The shape of a subtree the running normalizer found normal is found once for the
        run (it does not change while the normalizer runs: see `Normalizer.at`)."""
        normalizer = self.ctx.normalizer
        if normalizer is not None and assume is None:
            record = node.__dict__.get('_s2s_normal')
            if record is not None and record[0] is normalizer.token:
                known = normalizer.shapes.get(id(node))
                if known is None:
                    known = normalizer.shapes[id(node)] = (node, self._shape_of(node, None))
                return known[1]
        return self._shape_of(node, assume)

    def _shape_of(self, node, assume):
        outermost = self._pure_memo is None
        if outermost:  # (no node changes while one shape is found: purity is kept)
            self._pure_memo = {}
        try:
            shape = self._shape(node, assume)
            if shape is None and isinstance(node, _OPAQUE_NODES) and \
                    self.ctx.pure(node, self._pure_memo):
                return Opaque(node)
            return shape
        finally:
            if outermost:
                self._pure_memo = None

    def _shape(self, node, assume):
        if is_number(node):
            return ()
        if isinstance(node, gast.Name):
            if assume is not None and node.id == assume[0]:
                return assume[1]
            return self.var_shape.get(node.id)
        if isinstance(node, gast.BinOp):
            if any(isinstance(side, gast.Name) and side.id in self.ctx.lists
                   for side in (node.left, node.right)):
                return None  # (a list repeated or concatenated)
            left, right = self.shape(node.left, assume), self.shape(node.right, assume)
            if isinstance(node.op, gast.MatMult):
                return _matmul(left, right)
            if isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow,
                                    gast.Mod, gast.FloorDiv)):
                return broadcast(left, right)
            return None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.shape(node.operand, assume)
        if isinstance(node, gast.Attribute) and node.attr == 'T':
            inner = self.shape(node.value, assume)
            return tuple(reversed(inner)) if isinstance(inner, tuple) else None
        if isinstance(node, gast.Call):
            return self._call_shape(node, assume)
        return None

    def _call_shape(self, node, assume):
        ctx = self.ctx
        ruleset = ctx.ruleset
        for rule in ruleset.candidates(ruleset.shapes, node, ctx):
            env = rule.match(node, ctx)
            if env is None or not rule.holds(env, ctx):
                continue
            try:
                value = eval(rule.value, self.functions(), env)
            except (TypeError, ValueError, IndexError, AttributeError):
                continue
            if value is None or isinstance(value, (tuple, Opaque)):
                return value
        func = ctx.lookup(node.func)
        if func is None or node.keywords or len(node.args) != 1 or \
                isinstance(node.args[0], gast.Starred):
            return None
        if getattr(func, '__module__', None) == 'math':
            return ()
        if rules.is_reduction(func):
            return ()
        if rules.is_elementwise(func):
            return self.shape(node.args[0], assume)
        return None

    def inexact(self, node, assume=None):
        """Whether the value of `node` is proven a float (array or number)."""
        if isinstance(node, gast.Constant):
            return type(node.value) is float
        if isinstance(node, gast.Name):
            return node.id == assume or node.id in self.var_inexact
        if isinstance(node, gast.BinOp):
            # (a number that folding drops is no float source: ``1.0 * k``, ``k / 1.0``
            # and ``k + 0.0`` read ``k``, an integer for an integer k)
            left, right = node.left, node.right
            if isinstance(node.op, gast.Div):
                return not is_neutral(right, node.op) or self.inexact(left, assume)
            return isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Pow,
                                        gast.MatMult)) and (
                not is_neutral(left, node.op) and self.inexact(left, assume) or
                not is_neutral(right, node.op) and self.inexact(right, assume))
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.inexact(node.operand, assume)
        if isinstance(node, gast.Attribute) and node.attr == 'T':
            return self.inexact(node.value, assume)
        if isinstance(node, gast.Call):
            ctx = self.ctx
            for rule in ctx.ruleset.candidates(ctx.ruleset.inexact, node, ctx):
                env = rule.match(node, ctx)
                if env is not None and rule.holds(env, ctx):
                    return True
        return False
