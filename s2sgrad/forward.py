"""Forward pass: a normalized function becomes one that carries tangents beside values.

Every statement ``y = f(x, w)`` is followed by its tangent ``dy = ...`` built from the tangent
template of ``f``; control flow keeps its shape, so no stack is ever needed. Calls of user
functions become calls of their own forward versions, which return ``(value, tangent)``.
"""

import builtins

import gast

from . import nodes as n
from . import rules
from .activity import list_values, target_names
from .binding import lists_read_as_arrays, rule_bindings
from .callees import callee, sequence_calls
from .culprits import symbol
from .expr_keys import is_number
from .methods import field_index, object_hint
from .resolve import method_call
from .restores import restored_item
from .slice_stores import resizing_store
from .templating import OPERATORS, TemplateError, instantiate_tangent


class ForwardPass:
    """Builds the tangent-carrying body of one normalized function."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.namer = ctx.namer
        self.activity = ctx.activity
        self.tangents = {}
        self._lists = None

    def _list_values(self):
        """`activity.list_values` of the body: the variables that hold lists or tuples."""
        if self._lists is None:
            statements = self.ctx.body_all_statements
            self._lists = list_values(statements, self.ctx.params,
                                      sequence_calls(self.ctx, statements),
                                      known=[self.ctx.vararg] if self.ctx.vararg else [])
        return self._lists

    def tan(self, var):
        """The tangent name of variable `var` (``x`` -> ``dx``)."""
        if var not in self.tangents:
            self.tangents[var] = self.namer.fresh('d' + var)
        return self.tangents[var]

    def active(self, node):
        return isinstance(node, gast.Name) and node.id in self.activity.active

    def block(self, stmts, top=False):
        """The tangent-carrying statements of `stmts` (`top`: the function's own body)."""
        out = []
        last_line = None
        for stmt in stmts:
            lineno = getattr(stmt, 'lineno', None)
            if isinstance(stmt, gast.If):
                out.append(gast.If(test=stmt.test, body=self.block(stmt.body),
                                   orelse=self.block(stmt.orelse)))
                last_line = None
                continue
            if isinstance(stmt, gast.For):
                out.append(gast.For(target=stmt.target, iter=stmt.iter,
                                    body=self.block(stmt.body), orelse=[], type_comment=None))
                last_line = None
                continue
            if isinstance(stmt, gast.While):
                out.append(gast.While(test=stmt.test, body=self.block(stmt.body), orelse=[]))
                last_line = None
                continue
            try:
                primal, tangent = self.statement(stmt)
            except TemplateError as error:
                raise self.ctx.unsupported(stmt, f'this statement: {error}') from None
            tangent = self._own_tangents(tangent, stmt)
            if top:
                self._demote_zero(stmt, tangent)
            if tangent and lineno is not None and lineno != last_line:
                out.append(n.comment('Tangent of: ' + self.ctx.source.line_text(lineno)))
                last_line = lineno
            out.extend(primal + tangent)
        return out

    def _demote_zero(self, stmt, tangent):
        """A variable assigned once, outside loops, whose tangent is zero (``dv =
        s2s.zeros_like(v)``: no term of its rule reads a tangent, as for ``s2s.unreduce(-1.0,
        y)`` in a gradient differentiated again) is inactive from here on, so the rules of
        the statements that read it drop its terms instead of carrying a zero tangent."""
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            return
        var = stmt.targets[0].id
        if self.ctx.assignment_counts.get(var) != 1 or var in self.ctx.params or \
                var in self.ctx.mutated or len(tangent) != 1:
            return
        zero = tangent[0]
        if isinstance(zero, gast.Assign) and isinstance(zero.targets[0], gast.Name) and \
                zero.targets[0].id == self.tangents.get(var) and \
                n.dotted_path(getattr(zero.value, 'func', None)) == 's2s.zeros_like':
            self.activity.active.discard(var)

    def _own_tangents(self, tangent, primal=None):
        """A variable that is assigned into by subscript owns its tangent: ``dy = dx`` for
        ``y = x.copy()`` becomes ``dy = s2s.copy(dx)``, so ``dy[i] = ...`` cannot write into
        the tangent of another variable (or the caller's); and a value computed from it
        (`primal` is no name, item or attribute of it: ``z = y - 2.0``, ``np.add(y, 2.0)``)
        gets its own tangent, not ``dz = dy``, which the next ``dy[i] = ...`` would change
        (the alias analysis makes the primal's views private; a tangent may share more)."""
        owners = {self.tan(var) for var in self.ctx.mutated if var in self.activity.active}
        computed = isinstance(primal, gast.Assign) and \
            not isinstance(primal.value, (gast.Name, gast.Subscript, gast.Attribute))
        out = []
        for stmt in tangent:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    not _fresh(stmt.value) and (stmt.targets[0].id in owners or computed and (
                        _passes_through(stmt.value) & owners)):
                stmt = n.assign(stmt.targets[0].id, n.call('s2s.copy', stmt.value))
            out.append(stmt)
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Tuple):
                # ``z, dz = helper_fwd(x, dv=dx)``: the helper's tangent may be `dx` itself,
                # which a write into `z` (or, when `dx` is an owner's, into `x`) would change
                tangents = set(self.tangents.values())
                passed = bool(set(n.names_read(stmt.value)) & owners)
                out.extend(n.assign(name, n.call('s2s.copy', n.name(name)))
                           for name in n.names_stored(stmt.targets[0])
                           if name in owners or passed and name in tangents)
        return out

    # -- statements -----------------------------------------------------------------------
    def statement(self, stmt):
        """(primal statements, tangent statements) for one simple statement."""
        if isinstance(stmt, gast.Expr):
            return self.expression_statement(stmt)
        if not isinstance(stmt, gast.Assign):
            return [stmt], []
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, gast.Attribute):
            return [stmt], []  # not differentiated (effects.py rejects differentiated ones)
        if isinstance(target, gast.Subscript):
            base = target.value
            if not self.active(base):
                return [stmt], []
            dvalue = n.name(self.tan(value.id)) if self.active(value) else n.const(0.0)
            if not self.active(value) and isinstance(value, gast.Name) and (
                    base.id in getattr(self.ctx, 'container_vars', ()) or
                    base.id not in getattr(self.ctx, 'float_vars', ()) or
                    resizing_store(self.ctx, target, value)):
                # (``hs[-1] = np.zeros(3)`` of a dict or list, or of what may be one: ``hs =
                # [None] * n``: an item's tangent has its shape, ``Whh @ dhs[t - 1]`` and
                # ``np.stack(dhs)`` read it; ``lst[0:2] = [1.5]``: as many zeros as items;
                # 0.0 only into a proven float array)
                dvalue = n.call('s2s.zeros_like', n.name(value.id))
            if self.active(value) and base.id not in self.ctx.float_vars:
                dvalue = n.call('s2s.stored', dvalue, n.name(base.id))  # (may truncate)
            dest = n.subscript(n.name(self.tan(base.id)), n.clone(target.slice), store=True)
            return [stmt], [n.assign(dest, dvalue)]
        if isinstance(target, (gast.Tuple, gast.List)):
            names = target_names(target)
            if not any(name in self.activity.active for name in names):
                return [stmt], []
            dests = n.tuple_([n.name(self.tan(name), store=True) for name in names], store=True)
            if self.active(value):
                return [stmt], [n.assign(dests, n.name(self.tan(value.id)))]
            return [stmt], [n.assign(n.name(self.tan(name), store=True),
                                     n.call('s2s.zeros_like', n.name(name))) for name in names]
        ans = target.id
        if ans not in self.activity.active:
            return [stmt], []
        if not self.activity.is_active(value):
            return [stmt], [self._zero(ans)]
        return self.value_tangent(stmt, ans, value)  # block() makes written tangents own

    def _zero(self, var):
        return n.assign(self.tan(var), n.call('s2s.zeros_like', n.name(var)))

    def _assign_terms(self, ans, terms, sequences=False):
        """``dans = term1 + term2 ...`` (``s2s.add`` where values may be lists)."""
        if not terms:
            return [self._zero(ans)]
        total = terms[0]
        for term in terms[1:]:
            total = n.call('s2s.add', total, term) if sequences else \
                n.binop(total, gast.Add(), term)
        return [n.assign(self.tan(ans), total)]

    def expression_statement(self, stmt):
        restored = restored_item(stmt)
        if restored and self.active(restored[0]):  # (a gradient's restore: `restores`)
            base, key, old = restored
            dold = n.name(self.tan(old.id)) if self.active(old) else \
                n.call('s2s.item_before', n.name(self.tan(base.id)), n.clone(key))
            return [stmt], [n.expr(n.call('s2s.restore_item', n.name(self.tan(base.id)),
                                          n.clone(key), dold))]
        call = stmt.value
        mc = method_call(call) if isinstance(call, gast.Call) else None
        if mc and isinstance(mc[0], gast.Name) and mc[0].id in self.activity.active and \
                mc[1] == 'append' and len(call.args) == 1:
            value = call.args[0]
            dvalue = n.name(self.tan(value.id)) if self.active(value) else \
                n.call('s2s.zeros_like', n.clone(value))
            return [stmt], [n.expr(n.call(n.attr(self.tan(mc[0].id), 'append'), dvalue))]
        if mc and isinstance(mc[0], gast.Name) and mc[0].id in self.activity.active and \
                mc[1] == 'pop' and len(call.args) <= 1 and not call.keywords:
            return [stmt], [n.expr(n.call(n.attr(self.tan(mc[0].id), 'pop'),
                                          *[n.clone(a) for a in call.args]))]
        if mc and isinstance(mc[0], gast.Name) and mc[0].id in self.activity.active and \
                mc[1] == 'reverse' and not call.args and not call.keywords:
            return [stmt], [n.expr(n.call(n.attr(self.tan(mc[0].id), 'reverse')))]
        if mc and isinstance(mc[0], gast.Name) and mc[0].id in self.activity.active and \
                mc[1] == 'insert' and len(call.args) == 2 and not call.keywords:
            index, value = call.args
            dvalue = n.name(self.tan(value.id)) if self.active(value) else \
                n.call('s2s.zeros_like', n.clone(value))
            return [stmt], [n.expr(n.call(n.attr(self.tan(mc[0].id), 'insert'), n.clone(index),
                                          dvalue))]
        if mc and isinstance(mc[0], gast.Name) and not self.ctx.resolver.is_global(call.func) \
                and mc[1] not in rules.NONDIFFERENTIABLE_METHODS and \
                (self.activity.is_active(mc[0]) or
                 any(self.activity.is_active(arg) for arg in list(call.args) +
                     [kw.value for kw in call.keywords])):
            # (``r.update(v)``: the object may keep what it is given, out of sight)
            raise self.ctx.no_method_rule(stmt, self.ctx.user_name(mc[0].id), mc[1],
                                          self.activity.is_active(mc[0]))
        return [stmt], []

    def value_tangent(self, stmt, ans, value):
        if isinstance(value, gast.Name):
            return [stmt], [n.assign(self.tan(ans), n.name(self.tan(value.id)))]
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
                isinstance(value.left, gast.Name) and isinstance(value.right, gast.Name) and \
                {value.left.id, value.right.id} <= self._list_values():
            parts = [n.name(self.tan(e.id)) if self.active(e) else
                     n.call('s2s.zeros_like', n.clone(e)) for e in (value.left, value.right)]
            return [stmt], [n.assign(self.tan(ans), n.binop(parts[0], gast.Add(), parts[1]))]
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            func = OPERATORS.get(type(value.op))
            if func is None:
                raise self.ctx.unsupported(stmt, f'the operator `{symbol(value.op)}` '
                                                 f'applied to a differentiated value')
            operands = [value.left, value.right] if isinstance(value, gast.BinOp) else \
                [value.operand]
            return [stmt], self.template(stmt, func, operands, [], ans)
        if isinstance(value, gast.Subscript) and not isinstance(value.value, gast.Name):
            return [stmt], [self._zero(ans)]  # (``x.flags['C']``: as the reverse pass has it)
        if isinstance(value, gast.Subscript):
            return [stmt], [n.assign(self.tan(ans), n.subscript(
                n.name(self.tan(value.value.id)), n.clone(value.slice)))]
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [n.name(self.tan(e.id)) if self.active(e) else
                    n.call('s2s.zeros_like', n.clone(e)) for e in value.elts]
            return [stmt], [n.assign(self.tan(ans), type(value)(elts=elts, ctx=gast.Load()))]
        if isinstance(value, gast.Attribute):
            if value.attr in rules.NONDIFFERENTIABLE_ATTRIBUTES:
                return [stmt], [self._zero(ans)]
            build = rules.ATTRIBUTE_TANGENTS.get(value.attr)
            if build is None and isinstance(value.value, gast.Name) and \
                    self.active(value.value):  # a namedtuple's field
                return [stmt], [n.assign(self.tan(ans), n.subscript(
                    n.name(self.tan(value.value.id)), field_index(value)))]
            if build is None:
                raise self.ctx.no_rule(stmt, f'the attribute `.{value.attr}`',
                                       object_hint(value.value, value.attr, False))
            return [stmt], self._instantiate(build(), {'x': value.value}, ans)
        if isinstance(value, gast.Call):
            return self.call(stmt, ans, value)
        raise self.ctx.unsupported(stmt, f'the expression `{type(value).__name__}`')

    def call(self, stmt, ans, call):
        """The primal and tangent statements of ``ans = call``."""
        func = call.func
        if isinstance(func, gast.Attribute) and not self.ctx.resolver.is_global(func) and \
                func.attr == 'pop' and len(call.args) <= 1 and not call.keywords and \
                self.active(func.value):
            return [stmt], [n.assign(self.tan(ans), n.call(n.attr(self.tan(func.value.id), 'pop'),
                                                           *[n.clone(a) for a in call.args]))]
        called = callee(self.ctx, stmt, call, rules.lookup_tangent, ' (forward mode)')
        if called.kind == 'rule':
            return [stmt], self.template(stmt, called.func, called.args, called.keywords, ans)
        if called.kind == 'constant':
            return [stmt], [self._zero(ans)]
        return self.ctx.forward_call(stmt, ans, call, called.func)

    def template(self, stmt, func, args, keywords, ans):
        template = rules.lookup_tangent(func)
        if template is None:
            if rules.is_nondifferentiable(func):
                return [self._zero(ans)]
            raise self.ctx.no_rule(stmt, f'`{getattr(func, "__name__", func)}` (forward mode)')
        is_active = lambda var: var in self.activity.active  # noqa: E731
        bindings, broadcasting = rule_bindings(self.ctx, stmt, func, template, args, keywords,
                                               is_active)
        arrays = lists_read_as_arrays(self.ctx, func, template, bindings, is_active)
        # a CuPy function differentiated by its NumPy twin's rule: CuPy makes arrays of
        # numbers (cupy.atleast_1d(2.0)) where the twin's rule, given a number tangent, makes
        # NumPy ones, which CuPy then refuses
        twin = rules.numpy_equivalent(func) is not None
        start = bindings.get('start') if func is builtins.sum else None
        if start is not None and not is_number(start):
            # (``sum(rows, [a])`` concatenates lists, the start first: so do the tangents)
            return [n.assign(self.tan(ans), n.call(
                'sum', self._unlisted(n.call('s2s.listed', self._tangent_of(bindings['iterable']),
                                             n.clone(bindings['iterable']))),
                self._tangent_of(start)))]
        return self._instantiate(template, bindings, ans, broadcasting, twin, arrays)

    def _tangent_of(self, node):
        """The tangent of the value `node` (a name or a constant): its tangent's name, or
        zeros of it."""
        if isinstance(node, gast.Name) and node.id in self.activity.active:
            return n.name(self.tan(node.id))
        return n.call('s2s.zeros_like', n.clone(node))

    def _instantiate(self, template, bindings, ans, broadcasting=False, twin=False,
                     arrays=frozenset()):
        local, terms = instantiate_tangent(template, bindings, n.name(ans), self.tan,
                                           lambda var: var in self.activity.active,
                                           self.ctx.names, self.namer, arrays)
        terms = [self._unlisted(term) for term in terms]
        if len(terms) == 1:
            terms = [self._broadcast_term(terms[0], bindings, ans, broadcasting)]
        if twin:
            terms = [n.call('s2s.kind_like', term, n.name(ans)) for term in terms]
        return local + self._assign_terms(ans, terms, template.containers)

    def _unlisted(self, term):
        """`term` with each ``s2s.listed(dxs, xs)`` of a variable `xs` that holds a list or
        tuple (`activity.list_values`) read as ``dxs``, the list of its items' tangents (only a
        dict's keys, which are not in it, need the call)."""
        if not any(isinstance(node, gast.Call) and n.dotted_path(node.func) == 's2s.listed'
                   for node in n.walk(term)):
            return term
        return _Unlisted(self._list_values()).visit(term)

    def _broadcast_term(self, term, bindings, ans, broadcasting):
        """``dz = dx`` for ``z = x + c`` (or ``np.where(c, dx, 0.0)`` for
        ``z = np.where(c, x, w)``): when an operand that the term does not read may broadcast
        the result to a larger shape, the tangent is spread to `z`'s shape
        (``s2s.broadcast_like(dx, z)``), so that reductions over an axis, reshapes and indexing
        of `dz` see the shape of `z`."""
        operands = {b.id for b in bindings.values() if isinstance(b, gast.Name)}
        primal_of = {tangent: var for var, tangent in self.tangents.items()}
        read = {primal_of.get(name, name) for name in n.names_read(term)}
        if operands <= read:
            return term  # every operand is in the term, which broadcasts it
        active = [b for b in operands if b in self.activity.active]
        if len(active) != 1 or self.ctx.shapes.same(ans, active[0]):
            return term
        if not broadcasting and all(self.ctx.shapes.same(active[0], other)
                                    for other in operands - read):
            return term
        return n.call('s2s.broadcast_like', term, n.name(ans))


