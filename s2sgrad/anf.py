"""Normalize to A-normal form: one differentiable operation per statement.

Active subexpressions move into temporaries named after what they hold (``x_at_W``,
``tanh_h``); inactive ones (indices, shapes, conditions' operands) stay inline so the primal
code reads like the source. Conditions of ``if`` become named booleans so the backward sweep
can replay the branch that was taken.
"""
import gast

from . import nodes as n
from . import rules
from .activity import is_simple
from .mutation import assigned_into


class Normalizer:
    """Rewrites a canonical function body into A-normal form."""

    def __init__(self, activity, namer):
        self.activity = activity
        self.namer = namer
        self.temps = set()
        self._lineno = None

    def run(self, body):
        # (the names written into by subscript: an item of one read by a call is named first,
        # so that the alias analysis sees the read and copies it where a write follows)
        self.written = assigned_into(body)
        return self.block(body)

    def block(self, stmts):
        out = []
        for stmt in stmts:
            self._lineno = getattr(stmt, 'lineno', self._lineno)
            out.extend(self.statement(stmt))
        return out

    def _emit(self, out, target, value):
        stmt = n.assign(target, value, self._lineno)
        out.append(stmt)
        return stmt

    def temp(self, value, out, base=None):
        """Assign `value` to a fresh temporary, return the temporary's Name."""
        name = self.namer.fresh(base) if base else self.namer.for_expression(value)
        self.temps.add(name)
        self._emit(out, name, value)
        if self.activity.is_active(value):
            self.activity.active.add(name)
        return n.name(name)

    # -- statements ---------------------------------------------------------------------
    def statement(self, stmt):
        out = []
        if isinstance(stmt, gast.Assign):
            value = stmt.value
            first = stmt.targets[0]
            rhs = self.operation(value, out)
            if len(stmt.targets) > 1 and not isinstance(first, gast.Name) and \
                    not n.is_atom(rhs):
                # (``l[0] = m = expr``: one value, evaluated once, for every target)
                rhs = self.temp(rhs, out)
            self._assign(first, rhs, out)
            if getattr(stmt, 'augmented_read', None) is not None and out:
                out[-1].augmented_read = stmt.augmented_read
            if getattr(stmt, 'augmented_item', False) and out:
                out[-1].augmented_item = True
            for target in stmt.targets[1:]:
                self._assign(target, n.name(first.id) if isinstance(first, gast.Name)
                             else n.clone(rhs), out)
            return out
        if isinstance(stmt, gast.Expr):
            if isinstance(stmt.value, gast.Constant):
                return []
            call = stmt.value
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                    call.func.attr == 'pop' and len(call.args) <= 1 and \
                    isinstance(call.func.value, gast.Name) and \
                    self.activity.is_active(call.func.value):
                # keep what a bare `items.pop()` removes: the reverse sweep puts it back
                self.temp(self.operation(call, out), out, base=call.func.value.id + '_top')
                return out
            value = self.operation(stmt.value, out) if self.activity.is_active(stmt.value) \
                else stmt.value
            new = gast.Expr(value=value)
            new.lineno = self._lineno
            out.append(new)
            return out
        if isinstance(stmt, gast.If):
            test = stmt.test
            assigned = set(n.names_stored(gast.Module(body=stmt.body + stmt.orelse,
                                                      type_ignores=[])))
            if isinstance(test, gast.BoolOp) and self.activity.is_active(test):
                # (``if is_big(x) and x[0] > 0:``: a value one of the operands is, as in
                # ``ok = is_big(x) and x[0] > 0``; its truth is what the branch reads)
                test = self.atom(test, out)
            if not isinstance(test, gast.Name) or test.id in assigned:
                test = self.temp(test, out, base=_condition_name(test))
            new = gast.If(test=test, body=self.block(stmt.body), orelse=self.block(stmt.orelse))
            new.lineno = stmt.lineno
            out.append(new)
            return out
        if isinstance(stmt, gast.For):
            call = stmt.iter
            outer = None
            if call.func.id == 'reversed':
                outer, call = call, call.args[0]
            args = [a if is_simple(a) else self.temp(a, out, 'stop') for a in call.args]
            it = gast.Call(func=call.func, args=args, keywords=[])
            if outer is not None:
                it = gast.Call(func=outer.func, args=[it], keywords=[])
            new = gast.For(target=stmt.target, iter=it, body=self.block(stmt.body), orelse=[],
                           type_comment=None)
            new.lineno = stmt.lineno
            out.append(new)
            return out
        if isinstance(stmt, gast.While):
            new = gast.While(test=stmt.test, body=self.block(stmt.body), orelse=[])
            new.lineno = stmt.lineno
            out.append(new)
            return out
        if isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else n.const(None)
            atom = self.atom(value, out)
            new = gast.Return(value=atom)
            new.lineno = stmt.lineno
            out.append(new)
            return out
        out.append(stmt)
        return out

    def _assign(self, target, rhs, out):
        if isinstance(target, gast.Subscript):
            base = self.atom(target.value, out) if not isinstance(target.value, gast.Name) \
                else target.value
            index = self._fixed_index(self.index(target.slice, out), base, out)
            value = self.atom(rhs, out) if not n.is_atom(rhs) else rhs
            self._emit(out, n.subscript(base, index, store=True), value)
            return
        if isinstance(target, gast.Name) and not n.is_atom(rhs):
            if target.id in n.names_read(rhs) and self.activity.is_active(rhs):
                rhs = self.temp(rhs, out)
        elif isinstance(target, (gast.Tuple, gast.List)):
            if _itemwise(target, rhs):
                # ``y[1:], y[0] = y[:-1] * 2, y[3]``: Python evaluates every item, then
                # assigns the targets in order; each item gets its own name (one that a
                # target rebinds is read before, into a temporary)
                stored = set(n.names_stored(target))
                if all(isinstance(e, gast.Name) for e in target.elts) and \
                        not stored & set(n.names_read(rhs)):
                    # (``hs, ps = {}, {}``: each name assigned its value, as if on its own
                    # line: no value reads a name the others rebind)
                    for elt, value in zip(target.elts, rhs.elts):
                        self._assign(elt, value, out)
                    return
                parts = [self.temp(value, out) if isinstance(value, gast.Name) and
                         value.id in stored else self.atom(value, out) for value in rhs.elts]
                for elt, part in zip(target.elts, parts):
                    self._assign(elt, part, out)
                return
            if not n.is_atom(rhs):
                rhs = self.temp(rhs, out)
            nested = []
            elts = []
            for elt in target.elts:
                if isinstance(elt, (gast.Tuple, gast.List, gast.Subscript, gast.Attribute)):
                    # Nested tuples, `y[i]` and `obj.attr`: unpack into a temporary, then
                    # assign it to the target, in order, as Python does.
                    part = self.namer.fresh('part') if isinstance(
                        elt, (gast.Tuple, gast.List)) else self.namer.for_expression(elt)
                    self.temps.add(part)
                    if self.activity.is_active(rhs):
                        self.activity.active.add(part)
                    elts.append(n.name(part, store=True))
                    nested.append((elt, n.name(part)))
                else:
                    elts.append(elt)
            self._emit(out, gast.Tuple(elts=elts, ctx=gast.Store()), rhs)
            for elt, part in nested:
                self._assign(elt, part, out)
            return
        self._emit(out, target, rhs)

    # -- expressions --------------------------------------------------------------------
    def operation(self, node, out):
        """`node` as a single operation over atoms (temporaries emitted into `out`)."""
        if not self.activity.is_active(node) or n.is_atom(node):
            return node
        if isinstance(node, gast.BinOp):
            new = gast.BinOp(left=self.atom(node.left, out), op=node.op,
                             right=self.atom(node.right, out))
            if getattr(node, 'written', False):
                new.written = True  # (the user's ``a * 1.0`` may change a dtype: kept)
            return new
        if isinstance(node, gast.UnaryOp):
            new = gast.UnaryOp(op=node.op, operand=self.atom(node.operand, out))
            new.written = getattr(node, 'written', False)
            return new
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and self.activity.is_active(func.value):
                func = gast.Attribute(value=self.atom(func.value, out), attr=func.attr,
                                      ctx=gast.Load())
            positional = list(node.args)
            if len(positional) >= 3 and not any(isinstance(a, gast.Starred) for a in positional) \
                    and rules.takes_varargs_as_iterable(self.activity.resolver.lookup(func)):
                positional = [gast.List(elts=positional, ctx=gast.Load())]  # max(a, b, c)
            args = [self._starred(a, out) if isinstance(a, gast.Starred) else
                    self._packed(a, out) if getattr(a, 'vararg', None) else
                    self.argument(a, out) for a in positional]
            keywords = [gast.keyword(arg=k.arg, value=self.argument(k.value, out))
                        for k in node.keywords]
            if isinstance(func, gast.Attribute) and func.attr in ('pop', 'insert') and \
                    self.activity.is_active(func.value) and args:
                # (the position, read again backward: one value, made before the list changes)
                args[0] = self.atom(node.args[0], out)
            new = gast.Call(func=func, args=args, keywords=keywords)
            if getattr(node, 'draws', False):
                new.draws = True  # (`randomness.mark_draws`: no pass may drop it)
            if getattr(node, 'effects', False):
                new.effects = True  # (`call_effects.mark_effects`: the same)
            return new
        if isinstance(node, gast.Attribute):
            return gast.Attribute(value=self.atom(node.value, out), attr=node.attr,
                                  ctx=gast.Load())
        if isinstance(node, gast.Subscript):
            if not self.activity.is_active(node.value):
                # only the index is active (np.r_[x, y]): a call, so a rule sees the index
                index = _index_value(node.slice)
                return n.call('s2s.getitem', self.argument(node.value, out),
                              self.argument(index, out))
            return gast.Subscript(value=self.atom(node.value, out),
                                  slice=self.index(node.slice, out), ctx=gast.Load())
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self.argument(e, out) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.IfExp):
            return self._ifexp(node, out)
        if isinstance(node, gast.BoolOp):
            return self._ifexp(_as_ifexp(node, self.atom(node.values[0], out)), out)
        return node

    def _starred(self, node, out):
        """``*(y, z)`` passed to a function's ``*args`` (see `constructs`): ``*args_tuple``."""
        if not getattr(node, 'packed', False):
            return self.argument(node, out)  # refused by the fence before
        if n.is_atom(node.value) or not self.activity.is_active(node.value):
            return node  # constants: passed one by one again (`constructs.unpack_constants`)
        value = self.temp(self.operation(node.value, out), out, getattr(node, 'vararg', None))
        starred = gast.Starred(value=value, ctx=gast.Load())
        starred.packed = True
        return starred

    def _packed(self, node, out):
        """The tuple passed to a nested function's ``*args`` (see `constructs`), named as
        that parameter (``ys = (x, y)``) when it is active."""
        if not self.activity.is_active(node):
            return self.argument(node, out)
        return self.temp(self.operation(node, out), out, node.vararg)

    def atom(self, node, out):
        """`node` as a Name or Constant."""
        if n.is_atom(node):
            return node
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
                isinstance(node.operand, gast.Constant) and \
                type(node.operand.value) in (int, float):
            return n.const(-node.operand.value)
        return self.temp(self.operation(node, out), out)

    def argument(self, node, out):
        """Call arguments: atoms when active; simple inactive expressions stay inline, as
        does a ``key=lambda`` (the fence lets no other lambda through): its call, when read
        again, reads its lambda again."""
        if n.is_atom(node) or isinstance(node, gast.Lambda):
            return node
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                node.value.id in getattr(self, 'written', ()):
            return self.atom(node, out)  # (``np.dot(M[i], w)`` before ``M[i] = 5.0``)
        if not self.activity.is_active(node) and is_simple(node):
            return node
        if not self.activity.is_active(node) and not _has_call(node):
            return node
        return self.atom(node, out)

    def _fixed_index(self, index, base, out):
        """``h[h > 1] = v``: an index that reads the array written into is evaluated once,
        into a temporary, so that the tangent, the adjoint and the restore of the old values
        use the positions the write used, not ones computed from the new values."""
        if not isinstance(base, gast.Name):
            return index
        if isinstance(index, gast.Tuple):
            return gast.Tuple(elts=[self._fixed_index(e, base, out) for e in index.elts],
                              ctx=gast.Load())
        if isinstance(index, (gast.Name, gast.Constant, gast.Slice)) or \
                base.id not in n.names_read(index) and not _mask(index):
            return index  # (a mask, ``z[y > 0]``, always: `y` may be `z`, ``z = y``)
        return self.temp(index, out, 'mask' if _mask(index) else 'index')

    def index(self, node, out):
        """Subscript indices stay inline when they are simple; else they get a temporary, and
        so does an item of a list or array written by subscript (``a[perm[i], k]`` where
        ``perm[k], perm[p] = perm[p], perm[k]`` follows: the position read now, which the
        backward sweep reads again)."""
        written = getattr(self, 'written', ())
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                node.value.id in written:
            return self.temp(node, out, 'index')
        if isinstance(node, gast.Tuple) and any(
                isinstance(e, gast.Subscript) and isinstance(e.value, gast.Name) and
                e.value.id in written for e in node.elts):
            return gast.Tuple(elts=[self.index(e, out) for e in node.elts], ctx=gast.Load())
        if is_simple(node) or not _has_call(node):
            return node
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e, out) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Slice):  # `x[:len(y)]`: the bounds get temporaries
            parts = [self.index(p, out) if p is not None else None
                     for p in (node.lower, node.upper, node.step)]
            return gast.Slice(lower=parts[0], upper=parts[1], step=parts[2])
        return self.temp(node, out, 'index')

    def _ifexp(self, node, out):
        target = self.namer.fresh('choice')
        self.temps.add(target)
        test = node.test if isinstance(node.test, gast.Name) else \
            self.atom(node.test, out) if isinstance(node.test, gast.BoolOp) and \
            self.activity.is_active(node.test) else \
            self.temp(node.test, out, base=_condition_name(node.test))
        body, orelse = [], []
        self._emit(body, target, self.operation(node.body, body))
        self._emit(orelse, target, self.operation(node.orelse, orelse))
        stmt = gast.If(test=test, body=body, orelse=orelse)
        stmt.lineno = self._lineno
        out.append(stmt)
        if self.activity.is_active(node):
            self.activity.active.add(target)
        return n.name(target)


