"""The memory model of the alias analysis: what memory each expression and binding may hold.

Memory is abstract: a fresh allocation of a statement (``('new', id)``), a parameter's memory
(``('P', x)``) or what the parameter contains (``('C', x)``), a global's (``('G', name)``).
Containers (lists, tuples, dicts) hold their elements' memory as *contents*. What is not known
to allocate may alias its operands.
"""
import inspect

import gast
import numpy as np

from . import nodes as n

FRESH_METHODS = {
    'copy', 'sum', 'mean', 'prod', 'max', 'min', 'std', 'var', 'dot', 'astype', 'tolist',
    'cumsum', 'cumprod', 'all', 'any', 'argmax', 'argmin', 'item', 'clip', 'round',
    'flatten', 'trace', 'nonzero', 'argsort', 'ptp', 'keys', 'values',
    'items', 'count', 'index', 'repeat', 'take', 'compress', 'searchsorted', 'tobytes',
    '__len__',
}
"""Methods whose result is always new memory (not ``conj``: of a real array it is the array
itself; ``astype(..., copy=False)``: see `_copies`)."""
FRESH_FUNCTIONS = {
    'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like', 'empty_like', 'full_like',
    'array', 'copy', 'arange', 'linspace', 'logspace', 'geomspace', 'eye', 'identity', 'tri',
    'concatenate', 'stack', 'vstack', 'hstack', 'dstack', 'column_stack', 'block', 'sum',
    'mean', 'prod', 'max', 'min', 'amax', 'amin', 'nansum', 'nanmean', 'nanmax', 'nanmin',
    'std', 'var', 'median', 'average', 'dot', 'vdot', 'matmul', 'inner', 'outer', 'tensordot',
    'kron', 'cross', 'cumsum', 'cumprod', 'diff', 'where', 'clip', 'sort', 'argsort', 'tile',
    'repeat', 'trace', 'triu', 'tril', 'pad', 'roll', 'append', 'insert', 'delete', 'take',
    'take_along_axis', 'round', 'around', 'select', 'piecewise', 'convolve', 'correlate',
    'polyval', 'interp', 'argmax', 'argmin', 'all', 'any', 'count_nonzero', 'allclose',
    'isclose', 'array_equal', 'logsumexp', 'norm', 'inv', 'pinv', 'det', 'slogdet', 'solve',
    'cholesky', 'qr', 'svd', 'eig', 'eigh', 'eigvals', 'eigvalsh', 'lstsq', 'matrix_power',
    'multi_dot', 'expm', 'cov', 'corrcoef', 'histogram', 'unique', 'meshgrid', 'indices',
    'ptp', 'percentile', 'quantile', 'nan_to_num', 'cbrt', 'sinc', 'i0', 'heaviside',
    'float_power', 'softmax', 'log_softmax', 'expit', 'logit', 'erf',
    'gammaln', 'digamma', 'xlogy', 'len', 'float', 'int', 'abs', 'range', 'sorted', 'bool',
    'str', 'isinstance', 'enumerate', 'zip', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan',
    'tanh', 'pow', 'fabs', 'floor', 'ceil', 'digitize', 'bincount', 'searchsorted',
    'argwhere', 'flatnonzero', 'ravel_multi_index', 'unravel_index',
}
"""Library functions whose result is always new memory (not ``real_if_close``, which may return
its argument, nor a call with ``copy=False``: see `_copies`)."""
INPLACE_FUNCTIONS = {'copyto': 0, 'put': 0, 'place': 0, 'putmask': 0, 'fill_diagonal': 0,
                     'put_along_axis': 0, 'at': 0, 'shuffle': 0, 'setitem': 0, 'heapify': 0,
                     'heappush': 0, 'heappop': 0, 'heappushpop': 0, 'heapreplace': 0}
"""Library functions that write into one of their arguments (-> its position), also called
as a method of an object (``rng.shuffle(idx)`` of a `Generator` or a `random.Random`)."""
INPLACE_METHODS = {'fill', 'sort', 'put', 'resize', 'partition', 'itemset', 'setfield',
                   'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update',
                   'setdefault', 'popitem', 'reverse', '__setitem__', '__delitem__',
                   '__setattr__', '__delattr__', '__iadd__', '__isub__', '__imul__',
                   '__itruediv__', '__ifloordiv__', '__imod__', '__ipow__', '__imatmul__',
                   '__iand__', '__ior__', '__ixor__', '__ilshift__', '__irshift__'}
CONTAINER_METHODS = {'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update',
                     'setdefault', 'popitem', 'reverse'}
CONTAINER_CALLS = {'list', 'tuple', 'dict', 'set'}
ARITHMETIC_ONLY = (gast.Sub, gast.Div, gast.FloorDiv, gast.Pow, gast.MatMult, gast.Mod)
"""Binary operators that no list, tuple or dict takes (a set's ``-`` holds no arrays)."""
NONARRAY_ATTRIBUTES = {'shape', 'size', 'ndim', 'dtype', 'nbytes', 'itemsize', 'strides'}
ARRAY_VIEWS = {'ravel', 'reshape', 'transpose', 'swapaxes', 'squeeze', 'view', 'T'}
"""Methods and attributes that only an array has, whose result is a view of it (or a copy)."""
INDEX_ARRAYS = {'argsort', 'arange', 'flatnonzero', 'nonzero', 'argwhere', 'unique',
                'permutation'}
