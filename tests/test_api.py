"""The public API contract of s2sgrad.grad and friends (the README's API section)."""

import inspect
import math
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2sgrad
from s2sgrad import errors
from s2sgrad.checks import check_grads, numerical_grad

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ==================== functions under test

def two_args(x, y):
    return np.sum(x * x * y + np.sin(y))


def cube(x):
    return x ** 3


def msin(x):
    return math.sin(x)


def scaled_square(x, scale=2.0):
    return np.sum(scale * x ** 2)


def vector_output(x):
    return x * 2.0


def size_one_output(x):
    return x * 3.0


def writes_into_argument(x):
    x[0] = x[0] * 2.0
    y = x
    y[1] = 3.0 * y[1] ** 2
    return np.sum(x * x)


def verbose_target(x):
    return np.sum(np.sin(x) * x)


def unoptimized_target(x):
    y = x ** 2
    z = y * 1.0 + 0.0
    w = z
    return np.sum(w * x)


def cached_target(x, y):
    return np.sum(np.exp(x) * y)


def uses_try(x):
    try:
        y = x * x
    except ValueError:
        y = x
    return y


def uses_with(x):
    with np.errstate(all='raise'):  # (settings that raise: 'ignore' or 'warn' are lowered)
        y = np.log(x)
    return np.sum(y)


def uses_fft(A):
    return np.sum(np.fft.fft(A[0]).real)


def uses_gamma(x):  # (np.unwrap: a function with no rule)
    return np.sum(np.unwrap(x))


def gamma_of_inactive(x, a):
    return np.sum(x * np.spacing(a))


def float32_target(x):
    return np.sum(np.tanh(x) * x)


sq = lambda x: x * x  # noqa: E731
weighted = lambda x, w: np.sum(w * x ** 2)  # noqa: E731


# ==================== wrt selection

def test_wrt_int_and_default():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    np.testing.assert_allclose(s2sgrad.grad(two_args)(x, y), 2 * x * y)
    np.testing.assert_allclose(s2sgrad.grad(two_args, wrt=1)(x, y), x * x + np.cos(y))


def test_wrt_by_name():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    np.testing.assert_allclose(s2sgrad.grad(two_args, wrt='y')(x, y), x * x + np.cos(y))
    np.testing.assert_allclose(s2sgrad.grad(two_args, wrt='x')(x, y), 2 * x * y)


@pytest.mark.parametrize('wrt', [(0, 1), [0, 1], ('x', 'y'), (0, 'y')])
def test_wrt_tuple_gives_tuple(wrt):
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    result = s2sgrad.grad(two_args, wrt=wrt)(x, y)
    assert isinstance(result, tuple) and len(result) == 2
    np.testing.assert_allclose(result[0], 2 * x * y)
    np.testing.assert_allclose(result[1], x * x + np.cos(y))


def test_wrt_tuple_keeps_requested_order():
    x, y = np.array([0.5, -1.0]), np.array([1.5, 0.3])
    gy, gx = s2sgrad.grad(two_args, wrt=('y', 'x'))(x, y)
    np.testing.assert_allclose(gy, x * x + np.cos(y))
    np.testing.assert_allclose(gx, 2 * x * y)


def test_keyword_arguments_of_df():
    x = np.array([1.0, -2.0, 0.5])
    df = s2sgrad.grad(scaled_square)
    np.testing.assert_allclose(df(x), 4.0 * x)
    np.testing.assert_allclose(df(x, scale=3.0), 6.0 * x)


def test_gradient_has_argument_type_shape_dtype():
    g = s2sgrad.grad(cube)(2.0)
    assert type(g) is float and g == pytest.approx(12.0)
    x32 = np.array([[0.5, -1.0], [0.25, 2.0]], dtype=np.float32)
    g32 = s2sgrad.grad(float32_target)(x32)
    assert isinstance(g32, np.ndarray) and g32.dtype == np.float32 and g32.shape == (2, 2)
    x64 = x32.astype(np.float64)
    np.testing.assert_allclose(g32, np.tanh(x64) + x64 / np.cosh(x64) ** 2, rtol=1e-5)


# ==================== decorator forms

def test_decorator_without_arguments():
    @s2sgrad.grad
    def dpoly(x):
        return x * x + 2.0 * x

    assert dpoly(3.0) == pytest.approx(8.0)
    assert dpoly(-1.0) == pytest.approx(0.0)


