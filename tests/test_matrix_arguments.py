"""``np.matrix`` arguments are refused: their ``*`` and ``**`` are matrix products and powers,
which the rules of arrays would differentiate elementwise (a review found ``grad`` of
``np.sum(x * x)`` at a matrix returned ``2 x``)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError


def squared_sum(x):
    return np.sum(x * x)


M = np.matrix([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize('call', [
    lambda: s2sgrad.grad(squared_sum)(M),
    lambda: s2sgrad.value_and_grad(squared_sum)(M),
    lambda: s2sgrad.jvp(squared_sum)(M, M),
    lambda: s2sgrad.vjp(squared_sum)(M, 1.0),
    lambda: s2sgrad.jacobian(squared_sum)(M),
    lambda: s2sgrad.hessian(squared_sum)(M),
], ids=['grad', 'value_and_grad', 'jvp', 'vjp', 'jacobian', 'hessian'])
def test_a_matrix_argument_raises(call):
    with pytest.raises(NoRuleError, match='np.matrix'):
        call()


def test_the_same_values_as_an_array_work():
    x = np.asarray(M)
    np.testing.assert_allclose(s2sgrad.grad(squared_sum)(x), 2 * x)
