"""Dicts written as Python writes them, rewritten as dicts filled key by key, which the passes
differentiate: displays (``{'a': u}`` is ``dict(a=u)``), displays of differentiated values
filled under a name (``d = dict(); d['a'] = u``; also in a returned tuple or passed to a
call), dict comprehensions assigned or returned (a loop filling the dict), ``dict(s)``
copies, ``d.setdefault(k, v)``, and ``f(x, **cfg)`` of a local dict of constant keys; and the
checks of ``d.pop(k)``, whose key the backward sweep puts back at the end of the dict."""
import builtins
import collections
import keyword

import gast

from . import nodes as n
from . import rules
from .canonical import local_dicts
from .mutation import with_aliases
from .named_exprs import called_before, once, pure_call


def dict_displays(func):
    """Make each dict display of `func` without ``**`` a ``dict(...)`` call: ``{'mode':
    'train', 'eps': 1e-5}`` is ``dict(mode='train', eps=1e-5)`` (``dict([(k, v), ...])`` where
    a key is not a name), which is followed as a constant; made of differentiated values, it
    is refused as such a call is (`callees`)."""
    _DictDisplays().visit(func)


class _DictDisplays(gast.NodeTransformer):
    def visit_Dict(self, node):
        self.generic_visit(node)  # (displays inside the values first)
        keys = node.keys
        if any(k is None for k in keys):
            return node  # (``{**a}``: the fence refuses it)
        names = [k.value for k in keys if isinstance(k, gast.Constant) and
                 isinstance(k.value, str) and k.value.isidentifier() and
                 not keyword.iskeyword(k.value)]
        if len(set(names)) == len(keys):
            new = n.call('dict', **dict(zip(names, node.values)))
        else:
            pairs = [gast.Tuple(elts=[k, v], ctx=gast.Load()) for k, v in zip(keys, node.values)]
            new = n.call('dict', gast.List(elts=pairs, ctx=gast.Load()))
        return gast.copy_location(new, node)


def dict_fills(func, namespace, namer, resolver=None):
    """Make ``d = dict(a=u, b=v)`` (a display ``{'a': u, 'b': v}`` too, see `dict_displays`)
    whose values are not all constants ``d = dict()`` followed by ``d['a'] = u`` and ``d['b']
    = v``: the dict is filled as a user fills one by key, which is differentiated (a dict
    made in one call of differentiated values is not). Where a key or value reads `d` (``d =
    {'a': d['a'] * 2}`` reads the old dict), the new dict is filled under a name of its own
    first (``d_new``), then ``d = d_new``. A dict in a returned tuple or list is
    filled under a name first (`_displayed_dicts`; `resolver` tells which calls before it
    change nothing)."""
    if namespace.get('dict', builtins.dict) is not builtins.dict:
        return

    def fill(block):
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Return) and _dict_pairs(n.assign('_', stmt.value)):
                # (``return {'a': u, 'b': v}`` of a vjp: the dict filled under a name first)
                name = namer.fresh('result')
                out.extend(fill([gast.copy_location(n.assign(name, stmt.value), stmt)]))
                out.append(gast.copy_location(gast.Return(value=n.name(name)), stmt))
                continue
            if isinstance(stmt, gast.Return):
                # (``return x, {'k': u}``: each dict of the returned tuple or list filled
                # under a name first)
                for items, index in _displayed_dicts(stmt.value, resolver):
                    name = namer.fresh('result')
                    out.extend(fill([gast.copy_location(n.assign(name, items[index]), stmt)]))
                    items[index] = n.name(name)
            # (``loss({'W': W, 'b': b}, X)``: a dict passed to a call filled under a name
            # first)
            for holder, field, index in _dict_arguments(stmt, resolver):
                name = namer.fresh('params')
                value = getattr(holder, field)
                display = value[index] if index is not None else value
                out.extend(fill([gast.copy_location(n.assign(name, display), stmt)]))
                if index is not None:
                    value[index] = n.name(name)
                else:
                    setattr(holder, field, n.name(name))
            pairs = _dict_pairs(stmt)
            if pairs is None:
                out.append(stmt)
                continue
            target = stmt.targets[0]
            rebound = target.id in n.names_read(stmt.value)
            if rebound:
                target = n.name(namer.fresh(target.id + '_new'), store=True)
            out.append(gast.copy_location(n.assign(target.id, n.call('dict')), stmt))
            for key, value in pairs:
                if _computed_key(key, value, resolver):
                    # (``{k(): v}``: Python computes the key first, ``d[k()] = v`` the value)
                    name = namer.fresh('key')
                    out.append(gast.copy_location(n.assign(name, key), stmt))
                    key = n.name(name)
                item = n.subscript(n.name(target.id), key, store=True)
                out.append(gast.copy_location(gast.Assign(targets=[item], value=value,
                                                          type_comment=None), stmt))
            if rebound:
                out.append(gast.copy_location(n.assign(stmt.targets[0].id, n.name(target.id)),
                                              stmt))
        return out
    for node in n.walk(func):
        n.map_blocks(node, fill, functions=True)


