"""Train a character-level tanh RNN on a sonnet, with backpropagation through time by s2sgrad.

The RNN is a plain Python ``for`` loop over time steps; ``s2sgrad.grad(loss)`` turns it into the
BPTT code printed below (a dict of gradients for the dict of parameters; ``value_and_grad``
returns the loss too). Adam with gradient
clipping, written by hand, trains it; the gradient is first checked against PyTorch (central
differences when torch is missing, or when S2SGRAD_EXAMPLES_NO_TORCH=1 is set).
Run: ``python examples/train_rnn.py [--quick]``.
"""
import time

import numpy as np

import s2sgrad
from _support import check_parameter_gradients, parse_args, progress, pyplot, save, torch_or_none

TEXT = """\
Shall I compare thee to a summer's day?
Thou art more lovely and more temperate:
Rough winds do shake the darling buds of May,
And summer's lease hath all too short a date;
Sometime too hot the eye of heaven shines,
And often is his gold complexion dimm'd;
And every fair from fair sometime declines,
By chance or nature's changing course untrimm'd;
But thy eternal summer shall not fade,
Nor lose possession of that fair thou ow'st;
Nor shall death brag thou wander'st in his shade,
When in eternal lines to time thou grow'st:
So long as men can breathe or eyes can see,
So long lives this, and this gives life to thee.
"""


def loss(params, xs, ys, h0):
    """Mean cross-entropy of the next characters `ys` given `xs` (both one-hot, time first)."""
    h = h0
    total = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ params['Wx'] + h @ params['Wh'] + params['b'])
        logits = h @ params['Wy'] + params['by']
        z = logits - np.max(logits, axis=1, keepdims=True)
        log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        total = total - np.sum(ys[t] * log_p)
    return total / (xs.shape[0] * xs.shape[1])


def torch_gradient(params, xs, ys, h0):
    """The same loss in PyTorch (float64, autograd): its gradient, or None without torch."""
    torch = torch_or_none()
    if torch is None:
        return None
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    xs, ys, h = torch.tensor(xs), torch.tensor(ys), torch.tensor(h0)
    total = 0.0
    for t in range(xs.shape[0]):
        h = torch.tanh(xs[t] @ p['Wx'] + h @ p['Wh'] + p['b'])
        total = total - torch.sum(ys[t] * torch.log_softmax(h @ p['Wy'] + p['by'], dim=1))
    value = total / (xs.shape[0] * xs.shape[1])
    value.backward()
    return {k: v.grad.numpy() for k, v in p.items()}


def check_gradient(loss_and_grad, params, xs, ys, h0):
    """Compare s2sgrad's gradient with torch's, or with central differences on a few entries."""
    _, grads = loss_and_grad(params, xs, ys, h0)
    reference = torch_gradient(params, xs, ys, h0)
    check_parameter_gradients(grads, reference, lambda p: loss(p, xs, ys, h0), params)


def sample(params, first, n, one_hot, rng, temperature=0.5):
    """`n` characters (as indices) from the RNN, started on the character index `first`."""
    h = np.zeros((1, params['Wh'].shape[0]))
    out = [first]
    for _ in range(n):
        h = np.tanh(one_hot[out[-1:]] @ params['Wx'] + h @ params['Wh'] + params['b'])
        logits = (h @ params['Wy'] + params['by'])[0] / temperature
        p = np.exp(logits - np.max(logits))
        out.append(rng.choice(len(p), p=p / p.sum()))
    return out


def main(argv=None):
    args = parse_args(__doc__, argv)
    rng = np.random.default_rng(0)
    hidden, T, batch, steps = (32, 8, 16, 40) if args.quick else (128, 32, 32, 1500)
    lr, clip = 5e-3, 5.0

    chars = sorted(set(TEXT))
    data = np.array([chars.index(c) for c in TEXT])
    one_hot = np.eye(len(chars))
    V = len(chars)

    def windows(n):
        """`n` random windows of the text: inputs and next characters, one-hot, time first."""
        starts = rng.integers(0, len(data) - T - 1, size=n)
        idx = starts[None, :] + np.arange(T + 1)[:, None]
        return one_hot[data[idx[:-1]]], one_hot[data[idx[1:]]]

    params = {'Wx': rng.standard_normal((V, hidden)) * 0.1,
              'Wh': rng.standard_normal((hidden, hidden)) / np.sqrt(hidden),
              'b': np.zeros(hidden),
              'Wy': rng.standard_normal((hidden, V)) * 0.1,
              'by': np.zeros(V)}
    h0 = np.zeros((batch, hidden))

    # BPTT: the loss and a dict of gradients with the keys of params
    loss_and_grad = s2sgrad.value_and_grad(loss)
    print(loss_and_grad.source)
    xs, ys = windows(batch)
    check_gradient(loss_and_grad, params, xs, ys, h0)

    eval_xs, eval_ys = windows(batch)
    before = loss(params, eval_xs, eval_ys, h0)

    # Adam with clipping of the gradient's global norm, by hand
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(w) for k, w in params.items()}
    b1, b2 = 0.9, 0.999
    losses = []
    start = time.perf_counter()
    for step in progress(range(1, steps + 1), 'steps'):
        xs, ys = windows(batch)
        value, grads = loss_and_grad(params, xs, ys, h0)
        losses.append(value)
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, clip / norm)
        for k in params:
            g = scale * grads[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g ** 2
            m_hat = m[k] / (1 - b1 ** step)
            v_hat = v[k] / (1 - b2 ** step)
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    seconds = time.perf_counter() - start
    after = loss(params, eval_xs, eval_ys, h0)
    print(f'{steps} Adam steps of {batch} windows of {T} characters in {seconds:.1f} s: '
          f'loss on fixed windows {before:.3f} -> {after:.3f} nats per character')
    text = ''.join(chars[i] for i in sample(params, chars.index('S'), 120 if args.quick else 400,
                                            one_hot, rng))
    print('sampled text (temperature 0.5):\n' + text)

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(1, steps + 1), losses, lw=0.6, alpha=0.5, label='minibatch loss')
    window = max(1, steps // 30)
    smooth = np.convolve(losses, np.ones(window) / window, mode='valid')
    ax.plot(np.arange(window, steps + 1), smooth, lw=2, label=f'mean of {window} steps')
    ax.set_xlabel('Adam step')
    ax.set_ylabel('cross-entropy (nats per character)')
    ax.set_yscale('log')
    ax.legend()
    ax.set_title(f'char-RNN (tanh, {hidden} units) on Sonnet 18, BPTT by s2sgrad')
    save(fig, args, 'train_rnn')

    if not after < before:
        raise SystemExit(f'check failed: the loss did not decrease ({before} -> {after})')
    print(f'  check loss decreased ({before:.3f} -> {after:.3f}): ok')


if __name__ == '__main__':
    main()
