"""Programs from the second reviews of this session: ``sum(items, start)`` in a helper (its
`start` itself when `items` is empty), a dict subclass of the user's holding a list the
function appends to, shapes given to NumPy's integer ufuncs next to ``x.T``, NumPy 2's
``mean=`` of ``np.var``/``np.std`` (any value, not only the mean), ``np.linalg.pinv`` with a
cut that drops singular values, and the dtype of a float32 max's tangent. Expected values
are central differences; the refusals name the line."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError
from trees import central_grad

X = np.array([0.7, 1.3, -0.4])
NUMPY2 = int(np.__version__.split('.')[0]) >= 2


def accumulate(terms, init):
    return sum(terms, init)


def written_after_a_sum_with_a_start(x, n):
    bias = x * 0.5
    total = accumulate([x * float(i) for i in range(n)], bias)
    total[1] = 0.0  # (also zeroes bias[1] when n == 0: `total` is `bias` itself)
    return np.sum(total * x) + np.sum(bias ** 2)


def test_a_sum_with_a_start_may_be_its_start():
    for n in (0, 2):
        try:
            got = s2sgrad.grad(written_after_a_sum_with_a_start)(X, n)
        except S2SError as error:
            assert 'test_review_session9.py' in str(error)
            continue
        want = central_grad(lambda x: written_after_a_sum_with_a_start(x, n), [X], 0)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


class AttrDict(dict):
    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def appends_to_a_list_a_dict_of_yours_holds(x, d):
    scale = d.scale
    hist = d['hist']
    hist.append(x * scale)
    return np.sum(sum(hist) * x)


def test_a_dict_subclass_copied_keeps_its_type():
    d = AttrDict(scale=1.5, hist=[np.ones(3)])
    got = s2sgrad.grad(appends_to_a_list_a_dict_of_yours_holds)(X, d)
    want = central_grad(lambda x: appends_to_a_list_a_dict_of_yours_holds(
        x, AttrDict(scale=1.5, hist=[np.ones(3)])), [X], 0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert len(d['hist']) == 1
    tangent = s2sgrad.jvp(appends_to_a_list_a_dict_of_yours_holds)(X, d, np.ones(3))
    np.testing.assert_allclose(tangent, want.sum(), rtol=1e-6)
    assert len(d['hist']) == 1


def shapes_in_integer_ufuncs(a, b):
    out = np.maximum(a.shape, b.shape) + np.floor_divide(a.shape, 2)
    return np.sum(a.T @ b) * out[0]


def test_shapes_given_to_integer_ufuncs_stay_shapes():
    a = np.arange(9.0).reshape(3, 3) / 10.0
    b = np.arange(6.0).reshape(3, 2) / 10.0
    got = s2sgrad.grad(shapes_in_integer_ufuncs)(a, b)
    np.testing.assert_allclose(got, central_grad(shapes_in_integer_ufuncs, [a, b], 0),
                               rtol=1e-6)
    assert 's2s.field' not in s2sgrad.grad(shapes_in_integer_ufuncs).source


def var_about_a_given_value(x):
    return np.var(x, mean=0.3)


def std_about_given_values(x):
    return np.sum(np.std(x, axis=0, mean=np.full((1, 2), 0.25)))


def var_and_std_about_a_computed_mean(x):
    m = np.mean(x, axis=0, keepdims=True) * 0.9
    return np.sum(np.var(x, axis=0, mean=m, ddof=1)) + np.sum(np.std(x, axis=0, mean=m))


V = np.array([0.1, -0.4, 0.8, 1.2, -0.6])
W = np.random.default_rng(1).normal(size=(4, 2))


@pytest.mark.skipif(not NUMPY2, reason='mean= of np.var and np.std is NumPy 2')
@pytest.mark.parametrize('f, x', [(var_about_a_given_value, V), (std_about_given_values, W),
                                  (var_and_std_about_a_computed_mean, W)],
                         ids=['var', 'std', 'computed'])
def test_var_and_std_about_a_given_mean(f, x):
    want = central_grad(f, [x], 0)
    np.testing.assert_allclose(s2sgrad.grad(f)(x), want, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2sgrad.jvp(f)(x, np.ones_like(x)), want.sum(), rtol=1e-6)


def test_nanvar_about_a_given_mean_is_refused():
    if not NUMPY2:
        pytest.skip('mean= of np.nanvar is NumPy 2')

    def f(x):
        return np.nanvar(x, mean=0.3)
    with pytest.raises(S2SError, match='without mean='):
        s2sgrad.grad(f)(V)


C = np.arange(12.0).reshape(4, 3)
A = np.random.default_rng(0).standard_normal((3, 4))  # (singular values 1.96, 1.37, 0.46)


def pinv_cut(x):
    return np.sum(np.linalg.pinv(x, rcond=0.5) * C)


def pinv_cut_small(x):
    return np.sum(np.linalg.pinv(x, rcond=1e-3) * C)


def test_pinv_with_a_cut_that_drops_singular_values_is_refused():
    with pytest.raises(S2SError, match='rcond='):
        s2sgrad.grad(pinv_cut)(A)
    with pytest.raises(S2SError, match='rcond='):
        s2sgrad.jvp(pinv_cut)(A, np.ones_like(A))
    want = central_grad(pinv_cut_small, [A], 0)  # (drops none: the rules hold)
    np.testing.assert_allclose(s2sgrad.grad(pinv_cut_small)(A), want, rtol=1e-5, atol=1e-8)


def test_the_tangent_of_a_float32_max_is_float32():
    x = np.array([1.0, 3.0, 2.0, 3.0], np.float32)

    def f(x):
        return np.max(x) + np.max(x.reshape(2, 2), axis=0)
    tangent = s2sgrad.jvp(f)(x, np.ones(4, np.float32))
    assert tangent.dtype == np.float32
    np.testing.assert_allclose(tangent, [2.0, 2.0])


def branches_on_a_flag(x):
    if x.flags['C_CONTIGUOUS']:
        return np.sum(x ** 2)
    return np.sum(x)


def test_an_array_flag_read_in_forward_mode():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2sgrad.grad(branches_on_a_flag)(x), 2 * x)
    np.testing.assert_allclose(s2sgrad.jvp(branches_on_a_flag)(x, np.ones(3)), 2 * x.sum())


def reversed_while_held(x):
    lst = [x, x * 2.0]
    pair = (lst, 1.0)
    lst.reverse()
    return np.sum(pair[0][0])


def test_a_list_reordered_while_held_is_refused_as_reordered():
    with pytest.raises(S2SError, match='reordered'):
        s2sgrad.grad(reversed_while_held)(X)
