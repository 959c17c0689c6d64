"""The algebraic rules as the simplifier applies them: parsed, indexed, matched and built."""
import gast

from . import nodes as n
from . import rules
from .expr_keys import is_number, replace_children, same

_MISSING = object()


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
        """Whether `node` matches the pattern part `pat`, binding placeholders in `env` and
        recording in `spelled` how `node` writes the rule's names."""
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
                return same(bound, node)
            return isinstance(node, gast.Attribute) and node.attr == pat.attr and \
                self._match(pat.value, node.value, env, spelled, ctx)
        if isinstance(pat, gast.Constant):
            if not isinstance(node, gast.Constant):
                return False
            if is_number(pat):
                return is_number(node) and node.value == pat.value
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
            return replace_children(new, make)
        try:
            new = make(self.replacement)
        except LookupError:
            return None
        ctx.fired = True
        ctx.builds += 1
        return new


def _parse(text):
    """The expression of a rule's source `text`."""
    return gast.parse(text.strip(), mode='eval').body


def _index_key(node):
    """The key under which `RuleSet` files the rules whose pattern is like `node`."""
    if isinstance(node, gast.BinOp):
        return ('binop', type(node.op).__name__)
    if isinstance(node, gast.UnaryOp):
        return ('unary', type(node.op).__name__)
    if isinstance(node, gast.Attribute):
        return ('attr', node.attr)
    return (type(node).__name__,)


def first_rewrite(candidates, node, ctx):
    """What the first rule of `candidates` that matches `node`, holds and can be spelled
    builds, or None."""
    for rule in candidates:
        env = rule.match(node, ctx)
        if env is not None and rule.holds(env, ctx):
            new = rule.build(env, ctx)
            if new is not None:
                return new
    return None


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
