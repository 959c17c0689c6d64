"""Objects given to a function of yours whose derivative runs it again (joint motion, hvp,
hessian, ``motion='joint'``): a method of theirs that changes what the function reads is
refused at run time, and pure members give derivatives equal to differences."""
import collections
import heapq
import logging
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from review_checks import hessian_v  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import UnsupportedSyntaxError  # noqa: E402

X = np.array([1.0, 2.0])
V = np.array([1.0, 0.5])


class Counter:
    def __init__(self):
        self.k = 0

    def next(self):
        self.k += 1
        return 0.1 * self.k


class Schedule:
    def __init__(self):
        self.t = 0.1
        self.history = []

    def step(self):
        self.t = self.t * 2

    def log(self, value):
        self.history.append(value)

    def rate(self):
        return self.t

    @property
    def advancing(self):
        self.t = self.t + 1.0
        return self.t

    @property
    def doubled(self):
        return 2.0 * self.t


class Lazy:
    def __init__(self):
        self._scale = None

    @property
    def scale(self):
        if self._scale is None:
            self._scale = 0.3
        return self._scale


class Stepper:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return 0.1 * self.n


def scaled_by_next(c, x):
    return x * c.next()


def cubes_through_helper(x, c):
    return np.sum(scaled_by_next(c, x) ** 3)


def passed_on(c, x):
    return scaled_by_next(c, x) * 1.0


def cubes_two_helpers_deep(x, c):
    return np.sum(passed_on(c, x) ** 3)


def cubes_of_a_local_counter(x):
    c = Counter()
    return np.sum(scaled_by_next(c, x) ** 3)


def cubes_of_an_item(x, counters):
    return np.sum(scaled_by_next(counters[0], x) ** 3)


def scaled_by_t(s, x):
    return x * s.t


def stepped_after(x, s):
    y = scaled_by_t(s, x)
    s.step()
    return np.sum(y ** 3)


def assigned_after(x, s):
    y = scaled_by_t(s, x)
    s.t = 0.5
    return np.sum(y ** 3)


def assigned_after_in_a_loop(x, s):
    total = 0.0
    for _ in range(2):
        total = total + np.sum(scaled_by_t(s, x) ** 3)
        s.t = s.t + 0.1
    return total


def by_advancing_property(s, x):
    return x * s.advancing


def cubes_by_property(x, s):
    return np.sum(by_advancing_property(s, x) ** 3)


def by_called_object(step, x):
    return x * step()


def cubes_by_called_object(x, step):
    return np.sum(by_called_object(step, x) ** 3)


REFUSED = [
    (cubes_through_helper, Counter, 'next'),
    (cubes_two_helpers_deep, Counter, 'next'),
    (cubes_of_an_item, lambda: [Counter()], 'next'),
    (stepped_after, Schedule, 'step'),
    (cubes_by_property, Schedule, 'advancing'),
    (cubes_by_called_object, Stepper, '__call__'),
]


@pytest.mark.parametrize('func, make, member', REFUSED,
                         ids=[case[0].__name__ for case in REFUSED])
def test_a_member_changing_what_the_rerun_reads_is_refused(func, make, member):
    """Before, hvp, hessian and joint motion ran the helper a second time on the changed
    object: ``hvp`` of ``np.sum((x * c.next()) ** 3)`` through a helper gave 0.012 for 0.006."""
    with pytest.raises(UnsupportedSyntaxError, match=f'`.{member}'):
        s2sgrad.hvp(func)(X, make(), V)
    with pytest.raises(UnsupportedSyntaxError, match=f'`.{member}'):
        s2sgrad.hessian(func)(X, make())
    with pytest.raises(UnsupportedSyntaxError, match=f'`.{member}') as error:
        s2sgrad.grad(func, motion='joint')(X, make())
    assert 'test_rerun_objects.py' in str(error.value)  # (the caller's line)


def test_the_split_gradient_reads_the_object_once():
    """The first derivative (split motion) runs the helper once: no check, the right value."""
    c = Counter()
    np.testing.assert_allclose(s2sgrad.grad(cubes_through_helper)(X, c), 3 * 0.1 ** 3 * X ** 2)
    assert c.k == 1


def test_a_local_object():
    with pytest.raises(UnsupportedSyntaxError, match='`.next'):
        s2sgrad.hvp(cubes_of_a_local_counter)(X, V)


@pytest.mark.parametrize('func', [assigned_after, assigned_after_in_a_loop])
def test_an_attribute_assigned_after_the_call_is_refused(func):
    with pytest.raises(UnsupportedSyntaxError, match='attribute of `s`'):
        s2sgrad.hvp(func)(X, Schedule(), V)


def uses_pure_members(s, x, lazy):
    s.log(0.0)  # (a log nothing reads)
    return np.tanh(x * s.rate()) * s.doubled * lazy.scale


