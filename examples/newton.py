"""Newton's method with s2sgrad.hessian, and Newton-CG with s2sgrad.hvp (no Hessian formed).

An L2-regularised logistic regression on scikit-learn's breast cancer data (standardised), fitted
three ways: Newton with the full Hessian, Newton-CG whose conjugate gradient solve only calls
Hessian-vector products, and gradient descent with a fixed step. Newton reaches a gradient norm
under 1e-8 in a handful of steps; the picture shows loss minus optimum against iteration.

    python examples/newton.py [--quick]
"""
import sys

import numpy as np

import s2sgrad
from _support import central_differences, check, parse_args, pyplot, save


def loss(w, X, y, lam):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * lam * np.sum(w ** 2)


dloss = s2sgrad.grad(loss)
hessian = s2sgrad.hessian(loss)
hvp = s2sgrad.hvp(loss)


def backtrack(w, step, g, data, f0):
    """The longest of 1, 1/2, 1/4, ... times `step` that decreases the loss enough (Armijo)."""
    t = 1.0
    while loss(w + t * step, *data) > f0 + 1e-4 * t * (g @ step) and t > 1e-10:
        t /= 2
    return w + t * step


def newton(w, data, tol=1e-8, steps=50):
    losses = [loss(w, *data)]
    for _ in range(steps):
        g = dloss(w, *data)
        if np.linalg.norm(g) < tol:
            break
        step = -np.linalg.solve(hessian(w, *data), g)
        w = backtrack(w, step, g, data, losses[-1])
        losses.append(loss(w, *data))
    return w, losses


def conjugate_gradient(Hv, b, tol):
    """Solve H x = b for a symmetric positive definite H known only through x -> H @ x."""
    x = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rr = r @ r
    products = 0
    while np.sqrt(rr) > tol and products < 10 * b.size:
        Hp = Hv(p)
        products += 1
        alpha = rr / (p @ Hp)
        x += alpha * p
        r -= alpha * Hp
        rr, rr_old = r @ r, rr
        p = r + (rr / rr_old) * p
    return x, products


def newton_cg(w, data, tol=1e-8, steps=50):
    losses = [loss(w, *data)]
    products = 0
    for _ in range(steps):
        g = dloss(w, *data)
        gnorm = np.linalg.norm(g)
        if gnorm < tol:
            break
        # Solve to min(0.5, sqrt|g|) |g|: inexact far away, quadratic convergence near the end.
        step, k = conjugate_gradient(lambda v: hvp(w, *data, v), -g,
                                     min(0.5, np.sqrt(gnorm)) * gnorm)
        products += k
        w = backtrack(w, step, g, data, losses[-1])
        losses.append(loss(w, *data))
    return w, losses, products


def gradient_descent(w, data, lr, steps):
    losses = [loss(w, *data)]
    for _ in range(steps):
        w = w - lr * dloss(w, *data)
        losses.append(loss(w, *data))
    return w, losses


