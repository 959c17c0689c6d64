"""Complex values made from differentiated ones: the statement that makes one raises where it runs.

s2sgrad differentiates real functions of real arguments. Where a differentiated value meets
a complex constant (``x * 3j``, ``p[1] + 0j``, ``np.exp(1j * x)``), is converted to a complex
type (``x.astype(complex)``, ``np.asarray(x, dtype=np.complex128)``, ``complex(a, b)``) or
goes through `cmath`, its derivative would need the conjugate convention, which the rules do
not follow; such a statement becomes ``s2s.complex_refused(...)``, which raises ComplexError
naming it when it runs (a branch not taken passes). (Arrays that are complex when the
gradient runs raise there: `runtime_values.real_only`.)
"""
import builtins
import cmath

import gast
import numpy as np

from . import nodes as n
from .errors import ComplexError
from .runtime_values import COMPLEX_ADVICE


def refuse_complex(ctx, body):
    """Make each assignment of `body` that makes a complex value from a differentiated one
    (see the module's docstring) raise ComplexError where it runs (``t = s2s.complex_refused
    (...)``: a branch a flag leaves untaken still runs); raise it now for one in a test or
    a loop's header. Returns whether a statement was rewritten (its value no longer carries
    a derivative)."""
    constants = {stmt.targets[0].id for stmt in n.statements(body)
                 if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and
                 isinstance(stmt.targets[0], gast.Name) and _complex_constant(stmt.value)}
    rewritten = False
    for stmt in n.statements(body):
        for node in n.walk(stmt, skip=lambda inner: inner is not stmt and
                           isinstance(inner, gast.stmt)):
            found = _complex_from_active(ctx, node, constants)
            if found is None:
                continue
            if id(found) in _shown(body) or isinstance(stmt, gast.Assign) and \
                    len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) and \
                    _only_shown(body, stmt.targets[0].id):
                break  # (``print(f'{y + 0j}')``: text, no derivative)
            if not isinstance(stmt, (gast.Assign, gast.Expr)):
                raise ComplexError(f'{COMPLEX_ADVICE}; here: `{_text(found)}`',
                                   *ctx.where(stmt, _text(found), found))
            stmt.value = n.call('s2s.complex_refused', n.const(_text(found)))
            rewritten = True
            break
    return rewritten


def _shown(body):
    """The ids of the nodes of `body` inside what only shows a value: an f-string's value,
    an argument of ``print``, ``str``, ``repr``, ``format`` (text carries no derivative)."""
    shown = set()
    for node in n.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.FormattedValue) or isinstance(node, gast.Call) and \
                isinstance(node.func, gast.Name) and \
                node.func.id in ('print', 'str', 'repr', 'format'):
            shown |= {id(inner) for inner in n.walk(node)}
    return shown


def _only_shown(body, name):
    """Whether every read of `name` in `body` is one made to show it (`_shown`)."""
    shown = _shown(body)
    reads = [node for node in n.walk(gast.Module(body=body, type_ignores=[]))
             if isinstance(node, gast.Name) and node.id == name and
             isinstance(node.ctx, gast.Load)]
    return bool(reads) and all(id(read) in shown for read in reads)


def _complex_from_active(ctx, node, constants):
    """`node` where it makes a complex value from a differentiated one, else None;
    `constants`: the names holding a complex constant (``c = 1 + 1j``)."""
    active = ctx.activity.is_active

    def complex_operand(operand):
        return _complex_constant(operand) or \
            isinstance(operand, gast.Name) and operand.id in constants

    if isinstance(node, gast.BinOp):
        if complex_operand(node.left) and active(node.right) or \
                complex_operand(node.right) and active(node.left):
            return node
    if not isinstance(node, gast.Call):
        return None
    operands = list(node.args) + [k.value for k in node.keywords]
    if not any(active(arg) for arg in operands) and not (
            isinstance(node.func, gast.Attribute) and active(node.func.value)):
        return None
    func = ctx.resolver.lookup(node.func)
    if func is not None and (
            func is builtins.complex or func in (np.complex64, np.complex128, np.clongdouble)
            or func is getattr(cmath, getattr(func, '__name__', None) or '_', None)):
        return node  # (``complex(a, b)``, ``np.complex128(x)``, ``cmath.exp(x)``)
    types = [k.value for k in node.keywords if k.arg == 'dtype']
    if isinstance(node.func, gast.Attribute) and node.func.attr == 'astype' and node.args:
        types.append(node.args[0])
    return node if any(_complex_type(ctx, t) for t in types) else None


def _complex_constant(node):
    """Whether `node` is a constant expression of complex value (``3j``, ``1 + 1j``)."""
    if not all(isinstance(part, (gast.Constant, gast.BinOp, gast.UnaryOp, gast.operator,
                                 gast.unaryop)) and not isinstance(part, gast.Pow)
               for part in n.walk(node)):
        return False  # (no powers: ``2 ** 10 ** 10`` would not finish)
    try:
        value = eval(compile(gast.gast_to_ast(gast.Expression(body=n.clone(node))),
                             '<constant>', 'eval'), {'__builtins__': {}})
    except Exception:  # (``1 / 0``)
        return False
    return isinstance(value, complex)


def _complex_type(ctx, node):
    """Whether `node` denotes a complex dtype (``complex``, ``np.complex128``, ``'c16'``)."""
    value = node.value if isinstance(node, gast.Constant) else ctx.resolver.lookup(node)
    if value is None:
        return False
    try:
        return np.dtype(value).kind == 'c'
    except Exception:  # (not a dtype)
        return False


def _text(node):
    import ast
    return ast.unparse(gast.gast_to_ast(n.clone(node)))
