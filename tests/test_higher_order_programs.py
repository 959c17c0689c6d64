"""Generated gradients differentiated again, on programs written the way users write them.

Helpers that return tuples or lists, lists built in loops, ``return`` inside loops (in the
differentiated function and in the helpers it calls): second derivatives by reverse over
reverse (`jacobian(grad(f), mode='rev')`, `grad` of a function that calls a gradient),
forward over reverse (`hessian`, `hvp`) and in both motions. Every expected value is a
central difference of the first gradient (or of the function, for first derivatives), never
s2sgrad's own output.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads


def central_jacobian(g, x, h=1e-5):
    """Central differences of `g` (array to array) at `x`: shape ``g(x).shape + x.shape``."""
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(x.size):
        step = np.zeros_like(x)
        step.flat[i] = h
        columns.append((np.asarray(g(x + step), dtype=float) -
                        np.asarray(g(x - step), dtype=float)) / (2 * h))
    return np.stack(columns, axis=-1)


X = np.array([0.3, 0.55, 0.7])
W = np.array([0.4, -1.1, 0.9])


# -- helpers returning tuples and lists, results kept in lists ---------------------------------

def pair(x):
    return x * 2.0, np.sin(x)


def pair_list(x):
    return [x * 2.0, np.sin(x)]


def triple(x):
    return x * 2.0, np.sin(x), x * x


def product(t):
    return t[0] * t[1]


def loop_of_pairs(x):
    out = []
    for i in range(3):
        a, b = pair(x[i])
        out.append(a * b)
    return sum(out)


def loop_of_list_pairs(x):
    out = []
    for i in range(3):
        a, b = pair_list(x[i])
        out.append(a * b)
    return sum(out)


def loop_of_triples_stacked(x):
    out = []
    for i in range(3):
        a, b, c = triple(x[i])
        out.append(a * b + c)
    return np.sum(np.stack(out) ** 2)


def comprehension_of_pairs(x):
    ps = [pair(x[i]) for i in range(3)]
    return sum([p[0] * p[1] for p in ps])


def pair_of_pair(x):
    out = []
    for i in range(3):
        a, b = pair(x[i])
        c, d = pair(a * b)
        out.append(c + d)
    return sum(out)


def tuple_passed_twice(x):
    t = pair(x[1])
    return product(t) + product(t) * x[0] + x[2] * t[0]


def tuple_passed_in_loop(x):
    t = pair(x[0])
    s = 0.0
    for i in range(3):
        s = s + product(t) * x[i]
    return s


def list_of_tuples(x):
    ps = []
    for i in range(3):
        ps.append(pair(x[i]))
    s = 0.0
    for p in ps:
        s = s + product(p) + product(p) * p[1]
    return s


def pairs_in_while(x):
    out = []
    i = 0
    while i < 3:
        a, b = pair(x[i])
        out.append(a * b)
        i += 1
    return sum(out)


# -- return inside loops -------------------------------------------------------------------

def first_big_cubed(x):
    for i in range(3):
        if x[i] > 0.5:
            return x[i] ** 3
    return x[0]


def calls_first_big(x):
    return first_big_cubed(x) * np.sum(x)


def helper_returns_in_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] ** 2
        if s > 0.2:
            return s
    return s * 2.0


def calls_helper_returning_in_loop(x):
    return helper_returns_in_loop(x) * x[0]


def tuple_returned_in_loop(x):
    for i in range(3):
        if x[i] > 0.5:
            return x[i] ** 2, x[i] * x[0]
    return x[0], x[1]


def calls_tuple_returned_in_loop(x):
    a, b = tuple_returned_in_loop(x)
    return a * b + a


def returns_constant_in_loop(x):
    s = 0.0
    for i in range(3):
        if x[i] > 0.6:
            return s
    return s + x[0] ** 2


def list_returned_in_loop(x):
    out = []
    for i in range(3):
        out.append(x[i] ** 2)
        if len(out) > 1:
            return sum(out) * x[2]
    return sum(out)


def list_made_in_loop_popped_later(x):
    for k in range(2):
        out = []
        for i in range(3):
            out.append(x[i] * (k + 1.0))
    s = 0.0
    for i in range(3):
        s = s + out.pop() ** 2 * x[i]
    return s


def return_in_while_of_helper(x):
    i = 0
    s = 1.0
    while i < 3:
        s = s * np.cos(x[i])
        if s < 0.8:
            return s * x[i]
        i = i + 1
    return s


def calls_while_helper_twice(x):
    return return_in_while_of_helper(x) + x[1] * return_in_while_of_helper(x * 0.5)


PROGRAMS = [loop_of_pairs, loop_of_list_pairs, loop_of_triples_stacked, comprehension_of_pairs,
            pair_of_pair, tuple_passed_twice, tuple_passed_in_loop, list_of_tuples,
            pairs_in_while, calls_first_big, calls_helper_returning_in_loop,
            calls_tuple_returned_in_loop, returns_constant_in_loop, list_returned_in_loop,
            list_made_in_loop_popped_later, calls_while_helper_twice]


@pytest.mark.parametrize('f', PROGRAMS, ids=lambda f: f.__name__)
def test_gradient_then_reverse_over_reverse(f):
    df = s2sgrad.grad(f)
    np.testing.assert_allclose(df(X), central_jacobian(f, X), rtol=1e-6, atol=1e-8)
    H = central_jacobian(df, X)
    np.testing.assert_allclose(s2sgrad.jacobian(df, mode='rev')(X), H, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hessian(f)(X), H, rtol=1e-5, atol=1e-7)

    def weighted(x):  # a user function that calls the gradient
        return np.sum(df(x) * W)
    np.testing.assert_allclose(s2sgrad.grad(weighted)(X), H.T @ W, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('f', [loop_of_pairs, tuple_passed_twice, list_returned_in_loop,
                               calls_tuple_returned_in_loop], ids=lambda f: f.__name__)
def test_joint_motion_and_forward_over_reverse(f):
    H = central_jacobian(s2sgrad.grad(f), X)
    joint = s2sgrad.grad(f, motion='joint')
    np.testing.assert_allclose(s2sgrad.jacobian(joint, mode='rev')(X), H, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.jacobian(s2sgrad.grad(f), mode='fwd')(X), H,
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2sgrad.hvp(f)(X, W), H @ W, rtol=1e-5, atol=1e-7)


def test_a_tuple_used_twice_gets_both_contributions():
    """``product(t) + product(t)``: the two adjoints of the tuple `t` add item by item
    (they were concatenated, and the second was lost)."""
    def f(x):
        t = pair(x)
        return product(t) + product(t) * 2.0
    x = 0.3
    expected = 3.0 * (2.0 * np.sin(x) + 2.0 * x * np.cos(x))
    assert abs(s2sgrad.grad(f)(x) - expected) < 1e-12


@pytest.mark.parametrize('x', [np.array([0.3, 0.5, 0.7]), np.array([0.3, 0.2, 0.1])])
def test_return_of_a_constant_in_a_loop(x):
    """The branch that returns a value without derivative has an empty backward block."""
    expected = central_jacobian(returns_constant_in_loop, x)
    np.testing.assert_allclose(s2sgrad.grad(returns_constant_in_loop)(x), expected,
                               atol=1e-8)
    H = central_jacobian(s2sgrad.grad(returns_constant_in_loop), x)
    np.testing.assert_allclose(s2sgrad.hessian(returns_constant_in_loop)(x), H, atol=1e-6)


def test_generated_source_has_no_empty_blocks():
    """What `df.source` prints compiles, and no block holds only comments."""
    import ast
    for f in (returns_constant_in_loop, calls_helper_returning_in_loop):
        for made in (s2sgrad.grad(f), s2sgrad.vjp(s2sgrad.grad(f))):
            for node in ast.walk(ast.parse(made.source)):
                for field in ('body', 'orelse'):
                    block = getattr(node, field, None)
                    if isinstance(block, list) and block:
                        assert not all(isinstance(s, ast.Pass) for s in block) or \
                            field == 'body' and isinstance(node, ast.FunctionDef), \
                            ast.unparse(node)


# -- third order: the gradient of a second derivative of a `return` inside a loop -------------
# (the backward sweep of a loop that only restores values was left out while other loops
# popped the same stacks, the index and branch condition saved by each loop: IndexError)

def first_positive_scaled(v):
    for i in range(len(v)):
        if v[i] > 0:
            return v[i] * v
    return v


def first_positive_broken(v):
    out = v
    for i in range(len(v)):
        if v[i] > 0:
            out = v[i] * v
            break
    return out


def sine_energy(x):
    return np.sum(np.sin(first_positive_scaled(x)) ** 2)


def sine_energy_broken(x):
    return np.sum(np.sin(first_positive_broken(x)) ** 2)


def curvature_of(energy):
    def curvature(x):
        return np.sum(s2sgrad.grad(energy)(x) * W)
    return curvature


THIRD_ORDER_X = [np.array([-0.5, 0.7, 1.3]), np.array([0.4, -0.2, 0.6]),
                 np.array([-0.3, -0.8, 0.5])]


@pytest.mark.parametrize('energy', [sine_energy, sine_energy_broken], ids=lambda f: f.__name__)
@pytest.mark.parametrize('x', THIRD_ORDER_X, ids=['second', 'first', 'last'])
def test_third_order_through_a_return_in_a_loop(energy, x):
    curvature = curvature_of(energy)
    second = s2sgrad.grad(curvature)      # a second derivative, differentiated again below
    expected = central_jacobian(second, x, h=1e-4)
    np.testing.assert_allclose(s2sgrad.jacobian(second, mode='rev')(x), expected, atol=1e-5,
                               rtol=1e-5)
    np.testing.assert_allclose(s2sgrad.jacobian(second, mode='fwd')(x), expected, atol=1e-5,
                               rtol=1e-5)


# -- a filled-in recurrence (dynamic programming) at second order: the seed and the adjoint
# of a read are new memory, so restoring the array in the gradient is not a write into them

def filled_recurrence(x):
    R = np.zeros(len(x) + 1)
    for i in range(1, len(x) + 1):
        R[i] = R[i - 1] * 0.5 + x[i - 1] ** 2
    return R[-1]


def soft_minimum_table(x, y, gamma=0.5):
    n, m = len(x), len(y)
    R = np.full((n + 1, m + 1), 1e3)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (x[i - 1] - y[j - 1]) ** 2
            r = np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]])
            R[i, j] = cost - gamma * np.log(np.sum(np.exp(-(r - np.min(r)) / gamma))) + \
                np.min(r)
    return R[n, m]


def test_recurrences_at_second_order():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([1.0, -1.0, 0.5])
    np.testing.assert_allclose(s2sgrad.hvp(filled_recurrence)(x, v), [0.5, -1.0, 1.0])
    check_grads(soft_minimum_table, (np.array([0.1, 0.5, -0.3]), np.array([0.2, 0.4])),
                modes=('rev', 'fwd'), order=2)


def list_in_a_branch(x, flag=True):
    if flag:
        xs = [x, x * 2]
        r = 0.0
        for q in xs:
            r = r + q * q * q
    else:
        r = x
    return r  # (9 x ** 3 on this path)


def test_third_derivative_of_a_list_built_in_a_branch():
    # (an adjoint of the list that nothing added to was read by item: 'float' object is not
    # subscriptable in the third derivative's code)
    d3 = s2sgrad.grad(s2sgrad.grad(s2sgrad.grad(list_in_a_branch)))
    assert d3(0.7) == pytest.approx(54.0)
    assert s2sgrad.grad(s2sgrad.grad(list_in_a_branch))(0.7) == pytest.approx(54.0 * 0.7)


def rows_of_comprehensions(x):
    rows = []
    for i in range(2):
        rows.append([x * i * x + j for j in range(3)])
    return sum(sum(r) for r in rows)


def test_list_of_lists_second_derivative():
    # (3 x ** 2: hessian runs forward mode over the gradient; grad of grad meets the gradient's
    # stack of lists that grew after they were pushed, and says to use hvp or hessian)
    assert s2sgrad.hessian(rows_of_comprehensions)(0.7) == pytest.approx(6.0)
    assert s2sgrad.hvp(rows_of_comprehensions)(0.7, 1.0) == pytest.approx(6.0)
    try:
        value = s2sgrad.grad(s2sgrad.grad(rows_of_comprehensions))(0.7)
    except s2sgrad.errors.NoRuleError as error:
        assert 'hvp' in str(error)
    else:
        assert value == pytest.approx(6.0)
