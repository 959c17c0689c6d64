"""The compiled path (``compile='numba'``): compiled gradients against central differences and
the plain gradient, CompileError for what numba rejects, fallback=True, the options."""
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import CompileError, CompileFallbackWarning, S2SError  # noqa: E402

numba = pytest.importorskip('numba', reason='the compiled path needs numba '
                                            '(pip install s2sgrad[numba])')


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _flat(item)]
    return [np.asarray(result, dtype=np.float64)]


def _same(got, expected, rtol=1e-9, atol=1e-12):
    got, expected = _flat(got), _flat(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def _against_differences(f, args, wrt, rtol=1e-5, atol=1e-7):
    """The compiled gradient against central differences, and against the plain one."""
    compiled = s2sgrad.grad(f, wrt=wrt, compile='numba')(*args)
    plain = s2sgrad.grad(f, wrt=wrt)(*args)
    _same(compiled, plain, rtol=1e-9, atol=1e-10)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    for i, g in zip(indices, compiled if isinstance(wrt, tuple) else (compiled,)):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64),
                                   numerical_grad(f, args, i), rtol=rtol, atol=atol)
    return compiled


# -- scalar code -------------------------------------------------------------------------

def scalar_math(x):
    y = x
    for i in range(250):
        y = math.sin(y) * 0.9 + x * 0.1
    return y


def while_if_break(x, a):
    s = 0.0
    k = 0
    while k < 40:
        if s > 3.0:
            break
        if k % 3 == 0:
            s = s + math.exp(-x * k * 0.1) * a
        else:
            s = s + math.cos(x + k) ** 2
        k = k + 1
    return s * x


def square(t):
    return t * t


def calls_a_function(x, y):
    return square(math.sin(x) * y) + math.log(1.0 + x * x)


def test_scalar_loop():
    got = _against_differences(scalar_math, (0.3,), 0)
    assert type(got) is float


def test_while_if_break_two_arguments():
    got = _against_differences(while_if_break, (0.7, 1.3), (0, 1))
    assert isinstance(got, tuple) and all(type(g) is float for g in got)


def test_user_function_is_compiled_too():
    _against_differences(calls_a_function, (0.4, -1.2), (0, 1))


def test_types_of_gradients_follow_the_arguments():
    df = s2sgrad.grad(scalar_math, compile='numba')
    assert type(df(2)) is float  # an int argument: a float gradient
    g32 = df(np.float32(0.3))
    assert type(g32) is np.float32
    assert abs(float(g32) - s2sgrad.grad(scalar_math)(0.3)) < 1e-5


def test_value_and_grad_jvp_vjp():
    value, g = s2sgrad.value_and_grad(scalar_math, compile='numba')(0.3)
    assert value == pytest.approx(scalar_math(0.3), rel=1e-12)
    assert g == pytest.approx(s2sgrad.grad(scalar_math)(0.3), rel=1e-12)
    assert s2sgrad.jvp(scalar_math, compile='numba')(0.3, 2.0) == pytest.approx(2 * g, rel=1e-9)
    assert s2sgrad.vjp(scalar_math, compile='numba')(0.3, 2.0) == pytest.approx(2 * g, rel=1e-9)


# -- arrays ------------------------------------------------------------------------------

def mlp(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def softmax_rows(X, w):
    m = np.exp(X - np.max(X, axis=1, keepdims=True))
    p = m / np.sum(m, axis=1, keepdims=True)
    return np.sum(p * X) + np.sum(np.mean(X, axis=0) * w)


def indexed_loop(x, W):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0:
            s = s + np.sum(np.tanh(W @ x) * x[i])
        else:
            break
    return s + np.sum(W[1:, 0] * x[:2])


def test_mlp():
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((4, 5)), rng.standard_normal((5, 2)),
            rng.standard_normal((6, 4)), rng.standard_normal((6, 2)))
    _against_differences(mlp, args, (0, 1))


def test_reductions_over_axes():
    rng = np.random.default_rng(1)
    args = (rng.standard_normal((3, 4)) * 0.5, rng.standard_normal(4))
    _against_differences(softmax_rows, args, (0, 1))


def test_indexing_branches_and_break():
    rng = np.random.default_rng(2)
    x = np.abs(rng.standard_normal(3)) + 0.1
    x[2] = -0.5
    _against_differences(indexed_loop, (x, rng.standard_normal((3, 3))), (0, 1))


def writes_into_its_argument(x):
    x[0] = x[0] * 3.0
    return np.sum(x ** 2)


def test_argument_written_by_the_function_is_not_modified_float32_too():
    for dtype in (np.float64, np.float32):
        x = np.array([1.0, 2.0, 3.0], dtype=dtype)
        got = s2sgrad.grad(writes_into_its_argument, compile='numba')(x)
        np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
        assert got.dtype == dtype
        _same(got, s2sgrad.grad(writes_into_its_argument)(x))


