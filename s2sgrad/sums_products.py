"""Sums and products as lists of signed terms and of factors: flattened, and built back."""
import gast

from . import nodes as n
from .expr_keys import is_number, signed_const
from .facts import broadcast


def flatten_product(node, nums, dens, whole=None):
    """Append the factors of the product `node` to `nums`, its divisors to `dens`; return
    its sign (1 or -1).

    `whole(part)`, when given, tells which products inside `node` stay one factor: integer
    arithmetic wraps around, so ``0.5 * (a * a)`` of an integer array `a` is not
    ``0.5 * a * a`` (the first product is the array's own, the second a float's)."""
    if whole is not None and node is not None and _kept(node, whole):
        nums.append(node)
        return 1
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -flatten_product(node.operand, nums, dens, _inner(whole))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        return flatten_product(node.left, nums, dens, _inner(whole)) * \
            flatten_product(node.right, nums, dens, _inner(whole))
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Div):
        sign = flatten_product(node.left, nums, dens, _inner(whole))
        divisor = node.right
        while isinstance(divisor, gast.UnaryOp) and isinstance(divisor.op, gast.USub):
            sign, divisor = -sign, divisor.operand
        dens.append(divisor)
        return sign
    nums.append(node)
    return 1


class _Inner:
    """`whole` of the parts of a product or sum (the outermost one is always taken apart)."""

    def __init__(self, whole):
        self.whole = whole


def _inner(whole):
    """The predicate `whole` marked to apply to the parts below (see `flatten_product`)."""
    if whole is None or isinstance(whole, _Inner):
        return whole
    return _Inner(whole)


def _kept(node, whole):
    """Whether the part `node` of a product or sum stays whole (never the outermost)."""
    return isinstance(whole, _Inner) and isinstance(node, (gast.BinOp, gast.UnaryOp)) and \
        whole.whole(node)


def build_product(nums, dens, sign, tail=()):
    """The product of `nums` divided by `dens` (then times `tail`), with `sign` in front."""
    numbers = [f.value for f in nums if is_number(f)]
    others = [f for f in nums if not is_number(f)]
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
    unit = is_number(factors[0]) and factors[0].value == 1 and len(factors) > 1
    if sign < 0 and not unit:
        factors[0] = signed_const(-factors[0].value) if is_number(factors[0]) else \
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


def as_factor(is_divisor, node):
    """`node` as a factor of a product: ``1 / node`` for a divisor."""
    if is_divisor:
        return gast.BinOp(left=n.const(1), op=gast.Div(), right=node)
    return node


def chain_shape(facts, nums, dens):
    """The shape of the product of factors `nums` and divisors `dens`, or None."""
    shape = ()
    for factor in nums + dens:
        shape = broadcast(shape, facts.shape(factor))
        if shape is None:
            return None
    return shape


def same_chain_shape(facts, start, nums, dens):
    """Whether the product of `nums` and `dens` has the known shape `start`."""
    if start is None:
        return False
    shape = chain_shape(facts, nums, dens)
    return shape is not None and shape == start


def split_coefficient(term):
    """``(c, x)`` for a term ``c * x`` (c a number; 1 when absent), or (None, None)."""
    nums, dens = [], []
    sign = flatten_product(term, nums, dens)
    numbers = [f.value for f in nums if is_number(f)]
    others = [f for f in nums if not is_number(f)]
    if not others:
        return None, None
    total = 1
    for value in numbers:
        total = total * value
    return sign * total, build_product(others, dens, 1)


def flatten_sum(node, sign, terms, whole=None):
    """Append the terms of the sum `node` (times `sign`) to `terms`, as ``(sign, term)``;
    `whole` as for `flatten_product` (``x + (k + m)`` of integers keeps ``k + m``)."""
    if whole is not None and _kept(node, whole):
        terms.append((sign, node))
    elif isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)):
        flatten_sum(node.left, sign, terms, _inner(whole))
        flatten_sum(node.right, sign if isinstance(node.op, gast.Add) else -sign, terms,
                    _inner(whole))
    elif isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and \
            isinstance(node.operand, gast.BinOp) and isinstance(node.operand.op,
                                                                (gast.Add, gast.Sub)):
        flatten_sum(node.operand, -sign, terms, _inner(whole))
    else:
        nums, dens = [], []
        if flatten_product(node, nums, dens, _inner(whole)) < 0:  # ``-y``: y, subtracted
            terms.append((-sign, build_product(nums, dens, 1)))
        else:
            terms.append((sign, node))


def signed(sign, node):
    """The term `node` times `sign` (1 or -1), the sign taken into the product."""
    if sign > 0:
        return node
    nums, dens = [], []
    inner = flatten_product(node, nums, dens)
    return build_product(nums, dens, -inner)


def _unmarked(node):
    """`node`, the records of normal form (see `Normalizer.at`) removed from its parts."""
    for sub in n.walk(node):
        sub.__dict__.pop('_s2s_normal', None)
    return node


def _leading_number(node):
    """The number constant that leads the product `node` (``2.0`` in ``2.0 * x / y``)."""
    while isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        node = node.left
    return node if is_number(node) else None


def _after_leading_number(node):
    """The factor that the leading number of the product `node` multiplies first."""
    while isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        if is_number(node.left):
            return node.right
        node = node.left
    return node


def build_sum(terms, facts):
    """The sum of `terms` (``(sign, term)`` pairs), a positive term first; an integral float
    coefficient after a float term is written as an int where the term is a float."""
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
    tree = signed(*terms[0])
    for sign, term in terms[1:]:
        if sign < 0 or isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
            positive = signed(-sign, term)
            if isinstance(positive, gast.UnaryOp) and isinstance(positive.op, gast.USub):
                tree = gast.BinOp(left=tree, op=gast.Add(), right=positive)
            else:
                tree = gast.BinOp(left=tree, op=gast.Sub(), right=positive)
        else:
            tree = gast.BinOp(left=tree, op=gast.Add(), right=term)
    return tree
