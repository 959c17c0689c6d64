"""Logistic regression on a chunked dask array 100 times larger than a chunk, on a LocalCluster.

The loss is plain NumPy code; s2sgrad writes its gradient as more NumPy code, and because NumPy
dispatches ``np.*`` calls on dask arrays to dask, the same generated function called with dask
arrays returns lazy dask arrays: nothing runs until ``dask.compute``. The data (n rows of d
standard normal features, labels from a known weight vector plus logistic noise) is generated
chunk by chunk on the cluster's workers and never sits whole in this process. Each training
step is one ``dask.compute`` of the loss and its gradient (one pass over the chunks), driven by
scipy's L-BFGS-B.

What you see: the generated gradient's source, the dask dashboard's address (open it during a
full run to watch the chunks being processed), the gradient as a lazy dask array, the checks,
one line per step with its time, and a picture of the loss and gradient norm against step and
of the fitted minus the true weights.

    python examples/large_logistic_regression.py [--quick]

Needs dask, distributed and bokeh (for the dashboard page): ``pip install -e '.[dask]'
distributed bokeh``, and scipy and matplotlib (``pip install -e '.[examples]'``).
"""
import time

import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster, wait
from scipy.optimize import minimize

import s2sgrad
from _support import check, parse_args, pyplot, save


def loss(w, b, X, y, lam):
    """Mean logistic loss of the labels `y` (0 or 1) for the scores ``X @ w + b``, plus L2 on w."""
    z = X @ w + b
    return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * lam * np.sum(w ** 2)


# loss and (d loss / d w, d loss / d b) in one generated function: they share X @ w + b, so one
# dask.compute of all three reads each chunk once.
value_and_grad = s2sgrad.value_and_grad(loss, wrt=(0, 1))


def make_data(n, d, chunk, seed):
    """n x d features and 0/1 labels as dask arrays in chunks of `chunk` rows (nothing computed).

    The label of a row is 1 when ``x @ w_true + b_true`` plus logistic noise is positive, which is
    exactly the logistic regression model; w_true and b_true are returned to compare with.
    """
    w_true = np.linspace(-1.0, 1.0, d)
    b_true = 0.5
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((n, d), chunks=(chunk, d))
    noise = rng.logistic(size=n, chunks=chunk)
    y = (X @ w_true + b_true + noise > 0).astype(np.float64)
    return X, y, w_true, b_true


def closed_form(w, b, X, y, lam):
    """The gradient and Hessian of `loss` written out by hand, for checking s2sgrad.

    ``g_w = X.T @ (p - y) / n + lam w``, ``g_b = mean(p - y)`` and, with ``s = p (1 - p)``, the
    Hessian blocks ``X.T @ (s X) / n + lam I``, ``X.T @ s / n`` and ``mean(s)``. Written with
    ``np.*`` calls, so it is lazy on dask arrays too.
    """
    n = X.shape[0]
    p = 1 / (1 + np.exp(-(X @ w + b)))
    s = p * (1 - p)
    g_w = X.T @ (p - y) / n + lam * w
    g_b = np.mean(p - y)
    H_ww = X.T @ (s[:, None] * X) / n + lam * np.eye(len(w))
    return g_w, g_b, H_ww, X.T @ s / n, np.mean(s)


def newton_reference(X, y, lam, tol=1e-10):
    """Newton's method with the closed-form gradient and Hessian: the independent optimum."""
    d = X.shape[1]
    w, b = np.zeros(d), 0.0
    for _ in range(30):
        g_w, g_b, H_ww, H_wb, H_bb = dask.compute(*closed_form(w, b, X, y, lam))
        g = np.append(g_w, g_b)
        if np.linalg.norm(g) < tol:
            break
        H = np.block([[H_ww, H_wb[:, None]], [H_wb[None, :], np.array([[H_bb]])]])
        step = np.linalg.solve(H, g)
        w, b = w - step[:d], b - step[d]
    return w, b


def train(X, y, lam, d, gtol):
    """Minimise the loss with scipy's L-BFGS-B; each step computes s2sgrad's gradient on dask."""
    history = []

    def value_and_gradient(theta):
        start = time.perf_counter()
        w, b = theta[:d], theta[d]
        value, (g_w, g_b) = value_and_grad(w, b, X, y, lam)   # lazy: a graph, no work yet
        value, g_w, g_b = dask.compute(value, g_w, g_b)      # one pass over the chunks
        g = np.append(g_w, g_b)
        seconds = time.perf_counter() - start
        history.append((float(value), np.linalg.norm(g), seconds))
        print(f'  step {len(history):3d}: loss {float(value):.12f}  |grad| '
              f'{np.linalg.norm(g):.1e}  {seconds:.2f} s')
        return float(value), g

    result = minimize(value_and_gradient, np.zeros(d + 1), jac=True, method='L-BFGS-B',
                      options={'gtol': gtol, 'ftol': 0.0, 'maxiter': 200})
    print(f'L-BFGS-B: {result.message} ({result.nit} iterations, {len(history)} passes over '
          f'the data)')
    return result.x[:d], result.x[d], history