"""NumPy functions whose result, used as an index, is always an array of at least one
dimension (or a tuple of them): indexing with it copies (a list or dict raises instead)."""
RUNTIME_FRESH = {'copy', 'dict_copy', 'zeros_like', 'count', 'seed', 'own', 'meta'}
RUNTIME_FRESH_ARRAYS = {'matmul_lhs', 'matmul_rhs', 'dot_lhs', 'dot_rhs', 'cofactor',
                        'cofactor_jvp', 'power_slope', 'power_log', 'power_term',
                        'power_term_slope', 'xdivy', 'prod_others', 'prod_others_jvp',
                        'select', 'weigh', 'notnan', 'tie_share'}
RUNTIME_VIEWS = {'mT', '_mT'}
"""Runtime helpers whose result is always a new array (a product), or an array that is a
view of their first argument (a transpose): never a list holding it."""
RUNTIME_NUMBERS = {'positions', 'popped_at', 'inserted_at', '_norm_power', 'dof', 'key_missing',
                   'flat_index', 'written_at'}
"""Runtime helpers (and rules' helpers) whose result is a number (a length, a position, the
order of a norm, the divisor of a variance, whether a dict lacks a key) or an index (where a
slice assignment wrote, `slice_stores`): no memory."""
RUNTIME_SECOND = {'real_part'}
"""Runtime helpers that return their second argument itself (``real_part(x, g)`` is `g`)."""
RUNTIME_KEYS = {'keys'}
"""Runtime helpers whose result is a new list of keys or integers (``for k in params``):
it holds no array."""
RUNTIME_ITEMS = {'max_by', 'min_by', 'item_before'}
"""Runtime helpers that return an item of their first argument, a list, tuple or dict, itself
(``max(items, key=k)``: `call_forms`; ``s2s.item_before(d, key)``, saved before a write)."""
RUNTIME_HOLDING = {'unindex', 'unread_at'}
"""Runtime helpers whose result is new memory: zeros with their first argument added in
(an array, where their second argument is one), or holding it as an item (a list or dict
adjoint)."""


