"""Alias analysis: which bindings may share memory, and which writes through them are unsafe.

Every assignment to a name creates a *binding* (named by its statement; parameters and globals
have one each). A binding holds abstract memory: a fresh allocation of its own statement, a
parameter's memory (``P:x``) or what the parameter contains (``C:x``), a global's (``G:name``),
or the memory of the values it is a view of. Containers (lists, tuples, dicts) hold their
elements' memory as *contents*. What is not known to allocate may alias its operands.

A write (subscript assignment, in-place method, ``out=``) through a name is sound for the
reverse and forward passes only if no other binding that exists at that point can observe the
memory written. `AliasAnalysis.check` finds, for every write, the other bindings that share
its memory: if one of them may still be read afterwards the write is unsafe (`Unsafe`); if all
are dead, copying at their definitions (or at the written view's own definition) makes the
write private without changing what the program computes. The result says which definitions
to copy and which parameters the write reaches (the prologue copies them).
"""
import ast

import gast

from . import nodes as n
from . import runtime

# Methods and library functions whose result is always new memory.
FRESH_METHODS = {
    'copy', 'sum', 'mean', 'prod', 'max', 'min', 'std', 'var', 'dot', 'astype', 'tolist',
    'cumsum', 'cumprod', 'all', 'any', 'argmax', 'argmin', 'item', 'clip', 'round',
    'flatten', 'trace', 'nonzero', 'argsort', 'conj', 'conjugate', 'ptp', 'keys', 'values',
    'items', 'count', 'index', 'repeat', 'take', 'compress', 'searchsorted', 'tobytes',
    '__len__',
}
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
    'float_power', 'real_if_close', 'softmax', 'log_softmax', 'expit', 'logit', 'erf',
    'gammaln', 'digamma', 'xlogy', 'len', 'float', 'int', 'abs', 'range', 'sorted', 'bool',
    'str', 'isinstance', 'enumerate', 'zip', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan',
    'tanh', 'pow', 'fabs', 'floor', 'ceil',
}
# Library functions that write into one of their arguments (its position).
INPLACE_FUNCTIONS = {'copyto': 0, 'put': 0, 'place': 0, 'putmask': 0, 'fill_diagonal': 0,
                     'put_along_axis': 0, 'at': 0}
INPLACE_METHODS = {'fill', 'sort', 'put', 'resize', 'partition', 'itemset', 'setfield',
                   'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update',
                   'setdefault', 'popitem', 'reverse'}
CONTAINER_METHODS = {'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update',
                     'setdefault', 'popitem', 'reverse'}
CONTAINER_CALLS = {'list', 'tuple', 'dict', 'set'}
NONARRAY_ATTRIBUTES = {'shape', 'size', 'ndim', 'dtype', 'nbytes', 'itemsize', 'strides'}
RUNTIME_FRESH = {'copy', 'zeros_like', 'count'}


def private_writes(ctx, body):
    """Make every write through a view or alias private, or reject it (see aliasing).

    A view written through, whose other holders are never read again, gets a copy where
    it is made (``y = s2s.copy(x[1:])``); arguments written into are copied by the prologue.
    """
    ctx._alias_params = set()
    if not has_writes(body):
        return body
    analysis = AliasAnalysis(body, ctx.params, ctx.resolver, runtime)
    try:
        copies, params = analysis.check()
    except Unsafe as error:
        raise _error(ctx, error, analysis) from None
    ctx._alias_params = params
    if copies:
        ctx.source.namespace.setdefault('s2s', runtime)
        body = _insert_copies(ctx, body, copies)
    guards = list(analysis.guards)
    for stmt in _simple_statements(body):
        if id(stmt) in analysis.numbers:
            for name in n.names_stored(stmt.targets[0]):
                guards.append(('after', stmt, name, _text(stmt.value),
                               n.dotted_path(stmt.value.value), analysis.numbers[id(stmt)]))
    if guards:
        body = _insert_guards(ctx, body, guards)
    return body


