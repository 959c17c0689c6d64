"""A complex value met while the derivative runs is refused at the user's line, as every
other run-time refusal is (the message says what to write instead)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import ComplexError

T = np.linspace(0.0, 1.0, 8)
Y = np.cos(3 * T)


def chirp_fit(w):
    z = np.exp(1j * w * T)
    return np.sum((z.real - Y) ** 2)


def test_a_complex_intermediate_is_refused_at_the_users_line():
    with pytest.raises(ComplexError) as caught:
        s2sgrad.grad(chirp_fit)(2.7)
    error = caught.value
    assert error.filename == __file__
    assert error.lineno in (14, 15)
    assert 'np.cos(w * t)' in str(error) and __file__ in str(error)
    assert isinstance(error, TypeError)
