"""Readable derivatives: no zero tangents carried, temporaries named after what they hold."""
import numpy as np
import pytest

import s2sgrad

import readable_functions as funcs


def central_jvp(f, args, i, v, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[i] = args[i] + eps * v
    minus[i] = args[i] - eps * v
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


def test_forward_over_reverse_carries_no_zero_tangents():
    """The Hessian-vector product of a logistic regression: the seed's tangent is zero, so
    no tangent of the adjoints that only the seed reaches is carried (before: a chain of
    ``s2s.zeros_like`` and ``s2s.unbroadcast`` of zeros)."""
    source = s2sgrad.jvp(s2sgrad.grad(funcs.logistic_regression)).source
    assert 'zeros_like' not in source, source
    rng = np.random.default_rng(0)
    w, X = rng.standard_normal(3), rng.standard_normal((6, 3))
    y, v = (rng.random(6) > 0.5) * 1.0, rng.standard_normal(3)
    p = 1 / (1 + np.exp(-(X @ w)))
    closed_form = X.T @ (p * (1 - p) * (X @ v))  # X^T diag(p (1 - p)) X v
    np.testing.assert_allclose(s2sgrad.hvp(funcs.logistic_regression)(w, X, y, v),
                               closed_form, rtol=1e-10)


def test_zero_tangents_reassigned_in_a_loop_are_kept():
    """A variable whose first value has a zero tangent but that a loop updates with nonzero
    ones keeps its tangent: only variables assigned once are dropped."""
    rng = np.random.default_rng(1)
    x, c, v = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4)
    got = s2sgrad.jvp(funcs.zero_then_reassigned)(x, c, v)
    np.testing.assert_allclose(got, central_jvp(funcs.zero_then_reassigned, (x, c), 0, v),
                               rtol=1e-7)
    h0, W = rng.standard_normal(3), 0.5 * rng.standard_normal((3, 3))
    xs, dW = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    got = s2sgrad.jvp(funcs.rnn, wrt=1)(h0, W, xs, dW)
    np.testing.assert_allclose(got, central_jvp(funcs.rnn, (h0, W, xs), 1, dW), rtol=1e-7)


def test_calls_through_submodules_are_named_after_the_function():
    source = s2sgrad.grad(funcs.log_det).source
    assert 'det_X = np.linalg.det(X)' in source and 'np_linalg' not in source, source
    source = s2sgrad.jvp(s2sgrad.grad(funcs.logistic_regression)).source
    assert 's2s_' not in source, source


def test_forward_mode_loops_keep_no_copies_of_temporaries():
    """``s = s + np.sum(y * y)`` in a loop is printed as such in forward mode, with its
    tangent ``ds = ds + ...`` (before: ``s_plus_sum = s + sum_y; ...; s = s_plus_sum``)."""
    source = s2sgrad.jvp(funcs.running_sum).source
    assert 's = s + sum_y_times_y' in source and 'ds = ds + dsum_y_times_y' in source, source
    source = s2sgrad.jvp(funcs.fibonacci_like).source
    assert 'items' not in source, source
    rng = np.random.default_rng(2)
    x, v = rng.standard_normal(3), rng.standard_normal(3)
    for f in (funcs.running_sum, funcs.fibonacci_like):
        np.testing.assert_allclose(s2sgrad.jvp(f)(x, v), central_jvp(f, (x,), 0, v),
                                   rtol=1e-7)


def test_the_users_casts_by_neutral_numbers_are_kept():
    """``1 * m`` turns a bool mask into integers, ``1.0 * k`` and ``k / 1`` integers into
    floats: the optimizer and the algebraic rules keep them (dropping them gave ``m + m``, a
    logical or, and int8 products that overflow)."""
    x = np.array([1.0, 2.0, 3.0])
    m = np.array([True, False, True])
    k = np.array([100, 50, -100], dtype=np.int8)
    value, gradient = s2sgrad.value_and_grad(funcs.mask_counted_twice)(x, m)
    assert value == funcs.mask_counted_twice(x, m) == 8.0
    np.testing.assert_allclose(gradient, [2.0, 0.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(funcs.integer_square_as_float)(x, k),
                               [10000.0, 2500.0, 10000.0])
    np.testing.assert_allclose(s2sgrad.grad(funcs.divided_by_one)(x, k),
                               [10000.0, 2500.0, 10000.0])
    shapes = {'x': ('n',), 'm': ('n',)}
    np.testing.assert_allclose(s2sgrad.grad(funcs.mask_counted_twice, shapes=shapes)(x, m),
                               [2.0, 0.0, 2.0])
    shapes = {'x': ('n',), 'k': ('n',)}
    np.testing.assert_allclose(s2sgrad.grad(funcs.integer_square_as_float,
                                            shapes=shapes)(x, k), [10000.0, 2500.0, 10000.0])


def test_declared_shapes_are_checked_for_lists_and_defaults():
    from s2sgrad.errors import ShapeError
    df = s2sgrad.grad(funcs.scaled_sum, shapes={'c': ()})
    with pytest.raises(ShapeError, match='`c` has shape \\(3,\\)'):
        df(np.ones(3), [1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match='`c` has shape \\(2,\\)'):
        df(np.ones(3))  # the default value of c has another shape than declared
    np.testing.assert_allclose(df(np.ones(3), 2.0), [2.0, 2.0, 2.0])


def test_lists_are_not_arrays_for_the_rules():
    """A list argument is made an array by the calls that read it: rules that would hand the
    list itself on (``sign(x) * abs(x) -> x``) do not apply to it, and a
    list passed for an argument declared as an array is refused."""
    from s2sgrad.errors import ShapeError
    np.testing.assert_array_equal(s2sgrad.grad(funcs.norm_of)([0.0, 0.0, 0.0]), [0.0, 0.0, 0.0])
    with pytest.raises(ShapeError, match='np.asarray'):
        s2sgrad.grad(funcs.norm_of, shapes={'x': ('n',)})([3.0, 4.0])
    np.testing.assert_allclose(s2sgrad.grad(funcs.norm_of, shapes={'x': ('n',)})(
        np.array([3.0, 4.0])), [0.6, 0.8])
