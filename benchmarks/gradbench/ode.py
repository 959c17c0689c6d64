"""ode: the last component of the solution of a linear ODE, integrated with s steps of the
classical 4th-order Runge-Kutta method from t = 0 to t = 2 (GradBench `ode`).

The system is y_0' = x_0, y_i' = x_i y_{i-1} (i > 0), y(0) = 0; the gradient is of y_{n-1}(2)
w.r.t. x. GradBench runs n in {1000, 10000, 100000} and s in {1, 10, 100} (x uniform on [0, 1));
here n = 1000, s = 100. One RK4 step moves information by 4 components, so with 4 s < n the last
component and its gradient are exactly zero (as in GradBench); the work is the same. The quick
size (n = 20, s = 10) has 4 s > n, so its check compares non-zero gradients.
"""
import numpy as np

from _shared import numpy_like

NAME = 'ode'
WRT = ('x',)


def make_inputs(rng, quick=False):
    n, s = (20, 10) if quick else (1000, 100)
    return rng.random(n), s


def sizes(quick=False):
    return 'n=20, s=10' if quick else 'n=1000, s=100'


def rhs(x, y):
    # f(y)_0 = x_0, f(y)_i = x_i * y_{i-1}
    return x * np.concatenate((np.ones(1), y[:-1]))


def objective(x, s):
    tf = 2.0
    h = tf / s
    y = np.zeros_like(x)
    for _ in range(s):
        k1 = rhs(x, y)
        k2 = rhs(x, y + h / 2 * k1)
        k3 = rhs(x, y + h / 2 * k2)
        k4 = rhs(x, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[-1]


jax_objective = numpy_like(objective, 'jax.numpy')
autograd_objective = numpy_like(objective, 'autograd.numpy')


def _torch_rhs(x, y):
    import torch
    return x * torch.cat((torch.ones(1, dtype=torch.float64), y[:-1]))


def torch_objective(x, s):
    import torch
    tf = 2.0
    h = tf / s
    y = torch.zeros_like(x)
    for _ in range(s):
        k1 = _torch_rhs(x, y)
        k2 = _torch_rhs(x, y + h / 2 * k1)
        k3 = _torch_rhs(x, y + h / 2 * k2)
        k4 = _torch_rhs(x, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[-1]


def jax_jit_objective(x, s):
    """The same computation for `jax.jit`, with the steps in `jax.lax.fori_loop` (jit unrolls
    a Python loop: 950 s to compile the full size here), as GradBench's JAX tool writes it."""
    import jax
    import jax.numpy as jnp
    h = 2.0 / s

    def rhs_j(y):
        return x * jnp.concatenate((jnp.ones(1), y[:-1]))

    def step(_, y):
        k1 = rhs_j(y)
        k2 = rhs_j(y + h / 2 * k1)
        k3 = rhs_j(y + h / 2 * k2)
        k4 = rhs_j(y + h * k3)
        return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return jax.lax.fori_loop(0, s, step, jnp.zeros_like(x))[-1]
