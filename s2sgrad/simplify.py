"""Algebraic simplification of generated code by the rules of templates/algebra.py, if proven."""
import math

import gast
import numpy

from . import nodes as n
from . import rules
from . import runtime
from .activity import target_names

_BUDGET = 300        # rule applications for one statement (the rules terminate; a safety net)
_MAX_NODES = 250     # nodes of a statement with the variables it reads written out
_HELPER_COST = 3     # the cost of a call of a runtime or rule helper (a NumPy call costs 1)
_MISSING = object()
_OPAQUE_NODES = (gast.Name, gast.Call, gast.BinOp, gast.UnaryOp, gast.Attribute)
_IMPURE_NODES = frozenset((gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await))


# -- shapes -------------------------------------------------------------------------------------
class Unknown:
    """A size nobody knows: equal only to itself (the same quantity, reached twice)."""

    __slots__ = ()

    def __repr__(self):
        return '?'


class Opaque:
    """The shape, unknown but fixed, of the value of a pure expression (`key`: its text).

    The key is read when the shape is first compared: normalization may rewrite parts of the
    expression by then, but every rewrite keeps its value, so equal keys still mean equal
    values, and so equal shapes."""

    __slots__ = ('_node', '_key')

    def __init__(self, node):
        self._node = node
        self._key = None

    @property
    def key(self):
        if self._key is None:
            self._key = _key(self._node)
            self._node = None
        return self._key

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.key == self.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return 'Opaque'


def _known(shape):
    """A shape of sizes that are ints or declared names only (comparable across statements)."""
    return isinstance(shape, tuple) and all(isinstance(s, (int, str)) for s in shape)


def broadcast(a, b):
    """The shape of an elementwise operation of operands of shapes `a` and `b`, or None."""
    if a == ():
        return b
    if b == ():
        return a
    if a is None or b is None:
        return None
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return a if a == b else None
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        out.append(x if x == y or y == 1 else y if x == 1 else Unknown())
    return tuple(reversed(out))


def _matmul(a, b):
    if not isinstance(a, tuple) or not isinstance(b, tuple) or not a or not b or \
            len(a) > 2 or len(b) > 2:
        return None
    rows, cols = a[:-1], b[1:] if len(b) == 2 else ()
    return rows + cols


_KEY_FIELDS = {}  # AST class -> the fields its key reads


def _key_fields(cls):
    fields = _KEY_FIELDS.get(cls)
    if fields is None:
        fields = _KEY_FIELDS[cls] = tuple(
            f for f in cls._fields if f not in ('ctx', 'type_comment', 'kind', 'type_params'))
    return fields


def _key(node):
    """A hashable key of `node`'s structure (1, 1.0 and True differ; contexts do not count)."""
    if isinstance(node, gast.AST):
        cls = node.__class__
        fields = _KEY_FIELDS.get(cls) or _key_fields(cls)
        return (cls.__name__,) + tuple([_key(getattr(node, f, None)) for f in fields])
    if isinstance(node, list):
        return tuple([_key(item) for item in node])
    if isinstance(node, (int, float)):
        return (type(node).__name__, node)
    return node


def _same(a, b):
    """``_key(a) == _key(b)``, without building the keys (stops at the first difference)."""
    if isinstance(a, gast.AST) and isinstance(b, gast.AST):
        if a.__class__.__name__ != b.__class__.__name__:
            return False
        if a.__class__ is not b.__class__:
            return _key(a) == _key(b)
        for field in _KEY_FIELDS.get(a.__class__) or _key_fields(a.__class__):
            if not _same(getattr(a, field, None), getattr(b, field, None)):
                return False
        return True
    if a.__class__ is list and b.__class__ is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (gast.AST, list)) or isinstance(b, (gast.AST, list)):
        return _key(a) == _key(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a).__name__ == type(b).__name__ and (a is b or a == b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return _key(a) == _key(b)
    return a is b or bool(a == b)


def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _neutral(node, op):
    """Whether `node` is a number that folding drops as an operand of `op` (a factor or
    divisor or exponent 1 or -1, a term 0)."""
    if not _number(node):
        return False
    if isinstance(op, (gast.Add, gast.Sub)):
        return node.value == 0
    return node.value in (1, -1)


def _cast(node):
    """Whether `node` is arithmetic the user wrote with a neutral number (``1 * m``, ``k /
    1``, ``x + 0.0``), which may change a dtype (a bool mask to integers, integers to floats):
    kept as written, never read through."""
    return isinstance(node, gast.BinOp) and getattr(node, 'written', False) and \
        (_neutral(node.left, node.op) or _neutral(node.right, node.op))


def _const(value):
    if value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=n.const(-value))
    return n.const(value)


def _size(node):
    return sum(1 for _ in n.walk(node))


# -- the rules ----------------------------------------------------------------------------------
class Rule:
    """A parsed rule of `templates/algebra.py` (see `s2sgrad.rules.rewrite`)."""

    def __init__(self, spec):
        self.namespace = spec['namespace']
        self.kind = spec['kind']
        self.context = spec['context']
        self.text = f"{spec['pattern']} -> {spec['replacement']}"
        self.pattern = _parse(spec['pattern'])
        self.replacement = _parse(spec['replacement'])
        self.when = compile(spec['when'], self.text, 'eval') if spec['when'] else None
        self.value = compile(spec['replacement'].strip(), self.text, 'eval') \
            if self.kind == 'shape' else None

    def obj(self, node):
        """The object a Name/Attribute of the rule denotes in the rule's namespace, or
        _MISSING for a placeholder."""
        path = n.dotted_path(node)
        if path is None or path.split('.')[0] not in self.namespace:
            return _MISSING
        obj = self.namespace[path.split('.')[0]]
        for part in path.split('.')[1:]:
            obj = getattr(obj, part, _MISSING)
        return obj

    def index(self):
        """The key of the nodes this rule's pattern can match (see `_index_key`)."""
        pat = self.pattern
        if isinstance(pat, gast.Call):
            return ('call', id(self.obj(pat.func)))
        return _index_key(pat)

    def match(self, node, ctx):
        """The bindings of the placeholders when `node` matches, else None."""
        env, spelled = {}, {}
        if not self._match(self.pattern, node, env, spelled, ctx):
            return None
        env['__spelled__'] = spelled
        return env

    def _match(self, pat, node, env, spelled, ctx):
        if isinstance(pat, (gast.Name, gast.Attribute)):
            obj = self.obj(pat)
            if obj is not _MISSING:
                if not isinstance(node, (gast.Name, gast.Attribute)) or \
                        ctx.lookup(node) is not obj:
                    return False
                spelled[id(obj)] = node
                return True
            if isinstance(pat, gast.Name):
                bound = env.get(pat.id)
                if bound is None:
                    env[pat.id] = node
                    return True
                return _same(bound, node)
            return isinstance(node, gast.Attribute) and node.attr == pat.attr and \
                self._match(pat.value, node.value, env, spelled, ctx)
        if isinstance(pat, gast.Constant):
            if not isinstance(node, gast.Constant):
                return False
            if _number(pat):
                return _number(node) and node.value == pat.value
            return node.value is pat.value or node.value == pat.value and \
                type(node.value) is type(pat.value)
        if type(pat) is not type(node):
            return False
        if isinstance(pat, gast.Call):
            if len(pat.args) != len(node.args) or \
                    sorted(k.arg or '' for k in pat.keywords) != \
                    sorted(k.arg or '' for k in node.keywords) or \
                    any(isinstance(a, gast.Starred) for a in node.args):
                return False
            if not self._match(pat.func, node.func, env, spelled, ctx):
                return False
            if not all(self._match(p, a, env, spelled, ctx)
                       for p, a in zip(pat.args, node.args)):
                return False
            given = {k.arg: k.value for k in node.keywords}
            return all(self._match(k.value, given[k.arg], env, spelled, ctx)
                       for k in pat.keywords)
        if isinstance(pat, gast.BinOp):
            return type(pat.op) is type(node.op) and \
                self._match(pat.left, node.left, env, spelled, ctx) and \
                self._match(pat.right, node.right, env, spelled, ctx)
        if isinstance(pat, gast.UnaryOp):
            return type(pat.op) is type(node.op) and \
                self._match(pat.operand, node.operand, env, spelled, ctx)
        if isinstance(pat, gast.Tuple):
            return len(pat.elts) == len(node.elts) and all(
                self._match(p, e, env, spelled, ctx) for p, e in zip(pat.elts, node.elts))
        return False

    def holds(self, env, ctx):
        """Whether the rule's condition holds for the bindings `env` (unprovable: False)."""
        if self.when is None:
            return True
        try:
            return bool(eval(self.when, ctx.facts.functions(), dict(env)))
        except (TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError):
            return False

    def build(self, env, ctx):
        """The replacement for the bindings `env`, or None when generated code cannot spell
        one of its names (`ctx.fired` is set when it can)."""
        spelled = env.get('__spelled__', {})

        def make(node):
            if isinstance(node, (gast.Name, gast.Attribute)):
                obj = self.obj(node)
                if obj is not _MISSING:
                    if id(obj) in spelled:
                        return n.clone(spelled[id(obj)])
                    root = n.dotted_path(node).split('.')[0]
                    if ctx.lookup(n.name(root)) is not self.namespace[root]:
                        raise LookupError(root)
                    return n.clone(node)
                if isinstance(node, gast.Name):
                    return n.clone(env[node.id])
            new = node.__class__.__new__(node.__class__)
            new.__dict__ = dict(node.__dict__)
            for field, value in gast.iter_fields(node):
                if isinstance(value, gast.AST):
                    setattr(new, field, make(value))
                elif isinstance(value, list):
                    setattr(new, field, [make(v) if isinstance(v, gast.AST) else v
                                         for v in value])
            return new
        try:
            new = make(self.replacement)
        except LookupError:
            return None
        ctx.fired = True
        ctx.builds += 1
        return new


