"""Objects of yours that a global or enclosing name holds (``MODEL.loss(x)``, ``LAYER(x)``,
``inner = MODEL.inner``): read when the gradient runs, as the function reads them, with the
object's kind tested before its methods are called. Rebinding the name to an object of the
same kind needs no new gradient; one of another kind raises S2SError. Gradients, JVPs and
hessians checked against central differences."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

X = np.array([0.3, -0.7, 0.45])


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def numeric_hessian(f, x, eps=1e-5):
    grad = s2sgrad.grad(f)
    return np.array([(grad(x + eps * e) - grad(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


class Lin:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return self.w * x


class Square:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return self.w * x ** 2


def relu(z):
    return np.maximum(z, 0.0)


class Model:
    def __init__(self, inner, act=np.tanh):
        self.inner = inner
        self.act = act

    def __call__(self, x):
        return self.act(self.inner.forward(x))

    def loss(self, x):
        return np.sum(self(x) ** 2)


def model(seed, inner=Lin, act=np.tanh):
    return Model(inner(np.random.default_rng(seed).normal(size=3)), act)


MODEL = model(0)


def method_of_global(x):
    return MODEL.loss(x)


def called_global(x):
    return np.sum(MODEL(x) ** 3)


def nested_method(x):
    return np.sum(MODEL.inner.forward(x) * x)


def apply(m, x):
    return m(x)


def passed_global(x):
    return np.sum(apply(MODEL, x) ** 2)


def attribute_taken(x):
    inner = MODEL.inner
    return np.sum(np.sin(inner.forward(x)))


def alias_taken(x):
    m = MODEL
    return m.loss(x) * 0.5


PROGRAMS = [method_of_global, called_global, nested_method, passed_global, attribute_taken,
            alias_taken]


@pytest.fixture
def restore_model():
    global MODEL
    saved = MODEL
    yield
    MODEL = saved


@pytest.mark.parametrize('f', PROGRAMS)
def test_a_global_object_rebound_is_read_when_the_gradient_runs(f, restore_model):
    global MODEL
    MODEL = model(0)
    grad, jvp, hessian = s2sgrad.grad(f), s2sgrad.jvp(f), s2sgrad.hessian(f)
    assert np.allclose(grad(X), numeric_grad(f, X), atol=1e-6)
    MODEL = model(1)  # (an existing gradient used the object `grad` saw)
    assert np.allclose(grad(X), numeric_grad(f, X), atol=1e-6)
    assert jvp(X, np.ones(3)) == pytest.approx(np.sum(numeric_grad(f, X)), abs=1e-6)
    assert np.allclose(hessian(X), numeric_hessian(f, X), atol=1e-5)


@pytest.mark.parametrize('f', PROGRAMS)
@pytest.mark.parametrize('other', ['class', 'function', 'nested', 'attribute set'])
def test_a_global_object_of_another_kind_raises(f, other, restore_model):
    global MODEL
    MODEL = model(0)
    operators = [s2sgrad.grad(f), s2sgrad.jvp(f), s2sgrad.hessian(f)]
    if other == 'class':
        MODEL = Lin(np.ones(3))
    elif other == 'function':
        MODEL = model(1, act=relu)
    elif other == 'nested':
        MODEL = model(1, inner=Square)
    else:
        MODEL.inner = Square(np.ones(3))  # (the same object, holding another)
    if other == 'class' and f is attribute_taken:
        with pytest.raises(AttributeError):  # (as `f` itself raises: a Lin has no `inner`)
            f(X)
        expected = AttributeError
    elif other == 'function' and f is attribute_taken:
        expected = None  # (only `MODEL.inner` is called, and tested: the gradient holds)
    else:
        expected = S2SError
    for operator in operators:
        args = (X, np.ones(3)) if operator is operators[1] else (X,)
        if expected is None:
            assert np.allclose(operators[0](X), numeric_grad(f, X), atol=1e-6)
            continue
        with pytest.raises(expected, match='inner' if expected is AttributeError else
                           'call s2sgrad.grad again'):
            operator(*args)
    if other != 'class':  # (a new gradient is made for the object the name holds now)
        assert np.allclose(s2sgrad.grad(f)(X), numeric_grad(f, X), atol=1e-6)
        assert np.allclose(s2sgrad.hessian(f)(X), numeric_hessian(f, X), atol=1e-5)


def test_an_enclosing_object_rebound_is_read_when_the_gradient_runs():
    def make():
        held = model(0)

        def f(x):
            return np.sum(held(x) ** 2)

        def swap(new):
            nonlocal held
            held = new
        return f, swap

    f, swap = make()
    grad = s2sgrad.grad(f)
    swap(model(2))
    assert np.allclose(grad(X), numeric_grad(f, X), atol=1e-6)
    swap(model(2, act=relu))
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        grad(X)


def test_the_kind_test_is_in_the_printed_code(restore_model):
    source = s2sgrad.grad(nested_method).source
    assert 'type(MODEL) is Model' in source and 'MODEL.act is np.tanh' in source
    assert 'type(MODEL.inner) is Lin' in source
    assert 'Lin_forward_fwd(MODEL.inner, x)' in source


def test_a_global_object_whose_attributes_change_in_place(restore_model):
    """Attributes holding data are read when the gradient runs (as before)."""
    grad = s2sgrad.grad(method_of_global)
    MODEL.inner.w = MODEL.inner.w * 3.0
    assert np.allclose(grad(X), numeric_grad(method_of_global, X), atol=1e-6)


LAYERS = [Lin(np.ones(3)), Lin(np.full(3, 0.5))]


def through_layers(x):
    for layer in LAYERS:
        x = np.tanh(layer.forward(x))
    return np.sum(x ** 2)


def test_grad_called_again_after_an_item_of_another_kind_is_put_in_a_global_list():
    """The existing gradient raises; `grad` called again makes one for the list's kinds now
    (the cache checks the kinds of the objects a gradient was made for, not only which
    objects the names hold)."""
    saved = list(LAYERS)
    grad = s2sgrad.grad(through_layers)
    try:
        LAYERS[1] = Square(np.full(3, 0.5))
        with pytest.raises(S2SError, match='call s2sgrad.grad again'):
            grad(X)
        assert np.allclose(s2sgrad.grad(through_layers)(X), numeric_grad(through_layers, X),
                           atol=1e-6)
    finally:
        LAYERS[:] = saved


def users_cube(z):
    return z ** 3


HELD = Model(Lin(np.array([0.5, -1.0, 2.0])), act=users_cube)


def held_loss(x):
    return HELD.loss(x)


def test_the_printed_kind_test_runs_where_numpy_the_runtime_and_your_names_are():
    grad = s2sgrad.grad(held_loss)
    space = {'np': np, 's2s': s2sgrad.runtime}
    space.update({k: v for k, v in globals().items() if not k.startswith('__')})
    exec(compile(grad.source, '<printed>', 'exec'), space)
    assert 'raise s2s.S2SError(' in grad.source
    np.testing.assert_allclose(space[grad.__name__](X), grad(X))
    space['HELD'] = Model(Lin(np.ones(3)), act=relu)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        space[grad.__name__](X)
