"""Functions whose runs differ: `jacobian` and `hessian` run one once per column."""
import collections
import inspect

import gast

from . import nodes as n
from .call_effects import _root
from .errors import S2SError, UnsupportedSyntaxError
from .randomness import DRAW_KEYWORDS, _lookup, call_draws
from .rerun_state import state_read_after_change
from .source import parse_function

_GROWING = frozenset({'append', 'extend', 'insert', 'add', 'update', 'appendleft',
                      'extendleft', 'setdefault'})
"""Methods that add to what an object holds (a list, a dict, a set, a deque)."""


def refuse_varying_runs(func, operator):
    """Raise UnsupportedSyntaxError where the runs of `func` (a function, a bound method)
    that `operator` (``'jacobian'``, ``'hessian'``) makes, one per column, would compute
    different functions: it draws random numbers (itself or through the functions of yours
    it calls), or adds to the state of an object or a global that it also reads
    (``self.hist.append(v)``, then ``len(self.hist)``: each run sees the ones before)."""
    target = getattr(func, '__func__', func)
    if not inspect.isfunction(target):
        return
    try:
        source = parse_function(target)
    except (S2SError, OSError, TypeError):
        return
    namespace = dict(source.namespace)
    owner = getattr(func, '__self__', None)
    params = n.names_stored(source.node.args)
    if owner is not None and params:  # (``self.mask(3)`` of a bound method: its own)
        namespace[params[0]] = owner
    found = _first_unseeded_draw(source.node, namespace)
    if found is not None:
        call, where = found, source.name
        raise _error(source, call,
                     f'`{operator}` of `{source.name}`, which draws random numbers '
                     f'(`{n.shown(call.func)}(...)`{f" in `{where}`" if where else ""}): '
                     f'{operator} runs the function once per column, each drawing other '
                     f'numbers; draw them outside and pass them in (or take `vjp`/`jvp`/`hvp` '
                     f'products, which run it once)')
    # (generated code writes ``self.n += 1`` as ``self.n = self.n + 1`` and passes `self` to
    # the parts it made of methods: its function, checked by `hessian`, is the user's)
    changed = _accumulated_and_read(source.node, namespace,
                                    assignments=not source.filename.startswith('<s2sgrad'))
    if changed is not None:
        node, path = changed
        raise _error(source, node,
                     f'`{operator}` of `{source.name}`, which adds to `{path}` and reads it: '
                     f'{operator} runs the function once per column, and each run would see '
                     f'what the runs before added; take `vjp`/`jvp`/`hvp` products (one run) '
                     f'or keep that state out of the function')
    read = state_read_after_change(source.node, namespace)
    if read is not None:  # (``DQ.popleft()``, ``next(IT)`` in a helper it calls)
        inside = any(part is read for part in n.walk(source.node))
        raise _error(source, read if inside else source.node,
                     f'`{operator}` of `{source.name}`, whose value reads state it changes '
                     f'(`{n.shown(read)}`, itself or in a function of yours it calls): '
                     f'{operator} runs the function once per column, and each run would see '
                     f'the state the runs before left; take `vjp`/`jvp`/`hvp` products (one '
                     f'run) or keep that state out of the function')


_SEEDED = frozenset({'default_rng', 'RandomState', 'Generator', 'Random', 'SeedSequence',
                     'PCG64', 'PCG64DXSM', 'MT19937', 'Philox', 'SFC64'})
"""Constructors of generators (and bit generators) that a constant seed makes draw the same
numbers at every run."""


