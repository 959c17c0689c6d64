"""A small tanh multi-layer perceptron with a sum-of-squares loss.

Print its generated gradient with ``python -m s2sgrad show examples/mlp.py:loss --wrt W1,W2``
or run this file: it prints the gradient source and checks it against central differences.
"""
import numpy as np


def loss(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def central_differences(f, args, i, eps=1e-6):
    """Numerical gradient of ``f(*args)`` with respect to ``args[i]`` (a float64 array)."""
    x = args[i]
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[k] += eps
        xm[k] -= eps
        ap = list(args)
        am = list(args)
        ap[i] = xp
        am[i] = xm
        g[k] = (f(*ap) - f(*am)) / (2 * eps)
    return g


if __name__ == '__main__':
    import s2sgrad

    dloss = s2sgrad.grad(loss, wrt=(0, 1))
    print(dloss.source)

    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((3, 4))
    W2 = rng.standard_normal((4, 2))
    x = rng.standard_normal((5, 3))
    y = rng.standard_normal((5, 2))
    args = (W1, W2, x, y)
    gW1, gW2 = dloss(*args)
    for name, i, g in (('W1', 0, gW1), ('W2', 1, gW2)):
        ref = central_differences(loss, args, i)
        err = np.max(np.abs(g - ref))
        print(f'd loss / d {name}: max abs difference to central differences = {err:.2e}')
        assert g.shape == ref.shape and g.dtype == ref.dtype
        assert np.allclose(g, ref, rtol=1e-5, atol=1e-6), name
    print('gradient check passed')
