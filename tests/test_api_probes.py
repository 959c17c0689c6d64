"""Adversarial probes of the issue #9 API: callables (bound methods, classmethods, staticmethods,
callable instances, functools.partial), containers of parameters, live semantics and loud misuse.

Every expectation is a central difference or a closed form, never s2sgrad itself. Each probe
that found a bug (instance attributes shadowing methods, classes and modules whose attributes
were replaced after `grad`, composition and `super()`, dict iteration, list concatenation of
arguments, complex values through `.real`, container outputs, ...) now passes.
"""
import functools
import os
import sys

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import (ComplexError, NonScalarOutputError, S2SError, ShapeError,
                            WrtError)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trees import central, get, leaves, replace  # noqa: E402

THIS = sys.modules[__name__]
RNG = np.random.default_rng(9)
W0 = RNG.normal(size=(3, 2))
X0 = RNG.normal(size=(4, 3))
V0 = np.array([0.3, -0.7])


# ==================== numerical references

def same_structure(a, b):
    if isinstance(b, dict):
        return isinstance(a, dict) and set(a) == set(b) and \
            all(same_structure(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and \
            all(same_structure(u, v) for u, v in zip(a, b))
    return not isinstance(a, (dict, list, tuple)) and np.shape(a) == np.shape(b)


def assert_tree_grad(g, params, f):
    """`g` has the structure of `params` and matches central differences leaf by leaf."""
    assert same_structure(g, params), (g, params)
    for path, leaf in leaves(params):
        expected = central(lambda v, path=path: f(replace(params, path, v)), leaf)
        np.testing.assert_allclose(get(g, path), expected, rtol=1e-5, atol=1e-6,
                                   err_msg=str(path))


def tree_add(p, t, s):
    if isinstance(p, dict):
        return {k: tree_add(p[k], t[k], s) for k in p}
    if isinstance(p, (list, tuple)):
        return type(p)(tree_add(a, b, s) for a, b in zip(p, t))
    return p + s * t


def directional(f, p, t, h=1e-6):
    return (f(tree_add(p, t, h)) - f(tree_add(p, t, -h))) / (2 * h)


# ==================== classes of the user's

class Model:
    K = 3.0

    def __init__(self, W, scale=1.0):
        self.W = W
        self.scale = scale

    def forward(self, x):
        return np.tanh(x @ self.W)

    def loss(self, x):
        return np.sum(self.forward(x) ** 2) * self.scale

    def loss_w(self, W, x):
        return np.sum(np.tanh(x @ W) ** 2) * self.scale + np.sum(self.W * W)

    def __call__(self, x):
        return self.loss(x)

    @staticmethod
    def sq(x):
        return np.sum(x ** 2)

    @classmethod
    def cm(cls, x):
        return np.sum(np.sin(x)) * cls.K

    def uses_static(self, x):
        return self.sq(x) + Model.sq(x)


class SinModel(Model):
    def forward(self, x):
        return np.sin(x @ self.W)


class Inherits(Model):
    pass


class Quadratic:
    def __init__(self, A):
        self.A = A

    def f(self, v):
        return 0.5 * v @ self.A @ v + np.sum(np.sin(v))

    def hess(self, v):
        return self.A - np.diag(np.sin(v))


A0 = np.array([[2.0, 0.5], [0.5, 1.0]])


class Named:
    def __init__(self, W):
        self.W = W

    def f(model, x):
        return np.sum(model.g(x, k=2.0))

    def g(model, x, k=1.0):
        return np.sin(x @ model.W) * k


class Recursive:
    def __init__(self, n):
        self.n = n

    def f(self, x, k):
        if k == 0:
            return x
        return self.f(np.sin(x), k - 1)

    def loss(self, x):
        return np.sum(self.f(x, self.n))


class Config:
    lr = 0.5

    class inner:
        scale = 3.0


class WithConfig:
    def __init__(self):
        self.cfg = Config()

    def loss(self, x):
        return np.sum(x ** 2) * self.cfg.lr * self.cfg.inner.scale


class WithProperty:
    def __init__(self, W):
        self._W = W

    @property
    def W(self):
        return self._W * 2

    def loss(self, x):
        return np.sum(np.sin(x @ self.W))


class Layers:
    def __init__(self, W, layers):
        self.W = W
        self.layers = layers

    def loss(self, x):
        h = x @ self.W
        for L in self.layers:
            h = np.tanh(h @ L)
        return np.sum(h ** 2)


class CallWithParams:
    def __init__(self, W):
        self.W = W

    def __call__(self, W, x, scale=1.0):
        return np.sum(np.tanh(x @ W) * self.W[0, 0]) * scale


class Chain:
    def __init__(self, s):
        self.s = s

    def inner(self, v, k):
        return np.sum(np.exp(v * k)) * self.s

    def outer(self, v):
        return self.inner(v, k=2.0) + Chain.inner(self, v, 1.0) + self.inner(k=0.5, v=v)

    def loss_nested(self, v):
        def inside(u):
            return self.inner(u, 3.0)
        return inside(v)


class SelfToFree:
    s = 2.0

    def inner(self, v):
        return np.sum(v ** 2) * self.s

    def loss(self, v):
        return helper_of_model(self, v)


def helper_of_model(m, v):
    return m.inner(v) * 3.0


def times_two(fn):
    @functools.wraps(fn)
    def wrapper(self, x):
        return fn(self, x) * 2.0
    return wrapper


class Decorated:
    k = 3.0

    @times_two
    def loss(self, x):
        return np.sum(x ** 2) * self.k


# ==================== 1. callables

def test_bound_method():
    m = Model(W0, 2.0)
    np.testing.assert_allclose(s2sgrad.grad(m.loss)(X0), central(m.loss, X0), atol=1e-6)


def test_callable_instance():
    m = Model(W0, 2.0)
    np.testing.assert_allclose(s2sgrad.grad(m)(X0), central(m, X0), atol=1e-6)


def test_inherited_call_and_overridden_forward():
    m = Inherits(W0, 1.0)
    np.testing.assert_allclose(s2sgrad.grad(m)(X0), central(m, X0), atol=1e-6)
    s = SinModel(W0, 1.5)
    np.testing.assert_allclose(s2sgrad.grad(s.loss)(X0), central(s.loss, X0), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(s)(X0), central(s, X0), atol=1e-6)


def test_base_and_subclass_instances_get_their_own_forward():
    base, sub = Model(W0, 1.0), SinModel(W0, 1.0)
    g_base, g_sub = s2sgrad.grad(base.loss), s2sgrad.grad(sub.loss)
    np.testing.assert_allclose(g_base(X0), central(base.loss, X0), atol=1e-6)
    np.testing.assert_allclose(g_sub(X0), central(sub.loss, X0), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(base.loss)(X0), central(base.loss, X0), atol=1e-6)


def test_staticmethod_and_classmethod():
    m = Model(W0)
    np.testing.assert_allclose(s2sgrad.grad(Model.sq)(X0), 2 * X0)
    np.testing.assert_allclose(s2sgrad.grad(m.sq)(X0), 2 * X0)
    np.testing.assert_allclose(s2sgrad.grad(Model.cm)(X0), 3 * np.cos(X0))
    np.testing.assert_allclose(s2sgrad.grad(m.cm)(X0), 3 * np.cos(X0))
    np.testing.assert_allclose(s2sgrad.grad(m.uses_static)(X0), 4 * X0)


def test_two_instances_use_their_own_W():
    m1, m2 = Model(W0, 1.0), Model(2 * W0, 1.0)
    np.testing.assert_allclose(s2sgrad.grad(m1.loss)(X0), central(m1.loss, X0), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(m2.loss)(X0), central(m2.loss, X0), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(m1)(X0), central(m1, X0), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(m2)(X0), central(m2, X0), atol=1e-6)
    q1, q2 = Quadratic(A0), Quadratic(3 * A0)
    np.testing.assert_allclose(s2sgrad.hessian(q1.f)(V0), q1.hess(V0), atol=1e-8)
    np.testing.assert_allclose(s2sgrad.hessian(q2.f)(V0), q2.hess(V0), atol=1e-8)
    u = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.hvp(q2.f)(V0, u), q2.hess(V0) @ u, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.hvp(q1.f)(V0, u), q1.hess(V0) @ u, atol=1e-8)


def test_instance_changed_after_grad():
    m = Model(W0, 1.0)
    g = s2sgrad.grad(m.loss)
    g(X0)
    m.W = 3 * W0
    m.scale = 0.5
    np.testing.assert_allclose(g(X0), central(m.loss, X0), atol=1e-6)


def test_wrt_of_a_bound_method_skips_self():
    m = Model(W0, 2.0)
    np.testing.assert_allclose(s2sgrad.grad(m.loss_w)(W0, X0),
                               central(lambda w: m.loss_w(w, X0), W0), atol=1e-6)
    dx = central(lambda v: m.loss_w(W0, v), X0)
    np.testing.assert_allclose(s2sgrad.grad(m.loss_w, wrt='x')(W0, X0), dx, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(m.loss_w, wrt=1)(W0, X0), dx, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.grad(m.loss_w, wrt=-1)(W0, X0), dx, atol=1e-6)
    gw, gx = s2sgrad.grad(m.loss_w, wrt=(0, 'x'))(W0, X0)
    np.testing.assert_allclose(gx, dx, atol=1e-6)
    np.testing.assert_allclose(gw, central(lambda w: m.loss_w(w, X0), W0), atol=1e-6)
    with pytest.raises(WrtError):
        s2sgrad.grad(m.loss_w, wrt='self')
    with pytest.raises(WrtError):
        s2sgrad.grad(m.loss_w, wrt=2)


def test_partials():
    m = Model(W0, 2.0)
    p = functools.partial(m.loss_w, W0)
    np.testing.assert_allclose(s2sgrad.grad(p)(X0), central(p, X0), atol=1e-6)
    pk = functools.partial(Model.loss_w, m, x=X0)
    np.testing.assert_allclose(s2sgrad.grad(pk)(W0), central(lambda w: pk(w), W0), atol=1e-6)
    # a keyword bound by the partial can be overridden at the call, as for the partial itself
    np.testing.assert_allclose(s2sgrad.grad(pk)(W0, x=2 * X0),
                               central(lambda w: pk(w, x=2 * X0), W0), atol=1e-6)
    c = CallWithParams(W0)
    pp = functools.partial(functools.partial(c, W0), scale=3.0)
    np.testing.assert_allclose(s2sgrad.grad(pp)(X0), central(pp, X0), atol=1e-6)


def test_operators_on_bound_methods_and_partials():
    m = Model(W0, 2.0)
    dx = central(m.loss, X0)
    t = RNG.normal(size=X0.shape)
    value, g = s2sgrad.value_and_grad(m.loss)(X0)
    assert np.isclose(value, m.loss(X0))
    np.testing.assert_allclose(g, dx, atol=1e-6)
    assert np.isclose(s2sgrad.jvp(m.loss)(X0, t), np.sum(dx * t), atol=1e-6)
    np.testing.assert_allclose(s2sgrad.vjp(m.loss)(X0, 2.0), 2 * dx, atol=1e-6)
    jac = s2sgrad.jacobian(m.forward)(X0)
    assert jac.shape == (4, 2, 4, 3)
    np.testing.assert_allclose(jac[1, 0], central(lambda v: m.forward(v)[1, 0], X0), atol=1e-6)
    hv = s2sgrad.hvp(m.loss)(X0, t)
    expected = central(lambda v: np.sum(central(m.loss, v, 1e-4) * t), X0, 1e-3)
    np.testing.assert_allclose(hv, expected, atol=2e-3)
    p = functools.partial(Quadratic.f, Quadratic(A0))
    np.testing.assert_allclose(s2sgrad.hessian(p)(V0), Quadratic(A0).hess(V0), atol=1e-8)
    q = Quadratic(3 * A0)
    assert np.isclose(s2sgrad.jvp(functools.partial(Quadratic.f, q))(V0, np.array([1.0, 0.0])),
                      (3 * A0 @ V0 + np.cos(V0))[0])
    s2sgrad.check_grads(m.loss, (X0,), modes=('rev', 'fwd'), order=2)
    s2sgrad.check_grads(m, (X0,), modes=('rev', 'fwd'), order=2)
    s2sgrad.check_grads(functools.partial(m.loss_w, W0), (X0,), modes=('rev', 'fwd'), order=2)


def test_callable_instance_with_parameters():
    c = CallWithParams(W0)
    np.testing.assert_allclose(s2sgrad.grad(c, wrt='W')(W0, X0),
                               central(lambda w: c(w, X0), W0), atol=1e-6)
    assert np.isclose(s2sgrad.grad(c, wrt='scale')(W0, X0, scale=2.0), c(W0, X0))
    t = (np.ones_like(W0), np.zeros_like(X0))
    assert np.isclose(s2sgrad.jvp(c, wrt=(0, 1))(W0, X0, t),
                      np.sum(central(lambda w: c(w, X0), W0)), atol=1e-6)
    hw, hx = s2sgrad.hvp(c, wrt=(0, 1))(W0, X0, t)
    assert hw.shape == W0.shape and hx.shape == X0.shape
    s2sgrad.check_grads(c, (W0, X0), wrt=(0, 1), modes=('rev', 'fwd'), order=2)
    s2sgrad.check_grads(c, (W0, X0), wrt='x', modes=('rev', 'fwd'), order=2)


def test_methods_calling_methods():
    n = Named(W0)
    np.testing.assert_allclose(s2sgrad.grad(n.f)(X0), central(n.f, X0), atol=1e-6)
    r = Recursive(3)
    np.testing.assert_allclose(s2sgrad.grad(r.loss)(X0), central(r.loss, X0), atol=1e-6)
    ch = Chain(1.5)
    v = V0
    expected = 1.5 * (2 * np.exp(2 * v) + np.exp(v) + 0.5 * np.exp(0.5 * v))
    np.testing.assert_allclose(s2sgrad.grad(ch.outer)(v), expected)
    np.testing.assert_allclose(s2sgrad.grad(ch.loss_nested)(v), 1.5 * 3 * np.exp(3 * v))
    np.testing.assert_allclose(s2sgrad.grad(SelfToFree().loss)(v), 12 * v)
    np.testing.assert_allclose(s2sgrad.grad(Decorated().loss)(v), 12 * v)


def test_attributes_are_constants():
    np.testing.assert_allclose(s2sgrad.grad(WithConfig().loss)(X0), 3.0 * X0)
    p = WithProperty(W0)
    np.testing.assert_allclose(s2sgrad.grad(p.loss)(X0), central(p.loss, X0), atol=1e-6)
    lay = Layers(W0, [np.eye(2) * 0.5, np.ones((2, 2))])
    np.testing.assert_allclose(s2sgrad.grad(lay.loss)(X0), central(lay.loss, X0), atol=1e-6)


# --- callables: bugs

def sin_activation(v):
    return np.sin(v)


class ActivationNet:
    def __init__(self, W, act=None):
        self.W = W
        if act is not None:
            self.act = act      # an instance attribute shadows the method below

    def act(self, v):
        return np.tanh(v)

    def loss(self, x):
        return np.sum(self.act(x @ self.W))


def test_instance_attribute_shadowing_a_method():
    net = ActivationNet(W0, sin_activation)
    np.testing.assert_allclose(s2sgrad.grad(net.loss)(X0), central(net.loss, X0), atol=1e-6)


class Replaceable:
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return np.tanh(x @ self.W)

    def loss(self, x):
        return np.sum(self.forward(x))


def sin_forward(self, x):
    return np.sin(x @ self.W)


def test_method_replaced_on_class_then_grad_again():
    m = Replaceable(W0)
    s2sgrad.grad(m.loss)(X0)
    original = Replaceable.forward
    Replaceable.forward = sin_forward
    try:
        np.testing.assert_allclose(s2sgrad.grad(m.loss)(X0), central(m.loss, X0), atol=1e-6)
    finally:
        Replaceable.forward = original


class Ops:
    @staticmethod
    def act(v):
        return np.tanh(v)


def via_class_attribute(x):
    return np.sum(Ops.act(x))


def module_act(v):
    return np.tanh(v)


def via_module_attribute(x):
    return np.sum(THIS.module_act(x))


def test_attribute_helpers_replaced_then_grad_again():
    x = np.array([0.3, -1.2, 2.0])
    s2sgrad.grad(via_class_attribute)(x)
    s2sgrad.grad(via_module_attribute)(x)
    old_static, old_module = Ops.__dict__['act'], THIS.module_act
    Ops.act = staticmethod(sin_activation)
    THIS.module_act = sin_activation
    try:
        np.testing.assert_allclose(s2sgrad.grad(via_class_attribute)(x), np.cos(x))
        np.testing.assert_allclose(s2sgrad.grad(via_module_attribute)(x), np.cos(x))
    finally:
        Ops.act = old_static
        THIS.module_act = old_module


class ClassmethodViaSelf:
    K = 2.0

    @classmethod
    def scale(cls, v):
        return v * cls.K

    def loss(self, x):
        return np.sum(self.scale(x) ** 2)


def test_classmethod_called_through_self():
    np.testing.assert_allclose(s2sgrad.grad(ClassmethodViaSelf().loss)(X0), 8 * X0)


class Layer:
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return np.tanh(x @ self.W)


class Composed:
    def __init__(self, W):
        self.layer = Layer(W)

    def loss(self, x):
        return np.sum(self.layer.forward(x))


class SuperCall(Model):
    def forward(self, x):
        return super().forward(x) * 2.0


def test_composed_and_super_calls():
    c = Composed(W0)
    np.testing.assert_allclose(s2sgrad.grad(c.loss)(X0), central(c.loss, X0), atol=1e-6)
    s = SuperCall(W0)
    np.testing.assert_allclose(s2sgrad.grad(s.loss)(X0), central(s.loss, X0), atol=1e-6)


class Sliced:
    def __init__(self, W):
        self.W = W

    def loss(self, W, x):
        return np.sum(np.tanh(x @ W)) + np.sum(self.W * W)


def test_wrt_names_an_argument_bound_by_a_partial():
    p = functools.partial(Sliced(W0).loss, W0)
    with pytest.raises(WrtError):
        s2sgrad.grad(p, wrt='W')
    with pytest.raises(WrtError):
        s2sgrad.grad(p, wrt=1)


class NotAFunction:
    pass


def test_grad_of_a_class_says_it_is_a_class():
    with pytest.raises(S2SError, match='class|not a function'):
        s2sgrad.grad(NotAFunction)


# ==================== 2. containers of parameters

def mlp_dict(params, x):
    h = np.tanh(x @ params['W1'] + params['b1'])
    return np.sum((h @ params['W2']) ** 2)


def mlp_pair(params, x):
    W1, b1 = params
    return np.sum(np.tanh(x @ W1 + b1) ** 2)


def mlp_layers(layers, x):
    h = x
    for W, b in layers:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def nested_params(p, x):
    return np.sum(p['enc'][0] * x) + np.sum(p['enc'][1]['b'] ** 2) + p['s'] * 3.0


def enumerate_layers(layers, x):
    h = x
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1:
            h = np.tanh(h)
    return np.sum(h ** 2)


def last_layers(layers, x):
    W, b = layers[-1]
    first = layers[:1]
    return np.sum(np.tanh(x[:, :3] @ first[0][0] @ W + b))


def zipped_layers(layers, scales, x):
    h = x
    for (W, b), s in zip(layers, scales):
        h = np.tanh(h @ W + b) * s
    return np.sum(h)


def aliased_entries(p, x):
    return np.sum(x @ p['a']) + 2.0 * np.sum((x @ p['b']) ** 2)


def int_keys(p, x):
    return np.sum(p[0] * x) + np.sum(p[(1, 2)] ** 2)


def assign_into_list(p, x):
    p[0] = p[0] * 3.0
    return np.sum(x @ p[0]) + np.sum(np.sin(x @ p[1]))


def inplace_entry(p, x):
    p['W'] *= 2.0
    return np.sum(x @ p['W'])


def mixed_leaves(p, x):
    h = x @ p['W']
    for _ in range(p['n']):
        h = np.tanh(h)
    if p['act'] == 'sin':
        h = np.sin(h)
    return np.sum(h) * p['s']


def float32_entries(p, x):
    return np.sum(x.astype(np.float32) @ p['W']) * p['s'] * p['i']


PD = {'W1': RNG.normal(size=(3, 5)), 'b1': RNG.normal(size=5), 'W2': RNG.normal(size=(5, 2))}
PL = [RNG.normal(size=(3, 5)), RNG.normal(size=5)]
LAYERS = [(RNG.normal(size=(3, 4)), RNG.normal(size=4)),
          (RNG.normal(size=(4, 2)), RNG.normal(size=2))]
PN = {'enc': [RNG.normal(size=(4, 3)), {'b': RNG.normal(size=2)}], 's': 1.5}


@pytest.mark.parametrize('f, params', [
    (mlp_dict, PD), (mlp_pair, PL), (mlp_pair, tuple(PL)), (mlp_layers, LAYERS),
    (nested_params, PN), (enumerate_layers, LAYERS), (last_layers, LAYERS),
    (int_keys, {0: RNG.normal(size=(4, 3)), (1, 2): RNG.normal(size=2)}),
    (aliased_entries, {'a': W0, 'b': W0}),
], ids=lambda v: getattr(v, '__name__', None) or type(v).__name__)
def test_container_gradients(f, params):
    assert_tree_grad(s2sgrad.grad(f)(params, X0), params, lambda p: f(p, X0))
    value, g = s2sgrad.value_and_grad(f)(params, X0)
    assert np.isclose(value, f(params, X0))
    assert_tree_grad(g, params, lambda p: f(p, X0))
    assert_tree_grad(s2sgrad.vjp(f)(params, X0, 1.0), params, lambda p: f(p, X0))
    s2sgrad.check_grads(f, (params, X0), modes=('rev', 'fwd'), order=2)


@pytest.mark.parametrize('f, params', [(mlp_dict, PD), (mlp_layers, LAYERS), (mlp_pair, PL)],
                         ids=['dict', 'layers', 'pair'])
def test_container_jvp_and_hvp(f, params):
    t = tree_add(params, params, 0.0)
    for path, leaf in leaves(params):
        t = replace(t, path, RNG.normal(size=np.shape(leaf)))
    assert np.isclose(s2sgrad.jvp(f)(params, X0, t), directional(lambda p: f(p, X0), params, t),
                      atol=1e-6)
    hv = s2sgrad.hvp(f)(params, X0, t)
    assert same_structure(hv, params)
    for path, leaf in list(leaves(params))[:2]:
        def dir_grad(p, path=path):
            return central(lambda v: f(replace(p, path, v), X0), get(p, path), 1e-4)
        expected = (dir_grad(tree_add(params, t, 1e-3)) -
                    dir_grad(tree_add(params, t, -1e-3))) / 2e-3
        np.testing.assert_allclose(get(hv, path), expected, atol=2e-3, rtol=1e-3)


def test_container_zip_and_second_argument():
    assert_tree_grad(s2sgrad.grad(zipped_layers)(LAYERS, [1.0, 2.0], X0), LAYERS,
                     lambda p: zipped_layers(p, [1.0, 2.0], X0))
    assert_tree_grad(s2sgrad.grad(zipped_layers, wrt=1)(LAYERS, [1.0, 2.0], X0), [1.0, 2.0],
                     lambda p: zipped_layers(LAYERS, p, X0))


def test_container_arguments_are_not_modified():
    lst = [W0.copy(), W0.copy()]
    before = [a for a in lst]
    g = s2sgrad.grad(assign_into_list)(lst, X0)
    assert all(a is b for a, b in zip(lst, before))
    np.testing.assert_array_equal(lst[0], W0)
    assert_tree_grad(g, [W0, W0], lambda p: assign_into_list(list(p), X0))
    d = {'W': W0.copy()}
    g = s2sgrad.grad(inplace_entry)(d, X0)
    np.testing.assert_array_equal(d['W'], W0)
    np.testing.assert_allclose(g['W'], 2.0 * np.sum(X0, 0)[:, None] * np.ones((3, 2)))


def test_container_leaf_types():
    g = s2sgrad.grad(mixed_leaves)({'W': W0, 'n': 2, 'act': 'sin', 's': 0.7}, X0)
    np.testing.assert_allclose(
        g['W'], central(lambda w: mixed_leaves({'W': w, 'n': 2, 'act': 'sin', 's': 0.7}, X0), W0),
        atol=1e-6)
    assert np.isclose(g['s'], central(lambda s: mixed_leaves({'W': W0, 'n': 2, 'act': 'sin',
                                                              's': s}, X0), 0.7))
    p = {'W': W0.astype(np.float32), 's': 2.0, 'i': np.float32(1.5)}
    g = s2sgrad.grad(float32_entries)(p, X0)
    assert g['W'].dtype == np.float32 and type(g['s']) is float and \
        type(g['i']) is np.float32


def test_empty_layer_list():
    assert s2sgrad.grad(mlp_layers)([], X0) == []
    np.testing.assert_allclose(s2sgrad.grad(mlp_layers, wrt=1)([], X0), 2 * X0)


def _dict_tangent():
    return {k: RNG.normal(size=v.shape) for k, v in PD.items()}


@pytest.mark.parametrize('tangent', [
    lambda t: {k: v for k, v in t.items() if k != 'b1'},      # missing key
    lambda t: {**t, 'extra': np.ones(2)},                      # extra key
    lambda t: {**t, 'b1': np.ones(4)},                         # wrong leaf shape
    lambda t: {**t, 'b1': 1.0},                                # scalar for an array
    lambda t: {**t, 'b1': None},                               # None leaf
    lambda t: list(t.values()),                                # list for a dict
    lambda t: np.ones(3),                                      # array for a dict
    lambda t: None,                                            # None
], ids=['missing', 'extra', 'leaf-shape', 'scalar-leaf', 'none-leaf', 'list', 'array', 'none'])
def test_wrong_tangent_structure_raises_shape_error(tangent):
    t = tangent(_dict_tangent())
    with pytest.raises(ShapeError):
        s2sgrad.jvp(mlp_dict)(PD, X0, t)
    with pytest.raises(ShapeError):
        s2sgrad.hvp(mlp_dict)(PD, X0, t)


@pytest.mark.parametrize('tangent', [
    lambda t: t[:1], lambda t: [t[0], (t[1][0],)], lambda t: [t[0], t[1][0]],
], ids=['short', 'inner-short', 'array-for-pair'])
def test_wrong_layer_tangent_raises_shape_error(tangent):
    t = tangent([(RNG.normal(size=W.shape), RNG.normal(size=b.shape)) for W, b in LAYERS])
    with pytest.raises(ShapeError):
        s2sgrad.jvp(mlp_layers)(LAYERS, X0, t)
    with pytest.raises(ShapeError):
        s2sgrad.hvp(mlp_layers)(LAYERS, X0, t)


def test_wrong_cotangent_raises_shape_error():
    with pytest.raises(ShapeError):
        s2sgrad.vjp(mlp_dict)(PD, X0, np.ones(3))


def test_missing_tangent_hint_is_followed():
    t = _dict_tangent()
    del t['b1']
    with pytest.raises(ShapeError, match='zeros of its shape'):
        s2sgrad.jvp(mlp_dict)(PD, X0, t)
    t['b1'] = np.zeros(5)
    assert np.isclose(s2sgrad.jvp(mlp_dict)(PD, X0, t),
                      directional(lambda p: mlp_dict(p, X0), PD, t), atol=1e-6)


def loop_over_dict(p, x):
    t = 0.0
    for k in p:
        t = t + np.sum(p[k] ** 3)
    return t


def test_iterating_a_dict_argument():
    p = {'a': RNG.normal(size=3), 'b': RNG.normal(size=2)}
    try:
        g = s2sgrad.grad(loop_over_dict)(p, X0)
    except S2SError:
        return   # a clean refusal is acceptable
    assert_tree_grad(g, p, lambda q: loop_over_dict(q, X0))


def items_over_dict(p, x):
    t = 0.0
    for k, v in p.items():
        t = t + np.sum(v ** 2)
    return t


def test_dict_items_message_or_support():
    p = {'a': RNG.normal(size=3), 'b': RNG.normal(size=2)}
    try:
        g = s2sgrad.grad(items_over_dict)(p, X0)
    except S2SError as e:
        assert 'bound method' not in str(e), str(e)
        return
    assert_tree_grad(g, p, lambda q: items_over_dict(q, X0))


def concatenated_lists(a, b):
    return np.sum(np.array(a + b) ** 2)


def encoder_decoder(enc, dec, x):
    h = x
    for W in enc + dec:
        h = np.tanh(h @ W)
    return np.sum(h)


def test_list_concatenation_of_arguments():
    for args, wrt in ((([1.0, 2.0], [3.0]), 0), (([1.0], [3.0, 4.0]), 1)):
        try:
            g = s2sgrad.grad(concatenated_lists, wrt=wrt)(*args)
        except S2SError:
            continue
        np.testing.assert_allclose(g, 2 * np.array(args[wrt]))
    enc = [RNG.normal(size=(3, 3))]
    dec = [RNG.normal(size=(3, 3))]
    try:
        g = s2sgrad.grad(encoder_decoder)(enc, dec, X0)
    except S2SError:
        return
    assert_tree_grad(g, enc, lambda e: encoder_decoder(e, dec, X0))


# ==================== 3. live semantics

SCALE = 2.0


def uses_global(x):
    return np.sum(x ** 2) * SCALE


def make_setter():
    c = 1.0

    def f(x):
        return np.sum(x ** 3) * c

    def set_c(v):
        nonlocal c
        c = v
    return f, set_c


def helper_r(v):
    return v ** 2


def uses_helper(x):
    return np.sum(helper_r(x))


def test_global_changed_after_grad():
    global SCALE
    x = np.array([0.3, -1.2, 2.0])
    g = s2sgrad.grad(uses_global)
    g(x)
    SCALE = 5.0
    try:
        np.testing.assert_allclose(g(x), 10 * x)
        np.testing.assert_allclose(s2sgrad.grad(uses_global)(x), 10 * x)
        np.testing.assert_allclose(s2sgrad.hvp(uses_global)(x, np.ones(3)), 10 * np.ones(3))
    finally:
        SCALE = 2.0


def test_closure_changed_after_grad():
    x = np.array([0.3, -1.2, 2.0])
    f, set_c = make_setter()
    g = s2sgrad.grad(f)
    g(x)
    set_c(4.0)
    np.testing.assert_allclose(g(x), 12 * x ** 2)
    np.testing.assert_allclose(s2sgrad.hvp(f)(x, np.ones(3)), 24 * x)


def test_helper_redefined_after_grad():
    global helper_r
    x = np.array([0.3, -1.2, 2.0])
    original = helper_r
    np.testing.assert_allclose(s2sgrad.grad(uses_helper)(x), 2 * x)
    s2sgrad.hvp(uses_helper)(x, np.ones(3))

    def helper_r(v):  # noqa: F811  (rebinds the module-level name, as a redefinition does)
        return v ** 3
    try:
        np.testing.assert_allclose(s2sgrad.grad(uses_helper)(x), 3 * x ** 2)
        np.testing.assert_allclose(s2sgrad.value_and_grad(uses_helper)(x)[1], 3 * x ** 2)
        assert np.isclose(s2sgrad.jvp(uses_helper)(x, np.ones(3)), np.sum(3 * x ** 2))
        np.testing.assert_allclose(s2sgrad.vjp(uses_helper)(x, 1.0), 3 * x ** 2)
        np.testing.assert_allclose(s2sgrad.hvp(uses_helper)(x, np.ones(3)), 6 * x)
        np.testing.assert_allclose(np.diag(s2sgrad.hessian(uses_helper)(x)), 6 * x)
        s2sgrad.check_grads(uses_helper, (x,), modes=('rev', 'fwd'), order=2)
    finally:
        helper_r = original


# (closures dropped after their gradient: tests/test_api_callables.py,
# test_dropped_closures_leave_nothing_in_the_cache)


# ==================== 4. loud misuse

def returns_none(x):
    y = np.sum(x)  # noqa: F841


def returns_str(x):
    return 'loss'


def returns_list(x):
    return [np.sum(x), np.sum(x ** 2)]


def returns_tuple(x):
    return np.sum(x), 1.0


def returns_vector(x):
    return x * 2


def returns_dict_literal(x):
    return {'loss': np.sum(x)}


def returns_dict_call(x):
    return dict(loss=np.sum(x))


@pytest.mark.parametrize('f', [returns_none, returns_str, returns_list, returns_tuple,
                               returns_vector])
@pytest.mark.parametrize('op', ['grad', 'value_and_grad', 'hvp', 'hessian'])
def test_non_scalar_outputs(f, op):
    x = np.array([0.3, -1.2, 2.0])
    with pytest.raises(NonScalarOutputError):
        built = getattr(s2sgrad, op)(f)
        if op == 'hvp':
            built(x, np.ones(3))
        else:
            built(x)


def test_returns_dict_is_non_scalar():
    with pytest.raises(NonScalarOutputError):
        s2sgrad.grad(returns_dict_call)(np.ones(3))
    with pytest.raises(NonScalarOutputError):
        s2sgrad.grad(returns_dict_literal)(np.ones(3))


def times(x, y):
    return np.sum(x * y)


def test_rejected_other_argument_makes_gradient_raise():
    x = np.array([0.3, -1.2, 2.0])
    with pytest.raises(Exception):
        s2sgrad.grad(times)(x, None)
    with pytest.raises(Exception):
        s2sgrad.grad(times)(x, 'ab')
    with pytest.raises(Exception):
        s2sgrad.value_and_grad(times)(None, x)
    with pytest.raises(Exception):
        s2sgrad.vjp(times)(None, x, 1.0)


def test_rejected_wrt_argument_makes_gradient_raise():
    x = np.array([0.3, -1.2, 2.0])
    with pytest.raises(Exception):
        times(None, x)
    with pytest.raises(Exception):
        s2sgrad.grad(times)(None, x)
    with pytest.raises(Exception):
        s2sgrad.grad(times)('ab', 2.0)


def complex_abs2(x):
    return np.sum(np.abs(x) ** 2)


def complex_real(x):
    return np.sum(x ** 2).real


XC = np.array([1.0 + 2j, 0.5])


@pytest.mark.parametrize('call', [
    lambda f: s2sgrad.grad(f)(XC),
    lambda f: s2sgrad.value_and_grad(f)(XC),
    lambda f: s2sgrad.vjp(f)(XC, 1.0),
    lambda f: s2sgrad.jvp(f)(XC, np.ones(2)),
    lambda f: s2sgrad.jvp(f)(np.ones(2), np.ones(2) * 1j),
    lambda f: s2sgrad.hvp(f)(XC, np.ones(2)),
    lambda f: s2sgrad.hvp(f)(np.ones(2), np.ones(2) * 1j),
    lambda f: s2sgrad.hessian(f)(XC),
    lambda f: s2sgrad.vjp(f)(np.ones(2), 1j),
], ids=['grad', 'vag', 'vjp', 'jvp', 'jvp-tangent', 'hvp', 'hvp-tangent', 'hessian',
        'vjp-cotangent'])
def test_complex_raises_complex_error(call):
    with pytest.raises(ComplexError):
        call(complex_abs2)


def test_complex_real_attribute_raises_complex_error():
    with pytest.raises(ComplexError):
        s2sgrad.grad(complex_real)(XC)
    with pytest.raises(ComplexError):
        s2sgrad.jvp(complex_real)(XC, np.ones(2))


@pytest.mark.parametrize('obj', [np.array([1.0]), [1], 3, 'f', (times,), {'f': times}],
                         ids=['array', 'list', 'int', 'str', 'tuple', 'dict'])
@pytest.mark.parametrize('op', ['grad', 'value_and_grad', 'jvp', 'vjp', 'hvp', 'hessian'])
def test_non_callables_raise_s2s_errors(obj, op):
    with pytest.raises(S2SError):
        getattr(s2sgrad, op)(obj)


@pytest.mark.parametrize('obj', [np.array([1.0]), [1], 3, 'f', {'f': times}],
                         ids=['array', 'list', 'int', 'str', 'dict'])
def test_jacobian_and_check_grads_of_non_callables(obj):
    with pytest.raises(S2SError):
        s2sgrad.jacobian(obj)
    with pytest.raises(S2SError):
        s2sgrad.check_grads(obj, (np.ones(2),))
