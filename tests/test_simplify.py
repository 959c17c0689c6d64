"""The algebraic simplifier (s2sgrad/simplify.py, rules in templates/algebra.py): every rule
fires where its facts are proven and gives the right gradient there; where a fact is not
proven (no shapes=, another ndim, a non-square product) the general form stays and the
gradient is right for those shapes too. Gradients are checked against central differences."""
import re

import numpy as np
import pytest

import s2sgrad
from s2sgrad import rules
from s2sgrad import rewrite_rules

from trees import central_grad

# Its tests clear the cache to generate from nothing: each in a cache of its own (conftest.py)
pytestmark = pytest.mark.usefixtures('private_cache')

SIZES = {'n': 3, 'm': 4, 'p': 2, 'k': 5}


# -- functions (s2sgrad reads their source from this file) ------------------------------------
def linear_form(a, x):
    return a @ x


def squared_norm(x):
    return x @ x


def quadratic_form(x, A):
    return x.T @ A @ x


def bilinear_form(a, X, b):
    return a @ X @ b


def trace_linear(A, X):
    return np.trace(A @ X)


def trace_right(X, A):
    return np.trace(X @ A)


def trace_quadratic(X, A):
    return np.trace(X.T @ A @ X)


def trace_sandwich(A, X, B):
    return np.trace(A @ X @ B)


def trace_outer_quadratic(X, A):
    return np.trace(X @ A @ X.T)


def log_det(X):
    return np.log(np.linalg.det(X))


def det(X):
    return np.linalg.det(X)


def inverse_bilinear_form(a, X, b):
    return a @ np.linalg.inv(X) @ b


def frobenius_squared(o):
    return np.sum(o * o)


def least_squares(A, x, b):
    return np.sum((A @ x - b) ** 2)


def euclidean_norm(x):
    return np.linalg.norm(x)


def tanh_layer(v, W, x):
    return np.sum(v * np.tanh(W @ x))


def tanh_left(x, W):
    return np.sum(np.tanh(x @ W))


def logistic_loss(X, y, w):
    return np.sum(np.log(1 + np.exp(-y * (X @ w))))


def softmax_cross_entropy(W, x, y):
    z = W @ x
    return -np.sum(y * (z - np.log(np.sum(np.exp(z)))))


def frobenius_inner(A, X):
    return np.sum(A * X)


def frobenius_exp(A, X):
    return np.sum(np.exp(A) * X)


def softmax_soft_labels(W, x, t):
    y = np.exp(t)  # (a float: an integer or bool y keeps unbroadcast's cast, see below)
    z = W @ x
    return -np.sum(y * (z - np.log(np.sum(np.exp(z)))))


def log_softmax_at_label(W, x, label):
    z = W @ x
    return np.log(np.sum(np.exp(z))) - z[label]


def sum_exp(x):
    return np.sum(np.exp(x))


def sum_matrix_product(A, X):
    return np.sum(A @ X)


def sum_product_right(X, B):
    return np.sum(X @ B)


def double_transpose(X):
    y = X.T.T
    return np.sum(y * y)


def log_times(x):
    return np.sum(np.log(x) * x)


def negated_exponent(x, w):
    return np.sum(np.exp(-(x @ w)))


def logistic_regression(X, y, w):
    p = 1 / (1 + np.exp(-(X @ w)))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def scaled_rows(x, c):
    u = x * c
    return np.sum(u * u)


# -- helpers ---------------------------------------------------------------------------------
def _sizes(shape):
    return tuple(SIZES[s] if isinstance(s, str) else s for s in shape)


def _data(func, shapes, seed=0, positive=False):
    """Random float64 arguments of `shapes` (name -> shape); square matrices made
    well-conditioned, positive entries where logs need them."""
    rng = np.random.default_rng(seed)
    args = []
    for name in func.__code__.co_varnames[:func.__code__.co_argcount]:
        shape = _sizes(shapes[name])
        value = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)
        if len(shape) == 2 and shape[0] == shape[1] and func in (log_det, det,
                                                                 inverse_bilinear_form):
            value = value + shape[0] * np.eye(shape[0])
        args.append(value if shape else float(value))
    return args


def _index(func, wrt):
    return func.__code__.co_varnames[:func.__code__.co_argcount].index(wrt)


