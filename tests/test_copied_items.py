"""``ps = [p.copy() for p in ps]`` first, then ``for p, g in zip(ps, gs): p -= lr * g``: the
README's own advice for a list argument whose arrays a loop updates in place. The rebound
parameter was refused (review G) where the same code under a new name worked: the list is
the function's own, of its own arrays, so the update is written back into it
(`canonical.copied_items`). A list of the caller's arrays stays refused."""
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

sys.path.insert(0, os.path.dirname(__file__))
import oracle  # noqa: E402

R = np.random.default_rng(3)
PS = [R.standard_normal(3), R.standard_normal(2)]
GS = [R.standard_normal(3), R.standard_normal(2)]


def sgd_on_copies(ps, gs):
    ps = [p.copy() for p in ps]
    for p, g in zip(ps, gs):
        p -= 0.1 * g * p
    return sum(np.sum(p ** 2) for p in ps)


def scaled_copies(ps):
    ps = [p * 1.0 for p in ps]
    for p in ps:
        p *= 2.0
        p += np.sin(p)
    return sum(np.sum(p ** 2) for p in ps)


def sgd_on_the_callers_arrays(ps, gs):
    ps = [p for p in ps]
    for p, g in zip(ps, gs):
        p -= 0.1 * g * p
    return sum(np.sum(p ** 2) for p in ps)


@pytest.mark.parametrize('f,args', [(sgd_on_copies, (PS, GS)), (scaled_copies, (PS,))],
                         ids=['sgd_on_copies', 'scaled_copies'])
def test_a_parameter_rebound_to_copies_is_updated_through_its_loop_variable(f, args):
    given = [[a.copy() for a in arg] for arg in args]
    outcome = oracle.check(f, tuple([a.copy() for a in arg] for arg in args), 0,
                           second_order=True, name=f.__name__)
    outcome.assert_ok()
    s2sgrad.grad(f)(*args)
    for arg, before in zip(args, given):
        for a, b in zip(arg, before):
            np.testing.assert_array_equal(a, b)


def test_the_callers_arrays_stay_refused():
    with pytest.raises(S2SError):
        s2sgrad.grad(sgd_on_the_callers_arrays)([p.copy() for p in PS], GS)
