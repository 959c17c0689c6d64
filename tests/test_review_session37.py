"""What the reviews of session 37 found, and the items left open by session 36's reviews that
it mended, each pinned against closed forms or central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime

try:
    import numba  # noqa: F401
    _has_numba = True
except ImportError:  # (the `numba` extra)
    _has_numba = False


# -- grad of a gradient of a nested container (R26 C1 of session 36) --------------------------

def nested_dict_loss(p):
    return np.sum(p['a']['W'] ** 3) + np.sum(p['b'] ** 2)


def test_grad_of_a_gradient_of_a_dict_of_dicts():
    """Reverse over reverse through the gradient of a parameter tree: the adjoint of the
    gradient's inner dict was reshaped like an array (an IndexError in generated code)."""
    df = s2sgrad.grad(nested_dict_loss)
    w = np.array([1.0, 2.0])

    def directional(p):
        g = df(p)
        return np.sum(g['a']['W'] * w) + np.sum(g['b'] * w)

    p = {'a': {'W': np.array([0.5, -1.0])}, 'b': np.array([0.3, 0.7])}
    before = {'a': {'W': p['a']['W'].copy()}, 'b': p['b'].copy()}
    got = s2sgrad.grad(directional)(p)
    np.testing.assert_allclose(got['a']['W'], 6 * p['a']['W'] * w, rtol=1e-12)
    np.testing.assert_allclose(got['b'], 2 * w, rtol=1e-12)
    np.testing.assert_array_equal(p['a']['W'], before['a']['W'])
    np.testing.assert_array_equal(p['b'], before['b'])


def dict_of_list_loss(p):
    return np.sum(p['a'][1] ** 3) + np.sum(p['a'][0] ** 2)


def list_of_dict_loss(p):
    return np.sum(p[0]['W'] ** 3)


def dict_of_three_loss(p):
    return np.sum(p['a']['b']['c'] ** 3)


@pytest.mark.parametrize('loss, make, get', [
    (dict_of_list_loss, lambda: {'a': [np.array([0.3, 0.2]), np.array([0.5, -1.0])]},
     lambda p: p['a'][1]),
    (list_of_dict_loss, lambda: [{'W': np.array([0.5, -1.0])}], lambda p: p[0]['W']),
    (dict_of_three_loss, lambda: {'a': {'b': {'c': np.array([0.5, -1.0])}}},
     lambda p: p['a']['b']['c']),
], ids=['dict_of_list', 'list_of_dict', 'dict_of_three'])
def test_grad_of_a_gradient_of_other_trees(loss, make, get):
    df = s2sgrad.grad(loss)
    w = np.array([1.0, 2.0])
    got = get(s2sgrad.grad(lambda p: np.sum(get(df(p)) * w))(make()))
    np.testing.assert_allclose(got, 6 * get(make()) * w, rtol=1e-12)


# -- printed gradients of methods run as printed (R26 C2 of session 36) -----------------------

class Regularized:
    def __init__(self):
        self.act = np.tanh

    def loss(self, W):
        return np.sum(self.act(W) ** 2) + self.penalty(W)

    def plain(self, W):
        return np.sum(W ** 2)

    @staticmethod
    def penalty(W):
        return np.sum(W ** 4)


def _printed(df, name):
    namespace = {'np': np, 's2s': runtime, 'Regularized': Regularized}
    exec(compile(df.source, '<printed>', 'exec'), namespace)
    return namespace[name]


@pytest.mark.parametrize('method, name, closed_form', [
    ('plain', 'dplaindW', lambda W: 2 * W),
    ('loss', 'dlossdW', lambda W: 2 * np.tanh(W) * (1 - np.tanh(W) ** 2) + 4 * W ** 3),
])
def test_a_method_gradient_runs_as_printed(method, name, closed_form):
    """The instance guard of a method's gradient reads the functions the object holds as
    the printed code can reach them (``np.tanh``, ``Regularized.penalty``), not under names
    bound only in the generated function's namespace."""
    model = Regularized()
    df = s2sgrad.grad(getattr(model, method))
    W = np.array([0.3, -0.8])
    assert 'is np.tanh' in df.source and 'Regularized.penalty' in df.source
    np.testing.assert_allclose(df(W), closed_form(W), rtol=1e-12)
    np.testing.assert_allclose(_printed(df, name)(model, W), closed_form(W), rtol=1e-12)


