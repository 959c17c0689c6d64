"""Adversarial review of the performance mechanisms of efe590e (shape stand-ins on the stacks,
the version of scalar gradients for Python numbers, shifts that cancel, inlining past stack
pushes and pops, and the runtime fast paths).

Every expectation is a central difference, a closed form or the runtime's general path, never
s2sgrad's own output. The programs live in tests/review_perf_functions.py. A test that fails
here is a finding of the review (see the report); none is marked xfail.
"""
import ast
import copy
import itertools
import warnings

import numpy as np
import pytest

import review_perf_functions as F
import s2sgrad
from s2sgrad import runtime
from s2sgrad.errors import UnsupportedSyntaxError
from trees import central_grad

rng = np.random.default_rng(20261130)


def normal(*shape):
    return rng.normal(size=shape)


X = normal(4, 3)


# -- helpers ----------------------------------------------------------------------------------
def printed(df):
    """The function `df.source` defines, executed on its own (NumPy as np, the runtime as s2s,
    and the names it reads from the module of the probes)."""
    tree = ast.parse(df.source)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    namespace = {'np': np, 's2s': runtime}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id not in defined and node.id not in namespace and hasattr(F, node.id):
            namespace[node.id] = getattr(F, node.id)
    exec(compile(df.source, '<printed>', 'exec'), namespace)
    return namespace[df.__name__]


def assert_unchanged(args, before):
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg='an argument was modified')
        elif isinstance(a, list):
            assert len(a) == len(b), 'a list argument was modified'


