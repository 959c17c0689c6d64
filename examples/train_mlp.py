"""Train a 64-64-10 tanh MLP on scikit-learn's digits with gradients written by s2sgrad.

The parameters are one dict, so ``s2sgrad.grad(loss)`` returns a dict of gradients; the loss is
softmax cross-entropy with a stable log-sum-exp and an L2 penalty, minimized by Adam written by
hand. The gradient is first checked against PyTorch (central differences when torch is missing,
or when S2SGRAD_EXAMPLES_NO_TORCH=1 is set). Run: ``python examples/train_mlp.py [--quick]``.
"""
import time

import numpy as np

import s2sgrad
from _support import check_parameter_gradients, parse_args, progress, pyplot, save, torch_or_none


def loss(params, x, y, l2):
    """Mean softmax cross-entropy of the labels `y` (one-hot rows) plus ``l2 * |W|^2``."""
    h = np.tanh(x @ params['W1'] + params['b1'])
    logits = h @ params['W2'] + params['b2']
    z = logits - np.max(logits, axis=1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    penalty = np.sum(params['W1'] ** 2) + np.sum(params['W2'] ** 2)
    return -np.sum(y * log_p) / x.shape[0] + l2 * penalty


def torch_gradient(params, x, y, l2):
    """The same loss in PyTorch (float64, autograd): its gradient, or None without torch."""
    torch = torch_or_none()
    if torch is None:
        return None
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    x, y = torch.tensor(x), torch.tensor(y)
    h = torch.tanh(x @ p['W1'] + p['b1'])
    log_p = torch.log_softmax(h @ p['W2'] + p['b2'], dim=1)
    penalty = torch.sum(p['W1'] ** 2) + torch.sum(p['W2'] ** 2)
    value = -torch.sum(y * log_p) / x.shape[0] + l2 * penalty
    value.backward()
    return {k: v.grad.numpy() for k, v in p.items()}


def check_gradient(dloss, params, x, y, l2):
    """Compare s2sgrad's gradient with torch's, or with central differences on a few entries."""
    grads = dloss(params, x, y, l2)
    reference = torch_gradient(params, x, y, l2)
    check_parameter_gradients(grads, reference, lambda p: loss(p, x, y, l2), params)


def load_data(rng, n_train):
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = digits.data / 16.0
    y = np.eye(10)[digits.target]
    order = rng.permutation(len(x))
    train, test = order[:n_train], order[n_train:]
    return x[train], y[train], x[test], y[test]


def accuracy(params, x, y):
    h = np.tanh(x @ params['W1'] + params['b1'])
    return np.mean(np.argmax(h @ params['W2'] + params['b2'], axis=1) == np.argmax(y, axis=1))


def main(argv=None):
    args = parse_args(__doc__, argv)
    rng = np.random.default_rng(0)
    n_train, epochs, batch, hidden = (400, 2, 32, 64) if args.quick else (1400, 40, 64, 64)
    l2, lr = 1e-4, 0.01
    x_train, y_train, x_test, y_test = load_data(rng, n_train)

    params = {'W1': rng.standard_normal((64, hidden)) / 8.0, 'b1': np.zeros(hidden),
              'W2': rng.standard_normal((hidden, 10)) / np.sqrt(hidden), 'b2': np.zeros(10)}

    dloss = s2sgrad.grad(loss)      # d loss / d params: a dict with the keys of params
    print(dloss.source)
    check_gradient(dloss, params, x_train[:32], y_train[:32], l2)

    # Adam, by hand
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(w) for k, w in params.items()}
    b1, b2, step = 0.9, 0.999, 0
    losses = [loss(params, x_train, y_train, l2)]
    accuracies = [accuracy(params, x_test, y_test)]
    start = time.perf_counter()
    for epoch in progress(range(epochs), 'epochs'):
        order = rng.permutation(n_train)
        for i in range(0, n_train, batch):
            rows = order[i:i + batch]
            grads = dloss(params, x_train[rows], y_train[rows], l2)
            step += 1
            for k in params:
                m[k] = b1 * m[k] + (1 - b1) * grads[k]
                v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
                m_hat = m[k] / (1 - b1 ** step)
                v_hat = v[k] / (1 - b2 ** step)
                params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        losses.append(loss(params, x_train, y_train, l2))
        accuracies.append(accuracy(params, x_test, y_test))
    seconds = time.perf_counter() - start
    print(f'{epochs} epochs ({step} Adam steps) in {seconds:.1f} s: train loss '
          f'{losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {accuracies[-1]:.1%} '
          f'on {len(x_test)} digits')

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(losses, 'o-', ms=3, label='train loss')
    ax.set_xlabel('epoch')
    ax.set_ylabel('cross-entropy + L2')
    ax.set_yscale('log')
    ax2 = ax.twinx()
    ax2.plot(accuracies, 's-', ms=3, color='tab:orange', label='test accuracy')
    ax2.set_ylabel('test accuracy')
    ax.legend(handles=ax.lines + ax2.lines, loc='center right')
    ax.set_title('64-64-10 tanh MLP on digits, gradients by s2sgrad, Adam')
    save(fig, args, 'train_mlp')

    if losses[-1] >= losses[0]:
        raise SystemExit(f'check failed: the loss did not decrease ({losses[0]} -> {losses[-1]})')
    wanted = 0.5 if args.quick else 0.95
    if accuracies[-1] <= wanted:
        raise SystemExit(f'check failed: test accuracy {accuracies[-1]:.1%} <= {wanted:.0%}')
    print(f'  check loss decreased and test accuracy > {wanted:.0%}: ok')


if __name__ == '__main__':
    main()
