"""Writes into an array through a copy of the container that holds it, or through a value
the analysis sees only as an expression: ``copy.copy(C)[0] *= 0.5``, ``C2 = C.copy()``,
``(C * 1)[0]``, ``{**C}['w']``, a generator yielding the item, an object array holding it,
``out=(C['w'],)``, an in-place library function given to ``map``. A shallow copy holds the
same arrays, so each writes into the array the container holds. Each shape is written in a
helper given the container, in a helper reading it as a global, and in a method reading it as
a global: refused where the container holds the argument the derivative reads, run (with the
closed-form gradient ``cos(x) * d``) where it holds another array."""
import functools
import importlib.util
import operator
import textwrap

import numpy as np
import pytest

import s2sgrad
from s2sgrad.errors import S2SError

X = np.array([0.3, 0.7, 1.1])

LISTS = {
    'copy_copy': 'copy.copy(C)[0] *= 0.5',
    'list_copy_method': 'C2 = C.copy()\nC2[0] *= 0.5',
    'list_copy_sum': 'C2 = C + []\nC2[0] *= 0.5',
    'list_repeat': '(C * 1)[0] *= 0.5',
    'list_splat': '[*C][0] *= 0.5',
    'comprehension': '[v for v in C][0][0] = 0.0',
    'tuple_call': 'tuple(C)[0][:] = 0.0',
    'map_fill': 'list(map(np.ndarray.fill, C, [0.0]))',
    'map_imul': 'list(map(operator.imul, C, [0.5]))',
    'object_array': 'O = np.empty(1, dtype=object)\nO[0] = C[0]\nO[0][0] = 0.0',
    'tuple_out': 'np.multiply(C[0], 0.5, out=(C[0],))',
    'sorted_copy': 'for v in sorted(C, key=id):\n    v *= 0.5',
    'slice_copy_loop': 'for v in C[:]:\n    v[:] = 0.0',
    'returned_by_a_function': 'w = first()\nw *= 0.5',
    'loop_over_a_sum': 'for v in C + []:\n    v *= 0.5',
    'default_of_a_local_function': 'def g(c=C):\n    c[0][...] = 0.0\ng()',
    'or_operand': '(C or [])[0][...] = 0.0',
    'called_lambda': '(lambda: C)()[0] *= 0.5',
    'partial_of_a_lambda': 'functools.partial(lambda c: c[0], C)()[...] = 0.0',
    'extended_slice_copy': 'C[::1][0][...] = 0.0',
    'star_unpacking': 'a, *rest = C + [None]\na[...] = 0.0',
    'loop_over_a_repetition': 'for v in C * 1:\n    v[:] = 0.0',
    'unpacked_sum': 'a, *rest = C + []\na *= 0.5',
    'comprehension_over_a_sum': '[v.fill(0.0) for v in C + []]',
    'yielded_by_a_generator': 'for w in each():\n    w *= 0.5',
}

DICTS = {
    'dict_splat': '{**C}["w"] *= 0.5',
    'chain_map': 'collections.ChainMap(C)["w"] *= 0.5',
    'dict_union': '(C | {})["w"] *= 0.5',
    'dict_copy_method': 'C2 = C.copy()\nC2["w"] *= 0.5',
    'dict_out_tuple': 'np.add(C["w"], 1.0, out=(C["w"],))',
    'computed_method': 'm = "fi" + "ll"\ngetattr(C["w"], m)(0.0)',
    'fill_diagonal_view': 'np.fill_diagonal(C["w"].reshape(1, 3), 0.0)',
    'generator': 'def gen():\n    yield C["w"]\nfor w in gen():\n    w *= 0.5',
    'next_of_a_generator': 'def gen():\n    yield C["w"]\nnext(gen())[...] = 0.0',
    'local_getter': 'get = lambda: C["w"]\nget()[0] = 0.0',
    'local_function': 'def get():\n    return C["w"]\nw = get()\nw *= 0.5',
    'values_list': 'list(C.values())[0][:] = 0.0',
}

MODULE = '''\
import collections
import copy
import functools
import operator

import numpy as np

C = None


def first():
    return C[0]


def each():
    yield from C


def through_parameter(C):
{body}


def through_global():
{body}


class Opt:
    def step(self):
{method_body}


def f_parameter(x, d, c):
    y = np.sum(np.sin(x) * d)
    through_parameter(c)
    return y


def f_global(x, d, c):
    y = np.sum(np.sin(x) * d)
    through_global()
    return y


def f_method(x, d, c):
    y = np.sum(np.sin(x) * d)
    Opt().step()
    return y
'''

