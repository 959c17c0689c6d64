"""What the reviews of session 36 found (R19-R22 and the regression reviews), each pinned
against central differences or NumPy's own results."""
import collections
import functools
import math
import os
import sys
import warnings

import numpy as np
import pytest

import s2sgrad
from s2sgrad.checks import numerical_grad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from review_checks import hessian_v  # noqa: E402

try:
    import numba  # noqa: F401
except ImportError:  # (the `numba` extra)
    numba = None
try:
    import scipy.stats as scipy_stats
except ImportError:  # (the `scipy` extra)
    scipy_stats = None
try:
    import dask.array as da
except ImportError:  # (the `dask` extra)
    da = None

needs_numba = pytest.mark.skipif(numba is None, reason='numba (the `numba` extra) is not '
                                                       'installed')
needs_dask = pytest.mark.skipif(da is None, reason='dask (the `dask` extra) is not installed')


def ranked_sum(x):
    return np.sum(np.sort(x) * np.arange(x.shape[0]))


def top_two_by_column(X):
    return np.sum(np.sort(X, axis=0)[-2:] ** 2)


@needs_dask
@pytest.mark.parametrize('func, x', [
    (ranked_sum, np.array([0.3, -1.2, 2.5, 0.1])),
    (top_two_by_column, np.array([[0.3, -1.2], [2.5, 0.1], [-0.7, 0.9], [1.1, -0.4]]))])
def test_sort_of_a_dask_array(func, x):
    """R22 A1: the adjoint of np.sort wrote into dask zeros (np.put_along_axis), which dask
    did not keep: every gradient through a sort of a dask array was 0."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # (dask runs np.sort through NumPy, with a warning)
        got = s2sgrad.grad(func)(da.from_array(x, chunks=2))
        got = got.compute() if hasattr(got, 'compute') else got
    np.testing.assert_allclose(got, numerical_grad(func, (x,), 0), rtol=1e-6)


def log_of_positive(x):
    assert x > 0, 'x must be positive'
    return math.log(x) * x


@needs_numba
def test_an_assert_that_fails_in_compiled_code():
    """R22 C3: a user's assert failing as the compiled gradient ran was a CompileError, and
    with fallback=True it switched the gradient to the plain code for good."""
    with pytest.raises(AssertionError, match='must be positive'):
        s2sgrad.grad(log_of_positive, compile='numba')(-1.0)
    df = s2sgrad.grad(log_of_positive, compile='numba', fallback=True)
    assert df(2.0) == pytest.approx(math.log(2.0) + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # (no CompileFallbackWarning)
        with pytest.raises(AssertionError):
            df(-1.0)
    assert df(3.0) == pytest.approx(math.log(3.0) + 1.0)


A32 = np.array([[2.0, 0.3], [0.3, 1.0], [0.1, 0.4]])


def r_of_qr_in_a_loop(c):
    total = 0.0
    for _ in range(2):
        total = total + np.sum(np.linalg.qr(A32 * c)[1] ** 2)
    return total


def singular_values_in_a_loop(c):
    total = 0.0
    for _ in range(2):
        result = np.linalg.svd(A32 * c, full_matrices=False)
        total = total + np.sum(result[1] ** 2)
    return total


def r_field_in_a_loop(c):
    total = 0.0
    for _ in range(2):
        result = np.linalg.qr(A32 * c)
        total = total + np.sum(result.R ** 2)
    return total


@pytest.mark.parametrize('func', [r_of_qr_in_a_loop, singular_values_in_a_loop,
                                  r_field_in_a_loop])
def test_grad_of_grad_of_a_tuple_result_read_in_a_loop(func):
    """R19 A1, C1: the adjoints of `qr`'s, `svd`'s result (a tuple) pushed in a loop added
    with `+` in the second derivative, which concatenated them: grad of grad was about 0
    (f'' = 4 ||A||^2 = 21.4), or a TypeError."""
    assert s2sgrad.grad(s2sgrad.grad(func))(1.3) == pytest.approx(4 * np.sum(A32 ** 2))


def log_dets_in_a_loop(x):
    total = 0.0
    for _ in range(2):
        total = total + np.linalg.slogdet(x)[1]
    return total


def test_reverse_over_reverse_of_slogdet_in_a_loop():
    x = np.array([[2.0, 0.3], [0.1, 1.5]])
    w = np.array([[1.0, -0.5], [0.25, 2.0]])
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(log_dets_in_a_loop))(x, w),
                               hessian_v(log_dets_in_a_loop, x, w), rtol=1e-4, atol=1e-6)


W43 = np.arange(12.0).reshape(4, 3) / 10


def standardized(X):
    return np.sum((X - X.mean(0)) / (X.std(0) + 1e-8) * W43)


def test_std_of_equal_values():
    """R21 A1: where all values are equal and their mean rounds (six 0.7s), every deviation
    was the same 1e-16 and std of that size: the slope was -1/6 each, not 0; a standardized
    constant feature had a gradient summing to -16.65."""
    x = np.full(6, 0.7)
    np.testing.assert_array_equal(s2sgrad.grad(lambda_free_std)(x), np.zeros(6))
    assert s2sgrad.jvp(lambda_free_std)(x, np.ones(6)) == 0.0
    np.testing.assert_array_equal(s2sgrad.grad(root_of_var)(x), np.zeros(6))
    X = np.random.default_rng(0).normal(size=(4, 3))
    X[:, 0] = 0.7
    assert abs(s2sgrad.grad(standardized)(X)[:, 0].sum()) < 1e-12
    y = np.array([1.0, 2.0, 4.0])
    v = np.array([1.0, 0.0, -1.0])
    np.testing.assert_allclose(s2sgrad.grad(lambda_free_std)(y),
                               numerical_grad(lambda_free_std, (y,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.hvp(lambda_free_std)(y, v),
                               hessian_v(lambda_free_std, y, v), rtol=1e-4)


def lambda_free_std(x):
    return np.std(x)


def root_of_var(x):
    return np.sqrt(np.var(x))


def grown_by_concatenation(x):
    acc = x[:2]
    for i in range(2):
        acc = np.concatenate([acc, x[2 * i + 2:2 * i + 4]])
    return np.sum(acc ** 3)


def test_reverse_over_reverse_of_an_array_grown_in_a_loop():
    """R21 C1: the adjoint of the list ``[acc, piece]`` rebuilt at each pass was reset to
    zeros like that pass's list, before the list of the pass before was put back: adding the
    next pass's adjoints failed on their shapes (a ValueError)."""
    x = np.linspace(-1.0, 1.5, 6)
    v = np.array([1.0, -0.5, 0.25, 2.0, 0.0, 1.0])
    expected = hessian_v(grown_by_concatenation, x, v)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(grown_by_concatenation))(x, v),
                               expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(s2sgrad.hvp(grown_by_concatenation)(x, v), expected, rtol=1e-4,
                               atol=1e-6)


