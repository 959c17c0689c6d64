"""Findings of the reviews of 2026-12-05 (fifth session): programs users write with state,
objects and iterators, each checked against central differences, or refused with the error
that names the construct."""
import collections
import itertools
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2sgrad  # noqa: E402
from review_checks import matches, written_into  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import UnsupportedSyntaxError  # noqa: E402

X = np.array([0.5, -1.2, 2.0])
V = np.array([0.3, 0.7, -0.4])


# --- a nested function's value assigned to a variable it reads (`y = step()`) ----------------
# (the gradient was zero: the enclosing `y` the closure reads was passed only when the call was
# lifted, after the passes that see a target read by its own value)

def closure_step_once(x):
    y = x

    def step():
        return y * 2.0
    y = step()
    return np.sum(y)


def closure_euler_steps(x):
    dt = 0.1
    y = x

    def step():
        return y + dt * np.sin(y)
    for _ in range(3):
        y = step()
    return np.sum(y ** 2)


def lambda_step(x):
    y = x
    step = lambda: y * 2.0  # noqa: E731 (as users write it)
    y = step()
    return np.sum(y ** 2)


def closure_accumulates(x):
    s = 0.0

    def acc():
        return s + np.sum(x ** 2)
    s = acc()
    s = acc()
    return s


def closure_rebinds_the_argument(x):
    def step():
        return np.tanh(x) * 3.0
    x = step()
    return np.sum(x * x)


def closures_calling_closures(x):
    y = x

    def inner():
        return np.sin(y)

    def outer():
        return inner() * y
    for _ in range(2):
        y = outer()
    return np.sum(y)


@pytest.mark.parametrize('func', [closure_step_once, closure_euler_steps, lambda_step,
                                  closure_accumulates, closure_rebinds_the_argument,
                                  closures_calling_closures])
def test_a_closure_whose_value_rebinds_what_it_reads(func):
    matches(func, X, V)


# --- a helper whose value reads state it changes, run again by its derivative ----------------
# (joint motion reruns the call: the derivative was of the next item, queue entry, rate)

SCHEDULE = itertools.count(1)
QUEUE = [1.0, 2.0, 3.0] * 100
LINE = collections.deque([1.0, 2.0, 3.0] * 100)
LOG = []


class Schedule:
    def __init__(self):
        self.t = 0

    def rate(self):
        self.t = self.t + 1
        return 1.0 / self.t

    def tick(self):
        self.t += 1


class Config:
    lr = 1.0


SCHED = Schedule()
CONFIG = Config()


def scaled_by_next(v):
    return next(SCHEDULE) * v


def scaled_by_queue(v):
    return QUEUE.pop(0) * v


def scaled_by_line(v):
    return LINE.popleft() * v


def scaled_by_rate(v):
    return SCHED.rate() * v


def scaled_by_setting(v):
    setattr(CONFIG, 'lr', CONFIG.lr * 2)
    return CONFIG.lr * v


def scaled_through_another(v):
    return scaled_by_next(v) + 1.0


@pytest.mark.parametrize('helper', [scaled_by_next, scaled_by_queue, scaled_by_line,
                                    scaled_by_rate, scaled_by_setting, scaled_through_another])
@pytest.mark.parametrize('operator', ['grad', 'hvp', 'joint'])
def test_a_rerun_helper_whose_value_reads_state_it_changes_is_refused(helper, operator):
    f = written_into(helper)
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        if operator == 'grad':
            s2sgrad.grad(f)(X)
        elif operator == 'hvp':
            s2sgrad.hvp(f)(X, V)
        else:
            s2sgrad.grad(lambda x: np.sum(helper(x) ** 2), motion='joint')(X)


def logs_then_doubles(v):
    LOG.append(float(np.sum(v)))
    return v * 2.0


def ticks_then_doubles(v):
    SCHED.tick()
    return v * 2.0


def reads_a_local_iterator(v):
    it = iter([1.5, 2.0])
    first = next(it)
    return v * first


def pops_a_local_list(v):
    queue = [1.5, 2.0]
    return v * queue.pop(0)


@pytest.mark.parametrize('helper', [logs_then_doubles, ticks_then_doubles,
                                    reads_a_local_iterator, pops_a_local_list])
def test_a_rerun_helper_that_only_logs_or_uses_its_own_state_is_differentiated(helper):
    matches(written_into(helper), X, V)


def test_an_unread_popleft_of_a_global_deque_still_runs():
    line = collections.deque([1.0, 2.0, 3.0])

    def f(x):
        unused = line.popleft()  # noqa: F841 (as users write it)
        return np.sum(x) * line[0]
    np.testing.assert_allclose(s2sgrad.grad(f)(X), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(f)(X), [3.0, 3.0, 3.0])


