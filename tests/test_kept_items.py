"""A helper writing in place into the items of a container (or the attributes of an object)
that holds an array the backward sweep reads, where the analysis of the function could not
see the array go in: a helper's or a closure's append, a namedtuple made in the call, a loop
over ``d.values()`` or ``sorted(ps)`` in the helper, a method of an object the function
made (``opt = SGD(); opt.step(hs)``). Each gave a wrong gradient, silently, before; now the
run-time check compares the items with the arrays the backward sweep reads (by memory), and
raises InPlaceError where one is there. Containers of new arrays run as in your code."""
import collections
import functools
import heapq

import numpy as np
import pytest

import s2sgrad
from s2sgrad import runtime
from s2sgrad.errors import InPlaceError

X = np.array([0.3, 0.7])


def central(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        a, b = x.copy(), x.copy()
        a[i] += eps
        b[i] -= eps
        g[i] = (f(a) - f(b)) / (2 * eps)
    return g


def _scale_all(ps):
    for p in ps:
        p *= 2.0


def _add_to(lst, a):
    lst.append(a)


def _bump_values(d):
    for v in d.values():
        v *= 2.0


def _bump_items(d):
    for _, v in d.items():
        v += 1.0


def _bump_sorted(ps):
    for i, p in enumerate(sorted(ps, key=len)):
        p[0] = 5.0 + i


def _ema(state, g):
    state['m'] *= 0.9
    state['m'] += 0.1 * g


P = collections.namedtuple('P', 'a b')


class SGD:
    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, ps):
        for p in ps:
            p -= self.lr

    def step_one(self, p):
        p -= self.lr

    @staticmethod
    def halve(ps):
        for p in ps:
            p *= 0.5


class Holder:
    def __init__(self):
        self.items = []

    def scale(self):
        for p in self.items:
            p *= 2.0


