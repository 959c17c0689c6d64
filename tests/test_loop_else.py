"""A loop's ``else`` clause (`s2sgrad.loop_else`): reverse, forward, second order and the compiled
path against central differences, each at points where the loop breaks and where it does not;
the printed flag."""
import importlib.util

import numpy as np
import pytest

import s2sgrad

import loop_else_functions as lf
from trees import central_grad

CASES = [
    (lf.search, np.array([0.5, 0.3, 2.0, 0.7])),          # breaks
    (lf.search, np.array([0.5, 0.3, 0.2, 0.7])),          # runs the else block
    (lf.newton, 2.0),                                     # converges: breaks
    (lf.inner_break, np.array([0.5, 1.3, 2.0])),
    (lf.inner_else_breaks_outer, np.array([0.5, 1.3, 2.0, 0.4])),
    (lf.inner_else_breaks_outer, np.array([3.0, 4.0, 9.0, 0.4])),
    (lf.inner_else_breaks_outer, np.array([0.1, 0.2, 0.1, 0.3])),
    (lf.returns_in_loop, np.array([0.5, -1.3, 2.0])),
    (lf.returns_in_loop, np.array([0.5, 1.3, 2.0])),
    (lf.no_break, np.array([0.5, -1.3, 2.0])),
    (lf.scalar_math, 0.3),
    (lf.scalar_math, 3.0),
    (lf.nested_def, np.array([0.5, 1.3, 1.0])),
    (lf.nested_def, np.array([0.5, 3.3, 1.0])),
]
IDS = [f'{f.__name__}-{i}' for i, (f, _) in enumerate(CASES)]


@pytest.mark.parametrize('f, x', CASES, ids=IDS)
def test_gradient_and_jvp(f, x):
    expected = central_grad(f, [x], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), expected, atol=1e-6)
    v = np.linspace(0.5, 1.5, np.size(x)).reshape(np.shape(x))
    tangent = s2sgrad.jvp(f)(x, v if np.ndim(x) else 0.7)
    np.testing.assert_allclose(tangent, np.sum(expected * (v if np.ndim(x) else 0.7)), atol=1e-6)


@pytest.mark.parametrize('f, x', CASES, ids=IDS)
def test_hessian(f, x):
    gradient = s2sgrad.grad(f)
    rows = [central_grad(lambda z, i=i: np.ravel(gradient(z))[i], [x], 0)
            for i in range(np.size(x))]
    expected = np.array(rows).reshape(np.shape(x) * 2)
    np.testing.assert_allclose(s2sgrad.hessian(f)(x), expected, atol=1e-4)


@pytest.mark.skipif(importlib.util.find_spec('numba') is None,
                    reason='the compiled path needs numba (pip install s2sgrad[numba])')
@pytest.mark.parametrize('f, x', CASES, ids=IDS)
def test_compiled(f, x):
    np.testing.assert_allclose(s2sgrad.grad(f, compile='numba')(x), central_grad(f, [x], 0),
                               atol=1e-6)


def test_the_flag_reads_as_written():
    source = s2sgrad.grad(lf.search).source
    assert 'broke = False' in source and 'broke = True' in source
    assert 'not broke' in source


def test_a_loop_without_break_runs_its_else_block_after_it():
    source = s2sgrad.grad(lf.no_break).source
    assert 'broke' not in source