def _first_unseeded_draw(func, namespace):
    """The first call in the body of the FunctionDef `func` that may draw random numbers
    (`randomness.call_draws`) other than from a generator it makes from a seed (``rng =
    np.random.default_rng(0)``, then ``rng.normal(...)``; ``random.Random(0).shuffle(order)``)
    or from the module's generator after ``np.random.seed(0)``, which draw the same numbers
    at every run; None where there is none."""
    seeded = _seeded_names(func)
    calls = [part for stmt in func.body for part in n.walk(stmt) if isinstance(part, gast.Call)]
    # (``np.random.seed(0)`` first, a statement of the function itself, which always runs: the
    # draws after it from that module's generator are the same at every run)
    seeds = {}
    for stmt in func.body:
        call = stmt.value if isinstance(stmt, gast.Expr) else None
        if isinstance(call, gast.Call) and \
                (n.dotted_path(call.func) or '').endswith('random.seed') and \
                _seeded(call, any_name=True) and _module_generator(call, namespace):
            seeds.setdefault(_module_generator(call, namespace), (call.lineno, call.col_offset))
    for node in calls:
        position = (node.lineno, node.col_offset)
        if not call_draws(node, namespace) or _seeded(node) or position in seeds.values():
            continue  # (``np.random.seed(0)`` itself: what it sets is the same at every run)
        path = n.dotted_path(node.func) or ''
        given = [k.value for k in node.keywords if k.arg in DRAW_KEYWORDS]
        # (``norm.rvs(size=3)`` draws from NumPy's module generator too)
        module = 'numpy' if path.endswith('.rvs') and not given else \
            _module_generator(node, namespace)
        if module in seeds and seeds[module] < position:
            continue
        if given and all(isinstance(g, gast.Constant) and isinstance(g.value, int) or
                         isinstance(g, gast.Name) and g.id in seeded for g in given):
            continue  # (``norm.rvs(size=3, random_state=0)``: the same numbers at every run)
        receiver = node.func.value if isinstance(node.func, gast.Attribute) else None
        if isinstance(receiver, gast.Name) and receiver.id in seeded or \
                isinstance(receiver, gast.Call) and _seeded(receiver):
            continue
        return node
    return None


def _module_generator(call, namespace):
    """'numpy' or 'random' where `call` is a function of the module generator of NumPy's
    (``np.random.seed``, ``np.random.randn``) or of `random` (``random.gauss``); else None."""
    import random

    from numpy.random import mtrand
    obj = _lookup(call.func, namespace)
    owner = getattr(obj, '__self__', None)
    if owner is getattr(mtrand, '_rand', None) or obj is getattr(mtrand, 'seed', None):
        return 'numpy'
    if owner is getattr(random, '_inst', None):
        return 'random'
    return None


def _seeded(call, any_name=False):
    """Whether `call` makes a generator from a seed (``default_rng(0)``, ``default_rng(seed)``
    of a parameter or a global: the same at every run of one call; not ``default_rng()`` nor
    ``default_rng(None)``, which draw a seed); `any_name`: whatever the function called."""
    name = (n.dotted_path(call.func) or '').rpartition('.')[2]
    seeds = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == 'seed']
    return (any_name or name in _SEEDED) and bool(seeds) and all(
        not (isinstance(seed, gast.Constant) and seed.value is None) and
        not any(isinstance(part, gast.Call) for part in n.walk(seed)) for seed in seeds)


def _seeded_names(func):
    """The names every assignment of which in `func` binds a generator made from a seed."""
    made, other = set(), set()
    for node in n.walk(func):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call) \
                and _seeded(node.value):
            made.add(node.targets[0].id)
        else:
            for target in getattr(node, 'targets', None) or [getattr(node, 'target', None)]:
                if target is not None and not isinstance(node, gast.comprehension):
                    other.update(n.names_stored(target))
    return made - other


def _error(source, node, message):
    lineno = getattr(node, 'lineno', None)
    return UnsupportedSyntaxError(
        message, source.filename, lineno, getattr(node, 'col_offset', 0) + 1,
        source.lines[lineno - 1] if lineno and lineno <= len(source.lines) else None)


