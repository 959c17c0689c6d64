"""What a call calls: a rule, a constant, or a function of the user's, the same in both modes."""
import builtins
import inspect
from collections import namedtuple

import gast
import numpy as np

from . import nodes as n
from . import rules
from .errors import S2SError
from .methods import object_hint
from .source import parse_function

Callee = namedtuple('Callee', 'kind func args keywords')
Callee.__doc__ = """What ``ans = call`` calls. `kind` is ``'rule'`` (a library function or a
method with a rule in this mode: `func`, and the `args` and `keywords` its template binds, a
method's receiver first), ``'constant'`` (no derivative: the result is a constant),
``'nested'`` (a function defined in the differentiated one; `func` is None) or ``'user'`` (a
Python function of the user's, `func`, differentiated from its source)."""


def callee(ctx, stmt, call, lookup_rule, mode=''):
    """The `Callee` of `call` in `stmt`, whose rules `lookup_rule` finds (`rules.lookup_adjoint`
    or `rules.lookup_tangent`); raises NoRuleError (saying `mode`) for a call of anything else."""
    func = call.func
    if isinstance(func, gast.Attribute) and not ctx.resolver.is_global(func):
        receiver, name = func.value, func.attr
        if name in rules.NONDIFFERENTIABLE_METHODS or \
                isinstance(receiver, gast.Constant) and isinstance(receiver.value, str):
            # (``'loss={:.3f}'.format(loss)``, ``', '.join(...)``: text, no derivative)
            return Callee('constant', None, (), ())
        if name == 'copy' and not call.args and not call.keywords and \
                isinstance(receiver, gast.Name) and \
                receiver.id in getattr(ctx, 'list_names', ()):
            # (``new = state.copy()`` of a list the function makes: a list, as ``list(state)``
            # makes it, not NumPy's copy of an array)
            return Callee('rule', builtins.list, [receiver], [])
        target = rules.METHODS.get(name)
        if target is None:
            raise ctx.no_rule(stmt, f'the method `.{name}()`', object_hint(receiver, name, True))
        if name in _RECEIVER_ONLY and _active(ctx, call.args + [k.value for k in call.keywords]) \
                and not _active(ctx, [receiver]):
            # (``np.sum(y ** 2)`` where `np` is a parameter, ``def f(y, np=np)``: no array's
            # `.sum` takes a differentiated argument; the array rule would drop it)
            raise ctx.unsupported(stmt, f'`{n.shown(call.func)}(...)` with a differentiated '
                                        f'argument, where `{n.shown(receiver)}` is not an '
                                        f'array s2sgrad follows (a parameter holding a module '
                                        f'or an object of yours?): call the module by its '
                                        f'global name (`np.{name}`), or the method of a class '
                                        f's2sgrad knows', call)
        return Callee('rule', target, [receiver] + list(call.args), call.keywords)
    if isinstance(func, gast.Name) and func.id in ctx.nested:
        return Callee('nested', None, list(call.args), call.keywords)
    obj = ctx.resolver.lookup(func)
    if obj is None:
        extra = ''
        if isinstance(func, gast.Name) and func.id in ctx.resolver.local_names:
            extra = (f'`{func.id}` is a variable, which s2sgrad cannot resolve to a function '
                     f'when it transforms the code: call the function by its name, or make '
                     f'it the default of a parameter; if it holds an object of yours taken '
                     f'from a list, call it in a form s2sgrad follows (`for {func.id} in '
                     f'self.layers: x = {func.id}(x)`, `self.layers[i](x)`: see the README, '
                     f'"Lists and tuples of layers")')
        elif isinstance(func, gast.Name) and func.id not in ctx.visible() and \
                not hasattr(builtins, func.id):
            extra = (f'`{func.id}` is not defined where `{ctx.source.name}` is: a missing '
                     f'import or a misspelt name (Python would raise NameError)')
        elif isinstance(func, gast.Subscript):
            extra = ('a function picked from a dict or a list when the code runs, which '
                     's2sgrad cannot tell when it transforms the code: call it by its name '
                     '(`if act == "relu": z = relu(z)`), or take it as a parameter with the '
                     'function for its default (`def layer(x, act=np.tanh)`)')
        raise ctx.no_rule(stmt, f'`{n.shown(func)}`', extra)
    if isinstance(func, gast.Attribute) and func.attr in rules.METHODS and \
            type(getattr(obj, '__self__', None)) is np.ndarray:
        # (``C.dot(x)`` of a global array `C`, ``K.W.dot(x)``: the array method's rule, as for
        # a variable's; not of an `np.matrix`, whose products and powers are a matrix's)
        return Callee('rule', rules.METHODS[func.attr], [func.value] + list(call.args),
                      call.keywords)
    if lookup_rule(obj) is not None:
        return Callee('rule', obj, list(call.args), call.keywords)
    if rules.is_nondifferentiable(obj):
        return Callee('constant', obj, (), ())
    definition = rules.lookup_definition(obj)
    if definition is not None:  # (a library function written in NumPy: templates/definitions)
        return Callee('user', definition, list(call.args), call.keywords)
    if inspect.isfunction(obj) and (not rules.is_library(obj) or rules.is_definition(obj)):
        return Callee('user', obj, list(call.args), call.keywords)
    if obj in (dict, set, frozenset):  # (as the literals ``{...}`` are, in `fence`)
        shown = f'{n.dotted_path(func)}(...)' if obj is not dict else \
            '{...: ...}` or `dict(...)'  # (a display is a call: `constructs.dict_displays`)
        advice = 'fill a dict of its own key by key (`d = dict()`, then `d[key] = value`; ' \
            '`d = {key: value, ...}` is filled so), or use a tuple, a list, a namedtuple or ' \
            'an array' if obj is dict else \
            f'{obj.__name__}s made in the function are not supported; use a tuple, a list ' \
            f'or an array'
        raise ctx.unsupported(
            stmt, f'a {obj.__name__} made of differentiated values (`{shown}`): {advice}',
            call)
    raise ctx.no_rule(stmt, f'`{n.dotted_path(func)}`{mode}',
                      _frozen_hint(obj, func) or _draw_hint(obj, func))