# -- lists of arrays ------------------------------------------------------------------------

def stack_rows(W, x):
    rows = []
    for i in range(W.shape[0]):
        rows.append(np.tanh(W[i] * x))
    H = np.stack(rows)
    return np.sum(H ** 2 * np.arange(1.0, 4.0))


def stack_columns(W, x):
    cols = []
    for i in range(3):
        cols.append(np.sin(W @ x * (i + 1)))
    H = np.stack(cols, axis=1)
    return np.sum(H * H[:, ::-1]) + np.sum(np.squeeze(H[:1], axis=0) * x)


def summed_and_joined(W, x):
    parts = []
    for i in range(W.shape[0]):
        parts.append(np.exp(W[i] * x[i]))
    total = sum(parts)
    return np.sum(total ** 2) + np.sum(np.array(parts) * W) + \
        np.sum(np.concatenate(parts) ** 3)


def test_list_of_arrays_built_in_a_loop_and_stacked():
    rng = np.random.default_rng(5)
    args = (rng.standard_normal((3, 3)) * 0.5, rng.standard_normal(3))
    _against_differences(stack_rows, args, (0, 1))
    _against_differences(stack_columns, args, (0, 1))


def test_list_of_arrays_summed_and_joined():
    rng = np.random.default_rng(6)
    args = (rng.standard_normal((3, 4)) * 0.5, rng.standard_normal(3) * 0.5)
    _against_differences(summed_and_joined, args, (0, 1))


def _layer(W, state):
    new = []
    for i in range(len(state)):
        new.append(np.tanh(W @ state[i] + i))
    return new


def array_then_list(W, state):
    """`state`: an array (rows) at the first step, then the list that `_layer` returns, as
    GradBench's lstm carries its state."""
    total = 0.0
    for t in range(3):
        state = _layer(W, state)
        total = total + np.sum(state[0] * state[-1]) * (t + 1)
    return total


def list_or_array_by_branch(x, W):
    if x[0] > 0:
        parts = [np.sin(W[0] * x), np.cos(W[1])]
    else:
        parts = W * x
    return np.sum(parts[0] * parts[1] ** 2)


def test_variable_that_is_a_list_on_one_path_and_an_array_on_another():
    rng = np.random.default_rng(7)
    W = rng.standard_normal((3, 3)) * 0.5
    _against_differences(array_then_list, (W, rng.standard_normal((2, 3))), 0)
    x = rng.standard_normal(3)
    for sign in (1.0, -1.0):  # both branches
        _against_differences(list_or_array_by_branch, (sign * np.abs(x), W), (0, 1))


def list_of_another_shape(x, W):
    if x[0] > 0:
        parts = [W @ x, x]  # (items of x's shape: not rows of x * 2.0)
    else:
        parts = x * 2.0
    return np.sum(parts[0] * parts[1])


def test_list_that_cannot_be_an_array_raises_and_says_why():
    x = np.array([0.5, -1.0, 2.0])
    df = s2sgrad.grad(list_of_another_shape, compile='numba')
    with pytest.raises(CompileError) as info:
        df(x, np.eye(3))
    text = str(info.value)
    assert '`parts` is a list on one path and an array on another' in text
    assert 'compile=None' in text


# -- what raises ---------------------------------------------------------------------------

def reads_a_dict(x, params):
    return params['a'] * math.sin(x)


def calls_uncompilable(x):
    return float(np.linalg.slogdet(np.eye(2) * x)[1]) * x


def test_compile_error_names_the_construct_and_what_to_do():
    df = s2sgrad.grad(reads_a_dict, compile='numba')
    with pytest.raises(CompileError) as info:
        df(0.5, {'a': 2.0})
    text = str(info.value)
    assert 'dict' in text and 'compile=None' in text and 'fallback=True' in text
    assert isinstance(info.value, S2SError)
    with pytest.raises(CompileError):  # and again: never a silent fallback
        df(0.5, {'a': 2.0})


def flat_concatenation(x):
    return np.sum(np.concatenate((x, x * 2.0), axis=None) * np.arange(2.0 * x.size))


def test_an_internal_numba_failure_is_a_compile_error():
    """numba's typing of ``np.concatenate(..., axis=None)`` fails with a bare AssertionError:
    a CompileError all the same, and fallback=True runs the plain gradient."""
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises(CompileError) as info:
        s2sgrad.grad(flat_concatenation, compile='numba')(x)
    assert 'AssertionError' in str(info.value) and 'compile=None' in str(info.value)
    with pytest.warns(CompileFallbackWarning):
        got = s2sgrad.grad(flat_concatenation, compile='numba', fallback=True)(x)
    weights = np.arange(12.0)
    np.testing.assert_allclose(got, (weights[:6] + 2.0 * weights[6:]).reshape(2, 3))


