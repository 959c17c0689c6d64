"""What the reviews of session 38 found and the session mended, each pinned against central
differences or closed forms (the refusals: of programs whose derivative was silently wrong,
or that crashed, before)."""
import itertools

import numpy as np
import pytest

import s2sgrad
from s2sgrad import errors

try:
    import numba  # noqa: F401
    _has_numba = True
except ImportError:  # (the `numba` extra)
    _has_numba = False


def _fd(f, x, h=1e-6):
    """Central differences of the scalar function `f` at `x`."""
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


X = np.array([0.3, -1.2, 0.7])


# -- an array two names hold, added to a list without ``append`` -----------------------------
# (``lst[0] += x`` adds into the array `a` too, which is read afterwards: the normal form's
# copy of the list made there was taken for a new list of new arrays; silently wrong before)

def extended(x):
    a = x * 2.0
    lst = []
    lst.extend([a])
    lst[0] += x
    return np.sum(a * x)


def grown(x):
    a = x * 2.0
    lst = []
    lst += [a]
    lst[0] += x
    return np.sum(a * x)


def concatenated(x):
    a = x * 2.0
    lst = [x]
    lst = lst + [a]
    lst[1] *= x
    return np.sum(a * x)


def extended_then_looped(x):
    a = x * 2.0
    lst = []
    lst.extend((a, x))
    for v in lst:
        v += 1.0
    return np.sum(a * x)


@pytest.mark.parametrize('f', [extended, grown, concatenated, extended_then_looped])
def test_an_item_added_without_append_and_changed_in_place_is_refused(f):
    """Python changes `a` through the list; the derivative must follow that or refuse."""
    with pytest.raises(errors.S2SError, match='in place'):
        s2sgrad.grad(f)(X.copy())


# -- the same programs with arrays of their own: differentiated ------------------------------

def extended_fresh(x):
    lst = []
    lst.extend([x * 2.0, x ** 2])
    lst[0] += x
    return np.sum(lst[0] * lst[1])


def grown_fresh(x):
    lst = [x * 1.0]
    lst += [np.sin(x)]
    lst[1] *= 2.0
    return np.sum(lst[0] * lst[1])


def grown_in_a_loop(x):
    acc = []
    for i in range(3):
        acc.extend([x * i, x + i])
    acc[2] += 1.0
    return sum(np.sum(v ** 2) for v in acc)


def extended_with_a_copy(x):
    a = x * 2.0
    lst = []
    lst.extend([a.copy()])
    lst[0] += x
    return np.sum(a * lst[0])


def item_stored_after_growing(x):
    lst = [x * 1.0]
    lst += [np.cos(x)]
    lst[1] = lst[1] * 2.0
    return np.sum(lst[0] * lst[1])


@pytest.mark.parametrize('f', [extended_fresh, grown_fresh, grown_in_a_loop,
                               extended_with_a_copy, item_stored_after_growing])
