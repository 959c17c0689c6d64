"""Nested functions anywhere in a body (loops, branches), nested functions calling each other,
default values of nested functions, and lambdas that share a line (issue #9)."""
import inspect
import sys
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import SourceUnavailableError, UnsupportedSyntaxError

SCALE = 1.5


# ==================== lambdas on one line

g1 = lambda x: x * 2; g2 = lambda x: x ** 3  # noqa: E702,E731
pair = (lambda x: x * 2, lambda x: x ** 3)
same = (lambda x: x * 2, lambda x: x * 2)
returns_lambda = lambda x: lambda y: y ** 2  # noqa: E731
keyword_pair = (lambda x, *, k=2.0: x * k, lambda x, *, k=2.0: x ** k)


@pytest.mark.parametrize('func, expected', [
    (g1, 2.0), (g2, 3.0), (pair[0], 2.0), (pair[1], 3.0), (same[0], 2.0), (same[1], 2.0),
    (returns_lambda(1.0), 2.0), (keyword_pair[0], 2.0), (keyword_pair[1], 2.0)])
def test_the_right_lambda_of_a_line_is_differentiated(func, expected):
    assert s2sgrad.grad(func)(1.0) == pytest.approx(expected)
    assert s2sgrad.jvp(func)(1.0, 1.0) == pytest.approx(expected)


def _without_positions(func):
    """`func` with code that records no column (3.11+) and, on 3.10, does not match any
    lambda of its line: which lambda of the line it is cannot be told."""
    code = func.__code__
    if sys.version_info >= (3, 11):
        code = code.replace(co_linetable=b'')
    else:
        code = code.replace(co_consts=code.co_consts + (object(),))
    return types.FunctionType(code, func.__globals__)


def test_lambdas_that_cannot_be_told_apart_raise_saying_so():
    with pytest.raises(SourceUnavailableError) as info:
        s2sgrad.grad(_without_positions(pair[1]))(1.0)
    text = str(info.value)
    assert 'several lambdas' in text and 'cannot tell which' in text
    assert 'define it with `def`' in text
    assert 'changed after import' not in text
    line = inspect.getsourcelines(sys.modules[__name__])[0].index(
        'pair = (lambda x: x * 2, lambda x: x ** 3)\n') + 1
    assert f'File "{__file__}", line {line}' in text


# ==================== nested functions in loops and branches

def def_in_loop(x):
    s = 0.0
    for i in range(3):
        def g(t):
            return t * i
        s = s + g(x)
    return s


def def_in_branch(x, flag=True):
    s = x * 1.0
    if flag:
        def g(t):
            return t * s
        s = g(x) + s
    return np.sum(s)


def def_in_while(x):
    s = 0.0
    k = 0
    while k < 3:
        def g(t):
            return t * k
        s = s + np.sum(g(x))
        k = k + 1
    return s


def siblings(x):
    c = np.sum(x)

    def a(t):
        return t * c

    def b(t):
        return a(t) * t

    def d(t):
        return b(t) + a(t)
    return np.sum(d(x))


def loop_def_calls_sibling(x):
    c = x[1]

    def a(t):
        return t * c
    s = 0.0
    for i in range(2):
        def g(t):
            return a(t) * x[i]
        s = s + np.sum(g(x))
    return s


def late_binding_through_sibling(x):
    c = x[0]

    def a(t):
        return t * c

    def b(t):
        return a(t)
    c = x[1]  # a reads c when it is called: x[1]
    return np.sum(b(x))


def recursive_nested(x):
    w = x[1]

    def p(t, k):
        if k == 0:
            return t
        return w * p(t, k - 1) * t
    return np.sum(p(x, 3))


def nested_in_nested(x):
    c = x[0]

    def g(t):
        d = t * 2.0

        def h(u):
            return u * d * c
        return h(t) + d
    return np.sum(g(x))


def default_reads_enclosing(x):
    c = x * 2.0

    def g(t, k=c):
        return t * k
    return np.sum(g(x) + g(x, x))


def default_binds_loop_variable(x):
    s = 0.0
    for i in range(3):
        v = x[i]

        def g(t, w=v, i=i):
            return t * w + i
        s = s + g(x[0])
    return s


def default_reads_global(x):
    def g(t, k=SCALE):
        return t * k
    return np.sum(g(x))


def positional_only_defaults(x):
    c = x[0]

    def g(t, k=c, /, m=2.0):
        return t * k * m
    return np.sum(g(x) + g(x, c, 3.0))


@pytest.mark.parametrize('func', [
    def_in_loop, def_in_branch, def_in_while, siblings, loop_def_calls_sibling,
    late_binding_through_sibling, recursive_nested, nested_in_nested, default_reads_enclosing,
    default_binds_loop_variable, default_reads_global, positional_only_defaults])