def helper_appends(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = []
    _add_to(hs, w)
    _scale_all(hs)
    return np.sum(y * y)


def closure_appends(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = []

    def add(a):
        hs.append(a)
    add(w)
    _scale_all(hs)
    return np.sum(y * y)


def namedtuple_in_the_call(x):
    w = np.full(2, 1.5)
    y = x * w
    _scale_all(P(w, np.ones(2)))
    return np.sum(y * y)


def helper_loops_over_values(x):
    w = np.full(2, 1.5)
    y = x * w
    d = {'a': w}
    _bump_values(d)
    return np.sum(y * y)


def helper_loops_over_items(x):
    w = np.full(2, 1.5)
    y = x * w
    d = {'a': w}
    _bump_items(d)
    return np.sum(y * y)


def helper_loops_over_sorted(x):
    w = np.full(2, 1.5)
    y = x * w
    _bump_sorted([w])
    return np.sum(y * y)


def method_of_an_object_made_here(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = [w]
    opt = SGD()
    opt.step(hs)
    return np.sum(y * y)


def method_of_a_new_object(x):
    w = np.full(2, 1.5)
    y = x * w
    SGD(0.2).step([w])
    return np.sum(y * y)


def method_given_the_array(x):
    w = np.full(2, 1.5)
    y = x * w
    opt = SGD()
    opt.step_one(w)
    return np.sum(y * y)


def static_method_of_a_new_object(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = []
    _add_to(hs, w)
    SGD.halve(hs)
    return np.sum(y * y)


def view_appended_by_a_helper(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = []
    _add_to(hs, w[:1])
    _scale_all(hs)
    return np.sum(y * y)


def object_holding_it(x):
    w = np.full(2, 1.5)
    y = x * w
    h = Holder()
    _add_to(h.items, w)
    h.scale()
    return np.sum(y * y)


def appended_in_a_loop(x):
    y = x
    for i in range(2):
        w = np.full(2, 1.5) * (i + 1)  # (a new `w` each pass: the check cannot name it)
        y = y * w
        hs = []
        _add_to(hs, w)
        _scale_all(hs)
    return np.sum(y * y)


WRONG_BEFORE = [appended_in_a_loop, helper_appends, closure_appends, namedtuple_in_the_call,
                helper_loops_over_values, helper_loops_over_items, helper_loops_over_sorted,
                method_of_an_object_made_here, method_of_a_new_object, method_given_the_array,
                static_method_of_a_new_object, view_appended_by_a_helper, object_holding_it]


@pytest.mark.parametrize('f', WRONG_BEFORE, ids=lambda f: f.__name__)
def test_a_kept_array_changed_by_a_helper_is_refused(f):
    with pytest.raises(InPlaceError) as info:
        s2sgrad.grad(f)(X.copy())
    assert 'in place' in str(info.value) and __file__ in str(info.value)


def new_arrays_filled_by_a_helper(x):
    w = np.full(2, 1.5)
    y = x * w
    hs = []
    _add_to(hs, w * 2.0)
    _scale_all(hs)
    return np.sum(y * y) + np.sum(hs[0])


def running_average(x):
    w = np.full(2, 1.5)
    y = x * w
    state = {'m': 0.5 * w}
    _ema(state, w)
    return np.sum(y * y) + np.sum(state['m'] * x)


def buffers_scaled_in_a_loop(x):
    w = np.full(2, 1.5)
    hs = [np.zeros(2)]
    y = x
    for i in range(3):
        y = y * w
        hs[0] = hs[0] + 1.0
        _scale_all(hs)
    return np.sum(y * y) + np.sum(hs[0] * x)


def optimizer_on_its_own_buffers(x):
    w = np.full(2, 1.5)
    y = x * w
    opt = SGD()
    buffers = [np.ones(2), np.zeros(2)]
    opt.step(buffers)
    return np.sum(y * y) + np.sum(buffers[0] * x)


def object_holding_new_arrays(x):
    w = np.full(2, 1.5)
    y = x * w
    h = Holder()
    _add_to(h.items, w + 1.0)
    h.scale()
    return np.sum(y * y) + np.sum(h.items[0])


def new_arrays_appended_in_a_loop(x):
    y = x
    for i in range(2):
        w = np.full(2, 1.5) * (i + 1)
        y = y * w
        hs = []
        _add_to(hs, w * 1.0)
        _scale_all(hs)
    return np.sum(y * y)


RIGHT = [new_arrays_appended_in_a_loop, new_arrays_filled_by_a_helper, running_average,
         buffers_scaled_in_a_loop, optimizer_on_its_own_buffers, object_holding_new_arrays]


@pytest.mark.parametrize('f', RIGHT, ids=lambda f: f.__name__)
def test_new_arrays_changed_by_a_helper_run_as_written(f):
    got = s2sgrad.grad(f)(X.copy())
    np.testing.assert_allclose(got, central(f, X.copy()), rtol=1e-6, atol=1e-8)
    value, _ = s2sgrad.value_and_grad(f)(X.copy())
    np.testing.assert_allclose(value, f(X.copy()))


def test_the_check_compares_items_with_what_the_backward_sweep_reads():
    w = np.arange(4.0)
    check = runtime.check_own_items
    check([np.ones(2), {'a': np.zeros(3)}, (1.0, 'a')], 'm', kept=(w,))
    check([w.copy()], 'm', kept=(w,))
    check([np.ones(2)], 'm', kept=([w], {'b': w}))
    check(Holder(), 'm', kept=(w,))  # (an object: its attributes)
    check([np, len, SGD], 'm', kept=(w,))  # (modules, functions, classes)
    inner = np.ones(3)
    for value, kept in [([w], (w,)), ([w[1:3]], (w,)), ([[w]], (w,)),
                        ({'a': {'b': (1.0, w.T)}}, (w,)), ([inner], ({'x': [None, inner]},)),
                        ([w], ([[w]],))]:
        with pytest.raises(InPlaceError, match='^m$'):
            check(value, 'm', kept=kept)
    h = Holder()
    h.items.append(w[::2])
    with pytest.raises(InPlaceError):
        check(h, 'm', kept=(w,))
    hs = [np.ones(2)]
    with pytest.raises(InPlaceError):
        check([hs], 'm', kept=(hs,))  # (a kept list itself, whose items the helper changes)
    with pytest.raises(InPlaceError):
        check([np.ones(2)], 'm')  # (without `kept`: any array)


W_GLOBAL = np.full(2, 1.5)


def global_weight_appended(x):
    y = x * W_GLOBAL
    hs = []
    hs.append(W_GLOBAL)
    _scale_all(hs)
    return np.sum(y * y)


def test_a_global_array_the_backward_sweep_reads_is_named_by_the_check():
    # (the check names the module's array too; the gradient read it doubled before)
    with pytest.raises(InPlaceError, match='scale_all'):
        s2sgrad.grad(global_weight_appended)(X.copy())
    np.testing.assert_array_equal(W_GLOBAL, [1.5, 1.5])


# Review J: shapes the first version of the check got wrong or refused
class _Dense:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return x * self.w


class _Dropout:
    def __init__(self):
        self.w = np.ones(2)
        self.rng = np.random.default_rng(0)
        self.history = collections.deque(maxlen=5)
        self.span = range(10 ** 9)


def _shrink_layers(layers):
    for layer in layers:
        layer.w *= 0.5


def _sgd(params, grads, lr=0.1):
    W, b = params  # (the helper unpacks its list)
    gW, gb = grads
    W -= lr * gW
    b -= lr * gb


def _ema_all(bufs, g):  # (reads `g`, puts it nowhere)
    for b in bufs:
        b *= 0.9
        b += 0.1 * g


class _MyArray(np.ndarray):
    pass


def callable_layer_holding_it(x):
    w = np.full(2, 1.5)
    y = x * w
    layers = []
    _add_to(layers, _Dense(w))
    _shrink_layers(layers)
    return np.sum(y * y)


def view_of_another_array_type(x):
    w = np.full(2, 1.5)
    y = x * w
    _scale_all([w.view(_MyArray)])
    return np.sum(y * y)


def unpacked_by_the_helper(x):
    W = np.full(2, 1.5)
    b = np.full(2, 0.5)
    y = x * W + b
    _sgd([W, b], [np.ones(2), np.ones(2)])
    return np.sum(y * y)


@pytest.mark.parametrize('f', [callable_layer_holding_it, view_of_another_array_type,
                               unpacked_by_the_helper], ids=lambda f: f.__name__)
def test_review_j_kept_arrays_changed_by_a_helper_are_refused(f):
    with pytest.raises(InPlaceError):
        s2sgrad.grad(f)(X.copy())


def layers_holding_generators_and_deques(x):
    w = np.full(2, 1.5)
    y = x * w
    layers = [_Dropout()]
    _shrink_layers(layers)
    return np.sum(y * y) + np.sum(layers[0].w * x)


def momentum_in_a_training_loop(x):
    w = np.full(2, 1.5)
    y = x
    bufs = [np.zeros(2)]
    for i in range(2):
        w = w * 0.5 + 1.0  # (a new `w` each pass)
        y = y * w
        _ema_all(bufs, w)
    return np.sum(y * y) + np.sum(bufs[0] * x)


def namedtuple_of_new_arrays(x):
    w = np.full(2, 1.5)
    y = x * w
    p = P(w * 1.0, np.ones(2))
    _scale_all(p)
    return np.sum(y * y) + np.sum(p.a * x)


@pytest.mark.parametrize('f', [layers_holding_generators_and_deques, momentum_in_a_training_loop,
                               namedtuple_of_new_arrays], ids=lambda f: f.__name__)
def test_review_j_new_arrays_changed_by_a_helper_run_as_written(f):
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy()), central(f, X.copy()),
                               rtol=1e-6, atol=1e-8)


def buffers_of_new_arrays(x):
    w = np.full(2, 1.5)
    y = x * w
    bufs = [np.zeros(2), np.ones(2)]
    _scale_all(bufs)
    return np.sum(y * y) + np.sum(bufs[1] * x)


def buffers_holding_the_weight(x):
    w = np.full(2, 1.5)
    y = x * w
    bufs = [np.zeros(2), w]
    _scale_all(bufs)
    return np.sum(y * y)


def test_the_check_on_the_compiled_path():
    pytest.importorskip('numba')
    f = buffers_of_new_arrays
    np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(X.copy()), central(f, X.copy()),
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(InPlaceError):
        s2sgrad.grad(buffers_holding_the_weight, compile='numba')(X.copy())


# Review K: iterators, arrays deep in what the backward sweep reads, class methods
class _Stepper:
    @classmethod
    def halve_all(cls, ps):
        for p in ps:
            p *= 0.5


def iterator_over_the_weight(x):
    w = np.full(2, 1.5)
    y = x * w
    _scale_all(iter([w]))  # (the check cannot look into an iterator: it refuses)
    return np.sum(y * y)


def weight_deep_in_a_dict(x, params):
    y = x * params['enc']['layers'][0]['W']
    layer = params['enc']['layers'][0]
    _scale_all(P(layer['W'], np.ones(2)))
    return np.sum(y * y)


def class_method_of_an_object_made_here(x):
    w = np.full(2, 1.5)
    y = x * w
    opt = _Stepper()
    opt.halve_all([w])
    return np.sum(y * y)


def test_review_k_iterators_deep_arrays_and_class_methods_are_checked():
    for f in (iterator_over_the_weight, class_method_of_an_object_made_here):
        with pytest.raises(InPlaceError):
            s2sgrad.grad(f)(X.copy())
    params = {'enc': {'layers': [{'W': np.full(2, 1.5)}]}}
    with pytest.raises(InPlaceError):
        s2sgrad.grad(weight_deep_in_a_dict)(X.copy(), params)
    np.testing.assert_array_equal(params['enc']['layers'][0]['W'], [1.5, 1.5])


def _passes_on(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


@_passes_on
def _scale_all_logged(ps):
    for p in ps:
        p *= 2.0


def decorated_helper(x):
    w = np.full(2, 1.5)
    y = x * w
    _scale_all_logged([w])
    return np.sum(y * y)


def test_a_decorated_helper_is_checked_as_the_function_it_wraps():
    with pytest.raises(InPlaceError):
        s2sgrad.grad(decorated_helper)(X.copy())


def _push(heap, value):
    heapq.heappush(heap, value)


def weight_chosen_in_a_branch(x):
    if x.sum() > -10.0:
        w = np.full(2, 1.5)
    else:
        w = np.full(2, 2.5)
    y = x * w
    c = []
    _push(c, w)  # (a store the analysis of `_push` sees through `heapq`)
    _scale_all(c)
    return np.sum(y * y)


def weight_pushed_then_rebound(x):
    w = np.full(2, 1.5)
    y = x * w
    c = []
    heapq.heappush(c, w)
    for i in range(2):
        w = w * 2.0  # (a new `w`: the check cannot name the old one)
    _scale_all(c)
    return np.sum(y * y) + np.sum(w)


def test_weights_bound_in_branches_or_rebound_after_are_checked():
    for f in (weight_chosen_in_a_branch, weight_pushed_then_rebound):
        with pytest.raises(InPlaceError):
            s2sgrad.grad(f)(X.copy())