class _Fired:
    """Records the texts of the rules that rewrote something while a gradient was made."""

    def __init__(self, monkeypatch):
        self.texts = set()
        build = rewrite_rules.Rule.build
        fired = self

        def recording(rule, env, ctx):
            new = build(rule, env, ctx)
            if new is not None:
                fired.texts.add(rule.text)
            return new
        monkeypatch.setattr(rewrite_rules.Rule, 'build', recording)


def _make(monkeypatch, func, wrt, shapes):
    s2sgrad.clear_cache()
    fired = _Fired(monkeypatch)
    df = s2sgrad.grad(func, wrt=wrt, shapes=shapes)
    return df, fired.texts


def _check(df, func, wrt, args, tolerance=1e-6):
    got = np.asarray(df(*args), dtype=float)
    expected = central_grad(func, args, _index(func, wrt))
    assert got.shape == np.shape(args[_index(func, wrt)])
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def _rule_texts():
    return {f"{spec['pattern']} -> {spec['replacement']}" for spec in rules.REWRITES
            if spec['kind'] == 'rewrite'}


# -- every rule: (function, wrt, shapes proving the facts, text printed, rules that fire,
#    shapes where a fact is unproven (None: no shapes=), positive data) --------------------
SEED = 's2s.seed(v, name) -> 1.0'
RHS_VV = 's2s.matmul_rhs(g, a, b) -> g * a'
LHS_VV = 's2s.matmul_lhs(g, a, b) -> g * b'
LHS_22 = 's2s.matmul_lhs(g, a, b) -> g @ b.T'
RHS_22 = 's2s.matmul_rhs(g, a, b) -> a.T @ g'
LHS_21 = 's2s.matmul_lhs(g, a, b) -> np.outer(g, b)'
LHS_12 = 's2s.matmul_lhs(g, a, b) -> b @ g'
RHS_12 = 's2s.matmul_rhs(g, a, b) -> np.outer(a, g)'
TRACE_RHS = 's2s.matmul_rhs(untrace(g, a @ b), a, b) -> g * a.T'
TRACE_LHS = 's2s.matmul_lhs(untrace(g, a @ b), a, b) -> g * b.T'
UNBROADCAST = 's2s.unbroadcast(g, x) -> g'
UNBROADCAST_SUM = 's2s.unbroadcast(g, x) -> np.sum(g)'
SUM_NEG = 'np.sum(-x) -> -np.sum(x)'
UNREDUCE = 's2s.unreduce(c, x) -> c'
RESHAPE = 'np.reshape(g, np.shape(d) + (1, 1)) -> g'
TT = 'a.T.T -> a'
TRANSPOSE2 = 'np.transpose(np.transpose(a)) -> a'
T_VECTOR = 'a.T -> a'
TRANSPOSE = 'np.transpose(a) -> a.T'
MT = '_mT(a) -> a.T'
T_PRODUCT = '(a @ b).T -> b.T @ a.T'
VECTOR_LEFT = 'v @ m -> m.T @ v'
NEG_LEFT = '(-a) @ b -> -(a @ b)'
OUTER_LEFT = 'm @ np.outer(u, v) -> np.outer(m @ u, v)'
OUTER_RIGHT = 'np.outer(u, v) @ m -> np.outer(u, m.T @ v)'
FACTOR_RIGHT = 'p @ x + q @ x -> (p + q) @ x'
FACTOR_LEFT = 'x @ p + x @ q -> x @ (p + q)'
INV = '(1 / np.linalg.det(a)) * cofactor(a) -> np.linalg.inv(a).T'
NORM_POWER = '_norm_power(x, None, None) -> 2'
XDIVY = 'xdivy(u, s2s.unreduce(v, x)) -> xdivy(u, v)'