def expand_keyword_dicts(func):
    """Make ``f(x, **cfg)`` ``f(x, act=cfg['act'], scale=cfg['scale'])`` where `cfg` is
    assigned once, in the function's body before the call, a dict display of constant string
    keys (no ``**``), and read only so (``**cfg``, ``cfg['act']``): its keys are known and no
    statement changes them."""
    stores, reads = {}, {}
    for node in n.walk(func):
        if isinstance(node, gast.Name):
            (reads if isinstance(node.ctx, gast.Load) else stores).setdefault(
                node.id, []).append(node)
    starred = {}
    subscripted = set()
    for node in n.walk(func):
        if isinstance(node, gast.Call):
            for given in node.keywords:
                if given.arg is None and isinstance(given.value, gast.Name):
                    starred.setdefault(given.value.id, []).append((node, given))
        elif isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and \
                isinstance(node.ctx, gast.Load) and isinstance(node.slice, gast.Constant):
            subscripted.add(id(node.value))
    for index, stmt in enumerate(func.body):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Dict)):
            continue
        name, display = stmt.targets[0].id, stmt.value
        if name not in starred or len(stores.get(name, ())) != 1 or None in display.keys or \
                not all(isinstance(k, gast.Constant) and isinstance(k.value, str) and
                        k.value.isidentifier() for k in display.keys):
            continue
        uses = {id(given.value) for _, given in starred[name]}
        later = {id(node) for after in func.body[index + 1:] for node in n.walk(after)}
        if not all((id(read) in uses or id(read) in subscripted) and id(read) in later
                   for read in reads.get(name, ())):
            continue
        keys = list(dict.fromkeys(k.value for k in display.keys))  # (a repeated key: once)
        for call, given in starred[name]:
            at = call.keywords.index(given)
            given = {k.arg for k in call.keywords if k.arg is not None}
            if given & set(keys):
                continue  # (a keyword given twice: Python raises; left as written)
            call.keywords[at:at + 1] = [
                gast.keyword(arg=key, value=n.subscript(n.name(name), n.const(key)))
                for key in keys]


def dict_merges(func, namespace, namer):
    """Make ``d = {**s, 'k': v, ...}`` and ``d = dict(s, k=v, ...)`` (a dict, one ``**`` first
    or one positional argument, then keys written in the code; assigned or returned) ``d =
    dict(s)``, a
    copy (`dict_copies`), filled by key: ``d['k'] = v``. Values that read `d` (``params =
    {**params, 'w': params['w'] - g}``) are computed first, as Python computes them before
    the new dict is made."""
    if namespace.get('dict', builtins.dict) is not builtins.dict:
        return

    def merged(value):
        """``(source, [(key node, value node), ...])`` of a merge, else None."""
        if isinstance(value, gast.Dict) and value.keys and value.keys[0] is None and \
                all(isinstance(k, gast.Constant) and isinstance(k.value, str)
                    for k in value.keys[1:]):
            return value.values[0], list(zip(value.keys[1:], value.values[1:]))
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
                value.func.id == 'dict' and len(value.args) == 1 and value.keywords and \
                not isinstance(value.args[0], gast.Starred) and \
                all(k.arg is not None for k in value.keywords):
            return value.args[0], [(n.const(k.arg), k.value) for k in value.keywords]
        return None

    def rewrite(block):
        out = []
        for stmt in block:
            n.map_blocks(stmt, rewrite, functions=True)
            named = isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name)
            found = merged(stmt.value) if named or isinstance(stmt, gast.Return) else None
            if found is None or not isinstance(found[0], (gast.Name, gast.Attribute,
                                                          gast.Subscript)):
                out.append(stmt)
                continue
            source, pairs = found
            target = stmt.targets[0].id if named else namer.fresh('result')
            made = []
            if any(target in n.names_read(value) for _, value in pairs):
                computed = []
                for key, value in pairs:
                    name = namer.fresh(target + '_' + key.value if key.value.isidentifier()
                                       else 'value')
                    made.append(n.assign(name, value))
                    computed.append((key, n.name(name)))
                pairs = computed
            made.append(n.assign(target, n.call('dict', source)))
            made += [n.assign(n.subscript(n.name(target), key, store=True), value)
                     for key, value in pairs]
            if not named:  # (``return dict(params, b=v)``: the dict filled under a name)
                made.append(gast.Return(value=n.name(target)))
            out.extend(gast.fix_missing_locations(gast.copy_location(new, stmt))
                       for new in made)
        return out
    func.body = rewrite(func.body)


