"""Functions that draw random numbers: no draw is dropped as dead code (the draws after it
would shift), and a call that draws is never run a second time by a derivative that
recomputes it (it would draw others): that is refused, naming the draw."""
import math
import random

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError

X = np.array([0.5, 1.5, -2.0])


def offset_then_scale(x, rng):
    offset = rng.normal(size=3)  # (only the value reads it: its draw still happens)
    scale = rng.uniform(size=3)
    return np.sum(x * scale) + np.sum(offset)


def global_offset_then_scale(x):
    offset = np.random.normal(size=3)
    scale = np.random.uniform(size=3)
    return np.sum(x * scale) + np.sum(offset)


def module_offset_then_scale(t):
    offset = random.gauss(0.0, 1.0)
    scale = random.random()
    return t * scale + offset


def _uniform_after_normal(seed):
    rng = np.random.default_rng(seed)
    rng.normal(size=3)
    return rng.uniform(size=3)


def test_a_draw_nothing_else_reads_still_advances_the_generator():
    expected = _uniform_after_normal(0)
    np.testing.assert_allclose(s2sgrad.grad(offset_then_scale)(X, np.random.default_rng(0)),
                               expected)
    np.testing.assert_allclose(
        s2sgrad.jvp(offset_then_scale)(X, np.random.default_rng(0), np.ones(3)),
        np.sum(expected))
    np.random.seed(3)
    np.random.normal(size=3)
    expected = np.random.uniform(size=3)
    np.random.seed(3)
    np.testing.assert_allclose(s2sgrad.grad(global_offset_then_scale)(X), expected)
    random.seed(5)
    random.gauss(0.0, 1.0)
    expected = random.random()
    random.seed(5)
    assert s2sgrad.grad(module_offset_then_scale)(0.3) == expected


def noisy(h):
    return np.sin(h * np.random.rand(3))


def noisy_loss(x):
    return np.sum(noisy(x))


def noisy_loss_with_a_write(x):
    y = np.zeros(3)
    y[0] = x[0] * 2.0  # (an array changed in place: calls are recomputed, joint motion)
    return np.sum(noisy(x)) + np.sum(y)


def test_a_call_that_draws_runs_once_in_split_motion():
    np.random.seed(0)
    u = np.random.rand(3)
    np.random.seed(0)
    np.testing.assert_allclose(s2sgrad.grad(noisy_loss)(X), u * np.cos(X * u))


@pytest.mark.parametrize('make', [
    lambda: s2sgrad.grad(noisy_loss, motion='joint'),
    lambda: s2sgrad.grad(noisy_loss_with_a_write),
    lambda: (lambda x: s2sgrad.hvp(noisy_loss)(x, np.ones(3))),
], ids=['joint', 'write-in-caller', 'hvp'])
def test_a_call_that_draws_is_not_recomputed(make):
    with pytest.raises(UnsupportedSyntaxError, match=r'draws random numbers \(`np\.random\.'
                                                     r'rand\(3\)` in `noisy`\)'):
        make()(X)


def normal(v):
    return v / np.sqrt(np.sum(v ** 2))  # (a unit vector: a function of yours, no draw)


def projected(x):
    return np.sum(normal(x) * np.arange(3.0))


def projected_with_a_write(x):
    y = x * 1.0
    y[0] = 2.0 * x[0]
    return projected(y)


def test_a_function_of_yours_named_like_a_draw_is_read_for_what_it_does():
    r = np.sqrt(np.sum(X ** 2))
    w = np.arange(3.0)
    expected = w / r - X * (X @ w) / r ** 3
    np.testing.assert_allclose(s2sgrad.grad(projected, motion='joint')(X), expected)
    np.testing.assert_allclose(s2sgrad.hvp(projected)(X, np.ones(3)),
                               s2sgrad.hessian(projected)(X) @ np.ones(3))
    y = X * np.array([2.0, 1.0, 1.0])
    r = np.sqrt(np.sum(y ** 2))
    np.testing.assert_allclose(s2sgrad.grad(projected_with_a_write)(X),
                               (w / r - y * (y @ w) / r ** 3) * np.array([2.0, 1.0, 1.0]))


def noise(rng, n):
    return rng.normal(size=n)


def draws_in_a_helper_whose_result_is_unused(x):
    rng = np.random.default_rng(0)
    a = noise(rng, 3)  # (unused: its draw still happens)  # noqa: F841
    b = noise(rng, 3)
    return np.sum(x * b)


def draws_in_a_nested_function(x):
    rng = np.random.default_rng(0)

    def draw():
        return rng.normal(size=3)
    a = draw()  # noqa: F841
    b = draw()
    return np.sum(x * b)


def add_noise(x, rng):
    return x + rng.normal(size=3)


def differentiated_call_whose_result_is_unused(x):
    rng = np.random.default_rng(0)
    y = add_noise(x, rng)  # noqa: F841
    y2 = add_noise(x * 2.0, rng)
    return np.sum(y2 * y2)