def test_a_static_method_replaced_on_the_class_is_seen():
    class Scaled:
        def loss(self, W):
            return np.sum(W ** 2) + self.penalty(W)

        @staticmethod
        def penalty(W):
            return np.sum(W)

    model = Scaled()
    df = s2sgrad.grad(model.loss)
    W = np.array([1.0, 2.0])
    np.testing.assert_allclose(df(W), 2 * W + 1)
    Scaled.penalty = staticmethod(lambda W: np.sum(W ** 3))
    with pytest.raises(s2sgrad.errors.S2SError, match='Scaled.penalty'):
        df(W)
    again = s2sgrad.grad(model.loss)
    np.testing.assert_allclose(again(W), 2 * W + 3 * W ** 2)
    model.penalty = lambda W: 0.0 * W[0]  # (the instance's own, shadowing the class's)
    with pytest.raises(s2sgrad.errors.S2SError, match='`self` holds other functions'):
        again(W)


# -- export of a derivative reading a module of SciPy (R26 C3 of session 36) ------------------

def test_export_imports_the_scipy_module_a_rule_reads(tmp_path, monkeypatch):
    """``from scipy import stats`` in your module: the derivative of ``stats.t.logpdf`` reads
    ``scipy.special.gammaln``, which export imports (it raised an internal S2SError)."""
    pytest.importorskip('scipy')
    import importlib
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import export_stats_functions as funcs
    monkeypatch.syspath_prepend(str(tmp_path))
    text = s2sgrad.export(funcs.t_loglik)
    assert 'import scipy.special' in text and 'needs NumPy and `scipy`' in text
    (tmp_path / 'exported_stats_t.py').write_text(text)
    module = importlib.import_module('exported_stats_t')
    data = np.array([0.1, -0.5, 1.0])
    step = 1e-6
    expected = (funcs.t_loglik(0.2 + step, data) - funcs.t_loglik(0.2 - step, data)) / (2 * step)
    np.testing.assert_allclose(module.dt_loglikdloc(0.2, data), expected, rtol=1e-7)


# -- a variable read where it may be unassigned (R30 A1, A2) -----------------------------------

def _fd(f, x, step=1e-6):
    """Central differences of `f` at `x`: its gradient, or (of a vector-valued `f`) one row
    per entry of `x`."""
    x = np.asarray(x, dtype=float)
    rows = []
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = step
        rows.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * step))
    return np.reshape(np.array(rows), x.shape + np.shape(rows[0]))


def assigned_in_a_branch(x):
    if x[0] > 0:
        y = x * 2
    return np.sum(y)


def assigned_in_a_loop(x, n):
    for i in range(n):
        y = x * 2.0
    return np.sum(y)


def assigned_on_two_paths(x):
    if x > 1.0:
        y = 3.0 * x
    elif x > 0.0:
        y = x
    return y + 1.0


def test_a_variable_that_may_be_unassigned_raises_where_the_function_does():
    """The derivative needed neither `y` nor the sum of it, dropped both, and returned zeros
    where the function raises UnboundLocalError."""
    x = np.array([-0.3, 0.4, 1.7])
    for make in (lambda: s2sgrad.grad(assigned_in_a_branch)(x),
                 lambda: s2sgrad.hvp(assigned_in_a_branch)(x, np.ones(3)),
                 lambda: s2sgrad.grad(assigned_in_a_branch, motion='joint')(x),
                 lambda: s2sgrad.grad(assigned_in_a_loop)(x, 0),
                 lambda: s2sgrad.jvp(assigned_in_a_loop)(x, 0, np.ones(3)),
                 lambda: s2sgrad.grad(assigned_on_two_paths)(-0.5)):
        with pytest.raises(UnboundLocalError):
            make()
    y = np.array([0.3, 0.4, 1.7])  # (where the branch runs: the gradient)
    np.testing.assert_allclose(s2sgrad.grad(assigned_in_a_branch)(y), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(assigned_in_a_loop)(y, 2), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(assigned_on_two_paths)(2.0), 3.0)
    np.testing.assert_allclose(s2sgrad.hvp(assigned_in_a_branch)(y, np.ones(3)), 0.0)


def loop_of_three(x):
    for i in range(3):
        y = x * float(i)
    return np.sum(y)


def test_no_check_where_every_path_assigns():
    """A loop over ``range`` of a positive literal runs once at least; a return in a loop
    with an `else` returns on every path: no ``s2s.defined`` is printed."""
    import sys
    import os
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from loop_else_functions import returns_in_loop
    assert 's2s.defined' not in s2sgrad.grad(loop_of_three).source
    assert 's2s.defined' not in s2sgrad.grad(returns_in_loop).source
    assert 's2s.defined(y)' in s2sgrad.grad(assigned_in_a_branch).source