def _parse(text):
    return gast.parse(text.strip(), mode='eval').body


def _index_key(node):
    if isinstance(node, gast.BinOp):
        return ('binop', type(node.op).__name__)
    if isinstance(node, gast.UnaryOp):
        return ('unary', type(node.op).__name__)
    if isinstance(node, gast.Attribute):
        return ('attr', node.attr)
    return (type(node).__name__,)


class RuleSet:
    """The rules of `s2sgrad.rules.REWRITES`, parsed once and indexed by what they match."""

    _cache = None

    def __init__(self):
        self.rewrites, self.factors, self.shapes, self.inexact = {}, [], {}, {}
        self.sums, self.products = [], []
        for spec in rules.REWRITES:
            rule = Rule(spec)
            if rule.kind == 'shape':
                self.shapes.setdefault(rule.index(), []).append(rule)
            elif rule.kind == 'inexact':
                self.inexact.setdefault(rule.index(), []).append(rule)
            elif rule.context == 'factor':
                self.factors.append(rule)
            elif isinstance(rule.pattern, gast.BinOp) and isinstance(rule.pattern.op, gast.Add):
                self.sums.append(rule)
            elif isinstance(rule.pattern, gast.BinOp) and isinstance(rule.pattern.op,
                                                                     gast.Mult):
                self.products.append(rule)
            else:
                self.rewrites.setdefault(rule.index(), []).append(rule)
        self.count = len(rules.REWRITES)

    @classmethod
    def get(cls):
        """The rule set, re-read when rules were registered since."""
        if cls._cache is None or cls._cache.count != len(rules.REWRITES):
            cls._cache = RuleSet()
        return cls._cache

    def candidates(self, table, node, ctx):
        """The rules of `table` that may match `node`."""
        if isinstance(node, gast.Call):
            obj = ctx.lookup(node.func)
            return table.get(('call', id(obj)), ()) if obj is not None else ()
        return table.get(_index_key(node), ())


