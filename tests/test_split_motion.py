"""Split motion: calls of user functions run their forward sweep once (issue #17).

The caller's forward sweep calls the forward part of each user function's VJP, which returns
the value and what the backward part needs; the backward sweep calls the backward part. These
tests count how often a function's body runs while a gradient runs (through a counter its
code calls), check gradients against central differences, and check that the cases where the
saved values could change before the backward part reads them use joint motion and stay right.
"""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient

RUNS = []


def tick():
    """Counts one run of the body that calls it (not differentiated: no argument)."""
    RUNS.append(1)


def count_runs(call):
    RUNS.clear()
    result = call()
    return result, len(RUNS)


def central(f, x):
    return central_gradient(f, np.asarray(x, dtype=float))


# -- recursion: O(primal) ------------------------------------------------------------------

def det_by_minors(M):
    tick()
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    total = 0.0
    sign = 1.0
    for i in range(n):
        minor = np.concatenate((M[:i, 1:], M[i + 1:, 1:]), axis=0)
        total = total + sign * M[i, 0] * det_by_minors(minor)
        sign = -sign
    return total


def det_loss(A):
    return det_by_minors(A.reshape(4, 4))


def test_recursion_runs_each_call_once_and_is_right():
    A = np.random.default_rng(0).random(16)
    _, primal_runs = count_runs(lambda: det_loss(A))
    df = s2sgrad.grad(det_loss)
    g, gradient_runs = count_runs(lambda: df(A))
    assert gradient_runs == primal_runs  # 1 + 4 + 12 + 24 = 41: no call runs twice
    np.testing.assert_allclose(g, central(det_loss, A), rtol=1e-6, atol=1e-9)
    # the determinant: its gradient is the cofactor matrix
    M = A.reshape(4, 4)
    np.testing.assert_allclose(g.reshape(4, 4), np.linalg.det(M) * np.linalg.inv(M).T,
                               rtol=1e-9, atol=1e-12)


def test_joint_motion_recomputes_and_agrees():
    A = np.random.default_rng(1).random(16)
    _, primal_runs = count_runs(lambda: det_loss(A))
    split = s2sgrad.grad(det_loss)
    joint = s2sgrad.grad(det_loss, motion='joint')
    g_split, _ = count_runs(lambda: split(A))
    g_joint, joint_runs = count_runs(lambda: joint(A))
    assert joint_runs > 2 * primal_runs  # each level's VJP runs its forward sweep again
    np.testing.assert_allclose(g_joint, g_split, rtol=1e-12)
    assert 'det_by_minors_fwd' in split.source and 'det_by_minors_fwd' not in joint.source
    with pytest.raises(ValueError, match='motion'):
        s2sgrad.grad(det_loss, motion='both')


def is_even_sum(x, n):
    tick()
    if n == 0:
        return np.sum(x)
    return is_odd_sum(np.sin(x), n - 1)


def is_odd_sum(x, n):
    tick()
    if n == 0:
        return np.sum(x * x)
    return is_even_sum(x * 1.5, n - 1)


def test_mutual_recursion():
    x = np.array([0.3, -0.8, 1.1])
    for n in (0, 1, 4, 5):
        f = (lambda v, n=n: is_even_sum(v, n))
        _, primal_runs = count_runs(lambda: is_even_sum(x, n))
        df = s2sgrad.grad(is_even_sum)
        g, runs = count_runs(lambda: df(x, n))
        assert runs == primal_runs
        np.testing.assert_allclose(g, central(f, x), rtol=1e-6, atol=1e-9)


# -- loops: what each call saved goes on a stack -------------------------------------------

def cell(h, x, W):
    tick()
    return np.tanh(W @ h + x)


def rnn(W, xs):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = cell(h, xs[t], W)
    return np.sum(h ** 2)


def rnn_with_list(W, xs):
    hs = []
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = cell(h, xs[t], W)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[-1])