_RECEIVER_ONLY = {'sum', 'mean', 'max', 'min', 'prod', 'var', 'std', 'cumsum', 'cumprod',
                  'trace', 'reshape', 'transpose', 'ravel', 'flatten', 'squeeze', 'swapaxes',
                  'repeat', 'copy', 'diagonal', 'item', 'tolist', 'astype', 'conj', 'conjugate',
                  'take'}
"""Array methods whose arguments other than the array carry no derivative."""


def _active(ctx, nodes):
    activity = getattr(ctx, 'activity', None)
    return activity is not None and any(activity.is_active(node) for node in nodes)


def _frozen_hint(obj, func):
    """What to write for a frozen SciPy distribution made of differentiated parameters
    (``norm(mu, s)`` kept where `frozen_dists` does not read it), else ''."""
    module = getattr(type(obj), '__module__', '') or ''
    name = n.dotted_path(func)
    if module.startswith('numba') and inspect.isfunction(getattr(obj, 'py_func', None)):
        return (f'`{name}` is compiled by numba (`@numba.njit`), which s2sgrad cannot read; '
                f'call its Python function `{name}.py_func` in the differentiated code (the '
                f'same values; s2sgrad differentiates its source), or differentiate with '
                f'`compile="numba"` to compile the gradient')
    if not module.startswith('scipy.stats') or isinstance(obj, type) or not callable(obj):
        return ''
    return (f'a frozen distribution is followed where its method is called at once '
            f'(`{name}(mu, s).logpdf(x)`) or where it is kept under a name assigned once in the '
            f'function\'s body, outside loops and branches, whose parameters are not assigned '
            f'or changed in place after it and which is only used to call its methods; else '
            f'call `{name}.logpdf(x, mu, s)`')


def _draw_hint(obj, func):
    """What to write for a random draw of differentiated parameters (``np.random.normal(mu,
    s)``, ``random.gauss(mu, s)``, ``norm.rvs(loc=mu)``), else ''."""
    owner = getattr(obj, '__self__', None)
    module = getattr(type(owner), '__module__', '') or '' if owner is not None else \
        getattr(obj, '__module__', '') or ''
    if not (module.startswith('numpy.random') or module == 'random' or
            module.startswith('scipy.stats') and getattr(obj, '__name__', '') == 'rvs'):
        return ''
    return (f'`{n.dotted_path(func)}` draws random numbers, whose parameters have no '
            f'derivative; draw standard values and scale them (the reparameterization: `mu + s '
            f'* np.random.standard_normal(n)` for `np.random.normal(mu, s, n)`, `mu + s * '
            f'random.gauss(0.0, 1.0)` for `random.gauss(mu, s)`, `lo + (hi - lo) * u` for a '
            f'uniform draw `u` in [0, 1))')


