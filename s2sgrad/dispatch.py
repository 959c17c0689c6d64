"""Calls of methods of objects known only as one of several kinds: a test of the kind each."""
import ast
import inspect

import gast

from . import nodes as n
from .callables import choice, functions, held_none
from .methods import bind_call, bind_method, class_static, identifier, of_class, receiver_of

SIMPLE = (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Expr, gast.Return)


def dispatch_by_class(func, ctx):
    """Rewrite, in place, each simple statement of `func` that calls a method of one object
    whose receiver is a `choice` (an item of a list of instances of several classes: ``h =
    layer.forward(h)`` in ``for layer in self.layers:``) into a branch per class::

        if type(layer) is Dense:
            h = Dense.forward(layer, h)
        else:
            h = Tanh.forward(layer, h)

    Each branch is then differentiated like any other; the last, ``else``, raises S2SError:
    the object is of none of the kinds the list held when the gradient was made, which is
    out of date. The receivers are ``ctx.receivers``; ``ctx.names`` binds the classes and
    functions to names generated code can read."""
    if not ctx.receivers:
        return
    for node in list(n.walk(func)):
        n.map_blocks(node, lambda block: [new for stmt in block
                                          for new in _dispatched(stmt, ctx)],
                     functions=node is func)


def _dispatched(stmt, ctx, narrowed=None):
    """The statements that replace `stmt`: itself, or the branches by kind (for one kind,
    the test that raises and the statement). `narrowed`: the `Receiver` of each object (by
    its ``gast.dump``) that an enclosing branch has tested the kind of."""
    known, names, lines = ctx.receivers, ctx.names, ctx.source.lines
    narrowed = narrowed or {}
    if not isinstance(stmt, SIMPLE):
        return [stmt]
    found = {}
    for node in n.walk(stmt, skip=lambda child: isinstance(child, gast.Lambda)):
        if not isinstance(node, gast.Call):
            continue
        called = _object_called(node)
        objects = ([(called, None)] if called is not None else []) + _passed(node, ctx)
        for each, owner in objects:
            chosen = _choice_in(each, known, narrowed)
            if chosen is not None and owner is not None:  # (the kinds of class `owner`)
                chosen = (chosen[0], choice(item for item in chosen[1].items
                                            if of_class(item, owner)))
            if chosen is not None:
                found.setdefault(gast.dump(chosen[0]), chosen)
    if not found:
        if narrowed:
            _bind_narrowed(stmt, known, narrowed, names)
        return [stmt]
    target, info = next(iter(found.values()))  # (the others in each branch, recursively)
    branches = _product(info for _, info in found.values())
    if branches > _MOST_BRANCHES:
        objects = ', '.join(f'`{source_text(each, lines)}`' for each, _ in found.values())
        raise ctx.unsupported(stmt, f'this statement calls {objects}, items of lists holding '
                                    f'objects of several kinds: it would be {branches} '
                                    f'branches, one per kind of each; call each in a statement '
                                    f'of its own (`h = {source_text(target, lines)}(x)`)')
    key = gast.dump(target)
    tests = [(_test(target, item, info.items, names), item) for item in info.items]
    tests.sort(key=lambda pair: -_size(pair[0]))  # (see `_test`)
    if len(info.items) == 1:  # (``MODEL``, ``layer`` of a list of one kind)
        message = (f'`{source_text(target, lines)}` holds an object of another kind than when '
                   f'the gradient was made (another class, or other functions or objects in '
                   f'its attributes); call s2sgrad.grad again')
    else:
        message = (f'`{source_text(target, lines)}` is of none of the kinds of objects its list '
                   f'held when the gradient was made (their classes, and the functions and '
                   f'objects they hold); call s2sgrad.grad again')
    # (``s2s.S2SError``: the printed code runs where NumPy and the runtime are, as `s2s`)
    out = [gast.copy_location(gast.Raise(exc=n.call(n.attr('s2s', 'S2SError'), n.const(message)),
                                         cause=None), stmt)]
    if len(tests) == 1:  # ``if type(layer) is not Dense: raise ...`` and the call
        (test, item), = tests
        guard = gast.copy_location(gast.If(test=_negated(test), body=out, orelse=[]), stmt)
        return [guard] + _dispatched(stmt, ctx, {**narrowed, key: item})
    for test, item in reversed(tests):
        branch = _dispatched(n.clone(stmt), ctx, {**narrowed, key: item})
        out = [gast.copy_location(gast.If(test=test, body=branch, orelse=out), stmt)]
    return out