# -- facts ----------------------------------------------------------------------------------------
class Facts:
    """Shapes and float-ness of the expressions of one generated function."""

    def __init__(self, ctx, declared):
        self.ctx = ctx
        ctx.facts = self
        self.declared = {name: tuple(sizes) for name, sizes in (declared or {}).items()}
        self.var_shape = {}
        self.var_inexact = set()
        self._functions = None
        self._pure_memo = None
        self._infer()

    def functions(self):
        """The functions conditions of rules call."""
        if self._functions is None:
            def shape(e):
                return self.shape(e)

            def ndim(e):
                s = self.shape(e)
                return len(s) if isinstance(s, tuple) else None

            def size(e, i):
                s = self.shape(e)
                return s[i] if isinstance(s, tuple) and -len(s) <= i < len(s) else Unknown()

            def same_shape(a, b):
                s = self.shape(a)
                return s is not None and s == self.shape(b)

            def transposed(e):
                s = self.shape(e)
                return tuple(reversed(s)) if isinstance(s, tuple) else None
            self._functions = {
                'shape': shape, 'ndim': ndim, 'size': size, 'same_shape': same_shape,
                'rows': lambda e: size(e, -2), 'cols': lambda e: size(e, -1),
                'inexact': self.inexact, 'transposed': transposed,
                'broadcast': lambda a, b: broadcast(self.shape(a), self.shape(b)),
                '__builtins__': {}}
        return self._functions

    def _infer(self):
        """Shapes (and float-ness) of variables: a variable has a shape when every value
        assigned to it has that shape, given the shapes already proven and that one (an
        inductive invariant: it holds for loops and branches alike)."""
        ctx = self.ctx
        definitions = ctx.definitions
        for name, sizes in self.declared.items():
            if name in ctx.params and name not in ctx.unanalyzable and name not in definitions:
                self.var_shape[name] = sizes  # (a parameter assigned again: not used)
        pending = [name for name in definitions
                   if name not in ctx.unanalyzable and name not in ctx.params]
        # (a variable is tried again only when a variable its values read was proven
        # something since it was last tried: the answer depends on nothing else)
        reads, tried, proven = {}, {}, {}
        epoch = 0
        changed = True
        while changed:
            changed = False
            for name in pending:
                values = definitions[name]
                if name in reads:
                    if all(proven.get(read, -1) <= tried[name] for read in reads[name]):
                        continue  # (it saw all that is proven of what it reads)
                else:
                    reads[name] = {read for v in values for read in n.names_read(v)}
                tried[name] = epoch
                if name not in self.var_shape:
                    candidate = self.shape(values[0], assume=(name, None))
                    if _known(candidate) and all(
                            self.shape(v, assume=(name, candidate)) == candidate
                            for v in values):
                        self.var_shape[name] = candidate
                        changed = True
                        epoch += 1
                        proven[name] = epoch
                if name not in self.var_inexact and \
                        all(self.inexact(v, assume=name) for v in values):
                    self.var_inexact.add(name)
                    changed = True
                    epoch += 1
                    proven[name] = epoch

    def shape(self, node, assume=None):
        """The shape of the value of `node`: a tuple of sizes, an `Opaque` shape, or None.

        The shape of a subtree the running normalizer found normal is found once for the
        run (it does not change while the normalizer runs: see `Normalizer.at`)."""
        normalizer = self.ctx.normalizer
        if normalizer is not None and assume is None:
            record = node.__dict__.get('_s2s_normal')
            if record is not None and record[0] is normalizer.token:
                known = normalizer.shapes.get(id(node))
                if known is None:
                    known = normalizer.shapes[id(node)] = (node, self._shape_of(node, None))
                return known[1]
        return self._shape_of(node, assume)

    def _shape_of(self, node, assume):
        outermost = self._pure_memo is None
        if outermost:  # (no node changes while one shape is found: purity is kept)
            self._pure_memo = {}
        try:
            shape = self._shape(node, assume)
            if shape is None and isinstance(node, _OPAQUE_NODES) and \
                    self.ctx.pure(node, self._pure_memo):
                return Opaque(node)
            return shape
        finally:
            if outermost:
                self._pure_memo = None

    def _shape(self, node, assume):
        if _number(node):
            return ()
        if isinstance(node, gast.Name):
            if assume is not None and node.id == assume[0]:
                return assume[1]
            return self.var_shape.get(node.id)
        if isinstance(node, gast.BinOp):
            left, right = self.shape(node.left, assume), self.shape(node.right, assume)
            if isinstance(node.op, gast.MatMult):
                return _matmul(left, right)
            if isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow,
                                    gast.Mod, gast.FloorDiv)):
                return broadcast(left, right)
            return None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.shape(node.operand, assume)
        if isinstance(node, gast.Attribute) and node.attr == 'T':
            inner = self.shape(node.value, assume)
            return tuple(reversed(inner)) if isinstance(inner, tuple) else None
        if isinstance(node, gast.Call):
            return self._call_shape(node, assume)
        return None

    def _call_shape(self, node, assume):
        ctx = self.ctx
        ruleset = ctx.ruleset
        for rule in ruleset.candidates(ruleset.shapes, node, ctx):
            env = rule.match(node, ctx)
            if env is None or not rule.holds(env, ctx):
                continue
            try:
                value = eval(rule.value, self.functions(), env)
            except (TypeError, ValueError, IndexError, AttributeError):
                continue
            if value is None or isinstance(value, (tuple, Opaque)):
                return value
        func = ctx.lookup(node.func)
        if func is None or node.keywords or len(node.args) != 1 or \
                isinstance(node.args[0], gast.Starred):
            return None
        if getattr(func, '__module__', None) == 'math':
            return ()
        if rules.is_reduction(func):
            return ()
        if rules.is_elementwise(func):
            return self.shape(node.args[0], assume)
        return None

    def inexact(self, node, assume=None):
        """Whether the value of `node` is proven a float (array or number)."""
        if isinstance(node, gast.Constant):
            return type(node.value) is float
        if isinstance(node, gast.Name):
            return node.id == assume or node.id in self.var_inexact
        if isinstance(node, gast.BinOp):
            # (a number that folding drops is no float source: ``1.0 * k``, ``k / 1.0``
            # and ``k + 0.0`` read ``k``, an integer for an integer k)
            left, right = node.left, node.right
            if isinstance(node.op, gast.Div):
                return not _neutral(right, node.op) or self.inexact(left, assume)
            return isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Pow,
                                        gast.MatMult)) and (
                not _neutral(left, node.op) and self.inexact(left, assume) or
                not _neutral(right, node.op) and self.inexact(right, assume))
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.inexact(node.operand, assume)
        if isinstance(node, gast.Attribute) and node.attr == 'T':
            return self.inexact(node.value, assume)
        if isinstance(node, gast.Call):
            ctx = self.ctx
            for rule in ctx.ruleset.candidates(ctx.ruleset.inexact, node, ctx):
                env = rule.match(node, ctx)
                if env is not None and rule.holds(env, ctx):
                    return True
        return False


