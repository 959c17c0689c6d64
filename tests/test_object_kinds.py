"""Objects holding partials, and lists of objects of one class holding different functions:
``self.act = partial(leaky, a=0.2)`` is called as the function with the arguments the partial
holds (`methods.bind_method`), and ``Net.loss(layer, x)`` of an item of a list of several kinds
of `Net` is told apart by kind (`dispatch`) — which is also what the joint version of the
gradient of ``layer.loss(x)`` calls, differentiated again by `hvp` and `hessian`."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError

X = np.array([0.7, -1.3, 2.1])
V = np.array([0.3, 0.1, -0.2])


def leaky(t, a=0.01):
    return np.where(t > 0, t, a * t)


def scaled(t, s, p=2):
    return s * t ** p


def cube(t):
    return t ** 3


class Net:
    def __init__(self, act):
        self.act = act

    def loss(self, x):
        return np.sum(self.act(x) ** 2)


class ClassPartial:
    act = functools.partial(leaky, a=0.3)

    def loss(self, x):
        return np.sum(self.act(x) ** 2)


class Layers:
    def __init__(self, *acts):
        self.layers = [Net(act) for act in acts]

    def loss(self, x):
        total = 0.0
        for layer in self.layers:
            total = total + layer.loss(x)
        return total

    def loss_by_function(self, x):
        total = 0.0
        for layer in self.layers:
            total = total + Net.loss(layer, x)
        return total


def _grad_reference(func, x):
    return numerical_grad(func, (x,), 0)


def _hvp_reference(func, x, v, eps=1e-6):
    """Central differences of the gradient, which each test checks against central
    differences of the function first."""
    grad = s2sgrad.grad(func)
    return (grad(x + eps * v) - grad(x - eps * v)) / (2 * eps)


OBJECTS = {
    'keyword partial': lambda: Net(functools.partial(leaky, a=0.2)),
    'positional partial': lambda: Net(functools.partial(scaled, 3.0, p=3)),
    'partial of a ufunc': lambda: Net(functools.partial(np.power, 2.0)),
    'class attribute partial': ClassPartial,
    'list of partials and functions': lambda: Layers(functools.partial(leaky, a=0.2),
                                                     functools.partial(scaled, 3.0), np.tanh),
    'list of one class, several functions': lambda: Layers(cube, np.tanh),
}


@pytest.mark.parametrize('make', OBJECTS.values(), ids=list(OBJECTS))
def test_gradient_jvp_and_hvp(make):
    obj = make()
    x, v = X.copy(), V.copy()
    assert np.allclose(s2sgrad.grad(obj.loss)(x), _grad_reference(obj.loss, X),
                       rtol=1e-6, atol=1e-6)
    out = s2sgrad.jvp(obj.loss)(x, v)
    tangent = out[1] if isinstance(out, tuple) else out
    assert np.isclose(tangent, _grad_reference(obj.loss, X) @ V, rtol=1e-6, atol=1e-6)
    assert np.allclose(s2sgrad.hvp(obj.loss)(x, v), _hvp_reference(obj.loss, X, V),
                       rtol=1e-5, atol=1e-5)
    assert np.array_equal(x, X) and np.array_equal(v, V)


@pytest.mark.parametrize('acts', [(cube, np.tanh), (functools.partial(leaky, a=0.2), cube)],
                         ids=['functions', 'partial and function'])
def test_method_function_called_on_items_of_several_kinds(acts):
    obj = Layers(*acts)
    assert np.allclose(s2sgrad.grad(obj.loss_by_function)(X), s2sgrad.grad(obj.loss)(X))
    assert np.allclose(s2sgrad.grad(obj.loss_by_function)(X),
                       _grad_reference(obj.loss_by_function, X), rtol=1e-6, atol=1e-6)
    assert np.allclose(s2sgrad.hessian(obj.loss_by_function)(X) @ V,
                       _hvp_reference(obj.loss_by_function, X, V), rtol=1e-5, atol=1e-5)


def test_partial_keywords_are_read_when_the_gradient_runs():
    net = Net(functools.partial(leaky, a=0.2))
    grad = s2sgrad.grad(net.loss)
    net.act.keywords['a'] = 0.5
    assert np.allclose(grad(X), _grad_reference(net.loss, X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('make, new', [
    (lambda: Net(functools.partial(leaky, a=0.2)), functools.partial(leaky, a=0.2)),
    (lambda: Net(functools.partial(leaky, a=0.2)), np.tanh),
    (ClassPartial, np.tanh),
], ids=['another partial', 'a function', 'set over the class attribute'])
def test_attribute_set_afterwards_raises(make, new):
    obj = make()
    grad = s2sgrad.grad(obj.loss)
    obj.act = new
    with pytest.raises(S2SError, match='holds other functions or objects'):
        grad(X)


def test_item_set_afterwards_raises():
    obj = Layers(cube, np.tanh)
    grad = s2sgrad.grad(obj.loss_by_function)
    obj.layers[1].act = np.sin
    with pytest.raises(S2SError, match='none of the kinds'):
        grad(X)


class Sub(Net):
    def scale(self):
        return 2.0


def test_method_function_called_on_an_item_of_a_subclass():
    # (``Net.loss(layer, x)`` of a `Sub` runs with the `Sub`'s attributes)
    obj = Layers(cube)
    obj.layers.append(Sub(np.sin))
    expected = _grad_reference(obj.loss_by_function, X)
    np.testing.assert_allclose(s2sgrad.grad(obj.loss_by_function)(X), expected, rtol=1e-6,
                               atol=1e-6)
    value, _ = s2sgrad.value_and_grad(obj.loss_by_function)(X)
    assert np.isclose(value, obj.loss_by_function(X))


class Reducer:
    def __init__(self, act, reduce):
        self.act = act
        self.reduce = reduce

    def loss(self, x):
        return self.reduce(self.act(x) ** 2)


def shaped(x, reduce=np.sum):
    return reduce(np.tanh(x) ** 2)


def reduced_twice(x):
    return shaped(x, np.mean) + shaped(x, reduce=np.max)


@pytest.mark.parametrize('make', [
    lambda: Reducer(functools.partial(np.clip, a_min=-0.5, a_max=0.5), np.mean),
    lambda: Reducer(np.sin, functools.partial(np.linalg.norm, ord=3))],
    ids=['partial of np.clip, np.mean', 'partial of np.linalg.norm'])
def test_numpy_functions_held_in_attributes(make):
    # (NumPy's functions are dispatcher objects in NumPy 2, not Python functions)
    obj = make()
    np.testing.assert_allclose(s2sgrad.grad(obj.loss)(X), _grad_reference(obj.loss, X),
                               rtol=1e-6, atol=1e-6)
    grad = s2sgrad.grad(obj.loss)
    obj.reduce = np.max
    with pytest.raises(S2SError, match='holds other functions or objects'):
        grad(X)


def test_numpy_functions_passed_to_a_helper():
    np.testing.assert_allclose(s2sgrad.grad(reduced_twice)(X), _grad_reference(reduced_twice, X),
                               rtol=1e-6, atol=1e-6)