def instance_guards(ctx):
    """``if not (type(self) is Model and self.act is tanh): raise s2s.S2SError(...)``: at the
    top of the derivative of a bound method (``grad(model.loss)``), the test that its instance
    still holds the functions, the None and the kinds of objects of the user's that the
    code's calls were resolved for when the gradient was made (``model.act = np.sin`` set
    afterwards would otherwise give the derivative of the old function). The instances are
    the parameters `Builder.build` names in ``ctx.source.bound_instances``."""
    guards = []
    for param in getattr(ctx.source, 'bound_instances', ()):
        item = ctx.receivers.get(param)
        if item is None or item.cls is None or item.sequence or item.of_class or \
                not item.attributes and not functions(item):
            continue  # (nothing resolved from the instance's own attributes)
        message = (f'`{param}` holds other functions or objects in its attributes than when '
                   f'the gradient was made (one set afterwards); call s2sgrad.grad again')
        fail = gast.Raise(exc=n.call(n.attr('s2s', 'S2SError'), n.const(message)), cause=None)
        # (not the attributes holding None: a lazy start, ``if self._D is None: self._D =
        # ...``, fills one on the first call; a call of one raises, `raising_calls`, saying
        # to call s2sgrad.grad again)
        test = _test(n.name(param), item, (item,), ctx.names, nones=False)
        guards.append(gast.If(test=_negated(test), body=[fail], orelse=[]))
    return guards


def _choice_in(expr, known, narrowed):
    """``(prefix, choice)`` for the shortest prefix of object expression `expr` (``layer`` of
    ``layer.inner``) whose receiver is a `choice` not yet narrowed, or None."""
    chain = [expr]
    while isinstance(chain[-1], (gast.Attribute, gast.Subscript)):
        chain.append(chain[-1].value)
    for prefix in reversed(chain):
        info = receiver_of(prefix, known, narrowed)
        if info is None:
            return None
        if info.cls is None:
            return (prefix, info) if _pure(prefix) else None
    return None


def _passed(call, ctx):
    """The arguments of `call` of a function of the user's (``apply(layer, h)``,
    ``Net.step(self, layer, h)``) that are names, attributes or items (the objects it may
    be passed), each with None, or for the object a method's function is called on
    (``Net.loss(layer, x)``) the class `Net`: its kinds are those of that class, told apart
    where the list holds several (``Net(cube)``, ``Net(np.tanh)``: the code that the
    joint version of a gradient calls for ``layer.loss(x)``, differentiated again)."""
    if not isinstance(call.func, (gast.Name, gast.Attribute)) or not any(
            isinstance(arg, (gast.Name, gast.Attribute, gast.Subscript)) for arg in call.args):
        return []
    path = n.dotted_path(call.func)
    root, *rest = path.split('.') if path else ('',)
    owner = ctx.visible().get(root)
    if len(rest) == 1 and isinstance(owner, type) and \
            getattr(ctx.receivers.get(root), 'of_class', True):  # (``Net.loss(layer, x)``)
        obj = getattr(owner, rest[0], None)
    else:
        obj = owner if root not in ctx.receivers else None
        for part in rest:
            obj = getattr(obj, part, None)
    if not inspect.isfunction(obj) or getattr(obj, '__s2sgrad__', None) is not None or \
            (getattr(obj, '__module__', '') or '').split('.')[0] in ('numpy', 'scipy', 's2sgrad'):
        return []  # (a generated function keeps the objects it was made for: `calls._helper`)
    args, found = call.args, []
    if rest and isinstance(owner, type):
        args = args[1:]  # (``Dense.forward(layer, h)``: a method of the class of `layer`)
        if _kinds_of(call.args[0], owner, ctx.receivers) > 1:
            found.append((call.args[0], owner))
    return found + [(arg, None) for arg in args
                    if isinstance(arg, (gast.Name, gast.Attribute, gast.Subscript))]