class _Unlisted(gast.NodeTransformer):
    """``s2s.listed(dxs, xs)`` -> ``dxs`` where `xs` is one of `lists`."""

    def __init__(self, lists):
        self.lists = lists

    def visit_Call(self, node):
        self.generic_visit(node)
        if n.dotted_path(node.func) == 's2s.listed' and len(node.args) == 2 and \
                not node.keywords and isinstance(node.args[1], gast.Name) and \
                node.args[1].id in self.lists:
            return node.args[0]
        return node


_VIEWS = frozenset({'np.reshape', 'np.ravel', 'np.transpose', 'np.squeeze', 'np.asarray',
                    'np.expand_dims', 'np.moveaxis', 'np.swapaxes', 'np.broadcast_to',
                    'np.atleast_1d', 'np.atleast_2d', 'np.atleast_3d', 'np.real',
                    'np.conj', 'np.conjugate', 'np.diff', 'np.linalg.matrix_power'})
_VIEW_METHODS = frozenset({'reshape', 'ravel', 'view', 'transpose', 'squeeze', 'swapaxes',
                           'conj', 'conjugate'})


def _passes_through(expr):
    """The names whose value `expr` may be (or be a view of): a name itself, either branch
    of a conditional expression, any argument of a runtime helper (``s2s.broadcast_like(dy,
    z)`` returns `dy` where the shapes agree, ``s2s.real_part(x, dx)`` returns `dx`), the
    first argument of a NumPy function that returns views or may return it (`_VIEWS`:
    ``np.conj`` of a real array, ``np.diff(x, n=0)``), the object of a view method."""
    if isinstance(expr, gast.Name):
        return {expr.id}
    if isinstance(expr, gast.IfExp):
        return _passes_through(expr.body) | _passes_through(expr.orelse)
    if isinstance(expr, gast.Attribute) and expr.attr in ('T', 'mT', 'real'):
        return _passes_through(expr.value)
    if isinstance(expr, gast.Call):
        path = n.dotted_path(expr.func) or ''
        if path.startswith('s2s.'):
            return set().union(*(_passes_through(arg) for arg in
                                 list(expr.args) + [kw.value for kw in expr.keywords]))
        if path in _VIEWS and expr.args:
            return _passes_through(expr.args[0])
        if isinstance(expr.func, gast.Attribute) and expr.func.attr in _VIEW_METHODS:
            return _passes_through(expr.func.value)
    return set()


def _fresh(expr):
    """Whether `expr` certainly makes a new array (arithmetic, zeros, a copy, a selection
    by ``np.where``)."""
    if isinstance(expr, (gast.BinOp, gast.UnaryOp, gast.Constant)):
        return True
    return isinstance(expr, gast.Call) and n.dotted_path(expr.func) in (
        's2s.zeros_like', 's2s.copy', 's2s.select')
