"""The API as users call it (issue #9): methods, callable instances and partials; the cache
(weak, bounded); helpers rebound after `grad`; misuse that must be loud; complex inputs.

Every expected gradient is a central difference or a closed form.
"""
import functools
import gc
import os
import sys
import tracemalloc
import weakref
from collections import namedtuple

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import (ComplexError, NonScalarOutputError, NoRuleError, S2SError,
                            SourceUnavailableError, UnsupportedSyntaxError)


def central(f, x, h=1e-6):
    """Central differences of scalar `f` at float or array `x`."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape or ()):
        step = np.zeros(x.shape)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad if x.shape else float(grad)


# ==================== classes as users write models

class Layer:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        return np.tanh(x @ self.W + self.b)

    @staticmethod
    def square(z):
        return z * z


class Net(Layer):
    scale = 0.5

    def loss(self, x, y):
        h = self.forward(x)
        return np.sum(self.square(h - y)) * self.scale

    def __call__(self, x):
        return self.loss(x, 0.25)

    @classmethod
    def quartic(cls, x):
        return np.sum(x ** 4) * cls.scale


class Shifted(Net):
    def forward(self, x):  # overrides the parent's method
        return np.sin(x @ self.W) + 1.0


class Config:
    lr = 0.1


def loss_with_config(x, cfg, w):
    return np.sum(np.exp(cfg.lr * x) * w)


def weighted(x, w, power=2.0):
    return np.sum(w * x ** power)


RNG = np.random.default_rng(7)
X = RNG.normal(size=(4, 3))
NET = Net(RNG.normal(size=(3, 2)), RNG.normal(size=2))
OTHER = Net(RNG.normal(size=(3, 2)), RNG.normal(size=2))


def test_bound_method_differentiates_the_arguments_after_self():
    df = s2sgrad.grad(NET.loss)
    expected = central(lambda x: NET.loss(x, 0.3), X)
    np.testing.assert_allclose(df(X, 0.3), expected, rtol=1e-6, atol=1e-9)
    assert 'def dlossdx(self, x, y)' in df.source  # the generated function, bound to NET


def test_each_instance_uses_its_own_attributes():
    for net in (NET, OTHER):
        np.testing.assert_allclose(s2sgrad.grad(net.loss)(X, 0.3),
                                   central(lambda x: net.loss(x, 0.3), X),
                                   rtol=1e-6, atol=1e-9)


def test_overridden_method_of_a_subclass_is_the_one_differentiated():
    net = Shifted(NET.W, NET.b)
    np.testing.assert_allclose(s2sgrad.grad(net.loss)(X, 0.3),
                               central(lambda x: net.loss(x, 0.3), X), rtol=1e-6, atol=1e-9)


def test_bound_method_wrt_by_name_and_tuple():
    dx, dy = s2sgrad.grad(NET.loss, wrt=('x', 'y'))(X, 0.3)
    np.testing.assert_allclose(dy, central(lambda y: NET.loss(X, y), 0.3), rtol=1e-6)
    (only,) = s2sgrad.grad(NET.loss, wrt=(1,))(X, 0.3)
    assert only == pytest.approx(dy)


def test_callable_instance():
    np.testing.assert_allclose(s2sgrad.grad(NET)(X), central(NET, X), rtol=1e-6, atol=1e-9)


def test_classmethod_and_staticmethod():
    x = np.array([0.5, -1.5, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(Net.quartic)(x), 4 * x ** 3 * Net.scale)
    assert s2sgrad.grad(Layer.square)(3.0) == pytest.approx(6.0)


def test_partial_bound_arguments_are_constants():
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    by_keyword = functools.partial(weighted, w=w, power=3.0)
    np.testing.assert_allclose(s2sgrad.grad(by_keyword)(x), 3 * w * x ** 2)
    by_position = functools.partial(weighted, x)   # now a function of w
    np.testing.assert_allclose(s2sgrad.grad(by_position)(w), x ** 2)
    assert 'def dweighted' in s2sgrad.grad(by_keyword).source


def test_partial_of_a_bound_method():
    loss_at = functools.partial(NET.loss, y=0.3)
    np.testing.assert_allclose(s2sgrad.grad(loss_at)(X),
                               central(lambda x: NET.loss(x, 0.3), X), rtol=1e-6, atol=1e-9)


def test_object_attributes_are_constants():
    x, w = np.array([0.2, -0.4]), np.array([1.5, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(loss_with_config)(x, Config(), w),
                               Config.lr * np.exp(Config.lr * x) * w)


def test_operators_on_methods_agree_with_differences():
    t = RNG.normal(size=X.shape)
    g = central(lambda x: NET.loss(x, 0.3), X)
    assert s2sgrad.jvp(NET.loss)(X, 0.3, t) == pytest.approx(np.sum(g * t), rel=1e-6)
    np.testing.assert_allclose(s2sgrad.vjp(NET.loss)(X, 0.3, 1.0), g, rtol=1e-6, atol=1e-9)
    value, grad = s2sgrad.value_and_grad(NET.loss)(X, 0.3)
    assert value == pytest.approx(NET.loss(X, 0.3))
    hv = s2sgrad.hvp(NET.loss)(X, 0.3, t)
    df = s2sgrad.grad(NET.loss)
    expected = (df(X + 1e-5 * t, 0.3) - df(X - 1e-5 * t, 0.3)) / 2e-5
    np.testing.assert_allclose(hv, expected, rtol=1e-5, atol=1e-8)
    s2sgrad.check_grads(NET.loss, (X, 0.3), wrt=0)
    s2sgrad.check_grads(NET, (X,))


def method_of_unknown_class(model, x):
    return np.sum(model.forward(x))


def test_method_of_an_argument_whose_class_is_unknown_says_what_to_do():
    with pytest.raises(NoRuleError, match=r'bound method.*Class\.forward\(model'):
        s2sgrad.grad(method_of_unknown_class, wrt=1)(NET, X)


# ==================== the cache

def make_closure(k):
    def scaled(x):
        return np.sum(x * k)
    return scaled


def test_dropped_closures_leave_nothing_in_the_cache(private_cache):
    """Each closure made anew and differentiated (300 here; S2S_PROBE_CLOSURES=10000 for the
    brief's full run, about 4 minutes with tracemalloc on): neither the closures nor what was
    generated for them stays alive once dropped."""
    count = int(os.environ.get('S2S_PROBE_CLOSURES', 300))
    x = np.arange(3.0)
    s2sgrad.grad(make_closure(1.0))(x)
    gc.collect()
    refs = []
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            f = make_closure(float(i))
            np.testing.assert_allclose(s2sgrad.grad(f)(x), float(i))
            if i % 50 == 0:
                refs.append(weakref.ref(f))
            del f
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, grown
    assert all(r() is None for r in refs)


def test_the_cache_is_bounded_and_still_caches(private_cache):
    from s2sgrad.api import _BUILDER
    from s2sgrad.cache import LIMIT
    _BUILDER.cache.limit = LIMIT  # the library's bound (the tests' own is larger: conftest.py)
    kept = [make_closure(float(i)) for i in range(_BUILDER.cache.limit + 50)]
    for f in kept:
        s2sgrad.grad(f)
    assert len(_BUILDER.cache) <= _BUILDER.cache.limit
    assert s2sgrad.grad(kept[-1]) is s2sgrad.grad(kept[-1])


@pytest.mark.parametrize('thing', [np.arange(3.0), [1.0], 3, 'f', {'a': 1}])
def test_grad_of_something_that_is_not_a_function(thing):
    with pytest.raises(SourceUnavailableError, match='not a function'):
        s2sgrad.grad(thing)


# ==================== helpers rebound after grad

def helper(x):
    return np.sin(x) * 2.0


def calls_helper(x):
    y = helper(x)
    return np.sum(y * y)


def replacement(x):
    return np.cos(x) * 3.0


def make_with_inner():
    def inner(x):
        return x * 3.0

    def outer(x):
        return np.sum(inner(x) ** 2)

    def set_inner(fn):
        nonlocal inner
        inner = fn
    return outer, set_inner


def test_an_existing_gradient_follows_a_rebound_global_helper(monkeypatch):
    x = np.array([0.3, 0.7])
    df = s2sgrad.grad(calls_helper)
    jvp = s2sgrad.jvp(calls_helper)
    np.testing.assert_allclose(df(x), 8 * np.sin(x) * np.cos(x))
    monkeypatch.setattr(sys.modules[__name__], 'helper', replacement)
    expected = -18 * np.cos(x) * np.sin(x)
    np.testing.assert_allclose(df(x), expected)
    np.testing.assert_allclose(s2sgrad.grad(calls_helper)(x), expected)
    assert jvp(x, np.ones(2)) == pytest.approx(np.sum(expected))
    monkeypatch.setattr(sys.modules[__name__], 'helper', np.tanh)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        df(x)
    np.testing.assert_allclose(s2sgrad.grad(calls_helper)(x),
                               central(calls_helper, x), rtol=1e-6)


def test_an_existing_gradient_follows_a_rebound_closure_helper():
    outer, set_inner = make_with_inner()
    x = np.array([0.5, -1.0])
    df = s2sgrad.grad(outer)
    np.testing.assert_allclose(df(x), 18 * x)
    set_inner(replacement)
    np.testing.assert_allclose(df(x), central(outer, x), rtol=1e-6)


# ==================== misuse that must be loud

def returns_nothing(x):
    np.sum(x)


def returns_none_on_purpose(x):
    print(x * 2)
    return None


def returns_text(x):
    return 'abc'


def returns_text_variable(x):
    label = 'total'
    return label


def returns_list(x):
    return [x, x]


def product(x, y):
    return np.sum(x * y)


def repeat_text(s, x):
    return s * 2 * x


@pytest.mark.parametrize('func', [returns_nothing, returns_none_on_purpose, returns_text])
def test_outputs_that_are_no_number_raise_at_transformation(func):
    with pytest.raises(NonScalarOutputError, match='File ".*test_api_callables.py", line'):
        s2sgrad.grad(func)
    with pytest.raises(NonScalarOutputError):
        s2sgrad.value_and_grad(func)


@pytest.mark.parametrize('func', [returns_text_variable, returns_list])
def test_outputs_that_are_no_scalar_raise_when_called(func):
    with pytest.raises(NonScalarOutputError):
        s2sgrad.grad(func)(np.ones(2))
    with pytest.raises(NonScalarOutputError):
        s2sgrad.value_and_grad(func)(np.ones(2))


def test_inputs_the_function_rejects_make_the_gradient_raise():
    with pytest.raises(TypeError):
        product(None, np.ones(3))
    with pytest.raises(TypeError):
        s2sgrad.grad(product, wrt=1)(None, np.ones(3))
    with pytest.raises(TypeError):
        s2sgrad.grad(repeat_text, wrt=1)('ab', 1.0)


def modulus_squared(z):
    return np.sum(np.abs(z) ** 2)


def phase(x):
    return np.exp(1j * x)


@pytest.mark.parametrize('call', [
    lambda z: s2sgrad.grad(modulus_squared)(z),
    lambda z: s2sgrad.value_and_grad(modulus_squared)(z),
    lambda z: s2sgrad.vjp(modulus_squared)(z, 1.0),
    lambda z: s2sgrad.jvp(modulus_squared)(z, z),
    lambda z: s2sgrad.hvp(modulus_squared)(z, z),
    lambda z: s2sgrad.grad(lambda w: w * w)(complex(z[0])),
    lambda z: s2sgrad.jvp(phase)(z.real, z.real),
    lambda z: s2sgrad.vjp(phase)(z.real, np.ones(2)),
], ids=['grad', 'value_and_grad', 'vjp', 'jvp', 'hvp', 'python-complex', 'jvp-real-to-complex',
        'vjp-real-to-complex'])
def test_complex_values_are_rejected(call):
    with pytest.raises(ComplexError, match='complex values are not supported'):
        call(np.array([1 + 2j, 3 - 1j]))


# ==================== loops over dicts of parameters

def l2_items(params, lam):
    total = 0.0
    for name, W in params.items():
        total = total + lam * np.sum(W ** 2)
    return total


def sines_of_values(params):
    total = 0.0
    for W in params.values():
        total = total + np.sum(np.sin(W))
    return total


def cubes_by_key(params):
    total = 0.0
    for k in params:
        total = total + np.sum(params[k] ** 3)
    return total


PARAMS = {'W1': np.array([[0.5, -1.0], [2.0, 0.25]]), 'b1': np.array([0.3, -0.7]),
          'scale': 1.5}


def test_loops_over_dict_items_values_and_keys():
    lam = 0.1
    grads = s2sgrad.grad(l2_items)(PARAMS, lam)
    for key, value in PARAMS.items():
        np.testing.assert_allclose(grads[key], 2 * lam * np.asarray(value))
    grads = s2sgrad.grad(sines_of_values)(PARAMS)
    np.testing.assert_allclose(grads['b1'], np.cos(PARAMS['b1']))
    grads = s2sgrad.grad(cubes_by_key)(PARAMS)
    np.testing.assert_allclose(grads['W1'], 3 * PARAMS['W1'] ** 2)
    assert grads['scale'] == pytest.approx(3 * 1.5 ** 2)
    for func in (l2_items, sines_of_values, cubes_by_key):
        args = (PARAMS, lam) if func is l2_items else (PARAMS,)
        s2sgrad.check_grads(func, args, wrt=0, modes=('rev', 'fwd'), order=2)


def test_a_dict_loop_reads_the_values_by_key_in_the_generated_code():
    source = s2sgrad.grad(l2_items).source
    assert 'keys = s2s.keys(params)' in source and 'W = params[name]' in source


def cubes_of_listed_indices(weights, order):
    total = 0.0
    for k in order:
        total = total + weights[k] ** 3
    return total


def test_a_key_loop_over_a_list_keeps_python_meaning():
    weights = [0.5, 2.0, -1.0]
    np.testing.assert_allclose(s2sgrad.grad(cubes_of_listed_indices)(weights, [2, 0]),
                               [3 * 0.25, 0.0, 3.0])


# ==================== composition, super(), class methods through self

class Dense:
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return np.tanh(x @ self.W)

    def __call__(self, x):
        return self.forward(x)


class Doubled(Dense):
    def forward(self, x):
        return super().forward(x) * 2.0


class Stack:
    gain = 3.0

    def __init__(self, first, second):
        self.first, self.second = first, second

    @classmethod
    def amplify(cls, v):
        return v * cls.gain

    def loss(self, x):
        return np.sum(self.amplify(self.second.forward(self.first(x))) ** 2)


def test_composed_layers_super_and_classmethods():
    model = Stack(Dense(RNG.normal(size=(3, 4))), Doubled(RNG.normal(size=(4, 2))))
    np.testing.assert_allclose(s2sgrad.grad(model.loss)(X), central(model.loss, X),
                               rtol=1e-6, atol=1e-8)
    source = s2sgrad.grad(model.loss).source
    # the forward parts of the calls are named after the methods they resolved to
    assert 'Dense_call_fwd(self.first, x)' in source and \
        'Doubled_forward_fwd(self.second' in source and 'Dense_forward_fwd(self' in source
    s2sgrad.check_grads(model.loss, (X,), modes=('rev', 'fwd'), order=2)


def real_part_of_sum(x):
    return np.sum(np.sin(x)).real + np.sum(np.real(x ** 2))


def test_real_of_real_values_is_the_identity_and_complex_values_raise():
    x = np.array([0.3, -1.1])
    np.testing.assert_allclose(s2sgrad.grad(real_part_of_sum)(x), np.cos(x) + 2 * x)
    with pytest.raises(ComplexError):
        s2sgrad.grad(real_part_of_sum)(x + 1j)


def returns_dict_call(x):
    return dict(loss=np.sum(x))


def test_container_outputs_raise_non_scalar_output_error():
    with pytest.raises(NonScalarOutputError, match='returns a container'):
        s2sgrad.grad(returns_dict_call)


# ==================== namedtuples of parameters

Layer2 = namedtuple('Layer2', 'W b')


def namedtuple_loss(layer, x):
    return np.sum(np.tanh(x @ layer.W + layer.b) ** 2)


def unpacked_namedtuple_loss(layer, x):
    W, b = layer
    return np.sum(np.sin(x @ W) * layer[1])


class Plain:
    pass


def test_namedtuple_parameters_get_namedtuple_gradients():
    layer = Layer2(RNG.normal(size=(3, 2)), RNG.normal(size=2))
    x = RNG.normal(size=(4, 3))
    for func in (namedtuple_loss, unpacked_namedtuple_loss):
        grads = s2sgrad.grad(func)(layer, x)
        assert type(grads) is Layer2
        np.testing.assert_allclose(
            grads.W, central(lambda W: func(Layer2(W, layer.b), x), layer.W), rtol=1e-6,
            atol=1e-8)
        np.testing.assert_allclose(
            grads.b, central(lambda b: func(Layer2(layer.W, b), x), layer.b), rtol=1e-6,
            atol=1e-8)
        s2sgrad.check_grads(func, (layer, x), wrt=0, modes=('rev', 'fwd'), order=2)


def test_attributes_of_a_differentiated_object_raise():
    obj = Plain()
    obj.W, obj.b = np.ones((3, 2)), np.zeros(2)
    with pytest.raises(NoRuleError, match='namedtuples too'):
        s2sgrad.grad(namedtuple_loss)(obj, np.ones(3))


def positive_part_doubled(x):
    if x > 0:
        return x * 2.0


def first_above(x):
    for i in range(3):
        if x < i:
            return x * i


def test_a_path_that_falls_off_the_end_returns_none_and_raises():
    df = s2sgrad.grad(positive_part_doubled)
    assert df(1.5) == 2.0
    with pytest.raises(NonScalarOutputError, match='forget its `return`'):
        df(-1.0)
    assert s2sgrad.grad(first_above)(0.5) == 1.0 and s2sgrad.grad(first_above)(1.5) == 2.0
    with pytest.raises(NonScalarOutputError):
        s2sgrad.grad(first_above)(5.0)
    with pytest.raises(NonScalarOutputError):
        s2sgrad.value_and_grad(first_above)(5.0)


# ==================== value_and_grad of a loop accumulator

def accumulate_range(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x ** 2)
    return s


def accumulate_while(x):
    s = 0.0
    k = 0
    while k < 4:
        s = s * 0.5 + np.sum(np.sin(x))
        k = k + 1
    return s


def accumulate_dict(params):
    s = 0.0
    for W in params.values():
        s = s + np.sum(W ** 3)
    return s


@pytest.mark.parametrize('optimized', [True, False])
def test_value_and_grad_returns_the_final_value_of_a_loop_accumulator(optimized):
    x = np.array([1.0, 2.0])
    for func, arg in ((accumulate_range, x), (accumulate_while, x),
                      (accumulate_dict, {'a': x, 'b': np.array([0.5])})):
        value, _ = s2sgrad.value_and_grad(func, optimized=optimized)(arg)
        assert value == pytest.approx(func(arg))


# ==================== second review round

def test_an_existing_hvp_raises_once_a_helper_is_rebound(monkeypatch):
    x = np.array([0.3, 0.7])
    hvp = s2sgrad.hvp(calls_helper)
    hessian = s2sgrad.hessian(calls_helper)
    np.testing.assert_allclose(hvp(x, np.ones(2)), 8 * np.cos(2 * x), rtol=1e-10)
    monkeypatch.setattr(sys.modules[__name__], 'helper', replacement)
    for call in (lambda: hvp(x, np.ones(2)), lambda: hessian(x)):
        with pytest.raises(S2SError, match='rebound'):
            call()
    np.testing.assert_allclose(s2sgrad.hvp(calls_helper)(x, np.ones(2)), -18 * np.cos(2 * x),
                               rtol=1e-10)


class Holder:
    def __init__(self, layer):
        self.layer = layer

    def loss(self, x):
        return np.sum(self.layer.forward(x) ** 2)


class Sined(Dense):
    def forward(self, x):
        return np.sin(x @ self.W)


def test_a_gradient_raises_when_a_held_object_changes_class():
    W = RNG.normal(size=(3, 2))
    model = Holder(Dense(W))
    df = s2sgrad.grad(model.loss)
    np.testing.assert_allclose(df(X), central(model.loss, X), rtol=1e-6, atol=1e-8)
    model.layer = Sined(W)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        df(X)
    np.testing.assert_allclose(s2sgrad.grad(model.loss)(X), central(model.loss, X),
                               rtol=1e-6, atol=1e-8)


class Stateful:
    def __init__(self):
        self.scale = 1.0
        self.calls = 0

    def doubling(self, x):
        self.scale = self.scale * 2.0
        return np.sum(x ** 2) * self.scale

    def counting(self, x):
        self.calls += 1
        return np.sum(x ** 2)


def test_writing_state_the_function_reads_is_rejected():
    with pytest.raises(UnsupportedSyntaxError, match='does not replay'):
        s2sgrad.grad(Stateful().doubling)


def test_a_counter_that_nothing_reads_does_not_matter():
    x = np.array([0.5, -2.0])
    np.testing.assert_allclose(s2sgrad.grad(Stateful().counting)(x), 2 * x)


def with_integer_keys(params, x):
    s = 0.0
    for k in params:
        s = s + params[k] * (k + 1.0) * x
    return s * 1.0


def test_a_key_loop_with_keys_used_in_arithmetic():
    grads = s2sgrad.grad(with_integer_keys)({0: 1.0, 1: 0.0}, 2.0)
    assert grads == {0: pytest.approx(2.0), 1: pytest.approx(4.0)}


def complex_output(x):
    return np.sum(x) + 0j


def sum_of_dict(params, x):
    return np.sum(params['a'] * x)


def test_complex_outputs_are_rejected():
    with pytest.raises(ComplexError):
        s2sgrad.grad(complex_output)(np.ones(2))


def test_jacobians_and_hessians_of_a_dict_argument():
    # d/da sum(a * x) = x, whatever a holds; d2 = 0
    for mode in ('fwd', 'rev'):
        jac = s2sgrad.jacobian(sum_of_dict, mode=mode)({'a': np.ones(2)}, 3.0)
        assert list(jac) == ['a'] and np.array_equal(jac['a'], [3.0, 3.0])
    hess = s2sgrad.hessian(sum_of_dict)({'a': np.ones(2)}, 3.0)
    assert list(hess) == ['a'] and np.array_equal(hess['a']['a'], np.zeros((2, 2)))