def _kinds_of(expr, cls, known):
    """How many kinds of objects of class `cls` (or of its subclasses) the `choice` that
    object expression `expr` holds (0 where it is no choice)."""
    if not isinstance(expr, (gast.Name, gast.Attribute, gast.Subscript)):
        return 0
    info = receiver_of(expr, known)
    if info is None or info.cls is not None:
        return 0
    return sum(of_class(item, cls) for item in info.items)


def _bind_narrowed(stmt, known, narrowed, names):
    """Bind the calls of `stmt` (in a branch of `_dispatched`) of the objects whose kind the
    branch tested, and of the objects they hold; and record on the calls they are passed to
    their receivers (`methods.callee_receivers`)."""
    for node in n.walk(stmt, skip=lambda child: isinstance(child, gast.Lambda)):
        if not isinstance(node, gast.Call):
            continue
        passed = {position: receiver_of(arg, known, narrowed)
                  for position, arg in enumerate(node.args)
                  if any(key in narrowed for key in _prefixes(arg))}
        passed = {position: info for position, info in passed.items()
                  if info is not None and info.cls is not None and not info.sequence}
        if passed:
            node.func.passed = passed
        called = _object_called(node)
        if called is None or not any(key in narrowed for key in _prefixes(called)):
            continue
        info = receiver_of(called, known, narrowed)
        if isinstance(node.func, gast.Attribute) and info is not None and \
                info.cls is not None and not info.sequence and \
                bind_method(node, node.func.value, node.func.attr, info, names):
            _mark(node, info)
            continue
        if isinstance(node.func, gast.Attribute) and info is not None and \
                info.cls is not None and _lacks(info, node.func.attr):
            node.calls_missing = info.cls  # (``layer.forward(x)`` under ``if isinstance``)
            continue
        info = receiver_of(node.func, known, narrowed)  # (a callable object)
        if info is not None and info.cls is not None and not info.sequence:
            bind_call(node, info, names)
            _mark(node, info)


def _lacks(info, attr):
    """Whether the instances of `Receiver` `info` have no attribute `attr` (and their class
    does not make attributes up: no ``__getattr__``)."""
    cls = info.cls
    return not info.sequence and attr not in dict(info.shadowed) and \
        attr not in dict(info.attributes) and \
        inspect.getattr_static(cls, attr, _NONE) is _NONE and \
        inspect.getattr_static(cls, '__getattr__', _NONE) is _NONE and \
        inspect.getattr_static(cls, '__getattribute__') is object.__getattribute__


_NONE = object()


def _prefixes(expr):
    """The ``gast.dump`` of `expr` and of each object expression it reads an attribute or
    item of."""
    while True:
        yield gast.dump(expr)
        if not isinstance(expr, (gast.Attribute, gast.Subscript)):
            return
        expr = expr.value


def _mark(call, info):
    """Record on bound `call` the receiver of the object its method is called on (the
    callee's receiver: `methods.callee_receivers`)."""
    method = getattr(call.func, 'method_of', None)
    if method is not None and method[3]:
        call.func.dispatched = info


def _negated(test):
    """``type(x) is not C`` of ``type(x) is C``, ``not (...)`` of other tests."""
    if isinstance(test, gast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], gast.Is):
        return gast.Compare(left=test.left, ops=[gast.IsNot()], comparators=test.comparators)
    return gast.UnaryOp(op=gast.Not(), operand=test)


def _size(test):
    return len(test.values) if isinstance(test, gast.BoolOp) else 1


