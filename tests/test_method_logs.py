"""A method that logs numbers to a list held in an attribute (``self.history.append(float(loss))``)
and uses the object for nothing else: the log is kept as Python keeps it, and the derivative
does not follow it (what it holds never reaches the result); it was refused as a list changed
in length while `self` is read afterwards. Other attributes of the object read as values
(``self.rate``) are fine; where a property or a method of it is read (which may read the log),
or the log holds arrays (which the function may change afterwards), it is still refused."""
import types

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

RATE = 0.1


class Simulation:
    def __init__(self):
        self.history = []
        self.trajectory = []
        self.rate = 0.1

    def run(self, pos):
        for _ in range(3):
            pos = pos - RATE * pos ** 3
            self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2)

    def run_with_items(self, pos):
        total = np.sum(pos * 0.0)
        for step in range(2):
            pos = np.tanh(pos) * RATE + pos
            total = total + np.sum(pos)
            self.history.append(f'step {step}')
            self.trajectory.append(total.item())
        return np.sum(pos ** 3) + total

    @property
    def last(self):
        return self.history[-1]

    def reads_another_attribute(self, pos):
        pos = pos - self.rate * pos ** 3
        self.history.append(float(np.sum(pos)))
        return np.sum(pos ** 2)

    def reads_a_property(self, pos):
        v = np.sum(pos * pos)
        self.history.append(v)
        return v + self.last

    def logs_arrays(self, pos):
        pos = pos * 1.0
        for _ in range(2):
            self.trajectory.append(pos)
            pos += 0.5  # (in place: Python's log shows the change)
        return np.sum(pos ** 2)