def _own_nodes(func):
    """``(node, nodes)``: the FunctionDef of the user function `func` and the nodes of its
    body at its own level (not in the functions it defines); None when its source cannot be
    read or it is a generator."""
    try:
        node = parse_function(func).node
    except (S2SError, OSError, TypeError):
        return None
    nodes = []
    pending = list(node.body)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef,
                             gast.Lambda)):
            continue
        if isinstance(stmt, (gast.Yield, gast.YieldFrom, gast.Await)):
            return None
        nodes.append(stmt)
        pending.extend(gast.iter_child_nodes(stmt))
    return node, nodes


def _assigned_values(node, nodes, value_of):
    """Name -> the values the function `node` (its own `nodes`) binds it to: None for a
    parameter (the argument itself), ``value_of(stmt, target)`` for each assignment, loop or
    augmented assignment (None where unknown), and the value of each walrus (``(w :=
    z)``)."""
    assigned = {name: [None] for name in n.names_stored(node.args)}
    for stmt in nodes:
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            for target in targets:
                for name in n.names_stored(target):
                    assigned.setdefault(name, []).append(value_of(stmt, target))
        for part in n.walk(stmt):
            if isinstance(part, gast.NamedExpr) and isinstance(part.target, gast.Name):
                assigned.setdefault(part.target.id, []).append(part.value)
    return assigned


def returns_new_memory(func, fresh_functions, fresh_methods):
    """Whether every ``return`` of the user function `func` (at its own level) gives a value
    that no argument shares: arithmetic (``x * 2.0``, ``-x``), a call of a NumPy function
    named in `fresh_functions` (``np.tanh(x)``) or a method named in `fresh_methods`
    (``x.copy()``), or a tuple, list or dict display (constant keys) of such values; False when
    its source cannot be read."""
    own = _own_nodes(func)
    if own is None:
        return False
    node, nodes = own
    returned = [stmt.value for stmt in nodes if isinstance(stmt, gast.Return)]

    def value_of(stmt, target):
        if isinstance(stmt, gast.AugAssign) and isinstance(target, gast.Name) and \
                new_value(stmt.value, fresh_functions):
            return _UPDATED  # (``s += v * w``: new as `s` was, in place or not; not ``s +=
            # [x]``, which puts `x` into a list)
        return stmt.value if isinstance(stmt, gast.Assign) and \
            isinstance(target, gast.Name) else None
    assigned = _assigned_values(node, nodes, value_of)

    def new(value, depth=0):
        if isinstance(value, gast.Name) and depth < 4:
            # (``y = x.copy()``, ``return y``: a variable assigned only new values)
            values = [v for v in assigned.get(value.id, ()) if v is not _UPDATED]
            return bool(values) and all(v is not None and new(v, depth + 1) for v in values)
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Constant)):
            return new_value(value)  # (``s = 0.0``, then ``s = s + v``: a number)
        if isinstance(value, (gast.Tuple, gast.List)):  # (``return total, count``)
            return all(new(elt, depth + 1) for elt in value.elts)
        if isinstance(value, gast.Dict):  # (``return {'W': X.T @ r, 'b': 2 * p['b']}``)
            return None not in value.keys and \
                all(isinstance(key, gast.Constant) for key in value.keys) and \
                all(new(item, depth + 1) for item in value.values)
        if not isinstance(value, gast.Call) or any(k.arg in ('copy', 'out')
                                                   for k in value.keywords):
            return False
        path = n.dotted_path(value.func) or ''
        head, _, name = path.rpartition('.')
        if new_value(value, fresh_functions) or \
                not head and name in _NEW_BUILTINS and name not in assigned and \
                len(value.args) == 1 and not value.keywords and \
                getattr(func, '__globals__', {}).get(name, builtins) is builtins:
            return True  # (the built-in function: not rebound in `func`'s module)
        return isinstance(value.func, gast.Attribute) and value.func.attr in fresh_methods \
            and not head.split('.')[0] in ('np', 'numpy', 'math')
    return bool(returned) and all(new(value) for value in returned)


