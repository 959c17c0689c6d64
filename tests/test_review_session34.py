"""Findings of the reviews of 2026-12-05 (sixth session): an array a global holds, reached
through an item, an attribute, a view or a call and written in place by an augmented
assignment; ``getattr``/``setattr`` with a constant name. Each program is checked against
central differences on fresh state, or must be refused with an s2sgrad error."""
import copy
import dataclasses
import os
import sys
import types
from collections import namedtuple

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2sgrad  # noqa: E402
from review_checks import hessian_v  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import S2SError, UnsupportedSyntaxError  # noqa: E402

X = np.array([0.3, -0.7, 1.1])
V = np.array([0.2, -0.1, 0.4])
CFG = {}
G = np.zeros(3)
ARRAYS = []
NS = types.SimpleNamespace(w=None)


class Model:
    w = None


def _reset():
    CFG.clear()
    CFG.update(w=np.array([1.0, -1.0, 0.5]), sub={'w': np.array([1.0, -1.0, 0.5])},
               lr=0.5, h=[1.0, 2.0])
    G[:] = [1.0, -1.0, 0.5]
    ARRAYS[:] = [np.array([1.0, -1.0, 0.5])]
    Model.w = np.array([1.0, -1.0, 0.5])
    NS.w = np.array([1.0, -1.0, 0.5])


def doubles_a_dict_item(x):
    w = CFG['w']
    w *= 2.0
    return np.sum(CFG['w'] * np.sin(x) ** 2)


def doubles_what_get_gives(x):
    w = CFG.get('w')
    w *= 2.0
    return np.sum(CFG['w'] * np.sin(x) ** 2)


def doubles_a_nested_item(x):
    w = CFG['sub']['w']
    w *= 2.0
    return np.sum(CFG['sub']['w'] * np.sin(x) ** 2)


def doubles_a_class_attribute(x):
    w = Model.w
    w *= 2.0
    return np.sum(Model.w * np.sin(x) ** 2)


def doubles_a_namespace_attribute(x):
    w = NS.w
    w *= 2.0
    return np.sum(NS.w * np.sin(x) ** 2)


def doubles_asarray_of_a_global(x):
    w = np.asarray(G)
    w *= 2.0
    return np.sum(G * np.sin(x) ** 2)


def doubles_a_transpose(x):
    w = G.T
    w *= 2.0
    return np.sum(G * np.sin(x) ** 2)


def doubles_either_branch(x):
    w = G if x[0] > 0 else G
    w *= 2.0
    return np.sum(G * np.sin(x) ** 2)


def doubles_the_first_of_a_list(x):
    w = next(iter(ARRAYS))
    w *= 2.0
    return np.sum(ARRAYS[0] * np.sin(x) ** 2)


def subtracts_the_argument(x):
    w = CFG['w']
    w -= 0.5 * x
    return np.sum(CFG['w'] * x)


def extends_a_list_item(x):
    h = CFG['h']
    h += [3.0]
    return np.sum(x ** 2) * len(CFG['h'])


def halves_a_number_item(x):
    lr = CFG['lr']
    lr *= 0.5
    return np.sum(lr * x ** 2) + CFG['lr'] * np.sum(x)


WRITES = [doubles_a_dict_item, doubles_what_get_gives, doubles_a_nested_item,
          doubles_a_class_attribute, doubles_a_namespace_attribute, doubles_asarray_of_a_global,
          doubles_a_transpose, doubles_either_branch, doubles_the_first_of_a_list,
          subtracts_the_argument, extends_a_list_item, halves_a_number_item]


def _fresh(f):
    def run(x):
        _reset()
        return f(x)
    return run


