"""Higher-order programs a review found refused with an internal error: an index computed from
``x.shape`` in a function whose gradient is differentiated twice more. Expected values are
closed forms."""
import numpy as np
import pytest

import s2sgrad


def last_to_the_fourth(x):
    return x[x.shape[0] - 1] ** 4


def weighted_gradient(v, x):
    return np.sum(s2sgrad.grad(last_to_the_fourth)(x) * v)


def wraps_around(x):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + x[i] * x[(i + 1) % x.shape[0]] ** 2
    return total


def weighted_wrap_gradient(v, x):
    return np.sum(s2sgrad.grad(wraps_around)(x) * v)


def test_third_order_through_an_index_of_the_shape():
    x, v = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    expected = np.zeros((3, 3))
    expected[2, 2] = 12 * x[2] ** 2 * v[2]  # (the Hessian of v . 4 x[-1]**3 e_last)
    np.testing.assert_allclose(s2sgrad.hessian(weighted_gradient, wrt=1)(v, x), expected)
    np.testing.assert_allclose(s2sgrad.hvp(weighted_gradient, wrt=1)(v, x, np.ones(3)),
                               expected @ np.ones(3))


def test_third_order_through_a_wrapped_index():
    x, v = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    n = len(x)

    def third(i, j, k):  # d3/dx_i dx_j dx_k of sum_m x[m] x[m+1]**2: 2 at (m, m+1, m+1)
        return sum(2.0 for m in range(n) for p in {(m, (m + 1) % n, (m + 1) % n),
                                                   ((m + 1) % n, m, (m + 1) % n),
                                                   ((m + 1) % n, (m + 1) % n, m)}
                   if p == (i, j, k))
    expected = np.array([[sum(third(i, j, k) * v[i] for i in range(n)) for k in range(n)]
                         for j in range(n)])
    np.testing.assert_allclose(s2sgrad.hessian(weighted_wrap_gradient, wrt=1)(v, x), expected)


def quadratic_form(x, A):
    return x @ A @ x


def sine_weighted(x):
    return np.sum(np.sin(x) * x ** 2)


def test_a_derivative_made_with_declared_shapes_is_refused_by_name_when_differentiated():
    x = np.array([0.3, 0.5, 0.7])
    first = s2sgrad.grad(sine_weighted, shapes={'x': (3,)})
    np.testing.assert_allclose(first(x), np.cos(x) * x ** 2 + 2 * x * np.sin(x))
    with pytest.raises(s2sgrad.errors.WrapperError, match='`sine_weighted` made with shapes='):
        s2sgrad.jacobian(first)(x)
    quadratic = s2sgrad.grad(quadratic_form, shapes={'x': ('n',), 'A': ('n', 'n')})
    for wrt in (1, 'A', 0):  # (the wrapper's parameters are *args, **kwargs: a KeyError)
        with pytest.raises(s2sgrad.errors.WrapperError, match='made with shapes='):
            s2sgrad.jacobian(quadratic, wrt=wrt)(x, np.eye(3))
    again = s2sgrad.jacobian(s2sgrad.grad(sine_weighted))(x)  # (without shapes=: it is)
    np.testing.assert_allclose(again, np.diag(-np.sin(x) * x ** 2 + 4 * x * np.cos(x) +
                                              2 * np.sin(x)))