def test_calls_in_loops_run_once():
    rng = np.random.default_rng(2)
    W, xs = 0.5 * rng.standard_normal((3, 3)), rng.standard_normal((6, 3))
    for f in (rnn, rnn_with_list):
        df = s2sgrad.grad(f)
        g, runs = count_runs(lambda: df(W, xs))
        assert runs == 6, df.source
        np.testing.assert_allclose(g, central(lambda w: f(w, xs), W), rtol=1e-6, atol=1e-9)


# -- where the saved values could change: joint motion, and right ------------------------

def scaled(v):
    tick()
    return v * 2.0


def argument_changed_in_place(x):
    z = x * 1.0
    y = np.sin(z) + scaled(z)
    z[1] = 5.0
    return np.sum(y * z)


def grows(v):
    tick()
    out = [v]
    out.append(v * v)
    return np.sum(np.stack(out))


def callee_grows_a_list(x):
    return grows(x) * grows(2.0 * x)


def restores(v):
    tick()
    w = v * 1.0
    w[0] = 3.0 * v[1]
    return w


def callee_assigns_into_what_it_returns(x):
    w = restores(x)
    return np.sum(w * np.cos(w))


def argument_list_grows_after_the_call(x):
    items = [x, 2.0 * x]
    s = np.sum(listsum(items))
    items.append(x * x)
    return s + np.sum(items[2])


def listsum(items):
    tick()
    total = items[0]
    for item in items[1:]:
        total = total + item
    return total * total


@pytest.mark.parametrize('f', [argument_changed_in_place,
                               callee_grows_a_list, callee_assigns_into_what_it_returns,
                               argument_list_grows_after_the_call])
def test_values_changed_in_place_are_right(f):
    x = np.array([0.4, -1.2, 0.9])
    before = x.copy()
    df = s2sgrad.grad(f)
    g = df(x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, central(f, x), rtol=1e-6, atol=1e-8)
    s2sgrad.check_grads(f, (x,), modes=('rev', 'fwd'), order=2)


def test_changed_values_use_joint_motion():
    assert 'scaled_fwd' not in s2sgrad.grad(argument_changed_in_place).source
    assert 'restores_fwd' not in s2sgrad.grad(callee_assigns_into_what_it_returns).source
    # a list the callee makes itself: the caller cannot hold it before the call
    assert 'grows_fwd' in s2sgrad.grad(callee_grows_a_list).source


# -- second order and the operators through split code ------------------------------------

def two_calls(x):
    return np.sum(cell(x, np.cos(x), np.eye(3)) * cell(2.0 * x, x, 0.5 * np.eye(3)))


def test_second_order_through_split_calls():
    x = np.array([0.2, -0.5, 0.7])
    df = s2sgrad.grad(two_calls)
    assert 'cell_fwd' in df.source
    s2sgrad.check_grads(two_calls, (x,), modes=('rev', 'fwd'), order=2)
    H = s2sgrad.hessian(two_calls)(x)
    columns = [(df(x + e) - df(x - e)) / 2e-6 for e in 1e-6 * np.eye(3)]
    np.testing.assert_allclose(H, np.stack(columns, axis=1), rtol=1e-5, atol=1e-7)
    ddf = s2sgrad.grad(lambda v: np.sum(df(v) ** 2))
    np.testing.assert_allclose(ddf(x), central(lambda v: np.sum(df(v) ** 2), x),
                               rtol=1e-5, atol=1e-7)


def test_value_and_grad_and_vjp_take_the_option():
    x = np.array([0.2, -0.5, 0.7])
    for motion in ('split', 'joint'):
        value, g = s2sgrad.value_and_grad(two_calls, motion=motion)(x)
        assert value == pytest.approx(two_calls(x))
        np.testing.assert_allclose(g, central(two_calls, x), rtol=1e-6)
        v = s2sgrad.vjp(doubled_cell, motion=motion)(x, np.ones(3))
        np.testing.assert_allclose(v, 2 * (1 - np.tanh(2 * x) ** 2), rtol=1e-12)


def doubled_cell(y):
    return cell(y, y, np.eye(3))