class MemoryModel:
    """Bindings (``('param', x, x)``, ``('def', id, name)``, ``('global', name, name)``), the
    memory each may hold (`mem`), and the contents of containers (`contents`)."""

    def __init__(self, params, local, resolver, runtime=None):
        self.params = list(params)
        self.local = local          # the names bound in the function
        self.resolver = resolver
        self.runtime = runtime
        self.lists = set()          # memory a list method changes: a list, never an array
        # (kept over the rounds of the analysis: what a list is does not change)
        self.items_changed = set()  # names whose items change in place (``un[1] *= nu``)

    def reset_memory(self):
        """Forget all memory but the parameters'."""
        self.mem = {}
        self.contents = {}
        self.container = set()
        self.arrays = set()         # new memory known to be an array (holds no references)
        self.elements = {}
        self.number_holders = set()  # containers that may hold a number (``{'n': 0}``)
        self.allocations = set()    # statements whose value is a new array or list they
        # make (a NumPy function, arithmetic, ``.copy()``), not an unknown call's result
        for p in self.params:
            self.mem[('param', p, p)] = {('P', p)}
            self.contents[('P', p)] = {('C', p)}
            self.contents[('C', p)] = {('C', p)}
        self.bindings = set(self.mem)

    def _unpack(self, target, value):
        """Per-name memory of ``a, (b, c) = value`` when `value` is a tuple or list literal of
        the right length; None when unknown."""
        if not value or any(len(self.elements.get(loc, ())) != len(target.elts)
                            for loc in value):
            return None
        parts = {}
        for index, elt in enumerate(target.elts):
            memory = set().union(*(self.elements[loc][index] for loc in value))
            if isinstance(elt, gast.Name):
                parts[elt.id] = memory
            elif isinstance(elt, (gast.Tuple, gast.List)):
                inner = self._unpack(elt, memory)
                if inner is None:
                    return None
                parts.update(inner)
            else:
                return None
        return parts

    def _size(self):
        return sum(len(v) for v in self.mem.values()) + \
            sum(len(v) for v in self.contents.values()) + len(self.lists)

    # -- expressions ----------------------------------------------------------------------
    def _contents(self, locs):
        """Everything reachable from `locs` through container contents."""
        seen = set()
        todo = list(locs)
        while todo:
            loc = todo.pop()
            for inner in self.contents.get(loc, ()):
                if inner not in seen:
                    seen.add(inner)
                    todo.append(inner)
        return seen

    def _items(self, locs):
        """What an item of `locs` may be: its contents, or a view of it where it may be an
        array (an item of a list or tuple is never the container itself)."""
        return {loc for loc in locs if loc not in self.container and loc not in self.lists} \
            | self._contents(locs)

    def _reach(self, locs):
        return set(locs) | self._contents(locs)

    def _add_contents(self, loc, locs):
        self.contents.setdefault(loc, set()).update(locs)

    def _allocated(self, stmt, **kinds):
        """`_new` for a value known to be made by `stmt` (see `allocations`)."""
        self.allocations.add(id(stmt))
        return self._new(stmt, **kinds)

    def _captured(self, node):
        """The memory of the enclosing function's variables that the nested function or
        lambda `node` reads (its result may be one of them: ``get = lambda: buf``), at any
        of their bindings (it reads them when it is called)."""
        own = set(n.names_stored(node.args)) | set(n.names_stored(
            gast.Module(body=node.body if isinstance(node.body, list) else [], type_ignores=[])))
        names = (set(n.names_read(node)) & self.local) - own
        return set().union(set(), *(self.mem.get(b, set()) for b in self.bindings
                                    if b[2] in names))

    def _new(self, stmt, container=False, array=False):
        loc = ('new', id(stmt))
        if container:
            self.container.add(loc)
        if array:
            self.arrays.add(loc)
        return {loc}

    def _name(self, name, state):
        if name in state:
            return set().union(*(self.mem.get(b, set()) for b in state[name]))
        if name in self.local:
            return set()
        binding = ('global', name, name)
        if binding not in self.mem:
            self.mem[binding] = {('G', name)}
            self.contents[('G', name)] = {('G', name)}
            self.bindings.add(binding)
        return {('G', name)}

    def _eval(self, node, state, stmt):
        if node is None or isinstance(node, gast.Constant):
            return set()
        if isinstance(node, gast.Name):
            return self._name(node.id, state)
        if isinstance(node, gast.Lambda):
            return self._new(stmt) | self._captured(node)
        if isinstance(node, gast.Compare):
            return self._allocated(stmt, array=True)
        if isinstance(node, gast.UnaryOp):
            return self._allocated(stmt, array=True) if not isinstance(node.op, gast.Not) \
                else set()
        if isinstance(node, gast.BoolOp):
            return set().union(*(self._eval(v, state, stmt) for v in node.values))
        if isinstance(node, gast.IfExp):
            return self._eval(node.body, state, stmt) | self._eval(node.orelse, state, stmt)
        if isinstance(node, gast.BinOp):
            left = self._eval(node.left, state, stmt)
            right = self._eval(node.right, state, stmt)
            if isinstance(node.op, ARITHMETIC_ONLY):
                # no list, tuple or dict takes these: what may be a list (``u[2:] - u[:-2]``
                # of ``u = u0.copy()``) gives a new array or number, or raises
                return self._allocated(stmt, array=True)
            # (a list: known to be one and no array; a call's location may be both, from
            # the displays among its arguments: ``np.ones((3, 4))``)
            lists = [m for m in (left, right)
                     if m and m <= self.container and not m & self.arrays] + \
                [set() for e in (node.left, node.right) if isinstance(e, (gast.List, gast.Tuple))]
            others = [m for m, e in ((left, node.left), (right, node.right))
                      if m and not (m <= self.container and not m & self.arrays) and
                      not isinstance(e, (gast.List, gast.Tuple))]
            if lists and others:
                # (a list with an array, ``np.ones((3, 4)) * [1.0, 2.0, 3.0, 4.0]``: NumPy's
                # arithmetic makes an array; with what may be one, either)
                array = all(m <= self.arrays for m in others)
                result = self._new(stmt, array=array)
                self.container.discard(('new', id(stmt)))  # (not the display's list)
                if array:
                    self.allocations.add(id(stmt))
                else:  # (``p + []`` of a list `p`: a new list holding its items)
                    self.container.add(('new', id(stmt)))
                    self._add_contents(('new', id(stmt)), self._contents(left | right))
                return result
            result = self._new(stmt, container=bool(lists), array=not lists)
            if not lists:
                self.allocations.add(id(stmt))
            if lists:
                self._add_contents(('new', id(stmt)), self._contents(left | right))
            return result
        if isinstance(node, (gast.List, gast.Tuple, gast.Set)):
            result = self._allocated(stmt, container=True)
            loc = ('new', id(stmt))
            parts = [self._eval(elt, state, stmt) for elt in node.elts]
            for part in parts:
                self._add_contents(loc, part)
            if any(_number_literal(elt) for elt in node.elts):
                self.number_holders.add(loc)
            if not isinstance(node, gast.Set) and \
                    not any(isinstance(e, gast.Starred) for e in node.elts):
                known = self.elements.setdefault(loc, [set() for _ in parts])
                if len(known) == len(parts):
                    for have, part in zip(known, parts):
                        have |= part
            return result
        if isinstance(node, gast.Dict):
            result = self._allocated(stmt, container=True)
            for value in node.values:
                self._add_contents(('new', id(stmt)), self._eval(value, state, stmt))
            if any(_number_literal(value) for value in node.values):
                self.number_holders.add(('new', id(stmt)))
            return result
        if isinstance(node, gast.Starred):
            return self._eval(node.value, state, stmt)
        if isinstance(node, gast.Subscript):
            base = self._eval(node.value, state, stmt)
            if _keyed(node):  # (``d['a']``: an item of a dict, never a view of it)
                self.container |= base
            elif _sliced(node) and not base & (self.container | self.lists):
                self.arrays |= base  # (``a[0, :]``: a view of an array, which no list has)
            if self._advanced(node, state):
                return self._new(stmt, array=True)
            if _sliced(node) and base <= self.arrays:
                return set(base)
            held = base & (self.container | self.lists)
            if isinstance(node.slice, gast.Slice) and held:
                # a slice of a list is a new list holding its items (of an array, a view)
                result = self._allocated(stmt, container=True) if base <= held else \
                    self._new(stmt, container=True)
                self._add_contents(('new', id(stmt)), self._contents(held))
                return result | self._items(base - held)
            if isinstance(node.slice, gast.Slice) and not base & self.arrays and \
                    _new_memory(base):
                # (of new memory that may be an array or a list, ``y[1:]`` of ``y =
                # x.copy()``: a view of it, or a new list holding its items, never one of the
                # items; of a global or an argument, as before)
                result = self._new(stmt, container=True)
                self._add_contents(('new', id(stmt)), self._contents(base))
                return result | base
            return self._items(base)
        if isinstance(node, gast.Attribute):
            if node.attr in NONARRAY_ATTRIBUTES or n.dotted_path(node) == 's2s.UNASSIGNED':
                return set()  # (``y = s2s.UNASSIGNED`` before a loop: a constant, no memory)
            base = self._eval(node.value, state, stmt)
            if node.attr in ARRAY_VIEWS and _new_memory(base):
                return base  # (``y.T`` of ``y = x.copy()``: an array's view, not its items)
            return base | self._contents(base)
        if isinstance(node, gast.Call):
            return self._call(node, state, stmt)
        return self._new(stmt)

    def _advanced(self, node, state, depth=0):
        """Whether subscript `node` certainly indexes with an array (NumPy's advanced
        indexing, which copies): a list display, an array of indices (`INDEX_ARRAYS`,
        ``np.array([...])``, ``.argsort()``, ``.nonzero()``) or an ordering comparison of
        the array indexed (``x[x > 0]``), in the index or one part of an index tuple. A list,
        tuple or dict indexed so raises TypeError, which `x[i]` with a number would not."""
        parts = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        base = node.value.id if isinstance(node.value, gast.Name) else None
        return any(self._index_array(part, base, state, depth) for part in parts)

    def _index_array(self, part, base, state, depth):
        if isinstance(part, gast.List):
            return True
        if isinstance(part, gast.Compare):
            return base is not None and all(
                isinstance(op, (gast.Lt, gast.Gt, gast.LtE, gast.GtE)) for op in part.ops) \
                and any(isinstance(o, gast.Name) and o.id == base
                        for o in [part.left] + list(part.comparators))
        if isinstance(part, gast.Call):
            func = part.func
            if isinstance(func, gast.Attribute) and not self.resolver.is_global(func):
                return func.attr in ('argsort', 'nonzero') and not part.args
            obj = self.resolver.lookup(func)
            name = getattr(obj, '__name__', None)
            module = (getattr(obj, '__module__', None) or '').split('.')[0]
            if module not in ('numpy', 'cupy'):
                return False
            if name in ('array', 'asarray'):
                return len(part.args) == 1 and isinstance(part.args[0], gast.List)
            if name == 'where':
                return len(part.args) == 1
            return name in INDEX_ARRAYS and (name != 'permutation' or len(part.args) == 1)
        if isinstance(part, gast.Name) and depth < 4:
            # a name bound (on every path) to such an index, where a comparison's array is
            # still the one indexed
            defs = getattr(self, 'defs', {})
            bindings = state.get(part.id, ())
            if not bindings or any(b[0] != 'def' or b[1] not in defs for b in bindings):
                return False
            for binding in bindings:
                stmt = defs[binding[1]][0]
                if not isinstance(stmt, gast.Assign) or \
                        not isinstance(stmt.targets[0], gast.Name):
                    return False
                before = getattr(self, 'reach', {}).get(id(stmt), {})
                if base is not None and before.get(base) != state.get(base):
                    return False
                if not self._index_array(stmt.value, base, before, depth + 1):
                    return False
            return True
        return False

    def _call(self, node, state, stmt):
        out = out_arguments(node, self.resolver)
        args = [arg for arg in list(node.args) + [k.value for k in node.keywords]
                if not any(arg is o for o in out)]
        if out:
            return set().union(*(self._eval(o, state, stmt) for o in out))
        func = node.func
        if isinstance(func, gast.Attribute) and (not self.resolver.is_global(func) or isinstance(
                self.resolver.lookup(func.value), (dict, list, np.ndarray))):
            # (a method of a value: of a global list, dict or array too, ``CFG.get('w')``)
            receiver = self._eval(func.value, state, stmt)
            if func.attr in FRESH_METHODS and _copies(node):
                if func.attr == 'copy':
                    return self._copy(stmt, receiver)
                result = self._allocated(stmt)
                if func.attr in ('values', 'items'):  # (a dict's values: its contents)
                    self._add_contents(('new', id(stmt)), self._contents(receiver))
                return result
            if func.attr in ARRAY_VIEWS and _new_memory(receiver):
                return receiver  # (``y.ravel()`` of ``y = x.copy()``: a view, or a copy)
            if func.attr in ('pop', 'get'):
                return self._contents(receiver) | \
                    set().union(set(), *(self._eval(a, state, stmt) for a in args[1:]))
            return self._unknown(receiver, args, state, stmt)
        obj = self.resolver.lookup(func)
        name = getattr(obj, '__name__', None)
        module = getattr(obj, '__module__', None) or ''
        if obj is not None and self.runtime is not None and (
                getattr(obj, '__module__', None) == self.runtime.__name__ or
                (n.dotted_path(func) or '').startswith('s2s.')):  # (some defined by rules)
            if name in RUNTIME_FRESH:
                copied = self._eval(args[0], state, stmt) if name in ('copy', 'dict_copy') \
                    and args else set()
                if copied and copied <= self.arrays:  # (a copy of an array holds nothing)
                    return self._allocated(stmt, array=True)
                # (``dict(p)``, ``{**p}``: a new dict holding `p`'s values, which
                # ``q[k] += v`` changes in place)
                result = self._allocated(stmt, container=name == 'dict_copy')
                if copied:
                    self._add_contents(('new', id(stmt)), self._contents(copied))
                return result
            if name in RUNTIME_FRESH_ARRAYS:
                return self._allocated(stmt, array=True)
            if name in RUNTIME_NUMBERS:
                return set()
            if name in RUNTIME_SECOND and len(args) > 1:
                return self._eval(args[1], state, stmt)
            if name in RUNTIME_KEYS:
                return self._allocated(stmt, container=True)
            if name in RUNTIME_VIEWS:
                viewed = self._eval(args[0], state, stmt) if args else set()
                return self._new(stmt, array=True) | viewed
            if name == 'record' and len(args) == 2:  # (a namedtuple: `tuple(items)`)
                result = self._new(stmt, container=True)
                self._add_contents(('new', id(stmt)), self._reach(self._eval(args[1], state,
                                                                             stmt)))
                return result
            if name == 'unstack' and args:  # a new list of views of `g`, or a view of it
                viewed = self._eval(args[0], state, stmt)
                result = self._new(stmt, container=True)
                nested = ('new', id(stmt), 'items')  # (new lists of views: nested items)
                self.container.add(nested)
                for loc in (('new', id(stmt)), nested):
                    self._add_contents(loc, viewed | {nested})
                return result | viewed
            if name in RUNTIME_ITEMS and args:
                return self._items(self._eval(args[0], state, stmt))
            if name in ('max_or', 'min_or') and len(args) > 1:
                # (``max(items, default=d)``: an item itself, or `d`)
                return self._items(self._eval(args[0], state, stmt)) | \
                    self._eval(args[1], state, stmt)
            if name in RUNTIME_HOLDING:  # new memory that may hold the argument as an item
                like = self._eval(args[1], state, stmt) if len(args) > 1 else set()
                if like and like <= self.arrays:  # (shaped like an array: a new array)
                    return self._allocated(stmt, array=True)
                result = self._new(stmt)
                if args:
                    self._add_contents(('new', id(stmt)), self._eval(args[0], state, stmt))
                return result
            # the other helpers return new memory, their first argument or a view of it
            result = self._new(stmt)
            for arg in args if name == 'add' else args[:1]:
                memory = self._eval(arg, state, stmt)
                self._add_contents(('new', id(stmt)), memory)
                result |= memory
            return result
        if name in CONTAINER_CALLS | {'sorted', 'reversed'} and module == 'builtins':
            result = self._allocated(stmt, container=True)
            for arg in args:  # (a reversed list is a view of it; `list(xs)` holds its items)
                if name == 'dict' and _pairs(arg):  # (``{0: 0.0}`` as ``dict([(0, 0.0)])``:
                    for pair in arg.elts:  # its values, not the pairs made with it)
                        self._add_contents(('new', id(stmt)),
                                           self._eval(pair.elts[1], state, stmt))
                        if _number_literal(pair.elts[1]):
                            self.number_holders.add(('new', id(stmt)))
                    continue
                memory = self._eval(arg, state, stmt)
                self._add_contents(('new', id(stmt)), self._reach(memory)
                                   if name == 'reversed' else self._items(memory))
            return result
        if module == 'copy' and name in ('copy', 'deepcopy') and len(node.args) == 1:
            # new memory: a shallow copy holds the items the argument holds (a list's, a
            # dict's, unless the argument is known to be an array); a deep copy new ones
            return self._copy(stmt, self._eval(node.args[0], state, stmt), deep=name != 'copy',
                              held=name == 'copy')
        if obj is not None and type(obj).__name__ == 'ufunc':
            return self._allocated(stmt, array=True)
        if name in ('max', 'min') and module == 'builtins' and len(node.args) == 1:
            # (an item of the one iterable, or the `default=`)
            result = self._items(self._eval(node.args[0], state, stmt))
            for keyword in node.keywords:
                if keyword.arg == 'default':
                    result |= self._eval(keyword.value, state, stmt)
            return result
        if name in FRESH_FUNCTIONS and (module.split('.')[0] in ('numpy', 'cupy', 'scipy',
                                                                 'math', 'builtins')):
            if not _copies(node) or _may_return_argument(node, name, module):
                return self._unknown(set(), args, state, stmt)
            return self._allocated(stmt, array=module.split('.')[0] in ('numpy', 'cupy'))
        if inspect.isfunction(obj) and getattr(obj, '__s2sgrad__', None) is not None:
            # (``s2sgrad.grad(g)(p, x)`` inside the function: a gradient shares memory with
            # nothing, its containers and arrays are its own)
            return self._allocated(stmt)
        if inspect.isfunction(obj) and not module.startswith(('numpy', 'cupy', 'scipy')) and \
                _returns_new(obj):
            # a function of the user's that returns arithmetic or a fresh NumPy result: new
            # memory, holding the arguments or what they hold (``[a] * 2`` repeats items)
            # (a list or tuple where every return gives one: its items may change in place)
            result = self._allocated(stmt, container=_returns_sequences(obj))
            if _returns_unshared(obj):  # (items of its own, which may be one array twice)
                held = {('item', (id(stmt), None))}
            else:  # (``out.append(x)``, ``return out``: `x` itself, or what `x` holds)
                given = [self._eval(arg, state, stmt) for arg in args]
                held = set().union(set(), *(self._reach(m) if _returns_arguments(obj) else
                                            self._contents(m) for m in given))
            self._add_contents(('new', id(stmt)), held)
            size = _tuple_size(obj)
            if size is not None:
                # (``return np.zeros(2), np.eye(2)``: a tuple of as many new values, each
                # its own memory, which ``a, P = init()`` unpacks)
                items = [('item', (id(stmt), index)) for index in range(size)]
                self.elements[('new', id(stmt))] = [{item} for item in items]
                self._add_contents(('new', id(stmt)), set(items))
                for item in items:
                    self._add_contents(item, held)
            return result
        callee = self._eval(func, state, stmt) if not self.resolver.is_global(func) else set()
        result = self._unknown(callee, args, state, stmt)
        if inspect.isfunction(obj) and not module.startswith(('numpy', 'cupy', 'scipy')):
            # (a function of yours may return a new container holding its arguments:
            # ``{'w': a * 1.0, 'b': b}``, then ``res['b'][:] = v`` writes into `b`)
            self._add_contents(('new', id(stmt)), result - {('new', id(stmt))})
        if module.split('.')[0] in ('numpy', 'cupy') and obj is not None:
            # an array, or a new list or tuple of arrays: never a list or tuple passed in
            result -= {loc for arg in args for loc in self._eval(arg, state, stmt)
                       if loc in self.container or loc in self.lists}
        return result

    def _copy(self, stmt, copied, deep=False, held=False):
        """A shallow (or `deep`) copy of `copied`: new memory holding its items (new ones), a
        list where `copied` is known to be a list, tuple or dict (`held`: where it is not
        known to be an array, ``copy.copy(xs)``), an array where an array."""
        array = bool(copied) and copied <= self.arrays
        kinds = {'container': bool(copied) and copied <= self.container | self.lists or
                 held and not array, 'array': array}
        result = self._allocated(stmt, **kinds)
        if not deep:
            self._add_contents(('new', id(stmt)), self._contents(copied))
        elif copied and not kinds['array']:
            items = ('new', id(stmt), 'items')
            self._add_contents(('new', id(stmt)), {items})
            self._add_contents(items, {items})
        return result

    def _unknown(self, base, args, state, stmt):
        """What an unknown operation returns: new memory, or a view of any operand."""
        result = set(base) | self._contents(base) | self._new(stmt)
        for arg in args:
            memory = self._eval(arg, state, stmt)
            result |= memory | self._contents(memory)
        return result

    # -- writes ----------------------------------------------------------------------------
    def written(self, stmt, state):
        """The writes of simple statement `stmt` run in `state` (name -> bindings), as
        ``(stmt, name written through or None, memory written, kind)``: 'memory' for a write
        into an array, 'container' for a list method, 'rebind' for ``v += c`` made a new
        binding of `v`, 'item' for the items ``ys[0] += v`` changes in place where `ys` is
        known to be a list or dict (see `alias_analysis`). Container writes add to the contents."""
        writes = []
        if not isinstance(stmt, (gast.Assign, gast.Expr, gast.Return, gast.While, gast.If)):
            return writes
        value = stmt.test if isinstance(stmt, (gast.While, gast.If)) else stmt.value
        # (the test of a loop: ``while d.pop('a', None) is not None``, computed each pass)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            target = stmt.targets[0]
            base = target.value
            while isinstance(base, gast.Subscript):
                base = base.value
            name = base.id if isinstance(base, gast.Name) and \
                base is target.value else None
            memory = self._eval(target.value, state, stmt)
            if _keyed(target):  # (``d['new'] = v`` stores into a dict: no array changes)
                self.container |= memory
                if _number_literal(stmt.value):
                    self.number_holders |= memory
            elif _sliced(target):  # (``a[0, :] = v``: an array's row, which no list has)
                self.arrays |= memory - self.container - self.lists
            value = self._eval(stmt.value, state, stmt)
            for loc in memory - (self.arrays - self.container - self.lists):
                # (a location both, ``q = [np.zeros(2)]``'s, from the calls in the display:
                # a list, which the item stored in may be)
                # (never the container itself: what reads as a view of `loc`, ``un[-2]`` in
                # ``un[-1] = un[-2]``, is an array's, whose store copies values; a list's
                # items may be one object then, which matters where one is changed in place)
                self._add_contents(loc, value if name in self.items_changed else value - {loc})
            writes.append((stmt, name, memory, 'memory'))
            held = self._contents(memory & (self.container | self.lists))
            if getattr(stmt, 'augmented_item', False) and held:
                # ``ys[0] += v`` adds into the array item in place (of what is known to be a
                # list or dict: the passes rebind the item, the same while no other name
                # sees it; ``xs.copy()`` of an argument may be an array, written as one)
                writes.append((stmt, name, held, 'item'))
        read = getattr(stmt, 'augmented_read', None)
        if isinstance(stmt, gast.Assign) and isinstance(read, gast.Name):
            # ``v += 1`` on an array writes in place; the passes rebind `v` instead, which is
            # the same only while nothing else can see `v`'s memory
            writes.append((stmt, read.id, self._name(read.id, state), 'rebind'))
        for node in n.walk(value if value is not None else gast.Constant(
                value=None, kind=None)):
            if not isinstance(node, gast.Call):
                continue
            # (``out=``, or positionally: ``np.multiply(a, 2.0, a)``, a ufunc's outputs)
            written = out_arguments(node, self.resolver)
            func = node.func
            if isinstance(func, gast.Attribute) and not self.resolver.is_global(func) and \
                    changes_receiver(node):
                written.append(func.value)
                if func.attr in ('append', 'extend', 'insert', 'setdefault', 'update'):
                    memory = self._eval(func.value, state, stmt)
                    # (``items.insert(i, v)`` holds `v`, not the position `i`)
                    for arg in node.args[1:] if func.attr == 'insert' else node.args:
                        for loc in memory:
                            self._add_contents(loc, self._reach(self._eval(arg, state, stmt)))
            else:
                obj = self.resolver.lookup(func)
                # (``np.random.shuffle(idx)``, ``heapq.heapify(xs)``; a method of an object
                # not resolved, ``rng.shuffle(idx)``, by its name)
                name = getattr(obj, '__name__', None) if obj is not None else \
                    getattr(func, 'attr', None)
                position = INPLACE_FUNCTIONS.get(name)
                if position is not None and len(node.args) > position and \
                        isinstance(func, gast.Attribute):
                    written.append(node.args[position])
            for target in written:
                name = target.id if isinstance(target, gast.Name) else None
                kind = 'container' if target is getattr(func, 'value', None) and \
                    func.attr in CONTAINER_METHODS else 'memory'
                memory = self._eval(target, state, stmt)
                if kind == 'container' and len(memory) == 1:
                    self.lists |= memory  # (an array has no ``.append``: it raises)
                writes.append((stmt, name, memory, kind))
        return writes