def test_a_list_grown_then_an_item_updated(f):
    """A list grown by ``+=`` whose item is then stored or updated: the concatenation's
    adjoint splits by the list's length (before, an item store made the list unknown, and
    the gradient raised 'an adjoint of 2 items reached a list or tuple of 1')."""
    x = X.copy()
    np.testing.assert_allclose(s2sgrad.grad(f)(x), _fd(f, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, X)
    v = np.array([0.5, -0.25, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(X.copy(), v), np.dot(_fd(f, X), v),
                               rtol=1e-6, atol=1e-8)


# -- a helper that repeats or concatenates its list parameter (R37 A1) -----------------------
# (its derivative, made for arrays, took ``l * 2`` for a product: 8 adjoints came back for a
# list of 2, of which the caller read 2; silently wrong before, checked item by item now)

def twice(items):
    return items * 2


def doubled(items):
    return items + items


def repeated_through_a_helper(x):
    d = twice([x, x ** 2])
    return np.sum(d[0] + d[1] * 2.0 + d[2] * 3.0 + d[3] * 4.0)


def concatenated_in_a_loop(x):
    lst = [x]
    for _ in range(2):
        lst = doubled(lst)
    return np.sum(lst[0] + lst[1] * 2.0 + lst[2] * 3.0 + lst[3] * 4.0)


@pytest.mark.parametrize('f', [repeated_through_a_helper, concatenated_in_a_loop])
def test_a_list_repeated_by_a_helper_is_refused_when_it_runs(f):
    with pytest.raises(errors.NoRuleError, match='an adjoint of 8 items reached a list'):
        s2sgrad.grad(f)(X.copy())
    with pytest.raises(errors.NoRuleError, match='an adjoint of 8 items reached a list'):
        s2sgrad.hvp(f)(X.copy(), np.ones(3))


def squared_twice(x):
    return np.sum(twice(x) * x) + np.sum(doubled(x))


def test_the_same_helpers_given_arrays_multiply_and_add():
    np.testing.assert_allclose(s2sgrad.grad(squared_twice)(X.copy()), 4 * X + 2,
                               rtol=1e-12)


# -- np.fill_diagonal with values (R39 D1: the GP idiom) -------------------------------------

def gp_nll(log_ell, log_sn, X, y):
    d2 = ((X[:, None, :] - X[None]) ** 2).sum(-1)
    K = np.exp(-0.5 * d2 / np.exp(2 * log_ell))
    np.fill_diagonal(K, np.diag(K) + np.exp(log_sn))
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]


def diagonal_of_a_number(x):
    M = np.outer(x, x)
    np.fill_diagonal(M, x[0] * 2.0)
    return np.sum(M ** 2)


def diagonal_of_fewer_values(x):
    K = np.outer(x, x)
    np.fill_diagonal(K, x[:2] * 3.0)  # (NumPy repeats them: x0, x1, x0)
    return np.sum(K ** 2 * np.arange(9.0).reshape(3, 3))


def diagonal_of_more_values(x):
    K = np.outer(x, x) + 1.0
    np.fill_diagonal(K, np.outer(x, x))  # (NumPy writes the first three)
    return np.sum(np.sin(K) * np.arange(9.0).reshape(3, 3))


def diagonal_of_a_tall_matrix(x):
    K = np.outer(x, x)[:, :2] * 1.0
    np.fill_diagonal(K, x * 2.0)
    return np.sum(K ** 3)


@pytest.mark.parametrize('f', [diagonal_of_fewer_values, diagonal_of_more_values,
                               diagonal_of_a_tall_matrix])
def test_fill_diagonal_with_values_of_another_count(f):
    """NumPy repeats or cuts the values to the diagonal's length (a bare ValueError from
    the generated code before)."""
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy()), _fd(f, X), rtol=1e-6, atol=1e-8)
    v = np.array([0.5, -0.25, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(X.copy(), v), np.dot(_fd(f, X), v),
                               rtol=1e-6, atol=1e-8)
    gradient = s2sgrad.grad(f)
    np.testing.assert_allclose(s2sgrad.hvp(f)(X.copy(), v),
                               (gradient(X + 1e-6 * v) - gradient(X - 1e-6 * v)) / 2e-6,
                               rtol=1e-5, atol=1e-6)


def test_fill_diagonal_with_values_is_a_write():
    rng = np.random.default_rng(0)
    pts, y = rng.standard_normal((4, 2)), rng.standard_normal(4)
    got = s2sgrad.grad(gp_nll, wrt=(0, 1))(0.2, -1.0, pts, y)
    for k, (a, b) in enumerate([(lambda t: gp_nll(t, -1.0, pts, y), 0.2),
                                (lambda t: gp_nll(0.2, t, pts, y), -1.0)]):
        fd = (a(b + 1e-6) - a(b - 1e-6)) / 2e-6
        np.testing.assert_allclose(got[k], fd, rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(diagonal_of_a_number)(X.copy()),
                               _fd(diagonal_of_a_number, X), rtol=1e-6, atol=1e-8)


# -- a loop over an iterator that never ends, left by ``break`` (R40 C1) ----------------------
# (the derivative reads the items before the loop runs: it read until memory ran out)

def counted_until_break(x):
    t = 0.0
    for k in itertools.count():
        if k >= 3:
            break
        t = t + x[k] * k
    return t


def natural_numbers():
    k = 0
    while True:
        yield k
        k += 1


def generated_until_break(x):
    t = 0.0
    for k in natural_numbers():
        if k >= 3:
            break
        t = t + x[k] * k
    return t


@pytest.mark.parametrize('f, what', [(counted_until_break, 'an endless `count`'),
                                     (generated_until_break, 'more than 1,000,000 items')])
def test_an_endless_loop_left_by_break_is_refused(f, what):
    x = np.array([0.3, -0.7, 1.2, 0.4])
    with pytest.raises(errors.NoRuleError, match=what):
        s2sgrad.grad(f)(x)


def counted_over_a_slice(x):
    t = 0.0
    for k in itertools.islice(itertools.count(), 3):
        t = t + x[k] * k
    return t


def test_a_bounded_count_is_followed():
    x = np.array([0.3, -0.7, 1.2, 0.4])
    np.testing.assert_allclose(s2sgrad.grad(counted_over_a_slice)(x), [0.0, 1.0, 2.0, 0.0])


# -- joining the rows of one array (R38 A1, C1, C2: autograd's tests of np.concatenate) -------
# (the adjoint of ``np.concatenate(x)`` of a matrix `x` was the list of its rows' adjoints:
# reverse over reverse gave zeros, arithmetic on it crashed)

def rows_joined_twice(x):
    a = np.concatenate(x)
    b = np.hstack(x)
    return np.sum(a * b) + np.sum(np.vstack(x) ** 3)


def rows_joined_of_a_sum(x):
    z = x + x
    return np.sum(np.concatenate(z) ** 3)


def rows_joined_then_rebound(x):
    y = np.concatenate(x)
    x = x * 2.0
    return np.sum(y * np.concatenate(x))


M = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, -0.6]])
V = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, 2.0]])