def _test(target, item, kinds, names, nones=True):
    """Whether object `target` is of the kind of `Receiver` `item`: ``type(layer) is
    Dense``, ``layer.act is np.tanh`` for each function it holds, ``layer.bias is None`` for
    each attribute holding None, and the same of each object it holds. Tested in order, the
    longest tests first: an object of a kind of fewer tests fails those before it. Where
    another of the `kinds` is of the same class (its objects may lack the attribute), an
    attribute is read as ``getattr(layer, 'act', None)``. Without `nones`, no attribute is
    tested for holding None."""
    tests = []
    others = [other for other in kinds if other.cls is item.cls and other is not item]
    # (an attribute that another kind of the class lacks, or any of the objects it holds)
    careful = {name for name in _attribute_names(item)
               if any(name not in _attribute_names(other) for other in others)}
    _kind_tests(target, item, names, tests, careful if others else set(), bool(others), nones)
    return tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.And(), values=tests)


def _attribute_names(item):
    return {name for name, _ in item.shadowed} | {name for name, _ in item.attributes}


def _kind_tests(target, item, names, tests, careful, nested_careful, nones=True):
    tests.append(gast.Compare(
        left=n.call(n.name(names.object('type', type)), n.clone(target)), ops=[gast.Is()],
        comparators=[n.name(names.object(item.cls.__name__, item.cls))]))
    for attr, value in sorted(functions(item), key=lambda pair: pair[0]):
        static = class_static(item.cls, attr, value)
        tests.append(gast.Compare(
            left=_attribute(target, attr, attr in careful, names), ops=[gast.Is()],
            comparators=[n.attr(n.name(names.object(item.cls.__name__, item.cls)), attr)
                         if static else
                         names.held(value, identifier(getattr(value, '__name__', attr), attr))]))
    for attr in sorted(held_none(item)) if nones else ():
        tests.append(gast.Compare(left=_attribute(target, attr, attr in careful, names),
                                  ops=[gast.Is()], comparators=[n.const(None)]))
    for attr, sub in sorted(item.attributes, key=lambda pair: pair[0]):
        if not sub.sequence:
            inner = _attribute(target, attr, attr in careful, names)
            _kind_tests(inner, sub, names, tests,
                        _attribute_names(sub) if nested_careful else set(), nested_careful, nones)


def _attribute(target, attr, careful, names):
    """``target.attr``, or where it may be missing ``getattr(target, 'attr', None)``."""
    if careful:
        return n.call(n.name(names.object('getattr', getattr)), n.clone(target),
                      n.const(attr), n.const(None))
    return gast.Attribute(value=n.clone(target), attr=attr, ctx=gast.Load())


_MOST_BRANCHES = 16


def _product(infos):
    total = 1
    for info in infos:
        total *= len(info.items)
    return total


def _object_called(call):
    """The object whose method `call` calls (``layer`` of ``layer.forward(h)``), or the
    object called (``layer`` of ``layer(h)``); None for other calls."""
    if isinstance(call.func, gast.Attribute):
        return call.func.value
    if isinstance(call.func, (gast.Name, gast.Subscript)):
        return call.func
    return None


def _pure(expr):
    """Whether `expr` may be evaluated again (for the test of its class): a name, or
    subscripts and attributes of names and constants (``self.layers[i]``)."""
    if isinstance(expr, (gast.Name, gast.Constant)):
        return True
    if isinstance(expr, gast.Attribute):
        return _pure(expr.value)
    if isinstance(expr, gast.Subscript):
        return _pure(expr.value) and _pure(expr.slice)
    if isinstance(expr, gast.UnaryOp):
        return _pure(expr.operand)
    if isinstance(expr, gast.BinOp):
        return _pure(expr.left) and _pure(expr.right)
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and \
            expr.func.id == 'len' and len(expr.args) == 1 and not expr.keywords:
        return _pure(expr.args[0])  # (``self.layers[len(self.layers) - 1]``)
    return False


def source_text(node, lines):
    """The source text of `node` on its first line, or its unparsed form."""
    try:
        line = lines[node.lineno - 1]
        if node.end_lineno == node.lineno:
            return line[node.col_offset:node.end_col_offset]
    except (AttributeError, IndexError, TypeError):
        pass
    return ast.unparse(gast.gast_to_ast(n.clone(node)))