# -- one function ---------------------------------------------------------------------------------
class Context:
    """What the simplifier knows of one generated function: its definitions, the variables it
    may read through, the names it resolves, and the facts."""

    def __init__(self, body, params, declared, keep, resolver):
        from .optimize import _CHANGING_METHODS, _IMPURE_FUNCTIONS, _changes, _has_user_call
        self._user_call = _has_user_call
        self._impure_functions = _IMPURE_FUNCTIONS
        self._impure_methods = _CHANGING_METHODS
        self.body = body
        self.params = set(params)
        self.keep = set(keep)
        self.resolver = resolver
        self.ruleset = RuleSet.get()
        self.mutated = set()
        self.definitions = {}      # name -> the values assigned to it (any depth)
        self.unanalyzable = set()  # names also bound otherwise (loop targets, tuples, ...)
        self.reads = {}
        for node in n.walk(gast.Module(body=body, type_ignores=[])):
            _changes(node, self.mutated)  # (the variables changed in place)
            if isinstance(node, gast.Assign):
                target = node.targets[0]
                if len(node.targets) == 1 and isinstance(target, gast.Name):
                    self.definitions.setdefault(target.id, []).append(node.value)
                elif not isinstance(target, gast.Subscript):
                    self.unanalyzable.update(target_names(target))
            elif isinstance(node, (gast.For, gast.comprehension)):
                self.unanalyzable.update(target_names(node.target))
            elif isinstance(node, (gast.AugAssign, gast.AnnAssign, gast.With,
                                   gast.FunctionDef, gast.NamedExpr)):
                self.unanalyzable.update(n.names_stored(node))
            elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                self.reads[node.id] = self.reads.get(node.id, 0) + 1
        self.unanalyzable |= self.mutated  # changed in place: values (and shapes) vary
        self.locals = set(self.definitions) | self.unanalyzable | self.params
        self.top = {}              # name -> (index, value): top-level single definitions
        for index, stmt in enumerate(body):
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], gast.Name):
                name = stmt.targets[0].id
                if len(self.definitions.get(name, ())) == 1 and name not in self.params and \
                        name not in self.unanalyzable:
                    self.top[name] = (index, stmt.value)
        self._stable = {}
        self._normal = {}
        self._normal_keys = {}
        self._top_in_order = None
        self._assignments = None
        self.normalizer = None  # (the Normalizer running, if one is)
        self.fired = False  # (set by a rule that built its replacement)
        self.builds = 0     # replacements rules built
        self._lookups = {}  # dotted path -> what it denotes
        self.facts = Facts(self, declared)

    # names
    def lookup(self, node):
        """The object a Name/Attribute chain of the generated code denotes, or None (each
        dotted path is looked up once for the function)."""
        path = n.dotted_path(node)
        if path is None:
            return None
        found = self._lookups.get(path, _MISSING)
        if found is _MISSING:
            found = self._lookups[path] = self._lookup(node, path)
        return found

    def _lookup(self, node, path):
        root = path.split('.')[0]
        if root in self.locals:
            return None
        if self.resolver is not None:
            return self.resolver.lookup(node)
        obj = {'np': numpy, 's2s': runtime, 'math': math}.get(root)
        for part in path.split('.')[1:]:
            obj = getattr(obj, part, None)
        return obj

    def pure(self, node, memo=None):
        """Whether evaluating `node` twice gives the same value and does nothing else: no
        calls but of library functions (NumPy, math, s2sgrad's helpers and rules).

        `memo` (id of a node -> (node, purity)) holds what earlier calls found for parts
        of `node`, and receives what this one finds; it is valid while no node changes
        (`Facts.shape` keeps one for the duration of one question)."""
        if memo is None:
            memo = {}
        known = memo.get(id(node))
        if known is not None:
            return known[1]
        normal = self._normal_purity(node)
        if normal is not None:
            known = normal.get(id(node))
            if known is not None:
                memo[id(node)] = known
                return known[1]
        result = self._pure_walk(node, memo)
        memo[id(node)] = (node, result)
        if normal is not None:
            normal[id(node)] = (node, result)
        return result

    def _normal_purity(self, node):
        """The running normalizer's table of the purity of subtrees (id -> (node, purity))
        when it found `node` normal (then `node` does not change while it runs), else
        None."""
        normalizer = self.normalizer
        if normalizer is None:
            return None
        record = node.__dict__.get('_s2s_normal')
        return normalizer.purity if record is not None and \
            record[0] is normalizer.token else None

    def _pure_walk(self, node, memo):
        """`pure` of `node`, reading in `memo` (and not descending into) the parts already
        known."""
        stack = [node]
        pop, push = stack.pop, stack.append
        child_fields, node_class, call_class = n._CHILD_FIELDS, gast.AST, gast.Call
        while stack:
            sub = pop()
            cls = sub.__class__
            if cls is call_class or cls in _IMPURE_NODES:
                if not self._pure_here(sub):
                    return False
            fields = child_fields.get(cls)
            if fields is None:
                fields = n._child_fields(cls)
            values = sub.__dict__
            for field in fields:
                value = values.get(field)
                for item in (value if value.__class__ is list else (value,)):
                    if isinstance(item, node_class):
                        found = memo.get(id(item))
                        if found is None and self.normalizer is not None and \
                                self._normal_purity(item) is not None:
                            found = (item, self.pure(item, memo))
                        if found is None:
                            push(item)
                        elif not found[1]:
                            return False
        return True

    def _pure_here(self, sub):
        """Whether node `sub` itself, its parts aside, keeps an expression pure."""
        if isinstance(sub, (gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await)):
            return False
        if not isinstance(sub, gast.Call):
            return True
        func = sub.func
        if isinstance(func, gast.Attribute) and func.attr in self._impure_methods or \
                isinstance(func, gast.Name) and func.id in self._impure_functions:
            return False
        obj = self.lookup(func)
        if obj is None:
            return not self._user_call(gast.Call(func=func, args=[], keywords=[]))
        module = _module_name(obj) or getattr(obj, '__name__', '')
        return isinstance(module, str) and \
            module.split('.')[0] in ('numpy', 'math', 's2sgrad')

    def stable(self, name):
        """Whether `name` holds one value wherever it is read after its definition: a
        parameter never assigned nor changed, a global, or a variable assigned once at the
        top level from stable names, and never changed in place."""
        if name in self._stable:
            return self._stable[name]
        self._stable[name] = False  # (a cycle is not stable)
        if name in self.params:
            result = name not in self.definitions and name not in self.unanalyzable
        elif name in self.top:
            value = self.top[name][1]
            result = self.pure(value) and all(self.stable(r) for r in n.names_read(value))
        else:
            result = name not in self.locals
        self._stable[name] = result
        return result

    def expandable(self, name, position):
        """Whether a read of `name` in top-level statement `position` may be written out as
        the value it was assigned (not an indexing: no rule reads through one, and generated
        code keeps indexings in variables of their own)."""
        return name in self.top and self.top[name][0] < position and self.stable(name) and \
            not any(isinstance(sub, gast.Subscript) or _cast(sub)
                    for sub in n.walk(self.top[name][1]))

    def expand(self, node, position, budget=None):
        """`node` (cloned) with the variables it reads written out, as far as `_MAX_NODES`
        allows."""
        budget = budget if budget is not None else [_MAX_NODES - _size(node)]

        def visit(sub):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and \
                    self.expandable(sub.id, position):
                value = self.top[sub.id][1]
                cost = _size(value)
                if cost <= budget[0]:
                    budget[0] -= cost
                    return visit(n.clone(value))
                return sub
            for field, value in gast.iter_fields(sub):
                if isinstance(value, gast.AST):
                    setattr(sub, field, visit(value))
                elif isinstance(value, list):
                    setattr(sub, field, [visit(v) if isinstance(v, gast.AST) else v
                                         for v in value])
            return sub
        return visit(n.clone(node))

    def normal_of(self, name):
        """The normal form of the value of variable `name`, written out."""
        if name not in self._normal:
            index, value = self.top[name]
            self._normal[name] = Normalizer(self).run(self.expand(value, index))
        return self._normal[name]

    def normal_key(self, name):
        """The `_key` of `normal_of(name)` (computed once: normal forms are not changed)."""
        key = self._normal_keys.get(name)
        if key is None:
            key = self._normal_keys[name] = _key(self.normal_of(name))
        return key

    def assignments(self):
        """The assignments of the function, at any depth, in source order (found once:
        the passes on one Context change their values, never which statements there are)."""
        if self._assignments is None:
            module = gast.Module(body=self.body, type_ignores=[])
            self._assignments = [node for node in n.walk(module)
                                 if isinstance(node, gast.Assign)]
        return self._assignments

    def top_in_order(self):
        """The items of `top`, ``(name, (index, value))``, in the order of the index."""
        if self._top_in_order is None:
            self._top_in_order = sorted(self.top.items(), key=lambda item: item[1][0])
        return self._top_in_order


