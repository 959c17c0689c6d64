"""Comprehensions are lowered to loops: gradients of user-style programs, and clear errors."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import check_grads
from s2sgrad.errors import UnsupportedSyntaxError

import comprehension_functions as cf
from trees import central_grad

RNG = np.random.default_rng(0)
X3 = RNG.standard_normal(3)
WS = [RNG.standard_normal((2, 3)) for _ in range(3)]

CASES = [
    (cf.squares_then_sum, ([X3, 2 * X3, -X3],), 0),
    (cf.sum_of_generator, (0.7, [1.0, 2.0, -0.5]), 0),
    (cf.stacked_layers, (X3, WS), 0),
    (cf.stacked_layers, (X3, WS), 1),
    (cf.with_condition, (X3, [0, 1, 2, 3, 4]), 0),
    (cf.nested_generators, (0.3, [1.0, 2.0], [0.5, -1.0, 2.0]), 0),
    (cf.nested_comprehension, (RNG.standard_normal((3, 3)),), 0),
    (cf.shadows_a_local, (X3,), 0),
    (cf.tuple_targets, (1.5, [(1.0, 2.0), (3.0, -1.0)]), 0),
    (cf.reads_its_own_name, (0.4, [X3, X3 ** 2]), 0),
    (cf.reads_its_own_name, (0.4, [X3, X3 ** 2]), 1),
    (cf.in_if_test, (X3, [1, 2, 3]), 0),
    (cf.in_if_test, (X3, [0, 1]), 0),
    (cf.in_loop, ([0.5, -1.0, 2.0],), 0),
    (cf.enumerate_weights, (1.1, [0.5, 2.0, 3.0]), 0),
    (cf.in_nested_function, (X3,), 0),
    (cf.zip_of_lists, ([X3, X3 + 1], [X3 * 2, X3 - 1]), 0),
    (cf.squared_norm, (X3,), 0),
]


def _numeric(func, args, wrt):
    if isinstance(args[wrt], list):
        return [central_grad(lambda item, k=k: func(*_replace(args, wrt, k, item)),
                             [args[wrt][k]], 0) for k in range(len(args[wrt]))]
    return central_grad(func, list(args), wrt)


def _replace(args, wrt, k, item):
    args = list(args)
    items = list(args[wrt])
    items[k] = item
    args[wrt] = items
    return args


@pytest.mark.parametrize('func, args, wrt', CASES,
                         ids=[f'{c[0].__name__}-{c[2]}' for c in CASES])
def test_gradient_matches_central_differences(func, args, wrt):
    gradient = s2sgrad.grad(func, wrt=wrt)(*args)
    expected = _numeric(func, args, wrt)
    if isinstance(expected, list):
        assert len(gradient) == len(expected)
        for got, want in zip(gradient, expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    else:
        np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('func, args, wrt', CASES[:6], ids=[c[0].__name__ for c in CASES[:6]])
def test_forward_mode_matches_reverse(func, args, wrt):
    if isinstance(args[wrt], list):
        pytest.skip('jvp of a list argument: covered by reverse mode')
    tangent = np.ones_like(np.asarray(args[wrt], dtype=float))
    if np.ndim(args[wrt]) == 0:
        tangent = 1.0
    forward = s2sgrad.jvp(func, wrt=wrt)(*args, tangent)
    reverse = s2sgrad.grad(func, wrt=wrt)(*args)
    np.testing.assert_allclose(forward, np.sum(reverse * tangent), rtol=1e-10)


def test_the_comprehension_reads_as_the_loop_a_person_writes():
    source = s2sgrad.grad(cf.squares_then_sum).source
    assert 'ys = []' in source and 'ys.append(x_times_x)' in source, source
    assert '# Grad of: ys = [x * x for x in xs]' in source, source


def test_a_local_of_the_same_name_is_not_clobbered():
    x = np.array([1.0, -2.0])
    # i is 3.0 after the comprehension, as in Python: d/dx (sum_i x * i) * 3 = 6 * 3
    np.testing.assert_allclose(s2sgrad.grad(cf.shadows_a_local)(x), [18.0, 18.0])
    assert cf.shadows_a_local(x) == pytest.approx(np.sum(x) * 6 * 3.0)


def test_input_lists_are_not_modified():
    xs = [X3.copy(), X3.copy()]
    s2sgrad.grad(cf.reads_its_own_name, wrt=1)(0.4, xs)
    np.testing.assert_array_equal(xs[0], X3)


@pytest.mark.parametrize('func, args, what', [
    (cf.in_while_condition, (1.0,), 'a comprehension in a `while` condition'),
    (cf.in_conditional_expression, (X3, False), 'a comprehension in a conditional expression'),
    (cf.generator_to_other, (1.0,), 'a generator expression'),
])
def test_comprehensions_that_cannot_move_are_refused_at_their_line(func, args, what):
    with pytest.raises(UnsupportedSyntaxError, match=what) as info:
        s2sgrad.grad(func)(*args)
    assert info.value.filename.endswith('comprehension_functions.py')
    assert 'for' in info.value.text


def test_set_comprehension_of_constants_is_a_set_call():
    # (``{k for k in range(3)}`` is ``set([k for k in range(3)])``: three items, no derivative)
    assert s2sgrad.grad(cf.set_comprehension)(1.5) == 3.0


# -- sorted: of a generator expression, of a list, of an array, reversed --------------------

def sorted_squares(x):
    s = sorted(x[i] * x[i] for i in range(3))
    return s[0] + 2 * s[-1] * s[1]


def sorted_descending(x):
    s = sorted(x, reverse=True)
    return s[0] * 3 + s[1] * s[2]


def sorted_by_magnitude(x):
    s = sorted([x[0], x[1] * 2, x[2] ** 2], key=abs)
    return s[0] * s[1] + np.sin(s[2])


@pytest.mark.parametrize('f', [sorted_squares, sorted_descending, sorted_by_magnitude],
                         ids=lambda f: f.__name__)
def test_sorted(f):
    check_grads(f, [np.array([0.5, -1.3, 2.0])], modes=('rev', 'fwd'), order=2)
