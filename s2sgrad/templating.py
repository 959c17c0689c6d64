"""Instantiate derivative templates: bind placeholders, resolve names, emit contributions."""
import builtins
import math
import operator
import types

import gast
import numpy

from . import nodes as n
from . import rules
from . import runtime
from .standins import SHAPE_ARGUMENT


class Contribution:
    """``d[var] += expr`` in the backward sweep (assigned when the adjoint is still unset)."""

    def __init__(self, var, expr):
        self.var = var
        self.expr = expr


class Names:
    """The global names generated code uses for modules and helpers, clash-free."""

    def __init__(self, user_namespace, local=()):
        self.user = user_namespace
        self.bindings = {}
        self.local = set(local)  # (the function's own variables: ``def f(x, np=3)``)

    def module(self, preferred, module):
        """A name under which generated code reaches `module`."""
        for candidate in (preferred, preferred + '_', preferred + '__'):
            if candidate in self.local:
                continue
            bound = self.bindings.get(candidate, self.user.get(candidate, module))
            if bound is module:
                self.bindings[candidate] = module
                return candidate
        raise RuntimeError(f'no free name for module {module.__name__}')

    def object(self, preferred, obj):
        """A name under which generated code reaches `obj` (a function or constant)."""
        candidate = preferred
        counter = 2
        while True:
            bound = self.bindings.get(candidate, self.user.get(candidate, obj))
            if bound is obj:
                self.bindings[candidate] = obj
                return candidate
            candidate = f'{preferred}_{counter}'
            counter += 1

    def held(self, obj, preferred):
        """An expression reaching function `obj` that an object holds (``self.act =
        np.tanh``), for code that runs as printed: your module's name for it, else ``np.tanh``
        (``math.exp``) for a function of NumPy (of `math`), else a name bound to it."""
        if self.user.get(preferred) is not obj:
            for module, alias in ((numpy, 'np'), (numpy.linalg, 'np.linalg'),
                                  (numpy.fft, 'np.fft'), (math, 'math')):
                name = getattr(obj, '__name__', None)
                if isinstance(name, str) and name.isidentifier() and \
                        getattr(module, name, None) is obj:
                    root, *rest = alias.split('.')
                    node = n.name(self.module(root, numpy if root == 'np' else module))
                    for part in rest + [name]:
                        node = n.attr(node, part)
                    return node
        return n.name(self.object(preferred, obj))

    def lookup(self, node):
        """The object a Name/Attribute chain of generated code denotes, or None."""
        path = n.dotted_path(node)
        if path is None:
            return None
        root, *rest = path.split('.')
        obj = self.bindings.get(root, self.user.get(root))
        for part in rest:
            obj = getattr(obj, part, None)
        return obj

    def expression_for(self, obj, preferred):
        """A Name/Attribute expression reaching `obj` from generated code."""
        if obj is numpy:
            return n.name(self.module('np', numpy))
        if obj is math:
            return n.name(self.module('math', math))
        if obj is runtime:
            return n.name(self.module('s2s', runtime))
        if getattr(obj, '__module__', None) == runtime.__name__ and \
                getattr(runtime, getattr(obj, '__name__', ''), None) is obj:
            return n.attr(self.module('s2s', runtime), obj.__name__)
        public = rules.helper_name(obj)
        if public is not None:  # a helper a rule module defines: ``s2s.untrace``
            return n.attr(self.module('s2s', runtime), public)
        if isinstance(obj, types.ModuleType):
            if obj is builtins and self.user.get(preferred) is not obj:
                return n.attr(self.module('s2s', runtime), 'builtins')
            if self.user.get(preferred) is not obj and preferred not in self.bindings and \
                    rules.template_module(preferred) is obj:  # (``s2s.scipy.special``)
                return n.attr(self.module('s2s', runtime), preferred)
            return n.name(self.module(preferred, obj))
        public = rules.public_name(preferred)
        if self.user.get(preferred) is not obj and preferred not in self.bindings and \
                public is not None and getattr(runtime, public) is obj:
            # (an object your module does not bind so, which a rule reads: ``s2s.digamma``,
            # a helper of a rule module, its constant)
            return n.attr(self.module('s2s', runtime), public)
        return n.name(self.object(preferred, obj))


def _is_adjoint_ref(node, namespace=None):
    """``d[x]`` (or ``s2sgrad.d[x]``): the adjoint of template parameter ``x``."""
    if not (isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Name)):
        return False
    path = n.dotted_path(node.value)
    if path is None:
        return False
    if path == 'd':
        return True
    from .rules import d as placeholder
    obj = namespace.get(path.split('.')[0]) if namespace else None
    for part in path.split('.')[1:]:
        obj = getattr(obj, part, None)
    return obj is placeholder