def dict_comprehensions(func, namespace, namer, resolver):
    """Make ``name = {k: v for t in items if c}`` (a statement; ``return {...}`` too, under a
    name first) ``name = dict()`` and the loop that fills it by key, as Python computes it:
    each loop variable gets a name of its own (a comprehension's are local to it), the key
    is computed before the value where either calls something that may change state, and a
    comprehension that reads `name` fills another name first."""
    if namespace.get('dict', builtins.dict) is not builtins.dict:
        return

    def lowered(target, comp, where):
        mapping = {}
        for generator in comp.generators:
            for old in n.names_stored(generator.target):
                mapping[old] = namer.fresh(old)
        # (a name bound elsewhere too may be read while the dict is filled, by a nested
        # function as well: the old value stays until the dict is made, under another name)
        into = namer.fresh(target) if _bound_elsewhere(func, target, where) or \
            target in n.names_read(comp) else target
        comp = n.clone(comp)
        first = comp.generators[0].iter  # (computed where the comprehension stands: its
        comp.generators[0].iter = n.const(None)  # names are the function's own)
        n.rename(comp, mapping)
        comp.generators[0].iter = first
        key, value = comp.key, comp.value
        body = []
        if _computed_key(key, value, resolver):
            name = namer.fresh('key')
            body.append(n.assign(name, key))
            key = n.name(name)
        body.append(n.assign(n.subscript(n.name(into), key, store=True), value))
        for generator in reversed(comp.generators):
            for test in reversed(generator.ifs):
                body = [gast.If(test=test, body=body, orelse=[])]
            body = [gast.For(target=generator.target, iter=generator.iter, body=body,
                             orelse=[], type_comment=None)]
        made = [n.assign(into, n.call('dict'))] + body
        if into != target:
            made.append(n.assign(target, n.name(into)))
        return [gast.fix_missing_locations(gast.copy_location(stmt, where)) for stmt in made]

    def rewrite(block):
        out = []
        for stmt in block:
            value = _zipped_pairs(getattr(stmt, 'value', None), namespace)
            if not isinstance(value, gast.DictComp) or \
                    any(generator.is_async for generator in value.generators):
                out.append(stmt)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name):
                out.extend(lowered(stmt.targets[0].id, value, stmt))
            elif isinstance(stmt, gast.Return):
                name = namer.fresh('result')
                out.extend(lowered(name, value, stmt))
                out.append(gast.copy_location(gast.Return(value=n.name(name)), stmt))
            else:
                out.append(stmt)
        return out
    for node in list(n.walk(func)):
        n.map_blocks(node, rewrite, functions=True)


def _zipped_pairs(value, namespace):
    """``dict(zip(keys, values))`` as the comprehension ``{k: v for k, v in zip(keys,
    values)}`` it equals (the last of equal keys wins in both), so that it is lowered as one;
    any other `value` as it is."""
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and
            value.func.id == 'dict' and len(value.args) == 1 and not value.keywords):
        return value
    inner = value.args[0]
    if namespace.get('zip', builtins.zip) is not builtins.zip or not (
            isinstance(inner, gast.Call) and isinstance(inner.func, gast.Name) and
            inner.func.id == 'zip' and len(inner.args) == 2 and not inner.keywords and
            not any(isinstance(a, gast.Starred) for a in inner.args)):
        return value
    key, item = 'key', 'value'  # (the comprehension's own names: `lowered` renames them)
    target = gast.Tuple(elts=[n.name(key, store=True), n.name(item, store=True)],
                        ctx=gast.Store())
    generator = gast.comprehension(target=target, iter=inner, ifs=[], is_async=0)
    return gast.copy_location(
        gast.DictComp(key=n.name(key), value=n.name(item), generators=[generator]), value)


