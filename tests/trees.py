"""Central differences and containers of parameters (nested dicts, lists, tuples) for tests."""
import numpy as np


def central(f, x, h=1e-6):
    """Central difference of scalar `f` of one argument `x` (a float or an array)."""
    a = np.asarray(x, dtype=float)
    g = np.zeros(a.shape)
    for i in np.ndindex(a.shape or ()):
        p, m = a.copy(), a.copy()
        p[i] += h
        m[i] -= h
        g[i] = (f(p if a.shape else float(p)) - f(m if a.shape else float(m))) / (2 * h)
    return g if a.shape else float(g)


def leaves(tree, path=()):
    """``(path, leaf)`` for every leaf of a nested dict / list / tuple, depth first."""
    if isinstance(tree, dict):
        for key in tree:
            yield from leaves(tree[key], path + (key,))
    elif isinstance(tree, (list, tuple)):
        for k, item in enumerate(tree):
            yield from leaves(item, path + (k,))
    else:
        yield path, tree


def get(tree, path):
    """The leaf of `tree` at `path`."""
    for key in path:
        tree = tree[key]
    return tree


def replace(tree, path, value):
    """A copy of `tree` with the leaf at `path` replaced (tuples rebuilt)."""
    if not path:
        return value
    key = path[0]
    if isinstance(tree, dict):
        out = dict(tree)
        out[key] = replace(tree[key], path[1:], value)
        return out
    out = list(tree)
    out[key] = replace(tree[key], path[1:], value)
    return type(tree)(out)