@pytest.mark.parametrize('f', WRITES, ids=lambda f: f.__name__)
@pytest.mark.parametrize('operator', ['grad', 'joint', 'hvp'])
def test_a_write_into_a_globals_array_through_an_alias_is_right_or_refused(f, operator):
    want = numerical_grad(_fresh(f), (X,), 0)
    _reset()
    try:
        if operator == 'grad':
            got = s2sgrad.grad(f)(X.copy())
        elif operator == 'joint':
            got = s2sgrad.grad(f, motion='joint')(X.copy())
        else:
            got = s2sgrad.hvp(f)(X.copy(), V)
            want = hessian_v(_fresh(f), X, V)
    except S2SError:
        return
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_a_number_read_from_a_global_dict_is_still_differentiated():
    _reset()
    want = numerical_grad(_fresh(halves_a_number_item), (X,), 0)
    _reset()
    np.testing.assert_allclose(s2sgrad.grad(halves_a_number_item)(X), want, rtol=1e-6)


QUEUE = []
RNG = np.random.default_rng(0)


def pops_by_getattr(x):
    c = getattr(QUEUE, 'pop')(0)
    return c * x ** 2


def draws_by_getattr():
    return getattr(RNG, 'normal')()


def scaled_by_a_draw(x):
    return draws_by_getattr() * np.tanh(x)


def written_then_scaled(x):
    y = x.copy()
    y[0] = 2.0 * x[1]
    return np.sum(scaled_by_a_draw(y) ** 2)


@pytest.mark.parametrize('operator', ['jacobian', 'hessian'])
def test_a_pop_through_getattr_is_seen_by_the_reruns(operator):
    QUEUE[:] = [1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        if operator == 'jacobian':
            s2sgrad.jacobian(pops_by_getattr)(X)
        else:
            s2sgrad.hessian(lambda x: np.sum(pops_by_getattr(x)))(X)


def test_a_draw_through_getattr_is_not_drawn_again():
    with pytest.raises(UnsupportedSyntaxError, match='draws random numbers'):
        s2sgrad.grad(written_then_scaled)(X)


class Settings:
    def __init__(self):
        self.scale = 2.0


def scaled_by_getattr(x, settings):
    return getattr(settings, 'scale') * np.sum(getattr(np, 'sin')(x))


def test_getattr_with_a_constant_name_is_the_attribute():
    settings = Settings()
    want = numerical_grad(lambda z: scaled_by_getattr(z, settings), (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(scaled_by_getattr)(X, settings), want, rtol=1e-6)
    assert 'settings.scale' in s2sgrad.grad(scaled_by_getattr).source


# --- state changed by a function of yours, read by its caller; objects that advance ---------

LAYERS = []
SCHEDULES = types.SimpleNamespace(current=None)


class Schedule:
    def __init__(self):
        self.t = 0
        self.steps = [1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]

    def rate(self):
        self.t += 1
        return 1.0 / self.t

    def loss(self, x):
        steps = self.steps
        return np.sum(steps.pop(0) * x ** 2)


def _reset_layers():
    LAYERS[:] = [np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5, 0.5])]
    SCHEDULES.current = Schedule()


def _decay():
    for W in LAYERS:
        W *= 0.5
    return 0.0


def decays_then_reads(x):
    _decay()
    return np.sum(LAYERS[0] * x ** 2)


def advances_what_a_namespace_holds(x):
    s = SCHEDULES.current
    return np.sum(s.rate() * x ** 2)