# -- normal forms --------------------------------------------------------------------------------
class Normalizer:
    """Rewrites an expression bottom-up to its normal form under the rules."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.steps = 0
        self.fired = False
        ctx.fired = False
        self.token = object()  # marks the subtrees this normalizer found in normal form
        self.fires = 0         # times `fired` was set
        self.unsure = 0        # rewrites seen while `fired` was set already (see `at`)
        self.shapes = {}       # id -> (node, shape) of normal subtrees (see `Facts.shape`)
        self.purity = {}       # id -> (node, purity) of normal subtrees (see `Context.pure`)

    def run(self, node):
        """The normal form of `node` (a tree it may reuse parts of)."""
        ctx = self.ctx
        running, ctx.normalizer = ctx.normalizer, self
        try:
            return self.visit(node)
        finally:
            ctx.normalizer = running

    def visit(self, node):
        """`node` in normal form (its parts normalized in place first).

        A subtree this normalizer already found normal (it may reappear in what a rule
        built, as the same node or a clone) is not visited again: its record (see `at`)
        tells what visiting it would do, and that is done instead (the steps counted, the
        flags set)."""
        record = node.__dict__.get('_s2s_normal')
        if record is not None and record[0] is self.token and \
                (record[2] or not record[4] or self.fired):
            self.steps += record[1]
            if self.steps > _BUDGET:
                raise _OutOfBudget
            if record[2]:
                self.fired = True
                self.fires += 1
            if record[3]:
                self.ctx.fired = True
                self.ctx.builds += 1
            return node
        below = [0, False, False, False]  # what visiting the (normal) parts again does
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.AST) and isinstance(value, gast.expr):
                value = self.visit(value)
                setattr(node, field, value)
                _add_record(below, value)
            elif isinstance(value, list):
                new = [self.visit(v) if isinstance(v, gast.expr) else v for v in value]
                setattr(node, field, new)
                for item in new:
                    if isinstance(item, gast.expr):
                        _add_record(below, item)
                for item in value:
                    if isinstance(item, gast.keyword):
                        item.value = self.visit(item.value)
                        _add_record(below, item.value)
        return self.at(node, below)

    def at(self, node, below=None):
        """`node`, whose parts are normal, in normal form.

        When `node` is normal already, it records on itself what visiting it again would
        do (`below`: what visiting its parts again does): how many steps it counts, whether
        it sets `fired` and `ctx.fired`, and whether it may set `fired` where this visit
        could not tell (`fired` was set already when a rewrite shrank the tree)."""
        ctx = self.ctx
        steps, fires, builds, unsure = self.steps, self.fires, ctx.builds, self.unsure
        self.steps += 1
        if self.steps > _BUDGET:
            raise _OutOfBudget
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)) or \
                isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
                isinstance(node.operand, gast.BinOp) and isinstance(node.operand.op,
                                                                    (gast.Add, gast.Sub)):
            new = self.sum(node)
        elif isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)) or \
                isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            new = self.product(node)
        else:
            new = self.rewrite(node)
        if new is None or _same(new, node):
            if below is not None:
                node._s2s_normal = (
                    self.token, below[0] + self.steps - steps,
                    below[1] or self.fires != fires, below[2] or ctx.builds != builds,
                    below[3] or self.unsure != unsure)
            return node
        if not self.fired:
            if _size(new) < _size(node):
                self.fired = True  # (gathered numbers, cancelled factors, dropped signs)
                self.fires += 1
        else:
            self.unsure += 1
        return self.visit(new)

    def rewrite(self, node):
        ctx = self.ctx
        if isinstance(node, gast.BinOp) and _number(node.left) and _number(node.right):
            return _fold_numbers(node)
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Pow) and \
                _number(node.right) and node.right.value == 1 and \
                type(node.right.value) is int:
            return node.left
        for rule in ctx.ruleset.candidates(ctx.ruleset.rewrites, node, ctx):
            env = rule.match(node, ctx)
            if env is not None and rule.holds(env, ctx):
                new = rule.build(env, ctx)
                if new is not None:
                    return new
        return None

    # products ----------------------------------------------------------------------------
    def product(self, node):
        """``c * a * b / d``: number factors gathered in front, the sign in front, a divisor
        cancelled against an equal factor, pair and factor rules applied."""
        ctx = self.ctx
        nums, dens = [], []
        sign = _flatten_product(node, nums, dens)
        facts = ctx.facts
        start = _chain_shape(facts, nums, dens)
        changed = True
        while changed:
            changed = False
            # a divisor equal to a factor: both go (math-exact where the divisor is finite
            # and nonzero; at 0 or inf the general form reads nan, 0 * inf, and the
            # primal divided by it or took its log: no derivative exists there)
            for j, den in enumerate(dens):
                k = next((i for i, num in enumerate(nums) if _same(num, den)), None)
                if k is None:
                    continue
                new_nums, new_dens = nums[:k] + nums[k + 1:], dens[:j] + dens[j + 1:]
                new_nums = new_nums or [n.const(1.0)]  # (a quotient is a float)
                if _same_chain_shape(facts, start, new_nums, new_dens):
                    nums, dens, changed = new_nums, new_dens, True
                    break
            if changed:
                continue
            for i, factor in enumerate(nums):
                for rule in ctx.ruleset.factors:
                    env = rule.match(factor, ctx)
                    if env is None:
                        continue
                    # (`rest`: the product of the other factors, for conditions to read)
                    env['rest'] = _build_product(nums[:i] + nums[i + 1:] or [n.const(1)],
                                                 dens, 1)
                    if not rule.holds(env, ctx):
                        continue
                    new = rule.build(env, ctx)
                    if new is None:
                        continue
                    new = self.visit(new)
                    more_nums, more_dens = [], []
                    s = _flatten_product(new, more_nums, more_dens)
                    new_nums = nums[:i] + more_nums + nums[i + 1:]
                    new_dens = dens + more_dens
                    if _same_chain_shape(facts, start, new_nums, new_dens):
                        nums, dens, sign, changed = new_nums, new_dens, sign * s, True
                        break
                if changed:
                    break
            if changed:
                continue
            factors = [(False, f) for f in nums] + [(True, d) for d in dens]
            for a in range(len(factors)):
                for b in range(len(factors)):
                    if a == b:
                        continue
                    pair = gast.BinOp(left=_as_factor(*factors[a]), op=gast.Mult(),
                                      right=_as_factor(*factors[b]))
                    for rule in ctx.ruleset.products:
                        env = rule.match(pair, ctx)
                        if env is None or not rule.holds(env, ctx):
                            continue
                        new = rule.build(env, ctx)
                        if new is None:
                            continue
                        new = self.visit(new)
                        rest = [f for k, f in enumerate(factors) if k not in (a, b)]
                        nums = [f for is_den, f in rest if not is_den]
                        dens = [f for is_den, f in rest if is_den]
                        sign *= _flatten_product(new, nums, dens)
                        changed = True
                        break
                    if changed:
                        break
                if changed:
                    break
        # ``exp(z) / sum(exp(z)) * sum(y)``: scalar factors after the quotient of arrays
        scalars = [f for f in nums if not _number(f) and facts.shape(f) == ()]
        arrays = [f for f in nums if _number(f) or facts.shape(f) != ()]
        if dens and scalars and any(not _number(f) for f in arrays):
            return _build_product(arrays, dens, sign, scalars)
        return _build_product(nums, dens, sign)

    # sums ----------------------------------------------------------------------------------
    def sum(self, node):
        """Terms of a sum: pair rules applied, like terms added (``1.0 * x + x`` is
        ``2.0 * x``)."""
        terms = []
        _flatten_sum(node, 1, terms)
        terms = self._cancel(terms)
        numbers = [(sign, t) for sign, t in terms if _number(t)]
        if len(numbers) > 1:
            total = sum(sign * t.value for sign, t in numbers)
            terms = [(sign, t) for sign, t in terms if not _number(t)]
            if total or not terms:
                terms.append((1 if total >= 0 else -1, n.const(abs(total))))
        changed = True
        while changed:
            changed = False
            for a in range(len(terms)):
                for b in range(len(terms)):
                    if a == b:
                        continue
                    pair = gast.BinOp(left=_signed(*terms[a]), op=gast.Add(),
                                      right=_signed(*terms[b]))
                    new = self._pair(pair)
                    if new is None and a < b:
                        new = self._like_terms(terms[a], terms[b])
                    if new is None:
                        continue
                    more = []
                    _flatten_sum(self.visit(new), 1, more)
                    first = min(a, b)
                    terms = [t for k, t in enumerate(terms) if k not in (a, b)]
                    terms[first:first] = more
                    changed = True
                    break
                if changed:
                    break
        return _build_sum(terms, self.ctx.facts)

    def _cancel(self, terms):
        """``log(x) + x / x`` -> ``log(x) + 1.0``: a divisor cancelled against an equal
        factor, where the other terms give the sum its shape (see `product`)."""
        facts = self.ctx.facts
        shapes = [facts.shape(t) for _, t in terms]
        total = ()
        for shape in shapes:
            total = broadcast(total, shape)
        if total is None:
            return terms
        for k, (sign, term) in enumerate(terms):
            nums, dens = [], []
            inner = _flatten_product(term, nums, dens)
            pairs = [(i, j) for j, den in enumerate(dens) for i, num in enumerate(nums)
                     if _same(num, den)]
            if not pairs:
                continue
            i, j = pairs[0]
            nums, dens = nums[:i] + nums[i + 1:], dens[:j] + dens[j + 1:]
            new = _build_product(nums or [n.const(1.0)], dens, inner)
            rest = ()
            for other, shape in enumerate(shapes):
                rest = broadcast(rest, facts.shape(new) if other == k else shape)
            if rest is not None and rest == total:
                self.fired = True
                self.fires += 1
                return terms[:k] + [(sign, new)] + terms[k + 1:]
        return terms

    def _pair(self, pair):
        ctx = self.ctx
        for rule in ctx.ruleset.sums:
            env = rule.match(pair, ctx)
            if env is not None and rule.holds(env, ctx):
                new = rule.build(env, ctx)
                if new is not None:
                    return new
        return None

    def _like_terms(self, first, second):
        """``a * x + b * x`` -> ``(a + b) * x`` for numbers a, b; with integer coefficients
        only for a proven float x (``x + x`` of bools is ``x``, not ``2 * x``)."""
        (sign1, term1), (sign2, term2) = first, second
        coef1, rest1 = _coefficient(term1)
        coef2, rest2 = _coefficient(term2)
        if rest1 is None or rest2 is None or not _same(rest1, rest2):
            return None
        total = sign1 * coef1 + sign2 * coef2
        floats = isinstance(coef1, float) or isinstance(coef2, float)
        if total == 0 or not floats and not self.ctx.facts.inexact(rest1):
            return None
        self.fired = True
        self.fires += 1
        return gast.BinOp(left=_const(total), op=gast.Mult(), right=n.clone(rest1))


class _OutOfBudget(Exception):
    pass


def _add_record(total, node):
    """Add to `total` the record of what visiting normal `node` again does (see
    `Normalizer.at`)."""
    record = node._s2s_normal
    total[0] += record[1]
    total[1] = total[1] or record[2]
    total[2] = total[2] or record[3]
    total[3] = total[3] or record[4]


def _fold_numbers(node):
    from .optimize import _FOLD
    op = _FOLD.get(type(node.op))
    if op is None:
        return None
    try:
        value = op(node.left.value, node.right.value)
    except (ZeroDivisionError, OverflowError):
        return None
    if type(value) not in (int, float) or value != value or value in (math.inf, -math.inf):
        return None
    return _const(value)


def _flatten_product(node, nums, dens):
    """Append the factors of the product `node` to `nums`, its divisors to `dens`; return
    its sign (1 or -1)."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -_flatten_product(node.operand, nums, dens)
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        return _flatten_product(node.left, nums, dens) * \
            _flatten_product(node.right, nums, dens)
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Div):
        sign = _flatten_product(node.left, nums, dens)
        divisor = node.right
        while isinstance(divisor, gast.UnaryOp) and isinstance(divisor.op, gast.USub):
            sign, divisor = -sign, divisor.operand
        dens.append(divisor)
        return sign
    nums.append(node)
    return 1


