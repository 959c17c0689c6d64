"""Models that hold their layers in lists: ``for layer in self.layers: h = layer(h)``, a
Sequential of layers of several classes, global lists of layers, and optional activations
(``self.act = None``). Every gradient is checked against central differences of the model."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError, S2SError, UnsupportedSyntaxError

X = np.array([0.3, -0.2, 0.5])
V = np.array([1.0, -0.5, 2.0])


def numeric_grad(f, x, eps=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        out[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return out


def check(f, x=X):
    """The gradient and the JVP of `f` at `x` against central differences; the input is
    left as it was."""
    before = x.copy()
    expected = numeric_grad(f, x)
    assert np.allclose(s2sgrad.grad(f)(x), expected, atol=1e-6)
    assert np.allclose(s2sgrad.jvp(f)(x, V), expected @ V, atol=1e-6)
    assert np.array_equal(x, before)


def relu(z):
    return np.maximum(z, 0.0)


class Dense:
    def __init__(self, n, m, seed, act=np.tanh):
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((n, m)) * 0.7
        self.b = rng.standard_normal(m) * 0.1
        self.act = act

    def forward(self, x):
        return self.act(x @ self.W + self.b)

    def __call__(self, x):
        return self.forward(x)


class Linear:
    """A layer whose activation is optional (None: none)."""

    def __init__(self, n, m, seed, act=None):
        self.W = np.random.default_rng(seed).standard_normal((n, m)) * 0.7
        self.act = act

    def __call__(self, x):
        z = x @ self.W
        if self.act is not None:
            z = self.act(z)
        return z


class Tanh:
    def __call__(self, x):
        return np.tanh(x)


class Scale:
    factor = 2.0

    def __call__(self, x):
        return self.factor * x


class Residual:
    def __init__(self, inner):
        self.inner = inner

    def __call__(self, x):
        return x + self.inner(x)


class MLP:
    def __init__(self, layers):
        self.layers = layers

    def loop(self, x):
        h = x
        for layer in self.layers:
            h = layer.forward(h)
        return np.sum(h ** 2)

    def indexed(self, x):
        h = x
        for i in range(len(self.layers)):
            h = self.layers[i].forward(h)
        return np.sum(h ** 2)

    def numbered(self, x):
        h = x
        for i, layer in enumerate(self.layers):
            h = layer(h) * (i + 1.0)
        return np.sum(h ** 2)

    def backwards(self, x):
        h = x
        for layer in reversed(self.layers[1:]):
            h = layer(h)
        return np.sum(h ** 2)

    def weighted(self, x):
        total = 0.0
        for layer, w in zip(self.layers, [1.0, 3.0]):
            total = total + w * np.sum(layer(x[:2]) ** 2)
        return total

    def listed(self, x):
        outs = [layer(x[:2]) for layer in self.layers]
        return np.sum(outs[0] * outs[1])

    def summed(self, x):
        return sum(np.sum(layer(x[:2])) for layer in self.layers)

    def stepped(self, x):
        i = 0
        h = x
        while i < len(self.layers):
            h = self.layers[i](h)
            i += 1
        return np.sum(h ** 2)


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def loss(self, x):
        return np.sum(self(x) ** 2)

    def skip(self, x):
        h = x
        for i in range(len(self.layers)):
            h = self.layers[i](h) + 0.1 * h.sum()
        return np.sum(h ** 2)

    def first_last(self, x):
        return np.sum(self.layers[-1](self.layers[0](x)))


def chain():
    return MLP([Dense(3, 4, 0), Dense(4, 4, 1), Dense(4, 2, 2)])


def square():
    return MLP([Dense(3, 3, 0), Dense(3, 3, 1), Dense(3, 3, 2)])


def pair():
    return MLP((Dense(2, 3, 0), Dense(2, 3, 1, act=np.sin)))


@pytest.mark.parametrize('method', ['loop', 'indexed', 'numbered', 'stepped'])
def test_a_list_of_layers_of_one_class(method):
    check(getattr(chain(), method))


def test_a_slice_of_a_list_of_layers_reversed():
    check(square().backwards)


@pytest.mark.parametrize('method', ['weighted', 'listed', 'summed'])
def test_layers_of_one_class_holding_different_functions(method):
    check(getattr(pair(), method))


def mixed():
    return Sequential(Linear(3, 4, 0), Tanh(), Linear(4, 4, 1, act=np.sin),
                      Residual(Linear(4, 4, 2, act=relu)), Scale(), Linear(4, 2, 3))


@pytest.mark.parametrize('method', ['loss', 'skip'])
def test_a_sequential_of_layers_of_several_classes(method):
    check(getattr(mixed(), method))


def test_two_items_of_a_sequential_called_in_one_statement():
    check(Sequential(Linear(3, 3, 0), Tanh(), Linear(3, 3, 1, act=np.sin)).first_last)
    with pytest.raises(UnsupportedSyntaxError, match='call each in a statement of its own'):
        s2sgrad.grad(mixed().first_last)  # (5 kinds of each: 25 branches)


def test_each_kind_of_layer_is_a_branch_of_the_printed_code():
    source = s2sgrad.grad(mixed().loss).source
    assert 'type(layer) is Tanh' in source
    assert 'type(layer) is Linear and layer.act is np.sin' in source
    assert 'type(layer) is Residual' in source
    assert 'raise s2s.S2SError' in source


def test_the_hessian_of_a_sequential_of_several_classes():
    model = Sequential(Linear(3, 4, 0, act=np.sin), Tanh(), Residual(Linear(4, 4, 1)))
    hessian = s2sgrad.hessian(model.loss)(X)
    grad = s2sgrad.grad(model.loss)
    for i in range(3):
        assert np.allclose(hessian[i], numeric_grad(lambda x: grad(x)[i], X), atol=1e-5)


def test_an_optional_activation_left_out():
    layer = Linear(3, 2, 0)  # act=None: `self.act(z)` never runs
    check(lambda x: np.sum(layer(x) ** 2))
    check(Sequential(Linear(3, 2, 0)).loss)


def test_calling_an_attribute_that_holds_none_raises_as_python_does():
    class Always:
        def __init__(self):
            self.act = None

        def __call__(self, x):
            return np.sum(self.act(x))

    model = Always()
    with pytest.raises(TypeError, match='not callable'):
        model(X)
    with pytest.raises(TypeError, match='self.act'):
        s2sgrad.grad(model)(X)


LAYERS = [Dense(3, 4, 0), Dense(4, 2, 1)]
MIXED = (Linear(3, 3, 0), Tanh(), Residual(Dense(3, 3, 1)))
MODEL = MLP(LAYERS)


def global_loop(x):
    h = x
    for layer in LAYERS:
        h = layer.forward(h)
    return np.sum(h ** 2)


def global_indexed(x):
    h = x
    for i in range(len(LAYERS)):
        h = LAYERS[i].forward(h)
    return np.sum(h ** 2)


def global_mixed(x):
    for layer in MIXED:
        x = layer(x)
    return np.sum(x ** 2)


def global_model(x):
    h = x
    for layer in MODEL.layers:
        h = layer(h)
    return np.sum(h ** 2)


@pytest.mark.parametrize('f', [global_loop, global_indexed, global_mixed, global_model])
def test_a_global_list_of_layers(f):
    check(f)


def test_a_layer_of_the_same_class_appended_later_is_differentiated():
    model = Sequential(Linear(3, 3, 0), Tanh())
    grad = s2sgrad.grad(model.loss)
    model.layers.append(Linear(3, 2, 5))
    assert np.allclose(grad(X), numeric_grad(model.loss, X), atol=1e-6)


def test_a_layer_of_another_class_put_in_later_is_refused():
    model = MLP([Dense(3, 3, 0), Dense(3, 2, 1)])
    grad = s2sgrad.grad(model.loop)
    model.layers[1] = Linear(3, 2, 1)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        grad(X)


def test_a_layer_holding_another_function_put_in_later_is_refused():
    model = mixed()
    grad = s2sgrad.grad(model.loss)
    model.layers[2].act = np.cos  # (the gradient was made for its `np.sin`)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        grad(X)


def test_a_list_of_functions_is_refused():
    class Acts:
        def __init__(self):
            self.acts = [np.tanh, np.sin]

        def loss(self, x):
            return np.sum(self.acts[1](x))

    with pytest.raises(NoRuleError):
        s2sgrad.grad(Acts().loss)(X)


class Optional:
    def __init__(self, act=None, scale=None):
        self.act, self.scale = act, scale

    def __call__(self, x):
        z = self.act(x) if self.act is not None else x
        if self.scale:
            z = self.scale(z) * 2.0
        return np.sum(z ** 2)


@pytest.mark.parametrize('act', [None, np.tanh])
@pytest.mark.parametrize('scale', [None, np.sin])
def test_optional_functions_in_conditional_expressions(act, scale):
    check(Optional(act, scale))


class Block:
    def __init__(self, seed):
        self.body = Sequential(Linear(3, 3, seed, act=np.tanh), Scale())

    def __call__(self, x):
        return x + self.body(x)


def test_sequentials_nested_in_sequentials():
    model = Sequential(Block(0), Tanh(), Block(1), Residual(Linear(3, 3, 2, act=np.sin)))
    check(model.loss)


class Module:
    """A PyTorch-like base class: calling the object calls its `forward`."""

    def __call__(self, x):
        return self.forward(x)


class Lin(Module):
    def __init__(self, seed):
        self.W = np.random.default_rng(seed).standard_normal((3, 3)) * 0.6

    def forward(self, x):
        return x @ self.W

    def gain(self):
        return 1.0


class Louder(Lin):
    def gain(self):
        return 10.0


class Th(Module):
    def forward(self, x):
        return np.tanh(x)


class Act(Module):
    def __init__(self, fn):
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Res(Module):
    def __init__(self, inner):
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


def apply(layer, h):
    return layer(h) * 0.5


class Net(Module):
    def __init__(self, layers, encoder=(), decoder=()):
        self.layers = layers
        self.encoder, self.decoder = list(encoder), list(decoder)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def loss(self, x):
        return np.sum(self(x) ** 2)

    def gained(self, x):
        for layer in self.layers:
            x = np.tanh(layer.forward(x)) * layer.gain()
        return np.sum(x ** 2)

    def temporary(self, x):
        for i in range(len(self.layers)):
            layer = self.layers[i]
            x = layer(x)
        return np.sum(x ** 2)

    def unpacked(self, x):
        first, second = self.layers
        return np.sum(second(first(x)) ** 2)

    def two_lists(self, x):
        for layer in self.encoder:
            x = layer(x)
        for layer in self.decoder:
            x = layer(x)
        return np.sum(x ** 2)

    def joined(self, x):
        for layer in self.encoder + self.decoder:
            x = layer(x)
        return np.sum(x ** 2)

    def displayed(self, x):
        for layer in (self.layers[0], self.encoder[0]):
            x = layer(x)
        return np.sum(x ** 2)

    def passed(self, x):
        for layer in self.layers:
            x = apply(layer, x)
        return np.sum(x ** 2)

    def stepped(self, x):
        for layer in self.layers:
            x = self.step(layer, x)
        return np.sum(x ** 2)

    def step(self, layer, x):
        return layer(x) + 0.1 * x


@pytest.mark.parametrize('method', ['loss', 'temporary', 'passed', 'stepped'])
@pytest.mark.parametrize('layers', [[Lin(0), Lin(1)], [Lin(0), Th()], (Res(Lin(2)), Louder(3))],
                         ids=['one-class', 'two-classes', 'tuple'])
def test_ways_of_walking_the_layers(method, layers):
    check(getattr(Net(layers), method))


@pytest.mark.parametrize('layers', [[Lin(0), Lin(1)], (Lin(2), Louder(3))])
def test_a_method_called_for_a_value_that_needs_no_derivative(layers):
    check(Net(layers).gained)


@pytest.mark.parametrize('method', ['unpacked', 'two_lists', 'joined', 'displayed'])
def test_layers_unpacked_joined_and_in_displays(method):
    check(getattr(Net([Lin(0), Th()], encoder=[Lin(1), Act(np.sin)], decoder=[Res(Lin(2))]),
                  method))


@pytest.mark.parametrize('layers', [
    [Res(Lin(0)), Res(Th())],  # one class holding objects of different classes
    [Res(Act(np.tanh)), Res(Act(np.sin))],  # ... holding different functions
    [Net([Lin(0), Th()]), Net([Lin(1), Act(np.sin)])],  # Sequentials in a Sequential
    [Res(Net([Lin(0), Th()])), Th()],
])
def test_items_of_one_class_holding_different_objects(layers):
    check(Net(layers).loss)


@pytest.mark.parametrize('method', ['loss', 'passed'])
def test_the_hessian_through_an_inherited_call(method):
    model = Net([Lin(0), Th(), Res(Lin(1))])
    hessian = s2sgrad.hessian(getattr(model, method))(X)
    grad = s2sgrad.grad(getattr(model, method))
    for i in range(3):
        assert np.allclose(hessian[i], numeric_grad(lambda x: grad(x)[i], X), atol=1e-5)


@pytest.mark.parametrize('change', ['function', 'nested function', 'subclass'])
def test_an_item_of_another_kind_put_in_later_is_refused(change):
    """Even where no branch was needed: each item called is tested when the gradient runs
    (each was a silently wrong gradient)."""
    if change == 'function':
        model, new = Net([Act(np.tanh), Act(np.tanh)]), Act(np.sin)
    elif change == 'nested function':
        model, new = Net([Lin(0), Res(Act(np.tanh))]), Res(Act(np.sin))
    else:
        model, new = Net([Lin(0), Lin(1)]), Louder(1)
    grad = s2sgrad.grad(model.gained if change == 'subclass' else model.loss)
    grad(X)
    model.layers.append(new)
    with pytest.raises(S2SError, match='call s2sgrad.grad again'):
        grad(X)


GLOBAL_LAYERS = [Lin(0), Th()]


def global_layers(x):
    for layer in GLOBAL_LAYERS:
        x = layer(x)
    return np.sum(x ** 2)


def test_a_global_list_rebound_is_read_when_the_gradient_runs():
    global GLOBAL_LAYERS
    grad = s2sgrad.grad(global_layers)
    saved = GLOBAL_LAYERS
    try:
        GLOBAL_LAYERS = [Lin(5), Th(), Lin(6)]  # (the gradient used the old list)
        assert np.allclose(grad(X), numeric_grad(global_layers, X), atol=1e-6)
    finally:
        GLOBAL_LAYERS = saved


def test_an_enclosing_list_rebound_is_read_when_the_gradient_runs():
    def make():
        layers = [Lin(0), Th()]

        def f(x):
            for layer in layers:
                x = layer(x)
            return np.sum(x ** 2)

        def swap(new):
            nonlocal layers
            layers = new
        return f, swap

    f, swap = make()
    grad = s2sgrad.grad(f)
    swap([Th(), Lin(7)])
    assert np.allclose(grad(X), numeric_grad(f, X), atol=1e-6)


def test_a_layer_of_one_kind_is_tested_before_its_call_in_the_printed_code():
    source = s2sgrad.grad(Net([Lin(0), Lin(1)]).loss).source
    assert 'type(layer) is not Lin' in source
    assert 'raise s2s.S2SError(' in source


class Wrapper:
    """PyTorch-like: ``__call__(self, *args)``."""

    def __call__(self, *args):
        return self.forward(args[0])


class Scaled(Wrapper):
    def __init__(self, seed):
        self.W = np.random.default_rng(seed).standard_normal((3, 3)) * 0.6

    def forward(self, x):
        return np.tanh(x @ self.W)

    def both(self, *xs):
        return xs[0] * xs[1]


class Varargs:
    def __init__(self):
        self.layers = [Scaled(0), Scaled(1)]
        self.head = Scaled(2)

    def loss(self, x):
        for layer in self.layers:
            x = layer(x)
        return np.sum(x ** 2)

    def single(self, x):
        return np.sum(self.head(x) ** 2) + np.sum(self.head.both(x, x))


@pytest.mark.parametrize('method', ['loss', 'single'])
def test_methods_taking_star_args(method):
    """(The arguments passed to a method's ``*args`` were dropped: a gradient of zeros.)"""
    check(getattr(Varargs(), method))


class Glorot(Lin):
    def __init__(self, seed, init=None):
        super().__init__(seed)
        if init is not None:
            self.init = init  # (kept for re-initialising; only some layers have it)


class OptionalByClass(Module):
    act = None  # (the default in the class body)

    def __init__(self, seed, act=None):
        self.W = np.random.default_rng(seed).standard_normal((3, 3)) * 0.6
        if act is not None:
            self.act = act

    def forward(self, x):
        z = x @ self.W
        if self.act is not None:
            z = self.act(z)
        return z


class Guarded(Net):
    def loss(self, x):
        for layer in self.layers:
            if isinstance(layer, Lin):
                x = layer.forward(x)  # (only the Lin layers have `forward` here)
            else:
                x = layer(x)
        return np.sum(x ** 2)


class Plain:
    def __call__(self, x):
        return np.sin(x)


@pytest.mark.parametrize('model', [
    Net([Glorot(0, init=np.ones), Glorot(1)]),  # some items lack an attribute
    Net([OptionalByClass(0), OptionalByClass(1, act=np.tanh)]),
    Guarded([Lin(0), Plain(), Lin(1)]),  # a method only some kinds have, under a guard
], ids=['missing-attribute', 'class-default-none', 'guarded-method'])
def test_items_of_one_list_that_differ_in_their_attributes(model):
    check(model.loss)


class Spellings(Net):
    def numbered(self, x):
        for i, layer in enumerate(self.layers, start=1):
            x = layer(x) * i
        return np.sum(x ** 2)

    def aliased(self, x):
        layers = self.layers
        for layer in list(layers):
            x = layer(x)
        return np.sum(x ** 2)

    def copied(self, x):
        for layer in self.layers.copy():
            x = layer(x)
        return np.sum(self.layers[len(self.layers) - 1](x) ** 2)


@pytest.mark.parametrize('method', ['numbered', 'aliased', 'copied'])
def test_more_spellings_of_a_loop_over_layers(method):
    check(getattr(Spellings([Lin(0), Th(), Lin(1)]), method))


GLOBAL_ACTS = [Dense(3, 3, 0), Dense(3, 3, 1)]


def global_acts(x):
    for layer in GLOBAL_ACTS:
        x = layer(x)
    return np.sum(x ** 2)


def test_the_hessian_through_a_global_list():
    hessian = s2sgrad.hessian(global_acts)(X)
    grad = s2sgrad.grad(global_acts)
    for i in range(3):
        assert np.allclose(hessian[i], numeric_grad(lambda x: grad(x)[i], X), atol=1e-5)


class KeywordModule:
    def __call__(self, *args, **kwargs):
        return self.forward(args[0])


class KeywordLin(KeywordModule):
    def __init__(self, seed):
        self.W = np.random.default_rng(seed).standard_normal((3, 3)) * 0.6

    def forward(self, x):
        return np.tanh(x @ self.W)


def wrapped(scale, *args, **kwargs):
    return scale * args[0]


def calls_wrapped(x):
    return np.sum(wrapped(2.0, x) ** 2)


@pytest.mark.parametrize('f', [Net([KeywordLin(0), KeywordLin(1)]).loss, calls_wrapped],
                         ids=['method', 'function'])
def test_star_args_with_star_star_kwargs_is_refused(f):
    """(The values passed to `*args` were dropped: a gradient of zeros.)"""
    with pytest.raises(UnsupportedSyntaxError, match=r'\*args'):
        s2sgrad.grad(f)(X)


class GuardedExpression(Net):
    def loss(self, x):
        for layer in self.layers:
            x = layer.forward(x) if isinstance(layer, Lin) else layer(x)
        return np.sum(x ** 2)


class CopiedLayers(Net):
    def loss(self, x):
        for layer in self.layers.copy():
            x = layer(x)
        return np.sum(x ** 2)


def test_a_guarded_method_in_a_conditional_expression():
    check(GuardedExpression([Lin(0), Plain(), Lin(1)]).loss)


def test_the_hessian_through_a_copy_of_the_layers():
    model = CopiedLayers([Lin(0), Th(), Lin(1)])
    hessian = s2sgrad.hessian(model.loss)(X)
    grad = s2sgrad.grad(model.loss)
    for i in range(3):
        assert np.allclose(hessian[i], numeric_grad(lambda x: grad(x)[i], X), atol=1e-5)


def _forward_layers(layers, X):
    h = X
    for layer in layers:
        h = np.tanh(h @ layer['W'] + layer['b'])
    return np.sum(h ** 2)


def decayed_in_place(layers, X):
    for layer in layers:
        layer['W'] = layer['W'] * 0.9
    return _forward_layers(layers, X)


def decayed_into_new_dicts(layers, X):
    new_layers = []
    for layer in layers:
        new = dict(layer)
        new['W'] = layer['W'] * 0.9
        new_layers.append(new)
    return _forward_layers(new_layers, X)


def _layers():
    rng = np.random.default_rng(0)
    return [{'W': rng.standard_normal((3, 4)) * 0.5, 'b': np.zeros(4)},
            {'W': rng.standard_normal((4, 2)) * 0.5, 'b': np.zeros(2)}], \
        rng.standard_normal((5, 3))


def test_a_dict_a_list_holds_changed_by_key_says_what_to_write():
    layers, X = _layers()
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='new_layers.append') as info:
        s2sgrad.grad(decayed_in_place)(layers, X)
    assert "item 'W'" in str(info.value)
    from s2sgrad.checks import check_grads
    check_grads(decayed_into_new_dicts, (layers, X), modes=('rev', 'fwd'))
