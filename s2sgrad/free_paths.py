"""Where the code of a function reaches a name it does not own: the constant paths of
attributes and items from it (``STATE.hist``, ``CFG['lr']``, ``type(self).W``) and what each
use may do there (read, write into, store into, call a method of).

`uses(func, name)` reads the code of `func` (and the code nested in it) syntactically. A use is
``(path, mode, method)``: `path` the constant steps from the name (attribute names, item keys
as 1-tuples, ``('lr',)`` of ``CFG['lr']``; `ANY` for an item at a computed key; a constant
``getattr(obj, 'name')`` is an attribute), `mode` ``'read'`` where the use only reads the value
there (arithmetic, a test, ``float(...)``, a method that makes a new value or a number:
``.sum()``, ``.copy()``), ``'store'`` where it stores into the container at ``path[:-1]``
(``CFG['lr'] = v``, ``STATE.hist = []``: an array there is written into, a list, dict or object
only changes; with ``'rebind'`` too where what it stores may be memory held elsewhere,
``G['tmp'] = G['w']``, which later writes at that path reach), ``'write'`` where anything the
value at `path` holds may be written into (an augmented assignment, a method that may change
it, passing it on, binding it to another name), ``'call'`` where the value at `path` is called
(`method`: the method's name, ``'__call__'`` for the value itself; a method's call also writes,
with the method named: a list's or dict's own method, ``.append``, changes no array it holds;
``'change'`` where what the method gives is only read, ``CACHE.pop('w')``), ``'copy'`` where
the use makes a shallow copy (``L.copy()``, ``L + []``), which of a container holds the same
items (written into as by ``'write'``) and of an array is new memory. The first parameter
of a method (`own`) is read with its class as the root: ``self.W``, ``type(self).W``,
``self.__class__.W`` and ``cls.W`` all give ``('W',)``; a method called on the object itself
(``self._update()``) is no use (the check follows the class's methods on its own)."""
import functools

import gast

from . import nodes as n
from .errors import S2SError
from .source import parse_function

ANY = object()
"""A step at an item whose key is computed (``STATE.ws[i]``)."""

READ_METHODS = frozenset({
    'sum', 'mean', 'std', 'var', 'max', 'min', 'prod', 'any', 'all', 'copy', 'tolist',
    'item', 'dot', 'astype', 'argmax', 'argmin', 'argsort', 'cumsum', 'cumprod', 'nonzero',
    'count', 'index', 'keys', 'startswith', 'endswith', 'format', 'isEnabledFor', 'ptp',
    'trace', 'round', 'conj', 'conjugate', '__len__', '__contains__'})
"""Methods of arrays, lists, dicts and text that make a new value or a number."""

READ_CALLS = frozenset({
    'float', 'int', 'len', 'str', 'repr', 'print', 'bool', 'round', 'isinstance', 'format',
    'hash', 'id', 'type', 'callable', 'hasattr', 'complex'})
"""Built-in functions that only read what they are given."""

_COPY_METHODS = frozenset({'copy', '__copy__'})
"""Methods whose value is a shallow copy: of an array, new memory; of a list, a dict or an
object, one holding the same items."""

_READING = (gast.BinOp, gast.UnaryOp, gast.Compare, gast.BoolOp, gast.FormattedValue,
            gast.JoinedStr)


@functools.lru_cache(maxsize=1024)
def uses(func, name, own=False):
    """The uses ``(path, mode, method)`` the code of `func` makes of the free name `name`
    (with `own`, of its first parameter, read with its class as the root), or None where
    s2sgrad cannot read its code."""
    try:
        node = parse_function(func).node
    except S2SError:
        return None
    parents = {id(child): parent for parent in n.walk(node) for child in n.children(parent)}
    params = node.args.posonlyargs + node.args.args
    local = frozenset(part.id for part in n.walk(node) if isinstance(part, gast.Name) and
                      isinstance(part.ctx, gast.Store))
    found = []
    for part in n.walk(node):
        if not own and isinstance(part, gast.AugAssign) and \
                isinstance(part.target, gast.Name) and part.target.id == name:
            found.append(((), 'write', None))  # (``global W; W *= 0.5``)
            continue
        root = _root(part, name, own and params and params[0].id, parents)
        if root is None:
            continue
        start, skip = root
        found.extend(_use(start, skip, parents, own, local))
    return tuple(found)


def _root(part, name, own, parents):
    """``(node, steps)`` where `part` is a use of the root: the name itself (``('W',)`` of
    ``self.__class__.W`` starts after ``__class__``), else None."""
    if own:
        if isinstance(part, gast.Call) and isinstance(part.func, gast.Name) and \
                part.func.id == 'type' and len(part.args) == 1 and \
                isinstance(part.args[0], gast.Name) and part.args[0].id == own:
            return part, ()  # (``type(self)``)
        if not (isinstance(part, gast.Name) and part.id == own and
                isinstance(part.ctx, gast.Load)):
            return None
        parent = parents.get(id(part))
        if isinstance(parent, gast.Call) and part in parent.args and \
                isinstance(parent.func, gast.Name) and parent.func.id == 'type':
            return None  # (its ``type(self)``, the root above)
        if isinstance(parent, gast.Attribute) and parent.attr == '__class__':
            return parent, ()
        return part, ()
    if isinstance(part, gast.Name) and part.id == name and isinstance(part.ctx, gast.Load):
        return part, ()
    return None