def _bound_elsewhere(func, name, where):
    """Whether `name` is a parameter of `func` or bound by a statement other than `where`."""
    params = {a.id for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
    if name in params:
        return True
    for node in n.walk(func):
        if node is where:
            continue
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            if any(name in n.names_stored(t) for t in targets):
                return True
    return False


def _made_dicts(func, resolver, known):
    """`known` and the variables of `func` every binding of which makes a dict: an
    OrderedDict (``OrderedDict()``, ``OrderedDict(p)``) or the copy of one of them
    (``e = p.copy()``)."""
    known = set(known)
    while True:
        made, stores = {}, {}
        for node in n.walk(func, skip=lambda node: isinstance(node, (gast.FunctionDef,
                                                                     gast.Lambda))):
            if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], gast.Name) and \
                    _makes_dict(node.value, resolver, known):
                made[node.targets[0].id] = made.get(node.targets[0].id, 0) + 1
            elif isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) or \
                    isinstance(node, gast.FunctionDef):
                name = node.id if isinstance(node, gast.Name) else node.name
                stores[name] = stores.get(name, 0) + 1
        found = {name for name, count in made.items() if stores.get(name) == count}
        if found <= known:
            return known
        known |= found


def _makes_dict(value, resolver, known):
    if not isinstance(value, gast.Call) or value.keywords or len(value.args) > 1:
        return False
    if isinstance(value.func, gast.Attribute) and value.func.attr == 'copy' and \
            not value.args and isinstance(value.func.value, gast.Name):
        return value.func.value.id in known
    try:
        return resolver.lookup(value.func) is collections.OrderedDict
    except TypeError:
        return False


def name_keyed_calls(func, namer):
    """Wrap, in place, each ``d.pop(k, v)`` and ``d.setdefault(k, v)`` of a variable inside a
    larger expression (``return d.pop('a', 0.0) * x``) in a walrus, ``(popped := d.pop('a',
    0.0))``, which `named_exprs.hoist_named_exprs` computes first where that keeps what the
    statement computes; `dict_setdefaults` then rewrites the assignment."""
    class Named(gast.NodeTransformer):
        def __init__(self, calls):
            self.calls = calls  # (those Python computes once: not in a lambda, a branch)

        def visit_Call(self, node):
            self.generic_visit(node)
            if id(node) not in self.calls or not (
                    isinstance(node.func, gast.Attribute) and
                    node.func.attr in ('pop', 'setdefault') and
                    isinstance(node.func.value, gast.Name) and len(node.args) == 2 and
                    not node.keywords) or _read_before(self.value, node, self.named):
                return node
            name = namer.fresh('popped' if node.func.attr == 'pop' else 'item')
            named = gast.copy_location(gast.NamedExpr(target=n.name(name, store=True),
                                                      value=node), node)
            self.named |= {id(part) for part in n.walk(named)}  # (computed first, in order)
            return named
    for stmt in n.statements(func.body):
        value = getattr(stmt, 'value', None) if isinstance(
            stmt, (gast.Expr, gast.Assign, gast.Return, gast.AugAssign)) else None
        if value is not None:  # (not an assignment's or a statement's call: those are taken)
            calls = {id(call) for call in once(value, gast.Call)
                     if call is not value or isinstance(stmt, (gast.Return, gast.AugAssign))}
            named = Named(calls)
            named.value, named.named = value, set()
            stmt.value = named.visit(value)


_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow,
               gast.MatMult, gast.USub, gast.UAdd)


