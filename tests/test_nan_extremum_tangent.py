"""The tangent of ``np.nanmax``/``np.nanmin`` over data with missing values: the positions the
reduction skips add nothing, even where their tangent is nan (it was ``dx * mask``, nan).
Checked against central differences."""
import warnings

import numpy as np
import pytest

import s2sgrad

Y = np.array([[1.0, np.nan, 3.0], [2.0, -1.0, np.nan]])


def spread_max(mu):
    return np.nanmax((Y - mu) ** 2)


def spread_min_rows(mu):
    return np.sum(np.nanmin((Y - mu) ** 2, axis=1))


@pytest.mark.parametrize('func', [spread_max, spread_min_rows])
def test_nan_extrema_forward(func):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        expected = (func(0.5 + 1e-6) - func(0.5 - 1e-6)) / 2e-6
        assert np.isclose(s2sgrad.jvp(func)(0.5, 1.0), expected, rtol=1e-6)