def math_of_an_array(x):
    return np.sum(x) * math.sin(x[0])


def contracted(A, x):
    return np.sum(np.einsum('ij,j->i', A, x) ** 2)


def test_compile_error_points_at_the_generated_line():
    with pytest.raises(CompileError) as info:
        s2sgrad.grad(contracted, compile='numba')
    error = info.value
    assert 's2s.einsum_adjoint_spec' in str(error)
    assert 'np.einsum' in str(error)  # the line whose derivative needs it
    assert error.lineno is not None and 's2s.einsum_adjoint_spec' in error.text


def test_fallback_warns_and_runs_the_plain_gradient():
    with pytest.warns(CompileFallbackWarning, match='plain Python'):
        df = s2sgrad.grad(reads_a_dict, compile='numba', fallback=True)
        got = df(0.5, {'a': 2.0})
    assert got == pytest.approx(2.0 * math.cos(0.5))
    with pytest.warns(CompileFallbackWarning):
        df = s2sgrad.grad(contracted, compile='numba', fallback=True, wrt=1)
    A, x = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, -2.0])
    _same(df(A, x), s2sgrad.grad(contracted, wrt=1)(A, x))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        df(A, x)  # (the plain function itself: no warning at each call)


def test_options():
    with pytest.raises(ValueError, match='numba'):
        s2sgrad.grad(scalar_math, compile='jit')
    with pytest.raises(ValueError, match='fallback'):
        s2sgrad.grad(scalar_math, fallback=True)
    compiled = s2sgrad.grad(scalar_math, compile='numba')
    assert compiled is s2sgrad.grad(scalar_math, compile='numba')
    assert compiled is not s2sgrad.grad(scalar_math)
    assert compiled.plain is s2sgrad.grad(scalar_math)
    assert compiled.source == s2sgrad.grad(scalar_math).source

    @s2sgrad.grad(compile='numba')
    def decorated(x):
        return x * math.exp(x)
    assert decorated(0.5) == pytest.approx(1.5 * math.exp(0.5))


def test_missing_numba_says_how_to_install(monkeypatch):
    from s2sgrad import numba_path
    from s2sgrad.errors import MissingDependencyError
    monkeypatch.setitem(sys.modules, 'numba', None)
    with pytest.raises(MissingDependencyError, match=r's2sgrad\[numba\]'):
        numba_path._numba()
    assert issubclass(MissingDependencyError, ImportError)


def test_hvp_and_hessian_compile_the_forward_product():
    def f(x):
        return np.sum(np.sin(x) * x ** 2)
    x = np.array([0.3, -0.7, 1.1])
    v = np.array([1.0, 2.0, -1.0])
    _same(s2sgrad.hvp(f, compile='numba')(x, v), s2sgrad.hvp(f)(x, v))
    _same(s2sgrad.hessian(f, compile='numba')(x), s2sgrad.hessian(f)(x))


# -- the corpus --------------------------------------------------------------------------

def _sample():
    """Every case when S2SGRAD_NUMBA_CORPUS=all, else every fifteenth (compiling is slow)."""
    every = 1 if os.environ.get('S2SGRAD_NUMBA_CORPUS') == 'all' else 15
    cases = []
    seen = {}
    for k, (f, make_args, wrt) in enumerate(corpus.CASES):
        seen[f.__name__] = seen.get(f.__name__, 0) + 1
        name = f.__name__ if seen[f.__name__] == 1 else f'{f.__name__}-{seen[f.__name__]}'
        if k % every == 0:
            cases.append(pytest.param(f, make_args, wrt, id=name))
    return cases


@pytest.mark.parametrize('f, make_args, wrt', _sample())
def test_corpus_compiles_right_or_raises(f, make_args, wrt):
    """A corpus function through the compiled path (no fallback): the plain gradient's
    numbers, or CompileError; never another number, never a modified argument."""
    args = make_args(np.random.default_rng(0))
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    expected = s2sgrad.grad(f, wrt=wrt)(*copies)
    try:
        got = s2sgrad.grad(f, wrt=wrt, compile='numba')(*args)
    except CompileError as error:
        assert 'compile=None' in str(error)
        return
    for a, c in zip(args, copies):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, c, err_msg=f'{f.__name__}: modified an argument')
    single = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    _same(got, expected, rtol=1e-4 if single else 1e-7, atol=1e-5 if single else 1e-9)