def test_decorator_with_tuple_wrt():
    @s2sgrad.grad(wrt=(0, 1))
    def dprod(x, y):
        return x * y ** 2

    gx, gy = dprod(2.0, 3.0)
    assert gx == pytest.approx(9.0) and gy == pytest.approx(12.0)


def test_decorator_with_name_wrt():
    @s2sgrad.grad(wrt='w')
    def dloss(x, w):
        return np.sum((x @ w) ** 2)

    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    w = np.array([0.3, -0.2])
    np.testing.assert_allclose(dloss(x, w), 2 * x.T @ (x @ w))


# ==================== value_and_grad

def test_value_and_grad():
    x = np.array([0.5, -1.0, 2.0])
    value, g = s2sgrad.value_and_grad(scaled_square)(x)
    assert float(value) == pytest.approx(2.0 * np.sum(x ** 2))
    np.testing.assert_allclose(g, 4.0 * x)


def test_value_and_grad_tuple():
    x, y = np.array([0.5, -1.0]), np.array([1.5, 0.3])
    value, (gx, gy) = s2sgrad.value_and_grad(two_args, wrt=(0, 1))(x, y)
    assert float(value) == pytest.approx(two_args(x, y))
    np.testing.assert_allclose(gx, 2 * x * y)
    np.testing.assert_allclose(gy, x * x + np.cos(y))


# ==================== generated source

def test_verbose_prints_source(capsys, private_cache):
    s2sgrad.clear_cache()
    capsys.readouterr()
    df = s2sgrad.grad(verbose_target, verbose=1)
    out = capsys.readouterr().out
    assert df.source.strip() in out
    x = np.array([0.3, -0.4])
    np.testing.assert_allclose(df(x), np.cos(x) * x + np.sin(x))


def test_verbose_zero_prints_nothing(capsys, private_cache):
    s2sgrad.clear_cache()
    capsys.readouterr()
    s2sgrad.grad(verbose_target, verbose=0)
    assert capsys.readouterr().out == ''


def test_source_is_the_compiled_function():
    df = s2sgrad.grad(two_args)
    assert isinstance(df.source, str)
    assert inspect.isfunction(df)
    assert inspect.getsource(df).rstrip() == df.source.rstrip()
    assert df.__name__ in df.source


def test_unoptimized_source_is_longer_and_correct():
    opt = s2sgrad.grad(unoptimized_target)
    raw = s2sgrad.grad(unoptimized_target, optimized=False)
    assert len(raw.source) >= len(opt.source)
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(opt(x), 3 * x ** 2)
    np.testing.assert_allclose(raw(x), 3 * x ** 2)


def test_caching():
    assert s2sgrad.grad(cached_target) is s2sgrad.grad(cached_target)
    assert s2sgrad.grad(cached_target, wrt=(0, 1)) is s2sgrad.grad(cached_target, wrt=(0, 1))
    assert s2sgrad.grad(cached_target, optimized=False) is not s2sgrad.grad(cached_target)
    assert s2sgrad.grad(cached_target, wrt=1) is not s2sgrad.grad(cached_target, wrt=0)


# ==================== higher order

def test_grad_of_grad_cube():
    d2 = s2sgrad.grad(s2sgrad.grad(cube))
    for x in (1.7, -0.4, 3.0):
        assert d2(x) == pytest.approx(6 * x)
    assert type(d2(1.7)) is float


def test_third_derivative_cube():
    d3 = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(cube)))
    assert d3(0.7) == pytest.approx(6.0)


def test_grad_of_grad_math_sin():
    d1 = s2sgrad.grad(msin)
    d2 = s2sgrad.grad(d1)
    for x in (0.3, 1.2, -2.0):
        assert d1(x) == pytest.approx(math.cos(x))
        assert d2(x) == pytest.approx(-math.sin(x))


# ==================== no mutation

def test_caller_arrays_never_modified():
    x = np.array([0.5, -1.5, 2.0, 0.25])
    original = x.copy()
    g = s2sgrad.grad(writes_into_argument)(x)
    np.testing.assert_array_equal(x, original)
    expected = np.array([8 * x[0], 36 * x[1] ** 3, 2 * x[2], 2 * x[3]])
    np.testing.assert_allclose(g, expected)


def test_value_and_grad_does_not_modify_arguments():
    x = np.array([0.5, -1.5, 2.0])
    original = x.copy()
    value, g = s2sgrad.value_and_grad(writes_into_argument)(x)
    np.testing.assert_array_equal(x, original)
    assert float(value) == pytest.approx(4 * x[0] ** 2 + 9 * x[1] ** 4 + x[2] ** 2)
    np.testing.assert_allclose(g, [8 * x[0], 36 * x[1] ** 3, 2 * x[2]])


