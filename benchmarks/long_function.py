"""A ~300-line model written the way a NumPy user writes a larger model, for transform-time rows.

`long_model(W_in, b_in, W_rec, W_gate, W_att, W_out, b_out, gamma, x, y, mask)` is a small
sequence classifier: an input projection with layer normalisation, a gated tanh recurrence over
the time steps (a Python for loop with an if/else), a leaky pass backwards in time (a second
loop), attention pooling over the steps, residual blocks, a two-headed output layer and a loss
made of softmax cross-entropies, a squared error, L2 penalties and scalar arithmetic. It calls
three helpers of this module (`layer_norm`, `log_softmax`, `feed_forward`) and makes about 130
NumPy calls (tanh, exp, log, sqrt, sum, mean, max with axis/keepdims, matmul, reshape,
transpose, concatenate, stack, indexing, slicing); the module is about 300 lines.

Differentiate it with respect to the first eight arguments (the parameters):

    import s2sgrad
    from long_function import long_model, make_inputs, WRT
    df = s2sgrad.grad(long_model, wrt=WRT)
    grads = df(*make_inputs())

The benchmark `bench_reverse.py` execs a fresh copy of this file for every transform trial.
"""
import numpy as np

WRT = (0, 1, 2, 3, 4, 5, 6, 7)


def layer_norm(h, gamma):
    mu = np.mean(h, axis=1, keepdims=True)
    c = h - mu
    var = np.mean(c * c, axis=1, keepdims=True)
    return c / np.sqrt(var + 1e-5) * gamma


def log_softmax(z):
    m = np.max(z, axis=1, keepdims=True)
    s = z - m
    return s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))


def feed_forward(h, W, b, gamma):
    """A residual block: layer norm, a tanh layer, a smooth gate, added back to its input."""
    n = layer_norm(h, gamma)
    a = np.tanh(n @ W + b)
    g = 1.0 / (1.0 + np.exp(-a))
    return h + 0.5 * a * g