YS = np.array([0.5, -1.0, 2.0])


def process_noise_by_item(q):
    s = 0.0
    for y in YS:
        Pp = np.eye(2) * y + q[1]
        Pp[0, 0] = Pp[0, 0] * q[0]  # (the Kalman filter's ``P[0, 0] += q`` line, in kind)
        s = s + np.sum(Pp ** 2) * q[1]
    return s


def test_second_derivatives_of_an_item_updated_from_itself_in_a_fresh_array():
    """R19 D1: the write ``Pp[0, 0] = Pp[0, 0] * q`` right after ``Pp = ...`` (new memory)
    saved and wrote back the item it replaces, as its own read of the item came between: the
    second derivatives were refused."""
    q = np.array([0.7, -0.3])
    v = np.array([1.0, 0.5])
    expected = hessian_v(process_noise_by_item, q, v)
    np.testing.assert_allclose(s2sgrad.hvp(process_noise_by_item)(q, v), expected, rtol=1e-4)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(process_noise_by_item))(q, v),
                               expected, rtol=1e-4)
    assert 'Pp[0, 0] = Pp_stack.pop()' not in s2sgrad.grad(process_noise_by_item).source


# -- jacobian and hessian put back what the objects hold before each column (R23) ----------

def first_of_queue(x, q):
    return q.popleft() * np.sum(x ** 3)