def returns_unshared_items(func, fresh_functions, fresh_methods):
    """Whether nothing a ``return`` of the user function `func` gives holds an argument's
    memory or items: what `returns_new_memory` asks, and also of the items of a returned
    list, tuple or dict (``return [gW, gb]`` of ``gW = X.T @ r``, ``gb = np.mean(r)``), where
    every value is arithmetic that no list or tuple does (``p - lr * g``, ``a / b``), of such
    values (``2 * r * h``), or a fresh NumPy call; not ``x * 2`` of an argument, which repeats
    a list, nor ``x.copy()`` of one, a list's shallow copy. A name's values are those it is
    assigned (an augmented assignment adds its right side) and those stored into it
    (``out.append(v)``, ``d['a'] = v``; not item stores into an array a NumPy call made, which
    copy numbers). False when the source cannot be read."""
    own = _own_nodes(func)
    if own is None:
        return False
    node, nodes = own
    returned = [stmt.value for stmt in nodes if isinstance(stmt, gast.Return)]
    assigned = _assigned_values(node, nodes, lambda stmt, target: stmt.value if isinstance(
        target, gast.Name) and isinstance(stmt, (gast.Assign, gast.AugAssign)) else None)
    seen = set()

    def unshared(value):
        if isinstance(value, gast.Name):
            if value.id in seen:
                return True  # (a cycle adds only what its other values hold)
            seen.add(value.id)
            values = assigned.get(value.id, [None])
            if not all(v is not None and unshared(v) for v in values):
                return False
            arrays = all(isinstance(v, gast.Call) and new_value(v, fresh_functions)
                         for v in values)
            return arrays or all(unshared(v) for v in _stored_into(nodes, value.id))
        if isinstance(value, gast.BinOp):
            return no_sequence(value, fresh_functions) or \
                unshared(value.left) and unshared(value.right)
        if isinstance(value, (gast.UnaryOp, gast.Compare, gast.Constant)):
            return True
        if isinstance(value, (gast.Tuple, gast.List)):
            return all(unshared(elt) for elt in value.elts)
        if isinstance(value, gast.Dict):
            return None not in value.keys and all(unshared(v) for v in value.values)
        if not isinstance(value, gast.Call) or any(
                k.arg in ('copy', 'out', 'dtype') or k.arg is None for k in value.keywords):
            return False
        if new_value(value, fresh_functions):
            return True
        path = n.dotted_path(value.func) or ''
        if path in _NEW_BUILTINS - {'sum'} and path not in assigned and \
                len(value.args) == 1 and \
                getattr(func, '__globals__', {}).get(path, builtins) is builtins:
            return True  # (``float(v)``, ``len(xs)``: a number)
        return isinstance(value.func, gast.Attribute) and value.func.attr in fresh_methods \
            and unshared(value.func.value)  # (``h.copy()`` of a new array `h`)
    return bool(returned) and all(unshared(value) for value in returned)


