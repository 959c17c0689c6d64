"""GPU benchmark: s2sgrad gradients on CuPy against hand-written CuPy and PyTorch CUDA.

Run on a machine with CuPy and a CUDA device: ``python benchmarks/bench_gpu.py``. Times are
taken with device synchronisation; every method is checked against the hand-written gradient
first. Without CuPy or a device the script says so and exits.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import s2sgrad  # noqa: E402

BATCH, D_IN, D_HIDDEN, D_OUT, STEPS = 4096, 1024, 4096, 1024, 12


def mlp(W1, W2, x, y):
    h = np.tanh(x @ W1)
    out = h @ W2
    return np.sum((out - y) ** 2)


def rnn(Wh, Wx, h0, xs):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.sum(h ** 2)


def mlp_hand(cp, W1, W2, x, y):
    h = cp.tanh(x @ W1)
    g_out = 2.0 * (h @ W2 - y)
    return x.T @ ((g_out @ W2.T) * (1.0 - h * h)), h.T @ g_out


def rnn_hand(cp, Wh, Wx, h0, xs):
    hs = [h0]
    for t in range(len(xs)):
        hs.append(cp.tanh(hs[-1] @ Wh + xs[t] @ Wx))
    g_h = 2.0 * hs[-1]
    g_Wh, g_Wx = cp.zeros_like(Wh), cp.zeros_like(Wx)
    for t in reversed(range(len(xs))):
        g_a = g_h * (1.0 - hs[t + 1] ** 2)
        g_Wh += hs[t].T @ g_a
        g_Wx += xs[t].T @ g_a
        g_h = g_a @ Wh.T
    return g_Wh, g_Wx


def timed(cp, fn, repeats=20):
    fn()
    cp.cuda.Device().synchronize()
    best = float('inf')
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        cp.cuda.Device().synchronize()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def main():
    try:
        import cupy as cp
        if cp.cuda.runtime.getDeviceCount() == 0:
            raise RuntimeError('no CUDA device')
    except Exception as error:  # noqa: BLE001 - report any reason CuPy cannot run
        print(f'GPU benchmark not run: {error}')
        return 0
    name = cp.cuda.runtime.getDeviceProperties(0)['name'].decode()
    rng = cp.random.default_rng(0)
    f32 = cp.float32
    mlp_args = (rng.standard_normal((D_IN, D_HIDDEN), dtype=f32) * 0.02,
                rng.standard_normal((D_HIDDEN, D_OUT), dtype=f32) * 0.02,
                rng.standard_normal((BATCH, D_IN), dtype=f32),
                rng.standard_normal((BATCH, D_OUT), dtype=f32))
    rnn_args = (rng.standard_normal((D_HIDDEN, D_HIDDEN), dtype=f32) * 0.01,
                rng.standard_normal((D_IN, D_HIDDEN), dtype=f32) * 0.02,
                cp.zeros((256, D_HIDDEN), dtype=f32),
                rng.standard_normal((STEPS, 256, D_IN), dtype=f32))
    problems = {
        'mlp (4096 x 1024 -> 4096 -> 1024, float32)': (mlp, mlp_hand, mlp_args),
        f'rnn ({STEPS} steps, batch 256, 1024 -> 4096, float32)': (rnn, rnn_hand, rnn_args),
    }
    print(f'- device: {name}; CuPy {cp.__version__}')
    print('| benchmark | method | time per call | ratio to hand-written CuPy |')
    print('| --- | --- | ---: | ---: |')
    for label, (f, hand, args) in problems.items():
        df = s2sgrad.grad(f, wrt=(0, 1))
        got, ref = df(*args), hand(cp, *args)
        for g, r in zip(got, ref):
            assert isinstance(g, cp.ndarray), 'the gradient left the device'
            err = float(cp.max(cp.abs(g - r)) / (cp.max(cp.abs(r)) + 1e-30))
            assert err < 1e-3, f'{label}: s2sgrad disagrees with hand-written ({err:.1e})'
        methods = {'hand-written CuPy': lambda: hand(cp, *args), 's2sgrad': lambda: df(*args)}
        methods.update(_torch_methods(label, f, args, cp))
        times = {m: timed(cp, fn) for m, fn in methods.items()}
        base = times['hand-written CuPy']
        for method, t in times.items():
            print(f'| {label} | {method} | {t * 1e3:.2f} ms | {t / base:.2f}x |')
    return 0


def _torch_methods(label, f, args, cp):
    try:
        import torch
        if not torch.cuda.is_available():
            return {}
    except ImportError:
        return {}
    tensors = [torch.as_tensor(a, device='cuda') for a in args]
    for t in tensors[:2]:
        t.requires_grad_(True)

    def loss():
        if label.startswith('mlp'):
            W1, W2, x, y = tensors
            return ((torch.tanh(x @ W1) @ W2 - y) ** 2).sum()
        Wh, Wx, h, xs = tensors
        for t in range(len(xs)):
            h = torch.tanh(h @ Wh + xs[t] @ Wx)
        return (h ** 2).sum()

    def step():
        torch.autograd.grad(loss(), tensors[:2])
        torch.cuda.synchronize()
    return {'PyTorch CUDA': step}


if __name__ == '__main__':
    sys.exit(main())