def long_model(W_in, b_in, W_rec, W_gate, W_att, W_out, b_out, gamma, x, y, mask):
    # x: (T, B, D) inputs; y: (B, C) one-hot labels; mask: (T, B) of 0.0/1.0 for valid steps.
    T = x.shape[0]
    B = x.shape[1]
    D = x.shape[2]
    H = W_rec.shape[0]
    C = y.shape[1]

    # ---------------------------------------------------------------------------------------
    # Input projection, applied to all time steps at once.
    # ---------------------------------------------------------------------------------------
    flat = np.reshape(x, (T * B, D))
    proj = flat @ W_in + b_in
    proj = layer_norm(proj, gamma)
    proj = np.tanh(proj)
    proj = np.reshape(proj, (T, B, H))

    # A small amount of input noise regularisation, written out by hand.
    energy_in = np.mean(proj * proj)
    scale_in = 1.0 / (1.0 + energy_in)
    proj = proj * scale_in

    # Temporal differences of the projected inputs (a simple "delta" feature), by slicing.
    delta = proj[1:] - proj[:-1]
    delta0 = np.zeros((1, B, H))
    delta = np.concatenate([delta0, delta], axis=0)
    delta_energy = np.sum(delta ** 2, axis=2, keepdims=True)
    delta_gate = np.exp(-delta_energy / H)
    proj = proj + 0.1 * delta * delta_gate
    proj_peak = np.max(np.abs(proj))
    if proj_peak > 10.0:
        proj = proj * (10.0 / proj_peak)
    else:
        proj = proj * 1.0

    # Per-step statistics of the inputs, used later by the attention.
    step_mean = np.mean(proj, axis=2)
    step_max = np.max(proj, axis=2)
    step_feat = step_mean + 0.5 * step_max

    # ---------------------------------------------------------------------------------------
    # Gated recurrence over time.
    # ---------------------------------------------------------------------------------------
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    hs = []
    penalty = 0.0
    saturation = 0.0
    W_r = W_gate[:H, :]
    W_u = W_gate[H:, :]
    for t in range(T):
        xt = proj[t]
        mt = np.reshape(mask[t], (B, 1))
        pre = xt + h @ W_rec
        both = np.concatenate([xt, h], axis=1)
        r = 1.0 / (1.0 + np.exp(-(both @ W_gate)))
        u = 1.0 / (1.0 + np.exp(-(xt @ W_r + h @ W_u)))
        cand = np.tanh(pre * r)
        if t % 2 == 0:
            c = u * c + (1.0 - u) * cand
        else:
            c = 0.5 * (c + cand) * u + (1.0 - u) * c
        h_new = np.tanh(c) * r
        h = mt * h_new + (1.0 - mt) * h
        hs.append(h)
        penalty = penalty + np.mean(np.abs(h_new - h)) * 0.01
        if t > 0:
            saturation = saturation + np.mean(np.maximum(np.abs(cand) - 0.9, 0.0))
        else:
            saturation = saturation + 0.0 * np.sum(cand)

    # ---------------------------------------------------------------------------------------
    # A cheap second pass, backwards in time: a leaky average from the last step to the first.
    # ---------------------------------------------------------------------------------------
    back = np.zeros((B, H))
    back_states = []
    W_back = np.transpose(W_rec)
    for t in range(T - 1, -1, -1):
        mt = np.reshape(mask[t], (B, 1))
        step = np.tanh(proj[t] + back @ W_back)
        back = 0.8 * back + 0.2 * step * mt
        back_states.append(back)
    back_all = np.stack(back_states)            # (T, B, H), in reverse time order
    back_mean = np.mean(back_all, axis=0)
    back_max = np.max(np.abs(back_mean), axis=1, keepdims=True)
    back_feat = np.concatenate([back_mean, back_mean / (1.0 + back_max)], axis=1)
    back_energy = np.sum(back_mean ** 2) / (B * H)

    # ---------------------------------------------------------------------------------------
    # Attention pooling over the time steps.
    # ---------------------------------------------------------------------------------------
    states = np.stack(hs)                       # (T, B, H)
    states_bt = np.transpose(states, (1, 0, 2))  # (B, T, H)
    keys = np.tanh(np.reshape(states_bt, (B * T, H)) @ W_att)
    scores = np.reshape(np.sum(keys, axis=1), (B, T))
    scores = scores + 0.1 * np.transpose(step_feat)
    scores = scores - 1e4 * (1.0 - np.transpose(mask))
    att = np.exp(log_softmax(scores))           # (B, T)
    pooled = np.sum(np.reshape(att, (B, T, 1)) * states_bt, axis=1)  # (B, H)
    last = states[T - 1]
    first = states[0]
    mid = states[T // 2]
    summary = np.concatenate([pooled, last], axis=1)  # (B, 2H)
    summary = layer_norm(summary, np.concatenate([gamma, gamma]))
    context = np.mean(first + mid, axis=0, keepdims=True)

    # Two residual blocks on the pooled summary, sharing the first half of the gate weights.
    W_ff1 = W_gate[:H, :]
    W_ff2 = W_gate[H:, :]
    left = summary[:, :H]
    right = summary[:, H:]
    left = feed_forward(left, W_ff1, b_in, gamma)
    right = feed_forward(right, W_ff2, -b_in, gamma)
    mixed = np.concatenate([left, right], axis=1)
    summary = 0.5 * summary + 0.5 * mixed
    summary_rms = np.sqrt(np.mean(summary ** 2, axis=1, keepdims=True) + 1e-6)
    summary = summary / summary_rms

    # Max-pooling over time as a second view, mixed in with a small weight.
    maxpool = np.max(states, axis=0)            # (B, H)
    meanpool = np.mean(states * np.reshape(mask, (T, B, 1)), axis=0)
    extra = np.concatenate([maxpool, meanpool], axis=1)
    summary = summary + 0.05 * extra + 0.05 * back_feat

    # Entropy of the attention (a regulariser that keeps it from collapsing).
    att_entropy = -np.mean(np.sum(att * np.log(att + 1e-12), axis=1))

    # ---------------------------------------------------------------------------------------
    # Output heads.
    # ---------------------------------------------------------------------------------------
    W_cls = W_out[:, :C]
    W_reg = W_out[:, C:]
    b_cls = b_out[:C]
    b_reg = b_out[C:]
    logits = summary @ W_cls + b_cls
    logits = logits + 0.01 * np.sum(context)
    logp = log_softmax(logits)
    xent = -np.sum(logp * y) / B

    reg_out = np.tanh(summary @ W_reg + b_reg)
    target = y[:, :1] * 2.0 - 1.0
    sq_err = np.mean((reg_out[:, :1] - target) ** 2)
    if sq_err > 1.0:
        sq_err = np.sqrt(sq_err)
    else:
        sq_err = sq_err * 1.0

    probs = np.exp(logp)
    confidence = np.max(probs, axis=1)
    calib = np.mean((confidence - np.sum(probs * y, axis=1)) ** 2)
    margin = np.sum(logits * y, axis=1) - np.max(logits - 1e3 * y, axis=1)
    hinge = np.mean(np.maximum(1.0 - margin, 0.0))

    # Agreement between the two heads: the regression head should predict the first class.
    cls_first = probs[:, 0]
    reg_first = 0.5 * (reg_out[:, 0] + 1.0)
    agree = np.mean((cls_first - reg_first) ** 2)
    reg_rest = reg_out[:, 1:]
    reg_rest_pen = np.mean(np.log(1.0 + reg_rest ** 2))

    # Per-example losses, with the hardest examples weighted up (a soft top-k).
    per_example = -np.sum(logp * y, axis=1)
    hardest = np.max(per_example)
    weights = np.exp(per_example - hardest)
    weights = weights / np.sum(weights)
    focused = np.sum(weights * per_example)
    spread_ex = np.mean(np.abs(per_example - np.mean(per_example)))

    # A label-smoothed cross-entropy as a second classification loss.
    smooth = 0.1
    y_smooth = y * (1.0 - smooth) + smooth / C
    xent_smooth = -np.mean(np.sum(y_smooth * logp, axis=1))

    # ---------------------------------------------------------------------------------------
    # Regularisation of the parameters.
    # ---------------------------------------------------------------------------------------
    l2 = np.sum(W_in * W_in) + np.sum(W_rec * W_rec) + np.sum(W_gate ** 2)
    l2 = l2 + np.sum(W_att ** 2) + np.sum(W_out ** 2)
    l2 = l2 + 0.1 * (np.sum(b_in ** 2) + np.sum(b_out ** 2))
    ortho = W_rec.T @ W_rec - np.eye(H)
    ortho_pen = np.mean(ortho * ortho)
    gamma_pen = np.mean((gamma - 1.0) ** 2)
    row_norms = np.sqrt(np.sum(W_out * W_out, axis=0) + 1e-8)
    norm_pen = np.mean(np.maximum(row_norms - 3.0, 0.0) ** 2)
    spread = np.max(np.abs(W_in)) - np.mean(np.abs(W_in))

    # ---------------------------------------------------------------------------------------
    # Scalar diagnostics that also enter the loss with small weights.
    # ---------------------------------------------------------------------------------------
    h_norm = np.sqrt(np.sum(h * h)) / B
    c_norm = np.sqrt(np.sum(c * c)) / B
    ratio_hc = h_norm / (c_norm + 1.0)
    temperature = 1.0 + 0.1 * np.tanh(ratio_hc)
    tempered = log_softmax(logits / temperature)
    xent_tempered = -np.sum(tempered * y) / B
    drift = np.mean(np.abs(last - first)) + 0.5 * np.mean(np.abs(mid - first))
    logit_range = np.max(logits) - np.min(logits)
    if logit_range > 20.0:
        range_pen = (logit_range - 20.0) ** 2
    else:
        range_pen = 0.0 * logit_range
    diag = 0.01 * xent_tempered + 0.001 * drift + 0.0001 * range_pen + 0.001 * back_energy

    # ---------------------------------------------------------------------------------------
    # The loss.
    # ---------------------------------------------------------------------------------------
    n_valid = np.sum(mask)
    frac = n_valid / (T * B)
    weight_xent = 1.0
    weight_sq = 0.5
    weight_reg = 1e-3
    loss = weight_xent * xent + weight_sq * sq_err
    loss = loss + 0.1 * calib + 0.05 * hinge
    loss = loss + weight_reg * l2 + 1e-2 * ortho_pen + 1e-2 * gamma_pen
    loss = loss + 1e-3 * norm_pen + 1e-4 * spread
    loss = loss + penalty / T + 1e-3 * saturation / T
    loss = loss - 1e-3 * att_entropy
    loss = loss + 0.1 * agree + 0.01 * reg_rest_pen
    loss = loss + 0.05 * focused + 0.01 * spread_ex
    if xent_smooth > xent:
        loss = loss + 0.2 * (xent_smooth - xent)
    else:
        loss = loss + 0.2 * (xent - xent_smooth)
    loss = loss + diag
    loss = loss * (0.5 + 0.5 * frac)
    return loss


def make_inputs(seed=0, T=6, B=4, D=5, H=7, C=3):
    """Small inputs (a few hundred parameters) on which the gradient is checked and timed."""
    rng = np.random.default_rng(seed)
    W_in = rng.standard_normal((D, H)) / np.sqrt(D)
    b_in = rng.standard_normal(H) * 0.1
    W_rec = rng.standard_normal((H, H)) / np.sqrt(H)
    W_gate = rng.standard_normal((2 * H, H)) / np.sqrt(2 * H)
    W_att = rng.standard_normal((H, 4)) / np.sqrt(H)
    W_out = rng.standard_normal((2 * H, C + 2)) / np.sqrt(2 * H)
    b_out = rng.standard_normal(C + 2) * 0.1
    gamma = 1.0 + 0.1 * rng.standard_normal(H)
    x = rng.standard_normal((T, B, D))
    y = np.eye(C)[rng.integers(0, C, size=B)]
    mask = np.ones((T, B))
    mask[T - 1, 0] = 0.0
    mask[T - 2, 1] = 0.0
    return W_in, b_in, W_rec, W_gate, W_att, W_out, b_out, gamma, x, y, mask
