"""A helper that reaches an item of what it is given by a name and writes into it in place:
``p = ps.pop()``, ``m = d.get('w')``, ``p = next(iter(d.values()))``, ``w = layer.w``, a
comprehension's variable (``[q.fill(0.5) for q in ps]``), ``(p := ps[0])``, a function of
its own or of yours given to ``map``, a helper it calls in turn. Each gave a wrong gradient,
silently, where the item was an array the backward sweep reads; now each is refused
(InPlaceError), and the same helpers run, with the right gradient, on arrays the backward
sweep does not read."""
import contextlib
import functools
import operator

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad
from s2sgrad.errors import InPlaceError, UnsupportedSyntaxError

X = np.array([0.3, 0.7])


def central(f, x):
    return numerical_grad(f, (x,), 0)


class Layer:
    def __init__(self, w):
        self.w = w


def by_pop(ps):
    p = ps.pop()
    p *= 2.0


def by_pop_front(ps):
    p = ps.pop(0)
    p *= 2.0


def by_pop_in_a_loop(ps):
    while ps:
        p = ps.pop()
        p *= 2.0


def by_walrus(ps):
    if (p := ps[0]) is not None:
        p *= 2.0


def by_comprehension(ps):
    [q.fill(0.5) for q in ps]


def by_comprehension_out(ps):
    [np.multiply(q, 2.0, out=q) for q in ps]


def by_generator(ps):
    any(q.__imul__(2.0) is None for q in ps)


def _double(p):
    p *= 2.0


def by_map_of_yours(ps):
    list(map(_double, ps))


def by_map_of_a_lambda(ps):
    list(map(lambda p: p.__imul__(2.0), ps))


def by_local_function(ps):
    def upd(p):
        p *= 2.0
    for p in ps:
        upd(p)


def by_local_function_mapped(ps):
    def upd(p):
        p *= 2.0
    list(map(upd, ps))


def by_local_closure(ps):
    def upd():
        ps[0] *= 2.0
    upd()


def _double_each(ps):
    for q in ps:
        q *= 2.0


def _double_popped(ps):
    p = ps.pop()
    p *= 2.0


def by_helper_of_a_helper(ps):
    _double_each(ps)


def by_helper_popping(ps):
    _double_popped(ps)


def by_get(d):
    m = d.get('w')
    m *= 2.0


def by_dict_pop(d):
    p = d.pop('w')
    p *= 2.0


def by_setdefault(d):
    p = d.setdefault('w', None)
    p *= 2.0


def by_next_value(d):
    p = next(iter(d.values()))
    p *= 2.0


def by_dict_comprehension(d):
    {k: v.fill(0.5) for k, v in d.items()}


def by_helper_of_values(d):
    _double_each(list(d.values()))


def by_attribute(layer):
    w = layer.w
    w -= 0.5


def by_getattr(layer):
    w = getattr(layer, 'w')
    w -= 0.5


LIST_HELPERS = [by_pop, by_pop_front, by_pop_in_a_loop, by_walrus, by_comprehension,
                by_comprehension_out, by_generator, by_map_of_yours, by_map_of_a_lambda,
                by_local_function, by_local_function_mapped, by_local_closure,
                by_helper_of_a_helper, by_helper_popping]
DICT_HELPERS = [by_get, by_dict_pop, by_setdefault, by_next_value, by_dict_comprehension,
                by_helper_of_values]
OBJECT_HELPERS = [by_attribute, by_getattr]


def _kept_in(kind, helper):
    """f, where the container given to `helper` holds `w`, which the backward sweep reads."""
    if kind == 'list':
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            ps = [w]
            helper(ps)
            return np.sum(y * y)
    elif kind == 'display':
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            helper([w])
            return np.sum(y * y)
    elif kind == 'dict':
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            d = {'w': w}
            helper(d)
            return np.sum(y * y)
    else:
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            helper(Layer(w))
            return np.sum(y * y)
    return f


KEPT = [('list', h) for h in LIST_HELPERS] + [('display', by_pop), ('display', by_walrus)] + \
    [('dict', h) for h in DICT_HELPERS] + [('object', h) for h in OBJECT_HELPERS]


@pytest.mark.parametrize('kind, helper', KEPT, ids=lambda v: getattr(v, '__name__', v))
def test_a_write_into_a_kept_array_through_an_item_alias_is_refused(kind, helper):
    f = _kept_in(kind, helper)
    assert not np.allclose(central(f, X), 0.0)
    with pytest.raises(InPlaceError, match='helper'):
        s2sgrad.grad(f)(X.copy())