def returns_arguments(func, fresh_functions=frozenset()):
    """Whether a ``return`` of the user function `func` may give back one of its arguments
    itself, or a container holding one (``out.append(x)``, ``return out``; ``return [x,
    w]``; ``return helper(x)``): a name returned, an item of a display returned, a value
    stored into a name returned, followed through names; arithmetic and other expressions
    make new values (which may hold the arguments' items, not the arguments). True when its
    source cannot be read."""
    own = _own_nodes(func)
    if own is None:
        return True
    node, nodes = own
    params = set(n.names_stored(node.args))
    values = {}
    for stmt in nodes:  # (what each name may be: a value assigned, added (``s += [x]``), or
        # an unpacked part of one; a loop's variable is an item, which the caller's contents
        # cover)
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.NamedExpr)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            for target in targets:
                for name in n.names_stored(target):
                    if stmt.value is not None:
                        values.setdefault(name, []).append(stmt.value)
        elif isinstance(stmt, gast.For):  # (an item of what it runs over: ``for t in (a,
            # b)`` gives the arguments themselves)
            for name in n.names_stored(stmt.target):
                values.setdefault(name, []).append(stmt.iter)
    pending = [stmt.value for stmt in nodes if isinstance(stmt, gast.Return) and stmt.value]
    seen = set()
    while pending:
        value = pending.pop()
        if isinstance(value, (gast.Tuple, gast.List, gast.Set)):
            pending.extend(value.elts)
        elif isinstance(value, gast.Dict):
            pending.extend(value.values)
        elif isinstance(value, gast.Starred):
            pending.append(value.value)
        elif isinstance(value, (gast.IfExp, gast.BoolOp)):
            pending.extend([value.body, value.orelse] if isinstance(value, gast.IfExp)
                           else value.values)
        elif isinstance(value, gast.Call):
            if any(isinstance(part, gast.Name) and part.id in params
                   for arg in value.args + [k.value for k in value.keywords]
                   for part in n.walk(arg)):
                if not new_value(value, fresh_functions) and not _NEW_BUILTINS.intersection(
                        [n.dotted_path(value.func) or '']):
                    return True  # (``helper(x)``, ``list(x)``: may give `x` back)
        elif isinstance(value, gast.Name) and value.id not in seen:
            seen.add(value.id)
            if value.id in params:
                return True
            pending.extend(values.get(value.id, ()))
            pending.extend(_stored_into(nodes, value.id))
        elif isinstance(value, (gast.Subscript, gast.Attribute)):
            pending.append(value.value)
    return False


def returned_parameters(func, fresh_functions=frozenset(), augmented=False, free=False):
    """The parameters of the user function `func` whose memory (or items) a ``return`` of it
    may give back, through its own names (``out[t] = ...``, ``return out``: `out`): what a
    call's value may share with the arguments given for them; None when its source cannot
    be read or a name it returns is bound otherwise than by ``name = value`` (with
    `augmented`, ``s += v`` too: `s` is then the memory it was, or a new value). With
    `free`, ``(parameters, names)``: also the names it does not bind whose memory a return
    may give (``return G['w']``: `G`; ``return pick()``: `pick`)."""
    own = _own_nodes(func)
    if own is None:
        return None
    node, nodes = own
    params = set(n.names_stored(node.args))
    values = {}
    for stmt in nodes:
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For,
                             gast.NamedExpr)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            for target in targets:
                for name in n.names_stored(target):
                    plain = isinstance(stmt, gast.Assign) and isinstance(target, gast.Name)
                    kept = augmented and isinstance(stmt, gast.AugAssign) and \
                        isinstance(target, gast.Name)
                    values.setdefault(name, []).append(
                        stmt.value if plain else target if kept else None)
    pending = [name for stmt in nodes if isinstance(stmt, gast.Return) and stmt.value
               for part in _returned_parts(stmt.value)
               if not no_sequence(part, fresh_functions)  # (``return w - lr * g, cfg``)
               for name in n.names_read(part)]
    reached = set()
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        for value in values.get(name, ()):
            if value is None:
                return None
            pending.extend(n.names_read(value))
        # (what is put into it: ``buf.append(v)``, ``buf[0] = v``, ``d.setdefault(k, v)``,
        # ``obj.a = v``; a new value, ``buf[t] = a * b``, holds nothing of the arguments)
        for stored in _stored_into(nodes, name):
            if not new_value(stored, fresh_functions):  # (``out[0] = np.var(r)`` is new)
                pending.extend(n.names_read(stored))
    if free:
        return reached & params, reached - params - set(values)
    return reached & params


def _returned_parts(value):
    """The items of a tuple or list display `value` (a ``return a, b``), each in turn, or
    `value` itself."""
    if isinstance(value, (gast.Tuple, gast.List)) and \
            not any(isinstance(e, gast.Starred) for e in value.elts):
        return [part for e in value.elts for part in _returned_parts(e)]
    return [value]


def no_sequence(expr, fresh_functions):
    """Whether `expr` gives a new value no list or tuple can be (so it holds nothing of a
    parameter's): arithmetic that lists do not support (``w - lr * g``, ``a / b``, ``-v``),
    ``+`` with a number, ``*`` with a float, a comparison, a constant, a copying NumPy call;
    not ``ps * 1`` or ``a + b``, which repeat and concatenate lists."""
    if isinstance(expr, gast.BinOp):
        if isinstance(expr.op, gast.Add):
            return _a_number(expr.left) or _a_number(expr.right)
        if isinstance(expr.op, gast.Mult):
            return _a_float(expr.left) or _a_float(expr.right)
        return True  # (``-``, ``/``, ``**``, ``@``, ...: no list has them)
    if isinstance(expr, gast.UnaryOp):
        return True
    return new_value(expr, fresh_functions)


