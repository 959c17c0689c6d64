"""Float values: variables whose every value is a float (or complex) array or number, so that
a value written into them (``y[i] = v``) is kept; an integer array truncates it."""
import gast
import numpy as np

from . import nodes as n
from . import rules

_FLOAT_CONSTRUCTORS = frozenset({
    'zeros', 'ones', 'empty', 'eye', 'identity', 'linspace', 'logspace', 'geomspace',
    'rand', 'randn', 'random', 'normal', 'uniform', 'standard_normal'})
"""NumPy functions whose result is float64 unless ``dtype=`` says otherwise."""
_LIKE = frozenset({'zeros_like', 'ones_like', 'empty_like', 'full_like', 'array', 'asarray',
                   'asanyarray', 'ascontiguousarray', 'asfortranarray', 'copy', 'atleast_1d',
                   'atleast_2d', 'atleast_3d'})
"""NumPy functions whose result has the dtype of their first argument unless ``dtype=``."""
_DTYPE_POSITION = {'zeros': 1, 'ones': 1, 'empty': 1, 'full': 2, 'zeros_like': 1,
                   'ones_like': 1, 'empty_like': 1, 'full_like': 2, 'array': 1, 'asarray': 1,
                   'asanyarray': 1, 'ascontiguousarray': 1, 'asfortranarray': 1, 'eye': 3,
                   'identity': 1, 'arange': 3, 'linspace': 5, 'logspace': 6, 'geomspace': 5}
"""Where the NumPy functions above take ``dtype`` positionally (``np.zeros(3, int)``)."""
_KEEPING_METHODS = frozenset({
    'copy', 'reshape', 'ravel', 'flatten', 'transpose', 'squeeze', 'swapaxes', 'repeat',
    'sum', 'prod', 'cumsum', 'cumprod', 'max', 'min', 'dot', 'clip', 'conj', 'conjugate',
    'take', 'diagonal', 'trace'})
"""Array methods whose result has the receiver's dtype (a float for a float receiver)."""
_MATH_INTEGERS = frozenset({'floor', 'ceil', 'trunc', 'factorial', 'comb', 'perm', 'gcd',
                            'lcm', 'isqrt', 'isnan', 'isinf', 'isfinite', 'isclose', 'prod',
                            'sumprod'})
"""Functions of `math` that may return an int or a bool; the others return a float."""


def float_variables(statements, resolver, points=(), params=()):
    """The variables of `statements` whose every assigned value is proven a float: the
    greatest set closed so, which holds floats only (the first assignment that runs cannot
    read a variable of the set before it is assigned, so that assignment's value is a float
    by what it reads outside the set).

    `points`: the parameters the derivative is taken with respect to, taken as floats (the
    derivative at an integer argument is that of the function of a real one); the other
    `params`' dtypes are the caller's choice, so not known."""
    definitions = {name: [gast.Constant(value=0.0, kind=None)] for name in points}
    for name in params:
        if name not in points:
            definitions.setdefault(name, []).append(None)
    for stmt in n.statements(statements):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                if isinstance(target, gast.Name):
                    definitions.setdefault(target.id, []).append(stmt.value)
                elif not isinstance(target, gast.Subscript):
                    for name in n.names_stored(target):
                        definitions.setdefault(name, []).append(None)
        elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            definitions.setdefault(stmt.target.id, []).append(
                gast.BinOp(left=stmt.target, op=stmt.op, right=stmt.value))
        elif isinstance(stmt, (gast.For, gast.AsyncFor)):
            for name in n.names_stored(stmt.target):
                definitions.setdefault(name, []).append(None)
        elif isinstance(stmt, (gast.FunctionDef, gast.With)):
            for name in n.names_stored(stmt):
                definitions.setdefault(name, []).append(None)
    floats = set(definitions)
    changed = True
    while changed:
        changed = False
        for name in sorted(floats):
            if not all(value is not None and is_float(value, floats, resolver)
                       for value in definitions[name]):
                floats.discard(name)
                changed = True
    return floats


