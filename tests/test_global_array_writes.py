"""A write that reaches a global's or an enclosing function's array, through an alias, a
view, a module's or a class's attribute, is refused: the function changes memory it does not
own, which anything may read afterwards; a copy made where the alias is would keep the write
from it (silently wrong where the function reads the global again, as it did)."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

G = np.array([1.0, 2.0, 3.0, 4.0])


class Model:
    w = np.array([1.0, 2.0, 3.0, 4.0])


def alias_then_global_read(x):
    v = G
    v[0] = x[0] * x[1]
    return np.sum(G * x)


def alias_in_a_loop(x):
    s = 0.0
    for t in range(3):
        un = G
        un[t] = un[t] * x[t]
        s = s + np.sum(un * x)
    return s


def local_name_of_the_global(x):
    u = G
    for t in range(2):
        un = u
        un[t] = x[t] ** 2
        u = un
    return np.sum(G * x)


def slice_of_the_global(x):
    v = G[:]
    v[0] = x[0] * x[1]
    return np.sum(G * x)


def asarray_of_the_global(x):
    v = np.asarray(G)
    v[1] = x[1] * 3.0
    return np.sum(G * x)


def class_attribute(x):
    v = Model.w
    v[0] = x[0] * x[1]
    return np.sum(Model.w * x)


def enclosing(A):
    def inner(x):
        v = A
        v[0] = x[0] * x[1]
        return np.sum(A * x)
    return inner


FUNCTIONS = [alias_then_global_read, alias_in_a_loop, local_name_of_the_global,
             slice_of_the_global, asarray_of_the_global, class_attribute,
             enclosing(np.array([1.0, 2.0, 3.0, 4.0]))]


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize('operator', ['grad', 'jvp'])
def test_refused_at_the_write(f, operator):
    before, w = G.copy(), Model.w.copy()
    x = np.array([0.3, -0.7, 1.1, 0.5])
    with pytest.raises(UnsupportedSyntaxError, match='which the function does not own'):
        if operator == 'grad':
            s2sgrad.grad(f)(x)
        else:
            s2sgrad.jvp(f)(x, np.ones(4))
    np.testing.assert_array_equal(G, before)
    np.testing.assert_array_equal(Model.w, w)


def copies_the_global(x):
    v = G.copy()
    v[0] = x[0] * x[1]
    return np.sum(G * x) + np.sum(v * x)


def test_a_copy_of_the_global_is_differentiated():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    eps = 1e-6
    expected = [(copies_the_global(x + eps * e) - copies_the_global(x - eps * e)) / (2 * eps)
                for e in np.eye(4)]
    np.testing.assert_allclose(s2sgrad.grad(copies_the_global)(x), expected, rtol=1e-6)
