"""The text of s2sgrad's errors (issue #9, "Error text"): each names the construct, says what to
do instead, and points at the user's source as a Python traceback does
(``File "path", line N``, the source line, a caret under the offending part).

The functions below are written as users write them: at module level of this file.
"""
import collections
import functools
import inspect
import linecache
import random
import sys
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import (InPlaceError, NonScalarOutputError, NoRuleError, ShapeError,
                            SourceUnavailableError, UnsupportedSyntaxError, WrapperError,
                            WrtError)


# ==================== helpers

def _position(func, text, occurrence=0):
    """(line, 1-based column) of `text` in the source of `func` in this file."""
    lines, start = inspect.getsourcelines(func)
    found = -1
    for offset, line in enumerate(lines):
        column = line.find(text)
        while column != -1:
            found += 1
            if found == occurrence:
                return start + offset, column + 1
            column = line.find(text, column + 1)
    raise AssertionError(f'{text!r} is not in {func.__name__}')


def assert_points_at(error, func, text, *, caret=True, width=None):
    """`error`'s text gives ``File "<this file>", line N`` of `text` in `func`, the source
    line, and (`caret`) a caret under the first character of `text` (`width` carets)."""
    line, column = _position(func, text)
    message = str(error)
    assert f'  File "{__file__}", line {line}\n' in message
    source = linecache.getline(__file__, line)
    stripped = source.strip()
    assert f'\n    {stripped}' in message
    if caret:
        indent = len(source) - len(source.lstrip())
        carets = '^' * (width or 1)
        assert f'\n    {stripped}\n    {" " * (column - 1 - indent)}{carets}' in message
        if hasattr(error, 'offset'):
            assert error.offset == column
    if hasattr(error, 'lineno'):
        assert error.lineno == line and error.filename == __file__


# ==================== UnsupportedSyntaxError from the fence

def bitwise_and(x):
    return x + (x & 1)


def try_statement(x):
    y = x * 2.0
    try:
        y = y + 1.0
    except ValueError:
        pass
    return y


def test_bitwise_operator_of_a_differentiated_value_points_at_the_expression():
    for operator in (s2sgrad.grad, s2sgrad.jvp):
        with pytest.raises(UnsupportedSyntaxError) as info:
            operator(bitwise_and)(np.array([1, 2]))
        assert_points_at(info.value, bitwise_and, 'x & 1', caret=False)
        text = str(info.value)
        assert 'the operator `&` applied to a' in text and 'differentiated' in text
        assert 'in `bitwise_and`' in text  # the construct and the function


def test_fence_error_points_at_the_statement():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(try_statement)(1.0)
    assert_points_at(info.value, try_statement, 'try:')
    text = str(info.value)
    assert 'a `try` statement' in text
    assert 'move the try/except outside the differentiated function' in text


# ==================== UnsupportedSyntaxError from the engine (reverse and forward passes)

def copy_into(x):
    y = x * 2.0
    np.copyto(y, x)
    return np.sum(y)


def _reset_first(v):
    v[0] = 0.0
    return v


def helper_writes_argument(x):
    z = _reset_first(x)
    return np.sum(z)


def and_of_a_product(x):
    y = x * 2.0
    return np.sum(y ** 2) + np.sum(y & 1)


def clip_with_extra_argument(x):
    return np.sum(np.clip(x, 0.0, 1.0, None))


@pytest.mark.parametrize('mode', ['rev', 'fwd'])
def test_unused_call_with_active_argument_points_at_the_call(mode):
    with pytest.raises(UnsupportedSyntaxError) as info:
        if mode == 'rev':
            s2sgrad.grad(copy_into)(np.ones(3))
        else:
            s2sgrad.jvp(copy_into)(np.ones(3), np.ones(3))
    assert_points_at(info.value, copy_into, 'np.copyto(y, x)', width=len('np.copyto(y, x)'))
    text = str(info.value)
    assert 'the call of `np.copyto` whose result is unused' in text and 'in `copy_into`' in text
    assert 'write `dst[...] = src` instead' in text  # (the assignment s2sgrad follows)


def test_call_of_helper_that_writes_into_its_argument_points_at_the_call():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(helper_writes_argument)(np.ones(3))
    call = '_reset_first(x)'
    assert_points_at(info.value, helper_writes_argument, call, width=len(call))
    text = str(info.value)
    assert 'the call of `_reset_first`, which writes into its argument `v`' in text
    assert 'pass a copy (`x.copy()`)' in text


