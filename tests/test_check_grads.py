"""`check_grads` on vector-valued functions and container arguments, and the structure checks
of tangents and cotangents (issue #9).

Every check here can fail: correct functions must pass, functions given a deliberately wrong
derivative rule (`s2sgrad.adjoint` / `s2sgrad.tangent` on a small user function) must be
caught, and values of `jvp`/`vjp` are compared with closed forms.
"""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import check_grads, d
from s2sgrad.errors import ShapeError


# ----------------------------------------------------------------------------- user functions
# with rules: `bad_cube` has a wrong adjoint, `fwd_bad_cube` a wrong tangent, `flat_cube` rules
# whose first derivative is right but whose derivative is wrong (they call a function falsely
# declared non-differentiable).

def bad_cube(x):
    return x ** 3


@s2sgrad.adjoint(bad_cube)
def bad_cube_adjoint(ans, x):
    d[x] = d[ans] * 3.03 * x ** 2


@s2sgrad.tangent(bad_cube)
def bad_cube_tangent(ans, x):
    d[ans] = d[x] * 3.0 * x ** 2


def fwd_bad_cube(x):
    return x ** 3


@s2sgrad.adjoint(fwd_bad_cube)
def fwd_bad_cube_adjoint(ans, x):
    d[x] = d[ans] * 3.0 * x ** 2


@s2sgrad.tangent(fwd_bad_cube)
def fwd_bad_cube_tangent(ans, x):
    d[ans] = d[x] * 2.97 * x ** 2


def three_squares(x):
    return 3.0 * x ** 2


s2sgrad.nondifferentiable(three_squares)  # false on purpose: its derivative is 6 x


def flat_cube(x):
    return x ** 3


@s2sgrad.adjoint(flat_cube)
def flat_cube_adjoint(ans, x):
    d[x] = d[ans] * three_squares(x)


@s2sgrad.tangent(flat_cube)
def flat_cube_tangent(ans, x):
    d[ans] = d[x] * three_squares(x)


# ----------------------------------------------------------------------------- functions

def mat_tanh(x, A):
    return np.tanh(A @ x) * x[0]


def outer_sin(x, y):
    return np.sin(np.outer(x, y))


def pair(x):
    return x * 2.0, np.sum(np.sin(x))


def pieces(x):
    return [x[0] * x[1], (np.exp(x), x[2] ** 2)]


def with_count(x):
    return x ** 2, 3


def scalar_to_vector(t):
    return np.array([t ** 2, np.sin(t), 1.0])


def mlp_loss(params, x):
    h = np.tanh(x @ params['W1'] + params['b1'])
    return np.sum((h @ params['out']['W2']) ** 2)


def mlp_predict(params, x):
    h = np.tanh(x @ params['W1'] + params['b1'])
    return h @ params['out']['W2']


def layers_loss(layers, x):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def layers_predict(layers, x):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    return x


def configured(p, x):
    total = 0.0
    for k in range(p['n']):  # a float `n` would make range raise
        total = total + np.sum(np.tanh(p['scale'] * x + p['offset'][k])) * p['label_weight']
    return total + np.sum(p['idx'] * x[:2])


def floats_list(xs):
    return [xs[0] * xs[1], np.sin(xs[2]) * xs[0]]


def bad_vector(x, A):
    return A @ bad_cube(x)


def fwd_bad_vector(x, A):
    return A @ fwd_bad_cube(x)


def bad_leaf_loss(params, x):
    inner = params['sub']['b']
    return np.sum(np.tanh(x @ params['W'] + bad_cube(inner)) ** 2)


def fwd_bad_leaf_predict(params, x):
    return np.tanh(x @ params['W'] + fwd_bad_cube(params['sub']['b']))


def bad_layers_predict(layers, x):
    (W1, b1), (W2, b2) = layers
    h = np.tanh(x @ W1 + b1)
    return h @ W2 + bad_cube(b2)