@pytest.mark.skipif(not _has_numba, reason='numba (the `numba` extra) is not installed')
def test_the_compiled_path_raises_where_the_variable_is_unassigned():
    """numba gives such a variable a value of its own (the compiled gradient returned 0.0):
    the compiled code sets a flag where it is assigned and raises as Python does."""
    df = s2sgrad.grad(assigned_on_two_paths, compile='numba')
    with pytest.raises(UnboundLocalError):
        df(-0.5)
    np.testing.assert_allclose(df(2.0), 3.0)
    np.testing.assert_allclose(df(0.5), 1.0)
    assert 'y_assigned' not in df.source  # (the printed code is the plain one)


# -- an index changed in place after a write used it (R29 A1) ----------------------------------

W4 = np.array([1.0, 2.0, 3.0, 4.0])


def index_list_changed(x):
    y = x.copy()
    idx = [0]
    y[idx] = x[1] * x[2]
    idx[0] = 3
    return np.sum(y * W4)


def mask_changed(x):
    y = np.zeros(4)
    m = np.array([True, False, False, False])
    y[m] = x[0]
    m[1] = True
    y[m] = y[m] * x[1]
    return np.sum(y * W4)


def bounds_changed(x):
    y = np.zeros(4)
    p = [0, 2]
    y[p[0]:p[1]] = x[:2] ** 2
    p[0] = 1
    return np.sum(y * W4)


def index_rebound(x):
    y = x.copy()
    idx = [0]
    y[idx] = x[1] * x[2]
    idx = [3]
    y[idx] = x[0]
    return np.sum(y * W4)


@pytest.mark.parametrize('f', [index_list_changed, mask_changed, bounds_changed])
def test_an_index_changed_after_a_write_is_refused(f):
    """The backward sweep reads the index of a write again (``s2s.zero_at(by, idx)``): a
    change to it afterwards moved the write (a silently wrong gradient)."""
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError,
                       match='in place after the derivative read it'):
        s2sgrad.grad(f)(np.array([0.5, -1.0, 2.0, 0.3]))


def test_an_index_rebound_after_a_write():
    x = np.array([0.5, -1.0, 2.0, 0.3])
    np.testing.assert_allclose(s2sgrad.grad(index_rebound)(x), _fd(index_rebound, x),
                               atol=1e-8)


# -- a mask computed from an alias of the array written (R29 A2) -------------------------------

W6 = np.arange(1.0, 7.0)


def mask_through_alias(x):
    y = x * 1.0
    z = y
    z[y > 0] = 0.0
    return np.sum(z * W6)


def band_through_alias(x):
    y = x * 1.0
    z = y
    z[(y > 0) & (y < 1.5)] = z[(y > 0) & (y < 1.5)] ** 2
    return np.sum(z * W6)


def mask_of_the_argument(x):
    y = x
    y[x > 0] = 0.0
    return np.sum(y * W6)


@pytest.mark.parametrize('f', [mask_through_alias, band_through_alias, mask_of_the_argument])
def test_a_mask_is_computed_once_before_the_write(f):
    """``z = y; z[y > 0] = 0.0``: after `z` became `y` the mask stayed inline and was
    evaluated again after the write, in the tangent and in the backward sweep."""
    x = np.array([0.55, -1.0, 2.0, 0.32, -0.4, 1.1])
    v = np.array([0.3, -0.2, 0.5, 0.1, 0.7, -0.4])
    given = x.copy()
    expected = _fd(f, x)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, atol=1e-7)
    tangent = s2sgrad.jvp(f)(x, v)
    np.testing.assert_allclose(tangent, expected @ v, atol=1e-7)
    np.testing.assert_array_equal(x, given)


# -- a 0-d array updated in place and kept in a list (R27 A1) ----------------------------------

def euler_of_a_zero_d_array(k):
    y = np.asarray(1.0)
    ys = []
    for i in range(4):
        y += 0.1 * (-k * y)
        ys.append(y)
    return sum(ys)


def test_a_zero_d_array_changed_in_place_while_a_list_holds_it_is_refused():
    """NumPy adds into a 0-d array in place, so every item of `ys` is the one array; the
    passes rebind `y` to a number, so the run-time check that `ys` holds no `y` passed
    (value 2.3616 for 1.6384, slope -0.6568 for -0.8192)."""
    with pytest.raises(s2sgrad.errors.InPlaceError, match='0-d array'):
        s2sgrad.value_and_grad(euler_of_a_zero_d_array)(2.0)


# -- chained writes into arrays the function makes (R27 D1, D3) --------------------------------

def eliminated_from_a_sum(M):
    A = np.zeros((2, 2)) + M
    for j in range(2):
        A[1][j] = A[1][j] - 2.0 * A[0][j]
    return np.sum(A ** 2)


def eliminated_from_astype(M):
    A = M.astype(float)
    for j in range(2):
        A[1][j] -= 2.0 * A[0][j]
    return np.sum(A ** 2)


