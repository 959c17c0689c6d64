"""The derivative operators as a Theano user knows them: grad, jacobian, hessian, R-op, L-op, Hv.

First the numbers of Theano's tutorial "Derivatives in Theano", then each operator on a logistic
regression (grad, jacobian, hessian, jvp = R-op, vjp = L-op, hvp = Hessian times a vector without
forming the Hessian), checked against closed forms and central differences, with the generated
code printed. The picture is the logistic sigmoid and its first two derivatives.

    python examples/derivative_operators.py [--quick]
"""
import sys

import numpy as np

import s2sgrad
from _support import central_differences, check, parse_args, pyplot, save


# The functions of Theano's tutorial, written as NumPy.
def square(x):
    return x ** 2


def logistic_sum(x):
    return np.sum(1 / (1 + np.exp(-x)))


def sum_of_squares(x):
    return np.sum(x ** 2)


def layer(W, x):
    return x @ W


# A logistic regression: its mean log-loss, and its predicted probabilities.
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z)


def predict(w, X):
    return 1 / (1 + np.exp(-(X @ w)))


def theano(name, value, printed):
    """Agree with the number Theano's tutorial prints, to its 8 printed decimals."""
    ok = np.allclose(value, printed, rtol=0, atol=5e-9)
    text = np.array2string(np.asarray(value), precision=8, separator=', ').replace('\n', '')
    print(f'  theano {name}: {text} '
          f'{"ok" if ok else "FAILED, the tutorial prints " + str(printed)}')
    if not ok:
        sys.exit(f'check failed: {name} differs from the Theano tutorial')


def show(title, code):
    print(f'\n--- {title} ---\n{code.rstrip()}\n')


def theano_tutorial():
    print('The numbers of Theano\'s tutorial "Derivatives in Theano":')
    theano('T.grad(x ** 2) at 4', s2sgrad.grad(square)(4.0), 8.0)
    theano('T.grad(sum(logistic(x)))', s2sgrad.grad(logistic_sum)(np.array([[0., 1], [-1, -2]])),
           [[0.25, 0.19661193], [0.19661193, 0.10499359]])
    theano('jacobian(x ** 2) at [4, 4]', s2sgrad.jacobian(square)(np.array([4., 4])),
           [[8, 0], [0, 8]])
    theano('hessian(sum(x ** 2)) at [4, 4]', s2sgrad.hessian(sum_of_squares)(np.array([4., 4])),
           [[2, 0], [0, 2]])
    W, V, x = np.ones((2, 2)), np.full((2, 2), 2.0), np.array([0., 1])
    theano('T.Rop(x @ W, W, V)', s2sgrad.jvp(layer, wrt='W')(W, x, V), [2, 2])
    theano('T.Lop(x @ W, W, v)', s2sgrad.vjp(layer, wrt='W')(W, x, np.array([2., 2])),
           [[0, 0], [2, 2]])
    theano('Hessian(sum(x ** 2)) times v', s2sgrad.hvp(sum_of_squares)(np.array([4., 4]),
                                                                       np.array([2., 2])), [4, 4])
    show('T.grad of sum(1 / (1 + exp(-x))): s2sgrad.grad(logistic_sum).source',
         s2sgrad.grad(logistic_sum).source)