def flat_scalar(params, x):
    return np.sum(flat_cube(params['w']) * x)


def flat_vector(x, A):
    return A @ flat_cube(x)


def text_output(x):
    return 'not a number'


def linear_dict(params, x):
    return np.sum(params['w'] * x) + params['b'] ** 2


def tuple_of_pairs(layers, x):
    (W, b), (c,) = layers
    return np.sum((W @ x + b) * c)


def split(x):
    return x * 2.0, np.sum(np.sin(x))


def nested_split(x):
    return x * 2.0, (np.sin(x), np.sum(x))


def two_numbers(x):
    return [np.sum(x ** 2), np.sum(np.sin(x))]


# ----------------------------------------------------------------------------- data

RNG = np.random.default_rng(7)
X3 = np.array([0.5, -0.8, 1.1])
A3 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [-0.7, 0.2, 0.9]])
BATCH = RNG.standard_normal((4, 3))


def mlp_params(dtype=np.float64):
    rng = np.random.default_rng(1)
    return {'W1': rng.standard_normal((3, 2)).astype(dtype),
            'b1': rng.standard_normal(2).astype(dtype),
            'out': {'W2': rng.standard_normal((2, 2)).astype(dtype)}}


def layers():
    rng = np.random.default_rng(2)
    return [(rng.standard_normal((3, 3)), rng.standard_normal(3)),
            (rng.standard_normal((3, 2)), rng.standard_normal(2))]


BOTH = ('rev', 'fwd')


# ----------------------------------------------------------------------------- correct functions

@pytest.mark.parametrize('order', [1, 2])
@pytest.mark.parametrize('f, args, wrt', [
    (mat_tanh, (X3, A3), (0, 1)),
    (outer_sin, (X3, X3[:2] + 0.3), (0, 1)),
    (pair, (X3,), 0),
    (pieces, (X3,), 0),
    (with_count, (X3,), 0),
    (scalar_to_vector, (0.7,), 0),
], ids=['matrix-vector', 'matrix-output', 'tuple-output', 'nested-list-output',
        'integer-part', 'number-argument'])
def test_vector_valued_functions_pass(f, args, wrt, order):
    check_grads(f, args, wrt=wrt, modes=BOTH, order=order)
    check_grads(f, args, wrt=wrt, modes='rev', order=order, seed=3)


@pytest.mark.parametrize('order', [1, 2])
@pytest.mark.parametrize('f, make_args', [
    (mlp_loss, lambda: (mlp_params(), BATCH)),
    (mlp_predict, lambda: (mlp_params(), BATCH)),
    (layers_loss, lambda: (layers(), BATCH)),
    (layers_predict, lambda: (layers(), BATCH)),
    (floats_list, lambda: ([1.0, 2.0, 0.5],)),
    (floats_list, lambda: ((1.0, 2.0, 0.5),)),
], ids=['dict-scalar', 'dict-vector', 'list-of-tuples-scalar', 'list-of-tuples-vector',
        'list-of-floats', 'tuple-of-floats'])
def test_container_arguments_pass(f, make_args, order):
    check_grads(f, make_args(), wrt=None, modes=BOTH, order=order)


def test_float32_containers_pass():
    check_grads(mlp_loss, (mlp_params(np.float32), BATCH.astype(np.float32)), modes=BOTH)
    check_grads(mlp_predict, (mlp_params(np.float32), BATCH.astype(np.float32)), modes=BOTH)


def test_integer_and_non_numeric_leaves_are_held_fixed():
    params = {'n': 2, 'scale': 1.3, 'offset': np.array([0.1, -0.2]), 'idx': np.array([1, 2]),
              'label_weight': 0.5, 'name': 'layer', 'extra': None}
    check_grads(configured, (params, X3), wrt=None, modes=BOTH, order=2)
    assert params['n'] == 2 and params['idx'].dtype.kind == 'i'
    with pytest.raises(ValueError, match='no differentiable argument'):
        check_grads(configured, ({'n': 2, 'idx': np.array([1, 2])}, X3), wrt=0)


