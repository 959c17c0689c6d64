"""A function of yours whose value reads state it changes, reached by every route users write:
through a local name bound to the state (``q = QUEUE``), ``del QUEUE[0]``, an assignment into
a global's item or attribute, ``itertools.islice`` of a global iterator, a helper of yours that
changes the global passed to it. Its derivative runs it again in joint motion (``hvp``,
``motion='joint'``, the caller writing into an array, a helper that changes a global): right,
or refused with the error that names the read. Helpers that only log or read are still
differentiated, and checked against central differences."""
import itertools
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2sgrad  # noqa: E402
from review_checks import written_into  # noqa: E402
from s2sgrad.checks import numerical_grad  # noqa: E402
from s2sgrad.errors import UnsupportedSyntaxError  # noqa: E402

X = np.array([0.5, -1.2, 2.0])
V = np.array([0.3, 0.7, -0.4])
QUEUE, QUEUES, LOG, WEIGHTS, CACHE = [], [], [], np.zeros(2), {}
ITEMS = None


class Schedule:
    t = 1.0


SCHED = Schedule()


def _reset():
    """The state of the module as each run starts: the first value read is 2.0."""
    global ITEMS
    QUEUE[:] = [2.0, 3.0, 5.0]
    QUEUES[:] = [[2.0, 3.0], [4.0, 5.0]]
    LOG.clear()
    WEIGHTS[:] = [2.0, 7.0]
    CACHE.clear()
    CACHE['scale'] = 2.0
    ITEMS = iter([2.0, 3.0, 5.0])
    SCHED.t = 2.0


def pops_through_an_alias(v):
    q = QUEUE
    return v * q.pop(0)


def pops_through_two_aliases(v):
    q = QUEUE
    r = q
    first = r.pop(0)
    return v * first


def pops_each_queue_of_a_loop(v):
    total = 0.0
    for q in QUEUES:
        total = total + q.pop()
    return v * total


def deletes_what_it_read(v):
    first = QUEUE[0]
    del QUEUE[0]
    return v * first


def deletes_by_its_method(v):
    first = QUEUE[0]
    QUEUE.__delitem__(0)
    return v * first


def doubles_a_global_item(v):
    WEIGHTS[0] = WEIGHTS[0] * 2.0
    return v * WEIGHTS[0]


def doubles_a_dict_entry_through_an_alias(v):
    cache = CACHE
    cache['scale'] = cache['scale'] * 2.0
    return v * cache['scale']


def slices_a_global_iterator(v):
    first, = itertools.islice(ITEMS, 1)
    return v * first


def _take(items):
    return items.pop(0)


def takes_from_the_global_it_passes(v):
    return v * _take(QUEUE)


def _advance(schedule):
    schedule.t = schedule.t * 2.0


def advances_the_global_it_passes(v):
    _advance(SCHED)
    return v * SCHED.t


def advances_through_an_alias(v):
    s = SCHED
    s.t = s.t * 2.0
    return v * s.t


CHANGING = [pops_through_an_alias, pops_through_two_aliases, pops_each_queue_of_a_loop,
            deletes_what_it_read, deletes_by_its_method, doubles_a_global_item,
            doubles_a_dict_entry_through_an_alias,
            slices_a_global_iterator, takes_from_the_global_it_passes,
            advances_the_global_it_passes, advances_through_an_alias]


def _squared(helper):
    def f(x):
        return np.sum(helper(x) ** 2)
    return f


def _refused_for_state(error):
    """The error names the read of changed state, in this file."""
    assert 'reads state it changes' in str(error) or 'which the function also reads' in \
        str(error), error
    assert os.path.dirname(__file__) in str(error)  # (a file of the tests, not generated code)


def _expected_gradient(helper):
    """Central differences of the squared helper, the state reset before each evaluation."""
    def fresh(x):
        _reset()
        return _squared(helper)(x)
    return numerical_grad(fresh, (X,), 0)


@pytest.mark.parametrize('helper', CHANGING, ids=lambda h: h.__name__)
@pytest.mark.parametrize('operator', ['hvp', 'joint', 'written_into', 'grad_of_grad'])
def test_a_rerun_that_would_read_changed_state_is_refused_or_right(helper, operator):
    _reset()
    try:
        if operator == 'hvp':
            got = s2sgrad.hvp(_squared(helper))(X, V)
            x2 = _expected_gradient(helper)  # (f = c * |x|^2: H v = 2 c v)
            want = x2 / X * V
        elif operator == 'joint':
            got = s2sgrad.grad(_squared(helper), motion='joint')(X)
            want = _expected_gradient(helper)
        elif operator == 'written_into':
            got = s2sgrad.grad(written_into(helper))(X)
            want = _expected_gradient(helper)
        else:
            got = s2sgrad.vjp(s2sgrad.grad(_squared(helper)))(X, V)
            want = _expected_gradient(helper) / X * V
    except UnsupportedSyntaxError as error:
        _refused_for_state(error)
        return
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize('helper', CHANGING, ids=lambda h: h.__name__)
def test_the_gradient_reads_the_state_once_or_refuses(helper):
    """Plain `grad` runs the helper's change once, as one call of the function does."""
    _reset()
    try:
        got = s2sgrad.grad(_squared(helper))(X)
    except UnsupportedSyntaxError as error:
        _refused_for_state(error)
        return
    after_gradient = (list(QUEUE), [list(q) for q in QUEUES], WEIGHTS.copy(), dict(CACHE),
                      SCHED.t)
    np.testing.assert_allclose(got, _expected_gradient(helper), rtol=1e-5)
    _reset()
    _squared(helper)(X)
    after_call = (list(QUEUE), [list(q) for q in QUEUES], WEIGHTS.copy(), dict(CACHE), SCHED.t)
    assert repr(after_gradient) == repr(after_call)


def logs_through_an_alias(v):
    log = LOG
    log.append(float(np.sum(v)))
    return v * 2.0


def reads_through_an_alias(v):
    q = QUEUE
    return v * q[0]


def reads_a_global_item_it_does_not_change(v):
    return v * WEIGHTS[1]


def _count(cache):
    cache['calls'] = cache.get('calls', 0) + 1


def counts_in_the_global_it_passes(v):
    _count(CACHE)
    return v * 2.0


def uses_its_own_iterator(v):
    first, = itertools.islice(iter([2.0, 3.0]), 1)
    return v * first


@pytest.mark.parametrize('helper', [logs_through_an_alias, reads_through_an_alias,
                                    reads_a_global_item_it_does_not_change,
                                    counts_in_the_global_it_passes, uses_its_own_iterator],
                         ids=lambda h: h.__name__)
def test_a_rerun_helper_that_logs_or_only_reads_is_differentiated(helper):
    for f in (_squared(helper), written_into(helper)):
        _reset()
        want = numerical_grad(f, (X,), 0)
        np.testing.assert_allclose(s2sgrad.grad(f)(X), want, rtol=1e-5)
        np.testing.assert_allclose(s2sgrad.grad(f, motion='joint')(X), want, rtol=1e-5)
        np.testing.assert_allclose(s2sgrad.hvp(f)(X, V), want / X * V, rtol=1e-5)
