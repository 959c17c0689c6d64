"""Algebraic rewrites of generated code: matrix calculus in closed form, where facts prove it.

Each rule is data, ``rule(pattern, replacement, when=condition)``: Python expressions that
`s2sgrad.simplify` parses and never runs. In a pattern, the names this module defines (``np``,
``s2s``, the rule helpers) denote those objects, wherever and however generated code spells them;
every other name is a placeholder that matches any expression (twice the same name: equal
expressions). The condition reads facts of the matched expressions, proven from declared shapes
(``shapes=``) and from the program (number constants, full reductions, ``@`` of known ndims,
broadcasting, ``.T``); an unproven fact is false, and the general form stays:

- ``ndim(e)``, ``shape(e)`` (a tuple of sizes: ints or declared names), ``rows(e)`` and
  ``cols(e)`` (the last two sizes), ``same_shape(a, b)``;
- ``inexact(e)``: `e` is a float (so never a bool or an integer) array or number.

Every rule is exact under its condition: the replacement computes the same values (up to
rounding: ``(A + A.T) @ x`` adds in another order than ``A.T @ x + A @ x``) with the same
shape. The dtype of an intermediate is NumPy's promotion of its operands, which is the helper's
dtype whenever the float arguments share one dtype; the returned gradient always goes through
``s2s.like``, which gives it the argument's dtype.

``context='factor'``: the rewrite holds as a factor of a product whose other factors give the
product its shape (``s2s.unreduce(1.0, x) * y`` is ``1.0 * y`` when ``y`` has the shape of
``x``); the engine checks that the product's shape is proven unchanged. Its condition may read
``rest``, the product of the other factors.

Patterns whose top is ``+`` (``*``) apply to any two terms of a sum (factors of a product),
in either order; the engine itself gathers the number factors of products, cancels a divisor
against an equal factor, moves signs to the front and adds like terms.
"""
import functools

import numpy as np

from s2sgrad import runtime as s2s
from s2sgrad.rules import rewrite

from .arithmetic import xdivy
from .linalg import _mT, _norm_power, cofactor
from .reductions import untrace

__all__ = ['np', 's2s', '_mT', '_norm_power', 'cofactor', 'xdivy', 'untrace']

rule = functools.partial(rewrite, namespace=globals())
shape_of = functools.partial(rewrite, namespace=globals(), kind='shape')
inexact_when = functools.partial(rewrite, replacement='True', namespace=globals(), kind='inexact')


# -- facts: the shapes of helper and library results ------------------------------------------
# (elementwise functions and full reductions are known from the registries of `s2sgrad.rules`)

shape_of('s2s.unbroadcast(g, x)', 'shape(x)')
shape_of('s2s.unreduce(g, x)', 'shape(x)')
shape_of('s2s.like(g, x)', 'shape(x)')
shape_of('s2s.copy(x)', 'shape(x)')
shape_of('s2s.unindex(g, x, i)', 'shape(x)')
shape_of('s2s.reshape_like(g, x)', 'shape(x)')
shape_of('s2s.matmul_lhs(g, a, b)', 'shape(a)')
shape_of('s2s.matmul_rhs(g, a, b)', 'shape(b)')
shape_of('s2s.seed(v, name)', '()', when='ndim(v) == 0')
shape_of('untrace(g, a)', 'shape(a)')
shape_of('cofactor(a)', 'shape(a)', when='ndim(a) == 2')
shape_of('xdivy(x, y)', 'broadcast(x, y)')
shape_of('np.linalg.inv(a)', 'shape(a)', when='ndim(a) == 2')
shape_of('np.linalg.det(a)', '()', when='ndim(a) == 2')
shape_of('np.linalg.norm(x)', '()')
shape_of('np.trace(a)', '()', when='ndim(a) == 2')
shape_of('np.outer(a, b)', '(size(a, 0), size(b, 0))', when='ndim(a) == 1 and ndim(b) == 1')
shape_of('np.transpose(a)', 'transposed(a)')
shape_of('_mT(a)', 'transposed(a)', when='ndim(a) == 2')
shape_of('np.reshape(g, np.shape(d) + (1, 1))', '(1, 1)', when='ndim(g) == 0 and ndim(d) == 0')

# -- facts: results that are float arrays (never bool, never integer) --------------------------

for _name in ('exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'cbrt', 'tanh', 'sinh',
              'cosh', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'arcsinh', 'arctanh'):
    inexact_when(f'np.{_name}(x)')
inexact_when('np.linalg.inv(a)')
inexact_when('np.linalg.det(a)')
inexact_when('np.linalg.norm(x)')
inexact_when('cofactor(a)')
# (an array `g` keeps its dtype where `x` is no float: a float only for a float `g`)
inexact_when('s2s.unreduce(g, x)', when='ndim(x) is not None and ndim(x) > 0 and inexact(g)')

# -- the seed of a scalar result ---------------------------------------------------------------
# `s2s.seed` checks that the result is a scalar and returns 1.0 for it: a proven scalar needs
# no check (the value itself is then often dead code).
rule('s2s.seed(v, name)', '1.0', when='ndim(v) == 0')

# -- traces: `untrace(g, a @ b)` is g times the identity when `a @ b` is square -------------------
# (first: the general rules of matmul_lhs/rhs below would hide the identity)
rule('s2s.matmul_rhs(untrace(g, a @ b), a, b)', 'g * a.T',
     when='ndim(g) == 0 and ndim(a) == 2 and ndim(b) == 2 and rows(a) == cols(b)')