def _read_before(value, call, named=frozenset()):
    """Whether Python computes, in `value`, something before the call `call` (which changes
    its dict) that the change could show in, were the call computed first: anything but
    names and constants that arithmetic reads (``len(d) * x + d.pop('b', 0.0)``, ``d['a']``,
    a helper given `d`; not ``x * d.pop('b', 0.0)``: arithmetic of a dict raises; nor the
    calls before it named already, `named`, computed first in their order)."""
    start = (call.lineno, call.col_offset)
    parents = {id(child): node for node in n.walk(value)
               for child in gast.iter_child_nodes(node)}
    for node in n.walk(value):
        end = getattr(node, 'end_lineno', None)
        if end is None or (end, node.end_col_offset) > start or id(node) in named or \
                isinstance(node, (gast.Constant, gast.operator, gast.unaryop, gast.expr_context)):
            continue
        parent = parents.get(id(node))
        if isinstance(node, gast.Name) and node.id != call.func.value.id and \
                isinstance(parent, (gast.BinOp, gast.UnaryOp)) and \
                isinstance(getattr(parent, 'op', None), _ARITHMETIC):
            continue
        if isinstance(node, (gast.BinOp, gast.UnaryOp)) and isinstance(node.op, _ARITHMETIC):
            continue
        return True
    return False


def dict_setdefaults(func, resolver, namer, differentiated=()):
    """Make ``d.setdefault(k, v)`` of a local dict or an argument (a statement, or the value
    of a name) ``if s2s.key_missing(d, k): d[k] = v`` (then ``name = d[k]``), which is
    differentiated as a dict filled by key (`key_missing` raises for an object that is not a
    dict, or whose class changes what `setdefault` does); and ``name = d.pop(k, v)``
    ``if s2s.key_missing(d, k): name = v`` ``else: name = d.pop(k)`` (a statement: the pop
    under ``if not ...``), of an argument or a dict made here. The key and the default (where
    not a name or a constant) are computed first, as Python computes them before the call;
    either call inside a larger expression is one already computed first under a name
    (`name_keyed_calls`). `differentiated`: the parameters the derivative is taken for."""
    # (``pop(k, default)`` of what may be a dict: a differentiated argument, a dict made
    # here or a copy of one; another object's pop is its own, `pop(i, default)` of a stack, a
    # UserDict's, an argument's that carries no derivative, which its call computes)
    params = set(n.names_stored(func.args))
    maybe_dicts = _made_dicts(func, resolver, params & set(differentiated) | local_dicts(func))

    def keyed(value):
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and
                value.func.attr in ('setdefault', 'pop') and
                isinstance(value.func.value, gast.Name) and
                len(value.args) == 2 and not value.keywords and
                not any(isinstance(a, gast.Starred) for a in value.args) and
                not resolver.is_global(value.func.value)):
            return None
        if value.func.attr == 'pop' and value.func.value.id not in maybe_dicts and not (
                value.func.value.id in params and not isinstance(value.args[1], gast.Constant)):
            return None  # (an argument's pop whose default may carry a derivative: a dict's)
        return value.func.attr, value.func.value.id, value.args[0], value.args[1]

    def rewrite(block):
        out = []
        for stmt in block:
            value = stmt.value if isinstance(stmt, (gast.Expr, gast.Assign)) else None
            found = keyed(value) if value is not None else None
            if found is None or isinstance(stmt, gast.Assign) and (
                    len(stmt.targets) != 1 or not isinstance(stmt.targets[0], gast.Name)):
                out.append(stmt)
                continue
            method, name, key, default = found
            before = []
            if not isinstance(key, (gast.Constant, gast.Name)):
                before.append(n.assign(namer.fresh('key'), key))
                key = n.name(before[-1].targets[0].id)
            if not isinstance(default, (gast.Constant, gast.Name)):
                # (Python computes the default before the call, whether the key is there or
                # not: ``x[7]`` raises either way)
                before.append(n.assign(namer.fresh('default'), default))
                default = n.name(before[-1].targets[0].id)
            missing = n.call('s2s.key_missing', n.name(name), n.clone(key),
                             *([n.const('pop')] if method == 'pop' else []))
            if method == 'pop':
                popped = n.call(n.attr(name, 'pop'), n.clone(key))
                if isinstance(stmt, gast.Assign):
                    made = before + [gast.If(test=missing,
                                             body=[n.assign(stmt.targets[0].id, default)],
                                             orelse=[n.assign(stmt.targets[0].id, popped)])]
                else:
                    made = before + [gast.If(test=gast.UnaryOp(op=gast.Not(), operand=missing),
                                             body=[n.expr(popped)], orelse=[])]
                out.extend(gast.copy_location(s, stmt) for s in made)
                continue
            fill = gast.If(test=missing,
                           body=[n.assign(n.subscript(n.name(name), n.clone(key), store=True),
                                          default)], orelse=[])
            made = before + [fill]
            if isinstance(stmt, gast.Assign):
                made.append(n.assign(stmt.targets[0].id, n.subscript(n.name(name), key)))
            out.extend(gast.copy_location(s, stmt) for s in made)
        return out
    for node in list(n.walk(func)):
        n.map_blocks(node, rewrite, functions=True)


