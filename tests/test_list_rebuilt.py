"""A list built by ``append`` and then given the name of a list argument (``new = []``, an
append loop, ``params = new``, then ``w, b = params``): the gradient pops the appended items'
adjoints off the list's adjoint, so the adjoint that unpacking builds is a list (it was a
tuple: AttributeError 'tuple' object has no attribute 'pop' in the generated code)."""
import numpy as np
import pytest

import s2sgrad


def one_step(params, x):
    w, b = params
    grads = [2 * (w * x + b) * x, 2 * (w * x + b)]
    new = []
    for p, g in zip(params, grads):
        new.append(p - 0.1 * g)
    params = new
    w, b = params
    return (w * x + b) ** 2


def one_step_unpacked_from_the_new_list(params, x):
    w, b = params
    new = []
    for p in params:
        new.append(p * (1.0 - 0.1 * x))
    w2, b2 = new
    return (w2 * x + b2) ** 2 + w * b


def numeric(f, params, x, eps=1e-6):
    out = []
    for i in range(len(params)):
        up, down = list(params), list(params)
        up[i] += eps
        down[i] -= eps
        out.append((f(up, x) - f(down, x)) / (2 * eps))
    return out


@pytest.mark.parametrize('f', [one_step, one_step_unpacked_from_the_new_list],
                         ids=lambda f: f.__name__)
def test_list_rebuilt_then_unpacked(f):
    params = [0.3, 0.2]
    g = s2sgrad.grad(f)(params, 0.7)
    assert isinstance(g, list) and np.allclose(g, numeric(f, [0.3, 0.2], 0.7), rtol=1e-6)
    assert params == [0.3, 0.2]


def steps_rebuilding_the_list(params, x):
    for t in range(2):
        w, b = params
        grads = [2 * (w * x + b) * x, 2 * (w * x + b)]
        new = []
        for p, g in zip(params, grads):
            new.append(p - 0.1 * g)
        params = new
    w, b = params
    return (w * x + b) ** 2


def grows_after_the_alias(params, x):
    new = []
    new.append(params[0] * x)
    other = new
    new.append(params[1] * x)
    return other[0] * other[-1] + len(other)


def test_an_optimizer_that_rebuilds_its_parameter_list():
    """``new = []``, appends, ``params = new`` at each step: `new` is done growing when the
    other name gets it (it was refused as one list grown under two names)."""
    f = steps_rebuilding_the_list
    g = s2sgrad.grad(f)([0.3, 0.2], 0.7)
    assert np.allclose(g, numeric(f, [0.3, 0.2], 0.7), rtol=1e-6)


def test_a_list_that_grows_after_another_name_got_it_is_right_or_refused():
    f = grows_after_the_alias
    try:
        g = s2sgrad.grad(f)([0.3, 0.2], 0.7)
    except s2sgrad.errors.UnsupportedSyntaxError as error:
        assert 'one name' in str(error)
        return
    assert np.allclose(g, numeric(f, [0.3, 0.2], 0.7), rtol=1e-6)


def grows_after_a_parameter_gets_it(params):
    w, b = params
    new = []
    new.append(w * 2.0)
    params = new
    new.append(b * 3.0)
    w2, b2 = params
    return np.sum(w2 * b2)


def test_a_list_that_grows_after_a_parameter_name_got_it_is_refused():
    """``params = new`` rebinds a parameter (a version of it, ``params_2``, in the normal
    form): the list grows under both names afterwards, which the gradient cannot follow."""
    P = [np.array([0.5, 1.2]), np.array([0.3, -0.7])]
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError,
                       match='`new` and `params`, made the same list by `params = new`'):
        s2sgrad.grad(grows_after_a_parameter_gets_it)(P)


def euler_on_a_list(x):
    s = [x, 1.0]
    for _ in range(3):
        s = [v + 0.1 * v * v for v in s]
    return s[0] * s[1]


def squared_once(x):
    s = [x, 1.0]
    s = [v * v for v in s]
    return s[0] + s[1]


@pytest.mark.parametrize('f', [squared_once], ids=lambda f: f.__name__)
@pytest.mark.parametrize('x', [0.3, 1.2])
def test_second_derivative_of_a_list_rebound_by_a_comprehension(f, x):
    # (the gradient's comprehension list is read under the rebound name before its backward
    # sweep pops it: hvp and grad of grad were refused)
    df = s2sgrad.grad(f)
    h = 1e-5
    want = (df(x + h) - df(x - h)) / (2 * h)
    assert s2sgrad.hvp(f)(x, 1.0) == pytest.approx(want, rel=1e-6)
    assert s2sgrad.grad(df)(x) == pytest.approx(want, rel=1e-6)


def test_second_derivative_of_a_list_rebound_in_a_loop_is_refused():
    # (each step's list is read under the other name while earlier steps' lists are popped:
    # refused rather than followed; first derivatives are right)
    x = 0.3
    h = 1e-6
    assert s2sgrad.grad(euler_on_a_list)(x) == pytest.approx(
        (euler_on_a_list(x + h) - euler_on_a_list(x - h)) / (2 * h), rel=1e-6)
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='list'):
        s2sgrad.hvp(euler_on_a_list)(x, 1.0)
