"""Comprehensions lowered to loops: ``[f(x) for x in xs]`` becomes a ``for`` loop that appends.

Runs after the fence, before canonicalisation: the loops it writes are then differentiated as
any loop the user wrote. ``ys = [x * 2 for x in xs]`` becomes ``ys = []`` and
``for x in xs: ys.append(x * 2)``; a comprehension elsewhere in a statement is built, before
that statement, into a list named ``items`` (``terms`` for a generator expression) that the
statement then reads. A generator expression is lowered only where it is consumed whole, as
the argument of the built-ins `sum`, `min`, `max`, `tuple`, `list`, `sorted`, `all` or `any`
(the fence rejects the others). The comprehension's variables are local to it, as in Python:
each keeps its name when the function uses that name nowhere else, and is renamed otherwise.

A comprehension that Python might not evaluate, or would evaluate more than once, cannot be
moved before its statement: one inside ``a if c else b``, after the first operand of ``and``
or ``or``, or in a ``while`` condition raises UnsupportedSyntaxError.
"""
import builtins
import types

import gast

from . import nodes as n
from .named_exprs import READING_BUILTINS, called_before
from .resolve import Resolver

CONSUMERS = ('sum', 'min', 'max', 'tuple', 'list', 'sorted', 'all', 'any')
"""Built-ins that consume a generator expression (a list gives the same result: `all` and `any`
stop at their answer, the list is made whole, which differs only where an item raises)."""
MATH_CONSUMERS = ('math.fsum', 'math.prod', 'statistics.mean', 'statistics.fmean',
                  'statistics.variance', 'statistics.pvariance', 'statistics.stdev',
                  'statistics.pstdev', 'statistics.geometric_mean', 'statistics.median')
"""Functions of `math` and `statistics` that consume a generator expression, reading it whole
(``math.fsum(v * v for v in x)``, ``statistics.mean(r * r for r in rs)``): a list gives the
same result."""


def lower_comprehensions(func, namer, namespace, unsupported, differentiated=()):
    """Rewrite, in place, the comprehensions in the body of the FunctionDef `func` (and of the
    functions defined in it) as loops. `namer` gives fresh names, `namespace` is the
    function's global namespace (which names the built-ins), and ``unsupported(stmt, what,
    node)`` makes the error for a comprehension that cannot be moved. `differentiated`: the
    parameters differentiated, never iterators (`runtime_values.like` refuses one)."""
    _Lowering(func, namer, namespace, unsupported, differentiated).block(func.body)