def dict_copies(func, namespace):
    """Make each ``dict(x)`` of one argument that is a name, an attribute or an item
    (``t = dict(s)``: a copy of a dict) ``s2s.dict_copy(x)``, which has rules; displays and
    keywords (``dict(a=u)``, ``dict([(k, v)])``) are `dict_fills`' and `dict_displays`'."""
    if namespace.get('dict', builtins.dict) is not builtins.dict:
        return
    for node in n.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == 'dict' and len(node.args) == 1 and not node.keywords and \
                isinstance(node.args[0], (gast.Name, gast.Attribute, gast.Subscript)):
            node.func = gast.copy_location(n.dotted('s2s.dict_copy'), node.func)


def _dict_arguments(stmt, resolver):
    """``(node, field, index)`` of each dict with differentiated values (`_dict_pairs`) given
    as an argument of a call that `stmt` computes once (as its value, an ``if`` test, a loop's
    iterable), where nothing that may change state runs before it in the statement
    (`named_exprs.called_before`): filled before the statement, as Python computes it there."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)):
        parts = [stmt.value] if stmt.value is not None else []
    elif isinstance(stmt, gast.If):
        parts = [stmt.test]
    elif isinstance(stmt, gast.For):
        parts = [stmt.iter]
    else:
        return []
    found = []
    for part in parts:
        for call in once(part, gast.Call):
            places = [(call, 'args', i, arg) for i, arg in enumerate(call.args)] + \
                [(keyword, 'value', None, keyword.value) for keyword in call.keywords]
            for holder, field, index, arg in places:
                if isinstance(arg, gast.Call) and _dict_pairs(n.assign('_', arg)) and \
                        not called_before(parts, arg, {id(x) for x in n.walk(arg)},
                                          resolver):
                    found.append((holder, field, index))
    return found


def _computed_key(key, value, resolver):
    """Whether the `key` of a dict display must be computed before its `value`, as Python
    computes them: one of the two calls something that may change state."""
    if isinstance(key, (gast.Constant, gast.Name)):
        return False
    return any(isinstance(node, gast.Call) and not pure_call(node, resolver)
               for part in (key, value) for node in n.walk(part))


def _displayed_dicts(value, resolver, called=None):
    """``(items, index)`` for each ``dict(...)`` with differentiated values (`_dict_pairs`)
    among the items of the tuple and list displays `value` is made of, up to the first item
    that calls anything that may change something (`named_exprs.called_before`, as
    `resolver` resolves it): filled before the statement, a dict must not run before a call
    Python runs first (``return xs.pop(), {'k': xs[-1]}``)."""
    called = [False] if called is None else called
    if not isinstance(value, (gast.Tuple, gast.List)):
        return []
    found = []
    for index, item in enumerate(value.elts):
        if called[0]:
            break
        if _dict_pairs(n.assign('_', item)):
            found.append((value.elts, index))
        elif isinstance(item, (gast.Tuple, gast.List)):
            found.extend(_displayed_dicts(item, resolver, called))
        if not found or found[-1][0] is not value.elts or found[-1][1] != index:
            called[0] = called[0] or any(isinstance(node, gast.Call) and
                                         not pure_call(node, resolver) for node in n.walk(item))
    return found


def _dict_pairs(stmt):
    """``[(key, value), ...]`` of ``name = dict(k=v, ...)`` or ``name = dict([(k, v), ...])``
    with a value that is not a constant; else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call) and
            isinstance(stmt.value.func, gast.Name) and stmt.value.func.id == 'dict'):
        return None
    call = stmt.value
    if call.keywords and not call.args and all(kw.arg for kw in call.keywords):
        pairs = [(n.const(kw.arg), kw.value) for kw in call.keywords]
    elif not call.keywords and len(call.args) == 1 and isinstance(call.args[0], gast.List) \
            and all(isinstance(e, gast.Tuple) and len(e.elts) == 2 for e in call.args[0].elts):
        pairs = [tuple(e.elts) for e in call.args[0].elts]
    else:
        return None
    if all(isinstance(v, gast.Constant) for _, v in pairs):
        return None
    return pairs