CASES = [
    (linear_form, 'x', {'a': ('n',), 'x': ('n',)}, 'bx = a', {SEED, RHS_VV},
     None, {SEED, RHS_VV}, False),
    (squared_norm, 'x', {'x': ('n',)}, 'bx = 2.0 * x', {SEED, LHS_VV, RHS_VV},
     None, {LHS_VV, RHS_VV}, False),
    (quadratic_form, 'x', {'x': ('n',), 'A': ('n', 'n')}, 'bx = (A.T + A) @ x',
     {SEED, T_VECTOR, TRANSPOSE, VECTOR_LEFT, FACTOR_RIGHT},
     {'x': ('n', 1), 'A': ('n', 'n')}, {SEED, T_VECTOR, VECTOR_LEFT}, False),
    (bilinear_form, 'X', {'a': ('m',), 'X': ('m', 'n'), 'b': ('n',)}, 'bX = np.outer(a, b)',
     {SEED, LHS_VV, RHS_12}, {'a': ('m',), 'X': ('m', 'n'), 'b': ('n', 1)}, {SEED, LHS_VV},
     False),
    (trace_linear, 'X', {'A': ('n', 'm'), 'X': ('m', 'n')}, 'bX = A.T', {SEED, TRACE_RHS},
     {'A': ('n', 'm'), 'X': ('m', 'k')}, {TRACE_RHS}, False),
    (trace_right, 'X', {'X': ('n', 'm'), 'A': ('m', 'n')}, 'bX = A.T', {SEED, TRACE_LHS},
     {'X': ('n', 'm'), 'A': ('m', 'k')}, {TRACE_LHS}, False),
    (trace_quadratic, 'X', {'X': ('n', 'm'), 'A': ('n', 'n')}, 'bX = (A.T + A) @ X',
     {TRACE_LHS, TRACE_RHS, T_PRODUCT, TT, FACTOR_RIGHT}, None,
     {TRACE_LHS, TRACE_RHS, T_PRODUCT, FACTOR_RIGHT}, False),
    (trace_sandwich, 'X', {'A': ('p', 'm'), 'X': ('m', 'n'), 'B': ('n', 'p')},
     'bX = A.T @ B.T', {TRACE_LHS, RHS_22}, {'A': ('p', 'm'), 'X': ('m', 'n'), 'B': ('n', 'k')},
     {TRACE_LHS}, False),
    (trace_outer_quadratic, 'X', {'X': ('n', 'm'), 'A': ('m', 'm')}, 'bX = X @ (A + A.T)',
     {FACTOR_LEFT}, None, {FACTOR_LEFT}, False),
    (log_det, 'X', {'X': ('n', 'n')}, 'bX = np.linalg.inv(X).T', {SEED, RESHAPE, INV},
     None, {SEED, RESHAPE, INV}, False),
    (det, 'X', {'X': ('n', 'n')}, 'cofactor(X)', {SEED, RESHAPE}, None, {SEED, RESHAPE}, False),
    (inverse_bilinear_form, 'X', {'a': ('n',), 'X': ('n', 'n'), 'b': ('n',)},
     '-np.outer(',  # (of inv(X).T @ a and inv(X) @ b: see the gallery test)
     {MT, NEG_LEFT, OUTER_LEFT, OUTER_RIGHT, TT, RHS_12}, None,
     {MT, OUTER_LEFT, OUTER_RIGHT, RHS_12}, False),
    (frobenius_squared, 'o', {'o': ('n',)}, 'bo = 2.0 * o', {UNREDUCE}, None, set(), False),
    (least_squares, 'x', {'A': ('m', 'n'), 'x': ('n',), 'b': ('m',)},
     'bx = A.T @ (2.0 * (A @ x - b))', {UNBROADCAST, RHS_22},
     {'A': ('m', 'n'), 'x': ('n',), 'b': ('m', 1)}, {UNBROADCAST}, False),
    (euclidean_norm, 'x', {'x': ('n',)}, 'xdivy(x, np.linalg.norm(x))',
     {NORM_POWER, XDIVY, UNREDUCE}, None, set(), False),
    (tanh_layer, 'W', {'v': ('m',), 'W': ('m', 'n'), 'x': ('n',)},
     'bW = np.outer(v * (1 - np.tanh(W @ x) ** 2), x)', {UNBROADCAST, LHS_21},
     {'v': ('m', 1), 'W': ('m', 'n'), 'x': ('n', 'p')}, {UNBROADCAST, LHS_21}, False),
    (tanh_left, 'x', {'x': ('n',), 'W': ('n', 'm')},
     'bx = W @ (1 - np.tanh(x @ W) ** 2)', {LHS_12}, {'x': ('p', 'n'), 'W': ('n', 'm')},
     {LHS_12}, False),
    (logistic_loss, 'w', {'X': ('m', 'n'), 'y': ('m',), 'w': ('n',)},
     'bw = X.T @ (', {UNBROADCAST, RHS_22},
     {'X': ('m', 'n'), 'y': ('m', 1), 'w': ('n',)}, {UNBROADCAST}, False),
    (softmax_soft_labels, 'W', {'W': ('m', 'n'), 'x': ('n',), 't': ('m',)},
     ') * np.sum(y) - y', {UNBROADCAST_SUM, SUM_NEG, LHS_21},
     None, {UNBROADCAST_SUM, LHS_21}, False),
    # (y of unknown dtype: unbroadcast(-1.0 * y, diff) keeps the cast to diff's float dtype)
    (softmax_cross_entropy, 'W', {'W': ('m', 'n'), 'x': ('n',), 'y': ('m',)},
     'bW = np.outer(bz, x)', {LHS_21}, None, {UNBROADCAST_SUM, LHS_21}, False),
    (frobenius_exp, 'X', {'A': ('m', 'n'), 'X': ('m', 'n')}, 'bX = np.exp(A)', {UNBROADCAST},
     {'A': ('m', 'n'), 'X': (1, 'n')}, {UNBROADCAST}, False),
    # (A of unknown dtype: an integer A keeps unbroadcast's cast)
    (frobenius_inner, 'X', {'A': ('m', 'n'), 'X': ('m', 'n')}, 'bX = s2s.unbroadcast(A, X)',
     set(), None, {UNBROADCAST}, False),
    (sum_exp, 'x', {'x': ('n',)}, 'np.exp(x)', set(), None, set(), False),
    (sum_matrix_product, 'X', {'A': ('m', 'n'), 'X': ('n', 'p')}, 'A.T @', {RHS_22},
     {'A': ('n',), 'X': ('n', 'p')}, {RHS_22}, False),
    (sum_product_right, 'X', {'X': ('m', 'n'), 'B': ('n', 'p')}, '@ B.T', {LHS_22},
     {'X': ('n',), 'B': ('n', 'p')}, {LHS_22}, False),
    (double_transpose, 'X', {'X': ('m', 'n')}, 'bX = 2.0 * X', {TRANSPOSE2}, None, set(),
     False),
    (negated_exponent, 'w', {'x': ('m', 'n'), 'w': ('n',)}, 'x.T @ -np.exp(-(x @ w))',
     {RHS_22}, None, {RHS_22}, False),
    (log_times, 'x', {'x': ('n',)}, 'np.log(x) + 1.0', set(), None, set(), True),
]