def test_helpers_match_their_python_versions():
    """The numba implementations of the helpers with most logic against the helpers."""
    from s2sgrad import numba_runtime, runtime
    rng = np.random.default_rng(4)
    a23, a13, a21, a3 = (rng.standard_normal(s) for s in ((2, 3), (1, 3), (2, 1), (3,)))
    cases = [
        (runtime.unbroadcast, (a23, a13)), (runtime.unbroadcast, (a23, a21)),
        (runtime.unbroadcast, (a23, a3)), (runtime.unbroadcast, (a3, a23)),
        (runtime.unbroadcast, (a23, 1.5)), (runtime.unreduce, (a3, a23, 0)),
        (runtime.unreduce, (a21, a23, 1, True)), (runtime.unmean, (a21, a23, -1, True)),
        (runtime.unextremum, (a3, np.max(a23, axis=0), a23, 0)),
        (runtime.unextremum, (1.5, np.max(a23, axis=0), a23, 0)),  # (a number: every slice's)
        (runtime.unextremum, (np.array(2.0), np.array(0.5), np.array(0.5))),  # (0-d)
        (runtime.untranspose, (rng.standard_normal((2, 3, 4)), (2, 0, 1))),
        (runtime.__getattr__('unjoin'), (rng.standard_normal((4, 3)), (a13, a23, a13))),
    ]

    made = {}

    def compiled(helper):  # (one dispatcher per helper: a signature compiles once)
        return made.setdefault(helper, numba.njit(lambda *a: helper(*a)))
    for helper, args in cases:
        _same(compiled(helper)(*args), helper(*args), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match='not shaped as its result'):
        compiled(runtime.unextremum)(a21[:, 0], np.max(a23, axis=0), a23, 0)
    stack, concatenate, squeeze, as_array, as_list = (
        numba_runtime.stack, numba_runtime.concatenate, numba_runtime.squeeze,
        numba_runtime.as_array, numba_runtime.as_list)
    unjoin = runtime.__getattr__('unjoin')
    rows = [a23[0] * 1.0, a23[1] * 2.0, a23[0] * 3.0]
    for axis in (0, 1, -1):  # stacked and split along each axis
        stacked = numba.njit(lambda r, a: stack(r, a))(rows, axis)
        _same(stacked, np.stack(rows, axis))
        g = rng.standard_normal(stacked.shape)
        _same(compiled(runtime.unstack)(g, rows, axis), runtime.unstack(g, rows, axis))
        _same(compiled(runtime.restack)(rows, g, axis), runtime.restack(rows, g, axis))
    _same(numba.njit(lambda r: concatenate(r, 1))([a23, a21, a23]),
          np.concatenate([a23, a21, a23], 1))
    joined = rng.standard_normal((2, 7))
    _same(compiled(unjoin)(joined, [a23, a21, a23], 1), unjoin(joined, [a23, a21, a23], 1))
    _same(numba.njit(lambda x: squeeze(x, 1))(a21), np.squeeze(a21, 1))
    _same(numba.njit(lambda r: as_array(r))(rows), np.stack(rows))
    _same(numba.njit(lambda x: as_list(x))(a23), list(a23))
    index = (slice(None), np.array([2, 0, 2]))  # (a repeated position adds up)
    g = rng.standard_normal((2, 3))
    _same(compiled(runtime.unindex)(g, a23, index), runtime.unindex(g, a23, index))
    # (keepdims is a literal in generated code)
    reduce_max = numba.njit(lambda x: numba_runtime.reduce_max(x, 1, True))
    reduce_min = numba.njit(lambda x: numba_runtime.reduce_min(x, 0))
    _same(reduce_max(a23), np.max(a23, axis=1, keepdims=True))
    _same(reduce_min(a23), np.min(a23, axis=0))