def refuse_put_backs_reversed(ctx):
    """In a gradient differentiated again in reverse mode, make the branch that puts back an
    item of a dict popped by a key in a variable (``if isinstance(d, dict):
    s2s.restore_item(d, k, v)``, what ``v = d.pop(k)`` gives the backward sweep; the other
    branch puts a list's item back) raise `S2SError` when it runs: the adjoint dicts change
    keys as both sweeps run, which reverse over reverse does not follow; forward over reverse
    (`hvp`, `hessian`) does, and a list's pop is differentiated again as it is."""
    if not (ctx.source.filename or '').startswith('<s2sgrad'):
        return
    message = ('s2sgrad cannot differentiate in reverse mode again the gradient of an item of '
               'a dict popped by a key in a variable (`v = d.pop(k)`): use s2sgrad.hvp or '
               's2sgrad.hessian (forward mode over the gradient) for its second derivatives')
    for node in n.walk(ctx.func):
        if isinstance(node, gast.If) and isinstance(node.test, gast.Call) and \
                n.dotted_path(node.test.func) == 'isinstance' and \
                any(isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and
                    n.dotted_path(stmt.value.func) == 's2s.restore_item' for stmt in node.body):
            node.body = [gast.copy_location(gast.Raise(
                exc=n.call(n.attr('s2s', 'S2SError'), n.const(message)), cause=None), node)]


def refuse_reordered_pop(ctx, stmt, var, key):
    """Raise for ``v = d.pop(k)`` (a key, not a list's position) where the function reads
    the values of `d` in its order before the pop (``d.values()``, ``d.items()``, or a helper
    given `d`): the backward sweep puts the key back at the end, so the adjoint of that read
    would go to other keys."""
    if isinstance(key, gast.Constant) and type(key.value) is int or \
            var in getattr(ctx, 'list_names', ()):
        return
    statements = ctx.body_all_statements
    names = with_aliases({var}, statements)
    # (what runs before the pop: the statements above it, and all of a loop around it)
    at = next((i for i, s in enumerate(statements) if s is stmt), len(statements))
    looped = any(isinstance(s, (gast.For, gast.While)) and
                 any(inner is stmt for inner in n.statements(s.body)) for s in statements)
    before = statements if looped else statements[:at]
    for node in (node for s in before for part in n.own_parts(s) for node in n.walk(part)):
        if not isinstance(node, gast.Call):
            continue
        if isinstance(node.func, gast.Attribute) and node.func.attr in ('values', 'items'):
            reads = [node.func.value]
        elif n.dotted_path(node.func) in ('s2s.values_of', 's2s.items_of') and node.args:
            reads = node.args[:1]
        elif _may_read_in_order(ctx, node):  # (``weighted(d)`` may read ``d.values()``)
            reads = list(node.args) + [k.value for k in node.keywords]
        else:
            continue
        if any(isinstance(read, gast.Name) and read.id in names for read in reads):
            raise ctx.unsupported(
                stmt, f'`.pop` of a dict whose values the function reads in order '
                      f'(`{var}.values()`, `{var}.items()`): the backward sweep puts the '
                      f'key back at the end of the dict; read the values by key '
                      f'(`[{var}[k] for k in keys]`)')


def _may_read_in_order(ctx, call):
    """Whether `call` may read the values of a dict it is given in their order: a function
    of yours, or one s2sgrad cannot resolve (not a library's, nor the built-ins that read
    keys: ``len``, ``list``, ``sorted``, ``isinstance``)."""
    func = ctx.resolver.lookup(call.func)
    if func in (len, list, sorted, isinstance, tuple, set):
        return False
    module = getattr(func, '__module__', None) or ''
    return func is None or not rules.is_library(func) and module != 'builtins' and \
        not module.startswith('s2sgrad')  # (the runtime's helpers: `s2s.keys(d)`)