def test_nested_functions_reverse_and_forward(func):
    x = np.array([0.7, 1.3, 0.9])
    s2sgrad.check_grads(func, (x,), wrt=0, modes=('rev', 'fwd'), order=1)


def test_default_value_that_is_a_differentiated_variable_gets_its_derivative():
    # f = sum(x * 2x) + sum(x * x) = 3 sum(x^2): df = 6x
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(default_reads_enclosing)(x), 6 * x)


# ==================== what lifting cannot do raises, at the line

def defined_twice(x, flag=True):
    if flag:
        def g(t):
            return t * t
    else:
        def g(t):
            return -t
    return g(x)


def name_also_assigned(x):
    def g(t):
        return t * 2
    y = g(x)
    g = 3
    return y + g


def returned(x):
    def g(t):
        return t * 2
    return g


def stored_in_list(x):
    def g(t):
        return t * 2
    fs = [g]
    return fs[0](x)


def passed_on(x):
    def g(t):
        return t * 2
    return np.sum(np.apply_along_axis(g, 0, x))


def sibling_as_value(x):
    def a(t):
        return t * 2

    def b(t):
        h = a
        return h(t)
    return b(x)


def called_after_its_branch(x, flag=True):
    if flag:
        def g(t):
            return t * 2
    return g(x)


def called_after_its_loop(x):
    for i in range(3):
        def g(t):
            return t * i
    return g(x)


def calls_sibling_defined_later(x):
    c = x * 2

    def b(t):
        return a(t) * t

    def a(t):
        return t * c
    return np.sum(b(x))


def mutual_recursion(x):
    def ev(t, k):
        if k == 0:
            return t
        return od(t, k - 1)

    def od(t, k):
        return ev(t * 2, k)
    return ev(x, 2)


def shadows_what_sibling_reads(x):
    s = x * 2

    def a(t):
        return t * s

    def b(t):
        s = 3.0
        return a(t) + s
    return b(x)


def default_changes_before_call(x):
    c = x * 2.0

    def g(t, k=c):
        return t * k
    c = x * 3.0
    return np.sum(g(x))


def default_is_a_call(x):
    def g(t, k=np.ones(1)):
        return t * k
    return np.sum(g(x))


def default_written_through(x):
    c = x * 2.0

    def g(t, k=c):
        k[0] = 0.0
        return t * k
    return np.sum(g(x))


def _line_and_column(func, text):
    lines, start = inspect.getsourcelines(func)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset, line.index(text) + 1
    raise AssertionError(text)


@pytest.mark.parametrize('func, at, message', [
    (defined_twice, 'def g(t):\n            return -t',
     'second definition of the nested function `g`'),
    (name_also_assigned, 'g = 3', 'assignment to `g`'),
    (returned, 'g\n', 'nested function `g` used as a value'),
    (stored_in_list, 'g]', 'nested function `g` used as a value'),
    (passed_on, 'g, 0, x', 'nested function `g` used as a value'),
    (sibling_as_value, 'a\n', 'nested function `a` used as a value'),
    (called_after_its_branch, 'g(x)', 'its `def` does not come before'),
    (called_after_its_loop, 'g(x)', 'its `def` does not come before'),
    (calls_sibling_defined_later, 'a(t) * t', 'define `a` first'),
    (mutual_recursion, 'od(t, k - 1)', 'call each other'),
    (shadows_what_sibling_reads, 'def b(t):', 'has a variable `s` of its own'),
    (default_changes_before_call, 'c):', 'changes between the `def` and the call'),
    (default_is_a_call, 'np.ones(1)', 'assign it to a variable before the `def`'),
    (default_written_through, 'c):', 'changes in place'),
])
@pytest.mark.parametrize('mode', ['rev', 'fwd'])
def test_what_lifting_cannot_follow_raises_at_its_line(func, at, message, mode):
    x = np.array([0.5, 1.5])
    with pytest.raises(UnsupportedSyntaxError) as info:
        if mode == 'rev':
            s2sgrad.grad(func)(x)
        else:
            s2sgrad.jvp(func)(x, np.ones(2))
    error = info.value
    if '\n' in at:
        first, rest = at.split('\n', 1)
        lines, start = inspect.getsourcelines(func)
        text = ''.join(lines)
        line = start + text[:text.index(at)].count('\n')
        column = lines[line - start].index(first) + 1
    else:
        line, column = _line_and_column(func, at)
    assert message in str(error)
    assert error.filename == __file__
    assert (error.lineno, error.offset) == (line, column)
    assert f'File "{__file__}", line {line}' in str(error)