def differences(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


X = np.array([1.0, 0.5])


@pytest.mark.parametrize('method', ['run', 'run_with_items'])
def test_a_log_in_an_attribute_is_kept_once_per_call(method):
    sim = Simulation()
    f = getattr(sim, method)
    g = s2sgrad.grad(f)(X)
    expected = differences(lambda v: getattr(Simulation(), method)(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    fresh = Simulation()
    getattr(fresh, method)(X)
    assert sim.history == fresh.history and sim.trajectory == pytest.approx(fresh.trajectory)
    v = np.array([0.3, -1.0])
    assert np.isclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6)
    hv = s2sgrad.hvp(f)(X, v)
    grad = s2sgrad.grad(getattr(Simulation(), method))
    np.testing.assert_allclose(hv, (grad(X + 1e-5 * v) - grad(X - 1e-5 * v)) / 2e-5,
                               rtol=1e-5, atol=1e-8)


LOGGER = types.SimpleNamespace(values=[])


def logged_through_a_global_object(x):
    y = np.sin(x) * 2.0
    LOGGER.values.append(float(np.sum(y)))
    return np.sum(y ** 2)


def test_a_log_in_an_attribute_of_a_global():
    before = len(LOGGER.values)
    g = s2sgrad.grad(logged_through_a_global_object)(X)
    np.testing.assert_allclose(g, 8.0 * np.sin(X) * np.cos(X))
    assert len(LOGGER.values) == before + 1


def test_a_log_beside_a_read_of_another_attribute():
    sim = Simulation()
    g = s2sgrad.grad(sim.reads_another_attribute)(X)
    expected = differences(lambda v: Simulation().reads_another_attribute(v), X)
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    assert sim.history == [float(np.sum(X - 0.1 * X ** 3))]


@pytest.mark.parametrize('method', ['reads_a_property', 'logs_arrays'])
def test_an_object_read_otherwise_or_a_log_of_arrays_is_refused(method):
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(Simulation(), method))(X)


class Params(types.SimpleNamespace):
    pass


def log_in_a_namedtuple_like(p, x):
    y = x * 2.0
    p.log.append(float(np.sum(y)))
    return np.sum(y ** 2)


def test_an_argument_of_no_known_class_is_no_log():
    with pytest.raises(S2SError):
        s2sgrad.grad(log_in_a_namedtuple_like, wrt=1)(Params(log=[]), X)


TABLE = {'loss': [], 'norm': []}


def logged_in_a_global_dict(x):
    loss = np.sum(np.sin(x) * x)
    TABLE['loss'].append(float(loss))
    TABLE['norm'].append(float(np.sqrt(np.sum(x * x))))
    return loss


def logged_and_read(x):
    loss = np.sum(np.sin(x) * x)
    TABLE['loss'].append(float(loss))
    return loss * len(TABLE['loss'])


def logged_then_written(x):
    y = x * 2.0
    TABLE['loss'].append(y)
    y[0] = 5.0  # (the gradient undoes the write: the log would show it)
    return np.sum(np.sin(y))


def test_a_log_in_a_list_of_a_global_dict():
    # (``TABLE['loss'].append(float(loss))``: a list a global dict holds, the dict used for
    # nothing else: kept as Python keeps it, once per call, with no run-time check)
    x = np.array([0.3, -0.7, 1.1])
    TABLE['loss'].clear()
    TABLE['norm'].clear()
    df = s2sgrad.grad(logged_in_a_global_dict)
    assert 'check_method_writes' not in df.source
    np.testing.assert_allclose(df(x), np.sin(x) + x * np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jvp(logged_in_a_global_dict)(x, np.ones(3)),
                               np.sum(np.sin(x) + x * np.cos(x)), rtol=1e-12)
    assert TABLE['loss'] == [pytest.approx(float(np.sum(np.sin(x) * x)))] * 2
    assert len(TABLE['norm']) == 2


@pytest.mark.parametrize('func', [logged_and_read, logged_then_written])
def test_a_global_dict_read_otherwise_or_an_array_written_after_is_refused(func):
    with pytest.raises(S2SError):
        s2sgrad.grad(func)(np.array([0.3, -0.7, 1.1]))


HISTORY = []
ALIAS = TABLE['loss']
SAME = HISTORY


def _last_logged():
    return TABLE['loss'][-1]


def _last_kept():
    return HISTORY[-1]


class _Settings:
    LOG = HISTORY


def _last_in_a_class():
    return _Settings.LOG[-1]


def list_read_back_through_a_class(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return _last_in_a_class() * 3.0 + loss


def _predict(x):
    return np.sin(x) * x


def read_back_by_a_helper(x):
    loss = np.sum(x ** 2)
    TABLE['loss'].append(loss)
    return _last_logged() * 3.0 + loss


def read_back_by_an_alias(x):
    loss = np.sum(x ** 2)
    TABLE['loss'].append(loss)
    return ALIAS[-1] * 3.0 + loss


def list_read_back_by_a_helper(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return _last_kept() * 3.0 + loss


def list_read_back_by_an_alias(x):
    loss = np.sum(x ** 2)
    HISTORY.append(loss)
    return SAME[-1] * 3.0 + loss


@pytest.mark.parametrize('func', [read_back_by_a_helper, read_back_by_an_alias,
                                  list_read_back_by_a_helper, list_read_back_by_an_alias,
                                  list_read_back_through_a_class])
def test_a_log_read_back_through_a_helper_or_another_name_is_refused(func):
    # (what is added reaches the result: the derivative would miss it, 8x the true one)
    with pytest.raises(S2SError):
        s2sgrad.grad(func)(np.array([3.0, 1.0, 2.0]))


def logged_beside_a_helper(x):
    loss = np.sum(_predict(x))
    HISTORY.append(float(loss))
    TABLE['norm'].append(float(np.sum(x * x)))
    return loss


def test_a_log_beside_a_helper_that_reads_no_log():
    x = np.array([0.3, -0.7, 1.1])
    del HISTORY[:]
    got = s2sgrad.grad(logged_beside_a_helper)(x)
    np.testing.assert_allclose(got, np.sin(x) + x * np.cos(x), rtol=1e-12)
    assert len(HISTORY) == 1


class Base:
    def __init__(self):
        self.history = []
        self.scale = 0.5

    def predict(self, x):
        return np.tanh(x * self.scale)


class Activation:
    def __init__(self, function):
        self.function = function

    def __call__(self, h):
        return self.function(h)


class Model(Base):
    def __init__(self):
        super().__init__()
        self.layers = [Activation(np.tanh), Activation(np.sin)]
        self.head = Activation(np.cos)

    def loss_of_layers(self, x):
        h = self.head(x)
        for layer in self.layers:
            h = layer(h)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)

    def features(self, x):
        h = self.predict(x)
        return h * self._weights(h)

    def _weights(self, h):
        return 1.0 + h ** 2

    def loss(self, x):
        h = self.predict(x)
        loss = np.sum(h ** 2)
        self.history.append(float(loss))
        return loss

    def loss_through_two_methods(self, x):
        f = Model.features(self, x)  # (the class's function, called with the object)
        self.history.append(float(np.sum(f)))
        return np.sum(f * f)

    def counted(self, x):
        return x * len(self.history)

    def loss_reading_the_log(self, x):
        h = self.counted(x)  # (reads the log: what the log holds reaches the result)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)

    def _by_property(self, x):
        return x * self.last

    @property
    def last(self):
        return self.history[-1] if self.history else 1.0

    def loss_through_a_property(self, x):
        h = self._by_property(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)

    def predict_of_the_parent(self, x):
        return super().predict(x)

    def loss_through_super(self, x):
        h = self.predict_of_the_parent(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)


def test_a_log_beside_layers_it_holds_that_hold_library_functions():
    # (``for layer in self.layers: h = layer(h)``: the layers' ``__call__`` reads nothing but
    # the function each holds, ``np.tanh``)
    model = Model()
    f = model.loss_of_layers
    expected = differences(lambda v: Model().loss_of_layers(v), X)
    np.testing.assert_allclose(s2sgrad.grad(f)(X), expected, rtol=1e-6)
    v = np.array([0.3, -1.0])
    assert np.isclose(s2sgrad.jvp(f)(X, v), expected @ v, rtol=1e-6)
    fresh = Model()
    fresh.loss_of_layers(X)
    fresh.loss_of_layers(X)
    assert model.history == pytest.approx(fresh.history)


@pytest.mark.parametrize('method', ['loss', 'loss_through_two_methods'])
def test_a_log_beside_a_call_of_a_method_of_the_object_is_refused(method):
    # (a method of the object may read the log, in ways its code does not show: a class
    # attribute's ``__bool__``, a module's attribute, a default argument; a derivative that
    # runs it again after the append would see one more entry)
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(Model(), method))(X)


@pytest.mark.parametrize('method', ['loss_reading_the_log', 'loss_through_a_property',
                                    'loss_through_super'])
def test_a_log_beside_a_method_that_may_reach_it_is_refused(method):
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(Model(), method))(X)