def eliminated_from_a_copy_of_a_copy(M):
    A = np.array(M, dtype=float)
    A = A.copy()
    for i in range(1, 2):
        for j in range(2):
            A[i][j] -= 3.0 * A[0][j]
    return np.sum(A ** 3)


def row_copied_then_updated(p):
    y = np.zeros((3, 2))
    y[0, 0] = p
    y[1] = y[0]
    y[1, 0] += p
    return np.sum(y ** 2)


@pytest.mark.parametrize('f', [eliminated_from_a_sum, eliminated_from_astype,
                               eliminated_from_a_copy_of_a_copy])
def test_chained_writes_into_arrays_made_by_arithmetic_and_copies(f):
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(s2sgrad.grad(f)(M), _fd(f, M), rtol=1e-6, atol=1e-6)


def test_a_row_stored_into_its_own_array_then_updated():
    np.testing.assert_allclose(s2sgrad.grad(row_copied_then_updated)(1.5),
                               _fd(lambda p: row_copied_then_updated(p[()]), 1.5), rtol=1e-6)


def eliminated_in_a_copy_of_the_argument(M):
    A = M.copy()
    for j in range(2):
        A[1][j] = A[1][j] - 2.0 * A[0][j]
    return np.sum(A ** 2)


def test_a_chained_write_refused_says_to_join_the_indexes():
    """``M.copy()`` of an argument may be a list of lists: the refusal says what to write."""
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match=r'write `A\[1, j\]`'):
        s2sgrad.grad(eliminated_in_a_copy_of_the_argument)(np.eye(2))


# -- false refusals of session 37's reviews (R27 D5, D6; R30 D1) -------------------------------

def clock_recorded(p):
    t = 0.0
    ts, ys = [], []
    y = p
    for i in range(3):
        t += 0.5
        y = y + 0.5 * y * t
        ts.append(t)
        ys.append(y)
    return np.sum(np.array(ts) * np.array(ys))


def counter_recorded(p):
    n = 0
    ns = []
    for i in range(3):
        n += 1
        ns.append(n)
    return p * sum(ns)


def counter_in_a_state_dict(k):
    state = {'y': k * 1.0, 'n': 0}
    hist = [state['y']]
    state['n'] += 1
    return hist[0] * state['n'] ** 2


@pytest.mark.parametrize('f', [clock_recorded, counter_recorded, counter_in_a_state_dict])
def test_numbers_updated_in_place_and_recorded(f):
    """``t += dt; ts.append(t)`` of a number, and ``state['n'] += 1`` of a number item while
    a list holds another item: a number is rebound (refused as a write through an alias)."""
    np.testing.assert_allclose(s2sgrad.grad(f)(0.7), _fd(lambda p: f(p[()]), 0.7), rtol=1e-6)


def array_item_in_a_state_dict(k):
    state = {'y': k * np.ones(2), 'n': 0}
    hist = [state['y']]
    state['y'] += 1.0
    return np.sum(hist[0]) * k


def test_an_array_item_of_such_a_dict_is_refused_when_it_runs():
    with pytest.raises(s2sgrad.errors.InPlaceError, match='adds in place into an array item'):
        s2sgrad.grad(array_item_in_a_state_dict)(2.0)


def is_big(v):
    return np.sum(v ** 2) > 1.0


def is_positive(v):
    return v > 0


def predicate_and_test(x):
    if is_big(x) and x[0] > 0:
        return np.sum(x ** 3)
    return np.sum(x)


def predicates_of_items(x):
    p = is_positive(x[0])
    q = is_positive(x[2])
    return np.sum(x ** 3) if p and q else np.sum(x)


def any_of_predicates(x):
    if any(is_positive(v) for v in x):
        return np.sum(x ** 3)
    return np.sum(x)


@pytest.mark.parametrize('f', [predicate_and_test, predicates_of_items, any_of_predicates])
def test_predicates_of_yours_combined_in_a_test(f):
    """``if is_big(x) and x[0] > 0:`` was refused ("the expression `BoolOp`"), ``any(...)``
    of them had no rule."""
    for x in (np.array([0.3, 0.4, 1.7, 0.9]), np.array([-0.3, -0.4, -0.2, 0.1])):
        np.testing.assert_allclose(s2sgrad.grad(f)(x), _fd(f, x), rtol=1e-6, atol=1e-8)


# -- lists of arrays sharing an item, updated in place (R34 A1, A2, C1) ------------------------

def item_stored_twice(p):
    y = [np.zeros(2), np.zeros(2)]
    y[1] = y[0]
    y[1] += p
    return np.sum(y[0] ** 2)


def name_stored_into_a_list(x):
    a = x * 1.0
    q = [np.zeros(2)]
    q[0] = a
    q[0] += x
    return np.sum(a ** 2)


