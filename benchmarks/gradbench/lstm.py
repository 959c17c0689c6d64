"""lstm: the average log-loss of a stacked LSTM with diagonal weights predicting a bit-encoded
text one character ahead (GradBench `lstm`, from ADBench).

main_params (2 l, 4 b): per layer a weight row and a bias row for the four gates (each gate's
weight multiplies its input elementwise); extra_params (3, b): input scale, output scale, output
bias; state (2 l, b): per layer the initial hidden and cell state; sequence (c, b): the text, one
character per row as b bits. At each step the prediction is normalised with
log(sum(exp(ypred)) + 2) and scored against the next character. GradBench runs l in {2, 4},
c in {1024, 4096} (ADBench's data files: b = 14 bits, parameters and state uniform on [0, 1));
here l = 2, c = 1024, b = 14, and the sequence is random bits. The gradient is w.r.t.
main_params and extra_params.
"""
import numpy as np

from _shared import numpy_like

NAME = 'lstm'
WRT = ('main_params', 'extra_params')


def make_inputs(rng, quick=False):
    l, c, b = (2, 16, 5) if quick else (2, 1024, 14)
    main_params = rng.random((2 * l, 4 * b))
    extra_params = rng.random((3, b))
    state = rng.random((2 * l, b))
    sequence = (rng.random((c, b)) < 0.5).astype(np.float64)
    return main_params, extra_params, state, sequence


def sizes(quick=False):
    return 'l=2, c=16, b=5' if quick else 'l=2, c=1024, b=14'


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_cell(weight, bias, hidden, cell, inp):
    b = hidden.shape[0]
    gates = np.concatenate((inp, hidden, inp, hidden)) * weight + bias
    forget = sigmoid(gates[:b])
    ingate = sigmoid(gates[b:2 * b])
    outgate = sigmoid(gates[2 * b:3 * b])
    change = np.tanh(gates[3 * b:])
    cell = cell * forget + ingate * change
    hidden = outgate * np.tanh(cell)
    return hidden, cell


def predict(main_params, extra_params, state, x):
    x = x * extra_params[0]
    new_state = []
    for i in range(0, len(state), 2):
        hidden, cell = lstm_cell(main_params[i], main_params[i + 1], state[i], state[i + 1], x)
        new_state.append(hidden)
        new_state.append(cell)
        x = hidden
    return x * extra_params[1] + extra_params[2], new_state


def objective(main_params, extra_params, state, sequence):
    total = 0.0
    count = 0
    x = sequence[0]
    for t in range(sequence.shape[0] - 1):
        ypred, state = predict(main_params, extra_params, state, x)
        ynorm = ypred - np.log(np.sum(np.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        total = total + np.sum(ygold * ynorm)
        count = count + ygold.shape[0]
        x = ygold
    return -total / count


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def _torch_cell(weight, bias, hidden, cell, inp):
    import torch
    b = hidden.shape[0]
    gates = torch.cat((inp, hidden, inp, hidden)) * weight + bias
    forget = torch.sigmoid(gates[:b])
    ingate = torch.sigmoid(gates[b:2 * b])
    outgate = torch.sigmoid(gates[2 * b:3 * b])
    change = torch.tanh(gates[3 * b:])
    cell = cell * forget + ingate * change
    hidden = outgate * torch.tanh(cell)
    return hidden, cell


def _torch_predict(main_params, extra_params, state, x):
    x = x * extra_params[0]
    new_state = []
    for i in range(0, len(state), 2):
        hidden, cell = _torch_cell(main_params[i], main_params[i + 1], state[i], state[i + 1], x)
        new_state.append(hidden)
        new_state.append(cell)
        x = hidden
    return x * extra_params[1] + extra_params[2], new_state


def torch_objective(main_params, extra_params, state, sequence):
    import torch
    total = 0.0
    count = 0
    x = sequence[0]
    for t in range(sequence.shape[0] - 1):
        ypred, state = _torch_predict(main_params, extra_params, state, x)
        ynorm = ypred - torch.log(torch.sum(torch.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        total = total + torch.sum(ygold * ynorm)
        count = count + ygold.shape[0]
        x = ygold
    return -total / count


def jax_jit_objective(main_params, extra_params, state, sequence):
    """The same computation for `jax.jit`, with the time steps in `jax.lax.fori_loop` (jit
    unrolls a Python loop of 1023 steps for many minutes), as GradBench's JAX tool writes it."""
    import jax
    import jax.numpy as jnp
    from _shared import rebind
    predict_j = rebind(predict, jnp)

    def step(t, carry):
        total, state, x = carry
        ypred, state = predict_j(main_params, extra_params, state, x)
        ynorm = ypred - jnp.log(jnp.sum(jnp.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        return total + jnp.sum(ygold * ynorm), state, ygold
    steps = sequence.shape[0] - 1
    total, _, _ = jax.lax.fori_loop(0, steps, step, (0.0, list(state), sequence[0]))
    return -total / (steps * sequence.shape[1])