def _accumulated_and_read(func, namespace, assignments=True):
    """``(node, path)``: a change of `func` that adds to the state an object or a global holds
    (``self.n += 1``, ``self.hist.append(v)``, ``COUNTS['calls'] += 1``, with `assignments`
    ``self.t = self.t + 2``, and ``setattr(self, 'lr', self.lr * 2)``; not a list the
    function makes, nor an argument's own list or dict, which the operators copy for each
    run), where the function also reads that state: the attribute itself or an item of the
    object, a method of it, the object passed on; None where there is none. (A value read
    from state a call changes, ``next(IT)``, ``DQ.popleft()``: `state_read_after_change`.)"""
    local = set(n.names_stored(gast.Module(body=func.body, type_ignores=[])))
    params = set(n.names_stored(func.args))
    parents = {id(child): node for node in n.walk(func)
               for child in gast.iter_child_nodes(node)}
    # (``self = s2s.copy_lists(self)`` of a generated gradient: each run changes its own copy)
    copied = {stmt.targets[0].id for stmt in func.body
              if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and
              isinstance(stmt.value, gast.Call) and
              n.dotted_path(stmt.value.func) == 's2s.copy_lists'}
    for node in n.walk(func):
        if isinstance(node, gast.AugAssign) and \
                isinstance(node.target, (gast.Attribute, gast.Subscript)):
            target = node.target
        elif assignments and isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], (gast.Attribute, gast.Subscript)) and \
                _root(node.targets[0]) in n.names_read(node.value):
            target = node.targets[0]  # (``self.t = self.t + 2``)
        elif isinstance(node, gast.Call) and \
                n.dotted_path(node.func) in ('setattr', 'object.__setattr__') and \
                len(node.args) == 3 and not node.keywords and \
                isinstance(node.args[1], gast.Constant) and \
                isinstance(node.args[1].value, str) and \
                _root(node.args[0]) in n.names_read(node.args[2]):
            # (``setattr(self, 'lr', self.lr * 2)``: as ``self.lr = self.lr * 2``)
            target = gast.Attribute(value=node.args[0], attr=node.args[1].value,
                                    ctx=gast.Store())
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                node.func.attr in _GROWING and \
                isinstance(node.func.value, (gast.Attribute, gast.Subscript, gast.Name)):
            target = node.func.value
        else:
            continue
        root = target
        while isinstance(root, (gast.Attribute, gast.Subscript)):
            root = root.value
        if not isinstance(root, gast.Name) or root.id in (local - params) | copied or \
                root.id in params and not _through_attribute(target) or \
                root.id not in params and _no_state(namespace.get(root.id)):
            continue  # (an argument's own array, list or dict: the operators copy it for
            # each run; ``np.add(a, b)``, ``s2s.add(g, h)``: a function of a module)
        path = n.dotted_path(target) or root.id
        skip = {id(part) for part in n.walk(node)} | {  # (``s2s.separate(self.t, ...)``)
            id(part) for stmt in n.statements(func.body) if n.is_arguments_check(stmt)
            for part in n.walk(stmt)}
        for other in (part for stmt in func.body for part in n.walk(stmt)):
            if id(other) in skip or not isinstance(other, gast.Name) or other.id != root.id:
                continue
            chain = other
            while isinstance(parents.get(id(chain)), gast.Attribute):
                chain = parents[id(chain)]
            read = n.dotted_path(chain) or ''
            above = parents.get(id(chain))
            if chain is other and _unbound_method_call(above, other, namespace):
                # (``Model.predict(self, x)``, as generated code calls ``self.predict(x)``)
                if _method_may_read(namespace.get(root.id), [above.func.attr], path):
                    return node, path
                continue
            if chain is other or isinstance(above, gast.Subscript) and above.value is chain \
                    or isinstance(above, gast.Call) and above.func is chain and \
                    _call_may_read(namespace.get(root.id), read.split('.')[1:], path) or \
                    read.startswith(path) or path.startswith(read + '.') or \
                    _computed_attribute(namespace.get(root.id), read.split('.')[1:2]):
                return node, path  # (a property may read it: ``self.decay`` of ``self.n``)
        if root.id not in params and _calls_of_yours(func, namespace):
            return node, path  # (a global: a function of yours may read it, ``len(HIST)``)
    return None


