"""`jacobian` of functions returning a tuple or list of arrays (one Jacobian per output, as
JAX's jacfwd/jacrev and PyTorch's jacobian give them; a tuple `wrt` makes each a tuple),
`vjp` with a cotangent given as a tuple for a tuple output that holds a dict, and the dtype
of an empty Jacobian. Checked against central differences."""
from typing import NamedTuple

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NonScalarOutputError

X = np.array([0.3, -0.5, 0.9])
Y = np.array([1.2, 0.4])


def pair(x, y):
    return np.exp(x) * np.sum(y), np.sum(x * x) * y[0]


def listed(x, y):
    return [np.outer(x, y), np.tanh(x)]


def numeric_jacobian(f, args, wrt, out_index, eps=1e-6):
    x = args[wrt]
    columns = []
    for e in np.eye(x.size):
        up = list(args)
        down = list(args)
        up[wrt] = x + eps * e.reshape(x.shape)
        down[wrt] = x - eps * e.reshape(x.shape)
        diff = (np.asarray(f(*up)[out_index]) - np.asarray(f(*down)[out_index])) / (2 * eps)
        columns.append(diff)
    out_shape = np.shape(f(*args)[out_index])
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape)


@pytest.mark.parametrize('mode', [None, 'fwd', 'rev'])
@pytest.mark.parametrize('f', [pair, listed], ids=lambda f: f.__name__)
def test_one_jacobian_per_output(f, mode):
    result = s2sgrad.jacobian(f, mode=mode)(X, Y)
    assert type(result) is type(f(X, Y)) and len(result) == 2
    for j in range(2):
        assert np.allclose(result[j], numeric_jacobian(f, (X, Y), 0, j), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_tuple_wrt_and_tuple_output(mode):
    result = s2sgrad.jacobian(pair, wrt=(0, 1), mode=mode)(X, Y)
    for j in range(2):
        for k in range(2):
            assert np.allclose(result[j][k], numeric_jacobian(pair, (X, Y), k, j),
                               rtol=1e-6, atol=1e-8)


def loss(x, y):
    return np.sum(np.sin(x)) * np.sum(y ** 2)


def test_jacobian_of_a_gradient_with_respect_to_two_arguments():
    g = s2sgrad.grad(loss, wrt=(0, 1))
    blocks = s2sgrad.jacobian(g, wrt=(0, 1))(X, Y)
    hessian = s2sgrad.hessian(loss, wrt=(0, 1))(X, Y)
    for j in range(2):
        for k in range(2):
            assert np.allclose(blocks[j][k], hessian[j][k], rtol=1e-8, atol=1e-10)


def test_jacobian_of_value_and_grad():
    value_jacobian, gradient_jacobian = s2sgrad.jacobian(s2sgrad.value_and_grad(loss))(X, Y)
    assert np.allclose(value_jacobian, s2sgrad.grad(loss)(X, Y))
    assert np.allclose(gradient_jacobian, s2sgrad.hessian(loss)(X, Y))


def nested(x):
    return x, (x * 2.0, x)


def keyed(x):
    return {'a': x * 2.0}


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_containers_of_containers_give_jacobians_of_their_structure(mode):
    eye = np.eye(X.size).reshape(X.shape + X.shape)
    first, (second, third) = s2sgrad.jacobian(nested, mode=mode)(X)
    for got, want in ((first, eye), (second, 2.0 * eye), (third, eye)):
        np.testing.assert_array_equal(got, want)
    got = s2sgrad.jacobian(keyed, mode=mode)(X)
    assert list(got) == ['a']
    np.testing.assert_array_equal(got['a'], 2.0 * eye)


def labelled(x):
    return x * 2.0, 'label'


def test_an_output_holding_a_string_is_refused():
    with pytest.raises(NonScalarOutputError, match='holds a str'):
        s2sgrad.jacobian(labelled)(X)


def with_a_dict(x, y):
    d = {'k': y ** 2}
    return [x * y[0], (np.sum(x), d)]


def test_vjp_with_a_tuple_cotangent_holding_a_dict():
    cotangent = [np.ones(3), (2.0, {'k': np.array([1.0, -1.0])})]
    as_lists = [np.ones(3), [2.0, {'k': np.array([1.0, -1.0])}]]
    expected = np.array([np.sum(X), 0.0]) + 2 * Y * np.array([1.0, -1.0])
    assert np.allclose(s2sgrad.vjp(with_a_dict, wrt=1)(X, Y, cotangent), expected)
    assert np.allclose(s2sgrad.vjp(with_a_dict, wrt=1)(X, Y, as_lists), expected)


def square(x):
    return x ** 2


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_an_empty_jacobian_keeps_the_dtype(mode):
    jac = s2sgrad.jacobian(square, mode=mode)(np.zeros((0,), np.float32))
    assert jac.shape == (0, 0) and jac.dtype == np.float32


def matrix_times(x, A):
    return A @ x


def quadratic(x, A):
    return x @ A @ x


@pytest.mark.parametrize('operator, f', [(s2sgrad.jvp, matrix_times), (s2sgrad.hvp, quadratic)],
                         ids=['jvp', 'hvp'])
def test_a_tangent_left_out_is_named(operator, f):
    """``jvp(f)(x, A)`` of ``f(x, A)``: `A` is taken for the tangent, and the message says
    the tangent was left out (not only that its shape is wrong)."""
    with pytest.raises(s2sgrad.errors.ShapeError, match='left out'):
        operator(f)(np.ones(3), np.ones((2, 3)) if f is matrix_times else np.eye(3) * 2.0)


def dict_in_a_tuple(x):
    return x, {'k': x ** 2}


def dicts_nested(x):
    return [np.sum(x), ({'a': x * 3.0, 'b': np.sin(x)}, 2.0)]


def test_dicts_displayed_in_a_returned_tuple():
    """``return x, {'k': ...}`` (a pytree output): each dict is filled under a name first, as
    ``return {...}`` is (it was refused as a dict made in one call)."""
    g = s2sgrad.vjp(dict_in_a_tuple)(X, (np.ones(3), {'k': np.ones(3)}))
    assert np.allclose(g, 1 + 2 * X)
    v = np.array([1.0, 2.0, -1.0])
    first, second = s2sgrad.jvp(dict_in_a_tuple)(X, v)
    assert np.allclose(first, v) and np.allclose(second['k'], 2 * X * v)
    cotangent = [1.0, ({'a': np.ones(3), 'b': np.full(3, 2.0)}, 0.0)]
    assert np.allclose(s2sgrad.vjp(dicts_nested)(X, cotangent), 1 + 3.0 + 2 * np.cos(X))


def pop_then_dict(x):
    xs = [x[0], x[1], x[2]]
    return xs.pop(), {'k': xs[-1] * 2.0}


def test_a_dict_after_a_call_that_changes_its_values_is_right_or_refused():
    """``return xs.pop(), {'k': xs[-1]}``: Python pops first; filling the dict before the
    statement would read the popped item."""
    cotangent = (1.0, {'k': 1.0})
    try:
        g = s2sgrad.vjp(pop_then_dict)(X, cotangent)
    except s2sgrad.errors.S2SError:
        return
    assert np.allclose(g, [0.0, 2.0, 1.0])


def copyto_then_dict(x):
    m = np.ones(3)
    return np.copyto(m, 2.0), {'k': m[0] * x}


def test_a_dict_after_an_in_place_numpy_call_is_right_or_refused():
    try:
        g = s2sgrad.vjp(copyto_then_dict)(X, (None, {'k': np.ones(3)}))
    except s2sgrad.errors.S2SError:
        return
    assert np.allclose(g, 2.0)


class Pair(NamedTuple):
    first: np.ndarray
    second: np.ndarray


def named_pair(x):
    return Pair(np.sin(x), x ** 2)


def test_a_namedtuple_output_has_a_namedtuple_of_jacobians():
    result = s2sgrad.jacobian(named_pair)(X)
    assert isinstance(result, Pair)
    assert np.allclose(result.first, np.diag(np.cos(X)))
    assert np.allclose(result.second, np.diag(2 * X))


def projected_by_append(X, t):
    out = []
    for p in X:
        q = p + t
        out.append(q[:2] / q[2])
    return out


def projected_by_comprehension(X, t):
    return [(p + t)[:2] / (p + t)[2] for p in X]


PX = np.array([[0.1, 0.2, 4.0], [0.3, -0.1, 5.0], [-0.2, 0.4, 6.0]])
PT = np.array([0.0, 0.1, 0.5])


@pytest.mark.parametrize('f', [projected_by_append, projected_by_comprehension],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_jacobian_of_a_list_built_in_a_loop(f, mode):
    # (the rows' cotangents reached the gradient as a tuple, which it pops: AttributeError)
    J = s2sgrad.jacobian(f, wrt=1, mode=mode)(PX, PT)
    assert isinstance(J, list) and len(J) == 3
    h = 1e-6
    for k in range(3):
        num = np.stack([(f(PX, PT + h * e)[k] - f(PX, PT - h * e)[k]) / (2 * h)
                        for e in np.eye(3)], axis=1)
        np.testing.assert_allclose(J[k], num, rtol=1e-6, atol=1e-9)


def test_vjp_of_a_list_built_in_a_loop_takes_a_tuple_cotangent():
    cot = tuple(np.ones(2) * (k + 1) for k in range(3))
    kept = [c.copy() for c in cot]
    by_tuple = s2sgrad.vjp(projected_by_append, wrt=1)(PX, PT, cot)
    by_list = s2sgrad.vjp(projected_by_append, wrt=1)(PX, PT, list(cot))
    np.testing.assert_allclose(by_tuple, by_list)
    for before, after in zip(kept, cot):
        np.testing.assert_array_equal(before, after)
