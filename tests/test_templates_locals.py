"""Local variables in tangent templates: assigned once, with fresh names, read by the terms."""
import numpy as np
import pytest

import s2sgrad
from s2sgrad import d
from s2sgrad.errors import S2SError


def softplus(x):
    return np.log1p(np.exp(x))


@s2sgrad.tangent(softplus)
def softplus_tangent(ans, x):
    e = np.exp(x)
    d[ans] = d[x] * e / (1 + e)


def scaled_ratio(x, y):
    return x / (1 + y * y)


@s2sgrad.tangent(scaled_ratio)
def scaled_ratio_tangent(ans, x, y):
    denominator = 1 + y * y
    d[ans] = d[x] / denominator
    d[ans] = -2 * ans * y * d[y] / denominator


def uses_softplus(x):
    e = softplus(x) * 2.0  # the user's own `e`: the template's local gets another name
    return np.sum(e * x)


def uses_ratio(x, y):
    return np.sum(scaled_ratio(x, y) ** 2)


def central_differences(f, args, directions, h=1e-6):
    plus = [a + h * v for a, v in zip(args, directions)]
    minus = [a - h * v for a, v in zip(args, directions)]
    return (f(*plus) - f(*minus)) / (2 * h)


def test_a_local_variable_of_a_tangent_template_is_assigned_with_a_fresh_name():
    jvp = s2sgrad.jvp(uses_softplus)
    assert 'e_2 = np.exp(x)' in jvp.source and 'dx * e_2 / (1 + e_2)' in jvp.source, jvp.source
    x, v = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -2.0])
    tangent = jvp(x, v)
    expected = central_differences(uses_softplus, [x], [v])
    np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize('wrt', [0, 1, (0, 1)])
@pytest.mark.parametrize('optimized', [True, False])
def test_terms_read_a_local_that_the_template_computes_once(wrt, optimized):
    jvp = s2sgrad.jvp(uses_ratio, wrt=wrt, optimized=optimized)
    # (the optimizer may write a local that one term reads into that term)
    assignments = jvp.source.count('denominator = 1 + y * y')
    assert assignments == 1 if not optimized or wrt == (0, 1) else assignments <= 1, jvp.source
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3), rng.normal(size=3)
    positions = (wrt,) if isinstance(wrt, int) else wrt
    directions = [rng.normal(size=3) if i in positions else np.zeros(3) for i in range(2)]
    given = [directions[i] for i in positions]
    tangent = jvp(x, y, given[0] if isinstance(wrt, int) else tuple(given))
    expected = central_differences(uses_ratio, [x, y], directions)
    np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-8)


def reads_a_tangent(x):
    return np.sum(bad_local(x))


def bad_local(x):
    return 2.0 * x


@s2sgrad.tangent(bad_local)
def bad_local_tangent(ans, x):
    dx = d[x]
    d[ans] = 2.0 * dx


def test_a_local_may_not_read_a_tangent():
    with pytest.raises(S2SError, match='bad_local_tangent'):
        s2sgrad.jvp(reads_a_tangent)(np.ones(2), np.ones(2))