@pytest.mark.parametrize('f', [rows_joined_twice, rows_joined_of_a_sum,
                               rows_joined_then_rebound])
def test_rows_of_a_matrix_joined(f):
    np.testing.assert_allclose(s2sgrad.grad(f)(M.copy()), _fd(f, M), rtol=1e-6, atol=1e-8)
    gradient = s2sgrad.grad(f)

    def directional(x):
        return np.sum(gradient(x) * V)

    expected = _fd(directional, M)
    np.testing.assert_allclose(s2sgrad.grad(directional)(M.copy()), expected, rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hvp(f)(M.copy(), V), expected, rtol=1e-5, atol=1e-7)


# -- a built-in the module binds after the gradient was made (R40 A1) --------------------------

def test_a_builtin_the_module_binds_afterwards_is_checked():
    """`max` was the built-in when the gradient was made; the module then binds its own: the
    gradient raises (it gave the built-in's derivative), as for a global holding a function."""
    import shadowed_builtins as module
    x = np.array([0.3, -0.7, 1.2])
    gradient = s2sgrad.grad(module.peak_and_size)
    assert 's2s.check_bound(max, builtins.max' in gradient.source
    np.testing.assert_allclose(gradient(x), [2.0, 0.0, 1.0])
    module.shadow()
    try:
        with pytest.raises(errors.S2SError, match='`abs` held <built-in function abs>'):
            gradient(x)
        np.testing.assert_allclose(s2sgrad.grad(module.peak_and_size)(x),
                                   _fd(module.peak_and_size, x), rtol=1e-6)
    finally:
        module.unshadow()
    np.testing.assert_allclose(gradient(x), [2.0, 0.0, 1.0])


def test_builtins_no_module_binds_are_not_checked():
    assert 'check_bound' not in s2sgrad.grad(squared_twice).source


# -- ``lst = lst + [v]`` (or a slice of it) then ``lst.extend(...)`` (R37 D1) -----------------