def check_reverse(func, args, wrt, rtol=1e-5, atol=1e-7):
    """grad and value_and_grad against central differences; arguments unchanged; the printed
    source gives what `df` gives."""
    args = list(args)
    before = copy.deepcopy(args)
    df = s2sgrad.grad(func, wrt=tuple(wrt))
    got = df(*args)
    assert_unchanged(args, before)
    assert isinstance(got, tuple) and len(got) == len(wrt)
    for g, i in zip(got, wrt):
        assert np.shape(g) == np.shape(args[i]), (i, np.shape(g))
        np.testing.assert_allclose(np.asarray(g, dtype=float), central_grad(func, before, i),
                                   rtol=rtol, atol=atol, err_msg=f'gradient of argument {i}')
    again = printed(df)(*copy.deepcopy(before))
    for a, b in zip(again, got):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg='printed source')
    value, g0 = s2sgrad.value_and_grad(func, wrt=wrt[0])(*copy.deepcopy(before))
    np.testing.assert_allclose(value, func(*copy.deepcopy(before)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(g0, dtype=float), np.asarray(got[0], dtype=float),
                               rtol=1e-12, atol=1e-12)
    return df


def check_forward(func, args, i, rtol=1e-5, atol=1e-7):
    args = list(args)
    before = copy.deepcopy(args)
    v = normal(*np.shape(args[i])) if np.ndim(args[i]) else 0.7
    if isinstance(args[i], np.ndarray):
        v = np.asarray(v, dtype=args[i].dtype)
    tangent = s2sgrad.jvp(func, wrt=i)(*args, v)
    assert_unchanged(args, before)
    want = np.sum(central_grad(func, before, i) * v)
    np.testing.assert_allclose(tangent, want, rtol=rtol, atol=atol)


def check_hvp(func, args, i):
    """Hessian-vector product (forward over reverse) against differences of the gradient."""
    args = list(args)
    v = normal(*np.shape(args[i])) if np.ndim(args[i]) else 0.7
    hv = s2sgrad.hvp(func, wrt=i)(*args, v)
    g = s2sgrad.grad(func, wrt=i)

    def at(step):
        moved = list(args)
        moved[i] = args[i] + step * v
        return np.asarray(g(*moved), dtype=float)
    np.testing.assert_allclose(hv, (at(1e-5) - at(-1e-5)) / 2e-5, rtol=1e-5, atol=1e-6)


# == 1. stand-ins on the stacks ================================================================
STANDINS = [
    (F.rnn_f32, (normal(2, 3).astype(np.float32) * .5, normal(3, 3).astype(np.float32) * .3,
                 normal(4, 2, 2).astype(np.float32)), (0, 1), ['xs_t_at_Wx', 'h_at_Wh']),
    (F.rnn_scalar_input, (0.3, normal(3, 3) * .5, normal(2, 3)), (0, 1, 2), ['a']),
    (F.alias_of_product, (normal(3), normal(2, 3)), (0, 1), ['a']),
    (F.inplace_in_loop, (normal(3), normal(2, 3)), (0, 1), ['a']),
    (F.list_of_products, (normal(3), normal(2, 3)), (0, 1), ['a']),
    (F.nested_loops, (normal(3), normal(2, 3)), (0, 1), ['a']),
    (F.while_with_break, (normal(3), normal(2, 3)), (0, 1), []),
    (F.dtype_changes, (normal(3), np.array([True, False, True]), 3), (0,), []),
    (F.zero_d, (np.array(0.4), np.array(1.3)), (0, 1), []),
    (F.growing_shape, (normal(3), normal(2, 3)), (0, 1), []),
    (F.concatenated, (normal(2), normal(1)), (0, 1), []),
    (F.reread_after_loop, (normal(3), normal(2, 3)), (0, 1), ['a']),
    (F.int_array_state, (normal(3), np.array([1, 2, 3])), (0,), []),
]
STANDIN_IDS = [case[0].__name__ for case in STANDINS]


@pytest.mark.parametrize('func, args, wrt, metas', STANDINS, ids=STANDIN_IDS)
def test_stand_in_programs_reverse(func, args, wrt, metas):
    df = check_reverse(func, args, wrt, rtol=1e-4 if func is F.rnn_f32 else 1e-5,
                       atol=1e-5 if func is F.rnn_f32 else 1e-7)
    for name in metas:  # the probe does exercise the stand-ins
        assert f'append(s2s.meta({name}))' in df.source, df.source


def test_a_stack_whose_values_nothing_reads_is_dropped():
    """The loop's exit flag `k >= 4` is saved for nothing: no stack for it at all."""
    source = s2sgrad.grad(F.while_with_break, wrt=(0, 1)).source
    assert 'k_ge_4_stack' not in source and 'k_ge_4 = k >= 4' in source


@pytest.mark.parametrize('func, args, wrt, metas', STANDINS, ids=STANDIN_IDS)
def test_stand_in_programs_second_order(func, args, wrt, metas):
    i = wrt[0]
    if func is F.rnn_f32:
        args = tuple(np.asarray(a, dtype=np.float64) for a in args)
    check_hvp(func, args, i)


def test_stand_ins_reverse_over_reverse():
    """grad(grad(f)) differentiates code that pushes s2s.meta(...) onto stacks."""
    W, v = normal(3, 3) * .5, normal(2, 3)
    g = s2sgrad.grad(F.rnn_scalar_input)
    assert 's2s.meta(' in g.source
    gg = s2sgrad.grad(g)
    for x in (0.3, np.float64(-0.2), np.array(0.5)):
        want = (g(x + 1e-5, W, v) - g(x - 1e-5, W, v)) / 2e-5
        np.testing.assert_allclose(gg(x, W, v), want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('x', [np.ones((3, 4)), np.ones((0, 3)), np.ones((2, 0, 1), np.float32),
                               np.arange(6).reshape(2, 3), np.ones((3, 4))[:, ::2],
                               np.asfortranarray(np.ones((3, 2))), np.ones((1, 1), np.float16)])
def test_meta_of_odd_layouts_gives_what_the_helpers_give(x):
    m = runtime.meta(x)
    assert m.shape == x.shape and m.dtype == x.dtype and not m.flags.writeable
    for g in (np.full(x.shape, 2.0, x.dtype if x.dtype.kind == 'f' else float), 3.0):
        for helper in (runtime.unbroadcast, runtime.like, runtime.reshape_like):
            if helper is runtime.reshape_like and np.ndim(g) == 0:
                continue
            want, got = helper(g, x), helper(g, m)
            assert type(got) is type(want) and np.shape(got) == np.shape(want)
            np.testing.assert_array_equal(got, want)
            assert np.asarray(got).dtype == np.asarray(want).dtype
            if isinstance(got, np.ndarray) and got is not g:
                got[...] = 0  # the result is the caller's to change
    z = runtime.zeros_like(m)
    assert z.flags.writeable and z.shape == x.shape


with warnings.catch_warnings():  # np.matrix is pending deprecation; users still pass it
    warnings.simplefilter('ignore', PendingDeprecationWarning)
    MATRIX = np.matrix([[1.0, 2.0]])


@pytest.mark.parametrize('x', [np.ma.array([1.0, 2.0]), MATRIX,
                               np.array(['a']), np.array(2.5), np.float32(1.0)])
def test_meta_leaves_subclasses_strings_and_scalars_alone(x):
    assert runtime.meta(x) is x


# == 2. the version for Python numbers =========================================================
SCALARS = [
    (F.param_rebound_in_loop, (0.7, normal(2, 3)), (0,)),
    (F.param_rebound_in_branch, (0.7, normal(2, 3), True), (0,)),
    (F.param_rebound_crash, (0.7, normal(3)), (0,)),
    (F.with_default, (0.4,), (0,)),
    (F.with_array_data, (0.4, normal(3)), (0,)),
    (F.with_list_data, (0.4, [1.0, -2.0, 0.5]), (0,)),
    (F.int_ops, (0.4, 5), (0,)),
    (F.compare_branch, (0.4, 0.1), (0, 1)),
    (F.compare_branch, (0.1, 0.4), (0, 1)),
    (F.numpy_on_floats, (0.4,), (0,)),
    (F.two_wrt_mixed, (0.4, normal(3)), (0, 1)),
    (F.negative_power, (0.4, -2), (0,)),
    (F.recursive_scalar, (0.4, 3), (0,)),
    (F.closure_scalar, (0.4,), (0,)),
    (F.global_scalar, (0.4,), (0,)),
    (F.accumulate_list, (0.4,), (0,)),
    (F.tuple_return_helper, (0.4,), (0,)),
    (F.sum_with_numpy_array_param, (0.4, normal(3)), (0,)),
    (F.float32_data, (0.4, normal(3).astype(np.float32)), (0,)),
]
SCALAR_IDS = [f'{case[0].__name__}-{k}' for k, case in enumerate(SCALARS)]


@pytest.mark.parametrize('func, args, wrt', SCALARS, ids=SCALAR_IDS)
def test_scalar_version_python_floats(func, args, wrt):
    check_reverse(func, args, wrt)


@pytest.mark.parametrize('func, args, wrt', SCALARS, ids=SCALAR_IDS)
def test_scalar_version_agrees_with_general_version(func, args, wrt):
    """The same point as np.float64 (the general version) and as a Python float (the version
    for numbers) gives the same gradient."""
    df = s2sgrad.grad(func, wrt=tuple(wrt))
    general = list(args)
    for i in wrt:
        general[i] = np.float64(args[i])
    for a, b in zip(df(*args), df(*general)):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-12, atol=1e-12)


def test_scalar_version_keywords_and_defaults():
    v = normal(3)
    df = s2sgrad.grad(F.with_array_data)
    assert 'not in (float, int)' in df.source
    want = central_grad(F.with_array_data, [0.4, v], 0)
    np.testing.assert_allclose(df(x=0.4, v=v), want, rtol=1e-6)
    np.testing.assert_allclose(df(0.4, v=v), want, rtol=1e-6)
    dg = s2sgrad.grad(F.with_default)
    np.testing.assert_allclose(dg(0.4, scale=3.0, k=2),
                               central_grad(lambda x: F.with_default(x, 2, 3.0), [0.4], 0),
                               rtol=1e-6)


def test_scalar_version_int_and_bool_arguments():
    df = s2sgrad.grad(F.int_ops)
    np.testing.assert_allclose(df(1, 4), central_grad(F.int_ops, [1.0, 4], 0), rtol=1e-6)
    assert type(df(1, 4)) is float
    np.testing.assert_allclose(df(True, 4), central_grad(F.int_ops, [1.0, 4], 0), rtol=1e-6)


def test_scalar_version_of_a_method():
    model = F.Model(2.0)
    df = s2sgrad.grad(model.energy)
    np.testing.assert_allclose(df(0.3), 2.0 * np.cos(0.3) + 0.6, rtol=1e-12)
    np.testing.assert_allclose(df(np.float64(0.3)), 2.0 * np.cos(0.3) + 0.6, rtol=1e-12)


@pytest.mark.parametrize('func, x', [(F.with_array_data, 0.4), (F.accumulate_list, 0.4),
                                     (F.recursive_scalar, 0.4), (F.int_ops, 0.4)])
def test_scalar_version_second_order(func, x):
    rest = {F.with_array_data: (np.array([0.5, -1.0, 2.0]),), F.recursive_scalar: (3,),
            F.int_ops: (5,)}.get(func, ())
    g = s2sgrad.grad(func)
    want = (g(x + 1e-5, *rest) - g(x - 1e-5, *rest)) / 2e-5
    np.testing.assert_allclose(s2sgrad.grad(g)(x, *rest), want, rtol=1e-5)
    np.testing.assert_allclose(s2sgrad.hvp(func)(x, *rest, 1.0), want, rtol=1e-5)
    np.testing.assert_allclose(s2sgrad.hessian(func)(x, *rest), want, rtol=1e-5)


def test_scalar_version_forward_and_vjp():
    v = np.array([0.5, -1.0, 2.0])
    want = central_grad(F.with_array_data, [0.4, v], 0)
    np.testing.assert_allclose(s2sgrad.jvp(F.with_array_data)(0.4, v, 1.0), want, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.vjp(F.with_array_data)(0.4, v, 1.0), want, rtol=1e-6)


# == 3. shifts that cancel =====================================================================
SHIFTS = [
    (F.source_rebound, (X, False), (0,)),
    (F.source_rebound_in_loop, (X, 1), (0,)),
    (F.log_softmax_neg_axis, (X,), (0,)),
    (F.mixed_axis_signs, (X,), (0,)),
    (F.axis_tuple, (X,), (0,)),
    (F.method_positional_axis, (X,), (0,)),
    (F.with_subtract, (X,), (0,)),
    (F.inplace_shift, (X,), (0,)),
    (F.exp_reused, (X,), (0,)),
    (F.z_subscripted, (X,), (0,)),
    (F.m_reassigned, (X,), (0,)),
    (F.multiplied_by_array, (X, np.abs(normal(4, 3)) + .5), (0, 1)),
    (F.divided_by_array, (X, np.abs(normal(4, 3)) + .5), (0, 1)),
    (F.shift_broadcast_row, (X, normal(3)), (0, 1)),
    (F.shift_broadcast_other, (X, normal(4, 4)), (0, 1)),
    (F.mean_not_sum, (X,), (0,)),
    (F.full_max_rows, (X,), (0,)),
    (F.full_max_mixed, (X, normal(4, 3)), (0, 1)),
    (F.shift_in_loop_carried, (X, 3), (0,)),
    (F.shift_loop_carried_value, (X, 3), (0,)),
    (F.negative_literal_axis, (normal(2, 4, 3),), (0,)),
    (F.softmax_times_shift, (X,), (0,)),
    (F.min_shift_then_max, (X,), (0,)),
    (F.shift_squared_exp, (X,), (0,)),
    (F.shift_exp_neg, (X,), (0,)),
    (F.returned_pair, (X,), (0,)),
    (F.transposed_source, (X,), (0,)),
]
SHIFT_IDS = [case[0].__name__ for case in SHIFTS]


@pytest.mark.parametrize('func, args, wrt', SHIFTS, ids=SHIFT_IDS)
def test_shift_programs_reverse(func, args, wrt):
    check_reverse(func, args, wrt)


@pytest.mark.parametrize('func, args, wrt', SHIFTS, ids=SHIFT_IDS)
def test_shift_programs_forward(func, args, wrt):
    for i in wrt:
        check_forward(func, args, i)


def test_a_shift_of_an_array_rebound_before_its_use_is_not_cancelled():
    """`x` rebound to more dimensions between the max and ``x - m``: axis 1 moves, the
    result depends on `m`, its adjoint stays."""
    for func in (F.source_rebound, F.source_rebound_in_loop):
        assert 'unextremum' in s2sgrad.grad(func).source


@pytest.mark.parametrize('func', [F.log_softmax_neg_axis, F.mean_not_sum, F.full_max_rows,
                                  F.full_max_mixed, F.shift_in_loop_carried,
                                  F.negative_literal_axis, F.shift_exp_neg])
def test_shift_probes_do_reach_the_invariance_analysis(func):
    """These probes have a shift the analysis treats as cancelled (no unextremum): their
    gradients above are what checks that it may."""
    assert 'unextremum' not in s2sgrad.grad(func).source


@pytest.mark.parametrize('func, args', [(F.log_softmax_neg_axis, (X,)),
                                        (F.full_max_mixed, (X, normal(4, 3))),
                                        (F.shift_in_loop_carried, (X, 2))])
def test_shift_programs_second_order(func, args):
    check_hvp(func, args, 0)


# == 4. inlining past pushes and pops ==========================================================
INLINES = [
    (F.alias_of_user_list, (normal(3),), (0,)),
    (F.rebound_between, (normal(3), normal(2, 3)), (0, 1)),
    (F.view_written, (normal(3),), (0,)),
    (F.list_mutated, (normal(3),), (0,)),
    (F.alias_len_add, (normal(3),), (0,)),
]
INLINE_IDS = [case[0].__name__ for case in INLINES]


@pytest.mark.parametrize('func, args, wrt', INLINES, ids=INLINE_IDS)
def test_inlining_programs_reverse(func, args, wrt):
    check_reverse(func, args, wrt)


@pytest.mark.parametrize('func', [F.alias_last, F.alias_pop])
def test_a_list_resized_and_read_under_two_names_is_refused(func):
    """The backward sweep follows a list by its name: `saved` grows while `alias[-1]` is
    read; refused at ``alias = saved`` with what to do."""
    with pytest.raises(UnsupportedSyntaxError, match='use one name for the list') as info:
        s2sgrad.grad(func)(normal(3))
    assert 'alias = saved' in str(info.value)


def test_alias_len_add_value_is_the_functions_value():
    """The forward sweep of the gradient computes the function's value: `len(alias)` read
    before `saved.append(y)`, as the function reads it."""
    x = normal(3)
    value, _ = s2sgrad.value_and_grad(F.alias_len_add)(x)
    np.testing.assert_allclose(value, F.alias_len_add(x), rtol=1e-12)


def test_user_function_with_side_effects_is_refused_or_right():
    x = normal(3)
    try:
        got = s2sgrad.grad(F.user_call_between)(x)
    except s2sgrad.errors.S2SError:
        return
    np.testing.assert_allclose(got, central_grad(F.user_call_between, [x], 0), rtol=1e-6)


# == 5. runtime fast paths against the general paths ===========================================
SHAPES = [(), (1,), (3,), (0,), (2, 3), (1, 3), (2, 1), (0, 3), (3, 0), (1, 1), (4, 2, 3),
          (4, 1, 3), (1, 2, 1)]


def _layouts(g):
    yield 'c', g
    yield 'f', np.asfortranarray(g)
    if g.ndim:
        yield 'strided', np.repeat(g, 2, axis=-1)[..., ::2]
    readonly = g.copy()
    readonly.flags.writeable = False
    yield 'readonly', readonly


def _outcome(func, *args, **kwargs):
    try:
        return func(*args, **kwargs), None
    except Exception as error:  # the general path's error is the expected one
        return None, type(error)


def _general(monkeypatch, func, *args, **kwargs):
    with monkeypatch.context() as m:
        m.setattr(runtime, '_sum_to', lambda g, shape: None)
        m.setattr(runtime, '_spread', lambda g, shape: None)
        return _outcome(func, *args, **kwargs)


def _assert_same_result(fast, general, g):
    (a, ea), (b, eb) = fast, general
    assert ea == eb, (ea, eb)
    if ea is not None:
        return
    assert type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)
    assert a.flags.writeable == b.flags.writeable
    assert np.shares_memory(a, g) == np.shares_memory(b, g)


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('kwargs', [{}, {'axis': 0, 'keepdims': True}], ids=['all', 'keep0'])
def test_fast_paths_of_unbroadcast_and_unreduce(monkeypatch, dtype, kwargs):
    for xshape, gshape in itertools.product(SHAPES, SHAPES):
        x = np.ones(xshape, dtype)
        for layout, g in _layouts(rng.normal(size=gshape).astype(dtype)):
            cases = [(runtime.unreduce, kwargs)]
            if not kwargs:
                cases.append((runtime.unbroadcast, {}))
            for func, kw in cases:
                _assert_same_result(_outcome(func, g, x, **kw),
                                    _general(monkeypatch, func, g, x, **kw), g)