def class_level():
    class ClassLevel:
        rates = [2.0, 3.0, 4.0, 5.0]  # (in the class body)

        def f(self, x):
            return self.rates.pop(0) * np.sum(x ** 3)
    return ClassLevel().f


class Source:
    def __init__(self):
        self.items = [2.0, 3.0, 4.0, 5.0]

    def take(self):
        return self.items.pop(0)


class HoldsCallback:
    def __init__(self):
        self.take = Source().take  # (a bound method of another object)

    def f(self, x):
        return self.take() * np.sum(x ** 3)


class Feeder:
    def __init__(self):
        self.it = iter([2.0, 3.0, 4.0, 5.0])

    def term(self, x):
        return next(self.it) * x ** 3

    def f(self, x):
        return self.term(x)


X3 = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize('make', [
    lambda: functools.partial(first_of_queue, q=collections.deque([2.0, 3.0, 4.0, 5.0])),
    class_level, lambda: HoldsCallback().f],
    ids=['deque', 'class attribute', 'bound method held'])
def test_each_column_starts_from_the_state_given(make):
    """R23 A1, A2: a deque, a list in the class body and the object of a bound method held as
    an attribute were not put back between the columns of jacobian and hessian: each column
    read the next item."""
    np.testing.assert_allclose(s2sgrad.jacobian(make())(X3), 2.0 * 3 * X3 ** 2)
    np.testing.assert_allclose(s2sgrad.hessian(make())(X3), np.diag(2.0 * 6 * X3))


def test_an_iterator_held_by_the_object():
    """R23 A4: ``next(self.it)`` in a method the differentiated one calls: the list's
    iterator is put back between columns."""
    np.testing.assert_allclose(s2sgrad.jacobian(Feeder().f)(X3), np.diag(2.0 * 3 * X3 ** 2))


class GeneratorFeeder(Feeder):
    def __init__(self):
        self.it = (v for v in [2.0, 3.0, 4.0, 5.0])


def test_a_generator_that_moves_is_refused():
    with pytest.raises(s2sgrad.errors.UnsupportedSyntaxError, match='cannot be put back'):
        s2sgrad.jacobian(GeneratorFeeder().f)(X3)


def scaled_by_config(x, cfg):
    return cfg['scale'] * np.sum(x ** 3)


def test_a_defaultdict_argument_stays_one():
    """R23 C1: jacobian and hessian ran the function on a plain dict copy of a defaultdict:
    a KeyError."""
    cfg = collections.defaultdict(lambda: 2.0)
    np.testing.assert_allclose(s2sgrad.jacobian(scaled_by_config)(X3, cfg), 6.0 * X3 ** 2)
    np.testing.assert_allclose(s2sgrad.hessian(scaled_by_config)(X3, cfg), np.diag(12.0 * X3))


def potential(q):
    return np.sum(q ** 4)


def leapfrog_like(q):
    grad_u = s2sgrad.grad(potential)  # (the JAX idiom: a stored gradient, called twice)
    a = grad_u(q)
    b = grad_u(2.0 * q)
    return np.sum(a * b)


def test_a_stored_gradient_called_twice():
    """R24 D1: the second call of a stored gradient was left uncalled-for after the first
    was rewritten, and refused as a name not defined."""
    q = np.array([0.5, -0.3])
    np.testing.assert_allclose(s2sgrad.grad(leapfrog_like)(q), 768 * q ** 5)


def counts_by_rate(lam):
    return np.sum(scipy_stats.poisson.logpmf(np.array([0.0, 2.0, 5.0, 2.5]), lam, loc=1))


@pytest.mark.skipif(scipy_stats is None, reason='scipy (the `scipy` extra) is not installed')
def test_poisson_off_its_support():
    """R24 A1: below `loc` and at a fraction the value is -inf; the derivative was k/mu - 1
    there, not 0."""
    expected = (2.0 - 1) / 2.3 - 1 + (5.0 - 1) / 2.3 - 1
    assert s2sgrad.grad(counts_by_rate)(2.3) == pytest.approx(expected)


def cumulate(d):
    n = len(d)  # (read before the copy: a number)
    d = d.copy()
    for i in range(1, n):
        d[i] = d[i] + d[i - 1]
    return d


def cumulative_squares(x):
    return np.sum(cumulate(x) ** 2)


