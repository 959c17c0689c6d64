"""Programs from this session's reviews of Python constructs: a loop's variable rebound in its
body (``for i in range(n): i = i + 1``, an inner loop over the same name), an augmented
assignment through a name that may share an array with several names read afterwards, and
``items.pop(index)`` / ``items.insert(index, value)`` / ``items.reverse()``.
Expected values are central differences or closed forms; the refusals name the line."""
import importlib.util

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads, numerical_grad
from s2sgrad.errors import InPlaceError
from trees import central_grad

X3 = np.array([0.7, 1.3, 0.5])


def loop_variable_shifted(x):
    s = 0.0
    for i in range(2):
        i = i + 1
        s = s + x[i] * x[i - 1]
    return s


def loop_variable_replaced_in_a_branch(x):
    s = 0.0
    for i in range(3):
        if i == 1:
            i = 2
        s = s + x[i] ** 2
    return s


def reversed_loop_variable_mirrored(x):
    s = 0.0
    for i in reversed(range(3)):
        i = 2 - i
        s = s * 0.5 + x[i] * (i + 1)
    return s


def enumerate_index_shifted(x):
    s = 0.0
    for i, v in enumerate(x):
        i += 1
        s = s + v * i * x[0]
    return s


def inner_loop_reuses_the_name(x):
    s = 0.0
    for i in range(2):
        for i in range(3):
            s = s + x[i] * x[0]
        s = s + x[i]  # (the inner loop's last value: 2)
    return s


def loop_variable_decremented_after_use(x):
    s = 0.0
    for n in range(1, 4):
        s = s + np.sum(x[:n]) * n
        n = n - 1
        s = s + x[n] ** 2
    return s


WEIGHTS = {'a': 1.0, 'b': 2.0}


def key_loop_rebinds_its_key(x):
    s = 0.0
    for k in WEIGHTS:
        k = 'b'
        s = s + WEIGHTS[k] * x[0] * x[1]
    return s


def loop_variable_read_between_loops(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
    t = x[i] * s  # (i is 2: the next loop's reversal must not leave it at 0)
    for i in range(2):
        s = s + x[i] * t
    return s


def inner_loop_after_a_read_of_the_outer_variable(x):
    s = 0.0
    for i in range(3):
        v = x[i]
        for i in range(2):
            v = v * x[i + 1]
        s = s + v
    return s


def variable_assigned_then_looped_over(x):
    i = 2
    t = x[i] * 2.0
    for i in range(2):
        t = t * x[i]
    return t


def comprehension_reads_a_later_loops_name(x):
    s = 0.0
    for i in range(2):
        vals = [x[j] for j in range(i + 1)]
        for i in range(len(vals)):
            s = s + vals[i] * x[2]
    return s


REBOUND = [loop_variable_shifted, loop_variable_replaced_in_a_branch,
           reversed_loop_variable_mirrored, enumerate_index_shifted, inner_loop_reuses_the_name,
           loop_variable_decremented_after_use, key_loop_rebinds_its_key,
           loop_variable_read_between_loops, inner_loop_after_a_read_of_the_outer_variable,
           variable_assigned_then_looped_over, comprehension_reads_a_later_loops_name]


@pytest.mark.parametrize('f', REBOUND, ids=lambda f: f.__name__)
def test_loop_variable_rebound_in_the_body(f):
    expected = central_grad(f, [X3], 0)
    for motion in ('split', 'joint'):
        np.testing.assert_allclose(s2sgrad.grad(f, motion=motion)(X3), expected, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.jvp(f)(X3, np.ones(3)), np.sum(expected), atol=1e-7)
    gradient = s2sgrad.grad(f)
    rows = [central_grad(lambda z, i=i: gradient(z)[i], [X3], 0) for i in range(3)]
    np.testing.assert_allclose(s2sgrad.hessian(f)(X3), np.array(rows), atol=1e-5)
    if importlib.util.find_spec('numba') is not None and f is not key_loop_rebinds_its_key:
        # (the saved loop variable starts as the integer 0, not None: numba indexes with it)
        np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(X3), expected, atol=1e-7)


def test_loop_variable_rebound_closed_form():
    # s = x1 * x0 + x2 * x1
    np.testing.assert_allclose(s2sgrad.grad(loop_variable_shifted)(X3),
                               [X3[1], X3[0] + X3[2], X3[1]])


