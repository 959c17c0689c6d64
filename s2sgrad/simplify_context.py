"""What the simplifier knows of one generated function: definitions, names, purity, stability."""
import math

import gast
import numpy

from . import nodes as n
from . import runtime
from .activity import target_names
from .dead_code import IMPURE_FUNCTIONS
from .expr_keys import expr_key, is_cast, node_count, replace_children
from .facts import Facts
from .inlining import has_user_call
from .mutation import CHANGING_METHODS, changes
from .normal_form import Normalizer
from .randomness import draws
from .rewrite_cost import module_name
from .rewrite_rules import RuleSet

_MAX_NODES = 250     # nodes of a statement with the variables it reads written out
_MISSING = object()
_IMPURE_NODES = frozenset((gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await))


class Context:
    """What the simplifier knows of one generated function: its definitions, the variables it
    may read through, the names it resolves, and the facts."""

    def __init__(self, body, params, declared, keep, resolver, changed=(), lists=(),
                 data=()):
        self._user_call = has_user_call
        self._impure_functions = IMPURE_FUNCTIONS
        self._impure_methods = CHANGING_METHODS
        self.body = body
        self.lists = frozenset(lists)  # (lists and tuples: ``*`` repeats, ``+`` concatenates)
        self.params = set(params)
        self.data = frozenset(data)  # (parameters that may hold integers: not differentiated)
        self.keep = set(keep)
        self.resolver = resolver
        self.ruleset = RuleSet.get()
        self.mutated = set()
        self.definitions = {}      # name -> the values assigned to it (any depth)
        self.unanalyzable = set()  # names also bound otherwise (loop targets, tuples, ...)
        self.reads = {}
        for node in n.walk(gast.Module(body=body, type_ignores=[])):
            changes(node, self.mutated)  # (the variables changed in place)
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
        # (and the names the alias analysis found sharing an array written where earlier
        # runs' arrays were told apart: ``u = un`` before ``un[1:] = ...`` at the loop's
        # next run, which the backward sweep undoes; `alias_analysis.recent_sharers`)
        self.mutated |= set(changed)
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
        self._whole_values = {}  # name -> `_written_out(name)`
        # (terms of sums and the pairs of them no rule joins, for every `Normalizer` of this
        # context: what a pair rule sees of a pair, its structure and the facts, is fixed here)
        self.sum_terms = {}
        self.sums_apart = set()
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
        if sub.__class__ in _IMPURE_NODES:
            return False
        if not isinstance(sub, gast.Call):
            return True
        func = sub.func
        if isinstance(func, gast.Attribute) and func.attr in self._impure_methods or \
                isinstance(func, gast.Name) and func.id in self._impure_functions or \
                draws(sub):  # (NumPy's, and yet no value: a draw made again differs)
            return False
        obj = self.lookup(func)
        if obj is None:
            return not self._user_call(gast.Call(func=func, args=[], keywords=[]))
        module = module_name(obj) or getattr(obj, '__name__', '')
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
            not any(isinstance(sub, gast.Subscript) or is_cast(sub)
                    for sub in n.walk(self.top[name][1]))

    def expand(self, node, position):
        """`node` (cloned) with the variables it reads written out, as far as `_MAX_NODES`
        allows."""
        budget = [_MAX_NODES - node_count(node)]

        def visit(sub):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and \
                    self.expandable(sub.id, position):
                whole = self._written_out(sub.id)
                if whole is not None and whole[1] <= budget[0]:
                    # (each variable inside is written out as below, within the budget)
                    budget[0] -= whole[1]
                    return n.clone(whole[0])
                value = self.top[sub.id][1]
                cost = node_count(value)
                if cost <= budget[0]:
                    budget[0] -= cost
                    return visit(n.clone(value))
                return sub
            return replace_children(sub, visit)
        return visit(n.clone(node))

    def _written_out(self, name):
        """``(tree, cost)``: the value of top-level variable `name` with every variable it
        reads written out, at any depth, as `expand` does with budget to spare (`cost`: the
        budget that takes), or None where a variable inside is defined after `name` (then
        what `expand` writes out depends on the position). Found once, until
        `values_changed`."""
        if name in self._whole_values:
            return self._whole_values[name]
        index, value = self.top[name]
        cost, later = [node_count(value)], []

        def visit(sub):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                if sub.id in self.top and self.top[sub.id][0] > index:
                    later.append(sub.id)
                elif self.expandable(sub.id, index):
                    inner = self._written_out(sub.id)
                    if inner is None:
                        later.append(sub.id)
                        return sub
                    cost[0] += inner[1]
                    # (larger than any budget of `expand`: never written out whole, and
                    # not built, as it may grow exponentially with the depth)
                    return n.clone(inner[0]) if cost[0] <= _MAX_NODES else sub
                return sub
            return replace_children(sub, visit)
        tree = visit(n.clone(value))
        found = None if later else (tree if cost[0] <= _MAX_NODES else None, cost[0])
        self._whole_values[name] = found
        return found

    def values_changed(self):
        """Forget what was found from the values of the variables (one was changed in
        place)."""
        self._whole_values = {}

    def normal_of(self, name):
        """The normal form of the value of variable `name`, written out."""
        if name not in self._normal:
            index, value = self.top[name]
            self._normal[name] = Normalizer(self).run(self.expand(value, index))
        return self._normal[name]

    def normal_key(self, name):
        """The `expr_key` of `normal_of(name)` (computed once: normal forms are not changed)."""
        key = self._normal_keys.get(name)
        if key is None:
            key = self._normal_keys[name] = expr_key(self.normal_of(name))
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