def test_reduction_kernels_over_every_axis_against_numpy():
    """The compiled reductions over one axis, their adjoints (unextremum, unbroadcast) on
    3-D arrays, a transposed (non-contiguous) one, ties, a nan and empty axes, against
    NumPy's reductions and the masked formula of the adjoint of a max."""
    from s2sgrad import numba_runtime, runtime
    rng = np.random.default_rng(7)
    x3 = rng.standard_normal((3, 4, 5))
    x3[1, 2, :] = 2.5  # ties along the last axis
    x3[0, 1, 3] = 2.5
    xt = x3.transpose(2, 0, 1)
    reductions = ((numba_runtime.reduce_max, np.max), (numba_runtime.reduce_min, np.min),
                  (numba_runtime.reduce_sum, np.sum), (numba_runtime.reduce_mean, np.mean))
    for ours, theirs in reductions:
        plain = numba.njit(lambda x, a: ours(x, a))
        kept = numba.njit(lambda x, a: ours(x, a, True))
        for x in (x3, xt):
            for axis in (0, 1, 2, -1):
                _same(plain(x, axis), theirs(x, axis=axis))
                _same(kept(x, axis), theirs(x, axis=axis, keepdims=True))
    withnan = x3.copy()
    withnan[2, 0, 1] = np.nan
    _same(numba.njit(lambda x: numba_runtime.reduce_max(x, 2))(withnan),
          np.max(withnan, axis=2), atol=0)  # (nan where a nan is: assert_allclose sees it)

    def shared(g, x, axis, keepdims):  # the adjoint of a max: g split among its ties
        ans = np.max(x, axis=axis, keepdims=True)
        mask = x == ans
        g = g if keepdims else np.expand_dims(g, axis)
        return g * mask / mask.sum(axis=axis, keepdims=True)
    unextremum = numba.njit(lambda g, ans, x, a: runtime.unextremum(g, ans, x, a))
    unextremum_kept = numba.njit(lambda g, ans, x, a: runtime.unextremum(g, ans, x, a, True))
    for x in (x3, xt, withnan):
        for axis in (0, 1, 2, -1):
            ans = np.max(x, axis=axis)
            g = rng.standard_normal(ans.shape)
            with np.errstate(invalid='ignore'):
                _same(unextremum(g, ans, x, axis), shared(g, x, axis, False))
                kept_ans = np.max(x, axis=axis, keepdims=True)
                _same(unextremum_kept(g.reshape(kept_ans.shape), kept_ans, x, axis),
                      shared(g.reshape(kept_ans.shape), x, axis, True))
    unbroadcast = numba.njit(lambda g, x: runtime.unbroadcast(g, x))
    for gshape, xshape in (((3, 4, 5), (4, 1)), ((3, 4, 5), (1, 4, 5)), ((3, 4, 5), (3, 1, 5)),
                           ((3, 4, 5), (5,)), ((3, 4, 5), (3, 4, 1)), ((3, 1), (1, 4)),
                           ((0, 3), (3,)), ((2, 0), (1, 1))):
        g = rng.standard_normal(gshape)
        full = np.broadcast_shapes(gshape, xshape)
        g_full = np.broadcast_to(g, full)
        extra = len(full) - len(xshape)
        axes = tuple(range(extra)) + tuple(extra + k for k, size in enumerate(xshape)
                                           if size == 1 and full[extra + k] != 1)
        expected = g_full.sum(axis=axes, keepdims=True).reshape(xshape)
        _same(unbroadcast(g, np.zeros(xshape)), expected)


def scaled_by_power_of_two(x, n):
    return x * 2 ** n + x ** 2


def decades(x, k):
    s = 0.0
    for i in range(k):
        s = s + x ** 2 * 10.0 ** (i - 2) + x * 2 ** i
    return s


def test_integer_to_a_negative_integer_power_is_loud():
    # numba computes 2 ** -2 as the integer 0, Python as 0.25: compiled code raises there
    df = s2sgrad.grad(scaled_by_power_of_two, compile='numba')
    assert df(1.3, 3) == pytest.approx(8.0 + 2.6)
    with pytest.raises(ValueError, match='negative integer power'):
        df(1.3, -2)
    got = s2sgrad.grad(decades, compile='numba')(1.5, 4)
    assert got == pytest.approx(s2sgrad.grad(decades)(1.5, 4))


def parts_of_two_kinds(x):
    if x[0] > 0:
        parts = [x, x * 2.0]
    else:
        parts = np.ones((2, 2)) @ np.stack([x, x])
    return np.sum(parts[0] * parts[1])


def test_a_name_error_inside_numba_is_a_compile_error_that_fallback_catches():
    # (numba 0.68 fails typing this with an UnboundLocalError of its own)
    x = np.array([0.5, 1.0, 1.5])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', CompileFallbackWarning)
        got = s2sgrad.grad(parts_of_two_kinds, compile='numba', fallback=True)(x)
    np.testing.assert_allclose(got, s2sgrad.grad(parts_of_two_kinds)(x))


def smaller_times_x(x, y):
    return min(x, y) * x + max(x * y, 0.1)


def written_at_repeated_positions(x):
    y = np.zeros(4)
    y[np.array([0, 2, 0, 3])] = x * np.array([1.0, 2.0, 3.0, 4.0])  # (the last write stays)
    return np.sum(y * y)


def test_builtin_min_max_of_numbers_and_writes_at_an_index_array():
    for x, y in ((0.7, 0.2), (0.01, 3.0)):
        _against_differences(smaller_times_x, (x, y), (0, 1))
    # a tie shares the derivative evenly (min(x, y) * x: x + x / 2 and x / 2; max(x y, 0.1):
    # y and x), as the plain path does
    _same(s2sgrad.grad(smaller_times_x, wrt=(0, 1), compile='numba')(0.5, 0.5), (1.25, 0.75))
    _same(s2sgrad.grad(smaller_times_x, wrt=(0, 1))(0.5, 0.5), (1.25, 0.75))
    x = np.array([0.5, -1.0, 2.0, 0.3])
    _against_differences(written_at_repeated_positions, (x,), 0)
    # y = (3 x2, 0, 2 x1, 4 x3): the gradient of 9 x2^2 + 4 x1^2 + 16 x3^2
    _same(s2sgrad.grad(written_at_repeated_positions, compile='numba')(x),
          np.array([0.0, 8 * x[1], 18 * x[2], 32 * x[3]]))


