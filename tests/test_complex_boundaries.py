"""Complex values made from differentiated ones raise ComplexError, whatever the path: an
item, a slice or a reduction of a real argument fed into complex arithmetic gave silently
wrong gradients and tangents (review R20: the imaginary part was dropped where a complex
adjoint or tangent was written into a real array)."""
import cmath

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import ComplexError

P = np.array([0.3, -1.2, 0.7])
C = np.array([1.0 + 2.0j, 0.5 - 1.0j, -0.3j])  # (a complex global, not a literal)
SHIFT = 0.5j


def item_plus_zero_j(p):
    return np.abs(np.sqrt(p[1] + 0j))


def item_times_j(p):
    y = p[1] * 3j
    return abs(y)


def slice_plus_zero_j(p):
    return np.sum(np.abs(np.sqrt(p[:2] + 0j)))


def reduction_then_complex(p):
    delta = np.sum(p)
    return np.abs(1.0 / (delta + 0.5j)) ** 2


def folded_constant(p):
    return np.sum(np.abs(p * (1 + 1j)))


def named_constant(p):
    return np.abs(np.mean(p) + SHIFT)


def complex_of_items(p):
    return abs(complex(p[0], p[1])) ** 2


def through_cmath(p):
    return abs(cmath.exp(1j * p[0]) + 0.5)


def cast_to_complex(p):
    return np.sum(np.abs(p.astype(complex) * 2.0))


def built_complex(p):
    return np.sum(np.abs(np.asarray(p, dtype=np.complex128)))


def unit_phasors(p):
    return np.abs(np.sum(np.exp(1j * p)))


def item_write(p):
    out = np.zeros(2)
    out[0] = np.abs(p[0] * 3j + 1.0)
    out[1] = p[1] ** 2
    return out


FUNCTIONS = [item_plus_zero_j, item_times_j, slice_plus_zero_j, reduction_then_complex,
             folded_constant, named_constant, complex_of_items, through_cmath, cast_to_complex,
             built_complex, unit_phasors]


@pytest.mark.parametrize('func', FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_complex_from_a_differentiated_value_is_refused(func):
    for operator in (s2sgrad.grad, s2sgrad.jvp, s2sgrad.hessian):
        with pytest.raises(ComplexError, match='complex values are not supported'):
            if operator is s2sgrad.jvp:
                operator(func)(P, np.ones(3))
            else:
                operator(func)(P)


def test_an_item_write_in_forward_mode():
    with pytest.raises(ComplexError):
        s2sgrad.jvp(item_write)(P[:2], np.array([1.0, 0.0]))
    with pytest.raises(ComplexError):
        s2sgrad.jacobian(item_write, mode='fwd')(P[:2])


def item_times_global(p):
    return abs(p[1] * C[0])


def reduction_times_global(p):
    return np.sum(np.abs(np.sum(p) * C))


@pytest.mark.parametrize('func', [item_times_global, reduction_times_global])
def test_a_complex_global_is_refused_when_the_gradient_runs(func):
    with pytest.raises(ComplexError):
        s2sgrad.grad(func)(P)


def complex_constant_not_differentiated(p):
    return np.sum(np.abs(C) * p ** 2) + abs(SHIFT) * p[0]


def test_complex_values_without_derivative_pass():
    expected = 2 * np.abs(C) * P + np.array([0.5, 0.0, 0.0])
    np.testing.assert_allclose(s2sgrad.grad(complex_constant_not_differentiated)(P), expected)


def phase_by_flag(x, use_phase=False):
    if use_phase:
        return np.abs(np.sum(x * 1j))
    return np.sum(x ** 3)


def printed_as_complex(x):
    y = np.sum(x ** 2)
    print(f'loss {y + 0j}')
    return y


def test_complex_values_refused_only_where_they_are_made():
    """(J36 D5) A branch a flag leaves untaken, and a complex value only printed, make no
    complex derivative: the gradient is the real one; the branch taken raises."""
    np.testing.assert_allclose(s2sgrad.grad(phase_by_flag)(P), 3 * P ** 2)
    np.testing.assert_allclose(s2sgrad.grad(printed_as_complex)(P), 2 * P)
    with pytest.raises(ComplexError, match='complex values are not supported'):
        s2sgrad.grad(phase_by_flag)(P, True)


def test_compiled_gradients_raise_the_same():
    """(R20 E1) The compiled path raised CompileError with numba's own message; it now
    compiles the statement to raise ComplexError where it runs, as the plain path does."""
    pytest.importorskip('numba', reason='numba (the `numba` extra) is not installed')
    with pytest.raises(ComplexError, match='complex values are not supported'):
        s2sgrad.grad(folded_constant, compile='numba')(P)
