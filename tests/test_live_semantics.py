"""Live semantics and decorated functions (README, "Known limits": read at call time).

Generated code reads globals and closure variables at call time, as the function does; default
arguments are the function's own values; a reloaded or rewritten function never gets the
gradient of its old body; a failed transformation leaves nothing behind; a decorated function
is differentiated with what its wrapper does. Every expectation is a central difference or a
number worked out by hand.
"""
import functools
import importlib
import inspect
import sys
import textwrap

import numpy as np
import pytest

import s2sgrad
from s2sgrad import d
from s2sgrad.errors import S2SError, SourceUnavailableError, WrapperError


def central(f, args, wrt=0, h=1e-6):
    """Central difference of scalar `f` in argument `wrt` (a float or an array)."""
    args = list(args)
    x = np.asarray(args[wrt], dtype=float)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape or ()):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        args[wrt] = plus if x.shape else float(plus)
        high = f(*args)
        args[wrt] = minus if x.shape else float(minus)
        low = f(*args)
        grad[index] = (high - low) / (2 * h)
    return grad if x.shape else float(grad)


# ==================== decorators

def times10(fn):
    @functools.wraps(fn)
    def scaled(*args, **kwargs):
        return fn(*args, **kwargs) * 10.0
    return scaled


def passthrough(fn):
    @functools.wraps(fn)
    def passing(*args, **kwargs):
        return fn(*args, **kwargs)
    return passing


def plus_square(fn):  # no functools.wraps
    def shifted(*args):
        value = fn(*args)
        return value + value * value
    return shifted


def sine_of(fn):  # functools.wraps, explicit parameters
    @functools.wraps(fn)
    def sine(x):
        return np.sin(fn(x))
    return sine


def first_only(fn):  # uses *args other than passing it on: cannot be differentiated
    @functools.wraps(fn)
    def first(*args, **kwargs):
        return fn(args[0]) * 2.0
    return first