# ==================== lambdas

def test_module_level_lambdas():
    assert s2sgrad.grad(sq)(3.0) == pytest.approx(6.0)
    x, w = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    np.testing.assert_allclose(s2sgrad.grad(weighted, wrt=1)(x, w), x ** 2)
    np.testing.assert_allclose(s2sgrad.grad(weighted)(x, w), 2 * w * x)


# ==================== errors

@pytest.mark.parametrize('func, keyword, arg', [
    (uses_try, 'try', 2.0),
    (uses_with, 'with', np.array([1.0, 2.0])),
])
def test_unsupported_syntax(func, keyword, arg):
    with pytest.raises(errors.UnsupportedSyntaxError) as info:
        s2sgrad.grad(func)(arg)
    err = info.value
    assert isinstance(err, SyntaxError)
    assert keyword in str(err)
    lines, start = inspect.getsourcelines(func)
    expected_line = start + next(k for k, line in enumerate(lines)
                                 if line.strip().startswith(keyword))
    assert err.lineno == expected_line
    assert err.filename == inspect.getsourcefile(func)


def test_source_unavailable_numpy_function():
    with pytest.raises(errors.SourceUnavailableError):
        s2sgrad.grad(np.sin)(1.0)


def test_source_unavailable_exec():
    namespace = {'np': np}
    exec('def made_by_exec(x):\n    return x * x\n', namespace)
    with pytest.raises(errors.SourceUnavailableError):
        s2sgrad.grad(namespace['made_by_exec'])(2.0)


def test_non_scalar_output():
    with pytest.raises(errors.NonScalarOutputError) as info:
        s2sgrad.grad(vector_output)(np.array([1.0, 2.0, 3.0]))
    message = str(info.value)
    assert 'vjp' in message or 'jacobian' in message


def test_size_one_output_is_a_scalar():
    g = s2sgrad.grad(size_one_output)(np.array([2.0]))
    np.testing.assert_allclose(g, [3.0])


@pytest.mark.parametrize('func, name, arg', [
    (uses_fft, 'fft', np.array([[2.0, 0.5], [0.5, 1.0]])),
    (uses_gamma, 'unwrap', np.array([1.5, 2.5])),
])
def test_no_rule(func, name, arg):
    with pytest.raises(errors.NoRuleError) as info:
        s2sgrad.grad(func)(arg)
    message = str(info.value)
    assert name in message
    assert re.search(r'regist|adjoint', message), message


def test_rule_not_needed_for_inactive_argument():
    x = np.array([0.5, 1.0, -2.0])
    g = s2sgrad.grad(gamma_of_inactive)(x, 2.5)
    np.testing.assert_allclose(g, np.full(3, np.spacing(2.5)))


@pytest.mark.parametrize('wrt', ['nope', 5, ('x', 'nope')])
def test_wrt_error(wrt):
    with pytest.raises(errors.WrtError) as info:
        s2sgrad.grad(two_args, wrt=wrt)(np.ones(2), np.ones(2))
    if wrt == 'nope':
        assert 'nope' in str(info.value)


# ==================== command line

def test_command_line_show(tmp_path):
    path = tmp_path / 'user_code.py'
    path.write_text(textwrap.dedent('''\
        import numpy as np


        def f(a, b):
            c = a * b
            return np.sum(c ** 2 + np.sin(a))
        '''))
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, '-m', 's2sgrad', 'show', f'{path}:f', '--wrt', 'a,b'],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'def dfd' in proc.stdout
    assert '# Grad of:' in proc.stdout
    compile(proc.stdout, 'shown', 'exec')