CASES = [(name, body, 'list') for name, body in sorted(LISTS.items())] + \
    [(name, body, 'dict') for name, body in sorted(DICTS.items())]
FORMS = ('f_parameter', 'f_global', 'f_method')


def _module(tmp_path, name, body):
    path = tmp_path / f'items_{name}.py'
    path.write_text(MODULE.format(body=textwrap.indent(body, '    '),
                                  method_body=textwrap.indent(body, '        ')))
    spec = importlib.util.spec_from_file_location(f'items_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _container(kind, array):
    return [array] if kind == 'list' else {'w': array}


@pytest.mark.parametrize('form', FORMS)
@pytest.mark.parametrize('name, body, kind', CASES, ids=[case[0] for case in CASES])
def test_a_write_through_a_copy_holding_the_argument_is_refused(tmp_path, name, body, kind,
                                                                form):
    module = _module(tmp_path, name, body)
    d = np.array([1.0, 2.0, 3.0])
    module.C = _container(kind, d)
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(module, form))(X.copy(), d, module.C)


@pytest.mark.parametrize('form', FORMS[1:])  # (a helper writing into `f`'s argument: refused)
@pytest.mark.parametrize('name, body, kind', CASES, ids=[case[0] for case in CASES])
def test_the_same_write_into_another_array_runs(tmp_path, name, body, kind, form):
    module = _module(tmp_path, name, body)
    d = np.array([1.0, 2.0, 3.0])
    other = np.array([4.0, 5.0, 6.0])
    module.C = _container(kind, other)
    grad = s2sgrad.grad(getattr(module, form))(X.copy(), d, module.C)
    np.testing.assert_allclose(grad, np.cos(X) * np.array([1.0, 2.0, 3.0]))
    assert not np.array_equal(other, [4.0, 5.0, 6.0])  # (the write did run, into `other`)


OBJECTS = {
    'object_array_of': 'O = np.array(C, dtype=object)\nO[0][0] = 0.0',
    'object_array_item': 'np.array(C, dtype=object)[0] *= 0.5',
    'object_array_loop': 'for v in np.array(C, dtype=object):\n    v *= 0.5',
}


@pytest.mark.parametrize('form', FORMS)
@pytest.mark.parametrize('name', sorted(OBJECTS))
def test_an_object_array_holds_the_arrays_it_is_given(tmp_path, name, form):
    # (arrays of different lengths: NumPy makes an array of the arrays themselves)
    module = _module(tmp_path, name, OBJECTS[name])
    d = np.array([1.0, 2.0, 3.0])
    module.C = [d, np.ones(2)]
    with pytest.raises(S2SError):
        s2sgrad.grad(getattr(module, form))(X.copy(), d, module.C)
    if form != 'f_parameter':
        other = np.array([4.0, 5.0, 6.0])
        module.C = [other, np.ones(2)]
        grad = s2sgrad.grad(getattr(module, form))(X.copy(), d, module.C)
        np.testing.assert_allclose(grad, np.cos(X) * np.array([1.0, 2.0, 3.0]))
        assert not np.array_equal(other, [4.0, 5.0, 6.0])  # (the write did run)


class Weights:
    W = None

    def step(self):
        vars(type(self))['W'][0] = 0.0


def stepped(x, d, obj):
    y = np.sum(np.sin(x) * d)
    obj.step()
    return y


def test_a_write_through_vars_of_the_class_is_refused():
    d = np.array([1.0, 2.0, 3.0])
    Weights.W = d
    with pytest.raises(S2SError):
        s2sgrad.grad(stepped)(X.copy(), d, Weights())
    Weights.W = np.ones(3)
    np.testing.assert_allclose(s2sgrad.grad(stepped)(X.copy(), d, Weights()), np.cos(X) * d)
    assert Weights.W[0] == 0.0


class Lazy:
    """A property whose getter changes what the object holds."""

    def __init__(self):
        self.w = None
        self.reads = 0

    @property
    def value(self):
        self.reads += 1
        self.w *= 0.5
        return 1.0


LAZY = Lazy()


def read_property(x, d):
    y = np.sum(np.sin(x) * d)
    c = LAZY.value
    return y * c


def shifted(a, b):
    s = a * 2.0 + b
    s[0] += 1.0
    for row in a / 2.0:
        row += 1.0
    return s


def through_arithmetic(x, d):
    return np.sum(shifted(x, d) ** 2)


def test_arithmetic_no_list_can_be_is_new_memory():
    # (``a * 2.0 + b`` and ``a / 2.0`` are new arrays, not lists holding `a`'s items: no check
    # of the arguments' items is made, and the derivative is right)
    df = s2sgrad.grad(through_arithmetic)
    assert 'check_own_items' not in df.source
    d = np.array([1.0, 2.0, 3.0])
    s = X * 2.0 + d
    s[0] += 1.0
    np.testing.assert_allclose(df(X.copy(), d), 4.0 * s)