def test_every_rule_has_a_case():
    """Each rule fires in a case, and each conditional rule is shown blocked in one."""
    covered = set().union(*(case[4] for case in CASES))
    blocked = set().union(*(case[6] for case in CASES))
    conditional = {rule.text for rule in _all_rules()
                   if rule.kind == 'rewrite' and rule.when is not None}
    assert conditional - {UNREDUCE, XDIVY, TRANSPOSE} <= blocked, \
        sorted(conditional - blocked)
    assert _rule_texts() <= covered, sorted(_rule_texts() - covered)


# cases whose rules fire without declared shapes (with them, simpler rules fire first:
# np.transpose(x) is x.T for an x of known ndim)
UNDECLARED = {double_transpose}


@pytest.mark.parametrize('case', CASES, ids=[case[0].__name__ for case in CASES])
def test_rule_fires_where_proven(case, monkeypatch):
    func, wrt, shapes, printed, expected_rules, _, _, positive = case
    df, fired = _make(monkeypatch, func, wrt, None if func in UNDECLARED else shapes)
    assert printed in df.source, df.source
    assert expected_rules <= fired, (sorted(expected_rules - fired), df.source)
    for seed in range(2):
        _check(df, func, wrt, _data(func, shapes, seed, positive))


@pytest.mark.parametrize('case', CASES, ids=[case[0].__name__ for case in CASES])
def test_general_form_where_unproven(case, monkeypatch):
    """Without the facts (no shapes=, or shapes of another ndim, or a non-square product)
    the rules that need them do not fire, and the gradient is right for those shapes."""
    func, wrt, shapes, printed, _, other, blocked, positive = case
    df, fired = _make(monkeypatch, func, wrt, other)
    assert not fired & blocked, (sorted(fired & blocked), df.source)
    if other is not None:  # (a printed statement: not that statement; else not the text)
        lines = [line.strip() for line in df.source.splitlines()]
        assert printed not in (lines if ' = ' in printed else df.source), df.source
    _check(df, func, wrt, _data(func, other or shapes, 3, positive))


def _all_rules():
    return [rewrite_rules.Rule(spec) for spec in rules.REWRITES]