def main(argv=None):
    args = parse_args(__doc__, argv)
    # The chunk is 1/100 of the rows: 100 chunks, each a task's worth of work (--quick: 20
    # chunks, as the time of a step there is the scheduling of its tasks).
    n_chunks = 20 if args.quick else 100
    chunk, d = (500, 10) if args.quick else (20_000, 20)
    n, lam = n_chunks * chunk, 1e-4
    print(value_and_grad.source)

    # Two single-threaded workers, each its own process as on a real cluster (hence the
    # `if __name__ == '__main__'` below: the workers start fresh interpreters); ':0' puts the
    # dashboard on any free port. --quick (CI) runs the workers as threads of this process:
    # with chunks this small the time goes to scheduling some 1,000 tasks a step, and on a busy
    # machine the traffic between processes doubles it.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=not args.quick,
                      dashboard_address=':0') as cluster, Client(cluster) as client:
        print(f'dask dashboard: {client.dashboard_link}')
        X, y, w_true, b_true = make_data(n, d, chunk, seed=0)
        print(f'data: X {n} x {d} float64 ({X.nbytes / 2**20:.0f} MiB) in {X.numblocks[0]} '
              f'chunks of {chunk} rows, generated on the workers')
        start = time.perf_counter()
        X, y = dask.persist(X, y)          # generate the chunks once and keep them on the workers
        wait([X, y])
        print(f'  generated in {time.perf_counter() - start:.2f} s')

        # The gradient at a random point is a dask array: a graph of tasks over the chunks.
        rng = np.random.default_rng(1)
        w0, b0 = 0.1 * rng.standard_normal(d), 0.1
        value, (g_w, g_b) = value_and_grad(w0, b0, X, y, lam)
        print(f'd loss / d w is a {type(g_w).__module__}.{type(g_w).__name__} of shape '
              f'{g_w.shape}, chunks {g_w.chunks}, a graph of {len(g_w.__dask_graph__())} tasks, '
              f'not computed yet')
        # Computed together with the hand-written gradient: dask reads each chunk once for both.
        start = time.perf_counter()
        g_w, g_b, ref_w, ref_b = dask.compute(g_w, g_b, *closed_form(w0, b0, X, y, lam)[:2])
        print(f'  computed (with the closed form) in {time.perf_counter() - start:.2f} s')
        print('checks of the gradient at a random point:')
        check('d loss / d (w, b) on dask vs the closed form X.T @ (p - y) / n + lam w on dask',
              np.append(g_w, g_b), np.append(ref_w, ref_b), 1e-10)
        # The same generated function on NumPy arrays: all of the data in quick mode (4 MiB),
        # the first 5 chunks in a full run (whose data is too large to fetch into this process).
        if args.quick:
            rows, on_dask = n, (g_w, g_b)
            X_np, y_np = dask.compute(X, y)
        else:
            rows = 5 * chunk
            X_np, y_np, *on_dask = dask.compute(
                X[:rows], y[:rows], *value_and_grad(w0, b0, X[:rows], y[:rows], lam)[1])
        on_numpy = value_and_grad(w0, b0, X_np, y_np, lam)[1]
        check(f'd loss / d (w, b) on dask vs on NumPy arrays ({rows} rows)',
              np.append(*on_dask), np.append(*on_numpy), 1e-10)

        print(f'training: L-BFGS-B from zero, each step one dask.compute of the loss and its '
              f'gradient on {X.numblocks[0]} chunks')
        start = time.perf_counter()
        w, b, history = train(X, y, lam, d, gtol=1e-9)
        seconds = time.perf_counter() - start
        print(f'{len(history)} steps in {seconds:.1f} s ({seconds / len(history):.2f} s a step)')

        # The optimum by Newton's method with the hand-written gradient and Hessian: on the
        # NumPy copy of the data in quick mode, on the dask arrays (same code) in a full run.
        start = time.perf_counter()
        data = (X_np, y_np) if args.quick else (X, y)
        w_ref, b_ref = newton_reference(*data, lam)
        print(f'Newton reference ({"NumPy" if args.quick else "dask"}, closed-form Hessian): '
              f'{time.perf_counter() - start:.1f} s')
        check('fitted (w, b) vs the Newton optimum', np.append(w, b), np.append(w_ref, b_ref),
              1e-6)
        optimum = float(dask.compute(loss(w_ref, b_ref, *data, lam))[0])
        print(f'fitted vs true: max |w - w_true| = {np.max(np.abs(w - w_true)):.4f}, '
              f'b = {b:.4f} (true {b_true}): sampling noise and the L2 penalty')

    plt = pyplot()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    steps = np.arange(1, len(history) + 1)
    gaps = np.maximum(np.array([h[0] for h in history]) - optimum, 1e-16)
    ax.semilogy(steps, gaps, 'o-', ms=3, label='loss - optimum')
    ax.semilogy(steps, [h[1] for h in history], 's-', ms=3, label='|gradient|')
    ax.set_xlabel('step (one dask.compute of loss and gradient)')
    ax.set_title(f'L-BFGS-B, {np.mean([h[2] for h in history]):.1f} s a step')
    ax.legend()
    ax2.axhline(0, color='k', lw=0.8)
    ax2.plot(np.arange(d), w - w_true, 'o', label='w - w_true')
    ax2.plot([d], [b - b_true], 's', label='b - b_true')
    ax2.set_xlabel('weight index (b last)')
    ax2.set_title('fitted minus true weights')
    ax2.legend()
    fig.suptitle(f'{n:,} x {d} logistic regression in {X.numblocks[0]} chunks on 2 dask '
                 f'workers, gradients by s2sgrad')
    save(fig, args, 'large_logistic_regression')
    print('all checks passed')


if __name__ == '__main__':
    main()
