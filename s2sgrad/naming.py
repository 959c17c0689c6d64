"""Readable, unique names for temporaries, adjoints and generated functions."""
import re

import gast

OPERATOR_WORDS = {
    gast.Add: 'plus', gast.Sub: 'minus', gast.Mult: 'times', gast.Div: 'over',
    gast.Pow: 'pow', gast.MatMult: 'at', gast.FloorDiv: 'floordiv', gast.Mod: 'mod',
}
COMPARE_WORDS = {
    gast.Gt: 'gt', gast.GtE: 'ge', gast.Lt: 'lt', gast.LtE: 'le', gast.Eq: 'eq',
    gast.NotEq: 'ne', gast.Is: 'is', gast.IsNot: 'isnot', gast.In: 'in', gast.NotIn: 'notin',
}
MAX_LENGTH = 20


class Namer:
    """Hands out names that clash with nothing used in the function, deterministically."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def fresh(self, base):
        """`base` itself if free, else `base_2`, `base_3`, ...; the result is reserved."""
        base = _identifier(base) or 'tmp'
        if base not in self.taken:
            self.taken.add(base)
            return base
        stem = re.sub(r'_\d+$', '', base)
        counter = 2
        while f'{stem}_{counter}' in self.taken:
            counter += 1
        name = f'{stem}_{counter}'
        self.taken.add(name)
        return name

    def for_expression(self, node):
        """A name describing what `node` computes (``x_at_W``, ``tanh_h``)."""
        return self.fresh(describe(node))


def _atom_word(node):
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        value = node.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).replace('.', 'p').replace('-', 'neg')
        return text if re.fullmatch(r'\w+', text) else None
    if isinstance(node, gast.Attribute):
        inner = _atom_word(node.value)
        return f'{inner}_{node.attr}' if inner else node.attr
    return None


def describe(node):
    """A short identifier for what expression `node` computes."""
    word = None
    if isinstance(node, gast.BinOp):
        left, right = _atom_word(node.left), _atom_word(node.right)
        op = OPERATOR_WORDS.get(type(node.op), 'op')
        word = f'{left}_{op}_{right}' if left and right else None
        if word is None or len(word) > MAX_LENGTH:
            word = {'plus': 'total', 'minus': 'diff', 'times': 'prod', 'over': 'ratio',
                    'pow': 'power', 'at': 'product'}.get(op, op)
    elif isinstance(node, gast.UnaryOp):
        inner = _atom_word(node.operand)
        word = f'neg_{inner}' if inner else 'neg'
    elif isinstance(node, gast.Call) and getattr(node.func, 'method_of', None):
        # a method call resolved by class (``Net.forward(self, x)``): named as the method
        name = node.func.method_of[1].strip('_')
        arg = _atom_word(node.args[-1]) if node.args else None
        word = f'{name}_{arg}' if arg else name
    elif isinstance(node, gast.Call) and _is_field(node):  # ``s2s.field(p, 'T')``: `p_T`
        word = f'{node.args[0].id}_{node.args[1].value}'
    elif isinstance(node, gast.Call):
        func = node.func
        fname = func.attr if isinstance(func, gast.Attribute) else (
            func.id if isinstance(func, gast.Name) else 'call')
        if isinstance(func, gast.Attribute) and not _is_module_like(func.value):
            owner = _atom_word(func.value)
            word = f'{owner}_{fname}' if owner else fname
        else:
            arg = _atom_word(node.args[0]) if node.args else None
            word = f'{fname}_{arg}' if arg else fname
    elif isinstance(node, gast.Attribute):
        word = _atom_word(node)
    elif isinstance(node, gast.Subscript):
        owner = _atom_word(node.value) or 'item'
        index = _atom_word(node.slice)
        word = f'{owner}_{index}' if index else f'{owner}_item'
    elif isinstance(node, gast.Compare) and len(node.ops) == 1:
        left, right = _atom_word(node.left), _atom_word(node.comparators[0])
        op = COMPARE_WORDS.get(type(node.ops[0]), 'cmp')
        word = f'{left}_{op}_{right}' if left and right else 'cond'
    elif isinstance(node, (gast.Tuple, gast.List)):
        word = 'items'
    elif isinstance(node, gast.IfExp):
        word = 'choice'
    if not word or len(word) > MAX_LENGTH:
        word = _fallback(node)
    return word


def _is_field(call):
    """Whether `call` is ``s2s.field(p, 'T')``, a namedtuple's field (see `fields`)."""
    func = call.func
    return isinstance(func, gast.Attribute) and func.attr == 'field' and \
        isinstance(func.value, gast.Name) and func.value.id == 's2s' and len(call.args) == 2 \
        and isinstance(call.args[0], gast.Name) and isinstance(call.args[1], gast.Constant)


def _fallback(node):
    if isinstance(node, gast.Call):
        func = node.func
        return func.attr if isinstance(func, gast.Attribute) else getattr(func, 'id', 'value')
    if isinstance(node, (gast.Compare, gast.BoolOp)):
        return 'cond'
    return 'tmp'


def _is_module_like(node):
    """Whether `node` names a module (``np``, ``np.linalg``, ``s2s``): a call through it is
    named after the function alone (``det_X``, not ``np_linalg_det``)."""
    modules = ('np', 'numpy', 'math', 'cp', 'cupy', 'jnp', 'scipy', 'special', 's2s')
    submodules = ('linalg', 'fft', 'special', 'random', 'ma')
    while isinstance(node, gast.Attribute) and node.attr in submodules:
        node = node.value
    return isinstance(node, gast.Name) and node.id in modules


def _identifier(text):
    text = re.sub(r'\W', '_', text or '')
    if text and text[0].isdigit():
        text = 'v' + text
    return text
