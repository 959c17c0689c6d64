"""`jacobian` and `hessian` run the function once per column, each from the state the objects
given hold (`object_state`): after the second run only what the first changed is compared,
and an array is compared by its bytes."""
import numpy as np

import s2sgrad
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
    """Five columns: the third to fifth find the array, the list and the dict as given,
    though only the first run's changes are compared from the third on."""
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
    kept = ObjectState([a])
    a[1] = -0.0
    kept.put_back()
    assert not np.signbit(a).any()


def test_an_unchanged_array_holding_nans_is_not_found_changed():
    a = np.array([1.0, np.nan, 3.0])
    kept = ObjectState([a])
    kept.put_back()
    assert kept.changed == []
    a[0] = 2.0
    kept.put_back()
    assert len(kept.changed) == 1 and a[0] == 1.0 and np.isnan(a[1])


def test_changed_only_compares_what_the_last_full_put_back_found_changed():
    a, b = np.ones(4), [1.0, 2.0]
    kept = ObjectState([a, b])
    a[0] = 5.0
    kept.put_back()
    assert [container is a for container, _ in kept.changed] == [True]
    a[0] = 7.0
    kept.put_back(changed_only=True)
    assert a[0] == 1.0 and len(kept.changed) == 1


def test_a_masked_arrays_mask_is_put_back():
    a = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    kept = ObjectState([a])
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


def _one_call_state(use_pop):
    work = Work(use_pop)
    reads_then_processes(X[:3], work)
    return sorted(work.pending), {k: list(v) for k, v in work.bufs.items()}


def test_a_set_that_chooses_what_a_run_changes():
    """Each run changes the buffer of the item the set gives first. Put back, the set may
    give another one (review R: from the third column on only the first run's changes were
    put back, and the third column read a buffer the second run had overwritten)."""
    for use_pop in (False, True):
        work = Work(use_pop)
        J = s2sgrad.jacobian(reads_then_processes, mode='fwd')(X[:3], work)
        np.testing.assert_allclose(J, np.diag(2.0 * X[:3] + 1.0), rtol=1e-12)
        if not use_pop:  # (where ``pop`` starts is not put back)
            assert (sorted(work.pending), {k: list(v) for k, v in work.bufs.items()}) == \
                _one_call_state(use_pop)


def test_a_set_put_back_iterates_as_it_did():
    s = {7, 15}
    order = list(s)
    kept = ObjectState([s])
    s.discard(order[0])
    kept.put_back()
    assert list(s) == order
    assert not kept.exact  # (a set: no run changes only what the first changed)


def test_an_ordered_dict_is_put_back_in_its_order():
    import collections
    od = collections.OrderedDict(a=np.ones(2), b=2.0)
    kept = ObjectState([od])
    od['c'] = 3.0
    del od['a']
    od.move_to_end('b', last=False)
    kept.put_back()
    assert list(od) == ['a', 'b'] and od['b'] == 2.0


class Settings:
    def __init__(self):
        self.scale = np.ones(3)
        self.shift = 0.5


def test_an_attribute_deleted_and_set_again_is_not_exact():
    settings = Settings()
    kept = ObjectState([settings])
    del settings.scale
    kept.put_back()
    assert list(vars(settings)) == ['shift', 'scale'] and not kept.exact
    settings = Settings()
    kept = ObjectState([settings])
    settings.scale = np.zeros(3)
    settings.extra = 1.0
    kept.put_back()
    assert kept.exact and list(vars(settings)) == ['scale', 'shift']