def made_in_the_loop(x):
    for i in range(3):
        y = x * i  # (its adjoint is zero at the end of each backward pass: 0.0)
    return np.sum(y * x)


def early_helper(x, t):
    if t > 0.6:
        return np.tanh(x * t)
    return x * t


def helper_in_a_loop(x):
    acc = np.zeros_like(x)
    for k in range(3):
        acc = acc + early_helper(x, 0.5 * k) * (k + 1)
    return np.sum(acc ** 2)


def test_adjoint_zeroed_in_a_loop_pass_is_an_array_when_compiled():
    x = np.array([0.5, -1.0, 2.0])
    _against_differences(made_in_the_loop, (x,), 0)
    _same(s2sgrad.grad(made_in_the_loop, compile='numba')(x), 4 * x)
    _against_differences(helper_in_a_loop, (np.array([0.2, 0.7, 1.3]),), 0)


def square_plus_sine(x):
    return x * x + np.sin(x)


def masked_total(w, mask):
    return np.sum(w * mask)


def twice_the_largest(x):
    return np.max(x) * 2.0


def rows_normalised(h):
    return h / np.sum(h, axis=1, keepdims=True)


def scaled(y, n):
    return y * 2 ** n


def through_forward_helpers(x, y, n):
    return np.sum(x * scaled(y, n)) + np.sum(rows_normalised(x * x + 1.0))


def test_compiled_types_and_the_functions_it_calls_forward():
    # a NumPy integer argument gets a float gradient (it was cast back to the integer)
    for x in (np.int64(3), np.uint8(3), np.bool_(True)):
        got = s2sgrad.grad(square_plus_sine, compile='numba')(x)
        assert type(got) is np.float64 and got == pytest.approx(2 * float(x) + np.cos(float(x)))
    # an integer or boolean adjoint summed into an integer argument's gradient: floats
    w = np.array([[1, 2, 3]])
    mask = np.array([[1, 0, 1], [1, 1, 1], [0, 0, 1]], bool)
    got = s2sgrad.grad(masked_total, compile='numba')(w, mask)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[2.0, 1.0, 3.0]])
    np.testing.assert_array_equal(
        s2sgrad.grad(masked_total, compile='numba')(w, np.ones((300, 3), np.int8)), [[300.0] * 3])
    x32 = np.array([[0.5, 2.0, -1.0], [2.0, 0.25, 1.5]], np.float32)  # (a tie: shared)
    got = s2sgrad.grad(twice_the_largest, compile='numba')(x32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [[0, 1, 0], [1, 0, 0]])
    # functions of the user's that compiled code calls without differentiating them are
    # rewritten as the generated code is: a reduction over an axis compiles, and an integer
    # to a negative integer power is loud (numba's is 0)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.5, 1.5, (2, 3)), rng.uniform(0.5, 1.5, (2, 3))
    _against_differences(through_forward_helpers, (x, y, 2), 0)
    with pytest.raises(ValueError, match='negative integer power'):
        s2sgrad.grad(through_forward_helpers, compile='numba')(x, y, -1)


