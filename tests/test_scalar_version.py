"""Gradients of scalar code (the `math` module on Python numbers) have a version for Python
numbers, guarded at entry, that calls the general version for anything else."""
import math

import numpy as np
import pytest

import s2sgrad
import scalar_functions as sf
from s2sgrad.errors import ComplexError
from trees import central_grad

POINTS = [0.3, -1.2, 2.0]


def assert_matches_central(func, args, wrt):
    df = s2sgrad.grad(func, wrt=wrt)
    got = df(*args)
    got = got if isinstance(got, tuple) else (got,)
    for g, i in zip(got, wrt):
        np.testing.assert_allclose(np.asarray(g, dtype=float), central_grad(func, args, i),
                                   rtol=1e-6, atol=1e-8)
    return got


@pytest.mark.parametrize('x', POINTS)
def test_loop_of_math_calls(x):
    g = assert_matches_central(sf.damped, [x], (0,))[0]
    assert type(g) is float


@pytest.mark.parametrize('x', POINTS)
def test_other_types_take_the_general_version(x):
    df = s2sgrad.grad(sf.damped)
    want = df(x)
    for value in (np.float64(x), np.array(x)):
        got = df(value)
        assert np.shape(got) == np.shape(value), type(value)
        np.testing.assert_allclose(np.asarray(got).ravel(), [want], rtol=1e-12)
    assert type(df(np.float64(x))) is np.float64
    assert type(df(np.array(x))) is np.ndarray
    np.testing.assert_allclose(df(int(round(x)) or 1), central_grad(sf.damped,
                                                                    [float(int(round(x)) or 1)],
                                                                    0), rtol=1e-6)


def test_the_scalar_version_is_what_is_printed():
    source = s2sgrad.grad(sf.damped).source
    assert 'if type(x) not in (float, int):\n        return ddampeddx_general(x)' in source
    scalar = source.split('def ddampeddx(x):')[1]
    general = source.split('def ddampeddx(x):')[0]
    assert 'def ddampeddx_general(x):' in general
    # the scalar loop saves y alone and calls no helper inside its loops
    assert 'unbroadcast' not in scalar and 's2s.meta' not in scalar
    assert scalar.count('_stack = []') == 1 and 'y_stack' in scalar
    assert 'unbroadcast' in general


def test_two_parameters_both_checked():
    args = [0.7, -0.4]
    assert_matches_central(sf.two_params, args, (0, 1))
    source = s2sgrad.grad(sf.two_params, wrt=(0, 1)).source
    assert 'if type(a) not in (float, int) or type(b) not in (float, int):' in source
    # one argument an array: the general version
    df = s2sgrad.grad(sf.two_params, wrt=(0, 1))
    ga, gb = df(np.array(0.7), -0.4)
    np.testing.assert_allclose([ga, gb], df(0.7, -0.4), rtol=1e-12)


@pytest.mark.parametrize('x', POINTS)
def test_an_array_parameter_keeps_its_sums(x):
    v = np.array([0.5, -1.0, 2.0])
    assert_matches_central(sf.with_data, [x, v], (0,))
    assert_matches_central(sf.with_data, [x, v], (0, 1))


@pytest.mark.parametrize('x', POINTS)
def test_reassigned_parameter(x):
    assert_matches_central(sf.reassigned, [x], (0,))


@pytest.mark.parametrize('x', [0.5, -0.5])
def test_branches_and_an_int_parameter(x):
    assert_matches_central(sf.branches, [x, 4], (0,))


@pytest.mark.parametrize('x', POINTS)
def test_numpy_calls_on_numbers(x):
    g = assert_matches_central(sf.mixed_numpy, [x], (0,))[0]
    assert type(g) is float


def test_complex_intermediate_is_loud_in_both_versions():
    df = s2sgrad.grad(sf.root_of_negative)
    assert 'droot_of_negativedx_general' in df.source
    np.testing.assert_allclose(df(2.0), central_grad(sf.root_of_negative, [2.0], 0), rtol=1e-6)
    with pytest.raises(ComplexError):
        df(-2.0)  # the Python float: ``x ** 0.5`` is complex
    with pytest.raises((ComplexError, TypeError)):  # math.sin rejects it itself
        df(np.array(-2.0 + 0j))


def test_value_and_grad():
    vg = s2sgrad.value_and_grad(sf.damped)
    value, g = vg(0.3)
    assert value == sf.damped(0.3)
    np.testing.assert_allclose(g, central_grad(sf.damped, [0.3], 0), rtol=1e-6)
    value2, g2 = vg(np.float64(0.3))
    assert value2 == value and g2 == pytest.approx(g, rel=1e-12)


def test_calls_into_a_users_function():
    assert_matches_central(sf.calls_helper, [0.4], (0,))


@pytest.mark.parametrize('k', [0, 1, 4])
def test_power_tower(k):
    assert_matches_central(sf.power_tower, [0.8, k], (0,))


@pytest.mark.parametrize('x', [0.3, -0.7])
def test_second_order(x):
    h = s2sgrad.hessian(sf.damped)(x)
    dg = s2sgrad.grad(sf.damped)
    want = (dg(x + 1e-5) - dg(x - 1e-5)) / 2e-5
    np.testing.assert_allclose(np.asarray(h).ravel(), [want], rtol=1e-5)
    gg = s2sgrad.grad(s2sgrad.grad(sf.damped))(x)
    np.testing.assert_allclose(gg, want, rtol=1e-5)


def test_bool_and_none_take_the_general_version():
    df = s2sgrad.grad(sf.damped)
    assert df(True) == pytest.approx(df(1.0), rel=1e-12)
    with pytest.raises(TypeError):
        df(None)


def test_no_version_without_math_calls():
    def poly(x):
        return x * x + 3 * x

    assert '_general' not in s2sgrad.grad(poly).source
    assert math.isclose(s2sgrad.grad(poly)(2.0), 7.0)


def test_both_versions_export_and_run_with_numpy_alone():
    from test_export import run_exported  # the exported module, in a NumPy-only environment

    text = s2sgrad.export(sf.damped, wrt=0, modes=('grad', 'value_and_grad'))
    assert 'def ddampeddx_general(x):' in text and 'return ddampeddx_general(x)' in text
    results = run_exported(text, ['ddampeddx(0.3)', 'ddampeddx(np.float64(0.3))',
                                  'ddampeddx(np.array(0.3))',
                                  'value_and_ddampeddx(0.3)[1]'])
    want = s2sgrad.grad(sf.damped)(0.3)
    np.testing.assert_allclose(results, [want, want, want, want], rtol=1e-12)