def _use(node, path, parents, own, local=frozenset()):
    """The uses of the value `node` is (at the steps `path` from the root); `local`: the names
    the function binds."""
    path = list(path)
    while True:
        parent = parents.get(id(node))
        grand = parents.get(id(parent))
        if isinstance(parent, gast.BoolOp) or isinstance(parent, gast.IfExp) and \
                parent.test is not node:
            node = parent  # (``(C or [])[0]``, ``C if c else D``: the value may be the name's)
            continue
        if isinstance(parent, gast.Attribute) and parent.value is node:
            if isinstance(grand, gast.Call) and grand.func is parent:
                if own and not path:
                    return []  # (``self._update()``: a method of its class, followed)
                if parent.attr in _COPY_METHODS:  # (``L.copy()``: of a list, its items)
                    return [(tuple(path), 'copy', parent.attr)]
                if parent.attr in READ_METHODS:
                    return [(tuple(path), 'read', parent.attr)]
                # (what the call gives, only read, ``CACHE.get('n', 0) + 1``: a change of the
                # value by its method, which for a list or dict writes into no item)
                given = _mode(grand, parents.get(id(grand)), parents.get(id(parents.get(
                    id(grand)))), local)
                return [(tuple(path), 'call', parent.attr),
                        (tuple(path), 'write' if given == 'write' else 'change', parent.attr)]
            step = parent.attr
        elif isinstance(parent, gast.Subscript) and parent.value is node:
            key = parent.slice
            step = (key.value,) if isinstance(key, gast.Constant) and \
                isinstance(key.value, (str, int)) else ANY
        elif isinstance(parent, gast.Call) and parent.args and parent.args[0] is node and \
                isinstance(parent.func, gast.Name) and parent.func.id == 'getattr' and \
                len(parent.args) in (2, 3) and isinstance(parent.args[1], gast.Constant) and \
                isinstance(parent.args[1].value, str):
            path.append(parent.args[1].value)  # (``getattr(cls, 'count', 0)``: ``cls.count``)
            node = parent
            continue
        elif isinstance(parent, gast.Call) and parent.args == [node] and \
                not parent.keywords and isinstance(parent.func, gast.Name) and \
                parent.func.id == 'vars' and isinstance(grand, gast.Subscript) and \
                grand.value is parent and isinstance(grand.slice, gast.Constant) and \
                isinstance(grand.slice.value, str):
            # (``vars(type(self))['W']``: the attribute ``W``)
            parent, node, step = grand, parent, grand.slice.value
            grand = parents.get(id(parent))
        else:
            break
        if not isinstance(parent.ctx, gast.Load):  # (stored into, deleted)
            full = tuple(path + [step])
            if isinstance(grand, gast.AugAssign) and grand.target is parent:
                return [(full, 'store', None), (full, 'write', None)]
            if isinstance(grand, gast.Assign) and not _fresh(grand.value):
                return [(full, 'store', None), (full, 'rebind', None)]
            return [(full, 'store', None)]
        path.append(step)
        node = parent
    calls = [(tuple(path), 'call', '__call__')] \
        if isinstance(parent, gast.Call) and parent.func is node else []
    if isinstance(parent, gast.withitem) and parent.context_expr is node:
        calls = [(tuple(path), 'call', '__enter__'), (tuple(path), 'call', '__exit__')]
    return [(tuple(path), _mode(node, parent, grand, local), None)] + calls


def _fresh(value):
    """Whether the value `value` stores is new memory holding no other value: arithmetic,
    a number or text, a NumPy array made anew (``np.zeros(3)``); not a name, an item, a
    display (whose items may be arrays held elsewhere), a call of yours."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant,
                          gast.JoinedStr)):
        return True
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and \
        value.func.attr in _MADE_ANEW and isinstance(value.func.value, gast.Name) and \
        value.func.value.id in ('np', 'numpy')


_MADE_ANEW = frozenset({'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like',
                        'empty_like', 'full_like', 'arange', 'linspace', 'eye', 'identity',
                        'array', 'copy'})


def _mode(node, parent, grand, local=frozenset()):
    """``'read'`` where the value `node` is only read where it stands, ``'copy'`` where what
    it gives holds the same items if it is a container (``L + []``, ``L * 1``, ``G | {}``),
    else ``'write'``."""
    if isinstance(parent, gast.BinOp) and isinstance(parent.op, (gast.Add, gast.Mult,
                                                                 gast.BitOr)):
        return 'copy'
    if isinstance(parent, _READING):
        return 'read'
    if isinstance(parent, (gast.If, gast.While, gast.IfExp, gast.Assert)) and \
            parent.test is node:
        return 'read'
    call = grand if isinstance(parent, gast.keyword) else parent
    if isinstance(call, gast.Call) and call.func is not node and \
            isinstance(call.func, gast.Name) and call.func.id in READ_CALLS:
        return 'read'
    if isinstance(parent, gast.Expr):
        return 'read'
    if isinstance(parent, gast.Assign) and parent.value is node and all(
            isinstance(target, (gast.Attribute, gast.Subscript)) and
            _stored_root(target) not in local for target in parent.targets):
        # (``REGISTRY[-1] = self``: stored, written into by nothing here; not ``O[0] =
        # C[0]`` into a container of its own, which it may write through)
        return 'read'
    return 'write'


def _stored_root(target):
    """The name at the root of the store target `target` (``O`` of ``O[0].a``), or None."""
    while isinstance(target, (gast.Attribute, gast.Subscript)):
        target = target.value
    return target.id if isinstance(target, gast.Name) else None