# -- found by review ----------------------------------------------------------------------

def make_layer(scale):
    def layer(x, a=scale):  # same code, other default values
        return a * np.sin(x)
    return layer


LAYER_2, LAYER_5 = make_layer(2.0), make_layer(5.0)


def loss_layer_2(x):
    return np.sum(LAYER_2(x) * x)


def loss_layer_5(x):
    return np.sum(LAYER_5(x) * x)


def test_forward_parts_with_other_defaults_are_not_shared():
    x = np.array([0.3, 0.7, 1.1])
    s2sgrad.grad(loss_layer_2)(x)
    value, g = s2sgrad.value_and_grad(loss_layer_5)(x)
    assert value == pytest.approx(loss_layer_5(x))
    np.testing.assert_allclose(g, 5.0 * (np.sin(x) + x * np.cos(x)), rtol=1e-12)


def act(v):
    return v * v


def act_assigns(v):
    out = v * v
    out[0] = out[0] * v[0]
    return out


def loss_act(x):
    h = act(x)
    g = act(h)
    return np.sum(g * h)


def test_a_rebound_helper_that_changes_values_in_place_is_loud(monkeypatch):
    x = np.array([0.3, 0.7, 1.1, 0.2])
    df = s2sgrad.grad(loss_act)
    np.testing.assert_allclose(df(x), central(loss_act, x), rtol=1e-6, atol=1e-9)
    monkeypatch.setitem(globals(), 'act', act_assigns)
    with pytest.raises(s2sgrad.errors.S2SError, match='grad again'):
        df(x)
    np.testing.assert_allclose(s2sgrad.grad(loss_act)(x), central(loss_act, x), rtol=1e-6,
                               atol=1e-9)


def scaled_sin(x, a=2.0):
    return a * np.sin(x)


def loss_scaled_sin(x):
    return np.sum(scaled_sin(x) * x)


def test_replaced_defaults_of_a_helper_are_followed(monkeypatch):
    x = np.array([0.3, 0.7, 1.1])
    for motion in ('split', 'joint'):
        s2sgrad.grad(loss_scaled_sin, motion=motion)(x)
    monkeypatch.setattr(scaled_sin, '__defaults__', (5.0,))
    for motion in ('split', 'joint'):
        value, g = s2sgrad.value_and_grad(loss_scaled_sin, motion=motion)(x)
        assert value == pytest.approx(loss_scaled_sin(x))
        np.testing.assert_allclose(g, 5.0 * (np.sin(x) + x * np.cos(x)), rtol=1e-12)


def first_act(x):
    return np.sin(x)


def second_act(x):
    return np.exp(x)


ACT = LAYER = first_act


def two_names(x):
    return np.sum(ACT(x) * LAYER(x * 2.0))


def test_two_names_of_one_helper_are_followed_apart(monkeypatch):
    x = np.array([0.3, 0.7, 1.1])
    df = s2sgrad.value_and_grad(two_names)
    df(x)
    monkeypatch.setitem(globals(), 'LAYER', second_act)
    value, g = df(x)
    assert value == pytest.approx(two_names(x))
    np.testing.assert_allclose(g, central(two_names, x), rtol=1e-6)


def item_added_in_place(x):
    y = np.tanh(x)
    ys = [y]
    ys[0] += 1.0  # NumPy adds into `y` itself
    return np.sum(y * y)


def flat_set(x):
    y = np.tanh(x)
    s = np.sum(y * y)
    y.flat = 0.0
    return s + np.sum(y)


@pytest.mark.parametrize('f, what', [(item_added_in_place, r'item of `ys` while `y` \(which'),
                                     (flat_set, 'attribute `.flat`')])
def test_changes_in_place_out_of_sight_are_refused(f, what):
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match=what):
        s2sgrad.grad(f)(np.array([0.3, -0.2]))