def is_float(node, floats, resolver):
    """Whether the value of `node` is a float (array or number) when the variables in
    `floats` hold floats."""
    if isinstance(node, gast.Constant):
        return type(node.value) in (float, complex)
    if isinstance(node, gast.Name):
        return node.id in floats
    if isinstance(node, gast.BinOp):
        if isinstance(node.op, gast.Div):
            return True
        return isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Pow, gast.MatMult,
                                    gast.Mod, gast.FloorDiv)) and (
            is_float(node.left, floats, resolver) or is_float(node.right, floats, resolver))
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return is_float(node.operand, floats, resolver)
    if isinstance(node, gast.Subscript) or \
            isinstance(node, gast.Attribute) and node.attr in ('T', 'real', 'imag'):
        return is_float(node.value, floats, resolver)
    if isinstance(node, gast.IfExp):
        return is_float(node.body, floats, resolver) and is_float(node.orelse, floats, resolver)
    if isinstance(node, (gast.List, gast.Tuple)):  # (as the argument of `np.array`)
        return any(is_float(elt, floats, resolver) for elt in node.elts)
    if isinstance(node, gast.Call):
        return _call_is_float(node, floats, resolver)
    return False


def _call_is_float(call, floats, resolver):
    func = call.func
    args = call.args
    keywords = {kw.arg: kw.value for kw in call.keywords}
    if isinstance(func, gast.Attribute) and not resolver.is_global(func):
        if func.attr == 'astype':
            dtype = args[0] if args else keywords.get('dtype')
            return _float_dtype(dtype, resolver)
        if 'dtype' in keywords:  # ``x.sum(dtype=int)``
            return _float_dtype(keywords['dtype'], resolver)
        return func.attr in _KEEPING_METHODS and is_float(func.value, floats, resolver)
    obj = resolver.lookup(func)
    if obj is None:
        return False
    module = (getattr(obj, '__module__', None) or '').split('.')[0]
    name = getattr(obj, '__name__', '')
    if module == 'math':
        return name not in _MATH_INTEGERS
    if module not in ('numpy', 'cupy'):
        return False
    dtype = dtype_argument(call, name)
    if dtype is not None:
        return _float_dtype(dtype, resolver)
    if name in _FLOAT_CONSTRUCTORS:
        return True
    if name == 'full':
        fill = args[1] if len(args) > 1 else keywords.get('fill_value')
        return fill is not None and is_float(fill, floats, resolver)
    if name in _LIKE:
        return len(args) == 1 and is_float(args[0], floats, resolver) or \
            name == 'full_like' and len(args) == 2 and is_float(args[0], floats, resolver)
    if rules.lookup_adjoint(obj) is None or rules.is_nondifferentiable(obj):
        return False
    return any(is_float(arg, floats, resolver) for arg in args)


def dtype_argument(call, name):
    """The ``dtype`` argument of a call of the NumPy function `name`, by keyword or
    position, or None."""
    for keyword in call.keywords:
        if keyword.arg == 'dtype':
            return keyword.value
    position = _DTYPE_POSITION.get(name)
    return call.args[position] if position is not None and len(call.args) > position else None


def integer_dtype(node, resolver):
    """Whether `node` names an integer or boolean dtype (``int``, ``np.int32``, 'i8')."""
    return _dtype_kind(node, resolver) in tuple('biu')


def _float_dtype(node, resolver):
    """Whether `node` names a float or complex dtype (``float``, ``np.float32``, 'f4')."""
    return _dtype_kind(node, resolver) in ('f', 'c')


def _dtype_kind(node, resolver):
    """The kind of the dtype `node` names (a constant or a name the resolver finds), or
    None."""
    value = None if node is None else \
        node.value if isinstance(node, gast.Constant) else resolver.lookup(node)
    if value is None:
        return None
    try:
        return np.dtype(value).kind
    except TypeError:
        return None