def _buffer_in(kind, helper):
    """f, where the container given to `helper` holds a buffer the backward sweep does not
    read, which f reads after the call (the container is read twice, so it is no copy made
    for the call alone)."""
    if kind == 'list':
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            b = np.full(2, 0.25)
            ps = [b]
            helper(ps)
            return np.sum(y * y) + np.sum(b) * len(ps)
    elif kind == 'dict':
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            b = np.full(2, 0.25)
            d = {'w': b}
            helper(d)
            return np.sum(y * y) + np.sum(b) * len(d)
    else:
        def f(x):
            w = np.full(2, 1.5)
            y = x * w
            b = np.full(2, 0.25)
            layer = Layer(b)
            helper(layer)
            return np.sum(y * y) + np.sum(b) + np.sum(layer.w)
    return f


BUFFERS = [('list', h) for h in LIST_HELPERS] + [('dict', h) for h in DICT_HELPERS] + \
    [('object', h) for h in OBJECT_HELPERS]


@pytest.mark.parametrize('kind, helper', BUFFERS, ids=lambda v: getattr(v, '__name__', v))
def test_the_same_helpers_run_on_arrays_the_backward_sweep_does_not_read(kind, helper):
    f = _buffer_in(kind, helper)
    expected = central(f, X)
    value, grad = s2sgrad.value_and_grad(f)(X.copy())
    assert value == pytest.approx(f(X.copy()), rel=1e-12)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sgrad.jvp(f)(X.copy(), np.array([1.0, -2.0])),
                               expected @ np.array([1.0, -2.0]), rtol=1e-6, atol=1e-8)


def _scale_all(ps):
    for p in ps:
        p *= 2.0


def _put_repeated(lst, v):
    lst += [v] * 1


def _put_by_map(lst, v):
    list(map(lst.append, [v]))


@pytest.mark.parametrize('put', [_put_repeated, _put_by_map], ids=lambda f: f.__name__)
def test_a_helper_putting_an_array_in_by_a_new_list_or_a_given_method_is_seen(put):
    # `w`, bound anew in each pass of the loop, is not one the run-time check can name; the
    # container is checked strictly where the analysis sees that the helper may put it in
    def f(x):
        y = x
        for i in range(2):
            w = np.full(2, 1.5 + i)
            y = y * w
        c = []
        put(c, w)
        _scale_all(c)
        return np.sum(y * y)
    assert not np.allclose(central(f, X), 0.0)
    with pytest.raises(InPlaceError, match='_scale_all'):
        s2sgrad.grad(f)(X.copy())

    def g(x):  # (nothing put in: runs)
        y = x
        for i in range(2):
            w = np.full(2, 1.5 + i)
            y = y * w
        c = [np.ones(2)]
        _scale_all(c)
        return np.sum(y * y) + np.sum(c[0]) * x[0]
    np.testing.assert_allclose(s2sgrad.grad(g)(X.copy()), central(g, X), rtol=1e-6)


# Review L: more ways a helper reaches an item, and the writes of helpers it calls in turn


def by_with(ps):
    with contextlib.nullcontext(ps[0]) as q:
        q *= 2.0


def by_match(ps):
    match ps:
        case [q]:
            q *= 2.0


def by_either(ps):
    q = ps and ps[0]
    q *= 2.0


def by_get_or_get(ps):
    d = {'w': ps[0]}
    q = d.get('v') or d.get('w')
    q *= 2.0


def in_finally(ps):
    try:
        len(ps)
    finally:
        ps[0] *= 2.0


def in_except(ps):
    try:
        raise ValueError('no')
    except ValueError:
        ps[0] *= 2.0


def by_unbound_fill(ps):
    np.ndarray.fill(ps[0], 3.0)


def by_operator(ps):
    operator.imul(ps[0], 2.0)


def by_local_function_in_branches(ps, flag=True):
    if flag:
        def upd(p):
            p *= 2.0
    else:
        def upd(p):
            p += 0.0
    upd(ps[0])


def by_nested_closure(ps):
    def outer():
        def inner():
            ps[0] *= 2.0
        inner()
    outer()


def by_starred_call(ps):
    def upd(p, c):
        p *= c
    args = (ps[0], 2.0)
    upd(*args)


def by_alias(ps):
    step = _double
    step(ps[0])


def by_partial(ps):
    list(map(functools.partial(_scale_by, c=2.0), ps))


def _scale_by(p, c):
    p *= c


def _first(ps):
    return ps[0]


def by_a_function_giving_an_item(ps):
    q = _first(ps)
    q *= 2.0