def test_reverse_pass_error_points_at_the_expression():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(and_of_a_product)(np.ones(2))
    assert_points_at(info.value, and_of_a_product, 'y & 1', width=len('y & 1'))
    text = str(info.value)
    assert 'the operator `&` applied to a value that depends on the differentiated' in text
    assert 'compute it from non-differentiated values' in text


def test_rule_binding_error_points_at_the_call():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(clip_with_extra_argument)(np.ones(3))
    call = 'np.clip(x, 0.0, 1.0, None)'
    assert_points_at(info.value, clip_with_extra_argument, call, width=len(call))
    assert 'extra positional arguments' in str(info.value)


# ==================== NoRuleError

def fft_energy(x):
    return np.sum(np.fft.fft(x).real)


def swapped_bytes(x):
    return np.sum(x.byteswap())


@pytest.mark.parametrize('mode', ['rev', 'fwd'])
def test_missing_rule_points_at_the_call(mode):
    with pytest.raises(NoRuleError) as info:
        if mode == 'rev':
            s2sgrad.grad(fft_energy)(np.ones(3))
        else:
            s2sgrad.jvp(fft_energy)(np.ones(3), np.ones(3))
    assert_points_at(info.value, fft_energy, 'np.fft.fft(x)', width=len('np.fft.fft(x)'))
    text = str(info.value)
    assert 'no derivative rule for `np.fft.fft`' in text and 'in `fft_energy`' in text
    assert '@s2sgrad.adjoint' in text and 's2sgrad.nondifferentiable' in text


def test_missing_method_rule_points_at_the_method_call():
    with pytest.raises(NoRuleError) as info:
        s2sgrad.grad(swapped_bytes)(np.ones(3))
    assert_points_at(info.value, swapped_bytes, 'x.byteswap()', width=len('x.byteswap()'))
    text = str(info.value)
    assert 'the method `.byteswap()`' in text and '@s2sgrad.adjoint' in text


# ==================== SourceUnavailableError

pair = (lambda x: x * 2, lambda x: x ** 3)


def _undecidable(func):
    """`func` with code that records no column (3.11+) and, on 3.10, does not compile from
    any lambda of its line: which lambda it is cannot be told."""
    code = func.__code__
    if sys.version_info >= (3, 11):
        code = code.replace(co_linetable=b'')
    else:
        code = code.replace(co_consts=code.co_consts + (object(),))
    return types.FunctionType(code, func.__globals__)


def _module_line(text):
    return inspect.getsourcelines(sys.modules[__name__])[0].index(text) + 1


def test_lambdas_that_cannot_be_told_apart():
    with pytest.raises(SourceUnavailableError) as info:
        s2sgrad.grad(_undecidable(pair[1]))(1.0)
    text = str(info.value)
    line = _module_line('pair = (lambda x: x * 2, lambda x: x ** 3)\n')
    assert f'  File "{__file__}", line {line}\n' in text
    assert '\n    pair = (lambda x: x * 2, lambda x: x ** 3)\n            ^' in text
    assert 'several lambdas' in text and 'cannot tell which of them' in text
    assert 'define it with `def`, or put each lambda on a line of its own' in text


def test_function_without_source_says_why():
    with pytest.raises(SourceUnavailableError) as info:
        s2sgrad.grad(np.sin)(1.0)
    text = str(info.value)
    assert 'it is not a Python function' in text and '@s2sgrad.adjoint' in text
    assert 'File "' not in text  # a ufunc has no source to point at


