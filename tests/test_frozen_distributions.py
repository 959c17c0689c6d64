"""SciPy's frozen distributions (``norm(mu, s).logpdf(x)``, ``d = gamma(a); d.logpdf(x)``) read
as calls of the distribution's methods with the frozen parameters after the method's own
arguments, as SciPy computes them: checked against central differences and forward mode, in
every parameter. A frozen distribution the rewrite cannot follow stays refused, loudly."""
import numpy as np
import pytest

scipy_stats = pytest.importorskip('scipy.stats', reason='the frozen distributions are SciPy\'s')
import s2sgrad  # noqa: E402
from scipy.stats import gamma, multivariate_normal, norm  # noqa: E402

X = np.array([0.3, -0.4, 1.2])


def chained(x, mu, s):
    return np.sum(norm(mu, s).logpdf(x))


def with_keywords(x, mu, s):
    return np.sum(norm(loc=mu, scale=s).cdf(x) * x)


def stored(x, mu, s):
    prior = norm(mu, s)
    return np.sum(prior.logpdf(x)) + prior.pdf(x[0]) * prior.cdf(x[1])


def module_attribute(x, mu, s):
    return np.sum(scipy_stats.t(3.5, mu, s).logpdf(x))


def shape_parameter(x, mu, s):
    d = gamma(1.5 + mu ** 2, scale=s)
    return np.sum(d.logpdf(x ** 2 + 0.5))


def tails(x, mu, s):
    d = norm(mu + x[0] ** 2, scale=s)
    return np.sum(d.logsf(x) + d.sf(x) * x[1]) + d.logcdf(x[2]) + d.ppf(0.3) * d.isf(0.6)


def multivariate(x, mu, s):
    return multivariate_normal(x * mu, np.eye(3) * s).logpdf(np.array([0.1, 0.2, 0.3]))


def multivariate_with_seed(x, mu, s):
    return multivariate_normal(mean=x, cov=s * np.eye(3), seed=0).logpdf(np.ones(3) * mu)


def in_a_loop(x, mu, s):
    total = 0.0
    for i in range(3):
        total = total + norm(mu * i, s).logpdf(x[i])
    return total


FUNCTIONS = [chained, with_keywords, stored, module_attribute, shape_parameter, tails,
             multivariate, multivariate_with_seed, in_a_loop]


def numeric(f, args, wrt, eps=1e-6):
    args = [np.asarray(a, dtype=float) for a in args]
    g = np.zeros_like(args[wrt])
    for i in np.ndindex(args[wrt].shape):
        up = [a.copy() for a in args]
        down = [a.copy() for a in args]
        up[wrt][i] += eps
        down[wrt][i] -= eps
        g[i] = (f(*up) - f(*down)) / (2 * eps)
    return g


@pytest.mark.parametrize('f', FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize('wrt', [0, 1, 2])
def test_frozen_distributions(f, wrt):
    args = [X, 0.4, 1.7]
    expected = numeric(f, args, wrt)
    got = s2sgrad.grad(f, wrt=wrt)(*args)
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-8)
    direction = np.ones(3) if wrt == 0 else 1.0
    assert np.allclose(s2sgrad.jvp(f, wrt=wrt)(*args, direction), np.sum(expected),
                       rtol=1e-5, atol=1e-8)


def passed_on(x, mu, s):
    d = norm(mu, s)
    return score(d, x)


def score(d, x):
    return np.sum(d.logpdf(x))


def rebound_parameter(x, mu, s):
    d = norm(mu, s)
    mu = mu * 2.0
    return np.sum(d.logpdf(x)) + mu


def test_a_frozen_distribution_passed_on_is_refused():
    with pytest.raises(s2sgrad.errors.S2SError):
        s2sgrad.grad(passed_on, wrt=1)(X, 0.4, 1.7)


def test_parameters_rebound_after_freezing_keep_their_frozen_value():
    expected = numeric(rebound_parameter, [X, 0.4, 1.7], 1)
    try:
        got = s2sgrad.grad(rebound_parameter, wrt=1)(X, 0.4, 1.7)
    except s2sgrad.errors.S2SError:
        return  # (not followed: loud)
    assert np.allclose(got, expected, rtol=1e-5)


