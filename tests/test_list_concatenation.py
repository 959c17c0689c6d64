"""Lists grown by concatenation (``out = []``, then ``out += [v]`` or ``out = out + [a, b]``
in a loop, or ``out.extend(v)``; tuples alike): each part of the concatenation gets its slice
of the adjoint, in both modes and to second order. An array plus a list stays an elementwise
sum. Checked against central differences."""
import numpy as np
import pytest

import s2sgrad
from rulespec import central_gradient


def pair(x):
    return x * 2.0, np.sin(x)


def grown_in_loop(x):
    out = []
    for i in range(3):
        a, b = pair(x[i])
        out += [a * b]
    return sum(out)


def grown_by_two(x):
    out = []
    for i in range(3):
        out = out + [x[i] ** 2, np.cos(x[i])]
    return np.sum(np.stack(out) * np.arange(6.0))


def tuple_in_while(x):
    out = ()
    k = 0
    while k < 3:
        out = out + (x[k] * x[0],)
        k += 1
    return out[0] * out[2] + out[1]


def copies_and_self(x):
    acc = [x[0]]
    rest = [x[1], x[2]]
    both = acc + rest
    both = both + both
    return both[0] * both[4] + both[5]


def branch_grown(x):
    out = [x[0]]
    for i in range(1, 3):
        if x[i] > 0.4:
            out = out + [np.exp(x[i])]
        else:
            out += [x[i] * x[0], x[i]]
    return np.prod(np.array(out))


def grown_then_unpacked(x):
    out = [x[0] * x[1]]
    out = out + [np.sin(x[2])]
    a, b = out
    return a * b + a


def array_plus_list(x):
    y = x + [1.0, 2.0, 3.0]  # (an array plus a list: elementwise)
    return np.sum(y ** 2)


def features(v):
    return [np.sin(v), v * v]


def as_tuple(v):
    return v * 3.0, np.exp(-v)


def grown_by_a_helper(x):
    out = []
    for i in range(3):
        out = out + features(x[i])
    return sum(o * w for o, w in zip(out, range(1, 7)))


def list_of(pair):
    a, b = pair
    return [a, b]


def helper_tuple_added_in_place(x):
    out = [x[0]]
    out += features(x[1])
    out = out + list_of(as_tuple(x[2]))
    return out[0] * out[1] + out[2] * out[4] + out[3]


def helper_list_twice(x):
    f = features(x[0] + x[1])
    both = f + f
    return both[0] * both[3] + both[1] ** 2 + x[2]


def list_extended_by_tuples(x):
    out = [x[0]]
    for i in range(1, 3):
        out += (x[i] * x[0], np.sin(x[i]))  # (extends the list; out + (a, b) would raise)
    out += [x[2]]
    return out[1] * out[4] + out[2] + out[-1] * out[0]


def tuple_and_array_augmented(x):
    t = (x[0],)
    t += (x[1] * 2.0,)
    y = np.zeros(2)
    y += (x[2], x[0])  # (an array adds a tuple elementwise)
    return t[0] * t[1] + np.sum(y ** 2)


def features_built(v):
    r = [np.sin(v)]
    r.append(v * v)
    return r


def features_comprehended(v):
    return [v * k for k in range(1, 3)]


def grown_by_built_lists(x):
    out = [x[0]]
    for i in range(1, 3):
        out = out + features_built(x[i]) + features_comprehended(x[i])
    return out[0] * out[1] + out[3] * out[6] + out[8] ** 2


def extended_by_a_helpers_tuple(x):
    out = [x[0]]
    for i in range(1, 3):
        out += pair(x[i] * x[0])  # (a tuple display: extends the list)
    return out[1] * out[4] + out[2] + out[-1] * out[0]


def extended_by_a_tuple_variable(x):
    out = [x[0]]
    t = (x[1] * 3.0, np.cos(x[2]))
    out += t
    out += features_built(x[2])
    return out[0] * out[1] + out[2] * out[3] + out[4] ** 2


def list_plus_array_rows(x):
    rows = np.outer(x, x)
    out = [rows[0]]
    out += rows[1:]  # (Python adds the array elementwise: a (2, 3) array, not a list)
    return np.sum(np.sin(out) * np.arange(6.0).reshape(2, 3))


def list_of_tuple_and_rows(x):
    ps = list((x[0] * x[1], np.sin(x[2])))
    rows = tuple(np.outer(x, x[:2]))
    return ps[0] * ps[1] + np.sum(rows[2] ** 2) + rows[0][1] * ps[0]