def _unbound_method_call(call, first, namespace):
    """Whether `call` is ``Class.method(first, ...)`` of a class of `namespace`."""
    return isinstance(call, gast.Call) and call.args and call.args[0] is first and \
        isinstance(call.func, gast.Attribute) and \
        isinstance(_lookup(call.func.value, namespace), type)


def _call_may_read(obj, names, path):
    """Whether the call ``root.<names>(...)`` of an attribute path of `obj` may read the state
    at `path`: a method of `obj` itself (`_method_may_read`), or of an object it holds
    (``self.log.append(v)``), unless that object is a list, dict, set or deque, whose methods
    read nothing else."""
    if len(names) < 2:
        return _method_may_read(obj, names, path)
    held = obj
    for name in names[:-1]:
        held = None if held is None else inspect.getattr_static(held, name, None)
    return type(held) not in (list, dict, set, collections.deque)


def _method_may_read(obj, names, path):
    """Whether the method `names[0]` of `obj` may read the state at `path` (``self.calls``):
    where its code cannot be read, names the attribute, passes its object on or calls another
    of its methods (the object unknown: always)."""
    if obj is None or not names:
        return True
    found = inspect.getattr_static(type(obj), names[0], None)
    if not inspect.isfunction(found):
        return True
    try:
        node = parse_function(found).node
    except (S2SError, OSError, TypeError):
        return True
    params = n.names_stored(node.args)
    me = params[0] if params else None
    attribute = path.split('.')[1] if '.' in path else None
    parents = {id(child): part for part in n.walk(node) for child in gast.iter_child_nodes(part)}
    for part in n.walk(node):
        if isinstance(part, gast.Attribute) and part.attr == attribute:
            return True
        if isinstance(part, gast.Name) and part.id == me and isinstance(part.ctx, gast.Load):
            above = parents.get(id(part))
            if not isinstance(above, gast.Attribute) or \
                    isinstance(parents.get(id(above)), gast.Call) and \
                    parents[id(above)].func is above or \
                    _computed_attribute(obj, [above.attr]):
                return True  # (``self`` passed on, another method, a property)
    return False


def _computed_attribute(obj, names):
    """Whether the attribute `names[0]` of `obj` is computed by its class (a property, a
    descriptor), which may read any of its state."""
    if obj is None or not names:
        return False
    found = inspect.getattr_static(type(obj), names[0], None)
    return found is not None and hasattr(type(found), '__get__') and \
        not inspect.isfunction(found) and not isinstance(found, (staticmethod, classmethod))


def _calls_of_yours(func, namespace):
    """Whether the FunctionDef `func` calls a function of the user's (not a library's)."""
    from .rules import is_library
    for node in n.walk(func):
        if isinstance(node, gast.Call):
            found = namespace.get(n.dotted_path(node.func) or '')
            if inspect.isfunction(found) and not is_library(found):
                return True
    return False


def _no_state(value):
    """Whether the global `value` holds no state a run changes: a module, a class, a
    function (its methods and attributes are looked up, not added to)."""
    return value is None or inspect.ismodule(value) or inspect.isclass(value) or \
        callable(value)


_ARRAY_VIEWS = frozenset({'flat', 'T', 'mT', 'real', 'imag'})
"""Attributes of arrays that are views of the array (``x.flat[0] = v`` writes into `x`)."""


def _through_attribute(target):
    """Whether the chain `target` (``self.hist``, ``state.n[0]``) reaches an attribute (an
    object's: not a view of an array, ``x.flat[0]``, ``x.T[1]``)."""
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        if isinstance(target, gast.Attribute) and target.attr not in _ARRAY_VIEWS:
            return True
        target = target.value
    return False