def _build_product(nums, dens, sign, tail=()):
    """The product of `nums` divided by `dens` (then times `tail`), with `sign` in front."""
    numbers = [f.value for f in nums if _number(f)]
    others = [f for f in nums if not _number(f)]
    coefficient = None
    if numbers:
        coefficient = numbers[0]
        for value in numbers[1:]:
            coefficient = coefficient * value
    if coefficient is not None and coefficient == 1 and type(coefficient) is int and others:
        coefficient = None   # (``1.0 * x`` stays: ``1.0 * x + 1.0 * x`` is ``2.0 * x``)
    factors = ([n.const(coefficient)] if coefficient is not None else []) + others
    if not factors:
        factors = [n.const(1)]
    unit = _number(factors[0]) and factors[0].value == 1 and len(factors) > 1
    if sign < 0 and not unit:
        factors[0] = _const(-factors[0].value) if _number(factors[0]) else \
            gast.UnaryOp(op=gast.USub(), operand=factors[0])
    tree = factors[0]
    for factor in factors[1:]:
        tree = gast.BinOp(left=tree, op=gast.Mult(), right=factor)
    for divisor in dens:
        tree = gast.BinOp(left=tree, op=gast.Div(), right=divisor)
    for factor in tail:
        tree = gast.BinOp(left=tree, op=gast.Mult(), right=factor)
    if sign < 0 and unit:  # ``-(1.0 * x)``: the sign stays outside, as for ``-x``
        tree = gast.UnaryOp(op=gast.USub(), operand=tree)
    return tree


def _as_factor(is_divisor, node):
    if is_divisor:
        return gast.BinOp(left=n.const(1), op=gast.Div(), right=node)
    return node


def _chain_shape(facts, nums, dens):
    shape = ()
    for factor in nums + dens:
        shape = broadcast(shape, facts.shape(factor))
        if shape is None:
            return None
    return shape


def _same_chain_shape(facts, start, nums, dens):
    if start is None:
        return False
    shape = _chain_shape(facts, nums, dens)
    return shape is not None and shape == start


def _coefficient(term):
    """``(c, x)`` for a term ``c * x`` (c a number; 1 when absent), or (None, None)."""
    nums, dens = [], []
    sign = _flatten_product(term, nums, dens)
    numbers = [f.value for f in nums if _number(f)]
    others = [f for f in nums if not _number(f)]
    if not others:
        return None, None
    coefficient = 1
    for value in numbers:
        coefficient = coefficient * value
    return sign * coefficient, _build_product(others, dens, 1)


def _flatten_sum(node, sign, terms):
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)):
        _flatten_sum(node.left, sign, terms)
        _flatten_sum(node.right, sign if isinstance(node.op, gast.Add) else -sign, terms)
    elif isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            isinstance(node.operand, gast.BinOp) and isinstance(node.operand.op,
                                                                (gast.Add, gast.Sub)):
        _flatten_sum(node.operand, -sign, terms)
    else:
        nums, dens = [], []
        if _flatten_product(node, nums, dens) < 0:  # ``-y`` is the term y, subtracted
            terms.append((-sign, _build_product(nums, dens, 1)))
        else:
            terms.append((sign, node))


def _signed(sign, node):
    if sign > 0:
        return node
    nums, dens = [], []
    inner = _flatten_product(node, nums, dens)
    return _build_product(nums, dens, -inner)


def _unmarked(node):
    """`node`, the records of normal form (see `Normalizer.at`) removed from its parts."""
    for sub in n.walk(node):
        sub.__dict__.pop('_s2s_normal', None)
    return node


def _leading_number(node):
    """The number constant that leads the product `node` (``2.0`` in ``2.0 * x / y``)."""
    while isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        node = node.left
    return node if _number(node) else None


def _after_leading_number(node):
    """The factor that the leading number of the product `node` multiplies first."""
    while isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        if _number(node.left):
            return node.right
        node = node.left
    return node


def _build_sum(terms, facts):
    if terms[0][0] < 0:  # ``-y + a`` reads ``a - y``
        first = next((k for k, (sign, _) in enumerate(terms) if sign > 0), None)
        if first is not None:
            terms = [terms[first]] + terms[:first] + terms[first + 1:]
    floated = False   # a sum with one float term is a float: ``2.0 * x + 3 * x ** 2``
    for k, (sign, term) in enumerate(terms):
        number = _leading_number(term)
        if number is None or type(number.value) is not float or \
                not number.value.is_integer():
            continue
        # (an integer coefficient only times a proven float: ``3 * k`` of an integer
        # array k is an integer product, which overflows, where ``3.0 * k`` is not)
        if floated and facts.inexact(_after_leading_number(term)):
            term = _unmarked(n.clone(term))  # (changed below: no longer known normal)
            _leading_number(term).value = int(number.value)
            terms = terms[:k] + [(sign, term)] + terms[k + 1:]
        floated = floated or number.value != 1  # (a factor 1.0 is dropped in the end)
    tree = _signed(*terms[0])
    for sign, term in terms[1:]:
        if sign < 0 or isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
            positive = _signed(-sign, term)
            if isinstance(positive, gast.UnaryOp) and isinstance(positive.op, gast.USub):
                tree = gast.BinOp(left=tree, op=gast.Add(), right=positive)
            else:
                tree = gast.BinOp(left=tree, op=gast.Sub(), right=positive)
        else:
            tree = gast.BinOp(left=tree, op=gast.Add(), right=term)
    return tree


