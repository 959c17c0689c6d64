"""A differentiated argument that another argument holds (``f(x, M(x))``, ``f(x, [x])``,
``f(x, M(x[1:]))``), while the function writes in place into what that other argument holds:
the function sees the write through both, which s2sgrad, differentiating the arguments as
separate arrays, does not follow. Every such program raises InPlaceError (in reverse and
forward mode) naming the line; the same programs given separate arrays (and those whose
write is in a method of the object) give the derivative central differences give, and leave
the caller's arrays as they were."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError


class Holder:
    def __init__(self, buf):
        self.buf = buf

    def scale(self):
        self.buf *= 2.0

    def reset_first(self):
        self.buf[0] = 5.0

    def total(self):
        return np.sum(self.buf)


def through_a_method(x, m):
    m.scale()
    return np.sum(x * x)


def through_a_method_that_writes_an_item(x, m):
    y = np.sin(x)
    m.reset_first()
    return np.sum(x * y)


def item_of_an_attribute(x, m):
    y = x * 1.5
    m.buf[0] = 5.0
    return np.sum(x * y)


def augmented_attribute(x, m):
    m.buf += 1.0
    return np.sum(x ** 2)


def augmented_attribute_item(x, m):
    m.buf[1] *= 3.0
    return np.sum(np.tanh(x))


def through_a_local_name(x, m):
    b = m.buf
    b[0] = 5.0
    return np.sum(x * x)


def item_of_a_list_item(x, ws):
    ws[0][0] = 5.0
    return np.sum(x * x)


def slice_of_a_dict_item(x, d):
    d['w'][:2] = 0.0
    return np.sum(np.cos(x))


def augmented_through_a_local_name(x, m):
    b = m.buf
    b *= 2.0
    return np.sum(x ** 2) + np.sum(b)


def augmented_view(x, m):
    v = m.buf[1:]
    v += 1.0
    return np.sum(x ** 2) + np.sum(v)


ATTRIBUTE_WRITERS = [through_a_method, through_a_method_that_writes_an_item,
                     item_of_an_attribute, augmented_attribute, augmented_attribute_item,
                     through_a_local_name, augmented_through_a_local_name, augmented_view]

WRITTEN_HERE = [f for f in ATTRIBUTE_WRITERS
                if f not in (through_a_method, through_a_method_that_writes_an_item)]
"""(a method of the object writing into what it holds is not followed: README, "Known
limits")"""

ALIASED = [(f, lambda x: Holder(x)) for f in WRITTEN_HERE] + \
    [(f, lambda x: Holder(x[1:])) for f in (item_of_an_attribute, through_a_local_name)] + \
    [(item_of_a_list_item, lambda x: [x]), (item_of_a_list_item, lambda x: [x[1:]]),
     (slice_of_a_dict_item, lambda x: {'w': x})]

SEPARATE = [(f, lambda x: Holder(np.array([1.0, -2.0, 0.5]))) for f in ATTRIBUTE_WRITERS] + \
    [(item_of_a_list_item, lambda x: [np.ones(3)]),
     (slice_of_a_dict_item, lambda x: {'w': np.ones(3)})]


def _id(case):
    return case.__name__ if callable(case) and hasattr(case, '__name__') else ''


def _central(f, x, make):
    eps, out = 1e-6, np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        plus, minus = x + e, x - e
        out[i] = (f(plus, make(plus)) - f(minus, make(minus))) / (2 * eps)
    return out


X = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize('f, make', ALIASED, ids=[f.__name__ for f, _ in ALIASED])
def test_a_write_seen_through_another_argument_is_refused(f, make):
    x = X.copy()
    with pytest.raises(InPlaceError, match=r'line \d+'):
        s2sgrad.grad(f)(x, make(x))
    x = X.copy()
    with pytest.raises(InPlaceError, match=r'line \d+'):
        s2sgrad.jvp(f)(x, make(x), np.ones(3))


@pytest.mark.parametrize('f, make', SEPARATE, ids=[f.__name__ for f, _ in SEPARATE])
def test_separate_arrays_give_the_derivative(f, make):
    x = X.copy()
    expected = _central(f, X.copy(), make)
    got = s2sgrad.grad(f)(x, make(x))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    assert np.array_equal(x, X)
    tangent = s2sgrad.jvp(f)(x, make(x), np.ones(3))
    np.testing.assert_allclose(tangent, np.sum(expected), rtol=1e-6, atol=1e-8)
    assert np.array_equal(x, X)


def reads_the_holder(x, m):
    return np.sum(x * x) + m.total()


def test_an_object_only_read_may_hold_the_argument():
    # (no write: nothing to refuse, whatever the object holds)
    x = X.copy()
    np.testing.assert_allclose(s2sgrad.grad(reads_the_holder)(x, Holder(x)), 2 * X)


G = Holder(np.ones(3))


def augmented_global_attribute(x):
    G.buf += 1.0
    return np.sum(x ** 2)


def test_a_global_object_holding_the_argument_is_checked_too():
    x = X.copy()
    G.buf = x
    with pytest.raises(InPlaceError, match='`G.buf'):
        s2sgrad.grad(augmented_global_attribute)(x)
    G.buf = np.ones(3)
    np.testing.assert_allclose(s2sgrad.grad(augmented_global_attribute)(x), 2 * X)
    assert np.array_equal(x, X)


def positional_output(x, m):
    np.multiply(m.buf, 2.0, m.buf)
    return np.sum(x ** 2)


def keyword_output(x, m):
    np.multiply(m.buf, 2.0, out=m.buf)
    return np.sum(x ** 2)


def test_a_ufunc_output_given_by_position_is_a_write_as_by_keyword():
    # (neither reaches the caller's array: the write is refused where it is made, whatever
    # the arguments, before it could change them)
    for f in (positional_output, keyword_output):
        with pytest.raises(UnsupportedSyntaxError, match='may share memory with `m`'):
            s2sgrad.grad(f)


class Stats:
    def __init__(self):
        self.calls = 0
        self.buf = np.zeros(3)


STATS = Stats()


def counted(x):
    STATS.calls += 1
    STATS.buf += 1.0
    return np.sum(np.sin(x) * x)


def test_a_global_counter_and_buffer_updated_in_place_keep_second_derivatives():
    # (the run-time check before ``STATS.buf += 1.0`` reads the state only to look at it)
    x = X.copy()
    want = np.diag(2.0 * np.cos(X) - X * np.sin(X))
    np.testing.assert_allclose(s2sgrad.hessian(counted)(x), want, rtol=1e-10)
    np.testing.assert_allclose(s2sgrad.jacobian(s2sgrad.grad(counted))(x), want, rtol=1e-10)
    assert np.array_equal(x, X)


def writes_a_deep_leaf(x, m):
    m.buf[0] = 5.0
    return np.sum(x['enc']['l1']['W'] ** 2)


def test_the_differentiated_argument_holding_the_array_deep_down():
    W = X.copy()
    params = {'enc': {'l1': {'W': W}}}
    with pytest.raises(InPlaceError, match='line'):
        s2sgrad.grad(writes_a_deep_leaf)(params, Holder(W))
    got = s2sgrad.grad(writes_a_deep_leaf)(params, Holder(np.ones(3)))
    np.testing.assert_allclose(got['enc']['l1']['W'], 2 * X)


class Loader:
    def __init__(self):
        self.it = iter([1.0, 2.0, 3.0] * 10)
        self.seen = []

    def next_scale(self):
        v = next(self.it)
        self.seen.append(v)
        return v


class Model:
    def __init__(self, W):
        self.W = W
        self.hist = []
        self.buf = np.zeros(2)

    def forward(self, X):
        self.hist.append(1.0)
        self.buf[:] = X @ self.W
        return np.tanh(X @ self.W)


def scaled_by_a_loader(x, ld):
    return ld.next_scale() * np.sum(x ** 2)


def model_loss(W, m, X):
    return np.sum(m.forward(X) ** 2) + np.sum(W ** 2)


def counts_in_place(x, st):
    st.calls += 1
    st.buf += 1.0
    return np.sum(np.sin(x) * x)


def test_objects_whose_methods_write_their_own_state_are_not_refused():
    # (the method's writes are not checked: an object holding an iterator, a model holding
    # the differentiated weights whose method reads them and logs; the derivative is with
    # respect to `W`, what the object holds taken as fixed, as autograd's is)
    x = X.copy()
    np.testing.assert_allclose(s2sgrad.grad(scaled_by_a_loader)(x, Loader()), 2 * X)
    m = Model(X.copy())
    np.testing.assert_allclose(s2sgrad.grad(model_loss)(m.W, m, np.ones((2, 3))), 2 * X)
    assert len(m.hist) == 1


def test_a_printed_gradient_with_its_checks_is_differentiated_again(tmp_path, monkeypatch):
    source = s2sgrad.grad(counts_in_place).source
    assert 's2s.separate(st.buf' in source
    path = tmp_path / 'printed_counts.py'
    path.write_text('import numpy as np\nfrom s2sgrad import runtime as s2s\n\n' + source)
    monkeypatch.syspath_prepend(str(tmp_path))
    import printed_counts
    st = Stats()
    H = s2sgrad.jacobian(printed_counts.dcounts_in_placedx)(X.copy(), st)
    np.testing.assert_allclose(H, np.diag(2.0 * np.cos(X) - X * np.sin(X)), rtol=1e-10)


def adds_through_a_local_name(x, a):
    b = a
    b += 1.0
    return np.sum(x ** 2)


def test_an_argument_changed_through_a_local_name_is_checked_against_the_others():
    x = X.copy()
    with pytest.raises(InPlaceError, match='`b \\+= 1.0` writes into the argument `a`'):
        s2sgrad.grad(adds_through_a_local_name)(x, x)
    a = np.ones(3)
    np.testing.assert_allclose(s2sgrad.grad(adds_through_a_local_name)(x, a), 2 * X)
    assert np.array_equal(x, X) and np.array_equal(a, np.ones(3))
