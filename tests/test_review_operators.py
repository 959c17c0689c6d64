"""Programs from an adversarial review of the derived operators (jvp, vjp, jacobian, hessian,
hvp, grad of grad) and of boolean masks: each was silently wrong, crashed in generated code or
was refused; now each is checked against central differences or a closed form, or refused
loudly where the operand is differentiated."""

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads, numerical_grad
from s2sgrad.errors import UnsupportedSyntaxError


# -- ``x = x``: its adjoint passes the adjoint on unchanged --------------------------------

def self_assigned_in_a_branch(x, flag=True):
    if flag:
        x = x
    return x * x


def self_assigned_in_a_loop(x):
    y = x * 1.0
    for i in range(2):
        y = (y)
    return y * y * x


def shifted_in_a_loop(x):
    y = x
    for i in range(3):
        y = y - 0.1  # its first gradient passes `by` on unchanged
    return y * y * x


def shifted_in_a_branch(x):
    y = x
    if y > 1:
        y = y + 1.0
    return y * y * x


def copied_back_and_forth(x):
    y = x * 3.0
    for i in range(2):
        z = y
        y = z
    return y * x


def test_self_assignment_first_order_in_every_mode():
    for f, closed in ((self_assigned_in_a_branch, lambda x: 2 * x),
                      (self_assigned_in_a_loop, lambda x: 3 * x ** 2),
                      (copied_back_and_forth, lambda x: 6 * x)):
        for x in (2.0, -0.7):
            assert s2sgrad.grad(f)(x) == pytest.approx(closed(x))
            assert s2sgrad.vjp(f)(x, 1.0) == pytest.approx(closed(x))
            assert s2sgrad.jvp(f)(x, 1.0) == pytest.approx(closed(x))


def test_adjoint_passed_on_unchanged_is_no_statement():
    source = s2sgrad.grad(shifted_in_a_loop).source
    assert 'by = by\n' not in source
    assert 'for i in reversed' not in source  # (the loop's backward part has nothing to do)


def test_second_order_through_an_adjoint_passed_on_unchanged():
    cases = ((shifted_in_a_loop, lambda x: 6 * x - 1.2),  # (x - 0.3)^2 x
             (shifted_in_a_branch, lambda x: 6 * x + 4 if x > 1 else 6 * x),
             (copied_back_and_forth, lambda x: 6.0),
             (self_assigned_in_a_branch, lambda x: 2.0))
    for f, second in cases:
        for x in (2.0, 0.5):
            assert s2sgrad.grad(s2sgrad.grad(f))(x) == pytest.approx(second(x))
            assert s2sgrad.hessian(f)(x) == pytest.approx(second(x))


def shifted_vector(x):
    y = x * 1.0
    for i in range(2):
        y = y - 0.5
    return np.sum(y * y * x)


def test_reverse_jacobian_of_the_gradient_is_the_hessian():
    x = np.array([0.3, 1.7, -2.0])
    expected = np.diag(6 * x - 4.0)  # (x - 1)^2 x per entry
    np.testing.assert_allclose(s2sgrad.jacobian(s2sgrad.grad(shifted_vector), mode='rev')(x),
                               expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s2sgrad.jacobian(s2sgrad.grad(shifted_vector))(x), expected,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s2sgrad.hessian(shifted_vector)(x), expected, rtol=1e-12,
                               atol=1e-12)


# -- integer tangents and cotangents are floats --------------------------------------------

def first_item_halved(x):
    y = x.copy()
    y[0] = x[0] * 0.5
    return np.sum(y ** 2)


def items_rewritten(x):
    y = x * 1.0
    for i in range(3):
        y[i] = y[i] * 0.25 + x[i] ** 2
    return y


