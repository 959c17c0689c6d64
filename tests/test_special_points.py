"""Rules at special points (0 ** y, x ** 0 at 0, det of a singular matrix, norms and hypot at 0,
xlogy at x == 0, prod with a zero) and rules given lists where NumPy takes arrays: each checked
against central differences, in reverse and forward mode, and at second order where the
derivative is smooth there. The expected numbers never come from s2sgrad itself."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads

try:
    import scipy.special as sp
except ImportError:  # pragma: no cover
    sp = None


def central(f, args, i, h=1e-6):
    """Central differences of the scalar f(*args) in argument i (float or array)."""
    args = list(args)
    x = args[i]
    if isinstance(x, float):
        plus, minus = list(args), list(args)
        plus[i], minus[i] = x + h, x - h
        return (f(*plus) - f(*minus)) / (2 * h)
    g = np.zeros_like(x, dtype=float)
    for j in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        plus, minus = list(args), list(args)
        plus[i], minus[i] = xp, xm
        g[j] = (f(*plus) - f(*minus)) / (2 * h)
    return g


def both_modes(f, args, wrt=0, order=2, atol=1e-6):
    """Reverse and forward mode (and hvp, unless order=1) against central differences, plus an
    explicit comparison of the gradient with central differences in every coordinate."""
    expected = central(f, args, wrt)
    got = s2sgrad.grad(f, wrt=wrt)(*args)
    assert np.all(np.isfinite(got)), got
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol)
    check_grads(f, args, wrt=wrt, modes=('rev', 'fwd'), order=order)


# -- powers ------------------------------------------------------------------------------------

def zero_base(y):
    return np.power(0.0, y)


def zero_base_array(y):
    return np.sum(np.zeros(3) ** y)


def zero_exponent(x):
    return x ** 0.0


def zero_int_exponent(x):
    return np.sum(x ** 0)


def first_power(x):
    return x ** 1.0


def square(x):
    return x ** 2


def cube_negative(x):
    return np.sum(x ** 3 + x ** 2)


def variable_exponent(x, y):
    return np.sum(x ** y)


def math_pow_zero(y):
    return math.pow(0.0, y)


@pytest.mark.parametrize('f, args', [
    (zero_base, [1.5]), (zero_base_array, [np.array([1.5, 2.0, 3.0])]),
    (zero_exponent, [0.0]), (zero_int_exponent, [np.array([0.0, 1.0, -2.0])]),
    (first_power, [0.0]), (square, [0.0]), (cube_negative, [np.array([-2.0, -0.5, 0.0])]),
    (math_pow_zero, [2.5]),
], ids=lambda v: getattr(v, '__name__', ''))
def test_power_at_special_points(f, args):
    both_modes(f, args)


def test_negative_base_integer_exponent_given_as_array():
    x = np.array([-2.0, -1.5, 0.0, 1.0])
    y = np.array([2.0, 3.0, 4.0, 0.0])
    np.testing.assert_allclose(s2sgrad.grad(variable_exponent)(x, y), central(
        variable_exponent, [x, y], 0), atol=1e-6)
    check_grads(variable_exponent, [x, y], wrt=0, modes=('rev', 'fwd'), order=2)


def test_constant_exponent_still_reads_as_the_textbook_formula():
    source = s2sgrad.grad(cube_negative).source
    # (3.0, not 3, for an x of unknown dtype: ``3 * x ** 2`` of an integer x is an
    # integer product, which overflows; see tests/test_simplify_probes.py)
    assert '3.0 * x ** 2' in source and 'power_slope' not in source


# -- det at singular matrices ---------------------------------------------------------------

def det(a):
    return np.linalg.det(a)


def det_squared_plus(a):
    return np.linalg.det(a) ** 2 + np.linalg.det(a * a)


def det_stack(a):
    return np.sum(np.linalg.det(a) * np.array([1.0, -2.0]))


SINGULAR = [
    np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((3, 3)), np.diag([1.0, 0.0, 2.0]),
    np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 2.0]), np.array([[0.0]]),
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
]


@pytest.mark.parametrize('a', SINGULAR, ids=range(len(SINGULAR)))
def test_det_at_a_singular_matrix_is_the_cofactor_matrix(a):
    both_modes(det, [a])
    both_modes(det_squared_plus, [a])
    h = s2sgrad.hessian(det)(a)
    n = a.size
    grad = s2sgrad.grad(det)
    numeric = np.stack([central(lambda b: np.sum(grad(b) * e.reshape(a.shape)), [a], 0)
                        for e in np.eye(n)]).reshape(a.shape + a.shape)
    np.testing.assert_allclose(h, numeric, atol=1e-5)


def test_det_of_a_stack_with_a_singular_matrix():
    a = np.random.default_rng(1).normal(size=(2, 3, 3))
    a[1, 2] = a[1, 0]
    both_modes(det_stack, [a])


# -- kinks and removable singularities -----------------------------------------------------

def norm(x):
    return np.linalg.norm(x)


def norm_p(x):
    return np.linalg.norm(x, 1.5)


def hypot(x, y):
    return np.hypot(x, y)


def prod(x):
    return np.prod(x)


def sinc(x):
    return np.sum(np.sinc(x))


def absolute(x):
    return np.sum(np.abs(x))


def test_norm_at_zero_is_zero_like_abs_and_at_a_zero_coordinate_exact():
    both_modes(norm, [np.zeros(3)], order=1)
    both_modes(norm_p, [np.array([0.0, 1.0, -2.0])], order=1)  # 1 < p < 2: a zero coordinate
    both_modes(norm_p, [np.array([0.5, 1.0, -2.0])])
    both_modes(absolute, [np.array([0.0, 1.0])], order=1)


def test_hypot_at_zero():
    both_modes(hypot, [0.0, 0.0], order=1)
    both_modes(hypot, [0.0, 2.0], wrt=0)


def test_prod_with_zeros_and_sinc_at_zero():
    both_modes(prod, [np.array([0.0, 2.0, 3.0])])
    both_modes(prod, [np.array([0.0, 0.0, 3.0])])
    both_modes(sinc, [np.array([0.0, 1e-9, 0.5])])


def xlogy(x, y):
    return np.sum(sp.xlogy(x, y))


def logsumexp(a):
    return sp.logsumexp(a)


@pytest.mark.skipif(sp is None, reason='SciPy is not installed')
def test_scipy_functions_at_zero():
    x, y = np.array([0.0, 0.5]), np.array([0.0, 2.0])
    got = s2sgrad.grad(xlogy, wrt=1)(x, y)
    np.testing.assert_allclose(got, [0.0, 0.25])  # xlogy(0, y) is 0 for every y
    assert s2sgrad.jvp(xlogy, wrt=1)(x, y, np.ones(2)) == pytest.approx(0.25)
    a = np.array([-np.inf, 0.0, 1.0])
    g = s2sgrad.grad(logsumexp)(a)
    np.testing.assert_allclose(g, [0.0, 1 / (1 + np.e), np.e / (1 + np.e)])


# -- lists where NumPy takes arrays ---------------------------------------------------------

def nested_array(x):
    return np.sum(np.array([[x[0], x[1]], [x[1], 2.0 * x[0]]]) ** 2)


def array_times(x):
    return np.sum(np.array(3.0) * x)


def sum_list(x):
    return np.sum([x, x + 2.0] * np.array([[1.0], [2.0]]))


def mean_list(x):
    return np.mean([x, x * 2.0])


def norm_list(x):
    return np.linalg.norm([x, x * 2.0])


def stack_list(x):
    return np.sum(np.stack([x, x * 2.0]) ** 2)


def concatenate_list(x):
    return np.sum(np.concatenate([x, x ** 2]) ** 2)


def max_list(x):
    return np.max([x, x * 2.0])


def dot_list(x):
    return np.dot([x[0], x[1]], x)


def sum_axis_list(x):
    return np.sum(np.sum([x, x ** 2], axis=0) ** 2)


def prod_list(x):
    return np.prod([x[0], x[1] + 1.0])


LISTS = [nested_array, array_times, sum_list, mean_list, norm_list, stack_list,
         concatenate_list, max_list, dot_list, sum_axis_list, prod_list]


@pytest.mark.parametrize('f', LISTS, ids=[f.__name__ for f in LISTS])
def test_list_arguments(f):
    both_modes(f, [np.array([0.3, -1.2])])


# -- special points of other rules (from a review: nan, ZeroDivisionError, OverflowError) -------

def float_power_sum(x, y):
    return np.sum(np.float_power(x, y))


def test_float_power_at_zero_base_and_zero_exponent_as_power():
    x, y = np.array([0.0, 2.0, 0.0]), np.array([2.0, 0.0, 1.5])
    gx, gy = s2sgrad.grad(float_power_sum, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(gx, [0.0, 0.0, 0.0])  # y x^(y-1): 0 at x = 0 (y > 1), y = 0
    np.testing.assert_allclose(gy, [0.0, np.log(2.0), 0.0])  # x^y log x: 0 where x^y = 0
    assert s2sgrad.jvp(float_power_sum, wrt=(0, 1))(x, y, (np.ones(3), np.ones(3))) == \
        pytest.approx(np.log(2.0))
    both_modes(float_power_sum, [np.array([0.5, 2.0]), np.array([2.5, 0.0])], order=1)


def math_hypot(x, y):
    return math.hypot(x, y)


def math_hypot3(x, y):
    return math.hypot(x, y, 0.0)


def math_atan2(y, x):
    return math.atan2(y, x)


def math_erf(x):
    return math.erf(x)


def math_asinh(x):
    return math.asinh(x)


def math_acosh(x):
    return math.acosh(x)


def test_math_rules_with_python_floats_at_zero_and_at_large_and_tiny_values():
    assert s2sgrad.grad(math_hypot, wrt=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert s2sgrad.jvp(math_hypot, wrt=(0, 1))(0.0, 0.0, (1.0, 1.0)) == 0.0
    assert s2sgrad.grad(math_hypot3, wrt=(0, 1))(np.float64(0.0), np.float64(0.0)) == (0, 0)
    # d/dy atan2(y, x) = x / (x^2 + y^2): the squares overflow or underflow as Python floats
    for t, expected in [(1e-170, 5e169), (1e200, 5e-201), (3.0, 1 / 6.0)]:
        gy, gx = s2sgrad.grad(math_atan2, wrt=(0, 1))(t, t)
        assert gy == pytest.approx(expected, rel=1e-12) and gx == pytest.approx(-expected)
        assert s2sgrad.jvp(math_atan2, wrt=0)(t, t, 1.0) == pytest.approx(expected, rel=1e-12)
    assert s2sgrad.grad(math_erf)(1e160) == 0.0
    assert s2sgrad.grad(math_asinh)(1e200) == pytest.approx(1e-200, rel=1e-12)
    assert s2sgrad.grad(math_acosh)(1e200) == pytest.approx(1e-200, rel=1e-12)
    for f, x in [(math_asinh, 0.7), (math_acosh, 1.7), (math_erf, 0.4)]:
        assert s2sgrad.grad(f)(x) == pytest.approx((f(x + 1e-6) - f(x - 1e-6)) / 2e-6,
                                                   rel=1e-6)


@pytest.mark.skipif(sp is None, reason='SciPy is not installed')
def test_xlogy_of_python_floats_at_zero():
    assert s2sgrad.grad(xlogy, wrt=1)(0.0, 0.0) == 0.0
    assert s2sgrad.grad(xlogy, wrt=1)(0.5, 2.0) == pytest.approx(0.25)


def exponential_cdf(scale, t):
    """Observations `t` (one of them 0) under an exponential law: gammainc(1, t / scale)."""
    return np.sum(sp.gammainc(1.0, t / scale) + sp.gammaincc(1.0, t / (2.0 * scale)))


@pytest.mark.skipif(sp is None, reason='SciPy is not installed')
def test_gammainc_with_a_one_at_zero():
    t = np.array([0.0, 0.7, 1.5])
    scale = 1.3
    # d/ds (1 - exp(-t/s)) + exp(-t/(2s)) = -exp(-t/s) t / s^2 + exp(-t/(2s)) t / (2 s^2)
    expected = np.sum(-np.exp(-t / scale) * t / scale ** 2 +
                      np.exp(-t / (2 * scale)) * t / (2 * scale ** 2))
    assert s2sgrad.grad(exponential_cdf)(scale, t) == pytest.approx(expected, rel=1e-12)
    assert s2sgrad.jvp(exponential_cdf)(scale, t, 1.0) == pytest.approx(expected, rel=1e-12)


def gammainc_orders(x):
    return np.sum(sp.gammainc(np.array([1.0, 2.0, 3.0]), x) +
                  sp.gammaincc(np.array([2.0, 1.0, 4.0]), 2.0 * x))


@pytest.mark.skipif(sp is None, reason='SciPy is not installed')
def test_gammainc_second_derivative_at_zero():
    """d2/dx2 gammainc(a, x) at 0: -1 for a = 1, 1 for a = 2, 0 above (it read 0 * inf)."""
    H = s2sgrad.hessian(gammainc_orders)(np.zeros(3))
    # gammaincc(a, 2x) = 1 - gammainc(a, 2x): -4 times the same second derivatives
    np.testing.assert_allclose(H, np.diag([-1.0 - 4.0, 1.0 + 4.0, 0.0]))
    x = np.array([0.3, 0.7, 1.1])
    grad = s2sgrad.grad(gammainc_orders)
    expected = np.array([(grad(x + 1e-5 * e) - grad(x - 1e-5 * e)) / 2e-5 for e in np.eye(3)])
    np.testing.assert_allclose(s2sgrad.hessian(gammainc_orders)(x), expected, rtol=1e-6,
                               atol=1e-8)