# -- the gallery: closed forms, printed and numerically right ------------------------------
GALLERY = [
    (linear_form, 'x', {'a': ('n',), 'x': ('n',)}, None, 'bx = a'),
    (squared_norm, 'x', {'x': ('n',)}, None, 'bx = 2.0 * x'),
    (quadratic_form, 'x', {'x': ('n',), 'A': ('n', 'n')}, None, 'bx = (A.T + A) @ x'),
    (bilinear_form, 'X', {'a': ('m',), 'X': ('m', 'n'), 'b': ('n',)}, None,
     'bX = np.outer(a, b)'),
    (trace_linear, 'X', {'A': ('n', 'm'), 'X': ('m', 'n')}, None, 'bX = A.T'),
    (trace_quadratic, 'X', {'X': ('n', 'm'), 'A': ('n', 'n')}, None, 'bX = (A.T + A) @ X'),
    (trace_sandwich, 'X', {'A': ('p', 'm'), 'X': ('m', 'n'), 'B': ('n', 'p')}, None,
     'bX = A.T @ B.T'),
    (log_det, 'X', {'X': ('n', 'n')}, None, 'bX = np.linalg.inv(X).T'),
    (inverse_bilinear_form, 'X', {'a': ('n',), 'X': ('n', 'n'), 'b': ('n',)},
     r'(\w+) = np.linalg.inv\(X\)', r'bX = -np.outer\({0}.T @ a, {0} @ b\)'),
    (frobenius_squared, 'o', {'o': ('n',)}, None, 'bo = 2.0 * o'),
    (least_squares, 'x', {'A': ('m', 'n'), 'x': ('n',), 'b': ('m',)}, None,
     'bx = A.T @ (2.0 * (A @ x - b))'),
    (tanh_layer, 'W', {'v': ('m',), 'W': ('m', 'n'), 'x': ('n',)}, None,
     'bW = np.outer(v * (1 - np.tanh(W @ x) ** 2), x)'),
    (logistic_loss, 'w', {'X': ('m', 'n'), 'y': ('m',), 'w': ('n',)},
     r'(\w+) = np.exp\((\w+) \* \(X @ w\)\)', r'bw = X.T @ \({1} \* {0} / \(1 \+ {0}\)\)'),
    (frobenius_exp, 'X', {'A': ('m', 'n'), 'X': ('m', 'n')}, None, 'bX = np.exp(A)'),
    (sum_exp, 'x', {'x': ('n',)}, None, 'bx = np.exp(x)'),
]


@pytest.mark.parametrize('case', GALLERY, ids=[case[0].__name__ for case in GALLERY])
def test_gallery_closed_forms(case):
    func, wrt, shapes, before, closed = case
    s2sgrad.clear_cache()
    df = s2sgrad.grad(func, wrt=wrt, shapes=shapes)
    assert 's2s.matmul' not in df.source and 's2s.seed' not in df.source
    if before:  # a temporary named by the transform: the closed form reads it
        names = re.search(before, df.source)
        assert names, df.source
        closed = closed.format(*(re.escape(name) for name in names.groups()))
        assert re.search(closed, df.source), df.source
    else:
        assert closed in df.source, df.source
    _check(df, func, wrt, _data(func, shapes, 7))


# -- general simplifications, without shapes ------------------------------------------------
def test_general_forms_without_shapes():
    """-(-x), (1 / d) * d and double transposes cancel; the seed of a full reduction is
    1.0; sum(o * o) is 2.0 * o: all exact for every shape."""
    s2sgrad.clear_cache()
    source = s2sgrad.grad(logistic_regression, wrt='w').source
    assert '-(-' not in source
    assert 'np.log(x) + 1.0' in s2sgrad.grad(log_times).source
    assert 'bo = 2.0 * o' in s2sgrad.grad(frobenius_squared).source
    assert 'bX = 2.0 * X' in s2sgrad.grad(double_transpose).source
    assert 's2s.seed' not in s2sgrad.grad(euclidean_norm).source
    rng = np.random.default_rng(1)
    for shape in [(), (3,), (2, 3), (1, 3, 1)]:
        o = rng.standard_normal(shape) if shape else 0.7
        got = s2sgrad.grad(frobenius_squared)(o)
        np.testing.assert_allclose(got, 2 * np.asarray(o), rtol=1e-12)
        x = rng.uniform(0.5, 1.5, shape) if shape else 0.7
        np.testing.assert_allclose(s2sgrad.grad(log_times)(x), np.log(x) + 1, rtol=1e-12)
    X, y, w = rng.standard_normal((5, 3)), rng.uniform(0, 1, 5), rng.standard_normal(3)
    _check(s2sgrad.grad(logistic_regression, wrt='w'), logistic_regression, 'w', [X, y, w])