def logistic_regression(n, d):
    print(f'\nThe operators on a logistic regression, {n} samples, {d} features:')
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < sigmoid(X @ rng.standard_normal(d))).astype(float)
    w = 0.5 * rng.standard_normal(d)
    p = sigmoid(X @ w)
    slope = p * (1 - p)                     # the derivative of the sigmoid at X @ w

    dloss = s2sgrad.grad(loss)
    show('grad: s2sgrad.grad(loss).source', dloss.source)
    g = dloss(w, X, y)
    check('grad vs X.T @ (p - y) / n', g, X.T @ (p - y) / n, 1e-12)
    check('grad vs central differences', g, central_differences(lambda v: loss(v, X, y), w), 1e-7)

    z = X[:, 0]
    J = s2sgrad.jacobian(sigmoid)(z)
    print(f'jacobian(sigmoid) at {z.size} points: shape {J.shape}; it calls the vjp of sigmoid '
          f'once per output, s2sgrad.vjp(sigmoid).source:')
    show('vjp(sigmoid)', s2sgrad.vjp(sigmoid).source)
    s = sigmoid(z)
    check('jacobian vs diag(s * (1 - s))', J, np.diag(s * (1 - s)), 1e-12)
    columns = [central_differences(lambda t: sigmoid(t)[i], z) for i in range(min(z.size, 20))]
    check('jacobian rows vs central differences', J[:len(columns)], np.array(columns), 1e-7)

    H = s2sgrad.hessian(loss)(w, X, y)
    print(f'hessian(loss): shape {H.shape}, forward over reverse: the jvp of the gradient '
          f'(printed with hvp below) once per column')
    check('hessian vs X.T @ diag(p(1-p)) @ X / n', H, X.T @ (slope[:, None] * X) / n, 1e-12)
    check('hessian vs central differences of X.T @ (p - y) / n', H,
          np.array([central_differences(lambda v: (X.T @ (sigmoid(X @ v) - y) / n)[i], w)
                    for i in range(d)]), 1e-6)

    v = rng.standard_normal(d)
    Rop = s2sgrad.jvp(predict)
    show('R-op, J @ v: s2sgrad.jvp(predict).source', Rop.source)
    check('jvp (R-op) vs p(1-p) * (X @ v)', Rop(w, X, v), slope * (X @ v), 1e-12)

    u = rng.standard_normal(n)
    Lop = s2sgrad.vjp(predict)
    show('L-op, u @ J: s2sgrad.vjp(predict).source', Lop.source)
    check('vjp (L-op) vs X.T @ (u * p(1-p))', Lop(w, X, u), X.T @ (u * slope), 1e-12)

    Hv = s2sgrad.hvp(loss)
    show('Hessian times v without forming H, forward over reverse: s2sgrad.hvp(loss).source',
         Hv.source)
    hv = Hv(w, X, y, v)
    check('hvp vs X.T @ (p(1-p) * (X @ v)) / n', hv, X.T @ (slope * (X @ v)) / n, 1e-12)
    check('hvp vs hessian(loss) @ v', hv, H @ v, 1e-12)


def plot_sigmoid(args, points):
    """The sigmoid and its derivatives from s2sgrad, with the closed forms overlaid."""
    z = np.linspace(-6, 6, points)
    ds = s2sgrad.grad(sigmoid)
    d2s = s2sgrad.grad(s2sgrad.grad(sigmoid))
    first = np.array([ds(t) for t in z])              # one point at a time, as T.grad would
    first_all = s2sgrad.vjp(sigmoid)(z, np.ones_like(z))  # all at once: ones @ diagonal Jacobian
    second = np.array([d2s(t) for t in z])
    s = sigmoid(z)
    print(f'\nThe picture: the sigmoid and its derivatives at {points} points')
    check("grad(sigmoid) vs s(1-s)", first, s * (1 - s), 1e-12)
    check("vjp(sigmoid, ones) vs s(1-s)", first_all, s * (1 - s), 1e-12)
    check("grad(grad(sigmoid)) vs s(1-s)(1-2s)", second, s * (1 - s) * (1 - 2 * s), 1e-12)

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    marks = slice(None, None, max(1, points // 25))
    ax.plot(z, s, color='k', label='sigmoid $s(z)$')
    ax.plot(z, first, color='C0', label="s2sgrad.grad(sigmoid)")
    ax.plot(z[marks], (s * (1 - s))[marks], 'o', color='C0', mfc='none',
            label="closed form $s(1-s)$")
    ax.plot(z, second, color='C1', label="grad(grad(sigmoid))")
    ax.plot(z[marks], (s * (1 - s) * (1 - 2 * s))[marks], 's', color='C1', mfc='none',
            label="closed form $s(1-s)(1-2s)$")
    ax.axhline(0, color='0.8', lw=0.8)
    ax.set_xlabel('$z$')
    ax.set_title('The logistic sigmoid and its derivatives, generated by s2sgrad')
    ax.legend(fontsize=8, loc='upper left')
    save(fig, args, 'derivative_operators')


def main(argv=None):
    args = parse_args(__doc__, argv)
    theano_tutorial()
    n, d = (40, 4) if args.quick else (1000, 20)
    logistic_regression(n, d)
    plot_sigmoid(args, 61 if args.quick else 401)
    print('all checks passed')


if __name__ == '__main__':
    main()