def name_stored_then_looped(x):
    a = x * 1.0
    q = [np.zeros(2)]
    q[0] = a
    for v in q:
        v *= 2.0
    return np.sum(a ** 2)


@pytest.mark.parametrize('f, arg', [(item_stored_twice, 0.3),
                                    (name_stored_into_a_list, np.array([1.5, -0.7])),
                                    (name_stored_then_looped, np.array([1.5, -0.7]))])
def test_an_array_two_names_hold_updated_in_place_through_a_list(f, arg):
    """NumPy's ``+=`` changes the array the other name (the other item) holds too: refused,
    where the derivative missed the change (``q = [np.zeros(2)]``: a display holding calls,
    whose location the analysis had taken for an array's, not a list's)."""
    with pytest.raises((s2sgrad.errors.UnsupportedSyntaxError, s2sgrad.errors.InPlaceError)):
        s2sgrad.grad(f)(arg)


def object_array_of_rows(x):
    A = np.empty(2, dtype=object)
    A[0] = x * 1.0
    A[1] = x * 2.0
    A[0][1] = 5.0
    return np.sum(A[0] * A[1])


def test_a_chained_write_into_an_object_array_is_not_joined():
    """``A[0][1]`` of an array of objects writes into the array `A[0]` holds: ``A[0, 1]``
    raised a bare IndexError."""
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError):
        s2sgrad.grad(object_array_of_rows)(np.array([1.0, 2.0]))


def read_under_a_flag(x, flag):
    if flag:
        y = x * 2
    t = np.sum(x)
    if flag and np.sum(y) > 0:
        t = t + np.sum(y ** 2)
    t = t + (np.sum(y) if flag else 0.0)
    g = lambda: np.sum(y)  # noqa: E731 (called under the flag only)
    if flag:
        t = t + g()
    return t


def test_reads_python_may_skip_are_not_checked():
    x = np.array([1.3, -0.7, 0.4])
    np.testing.assert_allclose(s2sgrad.grad(read_under_a_flag)(x, False), np.ones(3))
    np.testing.assert_allclose(s2sgrad.grad(read_under_a_flag)(x, True),
                               _fd(lambda v: read_under_a_flag(v, True), x), rtol=1e-6)


# -- API and scientific idioms (R32 D1, D2; R33 A1, A2, C1) ------------------------------------

def sir_steps(b):
    x = np.zeros((4, 2))
    x[0] = [1.0, 0.5]
    for t in range(3):
        S, infected = x[t]
        x[t + 1, 0] = S - b * S * infected
        x[t + 1, 1] = infected + b * S * infected
    return x[-1, 1]


def test_a_row_unpacked_into_numbers_then_written():
    """``S, I = x[t]`` of a 2-D array gives numbers: the row was checked to be a number."""
    np.testing.assert_allclose(s2sgrad.grad(sir_steps)(0.3),
                               _fd(lambda b: sir_steps(b[()]), 0.3), rtol=1e-6)


def haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    a = np.sin((lat2 - lat1) / 2) ** 2 + \
        np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def test_a_map_unpacked_at_once():
    """``a, b = map(np.radians, [a, b])`` (the StackOverflow haversine) had no rule."""
    args = (48.8, 2.35, 51.5, -0.12)
    got = s2sgrad.grad(haversine, wrt=(0, 3))(*args)
    np.testing.assert_allclose(got[0], _fd(lambda v: haversine(v[()], *args[1:]), 48.8),
                               rtol=1e-6)
    np.testing.assert_allclose(got[1], _fd(lambda v: haversine(*args[:3], v[()]), -0.12),
                               rtol=1e-6)


def scaled_square(x, *, c=2.0):
    return c * np.sum(x ** 2)


def test_a_keyword_default_changed_in_place_is_seen():
    x = np.array([0.3, -0.5, 0.9])
    np.testing.assert_allclose(s2sgrad.grad(scaled_square)(x), 4.0 * x)
    scaled_square.__kwdefaults__['c'] = 3.0
    try:
        np.testing.assert_allclose(s2sgrad.grad(scaled_square)(x), 6.0 * x)
    finally:
        scaled_square.__kwdefaults__['c'] = 2.0