def concatenated_then_extended(x):
    lst = [x * 1.5]
    lst = lst + [x * 2.0]
    lst.extend([x ** 2])
    return np.sum(lst[0] * lst[1] * lst[2])


def window_then_extended(x):
    buf = [x, x * 2.0, x * 3.0]
    buf = buf[1:] + [np.sin(x)]
    buf.extend((x ** 2,))
    return np.sum(buf[0] * buf[-1]) + np.sum(buf[2])


def argument_sliced_then_extended(x, ws):
    ws = ws[:]
    ws.extend([x])
    return sum(np.sum(w * w) for w in ws)


@pytest.mark.parametrize('f', [concatenated_then_extended, window_then_extended])
def test_a_list_grown_by_concatenation_then_extended(f):
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy()), _fd(f, X), rtol=1e-6, atol=1e-8)
    v = np.array([0.5, -0.25, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(f)(X.copy(), v), np.dot(_fd(f, X), v),
                               rtol=1e-6, atol=1e-8)


def test_an_argument_sliced_is_not_known_to_be_a_list():
    """`ws[:]` of an argument may be an array's slice: its ``extend`` stays refused."""
    with pytest.raises(errors.NoRuleError, match='`extend` of `ws`'):
        s2sgrad.grad(argument_sliced_then_extended)(X.copy(), [np.ones(3)])


# -- a log of numbers in a method that reads other attributes (R40 D1) -------------------------

class LoggedModel:
    def __init__(self, scale):
        self.history = []
        self.scale = scale

    def loss(self, x):
        v = np.sum(x ** 2) * self.scale
        self.history.append(float(v))
        return v


class LoggedThroughAProperty:
    def __init__(self):
        self.history = []

    @property
    def scale(self):
        return 3.0 + len(self.history)

    def loss(self, x):
        v = np.sum(x ** 2) * self.scale
        self.history.append(float(v))
        return v


def test_a_log_beside_reads_of_other_attributes():
    model = LoggedModel(3.0)
    x = np.array([1.0, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(model.loss)(x), 6.0 * x)
    assert model.history == [30.0]  # (as one call of `loss` leaves it)


def test_a_log_a_property_may_read_stays_refused():
    with pytest.raises(errors.NoRuleError, match='self.history.append'):
        s2sgrad.grad(LoggedThroughAProperty().loss)(np.array([1.0, 3.0]))


def zipped_endless(x):
    t = 0.0
    for k, sign in zip(itertools.count(), itertools.cycle([1.0, -1.0])):
        if k >= 3:
            break
        t = t + x[k] * sign
    return t


def zipped_with_a_generator(x):
    t = 0.0
    for v, k in zip(x, natural_numbers()):
        t = t + k * v ** 2
    return t


def test_a_zip_of_endless_iterators_is_refused():
    with pytest.raises(errors.NoRuleError, match='more than 1,000,000 items'):
        s2sgrad.grad(zipped_endless)(np.array([0.3, -0.7, 1.2, 0.4]))


def test_a_generator_zipped_with_an_array_is_read_as_far_as_zip_reads():
    x = np.array([0.3, -1.2, 0.7, 0.45])
    np.testing.assert_allclose(s2sgrad.grad(zipped_with_a_generator)(x),
                               2 * np.arange(4) * x, rtol=1e-12)


# -- messages that named a temporary of the normal form (R37 E1) ------------------------------

def updated_through_a_display(x):
    a = x * 2
    b = x ** 2
    for w in [a, b]:
        w *= x
    return np.sum(a * b)


def test_an_update_through_a_loop_over_a_display_names_no_temporary():
    with pytest.raises(errors.InPlaceError) as info:
        s2sgrad.grad(updated_through_a_display)(X.copy())
    message = str(info.value)
    assert 'an item of the sequence the loop visits' in message
    assert '`items`' not in message


# -- the polar factor U @ Vh at equal singular values (R43 A1: rigid-body integrators) --------
# (the SVD's adjoint divided rounding noise by s_j ** 2 - s_i ** 2: finite wrong numbers near
# equal values, nan at equal ones, where U @ Vh is smooth)

def polar_factor(R, C):
    U, S, Vt = np.linalg.svd(R)
    return np.sum((U @ Vt) * C)


def _rotation_step():
    w, dt = np.array([0.5, 1.0, 0.2]), 0.01
    K = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
    return np.eye(3) + dt * K


@pytest.mark.parametrize('R', [_rotation_step(), np.eye(3),
                               np.diag([2.0, 1.0, 1.0]) + 1e-3 * np.arange(9.0).reshape(3, 3)],
                         ids=['nearly_equal', 'equal', 'two_close'])
def test_the_polar_factor_at_equal_singular_values(R):
    C = np.arange(9.0).reshape(3, 3)
    got = s2sgrad.grad(polar_factor)(R.copy(), C)
    expected = np.zeros_like(R)
    for i in np.ndindex(R.shape):
        step = np.zeros_like(R)
        step[i] = 1e-6
        expected[i] = (polar_factor(R + step, C) - polar_factor(R - step, C)) / 2e-6
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    V = np.ones((3, 3)) + np.eye(3)
    np.testing.assert_allclose(s2sgrad.jvp(polar_factor)(R.copy(), C, V), np.sum(expected * V),
                               rtol=1e-6, atol=1e-7)


def first_singular_vector(R, C):
    U, S, Vt = np.linalg.svd(R)
    return np.sum(U * C)


def test_singular_vectors_of_equal_values_have_no_finite_derivative():
    """A function of `U` alone depends on the choice of vectors at equal singular values:
    no derivative there, shown as before (not a finite number)."""
    with np.errstate(all='ignore'):
        got = s2sgrad.grad(first_singular_vector)(np.eye(3), np.arange(9.0).reshape(3, 3))
    assert not np.all(np.isfinite(got))


def squared_through_the_svd(A, C):
    U, s, Vt = np.linalg.svd(A)
    return np.sum((U @ np.diag(s ** 2) @ Vt) * C)


@pytest.mark.parametrize('gap', [1e-9, 1e-12])
def test_a_function_of_nearly_equal_singular_values_that_turns_them(gap):
    """`U diag(s ** 2) Vh` turns the vectors of a nearly equal pair: its quotient by the gap,
    accurate there, is kept (not the limit for vectors that turn freely)."""
    A, C = np.diag([2.0, 1.0, 1.0 + gap]), np.arange(9.0).reshape(3, 3)
    got = s2sgrad.grad(squared_through_the_svd)(A, C)
    expected = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        step = np.zeros_like(A)
        step[i] = 1e-6
        expected[i] = (squared_through_the_svd(A + step, C) -
                       squared_through_the_svd(A - step, C)) / 2e-6
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_a_function_of_yours_deleted_after_the_gradient_is_named_so():
    """(R40 E1: the message showed an internal placeholder object.)"""
    import shadowed_builtins as module
    gradient = s2sgrad.grad(module.uses_top)
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(gradient(x), [-0.7, 0.3])
    saved = module.top
    del module.top
    try:
        with pytest.raises(errors.S2SError, match='`top` was a function of yours when the '
                                                  'gradient was made and is bound no more'):
            gradient(x)
    finally:
        module.top = saved


# -- an argument rebound first to a display that reads it (J38b C1, D1: a regression of this
# session's own change, which took any read of the name for the argument's type) -----------

def rebound_to_a_display_then_grown(x, ws):
    ws = [ws[0], x]
    ws += (x * 3.0,)
    return sum(np.sum(w * x) for w in ws)


def rebound_to_a_display_then_extended(x, ws):
    ws = [ws[0] * 2.0, x]
    ws.extend([x ** 2])
    return sum(np.sum(w * x) for w in ws)


@pytest.mark.parametrize('f', [rebound_to_a_display_then_grown,
                               rebound_to_a_display_then_extended])
def test_an_argument_rebound_to_a_display_is_a_list(f):
    ws = [np.array([0.5, 1.0, -0.2])]
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy(), ws),
                               _fd(lambda x: f(x, ws), X), rtol=1e-6, atol=1e-8)


