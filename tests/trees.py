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


def copytree(tree):
    """A copy of `tree` with float leaves (arrays copied)."""
    if isinstance(tree, dict):
        return {k: copytree(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(copytree(v) for v in tree)
    return np.array(tree, dtype=float) if np.ndim(tree) else float(tree)


def central_tree(f, tree, *rest, h=1e-6):
    """Central-difference gradient of f(tree, *rest) with respect to every leaf of `tree`."""
    grads = copytree(tree)
    for path, leaf in leaves(tree):
        a = np.asarray(leaf, dtype=float)
        g = np.zeros(a.shape)
        for i in np.ndindex(a.shape):
            p, m = a.copy(), a.copy()
            p[i] += h
            m[i] -= h
            tp = replace(tree, path, p if a.shape else float(p))
            tm = replace(tree, path, m if a.shape else float(m))
            g[i] = (f(tp, *rest) - f(tm, *rest)) / (2 * h)
        grads = replace(grads, path, g if a.shape else float(g))
    return grads


def assert_tree_close(got, expected, atol=1e-5):
    """`got` has the leaves of `expected`, each close to it."""
    got_leaves, exp_leaves = list(leaves(got)), list(leaves(expected))
    assert [p for p, _ in got_leaves] == [p for p, _ in exp_leaves]
    for (path, a), (_, b) in zip(got_leaves, exp_leaves):
        np.testing.assert_allclose(a, b, atol=atol, err_msg=str(path))


def random_tree(tree, rng):
    """A tree of the structure of `tree` with random normal leaves from `rng`."""
    out = tree
    for path, leaf in leaves(tree):
        out = replace(out, path, rng.normal(size=np.shape(leaf)) if np.ndim(leaf)
                      else float(rng.normal()))
    return out


def tree_dot(a, b):
    """The sum over leaves of the elementwise products."""
    return sum(float(np.sum(np.asarray(x) * np.asarray(y)))
               for (_, x), (_, y) in zip(leaves(a), leaves(b)))


def tree_axpy(alpha, t, tree):
    """``tree + alpha * t``, leaf by leaf."""
    out = tree
    for path, leaf in leaves(tree):
        out = replace(out, path, leaf + alpha * get(t, path))
    return out


def central_grad(func, args, index, eps=1e-6):
    """Central differences in float64 of scalar `func(*args)` in argument `index` (array
    arguments are upcast to float64 first; never s2sgrad's output)."""
    args = [np.array(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args]
    base = np.array(args[index], dtype=float)
    grad = np.zeros_like(base)
    for position in np.ndindex(base.shape):
        for sign in (1, -1):
            moved = base.copy()
            moved[position] += sign * eps
            new = list(args)
            new[index] = moved if base.shape else float(moved)
            grad[position] += sign * np.asarray(func(*new)).item() / (2 * eps)
    return grad