def test_recursion_compiles_with_numba_in_joint_motion():
    """What a recursive forward part saves holds what its own call saved, a type numba
    cannot settle: compiled, the recursion runs in joint motion (and gives the same numbers)."""
    pytest.importorskip('numba')
    A = np.random.default_rng(4).random(16)
    df = s2sgrad.grad(plain_det_loss, compile='numba')
    M = A.reshape(4, 4)
    np.testing.assert_allclose(df(A).reshape(4, 4), np.linalg.det(M) * np.linalg.inv(M).T,
                               rtol=1e-9, atol=1e-12)


def plain_det(M):
    n = M.shape[0]
    if n == 1:
        return M[0, 0]
    total = 0.0
    sign = 1.0
    for i in range(n):
        minor = np.concatenate((M[:i, 1:], M[i + 1:, 1:]), axis=0)
        total = total + sign * M[i, 0] * plain_det(minor)
        sign = -sign
    return total


def plain_det_loss(A):
    return plain_det(A.reshape(4, 4))


# -- the gradient of a function nothing else holds, differentiated again ----------------------

def softplus_sum(v):
    total = 0.0
    for item in v:  # (a loop: the backward part pops what the forward part saved)
        total = total + np.log1p(np.exp(item))
    return total


def test_gradients_of_lambdas_are_differentiated_again():
    """The lambda a hessian is given (or a gradient of one the user keeps) is held by the
    gradient: its joint version is made from it when it is differentiated again."""
    x = np.array([0.3, -0.7, 1.1])
    hess = s2sgrad.hessian(lambda v: softplus_sum(v * 2.0))(x)
    p = 1.0 / (1.0 + np.exp(-2.0 * x))
    np.testing.assert_allclose(hess, np.diag(4.0 * p * (1 - p)), rtol=1e-10)
    df = s2sgrad.grad(lambda v: softplus_sum(v * 2.0))
    got = s2sgrad.grad(lambda v: np.sum(df(v) ** 2))(x)
    np.testing.assert_allclose(got, central(lambda v: np.sum(df(v) ** 2), x), rtol=1e-6)


def make_scaled_softplus(k):
    def loss(v):
        return softplus_sum(v * k)
    return loss


def test_dropped_gradients_of_closures_calling_helpers_free_them():
    import gc
    import weakref
    x = np.array([0.3, -0.7])
    refs = []
    for k in range(5):
        f = make_scaled_softplus(float(k))
        df = s2sgrad.grad(f)
        np.testing.assert_allclose(df(x), central(f, x), rtol=1e-6, atol=1e-9)
        refs.append(weakref.ref(f))
        del f, df
    gc.collect()
    assert all(r() is None for r in refs)


def doubled_tail_product(xs):
    if len(xs) == 1:
        return xs[0]
    rest = [v * 2.0 for v in xs[1:]]  # (a list it makes and grows: joint motion inside)
    return xs[0] * doubled_tail_product(rest)


def pairwise_product(xs):
    if len(xs) == 1:
        return xs[0]
    merged = []
    for i in range(0, len(xs) - 1, 2):
        merged.append(xs[i] * xs[i + 1])
    if len(xs) % 2:
        merged.append(xs[-1])
    return pairwise_product(merged)


def calls_list_recursions(x):
    return doubled_tail_product([x[0], x[1], x[2]]) + pairwise_product(list(x))


def test_recursion_on_a_list_it_builds_called_from_another_function():
    # the backward part of the split VJP calls the whole VJP for the recursive call (it
    # raised NameError: the whole VJP was not in the unit)
    x = np.array([0.3, -0.5, 0.9, 1.1])
    for motion in ('joint', 'split'):
        d = s2sgrad.grad(calls_list_recursions, motion=motion)
        np.testing.assert_allclose(d(x), central(calls_list_recursions, x), rtol=1e-6)
    assert 'def ddoubled_tail_productdxs(' in d.source
    np.testing.assert_allclose(
        s2sgrad.hvp(calls_list_recursions)(x, np.ones(4)),
        central(lambda z: s2sgrad.grad(calls_list_recursions)(z) @ np.ones(4), x), rtol=1e-5)
