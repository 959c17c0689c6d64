"""A random draw with differentiated parameters (``rng.normal(mu, s, n)``) has no derivative:
the refusal says so and gives the reparameterization to write, which is differentiated."""
import numpy as np
import pytest

import s2sgrad


def drawn(mu, s):
    rng = np.random.default_rng(0)
    z = rng.normal(mu, s, size=3)
    return np.sum(z ** 2)


def reparameterized(mu, s):
    rng = np.random.default_rng(0)
    z = mu + s * rng.standard_normal(3)
    return np.sum(z ** 2)


def test_the_refusal_gives_the_reparameterization():
    with pytest.raises(s2sgrad.errors.NoRuleError, match='reparameterization') as info:
        s2sgrad.grad(drawn)(0.3, 1.2)
    assert 'rng.standard_normal(n)' in str(info.value)


def test_the_reparameterization_is_differentiated():
    eps = np.random.default_rng(0).standard_normal(3)
    g_mu, g_s = s2sgrad.grad(reparameterized, wrt=(0, 1))(0.3, 1.2)
    assert np.isclose(g_mu, np.sum(2 * (0.3 + 1.2 * eps)))
    assert np.isclose(g_s, np.sum(2 * (0.3 + 1.2 * eps) * eps))
