"""Objects given to a function of yours whose derivative runs it again (joint motion, hvp,
hessian, ``motion='joint'``): a method of theirs that changes what the function reads is
refused at run time, and pure members give derivatives equal to differences."""
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