def test_printed_as_the_distribution_method():
    source = s2sgrad.grad(chained, wrt=1).source
    code = [line for line in source.splitlines() if not line.strip().startswith('#')]
    assert not any('norm(mu, s)' in line for line in code)
    assert any('norm.logpdf(x, mu, s)' in line for line in code)


def parameter_drawn_once(x, mu, s):
    rng = np.random.default_rng(0)
    d = norm(mu + rng.normal(), s)
    return np.sum(d.logpdf(x)) + np.sum(d.logpdf(2 * x))


def covariance_changed_after_freezing(x, mu, s):
    cov = np.eye(3) * s
    d = multivariate_normal(x * mu, cov)
    cov[0, 0] = 4.0
    return d.logpdf(np.ones(3))


def test_a_parameter_is_computed_once_where_the_distribution_is_made():
    """``norm(mu + rng.normal(), s)`` kept under a name draws once, as Python does."""
    value, g = s2sgrad.value_and_grad(parameter_drawn_once, wrt=1)(X, 0.4, 1.7)
    assert np.isclose(value, parameter_drawn_once(X, 0.4, 1.7))
    assert np.isclose(g, numeric(parameter_drawn_once, [X, 0.4, 1.7], 1), rtol=1e-5)


def test_a_parameter_changed_in_place_after_freezing_is_right_or_refused():
    """SciPy's multivariate normal reads its covariance when it is frozen: the rewrite must
    not let the later write reach it."""
    expected = numeric(covariance_changed_after_freezing, [X, 0.4, 1.7], 1)
    try:
        value, g = s2sgrad.value_and_grad(covariance_changed_after_freezing, wrt=1)(X, 0.4, 1.7)
    except s2sgrad.errors.S2SError:
        return
    assert np.isclose(value, covariance_changed_after_freezing(X, 0.4, 1.7))
    assert np.isclose(g, expected, rtol=1e-5)


def frozen_in_a_loop(x, mu, s):
    total = 0.0
    for i in range(2):
        d = norm(mu * i, s)
        total = total + np.sum(d.logpdf(x))
    return total


def frozen_in_either_branch(x, mu, s):
    if mu > 0:
        d = norm(mu, s)
    else:
        d = norm(-mu, s)
    return np.sum(d.logpdf(x))


def test_a_frozen_distribution_made_in_each_step_of_a_loop():
    value, g = s2sgrad.value_and_grad(frozen_in_a_loop, wrt=1)(X, 0.4, 1.7)
    assert np.isclose(value, frozen_in_a_loop(X, 0.4, 1.7))
    assert np.isclose(g, numeric(frozen_in_a_loop, [X, 0.4, 1.7], 1), rtol=1e-5)


def test_a_frozen_distribution_not_followed_says_what_to_write():
    with pytest.raises(s2sgrad.errors.NoRuleError, match='frozen distribution is followed') \
            as info:
        s2sgrad.grad(frozen_in_either_branch, wrt=1)(X, 0.4, 1.7)
    assert 'norm.logpdf(x, mu, s)' in str(info.value)


def parameters_popped_then_point_popped(x, mu, s):
    xs = [x[0], x[1], x[2]]
    return norm(xs.pop() * mu, s).logpdf(xs.pop())


def test_parameters_are_computed_before_the_point_or_refused():
    """``norm(xs.pop(), 1).logpdf(xs.pop())``: Python computes the parameters first; the
    rewrite would compute the point first, so it leaves such a call (refused)."""
    try:
        value, g = s2sgrad.value_and_grad(parameters_popped_then_point_popped, wrt=1)(
            X, 0.4, 1.7)
    except s2sgrad.errors.S2SError:
        return
    assert np.isclose(value, parameters_popped_then_point_popped(X, 0.4, 1.7))
    assert np.isclose(g, numeric(parameters_popped_then_point_popped, [X, 0.4, 1.7], 1),
                      rtol=1e-5)