def test_rule_helpers_match_their_python_versions():
    """The numba implementations of the helpers that rules define (`numba_rules`) against
    the helpers themselves: every axis, both triangles, bounds given or not."""
    from s2sgrad import numba_runtime, runtime
    assert 'mT' in numba_runtime.IMPLEMENTED
    helper = runtime.__getattr__
    rng = np.random.default_rng(5)
    a34, s33, b234 = (rng.standard_normal(s) for s in ((3, 4), (3, 3), (2, 3, 4)))
    v4 = rng.standard_normal(4)
    zeros = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    cases = [('mT', (a34,)), ('mT', (b234,)), ('mT_if', (a34, True)), ('mT_if', (a34, False)),
             ('eye_like', (v4,)), ('phi', (s33,)), ('to_triangle', (s33, None)),
             ('as_column', (s33, v4[:3])), ('as_column', (s33, s33)),
             ('from_column', (s33, v4[:3])), ('from_column', (s33, s33)),
             ('keep_if_float', (a34, a34)), ('keep_if_float', (a34, a34.astype(int))),
             ('xdivy', (zeros, 2.0)), ('xdivy', (zeros, zeros + 1)), ('xdivy', (0.0, 2.0)),
             ('xdivy', (3.0, 2.0)), ('plain_logsumexp', (a34,)),
             ('untrace', (2.0, a34)), ('untrace', (2.0, a34, 1)),
             ('untrace', (2.0, a34, -1, 1, 0)), ('untrace', (2.0, s33)),
             ('undiag', (s33, v4[:3])), ('undiag', (a34, v4[:3], 1)), ('undiag', (v4[:3], s33)),
             ('undiag', (v4[:2], s33, 1)), ('undiag', (v4[:2], s33, -1)),
             ('prod_others', (b234, 1)), ('uncumsum', (b234, b234, 1)),
             ('unsort', (b234, b234, 1)), ('unsort', (b234, b234, -1)),
             ('nan_unless_positive', (2.0,)), ('nan_unless_positive', (a34,)),
             ('normal_density', (0.7,)), ('normal_density', (a34,)),
             ('normal_density', (a34, 3)), ('normal_density', (np.array([np.inf, -2.0]), 2))]
    for uplo in ('L', 'U'):
        cases += [('to_triangle', (s33, uplo)), ('from_triangle', (s33, uplo))]
    for lo, hi in ((-0.5, 0.5), (None, 0.5), (-0.5, None), (None, None), (np.zeros(4), 0.3)):
        cases += [('clip_' + kind, (a34, lo, hi)) for kind in ('passes', 'lower', 'upper')]
    for axis in (None, 0, 1, -1):
        cases += [('prod_others', (zeros, axis)), ('prod_others', (a34, axis)),
                  ('uncumsum', (np.cumsum(a34, axis=axis), a34, axis)),
                  ('unsort', (np.sort(a34, axis=axis), a34, axis)),
                  ('dof', (a34, axis)), ('dof', (a34, axis, 1))]

    def compiled(function):
        return numba.njit(lambda *a: function(*a))
    dispatchers = {}  # (one per helper: the cases of one signature compile once)
    for name, args in cases:
        function = helper(name)
        expected = function(*args)
        got = dispatchers.setdefault(name, compiled(function))(*args)
        assert np.asarray(got).dtype == np.asarray(expected).dtype, (name, args)
        _same(got, expected, rtol=1e-12, atol=1e-12)
    refuse = helper('refuse')
    with pytest.raises(S2SError, match='differentiates np.example with'):
        numba.njit(lambda: refuse('np.example with axis=None'))()


def outer_exp(x):
    def inner(z):
        return np.exp(z)
    return inner(x)


def outer_cube(x):
    def inner(z):
        return z ** 3
    return inner(x)


def two_nested_functions_of_one_name(x):
    return np.sum(outer_exp(x) + outer_cube(x))


def test_helpers_of_one_name_called_by_their_unit_names():
    """Two nested functions named alike: the unit calls the second `inner_fwd_2`, and the
    compiled code reaches it by that name."""
    x = np.linspace(0.1, 1.0, 3)
    got = s2sgrad.grad(two_nested_functions_of_one_name, compile='numba')(x)
    np.testing.assert_allclose(got, np.exp(x) + 3 * x ** 2, rtol=1e-12)


# -- programs that call the helpers of rules, fancy indexes and lists -------------------------

def softmax_cross_entropy(W, X, labels):
    logits = X @ W
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels])


def gaussian_negative_log_likelihood(A, b):
    S = A @ A.T + 3.0 * np.eye(3)
    L = np.linalg.cholesky(S)
    inv = np.linalg.inv(L)
    z = inv @ b
    return 0.5 * np.sum(z ** 2) + np.sum(np.log(np.diag(L))) + 0.1 * np.trace(S)


def scans_and_sorts(x):
    c = np.cumsum(x)
    s = np.sort(x * c)
    p = np.prod(x)
    v = np.var(x)
    return s[0] * s[-1] + p + v + np.sum(np.clip(c, -0.5, 1.0))


def writes_a_diagonal(B, v):
    S = B + B.T
    S[np.arange(3), np.arange(3)] += 1.0
    return v @ S @ v


def accumulates_a_list(x, w):
    s = [0.0, 0.0, 0.0]
    for j in range(4):
        for i in range(3):
            s[i] = s[i] + w[i] * math.sin(x * j)
    return s[0] * s[1] + s[2] ** 2