def _number_literal(node):
    """Whether `node` is an int or float literal (``0``, ``-1.5``)."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def changes_receiver(call):
    """Whether method call `call` changes its receiver in place: one of `INPLACE_METHODS`
    (``a.sort()``, ``xs.append(v)``), or ``a.byteswap(True)`` (``inplace=True``)."""
    attr = call.func.attr
    if attr == 'byteswap':
        return bool(call.args) or any(k.arg == 'inplace' for k in call.keywords)
    return attr in INPLACE_METHODS


def _pairs(node):
    """Whether `node` is a list or tuple display of pairs (``[(0, a), (1, b)]``): the
    argument of ``dict`` a dict display with other than string keys is written as."""
    return isinstance(node, (gast.List, gast.Tuple)) and all(
        isinstance(elt, gast.Tuple) and len(elt.elts) == 2 for elt in node.elts)


def _keyed(subscript):
    """Whether `subscript` indexes with a string (``d['a']``): its base is a dict (NumPy
    reads a string index as a field of a structured array, which s2sgrad does not
    differentiate)."""
    return isinstance(subscript.slice, gast.Constant) and isinstance(subscript.slice.value, str)


def _sliced(subscript):
    """Whether `subscript` indexes with a tuple holding a slice (``a[0, :]``, ``a[:, 1:]``):
    only an array takes one (a list takes no tuple, a dict no slice in its key)."""
    return isinstance(subscript.slice, gast.Tuple) and \
        any(isinstance(part, gast.Slice) for part in subscript.slice.elts)


_COPY_POSITIONS = {'nan_to_num': 1, 'astype': 4}
"""Functions and methods that take ``copy`` by position too (``np.nan_to_num(x, False)``,
``x.astype(t, 'K', 'unsafe', True, False)``) -> its position."""


def _copies(call):
    """Whether `call` copies whatever its ``copy`` says (``np.array(x, copy=False)``,
    ``x.astype(t, copy=False)``, ``np.nan_to_num(x, False)`` may return `x` itself)."""
    name = call.func.attr if isinstance(call.func, gast.Attribute) else \
        getattr(call.func, 'id', None)
    flags = [k.value for k in call.keywords if k.arg == 'copy']
    position = _COPY_POSITIONS.get(name)
    if position is not None and len(call.args) > position:
        flags.append(call.args[position])
    return all(isinstance(flag, gast.Constant) and flag.value is True for flag in flags)


def out_arguments(call, resolver):
    """The expressions `call` passes as the `out` its function writes into: a keyword
    ``out=``, or positionally (``np.sum(a, None, None, out)``; a ufunc's arguments after its
    inputs, ``np.add(a, b, out)``), as `resolver` resolves the function."""
    found = [k.value for k in call.keywords if k.arg == 'out']
    if not call.args:
        return found
    if isinstance(call.func, gast.Attribute) and not resolver.is_global(call.func):
        # (an array method takes NumPy's function's arguments after the array: ``y.round(0,
        # y)`` is ``np.round(y, 0, y)``)
        position = _out_position(getattr(np, call.func.attr, None))
        if position and len(call.args) > position - 1:
            found.append(call.args[position - 1])
        return found
    try:
        obj = resolver.lookup(call.func)
    except TypeError:
        return found
    if type(obj).__name__ == 'ufunc':
        return found + list(call.args[obj.nin:])
    position = _out_position(obj)
    if position is not None and len(call.args) > position:
        found.append(call.args[position])
    return found


def _out_position(obj):
    """The position of the parameter `out` of a NumPy (or CuPy, SciPy) function, or None."""
    module = (getattr(obj, '__module__', None) or '').split('.')[0]
    if module not in ('numpy', 'cupy', 'scipy') or not callable(obj):
        return None
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    for position, param in enumerate(params):
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            return None  # (``np.einsum(*operands, out=None)``: keyword only)
        if param.name == 'out':
            return position
    return None


def fresh_call(call, resolver):
    """Whether `call` is one of NumPy's (or CuPy's) `FRESH_FUNCTIONS` that returns new
    memory whatever its arguments (``np.roll(buf, 1)``), as `resolver` resolves it."""
    if not isinstance(call, gast.Call) or out_arguments(call, resolver):
        return False
    obj = resolver.lookup(call.func)
    name = getattr(obj, '__name__', None)
    module = (getattr(obj, '__module__', None) or '').split('.')[0]
    if not module and type(obj).__name__ == 'ufunc':
        module = 'numpy'  # (NumPy 1's ufuncs have no __module__)
    if type(obj).__name__ == 'ufunc' and module in ('numpy', 'cupy', 'scipy'):
        return True  # (every ufunc called without out=: ``np.maximum(V, K)``, ``erfc(x)``)
    return name in FRESH_FUNCTIONS and module in ('numpy', 'cupy') and _copies(call) and \
        not _may_return_argument(call, name, module)


def _may_return_argument(call, name, module):
    """Whether `call` of the FRESH_FUNCTIONS `name` (of `module`) may return an argument
    itself: the built-in ``max(a, b)`` and ``min(a, b)`` return one of their operands,
    ``sum(items, start)`` its `start` where `items` is empty, ``np.diff(x, n=0)`` and
    ``np.linalg.matrix_power(A, 1)`` return `x` and `A`."""
    if module == 'builtins':
        return name in ('max', 'min') or \
            name == 'sum' and (len(call.args) > 1 or bool(call.keywords))
    if name not in ('diff', 'matrix_power'):
        return False
    power = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == 'n'), None)
    if power is None:
        return name == 'matrix_power'  # (its n is required; diff's is 1)
    if not (isinstance(power, gast.Constant) and type(power.value) is int):
        return True
    return power.value < 1 if name == 'diff' else power.value == 1


def _tuple_size(func):
    """The length of the tuple display that every ``return`` of the user function `func` gives
    (``return a, b``: 2), or None."""
    from .callees import returned_tuple_sizes
    sizes = returned_tuple_sizes(func, distinct=True)
    return sizes.pop() if sizes is not None and len(sizes) == 1 else None


def _returns_new(func):
    from .callees import returns_new_memory
    return returns_new_memory(func, FRESH_FUNCTIONS, FRESH_METHODS)


def _returns_sequences(func):
    from .callees import returns_sequences
    return returns_sequences(func)


def _returns_arguments(func):
    from .callees import returns_arguments
    return returns_arguments(func, FRESH_FUNCTIONS)


def _returns_unshared(func):
    from .callees import returns_unshared_items
    return returns_unshared_items(func, FRESH_FUNCTIONS, FRESH_METHODS)


def _new_memory(memory):
    """Whether `memory` (a set of locations) is all made in the function (not a global's,
    nor an argument's)."""
    return bool(memory) and all(loc[0] == 'new' for loc in memory)
