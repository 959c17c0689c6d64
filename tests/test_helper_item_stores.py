"""A helper that puts another argument's array into a container it was given and then adds
into it in place (``a['t'] = b['m']; a['t'] += dw``, ``a.setdefault('t', m)``, ``a += [m]``,
an annotated store): the write reaches that argument, so the call is refused (or checked at
run time); the caller's arrays never change. Found by this session's regression reviews."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import S2SError


def store_then_add(w, dw, a, b):
    a['t'] = b['m']
    a['t'] += dw
    return w - 0.1 * a['t'], a


def default_then_add(w, dw, a, m):
    a.setdefault('t', m)
    a['t'] += dw
    return w - 0.1 * a['t'], a


def annotated_store_then_add(w, dw, a, m):
    a['t']: np.ndarray = m
    a['t'] += dw
    return w - 0.1 * a['t'], a


def extend_then_add(w, dw, a, m):
    a += [m]
    a[-1] += dw
    return w - 0.1 * a[-1], a


def loss_store(w, x):
    b = {'m': x}
    w2, a = store_then_add(w, x * w * w, {'t': 0.0}, b)
    return np.sum(w2 ** 2) + np.sum(x)


def loss_default(w, x):
    w2, a = default_then_add(w, x * w * w, {}, x)
    return np.sum(w2 ** 2) + np.sum(x)


def loss_annotated(w, x):
    w2, a = annotated_store_then_add(w, x * w * w, {}, x)
    return np.sum(w2 ** 2) + np.sum(x)


def loss_extend(w, x):
    w2, a = extend_then_add(w, x * w * w, [], x)
    return np.sum(w2 ** 2) + np.sum(x)


@pytest.mark.parametrize('f', [loss_store, loss_default, loss_annotated, loss_extend])
def test_an_argument_put_into_a_container_then_added_into_is_refused(f):
    w, x = np.array([0.5, -0.3, 0.8]), np.array([1.2, 0.4, -0.7])
    kept = x.copy()
    for wrt in (0, 1):
        try:
            g = s2sgrad.grad(f, wrt=wrt)(w, x)
        except S2SError:
            continue
        np.testing.assert_allclose(g, numerical_grad(f, (w, x), wrt), rtol=1e-6)
    np.testing.assert_array_equal(x, kept)


def bump_attribute(w, dw, o):
    o.t += dw
    return w - 0.1 * o.t


class State:
    def __init__(self, t):
        self.t = t


def loss_attribute(w, x):
    return np.sum(bump_attribute(w, x * w, State(0.5)) ** 2)


def test_an_attribute_added_into_by_a_helper_is_no_crash():
    w, x = np.array([0.5, -0.3, 0.8]), np.array([1.2, 0.4, -0.7])
    try:
        g = s2sgrad.grad(loss_attribute)(w, x)
    except S2SError:
        return
    np.testing.assert_allclose(g, numerical_grad(loss_attribute, (w, x), 0), rtol=1e-6)


def scale_first(w, ps):
    ps[0] *= 2.0
    return w * 2.0


def loss_display_of_a_view(x, y):
    a = y * 1.0
    w = scale_first(x, [a[:]])  # (the view of `a` is the caller's memory)
    return np.sum(w * a)


def test_a_display_of_views_passed_to_a_writing_helper_is_checked():
    x, y = np.array([0.5, -0.3, 0.8]), np.array([1.2, 0.4, -0.7])
    with pytest.raises(S2SError):
        s2sgrad.grad(loss_display_of_a_view)(x, y)


def rows_of_dicts(x):
    rows = [{'a': 1, 'b': 2}, {'a': 3, 'b': 4}]
    first, second = zip(*rows)  # (a dict's items are its keys)
    return np.sum(x) * len(first) + x[0] * (first == ('a', 'a'))


def test_unzipped_rows_are_what_zip_takes_of_them():
    x = np.array([0.5, -0.3, 0.8])
    np.testing.assert_allclose(s2sgrad.grad(rows_of_dicts)(x),
                               numerical_grad(rows_of_dicts, (x,), 0))


def with_module_parameter(y, np=np):
    return np.take(y, [0, 2]).sum()


def test_an_array_method_of_a_parameter_holding_a_module_is_refused():
    with pytest.raises(S2SError, match='np.take'):
        s2sgrad.grad(with_module_parameter)(np.array([0.5, -0.3, 0.8]))


def appended_item_scaled(u, nu):
    un = list(u)
    v = un[0]
    un.append(v)
    un[0] *= nu  # (NumPy scales the array both items are)
    return np.sum(un[-1])


def test_an_item_appended_again_and_scaled_in_place_is_refused_or_right():
    u = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    try:
        g = s2sgrad.grad(appended_item_scaled, wrt=1)([a.copy() for a in u], 0.5)
    except S2SError:
        return
    assert abs(g - 3.0) < 1e-9
