"""A method of an object whose class s2sgrad learns only when the derivative runs (a
parameter of the function, its default, an object a call gave), given an array the backward
sweep reads, an argument of the function, or a list that may hold one. A method writing into
what it was given gave a wrong gradient, silently, before (s2sgrad did not read its code);
now the derivative reads the code of the method the object has, before the call, and raises
InPlaceError where it writes into one of those. Methods that do not, builtins' and libraries'
methods, and calls given only new arrays run as before."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad import runtime
from s2sgrad.errors import InPlaceError

X = np.array([0.3, 0.7])


def central(f, x):
    return numerical_grad(f, (x,), 0)


def _logged(method):
    @functools.wraps(method)
    def inner(*args, **kwargs):
        return method(*args, **kwargs)
    return inner


class SGD:
    def __init__(self, lr):
        self.lr = lr
        self.history = []
        self.calls = 0

    def step(self, ps):
        for p in ps:
            p -= self.lr

    def update(self, p, lr=None):
        p -= self.lr if lr is None else lr

    def add_into(self, total, v):
        total += v
        return total

    @staticmethod
    def halve(p):
        p *= 0.5

    @classmethod
    def zero(cls, p):
        p[...] = 0.0

    @_logged
    def logged_step(self, p):
        p -= self.lr

    def record(self, w):  # (keeps a reference, writes nothing)
        self.history.append(w)
        self.calls += 1

    def scaled(self, w):
        return w * self.lr


OPT = SGD(0.1)


def stepped_param(x, opt):
    w = np.full(2, 1.5)
    y = x * w
    opt.step([w])
    return np.sum(y * y)


def stepped_default(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.update(w)
    return np.sum(y * y)


def stepped_by_keyword(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.update(p=w, lr=0.2)
    return np.sum(y * y)


def stepped_static(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.halve(w)
    return np.sum(y * y)


def stepped_class(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.zero(w)
    return np.sum(y * y)


def stepped_wrapped(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.logged_step(w)
    return np.sum(y * y)


def added_into_an_array(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.add_into(w, 1.0)
    return np.sum(y * y)


REFUSED = [stepped_param, stepped_default, stepped_by_keyword, stepped_static, stepped_class,
           stepped_wrapped, added_into_an_array]


@pytest.mark.parametrize('f', REFUSED, ids=lambda f: f.__name__)
def test_a_method_writing_into_what_the_derivative_reads_is_refused(f):
    x = X.copy()
    assert not np.allclose(central(lambda a: f(a, SGD(0.1)), X), 0.0)
    with pytest.raises(InPlaceError, match='which s2sgrad reads when the derivative runs'):
        s2sgrad.grad(f)(x, SGD(0.1))
    np.testing.assert_array_equal(x, X)  # (raised before the call changed it)


def stepped_constant(x, c, opt=OPT):  # (an argument not differentiated: the caller's array)
    y = x * c
    opt.update(c)
    return np.sum(y * y)


def test_a_method_writing_into_an_argument_of_the_function_is_refused():
    c = np.full(2, 1.5)
    with pytest.raises(InPlaceError, match='which s2sgrad reads when the derivative runs'):
        s2sgrad.grad(stepped_constant)(X.copy(), c, SGD(0.1))
    np.testing.assert_array_equal(c, np.full(2, 1.5))


def recorded(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    opt.record(w)
    return np.sum(y * y)


def scaled_by_method(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * opt.scaled(w)
    return np.sum(y * y)


def stepped_on_a_buffer(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    b = np.ones(2)
    opt.update(b)
    return np.sum(y * y) + np.sum(b) * x[0]


def number_added(x, opt=OPT):
    w = np.full(2, 1.5)
    y = x * w
    s = opt.add_into(1.0, float(w[0]))
    return np.sum(y * y) * s


def shuffled_with_a_generator(x, rng):
    w = np.full(2, 1.5)
    y = x * w
    z = rng.normal(size=w.shape)
    return np.sum(y * y) + 0.0 * np.sum(z)


RUN = [recorded, scaled_by_method, stepped_on_a_buffer, number_added]


@pytest.mark.parametrize('f', RUN, ids=lambda f: f.__name__)
def test_methods_that_change_nothing_the_derivative_reads_run(f):
    expected = central(lambda a: f(a, SGD(0.1)), X)
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy(), SGD(0.1)), expected, rtol=1e-6,
                               atol=1e-8)


def test_a_library_object_given_as_a_parameter_runs():
    rng = np.random.default_rng(0)
    expected = central(lambda a: shuffled_with_a_generator(a, np.random.default_rng(0)), X)
    np.testing.assert_allclose(s2sgrad.grad(shuffled_with_a_generator)(X.copy(), rng),
                               expected, rtol=1e-6)


def test_the_check_reads_the_method_the_object_has_when_it_runs():
    class Keeps:
        def update(self, p):
            return p * 2.0
    # the same derivative, given an object whose `update` writes nothing, runs
    df = s2sgrad.grad(stepped_default)
    expected = central(lambda a: stepped_default(a, Keeps()), X)
    np.testing.assert_allclose(df(X.copy(), Keeps()), expected, rtol=1e-6)
    with pytest.raises(InPlaceError, match='SGD.update'):
        df(X.copy(), SGD(0.1))
    source = s2sgrad.grad(stepped_default).source
    assert "s2s.check_method_writes(opt, 'update', " in source


def test_the_check_itself():
    w = np.ones(2)
    runtime.check_method_writes(SGD(0.1), 'update', 'm', ((0, 1.0),))  # (a number)
    runtime.check_method_writes([w], 'append', 'm', ((0, w),))  # (a builtin's method)
    runtime.check_method_writes(SGD(0.1), 'record', 'm', ((0, w),))
    with pytest.raises(InPlaceError, match=r'^m \(its class was not known when the code was '
                                           r'made\): `SGD.update` changes it by an augmented'):
        runtime.check_method_writes(SGD(0.1), 'update', 'm', ((0, w),))
    with pytest.raises(InPlaceError, match='writes into its items'):
        runtime.check_method_writes(SGD(0.1), 'step', 'm', ((0, [w]),))
    with pytest.raises(InPlaceError, match=r'`total \+= \.\.\.`'):
        runtime.check_method_writes(SGD(0.1), 'add_into', 'm', (('total', w),))
    with pytest.raises(InPlaceError, match='its parameter `p`'):
        runtime.check_method_writes(SGD(0.1), 'update', 'm', (), ('*',))
    with pytest.raises(InPlaceError, match='writes into it in place'):
        runtime.check_method_writes(SGD(0.1), 'zero', 'm', ((0, w),))


def test_the_check_of_an_exported_module_refuses_what_it_cannot_read():
    from s2sgrad.standalone import definitions
    space = {'np': np}
    exec(compile(definitions(['check_method_writes']), '<standalone>', 'exec'), space)
    check = space['check_method_writes']
    w = np.ones(2)
    check([w], 'append', 'm', ((0, w),))  # (a builtin's method)
    check(SGD(0.1), 'record', 'm', ((0, 1.0),))  # (no array given)
    for given, unknown in ((((0, w),), ()), (((0, [w]),), ()), ((), ('*',))):
        with pytest.raises(Exception, match='cannot read the code of `record`'):
            check(SGD(0.1), 'record', 'm', given, unknown)


def noisy(x, scale=0.5):
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, scale, size=x.shape)
    return np.sum(x * x) + np.sum(z)


def test_the_methods_of_a_librarys_object_made_here_are_not_checked():
    # (`rng` is what `np.random.default_rng` makes: its methods are NumPy's)
    df = s2sgrad.grad(noisy)
    assert 'check_method_writes' not in df.source
    np.testing.assert_allclose(df(X.copy()), 2.0 * X)


class Ops:
    def scale(p, c):  # (called on the class: no self)
        p *= c


class Step:
    def __call__(self, p):
        p -= 0.1


class Book:
    def add_to(self, acc, v):
        acc.append(v)

    def record(self, d, key, v):
        d[key] = v


def on_a_class(x, ops=Ops):
    w = np.full(2, 1.5)
    y = x * w
    ops.scale(w, 2.0)
    return np.sum(y * y)


def by_a_callable_object(x, step):
    w = np.full(2, 1.5)
    y = x * w
    step(w)
    return np.sum(y * y)


def by_a_bound_method(x, opt):
    w = np.full(2, 1.5)
    y = x * w
    st = opt.update
    st(w)
    return np.sum(y * y)


def test_a_class_a_callable_object_and_a_bound_method_are_checked():
    for f, arg in ((on_a_class, Ops), (by_a_callable_object, Step()),
                   (by_a_bound_method, SGD(0.1)), (by_a_callable_object, SGD(0.1).update)):
        assert not np.allclose(central(lambda a: f(a, arg), X), 0.0)
        with pytest.raises(InPlaceError, match='which s2sgrad reads when the derivative runs'):
            s2sgrad.grad(f)(X.copy(), arg)

    def harmless(p):
        return p * 2.0
    np.testing.assert_allclose(s2sgrad.grad(by_a_callable_object)(X.copy(), harmless),
                               central(lambda a: by_a_callable_object(a, harmless), X),
                               rtol=1e-6)


def appended(x, book):
    w = np.full(2, 1.5)
    y = x * w
    acc = [w]
    book.add_to(acc, 3.0)
    d = {'w': w}
    book.record(d, 'b', 2.0)
    return np.sum(y * y) + len(acc) + len(d)


def test_a_method_changing_a_list_or_dict_but_not_its_arrays_runs():
    np.testing.assert_allclose(s2sgrad.grad(appended)(X.copy(), Book()),
                               central(lambda a: appended(a, Book()), X), rtol=1e-6)


class Extends:
    def extend_by(self, acc, v):
        acc += [v]


def extended(x, book):
    w = np.full(2, 1.5)
    y = x * w
    acc = [w]
    book.extend_by(acc, 3.0)
    return np.sum(y * y) + len(acc)


def test_a_method_extending_a_list_by_plus_equals_runs():
    np.testing.assert_allclose(s2sgrad.grad(extended)(X.copy(), Extends()),
                               central(lambda a: extended(a, Extends()), X), rtol=1e-6)


class Base:
    def step(self, p):
        p -= 0.1


class Momentum(Base):
    def step(self, p):
        super().step(p)


class Plain(Base):
    def step(self, p):  # (overrides without calling the parent's)
        return p - 0.1


def stepped_through_super(x, opt):
    w = np.full(2, 1.5)
    y = x * w
    opt.step(w)
    return np.sum(y * y)


def test_a_method_calling_its_parents_by_super_is_read_with_it():
    with pytest.raises(InPlaceError, match='Base.step'):
        s2sgrad.grad(stepped_through_super)(X.copy(), Momentum())
    np.testing.assert_allclose(s2sgrad.grad(stepped_through_super)(X.copy(), Plain()),
                               central(lambda a: stepped_through_super(a, Plain()), X),
                               rtol=1e-6)