def rows_unpacked_then_scaled(A):
    B = A.copy()
    a, b = B
    a *= 3.0  # (a row of B: B changes)
    return np.sum(B) + np.sum(A)


def items_then_scaled(A):
    B = A.copy()
    a, b = B[0], B[1]
    a *= 3.0 + 0.0 * b
    return np.sum(B) + np.sum(A)


def chosen_then_scaled(x):
    y = x * 1.0
    z = y if x[0] > 0 else x
    z *= 3.0  # (y changes)
    return np.sum(y) + np.sum(x)


def parameters_unpacked_then_scaled(params, x):
    W, b = params
    W *= 2.0  # (the caller's array)
    return np.sum(params[0] @ x) + np.sum(b)


@pytest.mark.parametrize('f, args', [
    (rows_unpacked_then_scaled, (np.array([[0.7, 1.3], [0.2, 0.5]]),)),
    (items_then_scaled, (np.array([[0.7, 1.3], [0.2, 0.5]]),)),
    (chosen_then_scaled, (np.array([0.7, 1.3]),)),
    (parameters_unpacked_then_scaled, ((np.ones((2, 2)), np.ones(2)), np.array([1.0, 2.0]))),
], ids=lambda v: getattr(v, '__name__', ''))
def test_augmented_write_through_a_name_that_may_share_is_refused(f, args):
    # every name that may share the array and is read afterwards is checked, not only one
    with pytest.raises(InPlaceError, match=r'is an array, not a number'):
        s2sgrad.grad(f)(*args)


def number_scaled(x):
    t = x[0] * 2.0
    u = t
    u *= 3.0  # (a number: rebound, `t` keeps its value)
    return u + t * x[1]


def test_augmented_assignment_of_a_number_with_a_second_name():
    np.testing.assert_allclose(s2sgrad.grad(number_scaled)(X3), [6.0 + 2.0 * X3[1], 2 * X3[0], 0])


# -- list.pop(index) and list.insert(index, value) -----------------------------------------


def pop_front(x):
    lst = [x[0], x[1], x[2]]
    a = lst.pop(0)
    b = lst.pop()
    return a * 2.0 + b * 3.0 + lst[0] * a


def queue(x):
    q = [x[0], x[1] * 2.0]
    s = 0.0
    k = 0
    while q:
        v = q.pop(0)
        s = s * 0.7 + v ** 2
        if k < 3:
            q.append(v * x[2])
        k = k + 1
    return s


def pop_negative(x):
    lst = [x[0], x[1], x[2], x[0] * x[1]]
    a = lst.pop(-2)
    b = lst.pop(1)
    return a * b + lst[0] * 3.0 + lst[-1] ** 2


def pop_var_index(x):
    lst = [x[0], x[1], x[2], x[1] * x[2]]
    s = 0.0
    for i in range(2):
        v = lst.pop(len(lst) // 2)
        s = s + v * (i + 1.0)
    return s + lst[0] * lst[1]


def insert_front(x):
    lst = [x[0]]
    lst.insert(0, x[1] * 2.0)
    lst.insert(1, x[2])
    lst.insert(-1, x[0] * x[2])
    lst.insert(10, x[1])
    return lst[0] * lst[1] + lst[2] ** 2 + lst[3] * lst[4]


def insert_loop(x):
    lst = []
    for i in range(3):
        lst.insert(0, x[i] * (i + 1.0))
    s = 0.0
    for i in range(3):
        s = s * 2.0 + lst[i] ** 2
    return s


def insert_const(x):
    lst = [x[0], x[1]]
    lst.insert(1, 5.0)
    return lst[0] * lst[1] + lst[2]


def bare_pop(x):
    lst = [x[0], x[1], x[2]]
    lst.pop(1)
    return lst[0] * lst[1]


def param_insert(xs, y):
    xs.insert(1, y * 2.0)
    return xs[0] * xs[1] + xs[2]


def param_pop(xs):
    a = xs.pop(0)
    return a * xs[0] + xs[-1]


def reversed_in_place(x):
    hist = [x[0], x[1] * 2.0, x[2]]
    hist.reverse()
    return hist[0] * hist[1] + hist[2] ** 2


def reversed_in_a_loop(x):
    hist = []
    for i in range(3):
        hist.append(x[i] * (i + 1.0))
        hist.reverse()
    s = 0.0
    for i in range(3):
        s = s * 0.5 + hist[i] ** 2
    return s


def reversed_then_popped(x):
    hist = [x[0], x[1], x[2] * x[0]]
    hist.reverse()
    a = hist.pop(0)
    return a * hist[0] + hist[1]


LIST_METHODS = [pop_front, queue, pop_negative, pop_var_index, insert_front, insert_loop,
                insert_const, bare_pop, reversed_in_place, reversed_in_a_loop,
                reversed_then_popped]
XL = np.array([0.5, 1.5, -2.0])


@pytest.mark.parametrize('f', LIST_METHODS, ids=lambda f: f.__name__)
def test_pop_at_and_insert(f):
    expected = central_grad(f, [XL], 0)
    for motion in ('split', 'joint'):
        np.testing.assert_allclose(s2sgrad.grad(f, motion=motion)(XL), expected, atol=1e-7)
    v = np.array([1.0, 0.5, -0.3])
    np.testing.assert_allclose(s2sgrad.jvp(f)(XL, v), expected @ v, atol=1e-7)
    gradient = s2sgrad.grad(f)
    rows = [central_grad(lambda z, i=i: gradient(z)[i], [XL], 0) for i in range(3)]
    np.testing.assert_allclose(s2sgrad.hessian(f)(XL), np.array(rows), atol=1e-5)
    if importlib.util.find_spec('numba') is not None:
        np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(XL), expected, atol=1e-7)