# -- globals the compiled code froze (R44 A1) --------------------------------------------------
# (numba reads a global once, when it compiles: the compiled gradient kept the old value)

@pytest.mark.skipif(not _has_numba, reason='needs numba (the `numba` extra)')
def test_a_compiled_gradient_refuses_globals_changed_since_it_was_compiled():
    import frozen_globals as module
    x = np.ones(6)
    try:
        gradient = s2sgrad.grad(module.squares_up_to_count, compile='numba')
        np.testing.assert_allclose(gradient(x), 2.0 * x)
        module.COUNT = 3
        with pytest.raises(errors.S2SError, match='`COUNT` holds another value'):
            gradient(x)
        again = s2sgrad.grad(module.squares_up_to_count, compile='numba')
        np.testing.assert_allclose(again(x), [2.0, 2.0, 2.0, 0.0, 0.0, 0.0])

        weighted = s2sgrad.grad(module.weighted_squares, compile='numba')
        np.testing.assert_allclose(weighted(x)[:3], [1.0, 2.0, 3.0])
        module.RATE = 0.25 + 0.25  # (another float of the same value: still what it compiled)
        np.testing.assert_allclose(weighted(x)[:3], [1.0, 2.0, 3.0])
        module.WEIGHTS[0] = 10.0
        with pytest.raises(errors.S2SError, match='`WEIGHTS` holds other values'):
            weighted(x)

        v = np.array([0.3, -1.0, 2.0, 0.5])
        energy = s2sgrad.grad(module.smoothed_energy, compile='numba')
        np.testing.assert_allclose(energy(v), s2sgrad.grad(module.smoothed_energy)(v))
        module.smooth = module.difference
        with pytest.raises(errors.S2SError, match='`smooth` holds another value'):
            energy(v)
    finally:
        module.COUNT, module.RATE, module.smooth = 6, 0.5, module.average
        module.WEIGHTS[0] = 1.0


