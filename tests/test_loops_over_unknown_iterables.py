"""Loops over what may be a set, a dict or an iterator although the program does not say so:
an attribute (``for k in cfg.ids``), an item (``for k in table['ids']``), ``a | b`` of sets,
a local name bound to one of those, to a helper's result or to a loop's item (``for g in
groups: for k in g``). s2sgrad reads a loop's items by position; a set has none, and a
dict's items by position are its values, not the keys Python's loop visits. Each program
either gives the derivative central differences give (the iterable read as Python's loop
reads it, through ``s2s.sized``) or raises NoRuleError naming the loop; before, they raised
TypeError from the generated code or (a dict of integer keys) gave a wrong derivative."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import NoRuleError

X = np.array([1.0, 2.0, 3.0, 4.0])
V = np.array([0.3, -1.0, 2.0, 0.5])


class Config:
    def __init__(self, ids=(2, 0), order=None, gen=None):
        self.ids = set(ids)
        self.order = {1: 1, 0: 0} if order is None else order
        self.gen = gen
        self.layers = [0, 3]


TABLE = {'ids': {3, 1}, 'order': {1: 0, 0: 1}}
A = {0, 1}
B = {1, 3}


# -- read as Python's loop reads them --------------------------------------------------------

def set_attribute(x, cfg):
    s = 0.0
    w = 1.0
    for k in cfg.ids:
        s = s + w * x[k] ** 2
        w = w * 3.0
    return s


def set_item_of_a_global(x):
    s = 0.0
    for k in TABLE['ids']:
        s = s + np.sin(x[k])
    return s


def union_of_sets(x):
    s = 0.0
    for k in A | B:
        s = s + x[k] ** 3
    return s


def difference_of_sets(x):
    return sum([x[k] * x[0] for k in B - A])


def comprehension_over_a_set_attribute(x, cfg):
    return sum(x[k] ** 2 for k in cfg.ids)


def iterator_attribute(x, cfg):
    s = 0.0
    for k in cfg.gen:
        s = s + x[k] ** 2
    return s


def enumerated_set_attribute(x, cfg):
    s = 0.0
    for i, k in enumerate(cfg.ids):
        s = s + (i + 1) * x[k] ** 2
    return s


def list_attribute(x, cfg):
    s = 0.0
    for k in cfg.layers:
        s = s * 0.5 + x[k]
    return s


def rows_of_a_slice(x):
    s = 0.0
    for v in x[1:]:
        s = s * 0.5 + v ** 2
    return s


def unpacked_tail(x):
    head, *tail = x
    return head * sum(t * t for t in tail)


def lists_in_a_list(x, groups):
    s = 0.0
    for g in groups:
        w = 1.0
        for k in g:
            s = s + w * x[k]
            w = w * 3.0
    return s


def rows_by_index(x, y):
    A = np.outer(x, y)
    s = 0.0
    for i in range(A.shape[0]):
        for v in A[i]:
            s = s + v * v
        for v in A[:, i]:
            s = s + 0.5 * v
    return s


def difference_of_arrays(x, y):
    s = 0.0
    for d in x - y:
        s = s + d * d
    return s


def _flat(M):
    return M.flat


def flat_iterator_from_a_helper(x, cfg):
    f = _flat(cfg.W)
    s = 0.0
    for i, w in enumerate(f):
        s = s + w * x[i] ** 2
    return s


def _with_weights():
    cfg = Config()
    cfg.W = np.array([[1.0, 2.0], [3.0, 4.0]])
    return cfg


RIGHT = [
    (rows_by_index, lambda: (X[::-1].copy(),)),
    (difference_of_arrays, lambda: (X[::-1].copy(),)),
    (flat_iterator_from_a_helper, lambda: (_with_weights(),)),
    (set_attribute, lambda: (Config(),)),
    (set_item_of_a_global, lambda: ()),
    (union_of_sets, lambda: ()),
    (difference_of_sets, lambda: ()),
    (comprehension_over_a_set_attribute, lambda: (Config(),)),
    (iterator_attribute, lambda: (Config(gen=iter([0, 2, 2])),)),
    (enumerated_set_attribute, lambda: (Config(ids=(3, 1, 0)),)),
    (list_attribute, lambda: (Config(),)),
    (rows_of_a_slice, lambda: ()),
    (unpacked_tail, lambda: ()),
    (lists_in_a_list, lambda: ([[1, 0], [3]],)),
]


def _central(f, make):
    return np.array([(f(X + e, *make()) - f(X - e, *make())) / 2e-6
                     for e in np.eye(len(X)) * 1e-6])


@pytest.mark.parametrize('f, make', RIGHT, ids=[f.__name__ for f, _ in RIGHT])
def test_loop_reads_the_iterable_as_python_does(f, make):
    want = _central(f, make)
    x = X.copy()
    got = s2sgrad.grad(f, wrt=0)(x, *make())
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    tangent = s2sgrad.jvp(f, wrt=0)(x, *make(), V)
    np.testing.assert_allclose(tangent, want @ V, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(x, X)


def test_rows_and_differences_compile_with_numba():
    """Rows of an array and a difference of arrays are indexed as they are, counted by
    `s2s.positions`, which compiled code has: no `s2s.sized`, no stack of rows."""
    pytest.importorskip('numba')
    y = X[::-1].copy()
    for f in (rows_by_index, difference_of_arrays):
        want = _central(f, lambda: (y,))
        np.testing.assert_allclose(s2sgrad.grad(f, wrt=0, compile='numba')(X, y), want,
                                   rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(s2sgrad.jvp(f, wrt=0, compile='numba')(X, y, V), want @ V,
                                   rtol=1e-6, atol=1e-6)
        source = s2sgrad.grad(f, wrt=0).source
        assert 's2s.sized' not in source and 'items_stack' not in source, source


def test_printed_loops():
    """A set attribute is read through ``s2s.sized``; a list read by name that may be a set
    is counted by ``s2s.positions``; a starred part (a list) and a slice by ``len``."""
    assert 'items = s2s.sized(cfg.ids)' in s2sgrad.grad(set_attribute).source
    assert 's2s.positions(g)' in s2sgrad.grad(lists_in_a_list).source
    assert 'len(tail)' in s2sgrad.grad(unpacked_tail).source
    assert 'items = x[1:]' in s2sgrad.grad(rows_of_a_slice).source


# -- refused: a name the loop reads by position that holds a set, a dict or an iterator -----

def set_bound_from_an_attribute(x, cfg):
    ids = cfg.ids
    chosen = ids
    s = 0.0
    for k in chosen:
        s = s + x[k] ** 2
    return s


def _ids(n):
    return {0, n}


def set_from_a_helper(x):
    ids = _ids(2)
    s = 0.0
    for k in ids:
        s = s + x[k] ** 2
    return s


def dict_zipped(x, cfg):
    order = cfg.order
    s = 0.0
    for k, w in zip(order, [1.0, 5.0]):
        s = s + w * x[k]
    return s


def iterator_from_an_item(x, table):
    stream = table['stream']
    s = 0.0
    for k in stream:
        s = s + x[k] ** 2
    return s


def sets_in_a_list(x, groups):
    s = 0.0
    for i in range(len(groups)):
        for k in groups[i]:
            s = s + x[k] ** 2
    return s


REFUSED = [
    (set_bound_from_an_attribute, lambda: (Config(),), 'a loop over a set', 'for k in chosen'),
    (set_from_a_helper, lambda: (), 'a loop over a set', 'for k in ids'),
    (lists_in_a_list, lambda: ([{1: 1, 0: 0}],), 'a loop over a dict', 'for k in g'),
    (dict_zipped, lambda: (Config(),), 'a loop over a dict', 'zip(order'),
    (iterator_from_an_item, lambda: ({'stream': iter([0, 2])},), 'a loop over an iterator',
     'for k in stream'),
    (sets_in_a_list, lambda: ([{1, 0}, {3}],), 'a loop over a set', 'for k in groups[i]'),
]


@pytest.mark.parametrize('f, make, what, line', REFUSED,
                         ids=[f'{r[0].__name__}-{r[2].split()[-1]}' for r in REFUSED])
def test_loop_by_position_over_a_set_dict_or_iterator_is_refused(f, make, what, line):
    f(X, *make())  # (Python runs it)
    for build in (lambda: s2sgrad.grad(f, wrt=0)(X, *make()),
                  lambda: s2sgrad.jvp(f, wrt=0)(X, *make(), V)):
        with pytest.raises(NoRuleError) as error:
            build()
        text = str(error.value)
        assert what in text and __file__ in text and line in text, text


def test_the_same_programs_given_lists_are_right():
    """What the refused programs read by position, given as lists, is differentiated."""
    for f, make in [(lists_in_a_list, lambda: ([[1, 0]],)),
                    (iterator_from_an_item, lambda: ({'stream': [0, 2]},))]:
        want = _central(f, make)
        np.testing.assert_allclose(s2sgrad.grad(f, wrt=0)(X, *make()), want, atol=1e-6)
        np.testing.assert_allclose(s2sgrad.jvp(f, wrt=0)(X, *make(), V), want @ V, atol=1e-6)