@pytest.mark.parametrize('gshape, xshape', [((2, 3), (2, 3)), ((1, 3), (2, 3)),
                                            ((0, 3), (0, 3)), ((1, 1), (1, 1))])
def test_fast_path_of_unreduce_without_keepdims(monkeypatch, gshape, xshape):
    """``unreduce(g, x, axis=0)`` with a `g` of `x`'s number of dimensions: the general path
    inserts the reduced axis (and refuses); the fast path must not spread `g` as if it had been
    reduced with keepdims=True, nor answer differently for a C-contiguous `g`."""
    x = np.ones(xshape)
    for layout, g in _layouts(rng.normal(size=gshape)):
        _assert_same_result(_outcome(runtime.unreduce, g, x, 0),
                            _general(monkeypatch, runtime.unreduce, g, x, 0), g)


@pytest.mark.parametrize('dtypes', [(np.float64,) * 3, (np.float32,) * 3,
                                    (np.float32, np.float64, np.float32)])
def test_fast_paths_of_matmul_adjoints(dtypes):
    for n, k, m in [(2, 3, 4), (1, 1, 1), (0, 3, 2), (3, 0, 2), (2, 3, 0)]:
        a = rng.normal(size=(n, k)).astype(dtypes[0])
        b = rng.normal(size=(k, m)).astype(dtypes[1])
        for _, g in _layouts(rng.normal(size=(n, m)).astype(dtypes[2])):
            ga, gb = runtime.matmul_lhs(g, a, b), runtime.matmul_rhs(g, a, b)
            np.testing.assert_allclose(ga, np.einsum('ij,kj->ik', g.astype(float), b),
                                       rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(gb, np.einsum('ij,ik->jk', a.astype(float), g),
                                       rtol=1e-5, atol=1e-6)
            # what the general path gives: the same expression of the same operands
            assert ga.dtype == np.result_type(g, b) and gb.dtype == np.result_type(a, g)
            assert ga.flags.writeable and gb.flags.writeable


def test_no_warnings_from_probes_module():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        F.log_softmax_neg_axis(X)