def test_integer_tangent_gives_the_float_product():
    x = np.array([1.0, 2.0, 3.0])
    for v in (np.array([1, 0, 0]), np.array([1, 1, 1]), np.array([True, False, True])):
        exact = np.asarray(v, dtype=np.float64)
        expected = numerical_grad(first_item_halved, (x,), 0) @ exact
        got = s2sgrad.jvp(first_item_halved)(x, v)
        assert got == pytest.approx(expected, rel=1e-6)
        hessian = np.diag([0.5, 2.0, 2.0])  # d2/dx2 of (x0/2)^2 + x1^2 + x2^2
        np.testing.assert_allclose(s2sgrad.hvp(first_item_halved)(x, v), hessian @ exact)
    tangent = s2sgrad.jvp(items_rewritten)(x, np.array([1, 1, 1]))
    assert tangent.dtype == np.float64
    np.testing.assert_allclose(tangent, 0.25 + 2 * x)


def test_integer_cotangent_gives_the_float_product():
    x = np.array([1.0, 2.0, 3.0])
    for u in (np.array([1, 1, 1]), np.array([0, 1, 2])):
        expected = u * (0.25 + 2 * x)
        np.testing.assert_allclose(s2sgrad.vjp(items_rewritten)(x, u), expected)
        pytest.importorskip('numba', reason='the compiled path needs numba')
        np.testing.assert_allclose(s2sgrad.vjp(items_rewritten, compile='numba')(x, u),
                                   expected)


def outer_row_halved(x):
    a = np.outer(x, x)
    a[0, :] = 0.5 * a[0, :]
    return a


def test_integer_cotangent_of_a_matrix_written_by_rows():
    x = np.array([1.0, -2.0, 0.5])
    u = np.arange(9).reshape(3, 3)
    jacobian = s2sgrad.jacobian(outer_row_halved)(x)  # (3, 3, 3), checked below
    numeric = np.stack([numerical_grad(lambda x, i=i, j=j: outer_row_halved(x)[i, j], (x,), 0)
                        for i in range(3) for j in range(3)]).reshape(3, 3, 3)
    np.testing.assert_allclose(jacobian, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.vjp(outer_row_halved)(x, u),
                               np.tensordot(u, numeric, axes=2), rtol=1e-6)


# -- a slice of the argument written, the argument returned ---------------------------------

def tail_doubled_in_place(x):
    x[1:] *= 2.0
    return x


def tail_plus_head(x):
    x[1:] += x[:-1]
    return x


def column_scaled(x):
    x[:, 0] *= x[:, 1]
    return x


def test_vjp_and_jacobian_of_a_function_writing_a_slice_of_its_argument():
    x = np.array([1.0, 2.0, 3.0])
    kept = x.copy()
    np.testing.assert_allclose(s2sgrad.vjp(tail_doubled_in_place)(x, np.ones(3)), [1, 2, 2])
    np.testing.assert_allclose(s2sgrad.jacobian(tail_doubled_in_place)(x), np.diag([1, 2, 2]))
    # x[1:] += x[:-1] reads the old x[:-1] (NumPy buffers the overlap): y_i = x_i + x_{i-1}
    np.testing.assert_allclose(s2sgrad.jacobian(tail_plus_head)(x),
                               [[1, 0, 0], [1, 1, 0], [0, 1, 1]])
    np.testing.assert_array_equal(x, kept)
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    u = np.array([[1.0, 0.5], [-1.0, 2.0]])
    expected = u.copy()  # y[:, 0] = x[:, 0] * x[:, 1]
    expected[:, 0] = u[:, 0] * m[:, 1]
    expected[:, 1] = u[:, 1] + u[:, 0] * m[:, 0]
    np.testing.assert_allclose(s2sgrad.vjp(column_scaled)(m, u), expected)
    np.testing.assert_array_equal(m, [[1.0, 2.0], [3.0, 4.0]])


# -- boolean masks: ~ & | ^ on values that are not differentiated -----------------------------

def masked_sums(x):
    m = x > 0
    return np.sum(x[~m] ** 2) + np.sum(x[(x > -1) & (x < 1)]) + \
        np.sum(np.where(m | (x < -1), x, 0.0) ** 3)


def finite_parts(x):
    m = np.isfinite(x)
    return np.sum(x[~m] ** 2) + np.sum(x[m] ** 3)