def pure_members(x, s, lazy):
    y = uses_pure_members(s, x, lazy)
    s.log(1.0)
    return np.sum(y ** 3)


def test_members_that_change_nothing_read_give_the_derivatives():
    """A method read for its value, a property, a lazy property and logs (before the rerun
    and after the call) change nothing the helper reads: the derivatives follow."""
    s, lazy = Schedule(), Lazy()
    expected = numerical_grad(pure_members, (X, Schedule(), Lazy()), 0)
    np.testing.assert_allclose(s2sgrad.grad(pure_members)(X, s, lazy), expected, rtol=1e-6)
    hv = hessian_v(pure_members, X, V, rest=(Schedule(), Lazy()))
    np.testing.assert_allclose(s2sgrad.hvp(pure_members)(X, s, lazy, V), hv, rtol=1e-4)
    np.testing.assert_allclose(s2sgrad.hessian(pure_members)(X, s, lazy) @ V, hv, rtol=1e-4)
    np.testing.assert_allclose(s2sgrad.grad(pure_members, motion='joint')(X, s, lazy),
                               expected, rtol=1e-6)
    assert s.t == 0.1


def test_the_check_is_printed_at_the_call():
    source = s2sgrad.grad(cubes_through_helper, motion='joint').source
    assert "scaled_by_next(s2s.rerun_checked(c, 'scaled_by_next', ('next()',)), x)" in source
    source = s2sgrad.grad(stepped_after, motion='joint').source
    assert "s2s.rerun_checked(s, 'scaled_by_t', ('t',), ('step()',))" in source


# -- containers and objects reached through a path (review R23) ---------------------------

def pops_left(q, x):
    return q.popleft() * np.sum(x ** 3)


def deletes_first(q, x):
    first = q[0]
    del q[0]
    return first * np.sum(x ** 3)


def grows_a_set(s, x):
    count = len(s)
    s.add(count + 100)
    return count * np.sum(x ** 3)


def rotates(d, x):
    key = next(iter(d))
    d.move_to_end(key)
    return d[key] * np.sum(x ** 3)


def rate_of_first(objs, x):
    return objs[0].next() * np.sum(x ** 3)


class Wrap:
    def __init__(self):
        self.inner = Counter()


def next_of_inner(w, x):
    return w.inner.next() * np.sum(x ** 3)


def calling(helper):
    def loss(x, held):
        return helper(held, x)
    return loss


CONTAINERS = [
    (pops_left, lambda: collections.deque([2.0, 3.0, 4.0]), 'popleft'),
    # (``del q[0]`` writes into the argument: refused under any motion, `effects`)
    (deletes_first, lambda: [2.0, 3.0, 4.0], 'writes into its argument `q`'),
    (grows_a_set, lambda: {1.0}, 'add'),
    (rotates, lambda: collections.OrderedDict([('a', 2.0), ('b', 3.0)]), 'move_to_end'),
    (rate_of_first, lambda: [Counter()], r'\[...\].next'),
    (next_of_inner, Wrap, 'inner.next'),
]


@pytest.mark.parametrize('helper, make, member', CONTAINERS,
                         ids=[case[0].__name__ for case in CONTAINERS])
def test_a_container_or_a_reached_object_changed_by_the_rerun_function(helper, make, member):
    """R23 A3, A5, A6, A7: a helper consuming a deque, deleting an item, growing a set whose
    size it read, rotating an OrderedDict, or advancing an object reached through an item or
    an attribute gave the derivative of the next state under joint motion and hvp."""
    loss = calling(helper)
    with pytest.raises(UnsupportedSyntaxError, match=member):
        s2sgrad.grad(loss, motion='joint')(X, make())
    with pytest.raises(UnsupportedSyntaxError, match=member):
        s2sgrad.hvp(loss)(X, make(), V)


class Temperature:
    def __init__(self):
        self.temp = 2.0

    def f(self, x):
        return self.temp * x ** 3

    def loss(self, x):
        y = self.f(x)
        self.temp = 5.0  # (annealed after use)
        return np.sum(y)


class Switch:
    def __init__(self):
        self.training = True

    def __call__(self, h):
        return 2.0 * h if self.training else h


class Net:
    def __init__(self):
        self.drop = Switch()

    def loss(self, x):
        y = self.drop(x ** 3)
        self.drop.training = False
        return np.sum(y)


@pytest.mark.parametrize('make, where', [(Temperature, '`self`'), (Net, '`self.drop`')])
def test_an_attribute_of_a_bound_object_assigned_after_the_call(make, where):
    """R23 A8: ``y = self.f(x); self.temp = 5.0`` (``self.drop.training = False`` after
    ``self.drop(x)``): the rerun of the call read the new value."""
    np.testing.assert_allclose(s2sgrad.grad(make().loss)(X), 6.0 * X ** 2)
    with pytest.raises(UnsupportedSyntaxError, match=where):
        s2sgrad.hvp(make().loss)(X, V)
    with pytest.raises(UnsupportedSyntaxError, match=where):
        s2sgrad.grad(make().loss, motion='joint')(X)