# -- costs ----------------------------------------------------------------------------------------
def _module_name(obj):
    """The module that defines `obj` (``'numpy'`` for a ufunc, which has no ``__module__``
    before NumPy 2), or None."""
    if isinstance(obj, numpy.ufunc):
        return 'numpy'
    return getattr(obj, '__module__', None)


def _cost(node, ctx, charged, seen=None):
    """Operations in `node`, helper calls weighing more; the variables in `charged` count
    (once) with the cost of their value (the statement is their only reader)."""
    seen = set() if seen is None else seen
    total = 0
    for sub in n.walk(node):
        if isinstance(sub, (gast.BinOp, gast.UnaryOp, gast.Subscript)):
            total += 1
        elif isinstance(sub, gast.Attribute) and sub.attr == 'T':
            total += 1
        elif isinstance(sub, gast.Call):
            obj = ctx.lookup(sub.func)
            module = _module_name(obj) or ''
            total += 1 if module.split('.')[0] in ('numpy', 'math', 'cupy') else _HELPER_COST
        elif isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and \
                sub.id in charged and sub.id not in seen:
            seen.add(sub.id)
            total += _cost(ctx.top[sub.id][1], ctx, charged, seen)
    return total


def _sole_readers(nodes, ctx, position):
    """Variables read only by `nodes` (and by variables only they read), which die when the
    nodes stop reading them."""
    reads = {}
    for node in nodes:
        for sub in n.walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                reads[sub.id] = reads.get(sub.id, 0) + 1
    charged = set()
    frontier = [name for name in reads if ctx.expandable(name, position) and
                reads[name] == ctx.reads.get(name, 0) and name not in ctx.keep]
    while frontier:
        name = frontier.pop()
        if name in charged:
            continue
        charged.add(name)
        value = ctx.top[name][1]
        for sub in n.walk(value):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                reads[sub.id] = reads.get(sub.id, 0) + 1
                if reads[sub.id] == ctx.reads.get(sub.id, 0) and \
                        ctx.expandable(sub.id, position) and sub.id not in ctx.keep:
                    frontier.append(sub.id)
    return charged


# -- the pass -----------------------------------------------------------------------------------
def simplify(body, params, declared=None, keep=(), resolver=None):
    """Rewrite the statements of the backward sweep in `body` (statements of a generated
    function with parameters `params`) by the algebraic rules, where the facts (`declared`:
    parameter name -> tuple of sizes) prove them and the result is cheaper; return the body.

    A statement reads through the variables assigned once before it (their values written
    out), is brought to normal form, and is written again with the variables whose values
    reappear; it changes only when that costs fewer operations, counting the variables it
    alone reads.
    """
    if not rules.REWRITES and RuleSet.get().count == 0:
        return body
    start = _backward_start(body)
    if start is None:
        return body
    ctx = Context(body, params, declared, keep, resolver)
    if _merge_accumulations(body, start, ctx):  # (else what ctx knows still holds)
        ctx = Context(body, params, declared, keep, resolver)
    for index in range(start, len(body)):
        _statements(body[index], index, ctx)
    return body


def _backward_start(body):
    for index, stmt in enumerate(body):
        if n.is_comment(stmt) and 'Grad of' in stmt.value.value:
            return index
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) and \
                n.dotted_path(stmt.value.func) == 's2s.seed':
            return index
    return None