def _a_number(expr):
    """Whether `expr` is a number or an array, never a list or tuple."""
    if isinstance(expr, gast.Constant):
        return isinstance(expr.value, (int, float, complex))
    if isinstance(expr, gast.BinOp):
        return not isinstance(expr.op, (gast.Add, gast.Mult)) or no_sequence(expr, ())
    return isinstance(expr, gast.UnaryOp)


def _a_float(expr):
    """Whether `expr` is a float or an array (``[v] * 2.0`` raises: never a repetition)."""
    if isinstance(expr, gast.Constant):
        return isinstance(expr.value, (float, complex))
    return isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Div, gast.MatMult))


def _builds_sequence(expr):
    """Whether arithmetic `expr` has a display among its operands (``[v] * 2``, ``[a] + b``,
    ``-(x,)``): a list or tuple holding what the display holds."""
    if isinstance(expr, (gast.List, gast.Tuple, gast.ListComp, gast.Set, gast.SetComp,
                         gast.Dict, gast.DictComp)):
        return True
    if isinstance(expr, gast.BinOp):
        return _builds_sequence(expr.left) or _builds_sequence(expr.right)
    return isinstance(expr, gast.UnaryOp) and _builds_sequence(expr.operand)


def new_value(value, fresh_functions=frozenset()):
    """Whether expression `value` gives a new value that holds nothing of another: arithmetic
    of no list or tuple (not ``[v] * 2``, ``[a] + b``), a comparison, a constant, or a call of
    NumPy's `fresh_functions` that copies (no ``copy=``, no ``out=`` or a ufunc's positional
    output; not ``np.diff(v, 0)`` or ``np.linalg.matrix_power(v, 1)``, which may return
    `v`)."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return not _builds_sequence(value)
    if isinstance(value, (gast.Compare, gast.Constant)):
        return True
    if not isinstance(value, gast.Call):
        return False
    head, _, name = (n.dotted_path(value.func) or '').rpartition('.')
    if head.split('.')[0] not in ('np', 'numpy') or name not in fresh_functions or \
            name in ('diff', 'matrix_power') or \
            any(k.arg in ('copy', 'out') or k.arg is None for k in value.keywords) or \
            any(isinstance(arg, gast.Starred) for arg in value.args):
        return False
    ufunc = getattr(np, name, None)
    return not (type(ufunc).__name__ == 'ufunc' and len(value.args) > ufunc.nin)


def _stored_into(nodes, name):
    """The values the statements `nodes` store into the object named `name`: by subscript or
    attribute assignment (``name[i] = v``, ``name.a = v``), by an augmented assignment of it,
    or as the arguments of a method of it (``name.append(v)``)."""
    stored = []
    for stmt in nodes:
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            targets = list(stmt.targets) if isinstance(stmt, gast.Assign) else [stmt.target]
            for target in list(targets):  # (``buf[0], k = v, 1``: each part of a tuple)
                targets += [part for part in n.walk(target) if part is not target and
                            isinstance(part, (gast.Subscript, gast.Attribute)) and
                            isinstance(part.ctx, gast.Store)]
            for target in targets:
                base = target
                while isinstance(base, (gast.Subscript, gast.Attribute)):
                    base = base.value
                if base is not target and isinstance(base, gast.Name) and base.id == name or \
                        isinstance(stmt, gast.AugAssign) and isinstance(target, gast.Name) and \
                        target.id == name:
                    stored.append(stmt.value)
        elif isinstance(stmt, gast.Call) and isinstance(stmt.func, gast.Attribute) and \
                isinstance(stmt.func.value, gast.Name) and stmt.func.value.id == name:
            stored.extend(list(stmt.args) + [k.value for k in stmt.keywords])
    return stored


_UPDATED = object()
"""`returns_new_memory`'s binding of a name by an augmented assignment (``s += v``)."""

