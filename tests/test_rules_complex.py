"""Spec rows of the complex-number functions on real arguments (conj, imag, angle,
real_if_close, the .imag attribute and .conj() method) and of np.linalg.eigvalsh, with the
decision for complex values: ComplexError, in both modes (see the README, "Known limits")."""
import numpy as np
import pytest

import rulespec
import s2sgrad
from s2sgrad.errors import ComplexError

V = np.array([[0.9, -0.4, 0.6], [1.5, 0.2, -1.1]])
W = np.array([0.3, -1.1, 0.7])


def arr(*shape):
    return lambda rng: [rng.uniform(-1.0, 1.0, shape)]


def spd(rng):
    return [rng.normal(size=(3, 3))]


def f_conj(x): return np.sum(np.conj(x) ** 2 * V)
def f_conjugate(x): return np.sum(np.conjugate(x * V) * x)
def f_conj_method(x): return np.sum(x.conj() ** 3 * V)
def f_conjugate_method(x): return np.sum(np.sin(x.conjugate()) * V)
def f_imag(x): return np.sum(np.imag(x) * V + x ** 2)
def f_imag_attribute(x): return np.sum((x ** 2).imag + np.cos(x) * V)
def f_angle(x): return np.sum(np.angle(x) * x * V)  # (0 or pi: constant pieces)
def f_angle_deg(x): return np.sum(np.angle(x + 2.0, deg=True) + x ** 2 * V)
def f_real_if_close(x): return np.sum(np.real_if_close(x * V) ** 2)
def f_real_if_close_tol(x): return np.sum(np.exp(np.real_if_close(x, tol=1000)) * V)
def f_eigvalsh(S): return np.sum(W * np.linalg.eigvalsh((S + S.T) / 2))
def f_eigvalsh_upper(S): return np.sum(W * np.linalg.eigvalsh(S, UPLO='U') ** 2)
def f_eigvalsh_stack(S): return np.sum(np.linalg.eigvalsh(S @ np.swapaxes(S, -1, -2)) * W)


ROWS = [
    (f_conj, arr(2, 3), 0), (f_conjugate, arr(2, 3), 0), (f_conj_method, arr(2, 3), 0),
    (f_conjugate_method, arr(2, 3), 0), (f_imag, arr(2, 3), 0),
    (f_imag_attribute, arr(2, 3), 0), (f_angle, arr(2, 3), 0), (f_angle_deg, arr(2, 3), 0),
    (f_real_if_close, arr(2, 3), 0), (f_real_if_close_tol, arr(2, 3), 0),
    (f_eigvalsh, spd, 0), (f_eigvalsh_upper, spd, 0),
    (f_eigvalsh_stack, lambda rng: [rng.normal(size=(2, 3, 3))], 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_rule(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


# -- complex values: ComplexError in both modes ----------------------------------------------

def c_conj(x): return np.sum(np.abs(np.conj(x)))
def c_imag(x): return np.sum(np.imag(x))
def c_imag_attribute(x): return np.sum(x.imag)
def c_angle(x): return np.sum(np.angle(x))
def c_real_if_close(x): return np.sum(np.abs(np.real_if_close(x)))
def c_conj_method(x): return np.sum(np.abs(x.conj()))


@pytest.mark.parametrize('f', [c_conj, c_imag, c_imag_attribute, c_angle, c_real_if_close,
                               c_conj_method], ids=lambda f: f.__name__)
def test_complex_arguments_raise_complex_error(f):
    x = np.array([0.5 + 1.0j, -0.3 + 0.2j])
    with pytest.raises(ComplexError, match='complex'):
        s2sgrad.grad(f)(x)
    with pytest.raises(ComplexError, match='complex'):
        s2sgrad.jvp(f)(x, np.ones(2))


def e_eigvals(a): return np.sum(np.linalg.eigvals(a).real)


def e_eig(a):
    w, v = np.linalg.eig(a)
    return np.sum(np.abs(w))


@pytest.mark.parametrize('f, name', [(e_eigvals, 'np.linalg.eigvals'), (e_eig, 'np.linalg.eig')])
def test_eig_raises_complex_error_naming_it(f, name):
    """np.linalg.eig's results are complex in general: refused, pointing at eigh/eigvalsh, even
    where this matrix's happen to be real (the error does not depend on the values)."""
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    with pytest.raises(ComplexError, match=name + '.*eigvalsh'):
        s2sgrad.grad(f)(a)
    with pytest.raises(ComplexError, match=name):
        s2sgrad.jvp(f)(a, np.ones((2, 2)))
