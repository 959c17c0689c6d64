"""Matrix calculus by s2sgrad: six textbook derivatives, printed as code and checked.

Each function below is ordinary NumPy; s2sgrad.grad(f, wrt=..., shapes=...) prints its gradient,
which is checked against the textbook closed form (evaluated with NumPy) and against central
differences. The Hessian of x.T @ A @ x is checked against A + A.T.

    python examples/matrix_derivatives.py [--quick]
"""
import inspect

import numpy as np

import s2sgrad
from _support import central_differences, check, parse_args, pyplot, relative_error, save


def quadratic_form(x, A):
    return x.T @ A @ x


def trace_of_product(A, X):
    return np.trace(A @ X)


def log_det(X):
    return np.log(np.linalg.det(X))


def inverse_form(a, X, b):
    return a @ np.linalg.inv(X) @ b


def least_squares(x, A, b):
    return np.sum((A @ x - b) ** 2)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def softmax_loss(W, x, label):
    """Cross-entropy of softmax(W @ x) against the class `label`."""
    return -np.log(softmax(W @ x)[label])


def identities(rng, n, m):
    """(title, function, wrt, shapes, arguments, textbook formula, closed form with NumPy)."""
    A, X = rng.standard_normal((n, n)), rng.standard_normal((m, n))
    x, a, b = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    S = rng.standard_normal((n, n)) + 2 * np.sqrt(n) * np.eye(n)   # det S > 0, well conditioned
    M, c = rng.standard_normal((m, n)), rng.standard_normal(m)
    label = 1
    return [
        ('Quadratic form', quadratic_form, 'x', {'x': ('n',), 'A': ('n', 'n')}, (x, A),
         'd/dx x^T A x = (A + A^T) x',
         lambda x, A: (A + A.T) @ x),
        ('Trace of a product', trace_of_product, 'X', {'A': ('n', 'm'), 'X': ('m', 'n')},
         (X.T, X), 'd/dX tr(A X) = A^T',
         lambda A, X: A.T),
        ('Log-determinant', log_det, 'X', {'X': ('n', 'n')}, (S,),
         'd/dX log det X = X^-T',
         lambda X: np.linalg.inv(X).T),
        ('Bilinear form in the inverse', inverse_form, 'X',
         {'a': ('n',), 'X': ('n', 'n'), 'b': ('n',)}, (a, S, b),
         'd/dX a^T X^-1 b = -X^-T a b^T X^-T',
         lambda a, X, b: -np.linalg.inv(X).T @ np.outer(a, b) @ np.linalg.inv(X).T),
        ('Least squares', least_squares, 'x', {'x': ('n',), 'A': ('m', 'n'), 'b': ('m',)},
         (x, M, c), 'd/dx ||A x - b||^2 = 2 A^T (A x - b)',
         lambda x, A, b: 2 * A.T @ (A @ x - b)),
        ('Softmax cross-entropy', softmax_loss, 'W', {'W': ('m', 'n'), 'x': ('n',)},
         (M, x, label), 'd/dW -log softmax(W x)[k] = (softmax(W x) - e_k) x^T',
         lambda W, x, k: np.outer(softmax(W @ x) - np.eye(len(W))[k], x)),
    ]


def main(argv=None):
    args = parse_args(__doc__, argv)
    n, m = (4, 3) if args.quick else (8, 5)
    rng = np.random.default_rng(0)

    errors = {}
    for number, (title, f, wrt, shapes, arguments, formula, closed) in enumerate(
            identities(rng, n, m), 1):
        print(f'\n=== {number}. {title} ===\n')
        print(inspect.getsource(f))
        print(f'textbook:  {formula}\n')
        df = s2sgrad.grad(f, wrt=wrt, shapes=shapes)
        print(f's2sgrad.grad({f.__name__}, wrt={wrt!r}, shapes={shapes}).source:\n')
        print(df.source)

        gradient = df(*arguments)
        position = list(inspect.signature(f).parameters).index(wrt)

        def f_of_wrt(value):
            return f(*arguments[:position], value, *arguments[position + 1:])

        numeric = central_differences(f_of_wrt, arguments[position])
        errors[title] = (check('gradient = closed form', gradient, closed(*arguments), 1e-10),
                         check('gradient = central differences', gradient, numeric, 1e-6))

    print('\n=== Second derivatives of x.T @ A @ x ===\n')
    x, A = rng.standard_normal(n), rng.standard_normal((n, n))
    dquad = s2sgrad.grad(quadratic_form, wrt='x')
    hessian = s2sgrad.hessian(quadratic_form, wrt='x')(x, A)
    jacobian_of_gradient = s2sgrad.jacobian(dquad, wrt='x')(x, A)
    print('textbook:  d^2/dx^2 x^T A x = A + A^T\n')
    print('s2sgrad.hessian(quadratic_form)(x, A) =')
    print(np.array2string(hessian, precision=3, suppress_small=True), '\n')
    check('hessian = A + A.T', hessian, A + A.T, 1e-12)
    check('jacobian(grad) = A + A.T', jacobian_of_gradient, A + A.T, 1e-12)
    errors['Hessian of xᵀAx'] = (relative_error(hessian, A + A.T), None)

    plt = pyplot()
    fig = plt.figure(figsize=(7, 5.6))
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1), hspace=0.3)
    limit = np.max(np.abs(A + A.T))
    for column, (matrix, name) in enumerate([(hessian, 's2sgrad.hessian(quadratic_form)'),
                                             (A + A.T, 'A + A.T (textbook)')]):
        axis = fig.add_subplot(grid[0, column])
        image = axis.imshow(matrix, cmap='RdBu_r', vmin=-limit, vmax=limit)
        axis.set_title(name, fontsize=10)
        axis.set_xticks([])
        axis.set_yticks([])
    fig.colorbar(image, ax=fig.axes, shrink=0.8)

    axis = fig.add_subplot(grid[1, :])
    names = list(errors)
    positions = np.arange(len(names))
    floor = 1e-17   # where an exact match (error 0) is drawn on the log scale
    for offset, which, label, tolerance, colour in [(-0.2, 0, 'vs closed form', 1e-10, 'C0'),
                                                    (0.2, 1, 'vs central differences', 1e-6,
                                                     'C1')]:
        shown = [(p + offset, errors[name][which]) for p, name in zip(positions, names)
                 if errors[name][which] is not None]
        axis.bar([p for p, _ in shown], [max(e, floor) for _, e in shown], 0.4,
                 color=colour, label=f'{label} (tolerance {tolerance:.0e})')
        axis.axhline(tolerance, color=colour, linestyle='--', linewidth=1)
        for p, e in shown:
            if e == 0:
                axis.text(p, 2 * floor, '0', ha='center', va='bottom', fontsize=8)
    axis.set_yscale('log')
    axis.set_ylim(floor / 3, 1e-2)
    axis.set_xticks(positions, names, rotation=25, ha='right', fontsize=8)
    axis.set_ylabel('relative error')
    axis.set_title(f'Relative error of each gradient (n = {n}, m = {m})', fontsize=10)
    axis.legend(fontsize=8, loc='upper left')
    save(fig, args, 'matrix_derivatives')


if __name__ == '__main__':
    main()