def test_a_file_edited_after_import_is_refused_also_with_an_assert(tmp_path, monkeypatch):
    """pytest rewrites the asserts of the modules it imports; a function whose code reads no
    pytest helper has no such excuse: the new text of its file is not what it runs."""
    import importlib
    (tmp_path / 'edited_module.py').write_text(
        'import numpy as np\n\n\ndef f(x):\n    assert x.ndim == 1\n'
        '    return np.sum(np.sin(x) * x)\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module('edited_module')
    (tmp_path / 'edited_module.py').write_text(
        'import numpy as np\n\n\ndef f(x):\n    assert x.ndim == 1\n'
        '    return np.sum(x ** 2)\n')
    with pytest.raises(s2sgrad.errors.SourceUnavailableError, match='was changed'):
        s2sgrad.grad(module.f)(np.array([0.3, -0.5]))


def sum_of_squares_of_items(xs):
    return sum(np.sum(v ** 2) for v in xs)


def test_a_dict_view_argument_is_refused_with_advice():
    params = {'a': np.array([1.0, 2.0]), 'b': np.array([3.0])}
    with pytest.raises(s2sgrad.errors.S2SError, match='list'):
        s2sgrad.grad(sum_of_squares_of_items)(params.values())
    got = s2sgrad.grad(sum_of_squares_of_items)(list(params.values()))
    np.testing.assert_allclose(got[0], 2 * params['a'])


def test_option_values_an_operator_does_not_take_raise_option_error():
    """Every failure s2sgrad raises on purpose is an S2SError (they were plain ValueErrors);
    OptionError is a ValueError too."""
    for make in (lambda: s2sgrad.grad(_cube_of_sum, motion='Joint'),
                 lambda: s2sgrad.grad(_cube_of_sum, compile='jax'),
                 lambda: s2sgrad.jacobian(_cube_of_sum, mode='forward')(np.ones(2))):
        with pytest.raises(s2sgrad.errors.OptionError) as info:
            make()
        assert isinstance(info.value, ValueError)


def _cube_of_sum(x):
    return np.sum(x) ** 3


def _scaled_by_an_enclosing_variable():
    k = 3.0

    def g(x):
        nonlocal k  # noqa: F824 (read only)
        return k * np.sum(x ** 2)
    return g


def test_a_read_only_nonlocal_declaration_is_dropped():
    x = np.array([0.3, -0.5])
    np.testing.assert_allclose(s2sgrad.grad(_scaled_by_an_enclosing_variable())(x), 6 * x)


def forward_kinematics(q):
    T = np.eye(3)
    for i in range(q.shape[0]):
        c = np.cos(q[i])
        s = np.sin(q[i])
        R = np.array([[c, -s, 1.0], [s, c, 0], [0.0, 0.0, 1.0]])
        T = T @ R
    return np.sum(T[:2, 2] ** 2)


@pytest.mark.skipif(not _has_numba, reason='numba (the `numba` extra) is not installed')
def test_a_matrix_of_numbers_compiles():
    """``np.array([[c, -s], [s, c]])``: numba's np.array takes no list of lists (R32 D3)."""
    q = np.array([0.3, -0.7, 1.1])
    expected = _fd(forward_kinematics, q)
    np.testing.assert_allclose(s2sgrad.grad(forward_kinematics, compile='numba')(q), expected,
                               rtol=1e-6, atol=1e-8)
    v = np.array([1.0, 0.5, -0.2])
    np.testing.assert_allclose(s2sgrad.jvp(forward_kinematics, compile='numba')(q, v),
                               expected @ v, rtol=1e-6)


OFFSETS = np.array([4.0, 5.0])
OFFSET_LIST = [np.array([4.0, 5.0])]


def _shifted(b, x):
    b = b.copy()
    b[0] -= 1.0
    return np.sum(x * b)


def shifted_squared(x):
    return _shifted(OFFSETS, x) ** 2


def _shifted_item(b, x):
    b = b.copy()
    b[0] -= 1.0  # (in place into the caller's array the list copy still holds)
    return np.sum(x * b[0])


def shifted_item_squared(x):
    return _shifted_item(OFFSET_LIST, x) ** 2


def test_a_hessian_of_a_helper_writing_into_its_copy_of_an_array():
    """``b = b.copy()`` of an array first: the helper changes nothing of the caller's (R27 D2:
    "reads state it changes"); of a list, the copy still holds the caller's arrays."""
    c = OFFSETS - np.array([1.0, 0.0])
    np.testing.assert_allclose(s2sgrad.hessian(shifted_squared)(np.array([1.0, 2.0])),
                               2 * np.outer(c, c))
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.hessian(shifted_item_squared)(np.array([1.0, 2.0]))


def _apply_activation(act, x):
    return np.sum(act(x) * x)


def test_a_function_a_partial_binds_by_position():
    """``partial(apply, np.sin)`` as ``partial(apply, act=np.sin)`` (R33 D4: NoRuleError)."""
    import functools
    x = np.array([0.3, -0.5, 0.9])
    np.testing.assert_allclose(s2sgrad.grad(functools.partial(_apply_activation, np.sin))(x),
                               np.sin(x) + x * np.cos(x))
    np.testing.assert_allclose(s2sgrad.grad(functools.partial(_apply_activation, np.cos))(x),
                               np.cos(x) - x * np.sin(x))


def _states_after_the_first(h0):
    states = [h0]
    states.append(np.tanh(h0))
    return sum(np.sum(s ** 2) for s in states[1:])


def _directional_gradient(x, v):
    return np.sum(s2sgrad.grad(_states_after_the_first)(x) * v)


def test_grad_of_a_gradient_whose_adjoint_list_starts_from_zeros():
    """``bitems = s2s.zeros_like(items)`` of a list holding the argument is new memory: the
    gradient does not write into its argument (R35 D2: refused as if it did)."""
    x, v = np.array([0.3, -0.7]), np.array([1.0, 0.5])
    t = np.tanh(x)
    expected = (2 * (1 - t ** 2) ** 2 - 4 * t ** 2 * (1 - t ** 2)) * v
    np.testing.assert_allclose(s2sgrad.grad(_directional_gradient)(x, v), expected, rtol=1e-10)


class _Scaled:
    def __init__(self, w):
        self.w = w

    def loss(self, x):
        return self.w * np.sum(np.sin(x))


_SCALED = _Scaled(3.0)
_SCALED_GRADIENT = s2sgrad.grad(_SCALED.loss)


def _gradient_norm_penalty(t):
    return np.sum(_SCALED_GRADIENT(t) ** 2)


def test_a_gradient_of_a_bound_method_called_inside():
    """``g2 = s2sgrad.grad(m.loss)`` (a bound method) called in a differentiated function
    (R33 D2: NoRuleError, as if it were a library function)."""
    x = np.array([0.3, -0.5, 0.9])
    expected = 2 * 3 * np.cos(x) * 3 * -np.sin(x)
    np.testing.assert_allclose(s2sgrad.grad(_gradient_norm_penalty)(x), expected)


# -- the regression review of session 37 (J37) -------------------------------------------------

def assigned_in_a_loop_only(x, n):
    for i in range(n):
        y = x * i
    return np.sum(y)


def test_a_loop_that_did_not_run_raises_where_the_function_does():
    """The loop machinery gave `y` a placeholder before the loop (None), which the check
    took for an assignment (J37 A1): it is now ``s2s.UNASSIGNED``, which the check refuses."""
    x = np.array([0.3, 0.8, -0.2])
    for make in (lambda: s2sgrad.grad(assigned_in_a_loop_only)(x, 0),
                 lambda: s2sgrad.grad(assigned_in_a_loop_only, motion='joint')(x, 0),
                 lambda: s2sgrad.hvp(assigned_in_a_loop_only)(x, 0, np.ones(3))):
        with pytest.raises(UnboundLocalError):
            make()
    np.testing.assert_allclose(s2sgrad.grad(assigned_in_a_loop_only)(x, 3), 2.0)
    text = s2sgrad.export(assigned_in_a_loop_only)
    space = {}
    exec(compile(text, '<exported>', 'exec'), space)
    with pytest.raises(UnboundLocalError):
        space['dassigned_in_a_loop_onlydx'](x, 0)
    np.testing.assert_allclose(space['dassigned_in_a_loop_onlydx'](x, 3), 2.0)


@pytest.mark.skipif(not _has_numba, reason='numba (the `numba` extra) is not installed')
def test_the_compiled_loop_that_did_not_run_raises():
    df = s2sgrad.grad(assigned_in_a_loop_only, compile='numba')
    with pytest.raises(UnboundLocalError):
        df(np.array([0.3, 0.8]), 0)
    np.testing.assert_allclose(df(np.array([0.3, 0.8]), 3), 2.0)  # (the last i)


SCALE = 3.0


def scaled_by_a_global_a_helper_shadows(x):
    def helper(t):
        SCALE = 2.0
        return t * SCALE
    return np.sum(helper(x)) * SCALE


@pytest.mark.skipif(not _has_numba, reason='numba (the `numba` extra) is not installed')
def test_a_nested_functions_local_is_not_the_outer_functions():
    """`SCALE` of the helper is its own: the outer function reads the global (J37 D1: the
    compiled path raised UnboundLocalError for a flag nothing set)."""
    x = np.array([0.3, 0.8, -0.2])
    assert 's2s.defined' not in s2sgrad.grad(scaled_by_a_global_a_helper_shadows).source
    np.testing.assert_allclose(
        s2sgrad.grad(scaled_by_a_global_a_helper_shadows, compile='numba')(x), 6.0)


def index_appended_after_a_write(x):
    y = x.copy()
    idx = [0]
    y[idx] = x[1] * x[2]
    idx.append(3)
    return np.sum(y * W4)


def test_an_index_grown_after_a_write_is_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='idx.append'):
        s2sgrad.grad(index_appended_after_a_write)(np.array([0.5, -1.0, 2.0, 0.3]))