def masked_write(x):
    m = (np.abs(x) > 1) | np.isnan(x)
    y = x.copy()
    y[~m] = 0.0
    y[(x > 0) ^ (x > 1)] *= 3.0
    return np.sum(y * x)


def mask_narrowed_in_place(x):
    m = x > 0
    m &= x < 1
    m |= x < -1
    return np.sum(np.where(m, x ** 2, x))


@pytest.mark.parametrize('f', [masked_sums, finite_parts, masked_write, mask_narrowed_in_place])
def test_mask_operators_on_comparisons(f):
    x = np.array([-1.5, -0.2, 0.3, 1.2])
    kept = x.copy()
    check_grads(f, (x,), modes=('rev', 'fwd'), order=2)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_array_equal(x, kept)


def inverted(x):
    return np.sum(~x)


def and_of_a_differentiated_value(x):
    y = x * 2
    return np.sum(y & 3)


@pytest.mark.parametrize('f', [inverted, and_of_a_differentiated_value])
def test_bitwise_operator_of_a_differentiated_value_is_refused(f):
    symbol = '~' if f is inverted else '&'
    for operator in (s2sgrad.grad, s2sgrad.jvp):
        with pytest.raises(UnsupportedSyntaxError, match=f'the operator `{symbol}` applied'):
            operator(f)(np.array([1, 2, 3]))


# -- second order of a matrix built by item writes and solved ---------------------------------

def covariance_written_then_solved(x):
    cov = np.eye(2) * 2.0
    cov[0, 1] = x[0] * 0.3
    return np.sum(np.linalg.solve(cov, x))


def test_hessian_of_a_matrix_written_by_items_then_solved():
    # the first gradient solves with s2s.mT(cov) (a view) and restores cov[0, 1] afterwards:
    # the second differentiation copies the view where it is made
    x = np.array([0.3, -0.7])
    first = s2sgrad.grad(covariance_written_then_solved)
    numeric = np.stack([numerical_grad(lambda x, i=i: first(x)[i], (x,), 0) for i in range(2)])
    for hessian in (s2sgrad.hessian(covariance_written_then_solved)(x),
                    s2sgrad.jacobian(first, mode='rev')(x), s2sgrad.jacobian(first)(x)):
        np.testing.assert_allclose(hessian, numeric, rtol=1e-6, atol=1e-8)
    check_grads(covariance_written_then_solved, (x,), modes=('rev', 'fwd'), order=2)


# -- third order through the helpers of stacks, transposes, means and maxima ----------------

def stacked_squares(t):
    return np.sum(np.stack([t * np.ones(2), t ** 2 * np.ones(2)]) ** 2)  # 2t^2 + 2t^4


def transposed_cube(t):
    a = t * np.arange(1.0, 25.0).reshape(2, 3, 4)
    return np.sum(np.transpose(a, (2, 0, 1)) ** 3) / 1000.0  # t^3 sum(k^3) / 1000


def test_third_derivative_through_stack_and_transpose():
    k3 = np.sum(np.arange(1.0, 25.0) ** 3) / 1000.0
    cases = ((stacked_squares, lambda t: 48 * t), (transposed_cube, lambda t: 6 * k3))
    for f, third in cases:
        assert s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(f)))(0.7) == pytest.approx(third(0.7))


def mean_squared(x):
    return np.mean(x * x) ** 2


def max_squared(x):
    return np.max(x * x) ** 2


def gradient_norm(f):
    first = s2sgrad.grad(f)

    def penalty(x):
        return np.sum(first(x) ** 2)
    return penalty


@pytest.mark.parametrize('f', [mean_squared, max_squared])
def test_hessian_of_a_gradient_norm_penalty(f):
    x = np.array([0.3, -1.1, 0.6])
    penalty = gradient_norm(f)
    gradient = s2sgrad.grad(penalty)
    np.testing.assert_allclose(gradient(x), numerical_grad(penalty, (x,), 0), rtol=1e-6)
    numeric = np.stack([numerical_grad(lambda x, i=i: gradient(x)[i], (x,), 0)
                        for i in range(3)])
    for hessian in (s2sgrad.hessian(penalty)(x), s2sgrad.jacobian(gradient, mode='rev')(x)):
        np.testing.assert_allclose(hessian, numeric, rtol=1e-5, atol=1e-6)


