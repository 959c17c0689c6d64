"""Everyday Python around the math (review X): text made for logging, ``all``/``any`` of a
generator expression."""
import numpy as np

import s2sgrad

X = np.array([0.3, -0.7, 1.1])


def logs_with_format(x):
    loss = np.sum(x ** 2)
    message = 'loss={:.3f} ({})'.format(loss, ', '.join(['a', 'b']))
    if len(message) > 1000:
        print(message)
    return loss


def checks_with_all_and_any(x):
    total = np.sum(x ** 3)
    if all(abs(v) < 2.0 for v in x):
        total = total * 2.0
    if any(v > 5.0 for v in x):
        total = total * 0.5
    return total


def test_text_of_a_value_is_no_derivative():
    """``'...'.format(loss)`` was refused as a method of an unknown object."""
    np.testing.assert_allclose(s2sgrad.grad(logs_with_format)(X), 2 * X, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jvp(logs_with_format)(X, np.ones(3)), 2 * X.sum(),
                               rtol=1e-12)


def test_all_and_any_of_a_generator_expression():
    """``all(... for v in x)`` was refused as a generator expression."""
    np.testing.assert_allclose(s2sgrad.grad(checks_with_all_and_any)(X), 6 * X ** 2,
                               rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.grad(checks_with_all_and_any)(X * 3), 3 * (3 * X) ** 2,
                               rtol=1e-12)
