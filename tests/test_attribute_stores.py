"""An assignment into an attribute of an object named by a variable nothing reads afterwards
(``for m in ms: m.s = 3.0``, ``inner = o.inner; inner.s = ...``), where the function reads
the attribute through another name (``ms[0].s``): dead code removal dropped the store, so
value, gradient and tangent were those of the object before it (review G). Attribute stores
are never dead now. Checked against central differences in every mode."""
import os
import sys

import numpy as np
import pytest

import s2sgrad

sys.path.insert(0, os.path.dirname(__file__))
import oracle  # noqa: E402

X = np.array([1.0, 2.0])


class Box:
    def __init__(self, s=1.0):
        self.s = s
        self.W = np.array([[1.0, 2.0], [3.0, 4.0]])
        self.calls = 0


def set_in_a_loop(x, ms):
    for m in ms:
        m.s = 3.0
    return np.sum(x * ms[0].s)


def set_through_an_item(x, ms):
    m = ms[0]
    m.s = 3.0
    return np.sum(x * ms[0].s) + np.sum(x ** 2) * ms[1].s


def set_through_an_attribute(x, o):
    inner = o.inner
    inner.s = 3.0
    return np.sum(x * o.inner.s)


def doubled_in_a_loop(x, layers):
    for layer in layers:
        layer.W = layer.W * 2.0
    return np.sum(np.tanh(layers[0].W @ x))


def new_attribute_in_a_loop(x, ms):
    for m in ms:
        m.t = 4.0
    return np.sum(np.sin(x) * ms[0].t)


def objects_made_here(x):
    boxes = [Box(), Box()]
    for b in boxes:
        b.W = np.full((2, 2), 3.0)
    return np.sum(boxes[0].W @ (x * x))


def _outer():
    o = Box()
    o.inner = Box()
    return o


CASES = [(set_in_a_loop, lambda: [Box()]), (set_through_an_item, lambda: [Box(), Box(2.0)]),
         (set_through_an_attribute, _outer), (doubled_in_a_loop, lambda: [Box(), Box()]),
         (new_attribute_in_a_loop, lambda: [Box()])]


@pytest.mark.parametrize('f,make', CASES, ids=lambda c: getattr(c, '__name__', ''))
def test_a_store_through_another_name_is_kept(f, make):
    expected = f(X.copy(), make())
    value, _ = s2sgrad.value_and_grad(f)(X.copy(), make())
    assert value == pytest.approx(expected)
    # (the stores set constants and doubles of constants only once per object made: every
    # run the oracle makes starts from new objects)
    for mode in ('grad', 'jvp'):
        eps = 1e-6
        g = s2sgrad.grad(f)(X.copy(), make()) if mode == 'grad' else np.array(
            [s2sgrad.jvp(f)(X.copy(), make(), e) for e in np.eye(2)])
        fd = np.array([(f(X + eps * e, make()) - f(X - eps * e, make())) / (2 * eps)
                       for e in np.eye(2)])
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def test_objects_made_in_the_function():
    outcome = oracle.check(objects_made_here, (X.copy(),), 0, second_order=True,
                           name='objects_made_here')
    outcome.assert_ok()


def counts_in_a_loop(x, layers):
    for layer in layers:
        layer.calls += 1
    return np.sum(x ** 2)


def test_counters_of_items_count_as_in_your_code():
    for run in (lambda ls: s2sgrad.grad(counts_in_a_loop)(X.copy(), ls),
                lambda ls: s2sgrad.value_and_grad(counts_in_a_loop)(X.copy(), ls),
                lambda ls: s2sgrad.jvp(counts_in_a_loop)(X.copy(), ls, np.ones(2))):
        layers = [Box(), Box()]
        run(layers)
        assert [layer.calls for layer in layers] == [1, 1]


class _Joins:
    def __init__(self):
        self.n = 0.0

    def join(self, group):
        group.append(self)


def store_into_an_object_its_method_shared(x):
    group = []
    m = _Joins()
    m.join(group)  # (the object escapes through its own method)
    m.n = 2.0
    return np.sum(x * x * group[0].n)


def test_a_store_into_an_object_another_name_reaches_stays():
    # (review J: a version of the optimiser that dropped stores into objects made in the
    # function and read only by attribute dropped this one)
    f = store_into_an_object_its_method_shared
    value, g = s2sgrad.value_and_grad(f)(X.copy())
    np.testing.assert_allclose(value, f(X.copy()))
    np.testing.assert_allclose(g, 4.0 * X)


class _Registers:
    def __init__(self, group):
        self.n = 1.0
        group.append(self)


def made_for_its_effect(x):
    group = []
    m = _Registers(group)  # noqa: F841 (never read again: the object registers itself)
    return np.sum(x * x) * len(group)


def test_an_object_made_for_its_constructors_effect_stays():
    # (review J: the construction was dropped as dead code, and the gradient was zeros)
    np.testing.assert_allclose(s2sgrad.grad(made_for_its_effect)(X.copy()), 2 * X)