# -- a generator yielding one buffer filled anew (J38b A1: a data loader) -----------------------
# (the derivative reads a generator's items before the loop runs: each was the last batch)

DATA = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


def batches(data, size):
    buf = np.empty(size)
    for i in range(0, len(data), size):
        buf[:] = data[i:i + size]
        yield buf


def labelled_batches(data, size):
    buf, labels = np.empty(size), np.empty(size)
    for i in range(0, len(data), size):
        buf[:] = data[i:i + size]
        labels[:] = buf * 2.0
        yield buf, labels


def weighted_by_batches(x):
    t = 0.0
    for w, batch in zip(x, batches(DATA, 2)):
        t = t + w ** 2 * np.sum(batch)
    return t


def loss_over_batches(x):
    t = 0.0
    for xb, yb in labelled_batches(DATA, 3):
        t = t + np.sum((xb * x - yb) ** 2)
    return t


@pytest.mark.parametrize('f', [weighted_by_batches, loss_over_batches])
def test_a_generator_reusing_its_buffer(f):
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy()), _fd(f, X), rtol=1e-6, atol=1e-8)


@pytest.mark.skipif(not _has_numba, reason='needs numba (the `numba` extra)')
def test_a_global_named_as_a_parameter_is_no_frozen_global():
    """A script's global `x` passed as the argument `x`, then rebound: the compiled code
    reads its parameter, not the global (no check, no refusal)."""
    import frozen_globals as module
    saved = module.x
    try:
        gradient = s2sgrad.grad(module.sum_of_cubes, compile='numba')
        np.testing.assert_allclose(gradient(module.x), 3.0 * module.x ** 2)
        module.x = module.x + 1.0
        np.testing.assert_allclose(gradient(module.x), 3.0 * module.x ** 2)
    finally:
        module.x = saved