@pytest.mark.parametrize('f', [decays_then_reads, advances_what_a_namespace_holds],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize('operator', ['jacobian', 'hessian'])
def test_reruns_see_state_a_helper_or_an_alias_changes(f, operator):
    _reset_layers()
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        if operator == 'jacobian':
            s2sgrad.jacobian(lambda x: f(x) * x)(X)
        else:
            s2sgrad.hessian(f)(X)


def advanced_argument(x, schedule):
    return schedule.rate() * np.sum(x ** 3)


def test_jacobian_and_hessian_run_each_column_from_the_objects_given_state():
    """An object argument, or a bound method's object, that a run advances: each column is
    taken at the state given, and the object is left as one call leaves it."""
    schedule = Schedule()
    np.testing.assert_allclose(s2sgrad.hessian(advanced_argument)(X, schedule),
                               np.diag(6.0 * X), rtol=1e-10)
    assert schedule.t == 1
    schedule = Schedule()
    np.testing.assert_allclose(
        s2sgrad.jacobian(lambda x, s: advanced_argument(x, s) * x)(X, schedule),
        _column_jacobian(X), rtol=1e-10)
    assert schedule.t == 1
    schedule = Schedule()
    np.testing.assert_allclose(s2sgrad.hessian(schedule.loss)(X), np.diag([3.0] * 3),
                               rtol=1e-10)
    assert schedule.steps[0] == 2.0
    schedule = Schedule()
    np.testing.assert_allclose(s2sgrad.jacobian(schedule.loss)(X), 3.0 * X, rtol=1e-10)


def _column_jacobian(x):
    """d/dx of sum(x**3) * x at rate 1: x_i * 3 x_j**2 + sum(x**3) [i == j]."""
    return np.outer(x, 3.0 * x ** 2) + np.sum(x ** 3) * np.eye(3)


def _closures():
    count = [0]

    def tick():
        count[0] += 1
        return count[0]

    def layer(x):
        return tick() * np.tanh(x)

    def loss(x):
        y = x.copy()
        y[0] = 2.0 * x[1]
        return np.sum(layer(y) ** 2)
    return loss


def test_a_closure_that_counts_in_a_cell_is_not_rerun():
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.grad(_closures())(X)


# --- forward mode where a masked-out entry's tangent is nan; constants; integer casts -------

def log_without_nans(x):
    return np.sum(np.nan_to_num(np.log(x)))


def log_selected(x):
    return np.sum(np.select([x > 0], [np.log(x)], default=0.0))


def log_floored_by_fmax(x):
    return np.sum(np.fmax(np.log(x), -10.0))


def log_floored_by_maximum(x):
    return np.sum(np.maximum(np.log(x), -30.0))


def log_clipped(x):
    return np.sum(np.clip(np.log(x), -30.0, None))


@pytest.mark.parametrize('f', [log_without_nans, log_selected, log_floored_by_fmax,
                               log_floored_by_maximum, log_clipped], ids=lambda f: f.__name__)
def test_a_tangent_is_zero_where_another_value_is_picked(f):
    """At p == 0 the tangent of log(p) is nan (0 * inf); the function picks another value
    there, so the tangent along a direction that leaves p == 0 alone is the others' only."""
    with np.errstate(divide='ignore', invalid='ignore'):
        got = s2sgrad.jvp(f)(np.array([0.0, 2.0, 3.0]), np.array([0.0, 1.0, 1.0]))
    assert got == pytest.approx(1 / 2.0 + 1 / 3.0, rel=1e-12)


def root_of_the_imaginary_part(x):
    return np.sum(np.abs(np.imag(x)) ** 0.5 + x)


def test_the_imaginary_part_of_real_values_is_a_constant():
    x = np.array([0.5, 1.5, 2.0])
    with np.errstate(divide='ignore', invalid='ignore'):
        np.testing.assert_array_equal(s2sgrad.grad(root_of_the_imaginary_part)(x),
                                      [1.0, 1.0, 1.0])


def picked_by_integer_rows(W):
    new_W = W[:, :-1]
    new_inds = np.int64(W[:, -1])
    return new_W[new_inds].sum()


def test_an_integer_cast_by_the_scalar_type_has_no_derivative():
    W = np.random.default_rng(0).normal(size=(4, 5))
    W[:, -1] = [0.3, 2.4, 1.2, 2.1]  # (rows 0, 2, 1, 2; away from the jumps)
    want = numerical_grad(picked_by_integer_rows, (W,), 0)
    np.testing.assert_allclose(s2sgrad.grad(picked_by_integer_rows)(W), want, atol=1e-8)


# --- false refusals of user programs: a helper's own copy, a deep copy, record fields -------

def softmax_like_helper(x):
    n = x.shape[0]
    d = x.copy()
    d[0] -= 1
    d /= n
    return np.sum(x ** 2), d


def calls_the_helper(w):
    loss, d = softmax_like_helper(w * 2.0)
    return loss + np.sum(d)


def _step_state(state, k):
    state['x'] = state['x'] * k
    return np.sum(state['x'] ** 2)


def steps_a_deep_copy(k, s):
    return _step_state(copy.deepcopy(s), k)


def test_a_helper_writing_its_own_copy_divided_by_a_size():
    w = np.array([0.1, 0.2, 0.3])
    want = numerical_grad(calls_the_helper, (w,), 0)
    np.testing.assert_allclose(s2sgrad.grad(calls_the_helper)(w), want, rtol=1e-6)


def test_a_helper_writing_into_a_deep_copy():
    s = {'x': np.array([1.0, 2.0])}
    want = numerical_grad(lambda k: steps_a_deep_copy(k, s), (2.0,), 0)
    assert s2sgrad.grad(steps_a_deep_copy)(2.0, s) == pytest.approx(want, rel=1e-6)
    np.testing.assert_array_equal(s['x'], [1.0, 2.0])


Gauss = namedtuple('Gauss', ['mean', 'var'])
Frame = namedtuple('Frame', ['T', 'w'])


def kalman(q, y):
    s = Gauss(0.0, 1.0)
    for obs in y:
        var = s.var + q
        s = Gauss(s.mean + var * obs, var * 0.5)
    return s.mean + s.var


def transposed_frame(w):
    f = Frame(w * 2.0, w)
    return np.sum(f.T * f.w)


def test_a_namedtuple_with_fields_named_like_array_methods():
    y = np.array([0.4, -0.3, 0.8])
    want = numerical_grad(kalman, (0.7, y), 0)
    assert s2sgrad.grad(kalman)(0.7, y) == pytest.approx(want, rel=1e-6)
    assert s2sgrad.jvp(kalman)(0.7, y, 1.0) == pytest.approx(want, rel=1e-6)


def test_a_namedtuple_with_a_field_named_like_an_array_value_is_refused_by_name():
    with pytest.raises(UnsupportedSyntaxError, match='`T` are named like attributes'):
        s2sgrad.grad(transposed_frame)(np.array([1.0, 2.0]))


# --- second derivatives of copy-and-write loops with respect to a coefficient ---------------

def heat_steps(u0, alpha):
    u = u0.copy()
    for _ in range(3):
        un = u.copy()
        un[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
        u = un
    return np.sum(u ** 2)


def infections(y0, beta):
    state = [y0[0], y0[1], y0[2]]
    for _ in range(5):
        new = state[:]
        infected = beta * state[0] * state[1]
        new[0] = state[0] - infected
        new[1] = state[1] + infected
        state = new
    return state[1] ** 2


@pytest.mark.parametrize('f, y', [(heat_steps, np.sin(np.linspace(0.0, np.pi, 6))),
                                  (infections, np.array([0.9, 0.1, 0.0]))],
                         ids=['heat_steps', 'infections'])
def test_the_second_derivative_in_a_coefficient_of_a_copy_and_write_loop(f, y):
    """The gradient reads the array written into only for its dtype (``s2s.stored``): it
    restores nothing there, which its own derivative would refuse."""
    def gradient(a):
        return numerical_grad(lambda b: f(y, b), (a,), 0, eps=1e-4)
    want = (gradient(0.2 + 1e-4) - gradient(0.2 - 1e-4)) / 2e-4
    assert s2sgrad.hessian(f, wrt=1)(y, 0.2) == pytest.approx(want, rel=1e-5)
    assert s2sgrad.grad(s2sgrad.grad(f, wrt=1), wrt=1)(y, 0.2) == pytest.approx(want, rel=1e-5)


# --- compile='numba': numba's own exceptions are CompileErrors --------------------------------

TALLY = [1.0]


def _tally():
    global TALLY
    TALLY += [2.0]
    return TALLY[-1] * len(TALLY)


def scaled_by_a_tally(x):
    return np.sum(_tally() * x ** 2)


def test_what_numba_rejects_in_its_front_end_is_a_compile_error():
    pytest.importorskip('numba', reason='the compiled path needs numba')
    from s2sgrad.errors import CompileError
    x = np.array([0.3, -0.7])
    with pytest.raises(CompileError):
        s2sgrad.grad(scaled_by_a_tally, compile='numba')(x)
    with pytest.warns(Warning, match='numba cannot compile'):
        got = s2sgrad.grad(scaled_by_a_tally, compile='numba', fallback=True)(x)
    np.testing.assert_allclose(got, 2.0 * 2.0 * len(TALLY) * x)


def writes_its_argument_flat(x):
    x.flat[0] = x[1] * 5.0
    return x ** 2


def test_jacobian_of_a_function_writing_its_argument_through_flat():
    x = np.array([0.3, -0.7, 1.1])
    want = np.diag(2.0 * x)
    want[0] = [0.0, 50.0 * x[1], 0.0]
    np.testing.assert_allclose(s2sgrad.jacobian(writes_its_argument_flat)(x), want)
    np.testing.assert_array_equal(x, [0.3, -0.7, 1.1])


# --- the review of this session's changes: values copied from state, objects restored -------

class Optimizer:
    def __init__(self):
        self.lr = 2.0
        self.w = np.array([1.0, 2.0, 3.0])

    def decay(self):
        self.lr = self.lr * 0.5
        self.w = self.w * 0.5


OPT = Optimizer()


def rate_then_decay(x):
    lr = OPT.lr
    OPT.decay()
    return lr * np.sum(x ** 2)


def weights_then_decay(x):
    w = OPT.w
    OPT.decay()
    return np.sum(w * x ** 2)


@pytest.mark.parametrize('f', [rate_then_decay, weights_then_decay], ids=lambda f: f.__name__)
def test_a_value_read_from_an_object_before_a_method_changes_it(f):
    OPT.__init__()
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.hessian(f)(X)
    OPT.__init__()
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.jacobian(lambda x: f(x) * x)(X)


SETTINGS = {'lr': 0.5, 'w': np.array([1.0, 2.0, 3.0])}
SCHEDULE = [0.5, 0.25]


def halves_a_number_from_a_dict(x):
    lr = SETTINGS.get('lr')
    lr *= 0.5
    return lr * np.sum(x ** 2)


def doubles_a_copy(x):
    w = SETTINGS['w'].copy()
    w *= 2.0
    return np.sum(w * x ** 2)


def pops_from_a_copy(x):
    q = list(SCHEDULE)
    return q.pop(0) * np.sum(x ** 2)


def iterates_over_a_global(x):
    it = iter(SCHEDULE)
    return next(it) * np.sum(x ** 2)


@pytest.mark.parametrize('f', [halves_a_number_from_a_dict, doubles_a_copy, pops_from_a_copy,
                               iterates_over_a_global], ids=lambda f: f.__name__)
def test_values_and_copies_made_from_state_are_not_the_state(f):
    want = numerical_grad(f, (X,), 0)
    np.testing.assert_allclose(s2sgrad.hessian(f)(X) @ np.ones(3),
                               hessian_v(f, X, np.ones(3)), rtol=1e-4)
    np.testing.assert_allclose(s2sgrad.jacobian(lambda x: f(x) * x)(X),
                               np.outer(X, want) + f(X) * np.eye(3), rtol=1e-6)
    assert SETTINGS['lr'] == 0.5 and SCHEDULE == [0.5, 0.25]


class Inner:
    def __init__(self):
        self.t = 1.0


class Outer:
    __slots__ = ('inner', 'log')

    def __init__(self):
        self.inner = Inner()
        self.log = {'rates': []}

    def rate(self):
        self.inner.t = self.inner.t * 2.0
        self.log['rates'].append(self.inner.t)
        return self.inner.t


def scaled_by_a_nested_rate(x, s):
    return s.rate() * x ** 2


def test_jacobian_restores_objects_held_by_objects_and_slots():
    s = Outer()
    np.testing.assert_allclose(s2sgrad.jacobian(scaled_by_a_nested_rate)(X, s),
                               np.diag(4.0 * X))
    assert s.inner.t == 2.0 and s.log == {'rates': [2.0]}


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: float = 1.5

    def f(self, x):
        return self.a * x ** 2


def test_jacobian_of_a_method_of_a_frozen_dataclass():
    np.testing.assert_allclose(s2sgrad.jacobian(Frozen().f)(X), np.diag(3.0 * X))


def doubles_a_fresh_array_on_one_path(x):
    w = SETTINGS['w']
    if x[0] > 0:
        w = w + 1.0
    w *= 2.0
    return np.sum(w * x ** 2)


def test_the_run_time_check_of_a_globals_item_looks_at_what_it_holds():
    """``w *= 2`` on the path where `w` is a new array writes nothing `SETTINGS` holds."""
    x = np.array([0.5, -1.0, 2.0])
    want = numerical_grad(doubles_a_fresh_array_on_one_path, (x,), 0)
    np.testing.assert_allclose(s2sgrad.grad(doubles_a_fresh_array_on_one_path)(x), want,
                               rtol=1e-6)
    from s2sgrad.errors import InPlaceError
    with pytest.raises(InPlaceError, match='changes an array that `SETTINGS` shares'):
        s2sgrad.grad(doubles_a_fresh_array_on_one_path)(-x)
    np.testing.assert_array_equal(SETTINGS['w'], [1.0, 2.0, 3.0])


class Layer:
    def __init__(self):
        self.W = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0]])
        self.last_input = None


