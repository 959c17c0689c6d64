"""Forward mode (jvp) against reverse mode (vjp, grad): what each costs, and the code each writes.

Forward mode is dual numbers, written out as code; a gradient of n inputs takes n jvps but one
vjp, a curve of m outputs takes one jvp but m vjps. Timed for a few sizes, checked against
closed forms and central differences, with the tangent and adjoint code side by side.

    python examples/forward_vs_reverse.py [--quick]
"""
import time

import numpy as np

import s2sgrad
from _support import central_differences, check, parse_args, pyplot, save


class Dual:
    """A number a + b*eps with eps**2 = 0: the value and its derivative, carried together."""

    def __init__(self, value, deriv):
        self.value, self.deriv = value, deriv

    def __add__(self, other):
        other = other if isinstance(other, Dual) else Dual(other, 0.0)
        return Dual(self.value + other.value, self.deriv + other.deriv)

    def __mul__(self, other):
        other = other if isinstance(other, Dual) else Dual(other, 0.0)
        return Dual(self.value * other.value,
                    self.deriv * other.value + self.value * other.deriv)

    __radd__, __rmul__ = __add__, __mul__

    def sin(self):          # np.sin(dual) calls this
        return Dual(np.sin(self.value), self.deriv * np.cos(self.value))

    def exp(self):          # np.exp(dual) calls this
        return Dual(np.exp(self.value), self.deriv * np.exp(self.value))


def f(x):
    s = np.sin(x)
    y = s * x
    z = np.exp(y)
    return z + x * y


def loss(x, W):             # many inputs, one output: R^n -> R
    return np.sum(np.tanh(W @ x) ** 2)


def curve(t, k):            # one input, many outputs: R -> R^m
    return np.sin(t * k)


def basis(n):
    """The unit vectors e_0, ..., e_{n-1}, one at a time."""
    for i in range(n):
        e = np.zeros(n)
        e[i] = 1.0
        yield e


