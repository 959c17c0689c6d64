"""What numba compiles in besides plain globals: a tuple (and the arrays in it) and a module's
attributes (``cfg.K``) are checked at each call of a compiled gradient, which raises S2SError
once they changed (it computed with the old values, silently); draws from NumPy's global
generator are refused where the function does not seed it (numba draws from its own), and
draws from Python's `random` module always (numba seeds its own otherwise)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import frozen_config as cfg  # noqa: E402
import frozen_globals as module  # noqa: E402
import s2sgrad  # noqa: E402
from s2sgrad.errors import CompileError, S2SError  # noqa: E402

pytest.importorskip('numba', reason='the compiled path needs numba (pip install s2sgrad[numba])')


def scaled_by_a_setting(x):
    return cfg.K * np.sum(x * x)


def weighted_by_a_setting(x):
    return np.sum(cfg.W * x)


def test_a_tuple_rebound_or_an_array_in_it_changed_is_seen():
    x = np.array([1.5, 0.5])
    try:
        gradient = s2sgrad.grad(module.polynomial, compile='numba')
        np.testing.assert_allclose(gradient(1.5), 7.0)
        module.COEFFICIENTS = (1.0, 2.0)  # (another tuple of the same values: what it compiled)
        np.testing.assert_allclose(gradient(1.5), 7.0)
        module.COEFFICIENTS = (1.0, 5.0)
        with pytest.raises(S2SError, match='`COEFFICIENTS` holds another value'):
            gradient(1.5)
        np.testing.assert_allclose(s2sgrad.grad(module.polynomial, compile='numba')(1.5), 16.0)

        tabled = s2sgrad.grad(module.tabled, compile='numba')
        np.testing.assert_allclose(tabled(x), [3.0, 6.0])
        module.TABLE[0][0] = 50.0
        with pytest.raises(S2SError, match='`TABLE` holds other values'):
            tabled(x)
        np.testing.assert_allclose(s2sgrad.grad(module.tabled, compile='numba')(x),
                                   s2sgrad.grad(module.tabled)(x))
    finally:
        module.COEFFICIENTS = (1.0, 2.0)
        module.TABLE[0][0] = 1.0


def nested_setting(x):
    return cfg.settings.K * np.sum(x * x)


def test_a_module_attribute_two_levels_down_is_seen():
    x = np.array([1.5, 0.5])
    try:
        gradient = s2sgrad.grad(nested_setting, compile='numba')
        np.testing.assert_allclose(gradient(x), 6.0 * x)
        cfg.settings.K = 5.0
        with pytest.raises(S2SError, match='`cfg.settings.K` holds another value'):
            gradient(x)
    finally:
        cfg.settings.K = 3.0


def test_a_modules_attribute_rebound_or_changed_is_seen():
    x = np.array([1.5, 0.5])
    try:
        gradient = s2sgrad.grad(scaled_by_a_setting, compile='numba')
        np.testing.assert_allclose(gradient(x), 4.0 * x)
        cfg.K = 9.0
        with pytest.raises(S2SError, match='`cfg.K` holds another value'):
            gradient(x)
        weighted = s2sgrad.grad(weighted_by_a_setting, compile='numba')
        np.testing.assert_allclose(weighted(x), [1.0, 2.0])
        cfg.W[0] = 50.0
        with pytest.raises(S2SError, match='`cfg.W` holds other values'):
            weighted(x)
        np.testing.assert_allclose(s2sgrad.grad(weighted_by_a_setting, compile='numba')(x),
                                   [50.0, 2.0])
    finally:
        cfg.K = 2.0
        cfg.W[0] = 1.0


def test_unseeded_draws_from_a_global_generator_are_refused():
    with pytest.raises(CompileError, match=r'np\.random\.randn'):
        s2sgrad.grad(module.noisy, compile='numba')
    with pytest.raises(CompileError, match='not in a branch'):
        s2sgrad.grad(module.seeded_in_a_branch, compile='numba')
    with pytest.raises(CompileError, match=r'random\.random'):
        s2sgrad.grad(module.python_noise, compile='numba')
    x = np.ones(2)
    np.testing.assert_allclose(s2sgrad.grad(module.seeded_noise, compile='numba')(x),
                               s2sgrad.grad(module.seeded_noise)(x))
    with pytest.raises(CompileError, match='seeded otherwise'):
        s2sgrad.grad(module.python_seeded_noise, compile='numba')


def listed_setting(x):
    return cfg.L[1] * x * x


def test_a_modules_list_says_what_numba_cannot_compile_in():
    with pytest.raises(CompileError, match=r'List\(float64.*pass it as an argument'):
        s2sgrad.grad(listed_setting, compile='numba')(1.5)