def extended_in_loop(x):
    feats = []
    for i in range(3):
        feats.extend([x[i] * 2.0, x[i] ** 2])
    return sum(feats) * feats[1]


def extended_by_array_rows(x):
    lst = [x[0] * 3.0]
    lst.extend(x[1:] * 2.0)  # (the array's items: two numbers)
    return lst[0] * lst[2] + lst[1]


def extended_by_tuple_and_list(x):
    a = [x[0], x[1]]
    b = [x[2]]
    b.extend(a)
    b.extend((x[0] * x[1], np.sin(x[2])))
    return b[0] * b[1] * b[2] + b[3] * b[4]


def extended_by_comprehension(x):
    lst = []
    lst.extend([v * 2.0 for v in x])
    return np.prod(np.array(lst))


def _extended_copy(x, ws):
    ws = list(ws)  # (a parameter rebound to a list first: `extend` is a list's, from review)
    ws.extend([x[0], x[1] * x[2]])
    return sum(w * w for w in ws) * ws[0]


def argument_list_copied_then_extended(x):
    return _extended_copy(x, [x[2] * 2.0, np.sin(x[0])])


def tuple_grown_then_added_in_the_loop(x):
    out = []
    t = ()
    for i in range(3):
        t += (x[i] * 2.0,)  # (a tuple still: ``out += t`` below extends the list by it)
        out += t
    return sum(v * v for v in out) * x[0]


def tuple_grown_in_a_branch_then_added(x):
    out = [x[0]]
    t = (x[1],)
    for i in range(3):
        if x[i] > 0.4:
            t += (np.sin(x[i]), x[i] * x[0])
        out += t
    return out[0] * out[-1] + sum(out)


def slice_of_a_grown_tuple_added(x):
    out = []
    t = ()
    for i in range(3):
        t += (x[i] * x[0],)
        out += t[-2:]  # (a slice of a tuple: a tuple, which extends the list)
    return sum(v * v for v in out) + out[1]


CASES = [grown_in_loop, grown_by_two, tuple_in_while, copies_and_self, branch_grown,
         grown_then_unpacked, array_plus_list, grown_by_a_helper, helper_tuple_added_in_place,
         helper_list_twice, list_extended_by_tuples, tuple_and_array_augmented,
         grown_by_built_lists, extended_by_a_helpers_tuple, extended_by_a_tuple_variable,
         list_plus_array_rows, list_of_tuple_and_rows, extended_in_loop, extended_by_array_rows,
         extended_by_tuple_and_list, extended_by_comprehension,
         argument_list_copied_then_extended, tuple_grown_then_added_in_the_loop,
         tuple_grown_in_a_branch_then_added, slice_of_a_grown_tuple_added]


@pytest.mark.parametrize('f', CASES, ids=lambda f: f.__name__)
def test_concatenated_lists(f):
    x = np.array([0.3, 0.5, 0.7])
    want = central_gradient(f, x)
    for motion in ('split', 'joint'):
        np.testing.assert_allclose(s2sgrad.grad(f, motion=motion)(x), want, rtol=1e-6)
    tangent = s2sgrad.jvp(f)(x, np.ones(3))
    np.testing.assert_allclose(tangent, np.sum(want), rtol=1e-6)
    gradient = s2sgrad.grad(f)
    hess = np.array([central_gradient(lambda v: gradient(v)[i], x) for i in range(3)])
    np.testing.assert_allclose(s2sgrad.hessian(f)(x), hess, rtol=1e-5, atol=1e-7)


def extended_through_a_second_name(x):
    lst = [x[0]]
    other = lst
    lst.extend([x[1]])  # (`other` sees the new item: Python extends the one list)
    return sum(other) * x[2]


def test_extend_of_a_list_with_a_second_name_is_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='other'):
        s2sgrad.grad(extended_through_a_second_name)(np.array([0.3, 0.5, 0.7]))


def copied_by_slicing_then_extended(x, ws):
    ws = ws[:]  # (a slice of what may be an array: not known to be a list)
    ws.extend([x])
    return sum(w * w for w in ws)


def test_extend_of_a_variable_not_known_to_be_a_list_is_refused():
    with pytest.raises(s2sgrad.errors.NoRuleError, match=r'`extend` of `ws`.*ws = list\('):
        s2sgrad.grad(copied_by_slicing_then_extended)(np.array([0.3, 0.5]), [np.ones(2)])