# -- a 0-d array or NumPy number indexed whole ---------------------------------------------

def cube_of_the_item(x):
    a = x[()]
    return a ** 3


def cube_of_the_view(x):
    return np.sum(x[...] ** 3) + np.sum(x[None] ** 3)


def test_second_order_and_tangents_of_a_zero_dimensional_array_indexed_whole():
    for x in (np.array(0.7), np.float64(0.7)):
        assert s2sgrad.grad(s2sgrad.grad(cube_of_the_item))(x) == pytest.approx(4.2)
        value, second = s2sgrad.value_and_grad(s2sgrad.grad(cube_of_the_item))(x)
        assert (value, second) == (pytest.approx(1.47), pytest.approx(4.2))
    x = np.array(0.7)
    assert s2sgrad.grad(s2sgrad.grad(cube_of_the_view))(x) == pytest.approx(8.4)
    for tangent in (1.0, 2, np.float64(1.0)):
        assert s2sgrad.jvp(cube_of_the_item)(x, tangent) == pytest.approx(1.47 * tangent)
        assert s2sgrad.hvp(cube_of_the_item)(x, tangent) == pytest.approx(4.2 * tangent)


# -- the adjoint of a max or min over an axis with a nan slice and a tied slice ----------------

def column_minima(x):
    return np.sum(np.min(x, axis=0))


def test_extremum_over_an_axis_with_a_nan_slice_and_a_tie():
    # one match short in the nan column, one extra in the tied one: counting all matches
    # took them for one per slice (the tie's adjoint was not shared)
    x = np.array([[np.nan, 5.0], [0.0, 5.0]])
    with np.errstate(invalid='ignore'):
        got = s2sgrad.grad(column_minima)(x)
    np.testing.assert_array_equal(got[:, 1], [0.5, 0.5])
    assert np.isnan(got[:, 0]).all()
    x = np.array([[1.0, 5.0], [0.0, 5.0]])  # (no nan: the tie shares)
    np.testing.assert_array_equal(s2sgrad.grad(column_minima)(x), [[0.0, 0.5], [1.0, 0.5]])


def self_assigned_then_written(x):
    x = x
    x[0] = x[0] ** 2
    return np.sum(x)


def self_assigned_in_a_loop_then_written(x):
    y = x * 1.0
    for i in range(2):
        y = y
        y[i] = y[i] * y[i + 1]
    return np.sum(y)


def list_grown_then_self_assigned(x):
    items = [x[0], x[1]]
    items.append(items[0] * items[1])
    items = items
    return items[2] ** 2 + items[0]


def test_self_assignment_is_no_second_name_of_the_array():
    x = np.array([0.3, -1.2, 0.5, 2.0])
    for f in (self_assigned_then_written, self_assigned_in_a_loop_then_written):
        kept = x.copy()
        np.testing.assert_allclose(s2sgrad.grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-6,
                                   atol=1e-8)
        check_grads(f, (x,), modes=('rev', 'fwd'))
        np.testing.assert_array_equal(x, kept)
    x0, x1 = 0.3, -1.2  # (x0 x1)^2 + x0
    expected = [[2 * x1 ** 2, 4 * x0 * x1], [4 * x0 * x1, 2 * x0 ** 2]]
    got = s2sgrad.hessian(list_grown_then_self_assigned)(np.array([x0, x1]))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# -- calls of the operators' results that leave something out ------------------------------

def power_sum(x, p):
    return np.sum(x ** p)