def object_array_by_astype(x):
    A = np.zeros(2).astype(object)
    A[0] = x * 1.0
    A[1] = x * 2.0
    A[0][1] = 5.0
    return np.sum(A[0] * A[1])


def test_a_chained_write_into_an_astype_object_array_is_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError):
        s2sgrad.grad(object_array_by_astype)(np.array([1.0, 2.0]))


def clock_of_an_argument_step(p, dt):
    t = 0.0
    ts = []
    for i in range(3):
        t += dt
        ts.append(t)
    return p * np.sum(np.array(ts))


def test_a_clock_stepped_by_an_argument():
    """``t += dt`` of an argument: a number is rebound; an array would be changed in place
    while `ts` holds it (checked at run time)."""
    np.testing.assert_allclose(s2sgrad.grad(clock_of_an_argument_step)(0.7, 0.5), 3.0)
    with pytest.raises(s2sgrad.errors.InPlaceError):
        s2sgrad.grad(clock_of_an_argument_step)(0.7, np.array([0.5, 0.1]))


def index_assigned_in_a_loop(x, n):
    for i in range(n):
        k = i + 1
    return x[k] * np.sum(x)


@pytest.mark.skipif(not _has_numba, reason='numba (the `numba` extra) is not installed')
def test_an_integer_assigned_in_a_loop_compiles_and_raises_unassigned():
    """The compiled placeholder of an integer is 0, which numba indexes with (J37b D1); the
    flag still raises where the loop did not run."""
    x = np.array([0.3, 0.8, -0.2, 0.5])
    df = s2sgrad.grad(index_assigned_in_a_loop, compile='numba')
    np.testing.assert_allclose(df(x, 2), s2sgrad.grad(index_assigned_in_a_loop)(x, 2))
    np.testing.assert_allclose(df(x, 2), _fd(lambda v: index_assigned_in_a_loop(v, 2), x),
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(UnboundLocalError):
        df(x, 0)


def dict_assigned_in_a_loop(x, n):
    for i in range(n):
        d = {'a': x * i, 'b': np.cos(x)}
    return np.sum(d['a'] * d['b'])


def test_a_hessian_of_a_dict_assigned_in_a_loop():
    """``d = s2s.UNASSIGNED`` is a constant, not state the runs share (J37b D2)."""
    x = np.array([0.3, 0.8, -0.2])
    gradient = s2sgrad.grad(dict_assigned_in_a_loop)
    expected = _fd(lambda v: gradient(v, 2), x)
    np.testing.assert_allclose(s2sgrad.hessian(dict_assigned_in_a_loop)(x, 2), expected,
                               atol=1e-6)


_REBOUND_GRADIENT = s2sgrad.grad(_Scaled(1.5).loss)


def _uses_the_rebound_gradient(t):
    return np.sum(_REBOUND_GRADIENT(t) ** 2)


def test_a_global_gradient_of_a_bound_method_rebound_afterwards_is_refused():
    """The derivative was made for the method of one instance: the global rebound to the
    gradient of another's raises (J37b A1: the old one was used, silently)."""
    global _REBOUND_GRADIENT
    x = np.array([0.3, 0.8, -0.2])
    made = s2sgrad.grad(_uses_the_rebound_gradient)
    kept = _REBOUND_GRADIENT
    np.testing.assert_allclose(made(x), 2 * 1.5 * np.cos(x) * 1.5 * -np.sin(x))
    _REBOUND_GRADIENT = s2sgrad.grad(_Scaled(0.7).loss)
    try:
        with pytest.raises(s2sgrad.errors.S2SError, match='_REBOUND_GRADIENT'):
            made(x)
    finally:
        _REBOUND_GRADIENT = kept


def array_written_in_a_loop_only(x, n):
    for i in range(n):
        y = np.sin(x)
        y[i] = y[i] * x[0]
    return np.sum(y ** 2)


def test_second_order_of_an_array_assigned_in_a_loop():
    """``y = s2s.UNASSIGNED`` before the loop is a constant to the analyses of generated code
    differentiated again, as ``y = None`` was (J37b D2)."""
    x = np.array([0.3, 0.8, -0.2])
    gradient = s2sgrad.grad(array_written_in_a_loop_only)
    expected = _fd(lambda v: gradient(v, 2), x)
    np.testing.assert_allclose(s2sgrad.hessian(array_written_in_a_loop_only)(x, 2), expected,
                               atol=1e-6)
    np.testing.assert_allclose(s2sgrad.hvp(array_written_in_a_loop_only)(x, 2, np.ones(3)),
                               expected @ np.ones(3), atol=1e-6)
