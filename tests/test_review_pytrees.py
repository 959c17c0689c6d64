"""Programs a review of parameter trees and objects found wrong or crashing: a library
function rebound behind a name the function calls (a closure variable, an attribute, a
global), a namedtuple read by field in a helper called in a loop, ``dict.pop``, and the type
of a dict subclass's gradient. Expected values are closed forms or central differences."""
import collections
import copy
from types import SimpleNamespace

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

X = np.array([0.3, -1.2, 0.8])


# -- a name that denotes a library function, rebound: grad(f) again sees the new one -------

def _closure_with_setter():
    act = np.sin

    def loss(x):
        return np.sum(act(x))

    def set_act(function):
        nonlocal act
        act = function
    return loss, set_act


CONFIG = SimpleNamespace(act=np.sin)


def through_an_attribute(x):
    return np.sum(CONFIG.act(x))


ACTIVATION = np.sin


def through_a_global(x):
    return np.sum(ACTIVATION(x) * 2.0)


def test_rebound_closure_variable_gives_a_new_gradient():
    loss, set_act = _closure_with_setter()
    np.testing.assert_allclose(s2sgrad.grad(loss)(X), np.cos(X))
    set_act(np.cos)
    np.testing.assert_allclose(s2sgrad.grad(loss)(X), -np.sin(X))
    set_act(np.exp)
    np.testing.assert_allclose(s2sgrad.grad(loss)(X), np.exp(X))


def test_rebound_attribute_gives_a_new_gradient(monkeypatch):
    np.testing.assert_allclose(s2sgrad.grad(through_an_attribute)(X), np.cos(X))
    monkeypatch.setattr(CONFIG, 'act', np.exp)
    np.testing.assert_allclose(s2sgrad.grad(through_an_attribute)(X), np.exp(X))
    np.testing.assert_allclose(s2sgrad.value_and_grad(through_an_attribute)(X)[1], np.exp(X))


def test_rebound_global_gives_a_new_gradient(monkeypatch):
    np.testing.assert_allclose(s2sgrad.grad(through_a_global)(X), 2 * np.cos(X))
    monkeypatch.setitem(globals(), 'ACTIVATION', np.exp)
    np.testing.assert_allclose(s2sgrad.grad(through_a_global)(X), 2 * np.exp(X))
    np.testing.assert_allclose(s2sgrad.hvp(through_a_global)(X, np.ones(3)), 2 * np.exp(X))


# -- a namedtuple read by field in a helper ---------------------------------------------------

Params = collections.namedtuple('Params', ['a', 'b'])


def cell(p, h):
    return np.tanh(h * p.a + p.b)


def cell_in_a_loop(p, x):
    h = x
    for _ in range(3):
        h = cell(p, h)
    return np.sum(h)


def cell_twice(p, x):
    return np.sum(cell(p, cell(p, x)))


def cell_by_index(p, x):
    return np.sum(np.tanh(x * p[0] + p[1]) * cell(p, x))


P = Params(np.array([0.5, -0.3, 0.9]), np.array([0.1, 0.2, -0.4]))


def _differences(f, p, x):
    out = []
    for k in range(len(p)):
        def along(v, k=k):
            items = list(p)
            items[k] = v
            return f(Params(*items), x)
        out.append(numerical_grad(along, [p[k]], 0))
    return out


@pytest.mark.parametrize('f', [cell_in_a_loop, cell_twice, cell_by_index])
@pytest.mark.parametrize('motion', ['split', 'joint'])
def test_namedtuple_fields_in_a_helper(f, motion):
    before = copy.deepcopy(P)
    got = s2sgrad.grad(f, motion=motion)(P, X)
    assert type(got) is Params
    for g, e in zip(got, _differences(f, P, X)):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)
    for a, b in zip(P, before):
        np.testing.assert_array_equal(a, b)


def test_namedtuple_fields_in_a_helper_second_order():
    v = Params(np.array([1.0, -0.5, 0.25]), np.array([0.3, 0.0, -1.0]))
    got = s2sgrad.hvp(cell_in_a_loop)(P, X, v)
    eps = 1e-5
    plus = s2sgrad.grad(cell_in_a_loop)(Params(*(p + eps * t for p, t in zip(P, v))), X)
    minus = s2sgrad.grad(cell_in_a_loop)(Params(*(p - eps * t for p, t in zip(P, v))), X)
    for g, a, b in zip(got, plus, minus):
        np.testing.assert_allclose(g, (a - b) / (2 * eps), rtol=1e-5, atol=1e-7)


# -- dict.pop with a key --------------------------------------------------------------------

def pops_a_key(p, x):
    W = p.pop('W')
    return np.sum(W * x) + np.sum(p['b'] ** 2)


def pops_from_a_copy(p, x):
    q = p.copy()
    W = q.pop('W')
    return np.sum(W * x) + np.sum(q['b'] ** 2) + np.sum(q['W2'] * W * W)


def _params():
    return {'W': np.array([0.5, -0.3, 0.2]), 'b': np.array([0.1, 0.2, 0.3]),
            'W2': np.array([1.5, 2.0, -1.0])}


@pytest.mark.parametrize('motion', ['split', 'joint'])
def test_dict_pop_of_a_key(motion):
    p = _params()
    got = s2sgrad.grad(pops_a_key, motion=motion)(p, X)
    assert list(p) == ['W', 'b', 'W2']  # (the caller's dict keeps its key)
    np.testing.assert_allclose(got['W'], X)
    np.testing.assert_allclose(got['b'], 2 * p['b'])
    np.testing.assert_allclose(got['W2'], 0.0)
    p = _params()
    got = s2sgrad.grad(pops_from_a_copy, motion=motion)(p, X)
    np.testing.assert_allclose(got['W'], X + 2 * p['W2'] * p['W'])
    np.testing.assert_allclose(got['b'], 2 * p['b'])
    np.testing.assert_allclose(got['W2'], p['W'] ** 2)