def test_cancellation_keeps_the_shape():
    """x / x is not 1.0 when nothing else gives the sum the shape of x."""
    s2sgrad.clear_cache()
    df = s2sgrad.grad(scaled_rows, wrt='c')
    x, c = np.arange(1.0, 7.0).reshape(2, 3), 0.5
    _check(df, scaled_rows, 'c', [x, c])


def test_float32_and_integer_arguments():
    """The returned gradient has the argument's float dtype; integers give floats."""
    s2sgrad.clear_cache()
    df = s2sgrad.grad(quadratic_form, wrt='x', shapes={'x': ('n',), 'A': ('n', 'n')})
    x, A = np.ones(3, dtype=np.float32), np.eye(3, dtype=np.float32)
    assert df(x, A).dtype == np.float32
    np.testing.assert_allclose(df(x, A), 2 * x)
    dfo = s2sgrad.grad(frobenius_squared)
    assert dfo(np.arange(3)).dtype.kind == 'f'
    np.testing.assert_array_equal(dfo(np.arange(3)), [0.0, 2.0, 4.0])


def test_declared_shapes_are_checked():
    s2sgrad.clear_cache()
    df = s2sgrad.grad(linear_form, wrt='x', shapes={'a': ('n',), 'x': ('n',)})
    with pytest.raises(s2sgrad.errors.ShapeError):
        df(np.ones((3, 1)), np.ones(1))


def test_deterministic_output():
    sources = set()
    for _ in range(2):
        s2sgrad.clear_cache()
        sources.add(s2sgrad.grad(inverse_bilinear_form, wrt='X', shapes={
            'a': ('n',), 'X': ('n', 'n'), 'b': ('n',)}).source)
    assert len(sources) == 1


def test_other_modes_with_shapes():
    """value_and_grad keeps the value; vjp and the Hessian of a simplified gradient agree
    with the closed forms."""
    s2sgrad.clear_cache()
    shapes = {'x': ('n',), 'A': ('n', 'n')}
    rng = np.random.default_rng(3)
    x, A = rng.standard_normal(3), rng.standard_normal((3, 3))
    value, grad = s2sgrad.value_and_grad(quadratic_form, wrt='x', shapes=shapes)(x, A)
    np.testing.assert_allclose(value, x @ A @ x)
    np.testing.assert_allclose(grad, (A + A.T) @ x)
    hessian = s2sgrad.hessian(quadratic_form, wrt='x')(x, A)
    np.testing.assert_allclose(hessian, A + A.T, atol=1e-10)


def test_alias_is_never_changed_in_place():
    """``y = 1.0 * x`` becomes ``y = x`` only when nothing sharing y's memory is changed
    in place: the argument is never modified."""
    s2sgrad.clear_cache()
    df = s2sgrad.grad(_writes_into_copy, wrt='x')
    x = np.arange(1.0, 4.0)
    before = x.copy()
    _check(df, _writes_into_copy, 'x', [x])
    np.testing.assert_array_equal(x, before)


def _writes_into_copy(x):
    y = 1.0 * x
    y[0] = 0.0
    return np.sum(y * x)


def test_adjoint_of_an_indexed_read_has_the_shape_of_what_was_indexed():
    """`s2s.unindex(g, z, label)` has the shape of `z`, so the product rule finds the outer
    product of the textbook: d/dW (logsumexp(W x) - (W x)[label]) = outer(p - e_label, x)."""
    shapes = {'W': ('m', 'n'), 'x': ('n',), 'label': ()}
    df = s2sgrad.grad(log_softmax_at_label, wrt='W', shapes=shapes)
    assert 'bW = np.outer(bz, x)' in df.source, df.source
    rng = np.random.default_rng(0)
    W, x = rng.standard_normal((4, 3)), rng.standard_normal(3)
    z = W @ x
    p = np.exp(z) / np.sum(np.exp(z))
    p[2] -= 1.0
    np.testing.assert_allclose(df(W, x, 2), np.outer(p, x), rtol=1e-12)
    expected = central_grad(lambda W_, x_: log_softmax_at_label(W_, x_, 2), [W, x], 0)
    np.testing.assert_allclose(df(W, x, 2), expected, rtol=1e-6, atol=1e-8)
