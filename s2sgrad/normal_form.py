"""The normal form of expressions under the algebraic rules, and the `Normalizer` that finds it."""
import math

import gast

from . import nodes as n
from .expr_keys import expr_key, is_number, node_count, same, signed_const
from .folding import FOLD
from .facts import broadcast
from .rewrite_rules import first_rewrite
from .sums_products import (as_factor, build_product, build_sum, chain_shape, flatten_product,
                            flatten_sum, same_chain_shape, signed, split_coefficient)

_MODULE_ROOTS = frozenset(('np', 'numpy', 's2s', 'math'))
_BUDGET = 300        # rule applications for one statement (the rules terminate; a safety net)


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
        self.keys = {}         # id -> (node, expr_key) of normal subtrees (`_term_number`)
        self.terms = ctx.sum_terms    # (sign, expr_key) of a term of a sum -> its number
        self.apart = ctx.sums_apart   # pairs of those numbers no pair rule or like terms join
        self.whole = self._whole      # (what keeps a part of a sum or product whole: `run`)

    def run(self, node):
        """The normal form of `node` (a tree it may reuse parts of)."""
        ctx = self.ctx
        running, ctx.normalizer = ctx.normalizer, self
        # (no part stays whole where no parameter not differentiated is read: rules build
        # from the parts they match and the names of modules, so none appears later)
        data = ctx.data
        self.whole = self._whole if data and (
            not data.isdisjoint(_MODULE_ROOTS) or not data.isdisjoint(n.all_names(node))) \
            else None
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
                raise OutOfBudget
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

    def at(self, node, below):
        """`node`, whose parts are normal, in normal form.

        When `node` is normal already, it records on itself what visiting it again would
        do (`below`: what visiting its parts again does): how many steps it counts, whether
        it sets `fired` and `ctx.fired`, and whether it may set `fired` where this visit
        could not tell (`fired` was set already when a rewrite shrank the tree)."""
        ctx = self.ctx
        steps, fires, builds, unsure = self.steps, self.fires, ctx.builds, self.unsure
        self.steps += 1
        if self.steps > _BUDGET:
            raise OutOfBudget
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
        if new is None or same(new, node):
            node._s2s_normal = (
                self.token, below[0] + self.steps - steps,
                below[1] or self.fires != fires, below[2] or ctx.builds != builds,
                below[3] or self.unsure != unsure)
            return node
        if not self.fired:
            if node_count(new) < node_count(node):
                self.fired = True  # (gathered numbers, cancelled factors, dropped signs)
                self.fires += 1
        else:
            self.unsure += 1
        return self.visit(new)

    def rewrite(self, node):
        """`node` (not a sum or product) rewritten once: numbers folded, ``x ** 1`` read
        ``x``, or a rule applied; None when nothing applies."""
        ctx = self.ctx
        if isinstance(node, gast.BinOp) and is_number(node.left) and is_number(node.right):
            return _fold_numbers(node)
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Pow) and \
                is_number(node.right) and node.right.value == 1 and \
                type(node.right.value) is int:
            return node.left
        return first_rewrite(ctx.ruleset.candidates(ctx.ruleset.rewrites, node, ctx), node, ctx)

    def _whole(self, part):
        """Whether the arithmetic `part` of a product or sum stays one factor or term: where
        its value may be an integer: it reads only the parameters not differentiated (a product
        of integer arrays wraps around at their width; taken apart, the float factors around it
        would reach its parts first)."""
        data = self.ctx.data
        if not data:
            return False
        found, stack = False, [part]
        while stack:  # (a name outside `data` ends the search; the right operand first: in
            node = stack.pop()  # ``a + b + c`` it is one term, the left one a chain of them)
            if isinstance(node, gast.Name):
                if node.id not in data:
                    return False
                found = True
            elif isinstance(node, gast.Call):  # (not its function: ``np`` of ``np.asarray(a)``)
                stack.extend(node.args)
                stack.extend(node.keywords)
            else:
                stack.extend(reversed(n.children(node)))
        return found and not self.ctx.facts.inexact(part)

    # products ----------------------------------------------------------------------------
    def product(self, node):
        """``c * a * b / d``: number factors gathered in front, the sign in front, a divisor
        cancelled against an equal factor, pair and factor rules applied."""
        ctx = self.ctx
        nums, dens = [], []
        sign = flatten_product(node, nums, dens, self.whole)
        facts = ctx.facts
        start = chain_shape(facts, nums, dens)
        changed = True
        while changed:
            changed = False
            # a divisor equal to a factor: both go (math-exact where the divisor is finite
            # and nonzero; at 0 or inf the general form reads nan, 0 * inf, and the
            # primal divided by it or took its log: no derivative exists there)
            for j, den in enumerate(dens):
                k = next((i for i, num in enumerate(nums) if same(num, den)), None)
                if k is None:
                    continue
                new_nums, new_dens = nums[:k] + nums[k + 1:], dens[:j] + dens[j + 1:]
                new_nums = new_nums or [n.const(1.0)]  # (a quotient is a float)
                if same_chain_shape(facts, start, new_nums, new_dens):
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
                    env['rest'] = build_product(nums[:i] + nums[i + 1:] or [n.const(1)],
                                                dens, 1)
                    if not rule.holds(env, ctx):
                        continue
                    new = rule.build(env, ctx)
                    if new is None:
                        continue
                    new = self.visit(new)
                    more_nums, more_dens = [], []
                    s = flatten_product(new, more_nums, more_dens, self.whole)
                    new_nums = nums[:i] + more_nums + nums[i + 1:]
                    new_dens = dens + more_dens
                    if same_chain_shape(facts, start, new_nums, new_dens):
                        nums, dens, sign, changed = new_nums, new_dens, sign * s, True
                        break
                if changed:
                    break
            if changed:
                continue
            factors = [(False, f) for f in nums] + [(True, d) for d in dens]
            for a, b in _ordered_pairs(len(factors)):
                pair = gast.BinOp(left=as_factor(*factors[a]), op=gast.Mult(),
                                  right=as_factor(*factors[b]))
                new = first_rewrite(ctx.ruleset.products, pair, ctx)
                if new is None:
                    continue
                new = self.visit(new)
                rest = [f for k, f in enumerate(factors) if k not in (a, b)]
                nums = [f for is_den, f in rest if not is_den]
                dens = [f for is_den, f in rest if is_den]
                sign *= flatten_product(new, nums, dens, self.whole)
                changed = True
                break
        # ``exp(z) / sum(exp(z)) * sum(y)``: scalar factors after the quotient of arrays
        scalars = [f for f in nums if not is_number(f) and facts.shape(f) == ()]
        arrays = [f for f in nums if is_number(f) or facts.shape(f) != ()]
        if dens and scalars and any(not is_number(f) for f in arrays):
            return build_product(arrays, dens, sign, scalars)
        return build_product(nums, dens, sign)

    # sums ----------------------------------------------------------------------------------
    def sum(self, node):
        """Terms of a sum: pair rules applied, like terms added (``1.0 * x + x`` is
        ``2.0 * x``)."""
        terms = []
        flatten_sum(node, 1, terms, self.whole)
        terms = self._cancel(terms)
        numbers = [(sign, t) for sign, t in terms if is_number(t)]
        if len(numbers) > 1:
            total = sum(sign * t.value for sign, t in numbers)
            terms = [(sign, t) for sign, t in terms if not is_number(t)]
            if total or not terms:
                terms.append((1 if total >= 0 else -1, n.const(abs(total))))
        changed = True
        while changed:
            changed = False
            # (the terms of a sum written ``a + b + c + d`` are met again at each `+`: a
            # pair found apart once is not matched again; a pair's fate depends on its
            # structure alone)
            numbers = [self._term_number(term) for term in terms]
            for a, b in _ordered_pairs(len(terms)):
                key = (numbers[a], numbers[b], a < b)
                if key in self.apart:
                    continue
                pair = gast.BinOp(left=signed(*terms[a]), op=gast.Add(),
                                  right=signed(*terms[b]))
                new = first_rewrite(self.ctx.ruleset.sums, pair, self.ctx)
                if new is None and a < b:
                    new = self._like_terms(terms[a], terms[b])
                if new is None:
                    self.apart.add(key)
                    continue
                more = []
                flatten_sum(self.visit(new), 1, more, self.whole)
                first = min(a, b)
                terms = [t for k, t in enumerate(terms) if k not in (a, b)]
                terms[first:first] = more
                changed = True
                break
        return build_sum(terms, self.ctx.facts)

    def _term_number(self, term):
        """The number of the signed term `term` of a sum: equal terms have one."""
        sign, node = term
        record = node.__dict__.get('_s2s_normal')
        if record is not None and record[0] is self.token:  # (unchanged while this runs)
            known = self.keys.get(id(node))
            if known is None:
                known = self.keys[id(node)] = (node, expr_key(node))
            key = known[1]
        else:
            key = expr_key(node)
        return self.terms.setdefault((sign, key), len(self.terms))

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
            inner = flatten_product(term, nums, dens, self.whole)
            pairs = [(i, j) for j, den in enumerate(dens) for i, num in enumerate(nums)
                     if same(num, den)]
            if not pairs:
                continue
            i, j = pairs[0]
            nums, dens = nums[:i] + nums[i + 1:], dens[:j] + dens[j + 1:]
            new = build_product(nums or [n.const(1.0)], dens, inner)
            rest = ()
            for other, shape in enumerate(shapes):
                rest = broadcast(rest, facts.shape(new) if other == k else shape)
            if rest is not None and rest == total:
                self.fired = True
                self.fires += 1
                return terms[:k] + [(sign, new)] + terms[k + 1:]
        return terms

    def _like_terms(self, first, second):
        """``a * x + b * x`` -> ``(a + b) * x`` for numbers a, b; with integer coefficients
        only for a proven float x (``x + x`` of bools is ``x``, not ``2 * x``)."""
        (sign1, term1), (sign2, term2) = first, second
        coef1, rest1 = split_coefficient(term1)
        coef2, rest2 = split_coefficient(term2)
        if rest1 is None or rest2 is None or not same(rest1, rest2):
            return None
        total = sign1 * coef1 + sign2 * coef2
        floats = isinstance(coef1, float) or isinstance(coef2, float)
        if total == 0 or not floats and not self.ctx.facts.inexact(rest1):
            return None
        self.fired = True
        self.fires += 1
        return gast.BinOp(left=signed_const(total), op=gast.Mult(), right=n.clone(rest1))


class OutOfBudget(Exception):
    """A statement took more than `_BUDGET` steps to normalize: it is left as it is."""


def _ordered_pairs(count):
    """The pairs ``(a, b)`` of different indices below `count`, in order."""
    return ((a, b) for a in range(count) for b in range(count) if a != b)


def _add_record(total, node):
    """Add to `total` the record of what visiting normal `node` again does (see
    `Normalizer.at`)."""
    record = node._s2s_normal
    total[0] += record[1]
    total[1] = total[1] or record[2]
    total[2] = total[2] or record[3]
    total[3] = total[3] or record[4]


def _fold_numbers(node):
    """The number that the operation `node` of two numbers computes, or None (an error,
    not a finite number)."""
    op = FOLD.get(type(node.op))
    if op is None:
        return None
    try:
        value = op(node.left.value, node.right.value)
    except (ZeroDivisionError, OverflowError):
        return None
    if type(value) not in (int, float) or value != value or value in (math.inf, -math.inf):
        return None
    return signed_const(value)
