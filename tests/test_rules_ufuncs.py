"""Spec table of the floating-point ufunc rules (templates/elementwise.py), and stability checks."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulespec  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad import rules  # noqa: E402

W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
V = np.array([0.2, -0.7, 1.3])


def vec(lo=-1.0, hi=1.0, shape=(2, 3)):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def signed(lo=0.3, hi=1.0, shape=(2, 3)):
    """Values away from 0 (kinks of fabs, copysign, ...), both signs."""
    return lambda rng: (rng.choice([-1.0, 1.0], shape) * rng.uniform(lo, hi, shape),)


def pair(x_lo, x_hi, y_lo, y_hi, y_shape=(2, 3)):
    return lambda rng: (rng.uniform(x_lo, x_hi, (2, 3)), rng.uniform(y_lo, y_hi, y_shape))


def scalar(lo, hi):
    return lambda rng: (float(rng.uniform(lo, hi)),)


# -- one-argument ufuncs
def f_exp2(x): return np.sum(np.exp2(x) * W)
def f_expm1(x): return np.sum(np.expm1(x) * W)
def f_log2(x): return np.sum(np.log2(x) * W)
def f_log10(x): return np.sum(np.log10(x) * W)
def f_log1p(x): return np.sum(np.log1p(x) * W)
def f_square(x): return np.sum(np.square(x) * W)
def f_reciprocal(x): return np.sum(np.reciprocal(x) * W)
def f_cbrt(x): return np.sum(np.cbrt(x) * W)
def f_arcsinh(x): return np.sum(np.arcsinh(x) * W)
def f_arccosh(x): return np.sum(np.arccosh(x) * W)
def f_arctanh(x): return np.sum(np.arctanh(x) * W)
def f_fabs(x): return np.sum(np.fabs(x) * W)
def f_absolute(x): return np.sum(np.absolute(x) * W)
def f_positive(x): return np.sum(np.positive(x) * W * x)
def f_deg2rad(x): return np.sum(np.sin(np.deg2rad(x)) * W)
def f_radians(x): return np.sum(np.sin(np.radians(x)) * W)
def f_rad2deg(x): return np.sum(np.rad2deg(x) ** 2 * W)
def f_degrees(x): return np.sum(np.degrees(x) ** 2 * W)
def f_sinc(x): return np.sum(np.sinc(x) * W)
def f_sinc_near_zero(x): return np.sum(np.sinc(x) * W)
def f_sinc_scalar(x): return np.sinc(x) * 2.0 + x
def f_expm1_scalar(x): return np.expm1(x) * np.log1p(x) + np.cbrt(x)


# -- two-argument ufuncs
def f_float_power(x, y): return np.sum(np.float_power(x, y) * W)
def f_float_power_scalar_exponent(x): return np.sum(np.float_power(x, 2.5) * W)
def f_arctan2(x, y): return np.sum(np.arctan2(x, y) * W)
def f_arctan2_broadcast(x, y): return np.sum(np.arctan2(x, y) * W)
def f_hypot(x, y): return np.sum(np.hypot(x, y) * W)
def f_logaddexp(x, y): return np.sum(np.logaddexp(x, y) * W)
def f_logaddexp2(x, y): return np.sum(np.logaddexp2(x, y) * W)
def f_true_divide(x, y): return np.sum(np.true_divide(x, y) * W)
def f_fmax(x, y): return np.sum(np.fmax(x, y) * W * x)
def f_fmin(x, y): return np.sum(np.fmin(x, y) * W * y)
def f_fmax_nan(x): return np.sum(np.fmax(x, np.array([np.nan, 0.1, np.nan])) * W * x)
def f_fmin_nan(x): return np.sum(np.fmin(np.array([np.nan, -0.2, 0.3]), x) * W * x)
def f_copysign(x, y): return np.sum(np.copysign(x, y) * W * x)
def f_copysign_const(x): return np.sum(np.copysign(x, V) * W * x)


# -- clip, positional, keywords, one-sided, array bounds, method form
def f_clip(x): return np.sum(np.clip(x, -0.5, 0.5) * W * x)
def f_clip_keywords(x): return np.sum(np.clip(x, a_min=-0.5, a_max=0.4) * W * x)
def f_clip_min_max(x): return np.sum(np.clip(x, min=-0.4, max=0.5) * W * x)
def f_clip_lower_only(x): return np.sum(np.clip(x, -0.3, None) * W * x)
def f_clip_upper_only(x): return np.sum(np.clip(x, None, a_max=0.2) * W * x)
def f_clip_max_only(x): return np.sum(np.clip(x, max=0.2) * W * x)
def f_clip_bounds(x, lo, hi): return np.sum(np.clip(x, lo, hi) * W * x) + np.sum(lo) * np.sum(hi)
def f_clip_bounds_keywords(x, lo, hi): return np.sum(np.clip(x, min=lo, max=hi) * W)
def f_clip_method(x): return np.sum(x.clip(-0.5, 0.5) * W * x)
def f_clip_method_keywords(x, hi): return np.sum(x.clip(min=-0.5, max=hi) * W * x)
def f_clip_scalar(x): return np.clip(x, 0.2, 0.6) * x


# -- a number argument beside an array (its tangent is a number; on CuPy, the masks are not)
def f_maximum_number(x, c): return np.sum(np.maximum(x, c) * W * x)
def f_minimum_number(x, c): return np.sum(np.minimum(c, x) * W * x)
def f_fmax_number(x, c): return np.sum(np.fmax(c, x) * W * c)
def f_fmin_number(x, c): return np.sum(np.fmin(x, c * c) * W)
def f_where_number(x, c): return np.sum(np.where(x > 0.1, c, x * c) * W * x)


# -- piecewise constant: zero derivative, the rest still differentiates
def f_rounding(x):
    k = np.floor(x) + np.ceil(x) + np.round(x) + np.rint(x) + np.trunc(x) + np.fix(x)
    return np.sum((k + np.sign(x) + np.around(x, 1)) * x * W) + np.sum(x.round() * x)


ROWS = [
    (f_exp2, vec(), 0), (f_expm1, vec(), 0), (f_log2, vec(0.5, 2.0), 0),
    (f_log10, vec(0.5, 2.0), 0), (f_log1p, vec(-0.5, 1.0), 0), (f_square, vec(), 0),
    (f_reciprocal, signed(0.5, 2.0), 0), (f_cbrt, signed(0.3, 2.0), 0),
    (f_arcsinh, vec(-3.0, 3.0), 0), (f_arccosh, vec(1.2, 3.0), 0),
    (f_arctanh, vec(-0.8, 0.8), 0), (f_fabs, signed(), 0), (f_absolute, signed(), 0),
    (f_positive, vec(), 0), (f_deg2rad, vec(-90.0, 90.0), 0), (f_radians, vec(-90.0, 90.0), 0),
    (f_rad2deg, vec(), 0), (f_degrees, vec(), 0),
    (f_sinc, vec(-2.0, 2.0), 0),
    # straddles the series branch of sinc's derivative (|x| < 0.05) and 0 itself
    (f_sinc_near_zero, lambda rng: (np.array([[0.0, 0.01, -0.04], [0.049, 0.06, -0.3]]),), 0),
    (f_sinc_scalar, scalar(0.2, 0.8), 0), (f_expm1_scalar, scalar(0.2, 0.8), 0),
    (f_float_power, pair(0.5, 2.0, 1.0, 2.0), (0, 1)),
    (f_float_power_scalar_exponent, vec(0.5, 2.0), 0),
    (f_arctan2, pair(-1.0, 1.0, 0.5, 1.5), (0, 1)),
    (f_arctan2_broadcast, pair(-1.0, 1.0, -1.5, -0.5, (3,)), (0, 1)),
    (f_hypot, pair(0.3, 1.0, -1.0, -0.3, (1, 3)), (0, 1)),
    (f_logaddexp, pair(-2.0, 2.0, -2.0, 2.0, (3,)), (0, 1)),
    (f_logaddexp2, pair(-2.0, 2.0, -2.0, 2.0), (0, 1)),
    (f_true_divide, pair(-1.0, 1.0, 1.0, 2.0, (3,)), (0, 1)),
    (f_fmax, lambda rng: (rng.uniform(-1, 1, (2, 3)), np.array([0.15, -0.35, 0.45])), (0, 1)),
    (f_fmin, lambda rng: (np.array([[0.1, -0.6, 0.2], [-0.9, 0.8, 0.0]]),
                          rng.uniform(-0.5, 0.5, (2, 3))), (0, 1)),
    (f_fmax_nan, vec(), 0), (f_fmin_nan, vec(), 0),
    (f_copysign, lambda rng: (signed()(rng)[0], rng.uniform(-1, 1, (2, 3))), 0),
    (f_copysign, lambda rng: (signed()(rng)[0], rng.uniform(0.2, 1, (2, 3))), (0, 1)),
    (f_copysign_const, signed(), 0),
    (f_clip, vec(), 0), (f_clip_keywords, vec(), 0), (f_clip_min_max, vec(), 0),
    (f_clip_lower_only, vec(), 0), (f_clip_upper_only, vec(), 0), (f_clip_max_only, vec(), 0),
    (f_clip_bounds, lambda rng: (np.array([[-0.9, -0.1, 0.3], [0.8, 0.05, -0.45]]),
                                 np.array([-0.5, -0.2, 0.1]), np.array([[0.6], [0.0]])),
     (0, 1, 2)),
    (f_clip_bounds_keywords, lambda rng: (np.array([[-0.9, -0.1, 0.3], [0.8, 0.05, -0.45]]),
                                          -0.3, np.array([0.4, 0.2, 0.5])), (0, 1, 2)),
    (f_clip_method, vec(), 0),
    (f_clip_method_keywords, lambda rng: (rng.uniform(-1, 1, (2, 3)), 0.35), (0, 1)),
    (f_clip_scalar, scalar(0.3, 0.5), 0),
    (f_maximum_number, lambda rng: (rng.uniform(-1, 1, (2, 3)), 0.15), (0, 1)),
    (f_minimum_number, lambda rng: (rng.uniform(-1, 1, (2, 3)), -0.25), (0, 1)),
    (f_fmax_number, lambda rng: (rng.uniform(-1, 1, (2, 3)), 0.35), (0, 1)),
    (f_fmin_number, lambda rng: (rng.uniform(-1, 1, (2, 3)), 0.55), (0, 1)),
    (f_where_number, lambda rng: (rng.uniform(-1, 1, (2, 3)), 0.45), (0, 1)),
    (f_rounding, lambda rng: (rng.integers(-3, 3, (2, 3)) + rng.uniform(0.1, 0.4, (2, 3)),),
     0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


DIFFERENTIABLE = [
    np.exp2, np.expm1, np.log2, np.log10, np.log1p, np.square, np.reciprocal, np.float_power,
    np.arctan2, np.hypot, np.logaddexp, np.logaddexp2, np.sinc, np.fabs, np.clip, np.positive,
    np.true_divide, np.deg2rad, np.rad2deg, np.radians, np.degrees, np.cbrt, np.arcsinh,
    np.arccosh, np.arctanh, np.fmax, np.fmin, np.absolute, np.copysign,
]
ZERO_DERIVATIVE = [np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign]


@pytest.mark.parametrize('func', DIFFERENTIABLE, ids=lambda f: f.__name__)
def test_both_modes_registered(func):
    assert rules.lookup_adjoint(func) is not None
    assert rules.lookup_tangent(func) is not None


@pytest.mark.parametrize('func', ZERO_DERIVATIVE, ids=lambda f: f.__name__)
def test_zero_derivative_registered(func):
    assert rules.is_nondifferentiable(func)


def test_methods_registered():
    assert rules.METHODS['clip'] is np.clip
    assert 'round' in rules.NONDIFFERENTIABLE_METHODS


def test_helpers_have_rules():
    from s2sgrad.templates import elementwise
    assert rules.lookup_adjoint(elementwise.sinc_derivative) is not None
    assert rules.lookup_tangent(elementwise.sinc_derivative) is not None
    for helper in (elementwise.clip_passes, elementwise.clip_lower, elementwise.clip_upper):
        assert rules.is_nondifferentiable(helper)


# -- numerical stability at extreme inputs ----------------------------------------------------

def g_logaddexp(x, y): return np.sum(np.logaddexp(x, y))
def g_logaddexp2(x, y): return np.sum(np.logaddexp2(x, y))
def g_arctan2(x, y): return np.sum(np.arctan2(x, y))
def g_hypot(x, y): return np.sum(np.hypot(x, y))
def g_arcsinh(x): return np.sum(np.arcsinh(x))
def g_arccosh(x): return np.sum(np.arccosh(x))
def g_sinc(x): return np.sum(np.sinc(x))


def _both_modes(f, args, wrt):
    """The gradient of `f` in reverse mode and in forward mode (a tuple per mode)."""
    if len(wrt) == 1:
        return [(s2sgrad.grad(f, wrt=wrt[0])(*args),),
                (s2sgrad.jacobian(f, wrt=wrt[0], mode='fwd')(*args),)]
    wrt = tuple(wrt)
    return [tuple(s2sgrad.grad(f, wrt=wrt)(*args)),
            tuple(s2sgrad.jacobian(f, wrt=wrt, mode='fwd')(*args))]


def test_logaddexp_stable_for_huge_inputs():
    x = np.array([1000.0, -1000.0, 800.0])
    y = np.array([1000.0, -1000.0, -800.0])
    for gx, gy in _both_modes(g_logaddexp, (x, y), (0, 1)):
        np.testing.assert_allclose(gx, [0.5, 0.5, 1.0])
        np.testing.assert_allclose(gy, [0.5, 0.5, 0.0])
    for gx, gy in _both_modes(g_logaddexp2, (x, y), (0, 1)):
        np.testing.assert_allclose(gx, [0.5, 0.5, 1.0])
        np.testing.assert_allclose(gy, [0.5, 0.5, 0.0])


def test_arctan2_and_hypot_stable_for_tiny_and_huge_inputs():
    x = np.array([1e-200, 1e200, 3e-170])
    y = np.array([1e-200, 1e200, 4e-170])
    for gx, gy in _both_modes(g_arctan2, (x, y), (0, 1)):
        np.testing.assert_allclose(gx, [5e199, 5e-201, 1.6e169])
        np.testing.assert_allclose(gy, [-5e199, -5e-201, -1.2e169])
    for gx, gy in _both_modes(g_hypot, (x, y), (0, 1)):
        np.testing.assert_allclose(gx, [2 ** -0.5, 2 ** -0.5, 0.6])
        np.testing.assert_allclose(gy, [2 ** -0.5, 2 ** -0.5, 0.8])


def test_inverse_hyperbolic_stable_for_huge_inputs():
    x = np.array([1e200, -1e300, 1e-300])
    for (g,) in _both_modes(g_arcsinh, (x,), (0,)):
        np.testing.assert_allclose(g, [1e-200, 1e-300, 1.0])
    x = np.array([1e200, 1e300, 1.0 + 1e-12])
    for (g,) in _both_modes(g_arccosh, (x,), (0,)):
        np.testing.assert_allclose(g, [1e-200, 1e-300, 1.0 / np.sqrt(2e-12)], rtol=1e-4)


def test_sinc_derivative_accurate_near_zero():
    x = np.array([0.0, 1e-12, -1e-6, 1e-3, 0.0499, 0.0501, 0.3, -1.7])
    pi = np.pi
    xs = np.where(x == 0, 1.0, x)
    expected = np.where(x == 0, 0.0, (pi * xs * np.cos(pi * xs) - np.sin(pi * xs)) / (pi * xs * xs))
    expected[:3] = -pi ** 2 * x[:3] / 3  # the leading term is exact there to double precision
    for (g,) in _both_modes(g_sinc, (x,), (0,)):
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, expected, rtol=1e-9, atol=1e-300)
    x = np.array([0.0, 1e-8, 0.02, 0.0499, 0.0501, 0.2])
    hess = s2sgrad.hessian(g_sinc)(x)
    assert np.all(np.isfinite(hess))
    series = -pi ** 2 / 3 + pi ** 4 * x ** 2 / 10 - pi ** 6 * x ** 4 / 168 + pi ** 8 * x ** 6 / 6480
    np.testing.assert_allclose(np.diag(hess), series, rtol=1e-6)


# -- loud where a derivative would be wrong -----------------------------------------------------

def h_exp2_out(x, y): return np.sum(np.exp2(x, out=y))
def h_clip_out(x): return np.sum(x.clip(0.1, 0.2, x))


@pytest.mark.parametrize('f', [h_exp2_out, h_clip_out])
def test_output_arguments_are_rejected(f):
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError):
        s2sgrad.grad(f)


def test_scalar_and_single_precision_inputs():
    assert s2sgrad.grad(f_sinc_scalar)(0.0) == 1.0  # sinc'(0) = 0, plus the `+ x`
    x = np.linspace(0.1, 0.9, 6, dtype=np.float32).reshape(2, 3)
    for f in (f_float_power_scalar_exponent, f_cbrt, f_log1p, f_arcsinh, f_clip):
        g = s2sgrad.grad(f)(x)
        assert g.dtype == np.float32 and np.all(np.isfinite(g))
        np.testing.assert_allclose(g, s2sgrad.grad(f)(x.astype(np.float64)), rtol=1e-4)


def maximum_itself(x, y):
    return np.maximum(x, y)


def minimum_itself(x, y):
    return np.minimum(x, y) * 2.0


@pytest.mark.parametrize('f', [maximum_itself, minimum_itself])
@pytest.mark.parametrize('shapes', [((), ()), ((2,), (2,)), ((2, 1), (3,))],
                         ids=['scalars', 'vectors', 'broadcast'])
def test_second_order_of_maximum_returned_as_it_is(f, shapes):
    """np.maximum(x, y) as the output: its adjoint ``g * (x >= y)`` holds x only in a
    comparison, which carries no derivative (second order raised an internal error)."""
    rng = np.random.default_rng(3)
    args = tuple(float(rng.normal()) if s == () else rng.normal(size=s) for s in shapes)
    s2sgrad.check_grads(f, args, wrt=(0, 1), modes=('rev', 'fwd'), order=2)
