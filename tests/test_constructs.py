"""Constructs users write that s2sgrad rewrites (`s2sgrad.constructs`): lambdas, ``*args``,
functions passed as default arguments, and ``s2sgrad.grad`` called inside a differentiated
function. Each is checked against central differences (`check_grads`) or a closed form, in
reverse and forward mode and at second order; what stays refused raises a named error."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad import grad
from s2sgrad.errors import NoRuleError, S2SError, UnsupportedSyntaxError, WrtError

X = np.array([0.3, -1.2, 0.7])


def check(f, *args, wrt=0, order=2):
    s2sgrad.check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'), order=order)


# -- lambdas --------------------------------------------------------------------------------
def lambda_assigned(x):
    sq = lambda t: t * t  # noqa: E731
    return np.sum(sq(x) + x)


def lambda_defaults(x):
    k = lambda t, p=2: t ** p  # noqa: E731
    return np.sum(k(x) + k(x, 3))


def lambda_called_at_once(x):
    return np.sum((lambda t, s: np.sin(t) * s)(x, 2.0))


def lambda_closure(x):
    a = np.cos(x)
    scale = lambda t: t * a  # noqa: E731
    return np.sum(scale(x) * x)


def lambda_in_lambda(x):
    outer = lambda t: (lambda u: u * u)(t) + t  # noqa: E731
    return np.sum(outer(x))


def lambda_map(x):
    return np.sum(np.array(list(map(lambda t: t * 2.0, x))))


def lambda_map_two(x):
    return sum(map(lambda a, b: a * np.sin(b), x, x * x))


def def_map(x):
    def cube(t):
        return t ** 3
    return np.sum(np.array(list(map(cube, x))))


def lambda_in_loop(x):
    total = 0.0
    for i in range(3):
        f = lambda t: t * (i + 1.0)  # noqa: E731
        total = total + np.sum(f(x) ** 2)
    return total


def lambda_in_comprehension_constant(x):
    return sum([(lambda t: t * t)(v) for v in x])


@pytest.mark.parametrize('f', [lambda_assigned, lambda_defaults, lambda_called_at_once,
                               lambda_closure, lambda_in_lambda, lambda_map, lambda_map_two,
                               def_map, lambda_in_loop, lambda_in_comprehension_constant])
def test_lambda(f):
    check(f, X)


def test_lambda_reads_as_a_def():
    source = grad(lambda_assigned).source
    assert 'def sq_fwd(t):' in source and 't_times_t = t * t' in source
    assert 'bx = bx + dsqdt_bwd(sq_x_saved, bsq=bsq_x)' in source
    source = grad(lambda_map).source
    assert 't_times_2 = x[i] * 2.0' in source and 'fn' not in source


def lambda_reads_comprehension_variable(x):
    return sum([np.sum((lambda t: t * k)(x)) for k in (1.0, 2.0)])


def lambda_as_sort_key(x):
    order = sorted(range(3), key=lambda i: -i)
    return np.sum(x[order] * x)


def lambda_as_sort_key_of_a_local(x):
    w = 2.0
    w = w * 1.5  # (assigned again: the key could order otherwise in the backward sweep)
    order = sorted(range(3), key=lambda i: -i * w)
    return np.sum(x[order] * x)


def lambda_as_sort_key_of_a_constant_local(x):
    w = 2.0
    order = sorted(range(3), key=lambda i: -i * w)
    return np.sum(x[order] * x)


def test_lambda_errors():
    with pytest.raises(UnsupportedSyntaxError) as info:
        grad(lambda_reads_comprehension_variable)(X)
    message = str(info.value)
    assert "reads the comprehension's variable `k`" in message and 'for` loop' in message
    assert 'test_constructs.py' in message and '(lambda t: t * k)' in message
    with pytest.raises(UnsupportedSyntaxError) as info:
        grad(lambda_as_sort_key_of_a_local)(X)
    message = str(info.value)
    assert 'a `key=lambda` that reads a variable of the function' in message
    assert 'with `def` at module level' in message and 'key=lambda i: -i * w' in message
    # a key that reads nothing of the function only orders: f = 2 x0 x2 + x1 ** 2
    np.testing.assert_allclose(grad(lambda_as_sort_key)(X), [2 * X[2], 2 * X[1], 2 * X[0]])
    # (or only a variable bound once and never changed)
    np.testing.assert_allclose(grad(lambda_as_sort_key_of_a_constant_local)(X),
                               [2 * X[2], 2 * X[1], 2 * X[0]])


# -- *args ------------------------------------------------------------------------------------
def star(*args):
    return args[0] * np.sin(args[1])


def star_after(a, *rest):
    return a * sum(r * r for r in rest)


def calls_star(x):
    return np.sum(star(x, x))


def calls_star_after(x):
    return np.sum(star_after(x, 2.0 * x, x + 1.0)) + np.sum(star_after(x))


def nested_star(x):
    def h(*ys):
        return sum(y * y for y in ys)
    return np.sum(h(x, 2 * x, 3.0))


def lambda_star(x):
    h = lambda *a: a[0] * a[1]  # noqa: E731
    return np.sum(h(x, x))


def top_star(x, *rest):
    return np.sum(x * 2) * rest[0] + np.sum(np.sin(x))


@pytest.mark.parametrize('f', [calls_star, calls_star_after, nested_star, lambda_star])
def test_varargs(f):
    check(f, X)


def test_varargs_of_the_differentiated_function():
    check(top_star, X, 3.0)
    assert np.allclose(grad(top_star)(X, 3.0), 6.0 + np.cos(X))
    assert np.allclose(s2sgrad.jvp(top_star)(X, 3.0, np.ones(3)), np.sum(6.0 + np.cos(X)))
    assert np.allclose(s2sgrad.hessian(top_star)(X, 3.0), np.diag(-np.sin(X)))
    assert 'def dtop_stardx(x, *rest):' in grad(top_star).source
    with pytest.raises(WrtError) as info:
        grad(top_star, wrt=1)(X, 3.0)
    assert '`*rest` parameter of `top_star`' in str(info.value)
    assert 'one tuple parameter' in str(info.value)


def test_varargs_helper_keeps_its_signature():
    source = grad(calls_star).source
    assert 'def star_fwd(*args):' in source and 'def dstardargs_bwd(saved, *, bstar):' in source
    assert 'star_fwd(*' in source


# -- functions passed as default arguments ------------------------------------------------------
def cube(t):
    return t ** 3


def default_ufunc(x, f=np.sin):
    return np.sum(f(x))


def default_user(x, f=cube):
    return np.sum(f(x))


def default_lambda(x, f=lambda t: t * np.exp(t)):
    return np.sum(f(x))


def default_two(x, act=np.tanh, out=cube):
    return np.sum(out(act(x)))


@pytest.mark.parametrize('f', [default_ufunc, default_user, default_lambda, default_two])
def test_function_default(f):
    check(f, X)


def test_function_default_closed_form():
    assert np.allclose(grad(default_ufunc)(X), np.cos(X))
    assert np.allclose(grad(default_user)(X), 3 * X ** 2)
    source = grad(default_ufunc).source
    assert "s2s.check_default(f, np.sin, 'f', 'default_ufunc')" in source
    assert 'bx = np.cos(x)' in source


def test_function_default_passed_another_function():
    with pytest.raises(S2SError) as info:
        grad(default_ufunc)(X, np.cos)
    message = str(info.value)
    assert "'default_ufunc' was differentiated with its parameter `f` bound to its default " \
           "'sin'" in message
    with pytest.raises(S2SError):
        s2sgrad.jvp(default_user)(X, np.sin, np.ones(3))
    assert np.allclose(grad(default_user)(X, cube), 3 * X ** 2)  # the default itself: fine
    assert 'functools.partial(default_ufunc, f=...)' in message
    # what the message suggests
    assert np.allclose(grad(functools.partial(default_ufunc, f=np.cos))(X), -np.sin(X))
    assert np.allclose(grad(lambda x: default_ufunc(x, f=np.cos))(X), -np.sin(X))


def function_list(x):
    fs = [np.sin, np.cos]
    return sum(np.sum(f(x)) for f in fs)


def test_function_from_a_list_stays_refused():
    with pytest.raises(NoRuleError) as info:
        grad(function_list)(X)
    assert 'no derivative rule for `f` (`f` is a variable' in str(info.value)
    assert 'make it the default of a parameter' in str(info.value)


# -- s2sgrad.grad inside a differentiated function ----------------------------------------------
def inner(x):
    return np.sum(x ** 2 * np.sin(x))


def inner_two(x, y):
    return np.sum(x * y ** 2)


def grad_of_module_function(x):
    return np.sum(grad(inner)(x) * x)


def grad_through_module(x):
    return np.sum(s2sgrad.grad(inner)(x * x))


def grad_named(x):
    g = grad(lambda y: np.sum(y ** 3))
    return np.sum(g(x))


def grad_of_lambda_called(x):
    return np.sum(grad(lambda y: np.sum(np.sin(y)))(x) * x)


def grad_of_closure(x):
    a = np.cos(x)

    def energy(y):
        return np.sum(a * y ** 3)
    return np.sum(grad(energy)(x))


def grad_wrt(x):
    gx, gy = grad(inner_two, wrt=(0, 1))(x, 2.0 * x)
    return np.sum(gx * gy)


def value_and_grad_inside(x):
    value, g = s2sgrad.value_and_grad(inner)(x)
    return value * np.sum(g)


def scalar_f(x):
    return x ** 3 + np.sin(x)


@pytest.mark.parametrize('f', [grad_of_module_function, grad_through_module, grad_named,
                               grad_of_lambda_called, grad_of_closure, grad_wrt,
                               value_and_grad_inside])
def test_nested_grad(f):
    check(f, X)


def test_nested_grad_closed_forms():
    # d/dx sum(x * 2x) = 4x, for grad(lambda y: sum(y**2)) = 2y
    g = grad(lambda x: np.sum(grad(lambda y: np.sum(y ** 2))(x) * x))
    assert np.allclose(g(X), 4 * X)
    # the example: d/dx (f'(x) x) = f''(x) x + f'(x)
    h = grad(lambda x: grad(scalar_f)(x) * x)
    for x in (0.3, -1.1):
        expected = (6 * x - np.sin(x)) * x + 3 * x ** 2 + np.cos(x)
        assert np.isclose(h(x), expected)
    assert np.isclose(s2sgrad.jvp(lambda x: grad(scalar_f)(x) * x)(0.3, 1.0),
                      (6 * 0.3 - np.sin(0.3)) * 0.3 + 3 * 0.09 + np.cos(0.3))


def test_nested_grad_prints_the_inner_gradient():
    source = grad(grad_of_module_function).source
    assert 'def dinnerdx(x):' in source and 'def dgrad_of_module_functiondx(x):' in source
    assert 'dinnerdx_x, dinnerdx_x_saved = dinnerdx_fwd(x)' in source


def jvp_inside(x):
    return np.sum(s2sgrad.jvp(inner)(x, x))


def grad_of_a_parameter(x, fn):
    return np.sum(grad(fn)(x))


def test_nested_grad_errors():
    with pytest.raises(UnsupportedSyntaxError) as info:
        grad(jvp_inside)(X)
    message = str(info.value)
    assert '`s2sgrad.jvp(...)`' in message and 'calls of `s2sgrad.grad(g)`' in message
    assert 's2sgrad.jvp(inner)(x, x)' in message
    with pytest.raises(UnsupportedSyntaxError) as info:
        grad(grad_of_a_parameter)(X, inner)
    assert 'of `fn`, which s2sgrad cannot resolve' in str(info.value)


def test_partial_binding_a_function():
    check(functools.partial(default_two, act=np.tanh), X)
    f = functools.partial(default_two, act=np.sin)
    check(f, X)
    assert np.allclose(grad(f)(X), 3 * np.sin(X) ** 2 * np.cos(X))
    assert "s2s.check_default(act, np.sin, 'act', 'default_two', True)" in grad(f).source


def layer(x, act=np.tanh):
    return act(x)


def apply_to(x, fn):
    return fn(x) * x


def passes_another_function(x):
    return np.sum(layer(x, act=np.sin)) + np.sum(layer(x)) + np.sum(apply_to(x, cube))


def test_function_passed_to_a_called_function():
    check(passes_another_function, X)
    expected = np.cos(X) + 1 - np.tanh(X) ** 2 + 4 * X ** 3
    assert np.allclose(grad(passes_another_function)(X), expected)
    source = grad(passes_another_function).source
    assert "s2s.check_default(act, np.sin, 'act', 'layer', True)" in source
    assert 'bx = bx + np.cos(x)' in source or 'np.cos(x)' in source


def ones(*shape):
    return np.ones(shape)


def constant_varargs(x):
    return np.sum(ones(2, 3) * x)


def test_constant_varargs_passed_as_written():
    source = grad(constant_varargs).source
    assert 'ones(2, 3)' in source and '*' not in source.split('ones(')[1].split(')')[0]
    check(constant_varargs, np.full((2, 3), 0.5))


# -- default values of nested functions and lambdas that depend on the differentiated ones --

def lambda_default_from_argument(x, c):
    f = lambda t, k=c: t ** 2 * k  # noqa: E731
    return np.sum(f(x))


def def_default_from_argument(x, c):
    def f(t, k=c):
        return t ** 2 * k
    return np.sum(f(x)) + np.sum(f(x, 2.0))


def lambda_default_from_x(x):
    f = lambda t, k=x: t * k  # noqa: E731
    return np.sum(f(2.0))


@pytest.mark.parametrize('f', [lambda_default_from_argument, def_default_from_argument])
def test_a_default_value_carries_its_derivative(f):
    """The default is evaluated where the ``def`` runs; its derivative flows into the call
    (a review found it silently dropped)."""
    check(f, X, 1.3, wrt=(0, 1))
    assert grad(f, wrt=1)(X, 1.3) == pytest.approx(np.sum(X ** 2))


def test_a_default_value_that_is_the_argument():
    check(lambda_default_from_x, X)
    assert np.allclose(grad(lambda_default_from_x)(X), 2.0)


# -- a list reduced by a NumPy function that takes it as an array ---------------------------

def sum_of_comprehension(x):
    return np.sum([t ** 3 for t in x])


def sum_of_mapped_list(x):
    return np.sum(list(map(lambda t: t ** 3, x)))


def mean_of_appended_rows(x):
    rows = []
    for i in range(3):
        rows.append(np.sin(x * i))
    return np.mean(rows) + np.max(rows[1])


@pytest.mark.parametrize('f', [sum_of_comprehension, sum_of_mapped_list, mean_of_appended_rows])
def test_a_list_reduced_as_an_array(f):
    """``np.sum(ys)`` of a list gives an array adjoint, split into one per item (a review
    found `'ndarray' object has no attribute 'pop'`)."""
    check(f, X)


# -- a function parameter passed on to another function's function parameter ----------------

def apply_activation(x, act=np.tanh):
    return np.sum(act(x))


def passes_its_default_on(x, a=np.cos):
    return apply_activation(x, act=a) + apply_activation(x, a) + np.sum(a(x))


def test_a_function_parameter_passed_on():
    """``f(x, act=a)`` where `a` is the caller's own function parameter: resolved to the
    caller's default there too (a review found a loud refusal of this valid program)."""
    check(passes_its_default_on, X)
    assert np.allclose(grad(passes_its_default_on)(X), -3 * np.sin(X))
    with pytest.raises(S2SError, match='default'):
        grad(passes_its_default_on)(X, np.sin)


def test_a_helper_made_for_a_passed_function_says_so():
    with pytest.raises(s2sgrad.errors.S2SError, match="made for calls passing 'sin' for its "
                                                      "parameter `act`"):
        s2sgrad.runtime.check_default(np.cos, np.sin, 'act', 'layer', True)