def test_command_line_show_a_module_of_a_package(tmp_path):
    """A module of a package, with relative imports: imported by its dotted name (run as a
    file, ``from .config import EPS`` has no package)."""
    package = tmp_path / 'mypkg'
    package.mkdir()
    (package / '__init__.py').write_text('from .losses import loss  # noqa: F401\n')
    (package / 'config.py').write_text('EPS = 1e-8\n')
    (package / 'losses.py').write_text(textwrap.dedent('''\
        import numpy as np

        from .config import EPS


        def loss(x):
            return np.sum(np.log(x ** 2 + EPS))
        '''))
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    for target in ('mypkg/losses.py:loss', 'mypkg/__init__.py:loss'):
        proc = subprocess.run([sys.executable, '-m', 's2sgrad', 'show', target],
                              capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert 'def dlossdx' in proc.stdout and 'EPS' in proc.stdout


def test_command_line_show_a_file_of_a_package_that_does_not_import(tmp_path):
    """A file in a folder with an ``__init__.py`` that fails to import: the file alone."""
    package = tmp_path / 'broken'
    package.mkdir()
    (package / '__init__.py').write_text('import a_module_nobody_has  # noqa\n')
    (package / 'plain.py').write_text(textwrap.dedent('''\
        import numpy as np


        def loss(x):
            return np.sum(np.tanh(x))
        '''))
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run([sys.executable, '-m', 's2sgrad', 'show', 'broken/plain.py:loss'],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'def dlossdx' in proc.stdout


# ==================== s2sgrad.checks

def test_numerical_grad_closed_form():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(numerical_grad(two_args, (x, x + 1.0), 1),
                               x * x + np.cos(x + 1.0), rtol=1e-7, atol=1e-8)
    g = numerical_grad(cube, (1.5,), 0)
    assert type(g) is float and g == pytest.approx(6.75, rel=1e-8)
    g32 = numerical_grad(float32_target, (x.astype(np.float32),), 0)
    np.testing.assert_allclose(g32, np.tanh(x) + x / np.cosh(x) ** 2, rtol=1e-2)


def test_check_grads_accepts_correct_gradients():
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    check_grads(two_args, (x, y), wrt=(0, 1))
    check_grads(two_args, (x, y), wrt='y')
    check_grads(float32_target, (x.astype(np.float32),))
    check_grads(cube, (1.3,), order=2)
    check_grads(msin, (0.4,), order=2)


def test_check_grads_rejects_wrong_gradient(monkeypatch):
    import s2sgrad.api

    def wrong_grad(f, wrt=0, **kwargs):
        return lambda *args: 1.01 * numerical_grad(f, args, wrt)

    monkeypatch.setattr(s2sgrad.api, 'grad', wrong_grad)
    with pytest.raises(AssertionError, match='central differences'):
        check_grads(two_args, (np.array([0.5, -1.0]), np.array([1.5, 0.3])))


def test_check_grads_forward_mode_and_second_order():
    check_grads(cube, (1.3,), modes=('rev', 'fwd'), order=2)
    check_grads(two_args, (np.array([0.5, -1.0]), np.array([1.5, 0.3])), wrt=(0, 1),
                modes=('rev', 'fwd'), order=2)
    with pytest.raises(ValueError, match='modes'):
        check_grads(cube, (1.0,), modes=('sideways',))


# -- integer arrays named by wrt: differentiated as floats, float gradients ------------------

def mean_square_of_cast(x):
    return np.mean(x.astype(np.float64) ** 2)


def quarter_of_cast(x):
    return np.sum(x.astype(np.float32) * 0.25)


def product(x, y):
    return np.sum(x * y)


def test_integer_arrays_get_float_gradients():
    x, y = np.array([1, 2, 3]), np.array([4, 5, 6])
    g = s2sgrad.grad(mean_square_of_cast)(x)
    np.testing.assert_allclose(g, 2 * x / 3.0)
    np.testing.assert_allclose(s2sgrad.grad(quarter_of_cast)(x), np.full(3, 0.25))
    gx, gy = s2sgrad.grad(product, wrt=(0, 1))(x, y)
    assert gx.dtype == gy.dtype == np.float64
    np.testing.assert_array_equal(gx, y)
    np.testing.assert_array_equal(gy, x)


def truncated_into_integers(x):
    h = np.zeros(3, dtype=int)
    for i in range(3):
        h[i] = x[i] * 10  # (truncated: h is piecewise constant in x)
    return np.sum(h * x)


def flags_in_a_boolean_array(x):
    m = np.zeros(3, dtype=bool)
    m[0] = x[0] > 0
    return np.sum(np.where(m, x ** 2, x))


def test_values_written_into_integer_arrays_carry_no_derivative():
    x = np.array([0.37, 0.52, 0.11])
    np.testing.assert_allclose(s2sgrad.grad(truncated_into_integers)(x), [3.0, 5.0, 1.0])
    np.testing.assert_allclose(s2sgrad.jvp(truncated_into_integers)(x, np.ones(3)), 9.0)
    check_grads(truncated_into_integers, [x], modes=('rev', 'fwd'), order=2)
    check_grads(flags_in_a_boolean_array, [x], modes=('rev', 'fwd'), order=2)