def _as_ifexp(node, first):
    """``a or b`` as ``a if a else b``, ``a and b`` as ``b if a else a`` (`first`: `a`,
    evaluated once), which the derivative follows: the value is one of the operands."""
    rest = node.values[1:]
    other = rest[0] if len(rest) == 1 else gast.BoolOp(op=node.op, values=rest)
    if isinstance(node.op, gast.Or):
        return gast.IfExp(test=first, body=n.clone(first), orelse=other)
    return gast.IfExp(test=first, body=other, orelse=n.clone(first))


def _index_value(index):
    """The value that a subscript's index denotes, as an expression (``a:b`` is
    ``slice(a, b, None)``), for ``s2s.getitem(obj, index)``."""
    if isinstance(index, gast.Slice):
        parts = [p if p is not None else n.const(None)
                 for p in (index.lower, index.upper, index.step)]
        return n.call('slice', *parts)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return index


def _has_call(node):
    return any(isinstance(child, gast.Call) for child in n.walk(node))


def _condition_name(test):
    from .naming import describe
    word = describe(test)
    return word if word not in ('tmp',) else 'cond'


def _itemwise(target, rhs):
    """Whether ``target = rhs`` is a tuple of names, items and attributes, at least one not a
    name, assigned a display of as many items (none starred): then each item is assigned on
    its own (`Normalizer._assign`). So are names assigned values none of which is a name
    (``hs, ps = {}, {}``, ``a, b = np.zeros(3), np.zeros(3)``: two new containers, not two
    names of one tuple's items); ``a, b = b, a`` stays a tuple assignment."""
    elts = target.elts
    return isinstance(rhs, (gast.Tuple, gast.List)) and len(rhs.elts) == len(elts) and \
        all(isinstance(e, (gast.Name, gast.Subscript, gast.Attribute)) for e in elts) and \
        (any(not isinstance(e, gast.Name) for e in elts) or
         not any(isinstance(v, gast.Name) for v in rhs.elts)) and \
        not any(isinstance(v, gast.Starred) for v in rhs.elts)


def _mask(index):
    """Whether `index` computes a mask from values (``y > 0``, ``(y > 0) & (y < 1)``,
    ``~m``): evaluated after the write, it may read the values written."""
    if isinstance(index, (gast.Compare, gast.BoolOp)):
        return True
    if isinstance(index, gast.BinOp):
        return isinstance(index.op, (gast.BitAnd, gast.BitOr, gast.BitXor))
    return isinstance(index, gast.UnaryOp) and isinstance(index.op, (gast.Invert, gast.Not))