def _insert_guards(ctx, stmts, guards):
    """``s2s.not_shared(t, message)`` before (or after) the statements that the analysis could
    prove safe only when a value is a number, not an array."""
    placed = {}
    for where, stmt, guarded, shown, other, *write in guards:
        reported = write[0] if write else stmt
        lineno = getattr(reported, 'lineno', None)
        text = ctx.source.lines[lineno - 1].strip() if lineno else ''
        message = (f'File "{ctx.source.filename}", line {lineno}: `{text}` changes an array '
                   f'that `{other}` shares (`{shown}` is an array, not a number); s2sgrad '
                   f'cannot differentiate a write through an alias: add `.copy()` where the '
                   f'array written into is made')
        others = [n.name(other)] if other and other.isidentifier() else []
        check = n.expr(n.call('s2s.not_shared', n.name(guarded), n.const(message), *others))
        placed.setdefault((where, id(stmt)), [])
        if not any(n.dotted_path(c.value.args[0]) == guarded
                   for c in placed[(where, id(stmt))]):
            placed[(where, id(stmt))].append(check)
    ctx.source.namespace.setdefault('s2s', runtime)
    return _place(stmts, placed)


def _text(node):
    return ast.unparse(gast.gast_to_ast(n.clone(node)))


def _place(stmts, placed):
    out = []
    for stmt in stmts:
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, _place(block, placed))
        out.extend(placed.get(('before', id(stmt)), []))
        out.append(stmt)
        out.extend(placed.get(('after', id(stmt)), []))
    return out


def _error(ctx, error, analysis):
    name = error.name
    made = ''
    if name is not None:
        for binding in sorted(analysis.reach[id(error.stmt)].get(name, ()),
                              key=lambda b: str(b)):
            if binding[0] == 'def':
                stmt = analysis.defs.get(binding[1], (None,))[0]
                lineno = getattr(stmt, 'lineno', None)
                if lineno and lineno != getattr(error.stmt, 'lineno', None):
                    text = ctx.source.lines[lineno - 1].strip()
                    made = f' (made on line {lineno}: `{text}`)'
                    break
    what = f'`{name}`' if name and name in n.all_names(ctx.source.node) else 'an array'
    err = ctx.unsupported(error.stmt, f'a write into {what}{made}, {error.reason}')
    err.construct_message = err.msg = (
        f'{err.construct_message}: writes through views and aliases (slices, `.T`, '
        f'`.reshape`, `np.asarray`, lists holding the array, ...) are not supported; '
        f'add `.copy()` where the array written into is made')
    return err


def _insert_copies(ctx, stmts, copies):
    out = []
    for stmt in stmts:
        if id(stmt) in copies:
            target, value = stmt.targets[0].id, stmt.value
            lineno = getattr(stmt, 'lineno', None)
            if not n.is_atom(value):
                view = ctx.namer.fresh(target + '_view')
                out.append(n.assign(view, value, lineno))
                value = n.name(view)
            out.append(n.assign(target, n.call('s2s.copy', value), lineno))
            continue
        for field in ('body', 'orelse'):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, _insert_copies(ctx, block, copies))
        out.append(stmt)
    return out


class Unsafe(Exception):
    """A write that the analysis cannot make sound: `stmt`, the written name and why."""

    def __init__(self, stmt, name, reason):
        super().__init__(reason)
        self.stmt = stmt
        self.name = name
        self.reason = reason


def has_writes(body):
    """Whether `body` writes through any name (cheap test before the analysis)."""
    for stmt in _simple_statements(body):
        if isinstance(stmt, gast.Assign) and (isinstance(stmt.targets[0], gast.Subscript) or
                                              hasattr(stmt, 'augmented_read')):
            return True
        for node in n.walk(stmt):
            if isinstance(node, gast.Call) and (
                    any(k.arg == 'out' for k in node.keywords) or
                    isinstance(node.func, gast.Attribute) and
                    (node.func.attr in INPLACE_METHODS or node.func.attr in INPLACE_FUNCTIONS)):
                return True
    return False


