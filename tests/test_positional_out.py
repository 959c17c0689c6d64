"""An `out` given by position (``np.clip(y, lo, hi, y)``, ``y.round(0, y)``, a ufunc's
argument after its inputs) writes in place as ``out=`` does: refused the same way, never
differentiated as if the call's result were thrown away."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError


def clipped_in_place(x, w):
    y = w * x
    np.clip(y, 0.5, 1.0, y)
    return np.sum(y * x)


def rounded_in_place(x, w):
    y = w * x
    y.round(0, y)
    return np.sum(y * x)


def summed_into(x, w):
    y = w * x
    total = np.zeros(())
    np.sum(y, None, None, total)
    return total * x


@pytest.mark.parametrize('f', [clipped_in_place, rounded_in_place, summed_into])
def test_a_positional_out_is_refused_as_out_is(f):
    with pytest.raises(S2SError, match='with `out=`'):
        s2sgrad.grad(f, wrt=(0, 1))(1.5, np.array([0.2, 0.9, 2.0]))