def test_vjp_called_without_its_cotangent_says_so():
    """``vjp(f)(x, 2.0)`` for ``f(x, p)`` took 2.0 for the cotangent and raised Python's
    TypeError about the generated function's missing `p`; jvp and hvp say what is wrong."""
    x = np.array([0.5, 1.5, 2.0])
    with pytest.raises(s2sgrad.errors.ShapeError, match='cotangent left out'):
        s2sgrad.vjp(power_sum)(x, 2.0)
    with pytest.raises(s2sgrad.errors.ShapeError, match='cotangent'):
        s2sgrad.vjp(power_sum)()
    np.testing.assert_allclose(s2sgrad.vjp(power_sum)(x, 2.0, 3.0), 3.0 * 2.0 * x, rtol=1e-12)


def sum_of_sines(x, scale=1.0):
    return scale * np.sum(np.sin(x) ** 2)


@pytest.mark.parametrize('operator, last', [('jvp', 'tangent'), ('hvp', 'vector')])
def test_jvp_and_hvp_called_without_their_vector_say_so(operator, last):
    """``jvp(f)(x)`` raised ``KeyError: 'x'`` and ``hvp(f)()`` a ValueError about
    unpacking; the message names the operator, the missing argument and `f`'s line."""
    x = np.array([0.3, -0.5, 1.2])
    make = getattr(s2sgrad, operator)
    for args in [(x,), ()]:
        with pytest.raises(s2sgrad.errors.ShapeError, match=f'{last} left out') as info:
            make(sum_of_sines)(*args)
        assert f'{operator}(f)(*args, {last})' in str(info.value)
        assert 'def sum_of_sines' in str(info.value)
    e = np.array([0.0, 1.0, 0.0])
    want = {'jvp': 2 * np.sin(x) * np.cos(x) @ e, 'hvp': 2 * np.cos(2 * x) * e}[operator]
    np.testing.assert_allclose(make(sum_of_sines)(x, e), want, rtol=1e-12)


def test_jacobian_mode_is_one_of_its_choices():
    def residual(x):
        return np.sin(x) * x[0]
    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(ValueError, match="mode='forward'"):
        s2sgrad.jacobian(residual, mode='forward')
    want = np.diag(np.cos(x) * x[0]) + np.outer(np.sin(x), [1.0, 0.0, 0.0])
    for mode in ('fwd', 'rev', None):
        np.testing.assert_allclose(s2sgrad.jacobian(residual, mode=mode)(x), want, rtol=1e-12)


def test_an_operators_result_is_refused_with_the_operators_to_use():
    """``jacobian(jacobian(v))`` and the like were refused with messages about s2sgrad's own
    wrappers (``the *args parameter of jac``, ``jvp.<locals>.apply``)."""
    def residual(x):
        return np.sin(x) * x[0]
    x = np.array([0.3, -0.7, 1.1])
    v = np.ones(3)
    for operator, make in [('jacobian', lambda: s2sgrad.jacobian(s2sgrad.jacobian(residual))),
                           ('jvp', lambda: s2sgrad.grad(s2sgrad.jvp(power_sum))),
                           ('vjp', lambda: s2sgrad.jacobian(s2sgrad.vjp(residual))),
                           ('hvp', lambda: s2sgrad.jacobian(s2sgrad.hvp(power_sum))),
                           ('hessian', lambda: s2sgrad.hessian(s2sgrad.hessian(power_sum)))]:
        with pytest.raises(s2sgrad.errors.SourceUnavailableError) as caught:
            make()
        message = str(caught.value)
        assert f'result of s2sgrad.{operator}' in message and 'hessian(f)' in message
        assert 'apply' not in message and '*args' not in message
    # (what the message offers works: the Jacobian of the generated jvp)
    generated = s2sgrad.jvp(residual).generated  # (its tangent: a keyword argument)
    tangent = generated.tangent_names['x']
    jac = s2sgrad.jacobian(generated, wrt=0)(x, **{tangent: v})
    h = 1e-6
    want = np.array([(s2sgrad.jvp(residual)(x + h * e, v) - s2sgrad.jvp(residual)(x - h * e, v))
                     / (2 * h) for e in np.eye(3)]).T
    np.testing.assert_allclose(jac, want, rtol=1e-6, atol=1e-8)