class _Lowering:
    """Lowers the comprehensions of one function, statement by statement."""

    def __init__(self, func, namer, namespace, unsupported, differentiated=()):
        self.namer = namer
        self.namespace = namespace
        self.unsupported = unsupported
        self.uses = _name_counts(func)
        self.local = set(n.names_stored(func))
        params = set(n.names_stored(func.args))
        self.resolver = Resolver(namespace, self.local | params)
        # (``sum(x) + sum(v * v for v in x)``: `sum` changes no list, array or dict)
        self.no_iterators = set(differentiated) & params - {
            name for stmt in func.body for name in n.names_stored(stmt)}

    def block(self, stmts):
        """Lower the comprehensions of a statement list, in place."""
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.While):
                self._refuse_in(stmt, stmt.test, 'a `while` condition (evaluated at every '
                                                 'iteration)')
            elif isinstance(stmt, (gast.If, gast.For)):
                field = 'test' if isinstance(stmt, gast.If) else 'iter'
                out.extend(self._hoist(stmt, [field]))
            elif not isinstance(stmt, gast.FunctionDef) and isinstance(stmt, gast.stmt):
                out.extend(self._hoist(stmt, [f for f, _ in gast.iter_fields(stmt)]))
            for _, inner in n.blocks(stmt, functions=True):
                self.block(inner)
            if not _is_self_assignment(stmt):
                out.append(stmt)
        stmts[:] = out

    def _hoist(self, stmt, fields):
        """The statements that build the comprehensions in `fields` of `stmt`, which then
        reads their lists instead."""
        before = []
        for field in fields:
            value = getattr(stmt, field, None)
            for holder, key, comp in self._comprehensions(stmt, value):
                parts = [getattr(stmt, f, None) for f in fields]
                if self._changed_before([p for p in parts if isinstance(p, gast.AST)], comp):
                    # (``n, xs = xs.pop() * 1.0, [v * 2.0 for v in xs]``: built before the
                    # statement, the list would see the items before the pop)
                    raise self.unsupported(
                        stmt, 'a comprehension after a call in the same statement that may '
                              'change what it reads (Python runs the call first); make the '
                              'call in a statement of its own before', comp)
                name = self._accumulator(stmt, comp)
                built = self._loops(comp, name)
                _locate(built, comp)
                self.block(built)  # comprehensions nested in this one
                before.extend(built)
                replacement = n.name(name)
                replacement.lowered = True
                gast.copy_location(replacement, comp)
                if key is None:
                    setattr(stmt, field, replacement)
                elif isinstance(key, tuple):
                    getattr(holder, key[0])[key[1]] = replacement
                else:
                    setattr(holder, key, replacement)
        return before

    def _changed_before(self, parts, comp):
        """Whether a call in `parts` that runs before the comprehension `comp` (`named_exprs.
        called_before`) may change what `comp` reads: a method of a name it reads
        (``xs.pop()``), or a call given such a name (``shuffle(xs)``)."""
        read = set(n.names_read(comp))
        inside = {id(node) for node in n.walk(comp)}
        for part in parts:
            for call in n.walk(part):
                if not isinstance(call, gast.Call) or id(call) in inside:
                    continue
                func = call.func
                touched = set(n.names_read(func.value)) if isinstance(func, gast.Attribute) \
                    else set()
                touched |= {name for arg in call.args + [k.value for k in call.keywords]
                            for name in n.names_read(arg)}
                if self._reads_only(call):
                    continue
                if touched & read and called_before([call], comp, set(), self.resolver):
                    return True
        return False

    def _reads_only(self, call):
        """Whether `call` is of a built-in that reads what it is given to its end (``sum``,
        ``max``, ``sorted``: `named_exprs.READING_BUILTINS`), or of what ``min(items,
        default=d)`` becomes (``s2s.min_or(list(items), d)``), given only differentiated
        parameters (lists, tuples, arrays or dicts, which reading changes not), lists of
        comprehensions lowered before, such calls of them, and values that call nothing
        (``default=x[0]``, ``reverse=True``; not a ``key=`` function)."""
        func = call.func
        if n.dotted_path(func) in ('s2s.min_or', 's2s.max_or'):
            values = call.args
        elif isinstance(func, gast.Name) and func.id in READING_BUILTINS and \
                func.id not in self.local and \
                self.namespace.get(func.id, getattr(builtins, func.id)) is \
                getattr(builtins, func.id) and \
                all(k.arg in ('default', 'reverse', 'start') for k in call.keywords):
            values = [k.value for k in call.keywords]
            if not all(self._read_whole(arg) for arg in call.args):
                return False
        else:
            return False
        return all(self._read_whole(value) or not any(
            isinstance(node, (gast.Call, gast.NamedExpr, gast.Lambda)) for node in n.walk(value))
            for value in values)

    def _read_whole(self, arg):
        """Whether `arg` is a differentiated parameter, a comprehension's lowered list, or a
        `_reads_only` call of them (``list(terms)``)."""
        if isinstance(arg, gast.Name):
            return arg.id in self.no_iterators or getattr(arg, 'lowered', False)
        return isinstance(arg, gast.Call) and self._reads_only(arg)

    def _comprehensions(self, stmt, value, holder=None, key=None):
        """``(holder, key, node)`` for each outermost comprehension in `value`, in evaluation
        order; `key` is the field of `holder` holding it (``(field, index)`` in a list)."""
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._comprehensions(stmt, item, holder, (key, index))
            return
        if not isinstance(value, gast.AST):
            return
        if isinstance(value, (gast.ListComp, gast.GeneratorExp)):
            yield holder, key, value
            return
        if isinstance(value, gast.IfExp):
            yield from self._comprehensions(stmt, value.test, value, 'test')
            self._refuse_in(stmt, value.body, 'a conditional expression `a if c else b`')
            self._refuse_in(stmt, value.orelse, 'a conditional expression `a if c else b`')
            return
        if isinstance(value, gast.BoolOp):
            yield from self._comprehensions(stmt, value.values[0], value, ('values', 0))
            for later in value.values[1:]:
                self._refuse_in(stmt, later, 'an operand of `and` or `or` after the first')
            return
        if isinstance(value, gast.Lambda):
            return  # (the fence rejects lambdas)
        for field, child in gast.iter_fields(value):
            yield from self._comprehensions(stmt, child, value, field)

    def _refuse_in(self, stmt, value, where):
        for node in n.walk(value) if isinstance(value, gast.AST) else ():
            if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
                raise self.unsupported(
                    stmt, f'a comprehension in {where}: Python may not evaluate it, or '
                          f'evaluates it more than once; build the list in a loop or a '
                          f'statement of its own first', node=node)

    def _accumulator(self, stmt, comp):
        """The name of the list a comprehension builds: the assigned name itself for
        ``ys = [...]`` (when the comprehension does not read it), else a fresh one."""
        if isinstance(comp, gast.GeneratorExp):
            self._check_consumer(stmt, comp)
            return self.namer.fresh('terms')
        if isinstance(stmt, gast.Assign) and stmt.value is comp and \
                len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) and \
                stmt.targets[0].id not in n.names_read(comp):
            return stmt.targets[0].id
        return self.namer.fresh('items')

    def _check_consumer(self, stmt, comp):
        """Raise unless generator expression `comp` is the argument of a built-in consumer."""
        for node in n.walk(stmt):
            if isinstance(node, gast.Call) and any(arg is comp for arg in node.args):
                func = node.func
                if isinstance(func, gast.Name) and func.id in CONSUMERS and \
                        func.id not in self.local and \
                        self.namespace.get(func.id, getattr(builtins, func.id)) is \
                        getattr(builtins, func.id):
                    return
                path = n.dotted_path(func)
                root = (path or '').split('.')[0]
                module = self.namespace.get(root)
                if path in MATH_CONSUMERS and root not in self.local and \
                        isinstance(module, types.ModuleType) and module.__name__ == root:
                    return  # (the module itself: ``math``, ``statistics``)
        raise self.unsupported(stmt, f'a generator expression passed to something other than '
                                     f'the built-ins {", ".join(CONSUMERS)}: use a list '
                                     f'comprehension `[... for ...]`', node=comp)

    def _loops(self, comp, name):
        """``name = []`` and the loops that append the elements of `comp` to it."""
        renames = {}
        for generator in comp.generators:
            for var in n.names_stored(generator.target):
                inside = sum(1 for node in n.walk(comp)
                             if isinstance(node, gast.Name) and node.id == var)
                if self.uses.get(var, 0) > inside:  # the function uses `var` elsewhere too
                    renames[var] = self.namer.fresh(var)
        comp = n.clone(comp)
        for index, generator in enumerate(comp.generators):
            n.rename(generator.target, renames)
            if index:
                n.rename(generator.iter, renames)
            for test in generator.ifs:
                n.rename(test, renames)
        n.rename(comp.elt, renames)
        inner = [n.expr(n.call(n.attr(n.name(name), 'append'), comp.elt))]
        for generator in reversed(comp.generators):
            for test in reversed(generator.ifs):
                inner = [gast.If(test=test, body=inner, orelse=[])]
            inner = [gast.For(target=generator.target, iter=generator.iter, body=inner,
                              orelse=[], type_comment=None)]
        return [n.assign(name, gast.List(elts=[], ctx=gast.Load()))] + inner


def _name_counts(func):
    counts = {}
    for node in n.walk(func):
        if isinstance(node, gast.Name):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _is_self_assignment(stmt):
    """``ys = ys``: what ``ys = [...]`` leaves after its list is built under its own name."""
    return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name) and \
        stmt.targets[0].id == stmt.value.id and getattr(stmt.value, 'lowered', False)


def _locate(stmts, origin):
    """Give the statements and expressions made for `origin` its source position."""
    for stmt in stmts:
        for node in n.walk(stmt):
            if isinstance(node, (gast.stmt, gast.expr)) and \
                    getattr(node, 'lineno', None) is None:
                gast.copy_location(node, origin)
