"""Functions of the user's with keyword-only parameters called from the compiled gradient."""
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import CompileError, CompileFallbackWarning

pytest.importorskip('numba', reason='the compiled path needs numba')


def s2(v, a=2.0, *, b=1.0):
    return v * a


def s3(v, a, *, b=1.0):
    return v * a + np.sin(v) * b


def s4(v, *, b=1.0):
    return v * b + np.cos(v)


def s5(v, *, b):
    return v * b


def scale(v, a=2.0, *, b=1.0):
    return v * a + b


def powered(v, k=2, *, axis=0):
    return np.sum(v ** k, axis=axis)  # (a power and an axis: the rewritten source compiled)


def through_s2(v):
    return s2(v, 3.0) + s4(v)


def _made(c):
    def closed(v, a=2.0, *, b=1.0):
        return v * a * c + b
    return closed


closed = _made(0.5)


def starred(v, *rest, b=1.0):
    return v * b


def positional_constant(x, y):
    return np.sum(x * s2(y, 3.0))


def positional_differentiated(x):
    return np.sum(s2(x, 3.0) * x)


def keywords(x):
    return np.sum(scale(v=x, a=x))


def keywords_with_b(x):
    return np.sum(scale(v=x, b=np.sin(x)))


def default_b(x):
    return np.sum(s4(x) * x)


def given_b(x):
    return np.sum(s4(x, b=2.0) * x + s4(x, b=x))


def required_a(x):
    return np.sum(s3(x, 2.0) + s3(x, x, b=3.0))


def required_b(x):
    return np.sum(s5(x, b=3.0) * x)


def constant_calls(x, y):
    return np.sum(x * (s2(y, 3.0) + s3(y, 2.0) + s4(y) + s4(y, b=2.0) + scale(v=y, a=y) +
                       through_s2(y) + closed(y, 3.0) + closed(y, b=2.0)) +
                  x[0] * powered(y, 3) + x[1] * powered(y, 2, axis=0))


def starred_call(x, y):
    return np.sum(x * starred(y, b=3.0))


X = np.array([0.1, 0.2, 0.3])
Y = np.array([0.5, -1.0, 2.0])
CASES = [(positional_constant, (X, Y)), (positional_differentiated, (X,)), (keywords, (X,)),
         (keywords_with_b, (X,)), (default_b, (X,)), (given_b, (X,)), (required_a, (X,)),
         (required_b, (X,)), (constant_calls, (X, Y))]


@pytest.mark.parametrize('motion', ['split', 'joint'])
@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_compiled_gradient_binds_keyword_only_parameters_as_python(f, args, motion):
    compiled = s2sgrad.grad(f, motion=motion, compile='numba')(*args)
    plain = s2sgrad.grad(f, motion=motion)(*args)
    np.testing.assert_allclose(compiled, plain, rtol=1e-12)
    np.testing.assert_allclose(compiled, numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)


def test_keyword_only_parameter_after_star_args_is_a_compile_error():
    with pytest.raises(CompileError, match=r'`starred`.*`b`.*positional, before `\*args`'):
        s2sgrad.grad(starred_call, compile='numba')(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', CompileFallbackWarning)
        fallen = s2sgrad.grad(starred_call, compile='numba', fallback=True)(X, Y)
    np.testing.assert_allclose(fallen, 3.0 * Y)