class Counted:
    def __init__(self):
        self.calls = 0
        self.log = []
        self.peer = None

    def loss(self, x):
        v = np.sum(x ** 3)
        self.calls += 1
        self.log.append(float(v))  # (a list's method: it cannot read `self.calls`)
        return v

    def report(self):
        return self.calls

    def loss_with_a_peer(self, x):
        v = np.sum(x ** 3)
        self.calls += 1
        return v * self.peer.report()  # (an object of yours: its method may read it)


def test_a_counter_beside_a_log_in_operators_that_run_the_function_again():
    model = Counted()
    x = np.array([0.3, -0.7, 1.2])
    np.testing.assert_allclose(s2sgrad.hessian(model.loss)(x), np.diag(6.0 * x), rtol=1e-12)
    np.testing.assert_allclose(s2sgrad.jacobian(model.loss)(x), 3.0 * x ** 2, rtol=1e-12)
    assert model.calls == len(model.log) > 0


def test_a_counter_beside_a_call_of_an_object_that_may_read_it_is_refused():
    model = Counted()
    model.peer = model
    with pytest.raises(S2SError, match='self.calls'):
        s2sgrad.hessian(model.loss_with_a_peer)(np.array([0.3, -0.7, 1.2]))


class Peer:
    def __init__(self):
        self.history = []
        self.peer = self  # (the object itself, under another attribute)

    def seen(self, x):
        return x * (1.0 + len(self.history))

    def forward(self, x):
        return self.peer.seen(x)


class Computed:
    def __init__(self):
        self.history = []

    def __getattr__(self, name):
        if name == 'n':
            return 1.0 + len(self.__dict__['history'])
        raise AttributeError(name)

    def forward(self, x):
        return x * self.n


LOG_ALIAS = []


class ThroughAGlobal:
    def __init__(self):
        global LOG_ALIAS
        self.history = LOG_ALIAS = []

    def forward(self, x):
        return x * (1.0 + len(LOG_ALIAS))


class Shadowed:
    def __init__(self):
        self.history = []
        self.act = lambda v: v * (1.0 + len(self.history))  # (shadows the class's `act`)

    def act(self, x):
        return x * 2.0

    def forward(self, x):
        return self.act(x)


class Owned:
    def __init__(self, owner):
        self.owner = owner

    def __call__(self, x):
        return x * (1.0 + len(self.owner.history))