MORE = [by_a_function_giving_an_item, by_with, by_match, by_either, by_get_or_get, in_finally,
        in_except, by_unbound_fill, by_operator, by_local_function_in_branches,
        by_nested_closure, by_starred_call, by_alias, by_partial]


@pytest.mark.parametrize('helper', MORE, ids=lambda f: f.__name__)
def test_more_ways_to_reach_an_item_are_refused(helper):
    def f(x):
        w = np.full(2, 1.5)
        y = x * w
        ps = [w]
        helper(ps)
        ps.append(1.0)
        return np.sum(y * y)
    assert not np.allclose(central(f, X), 0.0)
    with pytest.raises((InPlaceError, UnsupportedSyntaxError), match='helper'):
        s2sgrad.grad(f)(X.copy())


def _scale(p):
    p *= 2.0


def _map_double(ps):
    list(map(_double, ps))


def test_an_item_given_to_a_helper_that_writes_into_it_is_checked():
    def by_item(x):
        w = np.full(2, 1.5)
        y = x * w
        d = {'w': w, 'b': np.full(2, 0.5)}
        _scale(d['w'])
        return np.sum(y * y)

    def by_loop(x):
        w = np.full(2, 1.5)
        y = x * w
        params = {'w': w}
        for p in params.values():
            _scale(p)
        return np.sum(y * y)

    def other_item(x):  # (an array the derivative does not read: runs)
        w = np.full(2, 1.5)
        y = x * w
        d = {'w': w, 'b': np.full(2, 0.5), 'n': 0.5}
        _scale(d['b'])
        _scale(d['n'])
        return np.sum(y * y) + x[0] * np.sum(d['b']) * d['n']
    for f in (by_item, by_loop):
        with pytest.raises(InPlaceError, match='_scale'):
            s2sgrad.grad(f)(X.copy())
    np.testing.assert_allclose(s2sgrad.grad(other_item)(X.copy()), central(other_item, X),
                               rtol=1e-6)


def test_a_function_mapped_over_the_rows_of_an_array_writes_into_it():
    def f(x):
        W = np.full((2, 2), 1.5)
        y = x @ W
        _map_double(W)
        return np.sum(y * y)
    assert not np.allclose(central(f, X), 0.0)
    with pytest.raises((InPlaceError, UnsupportedSyntaxError)):
        s2sgrad.grad(f)(X.copy())


def _read_then_double(ps, bufs):
    sizes = [p.size for p in ps]
    p = bufs.pop()
    p *= 2.0
    return sizes


def _copies_zeroed(ps):
    zs = [q.copy() for q in ps]
    [z.fill(0.0) for z in zs]
    return zs


def test_comprehension_variables_are_their_own():
    # (`p` of the comprehension, over the kept arrays, is not the `p` popped from the
    # buffers; the comprehension's copies are new arrays)
    def f(x):
        w = np.full(2, 1.5)
        y = x * w
        b = np.ones(2)
        ps, bufs = [w], [b]
        _read_then_double(ps, bufs)
        zs = _copies_zeroed(ps)
        return np.sum(y * y) + np.sum(b) * x[0] + len(ps) + len(bufs) + np.sum(zs[0])
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy()), central(f, X), rtol=1e-6)


# Review M: writes through a name bound by tuple assignment, or into a view a method gives


def _tuple_alias(p):
    a, b = p, 1.0
    a *= b * 2.0


def _swapped(p):
    a = 0.0
    a, b = p, a
    a += b + 1.0


def _through_ravel(p):
    p.ravel()[0] = 0.0


def _through_reshape(p):
    p.reshape(-1)[:] -= 0.5


def _get_w(d):
    return d['w']


def _into_what_a_call_gives(d):
    _get_w(d)[...] = 3.0


@pytest.mark.parametrize('helper', [_tuple_alias, _swapped, _through_ravel, _through_reshape],
                         ids=lambda f: f.__name__)
def test_writes_through_tuple_assignment_and_method_views_are_seen(helper):
    def f(x):
        w = np.full(2, 1.5)
        y = x * w
        helper(w)
        return np.sum(y * y)
    assert not np.allclose(central(f, X), 0.0)
    with pytest.raises((InPlaceError, UnsupportedSyntaxError), match='helper'):
        s2sgrad.grad(f)(X.copy())


def test_a_write_into_what_a_call_gives_is_seen():
    def f(x):
        w = np.full(2, 1.5)
        y = x * w
        d = {'w': w}
        _into_what_a_call_gives(d)
        return np.sum(y * y) + len(d)
    with pytest.raises((InPlaceError, UnsupportedSyntaxError), match='_into_what_a_call_gives'):
        s2sgrad.grad(f)(X.copy())
