"""Class methods in differentiated code: called by class name from a function
(``Model.simple(x)``), through ``self`` in a bound method, calling the class's static methods,
class methods and plain functions through ``cls``, reading ``cls`` attributes (a subclass's
own), and differentiated themselves (``grad(Model.simple)``). Checked against central
differences and forward mode against reverse."""
import numpy as np
import pytest

import s2sgrad

X = np.array([0.3, -0.4, 0.7])


class Model:
    SCALE = 2.0

    @staticmethod
    def act(z):
        return np.tanh(z)

    @classmethod
    def simple(cls, z):
        return cls.SCALE * z ** 2

    @classmethod
    def twice(cls, z):
        return 2.0 * cls.act(z) + cls.simple(z)

    @classmethod
    def through_plain(cls, z):
        return cls.plain(z) * cls.SCALE

    def plain(z):  # (called through the class, with its own argument)
        return np.sin(z) * z

    def loss(self, x):
        return np.sum(self.twice(x) * self.weight)

    def __init__(self, weight):
        self.weight = weight


class Wider(Model):
    SCALE = 5.0


def by_class_name(x):
    return np.sum(Model.simple(x) + Model.act(x))


def subclass_by_name(x):
    return np.sum(Wider.twice(x))


def through_plain(x):
    return np.sum(Model.through_plain(x)) * x[0]


def in_a_loop(x):
    total = 0.0
    for i in range(3):
        total = total + np.sum(Model.simple(x * i)) * x[i]
    return total


def numeric_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


def check(f):
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    v = np.array([0.5, -1.0, 2.0])
    assert np.allclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6, atol=1e-8)
    return expected


@pytest.mark.parametrize('f', [by_class_name, subclass_by_name, through_plain, in_a_loop],
                         ids=lambda f: f.__name__)
def test_class_methods_called_by_class_name(f):
    check(f)


def test_subclass_reads_its_own_class_attributes():
    expected = numeric_grad(subclass_by_name, X)
    assert np.allclose(expected, 2.0 * (1 - np.tanh(X) ** 2) + 2.0 * 5.0 * X, rtol=1e-6)
    assert np.allclose(s2sgrad.grad(subclass_by_name)(X), expected, rtol=1e-6)


def test_class_method_called_through_self():
    model = Model(np.array([1.0, 2.0, -1.0]))
    check(model.loss)
    h = s2sgrad.hessian(model.loss)(X)
    expected = np.array([numeric_grad(lambda v: s2sgrad.grad(model.loss)(v)[i], X)
                         for i in range(3)])
    assert np.allclose(h, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('method', [Model.twice, Wider.twice, Model.through_plain],
                         ids=['Model', 'Wider', 'through_plain'])
def test_a_class_method_differentiated_itself(method):
    def f(x):
        return np.sum(method(x))
    expected = numeric_grad(f, X)
    assert np.allclose(s2sgrad.vjp(method)(X, np.ones(3)), expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(s2sgrad.jvp(method)(X, np.ones(3)), expected, rtol=1e-6, atol=1e-8)


def test_class_method_printed():
    source = s2sgrad.grad(by_class_name).source
    assert 'Model.simple.__func__(Model, x)' in source or 'Model.simple' in source


class Square:
    @staticmethod
    def energy(x):
        return np.sum(x ** 2)

    @classmethod
    def scaled(cls, x):
        return 2.0 * cls.energy(x)


class Cube:
    @staticmethod
    def energy(x):
        return np.sum(x ** 3)

    @classmethod
    def scaled(cls, x):
        return 2.0 * cls.energy(x)


HOLDER = Square


def through_a_global_class(x):
    return HOLDER.energy(x) + HOLDER.scaled(x)


def test_a_global_rebound_to_another_class_is_loud():
    """The gradient was made for the class the global held: once it holds another, calling
    the gradient raises (it gave the old class's derivative)."""
    global HOLDER
    HOLDER = Square
    df = s2sgrad.grad(through_a_global_class)
    assert np.allclose(df(X), 6 * X)
    HOLDER = Cube
    try:
        with pytest.raises(s2sgrad.errors.S2SError, match='`HOLDER` now holds another class'):
            df(X)
        assert np.allclose(s2sgrad.grad(through_a_global_class)(X), 9 * X ** 2)
    finally:
        HOLDER = Square