# --- jacobian of a function that changes an object's array through an alias ----------------

class Box:
    def __init__(self):
        self.W = np.array([1.0, 2.0, 3.0])


def scales_the_boxs_array(x, box):
    W = box.W
    W *= 2.0
    return np.sum(x * W) * x


@pytest.mark.parametrize('mode', [None, 'fwd', 'rev'])
def test_jacobian_leaves_an_objects_array_alone(mode):
    box = Box()
    jac = s2sgrad.jacobian(scales_the_boxs_array, mode=mode)(X, box)
    np.testing.assert_array_equal(box.W, [1.0, 2.0, 3.0])
    expected = numerical_grad(lambda x: scales_the_boxs_array(x, Box())[1], (X,), 0)
    np.testing.assert_allclose(jac[1], expected, rtol=1e-6)


# --- zip with an endless iterator, loops over an iterator of the module ----------------------

def zipped_with_repeat(x):
    s = 0.0
    for v, w in zip(x, itertools.repeat(2.0)):
        s = s + v * w
    return s


def zipped_with_cycle_enumerated(x):
    s = 0.0
    for i, v in enumerate(zip(x, itertools.cycle([1.0, -1.0]))):
        s = s + v[0] * v[1] * (i + 1)
    return s


def counted_by_an_endless_count(x):
    s = 0.0
    for i, w in zip(itertools.count(), iter([1.0, 2.0])):
        s = s + x[i] * w
    return s


@pytest.mark.parametrize('func', [zipped_with_repeat, zipped_with_cycle_enumerated,
                                  counted_by_an_endless_count])
def test_zip_reads_an_endless_iterator_only_as_far_as_python(func):
    matches(func, X, V)


def strictly_zipped_with_repeat(x):
    s = 0.0
    for v, w in zip(x, itertools.repeat(2.0), strict=True):
        s = s + v * w
    return s


def test_strict_zip_with_a_longer_iterator_raises_as_python():
    with pytest.raises(ValueError, match='longer'):
        strictly_zipped_with_repeat(X)
    with pytest.raises(ValueError, match='longer'):
        s2sgrad.grad(strictly_zipped_with_repeat)(X)


WEIGHTS = iter([1.0, 2.0, 3.0])


def loops_over_a_module_iterator(x):
    for c in WEIGHTS:
        return c * np.sum(x ** 2)


def test_a_loop_over_an_iterator_of_the_module_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match='`WEIGHTS`, an iterator'):
        s2sgrad.grad(loops_over_a_module_iterator)(X)


# --- jacobian and hessian of methods that change the state they read -------------------------
# (each run per column saw the state the runs before changed: the Jacobian was of other values)

class Scheduled:
    def __init__(self):
        self.lr = 0.5
        self.t = 0

    @property
    def effective(self):
        return self.lr * (self.t + 1)

    def doubled_by_setattr(self, x):
        setattr(self, 'lr', self.lr * 2)
        return self.lr * np.sum(x ** 2)

    def counted_by_object_setattr(self, x):
        object.__setattr__(self, 'z', getattr(self, 'z', 0.0) + 1.0)
        return self.z * np.sum(x ** 2)

    def stepped_then_read_by_a_property(self, x):
        self.t = self.t + 2
        return self.effective * np.sum(x ** 2)

    def counted_only(self, x):
        self.t = self.t + 1
        return self.lr * np.sum(x ** 2)


def _next_of_a_closure_iterator():
    items = iter([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])

    def f(x):
        return next(items) * np.sum(x ** 2)
    return f


@pytest.mark.parametrize('operator', [s2sgrad.jacobian, s2sgrad.hessian])
@pytest.mark.parametrize('make', [lambda: Scheduled().doubled_by_setattr,
                                  lambda: Scheduled().counted_by_object_setattr,
                                  lambda: Scheduled().stepped_then_read_by_a_property,
                                  _next_of_a_closure_iterator],
                         ids=['setattr', 'object_setattr', 'property', 'next'])
def test_jacobian_and_hessian_refuse_runs_that_change_what_they_read(operator, make):
    with pytest.raises(UnsupportedSyntaxError, match='jacobian|hessian'):
        operator(make())(X)


def test_a_counter_nothing_reads_is_no_change_of_the_value():
    model = Scheduled()
    np.testing.assert_allclose(s2sgrad.jacobian(model.counted_only)(X), X, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.hessian(model.counted_only)(X), np.eye(3), rtol=1e-12)