def best_time(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def side_by_side(left, right, gap=4):
    left, right = left.rstrip().splitlines(), right.rstrip().splitlines()
    width = max(len(line) for line in left) + gap
    rows = max(len(left), len(right))
    left, right = left + [''] * (rows - len(left)), right + [''] * (rows - len(right))
    return '\n'.join((a.ljust(width) + b).rstrip() for a, b in zip(left, right))


def main(argv=None):
    args = parse_args(__doc__, argv)
    rng = np.random.default_rng(0)

    # 1. Forward mode is dual numbers: the same f, run on a Dual and through s2sgrad.jvp.
    print('1. Forward mode as dual numbers')
    x0 = 1.3
    dual = f(Dual(x0, 1.0))
    jvp_f = s2sgrad.jvp(f)
    tangent = jvp_f(x0, 1.0)
    y0 = np.sin(x0) * x0
    closed = np.exp(y0) * (np.cos(x0) * x0 + np.sin(x0)) + 2 * y0 + x0 ** 2 * np.cos(x0)
    print(f"  f({x0}) = {dual.value:.12f}")
    print(f"  Dual(x, 1.0):  f'(x) = {dual.deriv:.12f}")
    print(f"  s2sgrad.jvp:   f'(x) = {tangent:.12f}")
    print(f"  closed form:   f'(x) = {closed:.12f}")
    check("jvp(f) against the hand-written Dual", tangent, dual.deriv, 1e-14)
    check("jvp(f) against the closed form", tangent, closed, 1e-13)
    print('\n  The generated tangent code, the Dual arithmetic written out as statements:\n')
    print(jvp_f.source)

    # 2. Whole Jacobians both ways: n jvps or 1 vjp for a gradient; 1 jvp or m vjps for a curve.
    print('2. Whole Jacobians, forward (jvp per input) against reverse (vjp per output)')
    sizes = [10, 30, 100] if args.quick else [10, 30, 100, 300, 1000, 3000]
    repeats = 2 if args.quick else 3
    jvp_loss, vjp_loss = s2sgrad.jvp(loss), s2sgrad.vjp(loss)
    jvp_curve, vjp_curve = s2sgrad.jvp(curve), s2sgrad.vjp(curve)
    times = {key: [] for key in ('grad fwd', 'grad rev', 'curve fwd', 'curve rev')}
    results = []
    print(f"  {'size':>6} | {'gradient of loss: R^n -> R':^29} |"
          f" {'Jacobian of curve: R -> R^m':^29}")
    print(f"  {'n = m':>6} | {'n jvps':>13} {'1 vjp':>15} | {'1 jvp':>13} {'m vjps':>15}")
    for size in sizes:
        x = rng.standard_normal(size)
        W = rng.standard_normal((64, size)) / np.sqrt(size)
        t, k = 0.7, np.arange(size, dtype=np.float64)
        ways = {
            'grad fwd': lambda: np.array([jvp_loss(x, W, e) for e in basis(size)]),
            'grad rev': lambda: vjp_loss(x, W, 1.0),
            'curve fwd': lambda: jvp_curve(t, k, 1.0),
            'curve rev': lambda: np.array([vjp_curve(t, k, e) for e in basis(size)]),
        }
        jacobians = {}
        for key, way in ways.items():
            times[key].append(best_time(way, repeats))
            jacobians[key] = way()
        results.append((size, x, W, t, k, jacobians))
        row = [times[key][-1] for key in ways]
        print(f"  {size:>6} | {row[0]:>11.2e} s {row[1]:>13.2e} s |"
              f" {row[2]:>11.2e} s {row[3]:>13.2e} s")
    print('  Reverse mode wins for the gradient (one sweep back for all n inputs);')
    print('  forward mode wins for the curve (one sweep forward for all m outputs).\n')

    # The numbers: both ways agree, and agree with the closed forms (and central differences).
    for size, x, W, t, k, jac in results:
        h = np.tanh(W @ x)
        check(f"n={size}: n jvps == 1 vjp", jac['grad fwd'], jac['grad rev'], 1e-12)
        check(f"n={size}: gradient against the closed form", jac['grad rev'],
              W.T @ (2 * h * (1 - h ** 2)), 1e-12)
        check(f"m={size}: 1 jvp == m vjps", jac['curve fwd'], jac['curve rev'], 1e-12)
        check(f"m={size}: Jacobian against the closed form", jac['curve fwd'],
              k * np.cos(t * k), 1e-12)
        if size == sizes[0]:
            check(f"n={size}: gradient against central differences", jac['grad rev'],
                  central_differences(lambda v: loss(v, W), x), 1e-7)
            fd = (curve(t + 1e-6, k) - curve(t - 1e-6, k)) / 2e-6
            check(f"m={size}: Jacobian against central differences", jac['curve fwd'], fd, 1e-7)

    # 3. The same function both ways: dx flows forward beside x, bx flows backward from bf.
    print('\n3. Tangent code (forward) and adjoint code (reverse) of f, side by side\n')
    print(side_by_side('# forward: dx flows down with x\n' + jvp_f.source,
                       '# reverse: bf flows back up to bx\n' + s2sgrad.vjp(f).source))

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4), sharey=True)
    panels = [('gradient of loss: R$^n$ $\\to$ R', 'n', 'grad', 'n jvps', '1 vjp'),
              ('Jacobian of curve: R $\\to$ R$^m$', 'm', 'curve', '1 jvp', 'm vjps')]
    for ax, (title, name, key, fwd, rev) in zip(axes, panels):
        ax.loglog(sizes, times[key + ' fwd'], 'o-', color='tab:blue', label=f'forward ({fwd})')
        ax.loglog(sizes, times[key + ' rev'], 's-', color='tab:red', label=f'reverse ({rev})')
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(name)
        ax.grid(True, which='major', alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel('seconds for the whole Jacobian')
    fig.tight_layout()
    save(fig, args, 'forward_vs_reverse')


if __name__ == '__main__':
    main()