class Doubling:
    """A callable object wrapping a function (functools.update_wrapper)."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, x):
        return 2.0 * self.fn(x)


def scaled_by(k):  # a decorator with an argument
    def decorate(fn):
        @functools.wraps(fn)
        def scaling(*args, **kwargs):
            return k * fn(*args, **kwargs)
        return scaling
    return decorate


@scaled_by(3.0)
def square_times3(x):
    return x * x


@times10
def square_times10(x):
    return x * x


@passthrough
def product(x, y):
    return x * y


@plus_square
def cube_plus(x):
    return x ** 3


@sine_of
def doubled_sine(x):
    return x * 2.0


@times10
@passthrough
def power_stacked(x, k=2.0):
    return x ** k


@times10
def weighted_sum(x, w, *, shift=1.0):
    return np.sum(w * x ** 2) + shift * np.sum(x)


@functools.lru_cache(maxsize=None)
def cached_cube(x):
    return x ** 3


@first_only
def first_of(x):
    return x


@Doubling
def doubled_object(x):
    return x * x


def calls_decorated(x):
    return square_times10(x) + cube_plus(x)


def test_wraps_args_kwargs_wrapper_is_differentiated():
    df = s2sgrad.grad(square_times10)
    assert df(3.0) == pytest.approx(60.0)
    assert df(3.0) == pytest.approx(central(square_times10, [3.0]), rel=1e-6)


def test_value_and_grad_of_decorated_function_is_the_wrapper_value():
    value, gradient = s2sgrad.value_and_grad(square_times10)(3.0)
    assert value == pytest.approx(90.0)
    assert gradient == pytest.approx(60.0)


def test_decorator_with_an_argument():
    assert s2sgrad.grad(square_times3)(2.0) == pytest.approx(12.0)


def test_passthrough_wrapper_two_arguments():
    dxy = s2sgrad.grad(product, wrt=(0, 1))(3.0, 2.0)
    assert dxy == pytest.approx((2.0, 3.0))
    assert s2sgrad.grad(product, wrt='y')(3.0, 2.0) == pytest.approx(3.0)


def test_wrapper_without_wraps():
    df = s2sgrad.grad(cube_plus)
    x = 1.3
    assert df(x) == pytest.approx(central(cube_plus, [x]), rel=1e-6)
    assert df(x) == pytest.approx(3 * x ** 2 * (1 + 2 * x ** 3))


def test_wraps_wrapper_with_explicit_parameters():
    df = s2sgrad.grad(doubled_sine)
    assert df(0.4) == pytest.approx(2.0 * np.cos(0.8))


def test_stacked_decorators_and_defaults():
    df = s2sgrad.grad(power_stacked)
    assert df(3.0) == pytest.approx(60.0)
    assert df(2.0, 3.0) == pytest.approx(central(power_stacked, [2.0, 3.0]), rel=1e-6)
    assert s2sgrad.grad(power_stacked, wrt='k')(2.0, 3.0) == pytest.approx(
        10.0 * 8.0 * np.log(2.0))


def test_decorated_array_function_with_keyword_only_argument():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=4), rng.normal(size=4)
    df = s2sgrad.grad(weighted_sum)
    expected = central(lambda x: weighted_sum(x, w, shift=0.5), [x])
    np.testing.assert_allclose(df(x, w, shift=0.5), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(df(x, w), 10.0 * (2 * w * x + 1.0), rtol=1e-12)


def test_decorated_jvp_and_vjp():
    assert s2sgrad.jvp(square_times10)(3.0, 1.0) == pytest.approx(60.0)
    assert s2sgrad.vjp(square_times10)(3.0, 1.0) == pytest.approx(60.0)
    assert s2sgrad.jvp(cube_plus)(1.3, 1.0) == pytest.approx(central(cube_plus, [1.3]),
                                                             rel=1e-6)


def test_lru_cache_is_looked_through():
    assert s2sgrad.grad(cached_cube)(2.0) == pytest.approx(12.0)


def calls_cached(x):
    return cached_cube(x) * x + 3.0 * cached_cube(x * 2.0)


@functools.lru_cache(maxsize=None)
def cached_round(x):
    return round(x, 2)


@s2sgrad.adjoint(cached_round)  # (a straight-through rule for the cached object)
def cached_round_adjoint(ans, x):
    d[x] = d[ans]


@functools.lru_cache(maxsize=None)
def cached_stop(x):
    return 2.0 * x


s2sgrad.nondifferentiable(cached_stop)


def uses_cached_rules(x):
    return 3.0 * cached_round(x) + x * cached_stop(x)


def test_a_rule_for_a_memoized_function_is_used():
    """A rule registered for the ``@lru_cache`` object itself wins over its source."""
    x = 0.4321
    assert s2sgrad.grad(uses_cached_rules)(x) == pytest.approx(3.0 + 2.0 * x)


def test_a_memoized_helper_called_with_a_differentiated_value():
    """``@lru_cache`` on a helper changes no value: the helper is differentiated from its
    source (it raised NoRuleError naming the helper)."""
    expected = central(calls_cached, [0.7])
    assert s2sgrad.grad(calls_cached)(0.7) == pytest.approx(expected, rel=1e-6)
    assert s2sgrad.jvp(calls_cached)(0.7, 1.0) == pytest.approx(expected, rel=1e-6)
    second = central(s2sgrad.grad(calls_cached), [0.7])
    assert s2sgrad.grad(s2sgrad.grad(calls_cached))(0.7) == pytest.approx(second, rel=1e-5)


def test_decorated_helpers_are_differentiated_with_their_wrappers():
    df = s2sgrad.grad(calls_decorated)
    assert df(1.1) == pytest.approx(central(calls_decorated, [1.1]), rel=1e-6)
    assert s2sgrad.jvp(calls_decorated)(1.1, 1.0) == pytest.approx(
        central(calls_decorated, [1.1]), rel=1e-6)


def test_wrapper_that_cannot_be_differentiated_is_named():
    with pytest.raises(WrapperError, match='first_only'):
        s2sgrad.grad(first_of)(1.0)


def test_wrapper_object_with_a_readable_call_is_differentiated():
    """A class decorator (``functools.update_wrapper(self, fn)``) whose ``__call__`` names its
    parameters: what it does around the wrapped function is differentiated (it was refused,
    as a wrapper object; one whose ``__call__`` passes on ``*args`` still is:
    test_error_text)."""
    assert s2sgrad.grad(doubled_object)(1.3) == pytest.approx(
        central(doubled_object, [1.3]), rel=1e-6)
    assert s2sgrad.jvp(doubled_object)(1.3, 1.0) == pytest.approx(
        central(doubled_object, [1.3]), rel=1e-6)


def test_wrapper_without_readable_source_is_named():
    namespace = {'functools': functools}
    exec(textwrap.dedent('''
        def twice(fn):
            @functools.wraps(fn)
            def doubling(*args):
                return 2.0 * fn(*args)
            return doubling
        '''), namespace)
    wrapped = namespace['twice'](_helper_a)
    with pytest.raises(WrapperError, match='doubling'):
        s2sgrad.grad(wrapped)


# ==================== closures and globals read at call time

def make_scaled():
    k = 2.0

    def scaled(x):
        return k * x ** 2

    def set_k(value):
        nonlocal k
        k = value
    return scaled, set_k


def test_closure_rebound_through_nonlocal_after_grad():
    scaled, set_k = make_scaled()
    df = s2sgrad.grad(scaled)
    assert df(1.5) == pytest.approx(6.0)
    set_k(5.0)
    assert df(1.5) == pytest.approx(15.0)
    assert df(1.5) == pytest.approx(central(scaled, [1.5]), rel=1e-6)
    assert s2sgrad.jvp(scaled)(1.5, 1.0) == pytest.approx(15.0)
    assert s2sgrad.vjp(scaled)(1.5, 1.0) == pytest.approx(15.0)


def test_closure_cell_rebound_directly_after_grad():
    scaled, _ = make_scaled()
    df = s2sgrad.grad(scaled)
    cell = scaled.__closure__[scaled.__code__.co_freevars.index('k')]
    cell.cell_contents = -1.0
    assert df(2.0) == pytest.approx(-4.0)


def test_second_order_reads_closure_at_call_time():
    scaled, set_k = make_scaled()
    d2 = s2sgrad.grad(s2sgrad.grad(scaled))
    assert d2(1.0) == pytest.approx(4.0)
    set_k(3.0)
    assert d2(1.0) == pytest.approx(6.0)


def make_weighted_closure():
    w = np.array([1.0, 2.0, 3.0])

    def weighted(x):
        return np.sum(w * x * x)

    def set_w(value):
        nonlocal w
        w = value
    return weighted, set_w


def test_closure_array_rebound_after_grad():
    weighted, set_w = make_weighted_closure()
    df = s2sgrad.grad(weighted)
    x = np.array([0.5, -1.0, 2.0])
    set_w(np.array([-1.0, 0.0, 4.0]))
    np.testing.assert_allclose(df(x), 2 * np.array([-1.0, 0.0, 4.0]) * x)


def make_nested_reader():
    k = 2.0

    def outer(x):
        def inner(y):
            return y * k
        return inner(x) * x

    def set_k(value):
        nonlocal k
        k = value
    return outer, set_k


def test_nested_function_reads_the_enclosing_closure_at_call_time():
    outer, set_k = make_nested_reader()
    df, jf = s2sgrad.grad(outer), s2sgrad.jvp(outer)
    assert df(1.0) == pytest.approx(4.0)
    set_k(5.0)
    assert df(1.0) == pytest.approx(10.0)
    assert jf(1.0, 1.0) == pytest.approx(10.0)
    other, _ = make_nested_reader()  # same code, its own cell: no shared nested VJP
    assert s2sgrad.grad(other)(1.0) == pytest.approx(4.0)


SCALE = 2.0
WEIGHTS = np.array([1.0, 2.0])


def global_scaled(x):
    return SCALE * x ** 2


def global_weighted(x):
    return np.sum(WEIGHTS * x)


def test_global_rebound_after_grad(monkeypatch):
    df = s2sgrad.grad(global_scaled)
    assert df(1.0) == pytest.approx(4.0)
    monkeypatch.setattr(sys.modules[__name__], 'SCALE', 7.0)
    assert df(1.0) == pytest.approx(14.0)
    assert s2sgrad.jvp(global_scaled)(1.0, 1.0) == pytest.approx(14.0)


def test_global_array_rebound_after_grad(monkeypatch):
    df = s2sgrad.grad(global_weighted)
    monkeypatch.setattr(sys.modules[__name__], 'WEIGHTS', np.array([-3.0, 5.0]))
    np.testing.assert_allclose(df(np.zeros(2)), [-3.0, 5.0])


def _helper_a(x):
    return x * x


def _helper_b(x):
    return x * x * x


HELPER = _helper_a


def calls_global_helper(x):
    return HELPER(x) * 2.0


def test_rebound_helper_function_is_not_served_stale_by_the_cache(monkeypatch):
    assert s2sgrad.grad(calls_global_helper)(2.0) == pytest.approx(8.0)
    monkeypatch.setattr(sys.modules[__name__], 'HELPER', _helper_b)
    df = s2sgrad.grad(calls_global_helper)
    assert df(2.0) == pytest.approx(24.0)
    assert df(2.0) == pytest.approx(central(calls_global_helper, [2.0]), rel=1e-6)


def test_generated_source_is_inspectable():
    scaled, _ = make_scaled()
    df = s2sgrad.grad(scaled)
    assert inspect.getsource(df) == df.source
    assert df.__name__ == 'dscaleddx'


# ==================== default arguments

num = 3.0


def with_default(x, y, num=num):
    return x * num + y


num = None  # the default keeps the value it had when `with_default` was defined


def make_with_default():
    num = 4.0

    def inner_default(x, y, num=num):
        return x * num * y
    return inner_default


_ARRAY_DEFAULT = np.array([1.0, -2.0])


def with_array_and_keyword_defaults(x, w=_ARRAY_DEFAULT, *, power=num):
    return np.sum(w * x) + (0.0 if power is None else power)


def calls_with_default(x):
    return with_default(x, 1.0) * 2.0


def test_module_default_argument_grad_jvp_vjp():
    assert s2sgrad.grad(with_default)(1.0, 2.0) == pytest.approx(3.0)
    assert s2sgrad.grad(with_default)(1.0, 2.0, 5.0) == pytest.approx(5.0)
    assert s2sgrad.jvp(with_default)(1.0, 2.0, 1.0) == pytest.approx(3.0)
    assert s2sgrad.vjp(with_default)(1.0, 2.0, 1.0) == pytest.approx(3.0)


def test_enclosing_default_argument_grad_jvp_vjp():
    f = make_with_default()
    assert s2sgrad.grad(f)(1.0, 2.0) == pytest.approx(8.0)
    assert s2sgrad.grad(f, wrt=1)(1.0, 2.0) == pytest.approx(4.0)
    assert s2sgrad.jvp(f)(1.0, 2.0, 1.0) == pytest.approx(8.0)
    assert s2sgrad.vjp(f)(1.0, 2.0, 1.0) == pytest.approx(8.0)


def test_array_and_keyword_only_defaults():
    df = s2sgrad.grad(with_array_and_keyword_defaults)
    np.testing.assert_allclose(df(np.zeros(2)), [1.0, -2.0])


def test_helper_called_with_its_default():
    assert s2sgrad.grad(calls_with_default)(1.0) == pytest.approx(6.0)
    assert s2sgrad.jvp(calls_with_default)(1.0, 1.0) == pytest.approx(6.0)


# ==================== modules rewritten and reloaded

@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, 'dont_write_bytecode', True)
    names = []

    def write(name, text):
        (tmp_path / f'{name}.py').write_text(textwrap.dedent(text))
        importlib.invalidate_caches()
        names.append(name)
    yield write
    for name in names:
        sys.modules.pop(name, None)


FIRST = '''
    import numpy as np

    def f(x):
        return x * x

    def g(x):
        def inner(y):
            return y * y
        return inner(x) * 1.0

    def h(x):
        return helper(x) * 2.0

    def helper(x):
        return x * x
    '''

SECOND = FIRST.replace('return x * x', 'return x * 5.0').replace(
    'return y * y', 'return y * 7.0')


def test_reloaded_module_gets_the_new_gradient(module_dir):
    module_dir('s2s_live_reload', FIRST)
    module = importlib.import_module('s2s_live_reload')
    assert s2sgrad.grad(module.f)(3.0) == pytest.approx(6.0)
    assert s2sgrad.grad(module.g)(3.0) == pytest.approx(6.0)
    assert s2sgrad.grad(module.h)(3.0) == pytest.approx(12.0)
    module_dir('s2s_live_reload', SECOND)
    module = importlib.reload(module)
    assert s2sgrad.grad(module.f)(3.0) == pytest.approx(5.0)
    assert s2sgrad.grad(module.g)(3.0) == pytest.approx(7.0)
    assert s2sgrad.grad(module.h)(3.0) == pytest.approx(10.0)
    assert s2sgrad.jvp(module.f)(3.0, 1.0) == pytest.approx(5.0)


def test_module_imported_again_under_the_same_name(module_dir):
    module_dir('s2s_live_again', FIRST)
    module = importlib.import_module('s2s_live_again')
    assert s2sgrad.grad(module.g)(2.0) == pytest.approx(4.0)
    module_dir('s2s_live_again', SECOND)
    del sys.modules['s2s_live_again']
    module = importlib.import_module('s2s_live_again')
    assert s2sgrad.grad(module.g)(2.0) == pytest.approx(7.0)
    assert s2sgrad.grad(module.f)(2.0) == pytest.approx(5.0)


def test_file_rewritten_without_reload_is_refused(module_dir):
    module_dir('s2s_live_stale', FIRST)
    module = importlib.import_module('s2s_live_stale')
    module_dir('s2s_live_stale', SECOND)
    with pytest.raises(SourceUnavailableError, match='changed'):
        s2sgrad.grad(module.f)


def test_redefined_code_object_is_not_served_from_the_cache():
    def f(x):
        return x * x

    def other(x):
        return x * x * x
    assert s2sgrad.grad(f)(2.0) == pytest.approx(4.0)
    f.__code__ = other.__code__
    assert s2sgrad.grad(f)(2.0) == pytest.approx(12.0)


# ==================== a failed transformation leaves no trace

OP = np.unwrap  # no derivative rule


def _uses_op(x):
    return OP(x) * 2.0


def _fails_first(x):
    return _uses_op(x)


def _then_succeeds(x):
    return _uses_op(x) * 3.0


def test_failed_transform_leaves_no_placeholder(monkeypatch):
    with pytest.raises(S2SError):
        s2sgrad.grad(_fails_first)
    with pytest.raises(S2SError):
        s2sgrad.jvp(_fails_first)
    with pytest.raises(S2SError):
        s2sgrad.vjp(_fails_first)
    monkeypatch.setattr(sys.modules[__name__], 'OP', np.sin)
    df = s2sgrad.grad(_then_succeeds)
    assert df(0.7) == pytest.approx(6.0 * np.cos(0.7))
    assert s2sgrad.jvp(_then_succeeds)(0.7, 1.0) == pytest.approx(6.0 * np.cos(0.7))