class Logged:
    def __init__(self):
        self.hist = []

    def loss(self, x):
        v = np.sum(np.sin(x) ** 2)
        self.hist.append(float(v))
        return v


def test_hessian_of_a_method_that_logs_numbers():
    np.testing.assert_allclose(s2sgrad.hessian(Logged().loss)(X), np.diag(2 * np.cos(2 * X)),
                               rtol=1e-10, atol=1e-12)


# --- a third derivative through a dict filled in a loop (`s2s.read_item` had no rule) --------

def dict_filled_in_a_loop(s):
    cache = {}
    for i in range(2):
        cache[i] = np.tanh(s * (i + 1))
    return np.sum(cache[0] ** 2) + np.sum(cache[1] ** 2)


def test_third_derivative_of_a_dict_filled_in_a_loop():
    third = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(dict_filled_in_a_loop)))(0.4)
    second = s2sgrad.grad(s2sgrad.grad(dict_filled_in_a_loop))
    expected = (second(0.4 + 1e-4) - second(0.4 - 1e-4)) / 2e-4
    # (the second derivative itself against differences of differences of the function)
    h = 1e-3
    f = dict_filled_in_a_loop
    assert second(0.4) == pytest.approx((f(0.4 + h) - 2 * f(0.4) + f(0.4 - h)) / h ** 2,
                                        rel=1e-4)
    assert third == pytest.approx(expected, rel=1e-5)


# --- errors of a second derivative point at the user's `return`, not at generated code ------

def doubles(x):
    return x * 2


@pytest.mark.parametrize('operator', ['hvp', 'hessian'])
def test_a_second_derivative_of_a_vector_function_names_its_return(operator):
    with pytest.raises(s2sgrad.errors.NonScalarOutputError) as raised:
        if operator == 'hvp':
            s2sgrad.hvp(doubles)(X, V)
        else:
            s2sgrad.hessian(doubles)(X)
    assert __file__ in str(raised.value) and 'return x * 2' in str(raised.value)
    assert '<s2sgrad' not in str(raised.value)


def determinant_of_a_shift(s):
    return np.linalg.det(np.diag([2.0, 3.0, 4.0]) + s * np.eye(3))


def test_a_third_derivative_s2sgrad_lacks_says_so():
    second = s2sgrad.grad(s2sgrad.grad(determinant_of_a_shift))
    assert second(0.3) == pytest.approx(2 * (2.3 + 3.3 + 4.3), rel=1e-9)  # ((2+s)(3+s)(4+s))''
    with pytest.raises(s2sgrad.errors.S2SError, match='no third derivative of np.linalg.det'):
        s2sgrad.grad(second)(0.3)


# --- the review of this session's own changes ------------------------------------------------

class Setting:
    def __init__(self, w):
        self.w = w


DEFAULT_SETTING = Setting(2.0)


def picks_by_identity(x, setting):
    if setting is DEFAULT_SETTING:
        return np.sin(x[:2]) * setting.w
    return np.sin(x) * setting.w


def test_jacobian_passes_the_callers_own_objects():
    jac = s2sgrad.jacobian(picks_by_identity)(X, DEFAULT_SETTING)
    np.testing.assert_allclose(jac, np.diag(2.0 * np.cos(X))[:2], rtol=1e-12)


def closure_reads_out(x):
    out = np.sin(x)

    def g(t):
        return t * out
    return np.sum(g(x) ** 2)


def test_a_closure_reading_a_variable_named_out():
    # (first order: the generated code passes ``out=out`` to the closure's derivative, which
    # a second derivative reads as NumPy's ``out=`` and refuses, as before)
    expected = numerical_grad(closure_reads_out, (X,), 0)
    np.testing.assert_allclose(s2sgrad.grad(closure_reads_out)(X), expected, rtol=1e-6)
    assert s2sgrad.jvp(closure_reads_out)(X, V) == pytest.approx(np.sum(expected * V))


QUEUE_OF_SCALES = collections.deque([2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0])
ITEMS = iter([2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0])


def popleft_of_a_global_deque(x):
    return np.sin(x) * QUEUE_OF_SCALES.popleft()


def _times_the_next_item(t):
    return t * next(ITEMS)


def next_in_a_helper(x):
    return np.sin(_times_the_next_item(x))


@pytest.mark.parametrize('func', [popleft_of_a_global_deque, next_in_a_helper])
def test_jacobian_refuses_runs_that_consume_state(func):
    with pytest.raises(UnsupportedSyntaxError, match='reads state it changes'):
        s2sgrad.jacobian(func)(X)
