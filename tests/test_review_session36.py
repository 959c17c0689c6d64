"""What the reviews of session 36 found (R19-R22 and the regression reviews), each pinned
against central differences or NumPy's own results."""
import math
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

try:
    import numba  # noqa: F401
except ImportError:  # (the `numba` extra)
    numba = None
try:
    import dask.array as da
except ImportError:  # (the `dask` extra)
    da = None

needs_numba = pytest.mark.skipif(numba is None, reason='numba (the `numba` extra) is not '
                                                       'installed')
needs_dask = pytest.mark.skipif(da is None, reason='dask (the `dask` extra) is not installed')


def ranked_sum(x):
    return np.sum(np.sort(x) * np.arange(x.shape[0]))


def top_two_by_column(X):
    return np.sum(np.sort(X, axis=0)[-2:] ** 2)


@needs_dask
@pytest.mark.parametrize('func, x', [
    (ranked_sum, np.array([0.3, -1.2, 2.5, 0.1])),
    (top_two_by_column, np.array([[0.3, -1.2], [2.5, 0.1], [-0.7, 0.9], [1.1, -0.4]]))])
def test_sort_of_a_dask_array(func, x):
    """R22 A1: the adjoint of np.sort wrote into dask zeros (np.put_along_axis), which dask
    did not keep: every gradient through a sort of a dask array was 0."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # (dask runs np.sort through NumPy, with a warning)
        got = s2sgrad.grad(func)(da.from_array(x, chunks=2))
        got = got.compute() if hasattr(got, 'compute') else got
    np.testing.assert_allclose(got, numerical_grad(func, (x,), 0), rtol=1e-6)


def log_of_positive(x):
    assert x > 0, 'x must be positive'
    return math.log(x) * x


@needs_numba
def test_an_assert_that_fails_in_compiled_code():
    """R22 C3: a user's assert failing as the compiled gradient ran was a CompileError, and
    with fallback=True it switched the gradient to the plain code for good."""
    with pytest.raises(AssertionError, match='must be positive'):
        s2sgrad.grad(log_of_positive, compile='numba')(-1.0)
    df = s2sgrad.grad(log_of_positive, compile='numba', fallback=True)
    assert df(2.0) == pytest.approx(math.log(2.0) + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # (no CompileFallbackWarning)
        with pytest.raises(AssertionError):
            df(-1.0)
    assert df(3.0) == pytest.approx(math.log(3.0) + 1.0)
