"""Constructs rejected by the engine (after the fence) and user-registered rules."""
import math

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import NoRuleError, UnsupportedSyntaxError


def mod_of_loop_index(x):
    total = 0.0
    for i in range(len(x)):
        if i % 2 == 0:
            total = total + x[i]
    return total


def partial_break(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            if x[i] > 1.0:
                break
            elif x[i] > 0.5:
                continue
        total = total + x[i]
    return total


def partial_break_then_more(x):
    # (accepted: the rest of the body runs after a flag)
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            if x[i] > 1.0:
                break
            total = total + 1.0
        total = total + x[i]
    return total


def test_partial_break_then_more_is_differentiated():
    for x in (np.array([0.3, -0.5, 1.5, 0.7]), np.array([0.3, -0.5, 0.5, 0.7])):
        check_grads(partial_break_then_more, (x,), modes=('rev', 'fwd'), order=2)


def alias_reassigned(x):
    y = x
    y[0] = 2.0 * x[1]
    y = x * 2.0
    return np.sum(y)


def spectrum(A):
    return np.sum(np.fft.fft(A[0]).real)


def unknown_method(x):
    return x.byteswap()[-1]


def line_of(func, text):
    import inspect
    lines, start = inspect.getsourcelines(func)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset
    raise AssertionError(text)


@pytest.mark.parametrize('func, arg, text, message', [
    (partial_break, np.ones(3), 'if x[i] > 0.0', '`break`'),
    (alias_reassigned, np.ones(3), 'y[0] = 2.0 * x[1]', 'a write into `y` (made on line'),
])
def test_engine_rejects_with_location(func, arg, text, message):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(func)(arg)
    error = info.value
    assert message in str(error)
    assert error.lineno == line_of(func, text)
    assert error.filename == __file__
    assert text in error.text


@pytest.mark.parametrize('func, arg, name', [
    (spectrum, np.eye(2) * 2.0, 'fft'),
    (unknown_method, np.ones(3), 'byteswap'),
])
def test_missing_rule_names_function_and_call_site(func, arg, name):
    with pytest.raises(NoRuleError) as info:
        s2sgrad.grad(func)(arg)
    text = str(info.value)
    assert name in text
    assert __file__ in text and str(line_of(func, name)) in text
    assert 's2sgrad.adjoint' in text


def test_integer_operators_on_inactive_values_are_fine():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(s2sgrad.grad(mod_of_loop_index)(x), [1.0, 0.0, 1.0, 0.0])


def my_softplus(x):
    return math.log1p(math.exp(x))


def uses_softplus(x):
    return my_softplus(x) * 2.0


@s2sgrad.adjoint(my_softplus)
def my_softplus_adjoint(ans, x):
    s2sgrad.d[x] = s2sgrad.d[ans] / (1.0 + math.exp(-x))


def test_user_registered_adjoint_is_used_and_shown():
    df = s2sgrad.grad(uses_softplus)
    assert 'math.exp(-x)' in df.source
    x = 0.3
    assert abs(df(x) - 2.0 / (1.0 + math.exp(-x))) < 1e-12


def scaled(x, c):
    return x * c


@s2sgrad.adjoint(scaled)
def scaled_adjoint(ans, x, c):
    s2sgrad.d[x] = s2sgrad.d[ans] * c  # (no line for c)


@s2sgrad.tangent(scaled)
def scaled_tangent(ans, x, c):
    s2sgrad.d[ans] = s2sgrad.d[x] * c


def scaled_loss(x, c):
    return np.sum(scaled(x, c))


def test_user_rule_without_a_derivative_in_a_differentiated_argument_is_loud():
    """A rule registered by the user that has no ``d[c]`` line, called with a differentiated
    `c`: an error naming the rule and the argument, not a zero derivative."""
    x = np.ones(3)
    np.testing.assert_allclose(s2sgrad.grad(scaled_loss)(x, 2.0), 2.0 * x)
    np.testing.assert_allclose(s2sgrad.jvp(scaled_loss)(x, 2.0, x), 6.0)
    for build in (lambda: s2sgrad.grad(scaled_loss, wrt=1)(x, 2.0),
                  lambda: s2sgrad.jvp(scaled_loss, wrt=1)(x, 2.0, 1.0),
                  lambda: s2sgrad.grad(scaled_loss, wrt=(0, 1))(x, 2.0)):
        with pytest.raises(UnsupportedSyntaxError, match=r'`scaled_(adjoint|tangent)` gives no '
                                                         r'derivative in its argument `c`'):
            build()


def jittered(x):
    return x * 2.0 + noise(x)


def noise(x):
    return round(x * 1000.0) * 0.0


s2sgrad.nondifferentiable(noise)


def test_nondifferentiable_function_contributes_nothing():
    df = s2sgrad.grad(jittered)
    assert df(0.7) == 2.0
    assert 'dnoise' not in df.source


ACTIVATIONS = {'tanh': np.tanh, 'sin': np.sin}


def picked_from_a_table(x):
    return np.sum(ACTIVATIONS['tanh'](x))


def calls_an_undefined_name(x):
    return np.sum(undefined_helper_name(x))  # noqa: F821 (the point of the test)


def test_a_function_picked_from_a_table_says_to_call_it_by_its_name():
    with pytest.raises(NoRuleError, match='picked from a dict or a list') as info:
        s2sgrad.grad(picked_from_a_table)(np.ones(2))
    assert 'call it by its name' in str(info.value)


def test_an_undefined_name_says_it_is_not_defined():
    with pytest.raises(NoRuleError, match='`undefined_helper_name` is not defined') as info:
        s2sgrad.grad(calls_an_undefined_name)(np.ones(2))
    assert 'missing import' in str(info.value)


class CountedCalls:
    def __init__(self, fn):
        self.fn = fn
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.fn(x)


def _sine_sum(x):
    return np.sum(np.sin(x))


COUNTED = CountedCalls(_sine_sum)


def calls_a_counting_object(x):
    return 2.0 * COUNTED(x)


def test_a_counting_object_says_what_it_counts():
    with pytest.raises(UnsupportedSyntaxError, match=r'counts in the attribute `\.calls`') as info:
        s2sgrad.grad(calls_a_counting_object)(np.ones(2))
    assert 'keep the count outside' in str(info.value) and '.copy()' not in str(info.value)
