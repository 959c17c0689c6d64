"""Namedtuples built in the differentiated function (``State(x + dt * v, v)``, `s2sgrad.records`):
every operator and motion against central differences and closed forms."""
from collections import namedtuple
from typing import NamedTuple

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

State = namedtuple('State', ['pos', 'vel'])
Pair = namedtuple('Pair', ['first', 'second'])


class Body(NamedTuple):
    pos: np.ndarray
    vel: np.ndarray
    mass: float = 2.0


def leapfrog_step(s, dt, k):
    acc = -k * s.pos
    return State(s.pos + dt * s.vel, s.vel + dt * acc)


def simulate(x0, k):
    s = State(x0, np.zeros_like(x0))
    for _ in range(5):
        s = leapfrog_step(s, 0.1, k)
    return np.sum(s.pos ** 2) + 0.5 * np.sum(s.vel ** 2)


def keywords_and_a_default(x):
    b = Body(vel=np.sin(x), pos=x * 2.0)
    return np.sum(b.pos * b.vel) * b.mass


def nested_records(x):
    p = Pair(second=State(x ** 2, x * 3.0), first=np.cos(x))
    return np.sum(p.first * p.second.pos) + p.second.vel[1]


def record_read_by_index(x):
    s = State(np.exp(x), x)
    pos, vel = s
    return np.sum(pos * vel) + s[1][0]


def one_field_constant(x):
    s = State(x * x, np.ones(3))
    return np.sum(s.pos * s.vel)


X = np.array([0.3, -0.5, 0.8])
V = np.array([1.0, -2.0, 0.5])
CASES = [(simulate, (X, 1.5)), (keywords_and_a_default, (X,)), (nested_records, (X,)),
         (record_read_by_index, (X,)), (one_field_constant, (X,))]


@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
@pytest.mark.parametrize('motion', ['split', 'joint'])
def test_gradient_against_differences(f, args, motion):
    got = s2sgrad.grad(f, motion=motion)(*args)
    np.testing.assert_allclose(got, numerical_grad(f, list(args), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('f, args', CASES, ids=[f.__name__ for f, _ in CASES])
def test_forward_mode_and_second_order(f, args):
    gradient = s2sgrad.grad(f)(*args)
    np.testing.assert_allclose(s2sgrad.jvp(f)(*args, V), gradient @ V, rtol=1e-10)
    eps = 1e-5
    rest = args[1:]
    expected = (s2sgrad.grad(f)(X + eps * V, *rest) -
                s2sgrad.grad(f)(X - eps * V, *rest)) / (2 * eps)
    np.testing.assert_allclose(s2sgrad.hvp(f)(*args, V), expected, rtol=1e-5, atol=1e-7)
    hessian = s2sgrad.hessian(f)(*args)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-10)
    np.testing.assert_allclose(hessian @ V, expected, rtol=1e-5, atol=1e-7)


def test_closed_form_and_the_spring_constant():
    x = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(s2sgrad.grad(one_field_constant)(x), 2 * x)
    np.testing.assert_allclose(s2sgrad.grad(keywords_and_a_default)(x),
                               2.0 * (2 * np.sin(x) + 2 * x * np.cos(x)))
    got = s2sgrad.grad(simulate, wrt=1)(X, 1.5)
    np.testing.assert_allclose(got, numerical_grad(simulate, [X, 1.5], 1), rtol=1e-6)


def test_the_printed_code_builds_the_record():
    source = s2sgrad.grad(keywords_and_a_default).source
    assert 's2s.record(Body, ' in source


# -- what a review found: concatenation, fields named like array attributes, a __new__ of
# its own, in-place writes to a field's array, keywords whose order matters ---------------

ArrayNamed = namedtuple('ArrayNamed', ['T', 'b'])


class Doubled(namedtuple('Doubled', 'a b')):
    def __new__(cls, a, b):
        return super().__new__(cls, 2 * a, b)


def concatenated(x, v):
    s = State(x, v)
    t = s + s
    return np.sum(t[0] * t[3])


def repeated(x, v):
    return np.sum(State(x, v) * 2)


def field_named_T(x, v):
    t = ArrayNamed(x, v)
    return np.sum(t.T * t.b)


def own_new(x, v):
    s = Doubled(x, v)
    return np.sum(s.a * s.b)


def written_after(x, v):
    y = x * 1.0
    s = State(y, v)
    y += v
    return np.sum(s.pos * s.vel)


def keywords_that_pop(x, v):
    stack = [x, v * 2]
    s = State(vel=stack.pop(), pos=stack.pop())
    return np.sum(s.pos * 3 + s.vel ** 2)


def test_concatenation_of_a_built_namedtuple():
    got = s2sgrad.grad(concatenated, wrt=(0, 1))(X, V)
    np.testing.assert_allclose(got[0], V)
    np.testing.assert_allclose(got[1], X)
    np.testing.assert_allclose(s2sgrad.jvp(concatenated, wrt=0)(X, V, np.ones(3)), np.sum(V))


def test_a_repeated_record_is_a_repeated_tuple():
    gx, gv = s2sgrad.grad(repeated, wrt=(0, 1))(X, V)  # sum(x + v + x + v)
    np.testing.assert_allclose(gx, np.full(3, 2.0))
    np.testing.assert_allclose(gv, np.full(3, 2.0))


@pytest.mark.parametrize('f', [field_named_T, own_new, written_after, keywords_that_pop])
def test_what_the_record_rule_would_get_wrong_is_refused(f):
    with pytest.raises(s2sgrad.errors.S2SError):
        s2sgrad.grad(f, wrt=(0, 1))(X, V)