def read_in_a_helper():
    return LAZY.value


def through_a_helper(x, d):
    y = np.sum(np.sin(x) * d)
    c = read_in_a_helper()
    return y * c


@pytest.mark.parametrize('f', [read_property, through_a_helper])
def test_a_property_whose_getter_writes_what_the_derivative_reads_is_refused(f):
    # (read in the function, or in a helper of yours it calls)
    d = np.array([1.0, 2.0, 3.0])
    LAZY.w, LAZY.reads = d, 0
    with pytest.raises(S2SError):
        s2sgrad.grad(f)(X.copy(), d)
    LAZY.w, LAZY.reads = np.ones(3), 0
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy(), d), np.cos(X) * d)
    assert LAZY.reads == 1  # (the getter ran once, when the derivative ran: not transforming)


class Measured:
    """A property that only reads: no check is needed where it is read."""

    def __init__(self, w):
        self.w = w

    @property
    def norm(self):
        return float(np.linalg.norm(self.w))


MEASURED = Measured(None)


def scaled_by_norm():
    return MEASURED.norm


def with_norm(x, d):
    return np.sum(np.sin(x) * d) * scaled_by_norm()


def test_a_property_that_only_reads_runs_without_a_check():
    d = np.array([1.0, 2.0, 3.0])
    MEASURED.w = d
    df = s2sgrad.grad(with_norm)
    assert 'check_' not in df.source
    np.testing.assert_allclose(df(X.copy(), d), np.cos(X) * d * np.linalg.norm(d))


def masked(ws):
    m = ws[0] * 1.0
    m[1][2] = 0.0
    return m


def through_masked(x, a):
    return np.sum(np.tanh(masked([a]) @ x))


def test_a_row_of_a_new_array_written_runs():
    # (``ws[0] * 1.0`` is a new array, not a list holding the items of `ws`)
    a = np.arange(9.0).reshape(3, 3) / 10
    grad = s2sgrad.grad(through_masked)(X.copy(), a)
    m = a.copy()
    m[1, 2] = 0.0
    np.testing.assert_allclose(grad, m.T @ (1 - np.tanh(m @ X) ** 2))


WEIGHTS = np.array([1.0, 2.0, 3.0])


def by_computed_name(x):
    name = 'sum'
    return getattr(WEIGHTS * x ** 2, name)()


def test_a_method_of_a_differentiated_value_found_by_a_computed_name_is_refused():
    with pytest.raises(S2SError):
        s2sgrad.grad(by_computed_name)(X.copy())


SHARED = [None]


def zero_first(c=SHARED):
    c[0][...] = 0.0


def reset_shared():
    zero_first()


def through_a_default(x, d):
    y = np.sum(np.sin(x) * d)
    reset_shared()
    return y


class Layer:
    """Properties the differentiated function reads: one gives a function, one counts."""

    def __init__(self):
        self.reads = 0

    @property
    def activation(self):
        return np.tanh

    @property
    def counted_scale(self):
        self.reads += 1
        return 2.0


LAYER = Layer()


def activated(x):
    return np.sum(LAYER.activation(x))


def counted(x):
    return np.sum(x * LAYER.counted_scale)


def test_a_property_that_writes_nothing_is_read_while_transforming():
    # (its getter, which writes nothing, gives the function the derivative calls)
    np.testing.assert_allclose(s2sgrad.grad(activated)(X.copy()), 1 - np.tanh(X) ** 2)


def test_a_property_that_counts_runs_only_when_the_code_does():
    LAYER.reads = 0
    np.testing.assert_allclose(s2sgrad.grad(counted)(X.copy()), np.full(3, 2.0))
    assert LAYER.reads == 1


def halve_the_shortest():
    s = sorted(SHARED, key=len)
    s[0] *= 0.5


def through_sorted(x, d):
    y = np.sum(np.sin(x) * d)
    halve_the_shortest()
    return y


@pytest.mark.parametrize('f', [through_a_default, through_sorted])
def test_a_write_through_a_default_or_a_sorted_copy_is_refused(f):
    d = np.array([1.0, 2.0, 3.0])
    SHARED[0] = d
    with pytest.raises(S2SError):
        s2sgrad.grad(f)(X.copy(), d)
    other = np.ones(3)
    SHARED[0] = other
    np.testing.assert_allclose(s2sgrad.grad(f)(X.copy(), d), np.cos(X) * d)
    assert not np.array_equal(other, np.ones(3))  # (the write did run, into `other`)