LAYER = Layer()


def caches_its_input(x):
    LAYER.last_input = 1.0
    return np.sum((LAYER.W @ x) ** 2)


def scales_its_weights(x):
    LAYER.W = LAYER.W * 2.0
    return np.sum((LAYER.W @ x) ** 2)


def test_writing_one_attribute_of_a_global_and_reading_another():
    LAYER.__init__()
    np.testing.assert_allclose(s2sgrad.hessian(caches_its_input)(X),
                               2.0 * LAYER.W.T @ LAYER.W, rtol=1e-10)
    with pytest.raises(UnsupportedSyntaxError, match='LAYER.W'):
        s2sgrad.hessian(scales_its_weights)(X)


NAMES = {'first': 2.0, 'second': 3.0}
ITEMS_LEFT = iter([])


def first_key_of_a_global_dict(x):
    key = next(iter(NAMES))
    return NAMES[key] * np.sum(x ** 2)


def first_of_a_global_iterator(x):
    return next(iter(ITEMS_LEFT)) * np.sum(x ** 2)


def test_next_of_iter_of_a_global_dict_reads_no_state():
    np.testing.assert_allclose(s2sgrad.hessian(first_key_of_a_global_dict)(X), 4.0 * np.eye(3))


def test_next_of_iter_of_a_global_iterator_advances_it():
    global ITEMS_LEFT
    ITEMS_LEFT = iter([2.0, 3.0, 5.0, 7.0])
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.hessian(first_of_a_global_iterator)(X)


try:
    import scipy.special as special
except ImportError:  # (the test below skips, saying why)
    special = None


def _divergence(x):
    p = x ** 2 / np.sum(x ** 2)
    q = np.array([0.2, 0.3, 0.5])
    return np.sum(special.rel_entr(p, q)) + np.sum(special.kl_div(p, q))


def test_a_divergence_at_a_zero_probability_made_of_others():
    """``p[1] == 0`` where ``x[1] == 0``: its slope, -inf, meets the chain rule's 0."""
    if special is None:
        pytest.skip('rel_entr and kl_div are SciPy\'s: pip install scipy')
    x = np.array([-1.0, 0.0, 2.0])
    want = numerical_grad(_divergence, (x,), 0)
    np.testing.assert_allclose(s2sgrad.grad(_divergence)(x), want, rtol=1e-6, atol=1e-9)
    v = np.array([0.3, 0.5, -0.2])
    assert s2sgrad.jvp(_divergence)(x, v) == pytest.approx(want @ v, rel=1e-6)