rule('s2s.matmul_lhs(untrace(g, a @ b), a, b)', 'g * b.T',
     when='ndim(g) == 0 and ndim(a) == 2 and ndim(b) == 2 and rows(a) == cols(b)')

# -- the adjoints of `a @ b`, by the ndims of a and b (see runtime.matmul_lhs, matmul_rhs) ------
rule('s2s.matmul_lhs(g, a, b)', 'g @ b.T', when='ndim(a) == 2 and ndim(b) == 2')
rule('s2s.matmul_rhs(g, a, b)', 'a.T @ g', when='ndim(a) == 2 and ndim(b) == 2')
rule('s2s.matmul_lhs(g, a, b)', 'g * b', when='ndim(a) == 1 and ndim(b) == 1 and ndim(g) == 0')
rule('s2s.matmul_rhs(g, a, b)', 'g * a', when='ndim(a) == 1 and ndim(b) == 1 and ndim(g) == 0')
rule('s2s.matmul_lhs(g, a, b)', 'np.outer(g, b)',
     when='ndim(a) == 2 and ndim(b) == 1 and shape(g) == (rows(a),)')
rule('s2s.matmul_rhs(g, a, b)', 'a.T @ g',
     when='ndim(a) == 2 and ndim(b) == 1 and shape(g) == (rows(a),)')
rule('s2s.matmul_lhs(g, a, b)', 'b @ g',
     when='ndim(a) == 1 and ndim(b) == 2 and shape(g) == (cols(b),)')
rule('s2s.matmul_rhs(g, a, b)', 'np.outer(a, g)',
     when='ndim(a) == 1 and ndim(b) == 2 and shape(g) == (cols(b),)')

# -- adjoints of broadcasting and reductions -----------------------------------------------------
# `unbroadcast(g, x)` sums `g` down to the shape of `x`: nothing to sum when the shapes agree.
# It also gives `g` the float dtype of `x`: an integer or bool `g` (``x * k`` with an integer
# array k) stays an integer without it, and ``k * k`` overflows, ``m + m`` of bools is `m`.
rule('s2s.unbroadcast(g, x)', 'g', when='same_shape(g, x) and inexact(g)')
# (as a factor of a product proven a float without it, the product is a float anyway)
rule('s2s.unbroadcast(g, x)', 'g', when='same_shape(g, x) and inexact(rest)', context='factor')
# ... and sums all of `g` for a scalar `x`
rule('s2s.unbroadcast(g, x)', 'np.sum(g)',
     when='ndim(x) == 0 and ndim(g) >= 1 and inexact(g)')
rule('np.sum(-x)', '-np.sum(x)')
# `unreduce(c, x)` spreads a scalar over the shape of `x`; in a product that has that shape
# anyway, the scalar itself does (broadcasting spreads it).
rule('s2s.unreduce(c, x)', 'c', when='ndim(c) == 0', context='factor')
# the adjoint of det of a single matrix: its scalar adjoint, reshaped to (1, 1) to broadcast
rule('np.reshape(g, np.shape(d) + (1, 1))', 'g', when='ndim(g) == 0 and ndim(d) == 0',
     context='factor')

# -- transposes ------------------------------------------------------------------------------
rule('a.T.T', 'a')
# (for numbers too: np.transpose(2.0) is a 0-d array of the same value; a list `a` stays a
# list, which the code after it may not take: that raises, it is never a wrong value)
rule('np.transpose(np.transpose(a))', 'a')
rule('a.T', 'a', when='ndim(a) is not None and ndim(a) <= 1')
rule('np.transpose(a)', 'a.T', when='ndim(a) >= 1')
rule('_mT(a)', 'a.T', when='ndim(a) == 2')
rule('(a @ b).T', 'b.T @ a.T', when='ndim(a) == 2 and ndim(b) == 2')
# a vector on the left of a matrix is the transposed matrix times the vector
rule('v @ m', 'm.T @ v', when='ndim(v) == 1 and ndim(m) == 2')

# -- products of matrices -----------------------------------------------------------------------
rule('(-a) @ b', '-(a @ b)')
rule('m @ np.outer(u, v)', 'np.outer(m @ u, v)',
     when='ndim(m) == 2 and ndim(u) == 1 and ndim(v) == 1')
rule('np.outer(u, v) @ m', 'np.outer(u, m.T @ v)',
     when='ndim(m) == 2 and ndim(u) == 1 and ndim(v) == 1')
rule('p @ x + q @ x', '(p + q) @ x', when='ndim(p) == 2 and same_shape(p, q)')
rule('x @ p + x @ q', 'x @ (p + q)', when='ndim(p) == 2 and same_shape(p, q)')

# -- determinants and inverses ----------------------------------------------------------------
# cofactor(a) is det(a) inv(a).T wherever `a` is invertible. Where det(a) == 0 the general form
# reads 1 / 0 (inf and nan: log det has no derivative there), and inv(a) raises LinAlgError.
rule('(1 / np.linalg.det(a)) * cofactor(a)', 'np.linalg.inv(a).T', when='ndim(a) == 2')

# -- norms ------------------------------------------------------------------------------------
# ord=None: the 2-norm (Frobenius for a matrix), for every ndim.
rule('_norm_power(x, None, None)', '2')
# xdivy(u, y) broadcasts `y` itself; the spread adds nothing when `u` has the shape of `x`
rule('xdivy(u, s2s.unreduce(v, x))', 'xdivy(u, v)', when='ndim(v) == 0 and same_shape(u, x)')