class Scaled:
    """A property whose getter halves what the object holds, read in the ways users read it."""

    def __init__(self):
        self.d = None

    @property
    def scale(self):
        self.d *= 0.5
        return 1.0

    def apply(self, y):
        return y * self.scale


SCALED = Scaled()
SCALE_OF = operator.attrgetter('scale')


def read_by_method(x, d):
    y = np.sum(np.sin(x) * d)
    return SCALED.apply(y)


def read_by_hasattr(x, d):
    y = np.sum(np.sin(x) * d)
    if hasattr(SCALED, 'scale'):
        y = y * 2.0
    return y


def read_by_attrgetter(x, d):
    y = np.sum(np.sin(x) * d)
    return y * SCALE_OF(SCALED)


@pytest.mark.parametrize('f', [read_by_method, read_by_hasattr, read_by_attrgetter])
def test_a_writing_getter_read_otherwise_is_refused(f):
    d = np.array([1.0, 2.0, 3.0])
    SCALED.d = d
    with pytest.raises(S2SError):
        s2sgrad.grad(f)(X.copy(), d)


HALVED = {'d': None}


class MadeHere:
    @property
    def scale(self):
        HALVED['d'] *= 0.5
        return 1.0


def read_on_a_new_object(x, d):
    y = np.sum(np.sin(x) * d)
    o = MadeHere()
    return y * o.scale


def test_a_writing_getter_of_an_object_the_function_makes_is_checked():
    d = np.array([1.0, 2.0, 3.0])
    HALVED['d'] = d
    with pytest.raises(S2SError):
        s2sgrad.grad(read_on_a_new_object)(X.copy(), d)
    HALVED['d'] = np.ones(3)
    np.testing.assert_allclose(s2sgrad.grad(read_on_a_new_object)(X.copy(), d),
                               np.cos(X) * d)


class LazyWeights:
    """A lazy property (it stores the array it makes once) read in a method: it writes into
    no array, and the method is differentiated."""

    def __init__(self):
        self._w = None

    @property
    def w(self):
        if self._w is None:
            self._w = np.array([1.0, 2.0, 3.0])
        return self._w

    def apply(self, y):
        return np.sum(y * self.w)


LAZY_WEIGHTS = LazyWeights()


def lazily_weighted(x):
    return LAZY_WEIGHTS.apply(np.sin(x))


def test_a_lazy_property_read_in_a_differentiated_method_runs():
    np.testing.assert_allclose(s2sgrad.grad(lazily_weighted)(X.copy()),
                               np.cos(X) * np.array([1.0, 2.0, 3.0]))


class Forwarding:
    """A configuration object whose `__getattr__` counts reads: not run while transforming."""

    def __init__(self):
        self.__dict__['values'] = {'s': 2.0}
        self.__dict__['hits'] = 0

    def __getattr__(self, key):
        self.__dict__['hits'] += 1
        return self.values[key]


FORWARDING = Forwarding()


def read_through_getattr(x):
    return FORWARDING.s * np.sum(x ** 2)


def test_an_attribute_a_counting_getattr_gives_is_read_only_when_the_code_runs():
    FORWARDING.__dict__['hits'] = 0
    np.testing.assert_allclose(s2sgrad.grad(read_through_getattr)(X.copy()), 4.0 * X)
    assert FORWARDING.hits == 1


class Norms:
    """Properties giving functions (a lambda, a partial) and a lazily filled cache."""

    def __init__(self, p):
        self.p = p
        self._cache = {}

    @property
    def norm(self):
        p = self.p
        return lambda r: np.sum(np.abs(r) ** p)

    @property
    def cubed(self):
        return functools.partial(np.power, 3.0)

    @property
    def W(self):
        if 'W' not in self._cache:
            self._cache['W'] = np.eye(3) * 2.0
        return self._cache['W']

    def forward(self, x):
        return self.W @ x


NORMS = Norms(2.0)


def by_property_lambda(x):
    return NORMS.norm(x - 0.1)


def by_cached_weights(x):
    return np.sum(np.sin(NORMS.forward(x)))


def by_property_partial(x):
    return np.sum(NORMS.cubed(x))


def test_properties_giving_functions_are_called():
    np.testing.assert_allclose(s2sgrad.grad(by_property_lambda)(X.copy()), 2.0 * (X - 0.1))
    np.testing.assert_allclose(s2sgrad.grad(by_property_partial)(X.copy()),
                               np.log(3.0) * 3.0 ** X)


def test_a_cache_a_property_fills_is_no_write_into_an_array():
    np.testing.assert_allclose(s2sgrad.grad(by_cached_weights)(X.copy()), 2.0 * np.cos(2.0 * X))
