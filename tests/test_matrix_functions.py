"""``scipy.linalg.expm``, ``sqrtm`` and ``solve_sylvester`` (templates/matrix_functions.py):
each row is checked in reverse and forward mode and at second order against central
differences, with the printed code self-contained; a square root that SciPy gives as complex,
and ``sqrtm``'s `disp`, are refused."""
import numpy as np
import pytest

import rulespec
import s2sgrad
from s2sgrad.errors import S2SError

scipy = pytest.importorskip('scipy', reason='scipy is not installed')
import scipy.linalg  # noqa: E402

W = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5], [-0.6, 0.9, 0.2]])


def f_expm(a): return np.sum(np.sin(scipy.linalg.expm(a)) * W)
def f_expm_stack(a): return np.sum(scipy.linalg.expm(a * 0.5) ** 2)
def f_expm_of_a_generator(w): return np.sum(scipy.linalg.expm(np.cross(np.eye(3), w)) @ W[0])
def f_sqrtm(a): return np.sum(scipy.linalg.sqrtm(a @ a.T + np.eye(3)) * W)
def f_sylvester(a, b, q): return np.sum(scipy.linalg.solve_sylvester(a, b, q) * W)


def f_lyapunov_cost(a):
    # the controllability Gramian of a stable system: a @ p + p @ a.T = -q
    stable = a - 3.0 * np.eye(3)
    p = scipy.linalg.solve_sylvester(stable, stable.T, -np.eye(3))
    return np.trace(p @ W @ W.T)


def f_discretised(a):
    # a linear system stepped by its exact propagator
    x = np.array([1.0, -0.5, 0.25])
    for _ in range(3):
        x = scipy.linalg.expm(a * 0.2) @ x
    return np.sum(x ** 2)


def square(n, scale=0.5):
    return lambda rng: [rng.uniform(-scale, scale, (n, n))]


ROWS = [
    (f_expm, square(3), 0),
    (f_expm_stack, lambda rng: [rng.uniform(-0.5, 0.5, (2, 3, 3))], 0),
    (f_expm_of_a_generator, lambda rng: [rng.uniform(-1, 1, 3)], 0),
    (f_sqrtm, square(3), 0),
    (f_sylvester, lambda rng: [rng.uniform(-0.5, 0.5, (3, 3)) + 3.0 * np.eye(3),
                               rng.uniform(-0.5, 0.5, (3, 3)) + 2.0 * np.eye(3),
                               rng.uniform(-1, 1, (3, 3))], (0, 1, 2)),
    (f_lyapunov_cost, square(3), 0),
    (f_discretised, square(3), 0),
]


@pytest.mark.parametrize('f, make_args, wrt', ROWS, ids=rulespec.ids(ROWS))
def test_derivatives_against_differences(f, make_args, wrt):
    rulespec.check_row(f, make_args, wrt)


def f_complex_root(a): return np.sum(scipy.linalg.sqrtm(a))
def f_root_with_disp(a): return np.sum(scipy.linalg.sqrtm(a, disp=False)[0])


def test_a_complex_square_root_and_disp_are_refused():
    with pytest.raises(S2SError, match='complex'):
        s2sgrad.grad(f_complex_root)(np.array([[-1.0, 0.2], [0.0, 2.0]]))
    with pytest.raises(S2SError, match='disp'):
        s2sgrad.grad(f_root_with_disp)(np.eye(2) * 2.0)


def f_sqrtm_stack(a): return np.sum(scipy.linalg.sqrtm(a @ np.swapaxes(a, -1, -2) + np.eye(3)) * W)
def f_sylvester_stack(q): return np.sum(scipy.linalg.solve_sylvester(STACK_A, STACK_B, q) ** 2)


STACK_A = np.stack([W + 3.0 * np.eye(3), W.T + 2.5 * np.eye(3)])
STACK_B = np.stack([np.eye(3) * 2.0 + 0.1 * W, np.eye(3) * 1.5 - 0.2 * W.T])
STACK_ROWS = [(f_sqrtm_stack, lambda rng: [rng.uniform(-0.5, 0.5, (2, 3, 3))], 0),
              (f_sylvester_stack, lambda rng: [rng.uniform(-1, 1, (2, 3, 3))], 0)]


@pytest.mark.parametrize('f, make_args, wrt', STACK_ROWS, ids=rulespec.ids(STACK_ROWS))
def test_stacks_of_matrices(f, make_args, wrt):
    # (the adjoints transpose each matrix of the stack, not the stack: ``.T`` of a stack
    # reversed its axes, silently wrong)
    try:
        f(*make_args(np.random.default_rng(0)))
    except ValueError:
        pytest.skip('this SciPy takes no stacks of matrices here')
    rulespec.check_row(f, make_args, wrt)