def main(argv=None):
    args = parse_args(__doc__, argv)
    try:
        from sklearn.datasets import load_breast_cancer
        X, y = load_breast_cancer(return_X_y=True)
        dataset = 'breast cancer data'
    except ImportError:                                 # no scikit-learn: data of the same size
        rng = np.random.default_rng(0)
        X = rng.standard_normal((569, 30)) @ rng.standard_normal((30, 30))
        y = (rng.random(569) < 1 / (1 + np.exp(-X @ rng.standard_normal(30)))).astype(float)
        dataset = 'synthetic data (scikit-learn is not installed)'
    if args.quick:
        X, y = X[::3, :10], y[::3]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X = np.hstack([X, np.ones((len(X), 1))])          # the intercept, regularised like the rest
    n, d = X.shape
    lam = 1e-3
    data = (X, y.astype(float), lam)
    print(f'L2-regularised logistic regression, {dataset}: {n} samples, {d} weights '
          f'(with the intercept), lambda = {lam:g}')
    print(dloss.source)

    def closed_grad(w):
        return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / n + lam * w

    rng = np.random.default_rng(0)
    w0 = 0.5 * rng.standard_normal(d)
    v = rng.standard_normal(d)
    p = 1 / (1 + np.exp(-(X @ w0)))
    H = hessian(w0, *data)
    check('grad vs central differences', dloss(w0, *data),
          central_differences(lambda w: loss(w, *data), w0), 1e-7)
    check('grad vs X.T @ (p - y) / n + lam w', dloss(w0, *data), closed_grad(w0), 1e-12)
    check('hessian vs X.T @ diag(p(1-p)) @ X / n + lam I', H,
          X.T @ ((p * (1 - p))[:, None] * X) / n + lam * np.eye(d), 1e-12)
    check('hvp vs hessian @ v', hvp(w0, *data, v), H @ v, 1e-12)
    check('hvp vs X.T @ (p(1-p) * (X @ v)) / n + lam v', hvp(w0, *data, v),
          X.T @ (p * (1 - p) * (X @ v)) / n + lam * v, 1e-12)

    start = np.zeros(d)
    w_newton, newton_losses = newton(start, data)
    w_cg, cg_losses, products = newton_cg(start, data)
    L = np.linalg.norm(X, 2) ** 2 / (4 * n) + lam      # the gradient's Lipschitz constant
    gd_steps = 300 if args.quick else 5000
    w_gd, gd_losses = gradient_descent(start, data, 1 / L, gd_steps)
    print(f'Newton:           {len(newton_losses) - 1} steps, |grad| = '
          f'{np.linalg.norm(closed_grad(w_newton)):.1e}')
    print(f'Newton-CG:        {len(cg_losses) - 1} steps, {products} Hessian-vector products, '
          f'|grad| = {np.linalg.norm(closed_grad(w_cg)):.1e}')
    print(f'gradient descent: {gd_steps} steps of 1/L = {1 / L:.3g}, |grad| = '
          f'{np.linalg.norm(closed_grad(w_gd)):.1e}')

    # The reference: scipy's L-BFGS-B with the closed-form gradient, to a tight tolerance.
    from scipy.optimize import minimize
    ref = minimize(lambda w: loss(w, *data), start, jac=closed_grad, method='L-BFGS-B',
                   options={'gtol': 1e-12, 'ftol': 1e-16, 'maxiter': 20000, 'maxcor': 30})
    print(f'scipy L-BFGS-B:   {ref.nit} iterations, |grad| = '
          f'{np.linalg.norm(closed_grad(ref.x)):.1e}')
    check('Newton solution vs scipy L-BFGS-B', w_newton, ref.x, 1e-6)
    check('Newton-CG solution vs scipy L-BFGS-B', w_cg, ref.x, 1e-6)
    for name, w, losses in (('Newton', w_newton, newton_losses), ('Newton-CG', w_cg, cg_losses)):
        gnorm, steps = np.linalg.norm(closed_grad(w)), len(losses) - 1
        ok = gnorm < 1e-8 and steps <= 15
        print(f'  check {name}: |grad| (closed form) {gnorm:.1e} < 1e-8 after {steps} <= 15 '
              f'steps {"ok" if ok else "FAILED"}')
        if not ok:
            sys.exit(f'check failed: {name} did not converge in 15 steps')

    optimum = min(newton_losses[-1], cg_losses[-1], ref.fun)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for losses, label, style in ((newton_losses, 'Newton (s2sgrad.hessian)', 'o-'),
                                 (cg_losses, f'Newton-CG (s2sgrad.hvp, {products} products)',
                                  's-'),
                                 (gd_losses, 'gradient descent, step 1/L', '-')):
        gap = np.maximum(np.array(losses) - optimum, 1e-16)
        ax.semilogy(np.arange(len(gap)), gap, style, label=label, ms=4)
    ax.set_xscale('symlog', linthresh=10)
    ax.set_xlabel('iteration')
    ax.set_ylabel('loss - optimum')
    ax.set_title(f'L2 logistic regression, {dataset.split(" (")[0]} ({n} x {d})')
    ax.legend(fontsize=8)
    save(fig, args, 'newton')
    print('all checks passed')


if __name__ == '__main__':
    main()