def test_check_grads_rejects_outputs_without_derivatives():
    with pytest.raises(TypeError, match='output is a str'):
        check_grads(text_output, (X3,))


# ----------------------------------------------------------------------------- wrong rules caught

def test_wrong_adjoint_is_caught_for_vector_outputs():
    with pytest.raises(AssertionError, match='vjp .*disagrees with central differences'):
        check_grads(bad_vector, (X3, A3), wrt=0)
    with pytest.raises(AssertionError, match='disagrees'):
        check_grads(bad_vector, (X3, A3), wrt=0, modes=BOTH, seed=5)
    check_grads(bad_vector, (X3, A3), wrt=0, modes='fwd')   # its tangent rule is right
    check_grads(bad_vector, (X3, A3), wrt=1, modes=BOTH)    # and `A` does not reach the rule


def test_wrong_tangent_is_caught_element_by_element():
    with pytest.raises(AssertionError, match=r'forward-mode derivative .* at output\[\d\]'):
        check_grads(fwd_bad_vector, (X3, A3), wrt=0, modes='fwd')
    check_grads(fwd_bad_vector, (X3, A3), wrt=0, modes='rev')


def test_wrong_rule_on_one_nested_leaf_of_a_dict_is_caught():
    params = {'W': A3, 'sub': {'b': X3}}
    with pytest.raises(AssertionError, match="the gradient w.r.t. argument 0 \\('params'\\)"):
        check_grads(bad_leaf_loss, (params, BATCH), wrt='params')
    with pytest.raises(AssertionError, match='forward-mode'):
        check_grads(fwd_bad_leaf_predict, (params, BATCH), wrt=0, modes='fwd')
    check_grads(fwd_bad_leaf_predict, (params, BATCH), wrt=0, modes='rev')
    check_grads(bad_leaf_loss, (params, BATCH), wrt=1, modes=BOTH)  # `x` is right


def test_wrong_rule_on_a_list_of_tuples_is_caught():
    with pytest.raises(AssertionError, match='vjp'):
        check_grads(bad_layers_predict, (layers(), BATCH), wrt=0)
    check_grads(bad_layers_predict, (layers(), BATCH), wrt=1, modes=BOTH)


@pytest.mark.parametrize('f, args, label', [
    (flat_scalar, ({'w': X3}, np.array([0.4, -1.2, 0.7])), 'Hessian-vector product'),
    (flat_vector, (X3, A3), 'derivative of the vjp'),
], ids=['scalar-output-dict', 'vector-output'])
def test_wrong_second_derivative_is_caught_at_order_2(f, args, label):
    check_grads(f, args, wrt=0, modes=BOTH, order=1)      # the first derivative is right
    with pytest.raises(AssertionError, match=label):
        check_grads(f, args, wrt=0, modes=BOTH, order=2)


def test_a_vjp_of_the_wrong_structure_is_caught(monkeypatch):
    import s2sgrad.operators

    real = s2sgrad.operators.vjp

    def dropping_vjp(f, wrt=0, **kwargs):
        product = real(f, wrt=wrt, **kwargs)

        def apply(*args):
            out = dict(product(*args))
            out.pop('b1')
            return out
        return apply
    monkeypatch.setattr(s2sgrad.operators, 'vjp', dropping_vjp)
    with pytest.raises(AssertionError, match='structure'):
        check_grads(mlp_predict, (mlp_params(), BATCH))


def test_a_jvp_wrong_in_one_element_is_caught(monkeypatch):
    import s2sgrad.operators

    real = s2sgrad.operators.jvp

    def off_by_one_element(f, wrt=0, **kwargs):
        product = real(f, wrt=wrt, **kwargs)

        def apply(*args):
            out = np.array(product(*args))
            out[2, 1] += 1e-3 * (1.0 + abs(out[2, 1]))
            return out
        return apply
    monkeypatch.setattr(s2sgrad.operators, 'jvp', off_by_one_element)
    with pytest.raises(AssertionError, match=r'at output\[2, 1\]'):
        check_grads(outer_sin, (X3, X3[:2] + 0.3), modes='fwd')