def _statements(stmt, index, ctx, in_loop=False):
    """Simplify `stmt` (at top-level position `index`) and the statements inside it."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id not in ctx.mutated:
        new = _simplified(stmt.value, [stmt.value], index, ctx, stmt.targets[0].id, in_loop)
        if new is not None:
            stmt.value = new
            stmt.__dict__.pop('_s2s_length', None)
    elif isinstance(stmt, gast.Return) and stmt.value is not None:
        new = _simplified(stmt.value, [stmt.value], index, ctx, None, in_loop)
        if new is not None:
            stmt.value = new
            stmt.__dict__.pop('_s2s_length', None)
    if isinstance(stmt, (gast.Assign, gast.Return)) and stmt.value is not None and \
            _has_float_one(stmt.value):
        # ``x - 1.0 * y / p`` reads ``x - y / p``; a statement ``t = 1.0 * x`` stays when
        # ``t = x`` could share memory with a variable changed in place
        top = stmt.value
        stmt.value = _drop_float_ones(n.clone(stmt.value))
        if not _shares_no_more(stmt.value, [top], ctx):
            stmt.value = top
        if isinstance(stmt, gast.Assign) and stmt.value is not top and \
                _view_of(stmt.value) is not None and not _alias_safe(stmt.targets[0].id, ctx):
            stmt.value = top
            top.left, top.right = _drop_float_ones(top.left), _drop_float_ones(top.right)
        stmt.__dict__.pop('_s2s_length', None)
    loop = in_loop or isinstance(stmt, (gast.For, gast.While))
    for field in ('body', 'orelse'):
        block = getattr(stmt, field, None)
        if isinstance(block, list) and not isinstance(stmt, gast.FunctionDef):
            for inner in block:
                _statements(inner, index, ctx, loop)


def _simplified(value, old_nodes, index, ctx, target=None, in_loop=False):
    """The simplified form of expression `value` (replacing `old_nodes`) at top-level
    position `index`, or None when it is no cheaper. In a loop, no variable assigned before
    it is written out again (it would be computed at each iteration)."""
    normalizer = Normalizer(ctx)
    charged = set() if in_loop else _sole_readers(old_nodes, ctx, index)
    try:
        expanded = ctx.expand(value, index)
        original = n.clone(expanded)
        ctx.fired = False
        normal = normalizer.run(expanded)
        if not (normalizer.fired or ctx.fired):  # reordered only: nothing to gain
            return None
        new = _drop_float_ones(_recompress(normal, index, ctx, charged,
                                           _spellings(original, ctx)))
    except _OutOfBudget:
        return None
    seen = set()
    old_cost = sum(_cost(node, ctx, charged, seen) for node in old_nodes) + len(old_nodes) - 1
    new_cost = _cost(new, ctx, charged)
    if new_cost >= old_cost:
        return None
    if target is not None and _view_of(new) is not None and not _alias_safe(target, ctx):
        return None  # ``y = 1.0 * x`` made a new array: `y = x` would be changed with it
    if not _shares_no_more(new, old_nodes, ctx):
        return None
    return new


def _shares_no_more(new, old_nodes, ctx):
    """Whether the value of `new` shares the memory of no variable changed in place that
    the values of `old_nodes` did not share (``s2s.copy(y)`` never becomes ``y``)."""
    shared = _shared(new) & ctx.mutated
    return not shared or shared <= set().union(*[_shared(o) for o in old_nodes])


def _view_of(node):
    """The variable whose memory the value of `node` may share (``x``, ``x.T``, ``x[i]``)."""
    while isinstance(node, gast.Attribute) and node.attr == 'T' or \
            isinstance(node, gast.Subscript):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _shared(node):
    """Names whose memory the value of `node` may share (calls may return an argument)."""
    if isinstance(node, gast.Name):
        return {node.id}
    if isinstance(node, (gast.Attribute, gast.Subscript, gast.Starred)):
        return _shared(node.value)
    if isinstance(node, gast.Call):
        if n.dotted_path(node.func) == 's2s.copy':
            return set()
        return set().union(*[_shared(a) for a in node.args],
                           *[_shared(k.value) for k in node.keywords])
    if isinstance(node, (gast.List, gast.Tuple, gast.Set)):
        return set().union(*[_shared(e) for e in node.elts])
    if isinstance(node, gast.Dict):
        return set().union(*[_shared(v) for v in node.values])
    if isinstance(node, gast.IfExp):
        return _shared(node.body) | _shared(node.orelse)
    return set()


def _alias_safe(target, ctx):
    """Whether no variable that may share `target`'s memory is changed in place: then
    `target` may be a view of another variable instead of a new array."""
    if not ctx.mutated:
        return True
    closure = {target}
    changed = True
    while changed:
        changed = False
        for node in ctx.assignments():
            if _shared(node.value) & closure:
                for name in n.names_stored(node):
                    if name not in closure:
                        closure.add(name)
                        changed = True
    return not closure & ctx.mutated


def _spellings(node, ctx):
    """The normal forms of the calls in `node` -> those calls as written (outermost first):
    a value the program computes keeps its spelling (``np.tanh(x @ W)``, not
    ``np.tanh(W.T @ x)``), products of the adjoints take the normal form."""
    table = {}
    for sub in n.walk(node):
        if isinstance(sub, gast.Call) and \
                _size(sub) <= 40 and _cost(sub, ctx, ()) == _plain_cost(sub):
            try:
                normal = Normalizer(ctx).run(n.clone(sub))
            except _OutOfBudget:
                continue
            if _cost(sub, ctx, ()) <= _cost(normal, ctx, ()):
                table.setdefault(_key(normal), sub)
    return table


def _plain_cost(node):
    """The cost of `node` if all its calls are NumPy calls (see `_cost`)."""
    return sum(1 for sub in n.walk(node) if isinstance(
        sub, (gast.BinOp, gast.UnaryOp, gast.Subscript, gast.Call)) or
        isinstance(sub, gast.Attribute) and sub.attr == 'T')


def _recompress(node, index, ctx, charged, spellings=None):
    """`node` with each part equal to the (normal) value of a variable available at
    `index` written as that variable: a variable computed anyway (read elsewhere than in
    the statement, or here more than once); the others are written out in normal form."""
    table = {}
    for name, (position, _) in ctx.top_in_order():
        if position < index and ctx.stable(name):
            try:
                normal = ctx.normal_of(name)
            except _OutOfBudget:
                continue
            if not isinstance(normal, (gast.Name, gast.Constant)):
                table.setdefault(ctx.normal_key(name), name)
    found = {}

    def count(sub):
        if isinstance(sub, gast.expr) and not isinstance(sub, (gast.Name, gast.Constant)):
            name = table.get(_key(sub))
            if name is not None:
                found[name] = found.get(name, 0) + 1
        for child in _children(sub):
            count(child)
    count(node)
    use = {name for name, times in found.items() if name not in charged or times > 1}

    def visit(sub, root=True, spell=True, within=()):
        if root and isinstance(sub, gast.expr) and \
                not isinstance(sub, (gast.Name, gast.Constant)):
            name = table.get(_key(sub))
            if name in use:
                return n.name(name)
            written = (spellings or {}).get(_key(sub)) if spell else None
            if written is not None and not _same(written, sub):
                return visit(n.clone(written), False, False, within)
            if name is not None and name not in within:  # as the program wrote it
                position, value = ctx.top[name]
                return visit(ctx.expand(value, position), False, False, within + (name,))
        for field, value in gast.iter_fields(sub):
            if isinstance(value, gast.AST):
                setattr(sub, field, visit(value, True, spell, within))
            elif isinstance(value, list):
                setattr(sub, field, [visit(v, True, spell, within) if isinstance(v, gast.AST)
                                     else v for v in value])
        return sub
    return visit(node)


def _children(node):
    for _, value in gast.iter_fields(node):
        if isinstance(value, gast.AST):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, gast.AST))


def _has_float_one(node):
    return any(isinstance(sub, gast.BinOp) and isinstance(sub.op, gast.Mult) and
               (_number(sub.left) and sub.left.value == 1 or
                _number(sub.right) and sub.right.value == 1) for sub in n.walk(node))


def _drop_float_ones(node):
    """``1.0 * x`` -> ``x`` in a product with other factors (as the optimizer's folding
    reads it; normal forms keep the 1.0 so that like terms add up as floats)."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and \
            isinstance(node.left, gast.UnaryOp) and isinstance(node.left.op, gast.USub) and \
            _number(node.left.operand) and node.left.operand.value == 1:
        return gast.UnaryOp(op=gast.USub(), operand=_drop_float_ones(node.right))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult) and \
            not getattr(node, 'written', False):  # the user's own ``1.0 * k`` casts
        if _number(node.left) and node.left.value == 1:
            return _drop_float_ones(node.right)
        if _number(node.right) and node.right.value == 1:
            return _drop_float_ones(node.left)
    for field, value in gast.iter_fields(node):
        if isinstance(value, gast.AST):
            setattr(node, field, _drop_float_ones(value))
        elif isinstance(value, list):
            setattr(node, field, [_drop_float_ones(v) if isinstance(v, gast.AST) else v
                                  for v in value])
    return node


def _merge_accumulations(body, start, ctx):
    """``t = e1`` ... ``t = t + e2`` -> ``t = e1 + e2`` where the sum simplifies; return
    whether `body` changed."""
    dropped = set()
    known = {}  # id of a statement -> (it, its value, names it reads, purity of the value)

    def facts(stmt):
        found = known.get(id(stmt))
        if found is None or found[1] is not stmt.value:  # (a merged value is new)
            found = known[id(stmt)] = [stmt, stmt.value, set(n.names_read(stmt)), None]
        return found

    def pure(stmt):
        found = facts(stmt)
        if found[3] is None:
            found[3] = ctx.pure(stmt.value)
        return found[3]
    for index in range(start, len(body)):
        first = body[index]
        if not _is_name_assign(first) or first.targets[0].id in ctx.mutated:
            continue
        name = first.targets[0].id
        reads = set(n.names_read(first.value))
        for later in range(index + 1, len(body)):
            stmt = body[later]
            if _is_name_assign(stmt) and stmt.targets[0].id == name:
                value = stmt.value
                if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and \
                        isinstance(value.left, gast.Name) and value.left.id == name and \
                        name not in n.names_read(value.right):
                    candidate = gast.BinOp(left=n.clone(first.value), op=gast.Add(),
                                           right=n.clone(value.right))
                    new = _simplified(candidate, [first.value, value], later, ctx, name)
                    if new is not None and _cost(new, ctx, ()) == _plain_cost(new):
                        # (merged only when no helper call is left: a sum of helper
                        # calls reads better, and differentiates again, as accumulations)
                        stmt.value = new
                        stmt.__dict__.pop('_s2s_length', None)
                        dropped.add(index)
                break
            if n.is_comment(stmt):
                continue
            if not _is_name_assign(stmt) or name in facts(stmt)[2] or \
                    stmt.targets[0].id in reads or not pure(stmt):
                break
    body[:] = [stmt for index, stmt in enumerate(body) if index not in dropped]
    return bool(dropped)


def _is_name_assign(stmt):
    return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], gast.Name)