class Owner:
    def __init__(self):
        self.history = []
        self.layer = Owned(self)  # (a held object that holds the object back)

    def forward(self, x):
        return x


class LogsItsForward:
    def loss(self, x):
        h = self.forward(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)


class LoggedPeer(LogsItsForward, Peer):
    pass


class LoggedComputed(LogsItsForward, Computed):
    pass


class LoggedThroughAGlobal(LogsItsForward, ThroughAGlobal):
    pass


class LoggedShadowed(LogsItsForward, Shadowed):
    def loss_direct(self, x):
        h = self.act(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)


class LoggedOwner(Owner):
    def loss(self, x):
        h = self.layer(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)


def _refused_or_twice_the_identity(f, x, operator):
    """`operator`'s derivative of `f`, whose true gradient is ``2 x`` (a log's length read in
    a rerun after the append doubles it), at `x`: S2SError, or right."""
    try:
        if operator == 'grad':
            got, want = s2sgrad.grad(f)(x), 2.0 * x
        elif operator == 'joint':
            got, want = s2sgrad.grad(f, motion='joint')(x), 2.0 * x
        elif operator == 'hessian':
            got, want = s2sgrad.hessian(f)(x), 2.0 * np.eye(2)
        else:
            got, want = s2sgrad.hvp(f)(x, np.array([1.0, 0.0])), np.array([2.0, 0.0])
    except S2SError:
        return
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize('make, method', [
    (LoggedPeer, 'loss'), (LoggedComputed, 'loss'), (LoggedThroughAGlobal, 'loss'),
    (LoggedShadowed, 'loss'), (LoggedShadowed, 'loss_direct'), (LoggedOwner, 'loss')],
    ids=['back_reference', 'getattr', 'global_alias', 'shadowing_function',
         'shadowing_function_called_directly', 'held_object_holding_it'])
@pytest.mark.parametrize('operator', ['grad', 'joint', 'hessian', 'hvp'])
def test_code_that_may_read_the_log_is_refused_or_right_in_every_run(make, method, operator):
    # (each reads the log's length: a derivative that ran it again after the append, as joint
    # motion, a hessian's columns or an hvp's rerun do, would see one more entry: 2x)
    x = np.array([0.3, -0.8])
    f = getattr(make(), method)
    _refused_or_twice_the_identity(f, x, operator)


SEEN = []  # (what a layer reads: the log, under another name, once a model is made)


class LayerReadingItsList:
    def __init__(self, values):
        self.values = values  # (the log itself)

    def __call__(self, x):
        return x * (1.0 + len(self.values))


class LayerReadingAGlobal:
    def __call__(self, x):
        return x * (1.0 + len(SEEN))


class LayerWithADefault:
    def __call__(self, x, seen=SEEN):
        return x * (1.0 + len(seen))


class LayerWithAClassList:
    shared = SEEN

    def __call__(self, x):
        return x * (1.0 + 0.0 * x[0] + len(self.shared))


class LayerCountingAFunction:
    def __init__(self, count):
        self.count = count  # (a bound method of the log: ``history.__len__``)

    def __call__(self, x):
        return x * (1.0 + self.count())


class HoldsALayer:
    def __init__(self, make):
        global SEEN
        self.history = []
        SEEN[:] = []
        LayerWithADefault.__call__.__defaults__ = (self.history,)
        LayerWithAClassList.shared = self.history
        SEEN = self.history
        self.layer = make(self)

    def loss(self, x):
        h = self.layer(x)
        self.history.append(float(np.sum(h)))
        return np.sum(h ** 2)


@pytest.mark.parametrize('make', [
    lambda model: LayerReadingItsList(model.history),
    lambda model: LayerReadingAGlobal(),
    lambda model: LayerWithADefault(),
    lambda model: LayerWithAClassList(),
    lambda model: LayerCountingAFunction(model.history.__len__),
], ids=['its_list', 'a_global', 'a_default', 'a_class_list', 'a_bound_method'])
@pytest.mark.parametrize('operator', ['grad', 'joint', 'hessian', 'hvp'])
def test_a_held_layer_that_may_read_the_log_is_refused_or_right(make, operator):
    x = np.array([0.3, -0.8])
    f = HoldsALayer(make).loss
    _refused_or_twice_the_identity(f, x, operator)
