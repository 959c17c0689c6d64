"""`jacobian` and `hessian` run the function once per column, each from the state the objects
given hold (`object_state`: an array compared with its copy by its bytes; a set changed is
refused), and leave the objects as the call that finds the output's shape left them: one
call from the state given."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import UnsupportedSyntaxError
from s2sgrad.object_state import ObjectState

W0 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
X = np.array([0.5, -1.0, 2.0, 0.25, 1.5])


class Layer:
    def __init__(self):
        self.W = W0.copy()
        self.history = []
        self.seen = {}
        self.big = np.arange(1000.0)

    def decay(self):
        self.W *= 0.5
        self.history.append(1.0)
        self.seen['k'] = len(self.history)


def reads_then_decays(x, layer):
    y = layer.W * x ** 2 + layer.big[:5] * x
    layer.decay()
    return y


def test_every_column_is_taken_from_the_state_given():
    """Five columns, each finding the array, the list and the dict as given."""
    layer = Layer()
    J = s2sgrad.jacobian(reads_then_decays, mode='fwd')(X, layer)
    np.testing.assert_allclose(J, np.diag(2.0 * W0 * X + np.arange(5.0)), rtol=1e-12)
    # (left as one call leaves it)
    np.testing.assert_allclose(layer.W, 0.5 * W0)
    assert layer.history == [1.0] and layer.seen == {'k': 1}
    np.testing.assert_array_equal(layer.big, np.arange(1000.0))


def test_every_row_of_a_hessian_is_taken_from_the_state_given():
    layer = Layer()
    H = s2sgrad.hessian(lambda x, layer: np.sum(layer.W * x ** 3), wrt=0)(X, layer)
    np.testing.assert_allclose(H, np.diag(6.0 * W0 * X), rtol=1e-12)
    np.testing.assert_array_equal(layer.W, W0)


def test_a_negative_zero_written_over_a_zero_is_put_back():
    """Equal values, other bytes: put back (``np.array_equal`` would call them equal)."""
    a = np.zeros(3)
    kept = ObjectState([[a]])  # (held by a list: an array argument itself is not kept)
    a[1] = -0.0
    kept.put_back()
    assert not np.signbit(a).any()


def test_a_large_array_is_compared_piecewise():
    a = np.arange(50000.0)
    kept = ObjectState([{'a': a}])
    a[-1] = -0.0  # (the last piece)
    a[20000] = 7.0
    kept.put_back()
    assert a[-1] == 49999.0 and a[20000] == 20000.0
    b = np.arange(50000.0).reshape(500, 100)[:, ::2]  # (not contiguous)
    kept = ObjectState([[b]])
    b[3, 4] = 1.5
    kept.put_back()
    assert b[3, 4] == 308.0


class Model:
    def __init__(self):
        self.W = np.array([1.0, 2.0, 3.0])

    def step(self):
        self.W *= 2.0


MODEL = Model()


def steps_a_global_model(x, w):
    MODEL.step()
    return w * x ** 2


def test_an_array_argument_a_global_object_changes():
    """`w` is the array a global object holds: no argument reaches the object, but the
    function changes `w` through it (review T: array arguments were not kept, each column
    ran at the `w` the column before left, and the caller's `w` ended 16 times as large)."""
    for mode in ('fwd', 'rev'):
        MODEL.__init__()
        J = s2sgrad.jacobian(steps_a_global_model, mode=mode)(X[:3], MODEL.W)
        np.testing.assert_allclose(J, np.diag(2.0 * np.array([2.0, 4.0, 6.0]) * X[:3]))
        np.testing.assert_array_equal(MODEL.W, [2.0, 4.0, 6.0])  # (as after one call)


def test_an_array_holding_nans_is_put_back():
    a = np.array([1.0, np.nan, 3.0])
    kept = ObjectState([[a]])
    a[0] = 2.0
    kept.put_back()
    assert a[0] == 1.0 and np.isnan(a[1])


def test_a_masked_arrays_mask_is_put_back():
    a = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    kept = ObjectState([[a]])
    a.mask[1] = False
    a.data[1] = 9.0
    kept.put_back()
    assert list(np.ma.getmaskarray(a)) == [False, True, False]
    assert a.data[1] == 2.0


class Work:
    """Work items in a set, each with a buffer that processing one overwrites."""

    def __init__(self, use_pop=False):
        self.pending = {7, 15}  # (hashes that collide: filled again, the set may iterate
        self.bufs = {7: np.ones(3), 15: np.ones(3)}  # the other way round)
        self.use_pop = use_pop

    def process(self):
        k = self.pending.pop() if self.use_pop else list(self.pending)[0]
        self.pending.discard(k)
        self.bufs[k][:] = 5.0


def reads_then_processes(x, work):
    y = work.bufs[15] * x ** 2 + work.bufs[7] * x
    work.process()
    return y


def test_a_set_that_chooses_what_a_run_changes_is_refused():
    """Each run changes the buffer of the item the set gives first. Filled again, the set
    may give another one (``pop`` starts where it ended), and a derivative reading that item
    would be taken at another state: refused (review R, S), the objects left as given."""
    for use_pop in (False, True):
        work = Work(use_pop)
        with pytest.raises(UnsupportedSyntaxError, match='changed a set'):
            s2sgrad.jacobian(reads_then_processes, mode='fwd')(X[:3], work)
        assert work.pending == {7, 15}
        np.testing.assert_array_equal(work.bufs[7], np.ones(3))
        np.testing.assert_array_equal(work.bufs[15], np.ones(3))


def reads_a_set(x, work):
    return work.bufs[min(work.pending)] * x ** 2


def test_a_set_only_read_is_fine():
    J = s2sgrad.jacobian(reads_a_set)(X[:3], Work())
    np.testing.assert_allclose(J, np.diag(2.0 * X[:3]), rtol=1e-12)


class Flipper:
    """Which buffer `update` overwrites alternates by a flag no argument reaches."""

    def __init__(self):
        self.a = {'v': 1.0}
        self.b = {'v': 1.0}

    def update(self):
        (self.b if FLAG[0] else self.a)['v'] = 5.0
        FLAG[0] = not FLAG[0]


FLAG = [False]


def reads_then_flips(x, m):
    a, b = float(m.a['v']), float(m.b['v'])
    m.update()
    return b * x ** 2 + a * x


def flips_summed(x, m):
    a, b = float(m.a['v']), float(m.b['v'])
    m.update()
    return np.sum(b * x ** 3 + a * x ** 2)


def test_runs_that_change_other_containers_each_time():
    """The first run changes `a`, the second `b`: each column compares every container
    (review S: from the third on only `a` was, and the third column read ``b = 5``)."""
    for mode in ('fwd', 'rev'):
        J = s2sgrad.jacobian(reads_then_flips, mode=mode)(X, Flipper())
        np.testing.assert_allclose(J, np.diag(2.0 * X + 1.0), rtol=1e-12)
    H = s2sgrad.hessian(flips_summed)(X, Flipper())
    np.testing.assert_allclose(H, np.diag(6.0 * X + 2.0), rtol=1e-12)


def test_a_set_put_back_holds_its_items_where_they_were():
    s = {7, 15}
    order = list(s)
    kept = ObjectState([s])
    s.discard(order[0])
    with pytest.raises(UnsupportedSyntaxError, match='changed a set'):
        kept.put_back()
    assert list(s) == order  # (filled again, ``{7, 15}`` iterates the other way round)


def test_an_ordered_dict_is_put_back_in_its_order():
    import collections
    od = collections.OrderedDict(a=np.ones(2), b=2.0)
    kept = ObjectState([od])
    od['c'] = 3.0
    del od['a']
    od.move_to_end('b', last=False)
    kept.put_back()
    assert list(od) == ['a', 'b'] and od['b'] == 2.0
