"""The cache of generated functions: failed transformations, dropped functions, the bound."""
import gc

import numpy as np
import pytest

import s2sgrad
from s2sgrad.api import _BUILDER
from s2sgrad.cache import Cache
from s2sgrad.errors import UnsupportedSyntaxError


def sine(x):
    return np.sin(x)


def with_try(x):
    try:
        return x * 2.0
    except ValueError:
        return x


def calls_both(x):
    return np.sum(sine(x) * with_try(x))


def squares(x):
    return np.sum(x ** 2)


def test_a_failed_transformation_forgets_what_it_made_and_only_that(private_cache, monkeypatch):
    kept = s2sgrad.grad(squares)
    before = len(_BUILDER.cache)
    made = []
    original = Cache.__setitem__

    def noting(self, key, generated):
        made.append(key)
        original(self, key, generated)
    monkeypatch.setattr(Cache, '__setitem__', noting)
    with pytest.raises(UnsupportedSyntaxError, match='try'):
        s2sgrad.grad(calls_both)
    assert any(key[1] is sine for key in made)  # the VJP of `sine` was made, then forgotten
    assert len(_BUILDER.cache) == before
    assert s2sgrad.grad(squares) is kept
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(kept(x), 2 * x)


def make_scaled(k):
    def scaled(x):
        return np.sum(k * np.sin(x))
    return scaled


def test_a_dropped_function_takes_its_entries_and_no_others(private_cache):
    first, second = make_scaled(2.0), make_scaled(3.0)
    s2sgrad.grad(first)
    kept = s2sgrad.grad(second)
    with_both = len(_BUILDER.cache)
    del first
    gc.collect()
    assert len(_BUILDER.cache) < with_both
    assert s2sgrad.grad(second) is kept
    x = np.array([0.1, 0.7])
    np.testing.assert_allclose(kept(x), 3.0 * np.cos(x))


def test_the_bound_drops_the_least_recently_used_entry():
    def a():
        pass

    def b():
        pass

    def c():
        pass
    cache = Cache(limit=2)
    cache[('func', a)] = 'A'
    cache[('func', b)] = 'B'
    assert cache.get(('func', a)) == 'A'  # now the most recently used
    cache[('func', c)] = 'C'
    assert ('func', b) not in cache and len(cache) == 2
    del b, a
    gc.collect()
    assert len(cache) == 1 and cache.get(('func', c)) == 'C'
    cache.clear()
    assert len(cache) == 0 and ('func', c) not in cache


def test_keys_without_a_function_are_bounded_and_forgotten_too():
    cache = Cache(limit=2)
    for name in ('a', 'b', 'c'):
        cache[(name,)] = name.upper()
    assert ('a',) not in cache and cache.get(('c',)) == 'C' and len(cache) == 2
    del cache[('b',)]
    assert len(cache) == 1
