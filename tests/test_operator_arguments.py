"""The operators' arguments: `jacobian` leaves an argument its function writes into unchanged
(and differentiates at the caller's point), `vjp` leaves a list cotangent unchanged, every
operator takes `wrt` naming a parameter left at its default or bound by `functools.partial`,
and `wrt` naming one parameter twice is refused up front."""
import functools

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import WrtError

import operator_argument_functions as m


@pytest.mark.parametrize('mode', ['fwd', 'rev'])
def test_jacobian_of_a_function_writing_into_its_argument(mode):
    x = np.array([1.0, 2.0, 3.0])
    J = s2sgrad.jacobian(m.squares_in_place, mode=mode)(x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(J, np.diag(2 * x))


def test_vjp_leaves_a_list_cotangent_unchanged():
    x = np.array([1.0, 2.0])
    u = [np.ones(2), 2 * np.ones(2), 3 * np.ones(2)]
    first = s2sgrad.vjp(m.scaled_list)(x, u)
    assert len(u) == 3
    second = s2sgrad.vjp(m.scaled_list)(x, u)
    np.testing.assert_allclose(first, [14.0, 14.0])
    np.testing.assert_allclose(second, first)


def test_wrt_a_parameter_left_at_its_default():
    x = np.array([0.1, 0.2])
    expected = numerical_grad(m.sine_sum, (x, 2.0), 1)
    np.testing.assert_allclose(s2sgrad.grad(m.sine_sum, wrt='scale')(x), expected)
    np.testing.assert_allclose(s2sgrad.jvp(m.sine_sum, wrt='scale')(x, 1.0), expected)
    np.testing.assert_allclose(s2sgrad.jacobian(m.sine_sum, wrt='scale')(x), expected)
    second = numerical_grad(lambda s: s2sgrad.grad(m.sine_sum, wrt='scale')(x, s), (2.0,), 0)
    np.testing.assert_allclose(s2sgrad.hvp(m.sine_sum, wrt='scale')(x, 1.0), second,
                               rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.hessian(m.sine_sum, wrt='scale')(x), second,
                               rtol=1e-6)


def test_wrt_a_keyword_bound_by_partial():
    x = np.array([0.1, 0.2])
    bound = functools.partial(m.weighted_squares, c=3.0)
    expected = np.sum(x ** 2)
    assert np.isclose(s2sgrad.grad(bound, wrt='c')(x), expected)
    assert np.isclose(s2sgrad.jvp(bound, wrt='c')(x, 1.0), expected)
    assert np.isclose(s2sgrad.jacobian(bound, wrt='c')(x), expected)
    np.testing.assert_allclose(s2sgrad.hessian(bound, wrt='x')(x), 6.0 * np.eye(2))


@pytest.mark.parametrize('operator', [s2sgrad.grad, s2sgrad.vjp, s2sgrad.jvp, s2sgrad.hvp,
                                      s2sgrad.jacobian, s2sgrad.hessian])
@pytest.mark.parametrize('wrt', [(0, 'x'), (0, 0), ('y', 1)])
def test_wrt_naming_a_parameter_twice_is_refused(operator, wrt):
    with pytest.raises(WrtError, match='twice'):
        operator(m.product, wrt=wrt)