class AliasAnalysis:
    """May-share analysis of a normalized function body (see the module docstring)."""

    def __init__(self, body, params, resolver, runtime=None):
        self.body = body
        self.params = list(params)
        self.resolver = resolver
        self.runtime = runtime
        self.local = set(n.names_stored(gast.Module(body=body, type_ignores=[]))) | \
            set(self.params)
        self.order = {}
        self.loops = []             # (first, last) statement positions of each loop
        self._number(body)
        self.always_live = set()
        self.copyable = {id(s) for s in _simple_statements(body)
                         if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)}
        for stmt in _simple_statements(body):
            if isinstance(stmt, gast.FunctionDef):
                self.always_live.update(n.names_read(stmt))

    # -- the result -------------------------------------------------------------------------
    def check(self, forced=()):
        """``(copies, params)``: definitions to copy and parameters written into.

        Raises `Unsafe` for a write whose memory another live binding can see.
        """
        forced = set(forced)
        self.numbers = {}  # definitions ``t = y[i]`` checked at run time to be numbers:
        # id -> the write that needs it
        for _ in range(200):
            self._analyse(forced)
            added = self._cuts(forced)
            if not added:
                break
            forced |= added - set(self.numbers)
        params = set()
        for stmt, name, memory, kind in self.writes:
            if kind == 'rebind':
                continue
            if kind == 'container':
                # list methods (the passes follow them): copy a list argument changed in place
                if ('param', name, name) in self.reach[id(stmt)].get(name, ()):
                    params.add(name)
                continue
            params.update(loc[1] for loc in memory if loc[0] == 'P')
        return forced, params

    def _cuts(self, forced):
        """Definitions to copy so that the first unsafe write becomes private (empty when
        every write is private); raises `Unsafe` when no copy can do it."""
        live_after = self._liveness()
        self.guards = []
        for stmt, name, memory, kind in self.writes:
            if not memory or kind == 'container':
                continue
            before = self.reach[id(stmt)]
            own = before.get(name, frozenset()) if name else frozenset()
            sharers = [b for b in self.bindings if b not in own and b[0] != 'global' and
                       self._precedes(b, stmt) and self._reach(self.mem.get(b, ())) & memory]
            external = sorted(loc[1] for loc in memory if loc[0] in ('C', 'G'))
            live = [b for b in sharers if b in before.get(b[2], ()) and
                    (b[2] in live_after[id(stmt)] or b[2] in self.always_live)]
            if kind == 'rebind' and name not in n.names_stored(stmt.targets[0]) and \
                    name in live_after[id(stmt)]:
                # ``v += c`` became ``v_2 = v + c`` (or `v` is another name's alias): where
                # `v` is still read afterwards, an array would show the change there
                live = live + list(own)
            if not sharers and not external and not live:
                continue
            if kind == 'rebind' and not all(self._view_binding(b) for b in own):
                # ``y = x; y += 1`` is in place only when `y` is an array (a number is
                # rebound): the generated code checks that at run time
                if live or external:
                    other = sorted(b[2] for b in live)[0] if live else external[0]
                    if any(b in own for b in live):
                        other = name
                    self.guards.append(('before', stmt, name, name, other))
                continue
            if live and sharers and not external and \
                    all(self._element_read(b) for b in sharers):
                # ``t = y[1]`` shares `y`'s memory only when it is an array (a row): the
                # generated code checks at run time that it is a number, which no write
                # changes, and the analysis treats it as such from then on
                reads = {b[1] for b in sharers
                         if isinstance(self.defs[b[1]][0].value, gast.Subscript)}
                for read in reads:
                    self.numbers.setdefault(read, stmt)
                return reads
            if live and any(b in own for b in live):
                raise Unsafe(stmt, name, 'an augmented assignment that NumPy applies in place, '
                                         'while the array is read afterwards under another name')
            if live:
                other = sorted(b[2] for b in live)[0]
                raise Unsafe(stmt, name, f'which may share memory with `{other}`, read '
                                         f'afterwards')
            if kind == 'rebind':
                continue
            cut = {b[1] for b in own if self._cuttable(b, forced) and
                   self.mem.get(b) != {('new', b[1])}}
            if not cut and not external:
                # the bindings that hold the memory itself; containers that only hold such
                # a binding stop sharing once it is copied
                direct = [b for b in sharers if self.mem.get(b, set()) & memory] or sharers
                cut = {b[1] for b in direct if self._cuttable(b, forced)}
            if not cut:
                raise Unsafe(stmt, name, self._why_shared(memory, sharers, external))
            return cut
        return set()

    def _element_read(self, binding, depth=0):
        """Whether `binding` holds what ``y[index]`` gave (a number, or a view of `y`):
        made by a subscript, or copied or unpacked from such values."""
        if binding[0] != 'def' or depth > 8:
            return False
        stmt = self.defs[binding[1]][0]
        if not isinstance(stmt, gast.Assign):
            return False
        return self._element_value(stmt.value, stmt, depth)

    def _element_value(self, value, stmt, depth):
        if isinstance(value, gast.Subscript):
            # `y[i]`, `y[i, j]`: a number or a view; a slice, `...` or `None` is always a view
            return not any(isinstance(node, (gast.Slice, gast.Starred)) or
                           isinstance(node, gast.Constant) and
                           (node.value is None or node.value is Ellipsis)
                           for node in n.walk(value.slice))
        if isinstance(value, (gast.Tuple, gast.List)):
            return all(self._element_value(e, stmt, depth) for e in value.elts)
        if isinstance(value, gast.Name):
            reaching = self.reach[id(stmt)].get(value.id, ())
            return bool(reaching) and all(self._element_read(b, depth + 1) for b in reaching)
        return False

    def _view_binding(self, binding):
        """Whether `binding` is made by an expression other than a bare name (a view or a
        call: if it shares memory, it is an array or a container, never a number)."""
        if binding[0] != 'def' or binding[1] not in self.copyable:
            return False
        stmt = self.defs[binding[1]][0]
        return not isinstance(stmt.value, gast.Name)

    def _cuttable(self, binding, forced):
        return binding[0] == 'def' and binding[1] not in forced and \
            binding[1] in self.copyable

    @staticmethod
    def _why_shared(memory, sharers, external):
        if external:
            return f'which may share memory with `{external[0]}`, owned by the caller'
        names = sorted({b[2] for b in sharers})
        return f'which may share memory with `{names[0]}`' if names else \
            'whose memory may be shared'

    # -- statement positions ----------------------------------------------------------------
    def _number(self, stmts):
        for stmt in stmts:
            self.order[id(stmt)] = len(self.order)
            if isinstance(stmt, (gast.For, gast.While)):
                first = len(self.order)
                self._number(stmt.body)
                self.loops.append((first - 1, len(self.order) - 1))
            elif isinstance(stmt, gast.If):
                self._number(stmt.body)
                self._number(stmt.orelse)

    def _checked_numbers(self):
        """Definitions that generated code already checks to hold numbers
        (``s2s.not_shared(t, ...)`` right after ``t = y[i]``): they share no memory."""
        checked = set()
        if self.runtime is None:
            return checked
        for stmt in _simple_statements(self.body):
            call = stmt.value if isinstance(stmt, gast.Expr) else None
            if isinstance(call, gast.Call) and call.args and \
                    isinstance(call.args[0], gast.Name) and \
                    self.resolver.lookup(call.func) is getattr(self.runtime, 'not_shared', None):
                for binding in self.reach[id(stmt)].get(call.args[0].id, ()):
                    if binding[0] == 'def':
                        checked.add(binding[1])
        return checked

    def _precedes(self, binding, stmt):
        """Whether `binding` may have been created before `stmt` runs."""
        if binding[0] != 'def':
            return True
        a, b = self.order[binding[1]], self.order[id(stmt)]
        return a < b or any(lo <= a <= hi and lo <= b <= hi for lo, hi in self.loops)

    # -- reaching bindings and their memory ----------------------------------------------------
    def _analyse(self, forced):
        self.forced = forced
        self.mem = {}
        self.contents = {}
        self.container = set()
        self.arrays = set()         # new memory known to be an array (holds no references)
        self.elements = {}
        start = {p: frozenset({('param', p, p)}) for p in self.params}
        for p in self.params:
            self.mem[('param', p, p)] = {('P', p)}
            self.contents[('P', p)] = {('C', p)}
            self.contents[('C', p)] = {('C', p)}
        self.bindings = set(self.mem)
        self.defs = {}
        self.reach = {}
        self._flow(self.body, start)
        checked = self._checked_numbers()
        changed = True
        rounds = 0
        while changed and rounds < 50:
            changed = False
            rounds += 1
            size = self._size()
            for stmt, targets in self.defs.values():
                before = self.reach[id(stmt)]
                if stmt.__class__ is gast.For:
                    continue
                value = self._eval(stmt.value, before, stmt)
                if id(stmt) in forced or id(stmt) in getattr(self, 'numbers', ()) or \
                        id(stmt) in checked:
                    old = value
                    value = {('new', id(stmt))}
                    self._add_contents(('new', id(stmt)), self._contents(old - self.arrays))
                target = stmt.targets[0]
                parts = self._unpack(target, value) if isinstance(target, (
                    gast.Tuple, gast.List)) else None
                for name in targets:
                    binding = ('def', id(stmt), name)
                    if isinstance(target, gast.Name):
                        mem = value
                    elif parts is not None and name in parts:
                        mem = parts[name]
                    else:
                        mem = value | self._contents(value)
                    old = self.mem.setdefault(binding, set())
                    if not mem <= old:
                        old |= mem
            self.writes = []
            for stmt in _simple_statements(self.body):
                self._writes(stmt)
            if self._size() != size:
                changed = True

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
            sum(len(v) for v in self.contents.values())

    def _flow(self, stmts, state):
        for stmt in stmts:
            self.reach[id(stmt)] = state
            if isinstance(stmt, gast.If):
                state = _join(self._flow(stmt.body, state), self._flow(stmt.orelse, state))
            elif isinstance(stmt, (gast.For, gast.While)):
                entry = state
                for _ in range(50):
                    inner = dict(entry)
                    if isinstance(stmt, gast.For):
                        for name in n.names_stored(stmt.target):
                            binding = ('def', id(stmt), name)
                            self.mem.setdefault(binding, set())
                            self.bindings.add(binding)
                            self.defs[id(stmt)] = (stmt, [])
                            inner[name] = frozenset({binding})
                    out = self._flow(stmt.body, inner)
                    new_entry = _join(entry, out)
                    if new_entry == entry:
                        break
                    entry = new_entry
                self.reach[id(stmt)] = entry
                state = entry
            elif isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if not isinstance(target, (gast.Subscript, gast.Attribute)):
                    names = n.names_stored(target)
                    self.defs[id(stmt)] = (stmt, names)
                    state = dict(state)
                    for name in names:
                        binding = ('def', id(stmt), name)
                        self.bindings.add(binding)
                        state[name] = frozenset({binding})
            elif isinstance(stmt, gast.FunctionDef):
                state = dict(state)
                binding = ('def', id(stmt), stmt.name)
                self.bindings.add(binding)
                self.mem[binding] = set()
                state[stmt.name] = frozenset({binding})
        return state

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

    def _reach(self, locs):
        return set(locs) | self._contents(locs)

    def _add_contents(self, loc, locs):
        self.contents.setdefault(loc, set()).update(locs)

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
            return self._new(stmt)
        if isinstance(node, gast.Compare):
            return self._new(stmt, array=True)
        if isinstance(node, gast.UnaryOp):
            return self._new(stmt, array=True) if not isinstance(node.op, gast.Not) else set()
        if isinstance(node, gast.BoolOp):
            return set().union(*(self._eval(v, state, stmt) for v in node.values))
        if isinstance(node, gast.IfExp):
            return self._eval(node.body, state, stmt) | self._eval(node.orelse, state, stmt)
        if isinstance(node, gast.BinOp):
            left = self._eval(node.left, state, stmt)
            right = self._eval(node.right, state, stmt)
            lists = [m for m in (left, right) if m and m <= self.container] + \
                [set() for e in (node.left, node.right) if isinstance(e, (gast.List, gast.Tuple))]
            result = self._new(stmt, container=bool(lists), array=not lists)
            if lists:
                self._add_contents(('new', id(stmt)), self._contents(left | right))
            return result
        if isinstance(node, (gast.List, gast.Tuple, gast.Set)):
            result = self._new(stmt, container=True)
            loc = ('new', id(stmt))
            parts = [self._eval(elt, state, stmt) for elt in node.elts]
            for part in parts:
                self._add_contents(loc, part)
            if not isinstance(node, gast.Set) and \
                    not any(isinstance(e, gast.Starred) for e in node.elts):
                known = self.elements.setdefault(loc, [set() for _ in parts])
                if len(known) == len(parts):
                    for have, part in zip(known, parts):
                        have |= part
            return result
        if isinstance(node, gast.Dict):
            result = self._new(stmt, container=True)
            for value in node.values:
                self._add_contents(('new', id(stmt)), self._eval(value, state, stmt))
            return result
        if isinstance(node, gast.Starred):
            return self._eval(node.value, state, stmt)
        if isinstance(node, gast.Subscript):
            base = self._eval(node.value, state, stmt)
            arrays = {loc for loc in base if loc not in self.container}
            return arrays | self._contents(base)
        if isinstance(node, gast.Attribute):
            if node.attr in NONARRAY_ATTRIBUTES:
                return set()
            base = self._eval(node.value, state, stmt)
            return base | self._contents(base)
        if isinstance(node, gast.Call):
            return self._call(node, state, stmt)
        return self._new(stmt)

    def _call(self, node, state, stmt):
        args = list(node.args) + [k.value for k in node.keywords if k.arg != 'out']
        out = [k.value for k in node.keywords if k.arg == 'out']
        if out:
            return set().union(*(self._eval(o, state, stmt) for o in out))
        func = node.func
        if isinstance(func, gast.Attribute) and not self.resolver.is_global(func):
            receiver = self._eval(func.value, state, stmt)
            if func.attr in FRESH_METHODS:
                result = self._new(stmt)
                if func.attr == 'copy':
                    self._add_contents(('new', id(stmt)), self._contents(receiver))
                return result
            if func.attr in ('pop', 'get'):
                return self._contents(receiver) | \
                    set().union(set(), *(self._eval(a, state, stmt) for a in args[1:]))
            return self._unknown(receiver, args, state, stmt)
        obj = self.resolver.lookup(func)
        name = getattr(obj, '__name__', None)
        module = getattr(obj, '__module__', None) or ''
        if obj is not None and self.runtime is not None and \
                getattr(obj, '__module__', None) == self.runtime.__name__:
            if name in RUNTIME_FRESH:
                result = self._new(stmt)
                if name == 'copy' and args:
                    self._add_contents(('new', id(stmt)),
                                       self._contents(self._eval(args[0], state, stmt)))
                return result
            # the other helpers return new memory, their first argument, a view of it, or
            # a list of views of it (`unstack`)
            result = self._new(stmt)
            for arg in args if name == 'add' else args[:1]:
                memory = self._eval(arg, state, stmt)
                self._add_contents(('new', id(stmt)), memory)
                result |= memory
            return result
        if name in CONTAINER_CALLS and module == 'builtins':
            result = self._new(stmt, container=True)
            for arg in args:
                self._add_contents(('new', id(stmt)), self._reach(self._eval(arg, state, stmt)))
            return result
        if obj is not None and type(obj).__name__ == 'ufunc':
            return self._new(stmt, array=True)
        if name in FRESH_FUNCTIONS and (module.split('.')[0] in ('numpy', 'cupy', 'scipy',
                                                                 'math', 'builtins')):
            if name == 'array' and any(k.arg == 'copy' and not (
                    isinstance(k.value, gast.Constant) and k.value.value is True)
                    for k in node.keywords):
                return self._unknown(set(), args, state, stmt)
            return self._new(stmt, array=module.split('.')[0] in ('numpy', 'cupy'))
        callee = self._eval(func, state, stmt) if not self.resolver.is_global(func) else set()
        return self._unknown(callee, args, state, stmt)

    def _unknown(self, base, args, state, stmt):
        """What an unknown operation returns: new memory, or a view of any operand."""
        result = set(base) | self._contents(base) | self._new(stmt)
        for arg in args:
            memory = self._eval(arg, state, stmt)
            result |= memory | self._contents(memory)
        return result

    # -- writes ----------------------------------------------------------------------------
    def _writes(self, stmt):
        if not isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)):
            return
        state = self.reach[id(stmt)]
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            target = stmt.targets[0]
            base = target.value
            while isinstance(base, gast.Subscript):
                base = base.value
            name = base.id if isinstance(base, gast.Name) and \
                base is target.value else None
            memory = self._eval(target.value, state, stmt)
            value = self._eval(stmt.value, state, stmt)
            for loc in memory - self.arrays:
                self._add_contents(loc, value)
            self.writes.append((stmt, name, memory, 'memory'))
        read = getattr(stmt, 'augmented_read', None)
        if isinstance(stmt, gast.Assign) and isinstance(read, gast.Name):
            # ``v += 1`` on an array writes in place; the passes rebind `v` instead, which is
            # the same only while nothing else can see `v`'s memory
            self.writes.append((stmt, read.id, self._name(read.id, state), 'rebind'))
        for node in n.walk(stmt.value if stmt.value is not None else gast.Constant(
                value=None, kind=None)):
            if not isinstance(node, gast.Call):
                continue
            written = [k.value for k in node.keywords if k.arg == 'out']
            func = node.func
            if isinstance(func, gast.Attribute) and not self.resolver.is_global(func) and \
                    func.attr in INPLACE_METHODS:
                written.append(func.value)
                if func.attr in ('append', 'extend', 'insert', 'setdefault', 'update'):
                    memory = self._eval(func.value, state, stmt)
                    for arg in node.args:
                        for loc in memory:
                            self._add_contents(loc, self._reach(self._eval(arg, state, stmt)))
            else:
                obj = self.resolver.lookup(func)
                position = INPLACE_FUNCTIONS.get(getattr(obj, '__name__', None))
                if position is not None and len(node.args) > position and \
                        isinstance(func, gast.Attribute):
                    written.append(node.args[position])
            for target in written:
                name = target.id if isinstance(target, gast.Name) else None
                kind = 'container' if target is getattr(func, 'value', None) and \
                    func.attr in CONTAINER_METHODS else 'memory'
                self.writes.append((stmt, name, self._eval(target, state, stmt), kind))

    # -- liveness ----------------------------------------------------------------------------
    def _liveness(self):
        """Names that may be read after each simple statement, before being rebound."""
        self.live_after = {}
        self._live(self.body, set())
        return self.live_after

    def _live(self, stmts, live):
        live = set(live)
        for stmt in reversed(stmts):
            if isinstance(stmt, gast.If):
                live = self._live(stmt.body, live) | self._live(stmt.orelse, live) | \
                    set(n.names_read(stmt.test))
            elif isinstance(stmt, (gast.For, gast.While)):
                header = set(n.names_read(stmt.iter if isinstance(stmt, gast.For)
                                          else stmt.test))
                exit_live = live | header
                entry = exit_live
                for _ in range(50):
                    new = self._live(stmt.body, entry) | exit_live
                    if new == entry:
                        break
                    entry = new
                live = entry
            elif isinstance(stmt, gast.FunctionDef):
                live = (live - {stmt.name}) | set(n.names_read(stmt))
            else:
                self.live_after[id(stmt)] = set(live)
                stored = set()
                if isinstance(stmt, gast.Assign) and \
                        not isinstance(stmt.targets[0], (gast.Subscript, gast.Attribute)):
                    stored = set(n.names_stored(stmt.targets[0]))
                live = (live - stored) | set(n.names_read(stmt))
        return live


def _join(a, b):
    out = dict(a)
    for name, bindings in b.items():
        out[name] = out.get(name, frozenset()) | bindings
    return out


def _simple_statements(stmts):
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield stmt
            yield from _simple_statements(stmt.body)
            yield from _simple_statements(stmt.orelse)
        else:
            yield stmt