# -- what changes nothing a second run reads passes (review J36) --------------------------

LOG = logging.getLogger('s2sgrad.tests.rerun_objects')


class Weight:
    def __init__(self):
        self.w = 1.5

    def weight(self):
        return self.w


class Pure:
    def __init__(self):
        self.k = 1.5
        self.layer = Weight()
        self.memo = {}
        self._scale = None
        self.n_calls = 0

    def coef(self):
        if 'c' not in self.memo:  # (a memo)
            self.memo['c'] = self.k * self.layer.weight() / 1.5
        LOG.debug('coef %s', self.k)  # (a log through `logging`)
        return self.memo['c'] * self.scale()

    def scale(self):
        if self._scale is None:  # (a lazy start, in a method)
            self._scale = 2.0
        return self._scale


def scaled_cubes(m, x):
    return np.sum(m.coef() * x ** 3)


def counted_after(x, m):
    y = scaled_cubes(m, x)
    m.n_calls += 1  # (a counter the helper does not read)
    return y


def test_pure_members_and_a_counter_after_the_call_pass():
    np.testing.assert_allclose(s2sgrad.hvp(counted_after)(X, Pure(), V), 2 * 1.5 * 6 * X * V)
    np.testing.assert_allclose(s2sgrad.grad(counted_after, motion='joint')(X, Pure()),
                               2 * 1.5 * 3 * X ** 2)


class Popping:
    def __init__(self):
        self.q = collections.deque([2.0, 3.0, 4.0])

    def rate(self):
        return self.q.popleft()  # (what it takes out, it reads)


def counter_function():
    count = 0

    def rate():
        nonlocal count
        count += 1
        return float(count)
    return rate


class Holds:
    def __init__(self, rate):
        self.rate = rate


def by_rate(s, x):
    return np.sum(s.rate() * x ** 2)


def rate_times_squares(x, s):
    return by_rate(s, x)


def test_a_popping_method_and_an_advancing_function_held():
    """J36 A3: popping from an attribute was taken for a log; J36 A1: a verdict on a class
    was kept for another instance holding another function."""
    with pytest.raises(UnsupportedSyntaxError, match='rate'):
        s2sgrad.grad(rate_times_squares, motion='joint')(X, Popping())
    np.testing.assert_allclose(
        s2sgrad.grad(rate_times_squares, motion='joint')(X, Holds(lambda: 2.0)), 4.0 * X)
    with pytest.raises(UnsupportedSyntaxError, match='rate'):
        s2sgrad.grad(rate_times_squares, motion='joint')(X, Holds(counter_function()))


# -- advancing through a local, a tuple, a library function, a setter (review J2) ----------

class ThroughLocal:
    def __init__(self):
        self.i = 0
        self.rates = [1.0, 2.0, 3.0]

    def rate(self):
        i = self.i
        self.i = i + 1
        return self.rates[i]


class ThroughTuple:
    def __init__(self):
        self.k = 1.0

    def rate(self):
        out, self.k = self.k, self.k + 1.0
        return out


class ThroughHeap:
    def __init__(self):
        self.h = [1.0, 2.0, 3.0]

    def rate(self):
        return heapq.heappop(self.h)


class ThroughOut:
    def __init__(self):
        self.w = np.array([0.5])

    def rate(self):
        np.multiply(self.w, 2.0, out=self.w)
        return float(self.w[0])


class Caching:
    def __init__(self):
        self.lr = 1.0
        self.out = None

    def rate(self):
        self.out = 2.0 * self.lr  # (a value stored, computed from other things)
        return self.out

    def set_lr(self, value):
        self.lr = value


def rated(s, x):
    return x * s.rate()


def cubes_rated(x, s):
    return np.sum(rated(s, x) ** 3)


def cubes_then_set(x, s):
    y = rated(s, x)
    s.set_lr(5.0)
    return np.sum(y ** 3)


@pytest.mark.parametrize('make', [ThroughLocal, ThroughTuple, ThroughHeap, ThroughOut],
                         ids=lambda make: make.__name__)
def test_advancing_through_a_local_a_tuple_or_a_library_function(make):
    with pytest.raises(UnsupportedSyntaxError, match='rate'):
        s2sgrad.hvp(cubes_rated)(X, make(), V)


def test_a_stored_value_passes_and_a_setter_after_the_call_is_refused():
    np.testing.assert_allclose(s2sgrad.hvp(cubes_rated)(X, Caching(), V), 8.0 * 6 * X * V)
    with pytest.raises(UnsupportedSyntaxError, match='set_lr'):
        s2sgrad.hvp(cubes_then_set)(X, Caching(), V)
