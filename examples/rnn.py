"""A tanh recurrent network written as a plain Python loop over time steps.

Print its generated gradient with ``python -m s2sgrad show examples/rnn.py:loss --wrt Wh,Wx``
or run this file: it prints the gradient source and checks it against central differences.
"""
import numpy as np


def loss(Wh, Wx, xs, h0):
    h = h0
    T = xs.shape[0]
    for t in range(T):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.sum(h ** 2)


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

    dloss = s2sgrad.grad(loss, wrt=('Wh', 'Wx'))
    print(dloss.source)

    rng = np.random.default_rng(0)
    hidden, inputs, batch, T = 4, 3, 2, 6
    Wh = 0.5 * rng.standard_normal((hidden, hidden))
    Wx = 0.5 * rng.standard_normal((inputs, hidden))
    xs = rng.standard_normal((T, batch, inputs))
    h0 = np.zeros((batch, hidden))
    args = (Wh, Wx, xs, h0)
    gWh, gWx = dloss(*args)
    for name, i, g in (('Wh', 0, gWh), ('Wx', 1, gWx)):
        ref = central_differences(loss, args, i)
        err = np.max(np.abs(g - ref))
        print(f'd loss / d {name}: max abs difference to central differences = {err:.2e}')
        assert g.shape == ref.shape and g.dtype == ref.dtype
        assert np.allclose(g, ref, rtol=1e-5, atol=1e-6), name
    print('gradient check passed')
