"""A list or tuple argument passed twice to a function whose derivative gives its adjoint back
as a list (``math.dist``, a helper of yours reading it with ``np.asarray``): the two adjoints
are added item by item, not concatenated (a NoRuleError about 4 items for 2)."""
import math

import numpy as np
import pytest

import s2sgrad


def two_distances(p, q):
    return math.dist(p, q) + math.dist(p, (0.0, 0.0))


def _energy(point):
    v = np.asarray(point)
    return np.sum(v ** 2) * 0.5


def helper_twice(p):
    return _energy(p) + 3.0 * _energy(p)


def differences(f, args, h=1e-6):
    p = np.asarray(args[0], dtype=float)
    rest = args[1:]
    return [(f(tuple(p + h * e), *rest) - f(tuple(p - h * e), *rest)) / (2 * h)
            for e in np.eye(len(p))]


@pytest.mark.parametrize('f, args', [
    (two_distances, ((1.0, 2.0), (0.5, 0.0))),
    (two_distances, ([1.0, -2.0], [0.5, 0.3])),
    (helper_twice, ((0.3, -1.2),)),
    (helper_twice, ([0.3, -1.2, 2.0],)),
], ids=['dist-tuples', 'dist-lists', 'helper-tuple', 'helper-list'])
def test_the_adjoints_of_a_sequence_passed_twice_add_up(f, args):
    g = s2sgrad.grad(f)(*args)
    assert len(g) == len(args[0])
    np.testing.assert_allclose(np.asarray(g, dtype=float), differences(f, args), rtol=1e-6)
    v = [1.0] + [0.0] * (len(args[0]) - 1)
    assert np.isclose(s2sgrad.jvp(f)(*args, type(args[0])(v)), differences(f, args)[0],
                      rtol=1e-6)