def rarer_draw_first(x):
    rng = np.random.default_rng(0)
    a = rng.power(2.0, size=3)  # noqa: F841
    b = rng.normal(size=3)
    return np.sum(x * b)


def _second_normal(power_first=False):
    rng = np.random.default_rng(0)
    if power_first:
        rng.power(2.0, size=3)
    else:
        rng.normal(size=3)
    return rng.normal(size=3)


@pytest.mark.parametrize('f', [draws_in_a_helper_whose_result_is_unused,
                               draws_in_a_nested_function, rarer_draw_first],
                         ids=lambda f: f.__name__)
def test_a_draw_in_a_call_whose_value_is_unused_still_happens(f):
    expected = _second_normal(power_first=f is rarer_draw_first)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), expected)
    np.testing.assert_allclose(s2sgrad.jvp(f)(X, np.ones(3)), np.sum(expected))


def test_a_differentiated_call_whose_value_is_unused_still_draws():
    rng = np.random.default_rng(0)
    rng.normal(size=3)
    second = rng.normal(size=3)
    expected = 4.0 * (2.0 * X + second)  # d/dx sum((2x + n2)^2)
    np.testing.assert_allclose(s2sgrad.grad(differentiated_call_whose_result_is_unused)(X),
                               expected)
    np.testing.assert_allclose(
        s2sgrad.jvp(differentiated_call_whose_result_is_unused)(X, np.ones(3)), np.sum(expected))


def scaled_by_gamma(x):
    return x * math.gamma(2.5)  # (a library function named like a draw: math's, no draw)


def gamma_scaled_loss(x):
    return np.sum(scaled_by_gamma(x) ** 2)


def test_a_library_function_named_like_a_draw_is_no_draw():
    np.testing.assert_allclose(s2sgrad.grad(gamma_scaled_loss, motion='joint')(X),
                               2 * math.gamma(2.5) ** 2 * X)
    np.testing.assert_allclose(s2sgrad.hvp(gamma_scaled_loss)(X, np.ones(3)),
                               2 * math.gamma(2.5) ** 2 * np.ones(3))


RNG = np.random.default_rng(7)


def noisy_target(x):
    noise = RNG.normal(size=3)  # (read once, by the backward sweep: never written out there)
    return np.sum((x + noise) ** 2)


def reparameterised(x):
    eps = np.random.normal(size=3)
    z = x * 2 + eps * 0.1
    return np.sum(np.sin(z))


def seeded_inside(x):
    np.random.seed(3)
    return np.sum(np.cos(x * np.random.standard_normal(3)))


@pytest.mark.parametrize('f', [noisy_target, reparameterised, seeded_inside])
def test_a_draw_read_once_by_the_derivative_is_not_drawn_again(f):
    """The simplifier wrote a draw's value into the one adjoint that reads it
    (``bz = np.cos(x * 2 + np.random.normal(size=3) * 0.1)``) while the draw itself stayed:
    the gradient was of other noise than the value's. A draw is no pure expression."""
    state = RNG.bit_generator.state

    def run(fn, *args):
        RNG.bit_generator.state = state
        np.random.seed(11)
        return fn(*args)

    def value(x):
        return run(f, x)

    got = run(s2sgrad.grad(f), X)
    h = 1e-6
    want = np.array([(value(X + h * e) - value(X - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    source = s2sgrad.grad(f).source
    draw = 'normal' if f is not seeded_inside else 'standard_normal'
    code = [line for line in source.splitlines() if not line.strip().startswith('#')]
    assert sum(line.count(draw + '(') for line in code) == 1, source


def chained_draw(x):
    y = x * 1.0
    y[0] = z = np.random.rand()  # (one draw, for both targets)
    return np.sum(y * x) * z


def chained_then_written(x):
    rows = [x * 1.0, x * 2.0]
    rows[0] = m = rows[1] * 3.0  # (one array, under both names)
    m[0] = 5.0
    return np.sum(rows[0] * x)


def test_a_chained_assignment_evaluates_its_value_once():
    """``y[0] = z = expr`` computed `expr` again for `z`: a second draw (the gradient of
    another function, and the generator one draw further on), and a second array, so that
    a write through `m` did not reach ``rows[0]`` (a wrong value and gradient)."""
    state = np.random.get_state()
    try:
        np.random.seed(5)
        got = s2sgrad.grad(chained_draw)(X)
        after = np.random.rand()
        np.random.seed(5)
        z = np.random.rand()
        assert np.random.rand() == after  # (one draw, as the function makes)
        # f = z * (z x0 + x1^2 + x2^2), for the one draw z
        want = z * np.array([z, 2 * X[1], 2 * X[2]])
        np.testing.assert_allclose(got, want, rtol=1e-12)
    finally:
        np.random.set_state(state)
    try:
        df = s2sgrad.grad(chained_then_written)
    except UnsupportedSyntaxError:
        return  # (a write through a name a list holds: refused, as the unchained form is)
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(df(x), np.array([5.0, 6.0 * 2 * x[1], 6.0 * 2 * x[2]]),
                               rtol=1e-12)
