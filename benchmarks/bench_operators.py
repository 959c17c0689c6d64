"""Benchmark of the derived operators (hvp, hessian, jacobian), with peers when installed.

Run: ``python benchmarks/bench_operators.py``. Prints a Markdown table; every method is checked
against s2sgrad's result before timing. Not a test: pytest never collects this folder.
"""
import importlib.util
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import s2sgrad  # noqa: E402


def mlp_loss(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def logistic_loss(w, X, y):
    z = X @ w
    return np.sum(np.log(1.0 + np.exp(-y * z)))


def tanh_layer(x, W):
    return np.tanh(W @ x)


def timeit(fn, seconds=0.2, repeats=5):
    """Minimum over `repeats` of the mean time per call over about `seconds`."""
    fn()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.05:
        fn()
        calls += 1
    per = (time.perf_counter() - start) / calls
    number = max(1, int(seconds / per))
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def fmt(t):
    return f'{t * 1e6:.1f} us' if t < 1e-3 else f'{t * 1e3:.2f} ms'


def peers():
    found = {}
    if importlib.util.find_spec('autograd'):
        import autograd
        import autograd.numpy as anp
        found['autograd'] = (autograd, anp)
    if importlib.util.find_spec('jax'):
        import jax
        jax.config.update('jax_enable_x64', True)
        import jax.numpy as jnp
        found['jax'] = (jax, jnp)
    return found


def main():
    rng = np.random.default_rng(0)
    rows = []
    found = peers()

    # 1. hvp of the MLP loss against one gradient.
    x = rng.standard_normal((64, 32))
    W1 = rng.standard_normal((32, 64)) * 0.1
    W2 = rng.standard_normal((64, 10)) * 0.1
    y = rng.standard_normal((64, 10))
    V = rng.standard_normal(W1.shape)
    grad = s2sgrad.grad(mlp_loss, wrt=0)
    hvp = s2sgrad.hvp(mlp_loss, wrt=0)
    t_grad = timeit(lambda: grad(W1, W2, x, y))
    t_hvp = timeit(lambda: hvp(W1, W2, x, y, V))
    rows.append(('hvp, MLP loss wrt W1', 's2sgrad gradient', fmt(t_grad), '1.00x', ''))
    ok = 'met' if t_hvp / t_grad <= 4.0 else 'NOT met'
    rows.append(('hvp, MLP loss wrt W1', 's2sgrad hvp', fmt(t_hvp), f'{t_hvp / t_grad:.2f}x',
                 f'<= 4x the gradient ({ok})'))

    # 2. Hessian of a logistic-regression loss with n = 100 parameters.
    n = 100
    w = rng.standard_normal(n) * 0.1
    X = rng.standard_normal((500, n))
    labels = np.sign(rng.standard_normal(500))
    hessian = s2sgrad.hessian(logistic_loss)
    reference = hessian(w, X, labels)
    p = 1.0 / (1.0 + np.exp(labels * (X @ w)))
    assert np.allclose(reference, (X.T * (p * (1 - p))) @ X), 'wrong Hessian'
    methods = {'s2sgrad': lambda: hessian(w, X, labels)}
    if 'autograd' in found:
        autograd, anp = found['autograd']

        def ag_loss(w, X, y):
            return anp.sum(anp.log(1.0 + anp.exp(-y * (X @ w))))
        ag_hessian = autograd.hessian(ag_loss)
        methods['autograd'] = lambda: ag_hessian(w, X, labels)
    if 'jax' in found:
        jax, jnp = found['jax']

        def jax_loss(w, X, y):
            return jnp.sum(jnp.log(1.0 + jnp.exp(-y * (X @ w))))
        jax_hessian = jax.hessian(jax_loss)
        jit_hessian = jax.jit(jax_hessian)
        methods['JAX (no jit)'] = lambda: jax_hessian(w, X, labels).block_until_ready()
        methods['JAX (jit)'] = lambda: jit_hessian(w, X, labels).block_until_ready()
    rows.extend(_measure('hessian, logistic loss, n = 100', methods, reference))

    # 3. Jacobian of tanh(W @ x) with W 100 x 100, with respect to x.
    W = rng.standard_normal((100, 100)) * 0.1
    v = rng.standard_normal(100)
    jacobian = s2sgrad.jacobian(tanh_layer)
    reference = jacobian(v, W)
    assert np.allclose(reference, (1 - np.tanh(W @ v) ** 2)[:, None] * W), 'wrong Jacobian'
    methods = {'s2sgrad': lambda: jacobian(v, W)}
    if 'autograd' in found:
        autograd, anp = found['autograd']
        ag_jacobian = autograd.jacobian(lambda x, W: anp.tanh(W @ x))
        methods['autograd'] = lambda: ag_jacobian(v, W)
    if 'jax' in found:
        jax, jnp = found['jax']
        jax_jacobian = jax.jacrev(lambda x, W: jnp.tanh(W @ x))
        jit_jacobian = jax.jit(jax_jacobian)
        methods['JAX (no jit)'] = lambda: jax_jacobian(v, W).block_until_ready()
        methods['JAX (jit)'] = lambda: jit_jacobian(v, W).block_until_ready()
    rows.extend(_measure('jacobian, tanh(W @ x), W 100 x 100', methods, reference))

    print(f'- machine: {platform.machine()}, {os.cpu_count()} cores, Python '
          f'{platform.python_version()}, NumPy {np.__version__}')
    print('- load average:', ', '.join(f'{x:.2f}' for x in os.getloadavg()))
    print()
    print('| benchmark | method | time per call | ratio | target |')
    print('| --- | --- | ---: | ---: | --- |')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')


def _measure(name, methods, reference):
    for method, fn in methods.items():
        assert np.allclose(np.asarray(fn()), reference, rtol=1e-6, atol=1e-9), method
    times = {method: timeit(fn) for method, fn in methods.items()}
    base = times['s2sgrad']
    rows = []
    for method, t in times.items():
        target = ''
        if method == 's2sgrad' and 'autograd' in times:
            ok = 'met' if t < times['autograd'] else 'NOT met'
            target = f'faster than autograd ({ok})'
        rows.append((name, method, fmt(t), f'{t / base:.2f}x', target))
    return rows


if __name__ == '__main__':
    main()