def test_a_helper_reading_the_length_before_its_copy():
    """R25 D2: ``n = len(d)`` before ``d = d.copy()`` made the helper's writes count as
    writes into its argument (refused)."""
    x = np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(s2sgrad.grad(cumulative_squares)(x),
                               numerical_grad(cumulative_squares, (x,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2sgrad.hvp(cumulative_squares)(x, np.ones(3)),
                               hessian_v(cumulative_squares, x, np.ones(3)), rtol=1e-4)


class Vocabulary:
    def __init__(self):
        self.counts = collections.Counter({'a': 3, 'b': 1})


def counted_squares(x, vocabulary):
    return vocabulary.counts['a'] * np.sum(x ** 2)


class FrozenDict(dict):
    def __setitem__(self, key, value):
        raise TypeError('FrozenDict is immutable')

    def clear(self):
        raise TypeError('FrozenDict is immutable')


def frozen_scale(x, cfg):
    return cfg['s'] * np.sum(x ** 3)


class LooseConfig:
    def __init__(self, **values):
        self._d = values

    def __getattr__(self, key):
        if key.startswith('__'):
            raise AttributeError(key)
        return self._d.get(key)


def scaled_by_attribute(x, cfg):
    return cfg.scale * np.sum(x ** 3)


def test_jacobian_leaves_read_containers_and_odd_objects_alone():
    """J2 B1, C1, C2: a Counter was put back with ``update``, which counted the pairs (the
    caller's Counter corrupted, the Hessian 0); a dict refusing writes and an object with a
    ``__getattr__`` answering any name crashed jacobian and hessian."""
    vocabulary = Vocabulary()
    np.testing.assert_allclose(s2sgrad.hessian(counted_squares)(X3, vocabulary),
                               6.0 * np.eye(3))
    assert vocabulary.counts == collections.Counter({'a': 3, 'b': 1})
    np.testing.assert_allclose(s2sgrad.jacobian(frozen_scale)(X3, FrozenDict(s=2.0)),
                               6.0 * X3 ** 2)
    np.testing.assert_allclose(s2sgrad.hessian(scaled_by_attribute)(X3, LooseConfig(scale=2.0)),
                               np.diag(12.0 * X3))


def process_noise_two_items(q):
    P = np.eye(2)
    total = 0.0
    for y in YS:
        Pp = np.eye(2) * y
        Pp[0, 0] = Pp[0, 0] * q[0]
        Pp[1, 1] = Pp[1, 1] + q[1]  # (a second write into the fresh array)
        P = P * 0.9 + Pp
        total = total + np.log(P[0, 0] + P[1, 1] + 2.0)
    return total


def test_second_derivatives_of_two_item_writes_into_a_fresh_array():
    """J2 D2: the second write saved and wrote back the item it replaces (the first write
    stood between it and the fresh binding): second derivatives were refused."""
    q = np.array([0.3, 0.2])
    v = np.array([1.0, -0.5])
    expected = hessian_v(process_noise_two_items, q, v)
    np.testing.assert_allclose(s2sgrad.hessian(process_noise_two_items)(q) @ v, expected,
                               rtol=1e-4)
    np.testing.assert_allclose(s2sgrad.vjp(s2sgrad.grad(process_noise_two_items))(q, v),
                               expected, rtol=1e-4)


class Rates:
    def __init__(self):
        self.t = 1.0

    def rate(self):
        self.t = self.t * 2.0
        return self.t


def product_of_norms(x, y, s):
    return s.rate() * np.sum(x ** 2) * np.sum(y ** 2)


def test_hessian_blocks_each_from_the_state_given():
    """J2 A2: with a tuple `wrt`, each row of blocks started from the state the row before
    left (its rate doubled again)."""
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    blocks = s2sgrad.hessian(product_of_norms, wrt=(0, 1))(x, y, Rates())
    np.testing.assert_allclose(blocks[0][0], 2.0 * 2 * np.sum(y ** 2) * np.eye(2))
    np.testing.assert_allclose(blocks[1][1], 2.0 * 2 * np.sum(x ** 2) * np.eye(2))
    np.testing.assert_allclose(blocks[1][0], 2.0 * 4 * np.outer(y, x))