# ----------------------------------------------------------------------------- structure errors

def _tangent_of_params():
    return {'W1': np.ones((3, 2)), 'b1': np.ones(2), 'out': {'W2': np.ones((2, 2))}}


def test_dict_tangents_of_the_right_structure_give_closed_forms():
    params = {'w': X3, 'b': 1.5}
    tangent = {'w': np.array([1.0, 2.0, -1.0]), 'b': 0.5}
    x = np.array([0.2, -0.4, 0.3])
    expected = np.sum(tangent['w'] * x) + 2 * 1.5 * 0.5
    assert s2sgrad.jvp(linear_dict)(params, x, tangent) == pytest.approx(expected, rel=1e-12)
    # key order does not matter
    swapped = {'b': 0.5, 'w': tangent['w']}
    assert s2sgrad.jvp(linear_dict)(params, x, swapped) == pytest.approx(expected, rel=1e-12)
    W, b, c = A3, X3, np.array([1.0, -1.0, 2.0])
    t = [(np.eye(3), np.ones(3)), [np.zeros(3)]]  # a list for a tuple is fine
    got = s2sgrad.jvp(tuple_of_pairs)([(W, b), (c,)], X3, t)
    assert got == pytest.approx(np.sum((X3 + 1.0) * c), rel=1e-12)


@pytest.mark.parametrize('change, message', [
    (lambda t: t.pop('b1'), r"tangent of `params\['b1'\]` is missing"),
    (lambda t: t['out'].pop('W2'), r"tangent of `params\['out'\]\['W2'\]` is missing"),
    (lambda t: t.update(zz=1.0), r"entry `params\['zz'\]`"),
    (lambda t: t.update(b1=np.ones(3)),
     r"tangent of `params\['b1'\]` has shape \(3,\), but `params\['b1'\]` has shape \(2,\)"),
    (lambda t: t.update(out=np.ones((2, 2))), r"tangent of `params\['out'\]` is a ndarray"),
    (lambda t: t['out'].update(W2=[[1.0, 1.0], [1.0, 1.0]]),
     r"tangent of `params\['out'\]\['W2'\]` is a list"),
], ids=['missing', 'missing-nested', 'extra', 'leaf-shape', 'array-for-dict', 'list-for-array'])
def test_jvp_and_hvp_reject_dict_tangents_of_the_wrong_structure(change, message):
    tangent = _tangent_of_params()
    change(tangent)
    with pytest.raises(ShapeError, match=message):
        s2sgrad.jvp(mlp_loss)(mlp_params(), BATCH, tangent)
    with pytest.raises(ShapeError, match=message):
        s2sgrad.hvp(mlp_loss)(mlp_params(), BATCH, tangent)
    with pytest.raises(ShapeError, match=message):
        s2sgrad.jvp(mlp_loss, wrt=(0, 1))(mlp_params(), BATCH, (tangent, np.ones((4, 3))))


def test_jvp_rejects_a_tangent_that_is_not_a_dict_for_a_dict():
    with pytest.raises(ShapeError, match='`params` is a dict'):
        s2sgrad.jvp(mlp_loss)(mlp_params(), BATCH, np.ones(3))


@pytest.mark.parametrize('tangent, message', [
    ([(np.ones((3, 3)), np.ones(3))], r'tangent of `layers` has 1 item\(s\), but `layers` has 2'),
    ([(np.ones((3, 3)), np.ones(3)), (np.ones((3, 2)),)],
     r'tangent of `layers\[1\]` has 1 item\(s\)'),
    ([(np.ones((3, 3)), np.ones(3)), (np.ones((3, 2)), np.ones(3))],
     r'tangent of `layers\[1\]\[1\]` has shape \(3,\), but `layers\[1\]\[1\]` has shape \(2,\)'),
    (np.ones((2, 2)), r'tangent of `layers\[0\]\[0\]` has shape \(\)'),
    ({'0': np.ones(3)}, r'tangent of `layers` is a dict'),
], ids=['short-list', 'short-tuple', 'leaf-shape', 'array-for-ragged-list', 'dict-for-list'])
def test_jvp_rejects_list_tangents_of_the_wrong_structure(tangent, message):
    with pytest.raises(ShapeError, match=message):
        s2sgrad.jvp(layers_loss)(layers(), BATCH, tangent)