def instantiate(template, bindings, ans, adjoint_name, is_active, names, namer,
                same_shape=None, broadcasting=False, arrays=frozenset()):
    """Items (statements and Contributions) of `template` for one call.

    `bindings` maps each template parameter to the expression it is bound to; `ans` is the
    Name of the call's result; `adjoint_name(var)` names the adjoint of a variable. `arrays`:
    list variables the rule reads as arrays (`binding.lists_read_as_arrays`).
    """
    constants_only = {p for p, e in bindings.items()
                      if p != 'ans' and isinstance(e, gast.Constant)}
    names_of = {p: e.id for p, e in bindings.items() if isinstance(e, gast.Name)}
    values = dict(bindings)
    values['ans'] = ans
    local_names = {}
    items = []
    for stmt, values in _unrolled(template, values):
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                _is_adjoint_ref(stmt.targets[0], template.namespace):
            param = stmt.targets[0].slice.id
            bound = values.get(param)
            _refuse_varargs(template, param, bound, is_active)
            if not isinstance(bound, gast.Name) or not is_active(bound.id):
                continue
            stmt = n.clone(stmt)  # (only the statements used are copied)
            others = [p for p in template.params if p not in ('ans', param)
                      and p in bindings] + ([template.vararg] if param != template.vararg
                                            and template.vararg in bindings else [])
            simplify = broadcasting and bool(others) and all(
                p in constants_only or names_of.get(p) == bound.id for p in others)
            if same_shape is not None and same_shape(ans.id, bound.id):
                simplify = True
            expr = _substitute(stmt.value, values, adjoint_name, template, names,
                               local_names, namer, arrays)
            if simplify:
                expr = _drop_unbroadcast(expr)
            expr = inline_helpers(expr, names)
            items.append(Contribution(bound.id, drop_default_arguments(expr, names)))
        else:
            stmt = n.clone(stmt)
            for node in n.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and \
                        node.id not in local_names:
                    local_names[node.id] = namer.fresh(node.id)
            items.append(inline_helpers(_substitute(stmt, values, adjoint_name, template,
                                                    names, local_names, namer, arrays),
                                        names))
    _refuse_uncovered(template, values, is_active, {
        stmt.targets[0].slice.id for stmt in template.body
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
        _is_adjoint_ref(stmt.targets[0], template.namespace)} | _looped(template))
    return items


def instantiate_tangent(template, bindings, ans, tangent_name, is_active, names, namer,
                        arrays=frozenset()):
    """The tangent of `ans` for one call: ``(statements, terms)``, the statements of the
    template's local variables (fresh names, as in `instantiate`) and the terms (expressions)
    to add up (`arrays`: as in `instantiate`).

    A term that reads ``d[x]`` for an argument without a tangent is dropped.
    """
    values = dict(bindings)
    values['ans'] = ans
    local_names = {}
    statements, terms = [], []
    for stmt, values in _unrolled(template, values):
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue
        if not (isinstance(stmt, gast.Assign) and _is_adjoint_ref(stmt.targets[0],
                                                                  template.namespace)):
            statements.append(inline_helpers(
                _tangent_local(stmt, template, values, tangent_name, names, local_names,
                               namer, arrays), names))
            continue
        refs = [node.slice.id for node in n.walk(stmt.value)
                if _is_adjoint_ref(node, template.namespace)]
        bound = [values.get(ref) for ref in refs]
        for ref, value in zip(refs, bound):
            _refuse_varargs(template, ref, value, is_active)
        if not all(isinstance(b, gast.Name) and is_active(b.id) for b in bound):
            continue
        expr = _substitute(n.clone(stmt.value), values, tangent_name, template, names,
                           local_names, namer, arrays)
        expr = inline_helpers(expr, names)
        terms.append(drop_default_arguments(expr, names))
    _refuse_uncovered(template, values, is_active, {
        node.slice.id for stmt in template.body if isinstance(stmt, gast.Assign)
        for node in n.walk(stmt.value) if _is_adjoint_ref(node, template.namespace)} |
        _looped(template))
    return statements, terms