def param_reversed(xs):
    xs.reverse()
    return xs[0] * 2.0 + xs[1] * xs[2]


def test_pop_at_and_insert_leave_the_callers_list_as_it_was():
    xs = [1.0, 2.0, 3.0]
    assert s2sgrad.grad(param_reversed)(xs) == [2.0, 1.0, 2.0]  # 2 xs2 + xs1 xs0
    assert xs == [1.0, 2.0, 3.0]
    xs = [1.5, 2.0, 3.0]
    # xs0 * (2 y) + xs1 after the insert
    assert s2sgrad.grad(param_insert, wrt=(0, 1))(xs, 0.7) == ([1.4, 1.0, 0.0], 3.0)
    assert xs == [1.5, 2.0, 3.0]
    arrays = [np.array(1.5), np.array(2.0), np.array(3.0)]
    np.testing.assert_allclose(s2sgrad.grad(param_pop)(arrays), [2.0, 1.5, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(param_pop)(arrays, [1.0, 1.0, 1.0]), 4.5)
    assert [float(a) for a in arrays] == [1.5, 2.0, 3.0]


def inner_list_grown(x):
    lst = [[x[0], x[1]], [x[2]]]
    lst[1].insert(0, x[0] * 2.0)
    return lst[1][0] * lst[1][1]


def inner_list_appended(x):
    lst = [[x[0], x[1]], [x[2]]]
    lst[1].append(x[0] * 2.0)
    return lst[1][0] * lst[1][1]


def inner_list_popped(x):
    lst = [[x[0], x[1]], [x[2]]]
    a = lst[0].pop(0)
    return a * lst[0][0]


@pytest.mark.parametrize('f', [inner_list_grown, inner_list_appended, inner_list_popped],
                         ids=lambda f: f.__name__)
def test_a_list_held_in_another_that_changes_length_is_refused(f):
    for run in (lambda: s2sgrad.grad(f)(XL), lambda: s2sgrad.jvp(f)(XL, np.ones(3))):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='a list held in another'):
            run()


def index_counted_by_a_while_loop(x):
    out = [x[0], x[1]]
    j = 0
    while j < 1:
        j += 1
    out.insert(j, x[2])  # (the position is a number the list does not hold)
    return out[0] + out[1] * 2.0 + out[2] * 3.0 * out[0]


def test_insert_at_a_counted_position():
    # out = [x0, x2, x1]: x0 + 2 x2 + 3 x1 x0
    np.testing.assert_allclose(s2sgrad.grad(index_counted_by_a_while_loop)(XL),
                               [1.0 + 3.0 * XL[1], 3.0 * XL[0], 2.0])


# -- loops over a dict's keys and over a list's arrays ------------------------------------