def test_vjp_accepts_cotangents_of_the_output_structure():
    x = np.array([0.1, -0.4, 0.7])
    c = np.array([1.0, 2.0, -0.5])
    expected = 2.0 * c + 1.5 * np.cos(x)
    for cotangent in ((c, 1.5), [c, 1.5]):
        np.testing.assert_allclose(s2sgrad.vjp(split)(x, cotangent), expected, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.vjp(nested_split)(x, (c, (c, 2.0))),
                               2.0 * c + c * np.cos(x) + 2.0, rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.vjp(two_numbers)(x, np.array([1.0, -2.0])),
                               2 * x - 2.0 * np.cos(x), rtol=1e-12)


@pytest.mark.parametrize('f, cotangent, message', [
    (split, (np.ones(3),), r"cotangent of the function's output has 1 item\(s\)"),
    (split, (np.ones(3), 1.0, 1.0), r"has 3 item\(s\), but the function's output has 2"),
    (split, (np.ones(2), 1.0),
     r'cotangent of `output\[0\]` has shape \(2,\), but `output\[0\]` has shape \(3,\)'),
    (split, (np.ones(3), None), r'cotangent of `output\[1\]` is a NoneType'),
    (split, 1.0, r"is a float, but the function's output is a tuple"),
    (split, np.ones((2, 3)), r'cotangent of `output\[1\]` has shape \(3,\)'),
    (nested_split, (np.ones(3), (np.ones(3), np.ones(3))),
     r'cotangent of `output\[1\]\[1\]` has shape \(3,\), but `output\[1\]\[1\]` has shape \(\)'),
    (two_numbers, [np.ones(3), 1.0], r'cotangent of `output\[0\]` has shape \(3,\)'),
    (two_numbers, {'a': 1.0, 'b': 1.0}, r"is a dict, but the function's output is a list"),
], ids=['short', 'long', 'leaf-shape', 'none-leaf', 'number-for-tuple', 'stacked-array',
        'nested-leaf', 'array-for-number', 'dict-for-list'])
def test_vjp_rejects_cotangents_of_the_wrong_structure(f, cotangent, message):
    with pytest.raises(ShapeError, match=message):
        s2sgrad.vjp(f)(np.array([0.1, -0.4, 0.7]), cotangent)


def dot_of_zero_d(a):
    return np.sum(a.dot(np.ones(3)))


def test_a_zero_d_array_argument_stays_an_array_when_moved():
    """The moved copies of a 0-d array are 0-d arrays, not NumPy scalars (which lack
    ``.dot``): a review found check_grads failing on them."""
    check_grads(dot_of_zero_d, (np.array(2.0),), modes=('rev', 'fwd'), order=2)


def squares_of_nancumsum(a):
    return np.sum(np.nancumsum(a) ** 2)


def test_a_nan_entry_of_an_argument_does_not_move():
    """Moving a NaN entry gives NaN - NaN: the check counts it as not moved (a review found
    a false failure)."""
    check_grads(squares_of_nancumsum, (np.array([1.0, np.nan, 2.0]),), modes=('rev', 'fwd'))


def float32_output(x):
    return np.sum(x.astype(np.float32) ** 2)


def test_a_float32_output_of_a_float64_argument_gets_float32_tolerances():
    check_grads(float32_output, (np.array([0.3, -1.2, 0.7]),), modes=('rev', 'fwd'))