def test_programs_with_rule_helpers_fancy_indexes_and_lists_compile_right():
    rng = np.random.default_rng(8)
    X, labels = rng.standard_normal((6, 4)), np.array([0, 2, 1, 1, 0, 2])
    _against_differences(softmax_cross_entropy, (rng.standard_normal((4, 3)), X, labels), 0)
    _against_differences(gaussian_negative_log_likelihood,
                         (rng.standard_normal((3, 3)), rng.standard_normal(3)), (0, 1))
    _against_differences(scans_and_sorts, (rng.standard_normal(5),), 0)
    _against_differences(writes_a_diagonal,
                         (rng.standard_normal((3, 3)), rng.standard_normal(3)), (0, 1))
    w = [0.5, -1.5, 2.0]
    got = s2sgrad.grad(accumulates_a_list, wrt=(0, 1), compile='numba')(0.7, w)
    _same(got, s2sgrad.grad(accumulates_a_list, wrt=(0, 1))(0.7, w))
    assert type(got[1]) is list and w == [0.5, -1.5, 2.0]
    eps = 1e-6
    np.testing.assert_allclose(got[0], (accumulates_a_list(0.7 + eps, w) -
                                        accumulates_a_list(0.7 - eps, w)) / (2 * eps), rtol=1e-6)
    for i in range(3):
        up, down = list(w), list(w)
        up[i] += eps
        down[i] -= eps
        np.testing.assert_allclose(got[1][i], (accumulates_a_list(0.7, up) -
                                               accumulates_a_list(0.7, down)) / (2 * eps),
                                   rtol=1e-6)


def two_layers(params, x):
    W, b = params
    return np.sum(np.tanh(x @ W + b) ** 2)


def sum_of_squares(xs):
    t = 0.0
    for v in xs:
        t = t + np.sum(v ** 2)
    return t


def clipped_times_itself(x):
    return np.sum(np.clip(x, -0.5, 0.5) * x)


def test_list_arguments_numba_cannot_take_are_compile_errors():
    """Items of different types (dimensions, dtypes, layouts), an empty list: CompileError
    (numba's own TypeError or ValueError before), which fallback=True catches."""
    rng = np.random.default_rng(9)
    W, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((4, 3))
    cases = [(two_layers, ([W, b], x)),
             (sum_of_squares, ([np.ones(3), np.ones(6)[::2]],)),
             (sum_of_squares, ([np.ones(3), np.ones(3, np.float32)],)),
             (sum_of_squares, ([],))]
    for f, args in cases:
        with pytest.raises(CompileError, match='list argument'):
            s2sgrad.grad(f, compile='numba')(*args)
    with pytest.warns(CompileFallbackWarning):
        got = s2sgrad.grad(two_layers, compile='numba', fallback=True)([W, b], x)
    _same(got, s2sgrad.grad(two_layers)([W, b], x))
    _same(s2sgrad.grad(two_layers, compile='numba')((W, b), x),
          s2sgrad.grad(two_layers)((W, b), x))


def test_clip_of_an_integer_array_is_never_numbas_integer_clip():
    """numba's np.clip keeps an integer array's dtype (NumPy's gives floats): the compiled
    path refuses rather than give other numbers."""
    x = np.array([-1, 0, 2])
    expected = s2sgrad.value_and_grad(clipped_times_itself)(x)
    np.testing.assert_allclose(expected[1], [-0.5, 0.0, 0.5])
    try:
        got = s2sgrad.value_and_grad(clipped_times_itself, compile='numba')(x)
    except CompileError:
        return
    _same(got, expected)


_AT_THE_DEFAULT_LEVEL = '''
import math, sys
import numba
import numpy as np
import s2sgrad

def loop(x):
    y = x
    for i in range(250):
        y = math.sin(y) * 0.9 + x * 0.1
    return y

def layers(W1, W2, x):
    h = np.tanh(x @ W1)
    z = h @ W2
    z = z - np.max(z, axis=1, keepdims=True)
    return np.sum(np.log(np.sum(np.exp(z), axis=1))) + np.sum(np.max(h, axis=0) ** 2)

rng = np.random.default_rng(3)
W1, W2, x = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal((6, 4))
print(int(numba.core.config.OPT))
for f, args, wrt in ((loop, (0.4,), 0), (layers, (W1, W2, x), (0, 1))):
    compiled = s2sgrad.grad(f, wrt=wrt, compile='numba')(*args)
    plain = s2sgrad.grad(f, wrt=wrt)(*args)
    for c, p in zip(compiled if isinstance(wrt, tuple) else (compiled,),
                    plain if isinstance(wrt, tuple) else (plain,)):
        np.testing.assert_allclose(c, p, rtol=1e-12, atol=1e-13)
print('same')
'''


def test_the_default_optimisation_level_gives_the_same_numbers(tmp_path):
    """The suite compiles at NUMBA_OPT=0 (tests/conftest.py, for time); at numba's default
    level, in a process of its own, a loop and a network with reductions give the plain
    gradients' numbers too."""
    env = {k: v for k, v in os.environ.items() if k not in ('NUMBA_OPT', 'NUMBA_CACHE_DIR')}
    script = tmp_path / 'default_level.py'  # (s2sgrad reads the functions' source file)
    script.write_text(_AT_THE_DEFAULT_LEVEL)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ['3', 'same'], run.stdout  # (3: numba's default level)