def _loop(stmt, template):
    """``(index, item)`` names of a template loop over the ``*args`` parameter, ``for k, x in
    enumerate(args):`` or ``for x in args:`` (index None); None for other statements."""
    if not isinstance(stmt, gast.For) or stmt.orelse or template.vararg is None:
        return None
    target, it = stmt.target, stmt.iter
    if isinstance(it, gast.Name) and it.id == template.vararg and \
            isinstance(target, gast.Name):
        return None, target.id
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and \
            it.func.id == 'enumerate' and len(it.args) == 1 and \
            isinstance(it.args[0], gast.Name) and it.args[0].id == template.vararg and \
            isinstance(target, gast.Tuple) and len(target.elts) == 2 and \
            all(isinstance(e, gast.Name) for e in target.elts):
        return target.elts[0].id, target.elts[1].id
    return None


def _unrolled(template, values):
    """``(statement, values)`` for each statement of the template, a loop over the ``*args``
    parameter written once per item (its names bound to the item and its position)."""
    for stmt in template.body:
        loop = _loop(stmt, template)
        if loop is None:
            yield stmt, values
            continue
        index, item = loop
        items = values.get(template.vararg)
        for position, element in enumerate(items.elts if isinstance(items, gast.Tuple)
                                           else []):
            bound = dict(values, **{item: element})
            if index is not None:
                bound[index] = n.const(position)
            for inner in stmt.body:
                yield inner, bound


def _looped(template):
    """The ``*args`` parameter when a template loop states its items' derivatives."""
    return {template.vararg} if any(_loop(stmt, template) for stmt in template.body) else set()


def _tangent_local(stmt, template, values, tangent_name, names, local_names, namer, arrays):
    """A statement of a tangent template other than a term: it may assign local variables
    (renamed fresh), but not read a tangent, which the call may lack."""
    if any(_is_adjoint_ref(node, template.namespace) for node in n.walk(stmt)):
        raise TemplateError(
            f'the tangent rule `{template.label}` reads or writes d[...] outside a '
            f'`d[ans] = ...` line; read tangents only in those lines')
    stmt = n.clone(stmt)
    for node in n.walk(stmt):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and \
                node.id not in local_names:
            local_names[node.id] = namer.fresh(node.id)
    return _substitute(stmt, values, tangent_name, template, names, local_names, namer,
                       arrays)


def inline_helpers(node, names):
    """Replace calls of rule helpers registered with `rules.inline` by the expression their
    expander gives for these arguments (when it gives one)."""
    if names is None or not rules.INLINE:
        return node
    return _Inliner(names).visit(node)


class _Inliner(gast.NodeTransformer):
    """Replaces calls of inlined rule helpers (see `inline_helpers`)."""

    def __init__(self, names):
        self.names = names

    def visit_Call(self, call):
        self.generic_visit(call)
        if call.keywords:
            return call
        try:
            expander = rules.INLINE.get(rules._key(self.names.lookup(call.func)))
        except TypeError:
            expander = None
        if expander is None:
            return call
        replaced = expander(*[n.clone(arg) for arg in call.args])
        if replaced is None:
            return call
        replaced.inlined = True
        return replaced

    def visit_BinOp(self, binop):
        self.generic_visit(binop)
        right = binop.right
        if isinstance(binop.op, gast.Mult) and isinstance(right, gast.BinOp) and \
                isinstance(right.op, gast.Mult) and getattr(right, 'inlined', False):
            # a * (c * x ** k) reads a * c * x ** k, as the formula would be written
            return gast.BinOp(left=gast.BinOp(left=binop.left, op=gast.Mult(),
                                              right=right.left),
                              op=gast.Mult(), right=right.right)
        return binop


class TemplateError(NotImplementedError):
    """A rule cannot be applied to these arguments; the passes add the user's line."""


def _refuse_uncovered(template, values, is_active, covered):
    """Raise where the call differentiates an argument whose parameter a rule registered
    outside s2sgrad gives no derivative (no ``d[param]`` line): its derivative would silently
    be zero. (s2sgrad's own rules leave out parameters read for their shape only, as ``x`` in
    ``s2s.unbroadcast(g, x)``; tests/test_rules_* check them against differences.)"""
    if str(template.namespace.get('__name__', '')).startswith('s2sgrad.'):
        return
    for param in template.params:
        bound = values.get(param)
        if param == 'ans' or param in covered or not isinstance(bound, gast.Name) or \
                not is_active(bound.id):
            continue
        raise TemplateError(
            f'the rule `{template.label}` gives no derivative in its argument `{param}`, '
            f'which is differentiated here: add a `d[{param}] = ...` line to the rule (its '
            f'derivative would otherwise be taken as zero), or pass a constant there')