def test_function_whose_file_changed_points_at_its_definition(tmp_path, monkeypatch):
    module = tmp_path / 'changed_module.py'
    module.write_text('def f(x):\n    return x * 2.0\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    import changed_module
    module.write_text('def f(x):\n    return x * 3.0\n')
    with pytest.raises(SourceUnavailableError) as info:
        s2sgrad.grad(changed_module.f)(1.0)
    text = str(info.value)
    assert f'  File "{module}", line 1\n    def f(x):\n    ^' in text
    assert 'was changed after the function was defined' in text
    assert 'reload the module' in text


# ==================== WrapperError

def passes_on_with_a_twist(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) * len(args)
    return wrapper


@passes_on_with_a_twist
def twisted(x):
    return x * 2.0


class Memo:
    def __init__(self, fn):
        self.__wrapped__ = fn

    def __call__(self, *args):
        return self.__wrapped__(*args)


memoized = Memo(lambda x: x * 2.0)


def test_wrapper_error_points_at_what_the_wrapper_does():
    with pytest.raises(WrapperError) as info:
        s2sgrad.grad(twisted)(1.0)
    assert_points_at(info.value, passes_on_with_a_twist, 'args)\n', width=len('args'))
    text = str(info.value)
    assert 'the wrapper `passes_on_with_a_twist.<locals>.wrapper`' in text
    assert 'it uses `args` other than to pass it on' in text
    assert 'differentiate the undecorated function' in text


def test_wrapper_object_error_points_at_its_call_method():
    with pytest.raises(WrapperError) as info:
        s2sgrad.grad(memoized)(1.0)
    assert_points_at(info.value, Memo.__call__, 'def __call__')
    text = str(info.value)
    assert 'it is a Memo object wrapping' in text and '`.__wrapped__`' in text


# ==================== errors about how the derivative is asked for

def scaled(x, k=2.0):
    return x * k


def forgets_return(x):
    y = x * 2.0  # noqa: F841


def test_wrt_error_names_the_parameters():
    with pytest.raises(WrtError) as info:
        s2sgrad.grad(scaled, wrt='y')(1.0)
    text = str(info.value)
    assert "wrt='y' names no parameter of `scaled`" in text and 'x, k' in text


def test_wrt_error_points_at_the_function():
    with pytest.raises(WrtError) as info:
        s2sgrad.grad(scaled, wrt='y')(1.0)
    assert_points_at(info.value, scaled, 'def scaled', caret=False)


def test_non_scalar_output_names_what_to_use_instead():
    with pytest.raises(NonScalarOutputError) as info:
        s2sgrad.grad(scaled)(np.ones(3))
    text = str(info.value)
    assert "'scaled'" in text and 'shape (3,)' in text
    assert 's2sgrad.vjp' in text and 's2sgrad.jacobian' in text


def test_non_scalar_output_points_at_the_return():
    with pytest.raises(NonScalarOutputError) as info:
        s2sgrad.grad(scaled)(np.ones(3))
    assert_points_at(info.value, scaled, 'return', caret=False)


def test_missing_return_points_at_the_function():
    with pytest.raises(NonScalarOutputError) as info:
        s2sgrad.grad(forgets_return)(1.0)
    text = str(info.value)
    line, _ = _position(forgets_return, 'def forgets_return')
    assert f'  File "{__file__}", line {line}\n' in text
    assert 'no `return` statement' in text and 'return the value to differentiate' in text


def test_shape_error_names_the_argument_and_both_shapes():
    with pytest.raises(ShapeError) as info:
        s2sgrad.jvp(scaled)(np.ones(3), np.ones(2))
    text = str(info.value)
    assert 'the tangent of `x` has shape (2,), but `x` has shape (3,)' in text
    assert "pass one of the argument's shape" in text


def test_shape_error_points_at_the_function():
    with pytest.raises(ShapeError) as info:
        s2sgrad.jvp(scaled)(np.ones(3), np.ones(2))
    assert_points_at(info.value, scaled, 'def scaled', caret=False)


# ==================== InPlaceError (raised by generated code)

def alias_then_augmented(x):
    y = x
    y += 1.0
    return np.sum(x * y)


def test_in_place_error_gives_the_line_and_the_fix():
    with pytest.raises(InPlaceError) as info:
        s2sgrad.grad(alias_then_augmented)(np.array([1.0, 2.0]))
    text = str(info.value)
    line, _ = _position(alias_then_augmented, 'y += 1.0')
    assert f'File "{__file__}", line {line}' in text
    assert '`y += 1.0` changes an array that `x` shares' in text
    assert 'add `.copy()`' in text


# ==================== nested functions

def nested_defined_twice(x, flag=True):
    if flag:
        def g(t):
            return t * t
    else:
        def g(t):
            return -t
    return g(x)


def nested_returned(x):
    def g(t):
        return t * x
    return g


def nested_called_outside_its_branch(x, flag=True):
    if flag:
        def g(t):
            return t * 2.0
    return g(x)


def nested_default_reads_enclosing(x):
    c = x * 2.0

    def g(t, k=c):
        return t * k
    c = x * 3.0
    return g(x)


def test_nested_function_defined_twice():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(nested_defined_twice)(1.0)
    line, column = _position(nested_defined_twice, 'def g(t):', occurrence=1)
    assert (info.value.lineno, info.value.offset) == (line, column)
    assert f'  File "{__file__}", line {line}\n' in str(info.value)
    text = str(info.value)
    assert 'a second definition of the nested function `g`' in text
    assert 'give each function a name of its own' in text


def test_nested_function_used_as_a_value():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(nested_returned)(1.0)
    assert_points_at(info.value, nested_returned, 'g\n')
    text = str(info.value)
    assert 'the nested function `g` used as a value' in text
    assert 'define it at module level and pass what it reads as arguments' in text


def test_nested_function_called_where_its_def_may_not_have_run():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.jvp(nested_called_outside_its_branch)(1.0, 1.0)
    assert_points_at(info.value, nested_called_outside_its_branch, 'g(x)', width=len('g(x)'))
    text = str(info.value)
    assert 'a call of the nested function `g`' in text
    assert 'define `g` before its calls' in text


def test_nested_default_value_that_changes_before_the_call():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(nested_default_reads_enclosing)(1.0)
    line, column = _position(nested_default_reads_enclosing, 'c):')
    assert (info.value.lineno, info.value.offset) == (line, column)
    text = str(info.value)
    assert 'the default value of `k` of the nested function `g`' in text
    assert 'pass the value explicitly' in text


# ==================== a dict made with dict(...), a write into a module's array

def state_as_dict_call(x0, v0):
    s = dict(x=x0 * 1.0, v=v0 * 1.0)
    return np.sum(s['x'] * s['v'])


def config_dict_call(x):
    opts = dict(scale=2.0, n=3)
    return np.sum(x * opts['scale'])


CALLS = [0]


def counted(x):
    CALLS[0] += 1
    return np.sum(x ** 2)


def state_passed_as_dict_call(x0, v0):
    return np.sum(_product_of_state(dict(x=x0 * 1.0, v=v0 * 1.0)))


def state_passed_after_a_pop(x0, v0):
    xs = [x0, v0]
    return np.sum(_scaled_state(xs.pop(), dict(x=x0 * 1.0, v=v0 * 1.0)))


def _scaled_state(a, s):
    return a * s['x'] * s['v']


def _product_of_state(s):
    return s['x'] * s['v']


def test_a_dict_made_by_calling_dict_is_treated_as_a_dict_literal_is():
    """Not "no derivative rule for `dict`, register one": what to use instead."""
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(state_passed_after_a_pop)
    message = str(info.value)
    assert 'dict' in message and 'tuple' in message and 'Register' not in message
    assert_points_at(info.value, state_passed_after_a_pop, 'dict(x=', caret=False)
    # passed to a call where nothing runs before it, it is filled under a name first
    gx, gv = s2sgrad.grad(state_passed_as_dict_call, wrt=(0, 1))(np.array([1.0, 2.0]),
                                                                 np.array([3.0, -1.0]))
    np.testing.assert_allclose(gx, [3.0, -1.0])
    np.testing.assert_allclose(gv, [1.0, 2.0])
    # assigned to a name, it is filled key by key: d/dx0 = v0, d/dv0 = x0
    x0, v0 = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    gx, gv = s2sgrad.grad(state_as_dict_call, wrt=(0, 1))(x0, v0)
    np.testing.assert_allclose(gx, v0)
    np.testing.assert_allclose(gv, x0)
    # a dict of constants (a configuration) has no derivative to follow
    np.testing.assert_allclose(s2sgrad.grad(config_dict_call)(np.ones(2)), [2.0, 2.0])


def test_a_write_into_a_global_says_the_function_does_not_own_it():
    """Not "add .copy() where the array written into is made": the array is the module's."""
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2sgrad.grad(counted)
    message = str(info.value)
    assert '`CALLS`' in message and 'does not own' in message and '.copy()' not in message
    assert_points_at(info.value, counted, 'CALLS[0] += 1', caret=False)
    assert CALLS == [0]


def draws_with_a_differentiated_mean(mu):
    return np.sum(np.random.normal(mu, 1.0, 3))


def draw_of_the_random_module(mu):
    return random.gauss(mu, 1.0)


@pytest.mark.parametrize('f', [draws_with_a_differentiated_mean, draw_of_the_random_module])
def test_a_draw_with_differentiated_parameters_says_to_reparameterize(f):
    with pytest.raises(NoRuleError, match='reparameterization') as info:
        s2sgrad.grad(f)(0.3)
    assert 'standard_normal' in str(info.value)


Pair = collections.namedtuple('Pair', ['w', 'b'])


def replaces_a_field(x):
    p = Pair(x * 2.0, x[0])
    p = p._replace(b=p.b * 3.0)
    return np.sum(p.w ** 2) + p.b


def test_replace_of_a_namedtuple_says_to_build_a_new_one():
    with pytest.raises(NoRuleError) as info:
        s2sgrad.grad(replaces_a_field)(np.array([0.5, 1.5]))
    message = str(info.value)
    assert 'namedtuple' in message and '`P(p.w, new_b)` for `p._replace(b=new_b)`' in message
    assert_points_at(info.value, replaces_a_field, 'p = p._replace(b=p.b * 3.0)', caret=False)
