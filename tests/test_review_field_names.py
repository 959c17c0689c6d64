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
            want = central(g, np.array(layer[j], dtype=float))
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
    np.testing.assert_allclose(s2sgrad.grad(f)(x), central(f, x), rtol=1e-6)
    assert 's2s.field' not in s2sgrad.grad(f).source


Outer = collections.namedtuple('Outer', ['inner', 'w'])
State = collections.namedtuple('State', ['T', 'P'])
M = np.array([[1.0, 2.0], [0.5, -1.0]])
X2 = np.array([0.3, -0.4])
Pair = collections.namedtuple('Pair', ['a', 'b'])


def item_fields(ps):
    return gammaln(ps[0].shape) * ps[1].scale + ps[0].scale


def path_fields(o):
    return gammaln(o.inner.shape) * o.w + o.inner.scale


def tuple_field_summed(p):
    return np.sum(p.a) * p.b


@pytest.mark.parametrize('f, p', [
    (item_fields, [Gamma(2.0, 1.5), Gamma(3.0, 0.5)]),
    (path_fields, Outer(Gamma(2.0, 1.5), 0.7)),
    (tuple_field_summed, Pair((1.0, 2.0), 1.5))],
    ids=['item_fields', 'path_fields', 'tuple_field_summed'])
def test_fields_read_on_items_and_paths(f, p):
    def flat(value):
        if isinstance(value, (tuple, list)):
            return [leaf for item in value for leaf in flat(item)]
        return [float(value)]

    def rebuilt(value, leaves):
        if isinstance(value, (tuple, list)):
            items = [rebuilt(item, leaves) for item in value]
            return type(value)(*items) if hasattr(value, '_fields') else type(value)(items)
        return leaves.pop(0)
    base = flat(p)
    want = []
    for k in range(len(base)):
        up, down = list(base), list(base)
        up[k] += 1e-6
        down[k] -= 1e-6
        want.append((f(rebuilt(p, up)) - f(rebuilt(p, down))) / 2e-6)
    got = s2sgrad.grad(f)(p)
    np.testing.assert_allclose(flat(got), want, rtol=1e-6, atol=1e-9)


def test_items_of_a_list_of_namedtuples_by_index():
    Layer = collections.namedtuple('Layer', ['T', 'b'])

    def f(layers, x):
        for i in range(len(layers)):
            x = np.tanh(layers[i].T @ x + layers[i].b)
        return np.sum(x)
    got = s2sgrad.grad(f)([Layer(M, X2)], X2)[0]
    np.testing.assert_allclose(got[0], central(lambda v: f([Layer(v, X2)], X2), M),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got[1], central(lambda v: f([Layer(M, v)], X2), X2),
                               rtol=1e-6, atol=1e-9)


def test_array_attributes_without_rules_are_no_evidence():
    def f(x):
        return np.sum(x.T @ x) * len(x.strides) + (x.base is None) + x.data.nbytes
    np.testing.assert_allclose(s2sgrad.grad(f)(M), central(f, M), rtol=1e-6)
    assert 's2s.field' not in s2sgrad.grad(f).source


def central(f, x):
    want = np.zeros_like(x)
    for pos in np.ndindex(x.shape):
        for sign in (1.0, -1.0):
            moved = x.copy()
            moved[pos] += sign * 1e-6
            want[pos] += sign * f(moved) / 2e-6
    return want


def pressure_term(s):
    return s.P * np.sum(s.T ** 2)


def field_only_in_a_helper(s, x):
    return pressure_term(s) + np.sum(s.T @ x)


def test_a_field_taken_for_an_array_in_one_function_only_is_loud():
    with pytest.raises(s2sgrad.errors.S2SError, match='taken for an array'):
        s2sgrad.grad(field_only_in_a_helper)(State(M, 1.5), X2)


def test_a_name_reused_for_an_array_says_so():
    def f(p, arrays):
        s = p.scale * 2.0
        for p in arrays:
            s = s + np.sum(p.T @ p)
        return s
    with pytest.raises(s2sgrad.errors.S2SError, match='use another name for the array'):
        s2sgrad.grad(f, wrt=1)(Gamma(2.0, 1.0), [M])


def lgamma_of_shape(q):
    return gammaln(q.shape)


def shape_only_in_a_special_function(p):
    return lgamma_of_shape(p) + p.scale * 2.0


def test_a_field_named_shape_given_to_a_special_function():
    got = s2sgrad.grad(shape_only_in_a_special_function)(Gamma(2.0, 1.5))
    want = _numeric(shape_only_in_a_special_function, [Gamma(2.0, 1.5)], 0)
    np.testing.assert_allclose(list(got), [float(w) for w in want], rtol=1e-6)


def test_shapes_given_to_array_constructors_stay_shapes():
    def f(x):
        return np.sum(np.exp(x)) * np.prod(x.shape) + np.sum(np.zeros(x.shape) + x)
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(f)(x), central(f, x), rtol=1e-6)
    assert 's2s.field' not in s2sgrad.grad(f).source