def _refuse_varargs(template, param, bound, is_active):
    """A term is only dropped when its argument is not differentiated: a ``*args`` tuple or
    an expression (not a variable) holding a differentiated value raises instead."""
    if isinstance(bound, gast.Tuple) and any(isinstance(e, gast.Name) and is_active(e.id)
                                             for e in bound.elts):
        raise TemplateError(
            f'the rule `{template.label}` gives no derivative in its *{param} arguments (the '
            f'spacing of np.gradient, orders, shapes), which are differentiated here: pass '
            f'values there that do not depend on the differentiated arguments')
    if bound is not None and not isinstance(bound, (gast.Name, gast.Tuple)) and \
            any(is_active(name) for name in _reads_outside_comparisons(bound)):
        raise TemplateError(
            f'the argument `{param}` of the rule `{template.label}` is an expression holding '
            f'a differentiated value, which the rule cannot see (an internal error: please '
            f'report it)')


def _reads_outside_comparisons(node):
    """The names `node` reads, but for those only compared (``g * (x >= y)``: a comparison
    carries no derivative, so the expression holds none through it) or read for an attribute
    without derivative (``x.shape``)."""
    if isinstance(node, gast.Compare) or isinstance(node, gast.Attribute) and \
            node.attr in rules.NONDIFFERENTIABLE_ATTRIBUTES:
        return []  # (nor does ``x.shape``: `bx[x.shape[0] - 1]` holds one through `bx` only)
    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
        return [node.id]
    return [name for child in gast.iter_child_nodes(node)
            for name in _reads_outside_comparisons(child)]


def _substitute(node, values, adjoint_name, template, names, local_names, namer,
                arrays=frozenset()):
    return _Substituter(values, adjoint_name, template, names, local_names,
                        arrays).visit(node)


def _converted(node):
    """Whether `node` is ``s2s.asarray(name)``, a list read as an array (`_Substituter`)."""
    return isinstance(node, gast.Call) and n.dotted_path(node.func) == 's2s.asarray' and \
        len(node.args) == 1 and isinstance(node.args[0], gast.Name)


class _Substituter(gast.NodeTransformer):
    """Writes a template's statement for one call (see `instantiate`)."""

    def __init__(self, values, adjoint_name, template, names, local_names, arrays=frozenset()):
        self.values, self.adjoint_name, self.template = values, adjoint_name, template
        self.names, self.local_names = names, local_names
        self.arrays = arrays

    def _read(self, param):
        """The value of `param` as the rule reads it: a list in `arrays` given for an array
        parameter (or as an item of a ``*args`` one) is read as ``s2s.asarray(xs)``."""
        value = n.clone(self.values[param])
        if not self.arrays or param in rules.SEQUENCE_PARAMETERS:
            return value
        if isinstance(value, gast.Tuple) and param == self.template.vararg:
            value.elts = [self._as_array(e) for e in value.elts]
            return value
        return self._as_array(value)

    def _as_array(self, value):
        if isinstance(value, gast.Name) and value.id in self.arrays:
            return n.call('s2s.asarray', value)
        return value

    def visit_Subscript(self, sub):
        if _is_adjoint_ref(sub, self.template.namespace):
            bound = self.values.get(sub.slice.id)
            derivative = n.name(self.adjoint_name(bound.id))
            if bound.id in self.arrays and sub.slice.id not in rules.SEQUENCE_PARAMETERS:
                return n.call('s2s.asarray', derivative)  # (a tangent: a list, as its value)
            return derivative
        self.generic_visit(sub)
        return sub

    def visit_Call(self, call):
        func = call.func
        if isinstance(func, gast.Name) and func.id not in self.values and \
                self.template.namespace.get(func.id) is rules.replaced:
            items, position, value = (self.visit(arg) for arg in call.args)
            elts = list(items.elts)
            elts[position.value] = value
            return gast.Tuple(elts=elts, ctx=gast.Load())
        self.generic_visit(call)
        path = n.dotted_path(call.func) if self.arrays else None
        if path is not None and path.split('.')[0] == 'np':
            # (a NumPy function reads the list as an array itself: ``np.sum(dxs)``)
            call.args = [arg.args[0] if _converted(arg) else arg for arg in call.args]
        elif path == 's2s.' + getattr(call.func, 'attr', ''):
            position = SHAPE_ARGUMENT.get(call.func.attr)
            if position is not None and position < len(call.args) and \
                    _converted(call.args[position]):  # (a list has a shape: no array needed)
                call.args[position] = call.args[position].args[0]
        args = []
        for arg in call.args:  # f(*(a, b)) is f(a, b): the items of a *args parameter
            if isinstance(arg, gast.Starred) and isinstance(arg.value, gast.Tuple):
                args.extend(arg.value.elts)
            else:
                args.append(arg)
        call.args = args
        return call

    def visit_Name(self, name):
        if name.id in self.local_names:
            return n.name(self.local_names[name.id], isinstance(name.ctx, gast.Store))
        if name.id in self.values:
            return self._read(name.id)
        if name.id in self.template.namespace:
            return self.names.expression_for(self.template.namespace[name.id], name.id)
        return name

    def visit_Attribute(self, attribute):
        path = n.dotted_path(attribute)
        if path is not None:
            root = path.split('.')[0]
            namespace = self.template.namespace
            if root in namespace and root not in self.values and \
                    root not in self.local_names:
                expr = self.names.expression_for(namespace[root], root)
                for part in path.split('.')[1:]:
                    expr = n.attr(expr, part)
                return expr
        self.generic_visit(attribute)
        return attribute


