"""Programs users write, exported by tests/test_export_probes.py."""
import functools

import numpy as np

import export_probe_other
from export_probe_other import act, lin
from export_probe_np import scaled

C = 3.0
T = (1.0, 2.0)
INF = float('inf')
EDGES = (-float('inf'), 0.5)
TABLE = {'a': 2.0}
like = 2.0
seed = 0.5
copy = 1.5
add = 4.0
unbroadcast = 0.25


def layer(W, x):
    return np.tanh(W @ x)


def two(W1, W2, x):
    h = layer(W1, x)
    return np.sum(layer(W2, h) ** 2)


def layer_twice(W, x):
    return layer(W, layer(W, x))


def chain(W, x):
    return np.sum(layer_twice(W, x))


def shadow_globals(x):
    return np.sum(x * like * seed * copy * add * unbroadcast)


def shadow_locals(x, like):
    seed = x * like
    copy = seed ** 2
    add = np.sum(copy)
    unbroadcast = add * 2
    return unbroadcast


def vector_like(x, like):
    return np.sin(x) * like


def uses_other(W, x):
    return np.sum(act(lin(W, x)))


def uses_other_module(W, x):
    return np.sum(export_probe_other.act(W @ x))


def uses_scaled(x):
    return np.sum(scaled(x) ** 2)


def with_inner(x):
    def inner(y):
        return np.sin(y) * C
    return np.sum(inner(x) * inner(x * 2))


square = lambda z: z ** 2  # noqa: E731


def uses_lambda(x):
    return np.sum(square(x)) * T[1]


def is_even(k, x):
    if k == 0:
        return x
    return is_odd(k - 1, x * 2.0)


def is_odd(k, x):
    if k == 0:
        return np.sin(x)
    return is_even(k - 1, x)


def mutual(x):
    return np.sum(is_even(3, x))


def nest(k, x):
    if k == 0:
        return x
    return np.sin(nest(k - 1, x))


def recursive(x):
    return np.sum(nest(3, x))


def stacky(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[i] ** 2
    return np.sum(out * T[0])


def dict_param(p, x):
    return np.sum(p['w'] * x) + p['b'] ** 2


def clipped(x):
    return np.sum(np.minimum(x, INF) ** 2) + np.sum(np.maximum(x, EDGES[0]))


def reads_a_dict(x):
    return np.sum(x * TABLE['a'])


def twice(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return 2 * fn(*args)
    return wrapper


@twice
def doubled(x):
    return np.sum(x ** 3)


def uses_doubled(x):
    return doubled(x)


def make(s):
    def closed(x):
        return np.sum(np.sin(x) * s)
    return closed


closed = make(3.0)


def scalar(x):
    return np.sin(x) * x ** 2 * C


closed_too = make(2.0)


def uses_closed_under_another_name(x):
    return closed_too(x) * 2