_NEW_BUILTINS = {'sum', 'len', 'float', 'int', 'abs', 'bool', 'round'}
"""Built-in functions whose result, of one argument, is new memory (not ``max``/``min``: an
item; not ``sum(items, start)``: `start` itself where `items` is empty)."""


def returns_tuple_displays(func):
    """Whether every ``return`` of the user function `func` (at its own level, not in functions
    it defines) returns a tuple display (``return a, b``), so that a call's value is a tuple of
    that many items; False when its source cannot be read."""
    return returned_tuple_sizes(func) is not None


def returned_tuple_sizes(func, distinct=False):
    """The lengths of the tuple displays the ``return`` statements of the user function `func`
    give (``return a, b``: {2}), or None where one returns something else or its source
    cannot be read. With `distinct`, also None where two items of one may be the same object
    (a name given twice, or a name bound to another name: ``b = a``, ``return a, b``)."""
    own = _own_nodes(func)
    returns = [stmt for stmt in own[1] if isinstance(stmt, gast.Return)] if own else []
    if not returns or not all(
            isinstance(stmt.value, gast.Tuple) and
            not any(isinstance(e, gast.Starred) for e in stmt.value.elts) for stmt in returns):
        return None
    if distinct:
        aliased = {name for stmt in own[1] if isinstance(stmt, gast.Assign) and (
                   len(stmt.targets) > 1 or not isinstance(stmt.targets[0], gast.Name) or
                   not isinstance(stmt.value, (gast.BinOp, gast.UnaryOp, gast.Call,
                                               gast.Constant)))  # (``a = b = np.zeros(4)``)
                   for target in stmt.targets for name in n.names_stored(target)}
        for stmt in returns:
            names = [e.id for e in stmt.value.elts if isinstance(e, gast.Name)]
            if len(set(names)) < len(names) or set(names) & aliased:
                return None
    return {len(stmt.value.elts) for stmt in returns}


_SEQUENCES = (gast.Tuple, gast.List, gast.ListComp)


def returns_sequences(func):
    """Whether every ``return`` of the user function `func` (at its own level) returns a list
    or tuple: a display, a list comprehension, a variable of its own that every assignment
    (``r = [...]``, ``r += [...]``) gives one, a slice of one, the concatenation ``a + b`` of
    two, or a call of `func` itself (``tree(l) + tree(r)``, whose other returns are lists);
    False when its source cannot be read."""
    own = _own_nodes(func)
    if own is None:
        return False
    node, nodes = own
    returned, assigned = [], {}
    for stmt in nodes:
        if isinstance(stmt, gast.Return):
            returned.append(stmt.value)
        elif isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            for target in targets:
                for name in n.names_stored(target):
                    value = getattr(stmt, 'value', None) if isinstance(target, gast.Name) and (
                        not isinstance(stmt, gast.AugAssign) or
                        isinstance(stmt.op, gast.Add)) else None
                    assigned.setdefault(name, []).append(value)
    params = n.names_stored(node.args)

    def sequence(value, seen):
        if isinstance(value, _SEQUENCES):
            return True
        if isinstance(value, gast.Name):
            if value.id in seen:
                return True  # (``r = r + [v]``: what the other assignments give)
            values = assigned.get(value.id)
            return bool(values) and value.id not in params and all(
                v is not None and sequence(v, seen | {value.id}) for v in values)
        if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
            return sequence(value.value, seen)
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add):
            return sequence(value.left, seen) and sequence(value.right, seen)
        return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
            value.func.id == node.name and any(not isinstance(r, gast.Call) for r in returned)
    return bool(returned) and all(sequence(value, frozenset()) for value in returned)


def sequence_calls(ctx, statements):
    """The calls (node ids) in ``v = call`` statements of `statements` of user functions that
    return tuple or list displays only (``return [a, b]``), and of the built-ins `list`,
    `tuple` (``out += h(x)`` is ``out = out + list(h(x))``) and `sorted`: their values are
    sequences, which ``out = out + v`` concatenates (`activity.list_values`)."""
    found = set()
    for stmt in statements:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, gast.Call):
            try:
                called = callee(ctx, stmt, stmt.value, rules.lookup_adjoint)
            except S2SError:
                continue
            if called.kind == 'user' and returns_sequences(called.func) or \
                    called.func in (builtins.list, builtins.tuple, builtins.sorted):
                found.add(id(stmt.value))
    return found