_REDUCTION_DEFAULTS = {'axis': None, 'keepdims': False, 'dtype': None, 'out': None}


def drop_default_arguments(node, names=None):
    """Drop trailing positional arguments equal to the called runtime helper's defaults, and
    keywords of declared reductions left at their defaults (``axis=None``, ``keepdims=False``).
    """
    import inspect
    for call in n.walk(node):
        if call.__class__ is gast.Call and call.keywords and names is not None and \
                rules.is_reduction(names.lookup(call.func)):
            call.keywords = [kw for kw in call.keywords
                             if not (kw.arg in _REDUCTION_DEFAULTS and
                                     isinstance(kw.value, gast.Constant) and
                                     kw.value.value is _REDUCTION_DEFAULTS[kw.arg])]
    for call in n.walk(node):
        if not isinstance(call, gast.Call):
            continue
        helper = _own_helper(call.func, names)
        if helper is None:
            continue
        params = list(inspect.signature(helper).parameters.values())
        while call.args and len(call.args) <= len(params):
            param = params[len(call.args) - 1]
            last = _constant(call.args[-1])
            if param.default is inspect.Parameter.empty or last is None \
                    or last.value is not param.default and last.value != param.default \
                    or type(last.value) is not type(param.default):
                break
            call.args.pop()
    return node


def _constant(node):
    """`node` as a Constant, a negative number (``-1``) included, or None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            isinstance(node.operand, gast.Constant) and \
            type(node.operand.value) in (int, float):
        return gast.Constant(value=-node.operand.value, kind=None)
    return node if isinstance(node, gast.Constant) else None


def _own_helper(func, names):
    """The Python helper a call in a rule reaches: a runtime helper (``s2s.unreduce``) or a
    function defined in a rule module; None for anything else."""
    import inspect
    if isinstance(func, gast.Attribute) and n.dotted_path(func) == 's2s.' + func.attr:
        helper = getattr(runtime, func.attr, None)  # (``s2s.digamma``: SciPy's, no helper)
        return helper if inspect.isfunction(helper) else None
    obj = names.lookup(func) if names is not None and isinstance(func, gast.Name) else None
    module = getattr(obj, '__module__', '') or ''
    if inspect.isfunction(obj) and module.startswith('s2sgrad.templates'):
        return obj
    return None


def _drop_unbroadcast(expr):
    """``s2s.unbroadcast(e, x)`` -> ``e`` when the other operands are scalar constants."""
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and \
            expr.func.attr == 'unbroadcast' and len(expr.args) == 2:
        return expr.args[0]
    return expr


OPERATORS = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
    gast.USub: operator.neg, gast.UAdd: operator.pos,
    gast.Mod: operator.mod, gast.FloorDiv: operator.floordiv,
}
"""Operator node types -> the function whose rule differentiates them (``//`` has a zero
derivative almost everywhere: ``operator.floordiv`` is registered non-differentiable)."""


def displays_as_arrays(template, bindings, is_active):
    """A broadcasting function reads a list or tuple display (``np.multiply([1.0, 2.0], x)``)
    as an array; so do its rules, which multiply and sum with it: ``s2s.asarray([1.0, 2.0])``.
    A display holding differentiated values is left alone (its rule differentiates it)."""
    out = dict(bindings)
    for param, value in bindings.items():
        if param != template.vararg and isinstance(value, (gast.List, gast.Tuple)) and \
                not any(is_active(name) for name in n.names_read(value)):
            out[param] = n.call('s2s.asarray', value)
    return out