def sgd_step_inside(params, grads):
    for k in params:  # (``s2s.keys(params)``: a new list of keys, holding no array)
        params[k] = params[k] - 0.1 * grads[k]
    return np.sum(params['W'] ** 2) + np.sum(params['b'])


def test_an_update_of_a_dict_in_a_loop_over_its_keys():
    """Refused as a write into `params` that may share memory with `keys`, a name of the
    generated code: the list of keys was taken for one that may hold the arrays."""
    params = {'W': np.array([1.0, 2.0]), 'b': np.array([0.5, -1.0])}
    grads = {'W': np.array([0.3, 0.1]), 'b': np.array([1.0, 1.0])}
    kept = {k: v.copy() for k, v in params.items()}
    bparams, bgrads = s2sgrad.grad(sgd_step_inside, wrt=(0, 1))(params, grads)
    stepped = params['W'] - 0.1 * grads['W']
    np.testing.assert_allclose(bparams['W'], 2 * stepped, rtol=1e-12)
    np.testing.assert_allclose(bparams['b'], np.ones(2), rtol=1e-12)
    np.testing.assert_allclose(bgrads['W'], -0.2 * stepped, rtol=1e-12)
    np.testing.assert_allclose(bgrads['b'], -0.1 * np.ones(2), rtol=1e-12)
    assert params.keys() == kept.keys()
    for k in kept:
        np.testing.assert_array_equal(params[k], kept[k])


def doubled_in_place(ws):
    for w in ws:
        w *= 2
    return sum(np.sum(w ** 2) for w in ws)


def test_a_write_into_a_lists_arrays_names_the_list():
    """The refusal named `stop` (the generated loop's length, taken for memory the list's
    arrays may share): it names `ws`, the user's list. (Since 2026-12-05 the items are
    checked when the gradient runs, to be numbers, which ``w *= 2`` rebinds: a list of
    arrays raises InPlaceError there.)"""
    with pytest.raises(s2sgrad.errors.InPlaceError) as caught:
        s2sgrad.grad(doubled_in_place)([np.ones(2), np.ones(2)])
    assert '`ws`' in str(caught.value) and '`stop`' not in str(caught.value)


def test_a_list_of_numbers_doubled_in_place_is_rebound():
    ws = [0.5, 1.5]
    assert s2sgrad.grad(doubled_in_place)(ws) == pytest.approx([1.0, 3.0])
    assert ws == [0.5, 1.5]


# -- a method of a global object of yours -------------------------------------------------

class Scorer:
    def __init__(self, W):
        self.W = W

    def loss(self, x):
        return np.sum(np.tanh(self.W @ x))

    def scaled(self, x, c=2.0):
        return c * self.loss(x)


SCORER = Scorer(np.array([[1.0, 0.5], [0.0, 2.0]]))


def total_through_a_global_object(x):
    return SCORER.loss(x) + SCORER.scaled(x * x, c=0.5) + np.sum(x)


def loss_of_a_global_object(x):
    return SCORER.loss(np.sin(x)) * 2.0


def test_a_method_of_a_global_object_is_differentiated():
    """``SCORER.loss(x)`` of a module-level object of yours was refused (no derivative
    rule for `SCORER.loss`): it is ``Scorer.loss(SCORER, x)``, with the object the name holds
    when grad runs; grad called again after the name is rebound builds a new gradient."""
    global SCORER
    x = np.array([0.5, -1.0])
    kept = SCORER
    try:
        check_grads(total_through_a_global_object, (x,), modes=('rev', 'fwd'))
        check_grads(loss_of_a_global_object, (x,), order=2)
        try:  # (`scaled` calls `self.loss`: the second derivative may refuse that)
            check_grads(total_through_a_global_object, (x,), order=2)
        except s2sgrad.errors.NoRuleError as error:
            assert '.loss()' in str(error)
        SCORER = Scorer(np.array([[2.0, 0.0], [1.0, 1.0]]))
        check_grads(total_through_a_global_object, (x,), modes=('rev', 'fwd'))
        SCORER.W = SCORER.W * 3.0  # (its attributes are read when the gradient runs)
        got = s2sgrad.grad(total_through_a_global_object)(x)
        np.testing.assert_allclose(
            got, numerical_grad(total_through_a_global_object, (x,), 0), rtol=1e-6)
    finally:
        SCORER = kept