def test_dict_pop_of_a_key_second_order():
    p, v = _params(), {'W': np.ones(3), 'b': np.ones(3), 'W2': np.ones(3)}
    got = s2sgrad.hvp(pops_from_a_copy)(p, X, v)
    np.testing.assert_allclose(got['W'], 2 * p['W2'] + 2 * p['W'])
    np.testing.assert_allclose(got['b'], 2.0)
    np.testing.assert_allclose(got['W2'], 2 * p['W'])


# -- the gradient of a dict subclass is of its type ------------------------------------------

def weighted(p, x):
    return np.sum(p['a'] * x) + np.sum(p['b'] ** 2)


def test_gradient_of_a_dict_subclass_keeps_its_type():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5, 1.0])
    ordered = collections.OrderedDict([('b', b), ('a', a)])
    got = s2sgrad.grad(weighted)(ordered, X)
    assert type(got) is collections.OrderedDict and list(got) == ['b', 'a']
    np.testing.assert_allclose(got['a'], X)
    default = collections.defaultdict(list, a=a, b=b)
    got = s2sgrad.grad(weighted)(default, X)
    assert type(got) is collections.defaultdict and got.default_factory is list
    np.testing.assert_allclose(got['b'], 2 * b)
    got = s2sgrad.hvp(weighted)(ordered, X, collections.OrderedDict(b=np.ones(3), a=np.ones(3)))
    assert type(got) is collections.OrderedDict
    np.testing.assert_allclose(got['b'], 2.0)


# -- a helper of yours that writes a differentiated value into a container of the caller -----

def push_square(items, v):
    items.append(v * v)
    return v


def appends_through_a_helper(a):
    acc = []
    b = push_square(acc, a)
    return acc[0] + b


def put_square(buf, i, v):
    buf[i] = v * v
    return 0.0


def writes_through_a_helper(x):
    buf = np.zeros(3)
    s = 0.0
    for i in range(3):
        s = s + put_square(buf, i, x[i])
    return np.sum(buf * x) + s


def appends_through_a_nested_function(a):
    acc = []

    def push(v):
        acc.append(v * v)
        return v
    b = push(a)
    return acc[0] + b


def fill_constants(buf, value):
    buf[:] = value
    return 0.0


def writes_constants_through_a_helper(x):
    buf = np.zeros(3)
    fill_constants(buf, 2.0)
    return np.sum(buf * x ** 2)


@pytest.mark.parametrize('f, arg', [(appends_through_a_helper, 3.0),
                                    (writes_through_a_helper, X),
                                    (appends_through_a_nested_function, 3.0)])
def test_a_helper_writing_a_differentiated_value_into_the_callers_container_is_refused(f, arg):
    """The write happened out of the derivative's sight (it was dropped: wrong gradients)."""
    for operator in (s2sgrad.grad, s2sgrad.hessian):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='writes into its'):
            operator(f)(arg)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='writes into its'):
        s2sgrad.jvp(f)(arg, arg)


def test_a_helper_writing_constants_into_the_callers_buffer_is_followed():
    np.testing.assert_allclose(s2sgrad.grad(writes_constants_through_a_helper)(X), 4 * X)


# -- a draw in a decorator's arguments is not one of the function's -------------------------

REGISTERED = []


def register(make_args):
    def decorate(function):
        REGISTERED.append((function, make_args))
        return function
    return decorate


@register(lambda: np.random.rand(3))
def cubes(x):
    return np.sum(x ** 3)


def calls_a_decorated_function(x):
    return cubes(x) * 2.0


def test_a_draw_in_a_decorator_is_not_the_decorated_functions():
    np.testing.assert_allclose(s2sgrad.hessian(calls_a_decorated_function)(X), np.diag(12 * X))
    np.testing.assert_allclose(s2sgrad.grad(calls_a_decorated_function, motion='joint')(X),
                               6 * X ** 2)


def double_first(buf, x):
    buf[0] = x[0] * 2.0
    return x * 1.0


def writes_through_a_row_view(x):
    B = np.zeros((2, 3))
    y = double_first(B[1], x)
    return np.sum(y * B[1])


def writes_through_a_transpose(x):
    B = np.zeros((3, 3))
    y = double_first(B.T, x)
    return np.sum(y * B[:, 0])


@pytest.mark.parametrize('f', [writes_through_a_row_view, writes_through_a_transpose])
def test_a_helper_writing_into_a_view_of_the_callers_array_is_refused(f):
    for operator in (s2sgrad.grad, lambda g: (lambda x: s2sgrad.jvp(g)(x, x))):
        with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='writes into its'):
            operator(f)(X)


def pops_from_the_argument(d):
    w = d.pop('w')
    return np.sum(w * d['b'])


def test_dict_pop_of_the_argument_keeps_its_type():
    d = collections.OrderedDict(w=np.array([1.0, 2.0]), b=np.array([3.0, 5.0]))
    got = s2sgrad.grad(pops_from_the_argument)(d)
    assert type(got) is collections.OrderedDict and list(d) == ['w', 'b']
    np.testing.assert_allclose(got['w'], [3.0, 5.0])
    np.testing.assert_allclose(got['b'], [1.0, 2.0])
