"""Namedtuples whose fields are named like array attributes (``shape`` of a gamma
distribution, ``T`` of a temperature, ``size``, ``real``): read as fields where the function
also reads another field (``p.scale``) or does arithmetic a tuple cannot do (``p.shape -
1.0``). Before, ``p.shape`` and ``p.size`` had no derivative (silently zero) and ``p.T`` was
read as a transpose. Expected values are central differences."""
import collections

import numpy as np
import pytest
from scipy.special import gammaln

import s2sgrad

Gamma = collections.namedtuple('Gamma', ['shape', 'scale'])
Thermo = collections.namedtuple('Thermo', ['T', 'b'])
Sized = collections.namedtuple('Sized', ['size', 'w'])
Parts = collections.namedtuple('Parts', ['real', 'imag', 'k'])
DATA = np.array([1.0, 2.0, 3.5, 0.7])


def gamma_loglik(p):
    return np.sum((p.shape - 1.0) * np.log(DATA) - DATA / p.scale - gammaln(p.shape) -
                  p.shape * np.log(p.scale))


def concentration(p):
    return (p.shape - 1.0) * 3.0


def log_norm(p):
    return gammaln(p.shape) + p.shape * np.log(p.scale)


def through_a_helper(p):
    return log_norm(p) + log_norm(p) * p.scale + concentration(p)


def thermo_energy(t):
    return np.sum(t.T * t.b) + np.sum(t.T ** 2)


def sized(p):
    return np.sum(p.size * DATA * p.w) / DATA.size


def parts(p):
    return p.real * p.imag + p.k ** 2 * p.real


def over_a_list(layers, x):
    for layer in layers:
        x = np.tanh(layer.T @ x + layer.b)
    return np.sum(x ** 2)


def _numeric(f, args, index):
    """Central differences of `f` in each field of the namedtuple ``args[index]``."""
    record = args[index]
    out = []
    for k, value in enumerate(record):
        value = np.asarray(value, dtype=float)
        g = np.zeros_like(value)
        for pos in np.ndindex(value.shape):
            for sign in (1.0, -1.0):
                moved = value.copy()
                moved[pos] += sign * 1e-6
                fields = list(record)
                fields[k] = moved if value.shape else float(moved)
                new = list(args)
                new[index] = type(record)(*fields)
                g[pos] += sign * f(*new) / 2e-6
        out.append(g)
    return out


CASES = [(gamma_loglik, Gamma(2.0, 1.5)), (concentration, Gamma(2.5, 1.0)),
         (through_a_helper, Gamma(1.7, 0.8)),
         (thermo_energy, Thermo(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]))),
         (sized, Sized(2.0, 0.5)), (parts, Parts(1.5, -0.5, 2.0))]


@pytest.mark.parametrize('f, p', CASES, ids=[c[0].__name__ for c in CASES])
def test_fields_named_like_array_attributes(f, p):
    expected = _numeric(f, [p], 0)
    got = s2sgrad.grad(f)(p)
    assert type(got) is type(p)
    for have, want in zip(got, expected):
        np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-8)
    tangent = type(p)(*[np.ones_like(np.asarray(v, dtype=float)) if np.ndim(v) else 1.0
                        for v in p])
    np.testing.assert_allclose(s2sgrad.jvp(f)(p, tangent),
                               sum(np.sum(w) for w in expected), rtol=1e-6)


def test_fields_of_namedtuples_in_a_list():
    Layer = collections.namedtuple('Layer', ['T', 'b'])
    rng = np.random.default_rng(0)
    layers = [Layer(rng.normal(size=(3, 3)), rng.normal(size=3)) for _ in range(2)]
    x = np.array([0.3, -0.2, 0.5])
    got = s2sgrad.grad(over_a_list)(layers, x)
    for k, layer in enumerate(layers):
        for j in range(2):
            def g(v, k=k, j=j):
                fields = list(layers[k])
                fields[j] = v
                moved = list(layers)
                moved[k] = Layer(*fields)
                return over_a_list(moved, x)
            base = np.array(layer[j], dtype=float)
            want = np.zeros_like(base)
            for pos in np.ndindex(base.shape):
                for sign in (1.0, -1.0):
                    moved = base.copy()
                    moved[pos] += sign * 1e-6
                    want[pos] += sign * g(moved) / 2e-6
            np.testing.assert_allclose(got[k][j], want, rtol=1e-6, atol=1e-8)


def test_forward_over_reverse_through_a_field_named_shape():
    p, t = Gamma(1.7, 0.8), Gamma(1.0, 0.5)
    hvp = s2sgrad.jvp(s2sgrad.grad(gamma_loglik))(p, t)
    d = s2sgrad.grad(gamma_loglik)
    eps = 1e-5
    up = d(Gamma(p.shape + eps * t.shape, p.scale + eps * t.scale))
    down = d(Gamma(p.shape - eps * t.shape, p.scale - eps * t.scale))
    np.testing.assert_allclose(hvp, [(a - b) / (2 * eps) for a, b in zip(up, down)],
                               rtol=1e-6)


def test_arrays_keep_their_attributes():
    def f(x):
        return np.sum(x.T @ x) / x.size + x.shape[0] * np.sum(x.real)
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    got = s2sgrad.grad(f)(x)
    want = np.zeros_like(x)
    for pos in np.ndindex(x.shape):
        for sign in (1.0, -1.0):
            moved = x.copy()
            moved[pos] += sign * 1e-6
            want[pos] += sign * f(moved) / 2e-6
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert 's2s.field' not in s2sgrad.grad(f).source
